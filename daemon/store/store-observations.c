/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's observations (one row per series, period and revision), the sources' fetch state
 * and the fetch log: migration 1's tables. Never logs; see store.c. */

#include <assert.h>
#include <errno.h>
#include <math.h>

#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"
#include "store-internal.h"

/* ---- observations ---- */

/* Looks up the current row of (series, period). Returns 1 and fills the out params if there is one,
 * 0 if none, negative errno on failure. */
static int obs_current(Store *s, const char *series, const char *period, int64_t *ret_id, double *ret_value,
                       bool *ret_missing, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        r = store_query(s, STMT_OBS_CURRENT, ARGS(ARG_TEXT(series), ARG_TEXT(period)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to look up observation", ret_error);
        if (r <= 0)
                return r;
        *ret_id = sqlite3_column_int64(st, 0);
        *ret_value = sqlite3_column_double(st, 1);
        *ret_missing = sqlite3_column_int(st, 2) != 0;
        return 1;
}

static int obs_update(Store *s, StoreStmt which, int64_t id, int64_t at, char **ret_error)
{
        int r = store_run(s, which, ARGS(ARG_INT(id), ARG_INT(at)), "failed to update observation", ret_error);
        return MIN(r, 0);
}

static int obs_insert(Store *s, const char *series, const char *period, const SeriesPoint *p,
                      const Provenance *prov, char **ret_error)
{
        _cleanup_free_ char *url_buf = NULL;
        int r = store_run(s, STMT_OBS_INSERT,
                          ARGS(ARG_TEXT(series), ARG_TEXT(period), ARG_TEXT(period_freq_to_string(p->period.freq)),
                               ARG_INT(p->period.year), ARG_INT(p->period.sub),
                               ARG_INT(date_to_days(period_first_day(p->period))),
                               ARG_INT(date_to_days(period_last_day(p->period))),
                               p->missing ? ARG_NULL : ARG_DOUBLE(p->value), ARG_INT(p->missing),
                               ARG_INT(prov->fetched_at), ARG_TEXT(prov->source), ARG_TEXT(prov->table),
                               ARG_TEXT(prov->selection), ARG_TEXT(scrubbed(prov->url, &url_buf))),
                          "failed to insert observation", ret_error);
        return MIN(r, 0);
}

static int put_series_locked(Store *s, const char *series, const SeriesPoint *points, size_t n_points,
                             const Provenance *prov, StoreWriteStats *stats, char **ret_error)
{
        int r;

        /* Points are validated as they are written, so an invalid point late in a batch exercises
         * the same rollback path as a failing write. */
        for (size_t i = 0; i < n_points; i++) {
                const SeriesPoint *p = &points[i];
                char period[PERIOD_STRING_MAX];
                int64_t id = 0;
                double old_value = 0;
                bool old_missing = false;

                if (!period_is_valid(p->period))
                        return set_error(s->path, -EINVAL, ret_error,
                                         "series %s: point %zu has an invalid period", series, i);
                period_to_string(p->period, period);
                /* SQLite stores NaN as NULL: it would silently become "missing". */
                if (!p->missing && !isfinite(p->value))
                        return set_error(s->path, -EINVAL, ret_error,
                                         "series %s, period %s: value is not a finite number", series,
                                         period);

                r = obs_current(s, series, period, &id, &old_value, &old_missing, ret_error);
                if (r < 0)
                        return r;
                if (r == 0) {
                        r = obs_insert(s, series, period, p, prov, ret_error);
                        if (r < 0)
                                return r;
                        stats->new_periods++;
                        continue;
                }
                /* Exact comparison on purpose: the same published figure parses to the same
                 * double; any difference, however small, is the publisher's revision. */
                if (old_missing == p->missing && (p->missing || old_value == p->value)) {
                        r = obs_update(s, STMT_OBS_TOUCH, id, prov->fetched_at, ret_error);
                        if (r < 0)
                                return r;
                        stats->unchanged++;
                        continue;
                }
                r = obs_update(s, STMT_OBS_SUPERSEDE, id, prov->fetched_at, ret_error);
                if (r < 0)
                        return r;
                r = obs_insert(s, series, period, p, prov, ret_error);
                if (r < 0)
                        return r;
                stats->revisions++;
        }
        return 0;
}

int store_put_series(Store *s, const char *series, const SeriesPoint *points, size_t n_points,
                     const Provenance *prov, StoreWriteStats *ret_stats, char **ret_error)
{
        StoreWriteStats stats = {};
        bool joined;
        int r;

        assert(s);
        assert(points || n_points == 0);
        assert(prov);

        if (!series || !*series)
                return set_error(s->path, -EINVAL, ret_error, "series name is empty");
        if (!prov->source || !*prov->source)
                return set_error(s->path, -EINVAL, ret_error, "series %s: provenance has no source", series);

        r = write_begin(s, &joined, ret_error);
        if (r < 0)
                return r;
        r = put_series_locked(s, series, points, n_points, prov, &stats, ret_error);
        r = write_end(s, joined, r, ret_error);
        if (r < 0)
                return r;
        if (ret_stats)
                *ret_stats = stats;
        return 0;
}

/* Parses a stored period code; a bad one means the file was edited or damaged. */
static int parse_stored_period(Store *s, sqlite3_stmt *st, int col, Period *ret, char **ret_error)
{
        const char *t = (const char *) sqlite3_column_text(st, col);

        if (!t || period_parse(t, ret) < 0)
                return set_error(s->path, -EBADMSG, ret_error, "stored period '%s' is invalid", strna(t));
        return 0;
}

/* The rows of a (period, value, missing) query, in period order, as a Series. */
static int load_series(Store *s, const char *series, StoreStmt id, const StoreArg *args, size_t n_args,
                       Series **ret, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        _cleanup_(series_freep) Series *out = NULL;
        int r;

        r = series_new(series, &out);
        if (r < 0)
                return r;
        r = store_query(s, id, args, n_args, &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to load series", ret_error)) > 0) {
                SeriesPoint p = {};

                r = parse_stored_period(s, st, 0, &p.period, ret_error);
                if (r < 0)
                        return r;
                p.missing = sqlite3_column_int(st, 2) != 0;
                p.value = p.missing ? 0 : sqlite3_column_double(st, 1);
                r = series_put(out, p);
                if (r == -EINVAL) {
                        char buf[PERIOD_STRING_MAX];
                        return set_error(
                                s->path, -EBADMSG, ret_error,
                                "series %s: stored period %s has a different frequency than the others",
                                series, period_to_string(p.period, buf));
                }
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

int store_load_series(Store *s, const char *series, Series **ret, char **ret_error)
{
        assert(s);
        assert(series);
        assert(ret);

        return load_series(s, series, STMT_OBS_LOAD, ARGS(ARG_TEXT(series)), ret, ret_error);
}

void store_observations_free(StoredObservation *o, size_t n)
{
        if (!o)
                return;
        for (size_t i = 0; i < n; i++) {
                free(o[i].source);
                free(o[i].table);
                free(o[i].selection);
                free(o[i].url);
        }
        free(o);
}

/* Fills *o from the current row of a history query. Returns 0 or negative errno (o then partly
 * filled; the caller frees it). */
static int observation_from_row(Store *s, sqlite3_stmt *st, StoredObservation *o, char **ret_error)
{
        int r;

        *o = (StoredObservation){};
        r = parse_stored_period(s, st, 0, &o->period, ret_error);
        if (r < 0)
                return r;
        o->missing = sqlite3_column_int(st, 2) != 0;
        o->value = o->missing ? 0 : sqlite3_column_double(st, 1);
        o->fetched_at = sqlite3_column_int64(st, 3);
        o->superseded_at = sqlite3_column_int64(st, 4); /* NULL reads as 0 */
        if (column_strdup(st, 5, &o->source) < 0 || column_strdup(st, 6, &o->table) < 0 ||
            column_strdup(st, 7, &o->selection) < 0 || column_strdup(st, 8, &o->url) < 0)
                return -ENOMEM;
        return 0;
}

int store_series_history(Store *s, const char *series, StoredObservation **ret, size_t *ret_n,
                         char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        StoredObservation *v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(series);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_OBS_HISTORY, ARGS(ARG_TEXT(series)), &st, ret_error);
        if (r < 0)
                return r;
        while ((r = store_step(s, st, "failed to read series history", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = observation_from_row(s, st, &v[n++], ret_error);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_observations_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_list_series(Store *s, char ***ret, size_t *ret_n, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        char **v = NULL;
        size_t n = 0, n_alloc = 0;
        int r;

        assert(s);
        assert(ret);
        assert(ret_n);

        r = store_query(s, STMT_OBS_LIST, NO_ARGS, &st, ret_error);
        if (r < 0)
                return r;
        /* +2: room for the terminating NULL, so the vector works either way. */
        if (GREEDY_REALLOC(v, n_alloc, 1) < 0)
                return -ENOMEM;
        v[0] = NULL;
        while ((r = store_step(s, st, "failed to list series", ret_error)) > 0) {
                if (GREEDY_REALLOC(v, n_alloc, n + 2) < 0 || column_strdup(st, 0, &v[n]) < 0) {
                        r = -ENOMEM;
                        break;
                }
                v[++n] = NULL;
        }
        if (r < 0) {
                strv_free_n(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- fetch log and source state ---- */

void source_state_done(SourceState *st)
{
        if (!st)
                return;
        free(st->last_error);
        free(st->etag);
        free(st->last_modified);
        free(st->remote_updated);
        *st = (SourceState){};
}

int store_get_source_state(Store *s, const char *key, SourceState *ret, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        SourceState state = {};
        int r;

        assert(s);
        assert(key);
        assert(ret);

        r = store_query(s, STMT_STATE_GET, ARGS(ARG_TEXT(key)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read source state", ret_error);
        if (r < 0)
                return r;
        if (r == 0) {
                *ret = state;
                return 0;
        }
        state.last_attempt = sqlite3_column_int64(st, 0);
        state.last_success = sqlite3_column_int64(st, 1);
        state.first_failure = sqlite3_column_int64(st, 2);
        state.consecutive_failures = (unsigned) sqlite3_column_int64(st, 3);
        state.next_due = sqlite3_column_int64(st, 4);
        if (column_strdup(st, 5, &state.last_error) < 0 || column_strdup(st, 6, &state.etag) < 0 ||
            column_strdup(st, 7, &state.last_modified) < 0 ||
            column_strdup(st, 8, &state.remote_updated) < 0) {
                source_state_done(&state);
                return -ENOMEM;
        }
        *ret = state;
        return 1;
}

int store_set_source_state(Store *s, const char *key, const SourceState *state, char **ret_error)
{
        _cleanup_free_ char *buf = NULL;
        int r;

        assert(s);
        assert(key);
        assert(state);

        r = store_run(s, STMT_STATE_SET,
                      ARGS(ARG_TEXT(key), ARG_INT(state->last_attempt), ARG_INT(state->last_success),
                           ARG_INT(state->first_failure), ARG_INT(state->consecutive_failures),
                           ARG_INT(state->next_due), ARG_TEXT(scrubbed(state->last_error, &buf)), ARG_TEXT(state->etag),
                           ARG_TEXT(state->last_modified), ARG_TEXT(state->remote_updated)),
                      "failed to write source state", ret_error);
        return MIN(r, 0);
}

int store_log_fetch(Store *s, const char *source, const char *url, long http_status, bool ok,
                    const char *message, int64_t at, char **ret_error)
{
        _cleanup_free_ char *url_buf = NULL, *msg_buf = NULL;
        int r;

        assert(s);
        assert(source);

        r = store_run(s, STMT_FETCH_LOG,
                      ARGS(ARG_TEXT(source), ARG_TEXT(scrubbed(url, &url_buf)), ARG_INT(http_status), ARG_INT(ok),
                           ARG_TEXT(scrubbed(message, &msg_buf)),
                           ARG_INT(at)),
                      "failed to write fetch log", ret_error);
        return MIN(r, 0);
}

int store_load_series_asof(Store *s, const char *series, int64_t fetched_before, Series **ret,
                           char **ret_error)
{
        assert(s);
        assert(series);
        assert(ret);

        return load_series(s, series, STMT_OBS_LOAD_ASOF, ARGS(ARG_TEXT(series), ARG_INT(fetched_before)), ret,
                           ret_error);
}

int store_series_last_fetched(Store *s, const char *series, int64_t *ret, char **ret_error)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        assert(s);
        assert(series);
        assert(ret);
        r = store_query(s, STMT_OBS_LAST_FETCHED, ARGS(ARG_TEXT(series)), &st, ret_error);
        if (r < 0)
                return r;
        r = store_step(s, st, "failed to read series", ret_error);
        if (r < 0)
                return r;
        *ret = r > 0 ? sqlite3_column_int64(st, 0) : 0;
        return 0;
}

