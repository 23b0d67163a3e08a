/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "labourwatch/log.h"
#include "labourwatch/scrub.h"
#include "labourwatch/strv.h"

/* Made once with `systemd-id128 new`; never change one: ops filter on them and the catalog
 * (systemd/labourwatch.catalog) explains each. */
static const char *const message_ids[_LOG_EVENT_MAX] = {
        [LOG_EVENT_NONE] = NULL,
        [LOG_EVENT_CONFIG_LOADED] = "b86e10786543481aa596ed90e15157a9",
        [LOG_EVENT_CONFIG_REJECTED] = "1186a3d28ee94930a0dfca8023d46ef2",
        [LOG_EVENT_RELOADED] = "fa2b39bdb56140288b8a0efbb34d6a20",
        [LOG_EVENT_FETCH_SUCCEEDED] = "cca09e47201a46f4803bb53d04547f2e",
        [LOG_EVENT_FETCH_FAILED] = "4066d0455a0a49d4b956d35abbdfb006",
        [LOG_EVENT_GOAL_STATUS_CHANGED] = "5380eb830cc54a08bad3323d45832ea3",
        [LOG_EVENT_NOTIFICATION_SENT] = "cfd64003938d47ddb6a9220793040d34",
        [LOG_EVENT_NOTIFICATION_FAILED] = "0ab7c1d22e5445c785012fc5faa33c46",
        [LOG_EVENT_OUTBOX_RETRY] = "8d28607aec1c4b8e92ab9d9951cdb01a",
        [LOG_EVENT_SHUTTING_DOWN] = "82e5205be8234986871610665a42b5dc",
        [LOG_EVENT_STARTED] = "c270196f89dd428483601926e763dab6",
        [LOG_EVENT_SOURCE_STALE] = "8640c631124b4222a6b82e44dbd53d88",
        [LOG_EVENT_ALERT] = "3077b7aba06046b0a5cd21dc64a42f55",
        [LOG_EVENT_NOTIFICATION_EXPIRED] = "0d70a2dd2e3542a39b68167e9a8e4170",
};

/* syslog's names, indexed by LOG_EMERG (0) .. LOG_DEBUG (7). */
static const char *const log_level_table[] = {
        [LOG_EMERG] = "emerg",   [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};
static DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(log_level, int)

static int max_level = LOG_INFO;
static bool to_journal = false;
static bool opened = false;

const char *log_event_message_id(LogEvent e)
{
        if (e < 0 || e >= _LOG_EVENT_MAX)
                return NULL;
        return message_ids[e];
}

void log_set_max_level(int level)
{
        max_level = level;
}

int log_get_max_level(void)
{
        return max_level;
}

/* $JOURNAL_STREAM is "DEVICE:INODE" of the stream journald gave us; only when it matches stderr
 * are we really talking to the journal (a child with redirected stderr inherits the variable). */
static bool stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void log_open(void)
{
        const char *t = getenv("LABOURWATCH_LOG_TARGET");
        const char *lvl = getenv("LABOURWATCH_LOG_LEVEL");

        if (t && streq(t, "journal"))
                to_journal = true;
        else if (t && streq(t, "stderr"))
                to_journal = false;
        else
                to_journal = stderr_is_journal();
        if (lvl) {
                int l = log_level_from_string(lvl);
                if (l >= 0)
                        max_level = l;
        }
        opened = true;
}

/* Expands %m into strerror(error) (errno is not reliable by the time we format). */
static char *format_message(int error, const char *fmt, va_list ap)
{
        _cleanup_free_ char *f = NULL, *msg = NULL;
        const char *m = strerror(error > 0 ? error : -error);
        size_t n = 0, alloc = 0;

        for (const char *p = fmt; *p; p++) {
                size_t add = 1;
                const char *src = p;
                if (p[0] == '%' && p[1] == '%')
                        add = 2;
                else if (p[0] == '%' && p[1] == 'm') {
                        /* escape % in the error text */
                        for (const char *q = m; *q; q++) {
                                if (GREEDY_REALLOC(f, alloc, n + 3) < 0)
                                        return NULL;
                                if (*q == '%')
                                        f[n++] = '%';
                                f[n++] = *q;
                        }
                        p++;
                        continue;
                }
                if (GREEDY_REALLOC(f, alloc, n + add + 1) < 0)
                        return NULL;
                memcpy(f + n, src, add);
                n += add;
                p += add - 1;
        }
        if (GREEDY_REALLOC(f, alloc, n + 1) < 0)
                return NULL;
        f[n] = 0;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (vasprintf(&msg, f, ap) < 0)
                return NULL;
#pragma GCC diagnostic pop
        return TAKE_PTR(msg);
}

static void sanitize_to(FILE *f, const char *s, size_t len, size_t max_chars, bool keep_newline);

/* Both programs log as "labourwatch", so `journalctl -t labourwatch` shows the daemon and the CLI. */
static const char syslog_identifier[] = "SYSLOG_IDENTIFIER=labourwatch";

static int log_to_journal(int level, int error, LogEvent event, const char *const *fields, const char *file,
                          int line, const char *func, const char *msg)
{
        struct iovec iov[32];
        _cleanup_free_ char *m = NULL, *p = NULL, *e = NULL, *id = NULL, *cf = NULL, *cl = NULL, *cfn = NULL;
        size_t n = 0;

        m = strdup_printf("MESSAGE=%s", msg);
        p = strdup_printf("PRIORITY=%d", level);
        cf = strdup_printf("CODE_FILE=%s", file);
        cl = strdup_printf("CODE_LINE=%d", line);
        cfn = strdup_printf("CODE_FUNC=%s", func);
        if (!m || !p || !cf || !cl || !cfn)
                return -ENOMEM;
        iov[n++] = (struct iovec){ m, strlen(m) };
        iov[n++] = (struct iovec){ p, strlen(p) };
        iov[n++] = (struct iovec){ cf, strlen(cf) };
        iov[n++] = (struct iovec){ cl, strlen(cl) };
        iov[n++] = (struct iovec){ cfn, strlen(cfn) };
        iov[n++] = (struct iovec){ (char *) syslog_identifier, strlen(syslog_identifier) };
        if (error) {
                e = strdup_printf("ERRNO=%d", error);
                if (e)
                        iov[n++] = (struct iovec){ e, strlen(e) };
        }
        if (log_event_message_id(event)) {
                id = strdup_printf("MESSAGE_ID=%s", log_event_message_id(event));
                if (id)
                        iov[n++] = (struct iovec){ id, strlen(id) };
        }
        for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(iov); i++)
                iov[n++] = (struct iovec){ (char *) fields[i], strlen(fields[i]) };
        return sd_journal_sendv(iov, (int) n);
}

/* "<N>" prefixes, which journald would also understand; fields in brackets so a person reading a
 * terminal still sees which goal or source is meant. The line is assembled first and written with
 * one write(2), so lines of concurrent writers (a test's daemon and CLI) do not interleave. */
static void log_to_stderr(int level, const char *const *fields, const char *msg)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return;
        /* Every line gets the prefix: a provider's multi-line error text stays one priority. */
        fprintf(f, "<%d>", level);
        for (const char *p = msg; *p; p++) {
                fputc(*p, f);
                if (*p == '\n' && p[1])
                        fprintf(f, "<%d>", level);
        }
        if (fields && fields[0]) {
                fputs(" [", f);
                for (size_t i = 0; fields[i]; i++) {
                        if (i > 0)
                                fputc(' ', f);
                        sanitize_to(f, fields[i], strlen(fields[i]), LOG_VALUE_MAX * 2, false);
                }
                fputc(']', f);
        }
        fputc('\n', f);
        if (fclose(f) != 0 || !buf)
                return;
        for (size_t done = 0; done < size;) {
                ssize_t k = write(STDERR_FILENO, buf + done, size - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;
                done += (size_t) k;
        }
}

/* Length of the valid UTF-8 sequence at s (of at most n bytes), or 0 when it is invalid (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
        uint32_t c;
        size_t k;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                k = 2, c = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                k = 3, c = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                k = 4, c = s[0] & 0x07;
        else
                return 0;
        if (n < k)
                return 0;
        for (size_t i = 1; i < k; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if ((k == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (k == 4 && (c < 0x10000 || c > 0x10ffff)))
                return 0;
        return k;
}

/* Appends to f a printable rendering of s[0..len): see log.h. keep_newline keeps '\n' as a line
 * break (the format's own). Stops after max_chars characters (0: no bound) with "…". */
static void sanitize_to(FILE *f, const char *s, size_t len, size_t max_chars, bool keep_newline)
{
        const unsigned char *p = (const unsigned char *) s, *end = p + len;
        size_t chars = 0;

        while (p < end) {
                size_t k;

                if (max_chars > 0 && chars >= max_chars) {
                        fputs("…", f);
                        return;
                }
                chars++;
                if (*p < 0x20 || *p == 0x7f) {
                        if (*p == '\n' && keep_newline)
                                fputc('\n', f);
                        else if (*p == '\n')
                                fputs("\\n", f);
                        else if (*p == '\r')
                                fputs("\\r", f);
                        else if (*p == '\t')
                                fputs("\\t", f);
                        else
                                fprintf(f, "\\x%02x", *p);
                        p++;
                        continue;
                }
                k = utf8_valid_len(p, (size_t) (end - p));
                if (k == 0) {
                        fputs("\xef\xbf\xbd", f); /* U+FFFD */
                        p++;
                        continue;
                }
                fwrite(p, 1, k, f);
                p += k;
        }
}

char *log_quote_full(const char *s, size_t len, size_t max_chars)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!s)
                return strdup("(null)");
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        sanitize_to(f, s, len, max_chars, false);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* The whole message made printable and bounded. Line breaks stay only when the format itself has
 * one (a deliberate multi-line message; each line gets the priority prefix anyway); otherwise a
 * line break can only come from a value, and is escaped. */
static char *sanitize_message(const char *msg, bool keep_newline)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        sanitize_to(f, msg, strlen(msg), LOG_MESSAGE_MAX, keep_newline);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* A scrubbed copy of a NULL-terminated field list (NULL on OOM). */
static char **scrub_fields(const char *const *fields)
{
        char **v = NULL;

        for (size_t i = 0; fields[i]; i++) {
                _cleanup_free_ char *c = scrub_string(fields[i]);
                if (!c || strv_extend(&v, c) < 0)
                        return strv_free(v);
        }
        return v;
}

/* Formats, scrubs, bounds and writes one message. Cleanup only, no goto: every exit path frees. */
static void log_emit(int level, int error, LogEvent event, const char *const *fields, const char *file,
                     int line, const char *func, const char *fmt, va_list ap)
{
        _cleanup_free_ char *formatted = NULL, *scrubbed_msg = NULL, *msg = NULL;
        _cleanup_strv_free_ char **scrubbed_fields = NULL;
        const char *m;

        formatted = format_message(error, fmt, ap);
        if (!formatted)
                return;
        /* No secret and no URL password in any line, whoever formatted it (scrub.h). */
        m = scrubbed(formatted, &scrubbed_msg);
        msg = sanitize_message(m, strchr(fmt, '\n'));
        if (!msg)
                return;
        for (size_t i = 0; fields && fields[i]; i++)
                if (scrub_needed(fields[i])) {
                        scrubbed_fields = scrub_fields(fields);
                        if (!scrubbed_fields)
                                return;
                        fields = (const char *const *) scrubbed_fields;
                        break;
                }

        if (to_journal && log_to_journal(level, error, event, fields, file, line, func, msg) >= 0)
                return;
        /* Not the journal, or journald is not listening: the same line on stderr. */
        log_to_stderr(level, fields, msg);
}

int log_full(int level, int error, LogEvent event, const char *const *fields, const char *file, int line,
             const char *func, const char *fmt, ...)
{
        int saved_errno = errno;
        va_list ap;

        if (error < 0)
                error = -error;
        if (!opened)
                log_open();
        if (level <= max_level) {
                va_start(ap, fmt);
                log_emit(level, error, event, fields, file, line, func, fmt, ap);
                va_end(ap);
        }
        errno = saved_errno;
        return error ? -error : 0;
}
