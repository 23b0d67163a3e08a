/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistikbank data responses (CSV/BULK, and JSONSTAT bundles which share the entry point). */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = {{.dimension = (char *) "OMRÅDE", .value = (char *) "163"},
                                      {.dimension = (char *) "YDELSESTYPE", .value = (char *) "Fleksjob"}};
        SourceDef src = {.name = (char *) "dst", .kind = SOURCE_STATBANK, .lang = (char *) "da"};
        SeriesDef def = {.name = (char *) "x",
                         .table = (char *) "AUK01",
                         .select = sel,
                         .n_select = 2,
                         .freq = _PERIOD_FREQ_INVALID};
        fuzz_parse_data(SOURCE_STATBANK, &src, &def, NULL, data, size);
        return 0;
}
