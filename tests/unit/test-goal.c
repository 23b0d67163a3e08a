/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table-driven tests of the goal engine: every kind across on track, drifting, recovered, exactly on
 * target, deadline passed, missing months, zero denominators, negative values, monthly and quarterly
 * series and year boundaries. Expected figures are worked out by hand in the comments. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"
#include "series-test.h"

#define X NAN       /* expectation: no such figure (has_x false) */
#define ANY INFINITY /* expectation: not checked */

typedef struct Row {
        const char *name;
        GoalKind kind;
        GoalDirection dir;
        GoalAggregate agg;
        ChangeUnit cu;
        ProjectionMethod proj;
        const char *period, *baseline;
        double target, tolerance, min_den;
        int lag; /* -1: unknown */
        const char *series, *numerator, *denominator, *reference;
        const char *date;
        GoalStatus status;
        GoalReason reason;
        double value, projected, gap, pace, recent;
        ProjectionMethod method_used;
} Row;

#define Y2023_FLAT "2023M01 100 100 100 100 100 100 100 100 100 100 100 100"

static const Row rows[] = {
        /* ---- level, average, at least 380 (fleksjob) ---- */
        { "level on track: rising 2 a month, linear",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 380, 0, 0, 1,
          "2024M01 380 382 384 386 388 390", NULL, NULL, NULL, "2024-07-15",
          /* mean 385; trend +2 => Jul..Dec 392..402, year mean (380+402)/2 = 391; needed mean of the
           * rest (4560-2310)/6 = 375, from 390 over 6 months: 2(375-390)/7; last 3: (390-384)/3 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 385, 391, 11, -30.0 / 7, 2, PROJECTION_LINEAR },
        { "level drifting: falling 2 a month",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, -1,
          "2024M01 390 388 386 384 382 380", NULL, NULL, NULL, "2024-07-15",
          /* Jul..Dec 378..368, mean (390+368)/2 = 379; need 2(375-380)/7 */
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 385, 379, -1, -10.0 / 7, -2, PROJECTION_LINEAR },
        { "level drifting within tolerance is at risk",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 2, 0, -1,
          "2024M01 390 388 386 384 382 380", NULL, NULL, NULL, "2024-07-15",
          GOAL_STATUS_AT_RISK, GOAL_REASON_NONE, 385, 379, -1, ANY, ANY, PROJECTION_LINEAR },
        { "level recovered after a dip",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, -1,
          "2024M01 370 372 375 380 385 390", NULL, NULL, NULL, "2024-07-15",
          /* OLS slope 4.1143; year mean 391.0095 (worked out with a calculator) */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 378.666667, 391.009524, 11.009524, ANY, 5, PROJECTION_LINEAR },
        { "level exactly on target, no tolerance: on track",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, -1,
          "2024M01 380 380 380 380 380 380", NULL, NULL, NULL, "2024-07-01",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 380, 380, 0, 0, 0, PROJECTION_LINEAR },
        { "level exactly on target with a tolerance: at risk",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 5, 0, -1,
          "2024M01 380 380 380 380 380 380", NULL, NULL, NULL, "2024-07-01",
          GOAL_STATUS_AT_RISK, GOAL_REASON_NONE, 380, 380, 0, ANY, ANY, PROJECTION_LINEAR },
        { "level deadline passed, all data in: achieved",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 380, 5, 0, 2,
          "2024M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL, "2025-03-01",
          GOAL_STATUS_ACHIEVED, GOAL_REASON_NONE, 385.5, 385.5, 5.5, X, X, PROJECTION_NONE },
        { "level deadline passed, all data in: missed",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 390, 0, 0, 2,
          "2024M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL, "2025-03-01",
          GOAL_STATUS_MISSED, GOAL_REASON_NONE, 385.5, 385.5, -4.5, X, X, PROJECTION_NONE },
        { "level deadline passed exactly on target: achieved",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024H1", NULL, 95, 2, 0, 3,
          "2024M01 90 100 95 95 92 98", NULL, NULL, NULL, "2024-07-01",
          GOAL_STATUS_ACHIEVED, GOAL_REASON_NONE, 95, 95, 0, X, X, PROJECTION_NONE },
        { "level year boundary: December not in yet, not final",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "2024M01 380 381 382 383 384 385 386 387 388 389 390 _", NULL, NULL, NULL, "2025-01-10",
          /* visible up to 2024M12 but it is absent; Dec projected 391 => 385.5 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 385, 385.5, 5.5, ANY, 1, PROJECTION_LINEAR },
        { "level year boundary: nothing for the new year yet",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "2023M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL, "2024-01-20",
          GOAL_STATUS_NO_DATA, GOAL_REASON_NO_PERIOD_DATA, X, X, X, X, X, PROJECTION_NONE },
        { "level missing months are skipped, never zero",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "2024M01 380 382 . _ 388 390", NULL, NULL, NULL, "2024-07-15",
          /* observed 380 382 388 390 at 0 1 4 5: slope 2, gaps filled on the line */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 385, 391, 11, ANY, ANY, PROJECTION_LINEAR },
        { "level stale: older than the publication lag",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "2024M01 380 382 384", NULL, NULL, NULL, "2024-07-15",
          /* visible up to June, lag 1 => May expected, March is too old */
          GOAL_STATUS_NO_DATA, GOAL_REASON_STALE, 382, X, X, X, X, PROJECTION_NONE },
        { "level not stale within the lag",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 3,
          "2024M01 380 382 384", NULL, NULL, NULL, "2024-07-15",
          /* Apr..Dec 386..402, year mean 391 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 382, 391, 11, ANY, ANY, PROJECTION_LINEAR },
        { "level at most (uddannelseshjaelp <= 95): falling 1 a month",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 95, 0, 0, -1,
          "2024M01 100 99 98 97 96 95", NULL, NULL, NULL, "2024-07-15",
          /* Jul..Dec 94..89, mean 94.5: under the ceiling; need 2((1140-585)/6 - 95)/7 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 97.5, 94.5, -0.5, 2 * ((1140.0 - 585) / 6 - 95) / 7, -1,
          PROJECTION_LINEAR },
        { "level at most: rising is off track",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 95, 0, 0, -1,
          "2024M01 95 96 97 98 99 100", NULL, NULL, NULL, "2024-07-15",
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 97.5, 100.5, 5.5, ANY, 1, PROJECTION_LINEAR },
        { "level latest aggregate, deadline by the last month",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 400, 0, 0, -1,
          "2024M01 380 382 384 386 388 390", NULL, NULL, NULL, "2024-07-15",
          /* Dec on the line: 390 + 6*2 = 402; need (400-390)/6 a month */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 390, 402, 2, 10.0 / 6, 2, PROJECTION_LINEAR },
        { "level sum (year to date)",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_NONE, "2024", NULL, 120, 0, 0, -1,
          "2024M01 10 10 10 10 10 10", NULL, NULL, NULL, "2024-07-15",
          /* run rate 10 a month: 120; need (120-60)/6 = 10 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 60, 120, 0, 10, 10, PROJECTION_NONE },
        { "level negative values (net change)",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 0, 0, 0, -1,
          "2024M01 -5 -4 -3 -2 -1 0", NULL, NULL, NULL, "2024-07-15",
          /* line +1: Jul..Dec 1..6, year mean (-5+6)/2 = 0.5 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, -2.5, 0.5, 0.5, ANY, 1, PROJECTION_LINEAR },
        { "level seasonal: last year's profile plus the year-over-year difference",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 380, 0, 0, -1,
          "2023M01 360 360 360 360 360 360 380 380 380 380 380 380 370 370 370 370 370 370", NULL, NULL, NULL,
          "2024-07-15",
          /* +10 on last year: H2 390, year mean 380; a linear trend (flat 370) would say 370 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 370, 380, 0, ANY, 0, PROJECTION_SEASONAL },
        { "level seasonal asked for, no history: falls back to linear",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_SEASONAL, "2024", NULL, 380, 0, 0, -1,
          "2024M01 370 370 370 370 370 370", NULL, NULL, NULL, "2024-07-15",
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 370, 370, -10, ANY, 0, PROJECTION_LINEAR },
        { "level quarterly series",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 110, 0, 0, 0,
          "2024Q1 100 110", NULL, NULL, NULL, "2024-08-01",
          /* Q3 120, Q4 130: mean 115; need 2((440-210)/2 - 110)/3 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 105, 115, 5, 2 * ((440.0 - 210) / 2 - 110) / 3, 10,
          PROJECTION_LINEAR },
        { "level yearly series against a year goal",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 100, 0, 0, -1,
          "2022 90 95 101", NULL, NULL, NULL, "2025-02-01",
          GOAL_STATUS_ACHIEVED, GOAL_REASON_NONE, 101, 101, 1, X, X, PROJECTION_NONE },
        { "level half-year goal over monthly data",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024H2", NULL, 100, 0, 0, -1,
          "2024M06 100 100 100", NULL, NULL, NULL, "2024-09-03",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 100, 100, 0, ANY, ANY, PROJECTION_LINEAR },

        /* ---- change against a baseline ---- */
        { "change: fall compared with 2023 (percent)",
          GOAL_CHANGE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          Y2023_FLAT " 95 95 95 95 95 95", NULL, NULL, NULL, "2024-07-15",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, -5, -5, -5, ANY, 0, PROJECTION_LINEAR },
        { "change: like with like, the same months of the baseline year",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_AUTO, "2024", "2023", 0, 0, 0, -1,
          "2023M01 100 100 100 100 100 100 200 200 200 200 200 200 110 110 110 110 110 110", NULL, NULL, NULL,
          "2024-07-15",
          /* +10 % on Jan..Jun 2023 (not -27 % on the 2023 average of 150); seasonal H2 = 210:
           * (660 + 1260) / (600 + 1200) - 1 = +6.67 % */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 10, 100.0 * (1920.0 / 1800 - 1), 100.0 * (1920.0 / 1800 - 1), ANY,
          ANY, PROJECTION_SEASONAL },
        { "change: +20 % against 2019, sum aggregate, drifting",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2019", 20, 0, 0, -1,
          "2019M01 10 10 10 10 10 10 10 10 10 10 10 10", NULL, NULL, NULL, "2024-01-01",
          GOAL_STATUS_NO_DATA, GOAL_REASON_NO_PERIOD_DATA, X, X, X, X, X, PROJECTION_NONE },
        { "change: zero baseline has no relative change",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          "2023M01 0 0 0 0 0 0 0 0 0 0 0 0 5 5", NULL, NULL, NULL, "2024-03-15",
          GOAL_STATUS_NO_DATA, GOAL_REASON_ZERO_BASELINE, X, X, X, X, X, PROJECTION_NONE },
        { "change: negative baseline, percent against its magnitude",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_PERCENT, PROJECTION_NONE, "2024Q1", "2023Q1", 10, 0, 0, -1,
          "2023M01 -10 -10 -20 _ _ _ _ _ _ _ _ _ -5 -5 -10", NULL, NULL, NULL, "2024-04-02",
          /* net outflow -40 became -20: (-20 - -40) / 40 = +50 % */
          GOAL_STATUS_ACHIEVED, GOAL_REASON_NONE, 50, 50, 40, X, X, PROJECTION_NONE },
        { "change: no baseline figures",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          "2024M01 5 5", NULL, NULL, NULL, "2024-03-15",
          GOAL_STATUS_NO_DATA, GOAL_REASON_NO_BASELINE, X, X, X, X, X, PROJECTION_NONE },
        { "change: absolute, quarterly, final",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_ABSOLUTE, PROJECTION_LINEAR, "2024", "2023", 10, 0, 0, -1,
          "2023Q1 10 10 10 10 12 13 14 15", NULL, NULL, NULL, "2025-01-01",
          GOAL_STATUS_ACHIEVED, GOAL_REASON_NONE, 14, 14, 4, X, X, PROJECTION_NONE },

        /* ---- share: ratio of sums ---- */
        { "share: ratio of sums, not an average of ratios",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 50, 0, 10, -1,
          NULL, "2024M01 5 2 5", "2024M01 10 2 10", NULL, "2024-04-02",
          /* 12/22 = 54.5 % (the mean of the ratios would be 66.7 %) */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 1200.0 / 22, ANY, ANY, ANY, 1200.0 / 22, PROJECTION_LINEAR },
        { "share: flat 60 % is on track for 50 %",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 50, 0, 10, -1,
          NULL, "2024M01 6 6 6 6 6 6", "2024M01 10 10 10 10 10 10", NULL, "2024-07-15",
          /* remaining need (0.5*120 - 36)/60 = 40 % */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 60, 60, 10, 40, 60, PROJECTION_LINEAR },
        { "share: drifting down",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 50, 0, 10, -1,
          NULL, "2024M01 7 6 5 4", "2024M01 10 10 10 10", NULL, "2024-05-02",
          /* matched -1 a month: May..Dec 3 2 1 0 -1 -2 -3 -4, 18 of 120 = 15 %; the rest need
           * (60 - 22) / 80 = 47.5 %; the last 3 months 15/30 */
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 55, 15, -35, 47.5, 50, PROJECTION_LINEAR },
        { "share: zero denominator is insufficient data",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 50, 0, 0, -1,
          NULL, "2024M01 0 0 0", "2024M01 0 0 0", NULL, "2024-04-02",
          GOAL_STATUS_INSUFFICIENT_DATA, GOAL_REASON_SMALL_DENOMINATOR, X, X, X, X, X, PROJECTION_NONE },
        { "share: below the minimum denominator",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 75, 0, 20, -1,
          NULL, "2024M01 3 4 5", "2024M01 4 5 6", NULL, "2024-04-02",
          GOAL_STATUS_INSUFFICIENT_DATA, GOAL_REASON_SMALL_DENOMINATOR, 80, X, X, X, X, PROJECTION_NONE },
        { "share: final, missed",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024Q1", NULL, 75, 0, 0, -1,
          NULL, "2024M01 7 7 7", "2024M01 10 10 10", NULL, "2024-05-02",
          GOAL_STATUS_MISSED, GOAL_REASON_NONE, 70, 70, -5, X, X, PROJECTION_NONE },
        { "share: months without both figures are left out",
          GOAL_SHARE, GOAL_AT_LEAST, 0, 0, PROJECTION_NONE, "2024", NULL, 50, 0, 0, -1,
          NULL, "2024M01 5 . 5", "2024M01 10 10 _", NULL, "2024-04-02",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 50, ANY, ANY, ANY, ANY, PROJECTION_NONE },

        /* ---- against a reference series ---- */
        { "reference: falls faster than the country (percentage points)",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 0, 0, -1,
          Y2023_FLAT " 90 90 90", NULL, NULL,
          "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950 950 950", "2024-04-20",
          /* own -10 %, country -5 %: -5 points; no projection model: the latest values persist */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, -5, -5, -5, ANY, ANY, PROJECTION_NONE },
        { "reference: the trend window reaches back into the baseline year",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          Y2023_FLAT " 90 90 90", NULL, NULL,
          "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950 950 950", "2024-04-20",
          /* own: the last 6 months 100 100 100 90 90 90, slope -45/17.5 a month, year average 79.29 =
           * -20.71 %; the country likewise -10.36 %: -10.36 points (worked by hand) */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, -5, -10.357143, -10.357143, ANY, ANY, PROJECTION_LINEAR },
        { "reference: worse than the country",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 1, 0, -1,
          Y2023_FLAT " 98 98 98", NULL, NULL,
          "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950 950 950", "2024-04-20",
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 3, 3, 3, ANY, ANY, PROJECTION_NONE },
        { "reference: the reference's missing month drops the pair",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_POINTS, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          Y2023_FLAT " 90 80 90", NULL, NULL,
          "2023M01 50 50 50 50 50 50 50 50 50 50 50 50 45 . 45", "2024-04-20",
          /* pairs Jan and Mar: own -10, country -5 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, -5, ANY, ANY, ANY, ANY, PROJECTION_LINEAR },

        /* ---- rank, lower is better ---- */
        { "rank: improving into the top 10",
          GOAL_RANK, GOAL_AT_MOST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "2023QMAT04 13 12 11", NULL, NULL, NULL, "2024-08-01",
          /* latest 11; line -1 a quarter: 2024QMAT04 = 9; need (10-11)/2 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 11, 9, -1, -0.5, -1, PROJECTION_LINEAR },
        { "rank: deadline passed, final rank 12",
          GOAL_RANK, GOAL_AT_MOST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "2024QMAT01 8 9 10 12", NULL, NULL, NULL, "2025-02-01",
          GOAL_STATUS_MISSED, GOAL_REASON_NONE, 12, 12, 2, X, X, PROJECTION_NONE },
        { "rank: a projection never ranks better than first",
          GOAL_RANK, GOAL_AT_MOST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, -1,
          "2023QMAT04 30 15 3", NULL, NULL, NULL, "2024-08-01",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 3, 1, -9, ANY, ANY, PROJECTION_LINEAR },

        { "rank: a missing quarter is skipped",
          GOAL_RANK, GOAL_AT_MOST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "2024QMAT01 12 . 10", NULL, NULL, NULL, "2024-11-01",
          /* 12 and 10 two quarters apart: -1 a quarter, QMAT04 = 9 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 10, 9, -1, 0, -1, PROJECTION_LINEAR },
        /* ---- cumulative count with pace ---- */
        { "cumulative: on the pro-rata path",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "2024M01 5 5 5 5 5 5", NULL, NULL, NULL, "2024-07-15",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 30, 60, 0, 5, 5, PROJECTION_LINEAR },
        { "cumulative: behind, slowing down",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "2024M01 6 5 4 3 2 1", NULL, NULL, NULL, "2024-07-15",
          /* line -1 a month: 0 -1 -2 -3 -4 -5 => 21 - 15 = 6; need (60-21)/6 = 6.5; last 3: 2 */
          GOAL_STATUS_OFF_TRACK, GOAL_REASON_NONE, 21, 6, -54, 6.5, 2, PROJECTION_LINEAR },
        { "cumulative: seasonal profile from last year",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_AUTO, "2024", NULL, 60, 0, 0, 1,
          "2023M01 2 2 2 2 2 2 8 8 8 8 8 8 3 3 3 3 3 3", NULL, NULL, NULL, "2024-07-15",
          /* +1 a month on 2023: 18 + 6*9 = 72 */
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 18, 72, 12, 7, 3, PROJECTION_SEASONAL },
        { "cumulative: year boundary, December not in yet",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_NONE, "2024", NULL, 60, 0, 0, 1,
          "2024M01 5 5 5 5 5 5 5 5 5 5 5", NULL, NULL, NULL, "2025-01-10",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 55, 60, 0, 5, 5, PROJECTION_NONE },
        { "cumulative: quarterly counts, final, 3 short",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "2024Q1 10 20 15 12", NULL, NULL, NULL, "2025-01-02",
          GOAL_STATUS_MISSED, GOAL_REASON_NONE, 57, 57, -3, X, X, PROJECTION_NONE },
        { "cumulative: achieved before the deadline still waits for the end",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, 0, 0, PROJECTION_NONE, "2024", NULL, 60, 0, 0, 1,
          "2024M01 20 20 20 20", NULL, NULL, NULL, "2024-05-15",
          GOAL_STATUS_ON_TRACK, GOAL_REASON_NONE, 80, 240, 180, ANY, ANY, PROJECTION_NONE },
};

static const char *method_name(ProjectionMethod m)
{
        static const char *const names[] = { "auto", "linear", "seasonal", "none" };
        return m >= 0 && m < (int) ELEMENTSOF(names) ? names[m] : "?";
}

static void check(const char *row, const char *what, bool has, double got, double want)
{
        if (want == ANY)
                return;
        if (isnan(want)) {
                if (has)
                        fail_msg("%s: %s: want none, got %g", row, what, got);
                return;
        }
        if (!has)
                fail_msg("%s: %s: want %g, got none", row, what, want);
        if (fabs(got - want) > 1e-4 * MAX(1.0, fabs(want)))
                fail_msg("%s: %s: want %.6f, got %.6f", row, what, want, got);
}

static void check_no_nan(const GoalResult *r)
{
        assert_true(isfinite(r->value) && isfinite(r->projected) && isfinite(r->gap));
        assert_true(isfinite(r->pace_needed) && isfinite(r->recent_pace) && isfinite(r->expected));
        assert_null(strstr(r->explanation_da, "nan"));
        assert_null(strstr(r->explanation_en, "inf"));
}

static void test_table(void **state)
{
        GoalResult r = {};

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *w = &rows[i];
                GoalDef g = {
                        .id = (char *) "g", .title_da = (char *) "Målet", .title_en = (char *) "The goal",
                        .kind = w->kind, .direction = w->dir, .aggregate = w->agg, .change_unit = w->cu,
                        .projection = w->proj, .target = w->target, .tolerance = w->tolerance,
                        .min_denominator = w->min_den, .trend_window = 6,
                        .series = (char *) "s", .numerator = (char *) "n", .denominator = (char *) "d",
                        .reference = (char *) "r",
                };
                GoalSeriesMeta meta[_GOAL_ROLE_MAX];
                SeriesSet *set = NULL;
                Date now;

                for (size_t k = 0; k < ELEMENTSOF(meta); k++)
                        meta[k] = (GoalSeriesMeta){ .publication_lag = w->lag, .unit_da = "personer",
                                                    .unit_en = "persons" };
                assert_int_equal(period_parse(w->period, &g.period), 0);
                if (w->baseline)
                        assert_int_equal(period_parse(w->baseline, &g.baseline), 0);
                assert_int_equal(date_parse(w->date, &now), 0);
                assert_int_equal(series_set_new(&set), 0);
                if (w->series)
                        assert_int_equal(series_set_add(set, mk("s", w->series)), 0);
                if (w->numerator)
                        assert_int_equal(series_set_add(set, mk("n", w->numerator)), 0);
                if (w->denominator)
                        assert_int_equal(series_set_add(set, mk("d", w->denominator)), 0);
                if (w->reference)
                        assert_int_equal(series_set_add(set, mk("r", w->reference)), 0);

                assert_int_equal(goal_evaluate_meta(&g, meta, set, now, &r), 0);
                /* the engine returns numbers and codes only; the words come from text.c */
                assert_string_equal(r.explanation_da, "");
                assert_string_equal(r.explanation_en, "");
                text_fill(&g, &r);
                print_message("%-70s %-17s %s\n", w->name, goal_status_to_string(r.status), r.explanation_da);
                if (r.status != w->status || r.reason != w->reason)
                        fail_msg("%s: want %s/%s, got %s/%s (%s)", w->name, goal_status_to_string(w->status),
                                 goal_reason_to_string(w->reason), goal_status_to_string(r.status),
                                 goal_reason_to_string(r.reason), r.explanation_en);
                check(w->name, "value", r.has_value, r.value, w->value);
                check(w->name, "projected", r.has_projected, r.projected, w->projected);
                check(w->name, "gap", r.has_gap, r.gap, w->gap);
                check(w->name, "pace", r.has_pace, r.pace_needed, w->pace);
                check(w->name, "recent pace", r.has_recent_pace, r.recent_pace, w->recent);
                if (r.projection != w->method_used)
                        fail_msg("%s: want method %s, got %s", w->name, method_name(w->method_used),
                                 method_name(r.projection));
                check_no_nan(&r);
                assert_true(strlen(r.explanation_da) > 10);
                assert_true(strlen(r.explanation_en) > 10);
                series_set_free(set);
        }
        goal_result_done(&r);
}

static GoalDef fleksjob(void)
{
        GoalDef g = {
                .id = (char *) "fleksjob", .title_da = (char *) "Fleksjob", .title_en = (char *) "Flexi-jobs",
                .kind = GOAL_LEVEL, .series = (char *) "fleksjob_fuldtid", .direction = GOAL_AT_LEAST,
                .aggregate = GOAL_AGGREGATE_AVERAGE, .target = 380, .projection = PROJECTION_LINEAR,
                .trend_window = 6, .period = { PERIOD_YEAR, 2024, 0 },
        };
        return g;
}

/* The store hands the engine the latest revision; a revised month changes the verdict, and the
 * inputs recorded for the audit show the revised figure. */
static void test_revised_month(void **state)
{
        GoalDef g = fleksjob();
        GoalResult r = {};
        SeriesSet *set = NULL;
        Series *s = mk("fleksjob_fuldtid", "2024M01 380 380 380 380 380 380");
        Period jun = { PERIOD_MONTH, 2024, 6 };

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, s), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.status, GOAL_STATUS_ON_TRACK);
        assert_true(fabs(r.value - 380) < 1e-9);

        assert_int_equal(series_put(s, (SeriesPoint){ .period = jun, .value = 368 }), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.status, GOAL_STATUS_OFF_TRACK);
        assert_true(fabs(r.value - 378) < 1e-9);
        bool seen = false;
        for (size_t i = 0; i < r.n_inputs; i++)
                if (period_equal(r.inputs[i].period, jun)) {
                        assert_true(fabs(r.inputs[i].value - 368) < 1e-9);
                        assert_int_equal(r.inputs[i].role, GOAL_ROLE_SERIES);
                        seen = true;
                }
        assert_true(seen);
        goal_result_done(&r);
        series_set_free(set);
}

/* Inputs list exactly what was read: the goal period and the trend window, not the whole history,
 * and nothing after the evaluation date. */
static void test_inputs(void **state)
{
        GoalDef g = fleksjob();
        GoalResult r = {};
        SeriesSet *set = NULL;
        char buf[PERIOD_STRING_MAX];

        g.trend_window = 3;
        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", "2020M01 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
                                                                   "17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 "
                                                                   "33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 "
                                                                   "380 381 382 383 384 385 386 387 388")), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 3, 1 }, &r), 0);
        /* Jan and Feb, the 3-point trend from Dec, the recent pace from Nov */
        assert_int_equal(r.n_inputs, 4);
        assert_string_equal(period_to_string(r.inputs[0].period, buf), "2023M11");
        assert_string_equal(period_to_string(r.inputs[3].period, buf), "2024M02");
        assert_string_equal(period_to_string(r.latest, buf), "2024M02");

        /* in January the trend reaches back into December */
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 2, 1 }, &r), 0);
        assert_int_equal(r.n_inputs, 4);
        assert_string_equal(period_to_string(r.inputs[0].period, buf), "2023M10");
        assert_string_equal(period_to_string(r.inputs[3].period, buf), "2024M01");
        goal_result_done(&r);
        series_set_free(set);
}

static void test_no_series_and_errors(void **state)
{
        GoalDef g = fleksjob();
        GoalResult r = {};
        SeriesSet *set = NULL;

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.status, GOAL_STATUS_NO_DATA);
        assert_int_equal(r.reason, GOAL_REASON_NO_SERIES);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, "Fleksjob"));

        /* an empty series: nothing for the period */
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", NULL)), 0);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.reason, GOAL_REASON_NO_PERIOD_DATA);

        /* share over series of different frequencies */
        GoalDef s = { .id = (char *) "s", .kind = GOAL_SHARE, .numerator = (char *) "n", .denominator = (char *) "d",
                      .period = { PERIOD_YEAR, 2024, 0 }, .target = 50 };
        assert_int_equal(series_set_add(set, mk("n", "2024M01 1 2")), 0);
        assert_int_equal(series_set_add(set, mk("d", "2024Q1 10")), 0);
        assert_int_equal(goal_evaluate(&s, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.reason, GOAL_REASON_FREQUENCY);

        /* a yearly series cannot measure a quarter */
        GoalDef q = fleksjob();
        q.period = (Period){ PERIOD_QUARTER, 2024, 2 };
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", "2023 5 6")), 0);
        assert_int_equal(goal_evaluate(&q, set, (Date){ 2024, 7, 15 }, &r), 0);
        assert_int_equal(r.reason, GOAL_REASON_FREQUENCY);

        /* programmer/config errors */
        GoalDef bad = fleksjob();
        bad.series = NULL;
        assert_int_equal(goal_evaluate(&bad, set, (Date){ 2024, 7, 15 }, &r), -EINVAL);
        bad = fleksjob();
        bad.kind = GOAL_CHANGE; /* no baseline */
        assert_int_equal(goal_evaluate(&bad, set, (Date){ 2024, 7, 15 }, &r), -EINVAL);
        assert_int_equal(goal_evaluate(&g, set, (Date){ 2024, 2, 30 }, &r), -EINVAL);

        goal_result_done(&r);
        series_set_free(set);
}

static void test_status_strings(void **state)
{
        for (int i = 0; i < _GOAL_STATUS_MAX; i++)
                assert_int_equal(goal_status_from_string(goal_status_to_string(i)), i);
        assert_int_equal(goal_status_from_string("bogus"), _GOAL_STATUS_INVALID);
        assert_null(goal_status_to_string(_GOAL_STATUS_MAX));
        assert_string_equal(goal_status_to_string(GOAL_STATUS_INSUFFICIENT_DATA), "insufficient_data");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_revised_month),
                cmocka_unit_test(test_inputs),
                cmocka_unit_test(test_no_series_and_errors),
                cmocka_unit_test(test_status_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
