/* SPDX-License-Identifier: GPL-2.0-or-later */
/* goal results -> alert states -> routed events -> one notice per (notifier, recipient) -> outbox,
 * in one transaction. See include/labourwatch/alerting.h. */
#include <assert.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "labourwatch/alerting.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/strv.h"
#include "labourwatch/text.h"

/* Alert states of data problems share the alert_state table with goals, under keys no goal id can
 * have (config.c only accepts [A-Za-z0-9_.-] ids). */
#define PROBLEM_KEY_PREFIX "@problem:"

#define NO_RECIPIENT SIZE_MAX

typedef struct EvRef {
        size_t goal;
        AlertEvent ev;
        bool refresh; /* not an event: a firing goal re-sent to Alertmanager (event "refresh") */
        int64_t prev_since; /* the state's status_since before this step: which transition it is */
} EvRef;

/* A firing goal is re-posted to every alertmanager notifier of its routes once per evaluation date
 * (the idempotency key has the date), with endsAt = now + ALERTMANAGER_ACTIVE_USEC (3 days, see
 * notify-alertmanager.c): the daemon evaluates at least daily, so Alertmanager never lets a goal
 * that is still firing expire, whether or not the route has a `repeat:`. */

typedef struct Problem {
        const char *kind;   /* "source_failing", "series_late" */
        const char *source; /* may be NULL */
        const char *series; /* may be NULL */
        int64_t since;
        char *message;
        char *state_key;    /* PROBLEM_KEY_PREFIX kind:name */
        bool is_new;        /* not announced before: route it */
        bool resolved;      /* announced before and over now: route the resolved notice */
        char *name;         /* resolved: the source or series (source/series point here); owned */
} Problem;

typedef struct Group {
        size_t notifier;
        size_t recipient; /* index in config->recipients, or NO_RECIPIENT */
        size_t *events;   /* indices into Ctx.events */
        size_t n_events, a_events;
        size_t *problems;
        size_t n_problems, a_problems;
        size_t last_event; /* SIZE_MAX: none; an event reached by two routes is added once */
} Group;

typedef struct RouteInfo {
        size_t *notifiers;
        size_t n_notifiers;
        size_t *recipients; /* resolved route recipients; none: the goal's own */
        size_t n_recipients;
} RouteInfo;

typedef struct Ctx {
        const AlertingArgs *a;
        const Config *c;
        size_t *recip_sorted; /* indices of c->recipients sorted by name */
        RouteInfo *routes;
        Group **slots;        /* [notifier * (n_recipients + 1) + recipient], lazily */
        size_t n_slots;
        Group **order;        /* every group, in the order it was created (owns them) */
        size_t n_order, a_order;
        Group **goal_group;   /* per notifier: its latest one-goal group (webhook), or NULL */
        EvRef *events;
        size_t n_events, a_events;
        json_t **event_docs;  /* per event, built once, shared by every notice carrying it */
        Problem *problems;
        size_t n_problems, a_problems;
        StoredControl *controls;
        size_t n_controls;
        char **state_json;    /* per goal: the new state document (store mode) */
        char **result_json;   /* per goal: the evaluation, when it produced events */
        AlertState *next;     /* per goal (replay) */
        char **old_problem_keys; /* NULL-terminated */
        bool *source_failing;    /* per source: failing now, past its stale_after or not */
        AlertingReport *report;
        char **error;
} Ctx;

void alerting_report_done(AlertingReport *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_transitions; i++) {
                free(r->transitions[i].goal);
                free(r->transitions[i].notified);
        }
        free(r->transitions);
        for (size_t i = 0; i < r->n_notices; i++) {
                free(r->notices[i].notifier);
                free(r->notices[i].recipient);
                free(r->notices[i].key);
                free(r->notices[i].payload);
        }
        free(r->notices);
        *r = (AlertingReport){};
}

bool alerting_route_matches(const RouteDef *r, const char *goal)
{
        if (r->n_goals == 0)
                return true;
        for (size_t i = 0; i < r->n_goals; i++)
                if (fnmatch(r->goals[i], goal, 0) == 0)
                        return true;
        return false;
}

void alerting_goal_params(const GoalDef *g, AlertInput *in)
{
        in->alert_for = g->alert_for > 0 ? g->alert_for : 1;
        in->recovery_band = g->has_recovery_band ? g->recovery_band : (g->tolerance > 0 ? g->tolerance : 0);
        in->recovery_probability = g->status_from == GOAL_STATUS_FROM_PROBABILITY ? goal_probability_recover(g) : 0;
        in->notify_at_risk = g->notify_at_risk;
}

static int step_failed(Ctx *x, int r, const char *goal)
{
        if (x->error && !*x->error)
                *x->error = strdup_printf("goal %s: alert step failed", goal);
        return r;
}

/* ---- name lookups, sorted once per cycle ---- */

static int cmp_recipient(const void *a, const void *b, void *userdata)
{
        const Config *c = userdata;
        return strcmp(c->recipients[*(const size_t *) a].name, c->recipients[*(const size_t *) b].name);
}

static size_t find_recipient(const Ctx *x, const char *name)
{
        size_t lo = 0, hi = x->c->n_recipients;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strcmp(name, x->c->recipients[x->recip_sorted[mid]].name);
                if (d == 0)
                        return x->recip_sorted[mid];
                if (d < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NO_RECIPIENT;
}

static int cmp_control_goal(const void *key, const void *elem)
{
        return strcmp(key, ((const StoredControl *) elem)->goal);
}

static const StoredControl *find_control(const Ctx *x, const char *goal)
{
        /* store_list_alert_controls returns them sorted by goal (SQLite's BINARY collation =
         * strcmp). */
        return x->n_controls ? bsearch(goal, x->controls, x->n_controls, sizeof *x->controls, cmp_control_goal)
                             : NULL;
}

/* Through the Config's name index (routes x notifiers would otherwise be a scan per name). */
static size_t find_notifier(const Config *c, const char *name)
{
        const NotifierDef *n = config_find_notifier(c, name);

        return n && n >= c->notifiers && n < c->notifiers + c->n_notifiers ? (size_t) (n - c->notifiers) : SIZE_MAX;
}

static int ctx_prepare(Ctx *x)
{
        const Config *c = x->c;

        if (c->n_recipients > 0) {
                x->recip_sorted = xmalloc_array(c->n_recipients, sizeof *x->recip_sorted);
                if (!x->recip_sorted)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_recipients; i++)
                        x->recip_sorted[i] = i;
                qsort_r(x->recip_sorted, c->n_recipients, sizeof *x->recip_sorted, cmp_recipient, (void *) c);
        }
        if (c->n_routes > 0) {
                x->routes = calloc(c->n_routes, sizeof *x->routes);
                if (!x->routes)
                        return -ENOMEM;
        }
        /* Routes name their notifiers and recipients: resolved once (config.c checked they exist;
         * an unknown name is skipped). */
        for (size_t i = 0; i < c->n_routes; i++) {
                const RouteDef *r = &c->routes[i];
                RouteInfo *ri = &x->routes[i];

                if (r->n_notifiers > 0 && !(ri->notifiers = xmalloc_array(r->n_notifiers, sizeof(size_t))))
                        return -ENOMEM;
                if (r->n_recipients > 0 && !(ri->recipients = xmalloc_array(r->n_recipients, sizeof(size_t))))
                        return -ENOMEM;
                for (size_t k = 0; k < r->n_notifiers; k++) {
                        size_t n = find_notifier(c, r->notifiers[k]);
                        if (n != SIZE_MAX)
                                ri->notifiers[ri->n_notifiers++] = n;
                }
                for (size_t k = 0; k < r->n_recipients; k++) {
                        size_t n = find_recipient(x, r->recipients[k]);
                        if (n != NO_RECIPIENT)
                                ri->recipients[ri->n_recipients++] = n;
                }
        }
        x->n_slots = c->n_notifiers * (c->n_recipients + 1);
        if (x->n_slots > 0) {
                x->slots = calloc(x->n_slots, sizeof *x->slots);
                x->goal_group = calloc(c->n_notifiers, sizeof *x->goal_group);
                if (!x->slots || !x->goal_group)
                        return -ENOMEM;
        }
        if (c->n_goals > 0) {
                x->state_json = calloc(c->n_goals, sizeof *x->state_json);
                x->result_json = calloc(c->n_goals, sizeof *x->result_json);
                x->next = calloc(c->n_goals, sizeof *x->next);
                if (!x->state_json || !x->result_json || !x->next)
                        return -ENOMEM;
        }
        return 0;
}

static void ctx_done(Ctx *x)
{
        const Config *c = x->c;

        free(x->recip_sorted);
        for (size_t i = 0; x->routes && i < c->n_routes; i++) {
                free(x->routes[i].notifiers);
                free(x->routes[i].recipients);
        }
        free(x->routes);
        for (size_t i = 0; i < x->n_order; i++) {
                free(x->order[i]->events);
                free(x->order[i]->problems);
                free(x->order[i]);
        }
        free(x->slots);
        free(x->order);
        free(x->goal_group);
        for (size_t i = 0; x->event_docs && i < x->n_events; i++)
                json_decref(x->event_docs[i]);
        free(x->event_docs);
        free(x->events);
        for (size_t i = 0; i < x->n_problems; i++) {
                free(x->problems[i].message);
                free(x->problems[i].state_key);
                free(x->problems[i].name);
        }
        free(x->problems);
        store_controls_free(x->controls, x->n_controls);
        if (x->state_json)
                strv_free_n(x->state_json, c->n_goals);
        if (x->result_json)
                strv_free_n(x->result_json, c->n_goals);
        for (size_t i = 0; x->next && i < c->n_goals; i++)
                alert_state_done(&x->next[i]);
        free(x->next);
        strv_free(x->old_problem_keys);
        free(x->source_failing);
}

/* ---- grouping ---- */

static bool notifier_per_recipient(const NotifierDef *n)
{
        return n->kind == NOTIFIER_SMTP || n->kind == NOTIFIER_DIRECTORY;
}

/* A webhook notice is about one goal: its JSON and its Teams card are sized by that goal, not by
 * the number of goals whose status changed in the same run (issue 22 §4). Mail and directory
 * notices stay a digest per recipient; Alertmanager takes a list of alerts in one POST. */
static bool notifier_per_goal(const NotifierDef *n)
{
        return n->kind == NOTIFIER_WEBHOOK;
}

static int group_new(Ctx *x, size_t notifier, size_t recipient, Group **ret)
{
        Group *g;

        if (GREEDY_REALLOC(x->order, x->a_order, x->n_order + 1) < 0)
                return -ENOMEM;
        g = calloc(1, sizeof *g);
        if (!g)
                return -ENOMEM;
        *g = (Group){ .notifier = notifier, .recipient = recipient, .last_event = SIZE_MAX };
        x->order[x->n_order++] = g;
        *ret = g;
        return 0;
}

static int get_group(Ctx *x, size_t notifier, size_t recipient, Group **ret)
{
        size_t slot = notifier * (x->c->n_recipients + 1) + (recipient == NO_RECIPIENT ? x->c->n_recipients : recipient);
        int r;

        assert(slot < x->n_slots);
        if (!x->slots[slot]) {
                r = group_new(x, notifier, recipient, &x->slots[slot]);
                if (r < 0)
                        return r;
        }
        *ret = x->slots[slot];
        return 0;
}

/* Appends "notifier:recipient" (or "notifier") to *list. */
static int append_notified(char **list, const Config *c, size_t notifier, size_t recipient)
{
        const char *n = c->notifiers[notifier].name;
        char *s;

        if (recipient == NO_RECIPIENT)
                s = *list ? strdup_printf("%s, %s", *list, n) : strdup(n);
        else
                s = *list ? strdup_printf("%s, %s:%s", *list, n, c->recipients[recipient].name)
                          : strdup_printf("%s:%s", n, c->recipients[recipient].name);
        if (!s)
                return -ENOMEM;
        free(*list);
        *list = s;
        return 0;
}

/* Adds event ev_index of goal g to every (notifier, recipient) of route ri. */
/* Adds event ev_index to the group of (notifier n, recipient rcp) once, and notes the notifier and
 * recipient in *notified. Returns 0 or -ENOMEM. */
static int group_add_event(Ctx *x, size_t n, size_t rcp, size_t ev_index, char **notified)
{
        Group *grp;
        int r;

        if (notifier_per_goal(&x->c->notifiers[n])) {
                /* goals are stepped one at a time, each event through all its routes: the
                 * latest group of this notifier is the only one that can be this goal's */
                grp = x->goal_group[n];
                if (!grp || x->events[grp->last_event].goal != x->events[ev_index].goal) {
                        r = group_new(x, n, rcp, &grp);
                        if (r < 0)
                                return r;
                        x->goal_group[n] = grp;
                }
        } else {
                r = get_group(x, n, rcp, &grp);
                if (r < 0)
                        return r;
        }
        if (grp->last_event == ev_index)
                return 0;
        if (GREEDY_REALLOC(grp->events, grp->a_events, grp->n_events + 1) < 0)
                return -ENOMEM;
        grp->events[grp->n_events++] = ev_index;
        grp->last_event = ev_index;
        return append_notified(notified, x->c, n, rcp);
}

static int route_event(Ctx *x, size_t route, const GoalDef *g, size_t ev_index, char **notified)
{
        const RouteInfo *ri = &x->routes[route];
        int r;

        for (size_t k = 0; k < ri->n_notifiers; k++) {
                size_t n = ri->notifiers[k];
                size_t n_rcp = ri->n_recipients ? ri->n_recipients : g->n_recipients;

                if (!notifier_per_recipient(&x->c->notifiers[n])) {
                        r = group_add_event(x, n, NO_RECIPIENT, ev_index, notified);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (size_t j = 0; j < n_rcp; j++) {
                        size_t rcp = ri->n_recipients ? ri->recipients[j] : find_recipient(x, g->recipients[j]);

                        if (rcp == NO_RECIPIENT)
                                continue;
                        r = group_add_event(x, n, rcp, ev_index, notified);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int route_problem(Ctx *x, size_t route, size_t p)
{
        const RouteInfo *ri = &x->routes[route];
        int r;

        for (size_t k = 0; k < ri->n_notifiers; k++) {
                size_t n = ri->notifiers[k];
                size_t n_rcp = notifier_per_recipient(&x->c->notifiers[n]) ? ri->n_recipients : 1;

                for (size_t j = 0; j < n_rcp; j++) {
                        size_t rcp = notifier_per_recipient(&x->c->notifiers[n]) ? ri->recipients[j] : NO_RECIPIENT;
                        Group *grp;
                        bool dup = false;

                        r = get_group(x, n, rcp, &grp);
                        if (r < 0)
                                return r;
                        /* the same problem through two routes: once (the last one added is it) */
                        dup = grp->n_problems > 0 && grp->problems[grp->n_problems - 1] == p;
                        if (dup)
                                continue;
                        if (GREEDY_REALLOC(grp->problems, grp->a_problems, grp->n_problems + 1) < 0)
                                return -ENOMEM;
                        grp->problems[grp->n_problems++] = p;
                }
        }
        return 0;
}

/* ---- goals ---- */

static int load_state(Ctx *x, size_t i, AlertState *ret)
{
        const AlertingArgs *a = x->a;
        _cleanup_free_ char *json = NULL;
        int r;

        *ret = (AlertState){};
        if (a->states)
                return alert_state_copy(&a->states[i], ret);
        r = store_get_alert_state(a->store, x->c->goals[i].id, &json, x->error);
        if (r < 0)
                return r;
        if (!json)
                return 0;
        /* A damaged document: start the goal afresh rather than stop alerting altogether. */
        if (alert_state_from_json(json, ret) < 0)
                *ret = (AlertState){};
        return 0;
}

static void controls_of(const Ctx *x, const char *goal, AlertControls *ret)
{
        const StoredControl *sc = find_control(x, goal);

        *ret = (AlertControls){};
        if (!sc)
                return;
        if (sc->silence_until && date_parse(sc->silence_until, &ret->silence_until) >= 0)
                ret->has_silence = true;
        ret->ack_at = sc->ack_at;
}

static int add_transition(Ctx *x, size_t goal, const AlertEvent *ev, char *notified)
{
        AlertingReport *rep = x->report;
        AlertingTransition *n;

        n = xrealloc_array(rep->transitions, rep->n_transitions + 1, sizeof *n);
        if (!n) {
                free(notified);
                return -ENOMEM;
        }
        rep->transitions = n;
        n = &rep->transitions[rep->n_transitions];
        *n = (AlertingTransition){ .goal = strdup(x->c->goals[goal].id), .goal_index = goal, .event = *ev,
                                   .notified = notified };
        if (!n->goal) {
                free(notified);
                return -ENOMEM;
        }
        rep->n_transitions++;
        return 0;
}

/* After the goal's events are routed: a goal that is firing and not silenced, with no event of this
 * cycle on a route, is refreshed to that route's alertmanager notifiers (never e-mail, directory or
 * webhook: people are reminded by `repeat:` only). Not in replay (it is not an alert decision). */
static int alerting_refresh_alertmanager(Ctx *x, size_t i, const size_t *route_index, size_t n_routes,
                                         const AlertEvent *ev, size_t n_ev)
{
        const AlertState *st = &x->next[i];
        size_t idx = SIZE_MAX;
        int r;

        if (x->a->states || !st->firing || st->silenced || !st->has_status)
                return 0;
        for (size_t b = 0; b < n_routes; b++) {
                const RouteInfo *ri = &x->routes[route_index[b]];
                bool had_event = false;

                for (size_t k = 0; k < n_ev && !had_event; k++)
                        had_event = ev[k].routes & (UINT64_C(1) << b);
                if (had_event)
                        continue;
                for (size_t k = 0; k < ri->n_notifiers; k++) {
                        size_t n = ri->notifiers[k];
                        Group *grp;

                        if (x->c->notifiers[n].kind != NOTIFIER_ALERTMANAGER)
                                continue;
                        if (idx == SIZE_MAX) {
                                if (GREEDY_REALLOC(x->events, x->a_events, x->n_events + 1) < 0)
                                        return -ENOMEM;
                                idx = x->n_events++;
                                x->events[idx] = (EvRef){
                                        .goal = i,
                                        .refresh = true,
                                        .ev = { .kind = ALERT_EVENT_REPEAT,
                                                .status = st->status,
                                                .previous_status = _GOAL_STATUS_INVALID,
                                                .has_period = st->has_latest,
                                                .period = st->latest,
                                                .has_off_track_since = st->off_count > 0,
                                                .off_track_since = st->off_since },
                                };
                        }
                        r = get_group(x, n, NO_RECIPIENT, &grp);
                        if (r < 0)
                                return r;
                        if (grp->last_event == idx)
                                continue;
                        if (GREEDY_REALLOC(grp->events, grp->a_events, grp->n_events + 1) < 0)
                                return -ENOMEM;
                        grp->events[grp->n_events++] = idx;
                        grp->last_event = idx;
                }
        }
        return 0;
}

static int step_goal(Ctx *x, size_t i)
{
        const Config *c = x->c;
        const GoalDef *g = &c->goals[i];
        const GoalResult *res = &x->a->results[i];
        AlertRoute routes[ALERT_ROUTES_MAX];
        size_t route_index[ALERT_ROUTES_MAX], n_routes = 0;
        AlertState prev = {};
        AlertControls ctl;
        AlertInput in;
        AlertEvent *ev = NULL;
        size_t n_ev = 0;
        int64_t prev_since;
        int r;

        for (size_t k = 0; k < c->n_routes && n_routes < ALERT_ROUTES_MAX; k++) {
                const RouteDef *rd = &c->routes[k];

                if (!alerting_route_matches(rd, g->id))
                        continue;
                routes[n_routes] = (AlertRoute){ .id = (unsigned) k,
                                                 .repeat_periods = rd->repeat_periods,
                                                 .repeat_usec = rd->repeat_usec,
                                                 .notify_at_risk = rd->notify_at_risk,
                                                 .send_resolved = rd->send_resolved };
                route_index[n_routes++] = k;
        }

        r = load_state(x, i, &prev);
        if (r < 0)
                return r;
        if (x->a->states)
                ctl = (AlertControls){};
        else
                controls_of(x, g->id, &ctl);

        in = (AlertInput){ .result = res, .routes = routes, .n_routes = n_routes, .controls = &ctl,
                           .date = x->a->date, .now = x->a->now };
        alerting_goal_params(g, &in);
        r = alert_step(&prev, &in, &x->next[i], &ev, &n_ev);
        prev_since = prev.has_status ? prev.status_since : 0;
        alert_state_done(&prev);
        if (r < 0)
                return step_failed(x, r, g->id);

        if (x->next[i].firing)
                x->report->n_firing++;
        if (x->next[i].silenced)
                x->report->n_silenced++;

        for (size_t k = 0; k < n_ev; k++) {
                _cleanup_free_ char *notified = NULL;
                size_t idx;

                if (GREEDY_REALLOC(x->events, x->a_events, x->n_events + 1) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                idx = x->n_events++;
                x->events[idx] = (EvRef){ .goal = i, .ev = ev[k], .prev_since = prev_since };
                for (size_t b = 0; b < n_routes; b++) {
                        if (!(ev[k].routes & (UINT64_C(1) << b)))
                                continue;
                        r = route_event(x, route_index[b], g, idx, &notified);
                        if (r < 0)
                                goto finish;
                }
                /* Routed, but the routes name nobody who can receive it. */
                if (!notified && ev[k].suppressed == ALERT_SUPPRESS_NONE) {
                        x->events[idx].ev.routes = 0;
                        x->events[idx].ev.suppressed = ALERT_SUPPRESS_NO_ROUTE;
                }
                r = add_transition(x, i, &x->events[idx].ev, TAKE_PTR(notified));
                if (r < 0)
                        goto finish;
        }
        r = alerting_refresh_alertmanager(x, i, route_index, n_routes, ev, n_ev);
        if (r < 0)
                goto finish;
        if (n_ev > 0) {
                json_auto_t *j = goal_result_to_json(res);
                if (!j || !(x->result_json[i] = json_dumps(j, EVALUATE_JSON_FLAGS))) {
                        r = -ENOMEM;
                        goto finish;
                }
        }
        if (!x->a->states && !(x->state_json[i] = alert_state_to_json(&x->next[i])))
                r = -ENOMEM;
finish:
        free(ev);
        return r < 0 ? r : 0;
}

/* ---- data problems ---- */

static int add_problem(Ctx *x, const char *kind, const char *source, const char *series, int64_t since,
                       char *message)
{
        Problem *p;

        if (GREEDY_REALLOC(x->problems, x->a_problems, x->n_problems + 1) < 0) {
                free(message);
                return -ENOMEM;
        }
        p = &x->problems[x->n_problems];
        *p = (Problem){ .kind = kind, .source = source, .series = series, .since = since, .message = message };
        p->state_key = strdup_printf(PROBLEM_KEY_PREFIX "%s:%s", kind, source ? source : strempty(series));
        if (!p->state_key) {
                free(message);
                return -ENOMEM;
        }
        x->n_problems++;
        return 0;
}

/* A problem announced before (its state stored under key, "@problem:KIND:NAME", doc the state) that
 * is not among this cycle's: it is over, and the data_problems routes hear so once (the state is
 * deleted in the same transaction as the notice is enqueued). Nobody is told when the source or
 * series has left the configuration (it did not start working, it is gone), nor when the source is
 * still failing (a stale_after raised by a reload: nothing is over). */
static int add_resolved_problem(Ctx *x, const char *key, const char *doc)
{
        static const char *const kinds[] = { "source_failing", "series_late" };
        const char *rest = key + strlen(PROBLEM_KEY_PREFIX), *colon = strchr(rest, ':'), *kind = NULL;
        const SourceDef *src;
        json_auto_t *state = NULL;
        json_t *since;
        Problem *p;
        char *name;

        if (!colon || !colon[1])
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strlen(kinds[i]) == (size_t) (colon - rest) && strneq(rest, kinds[i], strlen(kinds[i])))
                        kind = kinds[i];
        if (!kind)
                return 0;
        if (streq(kind, "source_failing")) {
                src = config_find_source(x->c, colon + 1);
                if (!src || x->source_failing[src - x->c->sources])
                        return 0;
        } else if (!config_find_series(x->c, colon + 1))
                return 0;
        if (GREEDY_REALLOC(x->problems, x->a_problems, x->n_problems + 1) < 0)
                return -ENOMEM;
        name = strdup(colon + 1);
        p = &x->problems[x->n_problems];
        *p = (Problem){ .kind = kind, .name = name, .state_key = strdup(key), .resolved = true };
        if (!p->name || !p->state_key) {
                free(p->name);
                free(p->state_key);
                return -ENOMEM;
        }
        if (streq(kind, "source_failing"))
                p->source = name;
        else
                p->series = name;
        state = json_loads(doc, 0, NULL);
        since = json_object_get(state, "since");
        p->since = json_is_integer(since) ? (int64_t) json_integer_value(since) : 0;
        x->n_problems++;
        return 0;
}

static int collect_problems(Ctx *x)
{
        const Config *c = x->c;
        const AlertingArgs *a = x->a;
        char **goals = NULL, **docs = NULL;
        Hashmap *late = NULL, *active = NULL, *known = NULL;
        size_t n = 0;
        int r;

        x->source_failing = calloc(MAX(c->n_sources, (size_t) 1), sizeof *x->source_failing);
        if (!x->source_failing)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sources; i++) {
                const SourceDef *s = &c->sources[i];
                SourceState st = {};

                r = store_get_source_state(a->store, s->name, &st, x->error);
                if (r < 0)
                        return r;
                x->source_failing[i] = st.consecutive_failures > 0 || st.first_failure > 0;
                if (st.first_failure > 0 && s->stale_after_usec > 0 && a->now >= st.first_failure &&
                    (uint64_t) (a->now - st.first_failure) >= s->stale_after_usec) {
                        char *msg = strdup_printf("source %s has failed since %" PRId64 " (%u attempts): %s",
                                                  s->name, st.first_failure, st.consecutive_failures,
                                                  strna(st.last_error));
                        if (!msg) {
                                source_state_done(&st);
                                return -ENOMEM;
                        }
                        r = add_problem(x, "source_failing", s->name, NULL, st.first_failure, msg);
                        if (r < 0) {
                                source_state_done(&st);
                                return r;
                        }
                }
                source_state_done(&st);
        }

        /* A goal without a verdict because its figures are late: its series, once (a set of the series
         * reported, not a scan of the problems per goal: linear in the goals). */
        r = hashmap_new(0, &late);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_results; i++) {
                const GoalDef *g = &c->goals[i];
                const char *series;
                char *msg;

                if (a->results[i].reason != GOAL_REASON_STALE)
                        continue;
                series = g->series ? g->series : g->numerator;
                if (!series)
                        continue;
                r = hashmap_put(late, series, (void *) series, NULL);
                if (r < 0)
                        goto out;
                if (r == 0) /* already reported */
                        continue;
                msg = strdup_printf("series %s is later than its publication lag allows; goal %s has no verdict",
                                    series, g->id);
                if (!msg) {
                        r = -ENOMEM;
                        goto out;
                }
                r = add_problem(x, "series_late", NULL, series, 0, msg);
                if (r < 0)
                        goto out;
        }

        /* Announce a problem once, when it starts; forget it when it is over. Both directions through
         * a set of keys built once (the states hold one key per goal as well). */
        r = store_list_alert_states(a->store, &goals, &docs, &n, x->error);
        if (r < 0)
                goto out;
        r = hashmap_new(x->n_problems, &active);
        if (r >= 0)
                r = hashmap_new(n, &known);
        for (size_t k = 0; r >= 0 && k < x->n_problems; k++)
                r = hashmap_put(active, x->problems[k].state_key, &x->problems[k], NULL);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (strneq(goals[i], PROBLEM_KEY_PREFIX, strlen(PROBLEM_KEY_PREFIX)))
                        r = hashmap_put(known, goals[i], goals[i], NULL);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < n; i++) {
                if (!strneq(goals[i], PROBLEM_KEY_PREFIX, strlen(PROBLEM_KEY_PREFIX)))
                        continue;
                if (!hashmap_contains(active, goals[i])) {
                        r = strv_extend(&x->old_problem_keys, goals[i]);
                        if (r >= 0)
                                r = add_resolved_problem(x, goals[i], docs[i]);
                        if (r < 0)
                                goto out;
                }
        }
        for (size_t k = 0; k < x->n_problems; k++) {
                Problem *p = &x->problems[k];

                /* a resolved one is known: its state is what told us it was announced */
                p->is_new = !p->resolved && !hashmap_contains(known, p->state_key);
                if (!p->is_new && !p->resolved)
                        continue;
                for (size_t rt = 0; rt < c->n_routes; rt++) {
                        if (!c->routes[rt].data_problems || (p->resolved && !c->routes[rt].send_resolved))
                                continue;
                        r = route_problem(x, rt, k);
                        if (r < 0)
                                goto out;
                }
        }
        r = 0;
out:
        hashmap_free(late);
        hashmap_free(active);
        hashmap_free(known);
        strv_free_n(goals, n);
        strv_free_n(docs, n);
        return r;
}

/* ---- notices ---- */

static json_t *period_or_null(bool has, Period p)
{
        char buf[PERIOD_STRING_MAX];
        return has ? json_string(period_to_string(p, buf)) : json_null();
}

static json_t *event_sources_json(Ctx *x, const GoalDef *g)
{
        json_t *arr = json_array();

        if (!arr)
                return NULL;
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, (GoalRole) role);
                const SeriesDef *sd;
                const SourceDef *src;
                int64_t fetched = 0;
                json_t *o;

                if (!name)
                        continue;
                sd = config_find_series(x->c, name);
                src = sd ? sd->source_def : NULL;
                if (!x->a->states && x->a->store)
                        (void) store_series_last_fetched(x->a->store, name, &fetched, NULL);
                /* display_name: the source as the mail's reader knows it (issue 23) */
                o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "series", name, "source",
                              src ? src->name : NULL, "display_name", src ? src->display_name_da : NULL,
                              "display_name_en", src ? src->display_name_en : NULL, "table", sd ? sd->table : NULL,
                              "url", src ? src->base_url : NULL, "fetched_at",
                              fetched > 0 ? json_integer(fetched) : json_null());
                if (!o || json_array_append_new(arr, o) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        }
        return arr;
}

static json_t *event_json(Ctx *x, const EvRef *e)
{
        const GoalDef *g = &x->c->goals[e->goal];
        const AlertEvent *ev = &e->ev;
        json_t *res, *revised = json_null(), *o;
        _cleanup_free_ char *thread = strdup_printf("<goal-%s@labourwatch>", g->id);
        char buf[PERIOD_STRING_MAX];

        if (!thread)
                return NULL;
        if (ev->revised)
                revised = json_pack("{s:s, s:f, s:f}", "period", period_to_string(ev->revision.period, buf), "old",
                                    ev->revision.old_value, "new", ev->revision.new_value);
        res = goal_result_to_json(&x->a->results[e->goal]);
        o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:o, s:o, s:o, s:s, s:o, s:o}", "goal", g->id,
                      "title_da", g->title_da, "title_en", g->title_en, "plan", g->plan ? g->plan : x->c->plan,
                      "event", e->refresh ? "refresh" : alert_event_to_string(ev->kind), "status", goal_status_to_string(ev->status),
                      "previous_status", ev->previous_status >= 0 ? goal_status_to_string(ev->previous_status) : NULL,
                      "period", period_or_null(ev->has_period, ev->period), "off_track_since",
                      period_or_null(ev->has_off_track_since, ev->off_track_since), "revised", revised ? revised : json_null(),
                      "thread_id", thread, "result", res ? res : json_null(), "sources", event_sources_json(x, g));
        return o;
}

static int cmp_events(const void *a, const void *b, void *userdata)
{
        const Ctx *x = userdata;
        size_t i = *(const size_t *) a, j = *(const size_t *) b;
        AlertEventKind ki = x->events[i].ev.kind, kj = x->events[j].ev.kind;

        if (ki != kj)
                return ki < kj ? -1 : 1;
        return i < j ? -1 : i > j;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Lower-case hex of a finished SHA-256. */
static int digest_hex(EVP_MD_CTX *ctx, char ret[static 65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;

        if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
                return -EIO;
        for (unsigned i = 0; i < len; i++)
                snprintf(ret + 2 * i, 3, "%02x", md[i]);
        return 0;
}

static int digest_line(EVP_MD_CTX *ctx, const char *s)
{
        return EVP_DigestUpdate(ctx, s, strlen(s)) == 1 && EVP_DigestUpdate(ctx, "\n", 1) == 1 ? 0 : -EIO;
}

/* The idempotency key: SHA-256 over the recipient, the notifier and each event's goal, event,
 * period and status (sorted). A repeat or an Alertmanager refresh adds its date (a repeat by
 * duration repeats the same figures; a refresh is once a day), a revision its new value, a problem its kind, name and start;
 * any other event the start of the status it leaves (status_since before the step), so a return to
 * a status seen before is a new notice, not a duplicate the outbox drops. */
static int notice_key(Ctx *x, const Group *grp, char ret[static 65])
{
        const Config *c = x->c;
        size_t n = grp->n_events + grp->n_problems;
        EVP_MD_CTX *ctx = NULL;
        char **lines = NULL, d[16];
        int r = -ENOMEM;

        snprintf(d, sizeof d, "%04d-%02d-%02d", x->a->date.year, x->a->date.month, x->a->date.day);
        lines = calloc(n ? n : 1, sizeof *lines);
        if (!lines)
                return -ENOMEM;
        for (size_t i = 0; i < grp->n_events; i++) {
                const EvRef *e = &x->events[grp->events[i]];
                char p[PERIOD_STRING_MAX] = "";

                if (e->ev.has_period)
                        period_to_string(e->ev.period, p);
                if (e->refresh)
                        lines[i] = strdup_printf("%s\trefresh\t%s\t%s\t%s", c->goals[e->goal].id, p,
                                                 goal_status_to_string(e->ev.status), d);
                else if (e->ev.kind == ALERT_EVENT_REPEAT)
                        lines[i] = strdup_printf("%s\t%s\t%s\t%s\t%s", c->goals[e->goal].id, alert_event_to_string(e->ev.kind), p,
                                                 goal_status_to_string(e->ev.status), d);
                else if (e->ev.revised && e->prev_since > 0)
                        /* undone and redone: 130, 90, 130 again is a third notice */
                        lines[i] = strdup_printf("%s\t%s\t%s\t%s\t%.17g\t%" PRId64, c->goals[e->goal].id,
                                                 alert_event_to_string(e->ev.kind), p, goal_status_to_string(e->ev.status),
                                                 e->ev.revision.new_value, e->prev_since);
                else if (e->ev.revised)
                        lines[i] = strdup_printf("%s\t%s\t%s\t%s\t%.17g", c->goals[e->goal].id,
                                                 alert_event_to_string(e->ev.kind), p, goal_status_to_string(e->ev.status),
                                                 e->ev.revision.new_value);
                else if (e->prev_since > 0)
                        /* A return to figures seen before (off, on, off again in one period) is a
                         * new transition: the start of the status it leaves tells them apart, and
                         * the same step re-run from the same state gives the same key. */
                        lines[i] = strdup_printf("%s\t%s\t%s\t%s\t%" PRId64, c->goals[e->goal].id,
                                                 alert_event_to_string(e->ev.kind), p,
                                                 goal_status_to_string(e->ev.status), e->prev_since);
                else
                        lines[i] = strdup_printf("%s\t%s\t%s\t%s", c->goals[e->goal].id, alert_event_to_string(e->ev.kind), p,
                                                 goal_status_to_string(e->ev.status));
                if (!lines[i])
                        goto out;
        }
        for (size_t i = 0; i < grp->n_problems; i++) {
                const Problem *p = &x->problems[grp->problems[i]];
                /* the end of a problem is another notice than its start */
                lines[grp->n_events + i] = strdup_printf("problem\t%s%s\t%s\t%" PRId64, p->resolved ? "resolved\t" : "",
                                                         p->kind, p->state_key, p->since);
                if (!lines[grp->n_events + i])
                        goto out;
        }
        qsort(lines, n, sizeof *lines, cmp_str);
        /* fed line by line: linear in the number of events, however many goals a notice has */
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                goto out;
        r = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
        if (r >= 0)
                r = digest_line(ctx, grp->recipient == NO_RECIPIENT ? "" : c->recipients[grp->recipient].name);
        if (r >= 0)
                r = digest_line(ctx, c->notifiers[grp->notifier].name);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = digest_line(ctx, lines[i]);
        if (r >= 0)
                r = digest_hex(ctx, ret);
out:
        EVP_MD_CTX_free(ctx);
        strv_free_n(lines, n);
        return r;
}

static int build_notice(Ctx *x, Group *grp, AlertingNotice *ret)
{
        const Config *c = x->c;
        const RecipientDef *rcp = grp->recipient == NO_RECIPIENT ? NULL : &c->recipients[grp->recipient];
        json_auto_t *events = json_array(), *problems = json_array(), *root = NULL;
        const char *lang = rcp && rcp->language ? rcp->language : (c->language ? c->language : "da");
        char key[65], d[16], over[256];
        int r;

        if (!events || !problems)
                return -ENOMEM;
        if (grp->n_events > 1)
                qsort_r(grp->events, grp->n_events, sizeof *grp->events, cmp_events, x);
        for (size_t i = 0; i < grp->n_events; i++) {
                json_t **e = &x->event_docs[grp->events[i]];
                if (!*e && !(*e = event_json(x, &x->events[grp->events[i]])))
                        return -ENOMEM;
                if (json_array_append(events, *e) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < grp->n_problems; i++) {
                const Problem *p = &x->problems[grp->problems[i]];
                json_t *o = json_pack("{s:s, s:s?, s:s?, s:o, s:s, s:b}", "kind", p->kind, "source", p->source, "series",
                                      p->series, "since", p->since > 0 ? json_integer(p->since) : json_null(),
                                      "message",
                                      p->resolved ? text_problem_resolved(p->kind, p->name, lang, over, sizeof over)
                                                  : p->message,
                                      "resolved", p->resolved);
                if (!o || json_array_append_new(problems, o) < 0)
                        return -ENOMEM;
        }
        r = notice_key(x, grp, key);
        if (r < 0)
                return r;
        snprintf(d, sizeof d, "%04d-%02d-%02d", x->a->date.year, x->a->date.month, x->a->date.day);
        root = json_pack("{s:i, s:s, s:s, s:s?, s:s, s:s, s:I, s:s, s:s?, s:s?, s:O, s:O}", "version", 1, "type",
                         grp->n_events > 0 ? "goals" : "data_problems", "notifier", c->notifiers[grp->notifier].name,
                         "recipient", rcp ? rcp->name : NULL, "language", lang, "key", key,
                         "created_at", (json_int_t) x->a->now, "eval_date", d, "plan", c->plan, "municipality",
                         c->municipality, "events", events, "problems", problems);
        if (!root)
                return -ENOMEM;
        *ret = (AlertingNotice){
                .notifier = strdup(c->notifiers[grp->notifier].name),
                .recipient = rcp ? strdup(rcp->name) : NULL,
                .key = strdup(key),
                .payload = json_dumps(root, EVALUATE_JSON_FLAGS),
                .n_events = grp->n_events,
                .n_problems = grp->n_problems,
        };
        if (!ret->notifier || (rcp && !ret->recipient) || !ret->key || !ret->payload)
                return -ENOMEM;
        return 0;
}

static int build_notices(Ctx *x)
{
        AlertingReport *rep = x->report;

        if (x->n_order == 0)
                return 0;
        rep->notices = calloc(x->n_order, sizeof *rep->notices);
        x->event_docs = calloc(MAX(x->n_events, (size_t) 1), sizeof *x->event_docs);
        if (!rep->notices || !x->event_docs)
                return -ENOMEM;
        for (size_t i = 0; i < x->n_order; i++) {
                Group *grp = x->order[i];
                int r;

                if (grp->n_events == 0 && grp->n_problems == 0)
                        continue;
                r = build_notice(x, grp, &rep->notices[rep->n_notices]);
                rep->n_notices++; /* counted even when partly filled: report_done frees it */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- writing ---- */

static int write_all(Ctx *x)
{
        const AlertingArgs *a = x->a;
        const Config *c = x->c;
        AlertingReport *rep = x->report;
        char d[16];
        int r;

        snprintf(d, sizeof d, "%04d-%02d-%02d", a->date.year, a->date.month, a->date.day);
        r = store_begin(a->store, x->error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_goals; i++) {
                r = store_set_alert_state(a->store, c->goals[i].id, x->state_json[i], x->error);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < rep->n_transitions; i++) {
                const AlertingTransition *t = &rep->transitions[i];
                char p[PERIOD_STRING_MAX];
                StoredTransition st;

                st = (StoredTransition){
                        .goal = t->goal,
                        .at = a->now,
                        .eval_date = d,
                        .period = t->event.has_period ? period_to_string(t->event.period, p) : NULL,
                        .from_status = t->event.previous_status >= 0 ? (char *) goal_status_to_string(t->event.previous_status)
                                                                      : NULL,
                        .to_status = (char *) goal_status_to_string(t->event.status),
                        .event = (char *) alert_event_to_string(t->event.kind),
                        .suppressed = t->event.routes ? NULL : (char *) alert_suppress_to_string(t->event.suppressed),
                        .notified = t->notified,
                        .result_json = x->result_json[t->goal_index] ? x->result_json[t->goal_index] : (char *) "{}",
                };
                r = store_add_alert_transition(a->store, &st, x->error);
                if (r < 0)
                        goto fail;
        }
        for (size_t k = 0; k < x->n_problems; k++) {
                const Problem *p = &x->problems[k];
                _cleanup_free_ char *doc = NULL;

                if (!p->is_new)
                        continue;
                doc = strdup_printf("{\"kind\":\"%s\",\"since\":%" PRId64 ",\"announced_at\":%" PRId64 "}", p->kind,
                                    p->since, a->now);
                if (!doc) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = store_set_alert_state(a->store, p->state_key, doc, x->error);
                if (r < 0)
                        goto fail;
        }
        for (size_t k = 0; x->old_problem_keys && x->old_problem_keys[k]; k++) {
                r = store_set_alert_state(a->store, x->old_problem_keys[k], NULL, x->error);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < rep->n_notices; i++) {
                AlertingNotice *n = &rep->notices[i];

                r = store_outbox_enqueue(a->store, n->notifier, n->recipient, n->key, n->payload, a->now, x->error);
                if (r < 0)
                        goto fail;
                n->enqueued = r > 0;
        }
        r = store_commit(a->store, x->error);
        if (r < 0)
                goto fail;
        return 0;

fail:
        store_rollback(a->store);
        for (size_t i = 0; i < rep->n_notices; i++)
                rep->notices[i].enqueued = false;
        return r;
}

int alerting_run(const AlertingArgs *a, AlertingReport *ret, char **ret_error)
{
        Ctx x = { .a = a, .c = a->config, .report = ret, .error = ret_error };
        int r;

        assert(a);
        assert(a->config);
        assert(ret);
        *ret = (AlertingReport){};
        if (a->n_results != a->config->n_goals || (!a->store && !a->states))
                return -EINVAL;

        r = ctx_prepare(&x);
        if (r < 0)
                goto out;
        if (!a->states) {
                r = store_list_alert_controls(a->store, &x.controls, &x.n_controls, ret_error);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < x.c->n_goals; i++) {
                r = step_goal(&x, i);
                if (r < 0)
                        goto out;
        }
        if (!a->states) {
                r = collect_problems(&x);
                if (r < 0)
                        goto out;
        }
        r = build_notices(&x);
        if (r < 0)
                goto out;

        if (a->states) {
                for (size_t i = 0; i < x.c->n_goals; i++) {
                        alert_state_done(&a->states[i]);
                        a->states[i] = x.next[i];
                        x.next[i] = (AlertState){};
                }
        } else if (!a->dry_run) {
                r = write_all(&x);
                if (r < 0)
                        goto out;
        }
        r = 0;
out:
        ctx_done(&x);
        if (r < 0)
                alerting_report_done(ret);
        return r;
}

int alerting_kick(const char *state_dir)
{
        _cleanup_free_ char *path = strdup_printf("%s/" ALERTING_KICK_FILE, state_dir);
        int fd;

        if (!path)
                return -ENOMEM;
        /* closing a file opened for writing is the IN_CLOSE_WRITE the daemon waits for */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0)
                return -errno;
        return close(fd) < 0 ? -errno : 0;
}
