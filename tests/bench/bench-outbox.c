/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-outbox PORT [N] [EML]: outbox delivery to an SMTP server on 127.0.0.1:PORT (tests/bench/
 * bench-outbox.sh starts aiosmtpd and compares with Python's smtplib).
 *
 *  1. N notices (default 1000; the two-goal sample of tests/data/notify) are enqueued in a fresh
 *     store, then labourwatch's outbox delivers them on an sd-event loop, exactly as the daemon
 *     does (render, curl, mark sent): messages per second.
 *  2. Peak resident memory (VmHWM) with all N queued and delivered.
 *  3. With EML given, one rendered message is written there, for the smtplib comparison to send
 *     the same bytes.
 * Prints figures; not a test. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/outbox.h"
#include "labourwatch/store.h"

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static long vm_kb(const char *field)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long v = -1;

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strneq(line, field, strlen(field)))
                        v = strtol(line + strlen(field), NULL, 10);
        fclose(f);
        return v;
}

static void on_idle(Outbox *o, void *userdata)
{
        (void) sd_event_exit(userdata, 0);
}

int main(int argc, char **argv)
{
        const char *src = getenv("LW_SOURCE_DIR") ?: ".";
        char dir[PATH_MAX];
        _cleanup_free_ char *cfgpath = NULL, *notice_path = NULL, *notice = NULL, *err = NULL, *cmd = NULL;
        Config *c = NULL;
        ConfigErrors errors = {};
        Store *st = NULL;
        sd_event *e = NULL;
        Outbox *o = NULL;
        unsigned n = argc > 2 ? (unsigned) atoi(argv[2]) : 1000;
        double t0, t1, t2;
        long rss_queued;
        FILE *f;
        int r;

        if (argc < 2) {
                fprintf(stderr, "usage: bench-outbox PORT [N] [EML]\n");
                return 2;
        }
        /* $LW_BENCH_TMPDIR: where the store lives (its fsyncs are most of the cost per message) */
        snprintf(dir, sizeof(dir), "%s/lw-bench-outbox-XXXXXX", getenv("LW_BENCH_TMPDIR") ?: "/var/tmp");
        if (!mkdtemp(dir))
                return 1;
        cfgpath = strdup_printf("%s/labourwatch.yaml", dir);
        f = fopen(cfgpath, "we");
        if (!f)
                return 1;
        fprintf(f,
                "state_dir: %s\n"
                "plan: Beskæftigelsesplan 2024\n"
                "municipality: Herlev Kommune\n"
                "recipients:\n  chef:\n    display_name: Jobcenterchef Søren Ørsted\n    email: "
                "chef@herlev.dk\n"
                "notifiers:\n  mail:\n    kind: smtp\n    url: smtp://127.0.0.1:%s\n    from: "
                "labourwatch@herlev.dk\n"
                "routes:\n  - notifiers: [mail]\n    recipients: [chef]\n",
                dir, argv[1]);
        fclose(f);
        r = config_load(cfgpath, &c, &errors);
        config_errors_done(&errors);
        if (r < 0) {
                fprintf(stderr, "config: %s\n", strerror(-r));
                return 1;
        }
        notice_path = strdup_printf("%s/tests/data/notify/notice-goals.json", src);
        if (read_full_file(notice_path, 1 << 20, &notice, NULL) < 0) {
                fprintf(stderr, "cannot read %s (set LW_SOURCE_DIR)\n", notice_path);
                return 1;
        }
        r = store_open(dir, &st, &err);
        if (r < 0) {
                fprintf(stderr, "store: %s\n", strna(err));
                return 1;
        }

        if (argc > 3) {
                NotifyRenderArgs a = { .config = c,
                                       .notifier = &c->notifiers[0],
                                       .recipient = &c->recipients[0],
                                       .now_usec = (int64_t) time(NULL) * 1000000 };
                NotifyMessage m = {};
                if (notify_render(&a, notice, &m, NULL) < 0 || !(f = fopen(argv[3], "we")))
                        return 1;
                fwrite(m.eml, 1, m.eml_size, f);
                fclose(f);
                notify_message_done(&m);
        }

        /* enqueue N: each its own key, as N recipients' notices would be */
        t0 = now_s();
        store_begin(st, NULL);
        for (unsigned i = 0; i < n; i++) {
                char key[65], kbuf[32];
                _cleanup_free_ char *payload = NULL;
                char *p;

                snprintf(kbuf, sizeof(kbuf), "bench-%u", i);
                notify_sha256_hex(kbuf, strlen(kbuf), key);
                payload = strdup(notice);
                p = strstr(payload, "3f1c2a9be07d4c1e8a6b5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a29180");
                memcpy(p, key, 64);
                if (store_outbox_enqueue(st, "mail", "chef", key, payload,
                                         (int64_t) time(NULL) * 1000000 - 1, &err) < 0) {
                        fprintf(stderr, "enqueue: %s\n", strna(err));
                        return 1;
                }
        }
        if (store_commit(st, &err) < 0)
                return 1;
        t1 = now_s();
        rss_queued = vm_kb("VmRSS:");

        log_set_max_level(LOG_WARNING); /* one line per message would time the terminal */
        sd_event_default(&e);
        if (outbox_new(e, st, c, &o) < 0)
                return 1;
        outbox_on_idle(o, on_idle, e);
        outbox_kick(o);
        t1 = now_s();
        sd_event_loop(e);
        t2 = now_s();

        printf("enqueued %u notices in %.2f s\n", n, t1 - t0);
        printf("labourwatch outbox: %u delivered in %.2f s = %.0f messages/s%s\n", outbox_sent(o), t2 - t1,
               outbox_sent(o) / (t2 - t1), outbox_had_failures(o) ? " (with failures!)" : "");
        printf("memory: VmRSS %ld kB with %u queued; peak VmHWM %ld kB\n", rss_queued, n, vm_kb("VmHWM:"));

        outbox_free(o);
        sd_event_unref(e);
        store_close(st);
        config_free(c);
        cmd = strdup_printf("rm -rf '%s'", dir);
        if (cmd && system(cmd) != 0)
                return 1;
        return 0;
}
