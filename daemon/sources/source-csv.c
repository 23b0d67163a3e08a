/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV files for internal figures (recruitment orders, småjob, refugees, courses): a local path or
 * a URL. Pure: the pipeline reads the file (file:// through the fetcher) and hands us the bytes.
 *
 * THE LAYOUT (documented for users in tests/data/README-csv.md, folded into labourwatch.yaml(5)):
 *
 *   - UTF-8, optionally with a BOM; or Windows-1252, as Excel saves "CSV (semikolonsepareret)" on
 *     many machines: a file that is not valid UTF-8 is read as Windows-1252 (source `encoding:`
 *     auto, the default), or the source says which (`encoding: utf-8` then refuses invalid bytes
 *     at LINE:COL). Lines end in LF or CRLF; empty lines are ignored.
 *   - An optional first line "sep=;" (Excel's) sets the separator and is skipped.
 *   - The first (other) line is a header naming the columns.
 *   - Separator: from "sep=", else ';' if the header line contains a ';', otherwise ',' if it
 *     contains a ',', otherwise a tab. Fields may be quoted with "…" (then they may contain the separator,
 * line breaks and "" for a quote).
 *   - Period column: the column named "period", "periode", "tid" or "dato" (any case), otherwise
 *     the first column. It holds period codes (2024, 2024H1, 2024K2 / 2024Q2, 2024M06, 2024QMAT02),
 *     Eurostat-style codes (2024-06, 2024-Q2, 2024-S1) or ISO dates (2024-06-30), which mean the
 *     month containing the date (the quarter / half-year when the series is declared quarterly /
 *     half-yearly); or the labels spreadsheets carry: "jan. 2024", "januar 2024", "K1 2024",
 *     "1. kvt. 2024", "01-01-2024" (day-month-year). A label that is not recognised, or could be
 *     several periods, is an error at FILE:LINE:COL listing the accepted forms.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
        SourceResponse utf8;  /* the response, as UTF-8 */
        char *converted;      /* owned body of utf8 when it was converted from Windows-1252 */
        const char *encoding; /* what was read: "UTF-8", "Windows-1252 (not valid UTF-8)" */
        bool sep_line;        /* an Excel "sep=;" first line */
} CsvFile;

static void csv_file_done(CsvFile *f)
{
        csv_reader_done(&f->rd);
        free(f->sel_col);
        free(f->headers);
        free(f->converted);
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
        r = source_parse_period_label(fl[pc].p, fl[pc].len, def->freq, f->date_freq, &p);
        if (r < 0) {
                _cleanup_free_ char *x = source_excerpt(fl[pc].p, fl[pc].len, 40);
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s:%u:%u: invalid period '%s'%s (accepted forms: " SOURCE_PERIOD_LABEL_FORMS ")",
                        f->origin, rd->record_line, csv_field_column(rd, pc), strna(x),
                        r == -EDOM ? ": it may be a quarter, a month or a half-year" : "");
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

/* Windows-1252's 0x80-0x9F (the rest of 0xA0-0xFF is Latin-1); U+FFFD for its five holes. */
static const uint16_t cp1252_high[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* The offset of the first byte that breaks UTF-8 (overlongs, surrogates and > U+10FFFF
 * included), or SIZE_MAX when s is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
        size_t i = 0;
        while (i < n) {
                unsigned c = s[i], need, min;
                uint32_t cp;
                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xC2 && c <= 0xDF)
                        need = 1, min = 0x80, cp = c & 0x1F;
                else if (c >= 0xE0 && c <= 0xEF)
                        need = 2, min = 0x800, cp = c & 0x0F;
                else if (c >= 0xF0 && c <= 0xF4)
                        need = 3, min = 0x10000, cp = c & 0x07;
                else
                        return i;
                if (n - i <= need)
                        return i;
                for (unsigned k = 1; k <= need; k++) {
                        if ((s[i + k] & 0xC0) != 0x80)
                                return i;
                        cp = (cp << 6) | (s[i + k] & 0x3F);
                }
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return i;
                i += need + 1;
        }
        return SIZE_MAX;
}

static int cp1252_to_utf8(const unsigned char *s, size_t n, char **ret, size_t *ret_n)
{
        char *o = xmalloc_array(n + 1, 3), *q;

        if (!o)
                return -ENOMEM;
        q = o;
        for (size_t i = 0; i < n; i++) {
                uint32_t cp = s[i] >= 0x80 && s[i] < 0xA0 ? cp1252_high[s[i] - 0x80] : s[i];
                if (cp < 0x80)
                        *q++ = (char) cp;
                else if (cp < 0x800) {
                        *q++ = (char) (0xC0 | (cp >> 6));
                        *q++ = (char) (0x80 | (cp & 0x3F));
                } else {
                        *q++ = (char) (0xE0 | (cp >> 12));
                        *q++ = (char) (0x80 | ((cp >> 6) & 0x3F));
                        *q++ = (char) (0x80 | (cp & 0x3F));
                }
        }
        *q = 0;
        *ret = o;
        *ret_n = (size_t) (q - o);
        return 0;
}

/* Makes f->utf8 the response in UTF-8: as it is, or converted from Windows-1252 when the source
 * says so or (encoding auto) when it is not valid UTF-8. */
static int csv_decode(CsvFile *f, const char *encoding, char **ret_error)
{
        const SourceResponse *resp = f->resp;
        size_t bad, n = 0;
        int r;

        f->utf8 = *resp;
        f->encoding = "UTF-8";
        if (encoding && (utf8_caseeq(encoding, "windows-1252") || utf8_caseeq(encoding, "cp1252")))
                bad = 0; /* converted whatever it looks like */
        else {
                bad = utf8_invalid_at((const unsigned char *) resp->body, resp->size);
                if (bad == SIZE_MAX)
                        return 0;
                if (encoding && !utf8_caseeq(encoding, "auto")) {
                        unsigned line = 1, col = 1;
                        for (size_t i = 0; i < bad; i++)
                                if (resp->body[i] == '\n')
                                        line++, col = 1;
                                else if (((unsigned char) resp->body[i] & 0xC0) != 0x80)
                                        col++;
                        return source_fail(
                                ret_error, -EBADMSG,
                                "%s:%u:%u: not valid UTF-8 (byte 0x%02X), but the source says "
                                "encoding: %s; a file Excel saved as \"CSV (semikolonsepareret)\" is "
                                "often Windows-1252: say encoding: windows-1252, or auto",
                                f->origin, line, col, (unsigned char) resp->body[bad], encoding);
                }
        }
        r = cp1252_to_utf8((const unsigned char *) resp->body, resp->size, &f->converted, &n);
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");
        f->utf8.body = f->converted;
        f->utf8.size = n;
        f->encoding = bad == 0 && encoding ? "Windows-1252" : "Windows-1252 (not valid UTF-8)";
        return 0;
}

/* The separator: Excel's "sep=;" first line, else from the header line. */
static void csv_find_separator(CsvFile *f, size_t bom)
{
        const char *h = f->utf8.body + bom;
        size_t hl = f->utf8.size - bom;
        const char *nl = memchr(h, '\n', hl);

        if (nl)
                hl = (size_t) (nl - h);
        if (hl > 0 && h[hl - 1] == '\r')
                hl--;
        if (hl >= 2 && h[0] == '"' && h[hl - 1] == '"')
                h++, hl -= 2;
        if (hl == 5 && strncasecmp(h, "sep=", 4) == 0 && h[4] != '"' && h[4] != '\n') {
                f->sep = h[4];
                f->sep_line = true;
                return;
        }
        f->sep = memchr(h, ';', hl) ? ';' : memchr(h, ',', hl) ? ',' : '\t';
}

static int csv_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                          const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        _cleanup_(csv_file_done) CsvFile f = { .def = def, .resp = resp, .origin = source_origin(resp) };
        size_t bom;
        int r;

        (void) meta;
        r = source_check_response(SOURCE_CSV, resp, "CSV data", ret_error);
        if (r < 0)
                return r;
        r = csv_decode(&f, src ? src->encoding : NULL, ret_error);
        if (r < 0)
                return r;
        resp = &f.utf8;
        bom = source_bom_len(resp->body, resp->size);
        csv_find_separator(&f, bom);
        f.style = f.sep == ',' ? NUMBER_ENGLISH : NUMBER_DANISH;
        f.date_freq = (def->freq == PERIOD_QUARTER || def->freq == PERIOD_HALF) ? def->freq : PERIOD_MONTH;

        r = series_new(def->name, &s);
        if (r < 0)
                return source_fail(ret_error, r, "out of memory");

        csv_reader_init(&f.rd, resp->body, resp->size, f.sep);
        if (f.sep_line) { /* skip "sep=;", counting its line */
                const char *nl = memchr(resp->body + bom, '\n', resp->size - bom);
                f.rd.pos = nl ? (size_t) (nl - resp->body) + 1 : resp->size;
                f.rd.line = 2;
        }
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
                        "csv: %s, separator '%s'%s, %s numbers%s%s%s, %u lines, %u selected, column %u",
                        f.encoding,
                        f.sep == '\t'  ? "\\t"
                        : f.sep == ';' ? ";"
                                       : ",",
                        f.sep_line ? " (sep= line)" : "", f.style == NUMBER_DANISH ? "Danish" : "English",
                        bom ? ", BOM" : "", f.rd.saw_crlf ? ", CRLF" : "", f.rd.saw_quotes ? ", quotes" : "",
                        f.rows, f.matched, (unsigned) f.value_col + 1);
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
