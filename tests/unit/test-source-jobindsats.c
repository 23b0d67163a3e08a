/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

static SourceDef src_v3 = {.name = (char *) "star",
                           .kind = SOURCE_JOBINDSATS,
                           .base_url = (char *) "https://api.jobindsats.dk/v3",
                           .api_version = 3};
static SourceDef src_v2 = {.name = (char *) "star2",
                           .kind = SOURCE_JOBINDSATS,
                           .base_url = (char *) "https://api.jobindsats.dk",
                           .api_version = 2};

static SourceResponse fixture(const char *name, long status, char **ret_buf)
{
        return fixture_response_from("https://api.jobindsats.dk/v3/x", name, status, ret_buf);
}

static int meta_from(const SourceDef *src, const char *name, const TestDef *d, ProviderMeta **ret,
                     char **ret_error)
{
        char *buf;
        SourceResponse resp = fixture(name, 200, &buf);
        int r = provider_for(SOURCE_JOBINDSATS)->parse_metadata(src, &d->def, &resp, ret, ret_error);
        free(buf);
        return r;
}

#define M2023                                                                                               \
        "2023M01,2023M02,2023M03,2023M04,2023M05,2023M06,2023M07,2023M08,2023M09,2023M10,2023M11,2023M12"
#define M2024                                                                                               \
        "2024M01,2024M02,2024M03,2024M04,2024M05,2024M06,2024M07,2024M08,2024M09,2024M10,2024M11,2024M12"

static void test_plan_v3(void **state)
{
        const Provider *p = provider_for(SOURCE_JOBINDSATS);
        TestDef d;
        ProviderMeta *m = NULL;
        SourceRequest req = {};
        char *err = NULL, *sel = NULL;
        Period since = {PERIOD_MONTH, 2024, 7};

        test_def_init(&d, "fleksjob_fuldtid", "Y08A02", "Antal fuldtidspersoner", NULL,
                      (const char *[]){"area", "Herlev", NULL});
        d.def.freq = PERIOD_MONTH;
        assert_int_equal(p->plan(&(SourcePlanContext){.source = &src_v3, .series = &d.def}, &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_int_equal(req.step, SOURCE_STEP_METADATA);
        assert_string_equal(req.url, "https://api.jobindsats.dk/v3/table/Y08A02?format=json");
        assert_int_equal(req.auth, SOURCE_AUTH_BEARER);
        assert_null(req.body);
        source_request_done(&req);

        assert_int_equal(meta_from(&src_v3, "v3_table_y08a02.json", &d, &m, &err), 0);
        assert_int_equal(source_selection_string(&d.def, m, &sel), 0);
        assert_string_equal(sel, "area=163,measure=Antal fuldtidspersoner");
        free(sel);
        assert_null(provider_meta_updated(m));
        assert_int_equal(
                p->plan(&(SourcePlanContext){.source = &src_v3, .series = &d.def, .meta = m}, &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_int_equal(req.step, SOURCE_STEP_DATA);
        assert_int_equal(req.auth, SOURCE_AUTH_BEARER);
        assert_string_equal(req.url,
                            "https://api.jobindsats.dk/v3/data/Y08A02?period.M=" M2023 "," M2024
                            "&hierarchy._nykom=163&hierarchy._fleksjobtype=/&mgroup.*=*&format=json");
        source_request_done(&req);
        assert_int_equal(p->plan(
                                 &(SourcePlanContext){
                                         .source = &src_v3, .series = &d.def, .meta = m, .since = &since},
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_string_equal(req.url,
                            "https://api.jobindsats.dk/v3/data/"
                            "Y08A02?period.M=2024M07,2024M08,2024M09,2024M10,2024M11,2024M12"
                            "&hierarchy._nykom=163&hierarchy._fleksjobtype=/&mgroup.*=*&format=json");
        source_request_done(&req);
        provider_meta_free(m);

        /* quarterly series, a second dimension fixed by label, area by value_id through the hierarchy id */
        test_def_init(&d, "x", "y08a02", "Antal personer", NULL,
                      (const char *[]){"Fleksjobtype", "fleksjobtype i alt", "_nykom", "607", NULL});
        d.def.freq = PERIOD_QUARTER;
        assert_int_equal(meta_from(&src_v3, "v3_table_y08a02.json", &d, &m, &err), 0);
        assert_int_equal(
                p->plan(&(SourcePlanContext){.source = &src_v3, .series = &d.def, .meta = m}, &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_string_equal(req.url,
                            "https://api.jobindsats.dk/v3/data/"
                            "y08a02?period.Q=2023Q1,2023Q2,2023Q3,2023Q4,2024Q1,2024Q2,2024Q3,2024Q4"
                            "&hierarchy._fleksjobtype=_i_alt&hierarchy._nykom=607&mgroup.*=*&format=json");
        source_request_done(&req);
        provider_meta_free(m);
        assert_null(err);
}

static void test_resolve_errors(void **state)
{
        static const struct {
                const char *dim, *value, *want;
        } t[] = {
                {"area", "Herlevv",
                 "table Y08A02, dimension _omrade: value 'Herlevv' does not exist; e.g. 163 (Herlev)"},
                {"Område", "Ballerupp", "e.g. 151 (Ballerup) … (10 in all)"},
                {"_kon", "Mænd",
                 "table Y08A02: dimension '_kon' does not exist; dimensions: _omrade (Område), "
                 "_fleksjobtype (Fleksjobtype)"},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                TestDef d;
                ProviderMeta *m = NULL;
                char *err = NULL;
                test_def_init(&d, "x", "Y08A02", "Antal personer", NULL,
                              (const char *[]){t[i].dim, t[i].value, NULL});
                assert_int_equal(meta_from(&src_v3, "v3_table_y08a02.json", &d, &m, &err), -ENOENT);
                assert_null(m);
                if (!strstr(err, t[i].want))
                        fail_msg("'%s' lacks '%s'", err, t[i].want);
                free(err);
        }
}

typedef struct Row {
        const char *fixture;
        long status;
        const char *measure;
        const char *select[5];
        const SourceDef *src;
        const char *meta; /* metadata fixture, or NULL */
        int want_r;
        const char *want;
} Row;

static const Row rows[] = {
        {"v3_data_y08a02.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         "v3_table_y08a02.json",
         0,
         "2024M07=380,2024M08=381,2024M09=382,2024M10=383,2024M11=384,2024M12=385"},
        {"v3_data_y08a02_bom.json",
         200,
         "antal fuldtidspersoner",
         {"Område", "163"},
         &src_v3,
         "v3_table_y08a02.json",
         0,
         "2024M07=380,2024M08=381,2024M09=382,2024M10=383,2024M11=384,2024M12=385"},
        {"v3_data_y08a02.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Fredericia"},
         &src_v3,
         NULL,
         0,
         "2024M07=1150,2024M08=..,2024M09=1152,2024M10=1153,2024M11=1154,2024M12=1155"},
        {"v3_data_y08a02.json",
         200,
         "Antal personer",
         {"area", "Fredericia"},
         &src_v3,
         NULL,
         0,
         "2024M07=1190,2024M08=1191,2024M09=..,2024M10=1193,2024M11=1194,2024M12=1195"},
        {"v3_data_y08a02.json",
         200,
         "Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         0,
         "2024M07=2.1,2024M08=2.2,2024M09=2.3,2024M10=2.4,2024M11=2.5,2024M12=2.6"},
        {"v3_data_numbers.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         "v3_table_y08a02.json",
         0,
         "2024M01=380,2024M02=381.5"},
        {"v2_data_Y08A02.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v2,
         "v2_table_Y08A02.json",
         0,
         "2024M03=379.5,2024M04=..,2024M05=384,2024M06=381"},
        {"v2_data_Y08A02.json",
         200,
         "memba02_2",
         {"area", "herlev"},
         &src_v2,
         NULL,
         0,
         "2024M03=379.5,2024M04=..,2024M05=384,2024M06=381"},
        {"v2_data_Y08A02.csv",
         200,
         "Antal fuldtidspersoner",
         {"Area", "Brøndby"},
         &src_v2,
         NULL,
         0,
         "2021M07=368,2021M08=374,2021M09=376,2021M11=380"},
        {"v2_data_Y30R21.json",
         200,
         "Placering på benchmarkranglisten",
         {"area", "Herlev", "Ydelsesgrupper", "Ydelsesgrupper i alt"},
         &src_v2,
         NULL,
         0,
         "2023QMAT03=10,2023QMAT04=9,2024QMAT01=7,2024QMAT02=8"},
        {"v2_data_Y30R21.json",
         200,
         "Forventet antal",
         {"area", "Herlev", "_ygrp_y30r21", "Ydelsesgrupper i alt"},
         &src_v2,
         NULL,
         0,
         "2023QMAT03=2980,2023QMAT04=2960,2024QMAT01=2970,2024QMAT02=2950"},
        /* the request filtered by value_id; the server spells the area differently: trusted */
        {"v3_data_kommune.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         "v3_table_y08a02.json",
         0,
         "2024M01=380,2024M02=381"},
        /* … but not without metadata (nothing was applied server-side) */
        {"v3_data_kommune.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -ENODATA,
         "found e.g. Herlev Kommune"},
        {"double_encoded.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         0,
         "2024M05=384,2024M06=381"},
        {"json_wrong_content_type.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         0,
         "2024M06=381"},
        {"429_retry_after.json",
         429,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EREMOTEIO,
         "HTTP 429: Too many requests"},
        {"503_retry_after.html",
         503,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EREMOTEIO,
         "HTTP 503 (text/html): 503 Service Unavailable"},
        /* errors */
        {"v2_data_Y30R21.json",
         200,
         "Placering på benchmarkranglisten",
         {"area", "Herlev"},
         &src_v2,
         NULL,
         -EBADMSG,
         "period 2024QMAT02 occurs more than once for the selection (also select: Ydelsesgrupper)"},
        {"v3_data_numbers.json",
         200,
         "Antal fuldtidspersoner",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -ENOENT,
         "the selection refers to 'area', which is not a column; columns: 'period', 'Antal fuldtidspersoner'"},
        {"v3_data_y08a02.json",
         200,
         "Antal ledige",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -ENOENT,
         "measure 'Antal ledige' does not exist; columns: 'Periode', 'Område', 'Fleksjobtype', 'Antal "
         "personer'"},
        {"v3_data_y08a02.json",
         200,
         "Antal personer",
         {"area", "Albertslund"},
         &src_v3,
         NULL,
         -ENODATA,
         "none of the 12 rows matches the selection (found e.g. Herlev, Fredericia)"},
        {"v3_401.json",
         401,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EREMOTEIO,
         "HTTP 401: Not authenticated: expected header 'Authorization: Bearer <token>'"},
        {"v3_422.json",
         422,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EREMOTEIO,
         "HTTP 422: Invalid period type 'X'. Valid types for y08a02: M, Q"},
        {"v2_403_or_401.txt",
         401,
         "Antal personer",
         {"area", "Herlev"},
         &src_v2,
         NULL,
         -EREMOTEIO,
         "HTTP 401: Authorization has been denied for this request."},
        {"html_200.html", 200, "Antal personer", {"area", "Herlev"}, &src_v3, NULL, -EPROTO, "HTML page"},
        {"jsonstat2_truncated.json",
         200,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EBADMSG,
         "invalid JSON"},
        {"data_zero.csv", 200, "Antal personer", {"area", "Herlev"}, &src_v3, NULL, -ENODATA, "empty response"},
        {"jsonstat2_dense.json",
         200,
         "Antal personer",
         {"area", "Herlev"},
         &src_v3,
         NULL,
         -EBADMSG,
         "unknown data format"},
};

static void test_parse_data(void **state)
{
        const Provider *p = provider_for(SOURCE_JOBINDSATS);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *row = &rows[i];
                TestDef d;
                ProviderMeta *m = NULL;
                Series *s = NULL;
                char *buf, *err = NULL, *note = NULL;
                test_def_init(&d, "x", "Y08A02", row->measure, NULL, row->select);
                if (row->meta && meta_from(row->src, row->meta, &d, &m, &err) < 0)
                        fail_msg("#%zu metadata: %s", i, err);
                SourceResponse resp = fixture(row->fixture, row->status, &buf);
                int r = p->parse_data(row->src, &d.def, m, &resp, &s, &note, &err);
                if (r != row->want_r)
                        fail_msg("#%zu %s: r=%d want %d (%s)", i, row->fixture, r, row->want_r, strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (!streq(got, row->want))
                                fail_msg("#%zu %s: got %s want %s", i, row->fixture, got, row->want);
                        assert_non_null(note);
                        free(got);
                } else if (!strstr(strna(err), row->want))
                        fail_msg("#%zu %s: '%s' lacks '%s'", i, row->fixture, strna(err), row->want);
                series_free(s);
                provider_meta_free(m);
                free(buf);
                free(err);
                free(note);
        }
}

static void test_note(void **state)
{
        TestDef d;
        Series *s = NULL;
        char *buf, *note = NULL;
        test_def_init(&d, "x", "Y08A02", "Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år", NULL,
                      (const char *[]){"area", "Herlev", NULL});
        SourceResponse resp = fixture("v3_data_y08a02_bom.json", 200, &buf);
        assert_int_equal(
                provider_for(SOURCE_JOBINDSATS)->parse_data(&src_v3, &d.def, NULL, &resp, &s, &note, NULL),
                0);
        assert_non_null(strstr(note, "v3 {columns, rows}"));
        assert_non_null(strstr(note, "BOM"));
        assert_non_null(strstr(note, "numbers as text with decimal comma"));
        series_free(s);
        free(note);
        free(buf);
}

static void test_v2(void **state)
{
        const Provider *p = provider_for(SOURCE_JOBINDSATS);
        TestDef d;
        ProviderMeta *m = NULL;
        SourceRequest req = {};
        char *err = NULL;
        Period since = {PERIOD_MONTH, 2024, 11};

        test_def_init(&d, "x", "Y08A02", "Antal fuldtidspersoner", NULL,
                      (const char *[]){"area", "herlev", "_fleksjobtype", "Fleksjobtype i alt", NULL});
        d.def.freq = PERIOD_MONTH;
        assert_int_equal(p->plan(&(SourcePlanContext){.source = &src_v2, .series = &d.def}, &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_string_equal(req.url, "https://api.jobindsats.dk/v2/tables/Y08A02/json/");
        assert_int_equal(req.auth, SOURCE_AUTH_RAW);
        source_request_done(&req);
        assert_int_equal(meta_from(&src_v2, "v2_table_Y08A02.json", &d, &m, &err), 0);
        assert_int_equal(p->plan(
                                 &(SourcePlanContext){
                                         .source = &src_v2, .series = &d.def, .meta = m, .since = &since},
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_string_equal(
                req.url, "https://api.jobindsats.dk/v2/data/Y08A02/json/?period=2024M11,2024M12&area=Herlev"
                         "&_fleksjobtype=Fleksjobtype%20i%20alt");
        assert_int_equal(req.auth, SOURCE_AUTH_RAW);
        source_request_done(&req);
        provider_meta_free(m);

        /* QMAT series: the QMAT ids out of the mixed Period list */
        test_def_init(&d, "x", "Y08A02", "Antal fuldtidspersoner", NULL,
                      (const char *[]){"area", "Herlev", NULL});
        d.def.freq = PERIOD_QMAT;
        assert_int_equal(meta_from(&src_v2, "v2_table_Y08A02.json", &d, &m, &err), 0);
        assert_int_equal(
                p->plan(&(SourcePlanContext){.source = &src_v2, .series = &d.def, .meta = m}, &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_non_null(strstr(req.url, "?period=2023QMAT01,2023QMAT02,2023QMAT03,2023QMAT04,2024QMAT01,"));
        source_request_done(&req);
        provider_meta_free(m);

        test_def_init(&d, "x", "Y08A02", "Antal fuldtidspersoner", NULL,
                      (const char *[]){"area", "Herlevv", NULL});
        assert_int_equal(meta_from(&src_v2, "v2_table_Y08A02.json", &d, &m, &err), -ENOENT);
        assert_non_null(strstr(err, "area 'Herlevv' does not exist; e.g. Herlev"));
        free(err);
}

static void test_auth_header(void **state)
{
        char *h = NULL;
        assert_int_equal(source_auth_header(SOURCE_AUTH_BEARER, "abc", &h), 0);
        assert_string_equal(h, "Bearer abc");
        free(h);
        assert_int_equal(source_auth_header(SOURCE_AUTH_RAW, "abc", &h), 0);
        assert_string_equal(h, "abc");
        free(h);
        assert_int_equal(source_auth_header(SOURCE_AUTH_NONE, "abc", &h), -EINVAL);
        assert_int_equal(source_auth_header(SOURCE_AUTH_BEARER, "", &h), -EINVAL);
        assert_string_equal(source_auth_to_string(SOURCE_AUTH_BEARER), "bearer");
        assert_int_equal(source_auth_from_string("raw"), SOURCE_AUTH_RAW);
        assert_int_equal(source_auth_from_string("x"), _SOURCE_AUTH_INVALID);
        assert_string_equal(source_step_to_string(SOURCE_STEP_METADATA), "metadata");
        assert_int_equal(source_step_from_string("data"), SOURCE_STEP_DATA);
        assert_null(provider_for(_SOURCE_KIND_INVALID));
        assert_int_equal(provider_for(SOURCE_JOBINDSATS)->kind, SOURCE_JOBINDSATS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_v3),    cmocka_unit_test(test_resolve_errors),
                cmocka_unit_test(test_parse_data), cmocka_unit_test(test_note),
                cmocka_unit_test(test_v2),         cmocka_unit_test(test_auth_header),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
