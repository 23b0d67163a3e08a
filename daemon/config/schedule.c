/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure schedule computation; see schedule.h for the rules and why the zone rule is in code. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "labourwatch/macro.h"
#include "labourwatch/schedule.h"

#define SEC_PER_DAY INT64_C(86400)

static int64_t floor_div(int64_t a, int64_t b)
{
        int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0)))
                q--;
        return q;
}

/* Day number (days since 1970-01-01) of the last Sunday of month m of year y. */
static int64_t last_sunday(int y, int m)
{
        Date d = {y, m, date_days_in_month(y, m)};
        int wd = date_weekday(d); /* 0 = Monday .. 6 = Sunday */

        return date_to_days(d) - (wd + 1) % 7;
}

int64_t cph_utc_offset(int64_t utc_sec)
{
        Date d = date_from_days(floor_div(utc_sec, SEC_PER_DAY));
        /* EU rule: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
         * Sunday of October. */
        int64_t start = last_sunday(d.year, 3) * SEC_PER_DAY + 3600;
        int64_t end = last_sunday(d.year, 10) * SEC_PER_DAY + 3600;

        return utc_sec >= start && utc_sec < end ? 7200 : 3600;
}

int64_t cph_local_to_utc(Date d, unsigned minute_of_day)
{
        int64_t local = date_to_days(d) * SEC_PER_DAY + (int64_t) minute_of_day * 60;
        int64_t summer = local - 7200, winter = local - 3600;
        bool summer_ok = cph_utc_offset(summer) == 7200;
        bool winter_ok = cph_utc_offset(winter) == 3600;

        if (summer_ok)
                return summer; /* the only or (fall-back day) the first occurrence */
        if (winter_ok)
                return winter;
        /* In the skipped hour of the spring-forward day: read it with the offset in force before
         * the change, which lands the same elapsed time after midnight (02:30 -> 03:30 CEST). */
        return winter;
}

void cph_utc_to_local(int64_t utc_sec, Date *ret_date, unsigned *ret_minute_of_day)
{
        int64_t local = utc_sec + cph_utc_offset(utc_sec);
        int64_t days = floor_div(local, SEC_PER_DAY);

        if (ret_date)
                *ret_date = date_from_days(days);
        if (ret_minute_of_day)
                *ret_minute_of_day = (unsigned) ((local - days * SEC_PER_DAY) / 60);
}

uint64_t schedule_jitter_seed(const char *name)
{
        uint64_t h = UINT64_C(14695981039346656037);

        for (const unsigned char *p = (const unsigned char *) strempty(name); *p; p++) {
                h ^= *p;
                h *= UINT64_C(1099511628211);
        }
        return h;
}

/* A well-mixed 64-bit value from the seed and a counter (splitmix64 finaliser). */
static uint64_t mix(uint64_t seed, uint64_t n)
{
        uint64_t z = seed + n * UINT64_C(0x9e3779b97f4a7c15);

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static uint64_t next_interval(const Schedule *s, uint64_t last_run, uint64_t seed)
{
        uint64_t jitter = MIN(s->jitter_usec, s->interval_usec / 2);
        uint64_t next = last_run + s->interval_usec;

        if (s->interval_usec == 0)
                return SCHEDULE_NEVER;
        if (jitter > 0) {
                uint64_t off = mix(seed, 0) % (2 * jitter + 1);
                next = next + off - jitter; /* cannot underflow: jitter <= interval/2 */
        }
        return next;
}

static uint64_t next_calendar(const Schedule *s, uint64_t last_run, uint64_t seed)
{
        unsigned weekdays = s->weekdays & 0x7f ? s->weekdays & 0x7f : 0x7f;
        int64_t last_sec = (int64_t) (last_run / USEC_PER_SEC);
        int64_t best = INT64_MAX;
        Date d;
        int64_t day0;

        if (s->n_times == 0)
                return SCHEDULE_NEVER;

        cph_utc_to_local(last_sec, &d, NULL);
        day0 = date_to_days(d);
        /* Yesterday (a slot in the local day before may map after last_run only around DST
         * changes, but it costs nothing) to a week and a day ahead covers every weekday mask. */
        for (int64_t day = day0 - 1; day <= day0 + 8 && best == INT64_MAX; day++) {
                Date dd = date_from_days(day);

                if (!(weekdays & (1u << date_weekday(dd))))
                        continue;
                for (size_t i = 0; i < s->n_times && i < SCHEDULE_TIMES_MAX; i++) {
                        int64_t t;

                        if (s->times_min[i] >= 24 * 60)
                                continue;
                        t = cph_local_to_utc(dd, s->times_min[i]);
                        /* strictly after the last run's second: a run started at the slot must
                         * not count the same slot again */
                        if ((uint64_t) t * USEC_PER_SEC > last_run && t < best)
                                best = t;
                }
        }
        if (best == INT64_MAX)
                return SCHEDULE_NEVER;

        uint64_t next = (uint64_t) best * USEC_PER_SEC;
        if (s->jitter_usec > 0)
                next += mix(seed, 1) % (s->jitter_usec + 1);
        return next;
}

uint64_t schedule_next(const Schedule *s, uint64_t last_run_usec, uint64_t now_usec, uint64_t jitter_seed)
{
        uint64_t next;

        assert(s);

        if (last_run_usec == 0)
                return now_usec;

        switch (s->kind) {
        case SCHEDULE_INTERVAL:
                next = next_interval(s, last_run_usec, jitter_seed);
                break;
        case SCHEDULE_CALENDAR:
                next = next_calendar(s, last_run_usec, jitter_seed);
                break;
        default:
                return SCHEDULE_NEVER;
        }
        if (next == SCHEDULE_NEVER)
                return next;
        /* Overdue (downtime, clock jump): run once now, not once per missed slot. */
        return MAX(next, now_usec);
}

uint64_t backoff_delay(const BackoffPolicy *p, unsigned failures, uint64_t retry_after_usec, uint64_t seed)
{
        uint64_t base = p && p->base_usec ? p->base_usec : BACKOFF_DEFAULT_BASE_USEC;
        uint64_t max = p && p->max_usec ? p->max_usec : BACKOFF_DEFAULT_MAX_USEC;
        uint64_t d;

        if (retry_after_usec > 0)
                return MIN(MAX(retry_after_usec, USEC_PER_SEC),
                           UINT64_C(24) * 3600 * USEC_PER_SEC);

        if (max < base)
                max = base;
        d = base;
        for (unsigned i = 1; i < failures && d < max; i++)
                d = d > max / 2 ? max : d * 2;
        d = MIN(d, max);

        /* "equal jitter": keep at least half, spread the other half */
        return d / 2 + mix(seed, failures) % (d / 2 + 1);
}

/* ---- parsing ---- */

static int calendar_weekday(const char *s, size_t n)
{
        static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        if (n != 3)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(days); i++)
                if (strncasecmp(s, days[i], 3) == 0)
                        return (int) i;
        return -EINVAL;
}

static int cmp_unsigned(const void *a, const void *b)
{
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return x < y ? -1 : x > y;
}

/* "Mon..Fri 08:30", "Mon,Wed 08:30,13:00", "daily 06:00", "06:00" (every day). Times are local time
 * (Europe/Copenhagen); the schedule module does the arithmetic. */
int schedule_parse_calendar(const char *s, Schedule *ret)
{
        Schedule sch = {.kind = SCHEDULE_CALENDAR};
        const char *p = s, *sp;

        if (!s)
                return -EINVAL;
        while (*p == ' ')
                p++;
        sp = strchr(p, ' ');
        if (sp) {
                /* weekday part */
                const char *w = p;
                if ((size_t) (sp - p) == 5 && strncasecmp(p, "daily", 5) == 0)
                        sch.weekdays = 0x7f;
                else
                        while (w < sp) {
                                const char *comma = memchr(w, ',', (size_t) (sp - w));
                                const char *end = comma ? comma : sp;
                                const char *dots = NULL;
                                int a, b;

                                for (const char *q = w; q + 1 < end; q++)
                                        if (q[0] == '.' && q[1] == '.') {
                                                dots = q;
                                                break;
                                        }
                                if (dots) {
                                        a = calendar_weekday(w, (size_t) (dots - w));
                                        b = calendar_weekday(dots + 2, (size_t) (end - dots - 2));
                                        if (a < 0 || b < 0 || b < a)
                                                return -EINVAL;
                                } else {
                                        a = b = calendar_weekday(w, (size_t) (end - w));
                                        if (a < 0)
                                                return -EINVAL;
                                }
                                for (int d = a; d <= b; d++)
                                        sch.weekdays |= 1U << d;
                                w = comma ? comma + 1 : end;
                                if (comma && w == sp)
                                        return -EINVAL;
                        }
                p = sp;
                while (*p == ' ')
                        p++;
        } else
                sch.weekdays = 0x7f;

        if (!*p)
                return -EINVAL;
        while (*p) {
                unsigned h, m;

                if (!(p[0] >= '0' && p[0] <= '9'))
                        return -EINVAL;
                h = (unsigned) (p[0] - '0');
                p++;
                if (*p >= '0' && *p <= '9')
                        h = h * 10 + (unsigned) (*p++ - '0');
                if (*p != ':' || !(p[1] >= '0' && p[1] <= '9') || !(p[2] >= '0' && p[2] <= '9'))
                        return -EINVAL;
                m = (unsigned) (p[1] - '0') * 10 + (unsigned) (p[2] - '0');
                p += 3;
                if (h > 23 || m > 59)
                        return -EINVAL;
                if (sch.n_times >= SCHEDULE_TIMES_MAX)
                        return -E2BIG;
                sch.times_min[sch.n_times++] = h * 60 + m;
                while (*p == ' ')
                        p++;
                if (*p == ',') {
                        p++;
                        while (*p == ' ')
                                p++;
                        if (!*p)
                                return -EINVAL;
                } else if (*p)
                        return -EINVAL;
        }
        qsort(sch.times_min, sch.n_times, sizeof(unsigned), cmp_unsigned);
        /* drop duplicates */
        {
                size_t k = 0;
                for (size_t i = 0; i < sch.n_times; i++)
                        if (k == 0 || sch.times_min[k - 1] != sch.times_min[i])
                                sch.times_min[k++] = sch.times_min[i];
                sch.n_times = k;
        }
        *ret = sch;
        return 0;
}
