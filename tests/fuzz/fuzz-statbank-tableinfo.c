/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistikbank tableinfo: parse, resolve a selection, plan the data request. */
#include <stdlib.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = {{.dimension = (char *) "OMRÅDE", .value = (char *) "Herlev"},
                                      {.dimension = (char *) "ydelsestype", .value = (char *) "fleksjob"}};
        SourceDef src = {.name = (char *) "dst", .kind = SOURCE_STATBANK, .lang = (char *) "da"};
        SeriesDef def = {.name = (char *) "x",
                         .table = (char *) "AUK01",
                         .select = sel,
                         .n_select = 2,
                         .freq = _PERIOD_FREQ_INVALID};
        const Provider *p = provider_for(SOURCE_STATBANK);
        ProviderMeta *m = NULL;
        char *err = NULL, *sel_s = NULL, *copy = malloc(size ? size : 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        SourceResponse resp = {
                .url = "https://fuzz.invalid/tableinfo", .status = 200, .body = copy, .size = size};
        int r = p->parse_metadata(&src, &def, &resp, &m, &err);
        if (r == 0) {
                SourceRequest req = {};
                Period since = {PERIOD_QUARTER, 2024, 1};
                if (!m)
                        abort();
                free(err);
                err = NULL;
                r = p->plan(&(SourcePlanContext){.source = &src, .series = &def, .meta = m, .since = &since},
                            &req, &err);
                if (r == SOURCE_PLAN_REQUEST && (!req.url || !req.body))
                        abort();
                source_request_done(&req);
                if (source_selection_string(&def, m, &sel_s) == 0)
                        free(sel_s);
                /* the data parser with resolved metadata, on the same bytes */
                fuzz_parse_data(SOURCE_STATBANK, &src, &def, m, data, size);
        } else if (m)
                abort();
        provider_meta_free(m);
        free(err);
        free(copy);
        return 0;
}
