/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Periods of official statistics (year, half-year, quarter, month, QMAT) and calendar dates.
 * Pure: no I/O, no clock, no globals. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum PeriodFreq {
        PERIOD_YEAR,    /* "2024" */
        PERIOD_HALF,    /* "2024H1" */
        PERIOD_QUARTER, /* "2024K2" (DST code), "2024Q2" (English text, Jobindsats) */
        PERIOD_MONTH,   /* "2024M06" */
        PERIOD_QMAT,    /* "2024QMAT02": Jobindsats moving annual total ending in quarter 2 */
        _PERIOD_FREQ_MAX,
        _PERIOD_FREQ_INVALID = -EINVAL,
} PeriodFreq;

typedef struct Period {
        PeriodFreq freq;
        int year; /* 1900..9999 */
        int sub;  /* month 1-12, quarter 1-4, half 1-2; 0 for a year */
} Period;

typedef struct Date {
        int year, month, day;
} Date;

const char *period_freq_to_string(PeriodFreq f); /* "year", "half", "quarter", "month", "qmat" */
PeriodFreq period_freq_from_string(const char *s);

/* Number of periods of this frequency in one year (1, 2, 4, 12, 4). */
int period_freq_per_year(PeriodFreq f);

/* Parses a period code: 2024, 2024H1, 2024K2, 2024Q2, 2024k2, 2024M06, 2024M6, 2024QMAT02.
 * Surrounding whitespace is not accepted. Returns 0 or -EINVAL. */
int period_parse(const char *s, Period *ret);

/* Canonical code: 2024, 2024H1, 2024Q2, 2024M06, 2024QMAT02. buf must hold PERIOD_STRING_MAX.
 * Returns buf. */
#define PERIOD_STRING_MAX 16
char *period_to_string(Period p, char buf[static PERIOD_STRING_MAX]);

bool period_is_valid(Period p);

/* Orders by start date, then by length (longer first). */
int period_compare(Period a, Period b);
static inline bool period_equal(Period a, Period b)
{
        return a.freq == b.freq && a.year == b.year && a.sub == b.sub;
}

/* Consecutive index within the frequency: year*per_year + (sub-1). Differences of indices of the
 * same frequency count periods. */
static inline int64_t period_index(Period p)
{
        /* inline: the goal engine calls it for every point it reads (per_year as
         * period_freq_per_year()) */
        switch (p.freq) {
        case PERIOD_YEAR:
                return p.year;
        case PERIOD_HALF:
                return (int64_t) p.year * 2 + (p.sub - 1);
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return (int64_t) p.year * 4 + (p.sub - 1);
        case PERIOD_MONTH:
                return (int64_t) p.year * 12 + (p.sub - 1);
        default:
                return p.sub - 1;
        }
}
Period period_from_index(PeriodFreq f, int64_t index);
Period period_add(Period p, int64_t n);

/* First and last calendar day of the period. A QMAT period covers the twelve months ending with
 * its quarter. */
Date period_first_day(Period p);
Date period_last_day(Period p);

/* The period of frequency f that contains the date. For QMAT: the one ending in d's quarter. */
Period period_containing(PeriodFreq f, Date d);

/* Does outer contain inner entirely (by calendar days)? */
bool period_contains(Period outer, Period inner);

/* The index range [*ret_first, *ret_last] of the periods of frequency f that lie inside P; for QMAT
 * (a moving year) those that end inside P. Returns false if there are none. */
bool period_members(Period P, PeriodFreq f, int64_t *ret_first, int64_t *ret_last);

/* Dates. */
bool date_is_valid(Date d);
int date_parse(const char *s, Date *ret); /* YYYY-MM-DD; 0 or -EINVAL */
int date_compare(Date a, Date b);
int64_t date_to_days(Date d); /* days since 1970-01-01 (proleptic Gregorian) */
Date date_from_days(int64_t days);
int date_days_in_month(int year, int month);
int date_weekday(Date d); /* 0 = Monday .. 6 = Sunday */
