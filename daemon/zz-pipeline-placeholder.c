/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-ins for the fetch pipeline (branch `fetch`), the goal engine (branch `engine`) and the
 * store (branch `store`) so labourwatchd links before those branches are merged. Each reports
 * -EOPNOTSUPP; the manager says so in the log instead of pretending. */
#include <errno.h>

#include "labourwatch/evaluate.h"
#include "labourwatch/sources.h"
#include "labourwatch/store.h"

int source_runner_new(sd_event *e, Store *st, const Config *c, SourceRunner **ret)
{
        return -EOPNOTSUPP;
}

SourceRunner *source_runner_free(SourceRunner *r)
{
        return NULL;
}

int source_runner_set_config(SourceRunner *r, const Config *c)
{
        return -EOPNOTSUPP;
}

int source_runner_run(SourceRunner *r, uint64_t now_usec, bool force, char *const *only_series,
                      source_runner_done_t done, void *userdata)
{
        return -EOPNOTSUPP;
}

uint64_t source_runner_next_due(SourceRunner *r, uint64_t now_usec)
{
        return UINT64_MAX;
}

int evaluate_all(Store *st, const Config *c, Date date, bool record, GoalResult **ret, size_t *ret_n,
                 char **ret_error)
{
        return -EOPNOTSUPP;
}

void goal_results_free(GoalResult *r, size_t n)
{
}
