/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch alerts | silence | unsilence | ack: the alert state of every goal, the operator's
 * controls, the outbox; and the controls themselves. The controls are rows in the store that the
 * running daemon reads at its next evaluation (after a fetch, a reload, or the daily one): no
 * restart, no signal needed. */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "labourwatch/alert.h"
#include "labourwatch/alerting.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"
#include "labourwatch/time-util.h"

#define RECENT_TRANSITIONS 20
#define RECENT_NOTICES 20

/* Who gave a control: the invoking user (also through sudo). */
static const char *invoking_user(void)
{
        const char *u = getenv("SUDO_USER");
        struct passwd *pw;

        if (u && *u)
                return u;
        pw = getpwuid(getuid());
        if (pw && pw->pw_name)
                return pw->pw_name;
        u = getenv("USER");
        return u && *u ? u : NULL;
}

/* ---- labourwatch alerts ---- */

static void alerts_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch alerts [--config PATH] [--json]\n\n"
                "The alert state of every goal (status, firing since which period, silenced until,\n"
                "acknowledged), the outbox (queued and recently sent notifications, retries and\n"
                "errors) and the most recent alert events with who was notified or why nobody was.\n"
                "Read-only; safe while the daemon runs.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "      --json         print JSON instead of tables\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 shown, 1 the configuration or the store could not be read, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

typedef struct GoalAlert {
        const GoalDef *goal;
        bool has_state;
        AlertState state;
        const StoredControl *control;
        bool silenced, acked;
} GoalAlert;

static int cmp_control(const void *key, const void *elem)
{
        return strcmp(key, ((const StoredControl *) elem)->goal);
}

static int cmp_str_key(const void *key, const void *elem)
{
        return strcmp(key, *(char *const *) elem);
}

static json_t *time_or_null(int64_t usec)
{
        char t[CLI_TIME_MAX];
        return usec > 0 && usec != INT64_MAX ? json_string(cli_format_usec(usec, true, t)) : json_null();
}

static const char *notice_state(const StoredNotice *n)
{
        if (n->sent_at > 0)
                return "sent";
        if (n->next_attempt == STORE_OUTBOX_NEVER)
                return "given-up";
        return n->attempts > 0 ? "retrying" : "queued";
}

/* Data problems announced and not over yet: alert states under "@problem:KIND:NAME". */
#define PROBLEM_PREFIX "@problem:"

static int alerts_json(const GoalAlert *g, size_t n_goals, const StoredNotice *notices, size_t n_notices,
                       const StoredTransition *tr, size_t n_tr, char **ids, char **docs, size_t n_states)
{
        json_auto_t *root = json_object(), *goals = json_array(), *outbox = json_array(), *events = json_array(),
                    *problems = json_array();
        _cleanup_free_ char *dump = NULL;
        char buf[PERIOD_STRING_MAX];

        if (!root || !goals || !outbox || !events || !problems)
                return -ENOMEM;
        for (size_t i = 0; i < n_states; i++) {
                json_t *doc;
                if (!strneq(ids[i], PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)))
                        continue;
                doc = json_loads(docs[i], 0, NULL);
                if (!json_is_object(doc) ||
                    json_object_set_new(doc, "name", json_string(ids[i] + strlen(PROBLEM_PREFIX))) < 0 ||
                    json_array_append_new(problems, doc) < 0) {
                        json_decref(doc);
                        continue;
                }
        }
        for (size_t i = 0; i < n_goals; i++) {
                const AlertState *s = &g[i].state;
                const StoredControl *c = g[i].control;
                json_t *o = json_pack(
                        "{s:s, s:s?, s:b, s:o, s:b, s:o, s:o, s:b, s:o, s:s?, s:s?, s:b, s:o, s:s?, s:s?}", "goal",
                        g[i].goal->id, "status", g[i].has_state && s->has_status ? goal_status_to_string(s->status) : NULL,
                        "firing", s->firing, "firing_since",
                        s->firing ? json_string(period_to_string(s->off_since, buf)) : json_null(), "no_data", s->no_data,
                        "latest_period", s->has_latest ? json_string(period_to_string(s->latest, buf)) : json_null(),
                        "last_evaluated",
                        date_is_valid(s->last_eval) ? json_sprintf("%04d-%02d-%02d", s->last_eval.year, s->last_eval.month,
                                                                   s->last_eval.day)
                                                    : json_null(),
                        "silenced", g[i].silenced, "silenced_until",
                        g[i].silenced ? json_string(c->silence_until) : json_null(), "silence_comment",
                        g[i].silenced ? c->silence_comment : NULL, "silenced_by", g[i].silenced ? c->silence_by : NULL,
                        "acked", g[i].acked, "acked_at", time_or_null(g[i].acked ? c->ack_at : 0), "ack_comment",
                        g[i].acked ? c->ack_comment : NULL, "acked_by", g[i].acked ? c->ack_by : NULL);
                if (!o || json_array_append_new(goals, o) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_notices; i++) {
                const StoredNotice *n = &notices[i];
                json_t *o = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:o, s:i, s:o, s:o, s:s?}", "id", (json_int_t) n->id,
                                      "notifier", n->channel, "recipient", n->recipient, "key", n->dedup_key, "state",
                                      notice_state(n), "created_at", time_or_null(n->created_at), "attempts",
                                      (int) n->attempts, "next_attempt",
                                      time_or_null(n->sent_at > 0 ? 0 : n->next_attempt), "sent_at",
                                      time_or_null(n->sent_at), "last_error", n->last_error);
                if (!o || json_array_append_new(outbox, o) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_tr; i++) {
                const StoredTransition *t = &tr[i];
                json_t *o = json_pack("{s:s, s:o, s:s, s:s?, s:s?, s:s, s:s, s:s?, s:s?}", "goal", t->goal, "at",
                                      time_or_null(t->at), "eval_date", t->eval_date, "period", t->period,
                                      "previous_status", t->from_status, "status", t->to_status, "event", t->event,
                                      "suppressed", t->suppressed, "notified", t->notified);
                if (!o || json_array_append_new(events, o) < 0)
                        return -ENOMEM;
        }
        if (json_object_set(root, "goals", goals) < 0 || json_object_set(root, "outbox", outbox) < 0 ||
            json_object_set(root, "events", events) < 0 || json_object_set(root, "data_problems", problems) < 0)
                return -ENOMEM;
        dump = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (!dump)
                return -ENOMEM;
        printf("%s\n", dump);
        return 0;
}

static void alerts_table(const GoalAlert *g, size_t n_goals, const StoredNotice *notices, size_t n_notices,
                         const StoredTransition *tr, size_t n_tr, char **ids, char **docs, size_t n_states)
{
        bool any_problem = false;
        int w = (int) strlen("GOAL");
        char buf[PERIOD_STRING_MAX], t1[CLI_TIME_MAX], t2[CLI_TIME_MAX];

        for (size_t i = 0; i < n_goals; i++)
                w = MAX(w, (int) strlen(g[i].goal->id));
        printf("%-*s  %-17s  %-8s  %-8s  %s\n", w, "GOAL", "STATUS", "ALERT", "SINCE", "CONTROLS");
        for (size_t i = 0; i < n_goals; i++) {
                const AlertState *s = &g[i].state;
                const StoredControl *c = g[i].control;
                const char *status = !g[i].has_state ? "never evaluated"
                                     : s->no_data    ? "no verdict"
                                     : s->has_status ? goal_status_to_string(s->status)
                                                     : "-";
                _cleanup_free_ char *controls = NULL;

                if (g[i].silenced)
                        controls = strdup_printf("silenced until %s by %s: %s", c->silence_until, strna(c->silence_by),
                                                 strna(c->silence_comment));
                if (g[i].acked) {
                        char *t = strdup_printf("%s%sacked %s by %s: %s", strempty(controls), controls ? "; " : "",
                                                cli_format_usec(c->ack_at, false, t1), strna(c->ack_by),
                                                strna(c->ack_comment));
                        free(controls);
                        controls = t;
                }
                printf("%-*s  %-17s  %-8s  %-8s  %s\n", w, g[i].goal->id, status,
                       s->firing ? "firing" : (s->off_count > 0 ? "pending" : "-"),
                       s->firing || s->off_count > 0 ? period_to_string(s->off_since, buf) : "-",
                       controls ? controls : "-");
        }

        printf("\nDATA PROBLEMS (announced, not over)\n");
        for (size_t i = 0; i < n_states; i++) {
                json_auto_t *doc = NULL;
                json_t *since;
                if (!strneq(ids[i], PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)))
                        continue;
                doc = json_loads(docs[i], 0, NULL);
                since = json_object_get(doc, "since");
                printf("%s%s%s\n", ids[i] + strlen(PROBLEM_PREFIX),
                       json_integer_value(since) > 0 ? ", since " : "",
                       json_integer_value(since) > 0 ? cli_format_usec(json_integer_value(since), false, t1) : "");
                any_problem = true;
        }
        if (!any_problem)
                printf("(none)\n");

        printf("\nOUTBOX\n");
        if (n_notices == 0)
                printf("(empty)\n");
        for (size_t i = 0; i < n_notices; i++) {
                const StoredNotice *n = &notices[i];
                printf("#%-5lld %-9s %s%s%s, queued %s, %s%s%s%s\n", (long long) n->id, notice_state(n), n->channel,
                       n->recipient ? ":" : "", strempty(n->recipient), cli_format_usec(n->created_at, false, t1),
                       n->sent_at > 0 ? "sent " : n->next_attempt == STORE_OUTBOX_NEVER ? "not retried" : "next attempt ",
                       n->sent_at > 0 ? cli_format_usec(n->sent_at, false, t2)
                       : n->next_attempt == STORE_OUTBOX_NEVER ? ""
                                                               : cli_format_usec(n->next_attempt, false, t2),
                       n->last_error ? "; last error: " : "", strempty(n->last_error));
        }

        printf("\nRECENT EVENTS\n");
        if (n_tr == 0)
                printf("(none)\n");
        for (size_t i = 0; i < n_tr; i++) {
                const StoredTransition *t = &tr[i];
                printf("%s  %-*s  %-8s  %-9s  %-8s  %s%s\n", t->eval_date, w, t->goal, t->event, t->to_status,
                       strna(t->period), t->suppressed ? "not notified: " : "notified ",
                       t->suppressed ? t->suppressed : strna(t->notified));
        }
}

int cli_alerts(int argc, char **argv)
{
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        _cleanup_free_ GoalAlert *goals = NULL;
        const char *config_path = cli_default_config_path();
        StoredControl *controls = NULL;
        StoredNotice *notices = NULL;
        StoredTransition *tr = NULL;
        char **ids = NULL, **docs = NULL;
        size_t n_controls = 0, n_notices = 0, n_tr = 0, n_states = 0;
        bool json = false;
        Date today = cli_today();
        int opt, r;

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
                        alerts_help(stdout);
                        return 0;
                default:
                        cli_option_error("alerts", options, argc, argv);
                        cli_usage_hint("alerts");
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch alerts: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("alerts");
                return 2;
        }
        if (cli_load_config(config_path, &c) < 0)
                return 1;
        r = store_open_readonly(c->state_dir, &st, &err);
        if (r == -ENOENT) {
                fprintf(stderr, "labourwatch alerts: no database in %s yet: the daemon has not run\n", c->state_dir);
                return 1;
        }
        if (r < 0) {
                fprintf(stderr, "labourwatch alerts: %s\n", err ? err : strerror(-r));
                return 1;
        }

        goals = calloc(MAX(c->n_goals, (size_t) 1), sizeof *goals);
        if (!goals) {
                r = -ENOMEM;
                goto out;
        }
        r = store_list_alert_controls(st, &controls, &n_controls, &err);
        if (r >= 0)
                r = store_list_alert_states(st, &ids, &docs, &n_states, &err);
        if (r >= 0)
                r = store_outbox_recent(st, RECENT_NOTICES, &notices, &n_notices, &err);
        if (r >= 0)
                r = store_list_alert_transitions(st, NULL, RECENT_TRANSITIONS, &tr, &n_tr, &err);
        if (r < 0)
                goto out;

        /* Both lists are sorted by goal: one binary search per goal. */
        for (size_t i = 0; i < c->n_goals; i++) {
                GoalAlert *g = &goals[i];
                char **doc = n_states ? bsearch(c->goals[i].id, ids, n_states, sizeof *ids, cmp_str_key) : NULL;

                g->goal = &c->goals[i];
                g->control = n_controls ? bsearch(g->goal->id, controls, n_controls, sizeof *controls, cmp_control) : NULL;
                if (doc && alert_state_from_json(docs[doc - ids], &g->state) >= 0)
                        g->has_state = true;
                g->silenced = cli_control_silenced(g->control, today);
                g->acked = cli_control_acked(g->control, g->has_state ? &g->state : NULL);
        }

        if (json)
                r = alerts_json(goals, c->n_goals, notices, n_notices, tr, n_tr, ids, docs, n_states);
        else
                alerts_table(goals, c->n_goals, notices, n_notices, tr, n_tr, ids, docs, n_states);
out:
        for (size_t i = 0; goals && i < c->n_goals; i++)
                alert_state_done(&goals[i].state);
        store_controls_free(controls, n_controls);
        store_notices_free(notices, n_notices);
        store_transitions_free(tr, n_tr);
        strv_free_n(ids, n_states);
        strv_free_n(docs, n_states);
        if (r < 0) {
                fprintf(stderr, "labourwatch alerts: %s\n", err ? err : strerror(-r));
                return 1;
        }
        return 0;
}

/* ---- labourwatch silence | unsilence | ack ---- */

typedef enum ControlKind { CONTROL_SILENCE, CONTROL_UNSILENCE, CONTROL_ACK } ControlKind;

static void control_help(ControlKind k, FILE *f)
{
        static const char *const usage[] = {
                [CONTROL_SILENCE] = "silence [--config PATH] GOAL --until YYYY-MM-DD --comment TEXT\n\n"
                                    "Suppresses every notification about GOAL up to and including the date. The\n"
                                    "goal's alert state keeps moving (a goal that starts firing meanwhile is\n"
                                    "announced when the silence is over); `labourwatch alerts` shows the silence.\n",
                [CONTROL_UNSILENCE] = "unsilence [--config PATH] GOAL\n\n"
                                      "Lifts the silence of GOAL.\n",
                [CONTROL_ACK] = "ack [--config PATH] GOAL --comment TEXT\n\n"
                                "Acknowledges GOAL's current status (e.g. \"handlingsplan iværksat\"): no more\n"
                                "repeats until its status changes. Events other than repeats are still sent.\n",
        };
        fprintf(f,
                "Usage: labourwatch %s\n"
                "A running daemon is told and honours it at once; no restart is needed.\n\n"
                "  -c, --config PATH     configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "%s%s"
                "  -h, --help            show this help\n"
                "\n"
                "Exit status: 0 recorded, 1 unknown goal or the store could not be written, 2 usage error.\n",
                usage[k], CONFIG_DEFAULT_PATH,
                k == CONTROL_SILENCE ? "  -u, --until DATE      last day of the silence (inclusive)\n" : "",
                k != CONTROL_UNSILENCE ? "  -m, --comment TEXT    why (shown in labourwatch alerts)\n" : "");
}

static int control_run(ControlKind k, const char *name, int argc, char **argv)
{
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "until", required_argument, NULL, 'u' },
                { "comment", required_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        const char *config_path = cli_default_config_path(), *until = NULL, *comment = NULL, *goal;
        Date d;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:u:m:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'u':
                        if (k != CONTROL_SILENCE) {
                                fprintf(stderr, "labourwatch %s: --until is for silence only\n", name);
                                goto usage;
                        }
                        until = optarg;
                        break;
                case 'm':
                        if (k == CONTROL_UNSILENCE) {
                                fprintf(stderr, "labourwatch %s: --comment is not for unsilence\n", name);
                                goto usage;
                        }
                        comment = optarg;
                        break;
                case 'h':
                        control_help(k, stdout);
                        return 0;
                default:
                        cli_option_error(name, options, argc, argv);
                        goto usage;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "labourwatch %s: %s\n", name, optind >= argc ? "which goal?" : "exactly one goal");
                goto usage;
        }
        goal = argv[optind];
        if (k == CONTROL_SILENCE) {
                if (!until) {
                        fprintf(stderr, "labourwatch silence: --until DATE is required\n");
                        goto usage;
                }
                if (date_parse(until, &d) < 0) {
                        fprintf(stderr, "labourwatch silence: --until: '%s' is not a date (YYYY-MM-DD)\n", until);
                        cli_usage_hint("silence");
                        return 2;
                }
                if (date_compare(d, cli_today()) < 0) {
                        fprintf(stderr, "labourwatch silence: --until %s is in the past\n", until);
                        cli_usage_hint("silence");
                        return 2;
                }
        }
        if (k != CONTROL_UNSILENCE && (!comment || !*comment)) {
                fprintf(stderr, "labourwatch %s: --comment TEXT is required (say why)\n", name);
                goto usage;
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        if (!config_find_goal(c, goal)) {
                fprintf(stderr, "labourwatch %s: unknown goal '%s' (not in %s)\n", name, goal, config_path);
                return 1;
        }
        r = store_open(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch %s: %s\n", name, err ? err : strerror(-r));
                return 1;
        }
        switch (k) {
        case CONTROL_SILENCE:
                r = store_set_silence(st, goal, until, comment, invoking_user(), (int64_t) now(CLOCK_REALTIME), &err);
                break;
        case CONTROL_UNSILENCE:
                r = store_set_silence(st, goal, NULL, NULL, invoking_user(), (int64_t) now(CLOCK_REALTIME), &err);
                break;
        case CONTROL_ACK:
                r = store_set_ack(st, goal, comment, invoking_user(), (int64_t) now(CLOCK_REALTIME), &err);
                break;
        }
        if (r < 0) {
                fprintf(stderr, "labourwatch %s: %s\n", name, err ? err : strerror(-r));
                return 1;
        }
        /* A running daemon evaluates at once; without one (or without the right) it reads the row at
         * its next evaluation anyway. */
        (void) alerting_kick(c->state_dir);
        switch (k) {
        case CONTROL_SILENCE:
                printf("Goal %s silenced until %s (inclusive). A running daemon honours it at once.\n", goal, until);
                break;
        case CONTROL_UNSILENCE:
                printf("Goal %s is no longer silenced. A running daemon honours it at once.\n", goal);
                break;
        case CONTROL_ACK:
                printf("Goal %s acknowledged: no repeats until its status changes. A running daemon honours it at "
                       "once.\n",
                       goal);
                break;
        }
        return 0;

usage:
        cli_usage_hint(name);
        return 2;
}

int cli_silence(int argc, char **argv)
{
        return control_run(CONTROL_SILENCE, "silence", argc, argv);
}

int cli_unsilence(int argc, char **argv)
{
        return control_run(CONTROL_UNSILENCE, "unsilence", argc, argv);
}

int cli_ack(int argc, char **argv)
{
        return control_run(CONTROL_ACK, "ack", argc, argv);
}
