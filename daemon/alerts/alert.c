/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The alert state machine of one goal. Pure: see include/labourwatch/alert.h. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "labourwatch/alert.h"
#include "labourwatch/macro.h"

static const char *const alert_event_table[_ALERT_EVENT_MAX] = {
        [ALERT_EVENT_MISSED] = "missed",   [ALERT_EVENT_FIRING] = "firing",
        [ALERT_EVENT_REPEAT] = "repeat",   [ALERT_EVENT_REVISED] = "revised",
        [ALERT_EVENT_AT_RISK] = "at_risk", [ALERT_EVENT_RESOLVED] = "resolved",
        [ALERT_EVENT_ACHIEVED] = "achieved",
};

const char *alert_event_to_string(AlertEventKind k)
{
        return k >= 0 && k < _ALERT_EVENT_MAX ? alert_event_table[k] : NULL;
}

AlertEventKind alert_event_from_string(const char *s)
{
        for (int i = 0; s && i < _ALERT_EVENT_MAX; i++)
                if (streq(s, alert_event_table[i]))
                        return (AlertEventKind) i;
        return _ALERT_EVENT_INVALID;
}

static const char *const alert_suppress_table[_ALERT_SUPPRESS_MAX] = {
        [ALERT_SUPPRESS_NONE] = "none",
        [ALERT_SUPPRESS_SILENCED] = "silenced",
        [ALERT_SUPPRESS_ACKED] = "acked",
        [ALERT_SUPPRESS_PENDING] = "pending",
        [ALERT_SUPPRESS_RECOVERY_BAND] = "recovery_band",
        [ALERT_SUPPRESS_NOT_REQUESTED] = "not_requested",
        [ALERT_SUPPRESS_NO_ROUTE] = "no_route",
};

const char *alert_suppress_to_string(AlertSuppress s)
{
        return s >= 0 && s < _ALERT_SUPPRESS_MAX ? alert_suppress_table[s] : NULL;
}

AlertSuppress alert_suppress_from_string(const char *s)
{
        for (int i = 0; s && i < _ALERT_SUPPRESS_MAX; i++)
                if (streq(s, alert_suppress_table[i]))
                        return (AlertSuppress) i;
        return _ALERT_SUPPRESS_INVALID;
}

void alert_state_done(AlertState *s)
{
        if (!s)
                return;
        free(s->marks);
        *s = (AlertState){};
}

int alert_state_copy(const AlertState *s, AlertState *ret)
{
        AlertState c = *s;

        c.marks = NULL;
        if (s->n_marks > 0) {
                c.marks = xmalloc_array(s->n_marks, sizeof *c.marks);
                if (!c.marks)
                        return -ENOMEM;
                memcpy(c.marks, s->marks, s->n_marks * sizeof *c.marks);
        }
        *ret = c;
        return 0;
}

static bool status_is_verdict(GoalStatus s)
{
        return s == GOAL_STATUS_ON_TRACK || s == GOAL_STATUS_AT_RISK || s == GOAL_STATUS_OFF_TRACK ||
               s == GOAL_STATUS_ACHIEVED || s == GOAL_STATUS_MISSED;
}

static bool values_differ(double a, double b)
{
        return fabs(a - b) > 1e-9 * MAX(1.0, MAX(fabs(a), fabs(b)));
}

/* Has the goal come back: its probability up to the recovery probability (status from the
 * probability), else its margin past the recovery band? Without a gap (no projection) only an
 * on_track verdict counts. */
static bool recovered(const AlertInput *in)
{
        const GoalResult *r = in->result;
        double band = in->recovery_band > 0 ? in->recovery_band : 0, m;

        if (in->recovery_probability > 0 && r->has_probability)
                return r->probability >= in->recovery_probability - 1e-12;
        if (!r->has_gap)
                return r->status == GOAL_STATUS_ON_TRACK;
        m = r->direction == GOAL_AT_MOST ? -r->gap : r->gap;
        return m >= band - 1e-9 * MAX(1.0, fabs(r->target));
}

static AlertRouteMark *find_mark(AlertState *s, unsigned route)
{
        for (size_t i = 0; i < s->n_marks; i++)
                if (s->marks[i].route == route)
                        return &s->marks[i];
        return NULL;
}

/* Records that the routes in mask heard of the firing goal now. */
static int set_marks(AlertState *s, const AlertInput *in, uint64_t mask)
{
        const GoalResult *r = in->result;

        for (size_t i = 0; i < in->n_routes; i++) {
                AlertRouteMark *m;

                if (!(mask & (UINT64_C(1) << i)))
                        continue;
                m = find_mark(s, in->routes[i].id);
                if (!m) {
                        AlertRouteMark *n = xrealloc_array(s->marks, s->n_marks + 1, sizeof *n);
                        if (!n)
                                return -ENOMEM;
                        s->marks = n;
                        m = &s->marks[s->n_marks++];
                }
                *m = (AlertRouteMark){ .route = in->routes[i].id, .at = in->now, .has_period = r->has_latest,
                                       .period = r->latest };
        }
        return 0;
}

static uint64_t all_routes(const AlertInput *in)
{
        return in->n_routes >= 64 ? UINT64_MAX : (UINT64_C(1) << in->n_routes) - 1;
}

static uint64_t at_risk_routes(const AlertInput *in)
{
        uint64_t mask = 0;

        for (size_t i = 0; i < in->n_routes; i++)
                if (in->notify_at_risk || in->routes[i].notify_at_risk)
                        mask |= UINT64_C(1) << i;
        return mask;
}

static uint64_t resolved_routes(const AlertInput *in)
{
        uint64_t mask = 0;

        for (size_t i = 0; i < in->n_routes; i++)
                if (in->routes[i].send_resolved)
                        mask |= UINT64_C(1) << i;
        return mask;
}

/* Routes whose repeat is due (marks of routes that never heard of the goal are set quietly, so a
 * route added while the goal fires starts counting now). */
static int repeat_routes(AlertState *s, const AlertInput *in, uint64_t *ret)
{
        const GoalResult *r = in->result;
        uint64_t mask = 0, quiet = 0;
        int k;

        for (size_t i = 0; i < in->n_routes; i++) {
                const AlertRoute *rt = &in->routes[i];
                AlertRouteMark *m = find_mark(s, rt->id);

                if (!m) {
                        quiet |= UINT64_C(1) << i;
                        continue;
                }
                if (rt->repeat_periods > 0 && r->has_latest && m->has_period && m->period.freq == r->latest.freq &&
                    period_index(r->latest) - period_index(m->period) >= (int64_t) rt->repeat_periods)
                        mask |= UINT64_C(1) << i;
                if (rt->repeat_usec > 0 && in->now >= m->at && (uint64_t) (in->now - m->at) >= rt->repeat_usec)
                        mask |= UINT64_C(1) << i;
        }
        k = set_marks(s, in, quiet);
        if (k < 0)
                return k;
        *ret = mask;
        return 0;
}

#define EVENTS_MAX 4

typedef struct Events {
        AlertEvent items[EVENTS_MAX];
        size_t n;
} Events;

static AlertEvent *add_event(Events *e, const AlertState *next, const AlertInput *in, AlertEventKind kind,
                             GoalStatus previous, uint64_t routes, AlertSuppress why)
{
        const GoalResult *r = in->result;
        AlertEvent *ev;

        assert(e->n < EVENTS_MAX);
        ev = &e->items[e->n++];
        *ev = (AlertEvent){
                .kind = kind,
                .status = r->status,
                .previous_status = previous,
                .has_period = r->has_latest,
                .period = r->latest,
                .has_off_track_since = next->off_count > 0 || next->firing,
                .off_track_since = next->off_since,
                .routes = routes,
                .suppressed = routes ? ALERT_SUPPRESS_NONE : why,
        };
        return ev;
}

static int cmp_event(const void *a, const void *b)
{
        const AlertEvent *x = a, *y = b;

        return (x->kind > y->kind) - (x->kind < y->kind);
}

void alert_events_sort(AlertEvent *e, size_t n)
{
        /* insertion sort: stable, and n is tiny */
        for (size_t i = 1; i < n; i++) {
                AlertEvent t = e[i];
                size_t j = i;
                while (j > 0 && cmp_event(&e[j - 1], &t) > 0) {
                        e[j] = e[j - 1];
                        j--;
                }
                e[j] = t;
        }
}

/* The off_track branch of alert_step: counts new data periods, fires after `for:` of them, repeats per
 * route while firing. moved: a new period or a changed status (a pending count is worth recording).
 * Returns 0 or negative errno. */
static int step_off_track(AlertState *next, const AlertInput *in, Events *ev, GoalStatus old, bool moved,
                          bool silenced)
{
        const GoalResult *r = in->result;
        unsigned need = in->alert_for > 0 ? in->alert_for : 1;
        int k;

        /* One count per data period: the same latest period re-evaluated counts nothing. */
        if (!r->has_latest) {
                if (next->off_count == 0) {
                        next->off_count = 1;
                        next->off_since = next->off_last = (Period){};
                }
        } else if (next->off_count == 0 || !period_equal(next->off_last, r->latest)) {
                if (next->off_count == 0)
                        next->off_since = r->latest;
                next->off_count++;
                next->off_last = r->latest;
        }
        if (!next->firing) {
                if (next->off_count >= need) {
                        next->firing = true;
                        next->firing_notified = false;
                        next->firing_at = in->now;
                        (void) add_event(ev, next, in, ALERT_EVENT_FIRING, old, all_routes(in),
                                         ALERT_SUPPRESS_NO_ROUTE);
                } else if (moved)
                        (void) add_event(ev, next, in, ALERT_EVENT_FIRING, old, 0,
                                         ALERT_SUPPRESS_PENDING);
        } else if (!next->firing_notified) {
                /* Fired while silenced: tell now the silence is over. */
                if (silenced || in->n_routes == 0)
                        return 0;
                (void) add_event(ev, next, in, ALERT_EVENT_FIRING, old, all_routes(in),
                                 ALERT_SUPPRESS_NO_ROUTE);
        } else {
                uint64_t mask;

                k = repeat_routes(next, in, &mask);
                if (k < 0)
                        return k;
                if (mask)
                        (void) add_event(ev, next, in, ALERT_EVENT_REPEAT, old,
                                         next->acked ? 0 : mask, ALERT_SUPPRESS_ACKED);
        }
        return 0;
}

int alert_step(const AlertState *prev, const AlertInput *in, AlertState *ret_next, AlertEvent **ret_events,
               size_t *ret_n)
{
        static const AlertState zero = {};
        const GoalResult *r;
        AlertState next = {};
        Events ev = {};
        GoalStatus old;
        bool new_period, same_period, silenced, status_changed, by_revision = false, was_firing;
        AlertRevision rev = {};
        bool has_rev = false;
        int k;

        assert(in);
        assert(ret_next);
        assert(ret_events);
        assert(ret_n);
        *ret_events = NULL;
        *ret_n = 0;

        r = in->result;
        if (!r || in->n_routes > ALERT_ROUTES_MAX || (in->n_routes > 0 && !in->routes))
                return -EINVAL;
        if (!prev)
                prev = &zero;
        /* The same id for another goal period (2025's goal after 2024's): nothing carries over, or
         * achieved/missed would never be said again. */
        if (prev->has_goal_period && period_is_valid(r->period) && !period_equal(prev->goal_period, r->period))
                prev = &zero;

        k = alert_state_copy(prev, &next);
        if (k < 0)
                return k;

        silenced = in->controls && in->controls->has_silence &&
                   date_compare(in->date, in->controls->silence_until) <= 0;
        if (period_is_valid(r->period)) {
                next.has_goal_period = true;
                next.goal_period = r->period;
        }
        next.silenced = silenced;
        next.silence_until = silenced ? in->controls->silence_until : (Date){};
        next.last_eval = in->date;

        if (!status_is_verdict(r->status)) {
                /* No verdict: late or missing figures are a data problem, reported apart. The alert
                 * state stays as it is. */
                next.no_data = true;
                next.acked = in->controls && in->controls->ack_at > 0 && next.has_status &&
                             in->controls->ack_at >= next.status_since;
                *ret_next = next;
                return 0;
        }
        next.no_data = false;

        old = prev->has_status ? prev->status : _GOAL_STATUS_INVALID;
        new_period = r->has_latest && (!prev->has_latest || prev->latest.freq != r->latest.freq ||
                                       period_compare(r->latest, prev->latest) > 0);
        same_period = r->has_latest && prev->has_latest && period_equal(r->latest, prev->latest);
        if (same_period && in->revision) {
                rev = *in->revision;
                has_rev = values_differ(rev.old_value, rev.new_value);
        } else if (same_period && prev->has_value && r->has_value && values_differ(prev->value, r->value)) {
                rev = (AlertRevision){ .period = r->latest, .old_value = prev->value, .new_value = r->value };
                has_rev = true;
        }
        status_changed = old != r->status;
        by_revision = has_rev && status_changed;

        if (status_changed) {
                next.has_status = true;
                next.status = r->status;
                next.status_since = in->now;
        }
        if (r->has_latest) {
                next.has_latest = true;
                next.latest = r->latest;
        }
        next.has_value = r->has_value;
        next.value = r->has_value ? r->value : 0;
        next.acked = in->controls && in->controls->ack_at > 0 && in->controls->ack_at >= next.status_since;
        was_firing = next.firing;

        switch (r->status) {
        case GOAL_STATUS_OFF_TRACK:
                k = step_off_track(&next, in, &ev, old, new_period || status_changed, silenced);
                if (k < 0)
                        goto fail;
                break;

        case GOAL_STATUS_ON_TRACK:
        case GOAL_STATUS_AT_RISK:
                next.off_count = 0;
                if (next.firing) {
                        if (recovered(in)) {
                                bool told = next.firing_notified;
                                next.firing = false;
                                next.firing_notified = false;
                                next.n_marks = 0;
                                if (told)
                                        (void) add_event(&ev, &next, in, ALERT_EVENT_RESOLVED, old,
                                                         resolved_routes(in), ALERT_SUPPRESS_NOT_REQUESTED);
                        } else if (status_changed)
                                (void) add_event(&ev, &next, in, ALERT_EVENT_RESOLVED, old, 0,
                                                 ALERT_SUPPRESS_RECOVERY_BAND);
                } else if (r->status == GOAL_STATUS_AT_RISK && old != GOAL_STATUS_AT_RISK)
                        (void) add_event(&ev, &next, in, ALERT_EVENT_AT_RISK, old, at_risk_routes(in),
                                         ALERT_SUPPRESS_NOT_REQUESTED);
                break;

        case GOAL_STATUS_ACHIEVED:
        case GOAL_STATUS_MISSED: {
                bool achieved = r->status == GOAL_STATUS_ACHIEVED;
                bool *sent = achieved ? &next.achieved_sent : &next.missed_sent;

                next.off_count = 0;
                next.firing = false;
                next.firing_notified = false;
                next.n_marks = 0;
                if (!*sent) {
                        *sent = true;
                        (void) add_event(&ev, &next, in, achieved ? ALERT_EVENT_ACHIEVED : ALERT_EVENT_MISSED,
                                         old, all_routes(in), ALERT_SUPPRESS_NO_ROUTE);
                }
                break;
        }
        default:
                assert(false);
        }

        if (by_revision) {
                /* Changed figures changed the status: one "revised" event says so, in place of
                 * what the change would otherwise have been called. A move between on_track and
                 * at_risk of a goal that is not firing goes where at_risk notices go. */
                bool quiet = !was_firing && !next.firing &&
                             (old == GOAL_STATUS_ON_TRACK || old == GOAL_STATUS_AT_RISK) &&
                             (r->status == GOAL_STATUS_ON_TRACK || r->status == GOAL_STATUS_AT_RISK);
                uint64_t mask = quiet ? at_risk_routes(in) : all_routes(in);
                AlertEvent *e;

                ev.n = 0;
                e = add_event(&ev, &next, in, ALERT_EVENT_REVISED, old, mask,
                              quiet ? ALERT_SUPPRESS_NOT_REQUESTED : ALERT_SUPPRESS_NO_ROUTE);
                e->revised = true;
                e->revision = rev;
        }

        for (size_t i = 0; i < ev.n; i++) {
                AlertEvent *e = &ev.items[i];

                if (e->routes == 0)
                        continue;
                if (silenced) {
                        e->routes = 0;
                        e->suppressed = ALERT_SUPPRESS_SILENCED;
                        continue;
                }
                /* A firing goal's routes heard of it now: repeats count from here. */
                if (next.firing && (e->kind == ALERT_EVENT_FIRING || e->kind == ALERT_EVENT_REPEAT ||
                                    e->kind == ALERT_EVENT_REVISED)) {
                        next.firing_notified = true;
                        k = set_marks(&next, in, e->routes);
                        if (k < 0)
                                goto fail;
                }
        }

        if (ev.n > 0) {
                AlertEvent *out = xmalloc_array(ev.n, sizeof *out);
                if (!out) {
                        k = -ENOMEM;
                        goto fail;
                }
                memcpy(out, ev.items, ev.n * sizeof *out);
                alert_events_sort(out, ev.n);
                *ret_events = out;
                *ret_n = ev.n;
        }
        *ret_next = next;
        return 0;

fail:
        alert_state_done(&next);
        return k;
}

/* ---- JSON ---- */

static json_t *period_json(bool has, Period p)
{
        char buf[PERIOD_STRING_MAX];

        if (!has || !period_is_valid(p))
                return json_null();
        return json_string(period_to_string(p, buf));
}

static json_t *date_json(Date d)
{
        char buf[16];

        if (!date_is_valid(d))
                return json_null();
        (void) snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
        return json_string(buf);
}

char *alert_state_to_json(const AlertState *s)
{
        json_t *o, *marks;
        char *out;
        bool ok = true;

        o = json_object();
        marks = json_array();
        if (!o || !marks) {
                json_decref(o);
                json_decref(marks);
                return NULL;
        }
        for (size_t i = 0; i < s->n_marks; i++) {
                const AlertRouteMark *m = &s->marks[i];
                ok = ok && json_array_append_new(marks, json_pack("{s:I, s:I, s:o}", "route", (json_int_t) m->route,
                                                                   "at", (json_int_t) m->at, "period",
                                                                   period_json(m->has_period, m->period))) == 0;
        }
        ok = ok && json_object_set_new(o, "version", json_integer(1)) == 0;
        ok = ok && json_object_set_new(o, "goal_period", period_json(s->has_goal_period, s->goal_period)) == 0;
        ok = ok && json_object_set_new(o, "status",
                                       s->has_status ? json_string(goal_status_to_string(s->status))
                                                     : json_null()) == 0;
        ok = ok && json_object_set_new(o, "status_since", json_integer(s->status_since)) == 0;
        ok = ok && json_object_set_new(o, "no_data", json_boolean(s->no_data)) == 0;
        ok = ok && json_object_set_new(o, "latest", period_json(s->has_latest, s->latest)) == 0;
        ok = ok && json_object_set_new(o, "value", s->has_value && isfinite(s->value) ? json_real(s->value)
                                                                                     : json_null()) == 0;
        ok = ok && json_object_set_new(o, "off_count", json_integer(s->off_count)) == 0;
        ok = ok && json_object_set_new(o, "off_since", period_json(s->off_count > 0 || s->firing, s->off_since)) == 0;
        ok = ok && json_object_set_new(o, "off_last", period_json(s->off_count > 0, s->off_last)) == 0;
        ok = ok && json_object_set_new(o, "firing", json_boolean(s->firing)) == 0;
        ok = ok && json_object_set_new(o, "firing_notified", json_boolean(s->firing_notified)) == 0;
        ok = ok && json_object_set_new(o, "firing_at", json_integer(s->firing_at)) == 0;
        ok = ok && json_object_set_new(o, "achieved_sent", json_boolean(s->achieved_sent)) == 0;
        ok = ok && json_object_set_new(o, "missed_sent", json_boolean(s->missed_sent)) == 0;
        ok = ok && json_object_set_new(o, "silenced", json_boolean(s->silenced)) == 0;
        ok = ok && json_object_set_new(o, "silence_until", s->silenced ? date_json(s->silence_until) : json_null()) == 0;
        ok = ok && json_object_set_new(o, "acked", json_boolean(s->acked)) == 0;
        ok = ok && json_object_set_new(o, "last_eval", date_json(s->last_eval)) == 0;
        ok = ok && json_object_set_new(o, "routes", marks) == 0;
        if (!ok) {
                json_decref(o);
                return NULL;
        }
        out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
        json_decref(o);
        return out;
}

static int get_period(json_t *o, const char *key, bool *ret_has, Period *ret)
{
        json_t *v = json_object_get(o, key);

        *ret_has = false;
        *ret = (Period){};
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v) || period_parse(json_string_value(v), ret) < 0)
                return -EINVAL;
        *ret_has = true;
        return 0;
}

static int get_date(json_t *o, const char *key, Date *ret)
{
        json_t *v = json_object_get(o, key);

        *ret = (Date){};
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v) || date_parse(json_string_value(v), ret) < 0)
                return -EINVAL;
        return 0;
}

static bool get_bool(json_t *o, const char *key)
{
        return json_is_true(json_object_get(o, key));
}

static int64_t get_int(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);
        return json_is_integer(v) ? (int64_t) json_integer_value(v) : 0;
}

int alert_state_from_json(const char *text, AlertState *ret)
{
        AlertState s = {};
        json_t *o, *v, *marks;
        bool has;
        int k = -EINVAL;

        *ret = (AlertState){};
        o = json_loads(text, 0, NULL);
        if (!json_is_object(o))
                goto fail;

        if (get_period(o, "goal_period", &s.has_goal_period, &s.goal_period) < 0)
                goto fail;
        v = json_object_get(o, "status");
        if (json_is_string(v)) {
                GoalStatus st = goal_status_from_string(json_string_value(v));
                if (st < 0)
                        goto fail;
                s.has_status = true;
                s.status = st;
        }
        s.status_since = get_int(o, "status_since");
        s.no_data = get_bool(o, "no_data");
        if (get_period(o, "latest", &s.has_latest, &s.latest) < 0)
                goto fail;
        v = json_object_get(o, "value");
        if (json_is_number(v)) {
                s.has_value = true;
                s.value = json_number_value(v);
        }
        s.off_count = (unsigned) MAX(get_int(o, "off_count"), 0);
        if (get_period(o, "off_since", &has, &s.off_since) < 0 || get_period(o, "off_last", &has, &s.off_last) < 0)
                goto fail;
        s.firing = get_bool(o, "firing");
        s.firing_notified = get_bool(o, "firing_notified");
        s.firing_at = get_int(o, "firing_at");
        s.achieved_sent = get_bool(o, "achieved_sent");
        s.missed_sent = get_bool(o, "missed_sent");
        s.silenced = get_bool(o, "silenced");
        s.acked = get_bool(o, "acked");
        if (get_date(o, "silence_until", &s.silence_until) < 0 || get_date(o, "last_eval", &s.last_eval) < 0)
                goto fail;

        marks = json_object_get(o, "routes");
        if (json_is_array(marks) && json_array_size(marks) > 0) {
                size_t i;
                json_t *m;

                s.marks = xmalloc_array(json_array_size(marks), sizeof *s.marks);
                if (!s.marks) {
                        k = -ENOMEM;
                        goto fail;
                }
                json_array_foreach(marks, i, m) {
                        AlertRouteMark *rm = &s.marks[s.n_marks];

                        if (!json_is_object(m))
                                goto fail;
                        rm->route = (unsigned) MAX(get_int(m, "route"), 0);
                        rm->at = get_int(m, "at");
                        if (get_period(m, "period", &rm->has_period, &rm->period) < 0)
                                goto fail;
                        s.n_marks++;
                }
        }
        json_decref(o);
        *ret = s;
        return 0;

fail:
        json_decref(o);
        alert_state_done(&s);
        return k;
}
