/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The YAML field engine; see yaml-fields.h. */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/fileio.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/period.h"
#include "labourwatch/suggest.h"
#include "labourwatch/yaml-fields.h"

/* ---- errors ---- */

_printf_(4, 0) __attribute__((format(printf, 4, 0))) static void error_va(YamlFile *f, unsigned line, unsigned column,
                                                           const char *fmt, va_list ap)
{
        _cleanup_free_ char *msg = NULL;

        f->n_errors++;
        if (vasprintf(&msg, fmt, ap) < 0) {
                f->oom = true;
                return;
        }
        if (f->error)
                f->error(f->userdata, f->path, line, column, msg);
}

void yaml_file_error_at(YamlFile *f, unsigned line, unsigned column, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error_va(f, line, column, fmt, ap);
        va_end(ap);
}

void yaml_file_error(YamlFile *f, const yaml_node_t *n, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error_va(f, n ? yaml_node_line(n) : 0, n ? yaml_node_column(n) : 0, fmt, ap);
        va_end(ap);
}

/* ---- nodes ---- */

yaml_node_t *yaml_file_node(YamlFile *f, int index)
{
        return f->loaded ? yaml_document_get_node(&f->doc, index) : NULL;
}

yaml_node_t *yaml_file_root(YamlFile *f)
{
        return f->loaded ? yaml_document_get_root_node(&f->doc) : NULL;
}

bool yaml_node_is_null(const yaml_node_t *n)
{
        const char *v;

        if (!n || n->type == YAML_NO_NODE)
                return true;
        if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        v = (const char *) n->data.scalar.value;
        return streq(v, "") || streq(v, "~") || streq(v, "null") || streq(v, "Null") || streq(v, "NULL");
}

const char *yaml_node_describe(const yaml_node_t *n)
{
        if (yaml_node_is_null(n))
                return "nothing (null)";
        switch (n->type) {
        case YAML_MAPPING_NODE:
                return "a mapping";
        case YAML_SEQUENCE_NODE:
                return "a list";
        default:
                return "a scalar";
        }
}

const char *yaml_node_scalar(const yaml_node_t *n)
{
        if (!n || n->type != YAML_SCALAR_NODE || yaml_node_is_null(n))
                return NULL;
        return (const char *) n->data.scalar.value;
}

/* ---- loading ---- */

static void yaml_parser_deletep(yaml_parser_t **p)
{
        if (*p)
                yaml_parser_delete(*p);
}

/* libyaml's loader recurses once per nesting level and allocates per node: refuse absurd nesting
 * and more than YAML_NODES_MAX nodes before loading, with an event pass that needs no recursion and
 * keeps nothing. A syntax error here is left for the loader to report. Returns 0, -EBADMSG
 * (reported) or -ENOMEM. */
static int check_shape(YamlFile *f)
{
        _cleanup_(yaml_parser_deletep) yaml_parser_t *pp = NULL;
        yaml_parser_t parser;
        unsigned depth = 0;
        size_t nodes = 0;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        pp = &parser;
        yaml_parser_set_input_string(&parser, (const unsigned char *) f->buf, f->size);
        for (;;) {
                yaml_event_t ev;
                yaml_event_type_t t;
                int r = 0;

                if (!yaml_parser_parse(&parser, &ev))
                        return parser.error == YAML_MEMORY_ERROR ? -ENOMEM : 0;
                t = ev.type;
                if ((t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) &&
                    ++nodes > YAML_NODES_MAX) {
                        yaml_file_error_at(f, (unsigned) ev.start_mark.line + 1, (unsigned) ev.start_mark.column + 1,
                                           "more than %u YAML nodes (keys, values, lists) in one file; split the "
                                           "goals into several files in the goal directory",
                                           YAML_NODES_MAX);
                        r = -EBADMSG;
                } else if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
                        if (++depth > YAML_NESTING_MAX) {
                                yaml_file_error_at(f, (unsigned) ev.start_mark.line + 1,
                                                   (unsigned) ev.start_mark.column + 1, "nested deeper than %d levels",
                                                   YAML_NESTING_MAX);
                                r = -EBADMSG;
                        }
                } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
                        depth--;
                yaml_event_delete(&ev);
                if (r < 0)
                        return r;
                if (t == YAML_STREAM_END_EVENT)
                        return 0;
        }
}

/* A "\0" escape would silently cut a name short wherever it is used as a C string. */
static int check_scalars(YamlFile *f)
{
        int r = 0;

        for (yaml_node_t *n = f->doc.nodes.start; n < f->doc.nodes.top; n++)
                if (n->type == YAML_SCALAR_NODE && strlen((const char *) n->data.scalar.value) != n->data.scalar.length) {
                        yaml_file_error(f, n, "a NUL character (\\0) is not allowed in a value");
                        r = -EBADMSG;
                }
        return r;
}

static void report_syntax(YamlFile *f, const yaml_parser_t *parser)
{
        if (parser->context)
                yaml_file_error_at(f, (unsigned) parser->problem_mark.line + 1, (unsigned) parser->problem_mark.column + 1,
                                   "YAML syntax error: %s (%s starting at line %u)", strna(parser->problem),
                                   parser->context, (unsigned) parser->context_mark.line + 1);
        else
                yaml_file_error_at(f, (unsigned) parser->problem_mark.line + 1, (unsigned) parser->problem_mark.column + 1,
                                   "YAML syntax error: %s", strna(parser->problem));
}

/* Loads the document in f->buf, and refuses a second one (it would be silently ignored). */
static int load_document(YamlFile *f)
{
        _cleanup_(yaml_parser_deletep) yaml_parser_t *pp = NULL;
        yaml_parser_t parser;
        yaml_document_t extra;
        int r;

        if (memchr(f->buf, 0, f->size)) {
                yaml_file_error_at(f, 0, 0, "not a text file (contains a NUL byte)");
                return -EBADMSG;
        }
        r = check_shape(f);
        if (r < 0)
                return r;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        pp = &parser;
        yaml_parser_set_input_string(&parser, (const unsigned char *) f->buf, f->size);
        if (!yaml_parser_load(&parser, &f->doc)) {
                if (parser.error == YAML_MEMORY_ERROR)
                        return -ENOMEM;
                report_syntax(f, &parser);
                return -EBADMSG;
        }
        f->loaded = true;
        f->n_map_offset = (size_t) (f->doc.nodes.top - f->doc.nodes.start);
        f->map_offset = xmalloc_array(MAX(f->n_map_offset, (size_t) 1), sizeof(size_t));
        if (!f->map_offset)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_map_offset; i++)
                f->map_offset[i] = SIZE_MAX;
        r = check_scalars(f);
        if (r < 0)
                return r;

        if (yaml_parser_load(&parser, &extra)) {
                yaml_node_t *root2 = yaml_document_get_root_node(&extra);
                if (root2)
                        yaml_file_error_at(f, (unsigned) extra.start_mark.line + 1, (unsigned) extra.start_mark.column + 1,
                                           "only one YAML document per file is read; remove the second document");
                yaml_document_delete(&extra);
        } else if (parser.error == YAML_MEMORY_ERROR)
                return -ENOMEM;
        else if (parser.error != YAML_NO_ERROR)
                yaml_file_error_at(f, (unsigned) parser.problem_mark.line + 1, (unsigned) parser.problem_mark.column + 1,
                                   "YAML syntax error: %s", strna(parser.problem));
        return 0;
}

int yaml_file_load(YamlFile *f, const char *path, size_t max_size, YamlErrorFunc error, void *userdata)
{
        int r;

        *f = (YamlFile){.path = path, .error = error, .userdata = userdata};
        r = read_regular_file(path, max_size, &f->buf, &f->size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                yaml_file_error_at(f, 0, 0, "cannot read: %s", read_regular_file_strerror(r));
                return r;
        }
        return load_document(f);
}

int yaml_file_load_buffer(YamlFile *f, const char *path, const char *buf, size_t size, YamlErrorFunc error,
                          void *userdata)
{
        *f = (YamlFile){.path = path, .error = error, .userdata = userdata};
        f->buf = malloc(size + 1);
        if (!f->buf)
                return -ENOMEM;
        memcpy(f->buf, buf, size);
        f->buf[size] = 0;
        f->size = size;
        return load_document(f);
}

void yaml_file_done(YamlFile *f)
{
        if (!f)
                return;
        if (f->loaded)
                yaml_document_delete(&f->doc);
        free(f->buf);
        free(f->map_offset);
        free(f->pair_first);
        *f = (YamlFile){};
}

/* A control character (a line break in a URL, an escape sequence in a name) would split or
 * garble the log lines and headers the value ends up in. */
bool yaml_string_has_control(const char *s, bool allow_breaks)
{
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p < 0x20 || *p == 0x7f) && !(allow_breaks && (*p == '\n' || *p == '\t' || *p == '\r')))
                        return true;
        return false;
}

/* ---- mapping keys ---- */

/* Finds, for every pair of a mapping, the first earlier pair with the same scalar key, once per
 * mapping, through a hash of the keys: linear in the number of pairs however often the mapping's
 * keys are asked for. Returns 0 or -ENOMEM. */
static int mapping_analyse(YamlFile *f, yaml_node_t *map, size_t mi)
{
        size_t n = (size_t) (map->data.mapping.pairs.top - map->data.mapping.pairs.start), base = f->n_pair_first;
        _cleanup_(hashmap_freep) Hashmap *h = NULL;

        if (n >= UINT32_MAX || GREEDY_REALLOC(f->pair_first, f->n_pair_first_alloc, base + n) < 0)
                return -ENOMEM;
        if (n > 8 && hashmap_new(n, &h) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s = yaml_node_scalar(yaml_file_node(f, map->data.mapping.pairs.start[i].key));
                void *prev = NULL;

                f->pair_first[base + i] = 0;
                if (!s)
                        continue;
                if (h) {
                        int r = hashmap_put(h, s, (void *) (uintptr_t) (i + 1), &prev);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                f->pair_first[base + i] = (uint32_t) (uintptr_t) prev;
                        continue;
                }
                /* a handful of keys: comparing them is cheaper than hashing */
                for (size_t j = 0; j < i; j++) {
                        const char *t = yaml_node_scalar(yaml_file_node(f, map->data.mapping.pairs.start[j].key));
                        if (t && streq(s, t)) {
                                f->pair_first[base + i] = (uint32_t) (j + 1);
                                break;
                        }
                }
        }
        f->n_pair_first = base + n;
        f->map_offset[mi] = base;
        return 0;
}

const char *yaml_mapping_key(YamlFile *f, yaml_node_t *map, yaml_node_pair_t *pair)
{
        yaml_node_t *k = yaml_file_node(f, pair->key);
        size_t mi = (size_t) (map - f->doc.nodes.start), first;
        const char *s;

        if (!k)
                return NULL;
        s = yaml_node_scalar(k);
        if (!s) {
                yaml_file_error(f, k, "expected a key name, got %s", yaml_node_describe(k));
                return NULL;
        }
        if (yaml_string_has_control(s, false)) {
                yaml_file_error(f, k, "a key name must not contain control characters (a line break, a tab, an escape)");
                return NULL;
        }
        assert(mi < f->n_map_offset);
        if (f->map_offset[mi] == SIZE_MAX && mapping_analyse(f, map, mi) < 0) {
                f->oom = true;
                return NULL;
        }
        first = f->pair_first[f->map_offset[mi] + (size_t) (pair - map->data.mapping.pairs.start)];
        if (first) {
                yaml_node_t *fk = yaml_file_node(f, map->data.mapping.pairs.start[first - 1].key);
                yaml_file_error(f, k, "duplicate key '%s' (first at line %u, column %u)", s, yaml_node_line(fk),
                                yaml_node_column(fk));
                return NULL;
        }
        return s;
}

yaml_node_t *yaml_mapping_get(YamlFile *f, yaml_node_t *map, const char *key)
{
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
                if (streq(strempty(yaml_node_scalar(yaml_file_node(f, p->key))), key))
                        return yaml_file_node(f, p->value);
        return NULL;
}

/* ---- field tables: helpers ---- */

static char *join_names(const char *const *names, size_t n, size_t stride)
{
        size_t len = 1;
        char *s, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(*(const char *const *) ((const char *) names + i * stride)) + 2;
        s = malloc(len);
        if (!s)
                return NULL;
        p = s;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        p = stpcpy(p, ", ");
                p = stpcpy(p, *(const char *const *) ((const char *) names + i * stride));
        }
        *p = 0;
        return s;
}

/* The allowed key closest to a misspelt one, if it is close enough to be a typo (suggest.h:
 * Damerau-Levenshtein on folded words, at most 2 edits). */
static const char *field_suggest(const YamlField *fields, size_t n, const char *key)
{
        ssize_t i = suggest_index(key, &fields[0].key, n, sizeof(YamlField), 2);
        return i >= 0 ? fields[i].key : NULL;
}

int yaml_field_index(const YamlField *fields, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(fields[i].key, key))
                        return (int) i;
        return -1;
}

bool yaml_parsed_has(const YamlParsed *p, const YamlField *fields, size_t n, const char *key)
{
        int i = yaml_field_index(fields, n, key);
        assert(i >= 0);
        return p->seen & (UINT64_C(1) << i);
}

yaml_node_t *yaml_parsed_key(const YamlParsed *p, const YamlField *fields, size_t n, const char *key)
{
        int i = yaml_field_index(fields, n, key);
        assert(i >= 0);
        return p->key[i];
}

yaml_node_t *yaml_parsed_value(const YamlParsed *p, const YamlField *fields, size_t n, const char *key)
{
        int i = yaml_field_index(fields, n, key);
        assert(i >= 0);
        return p->value[i];
}

/* ---- typed readers ---- */

static bool read_string(YamlWalk *w, const char *key, yaml_node_t *v, bool multiline, char **ret)
{
        const char *s = yaml_node_scalar(v);
        char *d;

        if (!s) {
                yaml_file_error(w->file, v, "%s: expected a string, got %s", key, yaml_node_describe(v));
                return false;
        }
        if (!*s) {
                yaml_file_error(w->file, v, "%s: must not be empty", key);
                return false;
        }
        if (yaml_string_has_control(s, multiline)) {
                yaml_file_error(w->file, v, "%s: must not contain control characters%s", key,
                                multiline ? "" : " (a line break, a tab, an escape)");
                return false;
        }
        d = strdup(s);
        if (!d) {
                w->file->oom = true;
                return false;
        }
        free(*ret);
        *ret = d;
        return true;
}

bool yaml_read_string(YamlWalk *w, const char *key, yaml_node_t *v, char **ret)
{
        return read_string(w, key, v, false, ret);
}

bool yaml_read_text(YamlWalk *w, const char *key, yaml_node_t *v, char **ret)
{
        return read_string(w, key, v, true, ret);
}

bool yaml_read_duration(YamlWalk *w, const char *key, yaml_node_t *v, uint64_t *ret)
{
        const char *s = yaml_node_scalar(v);

        if (!s) {
                yaml_file_error(w->file, v, "%s: expected a duration, got %s", key, yaml_node_describe(v));
                return false;
        }
        if (parse_duration(s, ret) < 0) {
                yaml_file_error(w->file, v, "%s: bad duration '%s', expected e.g. 30s, 10min, 6h, 14d", key, s);
                return false;
        }
        return true;
}

bool yaml_read_number(YamlWalk *w, const char *key, yaml_node_t *v, double *ret)
{
        const char *s = yaml_node_scalar(v);

        if (!s) {
                yaml_file_error(w->file, v, "%s: expected a number, got %s", key, yaml_node_describe(v));
                return false;
        }
        if (parse_decimal(s, ret) < 0) {
                yaml_file_error(w->file, v, "%s: expected a number, got '%s'", key, s);
                return false;
        }
        return true;
}

static void read_text(YamlWalk *w, const char *key, yaml_node_t *v, char **ret_da, char **ret_en)
{
        if (v->type == YAML_MAPPING_NODE) {
                static const char *const langs[] = {"da", "en"};
                char **dest[] = {ret_da, ret_en};

                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                        const char *k = yaml_mapping_key(w->file, v, p);
                        int i;

                        if (!k)
                                continue;
                        i = string_table_lookup_from_string(langs, ELEMENTSOF(langs), k);
                        if (i < 0) {
                                yaml_file_error(w->file, yaml_file_node(w->file, p->key),
                                                "unknown key '%s' in %s, allowed keys: da, en", k, key);
                                continue;
                        }
                        (void) yaml_read_text(w, key, yaml_file_node(w->file, p->value), dest[i]);
                }
                if (!*ret_da && !*ret_en) {
                        yaml_file_error(w->file, v, "%s: needs 'da' or 'en'", key);
                        return;
                }
        } else if (!yaml_read_text(w, key, v, ret_da))
                return;

        /* One language given: use it for both. */
        if (!*ret_da)
                *ret_da = strdup(*ret_en);
        if (!*ret_en)
                *ret_en = strdup(*ret_da);
        if (!*ret_da || !*ret_en)
                w->file->oom = true;
}

static bool read_strv_item(YamlWalk *w, const char *key, yaml_node_t *item, int ref, char ***ret, size_t *ret_n,
                           size_t *alloc)
{
        const char *s = yaml_node_scalar(item);
        char *d;

        if (!s || !*s) {
                yaml_file_error(w->file, item, "%s: expected a name, got %s", key, yaml_node_describe(item));
                return true;
        }
        if (yaml_string_has_control(s, false)) {
                yaml_file_error(w->file, item, "%s: must not contain control characters (a line break, a tab, an escape)",
                                key);
                return true;
        }
        d = strdup(s);
        if (!d || GREEDY_REALLOC(*ret, *alloc, *ret_n + 1) < 0) {
                free(d);
                w->file->oom = true;
                return false;
        }
        (*ret)[(*ret_n)++] = d;
        if (ref && w->ref)
                w->ref(w, ref, s, item);
        return true;
}

/* A list of names; a single scalar is a list of one. */
static void read_strv(YamlWalk *w, const char *key, yaml_node_t *v, int ref, char ***ret, size_t *ret_n)
{
        size_t alloc = 0;

        if (v->type == YAML_SCALAR_NODE && !yaml_node_is_null(v)) {
                (void) read_strv_item(w, key, v, ref, ret, ret_n, &alloc);
                return;
        }
        if (v->type != YAML_SEQUENCE_NODE) {
                yaml_file_error(w->file, v, "%s: expected a list of names, got %s", key, yaml_node_describe(v));
                return;
        }
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                if (!read_strv_item(w, key, yaml_file_node(w->file, *i), ref, ret, ret_n, &alloc))
                        return;
}

static void read_choice(YamlWalk *w, const YamlField *f, const char *k, yaml_node_t *v, void *dest)
{
        _cleanup_free_ char *valid = NULL;
        const char *s = yaml_node_scalar(v);
        ssize_t hint;
        int e;

        if (!s) {
                yaml_file_error(w->file, v, "%s: expected one of the words below, got %s", k, yaml_node_describe(v));
                return;
        }
        e = string_table_lookup_from_string(f->names, f->n_names, s);
        if (e < 0) {
                valid = join_names(f->names, f->n_names, sizeof(char *));
                if (!valid)
                        w->file->oom = true;
                hint = suggest_index(s, f->names, f->n_names, sizeof(char *), 2);
                if (hint >= 0)
                        yaml_file_error(w->file, v, "%s: bad value '%s' (did you mean '%s'?), expected one of: %s", k,
                                        s, f->names[hint], strempty(valid));
                else
                        yaml_file_error(w->file, v, "%s: bad value '%s', expected one of: %s", k, s, strempty(valid));
                return;
        }
        if (f->type == YF_ENUM)
                *(int *) ((char *) dest + f->offset) = e;
        else
                (void) yaml_read_string(w, k, v, (char **) ((char *) dest + f->offset));
}

static void read_integer(YamlWalk *w, const YamlField *f, const char *k, yaml_node_t *v, void *dest)
{
        const char *s = yaml_node_scalar(v);
        unsigned long long u;
        int i;

        if (f->type == YF_INT) {
                if (!s || v->type != YAML_SCALAR_NODE)
                        yaml_file_error(w->file, v, "%s: expected an integer, got %s", k, yaml_node_describe(v));
                else if (safe_atoi(s, &i) < 0)
                        yaml_file_error(w->file, v, "%s: expected an integer, got '%s'", k, s);
                else
                        *(int *) ((char *) dest + f->offset) = i;
                return;
        }
        if (!s || v->type != YAML_SCALAR_NODE)
                yaml_file_error(w->file, v, "%s: expected a whole number, got %s", k, yaml_node_describe(v));
        else if (*s < '0' || *s > '9' || safe_atou64(s, &u) < 0 || u > UINT_MAX)
                yaml_file_error(w->file, v, "%s: expected a whole number, got '%s'", k, s);
        else
                *(unsigned *) ((char *) dest + f->offset) = (unsigned) u;
}

static void read_bool(YamlWalk *w, const char *k, yaml_node_t *v, bool *ret)
{
        const char *s = yaml_node_scalar(v);

        if (s && (streq(s, "true") || streq(s, "yes") || streq(s, "on") || streq(s, "True")))
                *ret = true;
        else if (s && (streq(s, "false") || streq(s, "no") || streq(s, "off") || streq(s, "False")))
                *ret = false;
        else
                yaml_file_error(w->file, v, "%s: expected true or false, got %s", k, yaml_node_describe(v));
}

static void read_size(YamlWalk *w, const char *k, yaml_node_t *v, uint64_t *ret)
{
        const char *s = yaml_node_scalar(v);

        if (!s)
                yaml_file_error(w->file, v, "%s: expected a size, got %s", k, yaml_node_describe(v));
        else if (parse_size(s, ret) < 0)
                yaml_file_error(w->file, v, "%s: bad size '%s', expected bytes or e.g. 512KiB, 64MiB", k, s);
}

static void read_period(YamlWalk *w, const char *k, yaml_node_t *v, Period *ret)
{
        const char *s = yaml_node_scalar(v);

        if (!s)
                yaml_file_error(w->file, v, "%s: expected a period, got %s", k, yaml_node_describe(v));
        else if (period_parse(s, ret) < 0)
                yaml_file_error(w->file, v,
                                "%s: bad period '%s', expected e.g. 2024, 2024H1, 2024Q2, 2024M06, 2024QMAT02", k, s);
}

/* `labourwatch init` writes the plain word TO FILL where only the jobcentre knows the value (a
 * target, an address): check names each one instead of a type error. */
static bool is_to_fill(const yaml_node_t *v)
{
        return v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               streq((const char *) v->data.scalar.value, YAML_TO_FILL);
}

static void read_field(YamlWalk *w, const YamlField *f, const char *k, yaml_node_t *v, void *dest)
{
        void *at = (char *) dest + f->offset;

        if (f->type != YF_SECTION && f->type != YF_CUSTOM && is_to_fill(v)) {
                yaml_file_error(w->file, v, "%s: " YAML_TO_FILL ": the value is still to be written in", k);
                /* NaN fails every range check ("a rank is 1 or more") silently: one line per value. The
                 * configuration does not load, so the NaN never reaches a goal. */
                if (f->type == YF_DOUBLE)
                        *(double *) at = NAN;
                return;
        }
        switch (f->type) {
        case YF_SECTION:
                break;
        case YF_CUSTOM:
                f->custom(w, k, v, dest);
                break;
        case YF_STRING:
                if (yaml_read_string(w, k, v, at) && f->ref && w->ref)
                        w->ref(w, f->ref, *(char **) at, v);
                break;
        case YF_CHOICE:
        case YF_ENUM:
                read_choice(w, f, k, v, dest);
                break;
        case YF_INT:
        case YF_UINT:
                read_integer(w, f, k, v, dest);
                break;
        case YF_DOUBLE:
                (void) yaml_read_number(w, k, v, at);
                break;
        case YF_BOOL:
                read_bool(w, k, v, at);
                break;
        case YF_DURATION:
                (void) yaml_read_duration(w, k, v, at);
                break;
        case YF_SIZE:
                read_size(w, k, v, at);
                break;
        case YF_PERIOD:
                read_period(w, k, v, at);
                break;
        case YF_STRV:
                read_strv(w, k, v, f->ref, at, (size_t *) ((char *) dest + f->offset2));
                break;
        case YF_TEXT:
                read_text(w, k, v, at, (char **) ((char *) dest + f->offset2));
                break;
        }
}

static void report_unknown(YamlWalk *w, const char *what, const YamlField *fields, size_t n, const char *k,
                           yaml_node_t *kn)
{
        _cleanup_free_ char *allowed = NULL;
        const char *hint;

        if (w->unknown && w->unknown(w, what, k, kn))
                return;
        allowed = join_names(&fields[0].key, n, sizeof(YamlField));
        hint = field_suggest(fields, n, k);
        if (!allowed)
                w->file->oom = true;
        if (hint)
                yaml_file_error(w->file, kn, "unknown key '%s' in %s (did you mean '%s'?), allowed keys: %s", k, what,
                                hint, strempty(allowed));
        else
                yaml_file_error(w->file, kn, "unknown key '%s' in %s, allowed keys: %s", k, what, strempty(allowed));
}

void yaml_parse_fields(YamlWalk *w, yaml_node_t *map, const char *what, const YamlField *fields, size_t n,
                       void *dest, YamlParsed *p)
{
        assert(n <= YAML_FIELDS_MAX);
        *p = (YamlParsed){};

        if (map->type != YAML_MAPPING_NODE) {
                yaml_file_error(w->file, map, "%s: expected a mapping, got %s", what, yaml_node_describe(map));
                return;
        }
        for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
                yaml_node_t *kn = yaml_file_node(w->file, pair->key), *v = yaml_file_node(w->file, pair->value);
                const char *k = yaml_mapping_key(w->file, map, pair);
                int i;

                if (!k)
                        continue;
                i = yaml_field_index(fields, n, k);
                if (i < 0) {
                        report_unknown(w, what, fields, n, k, kn);
                        continue;
                }
                p->seen |= UINT64_C(1) << i;
                p->key[i] = kn;
                p->value[i] = v;
                read_field(w, &fields[i], k, v, dest);
        }
}

/* "statbank, csv and jsonstat" for the kinds in mask. */
static char *kinds_to_words(uint32_t mask, const char *const *kind_names, size_t n_kinds)
{
        size_t count = 0, seen = 0, len = 1;
        char *s, *p;

        for (size_t i = 0; i < n_kinds; i++)
                if (mask & YAML_KIND(i)) {
                        count++;
                        len += strlen(kind_names[i]) + 5;
                }
        s = malloc(len);
        if (!s)
                return NULL;
        p = s;
        *p = 0;
        for (size_t i = 0; i < n_kinds; i++)
                if (mask & YAML_KIND(i)) {
                        if (seen > 0)
                                p = stpcpy(p, seen + 1 == count ? " and " : ", ");
                        p = stpcpy(p, kind_names[i]);
                        seen++;
                }
        return s;
}

void yaml_fields_check_kind(YamlWalk *w, const YamlParsed *p, const YamlField *fields, size_t n, int kind,
                            const char *const *kind_names, size_t n_kinds, const char *noun, int derived,
                            const char *derived_refusal, const char *what, unsigned at_line, unsigned at_column)
{
        /* Keys every kind requires first (also when the kind is unknown), then the kind's own. */
        for (size_t i = 0; i < n; i++)
                if (fields[i].required == YAML_KINDS_ALL && !(p->seen & (UINT64_C(1) << i)))
                        yaml_file_error_at(w->file, at_line, at_column, "%s: missing required key '%s'", what,
                                           fields[i].key);
        if (kind < 0 || (size_t) kind >= n_kinds)
                return;
        for (size_t i = 0; i < n; i++) {
                const YamlField *f = &fields[i];
                bool given = p->seen & (UINT64_C(1) << i);

                if (given && f->kinds && !(f->kinds & YAML_KIND(kind))) {
                        _cleanup_free_ char *words = NULL;

                        if (kind == derived) {
                                yaml_file_error(w->file, p->key[i], "'%s' %s", f->key, derived_refusal);
                                continue;
                        }
                        words = kinds_to_words(f->kinds & ~(derived >= 0 ? YAML_KIND(derived) : 0), kind_names,
                                               n_kinds);
                        if (!words) {
                                w->file->oom = true;
                                return;
                        }
                        yaml_file_error(w->file, p->key[i], "'%s' applies only to %s %s%s%s", f->key, words, noun,
                                        f->hint ? " " : "", strempty(f->hint));
                } else if (!given && f->required != YAML_KINDS_ALL && (f->required & YAML_KIND(kind)))
                        yaml_file_error_at(w->file, at_line, at_column, "%s: missing required key '%s'", what, f->key);
        }
}
