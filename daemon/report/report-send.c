/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The committee report on a route's calendar: the enqueue side (report-send.h). */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/alerting.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/report-due.h"
#include "labourwatch/report.h"
#include "labourwatch/report-send.h"
#include "labourwatch/schedule.h"

static const char *route_plan(const Config *c, const RouteDef *rt)
{
        return rt->report_plan ? rt->report_plan : c->plan ? c->plan : "Beskæftigelsesplan";
}

char *report_send_payload(const Config *c, size_t route, const NotifierDef *n, const RecipientDef *rcp,
                          uint64_t slot_usec, uint64_t previous_usec, uint64_t now_usec,
                          char ret_key[static 65])
{
        const RouteDef *rt = &c->routes[route];
        _cleanup_free_ char *id = strdup_printf("route-%zu", route + 1), *material = NULL;
        json_auto_t *root = NULL;
        char d[16], since[16];
        Date date;

        if (!id)
                return NULL;
        material =
                strdup_printf("report\n%s\n%s\n%s\n%" PRIu64, id, n->name, rcp ? rcp->name : "", slot_usec);
        if (!material)
                return NULL;
        notify_sha256_hex(material, strlen(material), ret_key);
        /* the report is of the day of the slot, in Copenhagen */
        cph_utc_to_local((int64_t) (slot_usec / USEC_PER_SEC), &date, NULL);
        snprintf(d, sizeof d, "%04d-%02d-%02d", date.year, date.month, date.day);
        cph_utc_to_local((int64_t) (previous_usec / USEC_PER_SEC), &date, NULL);
        snprintf(since, sizeof since, "%04d-%02d-%02d", date.year, date.month, date.day);
        root = json_pack(
                "{s:i, s:s, s:s, s:s?, s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s, s:s, s:I, s:[], s:[]}",
                "version", 1, "type", "report", "notifier", n->name, "recipient", rcp ? rcp->name : NULL,
                "language", rcp && rcp->language ? rcp->language : (c->language ? c->language : "da"), "key",
                ret_key, "created_at", (json_int_t) now_usec, "eval_date", d, "since", since, "plan",
                route_plan(c, rt), "municipality", c->municipality, "format",
                rt->report_format == 0 ? "html" : "pdf", "route", id, "due", (json_int_t) slot_usec,
                "events", "problems");
        return root ? json_dumps(root, EVALUATE_JSON_FLAGS) : NULL;
}

/* The recipients of a route's report, as a flag per Config.recipients entry. */
static int route_recipients(const Config *c, const RouteDef *rt, bool *want)
{
        const char *plan = route_plan(c, rt);

        if (rt->n_recipients > 0) {
                for (size_t j = 0; j < rt->n_recipients; j++) {
                        const RecipientDef *r = config_find_recipient(c, rt->recipients[j]);
                        if (r)
                                want[r - c->recipients] = true;
                }
                return 0;
        }
        for (size_t i = 0; i < c->n_goals; i++) {
                const GoalDef *g = &c->goals[i];
                if (!streq(g->plan ? g->plan : strempty(c->plan), plan) ||
                    !alerting_route_matches(rt, g->id))
                        continue;
                for (size_t j = 0; j < g->n_recipients; j++) {
                        const RecipientDef *r = config_find_recipient(c, g->recipients[j]);
                        if (r)
                                want[r - c->recipients] = true;
                }
        }
        return 0;
}

static int send_route(Store *st, const Config *c, size_t route, uint64_t slot, uint64_t previous,
                      uint64_t now, ReportSendResult *res, char **ret_error)
{
        const RouteDef *rt = &c->routes[route];
        _cleanup_free_ bool *want = calloc(MAX(c->n_recipients, (size_t) 1), sizeof(bool));
        _cleanup_free_ char *key = strdup_printf("report/route-%zu", route + 1);
        size_t n_new = 0;
        int r;

        if (!want || !key)
                return -ENOMEM;
        route_recipients(c, rt, want);

        r = store_begin(st, ret_error);
        if (r < 0)
                return r;
        for (size_t k = 0; k < rt->n_notifiers; k++) {
                const NotifierDef *n = config_find_notifier(c, rt->notifiers[k]);

                if (!n || (n->kind != NOTIFIER_SMTP && n->kind != NOTIFIER_DIRECTORY))
                        continue;
                for (size_t j = 0; j < c->n_recipients; j++) {
                        _cleanup_free_ char *payload = NULL;
                        char nkey[65];

                        if (!want[j])
                                continue;
                        payload = report_send_payload(c, route, n, &c->recipients[j], slot, previous, now,
                                                      nkey);
                        if (!payload) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = store_outbox_enqueue(st, n->name, c->recipients[j].name, nkey, payload,
                                                 (int64_t) now, ret_error);
                        if (r < 0)
                                goto fail;
                        n_new += r > 0;
                }
        }
        {
                SourceState s = { .last_attempt = (int64_t) now, .last_success = (int64_t) slot };
                r = store_set_source_state(st, key, &s, ret_error);
                if (r < 0)
                        goto fail;
        }
        r = store_commit(st, ret_error);
        if (r < 0)
                goto fail;
        res->n_due++;
        res->n_enqueued += n_new;
        return 0;
fail:
        store_rollback(st);
        return r;
}

int report_send_due(Store *st, const Config *c, uint64_t now_usec, ReportSendResult *ret, char **ret_error)
{
        ReportSendResult res = { .next_due = SCHEDULE_NEVER };
        int r;

        assert(st && c && ret);
        for (size_t i = 0; i < c->n_routes; i++) {
                const RouteDef *rt = &c->routes[i];
                _cleanup_free_ char *key = NULL;
                SourceState s = {};
                uint64_t last, slot;

                if (!rt->has_report)
                        continue;
                key = strdup_printf("report/route-%zu", i + 1);
                if (!key)
                        return -ENOMEM;
                r = store_get_source_state(st, key, &s, ret_error);
                if (r < 0)
                        return r;
                last = s.last_success > 0 ? (uint64_t) s.last_success : 0;
                source_state_done(&s);
                if (last == 0) {
                        /* first seen: from now on */
                        SourceState first = { .last_attempt = (int64_t) now_usec,
                                              .last_success = (int64_t) now_usec };
                        r = store_set_source_state(st, key, &first, ret_error);
                        if (r < 0)
                                return r;
                        last = now_usec;
                }
                slot = report_due_slot(&rt->report_calendar, last, now_usec);
                if (slot > 0) {
                        r = send_route(st, c, i, slot, last, now_usec, &res, ret_error);
                        if (r < 0)
                                return r;
                        last = slot;
                }
                res.next_due = MIN(res.next_due, report_next_slot(&rt->report_calendar, last));
        }
        *ret = res;
        return 0;
}

/* ---- delivery side ---- */

void report_mail_done(ReportMail *m)
{
        free(m->data);
        free(m->filename);
        free(m->cover_text);
        free(m->cover_html);
        *m = (ReportMail){};
}

int report_mail_build(Store *st, const Config *c, const char *payload_json, ReportMail *ret,
                      char **ret_error)
{
        json_auto_t *root = json_loads(strempty(payload_json), 0, NULL);
        const char *type, *plan, *eval_date, *since, *format, *lang;
        ReportMail m = {};
        ReportOptions o = {};
        ReportFormat f;
        char name[256];
        size_t k = 0;
        int r;

        assert(c && ret);
        type = json_string_value(json_object_get(root, "type"));
        if (!type || !streq(type, "report"))
                return 0;
        plan = json_string_value(json_object_get(root, "plan"));
        eval_date = json_string_value(json_object_get(root, "eval_date"));
        since = json_string_value(json_object_get(root, "since"));
        format = json_string_value(json_object_get(root, "format"));
        lang = json_string_value(json_object_get(root, "language"));
        f = report_format_from_string(format ? format : "pdf");
        if (!eval_date || date_parse(eval_date, &o.date) < 0 || f < 0) {
                if (ret_error)
                        *ret_error = strdup("report notice without a valid eval_date or format");
                return -EINVAL;
        }
        o.plan = plan;
        o.language = language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA;
        o.has_since = since && date_parse(since, &o.since) >= 0;
        o.generated_at = json_integer_value(json_object_get(root, "due"));

        r = report_build_with_cover(st, c, &o, f, &m.data, &m.size, &m.cover_text, &m.cover_html, ret_error);
        if (r < 0) {
                report_mail_done(&m);
                return r;
        }
        /* "<plan> <date>.<ext>": what the recipient files it as; no path separators or quotes */
        for (const char *p = plan ? plan : (c->plan ? c->plan : "rapport"); *p && k + 1 < 200; p++)
                name[k++] = (*p == '/' || *p == '\\' || *p == '"' || (unsigned char) *p < 0x20) ? '-' : *p;
        snprintf(name + k, sizeof(name) - k, " %s.%s", eval_date, f == REPORT_FORMAT_PDF ? "pdf" : "html");
        m.filename = strdup(name);
        m.content_type = f == REPORT_FORMAT_PDF ? "application/pdf" : "text/html; charset=utf-8";
        if (!m.filename) {
                report_mail_done(&m);
                return -ENOMEM;
        }
        *ret = m;
        return 1;
}
