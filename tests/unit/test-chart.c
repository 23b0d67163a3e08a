/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Charts without blind pixel comparison: every goal kind is evaluated by the real engine, turned into
 * ChartData and laid out, and the layout's elements are asserted (points, segments at gaps, the
 * target line's height, the projection's end, labels in Danish or English format). The drawing itself
 * is checked through SVG (the target line's path is where the layout says) and PNG (signature, IHDR
 * 1200x600, under the 40 KB mail budget). LW_CHART_DUMP=DIR writes every chart there to look at. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <cairo.h>

#include "labourwatch/chart.h"
#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "series-test.h"

#define PNG_BUDGET (40 * 1024)

typedef struct Row {
        const char *name;
        GoalKind kind;
        GoalDirection dir;
        GoalAggregate agg;
        const char *baseline;
        double target, tolerance;
        const char *series, *numerator, *denominator, *reference;
        const char *date;
        const char *revised; /* a period code, or NULL */
        /* expected */
        GoalStatus status;
        size_t n_slots, n_lines, n_points, n_segments;
        double chart_target; /* the target in the y unit */
        bool projection;
        double projection_value;
        const char *latest_label;
        const char *first_x_label;
        bool inverted;
} Row;

#define Y2023 "2023M01 100 102 104 106 108 110 112 114 116 118 120 122 "

static const Row rows[] = {
        { "level: fleksjob rising, on track",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, NULL, 380, 5,
          "2024M01 380 382 384 386 388 390 392 394", NULL, NULL, NULL, "2024-07-15", NULL,
          /* only January to June are known on 15 July: six points, the last 390 */
          GOAL_STATUS_ON_TRACK, 12, 1, 6, 1, 380, true, 391, "390", "jan. 2024", false },
        { "level with a missing and an absent month: two gaps, three segments",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, NULL, 1150, 3,
          "2024M01 1210 1205 . 1198 _ 1190 1180", NULL, NULL, NULL, "2024-08-15", "2024M02",
          GOAL_STATUS_OFF_TRACK, 12, 1, 5, 3, 1150, true, NAN, "1.180", "jan. 2024", false },
        { "change of averages: the baseline year faint, the target as a level",
          GOAL_CHANGE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, "2023", 0, 1,
          Y2023 "98 100 102 104 106 108", NULL, NULL, NULL, "2024-07-15", NULL,
          /* baseline mean 111: target level 111 (0 %), band ±1.11 */
          GOAL_STATUS_ON_TRACK, 12, 2, 6, 1, 111, true, NAN, "108", "jan. 2024", false },
        { "change of sums: running totals against the baseline's, target +20 %",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, "2023", 20, 3,
          Y2023 "120 122 124 126 128 130", NULL, NULL, NULL, "2024-07-15", NULL,
          /* baseline total 1332, target 1.2 * 1332 = 1598.4; running total after June 750; projected
           * +2 a month: 1572, +18 %, within 3 of 20 */
          GOAL_STATUS_AT_RISK, 12, 2, 6, 1, 1598.4, true, NAN, "750", "jan. 2024", false },
        { "reference in percent: indices, own baseline faint, the reference line",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, "2023", 0, 0.5,
          Y2023 "100 101 102 103 104 105", NULL, NULL,
          "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 990 990 990 990 990 990",
          "2024-07-15", NULL,
          GOAL_STATUS_ON_TRACK, 12, 3, 6, 1, NAN, true, NAN, "94,6", "jan. 2024", false },
        { "share: the running share in %, the target 50 %",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, NULL, 50, 3,
          NULL, "2024M01 6 8 10 9 11 10", "2024M01 12 14 16 18 20 20", NULL, "2024-07-15", "2024M06",
          /* 54 of 100 = 54 %; the trend projects 52.3 %, within 3 of 50 */
          GOAL_STATUS_AT_RISK, 12, 1, 6, 1, 50, true, NAN, "54 %", "jan. 2024", false },
        { "cumulative: the running count and the pro-rata path, final",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, NULL, 60, 5,
          "2024M01 5 6 4 7 5 8 6 5 6 7 4 4", NULL, NULL, NULL, "2025-03-01", NULL,
          /* 67 in the year: achieved, no projection */
          GOAL_STATUS_ACHIEVED, 12, 2, 12, 1, 60, false, NAN, "67", "jan. 2024", false },
        { "rank (QMAT): inverted axis, quarterly labels",
          GOAL_RANK, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, NULL, 10, 0,
          "2023QMAT01 11 10 9 9 8 7", NULL, NULL, NULL, "2024-07-15", NULL,
          GOAL_STATUS_ON_TRACK, 4, 1, 2, 1, 10, true, NAN, "7", "1. kvt. 2024", true },
};

static void dump(const char *name, const char *ext, const void *data, size_t size)
{
        const char *dir = getenv("LW_CHART_DUMP");
        char path[512], *q;
        FILE *f;

        if (!dir)
                return;
        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
        for (q = path + strlen(dir) + 1; *q; q++)
                if (*q == ' ' || *q == ':' || *q == '/' || *q == ',')
                        *q = '_';
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
}

static uint32_t be32(const unsigned char *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void check_png(const Row *row, const ChartData *d)
{
        _cleanup_free_ unsigned char *png = NULL;
        size_t n = 0;

        assert_int_equal(chart_render(d, CHART_FORMAT_PNG, (void **) &png, &n), 0);
        assert_true(n > 33);
        assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
        assert_memory_equal(png + 12, "IHDR", 4);
        assert_int_equal(be32(png + 16), 1200);
        assert_int_equal(be32(png + 20), 600);
        assert_memory_equal(png + n - 8, "IEND", 4);
        if (n >= PNG_BUDGET)
                fail_msg("%s: PNG of %zu bytes, budget %d", row->name, n, PNG_BUDGET);
        dump(row->name, "png", png, n);
}

/* The target line is drawn from the plot's left to its right edge at the layout's y: cairo writes it
 * as one "M x y L x y" path. */
static void check_svg(const Row *row, const ChartData *d, const ChartLayout *l)
{
        _cleanup_free_ char *svg = NULL;
        size_t n = 0;

        assert_int_equal(chart_render(d, CHART_FORMAT_SVG, (void **) &svg, &n), 0);
        assert_true(n > 100);
        assert_non_null(strstr(svg, "<svg"));
        assert_non_null(strstr(svg, "width=\"600pt\" height=\"300pt\""));
        assert_non_null(strstr(svg, "</svg>"));
        if (l->has_target) {
                bool found = false;
                for (const char *p = strstr(svg, "d=\"M "); p && !found; p = strstr(p + 1, "d=\"M ")) {
                        double x0, y0, x1, y1;
                        found = sscanf(p, "d=\"M %lf %lf L %lf %lf \"", &x0, &y0, &x1, &y1) == 4 &&
                                fabs(x0 - l->left) < 0.01 && fabs(x1 - l->right) < 0.01 &&
                                fabs(y0 - l->target_y) < 0.01 && fabs(y1 - l->target_y) < 0.01;
                }
                if (!found)
                        fail_msg("%s: no target line at y %g in the SVG", row->name, l->target_y);
        }
        dump(row->name, "svg", svg, n);
}

static void check_pdf(const ChartData *d)
{
        _cleanup_free_ char *pdf = NULL;
        size_t n = 0;

        assert_int_equal(chart_render(d, CHART_FORMAT_PDF, (void **) &pdf, &n), 0);
        assert_true(n > 100);
        assert_memory_equal(pdf, "%PDF-", 5);
}

static void test_kinds(void **state)
{
        for (size_t k = 0; k < ELEMENTSOF(rows); k++) {
                const Row *row = &rows[k];
                GoalDef g = { .id = (char *) "g", .title_da = (char *) "Et mål", .title_en = (char *) "A goal",
                              .kind = row->kind, .direction = row->dir, .aggregate = row->agg,
                              .target = row->target, .tolerance = row->tolerance, .change_unit = CHANGE_PERCENT,
                              .projection = PROJECTION_LINEAR, .trend_window = 6, .min_denominator = 1 };
                Series *s[_GOAL_ROLE_MAX] = {};
                GoalResult r = {};
                ChartData d;
                _cleanup_free_ ChartLayout *l = malloc(sizeof(ChartLayout));
                Date now;
                Period rev;

                print_message("row: %s\n", row->name);
                assert_non_null(l);
                assert_int_equal(period_parse("2024", &g.period), 0);
                if (row->baseline)
                        assert_int_equal(period_parse(row->baseline, &g.baseline), 0);
                g.series = row->series ? (char *) "s" : NULL;
                g.numerator = row->numerator ? (char *) "n" : NULL;
                g.denominator = row->denominator ? (char *) "d" : NULL;
                g.reference = row->reference ? (char *) "r" : NULL;
                if (row->series)
                        s[GOAL_ROLE_SERIES] = mk("s", row->series);
                if (row->numerator)
                        s[GOAL_ROLE_NUMERATOR] = mk("n", row->numerator);
                if (row->denominator)
                        s[GOAL_ROLE_DENOMINATOR] = mk("d", row->denominator);
                if (row->reference)
                        s[GOAL_ROLE_REFERENCE] = mk("r", row->reference);
                assert_int_equal(date_parse(row->date, &now), 0);
                assert_int_equal(goal_evaluate_series(&g, NULL, (const Series *const *) s, now, &r), 0);
                if (r.status != row->status)
                        fail_msg("%s: status %s, projected %g", row->name, goal_status_to_string(r.status), r.projected);

                if (row->revised)
                        assert_int_equal(period_parse(row->revised, &rev), 0);
                assert_int_equal(chart_data_from_goal(&g, &r, (const Series *const *) s, now, "personer",
                                                      row->revised ? &rev : NULL, row->revised ? 1 : 0, LANGUAGE_DA,
                                                      &d),
                                 0);
                assert_int_equal(d.n_slots, row->n_slots);
                assert_int_equal(d.n_lines, row->n_lines);
                if (!isnan(row->chart_target))
                        assert_float_equal(d.target, row->chart_target, 1e-6);
                assert_int_equal(d.has_projection, row->projection);
                assert_int_equal(d.inverted, row->inverted);

                assert_int_equal(chart_layout(&d, l), 0);
                /* the measured line is drawn last */
                const __typeof__(l->lines[0]) *m = &l->lines[l->n_lines - 1];
                assert_int_equal(m->style, CHART_LINE_MAIN);
                assert_int_equal(m->n_points, row->n_points);
                assert_int_equal(m->n_segments, row->n_segments);
                size_t n_rev = 0;
                for (size_t i = 0; i < m->n_points; i++) {
                        n_rev += m->points[i].revised;
                        /* inside the plot, left to right */
                        assert_true(m->points[i].x > l->left && m->points[i].x < l->right);
                        assert_true(m->points[i].y >= l->top - 1e-9 && m->points[i].y <= l->bottom + 1e-9);
                        if (i > 0)
                                assert_true(m->points[i].x > m->points[i - 1].x);
                }
                assert_int_equal(n_rev, row->revised ? 1 : 0);

                /* the target line's height is the target's value on the axis */
                assert_true(l->has_target);
                assert_float_equal(l->target_y, chart_layout_y(l, d.target), 1e-9);
                assert_true(l->target_y >= l->top && l->target_y <= l->bottom);
                if (d.tolerance > 0)
                        assert_true(l->band_bottom - l->band_top > 0);
                if (row->inverted) {
                        /* rank 1 at the top: a better (smaller) rank is higher up */
                        assert_true(chart_layout_y(l, 1) < chart_layout_y(l, 10));
                        assert_true(l->lines[0].points[1].y < l->lines[0].points[0].y);
                }

                /* the projection runs from the latest point to the deadline (the last slot) */
                assert_int_equal(l->has_projection, row->projection);
                if (row->projection) {
                        assert_float_equal(l->projection_x0, m->points[m->n_points - 1].x, 1e-9);
                        assert_float_equal(l->projection_y0, m->points[m->n_points - 1].y, 1e-9);
                        assert_float_equal(l->projection_x1, chart_layout_x(l, d.n_slots, d.n_slots - 1), 1e-9);
                        assert_float_equal(l->projection_y1, chart_layout_y(l, d.projection), 1e-9);
                        if (!isnan(row->projection_value))
                                assert_float_equal(d.projection, row->projection_value, 1e-6);
                }
                /* the 80 % interval as a fan wherever the engine gave one beside a projection, around
                 * the projection, and named in the legend; a finished goal has neither (issue 17 §3) */
                assert_int_equal(d.has_interval, row->projection && r.has_probability &&
                                                         r.projected_high > r.projected_low);
                assert_int_equal(l->has_fan, d.has_interval);
                if (d.has_interval) {
                        bool named = false;
                        assert_true(d.interval_low <= d.projection + 1e-9 && d.projection <= d.interval_high + 1e-9);
                        assert_true(d.interval_low < d.interval_high);
                        assert_float_equal(l->fan_y_low, chart_layout_y(l, d.interval_low), 1e-9);
                        assert_float_equal(l->fan_y_high, chart_layout_y(l, d.interval_high), 1e-9);
                        assert_true(l->fan_y_high >= l->top - 1e-9 && l->fan_y_low <= l->bottom + 1e-9);
                        for (size_t i = 0; i < l->n_legend; i++)
                                named = named || (l->legend[i].kind == 5 &&
                                                  streq(l->legend[i].text, "80 % sikkert inden for"));
                        assert_true(named);
                }

                assert_true(l->has_latest);
                assert_string_equal(l->latest_label.text, row->latest_label);
                assert_string_equal(l->x_labels[0].text, row->first_x_label);
                assert_string_equal(l->legend[0].text, chart_status_label(row->status, LANGUAGE_DA));
                for (size_t i = 0; i < l->n_y_labels; i++) {
                        /* Danish numbers: no decimal point, thousands with '.' */
                        assert_null(strchr(l->y_labels[i].text, ','));
                        if (i > 0)
                                assert_true(l->y_ticks[i] != l->y_ticks[i - 1]);
                }

                check_png(row, &d);
                check_svg(row, &d, l);
                check_pdf(&d);

                goal_result_done(&r);
                for (int i = 0; i < _GOAL_ROLE_MAX; i++)
                        series_free(s[i]);
        }
}

/* A hand-made ChartData: labels in English and Danish, gaps, thousands. */
static void test_direct(void **state)
{
        ChartData d = { .language = LANGUAGE_DA, .n_slots = 12, .n_lines = 1, .has_target = true, .target = 1500,
                        .tolerance = 50, .has_projection = true, .projection = 1234.5, .status = GOAL_STATUS_AT_RISK };
        _cleanup_free_ ChartLayout *l = malloc(sizeof(ChartLayout));
        double v[] = { 1000, 1100, NAN, 1150, 1200.5 };

        assert_non_null(l);
        assert_int_equal(period_parse("2024M01", &d.first), 0);
        snprintf(d.title, sizeof(d.title), "Titel");
        d.lines[0] = (ChartLine){ .style = CHART_LINE_MAIN, .n_points = 12 };
        for (size_t i = 0; i < 12; i++)
                d.lines[0].points[i] = i < ELEMENTSOF(v) && !isnan(v[i]) ? (ChartPoint){ .value = v[i] }
                                                                         : (ChartPoint){ .missing = true };
        assert_int_equal(chart_layout(&d, l), 0);
        assert_int_equal(l->lines[0].n_points, 4);
        assert_int_equal(l->lines[0].n_segments, 2);
        assert_string_equal(l->latest_label.text, "1.200,5");
        assert_string_equal(l->projection_label.text, "1.234,5");
        assert_string_equal(l->target_label.text, "mål: mindst 1.500");
        assert_string_equal(l->x_labels[0].text, "jan. 2024");
        assert_string_equal(l->x_labels[1].text, "apr. 2024");
        assert_int_equal(l->n_x_labels, 4);
        assert_string_equal(l->legend[0].text, "I fare");
        /* larger values higher up */
        assert_true(l->lines[0].points[3].y < l->lines[0].points[0].y);
        assert_true(l->target_y < l->lines[0].points[3].y);

        d.language = LANGUAGE_EN;
        assert_int_equal(chart_layout(&d, l), 0);
        assert_string_equal(l->latest_label.text, "1,200.5");
        assert_string_equal(l->target_label.text, "target: at least 1,500");
        assert_string_equal(l->x_labels[0].text, "Jan 2024");
        assert_string_equal(l->legend[0].text, "At risk");

        /* compact (a digest's small chart): no title, first and middle x labels, status and line only */
        d.language = LANGUAGE_DA;
        d.compact = true;
        assert_int_equal(chart_layout(&d, l), 0);
        assert_float_equal(l->width, CHART_COMPACT_WIDTH, 0);
        assert_float_equal(l->height, CHART_COMPACT_HEIGHT, 0);
        assert_string_equal(l->title.text, "");
        assert_int_equal(l->n_x_labels, 2);
        assert_string_equal(l->x_labels[1].text, "jul. 2024");
        assert_true(l->has_projection); /* drawn, if not in the legend */
        for (size_t i = 0; i < l->n_legend; i++)
                assert_true(l->legend[i].kind < 2);
        assert_true(l->projection_x1 < l->right && l->lines[0].points[0].x > l->left);
        {
                _cleanup_free_ unsigned char *png = NULL;
                size_t n = 0;
                assert_int_equal(chart_render(&d, CHART_FORMAT_PNG, (void **) &png, &n), 0);
                assert_int_equal(be32(png + 16), 720);
                assert_int_equal(be32(png + 20), 400);
                assert_true(n < PNG_BUDGET);
                dump("compact", "png", png, n);
        }
        d.compact = false;

        /* nothing known yet: still a frame, no latest point, no projection */
        for (size_t i = 0; i < 12; i++)
                d.lines[0].points[i].missing = true;
        assert_int_equal(chart_layout(&d, l), 0);
        assert_false(l->has_latest);
        assert_false(l->has_projection);
        assert_int_equal(l->lines[0].n_points, 0);

        d.n_slots = 0;
        assert_int_equal(chart_layout(&d, l), -EINVAL);
        assert_int_equal(chart_format_from_string("png"), CHART_FORMAT_PNG);
        assert_int_equal(chart_format_from_string("gif"), _CHART_FORMAT_INVALID);
        assert_string_equal(chart_format_to_string(CHART_FORMAT_SVG), "svg");
}

/* The colour of the canvas pixel (x, y) of l drawn at 1x, as 0xRRGGBB. */
static unsigned pixel_at(const ChartLayout *l, double x, double y)
{
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int) l->width, (int) l->height);
        cairo_t *cr = cairo_create(s);
        unsigned px;

        chart_draw(cr, l);
        cairo_destroy(cr);
        cairo_surface_flush(s);
        assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
        px = ((const uint32_t *) (const void *) (cairo_image_surface_get_data(s) +
                                                 (size_t) y * (size_t) cairo_image_surface_get_stride(s)))[(int) x] &
             0xffffff;
        cairo_surface_destroy(s);
        return px;
}

static double luminance(unsigned px)
{
        return 0.2126 * (px >> 16 & 0xff) + 0.7152 * (px >> 8 & 0xff) + 0.0722 * (px & 0xff);
}

/* The fan's pixels: inside the triangle between the latest point and the interval at the deadline the
 * chart is tinted with the main colour and darker than the target band in greyscale too; the same
 * pixel without an interval is the white (or grey) of the plot; the fan is in the legend. */
static void test_fan(void **state)
{
        ChartData d = { .language = LANGUAGE_DA, .n_slots = 12, .n_lines = 1, .has_target = true, .target = 200,
                        .tolerance = 5, .has_projection = true, .projection = 300, .has_interval = true,
                        .interval_low = 260, .interval_high = 330, .status = GOAL_STATUS_ON_TRACK };
        _cleanup_free_ ChartLayout *l = malloc(sizeof(ChartLayout));
        double x, y_hi, y_lo, y_in_hi, y_in_lo;
        unsigned in_hi, in_lo, out, plain;
        bool named = false;

        (void) state;
        assert_non_null(l);
        assert_int_equal(period_parse("2024M01", &d.first), 0);
        d.lines[0] = (ChartLine){ .style = CHART_LINE_MAIN, .n_points = 6 };
        for (size_t i = 0; i < 6; i++)
                d.lines[0].points[i] = (ChartPoint){ .value = 280 + 2 * (double) i };
        assert_int_equal(chart_layout(&d, l), 0);
        assert_true(l->has_fan);
        /* the axis holds the whole interval */
        assert_true(l->y_min <= 260 && l->y_max >= 330);
        /* the fan starts at the latest point, with nothing around it, and ends at the interval */
        assert_float_equal(l->projection_x0, l->latest_x, 1e-9);
        assert_float_equal(l->fan_y_high, chart_layout_y(l, 330), 1e-9);
        assert_float_equal(l->fan_y_low, chart_layout_y(l, 260), 1e-9);
        for (size_t i = 0; i < l->n_legend; i++)
                named = named || (l->legend[i].kind == 5 && streq(l->legend[i].text, "80 % sikkert inden for"));
        assert_true(named);

        /* 20 px before the deadline, halfway between the dashed line and each edge: fan pixels */
        x = l->projection_x1 - 20;
        double f = (x - l->projection_x0) / (l->projection_x1 - l->projection_x0);
        double y_proj = l->projection_y0 + f * (l->projection_y1 - l->projection_y0);
        y_hi = l->projection_y0 + f * (l->fan_y_high - l->projection_y0);
        y_lo = l->projection_y0 + f * (l->fan_y_low - l->projection_y0);
        y_in_hi = round((y_proj + y_hi) / 2), y_in_lo = round((y_proj + y_lo) / 2);
        assert_true(y_hi < y_in_hi - 4 && y_in_lo + 4 < y_lo); /* well inside, off the edges */
        in_hi = pixel_at(l, x, y_in_hi);
        in_lo = pixel_at(l, x, y_in_lo);
        out = pixel_at(l, x, round(y_hi - 12)); /* above the fan */
        for (int k = 0; k < 2; k++) {
                unsigned px = k ? in_lo : in_hi;
                if (!((px & 0xff) > (px >> 16 & 0xff) + 30 && luminance(px) < 0xe8 - 8 && luminance(px) > 150))
                        fail_msg("fan pixel %06x at (%g, %g): not the fan's tint", px, x, k ? y_in_lo : y_in_hi);
        }
        if (luminance(out) < 0xe0 || abs((int) (out & 0xff) - (int) (out >> 16 & 0xff)) > 8)
                fail_msg("pixel %06x above the fan is not the plot's white or grid grey", out);

        /* without an interval: the same pixel is plain */
        d.has_interval = false;
        assert_int_equal(chart_layout(&d, l), 0);
        assert_false(l->has_fan);
        for (size_t i = 0; i < l->n_legend; i++)
                assert_true(l->legend[i].kind != 5);
        plain = pixel_at(l, x, y_in_hi);
        if (abs((int) (plain & 0xff) - (int) (plain >> 16 & 0xff)) > 8)
                fail_msg("pixel %06x without a fan is tinted", plain);

        /* English legend; a compact chart draws the fan but leaves it out of its short legend */
        d.has_interval = true;
        d.language = LANGUAGE_EN;
        assert_int_equal(chart_layout(&d, l), 0);
        named = false;
        for (size_t i = 0; i < l->n_legend; i++)
                named = named || (l->legend[i].kind == 5 && streq(l->legend[i].text, "80% interval"));
        assert_true(named);
        d.compact = true;
        assert_int_equal(chart_layout(&d, l), 0);
        assert_true(l->has_fan);
        for (size_t i = 0; i < l->n_legend; i++)
                assert_true(l->legend[i].kind != 5);
        {
                _cleanup_free_ unsigned char *png = NULL;
                size_t n = 0;
                d.compact = false;
                assert_int_equal(chart_render(&d, CHART_FORMAT_PNG, (void **) &png, &n), 0);
                assert_true(n < PNG_BUDGET);
                dump("fan", "png", png, n);
        }
}

static void test_period_labels(void **state)
{
        char buf[64];
        Period p;

        assert_int_equal(period_parse("2024M05", &p), 0);
        assert_string_equal(chart_format_period(p, LANGUAGE_DA, buf, sizeof(buf)), "maj 2024");
        assert_string_equal(chart_format_period(p, LANGUAGE_EN, buf, sizeof(buf)), "May 2024");
        assert_int_equal(period_parse("2024QMAT02", &p), 0);
        assert_string_equal(chart_format_period(p, LANGUAGE_DA, buf, sizeof(buf)), "2. kvt. 2024");
        assert_string_equal(chart_format_period(p, LANGUAGE_EN, buf, sizeof(buf)), "Q2 2024");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_direct),
                cmocka_unit_test(test_fan),
                cmocka_unit_test(test_period_labels),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        chart_library_cleanup();
        return r;
}
