/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER: replaced by the module that owns this command. */
#include <stdio.h>

#include "cli.h"

int cli_eval(int argc, char **argv)
{
        fprintf(stderr, "labourwatch eval: not implemented yet\n");
        return 2;
}
