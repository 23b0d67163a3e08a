/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A picture of one goal: where the figure has been, where it is heading and where it must end.
 * Pure: data in, drawing on a cairo surface (or bytes in memory) out; no I/O, no clock, no logging.
 *
 * Three steps, each usable alone (tests drive the first two directly):
 *   chart_data_from_goal()  GoalDef + GoalResult + the goal's series -> ChartData (plain numbers)
 *   chart_layout()          ChartData -> ChartLayout (geometry and the label texts, in units of a
 *                           600x300 canvas)
 *   chart_draw()            ChartLayout -> cairo; chart_render() -> PNG (2x: 1200x600 px), SVG or PDF
 *
 * What each goal kind shows (the y axis is in the unit the goal is judged in where that is a path):
 *   level      the series over the goal period (a sum aggregate: the running total)
 *   change     the series (running totals for sums), the baseline year's same periods faint, the
 *              target as the level that gives the target change
 *   reference  own and reference series as an index (baseline average = 100), own baseline faint;
 *              the target as the reference's change plus the goal's target
 *   share      the running share, 100 * sum(numerator) / sum(denominator) to date
 *   cumulative the running count, with the pro-rata path from 0 to the target
 *   rank       the rank, 1 at the top
 * and for every kind: the target as a line with its tolerance band, the projection dashed from the
 * latest point to the deadline (the end of the goal period), the 80 % interval of the final value as
 * a shaded fan around it (from nothing at the latest point to the interval at the deadline; level,
 * cumulative and change goals while open, goal.h's projected_low/high), the latest point labelled
 * with its value, missing periods as gaps (never zero), revised points ringed, and a legend with the status
 * in its colour and in words (the chart reads in greyscale). Colours: the Okabe-Ito palette. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/format.h"
#include "labourwatch/goal.h"
#include "labourwatch/period.h"
#include "labourwatch/series.h"

typedef struct _cairo cairo_t;

#define CHART_WIDTH 600.0  /* canvas units: px of the 1x image, pt of SVG and PDF */
#define CHART_HEIGHT 300.0
#define CHART_COMPACT_WIDTH 360.0 /* a small chart (a digest of several goals): no title, */
#define CHART_COMPACT_HEIGHT 200.0 /* shown at 300 px wide */
#define CHART_SLOTS_MAX 64 /* periods on the x axis (a year of months needs 12) */
#define CHART_LINES_MAX 4
#define CHART_TEXT_MAX 160

typedef enum ChartLineStyle {
        CHART_LINE_MAIN,      /* the measured figure: thick, dark blue, points marked */
        CHART_LINE_BASELINE,  /* the baseline year on the same x positions: thin, light grey */
        CHART_LINE_REFERENCE, /* the reference series: medium, reddish purple, dash-dot */
        CHART_LINE_GUIDE,     /* the pro-rata path of a cumulative goal: thin, dotted, dark grey */
        _CHART_LINE_STYLE_MAX,
        _CHART_LINE_STYLE_INVALID = -EINVAL,
} ChartLineStyle;

typedef struct ChartPoint {
        double value;  /* meaningless when missing */
        bool missing;  /* no figure for this period (published as missing, absent, or not yet known) */
        bool revised;  /* the figure was revised after it was first published */
} ChartPoint;

typedef struct ChartLine {
        ChartLineStyle style;
        char label[CHART_TEXT_MAX]; /* legend text, e.g. "Herlev", "hele landet", "2023" */
        ChartPoint points[CHART_SLOTS_MAX]; /* points[i] belongs to the x slot i */
        size_t n_points;                    /* <= ChartData.n_slots; slots beyond are missing */
} ChartLine;

typedef struct ChartData {
        Language language;
        char title[CHART_TEXT_MAX * 2]; /* the goal's title */
        char unit[CHART_TEXT_MAX];      /* y axis unit, e.g. "fuldtidspersoner", "%" */
        char value_suffix[8];           /* appended to value labels: "" or " %" */

        Period first;                   /* the x axis: periods first, first+1, …, first+n_slots-1 */
        size_t n_slots;

        ChartLine lines[CHART_LINES_MAX];
        size_t n_lines;

        bool has_target;
        double target;                  /* in the y axis' unit */
        double tolerance;               /* half-width of the band around the target; 0: no band */
        char target_text[CHART_TEXT_MAX];    /* "" = "mål: mindst 380" from target and direction */
        char tolerance_text[CHART_TEXT_MAX]; /* legend; "" = "mål ± 5" from tolerance */
        GoalDirection direction;

        bool has_projection;            /* from the MAIN line's latest point to the last slot */
        double projection;              /* value at the deadline */
        char projection_label[CHART_TEXT_MAX]; /* legend; "" = "fremskrivning" / "projection" */
        bool has_interval;              /* the 80 % interval of the value at the deadline (a fan) */
        double interval_low, interval_high; /* in the y axis' unit; low <= projection <= high */

        bool inverted;                  /* ranks: 1 at the top */
        bool from_zero;                 /* the y axis starts at 0 (counts, running totals) */
        bool compact;                   /* CHART_COMPACT_WIDTH x _HEIGHT, no title, fewer labels */
        GoalStatus status;
} ChartData;

/* Fills *ret for goal g with result r (evaluated at now; periods that ended on or after now are
 * not shown). series is indexed by GoalRole (NULL = absent), as goal_evaluate_series() takes it;
 * unit is the measured series' unit in the chosen language (may be NULL). revised lists the periods
 * of the measured series (the numerator for shares) whose figure was revised (may be NULL).
 * Returns 0, or -EINVAL when the goal period has more periods than CHART_SLOTS_MAX or the result has
 * no frequency and the series none either (nothing to draw). */
int chart_data_from_goal(const GoalDef *g, const GoalResult *r, const Series *const *series, Date now,
                         const char *unit, const Period *revised, size_t n_revised, Language l,
                         ChartData *ret);
/* The same, looking the goal's series up in set by name. */
int chart_data_from_set(const GoalDef *g, const GoalResult *r, const SeriesSet *set, Date now, const char *unit,
                        const Period *revised, size_t n_revised, Language l, ChartData *ret);

/* ---- layout: what will be drawn where, in canvas units (origin top left) ---- */

#define CHART_LABELS_MAX 16
#define CHART_LEGEND_MAX 8

typedef struct ChartLabel {
        double x, y; /* anchor: x centre (axis labels) or left (others), y baseline */
        char text[CHART_TEXT_MAX * 2];
} ChartLabel;

typedef struct ChartXY {
        double x, y;
        bool revised;
} ChartXY;

typedef struct ChartLegendItem {
        int kind; /* 0 status swatch, 1 line (style in .style), 2 projection, 3 target band, 4 revised,
                   * 5 the interval's fan */
        ChartLineStyle style;
        char text[CHART_TEXT_MAX];
} ChartLegendItem;

typedef struct ChartLayout {
        double width, height;
        double left, right, top, bottom; /* the plot area */
        double legend_y;
        double y_min, y_max;             /* the value range of the plot area */
        bool inverted;
        GoalStatus status;

        ChartLabel title;
        ChartLabel unit;

        /* Each line as drawn: its points and where it breaks (a gap ends a segment). */
        struct {
                ChartLineStyle style;
                ChartXY points[CHART_SLOTS_MAX];
                size_t n_points;
                size_t segment_start[CHART_SLOTS_MAX]; /* index into points where a segment begins */
                size_t n_segments;
        } lines[CHART_LINES_MAX];
        size_t n_lines;

        bool has_target;
        double target_y, band_top, band_bottom; /* band_top == band_bottom: no band */
        ChartLabel target_label;

        bool has_projection;
        double projection_x0, projection_y0, projection_x1, projection_y1;
        ChartLabel projection_label;

        /* The fan: a triangle from the latest point (projection_x0, _y0) to the interval's ends at
         * the deadline (projection_x1, fan_y_high) and (projection_x1, fan_y_low). Its width grows
         * linearly with the distance from the latest figure, so its edges are straight lines. */
        bool has_fan;
        double fan_y_low, fan_y_high; /* y of interval_low and interval_high */

        bool has_latest;
        double latest_x, latest_y;
        ChartLabel latest_label;

        ChartLabel x_labels[CHART_LABELS_MAX];
        size_t n_x_labels;
        ChartLabel y_labels[CHART_LABELS_MAX];
        double y_ticks[CHART_LABELS_MAX];
        size_t n_y_labels;

        ChartLegendItem legend[CHART_LEGEND_MAX];
        size_t n_legend;
} ChartLayout;

/* Computes the layout of d. Pure arithmetic and text formatting. Returns 0 or -EINVAL (no slots). */
int chart_layout(const ChartData *d, ChartLayout *ret);

/* The y coordinate of value v in layout l. */
double chart_layout_y(const ChartLayout *l, double v);
/* The x coordinate of slot i. */
double chart_layout_x(const ChartLayout *l, size_t n_slots, size_t i);

/* Draws l on cr in canvas units at the current origin (the caller translates and scales). Uses the
 * toy text API with "DejaVu Sans". */
void chart_draw(cairo_t *cr, const ChartLayout *l);

typedef enum ChartFormat {
        CHART_FORMAT_PNG, /* 1200x600 px (2x), RGB; compact: 720x400 */
        CHART_FORMAT_SVG,
        CHART_FORMAT_PDF,
        _CHART_FORMAT_MAX,
        _CHART_FORMAT_INVALID = -EINVAL,
} ChartFormat;

const char *chart_format_to_string(ChartFormat f); /* "png", "svg", "pdf" */
ChartFormat chart_format_from_string(const char *s);

/* Renders d into memory. Returns 0 with *ret (caller frees) and *ret_size, -EINVAL (bad data or
 * format), -ENOMEM, or -EIO when cairo fails. */
int chart_render(const ChartData *d, ChartFormat f, void **ret, size_t *ret_size);

/* The status in words for a legend: text_status_label() ("Ikke på sporet" / "Off track"). */
const char *chart_status_label(GoalStatus s, Language l);
/* The status colour (Okabe-Ito), as 0..1 RGB. */
void chart_status_rgb(GoalStatus s, double ret_rgb[static 3]);
/* A short period name for an axis: "jan. 2024", "2. kvt. 2024" (also for QMAT), "2024";
 * "Jan 2024", "Q2 2024". Returns buf. */
char *chart_format_period(Period p, Language l, char *buf, size_t size);

/* Releases the font caches cairo and fontconfig keep for the life of the process, so that a leak
 * checker sees nothing left. Call once before exiting, after the last chart; no chart function may be
 * called afterwards. */
void chart_library_cleanup(void);
