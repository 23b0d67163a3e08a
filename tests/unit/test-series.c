/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/series.h"

static Period P(const char *s)
{
        Period p;
        assert_int_equal(period_parse(s, &p), 0);
        return p;
}

/* Points arrive in any order (Jobindsats rows are unsorted); the series keeps them sorted and
 * unique, a repeated period replacing the earlier value. */
static void test_put_orders_and_replaces(void **state)
{
        static const struct {
                const char *period;
                double value;
                bool missing;
        } in[] = {
                { "2024M03", 3, false }, { "2024M01", 1, false }, { "2024M02", 2, false },
                { "2023M12", 0, false }, { "2024M02", 22, false }, { "2024M04", 0, true },
        };
        static const struct {
                const char *period;
                double value;
        } want[] = { { "2023M12", 0 }, { "2024M01", 1 }, { "2024M02", 22 }, { "2024M03", 3 }, { "2024M04", 0 } };
        Series *s = NULL;

        assert_int_equal(series_new("x", &s), 0);
        assert_int_equal(s->freq, _PERIOD_FREQ_INVALID);
        for (size_t i = 0; i < ELEMENTSOF(in); i++)
                assert_int_equal(series_put(s, (SeriesPoint){ P(in[i].period), in[i].value, in[i].missing }), 0);
        assert_int_equal(s->freq, PERIOD_MONTH);
        assert_int_equal(s->n_points, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                char buf[PERIOD_STRING_MAX];
                assert_string_equal(period_to_string(s->points[i].period, buf), want[i].period);
                assert_true(s->points[i].value == want[i].value);
        }
        /* get by period; latest skips the missing cell */
        assert_non_null(series_get(s, P("2024M02")));
        assert_true(series_get(s, P("2024M02"))->value == 22);
        assert_null(series_get(s, P("2022M01")));
        assert_null(series_get(s, P("2024Q1"))); /* another frequency */
        assert_true(period_equal(series_latest(s)->period, P("2024M03")));

        /* one frequency per series; invalid periods refused */
        assert_int_equal(series_put(s, (SeriesPoint){ P("2024Q1"), 1, false }), -EINVAL);
        assert_int_equal(series_put(s, (SeriesPoint){ { PERIOD_MONTH, 2024, 13 }, 1, false }), -EINVAL);
        assert_int_equal(s->n_points, ELEMENTSOF(want));

        series_clear(s);
        assert_int_equal(s->n_points, 0);
        assert_null(series_latest(s));
        assert_int_equal(series_put(s, (SeriesPoint){ P("2024Q1"), 1, false }), 0); /* empty again */
        assert_null(series_free(s));
        assert_null(series_free(NULL));
}

static void test_set(void **state)
{
        SeriesSet *set = NULL;
        Series *a = NULL, *b = NULL, *a2 = NULL;

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_new("a", &a), 0);
        assert_int_equal(series_new("b", &b), 0);
        assert_int_equal(series_new("a", &a2), 0);
        assert_int_equal(series_put(a2, (SeriesPoint){ P("2024"), 7, false }), 0);
        assert_int_equal(series_set_add(set, a), 0);
        assert_int_equal(series_set_add(set, b), 0);
        assert_int_equal(series_set_add(set, a2), 0); /* replaces (and frees) the first "a" */
        assert_int_equal(set->n_items, 2);
        assert_ptr_equal(series_set_find(set, "a"), a2);
        assert_ptr_equal(series_set_find(set, "b"), b);
        assert_null(series_set_find(set, "c"));
        assert_null(series_set_find(NULL, "a"));
        assert_null(series_set_free(set));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_put_orders_and_replaces),
                cmocka_unit_test(test_set),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
