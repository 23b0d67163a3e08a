/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Provider error messages that arrive with status 200 (issue 11 §2): every provider refuses them
 * with the provider's own text quoted (-EREMOTEIO), never as an empty table or "unknown data
 * format"; data that merely resembles an error (a bundle whose dataset is called "message", a
 * double-encoded document) is still data. And the Jobindsats "v3 requires Bearer" hint appears only
 * when no Bearer header was sent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

typedef struct Row {
        SourceKind kind;
        bool metadata;   /* parse_metadata instead of parse_data */
        int api_version; /* jobindsats */
        const char *fixture;
        const char *body; /* when no fixture */
        int want_r;
        const char *want; /* in the error message */
} Row;

#define WRONG_KEY "{\"Forkert nøgle eller nøglen er udløbet.\": \"\"}"

static const Row rows[] = {
        /* Jobindsats' answer to a wrong or expired key, in every step and version */
        { SOURCE_JOBINDSATS, true, 3, "jobindsats_wrong_key_200.json", NULL, -EREMOTEIO,
          "HTTP 200, but the provider answered with an error message instead of table metadata (JSON): "
          "\"Forkert nøgle eller nøglen er udløbet.\"" },
        { SOURCE_JOBINDSATS, false, 3, "jobindsats_wrong_key_200.json", NULL, -EREMOTEIO,
          "instead of data: \"Forkert nøgle eller nøglen er udløbet.\"" },
        { SOURCE_JOBINDSATS, true, 2, NULL, WRONG_KEY, -EREMOTEIO,
          "Forkert nøgle eller nøglen er udløbet." },
        { SOURCE_JOBINDSATS, false, 2, NULL, "[" WRONG_KEY "]", -EREMOTEIO, "Forkert nøgle" },
        { SOURCE_JOBINDSATS, false, 3, NULL, "\"Forkert nøgle eller nøglen er udløbet.\"", -EREMOTEIO,
          ": \"Forkert nøgle eller nøglen er udløbet.\"" },
        { SOURCE_JOBINDSATS, false, 3, NULL,
          "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"Invalid API "
          "key\"}",
          -EREMOTEIO, "Invalid API key" },
        { SOURCE_JOBINDSATS, false, 3, NULL, "[{\"message\": \"Ingen adgang til tabellen\"}]", -EREMOTEIO,
          "Ingen adgang til tabellen" },
        /* Statistikbank's error document with 200 */
        { SOURCE_STATBANK, true, 0, "statbank_error_200.json", NULL, -EREMOTEIO,
          "error message instead of table information (JSON): \"EXTRACT-NOTFOUND: Tabellen blev ikke "
          "fundet\"" },
        { SOURCE_STATBANK, false, 0, "statbank_error_200.json", NULL, -EREMOTEIO,
          "EXTRACT-NOTFOUND: Tabellen blev ikke fundet" },
        /* JSON-stat's error class, and a plain message */
        { SOURCE_JSONSTAT, false, 0, "jsonstat_error_200.json", NULL, -EREMOTEIO,
          "instead of JSON-stat: \"Dataset une_rt_x does not exist\"" },
        { SOURCE_JSONSTAT, false, 0, NULL, "{\"message\": \"Too many requests, slow down\"}", -EREMOTEIO,
          "Too many requests, slow down" },
        { SOURCE_JSONSTAT, false, 0, NULL, WRONG_KEY, -EREMOTEIO, "Forkert nøgle" },
        /* a CSV "file" that is an error document (a URL answering JSON) */
        { SOURCE_CSV, false, 0, NULL, "{\"error\": \"Access denied\"}", -EREMOTEIO, "Access denied" },
        /* JSON expected, a line of text came */
        { SOURCE_JSONSTAT, false, 0, NULL, "not found", -EREMOTEIO,
          "HTTP 200, but the provider answered with a text instead of JSON-stat: \"not found\"" },
        { SOURCE_PXWEB, true, 0, NULL, "Invalid table id\r\n", -EREMOTEIO,
          "answered with a text instead of table metadata (JSON): \"Invalid table id\"" },
        { SOURCE_STATBANK, true, 0, NULL, "null", -EBADMSG, NULL },
        /* ... but data stays data */
        { SOURCE_JSONSTAT, false, 0, NULL,
          "{\"message\": {\"dimension\": {\"id\": [\"time\"], \"size\": [1], \"time\": {\"category\": "
          "{\"index\": "
          "[\"2024M06\"]}}}, \"value\": [7]}}",
          0, NULL },
        { SOURCE_CSV, false, 0, NULL, "\"periode\"", -ENOENT, "possible value columns" },
        { SOURCE_JOBINDSATS, false, 3, "double_encoded.json", NULL, 0, NULL },
        { SOURCE_JOBINDSATS, false, 3, NULL,
          "{\"columns\": [\"Periode\", \"Område\", \"Antal\"], \"rows\": []}", -ENODATA, "no rows" },
};

static void test_rows(void **state)
{
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *t = &rows[i];
                SourceDef src = { .name = (char *) "s",
                                  .kind = t->kind,
                                  .lang = (char *) "da",
                                  .api_version = t->api_version };
                const char *sel[] = { "area", "Herlev", NULL };
                TestDef d;
                char *buf = NULL, *err = NULL;
                SourceResponse resp;
                int r;

                test_def_init(&d, "x", "Y08A02", "Antal", NULL, t->kind == SOURCE_JOBINDSATS ? sel : NULL);
                if (t->kind == SOURCE_JOBINDSATS && !t->metadata && t->want_r == 0)
                        test_def_init(&d, "x", "Y08A02", NULL, NULL, NULL);
                if (t->fixture)
                        resp = fixture_response_from("https://example.org/x", t->fixture, 200, &buf);
                else
                        resp = (SourceResponse){ .url = "https://example.org/x",
                                                 .status = 200,
                                                 .body = t->body,
                                                 .size = strlen(t->body),
                                                 .content_type = "application/json" };
                if (t->metadata) {
                        ProviderMeta *m = NULL;
                        r = provider_for(t->kind)->parse_metadata(&src, &d.def, &resp, &m, &err);
                        provider_meta_free(m);
                } else {
                        Series *s = NULL;
                        r = provider_for(t->kind)->parse_data(&src, &d.def, NULL, &resp, &s, NULL, &err);
                        if (r == 0 && t->want_r != 0)
                                fail_msg("row %zu: accepted an error document as %zu points", i,
                                         s->n_points);
                        series_free(s);
                }
                /* double_encoded.json: what matters is that it is not refused as an error message */
                if (t->fixture && streq(t->fixture, "double_encoded.json")) {
                        if (r == -EREMOTEIO)
                                fail_msg("row %zu: double-encoded data taken for an error: %s", i,
                                         strna(err));
                } else if (r != t->want_r)
                        fail_msg("row %zu: got %d (%s), want %d", i, r, strna(err), t->want_r);
                else if (t->want && (!err || !strstr(err, t->want)))
                        fail_msg("row %zu: '%s' lacks '%s'", i, strna(err), t->want);
                free(err);
                free(buf);
        }
}

static void test_bearer_hint(void **state)
{
        const char *body = "{\"detail\": \"Not authenticated\"}";
        SourceResponse resp = { .url = "https://api.jobindsats.dk/v3/table/Y08A02",
                                .status = 401,
                                .body = body,
                                .size = strlen(body),
                                .content_type = "application/json" };
        char *a, *b, *c;

        (void) state;
        /* a raw (v2-style) token or none: the hint */
        a = source_describe_error(SOURCE_JOBINDSATS, &resp);
        assert_non_null(strstr(a, "Not authenticated"));
        assert_non_null(strstr(a, "v3 requires \"Authorization: Bearer <key>\""));
        /* Bearer sent: the key itself is wrong; no hint */
        resp.sent_bearer = true;
        b = source_describe_error(SOURCE_JOBINDSATS, &resp);
        assert_string_equal(b, "HTTP 401: Not authenticated");
        /* the wrong-key body with 401 is described by its own text */
        resp.body = WRONG_KEY;
        resp.size = strlen(WRONG_KEY);
        c = source_describe_error(SOURCE_JOBINDSATS, &resp);
        assert_string_equal(c, "HTTP 401: Forkert nøgle eller nøglen er udløbet.");
        free(a);
        free(b);
        free(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows),
                cmocka_unit_test(test_bearer_hint),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
