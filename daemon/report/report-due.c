/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure: when a route's report is due (report-due.h). */
#include <assert.h>

#include "labourwatch/macro.h"
#include "labourwatch/report-due.h"
#include "labourwatch/schedule.h"

uint64_t report_next_slot(const Schedule *s, uint64_t last_usec)
{
        Schedule cal;

        assert(s);
        if (s->kind != SCHEDULE_CALENDAR)
                return SCHEDULE_NEVER;
        cal = *s;
        cal.jitter_usec = 0;
        /* schedule_next() answers "now" for a never-run source: ask from the epoch's first second */
        return schedule_next(&cal, MAX(last_usec, (uint64_t) 1), 0, 0);
}

uint64_t report_due_slot(const Schedule *s, uint64_t last_usec, uint64_t now_usec)
{
        const uint64_t window = UINT64_C(8) * 24 * 3600 * USEC_PER_SEC;
        uint64_t from = MAX(last_usec, now_usec > window ? now_usec - window : 0), best = 0;

        assert(s);
        /* at most 8 days x SCHEDULE_TIMES_MAX slots */
        for (unsigned i = 0; i < 8 * 7 * SCHEDULE_TIMES_MAX + 1; i++) {
                uint64_t t = report_next_slot(s, from);
                if (t == SCHEDULE_NEVER || t > now_usec)
                        break;
                best = t;
                from = t;
        }
        return best;
}
