/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PxWeb (Statistics Sweden, Norway, Finland, Iceland, Greenland, the Faroe Islands and many
 * regional offices): the PxWeb API v1 (SSB's PxWebApi v0 has the same shape). Pure. From
 * data-sources.md §4.2 [V] and the public clients it names:
 *
 *   - metadata: GET <base_url>/<table> -> {"title": …, "variables": [{"code": "Region", "text":
 *     "region", "values": ["00", "0114", …], "valueTexts": ["Riket", "Upplands Väsby", …],
 *     "elimination": true, "time": false}, …]} (an "updated" stamp where the host gives one);
 *   - data: POST the same URL with {"query": [{"code": …, "selection": {"filter": "item",
 *     "values": […]}}], "response": {"format": "json-stat2"}} -> a JSON-stat 2.0 dataset, read by
 *     the JSON-stat parser (source-jsonstat.c) with the codes resolved here;
 *   - a variable with "elimination": false must be given values; one left out with elimination
 *     true is summed by the service; the time variable is sent as "filter": "all" ["*"], or the
 *     codes from `since` on;
 *   - time codes: 2024M06, 2024K2 (SCB/SSB quarters), 2024Q2, 2024;
 *   - limits: SCB 30 calls / 10 s, SSB 30 / 60 s; over them 429 (handled by the pipeline like
 *     every provider's 429: Retry-After or back-off).
 *
 * Selections name a variable by code or text and a value by code or text (case-insensitive), as
 * for Statistikbank; measure: picks a value of ContentsCode the same way. When the metadata says
 * when the table was updated and that equals what the last stored data fetch saw, no data is
 * asked for (SOURCE_PLAN_UNCHANGED). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source-internal.h"

static const MetaVariable *find_var(const ProviderMeta *m, const char *name)
{
        for (size_t i = 0; name && i < m->n_vars; i++)
                if (streq(m->vars[i].id, name))
                        return &m->vars[i];
        for (size_t i = 0; name && i < m->n_vars; i++)
                if (utf8_caseeq(m->vars[i].id, name) ||
                    (m->vars[i].text && utf8_caseeq(m->vars[i].text, name)))
                        return &m->vars[i];
        return NULL;
}

/* "time": true, or (hosts that leave the flag out) the usual names of a time variable */
static bool is_time_var(const json_t *v)
{
        static const char *const names[] = { "Tid", "Time", "Year", "Vuosi", "Ár", "År", "Aar" };
        const char *code = json_string_value(json_object_get(v, "code"));

        if (json_is_true(json_object_get(v, "time")))
                return true;
        for (size_t i = 0; code && i < ELEMENTSOF(names); i++)
                if (utf8_caseeq(code, names[i]))
                        return true;
        return false;
}

static bool is_measure_var(const MetaVariable *v)
{
        return streq(v->id, "ContentsCode") || utf8_caseeq(v->id, "contentscode");
}

static int pxweb_plan_metadata(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SeriesDef *def = ctx->series;
        _cleanup_free_ char *url = NULL;
        int r;

        if (!def->table || !*def->table)
                return source_fail(ret_error, -EINVAL, "series %s: no table given (table:)", def->name);
        if (def->time_format && !source_time_format_is_valid(def->time_format))
                return source_fail(
                        ret_error, -EINVAL,
                        "series %s: time_format '%s' needs %%Y and knows only %%Y %%q %%h %%m %%b %%d %%%%",
                        def->name, def->time_format);
        r = source_join_url(ctx->source->base_url, def->table, &url);
        if (r < 0)
                return source_fail(ret_error, r,
                                   "series %s: cannot form an address from base_url '%s' and table '%s'",
                                   def->name, strempty(ctx->source->base_url), def->table);
        *ret = (SourceRequest){
                .step = SOURCE_STEP_METADATA,
                .url = TAKE_PTR(url),
                .accept = "application/json",
                .auth = SOURCE_AUTH_NONE,
        };
        return SOURCE_PLAN_REQUEST;
}

/* Adds value to the query entry of variable code (one entry per variable, repeated selections of
 * a variable joined). */
static int query_add(json_t *query, const char *code, const char *filter, const char *value)
{
        json_t *entry = NULL, *values;

        for (size_t k = 0; k < json_array_size(query) && !entry; k++)
                if (streq(strempty(json_string_value(json_object_get(json_array_get(query, k), "code"))),
                          code))
                        entry = json_array_get(query, k);
        if (!entry) {
                entry = json_pack("{s:s, s:{s:s, s:[]}}", "code", code, "selection", "filter", filter,
                                  "values");
                if (!entry || json_array_append_new(query, entry) < 0)
                        return -ENOMEM;
        }
        values = json_object_get(json_object_get(entry, "selection"), "values");
        return json_array_append_new(values, json_string(value)) < 0 ? -ENOMEM : 0;
}

/* The time variable: every period ("all"), or the codes of the series' frequency from since on. */
static int query_add_time(json_t *query, const MetaVariable *tv, const SourcePlanContext *ctx)
{
        size_t n = 0;

        if (!ctx->since)
                return query_add(query, tv->id, "all", "*");
        for (size_t i = 0; i < tv->n_values; i++) {
                Period p;
                if (source_parse_period(tv->values[i], strlen(tv->values[i]), PERIOD_MONTH, &p) < 0 ||
                    (p.freq == ctx->since->freq && period_compare(p, *ctx->since) < 0))
                        continue;
                if (query_add(query, tv->id, "item", tv->values[i]) < 0)
                        return -ENOMEM;
                n++;
        }
        /* nothing that new listed (or codes not recognised): ask for all rather than nothing */
        return n > 0 ? 0 : query_add(query, tv->id, "all", "*");
}

static int pxweb_plan(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SeriesDef *def = ctx->series;
        const ProviderMeta *m = ctx->meta;
        _cleanup_free_ char *url = NULL, *body = NULL;
        json_auto_t *query = NULL, *doc = NULL;
        const MetaVariable *tv = NULL;
        bool time_selected = false;

        if (!m)
                return pxweb_plan_metadata(ctx, ret, ret_error);
        if (m->kind != SOURCE_PXWEB)
                return source_fail(ret_error, -EINVAL, "series %s: metadata from another source", def->name);
        if (!ctx->force && ctx->remote_updated && m->updated && streq(ctx->remote_updated, m->updated))
                return SOURCE_PLAN_UNCHANGED;

        query = json_array();
        if (!query)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t i = 0; i < m->n_items; i++) {
                const MetaVariable *v = find_var(m, m->items[i].dimension);
                if (query_add(query, m->items[i].dimension, "item", m->items[i].code) < 0)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
                time_selected = time_selected || (v && v->time);
        }
        if (m->measure_dim && query_add(query, m->measure_dim, "item", m->measure_code) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t k = 0; k < m->n_vars; k++) {
                const MetaVariable *v = &m->vars[k];
                bool selected = m->measure_dim && streq(m->measure_dim, v->id);
                if (v->time) {
                        tv = tv ? tv : v;
                        continue;
                }
                for (size_t i = 0; i < m->n_items && !selected; i++)
                        selected = streq(m->items[i].dimension, v->id);
                if (selected || v->elimination)
                        continue;
                /* "elimination": false and one value: that value; more: the user must choose */
                if (v->n_values == 1) {
                        if (query_add(query, v->id, "item", v->values[0]) < 0)
                                return source_fail(ret_error, -ENOMEM, "out of memory");
                        continue;
                }
                return source_fail(
                        ret_error, -EINVAL,
                        "series %s: table %s: variable %s (%s) cannot be left out; give a value in "
                        "%s",
                        def->name, m->table, v->id, strempty(v->text),
                        is_measure_var(v) ? "measure:" : "select:");
        }
        if (!time_selected && tv && query_add_time(query, tv, ctx) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");

        doc = json_pack("{s:O, s:{s:s}}", "query", query, "response", "format", "json-stat2");
        if (!doc || !(body = json_dumps(doc, JSON_COMPACT)))
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (source_join_url(ctx->source->base_url, def->table, &url) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        *ret = (SourceRequest){
                .step = SOURCE_STEP_DATA,
                .url = TAKE_PTR(url),
                .body = TAKE_PTR(body),
                .content_type = "application/json",
                .accept = "application/json",
                .auth = SOURCE_AUTH_NONE,
        };
        return SOURCE_PLAN_REQUEST;
}

/* One variable of the metadata, with its values (codes) copied. */
static int read_variable(const json_t *v, MetaVariable *ret)
{
        const json_t *values = json_object_get(v, "values");

        *ret = (MetaVariable){
                .id = strdup(json_string_value(json_object_get(v, "code"))),
                .text = strdup_or_null(json_string_value(json_object_get(v, "text"))),
                .elimination = json_is_true(json_object_get(v, "elimination")),
                .time = is_time_var(v),
                .values = xmalloc_array(json_array_size(values) + 1, sizeof(char *)),
        };
        if (!ret->id || !ret->values)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_size(values); i++) {
                const char *c = json_string_value(json_array_get(values, i));
                if (!c)
                        return -EBADMSG;
                if (!(ret->values[ret->n_values] = strdup(c)))
                        return -ENOMEM;
                ret->n_values++;
        }
        return 0;
}

/* The value a selection names: code exactly, else text, else code in another case (as Statbank). */
static size_t find_value(const json_t *var, const char *want)
{
        const json_t *codes = json_object_get(var, "values"), *texts = json_object_get(var, "valueTexts");

        for (int pass = 0; pass < 3; pass++)
                for (size_t i = 0; i < json_array_size(codes); i++) {
                        const char *c = json_string_value(json_array_get(codes, i));
                        const char *t = json_string_value(json_array_get(texts, i));
                        if (pass == 0   ? (c && streq(c, want))
                            : pass == 1 ? (t && utf8_caseeq(t, want))
                                        : (c && utf8_caseeq(c, want)))
                                return i;
                }
        return SIZE_MAX;
}

static const json_t *find_json_var(const json_t *vars, const char *name)
{
        const json_t *v;
        size_t i;

        json_array_foreach(
                vars, i,
                v) if (utf8_caseeq(strempty(json_string_value(json_object_get(v, "code"))), name)) return v;
        json_array_foreach(
                vars, i,
                v) if (utf8_caseeq(strempty(json_string_value(json_object_get(v, "text"))), name)) return v;
        return NULL;
}

static int fail_unknown_value(const ProviderMeta *m, const json_t *var, const char *want, char **ret_error)
{
        const json_t *codes = json_object_get(var, "values"), *texts = json_object_get(var, "valueTexts");
        size_t n = json_array_size(codes);
        _cleanup_free_ const char **ids = xmalloc_array(n + 1, sizeof(char *));
        _cleanup_free_ const char **names = xmalloc_array(n + 1, sizeof(char *));
        _cleanup_free_ char *c = NULL;

        if (!ids || !names)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                ids[i] = strempty(json_string_value(json_array_get(codes, i)));
                names[i] = strempty(json_string_value(json_array_get(texts, i)));
        }
        c = source_candidates(want, ids, names, n);
        return source_fail(ret_error, -ENOENT,
                           "table %s, variable %s: value '%s' is neither a code nor a text; e.g. %s",
                           m->table, strempty(json_string_value(json_object_get(var, "code"))), want,
                           strna(c));
}

/* Resolves one name/value pair (a select: item, or measure: against ContentsCode). */
static int resolve(const ProviderMeta *m, const json_t *vars, const char *dim, const char *want,
                   const json_t **ret_var, size_t *ret_index, char **ret_error)
{
        const json_t *var = find_json_var(vars, dim);

        if (!var)
                return source_fail_unknown_variable(m, dim, ret_error);
        *ret_index = find_value(var, want);
        if (*ret_index == SIZE_MAX)
                return fail_unknown_value(m, var, want, ret_error);
        *ret_var = var;
        return 0;
}

static int pxweb_parse_metadata(const SourceDef *src, const SeriesDef *def, const SourceResponse *resp,
                                ProviderMeta **ret_meta, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_(provider_meta_freep) ProviderMeta *m = NULL;
        json_auto_t *j = NULL;
        const json_t *vars, *v, *var;
        size_t i, idx;
        int r;

        (void) src;
        r = source_check_response(SOURCE_PXWEB, resp, "table metadata (JSON)", ret_error);
        if (r < 0)
                return r;
        r = source_json_load(resp, &j, ret_error);
        if (r < 0)
                return r;
        vars = json_object_get(j, "variables");
        if (!json_is_array(vars))
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s: PxWeb table metadata without a \"variables\" list (is table: a table, not a "
                        "folder?)",
                        origin);
        if (meta_new(SOURCE_PXWEB, &m) < 0 || !(m->table = strdup(strempty(def->table))))
                return source_fail(ret_error, -ENOMEM, "out of memory");
        if (json_is_string(json_object_get(j, "updated")) &&
            !(m->updated = strdup(json_string_value(json_object_get(j, "updated")))))
                return source_fail(ret_error, -ENOMEM, "out of memory");
        m->vars = xmalloc_array(json_array_size(vars) + 1, sizeof(MetaVariable));
        if (!m->vars)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        json_array_foreach(vars, i, v)
        {
                if (!json_is_string(json_object_get(v, "code")) ||
                    !json_is_array(json_object_get(v, "values")) ||
                    (json_object_get(v, "valueTexts") && !json_is_array(json_object_get(v, "valueTexts"))))
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: table %s: variable no. %zu has no code or values", origin,
                                           m->table, i + 1);
                r = read_variable(v, &m->vars[m->n_vars]);
                m->n_vars++;
                if (r == -EBADMSG)
                        return source_fail(ret_error, r,
                                           "%s: table %s: variable %s has a value that is not a string",
                                           origin, m->table, m->vars[m->n_vars - 1].id);
                if (r < 0)
                        return source_fail(ret_error, r, "out of memory");
        }

        for (size_t k = 0; k < def->n_select; k++) {
                const SelectionItem *it = &def->select[k];
                r = resolve(m, vars, strempty(it->dimension), strempty(it->value), &var, &idx, ret_error);
                if (r < 0)
                        return r;
                r = meta_add_item(m, json_string_value(json_object_get(var, "code")),
                                  json_string_value(json_array_get(json_object_get(var, "values"), idx)),
                                  json_string_value(json_array_get(json_object_get(var, "valueTexts"), idx)),
                                  NULL, NULL);
                if (r < 0)
                        return source_fail(ret_error, r, "out of memory");
        }
        if (def->measure) {
                r = resolve(m, vars, "ContentsCode", def->measure, &var, &idx, ret_error);
                if (r < 0)
                        return r;
                m->measure_dim = strdup(json_string_value(json_object_get(var, "code")));
                m->measure_code =
                        strdup(json_string_value(json_array_get(json_object_get(var, "values"), idx)));
                if (!m->measure_dim || !m->measure_code)
                        return source_fail(ret_error, -ENOMEM, "out of memory");
        }
        *ret_meta = TAKE_PTR(m);
        return 0;
}

static int pxweb_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                            const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        JsonStatQuery q;
        int r;

        (void) src;
        r = source_check_response(SOURCE_PXWEB, resp, "JSON-stat", ret_error);
        if (r < 0)
                return r;
        if (meta && meta->kind != SOURCE_PXWEB)
                meta = NULL;
        if (series_new(def->name, &s) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        jsonstat_query_for(def, &q);
        /* the codes the metadata resolved: a selection by text ("Upplands Väsby") or a variable by its
         * text ("region") finds its JSON-stat dimension and category by code */
        if (meta && meta->n_items == def->n_select)
                q.resolved = meta->items;
        if (meta && meta->measure_code)
                q.measure = meta->measure_code;
        r = jsonstat_extract(resp, &q, s, ret_note, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const Provider provider_pxweb = {
        .kind = SOURCE_PXWEB,
        .name = "pxweb",
        .plan = pxweb_plan,
        .parse_metadata = pxweb_parse_metadata,
        .parse_data = pxweb_parse_data,
};
