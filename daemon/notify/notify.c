/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering a notice (outbox payload v1, see notify.h) into subject, text, HTML, the RFC 5322
 * message, the webhook JSON and a Teams card; the message templates; the channel table.
 *
 * The message bytes are built here rather than by curl's MIME API so that the directory notifier
 * can store exactly what SMTP sends (and a test can compare the two), with a boundary derived from
 * the idempotency key: a resend after a crash is byte-for-byte the same message. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "labourwatch/format.h"
#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/text.h"
#include "notify-sources.h"
#include "notify-templates.h" /* generated from etc/templates/ (CMakeLists.txt) */

#define NOTIFY_TEMPLATE_MAX_SIZE (UINT64_C(256) * 1024)

/* ---- a growing string ---- */

typedef struct Buf {
        char *s;
        size_t n, alloc;
        bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
        if (b->oom)
                return;
        if (GREEDY_REALLOC(b->s, b->alloc, b->n + n + 1) < 0) {
                b->oom = true;
                return;
        }
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = 0;
}

static void buf_puts(Buf *b, const char *s)
{
        buf_add(b, s, strlen(s));
}

_printf_(2, 3) static void buf_printf(Buf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (b->oom)
                return;
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || GREEDY_REALLOC(b->s, b->alloc, b->n + (size_t) n + 1) < 0) {
                b->oom = true;
                return;
        }
        va_start(ap, fmt);
        vsnprintf(b->s + b->n, (size_t) n + 1, fmt, ap);
        va_end(ap);
        b->n += (size_t) n;
}

/* Returns the string (caller owns) or NULL on OOM; the Buf is empty afterwards. */
static char *buf_take(Buf *b)
{
        char *s;

        if (b->oom) {
                free(b->s);
                *b = (Buf){};
                return NULL;
        }
        s = b->s ? b->s : strdup("");
        *b = (Buf){};
        return s;
}

static void buf_done(Buf *b)
{
        free(b->s);
        *b = (Buf){};
}

static void html_escape(Buf *b, const char *s)
{
        for (; *s; s++)
                switch (*s) {
                case '<':
                        buf_puts(b, "&lt;");
                        break;
                case '>':
                        buf_puts(b, "&gt;");
                        break;
                case '&':
                        buf_puts(b, "&amp;");
                        break;
                case '"':
                        buf_puts(b, "&quot;");
                        break;
                case '\'':
                        buf_puts(b, "&#39;");
                        break;
                default:
                        buf_add(b, s, 1);
                }
}

/* ---- header and body encodings ---- */

char *notify_header_sanitize(const char *s)
{
        Buf b = {};
        bool space = false;

        for (const unsigned char *p = (const unsigned char *) strempty(s); *p; p++) {
                if (*p < 0x20 || *p == 0x7f) {
                        /* CR, LF, TAB and every other control: one space, so "a\r\nBcc: x" can
                         * never start a header line of its own. */
                        if (!space)
                                buf_add(&b, " ", 1);
                        space = true;
                        continue;
                }
                space = false;
                buf_add(&b, (const char *) p, 1);
        }
        return buf_take(&b);
}

static bool is_ascii(const char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s >= 0x80)
                        return false;
        return true;
}

static void base64(Buf *b, const unsigned char *in, size_t n)
{
        static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) in[i] << 16 | (i + 1 < n ? (uint32_t) in[i + 1] << 8 : 0) |
                             (i + 2 < n ? in[i + 2] : 0);
                char o[4] = { tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
                              i + 2 < n ? tab[v & 63] : '=' };
                buf_add(b, o, 4);
        }
}

char *notify_header_encode(const char *s, size_t prefix_len)
{
        _cleanup_free_ char *clean = notify_header_sanitize(s);
        Buf b = {};
        size_t i = 0, n;

        if (!clean)
                return NULL;
        if (is_ascii(clean))
                return TAKE_PTR(clean);

        /* RFC 2047: an encoded word is at most 75 characters, a line at most 78 here (RFC 5322's
         * SHOULD). "=?UTF-8?B?" + "?=" is 12; the rest is base64, 4 characters per 3 bytes. A word
         * never ends inside a UTF-8 sequence (RFC 2047 5.3). */
        n = strlen(clean);
        while (i < n) {
                size_t used = i == 0 ? MIN(prefix_len, (size_t) 60) : 1;
                size_t take = MIN((78 - used - 12) / 4 * 3, (size_t) 45);

                take = MIN(take, n - i);
                while (take > 1 && i + take < n && ((unsigned char) clean[i + take] & 0xc0) == 0x80)
                        take--;
                /* Split after a space where the word has one: adjacent encoded words are joined by
                 * RFC 2047 readers, but some (Python's address parser among them) keep the folding
                 * white space, which inside a word reads "de mo". */
                if (i + take < n) {
                        size_t k = take;

                        while (k > 1 && clean[i + k - 1] != ' ')
                                k--;
                        if (k > 1)
                                take = k;
                }
                if (i > 0)
                        buf_puts(&b, "\r\n ");
                buf_puts(&b, "=?UTF-8?B?");
                base64(&b, (const unsigned char *) clean + i, take);
                buf_puts(&b, "?=");
                i += take;
        }
        return buf_take(&b);
}

char *notify_quoted_printable(const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        Buf b = {};
        size_t col = 0;

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                char enc[3];
                size_t len;

                if (*p == '\r')
                        continue;
                if (*p == '\n') {
                        buf_puts(&b, "\r\n");
                        col = 0;
                        continue;
                }
                /* Whitespace at the end of a line, '=', non-ASCII and controls are encoded; a '.' at
                 * the start of a line too, so no SMTP server ever sees a lone "." line. */
                bool encode = ((*p == ' ' || *p == '\t') && (p[1] == '\n' || p[1] == '\r' || p[1] == 0)) ||
                              *p == '=' || *p >= 0x7f || (*p < 0x20 && *p != '\t');

                if (col + (encode ? 3 : 1) > 75) {
                        buf_puts(&b, "=\r\n");
                        col = 0;
                }
                if (*p == '.' && col == 0)
                        encode = true;
                if (encode)
                        enc[0] = '=', enc[1] = hex[*p >> 4], enc[2] = hex[*p & 15], len = 3;
                else
                        enc[0] = (char) *p, len = 1;
                buf_add(&b, enc, len);
                col += len;
        }
        return buf_take(&b);
}

void notify_sha256_hex(const void *data, size_t size, char ret[static 65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        if (EVP_Digest(data, size, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
                memset(ret, '0', 64);
                ret[64] = 0;
                return;
        }
        for (unsigned i = 0; i < 32; i++)
                snprintf(ret + 2 * i, 3, "%02x", md[i]);
}

int notify_hmac_sha256_hex(const void *key, size_t key_size, const void *data, size_t size,
                           char ret[static 65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        if (!HMAC(EVP_sha256(), key, (int) MIN(key_size, (size_t) INT32_MAX), data, size, md, &len) ||
            len != 32)
                return -EIO;
        for (unsigned i = 0; i < 32; i++)
                snprintf(ret + 2 * i, 3, "%02x", md[i]);
        return 0;
}

char *notify_webhook_signature(const char *key, size_t key_size, int64_t unix_time, const char *body)
{
        _cleanup_free_ char *signed_text = strdup_printf("%" PRId64 ".%s", unix_time, body);
        char hex[65];

        if (!signed_text || notify_hmac_sha256_hex(key, key_size, signed_text, strlen(signed_text), hex) < 0)
                return NULL;
        return strdup_printf("t=%" PRId64 ",v1=%s", unix_time, hex);
}

bool notify_url_is_loopback(const char *url)
{
        const char *h, *e;
        char host[256];

        if (!url)
                return false;
        h = strstr(url, "://");
        h = h ? h + 3 : url;
        /* skip userinfo */
        e = h + strcspn(h, "/?#");
        for (const char *at = h; at < e; at++)
                if (*at == '@')
                        h = at + 1;
        if (*h == '[') {
                e = strchr(h, ']');
                if (!e || (size_t) (e - h - 1) >= sizeof(host))
                        return false;
                memcpy(host, h + 1, (size_t) (e - h - 1));
                host[e - h - 1] = 0;
                return streq(host, "::1");
        }
        e = h + strcspn(h, ":/?#");
        if ((size_t) (e - h) >= sizeof(host))
                return false;
        memcpy(host, h, (size_t) (e - h));
        host[e - h] = 0;
        if (strcasecmp(host, "localhost") == 0)
                return true;
        /* 127.0.0.0/8, written as a dotted quad */
        {
                unsigned a, b, c, d;
                char extra;
                if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4 && a == 127 && b < 256 &&
                    c < 256 && d < 256)
                        return true;
        }
        return false;
}

/* ---- templates ---- */

static const char *const template_files[_NOTIFY_TEMPLATE_MAX][_LANGUAGE_MAX] = {
        [NOTIFY_TEMPLATE_SUBJECT] = { "subject.da.txt", "subject.en.txt" },
        [NOTIFY_TEMPLATE_TEXT] = { "mail.da.txt", "mail.en.txt" },
        [NOTIFY_TEMPLATE_TEXT_EVENT] = { "event.da.txt", "event.en.txt" },
        [NOTIFY_TEMPLATE_HTML] = { "mail.da.html", "mail.en.html" },
        [NOTIFY_TEMPLATE_HTML_EVENT] = { "event.da.html", "event.en.html" },
};

static const char *const template_builtins[_NOTIFY_TEMPLATE_MAX][_LANGUAGE_MAX] = {
        [NOTIFY_TEMPLATE_SUBJECT] = { template_subject_da_txt, template_subject_en_txt },
        [NOTIFY_TEMPLATE_TEXT] = { template_mail_da_txt, template_mail_en_txt },
        [NOTIFY_TEMPLATE_TEXT_EVENT] = { template_event_da_txt, template_event_en_txt },
        [NOTIFY_TEMPLATE_HTML] = { template_mail_da_html, template_mail_en_html },
        [NOTIFY_TEMPLATE_HTML_EVENT] = { template_event_da_html, template_event_en_html },
};

/* The placeholders of a message template and of an event template. */
static const char *const message_names[] = {
        "plan",      "municipality", "recipient", "summary",  "intro",
        "eval_date", "key",          "events",    "problems", "subject", "series_ids",
};
static const char *const event_names[] = {
        "goal",
        "title",
        "headline",
        "event",
        "status",
        "status_label",
        "previous_status_label",
        "status_colour",
        "verdict",
        "chance",
        "change",
        "value",
        "value_label",
        "period",
        "goal_period",
        "target",
        "projected",
        "gap",
        "pace_needed",
        "recent_pace",
        "off_track_since",
        "revised",
        "sources",
        "plan",
};

struct NotifyTemplates {
        char *text[_NOTIFY_TEMPLATE_MAX][_LANGUAGE_MAX];
};

const char *notify_template_file(NotifyTemplateId id, Language l)
{
        if (id < 0 || id >= _NOTIFY_TEMPLATE_MAX || l < 0 || l >= _LANGUAGE_MAX)
                return NULL;
        return template_files[id][l];
}

const char *notify_template_builtin(NotifyTemplateId id, Language l)
{
        if (id < 0 || id >= _NOTIFY_TEMPLATE_MAX || l < 0 || l >= _LANGUAGE_MAX)
                return NULL;
        return template_builtins[id][l];
}

static bool is_event_template(NotifyTemplateId id)
{
        return id == NOTIFY_TEMPLATE_TEXT_EVENT || id == NOTIFY_TEMPLATE_HTML_EVENT;
}

static bool name_known(NotifyTemplateId id, const char *name, size_t len)
{
        const char *const *names = is_event_template(id) ? event_names : message_names;
        size_t n = is_event_template(id) ? ELEMENTSOF(event_names) : ELEMENTSOF(message_names);

        for (size_t i = 0; i < n; i++)
                if (strlen(names[i]) == len && strneq(names[i], name, len))
                        return !(id == NOTIFY_TEMPLATE_SUBJECT && streq(names[i], "subject"));
        return false;
}

static int config_errors_add(ConfigErrors *e, const char *file, unsigned line, unsigned col, char *message)
{
        _cleanup_free_ char *m = message;

        if (!e)
                return 0;
        if (!m || GREEDY_REALLOC(e->items, e->n_alloc, e->n_items + 1) < 0)
                return -ENOMEM;
        e->items[e->n_items] =
                (ConfigError){ .file = strdup(file), .line = line, .column = col, .message = m };
        if (!e->items[e->n_items].file)
                return -ENOMEM;
        TAKE_PTR(m);
        e->n_items++;
        return 0;
}

/* Checks every "{{name}}" of a template. Returns the number of problems (each appended to errors),
 * or -ENOMEM. Columns count characters, not bytes. */
static int template_check(NotifyTemplateId id, const char *file, const char *text, ConfigErrors *errors)
{
        unsigned line = 1, col = 1;
        int problems = 0;

        for (const char *p = text; *p;) {
                if (p[0] == '{' && p[1] == '{') {
                        const char *name = p + 2, *end = strstr(name, "}}");
                        const char *nl = strchr(name, '\n');
                        size_t len;

                        if (!end || (nl && nl < end)) {
                                if (config_errors_add(
                                            errors, file, line, col,
                                            strdup("'{{' without a closing '}}' on the same line")) < 0)
                                        return -ENOMEM;
                                problems++;
                                p += 2, col += 2;
                                continue;
                        }
                        len = (size_t) (end - name);
                        if (!name_known(id, name, len)) {
                                if (config_errors_add(
                                            errors, file, line, col,
                                            strdup_printf("unknown placeholder '{{%.*s}}' (see %s)",
                                                          (int) MIN(len, (size_t) 64), name,
                                                          "labourwatch.yaml(5), TEMPLATES")) < 0)
                                        return -ENOMEM;
                                problems++;
                        }
                        for (const char *q = p; q < end + 2; q++)
                                col += ((unsigned char) *q & 0xc0) != 0x80;
                        p = end + 2;
                        continue;
                }
                if (*p == '\n')
                        line++, col = 1;
                else if (((unsigned char) *p & 0xc0) != 0x80)
                        col++;
                p++;
        }
        return problems;
}

NotifyTemplates *notify_templates_free(NotifyTemplates *t)
{
        if (!t)
                return NULL;
        for (int i = 0; i < _NOTIFY_TEMPLATE_MAX; i++)
                for (int l = 0; l < _LANGUAGE_MAX; l++)
                        free(t->text[i][l]);
        free(t);
        return NULL;
}

static inline void notify_templates_freep(NotifyTemplates **t)
{
        notify_templates_free(*t);
}

int notify_templates_load(const char *dir, NotifyTemplates **ret, ConfigErrors *errors)
{
        _cleanup_(notify_templates_freep) NotifyTemplates *t = calloc(1, sizeof(NotifyTemplates));
        bool bad = false;
        int r;

        if (!t)
                return -ENOMEM;
        for (int i = 0; i < _NOTIFY_TEMPLATE_MAX; i++)
                for (int l = 0; l < _LANGUAGE_MAX; l++) {
                        _cleanup_free_ char *path = NULL, *text = NULL;

                        if (dir) {
                                path = strdup_printf("%s/%s", dir, template_files[i][l]);
                                if (!path)
                                        return -ENOMEM;
                                r = read_full_file(path, NOTIFY_TEMPLATE_MAX_SIZE, &text, NULL);
                                if (r < 0 && r != -ENOENT) {
                                        if (config_errors_add(errors, path, 0, 0,
                                                              strdup_printf("cannot read template: %s",
                                                                            strerror(-r))) < 0)
                                                return -ENOMEM;
                                        bad = true;
                                        continue;
                                }
                        }
                        if (text) {
                                r = template_check((NotifyTemplateId) i, path, text, errors);
                                if (r < 0)
                                        return r;
                                if (r > 0)
                                        bad = true;
                                t->text[i][l] = TAKE_PTR(text);
                        } else {
                                t->text[i][l] = strdup(template_builtins[i][l]);
                                if (!t->text[i][l])
                                        return -ENOMEM;
                        }
                }
        if (bad)
                return -EINVAL;
        *ret = TAKE_PTR(t);
        return 0;
}

int notify_templates_check(const char *dir, ConfigErrors *errors)
{
        NotifyTemplates *t = NULL;
        int r;

        if (!dir)
                return 0;
        r = notify_templates_load(dir, &t, errors);
        notify_templates_free(t);
        return r;
}

char *notify_templates_dir(const Config *c)
{
        /* config.c resolves the default (templates/ beside the main file when it exists). */
        return c ? strdup_or_null(c->templates_dir) : NULL;
}

/* ---- expansion ---- */

typedef struct Var {
        const char *name;
        const char *value; /* NULL = empty */
        bool raw;          /* already HTML (events, problems) */
} Var;

#define VAR(n, v)                                                                                           \
        {                                                                                                   \
                .name = (n), .value = (v), .raw = false                                                     \
        }
#define VAR_RAW(n)                                                                                          \
        {                                                                                                   \
                .name = (n), .value = NULL, .raw = true                                                     \
        }

static const Var *var_find(const Var *vars, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(vars[i].name) == len && strneq(vars[i].name, name, len))
                        return &vars[i];
        return NULL;
}

/* Expands a template line by line. A line with placeholders that all expand to nothing is left out,
 * so optional rows disappear. Unknown placeholders (a template that was not checked) expand to
 * nothing. */
static void expand(Buf *out, const char *tmpl, const Var *vars, size_t n_vars, bool html)
{
        const char *line = tmpl;

        while (*line) {
                const char *eol = strchr(line, '\n');
                const char *end = eol ? eol + 1 : line + strlen(line);
                Buf l = {};
                unsigned placeholders = 0, filled = 0;

                for (const char *p = line; p < end;) {
                        const char *close;

                        if (p[0] == '{' && p[1] == '{' && (close = strstr(p + 2, "}}")) && close < end) {
                                const Var *v = var_find(vars, n_vars, p + 2, (size_t) (close - p - 2));

                                placeholders++;
                                if (v && v->value && *v->value) {
                                        filled++;
                                        if (html && !v->raw)
                                                html_escape(&l, v->value);
                                        else
                                                buf_puts(&l, v->value);
                                }
                                p = close + 2;
                                continue;
                        }
                        buf_add(&l, p, 1);
                        p++;
                }
                if (placeholders == 0 || filled > 0)
                        buf_add(out, l.s ? l.s : "", l.n);
                if (l.oom)
                        out->oom = true;
                buf_done(&l);
                line = end;
        }
}

/* The text part's figure block: rows "  Label: value". The widest label sets one column for every
 * value of the block ("Gennemsnit januar–juni 2024:" is longer than the template's padding), counted
 * in characters, not bytes (issue 23). */
static bool figure_row(const char *line, const char *eol, const char **ret_colon)
{
        const char *c;

        if (eol - line < 4 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ')
                return false;
        for (c = line + 2; c + 1 < eol; c++)
                if (c[0] == ':' && c[1] == ' ') {
                        *ret_colon = c;
                        return true;
                }
        return false;
}

static size_t utf8_width(const char *s, const char *end)
{
        size_t w = 0;

        for (; s < end; s++)
                if (((unsigned char) *s & 0xC0) != 0x80)
                        w++;
        return w;
}

static void align_figures(Buf *out, const char *block)
{
        size_t widest = 0, column = SIZE_MAX;
        bool aligned = true;
        const char *line, *colon;

        for (line = block; *line;) {
                const char *eol = strchrnul(line, '\n');
                if (figure_row(line, eol, &colon)) {
                        const char *value = colon + 1;
                        size_t c;

                        while (value < eol && *value == ' ')
                                value++;
                        c = utf8_width(line, value);
                        widest = MAX(widest, utf8_width(line + 2, colon));
                        if (column != SIZE_MAX && c != column)
                                aligned = false;
                        column = c;
                }
                line = *eol ? eol + 1 : eol;
        }
        if (aligned) { /* one column already (an operator's template, or labels that fit): as written */
                buf_puts(out, block);
                return;
        }
        for (line = block; *line;) {
                const char *eol = strchrnul(line, '\n');
                const char *next = *eol ? eol + 1 : eol;

                if (figure_row(line, eol, &colon)) {
                        const char *value = colon + 1;
                        size_t w = utf8_width(line + 2, colon);

                        while (value < eol && *value == ' ')
                                value++;
                        buf_add(out, line, (size_t) (colon + 1 - line));
                        for (size_t i = w; i < widest + 2; i++) /* the templates: two spaces after the widest */
                                buf_puts(out, " ");
                        buf_add(out, value, (size_t) (next - value));
                } else
                        buf_add(out, line, (size_t) (next - line));
                line = next;
        }
}

/* ---- reading the notice ---- */

static const char *jstr(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s && *s ? s : NULL;
}

static bool jnum(const json_t *o, const char *key, double *ret)
{
        json_t *v = json_object_get(o, key);

        if (!json_is_number(v))
                return false;
        *ret = json_number_value(v);
        return isfinite(*ret);
}

static const char *status_label(const char *status, Language l)
{
        GoalStatus st = goal_status_from_string(status);

        if (st < 0)
                return status;
        return text_status_label(st, language_to_string(l));
}

static const char *status_colour(const char *status)
{
        if (!status)
                return "#6b6b6b";
        if (streq(status, "on_track") || streq(status, "achieved"))
                return "#1a7f37";
        if (streq(status, "at_risk"))
                return "#9a5b00";
        if (streq(status, "off_track") || streq(status, "missed"))
                return "#b3261e";
        return "#6b6b6b";
}

typedef enum EventKind {
        EVENT_MISSED,
        EVENT_FIRING,
        EVENT_REPEAT,
        EVENT_REVISED,
        EVENT_AT_RISK,
        EVENT_RESOLVED,
        EVENT_ACHIEVED,
        _EVENT_MAX,
        _EVENT_INVALID = -EINVAL,
} EventKind;

static const char *const event_table[_EVENT_MAX] = {
        [EVENT_MISSED] = "missed",     [EVENT_FIRING] = "firing",   [EVENT_REPEAT] = "repeat",
        [EVENT_REVISED] = "revised",   [EVENT_AT_RISK] = "at_risk", [EVENT_RESOLVED] = "resolved",
        [EVENT_ACHIEVED] = "achieved",
};

static EventKind event_from_string(const char *s)
{
        for (int i = 0; s && i < _EVENT_MAX; i++)
                if (streq(event_table[i], s))
                        return (EventKind) i;
        return _EVENT_INVALID;
}

static const char *const event_change[_EVENT_MAX][_LANGUAGE_MAX] = {
        /* missed, achieved: no sentence; the badge and the verdict ("Målet … er ikke nået: …, 3,4 for
         * mange") say it, once (issue 23) */
        [EVENT_FIRING] = { "Målet er ikke længere på rette spor.", "The goal is no longer on track." },
        [EVENT_REPEAT] = { "Påmindelse: målet er stadig ikke på rette spor.",
                           "Reminder: the goal is still off track." },
        [EVENT_REVISED] = { "Tidligere offentliggjorte tal er blevet revideret, og det ændrer vurderingen.",
                            "Figures published earlier were revised, and that changes the verdict." },
        [EVENT_AT_RISK] = { "Målet er tæt på målkurven og kan let glide af sporet.",
                            "The goal is close to its target path and could easily slip." },
        [EVENT_RESOLVED] = { "Målet er tilbage på rette spor, med margen til målkurven (ud over "
                             "tolerancen).",
                             "The goal is back on track, with a margin to the target path beyond the "
                             "tolerance." },
};

/* Summary phrases for the subject, after the number of goals: [kind][language][plural]. firing and
 * repeat count together. Sentences, so in the words of text.c's sentences ("Målet … er ikke på rette
 * spor", "er i fare"); a status as a word (the badge) is text_status_label()'s. */
static const char *const summary_phrase[_EVENT_MAX][_LANGUAGE_MAX][2] = {
        [EVENT_MISSED] = { { "mål er ikke nået", "mål er ikke nået" }, { "goal missed", "goals missed" } },
        [EVENT_FIRING] = { { "mål er ikke på rette spor", "mål er ikke på rette spor" },
                           { "goal off track", "goals off track" } },
        [EVENT_REVISED] = { { "mål har reviderede tal", "mål har reviderede tal" },
                            { "goal with revised figures", "goals with revised figures" } },
        [EVENT_AT_RISK] = { { "mål er i fare", "mål er i fare" }, { "goal at risk", "goals at risk" } },
        [EVENT_RESOLVED] = { { "mål er tilbage på rette spor", "mål er tilbage på rette spor" },
                             { "goal back on track", "goals back on track" } },
        [EVENT_ACHIEVED] = { { "mål er nået", "mål er nået" }, { "goal achieved", "goals achieved" } },
};

typedef struct Ctx {
        Language lang;
        const char *plan, *municipality;
        json_t *root;
        bool *image_used;            /* per NotifyRenderArgs.images: shown in the HTML part */
        const NotifyImage **by_goal; /* the images sorted by goal id, for lookup */
} Ctx;

static void fmt_period_code(const char *code, Language l, char *buf, size_t size)
{
        Period p;

        if (code && period_parse(code, &p) >= 0)
                format_period(p, l, buf, size);
        else
                snprintf(buf, size, "%s", strempty(code));
}

static void fmt_usec_date(int64_t usec, Language l, char *buf, size_t size)
{
        time_t t = (time_t) (usec / (int64_t) USEC_PER_SEC);
        struct tm tm;

        if (usec <= 0 || !gmtime_r(&t, &tm)) {
                snprintf(buf, size, "%s", "");
                return;
        }
        format_date((Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday }, l, buf, size);
}

static char *with_unit(double v, bool sign, const char *unit, Language l)
{
        char n[FORMAT_NUMBER_MAX];

        if (sign)
                format_value_signed(v, l, n, sizeof(n));
        else
                format_value(v, l, n, sizeof(n));
        format_minus(n, sizeof(n)); /* "−", as text.c writes it */
        if (!unit || !*unit)
                return strdup(n);
        if (streq(unit, "%"))
                return strdup_printf("%s %%", n);
        return strdup_printf("%s %s", n, unit);
}

typedef struct EventText {
        char *value, *value_label, *period, *goal_period, *target, *projected, *gap, *pace_needed, *recent_pace,
                *off_track_since, *revised, *sources, *title, *verdict, *prev_label, *chance;
} EventText;

static void event_text_done(EventText *t)
{
        free(t->value), free(t->value_label), free(t->period), free(t->goal_period), free(t->target), free(t->projected),
                free(t->gap);
        free(t->pace_needed), free(t->recent_pace), free(t->off_track_since), free(t->revised),
                free(t->sources);
        free(t->title), free(t->verdict), free(t->prev_label), free(t->chance);
        *t = (EventText){};
}

static bool event_is_final(const json_t *ev)
{
        EventKind k = event_from_string(jstr(ev, "event"));
        const char *st = jstr(ev, "status");

        return k == EVENT_MISSED || k == EVENT_ACHIEVED || (st && (streq(st, "missed") || streq(st, "achieved")));
}

static char *clean_dup(const char *s)
{
        return s ? notify_header_sanitize(s) : NULL;
}

static int event_text(const Ctx *x, const json_t *ev, EventText *t)
{
        const json_t *res = json_object_get(ev, "result");
        bool en = x->lang == LANGUAGE_EN;
        const char *unit = jstr(res, en ? "unit_en" : "unit");
        const char *pace_unit = jstr(res, en ? "pace_unit_en" : "pace_unit");
        const char *freq = jstr(res, "frequency");
        char buf[FORMAT_PERIOD_MAX];
        bool share;
        double v;

        t->title = clean_dup(jstr(ev, en ? "title_en" : "title_da") ?: jstr(ev, "title_da") ?: jstr(ev, "goal"));
        t->verdict = clean_dup(jstr(res, en ? "explanation_en" : "explanation") ?: jstr(res, "explanation"));
        /* the chance in words (text_chance, issue 17 §3); a finished period has none */
        if (!event_is_final(ev))
                t->chance = clean_dup(jstr(res, en ? "chance_text_en" : "chance_text"));
        if (jstr(res, "period")) {
                fmt_period_code(jstr(res, "period"), x->lang, buf, sizeof(buf));
                t->period = strdup(buf);
        }
        /* the value and its row label by the goal's aggregate ("Gennemsnit januar–juni 2024": an
         * average goal's value is no latest value) from the text module; a notice stored before it
         * gave them: the number and its latest period */
        if (jstr(res, en ? "value_text_en" : "value_text"))
                t->value = clean_dup(jstr(res, en ? "value_text_en" : "value_text"));
        else if (jnum(res, "value", &v))
                t->value = with_unit(v, false, unit, x->lang);
        if (t->value) {
                if (jstr(res, en ? "value_label_en" : "value_label"))
                        t->value_label = clean_dup(jstr(res, en ? "value_label_en" : "value_label"));
                else
                        t->value_label = t->period ? strdup_printf(en ? "Value (%s)" : "Værdi (%s)", t->period)
                                                   : strdup(en ? "Value" : "Værdi");
        }
        if (jstr(res, "goal_period")) {
                fmt_period_code(jstr(res, "goal_period"), x->lang, buf, sizeof(buf));
                t->goal_period = strdup(buf);
        }
        if (jnum(res, "target", &v)) {
                /* which way, as eval and the report say it: "højst 95 fuldtidspersoner", "top 10" */
                const char *dir = jstr(res, "direction"), *kind = jstr(res, "kind");
                _cleanup_free_ char *n = with_unit(v, false, kind && streq(kind, "rank") ? NULL : unit, x->lang);
                if (n && kind && streq(kind, "rank"))
                        t->target = strdup_printf("top %s", n);
                else if (n && dir && (streq(dir, "at_most") || streq(dir, "at_least")))
                        t->target = strdup_printf("%s %s",
                                                  streq(dir, "at_most") ? (en ? "at most" : "højst")
                                                                        : (en ? "at least" : "mindst"),
                                                  n);
                else
                        t->target = TAKE_PTR(n);
        }
        /* a finished period has a final figure, not a projection: no "Fremskrevet" row (issue 23) */
        if (!event_is_final(ev) && jnum(res, "projected", &v)) {
                if (jstr(res, "kind") && streq(jstr(res, "kind"), "rank")) {
                        _cleanup_free_ char *n = with_unit(v, false, NULL, x->lang);
                        t->projected = n ? strdup_printf(en ? "no. %s" : "nr. %s", n) : NULL;
                } else
                        t->projected = with_unit(v, false, unit, x->lang);
        }
        /* A share's gap is a difference of two percentages (points), and its pace is the share
         * needed in the periods left (a level, not a change). */
        share = jstr(res, "kind") && streq(jstr(res, "kind"), "share");
        /* the gap in words that say which way is good ("11 for mange"), when the evaluation gave them */
        if (jstr(res, en ? "gap_text_en" : "gap_text"))
                t->gap = clean_dup(jstr(res, en ? "gap_text_en" : "gap_text"));
        else if (jnum(res, "gap", &v))
                t->gap = with_unit(v, true, share ? (en ? "percentage points" : "procentpoint") : unit,
                                   x->lang);
        /* the paces in words that say which way ("fald på 7 fuldtidspersoner om måneden"), never a
         * signed demand; a notice stored before the text module gave them: the numbers */
        if (jstr(res, "pace_text") || jstr(res, "recent_pace_text")) {
                t->pace_needed = clean_dup(jstr(res, en ? "pace_text_en" : "pace_text"));
                t->recent_pace = clean_dup(jstr(res, en ? "recent_pace_text_en" : "recent_pace_text"));
        } else if (jnum(res, "pace_needed", &v) || jnum(res, "recent_pace", &v)) {
                PeriodFreq f = period_freq_from_string(freq);
                const char *per = f >= 0 ? format_freq_unit(f, x->lang) : NULL;
                _cleanup_free_ char *pu =
                        per && pace_unit && !streq(pace_unit, "%")
                                ? strdup_printf("%s %s %s", pace_unit, en ? "per" : "pr.", per)
                                : strdup_or_null(pace_unit);
                if (jnum(res, "pace_needed", &v))
                        t->pace_needed = with_unit(v, !share, pu, x->lang);
                if (jnum(res, "recent_pace", &v))
                        t->recent_pace = with_unit(v, !share, pu, x->lang);
        }
        if (jstr(ev, "off_track_since")) {
                fmt_period_code(jstr(ev, "off_track_since"), x->lang, buf, sizeof(buf));
                t->off_track_since = strdup(buf);
        }
        {
                const json_t *rev = json_object_get(ev, "revised");
                double o, n;
                if (json_is_object(rev) && jnum(rev, "old", &o) && jnum(rev, "new", &n)) {
                        char a[FORMAT_NUMBER_MAX], b[FORMAT_NUMBER_MAX];
                        fmt_period_code(jstr(rev, "period"), x->lang, buf, sizeof(buf));
                        t->revised = strdup_printf(en ? "%s: %s, before %s" : "%s: %s, før %s", buf,
                                                   format_value(n, x->lang, a, sizeof(a)),
                                                   format_value(o, x->lang, b, sizeof(b)));
                }
        }
        /* the publishers by their display names; the series ids go to the message's footer */
        t->sources = notify_sources_text(json_object_get(ev, "sources"), x->lang);
        {
                const char *p = jstr(ev, "previous_status");
                t->prev_label = p ? strdup(status_label(p, x->lang)) : NULL;
        }
        return 0;
}

static void render_event(const Ctx *x, const json_t *ev, const EventText *t, const char *tmpl, bool html,
                         Buf *out)
{
        EventKind k = event_from_string(jstr(ev, "event"));
        const char *status = jstr(ev, "status");
        _cleanup_free_ char *goal = clean_dup(jstr(ev, "goal")),
                            *plan = clean_dup(jstr(ev, "plan") ?: x->plan),
                            *event = clean_dup(jstr(ev, "event")), *st = clean_dup(status);
        const Var vars[] = {
                VAR("goal", goal),
                VAR("title", t->title),
                /* the status word of eval, the report and the charts (text_status_label): what
                 * the event means is said by {{change}} */
                VAR("headline", status_label(st, x->lang)),
                VAR("event", event),
                VAR("status", st),
                VAR("status_label", status_label(st, x->lang)),
                VAR("previous_status_label", t->prev_label),
                VAR("status_colour", status_colour(status)),
                VAR("verdict", t->verdict),
                VAR("chance", t->chance),
                /* a goal off track at its first evaluation was never on track: no "no longer" */
                VAR("change", k >= 0 && event_change[k][x->lang] && !(k == EVENT_FIRING && !jstr(ev, "previous_status"))
                                      ? event_change[k][x->lang]
                                      : NULL),
                VAR("value", t->value),
                VAR("value_label", t->value_label),
                VAR("period", t->period),
                VAR("goal_period", t->goal_period),
                VAR("target", t->target),
                VAR("projected", t->projected),
                VAR("gap", t->gap),
                VAR("pace_needed", t->pace_needed),
                VAR("recent_pace", t->recent_pace),
                VAR("off_track_since", t->off_track_since),
                VAR("revised", t->revised),
                VAR("sources", t->sources),
                VAR("plan", plan),
        };

        if (html)
                expand(out, tmpl, vars, ELEMENTSOF(vars), html);
        else {
                Buf e = {};

                expand(&e, tmpl, vars, ELEMENTSOF(vars), html);
                if (e.oom)
                        out->oom = true;
                align_figures(out, e.s ? e.s : "");
                buf_done(&e);
        }
}

static const char *problem_label(const char *kind, Language l);

/* A data problem that is over (issue 22 §3): "resolved": true in the notice. */
static bool problem_resolved(const json_t *p)
{
        return json_is_true(json_object_get(p, "resolved"));
}

/* A data_problems notice all of whose problems are over: the resolved notice. */
static bool problems_all_resolved(const json_t *problems)
{
        size_t i;
        json_t *p;

        if (json_array_size(problems) == 0)
                return false;
        json_array_foreach(problems, i, p)
                if (!problem_resolved(p))
                        return false;
        return true;
}

/* The label of a problem in a list or a card: what it was, or that it is over. */
static const char *problem_item_label(const json_t *p, Language l)
{
        const char *kind = json_string_value(json_object_get(p, "kind")), *over;

        over = problem_resolved(p) ? text_problem_resolved_label(kind, language_to_string(l)) : NULL;
        return over ?: problem_label(kind, l);
}

static char *summary(const Ctx *x, const char *type, const json_t *events, const json_t *problems)
{
        bool en = x->lang == LANGUAGE_EN;
        unsigned counts[_EVENT_MAX] = {};
        size_t i;
        json_t *ev;
        Buf b = {};

        if (type && streq(type, "test"))
                return strdup(en ? "test message" : "testbesked");
        if (type && streq(type, "report"))
                return strdup(en ? "report on the goals" : "rapport om målene");
        if (type && streq(type, "data_problems") && problems_all_resolved(problems)) {
                char buf[64];
                return strdup(text_problems_resolved_summary(json_array_size(problems), language_to_string(x->lang),
                                                             buf, sizeof buf));
        }
        if (type && streq(type, "data_problems")) {
                size_t n = json_array_size(problems);
                return en ? strdup_printf("%zu data problem%s", n, n == 1 ? "" : "s")
                          : strdup_printf("%zu %s", n, n == 1 ? "dataproblem" : "dataproblemer");
        }
        json_array_foreach(events, i, ev)
        {
                EventKind k = event_from_string(jstr(ev, "event"));
                if (k == EVENT_REPEAT)
                        k = EVENT_FIRING;
                if (k >= 0)
                        counts[k]++;
        }
        for (int k = 0; k < _EVENT_MAX; k++) {
                if (counts[k] == 0 || !summary_phrase[k][x->lang][0])
                        continue;
                if (b.n > 0)
                        buf_puts(&b, ", ");
                buf_printf(&b, "%u %s", counts[k], summary_phrase[k][x->lang][counts[k] != 1]);
        }
        if (b.n == 0)
                buf_printf(&b, en ? "status of %zu goal%s" : "status for %zu mål", json_array_size(events),
                           en && json_array_size(events) != 1 ? "s" : "");
        return buf_take(&b);
}

static char *intro(const Ctx *x, const char *type, const char *notifier, const char *recipient)
{
        bool en = x->lang == LANGUAGE_EN;

        if (type && streq(type, "test"))
                return en ? strdup_printf("This is a test message from labourwatch through notifier '%s'. "
                                          "It needs no action.",
                                          strempty(notifier))
                          : strdup_printf("Dette er en testbesked fra labourwatch gennem notifier '%s'. "
                                          "Den kræver ingen handling.",
                                          strempty(notifier));
        if (type && streq(type, "report"))
                return recipient ? strdup_printf(en ? "Dear %s, the report on the goals is attached:"
                                                    : "Kære %s, rapporten om målene er vedhæftet:",
                                                 recipient)
                                 : strdup(en ? "The report on the goals is attached:"
                                             : "Rapporten om målene er vedhæftet:");
        if (type && streq(type, "data_problems"))
                return strdup(
                        en ? "labourwatch needs attention. Until this is fixed, goals may be judged on "
                             "old figures, or people not hear about them:"
                           : "labourwatch kræver opmærksomhed. Indtil det er rettet, kan mål blive "
                             "vurderet på gamle tal, eller nogen ikke høre om dem:");
        if (recipient)
                return strdup_printf(en ? "Dear %s, the status of these goals has changed:"
                                        : "Kære %s, status for disse mål er ændret:",
                                     recipient);
        return strdup(en ? "The status of these goals has changed:" : "Status for disse mål er ændret:");
}

static const char *problem_label(const char *kind, Language l)
{
        static const struct {
                const char *kind, *da, *en;
        } t[] = {
                { "source_failing", "Kilden svarer ikke", "Source failing" },
                { "series_late", "Tallene er forsinkede", "Figures late" },
                { "notification_expired", "Besked ikke leveret", "Notification not delivered" },
        };
        for (size_t i = 0; kind && i < ELEMENTSOF(t); i++)
                if (streq(t[i].kind, kind))
                        return l == LANGUAGE_EN ? t[i].en : t[i].da;
        return kind;
}

static char *problems_text(const Ctx *x, const json_t *problems, bool html)
{
        bool en = x->lang == LANGUAGE_EN;
        size_t i;
        json_t *p;
        Buf b = {};

        if (json_array_size(problems) == 0)
                return strdup("");
        if (html)
                buf_puts(&b, "<ul style=\"margin:8px 0 16px 0;padding-left:20px;\">\n");
        json_array_foreach(problems, i, p)
        {
                _cleanup_free_ char *msg = clean_dup(jstr(p, "message")),
                                    *kind = clean_dup(problem_item_label(p, x->lang)),
                                    *what = clean_dup(jstr(p, "series") ?: jstr(p, "source"));
                char since[FORMAT_PERIOD_MAX];
                json_t *s = json_object_get(p, "since");

                /* a problem that is over says so in its message; "since" is when it began */
                fmt_usec_date(json_is_integer(s) && !problem_resolved(p) ? (int64_t) json_integer_value(s) : 0, x->lang,
                              since, sizeof(since));
                if (html) {
                        buf_puts(&b, "<li style=\"margin:0 0 6px 0;\"><b>");
                        html_escape(&b, strempty(kind));
                        buf_puts(&b, "</b>");
                        if (what) {
                                buf_puts(&b, " (");
                                html_escape(&b, what);
                                buf_puts(&b, ")");
                        }
                        if (*since) {
                                buf_puts(&b, en ? ", since " : ", siden ");
                                html_escape(&b, since);
                        }
                        buf_puts(&b, ": ");
                        html_escape(&b, strempty(msg));
                        buf_puts(&b, "</li>\n");
                } else {
                        buf_printf(&b, "- %s", strempty(kind));
                        if (what)
                                buf_printf(&b, " (%s)", what);
                        if (*since)
                                buf_printf(&b, en ? ", since %s" : ", siden %s", since);
                        buf_printf(&b, ": %s\n", strempty(msg));
                }
        }
        if (html)
                buf_puts(&b, "</ul>\n");
        return buf_take(&b);
}

/* ---- the e-mail ---- */

static char *address_domain(const char *addr)
{
        const char *at = addr ? strrchr(addr, '@') : NULL;
        char *d;

        if (!at || !at[1])
                return strdup("labourwatch");
        d = strdup(at + 1);
        for (char *p = d; p && *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-')
                        *p = '-';
        return d;
}

/* An address is used only when it is a plain addr-spec: no spaces, angle brackets, commas, quotes or
 * controls (config.c checks the same; this is the last line against header injection). */
static bool address_is_plain(const char *a)
{
        if (!a || !*a || !strchr(a, '@'))
                return false;
        for (const unsigned char *p = (const unsigned char *) a; *p; p++)
                if (*p <= 0x20 || *p == 0x7f || strchr("<>,;\"()\\[]:", *p))
                        return false;
        return true;
}

/* One word of a display name: an atom when it is one, else a quoted string. */
static char *phrase_word(const char *w, size_t n)
{
        Buf b = {};
        bool atom = n > 0;

        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char) w[i]) || strchr("!#$%&'*+-/^_`{|}~", w[i])))
                        atom = false;
        if (atom) {
                buf_add(&b, w, n);
                return buf_take(&b);
        }
        buf_puts(&b, "\"");
        for (size_t i = 0; i < n; i++) {
                if (w[i] == '"' || w[i] == '\\')
                        buf_puts(&b, "\\");
                buf_add(&b, w + i, 1);
        }
        buf_puts(&b, "\"");
        return buf_take(&b);
}

static bool word_is_ascii(const char *w, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) w[i] >= 0x80)
                        return false;
        return true;
}

/* Appends " " and one token of a header, or CRLF SP (a fold) instead of the space when the line would pass 78 characters. */
static void add_token(Buf *b, size_t start, const char *tok)
{
        const char *nl = b->s ? memrchr(b->s + start, '\n', b->n - start) : NULL;
        size_t col = b->n - (nl ? (size_t) (nl + 1 - b->s) : start);

        buf_puts(b, col + 1 + strlen(tok) > 78 ? "\r\n " : " ");
        buf_puts(b, tok);
}

/* "Name <addr>". The name is a phrase of whitespace-separated words (runs of white space are one
 * space): ASCII words as atoms or quoted strings, each run of non-ASCII words as RFC 2047 encoded
 * words, folded between words at 78 characters. A space between two encoded words is dropped by RFC
 * 2047 readers and kept by others (Python's), so a space between an encoded and a plain word is
 * never folded into an encoded word: both read "Beskæftigelsesudvalget (demo)" with one space. */
static void add_mailbox(Buf *b, const char *header, const char *name, const char *addr)
{
        _cleanup_free_ char *clean = notify_header_sanitize(name);
        size_t start = b->n;
        bool first = true;

        buf_printf(b, "%s:", header);
        for (const char *p = strempty(clean); *p;) {
                const char *w = p, *e;
                _cleanup_free_ char *tok = NULL;

                if (*p == ' ') {
                        p++;
                        continue;
                }
                e = w + strcspn(w, " ");
                if (word_is_ascii(w, (size_t) (e - w))) {
                        tok = phrase_word(w, (size_t) (e - w));
                        p = e;
                        add_token(b, start, strempty(tok));
                } else {
                        /* this word and every non-ASCII word right after it, one encoded run */
                        _cleanup_free_ char *run = NULL;
                        const char *q = e;

                        for (;;) {
                                const char *n = q + strspn(q, " "), *ne = n + strcspn(n, " ");

                                if (n == ne || word_is_ascii(n, (size_t) (ne - n)))
                                        break;
                                q = ne;
                        }
                        run = strndup(w, (size_t) (q - w));
                        tok = run ? notify_header_encode(run, 0) : NULL;
                        p = q;
                        /* notify_header_encode folds its words with CRLF SP: one token each */
                        for (char *t = tok, *next; t && *t; t = next) {
                                char *f = strstr(t, "\r\n ");

                                next = f ? f + 3 : t + strlen(t);
                                if (f)
                                        *f = 0;
                                add_token(b, start, t);
                        }
                }
                first = false;
        }
        if (first)
                buf_printf(b, " %s\r\n", addr);
        else {
                _cleanup_free_ char *a = strdup_printf("<%s>", addr);

                add_token(b, start, strempty(a));
                buf_puts(b, "\r\n");
        }
}

static void rfc5322_date(int64_t usec, char *buf, size_t size)
{
        static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        time_t t = (time_t) (usec / (int64_t) USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&t, &tm))
                memset(&tm, 0, sizeof(tm));
        snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
                 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A message id token: the characters RFC 5322 allows in dot-atom-text, nothing else. */
static char *msgid_token(const char *s)
{
        Buf b = {};

        for (const char *p = strempty(s); *p; p++)
                if (isalnum((unsigned char) *p) || strchr(".-_+=", *p))
                        buf_add(&b, p, 1);
        return buf_take(&b);
}

/* A thread id ("<goal-x@labourwatch>") as a clean msg-id without the brackets: left and right of
 * the '@' cleaned like msgid_token; NULL when nothing is left. */
static char *thread_id_clean(const char *s)
{
        _cleanup_free_ char *left = NULL, *right = NULL;
        const char *at = s ? strrchr(s, '@') : NULL;

        if (!s)
                return NULL;
        left = at ? strndup(s, (size_t) (at - s)) : strdup(s);
        if (!left)
                return NULL;
        {
                char *t = msgid_token(left);
                free(left);
                left = t;
        }
        right = msgid_token(at ? at + 1 : "labourwatch");
        if (!left || !right || !*left)
                return NULL;
        return strdup_printf("%s@%s", left, *right ? right : "labourwatch");
}

/* ---- charts inline ---- */

static int image_cmp(const void *a, const void *b)
{
        return strcmp((*(const NotifyImage *const *) a)->goal, (*(const NotifyImage *const *) b)->goal);
}

/* The index in a->images of the chart of goal, or -1. */
static ssize_t image_find(const Ctx *x, const NotifyRenderArgs *a, const char *goal)
{
        size_t lo = 0, hi = a->n_images;

        while (goal && x->by_goal && lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int k = strcmp(x->by_goal[mid]->goal, goal);
                if (k == 0)
                        return x->by_goal[mid] - a->images;
                if (k < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

/* The chart after its goal's event; small (300 px) in a message about several goals. */
static void image_html(Ctx *x, const NotifyRenderArgs *a, const NotifyMessage *m, const char *goal,
                       bool digest, Buf *h)
{
        ssize_t i = image_find(x, a, goal);

        if (i < 0 || !a->images[i].png || a->images[i].size == 0)
                return;
        int w = a->images[i].width > 0 ? a->images[i].width : digest ? 300 : 600;
        int hh = a->images[i].height > 0 ? a->images[i].height : w / 2;

        x->image_used[i] = true;
        buf_printf(h, "<p><img src=\"cid:chart-%zd.%s@labourwatch\" width=\"%d\" height=\"%d\" alt=\"", i,
                   m->key, w, hh);
        html_escape(h, strempty(a->images[i].alt));
        buf_printf(h, "\" style=\"display:block;border:0;width:100%%;max-width:%dpx;height:auto\"></p>\n",
                   w);
}

static void image_parts(const Ctx *x, const NotifyRenderArgs *a, const NotifyMessage *m,
                        const char *boundary, Buf *b)
{
        for (size_t i = 0; i < a->n_images; i++) {
                const unsigned char *p = a->images[i].png;
                if (!x->image_used || !x->image_used[i])
                        continue;
                buf_printf(b, "\r\n--%s\r\n", boundary);
                buf_printf(b,
                           "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                           "Content-ID: <chart-%zu.%s@labourwatch>\r\n"
                           "Content-Disposition: inline; filename=\"chart-%zu.png\"\r\n\r\n",
                           i, m->key, i);
                for (size_t k = 0; k < a->images[i].size; k += 57) { /* 76 characters a line */
                        base64(b, p + k, MIN((size_t) 57, a->images[i].size - k));
                        buf_puts(b, "\r\n");
                }
        }
}

/* filename="name" when it is plain ASCII, else filename*=utf-8''percent-encoded (RFC 2231). */
static void attachment_filename(Buf *b, const char *name)
{
        bool plain = is_ascii(name);

        for (const char *p = name; plain && *p; p++)
                plain = (unsigned char) *p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f;
        if (plain) {
                buf_printf(b, "filename=\"%s\"", name);
                return;
        }
        buf_puts(b, "filename*=utf-8''");
        for (const unsigned char *p = (const unsigned char *) name; *p; p++)
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                    strchr("!#$&+-.^_`|~", *p))
                        buf_printf(b, "%c", *p);
                else
                        buf_printf(b, "%%%02X", *p);
}

static void attachment_parts(const NotifyRenderArgs *a, const char *boundary, Buf *b)
{
        for (size_t i = 0; i < a->n_attachments; i++) {
                const NotifyAttachment *at = &a->attachments[i];
                const unsigned char *p = at->data;
                _cleanup_free_ char *type = notify_header_sanitize(strempty(at->content_type));
                _cleanup_free_ char *name =
                        notify_header_sanitize(at->filename ? at->filename : "attachment");

                if (!type || !name)
                        continue;
                buf_printf(b, "\r\n--%s\r\n", boundary);
                buf_printf(b, "Content-Type: %s\r\nContent-Transfer-Encoding: base64\r\n",
                           *type ? type : "application/octet-stream");
                buf_puts(b, "Content-Disposition: attachment;\r\n ");
                attachment_filename(b, name);
                buf_puts(b, "\r\n\r\n");
                for (size_t k = 0; k < at->size; k += 57) { /* 76 characters a line */
                        base64(b, p + k, MIN((size_t) 57, at->size - k));
                        buf_puts(b, "\r\n");
                }
        }
}

static int build_eml(const Ctx *x, const NotifyRenderArgs *a, const json_t *events, NotifyMessage *m)
{
        Buf b = {};
        char date[64];
        _cleanup_free_ char *subject = notify_header_encode(m->subject, strlen("Subject: "));
        _cleanup_free_ char *text_qp = notify_quoted_printable(m->text),
                            *html_qp = notify_quoted_printable(m->html);
        _cleanup_free_ char *from_name = NULL;
        char boundary[80], mixed[96];
        size_t i;
        json_t *ev;
        Buf refs = {};

        if (!subject || !text_qp || !html_qp)
                return -ENOMEM;

        rfc5322_date(a->now_usec, date, sizeof(date));
        from_name =
                x->municipality ? strdup_printf("labourwatch – %s", x->municipality) : strdup("labourwatch");
        if (!from_name)
                return -ENOMEM;
        /* Derived from the key: the same notice is the same message, byte for byte, however often it
         * is sent. Base64 and quoted-printable never produce "=_" followed by this. */
        snprintf(boundary, sizeof(boundary), "=_lw_%.32s", m->key);

        add_mailbox(&b, "From", from_name, m->from_address ? m->from_address : "labourwatch@localhost");
        if (m->to_address)
                add_mailbox(&b, "To", a->recipient ? a->recipient->display_name : NULL, m->to_address);
        buf_printf(&b, "Date: %s\r\n", date);
        buf_printf(&b, "Subject: %s\r\n", subject);
        buf_printf(&b, "Message-ID: %s\r\n", m->message_id);

        /* Threading: every goal of the message has a stable thread id; replying "in" the most severe
         * goal's thread and referencing all of them lets a client thread each goal's alerts. */
        json_array_foreach(events, i, ev)
        {
                _cleanup_free_ char *tid = thread_id_clean(jstr(ev, "thread_id"));
                if (!tid || !*tid)
                        continue;
                if (refs.n == 0)
                        buf_printf(&b, "In-Reply-To: <%s>\r\n", tid);
                buf_printf(&refs, "%s<%s>", refs.n > 0 ? "\r\n " : "", tid);
        }
        if (refs.n > 0)
                buf_printf(&b, "References: %s\r\n", refs.s);
        buf_done(&refs);
        buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
        buf_puts(&b, "X-Auto-Response-Suppress: All\r\n");
        buf_printf(&b, "X-Labourwatch-Key: %s\r\n", m->key);
        buf_printf(&b, "Content-Language: %s\r\n", language_to_string(x->lang));
        buf_puts(&b, "MIME-Version: 1.0\r\n");
        if (a->n_attachments > 0) {
                /* attachments: multipart/mixed around the alternative */
                snprintf(mixed, sizeof(mixed), "=_lw_mix_%.32s", m->key);
                buf_printf(&b, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", mixed);
                buf_puts(&b, "This is a multi-part message in MIME format.\r\n");
                buf_printf(&b, "\r\n--%s\r\n", mixed);
        }
        buf_printf(&b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", boundary);
        buf_puts(&b, "\r\n");
        if (a->n_attachments == 0)
                buf_puts(&b, "This is a multi-part message in MIME format.\r\n");
        buf_printf(&b, "\r\n--%s\r\n", boundary);
        buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
                     "quoted-printable\r\n\r\n");
        buf_puts(&b, text_qp);
        buf_printf(&b, "\r\n--%s\r\n", boundary);
        bool related = false;
        for (size_t k = 0; x->image_used && k < a->n_images; k++)
                related = related || x->image_used[k];
        if (related) {
                /* the HTML with its charts: multipart/related inside the alternative */
                char rel[96];
                snprintf(rel, sizeof(rel), "=_lw_rel_%.32s", m->key);
                buf_printf(
                        &b,
                        "Content-Type: multipart/related;\r\n boundary=\"%s\";\r\n type=\"text/html\"\r\n",
                        rel);
                buf_printf(&b, "\r\n--%s\r\n", rel);
                buf_puts(&b, "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                             "quoted-printable\r\n\r\n");
                buf_puts(&b, html_qp);
                image_parts(x, a, m, rel, &b);
                buf_printf(&b, "\r\n--%s--\r\n", rel);
        } else {
                buf_puts(&b, "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                             "quoted-printable\r\n\r\n");
                buf_puts(&b, html_qp);
        }
        buf_printf(&b, "\r\n--%s--\r\n", boundary);
        if (a->n_attachments > 0) {
                attachment_parts(a, mixed, &b);
                buf_printf(&b, "\r\n--%s--\r\n", mixed);
        }
        m->eml_size = b.n;
        m->eml = buf_take(&b);
        return m->eml ? 0 : -ENOMEM;
}

/* ---- webhook JSON and Teams card ---- */

static json_t *number_or_null(const json_t *o, const char *key)
{
        double v;
        return jnum(o, key, &v) ? json_real(v) : json_null();
}

static int build_json(const Ctx *x, const NotifyRenderArgs *a, const json_t *events, const json_t *problems,
                      NotifyMessage *m)
{
        json_auto_t *root = NULL, *evs = json_array();
        char sent_at[32];
        time_t t = (time_t) (a->now_usec / (int64_t) USEC_PER_SEC);
        struct tm tm;
        size_t i;
        json_t *ev;

        if (!evs)
                return -ENOMEM;
        if (!gmtime_r(&t, &tm) || strftime(sent_at, sizeof(sent_at), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                sent_at[0] = 0;
        json_array_foreach(events, i, ev)
        {
                const json_t *res = json_object_get(ev, "result");
                json_t *e = json_pack(
                        "{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:o, s:o, s:o, "
                        "s:o, s:o, s:o, s:o, s:o, s:s?, s:s?, s:O?, s:O?, s:O?}",
                        "goal", jstr(ev, "goal"), "title_da", jstr(ev, "title_da"), "title_en",
                        jstr(ev, "title_en"), "plan", jstr(ev, "plan"), "event", jstr(ev, "event"), "status",
                        jstr(ev, "status"), "previous_status", jstr(ev, "previous_status"),
                        "off_track_since",
                        jstr(ev, "off_track_since") ? json_string(jstr(ev, "off_track_since")) : json_null(),
                        "period", jstr(res, "period"), "explanation", jstr(res, "explanation"),
                        "explanation_en", jstr(res, "explanation_en"), "value", number_or_null(res, "value"),
                        "target", number_or_null(res, "target"), "projected",
                        number_or_null(res, "projected"), "gap", number_or_null(res, "gap"), "probability",
                        number_or_null(res, "probability"), "projected_low", number_or_null(res, "projected_low"),
                        "projected_high", number_or_null(res, "projected_high"), "pace_needed",
                        number_or_null(res, "pace_needed"), "unit", jstr(res, "unit"), "unit_en",
                        jstr(res, "unit_en"), "revised", json_object_get(ev, "revised"), "sources",
                        json_object_get(ev, "sources"), "result", res);
                if (!e || json_array_append_new(evs, e) < 0)
                        return -ENOMEM;
        }
        root = json_pack("{s:i, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:O, s:O?}",
                         "version", 1, "type", m->type, "notifier", jstr(x->root, "notifier"), "recipient",
                         jstr(x->root, "recipient"), "language", language_to_string(x->lang), "key", m->key,
                         "sent_at", sent_at, "subject", m->subject, "eval_date", jstr(x->root, "eval_date"),
                         "plan", x->plan, "municipality", x->municipality, "events", evs, "problems",
                         problems);
        if (!root)
                return -ENOMEM;
        m->json = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
        return m->json ? 0 : -ENOMEM;
}

static const char *card_colour(const char *status)
{
        if (!status)
                return "Default";
        if (streq(status, "on_track") || streq(status, "achieved"))
                return "Good";
        if (streq(status, "at_risk"))
                return "Warning";
        if (streq(status, "off_track") || streq(status, "missed"))
                return "Attention";
        return "Default";
}

static int fact(json_t *facts, const char *title, const char *value)
{
        _cleanup_free_ char *t = NULL, *v = NULL;

        if (!value || !*value)
                return 0;
        t = notify_markdown_escape(title);
        v = notify_markdown_escape(value);
        if (!t || !v)
                return -ENOMEM;
        return json_array_append_new(facts, json_pack("{s:s, s:s}", "title", t, "value", v));
}

/* A Teams card's TextBlock and FactSet texts are Markdown: every character that could start
 * emphasis, a link, a heading, code or HTML gets a backslash (CommonMark: a backslash before
 * ASCII punctuation is that character, literally), so a title or a label from the configuration or a
 * provider is shown as written. */
char *notify_markdown_escape(const char *s)
{
        Buf b = {};

        for (const char *p = strempty(s); *p; p++) {
                if (strchr("\\`*_[]()<>#", *p))
                        buf_add(&b, "\\", 1);
                buf_add(&b, p, 1);
        }
        return buf_take(&b);
}

static int build_teams(const Ctx *x, const json_t *events, const json_t *problems, const char *intro_text,
                       NotifyMessage *m)
{
        bool en = x->lang == LANGUAGE_EN;
        json_auto_t *body = json_array(), *msg = NULL;
        _cleanup_free_ char *subject = notify_markdown_escape(m->subject),
                            *intro_md = notify_markdown_escape(intro_text);
        size_t i;
        json_t *ev;

        if (!body || !subject || !intro_md)
                return -ENOMEM;
        if (json_array_append_new(body, json_pack("{s:s, s:s, s:s, s:s, s:b}", "type", "TextBlock", "text",
                                                  subject, "size", "Medium", "weight", "Bolder", "wrap",
                                                  1)) < 0 ||
            json_array_append_new(body, json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text", intro_md,
                                                  "wrap", 1)) < 0)
                return -ENOMEM;
        json_array_foreach(events, i, ev)
        {
                EventText t = {};
                EventKind k = event_from_string(jstr(ev, "event"));
                json_t *facts = json_array();
                _cleanup_free_ char *head = NULL, *change = NULL, *chance = NULL;
                int r = 0;

                if (!facts)
                        return -ENOMEM;
                event_text(x, ev, &t);
                {
                        _cleanup_free_ char *h = strdup_printf("%s: %s", strempty(t.title),
                                                               strempty(status_label(jstr(ev, "status"), x->lang)));
                        /* what the event means ("Påmindelse: …") before the verdict, as in the e-mail */
                        _cleanup_free_ char *c =
                                k >= 0 && event_change[k][x->lang] && !(k == EVENT_FIRING && !jstr(ev, "previous_status"))
                                        ? strdup_printf("%s %s", event_change[k][x->lang], strempty(t.verdict))
                                        : strdup(strempty(t.verdict));

                        head = h ? notify_markdown_escape(h) : NULL;
                        chance = t.chance ? notify_markdown_escape(t.chance) : NULL;
                        change = c ? notify_markdown_escape(c) : NULL;
                }
                if (t.value)
                        r |= fact(facts, t.value_label, t.value);
                r |= fact(facts, en ? "Target" : "Mål", t.target);
                r |= fact(facts, en ? "Projected" : "Fremskrevet", t.projected);
                r |= fact(facts, en ? "Gap" : "Afvigelse", t.gap);
                r |= fact(facts, en ? "Pace needed" : "Nødvendigt tempo", t.pace_needed);
                r |= fact(facts, en ? "Recent pace" : "Seneste tempo", t.recent_pace);
                r |= fact(facts, en ? "Off track since" : "Ikke på sporet siden", t.off_track_since);
                r |= fact(facts, en ? "Revised" : "Revideret", t.revised);
                r |= fact(facts, en ? "Source" : "Kilde", t.sources);
                if (r < 0 || !head || !change || (t.chance && !chance) ||
                    json_array_append_new(body, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "type",
                                                          "TextBlock", "text", head, "weight", "Bolder",
                                                          "color", card_colour(jstr(ev, "status")),
                                                          "spacing", "Large", "wrap", 1, "separator", 1)) <
                            0 ||
                    (chance && json_array_append_new(body, json_pack("{s:s, s:s, s:s, s:b}", "type", "TextBlock",
                                                                     "text", chance, "weight", "Bolder", "wrap",
                                                                     1)) < 0) ||
                    json_array_append_new(body, json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text",
                                                          change, "wrap", 1)) < 0 ||
                    json_array_append_new(body, json_pack("{s:s, s:o}", "type", "FactSet", "facts", facts)) <
                            0) {
                        event_text_done(&t);
                        return -ENOMEM;
                }
                event_text_done(&t);
        }
        json_array_foreach(problems, i, ev)
        {
                _cleanup_free_ char *raw =
                        strdup_printf("%s: %s", strempty(problem_item_label(ev, x->lang)),
                                      strempty(jstr(ev, "message")));
                _cleanup_free_ char *line = raw ? notify_markdown_escape(raw) : NULL;
                if (!line || json_array_append_new(body, json_pack("{s:s, s:s, s:b, s:s}", "type",
                                                                   "TextBlock", "text", line, "wrap", 1,
                                                                   "color",
                                                                   problem_resolved(ev) ? "Good" : "Attention")) < 0)
                        return -ENOMEM;
        }
        msg = json_pack("{s:s, s:[{s:s, s:n, s:{s:s, s:s, s:s, s:o, s:{s:s}}}]}", "type", "message",
                        "attachments", "contentType", "application/vnd.microsoft.card.adaptive",
                        "contentUrl", "content", "$schema",
                        "http://adaptivecards.io/schemas/adaptive-card.json", "type", "AdaptiveCard",
                        "version", "1.4", "body", json_incref(body), "msteams", "width", "Full");
        if (!msg)
                return -ENOMEM;
        m->teams = json_dumps(msg, JSON_COMPACT);
        return m->teams ? 0 : -ENOMEM;
}

/* ---- notify_render ---- */

void notify_message_done(NotifyMessage *m)
{
        if (!m)
                return;
        free(m->subject), free(m->text), free(m->html), free(m->eml), free(m->json), free(m->teams);
        free(m->message_id), free(m->from_address), free(m->to_address), free(m->key), free(m->type);
        *m = (NotifyMessage){};
}

static inline void notify_message_donep(NotifyMessage *m)
{
        notify_message_done(m);
}

static int render_error(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int render_error(char **ret_error, int r, const char *fmt, ...)
{
        va_list ap;

        if (ret_error) {
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

int notify_render(const NotifyRenderArgs *a, const char *payload_json, NotifyMessage *ret, char **ret_error)
{
        _cleanup_(notify_message_donep) NotifyMessage m = {};
        _cleanup_(notify_templates_freep) NotifyTemplates *builtin = NULL;
        _cleanup_free_ char *sum = NULL, *intro_text = NULL, *events_text = NULL, *events_html = NULL,
                            *problems_txt = NULL, *problems_html = NULL, *recipient_name = NULL, *greeting_name = NULL,
                            *plan = NULL, *municipality = NULL, *eval_date = NULL, *key = NULL,
                            *notifier_name = NULL;
        _cleanup_free_ bool *image_used = NULL;
        _cleanup_free_ const NotifyImage **by_goal = NULL;
        _cleanup_free_ char *series_ids = NULL;
        const NotifyTemplates *tp = a->templates;
        json_auto_t *root = NULL;
        json_error_t jerr;
        const json_t *events, *problems;
        const char *type, *lang, *rkey;
        char eval_buf[FORMAT_PERIOD_MAX] = "";
        Ctx x = {};
        Buf b = {};
        size_t i;
        json_t *ev;
        int r;

        root = json_loads(strempty(payload_json), 0, &jerr);
        if (!json_is_object(root))
                return render_error(ret_error, -EINVAL, "notice is not a JSON object: %s", jerr.text);
        if (json_integer_value(json_object_get(root, "version")) != 1)
                return render_error(ret_error, -EINVAL, "notice version is not 1");
        type = jstr(root, "type");
        if (!type || (!streq(type, "goals") && !streq(type, "data_problems") && !streq(type, "test") &&
                      !streq(type, "report")))
                return render_error(ret_error, -EINVAL,
                                    "notice type '%s' is not goals, data_problems, test or report",
                                    strempty(type));
        rkey = jstr(root, "key");
        if (!rkey)
                return render_error(ret_error, -EINVAL, "notice has no key");
        events = json_object_get(root, "events");
        problems = json_object_get(root, "problems");
        if ((events && !json_is_array(events)) || (problems && !json_is_array(problems)))
                return render_error(ret_error, -EINVAL, "notice events/problems are not arrays");

        lang = jstr(root, "language") ?: (a->recipient ? a->recipient->language : NULL) ?:
                                         (a->config ? a->config->language : NULL);
        x.lang = language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA;
        if (notify_series_ids(events, x.lang, &series_ids) < 0)
                return -ENOMEM;
        x.root = root;
        plan = clean_dup(jstr(root, "plan") ?: "Beskæftigelsesplan");
        municipality = clean_dup(jstr(root, "municipality"));
        x.plan = plan;
        x.municipality = municipality;
        key = msgid_token(rkey);
        notifier_name = clean_dup(jstr(root, "notifier"));
        if (!plan || !key)
                return -ENOMEM;
        if (!*key)
                return render_error(ret_error, -EINVAL, "notice key has no letters or digits");

        if (!tp) {
                r = notify_templates_load(NULL, &builtin, NULL);
                if (r < 0)
                        return r;
                tp = builtin;
        }

        m.type = strdup(type);
        m.key = TAKE_PTR(key);
        if (!m.type)
                return -ENOMEM;
        {
                /* A directory or webhook notifier has no from:; it shows the message as the first smtp
                 * notifier would send it. */
                const char *from = a->notifier ? a->notifier->from : NULL;
                _cleanup_free_ char *domain = NULL;

                for (size_t k = 0; !from && a->config && k < a->config->n_notifiers; k++)
                        if (a->config->notifiers[k].kind == NOTIFIER_SMTP)
                                from = a->config->notifiers[k].from;
                domain = address_domain(from);
                m.message_id = strdup_printf("<%s@%s>", m.key, strempty(domain));
                if (address_is_plain(from))
                        m.from_address = strdup(from);
        }
        if (a->recipient && address_is_plain(a->recipient->email)) {
                m.to_address = strdup(a->recipient->email);
                /* greeted by name only when the configuration gives a person's name (salutation:); a
                 * function, unit or shared mailbox ("Jobcenterchef, Herlev Jobcenter") gets no "Kære" */
                recipient_name = clean_dup(a->recipient->display_name);
                greeting_name = clean_dup(a->recipient->salutation);
        }
        if (jstr(root, "eval_date")) {
                Date d;
                if (date_parse(jstr(root, "eval_date"), &d) >= 0)
                        format_date(d, x.lang, eval_buf, sizeof(eval_buf));
        }
        eval_date = strdup(eval_buf);

        sum = summary(&x, type, events, problems);
        intro_text = type && streq(type, "data_problems") && problems_all_resolved(problems)
                             ? strdup(text_problems_resolved_intro(json_array_size(problems), language_to_string(x.lang)))
                             : intro(&x, type, notifier_name, greeting_name);
        problems_txt = problems_text(&x, problems, false);
        problems_html = problems_text(&x, problems, true);
        if (!m.message_id || !sum || !intro_text || !problems_txt || !problems_html || !eval_date)
                return -ENOMEM;

        /* charts: looked up by goal through a sorted index */
        if (a->n_images > 0) {
                image_used = calloc(a->n_images, sizeof(bool));
                by_goal = calloc(a->n_images, sizeof(NotifyImage *));
                if (!image_used || !by_goal)
                        return -ENOMEM;
                for (size_t k = 0; k < a->n_images; k++)
                        by_goal[k] = &a->images[k];
                qsort(by_goal, a->n_images, sizeof(NotifyImage *), image_cmp);
                x.image_used = image_used;
                x.by_goal = by_goal;
        }

        /* events, text and HTML */
        {
                Buf t = {}, h = {};
                bool digest = json_array_size(events) > 1;
                json_array_foreach(events, i, ev)
                {
                        EventText et = {};
                        if (!json_is_object(ev))
                                continue;
                        event_text(&x, ev, &et);
                        render_event(&x, ev, &et, tp->text[NOTIFY_TEMPLATE_TEXT_EVENT][x.lang], false, &t);
                        render_event(&x, ev, &et, tp->text[NOTIFY_TEMPLATE_HTML_EVENT][x.lang], true, &h);
                        if (x.image_used)
                                image_html(&x, a, &m, jstr(ev, "goal"), digest, &h);
                        event_text_done(&et);
                }
                if (streq(type, "report")) {
                        buf_puts(&t, strempty(a->cover_text));
                        buf_puts(&h, strempty(a->cover_html));
                }
                events_text = buf_take(&t);
                events_html = buf_take(&h);
                if (!events_text || !events_html)
                        return -ENOMEM;
                /* the text template decides the spacing around the blocks */
                for (size_t len = strlen(events_text); len > 0 && events_text[len - 1] == '\n'; len--)
                        events_text[len - 1] = 0;
                for (size_t len = strlen(problems_txt); len > 0 && problems_txt[len - 1] == '\n'; len--)
                        problems_txt[len - 1] = 0;
        }

        {
                Var vars[] = {
                        VAR("plan", plan),
                        VAR("municipality", municipality),
                        VAR("recipient", recipient_name),
                        VAR("summary", sum),
                        VAR("intro", intro_text),
                        VAR("eval_date", eval_date),
                        VAR("key", m.key),
                        VAR_RAW("events"),
                        VAR_RAW("problems"),
                        VAR("series_ids", series_ids),
                        VAR("subject", NULL), /* last: set below, once made */
                };
                const size_t n = ELEMENTSOF(vars);

                expand(&b, tp->text[NOTIFY_TEMPLATE_SUBJECT][x.lang], vars, n, false);
                m.subject = buf_take(&b);
                if (!m.subject)
                        return -ENOMEM;
                {
                        /* one line, no trailing blanks */
                        char *s = notify_header_sanitize(m.subject);
                        size_t len;
                        if (!s)
                                return -ENOMEM;
                        len = strlen(s);
                        while (len > 0 && s[len - 1] == ' ')
                                s[--len] = 0;
                        free(m.subject);
                        m.subject = s;
                }
                vars[n - 1].value = m.subject;
                vars[7].value = events_text;
                vars[8].value = problems_txt;
                expand(&b, tp->text[NOTIFY_TEMPLATE_TEXT][x.lang], vars, n, false);
                m.text = buf_take(&b);
                vars[7].value = events_html;
                vars[8].value = problems_html;
                expand(&b, tp->text[NOTIFY_TEMPLATE_HTML][x.lang], vars, n, true);
                m.html = buf_take(&b);
                if (!m.text || !m.html)
                        return -ENOMEM;
        }

        r = build_eml(&x, a, events, &m);
        if (r < 0)
                return r;
        r = build_json(&x, a, events, problems, &m);
        if (r < 0)
                return r;
        r = build_teams(&x, events, problems, intro_text, &m);
        if (r < 0)
                return r;

        *ret = m;
        m = (NotifyMessage){};
        return 0;
}

/* ---- channels ---- */

const NotifyChannel *notify_channel(NotifierKind k)
{
        switch (k) {
        case NOTIFIER_SMTP:
                return &notify_channel_smtp;
        case NOTIFIER_WEBHOOK:
                return &notify_channel_webhook;
        case NOTIFIER_DIRECTORY:
                return &notify_channel_directory;
        case NOTIFIER_ALERTMANAGER:
                return &notify_channel_alertmanager;
        default:
                return NULL;
        }
}

int notify_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error)
{
        const NotifyChannel *ch = n ? notify_channel(n->kind) : NULL;

        if (!ch)
                return render_error(ret_error, -EOPNOTSUPP,
                                    "notifier '%s': kind '%s' cannot send in this build", n ? n->name : "?",
                                    n ? strna(notifier_kind_to_string(n->kind)) : "?");
        return ch->send(l, n, m, now_usec, done, userdata, ret, ret_error);
}
