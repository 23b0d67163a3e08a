/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* In-memory time series: the currency between providers, the store and the goal engine.
 * Pure: no I/O. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/macro.h"
#include "labourwatch/period.h"

typedef struct SeriesPoint {
        Period period;
        double value;  /* meaningless when missing */
        bool missing;  /* the provider published the cell without a figure ("..", null) */
} SeriesPoint;

typedef struct Series {
        char *name;       /* owned */
        PeriodFreq freq;  /* of all points; _PERIOD_FREQ_INVALID while empty */
        SeriesPoint *points; /* sorted by period, unique periods */
        size_t n_points, n_alloc;
} Series;

typedef struct Hashmap Hashmap;

typedef struct SeriesSet {
        Series **items; /* owned */
        size_t n_items, n_alloc;
        Hashmap *index; /* name -> Series (keys point into the series' names); private to series.c */
} SeriesSet;

/* Allocates an empty series. Returns 0 or -ENOMEM; caller owns *ret (series_free). */
int series_new(const char *name, Series **ret);
Series *series_free(Series *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Series *, series_free); /* series_freep, for _cleanup_ */

/* Inserts or replaces the point for p.period, keeping points sorted. Returns 0, or -EINVAL when the
 * point's frequency differs from the series', or -ENOMEM. */
int series_put(Series *s, SeriesPoint p);

/* Returns the point for period p or NULL. */
const SeriesPoint *series_get(const Series *s, Period p);

/* Returns the latest point that is not missing, or NULL. */
const SeriesPoint *series_latest(const Series *s);

void series_clear(Series *s);

int series_set_new(SeriesSet **ret);
SeriesSet *series_set_free(SeriesSet *set);
DEFINE_TRIVIAL_CLEANUP_FUNC(SeriesSet *, series_set_free); /* series_set_freep */
/* Takes ownership of s (also on failure, s is freed). Replaces a series of the same name (the old one
 * is freed). Returns 0 or -ENOMEM. O(1) expected: the set keeps a hash index by name. */
int series_set_add(SeriesSet *set, Series *s);
/* The series named name, or NULL; owned by the set. O(1) expected. */
const Series *series_set_find(const SeriesSet *set, const char *name);
