/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch complete WHAT [--config PATH]: the names the bash completion offers (one per line):
 * the configuration's series, goals, sources, notifiers, recipients, the 98 municipalities
 * (shipped data, no configuration read) for init --municipality and describe --area, or with
 * "tables:SOURCE" the table ids of the listing `labourwatch tables SOURCE` kept in the state
 * directory (never a network request: nothing kept, nothing offered).
 * Hidden from the help: it is an interface for packaging/labourwatch.bash-completion, not for
 * people. Quiet by design: a configuration that does not load prints nothing and exits 1, so a
 * half-edited file never spills errors into the operator's command line. */
#include <getopt.h>
#include <stdio.h>

#include "cli-catalog.h"
#include "cli.h"
#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"

int cli_complete(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {},
        };
        const char *path = cli_default_config_path(), *what;
        ConfigErrors errors = {};
        Config *c = NULL;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                default:
                        return 2;
                }
        if (argc - optind != 1)
                return 2;
        what = argv[optind];
        if (streq(what, "municipalities")) {
                size_t n;
                const Municipality *m = municipality_all(&n);
                for (size_t i = 0; i < n; i++)
                        printf("%s\n", m[i].name);
                return 0;
        }
        if (!streq(what, "series") && !streq(what, "goals") && !streq(what, "sources") &&
            !streq(what, "notifiers") && !streq(what, "recipients") && !strneq(what, "tables:", 7))
                return 2;

        r = config_load(path, &c, &errors);
        config_errors_done(&errors);
        if (r < 0)
                return 1;

        if (strneq(what, "tables:", 7)) {
                for (size_t i = 0; i < c->n_sources; i++)
                        if (streq(c->sources[i].name, what + 7)) {
                                json_t *tables = catalog_cached(c, &c->sources[i]), *t;
                                size_t k;
                                json_array_foreach(tables, k, t)
                                        if (json_is_string(json_object_get(t, "id")))
                                                printf("%s\n", json_string_value(json_object_get(t, "id")));
                                json_decref(tables);
                        }
        } else if (streq(what, "series"))
                for (size_t i = 0; i < c->n_series; i++)
                        printf("%s\n", c->series[i].name);
        else if (streq(what, "goals"))
                for (size_t i = 0; i < c->n_goals; i++)
                        printf("%s\n", c->goals[i].id);
        else if (streq(what, "sources"))
                for (size_t i = 0; i < c->n_sources; i++)
                        printf("%s\n", c->sources[i].name);
        else if (streq(what, "notifiers"))
                for (size_t i = 0; i < c->n_notifiers; i++)
                        printf("%s\n", c->notifiers[i].name);
        else
                for (size_t i = 0; i < c->n_recipients; i++)
                        printf("%s\n", c->recipients[i].name);
        config_free(c);
        return 0;
}
