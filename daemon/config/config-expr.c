/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Derived series at load time (issue 9 §3): every `expr:` is parsed (expr.c, pure), every series it
 * names must exist, no series may depend on itself, and derived series may not nest deeper than the
 * evaluation allows; each error with the FILE:LINE:COL of the expression. The dependency graph is
 * walked once, iteratively (no recursion, whatever the chain length), with each series' depth
 * memoized: linear in the number of series and references. */
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "labourwatch/expr.h"
#include "labourwatch/macro.h"

typedef struct Node {
        Expr *expr;     /* derived series only; NULL when it did not parse */
        size_t *deps;   /* indexes of the derived series it names */
        size_t n_deps;
        size_t *offsets; /* byte offset in the expression of each dependency */
        unsigned state; /* 0 unvisited, 1 on the stack, 2 done */
        size_t depth;   /* derived series on the longest chain from here, itself included */
        size_t stack_pos;
} Node;

/* "series 'NAME': message" at the expression's position plus offset (as series_derive() reports). */
static void expr_error(Ctx *x, const SeriesDef *s, size_t offset, const char *message)
{
        ctx_error_at(x, s->expr_pos.file, s->expr_pos.line, s->expr_pos.column + (unsigned) offset, "series '%s': %s",
                     s->name, message);
}

/* Parses the expression of series i and resolves its names. */
static void node_parse(Ctx *x, Node *nodes, size_t i)
{
        const SeriesDef *s = &x->c->series[i];
        Node *n = &nodes[i];
        ExprError err = {};
        size_t nv;
        int r;

        r = expr_parse(s->expr, &n->expr, &err);
        if (r == -ENOMEM) {
                x->oom = true;
                return;
        }
        if (r < 0) {
                expr_error(x, s, err.offset, err.message);
                return;
        }
        /* An expression naming no series (a constant) parses, but has no periods: series_derive()
         * refuses it, and with it the evaluation of every goal. Refused here, where it can be fixed. */
        nv = expr_n_vars(n->expr);
        if (nv == 0) {
                expr_error(x, s, 0, "expression names no series: a derived series needs at least one input");
                return;
        }
        n->deps = xmalloc_array(nv, sizeof(size_t));
        n->offsets = xmalloc_array(nv, sizeof(size_t));
        if (!n->deps || !n->offsets) {
                x->oom = true;
                return;
        }
        for (size_t v = 0; v < nv; v++) {
                const SeriesDef *d = config_find_series(x->c, expr_var(n->expr, v));

                if (!d) {
                        const char *name = expr_var(n->expr, v);
                        const char *hint = CTX_SUGGEST(x, name, x->c->series, x->c->n_series);
                        unsigned col = s->expr_pos.column + (unsigned) expr_var_offset(n->expr, v);

                        if (hint)
                                ctx_error_at(x, s->expr_pos.file, s->expr_pos.line, col,
                                             "undefined series '%s' (did you mean '%s'?)", name, hint);
                        else
                                ctx_error_at(x, s->expr_pos.file, s->expr_pos.line, col, "undefined series '%s'", name);
                        continue;
                }
                if (d->expr) {
                        n->deps[n->n_deps] = (size_t) (d - x->c->series);
                        n->offsets[n->n_deps++] = expr_var_offset(n->expr, v);
                }
        }
}

/* "a -> b -> c -> a" for the cycle stack[from..top] closed by an edge back to stack[from]; long
 * cycles are shortened in the middle, so that the text (and its cost) stays bounded. */
static char *cycle_text(const Config *c, const size_t *stack, size_t from, size_t top)
{
        size_t n = top - from + 1, len = 64;
        char *s, *p;

        for (size_t k = 0; k < n; k++)
                if (k < 4 || k + 4 >= n)
                        len += strlen(c->series[stack[from + k]].name) + 4;
        s = malloc(len + 32);
        if (!s)
                return NULL;
        p = s;
        for (size_t k = 0; k < n; k++) {
                if (k >= 4 && k + 4 < n) {
                        if (k == 4)
                                p += sprintf(p, "(%zu more) -> ", n - 8);
                        continue;
                }
                p = stpcpy(stpcpy(p, c->series[stack[from + k]].name), " -> ");
        }
        stpcpy(p, c->series[stack[from]].name);
        return s;
}

/* Depth-first from root: cycles reported once per closing edge, depths memoized. */
static void walk_from(Ctx *x, Node *nodes, size_t root, size_t *stack, size_t *next)
{
        const Config *c = x->c;
        size_t top = 0;

        stack[0] = root;
        next[0] = 0;
        nodes[root].state = 1;
        nodes[root].stack_pos = 0;
        for (;;) {
                size_t i = stack[top];
                Node *n = &nodes[i];

                if (next[top] < n->n_deps) {
                        size_t k = next[top]++, j = n->deps[k];

                        if (nodes[j].state == 1) {
                                _cleanup_free_ char *chain = cycle_text(c, stack, nodes[j].stack_pos, top),
                                                    *msg = chain ? strdup_printf("expression depends on itself: %s", chain)
                                                                 : NULL;
                                if (!msg) {
                                        x->oom = true;
                                        return;
                                }
                                expr_error(x, &c->series[i], n->offsets[k], msg);
                        } else if (nodes[j].state == 0) {
                                top++;
                                stack[top] = j;
                                next[top] = 0;
                                nodes[j].state = 1;
                                nodes[j].stack_pos = top;
                        } else
                                n->depth = MAX(n->depth, nodes[j].depth);
                        continue;
                }
                n->depth += 1; /* itself */
                n->state = 2;
                if (top == 0)
                        return;
                top--;
                nodes[stack[top]].depth = MAX(nodes[stack[top]].depth, n->depth);
        }
}

void config_check_exprs(Ctx *x)
{
        const Config *c = x->c;
        _cleanup_free_ Node *nodes = NULL;
        _cleanup_free_ size_t *stack = NULL, *next = NULL;

        if (c->n_series == 0)
                return;
        nodes = calloc(c->n_series, sizeof(Node));
        stack = xmalloc_array(c->n_series, sizeof(size_t));
        next = xmalloc_array(c->n_series, sizeof(size_t));
        if (!nodes || !stack || !next) {
                x->oom = true;
                return;
        }
        for (size_t i = 0; i < c->n_series && !x->oom; i++)
                if (c->series[i].expr)
                        node_parse(x, nodes, i);
        for (size_t i = 0; i < c->n_series && !x->oom; i++)
                if (c->series[i].expr && nodes[i].state == 0)
                        walk_from(x, nodes, i, stack, next);
        /* One error where a chain crosses the limit, not one per series above it. */
        for (size_t i = 0; i < c->n_series && !x->oom; i++)
                if (nodes[i].depth == CONFIG_DERIVED_DEPTH_MAX + 1)
                        ctx_error_at(x, c->series[i].expr_pos.file, c->series[i].expr_pos.line, c->series[i].expr_pos.column,
                                     "series '%s': derived series nested more than %u deep (it depends on a chain of %u "
                                     "derived series)",
                                     c->series[i].name, CONFIG_DERIVED_DEPTH_MAX, CONFIG_DERIVED_DEPTH_MAX);
        for (size_t i = 0; i < c->n_series; i++) {
                expr_free(nodes[i].expr);
                free(nodes[i].deps);
                free(nodes[i].offsets);
        }
}
