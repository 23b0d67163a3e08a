/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER: replaced by the module that owns this command. */
#include <stdio.h>

#include "cli.h"

int cli_check(int argc, char **argv)
{
        fprintf(stderr, "labourwatch check: not implemented yet\n");
        return 2;
}
