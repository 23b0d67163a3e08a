/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How the providers' parse cost grows with hostile or careless input sizes (issue 9 §1): for each
 * shape in tests/unit/source-scale.h, CPU seconds per parse at 1x, 10x and 100x a realistic size, and
 * the 100x/10x ratio (linear: ~10; quadratic: ~100). test-source-scale asserts the ratio; this prints
 * the figures:
 *
 *     bench-scale [FACTOR...]       default factors 1 10 100
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/source-scale.h"

int main(int argc, char **argv);

int main(int argc, char **argv)
{
        size_t factors[8] = { 1, 10, 100 }, n_factors = 3;

        if (argc > 1) {
                n_factors = 0;
                for (int i = 1; i < argc && n_factors < ELEMENTSOF(factors); i++)
                        factors[n_factors++] = (size_t) strtoul(argv[i], NULL, 10);
        }
        for (size_t i = 0; i < ELEMENTSOF(scale_cases); i++) {
                const ScaleCase *c = &scale_cases[i];
                double prev = 0;
                printf("%s:\n", c->name);
                for (size_t f = 0; f < n_factors; f++) {
                        size_t bytes, points;
                        int r;
                        double t = scale_measure(c, c->base * factors[f], &bytes, &points, &r);
                        if (r < 0) {
                                printf("  %4zux n=%-8zu FAILED (%d)\n", factors[f], c->base * factors[f], r);
                                return 1;
                        }
                        printf("  %4zux n=%-8zu bytes=%-10zu seconds=%.6f mb_per_s=%.1f", factors[f],
                               c->base * factors[f], bytes, t, (double) bytes / 1e6 / t);
                        if (f > 0 && prev > 0)
                                printf(" ratio=%.1f (size x%.0f)", t / prev,
                                       (double) factors[f] / (double) factors[f - 1]);
                        printf("\n");
                        prev = t;
                }
        }
        return 0;
}
