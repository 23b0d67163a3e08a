/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The providers' metadata endpoints for `labourwatch tables` and `describe` (cli-catalog.h).
 * Wire formats as data-sources.md records them (marks [V]/[3P]/[I] from there):
 *
 *   Statistikbank: POST /v1/tables {"lang","format":"JSON"} -> [{id, text, unit, updated,
 *     firstPeriod, latestPeriod, active, variables}] [V]; POST /v1/tableinfo {"table","lang",
 *     "format":"JSON"} -> {id, text, unit, updated, variables:[{id, text, elimination, time, map?,
 *     values:[{id, text}]}]} [V]. "firstPeriod/latestPeriod are given as text in the requested
 *     language: 2024Q3 in English while the code is 2024K3" [V]: shown as given.
 *   Jobindsats v3: GET /v3/tables?format=json -> [{subject_name, table_groups:[{table_group_name,
 *     tables:[{table_id, table_name}]}]}] [3P]; GET /v3/table/{id}?format=json -> {periods,
 *     dimensions, mgroups} [3P]. The v3 list gives no unit, period range or update time (none was
 *     seen in any client): those fields stay null. v2 is not asked: "v2 is available only through
 *     30 September 2026" [3P], and its table list's shape was never recorded.
 *   PxWeb v1: GET on a database path -> [{id, type: "l"|"t", text, updated?}] (levels and tables);
 *     GET on a table -> {title, variables:[{code, text, values, valueTexts, elimination?, time?}]}.
 *     No unit in either: null.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "cli-catalog.h"
#include "labourwatch/fetch.h"
#include "labourwatch/fileio.h"
#include "labourwatch/macro.h"
#include "labourwatch/metrics.h"
#include "labourwatch/source.h"
#include "labourwatch/suggest.h"

#define STATBANK_DEFAULT_BASE "https://api.statbank.dk"
#define JOBINDSATS_DEFAULT_BASE "https://api.jobindsats.dk"
#define CATALOG_MAX_AGE_SEC (24LL * 60 * 60) /* "reuse it for 1 day" */
#define CATALOG_CACHE_MAX (64U * 1024U * 1024U)

/* ---- one request on a private loop ---- */

typedef struct Http {
        sd_event *event;
        int error;
        long status;
        char *body;
        size_t size;
        char *message; /* transport error or reason phrase */
} Http;

static void http_done(Http *h)
{
        free(h->body);
        free(h->message);
        h->event = sd_event_unref(h->event);
}

static void on_response(Fetcher *f, const FetchResponse *r, void *userdata)
{
        Http *h = userdata;

        h->error = r->error;
        h->status = r->status;
        h->body = malloc(r->size + 1);
        if (h->body) {
                if (r->size > 0)
                        memcpy(h->body, r->body, r->size);
                h->body[r->size] = 0;
                h->size = r->size;
        }
        h->message = strdup_or_null(r->error ? r->error_message : r->reason);
        if (!h->body)
                h->error = -ENOMEM;
        (void) sd_event_exit(h->event, 0);
}

/* The provider's own words in an error body: Statistikbank's {errorTypeCode, message} [V],
 * Jobindsats' {"Message"}/{"detail"} [3P/I], else the body's first line (HTML pages are not
 * quoted). Returns a malloc'd string or NULL. */
static char *error_words(const char *body)
{
        _cleanup_(json_decrefp) json_t *j = json_loads(body, JSON_DECODE_ANY, NULL);
        const char *code, *msg;
        size_t n;

        if (json_is_object(j)) {
                code = json_string_value(json_object_get(j, "errorTypeCode"));
                msg = json_string_value(json_object_get(j, "message"));
                if (!msg)
                        msg = json_string_value(json_object_get(j, "Message"));
                if (!msg)
                        msg = json_string_value(json_object_get(j, "detail"));
                if (code || msg)
                        return strdup_printf("%s%s%s", code ? code : "", code && msg ? ": " : "",
                                             msg ? msg : "");
        }
        body += strspn(body, " \t\r\n");
        if (*body == '<' || !*body)
                return NULL;
        n = strcspn(body, "\r\n");
        return strdup_printf("%.*s", (int) (n > 200 ? 200 : n), body);
}

/* GETs (post NULL) or POSTs url. Returns 0 and *ret (body, size; the caller frees body) when the
 * answer came with status 200, or -EIO with the one line in *ret_error. */
int catalog_http(const SourceDef *src, const char *url, const char *post, const char *auth, CatalogBody *ret,
                 char **ret_error)
{
        _cleanup_(http_done) Http h = {};
        Fetcher *f = NULL;
        int r;

        r = sd_event_new(&h.event);
        if (r < 0)
                return r;
        r = fetcher_new(h.event, &f);
        if (r < 0)
                return r;
        r = fetcher_start(f,
                          &(FetchRequest) {
                                  .url = url,
                                  .body = post,
                                  .authorization = auth,
                                  .ca_file = src->ca_file,
                                  .connect_timeout_usec = src->connect_timeout_usec,
                                  .timeout_usec = src->timeout_usec,
                                  .max_size = src->max_response_size,
                          },
                          on_response, &h);
        if (r >= 0)
                r = sd_event_loop(h.event);
        fetcher_free(f);
        if (r < 0)
                return r;
        if (h.error == -ENOMEM)
                return -ENOMEM;
        if (h.error < 0) {
                *ret_error = strdup_printf("%s: %s", url, h.message ? h.message : strerror(-h.error));
                return -EIO;
        }
        if (h.status != 200) {
                _cleanup_free_ char *words = error_words(h.body);
                *ret_error = strdup_printf("%s: HTTP %ld%s%s%s%s", url, h.status, h.message ? " " : "",
                                           strempty(h.message), words ? ": " : "", strempty(words));
                return -EIO;
        }
        *ret = (CatalogBody) { .body = TAKE_PTR(h.body), .size = h.size };
        return 0;
}

/* The same, the body parsed as JSON into *ret (caller owns). */
static int http_json(const SourceDef *src, const char *url, const char *post, const char *auth, json_t **ret,
                     char **ret_error)
{
        _cleanup_free_ char *words = NULL;
        CatalogBody b = {};
        json_error_t jerr;
        json_t *j;
        int r;

        r = catalog_http(src, url, post, auth, &b, ret_error);
        if (r < 0)
                return r;
        /* "Some responses start with a UTF-8 BOM" [3P] */
        j = json_loadb(b.body + (strncmp(b.body, "\xef\xbb\xbf", 3) == 0 ? 3 : 0),
                       b.size - (strncmp(b.body, "\xef\xbb\xbf", 3) == 0 ? 3 : 0), 0, &jerr);
        if (!j) {
                free(b.body);
                *ret_error = strdup_printf("%s: the answer is not JSON (%s, line %d)", url, jerr.text, jerr.line);
                return -EIO;
        }
        /* an error message sent with status 200 (issue 11 §2): Statistikbank's {errorTypeCode},
         * Jobindsats' {"Forkert nøgle eller nøglen er udløbet.": ""} [3P], … as the providers'
         * parsers recognise them */
        words = source_body_error_text(&(SourceResponse) { .url = url, .status = 200, .body = b.body, .size = b.size });
        if (words) {
                free(b.body);
                json_decref(j);
                *ret_error = strdup_printf("%s: the provider answered with an error: %s", url, words);
                return -EIO;
        }
        free(b.body);
        *ret = j;
        return 0;
}

/* ---- addresses ---- */

static char *base_trimmed(const SourceDef *src, const char *def, const char *version)
{
        const char *b = src->base_url && *src->base_url ? src->base_url : def;
        size_t n = strlen(b);

        while (n > 0 && b[n - 1] == '/')
                n--;
        if (version && n >= 3 && strneq(b + n - 3, version, 3))
                n -= 3;
        return strndup(b, n);
}

static char *url_encode(const char *s)
{
        size_t n = strlen(s);
        char *o = xmalloc_array(n * 3 + 1, 1), *p = o;

        if (!o)
                return NULL;
        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                    strchr("-._~", ch))
                        *p++ = (char) ch;
                else {
                        (void) snprintf(p, 4, "%%%02X", ch);
                        p += 3;
                }
        }
        *p = 0;
        return o;
}

/* "v3: header Authorization: Bearer <token>" [3P] */
static int jobindsats_auth(const SourceDef *src, char **ret, char **ret_error)
{
        char *token = NULL;
        int r;

        if (src->api_version == 2) {
                *ret_error = strdup_printf("source %s: api_version 2 has no table list labourwatch can read (v2 "
                                           "was retired on 30 September 2026); set api_version: 3",
                                           src->name);
                return -ENOTSUP;
        }
        r = secret_read(&src->token, &token);
        if (r < 0) {
                *ret_error = strdup_printf("source %s: cannot read the API token (%s %s): %s", src->name,
                                           secret_ref_kind(&src->token), strna(secret_ref_name(&src->token)),
                                           strerror(-r));
                return -EIO;
        }
        *ret = strdup_printf("Bearer %s", token);
        secret_wipe_free(token);
        return *ret ? 0 : -ENOMEM;
}

static const char *statbank_lang(const SourceDef *src)
{
        return src->lang && streq(src->lang, "en") ? "en" : "da";
}

static char *listing_url(const SourceDef *src)
{
        _cleanup_free_ char *b = NULL;

        switch (src->kind) {
        case SOURCE_STATBANK:
                b = base_trimmed(src, STATBANK_DEFAULT_BASE, "/v1");
                return b ? strdup_printf("%s/v1/tables", b) : NULL;
        case SOURCE_JOBINDSATS:
                b = base_trimmed(src, JOBINDSATS_DEFAULT_BASE, src->api_version == 2 ? "/v2" : "/v3");
                return b ? strdup_printf("%s/v3/tables?format=json", b) : NULL;
        case SOURCE_PXWEB:
                b = base_trimmed(src, "", NULL);
                return b ? strdup_printf("%s/", b) : NULL;
        default:
                /* csv, jsonstat: the files its series name, under base_url */
                return strdup(strempty(src->base_url));
        }
}

/* ---- listings ---- */

static json_t *str_or_null(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s ? json_string(s) : json_null();
}

static int listing_add(json_t *out, const char *id, const char *title, const char *type, json_t *unit,
                       json_t *first, json_t *last, json_t *updated)
{
        json_t *t = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", id, "title", title ? title : "", "type",
                              type, "unit", unit ? unit : json_null(), "first_period", first ? first : json_null(),
                              "last_period", last ? last : json_null(), "updated", updated ? updated : json_null());
        return t && json_array_append_new(out, t) >= 0 ? 0 : -ENOMEM;
}

static int parse_statbank_tables(const json_t *j, json_t *out)
{
        size_t i;
        json_t *t;

        json_array_foreach(j, i, t) {
                const char *id = json_string_value(json_object_get(t, "id"));
                if (!id)
                        continue;
                if (listing_add(out, id, json_string_value(json_object_get(t, "text")), "table",
                                str_or_null(t, "unit"), str_or_null(t, "firstPeriod"),
                                str_or_null(t, "latestPeriod"), str_or_null(t, "updated")) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_jobindsats_tables(const json_t *j, json_t *out)
{
        size_t i, k, l;
        json_t *subject, *group, *t;

        json_array_foreach(j, i, subject) {
                json_array_foreach(json_object_get(subject, "table_groups"), k, group) {
                        json_array_foreach(json_object_get(group, "tables"), l, t) {
                                const char *id = json_string_value(json_object_get(t, "table_id"));
                                if (!id)
                                        continue;
                                /* no unit, period range nor update time in the v3 list [3P] */
                                if (listing_add(out, id, json_string_value(json_object_get(t, "table_name")),
                                                "table", NULL, NULL, NULL, NULL) < 0)
                                        return -ENOMEM;
                        }
                }
        }
        return 0;
}

static int parse_pxweb_tree(const json_t *j, json_t *out)
{
        size_t i;
        json_t *t;

        json_array_foreach(j, i, t) {
                const char *id = json_string_value(json_object_get(t, "id"));
                const char *type = json_string_value(json_object_get(t, "type"));
                if (!id || !type)
                        continue;
                if (listing_add(out, id, json_string_value(json_object_get(t, "text")),
                                streq(type, "l") ? "level" : "table", NULL, NULL, NULL,
                                str_or_null(t, "updated")) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int fetch_listing(const SourceDef *src, const char *url, json_t **ret, char **ret_error)
{
        _cleanup_(json_decrefp) json_t *j = NULL, *out = json_array();
        _cleanup_free_ char *auth = NULL, *post = NULL;
        int r;

        if (!out)
                return -ENOMEM;
        if (src->kind == SOURCE_JOBINDSATS) {
                r = jobindsats_auth(src, &auth, ret_error);
                if (r < 0)
                        return r;
        }
        if (src->kind == SOURCE_STATBANK) {
                post = strdup_printf("{\"lang\":\"%s\",\"format\":\"JSON\"}", statbank_lang(src));
                if (!post)
                        return -ENOMEM;
        }
        r = http_json(src, url, post, auth, &j, ret_error);
        if (r < 0)
                return r;
        if (!json_is_array(j)) {
                *ret_error = strdup_printf("%s: expected a JSON array of tables, got %s", url,
                                           json_is_object(j) ? "an object" : "something else");
                return -EIO;
        }
        r = src->kind == SOURCE_STATBANK     ? parse_statbank_tables(j, out)
            : src->kind == SOURCE_JOBINDSATS ? parse_jobindsats_tables(j, out)
                                             : parse_pxweb_tree(j, out);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- the cache: STATE_DIR/catalog/tables-SOURCE.json = {"source","url","fetched","tables"} ----
 * "url" is cache_key(): a listing asked for elsewhere (base_url or lang changed) is not reused. */

static char *cache_path(const Config *c, const SourceDef *src)
{
        return strdup_printf("%s/catalog/tables-%s.json", c->state_dir, src->name);
}

/* What the kept listing answered: the URL, and for Statistikbank the language of its texts (the
 * same URL, another POST body). */
static char *cache_key(const SourceDef *src)
{
        _cleanup_free_ char *url = listing_url(src);

        if (!url)
                return NULL;
        if (src->kind == SOURCE_STATBANK)
                return strdup_printf("%s lang=%s", url, statbank_lang(src));
        return TAKE_PTR(url);
}

static json_t *cache_read(const char *path, const char *url, long long now_sec, bool *ret_fresh)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(json_decrefp) json_t *j = NULL;
        json_t *fetched;

        *ret_fresh = false;
        if (read_full_file(path, CATALOG_CACHE_MAX, &text, NULL) < 0)
                return NULL;
        j = json_loads(text, 0, NULL);
        fetched = json_object_get(j, "fetched");
        if (!json_is_integer(fetched) || !json_is_array(json_object_get(j, "tables")) ||
            !json_is_string(json_object_get(j, "url")) ||
            !streq(json_string_value(json_object_get(j, "url")), url))
                return NULL;
        *ret_fresh = now_sec >= json_integer_value(fetched) &&
                     now_sec - json_integer_value(fetched) < CATALOG_MAX_AGE_SEC;
        return TAKE_PTR(j);
}

static int cache_write(const Config *c, const char *path, json_t *doc)
{
        _cleanup_free_ char *dir = strdup_printf("%s/catalog", c->state_dir), *text = NULL;

        if (!dir || !(text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)))
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return metrics_write_atomic(path, text);
}

json_t *catalog_cached(const Config *c, const SourceDef *src)
{
        _cleanup_free_ char *url = cache_key(src), *path = cache_path(c, src);
        _cleanup_(json_decrefp) json_t *doc = NULL;
        bool fresh;

        if (!url || !path)
                return NULL;
        doc = cache_read(path, url, 0, &fresh);
        return json_incref(json_object_get(doc, "tables"));
}

int catalog_tables(const Config *c, const SourceDef *src, bool refresh, json_t **ret, long long *ret_fetched,
                   bool *ret_cached, char **ret_warning, char **ret_error)
{
        _cleanup_free_ char *url = NULL, *key = NULL, *path = NULL;
        _cleanup_(json_decrefp) json_t *cached = NULL, *tables = NULL, *doc = NULL;
        long long now_sec = (long long) time(NULL);
        bool fresh = false;
        int r;

        /* A CSV or JSON-stat source's files are read afresh each time: they are the series'
         * own (their paths change with the configuration), not a provider's catalogue. */
        if (src->kind == SOURCE_CSV || src->kind == SOURCE_JSONSTAT) {
                r = catalog_files(c, src, ret, ret_error);
                if (r < 0)
                        return r;
                *ret_fetched = now_sec;
                *ret_cached = false;
                return 0;
        }
        url = listing_url(src);
        key = cache_key(src);
        path = cache_path(c, src);
        if (!url || !key || !path)
                return -ENOMEM;
        cached = cache_read(path, key, now_sec, &fresh);
        if (cached && fresh && !refresh) {
                *ret_fetched = json_integer_value(json_object_get(cached, "fetched"));
                *ret_cached = true;
                *ret = json_incref(json_object_get(cached, "tables"));
                return 0;
        }
        r = fetch_listing(src, url, &tables, ret_error);
        if (r < 0)
                return r;
        doc = json_pack("{s:s, s:s, s:I, s:O}", "source", src->name, "url", key, "fetched", (json_int_t) now_sec,
                        "tables", tables);
        if (!doc)
                return -ENOMEM;
        r = cache_write(c, path, doc);
        if (r < 0)
                *ret_warning = strdup_printf("cannot cache the listing in %s: %s, ignoring", path, strerror(-r));
        *ret_fetched = now_sec;
        *ret_cached = false;
        *ret = TAKE_PTR(tables);
        return 0;
}

/* ---- one table ---- */

static json_t *variable_new(const char *id, const char *text, bool time, bool area, bool elimination)
{
        return json_pack("{s:s, s:s, s:b, s:b, s:b, s:[]}", "id", id, "text", text ? text : "", "time", time,
                         "area", area, "elimination", elimination, "values");
}

static int value_add(json_t *var, const char *id, const char *text)
{
        json_t *v = json_pack("{s:s, s:s}", "id", id, "text", text ? text : id);
        return v && json_array_append_new(json_object_get(var, "values"), v) >= 0 ? 0 : -ENOMEM;
}

static bool statbank_is_area(const json_t *v, const char *id)
{
        return json_object_get(v, "map") || suggest_same(id, "OMRÅDE");
}

static int describe_statbank(const json_t *j, json_t *out)
{
        json_t *vars = json_array(), *v, *x;
        size_t i, k;

        if (!vars || json_object_set_new(out, "variables", vars) < 0)
                return -ENOMEM;
        json_array_foreach(json_object_get(j, "variables"), i, v) {
                const char *id = json_string_value(json_object_get(v, "id"));
                bool time = json_is_true(json_object_get(v, "time"));
                json_t *var;
                if (!id)
                        continue;
                var = variable_new(id, json_string_value(json_object_get(v, "text")), time,
                                   statbank_is_area(v, id), json_is_true(json_object_get(v, "elimination")));
                if (!var || json_array_append_new(vars, var) < 0)
                        return -ENOMEM;
                json_array_foreach(json_object_get(v, "values"), k, x) {
                        const char *vid = json_string_value(json_object_get(x, "id"));
                        if (vid && value_add(var, vid, json_string_value(json_object_get(x, "text"))) < 0)
                                return -ENOMEM;
                        if (vid && time && json_array_append_new(json_object_get(out, "periods"),
                                                                 json_string(vid)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* v3 dimensions -> hierarchies -> levels -> values [3P]: one variable per dimension, its values
 * from every hierarchy (an area's "Hele landet", regions and municipalities alike). */
static int describe_jobindsats(const json_t *j, json_t *out)
{
        json_t *vars = json_array(), *measures = json_array(), *d, *h, *l, *x, *p, *g;
        size_t i, k, m, n;

        if (!vars || json_object_set_new(out, "variables", vars) < 0 || !measures ||
            json_object_set_new(out, "measures", measures) < 0)
                return -ENOMEM;
        json_array_foreach(json_object_get(j, "dimensions"), i, d) {
                const char *id = json_string_value(json_object_get(d, "dimension_id"));
                json_t *var;
                if (!id)
                        continue;
                var = variable_new(id, json_string_value(json_object_get(d, "dimension_name")), false,
                                   suggest_same(id, "_omrade") || suggest_same(id, "_område"), true);
                if (!var || json_array_append_new(vars, var) < 0)
                        return -ENOMEM;
                json_array_foreach(json_object_get(d, "hierarchies"), k, h)
                        json_array_foreach(json_object_get(h, "levels"), m, l)
                                json_array_foreach(json_object_get(l, "values"), n, x) {
                                        const char *vid = json_string_value(json_object_get(x, "value_id"));
                                        if (vid && value_add(var, vid, json_string_value(json_object_get(
                                                                                x, "value_name"))) < 0)
                                                return -ENOMEM;
                                }
        }
        json_array_foreach(json_object_get(j, "periods"), i, p)
                json_array_foreach(json_object_get(p, "values"), k, x) {
                        const char *pid = json_string_value(json_object_get(x, "period_id"));
                        if (pid && json_array_append_new(json_object_get(out, "periods"), json_string(pid)) < 0)
                                return -ENOMEM;
                }
        json_array_foreach(json_object_get(j, "mgroups"), i, g)
                json_array_foreach(json_object_get(g, "measures"), k, x) {
                        const char *mid = json_string_value(json_object_get(x, "measure_id"));
                        json_t *mm;
                        if (!mid)
                                continue;
                        const char *name = json_string_value(json_object_get(x, "measure_name"));
                        mm = json_pack("{s:s, s:s}", "id", mid, "text", name ? name : mid);
                        if (!mm || json_array_append_new(measures, mm) < 0)
                                return -ENOMEM;
                }
        return 0;
}

/* PxWeb v1 table metadata: values and valueTexts are parallel arrays; the measure is the
 * ContentsCode variable ("tabellinnehåll"), which series name with measure:. */
static int describe_pxweb(const json_t *j, json_t *out)
{
        json_t *vars = json_array(), *measures = json_array(), *v;
        size_t i;

        if (!vars || json_object_set_new(out, "variables", vars) < 0 || !measures ||
            json_object_set_new(out, "measures", measures) < 0)
                return -ENOMEM;
        if (json_is_string(json_object_get(j, "title")))
                (void) json_object_set(out, "title", json_object_get(j, "title"));
        json_array_foreach(json_object_get(j, "variables"), i, v) {
                const char *id = json_string_value(json_object_get(v, "code"));
                json_t *values = json_object_get(v, "values"), *texts = json_object_get(v, "valueTexts");
                bool time = json_is_true(json_object_get(v, "time")) || (id && streq(id, "Tid"));
                bool contents = id && streq(id, "ContentsCode");
                json_t *var;
                if (!id)
                        continue;
                var = variable_new(id, json_string_value(json_object_get(v, "text")), time, false,
                                   json_is_true(json_object_get(v, "elimination")));
                if (!var || json_array_append_new(vars, var) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < json_array_size(values); k++) {
                        const char *vid = json_string_value(json_array_get(values, k));
                        const char *text = json_string_value(json_array_get(texts, k));
                        if (!vid)
                                continue;
                        if (value_add(var, vid, text) < 0)
                                return -ENOMEM;
                        if (time && json_array_append_new(json_object_get(out, "periods"), json_string(vid)) < 0)
                                return -ENOMEM;
                        if (contents && json_array_append_new(measures, json_pack("{s:s, s:s}", "id", vid, "text",
                                                                                  text ? text : vid)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int catalog_describe(const SourceDef *src, const char *table, json_t **ret, char **ret_error)
{
        _cleanup_(json_decrefp) json_t *j = NULL, *out = NULL;
        _cleanup_free_ char *b = NULL, *url = NULL, *post = NULL, *auth = NULL, *enc = NULL;
        const char *id;
        int r;

        switch (src->kind) {
        case SOURCE_STATBANK:
                b = base_trimmed(src, STATBANK_DEFAULT_BASE, "/v1");
                url = b ? strdup_printf("%s/v1/tableinfo", b) : NULL;
                /* "In POST the key is table; id does not work there" [3P] */
                j = json_pack("{s:s, s:s, s:s}", "table", table, "lang", statbank_lang(src), "format", "JSON");
                post = j ? json_dumps(j, JSON_COMPACT) : NULL;
                json_decref(j);
                j = NULL;
                if (!url || !post)
                        return -ENOMEM;
                break;
        case SOURCE_JOBINDSATS:
                r = jobindsats_auth(src, &auth, ret_error);
                if (r < 0)
                        return r;
                b = base_trimmed(src, JOBINDSATS_DEFAULT_BASE, "/v3");
                enc = url_encode(table);
                url = b && enc ? strdup_printf("%s/v3/table/%s?format=json", b, enc) : NULL;
                if (!url)
                        return -ENOMEM;
                break;
        case SOURCE_PXWEB:
                b = base_trimmed(src, "", NULL);
                url = b ? strdup_printf("%s/%s", b, table + strspn(table, "/")) : NULL;
                if (!url)
                        return -ENOMEM;
                break;
        default:
                *ret_error = strdup_printf("source %s is kind %s, which has no table metadata to describe",
                                           src->name, src->kind == SOURCE_CSV ? "csv" : "jsonstat");
                return -ENOTSUP;
        }
        r = http_json(src, url, post, auth, &j, ret_error);
        if (r < 0)
                return r;
        if (!json_is_object(j) || !json_is_array(json_object_get(j, src->kind == SOURCE_JOBINDSATS ? "dimensions"
                                                                                                   : "variables"))) {
                *ret_error = strdup_printf("%s: not the metadata of a table (no %s)", url,
                                           src->kind == SOURCE_JOBINDSATS ? "dimensions" : "variables");
                return -EIO;
        }
        id = json_string_value(json_object_get(j, src->kind == SOURCE_JOBINDSATS ? "table_id" : "id"));
        out = json_pack("{s:s, s:o, s:o, s:o, s:[]}", "id", id ? id : table, "title",
                        str_or_null(j, src->kind == SOURCE_JOBINDSATS ? "table_name" : "text"), "unit",
                        str_or_null(j, "unit"), "updated", str_or_null(j, "updated"), "periods");
        if (!out)
                return -ENOMEM;
        r = src->kind == SOURCE_STATBANK     ? describe_statbank(j, out)
            : src->kind == SOURCE_JOBINDSATS ? describe_jobindsats(j, out)
                                             : describe_pxweb(j, out);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- filtering ---- */

static bool folded_contains(const char *hay, const char *needle_folded)
{
        char buf[1024];

        if (!hay)
                return false;
        (void) suggest_fold(hay, buf, sizeof buf); /* a longer title is matched on its first 1023 bytes */
        return strstr(buf, needle_folded) != NULL;
}

bool catalog_match(const char *id, const char *title, char **words, int n_words)
{
        for (int i = 0; i < n_words; i++) {
                char w[256];
                if (suggest_fold(words[i], w, sizeof w) < 0)
                        return false;
                if (!folded_contains(id, w) && !folded_contains(title, w))
                        return false;
        }
        return true;
}
