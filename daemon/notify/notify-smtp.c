/* SPDX-License-Identifier: GPL-2.0-or-later */
/* E-mail through libcurl's SMTP: the message bytes notify_render() built are uploaded as they are
 * (the directory notifier stores the same bytes). smtp:// requires STARTTLS (CURLUSESSL_ALL) unless
 * the host is a loopback relay without a ca_file, or allow_plaintext is set; smtps:// is TLS from the
 * first byte. Verification is always on. What the server answered is kept word for word. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "labourwatch/macro.h"
#include "notify-internal.h"

static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
        NotifySend *s = userdata;
        size_t n = MIN(size * nitems, s->size - s->offset);

        memcpy(buf, s->body + s->offset, n);
        s->offset += n;
        return n;
}

/* The server's replies arrive as CURLINFO_HEADER_IN lines: "250-…" continues a reply, "250 …" ends
 * it. Keep the last complete reply and the whole transcript. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *userdata)
{
        NotifySend *s = userdata;
        const char *p = data, *end = data + size;

        if (type != CURLINFO_HEADER_IN)
                return 0;
        notify_send_transcript_add(s, data, size);
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                const char *le = eol ? eol : end;
                size_t len;
                char *line, *joined;

                while (le > p && (le[-1] == '\r' || le[-1] == '\n'))
                        le--;
                len = (size_t) (le - p);
                line = strndup(p, len);
                if (!line)
                        return 0;
                for (char *q = line; *q; q++)
                        if ((unsigned char) *q < 0x20 || *q == 0x7f)
                                *q = '?';
                joined = s->current_reply ? strdup_printf("%s\n%s", s->current_reply, line) : strdup(line);
                free(line);
                free(s->current_reply);
                s->current_reply = joined;
                if (len >= 4 && isdigit((unsigned char) p[0]) && p[3] != '-') {
                        /* The answer to QUIT ("221 Bye") says nothing about the message: keep the
                         * reply before it, which is the 250 to the data or the refusal. */
                        if (strneq(p, "221", 3)) {
                                free(s->current_reply);
                                s->current_reply = NULL;
                        } else {
                                if (p[0] >= '4') {
                                        /* a refusal; what curl sends after it (RSET) must not hide it */
                                        free(s->error_reply);
                                        s->error_reply = strdup(s->current_reply);
                                }
                                free(s->last_reply);
                                s->last_reply = TAKE_PTR(s->current_reply);
                        }
                }
                p = eol ? eol + 1 : end;
        }
        return 0;
}

/* auth: oauth2 and no token (notify-oauth.c): the endpoint's refusal names the setting. */
static bool oauth_finish(NotifySend *s, int curl_code, NotifyResult *r)
{
        const char *cause, *fix, *error;

        if (!notify_oauth_failed(s, &cause, &fix, &error))
                return false;
        r->cause = cause;
        r->fix = fix;
        if (curl_code == CURLE_OPERATION_TIMEDOUT)
                r->reply = strdup_printf("token endpoint: %s", s->errbuf);
        else
                r->reply = strdup(error);
        return true;
}

static void smtp_finish(NotifySend *s, int curl_code, NotifyResult *r)
{
        long code = s->response_code; /* the handle is gone with its thread */

        /* First: the token is scrubbed from here on; one the server refused is not used again. */
        notify_oauth_release(s, notify_loop_tokens(s->loop), curl_code == CURLE_LOGIN_DENIED);
        r->code = code;
        if (oauth_finish(s, curl_code, r))
                return;
        if (curl_code == CURLE_OK) {
                r->ok = true;
                r->reply = strdup(s->last_reply ? s->last_reply : "accepted");
                return;
        }
        /* A 5xx to the envelope or the data is the server refusing this message for good (unknown
         * mailbox, policy); anything else (no connection, 4xx, a timeout) may pass later. Wrong
         * credentials, a server without STARTTLS where TLS is required and an untrusted certificate
         * pass once a setting is fixed: said once, with the setting (the outbox holds the notifier's
         * messages until then). */
        r->permanent = code >= 550 && code <= 554;
        switch (curl_code) {
        case CURLE_LOGIN_DENIED:
                if (s->oauth) {
                        /* Exchange Online: "535 5.7.3 Authentication unsuccessful" to a valid token */
                        r->cause = "oauth-permission";
                        r->fix = "the server refused the login with a valid token: the app registration "
                                 "needs the SMTP.SendAsApp application permission with admin consent, "
                                 "Exchange a service principal for it with FullAccess to the mailbox "
                                 "(New-ServicePrincipal, Add-MailboxPermission), and the mailbox SMTP AUTH "
                                 "enabled; the mailbox is username_file (or from:) "
                                 "(see /usr/share/doc/labourwatch/microsoft-365.md)";
                        break;
                }
                r->cause = "smtp-login";
                r->fix = "the server refused the login: check username_file and password_file (or "
                         "username_credential and password_credential), and that the account may send";
                break;
        case CURLE_USE_SSL_FAILED:
                r->cause = "smtp-starttls";
                r->fix = "the server offers no STARTTLS, which is required off loopback: use an smtps:// "
                         "url or a port with STARTTLS (url), or set allow_plaintext: true where the "
                         "network is trusted";
                break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
                r->cause = "tls-verify";
                r->fix = "the server's certificate is not trusted: set ca_file to the CA that signed it, or "
                         "the url's host to the name on the certificate";
                break;
        default:
                break;
        }
        if (s->error_reply || s->last_reply)
                r->reply = strdup_printf("%s (server said: %s)",
                                         s->errbuf[0] ? s->errbuf : curl_easy_strerror(curl_code),
                                         s->error_reply ? s->error_reply : s->last_reply);
        else
                r->reply = strdup(s->errbuf[0] ? s->errbuf : curl_easy_strerror((CURLcode) curl_code));
}

#define SETOPT(easy, opt, val)                                                                              \
        do {                                                                                                \
                if (curl_easy_setopt(easy, opt, val) != CURLE_OK) {                                         \
                        r = -EIO;                                                                           \
                        goto fail;                                                                          \
                }                                                                                           \
        } while (0)

static void wipe_free(char *s)
{
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

/* XOAUTH2: the user is the mailbox (username_file/_credential, else the from: address); the token
 * comes on the thread, just before the transfer (notify-oauth.c). */
static int smtp_oauth_setup(NotifySend *s, const NotifierDef *n, const NotifyMessage *m, char **ret_error)
{
        char *user = NULL;
        int r;

        if (n->username.file || n->username.credential) {
                r = secret_read(&n->username, &user);
                if (r < 0) {
                        *ret_error = strdup_printf("notifier '%s': cannot read the SMTP username: %s",
                                                   n->name, strerror(-r));
                        return r;
                }
        }
        r = notify_oauth_new(n, &s->oauth, ret_error);
        if (r < 0) {
                wipe_free(user);
                return r;
        }
        r = 0;
        if (curl_easy_setopt(s->easy, CURLOPT_USERNAME, user ? user : m->from_address) != CURLE_OK ||
            /* XOAUTH2 or nothing: never fall back to another mechanism */
            curl_easy_setopt(s->easy, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2") != CURLE_OK)
                r = -EIO;
        wipe_free(user);
        if (r < 0)
                *ret_error = strdup_printf("notifier '%s': cannot set up the SMTP login", n->name);
        return r;
}

static int smtp_send(NotifyLoop *l, const NotifierDef *n, const NotifyMessage *m, int64_t now_usec,
                     notify_send_done_t done, void *userdata, NotifySend **ret, char **ret_error)
{
        NotifySend *s = NULL;
        char *user = NULL, *pass = NULL;
        _cleanup_free_ char *from = NULL, *to = NULL;
        bool tls_url, plaintext_ok;
        struct curl_slist *t;
        int r;

        if (!n->url || !m->eml) {
                *ret_error = strdup("smtp notifier without url, or nothing to send");
                return -EINVAL;
        }
        if (!m->from_address) {
                *ret_error = strdup_printf("notifier '%s': no usable from: address", n->name);
                return -EINVAL;
        }
        if (!m->to_address) {
                *ret_error = strdup_printf(
                        "notifier '%s': the notice has no recipient with an e-mail address", n->name);
                return -EINVAL;
        }

        r = notify_send_new(l, n, true, done, userdata, &s);
        if (r < 0)
                return r;
        s->finish = smtp_finish;
        s->body = malloc(m->eml_size);
        if (!s->body) {
                r = -ENOMEM;
                goto fail;
        }
        memcpy(s->body, m->eml, m->eml_size);
        s->size = m->eml_size;

        from = strdup_printf("<%s>", m->from_address);
        to = strdup_printf("<%s>", m->to_address);
        if (!from || !to || !(t = curl_slist_append(NULL, to))) {
                r = -ENOMEM;
                goto fail;
        }
        s->rcpt = t;

        tls_url = strncasecmp(n->url, "smtps://", 8) == 0;
        plaintext_ok = n->allow_plaintext || (notify_url_is_loopback(n->url) && !n->ca_file);

        SETOPT(s->easy, CURLOPT_URL, n->url);
        SETOPT(s->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        SETOPT(s->easy, CURLOPT_USE_SSL,
               tls_url || !plaintext_ok ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_NONE);
        SETOPT(s->easy, CURLOPT_MAIL_FROM, from);
        SETOPT(s->easy, CURLOPT_MAIL_RCPT, s->rcpt);
        SETOPT(s->easy, CURLOPT_UPLOAD, 1L);
        SETOPT(s->easy, CURLOPT_READFUNCTION, on_read);
        SETOPT(s->easy, CURLOPT_READDATA, s);
        SETOPT(s->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) s->size);
        SETOPT(s->easy, CURLOPT_DEBUGFUNCTION, on_debug);
        SETOPT(s->easy, CURLOPT_DEBUGDATA, s);
        SETOPT(s->easy, CURLOPT_VERBOSE, 1L); /* feeds on_debug; nothing is printed */

        if (n->auth == NOTIFIER_AUTH_OAUTH2) {
                r = smtp_oauth_setup(s, n, m, ret_error);
                if (r < 0) {
                        notify_send_free(s);
                        return r;
                }
        } else if (n->username.file || n->username.credential) {
                r = secret_read(&n->username, &user);
                if (r >= 0)
                        r = secret_read(&n->password, &pass);
                if (r < 0) {
                        *ret_error = strdup_printf("notifier '%s': cannot read the SMTP %s: %s", n->name,
                                                   user ? "password" : "username", strerror(-r));
                        wipe_free(user);
                        notify_send_free(s);
                        return r;
                }
                /* curl copies both; ours are wiped at once. */
                r = 0;
                if (curl_easy_setopt(s->easy, CURLOPT_USERNAME, user) != CURLE_OK ||
                    curl_easy_setopt(s->easy, CURLOPT_PASSWORD, pass) != CURLE_OK)
                        r = -EIO;
                wipe_free(user);
                wipe_free(pass);
                if (r < 0)
                        goto fail;
        }

        /* On a thread: libcurl waits for the answer to the final dot (and to QUIT) blocking. */
        r = notify_send_start_on_thread(s);
        if (r < 0)
                goto fail;
        if (ret)
                *ret = s;
        return 0;

fail:
        if (!*ret_error)
                *ret_error = strdup_printf("notifier '%s': cannot set up the SMTP transfer: %s", n->name,
                                           strerror(-r));
        notify_send_free(s);
        return r;
}

const NotifyChannel notify_channel_smtp = {
        .kind = NOTIFIER_SMTP,
        .send = smtp_send,
};
