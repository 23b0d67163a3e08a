/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON-stat 2.0 datasets and 1.x bundles. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = { { .dimension = (char *) "geo", .value = (char *) "163" } };
        SourceDef src = { .name = (char *) "js", .kind = SOURCE_JSONSTAT };
        SeriesDef a = { .name = (char *) "x", .select = sel, .n_select = 1, .freq = _PERIOD_FREQ_INVALID };
        SeriesDef b = { .name = (char *) "y",
                        .table = (char *) "dataset",
                        .measure = (char *) "FTP",
                        .freq = _PERIOD_FREQ_INVALID };
        /* issue 11 §1: a named dataset, a time_format, a frequency that skips the others */
        SeriesDef c = { .name = (char *) "z",
                        .table = (char *) "b.json#persons",
                        .time_format = (char *) "%Y - %q",
                        .freq = PERIOD_QUARTER };
        SeriesDef d = { .name = (char *) "w", .dataset = (char *) "rate", .freq = PERIOD_MONTH };
        fuzz_parse_data(SOURCE_JSONSTAT, &src, &a, NULL, data, size);
        fuzz_parse_data(SOURCE_JSONSTAT, &src, &b, NULL, data, size);
        fuzz_parse_data(SOURCE_JSONSTAT, &src, &c, NULL, data, size);
        fuzz_parse_data(SOURCE_JSONSTAT, &src, &d, NULL, data, size);
        return 0;
}
