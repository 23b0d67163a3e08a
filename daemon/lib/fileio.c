/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

int lock_file_take(const char *dir, const char *name, int *ret_fd, pid_t *ret_holder)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        char buf[32];

        assert(dir);
        assert(name);
        assert(ret_fd);

        if (ret_holder)
                *ret_holder = 0;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;

                if (r == -EWOULDBLOCK && ret_holder) {
                        ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
                        if (k > 0) {
                                char *end;
                                long pid;

                                buf[k] = 0;
                                errno = 0;
                                pid = strtol(buf, &end, 10);
                                if (errno == 0 && end != buf && pid > 0 && pid <= INT32_MAX)
                                        *ret_holder = (pid_t) pid;
                        }
                }
                return r == -EWOULDBLOCK ? -EBUSY : r;
        }
        /* Ours now: the PID replaces whatever a previous holder left. */
        if (ftruncate(fd, 0) < 0)
                return -errno;
        {
                int n = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());
                if (pwrite(fd, buf, (size_t) n, 0) != n)
                        return errno > 0 ? -errno : -EIO;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}
