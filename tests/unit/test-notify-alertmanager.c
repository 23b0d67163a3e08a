/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify-alertmanager.c: the /api/v2/alerts body of a rendered notice. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "labourwatch/macro.h"
#include "labourwatch/notify.h"

#define NOW (INT64_C(1721023200) * 1000000) /* 2024-07-15T06:00:00Z */

static json_t *body(const char *notice)
{
        _cleanup_free_ char *out = NULL, *err = NULL;
        json_t *j;

        assert_int_equal(notify_alertmanager_body(notice, NOW, &out, &err), 0);
        j = json_loads(out, 0, NULL);
        assert_true(json_is_array(j));
        return j;
}

static const char *get(const json_t *a, const char *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(a, obj), key));
}

static void test_firing_and_resolved(void **state)
{
        static const char notice[] =
                "{\"version\":1,\"type\":\"goals\",\"plan\":\"Plan 2024\",\"municipality\":\"Herlev Kommune\","
                "\"events\":["
                "{\"goal\":\"a\",\"title_da\":\"Titel\",\"title_en\":\"Title\",\"event\":\"firing\","
                "\"status\":\"off_track\",\"previous_status\":\"on_track\",\"explanation\":\"på dansk\","
                "\"explanation_en\":\"in English\",\"period\":\"2024M06\"},"
                "{\"goal\":\"b\",\"plan\":\"Other plan\",\"event\":\"resolved\",\"status\":\"on_track\","
                "\"previous_status\":\"at_risk\"}]}";
        json_t *j = body(notice);
        const json_t *a = json_array_get(j, 0), *b = json_array_get(j, 1);

        assert_int_equal(json_array_size(j), 2);
        assert_string_equal(get(a, "labels", "alertname"), "LabourwatchGoal");
        assert_string_equal(get(a, "labels", "goal"), "a");
        assert_string_equal(get(a, "labels", "status"), "off_track");
        assert_string_equal(get(a, "labels", "plan"), "Plan 2024");
        assert_string_equal(get(a, "labels", "municipality"), "Herlev Kommune");
        assert_string_equal(get(a, "annotations", "summary"), "Title");
        assert_string_equal(get(a, "annotations", "summary_da"), "Titel");
        assert_string_equal(get(a, "annotations", "description"), "in English");
        assert_string_equal(get(a, "annotations", "description_da"), "på dansk");
        assert_string_equal(json_string_value(json_object_get(a, "startsAt")), "2024-07-15T06:00:00Z");
        assert_string_equal(json_string_value(json_object_get(a, "endsAt")), "2024-07-18T06:00:00Z");

        /* the recovery carries the labels of the alert that fired, and ends now */
        assert_string_equal(get(b, "labels", "status"), "at_risk");
        assert_string_equal(get(b, "labels", "plan"), "Other plan");
        assert_string_equal(get(b, "annotations", "current_status"), "on_track");
        assert_null(json_object_get(json_object_get(b, "annotations"), "summary")); /* absent, not null */
        assert_string_equal(json_string_value(json_object_get(b, "endsAt")), "2024-07-15T06:00:00Z");
        json_decref(j);
}

static void test_no_municipality_and_test_notice(void **state)
{
        json_t *j = body("{\"version\":1,\"type\":\"test\",\"plan\":\"P\",\"municipality\":null,\"events\":[]}");

        assert_int_equal(json_array_size(j), 1);
        assert_string_equal(get(json_array_get(j, 0), "labels", "alertname"), "LabourwatchTest");
        assert_null(json_object_get(json_object_get(json_array_get(j, 0), "labels"), "municipality"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "endsAt")), "2024-07-15T06:05:00Z");
        json_decref(j);
}

static void test_not_a_notice(void **state)
{
        _cleanup_free_ char *out = NULL, *err = NULL;

        assert_int_equal(notify_alertmanager_body("[1,2]", NOW, &out, &err), -EINVAL);
        assert_non_null(err);
        assert_null(out);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_firing_and_resolved),
                cmocka_unit_test(test_no_municipality_and_test_notice),
                cmocka_unit_test(test_not_a_notice),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
