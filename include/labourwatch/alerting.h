/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Glue between the goal results of a cycle, the alert state machine (alert.h), the routes of the
 * configuration and the outbox: for every goal it loads the alert state and the operator's controls
 * (silence, ack), runs alert_step(), routes the events (routes' `goals:` globs on the goal id; the
 * route's recipients, else the goal's own; the route's notifiers), and groups them into ONE notice
 * per (notifier, recipient) per cycle — the outbox payload "notice" v1, most severe event first,
 * with an idempotency key. Data problems (a source failing longer than its stale_after, a goal
 * without a verdict because its figures are later than the series' publication_lag) go to routes
 * with `data_problems: true` only.
 *
 * The new alert states, the audit transitions and the outbox rows are written in one store
 * transaction: after a crash either all of a cycle's alerting is stored, or none of it and the next
 * cycle makes the same decisions again (the same idempotency keys). Never logs: the caller logs
 * the report. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/alert.h"
#include "labourwatch/config.h"
#include "labourwatch/goal.h"
#include "labourwatch/store.h"

/* One event of one goal, as the caller should log it. */
typedef struct AlertingTransition {
        char *goal;
        size_t goal_index; /* in config->goals */
        AlertEvent event;
        char *notified; /* "notifier:recipient, …", NULL when nobody */
} AlertingTransition;

/* One notice: an outbox row. */
typedef struct AlertingNotice {
        char *notifier;
        char *recipient; /* NULL for webhook / alertmanager */
        char *key;       /* idempotency key (hex SHA-256) */
        char *payload;   /* notice v1 JSON */
        size_t n_events, n_problems;
        bool enqueued;   /* false: the key was in the outbox already (or a dry run) */
} AlertingNotice;

typedef struct AlertingReport {
        size_t n_firing;     /* goals firing after this cycle */
        size_t n_silenced;   /* goals silenced now */
        AlertingTransition *transitions;
        size_t n_transitions;
        AlertingNotice *notices;
        size_t n_notices;
} AlertingReport;

void alerting_report_done(AlertingReport *r);

typedef struct AlertingArgs {
        Store *store;               /* states, controls, source state; written unless dry_run/states */
        const Config *config;
        const GoalResult *results;  /* one per config->goals[], in that order */
        size_t n_results;
        Date date;                  /* evaluation date */
        int64_t now;                /* usec realtime */
        bool dry_run;               /* decide and build the notices, write nothing */
        /* Replay: the alert states live here (config->n_goals of them, updated in place) instead of
         * the store; no controls, no source problems, nothing written. NULL: the store. */
        AlertState *states;
} AlertingArgs;

/* Runs one alerting cycle. Returns 0 and fills *ret (caller frees with alerting_report_done), or
 * negative errno with *ret_error (caller frees); on error nothing was written. */
int alerting_run(const AlertingArgs *a, AlertingReport *ret, char **ret_error);

/* Does a route apply to a goal id (its `goals:` globs; none: every goal)? */
bool alerting_route_matches(const RouteDef *r, const char *goal);

/* The AlertInput parameters of a goal: `for:`, the recovery band (default: the tolerance), the
 * recovery probability (status from the probability), notify_at_risk. */
void alerting_goal_params(const GoalDef *g, AlertInput *in);

/* Telling a running daemon to evaluate now: `labourwatch silence/unsilence/ack` (after their row)
 * and `import`/`fetch` (after storing figures) write this file in the state directory;
 * labourwatchd watches the directory (inotify) and evaluates at once instead of at its next
 * evaluation. */
#define ALERTING_KICK_FILE "evaluate-now"

/* Writes state_dir/ALERTING_KICK_FILE. Returns 0 or negative errno (callers may ignore it: the
 * daemon picks the change up at its next evaluation anyway). */
int alerting_kick(const char *state_dir);
