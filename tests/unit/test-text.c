/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sentences a department head reads (text.c), in Danish and English, with Danish number
 * formatting. Each expected text is written out in full, so a wording change is a visible diff. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

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

typedef struct Row {
        const char *name;
        GoalKind kind;
        GoalDirection dir;
        GoalAggregate agg;
        ChangeUnit cu;
        ProjectionMethod proj;
        const char *period, *baseline;
        double target, tolerance, min_den;
        int lag; /* -1: unknown */
        const char *unit_da, *unit_en;
        const char *series, *numerator, *denominator, *reference; /* series "-": not in the set at all */
        const char *date;
        int title;    /* 1: "Testmål"; 0: none; 2: the id in its place, as the configuration defaults it */
        bool failing; /* its source is failing (TextInput.source_failing, "Jobindsats") */
        const char *extra; /* "label": the reference is labelled; "denunit": the denominator has a unit */
        const char *da, *en;
} Row;

/* Every kind of sentence, in both languages, written out in full: a wording change is a visible
 * diff here. The figures are the engine's (test-goal.c checks them); only the words are tested. */
static const Row rows[] = {
        { "level at least, ahead: room to fall",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382 384 386 388 390", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i gennemsnit 385 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 391 fuldtidspersoner, 11 over målet (mål: mindst 380). Resten af 2024 kan tallet falde med op til 4,3 fuldtidspersoner om måneden; de seneste 3 måneder steg tallet med 2 fuldtidspersoner om måneden.",
          "The goal “Test goal” is on track: an average of 385 full-time persons in January–June 2024. Expected average for the whole of 2024: 391 full-time persons, 11 above the target (target: at least 380). For the rest of 2024 the figure can fall by up to 4.3 full-time persons a month; over the last 3 months it rose by 2 full-time persons a month." },
        { "level at least, behind: must rise",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 400, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 390 388 386 384 382 380", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i gennemsnit 385 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 379 fuldtidspersoner, 21 for få (mål: mindst 400). Resten af 2024 skal tallet stige med 10 fuldtidspersoner om måneden; de seneste 3 måneder faldt tallet med 2 fuldtidspersoner om måneden.",
          "The goal “Test goal” is off track: an average of 385 full-time persons in January–June 2024. Expected average for the whole of 2024: 379 full-time persons, 21 too few (target: at least 400). For the rest of 2024 the figure has to rise by 10 full-time persons a month; over the last 3 months it fell by 2 full-time persons a month." },
        { "level at most, ahead: room to rise",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 100, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 100 99 98 97 96 95", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i gennemsnit 97,5 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 94,5 fuldtidspersoner, 5,5 under målet (mål: højst 100). Resten af 2024 kan tallet stige med op til 2,1 fuldtidspersoner om måneden; de seneste 3 måneder faldt tallet med 1 fuldtidsperson om måneden.",
          "The goal “Test goal” is on track: an average of 97.5 full-time persons in January–June 2024. Expected average for the whole of 2024: 94.5 full-time persons, 5.5 below the target (target: at most 100). For the rest of 2024 the figure can rise by up to 2.1 full-time persons a month; over the last 3 months it fell by 1 full-time person a month." },
        { "level at most, behind: must fall",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 95, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 95 96 97 98 99 100", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i gennemsnit 97,5 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 100,5 fuldtidspersoner, 5,5 for mange (mål: højst 95). Resten af 2024 skal tallet falde med 2,1 fuldtidspersoner om måneden; de seneste 3 måneder steg tallet med 1 fuldtidsperson om måneden.",
          "The goal “Test goal” is off track: an average of 97.5 full-time persons in January–June 2024. Expected average for the whole of 2024: 100.5 full-time persons, 5.5 too many (target: at most 95). For the rest of 2024 the figure has to fall by 2.1 full-time persons a month; over the last 3 months it rose by 1 full-time person a month." },
        { "level at risk: right on the target",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 5, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 380 380 380 380 380", NULL, NULL, NULL,
          "2024-07-01", 1, false, NULL,
          "Målet »Testmål« er i fare: i gennemsnit 380 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 380 fuldtidspersoner, lige på målet (mål: mindst 380). Så tæt på målet kan en lille afvigelse betyde, at det ikke nås. Resten af 2024 skal tallet holde sit nuværende niveau; de seneste 3 måneder var tallet uændret.",
          "The goal “Test goal” is at risk: an average of 380 full-time persons in January–June 2024. Expected average for the whole of 2024: 380 full-time persons, right on the target (target: at least 380). This close to the target, a small deviation can mean it is not reached. For the rest of 2024 the figure has to hold its current level; over the last 3 months it was unchanged." },
        { "level at risk: just short",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 2, 0, -1,
          "fuldtidspersoner", "full-time persons",
          "2024M01 390 388 386 384 382 380", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er i fare: i gennemsnit 385 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 379 fuldtidspersoner, 1 for få (mål: mindst 380). Så tæt på målet kan en lille forbedring være nok til at nå det. Resten af 2024 kan tallet falde med op til 1,4 fuldtidspersoner om måneden; de seneste 3 måneder faldt tallet med 2 fuldtidspersoner om måneden.",
          "The goal “Test goal” is at risk: an average of 385 full-time persons in January–June 2024. Expected average for the whole of 2024: 379 full-time persons, 1 too few (target: at least 380). This close to the target, a small improvement can be enough to reach it. For the rest of 2024 the figure can fall by up to 1.4 full-time persons a month; over the last 3 months it fell by 2 full-time persons a month." },
        { "level latest aggregate",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 400, 0, 0, -1,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382 384 386 388 390", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: 390 fuldtidspersoner i juni 2024. Forventet i december 2024: 402 fuldtidspersoner, 2 over målet (mål: mindst 400). Resten af 2024 skal tallet stige med 1,7 fuldtidspersoner om måneden; de seneste 3 måneder steg tallet med 2 fuldtidspersoner om måneden.",
          "The goal “Test goal” is on track: 390 full-time persons in June 2024. Expected in December 2024: 402 full-time persons, 2 above the target (target: at least 400). For the rest of 2024 the figure has to rise by 1.7 full-time persons a month; over the last 3 months it rose by 2 full-time persons a month." },
        { "level sum: a flow, at least",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_NONE, "2024", NULL, 150, 0, 0, -1,
          "påbegyndte forløb", "started courses",
          "2024M01 10 10 10 10 10 10", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i alt 60 påbegyndte forløb i januar–juni 2024. Forventet i alt for hele 2024: 120 påbegyndte forløb, 30 for få (mål: mindst 150). Resten af 2024 skal der i gennemsnit være 15 påbegyndte forløb om måneden; de seneste 3 måneder var der i gennemsnit 10 påbegyndte forløb om måneden.",
          "The goal “Test goal” is off track: 60 started courses in total in January–June 2024. Expected total for the whole of 2024: 120 started courses, 30 too few (target: at least 150). For the rest of 2024 it takes an average of 15 started courses a month; the last 3 months averaged 10 started courses a month." },
        { "level sum: a flow, at most",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_SUM, 0, PROJECTION_NONE, "2024", NULL, 150, 0, 0, -1,
          "påbegyndte forløb", "started courses",
          "2024M01 10 10 10 10 10 10", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i alt 60 påbegyndte forløb i januar–juni 2024. Forventet i alt for hele 2024: 120 påbegyndte forløb, 30 under målet (mål: højst 150). Resten af 2024 må der i gennemsnit højst være 15 påbegyndte forløb om måneden; de seneste 3 måneder var der i gennemsnit 10 påbegyndte forløb om måneden.",
          "The goal “Test goal” is on track: 60 started courses in total in January–June 2024. Expected total for the whole of 2024: 120 started courses, 30 below the target (target: at most 150). For the rest of 2024 there can be at most 15 started courses a month on average; the last 3 months averaged 10 started courses a month." },
        { "level sum: at most, already exceeded",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_SUM, 0, PROJECTION_NONE, "2024", NULL, 50, 0, 0, -1,
          "påbegyndte forløb", "started courses",
          "2024M01 10 10 10 10 10 10", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i alt 60 påbegyndte forløb i januar–juni 2024. Forventet i alt for hele 2024: 120 påbegyndte forløb, 70 for mange (mål: højst 50). Tallene indtil nu overskrider allerede målet; de seneste 3 måneder var der i gennemsnit 10 påbegyndte forløb om måneden.",
          "The goal “Test goal” is off track: 60 started courses in total in January–June 2024. Expected total for the whole of 2024: 120 started courses, 70 too many (target: at most 50). The figures so far already exceed the target; the last 3 months averaged 10 started courses a month." },
        { "level achieved",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 380, 5, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2025-03-01", 1, false, NULL,
          "Målet »Testmål« er nået: i gennemsnit 385,5 fuldtidspersoner i 2024, 5,5 over målet (mål: mindst 380).",
          "The goal “Test goal” was achieved: an average of 385.5 full-time persons in 2024, 5.5 above the target (target: at least 380)." },
        { "level missed",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024", NULL, 95, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 100 101 99 98 97 96 95 97 98 99 100 101", NULL, NULL, NULL,
          "2025-03-01", 1, false, NULL,
          "Målet »Testmål« er ikke nået: i gennemsnit 98,4 fuldtidspersoner i 2024, 3,4 for mange (mål: højst 95).",
          "The goal “Test goal” was missed: an average of 98.4 full-time persons in 2024, 3.4 too many (target: at most 95)." },
        { "level one month: a single period",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_AUTO, "2024M12", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M10 385 390 391.9", NULL, NULL, NULL,
          "2025-01-15", 1, false, NULL,
          "Målet »Testmål« er nået: 391,9 fuldtidspersoner i december 2024, 11,9 over målet (mål: mindst 380).",
          "The goal “Test goal” was achieved: 391.9 full-time persons in December 2024, 11.9 above the target (target: at least 380)." },
        { "level last period left: no pace",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 381 382 383 384 385 386 387 388 389 390", NULL, NULL, NULL,
          "2024-12-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i gennemsnit 385 fuldtidspersoner i januar–november 2024. Forventet gennemsnit for hele 2024: 385,5 fuldtidspersoner, 5,5 over målet (mål: mindst 380).",
          "The goal “Test goal” is on track: an average of 385 full-time persons in January–November 2024. Expected average for the whole of 2024: 385.5 full-time persons, 5.5 above the target (target: at least 380)." },
        { "level two months: the last month, not 3",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382", NULL, NULL, NULL,
          "2024-03-01", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i gennemsnit 381 fuldtidspersoner i januar–februar 2024. Forventet gennemsnit for hele 2024: 391 fuldtidspersoner, 11 over målet (mål: mindst 380). Resten af 2024 kan tallet falde med op til 0,4 fuldtidspersoner om måneden; den seneste måned steg tallet med 2 fuldtidspersoner.",
          "The goal “Test goal” is on track: an average of 381 full-time persons in January–February 2024. Expected average for the whole of 2024: 391 full-time persons, 11 above the target (target: at least 380). For the rest of 2024 the figure can fall by up to 0.4 full-time persons a month; over the last month it rose by 2 full-time persons." },
        { "level rate series: procentpoint",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 4, 0, 0, 2,
          "pct. af arbejdsstyrken", "% of the labour force",
          "2024M01 4.4 4.3 4.2 4.2 4.1 4.1", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i gennemsnit 4,2 pct. af arbejdsstyrken i januar–juni 2024. Forventet gennemsnit for hele 2024: 4 pct. af arbejdsstyrken, 0,04 procentpoint for højt (mål: højst 4 pct. af arbejdsstyrken). Resten af 2024 skal tallet falde med 0,1 procentpoint om måneden; de seneste 3 måneder var tallet uændret.",
          "The goal “Test goal” is off track: an average of 4.2 % of the labour force in January–June 2024. Expected average for the whole of 2024: 4 % of the labour force, 0.04 percentage points too high (target: at most 4 % of the labour force). For the rest of 2024 the figure has to fall by 0.1 percentage points a month; over the last 3 months it was unchanged." },
        { "level quarterly",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 110, 0, 0, 0,
          "personer", "persons",
          "2024Q1 100 110", NULL, NULL, NULL,
          "2024-08-01", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i gennemsnit 105 personer i 1.–2. kvt. 2024. Forventet gennemsnit for hele 2024: 115 personer, 5 over målet (mål: mindst 110). Resten af 2024 skal tallet stige med 3,3 personer om kvartalet; det seneste kvartal steg tallet med 10 personer.",
          "The goal “Test goal” is on track: an average of 105 persons in Q1–Q2 2024. Expected average for the whole of 2024: 115 persons, 5 above the target (target: at least 110). For the rest of 2024 the figure has to rise by 3.3 persons a quarter; over the last quarter it rose by 10 persons." },
        { "change percent at most, on track",
          GOAL_CHANGE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 1, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 95 95 95 95 95 95", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i januar–juni 2024 var der 5 % færre personer end i de samme måneder i 2023. Forventet for hele 2024: 5 % færre personer end i 2023, 5 procentpoint under målet (mål: højst 0 %, altså ingen stigning). Resten af 2024 kan tallet stige med op til 2,9 personer om måneden; de seneste 3 måneder var tallet uændret.",
          "The goal “Test goal” is on track: in January–June 2024 there were 5% fewer persons than in the same months of 2023. Expected for the whole of 2024: 5% fewer persons than in 2023, 5 percentage points below the target (target: at most 0%, that is, no rise). For the rest of 2024 the figure can rise by up to 2.9 persons a month; over the last 3 months it was unchanged." },
        { "change percent at least, flow, at risk",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2019", 20, 3, 0, -1,
          "deltagere", "participants",
          "2019M01 10 10 10 10 10 10 10 10 10 10 10 10 _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 12 12 12 12 12 11.5", NULL, NULL, NULL,
          "2024-07-15", 1, false, "ref2024",
          "Målet »Testmål« er i fare: i januar–juni 2024 var der 19,2 % flere deltagere end i de samme måneder i 2019. Forventet for hele 2024: 19,2 % flere deltagere end i 2019, 0,8 procentpoint for lavt (mål: mindst +20 %). Så tæt på målet kan en lille forbedring være nok til at nå det. Resten af 2024 skal der i gennemsnit være 12,1 deltagere om måneden; de seneste 3 måneder var der i gennemsnit 11,8 deltagere om måneden.",
          "The goal “Test goal” is at risk: in January–June 2024 there were 19.2% more participants than in the same months of 2019. Expected for the whole of 2024: 19.2% more participants than in 2019, 0.8 percentage points too low (target: at least +20%). This close to the target, a small improvement can be enough to reach it. For the rest of 2024 it takes an average of 12.1 participants a month; the last 3 months averaged 11.8 participants a month." },
        { "change percent, off track, behind",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 5, 0, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 100 99 98 97 96 95", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i januar–juni 2024 var der 2,5 % færre personer end i de samme måneder i 2023. Forventet for hele 2024: 5,5 % færre personer end i 2023, 10,5 procentpoint for lavt (mål: mindst +5 %). Resten af 2024 skal tallet stige med 5 personer om måneden; de seneste 3 måneder faldt tallet med 1 person om måneden.",
          "The goal “Test goal” is off track: in January–June 2024 there were 2.5% fewer persons than in the same months of 2023. Expected for the whole of 2024: 5.5% fewer persons than in 2023, 10.5 percentage points too low (target: at least +5%). For the rest of 2024 the figure has to rise by 5 persons a month; over the last 3 months it fell by 1 person a month." },
        { "change absolute, quarterly, achieved",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_ABSOLUTE, PROJECTION_LINEAR, "2024", "2023", 10, 0, 0, -1,
          "personer", "persons",
          "2023Q1 10 10 10 10 12 13 14 15", NULL, NULL, NULL,
          "2025-01-01", 1, false, NULL,
          "Målet »Testmål« er nået: i 2024 var der 14 flere personer end i 2023, 4 over målet (mål: mindst +10).",
          "The goal “Test goal” was achieved: in 2024 there were 14 more persons than in 2023, 4 above the target (target: at least +10)." },
        { "change points on a rate",
          GOAL_CHANGE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_POINTS, PROJECTION_LINEAR, "2024", "2023", -0.5, 0, 0, -1,
          "pct. af arbejdsstyrken", "% of the labour force",
          "2023M01 5 5 5 5 5 5 5 5 5 5 5 5 4.5 4.5 4.5 4.4 4.4 4.4", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i januar–juni 2024 var tallet 0,6 procentpoint lavere end i de samme måneder i 2023. Forventet for hele 2024: 0,6 procentpoint lavere end i 2023, 0,1 procentpoint under målet (mål: højst −0,5 procentpoint). Resten af 2024 skal tallet holde sit nuværende niveau; de seneste 3 måneder var tallet uændret.",
          "The goal “Test goal” is on track: in January–June 2024 the figure was 0.6 percentage points lower than in the same months of 2023. Expected for the whole of 2024: 0.6 percentage points lower than in 2023, 0.1 percentage points below the target (target: at most −0.5 percentage points). For the rest of 2024 the figure has to hold its current level; over the last 3 months it was unchanged." },
        { "change zero baseline",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          "personer", "persons",
          "2023M01 0 0 0 0 0 0 0 0 0 0 0 0 5 5", NULL, NULL, NULL,
          "2024-03-15", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: tallet for 2023 er 0, så en ændring i procent kan ikke beregnes.",
          "The goal “Test goal” cannot be assessed: the figure for 2023 is 0, so a change in per cent cannot be calculated." },
        { "change no baseline",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_LINEAR, "2024", "2023", 0, 0, 0, -1,
          "personer", "persons",
          "2024M01 5 5", NULL, NULL, NULL,
          "2024-03-15", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: der er ingen tal for 2023 at sammenligne februar 2024 med.",
          "The goal “Test goal” cannot be assessed: there are no figures for 2023 to compare February 2024 with." },
        { "reference with a label",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 0.5, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 90 90 90", NULL, NULL, "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950 950 950",
          "2024-04-20", 1, false, "label",
          "Målet »Testmål« er på rette spor: udviklingen i januar–marts 2024 i forhold til de samme måneder i 2023 var −10 % mod −5 % for hele landet, en forskel på −5 procentpoint. Forventet forskel for hele 2024: −5 procentpoint, 5 procentpoint under målet (mål: højst 0 procentpoint). Resten af 2024 kan tallet stige med op til 1,3 personer om måneden; de seneste 3 måneder faldt tallet med 3,3 personer om måneden.",
          "The goal “Test goal” is on track: the change in January–March 2024 against the same months of 2023 was −10%, against −5% for the whole country: a difference of −5 percentage points. Expected difference for the whole of 2024: −5 percentage points, 5 percentage points below the target (target: at most 0 percentage points). For the rest of 2024 the figure can rise by up to 1.3 persons a month; over the last 3 months it fell by 3.3 persons a month." },
        { "reference without a label: the series name",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 1, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 98 98 98", NULL, NULL, "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950 950 950",
          "2024-04-20", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: udviklingen i januar–marts 2024 i forhold til de samme måneder i 2023 var −2 % mod −5 % for r, en forskel på +3 procentpoint. Forventet forskel for hele 2024: +3 procentpoint, 3 procentpoint for højt (mål: højst 0 procentpoint). Resten af 2024 skal tallet falde med 0,8 personer om måneden; de seneste 3 måneder faldt tallet med 0,7 personer om måneden.",
          "The goal “Test goal” is off track: the change in January–March 2024 against the same months of 2023 was −2%, against −5% for r: a difference of +3 percentage points. Expected difference for the whole of 2024: +3 percentage points, 3 percentage points too high (target: at most 0 percentage points). For the rest of 2024 the figure has to fall by 0.8 persons a month; over the last 3 months it fell by 0.7 persons a month." },
        { "share on track (a flow)",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 50, 3, 20, -1,
          "personer", "persons",
          NULL, "2024M01 6 6 6 6 6 6", "2024M01 10 10 10 10 10 10", NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: andelen var 60 % i januar–juni 2024 (i juni 2024: 6 af 10). Forventet for hele 2024: 60 %, 10 procentpoint over målet (mål: mindst 50 %). Resten af 2024 skal andelen være mindst 40 %; de seneste 3 måneder var andelen 60 %.",
          "The goal “Test goal” is on track: the share was 60% in January–June 2024 (in June 2024: 6 of 10). Expected for the whole of 2024: 60%, 10 percentage points above the target (target: at least 50%). For the rest of 2024 the share has to be at least 40%; over the last 3 months it was 60%." },
        { "share of a stock, quarterly, at risk",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 75, 2, 0, -1,
          "personer", "persons",
          NULL, "2024Q1 58 60", "2024Q1 80 82", NULL,
          "2024-08-01", 1, false, NULL,
          "Målet »Testmål« er i fare: andelen var 72,8 % i 1.–2. kvt. 2024 (i 2. kvt. 2024: 60 af 82). Forventet for hele 2024: 73,5 %, 1,5 procentpoint for lavt (mål: mindst 75 %). Så tæt på målet kan en lille forbedring være nok til at nå det. Resten af 2024 skal andelen være mindst 77,1 %; de seneste 2 kvartaler var andelen 72,8 %.",
          "The goal “Test goal” is at risk: the share was 72.8% in Q1–Q2 2024 (in Q2 2024: 60 of 82). Expected for the whole of 2024: 73.5%, 1.5 percentage points too low (target: at least 75%). This close to the target, a small improvement can be enough to reach it. For the rest of 2024 the share has to be at least 77.1%; over the last 2 quarters it was 72.8%." },
        { "share drifting: the rest cannot reach it",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 90, 0, 10, -1,
          "personer", "persons",
          NULL, "2024M01 7 6 5 4 3 2 1 1 1 1", "2024M01 10 10 10 10 10 10 10 10 10 10", NULL,
          "2024-11-02", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: andelen var 31 % i januar–oktober 2024 (i oktober 2024: 1 af 10). Forventet for hele 2024: 25,9 %, 64,1 procentpoint for lavt (mål: mindst 90 %). Resten af 2024 skulle andelen være 385 %, så målet kan ikke længere nås; de seneste 3 måneder var andelen 10 %.",
          "The goal “Test goal” is off track: the share was 31% in January–October 2024 (in October 2024: 1 of 10). Expected for the whole of 2024: 25.9%, 64.1 percentage points too low (target: at least 90%). For the rest of 2024 the share would have to be 385%, so the target can no longer be reached; over the last 3 months it was 10%." },
        { "share final, missed",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024Q1", NULL, 75, 0, 0, -1,
          "personer", "persons",
          NULL, "2024M01 7 7 7", "2024M01 10 10 10", NULL,
          "2024-05-02", 1, false, NULL,
          "Målet »Testmål« er ikke nået: andelen var 70 % i 1. kvt. 2024 (i marts 2024: 7 af 10), 5 procentpoint for lavt (mål: mindst 75 %).",
          "The goal “Test goal” was missed: the share was 70% in Q1 2024 (in March 2024: 7 of 10), 5 percentage points too low (target: at least 75%)." },
        { "share below the minimum denominator",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 75, 0, 20, -1,
          "personer", "persons",
          NULL, "2024M01 3 4 5", "2024M01 4 5 6", NULL,
          "2024-04-02", 1, false, "denunit",
          "Målet »Testmål« kan ikke vurderes: der er kun 15 ordrer i januar–marts 2024, for få til en andel; der kræves mindst 20.",
          "The goal “Test goal” cannot be assessed: there are only 15 orders in January–March 2024, too few for a share; at least 20 are needed." },
        { "share zero denominator",
          GOAL_SHARE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 50, 0, 0, -1,
          "personer", "persons",
          NULL, "2024M01 0 0 0", "2024M01 0 0 0", NULL,
          "2024-04-02", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: der er ingen personer i januar–marts 2024 at beregne en andel af.",
          "The goal “Test goal” cannot be assessed: there are no persons in January–March 2024 to calculate a share of." },
        { "rank on track, improving",
          GOAL_RANK, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "plads", "rank",
          "2023QMAT04 13 12 11", NULL, NULL, NULL,
          "2024-08-01", 1, false, NULL,
          "Målet »Testmål« er på rette spor: placering nr. 11 (12 mdr. til og med 2. kvt. 2024). Forventet placering ved udgangen af 2024: nr. 9, 1 plads bedre end målet (mål: top 10). Placeringen skal rykke 1 plads op (til nr. 10) inden udgangen af 2024; de seneste 2 kvartaler er placeringen rykket 2 pladser op (fra nr. 13).",
          "The goal “Test goal” is on track: rank 11 (12 months to Q2 2024). Expected rank at the end of 2024: 9, 1 place better than the target (target: the top 10). The rank has to move 1 place up (to rank 10) by the end of 2024; over the last 2 quarters it moved 2 places up (from rank 13)." },
        { "rank off track: must climb",
          GOAL_RANK, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "plads", "rank",
          "2023QMAT04 11 12 14", NULL, NULL, NULL,
          "2024-08-01", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: placering nr. 14 (12 mdr. til og med 2. kvt. 2024). Forventet placering ved udgangen af 2024: nr. 17, 7 pladser fra målet (mål: top 10). Placeringen skal rykke 4 pladser op (til nr. 10) inden udgangen af 2024; de seneste 2 kvartaler er placeringen rykket 3 pladser ned (fra nr. 11).",
          "The goal “Test goal” is off track: rank 14 (12 months to Q2 2024). Expected rank at the end of 2024: 17, 7 places short of the target (target: the top 10). The rank has to move 4 places up (to rank 10) by the end of 2024; over the last 2 quarters it moved 3 places down (from rank 11)." },
        { "rank final, missed",
          GOAL_RANK, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "plads", "rank",
          "2024QMAT01 8 9 10 12", NULL, NULL, NULL,
          "2025-02-01", 1, false, NULL,
          "Målet »Testmål« er ikke nået: placering nr. 12 (12 mdr. til og med 4. kvt. 2024), 2 pladser fra målet (mål: top 10).",
          "The goal “Test goal” was missed: rank 12 (12 months to Q4 2024), 2 places short of the target (target: the top 10)." },
        { "cumulative on the pro-rata path",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "personer", "persons",
          "2024M01 5 5 5 5 5 5", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i alt 30 personer i januar–juni 2024 (ved et jævnt tempo skulle der være 30 nu). Forventet i alt for hele 2024: 60 personer, lige på målet (mål: mindst 60). Resten af 2024 skal der i gennemsnit være 5 personer om måneden; de seneste 3 måneder var der i gennemsnit 5 personer om måneden.",
          "The goal “Test goal” is on track: 30 persons in total in January–June 2024 (at an even pace it would be 30 by now). Expected total for the whole of 2024: 60 persons, right on the target (target: at least 60). For the rest of 2024 it takes an average of 5 persons a month; the last 3 months averaged 5 persons a month." },
        { "cumulative behind",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "personer", "persons",
          "2024M01 6 5 4 3 2 1", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: i alt 21 personer i januar–juni 2024 (ved et jævnt tempo skulle der være 30 nu). Forventet i alt for hele 2024: 6 personer, 54 for få (mål: mindst 60). Resten af 2024 skal der i gennemsnit være 6,5 personer om måneden; de seneste 3 måneder var der i gennemsnit 2 personer om måneden.",
          "The goal “Test goal” is off track: 21 persons in total in January–June 2024 (at an even pace it would be 30 by now). Expected total for the whole of 2024: 6 persons, 54 too few (target: at least 60). For the rest of 2024 it takes an average of 6.5 persons a month; the last 3 months averaged 2 persons a month." },
        { "cumulative already reached",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_NONE, "2024", NULL, 60, 0, 0, 1,
          "personer", "persons",
          "2024M01 20 20 20 20", NULL, NULL, NULL,
          "2024-05-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i alt 80 personer i januar–april 2024 (ved et jævnt tempo skulle der være 20 nu). Forventet i alt for hele 2024: 240 personer, 180 over målet (mål: mindst 60). Tallene indtil nu når allerede målet; de seneste 3 måneder var der i gennemsnit 20 personer om måneden.",
          "The goal “Test goal” is on track: 80 persons in total in January–April 2024 (at an even pace it would be 20 by now). Expected total for the whole of 2024: 240 persons, 180 above the target (target: at least 60). The figures so far already reach the target; the last 3 months averaged 20 persons a month." },
        { "cumulative final, 3 short",
          GOAL_CUMULATIVE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 60, 0, 0, 1,
          "personer", "persons",
          "2024Q1 10 20 15 12", NULL, NULL, NULL,
          "2025-01-02", 1, false, NULL,
          "Målet »Testmål« er ikke nået: i alt 57 personer i 2024, 3 for få (mål: mindst 60).",
          "The goal “Test goal” was missed: 57 persons in total in 2024, 3 too few (target: at least 60)." },
        { "no data: not published yet",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2023M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2024-01-20", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: der er endnu ikke offentliggjort tal for 2024.",
          "The goal “Test goal” cannot be assessed: no figures for 2024 have been published yet." },
        { "no data: stale",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382 384", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: de seneste tal er for marts 2024, og nyere tal burde være offentliggjort.",
          "The goal “Test goal” cannot be assessed: the latest figures are for March 2024, and newer ones should have been published by now." },
        { "no data: stale, nothing of the goal period",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2025", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2026-12-01", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: de seneste tal er for december 2024, og nyere tal burde være offentliggjort.",
          "The goal “Test goal” cannot be assessed: the latest figures are for December 2024, and newer ones should have been published by now." },
        { "no data: the source is failing",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2023M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2024-03-20", 1, true, NULL,
          "Målet »Testmål« kan ikke vurderes: tallene kunne ikke hentes fra kilden »Jobindsats« (kontakt IT-drift).",
          "The goal “Test goal” cannot be assessed: the figures could not be fetched from the source “Jobindsats” (contact IT operations)." },
        { "no data: stale and failing",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382 384", NULL, NULL, NULL,
          "2024-07-15", 1, true, NULL,
          "Målet »Testmål« kan ikke vurderes: tallene kunne ikke hentes fra kilden »Jobindsats« (kontakt IT-drift).",
          "The goal “Test goal” cannot be assessed: the figures could not be fetched from the source “Jobindsats” (contact IT operations)." },
        { "no data: no series",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "-", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: serien, det måles på, har ingen tal.",
          "The goal “Test goal” cannot be assessed: the series it is measured on has no figures." },
        { "no data: no period of the frequency",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024Q2", NULL, 380, 0, 0, -1,
          "fuldtidspersoner", "full-time persons",
          "2023 5 6", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« kan ikke vurderes: serien har ingen perioder inden for 2. kvt. 2024.",
          "The goal “Test goal” cannot be assessed: the series has no periods within Q2 2024." },
        { "no title: on track",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 2,
          "fuldtidspersoner", "full-time persons",
          "2024M01 380 382 384 386 388 390", NULL, NULL, NULL,
          "2024-07-15", 0, false, NULL,
          "På sporet: i gennemsnit 385 fuldtidspersoner i januar–juni 2024. Forventet gennemsnit for hele 2024: 391 fuldtidspersoner, 11 over målet (mål: mindst 380). Resten af 2024 kan tallet falde med op til 4,3 fuldtidspersoner om måneden; de seneste 3 måneder steg tallet med 2 fuldtidspersoner om måneden.",
          "On track: an average of 385 full-time persons in January–June 2024. Expected average for the whole of 2024: 391 full-time persons, 11 above the target (target: at least 380). For the rest of 2024 the figure can fall by up to 4.3 full-time persons a month; over the last 3 months it rose by 2 full-time persons a month." },
        { "no title: no data",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2023M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2024-01-20", 0, false, NULL,
          "Ingen tal: der er endnu ikke offentliggjort tal for 2024.",
          "No data: no figures for 2024 have been published yet." },
        { "no title: failing",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2023M01 380", NULL, NULL, NULL,
          "2024-01-20", 0, true, NULL,
          "Ingen tal: tallene kunne ikke hentes fra kilden »Jobindsats« (kontakt IT-drift).",
          "No data: the figures could not be fetched from the source “Jobindsats” (contact IT operations)." },
        { "no title: the id in its place (as the configuration defaults it)",
          GOAL_LEVEL, GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 0, PROJECTION_LINEAR, "2024", NULL, 380, 0, 0, 1,
          "fuldtidspersoner", "full-time persons",
          "2023M01 380 381 382 383 384 385 386 387 388 389 390 391", NULL, NULL, NULL,
          "2024-01-20", 2, false, NULL,
          "Ingen tal: der er endnu ikke offentliggjort tal for 2024.",
          "No data: no figures for 2024 have been published yet." },
        { "change percent, one month in: samme måned",
          GOAL_CHANGE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 1, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 95", NULL, NULL, NULL,
          "2024-02-10", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i januar 2024 var der 5 % færre personer end i samme måned i 2023. Forventet for hele 2024: 5 % færre personer end i 2023, 5 procentpoint under målet (mål: højst 0 %, altså ingen stigning). Resten af 2024 kan tallet stige med op til 0,9 personer om måneden; de seneste 3 måneder faldt tallet med 1,7 personer om måneden.",
          "The goal “Test goal” is on track: in January 2024 there were 5% fewer persons than in the same month of 2023. Expected for the whole of 2024: 5% fewer persons than in 2023, 5 percentage points below the target (target: at most 0%, that is, no rise). For the rest of 2024 the figure can rise by up to 0.9 persons a month; over the last 3 months it fell by 1.7 persons a month." },
        { "reference, one month in",
          GOAL_REFERENCE, GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, CHANGE_PERCENT, PROJECTION_NONE, "2024", "2023", 0, 0.5, 0, -1,
          "personer", "persons",
          "2023M01 100 100 100 100 100 100 100 100 100 100 100 100 90", NULL, NULL, "2023M01 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 950",
          "2024-02-10", 1, false, "label",
          "Målet »Testmål« er på rette spor: udviklingen i januar 2024 i forhold til samme måned i 2023 var −10 % mod −5 % for hele landet, en forskel på −5 procentpoint. Forventet forskel for hele 2024: −5 procentpoint, 5 procentpoint under målet (mål: højst 0 procentpoint). Resten af 2024 kan tallet stige med op til 0,9 personer om måneden; de seneste 3 måneder faldt tallet med 3,3 personer om måneden.",
          "The goal “Test goal” is on track: the change in January 2024 against the same month of 2023 was −10%, against −5% for the whole country: a difference of −5 percentage points. Expected difference for the whole of 2024: −5 percentage points, 5 percentage points below the target (target: at most 0 percentage points). For the rest of 2024 the figure can rise by up to 0.9 persons a month; over the last 3 months it fell by 3.3 persons a month." },
        { "share at most, on track",
          GOAL_SHARE, GOAL_AT_MOST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 20, 0, 10, -1,
          "personer", "persons",
          NULL, "2024M01 1 1 1 1 1 1", "2024M01 10 10 10 10 10 10", NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: andelen var 10 % i januar–juni 2024 (i juni 2024: 1 af 10). Forventet for hele 2024: 10 %, 10 procentpoint under målet (mål: højst 20 %). Resten af 2024 skal andelen være højst 30 %; de seneste 3 måneder var andelen 10 %.",
          "The goal “Test goal” is on track: the share was 10% in January–June 2024 (in June 2024: 1 of 10). Expected for the whole of 2024: 10%, 10 percentage points below the target (target: at most 20%). For the rest of 2024 the share has to be at most 30%; over the last 3 months it was 10%." },
        { "share at most, off track",
          GOAL_SHARE, GOAL_AT_MOST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 5, 0, 10, -1,
          "personer", "persons",
          NULL, "2024M01 1 1 1 1 1 1", "2024M01 10 10 10 10 10 10", NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: andelen var 10 % i januar–juni 2024 (i juni 2024: 1 af 10). Forventet for hele 2024: 10 %, 5 procentpoint for højt (mål: højst 5 %). Resten af 2024 skal andelen være højst 0 %; de seneste 3 måneder var andelen 10 %.",
          "The goal “Test goal” is off track: the share was 10% in January–June 2024 (in June 2024: 1 of 10). Expected for the whole of 2024: 10%, 5 percentage points too high (target: at most 5%). For the rest of 2024 the share has to be at most 0%; over the last 3 months it was 10%." },
        { "cumulative at most, on track",
          GOAL_CUMULATIVE, GOAL_AT_MOST, GOAL_AGGREGATE_SUM, 0, PROJECTION_LINEAR, "2024", NULL, 100, 0, 0, 1,
          "sager", "cases",
          "2024M01 5 5 5 5 5 5", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i alt 30 sager i januar–juni 2024 (ved et jævnt tempo skulle der være 50 nu). Forventet i alt for hele 2024: 60 sager, 40 under målet (mål: højst 100). Resten af 2024 må der i gennemsnit højst være 11,7 sager om måneden; de seneste 3 måneder var der i gennemsnit 5 sager om måneden.",
          "The goal “Test goal” is on track: 30 cases in total in January–June 2024 (at an even pace it would be 50 by now). Expected total for the whole of 2024: 60 cases, 40 below the target (target: at most 100). For the rest of 2024 there can be at most 11.7 cases a month on average; the last 3 months averaged 5 cases a month." },
        { "rank achieved",
          GOAL_RANK, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 10, 0, 0, 1,
          "plads", "rank",
          "2024QMAT01 12 11 9 8", NULL, NULL, NULL,
          "2025-02-01", 1, false, NULL,
          "Målet »Testmål« er nået: placering nr. 8 (12 mdr. til og med 4. kvt. 2024), 2 pladser bedre end målet (mål: top 10).",
          "The goal “Test goal” was achieved: rank 8 (12 months to Q4 2024), 2 places better than the target (target: the top 10)." },
        { "level latest at most, off track",
          GOAL_LEVEL, GOAL_AT_MOST, GOAL_AGGREGATE_LATEST, 0, PROJECTION_LINEAR, "2024", NULL, 300, 0, 0, -1,
          "personer", "persons",
          "2024M01 300 305 310 315 320 325", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er ikke på rette spor: 325 personer i juni 2024. Forventet i december 2024: 355 personer, 55 for mange (mål: højst 300). Resten af 2024 skal tallet falde med 4,2 personer om måneden; de seneste 3 måneder steg tallet med 5 personer om måneden.",
          "The goal “Test goal” is off track: 325 persons in June 2024. Expected in December 2024: 355 persons, 55 too many (target: at most 300). For the rest of 2024 the figure has to fall by 4.2 persons a month; over the last 3 months it rose by 5 persons a month." },
        { "change absolute, quarterly, on track",
          GOAL_CHANGE, GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, CHANGE_ABSOLUTE, PROJECTION_LINEAR, "2024", "2023", 10, 0, 0, -1,
          "personer", "persons",
          "2023Q1 10 10 10 10 13 14", NULL, NULL, NULL,
          "2024-07-15", 1, false, NULL,
          "Målet »Testmål« er på rette spor: i 1.–2. kvt. 2024 var der 7 flere personer end i de samme kvartaler i 2023. Forventet for hele 2024: 16 flere personer end i 2023, 6 over målet (mål: mindst +10). Resten af 2024 skal der i gennemsnit være 11,5 personer om kvartalet; de seneste 3 kvartaler var der i gennemsnit 12,3 personer om kvartalet.",
          "The goal “Test goal” is on track: in Q1–Q2 2024 there were 7 more persons than in the same quarters of 2023. Expected for the whole of 2024: 16 more persons than in 2023, 6 above the target (target: at least +10). For the rest of 2024 it takes an average of 11.5 persons a quarter; the last 3 quarters averaged 12.3 persons a quarter." },
};

static void test_sentences(void **state)
{
        GoalResult r = {};
        bool print = getenv("TEXT_TEST_PRINT");
        size_t failed = 0;

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *w = &rows[i];
                GoalDef g = {
                        .id = (char *) "testmaal",
                        .title_da = w->title == 1 ? (char *) "Testmål" : w->title == 2 ? (char *) "testmaal" : NULL,
                        .title_en = w->title == 1 ? (char *) "Test goal" : w->title == 2 ? (char *) "testmaal" : NULL,
                        .kind = w->kind, .direction = w->dir, .aggregate = w->agg, .change_unit = w->cu,
                        .projection = w->proj, .target = w->target, .tolerance = w->tolerance,
                        .min_denominator = w->min_den, .trend_window = 6,
                        .series = (char *) "s", .numerator = (char *) "n", .denominator = (char *) "d",
                        .reference = (char *) "r",
                };
                GoalSeriesMeta meta[_GOAL_ROLE_MAX];
                bool label = w->extra && streq(w->extra, "label"), denunit = w->extra && streq(w->extra, "denunit");
                TextInput in = { .meta = meta, .source_failing = w->failing, .source_da = "Jobindsats", .source_en = "Jobindsats" };
                SeriesSet *set = NULL;
                char da[GOAL_TEXT_MAX], en[GOAL_TEXT_MAX];
                Date now;

                for (size_t k = 0; k < ELEMENTSOF(meta); k++)
                        meta[k] = (GoalSeriesMeta){ .publication_lag = w->lag, .unit_da = w->unit_da, .unit_en = w->unit_en };
                if (label) {
                        meta[GOAL_ROLE_REFERENCE].label_da = "hele landet";
                        meta[GOAL_ROLE_REFERENCE].label_en = "the whole country";
                }
                if (denunit) {
                        meta[GOAL_ROLE_DENOMINATOR].unit_da = "ordrer";
                        meta[GOAL_ROLE_DENOMINATOR].unit_en = "orders";
                }
                assert_int_equal(period_parse(w->period, &g.period), 0);
                if (w->baseline)
                        assert_int_equal(period_parse(w->baseline, &g.baseline), 0);
                assert_int_equal(date_parse(w->date, &now), 0);
                assert_int_equal(series_set_new(&set), 0);
                if (w->series && !streq(w->series, "-"))
                        assert_int_equal(series_set_add(set, mk("s", w->series)), 0);
                if (w->numerator)
                        assert_int_equal(series_set_add(set, mk("n", w->numerator)), 0);
                if (w->denominator)
                        assert_int_equal(series_set_add(set, mk("d", w->denominator)), 0);
                if (w->reference)
                        assert_int_equal(series_set_add(set, mk("r", w->reference)), 0);

                assert_int_equal(goal_evaluate_meta(&g, meta, set, now, &r), 0);
                assert_true(text_explain_input(&g, &r, &in, "da", da, sizeof(da)) > 0);
                assert_true(text_explain_input(&g, &r, &in, "en", en, sizeof(en)) > 0);
                if (print)
                        print_message("ROW\t%s\t%s\t%s\n", w->name, da, en);
                if (!streq(da, w->da) || !streq(en, w->en)) {
                        print_message("%s (%s/%s):\n  want da: %s\n  got  da: %s\n  want en: %s\n  got  en: %s\n", w->name,
                                      goal_status_to_string(r.status), goal_reason_to_string(r.reason), w->da, da, w->en, en);
                        failed++;
                }
                /* never a hyphen for a minus, never "nan", never the id */
                assert_null(strstr(da, " -"));
                assert_null(strstr(en, " -"));
                assert_null(strstr(da, "nan"));
                assert_null(strstr(da, "testmaal"));
                assert_null(strstr(en, "testmaal"));
                series_set_free(set);
        }
        goal_result_done(&r);
        assert_int_equal(failed, 0);
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
                            "Målet »Fleksjob« er ikke på rette spor: i gennemsnit 382,6 fuldtidspersoner i januar–juni 2024. "
                            "Forventet gennemsnit for hele 2024: 385,8 fuldtidspersoner, 994,2 for få (mål: mindst 1.380). "
                            "Resten af 2024 skal tallet stige med 569,1 fuldtidspersoner om måneden; de seneste 3 måneder "
                            "steg tallet med 1,2 fuldtidspersoner om måneden.");
        assert_string_equal(r.explanation_en,
                            "The goal “Flexi-jobs” is off track: an average of 382.6 full-time persons in January–June 2024. "
                            "Expected average for the whole of 2024: 385.8 full-time persons, 994.2 too few (target: at least "
                            "1,380). For the rest of 2024 the figure has to rise by 569.1 full-time persons a month; over the "
                            "last 3 months it rose by 1.2 full-time persons a month.");
        assert_string_equal(r.unit_da, "fuldtidspersoner");

        /* Ahead of an at-least target: the needed pace is negative, so the text says how much room
         * there is, not that a fall "is needed". At most, the mirror image. Never a negative demand. */
        g.target = 380;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, " Resten af 2024 kan tallet falde med op til "));
        assert_non_null(strstr(r.explanation_en, " For the rest of 2024 the figure can fall by up to "));
        assert_null(strstr(r.explanation_da, "kræver"));
        g.direction = GOAL_AT_MOST;
        g.target = 400;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, " Resten af 2024 kan tallet stige med op til "));
        assert_non_null(strstr(r.explanation_en, " For the rest of 2024 the figure can rise by up to "));
        g.target = 370;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_non_null(strstr(r.explanation_da, " Resten af 2024 skal tallet falde med "));

        goal_result_done(&r);
        series_set_free(set);
}

/* The words of a table (the e-mail's figures, the report): the value labelled by the aggregate,
 * never "Seneste værdi" for an average; the paces in words, never a signed number. */
static void test_table_words(void **state)
{
        static const struct {
                GoalDirection dir;
                GoalAggregate agg;
                double target;
                const char *label_da, *label_en, *value_da, *pace_da, *pace_en, *recent_da, *recent_en;
        } want[] = {
                { GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 400, "Gennemsnit januar–juni 2024", "Average January–June 2024",
                  "382,6 fuldtidspersoner", "stigning på 9,1 fuldtidspersoner om måneden",
                  "a rise of 9.1 full-time persons a month", "stigning på 1,2 fuldtidspersoner om måneden",
                  "a rise of 1.2 full-time persons a month" },
                { GOAL_AT_LEAST, GOAL_AGGREGATE_AVERAGE, 380, "Gennemsnit januar–juni 2024", "Average January–June 2024",
                  "382,6 fuldtidspersoner", "fald på op til 2,3 fuldtidspersoner om måneden",
                  "a fall of up to 2.3 full-time persons a month", "stigning på 1,2 fuldtidspersoner om måneden",
                  "a rise of 1.2 full-time persons a month" },
                { GOAL_AT_MOST, GOAL_AGGREGATE_AVERAGE, 370, "Gennemsnit januar–juni 2024", "Average January–June 2024",
                  "382,6 fuldtidspersoner", "fald på 8 fuldtidspersoner om måneden",
                  "a fall of 8 full-time persons a month", "stigning på 1,2 fuldtidspersoner om måneden",
                  "a rise of 1.2 full-time persons a month" },
                { GOAL_AT_LEAST, GOAL_AGGREGATE_LATEST, 400, "Seneste værdi (juni 2024)", "Latest value (June 2024)",
                  "385,5 fuldtidspersoner", "stigning på 2,4 fuldtidspersoner om måneden",
                  "a rise of 2.4 full-time persons a month", "stigning på 1,2 fuldtidspersoner om måneden",
                  "a rise of 1.2 full-time persons a month" },
                { GOAL_AT_LEAST, GOAL_AGGREGATE_SUM, 4800, "I alt januar–juni 2024", "Total January–June 2024",
                  "2.295,5 fuldtidspersoner", "i gennemsnit 417,4 fuldtidspersoner om måneden",
                  "an average of 417.4 full-time persons a month", "i gennemsnit 384,2 fuldtidspersoner om måneden",
                  "an average of 384.2 full-time persons a month" },
        };
        GoalDef g = fleksjob();
        GoalResult r = {};
        SeriesSet *set = NULL;
        GoalSeriesMeta meta[_GOAL_ROLE_MAX] = {
                [GOAL_ROLE_SERIES] = { .publication_lag = 2, .unit_da = "fuldtidspersoner", .unit_en = "full-time persons" },
        };
        size_t failed = 0;

        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(series_set_add(set, mk("fleksjob_fuldtid", "2024M01 380 381 382 383 384 385.5")), 0);
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                g.direction = want[i].dir;
                g.aggregate = want[i].agg;
                g.target = want[i].target;
                assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
                text_fill(&g, &r);
                if (!streq(r.value_label_da, want[i].label_da) || !streq(r.value_label_en, want[i].label_en) ||
                    !streq(r.value_text_da, want[i].value_da) || !streq(r.pace_da, want[i].pace_da) ||
                    !streq(r.pace_en, want[i].pace_en) || !streq(r.recent_pace_da, want[i].recent_da) ||
                    !streq(r.recent_pace_en, want[i].recent_en)) {
                        print_message("row %zu: got %s | %s | %s | %s | %s | %s | %s\n", i, r.value_label_da,
                                      r.value_label_en, r.value_text_da, r.pace_da, r.pace_en, r.recent_pace_da,
                                      r.recent_pace_en);
                        failed++;
                }
                assert_null(strstr(r.pace_da, " -"));
                assert_null(strstr(r.recent_pace_en, " -"));
        }
        assert_int_equal(failed, 0);

        /* one period left: no pace, as in the sentences */
        g.direction = GOAL_AT_LEAST, g.aggregate = GOAL_AGGREGATE_AVERAGE, g.target = 400;
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2025, 1, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_string_equal(r.pace_da, "");
        /* no value, no label */
        series_set_free(set);
        assert_int_equal(series_set_new(&set), 0);
        assert_int_equal(goal_evaluate_meta(&g, meta, set, (Date){ 2024, 7, 15 }, &r), 0);
        text_fill(&g, &r);
        assert_string_equal(r.value_label_da, "");
        assert_string_equal(r.value_text_en, "");
        assert_string_equal(r.pace_en, "");
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

static void test_chance(void **state)
{
        GoalDef g = fleksjob();
        GoalResult r = { .status = GOAL_STATUS_OFF_TRACK, .has_probability = true, .probability = 0.149,
                         .projected_low = 372.4, .projected_high = 1391.2 };
        char buf[256];

        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf),
                            "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 372 og 1.391.");
        assert_string_equal(text_chance(&g, &r, "en", buf, sizeof buf),
                            "The target will hardly be met: about 15% chance. 80% likely between 372 and 1,391.");
        r.probability = 0.86;
        r.status = GOAL_STATUS_ON_TRACK;
        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf),
                            "Målet nås sandsynligvis: ca. 85 % chance. 80 % sikkert mellem 372 og 1.391.");
        r.probability = 0.001;
        assert_non_null(strstr(text_chance(&g, &r, "da", buf, sizeof buf), "under 5 % chance"));
        r.probability = 0.999;
        assert_non_null(strstr(text_chance(&g, &r, "en", buf, sizeof buf), "over 95% chance"));
        /* the interval in the target's unit, named once after the upper bound */
        r.probability = 0.149;
        r.status = GOAL_STATUS_OFF_TRACK;
        r.projected_low = 372.4, r.projected_high = 391.2;
        snprintf(r.unit_da, sizeof r.unit_da, "fuldtidspersoner");
        snprintf(r.unit_en, sizeof r.unit_en, "full-time persons");
        snprintf(r.pace_unit_da, sizeof r.pace_unit_da, "fuldtidspersoner");
        snprintf(r.pace_unit_en, sizeof r.pace_unit_en, "full-time persons");
        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf),
                            "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 372 og 391 fuldtidspersoner.");
        assert_string_equal(text_chance(&g, &r, "en", buf, sizeof buf),
                            "The target will hardly be met: about 15% chance. 80% likely between 372 and 391 "
                            "full-time persons.");
        /* a change in % of a counted series is no count: decimals, not "−8 og 0" */
        g.kind = GOAL_CHANGE;
        r.kind = GOAL_CHANGE;
        r.probability = 0.9;
        r.status = GOAL_STATUS_ON_TRACK;
        r.projected_low = -7.62, r.projected_high = -0.21;
        snprintf(r.unit_da, sizeof r.unit_da, "%%");
        snprintf(r.unit_en, sizeof r.unit_en, "%%");
        snprintf(r.pace_unit_da, sizeof r.pace_unit_da, "personer");
        snprintf(r.pace_unit_en, sizeof r.pace_unit_en, "persons");
        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf),
                            "Målet nås sandsynligvis: ca. 90 % chance. 80 % sikkert mellem −7,6 og −0,2 %.");
        assert_string_equal(text_chance(&g, &r, "en", buf, sizeof buf),
                            "The target will probably be met: about 90% chance. 80% likely between −7.6 and "
                            "−0.2%.");
        /* a rank's interval in places, not "3 og 9 plads" */
        {
                GoalDef rg = g;
                GoalResult rr = r;
                rg.kind = GOAL_RANK, rr.kind = GOAL_RANK;
                rr.projected_low = 3.2, rr.projected_high = 8.6;
                snprintf(rr.unit_da, sizeof rr.unit_da, "plads");
                snprintf(rr.unit_en, sizeof rr.unit_en, "place");
                assert_string_equal(text_chance(&rg, &rr, "da", buf, sizeof buf),
                                    "Målet nås sandsynligvis: ca. 90 % chance. 80 % sikkert mellem nr. 3 og nr. 9.");
                assert_string_equal(text_chance(&rg, &rr, "en", buf, sizeof buf),
                                    "The target will probably be met: about 90% chance. 80% likely between no. 3 and "
                                    "no. 9.");
        }
        /* both ends with one decimal, the same for either end */
        r.projected_low = -5.71, r.projected_high = -2.01;
        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf),
                            "Målet nås sandsynligvis: ca. 90 % chance. 80 % sikkert mellem −5,7 og −2,0 %.");
        r.projected_low = -7.62, r.projected_high = -0.21;
        /* text_fill writes the same sentence into the result, for the mail and the report */
        text_fill(&g, &r);
        assert_string_equal(r.chance_da, "Målet nås sandsynligvis: ca. 90 % chance. 80 % sikkert mellem −7,6 og −0,2 %.");
        assert_string_equal(r.chance_en, text_chance(&g, &r, "en", buf, sizeof buf));

        /* a finished period: no chance, in text_fill either */
        r.status = GOAL_STATUS_ACHIEVED;
        r.probability = 1;
        assert_string_equal(text_chance(&g, &r, "da", buf, sizeof buf), "");
        text_fill(&g, &r);
        assert_string_equal(r.chance_da, "");
        assert_string_equal(r.chance_en, "");
        (void) state;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sentences),
                cmocka_unit_test(test_explanations),
                cmocka_unit_test(test_table_words),
                cmocka_unit_test(test_status_labels),
                cmocka_unit_test(test_chance),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
