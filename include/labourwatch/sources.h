/* PLACEHOLDER: removed at merge */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Minimal copy of the contract in BRIEF.md so the manager compiles before branch `fetch` lands.
 * The real header (owned by `fetch`) replaces this file at merge. */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "labourwatch/config.h"
#include "labourwatch/store.h"

typedef struct SourceRunner SourceRunner;
typedef void (*source_runner_done_t)(SourceRunner *r, unsigned n_ok, unsigned n_failed, void *userdata);
int source_runner_new(sd_event *e, Store *st, const Config *c, SourceRunner **ret);
SourceRunner *source_runner_free(SourceRunner *r);
int source_runner_set_config(SourceRunner *r, const Config *c);
int source_runner_run(SourceRunner *r, uint64_t now_usec, bool force, char *const *only_series,
                      source_runner_done_t done, void *userdata);
uint64_t source_runner_next_due(SourceRunner *r, uint64_t now_usec);
