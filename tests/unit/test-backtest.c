/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "labourwatch/backtest.h"
#include "labourwatch/macro.h"

static void test_shift_goal(void **state)
{
        static const struct {
                GoalKind kind;
                int years;
                int want_year, want_baseline; /* want_year 0: -ERANGE */
        } rows[] = {
                { GOAL_LEVEL, 1, 2023, 2019 },     { GOAL_CHANGE, 1, 2023, 2018 },
                { GOAL_REFERENCE, 3, 2021, 2016 }, { GOAL_SHARE, 2, 2022, 2019 },
                { GOAL_RANK, 124, 1900, 2019 },    { GOAL_LEVEL, 125, 0, 0 },
                { GOAL_CHANGE, 120, 0, 0 }, /* the baseline would be 1899 */
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                GoalDef g = { .id = (char *) "g",
                              .kind = rows[i].kind,
                              .period = { PERIOD_YEAR, 2024, 0 },
                              .baseline = { PERIOD_YEAR, 2019, 0 },
                              .target = 380 };
                GoalDef s = {};
                int r = backtest_shift_goal(&g, rows[i].years, &s);

                if (rows[i].want_year == 0) {
                        assert_int_equal(r, -ERANGE);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_int_equal(s.period.year, rows[i].want_year);
                assert_int_equal(s.period.freq, PERIOD_YEAR);
                assert_int_equal(s.baseline.year, rows[i].want_baseline);
                assert_ptr_equal(s.id, g.id);
                assert_true(s.target == 380);
        }
}

static void test_months_and_dates(void **state)
{
        static const struct {
                Period p;
                int months, mid, m;
                Date want;
        } rows[] = {
                { { PERIOD_YEAR, 2024, 0 }, 12, 6, 1, { 2024, 2, 1 } },
                { { PERIOD_YEAR, 2024, 0 }, 12, 6, 11, { 2024, 12, 1 } },
                { { PERIOD_YEAR, 2024, 0 }, 12, 6, 12, { 2025, 1, 1 } },
                { { PERIOD_HALF, 2024, 2 }, 6, 3, 1, { 2024, 8, 1 } },
                { { PERIOD_QUARTER, 2023, 4 }, 3, 1, 2, { 2023, 12, 1 } },
                { { PERIOD_MONTH, 2023, 5 }, 1, 0, 1, { 2023, 6, 1 } },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Date d = backtest_eval_date(rows[i].p, rows[i].m);
                assert_int_equal(backtest_period_months(rows[i].p), rows[i].months);
                assert_int_equal(backtest_mid_month(rows[i].p), rows[i].mid);
                assert_int_equal(date_compare(d, rows[i].want), 0);
        }
}

static void test_band(void **state)
{
        static const struct {
                double p;
                int want;
        } rows[] = {
                { 0, 0 },    { 0.05, 0 }, { 0.0999, 0 }, { 0.1, 1 },
                { 0.55, 5 }, { 0.95, 9 }, { 1, 9 },      { NAN, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(backtest_band(rows[i].p), rows[i].want);
}

/* A period of a year from a string of statuses after months 1..11: o on_track, r at_risk,
 * x off_track, - no_data. */
static BacktestPeriod period_of(const char *statuses, bool met, double prob)
{
        BacktestPeriod p = { .years_back = 1,
                             .period = { PERIOD_YEAR, 2023, 0 },
                             .has_outcome = true,
                             .met = met,
                             .final_value = 100,
                             .n_months = 12 };

        for (const char *c = statuses; *c; c++) {
                BacktestEval *e = &p.evals[p.n_evals];
                e->month = p.n_evals + 1;
                e->date = backtest_eval_date(p.period, e->month);
                e->status = *c == 'o'   ? GOAL_STATUS_ON_TRACK
                            : *c == 'r' ? GOAL_STATUS_AT_RISK
                            : *c == 'x' ? GOAL_STATUS_OFF_TRACK
                                        : GOAL_STATUS_NO_DATA;
                e->has_probability = *c != '-';
                e->probability = prob;
                e->low = 90;
                e->high = 100 + p.n_evals; /* every interval holds 100 */
                e->revision_aware = true;
                p.n_evals++;
        }
        return p;
}

static void test_period_figures(void **state)
{
        static const struct {
                const char *statuses;
                bool ever, twice;
                int stable, mid;
        } rows[] = {
                { "ooooooooooo", false, false, 0, 0 }, { "ooxoxoxoooo", true, false, 0, 0 },
                { "ooxxooooooo", true, true, 0, 0 },   { "oooooxxxxxx", true, true, 6, 1 },
                { "xxxxxxxxxxx", true, true, 1, 1 },   { "oooooooooox", true, false, 11, 0 },
                { "-----", false, false, 0, -1 }, /* nothing after June */
                { "x-x", true, false, 3, -1 },    /* no_data between: not two in a row */
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                BacktestPeriod p = period_of(rows[i].statuses, false, 0.5);
                assert_int_equal(backtest_ever_off_track(&p), rows[i].ever);
                assert_int_equal(backtest_off_track_twice(&p), rows[i].twice);
                assert_int_equal(backtest_stable_off_track(&p), rows[i].stable);
                assert_int_equal(backtest_off_track_at_mid(&p), rows[i].mid);
        }
}

static void test_score(void **state)
{
        BacktestScore s = {}, total = {};
        BacktestPeriod met = period_of("oorxxoooooo", true, 0.75);     /* 11 scored, Brier 0.0625 each */
        BacktestPeriod missed = period_of("--oooxxxxxx", false, 0.25); /* 9 scored, 0.0625 each */
        BacktestPeriod caught = period_of("oxxxxxxxxxx", false, 0.05); /* 11, lead 10 */
        BacktestPeriod none = { .has_outcome = false };

        missed.final_value = 120; /* outside every interval */
        missed.evals[2].revision_aware = false;
        assert_int_equal(backtest_score_add(&s, &met), 0);
        assert_int_equal(backtest_score_add(&s, &missed), 0);
        assert_int_equal(backtest_score_add(&s, &none), 0);

        assert_int_equal(s.periods, 2);
        assert_int_equal(s.met, 1);
        assert_int_equal(s.missed, 1);
        assert_int_equal(s.skipped, 1);
        assert_int_equal(s.evaluations, 20);
        assert_int_equal(s.with_probability, 20);
        assert_int_equal(s.not_revision_aware, 1);
        assert_int_equal(s.covered, 11);
        assert_float_equal(backtest_score_coverage(&s), 11.0 / 20, 1e-12);
        assert_float_equal(backtest_score_brier(&s), 0.0625, 1e-12);
        assert_int_equal(s.bands[7].n, 11);
        assert_int_equal(s.bands[7].achieved, 11);
        assert_float_equal(s.bands[7].sum_predicted, 11 * 0.75, 1e-12);
        assert_int_equal(s.bands[2].n, 9);
        assert_int_equal(s.bands[2].achieved, 0);
        assert_int_equal(s.met_ever_off_track, 1);
        assert_int_equal(s.met_off_track_twice, 1);
        assert_int_equal(s.missed_with_mid, 1);
        assert_int_equal(s.missed_caught, 1);                         /* off_track after June */
        assert_float_equal(backtest_score_median_lead(&s), 6, 1e-12); /* 12 - 6 */

        assert_int_equal(backtest_score_add(&total, &caught), 0);
        assert_int_equal(backtest_score_merge(&total, &s), 0);
        assert_int_equal(total.periods, 3);
        assert_int_equal(total.missed, 2);
        assert_int_equal(total.missed_caught, 2);
        assert_int_equal(total.evaluations, 31);
        assert_int_equal(total.bands[0].n, 11);
        assert_float_equal(backtest_score_median_lead(&total), 8, 1e-12); /* (6 + 10) / 2 */

        backtest_score_done(&s);
        backtest_score_done(&total);
        assert_true(isnan(backtest_score_brier(&s)));
        assert_true(isnan(backtest_score_coverage(&s)));
        assert_true(isnan(backtest_score_median_lead(&s)));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shift_goal), cmocka_unit_test(test_months_and_dates),
                cmocka_unit_test(test_band),       cmocka_unit_test(test_period_figures),
                cmocka_unit_test(test_score),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
