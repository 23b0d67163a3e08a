/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The period label recogniser and time_format reader (source-period.c): spreadsheet and JSON-stat
 * labels such as "jan. 2024", "1. kvt. 2024", "01-01-2024", "2005 - 1". The first line of the input
 * is a time_format, the rest a label. Every accepted period must be valid. */
#include <stdlib.h>
#include <string.h>

#include "../../daemon/sources/source-internal.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const PeriodFreq hints[] = { _PERIOD_FREQ_INVALID, PERIOD_YEAR,  PERIOD_HALF,
                                            PERIOD_QUARTER,       PERIOD_MONTH, PERIOD_QMAT };
        const char *nl = memchr(data, '\n', size);
        size_t flen = nl ? (size_t) (nl - (const char *) data) : 0;
        char *copy = malloc(size ? size : 1), *format;
        Period p;

        if (!copy)
                return 0;
        memcpy(copy, data, size);
        /* the whole input as a label, without a terminating NUL (reads past size are caught) */
        for (size_t i = 0; i < ELEMENTSOF(hints); i++)
                for (size_t j = 0; j < ELEMENTSOF(hints); j++)
                        if (source_parse_period_label(copy, size, hints[i], hints[j], &p) >= 0 &&
                            !period_is_valid(p))
                                abort();
        /* first line as a time_format, the rest as the text */
        if (nl && (format = strndup(copy, flen))) {
                if (source_time_format_is_valid(format) &&
                    source_parse_period_format(copy + flen + 1, size - flen - 1, format, &p) >= 0 &&
                    !period_is_valid(p))
                        abort();
                free(format);
        }
        free(copy);
        return 0;
}
