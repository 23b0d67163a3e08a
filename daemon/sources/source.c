/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The helpers every provider shares: error messages, UTF-8 case folding, numbers, periods, URLs, a
 * CSV reader over an in-memory buffer. Pure: no I/O, no logging. The providers (source-*.c) build on
 * this file; the registry that knows them all is source-registry.c, above them. */

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "source-internal.h"

static const char *const source_step_table[_SOURCE_STEP_MAX] = {
        [SOURCE_STEP_METADATA] = "metadata",
        [SOURCE_STEP_DATA] = "data",
};

static const char *const source_auth_table[_SOURCE_AUTH_MAX] = {
        [SOURCE_AUTH_NONE] = "none",
        [SOURCE_AUTH_BEARER] = "bearer",
        [SOURCE_AUTH_RAW] = "raw",
};

DEFINE_STRING_TABLE_LOOKUP(source_step, SourceStep)
DEFINE_STRING_TABLE_LOOKUP(source_auth, SourceAuth)

void source_request_done(SourceRequest *r)
{
        if (!r)
                return;
        free(r->url);
        free(r->body);
        *r = (SourceRequest){};
}

int source_auth_header(SourceAuth a, const char *token, char **ret)
{
        char *s;

        if (!token || !*token)
                return -EINVAL;
        switch (a) {
        case SOURCE_AUTH_BEARER:
                s = strdup_printf("Bearer %s", token);
                break;
        case SOURCE_AUTH_RAW:
                s = strdup(token);
                break;
        default:
                return -EINVAL;
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* ---- ProviderMeta ---- */

int meta_new(SourceKind kind, ProviderMeta **ret)
{
        ProviderMeta *m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->kind = kind;
        *ret = m;
        return 0;
}

ProviderMeta *provider_meta_free(ProviderMeta *m)
{
        if (!m)
                return NULL;
        free(m->table);
        free(m->updated);
        for (size_t i = 0; i < m->n_items; i++) {
                free(m->items[i].dimension);
                free(m->items[i].code);
                free(m->items[i].text);
                free(m->items[i].hierarchy);
                free(m->items[i].column);
        }
        free(m->items);
        for (size_t i = 0; i < m->n_vars; i++) {
                free(m->vars[i].id);
                free(m->vars[i].text);
                for (size_t k = 0; k < m->vars[i].n_values; k++)
                        free(m->vars[i].values[k]);
                free(m->vars[i].values);
        }
        free(m->measure_dim);
        free(m->measure_code);
        free(m->vars);
        for (size_t i = 0; i < m->n_dims; i++) {
                free(m->dims[i].id);
                free(m->dims[i].name);
                free(m->dims[i].first_hierarchy);
        }
        free(m->dims);
        for (size_t i = 0; i < m->n_period_ids; i++)
                free(m->period_ids[i]);
        free(m->period_ids);
        free(m->period_type);
        free(m);
        return NULL;
}

const char *provider_meta_updated(const ProviderMeta *m)
{
        return m ? m->updated : NULL;
}

int meta_add_item(ProviderMeta *m, const char *dimension, const char *code, const char *text,
                  const char *hierarchy, const char *column)
{
        ResolvedItem *it;
        size_t alloc = m->n_items;

        it = xrealloc_array(m->items, m->n_items + 1, sizeof(ResolvedItem));
        if (!it)
                return -ENOMEM;
        (void) alloc;
        m->items = it;
        it = &m->items[m->n_items];
        *it = (ResolvedItem){
                .dimension = strdup_or_null(dimension),
                .code = strdup_or_null(code),
                .text = strdup_or_null(text),
                .hierarchy = strdup_or_null(hierarchy),
                .column = strdup_or_null(column),
        };
        m->n_items++;
        if ((dimension && !it->dimension) || (code && !it->code) || (text && !it->text) ||
            (hierarchy && !it->hierarchy) || (column && !it->column))
                return -ENOMEM;
        return 0;
}

int meta_add_period_id(ProviderMeta *m, const char *id)
{
        char **l = xrealloc_array(m->period_ids, m->n_period_ids + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        m->period_ids = l;
        l[m->n_period_ids] = strdup(id);
        if (!l[m->n_period_ids])
                return -ENOMEM;
        m->n_period_ids++;
        return 0;
}

/* ---- messages ---- */

int source_fail(char **ret_error, int r, const char *fmt, ...)
{
        va_list ap;

        if (ret_error) {
                char *s = NULL;
                va_start(ap, fmt);
                if (vasprintf(&s, fmt, ap) < 0)
                        s = NULL;
                va_end(ap);
                free(*ret_error);
                *ret_error = s;
        }
        return r;
}

const char *source_origin(const SourceResponse *resp)
{
        if (!resp || !resp->url)
                return "(response)";
        if (strneq(resp->url, "file://", 7))
                return resp->url + 7;
        return resp->url;
}

size_t source_bom_len(const char *s, size_t size)
{
        if (size >= 3 && (unsigned char) s[0] == 0xEF && (unsigned char) s[1] == 0xBB &&
            (unsigned char) s[2] == 0xBF)
                return 3;
        return 0;
}

char *source_excerpt(const char *s, size_t len, size_t max)
{
        StrBuf b = {};
        size_t n = MIN(len, max);

        /* do not cut a UTF-8 sequence */
        while (n > 0 && n < len && ((unsigned char) s[n] & 0xC0) == 0x80)
                n--;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if ((unsigned char) c < 0x20 || c == 0x7f)
                        c = (c == '\n' || c == '\r' || c == '\t') ? ' ' : '?';
                if (strbuf_append(&b, &c, 1) < 0)
                        goto oom;
        }
        if (n < len && strbuf_puts(&b, "…") < 0)
                goto oom;
        if (!b.s && strbuf_puts(&b, "") < 0)
                goto oom;
        return b.s;
oom:
        strbuf_done(&b);
        return NULL;
}

/* ---- strings ---- */

int strbuf_append(StrBuf *b, const char *s, size_t len)
{
        if (GREEDY_REALLOC(b->s, b->alloc, b->len + len + 1) < 0)
                return -ENOMEM;
        memcpy(b->s + b->len, s, len);
        b->len += len;
        b->s[b->len] = 0;
        return 0;
}

int strbuf_puts(StrBuf *b, const char *s)
{
        return strbuf_append(b, s, strlen(s));
}

int strbuf_printf(StrBuf *b, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;
        int k, r;

        va_start(ap, fmt);
        k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        r = strbuf_append(b, s, (size_t) k);
        free(s);
        return r;
}

/* Appends s, percent-encoding every byte but ASCII letters, digits and the characters in keep. */
static int strbuf_put_escaped(StrBuf *b, const char *s, const char *keep)
{
        static const char hex[] = "0123456789ABCDEF";

        for (s = strempty(s); *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (isalnum(c) || strchr(keep, c)) {
                        if (strbuf_append(b, (const char *) &c, 1) < 0)
                                return -ENOMEM;
                } else {
                        char e[3] = { '%', hex[c >> 4], hex[c & 15] };
                        if (strbuf_append(b, e, 3) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int strbuf_put_urlencoded(StrBuf *b, const char *s)
{
        /* RFC 3986 unreserved, plus the characters DST's value syntax uses that are legal in a query
         * as-is: ( ) * , : ("(1)", "*", "latest:14", comma lists) */
        return strbuf_put_escaped(b, s, "-._~()*,:/");
}

void strbuf_done(StrBuf *b)
{
        free(b->s);
        *b = (StrBuf){};
}

/* Decodes one code point for case folding; invalid sequences yield the byte itself. */
static unsigned fold_next(const char *s, size_t len, size_t *i)
{
        unsigned char c = (unsigned char) s[*i];
        unsigned cp;

        if (c < 0x80) {
                (*i)++;
                return (unsigned) tolower(c);
        }
        if ((c & 0xE0) == 0xC0 && *i + 1 < len && ((unsigned char) s[*i + 1] & 0xC0) == 0x80) {
                cp = ((c & 0x1Fu) << 6) | ((unsigned char) s[*i + 1] & 0x3Fu);
                *i += 2;
                /* Latin-1 upper case letters À..Þ (but not ×) fold to à..þ: Æ Ø Å É Ü … */
                if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
                        cp += 0x20;
                return cp;
        }
        (*i)++;
        return 0x100000u | c;
}

bool utf8_caseeq_n(const char *a, size_t alen, const char *b, size_t blen)
{
        size_t i = 0, j = 0;

        while (alen > 0 && (a[0] == ' ' || a[0] == '\t'))
                a++, alen--;
        while (alen > 0 && (a[alen - 1] == ' ' || a[alen - 1] == '\t'))
                alen--;
        while (blen > 0 && (b[0] == ' ' || b[0] == '\t'))
                b++, blen--;
        while (blen > 0 && (b[blen - 1] == ' ' || b[blen - 1] == '\t'))
                blen--;
        while (i < alen && j < blen)
                if (fold_next(a, alen, &i) != fold_next(b, blen, &j))
                        return false;
        return i == alen && j == blen;
}

bool utf8_caseeq(const char *a, const char *b)
{
        if (!a || !b)
                return false;
        return utf8_caseeq_n(a, strlen(a), b, strlen(b));
}

/* ---- "did you mean" ---- */

static size_t common_prefix(const char *a, const char *b)
{
        size_t n = 0;
        if (!a || !b)
                return 0;
        while (a[n] && b[n] &&
               ((unsigned char) a[n] < 0x80 ? tolower((unsigned char) a[n]) == tolower((unsigned char) b[n])
                                            : a[n] == b[n]))
                n++;
        return n;
}

int source_fail_unknown_variable(const ProviderMeta *m, const char *name, char **ret_error)
{
        StrBuf b = {};
        int r;

        for (size_t i = 0; i < m->n_vars; i++)
                (void) strbuf_printf(&b, "%s%s (%s)", i ? ", " : "", m->vars[i].id,
                                     strempty(m->vars[i].text));
        r = source_fail(ret_error, -ENOENT, "table %s: variable '%s' does not exist; variables: %s",
                        m->table, name, strempty(b.s));
        strbuf_done(&b);
        return r;
}

char *source_candidates(const char *want, const char *const *ids, const char *const *texts, size_t n)
{
        size_t best[5], score[5], n_best = 0;
        StrBuf b = {};

        /* the values sharing the longest prefix (at least 2 bytes) with what was asked for */
        for (size_t i = 0; i < n; i++) {
                size_t sc = MAX(common_prefix(want, ids ? ids[i] : NULL),
                                common_prefix(want, texts ? texts[i] : NULL));
                size_t k;
                if (sc < 2)
                        continue;
                for (k = n_best; k > 0 && score[k - 1] < sc; k--)
                        if (k < ELEMENTSOF(best)) {
                                best[k] = best[k - 1];
                                score[k] = score[k - 1];
                        }
                if (k < ELEMENTSOF(best)) {
                        best[k] = i;
                        score[k] = sc;
                        if (n_best < ELEMENTSOF(best))
                                n_best++;
                }
        }
        /* nothing alike: the first few, to show what the values look like */
        for (size_t i = 0; n_best == 0 && i < MIN(n, (size_t) 3); i++)
                best[i] = i;
        if (n_best == 0)
                n_best = MIN(n, (size_t) 3);
        for (size_t k = 0; k < n_best; k++) {
                const char *id = ids ? ids[best[k]] : NULL, *text = texts ? texts[best[k]] : NULL;
                int r;
                if (id && text)
                        r = strbuf_printf(&b, "%s%s (%s)", k ? ", " : "", id, text);
                else
                        r = strbuf_printf(&b, "%s%s", k ? ", " : "", strempty(id ? id : text));
                if (r < 0)
                        goto oom;
        }
        if (n > n_best && strbuf_printf(&b, " … (%zu in all)", n) < 0)
                goto oom;
        if (!b.s && strbuf_puts(&b, "(none)") < 0)
                goto oom;
        return b.s;
oom:
        strbuf_done(&b);
        return NULL;
}

/* ---- numbers ---- */

bool source_is_missing(const char *s, size_t len)
{
        while (len > 0 && (*s == ' ' || *s == '\t'))
                s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        return len == 0 || (len == 2 && s[0] == '.' && s[1] == '.') || (len == 1 && s[0] == '-');
}

int source_parse_number(const char *s, size_t len, NumberStyle style, double *ret)
{
        char buf[128];
        size_t n = 0, digits = 0, group = 0;
        char dec, thou;
        bool seen_dec = false, seen_thou = false, grouping_ok = true;

        while (len > 0 && (*s == ' ' || *s == '\t'))
                s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;

        switch (style) {
        case NUMBER_DANISH:
                dec = ',', thou = '.';
                break;
        case NUMBER_ENGLISH:
                dec = '.', thou = ',';
                break;
        default:
                dec = 0, thou = 0;
                break;
        }

        size_t i = 0;
        if (s[0] == '-' || s[0] == '+')
                buf[n++] = s[i++];
        for (; i < len; i++) {
                char c = s[i];
                if (c >= '0' && c <= '9') {
                        buf[n++] = c;
                        digits++;
                        group++;
                } else if (style == NUMBER_DECIMAL_ANY && (c == ',' || c == '.') && !seen_dec) {
                        seen_dec = true;
                        buf[n++] = '.';
                } else if (c == dec && !seen_dec) {
                        if (seen_thou && group != 3)
                                grouping_ok = false;
                        seen_dec = true;
                        buf[n++] = '.';
                } else if (thou && c == thou && !seen_dec) {
                        /* the first group may have 1-3 digits, every later one exactly 3 */
                        if (digits == 0 || (seen_thou ? group != 3 : group > 3))
                                grouping_ok = false;
                        seen_thou = true;
                        group = 0;
                } else if ((c == 'e' || c == 'E') && digits > 0 && !seen_thou) {
                        /* exponent: only from JSON-ish producers; keep as is */
                        buf[n++] = 'e';
                        if (i + 1 < len && (s[i + 1] == '-' || s[i + 1] == '+'))
                                buf[n++] = s[++i];
                        if (i + 1 >= len)
                                return -EINVAL;
                        seen_dec = true;
                } else
                        return -EINVAL;
        }
        if (seen_thou && !seen_dec && group != 3)
                grouping_ok = false;
        if (digits == 0 || !grouping_ok)
                return -EINVAL;
        buf[n] = 0;
        return safe_atod(buf, ret);
}

int source_series_add(Series *s, Period p, double value, bool missing, PeriodFreq want_freq)
{
        if (want_freq >= 0 && want_freq < _PERIOD_FREQ_MAX && p.freq != want_freq)
                return -EDOM;
        if (s->n_points > 0 && s->freq != p.freq)
                return -EDOM;
        if (series_get(s, p))
                return -EEXIST;
        return series_put(s, (SeriesPoint){ .period = p, .value = missing ? 0 : value, .missing = missing });
}

/* ---- collecting points in any order ---- */

static size_t period_hash(Period p)
{
        uint64_t h = (uint64_t) (int64_t) p.year * 64 + (uint64_t) p.sub * 8 + (uint64_t) p.freq;
        h ^= h >> 31;
        h *= UINT64_C(0x9E3779B97F4A7C15);
        return (size_t) (h ^ (h >> 29));
}

static int point_set_grow(PointSet *ps)
{
        size_t n = ps->n_slots ? ps->n_slots * 2 : 64;
        size_t *slots = xmalloc_array(n, sizeof(size_t));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                slots[i] = SIZE_MAX;
        for (size_t k = 0; k < ps->n; k++) {
                size_t i = period_hash(ps->points[k].period) & (n - 1);
                while (slots[i] != SIZE_MAX)
                        i = (i + 1) & (n - 1);
                slots[i] = k;
        }
        free(ps->slots);
        ps->slots = slots;
        ps->n_slots = n;
        return 0;
}

int point_set_add(PointSet *ps, Period p, double value, bool missing, PeriodFreq want_freq, size_t where,
                  size_t *ret_first)
{
        size_t i;

        if (want_freq >= 0 && want_freq < _PERIOD_FREQ_MAX && p.freq != want_freq)
                return -EDOM;
        if (ps->n > 0 && ps->points[0].period.freq != p.freq)
                return -EDOM;
        if ((ps->n + 1) * 2 > ps->n_slots && point_set_grow(ps) < 0)
                return -ENOMEM;
        for (i = period_hash(p) & (ps->n_slots - 1); ps->slots[i] != SIZE_MAX;
             i = (i + 1) & (ps->n_slots - 1))
                if (period_equal(ps->points[ps->slots[i]].period, p)) {
                        if (ret_first)
                                *ret_first = ps->points[ps->slots[i]].where;
                        return -EEXIST;
                }
        if (GREEDY_REALLOC(ps->points, ps->n_alloc, ps->n + 1) < 0)
                return -ENOMEM;
        ps->points[ps->n] = (CollectedPoint){ p, missing ? 0 : value, missing, where };
        ps->slots[i] = ps->n++;
        return 0;
}

static int cmp_collected(const void *a, const void *b)
{
        return period_compare(((const CollectedPoint *) a)->period, ((const CollectedPoint *) b)->period);
}

int point_set_to_series(PointSet *ps, Series *s)
{
        /* sorted first, so that every series_put() appends */
        qsort(ps->points, ps->n, sizeof(CollectedPoint), cmp_collected);
        for (size_t k = 0; k < ps->n; k++) {
                const CollectedPoint *c = &ps->points[k];
                int r = source_series_add(s, c->period, c->value, c->missing, _PERIOD_FREQ_INVALID);
                if (r < 0)
                        return r;
        }
        return 0;
}

void point_set_done(PointSet *ps)
{
        free(ps->points);
        free(ps->slots);
        *ps = (PointSet){};
}

/* ---- a sorted index over strings ---- */

int str_index_init(StrIndex *x, size_t n)
{
        *x = (StrIndex){ .e = xmalloc_array(n + 1, sizeof(StrIndexEntry)), .n = n };
        return x->e ? 0 : -ENOMEM;
}

static int cmp_str_entry(const void *a, const void *b)
{
        const StrIndexEntry *x = a, *y = b;
        int c = strcmp(x->key, y->key);
        return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

int str_index_sort(StrIndex *x, size_t *ret_dup)
{
        size_t dup = SIZE_MAX;

        qsort(x->e, x->n, sizeof(StrIndexEntry), cmp_str_entry);
        /* the earliest repetition in the caller's order, as a pairwise scan would report it */
        for (size_t i = 1; i < x->n; i++)
                if (streq(x->e[i - 1].key, x->e[i].key) && x->e[i].pos < dup)
                        dup = x->e[i].pos;
        if (dup == SIZE_MAX)
                return 0;
        if (ret_dup)
                *ret_dup = dup;
        return -EEXIST;
}

size_t str_index_find(const StrIndex *x, const char *key)
{
        size_t lo = 0, hi = x->n;

        if (!key)
                return SIZE_MAX;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(x->e[mid].key, key);
                if (c == 0)
                        return x->e[mid].pos;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return SIZE_MAX;
}

void str_index_done(StrIndex *x)
{
        free(x->e);
        *x = (StrIndex){};
}

/* ---- periods ---- */

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return n > 0;
}

int source_parse_period(const char *s, size_t len, PeriodFreq date_freq, Period *ret)
{
        char buf[PERIOD_STRING_MAX + 8];

        while (len > 0 && (*s == ' ' || *s == '\t'))
                s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;

        if (len >= 6 && all_digits(buf, 4) && buf[4] == '-') {
                const char *rest = buf + 5;
                size_t rl = len - 5;
                char code[PERIOD_STRING_MAX];

                if (rl == 2 && all_digits(rest, 2)) {
                        /* Eurostat/ISO month "2024-06" */
                        snprintf(code, sizeof(code), "%.4sM%.2s", buf, rest);
                        return period_parse(code, ret);
                }
                if (rl == 2 && (rest[0] == 'Q' || rest[0] == 'q' || rest[0] == 'K') &&
                    all_digits(rest + 1, 1)) {
                        snprintf(code, sizeof(code), "%.4sQ%c", buf, rest[1]);
                        return period_parse(code, ret);
                }
                if (rl == 2 && (rest[0] == 'S' || rest[0] == 'H' || rest[0] == 's' || rest[0] == 'h') &&
                    all_digits(rest + 1, 1)) {
                        /* Eurostat semesters "2024-S1" */
                        snprintf(code, sizeof(code), "%.4sH%c", buf, rest[1]);
                        return period_parse(code, ret);
                }
                if (rl == 5 && all_digits(rest, 2) && rest[2] == '-' && all_digits(rest + 3, 2)) {
                        Date d;
                        if (date_parse(buf, &d) < 0)
                                return -EINVAL;
                        if (date_freq < 0 || date_freq >= _PERIOD_FREQ_MAX || date_freq == PERIOD_QMAT)
                                date_freq = PERIOD_MONTH;
                        *ret = period_containing(date_freq, d);
                        return 0;
                }
                return -EINVAL;
        }
        return period_parse(buf, ret);
}

/* ---- URLs ---- */

static bool has_scheme(const char *s)
{
        return strneq(s, "http://", 7) || strneq(s, "https://", 8) || strneq(s, "file://", 7);
}

static int put_file_path(StrBuf *b, const char *path)
{
        return strbuf_put_escaped(b, path, "-._~/");
}

int source_join_url(const char *base, const char *path, char **ret)
{
        _cleanup_(strbuf_done) StrBuf b = {};

        if (path && has_scheme(path))
                return (*ret = strdup(path)) ? 0 : -ENOMEM;
        if (!base || !*base) {
                if (!path || path[0] != '/')
                        return -EINVAL;
                if (strbuf_puts(&b, "file://") < 0 || put_file_path(&b, path) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(b.s);
                return 0;
        }
        if (strneq(base, "http://", 7) || strneq(base, "https://", 8)) {
                size_t bl = strlen(base);
                while (bl > 0 && base[bl - 1] == '/')
                        bl--;
                if (strbuf_append(&b, base, bl) < 0)
                        return -ENOMEM;
                if (path && *path) {
                        while (*path == '/')
                                path++;
                        if (strbuf_puts(&b, "/") < 0 || strbuf_puts(&b, path) < 0)
                                return -ENOMEM;
                }
                *ret = TAKE_PTR(b.s);
                return 0;
        }
        /* file:// or a plain local path */
        if (path && path[0] == '/') {
                if (strbuf_puts(&b, "file://") < 0 || put_file_path(&b, path) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(b.s);
                return 0;
        }
        if (strneq(base, "file://", 7)) {
                size_t bl = strlen(base);
                while (bl > 7 && base[bl - 1] == '/')
                        bl--;
                if (strbuf_append(&b, base, bl) < 0)
                        return -ENOMEM;
        } else {
                _cleanup_free_ char *t = strdup(base);
                size_t bl;
                if (!t)
                        return -ENOMEM;
                if (t[0] != '/')
                        return -EINVAL; /* relative local paths cannot be URLs */
                bl = strlen(t);
                while (bl > 1 && t[bl - 1] == '/')
                        t[--bl] = 0;
                if (strbuf_puts(&b, "file://") < 0 || put_file_path(&b, t) < 0)
                        return -ENOMEM;
        }
        if (path && *path && (strbuf_puts(&b, "/") < 0 || put_file_path(&b, path) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(b.s);
        return 0;
}

/* ---- classification ---- */

static size_t skip_space(const char *s, size_t size, size_t i)
{
        while (i < size && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
                i++;
        return i;
}

static bool starts_with_ci(const char *s, size_t size, size_t i, const char *prefix)
{
        size_t n = strlen(prefix);
        return size - i >= n && strncasecmp(s + i, prefix, n) == 0;
}

bool source_body_is_html(const char *body, size_t size, const char *content_type)
{
        if (content_type) {
                while (*content_type == ' ')
                        content_type++;
                if (strncasecmp(content_type, "text/html", 9) == 0 ||
                    strncasecmp(content_type, "application/xhtml+xml", 21) == 0)
                        return true;
        }
        if (!body)
                return false;
        size_t i = skip_space(body, size, source_bom_len(body, size));
        return starts_with_ci(body, size, i, "<!doctype html") || starts_with_ci(body, size, i, "<html") ||
               starts_with_ci(body, size, i, "<head") || starts_with_ci(body, size, i, "<body");
}

bool source_body_is_empty(const char *body, size_t size)
{
        if (!body)
                return true;
        return skip_space(body, size, source_bom_len(body, size)) == size;
}

/* Pulls a message out of a JSON error body of any of the shapes seen or plausible:
 * Statbank {errorTypeCode, message} [V]; Jobindsats v3 401/422 bodies, whose shape is not
 * documented in what we read [I]: {"message"}, {"Message"}, {"error": "…"|{message}},
 * {"error_description"}, {"detail": "…"|[{"msg": …}]} (FastAPI-style 422), {"title", "detail"}
 * (RFC 7807 problem details). */
static char *json_error_text(const json_t *j)
{
        static const char *const keys[] = { "message", "Message", "error_description",
                                            "detail",  "title",   "error",
                                            "Error",   "errors" };
        const json_t *code = NULL;
        _cleanup_(strbuf_done) StrBuf b = {};

        if (json_is_string(j))
                return strdup(json_string_value(j));
        if (json_is_array(j)) {
                const json_t *v;
                size_t i;
                json_array_foreach(j, i, v)
                {
                        _cleanup_free_ char *t = json_error_text(v);
                        if (t && *t) {
                                if ((b.len > 0 && strbuf_puts(&b, "; ") < 0) || strbuf_puts(&b, t) < 0)
                                        return NULL;
                        }
                        if (i >= 4)
                                break;
                }
                return TAKE_PTR(b.s);
        }
        if (!json_is_object(j))
                return NULL;

        code = json_object_get(j, "errorTypeCode");
        if (json_is_string(code) && strbuf_printf(&b, "%s: ", json_string_value(code)) < 0)
                return NULL;
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                const json_t *v = json_object_get(j, keys[k]);
                _cleanup_free_ char *t = NULL;
                if (!v)
                        continue;
                if (json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0)) &&
                    json_object_get(json_array_get(v, 0), "msg")) {
                        /* [{"loc": [...], "msg": "...", "type": "..."}] */
                        const json_t *e;
                        size_t i;
                        json_array_foreach(v, i, e)
                        {
                                const json_t *msg = json_object_get(e, "msg");
                                if (json_is_string(msg) && ((i > 0 && strbuf_puts(&b, "; ") < 0) ||
                                                            strbuf_puts(&b, json_string_value(msg)) < 0))
                                        return NULL;
                        }
                        return TAKE_PTR(b.s);
                }
                t = json_error_text(v);
                if (t && *t) {
                        if (strbuf_puts(&b, t) < 0)
                                return NULL;
                        return TAKE_PTR(b.s);
                }
        }
        if (b.len > 0)
                return TAKE_PTR(b.s);
        return NULL;
}

static char *html_title(const char *body, size_t size)
{
        const char *t = memmem(body, size, "<title>", 7);
        if (!t)
                t = memmem(body, size, "<TITLE>", 7);
        if (!t)
                return NULL;
        t += 7;
        const char *e = memmem(t, size - (size_t) (t - body), "</", 2);
        if (!e)
                return NULL;
        return source_excerpt(t, (size_t) (e - t), 200);
}

/* v3 answers a v2-style raw token with 401 [3P]: say what to check, unless a Bearer header was
 * sent (then the key itself is wrong or expired, and the hint would mislead). */
static const char *jobindsats_hint(SourceKind kind, const SourceResponse *resp)
{
        if (kind != SOURCE_JOBINDSATS || resp->sent_bearer)
                return "";
        return " (v3 requires \"Authorization: Bearer <key>\"; check token and api_version)";
}

/* Members that only data documents have: a document with one of these is never taken for an
 * error message (Statbank tableinfo, JSON-stat datasets and bundles, Jobindsats tables, PxWeb
 * metadata). */
static bool json_has_data_keys(const json_t *j)
{
        static const char *const keys[] = { "variables", "dimension", "dimensions", "value",  "columns",
                                            "rows",      "Variables", "Data",       "Period", "periods",
                                            "dataset",   "table",     "data",       "id",     "link",
                                            "query",     "size",      "mgroups",    "Area" };
        const char *k;
        const json_t *v;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (json_object_get(j, keys[i]))
                        return true;
        /* a JSON-stat 1.x bundle: {"<name>": {"dimension": …, "value": …}} */
        json_object_foreach((json_t *) j, k,
                            v) if (json_is_object(v) && (json_object_get(v, "dimension") ||
                                                         json_object_get(v, "value"))) return true;
        return false;
}

/* The provider's own words when the document is an error message rather than data, whatever the
 * HTTP status: Statbank {"errorTypeCode", "message"}; JSON-stat {"class": "error"}; {"message"},
 * {"error"}, {"detail"/"title"} (problem+json) without data members; Jobindsats' wrong-key answer
 * {"Forkert nøgle eller nøglen er udløbet.": ""} (one member with an empty value: the key is the
 * text); a bare JSON string that is not itself JSON. NULL when it looks like data (or on OOM). */
static char *json_error_document_text(const json_t *j)
{
        static const char *const error_keys[] = { "errorTypeCode", "message", "Message",           "error",
                                                  "Error",         "errors",  "error_description", "detail",
                                                  "title" };
        const json_t *cls;

        if (json_is_string(j)) {
                json_t *inner = json_loadb(json_string_value(j), json_string_length(j), 0, NULL);
                if (inner) { /* double-encoded JSON: data for the provider to unwrap */
                        json_decref(inner);
                        return NULL;
                }
                return json_string_length(j) > 0 ? strdup(json_string_value(j)) : NULL;
        }
        if (json_is_array(j))
                return json_array_size(j) == 1 && json_is_object(json_array_get(j, 0))
                               ? json_error_document_text(json_array_get(j, 0))
                               : NULL;
        if (!json_is_object(j))
                return NULL;
        cls = json_object_get(j, "class");
        if (json_is_string(cls) && streq(json_string_value(cls), "error")) {
                /* JSON-stat's proposed error class: {"class":"error","label":…,"error":[{"label":…}]} */
                const json_t *errs = json_object_get(j, "error");
                char *t = json_error_text(j);
                if (!t && json_is_array(errs) &&
                    json_is_string(json_object_get(json_array_get(errs, 0), "label")))
                        t = strdup(json_string_value(json_object_get(json_array_get(errs, 0), "label")));
                if (!t && json_is_string(json_object_get(j, "label")))
                        t = strdup(json_string_value(json_object_get(j, "label")));
                return t ? t : strdup("(class \"error\" without a message)");
        }
        if (json_has_data_keys(j))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(error_keys); i++)
                if (json_object_get(j, error_keys[i])) {
                        char *t = json_error_text(j);
                        if (t && *t)
                                return t;
                        free(t);
                }
        if (json_object_size(j) == 1) {
                const char *k = json_object_iter_key(json_object_iter((json_t *) j));
                const json_t *v = json_object_iter_value(json_object_iter((json_t *) j));
                if (*k && (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)))
                        return strdup(k);
        }
        return NULL;
}

/* Error documents are small; data of that shape is not looked at twice. */
#define ERROR_BODY_MAX (64u * 1024u)

char *source_body_error_text(const SourceResponse *resp)
{
        const char *body = resp->body ? resp->body : "";
        size_t size = resp->body ? resp->size : 0, i = source_bom_len(body, size);
        json_t *j;
        char *t;

        i = skip_space(body, size, i);
        if (size - i > ERROR_BODY_MAX || i >= size || (body[i] != '{' && body[i] != '"' && body[i] != '['))
                return NULL;
        j = json_loadb(body + i, size - i, JSON_DECODE_ANY, NULL);
        if (!j)
                return NULL;
        t = json_error_document_text(j);
        json_decref(j);
        return t;
}

/* A body of at most a few lines of printable text that does not start like JSON: its first line. */
static char *short_text_body(const SourceResponse *resp)
{
        size_t i = skip_space(resp->body, resp->size, source_bom_len(resp->body, resp->size)), e, lines = 0;

        json_t *j;

        if (i >= resp->size || resp->size - i > 1024 || strchr("{[\"", resp->body[i]))
                return NULL;
        j = json_loadb(resp->body + i, resp->size - i, JSON_DECODE_ANY, NULL);
        if (j) { /* a number or a literal: JSON after all, for the parser to judge */
                json_decref(j);
                return NULL;
        }
        for (size_t k = i; k < resp->size; k++) {
                unsigned char c = (unsigned char) resp->body[k];
                if (c == '\n')
                        lines++;
                else if ((c < 0x20 && c != '\r' && c != '\t') || c == 0x7F)
                        return NULL;
        }
        if (lines > 3)
                return NULL;
        for (e = i; e < resp->size && resp->body[e] != '\n' && resp->body[e] != '\r';)
                e++;
        return strndup(resp->body + i, e - i);
}

static bool starts_with_string(const SourceResponse *resp)
{
        size_t i = skip_space(resp->body, resp->size, source_bom_len(resp->body, resp->size));
        return i < resp->size && resp->body[i] == '"';
}

int source_check_response(SourceKind kind, const SourceResponse *resp, const char *what, char **ret_error)
{
        const char *origin = source_origin(resp);
        _cleanup_free_ char *e = NULL;

        if (resp->status != 0 && (resp->status < 200 || resp->status > 299)) {
                e = source_describe_error(kind, resp);
                return source_fail(ret_error, -EREMOTEIO, "%s: %s", origin, strna(e));
        }
        if (source_body_is_html(resp->body, resp->size, resp->content_type))
                return source_fail(ret_error, -EPROTO, "%s: the response is an HTML page, not %s", origin,
                                   what);
        if (source_body_is_empty(resp->body, resp->size))
                return source_fail(ret_error, -ENODATA, "%s: empty response, expected %s", origin, what);
        /* "a client must not rely on the status being an error" (issue 11): never an empty table.
         * A CSV file that is one quoted field is a header, not a message. */
        if (kind != SOURCE_CSV || !starts_with_string(resp))
                e = source_body_error_text(resp);
        if (e) {
                _cleanup_free_ char *x = source_excerpt(e, strlen(e), 300);
                return source_fail(
                        ret_error, -EREMOTEIO,
                        "%s: HTTP %ld, but the provider answered with an error message instead of %s: "
                        "\"%s\"%s",
                        origin, resp->status, what, strna(x), jobindsats_hint(kind, resp));
        }
        /* JSON expected, a short line of text came ("Invalid API key", "Service unavailable"): the
         * provider's words, not "invalid JSON at 1:1" */
        if (strstr(what, "JSON") && (e = short_text_body(resp))) {
                _cleanup_free_ char *x = source_excerpt(e, strlen(e), 300);
                return source_fail(
                        ret_error, -EREMOTEIO,
                        "%s: HTTP %ld, but the provider answered with a text instead of %s: \"%s\"%s",
                        origin, resp->status, what, strna(x), jobindsats_hint(kind, resp));
        }
        return 0;
}

char *source_describe_error(SourceKind kind, const SourceResponse *resp)
{
        _cleanup_free_ char *text = NULL;
        const char *body = resp->body ? resp->body : "";
        size_t size = resp->body ? resp->size : 0;
        size_t bom = source_bom_len(body, size);

        if (size > bom) {
                json_t *j = json_loadb(body + bom, size - bom, JSON_DECODE_ANY, NULL);
                if (j) {
                        _cleanup_free_ char *t = json_error_text(j);
                        if (!t)
                                t = json_error_document_text(j);
                        json_decref(j);
                        if (t)
                                text = source_excerpt(t, strlen(t), 400);
                }
                if (!text && source_body_is_html(body, size, resp->content_type)) {
                        _cleanup_free_ char *t = html_title(body, size);
                        if (t)
                                return strdup_printf("HTTP %ld (%s): %s", resp->status,
                                                     resp->content_type ? resp->content_type : "HTML", t);
                        return strdup_printf("HTTP %ld (%s)", resp->status,
                                             resp->content_type ? resp->content_type : "HTML");
                }
                if (!text) {
                        size_t i = skip_space(body, size, bom), e = i;
                        while (e < size && body[e] != '\n' && body[e] != '\r')
                                e++;
                        text = source_excerpt(body + i, e - i, 300);
                }
        }
        const char *hint = resp->status == 401 ? jobindsats_hint(kind, resp) : "";
        if (!text || !*text)
                return strdup_printf("HTTP %ld (empty response)%s", resp->status, hint);
        return strdup_printf("HTTP %ld: %s%s", resp->status, text, hint);
}

/* ---- provenance ---- */

static int cmp_index_by_dim(const void *a, const void *b, void *userdata)
{
        const SeriesDef *def = userdata;
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        int c = strcmp(strempty(def->select[x].dimension), strempty(def->select[y].dimension));
        if (c != 0)
                return c;
        return x < y ? -1 : x > y;
}

int source_selection_string(const SeriesDef *def, const ProviderMeta *meta, char **ret)
{
        _cleanup_free_ size_t *order = NULL;
        _cleanup_(strbuf_done) StrBuf b = {};

        if (def->n_select > 0) {
                order = xmalloc_array(def->n_select, sizeof(size_t));
                if (!order)
                        return -ENOMEM;
                for (size_t i = 0; i < def->n_select; i++)
                        order[i] = i;
                qsort_r(order, def->n_select, sizeof(size_t), cmp_index_by_dim, (void *) def);
        }
        for (size_t k = 0; k < def->n_select; k++) {
                size_t i = order[k];
                const char *v = def->select[i].value;
                if (meta && i < meta->n_items && meta->items[i].code)
                        v = meta->items[i].code;
                if (strbuf_printf(&b, "%s%s=%s", b.len ? "," : "", strempty(def->select[i].dimension),
                                  strempty(v)) < 0)
                        return -ENOMEM;
        }
        if (def->measure && strbuf_printf(&b, "%smeasure=%s", b.len ? "," : "", def->measure) < 0)
                return -ENOMEM;
        if (def->column && strbuf_printf(&b, "%scolumn=%s", b.len ? "," : "", def->column) < 0)
                return -ENOMEM;
        if (!b.s && strbuf_puts(&b, "") < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(b.s);
        return 0;
}

/* ---- CSV reader ---- */

void csv_reader_init(CsvReader *r, const char *buf, size_t size, char sep)
{
        *r = (CsvReader){ .buf = buf, .size = size, .sep = sep, .line = 1 };
        r->pos = source_bom_len(buf, size);
}

void csv_reader_done(CsvReader *r)
{
        free(r->fields);
        free(r->scratch);
        free(r->error);
        *r = (CsvReader){};
}

static unsigned char_column(const char *line_start, const char *p)
{
        unsigned col = 1;
        for (const char *q = line_start; q < p; q++)
                if (((unsigned char) *q & 0xC0) != 0x80)
                        col++;
        return col;
}

static int csv_push_field(CsvReader *r, const char *p, size_t len, unsigned col)
{
        if (GREEDY_REALLOC(r->fields, r->n_alloc, r->n_fields + 1) < 0)
                return -ENOMEM;
        r->fields[r->n_fields++] = (CsvField){ .p = p, .len = len, .col = col };
        return 0;
}

/* Slow path for a record with quotes: fields may contain separators, newlines and "" escapes.
 * Unescaped contents go to r->scratch; fields pointing there are fixed up at the end (the scratch
 * buffer may move while it grows), marked by p == NULL and len/col encoding an offset. */
static int csv_next_quoted(CsvReader *r, const char *line_start)
{
        const char *b = r->buf, *end = r->buf + r->size;
        const char *p = b + r->pos, *ls = line_start;
        size_t *offs = NULL, n_offs_alloc = 0;
        int ret;

        r->saw_quotes = true;
        r->line_start = line_start;
        r->n_fields = 0;
        r->scratch_len = 0;
        for (;;) {
                unsigned col = char_column(ls, p);
                if (p < end && *p == '"') {
                        size_t start = r->scratch_len;
                        p++;
                        for (;;) {
                                if (p >= end) {
                                        free(r->error);
                                        r->error = strdup_printf("%u:%u: unterminated quote", r->line, col);
                                        ret = -EBADMSG;
                                        goto finish;
                                }
                                if (*p == '"') {
                                        if (p + 1 < end && p[1] == '"') {
                                                p += 2;
                                                if (GREEDY_REALLOC(r->scratch, r->scratch_alloc,
                                                                   r->scratch_len + 1) < 0) {
                                                        ret = -ENOMEM;
                                                        goto finish;
                                                }
                                                r->scratch[r->scratch_len++] = '"';
                                                continue;
                                        }
                                        p++;
                                        break;
                                }
                                if (*p == '\n') {
                                        r->line++;
                                        ls = p + 1;
                                }
                                if (GREEDY_REALLOC(r->scratch, r->scratch_alloc, r->scratch_len + 1) < 0) {
                                        ret = -ENOMEM;
                                        goto finish;
                                }
                                r->scratch[r->scratch_len++] = *p++;
                        }
                        if (GREEDY_REALLOC(offs, n_offs_alloc, r->n_fields + 1) < 0) {
                                ret = -ENOMEM;
                                goto finish;
                        }
                        offs[r->n_fields] = start;
                        if (csv_push_field(r, NULL, r->scratch_len - start, col) < 0) {
                                ret = -ENOMEM;
                                goto finish;
                        }
                        /* after the closing quote: separator, end of line, or an error */
                        if (p < end && *p != r->sep && *p != '\n' &&
                            !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                                free(r->error);
                                r->error = strdup_printf("%u:%u: character after the closing quote", r->line,
                                                         char_column(ls, p));
                                ret = -EBADMSG;
                                goto finish;
                        }
                } else {
                        const char *q = p;
                        while (q < end && *q != r->sep && *q != '\n')
                                q++;
                        size_t len = (size_t) (q - p);
                        if (q < end && *q == '\n' && len > 0 && p[len - 1] == '\r')
                                len--;
                        else if (q == end && len > 0 && p[len - 1] == '\r')
                                len--;
                        if (memchr(p, '"', len)) {
                                free(r->error);
                                r->error = strdup_printf("%u:%u: quote in the middle of a field", r->line,
                                                         char_column(ls, memchr(p, '"', len)));
                                ret = -EBADMSG;
                                goto finish;
                        }
                        if (GREEDY_REALLOC(offs, n_offs_alloc, r->n_fields + 1) < 0) {
                                ret = -ENOMEM;
                                goto finish;
                        }
                        offs[r->n_fields] = SIZE_MAX;
                        if (csv_push_field(r, p, len, col) < 0) {
                                ret = -ENOMEM;
                                goto finish;
                        }
                        p = q;
                }
                if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n') {
                        r->saw_crlf = true;
                        p++;
                } else if (p < end && *p == '\r' && p + 1 == end)
                        p++;
                if (p >= end) {
                        r->pos = r->size;
                        break;
                }
                if (*p == '\n') {
                        r->pos = (size_t) (p + 1 - b);
                        r->line++;
                        break;
                }
                p++; /* separator */
        }
        for (size_t i = 0; i < r->n_fields; i++)
                if (offs[i] != SIZE_MAX)
                        r->fields[i].p = r->scratch ? r->scratch + offs[i] : "";
        ret = 1;
finish:
        free(offs);
        return ret;
}

int csv_reader_next(CsvReader *r)
{
        const char *b = r->buf, *end;
        size_t len;

        for (;;) {
                if (r->pos >= r->size)
                        return 0;
                const char *p = b + r->pos;
                const char *nl = memchr(p, '\n', r->size - r->pos);
                end = nl ? nl : b + r->size;
                len = (size_t) (end - p);
                if (len > 0 && p[len - 1] == '\r') {
                        len--;
                        if (nl)
                                r->saw_crlf = true;
                }
                r->record_line = r->line;
                if (len == 0) { /* empty line */
                        r->pos = nl ? (size_t) (nl + 1 - b) : r->size;
                        r->line++;
                        continue;
                }
                if (memchr(p, '"', len))
                        return csv_next_quoted(r, p);

                /* fast path: no quotes, split in place */
                r->n_fields = 0;
                const char *f = p, *e = p + len;
                for (;;) {
                        const char *s = memchr(f, r->sep, (size_t) (e - f));
                        const char *fe = s ? s : e;
                        /* the column is only needed for messages; count characters lazily below */
                        if (csv_push_field(r, f, (size_t) (fe - f), 0) < 0)
                                return -ENOMEM;
                        if (!s)
                                break;
                        f = s + 1;
                }
                r->line_start = p;
                r->pos = nl ? (size_t) (nl + 1 - b) : r->size;
                r->line++;
                return 1;
        }
}

unsigned csv_field_column(const CsvReader *r, size_t i)
{
        if (i >= r->n_fields)
                return 0;
        if (r->fields[i].col > 0 || !r->line_start)
                return r->fields[i].col;
        /* fast-path fields point into the line; count characters only when a message needs it */
        return char_column(r->line_start, r->fields[i].p);
}

/* ---- JSON ---- */

int source_json_load(const SourceResponse *resp, json_t **ret, char **ret_error)
{
        json_error_t err;
        size_t bom = source_bom_len(resp->body, resp->size);
        json_t *j;

        if (resp->size <= bom)
                return source_fail(ret_error, -ENODATA, "%s: empty response (0 bytes), expected JSON",
                                   source_origin(resp));
        j = json_loadb(resp->body + bom, resp->size - bom, JSON_DECODE_ANY, &err);
        if (!j)
                return source_fail(ret_error, -EBADMSG, "%s:%d:%d: invalid JSON: %s", source_origin(resp),
                                   err.line, err.column, err.text);
        *ret = j;
        return 0;
}

char *json_scalar_to_string(const json_t *v)
{
        if (json_is_string(v))
                return strdup(json_string_value(v));
        if (json_is_integer(v))
                return strdup_printf("%lld", (long long) json_integer_value(v));
        if (json_is_real(v))
                return strdup_printf("%.17g", json_real_value(v));
        return NULL;
}
