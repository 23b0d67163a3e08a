/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text for people: the sentences that explain a goal's verdict, in Danish and English. See text.h.
 * Pure: no I/O, no clock, no logging, no globals. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

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

static bool isempty(const char *s)
{
        return !s || !*s;
}

/* "380 fuldtidspersoner", "52,3 %", "50%" (English), "+4,1 %". Concatenated by hand: this runs
 * several times per goal. */
static char *with_unit(double v, bool sign, const char *unit, Language l, char *buf, size_t size)
{
        size_t n, u;

        if (sign)
                format_value_signed(v, l, buf, size);
        else
                format_value(v, l, buf, size);
        if (isempty(unit))
                return buf;
        n = strlen(buf);
        u = strlen(unit);
        if (!(streq(unit, "%") && l == LANGUAGE_EN) && n + 1 < size)
                buf[n++] = ' ';
        if (n + u < size) {
                memcpy(buf + n, unit, u + 1);
                n += u;
        }
        buf[MIN(n, size - 1)] = 0;
        return buf;
}

static const char *freq_plural(PeriodFreq f, Language l)
{
        bool en = l == LANGUAGE_EN;

        switch (f) {
        case PERIOD_YEAR:
                return en ? "years" : "år";
        case PERIOD_HALF:
                return en ? "half-years" : "halvår";
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return en ? "quarters" : "kvartaler";
        default:
                return en ? "months" : "måneder";
        }
}

static void explain(const GoalDef *g, const GoalResult *r, Language l, char *out, size_t size)
{
        PeriodFreq f = r->freq >= 0 ? r->freq : PERIOD_MONTH;
        bool en = l == LANGUAGE_EN;
        const char *unit = en ? r->unit_en : r->unit_da, *pace_unit = en ? r->pace_unit_en : r->pace_unit_da;
        const char *title = en ? (g->title_en ?: g->title_da ?: g->id) : (g->title_da ?: g->id);
        char period[FORMAT_PERIOD_MAX], latest[FORMAT_PERIOD_MAX], baseline[FORMAT_PERIOD_MAX];
        char value[96], target[128], projected[96], a[96], b[96];
        bool sign = g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE;
        Text t = { out, size, 0 };

        format_period(g->period, l, period, sizeof(period));
        format_period(g->baseline, l, baseline, sizeof(baseline));
        if (r->has_latest)
                format_period(r->latest, l, latest, sizeof(latest));
        else
                snprintf(latest, sizeof(latest), "?");
        with_unit(r->value, sign, unit, l, value, sizeof(value));
        with_unit(r->projected, sign, unit, l, projected, sizeof(projected));

        switch (r->reason) {
        case GOAL_REASON_NO_SERIES:
                text_add(&t, en ? "%s: no verdict, the series it needs has no data." :
                                  "%s: ingen vurdering, den nødvendige serie har ingen data.", title);
                return;
        case GOAL_REASON_FREQUENCY:
                text_add(&t, en ? "%s: no verdict, the series has no periods within %s." :
                                  "%s: ingen vurdering, serien har ingen perioder inden for %s.", title, period);
                return;
        case GOAL_REASON_NO_PERIOD_DATA:
                text_add(&t, en ? "%s: no figures for %s yet." : "%s: ingen tal for %s endnu.", title, period);
                return;
        case GOAL_REASON_STALE:
                text_add(&t, en ? "%s: no verdict, the latest figures are for %s and newer ones were expected by now." :
                                  "%s: ingen vurdering, de seneste tal er for %s, og nyere tal var ventet.",
                         title, latest);
                return;
        case GOAL_REASON_NO_BASELINE:
                text_add(&t, en ? "%s: no verdict, there are no figures for the baseline %s to compare %s with." :
                                  "%s: ingen vurdering, der er ingen tal for %s at sammenligne %s med.",
                         title, baseline, latest);
                return;
        case GOAL_REASON_ZERO_BASELINE:
                text_add(&t, en ? "%s: no verdict, the baseline %s is 0, so a change in per cent is undefined." :
                                  "%s: ingen vurdering, sammenligningsgrundlaget %s er 0, så en ændring i procent kan ikke beregnes.",
                         title, baseline);
                return;
        case GOAL_REASON_SMALL_DENOMINATOR:
                if (r->denominator <= 0) {
                        text_add(&t, en ? "%s: insufficient data for a verdict, the denominator is 0 up to %s." :
                                          "%s: for lidt data til en vurdering, nævneren er 0 til og med %s.",
                                 title, latest);
                        return;
                }
                format_value(r->denominator, l, a, sizeof(a));
                format_value(g->min_denominator, l, b, sizeof(b));
                text_add(&t, en ? "%s: insufficient data for a verdict, %s cases up to %s where at least %s are needed." :
                                  "%s: for lidt data til en vurdering, %s sager til og med %s, hvor der kræves mindst %s.",
                         title, a, latest, b);
                return;
        default:
                break;
        }

        /* title and status */
        static const char *const status_da[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "er på rette spor", [GOAL_STATUS_AT_RISK] = "er i fare",
                [GOAL_STATUS_OFF_TRACK] = "er ikke på rette spor", [GOAL_STATUS_ACHIEVED] = "er nået",
                [GOAL_STATUS_MISSED] = "er ikke nået",
        };
        static const char *const status_en[_GOAL_STATUS_MAX] = {
                [GOAL_STATUS_ON_TRACK] = "is on track", [GOAL_STATUS_AT_RISK] = "is at risk",
                [GOAL_STATUS_OFF_TRACK] = "is off track", [GOAL_STATUS_ACHIEVED] = "was achieved",
                [GOAL_STATUS_MISSED] = "was missed",
        };
        text_add(&t, "%s %s: ", title, strempty((en ? status_en : status_da)[r->status]));

        /* the measure */
        switch (g->kind) {
        case GOAL_LEVEL:
                if (goal_effective_aggregate(g) == GOAL_AGGREGATE_AVERAGE)
                        text_add(&t, en ? "average %s up to %s" : "gennemsnit %s til og med %s", value, latest);
                else if (goal_effective_aggregate(g) == GOAL_AGGREGATE_LATEST)
                        text_add(&t, en ? "%s in %s" : "%s i %s", value, latest);
                else
                        text_add(&t, en ? "%s in total up to %s" : "%s i alt til og med %s", value, latest);
                break;
        case GOAL_CUMULATIVE:
                format_value(r->expected, l, a, sizeof(a));
                text_add(&t, en ? "%s in total up to %s (the pro-rata path: %s)" :
                                  "%s i alt til og med %s (jævnt fordelt: %s)", value, latest, a);
                break;
        case GOAL_CHANGE:
                text_add(&t, en ? "%s against the same periods of %s, up to %s" :
                                  "%s mod samme perioder i %s, til og med %s", value, baseline, latest);
                break;
        case GOAL_REFERENCE: {
                const char *cu = g->change_unit == CHANGE_PERCENT ? "%" :
                                 g->change_unit == CHANGE_POINTS ? (en ? "percentage points" : "procentpoint") : "";
                with_unit(r->own_change, true, cu, l, a, sizeof(a));
                with_unit(r->reference_change, true, cu, l, b, sizeof(b));
                text_add(&t, en ? "%s against %s for the reference since %s, a difference of %s up to %s" :
                                  "%s mod %s for sammenligningen siden %s, en forskel på %s til og med %s",
                         a, b, baseline, value, latest);
                break;
        }
        case GOAL_SHARE:
                format_value(r->value * r->denominator / 100, l, a, sizeof(a));
                format_value(r->denominator, l, b, sizeof(b));
                text_add(&t, en ? "%s (%s of %s) up to %s" : "%s (%s af %s) til og med %s", value, a, b, latest);
                break;
        case GOAL_RANK:
                format_value(r->value, l, a, sizeof(a));
                text_add(&t, en ? "rank %s in %s" : "nr. %s i %s", a, latest);
                break;
        default:
                break;
        }

        /* the target */
        if (g->kind == GOAL_RANK && g->direction == GOAL_AT_MOST) {
                format_value(g->target, l, a, sizeof(a));
                snprintf(target, sizeof(target), en ? "the top %s" : "top %s", a);
        } else if (g->kind == GOAL_RANK) {
                format_value(g->target, l, a, sizeof(a));
                snprintf(target, sizeof(target), en ? "rank %s or below" : "nr. %s eller derunder", a);
        } else {
                char tv[96];
                with_unit(g->target, sign, unit, l, tv, sizeof(tv));
                snprintf(target, sizeof(target), "%s %s",
                         g->direction == GOAL_AT_MOST ? (en ? "at most" : "højst") : (en ? "at least" : "mindst"), tv);
        }

        if (r->status == GOAL_STATUS_ACHIEVED || r->status == GOAL_STATUS_MISSED) {
                text_add(&t, en ? ", against the target of %s in %s." : ", mod målet %s i %s.", target, period);
                return;
        }
        if (g->kind == GOAL_RANK)
                format_value(r->projected, l, projected, sizeof(projected));
        if (r->has_projected)
                text_add(&t, en ? "; projected %s%s by the end of %s against the target of %s" :
                                  "; fremskrevet %s%s ved udgangen af %s mod målet %s",
                         g->kind == GOAL_RANK ? (en ? "rank " : "nr. ") : "", projected, period, target);
        else
                text_add(&t, en ? "; the target is %s in %s" : "; målet er %s i %s", target, period);

        /* the pace */
        if (r->has_pace && g->kind == GOAL_SHARE) {
                with_unit(r->pace_needed, false, "%", l, a, sizeof(a));
                text_add(&t, en ? "; the remaining %s need %s" : "; de resterende %s skal nå %s",
                         freq_plural(f, l), a);
                if (r->has_recent_pace) {
                        with_unit(r->recent_pace, false, "%", l, b, sizeof(b));
                        text_add(&t, en ? ", the last %d %s gave %s" : ", de seneste %d %s gav %s",
                                 r->recent_window, freq_plural(f, l), b);
                }
        } else if (r->has_pace) {
                bool flow = goal_effective_aggregate(g) == GOAL_AGGREGATE_SUM;
                bool at_most = g->direction == GOAL_AT_MOST;
                const char *per = en ? format_freq_unit(f, l) :
                                       f == PERIOD_MONTH ? "måneden" :
                                       f == PERIOD_YEAR ? "året" :
                                       f == PERIOD_HALF ? "halvåret" : "kvartalet";

                /* A department head reads "this needs -4 a month" on a goal that is ahead as a
                 * demand; say how much room there is instead, in the direction that is harmless. */
                if (flow && !at_most && r->pace_needed <= 0)
                        text_add(&t, en ? "; the figures so far already reach the target" :
                                          "; tallene indtil nu når allerede målet");
                else if (flow && at_most && r->pace_needed < 0)
                        text_add(&t, en ? "; the figures so far already exceed the target" :
                                          "; tallene indtil nu overskrider allerede målet");
                else if (flow && at_most) {
                        with_unit(r->pace_needed, false, pace_unit, l, a, sizeof(a));
                        text_add(&t, en ? "; at most %s a %s from here" : "; højst %s om %s herfra", a, per);
                } else if (!flow && (at_most ? r->pace_needed > 0 : r->pace_needed < 0)) {
                        with_unit(fabs(r->pace_needed), false, pace_unit, l, a, sizeof(a));
                        if (g->kind == GOAL_RANK)
                                text_add(&t, en ? "; the rank can afford to slip %s a %s" :
                                                  "; placeringen kan tåle at falde %s om %s", a, per);
                        else if (at_most)
                                text_add(&t, en ? "; there is room for a rise of %s a %s" :
                                                  "; der er plads til en stigning på %s om %s", a, per);
                        else
                                text_add(&t, en ? "; there is room for a fall of %s a %s" :
                                                  "; der er plads til et fald på %s om %s", a, per);
                } else {
                        with_unit(r->pace_needed, !flow, pace_unit, l, a, sizeof(a));
                        text_add(&t, en ? "; this needs %s a %s" : "; det kræver %s om %s", a, per);
                }
                if (r->has_recent_pace) {
                        if (flow)
                                format_value(r->recent_pace, l, b, sizeof(b));
                        else
                                format_value_signed(r->recent_pace, l, b, sizeof(b));
                        text_add(&t, en ? ", the last %d %s averaged %s" : ", de seneste %d %s gav i gennemsnit %s",
                                 r->recent_window, freq_plural(f, l), b);
                }
        }
        text_add(&t, ".");
}

static Language lang_of(const char *lang)
{
        return language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA;
}

int text_explain(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size)
{
        assert(g);
        assert(r);

        if (!buf || size == 0)
                return -EINVAL;
        buf[0] = 0;
        explain(g, r, lang_of(lang), buf, size);
        return (int) strlen(buf);
}

void text_fill(const GoalDef *g, GoalResult *r)
{
        (void) text_explain(g, r, "da", r->explanation_da, sizeof(r->explanation_da));
        (void) text_explain(g, r, "en", r->explanation_en, sizeof(r->explanation_en));
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
                [GOAL_STATUS_NO_DATA] = "No figures",
                [GOAL_STATUS_INSUFFICIENT_DATA] = "Too little data",
        };

        if (s < 0 || s >= _GOAL_STATUS_MAX)
                return NULL;
        return (lang_of(lang) == LANGUAGE_EN ? en : da)[s];
}
