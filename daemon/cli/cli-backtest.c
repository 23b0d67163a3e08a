/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch backtest [GOAL…] [--years N] [--status-from …] [--probability-at-risk P]
 * [--probability-off-track P] [--json]: how far to trust the warnings, on the stored history (issue 17
 * §4), and how other thresholds would have done. Each goal's rule is moved back to every earlier period of the same length
 * ("at least 380" in 2023, "lower than the year before" as 2023 against 2022, …); each such period
 * is revealed month by month with the figures as they had been fetched by then (replay's as-of
 * view of the store) and evaluated by the goal engine as the daemon would; the evaluations are
 * scored against the engine's final verdict on all of the period's figures (backtest.h).
 * Read-only. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/backtest.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"

static void backtest_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch backtest [--config PATH] [GOAL…] [--years N] [--json]\n"
                "                            [--status-from projection|probability]\n"
                "                            [--probability-at-risk P] [--probability-off-track P]\n\n"
                "How far the goal engine's warnings can be trusted on your own series: each goal's rule\n"
                "is moved back to every earlier period of the same length on the stored history (a\n"
                "change goal's baseline with it), and each such period is revealed month by month with\n"
                "the figures as they had been fetched by the first day of the next month\n"
                "(revision-aware; before the store's first fetch the latest figures, held back by the\n"
                "series' publication lag, and the output says so). The evaluations are scored against\n"
                "the final verdict: 80 %% interval coverage, Brier score, calibration by probability\n"
                "band, false alarms, missed periods caught by mid-period and the lead of the off_track\n"
                "that stays. To see how a threshold change would have played out, give the new\n"
                "thresholds below (or edit a copy of the configuration). Without GOAL every goal is\n"
                "backtested. Read-only.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -y, --years N      only the N most recent earlier periods (default: all, at most %d)\n"
                "      --status-from projection|probability\n"
                "                     judge every goal this way instead of by its own status_from:\n"
                "      --probability-at-risk P, --probability-off-track P\n"
                "                     instead of each goal's thresholds (status_from: probability)\n"
                "      --json         print JSON instead of tables\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 backtested, 1 unknown goal or the configuration/store could not be read, 2 "
                "usage error.\n",
                CONFIG_DEFAULT_PATH, BACKTEST_YEARS_MAX);
}

/* ---- the store as known at a date, with the latest figures where its history does not reach ---- */

typedef struct Cached {
        char *name;
        int64_t first_fetched; /* the earliest fetch of any of its rows; 0: no rows */
        int lag;               /* publication lag in periods, 0 when unknown */
        Series *latest;
} Cached;

typedef struct Loader {
        const Config *config;
        Store *store;
        Hashmap *index; /* name -> Cached */
        Cached **cached;
        size_t n_cached, n_alloc;
        /* the request being served */
        bool latest; /* the latest figures, every period (final verdicts) */
        Date date;   /* otherwise: as fetched before the start of this day */
        int64_t before;
        Date today;         /* the backtest's own date: later periods are not over */
        bool fell_back;     /* a series' history did not reach back to before */
        int64_t aware_from; /* the latest first fetch of such a series */
} Loader;

static void loader_done(Loader *l)
{
        for (size_t i = 0; i < l->n_cached; i++) {
                series_free(l->cached[i]->latest);
                free(l->cached[i]->name);
                free(l->cached[i]);
        }
        free(l->cached);
        hashmap_free(l->index);
}

static int cached_new(Loader *l, const char *name, Cached **ret, char **ret_error)
{
        StoredObservation *rows = NULL;
        const SeriesDef *sd = config_find_series(l->config, name);
        Cached *e;
        size_t n = 0;
        int r = -ENOMEM;

        e = calloc(1, sizeof *e);
        if (!e || !(e->name = strdup(name)))
                goto fail;
        r = store_series_history(l->store, name, &rows, &n, ret_error);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n; i++)
                if (e->first_fetched == 0 || rows[i].fetched_at < e->first_fetched)
                        e->first_fetched = rows[i].fetched_at;
        store_observations_free(rows, n);
        e->lag = sd && sd->publication_lag > 0 ? sd->publication_lag : 0;
        r = store_load_series(l->store, name, &e->latest, ret_error);
        if (r < 0)
                goto fail;
        r = GREEDY_REALLOC(l->cached, l->n_alloc, l->n_cached + 1);
        if (r < 0)
                goto fail;
        r = hashmap_put(l->index, e->name, e, NULL);
        if (r < 0)
                goto fail;
        l->cached[l->n_cached++] = e;
        *ret = e;
        return 0;
fail:
        if (e) {
                series_free(e->latest);
                free(e->name);
                free(e);
        }
        return r;
}

/* A copy of s with the periods published by `date` when the series appears `lag` periods after
 * each one ends (all periods when date is NULL). */
static int series_copy(const Series *s, const Date *date, int lag, Series **ret)
{
        Series *c = NULL;
        int r;

        r = series_new(s->name, &c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_points; i++) {
                if (date && date_compare(period_last_day(period_add(s->points[i].period, lag)), *date) >= 0)
                        continue;
                r = series_put(c, s->points[i]);
                if (r < 0) {
                        series_free(c);
                        return r;
                }
        }
        *ret = c;
        return 0;
}

static int load(void *userdata, const char *name, Series **ret, char **ret_error)
{
        Loader *l = userdata;
        Cached *e = hashmap_get(l->index, name);
        int r;

        if (!e) {
                r = cached_new(l, name, &e, ret_error);
                if (r < 0)
                        return r;
        }
        if (l->latest)
                return series_copy(e->latest, NULL, 0, ret);
        if (e->first_fetched == 0 || l->before >= e->first_fetched)
                return cli_load_asof(&(CliAsOf){ l->store, l->before }, name, ret, ret_error);
        /* nothing was fetched yet then: what has been fetched since, as it would have been published */
        l->fell_back = true;
        l->aware_from = MAX(l->aware_from, e->first_fetched);
        return series_copy(e->latest, &l->date, e->lag, ret);
}

typedef struct GoalSets {
        SeriesSet *sets[_GOAL_ROLE_MAX];
} GoalSets;

static void goal_sets_done(GoalSets *s)
{
        for (int i = 0; i < _GOAL_ROLE_MAX; i++)
                series_set_free(s->sets[i]);
}

/* Evaluates g at date on the figures as known before that day (latest: every figure there is). */
static int evaluate_at(Loader *l, const GoalDef *g, const GoalSeriesMeta *meta, Date date, bool latest,
                       GoalResult *res, char **ret_error)
{
        _cleanup_(goal_sets_done) GoalSets s = {};
        const Series *series[_GOAL_ROLE_MAX] = {};
        int r;

        l->latest = latest;
        l->date = date;
        l->before = cli_end_of_day(date_from_days(date_to_days(date) - 1));
        l->fell_back = false;
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, role);
                if (!name)
                        continue;
                r = evaluate_build_one(l->config, name, load, l, &s.sets[role], ret_error);
                if (r < 0)
                        return r;
                series[role] = series_set_find(s.sets[role], name);
        }
        r = goal_evaluate_series(g, meta, series, date, res);
        if (r < 0)
                *ret_error = strdup_printf(
                        "goal '%s': the engine cannot evaluate it moved to another period (%s)", g->id,
                        strerror(-r));
        return r;
}

/* ---- one goal ---- */

/* What the command line changes in every goal's rule: how a threshold change would have played out. */
typedef struct Options {
        int years;
        bool json;
        bool has_status_from;
        GoalStatusFrom status_from;
        double at_risk, off_track; /* NAN: the goal's own */
} Options;

/* *ret: g with the command line's status_from and probability thresholds (a shallow copy; both
 * thresholds set, the goal's own where the command line gives none). Returns 0, or -EINVAL (*ret
 * filled all the same) when the off_track threshold would not lie below the at_risk one. */
static int goal_rule(const GoalDef *g, const Options *o, GoalDef *ret)
{
        GoalDef rule = *g;
        double at_risk, off_track;

        goal_probability_thresholds(g, &at_risk, &off_track);
        rule.probability_at_risk = isnan(o->at_risk) ? at_risk : o->at_risk;
        rule.probability_off_track = isnan(o->off_track) ? off_track : o->off_track;
        if (o->has_status_from)
                rule.status_from = o->status_from;
        *ret = rule;
        return rule.probability_off_track < rule.probability_at_risk ? 0 : -EINVAL;
}

typedef struct GoalBacktest {
        const GoalDef *goal;
        GoalDef rule; /* the goal with the command line's thresholds: what is moved back */
        BacktestPeriod *periods;
        size_t n_periods, n_alloc;
        BacktestScore score;
        int64_t aware_from; /* evaluations before this (usec) used the latest figures; 0: none did */
} GoalBacktest;

static void goal_backtest_done(GoalBacktest *b)
{
        free(b->periods);
        backtest_score_done(&b->score);
}

/* *ret: the first day of the earliest figure of the goal's measured series (a share's numerator), in
 * days since the epoch; INT64_MAX when it has none. Returns 0 or a negative errno with *ret_error. */
static int earliest_day(Loader *l, const GoalDef *g, int64_t *ret, char **ret_error)
{
        const char *name =
                goal_role_series(g, g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES);
        _cleanup_(series_set_freep) SeriesSet *set = NULL;
        const Series *s;
        int r;

        *ret = INT64_MAX;
        if (!name)
                return 0;
        l->latest = true;
        r = evaluate_build_one(l->config, name, load, l, &set, ret_error);
        if (r < 0)
                return r;
        s = series_set_find(set, name);
        for (size_t i = 0; s && i < s->n_points; i++)
                if (!s->points[i].missing) {
                        *ret = date_to_days(period_first_day(s->points[i].period));
                        break;
                }
        return 0;
}

static int backtest_period(Loader *l, const GoalDef *shifted, const GoalSeriesMeta *meta, GoalResult *res,
                           BacktestPeriod *p, int64_t *aware_from, char **ret_error)
{
        Date after = date_from_days(date_to_days(period_last_day(shifted->period)) + 1);
        int r;

        p->n_months = backtest_period_months(shifted->period);
        if (date_compare(after, l->today) > 0) {
                p->open = true;
                p->final_status = GOAL_STATUS_NO_DATA;
                return 0;
        }
        r = evaluate_at(l, shifted, meta, after, true, res, ret_error);
        if (r < 0)
                return r;
        p->final_status = res->status;
        p->final_reason = res->reason;
        if (res->status != GOAL_STATUS_ACHIEVED && res->status != GOAL_STATUS_MISSED)
                return 0;
        p->has_outcome = true;
        p->met = res->status == GOAL_STATUS_ACHIEVED;
        p->final_value = res->value;

        for (int m = 1; m < p->n_months && p->n_evals < BACKTEST_EVALS_MAX; m++) {
                BacktestEval *e = &p->evals[p->n_evals++];

                e->month = m;
                e->date = backtest_eval_date(shifted->period, m);
                r = evaluate_at(l, shifted, meta, e->date, false, res, ret_error);
                if (r < 0)
                        return r;
                e->status = res->status;
                e->has_probability = res->has_probability && isfinite(res->probability) &&
                                     isfinite(res->projected_low) && isfinite(res->projected_high);
                e->probability = e->has_probability ? res->probability : NAN;
                e->low = e->has_probability ? res->projected_low : NAN;
                e->high = e->has_probability ? res->projected_high : NAN;
                e->revision_aware = !l->fell_back;
                if (l->fell_back)
                        *aware_from = MAX(*aware_from, l->aware_from);
        }
        return 0;
}

static int backtest_goal(Loader *l, const GoalDef *goal, const Options *o, GoalBacktest *ret,
                         char **ret_error)
{
        GoalSeriesMeta meta[_GOAL_ROLE_MAX];
        GoalResult res = {};
        const GoalDef *g = &ret->rule;
        int64_t earliest;
        int r = 0;

        ret->goal = goal;
        r = goal_rule(goal, o, &ret->rule);
        if (r < 0)
                return r;
        evaluate_goal_meta(l->config, g, meta);
        r = earliest_day(l, g, &earliest, ret_error);
        if (r < 0)
                return r;
        for (int k = 1; k <= o->years; k++) {
                GoalDef shifted;
                BacktestPeriod *p;

                if (backtest_shift_goal(g, k, &shifted) < 0 ||
                    date_to_days(period_last_day(shifted.period)) < earliest)
                        break;
                r = GREEDY_REALLOC(ret->periods, ret->n_alloc, ret->n_periods + 1);
                if (r < 0)
                        break;
                p = &ret->periods[ret->n_periods++];
                *p = (BacktestPeriod){ .years_back = k,
                                       .period = shifted.period,
                                       .has_baseline = g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE,
                                       .baseline = shifted.baseline };
                r = backtest_period(l, &shifted, meta, &res, p, &ret->aware_from, ret_error);
                if (r < 0)
                        break;
                r = backtest_score_add(&ret->score, p);
                if (r < 0)
                        break;
        }
        goal_result_done(&res);
        return r;
}

/* ---- output ---- */

static json_t *json_num(double v)
{
        return isfinite(v) ? json_real(v) : json_null();
}

static json_t *score_to_json(const BacktestScore *s)
{
        json_t *bands = json_array();

        for (int b = 0; bands && b < BACKTEST_BANDS; b++) {
                const BacktestBand *x = &s->bands[b];
                char name[16];

                snprintf(name, sizeof name, "%.1f-%.1f", b / 10.0, (b + 1) / 10.0);
                if (json_array_append_new(
                            bands, json_pack("{s:s, s:f, s:f, s:i, s:o, s:o}", "band", name, "from",
                                             b / 10.0, "to", (b + 1) / 10.0, "n", x->n, "mean_predicted",
                                             json_num(x->n ? x->sum_predicted / x->n : NAN), "observed",
                                             json_num(x->n ? (double) x->achieved / x->n : NAN))) < 0) {
                        json_decref(bands);
                        return NULL;
                }
        }
        if (!bands)
                return NULL;
        return json_pack(
                "{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:{s:i, s:i}, s:i, s:i, s:o}",
                "periods", s->periods, "achieved", s->met, "missed", s->missed, "skipped", s->skipped,
                "evaluations", s->evaluations, "with_probability", s->with_probability, "not_revision_aware",
                s->not_revision_aware, "covered", s->covered, "coverage",
                json_num(backtest_score_coverage(s)), "brier", json_num(backtest_score_brier(s)),
                "calibration", bands, "false_alarms", "ever_off_track", s->met_ever_off_track,
                "off_track_two_months", s->met_off_track_twice, "missed_caught", s->missed_caught,
                "missed_with_mid", s->missed_with_mid, "median_lead_months",
                json_num(backtest_score_median_lead(s)));
}

static json_t *eval_to_json(const BacktestEval *e, const BacktestPeriod *p)
{
        char d[16];

        snprintf(d, sizeof d, "%04d-%02d-%02d", e->date.year, e->date.month, e->date.day);
        return json_pack("{s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "month", e->month, "date", d, "status",
                         goal_status_to_string(e->status), "probability", json_num(e->probability), "low",
                         json_num(e->low), "high", json_num(e->high), "covered",
                         e->has_probability && p->has_outcome
                                 ? json_boolean(backtest_eval_covers(e, p->final_value))
                                 : json_null(),
                         "revision_aware", e->revision_aware);
}

static json_t *period_to_json(const BacktestPeriod *p)
{
        char per[PERIOD_STRING_MAX], base[PERIOD_STRING_MAX];
        json_t *evals = json_array();
        bool aware = true;
        int stable = backtest_stable_off_track(p);

        for (int i = 0; evals && i < p->n_evals; i++) {
                aware = aware && p->evals[i].revision_aware;
                if (json_array_append_new(evals, eval_to_json(&p->evals[i], p)) < 0) {
                        json_decref(evals);
                        return NULL;
                }
        }
        if (!evals)
                return NULL;
        period_to_string(p->period, per);
        period_to_string(p->baseline, base);
        return json_pack("{s:s, s:i, s:b, s:s?, s:s?, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "period", per,
                         "years_back", p->years_back, "over", !p->open, "baseline",
                         p->has_baseline ? base : NULL, "outcome",
                         p->has_outcome ? goal_status_to_string(p->final_status) : NULL, "final_status",
                         goal_status_to_string(p->final_status), "final_reason",
                         goal_reason_to_string(p->final_reason), "final_value",
                         p->has_outcome ? json_real(p->final_value) : json_null(), "revision_aware",
                         p->n_evals > 0 ? json_boolean(aware) : json_null(), "stable_off_track_from",
                         stable > 0 ? json_integer(stable) : json_null(), "lead_months",
                         p->has_outcome && !p->met ? json_integer(stable > 0 ? p->n_months - stable : 0)
                                                   : json_null(),
                         "evaluations", evals);
}

static json_t *goal_to_json(const GoalBacktest *b)
{
        char per[PERIOD_STRING_MAX], t[CLI_TIME_MAX];
        json_t *periods = json_array();

        for (size_t i = 0; periods && i < b->n_periods; i++)
                if (json_array_append_new(periods, period_to_json(&b->periods[i])) < 0) {
                        json_decref(periods);
                        return NULL;
                }
        if (!periods)
                return NULL;
        return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:s, s:f, s:f, s:o, s:o, s:o}", "id", b->goal->id,
                         "kind", goal_kind_to_string(b->goal->kind), "direction",
                         goal_direction_to_string(b->goal->direction), "period",
                         period_to_string(b->goal->period, per), "target", b->goal->target, "tolerance",
                         b->rule.tolerance, "status_from",
                         b->rule.status_from == GOAL_STATUS_FROM_PROBABILITY ? "probability" : "projection",
                         "probability_at_risk", b->rule.probability_at_risk, "probability_off_track",
                         b->rule.probability_off_track, "revision_aware_from",
                         b->aware_from > 0 ? json_string(cli_format_usec(b->aware_from, true, t))
                                           : json_null(),
                         "periods", periods, "score", score_to_json(&b->score));
}

static int print_json(const GoalBacktest *b, size_t n, const BacktestScore *total)
{
        _cleanup_free_ char *dump = NULL;
        json_auto_t *goals = json_array(), *root = NULL;

        for (size_t i = 0; goals && i < n; i++)
                if (json_array_append_new(goals, goal_to_json(&b[i])) < 0)
                        return -ENOMEM;
        if (!goals)
                return -ENOMEM;
        root = json_pack("{s:O, s:o}", "goals", goals, "total", score_to_json(total));
        dump = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
        if (!dump)
                return -ENOMEM;
        printf("%s\n", dump);
        return 0;
}

static const char *status_short(GoalStatus s)
{
        switch (s) {
        case GOAL_STATUS_ON_TRACK:
                return "on";
        case GOAL_STATUS_AT_RISK:
                return "risk";
        case GOAL_STATUS_OFF_TRACK:
                return "off";
        default:
                return "-";
        }
}

static const char *const month_abbr[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static void print_period(const BacktestPeriod *p)
{
        char per[2 * PERIOD_STRING_MAX], base[PERIOD_STRING_MAX], v[32];

        period_to_string(p->period, per);
        if (p->has_baseline)
                snprintf(per + strlen(per), sizeof per - strlen(per), "/%s",
                         period_to_string(p->baseline, base));
        if (p->open) {
                printf("  %-10s not over yet: not scored\n", per);
                return;
        }
        if (!p->has_outcome &&
            (p->final_status == GOAL_STATUS_ON_TRACK || p->final_status == GOAL_STATUS_AT_RISK ||
             p->final_status == GOAL_STATUS_OFF_TRACK)) {
                /* over, but the engine still projects: a figure of the period is not in */
                printf("  %-10s no final verdict (not all of its figures are in): not scored\n", per);
                return;
        }
        if (!p->has_outcome) {
                printf("  %-10s no final verdict (%s, %s): not scored\n", per,
                       goal_status_to_string(p->final_status), goal_reason_to_string(p->final_reason));
                return;
        }
        snprintf(v, sizeof v, "%.1f", p->final_value);
        printf("  %-10s %-9s %9s  chance", per, goal_status_to_string(p->final_status), v);
        for (int i = 0; i < p->n_evals; i++)
                if (p->evals[i].has_probability && backtest_eval_scored(&p->evals[i]))
                        printf(" %3.0f%%", 100 * p->evals[i].probability);
                else
                        printf(" %4s", "-");
        printf("\n  %-10s %-9s %9s  status", "", "", "");
        for (int i = 0; i < p->n_evals; i++)
                printf(" %4s", status_short(p->evals[i].status));
        printf("\n");
}

static void print_score(const BacktestScore *s, const char *indent)
{
        double cov = backtest_score_coverage(s), brier = backtest_score_brier(s),
               lead = backtest_score_median_lead(s);

        printf("%sscored %d evaluation%s (%d with a probability) of %d period%s (%d achieved, %d missed)",
               indent, s->evaluations, s->evaluations == 1 ? "" : "s", s->with_probability, s->periods,
               s->periods == 1 ? "" : "s", s->met, s->missed);
        if (s->not_revision_aware > 0)
                printf(", %d on the latest figures", s->not_revision_aware);
        printf("\n");
        if (isfinite(cov))
                printf("%s80 %% interval held the final value: %d of %d (%.1f %%); Brier score %.3f\n",
                       indent, s->covered, s->with_probability, 100 * cov, brier);
        if (s->met > 0)
                printf("%sfalse alarms: %d of %d achieved ever off_track, %d off_track two months in a "
                       "row\n",
                       indent, s->met_ever_off_track, s->met, s->met_off_track_twice);
        if (s->missed > 0) {
                printf("%smissed caught: %d of %d off_track at mid-period (end of June for a year)", indent,
                       s->missed_caught, s->missed_with_mid);
                printf("; median lead of the off_track that stays %.1f month%s\n", lead,
                       lead == 1 ? "" : "s");
        }
}

/* all_bands: every band, also the empty ones (the total); else only those with evaluations. */
static void print_calibration(const BacktestScore *s, bool all_bands)
{
        printf("  calibration    n  predicted  observed\n");
        for (int b = 0; b < BACKTEST_BANDS; b++) {
                const BacktestBand *x = &s->bands[b];
                if (x->n == 0 && all_bands)
                        printf("  %.1f-%.1f  %5d  %9s  %8s\n", b / 10.0, (b + 1) / 10.0, 0, "-", "-");
                else if (x->n > 0)
                        printf("  %.1f-%.1f  %5d  %7.1f %%  %6.1f %%\n", b / 10.0, (b + 1) / 10.0, x->n,
                               100 * x->sum_predicted / x->n, 100.0 * x->achieved / x->n);
        }
}

static void print_goal(const GoalBacktest *b)
{
        char per[PERIOD_STRING_MAX], t[CLI_TIME_MAX];

        printf("%s (%s, %s %g, %s): %zu earlier period%s\n", b->goal->id, goal_kind_to_string(b->goal->kind),
               goal_direction_to_string(b->goal->direction), b->goal->target,
               period_to_string(b->goal->period, per), b->n_periods, b->n_periods == 1 ? "" : "s");
        if (b->rule.status_from == GOAL_STATUS_FROM_PROBABILITY)
                printf("  status from the probability: at_risk below %.2f, off_track below %.2f\n",
                       b->rule.probability_at_risk, b->rule.probability_off_track);
        else
                printf("  status from the projection: tolerance %g\n", b->rule.tolerance);
        if (b->aware_from > 0)
                printf("  not revision-aware for periods before %s (the store's first fetch): the latest "
                       "figures,\n"
                       "  each held back by its series' publication lag, stand in for what was known then\n",
                       cli_format_usec(b->aware_from, false, t));
        /* the months of the first period evaluated head the columns: all have the goal's length */
        for (size_t i = 0; i < b->n_periods; i++) {
                const BacktestPeriod *p = &b->periods[i];
                Date f = period_first_day(p->period);

                if (p->n_evals == 0)
                        continue;
                printf("  %-10s %-9s %9s  after ", "period", "outcome", "final");
                for (int j = 0; j < p->n_evals; j++)
                        printf(" %4s", month_abbr[(f.month - 1 + p->evals[j].month - 1) % 12]);
                printf("\n");
                break;
        }
        for (size_t i = 0; i < b->n_periods; i++)
                print_period(&b->periods[i]);
        print_score(&b->score, "  ");
        if (b->score.with_probability > 0)
                print_calibration(&b->score, false);
        printf("\n");
}

static void print_text(const GoalBacktest *b, size_t n, const BacktestScore *total)
{
        for (size_t i = 0; i < n; i++)
                print_goal(&b[i]);
        printf("Total, %zu goal%s:\n", n, n == 1 ? "" : "s");
        print_score(total, "  ");
        if (total->skipped > 0)
                printf("  %d earlier period%s without a final verdict, not scored\n", total->skipped,
                       total->skipped == 1 ? "" : "s");
        if (total->with_probability > 0)
                print_calibration(total, true);
}

/* ---- the command ---- */

static int parse_years(const char *s, int *ret)
{
        int n;

        if (safe_atoi(s, &n) < 0 || n < 1 || n > BACKTEST_YEARS_MAX) {
                fprintf(stderr, "labourwatch backtest: --years: '%s' is not a number from 1 to %d\n", s,
                        BACKTEST_YEARS_MAX);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

static int parse_probability(const char *option, const char *s, double *ret)
{
        double p;

        if (safe_atod(s, &p) < 0 || !(p >= 0 && p <= 1)) {
                fprintf(stderr, "labourwatch backtest: --%s: '%s' is not a probability from 0 to 1\n",
                        option, s);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}

static int parse_options(int argc, char **argv, const char **config_path, Options *o)
{
        enum { ARG_JSON = 0x100, ARG_STATUS_FROM, ARG_AT_RISK, ARG_OFF_TRACK };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "years", required_argument, NULL, 'y' },
                { "status-from", required_argument, NULL, ARG_STATUS_FROM },
                { "probability-at-risk", required_argument, NULL, ARG_AT_RISK },
                { "probability-off-track", required_argument, NULL, ARG_OFF_TRACK },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:y:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        *config_path = optarg;
                        break;
                case 'y':
                        if (parse_years(optarg, &o->years) < 0)
                                return -EINVAL;
                        break;
                case ARG_STATUS_FROM:
                        if (!streq(optarg, "projection") && !streq(optarg, "probability")) {
                                fprintf(stderr,
                                        "labourwatch backtest: --status-from: '%s' is neither projection "
                                        "nor "
                                        "probability\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->has_status_from = true;
                        o->status_from = streq(optarg, "probability") ? GOAL_STATUS_FROM_PROBABILITY
                                                                      : GOAL_STATUS_FROM_PROJECTION;
                        break;
                case ARG_AT_RISK:
                        if (parse_probability("probability-at-risk", optarg, &o->at_risk) < 0)
                                return -EINVAL;
                        if (o->at_risk == 0) {
                                fprintf(stderr,
                                        "labourwatch backtest: --probability-at-risk: must be above 0\n");
                                return -EINVAL;
                        }
                        break;
                case ARG_OFF_TRACK:
                        if (parse_probability("probability-off-track", optarg, &o->off_track) < 0)
                                return -EINVAL;
                        break;
                case ARG_JSON:
                        o->json = true;
                        break;
                case 'h':
                        backtest_help(stdout);
                        return 0;
                default:
                        cli_option_error("backtest", options, argc, argv);
                        return -EINVAL;
                }
        return 1;
}

static int run(const Config *c, Store *st, const bool *selected, const Options *o, char **ret_error)
{
        _cleanup_free_ GoalBacktest *b = NULL;
        BacktestScore total = {};
        Loader l = { .config = c, .store = st };
        time_t now = time(NULL);
        struct tm tm;
        size_t n = 0;
        int r;

        /* the CLI may read the clock; a period that ends after today is not over */
        localtime_r(&now, &tm);
        l.today = (Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };

        b = calloc(MAX(c->n_goals, (size_t) 1), sizeof *b);
        if (!b || hashmap_new(0, &l.index) < 0) {
                loader_done(&l);
                return -ENOMEM;
        }
        r = 0;
        for (size_t i = 0; i < c->n_goals && r >= 0; i++) {
                if (!selected[i])
                        continue;
                r = backtest_goal(&l, &c->goals[i], o, &b[n], ret_error);
                n++;
                if (r >= 0)
                        r = backtest_score_merge(&total, &b[n - 1].score);
        }
        if (r >= 0)
                r = o->json ? print_json(b, n, &total) : (print_text(b, n, &total), 0);
        for (size_t i = 0; i < n; i++)
                goal_backtest_done(&b[i]);
        backtest_score_done(&total);
        loader_done(&l);
        return r;
}

int cli_backtest(int argc, char **argv)
{
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        _cleanup_free_ bool *selected = NULL;
        const char *config_path = cli_default_config_path();
        Options o = { .years = BACKTEST_YEARS_MAX, .at_risk = NAN, .off_track = NAN };
        int r;

        r = parse_options(argc, argv, &config_path, &o);
        if (r <= 0) {
                if (r < 0)
                        cli_usage_hint("backtest");
                return r < 0 ? 2 : 0;
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        if (cli_select_goals(c, "backtest", config_path, argc, argv, optind, &selected) < 0)
                return 1;
        for (size_t i = 0; i < c->n_goals; i++) {
                GoalDef rule;
                if (selected[i] && goal_rule(&c->goals[i], &o, &rule) < 0) {
                        fprintf(stderr,
                                "labourwatch backtest: goal '%s': the off_track threshold %g must be below "
                                "the "
                                "at_risk threshold %g\n",
                                c->goals[i].id, rule.probability_off_track, rule.probability_at_risk);
                        cli_usage_hint("backtest");
                        return 2;
                }
        }

        r = store_open_readonly(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch backtest: %s\n",
                        r == -ENOENT ? "no database yet: nothing was ever fetched"
                        : err        ? err
                                     : strerror(-r));
                return 1;
        }
        r = run(c, st, selected, &o, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch backtest: %s\n", err ? err : strerror(-r));
                return 1;
        }
        return 0;
}
