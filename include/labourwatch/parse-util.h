/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Parsers of the small value syntaxes an operator writes, in the configuration and on the command
 * line (`labourwatch silence --for 2d`). Pure. */

#include <stdbool.h>
#include <stdint.h>

/* "30s", "10min", "6h", "14d", "2w", "1h30m", "0" -> microseconds. Returns 0, -EINVAL or -ERANGE. */
int parse_duration(const char *s, uint64_t *ret);

/* Bytes, or a number with B, K/KiB, M/MiB, G/GiB (powers of 1024) or KB, MB, GB (powers of 1000).
 * Returns 0, -EINVAL or -ERANGE. */
int parse_size(const char *s, uint64_t *ret);

/* A decimal number as people write it: [+-]digits[.digits][e[+-]digits] (also ".5", "5."), C
 * locale. Unlike strtod(), refuses hexadecimal ("0x1p3"), "inf", "nan" and the like. Returns 0,
 * -EINVAL, or -ERANGE when it does not fit a finite double. */
int parse_decimal(const char *s, double *ret);

/* Identifiers: a series name (letters, digits, '_', not a digit first: expressions name it) and
 * an id (letters, digits, '_', '-', '.'; a letter or digit first). */
bool name_is_identifier(const char *s);
bool name_is_valid_id(const char *s);
