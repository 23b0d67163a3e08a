/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The provider registry: the one place that knows every provider. It sits above the providers
 * (source-statbank.c, source-jobindsats.c, source-csv.c, source-jsonstat.c,
 * source-pxweb.c), which sit above the
 * helpers they share (source.c); nothing below includes or calls it, so the providers and their
 * helpers link without a cycle. Pure. */

#include "source-internal.h"

const Provider *provider_for(SourceKind kind)
{
        switch (kind) {
        case SOURCE_STATBANK:
                return &provider_statbank;
        case SOURCE_JOBINDSATS:
                return &provider_jobindsats;
        case SOURCE_CSV:
                return &provider_csv;
        case SOURCE_JSONSTAT:
                return &provider_jsonstat;
        case SOURCE_PXWEB:
                return &provider_pxweb;
        default:
                return NULL;
        }
}
