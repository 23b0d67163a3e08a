/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark (prints figures; not a test): how well the goal engine warns, on synthetic goal-years
 * shaped like Danish benefit series (issue 17 §6). Each goal-year is a monthly series with a level,
 * a within-year season, a slow drift, AR(1) noise and now and then a lasting level shift; three
 * years of history before the goal year; a target set so that about half the goals end met. The
 * goal year is revealed one month at a time through the engine the daemon uses
 * (goal_evaluate_series), and three ways of judging are compared:
 *
 *   ytd          the year-to-date aggregate against target and tolerance
 *   band         the engine with status_from: projection (the point projection and the tolerance)
 *   probability  the engine with status_from: probability (thresholds 0.8 / 0.2)
 *   +hysteresis  the same as the alert state sees it: off track is left only at probability_recover
 *   oracle       the chance given the generator's true hidden state (see oracle()): the bound
 *
 * Two generators: "training" (the shape the method was developed on) and "held-out" (another seed
 * and somewhat different shape parameters: more volatile, stronger and more frequent shifts, other
 * seasons). The targets of issue 17 apply to the held-out figures.
 *
 *     bench-calibration [N_GOAL_YEARS]        (default 600 per generator) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labourwatch/goal.h"
#include "labourwatch/macro.h"

int main(int argc, char **argv);

#define HISTORY_YEARS 3
#define N_MONTHS (12 * (HISTORY_YEARS + 1))
#define GOAL_YEAR 2024
#define FIRST_YEAR (GOAL_YEAR - HISTORY_YEARS)
#define JUNE 6

typedef struct Shape {
        const char *name;
        uint64_t seed;
        double level_lo, level_hi;     /* log-uniform */
        double season_lo, season_hi;   /* amplitude, relative to the level */
        double slope_sd;               /* initial drift per month, relative */
        double slope_walk_sd;          /* drift's own random walk per month, relative */
        double phi_lo, phi_hi;         /* AR(1) coefficient of the noise */
        double noise_lo, noise_hi;     /* innovation sd, relative */
        double shift_per_month;        /* chance of a lasting level shift in a month */
        double shift_lo, shift_hi;     /* its size, relative, either sign */
        double target_sd;              /* target around the oracle's expectation at Jan 1, relative */
        double change_share;           /* share of change goals (percent against last year) */
        double revision_sd;            /* the latest month first published off by this, relative (0: none) */
} Shape;

static const Shape shapes[] = {
        { "training", 0x5eed0001, 300, 20000, 0.02, 0.10, 0.004, 0.0005, 0.3, 0.8, 0.005, 0.020,
          1.0 / 72, 0.03, 0.10, 0.030, 0.25, 0 },
        { "held-out", 0xbadc0ffee, 150, 40000, 0.01, 0.14, 0.005, 0.0008, 0.2, 0.9, 0.004, 0.025,
          1.0 / 48, 0.02, 0.15, 0.035, 0.35, 0.003 },
};

/* splitmix64: deterministic, seeded, the same on every machine; `rng` draws the goal-years, the
 * oracle's simulations draw from their own stream so that the goal-years stay the same */
static uint64_t rng, rng_oracle, *stream = &rng;
static double rnd(void)
{
        uint64_t z = (*stream += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return ((double) (z >> 11) + 0.5) / (double) (1ull << 53);
}
static double uni(double lo, double hi)
{
        return lo + (hi - lo) * rnd();
}
static double gauss(void)
{
        return sqrt(-2 * log(rnd())) * cos(2 * M_PI * rnd());
}

typedef struct GoalYear {
        /* the generator's hidden state after each month, for the oracle */
        double L, season[12], walk, phi, sd;
        double level[N_MONTHS], slope[N_MONTHS], u[N_MONTHS];
        double base; /* the year before's average, final */
        double y[N_MONTHS];     /* final figures */
        double first[N_MONTHS]; /* as first published (revised the month after) */
        GoalDef g;
        bool met;
        double final;
} GoalYear;

static void generate(const Shape *sh, GoalYear *gy)
{
        double L = exp(uni(log(sh->level_lo), log(sh->level_hi)));
        double amp = uni(sh->season_lo, sh->season_hi), peak = uni(0, 3), harm2 = uni(-0.3, 0.3);
        double slope = sh->slope_sd * gauss(), walk = sh->slope_walk_sd;
        double phi = uni(sh->phi_lo, sh->phi_hi), sd = uni(sh->noise_lo, sh->noise_hi);
        double u = sd / sqrt(1 - phi * phi) * gauss(), level = 1, oracle[12];
        double season[12];

        for (int j = 0; j < 12; j++)
                season[j] = amp * (cos(2 * M_PI * (j - peak) / 12) + harm2 * cos(4 * M_PI * (j - peak) / 12));
        for (int t = 0; t < N_MONTHS; t++) {
                if (t == N_MONTHS - 12) {
                        /* what an oracle expects on 1 January: the level and drift then, no news */
                        for (int j = 0; j < 12; j++)
                                oracle[j] = L * (level + slope * (j + 1) + season[j]);
                }
                slope += walk * gauss();
                level += slope;
                if (rnd() < sh->shift_per_month)
                        level += (rnd() < 0.5 ? -1 : 1) * uni(sh->shift_lo, sh->shift_hi);
                u = phi * u + sd * gauss();
                gy->y[t] = MAX(1.0, round(L * (level + season[t % 12] + u)));
                gy->level[t] = level, gy->slope[t] = slope, gy->u[t] = u;
                gy->first[t] = sh->revision_sd > 0 ? MAX(1.0, round(gy->y[t] * (1 + sh->revision_sd * gauss())))
                                                    : gy->y[t];
        }

        GoalDef *g = &gy->g;
        double mean = 0, base = 0;
        gy->L = L, gy->walk = walk, gy->phi = phi, gy->sd = sd;
        memcpy(gy->season, season, sizeof season);
        for (int j = 0; j < 12; j++) {
                mean += oracle[j] / 12;
                base += gy->y[N_MONTHS - 24 + j] / 12;
        }
        *g = (GoalDef){ .id = (char *) "g", .kind = GOAL_LEVEL, .series = (char *) "s",
                        .direction = rnd() < 0.7 ? GOAL_AT_MOST : GOAL_AT_LEAST,
                        .aggregate = GOAL_AGGREGATE_AVERAGE, .projection = PROJECTION_AUTO, .trend_window = 6,
                        .period = { PERIOD_YEAR, GOAL_YEAR, 0 } };
        gy->base = base;
        double target = mean * (1 + sh->target_sd * gauss());
        if (rnd() < sh->change_share) {
                g->kind = GOAL_CHANGE;
                g->change_unit = CHANGE_PERCENT;
                g->baseline = (Period){ PERIOD_YEAR, GOAL_YEAR - 1, 0 };
                g->target = round(100 * (target - base) / base * 10) / 10;
                g->tolerance = 1;
        } else {
                g->target = round(target);
                g->tolerance = MAX(1.0, round(0.015 * target));
        }
}

/* The series as known at the start of month `visible_month + 1` of the goal year: every month is
 * final except the latest, which is as first published. */
static int build_series(const GoalYear *gy, int visible_month, Series **ret)
{
        Series *s = NULL;
        int last = N_MONTHS - 12 + visible_month - 1;

        if (series_new("s", &s) < 0)
                return -ENOMEM;
        Period p = { PERIOD_MONTH, FIRST_YEAR, 1 };
        for (int t = 0; t < N_MONTHS; t++, p = period_add(p, 1))
                if (series_put(s, (SeriesPoint){ .period = p, .value = t == last ? gy->first[t] : gy->y[t] }) < 0)
                        return -ENOMEM;
        *ret = s;
        return 0;
}

/* The oracle: the chance of meeting the target given the generator's true hidden state after
 * month m (level, drift, noise) and its true parameters, by simulating the rest of the year. No
 * method that sees only the figures can do better; its figures bound what the targets can ask. */
#define ORACLE_PATHS 400
static double oracle(const Shape *sh, const GoalYear *gy, int m)
{
        int t0 = N_MONTHS - 12 + m - 1, met = 0;

        stream = &rng_oracle;
        for (int k = 0; k < ORACLE_PATHS; k++) {
                double level = gy->level[t0], slope = gy->slope[t0], u = gy->u[t0], sum = 0;
                for (int t = N_MONTHS - 12; t <= t0; t++)
                        sum += gy->y[t];
                for (int t = t0 + 1; t < N_MONTHS; t++) {
                        slope += gy->walk * gauss();
                        level += slope;
                        if (rnd() < sh->shift_per_month)
                                level += (rnd() < 0.5 ? -1 : 1) * uni(sh->shift_lo, sh->shift_hi);
                        u = gy->phi * u + gy->sd * gauss();
                        sum += MAX(1.0, round(gy->L * (level + gy->season[t % 12] + u)));
                }
                double v = sum / 12;
                if (gy->g.kind == GOAL_CHANGE)
                        v = 100 * (v - gy->base) / fabs(gy->base);
                met += gy->g.direction == GOAL_AT_MOST ? v <= gy->g.target + 1e-9 : v >= gy->g.target - 1e-9;
        }
        stream = &rng;
        return (double) met / ORACLE_PATHS;
}

enum { M_YTD, M_BAND, M_PROB, M_HELD, M_ORACLE, _M_MAX };
static const char *const method_names[_M_MAX] = { "ytd", "band", "probability", "+hysteresis", "oracle" };

#define N_BANDS 10
typedef struct Score {
        int goals, missed, met;
        int missed_off_june, met_ever_off, met_off_two;
        int changes;
        int *leads; /* per missed goal, months */
        int n_leads;
        /* the distribution (the engine's, identical for band and probability) */
        int n_prob;
        double brier, brier_june;
        int n_june;
        int band_n[N_BANDS];
        double band_p[N_BANDS], band_o[N_BANDS];
        int covered, n_interval, covered_june;
        int covered_m[12], n_m[12];
        double brier_m[12];
        double cpu;
        long evals;
} Score;

static double cpu_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static GoalStatus judge_ytd(const GoalDef *g, double v)
{
        double m = g->direction == GOAL_AT_MOST ? g->target - v : v - g->target;
        return m >= g->tolerance ? GOAL_STATUS_ON_TRACK : m >= -g->tolerance ? GOAL_STATUS_AT_RISK : GOAL_STATUS_OFF_TRACK;
}

static int cmp_int(const void *a, const void *b)
{
        return *(const int *) a - *(const int *) b;
}

static int run(const Shape *sh, int n, Score sc[_M_MAX])
{
        GoalYear gy;
        GoalResult r = {};
        int met_total = 0;

        rng = sh->seed;
        rng_oracle = sh->seed ^ 0x0dac1e5eedull;
        for (int k = 0; k < _M_MAX; k++) {
                sc[k] = (Score){};
                sc[k].leads = calloc((size_t) n, sizeof(int));
                if (!sc[k].leads)
                        return -ENOMEM;
        }
        for (int i = 0; i < n; i++) {
                GoalStatus st[_M_MAX][13];
                double prob[13], lo[13], hi[13], po[13];
                bool has_prob[13];
                Series *s = NULL;

                generate(sh, &gy);

                /* the outcome: the engine's final verdict with every month in */
                if (build_series(&gy, 13, &s) < 0)
                        return -ENOMEM;
                if (goal_evaluate_series(&gy.g, NULL, (const Series *[_GOAL_ROLE_MAX]){ s }, (Date){ GOAL_YEAR + 1, 1, 15 },
                                         &r) < 0)
                        return -EINVAL;
                series_free(s);
                if (r.status != GOAL_STATUS_ACHIEVED && r.status != GOAL_STATUS_MISSED)
                        return -EINVAL;
                gy.met = r.status == GOAL_STATUS_ACHIEVED;
                gy.final = r.value;
                met_total += gy.met;

                for (int m = 1; m <= 11; m++) {
                        Date d = { GOAL_YEAR, m + 1, 15 };
                        if (build_series(&gy, m, &s) < 0)
                                return -ENOMEM;
                        const Series *ser[_GOAL_ROLE_MAX] = { s };
                        for (int k = M_BAND; k <= M_PROB; k++) {
                                GoalDef g = gy.g;
                                g.status_from = k == M_PROB ? GOAL_STATUS_FROM_PROBABILITY : GOAL_STATUS_FROM_PROJECTION;
                                double t0 = cpu_now();
                                if (goal_evaluate_series(&g, NULL, ser, d, &r) < 0)
                                        return -EINVAL;
                                sc[k].cpu += cpu_now() - t0;
                                sc[k].evals++;
                                st[k][m] = r.status;
                                if (k == M_BAND)
                                        st[M_YTD][m] = r.has_value ? judge_ytd(&g, r.value) : GOAL_STATUS_NO_DATA;
                                has_prob[m] = r.has_probability;
                                prob[m] = r.probability;
                                lo[m] = r.projected_low;
                                hi[m] = r.projected_high;
                        }
                        series_free(s);
                }
                /* what the alert state sees: off track is left only at probability_recover */
                double recover = goal_probability_recover(&gy.g);
                for (int m = 1; m <= 11; m++) {
                        po[m] = oracle(sh, &gy, m);
                        st[M_ORACLE][m] = po[m] >= 0.8 ? GOAL_STATUS_ON_TRACK : po[m] >= 0.2 ? GOAL_STATUS_AT_RISK : GOAL_STATUS_OFF_TRACK;
                }
                for (int m = 1; m <= 11; m++)
                        st[M_HELD][m] = m > 1 && st[M_HELD][m - 1] == GOAL_STATUS_OFF_TRACK && has_prob[m] &&
                                                        prob[m] < recover
                                                ? GOAL_STATUS_OFF_TRACK
                                                : st[M_PROB][m];

                for (int k = 0; k < _M_MAX; k++) {
                        Score *c = &sc[k];
                        c->goals++;
                        for (int m = 2; m <= 11; m++)
                                c->changes += st[k][m] != st[k][m - 1];
                        if (gy.met) {
                                bool ever = false, two = false;
                                c->met++;
                                for (int m = 1; m <= 11; m++) {
                                        ever = ever || st[k][m] == GOAL_STATUS_OFF_TRACK;
                                        two = two || (m > 1 && st[k][m] == GOAL_STATUS_OFF_TRACK &&
                                                      st[k][m - 1] == GOAL_STATUS_OFF_TRACK);
                                }
                                c->met_ever_off += ever;
                                c->met_off_two += two;
                        } else {
                                int first = 12;
                                c->missed++;
                                c->missed_off_june += st[k][JUNE] == GOAL_STATUS_OFF_TRACK;
                                for (int m = 11; m >= 1 && st[k][m] == GOAL_STATUS_OFF_TRACK; m--)
                                        first = m;
                                /* lead: months from the evaluation with data through month `first`
                                 * to the end of the year */
                                c->leads[c->n_leads++] = 12 - first;
                        }
                        if (k != M_PROB && k != M_ORACLE)
                                continue;
                        for (int m = 1; m <= 11; m++) {
                                if (!has_prob[m])
                                        continue;
                                double pm = k == M_ORACLE ? po[m] : prob[m];
                                double o = gy.met ? 1 : 0, e2 = (pm - o) * (pm - o);
                                int b = MIN(N_BANDS - 1, (int) (pm * N_BANDS));
                                bool in = k == M_PROB && gy.final >= lo[m] && gy.final <= hi[m];
                                c->n_prob++;
                                c->brier += e2;
                                c->band_n[b]++;
                                c->band_p[b] += pm;
                                c->band_o[b] += o;
                                c->n_interval++;
                                c->covered += in;
                                c->covered_m[m] += in;
                                c->n_m[m]++;
                                c->brier_m[m] += e2;
                                if (m == JUNE) {
                                        c->n_june++;
                                        c->brier_june += e2;
                                        c->covered_june += in;
                                }
                        }
                }
        }
        goal_result_done(&r);
        return met_total;
}

static double pct(int a, int b)
{
        return b > 0 ? 100.0 * a / b : NAN;
}

static double median(int *v, int n)
{
        if (n == 0)
                return NAN;
        qsort(v, (size_t) n, sizeof(int), cmp_int);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void print(const Shape *sh, int n, int met, Score sc[_M_MAX])
{
        printf("\n== %s generator: %d goal-years (%d met, %d missed), %d years of history, revealed month by "
               "month ==\n",
               sh->name, n, met, n - met, HISTORY_YEARS);
        printf("%-44s %10s %10s %12s %12s   target\n", "", method_names[0], method_names[1], method_names[2],
               method_names[3]);
#define ROW(label, fmt, expr, target)                                                                      \
        do {                                                                                               \
                printf("%-44s", label);                                                                    \
                for (int k = 0; k < _M_MAX; k++) {                                                         \
                        Score *c = &sc[k];                                                                 \
                        printf(k >= M_PROB ? " %12" fmt : " %10" fmt, (expr));                             \
                }                                                                                          \
                printf("   %s\n", target);                                                                 \
        } while (0)
        ROW("missed goals off_track at end of June, %", ".1f", pct(c->missed_off_june, c->missed), ">= 85");
        ROW("median lead of the off_track that stays, mo", ".1f", median(c->leads, c->n_leads), ">= 6");
        ROW("met goals ever off_track, %", ".1f", pct(c->met_ever_off, c->met), "<= 20");
        ROW("met goals off_track 2 months in a row, %", ".1f", pct(c->met_off_two, c->met), "<= 12");
        ROW("status changes per goal-year", ".2f", (double) c->changes / c->goals, "");
#undef ROW
        Score *p = &sc[M_PROB], *q = &sc[M_ORACLE];
        printf("%-44s %10s %10s %12.4f %12s %12.4f   <= 0.10\n", "Brier score (all open months)", "-", "-",
               p->brier / p->n_prob, "", q->brier / q->n_prob);
        printf("%-44s %10s %10s %12.4f %12s %12.4f\n", "Brier score (end of June)", "-", "-", p->brier_june / p->n_june,
               "", q->brier_june / q->n_june);
        printf("%-44s %10s %10s %12.1f   75-85\n", "80 % interval coverage, %", "-", "-", pct(p->covered, p->n_interval));
        printf("%-44s %10s %10s %12.1f\n", "80 % interval coverage at end of June, %", "-", "-",
               pct(p->covered_june, p->n_june));
        printf("%-44s %10s %10.2f %12.2f\n", "engine CPU per evaluation, us", "-", 1e6 * sc[M_BAND].cpu / sc[M_BAND].evals,
               1e6 * p->cpu / p->evals);
        printf("by month of data (1-11): 80 %% coverage, %%, then Brier\n ");
        for (int m = 1; m <= 11; m++)
                printf(" %5.1f", pct(p->covered_m[m], p->n_m[m]));
        printf("\n ");
        for (int m = 1; m <= 11; m++)
                printf(" %5.3f", p->n_m[m] ? p->brier_m[m] / p->n_m[m] : NAN);
        printf("\n");
        printf("calibration (probability method, every open month):\n");
        printf("  %-10s %8s %10s %10s %8s\n", "band", "n", "predicted", "observed", "diff");
        for (int b = 0; b < N_BANDS; b++) {
                if (p->band_n[b] == 0) {
                        printf("  %.1f-%.1f %9d %10s %10s\n", b / 10.0, (b + 1) / 10.0, 0, "-", "-");
                        continue;
                }
                double pr = 100 * p->band_p[b] / p->band_n[b], ob = 100 * p->band_o[b] / p->band_n[b];
                printf("  %.1f-%.1f %9d %9.1f%% %9.1f%% %+7.1f%s\n", b / 10.0, (b + 1) / 10.0, p->band_n[b], pr, ob, ob - pr,
                       fabs(ob - pr) > 10 ? "  (more than 10 points)" : "");
        }
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 600;
        Score sc[_M_MAX];

        if (n < 1)
                return 2;
        printf("bench-calibration: ytd = year-to-date aggregate vs target +- tolerance; band = status_from: projection;\n"
               "probability = status_from: probability (0.8 / 0.2); +hysteresis = as the alert state sees it (off\n"
               "track left only at probability_recover, 0.35); oracle = the chance given the generator's hidden\n"
               "state, by simulation (no method that sees only the figures does better). Tolerance: 1.5 %% of a\n"
               "level target, 1 point for a change in %%. Lead: months between the evaluation with data through\n"
               "month m and the end of the year (data through June: 6).\n");
        for (size_t i = 0; i < ELEMENTSOF(shapes); i++) {
                int met = run(&shapes[i], n, sc);
                if (met < 0) {
                        fprintf(stderr, "bench-calibration: evaluation failed: %s\n", strerror(-met));
                        return 1;
                }
                print(&shapes[i], n, met, sc);
                for (int k = 0; k < _M_MAX; k++)
                        free(sc[k].leads);
        }
        return 0;
}
