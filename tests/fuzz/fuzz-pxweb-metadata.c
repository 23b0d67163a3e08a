/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PxWeb table metadata: parse, resolve a selection by text and a measure, plan the data POST (the
 * body must be JSON in PxWeb's query shape), then the data parser with that metadata on the same
 * bytes. */
#include <stdlib.h>

#include <jansson.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static SelectionItem sel[] = { { .dimension = (char *) "region", .value = (char *) "Stockholm" } };
        SourceDef src = { .name = (char *) "scb",
                          .kind = SOURCE_PXWEB,
                          .base_url = (char *) "https://fuzz.invalid/" };
        SeriesDef def = { .name = (char *) "x",
                          .table = (char *) "AM/AM0210",
                          .measure = (char *) "Antal arbetslösa",
                          .select = sel,
                          .n_select = 1,
                          .freq = PERIOD_MONTH };
        SeriesDef bare = { .name = (char *) "y", .table = (char *) "T", .freq = _PERIOD_FREQ_INVALID };
        const Provider *p = provider_for(SOURCE_PXWEB);
        SeriesDef *defs[] = { &def, &bare };
        char *copy = malloc(size ? size : 1);

        if (!copy)
                return 0;
        memcpy(copy, data, size);
        for (size_t k = 0; k < ELEMENTSOF(defs); k++) {
                SourceResponse resp = {
                        .url = "https://fuzz.invalid/m", .status = 200, .body = copy, .size = size
                };
                ProviderMeta *m = NULL;
                char *err = NULL;
                int r = p->parse_metadata(&src, defs[k], &resp, &m, &err);
                if (r == 0) {
                        SourceRequest req = {};
                        Period since = { PERIOD_MONTH, 2024, 4 };
                        if (!m)
                                abort();
                        free(err);
                        err = NULL;
                        r = p->plan(
                                &(SourcePlanContext){
                                        .source = &src, .series = defs[k], .meta = m, .since = &since },
                                &req, &err);
                        if (r == SOURCE_PLAN_REQUEST) {
                                json_t *j = req.body ? json_loads(req.body, 0, NULL) : NULL;
                                if (!j || !json_is_array(json_object_get(j, "query")))
                                        abort();
                                json_decref(j);
                        }
                        source_request_done(&req);
                        fuzz_parse_data(SOURCE_PXWEB, &src, defs[k], m, data, size);
                } else if (m || !err)
                        abort();
                provider_meta_free(m);
                free(err);
        }
        free(copy);
        return 0;
}
