/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch check: validate the configuration the daemon would load, and say what it holds. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"

static void check_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch check [--config PATH]\n"
                "\n"
                "Reads the configuration file and every goal file in its goals directory, checks\n"
                "them completely and prints every problem as FILE:LINE:COL: message.\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 valid, 1 invalid, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

int cli_check(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *path = cli_default_config_path();
        Config *c = NULL;
        int opt, r;

        optind = 0; /* reset getopt: argv is the command's own vector */
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'h':
                        check_help(stdout);
                        return 0;
                case '?':
                default:
                        cli_option_error("check", options, argc, argv);
                        check_help(stderr);
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "labourwatch check: unexpected argument '%s'\n", argv[optind]);
                check_help(stderr);
                return 2;
        }

        r = cli_load_config(path, &c);
        if (r < 0)
                return 1;

        /* The message templates: an unknown placeholder is FILE:LINE:COL like any config error. */
        {
                ConfigErrors errors = {};

                r = notify_templates_check(c->templates_dir, &errors);
                for (size_t i = 0; i < errors.n_items; i++) {
                        _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                        fprintf(stderr, "%s\n", s ? s : "out of memory");
                }
                config_errors_done(&errors);
                if (r < 0) {
                        config_free(c);
                        return 1;
                }
        }

#define S(n) (n) == 1 ? "" : "s"
        printf("configuration OK: %zu source%s, %zu series, %zu goal%s, %zu recipient%s, %zu notifier%s, %zu route%s\n",
               c->n_sources, S(c->n_sources), c->n_series, c->n_goals, S(c->n_goals), c->n_recipients,
               S(c->n_recipients), c->n_notifiers, S(c->n_notifiers), c->n_routes, S(c->n_routes));
#undef S
        config_free(c);
        return 0;
}
