/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The demo data (etc/demo/data/) parse through the providers with the series definitions of the demo
 * configuration (etc/demo/labourwatch.yaml.in: the names, tables, selections, CSV files, columns and
 * frequencies of etc/labourwatch.yaml and etc/goals.d), and the figures are in the ranges the demo
 * promises (etc/demo/README.md). tests/integration/test_demo.py runs the whole demo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source-test.h"

typedef struct DemoRow {
        const char *series;
        SourceKind kind;
        const char *meta, *data; /* relative to etc/demo/data */
        const char *table, *measure, *column;
        const char *select[9];
        PeriodFreq freq;
        size_t n_points;
        const char *first; /* the first period */
        double min, max;   /* every value within */
} DemoRow;

static const DemoRow rows[] = {
        /* series, kind, metadata, data, table, measure, column, select, freq, points, first, min, max */
        {"fleksjob_fuldtid", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y08A02.json",
         "jobindsats/v3/data/Y08A02.json", "Y08A02", "Antal fuldtidspersoner", NULL, {"area", "Herlev"},
         PERIOD_MONTH, 24, "2023M01", 370, 396},
        {"uddannelseshjaelp_fuldtid", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y38A02.json",
         "jobindsats/v3/data/Y38A02.json", "Y38A02", "Antal fuldtidspersoner", NULL, {"area", "Herlev"},
         PERIOD_MONTH, 24, "2023M01", 98, 124},
        {"sygedagpenge_personer", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y07A02.json",
         "jobindsats/v3/data/Y07A02.json", "Y07A02", "Antal personer", NULL, {"area", "Herlev"},
         PERIOD_MONTH, 24, "2023M01", 400, 600},
        {"sygedagpenge_personer_hele_landet", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y07A02.json",
         "jobindsats/v3/data/Y07A02.json", "Y07A02", "Antal personer", NULL, {"area", "Hele landet"},
         PERIOD_MONTH, 24, "2023M01", 65000, 95000},
        {"adagpenge_fuldtid", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y01A02.json",
         "jobindsats/v3/data/Y01A02.json", "Y01A02", "Antal fuldtidspersoner", NULL, {"area", "Herlev"},
         PERIOD_MONTH, 24, "2023M01", 230, 280},
        {"benchmark_placering", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y30R21.json",
         "jobindsats/v3/data/Y30R21.json", "Y30R21", "Placering på benchmarkranglisten", NULL,
         {"area", "Herlev", "Ydelsesgrupper", "Ydelsesgrupper i alt"}, PERIOD_QMAT, 8, "2023QMAT01", 7, 11},
        {"flygtninge_ydelse_fuldtid", SOURCE_JOBINDSATS, "jobindsats/v3/table/Y35A02.json",
         "jobindsats/v3/data/Y35A02.json", "Y35A02", "Antal fuldtidspersoner", NULL, {"area", "Herlev"},
         PERIOD_MONTH, 24, "2023M01", 55, 80},
        {"fleksjob_fuldtid_dst", SOURCE_STATBANK, "statbank/v1/tableinfo/AUK01.json", "statbank/v1/data/AUK01.csv",
         "AUK01", NULL, NULL, {"OMRÅDE", "163", "YDELSESTYPE", "Fleksjob", "KØN", "Køn i alt", "ALDER", "Alder i alt"},
         PERIOD_QUARTER, 8, "2023Q1", 365, 395},
        /* four of the five selections of the configuration (TestDef holds four); "sex" has a single
         * category, so the reader fixes it without being told */
        {"ledighed_pct_danmark_eurostat", SOURCE_JSONSTAT, NULL, "eurostat/data/une_rt_m.json", "une_rt_m", NULL,
         NULL, {"geo", "DK", "s_adj", "SA", "age", "TOTAL", "unit", "PC_ACT"}, PERIOD_MONTH, 24, "2023M01", 4.5, 6},
        {"rekruttering_ordrer", SOURCE_CSV, NULL, "intern/rekruttering.csv", NULL, NULL, "ordrer", {},
         PERIOD_MONTH, 24, "2023M01", 12, 20},
        {"rekruttering_matchede", SOURCE_CSV, NULL, "intern/rekruttering.csv", NULL, NULL, "matchede", {},
         PERIOD_MONTH, 24, "2023M01", 6, 13},
        /* new citizens in småjob each month (a flow: the goal sums it) */
        {"smaajob_personer", SOURCE_CSV, NULL, "intern/smaajob.csv", NULL, NULL, "personer", {}, PERIOD_MONTH, 24,
         "2023M01", 3, 7},
        {"flygtninge_jobparate", SOURCE_CSV, NULL, "intern/flygtninge.csv", NULL, NULL, "jobparate", {},
         PERIOD_QUARTER, 8, "2023Q1", 78, 83},
        {"flygtninge_selvforsoergende", SOURCE_CSV, NULL, "intern/flygtninge.csv", NULL, NULL, "selvforsoergende",
         {}, PERIOD_QUARTER, 8, "2023Q1", 50, 62},
        /* the 2019 baseline and 2023-2024, monthly */
        {"kurser_opkvalificering", SOURCE_CSV, NULL, "intern/kurser.csv", NULL, NULL, "deltagere", {}, PERIOD_MONTH,
         36, "2019M01", 4, 15},
        {"virksomhedsrettede_tilbud", SOURCE_CSV, NULL, "intern/virksomhedsrettede.csv", NULL, NULL, "tilbud", {},
         PERIOD_MONTH, 24, "2023M01", 90, 170},
};

static char *read_demo(const char *rel, size_t *ret_size)
{
        const char *dir = getenv("LW_SOURCE_DIR");
        char *path = strdup_printf("%s/etc/demo/data/%s", dir ? dir : ".", rel), *buf = NULL;
        if (!path || read_full_file(path, 16u << 20, &buf, ret_size) < 0)
                fail_msg("cannot read %s", strna(path));
        free(path);
        return buf;
}

static void test_demo(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const DemoRow *row = &rows[i];
                const Provider *p = provider_for(row->kind);
                SourceDef src = {
                        .name = (char *) "demo", .kind = row->kind, .lang = (char *) "da", .api_version = 3};
                ProviderMeta *m = NULL;
                Series *s = NULL;
                char *err = NULL, *buf;
                size_t size;
                TestDef d;

                test_def_init(&d, row->series, row->table, row->measure, row->column, row->select);
                d.def.freq = row->freq;
                if (row->meta) {
                        buf = read_demo(row->meta, &size);
                        SourceResponse resp = {.url = row->meta, .status = 200, .body = buf, .size = size};
                        if (p->parse_metadata(&src, &d.def, &resp, &m, &err) < 0)
                                fail_msg("%s: %s", row->series, err);
                        free(buf);
                        SourceRequest req = {};
                        assert_int_equal(
                                p->plan(&(SourcePlanContext){.source = &src, .series = &d.def, .meta = m},
                                        &req, &err),
                                SOURCE_PLAN_REQUEST);
                        assert_int_equal(req.step, SOURCE_STEP_DATA);
                        source_request_done(&req);
                }
                buf = read_demo(row->data, &size);
                SourceResponse resp = {.url = row->data, .status = 200, .body = buf, .size = size};
                if (p->parse_data(&src, &d.def, m, &resp, &s, NULL, &err) < 0)
                        fail_msg("%s: %s", row->series, err);
                if (s->n_points != row->n_points || s->freq != row->freq)
                        fail_msg("%s: %zu points of %s", row->series, s->n_points,
                                 period_freq_to_string(s->freq));
                char first[PERIOD_STRING_MAX];
                period_to_string(s->points[0].period, first);
                if (!streq(first, row->first))
                        fail_msg("%s: first period %s, want %s", row->series, first, row->first);
                for (size_t k = 0; k < s->n_points; k++)
                        if (s->points[k].missing || s->points[k].value < row->min ||
                            s->points[k].value > row->max)
                                fail_msg("%s: point %zu = %g outside %g..%g", row->series, k,
                                         s->points[k].value, row->min, row->max);
                series_free(s);
                provider_meta_free(m);
                free(buf);
        }
}

static void test_trends(void **state)
{
        /* the stories the demo tells: uddannelseshjælp drifts down; Herlev ranks 8th at the end */
        const DemoRow *udd = &rows[1], *bench = &rows[5];
        const DemoRow *pick[] = {udd, bench};
        double first = 0, last = 0;
        for (size_t i = 0; i < ELEMENTSOF(pick); i++) {
                const Provider *p = provider_for(SOURCE_JOBINDSATS);
                SourceDef src = {.name = (char *) "demo", .kind = SOURCE_JOBINDSATS, .api_version = 3};
                Series *s = NULL;
                size_t size;
                TestDef d;
                char *buf = read_demo(pick[i]->data, &size);
                test_def_init(&d, pick[i]->series, pick[i]->table, pick[i]->measure, NULL, pick[i]->select);
                SourceResponse resp = {.url = pick[i]->data, .status = 200, .body = buf, .size = size};
                assert_int_equal(p->parse_data(&src, &d.def, NULL, &resp, &s, NULL, NULL), 0);
                first = s->points[0].value;
                last = s->points[s->n_points - 1].value;
                if (i == 0)
                        assert_true(first > last + 10);
                else
                        assert_true(last == 8);
                series_free(s);
                free(buf);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_demo), cmocka_unit_test(test_trends)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
