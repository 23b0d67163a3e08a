/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report-due.c: a route's report slots (weekly, daily, across a clock change, catch-up after
 * downtime: one report, for the latest slot) and the `report:` key of a route (report-send.h's
 * payload and key; labourwatch.yaml(5)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/report-due.h"
#include "labourwatch/report-send.h"
#include "labourwatch/schedule.h"

#define SEC UINT64_C(1000000)

static uint64_t utc(int y, int mo, int d, int h, int mi)
{
        return (uint64_t) (date_to_days((Date){ y, mo, d }) * 86400 + h * 3600 + mi * 60) * SEC;
}

static Schedule cal(const char *s)
{
        Schedule sch;
        assert_int_equal(schedule_parse_calendar(s, &sch), 0);
        return sch;
}

static void test_next_slot(void **state)
{
        Schedule mon = cal("Mon 08:00");
        /* Monday 1 July 2024, 08:00 CEST = 06:00 UTC */
        assert_true(report_next_slot(&mon, utc(2024, 6, 28, 12, 0)) == utc(2024, 7, 1, 6, 0));
        /* strictly after: the slot itself gives the next week's */
        assert_true(report_next_slot(&mon, utc(2024, 7, 1, 6, 0)) == utc(2024, 7, 8, 6, 0));
        assert_true(report_next_slot(&mon, utc(2024, 7, 1, 5, 59)) == utc(2024, 7, 1, 6, 0));
        /* winter: 08:00 CET = 07:00 UTC; across the fall-back Sunday (27 October 2024) */
        assert_true(report_next_slot(&mon, utc(2024, 10, 25, 12, 0)) == utc(2024, 10, 28, 7, 0));
        /* no jitter, whatever the schedule says */
        mon.jitter_usec = 3600 * SEC;
        assert_true(report_next_slot(&mon, utc(2024, 6, 28, 12, 0)) == utc(2024, 7, 1, 6, 0));
        /* from the epoch: never "now" */
        assert_true(report_next_slot(&mon, 0) != 0);
        Schedule interval = { .kind = SCHEDULE_INTERVAL, .interval_usec = 3600 * SEC };
        assert_true(report_next_slot(&interval, utc(2024, 6, 28, 12, 0)) == SCHEDULE_NEVER);
}

static void test_due_slot(void **state)
{
        Schedule mon = cal("Mon 08:00");
        Schedule daily = cal("daily 06:00,18:00");

        /* not yet */
        assert_true(report_due_slot(&mon, utc(2024, 6, 28, 12, 0), utc(2024, 7, 1, 5, 59)) == 0);
        /* at the slot */
        assert_true(report_due_slot(&mon, utc(2024, 6, 28, 12, 0), utc(2024, 7, 1, 6, 0)) ==
                    utc(2024, 7, 1, 6, 0));
        /* sent: not again the same week */
        assert_true(report_due_slot(&mon, utc(2024, 7, 1, 6, 0), utc(2024, 7, 5, 6, 0)) == 0);
        /* three weeks down: one report, for the latest Monday missed */
        assert_true(report_due_slot(&mon, utc(2024, 7, 1, 6, 0), utc(2024, 7, 24, 9, 0)) ==
                    utc(2024, 7, 22, 6, 0));
        /* a year down: still the latest slot, with bounded work */
        assert_true(report_due_slot(&daily, utc(2023, 7, 1, 6, 0), utc(2024, 7, 24, 9, 0)) ==
                    utc(2024, 7, 24, 4, 0));
        assert_true(report_due_slot(&daily, utc(2024, 7, 24, 4, 0), utc(2024, 7, 24, 15, 59)) == 0);
        assert_true(report_due_slot(&daily, utc(2024, 7, 24, 4, 0), utc(2024, 7, 24, 16, 0)) ==
                    utc(2024, 7, 24, 16, 0));
        /* the next after a due slot is after now */
        assert_true(report_next_slot(&daily, utc(2024, 7, 24, 16, 0)) == utc(2024, 7, 25, 4, 0));
}

static char *load(const char *yaml, Config **ret, ConfigErrors *errors)
{
        char path[] = "/tmp/test-report-due-XXXXXX";
        int fd = mkstemp(path);
        FILE *f;

        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        assert_non_null(f);
        fputs(yaml, f);
        fclose(f);
        *errors = (ConfigErrors){};
        int r = config_load(path, ret, errors);
        unlink(path);
        return r < 0 ? (errors->n_items ? errors->items[0].message : (char *) "error") : NULL;
}

#define BASE                                                                                                \
        "state_dir: /tmp\nplan: Beskæftigelsesplan 2024\nrecipients:\n  chef:\n    email: "                \
        "chef@example.org\n"                                                                                \
        "notifiers:\n  archive:\n    kind: directory\n    directory: /tmp\n"

static void test_schema(void **state)
{
        Config *c = NULL;
        ConfigErrors e;

        assert_null(load(BASE "routes:\n  - notifiers: [archive]\n    recipients: [chef]\n"
                              "    report: {calendar: \"Mon 08:00\"}\n",
                         &c, &e));
        assert_int_equal(c->n_routes, 1);
        assert_true(c->routes[0].has_report);
        assert_int_equal(c->routes[0].report_format, 1); /* pdf by default */
        assert_null(c->routes[0].report_plan);
        assert_int_equal(c->routes[0].report_calendar.n_times, 1);
        assert_int_equal(c->routes[0].report_calendar.times_min[0], 8 * 60);
        assert_int_equal(c->routes[0].report_calendar.weekdays, 1);

        {
                char key[65], key2[65];
                char *p =
                        report_send_payload(c, 0, &c->notifiers[0], &c->recipients[0], utc(2024, 7, 1, 6, 0),
                                            utc(2024, 6, 24, 6, 0), utc(2024, 7, 1, 6, 0), key);
                assert_non_null(p);
                assert_non_null(strstr(p, "\"type\":\"report\""));
                assert_non_null(strstr(p, "\"eval_date\":\"2024-07-01\""));
                assert_non_null(strstr(p, "\"since\":\"2024-06-24\""));
                assert_non_null(strstr(p, "\"format\":\"pdf\""));
                assert_non_null(strstr(p, "\"route\":\"route-1\""));
                assert_non_null(strstr(p, key));
                free(p);
                /* the key is over (route, notifier, recipient, slot): the same slot, the same key */
                p = report_send_payload(c, 0, &c->notifiers[0], &c->recipients[0], utc(2024, 7, 1, 6, 0),
                                        utc(2024, 6, 30, 6, 0), utc(2024, 7, 2, 6, 0), key2);
                free(p);
                assert_string_equal(key, key2);
                p = report_send_payload(c, 0, &c->notifiers[0], &c->recipients[0], utc(2024, 7, 8, 6, 0),
                                        utc(2024, 7, 1, 6, 0), utc(2024, 7, 8, 6, 0), key2);
                free(p);
                assert_string_not_equal(key, key2);
        }
        config_free(c);
        config_errors_done(&e);

        assert_null(load(BASE "routes:\n  - notifiers: [archive]\n"
                              "    report: {calendar: \"Mon..Fri 08:30\", format: html, plan: Andet}\n",
                         &c, &e));
        assert_int_equal(c->routes[0].report_format, 0);
        assert_string_equal(c->routes[0].report_plan, "Andet");
        assert_int_equal(c->routes[0].report_calendar.weekdays, 0x1f);
        config_free(c);
        config_errors_done(&e);

        static const struct {
                const char *yaml, *want;
        } bad[] = {
                { "    report: {calendar: \"1 *-01 08:00\"}\n", "calendar: bad calendar" },
                { "    report: {format: pdf}\n", "missing required key 'calendar'" },
                { "    report: {calendar: \"Mon 08:00\", format: docx}\n", "format: expected pdf or html" },
                { "    report: {calendar: \"Mon 08:00\", when: x}\n", "unknown key 'when'" },
                { "    report: Mon 08:00\n", "expected a mapping" },
        };
        /* a report through a webhook only: reported at the route */
        c = NULL;
        {
                const char *msg = load("state_dir: /tmp\nnotifiers:\n  hook:\n    kind: webhook\n"
                                       "    url: https://example.org/hook\n"
                                       "routes:\n  - notifiers: [hook]\n    report: {calendar: \"Mon 08:00\"}\n",
                                       &c, &e);
                if (!msg || !strstr(msg, "none of this route's notifiers is smtp or directory"))
                        fail_msg("webhook-only report: got '%s'", msg ? msg : "(ok)");
                assert_int_equal(e.items[0].line, 7);
                config_free(c);
                config_errors_done(&e);
        }

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char yaml[1024];
                const char *msg;

                snprintf(yaml, sizeof yaml, BASE "routes:\n  - notifiers: [archive]\n%s", bad[i].yaml);
                c = NULL;
                msg = load(yaml, &c, &e);
                if (!msg || !strstr(msg, bad[i].want))
                        fail_msg("case %zu: got '%s', want '%s'", i, msg ? msg : "(ok)", bad[i].want);
                /* with a position: line 11 is the route's report line */
                assert_int_equal(e.items[0].line, 12);
                assert_true(e.items[0].column > 0);
                config_free(c);
                config_errors_done(&e);
        }
}

/* A "report" notice renders with the cover as its body and the report as an attachment around the
 * alternative part (multipart/mixed); a non-ASCII file name in RFC 2231 form, an ASCII one quoted. */
static void test_render_attachment(void **state)
{
        static const char payload[] =
                "{\"version\":1,\"type\":\"report\",\"notifier\":\"archive\",\"recipient\":\"chef\","
                "\"language\":\"da\",\"key\":"
                "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
                "\"created_at\":1719000000000000,\"eval_date\":\"2024-07-01\",\"plan\":\"Beskæftigelsesplan "
                "2024\","
                "\"events\":[],\"problems\":[]}";
        static const char pdf[] = "%PDF-1.5 fake";
        RecipientDef rcp = { .name = (char *) "chef", .email = (char *) "chef@example.org" };
        NotifyAttachment att = { "Beskæftigelsesplan 2024 2024-07-01.pdf", "application/pdf", pdf,
                                 sizeof(pdf) - 1 };
        NotifyRenderArgs a = { .recipient = &rcp,
                               .now_usec = 1719000000000000,
                               .attachments = &att,
                               .n_attachments = 1,
                               .cover_text = "1 mål: 1 nået\n",
                               .cover_html = "<p>1 mål: 1 nået</p>" };
        NotifyMessage m = {};
        char *err = NULL;
        const char *mixed, *alt, *part, *end;

        assert_int_equal(notify_render(&a, payload, &m, &err), 0);
        assert_non_null(strstr(m.text, "Rapporten om målene er vedhæftet"));
        assert_non_null(strstr(m.text, "1 mål: 1 nået"));
        assert_non_null(strstr(m.html, "<p>1 mål: 1 nået</p>"));
        mixed = strstr(
                m.eml,
                "Content-Type: multipart/mixed;\r\n boundary=\"=_lw_mix_0123456789abcdef0123456789abcdef\"");
        alt = strstr(m.eml, "Content-Type: multipart/alternative;");
        part = strstr(m.eml, "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                             "Content-Disposition: attachment;\r\n"
                             " filename*=utf-8''Besk%C3%A6ftigelsesplan%202024%202024-07-01.pdf\r\n\r\n"
                             "JVBERi0xLjUgZmFrZQ==\r\n");
        end = strstr(m.eml, "\r\n--=_lw_mix_0123456789abcdef0123456789abcdef--\r\n");
        assert_non_null(mixed);
        assert_non_null(alt);
        assert_non_null(part);
        assert_non_null(end);
        assert_true(mixed < alt && alt < part && part < end);
        /* the alternative is closed before the attachment */
        assert_non_null(strstr(m.eml, "--=_lw_0123456789abcdef0123456789abcdef--\r\n\r\n--=_lw_mix_"));
        notify_message_done(&m);

        att.filename = "report 2024-07-01.pdf";
        assert_int_equal(notify_render(&a, payload, &m, &err), 0);
        assert_non_null(strstr(
                m.eml, "Content-Disposition: attachment;\r\n filename=\"report 2024-07-01.pdf\"\r\n"));
        notify_message_done(&m);

        /* no attachment: no multipart/mixed */
        a.n_attachments = 0;
        assert_int_equal(notify_render(&a, payload, &m, &err), 0);
        assert_null(strstr(m.eml, "multipart/mixed"));
        notify_message_done(&m);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_next_slot),
                cmocka_unit_test(test_due_slot),
                cmocka_unit_test(test_schema),
                cmocka_unit_test(test_render_attachment),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
