/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatchd: argv -> config -> manager -> loop; nothing else. */
#include <getopt.h>
#include <stdio.h>

#include "labourwatch/chart.h"
#include "labourwatch/config.h"
#include "labourwatch/log.h"
#include "labourwatch/manager.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatchd [OPTIONS]\n\n"
                "Fetches labour-market series, stores them and evaluates the goals of the\n"
                "employment plan on a schedule. See labourwatchd(8).\n\n"
                "  -c, --config PATH  configuration file (default: %s)\n"
                "      --once         run one cycle (fetch what is due, evaluate, notify), then exit\n"
                "                     (1 when a fetch failed or a source is still failing)\n"
                "  -n, --dry-run      print what would be sent instead of sending it\n"
                "  -h, --help         show this help\n"
                "      --version      show the version\n"
                "\n"
                "Exit status: 0 success (or stopped by SIGTERM), 1 failure, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
        enum { ARG_ONCE = 0x100, ARG_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "once", no_argument, NULL, ARG_ONCE },
                { "dry-run", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        ManagerOptions o = {};
        Manager *m = NULL;
        int c, r;

        opterr = 0; /* our own messages, in the style of labourwatch's */
        while ((c = getopt_long(argc, argv, "c:nh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        o.config_path = optarg;
                        break;
                case ARG_ONCE:
                        o.once = true;
                        break;
                case 'n':
                        o.dry_run = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                case ARG_VERSION:
                        printf("labourwatchd %s\n", LABOURWATCH_VERSION);
                        return 0;
                default: {
                        const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
                        if (optopt == 'c')
                                fprintf(stderr, "labourwatchd: option '%s' needs an argument\n", arg);
                        else
                                fprintf(stderr, "labourwatchd: unknown option '%s'\n", arg);
                        fprintf(stderr, "see labourwatchd --help\n"); /* the problem and where the help is, not the whole help */
                        return 2;
                }
                }
        if (optind < argc) {
                fprintf(stderr, "labourwatchd: unexpected argument '%s'\n", argv[optind]);
                fprintf(stderr, "see labourwatchd --help\n");
                return 2;
        }

        log_open();
        r = manager_new(&o, &m);
        if (r < 0)
                return 1;
        r = manager_run(m);
        manager_free(m);
        chart_library_cleanup(); /* the font caches charts in messages filled: nothing left for valgrind */
        return r == 0 ? 0 : 1;
}
