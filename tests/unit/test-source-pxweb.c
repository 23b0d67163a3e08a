/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PxWeb (issue 11 §3): metadata GET, selections by code or text resolved through it, the data POST
 * in PxWeb's query shape asking for json-stat2, the answer read by the JSON-stat parser, time codes
 * from `since`, an unchanged `updated` skipping the data, and the service's error texts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "source-test.h"

static const SourceDef src = { .name = (char *) "scb",
                               .kind = SOURCE_PXWEB,
                               .base_url = (char *) "https://api.scb.se/OV0104/v1/doris/sv/ssd/" };

static ProviderMeta *meta_for(const SeriesDef *def, const char *fixture, int want_r, char **ret_error)
{
        ProviderMeta *m = NULL;
        char *buf;
        SourceResponse resp = fixture_response_from("https://api.scb.se/x", fixture, 200, &buf);
        assert_int_equal(provider_for(SOURCE_PXWEB)->parse_metadata(&src, def, &resp, &m, ret_error),
                         want_r);
        free(buf);
        return m;
}

static void test_flow(void **state)
{
        const char *sel[] = { "region", "stockholm", NULL };
        const Provider *p = provider_for(SOURCE_PXWEB);
        SourceRequest req = {};
        ProviderMeta *m;
        Series *s = NULL;
        char *buf, *err = NULL, *note = NULL;
        json_t *body;
        TestDef d;

        (void) state;
        test_def_init(&d, "arbetslosa_sthlm", "AM/AM0210/AM0210A/ArbStatusM", "Antal arbetslösa", NULL, sel);
        d.def.freq = PERIOD_MONTH;
        /* 1. metadata by GET */
        assert_int_equal(p->plan(&(SourcePlanContext){ .source = &src, .series = &d.def }, &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_int_equal(req.step, SOURCE_STEP_METADATA);
        assert_string_equal(req.url,
                            "https://api.scb.se/OV0104/v1/doris/sv/ssd/AM/AM0210/AM0210A/ArbStatusM");
        assert_null(req.body);
        source_request_done(&req);
        /* 2. texts resolved to codes */
        m = meta_for(&d.def, "pxweb_meta_scb.json", 0, &err);
        /* 3. the data POST: Region and ContentsCode by code, Kon left to the service (elimination),
         * every month */
        assert_int_equal(
                p->plan(&(SourcePlanContext){ .source = &src, .series = &d.def, .meta = m }, &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_int_equal(req.step, SOURCE_STEP_DATA);
        assert_string_equal(req.content_type, "application/json");
        body = json_loads(req.body, 0, NULL);
        assert_non_null(body);
        {
                json_t *want = json_loads(
                        "{\"query\": [{\"code\": \"Region\", \"selection\": {\"filter\": \"item\", "
                        "\"values\": [\"0180\"]}},"
                        " {\"code\": \"ContentsCode\", \"selection\": {\"filter\": \"item\", \"values\": "
                        "[\"000006TJ\"]}},"
                        " {\"code\": \"Tid\", \"selection\": {\"filter\": \"all\", \"values\": [\"*\"]}}],"
                        " \"response\": {\"format\": \"json-stat2\"}}",
                        0, NULL);
                if (!json_equal(body, want))
                        fail_msg("query body %s", req.body);
                json_decref(want);
        }
        json_decref(body);
        source_request_done(&req);
        /* 4. from `since` on: the time codes listed in the metadata */
        Period since = { PERIOD_MONTH, 2024, 4 };
        assert_int_equal(
                p->plan(&(SourcePlanContext){ .source = &src, .series = &d.def, .meta = m, .since = &since },
                        &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_non_null(strstr(
                req.body, "{\"code\":\"Tid\",\"selection\":{\"filter\":\"item\",\"values\":[\"2024M04\","
                          "\"2024M05\",\"2024M06\"]}}"));
        source_request_done(&req);
        /* 5. the json-stat2 answer */
        SourceResponse resp =
                fixture_response_from("https://api.scb.se/x", "pxweb_data_scb.json", 200, &buf);
        assert_int_equal(p->parse_data(&src, &d.def, m, &resp, &s, &note, &err), 0);
        {
                char *got = series_to_test_string(s);
                assert_string_equal(got,
                                    "2024M01=31204,2024M02=30877,2024M03=30110,2024M04=29880,2024M05=29501,"
                                    "2024M06=..");
                free(got);
        }
        series_free(s);
        free(note);
        free(buf);
        provider_meta_free(m);
}

static void test_updated(void **state)
{
        const char *sel[] = { "Region", "0180", NULL };
        const Provider *p = provider_for(SOURCE_PXWEB);
        SourceRequest req = {};
        char *err = NULL;
        ProviderMeta *m;
        TestDef d;

        (void) state;
        test_def_init(&d, "x", "AM/AM0210/AM0210A/ArbStatusM", "000006TJ", NULL, sel);
        d.def.freq = PERIOD_MONTH;
        m = meta_for(&d.def, "pxweb_meta_scb_updated.json", 0, &err);
        assert_string_equal(provider_meta_updated(m), "2024-07-15T08:00:00");
        assert_int_equal(p->plan(&(SourcePlanContext){ .source = &src,
                                                       .series = &d.def,
                                                       .meta = m,
                                                       .remote_updated = "2024-07-15T08:00:00" },
                                 &req, &err),
                         SOURCE_PLAN_UNCHANGED);
        assert_int_equal(p->plan(&(SourcePlanContext){ .source = &src,
                                                       .series = &d.def,
                                                       .meta = m,
                                                       .remote_updated = "2024-06-14T08:00:00" },
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        source_request_done(&req);
        provider_meta_free(m);
}

static void test_errors(void **state)
{
        static const struct {
                const char *dim, *value, *measure;
                int want_r;
                const char *want;
        } t[] = {
                { "Region", "Stokholm", "Antal arbetslösa", -ENOENT,
                  "variable Region: value 'Stokholm' is neither a code nor a text; e.g. 0180 (Stockholm)" },
                { "kommun", "0180", "Antal arbetslösa", -ENOENT,
                  "variable 'kommun' does not exist; variables: Region (region), Kon (kön), ContentsCode" },
                { "Region", "0180", "Antal", -ENOENT, "variable ContentsCode: value 'Antal' is neither" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                const char *sel[] = { t[i].dim, t[i].value, NULL };
                char *err = NULL;
                TestDef d;
                test_def_init(&d, "x", "AM/AM0210", t[i].measure, NULL, sel);
                d.def.freq = PERIOD_MONTH;
                assert_null(meta_for(&d.def, "pxweb_meta_scb.json", t[i].want_r, &err));
                if (!strstr(strna(err), t[i].want))
                        fail_msg("#%zu: '%s' lacks '%s'", i, strna(err), t[i].want);
                free(err);
        }
        /* ContentsCode cannot be eliminated: without measure: the plan says what to give */
        {
                const char *sel[] = { "Region", "0180", NULL };
                SourceRequest req = {};
                char *err = NULL;
                ProviderMeta *m;
                TestDef d;
                test_def_init(&d, "x", "AM/AM0210", NULL, NULL, sel);
                m = meta_for(&d.def, "pxweb_meta_scb.json", 0, &err);
                assert_int_equal(
                        provider_for(SOURCE_PXWEB)
                                ->plan(&(SourcePlanContext){ .source = &src, .series = &d.def, .meta = m },
                                       &req, &err),
                        -EINVAL);
                assert_non_null(strstr(
                        err, "variable ContentsCode (tabellinnehåll) cannot be left out; give a value in "
                             "measure:"));
                free(err);
                provider_meta_free(m);
        }
        /* the service's own words for 400/403/429 */
        {
                static const struct {
                        const char *fixture;
                        long status;
                        const char *want;
                } e[] = {
                        { "pxweb_400.txt", 400, "HTTP 400: Parameter error: the value 9999 does not exist" },
                        { "pxweb_403.txt", 403,
                          "HTTP 403: The request exceeds the maximum number of values" },
                        { "pxweb_429.txt", 429, "HTTP 429: 429 - Too many requests in too short timeframe" },
                };
                for (size_t i = 0; i < ELEMENTSOF(e); i++) {
                        Series *s = NULL;
                        char *buf, *err = NULL;
                        TestDef d;
                        test_def_init(&d, "x", "AM/AM0210", NULL, NULL, NULL);
                        SourceResponse resp = fixture_response_from("https://api.scb.se/x", e[i].fixture,
                                                                    e[i].status, &buf);
                        assert_int_equal(provider_for(SOURCE_PXWEB)
                                                 ->parse_data(&src, &d.def, NULL, &resp, &s, NULL, &err),
                                         -EREMOTEIO);
                        if (!strstr(err, e[i].want))
                                fail_msg("%s: '%s' lacks '%s'", e[i].fixture, err, e[i].want);
                        free(err);
                        free(buf);
                }
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flow),
                cmocka_unit_test(test_updated),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
