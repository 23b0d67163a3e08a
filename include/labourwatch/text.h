/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Text for people: the sentences that explain a goal's verdict to a department head, in Danish (the
 * default) and English, with Danish formatting from format.h. The goal engine (goal.h) returns
 * numbers and codes only; evaluate.c, the CLI and the alert messages get their words from here, so
 * a wording change is made (and tested, tests/unit/test-text.c) in one place.
 * Pure: no I/O, no clock, no logging, no globals. */

#include <stddef.h>

#include "labourwatch/config.h"
#include "labourwatch/goal.h"

/* Writes the explanation of result r of goal g in language lang ("da", "en"; NULL or anything else:
 * Danish) into buf (NUL-terminated, truncated to size). Returns its length, or -EINVAL when buf is
 * NULL or size is 0. */
int text_explain(const GoalDef *g, const GoalResult *r, const char *lang, char *buf, size_t size);

/* Fills r->explanation_da and r->explanation_en (text_explain in both languages). */
void text_fill(const GoalDef *g, GoalResult *r);

/* The status as a word for a table: "På sporet", "I fare", "Ikke på sporet", "Nået", "Ikke nået",
 * "Ingen tal", "For lidt data" / "On track", "At risk", "Off track", "Achieved", "Missed",
 * "No figures", "Too little data". Static string; NULL for an invalid status. */
const char *text_status_label(GoalStatus s, const char *lang);
