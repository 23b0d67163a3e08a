/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch test FILE...: goal unit tests written in YAML, in the spirit of `promtool test rules`.
 *
 *     config: ../../etc/labourwatch.yaml        # relative to this file; its goals.d is loaded too
 *     tolerance: 0.05                           # optional: allowed |got - want| for numbers
 *     input_series:                             # inline data, instead of the store
 *       fleksjob_fuldtid: {2024M01: 380, 2024M02: 382, 2024M03: .}   # "." or null: missing cell
 *     tests:
 *       - name: rising steadily                 # optional
 *         date: 2024-07-15
 *         goal: fleksjob-2024
 *         input_series: {…}                     # optional: replaces the named series for this test
 *         expect:
 *           status: on_track
 *           value: 381.2                        # numbers within the tolerance; null: no value
 *           projected: 391
 *           gap: 11
 *           period: 2024M06                     # latest observed period
 *           explanation: på rette spor          # must contain (also explanation_en)
 *
 * Derived series (expressions) are computed from the inputs exactly as the daemon does. A failing
 * expectation prints FILE:LINE:COL of the test with a want/got diff; the exit status is 1 when any
 * test failed or a file could not be read, 0 otherwise. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <yaml.h>

#include "cli.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/yaml-fields.h"
#include "labourwatch/text.h"

#define DEFAULT_TOLERANCE 0.05

typedef struct TestFile {
        const char *path;
        YamlFile yf; /* the YAML field engine: size cap, nesting guard, duplicate keys */
        Config *config;
        SeriesSet *inputs;   /* file-level input_series */
        SeriesSet *override; /* the current test's input_series, or NULL */
        double tolerance;
        unsigned n_tests, n_failed, n_errors;
} TestFile;

_printf_(3, 4) static void file_error(TestFile *f, const yaml_node_t *n, const char *fmt, ...)
{
        va_list ap;

        if (n)
                fprintf(stderr, "%s:%zu:%zu: ", f->path, n->start_mark.line + 1, n->start_mark.column + 1);
        else
                fprintf(stderr, "%s: ", f->path);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        f->n_errors++;
}

static yaml_node_t *node(TestFile *f, yaml_node_item_t i)
{
        return yaml_file_node(&f->yf, i);
}

/* The raw text of a scalar, null included ("~" is "~" here; is_null() tells). */
static const char *scalar(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

static bool is_null(const yaml_node_t *n)
{
        return n && yaml_node_is_null(n);
}

/* Errors found by the engine (syntax, nesting, size, duplicate keys) print like file_error's. */
static void engine_error(void *userdata, const char *file, unsigned line, unsigned column, const char *message)
{
        TestFile *f = userdata;

        if (line > 0)
                fprintf(stderr, "%s:%u:%u: %s\n", file, line, column, message);
        else
                fprintf(stderr, "%s: %s\n", file, message);
        f->n_errors++;
}

static int number(TestFile *f, const yaml_node_t *n, const char *what, double *ret)
{
        const char *s = scalar(n);

        if (!s || parse_decimal(s, ret) < 0 || !isfinite(*ret)) {
                file_error(f, n, "%s: expected a number, got '%s'", what, strna(s));
                return -EINVAL;
        }
        return 0;
}

static int parse_series_map(TestFile *f, yaml_node_t *map, SeriesSet **ret)
{
        SeriesSet *set = NULL;
        int r;

        if (!map || map->type != YAML_MAPPING_NODE) {
                file_error(f, map, "input_series: expected a mapping of series names to {PERIOD: VALUE}");
                return -EINVAL;
        }
        r = series_set_new(&set);
        if (r < 0)
                return r;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(f, p->key), *v = node(f, p->value);
                Series *s = NULL;
                if (!scalar(k)) {
                        file_error(f, k, "input_series: expected a series name");
                        goto fail;
                }
                if (v->type != YAML_MAPPING_NODE) {
                        file_error(f, v, "series '%s': expected a mapping {PERIOD: VALUE, …}", scalar(k));
                        goto fail;
                }
                if (series_new(scalar(k), &s) < 0)
                        goto fail;
                for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                        yaml_node_t *pk = node(f, q->key), *pv = node(f, q->value);
                        SeriesPoint pt = {};
                        if (!scalar(pk) || period_parse(scalar(pk), &pt.period) < 0) {
                                file_error(f, pk, "series '%s': '%s' is not a period (2024, 2024H1, 2024Q2, 2024M06, 2024QMAT02)",
                                           scalar(k), strna(scalar(pk)));
                                series_free(s);
                                goto fail;
                        }
                        if (is_null(pv) || streq(strempty(scalar(pv)), ".") || streq(strempty(scalar(pv)), ".."))
                                pt.missing = true;
                        else if (number(f, pv, scalar(pk), &pt.value) < 0) {
                                series_free(s);
                                goto fail;
                        }
                        if (series_put(s, pt) < 0) {
                                file_error(f, pk, "series '%s': period %s has another frequency than the series' earlier periods",
                                           scalar(k), scalar(pk));
                                series_free(s);
                                goto fail;
                        }
                }
                if (series_set_add(set, s) < 0)
                        goto fail;
        }
        *ret = set;
        return 0;
fail:
        series_set_free(set);
        return -EINVAL;
}

static int copy_series(const Series *from, const char *name, Series **ret)
{
        Series *s = NULL;
        int r = series_new(name, &s);

        for (size_t i = 0; r >= 0 && from && i < from->n_points; i++)
                r = series_put(s, from->points[i]);
        if (r < 0) {
                series_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static int load_inline(void *userdata, const char *name, Series **ret, char **ret_error)
{
        TestFile *f = userdata;
        const Series *s = f->override ? series_set_find(f->override, name) : NULL;

        if (!s)
                s = series_set_find(f->inputs, name);
        return copy_series(s, name, ret);
}

static yaml_node_t *lookup(TestFile *f, yaml_node_t *map, const char *key)
{
        return yaml_mapping_get(&f->yf, map, key);
}

typedef struct Diff {
        char text[4096];
        size_t len;
} Diff;

_printf_(2, 3) static void diff_add(Diff *d, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (d->len >= sizeof(d->text) - 1)
                return;
        va_start(ap, fmt);
        k = vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
        va_end(ap);
        if (k > 0)
                d->len = MIN(sizeof(d->text) - 1, d->len + (size_t) k);
}

static void expect_number(TestFile *f, Diff *d, const char *key, yaml_node_t *want, bool has, double got, double tol)
{
        double w;

        if (is_null(want)) {
                if (has)
                        diff_add(d, "    %s: want none, got %.10g\n", key, got);
                return;
        }
        if (number(f, want, key, &w) < 0)
                return;
        if (!has)
                diff_add(d, "    %s: want %.10g, got none\n", key, w);
        else if (fabs(got - w) > tol)
                diff_add(d, "    %s: want %.10g, got %.10g (tolerance %g)\n", key, w, got, tol);
}

static void expect_string(Diff *d, const char *key, const char *want, const char *got)
{
        if (!streq(want, strempty(got)))
                diff_add(d, "    %s: want %s, got %s\n", key, want, got ? got : "none");
}

static void run_test(TestFile *f, yaml_node_t *t)
{
        static const char *const known[] = { "name", "date", "goal", "expect", "input_series", "tolerance" };
        yaml_node_t *date_n, *goal_n, *expect, *name_n, *tol_n, *over;
        _cleanup_free_ char *err = NULL;
        SeriesSet *set = NULL;
        GoalResult r = {};
        double tol = f->tolerance;
        const GoalDef *g = NULL;
        Diff d = {};
        Date date;
        int k;

        if (t->type != YAML_MAPPING_NODE) {
                file_error(f, t, "tests: each test must be a mapping with date, goal and expect");
                return;
        }
        for (yaml_node_pair_t *p = t->data.mapping.pairs.start; p < t->data.mapping.pairs.top; p++) {
                const char *key = yaml_mapping_key(&f->yf, t, p);
                bool ok = false;

                if (!key)
                        return; /* not a name, or a duplicate: reported */
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || streq(key, known[i]);
                if (!ok) {
                        file_error(f, node(f, p->key), "unknown key '%s' in a test (expected %s)", key,
                                   "name, date, goal, expect, input_series, tolerance");
                        return;
                }
        }
        date_n = lookup(f, t, "date");
        goal_n = lookup(f, t, "goal");
        expect = lookup(f, t, "expect");
        name_n = lookup(f, t, "name");
        tol_n = lookup(f, t, "tolerance");
        over = lookup(f, t, "input_series");
        if (!date_n || !scalar(date_n) || date_parse(scalar(date_n), &date) < 0) {
                file_error(f, date_n ?: t, "date: expected YYYY-MM-DD");
                return;
        }
        if (!goal_n || !scalar(goal_n) || !(g = config_find_goal(f->config, scalar(goal_n)))) {
                file_error(f, goal_n ?: t, "goal: '%s' is not a goal of the configuration", strna(scalar(goal_n)));
                return;
        }
        if (!expect || expect->type != YAML_MAPPING_NODE) {
                file_error(f, expect ?: t, "expect: expected a mapping (status, value, projected, gap, …)");
                return;
        }
        if (tol_n && number(f, tol_n, "tolerance", &tol) < 0)
                return;
        if (over && parse_series_map(f, over, &f->override) < 0)
                return;

        k = evaluate_build_series(f->config, load_inline, f, &set, &err);
        f->override = series_set_free(f->override);
        if (k < 0) {
                file_error(f, t, "%s", err ? err : strerror(-k));
                return;
        }
        GoalSeriesMeta meta[_GOAL_ROLE_MAX];
        evaluate_goal_meta(f->config, g, meta);
        k = goal_evaluate_meta(g, meta, set, date, &r);
        if (k >= 0)
                text_fill_input(g, &(TextInput){ .meta = meta }, &r);
        series_set_free(set);
        if (k < 0) {
                file_error(f, goal_n, "goal '%s' cannot be evaluated: %s", g->id, strerror(-k));
                goal_result_done(&r);
                return;
        }

        f->n_tests++;
        for (yaml_node_pair_t *p = expect->data.mapping.pairs.start; p < expect->data.mapping.pairs.top; p++) {
                yaml_node_t *kn = node(f, p->key), *v = node(f, p->value);
                const char *key = strempty(scalar(kn)), *want = scalar(v);
                char buf[PERIOD_STRING_MAX];
                struct {
                        const char *name;
                        bool has;
                        double got;
                } nums[] = {
                        { "value", r.has_value, r.value },
                        { "projected", r.has_projected, r.projected },
                        { "gap", r.has_gap, r.gap },
                        { "target", true, r.target },
                        { "expected", r.has_expected, r.expected },
                        { "pace_needed", r.has_pace, r.pace_needed },
                        { "recent_pace", r.has_recent_pace, r.recent_pace },
                        { "own_change", r.has_own_change, r.own_change },
                        { "reference_change", r.has_reference_change, r.reference_change },
                        { "denominator", r.kind == GOAL_SHARE && r.has_latest, r.denominator },
                };
                bool done = false;
                for (size_t i = 0; i < ELEMENTSOF(nums); i++)
                        if (streq(key, nums[i].name)) {
                                expect_number(f, &d, key, v, nums[i].has, nums[i].got, tol);
                                done = true;
                        }
                if (done)
                        continue;
                if (!want) {
                        file_error(f, v, "expect: %s: expected a scalar", key);
                        continue;
                }
                if (streq(key, "status"))
                        expect_string(&d, key, want, goal_status_to_string(r.status));
                else if (streq(key, "reason"))
                        expect_string(&d, key, want, goal_reason_to_string(r.reason));
                else if (streq(key, "projection"))
                        expect_string(&d, key, want, projection_method_to_string(r.projection));
                else if (streq(key, "period")) {
                        Period want_p;
                        if (is_null(v)) {
                                if (r.has_latest)
                                        diff_add(&d, "    period: want none, got %s\n", period_to_string(r.latest, buf));
                        } else if (period_parse(want, &want_p) < 0)
                                file_error(f, v, "expect: period: '%s' is not a period", want);
                        else if (!r.has_latest || !period_equal(want_p, r.latest))
                                diff_add(&d, "    period: want %s, got %s\n", want,
                                         r.has_latest ? period_to_string(r.latest, buf) : "none");
                } else if (streq(key, "explanation") || streq(key, "explanation_en")) {
                        const char *got = streq(key, "explanation") ? r.explanation_da : r.explanation_en;
                        if (!strstr(got, want))
                                diff_add(&d, "    %s: want it to contain \"%s\", got \"%s\"\n", key, want, got);
                } else
                        file_error(f, kn, "expect: unknown key '%s' (status, reason, value, projected, gap, target, "
                                          "expected, pace_needed, recent_pace, own_change, reference_change, "
                                          "denominator, period, projection, explanation, explanation_en)", key);
        }

        if (d.len > 0) {
                f->n_failed++;
                printf("%s:%zu:%zu: FAIL: goal %s at %s%s%s%s\n%s    explanation: %s\n", f->path, t->start_mark.line + 1,
                       t->start_mark.column + 1, g->id, scalar(date_n), name_n ? " (" : "", strempty(scalar(name_n)),
                       name_n ? ")" : "", d.text, r.explanation_da);
        }
        goal_result_done(&r);
}

/* The configuration the tests use, relative to the test file. */
static int load_test_config(TestFile *f, yaml_node_t *n)
{
        _cleanup_free_ char *copy = strdup(f->path), *cfg = NULL;

        if (!copy)
                return -ENOMEM;
        cfg = scalar(n)[0] == '/' ? strdup(scalar(n)) : strdup_printf("%s/%s", dirname(copy), scalar(n));
        if (!cfg || cli_load_config(cfg, &f->config) < 0) {
                file_error(f, n, "config: cannot load %s", strna(cfg));
                return -EINVAL;
        }
        return 0;
}

static int run_file(const char *path, unsigned *ret_tests, unsigned *ret_failed)
{
        TestFile f = { .path = path, .tolerance = DEFAULT_TOLERANCE };
        yaml_node_t *root, *n;
        int ret = -EINVAL, r;

        /* A regular file only (never blocking on a FIFO), at most CONFIG_FILE_MAX, nesting and
         * node count bounded, no NUL in a value, one document: as for the configuration. */
        r = yaml_file_load(&f.yf, path, CONFIG_FILE_MAX, engine_error, &f);
        if (r < 0) {
                yaml_file_done(&f.yf);
                return r == -EBADMSG ? -EINVAL : r;
        }

        root = yaml_file_root(&f.yf);
        if (!root || root->type != YAML_MAPPING_NODE) {
                file_error(&f, root, "expected a mapping with config, input_series and tests");
                goto finish;
        }
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
                const char *key = yaml_mapping_key(&f.yf, root, p);
                if (!key)
                        goto finish; /* not a name, or a duplicate: reported */
                if (!streq(key, "config") && !streq(key, "input_series") && !streq(key, "tests") &&
                    !streq(key, "tolerance")) {
                        file_error(&f, node(&f, p->key), "unknown key '%s' (expected config, tolerance, input_series, tests)",
                                   key);
                        goto finish;
                }
        }

        n = lookup(&f, root, "config");
        if (!n || !scalar(n)) {
                file_error(&f, n ?: root, "config: expected the path of the configuration the tests use");
                goto finish;
        }
        if (load_test_config(&f, n) < 0)
                goto finish;
        n = lookup(&f, root, "tolerance");
        if (n && number(&f, n, "tolerance", &f.tolerance) < 0)
                goto finish;
        n = lookup(&f, root, "input_series");
        if (n) {
                if (parse_series_map(&f, n, &f.inputs) < 0)
                        goto finish;
        } else if (series_set_new(&f.inputs) < 0)
                goto finish;

        n = lookup(&f, root, "tests");
        if (!n || n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top) {
                file_error(&f, n ?: root, "tests: expected a list of tests");
                goto finish;
        }
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
                run_test(&f, node(&f, *i));
        ret = 0;
finish:
        printf("%s: %u test%s, %u failed%s\n", path, f.n_tests, f.n_tests == 1 ? "" : "s", f.n_failed,
               f.n_errors ? ", with errors" : "");
        *ret_tests += f.n_tests;
        *ret_failed += f.n_failed;
        if (f.n_errors > 0)
                ret = -EINVAL;
        series_set_free(f.inputs);
        series_set_free(f.override);
        config_free(f.config);
        yaml_file_done(&f.yf);
        return ret;
}

int cli_test(int argc, char **argv)
{
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {},
        };
        unsigned n_tests = 0, n_failed = 0;
        bool error = false;
        int opt;

        /* GNU getopt permutes: --help may follow the files; "--" ends the options. */
        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'h':
                        printf("Usage: labourwatch test FILE…\n\n"
                               "Runs goal unit tests written in YAML (inline series, evaluation dates, expected\n"
                               "status and figures). See labourwatch-goals(7).\n\n"
                               "  -h, --help          show this help\n\n"
                               "Exit status: 0 all tests passed, 1 a test failed or a file is wrong, 2 usage error.\n");
                        return 0;
                default:
                        cli_option_error("test", options, argc, argv);
                        fprintf(stderr, "Usage: labourwatch test FILE…\n");
                        return 2;
                }
        if (optind >= argc) {
                fprintf(stderr, "Usage: labourwatch test FILE…\n");
                return 2;
        }
        for (int i = optind; i < argc; i++)
                if (run_file(argv[i], &n_tests, &n_failed) < 0)
                        error = true;
        if (argc - optind > 1)
                printf("total: %u test%s, %u failed\n", n_tests, n_tests == 1 ? "" : "s", n_failed);
        return error || n_failed > 0 ? 1 : 0;
}
