/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The 98 municipalities and their codes (municipality.h says where the list comes from).
 *
 * Written from Danmarks Statistik's list of municipality codes (2007 reform) and checked against
 * the 99 OMRÅDE codes a Statistikbank client requests for "all municipalities" (the 98 below and
 * Christiansø, 411): the codes, their count per region (Hovedstaden 29, Sjælland 17, Syddanmark
 * 22, Midtjylland 19, Nordjylland 11) and the names as the statistics spell them ("Nordfyns",
 * "Vesthimmerlands", "Faaborg-Midtfyn", "København"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"
#include "labourwatch/suggest.h"

enum { NORD = 81, MIDT = 82, SYD = 83, HOVED = 84, SJAEL = 85 };

/* By code (municipality_by_code() searches it in halves); the regions interleave in code order. */
static const Municipality municipalities[MUNICIPALITIES_N] = {
        {101, "København", HOVED},
        {147, "Frederiksberg", HOVED},
        {151, "Ballerup", HOVED},
        {153, "Brøndby", HOVED},
        {155, "Dragør", HOVED},
        {157, "Gentofte", HOVED},
        {159, "Gladsaxe", HOVED},
        {161, "Glostrup", HOVED},
        {163, "Herlev", HOVED},
        {165, "Albertslund", HOVED},
        {167, "Hvidovre", HOVED},
        {169, "Høje-Taastrup", HOVED},
        {173, "Lyngby-Taarbæk", HOVED},
        {175, "Rødovre", HOVED},
        {183, "Ishøj", HOVED},
        {185, "Tårnby", HOVED},
        {187, "Vallensbæk", HOVED},
        {190, "Furesø", HOVED},
        {201, "Allerød", HOVED},
        {210, "Fredensborg", HOVED},
        {217, "Helsingør", HOVED},
        {219, "Hillerød", HOVED},
        {223, "Hørsholm", HOVED},
        {230, "Rudersdal", HOVED},
        {240, "Egedal", HOVED},
        {250, "Frederikssund", HOVED},
        {253, "Greve", SJAEL},
        {259, "Køge", SJAEL},
        {260, "Halsnæs", HOVED},
        {265, "Roskilde", SJAEL},
        {269, "Solrød", SJAEL},
        {270, "Gribskov", HOVED},
        {306, "Odsherred", SJAEL},
        {316, "Holbæk", SJAEL},
        {320, "Faxe", SJAEL},
        {326, "Kalundborg", SJAEL},
        {329, "Ringsted", SJAEL},
        {330, "Slagelse", SJAEL},
        {336, "Stevns", SJAEL},
        {340, "Sorø", SJAEL},
        {350, "Lejre", SJAEL},
        {360, "Lolland", SJAEL},
        {370, "Næstved", SJAEL},
        {376, "Guldborgsund", SJAEL},
        {390, "Vordingborg", SJAEL},
        {400, "Bornholm", HOVED},
        {410, "Middelfart", SYD},
        {420, "Assens", SYD},
        {430, "Faaborg-Midtfyn", SYD},
        {440, "Kerteminde", SYD},
        {450, "Nyborg", SYD},
        {461, "Odense", SYD},
        {479, "Svendborg", SYD},
        {480, "Nordfyns", SYD},
        {482, "Langeland", SYD},
        {492, "Ærø", SYD},
        {510, "Haderslev", SYD},
        {530, "Billund", SYD},
        {540, "Sønderborg", SYD},
        {550, "Tønder", SYD},
        {561, "Esbjerg", SYD},
        {563, "Fanø", SYD},
        {573, "Varde", SYD},
        {575, "Vejen", SYD},
        {580, "Aabenraa", SYD},
        {607, "Fredericia", SYD},
        {615, "Horsens", MIDT},
        {621, "Kolding", SYD},
        {630, "Vejle", SYD},
        {657, "Herning", MIDT},
        {661, "Holstebro", MIDT},
        {665, "Lemvig", MIDT},
        {671, "Struer", MIDT},
        {706, "Syddjurs", MIDT},
        {707, "Norddjurs", MIDT},
        {710, "Favrskov", MIDT},
        {727, "Odder", MIDT},
        {730, "Randers", MIDT},
        {740, "Silkeborg", MIDT},
        {741, "Samsø", MIDT},
        {746, "Skanderborg", MIDT},
        {751, "Aarhus", MIDT},
        {756, "Ikast-Brande", MIDT},
        {760, "Ringkøbing-Skjern", MIDT},
        {766, "Hedensted", MIDT},
        {773, "Morsø", NORD},
        {779, "Skive", MIDT},
        {787, "Thisted", NORD},
        {791, "Viborg", MIDT},
        {810, "Brønderslev", NORD},
        {813, "Frederikshavn", NORD},
        {820, "Vesthimmerlands", NORD},
        {825, "Læsø", NORD},
        {840, "Rebild", NORD},
        {846, "Mariagerfjord", NORD},
        {849, "Jammerbugt", NORD},
        {851, "Aalborg", NORD},
        {860, "Hjørring", NORD},
};

const Municipality *municipality_all(size_t *ret_n)
{
        if (ret_n)
                *ret_n = ELEMENTSOF(municipalities);
        return municipalities;
}

const Municipality *municipality_by_code(unsigned code)
{
        size_t lo = 0, hi = ELEMENTSOF(municipalities);

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (municipalities[mid].code == code)
                        return &municipalities[mid];
                if (municipalities[mid].code < code)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* name without a trailing " Kommune" / "-kommune" (any case), folded; false if too long */
static bool fold_name(const char *name, char *buf, size_t size)
{
        static const char suffix[] = "-kommune";
        ssize_t n = suggest_fold(name, buf, size);
        size_t ls = sizeof(suffix) - 1;

        if (n < 0)
                return false;
        if ((size_t) n > ls && streq(buf + n - ls, suffix))
                buf[n - ls] = 0;
        return true;
}

const Municipality *municipality_by_name(const char *name)
{
        char want[SUGGEST_WORD_MAX + 1];

        if (!name || !fold_name(name, want, sizeof(want)))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(municipalities); i++) {
                char have[SUGGEST_WORD_MAX + 1];
                if (fold_name(municipalities[i].name, have, sizeof(have)) && streq(want, have))
                        return &municipalities[i];
        }
        return NULL;
}

const Municipality *municipality_lookup(const char *name_or_code)
{
        const char *p = name_or_code;
        unsigned code = 0;

        if (!p || !*p)
                return NULL;
        while (*p >= '0' && *p <= '9' && code < 10000)
                code = code * 10 + (unsigned) (*p++ - '0');
        if (!*p && p - name_or_code <= 4)
                return municipality_by_code(code);
        return municipality_by_name(name_or_code);
}

const Municipality *municipality_nearest(const char *name)
{
        char want[SUGGEST_WORD_MAX + 1];
        ssize_t i;

        if (!name || !fold_name(name, want, sizeof(want)))
                return NULL;
        i = suggest_index(want, &municipalities[0].name, ELEMENTSOF(municipalities), sizeof(Municipality),
                          suggest_max_distance(want));
        return i >= 0 ? &municipalities[i] : NULL;
}

const char *municipality_region_name(unsigned region)
{
        switch (region) {
        case NORD:
                return "Region Nordjylland";
        case MIDT:
                return "Region Midtjylland";
        case SYD:
                return "Region Syddanmark";
        case HOVED:
                return "Region Hovedstaden";
        case SJAEL:
                return "Region Sjælland";
        default:
                return NULL;
        }
}
