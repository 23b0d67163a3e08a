/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Evaluation costs time linear in the number of goals and series (issue 9 §1): building the
 * SeriesSet the goals need (evaluate_build_series: every goal's series looked up and added, derived
 * series resolved through their expressions), evaluating every goal against it (evaluate_goals), and
 * reading a `labourwatch test` file's input_series (goal_test_file_read). Each once scanned the set
 * per series (goals x series). A 100 times larger input must not take more than 300 times as long
 * (linear: ~100; quadratic: ~10,000; evaluation 500, see below), 10 times larger not more than 30 times. CPU time, best of
 * three; no wall-clock limit, so a busy machine does not make it fail. The configurations come from
 * config-gen.h (the config scaling test's generators); loading them is not timed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labourwatch/config.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/goal-test.h"
#include "labourwatch/macro.h"
#include "config-gen.h"

/* Under valgrind (packaging/test.sh stage 3) or a sanitizer everything is 10-50 times slower: a
 * tenth of the sizes (the ratios are what is asserted). */
static bool slow_mode(void)
{
#if defined(__SANITIZE_ADDRESS__)
        return true;
#else
        const char *p = getenv("LD_PRELOAD");

        return p && strstr(p, "vgpreload");
#endif
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

/* The store's part: 24 monthly figures for a series read from a source, none for a derived one (so
 * that evaluate_build_series computes it from its expression). */
static int load(void *userdata, const char *name, Series **ret, char **ret_error)
{
        const Config *c = userdata;
        const SeriesDef *d = config_find_series(c, name);
        _cleanup_(series_freep) Series *s = NULL;
        int r;

        r = series_new(name, &s);
        if (r < 0)
                return r;
        for (int m = 0; d && d->source && m < 24; m++) {
                SeriesPoint p = { .period = { .freq = PERIOD_MONTH, .year = 2022 + m / 12, .sub = 1 + m % 12 },
                                  .value = 100 + m };
                r = series_put(s, p);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

static double evaluate_seconds(GenKind kind, size_t n)
{
        char dir[] = "/tmp/lw-test-evscaling-XXXXXX", main_path[4200];
        ConfigErrors errors = {};
        Config *c = NULL;
        double best = 1e9;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(gen_config(dir, kind, n, main_path, sizeof main_path), 0);
        assert_int_equal(config_load(main_path, &c, &errors), 0);
        assert_int_equal(c->n_goals, n);
        for (int i = 0; i < 3; i++) {
                SeriesSet *set = NULL;
                GoalResult *results = NULL;
                size_t n_results = 0, n_with_value = 0;
                char *error = NULL;
                double t0 = gen_cpu_seconds(), t;

                assert_int_equal(evaluate_build_series(c, load, c, &set, &error), 0);
                assert_int_equal(evaluate_goals(c, set, (Date){ 2024, 7, 15 }, &results, &n_results, &error), 0);
                t = gen_cpu_seconds() - t0;
                best = MIN(best, t);
                assert_null(error);
                /* every goal's series is there (derived ones computed), and every goal saw figures */
                assert_int_equal(n_results, n);
                assert_int_equal(set->n_items, n);
                for (size_t k = 0; k < n; k++) {
                        char name[32];
                        snprintf(name, sizeof name, "s%zu", k);
                        assert_non_null(series_set_find(set, name));
                        n_with_value += results[k].has_latest;
                }
                assert_int_equal(n_with_value, n);
                goal_results_free(results, n_results);
                series_set_free(set);
        }
        config_free(c);
        config_errors_done(&errors);
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        return best;
}

static void test_evaluate_linear(void **state)
{
        size_t n = slow_mode() ? 20 : 200;
        const GenKind kinds[] = { GEN_GOALS, GEN_CHAIN };

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                /* 1x is floored at 0.2 ms so that timer resolution cannot make the ratio explode */
                double t1 = MAX(evaluate_seconds(kinds[k], n), 2e-4);
                double t10 = evaluate_seconds(kinds[k], 10 * n);
                double t100 = evaluate_seconds(kinds[k], 100 * n);

                print_message("evaluate %-8s %zu: %.4f s  %zu: %.4f s (x%.1f)  %zu: %.4f s (x%.1f)\n",
                              gen_kind_names[kinds[k]], n, t1, 10 * n, t10, t10 / t1, 100 * n, t100, t100 / t1);
                /* 20,000 goals' configuration, series and results do not fit in the caches the 200 fit in:
                 * linear code measures ~x200 here, the quadratic lookups it replaced ~x7,000. */
                assert_true(t10 < 30 * t1);
                assert_true(t100 < 500 * t1);
        }
}

static void no_error(void *userdata, const char *file, unsigned line, unsigned column, const char *message)
{
        fail_msg("%s:%u:%u: %s", file, line, column, message);
}

/* A goal test file with n input_series of one figure each (so that the set, not the YAML, is what
 * grows) and one test. */
static double test_file_seconds(size_t n)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        double best = 1e9;

        assert_non_null(f);
        fputs("config: labourwatch.yaml\ninput_series:\n", f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "  s%zu: {2024M01: %zu}\n", i, i % 1000);
        }
        fputs("tests:\n  - {date: 2024-07-15, goal: g0, expect: {status: on_track}}\n", f);
        assert_int_equal(fclose(f), 0);

        for (int i = 0; i < 3; i++) {
                GoalTestFile *gt = NULL;
                double t0 = gen_cpu_seconds(), t;

                assert_int_equal(goal_test_file_read("scaling.yaml", buf, size, no_error, NULL, &gt), 0);
                t = gen_cpu_seconds() - t0;
                best = MIN(best, t);
                assert_int_equal(gt->inputs->n_items, n);
                assert_int_equal(series_set_find(gt->inputs, "s0")->n_points, 1);
                assert_non_null(series_set_find(gt->inputs, "s0"));
                {
                        char last[32];
                        snprintf(last, sizeof last, "s%zu", n - 1);
                        assert_non_null(series_set_find(gt->inputs, last));
                }
                assert_null(series_set_find(gt->inputs, "nothere"));
                assert_int_equal(gt->n_tests, 1);
                assert_true(gt->tests[0].valid);
                goal_test_file_free(gt);
        }
        free(buf);
        return best;
}

static void test_goal_test_file_linear(void **state)
{
        size_t n = slow_mode() ? 20 : 200;
        double t1 = MAX(test_file_seconds(n), 2e-4);
        double t10 = test_file_seconds(10 * n);
        double t100 = test_file_seconds(100 * n);

        print_message("test file input_series %zu: %.4f s  %zu: %.4f s (x%.1f)  %zu: %.4f s (x%.1f)\n", n, t1, 10 * n,
                      t10, t10 / t1, 100 * n, t100, t100 / t1);
        assert_true(t10 < 30 * t1);
        assert_true(t100 < 300 * t1);
}

/* Replacing a series of the same name keeps one entry, found by its name, and frees the old one (the
 * index's key pointed into the old series' name: valgrind and ASan would see a stale key). */
static void test_set_replace(void **state)
{
        _cleanup_(series_set_freep) SeriesSet *set = NULL;
        char name[32];

        assert_int_equal(series_set_new(&set), 0);
        for (int round = 0; round < 3; round++)
                for (size_t i = 0; i < 1000; i++) {
                        Series *s = NULL;
                        snprintf(name, sizeof name, "s%zu", i);
                        assert_int_equal(series_new(name, &s), 0);
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = { .freq = PERIOD_YEAR, .year = 2000 },
                                                                     .value = round }),
                                         0);
                        assert_int_equal(series_set_add(set, s), 0);
                        assert_ptr_equal(series_set_find(set, name), s);
                }
        assert_int_equal(set->n_items, 1000);
        for (size_t i = 0; i < 1000; i++) {
                const Series *s;
                snprintf(name, sizeof name, "s%zu", i);
                s = series_set_find(set, name);
                assert_non_null(s);
                assert_string_equal(s->name, name);
                assert_true(s->points[0].value == 2);
                assert_ptr_equal(set->items[i], s); /* insertion order kept */
        }
        assert_null(series_set_find(set, "s1000"));
        assert_null(series_set_find(set, ""));
        assert_null(series_set_find(NULL, "s0"));
}

int main(void)
{
        /* The results of 20,000 goals are 56 MB: glibc would map them fresh (and the kernel zero them)
         * in every round, while 200 goals' come from the heap. Keep freed memory in the heap, so the
         * best of three rounds measures the code, not page faults. */
        (void) mallopt(M_MMAP_THRESHOLD, 256 << 20);
        (void) mallopt(M_TRIM_THRESHOLD, 512 << 20);

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_replace),
                cmocka_unit_test(test_evaluate_linear),
                cmocka_unit_test(test_goal_test_file_linear),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
