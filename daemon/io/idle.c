/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Giving memory back while the daemon waits for its next cycle (hours, usually). See
 * include/labourwatch/idle.h and tests/bench/README for the figures. */
#include <errno.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "labourwatch/idle.h"
#include "labourwatch/macro.h"

/* Drops the pages of private file mappings (the program and its libraries: code, read-only data,
 * data never written) that are identical to the file: no page of the mapping was ever written
 * (smaps "Anonymous: 0 kB", so no copy-on-write page would be lost). They stay in the page cache
 * and are faulted back in when next used. Mappings with a written page (relocated data, .data,
 * .bss) and anonymous memory are never touched. The daemon is single-threaded and idle when this
 * runs, so nothing writes a page between the check and the madvise. Returns the bytes dropped. */
static size_t idle_drop_clean_file_pages(void)
{
        _cleanup_fclose_ FILE *f = NULL;
        char line[4096];
        unsigned long start = 0, end = 0;
        bool candidate = false;
        long rss = -1;
        size_t dropped = 0;

        f = fopen("/proc/self/smaps", "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof line, f)) {
                unsigned long a, b;
                char perms[5];
                int path_at = 0;
                long kb;

                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &a, &b, perms, &path_at) >= 3 && path_at > 0) {
                        /* a new mapping: private, from a file (not [heap], [stack], [vdso] ...) */
                        start = a, end = b, rss = -1;
                        candidate = perms[3] == 'p' && line[path_at] == '/';
                        continue;
                }
                if (!candidate)
                        continue;
                if (sscanf(line, "Rss: %ld kB", &kb) == 1)
                        rss = kb;
                else if (sscanf(line, "Anonymous: %ld kB", &kb) == 1) {
                        if (kb == 0 && rss > 0 && madvise((void *) start, end - start, MADV_DONTNEED) == 0)
                                dropped += (size_t) rss * 1024;
                        candidate = false;
                }
        }
        return dropped;
}

void idle_release_memory(IdleRelease what)
{
        if (what & IDLE_RELEASE_HEAP)
                (void) malloc_trim(0);
        if (what & IDLE_RELEASE_TEXT)
                (void) idle_drop_clean_file_pages();
}
