/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-alerting [GOALS [RECIPIENTS]]: one alerting cycle (issue 8 §8: "one cycle with 1,000 goals and
 * 100 recipients"), through alerting_run(), the function the manager calls after evaluating.
 *
 * A configuration is written to a temporary state directory and loaded: GOALS goals (default 1000,
 * ids g000…), RECIPIENTS recipients (default 100, in groups of 10), one SMTP notifier and one
 * webhook. Routes, for each group k of 10 recipients (goals split into as many slices):
 *   goals ['gK*']   -> 5 recipients of the group, mail   (each gets the slice, ~100 goals)
 *   goals ['gK0*']  -> the other 5, mail                  (each gets ~10 goals)
 * and one route of every goal to the webhook (one notice with every event).
 * Every goal's result is off track, so every goal fires in the first cycle. A second cycle with the
 * same results (no new data) must enqueue nothing.
 *
 * Prints, per cycle: wall and CPU seconds, notices built and enqueued, payload bytes written; and
 * the peak resident memory (getrusage). Exits 1 if the second cycle enqueued anything.
 * Prints figures; not a test. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "labourwatch/alerting.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"

static double wall_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int write_config(const char *path, const char *dir, unsigned n_goals, unsigned n_recipients)
{
        FILE *f = fopen(path, "we");
        unsigned n_groups = (n_recipients + 9) / 10;

        if (!f)
                return -1;
        fprintf(f, "state_dir: %s\n"
                   "sources:\n"
                   "  internal: {kind: csv, base_url: 'file:///nonexistent/'}\n"
                   "series:\n"
                   "  s: {source: internal, path: s.csv, column: v, frequency: month}\n"
                   "recipients:\n", dir);
        for (unsigned i = 0; i < n_recipients; i++)
                fprintf(f, "  r%03u: {email: r%03u@example.org}\n", i, i);
        fprintf(f, "notifiers:\n"
                   "  mail: {kind: smtp, url: 'smtp://127.0.0.1:25', from: lw@example.org}\n"
                   "  hook: {kind: webhook, url: 'http://127.0.0.1:9/hook'}\n"
                   "routes:\n"
                   "  - notifiers: [hook]\n"
                   "    recipients: [r000]\n");
        for (unsigned k = 0; k < n_groups && k < 10; k++) {
                unsigned lo = k * 10, hi = MIN(lo + 10, n_recipients), mid = MIN(lo + 5, hi);

                fprintf(f, "  - goals: ['g%u*']\n    notifiers: [mail]\n    recipients: [", k);
                for (unsigned i = lo; i < mid; i++)
                        fprintf(f, "%sr%03u", i > lo ? ", " : "", i);
                fprintf(f, "]\n");
                if (mid < hi) {
                        fprintf(f, "  - goals: ['g%u0*']\n    notifiers: [mail]\n    recipients: [", k);
                        for (unsigned i = mid; i < hi; i++)
                                fprintf(f, "%sr%03u", i > mid ? ", " : "", i);
                        fprintf(f, "]\n");
                }
        }
        fprintf(f, "goals:\n");
        for (unsigned i = 0; i < n_goals; i++)
                fprintf(f, "  g%03u:\n"
                           "    title: {da: Mål %u, en: Goal %u}\n"
                           "    kind: level\n    series: s\n    period: 2030\n    target: 100\n"
                           "    direction: at_least\n    recipients: [r%03u]\n",
                        i, i, i, i % n_recipients);
        return fclose(f) == 0 ? 0 : -1;
}

typedef struct Figures {
        double wall, cpu;
        size_t n_notices, n_enqueued, n_events, bytes, n_transitions, n_firing;
} Figures;

static int cycle(Store *store, const Config *c, const GoalResult *res, Date d, int64_t now, Figures *ret)
{
        AlertingReport rep = {};
        _cleanup_free_ char *err = NULL;
        double w0 = wall_s(), c0 = cpu_s();
        int r;

        r = alerting_run(&(AlertingArgs){ .store = store, .config = c, .results = res, .n_results = c->n_goals,
                                          .date = d, .now = now },
                         &rep, &err);
        ret->wall = wall_s() - w0;
        ret->cpu = cpu_s() - c0;
        if (r < 0) {
                fprintf(stderr, "alerting_run: %s\n", strna(err));
                return r;
        }
        *ret = (Figures){ .wall = ret->wall, .cpu = ret->cpu, .n_notices = rep.n_notices,
                          .n_transitions = rep.n_transitions, .n_firing = rep.n_firing };
        for (size_t i = 0; i < rep.n_notices; i++) {
                ret->n_events += rep.notices[i].n_events;
                if (rep.notices[i].enqueued) {
                        ret->n_enqueued++;
                        ret->bytes += strlen(rep.notices[i].payload);
                }
        }
        alerting_report_done(&rep);
        return 0;
}

static void print_figures(const char *what, const Figures *f)
{
        printf("%-28s wall %.3f s  cpu %.3f s  firing %zu  transitions %zu  notices %zu (events %zu)  "
               "enqueued %zu  payload %zu bytes\n",
               what, f->wall, f->cpu, f->n_firing, f->n_transitions, f->n_notices, f->n_events, f->n_enqueued,
               f->bytes);
}

int main(int argc, char **argv)
{
        unsigned n_goals = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 1000;
        unsigned n_recipients = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10) : 100;
        char dir[] = "/tmp/bench-alerting-XXXXXX", path[PATH_MAX];
        Config *c = NULL;
        ConfigErrors errors = {};
        Store *store = NULL;
        GoalResult *res = NULL;
        Figures first = {}, second = {};
        struct rusage ru;
        Date d;
        int64_t now;
        double t0;
        int r, ret = 1;

        if (n_goals < 1 || n_goals > 1000 || n_recipients < 1 || n_recipients > 100) {
                fprintf(stderr, "usage: bench-alerting [GOALS (1..1000) [RECIPIENTS (1..100)]]\n");
                return 2;
        }
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                return 1;
        }
        snprintf(path, sizeof path, "%s/labourwatch.yaml", dir);
        if (write_config(path, dir, n_goals, n_recipients) < 0) {
                perror(path);
                goto finish;
        }
        t0 = wall_s();
        r = config_load(path, &c, &errors);
        if (r < 0) {
                for (size_t i = 0; i < errors.n_items; i++)
                        fprintf(stderr, "%s\n", errors.items[i].message);
                goto finish;
        }
        printf("configuration: %zu goals, %zu recipients, %zu routes, %zu notifiers (loaded in %.3f s)\n",
               c->n_goals, c->n_recipients, c->n_routes, c->n_notifiers, wall_s() - t0);
        r = store_open(dir, &store, NULL);
        if (r < 0) {
                fprintf(stderr, "store_open: %s\n", strerror(-r));
                goto finish;
        }

        res = calloc(c->n_goals, sizeof(GoalResult));
        if (!res)
                goto finish;
        for (size_t i = 0; i < c->n_goals; i++) {
                res[i] = (GoalResult){ .id = c->goals[i].id, .status = GOAL_STATUS_OFF_TRACK,
                                       .direction = GOAL_AT_LEAST, .target = 100, .has_value = true, .value = 90,
                                       .has_projected = true, .projected = 90, .has_gap = true, .gap = -10,
                                       .has_latest = true, .freq = PERIOD_MONTH };
                if (period_parse("2030M03", &res[i].latest) < 0 || period_parse("2030", &res[i].period) < 0)
                        goto finish;
        }
        if (date_parse("2030-04-15", &d) < 0)
                goto finish;
        now = date_to_days(d) * (int64_t) 86400000000;

        if (cycle(store, c, res, d, now, &first) < 0)
                goto finish;
        print_figures("cycle 1 (every goal fires):", &first);
        /* the next evaluation, an hour later, with the same figures */
        if (cycle(store, c, res, d, now + (int64_t) 3600000000, &second) < 0)
                goto finish;
        print_figures("cycle 2 (no new data):", &second);

        if (getrusage(RUSAGE_SELF, &ru) == 0)
                printf("peak resident memory (ru_maxrss): %ld kB\n", ru.ru_maxrss);
        if (second.n_enqueued > 0)
                fprintf(stderr, "FAIL: the second cycle enqueued %zu notices\n", second.n_enqueued);
        else
                ret = 0;
finish:
        free(res);
        store_close(store);
        config_free(c);
        config_errors_done(&errors);
        (void) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return ret;
}
