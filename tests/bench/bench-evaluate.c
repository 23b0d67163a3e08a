/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark (prints figures; not a test): evaluate_build_series + evaluate_goals over generated
 * configurations of N, 10N and 100N goals (tests/unit/config-gen.h: "goals", one source series per
 * goal; "chains", derived series in chains of 50), and reading a `labourwatch test` file with N, 10N,
 * 100N input_series. CPU time, best of three, and the ratio to the smallest size: linear is ~10 per
 * factor 10. tests/unit/test-evaluate-scaling.c asserts the ratios at 200/2,000/20,000.
 *
 *     bench-evaluate [N]        (default 200; 100N goals must stay under the configuration's node cap) */
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
#include "../unit/config-gen.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int load(void *userdata, const char *name, Series **ret, char **ret_error)
{
        const SeriesDef *d = config_find_series(userdata, name);
        Series *s = NULL;
        int r = series_new(name, &s);

        for (int m = 0; r >= 0 && d && d->source && m < 24; m++)
                r = series_put(s, (SeriesPoint){ .period = { PERIOD_MONTH, 2022 + m / 12, 1 + m % 12 }, .value = 100 + m });
        if (r < 0) {
                series_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static double evaluate_seconds(GenKind kind, size_t n)
{
        char dir[] = "/tmp/lw-bench-evaluate-XXXXXX", main_path[4200];
        ConfigErrors errors = {};
        Config *c = NULL;
        double best = 1e9;

        if (!mkdtemp(dir) || gen_config(dir, kind, n, main_path, sizeof main_path) < 0 ||
            config_load(main_path, &c, &errors) < 0) {
                fprintf(stderr, "cannot generate or load %zu %s\n", n, gen_kind_names[kind]);
                exit(1);
        }
        for (int i = 0; i < 3; i++) {
                SeriesSet *set = NULL;
                GoalResult *results = NULL;
                size_t n_results = 0;
                char *error = NULL;
                double t0 = gen_cpu_seconds();

                if (evaluate_build_series(c, load, c, &set, &error) < 0 ||
                    evaluate_goals(c, set, (Date){ 2024, 7, 15 }, &results, &n_results, &error) < 0) {
                        fprintf(stderr, "evaluation failed: %s\n", strna(error));
                        exit(1);
                }
                best = MIN(best, gen_cpu_seconds() - t0);
                goal_results_free(results, n_results);
                series_set_free(set);
        }
        config_free(c);
        config_errors_done(&errors);
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        return best;
}

static double test_file_seconds(size_t n)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        double best = 1e9;

        if (!f)
                exit(1);
        fputs("config: labourwatch.yaml\ninput_series:\n", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  s%zu: {2024M01: %zu}\n", i, i % 1000);
        fputs("tests:\n  - {date: 2024-07-15, goal: g0, expect: {status: on_track}}\n", f);
        fclose(f);
        for (int i = 0; i < 3; i++) {
                GoalTestFile *gt = NULL;
                double t0 = gen_cpu_seconds();

                if (goal_test_file_read("bench.yaml", buf, size, NULL, NULL, &gt) < 0 || gt->inputs->n_items != n) {
                        fprintf(stderr, "cannot read the generated test file\n");
                        exit(1);
                }
                best = MIN(best, gen_cpu_seconds() - t0);
                goal_test_file_free(gt);
        }
        free(buf);
        return best;
}

int main(int argc, char **argv)
{
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
        const GenKind kinds[] = { GEN_GOALS, GEN_CHAIN };

        /* freed memory stays in the heap: the rounds measure the code, not page faults */
        (void) mallopt(M_MMAP_THRESHOLD, 256 << 20);
        (void) mallopt(M_TRIM_THRESHOLD, 512 << 20);
        printf("%-28s %8s %10s %9s %7s\n", "input", "n", "cpu s", "us/goal", "ratio");
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                double t1 = 0;
                for (size_t m = 1; m <= 100; m *= 10) {
                        double t = evaluate_seconds(kinds[k], m * n);
                        if (m == 1)
                                t1 = MAX(t, 1e-6);
                        printf("evaluate %-19s %8zu %10.4f %9.2f %7.1f\n", gen_kind_names[kinds[k]], m * n, t,
                               t / (double) (m * n) * 1e6, t / t1);
                }
        }
        {
                double t1 = 0;
                for (size_t m = 1; m <= 100; m *= 10) {
                        double t = test_file_seconds(m * n);
                        if (m == 1)
                                t1 = MAX(t, 1e-6);
                        printf("test file input_series     %8zu %10.4f %9.2f %7.1f\n", m * n, t,
                               t / (double) (m * n) * 1e6, t / t1);
                }
        }
        return 0;
}
