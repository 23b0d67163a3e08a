/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scoring the goal engine's warnings on earlier periods (backtest.h). Pure. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/backtest.h"
#include "labourwatch/macro.h"

static bool shift_period(Period *p, int years)
{
        if (p->year - years < 1900 || p->year - years > 9999)
                return false;
        p->year -= years;
        return true;
}

int backtest_shift_goal(const GoalDef *g, int years, GoalDef *ret)
{
        GoalDef s = *g;

        assert(g && ret);
        if (!shift_period(&s.period, years))
                return -ERANGE;
        /* a change or reference goal compares with its baseline: "lower than the year before"
         * moved back stays "lower than the year before" */
        if ((g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE) && !shift_period(&s.baseline, years))
                return -ERANGE;
        *ret = s;
        return 0;
}

int backtest_period_months(Period p)
{
        Date f = period_first_day(p), l = period_last_day(p);
        return (l.year - f.year) * 12 + l.month - f.month + 1;
}

Date backtest_eval_date(Period p, int m)
{
        Date f = period_first_day(p);
        int i = f.year * 12 + (f.month - 1) + m;

        return (Date){ i / 12, i % 12 + 1, 1 };
}

int backtest_mid_month(Period p)
{
        return backtest_period_months(p) / 2;
}

int backtest_band(double p)
{
        if (!(p > 0))
                return 0;
        return MIN(BACKTEST_BANDS - 1, (int) (p * BACKTEST_BANDS));
}

bool backtest_eval_scored(const BacktestEval *e)
{
        return e->status == GOAL_STATUS_ON_TRACK || e->status == GOAL_STATUS_AT_RISK ||
               e->status == GOAL_STATUS_OFF_TRACK;
}

bool backtest_eval_covers(const BacktestEval *e, double final_value)
{
        double slack = 1e-9 * MAX(1.0, fabs(final_value));

        return e->has_probability && final_value >= e->low - slack && final_value <= e->high + slack;
}

int backtest_stable_off_track(const BacktestPeriod *p)
{
        int first = 0;

        for (int i = p->n_evals - 1; i >= 0 && p->evals[i].status == GOAL_STATUS_OFF_TRACK; i--)
                first = p->evals[i].month;
        return first;
}

bool backtest_ever_off_track(const BacktestPeriod *p)
{
        for (int i = 0; i < p->n_evals; i++)
                if (p->evals[i].status == GOAL_STATUS_OFF_TRACK)
                        return true;
        return false;
}

bool backtest_off_track_twice(const BacktestPeriod *p)
{
        for (int i = 1; i < p->n_evals; i++)
                if (p->evals[i].status == GOAL_STATUS_OFF_TRACK &&
                    p->evals[i - 1].status == GOAL_STATUS_OFF_TRACK &&
                    p->evals[i].month == p->evals[i - 1].month + 1)
                        return true;
        return false;
}

int backtest_off_track_at_mid(const BacktestPeriod *p)
{
        int mid = backtest_mid_month(p->period);

        for (int i = 0; i < p->n_evals; i++)
                if (p->evals[i].month == mid)
                        return p->evals[i].status == GOAL_STATUS_OFF_TRACK;
        return -1;
}

static int add_lead(BacktestScore *s, int lead)
{
        if (GREEDY_REALLOC(s->leads, s->n_leads_alloc, s->n_leads + 1) < 0)
                return -ENOMEM;
        s->leads[s->n_leads++] = lead;
        return 0;
}

int backtest_score_add(BacktestScore *s, const BacktestPeriod *p)
{
        double o;

        if (!p->has_outcome) {
                s->skipped++;
                return 0;
        }
        s->periods++;
        o = p->met ? 1.0 : 0.0;
        for (int i = 0; i < p->n_evals; i++) {
                const BacktestEval *e = &p->evals[i];
                BacktestBand *b;

                if (!backtest_eval_scored(e))
                        continue;
                s->evaluations++;
                s->not_revision_aware += !e->revision_aware;
                if (!e->has_probability)
                        continue;
                s->with_probability++;
                s->covered += backtest_eval_covers(e, p->final_value);
                s->brier_sum += (e->probability - o) * (e->probability - o);
                b = &s->bands[backtest_band(e->probability)];
                b->n++;
                b->sum_predicted += e->probability;
                b->achieved += p->met;
        }
        if (p->met) {
                s->met++;
                s->met_ever_off_track += backtest_ever_off_track(p);
                s->met_off_track_twice += backtest_off_track_twice(p);
                return 0;
        }

        int stable = backtest_stable_off_track(p), mid = backtest_off_track_at_mid(p);

        s->missed++;
        if (mid >= 0) {
                s->missed_with_mid++;
                s->missed_caught += mid;
        }
        return add_lead(s, stable > 0 ? p->n_months - stable : 0);
}

int backtest_score_merge(BacktestScore *into, const BacktestScore *from)
{
        into->periods += from->periods;
        into->met += from->met;
        into->missed += from->missed;
        into->skipped += from->skipped;
        into->evaluations += from->evaluations;
        into->with_probability += from->with_probability;
        into->covered += from->covered;
        into->not_revision_aware += from->not_revision_aware;
        into->brier_sum += from->brier_sum;
        for (int b = 0; b < BACKTEST_BANDS; b++) {
                into->bands[b].n += from->bands[b].n;
                into->bands[b].sum_predicted += from->bands[b].sum_predicted;
                into->bands[b].achieved += from->bands[b].achieved;
        }
        into->met_ever_off_track += from->met_ever_off_track;
        into->met_off_track_twice += from->met_off_track_twice;
        into->missed_caught += from->missed_caught;
        into->missed_with_mid += from->missed_with_mid;
        for (size_t i = 0; i < from->n_leads; i++)
                if (add_lead(into, from->leads[i]) < 0)
                        return -ENOMEM;
        return 0;
}

double backtest_score_brier(const BacktestScore *s)
{
        return s->with_probability > 0 ? s->brier_sum / s->with_probability : NAN;
}

double backtest_score_coverage(const BacktestScore *s)
{
        return s->with_probability > 0 ? (double) s->covered / s->with_probability : NAN;
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

double backtest_score_median_lead(const BacktestScore *s)
{
        _cleanup_free_ int *v = NULL;
        size_t n = s->n_leads;

        if (n == 0)
                return NAN;
        v = malloc(n * sizeof *v);
        if (!v)
                return NAN;
        memcpy(v, s->leads, n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_int);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void backtest_score_done(BacktestScore *s)
{
        free(s->leads);
        *s = (BacktestScore){};
}
