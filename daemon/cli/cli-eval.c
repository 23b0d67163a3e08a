/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch eval [--config PATH] [--date YYYY-MM-DD] [--json] [--record]: evaluates every goal
 * from the stored data, as the daemon would. Read-only unless --record. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/format.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/text.h"

static void eval_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch eval [--config PATH] [--date YYYY-MM-DD] [--json] [--record]\n\n"
                "Evaluates every goal from the stored data at the given date (default: today): status,\n"
                "latest period, current value, projection, target and gap, and why.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -d, --date DATE    evaluation date (only data for periods ended before it are used)\n"
                "      --json         print a JSON array of results instead of a table\n"
                "      --record       store the evaluations with their inputs (audit trail)\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 evaluated, 1 the configuration or the store could not be used, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

/* Display width in characters (UTF-8), not bytes: the table has Danish letters, dashes and "−". */
static int width_of(const char *s)
{
        int n = 0;

        for (const char *p = s; *p; p++)
                n += ((unsigned char) *p & 0xc0) != 0x80;
        return n;
}

/* Copies s into buf, cut to at most max characters with "…" when longer. */
static const char *fit(const char *s, int max, char *buf, size_t size)
{
        int n = 0;
        size_t i = 0, o = 0;

        if (width_of(s) <= max)
                return s;
        for (; s[i] && o + 8 < size; i++) {
                if (((unsigned char) s[i] & 0xc0) != 0x80 && ++n > max - 1)
                        break;
                buf[o++] = s[i];
        }
        memcpy(buf + o, "…", sizeof("…"));
        return buf;
}

/* printf's field widths count bytes; pad by characters. The last column is not padded. */
static void cell(const char *s, int width, bool right, bool last)
{
        int n = width_of(s);

        if (right)
                printf("%*s%s", MAX(0, width - n), "", s);
        else if (last)
                printf("%s", s);
        else
                printf("%s%*s", s, MAX(0, width - n), "");
        printf(last ? "\n" : "  ");
}

/* Text is wrapped for a terminal: at its width (at most 100 columns, so lines stay readable), or at
 * $COLUMNS; into a pipe, one line per explanation unless $COLUMNS is set. 0: no wrapping. */
static int wrap_width(void)
{
        const char *e = getenv("COLUMNS");
        struct winsize ws;
        unsigned long long w;

        if (e && safe_atou64(e, &w) >= 0 && w > 0)
                return (int) MIN(w, 100ull);
        if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) >= 0 && ws.ws_col > 0)
                return MIN((int) ws.ws_col, 100);
        return 0;
}

/* Prints s wrapped at width characters (0: as it is), breaking at spaces. */
static void print_wrapped(const char *s, int width)
{
        const char *line = s;

        if (width <= 0) {
                printf("%s\n", s);
                return;
        }
        while (*line) {
                const char *p = line, *brk = NULL;
                int n = 0;
                for (; *p && n < width; p++) {
                        /* never between a number and its "%" */
                        if (*p == ' ' && p[1] != '%')
                                brk = p;
                        n += ((unsigned char) *p & 0xc0) != 0x80;
                }
                if (!*p || !brk || brk == line) {
                        /* the rest fits, or one word longer than the line */
                        const char *end = *p ? strchrnul(p, ' ') : p;
                        if (!*p) {
                                printf("%s\n", line);
                                return;
                        }
                        printf("%.*s\n", (int) (end - line), line);
                        line = *end ? end + 1 : end;
                        continue;
                }
                printf("%.*s\n", (int) (brk - line), line);
                line = brk + 1;
        }
}

#define TITLE_MAX 60

static void print_table(const Config *c, const GoalResult *r, size_t n, Language l)
{
        bool en = l == LANGUAGE_EN;
        const char *lang = en ? "en" : "da";
        int w[8] = { width_of(en ? "GOAL" : "MÅL"), 6, width_of(en ? "LATEST" : "SENEST"), width_of(en ? "VALUE" : "VÆRDI"),
                     width_of(en ? "EXPECTED" : "FORVENTET"), width_of(en ? "TARGET" : "MÅLTAL"),
                     width_of(en ? "GAP" : "FORSKEL"), 0 };
        char (*cells)[7][160] = NULL;
        int ww = wrap_width();

        /* the cells first, so the columns fit them */
        cells = calloc(MAX(n, (size_t) 1), sizeof(*cells));
        if (!cells) {
                fprintf(stderr, "labourwatch eval: %s\n", strerror(ENOMEM));
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const GoalDef *g = &c->goals[i];
                const char *title = text_title(g, lang);
                char t[160];
                bool rank = g->kind == GOAL_RANK;
                bool sign = g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE;

                snprintf(cells[i][0], sizeof(cells[i][0]), "%s", fit(title ?: r[i].id, TITLE_MAX, t, sizeof(t)));
                snprintf(cells[i][1], sizeof(cells[i][1]), "%s", text_status_label(r[i].status, lang));
                if (r[i].has_latest)
                        format_period_short(r[i].latest, l, cells[i][2], sizeof(cells[i][2]));
                else
                        snprintf(cells[i][2], sizeof(cells[i][2]), "–");
                if (r[i].has_value)
                        format_minus((sign ? format_signed : format_number)(r[i].value, rank ? 0 : 1, l, cells[i][3],
                                                                              sizeof(cells[i][3])), sizeof(cells[i][3]));
                else
                        snprintf(cells[i][3], sizeof(cells[i][3]), "–");
                if (r[i].has_projected)
                        format_minus((sign ? format_signed : format_number)(r[i].projected, rank ? 0 : 1, l, cells[i][4],
                                                                              sizeof(cells[i][4])), sizeof(cells[i][4]));
                else
                        snprintf(cells[i][4], sizeof(cells[i][4]), "–");
                text_target(g, &r[i], lang, cells[i][5], sizeof(cells[i][5]));
                if (r[i].has_gap)
                        text_gap(g, &r[i], r[i].projected, 1, lang, cells[i][6], sizeof(cells[i][6]));
                else
                        snprintf(cells[i][6], sizeof(cells[i][6]), "–");
                for (int k = 0; k < 7; k++)
                        w[k] = MAX(w[k], width_of(cells[i][k]));
        }

        cell(en ? "GOAL" : "MÅL", w[0], false, false);
        cell("STATUS", w[1], false, false);
        cell(en ? "LATEST" : "SENEST", w[2], false, false);
        cell(en ? "VALUE" : "VÆRDI", w[3], true, false);
        cell(en ? "EXPECTED" : "FORVENTET", w[4], true, false);
        cell(en ? "TARGET" : "MÅLTAL", w[5], false, false);
        cell(en ? "GAP" : "FORSKEL", w[6], false, false);
        cell(en ? "UNIT" : "ENHED", 0, false, true);
        for (size_t i = 0; i < n; i++) {
                for (int k = 0; k < 7; k++)
                        cell(cells[i][k], w[k], k == 3 || k == 4, false);
                cell(en ? r[i].unit_en : r[i].unit_da, 0, false, true);
        }
        free(cells);

        for (size_t i = 0; i < n; i++) {
                const GoalDef *g = &c->goals[i];
                const char *text = en ? r[i].explanation_en : r[i].explanation_da;
                _cleanup_free_ char *s = NULL;

                printf("\n");
                /* without a title the sentence does not name the goal: the id does, once */
                if (!text_title(g, lang))
                        s = strdup_printf("%s: %s", r[i].id, text);
                print_wrapped(s ?: text, ww);
                char chance[256];
                if (*text_chance(g, &r[i], lang, chance, sizeof chance))
                        print_wrapped(chance, ww); /* issue 17 §3 */
        }
}

static int print_json(const GoalResult *r, size_t n)
{
        json_auto_t *a = json_array();
        _cleanup_free_ char *s = NULL;

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(a, goal_result_to_json(&r[i])) < 0)
                        return -ENOMEM;
        s = json_dumps(a, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (!s)
                return -ENOMEM;
        printf("%s\n", s);
        return 0;
}

int cli_eval(int argc, char **argv)
{
        enum { ARG_JSON = 0x100, ARG_RECORD };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "date", required_argument, NULL, 'd' },
                { "json", no_argument, NULL, ARG_JSON },
                { "record", no_argument, NULL, ARG_RECORD },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        const char *config_path = cli_default_config_path();
        bool json = false, record = false, have_date = false;
        GoalResult *results = NULL;
        size_t n = 0;
        Date date;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:d:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'd':
                        if (date_parse(optarg, &date) < 0) {
                                fprintf(stderr, "labourwatch eval: --date: '%s' is not a date (YYYY-MM-DD)\n", optarg);
                                cli_usage_hint("eval");
                                return 2;
                        }
                        have_date = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_RECORD:
                        record = true;
                        break;
                case 'h':
                        eval_help(stdout);
                        return 0;
                default:
                        cli_option_error("eval", options, argc, argv);
                        cli_usage_hint("eval");
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch eval: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("eval");
                return 2;
        }
        if (!have_date) {
                /* The CLI may read the clock; the engine is handed the date. Local calendar date. */
                time_t now = time(NULL);
                struct tm tm;
                localtime_r(&now, &tm);
                date = (Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;

        if (c->n_goals == 0) {
                printf("No goals configured (goals: in %s, or goals.d/ beside it).\n", config_path);
                return 0;
        }
        r = record ? store_open(c->state_dir, &st, &err) : store_open_readonly(c->state_dir, &st, &err);
        if (r == -ENOENT && !record && access(c->state_dir, F_OK) >= 0) {
                /* No database yet: every goal is honestly no_data. (A state directory that does not
                 * exist is an error, as for status: most likely a wrong state_dir.) */
                fprintf(stderr, "labourwatch eval: %s; evaluating without data\n", err ? err : strerror(-r));
                st = NULL;
        } else if (r < 0) {
                fprintf(stderr, "labourwatch eval: %s\n", err ? err : strerror(-r));
                return 1;
        }
        free(TAKE_PTR(err));

        r = evaluate_all(st, c, date, now(CLOCK_REALTIME), record, &results, &n, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch eval: %s\n", err ? err : strerror(-r));
                return 1;
        }
        if (json)
                r = print_json(results, n);
        else
                print_table(c, results, n, language_from_string(c->language) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA);
        goal_results_free(results, n);
        if (r < 0) {
                fprintf(stderr, "labourwatch eval: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
