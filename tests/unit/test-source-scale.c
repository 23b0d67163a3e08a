/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Provider parsing cost grows roughly linearly with the input (issue 9 §1): for each shape in
 * source-scale.h, the CPU time at 100x a realistic size is compared with the time at 10x. Linear
 * work gives a ratio near 10, n log n a little more; a lookup inside a loop over the same collection
 * gives ~100. The bound (40) is a ratio, not a wall-clock limit, so a slow or busy machine does not
 * fail it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-scale.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define RATIO_MAX 40.0

static void test_scale(void **state)
{
        const ScaleCase *c = *state;
        size_t bytes10, bytes100, pts10, pts100;
        int r10, r100;
        double t10, t100, ratio;

        /* under valgrind (packaging/test.sh) 1x and 10x: the same ratio, fifty times slower */
        size_t lo = RUNNING_ON_VALGRIND ? 1 : 10, hi = lo * 10;

        t10 = scale_measure(c, c->base * lo, &bytes10, &pts10, &r10);
        t100 = scale_measure(c, c->base * hi, &bytes100, &pts100, &r100);
        assert_int_equal(r10, 0);
        assert_int_equal(r100, 0);
        /* the generated inputs really are parsed: every period (or the one) is there */
        if (c->step == SCALE_DATA && c->base > 0 && c->gen != gen_jsonstat_dims) {
                assert_int_equal(pts10, c->base * lo);
                assert_int_equal(pts100, c->base * hi);
        } else {
                assert_int_equal(pts10, 1);
                assert_int_equal(pts100, 1);
        }
        ratio = t100 / (t10 > 1e-9 ? t10 : 1e-9);
        print_message("%-30s %3zux: %8zu bytes %.5f s   %3zux: %9zu bytes %.5f s   ratio %.1f\n", c->name,
                      lo, bytes10, t10, hi, bytes100, t100, ratio);
        assert_true(ratio < RATIO_MAX);
}

int main(void)
{
        struct CMUnitTest tests[ELEMENTSOF(scale_cases)];

        for (size_t i = 0; i < ELEMENTSOF(scale_cases); i++)
                tests[i] = (struct CMUnitTest){ .name = scale_cases[i].name,
                                                .test_func = test_scale,
                                                .initial_state = (void *) &scale_cases[i] };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
