/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Curl multi on the sd-event loop for the notification channels, and what every delivery shares.
 *
 * The same pattern as fetch.c (and systemd's curl-util.c): curl tells us which sockets to watch and
 * when to wake it; we translate both into sd-event sources and hand readiness back with
 * curl_multi_socket_action(). It drives any easy handle, so SMTP and HTTP deliveries share it.
 * Nothing here blocks the loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "notify-internal.h"

#define NOTIFY_TRANSCRIPT_MAX (16 * 1024)

typedef struct Watch Watch;
struct Watch {
        NotifyLoop *loop;
        sd_event_source *source;
        Watch *next, *prev;
};

typedef struct Entry Entry;
struct Entry {
        CURL *easy;
        notify_loop_done_t done;
        void *userdata;
        Entry *next, *prev;
};

struct NotifyLoop {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        Watch *watches;
        Entry *entries;
        unsigned n_entries;
};

sd_event *notify_loop_event(NotifyLoop *l)
{
        return l->event;
}

unsigned notify_loop_in_flight(const NotifyLoop *l)
{
        return l ? l->n_entries : 0;
}

static void entry_unlink(NotifyLoop *l, Entry *e)
{
        if (e->prev)
                e->prev->next = e->next;
        else
                l->entries = e->next;
        if (e->next)
                e->next->prev = e->prev;
        l->n_entries--;
}

static void check_done(NotifyLoop *l)
{
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(l->multi, &left))) {
                Entry *e = NULL;
                CURLcode code;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                code = msg->data.result;
                if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &e) != CURLE_OK || !e)
                        continue;
                entry_unlink(l, e);
                (void) curl_multi_remove_handle(l->multi, e->easy);
                e->done(l, e->easy, (int) code, e->userdata);
                free(e);
        }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        NotifyLoop *l = userdata;
        int action = 0, k = 0;

        if (revents & (EPOLLIN | EPOLLPRI))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;
        (void) curl_multi_socket_action(l->multi, fd, action, &k);
        check_done(l);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        NotifyLoop *l = userdata;
        int k = 0;

        (void) curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &k);
        check_done(l);
        return 0;
}

static void watch_free(Watch *w)
{
        NotifyLoop *l = w->loop;

        if (w->prev)
                w->prev->next = w->next;
        else
                l->watches = w->next;
        if (w->next)
                w->next->prev = w->prev;
        sd_event_source_disable_unref(w->source);
        free(w);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
        NotifyLoop *l = userp;
        Watch *w = socketp;
        uint32_t events = 0;
        int r;

        if (action == CURL_POLL_REMOVE) {
                if (w) {
                        (void) curl_multi_assign(l->multi, fd, NULL);
                        watch_free(w);
                }
                return 0;
        }
        if (action == CURL_POLL_IN)
                events = EPOLLIN;
        else if (action == CURL_POLL_OUT)
                events = EPOLLOUT;
        else if (action == CURL_POLL_INOUT)
                events = EPOLLIN | EPOLLOUT;

        if (w) {
                if (sd_event_source_set_io_events(w->source, events) < 0 ||
                    sd_event_source_set_enabled(w->source, SD_EVENT_ON) < 0)
                        return -1;
                return 0;
        }
        w = calloc(1, sizeof(*w));
        if (!w)
                return -1;
        w->loop = l;
        r = sd_event_add_io(l->event, &w->source, fd, events, on_io, l);
        if (r < 0) {
                free(w);
                return -1;
        }
        (void) sd_event_source_set_description(w->source, "notify-io");
        if (curl_multi_assign(l->multi, fd, w) != CURLM_OK) {
                sd_event_source_disable_unref(w->source);
                free(w);
                return -1;
        }
        w->next = l->watches;
        if (w->next)
                w->next->prev = w;
        l->watches = w;
        return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
        NotifyLoop *l = userp;
        uint64_t now, when;

        if (timeout_ms < 0) {
                if (l->timer)
                        (void) sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
                return 0;
        }
        if (sd_event_now(l->event, CLOCK_MONOTONIC, &now) < 0)
                return -1;
        when = now + (uint64_t) timeout_ms * UINT64_C(1000);
        if (l->timer) {
                if (sd_event_source_set_time(l->timer, when) < 0 ||
                    sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT) < 0)
                        return -1;
                return 0;
        }
        if (sd_event_add_time(l->event, &l->timer, CLOCK_MONOTONIC, when, 1000, on_timer, l) < 0)
                return -1;
        (void) sd_event_source_set_description(l->timer, "notify-curl-timer");
        return 0;
}

int notify_loop_new(sd_event *e, NotifyLoop **ret)
{
        NotifyLoop *l;

        if (!e || !ret)
                return -EINVAL;
        /* curl_global_init is refcounted and not thread-safe before 7.84; we are one thread. The
         * matching cleanup is in notify_loop_free. */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -EIO;
        l = calloc(1, sizeof(*l));
        if (!l) {
                curl_global_cleanup();
                return -ENOMEM;
        }
        l->event = sd_event_ref(e);
        l->multi = curl_multi_init();
        if (!l->multi || curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
            curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l) != CURLM_OK ||
            curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
            curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l) != CURLM_OK) {
                notify_loop_free(l);
                return -EIO;
        }
        *ret = l;
        return 0;
}

NotifyLoop *notify_loop_free(NotifyLoop *l)
{
        if (!l)
                return NULL;
        while (l->entries) {
                Entry *e = l->entries;
                entry_unlink(l, e);
                (void) curl_multi_remove_handle(l->multi, e->easy);
                free(e);
        }
        if (l->multi)
                curl_multi_cleanup(l->multi);
        l->multi = NULL;
        while (l->watches)
                watch_free(l->watches);
        sd_event_source_disable_unref(l->timer);
        sd_event_unref(l->event);
        free(l);
        curl_global_cleanup();
        return NULL;
}

int notify_loop_add(NotifyLoop *l, void *easy, notify_loop_done_t done, void *userdata)
{
        Entry *e;

        if (!l || !easy || !done)
                return -EINVAL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        *e = (Entry){ .easy = easy, .done = done, .userdata = userdata };
        if (curl_easy_setopt(easy, CURLOPT_PRIVATE, e) != CURLE_OK ||
            curl_multi_add_handle(l->multi, easy) != CURLM_OK) {
                free(e);
                return -EIO;
        }
        e->next = l->entries;
        if (e->next)
                e->next->prev = e;
        l->entries = e;
        l->n_entries++;
        return 0;
}

void notify_loop_remove(NotifyLoop *l, void *easy)
{
        for (Entry *e = l ? l->entries : NULL; e; e = e->next)
                if (e->easy == easy) {
                        entry_unlink(l, e);
                        (void) curl_multi_remove_handle(l->multi, easy);
                        free(e);
                        return;
                }
}

/* ---- what every delivery shares ---- */

void notify_send_transcript_add(NotifySend *s, const char *data, size_t size)
{
        if (s->transcript_size + size > NOTIFY_TRANSCRIPT_MAX)
                size = NOTIFY_TRANSCRIPT_MAX - MIN(s->transcript_size, (size_t) NOTIFY_TRANSCRIPT_MAX);
        if (size == 0 || GREEDY_REALLOC(s->transcript, s->transcript_alloc, s->transcript_size + size + 1) < 0)
                return;
        memcpy(s->transcript + s->transcript_size, data, size);
        s->transcript_size += size;
        s->transcript[s->transcript_size] = 0;
}

NotifySend *notify_send_free(NotifySend *s)
{
        if (!s)
                return NULL;
        if (s->easy) {
                notify_loop_remove(s->loop, s->easy);
                curl_easy_cleanup(s->easy);
        }
        curl_slist_free_all(s->headers);
        curl_slist_free_all(s->rcpt);
        free(s->body);
        free(s->transcript);
        free(s->last_reply);
        free(s->current_reply);
        sd_event_source_disable_unref(s->defer);
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
        uint64_t timeout = n->timeout_usec > 0 ? n->timeout_usec : UINT64_C(30) * 1000000;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->loop = l;
        s->done = done;
        s->userdata = userdata;
        if (with_easy) {
                s->easy = curl_easy_init();
                if (!s->easy)
                        goto fail;
                SETOPT(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
                SETOPT(s->easy, CURLOPT_NOSIGNAL, 1L);
                SETOPT(s->easy, CURLOPT_NOPROGRESS, 1L);
                SETOPT(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) MAX(MIN(timeout, UINT64_C(30) * 1000000) / 1000, UINT64_C(1)));
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

static void on_easy_done(NotifyLoop *l, void *easy, int code, void *userdata)
{
        NotifySend *s = userdata;
        NotifyResult r = {};

        s->finish(s, code, &r);
        r.transcript = s->transcript;
        /* The loop has let go of the handle; free it with s after the callback. */
        s->done(&r, s->userdata);
        free(r.reply);
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
        notify_send_free(s);
}

int notify_send_start(NotifySend *s)
{
        return notify_loop_add(s->loop, s->easy, on_easy_done, s);
}
