/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c: the Prometheus text (pure) and the atomic write. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/metrics.h"

static char *format(const MetricsInput *in)
{
        char *text = NULL;
        assert_int_equal(metrics_format(in, &text), 0);
        assert_non_null(text);
        return text;
}

static void assert_line(const char *text, const char *line)
{
        _cleanup_free_ char *needle = strdup_printf("\n%s\n", line);
        if (!strstr(text, needle))
                fail_msg("missing line: %s\nin:\n%s", line, text);
}

static void assert_no(const char *text, const char *s)
{
        if (strstr(text, s))
                fail_msg("unexpected %s in:\n%s", s, text);
}

static void test_goals(void **state)
{
        GoalDef goals[] = {
                { .id = (char *) "fleksjob-2024", .plan = (char *) "Plan \"A\"" },
                { .id = (char *) "odd\\id\nx", .plan = NULL },
        };
        Config c = { .goals = goals, .n_goals = 2, .plan = (char *) "Beskæftigelsesplan 2024" };
        GoalResult r[] = {
                { .id = (char *) "fleksjob-2024", .status = GOAL_STATUS_AT_RISK, .has_value = true, .value = 381.25,
                  .has_projected = true, .projected = 379, .target = 380, .has_gap = true, .gap = -1 },
                /* no value, a NaN projection that must not be written */
                { .id = (char *) "odd\\id\nx", .status = GOAL_STATUS_NO_DATA, .has_projected = true,
                  .projected = NAN, .target = 5 },
        };
        MetricsInput in = { .config = &c, .results = r, .n_results = 2, .now_usec = 1720000000 * USEC_PER_SEC };
        _cleanup_free_ char *text = format(&in);

        assert_line(text, "# TYPE labourwatch_goal_status gauge");
        assert_line(text, "labourwatch_goal_status{goal=\"fleksjob-2024\",plan=\"Plan \\\"A\\\"\",status=\"at_risk\"} 1");
        assert_line(text, "labourwatch_goal_status{goal=\"fleksjob-2024\",plan=\"Plan \\\"A\\\"\",status=\"on_track\"} 0");
        assert_line(text, "labourwatch_goal_value{goal=\"fleksjob-2024\",plan=\"Plan \\\"A\\\"\"} 381.25");
        assert_line(text, "labourwatch_goal_projected{goal=\"fleksjob-2024\",plan=\"Plan \\\"A\\\"\"} 379");
        assert_line(text, "labourwatch_goal_gap{goal=\"fleksjob-2024\",plan=\"Plan \\\"A\\\"\"} -1");
        /* escaped label value, the config's plan as default */
        assert_line(text, "labourwatch_goal_status{goal=\"odd\\\\id\\nx\",plan=\"Beskæftigelsesplan 2024\",status=\"no_data\"} 1");
        assert_line(text, "labourwatch_goal_target{goal=\"odd\\\\id\\nx\",plan=\"Beskæftigelsesplan 2024\"} 5");
        assert_no(text, "labourwatch_goal_value{goal=\"odd");
        assert_no(text, "labourwatch_goal_projected{goal=\"odd");
        assert_no(text, "NaN");
        assert_no(text, "nan");
        /* every status of every goal: 7 x 2 */
        size_t n = 0;
        for (const char *p = text; (p = strstr(p, "\nlabourwatch_goal_status{")); p++)
                n++;
        assert_int_equal(n, 2 * _GOAL_STATUS_MAX);
        assert_line(text, "labourwatch_last_cycle_timestamp_seconds 1720000000");
        assert_no(text, "labourwatch_outbox"); /* has_outbox false */
}

static void test_sources_and_outbox(void **state)
{
        MetricsSource s[] = {
                { .name = "jobindsats", .last_success_usec = 1719990000 * USEC_PER_SEC + 500000,
                  .last_attempt_usec = 1719990000 * USEC_PER_SEC, .fetched = true,
                  .fetch_duration_usec = 1250000, .fetch_bytes = 123456, .fetch_series = 3 },
                { .name = "never", .consecutive_failures = 4 },
        };
        MetricsInput in = { .sources = s, .n_sources = 2, .has_outbox = true, .outbox_pending = 3,
                            .outbox_oldest_usec = 1719999900 * USEC_PER_SEC, .evaluation_usec = 2500,
                            .now_usec = 1720000000 * USEC_PER_SEC };
        _cleanup_free_ char *text = format(&in);

        assert_line(text, "labourwatch_source_last_success_timestamp_seconds{source=\"jobindsats\"} 1719990000.5");
        assert_no(text, "labourwatch_source_last_success_timestamp_seconds{source=\"never\"}");
        assert_line(text, "labourwatch_source_consecutive_failures{source=\"never\"} 4");
        assert_line(text, "labourwatch_source_consecutive_failures{source=\"jobindsats\"} 0");
        assert_line(text, "labourwatch_source_fetch_duration_seconds{source=\"jobindsats\"} 1.25");
        assert_line(text, "labourwatch_source_fetch_response_bytes{source=\"jobindsats\"} 123456");
        assert_no(text, "labourwatch_source_fetch_response_bytes{source=\"never\"}");
        assert_line(text, "labourwatch_outbox_queue_length 3");
        assert_line(text, "labourwatch_outbox_oldest_age_seconds 100");
        assert_line(text, "labourwatch_evaluation_duration_seconds 0.0025");
        assert_line(text, "# HELP labourwatch_source_fetch_response_bytes Response bodies received by the source's last fetch run.");
}

static void test_write_atomic(void **state)
{
        char dir[] = "/tmp/lw-test-metrics-XXXXXX";
        _cleanup_free_ char *path = NULL, *bad = NULL;
        char buf[64] = {};
        struct stat st;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        path = strdup_printf("%s/x.prom", dir);
        assert_int_equal(metrics_write_atomic(path, "a 1\n"), 0);
        assert_int_equal(metrics_write_atomic(path, "b 2\n"), 0);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof buf, f));
        fclose(f);
        assert_string_equal(buf, "b 2\n");
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        bad = strdup_printf("%s/missing/x.prom", dir);
        assert_int_equal(metrics_write_atomic(bad, "c 3\n"), -ENOENT);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_goals),
                cmocka_unit_test(test_sources_and_outbox),
                cmocka_unit_test(test_write_atomic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
