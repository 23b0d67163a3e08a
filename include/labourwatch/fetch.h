/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* HTTP(S)/file requests on the sd-event loop: the request options (timeouts, redirects, TLS,
 * headers) and the response (body collected in memory and capped while it streams in, status,
 * reason phrase, ETag, Last-Modified, Retry-After). The transfers run on the protocol-neutral
 * libcurl-multi <-> sd-event glue of curl-glue.h, which other transfers (SMTP, webhooks) share.
 * Never blocks the loop. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "labourwatch/curl-glue.h"

typedef struct Fetcher Fetcher;

typedef struct FetchRequest {
        const char *url;            /* http://, https:// or file:// */
        const char *body;           /* NULL: GET; else POST with this body */
        const char *content_type;   /* for POST; default application/json */
        const char *authorization;  /* full header value ("Bearer …"); never logged */
        const char *accept;         /* Accept header, may be NULL */
        const char *ca_file;        /* extra CA bundle; verification is always on */
        const char *if_none_match;  /* ETag from the last response, may be NULL */
        const char *if_modified_since; /* Last-Modified from the last response, may be NULL */
        uint64_t connect_timeout_usec; /* 0: default 30 s */
        uint64_t timeout_usec;         /* 0: default 300 s */
        uint64_t max_size;             /* 0: default 64 MiB */
} FetchRequest;

typedef struct FetchResponse {
        int error;              /* 0, or negative errno-style code for transport failures */
        char *error_message;    /* curl's message or ours ("response exceeds 67108864 bytes"); no secrets */
        long status;            /* HTTP status; 0 if none; file:// gives 200 */
        char *body;             /* NUL-terminated, may contain NULs; owned by the response */
        size_t size;
        char *content_type;
        char *etag;
        char *last_modified;
        uint64_t retry_after_usec; /* from Retry-After (seconds or HTTP-date); 0 if none */
        char *effective_url;
        char *reason;           /* HTTP reason phrase ("Too Many Requests"); from the status line, or
                                 * the standard phrase when the server sent none (HTTP/2); NULL
                                 * without a status */
} FetchResponse;

/* Called once per request on the loop. The response is freed after the callback returns. */
typedef void (*fetch_callback_t)(Fetcher *f, const FetchResponse *r, void *userdata);

/* A fetcher with a glue of its own on loop e. Returns 0 and *ret (caller owns; fetcher_free). */
int fetcher_new(sd_event *e, Fetcher **ret);
/* A fetcher whose transfers run on the shared glue g (a reference is taken; g may be unreffed by
 * the caller afterwards). */
int fetcher_new_with_glue(CurlGlue *g, Fetcher **ret);
Fetcher *fetcher_free(Fetcher *f); /* cancels outstanding requests without calling callbacks */

/* Starts a request; the request's strings are copied. Returns 0 or negative errno. */
int fetcher_start(Fetcher *f, const FetchRequest *req, fetch_callback_t cb, void *userdata);
unsigned fetcher_in_flight(const Fetcher *f);

const char *fetch_user_agent(void); /* "labourwatch/VERSION" */

/* libcurl's global state: the first glue initialises it; programs call fetch_global_done() (same as
 * curl_glue_global_done()) once at exit, after freeing every Fetcher and glue, so valgrind sees no
 * leaks of ours. */
void fetch_global_done(void);

/* Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00
 * GMT", via curl_getdate), relative to now_usec (realtime). A date in the past gives 0. Returns 0
 * and *ret_usec (a duration), or -EINVAL. Pure apart from curl_getdate. */
int fetch_parse_retry_after(const char *value, uint64_t now_usec, uint64_t *ret_usec);

/* Standard reason phrase for an HTTP status ("Not Found"), or "" when unknown. */
const char *fetch_status_reason(long status);
