/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus text format for node_exporter's textfile collector: pure formatting, and the atomic
 * write. See include/labourwatch/metrics.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labourwatch/macro.h"
#include "labourwatch/metrics.h"
#include "labourwatch/time-util.h"

/* Label values escape backslash, double quote and line feed (the exposition format's rule). */
static void put_label_value(FILE *f, const char *v)
{
        for (const char *p = strempty(v); *p; p++)
                switch (*p) {
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                default:
                        fputc(*p, f);
                }
}

static void put_header(FILE *f, const char *name, const char *type, const char *help)
{
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A value Prometheus parses: integers without an exponent, others with enough digits to
 * round-trip; non-finite values never get here (callers leave such samples out). */
static void put_value(FILE *f, double v)
{
        char buf[32];

        if (v == (double) (int64_t) v && fabs(v) < 1e15) {
                fprintf(f, " %" PRIi64 "\n", (int64_t) v);
                return;
        }
        /* the shortest of %.15g/%.17g that reads back as the same double */
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v)
                snprintf(buf, sizeof buf, "%.17g", v);
        fprintf(f, " %s\n", buf);
}

static const char *goal_plan(const MetricsInput *in, size_t i, const char *id)
{
        const GoalDef *g = NULL;

        if (!in->config)
                return NULL;
        /* evaluate_all() returns results in configuration order: no lookup in the common case */
        if (i < in->config->n_goals && id && streq(in->config->goals[i].id, id))
                g = &in->config->goals[i];
        else if (id)
                g = config_find_goal(in->config, id);
        return g && g->plan ? g->plan : in->config->plan;
}

static void put_goal_labels(FILE *f, const MetricsInput *in, size_t i)
{
        const char *plan = goal_plan(in, i, in->results[i].id);

        fputs("{goal=\"", f);
        put_label_value(f, in->results[i].id);
        fputs("\",plan=\"", f);
        put_label_value(f, plan);
        fputc('"', f);
}

typedef enum GoalFigure { FIG_VALUE, FIG_PROJECTED, FIG_TARGET, FIG_GAP, _FIG_MAX } GoalFigure;

static bool goal_figure(const GoalResult *r, GoalFigure fig, double *ret)
{
        switch (fig) {
        case FIG_VALUE:
                *ret = r->value;
                return r->has_value && isfinite(r->value);
        case FIG_PROJECTED:
                *ret = r->projected;
                return r->has_projected && isfinite(r->projected);
        case FIG_TARGET:
                *ret = r->target;
                return isfinite(r->target);
        case FIG_GAP:
                *ret = r->gap;
                return r->has_gap && isfinite(r->gap);
        default:
                return false;
        }
}

static void put_goals(FILE *f, const MetricsInput *in)
{
        static const struct {
                const char *name, *help;
        } figures[_FIG_MAX] = {
                [FIG_VALUE] = { "labourwatch_goal_value",
                                "Current value of the goal's measure, in the target's unit." },
                [FIG_PROJECTED] = { "labourwatch_goal_projected",
                                    "Projected value at the end of the goal period (the final value once over)." },
                [FIG_TARGET] = { "labourwatch_goal_target", "The goal's target, in its own unit." },
                [FIG_GAP] = { "labourwatch_goal_gap",
                              "Projected (or final) value minus target; above 0 is good for at_least goals." },
        };

        put_header(f, "labourwatch_goal_status", "gauge",
                   "1 for the goal's status at the last evaluation, 0 for every other status.");
        for (size_t i = 0; i < in->n_results; i++)
                for (GoalStatus s = 0; s < _GOAL_STATUS_MAX; s++) {
                        fputs("labourwatch_goal_status", f);
                        put_goal_labels(f, in, i);
                        fprintf(f, ",status=\"%s\"} %d\n", goal_status_to_string(s), in->results[i].status == s);
                }

        for (GoalFigure fig = 0; fig < _FIG_MAX; fig++) {
                put_header(f, figures[fig].name, "gauge", figures[fig].help);
                for (size_t i = 0; i < in->n_results; i++) {
                        double v;
                        if (!goal_figure(&in->results[i], fig, &v))
                                continue;
                        fputs(figures[fig].name, f);
                        put_goal_labels(f, in, i);
                        fputc('}', f);
                        put_value(f, v);
                }
        }
}

static void put_source_sample(FILE *f, const char *name, const MetricsSource *s, double v)
{
        fprintf(f, "%s{source=\"", name);
        put_label_value(f, s->name);
        fputs("\"}", f);
        put_value(f, v);
}

static void put_sources(FILE *f, const MetricsInput *in)
{
        put_header(f, "labourwatch_source_last_success_timestamp_seconds", "gauge",
                   "When the source last fetched without an error (Unix time); absent if never.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].last_success_usec > 0)
                        put_source_sample(f, "labourwatch_source_last_success_timestamp_seconds", &in->sources[i],
                                          (double) in->sources[i].last_success_usec / USEC_PER_SEC);
        put_header(f, "labourwatch_source_last_attempt_timestamp_seconds", "gauge",
                   "When the source was last fetched, successfully or not (Unix time); absent if never.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].last_attempt_usec > 0)
                        put_source_sample(f, "labourwatch_source_last_attempt_timestamp_seconds", &in->sources[i],
                                          (double) in->sources[i].last_attempt_usec / USEC_PER_SEC);
        put_header(f, "labourwatch_source_consecutive_failures", "gauge",
                   "Fetch runs of the source that failed in a row (0 after a success).");
        for (size_t i = 0; i < in->n_sources; i++)
                put_source_sample(f, "labourwatch_source_consecutive_failures", &in->sources[i],
                                  in->sources[i].consecutive_failures);
        put_header(f, "labourwatch_source_fetch_duration_seconds", "gauge",
                   "Time the source's last fetch run spent waiting for responses.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].fetched)
                        put_source_sample(f, "labourwatch_source_fetch_duration_seconds", &in->sources[i],
                                          (double) in->sources[i].fetch_duration_usec / USEC_PER_SEC);
        put_header(f, "labourwatch_source_fetch_response_bytes", "gauge",
                   "Response bodies received by the source's last fetch run.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].fetched)
                        put_source_sample(f, "labourwatch_source_fetch_response_bytes", &in->sources[i],
                                          (double) in->sources[i].fetch_bytes);
        put_header(f, "labourwatch_source_fetch_series", "gauge",
                   "Series the source's last fetch run attempted.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].fetched)
                        put_source_sample(f, "labourwatch_source_fetch_series", &in->sources[i],
                                          in->sources[i].fetch_series);
        put_header(f, "labourwatch_source_fetch_failed_series", "gauge",
                   "Series that failed in the source's last fetch run.");
        for (size_t i = 0; i < in->n_sources; i++)
                if (in->sources[i].fetched)
                        put_source_sample(f, "labourwatch_source_fetch_failed_series", &in->sources[i],
                                          in->sources[i].fetch_failed);
}

int metrics_format(const MetricsInput *in, char **ret)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert(in);
        assert(ret);

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        put_header(f, "labourwatch_build_info", "gauge", "Always 1; the version is a label.");
        fprintf(f, "labourwatch_build_info{version=\"%s\"} 1\n", LABOURWATCH_VERSION);

        put_goals(f, in);
        put_sources(f, in);

        if (in->has_outbox) {
                put_header(f, "labourwatch_outbox_queue_length", "gauge",
                           "Notifications waiting to be delivered (new or being retried).");
                fprintf(f, "labourwatch_outbox_queue_length %zu\n", in->outbox_pending);
                put_header(f, "labourwatch_outbox_oldest_age_seconds", "gauge",
                           "Age of the oldest notification waiting to be delivered; 0 when none waits.");
                fputs("labourwatch_outbox_oldest_age_seconds", f);
                put_value(f, in->outbox_oldest_usec > 0 && in->now_usec > in->outbox_oldest_usec
                                     ? (double) (in->now_usec - in->outbox_oldest_usec) / USEC_PER_SEC
                                     : 0);
        }

        put_header(f, "labourwatch_evaluation_duration_seconds", "gauge",
                   "How long the last evaluation of every goal took.");
        fputs("labourwatch_evaluation_duration_seconds", f);
        put_value(f, (double) in->evaluation_usec / USEC_PER_SEC);
        put_header(f, "labourwatch_last_cycle_timestamp_seconds", "gauge",
                   "When the daemon last finished a cycle (fetch, evaluate, notify), as Unix time.");
        fputs("labourwatch_last_cycle_timestamp_seconds", f);
        put_value(f, (double) in->now_usec / USEC_PER_SEC);

        if (fclose(f) != 0 || !buf) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int metrics_write_atomic(const char *path, const char *text)
{
        _cleanup_free_ char *tmp = NULL;
        size_t len = strlen(text);
        int fd, r = 0;

        assert(path);
        tmp = strdup_printf("%s.tmp.XXXXXX", path);
        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < len;) {
                ssize_t k = write(fd, text + done, len - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                done += (size_t) k;
        }
        if (r == 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}
