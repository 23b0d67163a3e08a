/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER: replaced by the module that owns this command. */
#include <stdio.h>

#include "cli.h"

int cli_test(int argc, char **argv)
{
        fprintf(stderr, "labourwatch test: not implemented yet\n");
        return 2;
}
