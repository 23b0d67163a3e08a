/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The predictive distribution of goal results (issue 17): probability of meeting the target and the
 * 80 % interval of the final value, from a rolling-origin backtest of the projection rule on the
 * series' own history (labourwatch-goals(7), PROBABILITY), for every kind. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "labourwatch/evaluate.h"
#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "series-test.h"

/* Monthly values from `first_year`-01 to 2024-`last_month`: a seasonal level around 380, a small
 * upward drift and deterministic noise of a few units. */
static Series *history_of(const char *name, int first_year, int last_month, double scale, double offset)
{
        static const double season[12] = { -8, -6, -3, 0, 3, 6, 8, 6, 3, 0, -4, -5 };
        char spec[2048];
        size_t n;
        unsigned x = 12345;

        n = (size_t) snprintf(spec, sizeof(spec), "%dM01", first_year);
        for (int y = first_year; y <= 2024; y++)
                for (int m = 1; m <= (y == 2024 ? last_month : 12); m++) {
                        x = x * 1103515245u + 12345u;
                        double noise = (double) ((x >> 16) % 7) - 3; /* -3..3 */
                        double v = 380 + season[m - 1] + 0.1 * ((y - 2019) * 12 + m) + noise;
                        n += (size_t) snprintf(spec + n, sizeof(spec) - n, " %.1f", scale * v + offset);
                }
        return mk(name, spec);
}

static Series *history(int first_year, int last_month)
{
        return history_of("fleksjob_fuldtid", first_year, last_month, 1, 0);
}

/* history() with a lasting level shift of `shift` from 2024-`from` on (a policy change). */
static Series *history_shifted(int last_month, int from, double shift)
{
        Series *s = history(2019, last_month);

        for (size_t i = 0; i < s->n_points; i++)
                if (s->points[i].period.year == 2024 && s->points[i].period.sub >= from)
                        s->points[i].value += shift;
        return s;
}

static GoalDef goal(double target)
{
        GoalDef g = {
                .id = (char *) "fleksjob", .kind = GOAL_LEVEL, .series = (char *) "fleksjob_fuldtid",
                .direction = GOAL_AT_LEAST, .aggregate = GOAL_AGGREGATE_AVERAGE, .target = target,
                .projection = PROJECTION_AUTO, .trend_window = 6, .period = { PERIOD_YEAR, 2024, 0 },
        };
        return g;
}

static void eval(const GoalDef *g, Series *s, Date now, GoalResult *r)
{
        SeriesSet *set = NULL;

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, s), 0);
        assert_int_equal(goal_evaluate(g, set, now, r), 0);
        series_set_free(set);
}

static double width(const GoalResult *r)
{
        assert_true(r->has_probability);
        assert_true(isfinite(r->projected_low) && isfinite(r->projected_high));
        assert_true(r->projected_low <= r->projected && r->projected <= r->projected_high);
        return r->projected_high - r->projected_low;
}

static void test_finished(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(300);

        eval(&g, history(2019, 12), (Date){ 2025, 3, 1 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_ACHIEVED);
        assert_true(r.has_probability);
        assert_true(r.probability == 1.0);
        assert_true(r.projected_low == r.value && r.projected_high == r.value);

        g = goal(500);
        eval(&g, history(2019, 12), (Date){ 2025, 3, 1 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_MISSED);
        assert_true(r.probability == 0.0);
        assert_true(width(&r) == 0);
        goal_result_done(&r);
}

/* No history: only this year's six months. Wider than with five years behind, and no false
 * confidence when the projection is near the target. */
static void test_no_history_is_wide(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(0);
        double w_short, w_long, p_short;

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        g = goal(r.projected + 1); /* just above the projection */
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.backtest_origins, 24); /* the last two years of origins */
        w_long = width(&r);

        g = goal(0);
        eval(&g, history(2024, 6), (Date){ 2024, 7, 15 }, &r);
        g = goal(r.projected + 1); /* just above this projection (the line's: no last year) */
        eval(&g, history(2024, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.backtest_origins <= 5); /* only origins inside this year */
        w_short = width(&r);
        p_short = r.probability;
        print_message("width 5 years %.3f, no history %.3f, p %.3f\n", w_long, w_short, p_short);
        assert_true(w_short > w_long);
        assert_true(p_short > 0.2 && p_short < 0.8);
        goal_result_done(&r);
}

static void test_interval_shrinks(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(385);
        double prev = INFINITY;

        for (int m = 2; m <= 11; m++) {
                eval(&g, history(2019, m), (Date){ 2024, m + 1, 15 }, &r);
                double w = width(&r);
                print_message("%d months observed: width %.3f p %.3f\n", m, w, r.probability);
                assert_true(w < prev);
                assert_true(r.probability > 0 && r.probability < 1);
                prev = w;
        }
        goal_result_done(&r);
}

/* A lasting shift of +30 from March: by July the projection has followed it, under the seasonal and
 * the smoothed rule alike, and a target the old level would have missed by far is likely met. */
static void test_shift_followed(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(0);
        double before;

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        before = r.projected;
        g = goal(before + 15); /* out of reach without the shift */
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.probability < 0.05);
        for (int k = 0; k < 2; k++) {
                g.status_from = k ? GOAL_STATUS_FROM_PROBABILITY : GOAL_STATUS_FROM_PROJECTION;
                eval(&g, history_shifted(6, 3, 30), (Date){ 2024, 7, 15 }, &r);
                print_message("%s: projected %.1f (before the shift %.1f), p %.3f [%.1f, %.1f]\n",
                              projection_method_to_string(r.projection), r.projected, before, r.probability,
                              r.projected_low, r.projected_high);
                assert_int_equal(r.projection, k ? PROJECTION_SMOOTHED : PROJECTION_SEASONAL);
                /* six months at +30 and six projected: the average is up by well over 15 */
                assert_true(r.projected > before + 20);
                assert_true(r.probability > 0.8);
        }
        goal_result_done(&r);
}

/* The smoothed rule is auto's choice only for a status from the probability, and needs the
 * seasonal profile: with this year alone auto falls back to the line. */
static void test_smoothed_choice(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(385);

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.projection, PROJECTION_SEASONAL);
        g.status_from = GOAL_STATUS_FROM_PROBABILITY;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.projection, PROJECTION_SMOOTHED);
        eval(&g, history(2024, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.projection, PROJECTION_LINEAR);
        g.status_from = GOAL_STATUS_FROM_PROJECTION;
        g.projection = PROJECTION_SMOOTHED;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.projection, PROJECTION_SMOOTHED);
        goal_result_done(&r);
}

static void test_far_above(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(340);

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_ON_TRACK);
        assert_true(r.probability > 0.99);
        /* the same goal read as "at most 340" is all but lost */
        g.direction = GOAL_AT_MOST;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.probability < 0.01);
        goal_result_done(&r);
}

/* Cumulative goals use the same mechanism (sums); a change against a baseline that is fact has the
 * level's spread, in the change's unit; rank goals have none yet while open. */
static void test_other_kinds(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(4600);
        double w_level;

        g.kind = GOAL_CUMULATIVE;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.has_probability);
        assert_true(r.probability > 0 && r.probability < 1);
        assert_true(width(&r) > 0);

        g = goal(385);
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        w_level = width(&r);

        g = goal(1);
        g.kind = GOAL_CHANGE;
        g.change_unit = CHANGE_ABSOLUTE;
        g.baseline = (Period){ PERIOD_YEAR, 2023, 0 };
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.probability > 0 && r.probability < 1);
        assert_true(fabs(width(&r) - w_level) < 1e-9);

        g.change_unit = CHANGE_PERCENT;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        /* the level's width over |baseline| / 100, the baseline near 380: about a quarter */
        assert_true(width(&r) > 0 && width(&r) < w_level);

        /* a rank: never better than first */
        g = goal(1);
        g.kind = GOAL_RANK;
        g.direction = GOAL_AT_MOST;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_true(r.has_projected);
        assert_true(r.probability >= 0.001 && r.probability < 0.5);
        assert_true(r.projected_low >= 1);

        /* a share: numerator and denominator both uncertain, the interval inside 0..100 % */
        SeriesSet *set = NULL;
        g = goal(60);
        g.kind = GOAL_SHARE;
        g.series = NULL;
        g.numerator = (char *) "num";
        g.denominator = (char *) "den";
        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, history_of("num", 2019, 6, 1, 0)), 0);
        assert_int_equal(series_set_add(set, history_of("den", 2019, 6, 1, 200)), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        print_message("share %.2f %% [%.2f, %.2f] p %.3f\n", r.projected, r.projected_low, r.projected_high,
                      r.probability);
        assert_true(r.projected > 60 && r.projected < 70);
        assert_true(width(&r) > 0 && r.projected_low >= 0 && r.projected_high <= 100);
        assert_true(r.probability > 0.5 && r.probability < 1);
        g.target = r.projected + 0.5 * (r.projected_high - r.projected);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_true(r.probability > 0.001 && r.probability < 0.5);
        series_set_free(set);

        /* a reference goal: the own change minus the country's, both projected and uncertain */
        g = goal(0);
        g.kind = GOAL_REFERENCE;
        g.reference = (char *) "land";
        g.direction = GOAL_AT_MOST;
        g.change_unit = CHANGE_PERCENT;
        g.baseline = (Period){ PERIOD_YEAR, 2023, 0 };
        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, history(2019, 6)), 0);
        assert_int_equal(series_set_add(set, history_of("land", 2019, 6, 150, 1000)), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        print_message("reference %.3f points [%.3f, %.3f] p %.3f\n", r.projected, r.projected_low, r.projected_high,
                      r.probability);
        assert_true(r.has_probability);
        assert_true(width(&r) > 0);
        assert_true(r.probability > 0.001 && r.probability < 0.999);
        series_set_free(set);
        goal_result_done(&r);
}

/* The result JSON (labourwatch eval --json) carries the three fields, and omits them when unset. */
static void test_json(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(385);
        json_t *j;

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        j = goal_result_to_json(&r);
        assert_non_null(j);
        assert_true(fabs(json_real_value(json_object_get(j, "probability")) - r.probability) < 1e-12);
        assert_true(fabs(json_real_value(json_object_get(j, "projected_low")) - r.projected_low) < 1e-12);
        assert_true(fabs(json_real_value(json_object_get(j, "projected_high")) - r.projected_high) < 1e-12);
        json_decref(j);

        /* a change against a baseline that is not all in (from June 2023): no distribution */
        g = goal(0);
        g.kind = GOAL_CHANGE;
        g.baseline = (Period){ PERIOD_YEAR, 2023, 0 };
        Series *s = history(2019, 6);
        while (s->n_points > 0 && (s->points[0].period.year < 2023 ||
                                   (s->points[0].period.year == 2023 && s->points[0].period.sub < 6))) {
                memmove(s->points, s->points + 1, (s->n_points - 1) * sizeof *s->points);
                s->n_points--;
        }
        eval(&g, s, (Date){ 2024, 7, 15 }, &r);
        assert_true(r.has_projected);
        assert_false(r.has_probability);
        j = goal_result_to_json(&r);
        assert_non_null(j);
        assert_null(json_object_get(j, "probability"));
        assert_null(json_object_get(j, "projected_low"));
        assert_null(json_object_get(j, "projected_high"));
        json_decref(j);
        goal_result_done(&r);
}

/* status_from: probability judges an open goal by the probability (default thresholds 0.8, 0.2). */
static void test_status_from_probability(void **state)
{
        GoalResult r = {};
        GoalDef g = goal(0);

        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        g = goal(r.projected - 0.5); /* just below the projection: on track by the point projection */
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_ON_TRACK);
        assert_true(r.probability > 0.5 && r.probability < 0.8);
        g.status_from = GOAL_STATUS_FROM_PROBABILITY;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_AT_RISK);
        g.probability_at_risk = 0.5;
        g.probability_off_track = 0.1;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_ON_TRACK);
        g.target = 340;
        g.direction = GOAL_AT_MOST;
        eval(&g, history(2019, 6), (Date){ 2024, 7, 15 }, &r);
        assert_int_equal(r.status, GOAL_STATUS_OFF_TRACK);
        goal_result_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_finished),
                cmocka_unit_test(test_no_history_is_wide),
                cmocka_unit_test(test_interval_shrinks),
                cmocka_unit_test(test_far_above),
                cmocka_unit_test(test_other_kinds),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_status_from_probability),
                cmocka_unit_test(test_shift_followed),
                cmocka_unit_test(test_smoothed_choice),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
