/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager: loop, signals, watchdog, sd_notify, reload, and the cycle
 * fetch -> evaluate -> notify. See include/labourwatch/manager.h. */
#include <assert.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/inotify.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "labourwatch/alerting.h"
#include "labourwatch/config.h"
#include "labourwatch/curl-glue.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/fileio.h"
#include "labourwatch/goal.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/idle.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/manager.h"
#include "labourwatch/metrics.h"
#include "labourwatch/notify.h"
#include "labourwatch/outbox.h"
#include "labourwatch/pipeline.h"
#include "labourwatch/report-send.h"
#include "labourwatch/store.h"

/* Scheduled fetches are hours apart and the only other wake-up (the watchdog) runs on another
 * clock, so coalescing would gain nothing; one second keeps "next fetch 09:30" meaning 09:30. */
#define CYCLE_TIMER_ACCURACY_USEC USEC_PER_SEC
/* SIGTERM: how long answers to deliveries in flight are waited for (labourwatchd(8) promises an exit
 * within five seconds). */
#define STOP_WAIT_USEC (2 * USEC_PER_SEC)

/* The last known status of one goal, to log GOAL_STATUS_CHANGED when it changes. */
typedef struct GoalStatusEntry {
        char *goal;
        GoalStatus status;
} GoalStatusEntry;

struct Manager {
        sd_event *event;
        sd_event_source *sigterm_source, *sigint_source, *sighup_source;
        sd_event_source *timer_source, *once_source;
        sd_event_source *daily_source; /* the daily evaluation, shortly after local midnight */
        sd_event_source *kick_source;  /* inotify on state_dir: the CLI changed a silence or ack */
        sd_event_source *report_source; /* the next report of a route (`report: {calendar:}`) */
        sd_event_source *stop_source;   /* stopping: the end of the wait for answers in flight */

        char *config_path;
        Config *config;
        Store *store;
        CurlGlue *glue;      /* the one curl glue of the process: fetches and deliveries */
        SourceRunner *runner;
        Outbox *outbox;      /* delivery of queued notifications; NULL in --dry-run */
        int lock_fd;         /* flock() on state_dir/labourwatchd.lock; -1 in --dry-run */

        bool once;
        bool dry_run;
        Date pruned_on; /* the evaluations were last pruned on this local date; year 0: not yet */
        bool stopping;       /* SIGTERM/SIGINT: waiting (briefly) for deliveries in flight */
        int stop_code;       /* the exit status then */

        bool cycle_running;
        bool cycle_failed;   /* something in the current cycle failed (exit status of --once) */
        bool reload_pending; /* SIGHUP arrived during a cycle: reload when it ends */
        uint64_t reload_failed_usec; /* the last rejected reload, shown in STATUS= until a good one */

        bool evaluated;
        size_t n_off_track;
        size_t n_without_data;
        size_t n_firing;
        GoalStatusEntry *goal_statuses;
        size_t n_goal_statuses;

        uint64_t next_due; /* realtime usec, UINT64_MAX: none */
};

static void goal_statuses_free(GoalStatusEntry *g, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(g[i].goal);
        }
        free(g);
}

static bool goal_status_is_off_track(GoalStatus s)
{
        return s == GOAL_STATUS_OFF_TRACK || s == GOAL_STATUS_MISSED;
}

static bool goal_status_is_without_data(GoalStatus s)
{
        return s == GOAL_STATUS_NO_DATA || s == GOAL_STATUS_INSUFFICIENT_DATA;
}

static uint64_t now_realtime(Manager *m)
{
        uint64_t t = 0;

        /* sd_event_now() is the time of the current iteration; before the first one it falls back
         * to the clock itself. */
        if (sd_event_now(m->event, CLOCK_REALTIME, &t) < 0)
                t = now(CLOCK_REALTIME);
        return t;
}

static size_t config_n_fetched_series(const Config *c)
{
        size_t n = 0;

        for (size_t i = 0; i < c->n_series; i++)
                if (c->series[i].source)
                        n++;
        return n;
}

char *manager_status_format(const ManagerStatus *s, uint64_t now_usec)
{
        _cleanup_free_ char *goals = NULL, *firing = NULL;
        char when[64] = "";
        const char *fetch;

        firing = s->evaluated && s->n_firing > 0 ? strdup_printf(", %zu firing", s->n_firing) : strdup("");
        if (!firing)
                return NULL;
        if (!s->evaluated || s->n_goals == 0)
                goals = strdup_printf("%zu goal%s%s", s->n_goals, s->n_goals == 1 ? "" : "s",
                                      s->n_goals > 0 ? " (not evaluated)" : "");
        else if (s->n_without_data > 0)
                goals = strdup_printf("%zu goal%s, %zu off track%s, %zu without data", s->n_goals,
                                      s->n_goals == 1 ? "" : "s", s->n_off_track, firing, s->n_without_data);
        else
                goals = strdup_printf("%zu goal%s, %zu off track%s", s->n_goals, s->n_goals == 1 ? "" : "s",
                                      s->n_off_track, firing);
        if (!goals)
                return NULL;

        if (s->n_sources == 0)
                fetch = "no sources";
        else if (s->fetching)
                fetch = "fetching now";
        else if (s->next_fetch_usec == UINT64_MAX)
                fetch = "no fetch scheduled";
        else {
                time_t t = (time_t) (s->next_fetch_usec / USEC_PER_SEC),
                       n = (time_t) (now_usec / USEC_PER_SEC);
                struct tm tm, tm_now;

                if (!localtime_r(&t, &tm) || !localtime_r(&n, &tm_now))
                        return NULL;
                if (tm.tm_year == tm_now.tm_year && tm.tm_yday == tm_now.tm_yday)
                        strftime(when, sizeof when, "next fetch %H:%M", &tm);
                else
                        strftime(when, sizeof when, "next fetch %Y-%m-%d %H:%M", &tm);
                fetch = when;
        }
        if (s->reload_failed_usec > 0) {
                time_t t = (time_t) (s->reload_failed_usec / USEC_PER_SEC);
                struct tm tm;
                char at[32] = "";

                if (localtime_r(&t, &tm))
                        strftime(at, sizeof at, " %H:%M", &tm);
                /* first, so that a truncated `systemctl status` line still shows it */
                return strdup_printf("Configuration reload failed%s (previous configuration in use); %s; %s", at,
                                     goals, fetch);
        }
        return strdup_printf("%s; %s", goals, fetch);
}

static void manager_notify_status(Manager *m, const char *extra)
{
        _cleanup_free_ char *s = NULL;
        ManagerStatus st = {
                .n_goals = m->config->n_goals,
                .n_sources = m->config->n_sources,
                .evaluated = m->evaluated,
                .n_off_track = m->n_off_track,
                .n_without_data = m->n_without_data,
                .n_firing = m->n_firing,
                .fetching = m->cycle_running,
                .next_fetch_usec = m->next_due,
                .reload_failed_usec = m->reload_failed_usec,
        };

        if (m->once)
                return;
        s = manager_status_format(&st, now_realtime(m));
        if (!s)
                return;
        /* sd_notify is a no-op without $NOTIFY_SOCKET; failures only mean nobody listens. */
        (void) sd_notifyf(false, "%s%sSTATUS=%s", strempty(extra), extra ? "\n" : "", s);
}

static void manager_arm_timer(Manager *m)
{
        uint64_t now = now_realtime(m);
        int r;

        m->next_due = m->runner && !m->once ? source_runner_next_due(m->runner, now) : UINT64_MAX;
        if (m->next_due == UINT64_MAX) {
                (void) sd_event_source_set_enabled(m->timer_source, SD_EVENT_OFF);
                return;
        }
        r = sd_event_source_set_time(m->timer_source, MAX(m->next_due, UINT64_C(1)));
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_error_errno(r, "Failed to arm the fetch timer, no fetches will be scheduled: %m");
        else
                log_debug("Next fetch due in %llu s",
                          (unsigned long long) (m->next_due > now ? (m->next_due - now) / USEC_PER_SEC : 0));
}

/* The process's one curl glue, made on first use: the source runner's fetches and the outbox's
 * deliveries run on it (issue 21 §4). */
static int manager_ensure_glue(Manager *m)
{
        return m->glue ? 0 : curl_glue_new(m->event, &m->glue);
}

/* Creates the source runner for a configuration with fetched series. */
static int manager_ensure_runner(Manager *m, const Config *c)
{
        int r;

        if (m->runner || config_n_fetched_series(c) == 0)
                return 0;
        r = manager_ensure_glue(m);
        if (r >= 0)
                r = source_runner_new_with_glue(m->glue, m->store, c, &m->runner);
        if (r < 0)
                return log_error_errno(r, "Failed to set up fetching: %m");
        return 0;
}

static Date today_local(Manager *m)
{
        time_t t = (time_t) (now_realtime(m) / USEC_PER_SEC);
        const char *fake = getenv("LW_TEST_TODAY");
        struct tm tm;
        Date d;

        /* Test hook: evaluate as on another day (integration tests of daily re-evaluation). */
        if (fake && date_parse(fake, &d) >= 0)
                return d;
        if (!localtime_r(&t, &tm))
                return date_from_days((int64_t) (t / 86400));
        return (Date){ .year = tm.tm_year + 1900, .month = tm.tm_mon + 1, .day = tm.tm_mday };
}

/* Takes in a new set of results: counts goals off track and logs every goal whose status changed
 * since the previous evaluation this process made. */
static int manager_take_results(Manager *m, const GoalResult *results, size_t n, bool log_changes)
{
        _cleanup_(hashmap_freep) Hashmap *previous = NULL;
        GoalStatusEntry *next;
        size_t n_off = 0, n_nodata = 0;

        /* The previous statuses by goal, built once: not a scan of them per goal. */
        if (log_changes && hashmap_new(m->n_goal_statuses, &previous) < 0)
                return log_error_errno(-ENOMEM, "Failed to record goal statuses: %m");
        for (size_t j = 0; previous && j < m->n_goal_statuses; j++)
                if (m->goal_statuses[j].goal &&
                    hashmap_put(previous, m->goal_statuses[j].goal, &m->goal_statuses[j], NULL) < 0)
                        return log_error_errno(-ENOMEM, "Failed to record goal statuses: %m");

        next = xmalloc_array(n ? n : 1, sizeof *next);
        if (!next)
                return log_error_errno(-ENOMEM, "Failed to record goal statuses: %m");

        for (size_t i = 0; i < n; i++) {
                const char *goal = results[i].id;
                GoalStatus status = results[i].status;
                const char *name = strna(goal_status_to_string(status));

                next[i] = (GoalStatusEntry){ strdup_or_null(goal), status };
                if (goal_status_is_off_track(status))
                        n_off++;
                if (goal_status_is_without_data(status))
                        n_nodata++;
                if (!log_changes || !goal)
                        continue;
                {
                        _cleanup_free_ char *f_goal = NULL, *f_old = NULL, *f_new = NULL;
                        const GoalStatusEntry *old = hashmap_get(previous, goal);
                        const char *old_name;

                        if (!old || old->status == status)
                                continue;
                        old_name = strna(goal_status_to_string(old->status));
                        f_goal = strdup_printf("GOAL=%s", goal);
                        f_old = strdup_printf("OLD_STATUS=%s", old_name);
                        f_new = strdup_printf("STATUS=%s", name);
                        if (f_goal && f_old && f_new)
                                log_event(LOG_NOTICE, 0, LOG_EVENT_GOAL_STATUS_CHANGED,
                                          LOG_FIELDS(f_goal, f_old, f_new), "Goal %s: %s -> %s", goal,
                                          old_name, name);
                }
        }

        goal_statuses_free(m->goal_statuses, m->n_goal_statuses);
        m->goal_statuses = next;
        m->n_goal_statuses = n;
        m->n_off_track = n_off;
        m->n_without_data = n_nodata;
        m->evaluated = true;
        return 0;
}

static void log_alert_transition(const AlertingTransition *t)
{
        const AlertEvent *e = &t->event;
        const char *event = alert_event_to_string(e->kind), *status = strna(goal_status_to_string(e->status));
        char period[PERIOD_STRING_MAX] = "";
        _cleanup_free_ char *f_goal = strdup_printf("GOAL=%s", t->goal), *f_event = strdup_printf("EVENT=%s", event),
                            *f_status = NULL, *f_period = NULL, *f_more = NULL;

        if (e->has_period)
                period_to_string(e->period, period);
        f_status = strdup_printf("STATUS=%s", status);
        f_period = strdup_printf("PERIOD=%s", period);
        f_more = e->routes ? strdup_printf("NOTIFIED=%s", strna(t->notified))
                           : strdup_printf("SUPPRESSED=%s", strna(alert_suppress_to_string(e->suppressed)));
        if (!f_goal || !f_event || !f_status || !f_period || !f_more)
                return;
        if (e->routes && t->notified && strlen(t->notified) > 200) {
                /* a route to a hundred recipients: the field has them all, the message a count */
                size_t n = 1;
                for (const char *p = t->notified; *p; p++)
                        n += *p == ',';
                log_event(LOG_NOTICE, 0, LOG_EVENT_ALERT, LOG_FIELDS(f_goal, f_event, f_status, f_period, f_more),
                          "Goal %s: %s (%s, %s), notifying %zu recipients", t->goal, event, status,
                          period[0] ? period : "no period", n);
        } else if (e->routes)
                log_event(LOG_NOTICE, 0, LOG_EVENT_ALERT, LOG_FIELDS(f_goal, f_event, f_status, f_period, f_more),
                          "Goal %s: %s (%s, %s), notifying %s", t->goal, event, status, period[0] ? period : "no period",
                          strna(t->notified));
        else
                log_event(LOG_INFO, 0, LOG_EVENT_ALERT, LOG_FIELDS(f_goal, f_event, f_status, f_period, f_more),
                          "Goal %s: %s (%s, %s) not notified: %s", t->goal, event, status,
                          period[0] ? period : "no period", strna(alert_suppress_to_string(e->suppressed)));
}

/* --dry-run: each goal's status, each alert event, and what would be enqueued: one block per
 * notice. */
static void print_dry_run(const Config *c, uint64_t now, const GoalResult *results, size_t n,
                          const AlertingReport *rep)
{
        for (size_t i = 0; i < n; i++)
                printf("dry-run: goal %s: %s\n", strna(results[i].id), strna(goal_status_to_string(results[i].status)));
        for (size_t i = 0; i < rep->n_transitions; i++) {
                const AlertingTransition *t = &rep->transitions[i];
                if (t->event.routes)
                        printf("dry-run: alert %s: %s, notifying %s\n", t->goal, alert_event_to_string(t->event.kind),
                               strna(t->notified));
                else
                        printf("dry-run: alert %s: %s, not notified: %s\n", t->goal,
                               alert_event_to_string(t->event.kind),
                               strna(alert_suppress_to_string(t->event.suppressed)));
        }
        if (rep->n_notices == 0)
                printf("dry-run: no notifications would be sent\n");
        for (size_t i = 0; i < rep->n_notices; i++) {
                const AlertingNotice *no = &rep->notices[i];
                printf("dry-run: notice to %s%s%s (%zu event%s, %zu data problem%s), key %s\n", no->notifier,
                       no->recipient ? ":" : "", strempty(no->recipient), no->n_events, no->n_events == 1 ? "" : "s",
                       no->n_problems, no->n_problems == 1 ? "" : "s", no->key);
                /* The message as the channel would render it (built-in or configured templates). */
                {
                        _cleanup_free_ char *error = NULL;
                        NotifyMessage msg = {};
                        NotifyRenderArgs ra = {
                                .config = c,
                                .notifier = config_find_notifier(c, no->notifier),
                                .recipient = no->recipient ? config_find_recipient(c, no->recipient) : NULL,
                                .now_usec = (int64_t) now,
                        };

                        if (notify_render(&ra, no->payload, &msg, &error) >= 0)
                                printf("Subject: %s\n\n%s\n", strna(msg.subject), strna(msg.text));
                        else
                                printf("(cannot render: %s)\n%s\n", strna(error), no->payload);
                        notify_message_done(&msg);
                }
        }
        fflush(stdout);
}

/* One alerting cycle on the stored figures: evaluate every goal (recorded: the audit trail), step
 * each goal's alert state, and write the new states, the transitions and the notices in one
 * transaction. With --dry-run nothing is recorded or written: the notices are printed. */
static uint64_t now_monotonic(void)
{
        return now(CLOCK_MONOTONIC);
}

/* metrics_file: node_exporter's textfile, rewritten after each evaluation (metrics.h). A failure
 * is logged and the cycle carries on: dashboards are not worth a missed notification. */
static void manager_write_metrics(Manager *m, const GoalResult *results, size_t n, uint64_t eval_usec)
{
        _cleanup_free_ char *error = NULL;
        int r;

        if (!m->config->metrics_file)
                return;
        r = metrics_update(m->config, m->store, m->runner, results, n, eval_usec, (int64_t) now_realtime(m),
                           &error);
        if (r < 0)
                log_warning_errno(r, "Failed to write the metrics file %s, ignoring: %s", m->config->metrics_file,
                                  error ? error : "%m");
}

/* Once a day (the first evaluation of each local date), the audit trail older than
 * evaluations_keep goes, but for each goal's latest evaluation and those behind a notice. */
static void manager_prune(Manager *m, Date today, uint64_t now)
{
        _cleanup_free_ char *error = NULL;
        uint64_t keep = m->config->evaluations_keep_usec;
        int r;

        if (m->dry_run || date_compare(m->pruned_on, today) == 0 || keep == 0 || now < keep)
                return;
        r = store_prune_evaluations(m->store, (int64_t) (now - keep), &error);
        if (r < 0) {
                log_warning_errno(r, "Failed to prune old evaluations, trying again tomorrow: %s", error ? error : "%m");
        } else if (r > 0)
                log_info("Pruned %d evaluation%s older than %" PRIu64 " days (evaluations_keep)", r, r == 1 ? "" : "s",
                         keep / USEC_PER_DAY);
        m->pruned_on = today;
}

static int manager_alert_cycle(Manager *m)
{
        _cleanup_free_ char *error = NULL;
        AlertingReport rep = {};
        GoalResult *results = NULL;
        size_t n = 0;
        uint64_t now = now_realtime(m), eval_start = now_monotonic(), eval_usec;
        Date today = today_local(m);
        int r;

        if (m->config->n_goals == 0) {
                if (m->dry_run) {
                        printf("dry-run: no goals, no notifications would be sent\n");
                        fflush(stdout);
                }
                return manager_take_results(m, NULL, 0, false);
        }

        r = evaluate_all(m->store, m->config, today, now, !m->dry_run, &results, &n, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to evaluate goals: %s", error ? error : "%m");
        eval_usec = now_monotonic() - eval_start;
        r = manager_take_results(m, results, n, true);
        if (r < 0)
                goto out;
        if (!m->dry_run)
                store_crash_point(m->store, "after-evaluate");
        manager_prune(m, today, now);

        r = alerting_run(&(AlertingArgs){ .store = m->store, .config = m->config, .results = results, .n_results = n,
                                          .date = today, .now = (int64_t) now, .dry_run = m->dry_run },
                         &rep, &error);
        if (r < 0) {
                log_error_errno(r, "Failed to update alert states, trying again at the next evaluation: %s",
                                error ? error : "%m");
                goto out;
        }
        m->n_firing = rep.n_firing;
        for (size_t i = 0; i < rep.n_transitions; i++)
                log_alert_transition(&rep.transitions[i]);
        if (m->dry_run)
                print_dry_run(m->config, now, results, n, &rep);
        else {
                size_t queued = 0;
                for (size_t i = 0; i < rep.n_notices; i++)
                        queued += rep.notices[i].enqueued;
                if (rep.n_notices > 0)
                        log_info("Enqueued %zu notification%s", queued, queued == 1 ? "" : "s");
                store_crash_point(m->store, "after-enqueue");
                manager_write_metrics(m, results, n, eval_usec);
                if (m->outbox && queued > 0)
                        outbox_kick(m->outbox);
        }
        r = 0;
out:
        alerting_report_done(&rep);
        goal_results_free(results, n);
        return r;
}

static void manager_reload(Manager *m);

/* --once: the cycle is over once the outbox has attempted everything that is due. */
static void on_outbox_idle(Outbox *o, void *userdata)
{
        Manager *m = userdata;
        bool failed = m->cycle_failed || outbox_had_failures(o);

        log_info("Cycle finished%s", failed ? " with errors" : "");
        (void) sd_event_exit(m->event, failed ? 1 : 0);
}

static void manager_once_finish(Manager *m)
{
        if (m->outbox && !outbox_idle(m->outbox)) {
                outbox_on_idle(m->outbox, on_outbox_idle, m);
                outbox_kick(m->outbox);
                return;
        }
        log_info("Cycle finished%s", m->cycle_failed ? " with errors" : "");
        (void) sd_event_exit(m->event, m->cycle_failed ? 1 : 0);
}

/* The cycle is over and the next is hours away: give back what the cycle used (idle.h, figures in
 * tests/bench/README). LW_IDLE_RELEASE=none|heap|text|heap,text overrides the default (heap,text),
 * for the idle benchmark. */
static void manager_release_idle_memory(Manager *m)
{
        const char *e = getenv("LW_IDLE_RELEASE");
        IdleRelease what = IDLE_RELEASE_HEAP | IDLE_RELEASE_TEXT;

        if (e)
                what = (strstr(e, "heap") ? IDLE_RELEASE_HEAP : 0) | (strstr(e, "text") ? IDLE_RELEASE_TEXT : 0);
        if (what & IDLE_RELEASE_HEAP)
                store_release_memory(m->store);
        idle_release_memory(what);
}

static void manager_cycle_finish(Manager *m)
{
        int r;

        r = manager_alert_cycle(m);
        if (r < 0)
                m->cycle_failed = true;

        m->cycle_running = false;
        if (m->once) {
                manager_once_finish(m);
                return;
        }
        if (m->reload_pending) {
                m->reload_pending = false;
                manager_reload(m); /* re-arms the timer and reports READY=1 */
                return;
        }
        manager_arm_timer(m);
        manager_notify_status(m, NULL);
        manager_release_idle_memory(m);
}

/* --once: a source still in a failure streak (waiting for its retry, so not due in this cycle) fails
 * the cycle too, with one line per source: cron mails it. */
static void manager_check_failing_sources(Manager *m)
{
        for (size_t i = 0; m->store && i < m->config->n_sources; i++) {
                const SourceDef *src = &m->config->sources[i];
                _cleanup_free_ char *err = NULL;
                SourceState st = {};

                if (store_get_source_state(m->store, src->name, &st, &err) < 0) {
                        log_warning("Cannot read the state of source %s, ignoring: %s", src->name, strna(err));
                        continue;
                }
                if (st.consecutive_failures > 0) {
                        log_warning("Source %s is failing (%u failed run%s in a row): %s", src->name,
                                    st.consecutive_failures, st.consecutive_failures == 1 ? "" : "s",
                                    strna(st.last_error));
                        m->cycle_failed = true;
                }
                source_state_done(&st);
        }
}

static void on_fetch_done(SourceRunner *runner, unsigned n_ok, unsigned n_failed, void *userdata)
{
        Manager *m = userdata;

        log_info("Fetch run finished: %u series fetched, %u failed", n_ok, n_failed);
        if (n_failed > 0)
                m->cycle_failed = true;
        if (m->once)
                manager_check_failing_sources(m);
        manager_cycle_finish(m);
}

static void manager_cycle_start(Manager *m)
{
        int r;

        if (m->cycle_running)
                return;
        m->cycle_running = true;
        m->cycle_failed = false;

        if (m->runner) {
                manager_notify_status(m, NULL);
                r = source_runner_run(m->runner, now_realtime(m), false, NULL, on_fetch_done, m);
                if (r >= 0)
                        return; /* continues in on_fetch_done() */
                log_error_errno(r, "Failed to start fetching, evaluating stored data only: %m");
                m->cycle_failed = true;
        }
        manager_cycle_finish(m);
}

/* The daily evaluation: a goal's figures may not change for weeks, but the date does (a goal period
 * ends, repeats by duration fall due, silences expire, data becomes late), and figures stored by
 * `labourwatch fetch` or `import` beside the daemon are picked up. A few minutes after local
 * midnight, so the date has surely turned. */
#define DAILY_OFFSET_USEC (5 * USEC_PER_MINUTE)

static uint64_t next_local_midnight(uint64_t now_usec)
{
        time_t t = (time_t) (now_usec / USEC_PER_SEC), next;
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return now_usec + USEC_PER_DAY;
        tm.tm_mday += 1;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1; /* let mktime find out: the DST switch nights are 23 or 25 hours long */
        next = mktime(&tm);
        if (next == (time_t) -1 || next <= t)
                return now_usec + USEC_PER_DAY;
        return (uint64_t) next * USEC_PER_SEC;
}

static void manager_arm_daily(Manager *m)
{
        uint64_t when = next_local_midnight(now_realtime(m)) + DAILY_OFFSET_USEC;
        int r;

        r = sd_event_source_set_time(m->daily_source, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->daily_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_error_errno(r, "Failed to arm the daily evaluation, goals are evaluated after fetches only: %m");
}

static int on_daily(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;

        /* A running fetch cycle evaluates when it ends. */
        if (!m->cycle_running) {
                log_debug("Daily evaluation");
                (void) manager_alert_cycle(m);
                manager_notify_status(m, NULL);
        }
        manager_arm_daily(m);
        return 0;
}

/* `labourwatch silence/unsilence/ack/import/fetch` wrote state_dir/evaluate-now: evaluate now, so
 * the operator sees the effect at once (a running fetch cycle evaluates when it ends). */
static int on_kick(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
        Manager *m = userdata;

        if (ev->len == 0 || !streq(ev->name, ALERTING_KICK_FILE) || m->cycle_running)
                return 0;
        log_info("Told that controls or figures changed, evaluating");
        (void) manager_alert_cycle(m);
        manager_notify_status(m, NULL);
        return 0;
}

/* Reports on the routes' calendars (report-send.h): enqueues what is due, arms the timer at the next
 * slot. Not in --once or --dry-run. */
static void manager_reports(Manager *m)
{
        _cleanup_free_ char *error = NULL;
        ReportSendResult res = {};
        int r;

        if (!m->report_source || !m->outbox)
                return;
        r = report_send_due(m->store, m->config, now_realtime(m), &res, &error);
        if (r < 0) {
                log_error_errno(r, "Failed to queue the reports that are due, retrying in a minute: %s",
                                error ? error : strerror(-r));
                res.next_due = now_realtime(m) + USEC_PER_MINUTE;
        } else if (res.n_due > 0) {
                log_info("Report due on %zu route(s): %zu message(s) queued", res.n_due, res.n_enqueued);
                outbox_kick(m->outbox);
        }
        r = sd_event_source_set_time(m->report_source, res.next_due);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->report_source,
                                                res.next_due == UINT64_MAX ? SD_EVENT_OFF : SD_EVENT_ONESHOT);
        if (r < 0)
                log_error_errno(r, "Failed to arm the report timer, no reports will be sent: %m");
}

static int on_report(sd_event_source *s, uint64_t usec, void *userdata)
{
        manager_reports(userdata);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        manager_cycle_start(userdata);
        return 0;
}

static int on_once(sd_event_source *s, void *userdata)
{
        manager_cycle_start(userdata);
        return 0;
}

static void log_config_errors(const char *path, const ConfigErrors *errors, int r)
{
        _cleanup_free_ char *f_file = strdup_printf("CONFIG_FILE=%s", path);

        for (size_t i = 0; i < errors->n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors->items[i]);
                log_event(LOG_ERR, 0, LOG_EVENT_CONFIG_REJECTED, f_file ? LOG_FIELDS(f_file) : NULL, "%s",
                          s ? s : strna(errors->items[i].message));
        }
        if (errors->n_items == 0)
                log_event(LOG_ERR, r, LOG_EVENT_CONFIG_REJECTED, f_file ? LOG_FIELDS(f_file) : NULL,
                          "%s: failed to load the configuration: %m", path);
}

/* Loads the configuration file. Returns 0 and *ret, or negative errno after logging every error. */
static int manager_load_config(Manager *m, Config **ret)
{
        ConfigErrors errors = {};
        int r;

        /* Loading is linear and bounded (config.h), far below WatchdogSec=; still, a reload comes
         * between two of the loop's pings, so ping on both sides of it (only when one was asked for). */
        bool wd = sd_watchdog_enabled(false, NULL) > 0;
        if (wd)
                (void) sd_notify(false, "WATCHDOG=1");
        r = config_load(m->config_path, ret, &errors);
        if (wd)
                (void) sd_notify(false, "WATCHDOG=1");
        if (r < 0) {
                log_config_errors(m->config_path, &errors, r);
                config_errors_done(&errors);
                return r;
        }
        config_errors_done(&errors);
        return 0;
}

static void log_config_loaded(Manager *m, LogEvent event, const char *verb)
{
        _cleanup_free_ char *f_file = strdup_printf("CONFIG_FILE=%s", m->config_path);
        const Config *c = m->config;

        log_event(LOG_INFO, 0, event, f_file ? LOG_FIELDS(f_file) : NULL,
                  "%s configuration %s: %zu file%s, %zu source%s, %zu series, %zu goal%s", verb,
                  m->config_path, c->n_files, c->n_files == 1 ? "" : "s", c->n_sources,
                  c->n_sources == 1 ? "" : "s", c->n_series, c->n_goals, c->n_goals == 1 ? "" : "s");
}

static void manager_reload(Manager *m)
{
        Config *c = NULL, *old;
        int r;

        if (m->cycle_running) {
                log_info("Reload requested during a cycle; reloading when it has finished");
                m->reload_pending = true;
                return;
        }

        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading configuration",
                          (unsigned long long) now(CLOCK_MONOTONIC));
        log_info("Reloading configuration %s", m->config_path);

        r = manager_load_config(m, &c);
        if (r < 0) {
                log_warning("Configuration %s rejected, continuing with the previous one", m->config_path);
                m->reload_failed_usec = now_realtime(m);
                goto done;
        }

        if (!streq(strempty(c->state_dir), strempty(m->config->state_dir)))
                log_warning("state_dir changed from %s to %s; that takes a restart, the store stays in %s",
                            strna(m->config->state_dir), strna(c->state_dir), strna(m->config->state_dir));

        if (m->runner) {
                r = source_runner_set_config(m->runner, c);
                if (r < 0) {
                        log_error_errno(r, "Failed to apply the new configuration to fetching, "
                                           "continuing with the previous one: %m");
                        config_free(c);
                        goto done;
                }
        } else if (manager_ensure_runner(m, c) < 0) {
                log_warning("Continuing with the previous configuration");
                config_free(c);
                goto done;
        }

        old = m->config;
        m->config = c;
        outbox_set_config(m->outbox, c);
        config_free(old);
        log_config_loaded(m, LOG_EVENT_RELOADED, "Reloaded");
        m->reload_failed_usec = 0;

        /* Goals, routes and recipients may have changed: evaluate and alert on the new ones. */
        m->evaluated = false;
        (void) manager_alert_cycle(m);
        manager_reports(m);

done:
        manager_arm_timer(m);
        manager_notify_status(m, "READY=1");
}

static void manager_stop(Manager *m)
{
        /* --once: a delivery cut unanswered did not do its work either */
        (void) sd_event_exit(m->event, m->stop_code || (m->once && outbox_in_flight(m->outbox) > 0) ? 1 : 0);
}

static void on_outbox_drained(Outbox *o, void *userdata)
{
        manager_stop(userdata);
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;

        log_info("%u deliveries still without an answer, leaving them for the next start",
                 outbox_in_flight(m->outbox));
        manager_stop(m);
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        Manager *m = userdata;
        int r;

        if (si->ssi_signo == SIGHUP) {
                manager_reload(m);
                return 0;
        }
        if (m->stopping) {
                manager_stop(m); /* a second signal: at once */
                return 0;
        }
        m->stopping = true;
        log_event(LOG_INFO, 0, LOG_EVENT_SHUTTING_DOWN, NULL, "Received SIG%s, shutting down",
                  sigabbrev_np((int) si->ssi_signo));
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        /* An interrupted --once cycle did not do its work. */
        m->stop_code = m->once && m->cycle_running ? 1 : 0;
        if (outbox_in_flight(m->outbox) == 0) {
                manager_stop(m);
                return 0;
        }
        /* Answers in flight are waited for, briefly, so what a server is accepting now is not sent
         * again after the restart; what has no answer by then stays due (issue 18 §5). */
        (void) sd_event_source_set_enabled(m->timer_source, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(m->daily_source, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(m->report_source, SD_EVENT_OFF);
        r = sd_event_add_time_relative(m->event, &m->stop_source, CLOCK_MONOTONIC, STOP_WAIT_USEC,
                                       USEC_PER_SEC / 10, on_stop_timeout, m);
        if (r < 0) {
                manager_stop(m);
                return 0;
        }
        log_info("Waiting up to %" PRIu64 " s for %u deliveries in flight", STOP_WAIT_USEC / USEC_PER_SEC,
                 outbox_in_flight(m->outbox));
        outbox_drain(m->outbox, on_outbox_drained, m);
        return 0;
}

int manager_new(const ManagerOptions *o, Manager **ret)
{
        Manager *m;
        sigset_t mask;
        int r;

        assert(o);
        assert(ret);

        /* Signals are taken from a signalfd on the loop; they must be blocked before any thread
         * (libcurl's resolver) exists. sd-event 252 has no SD_EVENT_SIGNAL_PROCMASK yet. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        /* A closed log pipe (a journald restart, `labourwatchd --once | head`) must give EPIPE on
         * write, not kill the daemon; systemd does the same for its services (IgnoreSIGPIPE=). */
        (void) signal(SIGPIPE, SIG_IGN);

        m = calloc(1, sizeof *m);
        if (!m)
                return log_error_errno(-ENOMEM, "Failed to allocate the manager: %m");
        m->once = o->once;
        m->dry_run = o->dry_run;
        m->next_due = UINT64_MAX;
        m->lock_fd = -1;
        m->config_path = strdup(o->config_path ? o->config_path : CONFIG_DEFAULT_PATH);
        if (!m->config_path) {
                r = log_error_errno(-ENOMEM, "Failed to allocate the manager: %m");
                goto fail;
        }

        r = manager_load_config(m, &m->config);
        if (r < 0) {
                log_error("Configuration %s rejected, not starting", m->config_path);
                goto fail;
        }
        log_config_loaded(m, LOG_EVENT_CONFIG_LOADED, "Loaded");

        {
                _cleanup_free_ char *error = NULL;

                r = store_open(m->config->state_dir, &m->store, &error);
                if (r < 0) {
                        if (error)
                                log_error_errno(r, "Failed to open the state store: %s", error);
                        else
                                log_error_errno(r, "Failed to open the state store in %s: %m",
                                                strna(m->config->state_dir));
                        goto fail;
                }
        }
        if (!m->dry_run) {
                /* One process delivers from a store: two would send the same notices twice. */
                pid_t holder = 0;

                r = lock_file_take(m->config->state_dir, STATE_LOCK_FILE, &m->lock_fd, &holder);
                if (r == -EBUSY) {
                        if (holder > 0)
                                log_error("%s/%s is locked by labourwatchd PID %ld, which is already running on "
                                          "this state directory; not starting",
                                          m->config->state_dir, STATE_LOCK_FILE, (long) holder);
                        else
                                log_error("%s/%s is locked by another labourwatchd already running on this "
                                          "state directory; not starting",
                                          m->config->state_dir, STATE_LOCK_FILE);
                        goto fail;
                }
                if (r < 0) {
                        log_error_errno(r, "Failed to lock %s/%s: %m", m->config->state_dir, STATE_LOCK_FILE);
                        goto fail;
                }
        }

        r = sd_event_new(&m->event);
        if (r < 0) {
                log_error_errno(r, "Failed to create the event loop: %m");
                goto fail;
        }
        r = sd_event_add_signal(m->event, &m->sigterm_source, SIGTERM, on_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, &m->sigint_source, SIGINT, on_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, &m->sighup_source, SIGHUP, on_signal, m);
        if (r < 0) {
                log_error_errno(r, "Failed to set up signal handling: %m");
                goto fail;
        }
        r = sd_event_add_time(m->event, &m->timer_source, CLOCK_REALTIME, UINT64_MAX,
                              CYCLE_TIMER_ACCURACY_USEC, on_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer_source, SD_EVENT_OFF);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the fetch timer: %m");
                goto fail;
        }
        r = sd_event_add_time(m->event, &m->daily_source, CLOCK_REALTIME, UINT64_MAX, USEC_PER_MINUTE, on_daily, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->daily_source, SD_EVENT_OFF);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the daily evaluation timer: %m");
                goto fail;
        }
        if (!m->once) {
                /* Not fatal: without it controls are read at the next evaluation. */
                r = sd_event_add_inotify(m->event, &m->kick_source, m->config->state_dir,
                                         IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR, on_kick, m);
                if (r < 0)
                        log_warning_errno(r, "Failed to watch %s for changed controls and figures, reading them "
                                             "at the next evaluation: %m",
                                          m->config->state_dir);
        }
        if (!m->once) {
                /* Honours $WATCHDOG_USEC (and $WATCHDOG_PID); a no-op without them. */
                r = sd_event_set_watchdog(m->event, true);
                if (r < 0) {
                        log_error_errno(r, "Failed to enable the watchdog: %m");
                        goto fail;
                }
        }

        r = manager_ensure_runner(m, m->config);
        if (r < 0)
                goto fail;

        if (!m->dry_run) {
                /* Delivers what is due now, including what a previous process left in the outbox. */
                r = manager_ensure_glue(m);
                if (r >= 0)
                        r = outbox_new_with_glue(m->glue, m->store, m->config, &m->outbox);
                if (r < 0) {
                        log_error_errno(r, "Failed to set up notification delivery: %m");
                        goto fail;
                }
        }
        if (!m->dry_run && !m->once) {
                r = sd_event_add_time(m->event, &m->report_source, CLOCK_REALTIME, UINT64_MAX, USEC_PER_SEC,
                                      on_report, m);
                if (r < 0) {
                        log_error_errno(r, "Failed to set up the report timer: %m");
                        goto fail;
                }
                manager_reports(m);
        }

        *ret = m;
        return 0;

fail:
        manager_free(m);
        return r;
}

Manager *manager_free(Manager *m)
{
        if (!m)
                return NULL;
        /* The runner first: it cancels transfers that point into the store and the configuration. */
        source_runner_free(m->runner);
        outbox_free(m->outbox); /* cancels deliveries in flight: they stay due in the store */
        curl_glue_unref(m->glue); /* after both: each took its transfers off it */
        sd_event_source_unref(m->once_source);
        sd_event_source_unref(m->timer_source);
        sd_event_source_unref(m->daily_source);
        sd_event_source_unref(m->report_source);
        sd_event_source_unref(m->stop_source);
        sd_event_source_unref(m->kick_source);
        sd_event_source_unref(m->sighup_source);
        sd_event_source_unref(m->sigint_source);
        sd_event_source_unref(m->sigterm_source);
        sd_event_unref(m->event);
        store_close(m->store);
        if (m->lock_fd >= 0)
                (void) close(m->lock_fd); /* the lock last: nothing of ours touches the store now */
        config_free(m->config);
        goal_statuses_free(m->goal_statuses, m->n_goal_statuses);
        free(m->config_path);
        free(m);
        return NULL;
}

int manager_run(Manager *m)
{
        int r;

        if (m->once) {
                r = sd_event_add_defer(m->event, &m->once_source, on_once, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to start the cycle: %m");
        } else {
                /* Alerts on the stored figures right away (a restart loses nothing, and figures
                 * stored while the daemon was down are looked at), then fetches when due. */
                (void) manager_alert_cycle(m);
                manager_arm_timer(m);
                manager_arm_daily(m);
        }

        log_event(LOG_INFO, 0, LOG_EVENT_STARTED, NULL, "labourwatchd %s started%s%s", LABOURWATCH_VERSION,
                  m->once ? " for one cycle" : "", m->dry_run ? " (dry run: nothing is sent)" : "");
        manager_notify_status(m, "READY=1");

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return r;
}
