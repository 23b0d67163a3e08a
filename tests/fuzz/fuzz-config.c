/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes config_load() on one main file: any bytes must give either a Config or errors, never a
 * crash, a sanitizer report or a leak. The input goes to a memfd so that no file is left behind. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "labourwatch/config.h"
#include "labourwatch/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_close_ int fd = -1;
        ConfigErrors errors = {};
        Config *c = NULL;
        char path[64];

        if (size > 256 * 1024)
                return 0;
        fd = memfd_create("fuzz-config.yaml", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        if (size > 0 && write(fd, data, size) != (ssize_t) size)
                return 0;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (config_load(path, &c, &errors) >= 0) {
                /* A valid configuration must be complete: every series' source resolved. */
                for (size_t i = 0; i < c->n_series; i++)
                        if (c->series[i].source && !c->series[i].source_def)
                                abort();
        } else
                for (size_t i = 0; i < errors.n_items; i++)
                        free(config_error_to_string(&errors.items[i]));
        config_free(c);
        config_errors_done(&errors);
        return 0;
}
