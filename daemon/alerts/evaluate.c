/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store -> series -> goals -> audit. The only part of the goal engine that touches the store or
 * JSON; goal.c and expr.c stay pure. */
#include <assert.h>
#include <math.h>
#include <time.h>

#include "labourwatch/evaluate.h"
#include "labourwatch/expr.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"

typedef struct Builder {
        const Config *c;
        evaluate_loader_t load;
        void *userdata;
        SeriesSet *set;
        const char *stack[64]; /* series being resolved, for cycle detection */
        size_t n_stack;
        char **error;
} Builder;

/* O(1) through the Config's name index (a scan only on a Config built by hand). */
static const SeriesDef *find_def(const Config *c, const char *name)
{
        return config_find_series(c, name);
}

static int resolve(Builder *b, const char *name)
{
        _cleanup_(series_freep) Series *s = NULL;
        const SeriesDef *def;
        int r;

        if (series_set_find(b->set, name))
                return 0;
        for (size_t i = 0; i < b->n_stack; i++)
                if (streq(b->stack[i], name)) {
                        const SeriesDef *d = find_def(b->c, b->stack[i]);
                        _cleanup_free_ char *chain = strdup(b->stack[i]);
                        for (size_t k = i + 1; chain && k < b->n_stack; k++) {
                                char *t = strdup_printf("%s -> %s", chain, b->stack[k]);
                                free(chain);
                                chain = t;
                        }
                        if (!chain)
                                return -ENOMEM;
                        if (b->error)
                                *b->error = strdup_printf("%s:%u:%u: series '%s': expression depends on itself: %s -> %s",
                                                          d ? strna(d->expr_pos.file) : "?", d ? d->expr_pos.line : 0,
                                                          d ? d->expr_pos.column : 0, name, chain, name);
                        return -ELOOP;
                }
        if (b->n_stack >= ELEMENTSOF(b->stack)) {
                if (b->error)
                        *b->error = strdup_printf("series '%s': derived series nested more than %zu deep", name,
                                                  ELEMENTSOF(b->stack));
                return -ELOOP;
        }

        def = find_def(b->c, name);
        r = b->load(b->userdata, name, &s, b->error);
        if (r < 0)
                return r;
        if (s->n_points == 0 && def && def->expr) {
                _cleanup_(expr_freep) Expr *e = NULL;
                ExprError err = {};

                r = expr_parse(def->expr, &e, &err);
                if (r == -EINVAL) {
                        if (b->error)
                                *b->error = expr_error_to_string(def, &err);
                        return r;
                }
                if (r < 0)
                        return r;
                b->stack[b->n_stack++] = name;
                for (size_t i = 0; i < expr_n_vars(e); i++) {
                        r = resolve(b, expr_var(e, i));
                        if (r < 0)
                                return r;
                }
                b->n_stack--;
                series_free(TAKE_PTR(s));
                r = series_derive(def, b->set, &s, b->error);
                if (r < 0)
                        return r;
        }
        return series_set_add(b->set, TAKE_PTR(s));
}

/* Resolves one series (name) or, with name NULL, every series the goals use, into a new set. */
static int build(const Config *c, const char *name, evaluate_loader_t load, void *userdata, SeriesSet **ret,
                 char **ret_error)
{
        _cleanup_(series_set_freep) SeriesSet *set = NULL;
        Builder b = { .c = c, .load = load, .userdata = userdata, .error = ret_error };
        int r;

        r = series_set_new(&set);
        if (r < 0)
                return r;
        b.set = set;
        if (name) {
                r = resolve(&b, name);
                if (r < 0)
                        return r;
        } else
                for (size_t i = 0; i < c->n_goals; i++)
                        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                                const char *n = goal_role_series(&c->goals[i], role);
                                if (!n)
                                        continue;
                                r = resolve(&b, n);
                                if (r < 0)
                                        return r;
                        }
        *ret = TAKE_PTR(set);
        return 0;
}

int evaluate_build_one(const Config *c, const char *name, evaluate_loader_t load, void *userdata, SeriesSet **ret,
                       char **ret_error)
{
        assert(name);
        return build(c, name, load, userdata, ret, ret_error);
}

int evaluate_build_series(const Config *c, evaluate_loader_t load, void *userdata, SeriesSet **ret,
                          char **ret_error)
{
        return build(c, NULL, load, userdata, ret, ret_error);
}

void evaluate_goal_meta(const Config *c, const GoalDef *g, GoalSeriesMeta meta[static _GOAL_ROLE_MAX])
{
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, role);
                const SeriesDef *d = name ? find_def(c, name) : NULL;
                meta[role] = d ? (GoalSeriesMeta){ .publication_lag = d->publication_lag, .unit_da = d->unit_da,
                                                   .unit_en = d->unit_en, .label_da = d->label_da, .label_en = d->label_en }
                               : (GoalSeriesMeta){ .publication_lag = -1 };
        }
}

int evaluate_goals(const Config *c, const SeriesSet *set, Date date, GoalResult **ret, size_t *ret_n,
                   char **ret_error)
{
        GoalResult *results;
        int r;

        results = calloc(MAX(c->n_goals, (size_t) 1), sizeof(GoalResult));
        if (!results)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_goals; i++) {
                const GoalDef *g = &c->goals[i];
                GoalSeriesMeta meta[_GOAL_ROLE_MAX];
                const Series *s[_GOAL_ROLE_MAX] = {};

                evaluate_goal_meta(c, g, meta);
                for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                        const char *name = goal_role_series(g, role);
                        if (name)
                                s[role] = series_set_find(set, name); /* O(1): hashed */
                }
                r = goal_evaluate_series(g, meta, s, date, &results[i]);
                if (r < 0) {
                        if (r == -EINVAL && ret_error)
                                *ret_error = strdup_printf("%s:%u:%u: goal '%s': cannot be evaluated (incomplete definition)",
                                                           strna(g->pos.file), g->pos.line, g->pos.column, strna(g->id));
                        goal_results_free(results, c->n_goals);
                        return r;
                }
                text_fill_input(g, &(TextInput){ .meta = meta }, &results[i]);
        }
        *ret = results;
        *ret_n = c->n_goals;
        return 0;
}

/* A goal without figures whose source is in a failure streak, or was never fetched, says so ("could
 * not be fetched, contact IT") instead of "not published yet". The source states are read once per
 * evaluation, not per goal. */
/* The failing source series name's figures come from, directly or through a derived series'
 * expression (depth-limited: a cycle is refused when the series are built), or NULL. */
static const SourceDef *failing_source(const Config *c, const bool *failing, Hashmap *memo, const char *name,
                                      unsigned depth)
{
        static const char none = 0; /* memo value for "no failing source" (NULL means not seen) */
        const SeriesDef *d = find_def(c, name);
        _cleanup_(expr_freep) Expr *e = NULL;
        const SourceDef *found = NULL;
        ExprError err = {};
        void *seen;

        if (!d || depth > 8)
                return NULL;
        if (d->source_def)
                return d->source_def >= c->sources && d->source_def < c->sources + c->n_sources &&
                                       failing[d->source_def - c->sources]
                               ? d->source_def
                               : NULL;
        /* Each derived series once per evaluation, however many goals name it. */
        seen = hashmap_get(memo, d->name);
        if (seen)
                return seen == &none ? NULL : seen;
        if (!d->expr || expr_parse(d->expr, &e, &err) < 0)
                return NULL;
        for (size_t i = 0; i < expr_n_vars(e) && !found; i++)
                found = failing_source(c, failing, memo, expr_var(e, i), depth + 1);
        (void) hashmap_replace(memo, d->name, found ? (void *) found : (void *) &none); /* a cache: -ENOMEM is harmless */
        return found;
}

static int explain_failing_sources(Store *st, const Config *c, GoalResult *results, size_t n, char **ret_error)
{
        _cleanup_free_ bool *failing = NULL;
        _cleanup_(hashmap_freep) Hashmap *memo = NULL;
        bool any = false;
        int r;

        for (size_t i = 0; i < n && !any; i++)
                any = results[i].status == GOAL_STATUS_NO_DATA;
        if (!any || c->n_sources == 0)
                return 0;
        failing = calloc(c->n_sources, sizeof(bool));
        if (!failing || hashmap_new(0, &memo) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sources; i++) {
                SourceState ss = {};
                r = store_get_source_state(st, c->sources[i].name, &ss, ret_error);
                if (r < 0)
                        return r;
                failing[i] = ss.consecutive_failures > 0 || (ss.last_attempt == 0 && ss.last_success == 0);
                source_state_done(&ss);
        }
        for (size_t i = 0; i < n; i++) {
                const GoalDef *g = &c->goals[i];
                GoalSeriesMeta meta[_GOAL_ROLE_MAX];
                TextInput in = {};

                if (results[i].status != GOAL_STATUS_NO_DATA)
                        continue;
                for (int role = 0; role < _GOAL_ROLE_MAX && !in.source_failing; role++) {
                        const char *name = goal_role_series(g, role);
                        const SourceDef *src = name ? failing_source(c, failing, memo, name, 0) : NULL;
                        if (src) {
                                in.source_failing = true;
                                /* as loaded: the display name; a SourceDef made in code: the kind's */
                                in.source_da = src->display_name_da ?: source_default_display_name(src->kind, false)
                                                                         ?: src->name;
                                in.source_en = src->display_name_en ?: source_default_display_name(src->kind, true)
                                                                         ?: src->name;
                        }
                }
                if (!in.source_failing)
                        continue;
                evaluate_goal_meta(c, g, meta);
                in.meta = meta;
                text_fill_input(g, &in, &results[i]);
        }
        return 0;
}

static int load_from_store(void *userdata, const char *name, Series **ret, char **ret_error)
{
        Store *st = userdata;

        if (!st)
                return series_new(name, ret);
        return store_load_series(st, name, ret, ret_error);
}

static json_t *number_or_null(bool has, double v)
{
        return has && isfinite(v) ? json_real(v) : json_null();
}

/* Words for a table (text_fill), null when there are none. */
static json_t *words_or_null(const char *s)
{
        return *s ? json_string(s) : json_null();
}

json_t *goal_result_to_json(const GoalResult *r)
{
        char latest[PERIOD_STRING_MAX], period[PERIOD_STRING_MAX];
        json_t *o;

        o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:f, s:o, s:o, s:o, s:o, s:i, s:s, s:s, s:s, "
                         "s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:s?, s:o, s:o, "
                         "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                         "id", strempty(r->id),
                         "kind", strempty(goal_kind_to_string(r->kind)),
                         "status", strempty(goal_status_to_string(r->status)),
                         "reason", strempty(goal_reason_to_string(r->reason)),
                         "period", r->has_latest ? json_string(period_to_string(r->latest, latest)) : json_null(),
                         "goal_period", period_to_string(r->period, period),
                         "value", number_or_null(r->has_value, r->value),
                         "projected", number_or_null(r->has_projected, r->projected),
                         "target", isfinite(r->target) ? r->target : 0.0,
                         "gap", number_or_null(r->has_gap, r->gap),
                         "expected", number_or_null(r->has_expected, r->expected),
                         "pace_needed", number_or_null(r->has_pace, r->pace_needed),
                         "recent_pace", number_or_null(r->has_recent_pace, r->recent_pace),
                         "recent_window", r->recent_window,
                         "projection", strempty(projection_method_to_string(r->projection)),
                         "unit", r->unit_da,
                         "unit_en", r->unit_en,
                         "pace_unit", r->pace_unit_da,
                         "pace_unit_en", r->pace_unit_en,
                         "explanation", r->explanation_da,
                         "explanation_en", r->explanation_en,
                         "direction", strempty(goal_direction_to_string(r->direction)),
                         "n_periods", r->n_periods,
                         "n_observed", r->n_observed,
                         "own_change", number_or_null(r->has_own_change, r->own_change),
                         "reference_change", number_or_null(r->has_reference_change, r->reference_change),
                         "denominator", number_or_null(r->kind == GOAL_SHARE && r->has_latest, r->denominator),
                         "frequency", r->freq >= 0 ? period_freq_to_string(r->freq) : NULL,
                         "gap_text", r->has_gap && *r->gap_da ? json_string(r->gap_da) : json_null(),
                         "gap_text_en", r->has_gap && *r->gap_en ? json_string(r->gap_en) : json_null(),
                         "value_label", words_or_null(r->value_label_da),
                         "value_label_en", words_or_null(r->value_label_en),
                         "value_text", words_or_null(r->value_text_da),
                         "value_text_en", words_or_null(r->value_text_en),
                         "pace_text", words_or_null(r->pace_da),
                         "pace_text_en", words_or_null(r->pace_en),
                         "recent_pace_text", words_or_null(r->recent_pace_da),
                         "recent_pace_text_en", words_or_null(r->recent_pace_en));
        /* The predictive distribution, only where the engine computed one (goal.h). */
        if (o && r->has_probability && isfinite(r->probability) && isfinite(r->projected_low) &&
            isfinite(r->projected_high) &&
            (json_object_set_new(o, "probability", json_real(r->probability)) < 0 ||
             json_object_set_new(o, "projected_low", json_real(r->projected_low)) < 0 ||
             json_object_set_new(o, "projected_high", json_real(r->projected_high)) < 0)) {
                json_decref(o);
                return NULL;
        }
        /* the chance in words (text_chance), for the mail and the Teams card: one wording */
        if (o && *r->chance_da &&
            (json_object_set_new(o, "chance_text", json_string(r->chance_da)) < 0 ||
             json_object_set_new(o, "chance_text_en", json_string(r->chance_en)) < 0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

json_t *goal_inputs_to_json(const GoalDef *g, const GoalResult *r, Date date)
{
        _cleanup_(json_decrefp) json_t *root = NULL, *series = NULL;
        char buf[PERIOD_STRING_MAX], d[16];

        snprintf(d, sizeof(d), "%04d-%02d-%02d", date.year, date.month, date.day);
        series = json_object();
        if (!series)
                return NULL;
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, role);
                json_t *values;
                if (!name)
                        continue;
                values = json_object();
                if (!values || json_object_set_new(series, name, json_pack("{s:s, s:o}", "role",
                                                                           goal_role_to_string(role), "values", values)) < 0)
                        return NULL;
                for (size_t i = 0; i < r->n_inputs; i++)
                        if (r->inputs[i].role == (GoalRole) role &&
                            json_object_set_new(values, period_to_string(r->inputs[i].period, buf),
                                                json_real(r->inputs[i].value)) < 0)
                                return NULL;
        }
        root = json_pack("{s:s, s:s, s:s, s:O}", "goal", strempty(g->id), "date", d, "projection",
                         strempty(projection_method_to_string(r->projection)), "series", series);
        return TAKE_PTR(root);
}

int evaluate_all(Store *st, const Config *c, Date date, uint64_t at_usec, bool record, GoalResult **ret,
                 size_t *ret_n, char **ret_error)
{
        _cleanup_(series_set_freep) SeriesSet *set = NULL;
        GoalResult *results = NULL;
        size_t n = 0;
        char d[16];
        int r;

        assert(c);
        if (record && !st)
                return -EINVAL;
        r = evaluate_build_series(c, load_from_store, st, &set, ret_error);
        if (r < 0)
                return r;
        r = evaluate_goals(c, set, date, &results, &n, ret_error);
        if (r < 0)
                return r;
        if (st) {
                r = explain_failing_sources(st, c, results, n, ret_error);
                if (r < 0) {
                        goal_results_free(results, n);
                        return r;
                }
        }

        if (record) {
                snprintf(d, sizeof(d), "%04d-%02d-%02d", date.year, date.month, date.day);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_(json_decrefp) json_t *in = goal_inputs_to_json(&c->goals[i], &results[i], date);
                        _cleanup_(json_decrefp) json_t *res = goal_result_to_json(&results[i]);
                        _cleanup_free_ char *in_s = NULL, *res_s = NULL;
                        if (!in || !res || !(in_s = json_dumps(in, EVALUATE_JSON_FLAGS)) ||
                            !(res_s = json_dumps(res, EVALUATE_JSON_FLAGS))) {
                                goal_results_free(results, n);
                                return -ENOMEM;
                        }
                        r = store_add_evaluation(st, results[i].id, d, goal_status_to_string(results[i].status), in_s,
                                                 res_s, (int64_t) at_usec, ret_error);
                        if (r < 0) {
                                goal_results_free(results, n);
                                return r;
                        }
                }
        }
        *ret = results;
        *ret_n = n;
        return 0;
}
