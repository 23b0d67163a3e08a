/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parse throughput and peak memory of the providers on big bodies, the way the fetcher hands them
 * over (the whole body in memory, parsed once, one series selected):
 *
 *     bench-parse statbank FILE.csv      OMRÅDE=163, YDELSESTYPE=FLEKS, KØN=TOT, ALDER=TOT
 *     bench-parse jsonstat FILE.json     geo=163, ydelse=FLEKS, sex=TOT, age=TOT
 *
 * Prints one line: "<kind> bytes=N seconds=S mb_per_s=X maxrss_kb=K points=P". Driven by
 * bench-parse.sh, which generates the files and compares with /usr/bin/python3. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labourwatch/macro.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

int main(int argc, char **argv);

/* Reads the file into exactly one buffer of its size (as the fetcher would hold it). */
static char *load(const char *path, size_t *ret_size)
{
        struct stat st;
        char *buf;
        size_t done = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0 || fstat(fd, &st) < 0)
                return NULL;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return NULL;
        while (done < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + done, (size_t) st.st_size - done);
                if (k <= 0) {
                        free(buf);
                        close(fd);
                        return NULL;
                }
                done += (size_t) k;
        }
        buf[done] = 0;
        close(fd);
        *ret_size = done;
        return buf;
}

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        SelectionItem sb[] = {{.dimension = (char *) "OMRÅDE", .value = (char *) "163"},
                              {.dimension = (char *) "YDELSESTYPE", .value = (char *) "FLEKS"},
                              {.dimension = (char *) "KØN", .value = (char *) "TOT"},
                              {.dimension = (char *) "ALDER", .value = (char *) "TOT"}};
        SelectionItem js[] = {{.dimension = (char *) "geo", .value = (char *) "163"},
                              {.dimension = (char *) "ydelse", .value = (char *) "FLEKS"},
                              {.dimension = (char *) "sex", .value = (char *) "TOT"},
                              {.dimension = (char *) "age", .value = (char *) "TOT"}};
        SourceDef src = {.name = (char *) "bench", .lang = (char *) "da"};
        SeriesDef def = {.name = (char *) "bench",
                         .table = (char *) "AUK01",
                         .n_select = 4,
                         .freq = _PERIOD_FREQ_INVALID};
        SourceKind kind;
        Series *s = NULL;
        char *err = NULL, *buf;
        size_t size = 0;
        struct rusage ru;
        double t0, t1;
        int r;

        if (argc != 3 || (!streq(argv[1], "statbank") && !streq(argv[1], "jsonstat"))) {
                fprintf(stderr, "usage: %s statbank|jsonstat FILE\n", argv[0]);
                return 2;
        }
        kind = streq(argv[1], "statbank") ? SOURCE_STATBANK : SOURCE_JSONSTAT;
        src.kind = kind;
        def.select = kind == SOURCE_STATBANK ? sb : js;
        buf = load(argv[2], &size);
        if (!buf) {
                fprintf(stderr, "%s: cannot read\n", argv[2]);
                return 1;
        }
        SourceResponse resp = {.url = argv[2],
                               .status = 200,
                               .body = buf,
                               .size = size,
                               .content_type = kind == SOURCE_STATBANK ? "text/csv" : "application/json"};
        t0 = now_sec();
        r = provider_for(kind)->parse_data(&src, &def, NULL, &resp, &s, NULL, &err);
        t1 = now_sec();
        if (r < 0) {
                fprintf(stderr, "parse failed: %s\n", strna(err));
                return 1;
        }
        getrusage(RUSAGE_SELF, &ru);
        printf("%s bytes=%zu seconds=%.4f mb_per_s=%.1f maxrss_kb=%ld points=%zu\n", argv[1], size, t1 - t0,
               (double) size / 1e6 / (t1 - t0), ru.ru_maxrss, s->n_points);
        series_free(s);
        free(buf);
        return 0;
}
