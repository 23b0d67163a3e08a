/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STAR's Jobindsats API: v3 (current; Bearer token) and v2 (optional adapter; raw token). Pure.
 * Quotes and marks from data-sources.md §3. Much of v3 is only known from third-party clients
 * [3P], so the parsers accept every plausible form and say in the note what they saw.
 *
 * v3 flow [3P]: GET /v3/table/{id}?format=json -> "object with periods, dimensions, mgroups";
 *   resolve the selection's names to value_ids ("areas are selected by value_id, not name");
 *   GET /v3/data/{id}?period.<type>=<ids>&hierarchy.<hierarchy_id>=<value_id>&mgroup.*=*&format=json
 *   -> {"columns": [...labels...], "rows": [[...], ...]}. "Some responses start with a UTF-8 BOM".
 *   Dimensions the selection leaves open are asked for at the top of their first hierarchy
 *   ("hierarchy.<id>=/ (top/total)") [3P] so one row per period remains.
 * v2 flow [V/3P]: GET /v2/tables/{id}/json/ -> [{"Period":[…],"Area":[…]}]; GET
 *   /v2/data/{id}/json/?area=<name>&period=<ids>&_dim=<label> -> [{"Variables":[{Name,Label}],
 *   "Data":[[…]]}]. "area: … municipality names (Brøndby, Herlev)" — names, not codes.
 *   v2 CSV ("UTF-8, ';' separator, decimal comma, header row of labels; rows are not sorted") is
 *   read too.
 *
 * Cells: JSON numbers, or strings "with a decimal comma" [3P] ("384", "2,2"); "..", "" and null
 *   mean missing [3P/I]. A string with only '.' is read as a decimal point [I]: Jobindsats CSV shows
 *   no thousands separators ("144315") [V].
 * The measure column is chosen by SeriesDef.measure: the column label, or for grouped labels
 *   ("Forventet og faktisk antal …: Forventet antal") the part after ": " [3P].
 * Periods: "2021M01" [V], "2024Q1" [3P], "2024QMAT02" [3P] (Y30R21 benchmark).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source-internal.h"

#define JOBINDSATS_DEFAULT_BASE "https://api.jobindsats.dk"

static int api_version(const SourceDef *src)
{
        return src->api_version == 2 ? 2 : 3;
}

/* base without a trailing "/v2" or "/v3" (either is accepted in base_url) */
static int base_url(const SourceDef *src, char **ret)
{
        const char *b = src->base_url && *src->base_url ? src->base_url : JOBINDSATS_DEFAULT_BASE;
        size_t n = strlen(b);
        while (n > 0 && b[n - 1] == '/')
                n--;
        if (n >= 3 && (strneq(b + n - 3, "/v2", 3) || strneq(b + n - 3, "/v3", 3)))
                n -= 3;
        *ret = strndup(b, n);
        return *ret ? 0 : -ENOMEM;
}

static bool is_area_name(const char *s)
{
        static const char *const names[] = { "area", "område", "omraade", "omrade", "_omrade", "_område" };
        for (size_t i = 0; s && i < ELEMENTSOF(names); i++)
                if (utf8_caseeq(s, names[i]))
                        return true;
        return false;
}

static const char *freq_type(PeriodFreq f)
{
        switch (f) {
        case PERIOD_MONTH:
                return "M";
        case PERIOD_QUARTER:
                return "Q";
        case PERIOD_QMAT:
                return "QMAT";
        case PERIOD_YEAR:
                return "Y";
        case PERIOD_HALF:
                return "H";
        default:
                return NULL;
        }
}

/* The period ids to ask for: metadata's ids of the series' frequency from `since` on. */
static int put_period_list(StrBuf *b, const SourcePlanContext *ctx)
{
        const ProviderMeta *m = ctx->meta;
        bool first = true;
        for (size_t i = 0; i < m->n_period_ids; i++) {
                Period p;
                if (source_parse_period(m->period_ids[i], strlen(m->period_ids[i]), PERIOD_MONTH, &p) < 0)
                        continue;
                if (ctx->since && p.freq == ctx->since->freq && period_compare(p, *ctx->since) < 0)
                        continue;
                if ((!first && strbuf_puts(b, ",") < 0) || strbuf_put_urlencoded(b, m->period_ids[i]) < 0)
                        return -ENOMEM;
                first = false;
        }
        return first ? 0 : 1;
}

static int jobindsats_plan(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SourceDef *src = ctx->source;
        const SeriesDef *def = ctx->series;
        const ProviderMeta *m = ctx->meta;
        _cleanup_free_ char *base = NULL;
        int v = api_version(src);
        _cleanup_(strbuf_done) StrBuf u = {};
        int r;

        if (!def->table || !*def->table)
                return source_fail(ret_error, -EINVAL, "series %s: no table given (table:)", def->name);
        if (base_url(src, &base) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");

        if (!m) {
                if (strbuf_printf(&u, v == 3 ? "%s/v3/table/" : "%s/v2/tables/", base) < 0 ||
                    strbuf_put_urlencoded(&u, def->table) < 0 ||
                    strbuf_puts(&u, v == 3 ? "?format=json" : "/json/") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                *ret = (SourceRequest){ .step = SOURCE_STEP_METADATA,
                                        .url = TAKE_PTR(u.s),
                                        .accept = "application/json",
                                        .auth = v == 3 ? SOURCE_AUTH_BEARER : SOURCE_AUTH_RAW };
                return SOURCE_PLAN_REQUEST;
        }
        if (m->kind != SOURCE_JOBINDSATS)
                return source_fail(ret_error, -EINVAL, "series %s: metadata from another source", def->name);

        if (v == 3) {
                const char *type = m->period_type         ? m->period_type
                                   : freq_type(def->freq) ? freq_type(def->freq)
                                                          : "M";
                if (strbuf_printf(&u, "%s/v3/data/", base) < 0 ||
                    strbuf_put_urlencoded(&u, def->table) < 0 || strbuf_puts(&u, "?period.") < 0 ||
                    strbuf_put_urlencoded(&u, type) < 0 || strbuf_puts(&u, "=") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                r = put_period_list(&u, ctx);
                if (r < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                if (r == 0 && strbuf_puts(&u, "latest:36") < 0) /* no period list in the metadata [I] */
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                for (size_t i = 0; i < m->n_items; i++) {
                        if (!m->items[i].hierarchy)
                                continue;
                        if (strbuf_puts(&u, "&hierarchy.") < 0 ||
                            strbuf_put_urlencoded(&u, m->items[i].hierarchy) < 0 ||
                            strbuf_puts(&u, "=") < 0 || strbuf_put_urlencoded(&u, m->items[i].code) < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
                for (size_t k = 0; k < m->n_dims; k++) {
                        bool selected = false;
                        for (size_t i = 0; i < m->n_items; i++)
                                selected = selected || (m->items[i].dimension &&
                                                        streq(m->items[i].dimension, m->dims[k].id));
                        if (selected || !m->dims[k].first_hierarchy)
                                continue;
                        if (strbuf_puts(&u, "&hierarchy.") < 0 ||
                            strbuf_put_urlencoded(&u, m->dims[k].first_hierarchy) < 0 ||
                            strbuf_puts(&u, "=/") < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
                if (strbuf_puts(&u, "&mgroup.*=*&format=json") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        } else {
                bool have_area = false;
                if (strbuf_printf(&u, "%s/v2/data/", base) < 0 ||
                    strbuf_put_urlencoded(&u, def->table) < 0 || strbuf_puts(&u, "/json/?period=") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                r = put_period_list(&u, ctx);
                if (r < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                if (r == 0 &&
                    strbuf_printf(&u, "l(%s:36)", freq_type(def->freq) ? freq_type(def->freq) : "M") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                for (size_t i = 0; i < def->n_select; i++) {
                        const SelectionItem *it = &def->select[i];
                        bool area = is_area_name(it->dimension);
                        const char *value =
                                i < m->n_items && m->items[i].text ? m->items[i].text : it->value;
                        have_area = have_area || area;
                        if (strbuf_puts(&u, "&") < 0 ||
                            strbuf_put_urlencoded(&u, area ? "area" : strempty(it->dimension)) < 0 ||
                            strbuf_puts(&u, "=") < 0 || strbuf_put_urlencoded(&u, strempty(value)) < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
                if (!have_area && strbuf_puts(&u, "&area=Hele%20landet") < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }
        *ret = (SourceRequest){ .step = SOURCE_STEP_DATA,
                                .url = TAKE_PTR(u.s),
                                .accept = "application/json",
                                .auth = v == 3 ? SOURCE_AUTH_BEARER : SOURCE_AUTH_RAW };
        return SOURCE_PLAN_REQUEST;
}

/* Loads JSON; a JSON string whose content is JSON ("double encoded", seen at a Jobindsats web
 * endpoint [3P]) is decoded once more. */
static int load_json(const SourceResponse *resp, json_t **ret, char **ret_error)
{
        json_t *j = NULL, *inner;
        int r = source_json_load(resp, &j, ret_error);
        if (r < 0)
                return r;
        if (json_is_string(j)) {
                inner = json_loadb(json_string_value(j), json_string_length(j), 0, NULL);
                if (inner) {
                        json_decref(j);
                        j = inner;
                }
        }
        *ret = j;
        return 0;
}

/* First string member of the given names. */
static const char *jstr(const json_t *o, const char *a, const char *b, const char *c)
{
        const char *k[] = { a, b, c };
        for (size_t i = 0; i < ELEMENTSOF(k); i++)
                if (k[i] && json_is_string(json_object_get(o, k[i])))
                        return json_string_value(json_object_get(o, k[i]));
        return NULL;
}

static const json_t *jarr(const json_t *o, const char *a, const char *b)
{
        if (json_is_array(json_object_get(o, a)))
                return json_object_get(o, a);
        if (b && json_is_array(json_object_get(o, b)))
                return json_object_get(o, b);
        return NULL;
}

/* The metadata object: the object itself, the first element of a one-element array, or inside
 * "table"/"data" [I]. */
static const json_t *unwrap(const json_t *j)
{
        for (int i = 0; i < 3; i++) {
                if (json_is_array(j) && json_array_size(j) >= 1)
                        j = json_array_get(j, 0);
                else if (json_is_object(j) && !json_object_get(j, "dimensions") &&
                         !json_object_get(j, "periods") && !json_object_get(j, "Period") &&
                         !json_object_get(j, "columns") && !json_object_get(j, "Variables") &&
                         (json_is_object(json_object_get(j, "table")) ||
                          json_is_object(json_object_get(j, "data")) ||
                          json_is_array(json_object_get(j, "data"))))
                        j = json_is_object(json_object_get(j, "table")) ? json_object_get(j, "table")
                                                                        : json_object_get(j, "data");
                else
                        break;
        }
        return j;
}

static bool dim_matches(const json_t *d, const char *want)
{
        const char *id = jstr(d, "dimension_id", "id", NULL);
        const char *name = jstr(d, "dimension_name", "name", "label");
        if (id && (utf8_caseeq(id, want) || (id[0] == '_' && utf8_caseeq(id + 1, want))))
                return true;
        if (name && utf8_caseeq(name, want))
                return true;
        if (is_area_name(want) && ((id && is_area_name(id)) || (name && is_area_name(name))))
                return true;
        return false;
}

typedef struct Hit {
        const json_t *value;
        const char *hierarchy;
} Hit;

/* Calls for each value of each hierarchy (and level) of a dimension. */
static void find_value(const json_t *dim, const char *want, const char *only_hierarchy, int pass, Hit *hit)
{
        const json_t *hs = jarr(dim, "hierarchies", NULL), *h;
        size_t i;

        json_array_foreach(hs, i, h)
        {
                const char *hid = jstr(h, "hierarchy_id", "id", NULL);
                const json_t *levels = jarr(h, "levels", NULL), *values;
                size_t nl = levels ? json_array_size(levels) : 1;
                if (only_hierarchy && (!hid || !utf8_caseeq(hid, only_hierarchy)))
                        continue;
                for (size_t l = 0; l < nl; l++) {
                        const json_t *v;
                        size_t k;
                        values = levels ? jarr(json_array_get(levels, l), "values", NULL)
                                        : jarr(h, "values", NULL);
                        json_array_foreach(values, k, v)
                        {
                                const char *id = jstr(v, "value_id", "id", NULL),
                                           *name = jstr(v, "value_name", "name", "label");
                                bool ok = pass == 0   ? (id && streq(id, want))
                                          : pass == 1 ? (name && utf8_caseeq(name, want))
                                                      : (id && utf8_caseeq(id, want));
                                if (ok && !hit->value) {
                                        hit->value = v;
                                        hit->hierarchy = hid;
                                        return;
                                }
                        }
                }
        }
}

static char *value_candidates(const json_t *dim, const char *want)
{
        const json_t *hs = jarr(dim, "hierarchies", NULL), *h;
        _cleanup_free_ const char **ids = NULL, **names = NULL;
        size_t i, n = 0, alloc_ids = 0, alloc_names = 0;

        json_array_foreach(hs, i, h)
        {
                const json_t *levels = jarr(h, "levels", NULL);
                size_t nl = levels ? json_array_size(levels) : 1;
                for (size_t l = 0; l < nl; l++) {
                        const json_t *values = levels ? jarr(json_array_get(levels, l), "values", NULL)
                                                      : jarr(h, "values", NULL),
                                     *v;
                        size_t k;
                        json_array_foreach(values, k, v)
                        {
                                if (GREEDY_REALLOC(ids, alloc_ids, n + 1) < 0 ||
                                    GREEDY_REALLOC(names, alloc_names, n + 1) < 0)
                                        return NULL;
                                ids[n] = strempty(jstr(v, "value_id", "id", NULL));
                                names[n] = strempty(jstr(v, "value_name", "name", "label"));
                                n++;
                        }
                }
        }
        return source_candidates(want, ids, names, n);
}

/* Picks the period type and ids of the series' frequency out of `periods`. */
static int read_periods_v3(ProviderMeta *m, const json_t *periods, PeriodFreq want)
{
        const json_t *pt;
        size_t i;
        const char *prefer[] = { freq_type(want), "M", "Q", "QMAT", "Y" };

        for (size_t pi = 0; pi < ELEMENTSOF(prefer) && !m->period_type; pi++) {
                if (!prefer[pi])
                        continue;
                json_array_foreach(periods, i, pt)
                {
                        const char *type = jstr(pt, "periodtype_id", "period_type", "type");
                        const json_t *vals = jarr(pt, "values", "periods"), *v;
                        size_t k;
                        if (!type || !utf8_caseeq(type, prefer[pi]) || !vals)
                                continue;
                        if (!(m->period_type = strdup(type)))
                                return -ENOMEM;
                        json_array_foreach(vals, k, v)
                        {
                                const char *id = json_is_string(v) ? json_string_value(v)
                                                                   : jstr(v, "period_id", "id", NULL);
                                if (id && meta_add_period_id(m, id) < 0)
                                        return -ENOMEM;
                        }
                        break;
                }
        }
        return 0;
}

static int read_periods_v2(ProviderMeta *m, const json_t *periods, PeriodFreq want)
{
        const json_t *v;
        size_t i;
        PeriodFreq prefer[] = { want, PERIOD_MONTH, PERIOD_QUARTER, PERIOD_QMAT, PERIOD_YEAR };

        /* "Clients filter the mixed Period list by pattern" [3P] */
        for (size_t pi = 0; pi < ELEMENTSOF(prefer) && m->n_period_ids == 0; pi++) {
                if (prefer[pi] < 0 || prefer[pi] >= _PERIOD_FREQ_MAX)
                        continue;
                json_array_foreach(periods, i, v)
                {
                        Period p;
                        const char *id = json_string_value(v);
                        if (id && source_parse_period(id, strlen(id), PERIOD_MONTH, &p) >= 0 &&
                            p.freq == prefer[pi] && meta_add_period_id(m, id) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int jobindsats_parse_metadata(const SourceDef *src, const SeriesDef *def, const SourceResponse *resp,
                                     ProviderMeta **ret_meta, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_(provider_meta_freep) ProviderMeta *m = NULL;
        json_auto_t *j = NULL;
        const json_t *o, *dims;
        int r;

        r = source_check_response(SOURCE_JOBINDSATS, resp, "table metadata (JSON)", ret_error);
        if (r < 0)
                return r;
        r = load_json(resp, &j, ret_error);
        if (r < 0)
                return r;
        o = unwrap(j);
        if (!json_is_object(o))
                return source_fail(ret_error, -EBADMSG, "%s: the table metadata is not a JSON object",
                                   origin);
        if (meta_new(SOURCE_JOBINDSATS, &m) < 0 || !(m->table = strdup(strempty(def->table))))
                return source_fail(ret_error, -ENOMEM, "out of memory");

        dims = jarr(o, "dimensions", NULL);
        if (api_version(src) == 2 || (!dims && json_object_get(o, "Period"))) {
                /* v2: [{"Period":[…],"Area":[…]}] [3P] */
                const json_t *areas = jarr(o, "Area", "area");
                if (read_periods_v2(m, jarr(o, "Period", "period"), def->freq) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                for (size_t i = 0; i < def->n_select; i++) {
                        const SelectionItem *it = &def->select[i];
                        const char *hit = NULL;
                        if (is_area_name(it->dimension) && areas) {
                                for (size_t k = 0; k < json_array_size(areas) && !hit; k++)
                                        if (utf8_caseeq(json_string_value(json_array_get(areas, k)),
                                                        it->value))
                                                hit = json_string_value(json_array_get(areas, k));
                                if (!hit) {
                                        _cleanup_free_ const char **names =
                                                xmalloc_array(json_array_size(areas) + 1, sizeof(char *));
                                        _cleanup_free_ char *c = NULL;
                                        if (!names)
                                                return source_fail(ret_error, -ENOMEM, "out of memory");
                                        for (size_t k = 0; k < json_array_size(areas); k++)
                                                names[k] = strempty(
                                                        json_string_value(json_array_get(areas, k)));
                                        c = source_candidates(strempty(it->value), NULL, names,
                                                              json_array_size(areas));
                                        return source_fail(ret_error, -ENOENT,
                                                           "table %s: area '%s' does not exist; e.g. %s",
                                                           def->table, strempty(it->value), strna(c));
                                }
                        }
                        if (meta_add_item(m, it->dimension, NULL, hit ? hit : it->value, NULL,
                                          is_area_name(it->dimension) ? "Area" : NULL) < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
                *ret_meta = TAKE_PTR(m);
                return 0;
        }

        if (!dims)
                return source_fail(ret_error, -EBADMSG, "%s: table metadata without \"dimensions\"", origin);
        if (read_periods_v3(m, jarr(o, "periods", NULL), def->freq) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        m->dims = xmalloc_array(json_array_size(dims) + 1, sizeof(MetaDimension));
        if (!m->dims)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        {
                const json_t *d;
                size_t i;
                json_array_foreach(dims, i, d)
                {
                        const char *id = jstr(d, "dimension_id", "id", NULL);
                        const json_t *hs = jarr(d, "hierarchies", NULL);
                        if (!id)
                                continue;
                        m->dims[m->n_dims++] = (MetaDimension){
                                .id = strdup(id),
                                .name = strdup_or_null(jstr(d, "dimension_name", "name", "label")),
                                .first_hierarchy = strdup_or_null(
                                        jstr(json_array_get(hs, 0), "hierarchy_id", "id", NULL)),
                        };
                        if (!m->dims[m->n_dims - 1].id)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                }
        }

        for (size_t i = 0; i < def->n_select; i++) {
                const SelectionItem *it = &def->select[i];
                const json_t *dim = NULL, *d;
                const char *only_h = NULL;
                Hit hit = {};
                size_t k;

                for (k = 0; k < json_array_size(dims) && !dim; k++)
                        if (dim_matches(json_array_get(dims, k), strempty(it->dimension)))
                                dim = json_array_get(dims, k);
                /* or a hierarchy id such as "_nykom" */
                for (k = 0; k < json_array_size(dims) && !dim; k++) {
                        const json_t *hs = jarr(json_array_get(dims, k), "hierarchies", NULL);
                        for (size_t x = 0; x < json_array_size(hs) && !dim; x++) {
                                const char *hid = jstr(json_array_get(hs, x), "hierarchy_id", "id", NULL);
                                if (hid && utf8_caseeq(hid, strempty(it->dimension))) {
                                        dim = json_array_get(dims, k);
                                        only_h = hid;
                                }
                        }
                }
                if (!dim) {
                        StrBuf b = {};
                        for (k = 0; k < json_array_size(dims); k++) {
                                d = json_array_get(dims, k);
                                const char *dn = jstr(d, "dimension_name", "name", "label");
                                (void) strbuf_printf(&b, "%s%s%s%s%s", k ? ", " : "",
                                                     strempty(jstr(d, "dimension_id", "id", NULL)),
                                                     dn ? " (" : "", strempty(dn), dn ? ")" : "");
                        }
                        r = source_fail(ret_error, -ENOENT,
                                        "table %s: dimension '%s' does not exist; dimensions: %s",
                                        def->table, strempty(it->dimension), strempty(b.s));
                        strbuf_done(&b);
                        return r;
                }
                for (int pass = 0; pass < 3 && !hit.value; pass++)
                        find_value(dim, strempty(it->value), only_h, pass, &hit);
                if (!hit.value) {
                        _cleanup_free_ char *c = value_candidates(dim, strempty(it->value));
                        return source_fail(ret_error, -ENOENT,
                                           "table %s, dimension %s: value '%s' does not exist; e.g. %s",
                                           def->table, strempty(jstr(dim, "dimension_id", "id", NULL)),
                                           strempty(it->value), strna(c));
                }
                /* a value without an id is selected by its name [I] */
                if (meta_add_item(m, jstr(dim, "dimension_id", "id", NULL),
                                  jstr(hit.value, "value_id", "id", NULL)
                                          ? jstr(hit.value, "value_id", "id", NULL)
                                          : jstr(hit.value, "value_name", "name", "label"),
                                  jstr(hit.value, "value_name", "name", "label"), hit.hierarchy,
                                  jstr(dim, "dimension_name", "name", "label")) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }
        *ret_meta = TAKE_PTR(m);
        return 0;
}

/* ---- data ---- */

/* The table in a data response: column labels (and v2 Names), rows as JSON arrays. */
typedef struct Table {
        json_t *labels; /* array of strings */
        json_t *names;  /* array of strings or NULL */
        json_t *rows;   /* array of arrays */
        const char *shape;
} Table;

static void table_done(Table *t)
{
        json_decref(t->labels);
        json_decref(t->names);
        json_decref(t->rows);
}

static int table_from_json(const json_t *j, Table *t)
{
        const json_t *o = unwrap(j), *cols, *c;
        size_t i;

        t->labels = json_array();
        if (!t->labels)
                return -ENOMEM;
        if ((cols = jarr(o, "columns", NULL))) {
                t->shape = "v3 {columns, rows}";
                json_array_foreach(cols, i, c)
                {
                        const char *l = json_is_string(c) ? json_string_value(c)
                                                          : jstr(c, "label", "name", "column_name");
                        if (json_array_append_new(t->labels, json_string(strempty(l))) < 0)
                                return -ENOMEM;
                }
                t->rows = json_incref(json_object_get(o, "rows"));
        } else if ((cols = jarr(o, "Variables", "variables"))) {
                t->shape = "v2 {Variables, Data}";
                t->names = json_array();
                if (!t->names)
                        return -ENOMEM;
                json_array_foreach(cols, i, c)
                {
                        if (json_array_append_new(
                                    t->labels, json_string(strempty(jstr(c, "Label", "label", NULL)))) < 0 ||
                            json_array_append_new(t->names,
                                                  json_string(strempty(jstr(c, "Name", "name", NULL)))) < 0)
                                return -ENOMEM;
                }
                t->rows = json_incref(json_object_get(o, "Data") ? json_object_get(o, "Data")
                                                                 : json_object_get(o, "data"));
        } else
                return -EBADMSG;
        if (!json_is_array(t->rows))
                return -EBADMSG;
        return 0;
}

/* v2 CSV: ';', header of labels; converted to the same table. */
static int table_from_csv(const SourceResponse *resp, Table *t, char **ret_error)
{
        CsvReader rd;
        int r;

        t->shape = "v2 CSV";
        t->labels = json_array();
        t->rows = json_array();
        if (!t->labels || !t->rows)
                return -ENOMEM;
        csv_reader_init(&rd, resp->body, resp->size, ';');
        for (bool header = true; (r = csv_reader_next(&rd)) > 0; header = false) {
                json_t *row = header ? t->labels : json_array();
                if (!row)
                        break;
                if (!header && json_array_append_new(t->rows, row) < 0) {
                        r = -ENOMEM;
                        break;
                }
                for (size_t i = 0; i < rd.n_fields; i++)
                        if (json_array_append_new(
                                    row, json_stringn_nocheck(rd.fields[i].p, rd.fields[i].len)) < 0) {
                                r = -ENOMEM;
                                goto done;
                        }
        }
done:
        if (r == -EBADMSG)
                r = source_fail(ret_error, r, "%s:%s", source_origin(resp), strna(rd.error));
        else if (r < 0)
                r = source_fail(ret_error, r, "out of memory");
        csv_reader_done(&rd);
        return r;
}

static size_t find_column(const Table *t, const char *want)
{
        size_t n = json_array_size(t->labels);
        if (!want)
                return SIZE_MAX;
        for (size_t i = 0; i < n; i++)
                if (utf8_caseeq(json_string_value(json_array_get(t->labels, i)), want))
                        return i;
        for (size_t i = 0; t->names && i < n; i++)
                if (utf8_caseeq(json_string_value(json_array_get(t->names, i)), want))
                        return i;
        return SIZE_MAX;
}

static char *column_list(const Table *t)
{
        StrBuf b = {};
        size_t i;
        const json_t *c;
        json_array_foreach(t->labels, i, c)
        {
                (void) strbuf_printf(&b, "%s'%s'", i ? ", " : "", strempty(json_string_value(c)));
        }
        return b.s ? b.s : strdup("");
}

/* Cell text for comparisons (strings; numbers formatted). Caller frees. */
static char *cell_text(const json_t *row, size_t col)
{
        return json_scalar_to_string(json_array_get(row, col));
}

static int cell_value(const json_t *c, double *ret, bool *ret_missing, bool *saw_comma, bool *saw_string)
{
        *ret_missing = false;
        if (!c || json_is_null(c)) {
                *ret_missing = true;
                return 0;
        }
        if (json_is_number(c)) {
                *ret = json_number_value(c);
                return 0;
        }
        if (json_is_string(c)) {
                const char *s = json_string_value(c);
                size_t len = json_string_length(c);
                *saw_string = true;
                if (source_is_missing(s, len)) {
                        *ret_missing = true;
                        return 0;
                }
                if (memchr(s, ',', len)) {
                        *saw_comma = true;
                        return source_parse_number(s, len, NUMBER_DANISH, ret);
                }
                return source_parse_number(s, len, NUMBER_DECIMAL_ANY, ret);
        }
        return -EINVAL;
}

static size_t n_rows_for_trust(const json_t *rows)
{
        return json_is_array(rows) ? json_array_size(rows) : 0;
}

/* One data response being read: the table, the columns found in it, the points so far. */
typedef struct JobData {
        const SeriesDef *def;
        const ProviderMeta *meta;
        const SourceResponse *resp;
        const char *origin;
        json_t *json;
        Table t;
        char *cols; /* column list for messages */
        size_t n_cols, n_rows, period_col, measure_col, matched;
        size_t *fcol;  /* by select item: the column it filters, or SIZE_MAX (applied by the request) */
        bool *trusted; /* by select item: the server applied it; the column holds one value */
        bool saw_comma, saw_string;
        PointSet points;
} JobData;

static void job_data_done(JobData *d)
{
        json_decref(d->json);
        table_done(&d->t);
        free(d->cols);
        free(d->fcol);
        free(d->trusted);
        point_set_done(&d->points);
}

static const ResolvedItem *job_resolved(const JobData *d, size_t k)
{
        return d->meta && k < d->meta->n_items ? &d->meta->items[k] : NULL;
}

/* JSON ({columns, rows} or [{Variables, Data}]) or v2 CSV, by the first character of the body. */
static int job_load_table(JobData *d, char **ret_error)
{
        const SourceResponse *resp = d->resp;
        size_t i = source_bom_len(resp->body, resp->size);
        int r;

        while (i < resp->size && strchr(" \t\r\n", resp->body[i]))
                i++;
        if (i < resp->size && (resp->body[i] == '{' || resp->body[i] == '[' || resp->body[i] == '"')) {
                r = load_json(resp, &d->json, ret_error);
                if (r < 0)
                        return r;
                r = table_from_json(d->json, &d->t);
                if (r == -EBADMSG)
                        return source_fail(
                                ret_error, r,
                                "%s: unknown data format (neither {columns, rows} nor [{Variables, Data}])",
                                d->origin);
        } else
                r = table_from_csv(resp, &d->t, ret_error);
        if (r == -ENOMEM)
                return source_fail(ret_error, r, "out of memory");
        return r;
}

/* The measure column: its label, or for grouped labels "Group: Measure" the part after ": ". */
static int job_find_measure(JobData *d, char **ret_error)
{
        const char *measure = d->def->measure;
        size_t n_hits = 0;

        if (!measure)
                return source_fail(ret_error, -EINVAL,
                                   "series %s: give measure: (a column name); columns: %s", d->def->name,
                                   d->cols);
        d->measure_col = find_column(&d->t, measure);
        if (d->measure_col != SIZE_MAX)
                return 0;
        for (size_t i = 0; i < d->n_cols; i++) {
                const char *l = json_string_value(json_array_get(d->t.labels, i));
                const char *c = l ? strstr(l, ": ") : NULL;
                while (c && strstr(c + 2, ": "))
                        c = strstr(c + 2, ": ");
                if (c && utf8_caseeq(c + 2, measure)) {
                        d->measure_col = i;
                        n_hits++;
                }
        }
        if (n_hits > 1)
                return source_fail(ret_error, -ENOENT,
                                   "%s: measure '%s' matches %zu columns; give the full name; columns: %s",
                                   d->origin, measure, n_hits, d->cols);
        if (d->measure_col == SIZE_MAX)
                return source_fail(ret_error, -ENOENT, "%s: measure '%s' does not exist; columns: %s",
                                   d->origin, measure, d->cols);
        return 0;
}

/* The period, measure and selection columns. */
static int job_find_columns(JobData *d, char **ret_error)
{
        static const char *const period_names[] = { "Periode",    "period",    "Period",
                                                    "periode_id", "period_id", "Tid" };
        const SeriesDef *def = d->def;
        int r;

        d->n_cols = json_array_size(d->t.labels);
        d->n_rows = json_array_size(d->t.rows);
        d->cols = column_list(&d->t);
        if (d->n_cols == 0)
                return source_fail(ret_error, -ENODATA, "%s: the response has no columns", d->origin);
        d->period_col = SIZE_MAX;
        for (size_t i = 0; i < ELEMENTSOF(period_names) && d->period_col == SIZE_MAX; i++)
                d->period_col = find_column(&d->t, period_names[i]);
        if (d->period_col == SIZE_MAX)
                return source_fail(ret_error, -EBADMSG, "%s: no period column (Periode/period); columns: %s",
                                   d->origin, d->cols);
        r = job_find_measure(d, ret_error);
        if (r < 0)
                return r;

        d->fcol = xmalloc_array(def->n_select + 1, sizeof(size_t));
        if (!d->fcol)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t k = 0; k < def->n_select; k++) {
                const ResolvedItem *ri = job_resolved(d, k);
                d->fcol[k] = find_column(&d->t, def->select[k].dimension);
                if (d->fcol[k] == SIZE_MAX && ri)
                        d->fcol[k] = find_column(&d->t, ri->column);
                if (d->fcol[k] == SIZE_MAX && is_area_name(def->select[k].dimension)) {
                        d->fcol[k] = find_column(&d->t, "Område");
                        if (d->fcol[k] == SIZE_MAX)
                                d->fcol[k] = find_column(&d->t, "Area");
                }
                if (d->fcol[k] == SIZE_MAX && !(ri && (ri->hierarchy || ri->code)))
                        return source_fail(
                                ret_error, -ENOENT,
                                "%s: the selection refers to '%s', which is not a column; columns: %s",
                                d->origin, strempty(def->select[k].dimension), d->cols);
                /* else: the v3 request already applied it (hierarchy.<id>=<value_id>) */
        }
        return 0;
}

/* A filter the v3 request applied server-side, on a column holding one value only: trust the server
 * even if the column spells the value differently from value_name ("Herlev Kommune") [I]. */
static int job_find_trusted(JobData *d, char **ret_error)
{
        d->trusted = calloc(d->def->n_select + 1, sizeof(bool));
        if (!d->trusted)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t k = 0; k < d->def->n_select; k++) {
                const ResolvedItem *rit = job_resolved(d, k);
                _cleanup_free_ char *first = NULL;
                bool single = d->fcol[k] != SIZE_MAX && n_rows_for_trust(d->t.rows) > 0;
                if (!rit || !rit->hierarchy || !single)
                        continue;
                first = cell_text(json_array_get(d->t.rows, 0), d->fcol[k]);
                for (size_t i = 1; single && i < d->n_rows; i++) {
                        _cleanup_free_ char *c = cell_text(json_array_get(d->t.rows, i), d->fcol[k]);
                        single = first && c && streq(first, c);
                }
                d->trusted[k] = single && first;
        }
        return 0;
}

/* "occurs more than once": the label columns whose text differs between the two rows are what
 * the selection should also fix. */
static int job_fail_repeated(const JobData *d, const json_t *row, size_t ri, size_t first, Period p,
                             char **ret_error)
{
        const json_t *prev = json_array_get(d->t.rows, first);
        char pb[PERIOD_STRING_MAX];
        StrBuf open = {};
        int r;

        for (size_t i = 0; i < d->n_cols; i++) {
                bool used = i == d->period_col || i == d->measure_col;
                _cleanup_free_ char *a = cell_text(row, i), *b = cell_text(prev, i);
                double dummy;
                for (size_t k = 0; k < d->def->n_select; k++)
                        used = used || d->fcol[k] == i;
                if (!used && a && b && !streq(a, b) && !source_is_missing(a, strlen(a)) &&
                    source_parse_number(a, strlen(a), NUMBER_DANISH, &dummy) < 0 &&
                    source_parse_number(a, strlen(a), NUMBER_DECIMAL_ANY, &dummy) < 0)
                        (void) strbuf_printf(&open, "%s%s", open.len ? ", " : "",
                                             json_string_value(json_array_get(d->t.labels, i)));
        }
        r = source_fail(ret_error, -EBADMSG,
                        "%s: row %zu: period %s occurs more than once for the selection%s%s%s", d->origin,
                        ri + 1, period_to_string(p, pb), open.len ? " (also select: " : "", strempty(open.s),
                        open.len ? ")" : "");
        strbuf_done(&open);
        return r;
}

static bool job_row_selected(const JobData *d, const json_t *row)
{
        for (size_t k = 0; k < d->def->n_select; k++) {
                const ResolvedItem *rit = job_resolved(d, k);
                _cleanup_free_ char *c = NULL;
                if (d->fcol[k] == SIZE_MAX || d->trusted[k])
                        continue;
                c = cell_text(row, d->fcol[k]);
                if (!(c && (utf8_caseeq(c, d->def->select[k].value) ||
                            (rit && rit->text && utf8_caseeq(c, rit->text)) ||
                            (rit && rit->code && utf8_caseeq(c, rit->code)))))
                        return false;
        }
        return true;
}

static int job_read_row(JobData *d, const json_t *row, size_t ri, char **ret_error)
{
        const json_t *pc;
        size_t first = 0;
        bool missing;
        double v = 0;
        Period p;
        int r;

        if (!json_is_array(row) || json_array_size(row) != d->n_cols)
                return source_fail(ret_error, -EBADMSG, "%s: row %zu has %zu cells, there are %zu columns",
                                   d->origin, ri + 1, json_array_size(row), d->n_cols);
        if (!job_row_selected(d, row))
                return 0;
        d->matched++;
        pc = json_array_get(row, d->period_col);
        if (!json_is_string(pc) ||
            source_parse_period(json_string_value(pc), json_string_length(pc), PERIOD_MONTH, &p) < 0) {
                _cleanup_free_ char *x = json_dumps(pc, JSON_ENCODE_ANY);
                return source_fail(ret_error, -EBADMSG, "%s: row %zu: invalid period %s", d->origin, ri + 1,
                                   strna(x));
        }
        if (cell_value(json_array_get(row, d->measure_col), &v, &missing, &d->saw_comma, &d->saw_string) <
            0) {
                _cleanup_free_ char *x = json_dumps(json_array_get(row, d->measure_col), JSON_ENCODE_ANY);
                return source_fail(ret_error, -EBADMSG, "%s: row %zu: invalid number %s in column '%s'",
                                   d->origin, ri + 1, strna(x),
                                   json_string_value(json_array_get(d->t.labels, d->measure_col)));
        }
        r = point_set_add(&d->points, p, v, missing, _PERIOD_FREQ_INVALID, ri, &first);
        if (r == -EEXIST)
                return job_fail_repeated(d, row, ri, first, p, ret_error);
        if (r == -EDOM) {
                char pb[PERIOD_STRING_MAX];
                return source_fail(ret_error, -EBADMSG,
                                   "%s: row %zu: period %s has a different frequency than the earlier ones",
                                   d->origin, ri + 1, period_to_string(p, pb));
        }
        if (r < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        return 0;
}

/* No row matched: say which values the first selected column does have. */
static int job_fail_no_match(const JobData *d, char **ret_error)
{
        const json_t *row;
        StrBuf b = {};
        size_t n = 0, ri;
        int r;

        if (d->def->n_select > 0 && d->fcol[0] != SIZE_MAX)
                json_array_foreach(d->t.rows, ri, row)
                {
                        _cleanup_free_ char *c = cell_text(row, d->fcol[0]);
                        if (n >= 5)
                                break;
                        if (c && !(b.s && strstr(b.s, c))) {
                                (void) strbuf_printf(&b, "%s%s", n ? ", " : "", c);
                                n++;
                        }
                }
        r = source_fail(ret_error, -ENODATA, "%s: none of the %zu rows matches the selection%s%s%s",
                        d->origin, d->n_rows, b.len ? " (found e.g. " : "", strempty(b.s), b.len ? ")" : "");
        strbuf_done(&b);
        return r;
}

static int jobindsats_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                                 const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        _cleanup_(job_data_done) JobData d = { .def = def, .resp = resp, .origin = source_origin(resp) };
        const json_t *row;
        size_t ri;
        int r;

        (void) src;
        r = source_check_response(SOURCE_JOBINDSATS, resp, "data", ret_error);
        if (r < 0)
                return r;
        d.meta = meta && meta->kind == SOURCE_JOBINDSATS ? meta : NULL;
        r = job_load_table(&d, ret_error);
        if (r >= 0)
                r = job_find_columns(&d, ret_error);
        if (r >= 0)
                r = job_find_trusted(&d, ret_error);
        if (r >= 0 && series_new(def->name, &s) < 0)
                r = source_fail(ret_error, -ENOMEM, "out of memory");
        if (r < 0)
                return r;
        json_array_foreach(d.t.rows, ri, row)
        {
                r = job_read_row(&d, row, ri, ret_error);
                if (r < 0)
                        return r;
        }
        if (d.n_rows == 0)
                return source_fail(ret_error, -ENODATA, "%s: the response has no rows", d.origin);
        if (d.matched == 0)
                return job_fail_no_match(&d, ret_error);
        if (point_set_to_series(&d.points, s) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (ret_note)
                *ret_note = strdup_printf(
                        "jobindsats %s%s, %zu columns, %zu rows, %zu selected, period '%s', measure "
                        "'%s'%s%s",
                        d.t.shape, source_bom_len(resp->body, resp->size) ? ", BOM" : "", d.n_cols, d.n_rows,
                        d.matched, json_string_value(json_array_get(d.t.labels, d.period_col)),
                        json_string_value(json_array_get(d.t.labels, d.measure_col)),
                        d.saw_string ? ", numbers as text" : "", d.saw_comma ? " with decimal comma" : "");
        *ret = TAKE_PTR(s);
        return 0;
}

const Provider provider_jobindsats = {
        .kind = SOURCE_JOBINDSATS,
        .name = "jobindsats",
        .plan = jobindsats_plan,
        .parse_metadata = jobindsats_parse_metadata,
        .parse_data = jobindsats_parse_data,
};
