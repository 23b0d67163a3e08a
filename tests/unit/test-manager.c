/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"
#include "labourwatch/manager.h"

/* 2026-11-23 10:00:00 UTC */
#define NOW (UINT64_C(1795428000) * USEC_PER_SEC)

static void test_status_format(void **state)
{
        static const struct {
                ManagerStatus s;
                const char *want;
        } rows[] = {
                { { .n_goals = 12, .n_sources = 3, .evaluated = true, .n_off_track = 2,
                    .next_fetch_usec = NOW + 30 * USEC_PER_MINUTE },
                  "12 goals, 2 off track; next fetch 10:30" },
                { { .n_goals = 1, .n_sources = 1, .evaluated = true, .n_off_track = 0,
                    .next_fetch_usec = NOW + 20 * USEC_PER_HOUR },
                  "1 goal, 0 off track; next fetch 2026-11-24 06:00" },
                { { .n_goals = 5, .n_sources = 2, .evaluated = false, .next_fetch_usec = NOW },
                  "5 goals (not evaluated); next fetch 10:00" },
                { { .n_goals = 0, .n_sources = 0, .evaluated = true, .next_fetch_usec = UINT64_MAX },
                  "0 goals; no sources" },
                { { .n_goals = 0, .n_sources = 0, .evaluated = false, .next_fetch_usec = UINT64_MAX },
                  "0 goals; no sources" },
                { { .n_goals = 4, .n_sources = 2, .evaluated = true, .n_off_track = 4, .fetching = true,
                    .next_fetch_usec = NOW },
                  "4 goals, 4 off track; fetching now" },
                { { .n_goals = 2, .n_sources = 1, .evaluated = true, .n_off_track = 1,
                    .next_fetch_usec = UINT64_MAX },
                  "2 goals, 1 off track; no fetch scheduled" },
                { { .n_goals = 12, .n_sources = 4, .evaluated = true, .n_off_track = 2, .n_without_data = 3,
                    .next_fetch_usec = NOW + 2 * USEC_PER_HOUR + 5 * USEC_PER_MINUTE },
                  "12 goals, 2 off track, 3 without data; next fetch 12:05" },
                { { .n_goals = 3, .n_sources = 1, .evaluated = false, .n_without_data = 3,
                    .next_fetch_usec = UINT64_MAX },
                  "3 goals (not evaluated); no fetch scheduled" },
                /* a rejected reload stays visible until a good one loads */
                { { .n_goals = 12, .n_sources = 4, .evaluated = true, .n_off_track = 2,
                    .next_fetch_usec = NOW + 30 * USEC_PER_MINUTE, .reload_failed_usec = NOW - 5 * USEC_PER_MINUTE },
                  "Configuration reload failed 09:55 (previous configuration in use); 12 goals, 2 off track; "
                  "next fetch 10:30" },
        };

        assert_int_equal(setenv("TZ", "UTC", 1), 0);
        tzset();
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *s = manager_status_format(&rows[i].s, NOW);
                assert_non_null(s);
                assert_string_equal(s, rows[i].want);
        }
}

static void test_status_format_local_time(void **state)
{
        /* 23:30 UTC is already the next day in Copenhagen (CET, UTC+1). */
        ManagerStatus s = { .n_goals = 1, .n_sources = 1, .evaluated = true,
                            .next_fetch_usec = NOW + 13 * USEC_PER_HOUR + 30 * USEC_PER_MINUTE };
        _cleanup_free_ char *utc = NULL, *cph = NULL;

        assert_int_equal(setenv("TZ", "UTC", 1), 0);
        tzset();
        utc = manager_status_format(&s, NOW);
        assert_int_equal(setenv("TZ", "Europe/Copenhagen", 1), 0);
        tzset();
        cph = manager_status_format(&s, NOW);
        assert_string_equal(utc, "1 goal, 0 off track; next fetch 23:30");
        assert_string_equal(cph, "1 goal, 0 off track; next fetch 2026-11-24 00:30");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_format),
                cmocka_unit_test(test_status_format_local_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
