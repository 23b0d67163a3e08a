/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes the goal test file reader (goal-test.c, what `labourwatch test FILE` reads): any bytes
 * give either the tests or errors, never a crash, a sanitizer report, a leak or a hang. */
#include <stdint.h>
#include <stdlib.h>

#include "labourwatch/goal-test.h"
#include "labourwatch/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_error(void *userdata, const char *file, unsigned line, unsigned column, const char *message)
{
        size_t *n = userdata;

        if (!file || !message)
                abort();
        (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        GoalTestFile *f = NULL;
        size_t n_errors = 0;

        if (size > 256 * 1024)
                return 0;
        if (goal_test_file_read("fuzz.yaml", (const char *) data, size, count_error, &n_errors, &f) < 0) {
                if (n_errors == 0)
                        abort(); /* every refusal is explained */
                return 0;
        }
        /* A usable file names its configuration, and every valid test is complete. */
        if (!f->config || !f->inputs)
                abort();
        for (size_t i = 0; i < f->n_tests; i++)
                if (f->tests[i].valid && (!f->tests[i].goal || !f->tests[i].date_text || !f->tests[i].expect ||
                                          f->tests[i].expect->type != YAML_MAPPING_NODE))
                        abort();
        goal_test_file_free(f);
        return 0;
}
