/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Glue between the store, the configuration and the goal engine: builds the SeriesSet the goals need
 * (loading stored series, computing derived ones in dependency order), evaluates every goal, and
 * records each evaluation with its inputs (the audit trail). Never logs: errors come back as
 * *ret_error. */

#include <jansson.h>
#include <stdbool.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"
#include "labourwatch/store.h"

/* Supplies a stored (non-derived) series by name. Returns 0 with *ret (caller owns; an unknown series
 * is an empty Series), or negative errno with *ret_error. */
typedef int (*evaluate_loader_t)(void *userdata, const char *name, Series **ret, char **ret_error);

/* Builds a SeriesSet with every series the goals of c use, and the series their expressions need,
 * recursively. A series is taken from the loader when the loader has points for it; otherwise, when
 * its SeriesDef has an expression, it is derived (series_derive). A cycle among derived series fails
 * with -ELOOP and "FILE:LINE:COL: series 'a': expression depends on itself: a -> b -> a"; an
 * expression error with -EINVAL and its FILE:LINE:COL. Caller owns *ret (series_set_free). */
int evaluate_build_series(const Config *c, evaluate_loader_t load, void *userdata, SeriesSet **ret,
                          char **ret_error);

/* As evaluate_build_series, for the one series name (and what its expression needs): the set holds
 * name, computed when it is derived. */
int evaluate_build_one(const Config *c, const char *name, evaluate_loader_t load, void *userdata, SeriesSet **ret,
                       char **ret_error);

/* The GoalSeriesMeta (publication lag, unit) of each series a goal uses, from c's SeriesDefs.
 * Pointers point into c. */
void evaluate_goal_meta(const Config *c, const GoalDef *g, GoalSeriesMeta meta[static _GOAL_ROLE_MAX]);

/* Evaluates every goal of c against set at date. *ret receives an array of c->n_goals results in
 * configuration order (caller frees with goal_results_free). Returns 0, -ENOMEM, or -EINVAL with
 * *ret_error naming the goal (FILE:LINE:COL) whose definition the engine cannot evaluate. */
int evaluate_goals(const Config *c, const SeriesSet *set, Date date, GoalResult **ret, size_t *ret_n,
                   char **ret_error);

/* Loads every series the goals need from the store (computing derived series), evaluates every
 * goal at `date`, and when record is true stores each evaluation with its inputs (audit trail),
 * stamped at_usec (realtime; the caller's clock: nothing here reads one).
 * st may be NULL (no data: every goal is no_data; record must then be false).
 * *ret receives an array of n GoalResult (caller frees with goal_results_free). */
int evaluate_all(Store *st, const Config *c, Date date, uint64_t at_usec, bool record, GoalResult **ret,
                 size_t *ret_n, char **ret_error);

/* The result as a JSON object: id, kind, status, reason, period (latest observed period code or
 * null), goal_period, value, projected, target, gap, expected, pace_needed, recent_pace,
 * recent_window, projection, unit, unit_en, pace_unit, pace_unit_en, explanation, explanation_en,
 * direction, n_periods, n_observed, own_change, reference_change, denominator, frequency, and
 * gap_text/gap_text_en (the gap in words, "7,9 over målet", or null), and for a table (or null)
 * value_label/_en ("Gennemsnit januar–juni 2024"), value_text/_en, pace_text/_en and
 * recent_pace_text/_en ("fald på 7 fuldtidspersoner om måneden"). Absent numbers are null,
 * never NaN. New reference (caller decrefs), NULL on OOM. */
json_t *goal_result_to_json(const GoalResult *r);

/* The audit record of what an evaluation read: {"goal", "date", "projection", "series": {NAME:
 * {"role": ROLE, "values": {PERIOD: VALUE, …}}}}. New reference, NULL on OOM. */
json_t *goal_inputs_to_json(const GoalDef *g, const GoalResult *r, Date date);

/* json_dumps flags used for stored and printed JSON (compact, sorted keys, 10 significant digits). */
#define EVALUATE_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10))
