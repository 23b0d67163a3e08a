/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c: the pure helpers (diff, result lines, due times) and the runner on a real loop and a
 * real store, with a csv source read through file:// URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "labourwatch/schedule.h"
#include "labourwatch/pipeline.h"

#define SEC UINT64_C(1000000)
#define HOUR (UINT64_C(3600) * SEC)

static Period P(const char *s)
{
        Period p;
        assert_int_equal(period_parse(s, &p), 0);
        return p;
}

static Series *mk(const char *name, const char *const *periods, const double *values, size_t n)
{
        Series *s = NULL;
        assert_int_equal(series_new(name, &s), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(series_put(s, (SeriesPoint){.period = P(periods[i]),
                                                             .value = values[i],
                                                             .missing = values[i] < 0}),
                                 0);
        return s;
}

static void test_diff_and_format(void **state)
{
        Series *old = mk("x", (const char *[]){"2024M03", "2024M04"}, (double[]){380, 381}, 2);
        Series *nw = mk("x", (const char *[]){"2024M03", "2024M04", "2024M05", "2024M06"},
                        (double[]){380, 384, 390, 391.5}, 4);
        SeriesFetchResult r = {.series = strdup("fleksjob_fuldtid")};
        char *line;

        assert_int_equal(pipeline_diff(old, nw, &r), 0);
        assert_int_equal(r.n_new_periods, 2);
        assert_int_equal(r.n_revisions, 1);
        line = pipeline_format_result(&r);
        assert_string_equal(
                line, "fleksjob_fuldtid: 2 new periods (2024M05, 2024M06), 1 revision (2024M04 381 -> 384)");
        free(line);

        /* nothing stored before: all new */
        assert_int_equal(pipeline_diff(NULL, nw, &r), 0);
        assert_int_equal(r.n_new_periods, 4);
        assert_int_equal(r.n_revisions, 0);

        /* same data: nothing */
        assert_int_equal(pipeline_diff(nw, nw, &r), 0);
        line = pipeline_format_result(&r);
        assert_string_equal(line, "fleksjob_fuldtid: no new periods");
        free(line);

        /* a value that became missing is a revision */
        Series *gone = mk("x", (const char *[]){"2024M03"}, (double[]){-1}, 1);
        assert_int_equal(pipeline_diff(old, gone, &r), 0);
        line = pipeline_format_result(&r);
        assert_string_equal(line, "fleksjob_fuldtid: 1 revision (2024M03 380 -> ..)");
        free(line);

        r.unchanged = true;
        line = pipeline_format_result(&r);
        assert_string_equal(line, "fleksjob_fuldtid: unchanged");
        free(line);
        r.error = -EREMOTEIO;
        r.error_message = strdup("http://x/data: HTTP 400 Bad Request: REQUEST-LIMIT: …");
        line = pipeline_format_result(&r);
        assert_string_equal(
                line, "fleksjob_fuldtid: error: http://x/data: HTTP 400 Bad Request: REQUEST-LIMIT: …");
        free(line);

        series_fetch_result_done(&r);
        series_free(old);
        series_free(nw);
        series_free(gone);
}

static void test_format_long(void **state)
{
        const char *ps[12] = {"2023M01", "2023M02", "2023M03", "2023M04", "2023M05", "2023M06",
                              "2023M07", "2023M08", "2023M09", "2023M10", "2023M11", "2023M12"};
        double vs[12] = {0};
        Series *s = mk("x", ps, vs, 12);
        SeriesFetchResult r = {.series = strdup("x")};

        assert_int_equal(pipeline_diff(NULL, s, &r), 0);
        char *line = pipeline_format_result(&r);
        assert_string_equal(line,
                            "x: 12 new periods (2023M01, 2023M02, 2023M03, …, 2023M10, 2023M11, 2023M12)");
        free(line);
        series_fetch_result_done(&r);
        series_free(s);
}

static void test_due_time(void **state)
{
        SourceDef src = {.name = (char *) "dst",
                         .schedule = {.kind = SCHEDULE_INTERVAL, .interval_usec = 6 * HOUR}};
        uint64_t now = UINT64_C(1700000000) * SEC;

        /* never attempted: due now */
        assert_int_equal(source_due_time(&src, &(SourceState){}, now), now);
        /* succeeded an hour ago: in five hours */
        assert_int_equal(source_due_time(&src, &(SourceState){.last_attempt = (int64_t) (now - HOUR)}, now),
                         now + 5 * HOUR);
        /* failing: at its retry time, even if the schedule would say later or earlier */
        assert_int_equal(source_due_time(&src,
                                         &(SourceState){.last_attempt = (int64_t) (now - HOUR),
                                                        .consecutive_failures = 2,
                                                        .next_due = (int64_t) (now + 120 * SEC)},
                                         now),
                         now + 120 * SEC);
        assert_int_equal(source_due_time(&src,
                                         &(SourceState){.last_attempt = (int64_t) (now - 7 * HOUR),
                                                        .consecutive_failures = 1,
                                                        .next_due = (int64_t) (now + 60 * SEC)},
                                         now),
                         now + 60 * SEC);
        /* a retry time in the past: due now */
        assert_int_equal(
                source_due_time(&src,
                                &(SourceState){.consecutive_failures = 1, .next_due = (int64_t) (now - SEC)},
                                now),
                now);
}

/* ---- the runner ---- */

typedef struct Done {
        bool called;
        unsigned n_ok, n_failed;
} Done;

static void on_done(SourceRunner *r, unsigned n_ok, unsigned n_failed, void *userdata)
{
        Done *d = userdata;
        assert_false(d->called);
        d->called = true;
        d->n_ok = n_ok;
        d->n_failed = n_failed;
}

static void loop_until(sd_event *e, Done *d)
{
        for (int i = 0; i < 200 && !d->called; i++)
                assert_true(sd_event_run(e, 50 * 1000) >= 0);
        assert_true(d->called);
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void test_runner(void **state)
{
        char dir[] = "/tmp/test-pipeline-XXXXXX";
        _cleanup_free_ char *base = NULL, *csv = NULL, *err = NULL;
        Store *st = NULL;
        sd_event *e = NULL;
        SourceRunner *r = NULL;
        const SeriesFetchResult *res;
        size_t n;
        uint64_t now = UINT64_C(1700000000) * SEC;
        SourceState ss = {};
        Done d = {};

        assert_non_null(mkdtemp(dir));
        base = strdup_printf("file://%s/", dir);
        csv = strdup_printf("%s/r.csv", dir);
        write_file(csv, "periode;ordrer\n2024M01;40\n2024M02;38\n2024M03;45\n");

        SourceDef src = {.name = (char *) "internal",
                         .kind = SOURCE_CSV,
                         .base_url = base,
                         .schedule = {.kind = SCHEDULE_INTERVAL, .interval_usec = HOUR}};
        SeriesDef defs[3] = {
                {.name = (char *) "ordrer",
                 .source = (char *) "internal",
                 .source_def = &src,
                 .path = (char *) "r.csv",
                 .column = (char *) "ordrer",
                 .freq = PERIOD_MONTH},
                {.name = (char *) "mangler",
                 .source = (char *) "internal",
                 .source_def = &src,
                 .path = (char *) "missing.csv",
                 .freq = PERIOD_MONTH},
                {.name = (char *) "andel", .expr = (char *) "100 * ordrer", .freq = PERIOD_MONTH},
        };
        Config c = {.state_dir = dir, .sources = &src, .n_sources = 1, .series = defs, .n_series = 3};

        assert_int_equal(store_open(dir, &st, &err), 0);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(source_runner_new(e, st, &c, &r), 0);

        /* names are checked before anything starts */
        assert_int_equal(source_runner_run(r, now, true, (char *[]){(char *) "nosuch", NULL}, on_done, &d),
                         -ENOENT);
        assert_int_equal(source_runner_run(r, now, true, (char *[]){(char *) "andel", NULL}, on_done, &d),
                         -EINVAL);

        /* never fetched: due */
        assert_int_equal(source_runner_next_due(r, now), now);
        assert_int_equal(source_runner_run(r, now, false, NULL, on_done, &d), 0);
        assert_int_equal(source_runner_run(r, now, false, NULL, on_done, &d), -EBUSY);
        loop_until(e, &d);
        assert_int_equal(d.n_ok, 1);
        assert_int_equal(d.n_failed, 1);
        res = source_runner_results(r, &n);
        assert_int_equal(n, 2);
        assert_string_equal(res[0].series, "ordrer");
        assert_int_equal(res[0].error, 0);
        assert_int_equal(res[0].n_new_periods, 3);
        assert_string_equal(res[1].series, "mangler");
        assert_int_equal(res[1].error, -ENOENT);
        assert_non_null(strstr(res[1].error_message, "missing.csv"));

        /* one of the source's series failed: the source is failing, retried after a backoff */
        assert_true(store_get_source_state(st, "internal", &ss, NULL) >= 0);
        assert_int_equal(ss.consecutive_failures, 1);
        assert_int_equal(ss.last_attempt, (int64_t) now);
        assert_true(ss.next_due > (int64_t) now);
        assert_non_null(strstr(ss.last_error, "missing.csv"));
        uint64_t next = (uint64_t) ss.next_due;
        source_state_done(&ss);
        assert_int_equal(source_runner_next_due(r, now + SEC), next);

        /* not due a second later: nothing runs, done() still comes */
        d = (Done){};
        assert_int_equal(source_runner_run(r, now + SEC, false, NULL, on_done, &d), 0);
        loop_until(e, &d);
        assert_int_equal(d.n_ok + d.n_failed, 0);
        source_runner_results(r, &n);
        assert_int_equal(n, 0);

        /* the file is fixed and the retry time has come: both ok, streak over */
        d = (Done){};
        {
                _cleanup_free_ char *m = strdup_printf("%s/missing.csv", dir);
                write_file(m, "periode;x\n2024M01;1\n");
        }
        assert_int_equal(source_runner_run(r, next, false, NULL, on_done, &d), 0);
        loop_until(e, &d);
        assert_int_equal(d.n_ok, 2);
        assert_int_equal(d.n_failed, 0);
        res = source_runner_results(r, &n);
        assert_int_equal(res[0].n_new_periods, 0); /* ordrer: same data again */
        assert_int_equal(res[1].n_new_periods, 1);
        assert_true(store_get_source_state(st, "internal", &ss, NULL) >= 0);
        assert_int_equal(ss.consecutive_failures, 0);
        assert_int_equal(ss.first_failure, 0);
        assert_null(ss.last_error);
        source_state_done(&ss);
        /* healthy: due again one interval after this run */
        assert_int_equal(source_runner_next_due(r, next), next + HOUR);

        /* a reload during a run cancels it; done() still comes, once */
        d = (Done){};
        assert_int_equal(source_runner_run(r, next, true, (char *[]){(char *) "ordrer", NULL}, on_done, &d),
                         0);
        Config c2 = c;
        assert_int_equal(source_runner_set_config(r, &c2), 0);
        loop_until(e, &d);
        assert_int_equal(d.n_ok, 0);
        res = source_runner_results(r, &n);
        assert_int_equal(n, 1);
        assert_int_equal(res[0].error, -ECANCELED);

        r = source_runner_free(r);

        /* a store that cannot save the source's state must not make the source due again at once */
        {
                Store *ro = NULL;
                SourceRunner *r2 = NULL;
                uint64_t t = next + 10 * HOUR;

                assert_int_equal(store_open_readonly(dir, &ro, NULL), 0);
                assert_int_equal(source_runner_new(e, ro, &c, &r2), 0);
                assert_int_equal(source_runner_next_due(r2, t), t);
                d = (Done){};
                assert_int_equal(source_runner_run(r2, t, false, NULL, on_done, &d), 0);
                loop_until(e, &d);
                assert_int_equal(d.n_failed, 2); /* nothing could be stored */
                assert_true(source_runner_next_due(r2, t) > t);
                d = (Done){};
                assert_int_equal(source_runner_run(r2, t, false, NULL, on_done, &d), 0);
                loop_until(e, &d);
                assert_int_equal(d.n_ok + d.n_failed, 0);
                source_runner_free(r2);
                store_close(ro);
        }

        sd_event_unref(e);
        store_close(st);
        {
                _cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", dir);
                assert_int_equal(system(cmd), 0);
        }
}

/* The one ingest path of the pipeline and `labourwatch import`: parse -> check -> diff -> store. */
static void test_ingest(void **state)
{
        char dir[] = "/tmp/test-pipeline-XXXXXX";
        _cleanup_free_ char *err = NULL, *db = NULL;
        Store *st = NULL;
        SourceDef src = { .name = (char *) "internal", .kind = SOURCE_CSV };
        SeriesDef def = { .name = (char *) "ordrer", .source = (char *) "internal", .source_def = &src,
                          .column = (char *) "ordrer", .freq = PERIOD_MONTH };
        SeriesFetchResult res = {};
        StoreWriteStats stats = {};
        StoredObservation *o = NULL;
        size_t n = 0;
        const char *v1 = "periode;ordrer\n2024M01;40\n2024M02;38\n";
        const char *v2 = "periode;ordrer\n2024M02;39\n2024M03;45\n";
        const char *quarters = "periode;ordrer\n2024K1;12\n";
        const char *bad = "periode;ordrer\n2024M04;12\n2024M05;abc\n";
        SourceResponse resp = { .url = "r.csv", .status = 200, .body = v1, .size = strlen(v1) };
        IngestInput in = { .source = &src, .series = &def, .response = &resp, .url = "file:///r.csv",
                           .fetched_at = 1000 };

        assert_non_null(mkdtemp(dir));
        assert_int_equal(store_open(dir, &st, NULL), 0);

        assert_int_equal(pipeline_ingest(st, &in, &res, &stats, NULL, &err), 0);
        assert_int_equal(res.n_points, 2);
        assert_int_equal(res.n_new_periods, 2);
        assert_int_equal(stats.new_periods, 2);
        series_fetch_result_done(&res);

        /* The stored series is loaded for the diff when the caller has none at hand. */
        resp.body = v2;
        resp.size = strlen(v2);
        in.fetched_at = 2000;
        in.provenance_source = "import";
        assert_int_equal(pipeline_ingest(st, &in, &res, &stats, NULL, &err), 0);
        assert_int_equal(res.n_new_periods, 1);
        assert_int_equal(res.n_revisions, 1);
        assert_true(period_equal(res.revisions[0].period, (Period){ PERIOD_MONTH, 2024, 2 }));
        assert_true(res.revisions[0].old_value == 38 && res.revisions[0].new_value == 39);
        assert_int_equal(stats.revisions, 1);
        assert_int_equal(stats.unchanged, 0);
        series_fetch_result_done(&res);

        /* Checks: the wrong frequency, a malformed line: nothing stored. */
        resp.body = quarters;
        resp.size = strlen(quarters);
        assert_int_equal(pipeline_ingest(st, &in, &res, &stats, NULL, &err), -EBADMSG);
        assert_string_equal(err, "expected month periods, got quarter periods");
        free(TAKE_PTR(err));
        series_fetch_result_done(&res);
        resp.body = bad;
        resp.size = strlen(bad);
        assert_int_equal(pipeline_ingest(st, &in, &res, &stats, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err, "r.csv:3"));
        free(TAKE_PTR(err));
        series_fetch_result_done(&res);

        assert_int_equal(store_series_history(st, "ordrer", &o, &n, NULL), 0);
        assert_int_equal(n, 4); /* M01, M02 (38, superseded), M02 (39), M03 */
        assert_string_equal(o[0].source, "internal");
        assert_string_equal(o[3].source, "import");
        assert_string_equal(o[3].url, "file:///r.csv");
        assert_int_equal(o[3].fetched_at, 2000);
        store_observations_free(o, n);

        store_close(st);
        db = strdup_printf("rm -rf %s", dir);
        assert_int_equal(system(db), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_diff_and_format),
                cmocka_unit_test(test_format_long),
                cmocka_unit_test(test_due_time),
                cmocka_unit_test(test_runner),
                cmocka_unit_test(test_ingest),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        fetch_global_done();
        return r;
}
