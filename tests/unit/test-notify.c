/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c: rendering a notice into subject, text, HTML, the RFC 5322 message, webhook JSON and a
 * Teams card; header encoding and injection; templates and their check; signatures. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "labourwatch/macro.h"
#include "labourwatch/notify.h"

/* 2024-07-15 06:00:00 UTC */
#define NOW_USEC INT64_C(1721023200000000)

static char *read_data(const char *name)
{
        const char *dir = getenv("LW_TEST_DATA");
        _cleanup_free_ char *path = strdup_printf("%s/notify/%s", dir ? dir : "tests/data", name);
        char *s = NULL;

        assert_non_null(path);
        assert_int_equal(read_full_file(path, 1 << 20, &s, NULL), 0);
        return s;
}

static NotifierDef notifier = {
        .name = (char *) "mail",
        .kind = NOTIFIER_SMTP,
        .url = (char *) "smtp://127.0.0.1:2525",
        .from = (char *) "labourwatch@herlev.dk",
};

static RecipientDef chef = {
        .name = (char *) "jobcenterchef",
        .display_name = (char *) "Jobcenterchef Søren Ørsted",
        .email = (char *) "chef@herlev.dk",
        .language = (char *) "da",
};

/* The header block (up to the first empty line) of an .eml, unfolded lines kept as they are. */
static char *headers_of(const char *eml)
{
        const char *end = strstr(eml, "\r\n\r\n");
        assert_non_null(end);
        return strndup(eml, (size_t) (end - eml) + 2);
}

static void render(const char *payload, const RecipientDef *rcpt, NotifyMessage *m)
{
        NotifyRenderArgs a = { .notifier = &notifier, .recipient = rcpt, .now_usec = NOW_USEC };
        _cleanup_free_ char *err = NULL;
        int r = notify_render(&a, payload, m, &err);
        if (r < 0)
                fail_msg("render failed: %s", strna(err));
}

static const char expected_headers_da[] =
        /* a phrase: plain words as atoms, runs of non-ASCII words encoded (issue 18) */
        "From: labourwatch =?UTF-8?B?4oCT?= Herlev Kommune <labourwatch@herlev.dk>\r\n"
        "To: Jobcenterchef =?UTF-8?B?U8O4cmVuIMOYcnN0ZWQ=?= <chef@herlev.dk>\r\n"
        "Date: Mon, 15 Jul 2024 06:00:00 +0000\r\n"
        /* split after "ikke ", not inside "på": some readers keep the folding space */
        "Subject: =?UTF-8?B?QmVza8OmZnRpZ2Vsc2VzcGxhbiAyMDI0OiAyIG3DpWwgZXIgaWtrZSA=?=\r\n"
        " =?UTF-8?B?cMOlIHJldHRlIHNwb3I=?=\r\n"
        "Message-ID: <3f1c2a9be07d4c1e8a6b5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a29180@herlev.dk>\r\n"
        "In-Reply-To: <goal-fleksjob-2024@labourwatch>\r\n"
        "References: <goal-fleksjob-2024@labourwatch>\r\n"
        " <goal-ledighed-2024@labourwatch>\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "X-Auto-Response-Suppress: All\r\n"
        "X-Labourwatch-Key: 3f1c2a9be07d4c1e8a6b5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a29180\r\n"
        "Content-Language: da\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative;\r\n"
        " boundary=\"=_lw_3f1c2a9be07d4c1e8a6b5d4c3b2a1908\"\r\n";

/* Decodes the RFC 2047 B-words of a folded header value (test helper, UTF-8 only). */
static char *decode_words(const char *v)
{
        char *out = calloc(1, strlen(v) + 1);
        size_t n = 0;
        const char *p = v;

        assert_non_null(out);
        while ((p = strstr(p, "=?UTF-8?B?"))) {
                const char *e = strstr(p + 10, "?=");
                unsigned char dec[256];
                int k;

                assert_non_null(e);
                assert_true(e - p + 2 <= 75); /* RFC 2047: an encoded word is at most 75 characters */
                k = EVP_DecodeBlock(dec, (const unsigned char *) p + 10, (int) (e - p - 10));
                assert_true(k >= 0);
                /* EVP_DecodeBlock counts the padding as zero bytes */
                for (const char *q = e; q > p + 10 && q[-1] == '='; q--)
                        k--;
                memcpy(out + n, dec, (size_t) k);
                n += (size_t) k;
                p = e + 2;
        }
        out[n] = 0;
        return out;
}

static void assert_lines_short(const char *hdr)
{
        for (const char *l = hdr; *l;) {
                const char *e = strstr(l, "\r\n");
                assert_non_null(e);
                if (!strneq(l, "Message-ID:", 11) && !strneq(l, "X-Labourwatch-Key:", 18) && e - l > 78)
                        fail_msg("line longer than 78: %.*s", (int) (e - l), l);
                l = e + 2;
        }
}

static void test_render_danish(void **state)
{
        _cleanup_free_ char *payload = read_data("notice-goals.json"), *hdr = NULL, *subj = NULL;
        NotifyMessage m = {};

        render(payload, &chef, &m);
        assert_string_equal(m.subject, "Beskæftigelsesplan 2024: 2 mål er ikke på rette spor");
        hdr = headers_of(m.eml);
        assert_string_equal(hdr, expected_headers_da);
        assert_lines_short(hdr);
        subj = decode_words(strstr(hdr, "Subject: "));
        assert_string_equal(subj, m.subject);
        assert_int_equal(m.eml_size, strlen(m.eml));
        assert_string_equal(m.message_id,
                            "<3f1c2a9be07d4c1e8a6b5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a29180@herlev.dk>");
        assert_string_equal(m.from_address, "labourwatch@herlev.dk");
        assert_string_equal(m.to_address, "chef@herlev.dk");

        /* the verdict first, then the figures, Danish formats */
        /* the badge is the status word of eval and the report (text_status_label) */
        /* the chance in words (text_chance, issue 17 §3) right under the status, before the verdict */
        assert_non_null(strstr(m.text, "Flere i fleksjob: Ikke på sporet\n"
                                       "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 360 og 376 "
                                       "fuldtidspersoner.\n"
                                       "Fleksjob ligger under målkurven: fremskrevet 368,1 mod målet 390 "
                                       "fuldtidspersoner.\n"));
        /* a goal without a probability (a notice from before issue 17) has no chance line */
        assert_null(strstr(strstr(m.text, "Lavere ledighed"), "chance"));
        /* the value labelled by the goal's aggregate and the paces in words, from the text module */
        /* every label of a figure block in one column, the widest ("Gennemsnit januar–juni 2024:")
         * setting it (issue 23: the value label stood in a column of its own) */
        assert_non_null(strstr(m.text, "  Gennemsnit januar–juni 2024:  372,4 fuldtidspersoner\n"
                                       "  Mål:                          mindst 390 fuldtidspersoner (2024)\n"
                                       "  Fremskrevet:                  368,1 fuldtidspersoner\n"));
        assert_non_null(strstr(m.text, "  Nødvendigt tempo:             stigning på 3,6 fuldtidspersoner om måneden\n"));
        assert_non_null(strstr(m.text, "  Seneste tempo:                fald på 1,2 fuldtidspersoner om måneden\n"));
        assert_null(strstr(m.text, "  Gennemsnit januar–juni 2024: 372,4"));
        assert_null(strstr(m.text, "  Mål:                   mindst 390"));
        /* a notice stored before the text module gave the words: the value and its latest period */
        assert_non_null(strstr(m.text, "  Værdi (2. kvt. 2024):  3,3 pct.\n"
                                       "  Mål:                   højst 2,9 pct. (2024)\n"));
        assert_null(strstr(m.text, "Seneste værdi"));
        assert_null(strstr(m.text, "rette spor\n"));
        assert_non_null(strstr(m.text, "  Ikke på sporet siden:  2. kvt. 2024\n"));
        assert_non_null(strstr(m.text, "  Revideret:             1. kvt. 2024: 3,3, før 3,1\n"));
        /* a recipient without a person's name (no salutation:) is not greeted: no "Kære Jobcenterchef" */
        assert_null(strstr(m.text, "Kære"));
        assert_true(strncmp(m.text, "Status for disse mål er ændret:\n", 32) == 0);
        /* the sources by their display names, each said once (two series of one table), no ids in the
         * sentence; a notice stored before display names: the configuration's name (issue 23) */
        assert_non_null(strstr(m.text, "  Kilde:                        Jobindsats, tabel Y08A02, hentet 8. juli 2024; "
                                       "Jobcentrets egne tal, hentet 8. juli 2024\n"));
        assert_non_null(strstr(m.text, "  Kilde:                 dst, tabel AUK01, hentet 8. juli 2024\n"));
        assert_null(strstr(m.text, "(serie"));
        assert_null(strstr(m.text, "internal,"));
        /* the ids in the footer, each once, for whoever looks a figure up */
        assert_non_null(strstr(m.text, "\nBeskeden er automatisk; svar på den når ikke frem til nogen.\n"
                                       "Serier: fleksjob_herlev (jobindsats, Y08A02), fleksjob_herlev_fuldtid "
                                       "(jobindsats, Y08A02), fleksjob_egne (internal), ledighed_herlev (dst, AUK01).\n"));
        assert_non_null(strstr(m.html, ">Serier: fleksjob_herlev (jobindsats, Y08A02), fleksjob_herlev_fuldtid "
                                       "(jobindsats, Y08A02), fleksjob_egne (internal), ledighed_herlev (dst, AUK01).</td>"));
        assert_null(strstr(m.html, "(serie"));
        assert_true(strstr(m.html, "Serier:") > strstr(m.html, "Sendt af labourwatch"));
        /* a goal without pace has no pace line (a line whose placeholders are all empty is left out) */
        assert_null(strstr(strstr(m.text, "Lavere ledighed"), "tempo"));
        /* the fleksjob goal was never revised */
        assert_true(strstr(m.text, "Revideret") > strstr(m.text, "Lavere ledighed"));

        /* HTML: status colour, a table, nothing fetched from elsewhere */
        assert_non_null(strstr(m.html, "border-left:6px solid #b3261e"));
        {
                const char *c = strstr(m.html, "<p style=\"margin:0 0 8px 0;font-weight:bold;\">Målet nås næppe: ca. "
                                               "15 % chance. 80 % sikkert mellem 360 og 376 fuldtidspersoner.</p>");
                assert_non_null(c);
                assert_true(c < strstr(m.html, "Fleksjob ligger under"));
                assert_true(c > strstr(m.html, "Ikke på sporet</span>"));
                assert_null(strstr(strstr(m.html, "Lavere ledighed"), "chance"));
        }
        assert_non_null(strstr(m.html, "<table"));
        assert_non_null(strstr(m.html, "max-width:600px"));
        assert_null(strstr(m.html, "src="));
        assert_null(strstr(m.html, "http"));
        assert_null(strstr(m.html, "<link"));
        notify_message_done(&m);
}

static void test_render_english(void **state)
{
        _cleanup_free_ char *payload = read_data("notice-goals.json");
        RecipientDef en = chef;
        NotifyMessage m = {};
        json_auto_t *j = NULL;
        char *p;

        /* the notice names its language; the recipient's counts only without one */
        p = strstr(payload, "\"language\": \"da\"");
        assert_non_null(p);
        memcpy(p, "\"language\": \"en\"", 16);
        en.language = (char *) "da";
        render(payload, &en, &m);
        assert_string_equal(m.subject, "Beskæftigelsesplan 2024: 2 goals off track");
        assert_non_null(strstr(m.text,
                               "More people in flexi-jobs: Off track\n"
                               "The target will hardly be met: about 15% chance. 80% likely between 360 "
                               "and 376 full-time persons.\n"
                               "Flexi-jobs are below the target path: projected 368.1 against the target "
                               "of 390 full-time persons.\n"));
        assert_non_null(strstr(m.html, ">The target will hardly be met: about 15% chance. 80% likely between 360 "
                                       "and 376 full-time persons.</p>"));
        assert_null(strstr(m.text, "sikkert"));
        assert_non_null(strstr(m.text, "  Average January–June 2024:  372.4 full-time persons\n"
                                       "  Target:                     at least 390 full-time persons (2024)\n"));
        assert_non_null(strstr(m.text, "  Pace needed:                a rise of 3.6 full-time persons a month\n"));
        assert_non_null(strstr(m.text, "  Recent pace:                a fall of 1.2 full-time persons a month\n"));
        assert_non_null(strstr(m.text, "  Value (Q2 2024):  3.3 %\n"
                                       "  Target:           at most 2.9 % (2024)\n"));
        assert_non_null(strstr(m.text, "  Revised:          Q1 2024: 3.3, before 3.1\n"));
        assert_null(strstr(m.text, "Dear"));
        assert_non_null(strstr(m.text, "  Source:                     Jobindsats, table Y08A02, fetched 8 July 2024; "
                                       "The job centre's own figures, fetched 8 July 2024\n"));
        assert_non_null(strstr(m.text, "\nSeries: fleksjob_herlev (jobindsats, Y08A02), "));
        assert_null(strstr(m.text, "Serier"));
        assert_null(strstr(m.text, "(series"));
        assert_non_null(strstr(m.eml, "Content-Language: en\r\n"));
        assert_non_null(strstr(m.html, "<html lang=\"en\">"));
        assert_non_null(strstr(m.html, ">Average January–June 2024</td>"));

        j = json_loads(m.json, 0, NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "language")), "en");
        notify_message_done(&m);
}

static void test_webhook_json_and_teams(void **state)
{
        _cleanup_free_ char *payload = read_data("notice-goals.json");
        NotifyMessage m = {};
        json_auto_t *j = NULL, *t = NULL;
        json_t *e, *card;

        render(payload, NULL, &m);
        assert_null(m.to_address);
        j = json_loads(m.json, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
        assert_string_equal(json_string_value(json_object_get(j, "type")), "goals");
        assert_string_equal(json_string_value(json_object_get(j, "key")),
                            "3f1c2a9be07d4c1e8a6b5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a29180");
        assert_string_equal(json_string_value(json_object_get(j, "sent_at")), "2024-07-15T06:00:00Z");
        assert_string_equal(json_string_value(json_object_get(j, "subject")),
                            "Beskæftigelsesplan 2024: 2 mål er ikke på rette spor");
        e = json_array_get(json_object_get(j, "events"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "goal")), "fleksjob-2024");
        assert_string_equal(json_string_value(json_object_get(e, "status")), "off_track");
        assert_string_equal(json_string_value(json_object_get(e, "previous_status")), "on_track");
        assert_string_equal(json_string_value(json_object_get(e, "event")), "firing");
        assert_true(json_real_value(json_object_get(e, "value")) == 372.4);
        assert_true(json_number_value(json_object_get(e, "target")) == 390);
        assert_non_null(strstr(json_string_value(json_object_get(e, "explanation")), "Fleksjob ligger"));
        assert_non_null(strstr(json_string_value(json_object_get(e, "explanation_en")), "Flexi-jobs are"));
        assert_true(json_is_null(json_object_get(e, "revised")));
        assert_true(json_is_object(json_object_get(e, "result")));

        t = json_loads(m.teams, 0, NULL);
        assert_non_null(t);
        assert_string_equal(json_string_value(json_object_get(t, "type")), "message");
        assert_int_equal(json_array_size(json_object_get(t, "attachments")), 1);
        e = json_array_get(json_object_get(t, "attachments"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "contentType")),
                            "application/vnd.microsoft.card.adaptive");
        card = json_object_get(e, "content");
        assert_string_equal(json_string_value(json_object_get(card, "type")), "AdaptiveCard");
        assert_string_equal(json_string_value(json_object_get(card, "version")), "1.4");
        assert_true(json_array_size(json_object_get(card, "body")) >= 2 + 3 * 2);
        assert_string_equal(
                json_string_value(json_object_get(json_array_get(json_object_get(card, "body"), 0), "text")),
                "Beskæftigelsesplan 2024: 2 mål er ikke på rette spor");
        {
                /* the chance in words right under the goal's heading, bold (issue 17 §3); the goal
                 * without a probability has none */
                json_t *body = json_object_get(card, "body");
                size_t i, n_chance = 0;
                for (i = 0; i < json_array_size(body); i++) {
                        const char *txt = json_string_value(json_object_get(json_array_get(body, i), "text"));
                        if (!txt || !strstr(txt, "chance"))
                                continue;
                        n_chance++;
                        assert_string_equal(txt, "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 360 og 376 "
                                                 "fuldtidspersoner.");
                        assert_string_equal(json_string_value(json_object_get(json_array_get(body, i), "weight")),
                                            "Bolder");
                        assert_true(i > 0);
                        assert_string_equal(json_string_value(json_object_get(json_array_get(body, i - 1), "text")),
                                            "Flere i fleksjob: Ikke på sporet");
                }
                assert_int_equal(n_chance, 1);
        }
        notify_message_done(&m);
}

/* A long display name is folded between words, every header line at most 78 characters; the demo's
 * name is a phrase with one space before "(demo)" (issue 18). */
static void test_to_folded(void **state)
{
        _cleanup_free_ char *payload = read_data("notice-goals.json");
        static const struct {
                const char *name, *to;
        } cases[] = {
                { "Sekretariatet for Beskæftigelsesudvalget (demo)",
                  "To: Sekretariatet for =?UTF-8?B?QmVza8OmZnRpZ2Vsc2VzdWR2YWxnZXQ=?= \"(demo)\"\r\n"
                  " <chef@herlev.dk>\r\n" },
                { "Head of the Employment Committee's Secretariat, Herlev Municipality, Labour Market "
                  "Department, Jobcentre Herlev (demo)",
                  "To: Head of the Employment Committee's \"Secretariat,\" Herlev \"Municipality,\"\r\n"
                  " Labour Market \"Department,\" Jobcentre Herlev \"(demo)\" <chef@herlev.dk>\r\n" },
                { "A  \"quoted\"   name", "To: A \"\\\"quoted\\\"\" name <chef@herlev.dk>\r\n" },
        };

        for (size_t c = 0; c < ELEMENTSOF(cases); c++) {
                RecipientDef r = chef;
                NotifyMessage m = {};
                _cleanup_free_ char *hdr = NULL;
                const char *to;

                r.display_name = (char *) cases[c].name;
                render(payload, &r, &m);
                hdr = headers_of(m.eml);
                to = strstr(hdr, "\r\nTo: ");
                assert_non_null(to);
                if (!strneq(to + 2, cases[c].to, strlen(cases[c].to)))
                        fail_msg("got: %.*s", (int) strlen(cases[c].to), to + 2);
                /* the To: lines (the header and its continuations) */
                for (const char *l = to + 2; l == to + 2 || *l == ' ';) {
                        const char *e = strstr(l, "\r\n");

                        assert_non_null(e);
                        assert_true(e - l <= 78);
                        l = e + 2;
                }
                notify_message_done(&m);
        }
}

/* Markdown in a title, a plan or a message is shown literally on the Teams card (issue 18). */
static void test_teams_markdown_escaped(void **state)
{
        static const char payload[] =
                "{\"version\":1,\"type\":\"goals\",\"key\":\"k\",\"language\":\"da\",\"plan\":\"Plan\","
                "\"municipality\":\"Herlev\","
                "\"events\":[{\"goal\":\"g\",\"title_da\":\"*Fed* _x_ [link](http://e) #1 `c` <b> a\\\\b\","
                "\"event\":\"firing\",\"status\":\"off_track\"}]}";
        NotifyMessage m = {};
        json_auto_t *t = NULL;
        json_t *body, *head;
        _cleanup_free_ char *esc = notify_markdown_escape("a*b_c[d]e(f)g#h`i<j>k\\l -.!");

        assert_string_equal(esc, "a\\*b\\_c\\[d\\]e\\(f\\)g\\#h\\`i\\<j\\>k\\\\l -.!");
        render(payload, NULL, &m);
        t = json_loads(m.teams, 0, NULL);
        assert_non_null(t);
        body = json_object_get(json_object_get(json_array_get(json_object_get(t, "attachments"), 0), "content"),
                               "body");
        head = json_array_get(body, 2);
        assert_non_null(head);
        assert_non_null(strstr(json_string_value(json_object_get(head, "text")),
                               "\\*Fed\\* \\_x\\_ \\[link\\]\\(http://e\\) \\#1 \\`c\\` \\<b\\> a\\\\b: "));
        /* no unescaped Markdown character anywhere on the card */
        for (size_t i = 0; i < json_array_size(body); i++) {
                const char *s = json_string_value(json_object_get(json_array_get(body, i), "text"));

                for (size_t k = 0; s && s[k]; k++) {
                        if (s[k] == '\\') {
                                k++;
                                continue;
                        }
                        if (strchr("*_[]()#`<>", s[k]))
                                fail_msg("unescaped '%c' in card text: %s", s[k], s);
                }
        }
        notify_message_done(&m);
}

static void test_injection(void **state)
{
        static const char payload[] =
                "{\"version\":1,\"type\":\"goals\",\"key\":\"abc\\r\\nBcc: k@x.dk\",\"language\":\"da\","
                "\"plan\":\"Plan\\r\\nBcc: a@evil.example\",\"municipality\":\"Herlev\\nBcc: "
                "b@evil.example\","
                "\"events\":[{\"goal\":\"g\\r\\nX-Evil: 1\",\"title_da\":\"Ond\\r\\nBcc: c@evil.example\","
                "\"event\":\"firing\",\"status\":\"off_track\",\"thread_id\":\"<x\\r\\nBcc: "
                "d@evil.example>\","
                "\"result\":{\"explanation\":\"linje\\r\\n\\r\\nBcc: e@evil.example\"}}]}";
        RecipientDef evil = chef;
        NotifierDef n = notifier;
        NotifyMessage m = {};
        _cleanup_free_ char *hdr = NULL;

        evil.display_name = (char *) "Chef\r\nBcc: f@evil.example";
        evil.email = (char *) "chef@herlev.dk\r\nBcc: g@evil.example"; /* not a plain address: no To */
        n.from = (char *) "lw@herlev.dk>\r\nBcc: h@evil.example";
        {
                NotifyRenderArgs a = { .notifier = &n, .recipient = &evil, .now_usec = NOW_USEC };
                _cleanup_free_ char *err = NULL;
                assert_int_equal(notify_render(&a, payload, &m, &err), 0);
        }
        hdr = headers_of(m.eml);
        /* every header line is a known header or a continuation; nothing says Bcc or X-Evil */
        for (const char *l = hdr; *l;) {
                static const char *const known[] = { "From: ",
                                                     "Date: ",
                                                     "Subject: ",
                                                     "Message-ID: ",
                                                     "In-Reply-To: ",
                                                     "References: ",
                                                     "Auto-Submitted: ",
                                                     "X-Auto-Response-Suppress: ",
                                                     "X-Labourwatch-Key: ",
                                                     "Content-Language: ",
                                                     "MIME-Version: ",
                                                     "Content-Type: ",
                                                     " " };
                const char *e = strstr(l, "\r\n");
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || strneq(l, known[i], strlen(known[i]));
                if (!ok)
                        fail_msg("unexpected header line: %.*s", (int) (e - l), l);
                l = e + 2;
        }
        assert_null(strcasestr(hdr, "\nbcc"));
        assert_null(strstr(hdr, "X-Evil"));
        assert_null(m.to_address);
        assert_null(m.from_address);
        assert_null(strchr(m.subject, '\n'));
        assert_null(strchr(m.subject, '\r'));
        /* the body keeps the words, on one line, never a header of its own */
        assert_null(strstr(m.eml, "\nBcc:"));
        notify_message_done(&m);
}

static void test_header_encode(void **state)
{
        _cleanup_free_ char *a = notify_header_encode("plain ASCII\r\nBcc: x", 9);
        _cleanup_free_ char *long_text = NULL, *enc = NULL, *dec = NULL;

        assert_string_equal(a, "plain ASCII Bcc: x");
        long_text =
                strdup("Ærø, Æbeltoft og Østerbro: både på rette spor og ikke på rette spor i Sønderborg, "
                       "Hørsholm og Ålborg — æøå ÆØÅ");
        enc = notify_header_encode(long_text, strlen("Subject: "));
        assert_non_null(enc);
        /* every line within 78 characters, the first after "Subject: " */
        {
                size_t col = strlen("Subject: ");
                for (const char *p = enc; *p; p++) {
                        if (*p == '\r') {
                                assert_true(p[1] == '\n' && p[2] == ' ');
                                col = 0;
                                p++;
                                continue;
                        }
                        col++;
                        assert_true(col <= 78);
                }
        }
        dec = decode_words(enc);
        assert_string_equal(dec, long_text);
}

static void test_quoted_printable(void **state)
{
        _cleanup_free_ char *q = notify_quoted_printable("a=b æ \n.dot\nslut");
        _cleanup_free_ char *l = NULL;
        char longline[200];

        assert_string_equal(q, "a=3Db =C3=A6=20\r\n=2Edot\r\nslut");
        memset(longline, 'x', sizeof(longline) - 1);
        longline[sizeof(longline) - 1] = 0;
        longline[75] = '.'; /* lands at the start of the second line */
        l = notify_quoted_printable(longline);
        for (const char *p = l; *p;) {
                const char *e = strstr(p, "\r\n");
                size_t n = e ? (size_t) (e - p) : strlen(p);
                assert_true(n <= 76);
                assert_true(*p != '.');
                p += n + (e ? 2 : 0);
        }
}

static void test_signature(void **state)
{
        char hex[65];
        _cleanup_free_ char *sig = NULL;

        /* RFC 4231-style known answer (the Wikipedia example) */
        assert_int_equal(
                notify_hmac_sha256_hex("key", 3, "The quick brown fox jumps over the lazy dog", 43, hex), 0);
        assert_string_equal(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        sig = notify_webhook_signature("secret", 6, 1721023200, "{\"a\":1}");
        assert_string_equal(
                sig, "t=1721023200,v1=ff7aa41f51fca305f774525550d0760410941027a0795bb9138217e7a00117e7");
        notify_sha256_hex("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_loopback(void **state)
{
        static const struct {
                const char *url;
                bool loopback;
        } rows[] = {
                { "smtp://127.0.0.1:25", true },
                { "smtp://127.1.2.3", true },
                { "smtp://localhost:2525", true },
                { "smtp://LOCALHOST", true },
                { "smtp://[::1]:25", true },
                { "smtp://user@127.0.0.1/x", true },
                { "smtp://128.0.0.1", false },
                { "smtp://127.0.0.1.evil.example", false },
                { "smtp://localhost.evil.example", false },
                { "smtp://smtp.herlev.dk:587", false },
                { "smtp://[::2]", false },
                { "smtp://10.0.0.1", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                if (notify_url_is_loopback(rows[i].url) != rows[i].loopback)
                        fail_msg("%s: expected %d", rows[i].url, rows[i].loopback);
}

static void test_templates_match_files(void **state)
{
        const char *src = getenv("LW_SOURCE_DIR");

        if (!src)
                skip();
        for (int i = 0; i < _NOTIFY_TEMPLATE_MAX; i++)
                for (int l = 0; l < _LANGUAGE_MAX; l++) {
                        _cleanup_free_ char *path =
                                strdup_printf("%s/etc/templates/%s", src, notify_template_file(i, l));
                        _cleanup_free_ char *text = NULL;
                        assert_int_equal(read_full_file(path, 1 << 20, &text, NULL), 0);
                        assert_string_equal(text, notify_template_builtin(i, l));
                }
        /* and the shipped directory checks clean */
        {
                _cleanup_free_ char *dir = strdup_printf("%s/etc/templates", src);
                ConfigErrors e = {};
                assert_int_equal(notify_templates_check(dir, &e), 0);
                assert_int_equal(e.n_items, 0);
                config_errors_done(&e);
        }
}

static char *make_dir(void)
{
        char tmpl[] = "/tmp/lw-test-notify-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return strdup(tmpl);
}

static void write_file(const char *dir, const char *name, const char *text)
{
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void remove_dir(const char *dir)
{
        _cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

static void test_templates_check(void **state)
{
        _cleanup_free_ char *dir = make_dir(), *want = NULL;
        ConfigErrors e = {};

        /* columns count characters ("æ" is one) */
        write_file(dir, "event.da.txt", "{{title}}\n  Værdi i år:     {{vaerdi}} og {{title\n");
        write_file(dir, "mail.en.txt", "{{intro}}\n{{events}} {{title}}\n");
        write_file(dir, "subject.da.txt", "{{plan}}: {{summary}} {{subject}}\n");
        assert_int_equal(notify_templates_check(dir, &e), -EINVAL);
        assert_int_equal(e.n_items, 4);
        {
                const char *want_tail[] = {
                        "/subject.da.txt:1:23: unknown placeholder '{{subject}}'",
                        "/mail.en.txt:2:12: unknown placeholder '{{title}}'",
                        "/event.da.txt:2:19: unknown placeholder '{{vaerdi}}'",
                        "/event.da.txt:2:33: '{{' without a closing '}}'",
                };
                for (size_t i = 0; i < ELEMENTSOF(want_tail); i++) {
                        _cleanup_free_ char *got = config_error_to_string(&e.items[i]);
                        free(want);
                        want = strdup_printf("%s%s", dir, want_tail[i]);
                        if (!got || !strneq(got, want, strlen(want)))
                                fail_msg("got %s, want %s", strna(got), want);
                }
        }
        config_errors_done(&e);
        remove_dir(dir);
}

static void test_templates_edited(void **state)
{
        _cleanup_free_ char *dir = make_dir(), *payload = read_data("notice-goals.json");
        NotifyTemplates *t = NULL;
        NotifyMessage m = {};

        write_file(dir, "subject.da.txt", "[{{municipality}}] {{summary}}\n");
        write_file(dir, "event.da.txt", "* {{title}} <{{status_label}}>\n  Mangler: {{pace_needed}}\n");
        write_file(dir, "mail.da.txt", "{{events}}\nslut\n");
        assert_int_equal(notify_templates_load(dir, &t, NULL), 0);
        {
                NotifyRenderArgs a = {
                        .notifier = &notifier, .recipient = &chef, .templates = t, .now_usec = NOW_USEC
                };
                _cleanup_free_ char *err = NULL;
                assert_int_equal(notify_render(&a, payload, &m, &err), 0);
        }
        assert_string_equal(m.subject, "[Herlev Kommune] 2 mål er ikke på rette spor");
        assert_string_equal(m.text, "* Flere i fleksjob <Ikke på sporet>\n"
                                    "  Mangler: stigning på 3,6 fuldtidspersoner om måneden\n"
                                    "* Lavere ledighed <Ikke på sporet>\n"
                                    "slut\n");
        /* files not in the directory: the built-in ones */
        assert_non_null(strstr(m.html, "<!DOCTYPE html>"));
        notify_message_done(&m);
        notify_templates_free(t);
        remove_dir(dir);
}

/* Replaces the first occurrence of a by b (of the same length or shorter) in s. */
static void patch(char *s, const char *a, const char *b)
{
        char *p = strstr(s, a);
        size_t la = strlen(a), lb = strlen(b);

        assert_non_null(p);
        assert_true(lb <= la);
        memcpy(p, b, lb);
        memmove(p + lb, p + la, strlen(p + la) + 1);
}

/* issue 23: a goal whose period is over says its result and margin once, with no projected row */
static void test_render_finished(void **state)
{
        for (int en = 0; en <= 1; en++) {
                _cleanup_free_ char *payload = read_data("notice-goals.json");
                RecipientDef r = chef;
                NotifyMessage m = {};
                NotifyRenderArgs a = { .notifier = &notifier, .recipient = &r, .now_usec = NOW_USEC };
                _cleanup_free_ char *err = NULL;
                const char *flex;

                (void) state;
                r.language = (char *) (en ? "en" : "da");
                patch(payload, "\"event\": \"firing\"", "\"event\": \"missed\"");
                patch(payload, "\"status\": \"off_track\"", "\"status\": \"missed\"");
                if (en) {
                        char *p = strstr(payload, "\"language\": \"da\"");
                        if (p)
                                memcpy(p, "\"language\": \"en\"", 16);
                }
                assert_int_equal(notify_render(&a, payload, &m, &err), 0);
                flex = strstr(m.text, en ? "More people in flexi-jobs" : "Flere i fleksjob");
                assert_non_null(flex);
                /* the finished goal: no projection, no "the period is over and …" restating the verdict */
                assert_null(strstr(m.text, "Perioden er slut"));
                assert_null(strstr(m.text, "The goal period is over"));
                {
                        const char *next = strstr(flex, en ? "Lower unemployment" : "Lavere ledighed");
                        const char *proj = strstr(flex, en ? "Projected:" : "Fremskrevet:");
                        assert_non_null(next);
                        assert_true(proj == NULL || proj > next);
                }
                /* nor a chance: the result is known (the payload still carries chance_text) */
                assert_non_null(strstr(payload, "\"chance_text\""));
                assert_null(strstr(m.text, "chance"));
                assert_null(strstr(m.html, "chance"));
                assert_null(strstr(m.teams, "chance"));
                /* the other goal is still running: its projection stays */
                assert_non_null(strstr(m.text, en ? "  Projected:" : "  Fremskrevet:"));
                {
                        const char *h = strstr(m.html, en ? "More people in flexi-jobs" : "Flere i fleksjob");
                        const char *next = strstr(m.html, en ? "Lower unemployment" : "Lavere ledighed");
                        const char *proj = h ? strstr(h, en ? ">Projected<" : ">Fremskrevet<") : NULL;
                        assert_non_null(h);
                        assert_non_null(next);
                        assert_true(proj == NULL || proj > next);
                }
                notify_message_done(&m);
        }
}

/* issue 23: "Kære <name>," only for a recipient with a person's name (salutation:) */
static void test_render_salutation(void **state)
{
        _cleanup_free_ char *payload = read_data("notice-goals.json");
        RecipientDef r = chef;
        NotifyMessage m = {};

        (void) state;
        r.salutation = (char *) "Søren Ørsted";
        render(payload, &r, &m);
        assert_true(strncmp(m.text, "Kære Søren Ørsted, status for disse mål er ændret:\n",
                            strlen("Kære Søren Ørsted, status for disse mål er ændret:\n")) == 0);
        assert_null(strstr(m.text, "Kære Jobcenterchef"));
        notify_message_done(&m);

        /* English: "Dear NAME,"; without a person's name no greeting at all, not "Dear Head of …" */
        {
                char *p = strstr(payload, "\"language\": \"da\"");
                assert_non_null(p);
                memcpy(p, "\"language\": \"en\"", 16);
        }
        render(payload, &r, &m);
        assert_true(strncmp(m.text, "Dear Søren Ørsted, the status of these goals has changed:\n",
                            strlen("Dear Søren Ørsted, the status of these goals has changed:\n")) == 0);
        notify_message_done(&m);
        r.salutation = NULL;
        r.display_name = (char *) "Head of Jobcentre, Herlev Jobcentre";
        render(payload, &r, &m);
        assert_true(strncmp(m.text, "The status of these goals has changed:\n",
                            strlen("The status of these goals has changed:\n")) == 0);
        assert_null(strstr(m.text, "Dear"));
        notify_message_done(&m);
}

static void test_other_types(void **state)
{
        static const char problems[] = "{\"version\":1,\"type\":\"data_problems\",\"key\":\"k1\","
                                       "\"language\":\"da\",\"plan\":\"Plan\","
                                       "\"events\":[],\"problems\":[{\"kind\":\"source_failing\",\"source\":"
                                       "\"dst\",\"since\":1720418400000000,"
                                       "\"message\":\"HTTP 503 <Service Unavailable>\"}]}";
        static const char test[] =
                "{\"version\":1,\"type\":\"test\",\"key\":\"k2\",\"notifier\":\"mail\",\"language\":\"en\"}";
        NotifyMessage m = {};

        render(problems, &chef, &m);
        assert_string_equal(m.subject, "Plan: 1 dataproblem");
        assert_non_null(strstr(
                m.text, "- Kilden svarer ikke (dst), siden 8. juli 2024: HTTP 503 <Service Unavailable>\n"));
        assert_non_null(strstr(m.html, "HTTP 503 &lt;Service Unavailable&gt;"));
        notify_message_done(&m);

        render(test, &chef, &m);
        assert_string_equal(m.subject, "Beskæftigelsesplan: test message");
        assert_non_null(strstr(m.text, "This is a test message from labourwatch through notifier 'mail'."));
        notify_message_done(&m);
}

static void test_bad_payloads(void **state)
{
        static const char *const bad[] = {
                "",
                "[]",
                "{\"version\":2,\"type\":\"goals\",\"key\":\"k\"}",
                "{\"version\":1,\"type\":\"goals\"}",
                "{\"version\":1,\"type\":\"weather\",\"key\":\"k\"}",
                "{\"version\":1,\"type\":\"goals\",\"key\":\"k\",\"events\":{}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                NotifyRenderArgs a = { .now_usec = NOW_USEC };
                NotifyMessage m = {};
                _cleanup_free_ char *err = NULL;
                assert_int_equal(notify_render(&a, bad[i], &m, &err), -EINVAL);
                assert_non_null(err);
                assert_null(m.eml);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_render_danish),
                cmocka_unit_test(test_render_english),
                cmocka_unit_test(test_webhook_json_and_teams),
                cmocka_unit_test(test_teams_markdown_escaped),
                cmocka_unit_test(test_to_folded),
                cmocka_unit_test(test_injection),
                cmocka_unit_test(test_header_encode),
                cmocka_unit_test(test_quoted_printable),
                cmocka_unit_test(test_signature),
                cmocka_unit_test(test_loopback),
                cmocka_unit_test(test_templates_match_files),
                cmocka_unit_test(test_templates_check),
                cmocka_unit_test(test_templates_edited),
                cmocka_unit_test(test_render_finished),
                cmocka_unit_test(test_render_salutation),
                cmocka_unit_test(test_other_types),
                cmocka_unit_test(test_bad_payloads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
