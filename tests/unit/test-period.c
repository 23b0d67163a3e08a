/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"

static void test_parse_roundtrip(void **state)
{
        static const struct {
                const char *in, *want; /* want NULL: invalid */
        } rows[] = {
                { "2024", "2024" },         { "2024M06", "2024M06" },  { "2024M6", "2024M06" },
                { "2024K2", "2024Q2" },     { "2024k2", "2024Q2" },    { "2024Q2", "2024Q2" },
                { "2024H1", "2024H1" },     { "2024QMAT02", "2024QMAT02" }, { "2024qmat4", "2024QMAT04" },
                { "2024M13", NULL },        { "2024M00", NULL },       { "2024K5", NULL },
                { "2024H3", NULL },         { "24", NULL },            { "", NULL },
                { "2024M061", NULL },       { " 2024", NULL },         { "2024U08", NULL },
                { "2024M", NULL },          { "abcd", NULL },          { "2024QMAT05", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Period p;
                char buf[PERIOD_STRING_MAX];
                int r = period_parse(rows[i].in, &p);
                if (!rows[i].want) {
                        assert_int_equal(r, -EINVAL);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_string_equal(period_to_string(p, buf), rows[i].want);
        }
}

static void test_arithmetic(void **state)
{
        static const struct {
                const char *p;
                int64_t n;
                const char *want;
        } rows[] = {
                { "2024M12", 1, "2025M01" }, { "2024M01", -1, "2023M12" }, { "2024Q4", 1, "2025Q1" },
                { "2024Q1", -5, "2022Q4" },  { "2024", 3, "2027" },        { "2024H2", 1, "2025H1" },
                { "2024M06", -18, "2022M12" },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Period p;
                char buf[PERIOD_STRING_MAX];
                assert_int_equal(period_parse(rows[i].p, &p), 0);
                assert_string_equal(period_to_string(period_add(p, rows[i].n), buf), rows[i].want);
        }
}

static void test_calendar(void **state)
{
        Period p, y, q;
        assert_int_equal(period_parse("2024M02", &p), 0);
        assert_int_equal(period_last_day(p).day, 29);
        assert_int_equal(period_parse("2024", &y), 0);
        assert_int_equal(period_parse("2024Q3", &q), 0);
        assert_true(period_contains(y, p));
        assert_true(period_contains(y, q));
        assert_false(period_contains(q, p));
        assert_true(period_compare(y, p) < 0); /* same start, longer first */
        assert_true(period_compare(p, q) < 0);

        Period qmat;
        assert_int_equal(period_parse("2024QMAT02", &qmat), 0);
        Date f = period_first_day(qmat), l = period_last_day(qmat);
        assert_int_equal(f.year, 2023);
        assert_int_equal(f.month, 7);
        assert_int_equal(l.year, 2024);
        assert_int_equal(l.month, 6);
        assert_int_equal(l.day, 30);

        Date d;
        assert_int_equal(date_parse("2024-03-31", &d), 0);
        assert_int_equal(date_weekday(d), 6); /* a Sunday */
        assert_int_equal(date_compare(date_from_days(date_to_days(d)), d), 0);
        assert_int_equal(date_to_days((Date){ 1970, 1, 1 }), 0);
        assert_int_equal(date_parse("2023-02-29", &d), -EINVAL);
        assert_int_equal(date_parse("2024-2-01", &d), -EINVAL);
        Period c = period_containing(PERIOD_QUARTER, (Date){ 2024, 5, 17 });
        char buf[PERIOD_STRING_MAX];
        assert_string_equal(period_to_string(c, buf), "2024Q2");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_roundtrip),
                cmocka_unit_test(test_arithmetic),
                cmocka_unit_test(test_calendar),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
