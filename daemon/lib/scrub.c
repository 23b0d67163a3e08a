/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The process-wide secret scrubber; see scrub.h. A handful of secrets and short texts: each scrub
 * is one strstr() pass per secret, linear in the text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"

/* secrets[0..n_secrets) are kept for good; secrets[SCRUB_MAX_SECRETS..+n_ephemeral) is the ring of
 * short-lived ones (scrub_register_ephemeral), next_ephemeral the slot the next one takes. */
static char *secrets[SCRUB_MAX_SECRETS + SCRUB_MAX_EPHEMERAL];
static size_t n_secrets, n_ephemeral, next_ephemeral;

static void forget(char **s)
{
        if (*s) {
                explicit_bzero(*s, strlen(*s));
                free(*s);
                *s = NULL;
        }
}

void scrub_forget_all(void)
{
        for (size_t i = 0; i < ELEMENTSOF(secrets); i++)
                forget(&secrets[i]);
        n_secrets = n_ephemeral = next_ephemeral = 0;
}

/* Every registered secret in turn: *i from 0 on; NULL at the end. */
static const char *secret_next(size_t *i)
{
        size_t k = (*i)++;

        if (k < n_secrets)
                return secrets[k];
        k -= n_secrets;
        return k < n_ephemeral ? secrets[SCRUB_MAX_SECRETS + k] : NULL;
}

static bool registered(const char *secret)
{
        const char *q;

        for (size_t i = 0; (q = secret_next(&i));)
                if (streq(q, secret))
                        return true;
        return false;
}

static void forget_at_exit(void)
{
        scrub_forget_all();
}

static void ensure_atexit(void)
{
        static bool atexit_done = false;

        if (!atexit_done) {
                /* So valgrind sees no leak and no copy outlives the process image. */
                (void) atexit(forget_at_exit);
                atexit_done = true;
        }
}

int scrub_register(const char *secret)
{
        char *c;

        if (!secret || !*secret || registered(secret))
                return 0;
        if (n_secrets >= SCRUB_MAX_SECRETS)
                return -E2BIG;
        c = strdup(secret);
        if (!c)
                return -ENOMEM;
        secrets[n_secrets++] = c;
        ensure_atexit();
        return 0;
}

int scrub_register_ephemeral(const char *secret)
{
        char *c;

        if (!secret || !*secret || registered(secret))
                return 0;
        c = strdup(secret);
        if (!c)
                return -ENOMEM;
        ensure_atexit();
        /* The oldest goes when the ring is full: it expired long ago. */
        forget(&secrets[SCRUB_MAX_SECRETS + next_ephemeral]);
        secrets[SCRUB_MAX_SECRETS + next_ephemeral] = c;
        next_ephemeral = (next_ephemeral + 1) % SCRUB_MAX_EPHEMERAL;
        n_ephemeral = MIN(n_ephemeral + 1, (size_t) SCRUB_MAX_EPHEMERAL);
        return 0;
}

/* The userinfo of a URL starting at p (just after "scheme://"): its length including the '@', or 0.
 * The authority ends at '/', '?', '#', whitespace, a quote or the end. */
static size_t userinfo_len(const char *p)
{
        size_t n = strcspn(p, "/?#@ \t\r\n\"'<>");
        return p[n] == '@' ? n + 1 : 0;
}

static const char *find_userinfo(const char *s, size_t *ret_len)
{
        for (const char *p = strstr(s, "://"); p; p = strstr(p + 3, "://")) {
                size_t n = userinfo_len(p + 3);
                if (n > 0) {
                        *ret_len = n;
                        return p + 3;
                }
        }
        return NULL;
}

bool scrub_needed(const char *s)
{
        size_t n;

        const char *q;

        if (!s)
                return false;
        for (size_t i = 0; (q = secret_next(&i));)
                if (strstr(s, q))
                        return true;
        return find_userinfo(s, &n) != NULL;
}

/* Replaces every occurrence of needle in *s by rep. Returns 0 or -ENOMEM (*s unchanged). */
static int replace_all(char **s, const char *needle, const char *rep)
{
        size_t nl = strlen(needle), rl = strlen(rep), count = 0, size;
        const char *p;
        char *out, *o;

        for (p = strstr(*s, needle); p; p = strstr(p + nl, needle))
                count++;
        if (count == 0)
                return 0;
        size = strlen(*s) - count * nl + count * rl + 1;
        out = malloc(size);
        if (!out)
                return -ENOMEM;
        o = out;
        for (const char *q = *s; (p = strstr(q, needle)); q = p + nl) {
                memcpy(o, q, (size_t) (p - q));
                o += p - q;
                memcpy(o, rep, rl);
                o += rl;
                if (!strstr(p + nl, needle)) {
                        strcpy(o, p + nl);
                        break;
                }
        }
        explicit_bzero(*s, strlen(*s));
        free(*s);
        *s = out;
        return 0;
}

char *scrub_string(const char *s)
{
        _cleanup_free_ char *c = NULL;
        const char *u, *q;
        size_t n;

        if (!s)
                return NULL;
        c = strdup(s);
        if (!c)
                return NULL;
        /* Secrets first (a password may sit in userinfo), longest effect irrelevant: each is
         * replaced wherever it is. */
        for (size_t i = 0; (q = secret_next(&i));)
                if (replace_all(&c, q, SCRUB_REPLACEMENT) < 0)
                        return NULL;
        while ((u = find_userinfo(c, &n)))
                memmove((char *) u, u + n, strlen(u + n) + 1);
        return TAKE_PTR(c);
}

const char *scrubbed(const char *s, char **buf)
{
        if (!s || !scrub_needed(s))
                return s;
        *buf = scrub_string(s);
        return *buf ? *buf : SCRUB_REPLACEMENT;
}
