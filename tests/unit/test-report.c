/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report glue and charts in messages: a configuration and a store in a temporary directory, two
 * goals (one with a revised figure), then report_charts() (PNG per goal, alt text with the verdict),
 * report_build() in HTML and PDF, and notify_render() with the charts inline (multipart/related,
 * cid:, base64 lines, small charts in a digest). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "labourwatch/chart.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/report.h"
#include "labourwatch/store.h"

#define USEC_DAY (INT64_C(86400) * INT64_C(1000000))
#define T0 (INT64_C(19900) * USEC_DAY) /* 2024-06-26 */

typedef struct Fixture {
        char dir[64];
        Config *c;
        Store *st;
} Fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
        _cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static void put(Store *st, const char *series, const char *first, const double *v, size_t n, int64_t at)
{
        SeriesPoint pts[24];
        Provenance prov = { .source = "internal", .table = "T1", .fetched_at = at };
        StoreWriteStats stats;
        Period p;

        assert_true(n <= ELEMENTSOF(pts));
        assert_int_equal(period_parse(first, &p), 0);
        for (size_t i = 0; i < n; i++)
                pts[i] = (SeriesPoint){ .period = period_add(p, (int64_t) i), .value = v[i], .missing = isnan(v[i]) };
        assert_int_equal(store_put_series(st, series, pts, n, &prov, &stats, NULL), 0);
}

static int setup(void **state)
{
        Fixture *x = calloc(1, sizeof(Fixture));
        ConfigErrors errors = {};
        _cleanup_free_ char *conf = NULL, *main_path = NULL, *goals = NULL;
        static const double fleks[] = { 380, 382, 384, NAN, 388, 390 }, fleks_rev[] = { 383 };
        static const double ordrer[] = { 10, 12, 14, 16, 18, 20 }, matched[] = { 6, 6, 7, 8, 9, 10 };

        assert_non_null(x);
        snprintf(x->dir, sizeof(x->dir), "/tmp/lw-test-report-XXXXXX");
        assert_non_null(mkdtemp(x->dir));
        goals = strdup_printf("%s/goals.d", x->dir);
        assert_int_equal(mkdir(goals, 0755), 0);
        conf = strdup_printf("state_dir: %s\nlanguage: da\nplan: Plan 2024\nmunicipality: Testby Kommune\n"
                             "sources:\n  internal:\n    kind: csv\n    base_url: file://%s/\n"
                             "series:\n"
                             "  fleks:\n    source: internal\n    path: f.csv\n    column: v\n    frequency: month\n"
                             "    unit: {da: fuldtidspersoner, en: full-time persons}\n"
                             "  ordrer:\n    source: internal\n    path: r.csv\n    column: o\n    frequency: month\n"
                             "  matched:\n    source: internal\n    path: r.csv\n    column: m\n    frequency: month\n",
                             x->dir, x->dir);
        assert_non_null(conf);
        write_file(x->dir, "labourwatch.yaml", conf);
        write_file(goals, "10-goals.yaml",
                   "goals:\n"
                   "  fleksjob-2024:\n    title: {da: Mindst 380 i fleksjob, en: At least 380 in flexi-jobs}\n"
                   "    kind: level\n    series: fleks\n    period: 2024\n    aggregate: average\n"
                   "    direction: at_least\n    target: 380\n    tolerance: 5\n"
                   "  match-2024:\n    title: {da: Halvdelen besat, en: Half matched}\n    kind: share\n"
                   "    numerator: matched\n    denominator: ordrer\n    period: 2024\n    direction: at_least\n"
                   "    target: 50\n    tolerance: 3\n    min_denominator: 5\n");
        main_path = strdup_printf("%s/labourwatch.yaml", x->dir);
        if (config_load(main_path, &x->c, &errors) < 0) {
                for (size_t i = 0; i < errors.n_items; i++)
                        print_error("%s\n", errors.items[i].message);
                fail();
        }
        config_errors_done(&errors);
        assert_int_equal(store_open(x->dir, &x->st, NULL), 0);
        put(x->st, "fleks", "2024M01", fleks, ELEMENTSOF(fleks), T0);
        put(x->st, "fleks", "2024M02", fleks_rev, 1, T0 + 3 * USEC_DAY); /* 382 -> 383, revised */
        put(x->st, "ordrer", "2024M01", ordrer, ELEMENTSOF(ordrer), T0);
        put(x->st, "matched", "2024M01", matched, ELEMENTSOF(matched), T0);
        *state = x;
        return 0;
}

static int teardown(void **state)
{
        Fixture *x = *state;
        _cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", x->dir);

        store_close(x->st);
        config_free(x->c);
        assert_int_equal(system(cmd), 0);
        free(x);
        return 0;
}

static uint32_t be32(const unsigned char *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void assert_png(const void *data, size_t size)
{
        const unsigned char *p = data;

        assert_true(size > 33 && size < 40 * 1024);
        assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
        assert_int_equal(be32(p + 16), 1200);
        assert_int_equal(be32(p + 20), 600);
}

static size_t count(const char *s, const char *needle)
{
        size_t n = 0;

        for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

static Date july(void)
{
        return (Date){ 2024, 7, 15 };
}

static void test_charts(void **state)
{
        Fixture *x = *state;
        char *ids[] = { (char *) "match-2024", (char *) "fleksjob-2024" };
        ReportChart *charts = NULL;
        _cleanup_free_ char *err = NULL;
        size_t n = 0;

        assert_int_equal(report_charts(x->st, x->c, ids, 2, july(), LANGUAGE_DA, CHART_FORMAT_PNG, false, &charts, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(charts[0].goal->id, "match-2024");
        assert_string_equal(charts[1].goal->id, "fleksjob-2024");
        for (size_t i = 0; i < n; i++)
                assert_png(charts[i].data, charts[i].size);
        /* 46 of 90 = 51,1 %, within 3 of 50: at risk; the alt text states the verdict and the figures */
        assert_string_equal(charts[0].alt, "Diagram over Halvdelen besat: I fare. Værdi 51,1 %; måltal mindst 50 %. "
                                           "Målet er i fare: ca. 40 % chance. 80 % sikkert mellem 43 og 55 %.");
        assert_non_null(strstr(charts[1].alt, "Diagram over Mindst 380 i fleksjob: På sporet. Værdi 385 fuldtidspersoner"));
        report_charts_free(charts, n);

        /* every goal, SVG, English */
        assert_int_equal(report_charts(x->st, x->c, NULL, 0, july(), LANGUAGE_EN, CHART_FORMAT_SVG, false, &charts, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_non_null(strstr(charts[0].data, "<svg"));
        assert_non_null(strstr(charts[0].alt, "Chart of At least 380 in flexi-jobs: On track. Value 385 full-time"));
        report_charts_free(charts, n);

        /* the small charts of a digest */
        assert_int_equal(report_charts(x->st, x->c, ids, 2, july(), LANGUAGE_DA, CHART_FORMAT_PNG, true, &charts, &n, &err), 0);
        assert_int_equal(charts[0].width, 300);
        assert_int_equal(charts[0].height, 167);
        assert_int_equal(be32((unsigned char *) charts[0].data + 16), 720);
        report_charts_free(charts, n);

        ids[1] = (char *) "nope";
        assert_int_equal(report_charts(x->st, x->c, ids, 2, july(), LANGUAGE_DA, CHART_FORMAT_PNG, false, &charts, &n, &err),
                         -ENOENT);
        assert_string_equal(err, "no goal 'nope' in the configuration");
}

static void test_report(void **state)
{
        Fixture *x = *state;
        ReportOptions o = { .date = july(), .language = LANGUAGE_DA };
        _cleanup_free_ char *html = NULL, *pdf = NULL, *err = NULL;
        size_t size = 0;

        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), 0);
        assert_int_equal(strlen(html), size);
        assert_non_null(strstr(html, "<p class=\"kicker\">Testby Kommune</p>"));
        assert_non_null(strstr(html, "<h1>Plan 2024</h1>"));
        assert_non_null(strstr(html, "2 mål: 1 på sporet, 1 i fare"));
        assert_int_equal(count(html, "src=\"data:image/png;base64,"), 2);
        /* the revision, with old and new value and its date (T0 + 3 days = 29 June 2024) */
        if (!strstr(html, "<li>fleks, februar 2024: 382 → 383 (revideret 29. juni 2024)</li>"))
                fail_msg("%s", strstr(html, "<h3>Reviderede"));
        /* the csv source by its default display name, not the configuration's "internal" (issue 23) */
        assert_non_null(strstr(html, "<td>Jobcentrets egne tal</td><td>T1</td><td>26. juni 2024 – 29. juni 2024</td>"));
        assert_null(strstr(html, "<td>internal</td>"));
        /* the chance in words under the badge, once per open goal, and in the chart's text
         * alternative: what the fan shows (issue 17 §3) */
        assert_int_equal(count(html, "<p class=\"chance\">"), 2);
        assert_non_null(strstr(html, "<p class=\"chance\">Målet er i fare: ca. 40 % chance. 80 % sikkert mellem 43 og "
                                     "55 %.</p>"));
        {
                const char *c = strstr(html, "<p class=\"chance\">Målet nås sandsynligvis: over 95 % chance. 80 % "
                                             "sikkert mellem 383 og 399 fuldtidspersoner.</p>");
                assert_non_null(c);
                assert_true(c > strstr(html, "<section id=\"goal-fleksjob-2024\">"));
                assert_true(c < strstr(html, "<section id=\"goal-match-2024\">") ||
                            strstr(html, "<section id=\"goal-match-2024\">") < strstr(html, "<section id=\"goal-fleksjob-2024\">"));
                assert_true(c < strstr(c, "<img class=\"chart\""));
        }
        assert_non_null(strstr(html, "måltal mindst 380 fuldtidspersoner. Målet nås sandsynligvis: over 95 % chance."));
        free(TAKE_PTR(html));

        /* the cover of a report mail: the chance under the goal's line, in the text and the HTML */
        {
                _cleanup_free_ char *doc = NULL, *ct = NULL, *ch = NULL;
                assert_int_equal(report_build_with_cover(x->st, x->c, &o, REPORT_FORMAT_HTML, &doc, &size, &ct, &ch,
                                                         &err),
                                 0);
                assert_non_null(strstr(ct, "- Mindst 380 i fleksjob: På sporet; værdi 385, måltal ≥ 380; 10,9 over målet\n"
                                           "  Målet nås sandsynligvis: over 95 % chance. 80 % sikkert mellem 383 og 399 "
                                           "fuldtidspersoner.\n"));
                assert_int_equal(count(ct, "% chance"), 2);
                assert_non_null(strstr(ch, "<td>Mindst 380 i fleksjob<br><span style=\"font-size:13px\">Målet nås "
                                           "sandsynligvis: over 95 % chance."));
        }

        /* English */
        o.language = LANGUAGE_EN;
        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), 0);
        assert_non_null(strstr(html, "<p class=\"chance\">The target will probably be met: over 95% chance. 80% "
                                     "likely between 383 and 399 full-time persons.</p>"));
        assert_null(strstr(html, "sikkert"));
        assert_non_null(strstr(html, "<td>The job centre's own figures</td><td>T1</td>"));
        free(TAKE_PTR(html));
        /* the period over: a result, no chance */
        o.date = (Date){ 2025, 6, 1 };
        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), 0);
        assert_non_null(strstr(html, "<section id=\"goal-fleksjob-2024\">"));
        assert_null(strstr(html, "<p class=\"chance\">"));
        assert_null(strstr(html, "% chance"));
        free(TAKE_PTR(html));
        o.date = july();
        o.language = LANGUAGE_DA;

        o.has_since = true;
        o.since = (Date){ 2024, 7, 1 };
        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), 0);
        assert_null(strstr(html, "382 → 383"));
        assert_non_null(strstr(html, "Ingen tal revideret siden 1. juli 2024."));

        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_PDF, &pdf, &size, &err), 0);
        assert_memory_equal(pdf, "%PDF-", 5);
        /* a cover and a page per goal */
        assert_non_null(memmem(pdf, size, "/Count 3", 8));
        /* tagged (cairo's structure tree), and the language in an incremental update after cairo's file:
         * the catalog again, with /Lang, a second xref section pointing back at the first, one %%EOF more */
        assert_non_null(memmem(pdf, size, "/StructTreeRoot", 15));
        assert_non_null(memmem(pdf, size, "/MarkInfo << /Marked true >>", 28));
        static const char with_lang[] = "   /Lang (da)\n>>\nendobj\nxref\n";
        const char *lang = memmem(pdf, size, with_lang, sizeof(with_lang) - 1);
        assert_non_null(lang);
        assert_non_null(memmem(lang, size - (size_t) (lang - pdf), "/Prev ", 6));
        assert_memory_equal(pdf + size - 6, "%%EOF\n", 6);

        o.plan = "Other";
        assert_int_equal(report_build(x->st, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), -ENOENT);
        assert_string_equal(err, "no goal belongs to the plan 'Other'");

        /* no store: every goal without figures, still a report */
        free(TAKE_PTR(err));
        o.plan = NULL;
        free(TAKE_PTR(html));
        assert_int_equal(report_build(NULL, x->c, &o, REPORT_FORMAT_HTML, &html, &size, &err), 0);
        assert_non_null(strstr(html, "2 mål: 2 ingen tal"));
}

static char *read_notice(void)
{
        const char *dir = getenv("LW_TEST_DATA");
        _cleanup_free_ char *path = strdup_printf("%s/notify/notice-goals.json", dir ? dir : "tests/data");
        char *s = NULL;

        assert_int_equal(read_full_file(path, 1 << 20, &s, NULL), 0);
        return s;
}

static void test_mail_inline(void **state)
{
        Fixture *x = *state;
        _cleanup_free_ char *notice = read_notice(), *err = NULL;
        char *ids[] = { (char *) "fleksjob-2024" };
        ReportChart *charts = NULL;
        NotifyMessage m = {};
        size_t n = 0;

        assert_int_equal(report_charts(x->st, x->c, ids, 1, july(), LANGUAGE_DA, CHART_FORMAT_PNG, false, &charts, &n, &err), 0);
        NotifyImage img = { .goal = "fleksjob-2024", .png = charts[0].data, .size = charts[0].size, .alt = charts[0].alt };
        NotifyRenderArgs a = { .now_usec = T0, .images = &img, .n_images = 1 };

        assert_int_equal(notify_render(&a, notice, &m, &err), 0);
        /* the HTML part refers to the chart by cid, with the verdict as alt text */
        assert_non_null(strstr(m.html, "<img src=\"cid:chart-0."));
        assert_non_null(strstr(m.html, "alt=\"Diagram over Mindst 380 i fleksjob: På sporet."));
        /* the message: alternative { text, related { html, png } } */
        assert_non_null(strstr(m.eml, "Content-Type: multipart/alternative;"));
        assert_non_null(strstr(m.eml, "Content-Type: multipart/related;"));
        assert_non_null(strstr(m.eml, " type=\"text/html\""));
        const char *part = strstr(m.eml, "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <chart-0.");
        assert_non_null(part);
        assert_true(strstr(m.eml, "Content-Type: text/plain") < strstr(m.eml, "Content-Type: multipart/related"));
        /* base64 lines of 76 characters; the first decodes to the PNG signature */
        const char *body = strstr(part, "\r\n\r\n") + 4;
        assert_memory_equal(body, "iVBORw0KGgo", 11);
        assert_int_equal(strchr(body, '\r') - body, 76);
        for (const char *p = m.eml; *p;) {
                const char *e = strstr(p, "\r\n");
                assert_non_null(e);
                assert_true(e - p <= 998);
                p = e + 2;
        }
        /* the cid in the HTML is the Content-ID of the part */
        const char *cid = strstr(m.html, "cid:") + 4, *end = strchr(cid, '"');
        _cleanup_free_ char *want = strdup_printf("Content-ID: <%.*s>", (int) (end - cid), cid);
        assert_non_null(strstr(m.eml, want));
        /* the text part is unchanged by charts */
        _cleanup_free_ char *text = strdup(m.text);
        notify_message_done(&m);

        NotifyRenderArgs plain = { .now_usec = T0 };
        assert_int_equal(notify_render(&plain, notice, &m, &err), 0);
        assert_string_equal(m.text, text);
        assert_null(strstr(m.eml, "multipart/related"));
        assert_null(strstr(m.html, "cid:"));
        notify_message_done(&m);

        /* the size the chart asks for is the size it is shown at */
        img.width = 300;
        img.height = 167;
        assert_int_equal(notify_render(&a, notice, &m, &err), 0);
        assert_non_null(strstr(m.html, "width=\"300\" height=\"167\""));
        assert_non_null(strstr(m.html, "max-width:300px"));
        notify_message_done(&m);

        /* the charts of a notice: its goals, compact when there are several, at most
         * REPORT_NOTICE_CHARTS_MAX; none for another type of notice */
        {
                json_auto_t *j = json_loads(notice, 0, NULL);
                json_t *evs = json_object_get(j, "events"), *first = json_array_get(evs, 0);
                _cleanup_free_ char *one = NULL, *many = NULL, *problems = NULL;
                ReportChart *nc = NULL;
                size_t nn = 0;

                assert_non_null(first);
                json_object_set_new(first, "goal", json_string("match-2024"));
                assert_non_null(one = json_dumps(j, 0));
                assert_int_equal(report_notice_charts(x->st, x->c, one, &nc, &nn, &err), 0);
                assert_int_equal(nn, 1);
                assert_string_equal(nc[0].goal->id, "match-2024");
                assert_int_equal(nc[0].width, 600);
                report_charts_free(nc, nn);
                for (int k = 0; k < 24; k++)
                        json_array_append(evs, first);
                assert_non_null(many = json_dumps(j, 0));
                assert_int_equal(report_notice_charts(x->st, x->c, many, &nc, &nn, &err), 0);
                assert_int_equal(nn, REPORT_NOTICE_CHARTS_MAX);
                assert_int_equal(nc[0].width, 300);
                report_charts_free(nc, nn);
                json_object_set_new(j, "type", json_string("data_problems"));
                assert_non_null(problems = json_dumps(j, 0));
                assert_int_equal(report_notice_charts(x->st, x->c, problems, &nc, &nn, &err), 0);
                assert_int_equal(nn, 0);
                assert_int_equal(report_notice_charts(x->st, x->c, "[]", &nc, &nn, &err), -EINVAL);
        }

        /* a chart for a goal the notice does not mention is not attached */
        img.goal = "other";
        assert_int_equal(notify_render(&a, notice, &m, &err), 0);
        assert_null(strstr(m.eml, "multipart/related"));
        notify_message_done(&m);
        report_charts_free(charts, n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_charts),
                cmocka_unit_test(test_report),
                cmocka_unit_test(test_mail_inline),
        };
        int r = cmocka_run_group_tests(tests, setup, teardown);
        chart_library_cleanup();
        return r;
}
