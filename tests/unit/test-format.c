/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/format.h"
#include "labourwatch/macro.h"

static void test_numbers(void **state)
{
        static const struct {
                double v;
                int decimals;
                const char *da, *en;
        } rows[] = {
                { 1234.5, 1, "1.234,5", "1,234.5" },
                { 0, 0, "0", "0" },
                { -0.04, 1, "0,0", "0.0" }, /* rounds to zero: no minus */
                { -3, 0, "-3", "-3" },
                { 999.95, 1, "1.000,0", "1,000.0" },
                { 1234567.891, 2, "1.234.567,89", "1,234,567.89" },
                { 0.5, 0, "1", "1" }, /* half away from zero */
                { -2.5, 0, "-3", "-3" },
                { 0.05, 2, "0,05", "0.05" },
                { 100, 0, "100", "100" },
                { 1000, 0, "1.000", "1,000" },
                { NAN, 1, "–", "–" },
                { INFINITY, 1, "–", "–" },
        };
        char buf[FORMAT_NUMBER_MAX];
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                assert_string_equal(format_number(rows[i].v, rows[i].decimals, LANGUAGE_DA, buf, sizeof(buf)), rows[i].da);
                assert_string_equal(format_number(rows[i].v, rows[i].decimals, LANGUAGE_EN, buf, sizeof(buf)), rows[i].en);
        }
        assert_string_equal(format_signed(1, 0, LANGUAGE_DA, buf, sizeof(buf)), "+1");
        assert_string_equal(format_signed(-3, 0, LANGUAGE_EN, buf, sizeof(buf)), "-3");
        assert_string_equal(format_signed(0.01, 1, LANGUAGE_EN, buf, sizeof(buf)), "0.0");
        assert_string_equal(format_value(381.24, LANGUAGE_DA, buf, sizeof(buf)), "381,2");
        assert_string_equal(format_value(380.01, LANGUAGE_DA, buf, sizeof(buf)), "380");
        assert_string_equal(format_value(1380, LANGUAGE_DA, buf, sizeof(buf)), "1.380");
        assert_string_equal(format_value_signed(-4.28, LANGUAGE_EN, buf, sizeof(buf)), "-4.3");
        /* truncation is safe */
        char small[4];
        assert_string_equal(format_number(1234567, 0, LANGUAGE_DA, small, sizeof(small)), "1.2");
}

static void test_periods(void **state)
{
        static const struct {
                const char *code, *da, *en;
        } rows[] = {
                { "2024M06", "juni 2024", "June 2024" },
                { "2024M01", "januar 2024", "January 2024" },
                { "2024M12", "december 2024", "December 2024" },
                { "2024Q2", "2. kvt. 2024", "Q2 2024" },
                { "2024H1", "1. halvår 2024", "H1 2024" },
                { "2024", "2024", "2024" },
                { "2024QMAT02", "12 mdr. til og med 2. kvt. 2024", "12 months to Q2 2024" },
        };
        char buf[FORMAT_PERIOD_MAX];
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Period p;
                assert_int_equal(period_parse(rows[i].code, &p), 0);
                assert_string_equal(format_period(p, LANGUAGE_DA, buf, sizeof(buf)), rows[i].da);
                assert_string_equal(format_period(p, LANGUAGE_EN, buf, sizeof(buf)), rows[i].en);
        }
        assert_string_equal(format_period((Period){ PERIOD_MONTH, 2024, 13 }, LANGUAGE_DA, buf, sizeof(buf)), "?");
        assert_string_equal(format_date((Date){ 2024, 7, 15 }, LANGUAGE_DA, buf, sizeof(buf)), "15. juli 2024");
        assert_string_equal(format_date((Date){ 2024, 7, 15 }, LANGUAGE_EN, buf, sizeof(buf)), "15 July 2024");
        assert_string_equal(format_freq_unit(PERIOD_QUARTER, LANGUAGE_DA), "kvartal");
}

static void test_short_and_ranges(void **state)
{
        static const struct {
                const char *a, *b, *da, *en;
        } rows[] = {
                /* a NULL: format_period_short(b) */
                { NULL, "2024M06", "jun. 2024", "Jun 2024" },
                { NULL, "2024M05", "maj 2024", "May 2024" },
                { NULL, "2024Q2", "2. kvt. 2024", "Q2 2024" },
                { NULL, "2024H1", "1. halvår 2024", "H1 2024" },
                { NULL, "2024", "2024", "2024" },
                { NULL, "2024QMAT02", "12 mdr. t.o.m. 2. kvt. 2024", "12 mo. to Q2 2024" },
                { "2024M01", "2024M06", "januar–juni 2024", "January–June 2024" },
                { "2023M12", "2024M01", "december 2023–januar 2024", "December 2023–January 2024" },
                { "2024Q1", "2024Q2", "1.–2. kvt. 2024", "Q1–Q2 2024" },
                { "2024H1", "2024H2", "1.–2. halvår 2024", "H1–H2 2024" },
                { "2023Q4", "2024Q1", "4. kvt. 2023–1. kvt. 2024", "Q4 2023–Q1 2024" },
                { "2023", "2024", "2023–2024", "2023–2024" },
                { "2024M06", "2024M06", "juni 2024", "June 2024" },
                { "2024QMAT01", "2024QMAT02", "12 mdr. til og med 2. kvt. 2024", "12 months to Q2 2024" },
        };
        char buf[FORMAT_PERIOD_MAX];
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Period a = {}, b;
                assert_int_equal(period_parse(rows[i].b, &b), 0);
                if (rows[i].a)
                        assert_int_equal(period_parse(rows[i].a, &a), 0);
                for (int l = 0; l < _LANGUAGE_MAX; l++) {
                        const char *want = l == LANGUAGE_DA ? rows[i].da : rows[i].en;
                        if (rows[i].a)
                                format_period_range(a, b, l, buf, sizeof(buf));
                        else
                                format_period_short(b, l, buf, sizeof(buf));
                        assert_string_equal(buf, want);
                }
        }

        char n[FORMAT_NUMBER_MAX];
        assert_string_equal(format_minus(format_value(-4.28, LANGUAGE_DA, n, sizeof(n)), sizeof(n)), "−4,3");
        assert_string_equal(format_minus(format_value(4.28, LANGUAGE_DA, n, sizeof(n)), sizeof(n)), "4,3");
        char tiny[4] = "-1";
        assert_string_equal(format_minus(tiny, sizeof(tiny)), "-1"); /* does not fit: unchanged */
}

static void test_language(void **state)
{
        assert_int_equal(language_from_string("da"), LANGUAGE_DA);
        assert_int_equal(language_from_string("en_GB.UTF-8"), LANGUAGE_EN);
        assert_int_equal(language_from_string("EN"), LANGUAGE_EN);
        assert_int_equal(language_from_string("de"), _LANGUAGE_INVALID);
        assert_int_equal(language_from_string("dansk"), _LANGUAGE_INVALID);
        assert_int_equal(language_from_string(NULL), _LANGUAGE_INVALID);
        assert_string_equal(language_to_string(LANGUAGE_EN), "en");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_periods),
                cmocka_unit_test(test_short_and_ranges),
                cmocka_unit_test(test_language),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
