/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/suggest.h"

/* The two-byte UTF-8 letters folded to ASCII: the Danish ones first (æ ø å, as Danish writes them
 * without the letters: "ae", "oe", "aa"), then the German and French ones seen in place names. */
static const struct {
        unsigned char b1, b2;
        const char *ascii;
} fold_table[] = {
        {0xC3, 0xA6, "ae"}, {0xC3, 0x86, "ae"}, /* æ Æ */
        {0xC3, 0xB8, "oe"}, {0xC3, 0x98, "oe"}, /* ø Ø */
        {0xC3, 0xA5, "aa"}, {0xC3, 0x85, "aa"}, /* å Å */
        {0xC3, 0xA4, "ae"}, {0xC3, 0x84, "ae"}, /* ä Ä */
        {0xC3, 0xB6, "oe"}, {0xC3, 0x96, "oe"}, /* ö Ö */
        {0xC3, 0xBC, "ue"}, {0xC3, 0x9C, "ue"}, /* ü Ü */
        {0xC3, 0xA9, "e"},  {0xC3, 0x89, "e"},  /* é É */
        {0xC3, 0xA8, "e"},  {0xC3, 0x88, "e"},  /* è È */
};

ssize_t suggest_fold(const char *s, char *buf, size_t size)
{
        size_t n = 0;

        assert(buf && size > 0);
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                char one[2] = {0, 0};
                const char *add = one;
                size_t k;

                if (*p >= 'A' && *p <= 'Z')
                        one[0] = (char) (*p - 'A' + 'a');
                else if (*p == ' ' || *p == '_' || *p == '-')
                        one[0] = '-';
                else
                        one[0] = (char) *p;
                k = 1;
                if (*p >= 0x80 && p[1])
                        for (size_t i = 0; i < ELEMENTSOF(fold_table); i++)
                                if (p[0] == fold_table[i].b1 && p[1] == fold_table[i].b2) {
                                        add = fold_table[i].ascii;
                                        k = 2;
                                        break;
                                }
                for (const char *a = add; *a; a++) {
                        if (n + 1 >= size) {
                                buf[n] = 0;
                                return -ENOBUFS;
                        }
                        buf[n++] = *a;
                }
                p += k;
        }
        buf[n] = 0;
        return (ssize_t) n;
}

bool suggest_same(const char *a, const char *b)
{
        char fa[SUGGEST_WORD_MAX + 1], fb[SUGGEST_WORD_MAX + 1];

        if (!a || !b)
                return false;
        if (suggest_fold(a, fa, sizeof(fa)) < 0 || suggest_fold(b, fb, sizeof(fb)) < 0)
                return streq(a, b);
        return streq(fa, fb);
}

/* The lower-case form of the character at *p (ASCII, or a two-byte Latin-1 letter as a code point),
 * moving *p past it. */
static unsigned lower_char(const unsigned char **p)
{
        const unsigned char *q = *p;

        if (q[0] == 0xC3 && q[1] >= 0x80 && q[1] <= 0xBF) {
                unsigned c = 0xC0u + (q[1] - 0x80u);
                *p += 2;
                return c >= 0xC0 && c <= 0xDE && c != 0xD7 ? c + 0x20 : c;
        }
        *p += 1;
        return q[0] >= 'A' && q[0] <= 'Z' ? q[0] + 0x20u : q[0];
}

bool suggest_caseeq(const char *a, const char *b)
{
        const unsigned char *p = (const unsigned char *) a, *q = (const unsigned char *) b;

        if (!a || !b)
                return false;
        while (*p && *q)
                if (lower_char(&p) != lower_char(&q))
                        return false;
        return !*p && !*q;
}

size_t suggest_distance(const char *a, const char *b, size_t max)
{
        /* Three rows of the optimal-string-alignment matrix; cells farther than max from the
         * diagonal cannot lead to a result within max and are kept at max + 1. */
        size_t la = strlen(a), lb = strlen(b), rows[3][SUGGEST_WORD_MAX + 1];
        size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
        const size_t inf = max + 1;

        if (la > SUGGEST_WORD_MAX || lb > SUGGEST_WORD_MAX)
                return inf;
        if ((la > lb ? la - lb : lb - la) > max)
                return inf;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = MIN(j, inf);
        for (size_t i = 1; i <= la; i++) {
                size_t lo = i > max ? i - max : 1, hi = MIN(lb, i + max), row_min = inf;
                size_t *t;

                for (size_t j = 0; j <= lb; j++)
                        cur[j] = inf;
                cur[0] = MIN(i, inf);
                for (size_t j = lo; j <= hi; j++) {
                        size_t d = MIN(prev[j] + 1, cur[j - 1] + 1);
                        d = MIN(d, prev[j - 1] + (a[i - 1] != b[j - 1]));
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                                d = MIN(d, pp[j - 2] + 1);
                        cur[j] = MIN(d, inf);
                        row_min = MIN(row_min, cur[j]);
                }
                if (row_min >= inf && cur[0] >= inf)
                        return inf;
                t = pp;
                pp = prev;
                prev = cur;
                cur = t;
        }
        return MIN(prev[lb], inf);
}

size_t suggest_max_distance(const char *word)
{
        size_t n = strlen(word);
        return n <= 3 ? 1 : n <= 7 ? 2 : 3;
}

ssize_t suggest_index(const char *word, const void *names, size_t n, size_t stride, size_t max)
{
        char fw[SUGGEST_WORD_MAX + 1];
        ssize_t best = -ENOENT;
        size_t best_d = max + 1;
        ssize_t lw;

        lw = suggest_fold(word, fw, sizeof(fw));
        if (lw <= 2)
                return -ENOENT; /* "de" is not a typo of "da" */
        if ((size_t) lw <= max)
                max = (size_t) lw - 1; /* fewer edits than the word has letters */
        best_d = max + 1;
        for (size_t i = 0; i < n; i++) {
                const char *name = *(const char *const *) ((const char *) names + i * stride);
                char fc[SUGGEST_WORD_MAX + 1];
                size_t d;

                if (!name || suggest_fold(name, fc, sizeof(fc)) < 0)
                        continue;
                d = suggest_distance(fw, fc, max);
                if (d < best_d) {
                        best_d = d;
                        best = (ssize_t) i;
                }
        }
        return best;
}
