/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-store STATE_DIR [N_SERIES [N_PERIODS]]: times the store's write and read paths on a
 * municipality-sized database (default 20 monthly series of 20 years), with synchronous=FULL.
 *
 * Rounds, each one store_put_series() per series:
 *   1. first fetch: every period new          (fetched 2024-07-02 06:00 UTC)
 *   2. the same figures again: all unchanged  (2024-07-03 06:00)
 *   3. the last 12 periods revised by +1      (2024-07-04 06:00)
 * then store_load_series() and store_series_history() of every series.
 *
 * Series bench_NN, period k (from 2005M01) has value 100*NN + k (+1 when revised in round 3), except
 * that the last period is a missing cell ("..") until round 3, so the resulting database is a known
 * fixture; the store integration test reads it with the CLI. */
#include <stdio.h>
#include <time.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"

#define BENCH_T0 (INT64_C(1719900000) * 1000000) /* 2024-07-02 06:00:00 UTC */
#define BENCH_DAY (INT64_C(86400) * 1000000)

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int round_put(Store *s, int n_series, int n_periods, int round, SeriesPoint *pts, char **err)
{
        Provenance prov = {
                .source = "bench",
                .table = "BENCH01",
                .selection = "OMRÅDE=163",
                .url = "https://bench.invalid/v1/data",
                .fetched_at = BENCH_T0 + (round - 1) * BENCH_DAY,
        };
        StoreWriteStats total = {};
        double t = now_ms();

        for (int i = 0; i < n_series; i++) {
                char name[32];
                StoreWriteStats st;
                int r;

                snprintf(name, sizeof(name), "bench_%02d", i);
                for (int k = 0; k < n_periods; k++)
                        pts[k] = (SeriesPoint){
                                .period = period_add((Period){PERIOD_MONTH, 2005, 1}, k),
                                .value = 100.0 * i + k + (round == 3 && k >= n_periods - 12 ? 1 : 0),
                                .missing = round < 3 && k == n_periods - 1,
                        };
                r = store_put_series(s, name, pts, (size_t) n_periods, &prov, &st, err);
                if (r < 0)
                        return r;
                total.new_periods += st.new_periods;
                total.revisions += st.revisions;
                total.unchanged += st.unchanged;
        }
        t = now_ms() - t;
        printf("round %d: %d series x %d periods in %.1f ms (%.2f ms/series): %u new, %u revised, %u "
               "unchanged\n",
               round, n_series, n_periods, t, t / n_series, total.new_periods, total.revisions,
               total.unchanged);
        return 0;
}

int main(int argc, char **argv)
{
        Store *s = NULL;
        char *err = NULL;
        int n_series = 20, n_periods = 240, r;
        SeriesPoint *pts;
        double t;
        size_t n_rows = 0;

        if (argc < 2 || argc > 4 || (argc > 2 && (safe_atoi(argv[2], &n_series) < 0 || n_series < 1)) ||
            (argc > 3 && (safe_atoi(argv[3], &n_periods) < 0 || n_periods < 1))) {
                fprintf(stderr, "Usage: %s STATE_DIR [N_SERIES [N_PERIODS]]\n", argv[0]);
                return 2;
        }
        pts = calloc((size_t) n_periods, sizeof(SeriesPoint));
        if (!pts)
                return 1;

        t = now_ms();
        r = store_open(argv[1], &s, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", err ? err : strerror(-r));
                goto finish;
        }
        printf("open: %.1f ms\n", now_ms() - t);

        for (int round = 1; round <= 3; round++) {
                r = round_put(s, n_series, n_periods, round, pts, &err);
                if (r < 0) {
                        fprintf(stderr, "%s\n", err ? err : strerror(-r));
                        goto finish;
                }
        }

        t = now_ms();
        for (int i = 0; i < n_series; i++) {
                char name[32];
                Series *ser = NULL;
                StoredObservation *o = NULL;
                size_t n = 0;

                snprintf(name, sizeof(name), "bench_%02d", i);
                r = store_load_series(s, name, &ser, &err);
                if (r >= 0)
                        r = store_series_history(s, name, &o, &n, &err);
                series_free(ser);
                store_observations_free(o, n);
                if (r < 0) {
                        fprintf(stderr, "%s\n", err ? err : strerror(-r));
                        goto finish;
                }
                n_rows += n;
        }
        t = now_ms() - t;
        printf("load + history: %d series, %zu rows in %.1f ms\n", n_series, n_rows, t);
        r = 0;

finish:
        free(err);
        free(pts);
        store_close(s);
        return r < 0 ? 1 : 0;
}
