/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch eval [--config PATH] [--date YYYY-MM-DD] [--json] [--record]: evaluates every goal
 * from the stored data, as the daemon would. Read-only unless --record. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/format.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"

static void eval_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch eval [--config PATH] [--date YYYY-MM-DD] [--json] [--record]\n\n"
                "Evaluates every goal from the stored data at the given date (default: today): status,\n"
                "latest period, current value, projection, target and gap, and why.\n\n"
                "  -c, --config PATH  configuration file (default %s)\n"
                "  -d, --date DATE    evaluation date (only data for periods ended before it are used)\n"
                "      --json         print a JSON array of results instead of a table\n"
                "      --record       store the evaluations with their inputs (audit trail)\n"
                "  -h, --help         show this help\n",
                cli_default_config_path());
}

static const char *number(bool has, double v, Language l, char *buf, size_t size)
{
        if (!has)
                return "–";
        return format_value(v, l, buf, size);
}

/* printf's field widths count bytes; the table has Danish letters and dashes, so pad by characters. */
static void cell(const char *s, int width, bool right)
{
        int n = 0;

        for (const char *p = s; *p; p++)
                n += ((unsigned char) *p & 0xc0) != 0x80;
        if (right)
                printf("%*s%s  ", MAX(0, width - n), "", s);
        else
                printf("%s%*s  ", s, MAX(0, width - n), "");
}

static void print_table(const GoalResult *r, size_t n, Language l)
{
        bool en = l == LANGUAGE_EN;
        int w = 4;

        for (size_t i = 0; i < n; i++)
                w = MAX(w, (int) strlen(r[i].id));
        cell(en ? "GOAL" : "MÅL", w, false);
        cell("STATUS", 17, false);
        cell(en ? "PERIOD" : "PERIODE", 10, false);
        cell(en ? "VALUE" : "VÆRDI", 10, true);
        cell(en ? "PROJECTED" : "FREMSKREVET", 11, true);
        cell(en ? "TARGET" : "MÅLTAL", 9, true);
        cell(en ? "GAP" : "AFVIGELSE", 9, true);
        printf("\n");
        for (size_t i = 0; i < n; i++) {
                char p[PERIOD_STRING_MAX], v[FORMAT_NUMBER_MAX];
                cell(r[i].id, w, false);
                cell(goal_status_to_string(r[i].status), 17, false);
                cell(r[i].has_latest ? period_to_string(r[i].latest, p) : "–", 10, false);
                cell(number(r[i].has_value, r[i].value, l, v, sizeof(v)), 10, true);
                cell(number(r[i].has_projected, r[i].projected, l, v, sizeof(v)), 11, true);
                cell(number(true, r[i].target, l, v, sizeof(v)), 9, true);
                cell(r[i].has_gap ? format_value_signed(r[i].gap, l, v, sizeof(v)) : "–", 9, true);
                printf("\n");
        }
        printf("\n");
        for (size_t i = 0; i < n; i++)
                printf("%s: %s\n", r[i].id, en ? r[i].explanation_en : r[i].explanation_da);
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

static inline void config_freep_(Config **c)
{
        config_free(*c);
}

static inline void store_closep_(Store **s)
{
        store_close(*s);
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
        _cleanup_(config_freep_) Config *c = NULL;
        _cleanup_(store_closep_) Store *st = NULL;
        _cleanup_free_ char *err = NULL;
        const char *config_path = cli_default_config_path();
        bool json = false, record = false, have_date = false;
        GoalResult *results = NULL;
        size_t n = 0;
        Date date;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "c:d:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'd':
                        if (date_parse(optarg, &date) < 0) {
                                fprintf(stderr, "labourwatch eval: --date: '%s' is not a date (YYYY-MM-DD)\n", optarg);
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
                        eval_help(stderr);
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch eval: unexpected argument '%s'\n", argv[optind]);
                eval_help(stderr);
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

        r = record ? store_open(c->state_dir, &st, &err) : store_open_readonly(c->state_dir, &st, &err);
        if (r == -ENOENT && !record) {
                /* No database yet: every goal is honestly no_data. */
                fprintf(stderr, "labourwatch eval: no database in %s yet, evaluating without data\n", c->state_dir);
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
                print_table(results, n, language_from_string(c->language) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA);
        goal_results_free(results, n);
        if (r < 0) {
                fprintf(stderr, "labourwatch eval: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
