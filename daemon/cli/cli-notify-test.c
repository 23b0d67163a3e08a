/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch notify-test NOTIFIER [--to RECIPIENT]: sends one test message through a notifier now,
 * on an event loop of its own (the same code the daemon delivers with), and prints what the server
 * said. Nothing is stored. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/curl-glue.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/scrub.h"

static void notify_test_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch notify-test [--config PATH] NOTIFIER [--to RECIPIENT]\n\n"
                "Sends one test message through NOTIFIER now and prints exactly what the server said.\n"
                "RECIPIENT is a recipient's name from the configuration or an e-mail address; an smtp\n"
                "notifier needs one (default: the first recipient of a route that uses NOTIFIER).\n\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -t, --to RECIPIENT  who receives the test message\n"
                "  -h, --help          show this help\n\n"
                "Exit status: 0 delivered, 1 not delivered, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

typedef struct TestState {
        sd_event *event;
        bool done, ok;
} TestState;

static void on_done(const NotifyResult *r, void *userdata)
{
        TestState *t = userdata;
        /* What a server says is printed without the secrets (scrub.h): a server may echo them. */
        _cleanup_free_ char *transcript_buf = NULL, *reply_buf = NULL;
        const char *transcript = scrubbed(r->transcript, &transcript_buf);
        const char *reply = scrubbed(r->reply, &reply_buf);

        if (transcript && *transcript) {
                printf("Server said:\n");
                for (const char *p = transcript; *p;) {
                        const char *e = strchr(p, '\n');
                        size_t n = e ? (size_t) (e - p) : strlen(p);
                        if (n > 0 && p[n - 1] == '\r')
                                n--;
                        printf("  %.*s\n", (int) n, p);
                        p += (e ? (size_t) (e - p) + 1 : n);
                }
        }
        if (r->ok)
                printf("Delivered%s%s\n", reply ? ": " : "", strempty(reply));
        else
                printf("NOT delivered (%s): %s\n",
                       r->permanent ? "refused permanently"
                       : r->fix     ? "a problem of the configuration"
                                    : "would be retried",
                       strna(reply));
        if (!r->ok && r->fix)
                printf("Fix: %s\n", r->fix);
        t->done = true;
        t->ok = r->ok;
        (void) sd_event_exit(t->event, 0);
}

static const char *default_recipient(const Config *c, const char *notifier)
{
        for (size_t i = 0; i < c->n_routes; i++)
                for (size_t k = 0; k < c->routes[i].n_notifiers; k++)
                        if (streq(c->routes[i].notifiers[k], notifier) && c->routes[i].n_recipients > 0)
                                return c->routes[i].recipients[0];
        return NULL;
}

int cli_notify_test(int argc, char **argv)
{
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "to", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_free_ char *payload = NULL, *err = NULL, *keysrc = NULL, *tdir = NULL;
        const char *config_path = cli_default_config_path(), *to = NULL, *name;
        const NotifierDef *n;
        const RecipientDef *rcpt = NULL;
        RecipientDef adhoc = {};
        NotifyTemplates *templates = NULL;
        NotifyLoop *loop = NULL;
        NotifyMessage m = {};
        TestState state = {};
        json_auto_t *j = NULL;
        ConfigErrors errors = {};
        struct timespec ts;
        int64_t now;
        char key[65];
        int opt, r, ret = 1;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:t:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 't':
                        to = optarg;
                        break;
                case 'h':
                        notify_test_help(stdout);
                        return 0;
                default:
                        cli_option_error("notify-test", options, argc, argv);
                        cli_usage_hint("notify-test");
                        return 2;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "labourwatch notify-test: expected one NOTIFIER\n");
                cli_usage_hint("notify-test");
                return 2;
        }
        name = argv[optind];
        if (cli_load_config(config_path, &c) < 0)
                return 1;
        n = config_find_notifier(c, name);
        if (!n) {
                fprintf(stderr, "labourwatch notify-test: no notifier '%s' in %s\n", name, config_path);
                return 1;
        }
        if (!to)
                to = default_recipient(c, name);
        if (to) {
                rcpt = config_find_recipient(c, to);
                if (!rcpt && strchr(to, '@')) {
                        adhoc = (RecipientDef){ .name = (char *) to,
                                                .display_name = NULL,
                                                .email = (char *) to,
                                                .language = c->language };
                        rcpt = &adhoc;
                } else if (!rcpt) {
                        fprintf(stderr,
                                "labourwatch notify-test: no recipient '%s' (give a name from the "
                                "configuration or an e-mail address)\n",
                                to);
                        return 1;
                }
        }
        if (n->kind == NOTIFIER_SMTP && !rcpt) {
                fprintf(stderr,
                        "labourwatch notify-test: notifier '%s' sends e-mail: say to whom with --to\n",
                        name);
                cli_usage_hint("notify-test");
                return 2;
        }

        clock_gettime(CLOCK_REALTIME, &ts);
        now = (int64_t) timespec_load(&ts);
        keysrc = strdup_printf("test\n%s\n%s\n%" PRId64, name, rcpt ? rcpt->name : "", now);
        if (!keysrc)
                return 1;
        notify_sha256_hex(keysrc, strlen(keysrc), key);
        j = json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:s, s:I, s:s?, s:s?, s:[], s:[]}", "version", 1, "type",
                      "test", "notifier", name, "recipient", rcpt ? rcpt->name : NULL, "language",
                      rcpt && rcpt->language ? rcpt->language : c->language, "key", key, "created_at",
                      (json_int_t) now, "plan", c->plan, "municipality", c->municipality, "events",
                      "problems");
        payload = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (!payload)
                return 1;

        r = notify_templates_load(c->templates_dir, &templates, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                fprintf(stderr, "%s\n", strna(s));
        }
        config_errors_done(&errors);
        if (r < 0)
                return 1;
        {
                NotifyRenderArgs a = { .config = c,
                                       .notifier = n,
                                       .recipient = rcpt,
                                       .templates = templates,
                                       .now_usec = now };
                r = notify_render(&a, payload, &m, &err);
        }
        if (r < 0) {
                fprintf(stderr, "labourwatch notify-test: %s\n", err ? err : strerror(-r));
                goto finish;
        }

        r = sd_event_new(&state.event);
        if (r >= 0)
                r = notify_loop_new(state.event, &loop);
        if (r < 0) {
                fprintf(stderr, "labourwatch notify-test: %s\n", strerror(-r));
                goto finish;
        }
        printf("Sending a test message through %s (%s%s%s)%s%s\n", name, notifier_kind_to_string(n->kind),
               n->url || n->directory ? " " : "", n->url ? n->url : strempty(n->directory),
               m.to_address ? " to " : "", strempty(m.to_address));
        fflush(stdout);
        r = notify_send(loop, n, &m, now, on_done, &state, NULL, &err);
        if (r < 0) {
                printf("NOT sent: %s\n", err ? err : strerror(-r));
                goto finish;
        }
        r = sd_event_loop(state.event);
        if (r < 0)
                fprintf(stderr, "labourwatch notify-test: event loop failed: %s\n", strerror(-r));
        ret = state.done && state.ok ? 0 : 1;

finish:
        notify_message_done(&m);
        notify_loop_free(loop);
        sd_event_unref(state.event);
        notify_templates_free(templates);
        curl_glue_global_done();
        return ret;
}
