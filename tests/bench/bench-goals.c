/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark (prints figures; not a test): evaluate 10,000 goals of every kind over 1,000 series of
 * 15 years of monthly data, and print goals per second and peak memory. The design goal is the whole
 * set in under 100 ms on one core.
 *
 *     bench-goals [N_GOALS [N_SERIES [ROUNDS]]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"

int main(int argc, char **argv);

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Deterministic pseudo-random numbers (xorshift), so runs are comparable. */
static uint64_t rng = 88172645463325252ull;
static double rnd(void)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (double) (rng >> 11) / (double) (1ull << 53);
}

int main(int argc, char **argv)
{
        size_t n_goals = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
        size_t n_series = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
        int rounds = argc > 3 ? atoi(argv[3]) : 5;
        SeriesSet *set = NULL;
        char (*names)[24] = calloc(n_series, sizeof(*names));
        GoalDef *goals = calloc(n_goals, sizeof(GoalDef));
        const Series *(*resolved)[_GOAL_ROLE_MAX] = calloc(n_goals, sizeof(*resolved));
        GoalSeriesMeta meta[_GOAL_ROLE_MAX];
        GoalResult r = {};
        Date date = { 2024, 7, 15 };
        double t0, best_lookup = INFINITY, best_resolved = INFINITY, best_text = INFINITY;
        unsigned status_count[_GOAL_STATUS_MAX] = {};

        if (!names || !goals || !resolved || series_set_new(&set) < 0)
                return 1;
        for (size_t k = 0; k < ELEMENTSOF(meta); k++)
                meta[k] = (GoalSeriesMeta){ .publication_lag = 3, .unit_da = "personer", .unit_en = "persons" };

        /* 15 years of monthly data, 2009M07..2024M06: level + trend + season + noise, a few gaps. */
        t0 = now_ms();
        for (size_t i = 0; i < n_series; i++) {
                Series *s = NULL;
                double level = 50 + 1000 * rnd(), trend = rnd() - 0.5, season = 0.1 * rnd();
                snprintf(names[i], sizeof(names[i]), "s%04zu", i);
                if (series_new(names[i], &s) < 0)
                        return 1;
                Period p = { PERIOD_MONTH, 2009, 7 };
                for (int k = 0; k < 180; k++, p = period_add(p, 1)) {
                        SeriesPoint pt = { .period = p };
                        pt.value = level + trend * k + level * season * sin(p.sub * 0.5236) + 5 * rnd();
                        pt.missing = rnd() < 0.01;
                        if (series_put(s, pt) < 0)
                                return 1;
                }
                if (series_set_add(set, s) < 0)
                        return 1;
        }
        printf("built %zu series x 180 months in %.1f ms\n", n_series, now_ms() - t0);

        for (size_t i = 0; i < n_goals; i++) {
                GoalDef *g = &goals[i];
                g->id = strdup_printf("goal-%05zu", i);
                g->title_da = g->title_en = g->id;
                g->kind = (GoalKind) (i % _GOAL_KIND_MAX);
                g->series = names[(i * 7) % n_series];
                g->numerator = names[(i * 7) % n_series];
                g->denominator = names[(i * 13 + 1) % n_series];
                g->reference = names[(i * 13 + 1) % n_series];
                g->period = (Period){ PERIOD_YEAR, 2024, 0 };
                g->baseline = (Period){ PERIOD_YEAR, 2023, 0 };
                g->aggregate = (GoalAggregate) (i / _GOAL_KIND_MAX % _GOAL_AGGREGATE_MAX);
                g->direction = (GoalDirection) (i % 2);
                g->change_unit = CHANGE_PERCENT;
                g->target = g->kind == GOAL_RANK ? 10 : g->kind == GOAL_SHARE ? 50 : g->kind == GOAL_CHANGE ? 0 : 500;
                g->tolerance = 5;
                g->projection = (ProjectionMethod) (i % _PROJECTION_METHOD_MAX);
                g->status_from = GOAL_STATUS_FROM_PROBABILITY; /* as a configuration's goals by default */
                g->trend_window = 6;
                for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                        const char *name = goal_role_series(g, role);
                        resolved[i][role] = name ? series_set_find(set, name) : NULL;
                }
        }

        for (int round = 0; round < rounds; round++) {
                t0 = now_ms();
                for (size_t i = 0; i < n_goals; i++)
                        if (goal_evaluate_meta(&goals[i], meta, set, date, &r) < 0)
                                return 1;
                best_lookup = MIN(best_lookup, now_ms() - t0);

                t0 = now_ms();
                for (size_t i = 0; i < n_goals; i++) {
                        if (goal_evaluate_series(&goals[i], meta, resolved[i], date, &r) < 0)
                                return 1;
                        if (round == 0)
                                status_count[r.status]++;
                }
                best_resolved = MIN(best_resolved, now_ms() - t0);

                /* and the words, as evaluate_goals() adds them (text.c, both languages) */
                t0 = now_ms();
                for (size_t i = 0; i < n_goals; i++) {
                        if (goal_evaluate_series(&goals[i], meta, resolved[i], date, &r) < 0)
                                return 1;
                        text_fill_input(&goals[i], &(TextInput){ .meta = meta }, &r);
                }
                best_text = MIN(best_text, now_ms() - t0);
        }

        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%zu goals over %zu series, best of %d rounds:\n", n_goals, n_series, rounds);
        printf("  with series lookup by name: %8.1f ms  %10.0f goals/s\n", best_lookup, n_goals / best_lookup * 1e3);
        printf("  series resolved beforehand (no lookup at all): %8.1f ms  %10.0f goals/s\n", best_resolved,
               n_goals / best_resolved * 1e3);
        printf("  resolved, with the explanations in Danish and English (text_fill):         %8.1f ms  %10.0f goals/s\n",
               best_text, n_goals / best_text * 1e3);
        printf("  peak memory (ru_maxrss): %ld KiB\n", ru.ru_maxrss);
        printf("  statuses:");
        for (int s = 0; s < _GOAL_STATUS_MAX; s++)
                printf(" %s=%u", goal_status_to_string(s), status_count[s]);
        printf("\n  design goal: < 100 ms for the whole set: %s (resolved), %s (lookup by name)\n",
               best_resolved < 100 ? "met" : "NOT met", best_lookup < 100 ? "met" : "NOT met");

        goal_result_done(&r);
        for (size_t i = 0; i < n_goals; i++)
                free(goals[i].id);
        free(goals);
        free(resolved);
        free(names);
        series_set_free(set);
        return 0;
}
