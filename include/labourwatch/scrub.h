/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Secrets never reach a log, the store or the terminal. Every secret read through secret_read()
 * (API tokens, SMTP passwords, webhook keys) is registered in one process-wide list; scrub_string()
 * replaces each registered secret in a text by "***" and removes the userinfo of every URL in it
 * ("https://user:pw@host/" -> "https://host/"). log.c scrubs every message and field, store.c every
 * message, URL and error it stores, the fetch layer every reason phrase, error message and URL a
 * server sent back. The list only grows (a rotated token stays scrubbed) and is wiped at exit; short-lived tokens
 * go to a ring of the latest ones (scrub_register_ephemeral). */

#include <stdbool.h>
#include <stddef.h>

#define SCRUB_REPLACEMENT "***"
#define SCRUB_MAX_SECRETS 256
#define SCRUB_MAX_EPHEMERAL 32

/* Registers a copy of secret (a no-op for NULL, "" or one already registered). Returns 0, -ENOMEM,
 * or -E2BIG past SCRUB_MAX_SECRETS distinct secrets. */
int scrub_register(const char *secret);
/* Registers a copy of a short-lived secret (an OAuth access token, renewed every hour or so) in a
 * ring of its own: the last SCRUB_MAX_EPHEMERAL stay scrubbed, the oldest is forgotten to make room,
 * so a daemon that runs for months never runs out of slots. Returns 0 or -ENOMEM. */
int scrub_register_ephemeral(const char *secret);
/* Wipes and forgets every registered secret (tests, exit). */
void scrub_forget_all(void);

/* Whether s holds a registered secret or a URL with userinfo. */
bool scrub_needed(const char *s);
/* A malloc'd copy of s, scrubbed. NULL only for s == NULL or on OOM. */
char *scrub_string(const char *s);
/* s itself when nothing is to be scrubbed, else a scrubbed copy in *buf (the caller frees *buf);
 * "***" when that copy cannot be made (OOM): never the unscrubbed text. NULL for NULL. */
const char *scrubbed(const char *s, char **buf);
