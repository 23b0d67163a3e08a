/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Numbers, periods and dates as people read them, in Danish (the default) and English:
 *     da: 1.234,5   -3   juni 2024   2. kvt. 2024   1. halvår 2024   15. juli 2024
 *     en: 1,234.5   -3   June 2024   Q2 2024        H1 2024          15 July 2024
 * Independent of the process locale. Pure: no I/O, no globals. Every function writes a
 * NUL-terminated string into buf (truncating if needed) and returns buf. */

#include <errno.h>
#include <stddef.h>

#include "labourwatch/period.h"

typedef enum Language {
        LANGUAGE_DA,
        LANGUAGE_EN,
        _LANGUAGE_MAX,
        _LANGUAGE_INVALID = -EINVAL,
} Language;

const char *language_to_string(Language l);  /* "da", "en" */
Language language_from_string(const char *s); /* "da", "en" (also "da_DK…", "en_GB…") */

#define FORMAT_NUMBER_MAX 64
#define FORMAT_PERIOD_MAX 64

/* Fixed number of decimals, rounded half away from zero, with thousands separators. A value that
 * rounds to zero never shows a minus sign. Non-finite values format as "–" (never "nan"/"inf"). */
char *format_number(double v, int decimals, Language l, char *buf, size_t size);

/* As format_number, with an explicit '+' on positive values ("+1", "-3", "0"). */
char *format_signed(double v, int decimals, Language l, char *buf, size_t size);

/* One decimal, or none when the value is a whole number after rounding to one decimal:
 * 381,2  380  (for counts, ranks and levels alike). */
char *format_value(double v, Language l, char *buf, size_t size);
char *format_value_signed(double v, Language l, char *buf, size_t size);

/* "juni 2024", "2. kvt. 2024", "1. halvår 2024", "2024", "12 mdr. til og med 2. kvt. 2024";
 * "June 2024", "Q2 2024", "H1 2024", "2024", "12 months to Q2 2024". */
char *format_period(Period p, Language l, char *buf, size_t size);

/* For tables: "jun. 2024", "2. kvt. 2024", "1. halvår 2024", "2024", "12 mdr. t.o.m. 2. kvt. 2024";
 * "Jun 2024", "Q2 2024", "H1 2024", "2024", "12 mo. to Q2 2024". */
char *format_period_short(Period p, Language l, char *buf, size_t size);

/* From a to b (same frequency): "januar–juni 2024", "1.–2. kvt. 2024", "december 2023–januar 2024",
 * "2023–2024"; "January–June 2024", "Q1–Q2 2024". a == b, or a moving year (QMAT): format_period(b). */
char *format_period_range(Period a, Period b, Language l, char *buf, size_t size);

/* Text for people writes a minus as "−" (U+2212), not a hyphen: replaces a leading '-' of buf in
 * place (when it fits in size) and returns buf. */
char *format_minus(char *buf, size_t size);

/* "15. juli 2024" / "15 July 2024". */
char *format_date(Date d, Language l, char *buf, size_t size);

/* The name of one period of a frequency, for "per …" phrases: "måned"/"month", "kvartal"/"quarter",
 * "halvår"/"half-year", "år"/"year". */
const char *format_freq_unit(PeriodFreq f, Language l);
