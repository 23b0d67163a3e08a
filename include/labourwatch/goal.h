/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The goal engine: (goal, series, evaluation date) -> GoalResult. Deterministic and pure: no I/O,
 * no clock, no globals, no logging. The semantics are documented in labourwatch-goals(7)
 * (packaging/man/labourwatch-goals.7); the short version:
 *
 *  - Only periods that ended before the evaluation date are used ("what did we know then").
 *  - The measure is aggregated over the goal period's periods of the series' frequency (average,
 *    latest or sum; shares are always a ratio of sums; cumulative goals always sum; ranks use the
 *    latest period). Missing and absent periods are skipped, never treated as zero.
 *  - Until the goal period is over and all its periods are in, the status compares the projected
 *    end-of-period value with the target: on_track, at_risk (within `tolerance` of the target on
 *    either side) or off_track. Afterwards it is final: achieved or missed.
 *  - no_data: nothing observed for the goal period yet, no baseline to compare with, a zero
 *    baseline for a relative change, or data older than the series' publication lag allows (reason
 *    stale, also when nothing of the goal period is in: then latest is the series' latest period).
 *    insufficient_data: a share whose denominator sum is below min_denominator. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"

typedef enum GoalStatus {
        GOAL_STATUS_ON_TRACK,
        GOAL_STATUS_AT_RISK,
        GOAL_STATUS_OFF_TRACK,
        GOAL_STATUS_ACHIEVED,
        GOAL_STATUS_MISSED,
        GOAL_STATUS_NO_DATA,
        GOAL_STATUS_INSUFFICIENT_DATA,
        _GOAL_STATUS_MAX,
        _GOAL_STATUS_INVALID = -EINVAL,
} GoalStatus;

const char *goal_status_to_string(GoalStatus s); /* "on_track", "at_risk", …, "insufficient_data" */
GoalStatus goal_status_from_string(const char *s);

/* Why a result has no verdict (or GOAL_REASON_NONE). */
typedef enum GoalReason {
        GOAL_REASON_NONE,
        GOAL_REASON_NO_SERIES,        /* a series the goal names is not in the SeriesSet */
        GOAL_REASON_NO_PERIOD_DATA,   /* nothing observed in the goal period yet */
        GOAL_REASON_STALE,            /* latest data older than the publication lag allows */
        GOAL_REASON_NO_BASELINE,      /* no baseline figures for the periods observed */
        GOAL_REASON_ZERO_BASELINE,    /* relative change against a baseline of 0 */
        GOAL_REASON_SMALL_DENOMINATOR,/* share: denominator sum below min_denominator (or <= 0) */
        GOAL_REASON_FREQUENCY,        /* the series has no periods inside the goal period */
        _GOAL_REASON_MAX,
        _GOAL_REASON_INVALID = -EINVAL,
} GoalReason;

const char *goal_reason_to_string(GoalReason r); /* "none", "no_series", "no_period_data", … */

/* Which of the goal's series an input belongs to. */
typedef enum GoalRole {
        GOAL_ROLE_SERIES,      /* GoalDef.series */
        GOAL_ROLE_NUMERATOR,   /* GoalDef.numerator */
        GOAL_ROLE_DENOMINATOR, /* GoalDef.denominator */
        GOAL_ROLE_REFERENCE,   /* GoalDef.reference */
        _GOAL_ROLE_MAX,
        _GOAL_ROLE_INVALID = -EINVAL,
} GoalRole;

const char *goal_role_to_string(GoalRole r); /* "series", "numerator", "denominator", "reference" */
/* The GoalDef's series name for a role, or NULL when the goal does not use that role. */
const char *goal_role_series(const GoalDef *g, GoalRole r);

/* One figure the evaluation read (audit trail). */
typedef struct GoalInput {
        GoalRole role;
        Period period;
        double value;
} GoalInput;

/* What the engine needs to know about a series beyond its points (from its SeriesDef). */
typedef struct GoalSeriesMeta {
        int publication_lag;     /* periods; < 0: unknown, staleness is not checked */
        const char *unit_da;     /* "fuldtidspersoner"; NULL or "" for none */
        const char *unit_en;
        const char *label_da;    /* "hele landet": how text names the series (reference); NULL: none */
        const char *label_en;
} GoalSeriesMeta;

#define GOAL_TEXT_MAX 1024
#define GOAL_UNIT_MAX 64
#define GOAL_WORDS_MAX 192

typedef struct GoalResult {
        char *id;                     /* owned copy of GoalDef.id */
        GoalKind kind;
        GoalDirection direction;
        GoalStatus status;
        GoalReason reason;
        Period period;                /* the goal period */
        PeriodFreq freq;              /* of the measured series; _PERIOD_FREQ_INVALID if unknown */
        int n_periods;                /* periods of freq in the goal period */
        int n_observed;               /* of those, observed (and paired, for change/share/reference) */

        bool has_latest;
        Period latest;                /* latest observed period used */
        bool has_value;
        double value;                 /* current value of the measure, in the target's unit */
        bool has_projected;
        double projected;             /* at the end of the goal period; = value once final */
        double target;
        /* Predictive distribution of the final value (labourwatch-goals(7), PROBABILITY): the chance
         * the target is met and an 80 % interval for the final aggregate around `projected`. Set
         * (has_probability) for finished periods of every kind (0 or 1, zero width) and for open
         * level, cumulative and change goals (change: every goal-period member has its baseline);
         * NAN otherwise (rank, reference and share goals while open). */
        bool has_probability;
        double probability;           /* 0..1 */
        double projected_low, projected_high;
        int backtest_origins;         /* origins of the rolling backtest the error spread came from */
        bool has_gap;
        double gap;                   /* projected - target (sign: above the target is positive) */
        bool has_expected;
        double expected;              /* cumulative: the pro-rata path at the latest period */
        double denominator;           /* share: the denominator sum used (0 otherwise) */

        /* Pace: change per period (levels, ranks), amount per period (sums, cumulative), or the share
         * needed in the remaining periods (shares, in %). In pace_unit_*. */
        bool has_pace;
        double pace_needed;
        bool has_recent_pace;
        double recent_pace;           /* the same quantity over the last recent_window periods */
        int recent_window;            /* periods it spans (at most 3; fewer when fewer exist) */

        ProjectionMethod projection;  /* method actually used: LINEAR, SEASONAL or NONE */
        int trend_points;             /* observations the linear trend was fitted to */

        /* For change and reference goals: the own and the reference change, in change_unit. */
        bool has_own_change, has_reference_change;
        double own_change, reference_change;

        char unit_da[GOAL_UNIT_MAX], unit_en[GOAL_UNIT_MAX];           /* the target's unit */
        char pace_unit_da[GOAL_UNIT_MAX], pace_unit_en[GOAL_UNIT_MAX];
        /* Not filled by the engine (numbers and codes only): text_fill() (text.h) writes them, as
         * evaluate_goals() does. Empty after goal_evaluate*(). */
        char explanation_da[GOAL_TEXT_MAX], explanation_en[GOAL_TEXT_MAX];
        char gap_da[2 * GOAL_UNIT_MAX], gap_en[2 * GOAL_UNIT_MAX]; /* the gap in words, likewise */
        /* For a table, likewise (text_fill): the value's row label by the aggregate ("Gennemsnit
         * januar–juni 2024", "Seneste værdi (juni 2024)"), the value with its unit or in words ("4,3 %
         * færre personer"), and the paces in words ("fald på 7 fuldtidspersoner om måneden"); empty
         * when there is nothing to say. */
        char value_label_da[GOAL_WORDS_MAX], value_label_en[GOAL_WORDS_MAX];
        char value_text_da[GOAL_WORDS_MAX], value_text_en[GOAL_WORDS_MAX];
        char pace_da[GOAL_WORDS_MAX], pace_en[GOAL_WORDS_MAX];
        char recent_pace_da[GOAL_WORDS_MAX], recent_pace_en[GOAL_WORDS_MAX];
        /* The chance in words (text_chance: "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem
         * 372 og 391 fuldtidspersoner."); empty for a finished period or without a probability. */
        char chance_da[GOAL_WORDS_MAX], chance_en[GOAL_WORDS_MAX];

        GoalInput *inputs;            /* owned: every observation read, by role then period */
        size_t n_inputs, n_inputs_alloc;
} GoalResult;

/* Evaluates goal g at date now against the series in set; meta (may be NULL) is indexed by GoalRole
 * and gives the publication lag and unit of each series the goal uses.
 *
 * *ret must be zero-initialised or hold an earlier result: its buffers are reused, so evaluating
 * many goals into one GoalResult allocates almost nothing. Returns 0 (the verdict, including
 * no_data, is in *ret), -EINVAL for an inconsistent GoalDef (no series named for its kind, invalid
 * period), or -ENOMEM. Caller frees with goal_result_done(). */
int goal_evaluate_meta(const GoalDef *g, const GoalSeriesMeta *meta, const SeriesSet *set, Date now,
                       GoalResult *ret);
int goal_evaluate(const GoalDef *g, const SeriesSet *set, Date now, GoalResult *ret);

/* As goal_evaluate_meta, with the series already looked up (indexed by GoalRole; NULL = absent). */
int goal_evaluate_series(const GoalDef *g, const GoalSeriesMeta *meta, const Series *const *series,
                         Date now, GoalResult *ret);

/* The aggregate the engine applies to g: sum for shares and cumulative goals, latest for ranks,
 * otherwise g->aggregate (average when unset). */
GoalAggregate goal_effective_aggregate(const GoalDef *g);

/* status_from: probability: on track at *ret_at_risk or more, off track below *ret_off_track (a
 * GoalDef made in code with both 0 gets the defaults 0.8 and 0.2); a firing goal recovers at
 * goal_probability_recover() or more (default: off_track + PROBABILITY_RECOVER_MARGIN). */
void goal_probability_thresholds(const GoalDef *g, double *ret_at_risk, double *ret_off_track);
double goal_probability_recover(const GoalDef *g);

/* Frees what a GoalResult owns and zeroes it. */
void goal_result_done(GoalResult *r);
/* Frees an array of n results (each goal_result_done) and the array. Accepts NULL. */
void goal_results_free(GoalResult *r, size_t n);
