/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

typedef struct Row {
        const char *name;
        const char *body;
        size_t size; /* 0: strlen(body) */
        const char *column;
        const char *select[5];
        PeriodFreq freq; /* 0 means "not set" here (mapped to invalid) unless freq_set */
        int want_r;
        const char *want; /* series string, or a substring of the error */
} Row;

#define BOM "\xEF\xBB\xBF"

static const Row rows[] = {
        {"danish",
         "period;ordrer;matchede\n2024M01;12;9\n2024M02;1.234,5;..\n",
         0,
         "ordrer",
         {},
         0,
         0,
         "2024M01=12,2024M02=1234.5"},
        {"danish second column",
         "period;ordrer;matchede\n2024M01;12;9\n2024M02;1.234,5;..\n",
         0,
         "matchede",
         {},
         0,
         0,
         "2024M01=9,2024M02=.."},
        {"english quoted thousands",
         "period,orders\n2024Q1,\"1,234.5\"\n2024Q2,7.25\n",
         0,
         "orders",
         {},
         0,
         0,
         "2024Q1=1234.5,2024Q2=7.25"},
        {"bom crlf",
         BOM "periode;antal\r\n2024K1;3\r\n2024K2;4\r\n",
         0,
         "antal",
         {},
         0,
         0,
         "2024Q1=3,2024Q2=4"},
        {"iso dates are months",
         "dato;antal\n2024-06-30;5\n2024-07;6\n2024-08-01;7\n",
         0,
         "antal",
         {},
         0,
         0,
         "2024M06=5,2024M07=6,2024M08=7"},
        {"missing cells",
         "period;a\n2024M01;\n2024M02;..\n2024M03;-\n2024M04; 3 \n",
         0,
         "a",
         {},
         0,
         0,
         "2024M01=..,2024M02=..,2024M03=..,2024M04=3"},
        {"yearly",
         "period;kurser\n2019;14\n2023;22\n2024;31\n",
         0,
         "kurser",
         {},
         0,
         0,
         "2019=14,2023=22,2024=31"},
        {"unsorted rows",
         "period;a\n2024M03;3\n2024M01;1\n2024M02;2\n",
         0,
         "a",
         {},
         0,
         0,
         "2024M01=1,2024M02=2,2024M03=3"},
        {"period column not first",
         "ordrer;periode\n5;2024K2\n6;2024K1\n",
         0,
         "ordrer",
         {},
         0,
         0,
         "2024Q1=6,2024Q2=5"},
        {"single value column without column:", "period;antal\n2024M01;1\n", 0, NULL, {}, 0, 0, "2024M01=1"},
        {"selection filter",
         "team;period;antal\nNord;2024M01;1\nSyd;2024M01;2\nnord;2024M02;3\n",
         0,
         "antal",
         {"Team", "NORD"},
         0,
         0,
         "2024M01=1,2024M02=3"},
        {"quoted with escapes and newline",
         "navn;period;antal\n\"A \"\"x\"\";\ny\";2024M01;1\nB;2024M02;2\n",
         0,
         "antal",
         {"navn", "A \"x\";\ny"},
         0,
         0,
         "2024M01=1"},
        {"quarterly dates",
         "period;a\n2024-03-31;1\n2024-06-30;2\n",
         0,
         "a",
         {},
         PERIOD_QUARTER,
         0,
         "2024Q1=1,2024Q2=2"},
        {"negative and plain",
         "period;a\n2024M01;-12,5\n2024M02;1000\n",
         0,
         "a",
         {},
         0,
         0,
         "2024M01=-12.5,2024M02=1000"},
        /* errors */
        {"header only", "period;ordrer\n", 0, "ordrer", {}, 0, -ENODATA, "only a header line"},
        {"zero bytes", "", 0, "ordrer", {}, 0, -ENODATA, "empty"},
        {"no row matches",
         "team;period;a\nSyd;2024M01;1\n",
         0,
         "a",
         {"team", "Nord"},
         0,
         -ENODATA,
         "none of the 1 lines"},
        {"duplicate period",
         "period;a\n2024M01;1\n2024M02;2\n2024-01;3\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "t.csv:4:1: period 2024M01 occurs again (first on line 2)"},
        {"ambiguous number",
         "period;a\n2024M01;1.5\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "t.csv:2:9: invalid number '1.5'"},
        {"english grouping",
         "period,a\n2024M01,\"12,34\"\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "t.csv:2:9: invalid number"},
        {"bad period",
         "period;a\n2024M01;1\n2024M13;2\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "t.csv:3:1: invalid period '2024M13'"},
        {"bad period column utf8",
         "område;period;a\nHøje-Taastrup;2024X;2\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "t.csv:2:15: invalid period"},
        {"unknown column",
         "period;ordrer\n2024M01;1\n",
         0,
         "matched",
         {},
         0,
         -ENOENT,
         "column 'matched' does not exist; columns: 'period', 'ordrer'"},
        {"unknown selection column", "period;a\n2024M01;1\n", 0, "a", {"team", "x"}, 0, -ENOENT, "'team'"},
        {"column needed", "period;a;b\n2024M01;1;2\n", 0, NULL, {}, 0, -ENOENT, "2 possible value columns"},
        {"field count", "period;a\n2024M01;1;7\n", 0, "a", {}, 0, -EBADMSG, "t.csv:2: line has 3 fields"},
        {"unterminated quote",
         "period;a\n2024M01;\"1\n",
         0,
         "a",
         {},
         0,
         -EBADMSG,
         "unterminated quote"},
        {"html instead of csv",
         "<!DOCTYPE html><html><title>Login</title></html>",
         0,
         "a",
         {},
         0,
         -EPROTO,
         "HTML"},
        {"mixed frequencies", "period;a\n2024M01;1\n2024K1;2\n", 0, "a", {}, 0, -EBADMSG, "different frequency"},
};

static void test_parse_table(void **state)
{
        const Provider *p = provider_for(SOURCE_CSV);
        SourceDef src = {.name = (char *) "intern", .kind = SOURCE_CSV};

        assert_non_null(p);
        assert_null(p->parse_metadata);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *row = &rows[i];
                TestDef t;
                Series *s = NULL;
                char *err = NULL, *note = NULL;
                test_def_init(&t, "x", NULL, NULL, row->column, row->select);
                t.def.freq = row->freq ? row->freq : _PERIOD_FREQ_INVALID;
                SourceResponse resp = {.url = "file:///data/t.csv",
                                       .status = 200,
                                       .body = row->body,
                                       .size = row->size ? row->size : strlen(row->body)};
                int r = p->parse_data(&src, &t.def, NULL, &resp, &s, &note, &err);
                if (r != row->want_r)
                        fail_msg("%s: r=%d want %d (%s)", row->name, r, row->want_r, strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (!streq(got, row->want))
                                fail_msg("%s: got %s want %s", row->name, got, row->want);
                        assert_non_null(note);
                        assert_string_equal(s->name, "x");
                        free(got);
                        series_free(s);
                } else {
                        assert_null(s);
                        assert_non_null(err);
                        if (!strstr(err, row->want))
                                fail_msg("%s: error '%s' lacks '%s'", row->name, err, row->want);
                }
                free(err);
                free(note);
        }
}

static void test_http_error(void **state)
{
        const Provider *p = provider_for(SOURCE_CSV);
        SourceDef src = {.name = (char *) "intern", .kind = SOURCE_CSV};
        TestDef t;
        Series *s = NULL;
        char *err = NULL;
        SourceResponse resp = {.url = "https://intra.example/r.csv",
                               .status = 404,
                               .content_type = "text/plain",
                               .body = "Not Found\n",
                               .size = 10};

        test_def_init(&t, "x", NULL, NULL, "a", NULL);
        assert_int_equal(p->parse_data(&src, &t.def, NULL, &resp, &s, NULL, &err), -EREMOTEIO);
        assert_string_equal(err, "https://intra.example/r.csv: HTTP 404: Not Found");
        free(err);
}

static void test_note(void **state)
{
        const Provider *p = provider_for(SOURCE_CSV);
        SourceDef src = {.name = (char *) "intern", .kind = SOURCE_CSV};
        TestDef t;
        Series *s = NULL;
        char *err = NULL, *note = NULL;
        const char *body = BOM "period;a\r\n2024M01;1,5\r\n";
        SourceResponse resp = {.url = "file:///x.csv", .status = 200, .body = body, .size = strlen(body)};

        test_def_init(&t, "x", NULL, NULL, "a", NULL);
        assert_int_equal(p->parse_data(&src, &t.def, NULL, &resp, &s, &note, &err), 0);
        assert_non_null(strstr(note, "BOM"));
        assert_non_null(strstr(note, "CRLF"));
        assert_non_null(strstr(note, "Danish"));
        assert_true(s->points[0].value == 1.5);
        series_free(s);
        free(note);
}

static void test_plan(void **state)
{
        static const struct {
                const char *base, *path, *want; /* want NULL: -EINVAL */
        } t[] = {
                {"/srv/lw/data", "rekruttering.csv", "file:///srv/lw/data/rekruttering.csv"},
                {"/srv/lw/data/", "små job.csv", "file:///srv/lw/data/sm%C3%A5%20job.csv"},
                {"file:///srv/data/", "a.csv", "file:///srv/data/a.csv"},
                {NULL, "/abs/a.csv", "file:///abs/a.csv"},
                {"/srv", "/abs/a.csv", "file:///abs/a.csv"},
                {"https://intra.example/tal/", "a.csv", "https://intra.example/tal/a.csv"},
                {"https://intra.example", "https://other.example/b.csv", "https://other.example/b.csv"},
                {"relative/dir", "a.csv", NULL},
                {NULL, "a.csv", NULL},
        };
        const Provider *p = provider_for(SOURCE_CSV);
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                SourceDef src = {
                        .name = (char *) "intern", .kind = SOURCE_CSV, .base_url = (char *) t[i].base};
                TestDef d;
                SourceRequest req = {};
                char *err = NULL;
                test_def_init(&d, "x", NULL, NULL, "a", NULL);
                d.def.path = (char *) t[i].path;
                int r = p->plan(&(SourcePlanContext){.source = &src, .series = &d.def}, &req, &err);
                if (!t[i].want) {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(err);
                        free(err);
                        continue;
                }
                assert_int_equal(r, SOURCE_PLAN_REQUEST);
                assert_int_equal(req.step, SOURCE_STEP_DATA);
                assert_int_equal(req.auth, SOURCE_AUTH_NONE);
                assert_null(req.body);
                assert_string_equal(req.url, t[i].want);
                source_request_done(&req);
        }
}

static void test_fixture_file(void **state)
{
        const Provider *p = provider_for(SOURCE_CSV);
        SourceDef src = {.name = (char *) "intern", .kind = SOURCE_CSV};
        TestDef t;
        Series *s = NULL;
        char *err = NULL;
        size_t size;
        char *body = read_fixture("csv_rekruttering.csv", &size);
        SourceResponse resp = {
                .url = "file:///x/csv_rekruttering.csv", .status = 200, .body = body, .size = size};

        test_def_init(&t, "rekruttering_matchede", NULL, NULL, "matchede", NULL);
        assert_int_equal(p->parse_data(&src, &t.def, NULL, &resp, &s, NULL, &err), 0);
        assert_int_equal(s->n_points, 6);
        assert_int_equal(s->freq, PERIOD_MONTH);
        assert_true(s->points[5].missing);
        series_free(s);
        free(body);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),  cmocka_unit_test(test_http_error),
                cmocka_unit_test(test_note),         cmocka_unit_test(test_plan),
                cmocka_unit_test(test_fixture_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
