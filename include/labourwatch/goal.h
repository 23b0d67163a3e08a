/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Stand-in for the engine's GoalResult so the manager compiles before branch `engine` lands. The
 * manager reads a GoalResult only in goal_result_summary() (daemon/manager.c): the goal's id and
 * its status as a string. The real header (owned by `engine`) replaces this file at merge. */

typedef struct GoalResult {
        const char *goal_id;
        const char *status; /* "on_track", "at_risk", "off_track", "achieved", "missed", "no_data" */
} GoalResult;
