/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* When is a source due? Pure functions of (Schedule, last run, now): no clock, no I/O, no globals.
 * The manager / source runner asks and arms sd-event timers; tests pass any instant they like.
 *
 * Times are realtime microseconds since the epoch (UTC). Calendar schedules are written in
 * Europe/Copenhagen wall-clock time. The zone rule is implemented here in code, not read from tzdata:
 * CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday of March 01:00 UTC until the last Sunday
 * of October 01:00 UTC (EU Directive 2000/84/EC, in force in Denmark since 1996; before 1996 the
 * EU summer time ended on the last Sunday of September, which we do not model). Should the EU ever
 * abolish clock changes, this function is the single place to change.
 *
 * Calendar corner cases (documented in labourwatch.yaml(5)):
 *   - a slot in the skipped hour of the spring-forward day (e.g. 02:30) runs at the same elapsed
 *     time after midnight, i.e. at 03:30 CEST (01:30 UTC) — once;
 *   - a slot in the repeated hour of the fall-back day (02:30 exists twice) runs once, at its first
 *     occurrence (02:30 CEST, 00:30 UTC).
 *
 * Catch-up: after downtime, schedule_next() returns `now` for an overdue source — one run, not one
 * per missed slot; after that run the next slot is computed from the new last run. */

#include <stdbool.h>
#include <stdint.h>

#include "labourwatch/config.h"
#include "labourwatch/period.h"

#define SCHEDULE_NEVER UINT64_MAX

/* UTC offset of Europe/Copenhagen at the instant utc_sec (seconds since the epoch): 3600 or 7200. */
int64_t cph_utc_offset(int64_t utc_sec);

/* Wall-clock time in Copenhagen -> the instant (seconds since the epoch), applying the rules above
 * for a skipped (non-existent) or repeated (ambiguous) local time. minute_of_day: 0..1439. */
int64_t cph_local_to_utc(Date d, unsigned minute_of_day);

/* The local date and minute of day in Copenhagen at utc_sec. */
void cph_utc_to_local(int64_t utc_sec, Date *ret_date, unsigned *ret_minute_of_day);

/* A stable per-name value (FNV-1a 64) used to spread sources over the jitter window: restarts do not
 * make every source fire at once, and tests are deterministic. */
uint64_t schedule_jitter_seed(const char *name);

/* The realtime usec at which a source with schedule s is next due.
 *   last_run_usec: start of the last run (successful or not), 0 = never: due at now_usec.
 *   jitter_seed:   schedule_jitter_seed(source name).
 * Interval: last_run + interval + offset, offset in [-jitter, +jitter] from the seed.
 * Calendar: the first slot (weekday mask, local times) after last_run, plus an offset in
 *   [0, jitter] (never earlier than the slot: data is published at the slot time).
 * An overdue result is clamped to now_usec (catch up once). Returns SCHEDULE_NEVER when the
 * schedule has no slots (interval 0, no times). */
uint64_t schedule_next(const Schedule *s, uint64_t last_run_usec, uint64_t now_usec, uint64_t jitter_seed);

/* Parses a calendar: "Mon..Fri 08:30", "Mon,Wed 08:30,13:00", "daily 06:00", "06:00" (every day),
 * times in local time (Europe/Copenhagen), sorted and without duplicates. Returns 0 and *ret
 * (kind SCHEDULE_CALENDAR), -E2BIG for more than SCHEDULE_TIMES_MAX times, or -EINVAL. */
int schedule_parse_calendar(const char *s, Schedule *ret);

/* ---- retry policy after a failed fetch (pure) ---- */

typedef struct BackoffPolicy {
        uint64_t base_usec; /* delay after the first failure; default 1 min */
        uint64_t max_usec;  /* cap; default 2 h */
} BackoffPolicy;

#define BACKOFF_DEFAULT_BASE_USEC USEC_PER_MINUTE
#define BACKOFF_DEFAULT_MAX_USEC (UINT64_C(2) * USEC_PER_HOUR)

/* Delay before retry number `failures` (1 = after the first failure): capped exponential,
 * min(max, base * 2^(failures-1)), with deterministic jitter from seed taking it down to at most
 * half of that (so sources failing together do not retry together). NULL policy: the defaults.
 * When the server sent Retry-After (429, 503), that delay is honoured instead, but never less than
 * one second and never more than a day. */
uint64_t backoff_delay(const BackoffPolicy *p, unsigned failures, uint64_t retry_after_usec, uint64_t seed);
