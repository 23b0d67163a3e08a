/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Structured logging. To the journal (sd_journal_send) when stderr is connected to it
 * ($JOURNAL_STREAM matches stderr's device:inode), else readable lines on stderr with "<N>"
 * priority prefixes. Each event class has a fixed MESSAGE_ID, explained in
 * systemd/labourwatch.catalog. Pure modules never log; callers log once, with context. */

#include <stdarg.h>
#include <syslog.h>

#include "labourwatch/macro.h"

typedef enum LogEvent {
        LOG_EVENT_NONE,              /* no MESSAGE_ID */
        LOG_EVENT_CONFIG_LOADED,
        LOG_EVENT_CONFIG_REJECTED,
        LOG_EVENT_RELOADED,
        LOG_EVENT_FETCH_SUCCEEDED,
        LOG_EVENT_FETCH_FAILED,
        LOG_EVENT_GOAL_STATUS_CHANGED,
        LOG_EVENT_NOTIFICATION_SENT,
        LOG_EVENT_NOTIFICATION_FAILED,
        LOG_EVENT_OUTBOX_RETRY,
        LOG_EVENT_SHUTTING_DOWN,
        LOG_EVENT_STARTED,
        LOG_EVENT_SOURCE_STALE,      /* a source failing longer than stale_after */
        LOG_EVENT_ALERT,             /* an alert event of a goal: firing, resolved, … (delivered or suppressed) */
        LOG_EVENT_NOTIFICATION_EXPIRED, /* the outbox gave up on a notification */
        _LOG_EVENT_MAX,
} LogEvent;

/* The MESSAGE_ID (32 hex digits) of an event class, or NULL for LOG_EVENT_NONE. */
const char *log_event_message_id(LogEvent e);

void log_set_max_level(int level);   /* LOG_ERR .. LOG_DEBUG; default LOG_INFO */
int log_get_max_level(void);
/* Decides the target once: journal when $JOURNAL_STREAM matches stderr, else stderr. Can be forced
 * for tests with $LABOURWATCH_LOG_TARGET=journal|stderr. */
void log_open(void);

/* Logs a message with optional structured fields. `fields` is a NULL-terminated list of
 * "KEY=value" strings (GOAL=, SERIES=, SOURCE=, PERIOD=, CHANNEL=, …), may be NULL.
 * Returns -abs(error) when error != 0, else 0, so callers can `return log_...(r, ...)`.
 * %m is replaced by strerror(abs(error)). */
int log_full(int level, int error, LogEvent event, const char *const *fields, const char *file, int line,
             const char *func, const char *fmt, ...) _printf_(8, 9);

/* ---- values from outside in log lines ----
 *
 * Every value quoted in a message that came from outside (a provider's text, a reason phrase, a
 * configuration value, a URL) goes through log_quote(): invalid UTF-8 becomes U+FFFD, control
 * characters are escaped (\n, \r, \t, \xNN) so a value cannot split or forge a line, and it is cut
 * at LOG_VALUE_MAX characters with "…". log_full() applies the same to the whole message with the
 * bound LOG_MESSAGE_MAX, so no line is ever huge; line breaks stay only when the format string has
 * one (a deliberate multi-line message). */
#define LOG_VALUE_MAX 200
#define LOG_MESSAGE_MAX 4096

/* A printable, bounded copy of s (max_chars characters, 0: no bound), malloc'd; "(null)" for NULL;
 * NULL on OOM. */
char *log_quote_full(const char *s, size_t len, size_t max_chars);
static inline char *log_quote(const char *s)
{
        return log_quote_full(s, s ? strlen(s) : 0, LOG_VALUE_MAX);
}

#define LOG_FIELDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define log_full_errno(level, error, ...) log_full(level, error, LOG_EVENT_NONE, NULL, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)

/* An event with fields: log_event(LOG_INFO, 0, LOG_EVENT_FETCH_SUCCEEDED,
 *          LOG_FIELDS("SOURCE=dst", "SERIES=x"), "Fetched %s", name); */
#define log_event(level, error, event, fields, ...) log_full(level, error, event, fields, __FILE__, __LINE__, __func__, __VA_ARGS__)
