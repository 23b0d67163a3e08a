/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evaluate.c without a store: series building (derived series, recursion, cycles), evaluation of a
 * whole configuration built in memory, and the JSON of results and audit inputs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"

/* Stored series for the loader: m (matched) and o (orders), monthly 2024M01..M06. */
static int load(void *userdata, const char *name, Series **ret, char **ret_error)
{
        int *calls = userdata;
        Series *s = NULL;
        int r = series_new(name, &s);

        assert_int_equal(r, 0);
        (*calls)++;
        for (int m = 1; m <= 6; m++) {
                Period p = { PERIOD_MONTH, 2024, m };
                if (streq(name, "m"))
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = p, .value = 6 }), 0);
                else if (streq(name, "o"))
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = p, .value = m == 3 ? 0 : 10 }), 0);
        }
        *ret = s;
        return 0;
}

static SeriesDef sdef(const char *name, const char *expr, unsigned line)
{
        return (SeriesDef){ .name = (char *) name, .expr = (char *) expr, .publication_lag = 1,
                            .expr_pos = { .file = "goals.yaml", .line = line, .column = 11 },
                            .unit_da = (char *) "pct.", .unit_en = (char *) "%" };
}

static void test_derived(void **state)
{
        SeriesDef series[] = {
                sdef("m", NULL, 1),
                sdef("o", NULL, 2),
                sdef("pct", "100 * m / o", 3),
                sdef("pct2", "pct / 2", 4), /* derived from derived */
        };
        GoalDef goals[] = { {
                .id = (char *) "andel", .title_da = (char *) "Andel", .kind = GOAL_LEVEL, .series = (char *) "pct2",
                .period = { PERIOD_YEAR, 2024, 0 }, .target = 25, .aggregate = GOAL_AGGREGATE_AVERAGE,
                .projection = PROJECTION_NONE, .trend_window = 6,
        } };
        Config c = { .series = series, .n_series = ELEMENTSOF(series), .goals = goals, .n_goals = 1 };
        SeriesSet *set = NULL;
        GoalResult *res = NULL;
        size_t n = 0;
        char *err = NULL;
        int calls = 0;

        assert_int_equal(evaluate_build_series(&c, load, &calls, &set, &err), 0);
        assert_null(err);
        const Series *p2 = series_set_find(set, "pct2");
        assert_non_null(p2);
        assert_int_equal(p2->n_points, 6);
        assert_true(fabs(p2->points[0].value - 30) < 1e-9);
        assert_true(p2->points[2].missing); /* 6/0: no value, not inf */
        assert_non_null(series_set_find(set, "pct"));
        assert_int_equal(calls, 4); /* pct2, pct (both empty in the store), m, o */

        assert_int_equal(evaluate_goals(&c, set, (Date){ 2024, 7, 15 }, &res, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(res[0].status, GOAL_STATUS_ON_TRACK);
        assert_true(fabs(res[0].value - 30) < 1e-9); /* the missing March is skipped */
        assert_string_equal(res[0].unit_da, "pct.");

        json_t *j = goal_result_to_json(&res[0]);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "id")), "andel");
        assert_string_equal(json_string_value(json_object_get(j, "status")), "on_track");
        assert_string_equal(json_string_value(json_object_get(j, "period")), "2024M06");
        assert_true(fabs(json_real_value(json_object_get(j, "value")) - 30) < 1e-9);
        assert_true(json_is_null(json_object_get(j, "expected")));
        assert_true(json_is_null(json_object_get(j, "own_change")));
        assert_non_null(strstr(json_string_value(json_object_get(j, "explanation")), "Andel"));
        /* the chance in words, as text_chance words it, for the mail and the Teams card */
        assert_true(res[0].has_probability);
        assert_non_null(strstr(res[0].chance_da, "% chance. 80 % sikkert mellem "));
        assert_string_equal(json_string_value(json_object_get(j, "chance_text")), res[0].chance_da);
        assert_string_equal(json_string_value(json_object_get(j, "chance_text_en")), res[0].chance_en);
        assert_non_null(strstr(res[0].chance_en, "% chance. 80% likely between "));
        char *s = json_dumps(j, EVALUATE_JSON_FLAGS);
        assert_null(strstr(s, "nan"));
        assert_null(strstr(s, "inf"));
        free(s);
        json_decref(j);

        j = goal_inputs_to_json(&goals[0], &res[0], (Date){ 2024, 7, 15 });
        assert_non_null(j);
        json_t *vals = json_object_get(json_object_get(json_object_get(j, "series"), "pct2"), "values");
        assert_int_equal(json_object_size(vals), 5); /* Jan..Jun without the missing March */
        assert_true(fabs(json_real_value(json_object_get(vals, "2024M06")) - 30) < 1e-9);
        assert_null(json_object_get(vals, "2024M03"));
        assert_string_equal(json_string_value(json_object_get(j, "date")), "2024-07-15");
        json_decref(j);

        goal_results_free(res, n);
        series_set_free(set);
}

static void test_cycle_and_errors(void **state)
{
        SeriesDef series[] = {
                sdef("a", "b + 1", 10),
                sdef("b", "2 * c", 11),
                sdef("c", "a - m", 12),
                sdef("m", NULL, 13),
                sdef("bad", "m +", 14),
                sdef("unknown", "m + nope", 15),
        };
        GoalDef goals[] = { {
                .id = (char *) "g", .kind = GOAL_LEVEL, .series = (char *) "a", .period = { PERIOD_YEAR, 2024, 0 },
        } };
        Config c = { .series = series, .n_series = ELEMENTSOF(series), .goals = goals, .n_goals = 1 };
        SeriesSet *set = NULL;
        char *err = NULL;
        int calls = 0;

        assert_int_equal(evaluate_build_series(&c, load, &calls, &set, &err), -ELOOP);
        assert_string_equal(err, "goals.yaml:10:11: series 'a': expression depends on itself: a -> b -> c -> a");
        free(err);
        err = NULL;

        goals[0].series = (char *) "bad";
        assert_int_equal(evaluate_build_series(&c, load, &calls, &set, &err), -EINVAL);
        assert_string_equal(err, "goals.yaml:14:14: series 'bad': unexpected end of expression, expected a number, "
                                 "a series name or '('");
        free(err);
        err = NULL;

        goals[0].series = (char *) "unknown";
        assert_int_equal(evaluate_build_series(&c, load, &calls, &set, &err), 0);
        /* 'nope' is not configured: the loader gives an empty series; nothing derived yet */
        assert_int_equal(series_set_find(set, "unknown")->n_points, 6);
        assert_true(series_set_find(set, "unknown")->points[0].missing);
        series_set_free(set);
}

static void test_no_store(void **state)
{
        GoalDef goals[] = { {
                .id = (char *) "g", .kind = GOAL_SHARE, .numerator = (char *) "m", .denominator = (char *) "o",
                .period = { PERIOD_YEAR, 2024, 0 }, .target = 50,
        } };
        SeriesDef series[] = { sdef("m", NULL, 1), sdef("o", NULL, 2) };
        Config c = { .series = series, .n_series = 2, .goals = goals, .n_goals = 1 };
        GoalResult *res = NULL;
        size_t n = 0;
        char *err = NULL;

        assert_int_equal(evaluate_all(NULL, &c, (Date){ 2024, 7, 15 }, 0, false, &res, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(res[0].status, GOAL_STATUS_NO_DATA);
        goal_results_free(res, n);
        assert_int_equal(evaluate_all(NULL, &c, (Date){ 2024, 7, 15 }, 0, true, &res, &n, &err), -EINVAL);

        /* a goal the engine cannot evaluate is reported with its position */
        goals[0].denominator = NULL;
        goals[0].pos = (ConfigPos){ .file = "g.yaml", .line = 3, .column = 3 };
        assert_int_equal(evaluate_all(NULL, &c, (Date){ 2024, 7, 15 }, 0, false, &res, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "g.yaml:3:3: goal 'g'"));
        free(err);
}

/* The audit record carries the caller's time, not the clock's: evaluations are reproducible. */
static void test_record_time(void **state)
{
        GoalDef goals[] = { {
                .id = (char *) "g", .kind = GOAL_SHARE, .numerator = (char *) "m", .denominator = (char *) "o",
                .period = { PERIOD_YEAR, 2024, 0 }, .target = 50,
        } };
        SeriesDef series[] = { sdef("m", NULL, 1), sdef("o", NULL, 2) };
        Config c = { .series = series, .n_series = 2, .goals = goals, .n_goals = 1 };
        char dir[] = "/tmp/lw-test-evaluate-XXXXXX", path[64];
        StoredEvaluation *ev = NULL;
        GoalResult *res = NULL;
        size_t n = 0, n_ev = 0;
        Store *st = NULL;
        char *err = NULL;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(store_open(dir, &st, &err), 0);
        assert_int_equal(evaluate_all(st, &c, (Date){ 2024, 7, 15 }, UINT64_C(1720000000123456), true, &res, &n,
                                      &err),
                         0);
        goal_results_free(res, n);
        assert_int_equal(store_list_evaluations(st, "g", &ev, &n_ev, &err), 0);
        assert_int_equal(n_ev, 1);
        assert_int_equal(ev[0].at, INT64_C(1720000000123456));
        assert_string_equal(ev[0].eval_date, "2024-07-15");
        store_evaluations_free(ev, n_ev);
        store_close(st);
        for (const char *const *f = (const char *const[]){ "labourwatch.db", "labourwatch.db-wal",
                                                            "labourwatch.db-shm", NULL };
             *f; f++) {
                snprintf(path, sizeof(path), "%s/%s", dir, *f);
                (void) unlink(path);
        }
        assert_int_equal(rmdir(dir), 0);
}

/* A goal without figures whose source is failing (or was never fetched) says "could not be fetched,
 * contact IT", not "not published yet": evaluate_all reads the source states from the store. */
static void test_failing_source(void **state)
{
        char dir[] = "/tmp/lw-test-evaluate-XXXXXX";
        SourceDef sources[] = { { .name = (char *) "jobindsats", .kind = SOURCE_JOBINDSATS },
                                { .name = (char *) "intern", .kind = SOURCE_CSV } };
        SeriesDef series[] = { sdef("m", NULL, 1), sdef("o", NULL, 2) };
        GoalDef goals[] = { {
                .id = (char *) "g", .title_da = (char *) "Andel", .title_en = (char *) "Share", .kind = GOAL_LEVEL,
                .series = (char *) "m", .period = { PERIOD_YEAR, 2024, 0 }, .target = 50,
        }, {
                .id = (char *) "h", .title_da = (char *) "Ordrer", .kind = GOAL_LEVEL,
                .series = (char *) "o", .period = { PERIOD_YEAR, 2024, 0 }, .target = 50,
        } };
        Config c = { .sources = sources, .n_sources = 2, .series = series, .n_series = 2, .goals = goals, .n_goals = 2 };
        GoalResult *res = NULL;
        Store *st = NULL;
        size_t n = 0;
        char *err = NULL;

        series[0].source_def = &sources[0];
        series[1].source_def = &sources[1];
        assert_non_null(mkdtemp(dir));
        assert_int_equal(store_open(dir, &st, &err), 0);
        /* jobindsats: 3 failures in a row; intern: fetched fine */
        assert_int_equal(store_set_source_state(st, "jobindsats", &(SourceState){ .last_attempt = 2, .first_failure = 1,
                                                                                 .consecutive_failures = 3 }, &err), 0);
        assert_int_equal(store_set_source_state(st, "intern", &(SourceState){ .last_attempt = 2, .last_success = 2 }, &err), 0);

        assert_int_equal(evaluate_all(st, &c, (Date){ 2024, 7, 15 }, 0, false, &res, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(res[0].status, GOAL_STATUS_NO_DATA);
        assert_string_equal(res[0].explanation_da,
                            "Målet »Andel« kan ikke vurderes: tallene kunne ikke hentes fra kilden »Jobindsats« (kontakt IT-drift).");
        assert_string_equal(res[0].explanation_en,
                            "The goal “Share” cannot be assessed: the figures could not be fetched from the source "
                            "“Jobindsats” (contact IT operations).");
        assert_string_equal(res[1].explanation_da,
                            "Målet »Ordrer« kan ikke vurderes: der er endnu ikke offentliggjort tal for 2024.");
        goal_results_free(res, n);

        /* a derived series names the failing source of its inputs */
        SeriesDef series3[] = { series[0], series[1], sdef("andel", "100 * m / o", 3) };
        goals[0].series = (char *) "andel";
        c.series = series3;
        c.n_series = 3;
        assert_int_equal(evaluate_all(st, &c, (Date){ 2024, 7, 15 }, 0, false, &res, &n, &err), 0);
        assert_string_equal(res[0].explanation_da,
                            "Målet »Andel« kan ikke vurderes: tallene kunne ikke hentes fra kilden »Jobindsats« (kontakt IT-drift).");
        goal_results_free(res, n);
        goals[0].series = (char *) "m";
        c.series = series;
        c.n_series = 2;

        /* never fetched is the same for a reader: nothing came in */
        assert_int_equal(store_set_source_state(st, "intern", &(SourceState){}, &err), 0);
        assert_int_equal(evaluate_all(st, &c, (Date){ 2024, 7, 15 }, 0, false, &res, &n, &err), 0);
        assert_string_equal(res[1].explanation_da,
                            "Målet »Ordrer« kan ikke vurderes: tallene kunne ikke hentes fra kilden »Jobcentrets egne "
                            "tal« (kontakt IT-drift).");
        assert_string_equal(res[1].explanation_en,
                            "The goal “Ordrer” cannot be assessed: the figures could not be fetched from the source "
                            "“The job centre's own figures” (contact IT operations).");
        goal_results_free(res, n);

        store_close(st);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_derived),
                cmocka_unit_test(test_cycle_and_errors),
                cmocka_unit_test(test_no_store),
                cmocka_unit_test(test_record_time),
                cmocka_unit_test(test_failing_source),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
