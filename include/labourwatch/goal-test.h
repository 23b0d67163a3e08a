/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The reader of goal test files (`labourwatch test FILE`): a YAML document in, the tests it
 * describes out, every problem reported with FILE:LINE:COL. The files are read by the YAML field
 * engine (size cap, nesting guard, node cap, duplicate keys, no NUL, regular files only). Running
 * the tests (loading the configuration, evaluating, comparing) is cli-test.c's.
 *
 *     config: ../labourwatch.yaml     tolerance: 0.05     input_series: {NAME: {PERIOD: VALUE}}
 *     tests: [{name:, date: YYYY-MM-DD, goal: ID, input_series:, tolerance:, expect: {...}}]
 *
 * No I/O beyond reading the file; never logs. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/period.h"
#include "labourwatch/series.h"
#include "labourwatch/yaml-fields.h"

typedef struct GoalTest {
        yaml_node_t *node;      /* the test's mapping, for its position */
        const char *name;       /* NULL when not given; valid while the file lives */
        const char *date_text;
        Date date;
        const char *goal;       /* the goal id, not yet looked up */
        yaml_node_t *goal_node;
        yaml_node_t *expect;    /* a mapping: key -> expected value, compared by the runner */
        SeriesSet *inputs;      /* the test's own input_series (replacing the file's), or NULL */
        double tolerance;       /* the test's, else the file's */
        bool valid;             /* false: an error was reported, do not run it */
} GoalTest;

typedef struct GoalTestFile {
        YamlFile yf;
        const char *config;     /* the configuration's path as written (relative to the file) */
        yaml_node_t *config_node;
        double tolerance;       /* default 0.05 */
        SeriesSet *inputs;      /* the file's input_series (empty when not given) */
        GoalTest *tests;
        size_t n_tests;
} GoalTestFile;

#define GOAL_TEST_TOLERANCE_DEFAULT 0.05

/* Reads path (or, with buf != NULL, the size bytes at buf, named path in messages). Returns 0 and
 * *ret (caller owns: goal_test_file_free) when the file's frame is usable (config, tests) even if
 * single tests are invalid; -EBADMSG when the file is not one valid YAML document, -EINVAL when its
 * frame is wrong (both reported), -ENOMEM, or -errno of reading (reported). path must stay valid
 * while the result lives. */
int goal_test_file_read(const char *path, const char *buf, size_t size, YamlErrorFunc error, void *userdata,
                        GoalTestFile **ret);
GoalTestFile *goal_test_file_free(GoalTestFile *f);

/* Reads {PERIOD: VALUE, ...} mappings of series names ("." or null: a missing cell). */
int goal_test_parse_series_map(YamlFile *yf, yaml_node_t *map, SeriesSet **ret);

static inline void goal_test_file_freep(GoalTestFile **f)
{
        goal_test_file_free(*f);
}
