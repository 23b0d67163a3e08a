/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The outbox runner: store -> render -> channel, on the loop. See outbox.h for the guarantee.
 *
 * The schedule lives in the store (next_attempt per item), so a restart resumes it; the runner keeps
 * only what is in flight. It reads due items, starts at most OUTBOX_MAX_IN_FLIGHT deliveries, and
 * arms one realtime timer for the next item that becomes due. A finished delivery frees a slot and
 * looks again. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/report.h"
#include "labourwatch/report-send.h"
#include "labourwatch/outbox.h"
#include "labourwatch/schedule.h"

#define OUTBOX_MAX_IN_FLIGHT 8
/* A notifier whose server hangs (every message silent until its timeout) holds at most this many
 * of the slots: the other notifiers keep the rest (issue 18 §3). */
#define OUTBOX_MAX_IN_FLIGHT_PER_NOTIFIER 6
/* Due items are read this many at a time and started from memory: one sorted query per batch, not
 * per delivery, so a queue of 10,000 costs no more per message than a queue of ten. */
#define OUTBOX_BATCH 256
#define OUTBOX_RETRY_BASE_USEC (UINT64_C(60) * USEC_PER_SEC)

typedef struct Delivery Delivery;
struct Delivery {
        Outbox *outbox;
        OutboxItem item; /* owned copy */
        NotifySend *send;
        uint64_t retry_max_usec, give_up_usec;
        Delivery *next, *prev;
};

struct Outbox {
        sd_event *event;
        Store *store;
        const Config *config;
        NotifyLoop *loop;
        NotifyTemplates *templates;
        sd_event_source *timer, *kick;
        Delivery *deliveries;
        unsigned n_in_flight, n_sent;
        bool failed;
        outbox_idle_t idle_cb;
        void *idle_userdata;
        OutboxItem *batch; /* due items read last, started from batch_pos on */
        size_t batch_n, batch_pos;
        bool refill; /* read the store again (something was enqueued, or time passed) */
        /* Notifiers held back for a problem of their configuration (notify.h NotifyResult.fix), each
         * with the root cause logged: one line per notifier and cause, until a reload. */
        struct {
                char *channel;
                const char *cause;
        } *holds;
        size_t n_holds, n_holds_alloc;
        bool draining; /* stopping: start nothing, tell drain_cb when nothing is in flight */
        outbox_idle_t drain_cb;
        void *drain_userdata;
};

static int64_t now_usec(Outbox *o)
{
        uint64_t t = 0;

        if (sd_event_now(o->event, CLOCK_REALTIME, &t) < 0)
                return 0;
        return (int64_t) t;
}

static void item_done(OutboxItem *i)
{
        free(i->channel), free(i->recipient), free(i->dedup_key), free(i->payload_json), free(i->last_error);
        *i = (OutboxItem){};
}

static int item_copy(const OutboxItem *from, OutboxItem *to)
{
        *to = *from;
        to->channel = strdup_or_null(from->channel);
        to->recipient = strdup_or_null(from->recipient);
        to->dedup_key = strdup_or_null(from->dedup_key);
        to->payload_json = strdup_or_null(from->payload_json);
        to->last_error = strdup_or_null(from->last_error);
        if ((from->channel && !to->channel) || (from->recipient && !to->recipient) ||
            (from->dedup_key && !to->dedup_key) || (from->payload_json && !to->payload_json) ||
            (from->last_error && !to->last_error)) {
                item_done(to);
                return -ENOMEM;
        }
        return 0;
}

static void delivery_free(Delivery *d)
{
        Outbox *o = d->outbox;

        if (d->prev)
                d->prev->next = d->next;
        else
                o->deliveries = d->next;
        if (d->next)
                d->next->prev = d->prev;
        o->n_in_flight--;
        item_done(&d->item);
        free(d);
}

static bool in_flight(Outbox *o, int64_t id)
{
        for (Delivery *d = o->deliveries; d; d = d->next)
                if (d->item.id == id)
                        return true;
        return false;
}

static unsigned in_flight_through(Outbox *o, const char *channel)
{
        unsigned n = 0;

        for (Delivery *d = o->deliveries; d; d = d->next)
                if (streq(strempty(d->item.channel), strempty(channel)))
                        n++;
        return n;
}

static uint64_t retry_max_of(const NotifierDef *n)
{
        return n && n->retry_max_usec > 0 ? n->retry_max_usec : NOTIFIER_RETRY_MAX_DEFAULT_USEC;
}

static uint64_t give_up_of(const NotifierDef *n)
{
        return n && n->give_up_after_usec > 0 ? n->give_up_after_usec : NOTIFIER_GIVE_UP_AFTER_DEFAULT_USEC;
}

/* Is this item itself a notice about given-up notifications? Those are not reported again, so a
 * broken ops channel cannot feed itself. */
static bool is_expiry_notice(const OutboxItem *i)
{
        json_auto_t *j = json_loads(strempty(i->payload_json), 0, NULL);
        json_t *p;
        size_t k;

        if (!json_is_object(j) || !json_is_string(json_object_get(j, "type")) ||
            !streq(json_string_value(json_object_get(j, "type")), "data_problems"))
                return false;
        json_array_foreach(json_object_get(j, "problems"), k, p)
        {
                const char *kind = json_string_value(json_object_get(p, "kind"));
                if (!kind || !streq(kind, "notification_expired"))
                        return false;
        }
        return true;
}

static void give_up(Outbox *o, const OutboxItem *i, const char *reason)
{
        _cleanup_free_ char *err = NULL, *msg = NULL,
                            *channel_field = strdup_printf("CHANNEL=%s", strempty(i->channel)),
                            *recipient_field = strdup_printf("RECIPIENT=%s", strna(i->recipient)),
                            *key_field = strdup_printf("NOTIFICATION_KEY=%s", strempty(i->dedup_key)),
                            *reply_field = strdup_printf("REPLY=%s", strempty(reason));
        int64_t now = now_usec(o);
        int r;

        o->failed = true;
        msg = strdup_printf("gave up: %s", strempty(reason));
        r = store_outbox_mark_failed(o->store, i->id, msg ? msg : reason, STORE_OUTBOX_NEVER, &err);
        if (r < 0) {
                /* It stays due; the next attempt gives up again. */
                log_error_errno(r, "Failed to record that notification %" PRId64 " was given up: %s", i->id,
                                strna(err));
                return;
        }
        log_event(LOG_ERR, 0, LOG_EVENT_NOTIFICATION_EXPIRED,
                  LOG_FIELDS(strempty(channel_field), strempty(recipient_field), strempty(key_field),
                             strempty(reply_field)),
                  "Gave up the notification to %s through %s: %s", strna(i->recipient), strempty(i->channel),
                  strempty(reason));
        if (is_expiry_notice(i))
                return;
        free(TAKE_PTR(err));
        r = outbox_enqueue_expired(o->store, o->config, i, reason, now, &err);
        if (r < 0)
                log_error_errno(r, "Failed to queue the data-problem notice about it: %s", strna(err));
        else if (r == 0)
                log_warning(
                        "No route has data_problems: true, so nobody else is told that this notification "
                        "was given up");
}

static void outbox_schedule(Outbox *o);

/* "2s", "5min": the wait before a retry, for the log. */
static const char *format_delay(uint64_t delay, char buf[static 32])
{
        if (delay >= USEC_PER_MINUTE)
                snprintf(buf, 32, "%" PRIu64 "min", (delay + USEC_PER_MINUTE / 2) / USEC_PER_MINUTE);
        else
                snprintf(buf, 32, "%" PRIu64 "s", (delay + USEC_PER_SEC / 2) / USEC_PER_SEC);
        return buf;
}

/* A delivery failed because of its notifier's configuration (wrong credentials, no STARTTLS, an
 * untrusted certificate): retrying every message on the usual backoff cannot help and only says the
 * same thing once per message and attempt (and knocks on the server with a wrong password). Instead:
 * one error line per notifier and root cause, naming the setting to fix; this message and every
 * other unsent one of the notifier wait until a reload (which releases them at once) or, in case the
 * server side was the problem, one retry_max (default 1 h) from now. give_up_after still applies. */
static void hold_notifier(Outbox *o, Delivery *d, const NotifyResult *res, int64_t now)
{
        OutboxItem *i = &d->item;
        _cleanup_free_ char *err = NULL, *channel_field = strdup_printf("CHANNEL=%s", strempty(i->channel)),
                            *reply_field = strdup_printf("REPLY=%s", strempty(res->reply)),
                            *cause_field = strdup_printf("CAUSE=%s", res->cause);
        int64_t until = now + (int64_t) MIN(d->retry_max_usec, (uint64_t) INT64_MAX / 4);
        char when[32];
        size_t k;
        int r;

        o->failed = true;
        for (k = 0; k < o->n_holds; k++)
                if (streq(o->holds[k].channel, strempty(i->channel)))
                        break;
        if (k < o->n_holds && streq(o->holds[k].cause, res->cause))
                log_debug("Notification to %s through %s held back (%s): %s", strna(i->recipient),
                          strempty(i->channel), res->cause, strempty(res->reply));
        else {
                if (k == o->n_holds) {
                        char *channel = strdup(strempty(i->channel));

                        /* out of memory: not remembered, so said again next time */
                        if (channel && GREEDY_REALLOC(o->holds, o->n_holds_alloc, o->n_holds + 1) >= 0)
                                o->holds[o->n_holds++].channel = TAKE_PTR(channel);
                        free(channel);
                }
                if (k < o->n_holds)
                        o->holds[k].cause = res->cause;
                log_event(LOG_ERR, 0, LOG_EVENT_NOTIFICATION_FAILED,
                          LOG_FIELDS(strempty(channel_field), strempty(reply_field), strempty(cause_field)),
                          "Notifier '%s': %s (%s). Fix it under notifiers: %s: in the configuration and "
                          "reload; its messages wait until then (or try again in %s)",
                          strempty(i->channel), res->fix, strempty(res->reply), strempty(i->channel),
                          format_delay(d->retry_max_usec, when));
        }
        r = store_outbox_mark_failed(o->store, i->id, res->reply ? res->reply : res->fix, until, &err);
        if (r >= 0) {
                free(TAKE_PTR(err));
                r = store_outbox_reschedule_channel(o->store, strempty(i->channel), until, &err);
        }
        if (r < 0)
                log_error_errno(r, "Failed to hold back the notifications through %s: %s",
                                strempty(i->channel), strna(err));
}

/* After a reload: held notifiers get their messages tried again at once (the fix may be in). */
static void release_holds(Outbox *o)
{
        int64_t now = now_usec(o);

        for (size_t k = 0; k < o->n_holds; k++) {
                _cleanup_free_ char *err = NULL;
                int r = store_outbox_reschedule_channel(o->store, o->holds[k].channel, now, &err);

                if (r < 0)
                        log_error_errno(r, "Failed to release the notifications through %s: %s",
                                        o->holds[k].channel, strna(err));
                free(o->holds[k].channel);
        }
        o->n_holds = 0;
}

/* The notifier delivers again: a later problem of its configuration is news. */
static void forget_hold(Outbox *o, const char *channel)
{
        for (size_t k = 0; k < o->n_holds; k++)
                if (streq(o->holds[k].channel, strempty(channel))) {
                        free(o->holds[k].channel);
                        o->holds[k] = o->holds[--o->n_holds];
                        return;
                }
}

static void on_sent(const NotifyResult *res, void *userdata)
{
        Delivery *d = userdata;
        Outbox *o = d->outbox;
        OutboxItem *i = &d->item;
        int64_t now = now_usec(o);
        _cleanup_free_ char *err = NULL, *channel_field = strdup_printf("CHANNEL=%s", strempty(i->channel)),
                            *recipient_field = strdup_printf("RECIPIENT=%s", strna(i->recipient)),
                            *key_field = strdup_printf("NOTIFICATION_KEY=%s", strempty(i->dedup_key)),
                            *reply_field = strdup_printf("REPLY=%s", strempty(res->reply));
        int r;

        d->send = NULL; /* freed by the channel after we return */
        if (res->ok) {
                /* The window of the guarantee: the server has the message, the store does not know
                 * yet. A crash here resends it after the restart, as the same message. */
                store_crash_point(o->store, "after-deliver");
                r = store_outbox_mark_sent(o->store, i->id, now, &err);
                store_crash_point(o->store, "after-mark-sent");
                if (r < 0)
                        log_error_errno(r,
                                        "Notification %" PRId64
                                        " was delivered but cannot be marked sent (it "
                                        "may be sent again): %s",
                                        i->id, strna(err));
                else
                        o->n_sent++;
                forget_hold(o, i->channel);
                log_event(LOG_INFO, 0, LOG_EVENT_NOTIFICATION_SENT,
                          LOG_FIELDS(strempty(channel_field), strempty(recipient_field), strempty(key_field),
                                     strempty(reply_field)),
                          "Notification to %s delivered through %s: %s", strna(i->recipient),
                          strempty(i->channel), strempty(res->reply));
        } else if (res->fix && res->cause)
                hold_notifier(o, d, res, now);
        else if (res->permanent) {
                log_event(LOG_ERR, 0, LOG_EVENT_NOTIFICATION_FAILED,
                          LOG_FIELDS(strempty(channel_field), strempty(recipient_field), strempty(key_field),
                                     strempty(reply_field)),
                          "Notification to %s through %s refused permanently, not retrying: %s",
                          strna(i->recipient), strempty(i->channel), strempty(res->reply));
                give_up(o, i, res->reply);
        } else {
                BackoffPolicy p = { .max_usec = d->retry_max_usec };
                uint64_t delay;
                int64_t next,
                        deadline = i->created_at + (int64_t) MIN(d->give_up_usec, (uint64_t) INT64_MAX / 2);
                char when[32];

                p.base_usec = MIN(OUTBOX_RETRY_BASE_USEC, p.max_usec);
                delay = backoff_delay(&p, i->attempts + 1, res->retry_after_usec, (uint64_t) i->id);
                next = now + (int64_t) delay;
                /* never later than the deadline: then the item is given up on time */
                if (next > deadline)
                        next = MAX(deadline, now);
                o->failed = true;
                r = store_outbox_mark_failed(o->store, i->id, res->reply ? res->reply : "failed", next,
                                             &err);
                if (r < 0)
                        log_error_errno(
                                r, "Failed to record the failed delivery of notification %" PRId64 ": %s",
                                i->id, strna(err));
                log_event(LOG_WARNING, 0, LOG_EVENT_NOTIFICATION_FAILED,
                          LOG_FIELDS(strempty(channel_field), strempty(recipient_field), strempty(key_field),
                                     strempty(reply_field)),
                          "Notification to %s through %s failed (attempt %u), retrying in %s: %s",
                          strna(i->recipient), strempty(i->channel), i->attempts + 1,
                          format_delay(delay, when),
                          strempty(res->reply));
        }
        delivery_free(d);
        /* a slot is free: continue with the batch in memory */
        (void) sd_event_source_set_enabled(o->kick, SD_EVENT_ONESHOT);
}

/* Starts one due item. Failures before anything was sent are recorded like failed deliveries. */
static void start_item(Outbox *o, const OutboxItem *i, int64_t now)
{
        const NotifierDef *n = config_find_notifier(o->config, i->channel);
        const RecipientDef *rcpt = i->recipient ? config_find_recipient(o->config, i->recipient) : NULL;
        _cleanup_free_ char *err = NULL, *problem = NULL;
        NotifyMessage m = {};
        Delivery *d;
        int r;

        if (i->created_at + (int64_t) MIN(give_up_of(n), (uint64_t) INT64_MAX / 2) <= now) {
                _cleanup_free_ char *reason =
                        strdup_printf("not delivered within give_up_after (%" PRIu64 "h); last error: %s",
                                      give_up_of(n) / USEC_PER_HOUR, strna(i->last_error));
                give_up(o, i, reason ? reason : "not delivered within give_up_after");
                return;
        }
        if (!n)
                problem = strdup_printf("notifier '%s' is not in the configuration", strempty(i->channel));
        else if (i->recipient && !rcpt)
                problem = strdup_printf("recipient '%s' is not in the configuration", i->recipient);
        if (!problem) {
                NotifyRenderArgs a = { .config = o->config,
                                       .notifier = n,
                                       .recipient = rcpt,
                                       .templates = o->templates,
                                       .now_usec = now };
                _cleanup_free_ NotifyImage *images = NULL;
                ReportChart *charts = NULL;
                size_t n_charts = 0;

                /* The goals' charts inline in the HTML part; a message whose charts cannot be drawn
                 * is sent without them. */
                if (report_notice_charts(o->store, o->config, i->payload_json, &charts, &n_charts, NULL) >=
                            0 &&
                    n_charts > 0 && (images = calloc(n_charts, sizeof(NotifyImage)))) {
                        for (size_t k = 0; k < n_charts; k++)
                                images[k] = (NotifyImage){ .goal = charts[k].goal->id,
                                                           .png = charts[k].data,
                                                           .size = charts[k].size,
                                                           .alt = charts[k].alt,
                                                           .width = charts[k].width,
                                                           .height = charts[k].height };
                        a.images = images;
                        a.n_images = n_charts;
                }
                /* A "report" notice (a route's report: calendar) carries the report as an attachment. */
                ReportMail rm = {};
                NotifyAttachment att = {};
                r = report_mail_build(o->store, o->config, i->payload_json, &rm, &err);
                if (r > 0) {
                        att = (NotifyAttachment){ rm.filename, rm.content_type, rm.data, rm.size };
                        a.attachments = &att;
                        a.n_attachments = 1;
                        a.cover_text = rm.cover_text;
                        a.cover_html = rm.cover_html;
                }
                if (r >= 0)
                        r = notify_render(&a, i->payload_json, &m, &err);
                report_mail_done(&rm);
                report_charts_free(charts, n_charts);
                if (r == -EINVAL) {
                        /* A payload we cannot read will not become readable: give up now. */
                        _cleanup_free_ char *reason =
                                strdup_printf("cannot render the notice: %s", strna(err));
                        give_up(o, i, reason ? reason : "cannot render the notice");
                        return;
                }
                if (r < 0)
                        problem = strdup_printf("cannot render the notice: %s", strerror(-r));
        }
        if (!problem) {
                d = calloc(1, sizeof(*d));
                if (!d || item_copy(i, &d->item) < 0) {
                        free(d);
                        notify_message_done(&m);
                        return; /* stays due; retried on the next kick */
                }
                d->outbox = o;
                d->retry_max_usec = retry_max_of(n);
                d->give_up_usec = give_up_of(n);
                d->next = o->deliveries;
                if (d->next)
                        d->next->prev = d;
                o->deliveries = d;
                o->n_in_flight++;
                if (i->attempts > 0)
                        log_event(LOG_INFO, 0, LOG_EVENT_OUTBOX_RETRY, NULL,
                                  "Retrying the notification to %s through %s (attempt %u)",
                                  strna(i->recipient), strempty(i->channel), i->attempts + 1);
                free(TAKE_PTR(err));
                r = notify_send(o->loop, n, &m, now, on_sent, d, &d->send, &err);
                notify_message_done(&m);
                if (r >= 0)
                        return;
                delivery_free(d);
                if (r == -EINVAL) {
                        /* no recipient address, no from: — nothing to retry with */
                        give_up(o, i, err ? err : "the notice cannot be sent through this notifier");
                        return;
                }
                problem = strdup_printf("%s", err ? err : strerror(-r));
        }
        notify_message_done(&m);

        /* Nothing was sent: record it as a failed attempt, with the usual backoff. */
        {
                NotifyResult res = { .reply = problem };
                Delivery tmp = { .outbox = o,
                                 .retry_max_usec = retry_max_of(n),
                                 .give_up_usec = give_up_of(n) };
                Delivery *t = calloc(1, sizeof(*t));

                if (!t || item_copy(i, &t->item) < 0) {
                        free(t);
                        return;
                }
                *t = (Delivery){ .outbox = o,
                                 .item = t->item,
                                 .retry_max_usec = tmp.retry_max_usec,
                                 .give_up_usec = tmp.give_up_usec };
                /* on_sent frees t through delivery_free, which expects it linked in */
                t->next = o->deliveries;
                if (t->next)
                        t->next->prev = t;
                o->deliveries = t;
                o->n_in_flight++;
                on_sent(&res, t);
        }
}

static void batch_free(Outbox *o)
{
        store_outbox_free(o->batch, o->batch_n);
        o->batch = NULL;
        o->batch_n = o->batch_pos = 0;
}

static int batch_refill(Outbox *o, int64_t now)
{
        _cleanup_free_ char *err = NULL;
        int r;

        batch_free(o);
        o->refill = false;
        r = store_outbox_due(o->store, now, OUTBOX_BATCH, &o->batch, &o->batch_n, &err);
        if (r < 0)
                log_error_errno(r, "Failed to read the outbox, trying again in a minute: %s", strna(err));
        return r;
}

static void outbox_run(Outbox *o)
{
        int64_t now = now_usec(o);
        bool refilled = false;

        if (o->draining) {
                if (o->n_in_flight == 0 && o->drain_cb) {
                        outbox_idle_t cb = o->drain_cb;
                        o->drain_cb = NULL;
                        cb(o, o->drain_userdata);
                }
                return;
        }
        if (o->refill || o->batch_pos >= o->batch_n) {
                if (batch_refill(o, now) < 0) {
                        (void) sd_event_source_set_time(o->timer, (uint64_t) now + USEC_PER_MINUTE);
                        (void) sd_event_source_set_enabled(o->timer, SD_EVENT_ONESHOT);
                        return;
                }
                refilled = true;
        }
        while (o->n_in_flight < OUTBOX_MAX_IN_FLIGHT) {
                if (o->batch_pos >= o->batch_n) {
                        /* a full batch may have more behind it; an empty or short one does not */
                        if (refilled || o->batch_n < OUTBOX_BATCH || batch_refill(o, now) < 0 ||
                            o->batch_n == 0)
                                break;
                        refilled = true;
                }
                OutboxItem *i = &o->batch[o->batch_pos++];
                if (in_flight(o, i->id))
                        continue;
                if (in_flight_through(o, i->channel) >= OUTBOX_MAX_IN_FLIGHT_PER_NOTIFIER) {
                        o->refill = true; /* left in the store: read again when a slot is free */
                        continue;
                }
                /* The batch may be older than the last delivery: a re-read (SIGHUP, a kick, a
                 * retry) while transfers were in flight holds them, and they may be sent by now.
                 * The store says whether it still is to be sent. */
                {
                        _cleanup_free_ char *err = NULL;
                        int k = store_outbox_still_due(o->store, i->id, now, &err);
                        if (k < 0)
                                log_error_errno(k, "Failed to check notification %" PRId64 " in the outbox, "
                                                   "not sending it now: %s", i->id, strna(err));
                        if (k <= 0)
                                continue;
                }
                start_item(o, i, now);
        }
        outbox_schedule(o);
        if (o->idle_cb && o->batch_pos >= o->batch_n && outbox_idle(o)) {
                outbox_idle_t cb = o->idle_cb;
                o->idle_cb = NULL;
                cb(o, o->idle_userdata);
        }
}

void outbox_on_idle(Outbox *o, outbox_idle_t cb, void *userdata)
{
        if (!o)
                return;
        o->idle_cb = cb;
        o->idle_userdata = userdata;
}

/* Arms the timer for the next item that becomes due later (due ones are started or wait for a free
 * slot, which a finishing delivery announces with a kick). */
static void outbox_schedule(Outbox *o)
{
        _cleanup_free_ char *err = NULL;
        int64_t now = now_usec(o), next = 0;
        int r;

        r = store_outbox_next_due(o->store, now, &next, &err);
        if (r < 0) {
                log_error_errno(r, "Failed to read the outbox schedule, looking again in a minute: %s",
                                strna(err));
                next = now + (int64_t) USEC_PER_MINUTE;
        } else if (r == 0) {
                (void) sd_event_source_set_enabled(o->timer, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_time(o->timer, (uint64_t) next);
        (void) sd_event_source_set_enabled(o->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        Outbox *o = userdata;

        o->refill = true; /* items became due */
        outbox_run(o);
        return 0;
}

static int on_kick(sd_event_source *s, void *userdata)
{
        outbox_run(userdata);
        return 0;
}

static void load_templates(Outbox *o, const Config *c)
{
        ConfigErrors errors = {};
        NotifyTemplates *t = NULL;
        int r;

        r = notify_templates_load(c ? c->templates_dir : NULL, &t, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                log_warning("%s", strna(s));
        }
        config_errors_done(&errors);
        if (r < 0) {
                log_warning_errno(r, "Message templates in %s are not usable, %s: %m",
                                  strna(c ? c->templates_dir : NULL),
                                  o->templates ? "keeping the previous ones" : "using the built-in ones");
                if (o->templates)
                        return;
                r = notify_templates_load(NULL, &t, NULL);
                if (r < 0)
                        return;
        }
        notify_templates_free(o->templates);
        o->templates = t;
}

int outbox_new(sd_event *e, Store *st, const Config *c, Outbox **ret)
{
        CurlGlue *g = NULL;
        int r;

        if (!e || !st || !c || !ret)
                return -EINVAL;
        r = curl_glue_new(e, &g);
        if (r < 0)
                return r;
        r = outbox_new_with_glue(g, st, c, ret);
        curl_glue_unref(g); /* the outbox's loop holds its own reference */
        return r;
}

int outbox_new_with_glue(CurlGlue *g, Store *st, const Config *c, Outbox **ret)
{
        sd_event *e = g ? curl_glue_get_event(g) : NULL;
        Outbox *o;
        int r;

        if (!e || !st || !c || !ret)
                return -EINVAL;
        o = calloc(1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        o->event = sd_event_ref(e);
        o->store = st;
        o->config = c;
        r = notify_loop_new_with_glue(g, &o->loop);
        if (r < 0)
                goto fail;
        load_templates(o, c);
        r = sd_event_add_time(e, &o->timer, CLOCK_REALTIME, UINT64_MAX, USEC_PER_SEC, on_timer, o);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(o->timer, "outbox-timer");
        (void) sd_event_source_set_enabled(o->timer, SD_EVENT_OFF);
        r = sd_event_add_defer(e, &o->kick, on_kick, o);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(o->kick, "outbox-kick");
        /* enabled: the first run attempts what a previous process left due */
        (void) sd_event_source_set_enabled(o->kick, SD_EVENT_ONESHOT);
        *ret = o;
        return 0;
fail:
        outbox_free(o);
        return r;
}

Outbox *outbox_free(Outbox *o)
{
        if (!o)
                return NULL;
        while (o->deliveries) {
                Delivery *d = o->deliveries;
                notify_send_cancel(d->send);
                delivery_free(d);
        }
        notify_loop_free(o->loop);
        for (size_t k = 0; k < o->n_holds; k++)
                free(o->holds[k].channel);
        free(o->holds);
        batch_free(o);
        notify_templates_free(o->templates);
        sd_event_source_disable_unref(o->timer);
        sd_event_source_disable_unref(o->kick);
        sd_event_unref(o->event);
        free(o);
        return NULL;
}

void outbox_set_config(Outbox *o, const Config *c)
{
        if (!o || !c)
                return;
        o->config = c;
        load_templates(o, c);
        release_holds(o);
        outbox_kick(o);
}

void outbox_kick(Outbox *o)
{
        if (!o || !o->kick)
                return;
        o->refill = true; /* something new may be in the store */
        (void) sd_event_source_set_enabled(o->kick, SD_EVENT_ONESHOT);
}

bool outbox_idle(Outbox *o)
{
        OutboxItem *items = NULL;
        size_t n = 0;
        int r;

        if (!o)
                return true;
        if (o->n_in_flight > 0)
                return false;
        r = store_outbox_due(o->store, now_usec(o), 1, &items, &n, NULL);
        store_outbox_free(items, n);
        return r < 0 || n == 0;
}

void outbox_drain(Outbox *o, outbox_idle_t cb, void *userdata)
{
        if (!o)
                return;
        o->draining = true;
        o->drain_cb = cb;
        o->drain_userdata = userdata;
        (void) sd_event_source_set_enabled(o->timer, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(o->kick, SD_EVENT_ONESHOT);
}

unsigned outbox_in_flight(const Outbox *o)
{
        return o ? o->n_in_flight : 0;
}

bool outbox_had_failures(const Outbox *o)
{
        return o && o->failed;
}

unsigned outbox_sent(const Outbox *o)
{
        return o ? o->n_sent : 0;
}

/* ---- the notice about a given-up notification ---- */

static bool strv_contains_n(char *const *v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

static int enqueue_one(Store *st, const Config *c, const NotifierDef *n, const RecipientDef *rcpt,
                       const OutboxItem *expired, const char *reason, int64_t now, char **ret_error)
{
        _cleanup_free_ char *keysrc = NULL, *payload = NULL, *message = NULL;
        json_auto_t *j = NULL;
        char key[65];

        keysrc = strdup_printf("notification_expired\n%s\n%s\n%s", n->name, rcpt ? rcpt->name : "",
                               strempty(expired->dedup_key));
        message = strdup_printf("the notification %.16s… to %s through notifier '%s' was not delivered: %s",
                                strempty(expired->dedup_key),
                                expired->recipient ? expired->recipient : "(no recipient)",
                                strempty(expired->channel), strempty(reason));
        if (!keysrc || !message)
                return -ENOMEM;
        notify_sha256_hex(keysrc, strlen(keysrc), key);
        j = json_pack("{s:i, s:s, s:s, s:s?, s:s, s:s, s:I, s:s?, s:s?, s:[], s:[{s:s, s:n, s:n, s:I, s:s, "
                      "s:s, s:s?}]}",
                      "version", 1, "type", "data_problems", "notifier", n->name, "recipient",
                      rcpt ? rcpt->name : NULL, "language",
                      rcpt && rcpt->language ? rcpt->language : strempty(c->language), "key", key,
                      "created_at", (json_int_t) now, "plan", c->plan, "municipality", c->municipality,
                      "events", "problems", "kind", "notification_expired", "source", "series", "since",
                      (json_int_t) expired->created_at, "message", message, "notifier", expired->channel,
                      "recipient", expired->recipient);
        if (!j)
                return -ENOMEM;
        payload = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        if (!payload)
                return -ENOMEM;
        return store_outbox_enqueue(st, n->name, rcpt ? rcpt->name : NULL, key, payload, now, ret_error);
}

int outbox_enqueue_expired(Store *st, const Config *c, const OutboxItem *expired, const char *reason,
                           int64_t now_usec_, char **ret_error)
{
        int r, count = 0;

        r = store_begin(st, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_routes; i++) {
                const RouteDef *rt = &c->routes[i];

                if (!rt->data_problems)
                        continue;
                for (size_t k = 0; k < rt->n_notifiers; k++) {
                        const NotifierDef *n = config_find_notifier(c, rt->notifiers[k]);

                        /* the same notifier twice in a route, or in two routes: one notice (the key
                         * dedups it) */
                        if (!n || strv_contains_n(rt->notifiers, k, rt->notifiers[k]))
                                continue;
                        if (rt->n_recipients == 0) {
                                if (n->kind == NOTIFIER_SMTP)
                                        continue; /* an e-mail needs an address */
                                r = enqueue_one(st, c, n, NULL, expired, reason, now_usec_, ret_error);
                                if (r < 0)
                                        goto fail;
                                count += r;
                                continue;
                        }
                        for (size_t m = 0; m < rt->n_recipients; m++) {
                                const RecipientDef *rc = config_find_recipient(c, rt->recipients[m]);
                                if (!rc)
                                        continue;
                                r = enqueue_one(st, c, n, rc, expired, reason, now_usec_, ret_error);
                                if (r < 0)
                                        goto fail;
                                count += r;
                        }
                }
        }
        r = store_commit(st, ret_error);
        if (r < 0)
                return r;
        return count;
fail:
        store_rollback(st);
        return r;
}
