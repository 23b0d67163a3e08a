/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The notification channels' transfers on the sd-event loop, and what every delivery shares.
 *
 * The loop side is the protocol-neutral curl glue (curl-glue.h) that fetch.c uses too: SMTP and
 * webhook deliveries are easy handles it runs to completion without blocking the loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "notify-internal.h"

#define NOTIFY_TRANSCRIPT_MAX (16 * 1024)

struct NotifyLoop {
        CurlGlue *glue;
        sd_event *event;
        NotifyThreads *threads; /* made on the first delivery that needs one */
};

NotifyTokenCache *notify_loop_tokens(NotifyLoop *l)
{
        return notify_threads_tokens(l->threads);
}

sd_event *notify_loop_event(NotifyLoop *l)
{
        return l->event;
}

int notify_loop_new_with_glue(CurlGlue *g, NotifyLoop **ret)
{
        NotifyLoop *l;

        if (!g || !ret)
                return -EINVAL;
        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->glue = curl_glue_ref(g);
        l->event = curl_glue_get_event(l->glue);
        *ret = l;
        return 0;
}

int notify_loop_new(sd_event *e, NotifyLoop **ret)
{
        CurlGlue *g = NULL;
        int r;

        if (!e || !ret)
                return -EINVAL;
        r = curl_glue_new(e, &g);
        if (r < 0)
                return r;
        r = notify_loop_new_with_glue(g, ret);
        curl_glue_unref(g); /* the loop holds its own reference */
        return r;
}

NotifyLoop *notify_loop_free(NotifyLoop *l)
{
        if (!l)
                return NULL;
        notify_threads_free(l->threads);
        curl_glue_unref(l->glue);
        free(l);
        return NULL;
}

/* ---- what every delivery shares ---- */

void notify_send_transcript_add(NotifySend *s, const char *data, size_t size)
{
        if (s->transcript_size + size > NOTIFY_TRANSCRIPT_MAX)
                size = NOTIFY_TRANSCRIPT_MAX - MIN(s->transcript_size, (size_t) NOTIFY_TRANSCRIPT_MAX);
        if (size == 0 ||
            GREEDY_REALLOC(s->transcript, s->transcript_alloc, s->transcript_size + size + 1) < 0)
                return;
        memcpy(s->transcript + s->transcript_size, data, size);
        s->transcript_size += size;
        s->transcript[s->transcript_size] = 0;
}

NotifySend *notify_send_free(NotifySend *s)
{
        if (!s)
                return NULL;
        if (s->job) {
                notify_thread_cancel(s); /* freed when its thread is over */
                return NULL;
        }
        if (s->oauth) {
                notify_oauth_release(s, notify_loop_tokens(s->loop), false);
                notify_oauth_free(s->oauth);
        }
        if (s->easy) {
                curl_glue_remove(s->loop->glue, s->easy);
                curl_easy_cleanup(s->easy);
        }
        curl_slist_free_all(s->headers);
        curl_slist_free_all(s->rcpt);
        free(s->body);
        free(s->transcript);
        free(s->last_reply);
        free(s->current_reply);
        free(s->error_reply);
        sd_event_source_disable_unref(s->defer);
        sd_event_source_disable_unref(s->answer_timer);
        free(s->result.reply);
        free(s);
        return NULL;
}

void notify_send_cancel(NotifySend *s)
{
        notify_send_free(s);
}

#define SETOPT(easy, opt, val)                                                                              \
        do {                                                                                                \
                if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                                           \
                        goto fail;                                                                          \
        } while (0)

int notify_send_new(NotifyLoop *l, const NotifierDef *n, bool with_easy, notify_send_done_t done,
                    void *userdata, NotifySend **ret)
{
        NotifySend *s;
        uint64_t timeout = n->timeout_usec > 0 ? n->timeout_usec : UINT64_C(30) * USEC_PER_SEC;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->loop = l;
        s->timeout_usec = timeout;
        s->done = done;
        s->userdata = userdata;
        if (with_easy) {
                s->easy = curl_easy_init();
                if (!s->easy)
                        goto fail;
                SETOPT(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
                SETOPT(s->easy, CURLOPT_NOSIGNAL, 1L);
                SETOPT(s->easy, CURLOPT_NOPROGRESS, 1L);
                SETOPT(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
                       (long) MAX(MIN(timeout, UINT64_C(30) * USEC_PER_SEC) / USEC_PER_MSEC, UINT64_C(1)));
                SETOPT(s->easy, CURLOPT_TIMEOUT_MS, (long) MAX(timeout / 1000, UINT64_C(1)));
                SETOPT(s->easy, CURLOPT_SSL_VERIFYPEER, 1L);
                SETOPT(s->easy, CURLOPT_SSL_VERIFYHOST, 2L);
                SETOPT(s->easy, CURLOPT_USERAGENT, fetch_user_agent());
                if (n->ca_file)
                        SETOPT(s->easy, CURLOPT_CAINFO, n->ca_file);
        }
        *ret = s;
        return 0;
fail:
        notify_send_free(s);
        return -ENOMEM;
}

void notify_send_complete(NotifySend *s, int curl_code)
{
        NotifyResult r = {};

        s->finish(s, curl_code, &r);
        r.transcript = s->transcript;
        s->done(&r, s->userdata);
        free(r.reply);
        /* Off the loop already (the glue let go of it, or its thread is over): free it with s. */
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
        notify_send_free(s);
}

static void on_easy_done(CurlGlue *g, CURL *easy, CURLcode code, void *userdata)
{
        notify_send_complete(userdata, (int) code);
}

int notify_send_start(NotifySend *s)
{
        return curl_glue_add(s->loop->glue, s->easy, on_easy_done, s);
}

int notify_send_start_on_thread(NotifySend *s)
{
        int r;

        if (!s->loop->threads) {
                r = notify_threads_new(s->loop->event, &s->loop->threads);
                if (r < 0)
                        return r;
        }
        return notify_send_start_thread(s->loop->threads, s);
}

/* The receiver's answer is its status and headers; the body is for the log only. A receiver that
 * answers 200 and then sends a body without end (or stalls in it) must not turn a delivered notice
 * into a failed one that is sent again (issue 18 §5): the body is read for at most
 * NOTIFY_ANSWER_MAX bytes and NOTIFY_ANSWER_USEC after the headers, then the transfer is ended and
 * judged by the status (notify_send_answered()). */
#define NOTIFY_ANSWER_MAX NOTIFY_TRANSCRIPT_MAX
#define NOTIFY_ANSWER_USEC (2 * USEC_PER_SEC)

bool notify_send_answered(const NotifySend *s)
{
        return s->answered;
}

/* The body's time is up: end the transfer and judge it by the status. */
static int on_answer_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
        NotifySend *s = userdata;

        curl_glue_remove(s->loop->glue, s->easy);
        notify_send_complete(s, CURLE_WRITE_ERROR);
        return 0;
}

static size_t on_post_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        NotifySend *s = userdata;
        size_t n = size * nmemb;
        long status = 0;

        /* The empty line after the headers; a 1xx block is followed by the real one. */
        if (s->answered || !((n == 2 && ptr[0] == '\r' && ptr[1] == '\n') || (n == 1 && ptr[0] == '\n')))
                return n;
        (void) curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200)
                return n;
        s->answered = true;
        /* A timer, not a progress callback: libcurl's multi_socket calls nothing while a body
         * stalls. Failing to arm it costs only the wait for the transfer's timeout. */
        (void) sd_event_add_time_relative(s->loop->event, &s->answer_timer, CLOCK_MONOTONIC,
                                          NOTIFY_ANSWER_USEC, USEC_PER_SEC / 10, on_answer_timer, s);
        return n;
}

static size_t on_post_answer(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        NotifySend *s = userdata;

        /* keep the start of the answer for the log; a short count ends the transfer */
        notify_send_transcript_add(s, ptr, size * nmemb);
        return s->answered && s->transcript_size >= NOTIFY_ANSWER_MAX ? 0 : size * nmemb;
}

int notify_send_start_post(NotifySend *s, const char *url)
{
        struct curl_slist *h;

        /* No "Expect: 100-continue" round trip before the body. */
        h = curl_slist_append(s->headers, "Expect:");
        if (!h)
                return -ENOMEM;
        s->headers = h;
        SETOPT(s->easy, CURLOPT_URL, url);
        SETOPT(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
        SETOPT(s->easy, CURLOPT_POST, 1L);
        SETOPT(s->easy, CURLOPT_POSTFIELDS, s->body);
        SETOPT(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) s->size);
        SETOPT(s->easy, CURLOPT_HTTPHEADER, s->headers);
        SETOPT(s->easy, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would turn the POST into a GET */
        SETOPT(s->easy, CURLOPT_WRITEFUNCTION, on_post_answer);
        SETOPT(s->easy, CURLOPT_WRITEDATA, s);
        SETOPT(s->easy, CURLOPT_HEADERFUNCTION, on_post_header);
        SETOPT(s->easy, CURLOPT_HEADERDATA, s);
        return notify_send_start(s);
fail:
        return -EIO;
}
