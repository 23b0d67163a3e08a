/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Spreadsheets saved as CSV (issue 11 §4): Windows-1252 detected when a file is not valid UTF-8
 * (or said by the source's encoding:), Excel's "sep=;" first line, Danish period labels, and an
 * unrecognised label refused at FILE:LINE:COL naming the accepted forms. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

typedef struct Row {
        const char *fixture;
        const char *encoding; /* source's encoding:, NULL = auto */
        const char *column;
        PeriodFreq freq;
        const char *select[3];
        int want_r;
        const char *want;      /* series or a part of the error */
        const char *want_note; /* part of the note, or NULL */
} Row;

static const Row rows[] = {
        /* Windows-1252 + sep=; + CRLF + "jan. 2024"/"februar 2024"/"marts 2024"; the row filter's "Køge"
         * (UTF-8 in the configuration) matches the converted text */
        { "excel_cp1252_sep.csv",
          NULL,
          "Antal ordrer",
          PERIOD_MONTH,
          { "Afdeling", "Køge" },
          0,
          "2024M01=1234,2024M02=1180,2024M03=1302",
          "Windows-1252 (not valid UTF-8), separator ';' (sep= line)" },
        { "excel_cp1252_sep.csv",
          "windows-1252",
          "Matchede",
          PERIOD_MONTH,
          { "Afdeling", "ølstykke" },
          0,
          "2024M01=5,2024M02=4",
          "csv: Windows-1252," },
        /* an empty cell is missing, also after conversion */
        { "excel_cp1252_sep.csv",
          "auto",
          "Antal ordrer",
          PERIOD_MONTH,
          { "Afdeling", "Ølstykke" },
          0,
          "2024M01=310,2024M02=..",
          NULL },
        /* the source insists on UTF-8: the first invalid byte at LINE:COL, and what to do */
        { "excel_cp1252_sep.csv",
          "utf-8",
          "Antal ordrer",
          PERIOD_MONTH,
          { "Afdeling", "Køge" },
          -EBADMSG,
          "excel_cp1252_sep.csv:2:2: not valid UTF-8 (byte 0xE5), but the source says encoding: utf-8",
          NULL },
        /* "Beløb" header and an en dash for missing in Windows-1252 */
        { "excel_cp1252_euro.csv",
          NULL,
          "Beløb",
          PERIOD_MONTH,
          {},
          -EBADMSG,
          "excel_cp1252_euro.csv:3:9: invalid number '–' in column Beløb",
          NULL },
        /* UTF-8 with BOM, mixed label forms of one frequency */
        { "excel_utf8_labels.csv",
          NULL,
          "Antal",
          PERIOD_MONTH,
          {},
          0,
          "2024M01=10,2024M02=11,2024M03=12,2024M04=13",
          "csv: UTF-8," },
        { "excel_quarters.csv",
          NULL,
          "Antal",
          PERIOD_QUARTER,
          {},
          0,
          "2024Q1=5,2024Q2=6,2024Q3=7,2024Q4=8",
          NULL },
        /* an unrecognised label: FILE:LINE:COL and the accepted forms */
        { "excel_bad_label.csv",
          NULL,
          "Antal",
          PERIOD_MONTH,
          {},
          -EBADMSG,
          "excel_bad_label.csv:3:1: invalid period 'primo 2024' (accepted forms: 2024M06, 2024K2, 2024Q2, "
          "2024, "
          "2024-06, 2024-06-30, jan. 2024, januar 2024, K1 2024, 1. kvt. 2024, 01-01-2024)",
          NULL },
};

static void test_rows(void **state)
{
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *t = &rows[i];
                SourceDef src = { .name = (char *) "intern",
                                  .kind = SOURCE_CSV,
                                  .encoding = (char *) t->encoding };
                char *buf = NULL, *err = NULL, *note = NULL;
                Series *s = NULL;
                TestDef d;
                int r;

                test_def_init(&d, "x", NULL, NULL, t->column, t->select[0] ? t->select : NULL);
                d.def.freq = t->freq;
                SourceResponse resp = fixture_response_from(t->fixture, t->fixture, 200, &buf);
                r = provider_for(SOURCE_CSV)->parse_data(&src, &d.def, NULL, &resp, &s, &note, &err);
                if (r != t->want_r)
                        fail_msg("#%zu %s: r=%d want %d (%s)", i, t->fixture, r, t->want_r, strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (!streq(got, t->want))
                                fail_msg("#%zu %s: got %s want %s", i, t->fixture, got, t->want);
                        if (t->want_note && !strstr(strna(note), t->want_note))
                                fail_msg("#%zu %s: note '%s' lacks '%s'", i, t->fixture, strna(note),
                                         t->want_note);
                        free(got);
                } else if (!err || !strstr(err, t->want))
                        fail_msg("#%zu %s: error '%s' lacks '%s'", i, t->fixture, strna(err), t->want);
                series_free(s);
                free(buf);
                free(err);
                free(note);
        }
}

/* A year series with "2005 - 1" cannot say what the 1 is. */
static void test_ambiguous(void **state)
{
        const char *body = "Periode;Antal\n2005 - 1;3\n";
        SourceDef src = { .name = (char *) "intern", .kind = SOURCE_CSV };
        SourceResponse resp = {
                .url = "file:///srv/a.csv", .status = 200, .body = body, .size = strlen(body)
        };
        Series *s = NULL;
        char *err = NULL;
        TestDef d;

        (void) state;
        test_def_init(&d, "x", NULL, NULL, "Antal", NULL);
        d.def.freq = PERIOD_YEAR;
        assert_int_equal(provider_for(SOURCE_CSV)->parse_data(&src, &d.def, NULL, &resp, &s, NULL, &err),
                         -EBADMSG);
        assert_non_null(
                strstr(err, "/srv/a.csv:2:1: invalid period '2005 - 1': it may be a quarter, a month or a "
                            "half-year (accepted forms:"));
        assert_null(s);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows),
                cmocka_unit_test(test_ambiguous),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
