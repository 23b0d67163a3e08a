/* SPDX-License-Identifier: GPL-2.0-or-later */
/* idle.c: dropping clean file pages gives back resident memory and loses nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "labourwatch/idle.h"
#include "labourwatch/macro.h"
#include "labourwatch/period.h"

static long status_kb(const char *key)
{
        char line[256];
        long v = -1;
        FILE *f = fopen("/proc/self/status", "re");

        assert_non_null(f);
        while (fgets(line, sizeof line, f))
                if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
                        v = strtol(line + strlen(key) + 1, NULL, 10);
        fclose(f);
        return v;
}

static int written = 42; /* .data: a written page must survive */
static char big[1 << 20]; /* .bss: anonymous, never dropped */

static void test_release(void **state)
{
        char buf[PERIOD_STRING_MAX];
        long before, after;
        Period p;

        memset(big, 7, sizeof big);
        written++;
        before = status_kb("RssFile");
        idle_release_memory(IDLE_RELEASE_HEAP | IDLE_RELEASE_TEXT);
        after = status_kb("RssFile");
        assert_true(after < before);

        /* code and data still work: calls into the program and libc, written and bss data intact */
        assert_int_equal(period_parse("2024M06", &p), 0);
        assert_string_equal(period_to_string(p, buf), "2024M06");
        assert_int_equal(written, 43);
        for (size_t i = 0; i < sizeof big; i += 4096)
                assert_int_equal(big[i], 7);
        idle_release_memory(IDLE_RELEASE_HEAP | IDLE_RELEASE_TEXT); /* twice is fine */
        assert_int_equal(period_parse("2024Q2", &p), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_release),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
