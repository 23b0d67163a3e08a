/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER so the skeleton links; replaced by the configuration work. */
#include "labourwatch/config.h"
#include "labourwatch/macro.h"

int config_load(const char *path, Config **ret, ConfigErrors *errors)
{
        return -EOPNOTSUPP;
}

Config *config_free(Config *c)
{
        return NULL;
}

void config_errors_done(ConfigErrors *e)
{
}

char *config_error_to_string(const ConfigError *e)
{
        return NULL;
}
