/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loading context's own helpers (config-internal.h's Ctx): errors with their FILE:LINE:COL and
 * the tables of names defined so far. The bottom of the configuration's files: config-schema.c,
 * config-expr.c and config-load.c call these, this file calls none of them, so the calls run one
 * way (ctx <- schema, expr <- load; tests/integration/test_layering.py checks it).
 *
 * This module never logs: errors are collected in the Ctx's ConfigErrors. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "labourwatch/macro.h"
#include "labourwatch/suggest.h"

/* ---- errors and names ---- */

void ctx_error_at(Ctx *x, const char *file, unsigned line, unsigned column, const char *fmt, ...)
{
        ConfigErrors *e = x->errors;
        char *msg = NULL, *f;
        va_list ap;

        if (!x->uncapped && e->n_items - x->first_error >= CONFIG_ERRORS_MAX) {
                x->n_suppressed++;
                return;
        }
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        f = strdup(strempty(file));
        if (!msg || !f || GREEDY_REALLOC(e->items, e->n_alloc, e->n_items + 1) < 0) {
                free(msg);
                free(f);
                x->oom = true;
                return;
        }
        e->items[e->n_items++] = (ConfigError){
                .file = f,
                .line = line,
                .column = column,
                .message = msg,
        };
}

ConfigPos ctx_node_pos(Ctx *x, const yaml_node_t *n)
{
        return (ConfigPos){
                .file = x->file,
                .line = yaml_node_line(n),
                .column = yaml_node_column(n),
        };
}

/* Remembers name -> index (the first definition wins). The key is the definition's own copy of the
 * name, which does not move when the array of definitions grows. */
void ctx_name_add(Ctx *x, Hashmap **h, const char *name, size_t index)
{
        if (!name)
                return;
        if (!*h && hashmap_new(0, h) < 0) {
                x->oom = true;
                return;
        }
        if (hashmap_put(*h, name, (void *) (uintptr_t) (index + 1), NULL) < 0)
                x->oom = true;
}

ssize_t ctx_name_find(const Hashmap *h, const char *name)
{
        uintptr_t v = (uintptr_t) hashmap_get(h, name);
        return v ? (ssize_t) (v - 1) : -1;
}

const char *ctx_suggest(Ctx *x, const char *word, const void *names, size_t n, size_t stride)
{
        ssize_t i;

        if (!word || n == 0 || x->n_suggestions >= CONFIG_SUGGESTIONS_MAX)
                return NULL;
        x->n_suggestions++;
        i = suggest_index(word, names, n, stride, suggest_max_distance(word));
        return i >= 0 ? *(const char *const *) ((const char *) names + (size_t) i * stride) : NULL;
}
