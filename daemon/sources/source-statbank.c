/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics Denmark, Statistikbank API (api.statbank.dk/v1). Pure: plans requests, parses bodies.
 * Quotes are from /work/shared/reference/data-sources.md (§1), with its [V]/[3P]/[I] marks.
 *
 * Flow: POST /v1/tableinfo {"table","lang","format":"JSON"} -> resolve the selection's texts to
 * value codes ("Herlev" -> 163) and read `updated`; if `updated` equals the one stored with the last
 * data fetch, stop (SOURCE_PLAN_UNCHANGED); else POST /v1/data with format CSV and
 * valuePresentation Code, and filter the rows to the selection.
 *
 * Facts relied on:
 *   - "In POST the key is `table`; `id` does not work there" [3P].
 *   - "`time: true` marks the time variable. Its id is literally `Tid` … CSV headers spell it `TID`"
 *     [V] — we take the id from tableinfo and match the header case-insensitively.
 *   - "value column always named `INDHOLD`" [V].
 *   - "Decimal separator follows `lang`: comma for `da`, point for `en`"; "No thousands separators"
 *     [V] — so either mark is accepted as the decimal mark.
 *   - "Missing value in a stored row: `..` (since Dec 2017; before it was empty)" [V].
 *   - "whether a BOM is sent is not documented — strip one if present" [I]; "Lines end with \r\n or
 *     \n — accept both" [I].
 *   - "Errors: HTTP status 400 with a small JSON body {errorTypeCode, message}" [V]; "A 404 with a
 *     non-JSON body is possible" [3P]. Messages are quoted verbatim, keyed on nothing.
 *   - BULK: "a missing combination is simply absent and means suppressedDataValue" [V]: absent rows
 *     are not invented here; the series simply has no point for that period.
 *   - JSONSTAT is DST's JSON-stat 1.x bundle (§1.8); parsed by the shared JSON-stat reader.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source-internal.h"

#define STATBANK_DEFAULT_BASE "https://api.statbank.dk/v1"

typedef struct StatValue {
        const char *id, *text;
} StatValue;

static int statbank_url(const SourceDef *src, const char *function, char **ret)
{
        const char *base = src->base_url && *src->base_url ? src->base_url : STATBANK_DEFAULT_BASE;
        size_t bl = strlen(base);

        while (bl > 0 && base[bl - 1] == '/')
                bl--;
        /* "always with the version prefix" [V]: accept a base with or without /v1 */
        if (bl >= 3 && strneq(base + bl - 3, "/v1", 3))
                *ret = strdup_printf("%.*s/%s", (int) bl, base, function);
        else
                *ret = strdup_printf("%.*s/v1/%s", (int) bl, base, function);
        return *ret ? 0 : -ENOMEM;
}

static const char *statbank_lang(const SourceDef *src)
{
        return src->lang && streq(src->lang, "en") ? "en" : "da";
}

/* DST's period code for a range start: quarters use K in codes [V]. */
static int statbank_period_code(Period p, char buf[static PERIOD_STRING_MAX])
{
        switch (p.freq) {
        case PERIOD_YEAR:
                snprintf(buf, PERIOD_STRING_MAX, "%04d", p.year);
                return 0;
        case PERIOD_HALF:
                snprintf(buf, PERIOD_STRING_MAX, "%04dH%d", p.year, p.sub);
                return 0;
        case PERIOD_QUARTER:
                snprintf(buf, PERIOD_STRING_MAX, "%04dK%d", p.year, p.sub);
                return 0;
        case PERIOD_MONTH:
                snprintf(buf, PERIOD_STRING_MAX, "%04dM%02d", p.year, p.sub);
                return 0;
        default:
                return -EINVAL;
        }
}

static const MetaVariable *meta_time_var(const ProviderMeta *m)
{
        for (size_t i = 0; i < m->n_vars; i++)
                if (m->vars[i].time)
                        return &m->vars[i];
        return NULL;
}

static int statbank_plan(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SourceDef *src = ctx->source;
        const SeriesDef *def = ctx->series;
        const ProviderMeta *m = ctx->meta;
        _cleanup_free_ char *url = NULL, *body = NULL;
        json_auto_t *j = NULL, *vars = NULL;
        bool time_selected = false;

        if (!def->table || !*def->table)
                return source_fail(ret_error, -EINVAL, "series %s: no table given (table:)", def->name);

        if (!m) {
                if (statbank_url(src, "tableinfo", &url) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                j = json_pack("{s:s, s:s, s:s}", "table", def->table, "lang", statbank_lang(src), "format",
                              "JSON");
                if (!j || !(body = json_dumps(j, JSON_COMPACT)))
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                *ret = (SourceRequest){ .step = SOURCE_STEP_METADATA,
                                        .url = TAKE_PTR(url),
                                        .body = TAKE_PTR(body),
                                        .content_type = "application/json",
                                        .accept = "application/json",
                                        .auth = SOURCE_AUTH_NONE };
                return SOURCE_PLAN_REQUEST;
        }
        if (m->kind != SOURCE_STATBANK)
                return source_fail(ret_error, -EINVAL, "series %s: metadata from another source", def->name);

        if (!ctx->force && ctx->remote_updated && m->updated && streq(ctx->remote_updated, m->updated))
                return SOURCE_PLAN_UNCHANGED;

        vars = json_array();
        if (!vars)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        /* one variable entry per dimension, values of repeated dimensions joined */
        for (size_t i = 0; i < m->n_items; i++) {
                const ResolvedItem *it = &m->items[i];
                json_t *entry = NULL, *values = NULL;
                for (size_t k = 0; k < json_array_size(vars) && !entry; k++)
                        if (streq(strempty(json_string_value(
                                          json_object_get(json_array_get(vars, k), "code"))),
                                  it->dimension))
                                entry = json_array_get(vars, k);
                if (!entry) {
                        entry = json_pack("{s:s, s:[]}", "code", it->dimension, "values");
                        if (!entry || json_array_append_new(vars, entry) < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
                values = json_object_get(entry, "values");
                if (json_array_append_new(values, json_string(it->code)) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                for (size_t v = 0; v < m->n_vars; v++)
                        if (m->vars[v].time && streq(m->vars[v].id, it->dimension))
                                time_selected = true;
        }
        /* "Variables with elimination: false must be given values" [V] */
        for (size_t v = 0; v < m->n_vars; v++) {
                bool selected = false;
                if (m->vars[v].time || m->vars[v].elimination)
                        continue;
                for (size_t i = 0; i < m->n_items; i++)
                        selected = selected || streq(m->items[i].dimension, m->vars[v].id);
                if (!selected)
                        return source_fail(ret_error, -EINVAL,
                                           "series %s: table %s: variable %s (%s) cannot be left out; give "
                                           "a value in select:",
                                           def->name, m->table, m->vars[v].id, strempty(m->vars[v].text));
        }
        if (!time_selected) {
                const MetaVariable *tv = meta_time_var(m);
                char code[PERIOD_STRING_MAX], range[PERIOD_STRING_MAX + 4];
                const char *value = "*";
                if (ctx->since && statbank_period_code(*ctx->since, code) >= 0) {
                        snprintf(range, sizeof(range), ">=%s", code);
                        value = range;
                }
                /* "Omitting Tid returns only the latest period" [V]: always send it */
                if (json_array_append_new(vars, json_pack("{s:s, s:[s]}", "code", tv ? tv->id : "Tid",
                                                          "values", value)) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }
        j = json_pack("{s:s, s:s, s:s, s:s, s:O}", "table", m->table ? m->table : def->table, "format",
                      "CSV", "lang", statbank_lang(src), "valuePresentation", "Code", "variables", vars);
        if (!j || !(body = json_dumps(j, JSON_COMPACT)) || statbank_url(src, "data", &url) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        *ret = (SourceRequest){ .step = SOURCE_STEP_DATA,
                                .url = TAKE_PTR(url),
                                .body = TAKE_PTR(body),
                                .content_type = "application/json",
                                .accept = "text/csv, application/json;q=0.5",
                                .auth = SOURCE_AUTH_NONE };
        return SOURCE_PLAN_REQUEST;
}

/* Common prefix length after folding, for "did you mean" lists. */
static size_t similarity(const char *a, const char *b)
{
        size_t n = 0;
        while (a[n] && b[n] && (a[n] | 0x20) == (b[n] | 0x20))
                n++;
        if (n == 0 && strcasestr(b, a))
                n = 1;
        return n;
}

static char *candidates(const json_t *values, const char *wanted)
{
        size_t n = json_array_size(values), best[5], n_best = 0;
        StrBuf b = {};

        /* the (up to) five values sharing the longest prefix with the wanted text, else the first */
        for (size_t pass = 0; pass < 2 && n_best < ELEMENTSOF(best); pass++)
                for (size_t i = 0; i < n && n_best < ELEMENTSOF(best); i++) {
                        const char *text =
                                json_string_value(json_object_get(json_array_get(values, i), "text"));
                        const char *id = json_string_value(json_object_get(json_array_get(values, i), "id"));
                        bool dup = false;
                        if (pass == 0 && similarity(wanted, strempty(text)) < 2 &&
                            similarity(wanted, strempty(id)) < 2)
                                continue;
                        for (size_t k = 0; k < n_best; k++)
                                dup = dup || best[k] == i;
                        if (!dup)
                                best[n_best++] = i;
                }
        for (size_t k = 0; k < n_best; k++) {
                const json_t *v = json_array_get(values, best[k]);
                if (strbuf_printf(&b, "%s%s (%s)", k ? ", " : "",
                                  strempty(json_string_value(json_object_get(v, "id"))),
                                  strempty(json_string_value(json_object_get(v, "text")))) < 0) {
                        strbuf_done(&b);
                        return NULL;
                }
        }
        if (n > n_best && strbuf_printf(&b, " … (%zu values in all)", n) < 0) {
                strbuf_done(&b);
                return NULL;
        }
        return b.s ? b.s : strdup("(none)");
}

static int statbank_parse_metadata(const SourceDef *src, const SeriesDef *def, const SourceResponse *resp,
                                   ProviderMeta **ret_meta, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_(provider_meta_freep) ProviderMeta *m = NULL;
        json_auto_t *j = NULL;
        const json_t *vars, *v;
        const char *table;
        size_t i;
        int r;

        (void) src;
        r = source_check_response(SOURCE_STATBANK, resp, "table information (JSON)", ret_error);
        if (r < 0)
                return r;
        r = source_json_load(resp, &j, ret_error);
        if (r < 0)
                return r;
        vars = json_object_get(j, "variables");
        if (!json_is_object(j) || !json_is_array(vars))
                return source_fail(ret_error, -EBADMSG, "%s: table information without a \"variables\" list",
                                   origin);
        table = json_string_value(json_object_get(j, "id"));
        if (!table)
                table = def->table;

        if (meta_new(SOURCE_STATBANK, &m) < 0 || !(m->table = strdup(strempty(table))))
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (json_is_string(json_object_get(j, "updated")) &&
            !(m->updated = strdup(json_string_value(json_object_get(j, "updated")))))
                return source_fail(ret_error, -ENOMEM, "out of memory");

        m->vars = xmalloc_array(json_array_size(vars) + 1, sizeof(MetaVariable));
        if (!m->vars)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        json_array_foreach(vars, i, v)
        {
                const char *id = json_string_value(json_object_get(v, "id"));
                if (!id || !json_is_array(json_object_get(v, "values")))
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: table %s: variable no. %zu has no id or values", origin,
                                           m->table, i + 1);
                m->vars[m->n_vars] = (MetaVariable){
                        .id = strdup(id),
                        .text = strdup_or_null(json_string_value(json_object_get(v, "text"))),
                        .elimination = json_is_true(json_object_get(v, "elimination")),
                        .time = json_is_true(json_object_get(v, "time")),
                };
                m->n_vars++;
                if (!m->vars[m->n_vars - 1].id)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }

        for (size_t k = 0; k < def->n_select; k++) {
                const SelectionItem *it = &def->select[k];
                const char *want = strempty(it->value);
                const json_t *var = NULL, *values, *val, *hit = NULL;
                size_t n;

                json_array_foreach(vars, i, v)
                {
                        if (utf8_caseeq(strempty(json_string_value(json_object_get(v, "id"))),
                                        strempty(it->dimension)) ||
                            utf8_caseeq(strempty(json_string_value(json_object_get(v, "text"))),
                                        strempty(it->dimension)))
                                var = v;
                        if (var)
                                break;
                }
                if (!var) /* m->vars holds every variable of vars, in order */
                        return source_fail_unknown_variable(m, strempty(it->dimension), ret_error);
                values = json_object_get(var, "values");
                /* "a value matches a code exactly, or else a value text case-insensitively"; codes are
                 * case-insensitive at DST [V], so a code in another case is the third choice. */
                for (int pass = 0; pass < 3 && !hit; pass++)
                        for (n = 0; n < json_array_size(values) && !hit; n++) {
                                val = json_array_get(values, n);
                                const char *id = json_string_value(json_object_get(val, "id"));
                                const char *text = json_string_value(json_object_get(val, "text"));
                                if (pass == 0   ? (id && streq(id, want))
                                    : pass == 1 ? utf8_caseeq(text, want)
                                                : utf8_caseeq(id, want))
                                        hit = val;
                        }
                if (!hit) {
                        _cleanup_free_ char *c = candidates(values, want);
                        return source_fail(ret_error, -ENOENT,
                                           "table %s, variable %s: value '%s' is neither a code "
                                           "nor a text; e.g. %s",
                                           m->table, json_string_value(json_object_get(var, "id")), want,
                                           strna(c));
                }
                r = meta_add_item(m, json_string_value(json_object_get(var, "id")),
                                  strempty(json_string_value(json_object_get(hit, "id"))),
                                  json_string_value(json_object_get(hit, "text")), NULL, NULL);
                if (r < 0)
                        return source_fail(ret_error, r, "out of memory");
        }
        *ret_meta = TAKE_PTR(m);
        return 0;
}

/* Where a selection item shows up in the CSV header and which cells match it. */
typedef struct Filter {
        size_t col;
        const char *code, *text, *value; /* any may be NULL */
        size_t code_len;
} Filter;

/* ".." or empty [V]; "-" is not a DST marker and is left to the number parser to reject. */
static bool dst_is_missing(const char *p, size_t len)
{
        return source_is_missing(p, len) && !(len > 0 && memchr(p, '-', len));
}

static bool filter_match(const Filter *f, const char *p, size_t len)
{
        /* codes first, byte-exact: the common case with valuePresentation=Code */
        if (f->code && len == f->code_len && memcmp(p, f->code, len) == 0)
                return true;
        if (f->code && utf8_caseeq_n(p, len, f->code, f->code_len))
                return true;
        if (f->text && utf8_caseeq_n(p, len, f->text, strlen(f->text)))
                return true;
        return f->value && utf8_caseeq_n(p, len, f->value, strlen(f->value));
}

static int statbank_parse_csv(const SeriesDef *def, const ProviderMeta *m, const SourceResponse *resp,
                              Series *s, char **ret_note, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_free_ Filter *filters = NULL;
        size_t tid = SIZE_MAX, indhold = SIZE_MAX, n_cols;
        unsigned rows = 0, matched = 0, n_comma = 0;
        char seen[5][48];
        size_t n_seen = 0;
        _cleanup_(strbuf_done) StrBuf open = {};
        _cleanup_(point_set_done) PointSet points = {};
        _cleanup_(csv_reader_done) CsvReader rd = {};
        int r;

        csv_reader_init(&rd, resp->body, resp->size, ';');
        r = csv_reader_next(&rd);
        if (r <= 0)
                return r == 0 ? source_fail(ret_error, -ENODATA, "%s: empty response", origin)
                              : source_fail(ret_error, r, "%s:%s", origin, strna(rd.error));
        n_cols = rd.n_fields;
        for (size_t i = 0; i < n_cols; i++) {
                if (utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len, "TID", 3))
                        tid = i;
                else if (utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len, "INDHOLD", 7))
                        indhold = i;
        }
        if (tid == SIZE_MAX || indhold == SIZE_MAX) {
                StrBuf h = {};
                for (size_t i = 0; i < n_cols && i < 20; i++) {
                        _cleanup_free_ char *x = source_excerpt(rd.fields[i].p, rd.fields[i].len, 40);
                        (void) strbuf_printf(&h, "%s%s", i ? ";" : "", strna(x));
                }
                r = source_fail(ret_error, -EBADMSG, "%s:1: the header has no column %s (found '%s')",
                                origin, tid == SIZE_MAX ? "TID" : "INDHOLD", strempty(h.s));
                strbuf_done(&h);
                return r;
        }
        filters = xmalloc_array(def->n_select + 1, sizeof(Filter));
        if (!filters)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t k = 0; k < def->n_select; k++) {
                const ResolvedItem *ri = m && k < m->n_items ? &m->items[k] : NULL;
                const char *dim = ri ? ri->dimension : def->select[k].dimension;
                Filter *f = &filters[k];
                *f = (Filter){ .col = SIZE_MAX,
                               .code = ri ? ri->code : NULL,
                               .text = ri ? ri->text : NULL,
                               .value = def->select[k].value };
                f->code_len = f->code ? strlen(f->code) : 0;
                for (size_t i = 0; i < n_cols; i++)
                        if (utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len, strempty(dim),
                                          strlen(strempty(dim))) ||
                            utf8_caseeq_n(rd.fields[i].p, rd.fields[i].len,
                                          strempty(def->select[k].dimension),
                                          strlen(strempty(def->select[k].dimension))))
                                f->col = i;
                if (f->col == tid) {
                        f->col = SIZE_MAX; /* a Tid selection was applied by the request */
                        continue;
                }
                if (f->col == SIZE_MAX)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s:1: the response has no column for variable %s", origin,
                                           strempty(dim));
        }

        /* columns the selection leaves open: named when a period repeats */
        for (size_t i = 0; i < n_cols; i++) {
                bool used = i == tid || i == indhold;
                for (size_t k = 0; k < def->n_select; k++)
                        used = used || filters[k].col == i;
                if (!used && strbuf_printf(&open, "%s%.*s", open.len ? ", " : "",
                                           (int) MIN(rd.fields[i].len, 60), rd.fields[i].p) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }

        while ((r = csv_reader_next(&rd)) > 0) {
                const CsvField *f = rd.fields;
                bool keep = true;
                Period p;
                double v = 0;
                bool missing;

                rows++;
                if (rd.n_fields != n_cols)
                        return source_fail(ret_error, -EBADMSG, "%s:%u: line has %zu fields, the header %zu",
                                           origin, rd.record_line, rd.n_fields, n_cols);
                for (size_t k = 0; k < def->n_select && keep; k++)
                        if (filters[k].col != SIZE_MAX)
                                keep = filter_match(&filters[k], f[filters[k].col].p, f[filters[k].col].len);
                if (!keep) {
                        if (matched == 0 && n_seen < ELEMENTSOF(seen) && def->n_select > 0 &&
                            filters[0].col != SIZE_MAX) {
                                const CsvField *c = &f[filters[0].col];
                                bool dup = false;
                                for (size_t i = 0; i < n_seen; i++)
                                        dup = dup || (strlen(seen[i]) == c->len &&
                                                      memcmp(seen[i], c->p, c->len) == 0);
                                if (!dup && c->len < sizeof(seen[0])) {
                                        memcpy(seen[n_seen], c->p, c->len);
                                        seen[n_seen++][c->len] = 0;
                                }
                        }
                        continue;
                }
                matched++;
                if (source_parse_period(f[tid].p, f[tid].len, PERIOD_MONTH, &p) < 0) {
                        _cleanup_free_ char *x = source_excerpt(f[tid].p, f[tid].len, 40);
                        r = source_fail(ret_error, -EBADMSG, "%s:%u:%u: unknown time code '%s'", origin,
                                        rd.record_line, csv_field_column(&rd, tid), strna(x));
                        return r;
                }
                missing = dst_is_missing(f[indhold].p, f[indhold].len);
                if (!missing) {
                        if (memchr(f[indhold].p, ',', f[indhold].len))
                                n_comma++;
                        if (source_parse_number(f[indhold].p, f[indhold].len, NUMBER_DECIMAL_ANY, &v) < 0) {
                                _cleanup_free_ char *x = source_excerpt(f[indhold].p, f[indhold].len, 40);
                                r = source_fail(ret_error, -EBADMSG,
                                                "%s:%u:%u: invalid number '%s' in INDHOLD", origin,
                                                rd.record_line, csv_field_column(&rd, indhold), strna(x));
                                return r;
                        }
                }
                r = point_set_add(&points, p, v, missing, _PERIOD_FREQ_INVALID, rd.record_line, NULL);
                if (r == -EEXIST || r == -EDOM) {
                        char buf[PERIOD_STRING_MAX];
                        if (r == -EEXIST)
                                r = source_fail(
                                        ret_error, -EBADMSG,
                                        "%s:%u: period %s occurs more than once for the selection%s%s%s",
                                        origin, rd.record_line, period_to_string(p, buf),
                                        open.len ? " (not fixed: " : "", strempty(open.s),
                                        open.len ? ")" : "");
                        else
                                r = source_fail(
                                        ret_error, -EBADMSG,
                                        "%s:%u: period %s has a different frequency than the earlier ones",
                                        origin, rd.record_line, period_to_string(p, buf));
                        return r;
                }
                if (r < 0)
                        return source_fail(ret_error, r, "out of memory");
        }
        if (r < 0)
                return r == -EBADMSG ? source_fail(ret_error, r, "%s:%s", origin, strna(rd.error))
                                     : source_fail(ret_error, r, "out of memory");
        if (rows == 0)
                return source_fail(ret_error, -ENODATA, "%s: the response has only the header line, no rows",
                                   origin);
        if (matched == 0) {
                StrBuf b = {};
                for (size_t i = 0; i < n_seen; i++)
                        (void) strbuf_printf(&b, "%s%s", i ? ", " : "", seen[i]);
                r = source_fail(ret_error, -ENODATA, "%s: none of the %u rows matches the selection%s%s%s",
                                origin, rows, b.len ? " (found e.g. " : "", strempty(b.s), b.len ? ")" : "");
                strbuf_done(&b);
                return r;
        }
        if (point_set_to_series(&points, s) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (ret_note)
                *ret_note = strdup_printf("statbank CSV%s%s%s, %u rows, %u selected",
                                          source_bom_len(resp->body, resp->size) ? ", BOM" : "",
                                          rd.saw_crlf ? ", CRLF" : "", n_comma ? ", decimal comma" : "",
                                          rows, matched);
        return 0;
}

static bool looks_like_json(const SourceResponse *resp)
{
        /* by the body, not the Content-Type: a wrong header must not make CSV unreadable */
        size_t i = source_bom_len(resp->body, resp->size);
        while (i < resp->size && strchr(" \t\r\n", resp->body[i]))
                i++;
        return i < resp->size && resp->body[i] == '{';
}

static int statbank_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                               const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        int r;

        (void) src;
        r = source_check_response(SOURCE_STATBANK, resp, "data", ret_error);
        if (r < 0)
                return r;
        if (meta && meta->kind != SOURCE_STATBANK)
                meta = NULL;
        if (series_new(def->name, &s) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (looks_like_json(resp)) {
                JsonStatQuery q = {
                        .select = def->select,
                        .n_select = def->n_select,
                        .resolved = meta && meta->n_items == def->n_select ? meta->items : NULL,
                        .measure = def->measure,
                        .dataset = "dataset",
                        .want_freq = _PERIOD_FREQ_INVALID,
                };
                r = jsonstat_extract(resp, &q, s, ret_note, ret_error);
        } else
                r = statbank_parse_csv(def, meta, resp, s, ret_note, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const Provider provider_statbank = {
        .kind = SOURCE_STATBANK,
        .name = "statbank",
        .plan = statbank_plan,
        .parse_metadata = statbank_parse_metadata,
        .parse_data = statbank_parse_data,
};
