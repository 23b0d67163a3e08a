/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Generators of large configurations, for the scaling test (test-config-scaling.c) and the
 * benchmark (tests/bench/bench-config.c): each writes DIR/main.yaml (and DIR/goals.d/) holding n
 * of one kind of thing that once cost quadratic time. */

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

typedef enum GenKind {
        GEN_SERIES,    /* n series in one mapping: duplicate-key check, names, source references */
        GEN_UNKNOWN,   /* n unknown top-level keys: n errors (capped), the allowed-keys message */
        GEN_DUPLICATE, /* n keys of which every second repeats an earlier one */
        GEN_UNDEFINED, /* n goals in a goal file naming undefined series */
        GEN_GOALS,     /* n valid goals over n series, every goal referencing a recipient */
        GEN_CHAIN,     /* n derived series, in chains of 50 (expressions resolved at load) */
        GEN_LONG_CHAIN, /* one chain of n derived series: one error where it passes the depth limit */
        _GEN_MAX,
} GenKind;

static const char *const gen_kind_names[_GEN_MAX] = {
        [GEN_SERIES] = "series",       [GEN_UNKNOWN] = "unknown-keys", [GEN_DUPLICATE] = "duplicate-keys",
        [GEN_UNDEFINED] = "undefined", [GEN_GOALS] = "goals",          [GEN_CHAIN] = "chains",
        [GEN_LONG_CHAIN] = "long-chain",
};

#define GEN_BASE                                                                                             \
        "sources:\n"                                                                                         \
        "  f:\n"                                                                                             \
        "    kind: csv\n"                                                                                    \
        "    base_url: /srv/x.csv\n"                                                                         \
        "recipients:\n"                                                                                      \
        "  chef:\n"                                                                                          \
        "    email: chef@example.org\n"

/* Writes the configuration; returns 0 or -errno. path_main receives DIR/main.yaml. */
static inline int gen_config(const char *dir, GenKind kind, size_t n, char *path_main, size_t size)
{
        char goals[4096];
        FILE *f, *g = NULL;

        snprintf(path_main, size, "%s/main.yaml", dir);
        snprintf(goals, sizeof goals, "%s/goals.d", dir);
        if (mkdir(goals, 0755) < 0 && errno != EEXIST)
                return -errno;
        f = fopen(path_main, "we");
        if (!f)
                return -errno;
        switch (kind) {
        case GEN_SERIES:
                fputs(GEN_BASE "series:\n", f);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "  s%zu: {source: f, column: c%zu, frequency: month}\n", i, i);
                break;
        case GEN_UNKNOWN:
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "k%zu: 1\n", i);
                break;
        case GEN_DUPLICATE:
                fputs(GEN_BASE "series:\n", f);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "  s%zu: {source: f, column: c, frequency: month}\n", i % 2 ? i - 1 : i);
                break;
        case GEN_UNDEFINED:
        case GEN_GOALS:
        case GEN_CHAIN:
        case GEN_LONG_CHAIN:
                fputs(GEN_BASE "series:\n", f);
                if (kind != GEN_UNDEFINED)
                        for (size_t i = 0; i < n; i++) {
                                if (kind == GEN_GOALS || (kind == GEN_CHAIN ? i % 50 == 0 : i == 0))
                                        fprintf(f, "  s%zu: {source: f, column: c%zu, frequency: month}\n", i, i);
                                else
                                        fprintf(f, "  s%zu: {expr: s%zu + 1, frequency: month}\n", i, i - 1);
                        }
                snprintf(goals, sizeof goals, "%s/goals.d/goals.yaml", dir);
                g = fopen(goals, "we");
                if (!g) {
                        fclose(f);
                        return -errno;
                }
                fputs("goals:\n", g);
                for (size_t i = 0; i < n; i++)
                        fprintf(g, "  - {id: g%zu, kind: level, series: %s%zu, period: 2024, target: 1%s}\n", i,
                                kind == GEN_UNDEFINED ? "nothere" : "s", i,
                                kind == GEN_GOALS ? ", recipients: chef" : "");
                break;
        default:
                break;
        }
        if (g && fclose(g) != 0) {
                fclose(f);
                return -EIO;
        }
        return fclose(f) == 0 ? 0 : -EIO;
}

static inline double gen_cpu_seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
