/* SPDX-License-Identifier: GPL-2.0-or-later */
/* municipality.c: the 98 municipalities, their codes and lookups; suggest.c: folding, distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"
#include "labourwatch/suggest.h"

static void test_table(void **state)
{
        size_t n, per_region[90] = {};
        const Municipality *m = municipality_all(&n);

        assert_int_equal(n, 98);
        for (size_t i = 0; i < n; i++) {
                assert_true(m[i].code >= 101 && m[i].code <= 860);
                assert_true(i == 0 || m[i - 1].code < m[i].code); /* sorted, so unique */
                assert_non_null(municipality_region_name(m[i].region));
                per_region[m[i].region]++;
                assert_ptr_equal(municipality_by_code(m[i].code), &m[i]);
                assert_ptr_equal(municipality_by_name(m[i].name), &m[i]);
                for (size_t j = 0; j < i; j++) /* names unique, also folded */
                        assert_false(suggest_same(m[i].name, m[j].name));
        }
        /* the regions' sizes since 2007 */
        assert_int_equal(per_region[84], 29); /* Hovedstaden */
        assert_int_equal(per_region[85], 17); /* Sjælland */
        assert_int_equal(per_region[83], 22); /* Syddanmark */
        assert_int_equal(per_region[82], 19); /* Midtjylland */
        assert_int_equal(per_region[81], 11); /* Nordjylland */
        assert_null(municipality_by_code(411)); /* Christiansø is not a municipality */
        assert_null(municipality_by_code(0));
        assert_null(municipality_region_name(86));
}

static void test_known(void **state)
{
        static const struct {
                const char *in;
                unsigned want; /* 0: none */
        } rows[] = {
                {"København", 101},     {"Frederiksberg", 147},  {"Ballerup", 151},
                {"Herlev", 163},        {"Aarhus", 751},         {"Århus", 751},
                {"Fredericia", 607},    {"Høje-Taastrup", 169},  {"Hoeje-Taastrup", 169},
                {"høje taastrup", 169}, {"HERLEV", 163},         {"Herlev Kommune", 163},
                {"Lyngby-Taarbæk", 173}, {"Lyngby-Taarbaek", 173}, {"Ærø", 492},
                {"Aeroe", 492},         {"Tårnby", 185},         {"Taarnby", 185},
                {"Aalborg", 851},       {"Ålborg", 851},         {"Nordfyns", 480},
                {"Vesthimmerlands", 820}, {"Ringkøbing-Skjern", 760}, {"Faaborg-Midtfyn", 430},
                {"Bornholm", 400},      {"Hjørring", 860},       {"Sønderborg", 540},
                {"Kolding", 621},       {"Vejle", 630},          {"Horsens", 615},
                {"Morsø", 773},         {"Læsø", 825},           {"Samsø", 741},
                {"Odense", 461},        {"Holbæk", 316},         {"Køge", 259},
                {"163", 163},           {"0163", 163},           {"751", 751},
                {"Balerup", 0},         {"Herlevv", 0},          {"Hele landet", 0},
                {"411", 0},             {"", 0},                 {"Christiansø", 0},
                {"Kommune", 0},         {"12345", 0},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Municipality *m = municipality_lookup(rows[i].in);
                print_message("lookup: %s\n", rows[i].in);
                if (rows[i].want == 0)
                        assert_null(m);
                else {
                        assert_non_null(m);
                        assert_int_equal(m->code, rows[i].want);
                }
        }
        assert_null(municipality_lookup(NULL));
}

static void test_nearest(void **state)
{
        static const struct {
                const char *in, *want; /* NULL: nothing near */
        } rows[] = {
                {"Balerup", "Ballerup"},       {"Herelv", "Herlev"},        {"Frederica", "Fredericia"},
                {"Arhus", "Aarhus"},           {"Koebenhavn", "København"}, {"Kobenhavn", "København"},
                {"Hoje-Tastrup", "Høje-Taastrup"}, {"Gentoft", "Gentofte"}, {"Esbjærg", "Esbjerg"},
                {"Hele landet", NULL},         {"Stockholm", NULL},         {"xyz", NULL},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Municipality *m = municipality_nearest(rows[i].in);
                print_message("nearest: %s\n", rows[i].in);
                if (!rows[i].want)
                        assert_null(m);
                else {
                        assert_non_null(m);
                        assert_string_equal(m->name, rows[i].want);
                }
        }
}

static void test_fold_and_distance(void **state)
{
        static const struct {
                const char *a, *b;
                size_t max, want;
        } rows[] = {
                {"tolerence", "tolerance", 3, 1},
                {"recieve", "receive", 3, 1}, /* a swap is one edit (Damerau) */
                {"ab", "ba", 3, 1},
                {"kitten", "sitting", 5, 3},
                {"kitten", "sitting", 2, 3}, /* over the bound: max + 1 */
                {"", "abc", 5, 3},
                {"same", "same", 0, 0},
                {"abcdef", "a", 2, 3},
        };
        char buf[16];

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(suggest_distance(rows[i].a, rows[i].b, rows[i].max), rows[i].want);
        assert_int_equal(suggest_fold("Ærø Å-ø_x", buf, sizeof(buf)), 13);
        assert_string_equal(buf, "aeroe-aa-oe-x");
        assert_int_equal(suggest_fold("Høje-Taastrup kommune", buf, sizeof(buf)), -ENOBUFS);
        assert_int_equal(strlen(buf), sizeof(buf) - 1);

        assert_true(suggest_caseeq("HØJE-TAASTRUP", "Høje-Taastrup"));
        assert_true(suggest_caseeq("ærø", "ÆRØ"));
        assert_false(suggest_caseeq("Århus", "Aarhus"));
        assert_false(suggest_caseeq("Høje Taastrup", "Høje-Taastrup"));
        assert_false(suggest_caseeq("Herlev", "Herle"));
        assert_true(suggest_same("Århus", "AARHUS"));

        static const char *const keys[] = {"target", "tolerance", "direction", NULL, "period"};
        assert_int_equal(suggest_index("tolerence", keys, ELEMENTSOF(keys), sizeof(char *), 2), 1);
        assert_int_equal(suggest_index("perido", keys, ELEMENTSOF(keys), sizeof(char *), 2), 4);
        assert_int_equal(suggest_index("x", keys, ELEMENTSOF(keys), sizeof(char *), 2), -ENOENT);
        assert_int_equal(suggest_index("zzzzzz", keys, ELEMENTSOF(keys), sizeof(char *), 2), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_known),
                cmocka_unit_test(test_nearest),
                cmocka_unit_test(test_fold_and_distance),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
