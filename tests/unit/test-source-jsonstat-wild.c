/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON-stat as it is really published (issue 11 §1): size as integer strings, bundles with the
 * dataset chosen by dataset: or "table: ADDRESS#NAME", time categories that are labels with opaque
 * codes ("2005 - 1", "Sep 1999"), a time dimension mixing frequencies (the series' frequency picks),
 * time_format: with an error naming the code that did not parse, and forms that cannot be supported
 * saying which form they are and what to do. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"
#include "../../daemon/sources/source-internal.h"

typedef struct Row {
        const char *fixture;
        const char *table, *dataset, *time_format, *measure;
        PeriodFreq freq;
        const char *select[5];
        int want_r;
        const char *want; /* the series, or a part of the error */
} Row;

static const Row rows[] = {
        /* size: ["2", "3"] inside a 1.x bundle's dimension */
        { "jsonstat1_size_strings.json",
          "x.json",
          NULL,
          NULL,
          NULL,
          PERIOD_QUARTER,
          { "Region", "Oslo" },
          0,
          "2024Q1=41020,2024Q2=41250,2024Q3=41310" },
        /* a bundle of two: dataset: picks, so does table: ADDRESS#NAME; neither: the hint lists both */
        { "jsonstat1_bundle_two.json",
          "bundle.json",
          "rate",
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "163" },
          0,
          "2024M05=2.1,2024M06=2.2" },
        { "jsonstat1_bundle_two.json",
          "bundle.json#persons",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "Herlev" },
          0,
          "2024M05=380,2024M06=384" },
        { "jsonstat1_bundle_two.json",
          "bundle.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "163" },
          -EBADMSG,
          "bundle with 2 datasets; choose one with dataset: (or table: ADDRESS#NAME): persons, rate" },
        { "jsonstat1_bundle_two.json",
          "bundle.json",
          "people",
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "163" },
          -ENOENT,
          "bundle has no dataset 'people'; datasets: persons, rate" },
        { "jsonstat1_bundle_two.json",
          "bundle.json#people",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "163" },
          -ENOENT,
          "no dataset 'people'" },
        /* quarters as labels "2005 - 1" with opaque codes "20051": the series' frequency says quarter */
        { "jsonstat2_time_labels.json",
          "q.json",
          NULL,
          NULL,
          NULL,
          PERIOD_QUARTER,
          { "Region", "Northern and Western" },
          0,
          "2005Q1=190.1,2005Q2=192.3,2005Q3=.." },
        /* ... and time_format reads them exactly */
        { "jsonstat2_time_labels.json",
          "q.json",
          NULL,
          "%Y - %q",
          NULL,
          PERIOD_QUARTER,
          { "C02196V02652", "-" },
          0,
          "2005Q1=1980.2,2005Q2=2001.5,2005Q3=2020.7" },
        /* a time_format that does not fit names the code (and its label) */
        { "jsonstat2_time_labels.json",
          "q.json",
          NULL,
          "%YK%q",
          NULL,
          PERIOD_QUARTER,
          { "C02196V02652", "-" },
          -EBADMSG,
          "time category '20051' (label '2005 - 1') does not match time_format '%YK%q'" },
        /* months as "Sep 1999" labels with opaque codes */
        { "jsonstat2_month_labels.json",
          "m.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          {},
          0,
          "1999M09=5.1,1999M10=5,1999M11=4.9" },
        { "jsonstat2_month_labels.json",
          "m.json",
          NULL,
          "%b %Y",
          NULL,
          PERIOD_MONTH,
          {},
          0,
          "1999M09=5.1,1999M10=5,1999M11=4.9" },
        /* years and quarters in one dimension: each series keeps its own frequency's periods */
        { "jsonstat2_mixed_frequency.json",
          "mix.json",
          NULL,
          NULL,
          NULL,
          PERIOD_QUARTER,
          {},
          0,
          "2023Q3=372,2023Q4=371,2024Q1=379,2024Q2=381" },
        { "jsonstat2_mixed_frequency.json",
          "mix.json",
          NULL,
          NULL,
          NULL,
          PERIOD_YEAR,
          {},
          0,
          "2023=370,2024=380" },
        { "jsonstat2_mixed_frequency.json",
          "mix.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          {},
          -ENODATA,
          "none of the 6 time categories is a month (the series' frequency); they are e.g. 2023 (year)" },
        /* forms that cannot be supported say which and what to do */
        { "jsonstat2_collection.json",
          "c.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          {},
          -EBADMSG,
          "class \"collection\" is not supported: a collection only lists datasets; point table: at one of "
          "them, "
          "e.g. https://example.invalid/a" },
        { "jsonstat2_dimension_class.json",
          "d.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          {},
          -EBADMSG,
          "class \"dimension\" is not supported: a dimension document has no figures" },
        /* an unknown time code says what to do */
        { "jsonstat2_invalid_time_code.json",
          "t.json",
          NULL,
          NULL,
          NULL,
          PERIOD_MONTH,
          { "geo", "163" },
          -EBADMSG,
          "give the series a time_format:" },
};

static void test_rows(void **state)
{
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *t = &rows[i];
                SourceDef src = { .name = (char *) "js", .kind = SOURCE_JSONSTAT };
                char *buf = NULL, *err = NULL, *note = NULL;
                Series *s = NULL;
                TestDef d;
                int r;

                test_def_init(&d, "x", t->table, t->measure, NULL, t->select[0] ? t->select : NULL);
                d.def.dataset = (char *) t->dataset;
                d.def.time_format = (char *) t->time_format;
                d.def.freq = t->freq;
                SourceResponse resp = fixture_response_from("https://stat.example/x", t->fixture, 200, &buf);
                r = provider_for(SOURCE_JSONSTAT)->parse_data(&src, &d.def, NULL, &resp, &s, &note, &err);
                if (r != t->want_r)
                        fail_msg("#%zu %s: r=%d want %d (%s)", i, t->fixture, r, t->want_r, strna(err));
                if (r == 0) {
                        char *got = series_to_test_string(s);
                        if (!streq(got, t->want))
                                fail_msg("#%zu %s: got %s want %s", i, t->fixture, got, t->want);
                        free(got);
                } else if (!err || !strstr(err, t->want))
                        fail_msg("#%zu %s: error '%s' lacks '%s'", i, t->fixture, strna(err), t->want);
                series_free(s);
                free(buf);
                free(err);
                free(note);
        }
}

static void test_plan_fragment(void **state)
{
        SourceDef src = { .name = (char *) "js",
                          .kind = SOURCE_JSONSTAT,
                          .base_url = (char *) "https://stat.example/api/" };
        SourceRequest req = {};
        TestDef d;

        (void) state;
        /* the fragment names the dataset and is never sent */
        test_def_init(&d, "x", "bundle.json?lang=en#persons", NULL, NULL, NULL);
        assert_int_equal(
                provider_for(SOURCE_JSONSTAT)
                        ->plan(&(SourcePlanContext){ .source = &src, .series = &d.def }, &req, NULL),
                SOURCE_PLAN_REQUEST);
        assert_string_equal(req.url, "https://stat.example/api/bundle.json?lang=en");
        source_request_done(&req);
        /* a time_format with an unknown conversion is refused before anything is fetched */
        {
                char *err = NULL;
                d.def.time_format = (char *) "%Y-%x";
                assert_int_equal(
                        provider_for(SOURCE_JSONSTAT)
                                ->plan(&(SourcePlanContext){ .source = &src, .series = &d.def }, &req, &err),
                        -EINVAL);
                assert_non_null(
                        strstr(err, "time_format '%Y-%x' needs %Y and knows only %Y %q %h %m %b %d %%"));
                free(err);
        }
}

typedef struct LabelRow {
        const char *in;
        PeriodFreq hint, date_freq;
        int want_r;
        const char *want;
} LabelRow;

static const LabelRow labels[] = {
        { "jan. 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M01" },
        { "januar 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M01" },
        { "Januar 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M01" },
        { "maj 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M05" },
        { "okt. 2023", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2023M10" },
        { "Sep 1999", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "1999M09" },
        { "2024 jun", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M06" },
        { "2024-01", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M01" },
        { "01-01-2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M01" },
        { "31.03.2024", _PERIOD_FREQ_INVALID, PERIOD_QUARTER, 0, "2024Q1" },
        { "30/06/2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024M06" },
        { "K1 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024Q1" },
        { "Q2 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024Q2" },
        { "2024 K3", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024Q3" },
        { "1. kvt. 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024Q1" },
        { "4. kvartal 2023", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2023Q4" },
        { "2. halvår 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, 0, "2024H2" },
        { "2005 - 1", PERIOD_QUARTER, PERIOD_MONTH, 0, "2005Q1" },
        { "2005 - 11", PERIOD_MONTH, PERIOD_MONTH, 0, "2005M11" },
        { "2005 - 1", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EDOM, NULL },
        { "2005 - 5", PERIOD_QUARTER, PERIOD_MONTH, -EINVAL, NULL },
        { "K5 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "32-01-2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "01-13-2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "smarts 2024", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "jan. 24", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
        { "1 2 3 4 5 6 7", _PERIOD_FREQ_INVALID, PERIOD_MONTH, -EINVAL, NULL },
};

static void test_labels(void **state)
{
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
                char pb[PERIOD_STRING_MAX];
                Period p;
                int r = source_parse_period_label(labels[i].in, strlen(labels[i].in), labels[i].hint,
                                                  labels[i].date_freq, &p);
                if (r != labels[i].want_r)
                        fail_msg("'%s': r=%d want %d", labels[i].in, r, labels[i].want_r);
                if (r == 0 && !streq(period_to_string(p, pb), labels[i].want))
                        fail_msg("'%s': got %s want %s", labels[i].in, pb, labels[i].want);
        }
}

static void test_formats(void **state)
{
        static const struct {
                const char *in, *format, *want;
        } t[] = {
                { "2005 - 1", "%Y - %q", "2005Q1" },     { "2005-1", "%Y - %q", "2005Q1" },
                { "2024M06", "%YM%m", "2024M06" },       { "2024M6", "%YM%m", "2024M06" },
                { "jan. 2024", "%b %Y", "2024M01" },     { "2024 H2", "%Y H%h", "2024H2" },
                { "15.06.2024", "%d.%m.%Y", "2024M06" }, { "2024", "%Y", "2024" },
                { "2005 - 5", "%Y - %q", NULL },         { "2005 - 1x", "%Y - %q", NULL },
                { "31.02.2024", "%d.%m.%Y", NULL },      { "24M06", "%YM%m", NULL },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                char pb[PERIOD_STRING_MAX];
                Period p;
                int r = source_parse_period_format(t[i].in, strlen(t[i].in), t[i].format, &p);
                if (!t[i].want) {
                        if (r >= 0)
                                fail_msg("'%s' by '%s': accepted as %s", t[i].in, t[i].format,
                                         period_to_string(p, pb));
                } else if (r < 0 || !streq(period_to_string(p, pb), t[i].want))
                        fail_msg("'%s' by '%s': r=%d", t[i].in, t[i].format, r);
        }
        assert_true(source_time_format_is_valid("%Y - %q"));
        assert_false(source_time_format_is_valid("%q"));
        assert_false(source_time_format_is_valid("%Y %x"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows),
                cmocka_unit_test(test_plan_fragment),
                cmocka_unit_test(test_labels),
                cmocka_unit_test(test_formats),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
