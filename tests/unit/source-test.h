/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Shared helpers for the provider tests (header only; included by tests/unit/test-source-*.c). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

/* "2024M01=380,2024M02=..,…" with %g values; caller frees. */
static inline char *series_to_test_string(const Series *s)
{
        size_t alloc = 64 + s->n_points * 40, len = 0;
        char *b = malloc(alloc);
        if (!b)
                abort();
        b[0] = 0;
        for (size_t i = 0; i < s->n_points; i++) {
                char pb[PERIOD_STRING_MAX];
                period_to_string(s->points[i].period, pb);
                if (s->points[i].missing)
                        len += (size_t) snprintf(b + len, alloc - len, "%s%s=..", i ? "," : "", pb);
                else
                        len += (size_t) snprintf(b + len, alloc - len, "%s%s=%g", i ? "," : "", pb,
                                                 s->points[i].value);
        }
        return b;
}

/* Reads tests/data/providers/NAME (LW_TEST_DATA points to tests/data). */
static inline char *read_fixture(const char *name, size_t *ret_size)
{
        const char *dir = getenv("LW_TEST_DATA");
        char *path = strdup_printf("%s/providers/%s", dir ? dir : "tests/data", name);
        char *buf = NULL;
        if (!path || read_full_file(path, 64u << 20, &buf, ret_size) < 0) {
                fprintf(stderr, "cannot read fixture %s\n", path ? path : name);
                abort();
        }
        free(path);
        return buf;
}

/* A response carrying fixture NAME from url, its content type guessed from the file name. The caller
 * frees *ret_buf. */
static inline SourceResponse fixture_response_from(const char *url, const char *name, long status,
                                                   char **ret_buf)
{
        size_t size;
        char *buf = read_fixture(name, &size);
        *ret_buf = buf;
        return (SourceResponse){.url = url,
                                .status = status,
                                .body = buf,
                                .size = size,
                                .content_type = strstr(name, ".csv")    ? "text/csv"
                                                : strstr(name, ".html") ? "text/html"
                                                                        : "application/json"};
}

/* A SeriesDef with up to 4 "DIM=value" selection items, on the stack of the caller. */
typedef struct TestDef {
        SeriesDef def;
        SelectionItem items[4];
} TestDef;

static inline void test_def_init(TestDef *t, const char *name, const char *table, const char *measure,
                                 const char *column, const char *const *select /* NULL-terminated pairs */)
{
        memset(t, 0, sizeof(*t));
        t->def.name = (char *) name;
        t->def.table = (char *) table;
        t->def.measure = (char *) measure;
        t->def.column = (char *) column;
        t->def.freq = _PERIOD_FREQ_INVALID;
        t->def.select = t->items;
        for (size_t i = 0; select && select[2 * i] && i < 4; i++) {
                t->items[i].dimension = (char *) select[2 * i];
                t->items[i].value = (char *) select[2 * i + 1];
                t->def.n_select++;
        }
}
