/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared by the channel implementations (notify-smtp.c, notify-webhook.c, notify-directory.c) and
 * the curl glue (notify-loop.c). Not a public interface. */

#include <curl/curl.h>

#include "labourwatch/notify.h"

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
        NotifyResult result;     /* directory: the outcome to report */
        void (*finish)(NotifySend *s, int curl_code, NotifyResult *r);
        notify_send_done_t done;
        void *userdata;
};

/* Allocates a NotifySend with an easy handle (when with_easy) and the common options set (error
 * buffer, no signals, timeouts from n, TLS verification on, ca_file). */
int notify_send_new(NotifyLoop *l, const NotifierDef *n, bool with_easy, notify_send_done_t done,
                    void *userdata, NotifySend **ret);
NotifySend *notify_send_free(NotifySend *s);
/* Hands s to the loop; on completion s->finish classifies and s->done is called, then s is freed. */
int notify_send_start(NotifySend *s);
/* Starts s as an HTTP(S) POST of s->body (s->size bytes) with s->headers to url, redirects not
 * followed, the answer kept in the transcript (webhook, alertmanager). Returns 0 or negative errno. */
int notify_send_start_post(NotifySend *s, const char *url);
sd_event *notify_loop_event(NotifyLoop *l);
/* Appends to s->transcript, keeping at most 16 KiB. */
void notify_send_transcript_add(NotifySend *s, const char *data, size_t size);
