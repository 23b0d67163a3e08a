/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A generic YAML field engine over libyaml's document API, for every file an operator writes
 * (the configuration, goal files, goal test files):
 *
 *   - loading: a regular file only (never blocking on a FIFO), a size cap, no NUL byte, a nesting
 *     guard and a node cap checked by an event pass before the document is built (libyaml's loader
 *     recurses per level and allocates per node), one document per file;
 *   - nodes: scalars, nulls, "a mapping"/"a list" for messages, FILE:LINE:COL positions;
 *   - mapping keys: scalar, no NUL, not duplicated (found once per mapping through a hash: linear);
 *   - field tables: {key, type, where in the struct, which kinds it applies to, which require it}
 *     walked against a mapping with typed readers (strings, choices, numbers written in decimal,
 *     booleans, durations, sizes, periods, lists of names, two-language texts, custom);
 *
 * Errors go to a callback with the file, line, column and message; nothing is logged. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define YAML_NESTING_MAX 64
#define YAML_NODES_MAX 1000000U /* nodes per file; see CONFIG_NODES_MAX */
/* The plain scalar `labourwatch init` writes for a value only the jobcentre knows (a target, an
 * address): a field given it is reported as still to be filled in, whatever its type. */
#define YAML_TO_FILL "TO FILL"

typedef void (*YamlErrorFunc)(void *userdata, const char *file, unsigned line, unsigned column,
                              const char *message);

typedef struct YamlFile {
        const char *path; /* not owned */
        char *buf;        /* the file's bytes, NUL-terminated */
        size_t size;
        yaml_document_t doc;
        bool loaded;
        bool oom;
        YamlErrorFunc error;
        void *userdata;
        size_t n_errors;

        /* duplicate keys: see yaml_mapping_key() */
        size_t *map_offset;
        size_t n_map_offset;
        uint32_t *pair_first;
        size_t n_pair_first, n_pair_first_alloc;
} YamlFile;

/* Reads path and loads its one document. Returns 0 (the document is loaded), -EBADMSG when the
 * file's content is not one valid YAML document (NUL byte, nesting, node cap, syntax: reported),
 * -ENOMEM, or the -errno of reading (reported as "cannot read: ..."). yaml_file_done() always. */
int yaml_file_load(YamlFile *f, const char *path, size_t max_size, YamlErrorFunc error, void *userdata);
/* The same for a buffer already in memory (path names it in messages). */
int yaml_file_load_buffer(YamlFile *f, const char *path, const char *buf, size_t size, YamlErrorFunc error,
                          void *userdata);
void yaml_file_done(YamlFile *f);

yaml_node_t *yaml_file_root(YamlFile *f);
yaml_node_t *yaml_file_node(YamlFile *f, int index);

void yaml_file_error(YamlFile *f, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void yaml_file_error_at(YamlFile *f, unsigned line, unsigned column, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

bool yaml_node_is_null(const yaml_node_t *n);
const char *yaml_node_describe(const yaml_node_t *n); /* "a mapping", "a list", "a scalar", "nothing (null)" */
const char *yaml_node_scalar(const yaml_node_t *n);   /* NULL for a non-scalar or a null */
static inline unsigned yaml_node_line(const yaml_node_t *n)
{
        return (unsigned) n->start_mark.line + 1;
}
static inline unsigned yaml_node_column(const yaml_node_t *n)
{
        return (unsigned) n->start_mark.column + 1;
}

/* A mapping's key: a scalar, not seen earlier in this mapping. Returns its text, or NULL after
 * reporting ("expected a key name", "duplicate key 'x' (first at line L, column C)"). */
const char *yaml_mapping_key(YamlFile *f, yaml_node_t *map, yaml_node_pair_t *pair);
/* The value of key in map (first occurrence), or NULL. Linear in the mapping: for a few lookups. */
yaml_node_t *yaml_mapping_get(YamlFile *f, yaml_node_t *map, const char *key);

/* ---- field tables ---- */

typedef enum YamlFieldType {
        YF_STRING,
        YF_CHOICE,   /* char*, one of names[] */
        YF_ENUM,     /* int, index into names[] */
        YF_INT,
        YF_UINT,     /* unsigned, a non-negative decimal integer */
        YF_DOUBLE,   /* decimal only: no 0x1p3, inf, nan */
        YF_BOOL,
        YF_DURATION, /* uint64_t microseconds */
        YF_SIZE,     /* uint64_t bytes */
        YF_PERIOD,
        YF_STRV,     /* char ** at offset, size_t count at offset2; a scalar is a list of one */
        YF_TEXT,     /* "text" or {da: ..., en: ...}: char *da at offset, char *en at offset2 */
        YF_CUSTOM,   /* parsed by the field's custom function */
        YF_SECTION,  /* parsed by the caller after the walk (parsed->value[i]) */
} YamlFieldType;

typedef struct YamlWalk YamlWalk;

typedef void (*YamlCustomFunc)(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);

#define YAML_KINDS_ALL UINT32_MAX
#define YAML_KIND(k) (UINT32_C(1) << (k))

typedef struct YamlField {
        const char *key;
        YamlFieldType type;
        size_t offset, offset2;
        const char *const *names; /* YF_CHOICE, YF_ENUM */
        size_t n_names;
        int ref;                  /* YF_STRING, YF_STRV: passed to YamlWalk.ref for each name (0: none) */
        uint32_t kinds;           /* kinds the key applies to (YAML_KIND bits); 0 = all */
        uint32_t required;        /* kinds that require the key; YAML_KINDS_ALL = always */
        const char *hint;         /* added to "'key' applies only to ...", e.g. "(csv series use 'path')" */
        YamlCustomFunc custom;    /* YF_CUSTOM */
} YamlField;

#define YAML_FIELDS_MAX 64

typedef struct YamlParsed {
        uint64_t seen;
        yaml_node_t *key[YAML_FIELDS_MAX];
        yaml_node_t *value[YAML_FIELDS_MAX];
} YamlParsed;

struct YamlWalk {
        YamlFile *file;
        void *userdata;
        /* a name given in a field with .ref set, for a later reference check */
        void (*ref)(YamlWalk *w, int ref, const char *name, const yaml_node_t *n);
        /* an unknown key: return true when it was reported (e.g. an inline secret) */
        bool (*unknown)(YamlWalk *w, const char *what, const char *key, const yaml_node_t *kn);
};

/* Walks a mapping against a field table, storing what parses into dest; reports unknown keys (with
 * the allowed keys and a "did you mean"), duplicate keys and type errors, and carries on. *p tells
 * which keys were given, and their nodes. */
void yaml_parse_fields(YamlWalk *w, yaml_node_t *map, const char *what, const YamlField *fields, size_t n,
                       void *dest, YamlParsed *p);

int yaml_field_index(const YamlField *fields, size_t n, const char *key);
bool yaml_parsed_has(const YamlParsed *p, const YamlField *fields, size_t n, const char *key);
yaml_node_t *yaml_parsed_key(const YamlParsed *p, const YamlField *fields, size_t n, const char *key);
yaml_node_t *yaml_parsed_value(const YamlParsed *p, const YamlField *fields, size_t n, const char *key);

/* The kinds column: for a definition of kind (an index into kind_names; negative: unknown, nothing
 * is checked), reports every given key that does not apply ("'token_file' applies only to
 * jobindsats sources") and every missing key the kind requires ("WHAT: missing required key 'x'",
 * at `at`). `derived` names a pseudo-kind whose refusal reads differently (series: "applies only
 * to fetched series; this series is derived ('expr')"), -1 for none. */
void yaml_fields_check_kind(YamlWalk *w, const YamlParsed *p, const YamlField *fields, size_t n, int kind,
                            const char *const *kind_names, size_t n_kinds, const char *noun, int derived,
                            const char *derived_refusal, const char *what, unsigned at_line, unsigned at_column);

/* Typed readers, for custom fields and callers outside a table; each reports and returns false on
 * a type error. */
/* Whether s holds a control character (below 0x20, or DEL); allow_breaks lets \n, \r, \t pass. */
bool yaml_string_has_control(const char *s, bool allow_breaks);

/* A non-empty string on one line: control characters (line breaks, tabs, escapes) are refused. */
bool yaml_read_string(YamlWalk *w, const char *key, yaml_node_t *v, char **ret);
/* The same, but line breaks and tabs are allowed (titles, expressions in a block scalar). */
bool yaml_read_text(YamlWalk *w, const char *key, yaml_node_t *v, char **ret);
bool yaml_read_duration(YamlWalk *w, const char *key, yaml_node_t *v, uint64_t *ret);
bool yaml_read_number(YamlWalk *w, const char *key, yaml_node_t *v, double *ret);
