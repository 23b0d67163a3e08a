/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The 98 Danish municipalities (kommuner) since the 2007 reform, with their official three-digit
 * codes (kommunekoder) and their region. Source: Danmarks Statistik's classification of
 * municipalities and regions (KOMMUNE / NUTS, the "Kommuner og regioner" nomenclature), whose
 * codes Statistikbank uses as the values of OMRÅDE (163 = Herlev, 000 = the whole country, 081-085 =
 * the regions); STAR's Jobindsats names areas by the same names ("Herlev", "Hele landet").
 * Christiansø (411) is not a municipality and not in the table. Pure data: no I/O. */

#include <stdbool.h>
#include <stddef.h>

#define MUNICIPALITIES_N 98

typedef struct Municipality {
        unsigned code;    /* kommunekode, e.g. 163; Statistikbank writes it "163" */
        const char *name; /* as Danmarks Statistik and Jobindsats write it: "Høje-Taastrup" */
        unsigned region;  /* Statistikbank's region code: 81 Nordjylland .. 85 Sjælland */
} Municipality;

/* The table, ordered by code; *ret_n is set to MUNICIPALITIES_N. Static: never freed. */
const Municipality *municipality_all(size_t *ret_n);

/* By code (163); NULL when no municipality has it. */
const Municipality *municipality_by_code(unsigned code);

/* By name, ignoring case, the spelling without æ/ø/å ("Aarhus" = "Århus", "Hoeje-Taastrup" =
 * "Høje-Taastrup"), ' ' vs '-', and a trailing " Kommune" ("Herlev Kommune"); NULL if none. */
const Municipality *municipality_by_name(const char *name);

/* By a code written as digits ("163", "0163") or by name; NULL if neither. */
const Municipality *municipality_lookup(const char *name_or_code);

/* The municipality whose name is nearest to a misspelt one (suggest.h), NULL when none is close
 * enough to be a typo. */
const Municipality *municipality_nearest(const char *name);

/* "Region Hovedstaden" for 84, NULL for a code that is not a region's. */
const char *municipality_region_name(unsigned region);
