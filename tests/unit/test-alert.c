/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table-driven tests of the alert state machine. Each scenario is a sequence of evaluations of one
 * goal (date, latest data period, status, value, gap); after each step the events are compared with
 * a compact string: "firing" (reached every route), "at_risk:2" (reached the routes of mask 2),
 * "firing/pending" (suppressed, and why). Between steps the state goes through its JSON document,
 * as it does through the store. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

/* Rows leave the trailing fields (silence, ack) out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "labourwatch/alert.h"
#include "labourwatch/config.h"
#include "labourwatch/macro.h"

#define OFF GOAL_STATUS_OFF_TRACK
#define ON GOAL_STATUS_ON_TRACK
#define RISK GOAL_STATUS_AT_RISK
#define ACH GOAL_STATUS_ACHIEVED
#define MISS GOAL_STATUS_MISSED
#define NODATA GOAL_STATUS_NO_DATA

typedef struct Step {
        const char *date;
        const char *period; /* latest data period; NULL: none */
        GoalStatus status;
        double value, gap;  /* gap = projected - target; at_least, so the margin is the gap */
        const char *want;
        const char *silence; /* set a silence until this date ("" clears it) */
        bool ack;            /* ack given just before this evaluation (stays) */
        double p;            /* > 0: the result's probability of meeting the target */
} Step;

typedef struct Scenario {
        const char *name;
        unsigned alert_for;
        double band;
        bool goal_at_risk;
        size_t n_routes;
        AlertRoute routes[2];
        Step steps[16];
        double recover; /* > 0: recovery_probability (status from the probability) */
} Scenario;

#define R1 { .id = 0, .send_resolved = true }

static const Scenario scenarios[] = {
        { "for-2 counts data periods, not evaluations", 2, 0, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing/pending" },
            { "2024-02-11", "2024M01", OFF, 90, -10, "" },
            { "2024-02-12", "2024M01", OFF, 90, -10, "" },
            { "2024-03-10", "2024M02", OFF, 89, -11, "firing" },
            { "2024-03-11", "2024M02", OFF, 89, -11, "" },
            { "2024-04-10", "2024M03", OFF, 88, -12, "" } } },
        { "a streak broken before for: never fires", 2, 0, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing/pending" },
            { "2024-03-10", "2024M02", ON, 101, 1, "" },
            { "2024-04-10", "2024M03", OFF, 90, -10, "firing/pending" },
            { "2024-05-10", "2024M04", ON, 101, 1, "" } } },
        { "flapping inside the recovery band: one firing, one resolved", 1, 2, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 97, -3, "firing" },
            { "2024-03-10", "2024M02", RISK, 99, -1, "resolved/recovery_band" },
            { "2024-04-10", "2024M03", OFF, 97, -3, "" },
            { "2024-05-10", "2024M04", RISK, 101, 1, "resolved/recovery_band" },
            { "2024-06-10", "2024M05", OFF, 97.5, -2.5, "" },
            { "2024-07-10", "2024M06", RISK, 101.9, 1.9, "resolved/recovery_band" },
            { "2024-08-10", "2024M07", ON, 102.5, 2.5, "resolved" },
            { "2024-09-10", "2024M08", ON, 103, 3, "" } } },
        /* status from the probability: entering off track below 0.2, leaving only at 0.35, whatever
         * the margin says (the band of 2 would let 101 recover) */
        { "probability: leaving off_track needs probability_recover", 1, 2, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 97, -3, "firing", .p = 0.15 },
            { "2024-03-10", "2024M02", RISK, 103, 3, "resolved/recovery_band", .p = 0.3 },
            { "2024-04-10", "2024M03", OFF, 97, -3, "", .p = 0.1 },
            { "2024-05-10", "2024M04", RISK, 101, 1, "resolved", .p = 0.36 },
            { "2024-06-10", "2024M05", ON, 105, 5, "", .p = 0.9 } },
          .recover = 0.35 },
        { "at_risk only where asked for", 1, 0, false, 2, { R1, { .id = 1, .notify_at_risk = true } },
          { { "2024-02-10", "2024M01", RISK, 99, -1, "at_risk:2" },
            { "2024-03-10", "2024M02", RISK, 99, -1, "" },
            { "2024-04-10", "2024M03", ON, 101, 1, "" },
            { "2024-05-10", "2024M04", RISK, 99, -1, "at_risk:2" } } },
        { "at_risk without any opt-in is suppressed", 1, 0, false, 1, { R1 },
          { { "2024-02-10", "2024M01", RISK, 99, -1, "at_risk/not_requested" } } },
        { "at_risk asked for by the goal", 1, 0, true, 1, { R1 },
          { { "2024-02-10", "2024M01", RISK, 99, -1, "at_risk" } } },
        { "achieved once, always", 1, 0, false, 1, { R1 },
          { { "2024-11-10", "2024M10", OFF, 90, -10, "firing" },
            { "2025-01-10", "2024M12", ACH, 101, 1, "achieved" },
            { "2025-01-11", "2024M12", ACH, 101, 1, "" },
            { "2025-02-11", "2024M12", ACH, 101, 1, "" } } },
        { "missed once; a revision that changes no status sends nothing", 1, 0, false, 1, { R1 },
          { { "2025-01-10", "2024M12", MISS, 90, -10, "missed" },
            { "2025-01-11", "2024M12", MISS, 90, -10, "" },
            { "2025-02-11", "2024M12", MISS, 91, -9, "" } } },
        { "revision that flips a status: one revised", 1, 0, false, 1, { R1 },
          { { "2024-06-10", "2024M05", ON, 372, 2, "" },
            { "2024-06-11", "2024M05", ON, 371, 1, "" },
            { "2024-06-12", "2024M05", OFF, 365, -5, "revised" },
            { "2024-06-13", "2024M05", OFF, 365, -5, "" },
            { "2024-06-14", "2024M05", ON, 380, 10, "revised" },
            { "2024-06-15", "2024M05", ON, 380, 10, "" } } },
        { "status change on the same period without changed figures is not a revision", 1, 0, false, 1, { R1 },
          { { "2024-12-30", "2024M11", ON, 101, 1, "" },
            { "2025-01-02", "2024M11", ACH, 101, 1, "achieved" } } },
        { "repeat every 2 data periods", 1, 0, false, 1, { { .id = 0, .repeat_periods = 2, .send_resolved = true } },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing" },
            { "2024-03-10", "2024M02", OFF, 90, -10, "" },
            { "2024-03-11", "2024M02", OFF, 90, -10, "" },
            { "2024-04-10", "2024M03", OFF, 90, -10, "repeat" },
            { "2024-04-11", "2024M03", OFF, 90, -10, "" },
            { "2024-05-10", "2024M04", OFF, 90, -10, "" },
            { "2024-06-10", "2024M05", OFF, 90, -10, "repeat" } } },
        { "repeat after a duration, per route", 1, 0, false, 2,
          { { .id = 0, .repeat_usec = 7 * USEC_PER_DAY }, { .id = 1 } },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing" },
            { "2024-02-14", "2024M01", OFF, 90, -10, "" },
            { "2024-02-17", "2024M01", OFF, 90, -10, "repeat:1" },
            { "2024-02-18", "2024M01", OFF, 90, -10, "" },
            { "2024-02-24", "2024M01", OFF, 90, -10, "repeat:1" } } },
        { "ack stops repeats until the status changes", 1, 0, false, 1,
          { { .id = 0, .repeat_periods = 1, .send_resolved = true } },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing" },
            { "2024-03-10", "2024M02", OFF, 90, -10, "repeat" },
            { "2024-04-10", "2024M03", OFF, 90, -10, "repeat/acked", .ack = true },
            { "2024-05-10", "2024M04", OFF, 90, -10, "repeat/acked" },
            { "2024-06-10", "2024M05", ON, 105, 5, "resolved" },
            { "2024-07-10", "2024M06", OFF, 90, -10, "firing" },
            { "2024-08-10", "2024M07", OFF, 90, -10, "repeat" } } },
        { "silence suppresses everything until its date, then the firing goal is told", 1, 0, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing/silenced", .silence = "2024-03-31" },
            { "2024-03-10", "2024M02", OFF, 90, -10, "" },
            { "2024-03-31", "2024M02", OFF, 90, -10, "" },
            { "2024-04-01", "2024M02", OFF, 90, -10, "firing" },
            { "2024-04-10", "2024M03", OFF, 90, -10, "" },
            { "2024-05-10", "2024M04", ON, 105, 5, "resolved/silenced", .silence = "2024-05-31" },
            { "2024-06-10", "2024M05", ON, 105, 5, "" } } },
        { "no data keeps the state", 1, 0, false, 1, { R1 },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing" },
            { "2024-06-10", "2024M01", NODATA, NAN, NAN, "" },
            { "2024-06-11", "2024M05", OFF, 90, -10, "" },
            { "2024-07-11", "2024M06", ON, 105, 5, "resolved" } } },
        { "resolved only to routes with send_resolved", 1, 0, false, 2, { R1, { .id = 1 } },
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing" },
            { "2024-03-10", "2024M02", ON, 105, 5, "resolved:1" } } },
        { "no routes: suppressed once, not every day", 1, 0, false, 0, {},
          { { "2024-02-10", "2024M01", OFF, 90, -10, "firing/no_route" },
            { "2024-02-11", "2024M01", OFF, 90, -10, "" },
            { "2024-03-10", "2024M02", OFF, 90, -10, "" } } },
};

static int64_t usec_of(Date d)
{
        return date_to_days(d) * (int64_t) USEC_PER_DAY + 12 * (int64_t) USEC_PER_HOUR;
}

static void events_string(const AlertEvent *e, size_t n, uint64_t all, char *buf, size_t size)
{
        size_t l = 0;

        buf[0] = 0;
        for (size_t i = 0; i < n; i++) {
                const char *kind = alert_event_to_string(e[i].kind);
                int w;

                if (e[i].routes == 0)
                        w = snprintf(buf + l, size - l, "%s%s/%s", i ? " " : "", kind,
                                     alert_suppress_to_string(e[i].suppressed));
                else if (e[i].routes == all)
                        w = snprintf(buf + l, size - l, "%s%s", i ? " " : "", kind);
                else
                        w = snprintf(buf + l, size - l, "%s%s:%llu", i ? " " : "", kind,
                                     (unsigned long long) e[i].routes);
                assert_true(w > 0 && (size_t) w < size - l);
                l += (size_t) w;
        }
}

static void mk_result(GoalResult *r, const Step *st)
{
        *r = (GoalResult){ .status = st->status, .direction = GOAL_AT_LEAST, .target = 100 };
        if (st->period) {
                r->has_latest = true;
                assert_int_equal(period_parse(st->period, &r->latest), 0);
        }
        if (!isnan(st->value)) {
                r->has_value = true;
                r->value = st->value;
        }
        if (!isnan(st->gap)) {
                r->has_gap = true;
                r->gap = st->gap;
                r->projected = 100 + st->gap;
                r->has_projected = true;
        }
        if (st->p > 0) {
                r->has_probability = true;
                r->probability = st->p;
        }
}

/* One step from a state read from JSON; returns the new state's JSON. */
static char *step(const char *state_json, const AlertInput *in, char *got, size_t size, uint64_t all)
{
        AlertState prev = {}, next = {};
        AlertEvent *ev = NULL;
        size_t n = 0;
        char *json, *again;
        AlertState back = {};

        if (state_json)
                assert_int_equal(alert_state_from_json(state_json, &prev), 0);
        assert_int_equal(alert_step(state_json ? &prev : NULL, in, &next, &ev, &n), 0);
        events_string(ev, n, all, got, size);

        json = alert_state_to_json(&next);
        assert_non_null(json);
        /* the document round-trips */
        assert_int_equal(alert_state_from_json(json, &back), 0);
        again = alert_state_to_json(&back);
        assert_non_null(again);
        assert_string_equal(json, again);

        free(again);
        alert_state_done(&back);
        free(ev);
        alert_state_done(&prev);
        alert_state_done(&next);
        return json;
}

static void test_scenarios(void **state)
{
        for (size_t s = 0; s < ELEMENTSOF(scenarios); s++) {
                const Scenario *sc = &scenarios[s];
                AlertControls ctl = {};
                char *json = NULL;
                uint64_t all = sc->n_routes ? (UINT64_C(1) << sc->n_routes) - 1 : 0;

                for (size_t i = 0; i < ELEMENTSOF(sc->steps) && sc->steps[i].date; i++) {
                        const Step *st = &sc->steps[i];
                        GoalResult r;
                        AlertInput in;
                        char got[256], *nj;
                        Date d;

                        assert_int_equal(date_parse(st->date, &d), 0);
                        if (st->silence) {
                                ctl.has_silence = st->silence[0] != 0;
                                if (ctl.has_silence)
                                        assert_int_equal(date_parse(st->silence, &ctl.silence_until), 0);
                        }
                        if (st->ack)
                                ctl.ack_at = usec_of(d) - 1;
                        mk_result(&r, st);
                        in = (AlertInput){ .result = &r, .alert_for = sc->alert_for, .recovery_band = sc->band,
                                           .recovery_probability = sc->recover,
                                           .notify_at_risk = sc->goal_at_risk, .routes = sc->routes,
                                           .n_routes = sc->n_routes, .controls = &ctl, .date = d,
                                           .now = usec_of(d) };
                        nj = step(json, &in, got, sizeof got, all);
                        free(json);
                        json = nj;
                        if (!streq(got, st->want))
                                fail_msg("%s, step %zu (%s %s): got \"%s\", want \"%s\"", sc->name, i + 1,
                                         st->date, strna(st->period), got, st->want);
                }
                free(json);
        }
}

/* Twenty daily re-evaluations of the same figures, in each status: nothing at all. */
static void test_twenty_reevaluations(void **state)
{
        static const GoalStatus statuses[] = { OFF, ON, RISK, ACH, MISS, NODATA };
        AlertRoute rt = { .id = 0, .repeat_periods = 1, .send_resolved = true, .notify_at_risk = true };

        for (size_t k = 0; k < ELEMENTSOF(statuses); k++) {
                char *json = NULL;
                Date d = { 2024, 6, 10 };

                for (int day = 0; day < 21; day++) {
                        Step st = { "", "2024M05", statuses[k], 90, -10, NULL };
                        GoalResult r;
                        AlertInput in;
                        char got[256], *nj;
                        Date dd = date_from_days(date_to_days(d) + day);

                        mk_result(&r, &st);
                        in = (AlertInput){ .result = &r, .alert_for = 1, .routes = &rt, .n_routes = 1, .date = dd,
                                           .now = usec_of(dd) };
                        nj = step(json, &in, got, sizeof got, 1);
                        free(json);
                        json = nj;
                        if (day == 0)
                                continue; /* the first evaluation may announce the status */
                        if (got[0])
                                fail_msg("status %s, day %d: got \"%s\"", goal_status_to_string(statuses[k]), day,
                                         got);
                }
                free(json);
        }
}

/* The revised event carries the period, the old and the new value, and the statuses. */
static void test_revision_fields(void **state)
{
        AlertRoute rt = R1;
        AlertState s0 = {}, s1 = {}, s2 = {};
        AlertEvent *ev = NULL;
        size_t n = 0;
        Step a = { "", "2024M05", ON, 372, 2, NULL }, b = { "", "2024M05", OFF, 365, -5, NULL };
        GoalResult r;
        AlertInput in = { .result = &r, .alert_for = 1, .routes = &rt, .n_routes = 1, .date = { 2024, 6, 10 },
                          .now = 1 };
        char buf[PERIOD_STRING_MAX];

        mk_result(&r, &a);
        assert_int_equal(alert_step(&s0, &in, &s1, &ev, &n), 0);
        assert_int_equal(n, 0);
        mk_result(&r, &b);
        in.now = 2;
        assert_int_equal(alert_step(&s1, &in, &s2, &ev, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].kind, ALERT_EVENT_REVISED);
        assert_true(ev[0].revised);
        assert_string_equal(period_to_string(ev[0].revision.period, buf), "2024M05");
        assert_true(ev[0].revision.old_value == 372);
        assert_true(ev[0].revision.new_value == 365);
        assert_int_equal(ev[0].status, OFF);
        assert_int_equal(ev[0].previous_status, ON);
        assert_true(ev[0].has_off_track_since);
        assert_string_equal(period_to_string(ev[0].off_track_since, buf), "2024M05");
        assert_true(s2.firing);
        assert_true(s2.firing_notified);
        free(ev);

        /* An explicit revision input (the latest period's own figures) wins. */
        {
                AlertRevision rv = { .period = r.latest, .old_value = 40, .new_value = 33 };
                AlertState s3 = {};
                mk_result(&r, &a);
                in.revision = &rv;
                assert_int_equal(alert_step(&s2, &in, &s3, &ev, &n), 0);
                assert_int_equal(n, 1);
                assert_int_equal(ev[0].kind, ALERT_EVENT_REVISED);
                assert_true(ev[0].revision.old_value == 40);
                assert_true(ev[0].revision.new_value == 33);
                assert_false(s3.firing);
                free(ev);
                alert_state_done(&s3);
        }
        alert_state_done(&s1);
        alert_state_done(&s2);
}

/* 2024's goal achieved, then the id is reused for 2025: its achievement is announced again. */
static void test_goal_period_change(void **state)
{
        AlertRoute rt = R1;
        AlertState s0 = {}, s1 = {}, s2 = {}, s3 = {};
        AlertEvent *ev = NULL;
        size_t n = 0;
        Step a = { "", "2024M12", ACH, 101, 1, NULL }, b = { "", "2025M12", ACH, 101, 1, NULL };
        GoalResult r;
        AlertInput in = { .result = &r, .alert_for = 1, .routes = &rt, .n_routes = 1, .date = { 2025, 1, 10 },
                          .now = 1 };
        char *json;

        mk_result(&r, &a);
        assert_int_equal(period_parse("2024", &r.period), 0);
        assert_int_equal(alert_step(&s0, &in, &s1, &ev, &n), 0);
        assert_int_equal(n, 1);
        free(ev);
        json = alert_state_to_json(&s1);
        assert_non_null(strstr(json, "\"goal_period\":\"2024\""));
        assert_int_equal(alert_state_from_json(json, &s2), 0);
        free(json);
        assert_true(s2.has_goal_period);
        mk_result(&r, &b);
        assert_int_equal(period_parse("2025", &r.period), 0);
        in.date = (Date){ 2026, 1, 10 };
        assert_int_equal(alert_step(&s2, &in, &s3, &ev, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].kind, ALERT_EVENT_ACHIEVED);
        free(ev);
        alert_state_done(&s1);
        alert_state_done(&s2);
        alert_state_done(&s3);
}

static void test_strings_and_order(void **state)
{
        AlertEvent e[3] = { { .kind = ALERT_EVENT_ACHIEVED }, { .kind = ALERT_EVENT_MISSED },
                            { .kind = ALERT_EVENT_FIRING } };

        for (int k = 0; k < _ALERT_EVENT_MAX; k++)
                assert_int_equal(alert_event_from_string(alert_event_to_string(k)), k);
        for (int k = 0; k < _ALERT_SUPPRESS_MAX; k++)
                assert_int_equal(alert_suppress_from_string(alert_suppress_to_string(k)), k);
        assert_int_equal(alert_event_from_string("nope"), _ALERT_EVENT_INVALID);
        alert_events_sort(e, 3);
        assert_int_equal(e[0].kind, ALERT_EVENT_MISSED);
        assert_int_equal(e[1].kind, ALERT_EVENT_FIRING);
        assert_int_equal(e[2].kind, ALERT_EVENT_ACHIEVED);
}

static void test_bad_input(void **state)
{
        AlertState next = {};
        AlertEvent *ev = NULL;
        size_t n = 0;
        AlertInput in = {};
        AlertState s = {};

        assert_int_equal(alert_step(NULL, &in, &next, &ev, &n), -EINVAL);
        assert_int_equal(alert_state_from_json("[]", &s), -EINVAL);
        assert_int_equal(alert_state_from_json("{\"status\":\"bogus\"}", &s), -EINVAL);
        assert_int_equal(alert_state_from_json("{\"latest\":\"2024X\"}", &s), -EINVAL);
        assert_int_equal(alert_state_from_json("not json", &s), -EINVAL);
        /* unknown keys are ignored (a newer daemon's document) */
        assert_int_equal(alert_state_from_json("{\"firing\":true,\"future\":1}", &s), 0);
        assert_true(s.firing);
        alert_state_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scenarios),       cmocka_unit_test(test_twenty_reevaluations),
                cmocka_unit_test(test_revision_fields), cmocka_unit_test(test_goal_period_change),
                cmocka_unit_test(test_strings_and_order),
                cmocka_unit_test(test_bad_input),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
