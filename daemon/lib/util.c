/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labourwatch/fileio.h"
#include "labourwatch/macro.h"
#include "labourwatch/strv.h"
#include "labourwatch/time-util.h"

void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}

void *xmalloc_array(size_t n, size_t size)
{
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        return malloc(MAX(n * size, (size_t) 1));
}

void *xrealloc_array(void *p, size_t n, size_t size)
{
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        return realloc(p, MAX(n * size, (size_t) 1));
}

int greedy_realloc(void **p, size_t *alloc, size_t need, size_t size)
{
        size_t a;
        void *q;

        if (need <= *alloc)
                return 0;
        a = MAX(need, (size_t) 8);
        if (a < SIZE_MAX / 2)
                a = MAX(a, *alloc * 2);
        q = xrealloc_array(*p, a, size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *alloc = a;
        return 0;
}

char *strdup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

char *strdup_printf(const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

int safe_atoi(const char *s, int *ret)
{
        char *end = NULL;
        long l;

        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        l = strtol(s, &end, 10);
        if (errno > 0)
                return -errno;
        if (!end || *end)
                return -EINVAL;
        if (l < INT_MIN || l > INT_MAX)
                return -ERANGE;
        *ret = (int) l;
        return 0;
}

int safe_atou64(const char *s, unsigned long long *ret)
{
        char *end = NULL;
        unsigned long long u;

        if (!s || !*s || *s == '-')
                return -EINVAL;
        errno = 0;
        u = strtoull(s, &end, 10);
        if (errno > 0)
                return -errno;
        if (!end || *end)
                return -EINVAL;
        *ret = u;
        return 0;
}

int safe_atod(const char *s, double *ret)
{
        char *end = NULL;
        double d;

        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        d = strtod(s, &end); /* the daemon never calls setlocale(LC_NUMERIC) */
        if (errno > 0)
                return -errno;
        if (!end || *end)
                return -EINVAL;
        if (!isfinite(d))
                return -ERANGE;
        *ret = d;
        return 0;
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size)
{
        /* One reader for every file: regular files only, never blocking on a FIFO (fileio.h). */
        return read_regular_file(path, max, ret, ret_size);
}

usec_t now(clockid_t clock)
{
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return timespec_load(&ts);
}

void strv_free_n(char **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

char **strv_free(char **v)
{
        if (!v)
                return NULL;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
        return NULL;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

bool strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && s && v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

int strv_extend(char ***v, const char *s)
{
        size_t n = strv_length(*v);
        char **w, *c;

        c = strdup(s);
        if (!c)
                return -ENOMEM;
        w = xrealloc_array(*v, n + 2, sizeof(char *));
        if (!w) {
                free(c);
                return -ENOMEM;
        }
        w[n] = c;
        w[n + 1] = NULL;
        *v = w;
        return 0;
}
