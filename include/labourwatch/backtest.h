/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Backtesting the goal engine's warnings (issue 17 §4, `labourwatch backtest`): a goal's rule moved
 * to earlier periods of the same length, each revealed month by month, and the engine's evaluations
 * scored against the final verdict of that period. Pure: no I/O, no clock, no logging; the caller
 * evaluates (the engine is a black box here) and hands in what it saw.
 *
 * Definitions (the ones tests/bench/bench-calibration.c uses, so the figures compare):
 *  - an evaluation after month m (1 .. n-1 of a period of n months) is made on the first day of
 *    month m+1; it is scored when its status is on_track, at_risk or off_track;
 *  - coverage: the share of scored evaluations with an interval whose interval holds the final value;
 *  - Brier score: the mean of (probability - outcome)^2, outcome 1 for achieved, 0 for missed;
 *  - calibration: per probability band [0, 0.1), …, [0.9, 1]: how many, the mean probability, the
 *    share of them achieved;
 *  - false alarms: achieved periods ever off_track, and off_track after two consecutive months;
 *  - caught: missed periods off_track after the middle month (June, for a calendar year);
 *  - lead: for a missed period, the months from the evaluation that starts the final run of
 *    off_track to the end of the period (0 when the last evaluation is not off_track); the median
 *    is over every missed period. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"
#include "labourwatch/period.h"

#define BACKTEST_BANDS 10
/* A goal period of a year has 11 evaluations; longer ones are not goal periods. */
#define BACKTEST_EVALS_MAX 23
/* Past periods one goal is moved back at most. */
#define BACKTEST_YEARS_MAX 100

/* Returns g with its period, and a change or reference goal's baseline, moved back `years` years:
 * a shallow copy (strings point into g). -ERANGE when a year would leave 1900..9999. */
int backtest_shift_goal(const GoalDef *g, int years, GoalDef *ret);

/* Calendar months the period spans (12 for a year, 6 for a half, 3 for a quarter, 1 for a month). */
int backtest_period_months(Period p);
/* The date of the evaluation after month m of p (1-based): the first day of the following month. */
Date backtest_eval_date(Period p, int m);
/* The month after which the "caught by" figure is taken: n_months / 2 (June for a year). */
int backtest_mid_month(Period p);

/* The probability band of p: 0 for [0, 0.1), …, 9 for [0.9, 1]. */
int backtest_band(double p);

typedef struct BacktestEval {
        int month; /* data through this month of the period (1-based) */
        Date date;
        GoalStatus status;
        bool has_probability; /* and the interval */
        double probability;
        double low, high;
        bool revision_aware; /* every figure as it had been fetched by the date */
} BacktestEval;

typedef struct BacktestPeriod {
        int years_back;
        Period period;
        bool has_baseline;
        Period baseline;
        bool open;               /* not over on the day of the backtest: not evaluated, not scored */
        GoalStatus final_status; /* achieved or missed when there is a verdict */
        GoalReason final_reason;
        bool has_outcome;
        bool met;
        double final_value;
        int n_months;
        BacktestEval evals[BACKTEST_EVALS_MAX];
        int n_evals;
} BacktestPeriod;

typedef struct BacktestBand {
        int n;
        double sum_predicted;
        int achieved;
} BacktestBand;

typedef struct BacktestScore {
        int periods; /* with a final verdict */
        int met, missed;
        int skipped;          /* past periods without a final verdict */
        int evaluations;      /* scored evaluations (a status other than no_data) */
        int with_probability; /* of those, with a probability and an interval */
        int covered;
        int not_revision_aware; /* scored evaluations made on the latest figures */
        double brier_sum;
        BacktestBand bands[BACKTEST_BANDS];
        int met_ever_off_track, met_off_track_twice;
        int missed_caught, missed_with_mid;
        int *leads; /* per missed period, months; owned */
        size_t n_leads, n_leads_alloc;
} BacktestScore;

/* Whether an evaluation's status is scored (on_track, at_risk, off_track). */
bool backtest_eval_scored(const BacktestEval *e);
/* Whether the final value lies in the evaluation's interval (a relative 1e-9 of slack). */
bool backtest_eval_covers(const BacktestEval *e, double final_value);

/* The month that starts the final run of off_track evaluations, or 0 when the last one is not
 * off_track. */
int backtest_stable_off_track(const BacktestPeriod *p);
/* Per period: ever off_track, off_track in two consecutive months, off_track after the middle
 * month (-1 when there is no evaluation after it). */
bool backtest_ever_off_track(const BacktestPeriod *p);
bool backtest_off_track_twice(const BacktestPeriod *p);
int backtest_off_track_at_mid(const BacktestPeriod *p);

/* Adds one period to s (a period without an outcome only counts as skipped). Returns 0 or -ENOMEM. */
int backtest_score_add(BacktestScore *s, const BacktestPeriod *p);
/* Adds every figure of from to into. Returns 0 or -ENOMEM. */
int backtest_score_merge(BacktestScore *into, const BacktestScore *from);
/* NAN when there is nothing to average. */
double backtest_score_brier(const BacktestScore *s);
double backtest_score_coverage(const BacktestScore *s);
double backtest_score_median_lead(const BacktestScore *s);
void backtest_score_done(BacktestScore *s);
