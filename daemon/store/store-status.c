/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reads behind `labourwatch status`: per source, per series and per notifier, each a single
 * statement over its table, so the command costs the same few queries with 3 goals or 3,000 (the
 * statements are in store.c; the newest evaluations are in store-alerts.c). Never logs. */

#include <assert.h>
#include <errno.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "store-internal.h"

void store_source_status_free(StoredSourceStatus *v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++) {
                free(v[i].key);
                source_state_done(&v[i].state);
        }
        free(v);
}

static int source_status_from_row(sqlite3_stmt *st, StoredSourceStatus *o)
{
        *o = (StoredSourceStatus){
                .state = {
                        .last_attempt = sqlite3_column_int64(st, 1),
                        .last_success = sqlite3_column_int64(st, 2),
                        .first_failure = sqlite3_column_int64(st, 3),
                        .consecutive_failures = (unsigned) sqlite3_column_int64(st, 4),
                        .next_due = sqlite3_column_int64(st, 5),
                },
                .last_failure = sqlite3_column_int64(st, 10),
        };
        if (column_strdup(st, 0, &o->key) < 0 || column_strdup(st, 6, &o->state.last_error) < 0 ||
            column_strdup(st, 7, &o->state.etag) < 0 || column_strdup(st, 8, &o->state.last_modified) < 0 ||
            column_strdup(st, 9, &o->state.remote_updated) < 0)
                return -ENOMEM;
        return 0;
}

int store_list_source_status(Store *s, StoredSourceStatus **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredSourceStatus *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_STATUS_SOURCES, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to read source state", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = source_status_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_source_status_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void store_series_summaries_free(StoredSeriesSummary *v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i].series);
        free(v);
}

static int series_summary_from_row(Store *s, sqlite3_stmt *st, StoredSeriesSummary *o, char **ret_error)
{
        const char *p = (const char *) sqlite3_column_text(st, 4);

        *o = (StoredSeriesSummary){
                .n_periods = (size_t) sqlite3_column_int64(st, 1),
                .n_revised = (size_t) sqlite3_column_int64(st, 2),
                .last_new_data = sqlite3_column_int64(st, 3),
                .have_latest = p != NULL,
                .latest_value = sqlite3_column_double(st, 5),
                .latest_missing = sqlite3_column_int(st, 6) != 0,
        };
        if (column_strdup(st, 0, &o->series) < 0)
                return -ENOMEM;
        if (p && period_parse(p, &o->latest) < 0)
                return set_error(s->path, -EBADMSG, ret_error, "stored period '%s' is invalid", p);
        return 0;
}

int store_list_series_summaries(Store *s, StoredSeriesSummary **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredSeriesSummary *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_STATUS_SERIES, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to summarise series", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = series_summary_from_row(s, st, &v[n++], ret_error);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_series_summaries_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void store_channel_status_free(StoredChannelStatus *v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++) {
                free(v[i].channel);
                free(v[i].last_error);
        }
        free(v);
}

static int channel_status_from_row(sqlite3_stmt *st, StoredChannelStatus *o)
{
        *o = (StoredChannelStatus){
                .pending = (size_t) sqlite3_column_int64(st, 1),
                .given_up = (size_t) sqlite3_column_int64(st, 2),
                .oldest_pending = sqlite3_column_int64(st, 3),
                .last_sent = sqlite3_column_int64(st, 4),
                .last_error_unsent = sqlite3_column_int(st, 6) != 0,
        };
        if (column_strdup(st, 0, &o->channel) < 0 || column_strdup(st, 5, &o->last_error) < 0)
                return -ENOMEM;
        if (!o->last_error)
                o->last_error_unsent = false;
        return 0;
}

int store_outbox_channel_status(Store *s, StoredChannelStatus **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredChannelStatus *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_STATUS_OUTBOX, ARGS(ARG_INT(STORE_OUTBOX_NEVER)), &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to read the outbox", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = channel_status_from_row(st, &v[n++]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_channel_status_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
