/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration loading cost: prints the CPU time of config_load() on generated configurations of
 * growing size, per kind of input that once cost quadratic time, and the ratio to the smallest size
 * (linear: about 10 per factor 10). With --near-cap, also a file just under CONFIG_NODES_MAX nodes,
 * to compare with the service's WatchdogSec=2min.
 *
 *     build/tests/bench-config [--near-cap] [N...]        (default N: 400 4000 40000)
 *
 * See tests/bench/README. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"
#include "../unit/config-gen.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

/* The best of three loads, in seconds of CPU; *ret_errors: errors reported by the last. */
static double measure(GenKind kind, size_t n, size_t *ret_errors, double *ret_mib)
{
        char dir[] = "/tmp/lw-bench-config-XXXXXX", main_path[4200];
        double best = 1e9;
        struct stat st;

        if (!mkdtemp(dir) || gen_config(dir, kind, n, main_path, sizeof main_path) < 0) {
                perror("generating the configuration");
                exit(1);
        }
        *ret_mib = stat(main_path, &st) == 0 ? (double) st.st_size / (1024.0 * 1024.0) : 0;
        for (int i = 0; i < 3; i++) {
                ConfigErrors errors = {};
                Config *c = NULL;
                double t0 = gen_cpu_seconds(), t;

                (void) config_load(main_path, &c, &errors);
                t = gen_cpu_seconds() - t0;
                best = MIN(best, t);
                *ret_errors = errors.n_items;
                config_free(c);
                config_errors_done(&errors);
        }
        (void) nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        return best;
}

int main(int argc, char **argv)
{
        size_t sizes[16] = {400, 4000, 40000}, n_sizes = 3;
        bool near_cap = false;
        int k = 0;

        for (int i = 1; i < argc; i++) {
                unsigned long long v;
                if (streq(argv[i], "--near-cap"))
                        near_cap = true;
                else if (safe_atou64(argv[i], &v) >= 0 && v > 0 && (size_t) k < ELEMENTSOF(sizes))
                        sizes[k++] = (size_t) v;
                else {
                        fprintf(stderr, "usage: %s [--near-cap] [N...]\n", argv[0]);
                        return 2;
                }
        }
        if (k > 0)
                n_sizes = (size_t) k;

        printf("%-15s %8s %8s %10s %9s %7s %8s\n", "input", "n", "MiB", "cpu s", "us/item", "ratio", "errors");
        for (int kind = 0; kind < _GEN_MAX; kind++) {
                double base = 0;
                for (size_t i = 0; i < n_sizes; i++) {
                        size_t errors = 0;
                        double mib = 0, t = measure(kind, sizes[i], &errors, &mib);
                        if (i == 0)
                                base = t;
                        printf("%-15s %8zu %8.2f %10.4f %9.2f %7.1f %8zu\n", gen_kind_names[kind], sizes[i], mib, t,
                               t * 1e6 / (double) sizes[i], base > 0 ? t / base : 0.0, errors);
                }
        }
        if (near_cap) {
                /* A series line is 8 nodes (key, mapping, 3 pairs): stay just under the node cap. */
                size_t n = CONFIG_NODES_MAX / 8 - 500, errors = 0;
                double mib = 0, t = measure(GEN_SERIES, n, &errors, &mib);
                printf("%-15s %8zu %8.2f %10.4f %9.2f %7s %8zu   (CONFIG_NODES_MAX %u; WatchdogSec=120 s)\n",
                       "near-cap", n, mib, t, t * 1e6 / (double) n, "-", errors, CONFIG_NODES_MAX);
        }
        return 0;
}
