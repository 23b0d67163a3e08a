/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared between the configuration's layers: config.c (types, tables, lookups), config-ctx.c (the
 * loading context's errors and name tables), config-schema.c (what each section may contain, as
 * field tables), config-expr.c (derived series' expressions) and config-load.c (files, goals.d,
 * cross-references). Their calls run one way: config-ctx.c <- config-schema.c, config-expr.c <-
 * config-load.c; none calls a file beside or above it. Not a public interface. */

#include <sys/types.h>

#include "labourwatch/config.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/yaml-fields.h"

#define DEFAULT_STATE_DIR "/var/lib/labourwatch"
#define DEFAULT_PLAN "Beskæftigelsesplan"
/* "Did you mean" searches per load: each is a pass over the names, so a file with thousands of
 * undefined references costs linear time, not quadratic; the first ones get their hint. */
#define CONFIG_SUGGESTIONS_MAX 100U

extern const char *const source_kind_table[_SOURCE_KIND_MAX];
extern const char *const goal_kind_table[_GOAL_KIND_MAX];
extern const char *const goal_direction_table[_GOAL_DIRECTION_MAX];
extern const char *const goal_aggregate_table[_GOAL_AGGREGATE_MAX];
extern const char *const change_unit_table[_CHANGE_UNIT_MAX];
extern const char *const projection_method_table[_PROJECTION_METHOD_MAX];
extern const char *const goal_status_from_table[_GOAL_STATUS_FROM_MAX];
extern const char *const notifier_kind_table[_NOTIFIER_KIND_MAX];
extern const char *const webhook_format_table[_WEBHOOK_FORMAT_MAX];
extern const char *const notifier_auth_table[_NOTIFIER_AUTH_MAX];
extern const char *const freq_table[_PERIOD_FREQ_MAX];
extern const char *const encoding_table[3];
extern const char *const language_table[2];

typedef enum RefKind {
        REF_NONE,
        REF_SOURCE, /* checked immediately: sources are parsed before everything else */
        REF_SERIES,
        REF_RECIPIENT,
        REF_NOTIFIER,
        REF_GOAL,   /* a route's goal pattern: one without a wildcard must name a goal */
} RefKind;

typedef struct Ref {
        RefKind kind;
        char *name;
        ConfigPos pos;
} Ref;

typedef struct Ctx {
        Config *c;
        ConfigErrors *errors;
        bool oom;

        /* the file being read */
        const char *file; /* points into c->files */
        YamlFile *yf;
        YamlWalk walk;    /* .file = yf, .userdata = this */
        bool main_file;

        size_t n_files_alloc, n_sources_alloc, n_series_alloc, n_goals_alloc, n_recipients_alloc,
                n_notifiers_alloc, n_routes_alloc;

        Ref *refs;
        size_t n_refs, n_refs_alloc;

        /* Names defined so far -> index + 1 in the Config's arrays (the arrays still grow while
         * parsing, so pointers would not stay valid): duplicates and references in O(1). */
        Hashmap *source_names, *series_names, *goal_ids;

        size_t first_error, n_suppressed; /* errors past CONFIG_ERRORS_MAX are counted only */
        size_t n_suggestions;             /* "did you mean" searches so far (ctx_suggest()) */
        bool uncapped;

        /* A file could not be read or parsed: what it defines is unknown, so references to it
         * are not reported as undefined (that would bury the real error under false ones). */
        bool main_broken, some_broken;
} Ctx;

/* config-ctx.c */
void ctx_error_at(Ctx *x, const char *file, unsigned line, unsigned column, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
#define ctx_error(x, node, ...) yaml_file_error((x)->yf, (node), __VA_ARGS__)
#define ctx_error_pos(x, pos, ...) ctx_error_at((x), (pos).file, (pos).line, (pos).column, __VA_ARGS__)
ConfigPos ctx_node_pos(Ctx *x, const yaml_node_t *n);
void ctx_name_add(Ctx *x, Hashmap **h, const char *name, size_t index);
ssize_t ctx_name_find(const Hashmap *h, const char *name);
/* The name nearest to word among n names (the const char * at names + i * stride) for a "did you
 * mean" (suggest.h); NULL when none is near enough, or past CONFIG_SUGGESTIONS_MAX searches. */
const char *ctx_suggest(Ctx *x, const char *word, const void *names, size_t n, size_t stride);
/* ctx_suggest() over the .name of the n definitions of an array (which may be NULL). */
#define CTX_SUGGEST(x, word, defs, n)                                                                      \
        ((defs) ? ctx_suggest((x), (word), &(defs)[0].name, (n), sizeof((defs)[0])) : NULL)

/* config-schema.c: parses the root of the file being read into x->c. */
void config_parse_root(Ctx *x, yaml_node_t *root);

/* config-expr.c: parses and resolves every derived series' expression (after every file is read). */
void config_check_exprs(Ctx *x);

/* config.c */
int config_build_index(Config *c);
