/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-ins for the goal engine's evaluate_all() (branch `engine`) so labourwatchd links before
 * that branch is merged. It reports -EOPNOTSUPP; the manager says so in the log instead of
 * pretending. Delete this file (and the placeholder evaluate.h, goal.h) when merging `engine`. */
#include <errno.h>

#include "labourwatch/evaluate.h"
#include "labourwatch/store.h"

int evaluate_all(Store *st, const Config *c, Date date, bool record, GoalResult **ret, size_t *ret_n,
                 char **ret_error)
{
        return -EOPNOTSUPP;
}
