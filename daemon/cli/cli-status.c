/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch status [--config PATH] [--json]: sources, series, goals and notifiers at a glance,
 * from the state database (read-only; safe while the daemon runs: the daemon's lock on the state
 * directory keeps out a second daemon, not readers). Times local, with the zone (JSON: UTC).
 *
 * One query per table (store-status.c), then a binary search per configured name: the cost grows
 * with the size of the store and the configuration, not with their product. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "labourwatch/alert.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/text.h"

#define CHANCE_MAX 512

static void status_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch status [--config PATH] [--json]\n\n"
                "Per source: last success, last failure, last attempt, consecutive failures, last\n"
                "error, next fetch. Per fetched series: periods stored, the latest one, and when new\n"
                "figures last arrived. Per goal: the latest evaluation, its status in words, the\n"
                "chance of reaching the target where known, and the alert state (firing since,\n"
                "silenced until, acknowledged). Per notifier: messages waiting, the oldest of them,\n"
                "the last delivery and the last error. The data problems not over yet.\n"
                "Read-only; safe while the daemon runs.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "      --json         print JSON instead of tables (keys: labourwatch(1))\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 shown, 1 the configuration or the store could not be read, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

/* Everything read from the store, each sorted by name. */
typedef struct StatusData {
        StoredSourceStatus *sources;
        size_t n_sources;
        StoredSeriesSummary *series;
        size_t n_series;
        StoredEvaluation *evals;
        size_t n_evals;
        char **alert_ids, **alert_docs;
        size_t n_alerts;
        StoredControl *controls;
        size_t n_controls;
        StoredChannelStatus *channels;
        size_t n_channels;
} StatusData;

static void status_data_done(StatusData *d)
{
        store_source_status_free(d->sources, d->n_sources);
        store_series_summaries_free(d->series, d->n_series);
        store_evaluations_free(d->evals, d->n_evals);
        strv_free_n(d->alert_ids, d->n_alerts);
        strv_free_n(d->alert_docs, d->n_alerts);
        store_controls_free(d->controls, d->n_controls);
        store_channel_status_free(d->channels, d->n_channels);
        *d = (StatusData){};
}

static int status_data_load(Store *st, StatusData *d, char **ret_error)
{
        int r;

        r = store_list_source_status(st, &d->sources, &d->n_sources, ret_error);
        if (r >= 0)
                r = store_list_series_summaries(st, &d->series, &d->n_series, ret_error);
        if (r >= 0)
                r = store_list_latest_evaluations(st, &d->evals, &d->n_evals, ret_error);
        if (r >= 0)
                r = store_list_alert_states(st, &d->alert_ids, &d->alert_docs, &d->n_alerts, ret_error);
        if (r >= 0)
                r = store_list_alert_controls(st, &d->controls, &d->n_controls, ret_error);
        if (r >= 0)
                r = store_outbox_channel_status(st, &d->channels, &d->n_channels, ret_error);
        return r;
}

/* bsearch() over an array of structs whose first member is the char * name. */
static int cmp_first_name(const void *key, const void *elem)
{
        return strcmp(key, *(char *const *) elem);
}

static const void *find_name(const char *name, const void *base, size_t n, size_t size)
{
        return n > 0 ? bsearch(name, base, n, size, cmp_first_name) : NULL;
}

/* One goal as status shows it. */
typedef struct GoalView {
        const GoalDef *def;
        const StoredEvaluation *eval; /* NULL: never evaluated */
        GoalStatus status;            /* _GOAL_STATUS_INVALID without an evaluation */
        bool has_probability;
        double probability, low, high;
        char chance_da[CHANCE_MAX], chance_en[CHANCE_MAX];
        bool has_alert;
        AlertState alert;
        const StoredControl *control;
        bool silenced, acked;
} GoalView;

/* The chance in words from the stored result: text_chance() reads the status, the probability and
 * its interval, and the units. scratch is zeroed here (a GoalResult is large: one for all goals). */
static void goal_view_chance(GoalView *v, GoalResult *scratch)
{
        json_auto_t *res = v->eval ? json_loads(v->eval->result_json, 0, NULL) : NULL;
        json_t *p = json_object_get(res, "probability"), *lo = json_object_get(res, "projected_low"),
               *hi = json_object_get(res, "projected_high");
        const struct {
                const char *key;
                char *dst;
        } units[] = {
                { "unit", scratch->unit_da },
                { "unit_en", scratch->unit_en },
                { "pace_unit", scratch->pace_unit_da },
                { "pace_unit_en", scratch->pace_unit_en },
        };

        if (!json_is_number(p) || !json_is_number(lo) || !json_is_number(hi))
                return;
        v->has_probability = true;
        v->probability = json_number_value(p);
        v->low = json_number_value(lo);
        v->high = json_number_value(hi);

        memset(scratch, 0, sizeof *scratch);
        scratch->status = v->status;
        scratch->kind = v->def->kind;
        scratch->direction = v->def->direction;
        scratch->freq = _PERIOD_FREQ_INVALID;
        scratch->has_probability = true;
        scratch->probability = v->probability;
        scratch->projected_low = v->low;
        scratch->projected_high = v->high;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                snprintf(units[i].dst, GOAL_UNIT_MAX, "%s",
                         strempty(json_string_value(json_object_get(res, units[i].key))));
        (void) text_chance(v->def, scratch, "da", v->chance_da, sizeof v->chance_da);
        (void) text_chance(v->def, scratch, "en", v->chance_en, sizeof v->chance_en);
}

static int goal_views_build(const Config *c, const StatusData *d, GoalView **ret)
{
        _cleanup_free_ GoalResult *scratch = calloc(1, sizeof(GoalResult));
        GoalView *v = calloc(MAX(c->n_goals, (size_t) 1), sizeof *v);
        Date today = cli_today();

        if (!v || !scratch) {
                free(v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_goals; i++) {
                GoalView *g = &v[i];
                char *const *doc;

                g->def = &c->goals[i];
                g->eval = find_name(g->def->id, d->evals, d->n_evals, sizeof *d->evals);
                g->status = g->eval ? goal_status_from_string(g->eval->status) : _GOAL_STATUS_INVALID;
                goal_view_chance(g, scratch);
                doc = find_name(g->def->id, d->alert_ids, d->n_alerts, sizeof *d->alert_ids);
                g->has_alert =
                        doc && alert_state_from_json(d->alert_docs[doc - d->alert_ids], &g->alert) >= 0;
                g->control = find_name(g->def->id, d->controls, d->n_controls, sizeof *d->controls);
                g->silenced = cli_control_silenced(g->control, today);
                g->acked = cli_control_acked(g->control, g->has_alert ? &g->alert : NULL);
        }
        *ret = v;
        return 0;
}

static void goal_views_free(GoalView *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                alert_state_done(&v[i].alert);
        free(v);
}

/* ---- JSON ---- */

/* NULL for "never", so JSON says null rather than "". */
static json_t *time_json(int64_t usec)
{
        char t[CLI_TIME_MAX];
        return usec > 0 && usec != INT64_MAX ? json_string(cli_format_usec(usec, true, t)) : json_null();
}

static json_t *words_json(const char *s)
{
        return s && *s ? json_string(s) : json_null();
}

static int sources_json(const Config *c, const StatusData *d, json_t *a)
{
        for (size_t i = 0; i < c->n_sources; i++) {
                const StoredSourceStatus *s =
                        find_name(c->sources[i].name, d->sources, d->n_sources, sizeof *d->sources);
                const SourceState none = {}, *st = s ? &s->state : &none;
                json_t *o = json_pack("{s:s, s:s?, s:o, s:o, s:o, s:i, s:o, s:s?, s:o}", "name",
                                      c->sources[i].name, "kind", source_kind_to_string(c->sources[i].kind),
                                      "last_success", time_json(st->last_success), "last_failure",
                                      time_json(s ? s->last_failure : 0), "last_attempt",
                                      time_json(st->last_attempt), "consecutive_failures",
                                      (json_int_t) st->consecutive_failures, "failing_since",
                                      time_json(st->consecutive_failures > 0 ? st->first_failure : 0),
                                      "last_error", st->last_error, "next_due", time_json(st->next_due));
                if (!o || json_array_append_new(a, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int series_json(const Config *c, const StatusData *d, json_t *a)
{
        for (size_t i = 0; i < c->n_series; i++) {
                const StoredSeriesSummary none = {}, *m = find_name(c->series[i].name, d->series,
                                                                    d->n_series, sizeof *d->series);
                char p[PERIOD_STRING_MAX];
                json_t *o;

                if (!c->series[i].source)
                        continue; /* derived: nothing stored */
                m = m ?: &none;
                o = json_pack("{s:s, s:s, s:I, s:I, s:s?, s:o, s:o}", "name", c->series[i].name, "source",
                              c->series[i].source, "periods", (json_int_t) m->n_periods, "revised_periods",
                              (json_int_t) m->n_revised, "latest_period",
                              m->have_latest ? period_to_string(m->latest, p) : NULL, "latest_value",
                              m->have_latest && !m->latest_missing ? json_real(m->latest_value)
                                                                   : json_null(),
                              "last_new_data", time_json(m->last_new_data));
                if (!o || json_array_append_new(a, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static json_t *alert_json(const GoalView *g)
{
        const AlertState *s = &g->alert;
        const StoredControl *c = g->control;
        char p[PERIOD_STRING_MAX];

        return json_pack(
                "{s:b, s:o, s:o, s:b, s:o, s:s?, s:s?, s:b, s:o, s:s?, s:s?}", "firing",
                g->has_alert && s->firing, "firing_since",
                g->has_alert && s->firing ? json_string(period_to_string(s->off_since, p)) : json_null(),
                "firing_at", time_json(g->has_alert && s->firing ? s->firing_at : 0), "silenced",
                g->silenced, "silenced_until", g->silenced ? json_string(c->silence_until) : json_null(),
                "silenced_by", g->silenced ? c->silence_by : NULL, "silence_comment",
                g->silenced ? c->silence_comment : NULL, "acked", g->acked, "acked_at",
                time_json(g->acked ? c->ack_at : 0), "acked_by", g->acked ? c->ack_by : NULL, "ack_comment",
                g->acked ? c->ack_comment : NULL);
}

static int goals_json(const GoalView *v, size_t n, json_t *a)
{
        for (size_t i = 0; i < n; i++) {
                const GoalView *g = &v[i];
                const StoredEvaluation *e = g->eval;
                bool known = g->status >= 0;
                json_t *o = json_pack(
                        "{s:s, s:s?, s:s?, s:o, s:o, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                        g->def->id, "title", g->def->title_da, "status", e ? e->status : NULL, "status_text",
                        words_json(known ? text_status_label(g->status, "da") : NULL), "status_text_en",
                        words_json(known ? text_status_label(g->status, "en") : NULL), "eval_date",
                        e ? e->eval_date : NULL, "evaluated_at", time_json(e ? e->at : 0), "probability",
                        g->has_probability ? json_real(g->probability) : json_null(), "projected_low",
                        g->has_probability ? json_real(g->low) : json_null(), "projected_high",
                        g->has_probability ? json_real(g->high) : json_null(), "chance",
                        words_json(g->chance_da), "chance_en", words_json(g->chance_en), "alert",
                        alert_json(g));
                if (!o || json_array_append_new(a, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int notifiers_json(const Config *c, const StatusData *d, json_t *a)
{
        for (size_t i = 0; i < c->n_notifiers; i++) {
                const StoredChannelStatus none = {}, *ch = find_name(c->notifiers[i].name, d->channels,
                                                                     d->n_channels, sizeof *d->channels);
                json_t *o;

                ch = ch ?: &none;
                o = json_pack("{s:s, s:s?, s:I, s:I, s:o, s:o, s:s?, s:b}", "name", c->notifiers[i].name,
                              "kind", notifier_kind_to_string(c->notifiers[i].kind), "pending",
                              (json_int_t) ch->pending, "given_up", (json_int_t) ch->given_up,
                              "oldest_pending", time_json(ch->oldest_pending), "last_delivery",
                              time_json(ch->last_sent), "last_error", ch->last_error,
                              "last_error_undelivered", ch->last_error_unsent);
                if (!o || json_array_append_new(a, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Data problems announced and not over yet: the alert states under "@problem:KIND:NAME" (alerting.c),
 * {"kind", "since", "announced_at"}. Calls f for each, with the parsed state. */
#define PROBLEM_PREFIX "@problem:"

static int problems_foreach(const StatusData *d, int (*f)(const char *name, json_t *state, void *userdata),
                            void *userdata)
{
        for (size_t i = 0; i < d->n_alerts; i++) {
                json_auto_t *state = NULL;
                int r;

                if (!strneq(d->alert_ids[i], PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)))
                        continue;
                state = json_loads(d->alert_docs[i], 0, NULL);
                if (!json_is_object(state))
                        continue;
                r = f(d->alert_ids[i] + strlen(PROBLEM_PREFIX), state, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int problem_json(const char *name, json_t *state, void *userdata)
{
        json_t *o = json_pack("{s:s, s:s?, s:o, s:o}", "name", name, "kind",
                              json_string_value(json_object_get(state, "kind")), "since",
                              time_json(json_integer_value(json_object_get(state, "since"))), "announced_at",
                              time_json(json_integer_value(json_object_get(state, "announced_at"))));

        return !o || json_array_append_new(userdata, o) < 0 ? -ENOMEM : 0;
}

static int status_json(const Config *c, const StatusData *d, const GoalView *goals, int schema_version)
{
        json_auto_t *root = NULL;
        json_t *sources = json_array(), *series = json_array(), *g = json_array(), *notifiers = json_array(),
               *problems = json_array();
        _cleanup_free_ char *dump = NULL;

        /* "o" steals the references, also when packing fails. */
        root = json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o}", "state_dir", c->state_dir, "schema_version",
                         schema_version, "sources", sources, "series", series, "goals", g, "notifiers",
                         notifiers, "data_problems", problems);
        if (!root || !sources || !series || !g || !notifiers || !problems)
                return -ENOMEM;
        if (sources_json(c, d, sources) < 0 || series_json(c, d, series) < 0 ||
            goals_json(goals, c->n_goals, g) < 0 || notifiers_json(c, d, notifiers) < 0 ||
            problems_foreach(d, problem_json, problems) < 0)
                return -ENOMEM;
        dump = json_dumps(root, JSON_INDENT(2));
        if (!dump)
                return -ENOMEM;
        printf("%s\n", dump);
        return 0;
}

/* ---- tables ---- */

static void sources_text(const Config *c, const StatusData *d)
{
        char t1[CLI_TIME_MAX], t2[CLI_TIME_MAX], t3[CLI_TIME_MAX];
        int ws = (int) strlen("SOURCE");

        /* columns as wide as the longest name, so a long one does not push the rest out of line */
        for (size_t i = 0; i < c->n_sources; i++)
                ws = MAX(ws, (int) strlen(c->sources[i].name));
        printf("%-*s  %-11s %-21s  %-21s  %8s  %s\n", ws, "SOURCE", "KIND", "LAST SUCCESS", "LAST ATTEMPT",
               "FAILURES", "NEXT DUE");
        for (size_t i = 0; i < c->n_sources; i++) {
                const StoredSourceStatus *s =
                        find_name(c->sources[i].name, d->sources, d->n_sources, sizeof *d->sources);
                const SourceState none = {}, *st = s ? &s->state : &none;

                printf("%-*s  %-11s %-21s  %-21s  %8u  %s\n", ws, c->sources[i].name,
                       strna(source_kind_to_string(c->sources[i].kind)),
                       cli_format_usec(st->last_success, false, t1),
                       cli_format_usec(st->last_attempt, false, t2), st->consecutive_failures,
                       st->next_due > 0 ? cli_format_usec(st->next_due, false, t3) : "now");
                if (st->consecutive_failures > 0 && st->first_failure > 0)
                        printf("  failing since %s\n", cli_format_usec(st->first_failure, false, t1));
                else if (s && s->last_failure > 0)
                        printf("  last failure %s\n", cli_format_usec(s->last_failure, false, t1));
                if (st->last_error)
                        printf("  last error: %s\n", st->last_error);
        }
}

static void series_text(const Config *c, const StatusData *d)
{
        char t1[CLI_TIME_MAX];
        int wr = (int) strlen("SERIES");

        for (size_t i = 0; i < c->n_series; i++)
                wr = MAX(wr, (int) strlen(c->series[i].name));
        printf("\n%-*s %7s  %-11s %14s  %s\n", wr, "SERIES", "PERIODS", "LATEST", "VALUE", "LAST NEW DATA");
        for (size_t i = 0; i < c->n_series; i++) {
                const StoredSeriesSummary *m =
                        find_name(c->series[i].name, d->series, d->n_series, sizeof *d->series);
                char p[PERIOD_STRING_MAX], v[32];

                if (!c->series[i].source)
                        continue;
                if (!m || !m->have_latest) {
                        printf("%-*s %7s  %s\n", wr, c->series[i].name, "0", "nothing stored");
                        continue;
                }
                if (m->latest_missing)
                        strcpy(v, "..");
                else
                        snprintf(v, sizeof(v), "%.10g", m->latest_value);
                printf("%-*s %7zu  %-11s %14s  %s\n", wr, c->series[i].name, m->n_periods,
                       period_to_string(m->latest, p), v, cli_format_usec(m->last_new_data, false, t1));
        }
}

static void goals_text(const GoalView *v, size_t n)
{
        char t1[CLI_TIME_MAX], p[PERIOD_STRING_MAX];
        int wg = (int) strlen("GOAL");

        printf("\n");
        if (n == 0) {
                printf("No goals configured.\n");
                return;
        }
        for (size_t i = 0; i < n; i++)
                wg = MAX(wg, (int) strlen(v[i].def->id));
        printf("%-*s %-17s %-12s  %s\n", wg, "GOAL", "STATUS", "DATE", "EVALUATED");
        for (size_t i = 0; i < n; i++) {
                const GoalView *g = &v[i];
                const AlertState *s = &g->alert;

                if (!g->eval) {
                        printf("%-*s %s\n", wg, g->def->id, "never evaluated");
                        continue;
                }
                printf("%-*s %-17s %-12s  %s\n", wg, g->def->id,
                       g->status >= 0 ? text_status_label(g->status, "en") : g->eval->status,
                       g->eval->eval_date, cli_format_usec(g->eval->at, false, t1));
                if (*g->chance_en)
                        printf("  %s\n", g->chance_en);
                if (g->has_alert && s->firing)
                        printf("  alert firing since %s (announced %s)\n", period_to_string(s->off_since, p),
                               cli_format_usec(s->firing_at, false, t1));
                if (g->silenced)
                        printf("  silenced until %s by %s: %s\n", g->control->silence_until,
                               strna(g->control->silence_by), strna(g->control->silence_comment));
                if (g->acked)
                        printf("  acknowledged %s by %s: %s\n",
                               cli_format_usec(g->control->ack_at, false, t1), strna(g->control->ack_by),
                               strna(g->control->ack_comment));
        }
}

static void notifiers_text(const Config *c, const StatusData *d)
{
        char t1[CLI_TIME_MAX], t2[CLI_TIME_MAX];
        int wn = (int) strlen("NOTIFIER");

        if (c->n_notifiers == 0)
                return;
        for (size_t i = 0; i < c->n_notifiers; i++)
                wn = MAX(wn, (int) strlen(c->notifiers[i].name));
        printf("\n%-*s  %-11s %7s  %-21s  %s\n", wn, "NOTIFIER", "KIND", "PENDING", "OLDEST PENDING",
               "LAST DELIVERY");
        for (size_t i = 0; i < c->n_notifiers; i++) {
                const StoredChannelStatus *ch =
                        find_name(c->notifiers[i].name, d->channels, d->n_channels, sizeof *d->channels);

                printf("%-*s  %-11s %7zu  %-21s  %s\n", wn, c->notifiers[i].name,
                       strna(notifier_kind_to_string(c->notifiers[i].kind)), ch ? ch->pending : 0,
                       ch && ch->oldest_pending > 0 ? cli_format_usec(ch->oldest_pending, false, t1) : "-",
                       cli_format_usec(ch ? ch->last_sent : 0, false, t2));
                if (ch && ch->given_up > 0)
                        printf("  given up: %zu\n", ch->given_up);
                if (ch && ch->last_error)
                        printf("  last error%s: %s\n", ch->last_error_unsent ? "" : " (delivered since)",
                               ch->last_error);
        }
}

static int problem_text(const char *name, json_t *state, void *userdata)
{
        char t[CLI_TIME_MAX];
        int64_t since = json_integer_value(json_object_get(state, "since"));
        bool *any = userdata;

        if (!*any)
                printf("\nDATA PROBLEMS (announced, not over)\n");
        *any = true;
        printf("%s%s%s\n", name, since > 0 ? ", since " : "",
               since > 0 ? cli_format_usec(since, false, t) : "");
        return 0;
}

int cli_status(int argc, char **argv)
{
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_path = cli_default_config_path();
        bool json = false;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        StatusData d = {};
        GoalView *goals = NULL;
        int opt, r, version;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case 'h':
                        status_help(stdout);
                        return 0;
                default:
                        cli_option_error("status", options, argc, argv);
                        cli_usage_hint("status");
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch status: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("status");
                return 2;
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        r = store_open_readonly(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                return 1;
        }
        version = store_schema_version(st);

        /* one snapshot: the tables as of one moment, whatever the daemon commits meanwhile */
        r = store_read_begin(st, &err);
        if (r >= 0) {
                r = status_data_load(st, &d, &err);
                store_read_end(st);
        }
        if (r >= 0)
                r = goal_views_build(c, &d, &goals);
        if (r >= 0) {
                if (json)
                        r = status_json(c, &d, goals, version);
                else {
                        printf("State: %s (schema version %d)\n\n", c->state_dir, version);
                        sources_text(c, &d);
                        series_text(c, &d);
                        goals_text(goals, c->n_goals);
                        notifiers_text(c, &d);
                        (void) problems_foreach(&d, problem_text, &(bool){ false });
                }
        }
        goal_views_free(goals, c->n_goals);
        status_data_done(&d);
        if (r < 0) {
                fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                return 1;
        }
        return 0;
}
