/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP transfers on threads of their own, so that no mail server can stop the loop (issue 18 §3).
 *
 * Why not curl multi on the loop, as webhooks and fetches are: libcurl's SMTP (7.88, lib/smtp.c)
 * sends the final "." from smtp_done() and then waits for the server's answer in a blocking
 * poll()/recv() loop (smtp_block_statemach()), inside curl_multi_socket_action() or
 * curl_multi_remove_handle(), for up to the whole transfer timeout; QUIT on closing a connection
 * waits the same way, for up to CURLOPT_SERVER_RESPONSE_TIMEOUT. On the loop that froze every
 * other delivery, the watchdog and SIGTERM for as long as a silent server liked. A timer on the
 * loop cannot interrupt it: the loop thread is the one blocked.
 *
 * So each SMTP delivery runs curl_easy_perform() on a thread of its own; the loop keeps the
 * deadline. The transfer's sockets are opened and closed through our callbacks
 * (CURLOPT_OPENSOCKETFUNCTION, CURLOPT_CLOSESOCKETFUNCTION), which record them under a lock; to
 * stop a transfer (its deadline passed, the delivery was cancelled, the process is stopping) the
 * loop calls shutdown(2) on them under the same lock, so the thread's blocking poll() returns at once
 * and its recv() sees the end of the stream, and a progress callback aborts anything between
 * reads. Because closing happens under the lock, shutdown(2) never reaches a descriptor number
 * that has been reused. The thread reports through an eventfd on the loop, which joins it. The
 * thread touches only its own NotifySend and libcurl; it never logs.
 *
 * The connection is not kept for another message (CURLOPT_FORBID_REUSE): QUIT is sent at the end of
 * curl_easy_perform(), on the thread, so nothing on the loop ever waits for a server. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "labourwatch/macro.h"
#include "labourwatch/time-util.h"
#include "notify-internal.h"

/* After the transfer's own timeout (which libcurl enforces on the thread), the loop waits this long
 * before it cuts the connection itself. */
#define NOTIFY_THREAD_GRACE_USEC (2 * USEC_PER_SEC)
/* Stopping: how long to wait for a thread whose sockets were shut down before leaving it behind. */
#define NOTIFY_THREAD_JOIN_USEC (3 * USEC_PER_SEC)
/* Sockets one transfer has open at once (happy eyeballs opens two). */
#define NOTIFY_THREAD_MAX_FDS 8

typedef struct NotifyJob NotifyJob;

struct NotifyJob {
        NotifyThreads *threads;
        NotifySend *send;     /* the thread's until finished; then the loop's */
        pthread_t thread;
        sd_event_source *deadline;
        bool cancelled;       /* loop only: nobody is told, s is freed when the thread is reaped */
        bool timed_out;       /* loop only: the loop's deadline cut the transfer */
        /* under threads->lock: */
        bool finished, aborted;
        CURLcode code;
        int fds[NOTIFY_THREAD_MAX_FDS];
        size_t n_fds;
        NotifyJob *next, *prev; /* loop only */
};

struct NotifyThreads {
        sd_event *event;
        pthread_mutex_t lock;
        pthread_cond_t finished; /* signalled under lock when a job's finished becomes true */
        int efd;
        sd_event_source *efd_source;
        NotifyJob *jobs;
        unsigned n_jobs;
        NotifyTokenCache *tokens; /* OAuth tokens, shared by the threads (notify-oauth.c) */
};

static void job_abort(NotifyJob *j)
{
        NotifyThreads *t = j->threads;

        pthread_mutex_lock(&t->lock);
        j->aborted = true;
        for (size_t i = 0; i < j->n_fds; i++)
                (void) shutdown(j->fds[i], SHUT_RDWR);
        pthread_mutex_unlock(&t->lock);
}

static curl_socket_t on_open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *a)
{
        NotifyJob *j = userdata;
        NotifyThreads *t = j->threads;
        int fd;

        if (purpose != CURLSOCKTYPE_IPCXN)
                return CURL_SOCKET_BAD;
        fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
        if (fd < 0)
                return CURL_SOCKET_BAD;
        pthread_mutex_lock(&t->lock);
        if (j->aborted || j->n_fds >= NOTIFY_THREAD_MAX_FDS) {
                pthread_mutex_unlock(&t->lock);
                (void) close(fd);
                return CURL_SOCKET_BAD;
        }
        j->fds[j->n_fds++] = fd;
        pthread_mutex_unlock(&t->lock);
        return fd;
}

static int on_close_socket(void *userdata, curl_socket_t fd)
{
        NotifyJob *j = userdata;
        NotifyThreads *t = j->threads;
        int r;

        /* Closed under the lock: job_abort() never sees a number that is already someone else's. */
        pthread_mutex_lock(&t->lock);
        for (size_t i = 0; i < j->n_fds; i++)
                if (j->fds[i] == fd) {
                        j->fds[i] = j->fds[--j->n_fds];
                        break;
                }
        r = close(fd);
        pthread_mutex_unlock(&t->lock);
        return r < 0 ? 1 : 0;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
        NotifyJob *j = userdata;
        bool aborted;

        pthread_mutex_lock(&j->threads->lock);
        aborted = j->aborted;
        pthread_mutex_unlock(&j->threads->lock);
        return aborted ? 1 : 0;
}

static void *job_run(void *userdata)
{
        NotifyJob *j = userdata;
        NotifyThreads *t = j->threads;
        NotifySend *s = j->send;
        uint64_t one = 1;
        long code = 0;
        CURLcode c;

        /* XOAUTH2: the token first, on this thread too (notify-oauth.c); why it failed is in s->oauth */
        if (s->oauth && notify_oauth_prepare(s, t->tokens) < 0)
                c = CURLE_LOGIN_DENIED;
        else
                c = curl_easy_perform(s->easy);
        (void) curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
        /* With CURLOPT_FORBID_REUSE the connection is closed already; anything left is closed
         * here, on this thread. */
        curl_easy_cleanup(s->easy);

        pthread_mutex_lock(&t->lock);
        s->easy = NULL;
        s->response_code = code;
        j->code = c;
        j->finished = true;
        pthread_cond_broadcast(&t->finished);
        pthread_mutex_unlock(&t->lock);
        /* An eventfd write does not fail short of a full counter (2^64 - 2 writes). */
        (void) !write(t->efd, &one, sizeof(one));
        return NULL;
}

static void job_unlink(NotifyJob *j)
{
        NotifyThreads *t = j->threads;

        if (j->prev)
                j->prev->next = j->next;
        else if (t->jobs == j)
                t->jobs = j->next;
        if (j->next)
                j->next->prev = j->prev;
        j->next = j->prev = NULL;
        t->n_jobs--;
}

/* The thread is joined; reports the outcome (unless cancelled) and frees job and delivery. */
static void job_finish(NotifyJob *j)
{
        NotifySend *s = j->send;
        CURLcode code = j->code;

        sd_event_source_disable_unref(j->deadline);
        s->job = NULL;
        if (!j->cancelled) {
                if (j->timed_out && code != CURLE_OK) {
                        /* The thread's own error says how it was cut ("Recv failure"); say why. */
                        snprintf(s->errbuf, sizeof(s->errbuf),
                                 "no answer from the server within the timeout (%" PRIu64
                                 "s), connection cut",
                                 (s->timeout_usec + USEC_PER_SEC - 1) / USEC_PER_SEC);
                        code = CURLE_OPERATION_TIMEDOUT;
                }
                notify_send_complete(s, (int) code);
        } else
                notify_send_free(s);
        free(j);
}

static int on_event(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
        NotifyThreads *t = userdata;
        uint64_t n;

        (void) !read(t->efd, &n, sizeof(n));
        for (;;) {
                NotifyJob *j, *done = NULL;

                pthread_mutex_lock(&t->lock);
                for (j = t->jobs; j; j = j->next)
                        if (j->finished) {
                                done = j;
                                break;
                        }
                pthread_mutex_unlock(&t->lock);
                if (!done)
                        break;
                /* finished is set as the thread's last act: the join is immediate */
                (void) pthread_join(done->thread, NULL);
                job_unlink(done);
                job_finish(done); /* may start other jobs (they go to the list's head) */
        }
        return 0;
}

static int on_deadline(sd_event_source *source, uint64_t usec, void *userdata)
{
        NotifyJob *j = userdata;

        j->timed_out = true;
        job_abort(j);
        return 0;
}

int notify_threads_new(sd_event *e, NotifyThreads **ret)
{
        pthread_condattr_t ca;
        NotifyThreads *t;
        int r;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->efd = -1;
        r = pthread_mutex_init(&t->lock, NULL);
        if (r != 0) {
                free(t);
                return -r;
        }
        r = pthread_condattr_init(&ca);
        if (r == 0) {
                r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
                if (r == 0)
                        r = pthread_cond_init(&t->finished, &ca);
                (void) pthread_condattr_destroy(&ca);
        }
        if (r != 0) {
                (void) pthread_mutex_destroy(&t->lock);
                free(t);
                return -r;
        }
        t->event = sd_event_ref(e);
        r = notify_token_cache_new(&t->tokens);
        if (r < 0)
                goto fail;
        t->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (t->efd < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(e, &t->efd_source, t->efd, EPOLLIN, on_event, t);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(t->efd_source, "notify-threads");
        *ret = t;
        return 0;
fail:
        notify_threads_free(t);
        return r;
}

/* Waits (until *until, CLOCK_MONOTONIC) for j's thread to finish, and joins it. Returns false when
 * it did not finish in time. */
static bool job_wait(NotifyJob *j, const struct timespec *until)
{
        NotifyThreads *t = j->threads;
        bool finished;

        pthread_mutex_lock(&t->lock);
        while (!j->finished)
                if (pthread_cond_timedwait(&t->finished, &t->lock, until) == ETIMEDOUT)
                        break;
        finished = j->finished;
        pthread_mutex_unlock(&t->lock);
        if (finished)
                (void) pthread_join(j->thread, NULL); /* finished is its last act: immediate */
        return finished;
}

NotifyThreads *notify_threads_free(NotifyThreads *t)
{
        struct timespec until;
        unsigned left = 0;
        NotifyJob *j;

        if (!t)
                return NULL;
        /* Every transfer is cut first, so the threads end together, not one after another. */
        for (j = t->jobs; j; j = j->next)
                job_abort(j);
        (void) clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += NOTIFY_THREAD_JOIN_USEC / USEC_PER_SEC;
        while ((j = t->jobs)) {
                job_unlink(j);
                if (!job_wait(j, &until)) {
                        /* Stuck somewhere a shutdown(2) does not reach: leave it, with its job,
                         * its delivery and t, which it may still use; the process is ending. */
                        (void) pthread_detach(j->thread);
                        left++;
                        continue;
                }
                j->cancelled = true; /* nobody is told: the delivery stays due in the store */
                job_finish(j);
        }
        t->efd_source = sd_event_source_disable_unref(t->efd_source);
        t->event = sd_event_unref(t->event);
        if (left > 0)
                return NULL;
        if (t->efd >= 0)
                (void) close(t->efd);
        notify_token_cache_free(t->tokens);
        (void) pthread_cond_destroy(&t->finished);
        (void) pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
}

NotifyTokenCache *notify_threads_tokens(NotifyThreads *t)
{
        return t ? t->tokens : NULL;
}

void notify_thread_cancel(NotifySend *s)
{
        NotifyJob *j = s->job;

        j->cancelled = true;
        job_abort(j);
}

#define SETOPT(easy, opt, val)                                                                              \
        do {                                                                                                \
                if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                                           \
                        goto fail;                                                                          \
        } while (0)

int notify_job_attach(NotifyJob *j, CURL *easy)
{
        SETOPT(easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        SETOPT(easy, CURLOPT_OPENSOCKETDATA, j);
        SETOPT(easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
        SETOPT(easy, CURLOPT_CLOSESOCKETDATA, j);
        SETOPT(easy, CURLOPT_NOPROGRESS, 0L);
        SETOPT(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
        SETOPT(easy, CURLOPT_XFERINFODATA, j);
        SETOPT(easy, CURLOPT_FORBID_REUSE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
        /* Do not wait for a name resolution in progress when the transfer is cut (7.87). */
        SETOPT(easy, CURLOPT_QUICK_EXIT, 1L);
#endif
        return 0;
fail:
        return -EIO;
}

int notify_send_start_thread(NotifyThreads *t, NotifySend *s)
{
        NotifyJob *j;
        uint64_t now_mono = 0;
        long response_s = (long) MAX((s->timeout_usec + USEC_PER_SEC - 1) / USEC_PER_SEC, UINT64_C(1));
        int r;

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->threads = t;
        j->send = s;

        if (notify_job_attach(j, s->easy) < 0)
                goto fail;
        /* QUIT's answer is waited for with this, not with CURLOPT_TIMEOUT (default 120 s). */
        SETOPT(s->easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, response_s);

        r = sd_event_now(t->event, CLOCK_MONOTONIC, &now_mono);
        if (r < 0)
                goto fail_r;
        r = sd_event_add_time(t->event, &j->deadline, CLOCK_MONOTONIC,
                              now_mono + s->timeout_usec + NOTIFY_THREAD_GRACE_USEC, USEC_PER_SEC / 10,
                              on_deadline, j);
        if (r < 0)
                goto fail_r;
        (void) sd_event_source_set_description(j->deadline, "notify-deadline");

        s->job = j;
        r = pthread_create(&j->thread, NULL, job_run, j);
        if (r != 0) {
                s->job = NULL;
                r = -r;
                goto fail_r;
        }
        j->next = t->jobs;
        if (j->next)
                j->next->prev = j;
        t->jobs = j;
        t->n_jobs++;
        return 0;
fail:
        r = -EIO;
fail_r:
        sd_event_source_disable_unref(j->deadline);
        free(j);
        return r;
}
