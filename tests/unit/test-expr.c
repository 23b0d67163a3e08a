/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/expr.h"
#include "labourwatch/macro.h"

static void test_eval(void **state)
{
        /* vars are bound in order of first appearance: a=2, b=8, c=0 */
        static const double vars[] = { 2, 8, 0 };
        static const struct {
                const char *in;
                bool ok;
                double want;
        } rows[] = {
                { "1 + 2 * 3", true, 7 },        { "(1 + 2) * 3", true, 9 },     { "10 - 4 - 3", true, 3 },
                { "8 / 4 / 2", true, 1 },        { "-a", true, -2 },             { "- -a", true, 2 },
                { "+a * -b", true, -16 },        { "100 * a / b", true, 25 },    { "a+b", true, 10 },
                { "1.5e2", true, 150 },          { ".5 * a", true, 1 },          { "a / (b - b)", false, 0 },
                { "a / c", false, 0 },           { "c / a", true, 0 },           { "-(c)", true, 0 },
                { "1e308 * 1e308", false, 0 },   { "a * b * c", true, 0 },       { " \t a \n", true, 2 },
                { "a + b + c + a + b + c + a + b + c + a + b + c + a + b + c + a + b + c + a + b + c + a + b + "
                  "c + a + b + c + a + b + c + a + b + c + a + b + c",
                  true, 120 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Expr *e = NULL;
                ExprError err = {};
                double v = -1;
                /* c and b may not appear: bind by name */
                assert_int_equal(expr_parse(rows[i].in, &e, &err), 0);
                double bound[8];
                for (size_t k = 0; k < expr_n_vars(e); k++) {
                        const char *n = expr_var(e, k);
                        bound[k] = streq(n, "a") ? vars[0] : streq(n, "b") ? vars[1] : vars[2];
                }
                bool ok = expr_eval(e, bound, &v);
                if (ok != rows[i].ok)
                        fail_msg("%s: want %s", rows[i].in, rows[i].ok ? "a value" : "no value");
                if (ok) {
                        assert_true(isfinite(v));
                        assert_true(!signbit(v) || v != 0); /* no -0 */
                        if (fabs(v - rows[i].want) > 1e-9)
                                fail_msg("%s: want %g got %g", rows[i].in, rows[i].want, v);
                }
                expr_free(e);
        }
}

static void test_errors(void **state)
{
        static const struct {
                const char *in;
                size_t offset;
                const char *msg; /* substring */
        } rows[] = {
                { "", 0, "unexpected end" },
                { "a +", 3, "unexpected end" },
                { "100 * matched / ", 16, "unexpected end" },
                { "(a + b", 6, "expected ')'" },
                { "a + b)", 5, "unmatched ')'" },
                { "a b", 2, "expected an operator" },
                { "a $ b", 2, "expected an operator" },
                { "1.", 2, "digit after the decimal point" },
                { "2e", 2, "exponent" },
                { "12abc", 2, "after a number" },
                { "a * / b", 4, "unexpected '/'" },
                { "a\x01", 1, "expected an operator" },
                { "\xc3\xa6", 0, "unexpected byte 0xc3" },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Expr *e = NULL;
                ExprError err = {};
                assert_int_equal(expr_parse(rows[i].in, &e, &err), -EINVAL);
                assert_null(e);
                if (err.offset != rows[i].offset || !strstr(err.message, rows[i].msg))
                        fail_msg("'%s': want offset %zu '%s', got %zu '%s'", rows[i].in, rows[i].offset, rows[i].msg,
                                 err.offset, err.message);
        }

        /* nesting is bounded, not the stack */
        char deep[400];
        memset(deep, '(', 200);
        deep[200] = 'a';
        memset(deep + 201, ')', 198);
        deep[399] = 0;
        Expr *e = NULL;
        ExprError err = {};
        assert_int_equal(expr_parse(deep, &e, &err), -EINVAL);
        assert_non_null(strstr(err.message, "nested too deeply"));
        memset(deep, '-', 399);
        assert_int_equal(expr_parse(deep, &e, &err), -EINVAL);
}

static void test_vars(void **state)
{
        Expr *e = NULL;

        assert_int_equal(expr_parse("100 * matched / orders + matched", &e, NULL), 0);
        assert_int_equal(expr_n_vars(e), 2);
        assert_string_equal(expr_var(e, 0), "matched");
        assert_string_equal(expr_var(e, 1), "orders");
        assert_int_equal(expr_var_offset(e, 1), 16);
        assert_null(expr_var(e, 2));
        expr_free(e);
}

static Series *mk(const char *name, const char *first, const double *v, size_t n)
{
        Series *s = NULL;
        Period p;
        assert_int_equal(series_new(name, &s), 0);
        assert_int_equal(period_parse(first, &p), 0);
        for (size_t i = 0; i < n; i++, p = period_add(p, 1))
                if (!isinf(v[i]))
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = p, .value = isnan(v[i]) ? 0 : v[i],
                                                                      .missing = isnan(v[i]) }),
                                         0);
        return s;
}

static void test_derive(void **state)
{
        SeriesSet *set = NULL;
        Series *out = NULL;
        char *error = NULL;
        char buf[PERIOD_STRING_MAX];
        /* INFINITY: absent period; NAN: missing cell */
        const double matched[] = { 5, 6, NAN, 8, INFINITY, 10 };
        const double orders[] = { 10, 0, 10, 10, 10 };
        SeriesDef def = { .name = (char *) "match_pct", .expr = (char *) "100 * matched / orders",
                          .expr_pos = { .file = "/etc/labourwatch/labourwatch.yaml", .line = 40, .column = 11 } };

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, mk("matched", "2024M01", matched, ELEMENTSOF(matched))), 0);
        assert_int_equal(series_set_add(set, mk("orders", "2024M01", orders, ELEMENTSOF(orders))), 0);
        assert_int_equal(series_derive(&def, set, &out, &error), 0);
        assert_string_equal(out->name, "match_pct");
        assert_int_equal(out->n_points, 6);
        assert_false(out->points[0].missing);
        assert_true(fabs(out->points[0].value - 50) < 1e-9);
        assert_true(out->points[1].missing); /* division by zero */
        assert_true(out->points[2].missing); /* missing input */
        assert_false(out->points[3].missing);
        assert_true(fabs(out->points[3].value - 80) < 1e-9);
        assert_true(out->points[4].missing); /* matched absent */
        assert_true(out->points[5].missing); /* orders absent */
        assert_string_equal(period_to_string(out->points[5].period, buf), "2024M06");
        for (size_t i = 0; i < out->n_points; i++)
                assert_true(isfinite(out->points[i].value));
        series_free(out);

        /* FILE:LINE:COL with COL = expr_pos.column + offset */
        def.expr = (char *) "100 * matched / ordres";
        assert_int_equal(series_derive(&def, set, &out, &error), -EINVAL);
        assert_string_equal(error, "/etc/labourwatch/labourwatch.yaml:40:27: series 'match_pct': unknown series 'ordres'");
        free(error);

        def.expr = (char *) "100 * (matched / orders";
        assert_int_equal(series_derive(&def, set, &out, &error), -EINVAL);
        assert_string_equal(error, "/etc/labourwatch/labourwatch.yaml:40:34: series 'match_pct': expected ')'");
        free(error);

        def.expr = (char *) "42";
        assert_int_equal(series_derive(&def, set, &out, &error), -EINVAL);
        assert_non_null(strstr(error, "refers to no series"));
        free(error);

        const double q[] = { 1, 2 };
        assert_int_equal(series_set_add(set, mk("quarterly", "2024Q1", q, 2)), 0);
        def.expr = (char *) "matched + quarterly";
        assert_int_equal(series_derive(&def, set, &out, &error), -EINVAL);
        assert_non_null(strstr(error, ":40:21: "));
        assert_non_null(strstr(error, "quarter"));
        free(error);

        /* a constant on top of a series, and a series with holes far apart */
        const double sparse[] = { 1, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, 4 };
        assert_int_equal(series_set_add(set, mk("sparse", "2000M01", sparse, ELEMENTSOF(sparse))), 0);
        def.expr = (char *) "sparse * 2 - 1";
        assert_int_equal(series_derive(&def, set, &out, &error), 0);
        assert_int_equal(out->n_points, 2);
        assert_true(fabs(out->points[1].value - 7) < 1e-9);
        series_free(out);

        series_set_free(set);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_eval),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_vars),
                cmocka_unit_test(test_derive),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
