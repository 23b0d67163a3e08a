/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch replay [GOAL…] --from DATE --to DATE [--json]: a backtest of the alert rules on the
 * stored history. For each day it evaluates every goal on the figures that had been fetched by the
 * end of that day (revisions included: a revised period has the value known then) and runs the same
 * alert_step() and routing as the daemon's daily evaluation, with the alert state kept in memory.
 * Read-only. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/alerting.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/time-util.h"

/* Ten years of days: a backtest, not a denial of service on the operator's terminal. */
#define REPLAY_DAYS_MAX 3660

static void replay_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch replay [--config PATH] [GOAL…] --from YYYY-MM-DD --to YYYY-MM-DD [--json]\n\n"
                "The notifications the daemon would have sent, day by day, using only the figures\n"
                "that had been fetched by the end of each day (revision-aware), with the alert rules\n"
                "(for:, recovery band, repeat:, notify_at_risk, send_resolved) and routes of the\n"
                "current configuration. The replay starts without alert state, as a daemon started\n"
                "on the first day would; silences, acks and data problems are not replayed.\n"
                "Without GOAL every goal is shown. Read-only.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -f, --from DATE    first day\n"
                "  -t, --to DATE      last day (inclusive)\n"
                "      --json         print JSON instead of a list\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 replayed, 1 unknown goal or the configuration/store could not be read, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

static bool notice_has_selected(const Config *c, const bool *selected, const char *payload)
{
        json_auto_t *root = json_loads(payload, 0, NULL);
        json_t *e;
        size_t i;

        json_array_foreach(json_object_get(root, "events"), i, e) {
                const GoalDef *g = config_find_goal(c, json_string_value(json_object_get(e, "goal")) ?: "");
                if (g && selected[g - c->goals])
                        return true;
        }
        return false;
}

int cli_replay(int argc, char **argv)
{
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "from", required_argument, NULL, 'f' },
                { "to", required_argument, NULL, 't' },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        _cleanup_free_ bool *selected = NULL;
        json_auto_t *events = NULL;
        const char *config_path = cli_default_config_path();
        AlertState *states = NULL;
        bool json = false, have_from = false, have_to = false;
        size_t n_notices = 0, n_events = 0;
        Date from = {}, to = {};
        int opt, r = 0;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:f:t:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'f':
                case 't':
                        if (date_parse(optarg, opt == 'f' ? &from : &to) < 0) {
                                fprintf(stderr, "labourwatch replay: --%s: '%s' is not a date (YYYY-MM-DD)\n",
                                        opt == 'f' ? "from" : "to", optarg);
                                cli_usage_hint("replay");
                                return 2;
                        }
                        *(opt == 'f' ? &have_from : &have_to) = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case 'h':
                        replay_help(stdout);
                        return 0;
                default:
                        cli_option_error("replay", options, argc, argv);
                        cli_usage_hint("replay");
                        return 2;
                }
        if (!have_from || !have_to) {
                fprintf(stderr, "labourwatch replay: --from and --to are required\n");
                cli_usage_hint("replay");
                return 2;
        }
        if (date_compare(from, to) > 0) {
                fprintf(stderr, "labourwatch replay: --from is after --to\n");
                cli_usage_hint("replay");
                return 2;
        }
        if (date_to_days(to) - date_to_days(from) >= REPLAY_DAYS_MAX) {
                fprintf(stderr, "labourwatch replay: at most %d days at a time\n", REPLAY_DAYS_MAX);
                cli_usage_hint("replay");
                return 2;
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        if (cli_select_goals(c, "replay", config_path, argc, argv, optind, &selected) < 0)
                return 1;

        r = store_open_readonly(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch replay: %s\n",
                        r == -ENOENT ? "no database yet: nothing was ever fetched" : err ? err : strerror(-r));
                return 1;
        }
        states = calloc(MAX(c->n_goals, (size_t) 1), sizeof *states);
        events = json_array();
        if (!states || !events) {
                r = -ENOMEM;
                goto out;
        }

        for (int64_t day = date_to_days(from); day <= date_to_days(to); day++) {
                _cleanup_(series_set_freep) SeriesSet *set = NULL;
                AlertingReport rep = {};
                GoalResult *results = NULL;
                size_t n = 0;
                Date d = date_from_days(day);
                CliAsOf asof = { st, cli_end_of_day(d) };
                char ds[16];

                snprintf(ds, sizeof ds, "%04d-%02d-%02d", d.year, d.month, d.day);
                r = evaluate_build_series(c, cli_load_asof, &asof, &set, &err);
                if (r >= 0)
                        r = evaluate_goals(c, set, d, &results, &n, &err);
                if (r >= 0)
                        r = alerting_run(&(AlertingArgs){ .config = c, .results = results, .n_results = n, .date = d,
                                                          .now = asof.before, .states = states },
                                         &rep, &err);
                goal_results_free(results, n);
                if (r < 0)
                        goto out;

                for (size_t i = 0; i < rep.n_transitions; i++) {
                        const AlertingTransition *t = &rep.transitions[i];
                        const AlertEvent *e = &t->event;
                        char p[PERIOD_STRING_MAX] = "";

                        if (!selected[t->goal_index])
                                continue;
                        if (e->has_period)
                                period_to_string(e->period, p);
                        n_events++;
                        if (json) {
                                json_t *o = json_pack(
                                        "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:o}", "date", ds, "goal", t->goal,
                                        "event", alert_event_to_string(e->kind), "status", goal_status_to_string(e->status),
                                        "previous_status",
                                        e->previous_status >= 0 ? goal_status_to_string(e->previous_status) : NULL,
                                        "period", e->has_period ? p : NULL, "notified", e->routes ? t->notified : NULL,
                                        "suppressed", e->routes ? NULL : alert_suppress_to_string(e->suppressed),
                                        "revised",
                                        e->revised ? json_pack("{s:f, s:f}", "old", e->revision.old_value, "new",
                                                               e->revision.new_value)
                                                   : json_null());
                                if (!o || json_array_append_new(events, o) < 0) {
                                        alerting_report_done(&rep);
                                        r = -ENOMEM;
                                        goto out;
                                }
                        } else if (e->routes)
                                printf("%s  %s  %s  %s  %s  -> %s\n", ds, t->goal, alert_event_to_string(e->kind),
                                       goal_status_to_string(e->status), p[0] ? p : "-", strna(t->notified));
                        else
                                printf("%s  %s  %s  %s  %s  (not sent: %s)\n", ds, t->goal,
                                       alert_event_to_string(e->kind), goal_status_to_string(e->status), p[0] ? p : "-",
                                       alert_suppress_to_string(e->suppressed));
                }
                /* Notices that carry an event of a selected goal. */
                for (size_t i = 0; i < rep.n_notices; i++)
                        n_notices += notice_has_selected(c, selected, rep.notices[i].payload);
                alerting_report_done(&rep);
        }

        if (json) {
                _cleanup_free_ char *dump = NULL;
                char f[16], t[16];
                json_auto_t *root = NULL;

                snprintf(f, sizeof f, "%04d-%02d-%02d", from.year, from.month, from.day);
                snprintf(t, sizeof t, "%04d-%02d-%02d", to.year, to.month, to.day);
                root = json_pack("{s:s, s:s, s:O, s:I}", "from", f, "to", t, "events", events, "notifications",
                                 (json_int_t) n_notices);
                dump = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
                if (!dump) {
                        r = -ENOMEM;
                        goto out;
                }
                printf("%s\n", dump);
        } else
                printf("%zu event%s, %zu notification%s in %lld day%s.\n", n_events, n_events == 1 ? "" : "s",
                       n_notices, n_notices == 1 ? "" : "s", (long long) (date_to_days(to) - date_to_days(from) + 1),
                       date_to_days(to) == date_to_days(from) ? "" : "s");
        r = 0;
out:
        for (size_t i = 0; states && i < c->n_goals; i++)
                alert_state_done(&states[i]);
        free(states);
        if (r < 0) {
                fprintf(stderr, "labourwatch replay: %s\n", err ? err : strerror(-r));
                return 1;
        }
        return 0;
}
