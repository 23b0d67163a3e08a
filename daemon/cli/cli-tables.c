/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch tables SOURCE [WORD…] and labourwatch describe SOURCE TABLE [--area NAME|CODE]
 * (issue 19 §1, §2): what a configured source offers, from the provider's own metadata endpoints
 * (cli-catalog.c), and a ready-to-paste series: block for one table and area. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli-catalog.h"
#include "cli.h"
#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"
#include "labourwatch/period.h"
#include "labourwatch/scrub.h"
#include "labourwatch/suggest.h"

static void tables_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch tables [--config PATH] [--refresh] [--json] [--credentials-dir DIR]\n"
                "                          SOURCE [WORD…]\n"
                "\n"
                "Lists the tables a configured source offers, from the provider's own table list:\n"
                "Statistikbank's /v1/tables, Jobindsats' /v3/tables, a PxWeb database's folder (base_url);\n"
                "for a CSV or JSON-stat source, each file its series read: the CSV header's columns or the\n"
                "JSON-stat dimensions, and the periods the series get from it.\n"
                "Each line: id, title, and where the provider gives them unit, period range and last\n"
                "update. With WORDs only the tables whose id or title contains every word (case,\n"
                "æ/ø/å and separators ignored: 'ledige', 'Fleksjob', 'AUK').\n"
                "\n"
                "A provider's listing is kept in STATE_DIR/catalog/ and reused for a day (a source's\n"
                "own CSV/JSON-stat files are read afresh).\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -r, --refresh       ask the provider again even if the kept listing is younger than a day\n"
                "      --json          a JSON object: source, fetched, cached, count, tables [{id, title,\n"
                "                      type, unit, first_period, last_period, updated}] (null where not given)\n"
                "      --credentials-dir DIR\n"
                "                      read token_credential: secrets from DIR\n"
                "  -h, --help          show this help\n"
                "\n"
                "An unknown source is a usage error.\n"
                "\n"
                "Exit status: 0 listed (also when no table matches), 1 the provider failed, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

static void describe_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch describe [--config PATH] [--area NAME|CODE] [--json]\n"
                "                            [--credentials-dir DIR] SOURCE TABLE\n"
                "\n"
                "Shows a table's variables (dimensions) with their codes and labels, its measures,\n"
                "periods and unit, from the provider's table metadata, and a series: block for one area\n"
                "that `labourwatch check` accepts as written when pasted into the configuration.\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -a, --area NAME|CODE\n"
                "                      the municipality of the series block ('Ballerup' or 151; 'Hele landet'\n"
                "                      or 000 for the whole country); default: the table's first area\n"
                "      --json          a JSON object: source, id, title, unit, updated, frequency, periods,\n"
                "                      first_period, last_period, variables, measures, series_yaml\n"
                "      --credentials-dir DIR\n"
                "                      read token_credential: secrets from DIR\n"
                "  -h, --help          show this help\n"
                "\n"
                "An unknown source or municipality is a usage error.\n"
                "\n"
                "Exit status: 0 described, 1 the provider failed or the table lacks the area, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

/* The source by name; else one line naming the configuration's sources and exit status 2. */
static const SourceDef *find_source(const Config *c, const char *cmd, const char *path, const char *name)
{
        ssize_t k;

        for (size_t i = 0; i < c->n_sources; i++)
                if (streq(c->sources[i].name, name))
                        return &c->sources[i];
        k = c->n_sources ? suggest_index(name, &c->sources[0].name, c->n_sources, sizeof(SourceDef),
                                         suggest_max_distance(name))
                         : -ENOENT;
        if (k >= 0)
                fprintf(stderr, "labourwatch %s: no source '%s' in %s; did you mean '%s'?\n", cmd, name, path,
                        c->sources[k].name);
        else
                fprintf(stderr, "labourwatch %s: no source '%s' in %s\n", cmd, name, path);
        return NULL;
}

static int set_credentials_dir(const char *cmd, const char *dir)
{
        if (setenv("CREDENTIALS_DIRECTORY", dir, 1) < 0) {
                fprintf(stderr, "labourwatch %s: %s\n", cmd, strerror(errno));
                return -errno;
        }
        return 0;
}

/* Prints root and drops the caller's reference to it. */
static int print_json(json_t *root)
{
        _cleanup_(json_decrefp) json_t *owned = root;
        _cleanup_free_ char *dump = owned ? json_dumps(owned, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

        if (!dump) {
                fprintf(stderr, "labourwatch: out of memory\n");
                return 1;
        }
        printf("%s\n", dump);
        return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

/* s padded to width characters (UTF-8 code points, not bytes: "FØP" is three wide). */
static void print_padded(const char *s, size_t width)
{
        size_t n = 0;

        for (const char *p = s; *p; p++)
                n += ((unsigned char) *p & 0xc0) != 0x80;
        printf("%s%*s", s, n < width ? (int) (width - n) : 1, "");
}

static void print_table_line(const json_t *t)
{
        const char *unit = jstr(t, "unit"), *first = jstr(t, "first_period"), *last = jstr(t, "last_period"),
                   *updated = jstr(t, "updated");
        bool level = streq(strempty(jstr(t, "type")), "level");
        const json_t *x;
        size_t i;

        print_padded(strempty(jstr(t, "id")), 13);
        printf("%s%s\n", level ? "[folder] " : "", strempty(jstr(t, "title")));
        if (unit || first || last || updated) {
                printf("%-12s", "");
                if (unit)
                        printf(" unit: %s", unit);
                if (first || last)
                        printf("%s periods: %s–%s", unit ? ";" : "", strempty(first), strempty(last));
                if (updated)
                        printf("%s updated: %s", unit || first || last ? ";" : "", updated);
                printf("\n");
        }
        if (json_is_array(json_object_get(t, "columns"))) {
                printf("%-12s columns:", "");
                json_array_foreach(json_object_get(t, "columns"), i, x)
                        printf("%s %s", i ? ";" : "", strempty(json_string_value(x)));
                printf("\n");
        }
        if (json_is_array(json_object_get(t, "dimensions"))) {
                printf("%-12s dimensions:", "");
                json_array_foreach(json_object_get(t, "dimensions"), i, x)
                        printf("%s %s (%s, %lld)", i ? ";" : "", strempty(jstr(x, "id")), strempty(jstr(x, "label")),
                               (long long) json_integer_value(json_object_get(x, "size")));
                printf("\n");
        }
        json_array_foreach(json_object_get(t, "notes"), i, x)
                printf("%-12s note: %s\n", "", strempty(json_string_value(x)));
}

static int tables_main(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},  {"refresh", no_argument, NULL, 'r'},
                {"json", no_argument, NULL, 'j'},          {"credentials-dir", required_argument, NULL, 'C'},
                {"help", no_argument, NULL, 'h'},          {},
        };
        const char *path = cli_default_config_path();
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(json_decrefp) json_t *tables = NULL, *matched = json_array();
        _cleanup_free_ char *err = NULL, *warning = NULL, *scrub = NULL;
        const SourceDef *src;
        bool refresh = false, as_json = false, cached = false;
        long long fetched = 0;
        char when[CLI_TIME_MAX];
        json_t *t;
        size_t i;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:rjh", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'r':
                        refresh = true;
                        break;
                case 'j':
                        as_json = true;
                        break;
                case 'C':
                        if (set_credentials_dir("tables", optarg) < 0)
                                return 1;
                        break;
                case 'h':
                        tables_help(stdout);
                        return 0;
                default:
                        cli_option_error("tables", options, argc, argv);
                        cli_usage_hint("tables");
                        return 2;
                }
        if (optind >= argc) {
                fprintf(stderr, "labourwatch tables: no source given\n");
                cli_usage_hint("tables");
                return 2;
        }
        if (!matched)
                return 1;
        if (cli_load_config(path, &c) < 0)
                return 1;
        src = find_source(c, "tables", path, argv[optind]);
        if (!src)
                return 2;

        r = catalog_tables(c, src, refresh, &tables, &fetched, &cached, &warning, &err);
        if (r < 0) {
                /* a server may echo the token (a gateway's 401 page) */
                fprintf(stderr, "labourwatch tables: %s\n", err ? scrubbed(err, &scrub) : strerror(-r));
                return r == -ENOTSUP ? 2 : 1;
        }
        if (warning)
                fprintf(stderr, "labourwatch tables: %s\n", warning);

        json_array_foreach(tables, i, t)
                if (catalog_match(jstr(t, "id"), jstr(t, "title"), argv + optind + 1, argc - optind - 1) &&
                    json_array_append(matched, t) < 0)
                        return 1;
        (void) cli_format_usec(fetched * (long long) USEC_PER_SEC, as_json, when);
        if (as_json)
                return print_json(json_pack("{s:s, s:s, s:b, s:I, s:O}", "source", src->name, "fetched", when,
                                            "cached", cached, "count", (json_int_t) json_array_size(matched),
                                            "tables", matched));
        json_array_foreach(matched, i, t)
                print_table_line(t);
        printf("%zu of %zu tables of %s (listing fetched %s%s).\n", json_array_size(matched),
               json_array_size(tables), src->name, when, cached ? ", kept for a day; --refresh asks again" : "");
        return 0;
}

int cli_tables(int argc, char **argv)
{
        int r = tables_main(argc, argv);

        fetch_global_done();
        return r;
}

/* ---- describe ---- */

static const json_t *find_area_var(const json_t *vars)
{
        const json_t *v;
        size_t i;

        json_array_foreach(vars, i, v)
                if (json_is_true(json_object_get(v, "area")))
                        return v;
        return NULL;
}

/* The value of var that is area m (by code "151" or name), or "Hele landet" for NULL m. */
static const json_t *find_area_value(const json_t *var, const Municipality *m)
{
        char code[8];
        const json_t *x;
        size_t i;

        (void) snprintf(code, sizeof code, "%03u", m ? m->code : 0);
        json_array_foreach(json_object_get(var, "values"), i, x)
                if (streq(strempty(jstr(x, "id")), code) ||
                    (m ? suggest_same(strempty(jstr(x, "text")), m->name)
                       : suggest_same(strempty(jstr(x, "text")), "Hele landet")))
                        return x;
        return NULL;
}

/* A PxWeb area: any value of any non-time variable whose code or text is the word. */
static const json_t *find_value_anywhere(const json_t *vars, const char *word, const json_t **ret_var)
{
        const json_t *v, *x;
        size_t i, k;

        json_array_foreach(vars, i, v) {
                if (json_is_true(json_object_get(v, "time")) || streq(strempty(jstr(v, "id")), "ContentsCode"))
                        continue;
                json_array_foreach(json_object_get(v, "values"), k, x)
                        if (streq(strempty(jstr(x, "id")), word) || suggest_same(strempty(jstr(x, "text")), word)) {
                                *ret_var = v;
                                return x;
                        }
        }
        return NULL;
}

/* The table's frequency (month before quarter before qmat, half, year: the finest one offered)
 * and its first and last period of that frequency, written as the provider writes them. */
static PeriodFreq periods_range(const json_t *periods, const char **ret_first, const char **ret_last,
                                size_t *ret_n)
{
        static const PeriodFreq order[] = { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_QMAT, PERIOD_HALF, PERIOD_YEAR };
        const json_t *p;
        size_t i;

        for (size_t o = 0; o < ELEMENTSOF(order); o++) {
                Period lo = {}, hi = {};
                size_t n = 0;
                json_array_foreach(periods, i, p) {
                        Period x;
                        if (period_parse(strempty(json_string_value(p)), &x) < 0 || x.freq != order[o])
                                continue;
                        if (n == 0 || x.year * 100 + x.sub < lo.year * 100 + lo.sub) {
                                lo = x;
                                *ret_first = json_string_value(p);
                        }
                        if (n == 0 || x.year * 100 + x.sub > hi.year * 100 + hi.sub) {
                                hi = x;
                                *ret_last = json_string_value(p);
                        }
                        n++;
                }
                if (n > 0) {
                        *ret_n = n;
                        return order[o];
                }
        }
        *ret_n = 0;
        return _PERIOD_FREQ_INVALID;
}

/* A YAML double-quoted scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
        fputc('"', f);
        for (; *s; s++)
                if (*s == '"' || *s == '\\')
                        fprintf(f, "\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        fprintf(f, "\\x%02x", (unsigned char) *s);
                else
                        fputc(*s, f);
        fputc('"', f);
}

/* A series name: the table id and the area, lower case, æ/ø/å spelt out, '_' between words. */
static void series_name(FILE *f, const char *table, const char *area)
{
        char buf[SUGGEST_WORD_MAX * 2];

        for (const char *part = table; part; part = part == table ? area : NULL) {
                if (part != table)
                        fputc('_', f);
                (void) suggest_fold(part, buf, sizeof buf);
                for (char *p = buf; *p; p++)
                        fputc((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_', f);
        }
}

typedef struct Block {
        const char *source, *table, *measure, *frequency;
        const json_t *area_var, *area_value;
} Block;

/* The series: block. Statistikbank and PxWeb: every variable but time (and PxWeb's ContentsCode,
 * the measure:) gets its first value, which is where DST puts the total ("Fuldtidsmodtagere i
 * alt"), so the block names each choice the analyst may want to change. Jobindsats: the area
 * only; "dimensions the selection leaves open are asked for at the top of their first hierarchy"
 * (source-jobindsats.c). Values are written as their texts, which the sources resolve through the
 * same metadata. */
static char *series_block(const json_t *d, const SourceDef *src, const Block *b)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0, i;
        const json_t *v;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return NULL;
        fprintf(f, "series:\n  ");
        series_name(f, b->table, b->area_value ? strempty(jstr(b->area_value, "text")) : "");
        fprintf(f, ":\n    source: %s\n    table: ", b->source);
        yaml_quoted(f, b->table);
        fputc('\n', f);
        if (b->measure) {
                fprintf(f, "    measure: ");
                yaml_quoted(f, b->measure);
                fputc('\n', f);
        }
        fprintf(f, "    select:\n");
        if (b->area_var && b->area_value) {
                /* Jobindsats series say area: as the examples do; source-jobindsats.c takes it for
                 * _omrade */
                fprintf(f, "      %s: ", src->kind == SOURCE_JOBINDSATS ? "area" : jstr(b->area_var, "id"));
                yaml_quoted(f, strempty(jstr(b->area_value, "text")));
                fprintf(f, "  # %s\n", strempty(jstr(b->area_value, "id")));
        }
        json_array_foreach(json_object_get(d, "variables"), i, v) {
                const json_t *first = json_array_get(json_object_get(v, "values"), 0);
                if (v == b->area_var || json_is_true(json_object_get(v, "time")) || !first ||
                    src->kind == SOURCE_JOBINDSATS ||
                    (src->kind == SOURCE_PXWEB && streq(strempty(jstr(v, "id")), "ContentsCode")))
                        continue;
                fprintf(f, "      %s: ", jstr(v, "id"));
                yaml_quoted(f, strempty(jstr(first, "text")));
                fprintf(f, "  # %s (the first value; the others are listed above)\n", strempty(jstr(first, "id")));
        }
        fprintf(f, "    frequency: %s\n", b->frequency);
        if (fclose(f) != 0)
                return NULL;
        /* "select:" with nothing under it is not a mapping: drop the empty key */
        if (strstr(text, "    select:\n    frequency:")) {
                char *s = strstr(text, "    select:\n");
                memmove(s, s + strlen("    select:\n"), strlen(s + strlen("    select:\n")) + 1);
        }
        return TAKE_PTR(text);
}

static void print_values(const json_t *values, size_t max)
{
        const json_t *x;
        size_t i;

        json_array_foreach(values, i, x) {
                if (i == max) {
                        printf("    … %zu values in all (--json lists every one)\n", json_array_size(values));
                        break;
                }
                printf("    ");
                print_padded(strempty(jstr(x, "id")), 15);
                printf("%s\n", strempty(jstr(x, "text")));
        }
}

static void print_description(const json_t *d, const char *first, const char *last, size_t n_periods,
                              const char *freq, const char *yaml)
{
        const json_t *v;
        size_t i;

        printf("%s  %s\n", strempty(jstr(d, "id")), strempty(jstr(d, "title")));
        if (jstr(d, "unit"))
                printf("Unit: %s\n", jstr(d, "unit"));
        if (jstr(d, "updated"))
                printf("Updated: %s\n", jstr(d, "updated"));
        if (first)
                printf("Periods: %s–%s (%zu, %s)\n", first, last, n_periods, freq);
        json_array_foreach(json_object_get(d, "variables"), i, v) {
                if (json_is_true(json_object_get(v, "time")))
                        continue;
                printf("\n%s (%s)%s:\n", strempty(jstr(v, "id")), strempty(jstr(v, "text")),
                       json_is_true(json_object_get(v, "elimination")) ? ", may be left out" : "");
                print_values(json_object_get(v, "values"), json_is_true(json_object_get(v, "area")) ? 12 : 40);
        }
        if (json_array_size(json_object_get(d, "measures")) > 0) {
                printf("\nMeasures (measure:):\n");
                print_values(json_object_get(d, "measures"), 40);
        }
        printf("\n%s", yaml);
}

typedef struct DescribeArgs {
        const char *path, *area;
        bool as_json;
} DescribeArgs;

static int describe_run(const Config *c, const DescribeArgs *a, const char *source, const char *table)
{
        _cleanup_(json_decrefp) json_t *d = NULL;
        _cleanup_free_ char *err = NULL, *yaml = NULL, *scrub = NULL;
        const Municipality *m = NULL;
        const SourceDef *src;
        const char *first = NULL, *last = NULL;
        const json_t *vars, *measure;
        Block b = { .source = source, .table = table };
        PeriodFreq freq;
        size_t n_periods;
        int r;

        src = find_source(c, "describe", a->path, source);
        if (!src)
                return 2;
        if (a->area && src->kind != SOURCE_PXWEB) {
                m = municipality_lookup(a->area);
                if (!m && !suggest_same(a->area, "Hele landet") && !streq(a->area, "000")) {
                        const Municipality *near = municipality_nearest(a->area);
                        fprintf(stderr, "labourwatch describe: '%s' is not a municipality%s%s%s\n", a->area,
                                near ? "; did you mean '" : "", near ? near->name : "", near ? "'?" : "");
                        return 2;
                }
        }
        r = catalog_describe(src, table, &d, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch describe: %s\n", err ? scrubbed(err, &scrub) : strerror(-r));
                return r == -ENOTSUP ? 2 : 1;
        }
        vars = json_object_get(d, "variables");
        if (src->kind == SOURCE_PXWEB) {
                if (a->area && !(b.area_value = find_value_anywhere(vars, a->area, &b.area_var))) {
                        fprintf(stderr, "labourwatch describe: table %s of %s has no value '%s'\n", table, source,
                                a->area);
                        return 1;
                }
        } else if (a->area && !find_area_var(vars)) {
                fprintf(stderr, "labourwatch describe: table %s of %s has no area variable; leave out --area\n", table,
                        source);
                return 1;
        } else if ((b.area_var = find_area_var(vars))) {
                b.area_value = a->area ? find_area_value(b.area_var, m)
                                       : json_array_get(json_object_get(b.area_var, "values"), 0);
                if (!b.area_value) {
                        fprintf(stderr, "labourwatch describe: table %s of %s has no area '%s'\n", table, source,
                                a->area);
                        return 1;
                }
        }
        measure = json_array_get(json_object_get(d, "measures"), 0);
        b.measure = measure ? jstr(measure, "text") : NULL;
        freq = periods_range(json_object_get(d, "periods"), &first, &last, &n_periods);
        b.frequency = freq >= 0 ? period_freq_to_string(freq) : "month";
        yaml = series_block(d, src, &b);
        if (!yaml)
                return 1;
        if (a->as_json) {
                (void) json_object_set_new(d, "source", json_string(source));
                (void) json_object_set_new(d, "frequency", freq >= 0 ? json_string(b.frequency) : json_null());
                (void) json_object_set_new(d, "first_period", first ? json_string(first) : json_null());
                (void) json_object_set_new(d, "last_period", last ? json_string(last) : json_null());
                (void) json_object_set_new(d, "series_yaml", json_string(yaml));
                if (!json_object_get(d, "measures"))
                        (void) json_object_set_new(d, "measures", json_array());
                return print_json(json_incref(d));
        }
        print_description(d, first, last, n_periods, b.frequency, yaml);
        return 0;
}

static int describe_main(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"area", required_argument, NULL, 'a'},
                {"json", no_argument, NULL, 'j'},
                {"credentials-dir", required_argument, NULL, 'C'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        DescribeArgs a = { .path = cli_default_config_path() };
        _cleanup_(config_freep) Config *c = NULL;
        int opt;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:a:jh", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        a.path = optarg;
                        break;
                case 'a':
                        a.area = optarg;
                        break;
                case 'j':
                        a.as_json = true;
                        break;
                case 'C':
                        if (set_credentials_dir("describe", optarg) < 0)
                                return 1;
                        break;
                case 'h':
                        describe_help(stdout);
                        return 0;
                default:
                        cli_option_error("describe", options, argc, argv);
                        cli_usage_hint("describe");
                        return 2;
                }
        if (argc - optind != 2) {
                fprintf(stderr, "labourwatch describe: %s\n",
                        argc - optind < 2 ? "needs a source and a table" : "too many arguments");
                cli_usage_hint("describe");
                return 2;
        }
        if (cli_load_config(a.path, &c) < 0)
                return 1;
        return describe_run(c, &a, argv[optind], argv[optind + 1]);
}

int cli_describe(int argc, char **argv)
{
        int r = describe_main(argc, argv);

        fetch_global_done();
        return r;
}
