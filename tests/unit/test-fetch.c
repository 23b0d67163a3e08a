/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fetch.c against a small scripted HTTP server running on the same sd-event loop (127.0.0.1, an
 * ephemeral port), and against file:// URLs. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <systemd/sd-event.h>

#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"

#define SEC UINT64_C(1000000)

/* ---- the scripted server ---- */

typedef struct Conn {
        int fd;
        sd_event_source *src;
        char buf[16384];
        size_t n;
        bool responded;
} Conn;

static struct {
        int listen_fd;
        uint16_t port;
        sd_event_source *accept_src;
        Conn *conns[64];
        size_t n_conns;
        char last_request[16384]; /* the last complete request (headers + body) */
        unsigned n_requests;
} srv;

static const unsigned char gzip_hello[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xcb,
                                           0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x48, 0xaf, 0xca, 0x2c, 0xe0, 0x02,
                                           0x00, 0x39, 0x7c, 0x63, 0x56, 0x0b, 0x00, 0x00, 0x00};

static void write_all(int fd, const void *p, size_t n)
{
        const char *c = p;
        while (n > 0) {
                ssize_t k = write(fd, c, n);
                if (k <= 0)
                        return;
                c += k;
                n -= (size_t) k;
        }
}

static void sendf(int fd, const char *fmt, ...) _printf_(2, 3);
static void sendf(int fd, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        assert_true(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        write_all(fd, s, strlen(s));
        free(s);
}

/* Returns true when the connection should be closed now. */
static bool respond(Conn *c, const char *method, const char *path)
{
        int fd = c->fd;

        if (streq(path, "/ok")) {
                sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\nETag: \"v1\"\r\n"
                          "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 5\r\n"
                          "Connection: close\r\n\r\nhello");
        } else if (streq(path, "/retry")) {
                sendf(fd, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 4\r\n"
                          "Connection: close\r\n\r\nslow");
        } else if (streq(path, "/retry-date")) {
                /* a date far in the future: the delay is large */
                sendf(fd,
                      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: Fri, 01 Jan 2100 00:00:00 GMT\r\n"
                      "Content-Length: 0\r\nConnection: close\r\n\r\n");
        } else if (streq(path, "/noreason")) {
                sendf(fd, "HTTP/1.1 404\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        } else if (streq(path, "/big")) {
                sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n");
                char b[2000];
                memset(b, 'x', sizeof b);
                write_all(fd, b, sizeof b);
        } else if (streq(path, "/bigchunked")) {
                char b[600];
                memset(b, 'y', sizeof b);
                sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                for (int i = 0; i < 4; i++) {
                        sendf(fd, "%zx\r\n", sizeof b);
                        write_all(fd, b, sizeof b);
                        sendf(fd, "\r\n");
                }
                sendf(fd, "0\r\n\r\n");
        } else if (streq(path, "/trunc")) {
                sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly ten b");
        } else if (streq(path, "/hang")) {
                sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                return false; /* never finishes */
        } else if (streq(path, "/redirect")) {
                sendf(fd, "HTTP/1.1 301 Moved Permanently\r\nLocation: /ok\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
        } else if (streq(path, "/redirect-file")) {
                sendf(fd, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
        } else if (streq(path, "/redirect-otherhost")) {
                sendf(fd,
                      "HTTP/1.1 302 Found\r\nLocation: http://localhost:%u/ok\r\nContent-Length: 0\r\n"
                      "Connection: close\r\n\r\n",
                      srv.port);
        } else if (streq(path, "/loop")) {
                sendf(fd, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: "
                          "close\r\n\r\n");
        } else if (streq(path, "/gzip")) {
                sendf(fd,
                      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\nConnection: "
                      "close\r\n\r\n",
                      sizeof gzip_hello);
                write_all(fd, gzip_hello, sizeof gzip_hello);
        } else if (streq(path, "/notmodified")) {
                if (strstr(srv.last_request, "If-None-Match: \"v1\""))
                        sendf(fd, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n");
                else
                        sendf(fd, "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 3\r\nConnection: "
                                  "close\r\n\r\nnew");
        } else if (streq(path, "/echo")) {
                sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                      strlen(method), method);
        } else
                sendf(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n"
                          "Connection: close\r\n\r\nnot found");
        return true;
}

static void conn_close(Conn *c)
{
        c->src = sd_event_source_disable_unref(c->src);
        if (c->fd >= 0)
                close(c->fd);
        c->fd = -1;
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Conn *c = userdata;
        ssize_t k;
        char *hend;

        k = read(fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
        if (k <= 0) {
                conn_close(c);
                return 0;
        }
        c->n += (size_t) k;
        c->buf[c->n] = 0;
        hend = strstr(c->buf, "\r\n\r\n");
        if (!hend || c->responded)
                return 0;
        const char *cl = strcasestr(c->buf, "\r\nContent-Length:");
        if (cl && cl < hend) {
                size_t want = strtoul(cl + 17, NULL, 10);
                if (c->n < (size_t) (hend + 4 - c->buf) + want)
                        return 0;
        }
        char method[16] = "", path[256] = "";
        assert_int_equal(sscanf(c->buf, "%15s %255s", method, path), 2);
        memcpy(srv.last_request, c->buf, c->n + 1);
        srv.n_requests++;
        c->responded = true;
        if (respond(c, method, path))
                conn_close(c);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        Conn *c;

        if (cfd < 0)
                return 0;
        assert_true(srv.n_conns < ELEMENTSOF(srv.conns));
        c = calloc(1, sizeof(*c));
        assert_non_null(c);
        c->fd = cfd;
        assert_int_equal(sd_event_add_io(sd_event_source_get_event(s), &c->src, cfd, EPOLLIN, on_conn, c),
                         0);
        srv.conns[srv.n_conns++] = c;
        return 0;
}

static void server_start(sd_event *e)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof a;

        memset(&srv, 0, sizeof srv);
        srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(srv.listen_fd >= 0);
        assert_int_equal(bind(srv.listen_fd, (struct sockaddr *) &a, sizeof a), 0);
        assert_int_equal(listen(srv.listen_fd, 16), 0);
        assert_int_equal(getsockname(srv.listen_fd, (struct sockaddr *) &a, &l), 0);
        srv.port = ntohs(a.sin_port);
        assert_int_equal(sd_event_add_io(e, &srv.accept_src, srv.listen_fd, EPOLLIN, on_accept, NULL), 0);
}

static void server_stop(void)
{
        for (size_t i = 0; i < srv.n_conns; i++) {
                conn_close(srv.conns[i]);
                free(srv.conns[i]);
        }
        srv.accept_src = sd_event_source_disable_unref(srv.accept_src);
        close(srv.listen_fd);
}

/* ---- harness ---- */

typedef struct Result {
        bool done;
        int error;
        long status;
        char *body;
        size_t size;
        char *message, *etag, *last_modified, *content_type, *reason, *effective_url;
        uint64_t retry_after;
} Result;

static void result_done(Result *r)
{
        free(r->body);
        free(r->message);
        free(r->etag);
        free(r->last_modified);
        free(r->content_type);
        free(r->reason);
        free(r->effective_url);
        memset(r, 0, sizeof *r);
}

static void on_done(Fetcher *f, const FetchResponse *resp, void *userdata)
{
        Result *r = userdata;

        assert_false(r->done);
        r->done = true;
        r->error = resp->error;
        r->status = resp->status;
        assert_non_null(resp->body);
        assert_int_equal(resp->body[resp->size], 0);
        r->body = malloc(resp->size + 1);
        memcpy(r->body, resp->body, resp->size + 1);
        r->size = resp->size;
        r->message = strdup_or_null(resp->error_message);
        r->etag = strdup_or_null(resp->etag);
        r->last_modified = strdup_or_null(resp->last_modified);
        r->content_type = strdup_or_null(resp->content_type);
        r->reason = strdup_or_null(resp->reason);
        r->effective_url = strdup_or_null(resp->effective_url);
        r->retry_after = resp->retry_after_usec;
}

typedef struct Env {
        sd_event *e;
        Fetcher *f;
} Env;

static int setup(void **state)
{
        Env *env = calloc(1, sizeof(Env));
        assert_int_equal(sd_event_new(&env->e), 0);
        assert_int_equal(fetcher_new(env->e, &env->f), 0);
        server_start(env->e);
        *state = env;
        return 0;
}

static int teardown(void **state)
{
        Env *env = *state;
        env->f = fetcher_free(env->f);
        server_stop();
        sd_event_unref(env->e);
        free(env);
        return 0;
}

static void run_until(Env *env, Result *const *rs, size_t n, uint64_t limit_usec)
{
        uint64_t start, now;

        assert_true(sd_event_now(env->e, CLOCK_MONOTONIC, &start) >= 0);
        for (;;) {
                bool all = true;
                for (size_t i = 0; i < n; i++)
                        all = all && rs[i]->done;
                if (all)
                        return;
                assert_true(sd_event_run(env->e, 100 * 1000) >= 0);
                assert_true(sd_event_now(env->e, CLOCK_MONOTONIC, &now) >= 0);
                if (now - start > limit_usec)
                        fail_msg("requests did not finish within %llu ms",
                                 (unsigned long long) limit_usec / 1000);
        }
}

static void fetch1(Env *env, const FetchRequest *req, Result *r)
{
        memset(r, 0, sizeof *r);
        assert_int_equal(fetcher_start(env->f, req, on_done, r), 0);
        assert_int_equal(fetcher_in_flight(env->f), 1);
        run_until(env, (Result *const[]){r}, 1, 10 * SEC);
        assert_int_equal(fetcher_in_flight(env->f), 0);
}

static char *url(const char *path)
{
        char *u = strdup_printf("http://127.0.0.1:%u%s", srv.port, path);
        assert_non_null(u);
        return u;
}

/* ---- tests ---- */

static void test_ok(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u = url("/ok");
        Result r;

        fetch1(env,
               &(FetchRequest){.url = u,
                               .accept = "text/csv",
                               .if_none_match = "\"v0\"",
                               .authorization = "Bearer s3cret"},
               &r);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "hello");
        assert_int_equal(r.size, 5);
        assert_string_equal(r.etag, "\"v1\"");
        assert_string_equal(r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_string_equal(r.content_type, "text/csv; charset=utf-8");
        assert_string_equal(r.reason, "OK");
        assert_null(r.message);
        assert_int_equal(r.retry_after, 0);
        /* what went over the wire */
        assert_non_null(strstr(srv.last_request, "GET /ok HTTP/1.1\r\n"));
        assert_non_null(strstr(srv.last_request, "\r\nUser-Agent: labourwatch/"));
        assert_non_null(strstr(srv.last_request, "\r\nAccept: text/csv\r\n"));
        assert_non_null(strstr(srv.last_request, "\r\nIf-None-Match: \"v0\"\r\n"));
        assert_non_null(strstr(srv.last_request, "\r\nAuthorization: Bearer s3cret\r\n"));
        assert_non_null(strstr(srv.last_request, "\r\nAccept-Encoding: "));
        result_done(&r);
}

static void test_post(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u = url("/echo");
        Result r;

        fetch1(env, &(FetchRequest){.url = u, .body = "{\"table\":\"AUK01\"}"}, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "POST");
        assert_non_null(strstr(srv.last_request, "\r\nContent-Type: application/json\r\n"));
        assert_non_null(strstr(srv.last_request, "\r\n\r\n{\"table\":\"AUK01\"}"));
        assert_null(strstr(srv.last_request, "Expect:"));
        result_done(&r);
}

static void test_status_and_retry_after(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u1 = url("/retry"), *u2 = url("/retry-date"), *u3 = url("/noreason"),
                            *u4 = url("/nothere");
        Result r;

        fetch1(env, &(FetchRequest){.url = u1}, &r);
        assert_int_equal(r.error, 0); /* an HTTP answer is not a transport error */
        assert_int_equal(r.status, 429);
        assert_string_equal(r.reason, "Too Many Requests");
        assert_int_equal(r.retry_after, 7 * SEC);
        assert_string_equal(r.body, "slow");
        result_done(&r);

        fetch1(env, &(FetchRequest){.url = u2}, &r);
        assert_int_equal(r.status, 503);
        assert_true(r.retry_after > UINT64_C(365) * 24 * 3600 * SEC);
        result_done(&r);

        fetch1(env, &(FetchRequest){.url = u3}, &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.reason, "Not Found"); /* the standard phrase when none was sent */
        result_done(&r);

        fetch1(env, &(FetchRequest){.url = u4}, &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.content_type, "text/html");
        result_done(&r);
}

static void test_size_cap(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u1 = url("/big"), *u2 = url("/bigchunked");
        Result r;

        /* Content-Length announced: refused before the body */
        fetch1(env, &(FetchRequest){.url = u1, .max_size = 1000}, &r);
        assert_int_equal(r.error, -EFBIG);
        assert_string_equal(r.message, "response exceeds 1000 bytes");
        result_done(&r);

        /* chunked: stopped while streaming */
        fetch1(env, &(FetchRequest){.url = u2, .max_size = 1000}, &r);
        assert_int_equal(r.error, -EFBIG);
        assert_string_equal(r.message, "response exceeds 1000 bytes");
        assert_true(r.size <= 1000);
        result_done(&r);

        /* under the cap: fine */
        fetch1(env, &(FetchRequest){.url = u2, .max_size = 2400}, &r);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.size, 2400);
        result_done(&r);
}

static void test_truncated_and_timeout(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u1 = url("/trunc"), *u2 = url("/hang");
        Result r;
        uint64_t t0, t1;

        fetch1(env, &(FetchRequest){.url = u1}, &r);
        assert_int_equal(r.error, -EPIPE);
        assert_non_null(r.message);
        assert_int_equal(r.status, 200);
        result_done(&r);

        assert_true(sd_event_now(env->e, CLOCK_MONOTONIC, &t0) >= 0);
        fetch1(env, &(FetchRequest){.url = u2, .timeout_usec = SEC}, &r);
        assert_true(sd_event_now(env->e, CLOCK_MONOTONIC, &t1) >= 0);
        assert_int_equal(r.error, -ETIMEDOUT);
        assert_non_null(strstr(r.message, "timed out"));
        assert_true(t1 - t0 < 5 * SEC);
        result_done(&r);
}

static void test_redirects(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u1 = url("/redirect"), *u2 = url("/redirect-file"), *u3 = url("/loop"),
                            *want = url("/ok");
        Result r;

        /* GET follows */
        fetch1(env, &(FetchRequest){.url = u1}, &r);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "hello");
        assert_string_equal(r.effective_url, want);
        result_done(&r);

        /* POST does not: the body would be lost */
        fetch1(env, &(FetchRequest){.url = u1, .body = "{}"}, &r);
        assert_int_equal(r.status, 301);
        assert_non_null(strstr(r.message, "not followed"));
        assert_non_null(strstr(r.message, "/ok"));
        result_done(&r);

        /* never to file:// */
        fetch1(env, &(FetchRequest){.url = u2}, &r);
        assert_true(r.error < 0);
        assert_null(strstr(r.body, "root:"));
        result_done(&r);

        /* the token does not follow a redirect to another host */
        _cleanup_free_ char *u4 = url("/redirect-otherhost");
        fetch1(env, &(FetchRequest){.url = u4, .authorization = "Bearer s3cret"}, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(srv.last_request, "Host: localhost:"));
        assert_null(strstr(srv.last_request, "s3cret"));
        result_done(&r);

        /* at most 5 */
        fetch1(env, &(FetchRequest){.url = u3}, &r);
        assert_int_equal(r.error, -ELOOP);
        result_done(&r);
}

static void test_gzip_and_304(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *u1 = url("/gzip"), *u2 = url("/notmodified");
        Result r;

        fetch1(env, &(FetchRequest){.url = u1}, &r);
        assert_int_equal(r.error, 0);
        assert_string_equal(r.body, "hello gzip\n");
        result_done(&r);

        fetch1(env,
               &(FetchRequest){.url = u2,
                               .if_none_match = "\"v1\"",
                               .if_modified_since = "Wed, 21 Oct 2015 07:28:00 GMT"},
               &r);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.status, 304);
        assert_int_equal(r.size, 0);
        assert_null(r.message);
        assert_non_null(
                strstr(srv.last_request, "\r\nIf-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT\r\n"));
        result_done(&r);
}

static void test_file_and_protocols(void **state)
{
        Env *env = *state;
        char path[] = "/tmp/test-fetch-XXXXXX";
        int fd = mkstemp(path);
        _cleanup_free_ char *u = NULL, *missing = NULL;
        Result r;

        assert_true(fd >= 0);
        write_all(fd, "a;b\n1;2\n", 8);
        close(fd);
        u = strdup_printf("file://%s", path);
        missing = strdup_printf("file://%s.missing", path);

        fetch1(env, &(FetchRequest){.url = u}, &r);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "a;b\n1;2\n");
        result_done(&r);

        fetch1(env, &(FetchRequest){.url = u, .max_size = 4}, &r);
        assert_int_equal(r.error, -EFBIG);
        result_done(&r);

        fetch1(env, &(FetchRequest){.url = missing}, &r);
        assert_int_equal(r.error, -ENOENT);
        assert_int_equal(r.status, 0);
        result_done(&r);
        unlink(path);

        fetch1(env, &(FetchRequest){.url = "ftp://127.0.0.1/x"}, &r);
        assert_int_equal(r.error, -EPROTONOSUPPORT);
        result_done(&r);

        /* a header value with a line break is refused before anything is sent */
        assert_int_equal(fetcher_start(env->f, &(FetchRequest){.url = u, .if_none_match = "x\r\nEvil: 1"},
                                       on_done, &r),
                         -EINVAL);
        assert_int_equal(fetcher_in_flight(env->f), 0);
}

static void test_connect_refused(void **state)
{
        Env *env = *state;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof a;
        _cleanup_free_ char *u = NULL;
        Result r;

        /* a port that was just free and has no listener */
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof a), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &l), 0);
        u = strdup_printf("http://127.0.0.1:%u/x", ntohs(a.sin_port));
        close(fd);
        fetch1(env, &(FetchRequest){.url = u, .connect_timeout_usec = 2 * SEC}, &r);
        assert_int_equal(r.error, -ECONNREFUSED);
        assert_non_null(r.message);
        result_done(&r);
}

static void test_parallel_and_cancel(void **state)
{
        Env *env = *state;
        _cleanup_free_ char *ok = url("/ok"), *hang = url("/hang"), *gz = url("/gzip");
        Result rs[6] = {};
        Result *ptrs[6];

        for (size_t i = 0; i < 6; i++) {
                ptrs[i] = &rs[i];
                assert_int_equal(
                        fetcher_start(env->f, &(FetchRequest){.url = i % 2 ? ok : gz}, on_done, &rs[i]), 0);
        }
        assert_int_equal(fetcher_in_flight(env->f), 6);
        run_until(env, ptrs, 6, 10 * SEC);
        for (size_t i = 0; i < 6; i++) {
                assert_int_equal(rs[i].status, 200);
                assert_string_equal(rs[i].body, i % 2 ? "hello" : "hello gzip\n");
                result_done(&rs[i]);
        }
        assert_int_equal(srv.n_requests, 6);

        /* freeing the fetcher with a transfer in flight: no callback, nothing leaked */
        Result never = {};
        assert_int_equal(fetcher_start(env->f, &(FetchRequest){.url = hang}, on_done, &never), 0);
        for (int i = 0; i < 20 && srv.n_requests < 7; i++)
                assert_true(sd_event_run(env->e, 50 * 1000) >= 0);
        assert_int_equal(fetcher_in_flight(env->f), 1);
        env->f = fetcher_free(env->f);
        assert_false(never.done);
        assert_int_equal(fetcher_new(env->e, &env->f), 0);
}

static void test_reason_table(void **state)
{
        assert_string_equal(fetch_status_reason(429), "Too Many Requests");
        assert_string_equal(fetch_status_reason(503), "Service Unavailable");
        assert_string_equal(fetch_status_reason(299), "");
        assert_true(strneq(fetch_user_agent(), "labourwatch/", 12));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ok, setup, teardown),
                cmocka_unit_test_setup_teardown(test_post, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status_and_retry_after, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncated_and_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_redirects, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gzip_and_304, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_and_protocols, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_parallel_and_cancel, setup, teardown),
                cmocka_unit_test(test_reason_table),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        fetch_global_done();
        return r;
}
