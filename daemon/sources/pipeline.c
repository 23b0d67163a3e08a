/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fetch pipeline on the loop; see pipeline.h for what it promises. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/fetch.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/schedule.h"
#include "labourwatch/scrub.h"
#include "labourwatch/source.h"
#include "labourwatch/pipeline.h"

/* Plan/fetch rounds per series: metadata + data is two; anything beyond a few is a provider bug. */
#define SERIES_MAX_STEPS 4

typedef struct SourceJob SourceJob;
typedef struct SeriesJob SeriesJob;

struct SeriesJob {
        SourceJob *source_job;
        const SeriesDef *def;
        SeriesFetchResult *result;
        ProviderMeta *meta;
        SourceRequest req;
        Series *stored;    /* what the store had before */
        SourceState state; /* per-series state: etag, last_modified, remote_updated */
        char *state_key;   /* "SOURCE/SERIES/FINGERPRINT", see state_key() */
        Period since;
        bool have_since;
        bool conditional; /* If-None-Match / If-Modified-Since were sent */
        unsigned steps;
        uint64_t request_start_mono; /* of the request in flight: SeriesFetchResult.duration_usec */
};

struct SourceJob {
        SourceRunner *runner;
        const SourceDef *src;
        const SeriesDef **series;
        size_t n_series, next;
        size_t first_result; /* r->results[first_result + k] is series[k]'s (source_job_collect) */
        SeriesJob *current;
        char *token;
        int token_error;
        bool token_read;
        bool token_error_logged; /* one line per source and run, with the fix, not one per series */
        bool throttled; /* 429/503: do not attempt the rest of this source now */
        uint64_t retry_after;
        long throttle_status;
        unsigned n_ok, n_failed;
        char *first_error;
        bool finished;
        /* The last metadata response of this run (tableinfo, table metadata), by request: series
         * of one table share it instead of asking the provider again. */
        struct {
                char *url, *body, *content_type;
                char *data;
                size_t size;
                long status;
        } meta_cache;
};

struct SourceRunner {
        sd_event *event;
        CurlGlue *glue; /* the fetcher's, kept for the fetcher a reload makes anew */
        Store *store;
        const Config *config;
        Fetcher *fetcher;

        bool running;
        bool refresh;
        uint64_t run_now, run_start_mono;
        SourceJob *jobs;
        size_t n_jobs, n_jobs_done;
        SeriesFetchResult *results;
        size_t n_results;
        unsigned n_ok, n_failed;
        source_runner_done_t done;
        void *userdata;
        sd_event_source *defer;

        /* In-memory copy of each source's next due time, as computed after its last run. The store
         * is the truth; this only guards against a store that cannot save state making the daemon
         * fetch the same source again and again. */
        struct NotBefore {
                char *source;
                uint64_t usec;
        } * not_before;
        size_t n_not_before;
};

static uint64_t now_monotonic(void)
{
        return now(CLOCK_MONOTONIC);
}

/* "Now" during a run: the run's now_usec (the caller's realtime clock) plus the time elapsed since
 * the run started. All times a run writes (fetched_at, last_success, next_due, the fetch log)
 * derive from the clock the caller passed in, so tests can run at any date. */
static uint64_t runner_now(const SourceRunner *r)
{
        return r->run_now + (now_monotonic() - r->run_start_mono);
}

static void wipe_free(char *s)
{
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

/* ---- results ---- */

void series_fetch_result_done(SeriesFetchResult *r)
{
        if (!r)
                return;
        free(r->series);
        free(r->source);
        free(r->error_message);
        free(r->new_periods);
        free(r->revisions);
        memset(r, 0, sizeof(*r));
}

int pipeline_diff(const Series *stored, const Series *fetched, SeriesFetchResult *ret)
{
        size_t n_new = 0, n_rev = 0, a_new = 0, a_rev = 0;
        Period *nw = NULL;
        SeriesRevision *rev = NULL;

        for (size_t i = 0; fetched && i < fetched->n_points; i++) {
                const SeriesPoint *p = &fetched->points[i];
                const SeriesPoint *old = stored ? series_get(stored, p->period) : NULL;

                if (!old) {
                        if (GREEDY_REALLOC(nw, a_new, n_new + 1) < 0)
                                goto oom;
                        nw[n_new++] = p->period;
                } else if (old->missing != p->missing || (!p->missing && old->value != p->value)) {
                        if (GREEDY_REALLOC(rev, a_rev, n_rev + 1) < 0)
                                goto oom;
                        rev[n_rev++] = (SeriesRevision){ .period = p->period,
                                                         .old_value = old->value,
                                                         .new_value = p->value,
                                                         .old_missing = old->missing,
                                                         .new_missing = p->missing };
                }
        }
        free(ret->new_periods);
        free(ret->revisions);
        ret->new_periods = nw;
        ret->n_new_periods = n_new;
        ret->revisions = rev;
        ret->n_revisions = n_rev;
        return 0;
oom:
        free(nw);
        free(rev);
        return -ENOMEM;
}

static void format_value(char buf[static 32], double v, bool missing)
{
        if (missing)
                snprintf(buf, 32, "..");
        else
                snprintf(buf, 32, "%.15g", v);
}

char *pipeline_format_result(const SeriesFetchResult *r)
{
        _cleanup_free_ char *s = NULL;
        size_t n = 0;
        FILE *f;

        f = open_memstream(&s, &n);
        if (!f)
                return NULL;
        fprintf(f, "%s: ", strna(r->series));
        if (r->error)
                fprintf(f, "error: %s", r->error_message ? r->error_message : strerror(-r->error));
        else if (r->unchanged)
                fputs("unchanged", f);
        else if (r->n_new_periods == 0 && r->n_revisions == 0)
                fputs("no new periods", f);
        else {
                if (r->n_new_periods > 0) {
                        fprintf(f, "%zu new period%s (", r->n_new_periods, r->n_new_periods == 1 ? "" : "s");
                        for (size_t i = 0; i < r->n_new_periods; i++) {
                                char b[PERIOD_STRING_MAX];
                                /* a first fetch brings years of history: keep the line readable */
                                if (r->n_new_periods > 8 && i == 3) {
                                        fprintf(f, ", …");
                                        i = r->n_new_periods - 3;
                                }
                                fprintf(f, "%s%s", i ? ", " : "", period_to_string(r->new_periods[i], b));
                        }
                        fputc(')', f);
                }
                if (r->n_revisions > 0) {
                        fprintf(f, "%s%zu revision%s (", r->n_new_periods ? ", " : "", r->n_revisions,
                                r->n_revisions == 1 ? "" : "s");
                        for (size_t i = 0; i < r->n_revisions; i++) {
                                char b[PERIOD_STRING_MAX], o[32], nv[32];
                                const SeriesRevision *v = &r->revisions[i];
                                format_value(o, v->old_value, v->old_missing);
                                format_value(nv, v->new_value, v->new_missing);
                                fprintf(f, "%s%s %s -> %s", i ? ", " : "", period_to_string(v->period, b), o,
                                        nv);
                        }
                        fputc(')', f);
                }
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(s);
}

uint64_t source_due_time(const SourceDef *src, const SourceState *st, uint64_t now_usec)
{
        if (st->consecutive_failures > 0 && st->next_due > 0)
                return MAX((uint64_t) st->next_due, now_usec);
        return schedule_next(&src->schedule, st->last_attempt > 0 ? (uint64_t) st->last_attempt : 0,
                             now_usec, schedule_jitter_seed(src->name));
}

/* ---- jobs ---- */

static SeriesJob *series_job_free(SeriesJob *j)
{
        if (!j)
                return NULL;
        provider_meta_free(j->meta);
        source_request_done(&j->req);
        series_free(j->stored);
        source_state_done(&j->state);
        free(j->state_key);
        free(j);
        return NULL;
}

static void meta_cache_clear(SourceJob *sj)
{
        free(sj->meta_cache.url);
        free(sj->meta_cache.body);
        free(sj->meta_cache.content_type);
        free(sj->meta_cache.data);
        memset(&sj->meta_cache, 0, sizeof(sj->meta_cache));
}

static bool meta_cache_matches(const SourceJob *sj, const SourceRequest *req)
{
        return sj->meta_cache.url && req->step == SOURCE_STEP_METADATA &&
               streq(sj->meta_cache.url, req->url) &&
               streq(strempty(sj->meta_cache.body), strempty(req->body));
}

/* Remembers a metadata response that parsed; failures are not cached. */
static void meta_cache_put(SourceJob *sj, const SourceRequest *req, const FetchResponse *resp)
{
        meta_cache_clear(sj);
        sj->meta_cache.url = strdup_or_null(req->url);
        sj->meta_cache.body = strdup_or_null(req->body);
        sj->meta_cache.content_type = strdup_or_null(resp->content_type);
        sj->meta_cache.data = malloc(resp->size + 1);
        if (!sj->meta_cache.url || (req->body && !sj->meta_cache.body) || !sj->meta_cache.data ||
            (resp->content_type && !sj->meta_cache.content_type)) {
                meta_cache_clear(sj); /* only an optimisation: without memory, ask again */
                return;
        }
        memcpy(sj->meta_cache.data, resp->body, resp->size);
        sj->meta_cache.data[resp->size] = 0;
        sj->meta_cache.size = resp->size;
        sj->meta_cache.status = resp->status;
}

static void source_job_done(SourceJob *sj)
{
        meta_cache_clear(sj);
        sj->current = series_job_free(sj->current);
        free(sj->series);
        wipe_free(sj->token);
        free(sj->first_error);
        memset(sj, 0, sizeof(*sj));
}

static void runner_clear_jobs(SourceRunner *r)
{
        for (size_t i = 0; i < r->n_jobs; i++)
                source_job_done(&r->jobs[i]);
        free(r->jobs);
        r->jobs = NULL;
        r->n_jobs = r->n_jobs_done = 0;
}

static uint64_t runner_not_before(SourceRunner *r, const char *source)
{
        for (size_t i = 0; i < r->n_not_before; i++)
                if (streq(r->not_before[i].source, source))
                        return r->not_before[i].usec;
        return 0;
}

static void runner_set_not_before(SourceRunner *r, const char *source, uint64_t usec)
{
        struct NotBefore *n;
        char *copy;

        for (size_t i = 0; i < r->n_not_before; i++)
                if (streq(r->not_before[i].source, source)) {
                        r->not_before[i].usec = usec;
                        return;
                }
        copy = strdup(source);
        n = reallocarray(r->not_before, r->n_not_before + 1, sizeof(*n));
        if (!copy || !n) {
                free(copy);
                if (n)
                        r->not_before = n;
                return; /* only a safety net: losing it is harmless */
        }
        r->not_before = n;
        r->not_before[r->n_not_before++] = (struct NotBefore){ copy, usec };
}

static void runner_clear_not_before(SourceRunner *r)
{
        for (size_t i = 0; i < r->n_not_before; i++)
                free(r->not_before[i].source);
        free(r->not_before);
        r->not_before = NULL;
        r->n_not_before = 0;
}

static void runner_clear_results(SourceRunner *r)
{
        for (size_t i = 0; i < r->n_results; i++)
                series_fetch_result_done(&r->results[i]);
        free(r->results);
        r->results = NULL;
        r->n_results = 0;
}

static const SourceDef *series_source(const Config *c, const SeriesDef *def)
{
        /* source_def is resolved at load; a Config built by hand is looked up by name (indexed). */
        return def->source_def ? def->source_def : config_find_source(c, def->source);
}

static bool is_fetched(const SeriesDef *def)
{
        return def->source && !def->expr;
}

static int on_defer_done(sd_event_source *s, void *userdata)
{
        SourceRunner *r = userdata;
        source_runner_done_t done = r->done;
        void *ud = r->userdata;

        r->defer = sd_event_source_disable_unref(r->defer);
        r->running = false;
        r->done = NULL;
        r->userdata = NULL;
        runner_clear_jobs(r);
        /* last: done() may free the runner */
        if (done)
                done(r, r->n_ok, r->n_failed, ud);
        return 0;
}

static void runner_maybe_done(SourceRunner *r)
{
        int k;

        if (r->n_jobs_done < r->n_jobs || r->defer)
                return;
        k = sd_event_add_defer(r->event, &r->defer, on_defer_done, r);
        if (k < 0) {
                /* cannot defer (OOM): finish right here rather than never */
                log_warning_errno(k, "Failed to schedule fetch completion, finishing inline: %m");
                on_defer_done(NULL, r);
        }
}

/* "SOURCE/SERIES/FINGERPRINT": the fingerprint covers everything that decides what is requested
 * (base URL, language, API version, table, path, selection, measure, column). Edit the series'
 * selection in the configuration and the remembered Statbank `updated` stamp and ETag no longer
 * apply: the next fetch is a full one, instead of "unchanged" for data that was never fetched. */
static char *state_key(const SourceDef *src, const SeriesDef *def)
{
        _cleanup_free_ char *sel = NULL, *fp = NULL;

        if (source_selection_string(def, NULL, &sel) < 0)
                return NULL;
        fp = strdup_printf("%s|%s|%d|%s|%s|%s", strempty(src->base_url), strempty(src->lang),
                           src->api_version, strempty(def->table), strempty(def->path), sel);
        if (!fp)
                return NULL;
        return strdup_printf("%s/%s/%016llx", src->name, def->name,
                             (unsigned long long) schedule_jitter_seed(fp));
}

/* Records a failure of the current series: result, one log line, fetch state of the source job. */
static void series_fail_full(SeriesJob *j, int priority, int error, const char *url, long status,
                             const char *reason, const char *message);

static void series_fail(SeriesJob *j, int error, const char *url, long status, const char *reason,
                        const char *message)
{
        series_fail_full(j, LOG_ERR, error, url, status, reason, message);
}

/* As series_fail; a failure whose cause the source already logged (priority LOG_DEBUG) is not
 * logged again per series. */
static void series_fail_full(SeriesJob *j, int priority, int error, const char *url, long status,
                             const char *reason, const char *message)
{
        SourceJob *sj = j->source_job;
        SourceRunner *r = sj->runner;
        SeriesFetchResult *res = j->result;
        _cleanup_free_ char *msg = NULL, *f_source = NULL, *f_series = NULL, *f_url = NULL, *f_status = NULL;

        if (error >= 0)
                error = -EIO;
        if (url && strncasecmp(url, "file:", 5) == 0)
                status = 0; /* a file has no HTTP status worth printing */
        if (status > 0 && url && message && strneq(message, url, strlen(url)))
                /* the provider already names the URL (URL:LINE:COL: …) */
                msg = strdup_printf("%s (HTTP %ld%s%s)", message, status, reason && *reason ? " " : "",
                                    strempty(reason));
        else if (status > 0)
                msg = strdup_printf("%s: HTTP %ld%s%s%s%s", strna(url), status, reason && *reason ? " " : "",
                                    strempty(reason), message ? ": " : "", strempty(message));
        else if (url)
                msg = strdup_printf("%s: %s", url, message ? message : strerror(-error));
        else
                msg = strdup(message ? message : strerror(-error));
        /* A server may echo the token (a gateway's 401 page): the result, the source's last_error
         * and the log all get the scrubbed text. */
        if (msg && scrub_needed(msg)) {
                char *m = scrub_string(msg);
                free(msg);
                msg = m;
        }

        f_source = strdup_printf("SOURCE=%s", sj->src->name);
        f_series = strdup_printf("SERIES=%s", j->def->name);
        f_url = strdup_printf("URL=%s", strempty(url));
        f_status = strdup_printf("HTTP_STATUS=%ld", status);
        if (priority == LOG_DEBUG)
                log_debug("Fetching series %s from %s failed: %s", j->def->name, sj->src->name, strna(msg));
        else if (f_source && f_series && f_url && f_status)
                log_event(LOG_ERR, error, LOG_EVENT_FETCH_FAILED,
                          LOG_FIELDS(f_source, f_series, f_url, f_status),
                          "Fetching series %s from %s failed: %s", j->def->name, sj->src->name,
                          msg ? msg : "out of memory");
        else
                log_error_errno(error, "Fetching series %s failed: %s", j->def->name,
                                msg ? msg : "out of memory");

        res->error = error;
        free(res->error_message);
        res->error_message = msg ? strdup(msg) : NULL;
        sj->n_failed++;
        r->n_failed++;
        if (!sj->first_error && msg)
                sj->first_error = TAKE_PTR(msg);
}

static void series_ok(SeriesJob *j)
{
        j->source_job->n_ok++;
        j->source_job->runner->n_ok++;
}

/* Hands msg (taken; may be NULL on OOM) to *ret_error and returns r. */
static int ingest_error(char **ret_error, int r, char *msg)
{
        if (ret_error)
                *ret_error = msg;
        else
                free(msg);
        return r;
}

int pipeline_ingest(Store *st, const IngestInput *in, SeriesFetchResult *res, StoreWriteStats *ret_stats,
                    char **ret_note, char **ret_error)
{
        const Provider *p = provider_for(in->source->kind);
        const SeriesDef *def = in->series;
        _cleanup_(series_freep) Series *s = NULL, *loaded = NULL;
        _cleanup_free_ char *selection = NULL, *err = NULL;
        const Series *stored = in->stored;
        StoreWriteStats stats = {};
        int k;

        assert(st);
        assert(in && in->source && in->series && in->response);
        assert(res);

        if (!p || !p->parse_data)
                return ingest_error(ret_error, -EINVAL, strdup("the source has no data parser"));
        k = p->parse_data(in->source, def, in->meta, in->response, &s, ret_note, &err);
        if (k < 0)
                return ingest_error(ret_error, k, TAKE_PTR(err));
        if (!s || s->n_points == 0)
                return ingest_error(ret_error, -ENODATA, strdup("no observations matched the selection"));
        if ((int) def->freq >= 0 && def->freq < _PERIOD_FREQ_MAX && s->freq != def->freq)
                return ingest_error(ret_error, -EBADMSG,
                                    strdup_printf("expected %s periods, got %s periods",
                                                  period_freq_to_string(def->freq), period_freq_to_string(s->freq)));

        if (!stored) {
                k = store_load_series(st, def->name, &loaded, &err);
                if (k < 0)
                        return ingest_error(ret_error, k, strdup_printf("reading the stored series failed: %s",
                                                                        err ? err : strerror(-k)));
                stored = loaded;
        }
        k = pipeline_diff(stored, s, res);
        if (k < 0)
                return ingest_error(ret_error, k, strdup("out of memory"));
        k = source_selection_string(def, in->meta, &selection);
        if (k < 0)
                return ingest_error(ret_error, k, strdup("out of memory"));
        k = store_put_series(st, def->name, s->points, s->n_points,
                             &(Provenance){
                                     .source = in->provenance_source ? in->provenance_source : in->source->name,
                                     .table = def->table,
                                     .selection = *selection ? selection : NULL,
                                     .url = in->url,
                                     .fetched_at = in->fetched_at,
                             },
                             &stats, &err);
        if (k < 0)
                return ingest_error(ret_error, k, strdup_printf("storing failed: %s", err ? err : strerror(-k)));
        res->n_points = (unsigned) s->n_points;
        if (ret_stats)
                *ret_stats = stats;
        return 0;
}

/* Parses, checks and stores a data response (pipeline_ingest); logs the outcome. Returns 0 or
 * negative errno (already reported). */
static int series_store(SeriesJob *j, const SourceResponse *sr, const FetchResponse *resp)
{
        SourceJob *sj = j->source_job;
        SourceRunner *r = sj->runner;
        const SeriesDef *def = j->def;
        SeriesFetchResult *res = j->result;
        _cleanup_free_ char *err = NULL, *note = NULL, *f_source = NULL, *f_series = NULL, *f_url = NULL;
        const char *url = resp->effective_url ? resp->effective_url : j->req.url;
        int k;

        k = pipeline_ingest(r->store,
                            &(IngestInput){
                                    .source = sj->src,
                                    .series = def,
                                    .meta = j->meta,
                                    .response = sr,
                                    .stored = j->stored,
                                    .url = url,
                                    .fetched_at = (int64_t) runner_now(r),
                            },
                            res, NULL, &note, &err);
        if (note)
                log_debug("Series %s: %s: %s", def->name, j->req.url, note);
        if (k < 0) {
                series_fail(j, k, j->req.url, resp->status, resp->reason, err);
                return k;
        }

        /* Remember what makes the next request conditional / skippable. */
        free(j->state.etag);
        j->state.etag = strdup_or_null(resp->etag);
        free(j->state.last_modified);
        j->state.last_modified = strdup_or_null(resp->last_modified);
        free(j->state.remote_updated);
        j->state.remote_updated = strdup_or_null(provider_meta_updated(j->meta));
        j->state.last_attempt = j->state.last_success = (int64_t) r->run_now;
        free(err);
        err = NULL;
        k = store_set_source_state(r->store, j->state_key, &j->state, &err);
        if (k < 0)
                log_warning_errno(
                        k, "Failed to remember the state of %s, the next fetch will not be conditional: %s",
                        j->state_key, err ? err : "unknown error");

        f_source = strdup_printf("SOURCE=%s", sj->src->name);
        f_series = strdup_printf("SERIES=%s", def->name);
        f_url = strdup_printf("URL=%s", url);
        if (f_source && f_series && f_url)
                log_event(LOG_INFO, 0, LOG_EVENT_FETCH_SUCCEEDED, LOG_FIELDS(f_source, f_series, f_url),
                          "Fetched series %s from %s: %u points, %zu new periods, %zu revisions", def->name,
                          sj->src->name, res->n_points, res->n_new_periods, res->n_revisions);
        series_ok(j);
        return 0;
}

static void on_response(Fetcher *f, const FetchResponse *resp, void *userdata);
static int series_handle(SeriesJob *j, const FetchResponse *resp, bool cached);

enum {
        STEP_PENDING,  /* a transfer is in flight; on_response continues */
        STEP_FINISHED, /* the series is done (ok or failed) */
};

static int source_job_token(SourceJob *sj, const char **ret)
{
        if (!sj->token_read) {
                sj->token_read = true;
                sj->token_error = secret_read(&sj->src->token, &sj->token);
        }
        if (sj->token_error < 0)
                return sj->token_error;
        *ret = sj->token;
        return 0;
}

/* Plans the next request of a series and starts it. */
static int series_step(SeriesJob *j)
{
        SourceJob *sj = j->source_job;
        SourceRunner *r = sj->runner;
        const Provider *p = provider_for(sj->src->kind);
        _cleanup_free_ char *err = NULL;
        char *auth = NULL;
        FetchRequest fr;
        int k;

        if (!p) {
                series_fail(j, -EINVAL, NULL, 0, NULL, "no provider for this source kind");
                return STEP_FINISHED;
        }
        if (++j->steps > SERIES_MAX_STEPS) {
                series_fail(j, -ELOOP, j->req.url, 0, NULL, "the provider kept asking for more requests");
                return STEP_FINISHED;
        }

        source_request_done(&j->req);
        k = p->plan(&(SourcePlanContext){ .source = sj->src,
                                          .series = j->def,
                                          .meta = j->meta,
                                          .remote_updated = j->state.remote_updated,
                                          .force = r->refresh,
                                          .since = j->have_since ? &j->since : NULL },
                    &j->req, &err);
        if (k < 0) {
                series_fail(j, k, NULL, 0, NULL, err);
                return STEP_FINISHED;
        }
        if (k == SOURCE_PLAN_UNCHANGED) {
                log_info("Series %s: table %s unchanged since %s, not fetching data", j->def->name,
                         strna(j->def->table), strna(j->state.remote_updated));
                j->result->unchanged = true;
                series_ok(j);
                return STEP_FINISHED;
        }
        if (!j->req.url) {
                series_fail(j, -EINVAL, NULL, 0, NULL, "the provider planned a request without URL");
                return STEP_FINISHED;
        }
        if (meta_cache_matches(sj, &j->req)) {
                FetchResponse cached = {
                        .status = sj->meta_cache.status,
                        .body = sj->meta_cache.data,
                        .size = sj->meta_cache.size,
                        .content_type = sj->meta_cache.content_type,
                };

                log_debug("Series %s: metadata %s already fetched in this run", j->def->name, j->req.url);
                return series_handle(j, &cached, true);
        }

        fr = (FetchRequest){
                .url = j->req.url,
                .body = j->req.body,
                .content_type = j->req.content_type,
                .accept = j->req.accept,
                .ca_file = sj->src->ca_file,
                .connect_timeout_usec = sj->src->connect_timeout_usec,
                .timeout_usec = sj->src->timeout_usec,
                .max_size = sj->src->max_response_size,
        };
        /* Conditional only for data, and only when we hold data: a wiped store must refill. */
        j->conditional = false;
        if (!r->refresh && j->req.step == SOURCE_STEP_DATA && j->stored && j->stored->n_points > 0 &&
            (j->state.etag || j->state.last_modified)) {
                fr.if_none_match = j->state.etag;
                fr.if_modified_since = j->state.last_modified;
                j->conditional = true;
        }
        if (j->req.auth != SOURCE_AUTH_NONE) {
                const char *token = NULL;

                k = source_job_token(sj, &token);
                if (k < 0) {
                        const char *cred = strna(sj->src->token.credential);
                        _cleanup_free_ char *m = NULL, *f_source = strdup_printf("SOURCE=%s", sj->src->name);

                        /* No request was made: no URL, no HTTP status. One line for the source, with
                         * the fix; its series fail quietly. */
                        if (sj->src->token.file)
                                m = strdup_printf("cannot read the API token from %s: %s; put the token there "
                                                  "(mode 0600, readable by the service user), see "
                                                  "labourwatch.yaml(5), SECRETS",
                                                  sj->src->token.file, strerror(-k));
                        else if (k == -ENXIO)
                                m = strdup_printf("credential %s: $CREDENTIALS_DIRECTORY is not set (run by "
                                                  "systemd with LoadCredential=%s, or, for the labourwatch CLI, "
                                                  "--credentials-dir DIR)", cred, cred);
                        else
                                m = strdup_printf("credential %s not found in $CREDENTIALS_DIRECTORY (%s): %s; "
                                                  "put the token in /etc/credstore/%s, mode 0600 (or encrypt it "
                                                  "to /etc/credstore.encrypted/%s with systemd-creds)",
                                                  cred, strna(getenv("CREDENTIALS_DIRECTORY")), strerror(-k),
                                                  cred, cred);
                        if (!sj->token_error_logged) {
                                sj->token_error_logged = true;
                                log_event(LOG_ERR, k, LOG_EVENT_FETCH_FAILED, f_source ? LOG_FIELDS(f_source) : NULL,
                                          "Source %s: %s; not fetching its series", sj->src->name,
                                          m ? m : "cannot read the API token");
                        }
                        series_fail_full(j, LOG_DEBUG, k, NULL, 0, NULL, m ? m : "cannot read the API token");
                        return STEP_FINISHED;
                }
                k = source_auth_header(j->req.auth, token, &auth);
                if (k < 0) {
                        series_fail(j, k, j->req.url, 0, NULL,
                                    "cannot build the Authorization header (empty token?)");
                        return STEP_FINISHED;
                }
                fr.authorization = auth;
        }

        log_debug("Series %s: %s %s (%s)", j->def->name, j->req.body ? "POST" : "GET", j->req.url,
                  source_step_to_string(j->req.step));
        j->request_start_mono = now_monotonic();
        k = fetcher_start(r->fetcher, &fr, on_response, j);
        wipe_free(auth); /* the fetcher copied it */
        if (k == -EINVAL) {
                series_fail(j, k, j->req.url, 0, NULL,
                            "refusing to send a header value with a line break (in the token or a stored "
                            "ETag?)");
                return STEP_FINISHED;
        }
        if (k < 0) {
                series_fail(j, k, j->req.url, 0, NULL, NULL);
                return STEP_FINISHED;
        }
        return STEP_PENDING;
}

/* Handles one response; cached: a metadata response this run already received (not fetched, so not
 * logged again). Returns STEP_PENDING when another request was started. */
static int series_handle(SeriesJob *j, const FetchResponse *resp, bool cached)
{
        SourceJob *sj = j->source_job;
        SourceRunner *r = sj->runner;
        const Provider *p = provider_for(sj->src->kind);
        const char *url = j->req.url;
        bool http_ok = resp->status >= 200 && resp->status < 300;
        _cleanup_free_ char *err = NULL, *desc = NULL;
        SourceResponse sr;
        int k;

        if (!cached) {
                _cleanup_free_ char *e = NULL, *m = NULL;
                bool ok = resp->error == 0 && (http_ok || resp->status == 304);

                if (!resp->error_message && !ok)
                        m = strdup_printf("HTTP %ld %s", resp->status, strempty(resp->reason));
                k = store_log_fetch(r->store, sj->src->name, url, resp->status, ok,
                                    resp->error_message ? resp->error_message : m, (int64_t) runner_now(r),
                                    &e);
                if (k < 0)
                        log_warning_errno(k, "Failed to write the fetch log, ignoring: %s", strna(e));
                j->result->bytes += resp->size;
                j->result->duration_usec += now_monotonic() - j->request_start_mono;
        }

        if (resp->error < 0) {
                series_fail(j, resp->error, url, resp->status, resp->reason, resp->error_message);
                return STEP_FINISHED;
        }

        if (resp->status == 429 || resp->status == 503) {
                sj->throttled = true;
                sj->throttle_status = resp->status;
                sj->retry_after = MAX(sj->retry_after, resp->retry_after_usec);
        }

        sr = (SourceResponse){
                .url = url,
                .status = resp->status,
                .content_type = resp->content_type,
                .body = resp->body,
                .size = resp->size,
                .sent_bearer = j->req.auth == SOURCE_AUTH_BEARER, /* else step_start failed */
        };

        if (resp->status == 304) {
                if (j->req.step != SOURCE_STEP_DATA || !j->conditional) {
                        series_fail(j, -EBADMSG, url, resp->status, resp->reason,
                                    "304 Not Modified to a request that was not conditional");
                        return STEP_FINISHED;
                }
                log_info("Series %s: not modified since the last fetch (%s)", j->def->name, url);
                j->result->unchanged = true;
                series_ok(j);
                return STEP_FINISHED;
        }
        if (!http_ok) {
                /* The provider's own words: Statbank {errorTypeCode,message}, Jobindsats detail,
                 * the title of an HTML error page. */
                desc = source_describe_error(sj->src->kind, &sr);
                const char *d = desc;
                /* describe_error starts with "HTTP NNN…: " which we print ourselves */
                if (d && strneq(d, "HTTP ", 5)) {
                        const char *c = strstr(d, ": ");
                        d = c ? c + 2 : "";
                }
                if (resp->error_message) /* e.g. a POST redirect, not followed */
                        err = strdup_printf("%s%s%s", resp->error_message, d && *d ? "; " : "", strempty(d));
                series_fail(j, -EREMOTEIO, url, resp->status, resp->reason,
                            err ? err : (d && *d ? d : NULL));
                return STEP_FINISHED;
        }
        if (source_body_is_html(resp->body, resp->size, resp->content_type)) {
                series_fail(j, -EPROTO, url, resp->status, resp->reason,
                            "got an HTML page instead of data (error or maintenance page?)");
                return STEP_FINISHED;
        }
        if (source_body_is_empty(resp->body, resp->size)) {
                series_fail(j, -ENODATA, url, resp->status, resp->reason,
                            "empty response where data was expected");
                return STEP_FINISHED;
        }

        if (j->req.step == SOURCE_STEP_METADATA) {
                ProviderMeta *m = NULL;

                if (!p->parse_metadata) {
                        series_fail(j, -EINVAL, url, resp->status, resp->reason,
                                    "the provider asked for metadata it cannot parse");
                        return STEP_FINISHED;
                }
                k = p->parse_metadata(sj->src, j->def, &sr, &m, &err);
                if (k < 0) {
                        series_fail(j, k, url, resp->status, resp->reason, err);
                        return STEP_FINISHED;
                }
                if (!cached)
                        meta_cache_put(sj, &j->req, resp);
                provider_meta_free(j->meta);
                j->meta = m;
                log_debug("Series %s: metadata from %s (updated %s)", j->def->name, url,
                          strna(provider_meta_updated(m)));
                return series_step(j);
        }

        (void) series_store(j, &sr, resp);
        return STEP_FINISHED;
}

static void source_job_continue(SourceJob *sj);

static void on_response(Fetcher *f, const FetchResponse *resp, void *userdata)
{
        SeriesJob *j = userdata;
        SourceJob *sj = j->source_job;

        if (series_handle(j, resp, false) == STEP_PENDING)
                return;
        sj->current = series_job_free(sj->current);
        source_job_continue(sj);
}

static void source_job_finish(SourceJob *sj)
{
        SourceRunner *r = sj->runner;
        const SourceDef *src = sj->src;
        uint64_t now = runner_now(r), seed = schedule_jitter_seed(src->name);
        _cleanup_free_ char *err = NULL;
        SourceState st = {};
        int64_t prev_last_attempt = 0, prev_first_failure = 0;
        unsigned prev_failures = 0;
        int k;

        k = store_get_source_state(r->store, src->name, &st, &err);
        if (k < 0) {
                log_warning_errno(k, "Failed to read the state of source %s, starting afresh: %s", src->name,
                                  strna(err));
                source_state_done(&st);
                memset(&st, 0, sizeof(st));
        }
        prev_last_attempt = st.last_attempt;
        prev_first_failure = st.first_failure;
        prev_failures = st.consecutive_failures;

        st.last_attempt = (int64_t) r->run_now;
        if (sj->n_failed == 0) {
                st.last_success = (int64_t) now;
                st.first_failure = 0;
                st.consecutive_failures = 0;
                free(st.last_error);
                st.last_error = NULL;
                st.next_due = (int64_t) schedule_next(&src->schedule, r->run_now, now, seed);
                if (prev_failures > 0)
                        log_notice("Source %s works again after %u failed run%s", src->name, prev_failures,
                                   prev_failures == 1 ? "" : "s");
        } else {
                uint64_t delay;

                st.consecutive_failures++;
                if (st.first_failure == 0)
                        st.first_failure = (int64_t) r->run_now;
                free(st.last_error);
                st.last_error = strdup_or_null(sj->first_error);
                delay = backoff_delay(NULL, st.consecutive_failures, sj->retry_after,
                                      seed + st.consecutive_failures);
                st.next_due = (int64_t) (now + delay);
                {
                        _cleanup_free_ char *f_source = strdup_printf("SOURCE=%s", src->name);
                        _cleanup_free_ char *f_n =
                                strdup_printf("CONSECUTIVE_FAILURES=%u", st.consecutive_failures);
                        log_event(LOG_NOTICE, 0, LOG_EVENT_NONE,
                                  f_source && f_n ? LOG_FIELDS(f_source, f_n) : NULL,
                                  "Source %s: %u of %zu series failed (%u failed run%s in a row), retrying "
                                  "in %llu s%s",
                                  src->name, sj->n_failed, sj->n_series, st.consecutive_failures,
                                  st.consecutive_failures == 1 ? "" : "s",
                                  (unsigned long long) (delay / USEC_PER_SEC),
                                  sj->throttled && sj->retry_after ? " as the server asked (Retry-After)"
                                                                   : "");
                }

                /* Stale: failing for longer than stale_after. Logged once per failure streak, when the
                 * streak crosses the limit; the alerting module routes this event to operations. */
                if (src->stale_after_usec > 0) {
                        uint64_t age = r->run_now > (uint64_t) st.first_failure
                                               ? r->run_now - (uint64_t) st.first_failure
                                               : 0; /* the clock went back */
                        uint64_t prev_age = prev_failures > 0 && prev_first_failure > 0 &&
                                                            prev_last_attempt >= prev_first_failure
                                                    ? (uint64_t) (prev_last_attempt - prev_first_failure)
                                                    : 0;
                        if (age > src->stale_after_usec && prev_age <= src->stale_after_usec) {
                                _cleanup_free_ char *f_source = strdup_printf("SOURCE=%s", src->name);
                                _cleanup_free_ char *f_since = strdup_printf("FAILING_SINCE_USEC=%lld",
                                                                             (long long) st.first_failure);
                                if (f_source && f_since)
                                        log_event(LOG_WARNING, 0, LOG_EVENT_SOURCE_STALE,
                                                  LOG_FIELDS(f_source, f_since),
                                                  "Source %s has been failing for %llu minutes (%u runs); "
                                                  "its data is stale: %s",
                                                  src->name, (unsigned long long) (age / UINT64_C(60000000)),
                                                  st.consecutive_failures, strna(sj->first_error));
                        }
                }
        }
        free(err);
        err = NULL;
        runner_set_not_before(r, src->name, (uint64_t) st.next_due);
        k = store_set_source_state(r->store, src->name, &st, &err);
        if (k < 0)
                log_error_errno(k, "Failed to store the state of source %s: %s", src->name, strna(err));
        source_state_done(&st);

        /* The token is not kept longer than the source's run. */
        wipe_free(sj->token);
        sj->token = NULL;
        sj->token_read = false;
        sj->token_error_logged = false;
        sj->finished = true;
        r->n_jobs_done++;
}

static void source_job_continue(SourceJob *sj)
{
        SourceRunner *r = sj->runner;

        while (sj->next < sj->n_series) {
                const SeriesDef *def = sj->series[sj->next];
                SeriesFetchResult *res = NULL;
                _cleanup_free_ char *err = NULL;
                SeriesJob *j;
                int k;

                /* the job's results are contiguous and in its series' order: no search per series */
                if (sj->first_result + sj->next < r->n_results)
                        res = &r->results[sj->first_result + sj->next];
                sj->next++;
                assert(res && streq(res->series, def->name));

                j = calloc(1, sizeof(*j));
                if (!j) {
                        res->error = -ENOMEM;
                        sj->n_failed++;
                        r->n_failed++;
                        continue;
                }
                j->source_job = sj;
                j->def = def;
                j->result = res;
                sj->current = j;

                if (sj->throttled) {
                        _cleanup_free_ char *m =
                                strdup_printf("not attempted: %s answered HTTP %ld, waiting %llu s as asked",
                                              sj->src->name, sj->throttle_status,
                                              (unsigned long long) (sj->retry_after / USEC_PER_SEC));
                        log_warning("Series %s: %s", def->name, strna(m));
                        res->error = -EAGAIN;
                        res->error_message = TAKE_PTR(m);
                        sj->n_failed++;
                        r->n_failed++;
                        sj->current = series_job_free(sj->current);
                        continue;
                }

                j->state_key = state_key(sj->src, def);
                if (!j->state_key) {
                        series_fail(j, -ENOMEM, NULL, 0, NULL, "out of memory");
                        sj->current = series_job_free(sj->current);
                        continue;
                }
                k = store_get_source_state(r->store, j->state_key, &j->state, &err);
                if (k < 0) {
                        log_debug_errno(k, "No state for %s, fetching unconditionally: %s", j->state_key,
                                        strna(err));
                        source_state_done(&j->state);
                        memset(&j->state, 0, sizeof(j->state));
                }
                free(err);
                err = NULL;
                k = store_load_series(r->store, def->name, &j->stored, &err);
                if (k < 0) {
                        _cleanup_free_ char *m =
                                strdup_printf("cannot read the stored series: %s", strna(err));
                        series_fail(j, k, NULL, 0, NULL, m);
                        sj->current = series_job_free(sj->current);
                        continue;
                }
                if (j->stored && j->stored->n_points > 0) {
                        /* Re-fetch a window of trailing periods: tables are revised (late
                         * registrations raise the newest months). */
                        Period last = j->stored->points[j->stored->n_points - 1].period;
                        int per_year = period_freq_per_year(last.freq);
                        j->since = period_add(last, -(int64_t) MAX(3, 2 * per_year) + 1);
                        j->have_since = true;
                }

                if (series_step(j) == STEP_PENDING)
                        return;
                sj->current = series_job_free(sj->current);
        }

        if (!sj->finished)
                source_job_finish(sj);
        runner_maybe_done(r);
}

/* ---- the runner ---- */

int source_runner_new(sd_event *e, Store *st, const Config *c, SourceRunner **ret)
{
        CurlGlue *g = NULL;
        int k;

        if (!e || !st || !c || !ret)
                return -EINVAL;
        k = curl_glue_new(e, &g);
        if (k < 0)
                return k;
        k = source_runner_new_with_glue(g, st, c, ret);
        curl_glue_unref(g); /* the runner holds its own reference */
        return k;
}

int source_runner_new_with_glue(CurlGlue *g, Store *st, const Config *c, SourceRunner **ret)
{
        SourceRunner *r;
        int k;

        if (!g || !st || !c || !ret)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->glue = curl_glue_ref(g);
        r->event = sd_event_ref(curl_glue_get_event(g));
        r->store = st;
        r->config = c;
        k = fetcher_new_with_glue(g, &r->fetcher);
        if (k < 0) {
                source_runner_free(r);
                return k;
        }
        *ret = r;
        return 0;
}

static void runner_cancel(SourceRunner *r)
{
        /* Freeing the fetcher aborts every transfer without callbacks. */
        r->fetcher = fetcher_free(r->fetcher);
        runner_clear_jobs(r);
}

SourceRunner *source_runner_free(SourceRunner *r)
{
        if (!r)
                return NULL;
        runner_cancel(r);
        r->defer = sd_event_source_disable_unref(r->defer);
        runner_clear_results(r);
        runner_clear_not_before(r);
        sd_event_unref(r->event);
        curl_glue_unref(r->glue);
        free(r);
        return NULL;
}

int source_runner_set_config(SourceRunner *r, const Config *c)
{
        int k;

        if (!r || !c)
                return -EINVAL;
        if (r->running) {
                log_info("Configuration replaced during a fetch run, cancelling the unfinished transfers");
                runner_cancel(r);
                k = fetcher_new_with_glue(r->glue, &r->fetcher);
                if (k < 0)
                        return k;
                /* Unfinished results keep their names (copied) but say why they have no data. */
                for (size_t i = 0; i < r->n_results; i++)
                        if (!r->results[i].error && !r->results[i].unchanged &&
                            r->results[i].n_points == 0 && r->results[i].n_new_periods == 0 &&
                            r->results[i].n_revisions == 0) {
                                r->results[i].error = -ECANCELED;
                                free(r->results[i].error_message);
                                r->results[i].error_message = strdup("cancelled by a configuration reload");
                        }
                r->config = c;
                runner_clear_not_before(r); /* new schedules apply at once */
                runner_maybe_done(r);
                return 0;
        }
        r->config = c;
        runner_clear_not_before(r);
        return 0;
}

/* Whether src is due at now_usec by its stored state (and not held back by a Retry-After). */
static bool source_is_due(SourceRunner *r, const SourceDef *src, uint64_t now_usec)
{
        _cleanup_free_ char *err = NULL;
        SourceState st = {};
        bool due;
        int k;

        k = store_get_source_state(r->store, src->name, &st, &err);
        if (k < 0) {
                log_warning_errno(k, "Failed to read the state of source %s, treating it as due: %s", src->name,
                                  strna(err));
                return true;
        }
        due = MAX(source_due_time(src, &st, now_usec), runner_not_before(r, src->name)) <= now_usec;
        source_state_done(&st);
        return due;
}

/* Adds src's fetched series (only the named ones, when only_series) to sj and a result slot each
 * to r. Returns 0 or -ENOMEM (the caller clears the run). */
/* The index of the source a fetched series reads from, or SIZE_MAX (derived, or no such source). */
static size_t series_source_index(const Config *c, const SeriesDef *def)
{
        const SourceDef *src = is_fetched(def) ? series_source(c, def) : NULL;

        return src ? (size_t) (src - c->sources) : SIZE_MAX;
}

/* Each source's fetched series in configuration order, from one pass over the series (a scan of every
 * series for each source would cost sources x series on a configuration an operator writes):
 * head[si] is the first series of source si and next[i] the one after series i, SIZE_MAX ending both.
 * Caller frees *ret_head and *ret_next. */
static int series_by_source(const Config *c, size_t **ret_head, size_t **ret_next)
{
        _cleanup_free_ size_t *head = xmalloc_array(MAX(c->n_sources, (size_t) 1), sizeof(size_t));
        _cleanup_free_ size_t *next = xmalloc_array(MAX(c->n_series, (size_t) 1), sizeof(size_t));

        if (!head || !next)
                return -ENOMEM;
        for (size_t si = 0; si < c->n_sources; si++)
                head[si] = SIZE_MAX;
        for (size_t i = c->n_series; i-- > 0;) {
                size_t si = series_source_index(c, &c->series[i]);

                next[i] = SIZE_MAX;
                if (si == SIZE_MAX)
                        continue;
                next[i] = head[si];
                head[si] = i;
        }
        *ret_head = TAKE_PTR(head);
        *ret_next = TAKE_PTR(next);
        return 0;
}

/* Adds source src's series (from first, linked by next; only those marked in wanted when it is not
 * NULL) to the job and a result slot for each. */
static int source_job_collect(SourceRunner *r, SourceJob *sj, const SourceDef *src, size_t first,
                              const size_t *next, const bool *wanted)
{
        const Config *c = r->config;

        sj->first_result = r->n_results;
        for (size_t i = first; i != SIZE_MAX; i = next[i]) {
                const SeriesDef *def = &c->series[i];
                SeriesFetchResult *res;
                const SeriesDef **l;

                if (wanted && !wanted[i])
                        continue;
                l = reallocarray(sj->series, sj->n_series + 1, sizeof(*l));
                if (!l)
                        return -ENOMEM;
                sj->series = l;
                sj->series[sj->n_series++] = def;
                res = &r->results[r->n_results++];
                res->series = strdup(def->name);
                res->source = strdup(src->name);
                if (!res->series || !res->source)
                        return -ENOMEM;
        }
        return 0;
}

int source_runner_run(SourceRunner *r, uint64_t now_usec, bool force, char *const *only_series,
                      source_runner_done_t done, void *userdata)
{
        _cleanup_free_ size_t *head = NULL, *next = NULL;
        _cleanup_free_ bool *wanted = NULL;
        const Config *c;

        if (!r)
                return -EINVAL;
        if (r->running)
                return -EBUSY;
        c = r->config;

        if (only_series) {
                wanted = calloc(MAX(c->n_series, (size_t) 1), sizeof(bool));
                if (!wanted)
                        return -ENOMEM;
        }
        for (char *const *n = only_series; n && *n; n++) {
                const SeriesDef *def = config_find_series(c, *n);

                if (!def)
                        return -ENOENT;
                if (!is_fetched(def) || !series_source(c, def))
                        return -EINVAL;
                wanted[def - c->series] = true;
        }
        if (series_by_source(c, &head, &next) < 0)
                return -ENOMEM;

        runner_clear_results(r);
        runner_clear_jobs(r);
        r->n_ok = r->n_failed = 0;
        r->run_now = now_usec;
        r->run_start_mono = now_monotonic();

        r->jobs = calloc(MAX(c->n_sources, (size_t) 1), sizeof(SourceJob));
        r->results = calloc(MAX(c->n_series, (size_t) 1), sizeof(SeriesFetchResult));
        if (!r->jobs || !r->results) {
                runner_clear_jobs(r);
                runner_clear_results(r);
                return -ENOMEM;
        }

        for (size_t si = 0; si < c->n_sources; si++) {
                const SourceDef *src = &c->sources[si];
                SourceJob *sj = &r->jobs[r->n_jobs];
                bool due = force || only_series;

                if (!due && !source_is_due(r, src, now_usec))
                        continue;
                if (source_job_collect(r, sj, src, head[si], next, wanted) < 0) {
                        runner_clear_jobs(r);
                        runner_clear_results(r);
                        return -ENOMEM;
                }
                if (sj->n_series == 0)
                        continue;
                sj->runner = r;
                sj->src = src;
                r->n_jobs++;
        }

        r->running = true;
        r->done = done;
        r->userdata = userdata;
        log_debug("Fetch run: %zu sources, %zu series", r->n_jobs, r->n_results);
        /* Copy the count: a job may finish synchronously (plan errors) */
        for (size_t i = 0, n = r->n_jobs; i < n; i++)
                source_job_continue(&r->jobs[i]);
        runner_maybe_done(r);
        return 0;
}

uint64_t source_runner_next_due(SourceRunner *r, uint64_t now_usec)
{
        const Config *c = r->config;
        _cleanup_free_ bool *used = calloc(MAX(c->n_sources, (size_t) 1), sizeof(bool));
        uint64_t best = UINT64_MAX;

        if (!used)
                return now_usec + BACKOFF_DEFAULT_BASE_USEC; /* out of memory: look again in a minute */
        /* Which sources any series reads: one pass over the series, not one per source. */
        for (size_t i = 0; i < c->n_series; i++) {
                size_t si = series_source_index(c, &c->series[i]);

                if (si != SIZE_MAX)
                        used[si] = true;
        }
        for (size_t si = 0; si < c->n_sources; si++) {
                const SourceDef *src = &c->sources[si];
                _cleanup_free_ char *err = NULL;
                SourceState st = {};

                if (!used[si])
                        continue;
                if (store_get_source_state(r->store, src->name, &st, &err) < 0) {
                        /* Unreadable state: try in a minute rather than now, so a broken store
                         * cannot turn the daemon into a loop hammering the providers. */
                        source_state_done(&st);
                        best = MIN(best, now_usec + BACKOFF_DEFAULT_BASE_USEC);
                        continue;
                }
                best = MIN(best, MAX(source_due_time(src, &st, now_usec), runner_not_before(r, src->name)));
                source_state_done(&st);
        }
        return best;
}

void source_runner_set_refresh(SourceRunner *r, bool refresh)
{
        if (r)
                r->refresh = refresh;
}

const SeriesFetchResult *source_runner_results(SourceRunner *r, size_t *ret_n)
{
        *ret_n = r->n_results;
        return r->results;
}
