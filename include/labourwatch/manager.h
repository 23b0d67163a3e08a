/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's manager (systemd's Manager pattern): the only module that knows every other one. It
 * owns the sd-event loop (one thread; only SMTP transfers run on threads of their own, see
 * notify-thread.c), the signals (SIGTERM/SIGINT stop, SIGHUP reloads), the
 * watchdog, the sd_notify protocol (READY=1, STATUS=, RELOADING=1, STOPPING=1), the configuration
 * (swapped atomically on a valid reload), the store, and it drives the cycle:
 *
 *     fetch what is due (source_runner_run) -> evaluate (evaluate_all) -> alert (alerting_run:
 *     alert states + outbox rows in one transaction)
 *
 * One CLOCK_REALTIME timer is armed at source_runner_next_due(), another a few minutes after each
 * local midnight for the daily evaluation; apart from them and the watchdog the daemon does not wake
 * up. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Manager Manager;

typedef struct ManagerOptions {
        const char *config_path; /* NULL: CONFIG_DEFAULT_PATH */
        bool once;               /* run one cycle, then exit (0, or 1 when something failed) */
        bool dry_run;            /* print what would be sent instead of sending */
} ManagerOptions;

/* Blocks SIGTERM, SIGINT and SIGHUP, loads the configuration, opens the store in its state_dir and
 * sets up the loop. Every problem is logged here (each configuration error as FILE:LINE:COL).
 * Returns 0 and *ret (caller owns; manager_free), or negative errno. */
int manager_new(const ManagerOptions *o, Manager **ret);
Manager *manager_free(Manager *m);

/* Announces readiness and runs the loop until SIGTERM/SIGINT (returns 0), or, with once, until the
 * cycle has finished (returns 0, or 1 if fetching or evaluating failed). Negative errno when the
 * loop itself fails. */
int manager_run(Manager *m);

/* What STATUS= reports. Pure data; see manager_status_format(). */
typedef struct ManagerStatus {
        size_t n_goals;
        size_t n_sources;
        bool evaluated;          /* false: n_off_track is unknown */
        size_t n_off_track;      /* off_track or missed */
        size_t n_without_data;   /* no_data or insufficient_data; shown only when not 0 */
        size_t n_firing;         /* goals whose alert is firing; shown only when not 0 */
        bool fetching;           /* a fetch run is in progress */
        uint64_t next_fetch_usec; /* realtime; UINT64_MAX: nothing scheduled */
        uint64_t reload_failed_usec; /* realtime of the last rejected reload, 0: none since the last good load */
} ManagerStatus;

/* Formats the one-line STATUS=, e.g. "12 goals, 2 off track, 1 firing; next fetch 09:30", or "12 goals, 2 off
 * track, 3 without data; next fetch 2026-11-24 07:00". After a rejected reload, until a good one, it begins
 * "Configuration reload failed 14:02 (previous configuration in use); ". Times are local;
 * a time on another day than now_usec gets its date. Returns a malloc'd string or NULL on OOM. */
char *manager_status_format(const ManagerStatus *s, uint64_t now_usec);
