/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV files of internal figures: with a named value column and a row filter, and without. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = {{.dimension = (char *) "team", .value = (char *) "Nord"}};
        SourceDef src = {.name = (char *) "intern", .kind = SOURCE_CSV};
        SeriesDef a = {.name = (char *) "x", .column = (char *) "ordrer", .freq = _PERIOD_FREQ_INVALID};
        SeriesDef b = {.name = (char *) "y", .select = sel, .n_select = 1, .freq = PERIOD_QUARTER};
        fuzz_parse_data(SOURCE_CSV, &src, &a, NULL, data, size);
        fuzz_parse_data(SOURCE_CSV, &src, &b, NULL, data, size);
        return 0;
}
