/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A small string-keyed hash map: open addressing with linear probing, SipHash-2-4 with a key drawn
 * once per process from getrandom(2), so that input an operator or a provider controls cannot be
 * crafted to collide (lookups stay O(1) expected, whatever the keys).
 *
 * The map does not own its keys or values: a key must stay valid and unchanged while it is in the
 * map (it usually points into the object stored as the value, or into a parsed document). Keys
 * are compared as byte strings of a given length; the NUL-terminated helpers take strlen().
 *
 * Use it wherever a loop would otherwise search the same collection (duplicate checks, references
 * by name): that keeps the cost linear in the input. */

#include <stdbool.h>
#include <stddef.h>

typedef struct Hashmap Hashmap;

/* Returns 0 and *ret (caller owns; hashmap_free), or -ENOMEM. size_hint may be 0. */
int hashmap_new(size_t size_hint, Hashmap **ret);
/* Frees the map (not the keys or values). Accepts NULL; returns NULL. */
Hashmap *hashmap_free(Hashmap *h);

/* Adds key -> value. Returns 1 when added, 0 when the key was already there (nothing changes; the
 * existing value is stored in *ret_existing when that is not NULL), or -ENOMEM. */
int hashmap_put_len(Hashmap *h, const char *key, size_t len, void *value, void **ret_existing);
int hashmap_put(Hashmap *h, const char *key, void *value, void **ret_existing);

/* Adds or replaces. Returns 0 or -ENOMEM. */
int hashmap_replace(Hashmap *h, const char *key, void *value);

/* The value for key, or NULL (a NULL value cannot be told from an absent key: use hashmap_contains). */
void *hashmap_get_len(const Hashmap *h, const char *key, size_t len);
void *hashmap_get(const Hashmap *h, const char *key);
bool hashmap_contains(const Hashmap *h, const char *key);

size_t hashmap_size(const Hashmap *h);
/* Forgets every entry, keeping the allocation for reuse. */
void hashmap_clear(Hashmap *h);

static inline void hashmap_freep(Hashmap **h)
{
        hashmap_free(*h);
}
