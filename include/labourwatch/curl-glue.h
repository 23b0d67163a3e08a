/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* libcurl's multi interface driven by an sd-event loop (model: systemd's src/import/curl-util.c).
 * Protocol-neutral: it runs any CURL easy handle to completion (HTTP in fetch.c, SMTP and webhooks
 * in the notifiers) and never blocks the loop. It knows nothing of headers, bodies or statuses.
 *
 * How it works: curl tells the glue which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to
 * wake it (CURLMOPT_TIMERFUNCTION); the glue turns both into sd-event I/O and CLOCK_MONOTONIC timer
 * sources and hands readiness back with curl_multi_socket_action(). Finished transfers are
 * collected with curl_multi_info_read() and reported to the callback given with the handle.
 *
 * Ownership rules:
 *  - The CurlGlue is reference-counted: whoever creates it or takes a ref unrefs it; several
 *    clients (the Fetcher, the outbox) may share one glue and so one connection cache.
 *  - The caller creates, configures and owns every easy handle, before, during and after the
 *    transfer; the glue never frees one. The glue uses the handle's CURLOPT_PRIVATE for its own
 *    bookkeeping: callers must not set or read it (keep your context in the callback's userdata).
 *  - curl_glue_add() hands the handle to the loop. Exactly one of these then happens: the transfer
 *    finishes and the callback runs once, on the loop (the handle is already removed from the multi
 *    handle when it runs, so the callback may curl_easy_cleanup() it, reuse it with curl_glue_add(),
 *    add other handles, or curl_glue_remove() other handles); or the caller calls
 *    curl_glue_remove() first, and the callback never runs.
 *  - Strings and buffers the easy handle points to (CURLOPT_ERRORBUFFER, POST bodies, header lists,
 *    read/write callback data) must stay valid until the callback ran or curl_glue_remove()
 *    returned.
 *  - Remove (or let finish) every handle before the last unref: the last unref detaches handles
 *    still in flight without calling their callbacks, and their owners still have to free them. */

#include <stdbool.h>

#include <curl/curl.h>
#include <systemd/sd-event.h>

typedef struct CurlGlue CurlGlue;

/* Runs once when the transfer of easy is over: result is CURLE_OK or why it failed (the details in
 * the handle's CURLOPT_ERRORBUFFER, if the caller set one). Read what you need with
 * curl_easy_getinfo(). */
typedef void (*curl_glue_done_t)(CurlGlue *g, CURL *easy, CURLcode result, void *userdata);

/* A new glue on loop e (a ref is taken on e). Initialises libcurl's global state on first use.
 * Returns 0 and *ret (one reference, the caller's), -ENOMEM or -EIO. */
int curl_glue_new(sd_event *e, CurlGlue **ret);
CurlGlue *curl_glue_ref(CurlGlue *g);
/* Drops a reference; the last one frees the glue (see the ownership rules). NULL-safe; returns NULL. */
CurlGlue *curl_glue_unref(CurlGlue *g);

/* Starts easy's transfer on the loop; done(g, easy, result, userdata) runs when it is over.
 * Returns 0, -EEXIST when easy is already in flight here, -ENOMEM, or -EIO (curl refused it). */
int curl_glue_add(CurlGlue *g, CURL *easy, curl_glue_done_t done, void *userdata);
/* Cancels easy's transfer: its callback will not run. A no-op when easy is not in flight here.
 * The caller still owns easy. */
void curl_glue_remove(CurlGlue *g, CURL *easy);
/* Transfers added and not yet finished or removed. */
unsigned curl_glue_in_flight(const CurlGlue *g);

sd_event *curl_glue_get_event(const CurlGlue *g);

/* A negative errno for a curl result, for messages and retry decisions: -ETIMEDOUT, -ECONNREFUSED,
 * -EHOSTUNREACH (name resolution), -EPIPE (connection dropped), -EPROTO (TLS), -EACCES (login
 * denied), -ENOMEM, -EINVAL (bad URL), -EPROTONOSUPPORT, -ELOOP (redirects), -EFBIG (size limit),
 * -ENOENT (file://), -EIO for everything else; 0 for CURLE_OK. */
int curl_glue_code_to_errno(CURLcode c);

/* libcurl's global state: the first curl_glue_new() initialises it; programs call this once at exit
 * (after the last unref) so valgrind sees no leaks of ours. */
void curl_glue_global_done(void);
