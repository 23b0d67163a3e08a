/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's outbox: durable notices with their delivery attempts. Never logs; see store.c. */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>

#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"
#include "store-internal.h"

/* ---- outbox ---- */

int store_outbox_enqueue(Store *s, const char *channel, const char *recipient, const char *dedup_key,
                         const char *payload_json, int64_t now, char **ret_error)
{
        int r;

        assert(s);
        if (!channel || !dedup_key || !payload_json)
                return set_error(s->path, -EINVAL, ret_error, "outbox item is incomplete");

        r = store_run(s, STMT_OUTBOX_ENQUEUE,
                      ARGS(ARG_TEXT(channel), ARG_TEXT(recipient), ARG_TEXT(dedup_key), ARG_TEXT(payload_json),
                           ARG_INT(now)),
                      "failed to enqueue notification", ret_error);
        if (r < 0)
                return r;
        return r > 0 ? 1 : 0;
}

void store_outbox_free(OutboxItem *items, size_t n)
{
        if (!items)
                return;
        for (size_t i = 0; i < n; i++) {
                free(items[i].channel);
                free(items[i].recipient);
                free(items[i].dedup_key);
                free(items[i].payload_json);
                free(items[i].last_error);
        }
        free(items);
}

/* Fills *o from the current row of the due query. Returns 0 or -ENOMEM (o then partly filled; the
 * caller frees it). */
static int outbox_item_from_row(sqlite3_stmt *st, OutboxItem *o)
{
        *o = (OutboxItem){};
        o->id = sqlite3_column_int64(st, 0);
        if (column_strdup(st, 1, &o->channel) < 0 || column_strdup(st, 2, &o->recipient) < 0 ||
            column_strdup(st, 3, &o->dedup_key) < 0 || column_strdup(st, 4, &o->payload_json) < 0 ||
            column_strdup(st, 7, &o->last_error) < 0)
                return -ENOMEM;
        o->attempts = (unsigned) sqlite3_column_int64(st, 5);
        o->next_attempt = sqlite3_column_int64(st, 6);
        o->created_at = sqlite3_column_int64(st, 8);
        return 0;
}

int store_outbox_due(Store *s, int64_t now, size_t max, OutboxItem **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        OutboxItem *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_OUTBOX_DUE, ARGS(ARG_INT(now), ARG_INT(MIN(max, (size_t) INT64_MAX))), &st,
                        ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to read outbox", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = outbox_item_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_outbox_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_outbox_stats(Store *s, size_t *ret_n, int64_t *ret_oldest, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        assert(ret_n);
        assert(ret_oldest);

        r = store_query(s, STMT_OUTBOX_STATS, ARGS(ARG_INT(STORE_OUTBOX_NEVER)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to count the outbox", ret_error);
        if (r < 0)
                return r;
        *ret_n = r > 0 ? (size_t) sqlite3_column_int64(st, 0) : 0;
        *ret_oldest = r > 0 ? sqlite3_column_int64(st, 1) : 0;
        return 0;
}

/* An id that matches no unsent item is the caller's bug or a concurrent change: -ENOENT. */
int store_outbox_mark_sent(Store *s, int64_t id, int64_t at, char **ret_error)
{
        int r;

        assert(s);
        r = store_run(s, STMT_OUTBOX_SENT, ARGS(ARG_INT(id), ARG_INT(at)), "failed to mark notification sent",
                      ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s->path, -ENOENT, ret_error, "no unsent outbox item %" PRId64, id);
        return 0;
}

int store_outbox_mark_failed(Store *s, int64_t id, const char *error, int64_t next_attempt, char **ret_error)
{
        _cleanup_free_ char *buf = NULL;
        int r;

        assert(s);
        r = store_run(s, STMT_OUTBOX_FAILED, ARGS(ARG_INT(id), ARG_TEXT(scrubbed(error, &buf)), ARG_INT(next_attempt)),
                      "failed to mark notification failed", ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s->path, -ENOENT, ret_error, "no unsent outbox item %" PRId64, id);
        return 0;
}

int store_outbox_reschedule_channel(Store *s, const char *channel, int64_t next_attempt, char **ret_error)
{
        assert(s);
        assert(channel);
        return store_run(s, STMT_OUTBOX_RESCHEDULE_CHANNEL,
                         ARGS(ARG_TEXT(channel), ARG_INT(next_attempt), ARG_INT(STORE_OUTBOX_NEVER)),
                         "failed to reschedule notifications", ret_error);
}

int store_outbox_next_due(Store *s, int64_t after, int64_t *ret, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        assert(ret);
        r = store_query(s, STMT_OUTBOX_NEXT, ARGS(ARG_INT(after), ARG_INT(STORE_OUTBOX_NEVER)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read outbox", ret_error);
        if (r <= 0)
                return r;
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
                return 0;
        *ret = sqlite3_column_int64(st, 0);
        return 1;
}

int store_outbox_still_due(Store *s, int64_t id, int64_t now, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        r = store_query(s, STMT_OUTBOX_STILL_DUE, ARGS(ARG_INT(id), ARG_INT(now)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read outbox", ret_error);
        return r < 0 ? r : r > 0;
}

void store_notices_free(StoredNotice *n, size_t n_items)
{
        if (!n)
                return;
        for (size_t i = 0; i < n_items; i++) {
                free(n[i].channel);
                free(n[i].recipient);
                free(n[i].dedup_key);
                free(n[i].last_error);
        }
        free(n);
}

int store_outbox_recent(Store *s, size_t limit, StoredNotice **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredNotice *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);
        r = store_query(s, STMT_OUTBOX_RECENT, ARGS(ARG_INT(limit > 0 ? (int64_t) MIN(limit, (size_t) INT64_MAX) : -1)),
                        &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to read outbox", ret_error)) > 0) {
                StoredNotice *o;

                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                o = &v[n++];
                *o = (StoredNotice){ .id = sqlite3_column_int64(st, 0), .created_at = sqlite3_column_int64(st, 4),
                                     .attempts = (unsigned) sqlite3_column_int64(st, 5),
                                     .next_attempt = sqlite3_column_int64(st, 6),
                                     .sent_at = sqlite3_column_int64(st, 8) };
                if (column_strdup(st, 1, &o->channel) < 0 || column_strdup(st, 2, &o->recipient) < 0 ||
                    column_strdup(st, 3, &o->dedup_key) < 0 || column_strdup(st, 7, &o->last_error) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                store_notices_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
