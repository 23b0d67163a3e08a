/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state store: one SQLite database, state_dir/labourwatch.db.
 *
 * Connection settings (applied at every open):
 *   journal_mode=WAL   readers (the CLI) never block the daemon's writer and vice versa;
 *   busy_timeout=5000  a CLI reader holding the WAL briefly must not fail a daemon write;
 *   foreign_keys=ON    so any future REFERENCES clause is enforced, not decoration;
 *   synchronous=FULL   with WAL, NORMAL can lose the last committed transactions on power loss
 *                      (never corrupts). We commit only a handful of small transactions an hour,
 *                      and the outbox and alert state must not forget that a mail was enqueued or
 *                      already sent (else a head of department gets it twice, or never): one
 *                      extra fsync per commit is cheap insurance, so FULL.
 *
 * Schema versions: PRAGMA user_version holds the number of migrations applied. migrations[] is an
 * ordered list; opening applies every missing one, each in its own transaction together with the
 * user_version bump, so a crash between two leaves a consistent older version that the next open
 * continues from. A database written by a newer labourwatch (user_version > ELEMENTSOF(migrations))
 * is refused rather than guessed at. To add migration N+1: append a string to migrations[].
 *
 * Every write is one transaction (BEGIN IMMEDIATE: take the write lock up front, so the busy
 * timeout applies there instead of failing mid-transaction on a lock upgrade). Any error rolls back.
 * A caller's store_begin() widens that to several writes (alert state + outbox): they then join
 * its transaction, a multi-statement write inside a SAVEPOINT of its own.
 * Data only ever reaches SQL through sqlite3_bind_*; prepared statements are cached per Store.
 *
 * Never logs: errors go to *ret_error as "DBPATH: what: SQLite's reason".
 *
 * This file opens, migrates and holds the statements and transactions; the table families live
 * beside it (store-observations.c, store-alerts.c, store-outbox.c), sharing the Store and the
 * statement helpers through store-internal.h. */

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"
#include "store-internal.h"

#define STORE_DB_NAME "labourwatch.db"
#define STORE_BUSY_TIMEOUT_MS 5000

/* Version 1: the observation store and the fetch bookkeeping. */
static const char migration_1[] =
        /* One row per (series, period, revision). The current value of a period is the row with
         * superseded_at IS NULL; a revision keeps the old row and stamps superseded_at with the
         * fetch time of the value that replaced it. period is the canonical code (2024M06); freq,
         * year, sub rebuild the Period; start_day/end_day (days since 1970-01-01) sort periods
         * of any frequency the way period_compare() does. value is NULL exactly when missing. */
        "CREATE TABLE observations (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        series TEXT NOT NULL,\n"
        "        period TEXT NOT NULL,\n"
        "        freq TEXT NOT NULL,\n"
        "        year INTEGER NOT NULL,\n"
        "        sub INTEGER NOT NULL,\n"
        "        start_day INTEGER NOT NULL,\n"
        "        end_day INTEGER NOT NULL,\n"
        "        value REAL,\n"
        "        missing INTEGER NOT NULL CHECK (missing IN (0, 1)),\n"
        "        fetched_at INTEGER NOT NULL,\n"
        "        last_seen INTEGER NOT NULL,\n"
        "        superseded_at INTEGER,\n"
        "        source TEXT NOT NULL,\n"
        "        source_table TEXT,\n"
        "        selection TEXT,\n"
        "        url TEXT,\n"
        "        CHECK ((missing = 1) = (value IS NULL))\n"
        ") STRICT;\n"
        /* At most one current row per period: a bug writing two would fail loudly. Also the
         * index behind the "current value of this period" lookup and store_load_series. */
        "CREATE UNIQUE INDEX observations_current ON observations (series, period)\n"
        "        WHERE superseded_at IS NULL;\n"
        /* store_series_history: all rows of a series in period order. */
        "CREATE INDEX observations_history ON observations (series, start_day, end_day DESC, fetched_at);\n"
        "CREATE TABLE fetch_log (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        source TEXT NOT NULL,\n"
        "        url TEXT,\n"
        "        http_status INTEGER NOT NULL,\n"
        "        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),\n"
        "        message TEXT,\n"
        "        at INTEGER NOT NULL\n"
        ") STRICT;\n"
        "CREATE INDEX fetch_log_source ON fetch_log (source, at);\n"
        "CREATE TABLE source_state (\n"
        "        key TEXT PRIMARY KEY,\n"
        "        last_attempt INTEGER NOT NULL DEFAULT 0,\n"
        "        last_success INTEGER NOT NULL DEFAULT 0,\n"
        "        first_failure INTEGER NOT NULL DEFAULT 0,\n"
        "        consecutive_failures INTEGER NOT NULL DEFAULT 0,\n"
        "        next_due INTEGER NOT NULL DEFAULT 0,\n"
        "        last_error TEXT,\n"
        "        etag TEXT,\n"
        "        last_modified TEXT,\n"
        "        remote_updated TEXT\n"
        ") STRICT;\n";

/* Version 2: what the goal engine and alerting keep: the evaluation audit trail, per-goal alert
 * state, and the durable notification outbox. */
static const char migration_2[] =
        "CREATE TABLE evaluations (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        goal TEXT NOT NULL,\n"
        "        eval_date TEXT NOT NULL,\n"
        "        status TEXT NOT NULL,\n"
        "        inputs_json TEXT NOT NULL,\n"
        "        result_json TEXT NOT NULL,\n"
        "        at INTEGER NOT NULL\n"
        ") STRICT;\n"
        "CREATE INDEX evaluations_goal ON evaluations (goal, at);\n"
        "CREATE TABLE alert_state (\n"
        "        goal TEXT PRIMARY KEY,\n"
        "        json TEXT NOT NULL\n"
        ") STRICT;\n"
        "CREATE TABLE outbox (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        channel TEXT NOT NULL,\n"
        "        recipient TEXT,\n"
        "        dedup_key TEXT NOT NULL UNIQUE,\n"
        "        payload_json TEXT NOT NULL,\n"
        "        created_at INTEGER NOT NULL,\n"
        "        attempts INTEGER NOT NULL DEFAULT 0,\n"
        "        next_attempt INTEGER NOT NULL,\n"
        "        last_error TEXT,\n"
        "        sent_at INTEGER\n"
        ") STRICT;\n"
        /* store_outbox_due: unsent items by due time; partial so sent mail costs nothing. */
        "CREATE INDEX outbox_due ON outbox (next_attempt, created_at, id) WHERE sent_at IS NULL;\n";

/* Version 3: alerting's audit trail and the operator's controls. alert_transitions records every
 * event the alert state machine produced, delivered or suppressed (and why), with the evaluation
 * that caused it: "why did we (not) get a mail in May". alert_controls holds silences and acks,
 * written by `labourwatch silence/ack` beside the running daemon, read by it every cycle. */
static const char migration_3[] =
        "CREATE TABLE alert_transitions (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        goal TEXT NOT NULL,\n"
        "        at INTEGER NOT NULL,\n"
        "        eval_date TEXT NOT NULL,\n"
        "        period TEXT,\n"
        "        from_status TEXT,\n"
        "        to_status TEXT NOT NULL,\n"
        "        event TEXT NOT NULL,\n"
        "        suppressed TEXT,\n"
        "        notified TEXT,\n"
        "        result_json TEXT NOT NULL\n"
        ") STRICT;\n"
        "CREATE INDEX alert_transitions_goal ON alert_transitions (goal, at);\n"
        "CREATE TABLE alert_controls (\n"
        "        goal TEXT PRIMARY KEY,\n"
        "        silence_until TEXT,\n"
        "        silence_comment TEXT,\n"
        "        silence_by TEXT,\n"
        "        silenced_at INTEGER NOT NULL DEFAULT 0,\n"
        "        ack_at INTEGER NOT NULL DEFAULT 0,\n"
        "        ack_comment TEXT,\n"
        "        ack_by TEXT\n"
        ") STRICT;\n";

static const char *const migrations[] = {
        migration_1,
        migration_2,
        migration_3,
};

#define STORE_SCHEMA_VERSION ((int) ELEMENTSOF(migrations))

static const char *const stmt_sql[_STMT_MAX] = {
        [STMT_BEGIN] = "BEGIN IMMEDIATE",
        [STMT_BEGIN_READ] = "BEGIN DEFERRED",
        [STMT_COMMIT] = "COMMIT",
        [STMT_ROLLBACK] = "ROLLBACK",
        [STMT_SAVEPOINT] = "SAVEPOINT store_write",
        [STMT_RELEASE] = "RELEASE store_write",
        [STMT_ROLLBACK_SAVEPOINT] = "ROLLBACK TO store_write",
        [STMT_OBS_CURRENT] = "SELECT id, value, missing FROM observations "
                             "WHERE series = ?1 AND period = ?2 AND superseded_at IS NULL",
        [STMT_OBS_TOUCH] = "UPDATE observations SET last_seen = MAX(last_seen, ?2) WHERE id = ?1",
        [STMT_OBS_SUPERSEDE] = "UPDATE observations SET superseded_at = ?2 WHERE id = ?1",
        [STMT_OBS_INSERT] =
                "INSERT INTO observations (series, period, freq, year, sub, start_day, end_day, "
                "value, missing, fetched_at, last_seen, superseded_at, source, source_table, "
                "selection, url) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, NULL, ?11, ?12, ?13, ?14)",
        [STMT_OBS_LOAD] = "SELECT period, value, missing FROM observations "
                          "WHERE series = ?1 AND superseded_at IS NULL ORDER BY start_day, end_day DESC",
        [STMT_OBS_HISTORY] =
                "SELECT period, value, missing, fetched_at, superseded_at, source, source_table, "
                "selection, url FROM observations WHERE series = ?1 "
                "ORDER BY start_day, end_day DESC, fetched_at, id",
        [STMT_OBS_LIST] = "SELECT DISTINCT series FROM observations ORDER BY series",
        [STMT_STATE_GET] =
                "SELECT last_attempt, last_success, first_failure, consecutive_failures, next_due, "
                "last_error, etag, last_modified, remote_updated FROM source_state WHERE key = ?1",
        [STMT_STATE_SET] =
                "INSERT INTO source_state (key, last_attempt, last_success, first_failure, "
                "consecutive_failures, next_due, last_error, etag, last_modified, remote_updated) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                "ON CONFLICT (key) DO UPDATE SET last_attempt = excluded.last_attempt, "
                "last_success = excluded.last_success, first_failure = excluded.first_failure, "
                "consecutive_failures = excluded.consecutive_failures, "
                "next_due = excluded.next_due, last_error = excluded.last_error, "
                "etag = excluded.etag, last_modified = excluded.last_modified, "
                "remote_updated = excluded.remote_updated",
        [STMT_FETCH_LOG] = "INSERT INTO fetch_log (source, url, http_status, ok, message, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [STMT_EVAL_ADD] = "INSERT INTO evaluations (goal, eval_date, status, inputs_json, result_json, at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [STMT_EVAL_LIST] = "SELECT goal, eval_date, status, inputs_json, result_json, at FROM evaluations "
                           "WHERE goal = ?1 ORDER BY at, id",
        [STMT_EVAL_LIST_ALL] =
                "SELECT goal, eval_date, status, inputs_json, result_json, at FROM evaluations "
                "ORDER BY goal, at, id",
        [STMT_EVAL_LATEST] = "SELECT goal, eval_date, status, inputs_json, result_json, at FROM evaluations "
                             "WHERE goal = ?1 ORDER BY at DESC, id DESC LIMIT 1",
        /* older than ?1, not a goal's latest, not the evaluation an alert transition came from */
        [STMT_EVAL_PRUNE] = "DELETE FROM evaluations WHERE at < ?1 AND EXISTS (SELECT 1 FROM evaluations n "
                            "WHERE n.goal = evaluations.goal AND (n.at > evaluations.at OR (n.at = evaluations.at "
                            "AND n.id > evaluations.id))) AND NOT EXISTS (SELECT 1 FROM alert_transitions t "
                            "WHERE t.goal = evaluations.goal AND t.at = evaluations.at)",
        [STMT_ALERT_GET] = "SELECT json FROM alert_state WHERE goal = ?1",
        [STMT_ALERT_SET] = "INSERT INTO alert_state (goal, json) VALUES (?1, ?2) "
                           "ON CONFLICT (goal) DO UPDATE SET json = excluded.json",
        [STMT_ALERT_DELETE] = "DELETE FROM alert_state WHERE goal = ?1",
        [STMT_OUTBOX_ENQUEUE] =
                "INSERT INTO outbox (channel, recipient, dedup_key, payload_json, created_at, "
                "next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
                "ON CONFLICT (dedup_key) DO NOTHING",
        [STMT_OUTBOX_DUE] =
                "SELECT id, channel, recipient, dedup_key, payload_json, attempts, next_attempt, "
                "last_error, created_at FROM outbox WHERE sent_at IS NULL AND next_attempt <= ?1 "
                "ORDER BY created_at, id LIMIT ?2",
        [STMT_OUTBOX_STATS] = "SELECT count(*), coalesce(min(created_at), 0) FROM outbox "
                              "WHERE sent_at IS NULL AND next_attempt < ?1",
        [STMT_OUTBOX_SENT] = "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL",
        [STMT_OUTBOX_FAILED] =
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt = ?3 "
                "WHERE id = ?1 AND sent_at IS NULL",
        [STMT_TRANSITION_ADD] =
                "INSERT INTO alert_transitions (goal, at, eval_date, period, from_status, to_status, "
                "event, suppressed, notified, result_json) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        /* The newest `limit` (?2; -1: all), returned oldest first. */
        [STMT_TRANSITION_LIST] =
                "SELECT * FROM (SELECT goal, at, eval_date, period, from_status, to_status, event, "
                "suppressed, notified, result_json, id FROM alert_transitions "
                "WHERE ?1 IS NULL OR goal = ?1 ORDER BY at DESC, id DESC LIMIT ?2) "
                "ORDER BY at, id",
        [STMT_SILENCE_SET] =
                "INSERT INTO alert_controls (goal, silence_until, silence_comment, silence_by, "
                "silenced_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                "ON CONFLICT (goal) DO UPDATE SET silence_until = excluded.silence_until, "
                "silence_comment = excluded.silence_comment, silence_by = excluded.silence_by, "
                "silenced_at = excluded.silenced_at",
        [STMT_ACK_SET] =
                "INSERT INTO alert_controls (goal, ack_at, ack_comment, ack_by) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (goal) DO UPDATE SET ack_at = excluded.ack_at, "
                "ack_comment = excluded.ack_comment, ack_by = excluded.ack_by",
        [STMT_CONTROL_LIST] =
                "SELECT goal, silence_until, silence_comment, silence_by, silenced_at, ack_at, "
                "ack_comment, ack_by FROM alert_controls ORDER BY goal",
        [STMT_ALERT_LIST] = "SELECT goal, json FROM alert_state ORDER BY goal",
        /* The row current at that time: fetched before it, and not yet superseded then (a revision
         * stamps the old row's superseded_at with the new row's fetched_at). Same columns and order
         * as STMT_OBS_LOAD. */
        [STMT_OBS_LOAD_ASOF] =
                "SELECT period, value, missing FROM observations WHERE series = ?1 AND fetched_at < ?2 "
                "AND (superseded_at IS NULL OR superseded_at >= ?2) ORDER BY start_day, end_day DESC",
        /* the partial index outbox_due answers this */
        /* Unsent items first (oldest first), then the most recently sent. */
        [STMT_OUTBOX_RECENT] =
                "SELECT id, channel, recipient, dedup_key, created_at, attempts, next_attempt, last_error, sent_at "
                "FROM outbox ORDER BY sent_at IS NULL DESC, CASE WHEN sent_at IS NULL THEN created_at ELSE -sent_at END, "
                "id LIMIT ?1",
        [STMT_OBS_LAST_FETCHED] = "SELECT COALESCE(MAX(fetched_at), 0) FROM observations "
                                  "WHERE series = ?1 AND superseded_at IS NULL",
        [STMT_OUTBOX_NEXT] = "SELECT MIN(next_attempt) FROM outbox WHERE sent_at IS NULL AND next_attempt > ?1 "
                             "AND next_attempt < ?2",
        [STMT_OUTBOX_STILL_DUE] = "SELECT 1 FROM outbox WHERE id = ?1 AND sent_at IS NULL AND next_attempt <= ?2",
        /* labourwatch status (store-status.c): one statement per table, whatever the number of
         * sources, series, goals or notifiers. Sorted by name, for the caller's binary search. */
        [STMT_STATUS_SOURCES] =
                "SELECT s.key, s.last_attempt, s.last_success, s.first_failure, s.consecutive_failures, "
                "s.next_due, s.last_error, s.etag, s.last_modified, s.remote_updated, COALESCE(f.at, 0) "
                "FROM source_state s LEFT JOIN (SELECT source, MAX(at) AS at FROM fetch_log WHERE ok = 0 "
                "GROUP BY source) f ON f.source = s.key ORDER BY s.key",
        /* Per series: periods, periods with more than one row (revised), the newest fetch, and the
         * current row of the latest period (the order of STMT_OBS_HISTORY, last). */
        [STMT_STATUS_SERIES] =
                "WITH per AS (SELECT series, COUNT(*) AS n, MAX(fetched_at) AS last FROM observations "
                "GROUP BY series, period), "
                "agg AS (SELECT series, COUNT(*) AS periods, SUM(n > 1) AS revised, MAX(last) AS last "
                "FROM per GROUP BY series), "
                "cur AS (SELECT series, period, value, missing, row_number() OVER (PARTITION BY series "
                "ORDER BY start_day DESC, end_day, id DESC) AS rn FROM observations WHERE superseded_at IS NULL) "
                "SELECT agg.series, agg.periods, agg.revised, agg.last, cur.period, cur.value, cur.missing "
                "FROM agg LEFT JOIN cur ON cur.series = agg.series AND cur.rn = 1 ORDER BY agg.series",
        /* The newest evaluation of every goal (as STMT_EVAL_LATEST), without the inputs; the window
         * runs over the index evaluations_goal. */
        [STMT_STATUS_EVALUATIONS] =
                "SELECT goal, eval_date, status, NULL, result_json, at FROM evaluations WHERE id IN "
                "(SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY goal ORDER BY at DESC, id DESC) "
                "AS rn FROM evaluations) WHERE rn = 1) ORDER BY goal",
        /* Per channel: waiting (?1 = STORE_OUTBOX_NEVER: given up), the oldest waiting, the newest
         * delivery, and the newest notice that failed at least once, with whether it is still unsent. */
        [STMT_STATUS_OUTBOX] =
                "SELECT a.channel, a.pending, a.given_up, a.oldest, a.last_sent, e.last_error, "
                "e.sent_at IS NULL FROM (SELECT channel, "
                "SUM(sent_at IS NULL AND next_attempt < ?1) AS pending, "
                "SUM(sent_at IS NULL AND next_attempt >= ?1) AS given_up, "
                "COALESCE(MIN(CASE WHEN sent_at IS NULL AND next_attempt < ?1 THEN created_at END), 0) AS oldest, "
                "COALESCE(MAX(sent_at), 0) AS last_sent, "
                "MAX(CASE WHEN last_error IS NOT NULL THEN id END) AS err_id FROM outbox GROUP BY channel) a "
                "LEFT JOIN outbox e ON e.id = a.err_id ORDER BY a.channel",
        [STMT_OUTBOX_RESCHEDULE_CHANNEL] =
                "UPDATE outbox SET next_attempt = ?2 WHERE channel = ?1 AND sent_at IS NULL AND next_attempt < ?3",
};

/* Maps SQLite's primary result code to a negative errno. */
static int sqlite_to_errno(int rc)
{
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CANTOPEN:
                return -ENOENT;
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
                return -EBADMSG;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_TOOBIG:
        case SQLITE_RANGE:
        case SQLITE_MISMATCH:
                return -EINVAL;
        default:
                return -EIO;
        }
}

/* Sets *ret_error (if wanted) to "PATH: <fmt>" and returns r. */
_printf_(4, 5) int set_error(const char *path, int r, char **ret_error, const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *msg = NULL;

        if (!ret_error)
                return r;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        /* Always assigned on failure (NULL only on OOM); the caller's previous value is not freed. */
        *ret_error = msg ? strdup_printf("%s: %s", path, msg) : NULL;
        return r;
}

/* Error from the last failed SQLite call on s: "PATH: what: SQLite's message". */
static int store_error(Store *s, int rc, char **ret_error, const char *what)
{
        return set_error(s->path, sqlite_to_errno(rc) ?: -EIO, ret_error, "%s: %s", what,
                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

/* Returns the cached prepared statement, reset and with bindings cleared. */
static int store_stmt(Store *s, StoreStmt id, sqlite3_stmt **ret, char **ret_error)
{
        int rc;

        assert(id >= 0 && id < _STMT_MAX);
        if (!s->stmts[id]) {
                rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[id],
                                        NULL);
                if (rc != SQLITE_OK)
                        return store_error(s, rc, ret_error, "failed to prepare statement");
        } else {
                (void) sqlite3_reset(s->stmts[id]);
                (void) sqlite3_clear_bindings(s->stmts[id]);
        }
        *ret = s->stmts[id];
        return 0;
}

/* Binds a string, or NULL. SQLITE_TRANSIENT: callers' strings may die before the step. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}


void stmt_resetp(sqlite3_stmt **st)
{
        /* Releases the statement's read snapshot (and its locks) for the next user. */
        if (*st)
                (void) sqlite3_reset(*st);
}

/* The cached statement id with args bound to ?1, ?2, … in order. *ret is the statement to step
 * (owned by the Store; reset it when done, e.g. with _cleanup_reset_). */
int store_query(Store *s, StoreStmt id, const StoreArg *args, size_t n_args, sqlite3_stmt **ret,
                char **ret_error)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = store_stmt(s, id, &st, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_args; i++) {
                int k = (int) i + 1, rc;

                switch (args[i].type) {
                case ARG_T_TEXT:
                        rc = bind_text(st, k, args[i].text);
                        break;
                case ARG_T_INT:
                        rc = sqlite3_bind_int64(st, k, args[i].i);
                        break;
                case ARG_T_DOUBLE:
                        rc = sqlite3_bind_double(st, k, args[i].d);
                        break;
                default:
                        rc = sqlite3_bind_null(st, k);
                }
                if (rc != SQLITE_OK)
                        return store_error(s, rc, ret_error, "failed to bind");
        }
        *ret = st;
        return 0;
}

/* Steps st: 1 with a row to read, 0 when done, negative errno (with *ret_error "PATH: what:
 * SQLite's reason") on failure. */
int store_step(Store *s, sqlite3_stmt *st, const char *what, char **ret_error)
{
        int rc = sqlite3_step(st);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return store_error(s, rc, ret_error, what);
}

/* Runs a statement whose rows (if any) are not wanted. Returns the number of rows it changed. */
int store_run(Store *s, StoreStmt id, const StoreArg *args, size_t n_args, const char *what,
              char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        r = store_query(s, id, args, n_args, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, what, ret_error)) > 0)
                ;
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

/* Copies a nullable text column. Returns 0 or -ENOMEM. */
int column_strdup(sqlite3_stmt *st, int col, char **ret)
{
        const unsigned char *t = sqlite3_column_text(st, col);

        if (!t) {
                if (sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM)
                        return -ENOMEM;
                *ret = NULL;
                return 0;
        }
        *ret = strdup((const char *) t);
        return *ret ? 0 : -ENOMEM;
}

/* ---- transactions ----
 *
 * store_begin() opens a transaction the caller commits or rolls back; every write function called
 * meanwhile joins it. A write of several statements (store_put_series) is all-or-nothing either
 * way: alone it is its own BEGIN IMMEDIATE … COMMIT; inside the caller's transaction it runs in a
 * SAVEPOINT, so a failed write undoes only its own part and the caller still decides about the
 * rest. Single-statement writes need neither: a statement is atomic by itself. */

int store_begin(Store *s, char **ret_error)
{
        int r;

        assert(s);
        if (s->in_transaction)
                return set_error(s->path, -EBUSY, ret_error, "a transaction is already open");
        r = store_run(s, STMT_BEGIN, NO_ARGS, "failed to begin transaction", ret_error);
        if (r < 0)
                return r;
        s->in_transaction = true;
        return 0;
}

int store_commit(Store *s, char **ret_error)
{
        int r;

        assert(s);
        if (!s->in_transaction)
                return set_error(s->path, -EINVAL, ret_error, "no transaction is open");
        if (sqlite3_get_autocommit(s->db)) {
                /* SQLite rolled the whole transaction back itself (SQLITE_FULL, IOERR, NOMEM, a
                 * statement that failed with ROLLBACK): nothing of it is stored. */
                s->in_transaction = false;
                return set_error(s->path, -EIO, ret_error,
                                 "transaction was rolled back after an earlier error, nothing committed");
        }
        r = store_run(s, STMT_COMMIT, NO_ARGS, "failed to commit transaction", ret_error);
        if (r < 0) {
                /* A failed COMMIT (SQLITE_BUSY, disk full) leaves the transaction open: undo it,
                 * so the caller's "neither" holds and the Store is usable again. */
                store_rollback(s);
                return r;
        }
        s->in_transaction = false;
        return 0;
}

void store_rollback(Store *s)
{
        sqlite3_stmt *st = NULL;

        if (!s)
                return;
        s->in_transaction = false;
        if (!s->db || sqlite3_get_autocommit(s->db))
                return; /* SQLite already rolled back (e.g. on SQLITE_FULL), or never began */
        if (store_stmt(s, STMT_ROLLBACK, &st, NULL) < 0) {
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return;
        }
        (void) sqlite3_step(st);
        (void) sqlite3_reset(st);
}

int store_read_begin(Store *s, char **ret_error)
{
        int r;

        assert(s);
        if (s->in_transaction)
                return set_error(s->path, -EBUSY, ret_error, "a transaction is already open");
        /* Deferred: no lock is taken; the first read fixes the snapshot (WAL), the end releases it. */
        r = store_run(s, STMT_BEGIN_READ, NO_ARGS, "failed to begin reading", ret_error);
        if (r < 0)
                return r;
        s->in_transaction = true;
        return 0;
}

void store_read_end(Store *s)
{
        store_rollback(s);
}

bool store_in_transaction(const Store *s)
{
        return s && s->in_transaction;
}

/* Starts a write of several statements: a transaction of its own, or a savepoint inside the
 * caller's (*ret_joined). */
int write_begin(Store *s, bool *ret_joined, char **ret_error)
{
        int r;

        *ret_joined = s->in_transaction;
        if (!s->in_transaction)
                return store_begin(s, ret_error);
        r = store_run(s, STMT_SAVEPOINT, NO_ARGS, "failed to begin write", ret_error);
        return r < 0 ? r : 0;
}

/* Ends what write_begin started: r >= 0 keeps it (commit, or release of the savepoint), r < 0
 * undoes it. Returns r, or the error of a failed commit/release. */
int write_end(Store *s, bool joined, int r, char **ret_error)
{
        sqlite3_stmt *st = NULL;
        int k;

        if (!joined) {
                if (r >= 0)
                        return store_commit(s, ret_error);
                store_rollback(s);
                return r;
        }
        if (sqlite3_get_autocommit(s->db))
                return r; /* SQLite ended the caller's transaction itself: store_commit() says so */
        if (r < 0 && store_stmt(s, STMT_ROLLBACK_SAVEPOINT, &st, NULL) >= 0) {
                /* The original error (already in *ret_error) wins over this one's. */
                (void) sqlite3_step(st);
                (void) sqlite3_reset(st);
        }
        k = store_run(s, STMT_RELEASE, NO_ARGS, "failed to release savepoint", r < 0 ? NULL : ret_error);
        return r < 0 ? r : MIN(k, 0);
}

void store_crash_point(Store *s, const char *step)
{
        const char *want = getenv("LW_TEST_CRASH_AT");

        (void) s;
        if (!want || !step || !streq(want, step))
                return;
        /* As a power cut or the OOM killer would: no atexit handlers, no stdio flush, no rollback. */
        (void) raise(SIGKILL);
        _exit(137);
}

Store *store_close(Store *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmts[i]);
        /* sqlite3_close (not _v2): every statement is finalized above, so this really closes and,
         * being the last connection, checkpoints the WAL into the database file. */
        if (s->db)
                (void) sqlite3_close(s->db);
        free(s->path);
        free(s);
        return NULL;
}


/* Runs a statement without data (pragmas, schema). */
static int store_exec(Store *s, const char *sql, char **ret_error, const char *what)
{
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return store_error(s, rc, ret_error, what);
        return 0;
}

static int store_get_pragma_int(Store *s, const char *sql, int *ret, char **ret_error)
{
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc == SQLITE_OK) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        *ret = sqlite3_column_int(st, 0);
                        rc = SQLITE_OK;
                }
        }
        if (rc != SQLITE_OK) {
                int r = store_error(s, rc, ret_error, "cannot read database");
                sqlite3_finalize(st);
                return r;
        }
        sqlite3_finalize(st);
        return 0;
}

/* PRAGMA quick_check at every open: it verifies page and b-tree structure (not index contents)
 * in time linear in the database size, milliseconds for the few hundred thousand rows a
 * municipality accumulates over years. Opens are rare (daemon start, one CLI command), and
 * refusing a damaged database up front with a clear message beats failing later mid-cycle. */
static int store_quick_check(Store *s, char **ret_error)
{
        sqlite3_stmt *st = NULL;
        int rc, r = 0;

        rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_error(s, rc, ret_error, "failed to check database");
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                const char *res = (const char *) sqlite3_column_text(st, 0);
                if (!res || !streq(res, "ok")) {
                        /* One line: the report spans several ("*** in database main ***\nPage 4: …"). */
                        _cleanup_free_ char *line = strdup(res ?: "integrity check returned nothing");
                        for (char *p = line; p && *p; p++)
                                if (*p == '\n')
                                        *p = ' ';
                        r = set_error(s->path, -EBADMSG, ret_error,
                                      "database is corrupt (PRAGMA quick_check: %s)", strna(line));
                }
        } else
                r = store_error(s, rc, ret_error, "failed to check database");
        sqlite3_finalize(st);
        return r;
}

/* SQLite answers PRAGMA journal_mode with the mode now in force, and silently keeps the old one
 * where WAL is impossible (no shared memory, e.g. some network filesystems). Without WAL a CLI
 * reader would block the daemon's writes, so say so instead of running degraded. */
static int store_enable_wal(Store *s, char **ret_error)
{
        sqlite3_stmt *st = NULL;
        int rc, r = 0;

        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                const char *mode = (const char *) sqlite3_column_text(st, 0);
                if (!mode || strcasecmp(mode, "wal") != 0)
                        r = set_error(s->path, -EOPNOTSUPP, ret_error,
                                      "cannot use WAL journal mode here (SQLite keeps '%s'); "
                                      "is the state directory on a network filesystem?",
                                      strna(mode));
        } else
                r = store_error(s, rc, ret_error, "failed to enable WAL");
        sqlite3_finalize(st);
        return r;
}

static int store_migrate(Store *s, int from, char **ret_error)
{
        int r, v;

        for (v = from; v < STORE_SCHEMA_VERSION; v++) {
                char bump[64];

                r = store_exec(s, "BEGIN IMMEDIATE", ret_error, "failed to begin migration");
                if (r < 0)
                        return r;
                r = store_exec(s, migrations[v], ret_error, "failed to migrate schema");
                if (r < 0)
                        goto fail;
                /* PRAGMA takes no parameters; v is our own loop counter, not data. */
                (void) snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
                r = store_exec(s, bump, ret_error, "failed to set schema version");
                if (r < 0)
                        goto fail;
                r = store_exec(s, "COMMIT", ret_error, "failed to commit migration");
                if (r < 0)
                        goto fail;
        }
        return 0;

fail:
        store_rollback(s);
        if (ret_error && *ret_error) {
                /* Say which migration failed; keep SQLite's reason. */
                char *m = strdup_printf("%s (migration to schema version %d)", *ret_error, v + 1);
                if (m) {
                        free(*ret_error);
                        *ret_error = m;
                }
        }
        return r;
}

static int store_open_internal(const char *state_dir, bool readonly, Store **ret, char **ret_error)
{
        _cleanup_(store_closep) Store *s = NULL;
        struct stat sb;
        int rc, r, version = 0;

        assert(state_dir);
        assert(ret);

        s = calloc(1, sizeof(Store));
        if (!s)
                return -ENOMEM;
        s->readonly = readonly;
        s->path = strdup_printf("%s/%s", state_dir, STORE_DB_NAME);
        if (!s->path)
                return -ENOMEM;

        /* Check the directory ourselves: SQLite would only say "unable to open database file".
         * We do not create state_dir: systemd's StateDirectory= does, with the right owner. */
        if (stat(state_dir, &sb) < 0) {
                if (errno == ENOENT)
                        return set_error(s->path, -ENOENT, ret_error, "state directory %s does not exist",
                                         state_dir);
                return set_error(s->path, -errno, ret_error, "cannot access state directory %s: %m",
                                 state_dir);
        }
        if (!S_ISDIR(sb.st_mode))
                return set_error(s->path, -ENOTDIR, ret_error, "state directory %s is not a directory",
                                 state_dir);
        if (readonly) {
                if (access(s->path, R_OK) < 0) {
                        if (errno == ENOENT)
                                return set_error(s->path, -ENOENT, ret_error,
                                                 "no database yet (has labourwatchd run?)");
                        return set_error(s->path, -errno, ret_error, "cannot read database: %m");
                }
        } else if (access(state_dir, W_OK | X_OK) < 0)
                return set_error(s->path, -errno, ret_error, "state directory %s is not writable: %m",
                                 state_dir);

        rc = sqlite3_open_v2(s->path, &s->db,
                             (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                                     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                             NULL);
        if (rc != SQLITE_OK) {
                if (!s->db)
                        return -ENOMEM;
                return store_error(s, rc, ret_error, "failed to open database");
        }
        (void) sqlite3_extended_result_codes(s->db, 1);

        rc = sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
        if (rc != SQLITE_OK)
                return store_error(s, rc, ret_error, "failed to set busy timeout");

        /* The first statement that reads the header is where a file of random bytes shows up as
         * "file is not a database". */
        r = store_get_pragma_int(s, "PRAGMA user_version", &version, ret_error);
        if (r < 0)
                return r;
        if (version > STORE_SCHEMA_VERSION)
                return set_error(s->path, -EPROTONOSUPPORT, ret_error,
                                 "database schema version %d is newer than this labourwatch supports (%d); "
                                 "refusing to open it (was labourwatch downgraded?)",
                                 version, STORE_SCHEMA_VERSION);

        if (!readonly) {
                /* journal_mode is persistent in the file; readers just follow it. */
                r = store_enable_wal(s, ret_error);
                if (r < 0)
                        return r;
                r = store_exec(s, "PRAGMA synchronous = FULL", ret_error, "failed to set synchronous mode");
                if (r < 0)
                        return r;
        }
        r = store_exec(s, "PRAGMA foreign_keys = ON", ret_error, "failed to enable foreign keys");
        if (r < 0)
                return r;

        r = store_quick_check(s, ret_error);
        if (r < 0)
                return r;

        if (version < STORE_SCHEMA_VERSION) {
                if (readonly)
                        return set_error(s->path, -EPROTONOSUPPORT, ret_error,
                                         "database schema version %d is older than %d; start labourwatchd "
                                         "once to migrate it",
                                         version, STORE_SCHEMA_VERSION);
                r = store_migrate(s, version, ret_error);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

int store_open(const char *state_dir, Store **ret, char **ret_error)
{
        return store_open_internal(state_dir, false, ret, ret_error);
}

int store_open_readonly(const char *state_dir, Store **ret, char **ret_error)
{
        return store_open_internal(state_dir, true, ret, ret_error);
}

int store_schema_version(Store *s)
{
        int v = 0, r;

        assert(s);
        r = store_get_pragma_int(s, "PRAGMA user_version", &v, NULL);
        return r < 0 ? r : v;
}

void store_release_memory(Store *s)
{
        if (s && s->db)
                (void) sqlite3_db_release_memory(s->db);
}

