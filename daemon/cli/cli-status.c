/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch status [--config PATH] [--json]: sources and goals at a glance, from the state
 * database (read-only; safe while the daemon runs). Times local, with the zone (JSON: UTC). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"

static void status_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch status [--config PATH] [--json]\n\n"
                "Per source: last success, last attempt, consecutive failures, last error, next\n"
                "fetch. Per fetched series: periods stored, the latest one, and when new figures\n"
                "last arrived. Per goal: the latest recorded evaluation.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "      --json         print JSON instead of tables\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 shown, 1 the configuration or the store could not be read, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

/* What is stored of one fetched series. */
typedef struct SeriesSummary {
        size_t n_periods, n_revised;
        bool have_latest;
        Period latest; /* the newest period stored */
        double latest_value;
        bool latest_missing;
        int64_t last_new_data; /* the newest fetched_at of any row: when figures last appeared or changed */
} SeriesSummary;

static int series_summary(Store *st, const char *name, SeriesSummary *ret, char **ret_error)
{
        StoredObservation *o = NULL;
        size_t n = 0;
        SeriesSummary sum = {};
        int r;

        r = store_series_history(st, name, &o, &n, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0, j; i < n; i = j) {
                for (j = i + 1; j < n && period_equal(o[j].period, o[i].period); j++)
                        ;
                sum.n_periods++;
                sum.n_revised += j - i > 1;
                /* The current row is the last of its period. */
                sum.have_latest = true;
                sum.latest = o[j - 1].period;
                sum.latest_value = o[j - 1].value;
                sum.latest_missing = o[j - 1].missing;
        }
        for (size_t i = 0; i < n; i++)
                sum.last_new_data = MAX(sum.last_new_data, o[i].fetched_at);
        store_observations_free(o, n);
        *ret = sum;
        return 0;
}

/* NULL for "never", so JSON says null rather than "". */
static json_t *time_json(int64_t usec)
{
        char t[CLI_TIME_MAX];
        return usec > 0 ? json_string(cli_format_usec(usec, true, t)) : json_null();
}

static int status_json(const Config *c, const SourceState *states, const SeriesSummary *sums,
                       const StoredEvaluation *evals, int schema_version)
{
        json_t *root, *sources, *series, *goals;
        char *dump;

        sources = json_array();
        series = json_array();
        goals = json_array();
        if (!sources || !series || !goals) {
                json_decref(sources);
                json_decref(series);
                json_decref(goals);
                return -ENOMEM;
        }
        /* "o" steals the references, also when packing fails. */
        root = json_pack("{s:s, s:i, s:o, s:o, s:o}", "state_dir", c->state_dir, "schema_version",
                         schema_version, "sources", sources, "series", series, "goals", goals);
        if (!root)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sources; i++) {
                const SourceState *st = &states[i];
                json_t *o =
                        json_pack("{s:s, s:s, s:o, s:o, s:i, s:o, s:s?, s:o}", "name", c->sources[i].name,
                                  "kind", source_kind_to_string(c->sources[i].kind), "last_success",
                                  time_json(st->last_success), "last_attempt", time_json(st->last_attempt),
                                  "consecutive_failures", (json_int_t) st->consecutive_failures,
                                  "failing_since", time_json(st->first_failure), "last_error",
                                  st->last_error, "next_due", time_json(st->next_due));
                if (!o || json_array_append_new(sources, o) < 0)
                        goto oom;
        }
        for (size_t i = 0; i < c->n_series; i++) {
                const SeriesSummary *m = &sums[i];
                char p[PERIOD_STRING_MAX];
                json_t *o;

                if (!c->series[i].source)
                        continue; /* derived: nothing stored */
                o = json_pack("{s:s, s:s, s:i, s:i, s:s?, s:o, s:o}", "name", c->series[i].name, "source",
                              c->series[i].source, "periods", (json_int_t) m->n_periods, "revised_periods",
                              (json_int_t) m->n_revised, "latest_period",
                              m->have_latest ? period_to_string(m->latest, p) : NULL, "latest_value",
                              m->have_latest && !m->latest_missing ? json_real(m->latest_value)
                                                                   : json_null(),
                              "last_new_data", time_json(m->last_new_data));
                if (!o || json_array_append_new(series, o) < 0)
                        goto oom;
        }
        for (size_t i = 0; i < c->n_goals; i++) {
                const StoredEvaluation *e = &evals[i];
                json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?, s:o}", "id", c->goals[i].id, "title",
                                      c->goals[i].title_da, "status", e->status, "eval_date", e->eval_date,
                                      "evaluated_at", e->status ? time_json(e->at) : json_null());
                if (!o || json_array_append_new(goals, o) < 0)
                        goto oom;
        }
        dump = json_dumps(root, JSON_INDENT(2));
        json_decref(root);
        if (!dump)
                return -ENOMEM;
        printf("%s\n", dump);
        free(dump);
        return 0;
oom:
        json_decref(root);
        return -ENOMEM;
}

static void status_text(const Config *c, const SourceState *states, const SeriesSummary *sums,
                        const StoredEvaluation *evals, int schema_version)
{
        char t1[CLI_TIME_MAX], t2[CLI_TIME_MAX], t3[CLI_TIME_MAX];
        int ws = (int) strlen("SOURCE"), wr = (int) strlen("SERIES"), wg = (int) strlen("GOAL");

        /* columns as wide as the longest name, so a long one does not push the rest out of line */
        for (size_t i = 0; i < c->n_sources; i++)
                ws = MAX(ws, (int) strlen(c->sources[i].name));
        for (size_t i = 0; i < c->n_series; i++)
                wr = MAX(wr, (int) strlen(c->series[i].name));
        for (size_t i = 0; i < c->n_goals; i++)
                wg = MAX(wg, (int) strlen(c->goals[i].id));

        printf("State: %s (schema version %d)\n\n", c->state_dir, schema_version);
        printf("%-*s  %-11s %-21s  %-21s  %8s  %s\n", ws, "SOURCE", "KIND", "LAST SUCCESS", "LAST ATTEMPT",
               "FAILURES", "NEXT DUE");
        for (size_t i = 0; i < c->n_sources; i++) {
                const SourceState *st = &states[i];

                printf("%-*s  %-11s %-21s  %-21s  %8u  %s\n", ws, c->sources[i].name,
                       strna(source_kind_to_string(c->sources[i].kind)),
                       cli_format_usec(st->last_success, false, t1),
                       cli_format_usec(st->last_attempt, false, t2), st->consecutive_failures,
                       st->next_due > 0 ? cli_format_usec(st->next_due, false, t3) : "now");
                if (st->consecutive_failures > 0 && st->first_failure > 0)
                        printf("  failing since %s\n", cli_format_usec(st->first_failure, false, t1));
                if (st->last_error)
                        printf("  last error: %s\n", st->last_error);
        }

        printf("\n%-*s %7s  %-11s %14s  %s\n", wr, "SERIES", "PERIODS", "LATEST", "VALUE", "LAST NEW DATA");
        for (size_t i = 0; i < c->n_series; i++) {
                const SeriesSummary *m = &sums[i];
                char p[PERIOD_STRING_MAX], v[32];

                if (!c->series[i].source)
                        continue;
                if (!m->have_latest) {
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

        printf("\n");
        if (c->n_goals == 0) {
                printf("No goals configured.\n");
                return;
        }
        printf("%-*s %-17s %-12s  %s\n", wg, "GOAL", "STATUS", "DATE", "EVALUATED");
        for (size_t i = 0; i < c->n_goals; i++) {
                const StoredEvaluation *e = &evals[i];

                if (!e->status)
                        printf("%-*s %s\n", wg, c->goals[i].id, "never evaluated");
                else
                        printf("%-*s %-17s %-12s  %s\n", wg, c->goals[i].id, e->status, e->eval_date,
                               cli_format_usec(e->at, false, t1));
        }
}

int cli_status(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *config_path = cli_default_config_path();
        bool json = false;
        Config *c = NULL;
        Store *st = NULL;
        SourceState *states = NULL;
        SeriesSummary *sums = NULL;
        StoredEvaluation *evals = NULL;
        _cleanup_free_ char *err = NULL;
        int opt, r, ret = 1, version;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'j':
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
                goto finish;
        }
        version = store_schema_version(st);

        states = calloc(MAX(c->n_sources, 1u), sizeof(SourceState));
        sums = calloc(MAX(c->n_series, 1u), sizeof(SeriesSummary));
        evals = calloc(MAX(c->n_goals, 1u), sizeof(StoredEvaluation));
        if (!states || !sums || !evals) {
                fprintf(stderr, "labourwatch status: out of memory\n");
                goto finish;
        }
        for (size_t i = 0; i < c->n_sources; i++) {
                r = store_get_source_state(st, c->sources[i].name, &states[i], &err);
                if (r < 0) {
                        fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                        goto finish;
                }
        }
        for (size_t i = 0; i < c->n_series; i++) {
                if (!c->series[i].source)
                        continue;
                r = series_summary(st, c->series[i].name, &sums[i], &err);
                if (r < 0) {
                        fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                        goto finish;
                }
        }
        for (size_t i = 0; i < c->n_goals; i++) {
                r = store_get_latest_evaluation(st, c->goals[i].id, &evals[i], &err);
                if (r < 0) {
                        fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                        goto finish;
                }
        }

        if (json) {
                if (status_json(c, states, sums, evals, version) < 0) {
                        fprintf(stderr, "labourwatch status: out of memory\n");
                        goto finish;
                }
        } else
                status_text(c, states, sums, evals, version);
        ret = 0;

finish:
        if (states)
                for (size_t i = 0; i < c->n_sources; i++)
                        source_state_done(&states[i]);
        free(states);
        free(sums);
        if (evals)
                for (size_t i = 0; i < c->n_goals; i++)
                        stored_evaluation_done(&evals[i]);
        free(evals);
        store_close(st);
        config_free(c);
        return ret;
}
