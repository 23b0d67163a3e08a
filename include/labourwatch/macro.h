/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Small helpers for ownership and error handling, in the spirit of systemd's macro.h.
 * GCC/Clang only (cleanup attribute). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Returns the pointer and leaves NULL behind, so a _cleanup_ variable gives up ownership. */
#define TAKE_PTR(p)                                                                                          \
        ({                                                                                                   \
                __typeof__(p) _ptr_ = (p);                                                                   \
                (p) = NULL;                                                                                  \
                _ptr_;                                                                                       \
        })

#define TAKE_FD(fd)                                                                                          \
        ({                                                                                                   \
                int _fd_ = (fd);                                                                             \
                (fd) = -1;                                                                                   \
                _fd_;                                                                                        \
        })

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline const char *strempty(const char *s)
{
        return s ? s : "";
}

static inline const char *strna(const char *s)
{
        return s ? s : "n/a";
}

/* Defines name##p(type *p) calling func(*p) when *p is not NULL, for _cleanup_. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                              \
        static inline void func##p(type *p)                                                                  \
        {                                                                                                    \
                if (*p)                                                                                      \
                        func(*p);                                                                            \
        }

/* Enum <-> string tables. A table is `static const char *const NAME_table[_X_MAX]`, indexed by the
 * enum; NULL entries are skipped. to_string returns NULL for an out-of-range value; from_string
 * returns -EINVAL (the enum's _X_INVALID) for NULL or an unknown string.
 *
 *     static const char *const goal_kind_table[_GOAL_KIND_MAX] = { [GOAL_KIND_LEVEL] = "level", … };
 *     DEFINE_STRING_TABLE_LOOKUP(goal_kind, GoalKind);
 *
 * defines goal_kind_to_string(GoalKind) and goal_kind_from_string(const char *). The _TO_STRING /
 * _FROM_STRING variants define one direction only; the scope (static or not) goes in front. */
static inline const char *string_table_lookup_to_string(const char *const *table, size_t n, int i)
{
        if (i < 0 || (size_t) i >= n)
                return NULL;
        return table[i];
}

static inline int string_table_lookup_from_string(const char *const *table, size_t n, const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                                     \
        const char *name##_to_string(type v)                                                                 \
        {                                                                                                    \
                return string_table_lookup_to_string(name##_table, ELEMENTSOF(name##_table), (int) v);      \
        }

#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)                                                   \
        type name##_from_string(const char *s)                                                               \
        {                                                                                                    \
                return (type) string_table_lookup_from_string(name##_table, ELEMENTSOF(name##_table), s);  \
        }

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                                               \
        DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                                     \
        DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)

static inline void freep(void *p)
{
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

void closep(int *fd);
#define _cleanup_close_ _cleanup_(closep)

/* Checked allocation helpers: return NULL on overflow or OOM, never abort. */
void *xmalloc_array(size_t n, size_t size);
void *xrealloc_array(void *p, size_t n, size_t size);

/* Grows *p (of *alloc elements) so it holds at least need elements. Returns 0 or -ENOMEM. */
int greedy_realloc(void **p, size_t *alloc, size_t need, size_t size);
#define GREEDY_REALLOC(p, alloc, need) greedy_realloc((void **) &(p), &(alloc), (need), sizeof((p)[0]))

/* strdup that accepts NULL. */
char *strdup_or_null(const char *s);

/* Formatted allocation: returns a malloc'd string or NULL on OOM. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);

/* Checked number parsing: the whole string must be consumed. 0 or -EINVAL/-ERANGE. */
int safe_atoi(const char *s, int *ret);
int safe_atou64(const char *s, unsigned long long *ret);
int safe_atod(const char *s, double *ret); /* C locale, '.' decimal point */

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. Returns 0 or negative errno;
 * caller owns *ret. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
