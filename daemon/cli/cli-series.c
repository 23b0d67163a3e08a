/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch series [--config PATH] NAME [--json]: a stored series with every revision, straight
 * from the state database (read-only; safe while the daemon runs). An ops tool: '.' decimals; local
 * times with the zone (JSON: UTC). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/store.h"

static void series_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch series [--config PATH] NAME [--json]\n\n"
                "Shows every stored period of the series NAME with its current value, when it was\n"
                "first fetched, where from, and earlier values the publisher has since revised.\n"
                "A derived series (expr:) is computed from its stored inputs, as the goals see it.\n\n"
                "  -c, --config PATH  configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "      --json         print a JSON array instead of a table\n"
                "  -h, --help         show this help\n"
                "\n"
                "Exit status: 0 shown, 1 unknown series or other error, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

static char *format_value(const StoredObservation *o, char buf[static 32])
{
        if (o->missing)
                strcpy(buf, "..");
        else
                snprintf(buf, 32, "%.10g", o->value);
        return buf;
}

/* The rows of one period are o[0..n), in fetch order; the current one is the last (superseded_at
 * 0). */
static void print_period_text(const StoredObservation *o, size_t n)
{
        const StoredObservation *cur = &o[n - 1];
        char p[PERIOD_STRING_MAX], v[32], t[CLI_TIME_MAX];

        printf("%-11s %14s  %-21s  %s%s%s", period_to_string(cur->period, p), format_value(cur, v),
               cli_format_usec(cur->fetched_at, false, t), cur->source, cur->table ? "/" : "",
               strempty(cur->table));
        if (cur->superseded_at != 0)
                printf("  (superseded %s; no current value)", cli_format_usec(cur->superseded_at, false, t));
        if (n > 1) {
                printf("  (revised; was");
                /* Most recent earlier value first: that is what a reader compares with. */
                for (size_t i = n - 1; i-- > 0;)
                        printf("%s %s fetched %s", i == n - 2 ? "" : ",", format_value(&o[i], v),
                               cli_format_usec(o[i].fetched_at, false, t));
                printf(")");
        }
        printf("\n");
}

static json_t *value_json(const StoredObservation *o)
{
        return o->missing ? json_null() : json_real(o->value);
}

static int period_json(const StoredObservation *o, size_t n, json_t *array)
{
        const StoredObservation *cur = &o[n - 1];
        char p[PERIOD_STRING_MAX], t[CLI_TIME_MAX];
        json_t *revs, *item;

        revs = json_array();
        if (!revs)
                return -ENOMEM;
        for (size_t i = 0; i + 1 < n; i++) {
                char t2[CLI_TIME_MAX];
                json_t *r = json_pack("{s:o, s:b, s:s, s:s}", "value", value_json(&o[i]), "missing",
                                      o[i].missing, "fetched_at", cli_format_usec(o[i].fetched_at, true, t),
                                      "superseded_at", cli_format_usec(o[i].superseded_at, true, t2));
                if (!r || json_array_append_new(revs, r) < 0) {
                        json_decref(revs);
                        return -ENOMEM;
                }
        }
        item = json_pack("{s:s, s:o, s:b, s:s, s:s, s:s?, s:s?, s:s?, s:o}", "period",
                         period_to_string(cur->period, p), "value", value_json(cur), "missing", cur->missing,
                         "fetched_at", cli_format_usec(cur->fetched_at, true, t), "source", cur->source,
                         "table", cur->table, "selection", cur->selection, "url", cur->url, "revisions",
                         revs);
        if (!item || json_array_append_new(array, item) < 0)
                return -ENOMEM;
        return 0;
}

static int load_stored(void *userdata, const char *name, Series **ret, char **ret_error)
{
        return store_load_series(userdata, name, ret, ret_error);
}

/* A derived series is never stored: compute it from its inputs, as the goal engine does. */
static int show_derived(Store *st, const Config *c, const SeriesDef *def, bool json)
{
        _cleanup_free_ char *err = NULL;
        SeriesSet *set = NULL;
        const Series *s;
        int r;

        r = evaluate_build_one(c, def->name, load_stored, st, &set, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch series: %s\n", err ? err : strerror(-r));
                return 1;
        }
        s = series_set_find(set, def->name);
        if (json) {
                json_t *array = json_array();
                char *dump = NULL;

                for (size_t i = 0; array && s && i < s->n_points; i++) {
                        char p[PERIOD_STRING_MAX];
                        const SeriesPoint *pt = &s->points[i];
                        if (json_array_append_new(array, json_pack("{s:s, s:o, s:b, s:s}", "period",
                                                                   period_to_string(pt->period, p), "value",
                                                                   pt->missing ? json_null() : json_real(pt->value),
                                                                   "missing", pt->missing, "expr", def->expr)) < 0)
                                break;
                }
                dump = array ? json_dumps(array, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
                json_decref(array);
                series_set_free(set);
                if (!dump) {
                        fprintf(stderr, "labourwatch series: out of memory\n");
                        return 1;
                }
                printf("%s\n", dump);
                free(dump);
                return 0;
        }
        printf("%s is derived: %s, computed from the stored inputs\n", def->name, def->expr);
        if (!s || s->n_points == 0)
                printf("no values: its inputs have no common periods stored\n");
        else {
                printf("%-11s %14s\n", "PERIOD", "VALUE");
                for (size_t i = 0; i < s->n_points; i++) {
                        char p[PERIOD_STRING_MAX];
                        if (s->points[i].missing)
                                printf("%-11s %14s\n", period_to_string(s->points[i].period, p), "..");
                        else
                                printf("%-11s %14.10g\n", period_to_string(s->points[i].period, p), s->points[i].value);
                }
                printf("%s: %zu period%s\n", def->name, s->n_points, s->n_points == 1 ? "" : "s");
        }
        series_set_free(set);
        return 0;
}

int cli_series(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *config_path = cli_default_config_path(), *name;
        bool json = false;
        Config *c = NULL;
        Store *st = NULL;
        StoredObservation *o = NULL;
        size_t n = 0;
        _cleanup_free_ char *err = NULL;
        int opt, r, ret = 1;

        /* GNU getopt permutes: NAME may stand before or after the options. */
        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        series_help(stdout);
                        return 0;
                default:
                        cli_option_error("series", options, argc, argv);
                        cli_usage_hint("series");
                        return 2;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "labourwatch series: expected exactly one series NAME\n");
                cli_usage_hint("series");
                return 2;
        }
        name = argv[optind];

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        const SeriesDef *def = config_find_series(c, name);
        if (!def) {
                fprintf(stderr, "labourwatch series: no series '%s' in %s\n", name, config_path);
                goto finish;
        }

        r = store_open_readonly(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch series: %s\n", err ? err : strerror(-r));
                goto finish;
        }
        if (def->expr) {
                ret = show_derived(st, c, def, json);
                goto finish;
        }
        r = store_series_history(st, name, &o, &n, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch series: %s\n", err ? err : strerror(-r));
                goto finish;
        }

        if (json) {
                json_t *array = json_array();
                char *dump;

                if (!array)
                        goto oom;
                for (size_t i = 0, j; i < n; i = j) {
                        for (j = i + 1; j < n && period_equal(o[j].period, o[i].period); j++)
                                ;
                        if (period_json(o + i, j - i, array) < 0) {
                                json_decref(array);
                                goto oom;
                        }
                }
                dump = json_dumps(array, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
                json_decref(array);
                if (!dump)
                        goto oom;
                printf("%s\n", dump);
                free(dump);
                ret = 0;
                goto finish;
        }

        if (n == 0) {
                printf("no observations stored for %s\n", name);
                ret = 0;
                goto finish;
        }
        printf("%-11s %14s  %-21s  %s\n", "PERIOD", "VALUE", "FETCHED", "SOURCE");
        size_t n_periods = 0, n_revised = 0;
        for (size_t i = 0, j; i < n; i = j) {
                for (j = i + 1; j < n && period_equal(o[j].period, o[i].period); j++)
                        ;
                print_period_text(o + i, j - i);
                n_periods++;
                n_revised += j - i > 1;
        }
        printf("%s: %zu periods, %zu revised\n", name, n_periods, n_revised);
        ret = 0;
        goto finish;

oom:
        fprintf(stderr, "labourwatch series: out of memory\n");
finish:
        store_observations_free(o, n);
        store_close(st);
        config_free(c);
        return ret;
}
