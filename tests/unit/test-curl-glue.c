/* SPDX-License-Identifier: GPL-2.0-or-later */
/* curl-glue.c drives easy handles that have nothing to do with HTTP: file:// reads with the
 * caller's own write callback, an SMTP connection that is refused, cancellation, a handle re-added
 * from its own callback, and a Fetcher sharing the glue with them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/fetch.h"
#include "labourwatch/macro.h"

typedef struct Sink {
        char buf[256];
        size_t n;
        unsigned calls;       /* completion callbacks */
        CURLcode result;
        unsigned readd;       /* how many more times the callback re-adds the handle */
        unsigned *pending;    /* transfers the test still waits for; the loop exits at 0 */
        sd_event *event;
} Sink;

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        Sink *s = userdata;
        size_t n = size * nmemb;

        if (s->n + n >= sizeof(s->buf))
                return 0;
        memcpy(s->buf + s->n, ptr, n);
        s->n += n;
        s->buf[s->n] = 0;
        return n;
}

static void finished(Sink *s)
{
        if (--*s->pending == 0)
                (void) sd_event_exit(s->event, 0);
}

static void on_done(CurlGlue *g, CURL *easy, CURLcode result, void *userdata)
{
        Sink *s = userdata;

        s->calls++;
        s->result = result;
        /* Already off the loop: the handle may go straight back on. */
        if (s->readd > 0) {
                s->readd--;
                assert_int_equal(curl_glue_add(g, easy, on_done, s), 0);
                return;
        }
        finished(s);
}

static char *write_temp(const char *content)
{
        char *path = strdup("/tmp/test-curl-glue-XXXXXX");
        int fd;

        assert_non_null(path);
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t) strlen(content));
        close(fd);
        return path;
}

static CURL *file_handle(const char *path, Sink *s)
{
        _cleanup_free_ char *url = strdup_printf("file://%s", path);
        CURL *c = curl_easy_init();

        assert_non_null(c);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write), CURLE_OK);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, s), CURLE_OK);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
        return c;
}

/* A port on 127.0.0.1 nobody listens on: bound, never listened, closed. */
static uint16_t closed_port(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &l), 0);
        close(fd);
        return ntohs(a.sin_port);
}

static void test_file_and_smtp(void **state)
{
        _cleanup_free_ char *path = write_temp("hello glue\n");
        _cleanup_free_ char *smtp_url = strdup_printf("smtp://127.0.0.1:%u", closed_port());
        sd_event *e = NULL;
        CurlGlue *g = NULL;
        unsigned pending = 2;
        Sink file = { .pending = &pending }, smtp = { .pending = &pending };
        CURL *fc, *sc;

        assert_int_equal(sd_event_new(&e), 0);
        file.event = smtp.event = e;
        assert_int_equal(curl_glue_new(e, &g), 0);
        assert_ptr_equal(curl_glue_get_event(g), e);

        fc = file_handle(path, &file);
        sc = curl_easy_init();
        assert_non_null(sc);
        assert_int_equal(curl_easy_setopt(sc, CURLOPT_URL, smtp_url), CURLE_OK);
        assert_int_equal(curl_easy_setopt(sc, CURLOPT_MAIL_FROM, "<labourwatch@localhost>"), CURLE_OK);
        assert_int_equal(curl_easy_setopt(sc, CURLOPT_NOSIGNAL, 1L), CURLE_OK);

        assert_int_equal(curl_glue_add(g, fc, on_done, &file), 0);
        assert_int_equal(curl_glue_add(g, fc, on_done, &file), -EEXIST);
        assert_int_equal(curl_glue_add(g, sc, on_done, &smtp), 0);
        assert_int_equal(curl_glue_in_flight(g), 2);

        assert_int_equal(sd_event_loop(e), 0);
        assert_int_equal(curl_glue_in_flight(g), 0);

        assert_int_equal(file.calls, 1);
        assert_int_equal(file.result, CURLE_OK);
        assert_string_equal(file.buf, "hello glue\n");

        assert_int_equal(smtp.calls, 1);
        assert_int_equal(smtp.result, CURLE_COULDNT_CONNECT);
        assert_int_equal(curl_glue_code_to_errno(smtp.result), -ECONNREFUSED);

        /* The handles are still the caller's: free them after the glue is done with them. */
        curl_easy_cleanup(fc);
        curl_easy_cleanup(sc);
        curl_glue_unref(g);
        sd_event_unref(e);
        unlink(path);
}

/* A removed handle's callback never runs; a handle re-added from its callback runs again. */
static void test_remove_and_readd(void **state)
{
        _cleanup_free_ char *path = write_temp("abc");
        sd_event *e = NULL;
        CurlGlue *g = NULL;
        unsigned pending = 1;
        Sink cancelled = { .pending = &pending }, again = { .pending = &pending, .readd = 2 };
        CURL *c1, *c2;

        assert_int_equal(sd_event_new(&e), 0);
        cancelled.event = again.event = e;
        assert_int_equal(curl_glue_new(e, &g), 0);
        c1 = file_handle(path, &cancelled);
        c2 = file_handle(path, &again);
        assert_int_equal(curl_glue_add(g, c1, on_done, &cancelled), 0);
        assert_int_equal(curl_glue_add(g, c2, on_done, &again), 0);
        curl_glue_remove(g, c1);
        curl_glue_remove(g, c1); /* not in flight: a no-op */
        assert_int_equal(curl_glue_in_flight(g), 1);

        /* The last unref with a handle in flight detaches it without a callback. */
        {
                CurlGlue *gx = NULL;
                assert_int_equal(curl_glue_new(e, &gx), 0);
                assert_int_equal(curl_glue_add(gx, c1, on_done, &cancelled), 0);
                assert_int_equal(curl_glue_in_flight(gx), 1);
                curl_glue_unref(gx);
        }

        assert_int_equal(sd_event_loop(e), 0);
        assert_int_equal(cancelled.calls, 0);
        assert_int_equal(cancelled.n, 0);
        assert_int_equal(again.calls, 3);
        assert_string_equal(again.buf, "abcabcabc");

        /* A removed handle can be added again, to another glue (on another loop: a finished
         * sd-event loop does not run again). */
        {
                CurlGlue *g2 = NULL;
                sd_event *e2 = NULL;
                pending = 1;
                assert_int_equal(sd_event_new(&e2), 0);
                cancelled.event = e2;
                assert_int_equal(curl_glue_new(e2, &g2), 0);
                assert_int_equal(curl_glue_add(g2, c1, on_done, &cancelled), 0);
                assert_int_equal(sd_event_loop(e2), 0);
                assert_int_equal(cancelled.calls, 1);
                assert_string_equal(cancelled.buf, "abc");
                curl_glue_unref(g2);
                sd_event_unref(e2);
        }

        curl_glue_unref(g);

        curl_easy_cleanup(c1);
        curl_easy_cleanup(c2);
        sd_event_unref(e);
        unlink(path);
}

/* HTTP fetches and other transfers share one glue. */
typedef struct FetchSink {
        long status;
        char body[64];
        unsigned *pending;
        sd_event *event;
} FetchSink;

static void on_fetched(Fetcher *f, const FetchResponse *r, void *userdata)
{
        FetchSink *s = userdata;

        s->status = r->status;
        snprintf(s->body, sizeof(s->body), "%s", r->body);
        if (--*s->pending == 0)
                (void) sd_event_exit(s->event, 0);
}

static void test_shared_with_fetcher(void **state)
{
        _cleanup_free_ char *path = write_temp("shared");
        _cleanup_free_ char *url = strdup_printf("file://%s", path);
        sd_event *e = NULL;
        CurlGlue *g = NULL;
        Fetcher *f = NULL;
        unsigned pending = 2;
        Sink raw = { .pending = &pending };
        FetchSink fs = { .pending = &pending };
        CURL *c;

        assert_int_equal(sd_event_new(&e), 0);
        raw.event = fs.event = e;
        assert_int_equal(curl_glue_new(e, &g), 0);
        assert_int_equal(fetcher_new_with_glue(g, &f), 0);
        c = file_handle(path, &raw);
        assert_int_equal(curl_glue_add(g, c, on_done, &raw), 0);
        assert_int_equal(fetcher_start(f, &(FetchRequest){ .url = url }, on_fetched, &fs), 0);
        assert_int_equal(curl_glue_in_flight(g), 2);
        assert_int_equal(fetcher_in_flight(f), 1);
        /* The fetcher holds its own reference. */
        curl_glue_unref(g);

        assert_int_equal(sd_event_loop(e), 0);
        assert_string_equal(raw.buf, "shared");
        assert_int_equal(fs.status, 200);
        assert_string_equal(fs.body, "shared");

        fetcher_free(f); /* the last reference */
        curl_easy_cleanup(c);
        sd_event_unref(e);
        unlink(path);
}

static void test_code_to_errno(void **state)
{
        static const struct {
                CURLcode code;
                int want;
        } rows[] = {
                { CURLE_OK, 0 },
                { CURLE_OPERATION_TIMEDOUT, -ETIMEDOUT },
                { CURLE_COULDNT_RESOLVE_HOST, -EHOSTUNREACH },
                { CURLE_LOGIN_DENIED, -EACCES },
                { CURLE_USE_SSL_FAILED, -EPROTO },
                { CURLE_SEND_ERROR, -EPIPE },
                { CURLE_URL_MALFORMAT, -EINVAL },
                { CURLE_WRITE_ERROR, -EIO },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(curl_glue_code_to_errno(rows[i].code), rows[i].want);
        assert_int_equal(curl_glue_add(NULL, NULL, on_done, NULL), -EINVAL);
        curl_glue_remove(NULL, NULL);
        assert_null(curl_glue_unref(NULL));
        assert_int_equal(curl_glue_in_flight(NULL), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_file_and_smtp),
                cmocka_unit_test(test_remove_and_readd),
                cmocka_unit_test(test_shared_with_fetcher),
                cmocka_unit_test(test_code_to_errno),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        curl_glue_global_done();
        return r;
}
