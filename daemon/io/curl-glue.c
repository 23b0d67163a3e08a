/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libcurl multi <-> sd-event. See curl-glue.h for the ownership rules; the shape is systemd's
 * src/import/curl-util.c, with a callback per easy handle instead of one per glue, so HTTP fetches
 * and mail/webhook deliveries can share one multi handle (and its connection cache). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/macro.h"
#include "labourwatch/time-util.h"

typedef struct GlueWatch GlueWatch;
typedef struct GlueTransfer GlueTransfer;

/* One socket curl asked us to watch. */
struct GlueWatch {
        CurlGlue *glue;
        curl_socket_t fd;
        sd_event_source *source;
        GlueWatch *next, *prev;
};

/* One easy handle in flight; its address is the handle's CURLOPT_PRIVATE. */
struct GlueTransfer {
        CurlGlue *glue;
        CURL *easy;
        curl_glue_done_t done;
        void *userdata;
        GlueTransfer *next, *prev;
};

struct CurlGlue {
        unsigned n_ref;
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        GlueWatch *watches;
        GlueTransfer *transfers;
        unsigned n_transfers;
};

static bool curl_initialized = false;

void curl_glue_global_done(void)
{
        if (curl_initialized) {
                curl_global_cleanup();
                curl_initialized = false;
        }
}

int curl_glue_code_to_errno(CURLcode c)
{
        switch (c) {
        case CURLE_OK:
                return 0;
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
                return -EPIPE;
        case CURLE_FILE_COULDNT_READ_FILE:
                return -ENOENT;
        case CURLE_UNSUPPORTED_PROTOCOL:
                return -EPROTONOSUPPORT;
        case CURLE_TOO_MANY_REDIRECTS:
                return -ELOOP;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_USE_SSL_FAILED:
                return -EPROTO;
        case CURLE_LOGIN_DENIED:
                return -EACCES;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_URL_MALFORMAT:
                return -EINVAL;
        default:
                return -EIO;
        }
}

sd_event *curl_glue_get_event(const CurlGlue *g)
{
        return g ? g->event : NULL;
}

unsigned curl_glue_in_flight(const CurlGlue *g)
{
        return g ? g->n_transfers : 0;
}

static void transfer_unlink(CurlGlue *g, GlueTransfer *t)
{
        if (t->prev)
                t->prev->next = t->next;
        else if (g->transfers == t)
                g->transfers = t->next;
        if (t->next)
                t->next->prev = t->prev;
        t->next = t->prev = NULL;
        g->n_transfers--;
}

/* Takes the transfer out of the multi handle and our list; the easy handle stays the caller's. */
static void transfer_detach(CurlGlue *g, GlueTransfer *t)
{
        (void) curl_multi_remove_handle(g->multi, t->easy);
        (void) curl_easy_setopt(t->easy, CURLOPT_PRIVATE, NULL);
        transfer_unlink(g, t);
        free(t);
}

static GlueTransfer *transfer_of(CurlGlue *g, CURL *easy)
{
        GlueTransfer *t = NULL;

        /* CURLOPT_PRIVATE is ours (see the header): NULL, or a live GlueTransfer (detaching clears
         * it), possibly of another glue. */
        if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &t) != CURLE_OK || !t || t->glue != g)
                return NULL;
        return t;
}

/* Reports every finished transfer. A callback may add or remove handles (also other ones): each
 * message is looked up afresh, and a removed handle produces no message. */
static void glue_check_done(CurlGlue *g)
{
        CURLMsg *msg;
        int left;

        /* Keep g alive while callbacks run: one of them may drop the last other reference. */
        curl_glue_ref(g);
        while (g->multi && (msg = curl_multi_info_read(g->multi, &left))) {
                curl_glue_done_t done;
                void *userdata;
                GlueTransfer *t;
                CURL *easy = msg->easy_handle;
                CURLcode result = msg->data.result;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                t = transfer_of(g, easy);
                if (!t)
                        continue;
                done = t->done;
                userdata = t->userdata;
                transfer_detach(g, t);
                if (done)
                        done(g, easy, result, userdata);
        }
        curl_glue_unref(g);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        CurlGlue *g = userdata;
        int action = 0, k = 0;

        if (revents & (EPOLLIN | EPOLLPRI))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;

        (void) curl_multi_socket_action(g->multi, fd, action, &k);
        glue_check_done(g);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        CurlGlue *g = userdata;
        int k = 0;

        (void) curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &k);
        glue_check_done(g);
        return 0;
}

static void watch_free(GlueWatch *w)
{
        CurlGlue *g = w->glue;

        if (w->prev)
                w->prev->next = w->next;
        else if (g->watches == w)
                g->watches = w->next;
        if (w->next)
                w->next->prev = w->prev;
        sd_event_source_disable_unref(w->source);
        free(w);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
        CurlGlue *g = userp;
        GlueWatch *w = socketp;
        uint32_t events = 0;
        int r;

        if (action == CURL_POLL_REMOVE) {
                if (w) {
                        (void) curl_multi_assign(g->multi, fd, NULL);
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
                r = sd_event_source_set_io_events(w->source, events);
                if (r < 0)
                        return -1;
                r = sd_event_source_set_enabled(w->source, SD_EVENT_ON);
                return r < 0 ? -1 : 0;
        }

        w = calloc(1, sizeof(*w));
        if (!w)
                return -1;
        w->glue = g;
        w->fd = fd;
        r = sd_event_add_io(g->event, &w->source, fd, events, on_io, g);
        if (r < 0) {
                free(w);
                return -1;
        }
        (void) sd_event_source_set_description(w->source, "curl-io");
        if (curl_multi_assign(g->multi, fd, w) != CURLM_OK) {
                sd_event_source_disable_unref(w->source);
                free(w);
                return -1;
        }
        w->next = g->watches;
        if (w->next)
                w->next->prev = w;
        g->watches = w;
        return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
        CurlGlue *g = userp;
        uint64_t t, when;
        int r;

        if (timeout_ms < 0) {
                if (g->timer)
                        (void) sd_event_source_set_enabled(g->timer, SD_EVENT_OFF);
                return 0;
        }

        r = sd_event_now(g->event, CLOCK_MONOTONIC, &t);
        if (r < 0)
                return -1;
        when = t + (uint64_t) timeout_ms * USEC_PER_MSEC;

        if (g->timer) {
                r = sd_event_source_set_time(g->timer, when);
                if (r < 0)
                        return -1;
                r = sd_event_source_set_enabled(g->timer, SD_EVENT_ONESHOT);
                return r < 0 ? -1 : 0;
        }
        /* 1 ms accuracy: curl's timeouts are short and precise (connect, retries). */
        r = sd_event_add_time(g->event, &g->timer, CLOCK_MONOTONIC, when, USEC_PER_MSEC, on_timer, g);
        if (r < 0)
                return -1;
        (void) sd_event_source_set_description(g->timer, "curl-timer");
        return 0;
}

static void glue_free(CurlGlue *g)
{
        /* Handles still in flight: detached, callbacks not called, the easy handles their owners'. */
        while (g->transfers)
                transfer_detach(g, g->transfers);
        /* curl_multi_cleanup() closes cached connections and may call the socket callback with
         * CURL_POLL_REMOVE; the watches are still valid then. */
        if (g->multi)
                curl_multi_cleanup(g->multi);
        g->multi = NULL;
        while (g->watches)
                watch_free(g->watches);
        sd_event_source_disable_unref(g->timer);
        sd_event_unref(g->event);
        free(g);
}

CurlGlue *curl_glue_ref(CurlGlue *g)
{
        if (g)
                g->n_ref++;
        return g;
}

CurlGlue *curl_glue_unref(CurlGlue *g)
{
        if (!g)
                return NULL;
        assert(g->n_ref > 0);
        if (--g->n_ref == 0)
                glue_free(g);
        return NULL;
}

int curl_glue_new(sd_event *e, CurlGlue **ret)
{
        CurlGlue *g;

        if (!e || !ret)
                return -EINVAL;
        if (!curl_initialized) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -EIO;
                curl_initialized = true;
        }

        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->n_ref = 1;
        g->event = sd_event_ref(e);
        g->multi = curl_multi_init();
        if (!g->multi) {
                glue_free(g);
                return -ENOMEM;
        }
        if (curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g) != CURLM_OK) {
                glue_free(g);
                return -EIO;
        }
        *ret = g;
        return 0;
}

int curl_glue_add(CurlGlue *g, CURL *easy, curl_glue_done_t done, void *userdata)
{
        GlueTransfer *t;

        if (!g || !easy)
                return -EINVAL;
        if (transfer_of(g, easy))
                return -EEXIST;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (GlueTransfer){ .glue = g, .easy = easy, .done = done, .userdata = userdata };
        if (curl_easy_setopt(easy, CURLOPT_PRIVATE, t) != CURLE_OK) {
                free(t);
                return -EIO;
        }
        if (curl_multi_add_handle(g->multi, easy) != CURLM_OK) {
                (void) curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
                free(t);
                return -EIO;
        }
        t->next = g->transfers;
        if (t->next)
                t->next->prev = t;
        g->transfers = t;
        g->n_transfers++;
        return 0;
}

void curl_glue_remove(CurlGlue *g, CURL *easy)
{
        GlueTransfer *t;

        if (!g || !easy)
                return;
        t = transfer_of(g, easy);
        if (t)
                transfer_detach(g, t);
}
