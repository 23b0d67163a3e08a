/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "source-internal.h"
const Provider provider_jsonstat = { .kind = _SOURCE_KIND_INVALID, .name = "jsonstat" };
int jsonstat_extract(const SourceResponse *resp, const JsonStatQuery *q, Series *s, char **ret_note, char **ret_error) { return -ENOSYS; }
