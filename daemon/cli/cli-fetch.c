/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch fetch: fetch series now, on a private sd-event loop through the same pipeline the
 * daemon uses (pipeline.h), and say per series what was new or revised. */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "cli.h"
#include "labourwatch/alerting.h"
#include "labourwatch/fetch.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/pipeline.h"
#include "labourwatch/store.h"

static void fetch_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch fetch [--config PATH] [--refresh] [--credentials-dir DIR] [--verbose]\n"
                "                         [SERIES…]\n"
                "\n"
                "Fetches the named series (default: every fetched series) now, whatever their\n"
                "schedule, stores new periods and revisions, and prints one line per series:\n"
                "\n"
                "  fleksjob_fuldtid: 2 new periods (2024M05, 2024M06), 1 revision (2024M04 381 -> 384)\n"
                "\n"
                "Requests stay conditional: a table whose Statistikbank 'updated' stamp or HTTP\n"
                "ETag did not change is reported as unchanged and not downloaded again, unless\n"
                "--refresh is given.\n"
                "A series that fails stores nothing; its previous observations stay.\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -r, --refresh       download everything again, ignoring 'updated' stamps and ETags\n"
                "      --credentials-dir DIR\n"
                "                      read token_credential: secrets from DIR, as the service reads\n"
                "                      them from $CREDENTIALS_DIRECTORY (e.g. /etc/credstore)\n"
                "  -v, --verbose       also log each request and stored series to stderr (default:\n"
                "                      warnings and errors only; $LABOURWATCH_LOG_LEVEL overrides)\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 all fetched, 1 a series failed or the configuration/store could not be used, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

static void on_done(SourceRunner *r, unsigned n_ok, unsigned n_failed, void *userdata)
{
        sd_event *e = userdata;

        (void) sd_event_exit(e, 0);
}

static int fetch_main(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"refresh", no_argument, NULL, 'r'},
                {"credentials-dir", required_argument, NULL, 'C'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *path = cli_default_config_path();
        /* Freed in reverse order: the runner before the loop, the store and the configuration. */
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(source_runner_freep) SourceRunner *runner = NULL;
        _cleanup_free_ char *err = NULL;
        const SeriesFetchResult *res;
        size_t n_res = 0;
        unsigned n_failed = 0;
        bool refresh = false, verbose = false;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:rvh", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'r':
                        refresh = true;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'C':
                        /* the same lookup the service's LoadCredential= gives it (secret_read) */
                        if (setenv("CREDENTIALS_DIRECTORY", optarg, 1) < 0) {
                                fprintf(stderr, "labourwatch fetch: %s\n", strerror(errno));
                                return 1;
                        }
                        break;
                case 'h':
                        fetch_help(stdout);
                        return 0;
                default:
                        cli_option_error("fetch", options, argc, argv);
                        cli_usage_hint("fetch");
                        return 2;
                }

        /* Each result is printed once, on stdout; the pipeline's info lines ("Fetched series …")
         * would say the same again on stderr. */
        if (!verbose && !getenv("LABOURWATCH_LOG_LEVEL"))
                log_set_max_level(LOG_WARNING);

        if (cli_load_config(path, &c) < 0)
                return 1;

        for (int i = optind; i < argc; i++) {
                const SeriesDef *def = config_find_series(c, argv[i]);
                if (!def) {
                        fprintf(stderr, "labourwatch fetch: no series '%s' in %s\n", argv[i], path);
                        return 1;
                }
                if (!def->source) {
                        fprintf(stderr, "labourwatch fetch: series '%s' is derived (expr), not fetched\n",
                                argv[i]);
                        return 1;
                }
        }

        r = store_open(c->state_dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch fetch: %s\n", err ? err : strerror(-r));
                return 1;
        }
        r = sd_event_new(&e);
        if (r < 0) {
                fprintf(stderr, "labourwatch fetch: cannot create the event loop: %s\n", strerror(-r));
                return 1;
        }
        r = source_runner_new(e, st, c, &runner);
        if (r < 0) {
                fprintf(stderr, "labourwatch fetch: %s\n", strerror(-r));
                return 1;
        }
        source_runner_set_refresh(runner, refresh);
        r = source_runner_run(runner, now(CLOCK_REALTIME), true,
                              optind < argc ? argv + optind : NULL, on_done, e);
        if (r < 0) {
                fprintf(stderr, "labourwatch fetch: %s\n", strerror(-r));
                return 1;
        }
        r = sd_event_loop(e);
        if (r < 0) {
                fprintf(stderr, "labourwatch fetch: event loop failed: %s\n", strerror(-r));
                return 1;
        }

        res = source_runner_results(runner, &n_res);
        if (n_res == 0)
                printf("No fetched series in %s.\n", path);
        for (size_t i = 0; i < n_res; i++) {
                _cleanup_free_ char *line = pipeline_format_result(&res[i]);
                if (res[i].error)
                        n_failed++;
                printf("%s\n", line ? line : "out of memory");
        }
        /* a running daemon evaluates what was fetched at once (else at its next evaluation) */
        if (n_res > n_failed)
                (void) alerting_kick(c->state_dir);
        return n_failed > 0 ? 1 : 0;
}

int cli_fetch(int argc, char **argv)
{
        int r = fetch_main(argc, argv);

        fetch_global_done(); /* after every transfer, fetcher and glue is gone */
        return r;
}
