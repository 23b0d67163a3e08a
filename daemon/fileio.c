/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labourwatch/fileio.h"
#include "labourwatch/macro.h"

int read_regular_file(const char *path, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;
        struct stat st;
        int flags;

        /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -ESPIPE;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                return -errno;
        for (;;) {
                ssize_t k;

                if (GREEDY_REALLOC(buf, alloc, MIN(size + 65536, max + 1) + 1) < 0)
                        return -ENOMEM;
                k = read(fd, buf + size, alloc - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max)
                        return -EFBIG; /* it grew while being read */
        }
        if (!buf && GREEDY_REALLOC(buf, alloc, 1) < 0)
                return -ENOMEM;
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

const char *read_regular_file_strerror(int r)
{
        switch (r) {
        case -EISDIR:
                return "is a directory, not a file";
        case -ESPIPE:
                return "not a regular file (a FIFO, socket or device)";
        case -EFBIG:
                return "file too large";
        case -ELOOP:
                return "too many levels of symbolic links";
        default:
                return strerror(r < 0 ? -r : r);
        }
}
