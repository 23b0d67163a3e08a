/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Charts of goals, drawn with cairo. See chart.h for what each goal kind shows. Pure: the only
 * output is a cairo surface or bytes in memory; no I/O, no clock, no logging. */
#include <assert.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "labourwatch/chart.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"

/* Okabe-Ito: distinguishable with the common colour-vision deficiencies. Lines also differ in
 * width and dash pattern, and the status is written out, so the chart reads in greyscale. */
#define RGB(hex) ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0
#define COLOUR_MAIN 0x0072B2      /* blue */
#define COLOUR_REFERENCE 0xCC79A7 /* reddish purple */
#define COLOUR_BASELINE 0xB8B8B8
#define COLOUR_GUIDE 0x555555
#define COLOUR_TEXT 0x222222
#define COLOUR_MUTED 0x666666
#define COLOUR_GRID 0xE4E4E4
#define COLOUR_BAND 0xE8E8E8
#define COLOUR_TARGET 0x333333
#define COLOUR_OK 0x009E73   /* bluish green */
#define COLOUR_RISK 0xE69F00 /* orange */
#define COLOUR_BAD 0xD55E00  /* vermillion */
#define COLOUR_NONE 0x999999
/* The fan: the main colour at a quarter over white (#bfdcec), a step darker than the target band
 * (#e8e8e8) in greyscale too, and a wedge where the band is a strip. */
#define FAN_ALPHA 0.25

#define FONT "DejaVu Sans"

static const char *const chart_format_table[_CHART_FORMAT_MAX] = {
        [CHART_FORMAT_PNG] = "png",
        [CHART_FORMAT_SVG] = "svg",
        [CHART_FORMAT_PDF] = "pdf",
};

DEFINE_STRING_TABLE_LOOKUP(chart_format, ChartFormat)

const char *chart_status_label(GoalStatus s, Language l)
{
        const char *t = text_status_label(s, language_to_string(l));

        return t ? t : "?";
}

static unsigned status_hex(GoalStatus s)
{
        switch (s) {
        case GOAL_STATUS_ON_TRACK:
        case GOAL_STATUS_ACHIEVED:
                return COLOUR_OK;
        case GOAL_STATUS_AT_RISK:
                return COLOUR_RISK;
        case GOAL_STATUS_OFF_TRACK:
        case GOAL_STATUS_MISSED:
                return COLOUR_BAD;
        default:
                return COLOUR_NONE;
        }
}

void chart_status_rgb(GoalStatus s, double ret_rgb[static 3])
{
        unsigned h = status_hex(s);

        ret_rgb[0] = (h >> 16 & 0xff) / 255.0;
        ret_rgb[1] = (h >> 8 & 0xff) / 255.0;
        ret_rgb[2] = (h & 0xff) / 255.0;
}

char *chart_format_period(Period p, Language l, char *buf, size_t size)
{
        static const char *const da[12] = { "jan.", "feb.", "mar.", "apr.", "maj", "jun.",
                                             "jul.", "aug.", "sep.", "okt.", "nov.", "dec." };
        static const char *const en[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

        if (p.freq == PERIOD_MONTH && period_is_valid(p)) {
                snprintf(buf, size, "%s %d", (l == LANGUAGE_EN ? en : da)[p.sub - 1], p.year);
                return buf;
        }
        if (p.freq == PERIOD_QMAT)
                p.freq = PERIOD_QUARTER; /* the moving year ending in that quarter; the axis says which */
        return format_period(p, l, buf, size);
}

/* ---- glue: goal -> ChartData ---- */

static bool isempty(const char *s)
{
        return !s || !*s;
}

typedef struct Glue {
        const Series *const *s;
        PeriodFreq f;
        Date now;
} Glue;

/* An observation known at `now`: present, not missing, finite, its period over before now. */
static bool known(const Glue *u, GoalRole role, int64_t idx, double *ret)
{
        const Series *s = u->s[role];
        Period p = period_from_index(u->f, idx);
        const SeriesPoint *pt;

        if (!s || date_compare(period_last_day(p), u->now) >= 0)
                return false;
        pt = series_get(s, p);
        if (!pt || pt->missing || !isfinite(pt->value))
                return false;
        *ret = pt->value;
        return true;
}

static ChartLine *add_line(ChartData *d, ChartLineStyle style, const char *label)
{
        ChartLine *line;

        assert(d->n_lines < CHART_LINES_MAX);
        line = &d->lines[d->n_lines++];
        *line = (ChartLine){ .style = style, .n_points = d->n_slots };
        snprintf(line->label, sizeof(line->label), "%s", strempty(label));
        for (size_t i = 0; i < d->n_slots; i++)
                line->points[i].missing = true;
        return line;
}

/* Fills line from role's series over the slots (idx0 = index of slot 0; off shifts to the
 * baseline), optionally as a running total, scaled by `scale`. Returns the aggregate of what was
 * known (sum, mean or last, as a) and the number of points in *ret_n. */
static double fill(const Glue *u, ChartLine *line, GoalRole role, int64_t idx0, int64_t off, bool running,
                   double scale, GoalAggregate a, int *ret_n)
{
        double sum = 0, last = 0, v;
        int n = 0;

        for (size_t i = 0; i < line->n_points; i++) {
                if (!known(u, role, idx0 + (int64_t) i + off, &v))
                        continue;
                sum += v;
                last = v;
                n++;
                line->points[i] = (ChartPoint){ .value = scale * (running ? sum : v) };
        }
        if (ret_n)
                *ret_n = n;
        return a == GOAL_AGGREGATE_SUM ? sum : a == GOAL_AGGREGATE_LATEST ? last : n > 0 ? sum / n : 0;
}

static double baseline_aggregate(const Glue *u, GoalRole role, int64_t bf, int64_t bl, GoalAggregate a)
{
        double sum = 0, last = 0, v;
        int n = 0;

        for (int64_t idx = bf; idx <= bl; idx++)
                if (known(u, role, idx, &v)) {
                        sum += v;
                        last = v;
                        n++;
                }
        return a == GOAL_AGGREGATE_SUM ? sum : a == GOAL_AGGREGATE_LATEST ? last : n > 0 ? sum / n : NAN;
}

static double change_level(ChangeUnit u, double base, double t)
{
        return u == CHANGE_PERCENT ? base + t / 100 * fabs(base) : base + t;
}

/* "mål: mindst +20 % mod 2023", "mål: højst 0 procentpoint over sammenligningen"; the band "± 3 %". */
static void change_texts(ChartData *d, const GoalDef *g, const char *baseline)
{
        bool en = d->language == LANGUAGE_EN, ref = g->kind == GOAL_REFERENCE;
        const char *dir = g->direction == GOAL_AT_MOST ? (en ? "at most" : "højst") : (en ? "at least" : "mindst");
        const char *unit = g->change_unit == CHANGE_PERCENT && !ref ? " %"
                           : g->change_unit == CHANGE_ABSOLUTE      ? ""
                           : en                                     ? " points"
                                                                    : " point";
        char v[FORMAT_NUMBER_MAX];

        format_value_signed(g->target, d->language, v, sizeof(v));
        if (ref)
                snprintf(d->target_text, sizeof(d->target_text), "%s %s %s%s %s", en ? "target:" : "mål:", dir, v,
                         unit, en ? "relative to the reference" : "i forhold til sammenligningen");
        else
                snprintf(d->target_text, sizeof(d->target_text), "%s %s %s%s %s %s", en ? "target:" : "mål:", dir,
                         v, unit, en ? "on" : "mod", baseline);
        snprintf(d->tolerance_text, sizeof(d->tolerance_text), "%s %s%s", en ? "target ±" : "mål ±",
                 format_value(g->tolerance, d->language, v, sizeof(v)), unit);
}

static int cmp_period(const void *a, const void *b)
{
        return period_compare(*(const Period *) a, *(const Period *) b);
}

int chart_data_from_goal(const GoalDef *g, const GoalResult *r, const Series *const *series, Date now,
                         const char *unit, const Period *revised, size_t n_revised, Language l,
                         ChartData *ret)
{
        GoalRole main = g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES;
        GoalAggregate a = g->kind == GOAL_SHARE || g->kind == GOAL_CUMULATIVE ? GOAL_AGGREGATE_SUM
                          : g->kind == GOAL_RANK                              ? GOAL_AGGREGATE_LATEST
                          : g->aggregate >= 0 && g->aggregate < _GOAL_AGGREGATE_MAX ? g->aggregate
                                                                                     : GOAL_AGGREGATE_AVERAGE;
        bool en = l == LANGUAGE_EN, sum = a == GOAL_AGGREGATE_SUM;
        Glue u = { .s = series, .now = now };
        char pbuf[FORMAT_PERIOD_MAX], bbuf[FORMAT_PERIOD_MAX];
        int64_t pf, pl;
        ChartLine *m;
        ChartData *d = ret;

        assert(g && r && series && ret);
        u.f = r->freq >= 0 && r->freq < _PERIOD_FREQ_MAX ? r->freq
              : series[main] && series[main]->n_points > 0 ? series[main]->freq
                                                             : _PERIOD_FREQ_INVALID;
        if (u.f < 0 || !period_is_valid(g->period) || !period_members(g->period, u.f, &pf, &pl) ||
            pl - pf + 1 > CHART_SLOTS_MAX)
                return -EINVAL;

        *d = (ChartData){ .language = l, .first = period_from_index(u.f, pf), .n_slots = (size_t) (pl - pf + 1),
                          .status = r->status, .direction = g->direction };
        snprintf(d->title, sizeof(d->title), "%s",
                 strempty(en && g->title_en ? g->title_en : g->title_da ? g->title_da : g->id));
        snprintf(d->unit, sizeof(d->unit), "%s", strempty(unit));
        format_period(g->period, l, pbuf, sizeof(pbuf));
        m = add_line(d, CHART_LINE_MAIN, pbuf);
        d->has_target = true;
        d->target = g->target;
        d->tolerance = g->tolerance > 0 ? g->tolerance : 0;

        switch (g->kind) {
        case GOAL_LEVEL:
        case GOAL_RANK:
                (void) fill(&u, m, GOAL_ROLE_SERIES, pf, 0, sum, 1, a, NULL);
                d->from_zero = sum;
                d->inverted = g->kind == GOAL_RANK;
                if (g->kind == GOAL_RANK)
                        snprintf(d->unit, sizeof(d->unit), "%s", en ? "rank" : "placering");
                else if (sum)
                        snprintf(d->unit, sizeof(d->unit), "%s%s%s", strempty(unit), isempty(unit) ? "" : ", ",
                                 en ? "running total" : "løbende sum");
                d->projection = r->projected;
                d->interval_low = r->projected_low, d->interval_high = r->projected_high;
                break;

        case GOAL_CUMULATIVE: {
                ChartLine *guide = add_line(d, CHART_LINE_GUIDE, en ? "pro-rata path" : "jævnt forløb");
                (void) fill(&u, m, GOAL_ROLE_SERIES, pf, 0, true, 1, a, NULL);
                for (size_t i = 0; i < d->n_slots; i++)
                        guide->points[i] = (ChartPoint){ .value = g->target * (double) (i + 1) / (double) d->n_slots };
                d->from_zero = true;
                snprintf(d->unit, sizeof(d->unit), "%s%s%s", strempty(unit), isempty(unit) ? "" : ", ",
                         en ? "running total" : "løbende sum");
                d->projection = r->projected;
                d->interval_low = r->projected_low, d->interval_high = r->projected_high;
                break;
        }

        case GOAL_SHARE: {
                /* the running share, a ratio of sums to date: what the goal is judged on */
                double sn = 0, sd = 0, vn, vd;
                for (size_t i = 0; i < d->n_slots; i++) {
                        int64_t idx = pf + (int64_t) i;
                        if (!known(&u, GOAL_ROLE_NUMERATOR, idx, &vn) || !known(&u, GOAL_ROLE_DENOMINATOR, idx, &vd))
                                continue;
                        sn += vn;
                        sd += vd;
                        if (sd > 0)
                                m->points[i] = (ChartPoint){ .value = 100 * sn / sd };
                }
                snprintf(d->unit, sizeof(d->unit), "%s", en ? "%, running share" : "%, andel til dato");
                snprintf(d->value_suffix, sizeof(d->value_suffix), " %%");
                d->projection = r->projected;
                d->interval_low = r->projected_low, d->interval_high = r->projected_high;
                break;
        }

        case GOAL_CHANGE:
        case GOAL_REFERENCE: {
                int64_t bf, bl;
                bool ref = g->kind == GOAL_REFERENCE, index = ref && g->change_unit == CHANGE_PERCENT;
                double base, rbase = 0;
                ChartLine *b;

                if (!period_is_valid(g->baseline) || !period_members(g->baseline, u.f, &bf, &bl)) {
                        (void) fill(&u, m, GOAL_ROLE_SERIES, pf, 0, sum, 1, a, NULL);
                        d->has_target = false;
                        break;
                }
                base = baseline_aggregate(&u, GOAL_ROLE_SERIES, bf, bl, a);
                if (ref)
                        rbase = baseline_aggregate(&u, GOAL_ROLE_REFERENCE, bf, bl, a);
                if (!isfinite(base) || (index && (base == 0 || !isfinite(rbase) || rbase == 0))) {
                        (void) fill(&u, m, GOAL_ROLE_SERIES, pf, 0, sum, 1, a, NULL);
                        d->has_target = false;
                        break;
                }
                format_period(g->baseline, l, bbuf, sizeof(bbuf));
                b = add_line(d, CHART_LINE_BASELINE, bbuf);
                double k = index ? 100 / fabs(base) : 1;
                (void) fill(&u, b, GOAL_ROLE_SERIES, pf, bf - pf, sum, k, a, NULL);
                (void) fill(&u, m, GOAL_ROLE_SERIES, pf, 0, sum, k, a, NULL);
                if (ref) {
                        char rl[CHART_TEXT_MAX];
                        snprintf(rl, sizeof(rl), "%s %s", en ? "reference" : "sammenligning", pbuf);
                        ChartLine *rline = add_line(d, CHART_LINE_REFERENCE, rl);
                        (void) fill(&u, rline, GOAL_ROLE_REFERENCE, pf, 0, sum, index ? 100 / fabs(rbase) : 1, a,
                                    NULL);
                }
                /* Target and projection as the level (or index) of the measured series that gives them;
                 * a reference goal's target moves with the reference's own change. */
                double shift = ref && r->has_reference_change ? r->reference_change : 0;
                change_texts(d, g, bbuf);
                if (index) {
                        d->target = 100 + shift + g->target;
                        d->projection = 100 + shift + r->projected;
                        d->interval_low = 100 + shift + r->projected_low;
                        d->interval_high = 100 + shift + r->projected_high;
                        snprintf(d->unit, sizeof(d->unit), "%s %s = 100", en ? "index," : "indeks,", bbuf);
                } else {
                        d->target = change_level(g->change_unit, base, g->target + shift);
                        d->tolerance = g->change_unit == CHANGE_PERCENT ? fabs(base) * d->tolerance / 100 : d->tolerance;
                        d->projection = change_level(g->change_unit, base, r->projected + shift);
                        d->interval_low = change_level(g->change_unit, base, r->projected_low + shift);
                        d->interval_high = change_level(g->change_unit, base, r->projected_high + shift);
                        if (sum)
                                snprintf(d->unit, sizeof(d->unit), "%s%s%s", strempty(unit), isempty(unit) ? "" : ", ",
                                         en ? "running total" : "løbende sum");
                }
                d->from_zero = sum;
                break;
        }

        default:
                return -EINVAL;
        }

        /* An average is projected as the average of the whole goal period, not the last period's
         * value: say so, or the dashed line's end reads as December's figure. */
        if (a == GOAL_AGGREGATE_AVERAGE && g->kind != GOAL_SHARE)
                snprintf(d->projection_label, sizeof(d->projection_label), "%s %s",
                         en ? "projected average" : "fremskrevet gns.", pbuf);
        /* a projection only while the verdict is still open */
        d->has_projection = r->has_projected && isfinite(d->projection) &&
                            (r->status == GOAL_STATUS_ON_TRACK || r->status == GOAL_STATUS_AT_RISK ||
                             r->status == GOAL_STATUS_OFF_TRACK);
        if (g->kind == GOAL_RANK && d->projection < 1)
                d->projection = 1;
        /* the interval as a fan, only beside a projection (a finished period has none) and where the
         * engine gave one; a change of a negative baseline would flip it, so order the ends */
        d->has_interval = d->has_projection && r->has_probability && isfinite(d->interval_low) &&
                          isfinite(d->interval_high) && fabs(d->interval_high - d->interval_low) > 0;
        if (d->has_interval && d->interval_low > d->interval_high) {
                double x = d->interval_low;
                d->interval_low = d->interval_high, d->interval_high = x;
        }
        if (g->kind == GOAL_RANK && d->has_interval) /* nobody ranks above 1 */
                d->interval_low = MAX(d->interval_low, 1.0);

        /* Mark revised points: both lists are sorted, so one merge pass. */
        if (n_revised > 0) {
                _cleanup_free_ Period *sorted = xmalloc_array(n_revised, sizeof(Period));
                size_t j = 0;
                if (!sorted)
                        return -ENOMEM;
                memcpy(sorted, revised, n_revised * sizeof(Period));
                qsort(sorted, n_revised, sizeof(Period), cmp_period);
                for (size_t i = 0; i < d->n_slots && j < n_revised; i++) {
                        Period p = period_from_index(u.f, pf + (int64_t) i);
                        while (j < n_revised && period_compare(sorted[j], p) < 0)
                                j++;
                        if (j < n_revised && period_equal(sorted[j], p) && !m->points[i].missing)
                                m->points[i].revised = true;
                }
        }
        return 0;
}

int chart_data_from_set(const GoalDef *g, const GoalResult *r, const SeriesSet *set, Date now, const char *unit,
                        const Period *revised, size_t n_revised, Language l, ChartData *ret)
{
        const Series *s[_GOAL_ROLE_MAX] = {};

        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, role);
                if (name)
                        s[role] = series_set_find(set, name);
        }
        return chart_data_from_goal(g, r, s, now, unit, revised, n_revised, l, ret);
}

/* ---- layout ---- */

#define MARGIN_LEFT 58.0
#define MARGIN_RIGHT 96.0
#define PLOT_TOP 70.0
#define PLOT_BOTTOM 30.0
#define TITLE_Y 22.0
#define LEGEND_Y 44.0

static void label(ChartLabel *lab, double x, double y, const char *text)
{
        lab->x = x;
        lab->y = y;
        snprintf(lab->text, sizeof(lab->text), "%s", text);
}

/* 1, 2, 2.5 or 5 times a power of ten, at least raw. */
static double nice_step(double raw)
{
        double p = pow(10, floor(log10(raw))), m = raw / p;

        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

static int step_decimals(double step)
{
        int d = 0;

        while (d < 3 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
                d++;
        return d;
}

double chart_layout_y(const ChartLayout *l, double v)
{
        double t = (v - l->y_min) / (l->y_max - l->y_min);

        return l->inverted ? l->top + t * (l->bottom - l->top) : l->bottom - t * (l->bottom - l->top);
}

double chart_layout_x(const ChartLayout *l, size_t n_slots, size_t i)
{
        return l->left + ((double) i + 0.5) * (l->right - l->left) / (double) MAX(n_slots, (size_t) 1);
}

static void legend_add(ChartLayout *l, int kind, ChartLineStyle style, const char *text)
{
        if (l->n_legend >= CHART_LEGEND_MAX || isempty(text))
                return;
        l->legend[l->n_legend] = (ChartLegendItem){ .kind = kind, .style = style };
        snprintf(l->legend[l->n_legend].text, sizeof(l->legend[l->n_legend].text), "%s", text);
        l->n_legend++;
}

int chart_layout(const ChartData *d, ChartLayout *ret)
{
        bool en = d->language == LANGUAGE_EN, any_revised = false;
        double lo = INFINITY, hi = -INFINITY, step;
        char v[FORMAT_NUMBER_MAX], p[FORMAT_PERIOD_MAX], t[CHART_TEXT_MAX];
        ChartLayout *l = ret;
        const ChartLine *m = NULL;
        size_t latest = SIZE_MAX;

        assert(d && ret);
        if (d->n_slots == 0 || d->n_slots > CHART_SLOTS_MAX || d->n_lines > CHART_LINES_MAX)
                return -EINVAL;
        if (d->compact)
                *l = (ChartLayout){ .width = CHART_COMPACT_WIDTH, .height = CHART_COMPACT_HEIGHT, .left = 44,
                                    .right = CHART_COMPACT_WIDTH - 58, .top = 40, .bottom = CHART_COMPACT_HEIGHT - 26,
                                    .legend_y = 16, .inverted = d->inverted, .status = d->status };
        else
                *l = (ChartLayout){ .width = CHART_WIDTH, .height = CHART_HEIGHT, .left = MARGIN_LEFT,
                                    .right = CHART_WIDTH - MARGIN_RIGHT, .top = PLOT_TOP,
                                    .bottom = CHART_HEIGHT - PLOT_BOTTOM, .legend_y = LEGEND_Y,
                                    .inverted = d->inverted, .status = d->status };

        /* the value range: every known point, the target band and the projection */
        for (size_t k = 0; k < d->n_lines; k++) {
                const ChartLine *line = &d->lines[k];
                if (line->style == CHART_LINE_MAIN && !m)
                        m = line;
                for (size_t i = 0; i < MIN(line->n_points, d->n_slots); i++)
                        if (!line->points[i].missing && isfinite(line->points[i].value)) {
                                lo = MIN(lo, line->points[i].value);
                                hi = MAX(hi, line->points[i].value);
                        }
        }
        if (d->has_target && isfinite(d->target)) {
                lo = MIN(lo, d->target - d->tolerance);
                hi = MAX(hi, d->target + d->tolerance);
        }
        for (size_t i = 0; m && i < MIN(m->n_points, d->n_slots); i++)
                if (!m->points[i].missing && isfinite(m->points[i].value))
                        latest = i;
        bool projection = d->has_projection && isfinite(d->projection) && latest != SIZE_MAX &&
                          latest + 1 < d->n_slots;
        if (projection) {
                lo = MIN(lo, d->projection);
                hi = MAX(hi, d->projection);
        }
        bool fan = projection && d->has_interval && isfinite(d->interval_low) && isfinite(d->interval_high);
        if (fan) {
                lo = MIN(lo, d->interval_low);
                hi = MAX(hi, d->interval_high);
        }
        if (!isfinite(lo)) /* nothing known yet: an empty frame */
                lo = 0, hi = 1;
        if (d->from_zero && lo > 0)
                lo = 0;
        if (d->inverted)
                lo = MIN(lo, 1);
        if (hi - lo < 1e-9 * MAX(1.0, fabs(hi)))
                hi = lo + MAX(1.0, fabs(lo) * 0.1);
        step = nice_step((hi - lo) / 4);
        if (d->inverted && step < 5 && step != 2)
                step = step < 1.5 ? 1 : 5; /* ranks are whole */
        l->y_min = floor(lo / step) * step;
        l->y_max = ceil(hi / step) * step;
        if (l->y_max - hi < step * 0.15) /* room for the latest label above the top point */
                l->y_max += step;
        if (d->inverted)
                l->y_min = MAX(l->y_min, 1 - step * 0.25); /* nobody ranks above 1 */
        else if (l->y_min == lo && lo != 0 && !d->from_zero)
                l->y_min -= step;

        /* y axis: ticks at multiples of step */
        int dec = step_decimals(step);
        if (d->inverted) { /* rank 1, then multiples of step */
                l->y_ticks[0] = chart_layout_y(l, 1);
                label(&l->y_labels[0], l->left - 6, l->y_ticks[0] + 4, "1");
                l->n_y_labels = 1;
        }
        for (double y = ceil(l->y_min / step - 1e-9) * step; y <= l->y_max + step * 1e-6 && l->n_y_labels < CHART_LABELS_MAX;
             y += step) {
                double yy = fabs(y) < step * 1e-6 ? 0 : y;
                if (d->inverted && yy <= 1)
                        continue;
                l->y_ticks[l->n_y_labels] = chart_layout_y(l, yy);
                label(&l->y_labels[l->n_y_labels], l->left - 6, l->y_ticks[l->n_y_labels] + 4,
                      format_number(yy, dec, d->language, v, sizeof(v)));
                l->n_y_labels++;
        }

        /* x axis: at most five labels, evenly spaced */
        size_t xstep = d->compact ? (d->n_slots <= 3 ? 1 : (d->n_slots + 1) / 2) /* first, middle */
                       : d->n_slots <= 5 ? 1 : (d->n_slots + 3) / 4;
        for (size_t i = 0; i < d->n_slots && l->n_x_labels < CHART_LABELS_MAX; i += xstep)
                label(&l->x_labels[l->n_x_labels++], chart_layout_x(l, d->n_slots, i), l->bottom + 18,
                      chart_format_period(period_add(d->first, (int64_t) i), d->language, p, sizeof(p)));

        if (!d->compact) /* a small chart sits under its goal's title */
                label(&l->title, 16, TITLE_Y, d->title);
        label(&l->unit, l->left, l->top - 10, d->unit);

        /* lines: baseline and guides below, the measured figure on top (drawn in this order) */
        static const ChartLineStyle order[] = { CHART_LINE_BASELINE, CHART_LINE_GUIDE, CHART_LINE_REFERENCE,
                                                CHART_LINE_MAIN };
        for (size_t o = 0; o < ELEMENTSOF(order); o++)
                for (size_t k = 0; k < d->n_lines; k++) {
                        const ChartLine *line = &d->lines[k];
                        bool in_gap = true;
                        if (line->style != order[o])
                                continue;
                        l->lines[l->n_lines].style = line->style;
                        for (size_t i = 0; i < MIN(line->n_points, d->n_slots); i++) {
                                const ChartPoint *pt = &line->points[i];
                                if (pt->missing || !isfinite(pt->value)) {
                                        in_gap = true;
                                        continue;
                                }
                                if (in_gap)
                                        l->lines[l->n_lines].segment_start[l->lines[l->n_lines].n_segments++] =
                                                l->lines[l->n_lines].n_points;
                                in_gap = false;
                                l->lines[l->n_lines].points[l->lines[l->n_lines].n_points++] = (ChartXY){
                                        .x = chart_layout_x(l, d->n_slots, i),
                                        .y = chart_layout_y(l, pt->value),
                                        .revised = pt->revised && line->style == CHART_LINE_MAIN,
                                };
                                any_revised = any_revised || (pt->revised && line->style == CHART_LINE_MAIN);
                        }
                        l->n_lines++;
                }

        if (d->has_target && isfinite(d->target)) {
                const char *dir = d->direction == GOAL_AT_MOST ? (en ? "at most" : "højst")
                                                               : (en ? "at least" : "mindst");
                l->has_target = true;
                l->target_y = chart_layout_y(l, d->target);
                l->band_top = chart_layout_y(l, d->inverted ? d->target - d->tolerance : d->target + d->tolerance);
                l->band_bottom = chart_layout_y(l, d->inverted ? d->target + d->tolerance : d->target - d->tolerance);
                if (d->target_text[0])
                        snprintf(t, sizeof(t), "%s", d->target_text);
                else
                        snprintf(t, sizeof(t), "%s %s %s%s", en ? "target:" : "mål:", dir,
                                 format_value(d->target, d->language, v, sizeof(v)), d->value_suffix);
                label(&l->target_label, l->left + 6, l->target_y - 5, t);
        }

        if (latest != SIZE_MAX) {
                l->has_latest = true;
                l->latest_x = chart_layout_x(l, d->n_slots, latest);
                l->latest_y = chart_layout_y(l, m->points[latest].value);
                snprintf(t, sizeof(t), "%s%s", format_value(m->points[latest].value, d->language, v, sizeof(v)),
                         d->value_suffix);
                label(&l->latest_label, l->latest_x + 7, l->latest_y - 7, t);
        }

        if (projection) {
                l->has_projection = true;
                l->projection_x0 = l->latest_x;
                l->projection_y0 = l->latest_y;
                l->projection_x1 = chart_layout_x(l, d->n_slots, d->n_slots - 1);
                l->projection_y1 = chart_layout_y(l, d->projection);
                snprintf(t, sizeof(t), "%s%s", format_value(d->projection, d->language, v, sizeof(v)),
                         d->value_suffix);
                label(&l->projection_label, l->projection_x1 + 8, l->projection_y1 + 4, t);
                /* keep the latest label off the dashed line: below it when the line rises */
                if (l->projection_y1 < l->projection_y0 - 2)
                        l->latest_label.y = l->latest_y + 19;
        }
        if (fan) {
                l->has_fan = true;
                l->fan_y_low = chart_layout_y(l, d->interval_low);
                l->fan_y_high = chart_layout_y(l, d->interval_high);
        }

        /* legend: the status first, in its colour and in words */
        legend_add(l, 0, CHART_LINE_MAIN, chart_status_label(d->status, d->language));
        for (size_t k = 0; k < d->n_lines; k++)
                legend_add(l, 1, d->lines[k].style, d->lines[k].label);
        if (projection && !d->compact)
                legend_add(l, 2, CHART_LINE_MAIN,
                           d->projection_label[0] ? d->projection_label : en ? "projection" : "fremskrivning");
        if (fan && !d->compact)
                legend_add(l, 5, CHART_LINE_MAIN, en ? "80% interval" : "80 % sikkert inden for");
        if (l->has_target && d->tolerance > 0 && !d->compact) {
                if (d->tolerance_text[0])
                        snprintf(t, sizeof(t), "%s", d->tolerance_text);
                else
                        snprintf(t, sizeof(t), "%s %s%s", en ? "target ±" : "mål ±",
                                 format_value(d->tolerance, d->language, v, sizeof(v)), d->value_suffix);
                legend_add(l, 3, CHART_LINE_MAIN, t);
        }
        if (any_revised)
                legend_add(l, 4, CHART_LINE_MAIN, en ? "revised" : "revideret");
        return 0;
}

/* ---- drawing ---- */

static void set_rgb(cairo_t *cr, unsigned hex)
{
        cairo_set_source_rgb(cr, RGB(hex));
}

static void line_style(cairo_t *cr, ChartLineStyle s)
{
        static const double dash_dot[] = { 6, 2.5, 1.5, 2.5 }, dotted[] = { 1.2, 2.8 };

        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        switch (s) {
        case CHART_LINE_BASELINE:
                set_rgb(cr, COLOUR_BASELINE);
                cairo_set_line_width(cr, 1.6);
                break;
        case CHART_LINE_REFERENCE:
                set_rgb(cr, COLOUR_REFERENCE);
                cairo_set_line_width(cr, 2);
                cairo_set_dash(cr, dash_dot, ELEMENTSOF(dash_dot), 0);
                break;
        case CHART_LINE_GUIDE:
                set_rgb(cr, COLOUR_GUIDE);
                cairo_set_line_width(cr, 1.3);
                cairo_set_dash(cr, dotted, ELEMENTSOF(dotted), 0);
                break;
        default:
                set_rgb(cr, COLOUR_MAIN);
                cairo_set_line_width(cr, 2.6);
        }
}

typedef enum Align { ALIGN_LEFT, ALIGN_CENTRE, ALIGN_RIGHT } Align;

static void text_at(cairo_t *cr, const ChartLabel *lab, double size, bool bold, unsigned hex, Align align)
{
        cairo_text_extents_t e;
        double x = lab->x;

        if (!lab->text[0])
                return;
        cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, size);
        if (align != ALIGN_LEFT) {
                cairo_text_extents(cr, lab->text, &e);
                x -= align == ALIGN_RIGHT ? e.x_advance : e.x_advance / 2;
        }
        set_rgb(cr, hex);
        cairo_move_to(cr, x, lab->y);
        cairo_show_text(cr, lab->text);
        cairo_new_path(cr);
}

/* The title, shortened with "…" to the width available. */
static void draw_title(cairo_t *cr, const ChartLayout *l)
{
        ChartLabel t = l->title;
        cairo_text_extents_t e;
        size_t n = strlen(t.text);

        cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 14);
        for (cairo_text_extents(cr, t.text, &e); e.x_advance > l->width - 2 * t.x && n > 1;
             cairo_text_extents(cr, t.text, &e)) {
                do
                        n--;
                while (n > 0 && ((unsigned char) t.text[n] & 0xc0) == 0x80);
                memcpy(t.text + n, "…", sizeof("…"));
        }
        text_at(cr, &t, 14, true, COLOUR_TEXT, ALIGN_LEFT);
}

/* The fan's triangle, filled, its edges in a thin line of the same colour. */
static void draw_fan(cairo_t *cr, double x0, double y0, double x1, double y_high, double y_low)
{
        cairo_save(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_move_to(cr, x0, y0);
        cairo_line_to(cr, x1, y_high);
        cairo_line_to(cr, x1, y_low);
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, RGB(COLOUR_MAIN), FAN_ALPHA);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, RGB(COLOUR_MAIN), 0.55);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        cairo_restore(cr);
}

static double legend_symbol_width(int kind)
{
        return kind == 0 || kind == 4 ? 12 : 18;
}

static void draw_legend(cairo_t *cr, const ChartLayout *l)
{
        double x = 16, y = l->legend_y, fixed = 0, text = 0, fs = 11, gap = 14, avail = l->width - 2 * 16;
        cairo_text_extents_t e;

        /* one line: a long legend is set smaller (down to 8 px) rather than cut off */
        for (size_t i = 0; i < l->n_legend; i++) {
                cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                                       l->legend[i].kind == 0 ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
                cairo_set_font_size(cr, 11);
                cairo_text_extents(cr, l->legend[i].text, &e);
                fixed += legend_symbol_width(l->legend[i].kind) + 5 + (i > 0 ? gap : 0);
                text += e.x_advance;
        }
        if (fixed + text > avail) {
                gap = 9;
                fixed -= (double) (l->n_legend > 0 ? l->n_legend - 1 : 0) * (14 - gap);
                fs = MAX(8.0, MIN(11.0, 11 * (avail - fixed) / MAX(text, 1.0)));
        }

        for (size_t i = 0; i < l->n_legend; i++) {
                const ChartLegendItem *it = &l->legend[i];
                double w;

                cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                                       it->kind == 0 ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
                cairo_set_font_size(cr, fs);
                cairo_text_extents(cr, it->text, &e);
                if (i > 0 && x + legend_symbol_width(it->kind) + 5 + e.x_advance > l->width - 8)
                        break; /* even at 8 px the rest does not fit: leave it out rather than cut it */
                cairo_save(cr);
                switch (it->kind) {
                case 0:
                        set_rgb(cr, status_hex(l->status));
                        cairo_rectangle(cr, x, y - 10, 12, 12);
                        cairo_fill(cr);
                        w = 12;
                        break;
                case 1:
                        line_style(cr, it->style);
                        cairo_move_to(cr, x, y - 4);
                        cairo_line_to(cr, x + 18, y - 4);
                        cairo_stroke(cr);
                        w = 18;
                        break;
                case 2: {
                        static const double dash[] = { 4, 3 };
                        line_style(cr, CHART_LINE_MAIN);
                        cairo_set_line_width(cr, 2);
                        cairo_set_dash(cr, dash, ELEMENTSOF(dash), 0);
                        cairo_move_to(cr, x, y - 4);
                        cairo_line_to(cr, x + 18, y - 4);
                        cairo_stroke(cr);
                        w = 18;
                        break;
                }
                case 5:
                        draw_fan(cr, x, y - 4, x + 18, y - 10, y + 2);
                        w = 18;
                        break;
                case 3:
                        set_rgb(cr, COLOUR_BAND);
                        cairo_rectangle(cr, x, y - 9, 18, 10);
                        cairo_fill(cr);
                        set_rgb(cr, COLOUR_TARGET);
                        cairo_set_line_width(cr, 1.4);
                        cairo_move_to(cr, x, y - 4);
                        cairo_line_to(cr, x + 18, y - 4);
                        cairo_stroke(cr);
                        w = 18;
                        break;
                default:
                        set_rgb(cr, COLOUR_TEXT);
                        cairo_set_line_width(cr, 1.3);
                        cairo_arc(cr, x + 6, y - 4, 5, 0, 2 * M_PI);
                        cairo_stroke(cr);
                        w = 12;
                }
                cairo_restore(cr);
                ChartLabel lab = { .x = x + w + 5, .y = y };
                snprintf(lab.text, sizeof(lab.text), "%s", it->text);
                text_at(cr, &lab, fs, it->kind == 0, COLOUR_TEXT, ALIGN_LEFT);
                cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                                       it->kind == 0 ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
                cairo_set_font_size(cr, fs);
                cairo_text_extents(cr, it->text, &e);
                x += w + 5 + e.x_advance + gap;
        }
}

void chart_draw(cairo_t *cr, const ChartLayout *l)
{
        cairo_save(cr);
        cairo_rectangle(cr, 0, 0, l->width, l->height);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);

        draw_title(cr, l);
        draw_legend(cr, l);
        text_at(cr, &l->unit, 10, false, COLOUR_MUTED, ALIGN_LEFT);

        /* grid and axes */
        cairo_set_line_width(cr, 1);
        for (size_t i = 0; i < l->n_y_labels; i++) {
                set_rgb(cr, COLOUR_GRID);
                cairo_move_to(cr, l->left, round(l->y_ticks[i]) + 0.5);
                cairo_line_to(cr, l->right, round(l->y_ticks[i]) + 0.5);
                cairo_stroke(cr);
                text_at(cr, &l->y_labels[i], 10, false, COLOUR_MUTED, ALIGN_RIGHT);
        }
        set_rgb(cr, COLOUR_MUTED);
        cairo_move_to(cr, l->left, round(l->bottom) + 0.5);
        cairo_line_to(cr, l->right, round(l->bottom) + 0.5);
        cairo_stroke(cr);
        for (size_t i = 0; i < l->n_x_labels; i++) {
                cairo_move_to(cr, round(l->x_labels[i].x) + 0.5, l->bottom);
                cairo_line_to(cr, round(l->x_labels[i].x) + 0.5, l->bottom + 4);
                set_rgb(cr, COLOUR_MUTED);
                cairo_stroke(cr);
                text_at(cr, &l->x_labels[i], 10, false, COLOUR_MUTED, ALIGN_CENTRE);
        }

        /* the target: band, then line */
        if (l->has_target) {
                if (l->band_bottom - l->band_top > 0.5) {
                        set_rgb(cr, COLOUR_BAND);
                        cairo_rectangle(cr, l->left, l->band_top, l->right - l->left, l->band_bottom - l->band_top);
                        cairo_fill(cr);
                }
                if (l->has_fan) /* over the band, under the target line */
                        draw_fan(cr, l->projection_x0, l->projection_y0, l->projection_x1, l->fan_y_high,
                                 l->fan_y_low);
                set_rgb(cr, COLOUR_TARGET);
                cairo_set_line_width(cr, 1.4);
                cairo_move_to(cr, l->left, l->target_y);
                cairo_line_to(cr, l->right, l->target_y);
                cairo_stroke(cr);
                text_at(cr, &l->target_label, 10, false, COLOUR_TARGET, ALIGN_LEFT);
        }

        if (l->has_fan && !l->has_target)
                draw_fan(cr, l->projection_x0, l->projection_y0, l->projection_x1, l->fan_y_high, l->fan_y_low);

        /* the lines, segment by segment (a gap ends a segment) */
        for (size_t k = 0; k < l->n_lines; k++) {
                const __typeof__(l->lines[0]) *line = &l->lines[k];
                line_style(cr, line->style);
                for (size_t s = 0; s < line->n_segments; s++) {
                        size_t a = line->segment_start[s], b = s + 1 < line->n_segments ? line->segment_start[s + 1]
                                                                                          : line->n_points;
                        for (size_t i = a; i < b; i++)
                                (i == a ? cairo_move_to : cairo_line_to)(cr, line->points[i].x, line->points[i].y);
                        if (b - a == 1) /* a lone point still shows */
                                cairo_line_to(cr, line->points[a].x + 0.01, line->points[a].y);
                        cairo_stroke(cr);
                }
                if (line->style != CHART_LINE_MAIN)
                        continue;
                for (size_t i = 0; i < line->n_points; i++) {
                        cairo_arc(cr, line->points[i].x, line->points[i].y, 2.8, 0, 2 * M_PI);
                        cairo_fill(cr);
                }
        }

        if (l->has_projection) {
                static const double dash[] = { 5, 4 };
                line_style(cr, CHART_LINE_MAIN);
                cairo_set_line_width(cr, 2);
                cairo_set_dash(cr, dash, ELEMENTSOF(dash), 0);
                cairo_move_to(cr, l->projection_x0, l->projection_y0);
                cairo_line_to(cr, l->projection_x1, l->projection_y1);
                cairo_stroke(cr);
                cairo_set_dash(cr, NULL, 0, 0);
                cairo_arc(cr, l->projection_x1, l->projection_y1, 3.6, 0, 2 * M_PI);
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_fill_preserve(cr);
                set_rgb(cr, COLOUR_MAIN);
                cairo_set_line_width(cr, 1.6);
                cairo_stroke(cr);
                text_at(cr, &l->projection_label, 11, false, COLOUR_MAIN, ALIGN_LEFT);
        }

        /* revised points ringed, the latest point in the status colour */
        for (size_t k = 0; k < l->n_lines; k++)
                for (size_t i = 0; i < l->lines[k].n_points; i++)
                        if (l->lines[k].points[i].revised) {
                                set_rgb(cr, COLOUR_TEXT);
                                cairo_set_line_width(cr, 1.3);
                                cairo_arc(cr, l->lines[k].points[i].x, l->lines[k].points[i].y, 5.5, 0, 2 * M_PI);
                                cairo_stroke(cr);
                        }
        if (l->has_latest) {
                cairo_arc(cr, l->latest_x, l->latest_y, 4.5, 0, 2 * M_PI);
                set_rgb(cr, status_hex(l->status));
                cairo_fill_preserve(cr);
                set_rgb(cr, COLOUR_TEXT);
                cairo_set_line_width(cr, 1.2);
                cairo_stroke(cr);
                text_at(cr, &l->latest_label, 12, true, COLOUR_TEXT, ALIGN_LEFT);
        }
        cairo_restore(cr);
}

/* ---- rendering into memory ---- */

typedef struct Buffer {
        unsigned char *data;
        size_t size, alloc;
        bool failed;
} Buffer;

static cairo_status_t buffer_write(void *closure, const unsigned char *data, unsigned int length)
{
        Buffer *b = closure;

        if (b->failed || GREEDY_REALLOC(b->data, b->alloc, b->size + length + 1) < 0) {
                b->failed = true;
                return CAIRO_STATUS_WRITE_ERROR;
        }
        memcpy(b->data + b->size, data, length);
        b->size += length;
        b->data[b->size] = 0; /* SVG: a C string too */
        return CAIRO_STATUS_SUCCESS;
}

/* Rounds every channel to 16 levels. Anti-aliased edges then repeat exactly, which deflate
 * compresses far better (a chart shrinks by about a third, under the mail budget), and the
 * difference is invisible at 2x. */
static void posterize(cairo_surface_t *surface)
{
        unsigned char *data;
        int stride, w, h;

        cairo_surface_flush(surface);
        data = cairo_image_surface_get_data(surface);
        stride = cairo_image_surface_get_stride(surface);
        w = cairo_image_surface_get_width(surface);
        h = cairo_image_surface_get_height(surface);
        if (!data)
                return;
        for (int y = 0; y < h; y++) {
                uint32_t *row = (uint32_t *) (void *) (data + (size_t) y * (size_t) stride);
                for (int x = 0; x < w; x++) {
                        uint32_t px = row[x], out = 0;
                        for (int shift = 0; shift < 24; shift += 8) {
                                unsigned c = px >> shift & 0xff;
                                out |= (uint32_t) ((c + 8) / 17 * 17) << shift;
                        }
                        row[x] = out;
                }
        }
        cairo_surface_mark_dirty(surface);
}

int chart_render(const ChartData *d, ChartFormat f, void **ret, size_t *ret_size)
{
        _cleanup_free_ ChartLayout *l = malloc(sizeof(ChartLayout));
        Buffer b = {};
        cairo_surface_t *surface;
        cairo_status_t st;
        cairo_t *cr;
        int r;

        if (!l)
                return -ENOMEM;
        r = chart_layout(d, l);
        if (r < 0)
                return r;
        switch (f) {
        case CHART_FORMAT_PNG:
                surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int) (2 * l->width), (int) (2 * l->height));
                break;
        case CHART_FORMAT_SVG:
                surface = cairo_svg_surface_create_for_stream(buffer_write, &b, l->width, l->height);
                break;
        case CHART_FORMAT_PDF:
                surface = cairo_pdf_surface_create_for_stream(buffer_write, &b, l->width, l->height);
                break;
        default:
                return -EINVAL;
        }
        cr = cairo_create(surface);
        if (f == CHART_FORMAT_PNG)
                cairo_scale(cr, 2, 2);
        chart_draw(cr, l);
        st = cairo_status(cr);
        cairo_destroy(cr);
        if (f == CHART_FORMAT_PNG && st == CAIRO_STATUS_SUCCESS) {
                posterize(surface);
                st = cairo_surface_write_to_png_stream(surface, buffer_write, &b);
        }
        cairo_surface_finish(surface);
        if (st == CAIRO_STATUS_SUCCESS)
                st = cairo_surface_status(surface);
        cairo_surface_destroy(surface);
        if (b.failed || st != CAIRO_STATUS_SUCCESS) {
                free(b.data);
                return b.failed || st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
        }
        *ret = b.data;
        *ret_size = b.size;
        return 0;
}

void chart_library_cleanup(void)
{
        cairo_debug_reset_static_data();
        FcFini();
}
