/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config_load() costs time linear in its input (issue 9 §1): for each kind of input that once cost
 * quadratic time (many keys in one mapping, unknown keys, duplicate keys, goals naming undefined
 * series, many goals and references, chains of derived series), a configuration 100 times larger
 * must not take more than 300 times as long (linear: ~100; quadratic: ~10,000), and 10 times larger
 * not more than 30 times. CPU time, best of three, minus the cost of loading an empty
 * configuration; no wall-clock limit, so a busy machine does not make it fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"
#include "config-gen.h"

/* Under valgrind (packaging/test.sh) or a sanitizer everything is 10-50 times slower: measure at a
 * tenth of the sizes (the ratios are what is asserted) and leave out the million-node file. */
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

static double load_seconds(GenKind kind, size_t n)
{
        char dir[] = "/tmp/lw-test-scaling-XXXXXX", main_path[4200];
        double best = 1e9;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(gen_config(dir, kind, n, main_path, sizeof main_path), 0);
        for (int i = 0; i < 3; i++) {
                ConfigErrors errors = {};
                Config *c = NULL;
                double t0 = gen_cpu_seconds(), t;

                (void) config_load(main_path, &c, &errors);
                t = gen_cpu_seconds() - t0;
                best = MIN(best, t);
                /* every kind is either valid or reports errors, never both or neither */
                assert_true((c != NULL) == (errors.n_items == 0));
                assert_true(errors.n_items <= CONFIG_ERRORS_MAX + 1);
                config_free(c);
                config_errors_done(&errors);
        }
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        return best;
}

static void test_linear(void **state)
{
        size_t n = slow_mode() ? 20 : 400;
        double base = load_seconds(GEN_SERIES, 0);

        for (int kind = 0; kind < _GEN_MAX; kind++) {
                /* 1x is floored at 0.2 ms so that timer resolution cannot make the ratio explode */
                double t1 = MAX(load_seconds(kind, n) - base, 2e-4);
                double t10 = load_seconds(kind, 10 * n) - base;
                double t100 = load_seconds(kind, 100 * n) - base;

                print_message("%-15s %zu: %.4f s  %zu: %.4f s (x%.1f)  %zu: %.4f s (x%.1f)\n", gen_kind_names[kind], n,
                              t1, 10 * n, t10, t10 / t1, 100 * n, t100, t100 / t1);
                assert_true(t10 < 30 * t1);
                assert_true(t100 < 300 * t1);
        }
}

/* A file over the node cap is refused with a clear error, before it is built in memory. */
static void test_node_cap(void **state)
{
        char dir[] = "/tmp/lw-test-scaling-XXXXXX", main_path[4200];
        ConfigErrors errors = {};
        Config *c = NULL;

        if (slow_mode())
                skip();
        assert_non_null(mkdtemp(dir));
        assert_int_equal(gen_config(dir, GEN_UNKNOWN, CONFIG_NODES_MAX / 2 + 1, main_path, sizeof main_path), 0);
        assert_int_equal(config_load(main_path, &c, &errors), -EINVAL);
        assert_null(c);
        assert_int_equal(errors.n_items, 1);
        assert_non_null(strstr(errors.items[0].message, "more than 1000000 YAML nodes"));
        config_errors_done(&errors);
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Past CONFIG_ERRORS_MAX errors, the rest are counted in one last line. */
static void test_error_cap(void **state)
{
        char dir[] = "/tmp/lw-test-scaling-XXXXXX", main_path[4200];
        ConfigErrors errors = {};
        Config *c = NULL;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(gen_config(dir, GEN_UNKNOWN, CONFIG_ERRORS_MAX + 50, main_path, sizeof main_path), 0);
        assert_int_equal(config_load(main_path, &c, &errors), -EINVAL);
        assert_int_equal(errors.n_items, CONFIG_ERRORS_MAX + 1);
        assert_string_equal(errors.items[0].message,
                            "unknown key 'k0' in the main configuration, allowed keys: state_dir, language, "
                            "goals_dir, plan, municipality, templates_dir, metrics_file, evaluations_keep, status_from, probability_at_risk, probability_off_track, probability_recover, sources, series, "
                            "goals, recipients, notifiers, routes");
        assert_string_equal(errors.items[CONFIG_ERRORS_MAX].message,
                            "50 more errors not shown (at most 1000 are reported)");
        config_errors_done(&errors);
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_linear),
                cmocka_unit_test(test_node_cap),
                cmocka_unit_test(test_error_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
