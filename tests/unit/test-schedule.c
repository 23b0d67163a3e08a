/* SPDX-License-Identifier: GPL-2.0-or-later */
/* schedule.c: Copenhagen wall clock across both DST changes and year ends, calendar and interval
 * schedules, catch-up after downtime. All instants are given in UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/schedule.h"

#define SEC UINT64_C(1000000)
#define MIN_ (60 * SEC)
#define HOUR (60 * MIN_)

static int64_t utc_sec(int y, int mo, int d, int h, int mi)
{
        return date_to_days((Date){y, mo, d}) * 86400 + h * 3600 + mi * 60;
}

static uint64_t utc(int y, int mo, int d, int h, int mi)
{
        return (uint64_t) utc_sec(y, mo, d, h, mi) * SEC;
}

static void test_offset(void **state)
{
        static const struct {
                int y, mo, d, h, mi, s;
                int64_t want;
        } rows[] = {
                {2024, 1, 15, 12, 0, 0, 3600},
                {2024, 7, 1, 12, 0, 0, 7200},
                /* spring forward 2024: Sunday 31 March 01:00 UTC */
                {2024, 3, 31, 0, 59, 59, 3600},
                {2024, 3, 31, 1, 0, 0, 7200},
                {2024, 3, 24, 1, 0, 0, 3600}, /* the Sunday before is not the last one */
                /* fall back 2024: Sunday 27 October 01:00 UTC */
                {2024, 10, 27, 0, 59, 59, 7200},
                {2024, 10, 27, 1, 0, 0, 3600},
                /* 2025: 30 March, 26 October; 2023: 26 March, 29 October */
                {2025, 3, 30, 0, 59, 59, 3600},
                {2025, 3, 30, 1, 0, 0, 7200},
                {2025, 10, 26, 0, 59, 59, 7200},
                {2025, 10, 26, 1, 0, 0, 3600},
                {2023, 3, 26, 1, 0, 0, 7200},
                {2023, 10, 29, 0, 30, 0, 7200},
                {2023, 10, 29, 1, 30, 0, 3600},
                /* year ends are winter time */
                {2024, 12, 31, 23, 30, 0, 3600},
                {2025, 1, 1, 0, 0, 0, 3600},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int64_t t = utc_sec(rows[i].y, rows[i].mo, rows[i].d, rows[i].h, rows[i].mi) + rows[i].s;
                assert_int_equal(cph_utc_offset(t), rows[i].want);
        }
}

static void test_local_to_utc(void **state)
{
        static const struct {
                Date d;
                unsigned hh, mm;
                int want_h, want_mi;
                Date want_d;
        } rows[] = {
                {{2024, 6, 3}, 8, 30, 6, 30, {2024, 6, 3}},
                {{2024, 12, 2}, 8, 30, 7, 30, {2024, 12, 2}},
                /* skipped hour: 02:30 does not exist on 31 March 2024 -> 03:30 CEST = 01:30 UTC */
                {{2024, 3, 31}, 2, 30, 1, 30, {2024, 3, 31}},
                {{2024, 3, 31}, 2, 0, 1, 0, {2024, 3, 31}},
                {{2024, 3, 31}, 3, 0, 1, 0, {2024, 3, 31}},
                {{2024, 3, 31}, 1, 59, 0, 59, {2024, 3, 31}},
                /* repeated hour: 02:30 exists twice on 27 October 2024 -> the first, CEST */
                {{2024, 10, 27}, 2, 30, 0, 30, {2024, 10, 27}},
                {{2024, 10, 27}, 3, 0, 2, 0, {2024, 10, 27}},
                {{2024, 10, 27}, 1, 59, 23, 59, {2024, 10, 26}},
                /* local midnight of New Year is the previous day in UTC */
                {{2025, 1, 1}, 0, 30, 23, 30, {2024, 12, 31}},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int64_t got = cph_local_to_utc(rows[i].d, rows[i].hh * 60 + rows[i].mm);
                int64_t want = utc_sec(rows[i].want_d.year, rows[i].want_d.month, rows[i].want_d.day,
                                       rows[i].want_h, rows[i].want_mi);
                if (got != want)
                        fail_msg("row %zu: got %lld, want %lld", i, (long long) got, (long long) want);
        }

        Date d;
        unsigned m;
        cph_utc_to_local(utc_sec(2024, 12, 31, 23, 30), &d, &m);
        assert_int_equal(d.year, 2025);
        assert_int_equal(d.month, 1);
        assert_int_equal(d.day, 1);
        assert_int_equal(m, 30);
        cph_utc_to_local(utc_sec(2024, 10, 27, 0, 30), &d, &m);
        assert_int_equal(m, 2 * 60 + 30);
        cph_utc_to_local(utc_sec(2024, 10, 27, 1, 30), &d, &m);
        assert_int_equal(m, 2 * 60 + 30);
}

static Schedule weekdays_at(unsigned n, const unsigned *mins)
{
        Schedule s = {.kind = SCHEDULE_CALENDAR, .weekdays = 0x1f};
        for (unsigned i = 0; i < n; i++)
                s.times_min[i] = mins[i];
        s.n_times = n;
        return s;
}

static void test_calendar(void **state)
{
        const unsigned t0830[] = {8 * 60 + 30};
        const unsigned t0830_1400[] = {14 * 60, 8 * 60 + 30}; /* unsorted on purpose */
        Schedule wd = weekdays_at(1, t0830), two = weekdays_at(2, t0830_1400);
        Schedule daily0230 = {.kind = SCHEDULE_CALENDAR, .weekdays = 0x7f, .times_min = {150}, .n_times = 1};
        const struct {
                const Schedule *s;
                uint64_t last, now, want;
        } rows[] = {
                /* Friday 29 March 2024 08:30 CET -> Monday 1 April 08:30 CEST (spring change between) */
                {&wd, utc(2024, 3, 29, 7, 30) + SEC, utc(2024, 3, 29, 7, 31), utc(2024, 4, 1, 6, 30)},
                /* Friday 25 October 08:30 CEST -> Monday 28 October 08:30 CET */
                {&wd, utc(2024, 10, 25, 6, 30) + SEC, utc(2024, 10, 25, 6, 31), utc(2024, 10, 28, 7, 30)},
                /* year end: Tuesday 31 Dec 2024 -> Wednesday 1 Jan 2025 (weekday) */
                {&wd, utc(2024, 12, 31, 7, 30) + SEC, utc(2024, 12, 31, 8, 0), utc(2025, 1, 1, 7, 30)},
                /* Friday 31 Dec 2021 -> Monday 3 Jan 2022 */
                {&wd, utc(2021, 12, 31, 7, 30) + SEC, utc(2021, 12, 31, 8, 0), utc(2022, 1, 3, 7, 30)},
                /* a run before the slot still gets the slot */
                {&wd, utc(2024, 6, 3, 5, 0), utc(2024, 6, 3, 5, 0), utc(2024, 6, 3, 6, 30)},
                /* a run exactly at the slot does not count the slot twice */
                {&wd, utc(2024, 6, 3, 6, 30), utc(2024, 6, 3, 6, 30), utc(2024, 6, 4, 6, 30)},
                /* two times a day */
                {&two, utc(2024, 6, 3, 6, 30) + SEC, utc(2024, 6, 3, 6, 31), utc(2024, 6, 3, 12, 0)},
                {&two, utc(2024, 6, 3, 12, 0) + SEC, utc(2024, 6, 3, 12, 1), utc(2024, 6, 4, 6, 30)},
                /* daily 02:30 on the spring-forward day: runs at 03:30 CEST (01:30 UTC), once */
                {&daily0230, utc(2024, 3, 30, 1, 30) + SEC, utc(2024, 3, 30, 2, 0), utc(2024, 3, 31, 1, 30)},
                {&daily0230, utc(2024, 3, 31, 1, 30) + SEC, utc(2024, 3, 31, 1, 31), utc(2024, 4, 1, 0, 30)},
                /* daily 02:30 on the fall-back day: first occurrence (00:30 UTC) and not again at 01:30 UTC
                 */
                {&daily0230, utc(2024, 10, 26, 0, 30) + SEC, utc(2024, 10, 26, 1, 0),
                 utc(2024, 10, 27, 0, 30)},
                {&daily0230, utc(2024, 10, 27, 0, 30) + SEC, utc(2024, 10, 27, 0, 31),
                 utc(2024, 10, 28, 1, 30)},
                {&daily0230, utc(2024, 10, 27, 0, 30) + SEC, utc(2024, 10, 27, 1, 30),
                 utc(2024, 10, 28, 1, 30)},
                /* year end for a daily slot */
                {&daily0230, utc(2024, 12, 31, 1, 30) + SEC, utc(2024, 12, 31, 2, 0),
                 utc(2025, 1, 1, 1, 30)},
                /* never run: due now */
                {&wd, 0, utc(2024, 6, 8, 12, 0), utc(2024, 6, 8, 12, 0)},
                /* downtime: last run Friday, back on Wednesday -> once, now */
                {&wd, utc(2024, 3, 29, 7, 30) + SEC, utc(2024, 4, 3, 10, 0), utc(2024, 4, 3, 10, 0)},
                /* ... and after that run, the next slot (Thursday), not the missed ones */
                {&wd, utc(2024, 4, 3, 10, 0), utc(2024, 4, 3, 10, 0) + SEC, utc(2024, 4, 4, 6, 30)},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                uint64_t got = schedule_next(rows[i].s, rows[i].last, rows[i].now, 0);
                if (got != rows[i].want)
                        fail_msg("row %zu: got %llu, want %llu (diff %lld s)", i, (unsigned long long) got,
                                 (unsigned long long) rows[i].want,
                                 ((long long) got - (long long) rows[i].want) / 1000000);
        }

        /* weekend days excluded; weekdays 0 means every day */
        Schedule weekend = {.kind = SCHEDULE_CALENDAR, .weekdays = 0x60, .times_min = {600}, .n_times = 1};
        assert_int_equal(schedule_next(&weekend, utc(2024, 6, 3, 0, 0), utc(2024, 6, 3, 0, 0), 0),
                         utc(2024, 6, 8, 8, 0));
        Schedule every = {.kind = SCHEDULE_CALENDAR, .weekdays = 0, .times_min = {600}, .n_times = 1};
        assert_int_equal(schedule_next(&every, utc(2024, 6, 3, 9, 0), utc(2024, 6, 3, 9, 0), 0),
                         utc(2024, 6, 4, 8, 0));
        Schedule none = {.kind = SCHEDULE_CALENDAR, .weekdays = 0x1f};
        assert_true(schedule_next(&none, utc(2024, 6, 3, 9, 0), utc(2024, 6, 3, 9, 0), 0) == SCHEDULE_NEVER);
}

static void test_calendar_jitter(void **state)
{
        const unsigned t0830[] = {8 * 60 + 30};
        Schedule s = weekdays_at(1, t0830);
        uint64_t slot = utc(2024, 6, 4, 6, 30), last = utc(2024, 6, 3, 6, 30) + SEC;
        bool differ = false;
        uint64_t first = 0;

        s.jitter_usec = 10 * MIN_;
        for (unsigned i = 0; i < 20; i++) {
                char name[16];
                snprintf(name, sizeof name, "src%u", i);
                uint64_t seed = schedule_jitter_seed(name);
                uint64_t n = schedule_next(&s, last, last, seed);
                assert_true(n >= slot); /* never before publication */
                assert_true(n <= slot + 10 * MIN_);
                assert_int_equal(n, schedule_next(&s, last, last, seed)); /* deterministic */
                if (i == 0)
                        first = n;
                else if (n != first)
                        differ = true;
        }
        assert_true(differ); /* sources are spread */
}

static void test_interval(void **state)
{
        Schedule s = {.kind = SCHEDULE_INTERVAL, .interval_usec = HOUR};
        uint64_t last = utc(2024, 12, 31, 23, 30);
        bool differ = false;

        assert_int_equal(schedule_next(&s, last, last + SEC, 0), last + HOUR);
        /* across the year end, UTC arithmetic only */
        assert_int_equal(schedule_next(&s, last, last, 0), utc(2025, 1, 1, 0, 30));
        /* never run */
        assert_int_equal(schedule_next(&s, 0, last, 0), last);
        /* overdue after downtime: once, now */
        assert_int_equal(schedule_next(&s, last, last + 10 * HOUR, 0), last + 10 * HOUR);
        /* DST does not matter for intervals */
        uint64_t l2 = utc(2024, 3, 31, 0, 30);
        assert_int_equal(schedule_next(&s, l2, l2, 0), utc(2024, 3, 31, 1, 30));

        s.jitter_usec = 5 * MIN_;
        for (unsigned i = 0; i < 20; i++) {
                uint64_t seed = schedule_jitter_seed((char[]){(char) ('a' + i), 0});
                uint64_t n = schedule_next(&s, last, last, seed);
                assert_true(n >= last + HOUR - 5 * MIN_);
                assert_true(n <= last + HOUR + 5 * MIN_);
                assert_int_equal(n, schedule_next(&s, last, last, seed));
                if (n != schedule_next(&s, last, last, schedule_jitter_seed("z")))
                        differ = true;
        }
        assert_true(differ);

        /* jitter larger than the interval is limited to half the interval */
        s.jitter_usec = 10 * HOUR;
        for (unsigned i = 0; i < 20; i++) {
                uint64_t n =
                        schedule_next(&s, last, last, schedule_jitter_seed((char[]){(char) ('a' + i), 0}));
                assert_true(n >= last + HOUR / 2 && n <= last + HOUR + HOUR / 2);
        }

        Schedule zero = {.kind = SCHEDULE_INTERVAL};
        assert_true(schedule_next(&zero, last, last, 0) == SCHEDULE_NEVER);
}

static void test_seed(void **state)
{
        assert_int_equal(schedule_jitter_seed(""), UINT64_C(14695981039346656037));
        assert_int_equal(schedule_jitter_seed("dst"), schedule_jitter_seed("dst"));
        assert_true(schedule_jitter_seed("dst") != schedule_jitter_seed("jobindsats"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_offset),   cmocka_unit_test(test_local_to_utc),
                cmocka_unit_test(test_calendar), cmocka_unit_test(test_calendar_jitter),
                cmocka_unit_test(test_interval), cmocka_unit_test(test_seed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
