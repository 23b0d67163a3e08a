/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <unistd.h>

#include "labourwatch/macro.h"

static void test_safe_atoi(void **state)
{
        static const struct {
                const char *in;
                int r, want;
        } rows[] = {
                { "0", 0, 0 },           { "42", 0, 42 },          { "-7", 0, -7 },
                { "2147483647", 0, INT_MAX }, { "2147483648", -ERANGE, 0 }, { "", -EINVAL, 0 },
                { "12x", -EINVAL, 0 },   { "x", -EINVAL, 0 },      { NULL, -EINVAL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int v = -1;
                assert_int_equal(safe_atoi(rows[i].in, &v), rows[i].r);
                if (rows[i].r == 0)
                        assert_int_equal(v, rows[i].want);
        }
}

static void test_safe_atou64_atod(void **state)
{
        unsigned long long u;
        double d;

        assert_int_equal(safe_atou64("18446744073709551615", &u), 0);
        assert_true(u == ULLONG_MAX);
        assert_int_equal(safe_atou64("-1", &u), -EINVAL); /* strtoull would wrap it */
        assert_int_equal(safe_atou64("18446744073709551616", &u), -ERANGE);
        assert_int_equal(safe_atod("1234.5", &d), 0);
        assert_true(d == 1234.5);
        assert_int_equal(safe_atod("1234,5", &d), -EINVAL); /* Danish numbers are the parsers' business */
        assert_int_equal(safe_atod("inf", &d), -ERANGE);
        assert_int_equal(safe_atod("nan", &d), -ERANGE);
        assert_int_equal(safe_atod("1e999", &d), -ERANGE);
}

static void test_greedy_realloc(void **state)
{
        int *v = NULL;
        size_t alloc = 0;

        for (size_t n = 1; n <= 1000; n++) {
                assert_int_equal(GREEDY_REALLOC(v, alloc, n), 0);
                assert_true(alloc >= n);
                v[n - 1] = (int) n;
        }
        assert_int_equal(v[999], 1000);
        assert_int_equal(greedy_realloc((void **) &v, &alloc, SIZE_MAX / 2, sizeof(int)), -ENOMEM);
        assert_true(alloc >= 1000); /* untouched on failure */
        free(v);
        assert_null(xmalloc_array(SIZE_MAX / 2, 4));
}

static void test_read_full_file(void **state)
{
        char path[] = "/tmp/lw-test-util-XXXXXX";
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "abc\0def", 7), 7);
        assert_int_equal(close(fd), 0);
        assert_int_equal(read_full_file(path, 100, &buf, &size), 0);
        assert_int_equal(size, 7);
        assert_memory_equal(buf, "abc\0def", 8); /* NUL-terminated after the data */
        free(TAKE_PTR(buf));
        assert_int_equal(read_full_file(path, 6, &buf, &size), -EFBIG);
        assert_null(buf);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(read_full_file(path, 100, &buf, &size), -ENOENT);

        _cleanup_free_ char *s = strdup_printf("%s-%d", "x", 5);
        assert_string_equal(s, "x-5");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_safe_atoi),
                cmocka_unit_test(test_safe_atou64_atod),
                cmocka_unit_test(test_greedy_realloc),
                cmocka_unit_test(test_read_full_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
