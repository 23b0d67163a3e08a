/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The retry policy after failed fetches (schedule.h: backoff_delay) and Retry-After parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "labourwatch/schedule.h"

#define SEC UINT64_C(1000000)

static void test_exponential(void **state)
{
        static const struct {
                unsigned failures;
                uint64_t lo, hi; /* with the defaults: base 60 s, cap 2 h */
        } rows[] = {
                {0, 30 * SEC, 60 * SEC},        {1, 30 * SEC, 60 * SEC},
                {2, 60 * SEC, 120 * SEC},       {3, 120 * SEC, 240 * SEC},
                {4, 240 * SEC, 480 * SEC},      {7, 1920 * SEC, 3840 * SEC},
                {8, 3600 * SEC, 7200 * SEC},    {9, 3600 * SEC, 7200 * SEC},
                {1000, 3600 * SEC, 7200 * SEC}, {UINT32_MAX, 3600 * SEC, 7200 * SEC},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                for (uint64_t seed = 0; seed < 50; seed++) {
                        uint64_t d = backoff_delay(NULL, rows[i].failures, 0, seed * 7919);
                        if (d < rows[i].lo || d > rows[i].hi)
                                fail_msg("failures=%u seed=%llu: %llu not in [%llu, %llu]", rows[i].failures,
                                         (unsigned long long) seed, (unsigned long long) d,
                                         (unsigned long long) rows[i].lo, (unsigned long long) rows[i].hi);
                }
}

static void test_jitter(void **state)
{
        bool differ = false;
        uint64_t a = backoff_delay(NULL, 5, 0, schedule_jitter_seed("dst"));

        assert_int_equal(a, backoff_delay(NULL, 5, 0, schedule_jitter_seed("dst")));
        for (unsigned i = 0; i < 10; i++)
                if (backoff_delay(NULL, 5, 0, schedule_jitter_seed((char[]){(char) ('a' + i), 0})) != a)
                        differ = true;
        assert_true(differ);
}

static void test_policy(void **state)
{
        BackoffPolicy p = {.base_usec = 10 * SEC, .max_usec = 25 * SEC};

        for (uint64_t seed = 0; seed < 20; seed++) {
                uint64_t d1 = backoff_delay(&p, 1, 0, seed), d3 = backoff_delay(&p, 3, 0, seed);
                assert_true(d1 >= 5 * SEC && d1 <= 10 * SEC);
                assert_true(d3 >= 12 * SEC + SEC / 2 && d3 <= 25 * SEC); /* 40 s capped to 25 */
        }
        /* a cap below the base is raised to the base */
        BackoffPolicy q = {.base_usec = 10 * SEC, .max_usec = 1 * SEC};
        assert_true(backoff_delay(&q, 4, 0, 1) <= 10 * SEC);
}

static void test_retry_after(void **state)
{
        static const struct {
                uint64_t retry_after, want;
        } rows[] = {
                {7 * SEC, 7 * SEC},
                {1, SEC},                               /* at least a second */
                {3 * 24 * 3600 * SEC, 24 * 3600 * SEC}, /* at most a day */
                {7200 * SEC, 7200 * SEC},               /* may exceed the backoff cap: the server said so */
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                for (unsigned failures = 1; failures < 12; failures++)
                        assert_int_equal(backoff_delay(NULL, failures, rows[i].retry_after, failures),
                                         rows[i].want);
}

static void test_parse_retry_after(void **state)
{
        /* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
        const uint64_t date = UINT64_C(1445412480) * SEC;
        static const struct {
                const char *in;
                int64_t now_offset_sec; /* now = date + offset */
                int ret;
                uint64_t want;
        } rows[] = {
                {"7", 0, 0, 7 * SEC},
                {" 120 ", 0, 0, 120 * SEC},
                {"0", 0, 0, 0},
                {"Wed, 21 Oct 2015 07:28:00 GMT", -30, 0, 30 * SEC},
                {"Wed, 21 Oct 2015 07:28:00 GMT", 30, 0, 0},             /* in the past */
                {"Wednesday, 21-Oct-15 07:28:00 GMT", -60, 0, 60 * SEC}, /* RFC 850 */
                {"Wed Oct 21 07:28:00 2015", -5, 0, 5 * SEC},            /* asctime */
                {"99999999999", 0, 0, 7 * 24 * 3600 * SEC},              /* capped */
                {"", 0, -EINVAL, 0},
                {"   ", 0, -EINVAL, 0},
                {"-5", 0, -EINVAL, 0},
                {"soon", 0, -EINVAL, 0},
                {"7s", 0, -EINVAL, 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                uint64_t got = UINT64_MAX;
                int r = fetch_parse_retry_after(
                        rows[i].in, date + (uint64_t) (rows[i].now_offset_sec * (int64_t) SEC), &got);
                if (r != rows[i].ret)
                        fail_msg("row %zu '%s': ret %d, want %d", i, rows[i].in, r, rows[i].ret);
                if (r == 0 && got != rows[i].want)
                        fail_msg("row %zu '%s': got %llu, want %llu", i, rows[i].in,
                                 (unsigned long long) got, (unsigned long long) rows[i].want);
        }
        assert_int_equal(fetch_parse_retry_after(NULL, 0, &(uint64_t){0}), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exponential),
                cmocka_unit_test(test_jitter),
                cmocka_unit_test(test_policy),
                cmocka_unit_test(test_retry_after),
                cmocka_unit_test(test_parse_retry_after),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        fetch_global_done();
        return r;
}
