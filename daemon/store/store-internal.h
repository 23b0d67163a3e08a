/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared by the files of the store (store.c: open, schema, migrations, statements, transactions;
 * store-observations.c; store-alerts.c; store-outbox.c): the Store, its cached statements and the
 * statement helpers. Not a public interface: everyone else uses labourwatch/store.h. */

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"

/* Prepared statements, cached per Store. */
typedef enum StoreStmt {
        STMT_BEGIN,
        STMT_COMMIT,
        STMT_ROLLBACK,
        STMT_SAVEPOINT,
        STMT_RELEASE,
        STMT_ROLLBACK_SAVEPOINT,
        STMT_OBS_CURRENT,
        STMT_OBS_TOUCH,
        STMT_OBS_SUPERSEDE,
        STMT_OBS_INSERT,
        STMT_OBS_LOAD,
        STMT_OBS_HISTORY,
        STMT_OBS_LIST,
        STMT_STATE_GET,
        STMT_STATE_SET,
        STMT_FETCH_LOG,
        STMT_EVAL_ADD,
        STMT_EVAL_LIST,
        STMT_EVAL_LIST_ALL,
        STMT_EVAL_LATEST,
        STMT_EVAL_PRUNE,
        STMT_ALERT_GET,
        STMT_ALERT_SET,
        STMT_ALERT_DELETE,
        STMT_OUTBOX_ENQUEUE,
        STMT_OUTBOX_DUE,
        STMT_OUTBOX_STATS,
        STMT_OUTBOX_SENT,
        STMT_OUTBOX_FAILED,
        STMT_TRANSITION_ADD,
        STMT_TRANSITION_LIST,
        STMT_SILENCE_SET,
        STMT_ACK_SET,
        STMT_CONTROL_LIST,
        STMT_ALERT_LIST,
        STMT_OBS_LOAD_ASOF,
        STMT_OUTBOX_NEXT,
        STMT_OBS_LAST_FETCHED,
        STMT_OUTBOX_RECENT,
        STMT_OUTBOX_STILL_DUE,
        STMT_STATUS_SOURCES,
        STMT_STATUS_SERIES,
        STMT_STATUS_EVALUATIONS,
        STMT_STATUS_OUTBOX,
        STMT_OUTBOX_RESCHEDULE_CHANNEL,
        STMT_BEGIN_READ,
        _STMT_MAX,
} StoreStmt;

struct Store {
        sqlite3 *db;
        char *path;
        bool readonly;
        bool in_transaction; /* store_begin() .. store_commit()/store_rollback() */
        sqlite3_stmt *stmts[_STMT_MAX];
};

/* ---- the row-query helper ----
 *
 * Every query is: take the cached statement, bind its parameters, step through its rows, reset it.
 * store_query() does the first two from a list of typed arguments, store_step() the third, and a
 * _cleanup_reset_ variable the fourth, whichever way the function returns:
 *
 *         _cleanup_reset_ sqlite3_stmt *st = NULL;
 *         r = store_query(s, STMT_X, ARGS(ARG_TEXT(name), ARG_INT(at)), &st, ret_error);
 *         if (r < 0)
 *                 return r;
 *         while ((r = store_step(s, st, "failed to read x", ret_error)) > 0)
 *                 ... sqlite3_column_*(st, …) ...
 *
 * Statements without rows are one call: store_run(s, STMT_X, ARGS(…), "failed to …", ret_error),
 * which returns the number of rows changed. */

typedef enum StoreArgType { ARG_T_NULL, ARG_T_TEXT, ARG_T_INT, ARG_T_DOUBLE } StoreArgType;

typedef struct StoreArg {
        StoreArgType type;
        const char *text; /* NULL binds NULL */
        int64_t i;
        double d;
} StoreArg;

#define ARG_TEXT(v) ((StoreArg){ .type = ARG_T_TEXT, .text = (v) })
#define ARG_INT(v) ((StoreArg){ .type = ARG_T_INT, .i = (int64_t) (v) })
#define ARG_DOUBLE(v) ((StoreArg){ .type = ARG_T_DOUBLE, .d = (v) })
#define ARG_NULL ((StoreArg){ .type = ARG_T_NULL })
#define ARGS(...) (const StoreArg[]){ __VA_ARGS__ }, ELEMENTSOF(((const StoreArg[]){ __VA_ARGS__ }))
#define NO_ARGS NULL, 0

void stmt_resetp(sqlite3_stmt **st);
#define _cleanup_reset_ _cleanup_(stmt_resetp)

_printf_(4, 5) int set_error(const char *path, int r, char **ret_error, const char *fmt, ...);
int store_query(Store *s, StoreStmt id, const StoreArg *args, size_t n_args, sqlite3_stmt **ret,
                char **ret_error);
int store_step(Store *s, sqlite3_stmt *st, const char *what, char **ret_error);
int store_run(Store *s, StoreStmt id, const StoreArg *args, size_t n_args, const char *what,
              char **ret_error);
int column_strdup(sqlite3_stmt *st, int col, char **ret);
int write_begin(Store *s, bool *ret_joined, char **ret_error);
int write_end(Store *s, bool joined, int r, char **ret_error);
