/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The helpers every provider and the fetch pipeline share (include/labourwatch/source.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

static void test_parse_period(void **state)
{
        static const struct {
                const char *in;
                PeriodFreq date_freq;
                const char *want; /* NULL: -EINVAL */
        } t[] = {
                {"2024M06", _PERIOD_FREQ_INVALID, "2024M06"},
                {"2024K2", _PERIOD_FREQ_INVALID, "2024Q2"},
                {"2024Q2", _PERIOD_FREQ_INVALID, "2024Q2"},
                {"2024", _PERIOD_FREQ_INVALID, "2024"},
                {"2024QMAT02", _PERIOD_FREQ_INVALID, "2024QMAT02"},
                {"2024H1", _PERIOD_FREQ_INVALID, "2024H1"},
                {"2024-06", _PERIOD_FREQ_INVALID, "2024M06"},
                {"2024-Q2", _PERIOD_FREQ_INVALID, "2024Q2"},
                {"2024-S2", _PERIOD_FREQ_INVALID, "2024H2"},
                {"2024-06-30", _PERIOD_FREQ_INVALID, "2024M06"},
                {"2024-06-30", PERIOD_QUARTER, "2024Q2"},
                {"2024-06-30", PERIOD_QMAT, "2024M06"},
                {" 2024M06 ", _PERIOD_FREQ_INVALID, "2024M06"},
                {"2024-13", _PERIOD_FREQ_INVALID, NULL},
                {"2024-02-30", _PERIOD_FREQ_INVALID, NULL},
                {"2020U01", _PERIOD_FREQ_INVALID, NULL},
                {"2024-Q5", _PERIOD_FREQ_INVALID, NULL},
                {"", _PERIOD_FREQ_INVALID, NULL},
                {"2024-6", _PERIOD_FREQ_INVALID, NULL},
                {"abcd-06", _PERIOD_FREQ_INVALID, NULL},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                Period p;
                char buf[PERIOD_STRING_MAX];
                int r = source_parse_period(t[i].in, strlen(t[i].in), t[i].date_freq, &p);
                if (!t[i].want) {
                        if (r != -EINVAL)
                                fail_msg("%s: accepted", t[i].in);
                        continue;
                }
                if (r < 0)
                        fail_msg("%s: %d", t[i].in, r);
                assert_string_equal(period_to_string(p, buf), t[i].want);
        }
}

static void test_html_empty(void **state)
{
        static const struct {
                const char *body, *ctype;
                bool html;
        } t[] = {
                {"<!DOCTYPE html><html></html>", NULL, true},
                {"\xEF\xBB\xBF\r\n  <HTML><body>x</body></HTML>", "application/json", true},
                {"<head><title>x</title></head>", NULL, true},
                {"{\"a\":1}", "text/html; charset=utf-8", true},
                {"{\"a\":1}", "application/json", false},
                {"OMRÅDE;TID;INDHOLD\n", "text/csv", false},
                {"<?xml version=\"1.0\"?><x/>", NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (source_body_is_html(t[i].body, strlen(t[i].body), t[i].ctype) != t[i].html)
                        fail_msg("#%zu", i);
        assert_true(source_body_is_empty("", 0));
        assert_true(source_body_is_empty(NULL, 0));
        assert_true(source_body_is_empty("\xEF\xBB\xBF \r\n", 6));
        assert_false(source_body_is_empty("a", 1));
}

static void test_describe_error(void **state)
{
        static const struct {
                long status;
                const char *ctype, *body, *want;
        } t[] = {
                {400, "application/json",
                 "{\"errorTypeCode\":\"REQUEST-LIMIT\",\"message\":\"For mange celler.\"}",
                 "HTTP 400: REQUEST-LIMIT: For mange celler."},
                {401, "application/json",
                 "{\"Message\":\"Authorization has been denied for this request.\"}",
                 "HTTP 401: Authorization has been denied for this request."},
                {422, "application/json",
                 "{\"detail\":[{\"loc\":[\"query\"],\"msg\":\"bad period\"},{\"msg\":\"bad area\"}]}",
                 "HTTP 422: bad period; bad area"},
                {403, "application/problem+json",
                 "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}", "HTTP 403: Forbidden"},
                {500, "application/json", "{\"error\":{\"message\":\"boom\"}}", "HTTP 500: boom"},
                {404, "text/html", "<html><head><title>404 - Not Found</title></head></html>",
                 "HTTP 404 (text/html): 404 - Not Found"},
                {503, "text/plain", "Service Unavailable\r\nmore", "HTTP 503: Service Unavailable"},
                {502, NULL, "", "HTTP 502 (empty response)"},
                {500, "text/plain", "bad\x01thing", "HTTP 500: bad?thing"},
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                SourceResponse resp = {.url = "u",
                                       .status = t[i].status,
                                       .content_type = t[i].ctype,
                                       .body = t[i].body,
                                       .size = strlen(t[i].body)};
                char *s = source_describe_error(SOURCE_STATBANK, &resp);
                if (!s || !streq(s, t[i].want))
                        fail_msg("#%zu: got '%s' want '%s'", i, strna(s), t[i].want);
                free(s);
        }
        /* long bodies are cut */
        char big[2000];
        memset(big, 'x', sizeof(big));
        SourceResponse resp = {.url = "u", .status = 500, .body = big, .size = sizeof(big)};
        char *s = source_describe_error(SOURCE_CSV, &resp);
        assert_true(strlen(s) < 340);
        free(s);
}

static void test_selection_string(void **state)
{
        TestDef d;
        char *s = NULL;
        test_def_init(&d, "x", "T", "Antal personer", NULL,
                      (const char *[]){"YDELSESTYPE", "Fleksjob", "OMRÅDE", "Herlev", NULL});
        assert_int_equal(source_selection_string(&d.def, NULL, &s), 0);
        assert_string_equal(s, "OMRÅDE=Herlev,YDELSESTYPE=Fleksjob,measure=Antal personer");
        free(s);
        test_def_init(&d, "x", NULL, NULL, "ordrer", NULL);
        assert_int_equal(source_selection_string(&d.def, NULL, &s), 0);
        assert_string_equal(s, "column=ordrer");
        free(s);
        test_def_init(&d, "x", NULL, NULL, NULL, NULL);
        assert_int_equal(source_selection_string(&d.def, NULL, &s), 0);
        assert_string_equal(s, "");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_period),
                cmocka_unit_test(test_html_empty),
                cmocka_unit_test(test_describe_error),
                cmocka_unit_test(test_selection_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
