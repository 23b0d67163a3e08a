/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Minimal copy of the contract in BRIEF.md so the manager compiles before branch `engine` lands.
 * The real header (owned by `engine`) replaces this file at merge. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"
#include "labourwatch/period.h"
#include "labourwatch/store.h"

int evaluate_all(Store *st, const Config *c, Date date, bool record, GoalResult **ret, size_t *ret_n,
                 char **ret_error);
/* goal_results_free() is declared in goal.h. */
