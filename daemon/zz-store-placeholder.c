/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for the store (branch `store`) so labourwatchd links before that branch is merged:
 * store_open() reports -EOPNOTSUPP and the manager says so in the log. Delete this file when
 * merging `store`. */
#include <errno.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"

int store_open(const char *state_dir, Store **ret, char **ret_error)
{
        if (ret_error)
                *ret_error = strdup_printf("%s: the state store is not part of this build", state_dir);
        return -EOPNOTSUPP;
}

Store *store_close(Store *s)
{
        return NULL;
}
