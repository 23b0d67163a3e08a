/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

static SourceDef src_da = {.name = (char *) "dst",
                           .kind = SOURCE_STATBANK,
                           .base_url = (char *) "https://api.statbank.dk/v1",
                           .lang = (char *) "da"};

static SourceResponse fixture_response(const char *name, long status, char **ret_buf)
{
        return fixture_response_from("https://api.statbank.dk/v1/x", name, status, ret_buf);
}

static int get_meta(const char *fixture, const TestDef *t, ProviderMeta **ret, char **ret_error)
{
        char *buf;
        SourceResponse resp = fixture_response(fixture, 200, &buf);
        int r = provider_for(SOURCE_STATBANK)->parse_metadata(&src_da, &t->def, &resp, ret, ret_error);
        free(buf);
        return r;
}

static void test_plan_metadata(void **state)
{
        static const struct {
                const char *base, *want;
        } t[] = {
                {"https://api.statbank.dk/v1", "https://api.statbank.dk/v1/tableinfo"},
                {"https://api.statbank.dk/v1/", "https://api.statbank.dk/v1/tableinfo"},
                {"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/tableinfo"},
                {NULL, "https://api.statbank.dk/v1/tableinfo"},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                SourceDef src = src_da;
                TestDef d;
                SourceRequest req = {};
                src.base_url = (char *) t[i].base;
                test_def_init(&d, "fleksjob", "AUK01", NULL, NULL,
                              (const char *[]){"OMRÅDE", "Herlev", NULL});
                assert_int_equal(
                        provider_for(SOURCE_STATBANK)
                                ->plan(&(SourcePlanContext){.source = &src, .series = &d.def}, &req, NULL),
                        SOURCE_PLAN_REQUEST);
                assert_int_equal(req.step, SOURCE_STEP_METADATA);
                assert_string_equal(req.url, t[i].want);
                assert_string_equal(req.body, "{\"table\":\"AUK01\",\"lang\":\"da\",\"format\":\"JSON\"}");
                assert_string_equal(req.content_type, "application/json");
                assert_int_equal(req.auth, SOURCE_AUTH_NONE);
                source_request_done(&req);
        }
}

static void test_resolve_and_plan_data(void **state)
{
        const Provider *p = provider_for(SOURCE_STATBANK);
        TestDef d;
        ProviderMeta *m = NULL;
        SourceRequest req = {};
        char *sel = NULL, *err = NULL;
        Period since = {PERIOD_QUARTER, 2024, 1};

        test_def_init(&d, "fleksjob", "AUK01", NULL, NULL,
                      (const char *[]){"YDELSESTYPE", "fleksjob", "område", "Herlev", NULL});
        assert_int_equal(get_meta("tableinfo_AUK01_da.json", &d, &m, &err), 0);
        assert_string_equal(provider_meta_updated(m), "2024-12-17T08:00:00");
        assert_int_equal(source_selection_string(&d.def, m, &sel), 0);
        assert_string_equal(sel, "YDELSESTYPE=FLEKS,område=163");
        free(sel);

        assert_int_equal(
                p->plan(&(SourcePlanContext){.source = &src_da, .series = &d.def, .meta = m}, &req, &err),
                SOURCE_PLAN_REQUEST);
        assert_int_equal(req.step, SOURCE_STEP_DATA);
        assert_string_equal(req.url, "https://api.statbank.dk/v1/data");
        assert_string_equal(
                req.body,
                "{\"table\":\"AUK01\",\"format\":\"CSV\",\"lang\":\"da\",\"valuePresentation\":\"Code\","
                "\"variables\":[{\"code\":\"YDELSESTYPE\",\"values\":[\"FLEKS\"]},"
                "{\"code\":\"OMRÅDE\",\"values\":[\"163\"]},{\"code\":\"Tid\",\"values\":[\"*\"]}]}");
        source_request_done(&req);

        assert_int_equal(p->plan(
                                 &(SourcePlanContext){
                                         .source = &src_da, .series = &d.def, .meta = m, .since = &since},
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        assert_non_null(strstr(req.body, "{\"code\":\"Tid\",\"values\":[\">=2024K1\"]}"));
        source_request_done(&req);

        /* unchanged since the last data fetch: skip; unless forced; a different stamp fetches */
        assert_int_equal(p->plan(&(SourcePlanContext){.source = &src_da,
                                                      .series = &d.def,
                                                      .meta = m,
                                                      .remote_updated = "2024-12-17T08:00:00"},
                                 &req, &err),
                         SOURCE_PLAN_UNCHANGED);
        assert_null(req.url);
        assert_int_equal(p->plan(&(SourcePlanContext){.source = &src_da,
                                                      .series = &d.def,
                                                      .meta = m,
                                                      .remote_updated = "2024-12-17T08:00:00",
                                                      .force = true},
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        source_request_done(&req);
        assert_int_equal(p->plan(&(SourcePlanContext){.source = &src_da,
                                                      .series = &d.def,
                                                      .meta = m,
                                                      .remote_updated = "2024-09-17T08:00:00"},
                                 &req, &err),
                         SOURCE_PLAN_REQUEST);
        source_request_done(&req);
        provider_meta_free(m);
        assert_null(err);
}

static void test_resolve_errors(void **state)
{
        static const struct {
                const char *dim, *value;
                const char *want; /* NULL: success with code */
                const char *code;
        } t[] = {
                {"OMRÅDE", "163", NULL, "163"},
                {"OMRÅDE", "herlev", NULL, "163"},
                {"område", "LYNGBY-TAARBÆK", NULL, "173"},
                {"YDELSESTYPE", "førtidspension", NULL, "FØP"},
                {"YDELSESTYPE", "fleks", NULL, "FLEKS"}, /* code in another case */
                {"ydelsestype", "Flexjob",
                 "table AUK01, variable YDELSESTYPE: value 'Flexjob' is neither a code nor a text; "
                 "e.g. FLEKS (Fleksjob)",
                 NULL},
                {"OMRÅDE", "Herlevv", "value 'Herlevv'", NULL},
                {"OMRÅDE", "Herlevv", "163 (Herlev)", NULL},
                {"REGION", "163",
                 "table AUK01: variable 'REGION' does not exist; variables: OMRÅDE (område), YDELSESTYPE",
                 NULL},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                TestDef d;
                ProviderMeta *m = NULL;
                char *err = NULL, *sel = NULL;
                test_def_init(&d, "x", "AUK01", NULL, NULL, (const char *[]){t[i].dim, t[i].value, NULL});
                int r = get_meta("tableinfo_AUK01_da.json", &d, &m, &err);
                if (!t[i].want) {
                        if (r != 0)
                                fail_msg("%s=%s: %s", t[i].dim, t[i].value, strna(err));
                        assert_int_equal(source_selection_string(&d.def, m, &sel), 0);
                        assert_non_null(strstr(sel, t[i].code));
                        free(sel);
                        provider_meta_free(m);
                        continue;
                }
                assert_int_equal(r, -ENOENT);
                assert_null(m);
                if (!strstr(err, t[i].want))
                        fail_msg("error '%s' lacks '%s'", err, t[i].want);
                free(err);
        }
}

static void test_required_variable(void **state)
{
        /* a tableinfo where KØN may not be eliminated: the plan refuses before DST would */
        const char *ti = "{\"id\":\"T1\",\"updated\":\"2024-01-01T08:00:00\",\"variables\":["
                         "{\"id\":\"KØN\",\"text\":\"køn\",\"elimination\":false,\"values\":[{\"id\":\"M\","
                         "\"text\":\"Mænd\"}]},"
                         "{\"id\":\"Tid\",\"text\":\"tid\",\"time\":true,\"values\":[{\"id\":\"2024\","
                         "\"text\":\"2024\"}]}]}";
        TestDef d;
        ProviderMeta *m = NULL;
        SourceRequest req = {};
        char *err = NULL;
        SourceResponse resp = {.url = "u", .status = 200, .body = ti, .size = strlen(ti)};

        test_def_init(&d, "x", "T1", NULL, NULL, NULL);
        assert_int_equal(provider_for(SOURCE_STATBANK)->parse_metadata(&src_da, &d.def, &resp, &m, &err), 0);
        assert_int_equal(provider_for(SOURCE_STATBANK)
                                 ->plan(&(SourcePlanContext){.source = &src_da, .series = &d.def, .meta = m},
                                        &req, &err),
                         -EINVAL);
        assert_non_null(strstr(err, "variable KØN (køn) cannot be left out"));
        free(err);
        provider_meta_free(m);
}

typedef struct DataRow {
        const char *fixture;
        long status;
        const char *select[9];
        bool with_meta;
        int want_r;
        const char *want;
} DataRow;

#define HERLEV_FLEKS                                                                                        \
        "2023Q1=372.4,2023Q2=375.1,2023Q3=378.9,2023Q4=381.3,2024Q1=379.8,2024Q2=383.2,2024Q3=385.6"

static const DataRow data_rows[] = {
        {"data_AUK01_csv_da_code.csv",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         true,
         0,
         HERLEV_FLEKS},
        {"data_AUK01_csv_da_code.csv", 200, {"OMRÅDE", "163"}, false, 0, HERLEV_FLEKS},
        {"data_AUK01_csv_da_code_bom.csv",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         true,
         0,
         HERLEV_FLEKS},
        {"data_AUK01_csv_da_code.csv",
         200,
         {"OMRÅDE", "Fredericia", "YDELSESTYPE", "Fleksjob"},
         true,
         0,
         "2023Q1=1102.5,2023Q2=1110,2023Q3=1098.7,2023Q4=1121.3,2024Q1=1130.9,2024Q2=1127.4,2024Q3=.."},
        {"data_AUK01_csv_en_text.csv",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         true,
         0,
         HERLEV_FLEKS},
        {"data_AUK01_csv_en_text.csv",
         200,
         {"OMRÅDE", "163", "YDELSESTYPE", "FLEKS"},
         true,
         0,
         HERLEV_FLEKS},
        {"data_bulk_unsorted.csv",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Sygedagpenge", "KØN", "TOT", "ALDER", "TOT"},
         true,
         0,
         NULL /* checked below: 6 points, 2024Q2 absent */},
        {"data_bulk_unsorted.csv",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         true,
         -EBADMSG,
         "period 2024Q1 occurs more than once for the selection (not fixed: KØN, ALDER)"},
        {"data_jsonstat_bundle.json",
         200,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         true,
         0,
         HERLEV_FLEKS},
        {"data_jsonstat_bundle.json",
         200,
         {"OMRÅDE", "607"},
         false,
         0,
         "2023Q1=1102.5,2023Q2=1110,2023Q3=1098.7,2023Q4=1121.3,2024Q1=1130.9,2024Q2=1127.4,2024Q3=.."},
        {"data_AUK01_csv_da_code.csv",
         200,
         {"OMRÅDE", "Lyngby-Taarbæk"},
         true,
         -ENODATA,
         "none of the 14 rows matches the selection (found e.g. 163, 607)"},
        {"data_empty.csv", 200, {"OMRÅDE", "Herlev"}, true, -ENODATA, "only the header line"},
        {"data_zero.csv", 200, {"OMRÅDE", "Herlev"}, true, -ENODATA, "empty response"},
        {"error_request_limit.json",
         400,
         {"OMRÅDE", "Herlev"},
         true,
         -EREMOTEIO,
         "HTTP 400: REQUEST-LIMIT: Forespørgslen på op mod 6.224.652 celler er over begrænsningen på "
         "1.000.000 celler for denne filtype. Anvend BULK eller andet streaming format i stedet."},
        {"error_notfound.json",
         400,
         {"OMRÅDE", "Herlev"},
         true,
         -EREMOTEIO,
         "HTTP 400: EXTRACT-NOTFOUND: Tabel findes ikke: INVALID123"},
        {"error_notfound_value.json",
         400,
         {"OMRÅDE", "Herlev"},
         true,
         -EREMOTEIO,
         "EXTRACT-NOTFOUND: Can't find value: 999 (OMRÅDE)"},
        {"error_missing.json",
         400,
         {"OMRÅDE", "Herlev"},
         true,
         -EREMOTEIO,
         "REQUEST-MISSING: Format ikke angivet, eller ikke gyldigt."},
        {"error_404.html",
         404,
         {"OMRÅDE", "Herlev"},
         true,
         -EREMOTEIO,
         "HTTP 404 (text/html): 404 - File or directory not found."},
        {"html_200.html", 200, {"OMRÅDE", "Herlev"}, true, -EPROTO, "HTML page"},
        {"malformed_truncated.json", 200, {"OMRÅDE", "Herlev"}, false, -EBADMSG, "invalid JSON"},
};

static void test_parse_data(void **state)
{
        const Provider *p = provider_for(SOURCE_STATBANK);

        for (size_t i = 0; i < ELEMENTSOF(data_rows); i++) {
                const DataRow *row = &data_rows[i];
                TestDef d;
                ProviderMeta *m = NULL;
                Series *s = NULL;
                char *buf, *err = NULL, *note = NULL;
                test_def_init(&d, "x", "AUK01", NULL, NULL, row->select);
                if (row->with_meta && get_meta("tableinfo_AUK01_da.json", &d, &m, &err) < 0)
                        fail_msg("%s: metadata: %s", row->fixture, err);
                SourceResponse resp = fixture_response(row->fixture, row->status, &buf);
                int r = p->parse_data(&src_da, &d.def, m, &resp, &s, &note, &err);
                if (r != row->want_r)
                        fail_msg("%s #%zu: r=%d want %d (%s)", row->fixture, i, r, row->want_r, strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (row->want && !streq(got, row->want))
                                fail_msg("%s #%zu: got %s want %s", row->fixture, i, got, row->want);
                        if (!row->want) {
                                assert_int_equal(s->n_points, 6);
                                assert_null(series_get(s, (Period){PERIOD_QUARTER, 2024, 2}));
                                assert_non_null(series_get(s, (Period){PERIOD_QUARTER, 2024, 3}));
                        }
                        assert_non_null(note);
                        free(got);
                } else if (!strstr(strna(err), row->want))
                        fail_msg("%s #%zu: error '%s' lacks '%s'", row->fixture, i, strna(err), row->want);
                series_free(s);
                provider_meta_free(m);
                free(buf);
                free(err);
                free(note);
        }
}

static void test_metadata_errors(void **state)
{
        static const struct {
                const char *fixture;
                long status;
                int want_r;
                const char *want;
        } t[] = {
                {"error_notfound.json", 400, -EREMOTEIO,
                 "HTTP 400: EXTRACT-NOTFOUND: Tabel findes ikke: INVALID123"},
                {"error_404.html", 404, -EREMOTEIO, "HTTP 404"},
                {"html_200.html", 200, -EPROTO, "HTML"},
                {"malformed_truncated.json", 200, -EBADMSG, "invalid JSON"},
                {"data_zero.csv", 200, -ENODATA, "empty response"},
                /* an error document sent with 200 is the provider's error, not a malformed table */
                {"error_missing.json", 200, -EREMOTEIO,
                 "HTTP 200, but the provider answered with an error message instead of table information "
                 "(JSON): \"REQUEST-MISSING: Format ikke angivet, eller ikke gyldigt.\""},
                {"tableinfo_no_variables.json", 200, -EBADMSG, "without a \"variables\""},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                TestDef d;
                ProviderMeta *m = NULL;
                char *buf, *err = NULL;
                test_def_init(&d, "x", "AUK01", NULL, NULL, NULL);
                SourceResponse resp = fixture_response(t[i].fixture, t[i].status, &buf);
                assert_int_equal(
                        provider_for(SOURCE_STATBANK)->parse_metadata(&src_da, &d.def, &resp, &m, &err),
                        t[i].want_r);
                assert_null(m);
                if (!strstr(err, t[i].want))
                        fail_msg("%s: '%s' lacks '%s'", t[i].fixture, err, t[i].want);
                free(err);
                free(buf);
        }
}

static void test_wrong_content_type(void **state)
{
        TestDef d;
        Series *s = NULL;
        char *buf, *err = NULL;
        test_def_init(&d, "x", "AUK01", NULL, NULL, (const char *[]){"OMRÅDE", "163", NULL});
        SourceResponse resp = fixture_response("data_AUK01_csv_da_code.csv", 200, &buf);
        resp.content_type = "application/json";
        assert_int_equal(
                provider_for(SOURCE_STATBANK)->parse_data(&src_da, &d.def, NULL, &resp, &s, NULL, &err), 0);
        assert_int_equal(s->n_points, 7);
        series_free(s);
        free(buf);
        resp = fixture_response("data_jsonstat_bundle.json", 200, &buf);
        resp.content_type = "text/plain";
        assert_int_equal(
                provider_for(SOURCE_STATBANK)->parse_data(&src_da, &d.def, NULL, &resp, &s, NULL, &err), 0);
        assert_int_equal(s->n_points, 7);
        series_free(s);
        free(buf);
}

static void test_english_tableinfo(void **state)
{
        TestDef d;
        ProviderMeta *m = NULL;
        char *err = NULL, *sel = NULL;
        test_def_init(&d, "x", "AUF01", NULL, NULL,
                      (const char *[]){"region", "All Denmark", "sex", "women", NULL});
        assert_int_equal(get_meta("tableinfo_AUF01_en.json", &d, &m, &err), 0);
        assert_int_equal(source_selection_string(&d.def, m, &sel), 0);
        assert_string_equal(sel, "region=000,sex=K");
        assert_string_equal(provider_meta_updated(m), "2024-11-28T08:00:00");
        free(sel);
        provider_meta_free(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_metadata),     cmocka_unit_test(test_resolve_and_plan_data),
                cmocka_unit_test(test_resolve_errors),    cmocka_unit_test(test_required_variable),
                cmocka_unit_test(test_parse_data),        cmocka_unit_test(test_metadata_errors),
                cmocka_unit_test(test_english_tableinfo), cmocka_unit_test(test_wrong_content_type),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
