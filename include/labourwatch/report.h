/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The committee report (in the shape of a yearly resultatrevision): a cover with the plan, the
 * municipality, the evaluation date and a summary table of every goal, then one section per goal
 * with its chart, its figures, the explanation (text.h), the source tables with their fetch dates,
 * and the revisions of its figures. HTML as one self-contained file (charts inline as data: URIs, no
 * external resource, readable from 600 px up) or PDF (A4 pages, drawn with cairo).
 *
 * Glue like evaluate.c: reads the store and the configuration, never logs, reads no clock (the
 * caller passes the dates), writes nothing but the bytes it returns. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/chart.h"
#include "labourwatch/config.h"
#include "labourwatch/format.h"
#include "labourwatch/period.h"
#include "labourwatch/store.h"

typedef enum ReportFormat {
        REPORT_FORMAT_HTML,
        REPORT_FORMAT_PDF,
        _REPORT_FORMAT_MAX,
        _REPORT_FORMAT_INVALID = -EINVAL,
} ReportFormat;

const char *report_format_to_string(ReportFormat f); /* "html", "pdf" */
ReportFormat report_format_from_string(const char *s);

typedef struct ReportOptions {
        const char *plan;       /* goals whose plan is this; NULL: Config.plan */
        Date date;              /* the evaluation date */
        Language language;
        bool has_since;
        Date since;             /* list revisions that arrived on or after this day; else all */
        int64_t generated_at;   /* usec realtime, printed as "udarbejdet"; 0: not printed */
} ReportOptions;

/* Builds the report of plan o->plan at o->date from the figures in st (may be NULL: every goal
 * without figures). Returns 0 with *ret (caller frees; HTML is NUL-terminated) and *ret_size,
 * -ENOENT with *ret_error when no goal belongs to the plan, -ENOMEM, or another negative errno with
 * *ret_error (store or evaluation errors). */
int report_build(Store *st, const Config *c, const ReportOptions *o, ReportFormat f, char **ret,
                 size_t *ret_size, char **ret_error);
/* The same, and the cover as a message body (a route's `report:` mail): the summary sentence ("6 mål:
 * 5 nået, 1 ikke nået") and the summary table, as text (*ret_cover_text) and HTML (*ret_cover_html,
 * a fragment with inline styles); both caller-freed. NULL cover pointers: like report_build. */
int report_build_with_cover(Store *st, const Config *c, const ReportOptions *o, ReportFormat f, char **ret,
                            size_t *ret_size, char **ret_cover_text, char **ret_cover_html, char **ret_error);

/* ---- charts for messages: the goals' charts alone ---- */

typedef struct ReportChart {
        const GoalDef *goal;  /* points into the Config */
        void *data;           /* the rendered chart (owned) */
        size_t size;
        char alt[640];        /* text alternative stating the verdict: "Diagram over TITLE: Nået. Værdi 388 …" */
        int width, height;    /* the size to show it at, in CSS px: 600x300, compact 300x167 */
} ReportChart;

/* Renders the chart of each goal named in ids (n_ids; ids NULL: every goal of c) at date, from the
 * figures in st (may be NULL), in format f, as the report draws them (compact: the small chart of a
 * digest, ChartData.compact). The series are loaded and the
 * goals evaluated once for all of them. A name that is no goal of c fails with -ENOENT and
 * *ret_error. *ret receives n_ids charts (caller frees with report_charts_free). */
int report_charts(Store *st, const Config *c, char *const *ids, size_t n_ids, Date date, Language l,
                  ChartFormat f, bool compact, ReportChart **ret, size_t *ret_n, char **ret_error);
void report_charts_free(ReportChart *charts, size_t n);

/* The charts of the goals a notice (the outbox payload, version 1, type "goals") is about, at its
 * eval_date and in its language, as PNG (compact when it is about several goals): what notify_render() shows inline (NotifyImage). A notice
 * of another type, without eval_date, or naming no goal of c gives no charts (0, *ret_n = 0); goals
 * the configuration no longer has are left out. Returns 0 or a negative errno (-EINVAL: not a
 * notice) with *ret_error. */
#define REPORT_NOTICE_CHARTS_MAX 20 /* charts for the first 20 goals of a notice, no more */
int report_notice_charts(Store *st, const Config *c, const char *payload_json, ReportChart **ret, size_t *ret_n,
                         char **ret_error);

/* Base64 (RFC 4648, with padding) of n bytes. Returns a NUL-terminated string (caller frees) or NULL
 * on OOM. */
char *report_base64(const void *data, size_t n);
