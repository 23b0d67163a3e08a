/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Periods as people and publishers write them, beyond the codes source_parse_period() reads:
 * labels in JSON-stat time dimensions ("2005 - 1", "Sep 1999") and in spreadsheets saved as CSV
 * ("jan. 2024", "januar 2024", "K1 2024", "1. kvt. 2024", "01-01-2024"), and a per-series
 * time_format ("%Y - %q"). Pure: no I/O, no clock, no logging. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "source-internal.h"

/* Danish and English month names, full and abbreviated (ASCII only; "marts", "maj", "okt."). */
static const struct {
        const char *name;
        int month;
} month_names[] = {
        { "januar", 1 },    { "january", 1 },   { "jan", 1 },   { "februar", 2 },   { "february", 2 },
        { "feb", 2 },       { "marts", 3 },     { "march", 3 }, { "mar", 3 },       { "april", 4 },
        { "apr", 4 },       { "maj", 5 },       { "may", 5 },   { "juni", 6 },      { "june", 6 },
        { "jun", 6 },       { "juli", 7 },      { "july", 7 },  { "jul", 7 },       { "august", 8 },
        { "aug", 8 },       { "september", 9 }, { "sept", 9 },  { "sep", 9 },       { "oktober", 10 },
        { "october", 10 },  { "okt", 10 },      { "oct", 10 },  { "november", 11 }, { "nov", 11 },
        { "december", 12 }, { "dec", 12 },
};

static int month_from_name(const char *p, size_t n)
{
        for (size_t i = 0; i < ELEMENTSOF(month_names); i++)
                if (strlen(month_names[i].name) == n && strncasecmp(month_names[i].name, p, n) == 0)
                        return month_names[i].month;
        return 0;
}

static bool is_ascii_letter(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* A label split into words (letter runs, "halvår" kept whole) and numbers ("K1" is "K", "1"); the
 * first separator after each is remembered for dates ("01-01-2024"). */
#define LABEL_TOKENS_MAX 6
typedef struct Token {
        const char *p;
        size_t n;
        bool number;
        char sep_after; /* the first non-space separator after the token, or 0 */
} Token;

static int tokenize(const char *s, size_t len, Token *t, size_t *ret_n)
{
        size_t n = 0, i = 0;

        while (i < len) {
                char c = s[i];
                if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == ',' || c == '_') {
                        if (n > 0 && c != ' ' && c != '\t' && !t[n - 1].sep_after)
                                t[n - 1].sep_after = c;
                        i++;
                        continue;
                }
                if (n == LABEL_TOKENS_MAX)
                        return -EINVAL;
                t[n] = (Token){ .p = s + i };
                if (is_digit(c)) {
                        while (i < len && is_digit(s[i]))
                                i++;
                        t[n].number = true;
                } else if (is_ascii_letter(c) || (unsigned char) c >= 0x80) {
                        /* letters, and UTF-8 letters such as the å of "halvår" */
                        while (i < len && (is_ascii_letter(s[i]) || (unsigned char) s[i] >= 0x80))
                                i++;
                } else
                        return -EINVAL;
                t[n].n = (size_t) (s + i - t[n].p);
                n++;
        }
        *ret_n = n;
        return 0;
}

static int token_number(const Token *t, int max_digits)
{
        int v = 0;
        if (!t->number || t->n == 0 || t->n > (size_t) max_digits)
                return -1;
        for (size_t i = 0; i < t->n; i++)
                v = v * 10 + (t->p[i] - '0');
        return v;
}

static bool token_is(const Token *t, const char *word)
{
        return !t->number && t->n == strlen(word) && strncasecmp(t->p, word, t->n) == 0;
}

static int make_period(PeriodFreq f, int year, int sub, Period *ret)
{
        Period p = { f, year, f == PERIOD_YEAR ? 0 : sub };
        if (!period_is_valid(p))
                return -EINVAL;
        *ret = p;
        return 0;
}

/* "K1", "Q1", "H1" split as a word of one letter and a number */
static PeriodFreq freq_letter(const Token *t)
{
        if (token_is(t, "k") || token_is(t, "q") || token_is(t, "kvt") || token_is(t, "kvartal") ||
            token_is(t, "quarter") || token_is(t, "qtr"))
                return PERIOD_QUARTER;
        if (token_is(t, "h") || token_is(t, "s") || token_is(t, "halvår") || token_is(t, "half"))
                return PERIOD_HALF;
        if (token_is(t, "m"))
                return PERIOD_MONTH;
        return _PERIOD_FREQ_INVALID;
}

static int parse_tokens(const Token *t, size_t n, PeriodFreq freq_hint, PeriodFreq date_freq, Period *ret)
{
        int a, b, c, m;
        PeriodFreq f;

        if (n == 2) {
                /* "jan. 2024", "januar 2024", "Sep 1999" / "2024 jan" */
                if (!t[0].number && (m = month_from_name(t[0].p, t[0].n)) > 0 &&
                    (a = token_number(&t[1], 4)) >= 1000)
                        return make_period(PERIOD_MONTH, a, m, ret);
                if (!t[1].number && (m = month_from_name(t[1].p, t[1].n)) > 0 &&
                    (a = token_number(&t[0], 4)) >= 1000)
                        return make_period(PERIOD_MONTH, a, m, ret);
                /* "2005 - 1": the sub-period's kind only the series' frequency says */
                if ((a = token_number(&t[0], 4)) >= 1000 && t[0].n == 4 &&
                    (b = token_number(&t[1], 2)) >= 1) {
                        if (freq_hint != PERIOD_QUARTER && freq_hint != PERIOD_MONTH &&
                            freq_hint != PERIOD_HALF)
                                return -EDOM;
                        return make_period(freq_hint, a, b, ret);
                }
                /* "2024 Q1" written with the letter apart, "Q 1 2024" is n == 3 */
                return -EINVAL;
        }
        if (n == 3) {
                /* "K1 2024", "Q1 2024", "H1 2024" (letter and number split), "2024 K 1" */
                if ((f = freq_letter(&t[0])) >= 0 && (b = token_number(&t[1], 2)) >= 1 &&
                    (a = token_number(&t[2], 4)) >= 1000 && t[2].n == 4)
                        return make_period(f, a, b, ret);
                if ((a = token_number(&t[0], 4)) >= 1000 && t[0].n == 4 && (f = freq_letter(&t[1])) >= 0 &&
                    (b = token_number(&t[2], 2)) >= 1)
                        return make_period(f, a, b, ret);
                /* "1. kvt. 2024", "2. kvartal 2024", "1. halvår 2024" */
                if ((b = token_number(&t[0], 1)) >= 1 && (f = freq_letter(&t[1])) >= 0 &&
                    f != PERIOD_MONTH && t[1].n > 1 && (a = token_number(&t[2], 4)) >= 1000 && t[2].n == 4)
                        return make_period(f, a, b, ret);
                /* "01-01-2024", "1.1.2024", "31/12/2024": day-month-year, as Danish spreadsheets write */
                if ((a = token_number(&t[0], 2)) >= 1 && (b = token_number(&t[1], 2)) >= 1 &&
                    (c = token_number(&t[2], 4)) >= 1000 && t[2].n == 4 && t[0].sep_after &&
                    t[0].sep_after == t[1].sep_after) {
                        Date d = { c, b, a };
                        if (!date_is_valid(d))
                                return -EINVAL;
                        if (date_freq < 0 || date_freq >= _PERIOD_FREQ_MAX || date_freq == PERIOD_QMAT)
                                date_freq = PERIOD_MONTH;
                        *ret = period_containing(date_freq, d);
                        return 0;
                }
        }
        return -EINVAL;
}

int source_parse_period_label(const char *s, size_t len, PeriodFreq freq_hint, PeriodFreq date_freq,
                              Period *ret)
{
        Token t[LABEL_TOKENS_MAX];
        size_t n = 0;
        int r;

        /* the codes and ISO forms first: 2024M06, 2024K2, 2024-06, 2024-06-30 */
        if (source_parse_period(s, len, date_freq, ret) >= 0)
                return 0;
        r = tokenize(s, len, t, &n);
        if (r < 0)
                return r;
        /* "K1" and "Q2" arrive as a word and a number: letter runs stop at digits */
        return parse_tokens(t, n, freq_hint, date_freq, ret);
}

/* ---- time_format ---- */

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        return i;
}

static int read_int(const char *s, size_t len, size_t *i, size_t min_digits, size_t max_digits, int *ret)
{
        size_t k = 0;
        int v = 0;
        while (*i + k < len && k < max_digits && is_digit(s[*i + k]))
                v = v * 10 + (s[*i + k] - '0'), k++;
        if (k < min_digits)
                return -EINVAL;
        *i += k;
        *ret = v;
        return 0;
}

int source_parse_period_format(const char *s, size_t len, const char *format, Period *ret)
{
        int year = -1, sub = -1, day = 0;
        PeriodFreq f = PERIOD_YEAR;
        size_t i = skip_blanks(s, len, 0);

        while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        for (const char *p = format; *p; p++) {
                if (*p == ' ') {
                        /* a space in the format matches any run of blanks, also none */
                        i = skip_blanks(s, len, i);
                        continue;
                }
                if (*p != '%') {
                        if (i >= len || s[i] != *p)
                                return -EINVAL;
                        i++;
                        continue;
                }
                switch (*++p) {
                case 'Y':
                        if (read_int(s, len, &i, 4, 4, &year) < 0)
                                return -EINVAL;
                        break;
                case 'q':
                        if (read_int(s, len, &i, 1, 1, &sub) < 0)
                                return -EINVAL;
                        f = PERIOD_QUARTER;
                        break;
                case 'h':
                        if (read_int(s, len, &i, 1, 1, &sub) < 0)
                                return -EINVAL;
                        f = PERIOD_HALF;
                        break;
                case 'm':
                        if (read_int(s, len, &i, 1, 2, &sub) < 0)
                                return -EINVAL;
                        f = PERIOD_MONTH;
                        break;
                case 'd':
                        if (read_int(s, len, &i, 1, 2, &day) < 0)
                                return -EINVAL;
                        break;
                case 'b': {
                        size_t k = i;
                        while (k < len && is_ascii_letter(s[k]))
                                k++;
                        sub = month_from_name(s + i, k - i);
                        if (sub == 0)
                                return -EINVAL;
                        i = k;
                        if (i < len && s[i] == '.' && p[1] != '.')
                                i++; /* "jan." */
                        f = PERIOD_MONTH;
                        break;
                }
                case '%':
                        if (i >= len || s[i] != '%')
                                return -EINVAL;
                        i++;
                        break;
                default:
                        return -EINVAL; /* an unknown conversion (config checks the format) */
                }
        }
        if (i != len || year < 0)
                return -EINVAL;
        if (day > 0 && f == PERIOD_MONTH) {
                Date d = { year, sub, day };
                if (!date_is_valid(d))
                        return -EINVAL;
        }
        return make_period(f, year, sub, ret);
}

bool source_time_format_is_valid(const char *format)
{
        bool year = false;
        for (const char *p = format; p && *p; p++) {
                if (*p != '%')
                        continue;
                p++;
                if (!*p || !strchr("Yqhmdb%", *p))
                        return false;
                year = year || *p == 'Y';
        }
        return format && year;
}
