/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>

#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/series.h"

int series_new(const char *name, Series **ret)
{
        Series *s = calloc(1, sizeof(Series));

        if (!s)
                return -ENOMEM;
        s->freq = _PERIOD_FREQ_INVALID;
        s->name = strdup(name ? name : "");
        if (!s->name) {
                free(s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

Series *series_free(Series *s)
{
        if (!s)
                return NULL;
        free(s->name);
        free(s->points);
        free(s);
        return NULL;
}

void series_clear(Series *s)
{
        s->n_points = 0;
        s->freq = _PERIOD_FREQ_INVALID;
}

/* Index of the first point with period >= p. */
static size_t lower_bound(const Series *s, Period p)
{
        size_t lo = 0, hi = s->n_points;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (period_compare(s->points[mid].period, p) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

int series_put(Series *s, SeriesPoint p)
{
        size_t i;

        if (!period_is_valid(p.period))
                return -EINVAL;
        if (s->n_points > 0 && s->freq != p.period.freq)
                return -EINVAL;
        s->freq = p.period.freq;

        /* fast path: appending in order */
        if (s->n_points == 0 || period_compare(s->points[s->n_points - 1].period, p.period) < 0)
                i = s->n_points;
        else {
                i = lower_bound(s, p.period);
                if (i < s->n_points && period_equal(s->points[i].period, p.period)) {
                        s->points[i] = p;
                        return 0;
                }
        }
        if (GREEDY_REALLOC(s->points, s->n_alloc, s->n_points + 1) < 0)
                return -ENOMEM;
        memmove(s->points + i + 1, s->points + i, (s->n_points - i) * sizeof(SeriesPoint));
        s->points[i] = p;
        s->n_points++;
        return 0;
}

const SeriesPoint *series_get(const Series *s, Period p)
{
        size_t i;

        if (!s || s->n_points == 0 || p.freq != s->freq)
                return NULL;
        i = lower_bound(s, p);
        if (i < s->n_points && period_equal(s->points[i].period, p))
                return &s->points[i];
        return NULL;
}

const SeriesPoint *series_latest(const Series *s)
{
        for (size_t i = s ? s->n_points : 0; i > 0; i--)
                if (!s->points[i - 1].missing)
                        return &s->points[i - 1];
        return NULL;
}

int series_set_new(SeriesSet **ret)
{
        SeriesSet *set = calloc(1, sizeof(SeriesSet));
        if (!set)
                return -ENOMEM;
        if (hashmap_new(0, &set->index) < 0) {
                free(set);
                return -ENOMEM;
        }
        *ret = set;
        return 0;
}

SeriesSet *series_set_free(SeriesSet *set)
{
        if (!set)
                return NULL;
        hashmap_free(set->index);
        for (size_t i = 0; i < set->n_items; i++)
                series_free(set->items[i]);
        free(set->items);
        free(set);
        return NULL;
}

/* The index maps a name to the item's position + 1 (so that position 0 is not a NULL value): the
 * keys point into the series' own names, and a replaced series' key is swapped with it. */
int series_set_add(SeriesSet *set, Series *s)
{
        void *existing = NULL;
        size_t i;
        int r;

        if (GREEDY_REALLOC(set->items, set->n_alloc, set->n_items + 1) < 0) {
                series_free(s);
                return -ENOMEM;
        }
        r = hashmap_put(set->index, s->name, (void *) (uintptr_t) (set->n_items + 1), &existing);
        if (r < 0) {
                series_free(s);
                return r;
        }
        if (r == 0) {
                i = (size_t) (uintptr_t) existing - 1;
                /* the key points into the old series' name: point it at the new one before freeing */
                r = hashmap_replace(set->index, s->name, existing);
                if (r < 0) {
                        series_free(s);
                        return r;
                }
                series_free(set->items[i]);
                set->items[i] = s;
                return 0;
        }
        set->items[set->n_items++] = s;
        return 0;
}

const Series *series_set_find(const SeriesSet *set, const char *name)
{
        void *v;

        if (!set || !name)
                return NULL;
        v = hashmap_get(set->index, name);
        return v ? set->items[(size_t) (uintptr_t) v - 1] : NULL;
}
