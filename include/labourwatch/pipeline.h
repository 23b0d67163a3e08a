/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The fetch pipeline on the loop: config (which series, which source, when) + providers (source.h:
 * which requests, how to parse) + fetcher (fetch.h: the transfers) + store (store.h: observations,
 * fetch log, per-source state).
 *
 * Per source, its due series are fetched one after another (one request in flight per source:
 * polite to the provider); different sources run in parallel. Per series:
 *
 *   plan -> request -> (metadata -> plan -> request ->) data -> parse -> store in one transaction
 *
 * A series whose fetch fails — transport error, timeout, size cap, HTTP error, HTML instead of
 * data, an empty or malformed body, nothing matching the selection — stores NOTHING (its previous
 * observations stay as they are) and logs ONE error (LOG_EVENT_FETCH_FAILED, fields SOURCE=,
 * SERIES=, URL=, HTTP_STATUS=) naming the URL, the HTTP status and reason and the provider's own
 * message. Tokens are never logged: they travel only in the Authorization header.
 *
 * After a source's series are done, its SourceState (store key: the source name) is updated:
 * last_attempt, last_success, consecutive_failures, first_failure, last_error, next_due. A failed
 * run is retried after a capped exponential backoff with jitter (schedule.h: backoff_delay), or
 * after the server's Retry-After on 429/503 (the remaining series of that source are then not
 * attempted in this run). A source failing for longer than its stale_after logs
 * LOG_EVENT_SOURCE_STALE once per failure streak: that is the hook through which the alerting
 * module routes data problems to operations (RouteDef.data_problems).
 *
 * Conditional requests: per series (store key "SOURCE/SERIES/FINGERPRINT", the fingerprint a hash
 * of what decides the request, so an edited selection starts afresh) the ETag and Last-Modified of the
 * last stored data response are kept and sent as If-None-Match / If-Modified-Since; a 304 means
 * "unchanged": nothing is stored, and that is a success. For Statistikbank the tableinfo `updated`
 * of the last stored data fetch is kept too (remote_updated); an unchanged `updated` skips the data
 * request altogether. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "labourwatch/config.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"
#include "labourwatch/store.h"

typedef struct SourceRunner SourceRunner;
typedef void (*source_runner_done_t)(SourceRunner *r, unsigned n_ok, unsigned n_failed, void *userdata);

/* e: the loop; st: open store; c: config (must outlive the runner or be replaced via _set_config).
 * Returns 0 and *ret (caller owns; source_runner_free) or negative errno. */
int source_runner_new(sd_event *e, Store *st, const Config *c, SourceRunner **ret);
/* The same on the process's curl glue g (its loop is the runner's; the runner takes a reference), so
 * fetches and deliveries share one glue and one connection cache. */
typedef struct CurlGlue CurlGlue;
int source_runner_new_with_glue(CurlGlue *g, Store *st, const Config *c, SourceRunner **ret);
/* Cancels a run in progress (its done() is not called; nothing half-written is stored). */
SourceRunner *source_runner_free(SourceRunner *r);
static inline void source_runner_freep(SourceRunner **r) /* for _cleanup_ */
{
        source_runner_free(*r);
}
/* On reload. A run in progress is cancelled first (transfers aborted, nothing of the unfinished
 * series stored, no source state changed for unfinished sources) and its done() is called, on the
 * loop, with the counts so far; so the old Config may be freed as soon as this returns. */
int source_runner_set_config(SourceRunner *r, const Config *c);
/* Starts fetching every fetched series whose source is due at now_usec (realtime), or all when
 * force, or only the named series (NULL-terminated, may be NULL). Calls done() once, on the loop,
 * when all transfers finished. Returns 0, -EBUSY when a run is in progress, -ENOENT when a named
 * series is not defined, -EINVAL when it is a derived (not fetched) series. */
int source_runner_run(SourceRunner *r, uint64_t now_usec, bool force, char *const *only_series,
                      source_runner_done_t done, void *userdata);
/* Refresh mode (`labourwatch fetch --refresh`): requests are not conditional (no If-None-Match /
 * If-Modified-Since) and an unchanged Statbank `updated` stamp does not skip the data request, so
 * every series is downloaded in full. Off by default; applies to the following runs. */
void source_runner_set_refresh(SourceRunner *r, bool refresh);
/* Earliest time (realtime usec) at which some source is due next; UINT64_MAX if none. A time <=
 * now_usec means "due now". */
uint64_t source_runner_next_due(SourceRunner *r, uint64_t now_usec);

/* ---- what a run did, per series (for `labourwatch fetch` and tests) ---- */

typedef struct SeriesRevision {
        Period period;
        double old_value, new_value;
        bool old_missing, new_missing;
} SeriesRevision;

typedef struct SeriesFetchResult {
        char *series, *source;
        int error;           /* 0: ok; else negative errno */
        char *error_message; /* when error: URL, HTTP status and reason, provider's message */
        bool unchanged;      /* nothing new offered: 304, or Statbank `updated` unchanged */
        unsigned n_points;   /* points received and stored */
        Period *new_periods;
        size_t n_new_periods;
        SeriesRevision *revisions;
        size_t n_revisions;
        uint64_t bytes;         /* response bodies received (metadata and data requests) */
        uint64_t duration_usec; /* time spent waiting for those responses */
} SeriesFetchResult;

/* The results of the last run (complete after done()), in configuration order. Points into the
 * runner; valid until the next run or source_runner_free. */
const SeriesFetchResult *source_runner_results(SourceRunner *r, size_t *ret_n);

void series_fetch_result_done(SeriesFetchResult *r);

/* Compares a fetched series with what is stored (latest revisions): periods not stored before, and
 * periods whose value (or missing flag) changed. Pure. Fills ret's new_periods/revisions (caller
 * frees with series_fetch_result_done). Returns 0 or -ENOMEM. */
int pipeline_diff(const Series *stored, const Series *fetched, SeriesFetchResult *ret);

/* ---- ingest: one data response into the store ---- */

typedef struct IngestInput {
        const SourceDef *source;        /* its kind picks the provider */
        const SeriesDef *series;
        const ProviderMeta *meta;       /* from the metadata step; may be NULL */
        const SourceResponse *response; /* the data response (for import: the file's bytes) */
        const Series *stored;           /* the stored latest revisions, for the diff; NULL: loaded here */
        const char *provenance_source;  /* NULL: source->name ("import" for labourwatch import) */
        const char *url;                /* provenance URL (no secrets), may be NULL */
        int64_t fetched_at;             /* usec realtime */
} IngestInput;

/* What `labourwatch import` and the pipeline do with data: parse (the provider's parse_data) ->
 * check (at least one observation; the series' configured frequency) -> diff against what is stored
 * -> store in one transaction (store_put_series; joins an open store_begin() transaction). Fills
 * res's n_points, new_periods and revisions (the caller sets res->series and frees with
 * series_fetch_result_done) and *ret_stats (may be NULL). *ret_note (may be NULL) receives the
 * provider's debug note. Returns 0, or the provider's negative errno / -ENODATA / -EBADMSG /
 * the store's error, with a message in *ret_error ("storing failed: …" for the store); nothing is
 * stored then. */
int pipeline_ingest(Store *st, const IngestInput *in, SeriesFetchResult *res, StoreWriteStats *ret_stats,
                    char **ret_note, char **ret_error);

/* One line for people: "fleksjob_fuldtid: 2 new periods (2024M05, 2024M06), 1 revision (2024M04
 * 381 -> 384)", "…: unchanged", "…: no new periods", "…: error: MESSAGE". Caller owns. */
char *pipeline_format_result(const SeriesFetchResult *r);

/* When is a source due, given its stored state (pure)? A failing source: at st->next_due (its
 * retry time); otherwise schedule_next() from the last attempt. Clamped to now_usec when overdue. */
uint64_t source_due_time(const SourceDef *src, const SourceState *st, uint64_t now_usec);
