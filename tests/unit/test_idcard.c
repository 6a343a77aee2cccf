/* GB 11643 check-digit vectors: valid numbers (with X), a wrong check
 * digit, wrong lengths, impossible dates, and what the number tells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "civgrid/error.h"
#include "civgrid/idcard.h"

static void valid_numbers_parse(void **state)
{
    (void)state;
    struct cg_idcard c;
    /* The standard's own example and a constructed Yanggao number. */
    assert_int_equal(cg_idcard_parse("11010519491231002X", 2026, &c, NULL), 0);
    assert_string_equal(c.region, "110105");
    assert_string_equal(c.birth_date, "1949-12-31");
    assert_int_equal(c.sex, 'F');
    assert_int_equal(cg_idcard_parse("11010519491231002x", 2026, &c, NULL), 0);
    assert_int_equal(cg_idcard_check_char("14022119900307123"), 'X'); /* computed independently */
    assert_int_equal(cg_idcard_parse("14022119900307123X", 2026, &c, NULL), 0);
    assert_int_equal(c.sex, 'M');
    assert_int_equal(cg_idcard_parse("440524188001010014", 2026, &c, NULL), 0);
}

static void wrong_check_digit_is_refused(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(cg_idcard_parse("110105194912310021", 2026, NULL, &why), CG_EBADTYPE);
    assert_string_equal(why, "the check digit of the ID number is wrong");
    assert_int_equal(cg_idcard_parse("140221199003071239", 2026, NULL, NULL), CG_EBADTYPE);
}

static void wrong_shapes_are_refused(void **state)
{
    (void)state;
    assert_int_equal(cg_idcard_parse("11010519491231002", 2026, NULL, NULL), CG_EBADTYPE);
    assert_int_equal(cg_idcard_parse("11010519491231002XX", 2026, NULL, NULL), CG_EBADTYPE);
    assert_int_equal(cg_idcard_parse("", 2026, NULL, NULL), CG_EBADTYPE);
    assert_int_equal(cg_idcard_parse(NULL, 2026, NULL, NULL), CG_EBADTYPE);
    assert_int_equal(cg_idcard_parse("1101051949123X0021", 2026, NULL, NULL), CG_EBADTYPE);
    assert_int_equal(cg_idcard_parse("11010519491231002Y", 2026, NULL, NULL), CG_EBADTYPE);
}

static void impossible_dates_are_refused(void **state)
{
    (void)state;
    char id[19] = "14022119900230123";
    id[17] = cg_idcard_check_char(id); /* 30 February, with a correct check digit */
    id[18] = '\0';
    const char *why = NULL;
    assert_int_equal(cg_idcard_parse(id, 2026, NULL, &why), CG_EBADTYPE);
    assert_string_equal(why, "the birth date in the ID number is impossible");
    char leap[19] = "14022120000229123";
    leap[17] = cg_idcard_check_char(leap);
    leap[18] = '\0';
    assert_int_equal(cg_idcard_parse(leap, 2026, NULL, NULL), 0); /* 2000 was a leap year */
    char notleap[19] = "14022119000229123";
    notleap[17] = cg_idcard_check_char(notleap);
    notleap[18] = '\0';
    assert_int_equal(cg_idcard_parse(notleap, 2026, NULL, NULL), CG_EBADTYPE);
    char future[19] = "14022120400101123";
    future[17] = cg_idcard_check_char(future);
    future[18] = '\0';
    assert_int_equal(cg_idcard_parse(future, 2026, NULL, NULL), CG_EBADTYPE);
    char month13[19] = "14022119901301123";
    month13[17] = cg_idcard_check_char(month13);
    month13[18] = '\0';
    assert_int_equal(cg_idcard_parse(month13, 2026, NULL, NULL), CG_EBADTYPE);
}

static void phones(void **state)
{
    (void)state;
    assert_int_equal(cg_phone_check("13812345678"), 0);
    assert_int_equal(cg_phone_check("19912345678"), 0);
    assert_int_equal(cg_phone_check("12812345678"), CG_EBADTYPE);
    assert_int_equal(cg_phone_check("1381234567"), CG_EBADTYPE);
    assert_int_equal(cg_phone_check("1381234567a"), CG_EBADTYPE);
    assert_int_equal(cg_phone_check(NULL), CG_EBADTYPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_numbers_parse),
        cmocka_unit_test(wrong_check_digit_is_refused),
        cmocka_unit_test(wrong_shapes_are_refused),
        cmocka_unit_test(impossible_dates_are_refused),
        cmocka_unit_test(phones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
