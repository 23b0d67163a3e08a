/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/time-util.h"

/* Reads the decimal digits at *p (at least one) into *ret and moves *p past them. Returns 0,
 * -EINVAL if *p is not at a digit, -ERANGE on overflow. */
static int parse_digits(const char **p, unsigned long long *ret)
{
        unsigned long long n = 0;
        const char *q = *p;

        if (*q < '0' || *q > '9')
                return -EINVAL;
        while (*q >= '0' && *q <= '9') {
                if (n > (ULLONG_MAX - 9) / 10)
                        return -ERANGE;
                n = n * 10 + (unsigned long long) (*q - '0');
                q++;
        }
        *p = q;
        *ret = n;
        return 0;
}

/* "30s", "10min", "6h", "14d", "2w", "1h30m", "0". */
int parse_duration(const char *s, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                {"seconds", USEC_PER_SEC},  {"second", USEC_PER_SEC},     {"sec", USEC_PER_SEC},
                {"s", USEC_PER_SEC},        {"minutes", USEC_PER_MINUTE}, {"minute", USEC_PER_MINUTE},
                {"min", USEC_PER_MINUTE},   {"m", USEC_PER_MINUTE},       {"hours", USEC_PER_HOUR},
                {"hour", USEC_PER_HOUR},    {"h", USEC_PER_HOUR},         {"days", USEC_PER_DAY},
                {"day", USEC_PER_DAY},      {"d", USEC_PER_DAY},          {"weeks", 7 * USEC_PER_DAY},
                {"week", 7 * USEC_PER_DAY}, {"w", 7 * USEC_PER_DAY},
        };
        uint64_t total = 0;
        const char *p = s;
        int r;

        if (!s || !*s)
                return -EINVAL;
        if (streq(s, "0")) {
                *ret = 0;
                return 0;
        }
        while (*p) {
                unsigned long long n = 0;
                bool matched = false;

                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                r = parse_digits(&p, &n);
                if (r < 0)
                        return r;
                while (*p == ' ')
                        p++;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);
                        if (strneq(p, units[i].suffix, l) &&
                            !((p[l] >= 'a' && p[l] <= 'z') || (p[l] >= 'A' && p[l] <= 'Z'))) {
                                if (n > UINT64_MAX / units[i].usec || total > UINT64_MAX - n * units[i].usec)
                                        return -ERANGE;
                                total += n * units[i].usec;
                                p += l;
                                matched = true;
                                break;
                        }
                }
                if (!matched)
                        return -EINVAL;
        }
        *ret = total;
        return 0;
}

/* Bytes, or a number with B, K/KiB, M/MiB, G/GiB (powers of 1024) or KB, MB, GB (powers of 1000). */
int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t factor;
        } units[] = {
                {"", 1},
                {"B", 1},
                {"K", UINT64_C(1) << 10},
                {"KiB", UINT64_C(1) << 10},
                {"M", UINT64_C(1) << 20},
                {"MiB", UINT64_C(1) << 20},
                {"G", UINT64_C(1) << 30},
                {"GiB", UINT64_C(1) << 30},
                {"KB", UINT64_C(1000)},
                {"MB", UINT64_C(1000000)},
                {"GB", UINT64_C(1000000000)},
        };
        unsigned long long n = 0;
        const char *p = s;
        int r;

        if (!s)
                return -EINVAL;
        r = parse_digits(&p, &n);
        if (r < 0)
                return r;
        while (*p == ' ')
                p++;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(p, units[i].suffix)) {
                        if (n > UINT64_MAX / units[i].factor)
                                return -ERANGE;
                        *ret = n * units[i].factor;
                        return 0;
                }
        return -EINVAL;
}

int parse_decimal(const char *s, double *ret)
{
        const char *p = s;
        bool digits = false;
        char *end = NULL;
        double d;

        if (!s)
                return -EINVAL;
        if (*p == '+' || *p == '-')
                p++;
        while (*p >= '0' && *p <= '9')
                p++, digits = true;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        digits = true;
        if (!digits)
                return -EINVAL;
        if (*p == 'e' || *p == 'E') {
                p++;
                if (*p == '+' || *p == '-')
                        p++;
                if (!(*p >= '0' && *p <= '9'))
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p)
                return -EINVAL;
        errno = 0;
        d = strtod(s, &end); /* the programs never call setlocale(LC_NUMERIC) */
        if (!end || *end)
                return -EINVAL;
        if (errno == ERANGE && isinf(d))
                return -ERANGE;
        if (!isfinite(d))
                return -ERANGE;
        *ret = d;
        return 0;
}

bool name_is_identifier(const char *s)
{
        if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_'))
                        return false;
        return true;
}

bool name_is_valid_id(const char *s)
{
        if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-' || *p == '.'))
                        return false;
        return true;
}
