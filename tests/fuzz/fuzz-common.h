/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Shared by the provider fuzz targets: run one parse step on arbitrary bytes with a fixed
 * selection and free everything. Header only (tests/fuzz/fuzz-*.c are the targets). */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_check_series(const Series *s)
{
        /* the contract: sorted, unique periods, one frequency */
        for (size_t i = 1; s && i < s->n_points; i++)
                if (period_compare(s->points[i - 1].period, s->points[i].period) >= 0 ||
                    s->points[i].period.freq != s->freq)
                        abort();
}

/* Copies the input without a terminating NUL, so reads past `size` are caught by ASan. */
static inline void fuzz_parse_data(SourceKind kind, const SourceDef *src, const SeriesDef *def,
                                   const ProviderMeta *meta, const uint8_t *data, size_t size)
{
        char *copy = malloc(size ? size : 1);
        Series *s = NULL;
        char *err = NULL, *note = NULL, *desc;
        if (!copy)
                return;
        memcpy(copy, data, size);
        SourceResponse resp = {.url = "https://fuzz.invalid/x", .status = 200, .body = copy, .size = size};
        int r = provider_for(kind)->parse_data(src, def, meta, &resp, &s, &note, &err);
        if (r == 0 && !s)
                abort();
        if (r < 0 && (s || !err))
                abort(); /* a failure always explains itself (or is -ENOMEM) */
        fuzz_check_series(s);
        series_free(s);
        free(err);
        free(note);
        resp.status = 400;
        desc = source_describe_error(kind, &resp);
        free(desc);
        (void) source_body_is_html(copy, size, NULL);
        free(copy);
}
