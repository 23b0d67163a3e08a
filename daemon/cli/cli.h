/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The admin CLI's commands. Each lives in daemon/cli-<command>.c and gets argv with argv[0] being
 * the command name. Returns the process exit status: 0 success, 1 failure (errors printed), 2 usage. */

#include "labourwatch/config.h"
#include "labourwatch/store.h"

int cli_check(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_tables(int argc, char **argv);
int cli_describe(int argc, char **argv);
int cli_fetch(int argc, char **argv);
int cli_series(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_notify_test(int argc, char **argv);
int cli_alerts(int argc, char **argv);
int cli_silence(int argc, char **argv);
int cli_unsilence(int argc, char **argv);
int cli_ack(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_backtest(int argc, char **argv);
/* Hidden: `labourwatch complete series|goals|sources|notifiers|recipients` for bash completion. */
int cli_complete(int argc, char **argv);

/* Shared helpers (cli-common.c). */

/* Loads the configuration, printing every error as FILE:LINE:COL: message to stderr.
 * Returns 0 and *ret, or a negative errno after printing. */
int cli_load_config(const char *path, Config **ret);

/* The goals named on the command line (argv[first..argc-1]), all of them when none is named: a
 * calloc'd array of c->n_goals flags in *ret. An unknown goal is named on stderr as "labourwatch
 * CMD: unknown goal 'x' (not in PATH)"; returns -ENOENT then, -ENOMEM, or 0. */
int cli_select_goals(const Config *c, const char *cmd, const char *config_path, int argc, char **argv, int first,
                     bool **ret);

/* After getopt_long() returned '?' (with opterr = 0): prints, in the one style every command uses,
 * "labourwatch CMD: unknown option '--bogus'" or "labourwatch CMD: option '--config' needs an
 * argument" on stderr. */
struct option;
void cli_option_error(const char *cmd, const struct option *options, int argc, char **argv);
/* After the one line naming a usage error: where the help is ("see labourwatch CMD --help"), not the
 * whole help (issue 22 item 5). cmd NULL: the top level. */
void cli_usage_hint(const char *cmd);

/* Default config path: $LABOURWATCH_CONFIG, else CONFIG_DEFAULT_PATH. */
const char *cli_default_config_path(void);

/* Formats usec since the epoch (realtime): in UTC "2024-07-02T06:00:00Z" when iso (JSON), else in
 * local time with the zone, "2024-07-02 08:00 CEST". 0 (never) gives "" (iso) or "never". Returns
 * buf. */
#define CLI_TIME_MAX 32
char *cli_format_usec(int64_t usec, bool iso, char buf[static CLI_TIME_MAX]);

/* The figures as they had been fetched before a time (replay, backtest): an evaluate_loader_t
 * (evaluate.h) over store_load_series_asof(store, name, before). */
typedef struct CliAsOf {
        Store *store;
        int64_t before; /* usec realtime */
} CliAsOf;
int cli_load_asof(void *userdata, const char *name, Series **ret, char **ret_error);

/* The end of local day d (the next local midnight), in usec realtime. */
int64_t cli_end_of_day(Date d);

/* Today in local time (the operator's controls are dates in local time). */
Date cli_today(void);

/* Whether a goal's control silences it on date today (silence_until, inclusive), and whether its
 * ack still holds: an ack holds until the goal's status changes (state NULL: no alert state yet).
 * c may be NULL (no control). */
struct AlertState;
bool cli_control_silenced(const StoredControl *c, Date today);
bool cli_control_acked(const StoredControl *c, const struct AlertState *state);
