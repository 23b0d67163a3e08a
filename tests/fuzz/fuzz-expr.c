/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes the derived-series expression parser and evaluator: any bytes must parse or fail with an
 * offset inside the input, and evaluation must never produce NaN or infinity. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/expr.h"
#include "labourwatch/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = NULL;
        Expr *e = NULL;
        ExprError err = {};
        int r;

        if (size > 2 * EXPR_LENGTH_MAX)
                return 0;
        s = strndup((const char *) data, size);
        if (!s)
                return 0;
        r = expr_parse(s, &e, &err);
        if (r < 0) {
                assert(r == -EINVAL || r == -ENOMEM);
                assert(r == -ENOMEM || err.offset <= strlen(s));
                assert(r == -ENOMEM || err.message[0] != 0);
                return 0;
        }
        /* evaluate with a few interesting bindings */
        static const double bindings[] = { 0, 1, -1, 1e300, -1e-300, 3.5 };
        size_t n = expr_n_vars(e);
        double *vars = calloc(n + 1, sizeof(double));
        assert(vars);
        for (size_t b = 0; b < ELEMENTSOF(bindings); b++) {
                double v;
                for (size_t i = 0; i < n; i++) {
                        vars[i] = bindings[(b + i) % ELEMENTSOF(bindings)];
                        assert(expr_var(e, i) && expr_var_offset(e, i) < strlen(s));
                }
                if (expr_eval(e, vars, &v))
                        assert(isfinite(v));
        }
        free(vars);
        expr_free(e);
        return 0;
}
