/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The goal test file reader; see goal-test.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/config.h"
#include "labourwatch/goal-test.h"
#include "labourwatch/macro.h"
#include "labourwatch/parse-util.h"

/* The raw text of a scalar, null included ("~" is "~" here; yaml_node_is_null() tells). */
static const char *scalar(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

static int number(YamlFile *yf, const yaml_node_t *n, const char *what, double *ret)
{
        const char *s = scalar(n);

        if (!s || parse_decimal(s, ret) < 0 || !isfinite(*ret)) {
                yaml_file_error(yf, n, "%s: expected a number, got '%s'", what, strna(s));
                return -EINVAL;
        }
        return 0;
}

/* One series {PERIOD: VALUE, ...}. Returns 0 and *ret, or -EINVAL (reported) or -ENOMEM. */
static int parse_series(YamlFile *yf, const char *name, yaml_node_t *v, Series **ret)
{
        _cleanup_(series_freep) Series *s = NULL;

        if (v->type != YAML_MAPPING_NODE) {
                yaml_file_error(yf, v, "series '%s': expected a mapping {PERIOD: VALUE, …}", name);
                return -EINVAL;
        }
        if (series_new(name, &s) < 0)
                return -ENOMEM;
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                yaml_node_t *pk = yaml_file_node(yf, q->key), *pv = yaml_file_node(yf, q->value);
                SeriesPoint pt = {};

                if (!scalar(pk) || period_parse(scalar(pk), &pt.period) < 0) {
                        yaml_file_error(yf, pk, "series '%s': '%s' is not a period (2024, 2024H1, 2024Q2, 2024M06, 2024QMAT02)",
                                        name, strna(scalar(pk)));
                        return -EINVAL;
                }
                if (yaml_node_is_null(pv) || streq(strempty(scalar(pv)), ".") || streq(strempty(scalar(pv)), ".."))
                        pt.missing = true;
                else if (number(yf, pv, scalar(pk), &pt.value) < 0)
                        return -EINVAL;
                if (series_put(s, pt) < 0) {
                        yaml_file_error(yf, pk, "series '%s': period %s has another frequency than the series' earlier periods",
                                        name, scalar(pk));
                        return -EINVAL;
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int goal_test_parse_series_map(YamlFile *yf, yaml_node_t *map, SeriesSet **ret)
{
        _cleanup_(series_set_freep) SeriesSet *set = NULL;
        int r;

        if (!map || map->type != YAML_MAPPING_NODE) {
                yaml_file_error(yf, map, "input_series: expected a mapping of series names to {PERIOD: VALUE}");
                return -EINVAL;
        }
        r = series_set_new(&set);
        if (r < 0)
                return r;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                const char *name = yaml_mapping_key(yf, map, p);
                Series *s = NULL;

                if (!name) /* not a name, or given twice: reported */
                        return -EINVAL;
                r = parse_series(yf, name, yaml_file_node(yf, p->value), &s);
                if (r < 0)
                        return r;
                r = series_set_add(set, s);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(set);
        return 0;
}

/* One entry of tests:. Problems make it invalid (reported); the others still run. */
static int parse_test(GoalTestFile *f, yaml_node_t *t, GoalTest *ret)
{
        static const char *const known[] = {"name", "date", "goal", "expect", "input_series", "tolerance"};
        YamlFile *yf = &f->yf;
        yaml_node_t *date_n, *tol_n, *over, *name_n;
        int r;

        *ret = (GoalTest){.node = t, .tolerance = f->tolerance};
        if (t->type != YAML_MAPPING_NODE) {
                yaml_file_error(yf, t, "tests: each test must be a mapping with date, goal and expect");
                return 0;
        }
        for (yaml_node_pair_t *p = t->data.mapping.pairs.start; p < t->data.mapping.pairs.top; p++) {
                const char *key = yaml_mapping_key(yf, t, p);
                bool ok = false;

                if (!key)
                        return 0; /* not a name, or a duplicate: reported */
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || streq(key, known[i]);
                if (!ok) {
                        yaml_file_error(yf, yaml_file_node(yf, p->key), "unknown key '%s' in a test (expected %s)", key,
                                        "name, date, goal, expect, input_series, tolerance");
                        return 0;
                }
        }
        date_n = yaml_mapping_get(yf, t, "date");
        ret->goal_node = yaml_mapping_get(yf, t, "goal");
        ret->expect = yaml_mapping_get(yf, t, "expect");
        name_n = yaml_mapping_get(yf, t, "name");
        tol_n = yaml_mapping_get(yf, t, "tolerance");
        over = yaml_mapping_get(yf, t, "input_series");
        ret->name = scalar(name_n);
        ret->date_text = scalar(date_n);
        ret->goal = scalar(ret->goal_node);
        if (!ret->date_text || date_parse(ret->date_text, &ret->date) < 0) {
                yaml_file_error(yf, date_n ?: t, "date: expected YYYY-MM-DD");
                return 0;
        }
        if (!ret->goal) {
                yaml_file_error(yf, ret->goal_node ?: t, "goal: '%s' is not a goal of the configuration", "n/a");
                return 0;
        }
        if (!ret->expect || ret->expect->type != YAML_MAPPING_NODE) {
                yaml_file_error(yf, ret->expect ?: t, "expect: expected a mapping (status, value, projected, gap, …)");
                return 0;
        }
        if (tol_n && number(yf, tol_n, "tolerance", &ret->tolerance) < 0)
                return 0;
        if (over) {
                r = goal_test_parse_series_map(yf, over, &ret->inputs);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return 0;
        }
        ret->valid = true;
        return 0;
}

/* The file's frame: config, tolerance, input_series, tests. */
static int parse_root(GoalTestFile *f)
{
        YamlFile *yf = &f->yf;
        yaml_node_t *root = yaml_file_root(yf), *n;
        int r;

        if (!root || root->type != YAML_MAPPING_NODE) {
                yaml_file_error(yf, root, "expected a mapping with config, input_series and tests");
                return -EINVAL;
        }
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
                const char *key = yaml_mapping_key(yf, root, p);
                if (!key)
                        return -EINVAL; /* not a name, or a duplicate: reported */
                if (!streq(key, "config") && !streq(key, "input_series") && !streq(key, "tests") &&
                    !streq(key, "tolerance")) {
                        yaml_file_error(yf, yaml_file_node(yf, p->key),
                                        "unknown key '%s' (expected config, tolerance, input_series, tests)", key);
                        return -EINVAL;
                }
        }
        f->config_node = yaml_mapping_get(yf, root, "config");
        f->config = scalar(f->config_node);
        if (!f->config || !*f->config) {
                yaml_file_error(yf, f->config_node ?: root, "config: expected the path of the configuration the tests use");
                return -EINVAL;
        }
        n = yaml_mapping_get(yf, root, "tolerance");
        if (n && number(yf, n, "tolerance", &f->tolerance) < 0)
                return -EINVAL;
        n = yaml_mapping_get(yf, root, "input_series");
        r = n ? goal_test_parse_series_map(yf, n, &f->inputs) : series_set_new(&f->inputs);
        if (r < 0)
                return r;

        n = yaml_mapping_get(yf, root, "tests");
        if (!n || n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top) {
                yaml_file_error(yf, n ?: root, "tests: expected a list of tests");
                return -EINVAL;
        }
        f->tests = calloc((size_t) (n->data.sequence.items.top - n->data.sequence.items.start), sizeof(GoalTest));
        if (!f->tests)
                return -ENOMEM;
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
                r = parse_test(f, yaml_file_node(yf, *i), &f->tests[f->n_tests++]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int goal_test_file_read(const char *path, const char *buf, size_t size, YamlErrorFunc error, void *userdata,
                        GoalTestFile **ret)
{
        _cleanup_(goal_test_file_freep) GoalTestFile *f = calloc(1, sizeof(GoalTestFile));
        int r;

        if (!f)
                return -ENOMEM;
        r = buf ? yaml_file_load_buffer(&f->yf, path, buf, size, error, userdata)
                : yaml_file_load(&f->yf, path, CONFIG_FILE_MAX, error, userdata);
        if (r < 0)
                return r;
        f->tolerance = GOAL_TEST_TOLERANCE_DEFAULT;
        r = parse_root(f);
        if (r < 0)
                return r;
        if (f->yf.oom)
                return -ENOMEM;
        *ret = TAKE_PTR(f);
        return 0;
}

GoalTestFile *goal_test_file_free(GoalTestFile *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_tests; i++)
                series_set_free(f->tests[i].inputs);
        free(f->tests);
        series_set_free(f->inputs);
        yaml_file_done(&f->yf);
        free(f);
        return NULL;
}
