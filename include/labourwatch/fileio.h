/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reading files named by an operator (the configuration, goal files, *_file secrets) without
 * trusting what they are: only regular files are read, and a FIFO or device is refused without
 * ever blocking on it (opened with O_NONBLOCK, checked with fstat(), then read normally). */

#include <stddef.h>
#include <sys/types.h>

/* Reads the whole regular file at path (symlinks followed), at most max bytes, into a
 * NUL-terminated buffer. Returns 0 and *ret (caller owns), or -EISDIR (a directory), -ESPIPE (a
 * FIFO, socket or device: not opened for reading), -EFBIG (larger than max), -ENOMEM, or the
 * -errno of open/read (-ENOENT also for a dangling symlink, -ELOOP for a symlink loop). */
int read_regular_file(const char *path, size_t max, char **ret, size_t *ret_size);

/* Words for read_regular_file()'s errors, for "cannot read: ..." messages. */
const char *read_regular_file_strerror(int r);


/* The file in the state directory whose lock says one labourwatchd (or --once) owns it. */
#define STATE_LOCK_FILE "labourwatchd.lock"

/* Takes an exclusive flock() (LOCK_EX|LOCK_NB) on dir/name, creating it, and writes our PID into
 * it. Returns 0 and *ret_fd (keep it open for as long as the lock is to be held; closing it, or the
 * process ending, releases it), -EBUSY when another process holds it (*ret_holder its PID as written
 * in the file, 0 when it could not be read), or the -errno of open/flock/write. */
int lock_file_take(const char *dir, const char *name, int *ret_fd, pid_t *ret_holder);
