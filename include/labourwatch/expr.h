/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Expressions for derived series: `100 * matched / orders`, `a + b`, `(x - y) / 2`.
 *
 * Grammar (whitespace between tokens is ignored):
 *     expr    := term (('+' | '-') term)*
 *     term    := unary (('*' | '/') unary)*
 *     unary   := ('-' | '+') unary | primary
 *     primary := NUMBER | NAME | '(' expr ')'
 *     NUMBER  := digits ['.' digits] [('e'|'E') ['+'|'-'] digits]     (C locale, '.' decimal point)
 *     NAME    := [A-Za-z_][A-Za-z0-9_]*                               (a series name)
 *
 * Evaluation is period by period: a period yields a value only when every referenced series has a
 * (non-missing) value for it; division by zero, or any non-finite intermediate, yields "no value"
 * for that period. No value is ever NaN or infinite.
 *
 * Pure: no I/O, no clock, no globals, no logging. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/series.h"

#define EXPR_LENGTH_MAX 4096u /* longer expressions are rejected */
#define EXPR_DEPTH_MAX 64u    /* nesting of parentheses and unary signs */

typedef struct Expr Expr;

typedef struct ExprError {
        size_t offset;      /* 0-based byte offset of the problem inside the expression */
        char message[160];  /* e.g. "expected ')' to close '('" */
} ExprError;

/* Parses s. Returns 0 and *ret (caller owns; expr_free), or -EINVAL and fills *ret_error (may be
 * NULL), or -ENOMEM. */
int expr_parse(const char *s, Expr **ret, ExprError *ret_error);
Expr *expr_free(Expr *e);

/* The distinct series names referenced, in order of first appearance. Valid while e lives. */
size_t expr_n_vars(const Expr *e);
const char *expr_var(const Expr *e, size_t i);
size_t expr_var_offset(const Expr *e, size_t i); /* byte offset of the first reference */

/* Evaluates with vars[i] the value of expr_var(e, i). Returns true and *ret (finite), or false when
 * the expression has no value (division by zero, overflow to infinity, NaN input). */
bool expr_eval(const Expr *e, const double *vars, double *ret);

/* Computes a derived series from def->expr over the series in set. The result has the name def->name
 * and one point per period present in any referenced series; a point is `missing` when some input is
 * absent or missing for that period or the expression has no value there. All referenced series must
 * have the same frequency.
 *
 * Returns 0 and *ret (caller owns), -EINVAL with *ret_error = "FILE:LINE:COL: message" (caller owns;
 * COL = def->expr_pos.column + offset inside the expression) for a syntax error, an unknown series or
 * mixed frequencies, or -ENOMEM. */
int series_derive(const SeriesDef *def, const SeriesSet *set, Series **ret, char **ret_error);

/* Formats an expression error for def as "FILE:LINE:COL: message". Caller owns the result (NULL on
 * OOM). */
char *expr_error_to_string(const SeriesDef *def, const ExprError *e);

static inline void expr_freep(Expr **e)
{
        expr_free(*e);
}
