/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Glue for the metrics file: gathers the figures from the store and the last fetch run, formats
 * them (metrics.c, pure) and writes the file atomically. Called by the manager after each cycle. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "labourwatch/macro.h"
#include "labourwatch/metrics.h"

int metrics_update(const Config *c, Store *st, SourceRunner *runner, const GoalResult *results, size_t n,
                   uint64_t evaluation_usec, int64_t now_usec, char **ret_error)
{
        _cleanup_free_ MetricsSource *sources = NULL;
        _cleanup_free_ char *text = NULL;
        const SeriesFetchResult *res = NULL;
        size_t n_res = 0;
        MetricsInput in = {
                .config = c,
                .results = results,
                .n_results = n,
                .evaluation_usec = evaluation_usec,
                .now_usec = now_usec,
        };
        int r;

        assert(c);
        assert(st);
        if (!c->metrics_file)
                return 0;

        sources = calloc(MAX(c->n_sources, (size_t) 1), sizeof *sources);
        if (!sources)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_sources; i++) {
                SourceState state = {};
                _cleanup_free_ char *err = NULL;

                sources[i].name = c->sources[i].name;
                r = store_get_source_state(st, c->sources[i].name, &state, &err);
                if (r < 0) {
                        if (ret_error)
                                *ret_error = TAKE_PTR(err);
                        return r;
                }
                sources[i].last_success_usec = state.last_success;
                sources[i].last_attempt_usec = state.last_attempt;
                sources[i].consecutive_failures = state.consecutive_failures;
                source_state_done(&state);
        }
        /* The last run's results come grouped by source, in configuration order: a cursor that
         * moves forward (wrapping at most once per result) finds each result's source without a
         * lookup per result in the common case. */
        if (runner)
                res = source_runner_results(runner, &n_res);
        for (size_t i = 0, k = 0; i < n_res && c->n_sources > 0; i++) {
                MetricsSource *m;

                if (!res[i].source)
                        continue;
                for (size_t tries = 0; tries < c->n_sources && !streq(c->sources[k].name, res[i].source); tries++)
                        k = (k + 1) % c->n_sources;
                if (!streq(c->sources[k].name, res[i].source))
                        continue;
                m = &sources[k];
                m->fetched = true;
                m->fetch_bytes += res[i].bytes;
                m->fetch_duration_usec += res[i].duration_usec;
                m->fetch_series++;
                if (res[i].error < 0)
                        m->fetch_failed++;
        }
        in.sources = sources;
        in.n_sources = c->n_sources;

        r = store_outbox_stats(st, &in.outbox_pending, &in.outbox_oldest_usec, ret_error);
        if (r < 0)
                return r;
        in.has_outbox = true;

        r = metrics_format(&in, &text);
        if (r < 0)
                return r;
        return metrics_write_atomic(c->metrics_file, text);
}
