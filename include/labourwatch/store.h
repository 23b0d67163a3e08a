/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The state store: one SQLite database in state_dir (WAL, busy timeout, schema version with
 * migrations). Observations with provenance and revisions, fetch log and per-source state,
 * evaluations (audit trail), alert state, outbox. Every write batch is one transaction: a crash in
 * the middle leaves the previous state intact; store_begin() .. store_commit() makes several writes
 * one transaction. Functions return 0 (or a count) or negative errno;
 * they never log — *ret_error (when given) receives a malloc'd message naming the database path
 * and SQLite's reason. */

#include <stdbool.h>
#include <stdint.h>

#include "labourwatch/series.h"
#include "labourwatch/strv.h"

typedef struct Store Store;

/* Opens (creating and migrating as needed) state_dir/labourwatch.db. A missing or unwritable
 * state_dir, or a corrupt database, fails with a clear *ret_error, never a crash. state_dir itself is
 * never created (systemd's StateDirectory= does that). A database from a newer labourwatch (higher
 * schema version) is refused with -EPROTONOSUPPORT. store_open_readonly() never creates or migrates:
 * -ENOENT when there is no database yet, -EPROTONOSUPPORT when its schema is older or newer.
 * *ret_error is only written on failure; the caller frees it. */
int store_open(const char *state_dir, Store **ret, char **ret_error);
int store_open_readonly(const char *state_dir, Store **ret, char **ret_error);
Store *store_close(Store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close); /* store_closep, for _cleanup_ */
int store_schema_version(Store *s);

/* ---- transactions spanning several writes ----
 *
 * Each write function below is atomic by itself. To make several atomic together (alert state +
 * outbox: both or neither), open a transaction: every store write called until the commit or the
 * rollback joins it instead of committing on its own (a write that fails inside it undoes only its
 * own part and returns its error; the caller then decides: commit what succeeded, or roll back).
 *
 *         r = store_begin(st, &error);
 *         … store_set_alert_state(st, …); store_outbox_enqueue(st, …); …
 *         r = r < 0 ? r : store_commit(st, &error);
 *         if (r < 0)
 *                 store_rollback(st);
 *
 * store_begin() takes the write lock (BEGIN IMMEDIATE; waits up to the busy timeout); it returns
 * -EBUSY when a transaction is already open on s (no nesting). store_commit() returns 0, or negative
 * errno when nothing was committed (e.g. SQLite already rolled back after a disk-full error): the
 * transaction is then closed, nothing of it stored. store_rollback() never fails visibly and is a
 * no-op without an open transaction. Reads inside a transaction see its uncommitted writes. */
int store_begin(Store *s, char **ret_error);
int store_commit(Store *s, char **ret_error);
void store_rollback(Store *s);
bool store_in_transaction(const Store *s);

/* One snapshot for several reads (a command that reads many tables beside a running daemon, such as
 * `labourwatch status`): every read between store_read_begin() and store_read_end() sees the
 * database as the first of them found it; the daemon's commits meanwhile are not seen, and are not
 * held up (WAL). Works on a read-only Store; takes no lock. store_read_begin() returns -EBUSY when a
 * transaction is open on s; store_read_end() never fails visibly and is a no-op without one. */
int store_read_begin(Store *s, char **ret_error);
void store_read_end(Store *s);

/* Crash-test hook (kill -9 tests of alerting and delivery): when $LW_TEST_CRASH_AT equals step, the
 * process is killed on the spot with SIGKILL (exit status 137 in a shell), as a power cut would:
 * no rollback, no flush. Steps used: "after-evaluate", "after-enqueue", "after-deliver" (the server
 * accepted, before mark-sent), "after-mark-sent". A no-op without the variable. */
void store_crash_point(Store *s, const char *step);

typedef struct Provenance {
        const char *source;    /* SourceDef name, or "import" */
        const char *table;     /* may be NULL */
        const char *selection; /* canonical "DIM=value,…", may be NULL */
        const char *url;       /* without secrets; may be NULL */
        int64_t fetched_at;    /* usec since the epoch (realtime) */
} Provenance;

typedef struct StoreWriteStats {
        unsigned new_periods;  /* periods not stored before */
        unsigned revisions;    /* periods whose value changed (old value kept) */
        unsigned unchanged;
} StoreWriteStats;

/* Writes all points of one series in one transaction. A value equal to the stored one only refreshes
 * its last_seen time; a different value is a revision: the previous row is kept, marked superseded,
 * with both fetch times. Returns 0 and fills *ret_stats. */
int store_put_series(Store *s, const char *series, const SeriesPoint *points, size_t n_points,
                     const Provenance *prov, StoreWriteStats *ret_stats, char **ret_error);

/* Loads the latest revision of every stored period of a series into *ret (caller owns). An unknown
 * series yields an empty Series, not an error. */
int store_load_series(Store *s, const char *series, Series **ret, char **ret_error);

typedef struct StoredObservation {
        Period period;
        double value;
        bool missing;
        int64_t fetched_at;    /* first seen */
        int64_t superseded_at; /* 0 while current */
        char *source, *table, *selection, *url;
} StoredObservation;

/* All rows of a series, oldest period first, revisions in fetch order. Caller frees with
 * store_observations_free. */
int store_series_history(Store *s, const char *series, StoredObservation **ret, size_t *ret_n,
                         char **ret_error);
void store_observations_free(StoredObservation *o, size_t n);

/* Names of all stored series, sorted. Caller frees (strv). */
int store_list_series(Store *s, char ***ret, size_t *ret_n, char **ret_error);

/* ---- fetch log and per-source state ---- */

typedef struct SourceState {
        int64_t last_attempt;      /* usec realtime, 0 = never */
        int64_t last_success;
        int64_t first_failure;     /* start of the current failure streak, 0 if none */
        unsigned consecutive_failures;
        int64_t next_due;          /* usec realtime, 0 = as soon as possible */
        char *last_error;          /* NULL if none */
        char *etag, *last_modified;/* conditional requests, per source+key */
        char *remote_updated;      /* statbank tableinfo "updated" of the last data fetch */
} SourceState;

/* key identifies what the state is about: usually the source name, or "source/table" for
 * per-table state (etag, updated). get returns 1 and fills *ret (caller frees with
 * source_state_done), or 0 with *ret zeroed (never attempted) when nothing is stored for key. set
 * replaces the whole state of key; NULL strings are stored as NULL. */
int store_get_source_state(Store *s, const char *key, SourceState *ret, char **ret_error);
int store_set_source_state(Store *s, const char *key, const SourceState *st, char **ret_error);
void source_state_done(SourceState *st);

/* Appends one line to the fetch log. */
int store_log_fetch(Store *s, const char *source, const char *url, long http_status, bool ok,
                    const char *message, int64_t at, char **ret_error);

/* ---- evaluations (audit trail) and alert state ---- */

/* Records one evaluation: inputs_json lists the periods and values used; result_json the
 * GoalResult. */
int store_add_evaluation(Store *s, const char *goal, const char *eval_date, const char *status,
                         const char *inputs_json, const char *result_json, int64_t at, char **ret_error);

typedef struct StoredEvaluation {
        char *goal, *eval_date, *status, *inputs_json, *result_json;
        int64_t at;
} StoredEvaluation;
/* All evaluations of goal (of every goal when goal is NULL), oldest first. */
int store_list_evaluations(Store *s, const char *goal, StoredEvaluation **ret, size_t *ret_n, char **ret_error);
void store_evaluations_free(StoredEvaluation *e, size_t n);
/* The most recent evaluation of a goal (by `at`). Returns 1 and fills *ret (caller frees with
 * stored_evaluation_done), or 0 with *ret zeroed when the goal was never evaluated. */
int store_get_latest_evaluation(Store *s, const char *goal, StoredEvaluation *ret, char **ret_error);
/* Deletes the evaluations made before `before` (usec realtime), except each goal's latest and those
 * an alert transition came from (the audit trail of every notice stays whole). Returns the number
 * deleted, or a negative errno. */
int store_prune_evaluations(Store *s, int64_t before, char **ret_error);
void stored_evaluation_done(StoredEvaluation *e);

/* Alert state per goal: an opaque JSON document owned by the alerting module. *ret = NULL when
 * none (caller frees). Setting NULL deletes the state. */
int store_get_alert_state(Store *s, const char *goal, char **ret_json, char **ret_error);
int store_set_alert_state(Store *s, const char *goal, const char *json, char **ret_error);

/* ---- outbox ---- */

typedef struct OutboxItem {
        int64_t id;
        char *channel;      /* NotifierDef name */
        char *recipient;    /* may be NULL (webhook) */
        char *dedup_key;    /* unique: enqueueing the same key twice is a no-op */
        char *payload_json;
        unsigned attempts;
        int64_t next_attempt;
        char *last_error;
        int64_t created_at; /* enqueue time (give_up_after counts from here) */
} OutboxItem;

/* next_attempt of an item that will never be attempted again: delivery failed permanently or gave up
 * (give_up_after). It stays in the table, unsent, with last_error saying why. */
#define STORE_OUTBOX_NEVER INT64_MAX

/* Returns 1 if enqueued, 0 if dedup_key was already present. */
int store_outbox_enqueue(Store *s, const char *channel, const char *recipient, const char *dedup_key,
                         const char *payload_json, int64_t now, char **ret_error);
/* Items due at `now` (not yet sent, next_attempt <= now), oldest (created) first, at most max.
 * A new item's next_attempt is its enqueue time. */
int store_outbox_due(Store *s, int64_t now, size_t max, OutboxItem **ret, size_t *ret_n, char **ret_error);
/* Both return -ENOENT when id names no unsent item (sent items are final). mark_failed increments
 * attempts and stores the error and the next attempt time. */
int store_outbox_mark_sent(Store *s, int64_t id, int64_t at, char **ret_error);
int store_outbox_mark_failed(Store *s, int64_t id, const char *error, int64_t next_attempt, char **ret_error);
void store_outbox_free(OutboxItem *items, size_t n);
/* The earliest next_attempt of an unsent item later than `after` (and not STORE_OUTBOX_NEVER):
 * returns 1 and *ret, or 0 when there is none. */
int store_outbox_next_due(Store *s, int64_t after, int64_t *ret, char **ret_error);
/* Whether item id is still due at `now` (unsent, next_attempt <= now): 1 yes, 0 no (sent, waiting
 * for a retry, given up, or gone), or a negative errno with *ret_error. The outbox asks before each
 * transfer: a batch read earlier may hold an item delivered since. */
int store_outbox_still_due(Store *s, int64_t id, int64_t now, char **ret_error);
/* Sets next_attempt of every unsent, not given up item of channel (a notifier held back for a
 * problem of its configuration, or released after a reload). Returns the number of items, or a
 * negative errno with *ret_error. */
int store_outbox_reschedule_channel(Store *s, const char *channel, int64_t next_attempt, char **ret_error);
/* Frees the connection's page cache (sqlite3_db_release_memory): between cycles, hours apart. */
void store_release_memory(Store *s);

/* Unsent items still to be attempted (waiting or being retried; not those given up, whose
 * next_attempt is STORE_OUTBOX_NEVER): how many, and the enqueue time of the oldest (0 when none). For the metrics file. Returns 0 or a negative errno with *ret_error. */
int store_outbox_stats(Store *s, size_t *ret_n, int64_t *ret_oldest, char **ret_error);

/* ---- alerting: audit trail, operator controls, figures as known then ---- */

/* One event of the alert state machine, delivered or suppressed. */
typedef struct StoredTransition {
        char *goal;
        int64_t at;          /* usec realtime of the evaluation */
        char *eval_date;     /* YYYY-MM-DD */
        char *period;        /* latest data period, may be NULL */
        char *from_status;   /* may be NULL (first evaluation) */
        char *to_status;
        char *event;         /* "firing", "resolved", … */
        char *suppressed;    /* why nobody was told ("silenced", "pending", …), NULL when delivered */
        char *notified;      /* "notifier:recipient, …" that received it, may be NULL */
        char *result_json;   /* the evaluation that caused it */
} StoredTransition;

/* Appends one transition (joins an open transaction). All strings but period, from_status,
 * suppressed and notified are required. */
int store_add_alert_transition(Store *s, const StoredTransition *t, char **ret_error);
/* Transitions of goal (all goals when NULL), oldest first; at most the newest `limit` (0: all).
 * Caller frees with store_transitions_free. */
int store_list_alert_transitions(Store *s, const char *goal, size_t limit, StoredTransition **ret,
                                 size_t *ret_n, char **ret_error);
void store_transitions_free(StoredTransition *t, size_t n);

/* Silence and ack of one goal, written by `labourwatch silence/unsilence/ack`. */
typedef struct StoredControl {
        char *goal;
        char *silence_until;   /* YYYY-MM-DD inclusive; NULL: not silenced */
        char *silence_comment, *silence_by;
        int64_t silenced_at;
        int64_t ack_at;        /* 0: never acked */
        char *ack_comment, *ack_by;
} StoredControl;

/* until NULL lifts the silence. */
int store_set_silence(Store *s, const char *goal, const char *until, const char *comment, const char *by,
                      int64_t at, char **ret_error);
int store_set_ack(Store *s, const char *goal, const char *comment, const char *by, int64_t at,
                  char **ret_error);
/* Every goal with a control, sorted by goal. Caller frees with store_controls_free. */
int store_list_alert_controls(Store *s, StoredControl **ret, size_t *ret_n, char **ret_error);
void store_controls_free(StoredControl *c, size_t n);

/* Every stored alert state: parallel arrays of goal ids and JSON documents, sorted by goal. Caller
 * frees both (strv_free_n). */
int store_list_alert_states(Store *s, char ***ret_goals, char ***ret_json, size_t *ret_n, char **ret_error);

/* Like store_load_series, with the figures as they were known before fetched_before (usec
 * realtime): a period first fetched later is absent, and a revised period has the value it had then. */
int store_load_series_asof(Store *s, const char *series, int64_t fetched_before, Series **ret,
                           char **ret_error);

/* When the current figures of a series were last fetched (the newest fetched_at of its current
 * rows), 0 when it has none. */
int store_series_last_fetched(Store *s, const char *series, int64_t *ret, char **ret_error);


/* One outbox row as `labourwatch alerts` shows it. */
typedef struct StoredNotice {
        int64_t id;
        char *channel, *recipient, *dedup_key;
        int64_t created_at;
        unsigned attempts;
        int64_t next_attempt; /* STORE_OUTBOX_NEVER: given up */
        char *last_error;
        int64_t sent_at;      /* 0: not sent */
} StoredNotice;

/* Every unsent outbox item (oldest first), then the most recently sent ones; at most limit in all
 * (0: no limit). Caller frees with store_notices_free. */
int store_outbox_recent(Store *s, size_t limit, StoredNotice **ret, size_t *ret_n, char **ret_error);
void store_notices_free(StoredNotice *n, size_t n_items);

/* ---- labourwatch status: the whole picture in one query per table ----
 *
 * Each function reads one table (or one table with its log) in a single statement, whatever the
 * number of sources, series, goals or notifiers, and returns rows sorted by name (bytewise, as
 * strcmp), for the caller's bsearch(). Caller frees with the matching _free. */

typedef struct StoredSourceStatus {
        char *key;            /* source name, or "source/table" */
        SourceState state;
        int64_t last_failure; /* newest failed fetch in the fetch log, 0 = none */
} StoredSourceStatus;
int store_list_source_status(Store *s, StoredSourceStatus **ret, size_t *ret_n, char **ret_error);
void store_source_status_free(StoredSourceStatus *v, size_t n);

typedef struct StoredSeriesSummary {
        char *series;
        size_t n_periods, n_revised; /* revised: periods with more than one stored value */
        bool have_latest;
        Period latest;               /* the newest period stored, its current value: */
        double latest_value;
        bool latest_missing;
        int64_t last_new_data;       /* newest fetched_at of any row: when figures last appeared or changed */
} StoredSeriesSummary;
int store_list_series_summaries(Store *s, StoredSeriesSummary **ret, size_t *ret_n, char **ret_error);
void store_series_summaries_free(StoredSeriesSummary *v, size_t n);

/* The newest evaluation of every goal ever evaluated (as store_get_latest_evaluation), with
 * inputs_json NULL. Free with store_evaluations_free. */
int store_list_latest_evaluations(Store *s, StoredEvaluation **ret, size_t *ret_n, char **ret_error);

typedef struct StoredChannelStatus {
        char *channel;          /* NotifierDef name */
        size_t pending;         /* unsent, still to be attempted */
        size_t given_up;        /* unsent, never attempted again */
        int64_t oldest_pending; /* enqueue time of the oldest pending, 0 = none */
        int64_t last_sent;      /* newest delivery, 0 = none */
        char *last_error;       /* error of the newest notice that ever failed, NULL = none */
        bool last_error_unsent; /* …and that notice is still not delivered */
} StoredChannelStatus;
int store_outbox_channel_status(Store *s, StoredChannelStatus **ret, size_t *ret_n, char **ret_error);
void store_channel_status_free(StoredChannelStatus *v, size_t n);
