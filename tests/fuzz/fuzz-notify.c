/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify_render on arbitrary bytes as the outbox payload (a store is data from outside the process:
 * another version, a hand edit, a bit flip). Whatever the payload, the message's header block holds
 * only known headers and folded continuation lines: no text can add a header. The header encoder
 * and quoted-printable run on the raw bytes too, with their line-length and line-break contracts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_headers(const char *eml)
{
        static const char *const known[] = { "From: ",           "To: ",
                                             "Date: ",           "Subject: ",
                                             "Message-ID: ",     "In-Reply-To: ",
                                             "References: ",     "Auto-Submitted: ",
                                             "X-Auto-Response-Suppress: ", "X-Labourwatch-Key: ",
                                             "Content-Language: ", "MIME-Version: ",
                                             "Content-Type: ",   " " };
        const char *end = strstr(eml, "\r\n\r\n");

        if (!end)
                abort();
        for (const char *l = eml; l <= end;) {
                const char *e = strstr(l, "\r\n");
                bool ok = false;

                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || strneq(l, known[i], strlen(known[i]));
                if (!ok || !e)
                        abort();
                /* no bare CR or LF inside a header line */
                for (const char *p = l; p < e; p++)
                        if (*p == '\r' || *p == '\n')
                                abort();
                l = e + 2;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static RecipientDef rcpt = { .name = (char *) "r", .display_name = (char *) "Søren", .email = (char *) "r@x.dk" };
        static NotifierDef n = { .name = (char *) "mail", .kind = NOTIFIER_SMTP, .from = (char *) "lw@x.dk" };
        NotifyRenderArgs a = { .notifier = &n, .recipient = &rcpt, .now_usec = INT64_C(1721023200000000) };
        NotifyMessage m = {};
        char *s = malloc(size + 1), *err = NULL, *enc, *qp;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;

        if (notify_render(&a, s, &m, &err) == 0) {
                if (!m.eml || !m.json || !m.teams || !m.subject || strpbrk(m.subject, "\r\n"))
                        abort();
                check_headers(m.eml);
                notify_message_done(&m);
        } else if (!err)
                abort(); /* a refusal says why */
        free(err);

        enc = notify_header_encode(s, 9);
        if (enc) {
                /* only folds "\r\n " break lines */
                for (const char *p = enc; *p; p++)
                        if ((*p == '\r' && (p[1] != '\n' || p[2] != ' ')) || (*p == '\n' && (p == enc || p[-1] != '\r')))
                                abort();
                free(enc);
        }
        qp = notify_quoted_printable(s);
        if (qp) {
                for (const char *p = qp; *p;) {
                        size_t len = strcspn(p, "\r\n");
                        if (len > 76 || p[0] == '.')
                                abort();
                        p += len;
                        if (*p == '\r' && p[1] == '\n')
                                p += 2;
                        else if (*p)
                                abort();
                }
                free(qp);
        }
        free(s);
        return 0;
}
