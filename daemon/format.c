/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locale-independent number, period and date formatting for Danish and English text. */
#include <math.h>
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
static const char *const months_en[12] = { "January", "February", "March",     "April",   "May",      "June",
                                           "July",    "August",   "September", "October", "November", "December" };

static char *number(double v, int decimals, bool plus, Language l, char *buf, size_t size)
{
        char digits[FORMAT_NUMBER_MAX], out[FORMAT_NUMBER_MAX * 2];
        const char *thousands = l == LANGUAGE_EN ? "," : ".", *point = l == LANGUAGE_EN ? "." : ",";
        double scale, r;
        size_t n_int, o = 0;
        bool neg;

        if (size == 0)
                return buf;
        decimals = MAX(0, MIN(decimals, 6));
        if (!isfinite(v) || fabs(v) >= 1e15) {
                snprintf(buf, size, "–");
                return buf;
        }
        scale = pow(10, decimals);
        r = round(fabs(v) * scale); /* round() rounds half away from zero */
        neg = v < 0 && r != 0;
        /* digits of the rounded magnitude, then split into integer and fraction */
        snprintf(digits, sizeof(digits), "%.0f", r);
        size_t len = strlen(digits);
        if (len <= (size_t) decimals) {
                /* pad with leading zeros so there is at least one integer digit */
                char tmp[FORMAT_NUMBER_MAX];
                size_t pad = (size_t) decimals + 1 - len;
                memset(tmp, '0', pad);
                memcpy(tmp + pad, digits, len + 1);
                memcpy(digits, tmp, pad + len + 1);
                len += pad;
        }
        n_int = len - (size_t) decimals;

        if (neg)
                out[o++] = '-';
        else if (plus && r != 0)
                out[o++] = '+';
        for (size_t i = 0; i < n_int; i++) {
                if (i > 0 && (n_int - i) % 3 == 0)
                        o += (size_t) snprintf(out + o, sizeof(out) - o, "%s", thousands);
                out[o++] = digits[i];
        }
        if (decimals > 0) {
                o += (size_t) snprintf(out + o, sizeof(out) - o, "%s", point);
                memcpy(out + o, digits + n_int, (size_t) decimals);
                o += (size_t) decimals;
        }
        out[o] = 0;
        snprintf(buf, size, "%s", out);
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

char *format_period(Period p, Language l, char *buf, size_t size)
{
        bool en = l == LANGUAGE_EN;

        if (!period_is_valid(p)) {
                snprintf(buf, size, "?");
                return buf;
        }
        switch (p.freq) {
        case PERIOD_YEAR:
                snprintf(buf, size, "%d", p.year);
                break;
        case PERIOD_HALF:
                if (en)
                        snprintf(buf, size, "H%d %d", p.sub, p.year);
                else
                        snprintf(buf, size, "%d. halvår %d", p.sub, p.year);
                break;
        case PERIOD_QUARTER:
                if (en)
                        snprintf(buf, size, "Q%d %d", p.sub, p.year);
                else
                        snprintf(buf, size, "%d. kvt. %d", p.sub, p.year);
                break;
        case PERIOD_MONTH:
                snprintf(buf, size, "%s %d", (en ? months_en : months_da)[p.sub - 1], p.year);
                break;
        case PERIOD_QMAT:
                if (en)
                        snprintf(buf, size, "12 months to Q%d %d", p.sub, p.year);
                else
                        snprintf(buf, size, "12 mdr. til og med %d. kvt. %d", p.sub, p.year);
                break;
        default:
                snprintf(buf, size, "?");
        }
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
