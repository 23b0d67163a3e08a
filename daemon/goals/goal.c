/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The goal engine. See goal.h and labourwatch-goals(7) for the semantics; comments here say why the
 * arithmetic is what it is. Pure: no I/O, no clock, no logging, no globals. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "labourwatch/goal.h"
#include "labourwatch/macro.h"

#define RECENT_WINDOW 3 /* "the last 3 months averaged +1" */
#define TREND_WINDOW_DEFAULT 6

static const char *const status_table[_GOAL_STATUS_MAX] = {
        [GOAL_STATUS_ON_TRACK] = "on_track",
        [GOAL_STATUS_AT_RISK] = "at_risk",
        [GOAL_STATUS_OFF_TRACK] = "off_track",
        [GOAL_STATUS_ACHIEVED] = "achieved",
        [GOAL_STATUS_MISSED] = "missed",
        [GOAL_STATUS_NO_DATA] = "no_data",
        [GOAL_STATUS_INSUFFICIENT_DATA] = "insufficient_data",
};

static const char *const reason_table[_GOAL_REASON_MAX] = {
        [GOAL_REASON_NONE] = "none",
        [GOAL_REASON_NO_SERIES] = "no_series",
        [GOAL_REASON_NO_PERIOD_DATA] = "no_period_data",
        [GOAL_REASON_STALE] = "stale",
        [GOAL_REASON_NO_BASELINE] = "no_baseline",
        [GOAL_REASON_ZERO_BASELINE] = "zero_baseline",
        [GOAL_REASON_SMALL_DENOMINATOR] = "small_denominator",
        [GOAL_REASON_FREQUENCY] = "frequency",
};

static const char *const role_table[_GOAL_ROLE_MAX] = {
        [GOAL_ROLE_SERIES] = "series",
        [GOAL_ROLE_NUMERATOR] = "numerator",
        [GOAL_ROLE_DENOMINATOR] = "denominator",
        [GOAL_ROLE_REFERENCE] = "reference",
};

const char *goal_status_to_string(GoalStatus s)
{
        return s >= 0 && s < _GOAL_STATUS_MAX ? status_table[s] : NULL;
}

GoalStatus goal_status_from_string(const char *s)
{
        for (int i = 0; s && i < _GOAL_STATUS_MAX; i++)
                if (streq(s, status_table[i]))
                        return (GoalStatus) i;
        return _GOAL_STATUS_INVALID;
}

const char *goal_reason_to_string(GoalReason r)
{
        return r >= 0 && r < _GOAL_REASON_MAX ? reason_table[r] : NULL;
}

const char *goal_role_to_string(GoalRole r)
{
        return r >= 0 && r < _GOAL_ROLE_MAX ? role_table[r] : NULL;
}

const char *goal_role_series(const GoalDef *g, GoalRole r)
{
        switch (r) {
        case GOAL_ROLE_SERIES:
                return g->kind == GOAL_SHARE ? NULL : g->series;
        case GOAL_ROLE_NUMERATOR:
                return g->kind == GOAL_SHARE ? g->numerator : NULL;
        case GOAL_ROLE_DENOMINATOR:
                return g->kind == GOAL_SHARE ? g->denominator : NULL;
        case GOAL_ROLE_REFERENCE:
                return g->kind == GOAL_REFERENCE ? g->reference : NULL;
        default:
                return NULL;
        }
}

void goal_result_done(GoalResult *r)
{
        if (!r)
                return;
        free(r->id);
        free(r->inputs);
        *r = (GoalResult){};
}

void goal_results_free(GoalResult *r, size_t n)
{
        for (size_t i = 0; r && i < n; i++)
                goal_result_done(&r[i]);
        free(r);
}

/* ---- evaluation context ---- */

typedef struct Projection {
        /* linear: a + b * (idx - x0), fitted to the last trend_window observations */
        double a, b, x0;
        int n_trend;
        int64_t trend_lo, trend_hi;
        /* seasonal: last year's value + d, d = mean year-over-year difference of recent periods */
        bool seasonal_ok;
        double d;
        int64_t season_lo, season_hi;
        /* persistence */
        double last, run_rate;
        /* smoothed seasonal: profile by position in the year, level and slope of the seasonally
         * adjusted series at the latest index */
        bool smooth_ok;
        double prof[12], za, zb;
        int64_t z_at;
} Projection;

typedef struct Ctx {
        const GoalDef *g;
        const GoalSeriesMeta *meta;
        GoalResult *r;
        const Series *s[_GOAL_ROLE_MAX];
        bool used[_GOAL_ROLE_MAX];
        PeriodFreq f;
        int per_year;
        int64_t pf, pl;   /* goal period's member indices in f */
        int64_t bf, bl;   /* baseline's member indices; a member idx pairs with idx + (bf - pf) */
        int64_t visible;  /* last index whose period ended before the evaluation date */
        int64_t lo[_GOAL_ROLE_MAX], hi[_GOAL_ROLE_MAX]; /* touched range, for the audit inputs */
        Projection pr[_GOAL_ROLE_MAX];
        ProjectionMethod method;
        bool over;        /* the goal period has ended */
        /* the main series' values [dense_lo, dense_lo + n_dense) as peek() reads them (NAN: none),
         * for the backtest's origins; n_dense 0: not made */
        const double *dense;
        int64_t dense_lo;
        size_t n_dense;
} Ctx;

static const SeriesPoint *find(const Series *s, int64_t idx)
{
        size_t lo = 0, hi = s->n_points;
        int64_t first;

        if (s->n_points == 0)
                return NULL;
        /* fast path: series without holes, where position = index difference */
        first = period_index(s->points[0].period);
        if (idx < first)
                return NULL;
        if ((uint64_t) (idx - first) < s->n_points && period_index(s->points[idx - first].period) == idx)
                return &s->points[idx - first];
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int64_t m = period_index(s->points[mid].period);
                if (m == idx)
                        return &s->points[mid];
                if (m < idx)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static void touch(Ctx *c, GoalRole role, int64_t idx)
{
        c->lo[role] = MIN(c->lo[role], idx);
        c->hi[role] = MAX(c->hi[role], idx);
}

/* An observed value: present, not missing, finite, and its period ended before the evaluation
 * date. peek() does not record the read; get() does. */
static bool peek(const Ctx *c, GoalRole role, int64_t idx, double *ret)
{
        const Series *s = c->s[role];
        const SeriesPoint *p;

        if (!s || idx > c->visible)
                return false;
        if (role == GOAL_ROLE_SERIES && (uint64_t) (idx - c->dense_lo) < c->n_dense) {
                if (isnan(c->dense[idx - c->dense_lo]))
                        return false;
                *ret = c->dense[idx - c->dense_lo];
                return true;
        }
        p = find(s, idx);
        if (!p || p->missing || !isfinite(p->value))
                return false;
        *ret = p->value;
        return true;
}

static bool get(Ctx *c, GoalRole role, int64_t idx, double *ret)
{
        if (!peek(c, role, idx, ret))
                return false;
        touch(c, role, idx);
        return true;
}

/* The latest observed index of a role's series at the evaluation date, or INT64_MIN. */
/* The number of points with an index at or before `idx` (points are sorted): the fast path for a
 * series without holes, else a binary search. */
static size_t points_through(const Series *s, int64_t idx)
{
        size_t lo = 0, hi = s ? s->n_points : 0;
        int64_t first;

        if (hi == 0)
                return 0;
        first = period_index(s->points[0].period);
        if (idx < first)
                return 0;
        if ((uint64_t) (idx - first) < s->n_points && period_index(s->points[idx - first].period) == idx)
                return (size_t) (idx - first) + 1;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (period_index(s->points[mid].period) <= idx)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static int64_t latest_index(const Ctx *c, GoalRole role)
{
        const Series *s = c->s[role];

        for (size_t i = points_through(s, c->visible); i > 0; i--) {
                const SeriesPoint *p = &s->points[i - 1];
                int64_t idx = period_index(p->period);
                if (idx <= c->visible && !p->missing && isfinite(p->value))
                        return idx;
        }
        return INT64_MIN;
}

/* ---- projection ---- */

/* The smoothed rule is computed when it may be chosen: asked for, or auto for a status from the
 * probability (whose calibration it was chosen for; the band keeps the seasonal rule it was set
 * for). */
static bool wants_smooth(const GoalDef *g)
{
        return g->projection == PROJECTION_SMOOTHED ||
               (g->projection == PROJECTION_AUTO && g->status_from == GOAL_STATUS_FROM_PROBABILITY);
}

#define SMOOTH_SPAN 72     /* periods read for the seasonal profile at most */
#define SMOOTH_WINDOW 24   /* seasonally adjusted periods the level and slope are fitted to */
#define SMOOTH_LAMBDA 0.8  /* their weights decay by this per period back */
#define SMOOTH_DAMP 0.9    /* the slope's effect decays by this per period ahead */

/* Smoothed seasonal: the seasonal profile is the mean deviation from a centred moving average (2 x
 * per_year) over the last SMOOTH_SPAN periods, centred; level and slope of the adjusted series by
 * exponentially weighted least squares at the latest index. */
static void smooth_prepare(Ctx *c, GoalRole role, int64_t last)
{
        Projection *p = &c->pr[role];
        int P = c->per_year, n;
        double y[SMOOTH_SPAN], dev[12] = {}, v;
        int ndev[12] = {};
        int64_t lo = last - SMOOTH_SPAN + 1;

        if (P != 12 && P != 4)
                return;
        if (role == GOAL_ROLE_SERIES && c->n_dense > 0 && lo >= c->dense_lo &&
            (uint64_t) (last - c->dense_lo) < c->n_dense)
                memcpy(y, c->dense + (lo - c->dense_lo), sizeof y); /* last <= visible: all visible */
        else
                for (int i = 0; i < SMOOTH_SPAN; i++)
                        y[i] = peek(c, role, lo + i, &v) ? v : NAN;
        /* the inner P - 1 terms of the moving average, kept as a running sum (and the holes in it) */
        double inner = 0;
        int holes = 0;
        for (int k = 1; k < P; k++) {
                if (isfinite(y[k]))
                        inner += y[k];
                else
                        holes++;
        }
        for (int i = P / 2; i + P / 2 < SMOOTH_SPAN; i++) {
                if (i > P / 2) { /* slide: drop y[i - P/2], take y[i + P/2 - 1] */
                        double out = y[i - P / 2], in = y[i + P / 2 - 1];
                        if (isfinite(out))
                                inner -= out;
                        else
                                holes--;
                        if (isfinite(in))
                                inner += in;
                        else
                                holes++;
                }
                double m = 0.5 * (y[i - P / 2] + y[i + P / 2]) + inner;
                if (holes > 0 || !isfinite(m) || !isfinite(y[i]))
                        continue;
                int j = (int) (((lo + i) % P + P) % P);
                dev[j] += y[i] - m / P;
                ndev[j]++;
        }
        double mean = 0;
        for (int j = 0; j < P; j++) {
                if (ndev[j] == 0)
                        return;
                p->prof[j] = dev[j] / ndev[j];
                mean += p->prof[j] / P;
        }
        for (int j = 0; j < P; j++)
                p->prof[j] -= mean;

        double sw = 0, sx = 0, sz = 0, sxx = 0, sxz = 0, w = 1;
        n = 0;
        for (int i = SMOOTH_SPAN - 1; i >= 0 && i >= SMOOTH_SPAN - SMOOTH_WINDOW; i--, w *= SMOOTH_LAMBDA) {
                if (!isfinite(y[i]))
                        continue;
                int j = (int) (((lo + i) % P + P) % P);
                double x = (double) (i - (SMOOTH_SPAN - 1)), z = y[i] - p->prof[j];
                sw += w, sx += w * x, sz += w * z, sxx += w * x * x, sxz += w * x * z;
                n++;
        }
        if (n < 3)
                return;
        double xm = sx / sw, zm = sz / sw, vxx = sxx / sw - xm * xm;
        p->zb = vxx > 0 ? (sxz / sw - xm * zm) / vxx : 0;
        p->za = zm - p->zb * xm; /* at x = 0, the latest index */
        p->z_at = last;
        p->smooth_ok = true;
}

/* Prepares every method (only = PROJECTION_AUTO) or just the one a backtest origin needs. */
static void projection_prepare(Ctx *c, GoalRole role, ProjectionMethod only)
{
        Projection *p = &c->pr[role];
        const Series *s = c->s[role];
        int window = c->g->trend_window > 0 ? c->g->trend_window : TREND_WINDOW_DEFAULT;
        double sx = 0, sy = 0, sxx = 0, sxy = 0, run = 0;
        int n = 0, n_run = 0, n_d = 0;
        int64_t last = latest_index(c, role);

        *p = (Projection){ .trend_lo = INT64_MAX, .trend_hi = INT64_MIN, .season_lo = INT64_MAX,
                           .season_hi = INT64_MIN };
        if (last == INT64_MIN)
                return;
        (void) peek(c, role, last, &p->last);

        /* Linear trend: least squares over the last `window` observations, by period index so that
         * gaps are spaced correctly. Centring on the mean index keeps the sums well conditioned. */
        double xs[128], ys[128]; /* config allows trend_window up to 120 */
        window = only == PROJECTION_AUTO || only == PROJECTION_LINEAR ? MIN(window, (int) ELEMENTSOF(xs)) : 0;
        for (size_t i = points_through(s, c->visible); i > 0 && n < window; i--) {
                const SeriesPoint *pt = &s->points[i - 1];
                int64_t idx = period_index(pt->period);
                if (idx > c->visible || pt->missing || !isfinite(pt->value))
                        continue;
                xs[n] = (double) idx;
                ys[n] = pt->value;
                sx += xs[n];
                sy += ys[n];
                p->trend_lo = MIN(p->trend_lo, idx);
                p->trend_hi = MAX(p->trend_hi, idx);
                n++;
        }
        p->n_trend = n;
        p->x0 = n > 0 ? sx / n : 0;
        p->a = n > 0 ? sy / n : p->last;
        for (int i = 0; i < n; i++) {
                sxx += (xs[i] - p->x0) * (xs[i] - p->x0);
                sxy += (xs[i] - p->x0) * (ys[i] - p->a);
        }
        p->b = n >= 2 && sxx > 0 ? sxy / sxx : 0;

        /* Run rate for sums under projection none: the mean of the observed goal-period values. */
        for (int64_t idx = c->pf; (only == PROJECTION_AUTO || only == PROJECTION_NONE) && idx <= c->pl; idx++) {
                double v;
                if (peek(c, role, idx, &v)) {
                        run += v;
                        n_run++;
                }
        }
        p->run_rate = n_run > 0 ? run / n_run : p->last;

        /* Seasonal: last year's same period shifted by the recent year-over-year difference (mean over
         * the last RECENT_WINDOW periods that have both). Additive, so it suits stocks and flows and
         * behaves with zeros and negative values. Meaningless for yearly data. */
        if (c->per_year <= 1 || only == PROJECTION_LINEAR || only == PROJECTION_NONE)
                return;
        double d = 0;
        for (int64_t idx = last; idx > last - RECENT_WINDOW; idx--) {
                double v, w;
                if (peek(c, role, idx, &v) && peek(c, role, idx - c->per_year, &w)) {
                        d += v - w;
                        n_d++;
                        p->season_lo = MIN(p->season_lo, idx - c->per_year);
                        p->season_hi = MAX(p->season_hi, idx);
                }
        }
        if (n_d == 0)
                return;
        p->d = d / n_d;
        /* every goal-period value to be projected needs last year's value */
        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                double v;
                if (peek(c, role, idx, &v))
                        continue;
                if (!peek(c, role, idx - c->per_year, &v))
                        return;
        }
        p->seasonal_ok = true;
        if (wants_smooth(c->g) && only != PROJECTION_SEASONAL)
                smooth_prepare(c, role, last);
}

/* Chooses one method for the whole goal (all its series alike): seasonal when asked for (auto or
 * seasonal) and every series has last year's profile for the periods to project; linear otherwise;
 * none when asked for. Records the inputs the chosen method reads. */
static ProjectionMethod method_for(const GoalDef *g, bool seasonal_ok, bool smooth_ok)
{
        switch (g->projection) {
        case PROJECTION_NONE:
                return PROJECTION_NONE;
        case PROJECTION_AUTO:
        case PROJECTION_SEASONAL:
        case PROJECTION_SMOOTHED:
                return smooth_ok && wants_smooth(g) ? PROJECTION_SMOOTHED
                       : seasonal_ok                ? PROJECTION_SEASONAL
                                                    : PROJECTION_LINEAR;
        default:
                return PROJECTION_LINEAR;
        }
}

static void projection_choose(Ctx *c)
{
        bool seasonal = true, smooth = true;

        for (int role = 0; role < _GOAL_ROLE_MAX; role++)
                if (c->used[role]) {
                        projection_prepare(c, role, PROJECTION_AUTO);
                        seasonal = seasonal && c->pr[role].seasonal_ok;
                        smooth = smooth && c->pr[role].smooth_ok;
                }
        c->method = method_for(c->g, seasonal, smooth);

        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const Projection *p = &c->pr[role];
                if (!c->used[role])
                        continue;
                if (c->method == PROJECTION_LINEAR && p->n_trend > 0) {
                        for (int64_t idx = p->trend_lo; idx <= p->trend_hi; idx++) {
                                double v;
                                (void) get(c, role, idx, &v);
                        }
                } else if (c->method == PROJECTION_SEASONAL) {
                        for (int64_t idx = p->season_lo; idx <= p->season_hi; idx++) {
                                double v;
                                (void) get(c, role, idx, &v);
                        }
                } else if (c->method == PROJECTION_SMOOTHED) {
                        for (int64_t idx = p->z_at - SMOOTH_SPAN + 1; idx <= p->z_at; idx++) {
                                double v;
                                (void) get(c, role, idx, &v);
                        }
                }
        }
        c->r->projection = c->method;
        c->r->trend_points = c->method == PROJECTION_LINEAR ? c->pr[c->g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES].n_trend : 0;
}

/* The value of member idx: observed, or projected. sum_like selects the run rate under "none". */
static double value_or_projection(Ctx *c, GoalRole role, int64_t idx, bool sum_like)
{
        const Projection *p = &c->pr[role];
        double v;

        if (get(c, role, idx, &v))
                return v;
        switch (c->method) {
        case PROJECTION_SMOOTHED: {
                double damp = 0, f = 1;
                for (int64_t k = p->z_at; k < idx; k++)
                        damp += (f *= SMOOTH_DAMP);
                return p->za + p->zb * damp + p->prof[(idx % c->per_year + c->per_year) % c->per_year];
        }
        case PROJECTION_SEASONAL:
                if (get(c, role, idx - c->per_year, &v))
                        return v + p->d;
                __attribute__((fallthrough));
        case PROJECTION_LINEAR:
                return p->a + p->b * ((double) idx - p->x0);
        default:
                return sum_like ? p->run_rate : p->last;
        }
}

/* ---- verdicts ---- */

static double aggregate(GoalAggregate a, double sum, int n, double last)
{
        switch (a) {
        case GOAL_AGGREGATE_SUM:
                return sum;
        case GOAL_AGGREGATE_LATEST:
                return last;
        default:
                return n > 0 ? sum / n : 0;
        }
}

/* Shares are ratios of sums, cumulative goals count, ranks are read at the latest period; the
 * configured aggregate applies to level, change and reference goals. */
GoalAggregate goal_effective_aggregate(const GoalDef *g)
{
        switch (g->kind) {
        case GOAL_SHARE:
        case GOAL_CUMULATIVE:
                return GOAL_AGGREGATE_SUM;
        case GOAL_RANK:
                return GOAL_AGGREGATE_LATEST;
        default:
                return g->aggregate >= 0 && g->aggregate < _GOAL_AGGREGATE_MAX ? g->aggregate
                                                                                : GOAL_AGGREGATE_AVERAGE;
        }
}

static double epsilon(const GoalDef *g)
{
        return 1e-9 * MAX(1.0, fabs(g->target));
}

/* margin > 0: better than the target, in the target's unit. */
static double margin(const GoalDef *g, double v)
{
        return g->direction == GOAL_AT_MOST ? g->target - v : v - g->target;
}

/* Before the end: the projection within `tolerance` of the target on either side is at risk (a
 * projection that just makes it can still miss; one that just misses can still make it). Exactly on
 * the target counts as meeting it. */
static GoalStatus judge(const GoalDef *g, double projected)
{
        double m = margin(g, projected), eps = epsilon(g), tol = g->tolerance > 0 ? g->tolerance : 0;

        if (tol == 0)
                return m >= -eps ? GOAL_STATUS_ON_TRACK : GOAL_STATUS_OFF_TRACK;
        if (m >= tol - eps)
                return GOAL_STATUS_ON_TRACK;
        if (m >= -tol - eps)
                return GOAL_STATUS_AT_RISK;
        return GOAL_STATUS_OFF_TRACK;
}

static void set_final(Ctx *c, double value)
{
        GoalResult *r = c->r;

        r->has_projected = r->has_gap = true;
        r->projected = value;
        r->gap = value - c->g->target;
        r->status = margin(c->g, value) >= -epsilon(c->g) ? GOAL_STATUS_ACHIEVED : GOAL_STATUS_MISSED;
        r->projection = PROJECTION_NONE;
        /* The final value is fact: certainty, and an interval of zero width. */
        r->has_probability = true;
        r->probability = r->status == GOAL_STATUS_ACHIEVED ? 1.0 : 0.0;
        r->projected_low = r->projected_high = value;
}

static void set_projected(Ctx *c, double projected)
{
        GoalResult *r = c->r;

        if (!isfinite(projected)) {
                r->status = judge(c->g, r->value); /* cannot happen with finite inputs; be safe */
                return;
        }
        if (projected == 0)
                projected = 0; /* no negative zero */
        r->has_projected = r->has_gap = true;
        r->projected = projected;
        r->gap = projected - c->g->target;
        r->status = judge(c->g, projected);
}

static void no_data(Ctx *c, GoalReason reason)
{
        c->r->status = reason == GOAL_REASON_SMALL_DENOMINATOR ? GOAL_STATUS_INSUFFICIENT_DATA : GOAL_STATUS_NO_DATA;
        c->r->reason = reason;
}

/* Data older than the publication lag allows: the series should have reached visible - lag. */
static bool stale(const Ctx *c)
{
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                int lag;
                if (!c->used[role] || !c->meta)
                        continue;
                lag = c->meta[role].publication_lag;
                if (lag >= 0 && latest_index(c, role) < c->visible - lag)
                        return true;
        }
        return false;
}

/* Nothing observed in the goal period: late figures (stale, with the latest period the series has)
 * or simply none published yet. */
static void nothing_observed(Ctx *c, GoalRole main)
{
        int64_t L = latest_index(c, main);

        /* a series with nothing published before the evaluation date is not late, just new */
        if (L == INT64_MIN || !stale(c)) {
                no_data(c, GOAL_REASON_NO_PERIOD_DATA);
                return;
        }
        c->r->has_latest = true;
        c->r->latest = period_from_index(c->f, L);
        no_data(c, GOAL_REASON_STALE);
}

/* Recent pace: for stocks the average change per period over the last RECENT_WINDOW periods, for
 * flows (sum_like) the average amount per period. */
static void recent_pace(Ctx *c, GoalRole role, bool sum_like)
{
        GoalResult *r = c->r;
        int64_t L = latest_index(c, role);
        double v0, v = 0, sum = 0;
        int n = 0;

        if (L == INT64_MIN || !get(c, role, L, &v0))
                return;
        if (sum_like) {
                for (int64_t idx = L; idx > L - RECENT_WINDOW; idx--)
                        if (get(c, role, idx, &v)) {
                                sum += v;
                                n++;
                        }
                r->recent_pace = sum / n;
                r->recent_window = n;
        } else {
                int64_t e;
                for (e = L - RECENT_WINDOW; e < L; e++)
                        if (get(c, role, e, &v))
                                break;
                if (e >= L)
                        return;
                r->recent_pace = (v0 - v) / (double) (L - e);
                r->recent_window = (int) (L - e);
        }
        r->has_recent_pace = isfinite(r->recent_pace);
}

/* Pace needed for an aggregate over N member periods to reach T, given n_obs observed summing to
 * sum_obs: per-period change from the latest value (average, latest) or amount per period (sum). For
 * an average the remaining values are assumed to move in a straight line from the latest value:
 * their mean is v0 + s(k+1)/2 after k periods, hence s = 2(R - v0)/(k + 1). */
static void pace_level(Ctx *c, GoalRole role, GoalAggregate a, double T, int N, int n_obs, double sum_obs)
{
        GoalResult *r = c->r;
        int U = N - n_obs;
        int64_t L = latest_index(c, role), k;
        double v0, s;

        if (U <= 0 || L == INT64_MIN || !peek(c, role, L, &v0))
                return;
        k = c->pl - L;
        switch (a) {
        case GOAL_AGGREGATE_SUM:
                s = (T - sum_obs) / U;
                break;
        case GOAL_AGGREGATE_LATEST:
                if (k < 1)
                        return;
                s = (T - v0) / (double) k;
                break;
        default:
                k = MAX(k, 1);
                s = 2 * ((T * N - sum_obs) / U - v0) / (double) (k + 1);
        }
        if (!isfinite(s))
                return;
        r->has_pace = true;
        r->pace_needed = s == 0 ? 0 : s;
        recent_pace(c, role, a == GOAL_AGGREGATE_SUM);
}

/* ---- predictive distribution (labourwatch-goals(7), PROBABILITY) ---- */

#define INTERVAL_Z 1.2815515655446004 /* standard normal 0.9 quantile: the 80 % two-sided interval */
#define FLOOR_RELATIVE 0.02            /* floor spread at least 2 % of the projection */
#define PROBABILITY_OPEN_MIN 0.001    /* an open period's probability stays in [0.001, 0.999] */
#define SHORT_ORIGINS 18               /* below this many origins the floor weighs the difference more */
#define FLOOR_WEIGHT 0.5               /* the floor counts as this many backtest origins */

void goal_probability_thresholds(const GoalDef *g, double *ret_at_risk, double *ret_off_track)
{
        bool unset = g->probability_at_risk == 0 && g->probability_off_track == 0;

        *ret_at_risk = unset ? 0.8 : g->probability_at_risk;
        *ret_off_track = unset ? 0.2 : g->probability_off_track;
}

double goal_probability_recover(const GoalDef *g)
{
        double at_risk, off_track;

        goal_probability_thresholds(g, &at_risk, &off_track);
        return g->probability_recover > off_track ? g->probability_recover
                                                  : MIN(off_track + PROBABILITY_RECOVER_MARGIN, 1.0);
}

/* Student-t 0.9 quantile for df degrees of freedom (df >= 1): the small-sample widening. */
static double t90(int df)
{
        static const double table[] = { 0, 3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
                                        1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325 };
        if (df < 1)
                df = 1;
        if (df < (int) ELEMENTSOF(table))
                return table[df];
        /* Cornish-Fisher first term: z (1 + (1 + z^2) / (4 df)) */
        return INTERVAL_Z * (1 + (1 + INTERVAL_Z * INTERVAL_Z) / (4.0 * df));
}

/* The distribution of the final measure: `projected` +- t sigma, and the normal probability with the
 * scale whose 80 % interval is that t interval. */
static void set_distribution(Ctx *c, double projected, double sigma, int df)
{
        GoalResult *r = c->r;
        double t = t90(df), se = sigma * t / INTERVAL_Z;

        r->has_probability = true;
        if (!(se > 0) || !isfinite(se)) {
                r->probability = margin(c->g, projected) >= -epsilon(c->g) ? 1.0 : 0.0;
                r->projected_low = r->projected_high = projected;
                return;
        }
        r->projected_low = projected - t * sigma;
        r->projected_high = projected + t * sigma;
        /* an open period is never certain: a shift can always come (and the normal tail would round
         * to exactly 0 or 1 far out) */
        r->probability = MIN(MAX(0.5 * erfc(-margin(c->g, projected) / (se * sqrt(2.0))), PROBABILITY_OPEN_MIN),
                             1 - PROBABILITY_OPEN_MIN);
        if (c->g->status_from == GOAL_STATUS_FROM_PROBABILITY) {
                double at_risk, off_track;
                goal_probability_thresholds(c->g, &at_risk, &off_track);
                r->status = r->probability >= at_risk     ? GOAL_STATUS_ON_TRACK
                            : r->probability >= off_track ? GOAL_STATUS_AT_RISK
                                                          : GOAL_STATUS_OFF_TRACK;
        }
}

/* Rolling-origin backtest: from each of the last ORIGINS_MAX visible periods o, the rule as it
 * would have projected with o the latest, and E(o, h), the error of the sum of the next h periods
 * (of period o + h alone for `latest`), into the moments of sd(E_h) = c h^alpha (spread()). */
#define ORIGINS_MAX 24
#define ALPHA_STEPS 11 /* alpha in 0.5, 0.6, ..., 1.5 */

#define SPREAD_H_MAX 64 /* horizons with their weights tabulated */

typedef struct Spread {
        double s2[ALPHA_STEPS]; /* sum of E^2 / h^(2 alpha) */
        double log_h;           /* sum of log h */
        int n;                  /* errors */
        int origins;
        double w[SPREAD_H_MAX][ALPHA_STEPS]; /* h^(-2 alpha), for h < SPREAD_H_MAX */
        double lh[SPREAD_H_MAX];             /* log h */
} Spread;

static double alpha_of(int k)
{
        return 0.5 + 0.1 * k;
}

static void spread_init(Spread *sp, int h_max)
{
        *sp = (Spread){};
        for (int h = 1; h < MIN(h_max + 1, SPREAD_H_MAX); h++) {
                sp->lh[h] = log((double) h);
                for (int k = 0; k < ALPHA_STEPS; k++)
                        sp->w[h][k] = exp(-2 * alpha_of(k) * sp->lh[h]);
        }
}

static void spread_add(Spread *sp, double e, int h)
{
        for (int k = 0; k < ALPHA_STEPS; k++)
                sp->s2[k] += e * e * (h < SPREAD_H_MAX ? sp->w[h][k] : pow((double) h, -2 * alpha_of(k)));
        sp->log_h += h < SPREAD_H_MAX ? sp->lh[h] : log((double) h);
        sp->n++;
}

/* One series' part in the goal's measure: the measure's error is the sum over terms of coef times
 * the error of that series' sum over the periods to come (its latest period's error for `latest`);
 * `level` is its projected value per period, for the floor. A level goal has one term, a share two
 * (numerator and denominator, linearised around the projection), a reference goal two (its own
 * series and the reference). */
typedef struct Term {
        GoalRole role;
        double coef, level;
} Term;

#define TERMS_MAX 2

static void backtest_origins(const Ctx *c, GoalAggregate a, bool sum_like, const Term *t, size_t n_t, int N,
                             Spread *sp)
{
        int64_t first = INT64_MIN;
        bool latest = a == GOAL_AGGREGATE_LATEST;
        Ctx b = *c; /* each origin sets what it reads: visible, the period, the series' projections */
        double dense[ORIGINS_MAX + SMOOTH_SPAN];

        for (size_t k = 0; k < n_t; k++)
                first = MAX(first, period_index(c->s[t[k].role]->points[0].period));

        /* every origin reads the same stretch of the main series (the smoothed rule SMOOTH_SPAN
         * periods of it): read it once */
        if (c->s[GOAL_ROLE_SERIES]) {
                b.dense_lo = c->visible - (int64_t) ELEMENTSOF(dense) + 1;
                b.n_dense = ELEMENTSOF(dense);
                b.dense = dense;
                for (size_t i = 0; i < ELEMENTSOF(dense); i++)
                        if (!peek(c, GOAL_ROLE_SERIES, b.dense_lo + (int64_t) i, &dense[i]))
                                dense[i] = NAN;
        }

        for (int64_t o = c->visible - 1; o >= first && o >= c->visible - ORIGINS_MAX; o--) {
                double e[TERMS_MAX] = {};
                bool seasonal = true, smooth = true, trend = true;
                int used = 0;

                b.visible = o;
                b.pf = o + 1;
                b.pl = o + N - 1;
                for (size_t k = 0; k < n_t; k++) {
                        const Projection *p = &b.pr[t[k].role];
                        projection_prepare(&b, t[k].role, c->method);
                        seasonal = seasonal && p->seasonal_ok;
                        smooth = smooth && p->smooth_ok;
                        trend = trend && p->n_trend > 0;
                }
                b.method = method_for(c->g, seasonal, smooth);
                /* only origins where the rule is the one projecting now: early in the history the
                 * seasonal rule lacks last year and would fall back to the (much worse) line */
                if (b.method != c->method || (b.method == PROJECTION_LINEAR && !trend))
                        continue;
                for (int h = 1; h < N && o + h <= c->visible; h++) {
                        double E = 0;
                        size_t k;
                        for (k = 0; k < n_t; k++) {
                                double y, f;
                                if (!peek(c, t[k].role, o + h, &y))
                                        break;
                                f = value_or_projection(&b, t[k].role, o + h, sum_like);
                                if (!isfinite(f))
                                        break;
                                e[k] = latest ? y - f : e[k] + (y - f);
                                E += t[k].coef * e[k];
                        }
                        if (k < n_t)
                                break;
                        spread_add(sp, E, h);
                        used++;
                }
                sp->origins += used > 0;
        }
}

/* Running mean and sum of squared deviations (Welford): one value more. */
typedef struct Moments {
        int n;
        double mean, m2;
} Moments;

static void moments_add(Moments *m, double x)
{
        double d = x - m->mean;

        m->n++;
        m->mean += d / m->n;
        m->m2 += d * (x - m->mean);
}

/* The floor's variance of one term's series over hh periods to come, in the series' units: what
 * the rule in use cannot foresee from one period to the next, as if the periods to come could all
 * err together by that much; at least 2 % of the term's level; and counts (people, orders; not
 * ranks) vary at least as chance does, independently from period to period (Poisson: variance the
 * mean). What the rule cannot foresee: for the seasonal and smoothed rules the spread of the
 * year-over-year differences, for the line and persistence the spread of the period-to-period
 * differences; with too few of those, the spread of the values. */
static double floor_variance(const Ctx *c, const Term *t, int hh)
{
        const Series *s = c->s[t->role];
        int P = c->per_year, lag = (c->method == PROJECTION_SEASONAL || c->method == PROJECTION_SMOOTHED) && P > 1 ? P : 1;
        Moments values = {}, diffs = {};
        bool counts = c->g->kind != GOAL_RANK;
        double scale, w;
        size_t end = points_through(s, c->visible);

        for (size_t i = 0; i < end; i++) {
                const SeriesPoint *pt = &s->points[i];
                if (pt->missing || !isfinite(pt->value))
                        continue;
                counts = counts && pt->value >= 0 && pt->value == floor(pt->value);
                moments_add(&values, pt->value);
                /* the difference to `lag` periods before */
                if (peek(c, t->role, period_index(pt->period) - lag, &w))
                        moments_add(&diffs, pt->value - w);
        }
        const Moments *m = diffs.n >= 3 ? &diffs : &values;
        scale = m->n >= 2 ? sqrt(m->m2 / (m->n - 1)) : 0;
        scale = MAX(scale, FLOOR_RELATIVE * fabs(t->level));
        if (scale <= 0)
                scale = FLOOR_RELATIVE * MAX(1.0, fabs(c->g->target));
        return MAX(hh * scale * hh * scale, counts && values.n > 0 ? hh * MAX(values.mean, 1.0) : 0);
}

/* The spread (sigma, df) of the final measure, h members to come: alpha by maximum likelihood on the
 * grid, c^2 its mean square, df the origins over sqrt(h) (one origin's errors overlap); the floor
 * (floor_given >= 0, else the terms' floor_variance()) weighs FLOOR_WEIGHT origins, more below
 * SHORT_ORIGINS. */
static bool spread(Ctx *c, GoalAggregate a, bool sum_like, const Term *t, size_t n_t, int h, double floor_given,
                   double *ret_sigma, int *ret_df)
{
        int N = (int) (c->pl - c->pf + 1);
        Spread sp;

        assert(n_t >= 1 && n_t <= TERMS_MAX);
        for (size_t k = 0; k < n_t; k++)
                if (!c->s[t[k].role] || c->s[t[k].role]->n_points == 0 || !isfinite(t[k].coef) ||
                    !isfinite(t[k].level))
                        return false;
        if (h <= 0) {
                *ret_sigma = 0;
                *ret_df = 1;
                return true;
        }
        spread_init(&sp, N - 1);
        if (N >= 2)
                backtest_origins(c, a, sum_like, t, n_t, N, &sp);

        int hh = a == GOAL_AGGREGATE_LATEST ? 1 : h;
        double floor_var = 0;
        if (floor_given >= 0)
                floor_var = floor_given;
        else
                for (size_t k = 0; k < n_t; k++)
                        floor_var += t[k].coef * t[k].coef * floor_variance(c, &t[k], hh);

        double sd = 0, eff = 0;
        if (sp.n > 0) {
                int best = 0;
                double best_ll = -INFINITY;
                for (int k = 0; k < ALPHA_STEPS; k++) {
                        double c2 = sp.s2[k] / sp.n;
                        double ll = c2 > 0 ? -0.5 * sp.n * log(c2) - alpha_of(k) * sp.log_h : -INFINITY;
                        if (ll > best_ll)
                                best_ll = ll, best = k;
                }
                sd = sqrt(sp.s2[best] / sp.n) * pow((double) h, alpha_of(best));
                eff = sp.origins;
        }
        double w = FLOOR_WEIGHT + MAX(0.0, SHORT_ORIGINS - eff);
        *ret_sigma = sqrt((eff * sd * sd + w * floor_var) / (eff + w));
        *ret_df = MAX(2, (int) lround((eff + FLOOR_WEIGHT) / sqrt((double) h)));
        c->r->backtest_origins = sp.origins;
        return true;
}

/* Level, cumulative and rank goals: one term, the series, in the measure's unit (1/N of the sum for
 * an average). */
static void distribution_level(Ctx *c, GoalAggregate a, double projected, int h)
{
        int N = (int) (c->pl - c->pf + 1);
        double mult = a == GOAL_AGGREGATE_AVERAGE ? 1.0 / N : 1.0, sigma;
        Term t = { GOAL_ROLE_SERIES, mult, a == GOAL_AGGREGATE_SUM ? projected / N : projected };
        int df;

        if (isfinite(projected) && spread(c, a, a == GOAL_AGGREGATE_SUM, &t, 1, h, -1, &sigma, &df))
                set_distribution(c, projected, sigma, df);
}

/* ---- the kinds ---- */

static int eval_level(Ctx *c)
{
        const GoalDef *g = c->g;
        GoalResult *r = c->r;
        GoalAggregate a = goal_effective_aggregate(g);
        int N = (int) (c->pl - c->pf + 1), n = 0;
        double sum = 0, last = 0, v;
        int64_t last_idx = INT64_MIN;

        for (int64_t idx = c->pf; idx <= c->pl; idx++)
                if (get(c, GOAL_ROLE_SERIES, idx, &v)) {
                        n++;
                        sum += v;
                        last = v;
                        last_idx = idx;
                }
        r->n_observed = n;
        if (n == 0) {
                nothing_observed(c, GOAL_ROLE_SERIES);
                return 0;
        }
        r->has_latest = r->has_value = true;
        r->latest = period_from_index(c->f, last_idx);
        r->value = aggregate(a, sum, n, last);
        if (g->kind == GOAL_CUMULATIVE) {
                r->has_expected = true;
                r->expected = g->target * (double) (last_idx - c->pf + 1) / N;
        }

        if (c->over && (a == GOAL_AGGREGATE_LATEST ? last_idx == c->pl : n == N)) {
                set_final(c, r->value);
                return 0;
        }
        if (stale(c)) {
                no_data(c, GOAL_REASON_STALE);
                return 0;
        }

        projection_choose(c);
        double fsum = 0, flast = 0;
        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                flast = value_or_projection(c, GOAL_ROLE_SERIES, idx, a == GOAL_AGGREGATE_SUM);
                fsum += flast;
        }
        double projected = aggregate(a, fsum, N, flast);
        if (g->kind == GOAL_RANK)
                projected = MAX(projected, 1.0); /* nobody ranks better than first */
        set_projected(c, projected);
        distribution_level(c, a, projected, a == GOAL_AGGREGATE_LATEST ? (int) (c->pl - last_idx) : N - n);
        if (g->kind == GOAL_RANK && r->has_probability)
                r->projected_low = MAX(r->projected_low, 1.0);
        pace_level(c, GOAL_ROLE_SERIES, a, g->target, N, n, sum);
        return 0;
}

static bool change_of(ChangeUnit u, double cur, double base, double *ret)
{
        double v;

        if (u == CHANGE_PERCENT) {
                /* relative to the magnitude, so a negative baseline still reads "up" as positive */
                if (base == 0)
                        return false;
                v = 100 * (cur - base) / fabs(base);
        } else
                v = cur - base;
        if (!isfinite(v))
                return false;
        *ret = v == 0 ? 0 : v;
        return true;
}

/* The current-period aggregate that makes the change equal t. */
static double change_target_level(ChangeUnit u, double base, double t)
{
        return u == CHANGE_PERCENT ? base + t / 100 * fabs(base) : base + t;
}

/* Change and reference goals. Like with like: a goal-period member is compared only with its own
 * counterpart in the baseline (the same month of 2023), and only pairs where every series involved
 * has both figures count. */
static int eval_change(Ctx *c)
{
        const GoalDef *g = c->g;
        GoalResult *r = c->r;
        GoalAggregate a = goal_effective_aggregate(g);
        bool ref = g->kind == GOAL_REFERENCE;
        int64_t off = c->bf - c->pf;
        int n_cur = 0, n = 0, N = 0;
        double cs = 0, bs = 0, rcs = 0, rbs = 0, cl = 0, bl = 0, rcl = 0, rbl = 0;
        int64_t last_idx = INT64_MIN, last_cur = INT64_MIN;

        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                double cv = 0, bv = 0, rcv = 0, rbv = 0;
                bool has_cur = get(c, GOAL_ROLE_SERIES, idx, &cv);
                bool in_base = idx + off >= c->bf && idx + off <= c->bl;
                if (has_cur) {
                        n_cur++;
                        last_cur = idx;
                }
                if (!in_base)
                        continue;
                bool has_base = get(c, GOAL_ROLE_SERIES, idx + off, &bv);
                if (ref && !(get(c, GOAL_ROLE_REFERENCE, idx + off, &rbv) && has_base))
                        has_base = false;
                if (has_base)
                        N++;
                if (!has_cur || !has_base || (ref && !get(c, GOAL_ROLE_REFERENCE, idx, &rcv)))
                        continue;
                n++;
                cs += cv, bs += bv, rcs += rcv, rbs += rbv;
                cl = cv, bl = bv, rcl = rcv, rbl = rbv;
                last_idx = idx;
        }
        r->n_observed = n;
        if (n_cur == 0) {
                nothing_observed(c, GOAL_ROLE_SERIES);
                return 0;
        }
        r->has_latest = true;
        r->latest = period_from_index(c->f, last_cur);
        if (n == 0) {
                no_data(c, GOAL_REASON_NO_BASELINE);
                return 0;
        }
        r->latest = period_from_index(c->f, last_idx);

        double own, other = 0;
        if (!change_of(g->change_unit, aggregate(a, cs, n, cl), aggregate(a, bs, n, bl), &own) ||
            (ref && !change_of(g->change_unit, aggregate(a, rcs, n, rcl), aggregate(a, rbs, n, rbl), &other))) {
                no_data(c, GOAL_REASON_ZERO_BASELINE);
                return 0;
        }
        r->has_own_change = true;
        r->own_change = own;
        r->has_reference_change = ref;
        r->reference_change = other;
        r->has_value = true;
        r->value = own - other;

        bool complete = a == GOAL_AGGREGATE_LATEST ? last_cur == c->pl : n_cur == c->pl - c->pf + 1;
        if (c->over && complete) {
                set_final(c, r->value);
                return 0;
        }
        if (stale(c)) {
                no_data(c, GOAL_REASON_STALE);
                return 0;
        }

        /* Projection over the members that have a baseline counterpart. */
        projection_choose(c);
        double fcs = 0, fbs = 0, frcs = 0, frbs = 0, fcl = 0, fbl = 0, frcl = 0, frbl = 0;
        int fn = 0;
        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                double bv, rbv = 0;
                if (idx + off < c->bf || idx + off > c->bl || !get(c, GOAL_ROLE_SERIES, idx + off, &bv) ||
                    (ref && !get(c, GOAL_ROLE_REFERENCE, idx + off, &rbv)))
                        continue;
                fcl = value_or_projection(c, GOAL_ROLE_SERIES, idx, a == GOAL_AGGREGATE_SUM);
                fcs += fcl;
                fbs += bv, fbl = bv;
                if (ref) {
                        frcl = value_or_projection(c, GOAL_ROLE_REFERENCE, idx, a == GOAL_AGGREGATE_SUM);
                        frcs += frcl;
                        frbs += rbv, frbl = rbv;
                }
                fn++;
        }
        double pown, pother = 0;
        if (fn == 0 || !change_of(g->change_unit, aggregate(a, fcs, fn, fcl), aggregate(a, fbs, fn, fbl), &pown) ||
            (ref && !change_of(g->change_unit, aggregate(a, frcs, fn, frcl), aggregate(a, frbs, fn, frbl), &pother))) {
                r->status = judge(g, r->value);
                return 0;
        }
        set_projected(c, pown - pother);

        /* Where every member of the goal period has its baseline, the baseline is fact and the change
         * is linear in the goal-period aggregate: the own series is one term (d change / d sum), and
         * a reference goal's reference, projected alike and just as uncertain, another with the
         * opposite sign; their errors are backtested together, so what moves both (the national
         * development) is not counted twice. */
        if (fn == c->pl - c->pf + 1) {
                double mult = a == GOAL_AGGREGATE_AVERAGE ? 1.0 / fn : 1.0, sigma;
                double base = aggregate(a, fbs, fn, fbl), rbase = aggregate(a, frbs, fn, frbl);
                bool pct = g->change_unit == CHANGE_PERCENT;
                Term t[TERMS_MAX] = {
                        { GOAL_ROLE_SERIES, mult * (pct ? 100 / fabs(base) : 1), a == GOAL_AGGREGATE_LATEST ? fcl : fcs / fn },
                        { GOAL_ROLE_REFERENCE, -mult * (pct ? 100 / fabs(rbase) : 1),
                          a == GOAL_AGGREGATE_LATEST ? frcl : frcs / fn },
                };
                int df, h = a == GOAL_AGGREGATE_LATEST ? (int) (c->pl - last_cur) : fn - n_cur;
                if (spread(c, a, a == GOAL_AGGREGATE_SUM, t, ref ? 2 : 1, h, -1, &sigma, &df))
                        set_distribution(c, pown - pother, sigma, df);
        }

        /* Pace: the own change needed is the target (plus the reference's projected change), turned
         * into the goal-period level that gives it. */
        double T = change_target_level(g->change_unit, aggregate(a, fbs, fn, fbl), g->target + pother);
        pace_level(c, GOAL_ROLE_SERIES, a, T, fn, n, cs);
        return 0;
}

static int eval_share(Ctx *c)
{
        const GoalDef *g = c->g;
        GoalResult *r = c->r;
        int N = (int) (c->pl - c->pf + 1), n = 0;
        double ns = 0, ds = 0;
        int64_t last_idx = INT64_MIN;

        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                double nv, dv;
                if (!peek(c, GOAL_ROLE_NUMERATOR, idx, &nv) || !peek(c, GOAL_ROLE_DENOMINATOR, idx, &dv))
                        continue;
                (void) get(c, GOAL_ROLE_NUMERATOR, idx, &nv);
                (void) get(c, GOAL_ROLE_DENOMINATOR, idx, &dv);
                n++;
                ns += nv;
                ds += dv;
                last_idx = idx;
        }
        r->n_observed = n;
        if (n == 0) {
                nothing_observed(c, GOAL_ROLE_NUMERATOR);
                return 0;
        }
        r->has_latest = true;
        r->latest = period_from_index(c->f, last_idx);
        r->denominator = ds;
        if (stale(c) && !(c->over && n == N)) {
                no_data(c, GOAL_REASON_STALE);
                return 0;
        }
        if (ds <= 0 || ds < g->min_denominator) {
                /* Too few cases for a percentage to mean anything: no verdict, but say what we have. */
                if (ds > 0) {
                        r->has_value = true;
                        r->value = 100 * ns / ds;
                }
                no_data(c, GOAL_REASON_SMALL_DENOMINATOR);
                return 0;
        }
        r->has_value = true;
        r->value = 100 * ns / ds;
        if (r->value == 0)
                r->value = 0;
        if (c->over && n == N) {
                set_final(c, r->value);
                return 0;
        }

        projection_choose(c);
        double fns = 0, fds = 0;
        for (int64_t idx = c->pf; idx <= c->pl; idx++) {
                double nv, dv;
                if (peek(c, GOAL_ROLE_NUMERATOR, idx, &nv) && peek(c, GOAL_ROLE_DENOMINATOR, idx, &dv)) {
                        fns += nv;
                        fds += dv;
                        continue;
                }
                fns += value_or_projection(c, GOAL_ROLE_NUMERATOR, idx, true);
                fds += value_or_projection(c, GOAL_ROLE_DENOMINATOR, idx, true);
        }
        if (fds <= 0) {
                r->status = judge(g, r->value);
                return 0;
        }
        set_projected(c, 100 * fns / fds);

        /* The share 100 (n + N') / (d + D') of the observed sums and the projected ones, linearised
         * around the projection: d share = 100 / fds (dN' - share / 100 dD'). Numerator and
         * denominator are backtested together (they move together: more cases, more matched). */
        double S = 100 * fns / fds, sigma;
        Term t[TERMS_MAX] = { { GOAL_ROLE_NUMERATOR, 100 / fds, fns / N }, { GOAL_ROLE_DENOMINATOR, -S / fds, fds / N } };
        int df;
        /* The floor of a share is chance: each case to come is matched or not (binomial), and the
         * cases to come weigh (fds - ds) / fds of the year; at least 2 % of the share moving with them. */
        double rest = MAX(fds - ds, 1.0), frac = (fds - ds) / fds;
        double floor_var = frac * frac * MAX(S * (100 - S) / rest, (FLOOR_RELATIVE * S) * (FLOOR_RELATIVE * S));
        if (spread(c, GOAL_AGGREGATE_SUM, true, t, 2, N - n, MAX(floor_var, 0.0), &sigma, &df)) {
                set_distribution(c, S, sigma, df);
                r->projected_low = MAX(r->projected_low, 0.0);
                r->projected_high = MIN(r->projected_high, 100.0);
        }

        /* Pace: the share the remaining periods must reach; recent: the share of the last periods. */
        double rem = fds - ds;
        if (rem > 0) {
                double need = 100 * (g->target / 100 * fds - ns) / rem;
                if (isfinite(need)) {
                        r->has_pace = true;
                        r->pace_needed = need == 0 ? 0 : need;
                }
        }
        double rn = 0, rd = 0;
        int rw = 0;
        for (int64_t idx = last_idx; idx > last_idx - RECENT_WINDOW; idx--) {
                double nv, dv;
                if (get(c, GOAL_ROLE_NUMERATOR, idx, &nv) && get(c, GOAL_ROLE_DENOMINATOR, idx, &dv)) {
                        rn += nv;
                        rd += dv;
                        rw++;
                }
        }
        if (rd > 0) {
                r->has_recent_pace = true;
                r->recent_pace = 100 * rn / rd;
                r->recent_window = rw;
        }
        return 0;
}

static bool isempty(const char *s)
{
        return !s || !*s;
}

/* ---- entry points ---- */

static void set_units(Ctx *c)
{
        const GoalDef *g = c->g;
        GoalResult *r = c->r;
        GoalRole main = g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES;
        const char *sda = c->meta ? strempty(c->meta[main].unit_da) : "";
        const char *sen = c->meta ? strempty(c->meta[main].unit_en) : "";
        const char *uda = sda, *uen = sen;

        if (isempty(sen))
                sen = sda;
        switch (g->kind) {
        case GOAL_SHARE:
                uda = uen = "%";
                break;
        case GOAL_RANK:
                uda = "plads";
                uen = "rank";
                break;
        case GOAL_CHANGE:
        case GOAL_REFERENCE:
                if (g->change_unit == CHANGE_PERCENT && g->kind == GOAL_CHANGE)
                        uda = uen = "%";
                else if (g->change_unit != CHANGE_ABSOLUTE) {
                        uda = "procentpoint";
                        uen = "percentage points";
                } else
                        uen = sen;
                break;
        default:
                uen = sen;
        }
        snprintf(r->unit_da, sizeof(r->unit_da), "%s", uda);
        snprintf(r->unit_en, sizeof(r->unit_en), "%s", uen);
        if (g->kind == GOAL_SHARE) {
                snprintf(r->pace_unit_da, sizeof(r->pace_unit_da), "%%");
                snprintf(r->pace_unit_en, sizeof(r->pace_unit_en), "%%");
        } else if (g->kind == GOAL_RANK) {
                snprintf(r->pace_unit_da, sizeof(r->pace_unit_da), "pladser");
                snprintf(r->pace_unit_en, sizeof(r->pace_unit_en), "places");
        } else {
                snprintf(r->pace_unit_da, sizeof(r->pace_unit_da), "%s", sda);
                snprintf(r->pace_unit_en, sizeof(r->pace_unit_en), "%s", sen);
        }
}

/* Appends every observed point of each series within the range the evaluation read. */
static int record_inputs(Ctx *c)
{
        GoalResult *r = c->r;

        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const Series *s = c->s[role];
                if (!c->used[role] || !s || c->lo[role] > c->hi[role])
                        continue;
                for (size_t i = 0; i < s->n_points; i++) {
                        const SeriesPoint *p = &s->points[i];
                        int64_t idx = period_index(p->period);
                        if (idx < c->lo[role])
                                continue;
                        if (idx > c->hi[role])
                                break;
                        if (p->missing || !isfinite(p->value))
                                continue;
                        if (GREEDY_REALLOC(r->inputs, r->n_inputs_alloc, r->n_inputs + 1) < 0)
                                return -ENOMEM;
                        r->inputs[r->n_inputs++] = (GoalInput){ .role = role, .period = p->period, .value = p->value };
                }
        }
        return 0;
}

int goal_evaluate_series(const GoalDef *g, const GoalSeriesMeta *meta, const Series *const *series, Date now,
                         GoalResult *ret)
{
        Ctx c = { .g = g, .meta = meta, .r = ret };
        GoalResult *r = ret;
        GoalRole main;
        int k;

        assert(g);
        assert(series);
        assert(ret);

        /* Reuse the buffers of an earlier result. */
        GoalInput *inputs = r->inputs;
        size_t n_alloc = r->n_inputs_alloc;
        free(r->id);
        *r = (GoalResult){ .inputs = inputs, .n_inputs_alloc = n_alloc, .freq = _PERIOD_FREQ_INVALID };
        r->id = strdup(strempty(g->id));
        if (!r->id)
                return -ENOMEM;
        r->kind = g->kind;
        r->direction = g->direction;
        r->period = g->period;
        r->target = g->target;
        r->projection = PROJECTION_NONE;
        r->probability = r->projected_low = r->projected_high = NAN;

        if (g->kind < 0 || g->kind >= _GOAL_KIND_MAX || !period_is_valid(g->period) || !date_is_valid(now))
                return -EINVAL;
        if ((g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE) && !period_is_valid(g->baseline))
                return -EINVAL;
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                c.used[role] = goal_role_series(g, role) != NULL;
                c.s[role] = c.used[role] ? series[role] : NULL;
                c.lo[role] = INT64_MAX;
                c.hi[role] = INT64_MIN;
        }
        main = g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES;
        if (!c.used[main] || (g->kind == GOAL_SHARE && !c.used[GOAL_ROLE_DENOMINATOR]) ||
            (g->kind == GOAL_REFERENCE && !c.used[GOAL_ROLE_REFERENCE]))
                return -EINVAL;
        set_units(&c);

        for (int role = 0; role < _GOAL_ROLE_MAX; role++)
                if (c.used[role] && !c.s[role]) {
                        no_data(&c, GOAL_REASON_NO_SERIES);
                        goto done;
                }
        /* All series of one goal share a frequency; an empty series has none yet. */
        c.f = _PERIOD_FREQ_INVALID;
        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                if (!c.used[role] || c.s[role]->n_points == 0)
                        continue;
                if (c.f == _PERIOD_FREQ_INVALID)
                        c.f = c.s[role]->freq;
                else if (c.s[role]->freq != c.f) {
                        no_data(&c, GOAL_REASON_FREQUENCY);
                        goto done;
                }
        }
        if (c.f == _PERIOD_FREQ_INVALID) {
                no_data(&c, GOAL_REASON_NO_PERIOD_DATA);
                goto done;
        }
        r->freq = c.f;
        c.per_year = period_freq_per_year(c.f);
        c.visible = period_index(period_containing(c.f, now)) - 1;
        c.over = date_compare(now, period_last_day(g->period)) > 0;
        if (!period_members(g->period, c.f, &c.pf, &c.pl)) {
                no_data(&c, GOAL_REASON_FREQUENCY);
                goto done;
        }
        r->n_periods = (int) (c.pl - c.pf + 1);
        if (g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE) {
                if (!period_members(g->baseline, c.f, &c.bf, &c.bl)) {
                        no_data(&c, GOAL_REASON_NO_BASELINE);
                        goto done;
                }
        }

        switch (g->kind) {
        case GOAL_LEVEL:
        case GOAL_RANK:
        case GOAL_CUMULATIVE:
                k = eval_level(&c);
                break;
        case GOAL_CHANGE:
        case GOAL_REFERENCE:
                k = eval_change(&c);
                break;
        case GOAL_SHARE:
                k = eval_share(&c);
                break;
        default:
                return -EINVAL;
        }
        if (k < 0)
                return k;
        k = record_inputs(&c);
        if (k < 0)
                return k;
done:
        return 0;
}

int goal_evaluate_meta(const GoalDef *g, const GoalSeriesMeta *meta, const SeriesSet *set, Date now,
                       GoalResult *ret)
{
        const Series *s[_GOAL_ROLE_MAX] = {};

        for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                const char *name = goal_role_series(g, role);
                if (name)
                        s[role] = series_set_find(set, name);
        }
        return goal_evaluate_series(g, meta, s, now, ret);
}

int goal_evaluate(const GoalDef *g, const SeriesSet *set, Date now, GoalResult *ret)
{
        return goal_evaluate_meta(g, NULL, set, now, ret);
}
