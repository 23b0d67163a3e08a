/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text for people: the sentences that explain a goal's verdict, in Danish and English. See text.h
 * for the shape of the sentences and tests/unit/test-text.c for every one of them written out.
 * Pure: no I/O, no clock, no logging, no globals. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "labourwatch/format.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"

typedef struct Text {
        char *buf;
        size_t size, len;
} Text;

static void text_put(Text *t, const char *s, size_t n)
{
        n = MIN(n, t->size - 1 - t->len);
        /* never cut a UTF-8 sequence in two when the buffer is full */
        if (n > 0 && t->len + n == t->size - 1)
                while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
                        n--;
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = 0;
}

/* A printf for the few conversions explanations use (%s, %d, %%), without vfprintf's cost: two
 * explanations per goal are the bulk of an evaluation otherwise. */
_printf_(2, 3) static void text_add(Text *t, const char *fmt, ...)
{
        va_list ap;

        if (t->size == 0)
                return;
        va_start(ap, fmt);
        for (const char *p = fmt; *p && t->len + 1 < t->size;) {
                const char *q = strchr(p, '%');
                if (!q) {
                        text_put(t, p, strlen(p));
                        break;
                }
                text_put(t, p, (size_t) (q - p));
                if (q[1] == 's') {
                        const char *a = va_arg(ap, const char *);
                        text_put(t, strempty(a), strlen(strempty(a)));
                } else if (q[1] == 'd') {
                        char num[16];
                        int k = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
                        text_put(t, num, (size_t) MAX(k, 0));
                } else if (q[1] == '%')
                        text_put(t, "%", 1);
                else
                        assert(!"unsupported conversion");
                p = q + 2;
        }
        va_end(ap);
}

/* buf = the strings given, up to NULL, truncated to size. Hot (several per goal): no printf. */
static char *concat(char *buf, size_t size, ...)
{
        size_t n = 0;
        va_list ap;

        va_start(ap, size);
        for (const char *x; (x = va_arg(ap, const char *));) {
                size_t k = MIN(strlen(x), size - 1 - n);
                memcpy(buf + n, x, k);
                n += k;
        }
        va_end(ap);
        buf[n] = 0;
        return buf;
}

static bool isempty(const char *s)
{
        return !s || !*s;
}

static Language lang_of(const char *lang)
{
        return language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA;
}

/* ---- numbers with units ---- */

/* "380", "−4,3", "+4,1" (sign: an explicit '+'), with the typographic minus. */
static char *num(double v, bool sign, Language l, char *buf, size_t size)
{
        if (sign)
                format_value_signed(v, l, buf, size);
        else
                format_value(v, l, buf, size);
        return format_minus(buf, size);
}

static bool endswith(const char *s, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);
        return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* How many bytes of a plural unit make its singular, for "1 fuldtidsperson", "1 plads", "1 person":
 * units are configured in the plural, and the common Danish and English endings are regular enough
 * (personer -> person, pladser -> plads, deltagere -> deltager, ordrer -> ordre; persons -> person).
 * Anything else (forløb, tilbud) stays as it is. */
static size_t singular_len(const char *unit, Language l)
{
        size_t n = strlen(unit);

        if (l == LANGUAGE_EN)
                return endswith(unit, n, "s") && !endswith(unit, n, "ss") ? n - 1 : n;
        if (endswith(unit, n, "personer") || endswith(unit, n, "pladser"))
                return n - 2;
        if (endswith(unit, n, "ere") || endswith(unit, n, "rer"))
                return n - 1;
        return n;
}

/* "380 fuldtidspersoner", "1 fuldtidsperson", "52,3 %", "50%" (English), "+4,1 %". Concatenated by
 * hand: this runs several times per goal. */
static char *with_unit(double v, bool sign, const char *unit, Language l, char *buf, size_t size)
{
        size_t n, u;

        num(v, sign, l, buf, size);
        if (isempty(unit))
                return buf;
        n = strlen(buf);
        u = strlen(unit);
        if (streq(buf, "1") || streq(buf, "+1") || streq(buf, "\xe2\x88\x92" "1"))
                u = singular_len(unit, l);
        if (!(streq(unit, "%") && l == LANGUAGE_EN) && n + 1 < size)
                buf[n++] = ' ';
        if (n + u < size) {
                memcpy(buf + n, unit, u);
                n += u;
        }
        buf[MIN(n, size - 1)] = 0;
        return buf;
}

static bool startswith_ci(const char *s, const char *prefix)
{
        return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* A unit that is itself a rate ("%", "pct. af arbejdsstyrken", "procentpoint", "% of the labour
 * force"): a change in it is in percentage points, and it is not a count of anything. */
static bool unit_is_rate(const char *u)
{
        return startswith_ci(u, "%") || startswith_ci(u, "pct") || startswith_ci(u, "procent") ||
               startswith_ci(u, "per cent") || startswith_ci(u, "percent");
}

/* ---- the goal in words ---- */

typedef struct T {
        const GoalDef *g;
        const GoalResult *r;
        const TextInput *in;
        Language l;
        bool en;
        PeriodFreq f;
        GoalAggregate agg;
        const char *unit;      /* the target's unit */
        const char *sunit;     /* the measured series' unit (pace_unit) */
        const char *pp;        /* "procentpoint" / "percentage points" */
        char period[FORMAT_PERIOD_MAX];   /* the goal period: "2024" */
        char baseline[FORMAT_PERIOD_MAX]; /* "2023" */
        char latest[FORMAT_PERIOD_MAX];   /* "juni 2024" */
        char span[2 * FORMAT_PERIOD_MAX]; /* "januar–juni 2024", or the goal period once complete */
        bool range;                       /* span covers more than one period */
        int remaining;                    /* periods of f after the latest one in the goal period */
} T;

/* The row of t's frequency in the word tables below: year, half-year, quarter (QMAT too), month
 * (anything else). */
static size_t freq_row(const T *t)
{
        switch (t->f) {
        case PERIOD_YEAR:
                return 0;
        case PERIOD_HALF:
                return 1;
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return 2;
        default:
                return 3;
        }
}

/* Per row of freq_row(): the plural in Danish and English, then "per period" in Danish and English. */
static const char *const freq_words[4][4] = {
        { "år", "years", "om året", "a year" },
        { "halvår", "half-years", "om halvåret", "a half-year" },
        { "kvartaler", "quarters", "om kvartalet", "a quarter" },
        { "måneder", "months", "om måneden", "a month" },
};

static const char *freq_plural(const T *t)
{
        return freq_words[freq_row(t)][t->en];
}

/* Like with like: "de samme måneder" / "the same months", or for one period "samme måned" / "the
 * same month". */
static const char *same_periods(const T *t)
{
        static const char *const da[] = { "samme måned", "samme kvartal", "samme halvår", "samme år" };
        static const char *const en[] = { "the same month", "the same quarter", "the same half-year",
                                          "the same year" };
        static const char *const da_n[] = { "de samme måneder", "de samme kvartaler", "de samme halvår",
                                            "de samme år" };
        static const char *const en_n[] = { "the same months", "the same quarters", "the same half-years",
                                            "the same years" };
        int k = t->f == PERIOD_YEAR ? 3 : t->f == PERIOD_HALF ? 2 : t->f == PERIOD_MONTH ? 0 : 1;

        return (t->range ? (t->en ? en_n : da_n) : (t->en ? en : da))[k];
}

/* "om måneden" / "a month" */
static const char *per_period(const T *t)
{
        return freq_words[freq_row(t)][2 + t->en];
}

/* "de seneste 3 måneder" / "den seneste måned" / "the last 3 months" / "the last month" */
static void recent_phrase(const T *t, int n, char *buf, size_t size)
{
        static const char *const da1[] = { "den seneste måned", "det seneste kvartal", "det seneste halvår",
                                           "det seneste år" };
        static const char *const en1[] = { "the last month", "the last quarter", "the last half-year",
                                           "the last year" };
        int k = t->f == PERIOD_YEAR ? 3 : t->f == PERIOD_HALF ? 2 : t->f == PERIOD_MONTH ? 0 : 1;

        if (n <= 1)
                concat(buf, size, (t->en ? en1 : da1)[k], NULL);
        else {
                char d[16];
                format_number(n, 0, t->l, d, sizeof(d));
                concat(buf, size, t->en ? "the last " : "de seneste ", d, " ", freq_plural(t), NULL);
        }
}

/* The unit a gap or a change of the measure is counted in: percentage points for shares, changes
 * in per cent and rates; places for ranks; otherwise the target's unit. */
static const char *gap_unit(const T *t, double v)
{
        if (t->g->kind == GOAL_RANK)
                return fabs(v) == 1 ? (t->en ? "place" : "plads") : (t->en ? "places" : "pladser");
        if (unit_is_rate(t->unit))
                return t->pp;
        return NULL; /* the unit was just named with the value */
}

/* The unit the pace is in: percentage points for a rate series, else the series' unit. */
static const char *pace_unit(const T *t)
{
        return unit_is_rate(t->sunit) ? t->pp : t->sunit;
}

/* Is the measured series a count of something (people, offers)? Then "flere/færre", else
 * "højere/lavere". */
static bool counts(const T *t)
{
        return !isempty(t->sunit) && !unit_is_rate(t->sunit);
}

/* How far the value v is from the target, said so that the reader need not know the direction:
 * "7,9 over målet", "11 for mange", "lige på målet", "0,2 procentpoint for lavt",
 * "3 pladser bedre end målet". */
static void gap_phrase(const T *t, double v, int decimals, char *buf, size_t size)
{
        const GoalDef *g = t->g;
        double m = g->direction == GOAL_AT_MOST ? g->target - v : v - g->target;
        bool at_most = g->direction == GOAL_AT_MOST, hundredths = false;
        char a[96];

        if (g->kind == GOAL_RANK)
                m = round(m); /* ranks are whole places */
        num(fabs(m), false, t->l, a, sizeof(a));
        if (streq(a, "0") && fabs(m) > 1e-9 * MAX(1.0, fabs(g->target)) &&
            (m < 0) != (t->r->status == GOAL_STATUS_ON_TRACK)) {
                /* a verdict on the wrong side of a gap that rounds to 0: show the hundredths */
                format_number(fabs(m), 2, t->l, a, sizeof(a));
                hundredths = !streq(a, "0,00") && !streq(a, "0.00");
        }
        if (!hundredths && (streq(a, "0") || streq(a, "0,00") || streq(a, "0.00"))) {
                concat(buf, size, t->en ? "right on the target" : "lige på målet", NULL);
                return;
        }
        if (hundredths || (decimals >= 0 && g->kind != GOAL_RANK)) {
                /* fixed decimals; in a table's column "pp." (the unit has its own column) */
                const char *gu = gap_unit(t, m);
                if (!hundredths)
                        format_number(fabs(m), decimals, t->l, a, sizeof(a));
                if (!isempty(gu))
                        concat(a + strlen(a), sizeof(a) - strlen(a), " ", decimals >= 0 ? (t->en ? "pp" : "pp.") : gu,
                               NULL);
        } else
                with_unit(fabs(m), false, gap_unit(t, m), t->l, a, sizeof(a));
        if (g->kind == GOAL_RANK) {
                if (m > 0)
                        concat(buf, size, a, t->en ? " better than the target" : " bedre end målet", NULL);
                else
                        concat(buf, size, a, t->en ? " short of the target" : " fra målet", NULL);
        } else if (m > 0)
                concat(buf, size, a, " ",
                         at_most ? (t->en ? "below the target" : "under målet") : (t->en ? "above the target" : "over målet"), NULL);
        else if (counts(t) && g->kind != GOAL_SHARE && g->kind != GOAL_CHANGE && g->kind != GOAL_REFERENCE)
                concat(buf, size, a, " ", at_most ? (t->en ? "too many" : "for mange") : (t->en ? "too few" : "for få"), NULL);
        else
                concat(buf, size, a, " ", at_most ? (t->en ? "too high" : "for højt") : (t->en ? "too low" : "for lavt"), NULL);
}

/* "mindst 380", "højst 0 %, altså ingen stigning", "mindst +20 %", "top 10". */
static void target_phrase(const T *t, bool brief, char *buf, size_t size)
{
        const GoalDef *g = t->g;
        bool at_most = g->direction == GOAL_AT_MOST;
        bool sign = g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE;
        char v[96];

        if (g->kind == GOAL_RANK) {
                num(g->target, false, t->l, v, sizeof(v));
                if (at_most)
                        concat(buf, size, t->en ? "the top " : "top ", v, NULL);
                else
                        concat(buf, size, t->en ? "rank " : "nr. ", v, t->en ? " or below" : " eller derunder", NULL);
                return;
        }
        /* a count's unit was just said with the value; a % or procentpoint is short and needed */
        with_unit(g->target, sign,
                  !unit_is_rate(t->unit) ? NULL : brief && streq(t->unit, t->pp) ? (t->en ? "pp" : "pp.") : t->unit,
                  t->l, v, sizeof(v));
        if (g->kind == GOAL_CHANGE && g->target == 0 && !brief)
                concat(buf, size, at_most ? (t->en ? "at most " : "højst ") : (t->en ? "at least " : "mindst "), v, ", ",
                         at_most ? (t->en ? "that is, no rise" : "altså ingen stigning")
                                 : (t->en ? "that is, no fall" : "altså intet fald"), NULL);
        else
                concat(buf, size, at_most ? (t->en ? "at most " : "højst ") : (t->en ? "at least " : "mindst "), v, NULL);
}

/* "for hele landet" / "for the whole country"; without a label the series' name. */
static const char *reference_name(const T *t)
{
        const GoalSeriesMeta *m = t->in && t->in->meta ? &t->in->meta[GOAL_ROLE_REFERENCE] : NULL;
        const char *label = m ? (t->en ? (m->label_en ?: m->label_da) : m->label_da) : NULL;

        return !isempty(label) ? label : strempty(t->g->reference);
}

/* A change of the measure against the baseline, in words: "4,3 % færre", "0,5 procentpoint højere",
 * "12 personer flere"; "lige så mange"/"det samme" when it is 0. ret_same tells the caller. */
static void change_words(const T *t, double v, char *buf, size_t size, bool *ret_same)
{
        const GoalDef *g = t->g;
        const char *u = g->change_unit == CHANGE_PERCENT ? "%" :
                        g->change_unit == CHANGE_POINTS ? t->pp : t->sunit;
        char a[96];

        num(fabs(v), false, t->l, a, sizeof(a));
        *ret_same = streq(a, "0");
        if (counts(t) && g->change_unit == CHANGE_PERCENT) {
                /* "4,3 % færre personer" */
                with_unit(fabs(v), false, "%", t->l, a, sizeof(a));
                concat(buf, size, a, " ", v < 0 ? (t->en ? "fewer" : "færre") : (t->en ? "more" : "flere"), " ", t->sunit, NULL);
                return;
        }
        if (counts(t) && g->change_unit == CHANGE_ABSOLUTE) {
                /* "12 flere personer" */
                concat(buf, size, a, " ", v < 0 ? (t->en ? "fewer" : "færre") : (t->en ? "more" : "flere"), " ", t->sunit, NULL);
                return;
        }
        with_unit(fabs(v), false, u, t->l, a, sizeof(a));
        concat(buf, size, a, " ", v < 0 ? (t->en ? "lower" : "lavere") : (t->en ? "higher" : "højere"), NULL);
}

/* The numerator and denominator of a share in the latest period, from the inputs the engine read. */
static bool share_latest(const T *t, double *ret_num, double *ret_den)
{
        bool has_n = false, has_d = false;

        for (size_t i = 0; i < t->r->n_inputs; i++) {
                const GoalInput *x = &t->r->inputs[i];
                if (!period_equal(x->period, t->r->latest))
                        continue;
                if (x->role == GOAL_ROLE_NUMERATOR) {
                        *ret_num = x->value;
                        has_n = true;
                } else if (x->role == GOAL_ROLE_DENOMINATOR) {
                        *ret_den = x->value;
                        has_d = true;
                }
        }
        return has_n && has_d;
}

/* The opening: "Målet »…« er i fare: " / "The goal “…” is at risk: ", or without a title the status
 * word: "I fare: ". */
static void opening(const T *t, Text *out, bool verdict)
{
        static const char *const da[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "er på rette spor", [GOAL_STATUS_AT_RISK] = "er i fare",
                [GOAL_STATUS_OFF_TRACK] = "er ikke på rette spor", [GOAL_STATUS_ACHIEVED] = "er nået",
                [GOAL_STATUS_MISSED] = "er ikke nået",
        };
        static const char *const en[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "is on track", [GOAL_STATUS_AT_RISK] = "is at risk",
                [GOAL_STATUS_OFF_TRACK] = "is off track", [GOAL_STATUS_ACHIEVED] = "was achieved",
                [GOAL_STATUS_MISSED] = "was missed",
        };
        const char *title = text_title(t->g, t->en ? "en" : "da");
        const char *what;

        if (!title) {
                text_add(out, "%s: ", text_status_label(t->r->status, t->en ? "en" : "da"));
                return;
        }
        if (verdict)
                what = (t->en ? en : da)[t->r->status];
        else
                what = t->en ? "cannot be assessed" : "kan ikke vurderes";
        text_add(out, t->en ? "The goal “%s” %s: " : "Målet »%s« %s: ", title, strempty(what));
}

/* No verdict. Returns false when the result has one. */
static bool explain_no_verdict(const T *t, Text *out)
{
        const GoalResult *r = t->r;
        const GoalDef *g = t->g;
        char a[96], b[96];

        if (r->status != GOAL_STATUS_NO_DATA && r->status != GOAL_STATUS_INSUFFICIENT_DATA)
                return false;

        /* Missing or late figures from a source that is failing (or never fetched) are IT's to fix,
         * not "not published yet". */
        if (t->in && t->in->source_failing &&
            (r->reason == GOAL_REASON_NO_SERIES || r->reason == GOAL_REASON_NO_PERIOD_DATA ||
             r->reason == GOAL_REASON_STALE)) {
                opening(t, out, false);
                const char *src = t->en ? t->in->source_en : t->in->source_da;
                /* "fra kilden »…«": reads with a provider's name and with "Jobcentrets egne tal" alike */
                if (!isempty(src))
                        text_add(out, t->en ? "the figures could not be fetched from the source “%s” (contact IT operations)." :
                                              "tallene kunne ikke hentes fra kilden »%s« (kontakt IT-drift).", src);
                else
                        text_add(out, t->en ? "the figures could not be fetched (contact IT operations)." :
                                              "tallene kunne ikke hentes (kontakt IT-drift).");
                return true;
        }

        opening(t, out, false);
        switch (r->reason) {
        case GOAL_REASON_NO_SERIES:
                text_add(out, t->en ? "the series it is measured on has no figures." :
                                      "serien, det måles på, har ingen tal.");
                break;
        case GOAL_REASON_FREQUENCY:
                text_add(out, t->en ? "the series has no periods within %s." :
                                      "serien har ingen perioder inden for %s.", t->period);
                break;
        case GOAL_REASON_NO_PERIOD_DATA:
                text_add(out, t->en ? "no figures for %s have been published yet." :
                                      "der er endnu ikke offentliggjort tal for %s.", t->period);
                break;
        case GOAL_REASON_STALE:
                if (r->has_latest)
                        text_add(out, t->en ? "the latest figures are for %s, and newer ones should have been published by now." :
                                              "de seneste tal er for %s, og nyere tal burde være offentliggjort.", t->latest);
                else
                        text_add(out, t->en ? "newer figures should have been published by now." :
                                              "nyere tal burde være offentliggjort.");
                break;
        case GOAL_REASON_NO_BASELINE:
                text_add(out, t->en ? "there are no figures for %s to compare %s with." :
                                      "der er ingen tal for %s at sammenligne %s med.", t->baseline, t->latest);
                break;
        case GOAL_REASON_ZERO_BASELINE:
                text_add(out, t->en ? "the figure for %s is 0, so a change in per cent cannot be calculated." :
                                      "tallet for %s er 0, så en ændring i procent kan ikke beregnes.", t->baseline);
                break;
        case GOAL_REASON_SMALL_DENOMINATOR: {
                const GoalSeriesMeta *m = t->in && t->in->meta ? &t->in->meta[GOAL_ROLE_DENOMINATOR] : NULL;
                const char *du = m ? (t->en ? (m->unit_en ?: m->unit_da) : m->unit_da) : NULL;
                if (isempty(du))
                        du = t->en ? "cases" : "sager";
                if (r->denominator <= 0) {
                        text_add(out, t->en ? "there are no %s in %s to calculate a share of." :
                                              "der er ingen %s i %s at beregne en andel af.", du, t->span);
                        break;
                }
                with_unit(r->denominator, false, du, t->l, a, sizeof(a));
                num(g->min_denominator, false, t->l, b, sizeof(b));
                text_add(out, t->en ? "there are only %s in %s, too few for a share; at least %s are needed." :
                                      "der er kun %s i %s, for få til en andel; der kræves mindst %s.", a, t->span, b);
                break;
        }
        default:
                text_add(out, t->en ? "no verdict." : "ingen vurdering.");
        }
        return true;
}

/* What the figures say so far (or in the end), without the opening: "i gennemsnit 386,1
 * fuldtidspersoner i januar–juni 2024". */
static void measure(const T *t, Text *out, bool final)
{
        const GoalDef *g = t->g;
        const GoalResult *r = t->r;
        char v[160], a[160], b[160];
        bool same;

        with_unit(r->value, false, t->unit, t->l, v, sizeof(v));
        switch (g->kind) {
        case GOAL_LEVEL:
                if (t->agg == GOAL_AGGREGATE_LATEST || r->n_observed <= 1 || !t->range)
                        text_add(out, t->en ? "%s in %s" : "%s i %s",
                                 v, t->agg == GOAL_AGGREGATE_LATEST ? t->latest : t->span);
                else if (t->agg == GOAL_AGGREGATE_AVERAGE)
                        text_add(out, t->en ? "an average of %s in %s" : "i gennemsnit %s i %s", v, t->span);
                else
                        text_add(out, t->en ? "%s in total in %s" : "i alt %s i %s", v, t->span);
                break;
        case GOAL_CUMULATIVE:
                text_add(out, t->en ? "%s in total in %s" : "i alt %s i %s", v, t->span);
                if (!final && r->has_expected) {
                        num(r->expected, false, t->l, a, sizeof(a));
                        text_add(out, t->en ? " (at an even pace it would be %s by now)" :
                                              " (ved et jævnt tempo skulle der være %s nu)", a);
                }
                break;
        case GOAL_CHANGE:
                change_words(t, r->value, a, sizeof(a), &same);
                if (same)
                        text_add(out, t->en ? "in %s the figure was the same as in %s of %s" :
                                              "i %s var tallet det samme som i %s i %s",
                                 t->span, same_periods(t), t->baseline);
                else if (final)
                        text_add(out, t->en ? "in %s %s %s than in %s" : "i %s var %s %s end i %s", t->span,
                                 counts(t) && g->change_unit != CHANGE_POINTS ? (t->en ? "there were" : "der") :
                                                                               (t->en ? "the figure was" : "tallet"),
                                 a, t->baseline);
                else if (counts(t) && g->change_unit != CHANGE_POINTS)
                        text_add(out, t->en ? "in %s there were %s than in %s of %s" :
                                              "i %s var der %s end i %s i %s",
                                 t->span, a, same_periods(t), t->baseline);
                else
                        text_add(out, t->en ? "in %s the figure was %s than in %s of %s" :
                                              "i %s var tallet %s end i %s i %s",
                                 t->span, a, same_periods(t), t->baseline);
                break;
        case GOAL_REFERENCE: {
                const char *cu = g->change_unit == CHANGE_PERCENT ? "%" :
                                 g->change_unit == CHANGE_POINTS ? t->pp : t->sunit;
                with_unit(r->own_change, true, cu, t->l, a, sizeof(a));
                with_unit(r->reference_change, true, cu, t->l, b, sizeof(b));
                with_unit(r->value, true, t->unit, t->l, v, sizeof(v));
                if (final)
                        text_add(out, t->en ? "the change in %s against %s was %s, against %s for %s: a difference of %s" :
                                              "udviklingen i %s i forhold til %s var %s mod %s for %s, en forskel på %s",
                                 t->span, t->baseline, a, b, reference_name(t), v);
                else
                        text_add(out, t->en ? "the change in %s against %s of %s was %s, against %s for %s: a difference of %s" :
                                              "udviklingen i %s i forhold til %s i %s var %s mod %s for %s, en forskel på %s",
                                 t->span, same_periods(t), t->baseline, a, b, reference_name(t), v);
                break;
        }
        case GOAL_SHARE: {
                double n = 0, d = 0;
                text_add(out, t->en ? "the share was %s in %s" : "andelen var %s i %s", v, t->span);
                if (share_latest(t, &n, &d)) {
                        /* the counts of the latest period only: summed over periods, a stock (the
                         * refugees in a quarter) would count the same people several times */
                        num(n, false, t->l, a, sizeof(a));
                        num(d, false, t->l, b, sizeof(b));
                        if (t->range)
                                text_add(out, t->en ? " (in %s: %s of %s)" : " (i %s: %s af %s)", t->latest, a, b);
                        else
                                text_add(out, t->en ? " (%s of %s)" : " (%s af %s)", a, b);
                }
                break;
        }
        case GOAL_RANK:
                num(r->value, false, t->l, a, sizeof(a));
                text_add(out, t->en ? "rank %s (%s)" : "placering nr. %s (%s)", a, t->latest);
                break;
        default:
                break;
        }
}

/* "Forventet gennemsnit for hele 2024: 387,9 fuldtidspersoner, 7,9 over målet (mål: mindst 380)." */
static void forecast(const T *t, Text *out)
{
        const GoalDef *g = t->g;
        const GoalResult *r = t->r;
        char v[160], gap[160], target[160], a[160];
        bool same;

        target_phrase(t, false, target, sizeof(target));
        if (!r->has_projected) {
                text_add(out, t->en ? " The target for %s is %s." : " Målet for %s er %s.", t->period, target);
                return;
        }
        gap_phrase(t, r->projected, -1, gap, sizeof(gap));
        with_unit(r->projected, false, t->unit, t->l, v, sizeof(v));
        switch (g->kind) {
        case GOAL_LEVEL:
        case GOAL_CUMULATIVE:
                if (t->agg == GOAL_AGGREGATE_LATEST) {
                        char last[FORMAT_PERIOD_MAX];
                        format_period(period_containing(t->f, period_last_day(g->period)), t->l, last, sizeof(last));
                        text_add(out, t->en ? " Expected in %s: %s" : " Forventet i %s: %s", last, v);
                } else if (t->agg == GOAL_AGGREGATE_AVERAGE)
                        text_add(out, t->en ? " Expected average for the whole of %s: %s" :
                                              " Forventet gennemsnit for hele %s: %s", t->period, v);
                else
                        text_add(out, t->en ? " Expected total for the whole of %s: %s" :
                                              " Forventet i alt for hele %s: %s", t->period, v);
                break;
        case GOAL_CHANGE:
                change_words(t, r->projected, a, sizeof(a), &same);
                if (same)
                        text_add(out, t->en ? " Expected for the whole of %s: the same as in %s" :
                                              " Forventet for hele %s: det samme som i %s", t->period, t->baseline);
                else
                        text_add(out, t->en ? " Expected for the whole of %s: %s than in %s" :
                                              " Forventet for hele %s: %s end i %s", t->period, a, t->baseline);
                break;
        case GOAL_REFERENCE:
                with_unit(r->projected, true, t->unit, t->l, v, sizeof(v));
                text_add(out, t->en ? " Expected difference for the whole of %s: %s" :
                                      " Forventet forskel for hele %s: %s", t->period, v);
                break;
        case GOAL_SHARE:
                text_add(out, t->en ? " Expected for the whole of %s: %s" : " Forventet for hele %s: %s", t->period, v);
                break;
        case GOAL_RANK:
                num(round(r->projected), false, t->l, a, sizeof(a));
                text_add(out, t->en ? " Expected rank at the end of %s: %s" :
                                      " Forventet placering ved udgangen af %s: nr. %s", t->period, a);
                break;
        default:
                break;
        }
        text_add(out, t->en ? ", %s (target: %s)." : ", %s (mål: %s).", gap, target);

        /* at_risk says why: the forecast is within the tolerance of the target */
        if (r->status == GOAL_STATUS_AT_RISK) {
                double m = g->direction == GOAL_AT_MOST ? g->target - r->projected : r->projected - g->target;
                if (m >= 0)
                        text_add(out, t->en ? " This close to the target, a small deviation can mean it is not reached." :
                                              " Så tæt på målet kan en lille afvigelse betyde, at det ikke nås.");
                else
                        text_add(out, t->en ? " This close to the target, a small improvement can be enough to reach it." :
                                              " Så tæt på målet kan en lille forbedring være nok til at nå det.");
        }
}

/* What the rest of the goal period must bring, and what the last periods brought. Left out when one
 * period or less remains: a pace over a single period is the target restated, often absurdly. */
static void pace(const T *t, Text *out)
{
        const GoalDef *g = t->g;
        const GoalResult *r = t->r;
        bool at_most = g->direction == GOAL_AT_MOST;
        char a[96], b[96], recent[64];

        if (!r->has_pace || t->remaining <= 1)
                return;
        if (r->has_recent_pace)
                recent_phrase(t, r->recent_window, recent, sizeof(recent));

        if (g->kind == GOAL_RANK) {
                /* ranks move in whole places: say the whole move to the target, not a fraction a
                 * quarter */
                double need = g->target - r->value, moved = r->recent_pace * r->recent_window;
                num(g->target, false, t->l, b, sizeof(b));
                with_unit(fabs(need), false, gap_unit(t, need), t->l, a, sizeof(a));
                if (fabs(need) < 0.5)
                        text_add(out, t->en ? " The rank has to be held (rank %s) until the end of %s" :
                                              " Placeringen skal holdes (nr. %s) til udgangen af %s", b, t->period);
                else if ((need > 0) == at_most)
                        text_add(out, t->en ? " There is room to move %s down (to rank %s) by the end of %s" :
                                              " Der er plads til at rykke %s ned (til nr. %s) inden udgangen af %s",
                                 a, b, t->period);
                else
                        text_add(out, t->en ? " The rank has to move %s up (to rank %s) by the end of %s" :
                                              " Placeringen skal rykke %s op (til nr. %s) inden udgangen af %s",
                                 a, b, t->period);
                if (r->has_recent_pace) {
                        num(r->value - moved, false, t->l, b, sizeof(b));
                        with_unit(fabs(moved), false, gap_unit(t, moved), t->l, a, sizeof(a));
                        if (fabs(moved) < 0.05)
                                text_add(out, t->en ? "; over %s it was unchanged" : "; %s er placeringen uændret", recent);
                        else
                                text_add(out, t->en ? "; over %s it moved %s %s (from rank %s)" :
                                                      "; %s er placeringen rykket %s %s (fra nr. %s)",
                                         recent, a, moved < 0 ? (t->en ? "up" : "op") : (t->en ? "down" : "ned"), b);
                }
                text_add(out, ".");
                return;
        }

        if (g->kind == GOAL_SHARE) {
                with_unit(r->pace_needed, false, "%", t->l, a, sizeof(a));
                if (at_most ? r->pace_needed < 0 : r->pace_needed > 100)
                        text_add(out, t->en ? " For the rest of %s the share would have to be %s, so the target can no longer be reached" :
                                              " Resten af %s skulle andelen være %s, så målet kan ikke længere nås",
                                 t->period, a);
                else if (at_most ? r->pace_needed >= 100 : r->pace_needed <= 0)
                        text_add(out, t->en ? " The figures so far already reach the target" :
                                              " Tallene indtil nu når allerede målet");
                else
                        text_add(out, t->en ? " For the rest of %s the share has to be %s %s" :
                                              " Resten af %s skal andelen være %s %s", t->period,
                                 at_most ? (t->en ? "at most" : "højst") : (t->en ? "at least" : "mindst"), a);
                if (r->has_recent_pace) {
                        with_unit(r->recent_pace, false, "%", t->l, b, sizeof(b));
                        text_add(out, t->en ? "; over %s it was %s" : "; %s var andelen %s", recent, b);
                }
                text_add(out, ".");
                return;
        }

        const char *u = pace_unit(t);
        if (t->agg == GOAL_AGGREGATE_SUM) {
                /* a flow: an amount per period */
                with_unit(r->pace_needed, false, u, t->l, a, sizeof(a));
                if (!at_most && r->pace_needed <= 0)
                        text_add(out, t->en ? " The figures so far already reach the target" :
                                              " Tallene indtil nu når allerede målet");
                else if (at_most && r->pace_needed < 0)
                        text_add(out, t->en ? " The figures so far already exceed the target" :
                                              " Tallene indtil nu overskrider allerede målet");
                else if (at_most)
                        text_add(out, t->en ? " For the rest of %s there can be at most %s %s on average" :
                                              " Resten af %s må der i gennemsnit højst være %s %s",
                                 t->period, a, per_period(t));
                else
                        text_add(out, t->en ? " For the rest of %s it takes an average of %s %s" :
                                              " Resten af %s skal der i gennemsnit være %s %s",
                                 t->period, a, per_period(t));
                if (r->has_recent_pace) {
                        with_unit(r->recent_pace, false, u, t->l, b, sizeof(b));
                        if (r->recent_window <= 1)
                                text_add(out, t->en ? "; %s had %s" : "; %s var der %s", recent, b);
                        else
                                text_add(out, t->en ? "; %s averaged %s %s" : "; %s var der i gennemsnit %s %s",
                                         recent, b, per_period(t));
                }
                text_add(out, ".");
                return;
        }

        /* a stock: the change per period from the latest value, in the direction that is harmless
         * ("kan falde med op til") or needed ("skal falde med"), never a negative demand */
        with_unit(fabs(r->pace_needed), false, u, t->l, a, sizeof(a));
        num(fabs(r->pace_needed), false, t->l, b, sizeof(b));
        if (streq(b, "0"))
                text_add(out, t->en ? " For the rest of %s the figure has to hold its current level" :
                                      " Resten af %s skal tallet holde sit nuværende niveau", t->period);
        else if (!at_most && r->pace_needed > 0)
                text_add(out, t->en ? " For the rest of %s the figure has to rise by %s %s" :
                                      " Resten af %s skal tallet stige med %s %s", t->period, a, per_period(t));
        else if (at_most && r->pace_needed < 0)
                text_add(out, t->en ? " For the rest of %s the figure has to fall by %s %s" :
                                      " Resten af %s skal tallet falde med %s %s", t->period, a, per_period(t));
        else if (!at_most)
                text_add(out, t->en ? " For the rest of %s the figure can fall by up to %s %s" :
                                      " Resten af %s kan tallet falde med op til %s %s", t->period, a, per_period(t));
        else
                text_add(out, t->en ? " For the rest of %s the figure can rise by up to %s %s" :
                                      " Resten af %s kan tallet stige med op til %s %s", t->period, a, per_period(t));
        if (r->has_recent_pace) {
                with_unit(fabs(r->recent_pace), false, u, t->l, b, sizeof(b));
                num(fabs(r->recent_pace), false, t->l, a, sizeof(a));
                if (streq(a, "0"))
                        text_add(out, t->en ? "; over %s it was unchanged" : "; %s var tallet uændret", recent);
                else
                                text_add(out, t->en ? "; over %s it %s by %s%s%s" : "; %s %s tallet med %s%s%s", recent,
                                 r->recent_pace < 0 ? (t->en ? "fell" : "faldt") : (t->en ? "rose" : "steg"), b,
                                 r->recent_window > 1 ? " " : "", r->recent_window > 1 ? per_period(t) : "");
        }
        text_add(out, ".");
}

/* The words every sentence builder needs: language, units, "procentpoint". t_init adds the rest. */
static T context(const GoalDef *g, const GoalResult *r, Language l)
{
        return (T){
                .g = g, .r = r, .l = l, .en = l == LANGUAGE_EN,
                .unit = l == LANGUAGE_EN ? r->unit_en : r->unit_da,
                .sunit = l == LANGUAGE_EN ? r->pace_unit_en : r->pace_unit_da,
                .pp = l == LANGUAGE_EN ? "percentage points" : "procentpoint",
        };
}

static void t_init(T *t, const GoalDef *g, const GoalResult *r, const TextInput *in, Language l)
{
        *t = context(g, r, l);
        t->in = in;
        t->f = r->freq >= 0 && r->freq < _PERIOD_FREQ_MAX ? r->freq : PERIOD_MONTH;
        t->agg = goal_effective_aggregate(g);

        format_period(g->period, l, t->period, sizeof(t->period));
        format_period(g->baseline, l, t->baseline, sizeof(t->baseline));
        if (r->has_latest && period_is_valid(g->period) && r->freq >= 0) {
                Period first = period_containing(t->f, period_first_day(g->period));
                Period last = period_containing(t->f, period_last_day(g->period));
                format_period(r->latest, l, t->latest, sizeof(t->latest));
                t->remaining = (int) (period_index(last) - period_index(r->latest));
                t->range = t->f != PERIOD_QMAT && period_index(first) < period_index(r->latest);
                if (t->range && period_equal(r->latest, last))
                        memcpy(t->span, t->period, sizeof(t->period)); /* the whole goal period */
                else
                        format_period_range(first, r->latest, l, t->span, sizeof(t->span));
        } else {
                snprintf(t->latest, sizeof(t->latest), "?");
                memcpy(t->span, t->period, sizeof(t->period));
        }
}

static void explain(const GoalDef *g, const GoalResult *r, const TextInput *in, Language l, char *buf, size_t size)
{
        T t;
        Text out = { buf, size, 0 };

        t_init(&t, g, r, in, l);
        if (explain_no_verdict(&t, &out))
                return;

        opening(&t, &out, true);
        if (r->status == GOAL_STATUS_ACHIEVED || r->status == GOAL_STATUS_MISSED) {
                char gap[160], target[160];
                measure(&t, &out, true);
                gap_phrase(&t, r->value, -1, gap, sizeof(gap));
                target_phrase(&t, false, target, sizeof(target));
                text_add(&out, t.en ? ", %s (target: %s)." : ", %s (mål: %s).", gap, target);
                return;
        }
        measure(&t, &out, false);
        text_add(&out, ".");
        forecast(&t, &out);
        pace(&t, &out);
}

int text_explain_input(const GoalDef *g, const GoalResult *r, const TextInput *in, const char *lang, char *buf,
                       size_t size)
{
        assert(g);
        assert(r);

        if (!buf || size == 0)
                return -EINVAL;
        buf[0] = 0;
        explain(g, r, in, lang_of(lang), buf, size);
        return (int) strlen(buf);
}

int text_explain(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        return text_explain_input(g, r, NULL, lang, buf, size);
}

void text_fill_input(const GoalDef *g, const TextInput *in, GoalResult *r)
{
        (void) text_explain_input(g, r, in, "da", r->explanation_da, sizeof(r->explanation_da));
        (void) text_explain_input(g, r, in, "en", r->explanation_en, sizeof(r->explanation_en));
        r->gap_da[0] = r->gap_en[0] = 0;
        if (r->has_gap) {
                (void) text_gap(g, r, r->projected, -1, "da", r->gap_da, sizeof(r->gap_da));
                (void) text_gap(g, r, r->projected, -1, "en", r->gap_en, sizeof(r->gap_en));
        }
        (void) text_value_label(g, r, "da", r->value_label_da, sizeof(r->value_label_da));
        (void) text_value_label(g, r, "en", r->value_label_en, sizeof(r->value_label_en));
        (void) text_value(g, r, "da", r->value_text_da, sizeof(r->value_text_da));
        (void) text_value(g, r, "en", r->value_text_en, sizeof(r->value_text_en));
        (void) text_pace(g, r, false, "da", r->pace_da, sizeof(r->pace_da));
        (void) text_pace(g, r, false, "en", r->pace_en, sizeof(r->pace_en));
        (void) text_pace(g, r, true, "da", r->recent_pace_da, sizeof(r->recent_pace_da));
        (void) text_pace(g, r, true, "en", r->recent_pace_en, sizeof(r->recent_pace_en));
        (void) text_chance(g, r, "da", r->chance_da, sizeof(r->chance_da));
        (void) text_chance(g, r, "en", r->chance_en, sizeof(r->chance_en));
}

void text_fill(const GoalDef *g, GoalResult *r)
{
        text_fill_input(g, NULL, r);
}

const char *text_title(const GoalDef *g, const char *lang)
{
        const char *t = lang_of(lang) == LANGUAGE_EN ? (g->title_en ?: g->title_da) : g->title_da;

        /* the configuration defaults a missing title to the id: that is no title for a reader */
        return isempty(t) || (g->id && streq(t, g->id)) ? NULL : t;
}

const char *text_status_label(GoalStatus s, const char *lang)
{
        static const char *const da[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "På sporet",
                [GOAL_STATUS_AT_RISK] = "I fare",
                [GOAL_STATUS_OFF_TRACK] = "Ikke på sporet",
                [GOAL_STATUS_ACHIEVED] = "Nået",
                [GOAL_STATUS_MISSED] = "Ikke nået",
                [GOAL_STATUS_NO_DATA] = "Ingen tal",
                [GOAL_STATUS_INSUFFICIENT_DATA] = "For lidt data",
        };
        static const char *const en[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "On track",
                [GOAL_STATUS_AT_RISK] = "At risk",
                [GOAL_STATUS_OFF_TRACK] = "Off track",
                [GOAL_STATUS_ACHIEVED] = "Achieved",
                [GOAL_STATUS_MISSED] = "Missed",
                [GOAL_STATUS_NO_DATA] = "No data",
                [GOAL_STATUS_INSUFFICIENT_DATA] = "Too little data",
        };

        if (s < 0 || s >= _GOAL_STATUS_MAX)
                return NULL;
        return (lang_of(lang) == LANGUAGE_EN ? en : da)[s];
}

char *text_gap(const GoalDef *g, const GoalResult *r, double v, int decimals, const char *lang, char *buf,
               size_t size)
{
        T t = context(g, r, lang_of(lang));

        if (size == 0)
                return buf;
        gap_phrase(&t, v, decimals, buf, size);
        return buf;
}

char *text_target(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        T t = context(g, r, lang_of(lang));

        if (size == 0)
                return buf;
        target_phrase(&t, true, buf, size);
        return buf;
}

/* ---- words for a table ---- */

/* "januar–juni 2024" after a capitalised word: "Gennemsnit januar–juni 2024" */
char *text_value_label(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        T t;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!r->has_value)
                return buf;
        t_init(&t, g, r, NULL, lang_of(lang));
        switch (g->kind) {
        case GOAL_LEVEL:
                if (t.agg == GOAL_AGGREGATE_LATEST)
                        concat(buf, size, t.en ? "Latest value (" : "Seneste værdi (", t.latest, ")", NULL);
                else if (r->n_observed <= 1 || !t.range)
                        concat(buf, size, t.en ? "Value (" : "Værdi (", t.span, ")", NULL);
                else if (t.agg == GOAL_AGGREGATE_AVERAGE)
                        concat(buf, size, t.en ? "Average " : "Gennemsnit ", t.span, NULL);
                else
                        concat(buf, size, t.en ? "Total " : "I alt ", t.span, NULL);
                break;
        case GOAL_CUMULATIVE:
                concat(buf, size, t.en ? "Total " : "I alt ", t.span, NULL);
                break;
        case GOAL_CHANGE:
                concat(buf, size, t.en ? "Change " : "Ændring ", t.span, NULL);
                break;
        case GOAL_REFERENCE:
                concat(buf, size, t.en ? "Difference " : "Forskel ", t.span, NULL);
                break;
        case GOAL_SHARE:
                concat(buf, size, t.en ? "Share " : "Andel ", t.span, NULL);
                break;
        case GOAL_RANK:
                concat(buf, size, t.en ? "Rank (" : "Placering (", t.latest, ")", NULL);
                break;
        default:
                concat(buf, size, t.en ? "Value" : "Værdi", NULL);
                break;
        }
        return buf;
}

char *text_value(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        char a[160];
        bool same;
        T t;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!r->has_value)
                return buf;
        t_init(&t, g, r, NULL, lang_of(lang));
        switch (g->kind) {
        case GOAL_CHANGE:
                change_words(&t, r->value, a, sizeof(a), &same);
                concat(buf, size, same ? (t.en ? "the same" : "det samme") : a, NULL);
                break;
        case GOAL_REFERENCE:
                with_unit(r->value, true, t.unit, t.l, buf, size);
                break;
        case GOAL_RANK:
                num(r->value, false, t.l, a, sizeof(a));
                concat(buf, size, t.en ? "no. " : "nr. ", a, NULL);
                break;
        default:
                with_unit(r->value, false, t.unit, t.l, buf, size);
                break;
        }
        return buf;
}

static void pace_words(const T *t, bool recent, char *buf, size_t size)
{
        const GoalDef *g = t->g;
        const GoalResult *r = t->r;
        bool at_most = g->direction == GOAL_AT_MOST;
        double v = recent ? r->recent_pace : r->pace_needed;
        bool per = !recent || r->recent_window > 1; /* an average per period */
        char a[128], b[64];

        if (g->kind == GOAL_RANK) {
                double need = recent ? -(r->recent_pace * r->recent_window) : g->target - r->value;
                with_unit(fabs(need), false, gap_unit(t, need), t->l, a, sizeof(a));
                if (fabs(need) < (recent ? 0.05 : 0.5))
                        concat(buf, size, recent ? (t->en ? "unchanged" : "uændret") :
                                                   (t->en ? "hold the rank" : "hold placeringen"), NULL);
                else if (recent) /* a smaller rank number is up */
                        concat(buf, size, a, need > 0 ? (t->en ? " up" : " op") : (t->en ? " down" : " ned"), NULL);
                else {
                        num(g->target, false, t->l, b, sizeof(b));
                        if ((need > 0) == at_most)
                                concat(buf, size, t->en ? "room for " : "plads til ", a,
                                       t->en ? " down (to no. " : " ned (til nr. ", b, ")", NULL);
                        else
                                concat(buf, size, a, t->en ? " up (to no. " : " op (til nr. ", b, ")", NULL);
                }
                return;
        }

        if (g->kind == GOAL_SHARE) {
                with_unit(v, false, "%", t->l, a, sizeof(a));
                if (recent)
                        concat(buf, size, a, NULL);
                else if (at_most ? v < 0 : v > 100)
                        concat(buf, size, t->en ? "out of reach" : "kan ikke længere nås", NULL);
                else if (at_most ? v >= 100 : v <= 0)
                        concat(buf, size, t->en ? "already reached" : "allerede nået", NULL);
                else
                        concat(buf, size, at_most ? (t->en ? "at most " : "højst ") : (t->en ? "at least " : "mindst "),
                               a, t->en ? " for the rest of " : " resten af ", t->period, NULL);
                return;
        }

        const char *u = pace_unit(t);
        if (t->agg == GOAL_AGGREGATE_SUM) {
                /* a flow: an amount per period */
                with_unit(v, false, u, t->l, a, sizeof(a));
                if (recent)
                        concat(buf, size, per ? (t->en ? "an average of " : "i gennemsnit ") : "", a,
                               per ? " " : "", per ? per_period(t) : "", NULL);
                else if (!at_most && v <= 0)
                        concat(buf, size, t->en ? "already reached" : "allerede nået", NULL);
                else if (at_most && v < 0)
                        concat(buf, size, t->en ? "already over the target" : "allerede over målet", NULL);
                else
                        concat(buf, size, at_most ? (t->en ? "at most " : "højst ") :
                                                    (t->en ? "an average of " : "i gennemsnit "),
                               a, " ", per_period(t), NULL);
                return;
        }

        /* a stock: a change per period, said as a rise or a fall */
        with_unit(fabs(v), false, u, t->l, a, sizeof(a));
        num(fabs(v), false, t->l, b, sizeof(b));
        const char *up_to = "";
        if (!recent && (at_most ? v > 0 : v < 0))
                up_to = t->en ? "up to " : "op til "; /* allowed, not needed */
        if (streq(b, "0"))
                concat(buf, size, recent ? (t->en ? "unchanged" : "uændret") :
                                           (t->en ? "hold the current level" : "uændret niveau"), NULL);
        else
                concat(buf, size, v < 0 ? (t->en ? "a fall of " : "fald på ") : (t->en ? "a rise of " : "stigning på "),
                       up_to, a, per ? " " : "", per ? per_period(t) : "", NULL);
}

char *text_pace(const GoalDef *g, const GoalResult *r, bool recent, const char *lang, char *buf, size_t size)
{
        T t;

        if (size == 0)
                return buf;
        buf[0] = 0;
        t_init(&t, g, r, NULL, lang_of(lang));
        if (recent ? !r->has_recent_pace : (!r->has_pace || t.remaining <= 1))
                return buf;
        pace_words(&t, recent, buf, size);
        return buf;
}

/* The chance in words (issue 17 §3): "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 372 og
 * 391." Honest rounding: an open period never says 0 % or 100 % ("under 5 %", "over 95 %"). Empty
 * for a finished period or one without a probability. */
char *text_chance(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        T t = context(g, r, lang_of(lang));
        bool en = t.l == LANGUAGE_EN;
        char pct[32], lo[64], hi[64 + GOAL_UNIT_MAX];
        const char *verdict;
        double p;

        if (size == 0)
                return buf;
        buf[0] = 0;
        if (!r->has_probability || !isfinite(r->probability) || r->status == GOAL_STATUS_ACHIEVED ||
            r->status == GOAL_STATUS_MISSED)
                return buf;
        p = r->probability * 100;
        /* English sets % without a space (as with_unit does), Danish with one */
        if (p < 5)
                snprintf(pct, sizeof pct, en ? "under 5%%" : "under 5 %%");
        else if (p > 95)
                snprintf(pct, sizeof pct, en ? "over 95%%" : "over 95 %%");
        else
                snprintf(pct, sizeof pct, en ? "about %d%%" : "ca. %d %%", (int) (round(p / 5) * 5));
        verdict = p >= 80 ? (en ? "The target will probably be met" : "Målet nås sandsynligvis")
                : p >= 50 ? (en ? "The target may be met" : "Målet kan nås")
                : p >= 20 ? (en ? "The target is at risk" : "Målet er i fare")
                          : (en ? "The target will hardly be met" : "Målet nås næppe");
        if (isfinite(r->projected_low) && isfinite(r->projected_high)) {
                /* whole numbers for a count (people, full-time persons) and a wide interval; a change
                 * in % of a counted series is no count ("−7,6 og −0,2 %", not "−8 og 0") */
                bool whole = (counts(&t) && !isempty(t.unit) && !unit_is_rate(t.unit)) ||
                             r->projected_high - r->projected_low >= 10;
                if (g->kind == GOAL_RANK) { /* places: "mellem nr. 3 og nr. 9", never "3 og 9 plads" */
                        char a[32], b[32];
                        num(round(r->projected_low), false, t.l, a, sizeof a);
                        num(round(r->projected_high), false, t.l, b, sizeof b);
                        snprintf(lo, sizeof lo, "%s%s", en ? "no. " : "nr. ", a);
                        snprintf(hi, sizeof hi, "%s%s", en ? "no. " : "nr. ", b);
                } else if (whole) {
                        num(round(r->projected_low), false, t.l, lo, sizeof lo);
                        /* the unit once, after the upper bound: "mellem 382 og 394 fuldtidspersoner" */
                        with_unit(round(r->projected_high), false, t.unit, t.l, hi, sizeof hi);
                } else {
                        /* both ends with one decimal: "mellem 71,7 og 78,0 %", not "71,7 og 78 %" */
                        char b[32];
                        format_minus(format_number(r->projected_low, 1, t.l, lo, sizeof lo), sizeof lo);
                        format_minus(format_number(r->projected_high, 1, t.l, b, sizeof b), sizeof b);
                        snprintf(hi, sizeof hi, "%s%s%s", b, isempty(t.unit) || (en && streq(t.unit, "%")) ? "" : " ",
                                 strempty(t.unit));
                }
                snprintf(buf, size, en ? "%s: %s chance. 80%% likely between %s and %s."
                                       : "%s: %s chance. 80 %% sikkert mellem %s og %s.",
                         verdict, pct, lo, hi);
        } else
                snprintf(buf, size, "%s: %s chance.", verdict, pct);
        return buf;
}

/* ---- data problems that are over (issue 22 §3) ---- */

const char *text_problem_resolved_label(const char *kind, const char *lang)
{
        bool en = lang_of(lang) == LANGUAGE_EN;

        if (kind && streq(kind, "source_failing"))
                return en ? "Source working again" : "Kilden svarer igen";
        if (kind && streq(kind, "series_late"))
                return en ? "Figures arrived" : "Tallene er kommet";
        return NULL;
}

char *text_problem_resolved(const char *kind, const char *name, const char *lang, char *buf, size_t size)
{
        bool en = lang_of(lang) == LANGUAGE_EN;

        if (size == 0)
                return buf;
        if (kind && streq(kind, "source_failing") && !isempty(name))
                snprintf(buf, size,
                         en ? "Source %s is answering again; labourwatch fetches its figures as before."
                            : "Kilden %s svarer igen; labourwatch henter tal fra den som før.",
                         name);
        else if (kind && streq(kind, "series_late") && !isempty(name))
                snprintf(buf, size,
                         en ? "The figures of series %s have arrived; its goals are judged on them again."
                            : "Tallene i serien %s er kommet; dens mål vurderes på dem igen.",
                         name);
        else
                snprintf(buf, size, "%s", en ? "The data problem is over." : "Dataproblemet er løst.");
        return buf;
}

const char *text_problems_resolved_intro(size_t n, const char *lang)
{
        bool en = lang_of(lang) == LANGUAGE_EN;

        if (n == 1)
                return en ? "A data problem is over; labourwatch works on fresh figures again:"
                          : "Et dataproblem er løst; labourwatch arbejder med friske tal igen:";
        return en ? "These data problems are over; labourwatch works on fresh figures again:"
                  : "Disse dataproblemer er løst; labourwatch arbejder med friske tal igen:";
}

char *text_problems_resolved_summary(size_t n, const char *lang, char *buf, size_t size)
{
        bool en = lang_of(lang) == LANGUAGE_EN;

        if (size == 0)
                return buf;
        if (en)
                snprintf(buf, size, "%zu data problem%s resolved", n, n == 1 ? "" : "s");
        else
                snprintf(buf, size, "%zu %s løst", n, n == 1 ? "dataproblem" : "dataproblemer");
        return buf;
}
