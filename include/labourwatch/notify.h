/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Notification channels: rendering a notice (the outbox payload, "notice" document v1) into the
 * messages people and programs receive, and one small table of functions per channel kind
 * (smtp, webhook, directory), like the providers.
 *
 * Rendering is pure apart from reading template files in notify_templates_load(): no clock (the
 * caller passes now), no network, no logging. Sending is driven by the sd-event loop (NotifyLoop)
 * and reports back through a callback on it: webhooks through curl multi on the loop, e-mail on a
 * thread per message (libcurl's SMTP blocks; notify-thread.c), which the loop cuts at its deadline;
 * a directory notifier writes its files there and then.
 *
 * What a notice looks like is documented in labourwatch.yaml(5) (NOTIFICATIONS) and the webhook
 * payload in packaging/docs/webhook.md. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "labourwatch/config.h"
#include "labourwatch/format.h"

/* ---- templates ---- */

typedef enum NotifyTemplateId {
        NOTIFY_TEMPLATE_SUBJECT,    /* subject.LANG.txt: one line */
        NOTIFY_TEMPLATE_TEXT,       /* mail.LANG.txt: the text part */
        NOTIFY_TEMPLATE_TEXT_EVENT, /* event.LANG.txt: one goal in the text part ({{events}}) */
        NOTIFY_TEMPLATE_HTML,       /* mail.LANG.html: the HTML part */
        NOTIFY_TEMPLATE_HTML_EVENT, /* event.LANG.html: one goal in the HTML part */
        _NOTIFY_TEMPLATE_MAX,
        _NOTIFY_TEMPLATE_INVALID = -EINVAL,
} NotifyTemplateId;

typedef struct NotifyTemplates NotifyTemplates;

/* File name of a template in a language ("mail.da.html"). Static string. */
const char *notify_template_file(NotifyTemplateId id, Language l);

/* The built-in default of a template (the same text as etc/templates/). Static string. */
const char *notify_template_builtin(NotifyTemplateId id, Language l);

/* Loads every template from dir; a file that is absent falls back to the built-in default. dir
 * NULL: the built-in defaults only. On an unknown placeholder or an unterminated "{{" returns
 * -EINVAL and appends "FILE:LINE:COL: …" errors to *errors (may be NULL). Caller owns *ret
 * (notify_templates_free). */
int notify_templates_load(const char *dir, NotifyTemplates **ret, ConfigErrors *errors);
NotifyTemplates *notify_templates_free(NotifyTemplates *t);

/* For `labourwatch check`: checks the template files in dir, appending one error per problem to
 * *errors. Returns 0 when every file is valid (or dir holds no templates), -EINVAL otherwise. */
int notify_templates_check(const char *dir, ConfigErrors *errors);

/* The templates directory of a configuration (Config.templates_dir, which config.c defaults to
 * templates/ beside the main file when it exists), or NULL: the built-in templates. Caller owns. */
char *notify_templates_dir(const Config *c);

/* ---- rendering ---- */

typedef struct NotifyMessage {
        char *subject; /* UTF-8, one line, no control characters */
        char *text;    /* text part, UTF-8, "\n" line ends */
        char *html;    /* HTML part, UTF-8 */
        char *eml;     /* the whole RFC 5322 message, CRLF line ends: what SMTP sends */
        size_t eml_size;
        char *json;         /* the generic webhook payload (packaging/docs/webhook.md) */
        char *teams;        /* a Microsoft Teams Workflows message with an Adaptive Card */
        char *message_id;   /* "<…>", derived from the idempotency key */
        char *from_address; /* envelope sender (smtp), may be NULL */
        char *to_address;   /* envelope recipient, NULL when the notice has no recipient */
        char *key;          /* the idempotency key */
        char *type;         /* "goals", "data_problems" or "test" */
} NotifyMessage;

/* A goal's chart, shown in the HTML part right after the goal's event (multipart/related, cid:); a
 * message with several goals (a digest) shows each chart at half size. The text part is unchanged. */
typedef struct NotifyImage {
        const char *goal; /* the goal id of the event it belongs to */
        const void *png;
        size_t size;
        const char *alt;   /* the text alternative: states the verdict */
        int width, height; /* CSS px to show it at; 0: 600x300 (300x150 in a digest) */
} NotifyImage;

/* A file attached to the message (multipart/mixed, Content-Disposition: attachment; a non-ASCII
 * filename in RFC 2231 form): the report of a "report" notice. */
typedef struct NotifyAttachment {
        const char *filename;     /* UTF-8 */
        const char *content_type; /* "application/pdf", "text/html; charset=utf-8" */
        const void *data;
        size_t size;
} NotifyAttachment;

typedef struct NotifyRenderArgs {
        const Config *config;             /* plan, municipality defaults; may be NULL */
        const NotifierDef *notifier;      /* from: address; may be NULL */
        const RecipientDef *recipient;    /* To:, language; may be NULL */
        const NotifyTemplates *templates; /* NULL: built-in */
        int64_t now_usec;                 /* realtime usec: Date:, sent_at */
        const NotifyImage *images;        /* charts by goal (report_charts()); may be NULL */
        size_t n_images;
        const NotifyAttachment *attachments; /* may be NULL */
        size_t n_attachments;
        const char *cover_text, *cover_html; /* a "report" notice: the report's summary, shown in
                                              * place of the events (report_build_with_cover()) */
} NotifyRenderArgs;

/* Renders one outbox payload. Returns 0 and fills *ret (caller frees with notify_message_done), or
 * -EINVAL with *ret_error (caller frees) when the payload is not a notice v1, or -ENOMEM. No text of
 * the payload or configuration can add a header: line breaks and control characters are removed
 * from every header value, non-ASCII header text is RFC 2047-encoded. */
int notify_render(const NotifyRenderArgs *a, const char *payload_json, NotifyMessage *ret, char **ret_error);
void notify_message_done(NotifyMessage *m);

/* Helpers, exposed for the tests. */

/* RFC 2047 "B" encoded words ("=?UTF-8?B?…?=", folded with CRLF SP) when s has non-ASCII bytes,
 * else s with control characters replaced by spaces. prefix_len: the length of "Subject: " so the
 * first line stays within 78 characters. Caller owns the result; NULL on OOM. */
char *notify_header_encode(const char *s, size_t prefix_len);
/* s with a backslash before each Markdown character (\\ ` * _ [ ] ( ) < > #), for Teams card text. */
char *notify_markdown_escape(const char *s);
/* Copies s with CR, LF and other control characters replaced by single spaces. */
char *notify_header_sanitize(const char *s);
/* Quoted-printable body (RFC 2045), CRLF line ends, lines at most 76 characters. */
char *notify_quoted_printable(const char *s);
/* Lower-case hex SHA-256 of s (65 bytes with the NUL). */
void notify_sha256_hex(const void *data, size_t size, char ret[static 65]);
/* Lower-case hex HMAC-SHA256(key, data) into ret (65 bytes). Returns 0 or -EIO. */
int notify_hmac_sha256_hex(const void *key, size_t key_size, const void *data, size_t size,
                           char ret[static 65]);
/* Is the host of an smtp:// URL a loopback address (127.0.0.0/8, ::1, localhost)? */
bool notify_url_is_loopback(const char *url);

/* ---- sending ---- */

typedef struct NotifyLoop NotifyLoop;

typedef struct CurlGlue CurlGlue;

/* The channels' transfers on an sd-event loop (the curl glue of curl-glue.h): a glue of its own, or
 * (_with_glue) the process's one, on which the loop takes a reference. */
int notify_loop_new(sd_event *e, NotifyLoop **ret);
int notify_loop_new_with_glue(CurlGlue *g, NotifyLoop **ret);
NotifyLoop *notify_loop_free(NotifyLoop *l); /* cancel deliveries (notify_send_cancel) first */

typedef struct NotifyResult {
        bool ok;
        bool permanent;            /* failed and retrying cannot help (a 4xx webhook, an SMTP 55x) */
        long code;                 /* SMTP reply or HTTP status; 0 when none */
        uint64_t retry_after_usec; /* Retry-After; 0 when none */
        char *reply;               /* what the server said (or curl's error); never a secret */
        /* Failed because of the notifier's configuration (wrong credentials, no STARTTLS where TLS
         * is required, an untrusted certificate): retrying as it is cannot help, fixing a setting
         * can. cause names the root cause for "said once" ("smtp-login", "smtp-starttls",
         * "tls-verify"), fix says which setting to fix; both static strings, NULL otherwise. */
        const char *cause;
        const char *fix;
        const char *transcript;    /* SMTP: every reply line of the session; webhook: the response
                                    * body (both capped at 16 KiB); NULL when none. Valid during
                                    * the callback. */
} NotifyResult;

typedef struct NotifySend NotifySend;
/* Called exactly once per successful notify_send(), on the loop (never from within notify_send). */
typedef void (*notify_send_done_t)(const NotifyResult *r, void *userdata);

typedef struct NotifyChannel {
        NotifierKind kind;
        /* Starts delivery of m through n. Returns 0 (done will be called) or negative errno with
         * *ret_error (caller frees): nothing was attempted. */
        int (*send)(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                    notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error);
} NotifyChannel;

/* The channel of a notifier kind, NULL when there is none in this build. */
const NotifyChannel *notify_channel(NotifierKind k);
/* Starts delivery through the right channel. *ret (may be NULL) identifies the delivery for
 * notify_send_cancel. */
int notify_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error);
/* Cancels a delivery that has not completed: done is not called. */
void notify_send_cancel(NotifySend *s);

extern const NotifyChannel notify_channel_smtp, notify_channel_webhook, notify_channel_directory,
        notify_channel_alertmanager;

/* The Alertmanager /api/v2/alerts body for a rendered notice (NotifyMessage.json): one alert per
 * goal event (notify-alertmanager.c). Returns 0 and *ret (caller frees), -EINVAL with *ret_error,
 * or -ENOMEM. Pure. */
int notify_alertmanager_body(const char *notice_json, int64_t now_usec, char **ret, char **ret_error);

/* The signature header value "t=<unix>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>". Caller owns. */
char *notify_webhook_signature(const char *key, size_t key_size, int64_t unix_time, const char *body);
