/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Memory at idle: what the daemon gives back after a cycle, before sleeping until the next one.
 * HEAP: malloc_trim(0), the free memory at the top of the heap and in free lists goes back to the
 * kernel. TEXT: the code pages of the program and its libraries (read+execute private file
 * mappings) are dropped from the process's page tables with madvise(MADV_DONTNEED); they stay in
 * the page cache and are faulted back in when next executed. Neither changes what the daemon does. */

typedef enum IdleRelease {
        IDLE_RELEASE_HEAP = 1 << 0,
        IDLE_RELEASE_TEXT = 1 << 1,
} IdleRelease;

void idle_release_memory(IdleRelease what);
