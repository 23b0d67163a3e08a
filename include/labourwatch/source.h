/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Providers: bytes in, observations out. One Provider per SourceKind (daemon/sources/source-statbank.c,
 * source-jobindsats.c, source-csv.c, source-jsonstat.c). A provider decides which HTTP request(s)
 * to make for a SeriesDef and turns each response body into metadata or a Series. It does no I/O,
 * never logs, never reads the clock; the fetch pipeline (pipeline.h) performs the transfers, logs
 * with the URL, and stores the result.
 *
 * The pipeline, per fetched series (or per table; metadata may be shared by series of the same
 * source + table + selection):
 *
 *     ProviderMeta *meta = NULL;
 *     for (;;) {
 *             SourceRequest req = {};
 *             r = p->plan(&(SourcePlanContext){ src, def, meta, remote_updated, force, since },
 *                         &req, &error);
 *             if (r < 0)                      -> fail with error
 *             if (r == SOURCE_PLAN_UNCHANGED) -> done: the table did not change, nothing to store
 *             fetch req (Authorization from source_auth_header() when req.auth != SOURCE_AUTH_NONE)
 *             if (source_body_is_html(...))   -> fail ("HTML instead of data", even with 200)
 *             if (req.step == SOURCE_STEP_METADATA) {
 *                     r = p->parse_metadata(src, def, &resp, &meta, &error);   -> loop again
 *             } else {
 *                     r = p->parse_data(src, def, meta, &resp, &series, &note, &error);
 *                     store series; remember provider_meta_updated(meta) as remote_updated; done
 *             }
 *     }
 *
 * Statistikbank: tableinfo (METADATA) -> data (DATA), or UNCHANGED when tableinfo's `updated`
 * equals remote_updated. Jobindsats: table metadata (METADATA) -> data (DATA). CSV and JSON-stat:
 * DATA directly (plan with meta == NULL already returns the data request).
 *
 * parse_* refuse an error message sent with status 200 (-EREMOTEIO, the provider's text quoted:
 * Jobindsats answers a wrong key with {"Forkert nøgle eller nøglen er udløbet.": ""}), never taking
 * it for an empty table. parse_* also accept non-2xx responses: they then fail with the provider's own error quoted
 * verbatim (Statbank 400 {errorTypeCode,message} -> "HTTP 400: REQUEST-LIMIT: Forespørgslen på …"),
 * so the pipeline may simply pass every response it got. Transport failures (resp.status == 0)
 * are the pipeline's to report.
 *
 * Error convention: functions return 0 (or a SOURCE_PLAN_* value) on success, negative errno on
 * failure; on failure *ret_error (when ret_error is non-NULL) receives a malloc'd, English,
 * human-readable message the caller owns and logs together with the URL. It never contains a
 * secret. Codes used:
 *     -EREMOTEIO  the provider answered with an error status (message quotes its body)
 *     -EPROTO     HTML or another non-data document where data was expected
 *     -EBADMSG    malformed body (truncated JSON, bad number, bad period, structure errors);
 *                 the message names URL:LINE(:COL) for CSV, the JSON position or key otherwise
 *     -ENODATA    no observations: zero bytes, header only, no row matches the selection
 *     -ENOENT     a selection value/dimension/measure/column is unknown, or a JSON-stat dimension
 *                 is left open by the selection (message lists candidates / categories)
 *     -EINVAL     the SeriesDef/SourceDef cannot be served (e.g. missing table)
 *     -ENOMEM
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/series.h"

/* Provider-owned metadata for one series: Statbank tableinfo (resolved value codes and texts,
 * `updated`), Jobindsats table metadata (resolved value_ids, period ids). Opaque; created by
 * Provider.parse_metadata, freed with provider_meta_free(). It copies what it needs and does not
 * point into the response body or the SeriesDef. */
typedef struct ProviderMeta ProviderMeta;

ProviderMeta *provider_meta_free(ProviderMeta *m);
/* Statbank: tableinfo's "updated" ("2024-12-17T08:00:00", Danish local time, as sent). NULL when
 * meta is NULL or the provider has no such notion. Points into meta. */
const char *provider_meta_updated(const ProviderMeta *m);

typedef enum SourceStep {
        SOURCE_STEP_METADATA, /* the response goes to parse_metadata */
        SOURCE_STEP_DATA,     /* the response goes to parse_data */
        _SOURCE_STEP_MAX,
        _SOURCE_STEP_INVALID = -EINVAL,
} SourceStep;

typedef enum SourceAuth {
        SOURCE_AUTH_NONE,
        SOURCE_AUTH_BEARER, /* Jobindsats v3: "Authorization: Bearer <token>" */
        SOURCE_AUTH_RAW,    /* Jobindsats v2: "Authorization: <token>" (no scheme) */
        _SOURCE_AUTH_MAX,
        _SOURCE_AUTH_INVALID = -EINVAL,
} SourceAuth;

const char *source_step_to_string(SourceStep s); /* "metadata", "data" */
SourceStep source_step_from_string(const char *s);
const char *source_auth_to_string(SourceAuth a); /* "none", "bearer", "raw" */
SourceAuth source_auth_from_string(const char *s);

/* What to fetch next. Filled by Provider.plan; the caller owns url and body (source_request_done).
 * content_type and accept point to static strings. */
typedef struct SourceRequest {
        SourceStep step;
        char *url;                /* absolute: http(s):// or file:// (plain csv paths become file://) */
        char *body;               /* NULL: GET; else POST this (UTF-8 JSON for Statbank) */
        const char *content_type; /* of body; NULL for GET */
        const char *accept;       /* Accept header, may be NULL */
        SourceAuth auth;          /* whether and how to send the source's token */
} SourceRequest;

void source_request_done(SourceRequest *r); /* frees url and body, zeroes *r; NULL-safe */

/* The Authorization header value for a token: "Bearer <t>" or "<t>". Returns 0, -EINVAL for
 * SOURCE_AUTH_NONE or an empty token, -ENOMEM. Caller owns *ret and should wipe it (explicit_bzero)
 * before freeing; never log it. */
int source_auth_header(SourceAuth a, const char *token, char **ret);

typedef struct SourcePlanContext {
        const SourceDef *source;    /* required */
        const SeriesDef *series;    /* required; series->source_def is not consulted */
        const ProviderMeta *meta;   /* NULL before the metadata step */
        const char *remote_updated; /* SourceState.remote_updated of the last stored data fetch */
        bool force;                 /* fetch data even if metadata says unchanged */
        const Period *since;        /* first period wanted (re-fetch a few trailing periods, as
                                     * tables are revised); NULL: everything available */
} SourcePlanContext;

/* Positive results of Provider.plan. */
enum {
        SOURCE_PLAN_REQUEST = 1,   /* *ret_request is filled: fetch it */
        SOURCE_PLAN_UNCHANGED = 2, /* Statbank `updated` == remote_updated: skip the data step,
                                    * *ret_request untouched */
};

/* A response as the provider sees it. Nothing here is owned by the provider; body need not be
 * NUL-terminated (providers never read past size). */
typedef struct SourceResponse {
        const char *url;          /* for error messages ("URL:LINE:COL"); file:// shown as path */
        long status;              /* HTTP status; file:// gives 200 */
        const char *content_type; /* may be NULL */
        const char *body;
        size_t size;
        bool sent_bearer; /* the request carried "Authorization: Bearer …" (then no "v3 requires
                           * Bearer" hint: the key itself is wrong or expired) */
} SourceResponse;

typedef struct Provider {
        SourceKind kind;
        const char *name; /* "statbank", … */

        /* Decides the next request. Returns SOURCE_PLAN_REQUEST (fills *ret_request; caller owns it),
         * SOURCE_PLAN_UNCHANGED, or negative errno with *ret_error. */
        int (*plan)(const SourcePlanContext *ctx, SourceRequest *ret_request, char **ret_error);

        /* Parses a METADATA response and resolves the series' selection against it (texts ->
         * codes; unknown value -> -ENOENT naming table, variable and value, with a few candidates).
         * On success *ret_meta is a new ProviderMeta (caller owns; provider_meta_free). NULL for
         * providers without a metadata step. */
        int (*parse_metadata)(const SourceDef *src, const SeriesDef *def, const SourceResponse *resp,
                              ProviderMeta **ret_meta, char **ret_error);

        /* Parses a DATA response into a new Series named def->name (caller owns; series_free):
         * only the rows/cells matching the selection, sorted, unique periods; a repeated period
         * is an error. meta may be NULL (then codes/texts are matched as written). *ret_note (may
         * be NULL) receives a short malloc'd "what I saw" line for debug logging (format details
         * such as "BOM, CRLF, decimal comma, 2 of 240 rows matched"). */
        int (*parse_data)(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                          const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error);
} Provider;

/* The provider for a kind, or NULL for an invalid kind. Static; never freed. */
const Provider *provider_for(SourceKind kind);

/* ---- helpers the pipeline (and the providers) share ---- */

/* True when the body is an HTML (or other markup) document rather than data: Content-Type
 * text/html or application/xhtml+xml, or a body that starts (after BOM/whitespace) with
 * "<!DOCTYPE html", "<html", "<head" or "<body" — also with status 200 (captive portals,
 * maintenance pages). */
bool source_body_is_html(const char *body, size_t size, const char *content_type);

/* The provider's own text when the body is an error message rather than data, whatever the status:
 * Statbank {"errorTypeCode","message"}, Jobindsats {"Forkert nøgle eller nøglen er udløbet.": ""},
 * JSON-stat {"class":"error"}, {"message"/"error"/"detail"/"title": …} without data members, a bare
 * JSON string. NULL for data (or on OOM). Bodies over 64 KiB are taken for data. Caller owns. */
char *source_body_error_text(const SourceResponse *resp);

/* True when the body is zero bytes or only whitespace / a BOM. */
bool source_body_is_empty(const char *body, size_t size);

/* A one-line description of an error response for logs: "HTTP 400: REQUEST-LIMIT: <message>"
 * (Statbank), "HTTP 401: <message/detail/title>" (Jobindsats JSON), "HTTP 404 (text/html): <title>"
 * or the first line of a text body, truncated to ~300 bytes, control characters replaced. Returns
 * a malloc'd string (caller owns) or NULL on OOM. */
char *source_describe_error(SourceKind kind, const SourceResponse *resp);

/* Canonical selection for provenance: the selection items sorted by dimension, as "DIM=value"
 * joined with ",", where value is the resolved code when meta resolved it (Statbank code,
 * Jobindsats value_id) and the configured value otherwise; then "measure=…" (Jobindsats/JSON-stat)
 * and "column=…" (CSV) when set. "OMRÅDE=163,YDELSESTYPE=FLEKS". Returns 0 and *ret (caller owns;
 * "" for an empty selection) or -ENOMEM. */
int source_selection_string(const SeriesDef *def, const ProviderMeta *meta, char **ret);

/* Parses a period as providers write it: codes accepted by period_parse() (2024, 2024H1, 2024K2,
 * 2024Q2, 2024M06, 2024QMAT02) and Eurostat/ISO forms 2024-06, 2024-Q2, 2024-S1/2024-H1,
 * 2024-06-30 (a date: the period of frequency `date_freq` containing it; month when date_freq is
 * invalid or QMAT). s need not be NUL-terminated. Returns 0 or -EINVAL. */
int source_parse_period(const char *s, size_t len, PeriodFreq date_freq, Period *ret);
