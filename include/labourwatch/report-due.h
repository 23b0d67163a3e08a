/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* When is a route's report (`report: {calendar: ...}`) due? Pure functions of (calendar, last slot
 * sent, now): no clock, no I/O. The slots are the calendar's (schedule.h: weekdays and times in
 * Europe/Copenhagen, the same rules around the clock changes); a report has no jitter.
 *
 * A report is sent once per slot, at the slot. After downtime that spanned one or several slots, ONE
 * report is sent at start-up, for the latest slot missed (report_due_slot), never one per slot. */

#include <stdint.h>

#include "labourwatch/config.h"

/* The first slot of s strictly after last_usec (realtime usec), or SCHEDULE_NEVER (no slots). */
uint64_t report_next_slot(const Schedule *s, uint64_t last_usec);

/* The latest slot of s in (last_usec, now_usec], or 0 when none is due. Looks back at most 8 days
 * before now (a weekly calendar has a slot in every 8 days): constant work after long downtime. */
uint64_t report_due_slot(const Schedule *s, uint64_t last_usec, uint64_t now_usec);
