/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Directory notifier: each message as NAME.eml (exactly the bytes SMTP would send) and NAME.json (the
 * webhook payload), for dry runs, demos and archives. Each file is written atomically: a temporary
 * file, fsync, rename, then fsync of the directory, so a crash leaves the old state or the whole
 * file, never half of one. NAME is derived from the idempotency key, so a resend after a crash
 * replaces the file with identical bytes instead of adding a second one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labourwatch/macro.h"
#include "notify-internal.h"

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Writes dir/name atomically. Returns 0 or negative errno. */
static int write_atomic(int dfd, const char *name, const char *data, size_t size)
{
        _cleanup_free_ char *tmp = strdup_printf(".%s.tmp", name);
        _cleanup_close_ int fd = -1;
        int r;

        if (!tmp)
                return -ENOMEM;
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, size);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dfd, tmp, 0);
        return r;
}

static int directory_write(const char *dir, const NotifyMessage *m, char **ret_name)
{
        _cleanup_close_ int dfd = -1;
        _cleanup_free_ char *eml = NULL, *json = NULL;
        char name[40];
        int r;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        /* The name is the idempotency key (of which recipient and notifier are part): a resend after
         * a crash replaces the file with the same message instead of adding a second one. */
        snprintf(name, sizeof(name), "%.32s", m->key ? m->key : "unknown");
        eml = strdup_printf("%s.eml", name);
        json = strdup_printf("%s.json", name);
        if (!eml || !json)
                return -ENOMEM;
        r = write_atomic(dfd, eml, m->eml, m->eml_size);
        if (r < 0)
                return r;
        r = write_atomic(dfd, json, m->json, strlen(m->json));
        if (r < 0)
                return r;
        /* the renames are durable only once the directory is */
        if (fsync(dfd) < 0)
                return -errno;
        *ret_name = strdup_printf("%s/%s", dir, eml);
        return 0;
}

static int on_defer(sd_event_source *source, void *userdata)
{
        NotifySend *s = userdata;

        s->done(&s->result, s->userdata);
        notify_send_free(s);
        return 0;
}

static int directory_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                          notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error)
{
        _cleanup_free_ char *path = NULL;
        NotifySend *s = NULL;
        int r;

        if (!n->directory || !m->eml || !m->json) {
                *ret_error = strdup_printf("notifier '%s': no directory, or nothing to write", n->name);
                return -EINVAL;
        }
        r = notify_send_new(l, n, false, done, userdata, &s);
        if (r < 0)
                return r;

        /* Written now (local files, a few KiB); reported from the loop like every other channel. */
        r = directory_write(n->directory, m, &path);
        if (r < 0) {
                s->result.reply = strdup_printf("cannot write to %s: %s", n->directory, strerror(-r));
                s->result.permanent = false; /* a full disk or a missing directory gets fixed */
        } else {
                s->result.ok = true;
                s->result.reply = strdup_printf("written to %s", strempty(path));
        }
        r = sd_event_add_defer(notify_loop_event(l), &s->defer, on_defer, s);
        if (r < 0) {
                *ret_error = strdup_printf("notifier '%s': %s", n->name, strerror(-r));
                notify_send_free(s);
                return r;
        }
        (void) sd_event_source_set_description(s->defer, "notify-directory");
        if (ret)
                *ret = s;
        return 0;
}

const NotifyChannel notify_channel_directory = {
        .kind = NOTIFIER_DIRECTORY,
        .send = directory_send,
};
