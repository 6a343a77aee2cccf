/* Masking of ID numbers, phones and birth dates: the exact forms the issue prescribes,
 * and nothing revealed when a value is too short to mask partly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "civgrid/arena.h"
#include "civgrid/mask.h"

static void id_number_keeps_four_and_four(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_string_equal(cg_mask_id(a, "140221199001011234"), "1402**********1234");
    assert_string_equal(cg_mask_id(a, "14022119900101123X"), "1402**********123X");
    cg_arena_free(a);
}

static void phone_keeps_three_and_four(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_string_equal(cg_mask_phone(a, "13812345678"), "138****5678");
    cg_arena_free(a);
}

static void short_values_are_hidden_whole(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_string_equal(cg_mask_phone(a, "1234567"), "*******");
    assert_string_equal(cg_mask_id(a, "12345678"), "********");
    assert_string_equal(cg_mask_id(a, ""), "");
    assert_null(cg_mask_id(a, NULL));
    cg_arena_free(a);
}

static void birth_date_keeps_the_year(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_string_equal(cg_mask_birth_date(a, "1980-01-31"), "1980-**-**");
    assert_string_equal(cg_mask_birth_date(a, "1980"), "****");
    assert_null(cg_mask_birth_date(a, NULL));
    cg_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id_number_keeps_four_and_four),
        cmocka_unit_test(phone_keeps_three_and_four),
        cmocka_unit_test(short_values_are_hidden_whole),
        cmocka_unit_test(birth_date_keeps_the_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
