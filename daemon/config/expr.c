/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Derived-series expressions: a recursive-descent parser compiling to a small stack program, and a
 * period-by-period evaluator. Pure: no I/O, no logging. */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>

#include "labourwatch/expr.h"
#include "labourwatch/macro.h"

typedef enum OpKind {
        OP_CONST,
        OP_VAR,
        OP_ADD,
        OP_SUB,
        OP_MUL,
        OP_DIV,
        OP_NEG,
} OpKind;

typedef struct Op {
        OpKind kind;
        double value; /* OP_CONST */
        size_t var;   /* OP_VAR */
} Op;

struct Expr {
        Op *ops;
        size_t n_ops, n_ops_alloc;
        char **vars;
        size_t *var_offsets;
        size_t n_vars, n_vars_alloc, n_offsets_alloc;
        size_t stack_max; /* stack depth the program needs */
};

typedef struct Parser {
        const char *s;
        size_t pos;
        unsigned depth;
        Expr *e;
        size_t stack, stack_max;
        ExprError *error;
        int r; /* first error: -EINVAL or -ENOMEM */
} Parser;

_printf_(3, 4) static int fail(Parser *p, size_t offset, const char *fmt, ...)
{
        va_list ap;

        if (p->r < 0)
                return p->r;
        p->r = -EINVAL;
        if (p->error) {
                p->error->offset = offset;
                va_start(ap, fmt);
                vsnprintf(p->error->message, sizeof(p->error->message), fmt, ap);
                va_end(ap);
        }
        return p->r;
}

static void skip_space(Parser *p)
{
        while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r')
                p->pos++;
}

static int emit(Parser *p, Op op)
{
        if (GREEDY_REALLOC(p->e->ops, p->e->n_ops_alloc, p->e->n_ops + 1) < 0)
                return (p->r = -ENOMEM);
        p->e->ops[p->e->n_ops++] = op;
        /* constants and variables push one value; binary operators pop two and push one */
        if (op.kind == OP_CONST || op.kind == OP_VAR) {
                p->stack++;
                p->stack_max = MAX(p->stack_max, p->stack);
        } else if (op.kind != OP_NEG)
                p->stack--;
        return 0;
}

static int add_var(Parser *p, const char *name, size_t len, size_t offset, size_t *ret)
{
        Expr *e = p->e;

        for (size_t i = 0; i < e->n_vars; i++)
                if (strlen(e->vars[i]) == len && strneq(e->vars[i], name, len)) {
                        *ret = i;
                        return 0;
                }
        if (GREEDY_REALLOC(e->vars, e->n_vars_alloc, e->n_vars + 1) < 0 ||
            GREEDY_REALLOC(e->var_offsets, e->n_offsets_alloc, e->n_vars + 1) < 0)
                return (p->r = -ENOMEM);
        e->vars[e->n_vars] = strndup(name, len);
        if (!e->vars[e->n_vars])
                return (p->r = -ENOMEM);
        e->var_offsets[e->n_vars] = offset;
        *ret = e->n_vars++;
        return 0;
}

static int parse_expr(Parser *p);

static int parse_number(Parser *p)
{
        const char *s = p->s;
        size_t start = p->pos, i = p->pos;
        char buf[64];
        double v;

        while (isdigit((unsigned char) s[i]))
                i++;
        if (s[i] == '.') {
                i++;
                if (!isdigit((unsigned char) s[i]))
                        return fail(p, i, "expected a digit after the decimal point");
                while (isdigit((unsigned char) s[i]))
                        i++;
        }
        if (s[i] == 'e' || s[i] == 'E') {
                i++;
                if (s[i] == '+' || s[i] == '-')
                        i++;
                if (!isdigit((unsigned char) s[i]))
                        return fail(p, i, "expected digits in the exponent");
                while (isdigit((unsigned char) s[i]))
                        i++;
        }
        if (isalpha((unsigned char) s[i]) || s[i] == '_')
                return fail(p, i, "unexpected '%c' after a number", s[i]);
        if (i - start >= sizeof(buf))
                return fail(p, start, "number too long");
        memcpy(buf, s + start, i - start);
        buf[i - start] = 0;
        if (safe_atod(buf, &v) < 0 || !isfinite(v))
                return fail(p, start, "number '%s' out of range", buf);
        p->pos = i;
        return emit(p, (Op){ .kind = OP_CONST, .value = v });
}

static int parse_primary(Parser *p)
{
        const char *s = p->s;
        size_t start;
        int r;

        skip_space(p);
        start = p->pos;
        if (isdigit((unsigned char) s[start]) || (s[start] == '.' && isdigit((unsigned char) s[start + 1])))
                return parse_number(p);
        if (isalpha((unsigned char) s[start]) || s[start] == '_') {
                size_t i = start, var;
                while (isalnum((unsigned char) s[i]) || s[i] == '_')
                        i++;
                r = add_var(p, s + start, i - start, start, &var);
                if (r < 0)
                        return r;
                p->pos = i;
                return emit(p, (Op){ .kind = OP_VAR, .var = var });
        }
        if (s[start] == '(') {
                if (++p->depth > EXPR_DEPTH_MAX)
                        return fail(p, start, "expression nested too deeply");
                p->pos++;
                r = parse_expr(p);
                if (r < 0)
                        return r;
                skip_space(p);
                if (s[p->pos] != ')')
                        return fail(p, p->pos, "expected ')'");
                p->pos++;
                p->depth--;
                return 0;
        }
        if (s[start] == 0)
                return fail(p, start, "unexpected end of expression, expected a number, a series name or '('");
        if (isprint((unsigned char) s[start]))
                return fail(p, start, "unexpected '%c', expected a number, a series name or '('", s[start]);
        return fail(p, start, "unexpected byte 0x%02x, expected a number, a series name or '('",
                    (unsigned char) s[start]);
}

static int parse_unary(Parser *p)
{
        int r;

        skip_space(p);
        if (p->s[p->pos] == '-' || p->s[p->pos] == '+') {
                bool neg = p->s[p->pos] == '-';
                if (++p->depth > EXPR_DEPTH_MAX)
                        return fail(p, p->pos, "expression nested too deeply");
                p->pos++;
                r = parse_unary(p);
                if (r < 0)
                        return r;
                p->depth--;
                return neg ? emit(p, (Op){ .kind = OP_NEG }) : 0;
        }
        return parse_primary(p);
}

static int parse_term(Parser *p)
{
        int r = parse_unary(p);

        while (r >= 0) {
                skip_space(p);
                char c = p->s[p->pos];
                if (c != '*' && c != '/')
                        break;
                p->pos++;
                r = parse_unary(p);
                if (r >= 0)
                        r = emit(p, (Op){ .kind = c == '*' ? OP_MUL : OP_DIV });
        }
        return r;
}

static int parse_expr(Parser *p)
{
        int r = parse_term(p);

        while (r >= 0) {
                skip_space(p);
                char c = p->s[p->pos];
                if (c != '+' && c != '-')
                        break;
                p->pos++;
                r = parse_term(p);
                if (r >= 0)
                        r = emit(p, (Op){ .kind = c == '+' ? OP_ADD : OP_SUB });
        }
        return r;
}

Expr *expr_free(Expr *e)
{
        if (!e)
                return NULL;
        for (size_t i = 0; i < e->n_vars; i++)
                free(e->vars[i]);
        free(e->vars);
        free(e->var_offsets);
        free(e->ops);
        free(e);
        return NULL;
}

int expr_parse(const char *s, Expr **ret, ExprError *ret_error)
{
        Parser p = { .s = s, .error = ret_error };
        int r;

        if (!s)
                s = p.s = "";
        if (strlen(s) > EXPR_LENGTH_MAX)
                return fail(&p, EXPR_LENGTH_MAX, "expression longer than %u characters", EXPR_LENGTH_MAX);

        p.e = calloc(1, sizeof(Expr));
        if (!p.e)
                return -ENOMEM;
        r = parse_expr(&p);
        if (r >= 0) {
                skip_space(&p);
                if (s[p.pos] == ')')
                        r = fail(&p, p.pos, "unmatched ')'");
                else if (s[p.pos] != 0)
                        r = fail(&p, p.pos, "unexpected '%c' after a complete expression, expected an operator",
                                 isprint((unsigned char) s[p.pos]) ? s[p.pos] : '?');
        }
        if (r < 0) {
                expr_free(p.e);
                return r;
        }
        p.e->stack_max = p.stack_max;
        *ret = p.e;
        return 0;
}

size_t expr_n_vars(const Expr *e)
{
        return e->n_vars;
}

const char *expr_var(const Expr *e, size_t i)
{
        return i < e->n_vars ? e->vars[i] : NULL;
}

size_t expr_var_offset(const Expr *e, size_t i)
{
        return i < e->n_vars ? e->var_offsets[i] : 0;
}

bool expr_eval(const Expr *e, const double *vars, double *ret)
{
        /* The parser bounds the nesting, but not the length of flat chains like a+b+c; use the stack
         * on the stack for the common case and the heap otherwise. */
        double small[32], *st = small;
        _cleanup_free_ double *big = NULL;
        size_t sp = 0;

        if (e->stack_max > ELEMENTSOF(small)) {
                big = xmalloc_array(e->stack_max, sizeof(double));
                if (!big)
                        return false;
                st = big;
        }
        for (size_t i = 0; i < e->n_ops; i++) {
                const Op *op = &e->ops[i];
                double a, b;
                switch (op->kind) {
                case OP_CONST:
                        st[sp++] = op->value;
                        continue;
                case OP_VAR:
                        if (!isfinite(vars[op->var]))
                                return false;
                        st[sp++] = vars[op->var];
                        continue;
                case OP_NEG:
                        st[sp - 1] = -st[sp - 1];
                        continue;
                default:
                        break;
                }
                b = st[--sp];
                a = st[sp - 1];
                switch (op->kind) {
                case OP_ADD:
                        a += b;
                        break;
                case OP_SUB:
                        a -= b;
                        break;
                case OP_MUL:
                        a *= b;
                        break;
                case OP_DIV:
                        if (b == 0)
                                return false;
                        a /= b;
                        break;
                default:
                        return false;
                }
                if (!isfinite(a))
                        return false;
                st[sp - 1] = a;
        }
        if (sp != 1 || !isfinite(st[0]))
                return false;
        *ret = st[0] == 0 ? 0 : st[0]; /* no negative zero */
        return true;
}

char *expr_error_to_string(const SeriesDef *def, const ExprError *e)
{
        return strdup_printf("%s:%u:%zu: series '%s': %s", strna(def->expr_pos.file), def->expr_pos.line,
                             (size_t) def->expr_pos.column + e->offset, strna(def->name), e->message);
}

/* Position in s->points of the first point with period index >= idx. */
static size_t seek(const Series *s, int64_t idx)
{
        size_t lo = 0, hi = s->n_points;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (period_index(s->points[mid].period) < idx)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

int series_derive(const SeriesDef *def, const SeriesSet *set, Series **ret, char **ret_error)
{
        _cleanup_(expr_freep) Expr *e = NULL;
        _cleanup_(series_freep) Series *out = NULL;
        _cleanup_free_ const Series **in = NULL;
        _cleanup_free_ double *vals = NULL;
        PeriodFreq freq = _PERIOD_FREQ_INVALID;
        size_t freq_var = 0;
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        ExprError err = {};
        int r;

        assert(def);
        r = expr_parse(def->expr, &e, &err);
        if (r == -EINVAL) {
                if (ret_error)
                        *ret_error = expr_error_to_string(def, &err);
                return r;
        }
        if (r < 0)
                return r;
        if (expr_n_vars(e) == 0) {
                if (ret_error) {
                        err = (ExprError){ .offset = 0 };
                        snprintf(err.message, sizeof(err.message),
                                 "the expression refers to no series, so it has no periods");
                        *ret_error = expr_error_to_string(def, &err);
                }
                return -EINVAL;
        }

        in = xmalloc_array(expr_n_vars(e), sizeof(Series *));
        vals = xmalloc_array(expr_n_vars(e), sizeof(double));
        if (!in || !vals)
                return -ENOMEM;
        for (size_t i = 0; i < expr_n_vars(e); i++) {
                in[i] = series_set_find(set, expr_var(e, i));
                if (!in[i]) {
                        if (ret_error) {
                                err = (ExprError){ .offset = expr_var_offset(e, i) };
                                snprintf(err.message, sizeof(err.message), "unknown series '%s'",
                                         expr_var(e, i));
                                *ret_error = expr_error_to_string(def, &err);
                        }
                        return -EINVAL;
                }
                if (in[i]->n_points == 0)
                        continue;
                if (freq == _PERIOD_FREQ_INVALID) {
                        freq = in[i]->freq;
                        freq_var = i;
                } else if (in[i]->freq != freq) {
                        if (ret_error) {
                                err = (ExprError){ .offset = expr_var_offset(e, i) };
                                snprintf(err.message, sizeof(err.message),
                                         "series '%s' has %s periods but '%s' has %s periods",
                                         expr_var(e, i), period_freq_to_string(in[i]->freq),
                                         expr_var(e, freq_var), period_freq_to_string(freq));
                                *ret_error = expr_error_to_string(def, &err);
                        }
                        return -EINVAL;
                }
                lo = MIN(lo, period_index(in[i]->points[0].period));
                hi = MAX(hi, period_index(in[i]->points[in[i]->n_points - 1].period));
        }

        r = series_new(def->name, &out);
        if (r < 0)
                return r;

        /* Walk the union of periods in order. Each input keeps a cursor, so this is linear in the
         * total number of points even over long histories with gaps. */
        _cleanup_free_ size_t *cur = calloc(expr_n_vars(e), sizeof(size_t));
        if (!cur)
                return -ENOMEM;
        for (int64_t idx = lo; freq != _PERIOD_FREQ_INVALID && idx <= hi;) {
                bool any = false, all = true;
                int64_t next = INT64_MAX;
                for (size_t i = 0; i < expr_n_vars(e); i++) {
                        const Series *s = in[i];
                        if (cur[i] < s->n_points && period_index(s->points[cur[i]].period) < idx)
                                cur[i] = seek(s, idx);
                        if (cur[i] < s->n_points && period_index(s->points[cur[i]].period) == idx) {
                                const SeriesPoint *pt = &s->points[cur[i]];
                                any = true;
                                if (pt->missing)
                                        all = false;
                                vals[i] = pt->value;
                                if (cur[i] + 1 < s->n_points)
                                        next = MIN(next, period_index(s->points[cur[i] + 1].period));
                        } else {
                                all = false;
                                if (cur[i] < s->n_points)
                                        next = MIN(next, period_index(s->points[cur[i]].period));
                        }
                }
                if (any) {
                        SeriesPoint pt = { .period = period_from_index(freq, idx), .missing = true };
                        if (all && expr_eval(e, vals, &pt.value))
                                pt.missing = false;
                        else
                                pt.value = 0;
                        r = series_put(out, pt);
                        if (r < 0)
                                return r;
                }
                idx = next == INT64_MAX || next <= idx ? idx + 1 : next;
                if (next == INT64_MAX)
                        break;
        }
        *ret = TAKE_PTR(out);
        return 0;
}
