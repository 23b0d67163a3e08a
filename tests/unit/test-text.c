/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sentences a department head reads (text.c), in Danish and English, with Danish number
 * formatting. Each expected text is written out in full, so a wording change is a visible diff. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "labourwatch/goal.h"
#include "labourwatch/macro.h"
#include "labourwatch/text.h"
#include "series-test.h"

static GoalDef fleksjob(void)
{
        GoalDef g = {
                .id = (char *) "fleksjob", .title_da = (char *) "Fleksjob", .title_en = (char *) "Flexi-jobs",
                .kind = GOAL_LEVEL, .series = (char *) "fleksjob_fuldtid", .direction = GOAL_AT_LEAST,
                .aggregate = GOAL_AGGREGATE_AVERAGE, .target = 380, .projection = PROJECTION_LINEAR,
                .trend_window = 6, .period = { PERIOD_YEAR, 2024, 0 },
        };
        return g;
}

/* The explanation a department head reads, in both languages, with Danish number formatting. */
static void test_explanations(void **state)
{
        GoalDef g = fleksjob();
        GoalResult r = {};
        SeriesSet *set = NULL;
        GoalSeriesMeta meta[_GOAL_ROLE_MAX] = {
                [GOAL_ROLE_SERIES] = { .publication_lag = 2, .unit_da = "fuldtidspersoner", .unit_en = "full-time persons" },
        };

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", "2024M01 1 2")), 0);
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", "2024M01 380 381 382 383 384 385.5")), 0);
        g.target = 1380;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        print_message("%s\n%s\n", r.explanation_da, r.explanation_en);
        assert_string_equal(r.explanation_da,
                            "Fleksjob er ikke på rette spor: gennemsnit 382,6 fuldtidspersoner til og med juni 2024; "
                            "fremskrevet 385,8 fuldtidspersoner ved udgangen af 2024 mod målet mindst 1.380 "
                            "fuldtidspersoner; det kræver +569,1 fuldtidspersoner om måneden, de seneste 3 måneder gav i gennemsnit +1,2.");
        assert_string_equal(r.explanation_en,
                            "Flexi-jobs is off track: average 382.6 full-time persons up to June 2024; projected "
                            "385.8 full-time persons by the end of 2024 against the target of at least 1,380 "
                            "full-time persons; this needs +569.1 full-time persons a month, the last 3 months averaged +1.2.");
        assert_string_equal(r.unit_da, "fuldtidspersoner");

        /* Ahead of an at-least target: the needed pace is negative, so the text says how much room
         * there is, not that a fall "is needed". At most, the mirror image. */
        g.target = 380;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, "; der er plads til et fald på "));
        assert_non_null(strstr(r.explanation_en, "; there is room for a fall of "));
        assert_null(strstr(r.explanation_da, "kræver"));
        g.direction = GOAL_AT_MOST;
        g.target = 400;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, "; der er plads til en stigning på "));
        assert_non_null(strstr(r.explanation_en, "; there is room for a rise of "));
        g.target = 370;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, "; det kræver -"));

        goal_result_done(&r);
        series_set_free(set);
}

static void test_status_labels(void **state)
{
        assert_string_equal(text_status_label(GOAL_STATUS_OFF_TRACK, "da"), "Ikke på sporet");
        assert_string_equal(text_status_label(GOAL_STATUS_OFF_TRACK, "en"), "Off track");
        assert_string_equal(text_status_label(GOAL_STATUS_ON_TRACK, NULL), "På sporet");
        for (int i = 0; i < _GOAL_STATUS_MAX; i++) {
                assert_non_null(text_status_label(i, "da"));
                assert_non_null(text_status_label(i, "en"));
        }
        assert_null(text_status_label(_GOAL_STATUS_MAX, "da"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_explanations),
                cmocka_unit_test(test_status_labels),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
