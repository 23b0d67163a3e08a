/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch import: load internal figures by hand from a CSV file, checked exactly as the CSV
 * provider checks fetched files, into the store with provenance source "import". */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/alerting.h"
#include "labourwatch/macro.h"
#include "labourwatch/source.h"
#include "labourwatch/pipeline.h"
#include "labourwatch/store.h"

#define IMPORT_MAX_SIZE (UINT64_C(64) * 1024 * 1024)

static void import_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch import [--config PATH] SERIES FILE.csv\n"
                "\n"
                "Reads FILE.csv in the layout of csv sources (a header line; a period column named\n"
                "periode/period/tid/dato or the first column; the value column given by the series'\n"
                "column: or the only other column; ';' files with Danish numbers 1.234,5) and stores\n"
                "its values for SERIES, with provenance \"import\". Changed values become revisions;\n"
                "the previous values are kept. Nothing is stored when any line is wrong.\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 stored, 1 invalid file or other error, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}


int cli_import(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        static const SourceDef import_source = {.name = (char *) "import", .kind = SOURCE_CSV};
        const char *path = cli_default_config_path(), *name, *file;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        const SeriesDef *def;
        const SourceDef *src;
        SeriesDef csv_def;
        _cleanup_free_ char *body = NULL, *err = NULL, *abs = NULL, *line = NULL;
        _cleanup_(series_fetch_result_done) SeriesFetchResult res = {};
        StoreWriteStats stats = {};
        size_t size = 0;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'h':
                        import_help(stdout);
                        return 0;
                default:
                        cli_option_error("import", options, argc, argv);
                        cli_usage_hint("import");
                        return 2;
                }
        if (argc - optind != 2) {
                fprintf(stderr, "labourwatch import: need SERIES and FILE.csv\n");
                cli_usage_hint("import");
                return 2;
        }
        name = argv[optind];
        file = argv[optind + 1];

        if (cli_load_config(path, &c) < 0)
                return 1;

        def = config_find_series(c, name);
        if (!def) {
                fprintf(stderr, "labourwatch import: no series '%s' in %s\n", name, path);
                return 1;
        }
        if (def->expr) {
                fprintf(stderr,
                        "labourwatch import: series '%s' is derived (expr: %s); import its inputs instead\n",
                        name, def->expr);
                return 1;
        }

        /* A csv series is read exactly as its source would read it (column, row filters). For a series
         * of another source the file holds just periods and values: its select: names API
         * dimensions, not columns. */
        src = def->source_def ? def->source_def : config_find_source(c, strempty(def->source));
        csv_def = *def;
        if (!src || src->kind != SOURCE_CSV) {
                src = &import_source;
                csv_def.select = NULL;
                csv_def.n_select = 0;
        }

        r = read_full_file(file, IMPORT_MAX_SIZE, &body, &size);
        if (r < 0) {
                fprintf(stderr, "labourwatch import: %s: %s\n", file,
                        r == -EFBIG ? "file larger than 64 MiB" : strerror(-r));
                return 1;
        }
        abs = realpath(file, NULL);
        csv_def.table = NULL; /* provenance: the file (url), not the series' remote table */

        r = store_open(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch import: %s\n", err ? err : strerror(-r));
                return 1;
        }
        /* The same parse -> check -> diff -> store as a fetched response. */
        r = pipeline_ingest(st,
                            &(IngestInput){
                                    .source = src,
                                    .series = &csv_def,
                                    .response = &(SourceResponse){ .url = file,
                                                                   .status = 200,
                                                                   .content_type = "text/csv",
                                                                   .body = body,
                                                                   .size = size },
                                    .provenance_source = "import",
                                    .url = abs ? abs : file,
                                    .fetched_at = (int64_t) now(CLOCK_REALTIME),
                            },
                            &res, &stats, NULL, &err);
        if (r < 0) {
                /* The CSV parser's messages start with FILE:LINE already. */
                bool named = err && strneq(err, file, strlen(file));
                fprintf(stderr, "labourwatch import: %s%s%s\n", named ? "" : file, named ? "" : ": ",
                        err ? err : strerror(-r));
                return 1;
        }

        res.series = (char *) name;
        line = pipeline_format_result(&res);
        res.series = NULL;
        printf("%s\n", line ? line : name);
        printf("%s: %u value%s from %s stored (%u new, %u revised, %u unchanged)\n", name, res.n_points,
               res.n_points == 1 ? "" : "s", file,
               stats.new_periods, stats.revisions, stats.unchanged);
        /* a running daemon evaluates the new figures at once (else at its next evaluation) */
        if (stats.new_periods + stats.revisions > 0)
                (void) alerting_kick(c->state_dir);
        return 0;
}
