/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared by the channel implementations (notify-smtp.c, notify-webhook.c, notify-directory.c) and
 * the curl glue (notify-loop.c). Not a public interface. */

#include <curl/curl.h>

#include "labourwatch/notify.h"

typedef struct NotifyJob NotifyJob;
typedef struct NotifyThreads NotifyThreads;
typedef struct NotifyOAuth NotifyOAuth;
typedef struct NotifyTokenCache NotifyTokenCache;

struct NotifySend {
        NotifyLoop *loop;
        CURL *easy;
        struct curl_slist *headers, *rcpt;
        char *body;              /* what is uploaded (SMTP) or posted (webhook) */
        size_t size, offset;
        char errbuf[CURL_ERROR_SIZE];
        char *transcript;        /* SMTP: the server's reply lines; webhook: the response body */
        size_t transcript_size, transcript_alloc;
        char *last_reply;        /* SMTP: the last complete reply ("250 2.0.0 Ok: queued") */
        char *current_reply;     /* SMTP: the reply being read (multi-line) */
        char *error_reply;       /* SMTP: the last 4xx/5xx reply */
        sd_event_source *defer;  /* directory: completion on the loop */
        uint64_t timeout_usec;   /* the notifier's timeout (default 30 s) */
        long response_code;      /* on a thread: CURLINFO_RESPONSE_CODE, read before the handle went */
        NotifyJob *job;          /* on a thread (SMTP): in flight there, see notify-thread.c */
        NotifyOAuth *oauth;      /* SMTP with auth: oauth2: the token request (notify-oauth.c) */
        bool answered;           /* HTTP: the final status and headers are in */
        sd_event_source *answer_timer; /* HTTP: ends the body's read NOTIFY_ANSWER_USEC after them */
        NotifyResult result;     /* directory: the outcome to report */
        void (*finish)(NotifySend *s, int curl_code, NotifyResult *r);
        notify_send_done_t done;
        void *userdata;
};

/* Allocates a NotifySend with an easy handle (when with_easy) and the common options set (error
 * buffer, no signals, timeouts from n, TLS verification on, ca_file). */
int notify_send_new(NotifyLoop *l, const NotifierDef *n, bool with_easy, notify_send_done_t done,
                    void *userdata, NotifySend **ret);
/* Frees s; a delivery still in flight is cancelled (on a thread: cut, and freed when the thread is
 * over). */
NotifySend *notify_send_free(NotifySend *s);
/* Hands s to the loop; on completion s->finish classifies and s->done is called, then s is freed. */
int notify_send_start(NotifySend *s);
/* The same, but s->easy runs with curl_easy_perform() on a thread of its own, cut by the loop
 * s->timeout_usec plus a grace after the start or when cancelled (notify-thread.c). For protocols
 * whose libcurl code blocks (SMTP). When s->finish runs, s->easy is gone: read s->response_code. */
int notify_send_start_on_thread(NotifySend *s);
/* Classifies (s->finish), calls s->done and frees s: the end of every delivery. */
void notify_send_complete(NotifySend *s, int curl_code);

/* notify-thread.c: the threads of a NotifyLoop. _free cuts every transfer, joins the threads and
 * frees their deliveries without calling back. */
int notify_threads_new(sd_event *e, NotifyThreads **ret);
NotifyThreads *notify_threads_free(NotifyThreads *t);
int notify_send_start_thread(NotifyThreads *t, NotifySend *s);
/* The token cache the threads share (created with them); NULL for NULL. */
NotifyTokenCache *notify_threads_tokens(NotifyThreads *t);
/* On j's thread: gives easy the job's socket and progress callbacks, so that the loop's deadline
 * and a cancel cut it too. Returns 0 or -EIO. */
int notify_job_attach(NotifyJob *j, CURL *easy);
/* Cuts s's transfer; s is freed once its thread is over, its done is never called. */
void notify_thread_cancel(NotifySend *s);
/* Starts s as an HTTP(S) POST of s->body (s->size bytes) with s->headers to url, redirects not
 * followed, the answer kept in the transcript (webhook, alertmanager). Returns 0 or negative errno. */
int notify_send_start_post(NotifySend *s, const char *url);
/* HTTP: the final status and headers arrived. The status is the receiver's answer then, whatever
 * became of the body (cut at 16 KiB or 2 s after the headers, or broken off): the finish functions
 * judge by it instead of the transfer's result. */
bool notify_send_answered(const NotifySend *s);
sd_event *notify_loop_event(NotifyLoop *l);
/* Appends to s->transcript, keeping at most 16 KiB. */
void notify_send_transcript_add(NotifySend *s, const char *data, size_t size);

/* notify-oauth.c: XOAUTH2 tokens (client-credentials grant). A NotifyTokenCache is shared by the
 * delivery threads, under its own lock. */
int notify_token_cache_new(NotifyTokenCache **ret);
NotifyTokenCache *notify_token_cache_free(NotifyTokenCache *c);
/* On the loop: the token request of n (auth: oauth2), its client secret read (and registered with
 * the scrubber). Returns 0 with *ret (caller owns, notify_oauth_free), or -errno with *ret_error. */
int notify_oauth_new(const NotifierDef *n, NotifyOAuth **ret, char **ret_error);
NotifyOAuth *notify_oauth_free(NotifyOAuth *o);
/* On s's thread, before the transfer: a token from cache or from the endpoint (blocking, cut with
 * the job), set as s->easy's CURLOPT_XOAUTH2_BEARER. Returns 0, or -errno with the reason kept for
 * notify_oauth_failed(). Never logs. */
int notify_oauth_prepare(NotifySend *s, NotifyTokenCache *cache);
/* Whether getting the token failed; then the root cause and fix (static, NULL when retrying may
 * help) and what happened (valid as long as s). */
bool notify_oauth_failed(const NotifySend *s, const char **ret_cause, const char **ret_fix, const char **ret_error);
/* On the loop, once s's thread is over and before its result is logged: registers the token it
 * used with the scrubber; refused (the server refused the login with it): drops it from the cache. */
void notify_oauth_release(NotifySend *s, NotifyTokenCache *cache, bool refused);
/* The loop's token cache, NULL before its first thread. */
NotifyTokenCache *notify_loop_tokens(NotifyLoop *l);
