/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"

static const char *const period_freq_table[_PERIOD_FREQ_MAX] = {
        [PERIOD_YEAR] = "year",   [PERIOD_HALF] = "half",  [PERIOD_QUARTER] = "quarter",
        [PERIOD_MONTH] = "month", [PERIOD_QMAT] = "qmat",
};

DEFINE_STRING_TABLE_LOOKUP(period_freq, PeriodFreq)

int period_freq_per_year(PeriodFreq f)
{
        switch (f) {
        case PERIOD_YEAR:
                return 1;
        case PERIOD_HALF:
                return 2;
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return 4;
        case PERIOD_MONTH:
                return 12;
        default:
                return 0;
        }
}

bool period_is_valid(Period p)
{
        int n = period_freq_per_year(p.freq);

        if (n == 0 || p.year < 1900 || p.year > 9999)
                return false;
        if (p.freq == PERIOD_YEAR)
                return p.sub == 0;
        return p.sub >= 1 && p.sub <= n;
}

/* Parses 1-2 (or exactly `width` if width > 0) digits at s; returns chars consumed or -1. */
static int parse_digits(const char *s, int min_width, int max_width, int *ret)
{
        int v = 0, i = 0;

        while (i < max_width && isdigit((unsigned char) s[i])) {
                v = v * 10 + (s[i] - '0');
                i++;
        }
        if (i < min_width)
                return -1;
        *ret = v;
        return i;
}

int period_parse(const char *s, Period *ret)
{
        Period p = {};
        int k, sub;

        if (!s)
                return -EINVAL;
        k = parse_digits(s, 4, 4, &p.year);
        if (k != 4)
                return -EINVAL;
        s += 4;

        if (*s == 0) {
                p.freq = PERIOD_YEAR;
        } else if (strncasecmp(s, "QMAT", 4) == 0) {
                p.freq = PERIOD_QMAT;
                s += 4;
        } else {
                switch (toupper((unsigned char) *s)) {
                case 'H':
                        p.freq = PERIOD_HALF;
                        break;
                case 'K':
                case 'Q':
                        p.freq = PERIOD_QUARTER;
                        break;
                case 'M':
                        p.freq = PERIOD_MONTH;
                        break;
                default:
                        return -EINVAL;
                }
                s++;
        }

        if (p.freq != PERIOD_YEAR) {
                k = parse_digits(s, 1, 2, &sub);
                if (k < 0 || s[k] != 0)
                        return -EINVAL;
                p.sub = sub;
        }
        if (!period_is_valid(p))
                return -EINVAL;
        *ret = p;
        return 0;
}

char *period_to_string(Period p, char buf[static PERIOD_STRING_MAX])
{
        switch (p.freq) {
        case PERIOD_YEAR:
                snprintf(buf, PERIOD_STRING_MAX, "%04d", p.year);
                break;
        case PERIOD_HALF:
                snprintf(buf, PERIOD_STRING_MAX, "%04dH%d", p.year, p.sub);
                break;
        case PERIOD_QUARTER:
                snprintf(buf, PERIOD_STRING_MAX, "%04dQ%d", p.year, p.sub);
                break;
        case PERIOD_MONTH:
                snprintf(buf, PERIOD_STRING_MAX, "%04dM%02d", p.year, p.sub);
                break;
        case PERIOD_QMAT:
                snprintf(buf, PERIOD_STRING_MAX, "%04dQMAT%02d", p.year, p.sub);
                break;
        default:
                snprintf(buf, PERIOD_STRING_MAX, "?");
        }
        return buf;
}

static int64_t floordiv(int64_t a, int64_t b)
{
        int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0)))
                q--;
        return q;
}

Period period_from_index(PeriodFreq f, int64_t index)
{
        int n = period_freq_per_year(f);

        if (f == PERIOD_YEAR)
                return (Period){ .freq = f, .year = (int) index, .sub = 0 };
        return (Period){ .freq = f, .year = (int) floordiv(index, n), .sub = (int) (index - floordiv(index, n) * n) + 1 };
}

Period period_add(Period p, int64_t n)
{
        return period_from_index(p.freq, period_index(p) + n);
}

static int first_month(Period p)
{
        switch (p.freq) {
        case PERIOD_YEAR:
                return 1;
        case PERIOD_HALF:
                return (p.sub - 1) * 6 + 1;
        case PERIOD_QUARTER:
                return (p.sub - 1) * 3 + 1;
        case PERIOD_MONTH:
                return p.sub;
        default:
                return 1;
        }
}

static int last_month(Period p)
{
        switch (p.freq) {
        case PERIOD_YEAR:
                return 12;
        case PERIOD_HALF:
                return p.sub * 6;
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return p.sub * 3;
        case PERIOD_MONTH:
                return p.sub;
        default:
                return 12;
        }
}

Date period_first_day(Period p)
{
        if (p.freq == PERIOD_QMAT) {
                /* twelve months ending with quarter sub */
                int m = p.sub * 3 + 1, y = p.year - 1;
                if (m > 12) {
                        m -= 12;
                        y++;
                }
                return (Date){ y, m, 1 };
        }
        return (Date){ p.year, first_month(p), 1 };
}

Date period_last_day(Period p)
{
        int m = last_month(p);
        return (Date){ p.year, m, date_days_in_month(p.year, m) };
}

Period period_containing(PeriodFreq f, Date d)
{
        switch (f) {
        case PERIOD_YEAR:
                return (Period){ f, d.year, 0 };
        case PERIOD_HALF:
                return (Period){ f, d.year, d.month <= 6 ? 1 : 2 };
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return (Period){ f, d.year, (d.month - 1) / 3 + 1 };
        case PERIOD_MONTH:
                return (Period){ f, d.year, d.month };
        default:
                return (Period){ _PERIOD_FREQ_INVALID, 0, 0 };
        }
}

bool period_contains(Period outer, Period inner)
{
        return date_compare(period_first_day(outer), period_first_day(inner)) <= 0 &&
               date_compare(period_last_day(inner), period_last_day(outer)) <= 0;
}

int period_compare(Period a, Period b)
{
        int r = date_compare(period_first_day(a), period_first_day(b));
        if (r != 0)
                return r;
        /* same start: the longer period first */
        r = date_compare(period_last_day(b), period_last_day(a));
        if (r != 0)
                return r;
        return (a.freq > b.freq) - (a.freq < b.freq);
}

static bool is_leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int year, int month)
{
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (month < 1 || month > 12)
                return 0;
        return days[month - 1] + (month == 2 && is_leap(year));
}

bool date_is_valid(Date d)
{
        return d.year >= 1900 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
               d.day <= date_days_in_month(d.year, d.month);
}

int date_parse(const char *s, Date *ret)
{
        Date d;
        int k;

        if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        if (parse_digits(s, 4, 4, &d.year) != 4 || parse_digits(s + 5, 2, 2, &d.month) != 2 ||
            (k = parse_digits(s + 8, 2, 2, &d.day)) != 2)
                return -EINVAL;
        if (!date_is_valid(d))
                return -EINVAL;
        *ret = d;
        return 0;
}

int date_compare(Date a, Date b)
{
        if (a.year != b.year)
                return a.year < b.year ? -1 : 1;
        if (a.month != b.month)
                return a.month < b.month ? -1 : 1;
        if (a.day != b.day)
                return a.day < b.day ? -1 : 1;
        return 0;
}

/* Howard Hinnant's days_from_civil */
int64_t date_to_days(Date d)
{
        int64_t y = d.year - (d.month <= 2);
        int64_t era = floordiv(y, 400);
        int64_t yoe = y - era * 400;
        int64_t mp = (d.month + 9) % 12;
        int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

Date date_from_days(int64_t z)
{
        z += 719468;
        int64_t era = floordiv(z, 146097);
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        return (Date){ (int) (y + (m <= 2)), m, d };
}

int date_weekday(Date d)
{
        /* 1970-01-01 was a Thursday (3 when Monday = 0) */
        int64_t w = (date_to_days(d) + 3) % 7;
        return (int) (w < 0 ? w + 7 : w);
}

bool period_members(Period P, PeriodFreq f, int64_t *ret_first, int64_t *ret_last)
{
        Date a = period_first_day(P), b = period_last_day(P);
        int64_t first = period_index(period_containing(f, a)), last = period_index(period_containing(f, b));

        for (; first <= last; first++) {
                Period q = period_from_index(f, first);
                if (f == PERIOD_QMAT ? date_compare(period_last_day(q), a) >= 0 : period_contains(P, q))
                        break;
        }
        for (; last >= first; last--) {
                Period q = period_from_index(f, last);
                if (f == PERIOD_QMAT ? date_compare(period_last_day(q), b) <= 0 : period_contains(P, q))
                        break;
        }
        *ret_first = first;
        *ret_last = last;
        return first <= last;
}
