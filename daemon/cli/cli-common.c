/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/alert.h"
#include "labourwatch/macro.h"
#include "labourwatch/time-util.h"

const char *cli_default_config_path(void)
{
        const char *e = getenv("LABOURWATCH_CONFIG");
        return e && *e ? e : CONFIG_DEFAULT_PATH;
}

int cli_load_config(const char *path, Config **ret)
{
        ConfigErrors errors = {};
        int r;

        r = config_load(path, ret, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                fprintf(stderr, "%s\n", s ? s : "out of memory");
        }
        if (r < 0 && errors.n_items == 0)
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
        config_errors_done(&errors);
        return r;
}

int cli_select_goals(const Config *c, const char *cmd, const char *config_path, int argc, char **argv, int first,
                     bool **ret)
{
        _cleanup_free_ bool *selected = calloc(MAX(c->n_goals, (size_t) 1), sizeof *selected);

        if (!selected)
                return -ENOMEM;
        for (int i = first; i < argc; i++) {
                const GoalDef *g = config_find_goal(c, argv[i]);
                if (!g) {
                        fprintf(stderr, "labourwatch %s: unknown goal '%s' (not in %s)\n", cmd, argv[i], config_path);
                        return -ENOENT;
                }
                selected[g - c->goals] = true;
        }
        if (first >= argc)
                for (size_t i = 0; i < c->n_goals; i++)
                        selected[i] = true;
        *ret = TAKE_PTR(selected);
        return 0;
}

char *cli_format_usec(int64_t usec, bool iso, char buf[static CLI_TIME_MAX])
{
        time_t t = (time_t) (usec / (int64_t) USEC_PER_SEC);
        struct tm tm;

        /* for people local time with its zone, like the journal and STATUS=; for programs UTC */
        if (usec <= 0 || !(iso ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
            strftime(buf, CLI_TIME_MAX, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M %Z", &tm) == 0)
                strcpy(buf, iso ? "" : "never");
        return buf;
}

void cli_option_error(const char *cmd, const struct option *options, int argc, char **argv)
{
        const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
        bool missing = false;

        /* glibc sets optopt to the option's value when its argument is missing, and to 0 (long) or
         * the unknown character (short) otherwise */
        for (const struct option *o = options; optopt != 0 && o && o->name; o++)
                if (o->val == optopt && o->has_arg == required_argument)
                        missing = true;
        if (missing)
                fprintf(stderr, "labourwatch %s: option '%s' needs an argument\n", cmd, arg);
        else
                fprintf(stderr, "labourwatch %s: unknown option '%s'\n", cmd, arg);
}

void cli_usage_hint(const char *cmd)
{
        fprintf(stderr, "see labourwatch %s%s--help\n", cmd ? cmd : "", cmd ? " " : "");
}

int cli_load_asof(void *userdata, const char *name, Series **ret, char **ret_error)
{
        CliAsOf *a = userdata;
        return store_load_series_asof(a->store, name, a->before, ret, ret_error);
}

int64_t cli_end_of_day(Date d)
{
        struct tm tm = { .tm_year = d.year - 1900, .tm_mon = d.month - 1, .tm_mday = d.day + 1, .tm_isdst = -1 };
        time_t t = mktime(&tm);

        if (t == (time_t) -1)
                return (date_to_days(d) + 1) * (int64_t) USEC_PER_DAY;
        return (int64_t) t * (int64_t) USEC_PER_SEC;
}

Date cli_today(void)
{
        time_t t = time(NULL);
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return date_from_days((int64_t) (t / 86400));
        return (Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

bool cli_control_silenced(const StoredControl *c, Date today)
{
        Date until;

        return c && c->silence_until && date_parse(c->silence_until, &until) >= 0 && date_compare(today, until) <= 0;
}

bool cli_control_acked(const StoredControl *c, const AlertState *state)
{
        return c && c->ack_at > 0 && (!state || c->ack_at >= state->status_since);
}
