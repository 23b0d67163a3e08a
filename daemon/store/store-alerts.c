/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's alerting tables: evaluations, alert state, the audit trail of transitions and the
 * operator's controls (silence, acknowledgement). Never logs; see store.c. */

#include <assert.h>
#include <errno.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"
#include "store-internal.h"

/* ---- evaluations and alert state ---- */

int store_add_evaluation(Store *s, const char *goal, const char *eval_date, const char *status,
                         const char *inputs_json, const char *result_json, int64_t at, char **ret_error)
{
        int r;

        assert(s);
        if (!goal || !eval_date || !status || !inputs_json || !result_json)
                return set_error(s->path, -EINVAL, ret_error, "evaluation of goal %s is incomplete",
                                 strna(goal));

        r = store_run(s, STMT_EVAL_ADD,
                      ARGS(ARG_TEXT(goal), ARG_TEXT(eval_date), ARG_TEXT(status), ARG_TEXT(inputs_json),
                           ARG_TEXT(result_json), ARG_INT(at)),
                      "failed to record evaluation", ret_error);
        return MIN(r, 0);
}

int store_prune_evaluations(Store *s, int64_t before, char **ret_error)
{
        assert(s);
        return store_run(s, STMT_EVAL_PRUNE, ARGS(ARG_INT(before)), "failed to prune evaluations", ret_error);
}

void stored_evaluation_done(StoredEvaluation *e)
{
        if (!e)
                return;
        free(e->goal);
        free(e->eval_date);
        free(e->status);
        free(e->inputs_json);
        free(e->result_json);
        *e = (StoredEvaluation){};
}

void store_evaluations_free(StoredEvaluation *e, size_t n)
{
        if (!e)
                return;
        for (size_t i = 0; i < n; i++)
                stored_evaluation_done(&e[i]);
        free(e);
}

/* Fills *e from the current row of an evaluations query. Returns 0 or -ENOMEM (e then partly
 * filled; the caller frees it). */
static int evaluation_from_row(sqlite3_stmt *st, StoredEvaluation *e)
{
        *e = (StoredEvaluation){};
        if (column_strdup(st, 0, &e->goal) < 0 || column_strdup(st, 1, &e->eval_date) < 0 ||
            column_strdup(st, 2, &e->status) < 0 || column_strdup(st, 3, &e->inputs_json) < 0 ||
            column_strdup(st, 4, &e->result_json) < 0)
                return -ENOMEM;
        e->at = sqlite3_column_int64(st, 5);
        return 0;
}

int store_get_latest_evaluation(Store *s, const char *goal, StoredEvaluation *ret, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        assert(goal);
        assert(ret);

        *ret = (StoredEvaluation){};
        r = store_query(s, STMT_EVAL_LATEST, ARGS(ARG_TEXT(goal)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read evaluation", ret_error);
        if (r <= 0)
                return r;
        r = evaluation_from_row(st, ret);
        if (r < 0) {
                stored_evaluation_done(ret);
                return r;
        }
        return 1;
}

int store_list_evaluations(Store *s, const char *goal, StoredEvaluation **ret, size_t *ret_n,
                           char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredEvaluation *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        if (goal)
                r = store_query(s, STMT_EVAL_LIST, ARGS(ARG_TEXT(goal)), &st, ret_error);
        else
                r = store_query(s, STMT_EVAL_LIST_ALL, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to list evaluations", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = evaluation_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_evaluations_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_get_alert_state(Store *s, const char *goal, char **ret_json, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        assert(goal);
        assert(ret_json);

        r = store_query(s, STMT_ALERT_GET, ARGS(ARG_TEXT(goal)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read alert state", ret_error);
        if (r < 0)
                return r;
        if (r == 0) {
                *ret_json = NULL;
                return 0;
        }
        return column_strdup(st, 0, ret_json);
}

int store_set_alert_state(Store *s, const char *goal, const char *json, char **ret_error)
{
        int r;

        assert(s);
        assert(goal);

        /* NULL forgets the state: the goal starts afresh. */
        if (json)
                r = store_run(s, STMT_ALERT_SET, ARGS(ARG_TEXT(goal), ARG_TEXT(json)), "failed to write alert state",
                              ret_error);
        else
                r = store_run(s, STMT_ALERT_DELETE, ARGS(ARG_TEXT(goal)), "failed to write alert state", ret_error);
        return MIN(r, 0);
}

/* ---- alerting: audit trail, operator controls, figures as known then ---- */

int store_add_alert_transition(Store *s, const StoredTransition *t, char **ret_error)
{
        int r;

        assert(s);
        assert(t);
        if (!t->goal || !t->eval_date || !t->to_status || !t->event || !t->result_json)
                return set_error(s->path, -EINVAL, ret_error, "alert transition of goal %s is incomplete",
                                 strna(t->goal));
        r = store_run(s, STMT_TRANSITION_ADD,
                      ARGS(ARG_TEXT(t->goal), ARG_INT(t->at), ARG_TEXT(t->eval_date), ARG_TEXT(t->period),
                           ARG_TEXT(t->from_status), ARG_TEXT(t->to_status), ARG_TEXT(t->event),
                           ARG_TEXT(t->suppressed), ARG_TEXT(t->notified), ARG_TEXT(t->result_json)),
                      "failed to record alert transition", ret_error);
        return MIN(r, 0);
}

void store_transitions_free(StoredTransition *t, size_t n)
{
        if (!t)
                return;
        for (size_t i = 0; i < n; i++) {
                free(t[i].goal);
                free(t[i].eval_date);
                free(t[i].period);
                free(t[i].from_status);
                free(t[i].to_status);
                free(t[i].event);
                free(t[i].suppressed);
                free(t[i].notified);
                free(t[i].result_json);
        }
        free(t);
}

static int transition_from_row(sqlite3_stmt *st, StoredTransition *t)
{
        *t = (StoredTransition){ .at = sqlite3_column_int64(st, 1) };
        if (column_strdup(st, 0, &t->goal) < 0 || column_strdup(st, 2, &t->eval_date) < 0 ||
            column_strdup(st, 3, &t->period) < 0 || column_strdup(st, 4, &t->from_status) < 0 ||
            column_strdup(st, 5, &t->to_status) < 0 || column_strdup(st, 6, &t->event) < 0 ||
            column_strdup(st, 7, &t->suppressed) < 0 || column_strdup(st, 8, &t->notified) < 0 ||
            column_strdup(st, 9, &t->result_json) < 0)
                return -ENOMEM;
        return 0;
}

int store_list_alert_transitions(Store *s, const char *goal, size_t limit, StoredTransition **ret,
                                 size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredTransition *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_TRANSITION_LIST,
                        ARGS(ARG_TEXT(goal), ARG_INT(limit > 0 ? (int64_t) MIN(limit, (size_t) INT64_MAX) : -1)),
                        &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to list alert transitions", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = transition_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_transitions_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_set_silence(Store *s, const char *goal, const char *until, const char *comment, const char *by,
                      int64_t at, char **ret_error)
{
        int r;

        assert(s);
        if (!goal)
                return set_error(s->path, -EINVAL, ret_error, "silence without a goal");
        r = store_run(s, STMT_SILENCE_SET,
                      ARGS(ARG_TEXT(goal), ARG_TEXT(until), ARG_TEXT(until ? comment : NULL), ARG_TEXT(by),
                           ARG_INT(at)),
                      "failed to write silence", ret_error);
        return MIN(r, 0);
}

int store_set_ack(Store *s, const char *goal, const char *comment, const char *by, int64_t at,
                  char **ret_error)
{
        int r;

        assert(s);
        if (!goal)
                return set_error(s->path, -EINVAL, ret_error, "ack without a goal");
        r = store_run(s, STMT_ACK_SET, ARGS(ARG_TEXT(goal), ARG_INT(at), ARG_TEXT(comment), ARG_TEXT(by)),
                      "failed to write ack", ret_error);
        return MIN(r, 0);
}

void store_controls_free(StoredControl *c, size_t n)
{
        if (!c)
                return;
        for (size_t i = 0; i < n; i++) {
                free(c[i].goal);
                free(c[i].silence_until);
                free(c[i].silence_comment);
                free(c[i].silence_by);
                free(c[i].ack_comment);
                free(c[i].ack_by);
        }
        free(c);
}

static int control_from_row(sqlite3_stmt *st, StoredControl *c)
{
        *c = (StoredControl){ .silenced_at = sqlite3_column_int64(st, 4), .ack_at = sqlite3_column_int64(st, 5) };
        if (column_strdup(st, 0, &c->goal) < 0 || column_strdup(st, 1, &c->silence_until) < 0 ||
            column_strdup(st, 2, &c->silence_comment) < 0 || column_strdup(st, 3, &c->silence_by) < 0 ||
            column_strdup(st, 6, &c->ack_comment) < 0 || column_strdup(st, 7, &c->ack_by) < 0)
                return -ENOMEM;
        return 0;
}

int store_list_alert_controls(Store *s, StoredControl **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredControl *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_CONTROL_LIST, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to list alert controls", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = control_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_controls_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_list_alert_states(Store *s, char ***ret_goals, char ***ret_json, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        char **goals = NULL, **docs = NULL;
        size_t n = 0, a1 = 0, a2 = 0;
        int r;

        assert(s);
        r = store_query(s, STMT_ALERT_LIST, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to list alert states", ret_error)) > 0) {
                if (GREEDY_REALLOC(goals, a1, n + 1) < 0 || GREEDY_REALLOC(docs, a2, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                goals[n] = docs[n] = NULL;
                n++;
                if (column_strdup(st, 0, &goals[n - 1]) < 0 || column_strdup(st, 1, &docs[n - 1]) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                strv_free_n(goals, n);
                strv_free_n(docs, n);
                return r;
        }
        *ret_goals = goals;
        *ret_json = docs;
        *ret_n = n;
        return 0;
}


int store_list_latest_evaluations(Store *s, StoredEvaluation **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredEvaluation *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_STATUS_EVALUATIONS, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to list evaluations", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = evaluation_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_evaluations_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
