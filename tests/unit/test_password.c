/* The password rules (civgrid/password.h) and the UTF-8 helpers they use:
 * each weak password of the security review is refused with the reason,
 * lengths count characters, and the passwords the tests and the demo use
 * pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/password.h"

static int check(const char *pw, const char *user)
{
    struct cg_field_error fe = {0};
    int rc = cg_password_check(pw, user, &fe);
    if (rc)
        assert_string_equal(fe.field, "password");
    return rc;
}

static void refuses_the_weak_passwords_of_the_review(void **state)
{
    (void)state;
    const char *weak[] = {"12345678", "password",   "        ", "Passw0rd", "P@ssw0rd123!",
                          "qwertyui", "abcdefgh",   "87654321", "abababab", "aaaabbbb",
                          "11223344", "woaini1314", "admin123", NULL};
    for (int i = 0; weak[i]; i++)
        assert_int_equal(check(weak[i], "alice"), CG_EWEAKPASS);
    assert_int_equal(check("alice2024", "alice"), CG_EWEAKPASS); /* username + 4 digits */
    assert_int_equal(check("Alice_smith1", "alice_smith"), CG_EWEAKPASS);
    assert_int_equal(check("htimsecila!", "alicesmith"), CG_EWEAKPASS); /* reversed */
    /* Four two-byte characters are eight bytes but four characters. */
    assert_int_equal(check("\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab", "alice"), CG_EWEAKPASS);
}

static void refuses_malformed_passwords_as_invalid(void **state)
{
    (void)state;
    assert_int_equal(check("", "alice"), CG_EBADTYPE);
    assert_int_equal(check("abc\xe4xyz12345", "alice"), CG_EBADTYPE);
    char big[CG_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(check(big, "alice"), CG_EBADTYPE);
}

static void accepts_reasonable_passwords(void **state)
{
    (void)state;
    const char *ok[] = {"correct horse", "export-test-pw",   "import-test-pw",    "places-test-pw",
                        "registry-pw",   "scope-test-pw",    "Grid-Worker-2022!", "frank-password",
                        "gina-password", "长城万里江山如画", "tR7#kq9!Lm",        NULL};
    for (int i = 0; ok[i]; i++)
        assert_int_equal(check(ok[i], "frank"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_the_weak_passwords_of_the_review),
        cmocka_unit_test(refuses_malformed_passwords_as_invalid),
        cmocka_unit_test(accepts_reasonable_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
