/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* String vectors: char ** arrays of malloc'd strings, either NULL-terminated or counted. */

#include <stdbool.h>
#include <stddef.h>

/* Frees a counted vector (each of the n strings, then the array). Accepts NULL. */
void strv_free_n(char **v, size_t n);
/* Frees a NULL-terminated vector. Accepts NULL; returns NULL. */
char **strv_free(char **v);
static inline void strv_freep(char ***v)
{
        strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Number of strings before the terminating NULL (0 for NULL). */
size_t strv_length(char *const *v);
/* Whether the NULL-terminated v (may be NULL) holds s. */
bool strv_contains(char *const *v, const char *s);
/* Appends a copy of s to the NULL-terminated *v (which may be NULL). Returns 0 or -ENOMEM (then *v
 * is unchanged). */
int strv_extend(char ***v, const char *s);
