/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locale-independent number, period and date formatting for Danish and English text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "labourwatch/format.h"
#include "labourwatch/macro.h"

static const char *const language_table[_LANGUAGE_MAX] = {
        [LANGUAGE_DA] = "da",
        [LANGUAGE_EN] = "en",
};

const char *language_to_string(Language l)
{
        return l >= 0 && l < _LANGUAGE_MAX ? language_table[l] : NULL;
}

Language language_from_string(const char *s)
{
        if (!s)
                return _LANGUAGE_INVALID;
        for (int l = 0; l < _LANGUAGE_MAX; l++) {
                size_t n = strlen(language_table[l]);
                if (strncasecmp(s, language_table[l], n) == 0 && (s[n] == 0 || s[n] == '_' || s[n] == '-'))
                        return (Language) l;
        }
        return _LANGUAGE_INVALID;
}

static const char *const months_da[12] = { "januar", "februar", "marts",     "april",   "maj",      "juni",
                                           "juli",   "august",  "september", "oktober", "november", "december" };
static const char *const months_da_short[12] = { "jan.", "feb.", "mar.", "apr.", "maj",  "jun.",
                                                 "jul.", "aug.", "sep.", "okt.", "nov.", "dec." };
static const char *const months_en_short[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const months_en[12] = { "January", "February", "March",     "April",   "May",      "June",
                                           "July",    "August",   "September", "October", "November", "December" };

/* Hot in bulk evaluation (two explanations per goal), so digits are produced by integer arithmetic
 * rather than through printf's floating-point path. */
static char *number(double v, int decimals, bool plus, Language l, char *buf, size_t size)
{
        static const double scales[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
        char digits[32], out[FORMAT_NUMBER_MAX];
        const char thousands = l == LANGUAGE_EN ? ',' : '.', point = l == LANGUAGE_EN ? '.' : ',';
        size_t len = 0, n_int, o = 0;
        uint64_t r;
        bool neg;

        if (size == 0)
                return buf;
        decimals = MAX(0, MIN(decimals, 6));
        if (!isfinite(v) || fabs(v) * scales[decimals] >= 1e17) {
                snprintf(buf, size, "–");
                return buf;
        }
        r = (uint64_t) llround(fabs(v) * scales[decimals]); /* half away from zero */
        neg = v < 0 && r != 0;
        plus = plus && r != 0;
        do {
                digits[len++] = (char) ('0' + r % 10);
                r /= 10;
        } while (r > 0 || len <= (size_t) decimals); /* at least one integer digit */
        n_int = len - (size_t) decimals;

        if (neg)
                out[o++] = '-';
        else if (plus)
                out[o++] = '+';
        for (size_t i = 0; i < n_int; i++) {
                if (i > 0 && (n_int - i) % 3 == 0)
                        out[o++] = thousands;
                out[o++] = digits[len - 1 - i];
        }
        if (decimals > 0) {
                out[o++] = point;
                for (size_t i = n_int; i < len; i++)
                        out[o++] = digits[len - 1 - i];
        }
        out[o] = 0;
        if (o < size)
                memcpy(buf, out, o + 1);
        else {
                memcpy(buf, out, size - 1);
                buf[size - 1] = 0;
        }
        return buf;
}

char *format_number(double v, int decimals, Language l, char *buf, size_t size)
{
        return number(v, decimals, false, l, buf, size);
}

char *format_signed(double v, int decimals, Language l, char *buf, size_t size)
{
        return number(v, decimals, true, l, buf, size);
}

static int auto_decimals(double v)
{
        double t = round(fabs(v) * 10);
        return fmod(t, 10) == 0 ? 0 : 1;
}

char *format_value(double v, Language l, char *buf, size_t size)
{
        return number(v, isfinite(v) ? auto_decimals(v) : 0, false, l, buf, size);
}

char *format_value_signed(double v, Language l, char *buf, size_t size)
{
        return number(v, isfinite(v) ? auto_decimals(v) : 0, true, l, buf, size);
}

/* Appends s to buf at *n (bounded). */
static void put(char *buf, size_t size, size_t *n, const char *s)
{
        size_t k = strlen(s);
        if (*n >= size)
                return;
        k = MIN(k, size - 1 - *n);
        memcpy(buf + *n, s, k);
        *n += k;
        buf[*n] = 0;
}

static void put_int(char *buf, size_t size, size_t *n, int v)
{
        char d[16], o[16];
        size_t k = 0, j = 0;
        unsigned u = v < 0 ? 0u - (unsigned) v : (unsigned) v;
        do {
                d[k++] = (char) ('0' + u % 10);
                u /= 10;
        } while (u > 0);
        if (v < 0)
                o[j++] = '-';
        while (k > 0)
                o[j++] = d[--k];
        o[j] = 0;
        put(buf, size, n, o);
}

/* A half-year or quarter number: "H1 " / "Q2 " in English, "1. halvår " / "2. kvt. " in Danish. */
static void put_sub(char *buf, size_t size, size_t *n, bool en, const char *en_prefix, int sub,
                    const char *da_suffix)
{
        if (en) {
                put(buf, size, n, en_prefix);
                put_int(buf, size, n, sub);
                put(buf, size, n, " ");
        } else {
                put_int(buf, size, n, sub);
                put(buf, size, n, da_suffix);
        }
}

/* Built by hand rather than with snprintf: several periods are formatted per goal evaluation. */
char *format_period(Period p, Language l, char *buf, size_t size)
{
        bool en = l == LANGUAGE_EN;
        size_t n = 0;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!period_is_valid(p)) {
                put(buf, size, &n, "?");
                return buf;
        }
        switch (p.freq) {
        case PERIOD_YEAR:
                break;
        case PERIOD_HALF:
                put_sub(buf, size, &n, en, "H", p.sub, ". halvår ");
                break;
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                if (p.freq == PERIOD_QMAT)
                        put(buf, size, &n, en ? "12 months to " : "12 mdr. til og med ");
                put_sub(buf, size, &n, en, "Q", p.sub, ". kvt. ");
                break;
        case PERIOD_MONTH:
                put(buf, size, &n, (en ? months_en : months_da)[(unsigned) (p.sub - 1) % 12]);
                put(buf, size, &n, " ");
                break;
        default:
                put(buf, size, &n, "?");
                return buf;
        }
        put_int(buf, size, &n, p.year);
        return buf;
}

char *format_date(Date d, Language l, char *buf, size_t size)
{
        if (!date_is_valid(d))
                snprintf(buf, size, "?");
        else if (l == LANGUAGE_EN)
                snprintf(buf, size, "%d %s %d", d.day, months_en[d.month - 1], d.year);
        else
                snprintf(buf, size, "%d. %s %d", d.day, months_da[d.month - 1], d.year);
        return buf;
}

const char *format_freq_unit(PeriodFreq f, Language l)
{
        bool en = l == LANGUAGE_EN;

        switch (f) {
        case PERIOD_YEAR:
                return en ? "year" : "år";
        case PERIOD_HALF:
                return en ? "half-year" : "halvår";
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return en ? "quarter" : "kvartal";
        case PERIOD_MONTH:
                return en ? "month" : "måned";
        default:
                return en ? "period" : "periode";
        }
}

char *format_minus(char *buf, size_t size)
{
        size_t n;

        if (!buf || buf[0] != '-')
                return buf;
        /* "−" is 3 bytes in UTF-8: the string grows by 2 */
        n = strlen(buf);
        if (n + 2 >= size)
                return buf;
        memmove(buf + 3, buf + 1, n); /* with the NUL */
        memcpy(buf, "\xe2\x88\x92", 3);
        return buf;
}

char *format_period_short(Period p, Language l, char *buf, size_t size)
{
        bool en = l == LANGUAGE_EN;
        size_t n = 0;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!period_is_valid(p) || (p.freq != PERIOD_MONTH && p.freq != PERIOD_QMAT))
                return format_period(p, l, buf, size);
        if (p.freq == PERIOD_MONTH) {
                put(buf, size, &n, (en ? months_en_short : months_da_short)[(unsigned) (p.sub - 1) % 12]);
                put(buf, size, &n, " ");
                put_int(buf, size, &n, p.year);
                return buf;
        }
        if (!en)
                put(buf, size, &n, "12 mdr. t.o.m. ");
        put_sub(buf, size, &n, en, "12 mo. to Q", p.sub, ". kvt. ");
        put_int(buf, size, &n, p.year);
        return buf;
}

/* The part of a period's name before the year: "januar", "2.", "Q2", "H1", "" (year). */
static void period_head(Period p, Language l, bool full, char *buf, size_t size, size_t *n)
{
        bool en = l == LANGUAGE_EN;

        switch (p.freq) {
        case PERIOD_MONTH:
                put(buf, size, n, (en ? months_en : months_da)[(unsigned) (p.sub - 1) % 12]);
                break;
        case PERIOD_QUARTER:
                if (en)
                        put(buf, size, n, "Q");
                put_int(buf, size, n, p.sub);
                if (!en)
                        put(buf, size, n, full ? ". kvt." : ".");
                break;
        case PERIOD_HALF:
                if (en)
                        put(buf, size, n, "H");
                put_int(buf, size, n, p.sub);
                if (!en)
                        put(buf, size, n, full ? ". halvår" : ".");
                break;
        default:
                break;
        }
}

char *format_period_range(Period a, Period b, Language l, char *buf, size_t size)
{
        size_t n = 0;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!period_is_valid(a) || !period_is_valid(b) || a.freq != b.freq || period_equal(a, b) ||
            a.freq == PERIOD_QMAT)
                return format_period(b, l, buf, size);
        if (a.freq == PERIOD_YEAR) {
                put_int(buf, size, &n, a.year);
                put(buf, size, &n, "\xe2\x80\x93");
                put_int(buf, size, &n, b.year);
                return buf;
        }
        if (a.year == b.year) {
                /* "januar–juni 2024", "1.–2. kvt. 2024", "Q1–Q2 2024" */
                period_head(a, l, a.freq == PERIOD_MONTH, buf, size, &n);
                put(buf, size, &n, "\xe2\x80\x93");
                period_head(b, l, true, buf, size, &n);
                put(buf, size, &n, " ");
                put_int(buf, size, &n, b.year);
                return buf;
        }
        /* "december 2023–januar 2024" */
        format_period(a, l, buf, size);
        n = strlen(buf);
        put(buf, size, &n, "\xe2\x80\x93");
        char tail[FORMAT_PERIOD_MAX];
        put(buf, size, &n, format_period(b, l, tail, sizeof(tail)));
        return buf;
}
