/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER: replaced by the module that owns this command. */
#include <stdio.h>

#include "cli.h"

int cli_series(int argc, char **argv)
{
        fprintf(stderr, "labourwatch series: not implemented yet\n");
        return 2;
}
