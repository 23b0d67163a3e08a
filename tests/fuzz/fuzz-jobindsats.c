/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Jobindsats: v3/v2 table metadata and data responses (the same bytes through both steps). */
#include <stdlib.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = {
                {.dimension = (char *) "area", .value = (char *) "Herlev"},
                {.dimension = (char *) "Ydelsesgrupper", .value = (char *) "Ydelsesgrupper i alt"}};
        SourceDef src3 = {.name = (char *) "star", .kind = SOURCE_JOBINDSATS, .api_version = 3};
        SourceDef src2 = {.name = (char *) "star", .kind = SOURCE_JOBINDSATS, .api_version = 2};
        SeriesDef def = {.name = (char *) "x",
                         .table = (char *) "Y30R21",
                         .measure = (char *) "Placering på benchmarkranglisten",
                         .select = sel,
                         .n_select = 2,
                         .freq = PERIOD_QMAT};
        const Provider *p = provider_for(SOURCE_JOBINDSATS);
        const SourceDef *srcs[] = {&src3, &src2};

        for (size_t i = 0; i < 2; i++) {
                ProviderMeta *m = NULL;
                char *err = NULL, *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                memcpy(copy, data, size);
                SourceResponse resp = {
                        .url = "https://fuzz.invalid/table", .status = 200, .body = copy, .size = size};
                def.n_select = 1; /* metadata: area only */
                if (p->parse_metadata(srcs[i], &def, &resp, &m, &err) == 0) {
                        SourceRequest req = {};
                        if (p->plan(&(SourcePlanContext){.source = srcs[i], .series = &def, .meta = m}, &req,
                                    NULL) == SOURCE_PLAN_REQUEST &&
                            !req.url)
                                abort();
                        source_request_done(&req);
                }
                def.n_select = 2;
                fuzz_parse_data(SOURCE_JOBINDSATS, srcs[i], &def, NULL, data, size);
                provider_meta_free(m);
                free(err);
                free(copy);
        }
        return 0;
}
