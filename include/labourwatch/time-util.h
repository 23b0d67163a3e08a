/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Time units and the one place the programs read a clock as microseconds. Pure modules (goal, expr,
 * period, series, source-*) never call now(): the time is passed to them. */

#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MINUTE (UINT64_C(60) * USEC_PER_SEC)
#define USEC_PER_HOUR (UINT64_C(60) * USEC_PER_MINUTE)
#define USEC_PER_DAY (UINT64_C(24) * USEC_PER_HOUR)
#define USEC_PER_WEEK (UINT64_C(7) * USEC_PER_DAY)
#define NSEC_PER_USEC UINT64_C(1000)
#define MSEC_PER_SEC UINT64_C(1000)

/* A timespec as microseconds (0 for times before the epoch). */
static inline usec_t timespec_load(const struct timespec *ts)
{
        if (ts->tv_sec < 0 || ts->tv_nsec < 0)
                return 0;
        return (usec_t) ts->tv_sec * USEC_PER_SEC + (usec_t) ts->tv_nsec / NSEC_PER_USEC;
}

/* The clock (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME) in microseconds. clock_gettime cannot
 * fail for these clocks; should it, 0 is returned. */
usec_t now(clockid_t clock);
