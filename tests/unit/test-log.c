/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include <systemd/sd-id128.h>

#include "labourwatch/log.h"
#include "labourwatch/macro.h"

/* Redirects stderr into a pipe for the duration of one capture. */
typedef struct Capture {
        int saved;
        int pipe[2];
} Capture;

static void capture_begin(Capture *c)
{
        assert_int_equal(pipe2(c->pipe, O_CLOEXEC), 0);
        c->saved = dup(STDERR_FILENO);
        assert_true(c->saved >= 0);
        assert_int_equal(dup2(c->pipe[1], STDERR_FILENO), STDERR_FILENO);
        close(c->pipe[1]);
}

/* Restores stderr and returns what was written (caller frees). */
static char *capture_end(Capture *c)
{
        char buf[4096];
        size_t n = 0;
        ssize_t k;

        assert_int_equal(dup2(c->saved, STDERR_FILENO), STDERR_FILENO); /* closes the write end */
        close(c->saved);
        while ((k = read(c->pipe[0], buf + n, sizeof buf - 1 - n)) > 0)
                n += (size_t) k;
        close(c->pipe[0]);
        buf[n] = 0;
        return strdup(buf);
}

static int setup_stderr(void **state)
{
        assert_int_equal(setenv("LABOURWATCH_LOG_TARGET", "stderr", 1), 0);
        unsetenv("LABOURWATCH_LOG_LEVEL");
        log_set_max_level(LOG_INFO);
        log_open();
        return 0;
}

static void test_stderr_format(void **state)
{
        Capture c;
        _cleanup_free_ char *out = NULL;
        int r;

        capture_begin(&c);
        r = log_event(LOG_INFO, 0, LOG_EVENT_FETCH_SUCCEEDED, LOG_FIELDS("SOURCE=dst", "SERIES=ledige"),
                      "Fetched %s: %d new periods", "ledige", 3);
        log_warning("plain %s", "warning");
        log_event(LOG_NOTICE, 0, LOG_EVENT_GOAL_STATUS_CHANGED, LOG_FIELDS("GOAL=g1"), "Goal %s", "g1");
        log_event(LOG_ERR, 0, LOG_EVENT_NONE, NULL, "no fields");
        log_error("line one\nline two: %s", "x");
        out = capture_end(&c);

        assert_int_equal(r, 0);
        assert_string_equal(out, "<6>Fetched ledige: 3 new periods [SOURCE=dst SERIES=ledige]\n"
                                 "<4>plain warning\n"
                                 "<5>Goal g1 [GOAL=g1]\n"
                                 "<3>no fields\n"
                                 "<3>line one\n<3>line two: x\n");
}

static void test_errno_expansion(void **state)
{
        static const struct {
                int error;
                const char *fmt, *arg;
                const char *want;
                int want_ret;
        } rows[] = {
                { -ENOENT, "open %s: %m", "a.yaml", "<3>open a.yaml: No such file or directory\n", -ENOENT },
                { ENOENT, "open %s: %m", "b.yaml", "<3>open b.yaml: No such file or directory\n", -ENOENT },
                { -EACCES, "%s%m", "", "<3>Permission denied\n", -EACCES },
                { -EINVAL, "100%% %s, not %%m", "sure", "<3>100% sure, not %m\n", -EINVAL },
                { 0, "%s ok", "all", "<3>all ok\n", 0 },
                /* a '%' inside the argument is not a conversion */
                { -EIO, "%s: %m", "50%s", "<3>50%s: Input/output error\n", -EIO },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *out = NULL;
                Capture c;
                int r;

                errno = EBADF;
                capture_begin(&c);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                r = log_full(LOG_ERR, rows[i].error, LOG_EVENT_NONE, NULL, __FILE__, __LINE__, __func__,
                             rows[i].fmt, rows[i].arg);
#pragma GCC diagnostic pop
                out = capture_end(&c);
                assert_int_equal(errno, EBADF); /* logging preserves errno */
                assert_int_equal(r, rows[i].want_ret);
                assert_string_equal(out, rows[i].want);
        }
}

static void test_max_level(void **state)
{
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        Capture c;

        capture_begin(&c);
        log_debug("hidden %d", 1);
        log_info("shown");
        out = capture_end(&c);
        assert_string_equal(out, "<6>shown\n");

        /* $LABOURWATCH_LOG_LEVEL is read by log_open() */
        assert_int_equal(setenv("LABOURWATCH_LOG_LEVEL", "debug", 1), 0);
        log_open();
        assert_int_equal(log_get_max_level(), LOG_DEBUG);
        capture_begin(&c);
        log_debug("visible %d", 2);
        out2 = capture_end(&c);
        assert_string_equal(out2, "<7>visible 2\n");

        assert_int_equal(setenv("LABOURWATCH_LOG_LEVEL", "err", 1), 0);
        log_open();
        assert_int_equal(log_get_max_level(), LOG_ERR);
        log_set_max_level(LOG_INFO);
        unsetenv("LABOURWATCH_LOG_LEVEL");
}

static bool is_hex32(const char *s)
{
        if (strlen(s) != 32)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static void test_message_ids(void **state)
{
        assert_null(log_event_message_id(LOG_EVENT_NONE));
        assert_null(log_event_message_id(_LOG_EVENT_MAX));
        assert_null(log_event_message_id((LogEvent) -1));

        for (int i = LOG_EVENT_NONE + 1; i < _LOG_EVENT_MAX; i++) {
                const char *id = log_event_message_id((LogEvent) i);
                sd_id128_t a;

                assert_non_null(id);
                assert_true(is_hex32(id));
                assert_int_equal(sd_id128_from_string(id, &a), 0);
                for (int j = i + 1; j < _LOG_EVENT_MAX; j++)
                        assert_string_not_equal(id, log_event_message_id((LogEvent) j));
        }
}

/* Every MESSAGE_ID has an entry in the journal catalog (systemd/labourwatch.catalog), with the
 * fields journalctl -x shows. */
static void test_catalog_covers_every_id(void **state)
{
        const char *src = getenv("LW_SOURCE_DIR");
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t size;

        assert_non_null(src);
        path = strdup_printf("%s/systemd/labourwatch.catalog", src);
        assert_non_null(path);
        assert_int_equal(read_full_file(path, 1 << 20, &text, &size), 0);

        for (int i = LOG_EVENT_NONE + 1; i < _LOG_EVENT_MAX; i++) {
                _cleanup_free_ char *header = strdup_printf("\n-- %s\n", log_event_message_id((LogEvent) i));
                const char *entry, *next;

                assert_non_null(header);
                entry = strstr(text, header);
                if (!entry)
                        fail_msg("catalog has no entry for %s", header + 1);
                entry += strlen(header);
                next = strstr(entry, "\n-- ");
                assert_true(strneq(entry, "Subject: ", 9));
                assert_non_null(strstr(entry, "Defined-By: labourwatch\n"));
                assert_true(!next || strstr(entry, "Defined-By: labourwatch\n") < next);
                assert_non_null(strstr(entry, "Documentation: "));
        }
}

/* log_quote: printable, valid UTF-8, bounded. */
static void test_quote(void **state)
{
        static const struct {
                const char *in;
                const char *want;
        } rows[] = {
                { "plain", "plain" },
                { "two\nlines\r\tend", "two\\nlines\\r\\tend" },
                { "bell\a esc\x1b del\x7f", "bell\\x07 esc\\x1b del\\x7f" },
                { "K\xf8""benhavn", "K\xef\xbf\xbd""benhavn" },            /* Latin-1 ø: invalid UTF-8 */
                { "K\xc3\xb8""benhavn \xe2\x82\xac", "K\xc3\xb8""benhavn \xe2\x82\xac" }, /* valid */
                { "\xc0\xaf overlong, \xed\xa0\x80 surrogate", "\xef\xbf\xbd\xef\xbf\xbd overlong, "
                                                             "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate" },
                { "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd" },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *q = log_quote(rows[i].in);
                assert_non_null(q);
                assert_string_equal(q, rows[i].want);
        }
        _cleanup_free_ char *n = log_quote(NULL);
        assert_string_equal(n, "(null)");

        /* 5,000 characters: 200 and an ellipsis; counted in characters, not bytes */
        _cleanup_free_ char *big = malloc(5001), *q = NULL, *oe = NULL, *qoe = NULL;
        assert_non_null(big);
        memset(big, 'r', 5000);
        big[5000] = 0;
        q = log_quote(big);
        assert_int_equal(strlen(q), LOG_VALUE_MAX + strlen("…"));
        assert_string_equal(q + LOG_VALUE_MAX, "…");
        oe = strdup_printf("%s", "");
        for (int i = 0; i < 300; i++) {
                char *next = strdup_printf("%s\xc3\xb8", oe);
                free(oe);
                oe = next;
        }
        qoe = log_quote(oe);
        assert_int_equal(strlen(qoe), 2 * LOG_VALUE_MAX + strlen("…"));
}

/* A 15 MB value (with line breaks and bad bytes) makes one short, clean line. */
static void test_bounded_line(void **state)
{
        char path[] = "/tmp/test-log-XXXXXX";
        int fd = mkstemp(path), saved;
        const size_t big = 15u * 1024 * 1024;
        _cleanup_free_ char *value = malloc(big + 1), *out = NULL;
        size_t size = 0;

        assert_true(fd >= 0);
        assert_non_null(value);
        memset(value, 'v', big);
        memcpy(value + 10, "\n<0>forged\xff", 11);
        value[big] = 0;

        saved = dup(STDERR_FILENO);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        log_error("Bad value '%s' for key %s", value, "k");
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        close(fd);

        assert_int_equal(read_full_file(path, 1 << 20, &out, &size), 0);
        (void) unlink(path);
        /* one line: the value's line break escaped, nothing forged at priority 0 */
        assert_non_null(strchr(out, '\n'));
        assert_null(strchr(out, '\n') + 1 < out + size ? strchr(strchr(out, '\n') + 1, '\n') : NULL);
        assert_true(size < LOG_MESSAGE_MAX + 64);
        assert_true(strneq(out, "<3>Bad value 'vvvvvvvvvv\\n<0>forged\xef\xbf\xbdvvv", 41));
        assert_non_null(strstr(out, "…\n"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_stderr_format, setup_stderr),
                cmocka_unit_test(test_quote),
                cmocka_unit_test_setup(test_bounded_line, setup_stderr),
                cmocka_unit_test_setup(test_errno_expansion, setup_stderr),
                cmocka_unit_test_setup(test_max_level, setup_stderr),
                cmocka_unit_test(test_message_ids),
                cmocka_unit_test(test_catalog_covers_every_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
