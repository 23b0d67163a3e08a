/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The demo data (etc/demo/data/) parse through the providers with the series definitions the demo
 * configuration uses (etc/demo/README.md), and the figures are in the ranges the demo promises. */
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
        const char *select[5];
        PeriodFreq freq;
        size_t n_points;
        double min, max; /* every value within */
} DemoRow;

static const DemoRow rows[] = {
        {"fleksjob_fuldtid",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y08A02.json",
         "jobindsats/v3/data/Y08A02.json",
         "Y08A02",
         "Antal fuldtidspersoner",
         NULL,
         {"area", "Herlev"},
         PERIOD_MONTH,
         24,
         365,
         395},
        {"uddannelseshjaelp_fuldtid",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y38A02.json",
         "jobindsats/v3/data/Y38A02.json",
         "Y38A02",
         "Antal fuldtidspersoner",
         NULL,
         {"area", "Herlev"},
         PERIOD_MONTH,
         24,
         95,
         125},
        {"sygedagpenge_personer",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y07A02.json",
         "jobindsats/v3/data/Y07A02.json",
         "Y07A02",
         "Antal personer",
         NULL,
         {"area", "Herlev"},
         PERIOD_MONTH,
         24,
         400,
         600},
        {"sygedagpenge_personer_hele_landet",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y07A02.json",
         "jobindsats/v3/data/Y07A02.json",
         "Y07A02",
         "Antal personer",
         NULL,
         {"area", "Hele landet"},
         PERIOD_MONTH,
         24,
         65000,
         95000},
        {"adagpenge_fuldtid",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y01A02.json",
         "jobindsats/v3/data/Y01A02.json",
         "Y01A02",
         "Antal fuldtidspersoner",
         NULL,
         {"area", "Herlev"},
         PERIOD_MONTH,
         24,
         230,
         280},
        {"benchmark_placering",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y30R21.json",
         "jobindsats/v3/data/Y30R21.json",
         "Y30R21",
         "Placering på benchmarkranglisten",
         NULL,
         {"area", "Herlev"},
         PERIOD_QMAT,
         8,
         7,
         11},
        {"selvforsoergelsesydelse_fuldtid",
         SOURCE_JOBINDSATS,
         "jobindsats/v3/table/Y35A02.json",
         "jobindsats/v3/data/Y35A02.json",
         "Y35A02",
         "Antal fuldtidspersoner",
         NULL,
         {"area", "Herlev"},
         PERIOD_MONTH,
         24,
         55,
         80},
        {"auk01_fleksjob",
         SOURCE_STATBANK,
         "statbank/v1/tableinfo/AUK01.json",
         "statbank/v1/data/AUK01.csv",
         "AUK01",
         NULL,
         NULL,
         {"OMRÅDE", "Herlev", "YDELSESTYPE", "Fleksjob"},
         PERIOD_QUARTER,
         8,
         365,
         395},
        {"rekruttering_ordrer",
         SOURCE_CSV,
         NULL,
         "intern/rekruttering.csv",
         NULL,
         NULL,
         "ordrer",
         {},
         PERIOD_MONTH,
         24,
         10,
         20},
        {"rekruttering_matchede",
         SOURCE_CSV,
         NULL,
         "intern/rekruttering.csv",
         NULL,
         NULL,
         "matchede",
         {},
         PERIOD_MONTH,
         24,
         4,
         14},
        {"smaajob_personer",
         SOURCE_CSV,
         NULL,
         "intern/smaajob.csv",
         NULL,
         NULL,
         "personer",
         {},
         PERIOD_MONTH,
         24,
         30,
         70},
        {"flygtninge_jobparate",
         SOURCE_CSV,
         NULL,
         "intern/flygtninge.csv",
         NULL,
         NULL,
         "jobparate",
         {},
         PERIOD_MONTH,
         24,
         78,
         86},
        {"flygtninge_selvforsoergende",
         SOURCE_CSV,
         NULL,
         "intern/flygtninge.csv",
         NULL,
         NULL,
         "selvforsoergende",
         {},
         PERIOD_MONTH,
         24,
         45,
         70},
        {"kurser_opkvalificering",
         SOURCE_CSV,
         NULL,
         "intern/kurser.csv",
         NULL,
         NULL,
         "kurser",
         {},
         PERIOD_YEAR,
         3,
         40,
         70},
        {"virksomhedsrettede_tilbud",
         SOURCE_CSV,
         NULL,
         "intern/tilbud.csv",
         NULL,
         NULL,
         "virksomhedsrettede",
         {},
         PERIOD_MONTH,
         24,
         140,
         190},
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
