/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Text for people: the sentences that explain a goal's verdict to a department head, in Danish (the
 * default) and English, with Danish formatting from format.h (1.234,5; juni 2024; "−" for minus).
 * The goal engine (goal.h) returns numbers and codes only; evaluate.c, the CLI and the alert
 * messages get their words from here, so a wording change is made, and seen in
 * tests/unit/test-text.c, in one place. Pure: no I/O, no clock, no logging, no globals.
 *
 * The shape of an explanation:
 *   Målet »TITLE« er i fare: <the figures so far>. <The forecast, the gap and the target>. <Why at
 *   risk.> <What the rest of the period must bring; what the last periods brought>.
 * Without a title the opening is the status word ("I fare: …"), never the goal's id. No verdict:
 *   Målet »TITLE« kan ikke vurderes: der er endnu ikke offentliggjort tal for 2024.
 *   Målet »TITLE« kan ikke vurderes: de seneste tal er for marts 2024, og nyere tal burde være …
 *   Målet »TITLE« kan ikke vurderes: tallene fra Jobindsats kunne ikke hentes (kontakt IT-drift).
 * The last one needs TextInput.source_failing: the engine cannot know it. */

#include <stdbool.h>
#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"

/* What the text needs beyond the GoalDef and the GoalResult; every field may be NULL/false. */
typedef struct TextInput {
        const GoalSeriesMeta *meta; /* indexed by GoalRole: the reference's label ("hele landet"), the
                                     * denominator's unit ("ordrer"); NULL: the series' name, "sager" */
        bool source_failing;        /* a source the goal's series come from is in a failure streak or
                                     * was never fetched: missing figures are IT's to fix */
        const char *source_da;      /* that source, as people know it (its display_name): "Jobindsats", */
        const char *source_en;      /* "Jobcentrets egne tal" / "The job centre's own figures" */
} TextInput;

/* Writes the explanation of result r of goal g in language lang ("da", "en"; NULL or anything else:
 * Danish) into buf (NUL-terminated, truncated to size at a character boundary). Returns its length,
 * or -EINVAL when buf is NULL or size is 0. */
int text_explain(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);
int text_explain_input(const GoalDef *g, const GoalResult *r, const TextInput *in, const char *lang, char *buf,
                       size_t size);

/* Fills r->explanation_da and r->explanation_en (text_explain in both languages), r->gap_da and
 * r->gap_en (text_gap of the projected or final value; empty without a gap), the table words
 * r->value_label_*, r->value_text_*, r->pace_*, r->recent_pace_* (text_value_label, text_value,
 * text_pace) and r->chance_* (text_chance). in may be NULL. */
void text_fill(const GoalDef *g, GoalResult *r);
void text_fill_input(const GoalDef *g, const TextInput *in, GoalResult *r);

/* The chance in words: "Målet nås næppe: ca. 15 % chance. 80 % sikkert mellem 372 og 391
 * fuldtidspersoner." (the interval in the target's unit, named once); empty for a finished period or
 * without a probability (issue 17 §3). The one wording of the chance: eval, the mail, the Teams card
 * and the report all show this sentence. Returns buf. */
char *text_chance(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);

/* The goal's title in lang (English falls back to Danish), or NULL when it has none: no title, or
 * the id the configuration put in its place. */
const char *text_title(const GoalDef *g, const char *lang);

/* The status as a word for a table: "På sporet", "I fare", "Ikke på sporet", "Nået", "Ikke nået",
 * "Ingen tal", "For lidt data" / "On track", "At risk", "Off track", "Achieved", "Missed",
 * "No data", "Too little data". Static string; NULL for an invalid status. */
const char *text_status_label(GoalStatus s, const char *lang);

/* How far the value v (in the target's unit, e.g. r->projected) is from g's target, in words that
 * do not need the direction: "7,9 over målet", "11 for mange", "0,2 procentpoint for lavt",
 * "lige på målet", "2 pladser fra målet". decimals < 0: as in the sentences; else fixed decimals
 * and "pp." for percentage points, for a table column ("11,0 for mange", "0,2 pp. for lavt").
 * Returns buf. */
char *text_gap(const GoalDef *g, const GoalResult *r, double v, int decimals, const char *lang, char *buf,
               size_t size);

/* The target in a few words, for a table: "mindst 380", "højst 0 %", "mindst +20 %", "top 10".
 * Returns buf. */
char *text_target(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);

/* The label of the row that shows r's value in a table, by the goal's aggregate: "Gennemsnit
 * januar–juni 2024", "I alt januar–juni 2024", "Andel januar–juni 2024", "Ændring januar–juni 2024",
 * "Seneste værdi (juni 2024)" (latest), "Placering (juni 2024)" / "Average January–June 2024", …
 * Empty without a value. Returns buf. */
char *text_value_label(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);

/* The value for that row: "108,7 fuldtidspersoner", "52,3 %", "4,3 % færre personer" (a change),
 * "nr. 7" (a rank), with the typographic minus. Empty without a value. Returns buf. */
char *text_value(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);

/* A pace for a table, in words that say which way, never a signed number: recent false: the pace
 * needed ("fald på 7 fuldtidspersoner om måneden", "fald på op til 2 … om måneden" when a fall is
 * allowed, "stigning på …", "uændret niveau", "højst 40 … om måneden" for a flow, "mindst 45 %" for
 * a share, "3 pladser op" for a rank, "målet er allerede nået"); empty when the text gives no pace
 * (one period or less left). recent true: what the last periods brought ("fald på 1,2 … om
 * måneden", "uændret"). English likewise ("a fall of 7 … a month"). Returns buf. */
char *text_pace(const GoalDef *g, const GoalResult *r, bool recent, const char *lang, char *buf, size_t size);

/* ---- data problems that are over (issue 22 §3) ----
 *
 * A resolved data problem of kind "source_failing" (name: the source) or "series_late" (name: the
 * series), in words for a notice. The label, for a list item or a card line: "Kilden svarer igen" /
 * "Source working again", "Tallene er kommet" / "Figures arrived"; NULL for another kind. The
 * sentence: "Kilden bench svarer igen; labourwatch henter tal fra den som før." / "Source bench is
 * answering again; labourwatch fetches its figures as before."; for another kind "Dataproblemet er
 * løst." / "The data problem is over.". Returns buf. */
const char *text_problem_resolved_label(const char *kind, const char *lang);
char *text_problem_resolved(const char *kind, const char *name, const char *lang, char *buf, size_t size);
/* The opening line and the subject's summary of a notice whose data problems are all over: "Et
 * dataproblem er løst; labourwatch arbejder med friske tal igen:" / "A data problem is over …";
 * "1 dataproblem løst", "2 dataproblemer løst" / "1 data problem resolved", "2 data problems
 * resolved". The summary returns buf. */
const char *text_problems_resolved_intro(size_t n, const char *lang);
char *text_problems_resolved_summary(size_t n, const char *lang, char *buf, size_t size);
