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
#include "labourwatch/goal-test.h"
#include "labourwatch/macro.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/yaml-fields.h"
#include "labourwatch/text.h"


typedef struct TestFile {
        const char *path;
        GoalTestFile *gt;    /* the file as read by goal-test.c */
        Config *config;
        const SeriesSet *override; /* the current test's input_series, or NULL */
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
        return yaml_file_node(&f->gt->yf, i);
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
                s = series_set_find(f->gt->inputs, name);
        return copy_series(s, name, ret);
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

static void run_test(TestFile *f, const GoalTest *t)
{
        _cleanup_free_ char *err = NULL;
        SeriesSet *set = NULL;
        GoalResult r = {};
        double tol = t->tolerance;
        const GoalDef *g = NULL;
        Diff d = {};
        int k;

        if (!t->valid)
                return; /* reported by the reader */
        if (!(g = config_find_goal(f->config, t->goal))) {
                file_error(f, t->goal_node, "goal: '%s' is not a goal of the configuration", t->goal);
                return;
        }
        f->override = t->inputs;
        k = evaluate_build_series(f->config, load_inline, f, &set, &err);
        f->override = NULL;
        if (k < 0) {
                file_error(f, t->node, "%s", err ? err : strerror(-k));
                return;
        }
        GoalSeriesMeta meta[_GOAL_ROLE_MAX];
        evaluate_goal_meta(f->config, g, meta);
        k = goal_evaluate_meta(g, meta, set, t->date, &r);
        if (k >= 0)
                text_fill_input(g, &(TextInput){ .meta = meta }, &r);
        series_set_free(set);
        if (k < 0) {
                file_error(f, t->goal_node, "goal '%s' cannot be evaluated: %s", g->id, strerror(-k));
                goal_result_done(&r);
                return;
        }

        f->n_tests++;
        for (yaml_node_pair_t *p = t->expect->data.mapping.pairs.start; p < t->expect->data.mapping.pairs.top; p++) {
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
                printf("%s:%zu:%zu: FAIL: goal %s at %s%s%s%s\n%s    explanation: %s\n", f->path,
                       t->node->start_mark.line + 1, t->node->start_mark.column + 1, g->id, t->date_text,
                       t->name ? " (" : "", strempty(t->name), t->name ? ")" : "", d.text, r.explanation_da);
        }
        goal_result_done(&r);
}

/* The configuration the tests use, relative to the test file. */
static int load_test_config(TestFile *f)
{
        _cleanup_free_ char *copy = strdup(f->path), *cfg = NULL;
        const char *c = f->gt->config;

        if (!copy)
                return -ENOMEM;
        cfg = c[0] == '/' ? strdup(c) : strdup_printf("%s/%s", dirname(copy), c);
        if (!cfg || cli_load_config(cfg, &f->config) < 0) {
                file_error(f, f->gt->config_node, "config: cannot load %s", strna(cfg));
                return -EINVAL;
        }
        return 0;
}

static int run_file(const char *path, unsigned *ret_tests, unsigned *ret_failed)
{
        TestFile f = { .path = path };
        int r;

        /* A regular file only (never blocking on a FIFO), at most CONFIG_FILE_MAX, nesting and
         * node count bounded, no NUL in a value, one document: as for the configuration. */
        r = goal_test_file_read(path, NULL, 0, engine_error, &f, &f.gt);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && r != -EINVAL)
                return r == -EBADMSG ? -EINVAL : r; /* not a YAML document: no summary */
        if (r >= 0 && load_test_config(&f) >= 0)
                for (size_t i = 0; i < f.gt->n_tests; i++)
                        run_test(&f, &f.gt->tests[i]);

        printf("%s: %u test%s, %u failed%s\n", path, f.n_tests, f.n_tests == 1 ? "" : "s", f.n_failed,
               f.n_errors ? ", with errors" : "");
        *ret_tests += f.n_tests;
        *ret_failed += f.n_failed;
        config_free(f.config);
        goal_test_file_free(f.gt);
        return r < 0 || f.n_errors > 0 ? -EINVAL : 0;
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
                        cli_usage_hint("test");
                        return 2;
                }
        if (optind >= argc) {
                fprintf(stderr, "labourwatch test: which FILE…?\n");
                cli_usage_hint("test");
                return 2;
        }
        for (int i = optind; i < argc; i++)
                if (run_file(argv[i], &n_tests, &n_failed) < 0)
                        error = true;
        if (argc - optind > 1)
                printf("total: %u test%s, %u failed\n", n_tests, n_tests == 1 ? "" : "s", n_failed);
        return error || n_failed > 0 ? 1 : 0;
}
