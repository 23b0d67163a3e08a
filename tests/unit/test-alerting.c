/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The alerting glue: routes by goal globs, the goal's own recipients or the route's, one notice per
 * (notifier, recipient) per cycle with its events most severe first, an event reaching a recipient
 * through two routes once, webhooks without a recipient, a stable idempotency key (the same
 * decisions after a crash give the same key), and states + transitions + outbox rows written
 * together. Goal results are made by hand; the configuration is loaded from a file. */
#include <ftw.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/alerting.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"

static const char config_text[] =
        "\n"
        "sources:\n"
        "  internal: {kind: csv, base_url: 'file:///nonexistent/'}\n"
        "series:\n"
        "  s: {source: internal, path: s.csv, column: v, frequency: month}\n"
        "recipients:\n"
        "  chef: {email: chef@example.org}\n"
        "  udvalg: {email: udvalg@example.org}\n"
        "  ops: {email: ops@example.org, language: en}\n"
        "notifiers:\n"
        "  mail: {kind: smtp, url: 'smtp://127.0.0.1:25', from: lw@example.org}\n"
        "  hook: {kind: webhook, url: 'http://127.0.0.1:9/hook'}\n"
        "routes:\n"
        "  - notifiers: [mail]\n"
        "  - goals: ['fleks*']\n"
        "    recipients: [udvalg, chef]\n"
        "    notifiers: [mail, hook]\n"
        "goals:\n"
        "  fleksjob:\n"
        "    title: {da: Fleksjob, en: Flex jobs}\n"
        "    kind: level\n    series: s\n    period: 2030\n    target: 100\n    direction: at_least\n"
        "    recipients: [chef]\n"
        "  ledighed:\n"
        "    title: {da: Ledighed, en: Unemployment}\n"
        "    kind: level\n    series: s\n    period: 2030\n    target: 5\n    direction: at_most\n"
        "    recipients: [chef]\n";

/* An alertmanager notifier beside e-mail on one route without `repeat:`. */
static const char config_am_text[] =
        "\n"
        "sources:\n"
        "  internal: {kind: csv, base_url: 'file:///nonexistent/'}\n"
        "series:\n"
        "  s: {source: internal, path: s.csv, column: v, frequency: month}\n"
        "recipients:\n"
        "  chef: {email: chef@example.org}\n"
        "notifiers:\n"
        "  mail: {kind: smtp, url: 'smtp://127.0.0.1:25', from: lw@example.org}\n"
        "  am: {kind: alertmanager, url: 'http://127.0.0.1:9'}\n"
        "routes:\n"
        "  - recipients: [chef]\n"
        "    notifiers: [mail, am]\n"
        "goals:\n"
        "  fleksjob:\n"
        "    title: {da: Fleksjob, en: Flex jobs}\n"
        "    kind: level\n    series: s\n    period: 2030\n    target: 100\n    direction: at_least\n"
        "  ledighed:\n"
        "    title: {da: Ledighed, en: Unemployment}\n"
        "    kind: level\n    series: s\n    period: 2030\n    target: 5\n    direction: at_most\n";

typedef struct Fixture {
        char dir[64];
        Config *config;
        Store *store;
} Fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int setup_with(void **state, const char *text)
{
        Fixture *f = calloc(1, sizeof(Fixture));
        ConfigErrors errors = {};
        char path[128];
        FILE *fp;

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-alerting-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(path, sizeof path, "%s/labourwatch.yaml", f->dir);
        fp = fopen(path, "we");
        assert_non_null(fp);
        fputs("state_dir: ", fp);
        fputs(f->dir, fp);
        fputs(text, fp);
        fclose(fp);
        if (config_load(path, &f->config, &errors) < 0) {
                for (size_t i = 0; i < errors.n_items; i++)
                        print_message("%s\n", errors.items[i].message);
                fail();
        }
        config_errors_done(&errors);
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        *state = f;
        return 0;
}

static int setup(void **state)
{
        return setup_with(state, config_text);
}

static int setup_am(void **state)
{
        return setup_with(state, config_am_text);
}

static int teardown(void **state)
{
        Fixture *f = *state;

        store_close(f->store);
        config_free(f->config);
        (void) nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

static void mk(GoalResult *r, const char *id, GoalStatus st, GoalDirection dir, double target, double value,
               const char *period)
{
        *r = (GoalResult){ .id = (char *) id, .status = st, .direction = dir, .target = target, .has_value = true,
                           .value = value, .has_projected = true, .projected = value, .has_gap = true,
                           .gap = value - target, .has_latest = true, .freq = PERIOD_MONTH };
        assert_int_equal(period_parse(period, &r->latest), 0);
        assert_int_equal(period_parse("2030", &r->period), 0);
}

static int run(Fixture *f, GoalResult *res, const char *date, bool dry, AlertingReport *rep)
{
        Date d;
        _cleanup_free_ char *err = NULL;
        int r;

        assert_int_equal(date_parse(date, &d), 0);
        r = alerting_run(&(AlertingArgs){ .store = f->store, .config = f->config, .results = res, .n_results = 2,
                                          .date = d, .now = date_to_days(d) * (int64_t) 86400000000, .dry_run = dry },
                         rep, &err);
        if (r < 0)
                print_message("alerting_run: %s\n", strna(err));
        return r;
}

static const AlertingNotice *find_notice(const AlertingReport *rep, const char *notifier, const char *recipient)
{
        for (size_t i = 0; i < rep->n_notices; i++)
                if (streq(rep->notices[i].notifier, notifier) &&
                    streq(strempty(rep->notices[i].recipient), strempty(recipient)))
                        return &rep->notices[i];
        return NULL;
}

/* "fleksjob:missed ledighed:firing" from a notice's payload. */
static void payload_events(const char *payload, char *buf, size_t size, json_t **ret_root)
{
        json_t *root = json_loads(payload, 0, NULL), *e;
        size_t i, l = 0;

        assert_non_null(root);
        buf[0] = 0;
        json_array_foreach(json_object_get(root, "events"), i, e)
                l += (size_t) snprintf(buf + l, size - l, "%s%s:%s", i ? " " : "",
                                       json_string_value(json_object_get(e, "goal")),
                                       json_string_value(json_object_get(e, "event")));
        *ret_root = root;
}

static void test_grouping(void **state)
{
        Fixture *f = *state;
        GoalResult res[2];
        AlertingReport rep = {}, again = {};
        const AlertingNotice *n;
        json_t *root;
        char ev[256];
        OutboxItem *items = NULL;
        size_t n_items = 0;
        char **ids = NULL, **docs = NULL;
        size_t n_states = 0;
        StoredTransition *tr = NULL;
        size_t n_tr = 0;

        /* fleksjob fires (routes 1 and 2), ledighed is missed (route 1 only) */
        mk(&res[0], "fleksjob", GOAL_STATUS_OFF_TRACK, GOAL_AT_LEAST, 100, 90, "2030M03");
        mk(&res[1], "ledighed", GOAL_STATUS_MISSED, GOAL_AT_MOST, 5, 7, "2030M12");

        /* A dry run decides the same and writes nothing. */
        assert_int_equal(run(f, res, "2031-01-10", true, &again), 0);
        assert_int_equal(store_outbox_due(f->store, INT64_MAX - 1, 100, &items, &n_items, NULL), 0);
        assert_int_equal(n_items, 0);

        assert_int_equal(run(f, res, "2031-01-10", false, &rep), 0);
        assert_int_equal(rep.n_firing, 1);
        /* mail:chef (both goals, through route 1 and, for fleksjob, route 2 as well: once),
         * mail:udvalg (fleksjob, route 2), hook (fleksjob, route 2, no recipient) */
        assert_int_equal(rep.n_notices, 3);
        n = find_notice(&rep, "mail", "chef");
        assert_non_null(n);
        assert_int_equal(n->n_events, 2);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "ledighed:missed fleksjob:firing"); /* most severe first */
        assert_string_equal(json_string_value(json_object_get(root, "type")), "goals");
        assert_string_equal(json_string_value(json_object_get(root, "key")), n->key);
        assert_string_equal(json_string_value(json_object_get(root, "language")), "da");
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "events"), 1),
                                                               "thread_id")),
                            "<goal-fleksjob@labourwatch>");
        json_decref(root);
        assert_int_equal(strlen(n->key), 64);
        /* the dry run made the same decisions: the same keys */
        assert_string_equal(find_notice(&again, "mail", "chef")->key, n->key);

        n = find_notice(&rep, "mail", "udvalg");
        assert_non_null(n);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "fleksjob:firing");
        json_decref(root);
        n = find_notice(&rep, "hook", NULL);
        assert_non_null(n);
        assert_null(n->recipient);
        assert_true(n->enqueued);
        assert_null(find_notice(&rep, "mail", "ops")); /* ops is on no route */

        /* Transitions say who got what. */
        assert_int_equal(rep.n_transitions, 2);
        assert_string_equal(rep.transitions[0].goal, "fleksjob");
        assert_string_equal(rep.transitions[0].notified, "mail:chef, mail:udvalg, hook");
        assert_string_equal(rep.transitions[1].notified, "mail:chef");

        /* Stored together: outbox rows, states, transitions. */
        assert_int_equal(store_outbox_due(f->store, INT64_MAX - 1, 100, &items, &n_items, NULL), 0);
        assert_int_equal(n_items, 3);
        store_outbox_free(items, n_items);
        assert_int_equal(store_list_alert_states(f->store, &ids, &docs, &n_states, NULL), 0);
        assert_int_equal(n_states, 2);
        strv_free_n(ids, n_states);
        strv_free_n(docs, n_states);
        assert_int_equal(store_list_alert_transitions(f->store, NULL, 0, &tr, &n_tr, NULL), 0);
        assert_int_equal(n_tr, 2);
        assert_non_null(strstr(tr[0].result_json, "\"fleksjob\""));
        store_transitions_free(tr, n_tr);

        alerting_report_done(&again);
        alerting_report_done(&rep);

        /* The next day, the same figures: nothing at all. */
        assert_int_equal(run(f, res, "2031-01-11", false, &rep), 0);
        assert_int_equal(rep.n_notices, 0);
        assert_int_equal(rep.n_transitions, 0);
        assert_int_equal(rep.n_firing, 1);
        alerting_report_done(&rep);
}

/* A firing goal is re-posted to Alertmanager once per evaluation date, so it never expires there
 * (endsAt = now + 3 days), with no new data and no `repeat:`; e-mail gets nothing; a silenced goal
 * is not refreshed. */
static void test_alertmanager_refresh(void **state)
{
        Fixture *f = *state;
        GoalResult res[2];
        AlertingReport rep = {};
        const AlertingNotice *n;
        json_t *root, *e;
        char ev[256], first_key[65];

        mk(&res[0], "fleksjob", GOAL_STATUS_OFF_TRACK, GOAL_AT_LEAST, 100, 90, "2030M03");
        mk(&res[1], "ledighed", GOAL_STATUS_OFF_TRACK, GOAL_AT_MOST, 5, 7, "2030M03");
        assert_int_equal(store_set_silence(f->store, "ledighed", "2031-12-31", "known", "test", 1, NULL), 0);

        /* Day 1: fleksjob fires to both notifiers; that is its Alertmanager post of the day. */
        assert_int_equal(run(f, res, "2031-01-10", false, &rep), 0);
        assert_int_equal(rep.n_notices, 2);
        payload_events(find_notice(&rep, "am", NULL)->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "fleksjob:firing");
        json_decref(root);
        assert_non_null(find_notice(&rep, "mail", "chef"));
        alerting_report_done(&rep);

        /* Day 2, the same figures: a refresh to Alertmanager only, not the silenced goal. */
        assert_int_equal(run(f, res, "2031-01-11", false, &rep), 0);
        assert_int_equal(rep.n_transitions, 0);
        assert_int_equal(rep.n_notices, 1);
        assert_null(find_notice(&rep, "mail", "chef"));
        n = find_notice(&rep, "am", NULL);
        assert_non_null(n);
        assert_true(n->enqueued);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "fleksjob:refresh");
        e = json_array_get(json_object_get(root, "events"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "status")), "off_track");
        assert_string_equal(json_string_value(json_object_get(e, "period")), "2030M03");
        json_decref(root);
        strcpy(first_key, n->key);
        alerting_report_done(&rep);

        /* Day 2 again (a fetch later that day): the same key, not enqueued twice. */
        assert_int_equal(run(f, res, "2031-01-11", false, &rep), 0);
        assert_int_equal(rep.n_notices, 1);
        assert_string_equal(rep.notices[0].key, first_key);
        assert_false(rep.notices[0].enqueued);
        alerting_report_done(&rep);

        /* Day 3: refreshed again, under a new key. */
        assert_int_equal(run(f, res, "2031-01-12", false, &rep), 0);
        assert_int_equal(rep.n_notices, 1);
        n = find_notice(&rep, "am", NULL);
        assert_non_null(n);
        assert_true(n->enqueued);
        assert_string_not_equal(n->key, first_key);
        alerting_report_done(&rep);

        /* Unsilenced and still off track: ledighed is refreshed too from now on. */
        assert_int_equal(store_set_silence(f->store, "ledighed", NULL, NULL, "test", 2, NULL), 0);
        assert_int_equal(run(f, res, "2031-01-13", false, &rep), 0);
        n = find_notice(&rep, "am", NULL);
        assert_non_null(n);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_non_null(strstr(ev, "fleksjob:refresh"));
        json_decref(root);
        alerting_report_done(&rep);

        /* Back on track: resolved (send_resolved), no refresh. */
        mk(&res[0], "fleksjob", GOAL_STATUS_ON_TRACK, GOAL_AT_LEAST, 100, 130, "2030M04");
        mk(&res[1], "ledighed", GOAL_STATUS_ON_TRACK, GOAL_AT_MOST, 5, 1, "2030M04");
        assert_int_equal(run(f, res, "2031-02-10", false, &rep), 0);
        n = find_notice(&rep, "am", NULL);
        assert_non_null(n);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_null(strstr(ev, "refresh"));
        assert_non_null(strstr(ev, "fleksjob:resolved"));
        assert_non_null(strstr(ev, "ledighed:resolved"));
        json_decref(root);
        alerting_report_done(&rep);
        assert_int_equal(run(f, res, "2031-02-11", false, &rep), 0);
        assert_int_equal(rep.n_notices, 0);
        alerting_report_done(&rep);
}

/* A figure revised up, down, and up again (the same period): each is a transition of its own and a
 * notice of its own; the third is not the first revision's key, which the outbox would drop. */
static void test_return_to_earlier_figures(void **state)
{
        Fixture *f = *state;
        GoalResult res[2];
        AlertingReport rep = {};
        const AlertingNotice *n;
        char up_key[65], ev[256];
        json_t *root;

        mk(&res[0], "fleksjob", GOAL_STATUS_OFF_TRACK, GOAL_AT_LEAST, 100, 90, "2030M03");
        mk(&res[1], "ledighed", GOAL_STATUS_ON_TRACK, GOAL_AT_MOST, 5, 1, "2030M03");
        assert_int_equal(run(f, res, "2031-01-10", false, &rep), 0);
        assert_non_null(find_notice(&rep, "mail", "chef"));
        alerting_report_done(&rep);

        /* Revised up: on track. */
        mk(&res[0], "fleksjob", GOAL_STATUS_ON_TRACK, GOAL_AT_LEAST, 100, 130, "2030M03");
        assert_int_equal(run(f, res, "2031-01-11", false, &rep), 0);
        n = find_notice(&rep, "mail", "chef");
        assert_non_null(n);
        assert_true(n->enqueued);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "fleksjob:revised");
        json_decref(root);
        strcpy(up_key, n->key);
        alerting_report_done(&rep);

        /* Revised down again, then up again: the figures of the day before. */
        mk(&res[0], "fleksjob", GOAL_STATUS_OFF_TRACK, GOAL_AT_LEAST, 100, 90, "2030M03");
        assert_int_equal(run(f, res, "2031-01-12", false, &rep), 0);
        n = find_notice(&rep, "mail", "chef");
        assert_non_null(n);
        assert_true(n->enqueued);
        alerting_report_done(&rep);

        mk(&res[0], "fleksjob", GOAL_STATUS_ON_TRACK, GOAL_AT_LEAST, 100, 130, "2030M03");
        assert_int_equal(run(f, res, "2031-01-13", false, &rep), 0);
        n = find_notice(&rep, "mail", "chef");
        assert_non_null(n);
        payload_events(n->payload, ev, sizeof ev, &root);
        assert_string_equal(ev, "fleksjob:revised");
        json_decref(root);
        assert_string_not_equal(n->key, up_key);
        assert_true(n->enqueued);
        alerting_report_done(&rep);

        /* The same step again (a second evaluation that day): the same key, not sent twice. */
        assert_int_equal(run(f, res, "2031-01-13", false, &rep), 0);
        assert_int_equal(rep.n_notices, 0);
        alerting_report_done(&rep);
}

static void test_route_matches(void **state)
{
        Fixture *f = *state;

        assert_true(alerting_route_matches(&f->config->routes[0], "anything"));
        assert_true(alerting_route_matches(&f->config->routes[1], "fleksjob-2030"));
        assert_false(alerting_route_matches(&f->config->routes[1], "ledighed"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_grouping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_route_matches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alertmanager_refresh, setup_am, teardown),
                cmocka_unit_test_setup_teardown(test_return_to_earlier_figures, setup_am, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
