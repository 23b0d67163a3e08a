/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Alertmanager: the goals of a notice as alerts, POSTed to a Prometheus Alertmanager's
 * /api/v2/alerts (Alertmanager's OpenAPI "postableAlerts": an array of {labels, annotations,
 * startsAt, endsAt, generatorURL}).
 *
 * An alert's identity in Alertmanager is its label set: alertname "LabourwatchGoal", goal, status,
 * plan and municipality (when the configuration names one). An event that is still a problem
 * (firing, repeat, at_risk, missed, revised) is posted with endsAt = now + 3 days: Alertmanager
 * keeps it active until then, and each re-send moves endsAt on, as Prometheus re-sends firing
 * alerts every evaluation: alerting.c re-posts every firing, unsilenced goal once per evaluation
 * date (event "refresh"; the daemon evaluates at least daily), besides a route's repeat:. When the goal recovers (resolved,
 * achieved) the same labels — status is then the status that fired, previous_status — are posted
 * with endsAt = now, which resolves it. Annotations carry the goal's title and the explanation in
 * Danish and English.
 *
 * 200 is delivered; 400 (Alertmanager rejected the alerts) and other 4xx are permanent; 408, 429,
 * 5xx and transport failures are retried. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "labourwatch/time-util.h"
#include "notify-internal.h"

/* How long a posted alert stays active without a re-send. */
#define ALERTMANAGER_ACTIVE_USEC (3 * USEC_PER_DAY)

static void alertmanager_finish(NotifySend *s, int curl_code, NotifyResult *r)
{
        _cleanup_free_ char *answer = NULL;
        long status = 0;

        (void) curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        r->code = status;
        if (curl_code != CURLE_OK && !notify_send_answered(s)) {
                r->reply = strdup(s->errbuf[0] ? s->errbuf : curl_easy_strerror((CURLcode) curl_code));
                return;
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

static int format_time(int64_t usec, char buf[static 32])
{
        time_t t = (time_t) (usec / (int64_t) USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EINVAL;
        return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static bool event_is_recovery(const char *event)
{
        return event && (streq(event, "resolved") || streq(event, "achieved"));
}

/* The alert of one event (NULL on OOM). */
static json_t *event_alert(const json_t *root, const json_t *ev, int64_t now_usec)
{
        const char *event = jstr(ev, "event"), *status = jstr(ev, "status");
        bool recovery = event_is_recovery(event);
        json_auto_t *labels = NULL, *ann = NULL;
        char starts[32], ends[32];

        /* a recovery resolves the alert that fired: same labels, so the status that fired */
        if (recovery && jstr(ev, "previous_status"))
                status = jstr(ev, "previous_status");
        if (format_time(now_usec, starts) < 0 ||
            format_time(recovery ? now_usec : now_usec + (int64_t) ALERTMANAGER_ACTIVE_USEC, ends) < 0)
                return NULL;

        labels = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?}", "alertname", "LabourwatchGoal", "goal", jstr(ev, "goal"),
                           "status", status, "plan", jstr(ev, "plan") ?: jstr(root, "plan"), "municipality",
                           jstr(root, "municipality"));
        ann = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "summary", jstr(ev, "title_en"), "summary_da",
                        jstr(ev, "title_da"), "description", jstr(ev, "explanation_en"), "description_da",
                        jstr(ev, "explanation"), "event", event, "current_status", jstr(ev, "status"), "period",
                        jstr(ev, "period"));
        if (!labels || !ann)
                return NULL;
        /* json_pack's "s?" writes null for an absent value: Alertmanager wants strings only */
        for (json_t *o = labels;; o = ann) {
                const char *k;
                json_t *v;
                void *tmp;
                json_object_foreach_safe(o, tmp, k, v)
                        if (json_is_null(v))
                                json_object_del(o, k);
                if (o == ann)
                        break;
        }
        return json_pack("{s:O, s:O, s:s, s:s}", "labels", labels, "annotations", ann, "startsAt", starts, "endsAt",
                         ends);
}

/* The body: one alert per goal event of the notice; a test notice gives one short-lived test
 * alert, so `labourwatch notify-test` shows up in Alertmanager. Returns 0 and *ret, or -EINVAL
 * with *ret_error when the rendered JSON is not a notice, or -ENOMEM. */
int notify_alertmanager_body(const char *notice_json, int64_t now_usec, char **ret, char **ret_error)
{
        json_auto_t *root = NULL, *alerts = json_array();
        const json_t *events, *ev;
        json_error_t jerr;
        size_t i;

        if (!alerts)
                return -ENOMEM;
        root = notice_json ? json_loads(notice_json, 0, &jerr) : NULL;
        if (!json_is_object(root)) {
                *ret_error = strdup("alertmanager: the rendered notice is not a JSON object");
                return -EINVAL;
        }
        events = json_object_get(root, "events");
        json_array_foreach(events, i, ev) {
                json_t *a = event_alert(root, ev, now_usec);
                if (!a || json_array_append_new(alerts, a) < 0)
                        return -ENOMEM;
        }
        if (jstr(root, "type") && streq(jstr(root, "type"), "test")) {
                char starts[32], ends[32];
                json_t *a;

                if (format_time(now_usec, starts) < 0 || format_time(now_usec + 5 * (int64_t) USEC_PER_MINUTE, ends) < 0)
                        return -EINVAL;
                a = json_pack("{s:{s:s, s:s?}, s:{s:s}, s:s, s:s}", "labels", "alertname", "LabourwatchTest",
                              "municipality", jstr(root, "municipality"), "annotations", "summary",
                              "A test alert from labourwatch notify-test; it resolves by itself in 5 minutes.",
                              "startsAt", starts, "endsAt", ends);
                if (a && json_is_null(json_object_get(json_object_get(a, "labels"), "municipality")))
                        json_object_del(json_object_get(a, "labels"), "municipality");
                if (!a || json_array_append_new(alerts, a) < 0)
                        return -ENOMEM;
        }
        *ret = json_dumps(alerts, JSON_COMPACT | JSON_SORT_KEYS);
        return *ret ? 0 : -ENOMEM;
}

static int alertmanager_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                             notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error)
{
        _cleanup_free_ char *url = NULL, *body = NULL;
        struct curl_slist *h;
        NotifySend *s = NULL;
        size_t len;
        int r;

        if (!n->url) {
                *ret_error = strdup_printf("notifier '%s': no url", n->name);
                return -EINVAL;
        }
        r = notify_alertmanager_body(m->json, now_usec, &body, ret_error);
        if (r < 0)
                return r;
        /* url is Alertmanager's base URL (http://am:9093, or behind a path prefix); the API path is
         * added unless it is there already */
        len = strlen(n->url);
        while (len > 0 && n->url[len - 1] == '/')
                len--;
        if (len >= strlen("/api/v2/alerts") && streq(n->url + len - strlen("/api/v2/alerts"), "/api/v2/alerts"))
                url = strndup(n->url, len);
        else
                url = strdup_printf("%.*s/api/v2/alerts", (int) len, n->url);
        if (!url)
                return -ENOMEM;

        r = notify_send_new(l, n, true, done, userdata, &s);
        if (r < 0)
                return r;
        s->finish = alertmanager_finish;
        s->body = TAKE_PTR(body);
        s->size = strlen(s->body);
        h = curl_slist_append(NULL, "Content-Type: application/json");
        if (!h) {
                r = -ENOMEM;
                goto fail;
        }
        s->headers = h;

        r = notify_send_start_post(s, url);
        if (r < 0)
                goto fail;
        if (ret)
                *ret = s;
        return 0;

fail:
        if (!*ret_error)
                *ret_error = strdup_printf("notifier '%s': cannot set up the request: %s", n->name, strerror(-r));
        notify_send_free(s);
        return r;
}

const NotifyChannel notify_channel_alertmanager = {
        .kind = NOTIFIER_ALERTMANAGER,
        .send = alertmanager_send,
};
