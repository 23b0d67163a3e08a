/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch status [--config PATH] [--json]: sources and goals at a glance, from the state
 * database (read-only; safe while the daemon runs). Times in UTC. */
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
                "fetch. Per goal: the latest recorded evaluation.\n\n"
                "  -c, --config PATH  configuration file (default %s)\n"
                "      --json         print JSON instead of tables\n"
                "  -h, --help         show this help\n",
                cli_default_config_path());
}

/* NULL for "never", so JSON says null rather than "". */
static json_t *time_json(int64_t usec)
{
        char t[CLI_TIME_MAX];
        return usec > 0 ? json_string(cli_format_usec(usec, true, t)) : json_null();
}

static int status_json(const Config *c, const SourceState *states, const StoredEvaluation *evals,
                       int schema_version)
{
        json_t *root, *sources, *goals;
        char *dump;

        sources = json_array();
        goals = json_array();
        if (!sources || !goals) {
                json_decref(sources);
                json_decref(goals);
                return -ENOMEM;
        }
        /* "o" steals the references, also when packing fails. */
        root = json_pack("{s:s, s:i, s:o, s:o}", "state_dir", c->state_dir, "schema_version", schema_version,
                         "sources", sources, "goals", goals);
        if (!root)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sources; i++) {
                const SourceState *st = &states[i];
                json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:i, s:o, s:s?, s:o}", "name", c->sources[i].name,
                                      "kind", source_kind_to_string(c->sources[i].kind), "last_success",
                                      time_json(st->last_success), "last_attempt", time_json(st->last_attempt),
                                      "consecutive_failures", (json_int_t) st->consecutive_failures,
                                      "failing_since", time_json(st->first_failure), "last_error", st->last_error,
                                      "next_due", time_json(st->next_due));
                if (!o || json_array_append_new(sources, o) < 0)
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

static void status_text(const Config *c, const SourceState *states, const StoredEvaluation *evals,
                        int schema_version)
{
        char t1[CLI_TIME_MAX], t2[CLI_TIME_MAX], t3[CLI_TIME_MAX];

        printf("State: %s (schema version %d), times in UTC\n\n", c->state_dir, schema_version);
        printf("%-16s %-11s %-16s  %-16s  %8s  %s\n", "SOURCE", "KIND", "LAST SUCCESS", "LAST ATTEMPT",
               "FAILURES", "NEXT DUE");
        for (size_t i = 0; i < c->n_sources; i++) {
                const SourceState *st = &states[i];

                printf("%-16s %-11s %-16s  %-16s  %8u  %s\n", c->sources[i].name,
                       strna(source_kind_to_string(c->sources[i].kind)), cli_format_usec(st->last_success, false, t1),
                       cli_format_usec(st->last_attempt, false, t2), st->consecutive_failures,
                       st->next_due > 0 ? cli_format_usec(st->next_due, false, t3) : "now");
                if (st->consecutive_failures > 0 && st->first_failure > 0)
                        printf("  failing since %s\n", cli_format_usec(st->first_failure, false, t1));
                if (st->last_error)
                        printf("  last error: %s\n", st->last_error);
        }

        printf("\n");
        if (c->n_goals == 0) {
                printf("No goals configured.\n");
                return;
        }
        printf("%-28s %-14s %-12s  %s\n", "GOAL", "STATUS", "DATE", "EVALUATED (UTC)");
        for (size_t i = 0; i < c->n_goals; i++) {
                const StoredEvaluation *e = &evals[i];

                if (!e->status)
                        printf("%-28s %s\n", c->goals[i].id, "never evaluated");
                else
                        printf("%-28s %-14s %-12s  %s\n", c->goals[i].id, e->status, e->eval_date,
                               cli_format_usec(e->at, false, t1));
        }
}

int cli_status(int argc, char **argv)
{
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_path = cli_default_config_path();
        bool json = false;
        Config *c = NULL;
        Store *st = NULL;
        SourceState *states = NULL;
        StoredEvaluation *evals = NULL;
        _cleanup_free_ char *err = NULL;
        int opt, r, ret = 1, version;

        optind = 0;
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
                        status_help(stderr);
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch status: unexpected argument '%s'\n", argv[optind]);
                status_help(stderr);
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
        evals = calloc(MAX(c->n_goals, 1u), sizeof(StoredEvaluation));
        if (!states || !evals) {
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
        for (size_t i = 0; i < c->n_goals; i++) {
                r = store_get_latest_evaluation(st, c->goals[i].id, &evals[i], &err);
                if (r < 0) {
                        fprintf(stderr, "labourwatch status: %s\n", err ? err : strerror(-r));
                        goto finish;
                }
        }

        if (json) {
                if (status_json(c, states, evals, version) < 0) {
                        fprintf(stderr, "labourwatch status: out of memory\n");
                        goto finish;
                }
        } else
                status_text(c, states, evals, version);
        ret = 0;

finish:
        if (states)
                for (size_t i = 0; i < c->n_sources; i++)
                        source_state_done(&states[i]);
        free(states);
        if (evals)
                for (size_t i = 0; i < c->n_goals; i++)
                        stored_evaluation_done(&evals[i]);
        free(evals);
        store_close(st);
        config_free(c);
        return ret;
}
