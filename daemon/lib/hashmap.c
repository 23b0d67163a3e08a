/* SPDX-License-Identifier: GPL-2.0-or-later */
/* String-keyed hash map; see hashmap.h. Open addressing with linear probing, kept at most half
 * full; no deletion (nothing needs it), so no tombstones. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "labourwatch/hashmap.h"

typedef struct Entry {
        const char *key; /* NULL: empty slot */
        size_t len;
        uint64_t hash;
        void *value;
} Entry;

struct Hashmap {
        Entry *slots;
        size_t n_slots; /* a power of two */
        size_t n_items;
};

/* ---- SipHash-2-4 (Aumasson & Bernstein), 64-bit output ---- */

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
        do {                                                                                                 \
                v0 += v1;                                                                                    \
                v1 = ROTL(v1, 13);                                                                           \
                v1 ^= v0;                                                                                    \
                v0 = ROTL(v0, 32);                                                                           \
                v2 += v3;                                                                                    \
                v3 = ROTL(v3, 16);                                                                           \
                v3 ^= v2;                                                                                    \
                v0 += v3;                                                                                    \
                v3 = ROTL(v3, 21);                                                                           \
                v3 ^= v0;                                                                                    \
                v2 += v1;                                                                                    \
                v1 = ROTL(v1, 17);                                                                           \
                v1 ^= v2;                                                                                    \
                v2 = ROTL(v2, 32);                                                                           \
        } while (0)

static uint64_t load64_le(const unsigned char *p)
{
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

static uint64_t siphash24(const void *data, size_t len, const uint64_t k[2])
{
        const unsigned char *in = data, *end = in + len - (len % 8);
        uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k[0], v1 = UINT64_C(0x646f72616e646f6d) ^ k[1],
                 v2 = UINT64_C(0x6c7967656e657261) ^ k[0], v3 = UINT64_C(0x7465646279746573) ^ k[1];
        uint64_t b = (uint64_t) len << 56, m;

        for (; in != end; in += 8) {
                m = load64_le(in);
                v3 ^= m;
                SIPROUND;
                SIPROUND;
                v0 ^= m;
        }
        for (size_t i = 0; i < len % 8; i++)
                b |= (uint64_t) in[i] << (8 * i);
        v3 ^= b;
        SIPROUND;
        SIPROUND;
        v0 ^= b;
        v2 ^= 0xff;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        return v0 ^ v1 ^ v2 ^ v3;
}

/* One key per process. getrandom() without GRND_NONBLOCK could block early at boot; with it, a
 * weak fallback is used until the pool is ready, which only weakens the flooding defence. */
static const uint64_t *hash_key(void)
{
        static uint64_t key[2];
        static bool init;

        if (!init) {
                if (getrandom(key, sizeof key, GRND_NONBLOCK) != (ssize_t) sizeof key) {
                        struct timespec ts = {};
                        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                        key[0] = (uint64_t) ts.tv_nsec ^ ((uint64_t) getpid() << 32) ^ (uint64_t) (uintptr_t) &ts;
                        key[1] = (uint64_t) ts.tv_sec ^ (uint64_t) (uintptr_t) key;
                }
                init = true;
        }
        return key;
}

/* ---- the table ---- */

int hashmap_new(size_t size_hint, Hashmap **ret)
{
        Hashmap *h;
        size_t n = 16;

        assert(ret);
        while (n < size_hint * 2 && n < (SIZE_MAX / sizeof(Entry)) / 4)
                n *= 2;
        h = calloc(1, sizeof(Hashmap));
        if (!h)
                return -ENOMEM;
        h->slots = calloc(n, sizeof(Entry));
        if (!h->slots) {
                free(h);
                return -ENOMEM;
        }
        h->n_slots = n;
        *ret = h;
        return 0;
}

Hashmap *hashmap_free(Hashmap *h)
{
        if (!h)
                return NULL;
        free(h->slots);
        free(h);
        return NULL;
}

static Entry *find_slot(Entry *slots, size_t n_slots, const char *key, size_t len, uint64_t hash)
{
        size_t mask = n_slots - 1;

        for (size_t i = (size_t) hash & mask;; i = (i + 1) & mask) {
                Entry *e = &slots[i];
                if (!e->key || (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0))
                        return e;
        }
}

static int grow(Hashmap *h)
{
        size_t n = h->n_slots * 2;
        Entry *slots;

        if (n > SIZE_MAX / sizeof(Entry))
                return -ENOMEM;
        slots = calloc(n, sizeof(Entry));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_slots; i++)
                if (h->slots[i].key)
                        *find_slot(slots, n, h->slots[i].key, h->slots[i].len, h->slots[i].hash) = h->slots[i];
        free(h->slots);
        h->slots = slots;
        h->n_slots = n;
        return 0;
}

static int put(Hashmap *h, const char *key, size_t len, void *value, bool replace, void **ret_existing)
{
        uint64_t hash;
        Entry *e;

        assert(h);
        assert(key);
        hash = siphash24(key, len, hash_key());
        e = find_slot(h->slots, h->n_slots, key, len, hash);
        if (e->key) {
                if (ret_existing)
                        *ret_existing = e->value;
                if (replace) {
                        e->key = key;
                        e->value = value;
                }
                return 0;
        }
        if ((h->n_items + 1) * 2 > h->n_slots) {
                if (grow(h) < 0)
                        return -ENOMEM;
                e = find_slot(h->slots, h->n_slots, key, len, hash);
        }
        *e = (Entry){.key = key, .len = len, .hash = hash, .value = value};
        h->n_items++;
        return 1;
}

int hashmap_put_len(Hashmap *h, const char *key, size_t len, void *value, void **ret_existing)
{
        return put(h, key, len, value, false, ret_existing);
}

int hashmap_put(Hashmap *h, const char *key, void *value, void **ret_existing)
{
        return put(h, key, strlen(key), value, false, ret_existing);
}

int hashmap_replace(Hashmap *h, const char *key, void *value)
{
        int r = put(h, key, strlen(key), value, true, NULL);
        return r < 0 ? r : 0;
}

static const Entry *lookup(const Hashmap *h, const char *key, size_t len)
{
        uint64_t hash;
        const Entry *e;

        if (!h || !key || h->n_items == 0)
                return NULL;
        hash = siphash24(key, len, hash_key());
        e = find_slot(h->slots, h->n_slots, key, len, hash);
        return e->key ? e : NULL;
}

void *hashmap_get_len(const Hashmap *h, const char *key, size_t len)
{
        const Entry *e = lookup(h, key, len);
        return e ? e->value : NULL;
}

void *hashmap_get(const Hashmap *h, const char *key)
{
        return key ? hashmap_get_len(h, key, strlen(key)) : NULL;
}

bool hashmap_contains(const Hashmap *h, const char *key)
{
        return key && lookup(h, key, strlen(key));
}

size_t hashmap_size(const Hashmap *h)
{
        return h ? h->n_items : 0;
}

void hashmap_clear(Hashmap *h)
{
        if (!h || h->n_items == 0)
                return;
        memset(h->slots, 0, h->n_slots * sizeof(Entry));
        h->n_items = 0;
}
