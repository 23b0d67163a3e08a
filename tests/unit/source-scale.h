/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Generated provider inputs at a chosen size, and the CPU time a provider needs to parse them: the
 * scaling test (tests/unit/test-source-scale.c) asserts that the cost grows roughly linearly
 * between 10x and 100x a realistic size, and tests/bench/bench-scale prints the figures. Header only.
 *
 * Each case is a shape an attacker or a careless publisher controls: many one-category JSON-stat
 * dimensions (ids once compared pairwise), long time dimensions listed newest first (points once
 * inserted one by one at the front), long CSV/Jobindsats/Statbank tables newest first, tableinfo
 * and Jobindsats metadata with many values. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

typedef struct ScaleBuf {
        char *s;
        size_t len, alloc;
} ScaleBuf;

_printf_(2, 3) static inline void scale_printf(ScaleBuf *b, const char *fmt, ...)
{
        va_list ap;
        int n;
        for (;;) {
                va_start(ap, fmt);
                n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->alloc - b->len : 0, fmt, ap);
                va_end(ap);
                if (n < 0)
                        abort();
                if (b->s && b->len + (size_t) n < b->alloc)
                        break;
                b->alloc = (b->alloc + (size_t) n + 1) * 2;
                b->s = realloc(b->s, b->alloc);
                if (!b->s)
                        abort();
        }
        b->len += (size_t) n;
}

/* Month i of n listed newest first (1900M01 is the oldest: periods end in 9999), as a period code. */
static inline void scale_month(size_t i, size_t n, char buf[static PERIOD_STRING_MAX])
{
        period_to_string(period_add((Period){ PERIOD_MONTH, 1900, 1 }, (int64_t) (n - 1 - i)), buf);
}

typedef enum ScaleStep {
        SCALE_DATA,
        SCALE_METADATA,
} ScaleStep;

typedef struct ScaleCase {
        const char *name;
        SourceKind kind;
        ScaleStep step;
        size_t base; /* a realistic size (dimensions, periods, rows, values) */
        void (*gen)(ScaleBuf *b, size_t n);
        const char *select_dim, *select_value, *measure;
        int api_version;
} ScaleCase;

static inline void gen_jsonstat_dims(ScaleBuf *b, size_t n)
{
        /* n one-category dimensions besides time, all listed in a role too */
        scale_printf(b, "{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "\"d%zu\",", i);
        scale_printf(b, "\"time\"],\"size\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "1,");
        scale_printf(b, "1],\"role\":{\"time\":[\"time\"],\"geo\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "%s\"d%zu\"", i ? "," : "", i);
        scale_printf(b, "]},\"dimension\":{");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "\"d%zu\":{\"category\":{\"index\":[\"x\"]}},", i);
        scale_printf(b, "\"time\":{\"category\":{\"index\":[\"2024M06\"]}}},\"value\":[1]}");
}

static inline void gen_jsonstat_time(ScaleBuf *b, size_t n)
{
        char pb[PERIOD_STRING_MAX];
        scale_printf(b,
                     "{\"version\":\"2.0\",\"class\":\"dataset\",\"id\":[\"geo\",\"time\"],\"size\":[2,%zu],"
                     "\"role\":{\"time\":[\"time\"]},\"dimension\":{\"geo\":{\"category\":{\"index\":"
                     "[\"163\",\"101\"]}},\"time\":{\"category\":{\"index\":[",
                     n);
        for (size_t i = 0; i < n; i++) {
                scale_month(i, n, pb);
                scale_printf(b, "%s\"%s\"", i ? "," : "", pb);
        }
        scale_printf(b, "]}}},\"value\":[");
        for (size_t i = 0; i < 2 * n; i++)
                scale_printf(b, "%s%zu", i ? "," : "", i % 1000);
        scale_printf(b, "]}");
}

static inline void gen_csv_rows(ScaleBuf *b, size_t n)
{
        char pb[PERIOD_STRING_MAX];
        scale_printf(b, "periode;team;antal\n");
        for (size_t i = 0; i < n; i++) {
                scale_month(i, n, pb);
                scale_printf(b, "%s;A;%zu\n%s;B;1\n", pb, i % 1000, pb);
        }
}

static inline void gen_statbank_csv(ScaleBuf *b, size_t n)
{
        char pb[PERIOD_STRING_MAX];
        scale_printf(b, "OMRÅDE;TID;INDHOLD\n");
        for (size_t i = 0; i < n; i++) {
                scale_month(i, n, pb);
                scale_printf(b, "163;%s;%zu\n101;%s;1\n", pb, i % 1000, pb);
        }
}

static inline void gen_jobindsats_rows(ScaleBuf *b, size_t n)
{
        char pb[PERIOD_STRING_MAX];
        scale_printf(b, "{\"columns\":[\"Periode\",\"Område\",\"Antal\"],\"rows\":[");
        for (size_t i = 0; i < n; i++) {
                scale_month(i, n, pb);
                scale_printf(b, "%s[\"%s\",\"Herlev\",%zu],[\"%s\",\"Ballerup\",1]", i ? "," : "", pb,
                             i % 1000, pb);
        }
        scale_printf(b, "]}");
}

static inline void gen_statbank_tableinfo(ScaleBuf *b, size_t n)
{
        scale_printf(
                b, "{\"id\":\"AUK01\",\"updated\":\"2024-06-01T08:00:00\",\"variables\":[{\"id\":\"OMRÅDE\","
                   "\"text\":\"område\",\"elimination\":true,\"values\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "%s{\"id\":\"%zu\",\"text\":\"Område %zu\"}", i ? "," : "", i, i);
        scale_printf(b, "]},{\"id\":\"Tid\",\"text\":\"tid\",\"time\":true,\"values\":[{\"id\":\"2024M06\","
                        "\"text\":\"2024M06\"}]}]}");
}

static inline void gen_jobindsats_metadata(ScaleBuf *b, size_t n)
{
        scale_printf(b, "{\"periods\":[{\"periodtype_id\":\"M\",\"values\":[\"2024M06\"]}],\"dimensions\":[{"
                        "\"dimension_id\":\"_omr\",\"dimension_name\":\"Område\",\"hierarchies\":[{"
                        "\"hierarchy_id\":\"_kom\",\"values\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "%s{\"value_id\":\"%zu\",\"value_name\":\"Område %zu\"}", i ? "," : "", i,
                             i);
        scale_printf(b, "]}]}]}");
}

static inline void gen_pxweb_metadata(ScaleBuf *b, size_t n)
{
        scale_printf(b, "{\"title\":\"scale\",\"variables\":[{\"code\":\"Region\",\"text\":\"region\","
                        "\"elimination\":true,\"values\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "%s\"%zu\"", i ? "," : "", i);
        scale_printf(b, "],\"valueTexts\":[");
        for (size_t i = 0; i < n; i++)
                scale_printf(b, "%s\"Kommun %zu\"", i ? "," : "", i);
        scale_printf(b, "]},{\"code\":\"Tid\",\"text\":\"månad\",\"time\":true,\"values\":[\"2024M06\"],"
                        "\"valueTexts\":[\"2024M06\"]}]}");
}

/* Windows-1252 (an ø as the byte 0xF8): the whole file is converted before it is read */
static inline void gen_csv_cp1252(ScaleBuf *b, size_t n)
{
        char pb[PERIOD_STRING_MAX];
        scale_printf(b, "sep=;\r\nperiode;afdeling;antal\r\n");
        for (size_t i = 0; i < n; i++) {
                scale_month(i, n, pb);
                scale_printf(b, "%s;K\xf8ge;%zu\r\n%s;Ballerup;1\r\n", pb, i % 1000, pb);
        }
}

static const ScaleCase scale_cases[] = {
        { "jsonstat-dimensions", SOURCE_JSONSTAT, SCALE_DATA, 1000, gen_jsonstat_dims, NULL, NULL, NULL, 0 },
        { "jsonstat-time-newest-first", SOURCE_JSONSTAT, SCALE_DATA, 400, gen_jsonstat_time, "geo", "163",
          NULL, 0 },
        { "csv-rows-newest-first", SOURCE_CSV, SCALE_DATA, 400, gen_csv_rows, "team", "A", NULL, 0 },
        { "statbank-csv-newest-first", SOURCE_STATBANK, SCALE_DATA, 400, gen_statbank_csv, "OMRÅDE", "163",
          NULL, 0 },
        { "jobindsats-rows-newest-first", SOURCE_JOBINDSATS, SCALE_DATA, 400, gen_jobindsats_rows, "Område",
          "Herlev", "Antal", 3 },
        { "statbank-tableinfo-values", SOURCE_STATBANK, SCALE_METADATA, 100, gen_statbank_tableinfo,
          "OMRÅDE", "Område 1", NULL, 0 },
        { "jobindsats-metadata-values", SOURCE_JOBINDSATS, SCALE_METADATA, 100, gen_jobindsats_metadata,
          "Område", "Område 1", NULL, 3 },
        { "pxweb-metadata-values", SOURCE_PXWEB, SCALE_METADATA, 100, gen_pxweb_metadata, "region",
          "Kommun 1", NULL, 0 },
        { "csv-windows-1252-newest-first", SOURCE_CSV, SCALE_DATA, 400, gen_csv_cp1252, "afdeling", "Køge",
          NULL, 0 },
};

static inline double scale_cpu_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Parses the generated input once; returns the provider's result (0 expected). */
static inline int scale_parse_once(const ScaleCase *c, const char *body, size_t size, size_t *ret_points)
{
        SelectionItem sel = { .dimension = (char *) c->select_dim, .value = (char *) c->select_value };
        SourceDef src = { .name = (char *) "scale",
                          .kind = c->kind,
                          .lang = (char *) "da",
                          .api_version = c->api_version };
        SeriesDef def = { .name = (char *) "scale",
                          .table = (char *) "T1",
                          .measure = (char *) c->measure,
                          .select = c->select_dim ? &sel : NULL,
                          .n_select = c->select_dim ? 1 : 0,
                          .freq = _PERIOD_FREQ_INVALID };
        SourceResponse resp = { .url = "scale",
                                .status = 200,
                                .body = body,
                                .size = size,
                                .content_type = c->kind == SOURCE_CSV || (c->kind == SOURCE_STATBANK &&
                                                                          c->step == SCALE_DATA)
                                                        ? "text/csv"
                                                        : "application/json" };
        const Provider *p = provider_for(c->kind);
        char *err = NULL;
        int r;

        *ret_points = 0;
        if (c->step == SCALE_METADATA) {
                ProviderMeta *m = NULL;
                r = p->parse_metadata(&src, &def, &resp, &m, &err);
                *ret_points = r >= 0;
                provider_meta_free(m);
        } else {
                Series *s = NULL;
                r = p->parse_data(&src, &def, NULL, &resp, &s, NULL, &err);
                if (r >= 0)
                        *ret_points = s->n_points;
                series_free(s);
        }
        if (r < 0)
                fprintf(stderr, "%s: %s\n", c->name, err ? err : "(no message)");
        free(err);
        return r;
}

/* CPU seconds per parse of case c at size n (the least of a few rounds, each at least ~20 ms so
 * that small inputs are timed over many parses), and the input's size in bytes. */
static inline double scale_measure(const ScaleCase *c, size_t n, size_t *ret_bytes, size_t *ret_points,
                                   int *ret_r)
{
        ScaleBuf b = {};
        double best = 1e99;

        c->gen(&b, n);
        *ret_bytes = b.len;
        *ret_r = 0;
        for (int round = 0; round < 3; round++) {
                unsigned reps = 0;
                double t0 = scale_cpu_now(), t;
                do {
                        int r = scale_parse_once(c, b.s, b.len, ret_points);
                        if (r < 0) {
                                *ret_r = r;
                                free(b.s);
                                return 0;
                        }
                        reps++;
                        t = scale_cpu_now() - t0;
                } while (t < 0.02);
                if (t / reps < best)
                        best = t / reps;
                if (best > 0.1) /* big enough to time once (and under valgrind) */
                        break;
        }
        free(b.s);
        return best;
}
