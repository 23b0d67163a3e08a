/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared between the provider modules (daemon/source*.c) only. Not a cross-module contract: the
 * rest of the daemon uses include/labourwatch/source.h. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "labourwatch/macro.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(ProviderMeta *, provider_meta_free);

/* One selection item after resolution against metadata. */
typedef struct ResolvedItem {
        char *dimension; /* canonical dimension id (Statbank variable id, Jobindsats dimension_id) */
        char *code;      /* Statbank value id, Jobindsats value_id */
        char *text;      /* value text / value_name */
        char *hierarchy; /* Jobindsats v3: hierarchy_id the value was found in */
        char *column;    /* Jobindsats: column label to filter on in data (dimension name), or NULL */
} ResolvedItem;

/* A Statbank tableinfo / PxWeb metadata variable. */
typedef struct MetaVariable {
        char *id, *text;
        bool elimination, time;
        char **values; /* PxWeb: the value codes (for the time variable and single-valued ones) */
        size_t n_values;
} MetaVariable;

/* Jobindsats v3 dimension (only what the request needs). */
typedef struct MetaDimension {
        char *id, *name;
        char *first_hierarchy;
} MetaDimension;

struct ProviderMeta {
        SourceKind kind;
        char *table;
        char *updated;       /* statbank tableinfo "updated" */
        ResolvedItem *items; /* parallel to SeriesDef.select */
        size_t n_items;
        MetaVariable *vars; /* statbank */
        size_t n_vars;
        MetaDimension *dims; /* jobindsats v3 */
        size_t n_dims;
        char **period_ids; /* jobindsats: ids of the series' frequency, ascending */
        size_t n_period_ids;
        char *period_type; /* jobindsats v3 periodtype_id for the series' frequency ("M") */
        char *measure_dim, *measure_code; /* pxweb: measure: resolved (ContentsCode and its code) */
};

int meta_new(SourceKind kind, ProviderMeta **ret);
int meta_add_item(ProviderMeta *m, const char *dimension, const char *code, const char *text,
                  const char *hierarchy, const char *column);
int meta_add_period_id(ProviderMeta *m, const char *id);

/* Sets *ret_error (if non-NULL) to a formatted message and returns r (negative errno). */
int source_fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);

/* The checks every provider makes before parsing a response: a non-2xx status (the provider's own
 * words, -EREMOTEIO), an HTML page instead of data even with 200 (-EPROTO), an empty body
 * (-ENODATA). what names the expected content ("data", "CSV data", "table information (JSON)").
 * Returns 0 when the body is worth parsing. */
int source_check_response(SourceKind kind, const SourceResponse *resp, const char *what, char **ret_error);

/* Case-insensitive comparison of UTF-8 strings of given lengths, folding ASCII and the Latin-1
 * letters (Æ/æ, Ø/ø, Å/å, É/é …); whitespace at both ends is ignored. */
bool utf8_caseeq_n(const char *a, size_t alen, const char *b, size_t blen);
bool utf8_caseeq(const char *a, const char *b);

/* Fails with -ENOENT: "table T: variable 'name' does not exist; variables: ID (text), …", listing
 * m->vars (Statistikbank and PxWeb metadata). Returns -ENOENT (or what source_fail returns). */
int source_fail_unknown_variable(const ProviderMeta *m, const char *name, char **ret_error);

/* "163 (Herlev), …" (callers put "e.g." before it): up to five values sharing the longest prefix
 * with want, else the first three, then "… (N in all)". ids or texts may be NULL (arrays of n).
 * Caller owns; NULL on OOM. */
char *source_candidates(const char *want, const char *const *ids, const char *const *texts, size_t n);

/* Skips a leading UTF-8 BOM. */
size_t source_bom_len(const char *s, size_t size);

/* A printable, quoted excerpt of untrusted text (at most max bytes, control characters replaced
 * by '?', cut at a UTF-8 boundary) for error messages. Caller owns. */
char *source_excerpt(const char *s, size_t len, size_t max);

/* Where a response came from, for messages: the URL with "file://" stripped. Points into resp. */
const char *source_origin(const SourceResponse *resp);

typedef enum NumberStyle {
        NUMBER_DECIMAL_ANY, /* Statbank: no thousands separators; decimal ',' (da) or '.' (en) */
        NUMBER_DANISH,      /* 1.234,5 : '.' groups thousands, ',' is the decimal mark */
        NUMBER_ENGLISH,     /* 1,234.5 */
} NumberStyle;

/* Parses a number cell (surrounding spaces allowed). Thousands separators must group by three.
 * Returns 0 or -EINVAL. */
int source_parse_number(const char *s, size_t len, NumberStyle style, double *ret);

/* "" / ".." / "-" (after trimming spaces): a published cell without a figure. */
bool source_is_missing(const char *s, size_t len);

/* Periods as labels (source-period.c): after the codes and ISO forms of source_parse_period(),
 * month names (Danish and English, full or abbreviated: "jan. 2024", "januar 2024", "Sep 1999",
 * "2024 jan"), quarters and halves ("K1 2024", "Q1 2024", "2024 Q1", "1. kvt. 2024",
 * "2. kvartal 2024", "1. halvår 2024", "H1 2024"), day-month-year dates ("01-01-2024", "1.1.2024",
 * "31/12/2024": the period of date_freq containing it) and "2005 - 1" (the sub-period of
 * freq_hint, which must be quarter, month or half). Returns 0, -EDOM for "2005 - 1" without such a
 * hint (ambiguous), -EINVAL when not recognised. */
int source_parse_period_label(const char *s, size_t len, PeriodFreq freq_hint, PeriodFreq date_freq, Period *ret);
#define SOURCE_PERIOD_LABEL_FORMS                                                                              \
        "2024M06, 2024K2, 2024Q2, 2024, 2024-06, 2024-06-30, jan. 2024, januar 2024, K1 2024, 1. kvt. 2024, "  \
        "01-01-2024"

/* Parses s by a time_format: %Y year (4 digits), %q quarter, %h half-year, %m month (1-2
 * digits), %b month name (Danish/English, "jan." too), %d day (checked, then ignored), %%; a space
 * matches any run of blanks. The whole of s must match. Returns 0 or -EINVAL. */
int source_parse_period_format(const char *s, size_t len, const char *format, Period *ret);
bool source_time_format_is_valid(const char *format); /* known conversions, and a %Y */

/* Adds a point, refusing a repeated period (-EEXIST) and a frequency other than the series' or
 * want_freq (-EDOM; want_freq may be _PERIOD_FREQ_INVALID = any). */
int source_series_add(Series *s, Period p, double value, bool missing, PeriodFreq want_freq);

/* Points collected in the order a response lists them (often newest first), checked as they come
 * and put into the Series sorted at the end: O(n log n) whatever the order, where series_put()
 * one by one would move the tail for each point. */
typedef struct CollectedPoint {
        Period period;
        double value;
        bool missing;
        size_t where; /* the caller's position (line, row) for "first on line N" */
} CollectedPoint;

typedef struct PointSet {
        CollectedPoint *points;
        size_t n, n_alloc;
        size_t *slots; /* open-addressing hash of periods -> index in points; SIZE_MAX = empty */
        size_t n_slots;
} PointSet;

/* Like source_series_add(): -EDOM for a frequency other than want_freq or the first point's,
 * -EEXIST for a repeated period (then *ret_first, if non-NULL, is the `where` of its first
 * occurrence), -EINVAL for an invalid period, -ENOMEM. */
int point_set_add(PointSet *ps, Period p, double value, bool missing, PeriodFreq want_freq, size_t where,
                  size_t *ret_first);
/* Sorts the points and puts them into s (empty). Returns 0 or -ENOMEM. */
int point_set_to_series(PointSet *ps, Series *s);
void point_set_done(PointSet *ps);

/* A sorted index over strings (dimension ids, category ids): one sort, then O(log n) lookups,
 * instead of comparing each against all the others. The keys must outlive the index. */
typedef struct StrIndexEntry {
        const char *key;
        size_t pos;
} StrIndexEntry;
typedef struct StrIndex {
        StrIndexEntry *e;
        size_t n;
} StrIndex;
int str_index_init(StrIndex *x, size_t n); /* then fill x->e[i] = {key, i} for i < n */
/* Sorts; -EEXIST when a key occurs twice (*ret_dup: the later position of the first pair). */
int str_index_sort(StrIndex *x, size_t *ret_dup);
size_t str_index_find(const StrIndex *x, const char *key); /* the position, or SIZE_MAX */
void str_index_done(StrIndex *x);

/* Makes an absolute URL from base (http(s)://, file:// or a plain path) and a path that may itself
 * be absolute (http(s)://, file://, or starting with '/' for a local file). Plain paths become
 * file:// URLs, percent-encoding what needs it. Caller owns *ret. */
int source_join_url(const char *base, const char *path, char **ret);

/* Appends to a growing string. Returns 0 or -ENOMEM. */
typedef struct StrBuf {
        char *s;
        size_t len, alloc;
} StrBuf;
int strbuf_append(StrBuf *b, const char *s, size_t len);
int strbuf_puts(StrBuf *b, const char *s);
int strbuf_printf(StrBuf *b, const char *fmt, ...) _printf_(2, 3);
/* Percent-encodes s for a URL query component. */
int strbuf_put_urlencoded(StrBuf *b, const char *s);
void strbuf_done(StrBuf *b);

/* ---- CSV reading over an in-memory buffer, without building a row table ---- */
typedef struct CsvField {
        const char *p;
        size_t len;
        unsigned col; /* 1-based character column, or 0: use csv_field_column() */
} CsvField;

typedef struct CsvReader {
        const char *buf;
        size_t size, pos;
        char sep;
        unsigned line;          /* line of the next record (1-based) */
        unsigned record_line;   /* line where the last record started */
        const char *line_start; /* of the last record (in buf) */
        CsvField *fields;
        size_t n_fields, n_alloc;
        char *scratch; /* unescaped quoted fields of the current record */
        size_t scratch_len, scratch_alloc;
        bool saw_crlf, saw_quotes;
        char *error; /* on -EBADMSG: what was wrong (caller adds origin) */
} CsvReader;

/* buf[0..size) must outlive the reader. A BOM at the start is skipped (see saw_bom). */
void csv_reader_init(CsvReader *r, const char *buf, size_t size, char sep);
/* Returns 1 with r->fields set, 0 at the end, -EBADMSG (r->error set) or -ENOMEM. Empty lines
 * are skipped. */
int csv_reader_next(CsvReader *r);
void csv_reader_done(CsvReader *r);
/* 1-based character column of field i of the current record. */
unsigned csv_field_column(const CsvReader *r, size_t i);

/* ---- JSON helpers ---- */

/* Loads JSON (after a BOM) with jansson. On failure returns -EBADMSG with a message naming origin,
 * line and column. */
int source_json_load(const SourceResponse *resp, json_t **ret, char **ret_error);
/* A JSON scalar as text (strings as is, numbers formatted, NULL for others). Caller owns. */
char *json_scalar_to_string(const json_t *v);

/* ---- JSON-stat extraction, shared by source-jsonstat.c and Statbank's JSONSTAT ---- */
typedef struct JsonStatQuery {
        const SelectionItem *select; /* the series' selection */
        size_t n_select;
        const ResolvedItem *resolved; /* optional, parallel to select (Statbank codes) */
        const char *measure;          /* metric category id or label; may be NULL */
        const char *dataset;          /* bundle key to use when there are several; may be NULL */
        bool dataset_required;        /* dataset was named by the user: a bundle must have it */
        const char *time_format;      /* SeriesDef.time_format, or NULL: codes/labels recognised */
        PeriodFreq want_freq;         /* the series' frequency: time categories of another one are
                                       * skipped (a dimension mixing years and quarters); invalid: all
                                       * periods, which must then share one frequency */
} JsonStatQuery;

int jsonstat_extract(const SourceResponse *resp, const JsonStatQuery *q, Series *s, char **ret_note,
                     char **ret_error);
/* The query for a jsonstat/pxweb series: its selection, measure, time_format and frequency; the
 * dataset from dataset:, else "table: ADDRESS#DATASET" (both required to exist in a bundle), else
 * the last path component of table: (used when it matches). Points into def. */
void jsonstat_query_for(const SeriesDef *def, JsonStatQuery *q);

/* The providers. */
extern const Provider provider_statbank;
extern const Provider provider_jobindsats;
extern const Provider provider_csv;
extern const Provider provider_jsonstat;
extern const Provider provider_pxweb;
