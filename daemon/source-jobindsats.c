/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "source-internal.h"
const Provider provider_jobindsats = { .kind = _SOURCE_KIND_INVALID, .name = "jobindsats" };
