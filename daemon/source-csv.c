/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV files for internal figures (recruitment orders, småjob, refugees, courses): a local path or
 * a URL. Pure: the pipeline reads the file (file:// through the fetcher) and hands us the bytes.
 *
 * THE LAYOUT (documented for users in tests/data/README-csv.md, folded into labourwatch.yaml(5)):
 *
 *   - UTF-8, optionally with a BOM; lines end in LF or CRLF; empty lines are ignored.
 *   - The first line is a header naming the columns.
 *   - Separator: ';' if the header line contains a ';', otherwise ',' if it contains a ',',
 *     otherwise a tab. Fields may be quoted with "…" (then they may contain the separator, line
 *     breaks and "" for a quote).
 *   - Period column: the column named "period", "periode", "tid" or "dato" (any case), otherwise
 *     the first column. It holds period codes (2024, 2024H1, 2024K2 / 2024Q2, 2024M06, 2024QMAT02),
 *     Eurostat-style codes (2024-06, 2024-Q2, 2024-S1) or ISO dates (2024-06-30), which mean the
 *     month containing the date (the quarter / half-year when the series is declared quarterly /
 *     half-yearly).
 *   - Value columns: the series names one with `column:`; without it the file must have exactly one
 *     column besides the period column and any selection columns.
 *   - Optional row filter: each `select:` item names a column and the value a row must have there
 *     (case-insensitive), e.g. a file with several teams.
 *   - Numbers: with the ';' (and tab) separator the Danish format is assumed: ',' is the decimal
 *     mark and '.' groups thousands (1.234,5). With ',' the English format: '.' decimal, ','
 *     thousands (the field must then be quoted: "1,234.5"). Thousands groups must have exactly
 *     three digits, so an ambiguous "1.5" in a ';' file is an error rather than a silent 15.
 *   - Missing: an empty cell, ".." or "-" (the row still records that the period was published
 *     without a figure).
 *   - Every period at most once among the selected rows: a repeated period is an error.
 *   - Rows need not be sorted.
 *   Errors name FILE:LINE:COL (or URL:LINE:COL).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source-internal.h"

static int csv_plan(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SeriesDef *def = ctx->series;
        const char *path = def->path ? def->path : def->table;
        _cleanup_free_ char *url = NULL;
        int r;

        if (!path && !ctx->source->base_url)
                return source_fail(ret_error, -EINVAL, "series %s: no file given (path:)", def->name);
        r = source_join_url(ctx->source->base_url, path, &url);
        if (r == -EINVAL)
                return source_fail(ret_error, r,
                                   "series %s: cannot form an address from base_url '%s' and path '%s' "
                                   "(local paths must be absolute)",
                                   def->name, strempty(ctx->source->base_url), strempty(path));
        if (r < 0)
                return source_fail(ret_error, r, "series %s: out of memory", def->name);
        *ret = (SourceRequest){
                .step = SOURCE_STEP_DATA,
                .url = TAKE_PTR(url),
                .accept = "text/csv, text/plain;q=0.9, */*;q=0.1",
                .auth = SOURCE_AUTH_NONE,
        };
        return SOURCE_PLAN_REQUEST;
}

static bool is_period_header(const char *p, size_t len)
{
        static const char *const names[] = {"period", "periode", "tid", "dato", "date", "time"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (utf8_caseeq_n(p, len, names[i], strlen(names[i])))
                        return true;
        return false;
}

static char *header_list(const CsvReader *h)
{
        StrBuf b = {};
        for (size_t i = 0; i < h->n_fields && i < 20; i++)
                if (strbuf_printf(&b, "%s'%.*s'", i ? ", " : "", (int) MIN(h->fields[i].len, 60),
                                  h->fields[i].p) < 0) {
                        strbuf_done(&b);
                        return NULL;
                }
        return b.s ? b.s : strdup("");
}

typedef struct SeenLine {
        Period period;
        unsigned line;
} SeenLine;

static int csv_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                          const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_(series_freep) Series *s = NULL;
        _cleanup_free_ size_t *sel_col = NULL;
        _cleanup_free_ SeenLine *seen = NULL;
        _cleanup_free_ char *headers = NULL;
        size_t n_seen = 0, seen_alloc = 0;
        size_t period_col = SIZE_MAX, value_col = SIZE_MAX, n_cols, bom;
        unsigned rows = 0, matched = 0;
        NumberStyle style;
        PeriodFreq date_freq;
        CsvReader rd;
        char sep;
        int r;

        (void) src;
        (void) meta;
        r = source_check_response(SOURCE_CSV, resp, "CSV data", ret_error);
        if (r < 0)
                return r;

        /* the separator from the header line */
        bom = source_bom_len(resp->body, resp->size);
        {
                const char *h = resp->body + bom;
                size_t hl = resp->size - bom;
                const char *nl = memchr(h, '\n', hl);
                if (nl)
                        hl = (size_t) (nl - h);
                sep = memchr(h, ';', hl) ? ';' : memchr(h, ',', hl) ? ',' : '\t';
        }
        style = sep == ',' ? NUMBER_ENGLISH : NUMBER_DANISH;
        date_freq = (def->freq == PERIOD_QUARTER || def->freq == PERIOD_HALF) ? def->freq : PERIOD_MONTH;

        r = series_new(def->name, &s);
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");

        csv_reader_init(&rd, resp->body, resp->size, sep);
        r = csv_reader_next(&rd);
        if (r <= 0) {
                r = r == 0 ? source_fail(ret_error, -ENODATA, "%s: the file is empty", origin)
                           : source_fail(ret_error, r, "%s:%s", origin, strna(rd.error));
                csv_reader_done(&rd);
                return r;
        }
        n_cols = rd.n_fields;
        headers = header_list(&rd);
        for (size_t i = 0; i < n_cols; i++)
                if (period_col == SIZE_MAX && is_period_header(rd.fields[i].p, rd.fields[i].len))
                        period_col = i;
        if (period_col == SIZE_MAX)
                period_col = 0;
        if (def->n_select > 0) {
                sel_col = xmalloc_array(def->n_select, sizeof(size_t));
                if (!sel_col) {
                        csv_reader_done(&rd);
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                }
        }
        for (size_t k = 0; k < def->n_select; k++) {
                const char *d = strempty(def->select[k].dimension);
                sel_col[k] = SIZE_MAX;
                for (size_t i = 0; i < n_cols; i++)
                        if (utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len, d, strlen(d)))
                                sel_col[k] = i;
                if (sel_col[k] == SIZE_MAX) {
                        csv_reader_done(&rd);
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: the selection refers to column '%s', which does not "
                                           "exist; columns: %s",
                                           origin, d, strna(headers));
                }
        }
        if (def->column) {
                for (size_t i = 0; i < n_cols; i++)
                        if (utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len, def->column,
                                          strlen(def->column)))
                                value_col = i;
                if (value_col == SIZE_MAX) {
                        csv_reader_done(&rd);
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: column '%s' does not exist; columns: %s", origin,
                                           def->column, strna(headers));
                }
        } else {
                size_t n_candidates = 0;
                for (size_t i = 0; i < n_cols; i++) {
                        bool is_sel = false;
                        for (size_t k = 0; k < def->n_select; k++)
                                is_sel = is_sel || sel_col[k] == i;
                        if (i != period_col && !is_sel) {
                                value_col = i;
                                n_candidates++;
                        }
                }
                if (n_candidates != 1) {
                        csv_reader_done(&rd);
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: series %s names no column (column:), and the file has "
                                           "%zu possible value columns; columns: %s",
                                           origin, def->name, n_candidates, strna(headers));
                }
        }
        if (value_col == period_col) {
                csv_reader_done(&rd);
                return source_fail(ret_error, -EINVAL,
                                   "%s:1: the value column '%s' is also the period column", origin,
                                   strempty(def->column));
        }

        while ((r = csv_reader_next(&rd)) > 0) {
                const CsvField *f = rd.fields;
                bool keep = true;
                Period p;
                double v = 0;
                bool missing;

                rows++;
                if (rd.n_fields != n_cols) {
                        r = source_fail(ret_error, -EBADMSG, "%s:%u: line has %zu fields, the header %zu",
                                        origin, rd.record_line, rd.n_fields, n_cols);
                        goto finish;
                }
                for (size_t k = 0; k < def->n_select && keep; k++)
                        keep = utf8_caseeq_n(f[sel_col[k]].p, f[sel_col[k]].len, def->select[k].value,
                                             strlen(strempty(def->select[k].value)));
                if (!keep)
                        continue;
                matched++;
                if (source_parse_period(f[period_col].p, f[period_col].len, date_freq, &p) < 0) {
                        _cleanup_free_ char *x = source_excerpt(f[period_col].p, f[period_col].len, 40);
                        r = source_fail(ret_error, -EBADMSG,
                                        "%s:%u:%u: invalid period '%s' (expected e.g. 2024M06, 2024K2, "
                                        "2024 or 2024-06-30)",
                                        origin, rd.record_line, csv_field_column(&rd, period_col), strna(x));
                        goto finish;
                }
                missing = source_is_missing(f[value_col].p, f[value_col].len);
                if (!missing && source_parse_number(f[value_col].p, f[value_col].len, style, &v) < 0) {
                        _cleanup_free_ char *x = source_excerpt(f[value_col].p, f[value_col].len, 40);
                        r = source_fail(ret_error, -EBADMSG,
                                        "%s:%u:%u: invalid number '%s' in column %s (%s)", origin,
                                        rd.record_line, csv_field_column(&rd, value_col), strna(x),
                                        def->column ? def->column : "value",
                                        style == NUMBER_DANISH ? "Danish format with ';': 1.234,5"
                                                               : "English format with ',': 1234.5");
                        goto finish;
                }
                r = source_series_add(s, p, v, missing, _PERIOD_FREQ_INVALID);
                if (r == -EEXIST) {
                        char buf[PERIOD_STRING_MAX];
                        unsigned first = 0;
                        for (size_t i = 0; i < n_seen; i++)
                                if (period_equal(seen[i].period, p))
                                        first = seen[i].line;
                        r = source_fail(ret_error, -EBADMSG,
                                        "%s:%u:%u: period %s occurs again (first on line %u)", origin,
                                        rd.record_line, csv_field_column(&rd, period_col),
                                        period_to_string(p, buf), first);
                        goto finish;
                }
                if (r == -EDOM) {
                        char buf[PERIOD_STRING_MAX];
                        r = source_fail(ret_error, -EBADMSG,
                                        "%s:%u:%u: period %s has a different frequency (%s) than the "
                                        "earlier ones (%s)",
                                        origin, rd.record_line, csv_field_column(&rd, period_col),
                                        period_to_string(p, buf), period_freq_to_string(p.freq),
                                        period_freq_to_string(s->freq));
                        goto finish;
                }
                if (r < 0) {
                        r = source_fail(ret_error, r, "out of memory");
                        goto finish;
                }
                if (GREEDY_REALLOC(seen, seen_alloc, n_seen + 1) < 0) {
                        r = source_fail(ret_error, -ENOMEM, "out of memory");
                        goto finish;
                }
                seen[n_seen++] = (SeenLine){p, rd.record_line};
        }
        if (r < 0) {
                r = r == -EBADMSG ? source_fail(ret_error, r, "%s:%s", origin, strna(rd.error))
                                  : source_fail(ret_error, r, "out of memory");
                goto finish;
        }
        if (rows == 0) {
                r = source_fail(ret_error, -ENODATA, "%s: the file has only a header line, no data", origin);
                goto finish;
        }
        if (matched == 0) {
                r = source_fail(ret_error, -ENODATA, "%s: none of the %u lines matches the selection",
                                origin, rows);
                goto finish;
        }
        if (ret_note)
                *ret_note = strdup_printf(
                        "csv: separator '%s', %s numbers%s%s%s, %u lines, %u selected, column %u",
                        sep == '\t'  ? "\\t"
                        : sep == ';' ? ";"
                                     : ",",
                        style == NUMBER_DANISH ? "Danish" : "English", bom ? ", BOM" : "",
                        rd.saw_crlf ? ", CRLF" : "", rd.saw_quotes ? ", quotes" : "", rows, matched,
                        (unsigned) value_col + 1);
        *ret = TAKE_PTR(s);
        r = 0;
finish:
        csv_reader_done(&rd);
        return r;
}

const Provider provider_csv = {
        .kind = SOURCE_CSV,
        .name = "csv",
        .plan = csv_plan,
        .parse_metadata = NULL,
        .parse_data = csv_parse_data,
};
