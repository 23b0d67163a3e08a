/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Sending the committee report on a route's calendar (`report: {calendar:, format:, plan:}`): the
 * enqueue side. Glue like alerting.c: reads and writes the store, never logs, reads no clock.
 *
 * Per route with a report, the store keeps the last slot sent (source state "report/route-N", N the
 * route's position in routes:, from 1; last_success = the slot's usec). A route seen for the first
 * time records `now` and sends at its next slot: adding a route never sends a report at once. When a
 * slot is due (report-due.h: the latest slot missed, once), ONE transaction enqueues one outbox
 * notice of type "report" per (smtp or directory notifier, recipient) of the route and records the
 * slot: a crash before the commit sends it at the next start, after it never again. The notice's
 * idempotency key is the SHA-256 of (route, notifier, recipient, slot). Webhook and alertmanager
 * notifiers of the route get no report. Recipients: the route's, else those of the goals of the
 * report's plan the route's `goals:` match. */

#include <stddef.h>
#include <stdint.h>

#include "labourwatch/config.h"
#include "labourwatch/store.h"

typedef struct ReportSendResult {
        size_t n_due;      /* routes whose report was due */
        size_t n_enqueued; /* notices enqueued (a key already in the outbox is not counted) */
        uint64_t next_due; /* realtime usec of the next slot of any route; SCHEDULE_NEVER: none */
} ReportSendResult;

/* Enqueues the reports due at now_usec. Returns 0 and *ret, or a negative errno with *ret_error
 * (nothing of the failing route was written). */
int report_send_due(Store *st, const Config *c, uint64_t now_usec, ReportSendResult *ret, char **ret_error);

/* The notice payload (notice v1, type "report") of one report: plan, eval_date (the slot's day in
 * Copenhagen), since (the day of the previous slot: revisions listed from then), format, route,
 * due. Exposed for the tests. Caller frees. */
char *report_send_payload(const Config *c, size_t route, const NotifierDef *n, const RecipientDef *rcp,
                          uint64_t slot_usec, uint64_t previous_usec, uint64_t now_usec,
                          char ret_key[static 65]);

/* ---- delivery side ---- */

typedef struct ReportMail {
        char *data; /* the report: PDF or self-contained HTML */
        size_t size;
        char *filename;           /* "Beskæftigelsesplan 2024 2024-07-15.pdf" */
        const char *content_type; /* static */
        char *cover_text, *cover_html;
} ReportMail;

/* For an outbox notice of type "report": the report of its plan at its eval_date, in its language
 * and format, built from the store, and its cover for the message body. Returns 1 and *ret
 * (report_mail_done), 0 for a notice of another type, or a negative errno with *ret_error. */
int report_mail_build(Store *st, const Config *c, const char *payload_json, ReportMail *ret,
                      char **ret_error);
void report_mail_done(ReportMail *m);
