/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch: the admin CLI. argv -> command; nothing else. */
#include <stdio.h>

#include "cli.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;
} commands[] = {
        { "check", cli_check, "check [-c PATH]\n"
                              "      validate the configuration" },
        { "init", cli_init, "init --municipality NAME|CODE [--year YYYY] [--dir DIR]\n"
                            "      a starter configuration and goals for a municipality, targets TO FILL" },
        { "tables", cli_tables, "tables [-c PATH] [--refresh] [--json] SOURCE [WORD…]\n"
                                "      the tables a source offers, filtered by words" },
        { "describe", cli_describe, "describe [-c PATH] [--area NAME|CODE] [--json] SOURCE TABLE\n"
                                    "      a table's variables, codes and periods, and a series: block" },
        { "fetch", cli_fetch, "fetch [-c PATH] [--refresh] [--credentials-dir DIR] [--verbose] [SERIES…]\n"
                              "      fetch series now, print new periods and revisions" },
        { "series", cli_series, "series [-c PATH] [--json] NAME\n"
                                "      show a stored series with revisions" },
        { "import", cli_import, "import [-c PATH] SERIES FILE.csv\n"
                                "      load internal figures by hand" },
        { "eval", cli_eval, "eval [-c PATH] [--date YYYY-MM-DD] [--json] [--record]\n"
                            "      evaluate every goal" },
        { "test", cli_test, "test FILE…\n"
                            "      run goal unit tests written in YAML" },
        { "render", cli_render, "render [-c PATH] [--date YYYY-MM-DD] [--recipient NAME] [--format FORMAT] GOAL\n"
                                "      the message a goal would produce now" },
        { "notify-test", cli_notify_test, "notify-test [-c PATH] [--to RECIPIENT] NOTIFIER\n"
                                          "      send one test message, print the server's answer" },
        { "alerts", cli_alerts, "alerts [-c PATH] [--json]\n"
                                "      alert state per goal, silences, acks, outbox, recent events" },
        { "silence", cli_silence, "silence [-c PATH] GOAL --until YYYY-MM-DD --comment TEXT\n"
                                  "      no notifications about a goal until a date" },
        { "unsilence", cli_unsilence, "unsilence [-c PATH] GOAL\n"
                                      "      lift a goal's silence" },
        { "ack", cli_ack, "ack [-c PATH] GOAL --comment TEXT\n"
                          "      no more repeats until the goal's status changes" },
        { "replay", cli_replay, "replay [-c PATH] [GOAL…] --from YYYY-MM-DD --to YYYY-MM-DD [--json]\n"
                                "      the notifications the stored history would have caused, day by day" },
        { "backtest", cli_backtest, "backtest [-c PATH] [GOAL…] [--years N] [--json]\n"
                                    "      how far to trust the warnings: the goals moved to earlier periods, scored" },
        { "status", cli_status, "status [-c PATH] [--json]\n"
                                "      sources, goals, alerts and notifier outboxes at a glance" },
        { "report", cli_report, "report [-c PATH] [--plan NAME] [--date YYYY-MM-DD] [--format html|pdf]\n"
                                "       [--output FILE] [--language da|en] [--since YYYY-MM-DD]\n"
                                "      the committee report of a plan" },
};

static void help(FILE *f)
{
        fprintf(f, "Usage: labourwatch COMMAND [OPTIONS]\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %s\n", commands[i].help);
        fprintf(f,
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -h, --help          show this help (also after a command: its own options)\n"
                "      --version       show the version\n"
                "\n"
                "Exit status: 0 success, 1 failure (see each command), 2 usage error.\n"
                "See labourwatch(1).\n",
                CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
        log_open();

        if (argc < 2) {
                fprintf(stderr, "labourwatch: no command given\n");
                cli_usage_hint(NULL);
                return 2;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                help(stdout);
                return 0;
        }
        if (streq(argv[1], "--version")) {
                printf("labourwatch %s\n", LABOURWATCH_VERSION);
                return 0;
        }
        if (streq(argv[1], "complete")) /* hidden: the bash completion's name lists */
                return cli_complete(argc - 1, argv + 1);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);

        fprintf(stderr, "labourwatch: unknown command '%s'\n", argv[1]);
        cli_usage_hint(NULL);
        return 2;
}
