/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hashmap.c: put/get/replace, first-wins, lengths, growth, clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"

static void test_basic(void **state)
{
        Hashmap *h = NULL;
        void *prev = NULL;
        int a = 1, b = 2;

        assert_int_equal(hashmap_new(0, &h), 0);
        assert_null(hashmap_get(h, "x"));
        assert_false(hashmap_contains(h, "x"));
        assert_int_equal(hashmap_put(h, "x", &a, NULL), 1);
        assert_int_equal(hashmap_put(h, "x", &b, &prev), 0); /* first wins */
        assert_ptr_equal(prev, &a);
        assert_ptr_equal(hashmap_get(h, "x"), &a);
        assert_int_equal(hashmap_replace(h, "x", &b), 0);
        assert_ptr_equal(hashmap_get(h, "x"), &b);
        assert_int_equal(hashmap_size(h), 1);
        /* lengths: "xy" with length 1 is "x"; "" is a key like any other */
        assert_ptr_equal(hashmap_get_len(h, "xy", 1), &b);
        assert_int_equal(hashmap_put(h, "", &a, NULL), 1);
        assert_ptr_equal(hashmap_get(h, ""), &a);
        assert_null(hashmap_get(h, NULL));
        assert_null(hashmap_get(NULL, "x"));
        hashmap_clear(h);
        assert_int_equal(hashmap_size(h), 0);
        assert_null(hashmap_get(h, "x"));
        assert_null(hashmap_free(h));
        assert_null(hashmap_free(NULL));
}

static void test_many(void **state)
{
        enum { N = 50000 };
        static char keys[N][16];
        Hashmap *h = NULL;

        assert_int_equal(hashmap_new(0, &h), 0);
        for (size_t i = 0; i < N; i++) {
                snprintf(keys[i], sizeof keys[i], "k%zu", i);
                assert_int_equal(hashmap_put(h, keys[i], (void *) (uintptr_t) (i + 1), NULL), 1);
        }
        assert_int_equal(hashmap_size(h), N);
        for (size_t i = 0; i < N; i++)
                assert_int_equal((uintptr_t) hashmap_get(h, keys[i]), i + 1);
        assert_null(hashmap_get(h, "k50000"));
        assert_null(hashmap_get(h, "k"));
        hashmap_free(h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
