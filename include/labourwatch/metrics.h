/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Prometheus metrics for node_exporter's textfile collector (Config.metrics_file): after each cycle
 * the daemon writes every figure a dashboard needs, in the text exposition format, and renames the
 * file into place, so the collector never reads half a file. No port is opened.
 *
 * metrics_format() is pure (no clock, no I/O): the caller gathers the figures (metrics-collect.c).
 * Names follow Prometheus's conventions: the labourwatch_ prefix, base units in the name
 * (_seconds, _bytes, _timestamp_seconds), one gauge per goal and status (1 for the current status,
 * 0 for the others) so that alerting rules can say labourwatch_goal_status{status="off_track"} == 1. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"
#include "labourwatch/pipeline.h"
#include "labourwatch/store.h"

typedef struct MetricsSource {
        const char *name;
        int64_t last_success_usec;    /* realtime; 0: never (the sample is left out) */
        int64_t last_attempt_usec;    /* realtime; 0: never */
        unsigned consecutive_failures;
        bool fetched;                 /* the source took part in the last fetch run */
        uint64_t fetch_duration_usec; /* last run: time spent waiting for its responses */
        uint64_t fetch_bytes;         /* last run: response bodies received */
        unsigned fetch_series, fetch_failed; /* last run: series attempted, and failed */
} MetricsSource;

typedef struct MetricsInput {
        const Config *config;         /* goal plans; may be NULL */
        const GoalResult *results;    /* the cycle's evaluation, in any order */
        size_t n_results;
        const MetricsSource *sources;
        size_t n_sources;
        bool has_outbox;              /* false: the outbox figures are left out */
        size_t outbox_pending;        /* unsent notifications */
        int64_t outbox_oldest_usec;   /* enqueue time of the oldest unsent; 0: none */
        uint64_t evaluation_usec;     /* how long evaluating every goal took */
        int64_t now_usec;             /* realtime of the cycle: ages and the cycle timestamp */
} MetricsInput;

/* The whole file, in the Prometheus text format (version 0.0.4), ending in a newline. Returns 0
 * and *ret (caller frees), or -ENOMEM. */
int metrics_format(const MetricsInput *in, char **ret);

/* Writes text to path atomically: a temporary file in the same directory (mode 0644: the
 * collector runs as another user), fsync, rename over path. On failure nothing replaces path and
 * the temporary file is removed. Returns 0 or a negative errno. */
int metrics_write_atomic(const char *path, const char *text);

/* Gathers the figures (source states from the store, the last fetch run's results, the outbox)
 * and writes c->metrics_file. runner may be NULL (nothing fetched yet). Returns 0 or a negative
 * errno; the caller logs. No-op returning 0 when c->metrics_file is NULL. */
int metrics_update(const Config *c, Store *st, SourceRunner *runner, const GoalResult *results, size_t n,
                   uint64_t evaluation_usec, int64_t now_usec, char **ret_error);
