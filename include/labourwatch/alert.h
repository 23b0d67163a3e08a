/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The alert state machine of one goal: (previous state, evaluation, routes, controls) -> (next
 * state, events). Pure: no I/O, no clock, no logging; the caller passes the date and time in.
 * labourwatch.yaml(5) and labourwatchd(8) document the rules; in short:
 *
 *  - Counting is in data periods, never in evaluations: a goal fires when its latest `for:`
 *    consecutive data periods were off track. Re-evaluating the same latest period counts nothing.
 *  - A firing goal resolves only when its margin (projection minus target, sign towards better) is
 *    back past the recovery band (default: the goal's tolerance); inside the band it stays firing.
 *  - achieved and missed are announced once each.
 *  - A status change without a new data period, caused by changed figures, is one "revised" event
 *    with the old and new value; a revision that changes no status produces nothing.
 *  - Repeats per route, every N new data periods or every duration; an ack (given after the last
 *    status change) stops them; a silence (until a date, inclusive) suppresses every event.
 *  - no_data / insufficient_data keep the state as it is (late data is a data problem, not a
 *    goal event).
 *  - A goal id whose goal period changed (next year's goal under the same id) starts afresh.
 *
 * Suppressed events are returned too (routes == 0, suppressed != NONE), for the audit trail. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/goal.h"
#include "labourwatch/period.h"

/* In order of severity: the most severe first (the order of a notice's events). */
typedef enum AlertEventKind {
        ALERT_EVENT_MISSED,
        ALERT_EVENT_FIRING,
        ALERT_EVENT_REPEAT,
        ALERT_EVENT_REVISED,
        ALERT_EVENT_AT_RISK,
        ALERT_EVENT_RESOLVED,
        ALERT_EVENT_ACHIEVED,
        _ALERT_EVENT_MAX,
        _ALERT_EVENT_INVALID = -EINVAL,
} AlertEventKind;

const char *alert_event_to_string(AlertEventKind k); /* "missed", "firing", "repeat", … */
AlertEventKind alert_event_from_string(const char *s);

/* Why an event reaches no route. */
typedef enum AlertSuppress {
        ALERT_SUPPRESS_NONE,
        ALERT_SUPPRESS_SILENCED,      /* `labourwatch silence` until a date */
        ALERT_SUPPRESS_ACKED,         /* repeat after `labourwatch ack` */
        ALERT_SUPPRESS_PENDING,       /* off track for fewer than `for:` data periods */
        ALERT_SUPPRESS_RECOVERY_BAND, /* better, but not past the recovery band: stays firing */
        ALERT_SUPPRESS_NOT_REQUESTED, /* at_risk without notify_at_risk; resolved without send_resolved */
        ALERT_SUPPRESS_NO_ROUTE,      /* no route applies to the goal (set by the caller) */
        _ALERT_SUPPRESS_MAX,
        _ALERT_SUPPRESS_INVALID = -EINVAL,
} AlertSuppress;

const char *alert_suppress_to_string(AlertSuppress s); /* "none", "silenced", "acked", … */
AlertSuppress alert_suppress_from_string(const char *s);

/* What one route asks for. At most ALERT_ROUTES_MAX routes apply to one goal. */
#define ALERT_ROUTES_MAX 64
typedef struct AlertRoute {
        unsigned id;             /* stable identity of the route (its index in the configuration) */
        unsigned repeat_periods; /* repeat a firing goal every N new data periods; 0: not by periods */
        uint64_t repeat_usec;    /* repeat a firing goal after this long; 0: not by time */
        bool notify_at_risk;
        bool send_resolved;
} AlertRoute;

/* Operator controls, written by `labourwatch silence/ack`. */
typedef struct AlertControls {
        bool has_silence;
        Date silence_until; /* inclusive */
        int64_t ack_at;     /* usec realtime of the ack; 0: none */
} AlertControls;

/* Figures of the latest period as they were and are (optional input; without it a change of the
 * goal's value on the same latest period is taken as the revision). */
typedef struct AlertRevision {
        Period period;
        double old_value, new_value;
} AlertRevision;

typedef struct AlertInput {
        const GoalResult *result;
        unsigned alert_for;    /* `for:`; 0 is taken as 1 */
        double recovery_band;  /* in the target's unit, >= 0 */
        double recovery_probability; /* > 0: recovered when the result's probability is at least this */
        bool notify_at_risk;   /* the goal's own `notify_at_risk:` */
        const AlertRoute *routes;
        size_t n_routes;
        const AlertControls *controls; /* may be NULL */
        const AlertRevision *revision; /* may be NULL */
        Date date;             /* evaluation date */
        int64_t now;           /* usec realtime of the evaluation */
} AlertInput;

/* When a route last heard of a firing goal (for repeats). */
typedef struct AlertRouteMark {
        unsigned route;
        int64_t at;
        bool has_period;
        Period period;
} AlertRouteMark;

typedef struct AlertState {
        bool has_goal_period;
        Period goal_period;       /* a goal id reused for another goal period starts afresh */
        bool has_status;
        GoalStatus status;        /* last verdict; never no_data / insufficient_data */
        int64_t status_since;     /* usec of the evaluation that changed it */
        bool no_data;             /* the last evaluation had no verdict */
        bool has_latest;
        Period latest;            /* latest data period seen */
        bool has_value;
        double value;             /* the goal's value at that period */

        unsigned off_count;       /* consecutive data periods off track */
        Period off_since;         /* first period of that streak (valid when off_count > 0) */
        Period off_last;          /* last period counted */

        bool firing;
        bool firing_notified;     /* a firing event reached a route (not silenced) */
        int64_t firing_at;

        bool achieved_sent, missed_sent;

        bool silenced;            /* as of the last step (for display) */
        Date silence_until;
        bool acked;               /* as of the last step (for display) */
        Date last_eval;           /* evaluation date of the last step; year 0: never */

        AlertRouteMark *marks;    /* owned */
        size_t n_marks;
} AlertState;

typedef struct AlertEvent {
        AlertEventKind kind;
        GoalStatus status, previous_status; /* previous: _GOAL_STATUS_INVALID when none */
        bool has_period;
        Period period;                      /* latest data period */
        bool has_off_track_since;
        Period off_track_since;
        bool revised;
        AlertRevision revision;
        uint64_t routes;                    /* bit i: AlertInput.routes[i] receives it */
        AlertSuppress suppressed;           /* why routes == 0 */
} AlertEvent;

/* One step. *ret_next receives the new state (caller frees with alert_state_done; may not alias
 * prev), *ret_events an array of *ret_n events (caller frees; NULL when none), most severe first.
 * prev may be NULL or zeroed (never evaluated). Returns 0, -EINVAL (more than ALERT_ROUTES_MAX
 * routes, no result) or -ENOMEM. */
int alert_step(const AlertState *prev, const AlertInput *in, AlertState *ret_next, AlertEvent **ret_events,
               size_t *ret_n);

void alert_state_done(AlertState *s);
int alert_state_copy(const AlertState *s, AlertState *ret);

/* The state as the JSON document the store keeps (compact, sorted keys); caller frees. NULL on OOM. */
char *alert_state_to_json(const AlertState *s);
/* Parses such a document into *ret (caller frees with alert_state_done). Unknown keys are ignored,
 * so an older daemon reads a newer document. Returns 0 or -EINVAL. */
int alert_state_from_json(const char *json, AlertState *ret);

/* Sorts events most severe first (stable). */
void alert_events_sort(AlertEvent *e, size_t n);
