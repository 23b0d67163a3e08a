/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* "Did you mean": the nearest of a few known words to one that is not known, for messages of
 * `labourwatch check` (a misspelt key, enum value, reference or municipality). Pure: no I/O, no
 * allocation.
 *
 * Words are compared folded (suggest_fold()): ASCII letters in lower case, the Danish letters as
 * they are written without them (æ -> ae, ø -> oe, å -> aa, upper case too; ä ö ü é as ae oe ue e),
 * and ' ', '-' and '_' as one separator, so "Århus" is "Aarhus" and "Hoeje Taastrup" is
 * "Høje-Taastrup". The distance is Damerau-Levenshtein (optimal string alignment: an insertion, a
 * deletion, a substitution or a swap of two neighbours costs 1), bounded, so a comparison costs
 * at most SUGGEST_WORD_MAX * (2 * max + 1) steps. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longer folded words are never suggested nor suggested for. */
#define SUGGEST_WORD_MAX 128

/* Writes s folded into buf (NUL-terminated). Returns the folded length, or -ENOBUFS when it does
 * not fit in size bytes (buf then holds a truncated, still terminated prefix). */
ssize_t suggest_fold(const char *s, char *buf, size_t size);

/* Whether a and b are the same word once folded. */
bool suggest_same(const char *a, const char *b);

/* Whether a and b are equal but for case (ASCII and the Latin-1 letters: "HØJE-TAASTRUP" =
 * "Høje-Taastrup"), which is how the providers match names; "Århus" is not "Aarhus" here. */
bool suggest_caseeq(const char *a, const char *b);

/* The Damerau-Levenshtein distance of a and b (compared as given, not folded), or max + 1 when it
 * is larger than max or either is longer than SUGGEST_WORD_MAX bytes. */
size_t suggest_distance(const char *a, const char *b, size_t max);

/* The default bound for a word: 1 up to 3 letters, 2 up to 7, else 3 (and always fewer edits than
 * the word has letters, so "x" never suggests "y"). */
size_t suggest_max_distance(const char *word);

/* The index of the candidate nearest to word after folding, within max edits, ties going to the
 * first; -ENOENT when none is that near. Candidates are the const char * at names + i * stride
 * (an array of strings: stride sizeof(char *); a field of an array of structs: that struct's
 * size), NULL ones skipped. A word of two letters or fewer gets no suggestion ("de" is German, not
 * a typo of "da"). */
ssize_t suggest_index(const char *word, const void *names, size_t n, size_t stride, size_t max);
