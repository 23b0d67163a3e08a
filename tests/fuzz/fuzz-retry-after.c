/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Retry-After header values (server-controlled): delta-seconds or an HTTP-date via curl_getdate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        uint64_t d = 0;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        if (fetch_parse_retry_after(s, UINT64_C(1700000000000000), &d) == 0 &&
            d > UINT64_C(8) * 24 * 3600 * 1000000 && strspn(s, " \t0123456789") == strlen(s))
                abort(); /* delta-seconds are capped at a week */
        free(s);
        return 0;
}
