/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A notice's sources in words, for the mail and the Teams card (notify.c): who published the
 * figures, as the reader knows them, apart from the ids an analyst needs (issue 23). Pure. */

#include <jansson.h>

#include "labourwatch/format.h"

/* The sources of one event ("sources" of the notice) for its "Kilde" row: "Jobindsats, tabel
 * Y08A02, hentet 8. juli 2024; Jobcentrets egne tal, hentet 8. juli 2024". Each source by its
 * display_name (display_name_en in English), else the configuration's name (a notice stored before
 * display names); an entry said twice (two series of one table) is said once; no series ids. NULL
 * when there are no sources or on OOM; caller frees. */
char *notify_sources_text(const json_t *sources, Language l);

/* The series ids of every event of a notice, for the message's footer: "Serier: fleksjob_fuldtid
 * (jobindsats, Y08A02), flygtninge_jobparate (internal)." / "Series: …"; each id once, in order.
 * Returns 0 with *ret (caller frees; NULL when there are none), or -ENOMEM. */
int notify_series_ids(const json_t *events, Language l, char **ret);
