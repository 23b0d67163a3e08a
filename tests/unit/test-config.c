/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config_load(): every field, the defaults, and one broken file per kind of error with the exact
 * FILE:LINE:COL: message it must produce. The YAML is written to a fresh temporary directory per
 * case: main.yaml and goals.d/10-a.yaml, goals.d/20-b.yaml. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"

/* ---- fixture: a temporary configuration tree ---- */

typedef struct Tree {
        char dir[64];
        char main[128];
        char g1[160], g2[160];
} Tree;

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static void tree_make(Tree *t, const char *main_yaml, const char *g1, const char *g2)
{
        char goals[128];

        strcpy(t->dir, "/tmp/lw-test-config-XXXXXX");
        assert_non_null(mkdtemp(t->dir));
        snprintf(t->main, sizeof t->main, "%s/main.yaml", t->dir);
        snprintf(goals, sizeof goals, "%s/goals.d", t->dir);
        snprintf(t->g1, sizeof t->g1, "%s/10-a.yaml", goals);
        snprintf(t->g2, sizeof t->g2, "%s/20-b.yaml", goals);
        if (main_yaml)
                write_file(t->main, main_yaml);
        if (g1 || g2)
                assert_int_equal(mkdir(goals, 0755), 0);
        if (g1)
                write_file(t->g1, g1);
        if (g2)
                write_file(t->g2, g2);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void tree_remove(Tree *t)
{
        (void) nftw(t->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static bool endswith_str(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

static bool startswith_at(const char *s, const char *prefix, const char **ret_rest)
{
        size_t l = strlen(prefix);
        if (!strneq(s, prefix, l))
                return false;
        *ret_rest = s + l;
        return true;
}

/* Expands every @main, @g1, @g2 in an expected error line. */
static char *expand(const Tree *t, const char *want)
{
        char *out = strdup("");

        assert_non_null(out);
        for (const char *p = want; *p;) {
                const char *rest = p, *file = NULL;
                char *n;

                if (startswith_at(p, "@main", &rest))
                        file = t->main;
                else if (startswith_at(p, "@g1", &rest))
                        file = t->g1;
                else if (startswith_at(p, "@g2", &rest))
                        file = t->g2;
                if (file) {
                        n = strdup_printf("%s%s", out, file);
                        p = rest;
                } else
                        n = strdup_printf("%s%c", out, *p++);
                assert_non_null(n);
                free(out);
                out = n;
        }
        return out;
}

/* Loads the tree and compares every error line with want[] (NULL-terminated). */
static void check_errors(const Tree *t, const char *const *want)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        size_t n_want = 0;
        int r;

        while (want[n_want])
                n_want++;
        r = config_load(t->main, &c, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *got = config_error_to_string(&errors.items[i]);
                _cleanup_free_ char *exp = i < n_want ? expand(t, want[i]) : NULL;
                /* a want ending in "..." is a prefix: the lists of allowed keys grow */
                size_t ln = exp ? strlen(exp) : 0;
                bool prefix = ln > 3 && streq(exp + ln - 3, "...");
                if (!exp || (prefix ? strncmp(got, exp, ln - 3) != 0 : !streq(got, exp)))
                        print_message("error %zu:\n  got:  %s\n  want: %s\n", i, got, strna(exp));
                assert_non_null(exp);
                if (prefix)
                        assert_memory_equal(got, exp, MIN(strlen(got) + 1, ln - 3));
                else
                        assert_string_equal(got, exp);
        }
        assert_int_equal(errors.n_items, n_want);
        if (n_want > 0) {
                assert_true(r < 0);
                assert_null(c);
        } else {
                assert_int_equal(r, 0);
                assert_non_null(c);
        }
        config_free(c);
        config_errors_done(&errors);
}

/* A valid base: two sources and a series, a recipient and a notifier, 23 lines. Goal-file cases
 * use it as main.yaml; their line numbers are those of the goal file. */
#define BASE                                                                                                \
        "sources:\n"                                                                                        \
        "  dst:\n"                                                                                          \
        "    kind: statbank\n"                                                                              \
        "  jis:\n"                                                                                          \
        "    kind: jobindsats\n"                                                                            \
        "    token_file: /etc/labourwatch/jobindsats.token\n"                                               \
        "  internal:\n"                                                                                     \
        "    kind: csv\n"                                                                                   \
        "    base_url: file:///srv/internal/\n"                                                             \
        "series:\n"                                                                                         \
        "  fleks:\n"                                                                                        \
        "    source: jis\n"                                                                                 \
        "    table: Y08A02\n"                                                                               \
        "    measure: Antal fuldtidspersoner\n"                                                             \
        "    select: {area: Herlev}\n"                                                                      \
        "    frequency: month\n"                                                                            \
        "recipients:\n"                                                                                     \
        "  chef:\n"                                                                                         \
        "    email: chef@example.org\n"                                                                     \
        "notifiers:\n"                                                                                      \
        "  out:\n"                                                                                          \
        "    kind: directory\n"                                                                             \
        "    directory: /tmp/out\n"

/* One level goal in a goal file, lines 1-6; `extra` is appended as line 7 on. */
#define GOAL(extra)                                                                                         \
        "goals:\n"                                                                                          \
        "  - id: a\n"                                                                                       \
        "    kind: level\n"                                                                                 \
        "    series: fleks\n"                                                                               \
        "    period: 2024\n"                                                                                \
        "    target: 380\n" extra

typedef struct ErrorCase {
        const char *name;
        const char *main, *g1, *g2;
        const char *const *want; /* NULL-terminated; empty: valid */
} ErrorCase;

#define WANT(...) ((const char *const[]){__VA_ARGS__, NULL})

static void run_cases(const ErrorCase *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                Tree t;
                print_message("case: %s\n", rows[i].name);
                tree_make(&t, rows[i].main, rows[i].g1, rows[i].g2);
                check_errors(&t, rows[i].want);
                tree_remove(&t);
        }
}

static void test_valid(void **state)
{
        const ErrorCase rows[] = {
                {"base", BASE, NULL, NULL, WANT(NULL)},
                {"base with a goal", BASE, GOAL(""), NULL, WANT(NULL)},
                {"empty main file", "", NULL, NULL, WANT(NULL)},
                {"comments only", "# nothing here\n", NULL, NULL, WANT(NULL)},
                {"empty goal file", BASE, "", "goals:\n", WANT(NULL)},
                {"goals as a mapping", BASE,
                 "goals:\n  a:\n    kind: level\n    series: fleks\n    period: 2024\n    target: 1\n", NULL,
                 WANT(NULL)},
                {"series in a goal file used by an earlier goal file", BASE, GOAL("    recipients: chef\n"),
                 "series:\n  later:\n    expr: fleks * 2\n    frequency: month\n"
                 "goals:\n  - id: b\n    kind: level\n    series: later\n    period: 2024\n    target: 2\n",
                 WANT(NULL)},
        };
        run_cases(rows, ELEMENTSOF(rows));
}

static void test_errors(void **state)
{
        const ErrorCase rows[] = {
                /* YAML syntax */
                {"syntax error", "a: [1, 2\nb: 3\n", NULL, NULL,
                 WANT("@main:2:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
                      "sequence starting at line 1)")},
                {"syntax error in one goal file, the next is still checked", BASE,
                 "goals:\n  - id: a\n   kind: level\n",
                 "goals:\n  - id: b\n    kind: levle\n    series: fleks\n    period: 2024\n    target: 1\n",
                 WANT("@g1:3:4: YAML syntax error: did not find expected '-' indicator (while parsing a "
                      "block "
                      "collection starting at line 2)",
                      "@g2:3:11: kind: bad value 'levle' (did you mean 'level'?), expected one of: level, change, share, reference, "
                      "rank, cumulative")},
                {"syntax error in the main file: goal files are checked, references are not", "a: [1\n",
                 GOAL("    direction: upward\n"), NULL,
                 WANT("@main:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
                      "sequence starting at line 1)",
                      "@g1:7:16: direction: bad value 'upward', expected one of: at_least, at_most")},
                /* unknown keys */
                {"unknown top-level key", "state_dir: /x\nsauces: {}\n", NULL, NULL,
                 WANT("@main:2:1: unknown key 'sauces' in the main configuration (did you mean 'sources'?), "
                      "allowed "
                      "keys: state_dir, "
                      "language, goals_dir, plan, municipality, templates_dir, metrics_file, evaluations_keep, status_from, probability_at_risk, probability_off_track, probability_recover, sources, series, goals, recipients, notifiers, routes")},
                {"evaluations_keep under a day", "state_dir: /x\nevaluations_keep: 1h\n", NULL, NULL,
                 WANT("@main:2:19: evaluations_keep: must be at least 1d (every goal's latest evaluation and those "
                      "behind a notice are kept anyway)")},
                {"main-file section in a goal file", BASE, "recipients: {}\n", NULL,
                 WANT("@g1:1:1: unknown key 'recipients' in a goal file, allowed keys: goals, series")},
                {"unknown key in a source", "sources:\n  dst:\n    kind: statbank\n    url: https://x\n",
                 NULL, NULL,
                 WANT("@main:4:5: unknown key 'url' in source 'dst', allowed keys: kind, base_url, "
                      "token_file, "
                      "token_credential, ca_file, lang, api_version, schedule, connect_timeout, timeout, "
                      "max_response_size, stale_after, encoding, display_name")},
                /* types */
                {"number expected, mapping given", BASE,
                 "goals:\n  - id: a\n    kind: level\n    series: fleks\n    period: 2024\n    target: {a: "
                 "1}\n",
                 NULL, WANT("@g1:6:13: target: expected a number, got a mapping")},
                {"number expected, text given", BASE,
                 "goals:\n  - id: a\n    kind: level\n    series: fleks\n    period: 2024\n    target: "
                 "many\n",
                 NULL, WANT("@g1:6:13: target: expected a number, got 'many'")},
                {"section of the wrong type", "sources: [dst]\n", NULL, NULL,
                 WANT("@main:1:10: sources: expected a mapping of name: definition, got a list")},
                {"string expected, list given", "state_dir: [a, b]\n", NULL, NULL,
                 WANT("@main:1:12: state_dir: expected a string, got a list")},
                {"integer expected", BASE, GOAL("    trend_window: 6.5\n"), NULL,
                 WANT("@g1:7:19: trend_window: expected an integer, got '6.5'")},
                /* missing keys */
                {"source without kind", "sources:\n  dst:\n    lang: da\n", NULL, NULL,
                 WANT("@main:2:3: source 'dst': missing required key 'kind'")},
                {"goal without target and period", BASE,
                 "goals:\n  - id: a\n    kind: level\n    series: fleks\n", NULL,
                 WANT("@g1:2:5: goal 'a': missing required key 'period'",
                      "@g1:2:5: goal 'a': missing required key 'target'")},
                {"series without source or expr", "series:\n  x:\n    frequency: month\n", NULL, NULL,
                 WANT("@main:2:3: series 'x': missing required key 'source' (or 'expr' for a derived "
                      "series)")},
                /* duplicates */
                {"duplicate key", "language: da\nlanguage: en\n", NULL, NULL,
                 WANT("@main:2:1: duplicate key 'language' (first at line 1, column 1)")},
                {"duplicate goal id across goal files", BASE, GOAL(""),
                 "goals:\n  - id: a\n    kind: rank\n    series: fleks\n    period: 2024\n    target: 8\n",
                 WANT("@g2:2:9: duplicate goal id 'a' (first defined at @g1:2:5)")},
                {"duplicate series across files", BASE,
                 "series:\n  fleks:\n    expr: 1\n    frequency: year\n", NULL,
                 WANT("@g1:2:3: duplicate series 'fleks' (first defined at @main:11:3)",
                      "@g1:3:11: series 'fleks': expression names no series: a derived series needs at least one input")},
                /* references */
                {"undefined series and recipient", BASE,
                 "goals:\n  - id: a\n    kind: level\n    series: flex\n    period: 2024\n    target: 1\n"
                 "    recipients: [chef, boss]\n",
                 NULL, WANT("@g1:4:13: undefined series 'flex' (did you mean 'fleks'?)", "@g1:7:24: undefined recipient 'boss'")},
                {"undefined source", "series:\n  x:\n    source: nowhere\n    frequency: month\n", NULL,
                 NULL, WANT("@main:3:13: undefined source 'nowhere'")},
                {"undefined notifier", BASE "routes:\n  - notifiers: [out, pager]\n", NULL, NULL,
                 WANT("@main:25:22: undefined notifier 'pager'")},
                /* enums */
                {"bad direction", BASE, GOAL("    direction: upward\n"), NULL,
                 WANT("@g1:7:16: direction: bad value 'upward', expected one of: at_least, at_most")},
                {"bad source kind", "sources:\n  x:\n    kind: sql\n", NULL, NULL,
                 WANT("@main:3:11: kind: bad value 'sql', expected one of: statbank, jobindsats, csv, "
                      "jsonstat, pxweb")},
                {"bad language", "language: de\n", NULL, NULL,
                 WANT("@main:1:11: language: bad value 'de', expected one of: da, en")},
                /* periods, durations, sizes, schedules */
                {"bad period", BASE,
                 "goals:\n  - id: a\n    kind: level\n    series: fleks\n    period: 2024M13\n    target: "
                 "1\n",
                 NULL,
                 WANT("@g1:5:13: period: bad period '2024M13', expected e.g. 2024, 2024H1, 2024Q2, 2024M06, "
                      "2024QMAT02")},
                {"bad duration", "sources:\n  dst:\n    kind: statbank\n    timeout: 5 parsecs\n", NULL,
                 NULL,
                 WANT("@main:4:14: timeout: bad duration '5 parsecs', expected e.g. 30s, 10min, 6h, 14d")},
                {"bad size", "sources:\n  dst:\n    kind: statbank\n    max_response_size: 64XB\n", NULL,
                 NULL,
                 WANT("@main:4:24: max_response_size: bad size '64XB', expected bytes or e.g. 512KiB, "
                      "64MiB")},
                {"bad calendar",
                 "sources:\n  dst:\n    kind: statbank\n    schedule: {calendar: \"Mon..Fry 8:30\"}\n", NULL,
                 NULL,
                 WANT("@main:4:26: calendar: bad calendar 'Mon..Fry 8:30', expected weekdays and times like "
                      "\"Mon..Fri 08:30,13:00\"")},
                {"interval and calendar",
                 "sources:\n  dst:\n    kind: statbank\n    schedule:\n      interval: 1h\n"
                 "      calendar: \"08:30\"\n",
                 NULL, NULL, WANT("@main:6:17: schedule: give either 'interval' or 'calendar', not both")},
                /* per kind */
                {"statbank series without table",
                 "sources:\n  dst:\n    kind: statbank\nseries:\n  x:\n"
                 "    source: dst\n    frequency: quarter\n",
                 NULL, NULL, WANT("@main:5:3: series 'x': missing required key 'table'")},
                {"jobindsats without token", "sources:\n  jis:\n    kind: jobindsats\n", NULL, NULL,
                 WANT("@main:2:3: source 'jis': jobindsats needs 'token_file' or 'token_credential'")},
                {"csv series without path under a directory",
                 "sources:\n  internal:\n    kind: csv\n    base_url: file:///srv/internal/\nseries:\n  "
                 "more:\n"
                 "    source: internal\n    frequency: month\n",
                 NULL, NULL,
                 WANT("@main:6:3: series 'more': missing required key 'path' (source 'internal' base_url is "
                      "a "
                      "directory)")},
                {"share goal without denominator", BASE,
                 "goals:\n  - id: s\n    kind: share\n    numerator: fleks\n    period: 2024\n    target: "
                 "50\n",
                 NULL, WANT("@g1:2:5: goal 's': missing required key 'denominator'")},
                {"change goal without baseline", BASE,
                 "goals:\n  - id: c\n    kind: change\n    series: fleks\n    period: 2024\n    target: "
                 "-5\n",
                 NULL, WANT("@g1:2:5: goal 'c': missing required key 'baseline'")},
                {"baseline on a level goal", BASE, GOAL("    baseline: 2023\n"), NULL,
                 WANT("@g1:7:5: 'baseline' applies only to change and reference goals")},
                {"baseline after the period", BASE,
                 "goals:\n  - id: c\n    kind: change\n    series: fleks\n    period: 2024\n    target: -5\n"
                 "    baseline: 2024M06\n",
                 NULL, WANT("@g1:7:15: baseline: 2024M06 must end before the goal period 2024 begins")},
                {"derived series with a table",
                 "series:\n  d:\n    expr: 1 + 1\n    table: X\n"
                 "    frequency: year\n",
                 NULL, NULL,
                 WANT("@main:3:11: series 'd': expression names no series: a derived series needs at least one input",
                      "@main:4:5: 'table' applies only to fetched series; this series is derived ('expr')")},
                {"smtp notifier without from",
                 "notifiers:\n  m:\n    kind: smtp\n    url: smtp://localhost:25\n", NULL, NULL,
                 WANT("@main:2:3: notifier 'm': missing required key 'from'")},
                {"bad series name", "series:\n  2fast:\n    expr: 1\n    frequency: year\n", NULL, NULL,
                 WANT("@main:2:3: bad series name '2fast', use letters, digits and '_' (not first), so that "
                      "expressions can name it",
                      "@main:3:11: series '2fast': expression names no series: a derived series needs at least one input")},
                {"absurd nesting",
                 "a: "
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]"
                 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
                 NULL, NULL, WANT("@main:1:67: nested deeper than 64 levels")},
                /* several errors at once */
                {"three errors in one file",
                 "language: fr\nsources:\n  dst:\n    kind: statbank\n"
                 "    stale_after: soon\nroutes:\n  - notifiers: [nobody]\n",
                 NULL, NULL,
                 WANT("@main:1:11: language: bad value 'fr', expected one of: da, en",
                      "@main:5:18: stale_after: bad duration 'soon', expected e.g. 30s, 10min, 6h, 14d",
                      "@main:7:17: undefined notifier 'nobody'")},
        };
        run_cases(rows, ELEMENTSOF(rows));
}

/* An inline secret is an error, and no message may carry its value. */
static void test_inline_secret(void **state)
{
        static const char *const secret = "s3cr3t-v4lue";
        const char *main_yaml =
                "sources:\n  jis:\n    kind: jobindsats\n    token: s3cr3t-v4lue\n"
                "notifiers:\n  m:\n    kind: smtp\n    url: smtps://mail.example.org\n    from: "
                "a@example.org\n"
                "    password: s3cr3t-v4lue\n  h:\n    kind: webhook\n    url: https://example.org/h\n"
                "    secret: {value: s3cr3t-v4lue}\n";
        const char *const want[] = {
                "@main:2:3: source 'jis': jobindsats needs 'token_file' or 'token_credential'",
                "@main:4:5: source 'jis': 'token' must not be written inline in the configuration, use "
                "token_file "
                "or token_credential",
                "@main:10:5: notifier 'm': 'password' must not be written inline in the configuration, use "
                "password_file or password_credential",
                "@main:14:5: notifier 'h': 'secret' must not be written inline in the configuration, use "
                "secret_file or secret_credential",
                NULL,
        };
        ConfigErrors errors = {};
        Config *c = NULL;
        Tree t;

        tree_make(&t, main_yaml, NULL, NULL);
        check_errors(&t, want);
        assert_true(config_load(t.main, &c, &errors) < 0);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                assert_null(strstr(s, secret));
        }
        config_errors_done(&errors);
        tree_remove(&t);
}

static void test_missing_main_file(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        _cleanup_free_ char *s = NULL;

        assert_int_equal(config_load("/nonexistent/labourwatch.yaml", &c, &errors), -ENOENT);
        assert_null(c);
        assert_int_equal(errors.n_items, 1);
        s = config_error_to_string(&errors.items[0]);
        assert_string_equal(s, "/nonexistent/labourwatch.yaml: cannot read: No such file or directory");
        config_errors_done(&errors);
        config_errors_done(&errors); /* idempotent */
        assert_null(config_free(NULL));
}

static void test_full(void **state)
{
        const char *main_yaml =
                "state_dir: /srv/lw\n"
                "language: en\n"
                "goals_dir: plan\n"
                "sources:\n"
                "  dst:\n"
                "    kind: statbank\n"
                "    lang: en\n"
                "    schedule: {calendar: \"Mon..Wed,Fri 13:00, 08:30\", jitter: 5min}\n"
                "    ca_file: /etc/ssl/extra.pem\n"
                "  jis:\n"
                "    kind: jobindsats\n"
                "    api_version: 2\n"
                "    token_credential: jis-token\n"
                "    connect_timeout: 10s\n"
                "    timeout: 2min\n"
                "    max_response_size: 512KiB\n"
                "    stale_after: 2w\n"
                "    schedule: 1h30m\n"
                "  euro:\n"
                "    kind: jsonstat\n"
                "    base_url: https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data\n"
                "  own:\n"
                "    kind: csv\n"
                "series:\n"
                "  fleks:\n"
                "    source: jis\n"
                "    table: Y08A02\n"
                "    measure: Antal fuldtidspersoner\n"
                "    select:\n"
                "      area: Herlev\n"
                "      _kon: I alt\n"
                "    frequency: month\n"
                "    publication_lag: 2\n"
                "    unit: {da: fuldtidspersoner, en: full-time persons}\n"
                "  auk:\n"
                "    source: dst\n"
                "    table: AUK01\n"
                "    select: {OMRÅDE: 163, YDELSESTYPE: Fleksjob}\n"
                "    frequency: quarter\n"
                "    unit: personer\n"
                "  orders:\n"
                "    source: own\n"
                "    path: /srv/data/orders.csv\n"
                "    column: ordrer\n"
                "    frequency: month\n"
                "  ratio:\n"
                "    expr: \"100 * fleks / orders\"\n"
                "    frequency: month\n"
                "  block:\n"
                "    expr: |\n"
                "      fleks +\n"
                "        orders\n"
                "    frequency: month\n"
                "  unemp:\n"
                "    source: euro\n"
                "    table: une_rt_m\n"
                "    measure: PC_ACT\n"
                "    frequency: month\n"
                "recipients:\n"
                "  chef:\n"
                "    display_name: Jobcenterchef\n"
                "    email: chef@herlev.dk\n"
                "  ops:\n"
                "    email: ops@herlev.dk\n"
                "    language: da\n"
                "notifiers:\n"
                "  mail:\n"
                "    kind: smtp\n"
                "    url: smtp://127.0.0.1:2525\n"
                "    from: lw@herlev.dk\n"
                "    username_file: /etc/lw/user\n"
                "    password_credential: smtp-pass\n"
                "    timeout: 45s\n"
                "  hook:\n"
                "    kind: webhook\n"
                "    url: https://hooks.example.org/lw\n"
                "    secret_file: /etc/lw/hook.key\n"
                "    ca_file: /etc/lw/ca.pem\n"
                "  dir:\n"
                "    kind: directory\n"
                "    directory: /srv/outbox\n"
                "routes:\n"
                "  - goals: [\"fleks-*\", share]\n"
                "    recipients: chef\n"
                "    notifiers: [mail, dir]\n"
                "    repeat: 7d\n"
                "  - notifiers: hook\n"
                "    data_problems: yes\n";
        const char *goals_yaml = "goals:\n"
                                 "  - id: fleks-2024\n"
                                 "    title: {da: Fleksjob 2024, en: Flex jobs 2024}\n"
                                 "    kind: level\n"
                                 "    series: fleks\n"
                                 "    period: 2024\n"
                                 "    target: 380\n"
                                 "    tolerance: 5.5\n"
                                 "    aggregate: latest\n"
                                 "    projection: seasonal\n"
                                 "    trend_window: 12\n"
                                 "    recipients: [chef, ops]\n"
                                 "  - id: share\n"
                                 "    title: Andel\n"
                                 "    kind: share\n"
                                 "    numerator: fleks\n"
                                 "    denominator: orders\n"
                                 "    period: 2024Q2\n"
                                 "    target: 50\n"
                                 "    min_denominator: 10\n"
                                 "    direction: at_most\n"
                                 "  - id: ref\n"
                                 "    kind: reference\n"
                                 "    series: fleks\n"
                                 "    reference: auk\n"
                                 "    period: 2024\n"
                                 "    baseline: 2023\n"
                                 "    change_unit: points\n"
                                 "    target: -1.5\n"
                                 "    projection: none\n"
                                 "  - id: rank\n"
                                 "    kind: rank\n"
                                 "    series: fleks\n"
                                 "    period: 2024QMAT02\n"
                                 "    target: 8\n"
                                 "  - id: cum\n"
                                 "    kind: cumulative\n"
                                 "    series: orders\n"
                                 "    period: 2024\n"
                                 "    target: 200\n";
        ConfigErrors errors = {};
        Config *c = NULL;
        char buf[PERIOD_STRING_MAX];
        char main_path[128], gdir[160], gfile[192];
        const SourceDef *s;
        const SeriesDef *se;
        const GoalDef *g;
        const NotifierDef *n;
        const RecipientDef *r;
        Tree t;

        tree_make(&t, main_yaml, NULL, NULL);
        snprintf(main_path, sizeof main_path, "%s", t.main);
        snprintf(gdir, sizeof gdir, "%s/plan", t.dir);
        snprintf(gfile, sizeof gfile, "%s/10-plan.yaml", gdir);
        assert_int_equal(mkdir(gdir, 0755), 0);
        write_file(gfile, goals_yaml);

        assert_int_equal(config_load(main_path, &c, &errors), 0);
        assert_int_equal(errors.n_items, 0);
        assert_int_equal(c->n_files, 2);
        assert_string_equal(c->files[0], main_path);
        assert_string_equal(c->files[1], gfile);
        assert_string_equal(c->state_dir, "/srv/lw");
        assert_string_equal(c->language, "en");
        assert_string_equal(c->goals_dir, gdir);
        assert_int_equal(c->n_sources, 4);
        assert_int_equal(c->n_series, 6);
        assert_int_equal(c->n_goals, 5);
        assert_int_equal(c->n_recipients, 2);
        assert_int_equal(c->n_notifiers, 3);
        assert_int_equal(c->n_routes, 2);

        s = config_find_source(c, "dst");
        assert_non_null(s);
        assert_int_equal(s->kind, SOURCE_STATBANK);
        assert_string_equal(s->base_url, "https://api.statbank.dk/v1");
        assert_string_equal(s->lang, "en");
        assert_string_equal(s->ca_file, "/etc/ssl/extra.pem");
        assert_int_equal(s->schedule.kind, SCHEDULE_CALENDAR);
        assert_int_equal(s->schedule.weekdays, 0x17); /* Mon Tue Wed Fri */
        assert_int_equal(s->schedule.n_times, 2);
        assert_int_equal(s->schedule.times_min[0], 8 * 60 + 30);
        assert_int_equal(s->schedule.times_min[1], 13 * 60);
        assert_int_equal(s->schedule.jitter_usec, 5 * USEC_PER_MINUTE);
        assert_int_equal(s->pos.line, 5);
        assert_int_equal(s->pos.column, 3);
        assert_ptr_equal(s->pos.file, c->files[0]);
        /* defaults */
        assert_int_equal(s->connect_timeout_usec, 30 * USEC_PER_SEC);
        assert_int_equal(s->timeout_usec, 300 * USEC_PER_SEC);
        assert_int_equal(s->max_response_size, 64 * 1024 * 1024);
        assert_int_equal(s->stale_after_usec, 14 * USEC_PER_DAY);

        s = config_find_source(c, "jis");
        assert_int_equal(s->kind, SOURCE_JOBINDSATS);
        assert_int_equal(s->api_version, 2);
        assert_string_equal(s->base_url, "https://api.jobindsats.dk/v2");
        assert_null(s->token.file);
        assert_string_equal(s->token.credential, "jis-token");
        assert_string_equal(s->lang, "da");
        assert_int_equal(s->connect_timeout_usec, 10 * USEC_PER_SEC);
        assert_int_equal(s->timeout_usec, 120 * USEC_PER_SEC);
        assert_int_equal(s->max_response_size, 512 * 1024);
        assert_int_equal(s->stale_after_usec, 14 * USEC_PER_DAY);
        assert_int_equal(s->schedule.kind, SCHEDULE_INTERVAL);
        assert_int_equal(s->schedule.interval_usec, 90 * USEC_PER_MINUTE);
        assert_int_equal(s->schedule.jitter_usec, 0);

        s = config_find_source(c, "own");
        assert_int_equal(s->kind, SOURCE_CSV);
        assert_null(s->base_url);
        assert_int_equal(s->schedule.kind, SCHEDULE_INTERVAL);
        assert_int_equal(s->schedule.interval_usec, 6 * USEC_PER_HOUR);
        assert_int_equal(s->schedule.jitter_usec, 10 * USEC_PER_MINUTE);

        se = config_find_series(c, "fleks");
        assert_non_null(se);
        assert_string_equal(se->source, "jis");
        assert_ptr_equal(se->source_def, config_find_source(c, "jis"));
        assert_string_equal(se->table, "Y08A02");
        assert_string_equal(se->measure, "Antal fuldtidspersoner");
        assert_int_equal(se->n_select, 2);
        assert_string_equal(se->select[0].dimension, "area");
        assert_string_equal(se->select[0].value, "Herlev");
        assert_int_equal(se->select[0].pos.line, 30);
        assert_int_equal(se->select[0].pos.column, 7);
        assert_string_equal(se->select[1].dimension, "_kon");
        assert_string_equal(se->select[1].value, "I alt");
        assert_int_equal(se->freq, PERIOD_MONTH);
        assert_int_equal(se->publication_lag, 2);
        assert_string_equal(se->unit_da, "fuldtidspersoner");
        assert_string_equal(se->unit_en, "full-time persons");
        assert_null(se->expr);

        se = config_find_series(c, "auk");
        assert_string_equal(se->select[0].dimension, "OMRÅDE");
        assert_string_equal(se->select[0].value, "163");
        assert_int_equal(se->freq, PERIOD_QUARTER);
        assert_int_equal(se->publication_lag, 2); /* quarterly default */
        assert_string_equal(se->unit_da, "personer");
        assert_string_equal(se->unit_en, "personer");

        se = config_find_series(c, "orders");
        assert_string_equal(se->path, "/srv/data/orders.csv");
        assert_string_equal(se->column, "ordrer");
        assert_int_equal(se->publication_lag, 3); /* monthly default */

        se = config_find_series(c, "ratio");
        assert_string_equal(se->expr, "100 * fleks / orders");
        assert_null(se->source);
        assert_null(se->source_def);
        /* line 47: `    expr: "100 * ...`: the quote is column 11, the text starts at 12 */
        assert_int_equal(se->expr_pos.line, 47);
        assert_int_equal(se->expr_pos.column, 12);
        assert_ptr_equal(se->expr_pos.file, c->files[0]);

        se = config_find_series(c, "block");
        assert_string_equal(se->expr, "fleks +\n  orders\n");
        /* line 50 is `    expr: |`, the text starts on line 51, column 7 */
        assert_int_equal(se->expr_pos.line, 51);
        assert_int_equal(se->expr_pos.column, 7);

        se = config_find_series(c, "unemp");
        assert_int_equal(se->source_def->kind, SOURCE_JSONSTAT);
        assert_string_equal(se->measure, "PC_ACT");

        r = config_find_recipient(c, "chef");
        assert_string_equal(r->display_name, "Jobcenterchef");
        assert_string_equal(r->email, "chef@herlev.dk");
        assert_string_equal(r->language, "en"); /* the configuration's language */
        r = config_find_recipient(c, "ops");
        assert_string_equal(r->display_name, "ops");
        assert_string_equal(r->language, "da");

        n = config_find_notifier(c, "mail");
        assert_int_equal(n->kind, NOTIFIER_SMTP);
        assert_string_equal(n->url, "smtp://127.0.0.1:2525");
        assert_string_equal(n->from, "lw@herlev.dk");
        assert_string_equal(n->username.file, "/etc/lw/user");
        assert_string_equal(n->password.credential, "smtp-pass");
        assert_int_equal(n->timeout_usec, 45 * USEC_PER_SEC);
        n = config_find_notifier(c, "hook");
        assert_int_equal(n->kind, NOTIFIER_WEBHOOK);
        assert_string_equal(n->secret.file, "/etc/lw/hook.key");
        assert_string_equal(n->ca_file, "/etc/lw/ca.pem");
        assert_int_equal(n->timeout_usec, 30 * USEC_PER_SEC);
        n = config_find_notifier(c, "dir");
        assert_int_equal(n->kind, NOTIFIER_DIRECTORY);
        assert_string_equal(n->directory, "/srv/outbox");
        assert_null(config_find_notifier(c, "nope"));

        assert_int_equal(c->routes[0].n_goals, 2);
        assert_string_equal(c->routes[0].goals[0], "fleks-*");
        assert_string_equal(c->routes[0].goals[1], "share");
        assert_int_equal(c->routes[0].n_recipients, 1);
        assert_string_equal(c->routes[0].recipients[0], "chef");
        assert_int_equal(c->routes[0].n_notifiers, 2);
        assert_int_equal(c->routes[0].repeat_usec, 7 * USEC_PER_DAY);
        assert_false(c->routes[0].data_problems);
        assert_int_equal(c->routes[1].n_goals, 0);
        assert_int_equal(c->routes[1].n_notifiers, 1);
        assert_string_equal(c->routes[1].notifiers[0], "hook");
        assert_int_equal(c->routes[1].repeat_usec, 0);
        assert_true(c->routes[1].data_problems);

        g = config_find_goal(c, "fleks-2024");
        assert_non_null(g);
        assert_string_equal(g->title_da, "Fleksjob 2024");
        assert_string_equal(g->title_en, "Flex jobs 2024");
        assert_int_equal(g->kind, GOAL_LEVEL);
        assert_string_equal(g->series, "fleks");
        assert_string_equal(period_to_string(g->period, buf), "2024");
        assert_true(g->target == 380.0);
        assert_true(g->tolerance == 5.5);
        assert_int_equal(g->aggregate, GOAL_AGGREGATE_LATEST);
        assert_int_equal(g->direction, GOAL_AT_LEAST);
        assert_int_equal(g->projection, PROJECTION_SEASONAL);
        assert_int_equal(g->trend_window, 12);
        assert_int_equal(g->n_recipients, 2);
        assert_string_equal(g->recipients[1], "ops");
        assert_ptr_equal(g->pos.file, c->files[1]);
        assert_int_equal(g->pos.line, 2);
        assert_int_equal(g->pos.column, 5);

        g = config_find_goal(c, "share");
        assert_string_equal(g->title_da, "Andel");
        assert_string_equal(g->title_en, "Andel");
        assert_int_equal(g->kind, GOAL_SHARE);
        assert_string_equal(g->numerator, "fleks");
        assert_string_equal(g->denominator, "orders");
        assert_null(g->series);
        assert_string_equal(period_to_string(g->period, buf), "2024Q2");
        assert_true(g->min_denominator == 10.0);
        assert_int_equal(g->direction, GOAL_AT_MOST);
        assert_int_equal(g->aggregate, GOAL_AGGREGATE_AVERAGE);
        assert_int_equal(g->trend_window, 6);
        assert_int_equal(g->projection, PROJECTION_AUTO);
        assert_true(g->tolerance == 0.0);

        g = config_find_goal(c, "ref");
        assert_int_equal(g->kind, GOAL_REFERENCE);
        assert_string_equal(g->reference, "auk");
        assert_string_equal(period_to_string(g->baseline, buf), "2023");
        assert_int_equal(g->change_unit, CHANGE_POINTS);
        assert_true(g->target == -1.5);
        assert_int_equal(g->projection, PROJECTION_NONE);
        assert_string_equal(g->title_da, "ref"); /* no title: the id */

        g = config_find_goal(c, "rank");
        assert_int_equal(g->direction, GOAL_AT_MOST); /* lower is better */
        assert_int_equal(g->aggregate, GOAL_AGGREGATE_LATEST);
        assert_string_equal(period_to_string(g->period, buf), "2024QMAT02");

        g = config_find_goal(c, "cum");
        assert_int_equal(g->aggregate, GOAL_AGGREGATE_SUM);
        assert_int_equal(g->direction, GOAL_AT_LEAST);
        assert_null(config_find_goal(c, "nope"));

        config_free(c);
        tree_remove(&t);
}

static void test_defaults(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        char goals_dir[160];
        Tree t;

        tree_make(&t, "sources:\n  jis:\n    kind: jobindsats\n    token_file: /t\n", NULL, NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        assert_string_equal(c->state_dir, "/var/lib/labourwatch");
        assert_string_equal(c->language, "da");
        snprintf(goals_dir, sizeof goals_dir, "%s/goals.d", t.dir);
        assert_string_equal(c->goals_dir, goals_dir);
        assert_int_equal(c->n_files, 1);
        assert_int_equal(c->sources[0].api_version, 3);
        assert_string_equal(c->sources[0].base_url, "https://api.jobindsats.dk/v3");
        assert_string_equal(c->sources[0].lang, "da");
        assert_int_equal(c->sources[0].schedule.kind, SCHEDULE_INTERVAL);
        assert_int_equal(c->sources[0].schedule.interval_usec, 6 * USEC_PER_HOUR);
        config_free(c);
        tree_remove(&t);
}

/* A display name's runs of white space are one space, none at either end (issue 18). */
static void test_display_name_whitespace(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        Tree t;

        tree_make(&t,
                  "recipients:\n"
                  "  sek:\n"
                  "    display_name: \"  Sekretariatet for  Besk\u00e6ftigelsesudvalget   (demo) \"\n"
                  "    email: sek@example.dk\n",
                  NULL, NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        assert_int_equal(c->n_recipients, 1);
        assert_string_equal(c->recipients[0].display_name, "Sekretariatet for Besk\u00e6ftigelsesudvalget (demo)");
        config_free(c);
        tree_remove(&t);
}

/* Contract A: the keys alerting, channels, reports and the new providers read. */
static void test_alerting_keys(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        const NotifierDef *n;
        const SeriesDef *se;
        const GoalDef *g;
        Tree t;

        tree_make(&t,
                  "plan: Beskæftigelsesplan 2024\n"
                  "municipality: Herlev Kommune\n"
                  "templates_dir: mytemplates\n"
                  "metrics_file: /var/lib/prometheus/node-exporter/labourwatch.prom\n"
                  "sources:\n"
                  "  scb:\n"
                  "    kind: pxweb\n"
                  "    base_url: https://api.scb.se/OV0104/v1/doris/sv/ssd/\n"
                  "  f:\n"
                  "    kind: csv\n"
                  "    base_url: /srv/x.csv\n"
                  "    encoding: windows-1252\n"
                  "  e:\n"
                  "    kind: jsonstat\n"
                  "    base_url: https://example.org/\n"
                  "    display_name: {da: Eurostat, en: Eurostat (EU)}\n"
                  "  dst:\n"
                  "    kind: statbank\n"
                  "  egne:\n"
                  "    kind: csv\n"
                  "    base_url: /srv/y.csv\n"
                  "    display_name: Ydelseskontorets opgørelse\n"
                  "series:\n"
                  "  national:\n"
                  "    source: e\n"
                  "    table: bundle.json\n"
                  "    dataset: une_rt_m\n"
                  "    time_format: \"%Y - %q\"\n"
                  "    frequency: quarter\n"
                  "    label: hele landet\n"
                  "    label_en: the whole country\n"
                  "  local:\n"
                  "    source: scb\n"
                  "    table: AM/AM0401\n"
                  "    frequency: month\n"
                  "  other:\n"
                  "    source: f\n"
                  "    frequency: month\n"
                  "    label_en: only English\n"
                  "goals:\n"
                  "  - id: g\n"
                  "    kind: level\n"
                  "    series: local\n"
                  "    period: 2024\n"
                  "    target: 3\n"
                  "    tolerance: 0.5\n"
                  "    for: 2\n"
                  "    notify_at_risk: true\n"
                  "    recovery_band: 1.5\n"
                  "    plan: Særlig plan\n"
                  "  - id: h\n"
                  "    kind: level\n"
                  "    series: local\n"
                  "    period: 2024\n"
                  "    target: 3\n"
                  "    tolerance: 0.25\n"
                  "notifiers:\n"
                  "  mail:\n"
                  "    kind: smtp\n"
                  "    url: smtp://mail.example.org\n"
                  "    from: lw@example.org\n"
                  "    allow_plaintext: true\n"
                  "    retry_max: 30min\n"
                  "    give_up_after: 1d\n"
                  "  teams:\n"
                  "    kind: webhook\n"
                  "    url: https://example.org/hook\n"
                  "    format: teams\n"
                  "  am:\n"
                  "    kind: alertmanager\n"
                  "    url: http://127.0.0.1:9093/\n"
                  "routes:\n"
                  "  - notifiers: mail\n"
                  "    repeat: 2\n"
                  "    notify_at_risk: yes\n"
                  "    send_resolved: false\n"
                  "  - notifiers: [teams, am]\n"
                  "    repeat: 30d\n",
                  NULL, NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        assert_int_equal(errors.n_items, 0);
        assert_string_equal(c->plan, "Beskæftigelsesplan 2024");
        assert_string_equal(c->municipality, "Herlev Kommune");
        assert_true(endswith_str(c->templates_dir, "/mytemplates"));
        assert_true(c->templates_dir[0] == '/');
        assert_string_equal(c->metrics_file, "/var/lib/prometheus/node-exporter/labourwatch.prom");

        assert_int_equal(config_find_source(c, "scb")->kind, SOURCE_PXWEB);
        assert_null(config_find_source(c, "scb")->encoding);
        assert_string_equal(config_find_source(c, "f")->encoding, "windows-1252");
        assert_int_equal(source_kind_from_string("pxweb"), SOURCE_PXWEB);
        /* display names (issue 23): given in both languages, given once for both, the kind's default
         * (csv: the job centre's own figures), else the source's name */
        assert_string_equal(config_find_source(c, "e")->display_name_da, "Eurostat");
        assert_string_equal(config_find_source(c, "e")->display_name_en, "Eurostat (EU)");
        assert_string_equal(config_find_source(c, "egne")->display_name_da, "Ydelseskontorets opgørelse");
        assert_string_equal(config_find_source(c, "egne")->display_name_en, "Ydelseskontorets opgørelse");
        assert_string_equal(config_find_source(c, "f")->display_name_da, "Jobcentrets egne tal");
        assert_string_equal(config_find_source(c, "f")->display_name_en, "The job centre's own figures");
        assert_string_equal(config_find_source(c, "dst")->display_name_da, "Statistikbanken");
        assert_string_equal(config_find_source(c, "dst")->display_name_en, "Statistics Denmark");
        assert_string_equal(config_find_source(c, "scb")->display_name_da, "scb");
        assert_string_equal(config_find_source(c, "scb")->display_name_en, "scb");

        se = config_find_series(c, "national");
        assert_string_equal(se->dataset, "une_rt_m");
        assert_string_equal(se->time_format, "%Y - %q");
        assert_string_equal(se->label_da, "hele landet");
        assert_string_equal(se->label_en, "the whole country");
        se = config_find_series(c, "local");
        assert_null(se->label_da);
        assert_null(se->label_en);
        assert_null(se->dataset);
        se = config_find_series(c, "other");
        assert_string_equal(se->label_da, "only English");
        assert_string_equal(se->label_en, "only English");

        g = config_find_goal(c, "g");
        assert_int_equal(g->alert_for, 2);
        assert_true(g->notify_at_risk);
        assert_true(g->has_recovery_band);
        assert_true(g->recovery_band == 1.5);
        assert_string_equal(g->plan, "Særlig plan");
        g = config_find_goal(c, "h");
        assert_int_equal(g->alert_for, 1);
        assert_false(g->notify_at_risk);
        assert_false(g->has_recovery_band);
        assert_true(g->recovery_band == 0.25); /* the tolerance */
        assert_string_equal(g->plan, "Beskæftigelsesplan 2024");

        n = config_find_notifier(c, "mail");
        assert_true(n->allow_plaintext);
        assert_int_equal(n->retry_max_usec, 30 * USEC_PER_MINUTE);
        assert_int_equal(n->give_up_after_usec, USEC_PER_DAY);
        n = config_find_notifier(c, "teams");
        assert_int_equal(n->format, WEBHOOK_TEAMS);
        assert_false(n->allow_plaintext);
        assert_int_equal(n->retry_max_usec, USEC_PER_HOUR);
        assert_int_equal(n->give_up_after_usec, 3 * USEC_PER_DAY);
        n = config_find_notifier(c, "am");
        assert_int_equal(n->kind, NOTIFIER_ALERTMANAGER);
        assert_int_equal(n->format, WEBHOOK_GENERIC);

        assert_int_equal(c->n_routes, 2);
        assert_int_equal(c->routes[0].repeat_periods, 2);
        assert_int_equal(c->routes[0].repeat_usec, 0);
        assert_true(c->routes[0].notify_at_risk);
        assert_false(c->routes[0].send_resolved);
        assert_int_equal(c->routes[1].repeat_periods, 0);
        assert_int_equal(c->routes[1].repeat_usec, 30 * USEC_PER_DAY);
        assert_false(c->routes[1].notify_at_risk);
        assert_true(c->routes[1].send_resolved);

        assert_string_equal(webhook_format_to_string(WEBHOOK_TEAMS), "teams");
        assert_int_equal(webhook_format_from_string("generic"), WEBHOOK_GENERIC);
        assert_int_equal(webhook_format_from_string("slack"), _WEBHOOK_FORMAT_INVALID);
        assert_string_equal(notifier_kind_to_string(NOTIFIER_ALERTMANAGER), "alertmanager");
        config_free(c);
        tree_remove(&t);

        /* Defaults: plan, no municipality, templates/ beside the main file only when it exists. */
        tree_make(&t, "sources:\n  f:\n    kind: csv\n    base_url: /x.csv\n", NULL, NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        assert_string_equal(c->plan, "Beskæftigelsesplan");
        assert_null(c->municipality);
        assert_null(c->templates_dir);
        assert_null(c->metrics_file);
        assert_string_equal(c->sources[0].encoding, "auto");
        config_free(c);
        {
                char tpl[160];
                snprintf(tpl, sizeof tpl, "%s/templates", t.dir);
                assert_int_equal(mkdir(tpl, 0755), 0);
                assert_int_equal(config_load(t.main, &c, &errors), 0);
                assert_string_equal(c->templates_dir, tpl);
                config_free(c);
        }
        tree_remove(&t);
}

static void test_alerting_key_errors(void **state)
{
        const ErrorCase rows[] = {
                {"for out of range", BASE, GOAL("    for: 0\n"), NULL,
                 WANT("@g1:7:10: for: must be between 1 and 120 data periods")},
                {"for not a number", BASE, GOAL("    for: 2 periods\n"), NULL,
                 WANT("@g1:7:10: for: expected a whole number, got '2 periods'")},
                {"negative recovery_band", BASE, GOAL("    recovery_band: -1\n"), NULL,
                 WANT("@g1:7:20: recovery_band: must not be negative")},
                {"probability_at_risk above 1", BASE, GOAL("    probability_at_risk: 1.5\n"), NULL,
                 WANT("@g1:7:26: probability_at_risk: must be above 0 and at most 1")},
                {"probability_off_track not below at_risk", BASE,
                 GOAL("    status_from: probability\n    probability_off_track: 0.9\n"), NULL,
                 WANT("@g1:8:28: probability_off_track: must be at least 0 and below probability_at_risk (0.8)")},
                {"probability_recover not above off_track", BASE,
                 GOAL("    status_from: probability\n    probability_off_track: 0.3\n    probability_recover: 0.25\n"), NULL,
                 WANT("@g1:9:26: probability_recover: must be above probability_off_track (0.3) and at most 1: leaving off_track needs more than entering it")},
                {"repeat neither periods nor duration", BASE "routes:\n  - notifiers: out\n    repeat: often\n",
                 NULL, NULL,
                 WANT("@main:26:13: repeat: bad value 'often', expected a number of data periods (e.g. 2) or a "
                      "duration (e.g. 30d)")},
                {"repeat too many periods", BASE "routes:\n  - notifiers: out\n    repeat: 1000\n", NULL, NULL,
                 WANT("@main:26:13: repeat: at most 120 data periods (or give a duration like 30d)")},
                {"format on a directory notifier",
                 "notifiers:\n  out:\n    kind: directory\n    directory: /tmp/o\n    format: teams\n", NULL,
                 NULL, WANT("@main:5:5: 'format' applies only to webhook notifiers")},
                {"bad webhook format",
                 "notifiers:\n  w:\n    kind: webhook\n    url: https://x/\n    format: slack\n", NULL, NULL,
                 WANT("@main:5:13: format: bad value 'slack', expected one of: generic, teams")},
                {"allow_plaintext on a webhook",
                 "notifiers:\n  w:\n    kind: webhook\n    url: https://x/\n    allow_plaintext: true\n", NULL,
                 NULL, WANT("@main:5:5: 'allow_plaintext' applies only to smtp notifiers")},
                {"zero retry_max",
                 "notifiers:\n  w:\n    kind: webhook\n    url: https://x/\n    retry_max: 0\n", NULL, NULL,
                 WANT("@main:5:16: retry_max: must be greater than 0")},
                {"alertmanager needs a url", "notifiers:\n  am:\n    kind: alertmanager\n", NULL, NULL,
                 WANT("@main:2:3: notifier 'am': missing required key 'url'")},
                {"encoding on a statbank source",
                 "sources:\n  dst:\n    kind: statbank\n    encoding: utf-8\n", NULL, NULL,
                 WANT("@main:4:5: 'encoding' applies only to csv sources")},
                {"bad encoding", "sources:\n  f:\n    kind: csv\n    base_url: /x\n    encoding: latin9\n", NULL,
                 NULL, WANT("@main:5:15: encoding: bad value 'latin9', expected one of: auto, utf-8, windows-1252")},
                {"token on a jsonstat source",
                 "sources:\n  e:\n    kind: jsonstat\n    base_url: https://x/\n    token_file: /t\n", NULL,
                 NULL, WANT("@main:5:5: 'token_file' applies only to jobindsats sources")},
                {"lang on a jsonstat source",
                 "sources:\n  e:\n    kind: jsonstat\n    base_url: https://x/\n    lang: en\n", NULL,
                 NULL, WANT("@main:5:5: 'lang' applies only to statbank sources")},
                {"lang on a csv source", "sources:\n  f:\n    kind: csv\n    base_url: /x\n    lang: da\n", NULL,
                 NULL, WANT("@main:5:5: 'lang' applies only to statbank sources")},
                {"dataset on a statbank series",
                 "sources:\n  dst:\n    kind: statbank\nseries:\n  s:\n    source: dst\n    table: AUS08\n"
                 "    frequency: month\n    dataset: x\n",
                 NULL, NULL, WANT("@main:9:5: 'dataset' applies only to jsonstat and pxweb series")},
                {"metrics_file relative", "metrics_file: lw.prom\n", NULL, NULL,
                 WANT("@main:1:15: metrics_file: must be an absolute path")},
        };
        run_cases(rows, ELEMENTSOF(rows));
}

/* Issue 9 §2-§4: every class `check` used to pass and something later choked on. */
static void test_hardening(void **state)
{
        const ErrorCase rows[] = {
                {"credentials in a base_url",
                 "sources:\n  e:\n    kind: jsonstat\n    base_url: https://user:hunter2@example.org/\n", NULL, NULL,
                 WANT("@main:4:15: base_url: must not contain a user name or password (user:password@host): it "
                      "would be logged and stored with the URL; secrets go in *_file or *_credential keys")},
                {"credentials in an smtp url",
                 "notifiers:\n  m:\n    kind: smtp\n    url: smtp://me:hunter2@mail.example.org\n"
                 "    from: a@example.org\n",
                 NULL, NULL,
                 WANT("@main:4:10: url: must not contain a user name or password (user:password@host): it would "
                      "be logged and stored with the URL; use username_file/password_file or "
                      "username_credential/password_credential")},
                {"a line break in a URL", "sources:\n  e:\n    kind: jsonstat\n    base_url: \"https://x/\\nevil\"\n",
                 NULL, NULL,
                 WANT("@main:4:15: base_url: must not contain control characters (a line break, a tab, an escape)")},
                {"an escape in a name", "municipality: \"Herlev\\e[31m\"\n", NULL, NULL,
                 WANT("@main:1:15: municipality: must not contain control characters (a line break, a tab, an "
                      "escape)")},
                {"a line break in a selected value",
                 "sources:\n  dst:\n    kind: statbank\nseries:\n  s:\n    source: dst\n    table: AUS08\n"
                 "    frequency: month\n    select: {OMRÅDE: \"Herlev\\r\\nX: 1\"}\n",
                 NULL, NULL,
                 WANT("@main:9:22: select: the value for dimension 'OMRÅDE' must not contain control characters")},
                {"a control character in a key", "\"lang\\tuage\": da\n", NULL, NULL,
                 WANT("@main:1:1: a key name must not contain control characters (a line break, a tab, an escape)")},
                {"a line break in a route's goal pattern",
                 BASE "routes:\n  - notifiers: out\n    goals: [\"a\\nb\"]\n", NULL, NULL,
                 WANT("@main:26:13: goals: must not contain control characters (a line break, a tab, an escape)")},
                {"NUL in a scalar", "sources:\n  \"d\\0st\":\n    kind: statbank\n", NULL, NULL,
                 WANT("@main:2:3: a NUL character (\\0) is not allowed in a value")},
                {"hexadecimal number", BASE, GOAL("    tolerance: 0x1p3\n"), NULL,
                 WANT("@g1:7:16: tolerance: expected a number, got '0x1p3'")},
                {"infinity and not-a-number", BASE,
                 "goals:\n  - {id: a, kind: level, series: fleks, period: 2024, target: inf}\n"
                 "  - {id: b, kind: level, series: fleks, period: 2024, target: nan}\n",
                 NULL,
                 WANT("@g1:2:63: target: expected a number, got 'inf'", "@g1:3:63: target: expected a number, got 'nan'")},
                {"expression syntax", BASE, "series:\n  d:\n    expr: fleks + * 2\n    frequency: month\n", NULL,
                 WANT("@g1:3:19: series 'd': unexpected '*', expected a number, a series name or '('")},
                {"expression naming no series", BASE, "series:\n  d:\n    expr: 2 * (1 + 1)\n    frequency: month\n", NULL,
                 WANT("@g1:3:11: series 'd': expression names no series: a derived series needs at least one input")},
                {"expression naming an unknown series", BASE, "series:\n  d:\n    expr: nothere + 1\n    frequency: month\n",
                 NULL, WANT("@g1:3:11: undefined series 'nothere'")},
                {"expression cycle", BASE,
                 "series:\n  a:\n    expr: b + fleks\n    frequency: month\n  b:\n    expr: 2 * a\n    frequency: month\n",
                 NULL, WANT("@g1:6:15: series 'b': expression depends on itself: a -> b -> a")},
                {"expression nested too deeply", BASE,
                 "series:\n  d:\n    expr: \"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((fleks"
                 "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))\"\n    frequency: month\n",
                 NULL, WANT("@g1:3:76: series 'd': expression nested too deeply")},
        };
        run_cases(rows, ELEMENTSOF(rows));
}

/* The top level's status_from and thresholds are every goal's defaults; a goal's own key wins, and
 * a goal's own off_track moves its recover with it. */
static void test_goal_defaults_from_the_top(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        const GoalDef *g;
        Tree t;

        tree_make(&t, "status_from: projection\nprobability_off_track: 0.3\n" BASE,
                  GOAL("  - id: b\n    kind: level\n    series: fleks\n    period: 2024\n    target: 1\n"
                       "    status_from: probability\n    probability_off_track: 0.1\n"),
                  NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        g = config_find_goal(c, "a");
        assert_int_equal(g->status_from, GOAL_STATUS_FROM_PROJECTION);
        assert_true(g->probability_at_risk == 0.8 && g->probability_off_track == 0.3);
        assert_true(fabs(g->probability_recover - 0.45) < 1e-12);
        g = config_find_goal(c, "b");
        assert_int_equal(g->status_from, GOAL_STATUS_FROM_PROBABILITY);
        assert_true(g->probability_off_track == 0.1 && fabs(g->probability_recover - 0.25) < 1e-12);
        config_free(c);
        tree_remove(&t);

        /* none at the top: the built-in defaults */
        tree_make(&t, BASE, GOAL(""), NULL);
        assert_int_equal(config_load(t.main, &c, &errors), 0);
        g = config_find_goal(c, "a");
        assert_int_equal(g->status_from, GOAL_STATUS_FROM_PROBABILITY);
        assert_true(g->probability_at_risk == 0.8 && g->probability_off_track == 0.2);
        assert_true(fabs(g->probability_recover - 0.35) < 1e-12);
        config_free(c);
        tree_remove(&t);

        /* checked at the top as at a goal, with the main file's position */
        tree_make(&t, "probability_recover: 0.1\n" BASE, GOAL(""), NULL);
        check_errors(&t, WANT("@main:1:22: probability_recover: must be above probability_off_track (0.2) and at "
                              "most 1: leaving off_track needs more than entering it"));
        tree_remove(&t);
}

/* A chain of derived series deeper than the evaluation can resolve: one error where it crosses. */
static void test_derived_chain(void **state)
{
        _cleanup_free_ char *g = strdup("series:\n  c0:\n    expr: fleks + 1\n    frequency: month\n");
        Tree t;

        for (unsigned i = 1; i < 70; i++) {
                char *n = strdup_printf("%s  c%u:\n    expr: c%u + 1\n    frequency: month\n", g, i, i - 1);
                assert_non_null(n);
                free(g);
                g = n;
        }
        tree_make(&t, BASE, g, NULL);
        check_errors(&t, WANT("@g1:192:11: series 'c63': derived series nested more than 63 deep (it depends on a "
                              "chain of 63 derived series)"));
        tree_remove(&t);
}

/* Goal files that are not readable regular files are errors, and a FIFO is never opened for good:
 * neither a goal file, nor the main file, nor a secret blocks. */
static void test_unreadable_files(void **state)
{
        ConfigErrors errors = {};
        Config *c = NULL;
        char p[256], goals[200];
        SecretRef ref = {};
        char *secret = NULL;
        Tree t;

        tree_make(&t, BASE, NULL, NULL);
        snprintf(goals, sizeof goals, "%s/goals.d", t.dir);
        assert_int_equal(mkdir(goals, 0755), 0);
        snprintf(p, sizeof p, "%s/a-dir.yaml", goals);
        assert_int_equal(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/b-dangling.yaml", goals);
        assert_int_equal(symlink("/nonexistent/x.yaml", p), 0);
        snprintf(p, sizeof p, "%s/c-fifo.yaml", goals);
        assert_int_equal(mkfifo(p, 0644), 0);
        snprintf(p, sizeof p, "%s/d-loop.yaml", goals);
        assert_int_equal(symlink("d-loop.yaml", p), 0);
        snprintf(p, sizeof p, "%s/e-device.yaml", goals);
        assert_int_equal(symlink("/dev/zero", p), 0);

        assert_int_equal(config_load(t.main, &c, &errors), -EINVAL);
        assert_int_equal(errors.n_items, 5);
        assert_string_equal(errors.items[0].message, "cannot read: is a directory, not a file");
        assert_string_equal(errors.items[1].message, "cannot read: No such file or directory");
        assert_string_equal(errors.items[2].message, "cannot read: not a regular file (a FIFO, socket or device)");
        assert_string_equal(errors.items[3].message, "cannot read: too many levels of symbolic links");
        assert_string_equal(errors.items[4].message, "cannot read: not a regular file (a FIFO, socket or device)");
        config_errors_done(&errors);

        /* --config naming a FIFO */
        snprintf(p, sizeof p, "%s/goals.d/c-fifo.yaml", t.dir);
        assert_int_equal(config_load(p, &c, &errors), -ESPIPE);
        assert_int_equal(errors.n_items, 1);
        config_errors_done(&errors);

        /* a *_file secret naming a FIFO or a device */
        ref.file = p;
        assert_int_equal(secret_read(&ref, &secret), -ESPIPE);
        ref.file = (char *) "/dev/zero";
        assert_int_equal(secret_read(&ref, &secret), -ESPIPE);
        assert_null(secret);
        tree_remove(&t);
}

/* The sample shipped in etc/ must stay valid. */
static void test_sample(void **state)
{
        const char *src = getenv("LW_SOURCE_DIR");
        _cleanup_free_ char *path = NULL;
        ConfigErrors errors = {};
        Config *c = NULL;
        int r;

        path = strdup_printf("%s/etc/labourwatch.yaml", src ? src : ".");
        r = config_load(path, &c, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                print_message("%s\n", s);
        }
        assert_int_equal(r, 0);
        /* The goal files refer to these names: they must not change. */
        static const char *const names[] = {
                "fleksjob_fuldtid",       "uddannelseshjaelp_fuldtid",
                "sygedagpenge_personer",  "sygedagpenge_personer_hele_landet",
                "adagpenge_fuldtid",      "flygtninge_selvforsoergende_andel",
                "rekruttering_ordrer",    "rekruttering_matchede",
                "smaajob_personer",       "benchmark_placering",
                "kurser_opkvalificering",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_non_null(config_find_series(c, names[i]));
        config_free(c);
        config_errors_done(&errors);
}

/* Durations, sizes and schedules, through a one-source configuration. */
static void test_values(void **state)
{
        static const struct {
                const char *key, *value;
                uint64_t want; /* timeout / max_response_size in usec / bytes; UINT64_MAX: an error */
        } rows[] = {
                {"timeout", "30s", 30 * USEC_PER_SEC},
                {"timeout", "10min", 10 * USEC_PER_MINUTE},
                {"timeout", "10m", 10 * USEC_PER_MINUTE},
                {"timeout", "1h 30min", 90 * USEC_PER_MINUTE},
                {"timeout", "2 hours", 2 * USEC_PER_HOUR},
                {"timeout", "1w", 7 * USEC_PER_DAY},
                {"timeout", "30", UINT64_MAX},
                {"timeout", "-5s", UINT64_MAX},
                {"timeout", "5ms", UINT64_MAX},
                {"timeout", "0", UINT64_MAX}, /* parses, but a timeout must be > 0 */
                {"timeout", "99999999999999999999s", UINT64_MAX},
                {"max_response_size", "1048576", 1048576},
                {"max_response_size", "512KiB", 512 * 1024},
                {"max_response_size", "2M", 2 * 1024 * 1024},
                {"max_response_size", "2MB", 2000000},
                {"max_response_size", "1GiB", UINT64_C(1) << 30},
                {"max_response_size", "1.5MiB", UINT64_MAX},
                {"max_response_size", "MiB", UINT64_MAX},
                {"max_response_size", "0", UINT64_MAX},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *yaml = strdup_printf(
                        "sources:\n  s:\n    kind: statbank\n    %s: \"%s\"\n", rows[i].key, rows[i].value);
                ConfigErrors errors = {};
                Config *c = NULL;
                Tree t;
                int r;

                print_message("%s: %s\n", rows[i].key, rows[i].value);
                tree_make(&t, yaml, NULL, NULL);
                r = config_load(t.main, &c, &errors);
                if (rows[i].want == UINT64_MAX) {
                        assert_int_equal(r, -EINVAL);
                        assert_int_equal(errors.n_items, 1);
                        assert_int_equal(errors.items[0].line, 4);
                } else {
                        assert_int_equal(r, 0);
                        assert_int_equal(streq(rows[i].key, "timeout") ? c->sources[0].timeout_usec
                                                                       : c->sources[0].max_response_size,
                                         rows[i].want);
                }
                config_free(c);
                config_errors_done(&errors);
                tree_remove(&t);
        }
}

static void test_schedules(void **state)
{
        static const struct {
                const char *yaml; /* the value of schedule: */
                int ok;
                ScheduleKind kind;
                uint64_t interval, jitter;
                unsigned weekdays;
                size_t n_times;
                unsigned first, last; /* minutes */
        } rows[] = {
                {"{interval: 6h, jitter: 10m}", 1, SCHEDULE_INTERVAL, 6 * USEC_PER_HOUR,
                 10 * USEC_PER_MINUTE, 0, 0, 0, 0},
                {"30min", 1, SCHEDULE_INTERVAL, 30 * USEC_PER_MINUTE, 0, 0, 0, 0, 0},
                {"{calendar: \"Mon..Fri 08:30\"}", 1, SCHEDULE_CALENDAR, 0, 0, 0x1f, 1, 510, 510},
                {"\"Sat,Sun 10:00\"", 1, SCHEDULE_CALENDAR, 0, 0, 0x60, 1, 600, 600},
                {"\"daily 06:00, 18:00\"", 1, SCHEDULE_CALENDAR, 0, 0, 0x7f, 2, 360, 1080},
                {"\"7:05\"", 1, SCHEDULE_CALENDAR, 0, 0, 0x7f, 1, 425, 425},
                {"{calendar: \"tue 13:00,08:00,13:00\", jitter: 5m}", 1, SCHEDULE_CALENDAR, 0,
                 5 * USEC_PER_MINUTE, 0x2, 2, 480, 780},
                {"\"Mon..Fri 24:00\"", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"\"Fri..Mon 08:00\"", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"\"Mon, 08:00\"", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"\"Mon..Fri\"", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"\"1:0,2:0\"", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"\"00:01,00:02,00:03,00:04,00:05,00:06,00:07,00:08,00:09\"", 0, SCHEDULE_INTERVAL, 0, 0, 0,
                 0, 0, 0},
                {"{interval: 30s}", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"{interval: 1h, jitter: 1h}", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"{jitter: 1h}", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
                {"[6h]", 0, SCHEDULE_INTERVAL, 0, 0, 0, 0, 0, 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *yaml = strdup_printf(
                        "sources:\n  s:\n    kind: statbank\n    schedule: %s\n", rows[i].yaml);
                ConfigErrors errors = {};
                Config *c = NULL;
                Tree t;
                int r;

                print_message("schedule: %s\n", rows[i].yaml);
                tree_make(&t, yaml, NULL, NULL);
                r = config_load(t.main, &c, &errors);
                if (!rows[i].ok) {
                        assert_int_equal(r, -EINVAL);
                        assert_int_equal(errors.n_items, 1);
                        assert_int_equal(errors.items[0].line, 4);
                } else {
                        const Schedule *sc;
                        assert_int_equal(r, 0);
                        sc = &c->sources[0].schedule;
                        assert_int_equal(sc->kind, rows[i].kind);
                        assert_int_equal(sc->jitter_usec, rows[i].jitter);
                        if (sc->kind == SCHEDULE_INTERVAL)
                                assert_int_equal(sc->interval_usec, rows[i].interval);
                        else {
                                assert_int_equal(sc->weekdays, rows[i].weekdays);
                                assert_int_equal(sc->n_times, rows[i].n_times);
                                assert_int_equal(sc->times_min[0], rows[i].first);
                                assert_int_equal(sc->times_min[sc->n_times - 1], rows[i].last);
                        }
                }
                config_free(c);
                config_errors_done(&errors);
                tree_remove(&t);
        }
}

static void test_enums(void **state)
{
        for (int i = 0; i < _SOURCE_KIND_MAX; i++)
                assert_int_equal(source_kind_from_string(source_kind_to_string(i)), i);
        for (int i = 0; i < _GOAL_KIND_MAX; i++)
                assert_int_equal(goal_kind_from_string(goal_kind_to_string(i)), i);
        for (int i = 0; i < _GOAL_DIRECTION_MAX; i++)
                assert_int_equal(goal_direction_from_string(goal_direction_to_string(i)), i);
        for (int i = 0; i < _GOAL_AGGREGATE_MAX; i++)
                assert_int_equal(goal_aggregate_from_string(goal_aggregate_to_string(i)), i);
        for (int i = 0; i < _CHANGE_UNIT_MAX; i++)
                assert_int_equal(change_unit_from_string(change_unit_to_string(i)), i);
        for (int i = 0; i < _PROJECTION_METHOD_MAX; i++)
                assert_int_equal(projection_method_from_string(projection_method_to_string(i)), i);
        for (int i = 0; i < _NOTIFIER_KIND_MAX; i++)
                assert_int_equal(notifier_kind_from_string(notifier_kind_to_string(i)), i);
        assert_string_equal(goal_kind_to_string(GOAL_CUMULATIVE), "cumulative");
        assert_int_equal(goal_kind_from_string("Level"), _GOAL_KIND_INVALID);
        assert_int_equal(source_kind_from_string(NULL), _SOURCE_KIND_INVALID);
        assert_null(source_kind_to_string(_SOURCE_KIND_MAX));
        assert_null(notifier_kind_to_string(_NOTIFIER_KIND_INVALID));
}

static void test_secret_read(void **state)
{
        Tree t;
        char file[160];
        char *s = NULL;
        SecretRef ref = {};

        tree_make(&t, "", NULL, NULL);
        snprintf(file, sizeof file, "%s/token", t.dir);
        write_file(file, "abc123\n\n");

        ref.file = file;
        assert_int_equal(secret_read(&ref, &s), 0);
        assert_string_equal(s, "abc123\n"); /* exactly one newline stripped */
        free(s);
        s = NULL;

        write_file(file, "no-newline");
        assert_int_equal(secret_read(&ref, &s), 0);
        assert_string_equal(s, "no-newline");
        free(s);
        s = NULL;

        ref = (SecretRef){.credential = (char *) "token"};
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", t.dir, 1), 0);
        assert_int_equal(secret_read(&ref, &s), 0);
        assert_string_equal(s, "no-newline");
        free(s);
        s = NULL;

        ref.credential = (char *) "../token";
        assert_int_equal(secret_read(&ref, &s), -EINVAL);
        ref.credential = (char *) "missing";
        assert_int_equal(secret_read(&ref, &s), -ENOENT);
        ref.credential = (char *) "token";
        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
        assert_int_equal(secret_read(&ref, &s), -ENXIO);
        ref = (SecretRef){};
        assert_int_equal(secret_read(&ref, &s), -ENOENT);
        assert_null(s);
        tree_remove(&t);
}

/* check suggests (issue 19 §4): the nearest municipality for a misspelt area, the nearest key,
 * value or name for a misspelt one. */
#define SERIES_SELECT(src, table, sel)                                                                      \
        "series:\n  b:\n    source: " src "\n    table: " table "\n    measure: Antal personer\n"              \
        "    select: {" sel "}\n    frequency: month\n"

static void test_suggestions(void **state)
{
        const ErrorCase rows[] = {
                {"municipality misspelt in a Jobindsats area", BASE, SERIES_SELECT("jis", "Y08A02", "area: Balerup"),
                 NULL, WANT("@g1:6:20: 'Balerup' is not a municipality; did you mean 'Ballerup' (151)?")},
                {"written without å in a Statistikbank OMRÅDE", BASE,
                 "series:\n  b:\n    source: dst\n    table: AUK01\n    select: {OMRÅDE: Århus}\n"
                 "    frequency: quarter\n",
                 NULL, WANT("@g1:5:22: 'Århus' is not a municipality; did you mean 'Aarhus' (751)?")},
                {"two letters swapped, Danish letters written out", BASE,
                 SERIES_SELECT("jis", "Y08A02", "område: Hoeje-Tastrup"), NULL,
                 WANT("@g1:6:22: 'Hoeje-Tastrup' is not a municipality; did you mean 'Høje-Taastrup' (169)?")},
                {"the whole country misspelt", BASE, SERIES_SELECT("jis", "Y08A02", "area: Hele landt"), NULL,
                 WANT("@g1:6:20: 'Hele landt' is not an area; did you mean 'Hele landet' (the whole country)?")},
                {"areas that are fine", BASE,
                 "series:\n"
                 "  b1: {source: jis, table: Y08A02, measure: m, select: {area: Hele landet}, frequency: month}\n"
                 "  b2: {source: jis, table: Y08A02, measure: m, select: {area: RAR Sjælland}, frequency: month}\n"
                 "  b3: {source: jis, table: Y08A02, measure: m, select: {area: HØJE-TAASTRUP}, frequency: month}\n"
                 "  b4: {source: dst, table: AUK01, select: {OMRÅDE: \"163\"}, frequency: quarter}\n"
                 "  b5: {source: dst, table: AUK01, select: {OMRÅDE: Helsingør}, frequency: quarter}\n"
                 "  b6: {source: dst, table: AUK01, select: {OMRÅDE: Region Hovedstaden}, frequency: quarter}\n"
                 "  b7: {source: internal, path: x.csv, column: n, select: {area: Balerup}, frequency: month}\n"
                 "  b8: {source: dst, table: AUK01, select: {KØN: Balerup}, frequency: quarter}\n",
                 NULL, WANT(NULL)},
                {"misspelt goal key", BASE, GOAL("    tolerence: 2\n"), NULL, WANT("@g1:7:5: unknown key 'tolerence' in goal 'a' (did you mean 'tolerance'?), allowed keys: id, ...")},
                {"misspelt enum value", BASE, GOAL("    direction: at_mots\n"), NULL,
                 WANT("@g1:7:16: direction: bad value 'at_mots' (did you mean 'at_most'?), expected one of: "
                      "at_least, at_most")},
                {"misspelt recipient", BASE, GOAL("    recipients: [cheff]\n"), NULL,
                 WANT("@g1:7:18: undefined recipient 'cheff' (did you mean 'chef'?)")},
                {"misspelt series in an expression", BASE,
                 "series:\n  twice:\n    expr: 2 * flekz\n    frequency: month\n", NULL,
                 WANT("@g1:3:15: undefined series 'flekz' (did you mean 'fleks'?)")},
                {"misspelt source", "sources:\n  dst:\n    kind: statbank\nseries:\n  x:\n    source: dts\n"
                 "    table: AUK01\n    frequency: month\n", NULL, NULL,
                 WANT("@main:6:13: undefined source 'dts' (did you mean 'dst'?)")},
                /* labourwatch init's placeholders: one line per value, whatever its type */
                {"TO FILL in an address", "recipients:\n  boss:\n    email: TO FILL\n", NULL, NULL,
                 WANT("@main:3:12: email: TO FILL: the value is still to be written in")},
                {"TO FILL in a number, a rank", BASE,
                 "goals:\n  - {id: a, kind: level, series: fleks, period: 2024, target: TO FILL}\n"
                 "  - {id: b, kind: rank, series: fleks, period: 2024, target: TO FILL}\n"
                 "  - {id: c, kind: level, series: fleks, period: 2024, target: 1, tolerance: TO FILL}\n",
                 NULL,
                 WANT("@g1:2:63: target: TO FILL: the value is still to be written in",
                      "@g1:3:62: target: TO FILL: the value is still to be written in",
                      "@g1:4:77: tolerance: TO FILL: the value is still to be written in")},
                {"TO FILL quoted is a text like any other",
                 "recipients:\n  boss:\n    email: b@example.org\n    display_name: \"TO FILL\"\n", NULL, NULL,
                 WANT(NULL)},
                {"misspelt notifier", BASE "routes:\n  - notifiers: [otu]\n", NULL, NULL,
                 WANT("@main:25:17: undefined notifier 'otu' (did you mean 'out'?)")},
                {"a route's goal: an exact id must exist, a pattern need not match", BASE "routes:\n  - notifiers: [out]\n"
                 "    goals: [b, fleksjob-2o24, \"x-*\", \"[ab]\"]\n", GOAL(""),
                 "goals:\n  - {id: fleksjob-2024, kind: level, series: fleks, period: 2024, target: 1}\n",
                 WANT("@main:26:13: undefined goal 'b'",
                      "@main:26:16: undefined goal 'fleksjob-2o24' (did you mean 'fleksjob-2024'?)")},
        };
        run_cases(rows, ELEMENTSOF(rows));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),         cmocka_unit_test(test_errors),
                cmocka_unit_test(test_suggestions),
                cmocka_unit_test(test_inline_secret), cmocka_unit_test(test_missing_main_file),
                cmocka_unit_test(test_full),          cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_sample),        cmocka_unit_test(test_enums),
                cmocka_unit_test(test_secret_read),   cmocka_unit_test(test_values),
                cmocka_unit_test(test_schedules),
                cmocka_unit_test(test_alerting_keys), cmocka_unit_test(test_alerting_key_errors),
                cmocka_unit_test(test_hardening),     cmocka_unit_test(test_goal_defaults_from_the_top),
                cmocka_unit_test(test_derived_chain),
                cmocka_unit_test(test_unreadable_files), cmocka_unit_test(test_display_name_whitespace),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
