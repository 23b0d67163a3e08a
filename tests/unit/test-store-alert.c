/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's alerting tables: transitions (audit trail), silences and acks, the list of alert
 * states, and series as known at a time (revision-aware). */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"
#include "labourwatch/strv.h"

#define SEC INT64_C(1000000)
#define T(n) (INT64_C(1719900000) * SEC + 3600 * SEC * (n))

typedef struct Fixture {
        char dir[64];
        Store *store;
} Fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-store-alert-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;

        store_close(f->store);
        (void) nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

static void put(Store *s, const char *series, int64_t at, const char *period, double v)
{
        SeriesPoint p = { .value = v };
        Provenance prov = { .source = "dst", .fetched_at = at };

        assert_int_equal(period_parse(period, &p.period), 0);
        assert_int_equal(store_put_series(s, series, &p, 1, &prov, NULL, NULL), 0);
}

/* "2024M01=1 2024M02=2" of the series as known before t. */
static void assert_asof(Store *s, const char *series, int64_t t, const char *want)
{
        Series *ser = NULL;
        char got[256] = "", buf[PERIOD_STRING_MAX];
        size_t l = 0;

        assert_int_equal(store_load_series_asof(s, series, t, &ser, NULL), 0);
        for (size_t i = 0; i < ser->n_points; i++)
                l += (size_t) snprintf(got + l, sizeof got - l, "%s%s=%g", i ? " " : "",
                                       period_to_string(ser->points[i].period, buf), ser->points[i].value);
        assert_string_equal(got, want);
        series_free(ser);
}

static void test_asof(void **state)
{
        Fixture *f = *state;

        put(f->store, "s", T(1), "2024M01", 100);
        put(f->store, "s", T(2), "2024M02", 200);
        put(f->store, "s", T(3), "2024M01", 101); /* revision */
        put(f->store, "s", T(4), "2024M01", 101); /* unchanged */

        assert_asof(f->store, "s", T(1), "");
        assert_asof(f->store, "s", T(1) + 1, "2024M01=100");
        assert_asof(f->store, "s", T(2) + 1, "2024M01=100 2024M02=200");
        assert_asof(f->store, "s", T(3), "2024M01=100 2024M02=200");
        assert_asof(f->store, "s", T(3) + 1, "2024M01=101 2024M02=200");
        assert_asof(f->store, "s", T(9), "2024M01=101 2024M02=200");
        assert_asof(f->store, "nope", T(9), "");
}

/* evaluations_keep: old evaluations go, but each goal's latest and those behind a transition stay. */
static void test_prune_evaluations(void **state)
{
        Fixture *f = *state;
        StoredEvaluation *e = NULL;
        size_t n = 0;
        static const struct {
                const char *goal;
                int hour;
        } rows[] = { { "a", 1 }, { "a", 2 }, { "a", 3 }, { "a", 20 }, { "b", 1 }, { "b", 2 }, { "c", 4 } };
        StoredTransition t = { .goal = (char *) "a", .at = T(2), .eval_date = (char *) "2024-07-01",
                               .to_status = (char *) "off_track", .event = (char *) "firing",
                               .result_json = (char *) "{}" };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(store_add_evaluation(f->store, rows[i].goal, "2024-07-01", "on_track", "{}", "{}",
                                                      T(rows[i].hour), NULL),
                                 0);
        assert_int_equal(store_add_alert_transition(f->store, &t, NULL), 0);

        /* before hour 10: a@1 and a@3 go (a@2 is behind the firing, a@20 is newer), b@1 goes (b@2 is
         * b's latest, though old), c@4 is c's only one */
        assert_int_equal(store_prune_evaluations(f->store, T(10), NULL), 3);
        assert_int_equal(store_list_evaluations(f->store, NULL, &e, &n, NULL), 0);
        assert_int_equal(n, 4);
        char got[64] = "";
        for (size_t i = 0; i < n; i++)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s@%d", i ? " " : "", e[i].goal,
                         (int) ((e[i].at - T(0)) / (3600 * SEC)));
        assert_string_equal(got, "a@2 a@20 b@2 c@4"); /* listed by goal, then time */
        store_evaluations_free(e, n);
        /* again: nothing more */
        assert_int_equal(store_prune_evaluations(f->store, T(10), NULL), 0);
}

static void test_transitions(void **state)
{
        Fixture *f = *state;
        StoredTransition *t = NULL;
        size_t n = 0;
        _cleanup_free_ char *err = NULL;

        for (int i = 0; i < 5; i++) {
                StoredTransition in = { .goal = i % 2 ? "b" : "a", .at = T(i), .eval_date = "2024-07-01",
                                        .period = i == 0 ? NULL : "2024M05", .to_status = "off_track",
                                        .event = i == 4 ? "repeat" : "firing", .suppressed = i == 1 ? "pending" : NULL,
                                        .notified = i == 2 ? "mail:chef" : NULL, .result_json = "{}" };
                assert_int_equal(store_add_alert_transition(f->store, &in, NULL), 0);
        }
        {
                StoredTransition bad = { .goal = "a" };
                assert_int_equal(store_add_alert_transition(f->store, &bad, &err), -EINVAL);
                assert_non_null(strstr(err, "incomplete"));
        }
        assert_int_equal(store_list_alert_transitions(f->store, "a", 0, &t, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_null(t[0].period);
        assert_null(t[0].from_status);
        assert_string_equal(t[1].notified, "mail:chef");
        assert_string_equal(t[2].event, "repeat");
        assert_true(t[0].at < t[1].at && t[1].at < t[2].at);
        store_transitions_free(t, n);

        /* the newest two of all, oldest first */
        assert_int_equal(store_list_alert_transitions(f->store, NULL, 2, &t, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_int_equal(t[0].at, T(3));
        assert_string_equal(t[0].goal, "b");
        assert_int_equal(t[1].at, T(4));
        store_transitions_free(t, n);
}

static void test_controls(void **state)
{
        Fixture *f = *state;
        StoredControl *c = NULL;
        size_t n = 0;

        assert_int_equal(store_set_silence(f->store, "b", "2024-08-31", "sommerferie", "anna", T(1), NULL), 0);
        assert_int_equal(store_set_ack(f->store, "a", "handlingsplan", "bo", T(2), NULL), 0);
        assert_int_equal(store_set_ack(f->store, "b", "set", NULL, T(3), NULL), 0);
        assert_int_equal(store_list_alert_controls(f->store, &c, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(c[0].goal, "a");
        assert_null(c[0].silence_until);
        assert_int_equal(c[0].ack_at, T(2));
        assert_string_equal(c[0].ack_comment, "handlingsplan");
        assert_string_equal(c[1].silence_until, "2024-08-31");
        assert_string_equal(c[1].silence_comment, "sommerferie");
        assert_string_equal(c[1].silence_by, "anna");
        assert_int_equal(c[1].ack_at, T(3)); /* the ack did not lift the silence */
        store_controls_free(c, n);

        /* unsilence keeps the ack */
        assert_int_equal(store_set_silence(f->store, "b", NULL, "ignored", "anna", T(4), NULL), 0);
        assert_int_equal(store_list_alert_controls(f->store, &c, &n, NULL), 0);
        assert_null(c[1].silence_until);
        assert_null(c[1].silence_comment);
        assert_int_equal(c[1].ack_at, T(3));
        store_controls_free(c, n);
}

static void test_states(void **state)
{
        Fixture *f = *state;
        char **goals = NULL, **docs = NULL;
        size_t n = 0;

        assert_int_equal(store_set_alert_state(f->store, "z", "{\"firing\":true}", NULL), 0);
        assert_int_equal(store_set_alert_state(f->store, "a", "{}", NULL), 0);
        assert_int_equal(store_list_alert_states(f->store, &goals, &docs, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(goals[0], "a");
        assert_string_equal(docs[1], "{\"firing\":true}");
        strv_free_n(goals, n);
        strv_free_n(docs, n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_asof, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prune_evaluations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_controls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_states, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
