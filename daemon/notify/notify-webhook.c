/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Webhook: POST of the notice as JSON (packaging/docs/webhook.md; installed in /usr/share/doc/labourwatch), or a Microsoft Teams Workflows message
 * (format: teams). Signed with X-Labourwatch-Signature: t=<unix>,v1=<hex HMAC-SHA256(key,
 * "<t>.<body>")> when the notifier has a secret, so a receiver can reject forgeries and (with the
 * timestamp) replays. 2xx is delivered; 408, 429, 5xx and transport failures are retried; any
 * other status is a permanent failure. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "notify-internal.h"


static void webhook_finish(NotifySend *s, int curl_code, NotifyResult *r)
{
        long status = 0;
        struct curl_header *h = NULL;
        _cleanup_free_ char *answer = NULL;

        (void) curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        r->code = status;
        if (curl_code != CURLE_OK && !notify_send_answered(s)) {
                r->reply = strdup(s->errbuf[0] ? s->errbuf : curl_easy_strerror((CURLcode) curl_code));
                return;
        }
        if (curl_easy_header(s->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h &&
            h->value) {
                uint64_t d;

                if (fetch_parse_retry_after(h->value, now(CLOCK_REALTIME), &d) >= 0)
                        r->retry_after_usec = d;
        }
        if (s->transcript) {
                answer = strndup(s->transcript, 512);
                for (char *q = answer; q && *q; q++)
                        if ((unsigned char) *q < 0x20 || *q == 0x7f)
                                *q = ' ';
        }
        r->reply = strdup_printf("HTTP %ld %s%s%s", status, fetch_status_reason(status),
                                 answer && *answer ? ": " : "", strempty(answer));
        r->ok = status >= 200 && status < 300;
        r->permanent = !r->ok && status >= 400 && status < 500 && status != 408 && status != 429;
}

static int add_header(NotifySend *s, const char *name, const char *value)
{
        _cleanup_free_ char *h = NULL;
        struct curl_slist *l;

        if (strpbrk(value, "\r\n"))
                return -EINVAL;
        h = strdup_printf("%s: %s", name, value);
        if (!h || !(l = curl_slist_append(s->headers, h)))
                return -ENOMEM;
        s->headers = l;
        return 0;
}

static int webhook_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                        notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error)
{
        const char *body = n->format == WEBHOOK_TEAMS ? m->teams : m->json;
        _cleanup_free_ char *sig = NULL;
        NotifySend *s = NULL;
        int r;

        if (!n->url || !body) {
                *ret_error = strdup_printf("notifier '%s': no url, or nothing to send", n->name);
                return -EINVAL;
        }
        if (n->secret.file || n->secret.credential) {
                char *key = NULL;

                r = secret_read(&n->secret, &key);
                if (r < 0) {
                        *ret_error = strdup_printf("notifier '%s': cannot read the webhook secret: %s",
                                                   n->name, strerror(-r));
                        return r;
                }
                sig = notify_webhook_signature(key, strlen(key), now_usec / USEC_PER_SEC, body);
                explicit_bzero(key, strlen(key));
                free(key);
                if (!sig)
                        return -ENOMEM;
        }

        r = notify_send_new(l, n, true, done, userdata, &s);
        if (r < 0)
                return r;
        s->finish = webhook_finish;
        s->body = strdup(body);
        if (!s->body) {
                r = -ENOMEM;
                goto fail;
        }
        s->size = strlen(body);
        r = add_header(s, "Content-Type", "application/json");
        if (r >= 0 && m->key)
                r = add_header(s, "X-Labourwatch-Key", m->key);
        if (r >= 0 && sig)
                r = add_header(s, "X-Labourwatch-Signature", sig);
        if (r < 0)
                goto fail;

        r = notify_send_start_post(s, n->url);
        if (r < 0)
                goto fail;
        if (ret)
                *ret = s;
        return 0;

fail:
        if (!*ret_error)
                *ret_error =
                        strdup_printf("notifier '%s': cannot set up the request: %s", n->name, strerror(-r));
        notify_send_free(s);
        return r;
}

const NotifyChannel notify_channel_webhook = {
        .kind = NOTIFIER_WEBHOOK,
        .send = webhook_send,
};
