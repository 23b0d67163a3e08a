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
        static const char *const names[] = { "period", "periode", "tid", "dato", "date", "time" };
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

/* One CSV file being read: the layout found in its header and what the rows gave. */
typedef struct CsvFile {
        const SeriesDef *def;
        const SourceResponse *resp;
        const char *origin;
        CsvReader rd;
        char sep;
        NumberStyle style;
        PeriodFreq date_freq;
        size_t n_cols, period_col, value_col;
        size_t *sel_col; /* by select item */
        char *headers;   /* for messages */
        unsigned rows, matched;
        PointSet points;
} CsvFile;

static void csv_file_done(CsvFile *f)
{
        csv_reader_done(&f->rd);
        free(f->sel_col);
        free(f->headers);
        point_set_done(&f->points);
}

static size_t csv_find_column(const CsvReader *rd, const char *name)
{
        size_t col = SIZE_MAX;
        /* the last of equal names, as before */
        for (size_t i = 0; i < rd->n_fields; i++)
                if (utf8_caseeq_n(rd->fields[i].p, rd->fields[i].len, name, strlen(name)))
                        col = i;
        return col;
}

/* The period, selection and value columns from the header line (the current record). */
static int csv_read_header(CsvFile *f, char **ret_error)
{
        const SeriesDef *def = f->def;
        const CsvReader *rd = &f->rd;

        f->n_cols = rd->n_fields;
        f->headers = header_list(rd);
        f->period_col = SIZE_MAX;
        f->value_col = SIZE_MAX;
        for (size_t i = 0; i < f->n_cols && f->period_col == SIZE_MAX; i++)
                if (is_period_header(rd->fields[i].p, rd->fields[i].len))
                        f->period_col = i;
        if (f->period_col == SIZE_MAX)
                f->period_col = 0;
        f->sel_col = xmalloc_array(def->n_select + 1, sizeof(size_t));
        if (!f->sel_col)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t k = 0; k < def->n_select; k++) {
                const char *d = strempty(def->select[k].dimension);
                f->sel_col[k] = csv_find_column(rd, d);
                if (f->sel_col[k] == SIZE_MAX)
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: the selection refers to column '%s', which does not "
                                           "exist; columns: %s",
                                           f->origin, d, strna(f->headers));
        }
        if (def->column) {
                f->value_col = csv_find_column(rd, def->column);
                if (f->value_col == SIZE_MAX)
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: column '%s' does not exist; columns: %s", f->origin,
                                           def->column, strna(f->headers));
        } else {
                size_t n_candidates = 0;
                for (size_t i = 0; i < f->n_cols; i++) {
                        bool is_sel = false;
                        for (size_t k = 0; k < def->n_select; k++)
                                is_sel = is_sel || f->sel_col[k] == i;
                        if (i != f->period_col && !is_sel) {
                                f->value_col = i;
                                n_candidates++;
                        }
                }
                if (n_candidates != 1)
                        return source_fail(ret_error, -ENOENT,
                                           "%s:1: series %s names no column (column:), and the file has "
                                           "%zu possible value columns; columns: %s",
                                           f->origin, def->name, n_candidates, strna(f->headers));
        }
        if (f->value_col == f->period_col)
                return source_fail(ret_error, -EINVAL,
                                   "%s:1: the value column '%s' is also the period column", f->origin,
                                   strempty(def->column));
        return 0;
}

/* One data line (the current record): filtered by the selection, then period and value. */
static int csv_read_row(CsvFile *f, char **ret_error)
{
        const SeriesDef *def = f->def;
        const CsvReader *rd = &f->rd;
        const CsvField *fl = rd->fields;
        size_t pc = f->period_col, vc = f->value_col, first = 0;
        bool missing;
        double v = 0;
        Period p;
        int r;

        f->rows++;
        if (rd->n_fields != f->n_cols)
                return source_fail(ret_error, -EBADMSG, "%s:%u: line has %zu fields, the header %zu",
                                   f->origin, rd->record_line, rd->n_fields, f->n_cols);
        for (size_t k = 0; k < def->n_select; k++)
                if (!utf8_caseeq_n(fl[f->sel_col[k]].p, fl[f->sel_col[k]].len, def->select[k].value,
                                   strlen(strempty(def->select[k].value))))
                        return 0;
        f->matched++;
        if (source_parse_period(fl[pc].p, fl[pc].len, f->date_freq, &p) < 0) {
                _cleanup_free_ char *x = source_excerpt(fl[pc].p, fl[pc].len, 40);
                return source_fail(ret_error, -EBADMSG,
                                   "%s:%u:%u: invalid period '%s' (expected e.g. 2024M06, 2024K2, "
                                   "2024 or 2024-06-30)",
                                   f->origin, rd->record_line, csv_field_column(rd, pc), strna(x));
        }
        missing = source_is_missing(fl[vc].p, fl[vc].len);
        if (!missing && source_parse_number(fl[vc].p, fl[vc].len, f->style, &v) < 0) {
                _cleanup_free_ char *x = source_excerpt(fl[vc].p, fl[vc].len, 40);
                return source_fail(ret_error, -EBADMSG, "%s:%u:%u: invalid number '%s' in column %s (%s)",
                                   f->origin, rd->record_line, csv_field_column(rd, vc), strna(x),
                                   def->column ? def->column : "value",
                                   f->style == NUMBER_DANISH ? "Danish format with ';': 1.234,5"
                                                             : "English format with ',': 1234.5");
        }
        r = point_set_add(&f->points, p, v, missing, _PERIOD_FREQ_INVALID, rd->record_line, &first);
        if (r == -EEXIST) {
                char buf[PERIOD_STRING_MAX];
                return source_fail(ret_error, -EBADMSG,
                                   "%s:%u:%u: period %s occurs again (first on line %zu)", f->origin,
                                   rd->record_line, csv_field_column(rd, pc), period_to_string(p, buf),
                                   first);
        }
        if (r == -EDOM) {
                char buf[PERIOD_STRING_MAX];
                return source_fail(ret_error, -EBADMSG,
                                   "%s:%u:%u: period %s has a different frequency (%s) than the "
                                   "earlier ones (%s)",
                                   f->origin, rd->record_line, csv_field_column(rd, pc),
                                   period_to_string(p, buf), period_freq_to_string(p.freq),
                                   period_freq_to_string(f->points.points[0].period.freq));
        }
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");
        return 0;
}

static int csv_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                          const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        _cleanup_(csv_file_done) CsvFile f = { .def = def, .resp = resp, .origin = source_origin(resp) };
        size_t bom;
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
                f.sep = memchr(h, ';', hl) ? ';' : memchr(h, ',', hl) ? ',' : '\t';
        }
        f.style = f.sep == ',' ? NUMBER_ENGLISH : NUMBER_DANISH;
        f.date_freq = (def->freq == PERIOD_QUARTER || def->freq == PERIOD_HALF) ? def->freq : PERIOD_MONTH;

        r = series_new(def->name, &s);
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");

        csv_reader_init(&f.rd, resp->body, resp->size, f.sep);
        r = csv_reader_next(&f.rd);
        if (r <= 0) {
                return r == 0 ? source_fail(ret_error, -ENODATA, "%s: the file is empty", f.origin)
                              : source_fail(ret_error, r, "%s:%s", f.origin, strna(f.rd.error));
        }
        r = csv_read_header(&f, ret_error);
        if (r < 0)
                return r;
        while ((r = csv_reader_next(&f.rd)) > 0) {
                r = csv_read_row(&f, ret_error);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r == -EBADMSG ? source_fail(ret_error, r, "%s:%s", f.origin, strna(f.rd.error))
                                     : source_fail(ret_error, r, "out of memory");
        if (f.rows == 0)
                return source_fail(ret_error, -ENODATA, "%s: the file has only a header line, no data",
                                   f.origin);
        if (f.matched == 0)
                return source_fail(ret_error, -ENODATA, "%s: none of the %u lines matches the selection",
                                   f.origin, f.rows);
        r = point_set_to_series(&f.points, s);
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");
        if (ret_note)
                *ret_note = strdup_printf(
                        "csv: separator '%s', %s numbers%s%s%s, %u lines, %u selected, column %u",
                        f.sep == '\t'  ? "\\t"
                        : f.sep == ';' ? ";"
                                       : ",",
                        f.style == NUMBER_DANISH ? "Danish" : "English", bom ? ", BOM" : "",
                        f.rd.saw_crlf ? ", CRLF" : "", f.rd.saw_quotes ? ", quotes" : "", f.rows, f.matched,
                        (unsigned) f.value_col + 1);
        *ret = TAKE_PTR(s);
        return 0;
}

const Provider provider_csv = {
        .kind = SOURCE_CSV,
        .name = "csv",
        .plan = csv_plan,
        .parse_metadata = NULL,
        .parse_data = csv_parse_data,
};
