/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON-stat: 2.0 datasets (Eurostat, SSB, SCB/PxWeb, CSO …) and the pre-2.0 bundle form that
 * Statistics Denmark's JSONSTAT format returns. Pure. Rules quoted from data-sources.md §4.1 [V]:
 *
 *   - "`id` (array of dimension ids) and `size` (array of ints, same order) are required for
 *     datasets"; pre-2.0: "`id`, `size`, `role` inside `dimension` instead of at root".
 *   - "`category.index` is either an array of category ids or an object id->position; it may be
 *     omitted only for a single-category (constant) dimension, in which case `category.label` must
 *     be present and its single key is the category id."
 *   - "`value`: array (dense, `null` = missing) or object `{ "pos": number }` (sparse). Order is
 *     row-major … the last dimension in `id` varies fastest."
 *   - "`status`: array same length as `value`, object by position, or a single string for all
 *     cells; a single-element array is deprecated."
 *   - "Bundle: top-level object keyed by dataset id (`{"dataset": {...}}` at DST and SSB v0)".
 *
 * Memory: the body may be tens of MB, almost all of it the `value` (and `status`) members. Those
 * are never turned into a tree: a small scanner validates and walks them in place, picking only
 * the cells of the selected series; only the rest of the document (dimensions, a few kB) is loaded
 * with jansson. Peak memory is therefore the body plus a little.
 *
 * Selection: every dimension but time must be fixed — by a `select:` item (dimension id or label;
 * category id or label, case-insensitive), by `measure:` for the metric dimension, or by having a
 * single category. Time is role.time, or else a dimension called time/Tid/TIME_PERIOD/…
 * A missing cell (null, or a position absent from a sparse `value`) becomes a missing point.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source-internal.h"

#define JSON_DEPTH_MAX 128

/* ---- a validating skipper over JSON text ---- */

static const char *skip_ws(const char *p, const char *end)
{
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
                p++;
        return p;
}

static const char *skip_string(const char *p, const char *end)
{
        /* p at the opening quote */
        p++;
        while (p < end) {
                const char *q = p;
                /* fast scan to the next quote, backslash or control character */
                while (q < end && *q != '"' && *q != '\\' && (unsigned char) *q >= 0x20)
                        q++;
                if (q >= end)
                        return NULL;
                if (*q == '"')
                        return q + 1;
                if ((unsigned char) *q < 0x20)
                        return NULL;
                /* backslash */
                q++;
                if (q >= end)
                        return NULL;
                if (*q == 'u') {
                        for (int i = 1; i <= 4; i++)
                                if (q + i >= end || !strchr("0123456789abcdefABCDEF", q[i]) || !q[i])
                                        return NULL;
                        p = q + 5;
                } else if (strchr("\"\\/bfnrt", *q) && *q)
                        p = q + 1;
                else
                        return NULL;
        }
        return NULL;
}

static const char *skip_number(const char *p, const char *end)
{
        const char *s;
        if (p < end && *p == '-')
                p++;
        if (p >= end)
                return NULL;
        if (*p == '0')
                p++;
        else if (*p >= '1' && *p <= '9')
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
        else
                return NULL;
        if (p < end && *p == '.') {
                s = ++p;
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
                if (p == s)
                        return NULL;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                        p++;
                s = p;
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
                if (p == s)
                        return NULL;
        }
        return p;
}

static const char *skip_literal(const char *p, const char *end, const char *lit)
{
        size_t n = strlen(lit);
        if ((size_t) (end - p) < n || memcmp(p, lit, n) != 0)
                return NULL;
        return p + n;
}

static const char *skip_value(const char *p, const char *end, int depth)
{
        if (depth > JSON_DEPTH_MAX)
                return NULL;
        p = skip_ws(p, end);
        if (p >= end)
                return NULL;
        switch (*p) {
        case '"':
                return skip_string(p, end);
        case 't':
                return skip_literal(p, end, "true");
        case 'f':
                return skip_literal(p, end, "false");
        case 'n':
                return skip_literal(p, end, "null");
        case '[':
                p = skip_ws(p + 1, end);
                if (p < end && *p == ']')
                        return p + 1;
                for (;;) {
                        /* arrays of numbers ("value") dominate big bodies: no dispatch, no ws calls */
                        if (p < end && ((*p >= '0' && *p <= '9') || *p == '-'))
                                p = skip_number(p, end);
                        else
                                p = skip_value(p, end, depth + 1);
                        if (!p)
                                return NULL;
                        if (p < end && *p == ',') {
                                p++;
                                if (p < end && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
                                        continue;
                                p = skip_ws(p, end);
                                continue;
                        }
                        p = skip_ws(p, end);
                        if (p >= end)
                                return NULL;
                        if (*p == ']')
                                return p + 1;
                        if (*p != ',')
                                return NULL;
                        p++;
                }
        case '{':
                p = skip_ws(p + 1, end);
                if (p < end && *p == '}')
                        return p + 1;
                for (;;) {
                        p = skip_ws(p, end);
                        if (p >= end || *p != '"')
                                return NULL;
                        p = skip_string(p, end);
                        if (!p)
                                return NULL;
                        p = skip_ws(p, end);
                        if (p >= end || *p != ':')
                                return NULL;
                        p = skip_value(p + 1, end, depth + 1);
                        if (!p)
                                return NULL;
                        p = skip_ws(p, end);
                        if (p >= end)
                                return NULL;
                        if (*p == '}')
                                return p + 1;
                        if (*p != ',')
                                return NULL;
                        p++;
                }
        default:
                return skip_number(p, end);
        }
}

/* Finds the end of the array/object at p by bracket matching only (strings respected), without
 * validating the scalars inside: used for the big "value"/"status" members, which are validated
 * element by element when they are walked. Returns NULL when unbalanced. */
static const char *skip_fast(const char *p, const char *end)
{
        size_t depth = 0;

        /* bytes that matter for bracket matching; everything else is skipped in a tight loop */
        static const unsigned char special[256] = { ['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1 };

        if (p >= end || (*p != '[' && *p != '{'))
                return skip_value(p, end, 1);
        for (; p < end; p++) {
                while (p < end && !special[(unsigned char) *p])
                        p++;
                if (p >= end)
                        break;
                switch (*p) {
                case '"':
                        p = skip_string(p, end);
                        if (!p)
                                return NULL;
                        p--;
                        break;
                case '[':
                case '{':
                        if (++depth > JSON_DEPTH_MAX)
                                return NULL;
                        break;
                case ']':
                case '}':
                        if (--depth == 0)
                                return p + 1;
                        break;
                default:
                        break;
                }
        }
        return NULL;
}

typedef struct Member {
        const char *key; /* raw, without quotes (escapes not decoded) */
        size_t key_len;
        const char *start, *end; /* the whole "key": value text */
        const char *vstart, *vend;
} Member;

/* Splits the object at p into members. Returns 0, or -EBADMSG with *ret_at set. */
static int scan_fail(const char *at, const char **ret_at)
{
        *ret_at = at;
        return -EBADMSG;
}

static int scan_object(const char *p, const char *end, Member **ret, size_t *ret_n, const char **ret_at)
{
        _cleanup_free_ Member *m = NULL;
        size_t n = 0, alloc = 0;

        p = skip_ws(p, end);
        if (p >= end || *p != '{')
                return scan_fail(p, ret_at);
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') {
                *ret = NULL;
                *ret_n = 0;
                *ret_at = p + 1;
                return 0;
        }
        for (;;) {
                Member x = {};
                p = skip_ws(p, end);
                x.start = p;
                if (p >= end || *p != '"')
                        return scan_fail(p, ret_at);
                const char *k = skip_string(p, end);
                if (!k)
                        return scan_fail(p, ret_at);
                x.key = p + 1;
                x.key_len = (size_t) (k - p - 2);
                p = skip_ws(k, end);
                if (p >= end || *p != ':')
                        return scan_fail(p, ret_at);
                x.vstart = skip_ws(p + 1, end);
                if ((x.key_len == 5 && memcmp(x.key, "value", 5) == 0) ||
                    (x.key_len == 6 && memcmp(x.key, "status", 6) == 0))
                        p = skip_fast(x.vstart, end);
                else
                        p = skip_value(x.vstart, end, 1);
                if (!p)
                        return scan_fail(x.vstart, ret_at);
                x.vend = x.end = p;
                if (GREEDY_REALLOC(m, alloc, n + 1) < 0)
                        return -ENOMEM;
                m[n++] = x;
                p = skip_ws(p, end);
                if (p >= end)
                        return scan_fail(p, ret_at);
                if (*p == '}')
                        break;
                if (*p != ',')
                        return scan_fail(p, ret_at);
                p++;
        }
        *ret = TAKE_PTR(m);
        *ret_n = n;
        *ret_at = p + 1;
        return 0;
}

static bool key_is(const Member *m, const char *k)
{
        return m->key_len == strlen(k) && memcmp(m->key, k, m->key_len) == 0;
}

/* Open brackets or an open string at the end of the body: the transfer was cut off. */
static bool looks_truncated(const char *p, const char *end)
{
        long depth = 0;
        bool in_string = false;
        for (; p < end; p++) {
                if (in_string) {
                        if (*p == '\\')
                                p++;
                        else if (*p == '"')
                                in_string = false;
                } else if (*p == '"')
                        in_string = true;
                else if (*p == '{' || *p == '[')
                        depth++;
                else if (*p == '}' || *p == ']')
                        depth--;
        }
        return in_string || depth > 0;
}

static int fail_at(const SourceResponse *resp, const char *at, char **ret_error, const char *what)
{
        unsigned line = 1, col = 1;
        const char *b = resp->body;
        if (!at || at < b)
                at = b;
        if (at > b + resp->size)
                at = b + resp->size;
        for (const char *q = b; q < at; q++)
                if (*q == '\n')
                        line++, col = 1;
                else if (((unsigned char) *q & 0xC0) != 0x80)
                        col++;
        if (at >= b + resp->size || looks_truncated(b, b + resp->size))
                return source_fail(ret_error, -EBADMSG,
                                   "%s:%u:%u: invalid JSON: %s (the response ends too early?)",
                                   source_origin(resp), line, col, what);
        return source_fail(ret_error, -EBADMSG, "%s:%u:%u: invalid JSON: %s", source_origin(resp), line, col,
                           what);
}

/* ---- the dataset ---- */

typedef struct Dim {
        const char *id, *label;
        size_t size;
        const char **cat_ids;    /* by position; point into the jansson tree */
        const char **cat_labels; /* by position, may be NULL entries */
        size_t fixed;            /* chosen category, SIZE_MAX = not fixed */
        bool is_time, is_metric;
} Dim;

typedef struct WantedCell {
        size_t pos; /* in value */
        size_t t;   /* time category */
} WantedCell;

static void dims_free(Dim *d, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(d[i].cat_ids);
                free(d[i].cat_labels);
        }
        free(d);
}

static bool is_time_name(const char *s)
{
        static const char *const names[] = { "time",    "tid",         "time_period", "timeperiod",
                                             "periode", "period",      "year",        "år",
                                             "aar",     "tidsperiode", "month",       "måned" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (utf8_caseeq(s, names[i]))
                        return true;
        return false;
}

static char *category_list(const Dim *d)
{
        StrBuf b = {};
        for (size_t i = 0; i < d->size && i < 8; i++)
                (void) strbuf_printf(&b, "%s%s%s%s%s", i ? ", " : "", d->cat_ids[i],
                                     d->cat_labels[i] ? " (" : "", strempty(d->cat_labels[i]),
                                     d->cat_labels[i] ? ")" : "");
        if (d->size > 8)
                (void) strbuf_printf(&b, " … (%zu in all)", d->size);
        return b.s ? b.s : strdup("");
}

static size_t find_category(const Dim *d, const char *code, const char *want)
{
        if (code)
                for (size_t i = 0; i < d->size; i++)
                        if (streq(d->cat_ids[i], code))
                                return i;
        for (size_t i = 0; i < d->size; i++)
                if (streq(d->cat_ids[i], want))
                        return i;
        for (size_t i = 0; i < d->size; i++)
                if (d->cat_labels[i] && utf8_caseeq(d->cat_labels[i], want))
                        return i;
        for (size_t i = 0; i < d->size; i++)
                if (utf8_caseeq(d->cat_ids[i], want))
                        return i;
        return SIZE_MAX;
}

/* Reads one dimension's categories, checking index against size. */
static int read_dimension(const SourceResponse *resp, const json_t *dobj, const char *id, size_t size,
                          Dim *d, char **ret_error)
{
        const char *origin = source_origin(resp);
        const json_t *cat = json_object_get(dobj, "category");
        const json_t *index = json_object_get(cat, "index"), *labels = json_object_get(cat, "label");
        size_t n;

        d->id = id;
        d->label = json_string_value(json_object_get(dobj, "label"));
        d->size = size;
        d->fixed = SIZE_MAX;
        if (!json_is_object(cat))
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: dimension '%s' has no category",
                                   origin, id);
        if (size == 0)
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: dimension '%s' has size 0", origin,
                                   id);
        /* check the count before allocating: size comes from the document */
        n = json_is_array(index)    ? json_array_size(index)
            : json_is_object(index) ? json_object_size(index)
                                    : 1;
        if (n != size)
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s: JSON-stat: dimension '%s' has %zu categories in index, but size says %zu",
                        origin, id, n, size);
        d->cat_ids = calloc(size, sizeof(char *));
        d->cat_labels = calloc(size, sizeof(char *));
        if (!d->cat_ids || !d->cat_labels)
                return source_fail(ret_error, -ENOMEM, "out of memory");

        if (json_is_array(index)) {
                n = json_array_size(index);
                if (n != size)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: dimension '%s' has %zu categories in index, but "
                                           "size says %zu",
                                           origin, id, n, size);
                for (size_t i = 0; i < n; i++) {
                        d->cat_ids[i] = json_string_value(json_array_get(index, i));
                        if (!d->cat_ids[i])
                                return source_fail(
                                        ret_error, -EBADMSG,
                                        "%s: JSON-stat: dimension '%s': index[%zu] is not a string", origin,
                                        id, i);
                }
        } else if (json_is_object(index)) {
                const char *k;
                const json_t *v;
                n = json_object_size(index);
                if (n != size)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: dimension '%s' has %zu categories in index, but "
                                           "size says %zu",
                                           origin, id, n, size);
                json_object_foreach((json_t *) index, k, v)
                {
                        json_int_t pos = json_is_integer(v) ? json_integer_value(v) : -1;
                        if (pos < 0 || (size_t) pos >= size || d->cat_ids[pos])
                                return source_fail(ret_error, -EBADMSG,
                                                   "%s: JSON-stat: dimension '%s': category '%s' has an "
                                                   "invalid or repeated position",
                                                   origin, id, k);
                        d->cat_ids[pos] = k;
                }
        } else if (!index && json_is_object(labels) && json_object_size(labels) == 1 && size == 1) {
                /* constant dimension: its single label key is the category id */
                /* constant dimension: its single label key is the category id */
                d->cat_ids[0] = json_object_iter_key(json_object_iter((json_t *) labels));
        } else
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: dimension '%s' lacks category.index (only allowed for "
                                   "a single category with a label)",
                                   origin, id);
        for (size_t i = 0; i < size; i++)
                d->cat_labels[i] = json_string_value(json_object_get(labels, d->cat_ids[i]));
        return 0;
}

static int parse_cell(const char *p, const char *e, double *ret_v, bool *ret_missing)
{
        char buf[64];
        size_t len;

        if (e - p == 4 && memcmp(p, "null", 4) == 0) {
                *ret_missing = true;
                return 0;
        }
        if (*p == '"') {
                /* not JSON-stat, but seen in the wild: numbers as strings, ".." for missing */
                len = (size_t) (e - p) - 2;
                if (source_is_missing(p + 1, len) || (len == 1 && p[1] == ':')) {
                        *ret_missing = true;
                        return 0;
                }
                *ret_missing = false;
                return source_parse_number(p + 1, len, NUMBER_DECIMAL_ANY, ret_v);
        }
        len = (size_t) (e - p);
        if (len >= sizeof(buf) || (*p != '-' && (*p < '0' || *p > '9')))
                return -EINVAL;
        memcpy(buf, p, len);
        buf[len] = 0;
        *ret_missing = false;
        return safe_atod(buf, ret_v);
}

/* One extraction: what the steps below find out and hand on. */
typedef struct JsonStat {
        const SourceResponse *resp;
        const JsonStatQuery *q;
        const char *origin;
        Member *members; /* of the dataset */
        size_t n_members;
        const Member *value, *status;
        const char *dataset_key, *form;
        json_t *meta; /* the dataset without value/status */
        Dim *dims;
        size_t n_dims, time_dim, total;
        StrIndex dim_index; /* dimension id -> position in dims */
        size_t *sizes;      /* size[], read */
        bool size_strings;  /* size was given as strings */
        /* the cells of the series, by time category t */
        size_t n_time;
        size_t *wanted; /* position in value */
        Period *periods;
        double *vals;
        bool *miss, *got;
        bool *skip; /* another frequency than the series' (a mixed time dimension) */
        size_t n_skipped;
        WantedCell *by_pos; /* (position, t) sorted by position */
        bool sparse;
        size_t n_values;
} JsonStat;

static void jsonstat_done(JsonStat *js)
{
        free(js->members);
        json_decref(js->meta);
        dims_free(js->dims, js->n_dims);
        str_index_done(&js->dim_index);
        free(js->sizes);
        free(js->skip);
        free(js->wanted);
        free(js->periods);
        free(js->vals);
        free(js->miss);
        free(js->got);
        free(js->by_pos);
}

/* size[k]: an integer, or (older national APIs) a string of digits such as "37" */
static int dim_size(const json_t *sz, size_t *ret, bool *ret_was_string)
{
        unsigned long long v;

        if (json_is_integer(sz)) {
                if (json_integer_value(sz) < 0 || json_integer_value(sz) > INT32_MAX)
                        return -EINVAL;
                *ret = (size_t) json_integer_value(sz);
                return 0;
        }
        if (!json_is_string(sz) || json_string_length(sz) == 0 || json_string_length(sz) > 10 ||
            strspn(json_string_value(sz), "0123456789") != json_string_length(sz) ||
            safe_atou64(json_string_value(sz), &v) < 0 || v > INT32_MAX)
                return -EINVAL;
        *ret = (size_t) v;
        *ret_was_string = true;
        return 0;
}

static int fail_oom(char **ret_error)
{
        return source_fail(ret_error, -ENOMEM, "out of memory");
}

/* A document that is not a dataset: say which form it is and what to do. A collection lists its
 * datasets in link.item[].href: name the first. */
static int jsonstat_fail_class(const JsonStat *js, const Member *root, size_t n_root, const Member *cls,
                               char **ret_error)
{
        _cleanup_free_ char *c = source_excerpt(cls->vstart, (size_t) (cls->vend - cls->vstart), 40);

        if (skip_literal(cls->vstart, cls->vend, "\"collection\"")) {
                _cleanup_free_ char *href = NULL;
                for (size_t i = 0; i < n_root && !href; i++) {
                        json_t *link;
                        const char *h;
                        if (!key_is(&root[i], "link"))
                                continue;
                        link = json_loadb(root[i].vstart, (size_t) (root[i].vend - root[i].vstart), 0, NULL);
                        h = json_string_value(
                                json_object_get(json_array_get(json_object_get(link, "item"), 0), "href"));
                        href = h ? source_excerpt(h, strlen(h), 200) : NULL;
                        json_decref(link);
                }
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s: JSON-stat: class \"collection\" is not supported: a collection only lists "
                        "datasets; point table: at one of them%s%s",
                        js->origin, href ? ", e.g. " : "", strempty(href));
        }
        if (skip_literal(cls->vstart, cls->vend, "\"dimension\""))
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s: JSON-stat: class \"dimension\" is not supported: a dimension document "
                        "has no figures; point table: at a dataset that uses it",
                        js->origin);
        return source_fail(ret_error, -EBADMSG,
                           "%s: JSON-stat: class %s is not supported; the address must point to a dataset",
                           js->origin, strna(c));
}

/* The dataset at the root (2.0, or a 1.x dataset), or the one chosen from a bundle of datasets. */
static int jsonstat_locate(JsonStat *js, char **ret_error)
{
        const SourceResponse *resp = js->resp;
        const char *body = resp->body, *end = resp->body + resp->size, *at = NULL;
        _cleanup_free_ Member *root = NULL;
        const Member *pick = NULL;
        size_t n_root = 0;
        bool root_is_dataset = false;
        int r;

        body += source_bom_len(body, resp->size);
        r = scan_object(body, end, &root, &n_root, &at);
        if (r == -ENOMEM)
                return fail_oom(ret_error);
        if (r < 0)
                return fail_at(resp, at, ret_error, "expected a JSON-stat object");
        at = skip_ws(at, end);
        if (at < end)
                return fail_at(resp, at, ret_error, "characters after the end of the JSON document");

        for (size_t i = 0; i < n_root; i++) {
                if (key_is(&root[i], "class")) {
                        if (skip_literal(root[i].vstart, root[i].vend, "\"dataset\""))
                                root_is_dataset = true;
                        else
                                return jsonstat_fail_class(js, root, n_root, &root[i], ret_error);
                }
                if (key_is(&root[i], "value") || key_is(&root[i], "dimension"))
                        root_is_dataset = true;
        }
        if (root_is_dataset) {
                js->members = TAKE_PTR(root);
                js->n_members = n_root;
                js->form = "JSON-stat dataset";
                return 0;
        }

        for (size_t i = 0; i < n_root; i++)
                if (js->q->dataset && root[i].key_len == strlen(js->q->dataset) &&
                    memcmp(root[i].key, js->q->dataset, root[i].key_len) == 0)
                        pick = &root[i];
        if (!pick && n_root == 1 && !js->q->dataset_required)
                pick = &root[0];
        if (!pick) {
                StrBuf b = {};
                for (size_t i = 0; i < n_root && i < 10; i++)
                        (void) strbuf_printf(&b, "%s%.*s", i ? ", " : "", (int) MIN(root[i].key_len, 40),
                                             root[i].key);
                if (js->q->dataset_required && n_root > 0)
                        r = source_fail(ret_error, -ENOENT,
                                        "%s: JSON-stat bundle has no dataset '%s'; datasets: %s", js->origin,
                                        js->q->dataset, strempty(b.s));
                else
                        r = source_fail(
                                ret_error, n_root == 0 ? -ENODATA : -EBADMSG,
                                "%s: JSON-stat bundle with %zu datasets; choose one with dataset: (or "
                                "table: ADDRESS#NAME)%s%s",
                                js->origin, n_root, b.len ? ": " : "", strempty(b.s));
                strbuf_done(&b);
                return r;
        }
        js->dataset_key = pick->key;
        r = scan_object(pick->vstart, pick->vend, &js->members, &js->n_members, &at);
        if (r == -ENOMEM)
                return fail_oom(ret_error);
        if (r < 0)
                return fail_at(resp, at, ret_error, "the dataset in the bundle is not an object");
        js->form = "JSON-stat 1.x bundle";
        return 0;
}

/* Loads everything but value/status with jansson. */
static int jsonstat_load_meta(JsonStat *js, char **ret_error)
{
        StrBuf b = {};
        json_error_t jerr;

        if (strbuf_puts(&b, "{") < 0)
                return fail_oom(ret_error);
        for (size_t i = 0; i < js->n_members; i++) {
                const Member *m = &js->members[i];
                if (key_is(m, "value")) {
                        js->value = m;
                        continue;
                }
                if (key_is(m, "status")) {
                        js->status = m;
                        continue;
                }
                if ((b.len > 1 && strbuf_puts(&b, ",") < 0) ||
                    strbuf_append(&b, m->start, (size_t) (m->end - m->start)) < 0) {
                        strbuf_done(&b);
                        return fail_oom(ret_error);
                }
        }
        if (strbuf_puts(&b, "}") < 0) {
                strbuf_done(&b);
                return fail_oom(ret_error);
        }
        js->meta = json_loadb(b.s, b.len, 0, &jerr);
        strbuf_done(&b);
        if (!js->meta)
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: invalid JSON in the dimensions: %s",
                                   js->origin, jerr.text);
        if (!js->value)
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: the dataset has no \"value\"",
                                   js->origin);
        return 0;
}

/* role.<name>: marks the dimensions it lists; an id that names no dimension is an error. */
static int jsonstat_read_roles(JsonStat *js, const json_t *role, char **ret_error)
{
        const char *rk;
        const json_t *rv;

        if (!json_is_object(role))
                return 0;
        json_object_foreach((json_t *) role, rk, rv)
        {
                size_t i;
                const json_t *e;
                json_array_foreach(rv, i, e)
                {
                        size_t k = str_index_find(&js->dim_index, json_string_value(e));
                        if (k == SIZE_MAX)
                                return source_fail(ret_error, -EBADMSG,
                                                   "%s: JSON-stat: role.%s refers to an unknown dimension",
                                                   js->origin, rk);
                        if (streq(rk, "time"))
                                js->dims[k].is_time = true;
                        else if (streq(rk, "metric"))
                                js->dims[k].is_metric = true;
                }
        }
        return 0;
}

/* id, size and each dimension's categories; then which dimension is time. */
static int jsonstat_read_dims(JsonStat *js, char **ret_error)
{
        const json_t *dimension = json_object_get(js->meta, "dimension"), *ids, *sizes, *role;
        size_t dup;
        int r;

        if (!json_is_object(dimension))
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: the dataset has no \"dimension\"",
                                   js->origin);
        ids = json_object_get(js->meta, "id");
        if (!ids)
                ids = json_object_get(dimension, "id");
        sizes = json_object_get(js->meta, "size");
        if (!sizes)
                sizes = json_object_get(dimension, "size");
        role = json_object_get(js->meta, "role");
        if (!role)
                role = json_object_get(dimension, "role");
        if (!json_is_array(ids) || !json_is_array(sizes))
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: \"id\" and \"size\" are missing or not arrays",
                                   js->origin);
        if (json_array_size(ids) != json_array_size(sizes))
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: \"id\" has %zu dimensions, \"size\" %zu", js->origin,
                                   json_array_size(ids), json_array_size(sizes));
        if (json_array_size(ids) == 0)
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: the dataset has no dimensions",
                                   js->origin);

        js->dims = calloc(json_array_size(ids), sizeof(Dim));
        if (!js->dims || str_index_init(&js->dim_index, json_array_size(ids)) < 0)
                return fail_oom(ret_error);
        js->total = 1;
        js->sizes = xmalloc_array(json_array_size(ids) + 1, sizeof(size_t));
        if (!js->sizes)
                return fail_oom(ret_error);
        for (size_t k = 0; k < json_array_size(ids); k++) {
                const char *id = json_string_value(json_array_get(ids, k));
                if (!id || dim_size(json_array_get(sizes, k), &js->sizes[k], &js->size_strings) < 0)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: id[%zu]/size[%zu] is invalid", js->origin, k, k);
                js->dim_index.e[k] = (StrIndexEntry){ id, k };
        }
        /* ids compared by one sort, not pairwise: a response may have 100,000 dimensions */
        if (str_index_sort(&js->dim_index, &dup) < 0)
                return source_fail(ret_error, -EBADMSG, "%s: JSON-stat: dimension '%s' appears twice in id",
                                   js->origin, json_string_value(json_array_get(ids, dup)));
        for (size_t k = 0; k < json_array_size(ids); k++) {
                const char *id = json_string_value(json_array_get(ids, k));
                const json_t *dobj = json_object_get(dimension, id);
                if (!json_is_object(dobj))
                        return source_fail(
                                ret_error, -EBADMSG,
                                "%s: JSON-stat: dimension '%s' from id does not exist in dimension",
                                js->origin, id);
                js->n_dims = k + 1;
                r = read_dimension(js->resp, dobj, id, js->sizes[k], &js->dims[k], ret_error);
                if (r < 0)
                        return r;
                if (js->total > (SIZE_MAX / 16) / js->dims[k].size)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: the product of size is unreasonably large",
                                           js->origin);
                js->total *= js->dims[k].size;
        }
        r = jsonstat_read_roles(js, role, ret_error);
        if (r < 0)
                return r;

        js->time_dim = SIZE_MAX;
        for (size_t k = 0; k < js->n_dims; k++) {
                Dim *d = &js->dims[k];
                d->is_metric = d->is_metric || streq(d->id, "ContentsCode");
                if (d->is_time && js->time_dim == SIZE_MAX)
                        js->time_dim = k;
        }
        for (size_t k = 0; k < js->n_dims && js->time_dim == SIZE_MAX; k++)
                if (is_time_name(js->dims[k].id) || (js->dims[k].label && is_time_name(js->dims[k].label)))
                        js->time_dim = k;
        if (js->time_dim == SIZE_MAX)
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: no time dimension (role.time or a dimension named "
                                   "time/Tid/TIME_PERIOD)",
                                   js->origin);
        return 0;
}

/* The dimension a select: item names: by id or label (case-insensitive) or Statbank's resolved id. */
static size_t jsonstat_find_dim(const JsonStat *js, size_t i)
{
        const SelectionItem *it = &js->q->select[i];
        const char *resolved = js->q->resolved ? js->q->resolved[i].dimension : NULL;

        for (size_t j = 0; j < js->n_dims; j++)
                if (utf8_caseeq(js->dims[j].id, strempty(it->dimension)) ||
                    (js->dims[j].label && utf8_caseeq(js->dims[j].label, strempty(it->dimension))) ||
                    (resolved && streq(js->dims[j].id, resolved)))
                        return j;
        return SIZE_MAX;
}

/* Fixes every dimension but time: by select:, by measure: for the metric, or a single category. */
static int jsonstat_fix_dims(JsonStat *js, char **ret_error)
{
        const JsonStatQuery *q = js->q;

        for (size_t i = 0; i < q->n_select; i++) {
                const SelectionItem *it = &q->select[i];
                size_t k = jsonstat_find_dim(js, i);
                Dim *d;
                if (k == SIZE_MAX) {
                        StrBuf b = {};
                        int r;
                        for (size_t j = 0; j < js->n_dims; j++)
                                (void) strbuf_printf(&b, "%s%s", j ? ", " : "", js->dims[j].id);
                        r = source_fail(ret_error, -ENOENT,
                                        "%s: JSON-stat: dimension '%s' does not exist; dimensions: %s",
                                        js->origin, strempty(it->dimension), strempty(b.s));
                        strbuf_done(&b);
                        return r;
                }
                d = &js->dims[k];
                d->fixed = find_category(d, q->resolved ? q->resolved[i].code : NULL, strempty(it->value));
                if (d->fixed == SIZE_MAX) {
                        _cleanup_free_ char *c = category_list(d);
                        return source_fail(
                                ret_error, -ENOENT,
                                "%s: JSON-stat: dimension '%s' has no category '%s'; categories: %s",
                                js->origin, d->id, strempty(it->value), strna(c));
                }
        }
        for (size_t k = 0; k < js->n_dims; k++) {
                Dim *d = &js->dims[k];
                if (k == js->time_dim || d->fixed != SIZE_MAX)
                        continue;
                if (d->is_metric && q->measure) {
                        d->fixed = find_category(d, NULL, q->measure);
                        if (d->fixed == SIZE_MAX) {
                                _cleanup_free_ char *c = category_list(d);
                                return source_fail(
                                        ret_error, -ENOENT,
                                        "%s: JSON-stat: measure '%s' does not exist in '%s'; categories: %s",
                                        js->origin, q->measure, d->id, strna(c));
                        }
                } else if (d->size == 1)
                        d->fixed = 0;
                else {
                        _cleanup_free_ char *c = category_list(d);
                        return source_fail(
                                ret_error, -ENOENT,
                                "%s: JSON-stat: dimension '%s'%s%s%s has %zu categories and must be "
                                "chosen in select:; categories: %s",
                                js->origin, d->id, d->label ? " (" : "", strempty(d->label),
                                d->label ? ")" : "", d->size, strna(c));
                }
        }
        return 0;
}

static int cmp_wanted_cell(const void *a, const void *b)
{
        const WantedCell *x = a, *y = b;
        return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool want_freq_valid(PeriodFreq f)
{
        return f >= 0 && f < _PERIOD_FREQ_MAX;
}

/* The period of a time category: by the series' time_format when it has one; else the code or
 * the label as a period code, or either read as a label ("2005 - 1" with opaque codes, "Sep 1999"). */
static int jsonstat_time_period(const JsonStat *js, const Dim *td, size_t cat, Period *ret, char **ret_error)
{
        const char *cid = td->cat_ids[cat], *lab = td->cat_labels[cat], *fmt = js->q->time_format;
        int r;

        if (fmt) {
                if (source_parse_period_format(cid, strlen(cid), fmt, ret) >= 0 ||
                    (lab && source_parse_period_format(lab, strlen(lab), fmt, ret) >= 0))
                        return 0;
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: time category '%s'%s%s%s does not match time_format '%s'",
                                   js->origin, cid, lab ? " (label '" : "", strempty(lab), lab ? "')" : "",
                                   fmt);
        }
        if (source_parse_period(cid, strlen(cid), PERIOD_MONTH, ret) >= 0 ||
            (lab && source_parse_period(lab, strlen(lab), PERIOD_MONTH, ret) >= 0))
                return 0;
        r = lab ? source_parse_period_label(lab, strlen(lab), js->q->want_freq, PERIOD_MONTH, ret) : -EINVAL;
        if (r == -EINVAL)
                r = source_parse_period_label(cid, strlen(cid), js->q->want_freq, PERIOD_MONTH, ret);
        if (r >= 0)
                return 0;
        if (r == -EDOM)
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: time category '%s'%s%s%s may be a quarter, a month or a "
                                   "half-year: give the series a time_format: (e.g. \"%%Y - %%q\")",
                                   js->origin, cid, lab ? " (label '" : "", strempty(lab), lab ? "')" : "");
        return source_fail(
                ret_error, -EBADMSG,
                "%s: JSON-stat: time category '%s'%s%s%s is not a known period; if the codes or labels "
                "follow one pattern, give the series a time_format: (e.g. \"%%Y - %%q\", "
                "\"%%b %%Y\")",
                js->origin, cid, lab ? " (label '" : "", strempty(lab), lab ? "')" : "");
}

/* Positions of the wanted cells, Σ idx_k · Π_{j>k} size_j, and the period of each. */
static int jsonstat_plan_cells(JsonStat *js, char **ret_error)
{
        const Dim *td = &js->dims[js->time_dim];
        size_t base = 0, stride = 1, time_stride = 0;

        js->n_time = td->fixed != SIZE_MAX ? 1 : td->size;
        js->wanted = xmalloc_array(js->n_time, sizeof(size_t));
        js->by_pos = xmalloc_array(js->n_time, sizeof(WantedCell));
        js->periods = xmalloc_array(js->n_time, sizeof(Period));
        js->vals = calloc(js->n_time, sizeof(double));
        js->miss = calloc(js->n_time, sizeof(bool));
        js->got = calloc(js->n_time, sizeof(bool));
        js->skip = calloc(js->n_time, sizeof(bool));
        if (!js->wanted || !js->by_pos || !js->periods || !js->vals || !js->miss || !js->got || !js->skip)
                return fail_oom(ret_error);
        for (size_t k = js->n_dims; k-- > 0;) {
                if (k == js->time_dim)
                        time_stride = stride;
                else
                        base += js->dims[k].fixed * stride;
                stride *= js->dims[k].size;
        }
        for (size_t t = 0; t < js->n_time; t++) {
                size_t cat = td->fixed != SIZE_MAX ? td->fixed : t;
                int r = jsonstat_time_period(js, td, cat, &js->periods[t], ret_error);
                if (r < 0)
                        return r;
                js->wanted[t] = base + cat * time_stride;
                js->by_pos[t] = (WantedCell){ js->wanted[t], t };
                /* a time dimension mixing years and quarters: the series' frequency picks */
                js->skip[t] = want_freq_valid(js->q->want_freq) && js->periods[t].freq != js->q->want_freq;
                js->n_skipped += js->skip[t];
        }
        if (js->n_time > 0 && js->n_skipped == js->n_time) {
                char pb[PERIOD_STRING_MAX];
                return source_fail(ret_error, -ENODATA,
                                   "%s: JSON-stat: none of the %zu time categories is a %s (the series' "
                                   "frequency); they are e.g. %s (%s)",
                                   js->origin, js->n_time, period_freq_to_string(js->q->want_freq),
                                   period_to_string(js->periods[0], pb),
                                   period_freq_to_string(js->periods[0].freq));
        }
        qsort(js->by_pos, js->n_time, sizeof(WantedCell), cmp_wanted_cell);
        return 0;
}

/* Stores the cell at position pos (text p..e) for every time category that wants it. by_pos is
 * sorted; *j (dense walk) only moves forward. Returns 0, or -EINVAL for a cell that is no number. */
static int jsonstat_take_cell(JsonStat *js, size_t pos, const char *p, const char *e, size_t j)
{
        double v = 0;
        bool m = false;

        if (parse_cell(p, e, &v, &m) < 0)
                return -EINVAL;
        for (; j < js->n_time && js->by_pos[j].pos == pos; j++) {
                size_t t = js->by_pos[j].t;
                js->vals[t] = v, js->miss[t] = m, js->got[t] = true;
        }
        return 0;
}

static int jsonstat_walk_dense(JsonStat *js, char **ret_error)
{
        const char *end = js->value->vend, *p = skip_ws(js->value->vstart, end);
        size_t i = 0, j = 0;

        p = skip_ws(p + 1, end);
        if (*p == ']')
                p++;
        else
                for (;;) {
                        /* numbers dominate: skip them without the general dispatch */
                        const char *e = (*p >= '0' && *p <= '9') || *p == '-' ? skip_number(p, end)
                                                                              : skip_value(p, end, 1);
                        if (!e)
                                return fail_at(js->resp, p, ret_error, "invalid value in \"value\"");
                        while (j < js->n_time && js->by_pos[j].pos < i)
                                j++;
                        if (j < js->n_time && js->by_pos[j].pos == i &&
                            jsonstat_take_cell(js, i, p, e, j) < 0)
                                return fail_at(js->resp, p, ret_error,
                                               "\"value\" must contain numbers or null");
                        i++;
                        p = skip_ws(e, end);
                        if (p < end && *p == ']')
                                break;
                        if (p >= end || *p != ',')
                                return fail_at(js->resp, p, ret_error, "expected ',' or ']' in \"value\"");
                        p = skip_ws(p + 1, end);
                }
        js->n_values = i;
        if (js->n_values != js->total)
                return source_fail(
                        ret_error, -EBADMSG,
                        "%s: JSON-stat: \"value\" has %zu elements, but the product of size is %zu",
                        js->origin, js->n_values, js->total);
        return 0;
}

static int jsonstat_walk_sparse(JsonStat *js, char **ret_error)
{
        _cleanup_free_ Member *vm = NULL;
        const char *at = NULL;
        size_t n_vm = 0;
        int r;

        r = scan_object(js->value->vstart, js->value->vend, &vm, &n_vm, &at);
        if (r == -ENOMEM)
                return fail_oom(ret_error);
        if (r < 0)
                return fail_at(js->resp, at, ret_error, "invalid \"value\" object");
        for (size_t i = 0; i < n_vm; i++) {
                char kb[24];
                unsigned long long pos;
                const WantedCell *w;
                if (vm[i].key_len == 0 || vm[i].key_len >= sizeof(kb))
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: invalid key in sparse \"value\"", js->origin);
                memcpy(kb, vm[i].key, vm[i].key_len);
                kb[vm[i].key_len] = 0;
                if (safe_atou64(kb, &pos) < 0 || pos >= js->total)
                        return source_fail(ret_error, -EBADMSG,
                                           "%s: JSON-stat: key \"%s\" in sparse \"value\" is outside 0..%zu",
                                           js->origin, kb, js->total - 1);
                w = bsearch(&(WantedCell){ .pos = pos }, js->by_pos, js->n_time, sizeof(WantedCell),
                            cmp_wanted_cell);
                if (!w)
                        continue;
                while (w > js->by_pos && w[-1].pos == pos)
                        w--;
                if (jsonstat_take_cell(js, pos, vm[i].vstart, vm[i].vend, (size_t) (w - js->by_pos)) < 0)
                        return fail_at(js->resp, vm[i].vstart, ret_error,
                                       "\"value\" must contain numbers or null");
        }
        js->n_values = n_vm;
        return 0;
}

/* status: only validated; a null value is missing whatever its status says */
static int jsonstat_check_status(JsonStat *js, char **ret_error)
{
        const Member *st = js->status;
        const char *sp = skip_ws(st->vstart, st->vend);
        size_t n = 0;

        if (*sp != '[') {
                if (skip_value(sp, st->vend, 1) != st->vend)
                        return fail_at(js->resp, sp, ret_error, "invalid \"status\"");
                if (*sp != '{' && *sp != '"' && *sp != 'n')
                        return source_fail(
                                ret_error, -EBADMSG,
                                "%s: JSON-stat: \"status\" must be an array, an object or a string",
                                js->origin);
                return 0;
        }
        sp = skip_ws(sp + 1, st->vend);
        if (*sp != ']')
                for (;;) {
                        sp = skip_value(sp, st->vend, 1);
                        if (sp)
                                sp = skip_ws(sp, st->vend);
                        if (!sp || sp >= st->vend || (*sp != ']' && *sp != ','))
                                return fail_at(js->resp, sp ? sp : st->vstart, ret_error,
                                               "invalid \"status\"");
                        n++;
                        if (*sp == ']')
                                break;
                        sp++;
                }
        if (n != 1 && n != (js->sparse ? js->total : js->n_values))
                return source_fail(ret_error, -EBADMSG,
                                   "%s: JSON-stat: \"status\" has %zu elements, \"value\" %zu", js->origin,
                                   n, js->sparse ? js->total : js->n_values);
        return 0;
}

static int jsonstat_add_points(JsonStat *js, Series *s, char **ret_error)
{
        PointSet ps = {};
        int r = 0;

        for (size_t t = 0; r >= 0 && t < js->n_time; t++) {
                char pb[PERIOD_STRING_MAX];
                int k;
                if (js->skip[t])
                        continue;
                /* positions absent from a sparse value are missing cells */
                k = point_set_add(&ps, js->periods[t], js->vals[t], !js->got[t] || js->miss[t],
                                  js->q->want_freq, t, NULL);
                if (k == -EEXIST)
                        r = source_fail(ret_error, -EBADMSG,
                                        "%s: JSON-stat: period %s occurs twice in the time dimension",
                                        js->origin, period_to_string(js->periods[t], pb));
                else if (k == -EDOM)
                        r = source_fail(
                                ret_error, -EBADMSG,
                                "%s: JSON-stat: period %s has a different frequency than the others "
                                "(a time dimension mixing frequencies: the series' frequency: picks)",
                                js->origin, period_to_string(js->periods[t], pb));
                else if (k < 0)
                        r = fail_oom(ret_error);
        }
        if (r >= 0 && point_set_to_series(&ps, s) < 0)
                r = fail_oom(ret_error);
        point_set_done(&ps);
        return r;
}

int jsonstat_extract(const SourceResponse *resp, const JsonStatQuery *q, Series *s, char **ret_note,
                     char **ret_error)
{
        JsonStat js = { .resp = resp, .q = q, .origin = source_origin(resp) };
        const char *p;
        int r;

        r = jsonstat_locate(&js, ret_error);
        if (r >= 0)
                r = jsonstat_load_meta(&js, ret_error);
        if (r >= 0)
                r = jsonstat_read_dims(&js, ret_error);
        if (r >= 0)
                r = jsonstat_fix_dims(&js, ret_error);
        if (r >= 0)
                r = jsonstat_plan_cells(&js, ret_error);
        if (r < 0)
                goto finish;

        p = skip_ws(js.value->vstart, js.value->vend);
        js.sparse = *p == '{';
        if (*p == '[')
                r = jsonstat_walk_dense(&js, ret_error);
        else if (js.sparse)
                r = jsonstat_walk_sparse(&js, ret_error);
        else
                r = source_fail(ret_error, -EBADMSG,
                                "%s: JSON-stat: \"value\" must be an array or an object", js.origin);
        if (r >= 0 && js.status)
                r = jsonstat_check_status(&js, ret_error);
        if (r >= 0)
                r = jsonstat_add_points(&js, s, ret_error);
        if (r < 0)
                goto finish;

        if (ret_note) {
                const char *dk = js.dataset_key;
                *ret_note = strdup_printf(
                        "%s%s%.*s%s, %zu dimensions%s, time '%s', %s \"value\" (%zu cells)%s, %zu time "
                        "categories of another frequency skipped",
                        js.form, dk ? " '" : "", dk ? (int) MIN(strcspn(dk, "\""), 40) : 0, dk ? dk : "",
                        dk ? "'" : "", js.n_dims, js.size_strings ? " (size as strings)" : "",
                        js.dims[js.time_dim].id, js.sparse ? "sparse" : "dense", js.n_values,
                        js.status ? ", status" : "", js.n_skipped);
        }
        r = 0;
finish:
        jsonstat_done(&js);
        return r;
}

/* ---- the provider ---- */

static int jsonstat_plan(const SourcePlanContext *ctx, SourceRequest *ret, char **ret_error)
{
        const SeriesDef *def = ctx->series;
        const char *table = def->table ? def->table : def->path;
        _cleanup_free_ char *url = NULL, *path = NULL;
        int r;

        if (!table && !ctx->source->base_url)
                return source_fail(ret_error, -EINVAL, "series %s: no address given (table:)", def->name);
        if (def->time_format && !source_time_format_is_valid(def->time_format))
                return source_fail(
                        ret_error, -EINVAL,
                        "series %s: time_format '%s' needs %%Y and knows only %%Y %%q %%h %%m %%b %%d %%%%",
                        def->name, def->time_format);
        /* "ADDRESS#DATASET": the fragment names a dataset of a bundle and is never sent */
        if (table && !(path = strndup(table, strcspn(table, "#"))))
                return source_fail(ret_error, -ENOMEM, "out of memory");
        r = source_join_url(ctx->source->base_url, path, &url);
        if (r < 0)
                return source_fail(ret_error, r,
                                   "series %s: cannot form an address from base_url '%s' and table '%s'",
                                   def->name, strempty(ctx->source->base_url), strempty(path));
        *ret = (SourceRequest){
                .step = SOURCE_STEP_DATA,
                .url = TAKE_PTR(url),
                .accept = "application/json",
                .auth = SOURCE_AUTH_NONE,
        };
        return SOURCE_PLAN_REQUEST;
}

void jsonstat_query_for(const SeriesDef *def, JsonStatQuery *q)
{
        const char *hash = def->table ? strchr(def->table, '#') : NULL;
        const char *slash = def->table ? strrchr(def->table, '/') : NULL;

        *q = (JsonStatQuery){
                .select = def->select,
                .n_select = def->n_select,
                .measure = def->measure,
                .time_format = def->time_format,
                .want_freq = def->freq,
        };
        if (def->dataset)
                q->dataset = def->dataset, q->dataset_required = true;
        else if (hash && hash[1])
                q->dataset = hash + 1, q->dataset_required = true;
        else /* in a bundle, the dataset named like the last path component of table:, if any */
                q->dataset = slash ? slash + 1 : def->table;
}

static int jsonstat_parse_data(const SourceDef *src, const SeriesDef *def, const ProviderMeta *meta,
                               const SourceResponse *resp, Series **ret, char **ret_note, char **ret_error)
{
        _cleanup_(series_freep) Series *s = NULL;
        JsonStatQuery q;
        int r;

        (void) src;
        (void) meta;
        r = source_check_response(SOURCE_JSONSTAT, resp, "JSON-stat", ret_error);
        if (r < 0)
                return r;
        if (series_new(def->name, &s) < 0)
                return source_fail(ret_error, -ENOMEM, "out of memory");
        jsonstat_query_for(def, &q);
        r = jsonstat_extract(resp, &q, s, ret_note, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const Provider provider_jsonstat = {
        .kind = SOURCE_JSONSTAT,
        .name = "jsonstat",
        .plan = jsonstat_plan,
        .parse_metadata = NULL,
        .parse_data = jsonstat_parse_data,
};
