/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

typedef struct Row {
        const char *fixture; /* or NULL: use body */
        const char *body;
        const char *table;
        const char *measure;
        const char *select[7];
        int want_r;
        const char *want;
} Row;

static const Row rows[] = {
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         NULL,
         {"geo", "Herlev"},
         0,
         "2024M04=380,2024M05=384,2024M06=.."},
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         NULL,
         {"area", "607"},
         0,
         "2024M04=1201,2024M05=1190,2024M06=1185"},
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         "full-time persons",
         {"GEO", "fredericia"},
         0,
         "2024M04=1201,2024M05=1190,2024M06=1185"},
        {"jsonstat2_sparse_status_string.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         0,
         "2024M04=380,2024M05=384,2024M06=.."},
        {"jsonstat2_status_array.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         0,
         "2024M04=380,2024M05=384,2024M06=.."},
        {"jsonstat2_eurostat_sparse.json",
         NULL,
         NULL,
         NULL,
         {"geo", "DK"},
         0,
         "2024M01=6.1,2024M02=6,2024M03=5.9,2024M04=6"},
        {"jsonstat2_eurostat_sparse.json",
         NULL,
         NULL,
         NULL,
         {"geo", "Sweden"},
         0,
         "2024M01=4.8,2024M02=4.9,2024M03=..,2024M04=5"},
        {"jsonstat2_eurostat_sparse.json",
         NULL,
         NULL,
         NULL,
         {"geo", "SE", "time", "2024-02"},
         0,
         "2024M02=4.9"},
        {"jsonstat2_quarters_constant.json",
         NULL,
         NULL,
         NULL,
         {},
         0,
         "2023Q3=1.5,2023Q4=2.25,2024Q1=-0.5,2024Q2=3"},
        {"jsonstat1_ssb_bundle.json",
         NULL,
         "ssb/08931",
         NULL,
         {},
         0,
         "2024M01=12210,2024M02=12034,2024M03=11890,2024M04=.."},
        {NULL,
         "\xEF\xBB\xBF{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[\"time\"],\"size\":[2],"
         "\"dimension\":{\"time\":{\"category\":{\"index\":[\"2024\",\"2025\"]}}},\"value\":[1e3,\"2,5\"]}",
         NULL,
         NULL,
         {},
         0,
         "2024=1000,2025=2.5"},
        {NULL,
         "{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[\"TIME_PERIOD\"],\"size\":[2],"
         "\"dimension\":{\"TIME_PERIOD\":{\"category\":{\"index\":[\"2024-S1\",\"2024-S2\"]}}},\"value\":[1,"
         "2]}",
         NULL,
         NULL,
         {},
         0,
         "2024H1=1,2024H2=2"},
        /* selection errors */
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         NULL,
         {},
         -ENOENT,
         "dimension 'geo' (area) has 2 categories and must be chosen in select:; categories: 163 (Herlev), 607 "
         "(Fredericia)"},
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         NULL,
         {"geo", "Ballerup"},
         -ENOENT,
         "dimension 'geo' has no category 'Ballerup'; categories: 163 (Herlev), 607 (Fredericia)"},
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         NULL,
         {"region", "163"},
         -ENOENT,
         "dimension 'region' does not exist; dimensions: metric, geo, time"},
        {"jsonstat2_dense.json",
         NULL,
         NULL,
         "persons",
         {"geo", "163"},
         -ENOENT,
         "measure 'persons' does not exist"},
        /* structure errors */
        {"jsonstat2_invalid_value_length.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "\"value\" has 5 elements, but the product of size is 6"},
        {"jsonstat2_invalid_id_size_mismatch.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "\"id\" has 3 dimensions, \"size\" 2"},
        {"jsonstat2_invalid_dimension_key_not_id.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "dimension 'geo' from id does not exist"},
        {"jsonstat2_invalid_sparse_key_range.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "key \"6\" in sparse \"value\" is outside 0..5"},
        {"jsonstat2_invalid_role_unknown_id.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "role.geo refers to an unknown dimension"},
        {"jsonstat2_invalid_status_length.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "\"status\" has 2 elements, \"value\" 6"},
        {"jsonstat2_invalid_index_count.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "'geo' has 3 categories in index, but size says 2"},
        {"jsonstat2_invalid_index_position.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "category '2024M05' has an invalid"},
        {"jsonstat2_invalid_time_code.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "time category '2024W04'"},
        {"jsonstat2_invalid_duplicate_period.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "period 2024M04 occurs twice"},
        {"jsonstat2_invalid_value_string.json",
         NULL,
         NULL,
         NULL,
         {"geo", "607"},
         -EBADMSG,
         "\"value\" must contain numbers or null"},
        {"jsonstat2_truncated.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "the response ends too early"},
        {"jsonstat2_trailing_garbage.json",
         NULL,
         NULL,
         NULL,
         {"geo", "163"},
         -EBADMSG,
         "characters after the end of the JSON document"},
        {"jsonstat2_collection.json",
         NULL,
         NULL,
         NULL,
         {},
         -EBADMSG,
         "class \"collection\" is not supported"},
        {"error_404.html", NULL, NULL, NULL, {}, -EPROTO, "HTML"},
        {NULL, "", NULL, NULL, {}, -ENODATA, "empty response"},
        {NULL,
         "{\"a\":{\"value\":[1]},\"b\":{}}",
         NULL,
         NULL,
         {},
         -EBADMSG,
         "bundle with 2 datasets; choose one with dataset: (or table: ADDRESS#NAME): a, b"},
        {NULL,
         "{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[\"x\"],\"size\":[1],"
         "\"dimension\":{\"x\":{\"category\":{\"index\":[\"a\"]}}},\"value\":[1]}",
         NULL,
         NULL,
         {},
         -EBADMSG,
         "no time dimension"},
        {NULL,
         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
         NULL,
         NULL,
         {},
         -EBADMSG,
         "invalid JSON"},
};

static void test_table(void **state)
{
        const Provider *p = provider_for(SOURCE_JSONSTAT);
        SourceDef src = {.name = (char *) "eurostat",
                         .kind = SOURCE_JSONSTAT,
                         .base_url = (char *) "https://ec.europa.eu"};

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *row = &rows[i];
                TestDef d;
                Series *s = NULL;
                char *buf = NULL, *err = NULL, *note = NULL;
                size_t size;
                test_def_init(&d, "x", row->table, row->measure, NULL, row->select);
                if (row->fixture)
                        buf = read_fixture(row->fixture, &size);
                SourceResponse resp = {.url = "https://ec.europa.eu/x",
                                       .status = 200,
                                       .content_type = row->fixture && strstr(row->fixture, ".html")
                                                               ? "text/html"
                                                               : "application/json",
                                       .body = buf ? buf : row->body,
                                       .size = buf ? size : strlen(row->body)};
                int r = p->parse_data(&src, &d.def, NULL, &resp, &s, &note, &err);
                if (r != row->want_r)
                        fail_msg("#%zu %s: r=%d want %d (%s)", i, strna(row->fixture), r, row->want_r,
                                 strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (!streq(got, row->want))
                                fail_msg("#%zu %s: got %s want %s", i, strna(row->fixture), got, row->want);
                        assert_non_null(note);
                        free(got);
                } else {
                        assert_null(s);
                        if (!strstr(strna(err), row->want))
                                fail_msg("#%zu %s: error '%s' lacks '%s'", i, strna(row->fixture),
                                         strna(err), row->want);
                }
                series_free(s);
                free(buf);
                free(err);
                free(note);
        }
}

static void test_plan(void **state)
{
        SourceDef src = {
                .name = (char *) "eurostat",
                .kind = SOURCE_JSONSTAT,
                .base_url = (char *) "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/"};
        TestDef d;
        SourceRequest req = {};
        test_def_init(&d, "x", "une_rt_m?geo=DK&sex=T&format=JSON", NULL, NULL, NULL);
        assert_int_equal(provider_for(SOURCE_JSONSTAT)
                                 ->plan(&(SourcePlanContext){.source = &src, .series = &d.def}, &req, NULL),
                         SOURCE_PLAN_REQUEST);
        assert_string_equal(req.url, "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/"
                                     "une_rt_m?geo=DK&sex=T&format=JSON");
        assert_string_equal(req.accept, "application/json");
        assert_int_equal(req.step, SOURCE_STEP_DATA);
        assert_null(provider_for(SOURCE_JSONSTAT)->parse_metadata);
        source_request_done(&req);
}

static void test_http_error(void **state)
{
        SourceDef src = {.name = (char *) "e", .kind = SOURCE_JSONSTAT};
        const char *body = "{\"version\":\"2.0\",\"class\":\"error\",\"error\":[{\"status\":\"400\","
                           "\"label\":\"Invalid dimension\"}]}";
        SourceResponse resp = {.url = "https://x/y", .status = 400, .body = body, .size = strlen(body)};
        TestDef d;
        Series *s = NULL;
        char *err = NULL;
        test_def_init(&d, "x", NULL, NULL, NULL, NULL);
        assert_int_equal(
                provider_for(SOURCE_JSONSTAT)->parse_data(&src, &d.def, NULL, &resp, &s, NULL, &err),
                -EREMOTEIO);
        assert_non_null(strstr(err, "HTTP 400"));
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_http_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
