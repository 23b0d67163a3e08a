/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER: replaced by the daemon lifecycle work (manager.c). */
#include <stdio.h>

int main(void)
{
        fprintf(stderr, "labourwatchd: not implemented yet\n");
        return 1;
}
