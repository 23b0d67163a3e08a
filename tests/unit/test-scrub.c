/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scrub.c: registered secrets and URL userinfo never survive a scrub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"

static void test_scrub(void **state)
{
        static const struct {
                const char *in, *want;
        } rows[] = {
                { "nothing here", "nothing here" },
                { "HTTP 401 Bearer s3cr3t-T0KEN rejected", "HTTP 401 Bearer *** rejected" },
                { "s3cr3t-T0KENs3cr3t-T0KEN", "******" },
                { "pw hunter22 and hunter22.", "pw *** and ***." },
                { "https://bob:pw@example.org/x?a=1", "https://example.org/x?a=1" },
                { "see http://u@h/ and ftp://a:b@c", "see http://h/ and ftp://c" },
                { "mail to bob@example.org, https://example.org/@x", "mail to bob@example.org, https://example.org/@x" },
                { "", "" },
        };
        char *buf = NULL;

        scrub_forget_all();
        assert_int_equal(scrub_register("s3cr3t-T0KEN"), 0);
        assert_int_equal(scrub_register("hunter22"), 0);
        assert_int_equal(scrub_register("hunter22"), 0); /* once */
        assert_int_equal(scrub_register(""), 0);
        assert_int_equal(scrub_register(NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                _cleanup_free_ char *got = scrub_string(rows[i].in);
                assert_non_null(got);
                assert_string_equal(got, rows[i].want);
                assert_int_equal(scrub_needed(rows[i].in), !streq(rows[i].in, rows[i].want));
        }
        /* scrubbed(): the text itself when clean, a copy otherwise */
        const char *clean = "clean";
        assert_ptr_equal(scrubbed(clean, &buf), clean);
        assert_null(buf);
        assert_string_equal(scrubbed("x hunter22", &buf), "x ***");
        free(buf);
        assert_null(scrubbed(NULL, &buf));
        assert_null(scrub_string(NULL));

        scrub_forget_all();
        _cleanup_free_ char *after = scrub_string("hunter22");
        assert_string_equal(after, "hunter22");

        for (int i = 0; i < SCRUB_MAX_SECRETS; i++) {
                char s[32];
                snprintf(s, sizeof(s), "secret-%d", i);
                assert_int_equal(scrub_register(s), 0);
        }
        assert_int_equal(scrub_register("one-too-many"), -E2BIG);
        scrub_forget_all();
}

/* Short-lived tokens: a ring of the last SCRUB_MAX_EPHEMERAL beside the permanent list, which a
 * full ring never touches and which a full list does not block. */
static void test_scrub_ephemeral(void **state)
{
        char s[32];

        scrub_forget_all();
        assert_int_equal(scrub_register("client-secret"), 0);
        for (int i = 0; i < SCRUB_MAX_EPHEMERAL + 3; i++) {
                snprintf(s, sizeof(s), "token-%03d", i);
                assert_int_equal(scrub_register_ephemeral(s), 0);
                assert_int_equal(scrub_register_ephemeral(s), 0); /* once */
        }
        /* the three oldest made room; the newest and the permanent secret stay */
        for (int i = 0; i < SCRUB_MAX_EPHEMERAL + 3; i++) {
                _cleanup_free_ char *got = NULL;

                snprintf(s, sizeof(s), "token-%03d", i);
                got = scrub_string(s);
                assert_string_equal(got, i < 3 ? s : "***");
                assert_int_equal(scrub_needed(s), i >= 3);
        }
        assert_true(scrub_needed("x client-secret"));
        /* a permanent list that is full does not stop the ring */
        for (int i = 1; i < SCRUB_MAX_SECRETS; i++) {
                snprintf(s, sizeof(s), "secret-%d", i);
                assert_int_equal(scrub_register(s), 0);
        }
        assert_int_equal(scrub_register("one-too-many"), -E2BIG);
        assert_int_equal(scrub_register_ephemeral("token-new"), 0);
        assert_true(scrub_needed("token-new"));
        assert_true(scrub_needed("secret-255"));
        scrub_forget_all();
        assert_false(scrub_needed("token-new"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scrub),
                cmocka_unit_test(test_scrub_ephemeral),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
