/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* A series from a compact spec, for the goal and text tests (header only; include after cmocka.h). */

#include <stdio.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"

/* "2024M01 380 382 . _ 388": values from the first period on; "." a published-but-missing cell,
 * "_" a period that is absent altogether. */
static inline Series *mk(const char *name, const char *spec)
{
        Series *s = NULL;
        char buf[2048], *save = NULL, *tok;
        Period p;

        assert_int_equal(series_new(name, &s), 0);
        if (!spec)
                return s;
        snprintf(buf, sizeof(buf), "%s", spec);
        tok = strtok_r(buf, " ", &save);
        assert_int_equal(period_parse(tok, &p), 0);
        while ((tok = strtok_r(NULL, " ", &save))) {
                if (streq(tok, "."))
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = p, .missing = true }), 0);
                else if (!streq(tok, "_")) {
                        double v;
                        assert_int_equal(safe_atod(tok, &v), 0);
                        assert_int_equal(series_put(s, (SeriesPoint){ .period = p, .value = v }), 0);
                }
                p = period_add(p, 1);
        }
        return s;
}
