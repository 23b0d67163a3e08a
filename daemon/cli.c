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
        { "check", cli_check, "check [--config PATH]           validate the configuration" },
        { "fetch", cli_fetch, "fetch [--config PATH] [SERIES…] fetch series now, print new periods and revisions" },
        { "series", cli_series, "series [--config PATH] NAME [--json]  show a stored series with revisions" },
        { "import", cli_import, "import [--config PATH] SERIES FILE.csv  load internal figures by hand" },
        { "eval", cli_eval, "eval [--config PATH] [--date YYYY-MM-DD] [--json]  evaluate every goal" },
        { "test", cli_test, "test FILE…                      run goal unit tests written in YAML" },
        { "render", cli_render, "render GOAL [--date D] [--recipient NAME] [--format F]  the message a goal would produce now" },
        { "notify-test", cli_notify_test, "notify-test NOTIFIER [--to RECIPIENT]  send one test message, print the server's answer" },
        { "status", cli_status, "status [--config PATH]          sources, failures, goals at a glance" },
        { "report", cli_report, "report [--plan NAME] [--date D] [--format html|pdf] [--output FILE]  the committee report" },
};

static void help(FILE *f)
{
        fprintf(f, "Usage: labourwatch COMMAND [OPTIONS]\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %s\n", commands[i].help);
        fprintf(f, "\nSee labourwatch(1).\n");
}

int main(int argc, char **argv)
{
        log_open();

        if (argc < 2) {
                help(stderr);
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
        help(stderr);
        return 2;
}
