/* Unit tests for the one text rule (lib/util/text.c) that every concept's
 * check applies to names and free text, and the one code rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civgrid/error.h"
#include "civgrid/text.h"

static int check(const char *value, size_t max, int required, cg_arena *a, const char **out)
{
    struct cg_field_error fe = {0};
    int rc = cg_text_check(value, "name", "a name", max, required, a, out, &fe);
    if (rc)
        assert_string_equal(fe.field, "name");
    return rc;
}

/* Good text comes back as it is, or trimmed of ASCII and ideographic spaces. */
static void text_good_and_trimmed(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    const char *out = NULL;
    const char *in = "东关社区 1号楼";
    assert_int_equal(check(in, 200, 1, a, &out), 0);
    assert_ptr_equal(out, in);
    assert_int_equal(check("  张三\xe3\x80\x80", 200, 1, a, &out), 0);
    assert_string_equal(out, "张三");
    assert_int_equal(check("\xf0\x9f\x98\x80", 4, 1, a, &out), 0); /* four bytes, one emoji */
    cg_arena_free(a);
}

/* Empty or blank is missing when required, absent (NULL) when not. */
static void text_empty(void **state)
{
    (void)state;
    const char *out = "x";
    assert_int_equal(check("", 10, 1, NULL, &out), CG_EMISSING);
    assert_int_equal(check("   ", 10, 1, NULL, &out), CG_EMISSING);
    assert_int_equal(check(NULL, 10, 0, NULL, &out), 0);
    assert_null(out);
    assert_int_equal(check(" \xe3\x80\x80 ", 10, 0, NULL, &out), 0);
    assert_null(out);
}

/* Control characters of C0 (tab, CR, LF included), DEL and C1 are refused. */
static void text_controls_refused(void **state)
{
    (void)state;
    const char *out;
    static const char *const bad[] = {"a\tb",
                                      "a\nb",
                                      "a\rb",
                                      "a\x01"
                                      "b",
                                      "a\x7f"
                                      "b",
                                      "a\xc2\x80"
                                      "b",
                                      "a\xc2\x85"
                                      "b",
                                      "a\xc2\x9f"
                                      "b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check(bad[i], 200, 1, NULL, &out), CG_EBADTYPE);
    assert_int_equal(check("a\xc2\xa0"
                           "b",
                           200, 1, NULL, &out),
                     0); /* U+00A0 is text */
}

/* Bytes that are not UTF-8 are refused: stray continuation bytes, cut
 * sequences, overlong forms, surrogates, code points past U+10FFFF. */
static void text_bad_utf8_refused(void **state)
{
    (void)state;
    const char *out;
    static const char *const bad[] = {
        "\x80",         "ab\xe4",           "\xe4\xb8", "\xc0\xaf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",     "\xfe\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check(bad[i], 200, 1, NULL, &out), CG_EBADTYPE);
}

/* The limit counts bytes of the trimmed text. */
static void text_length(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    const char *out;
    assert_int_equal(check("网网", 6, 1, a, &out), 0);
    assert_int_equal(check("网网a", 6, 1, a, &out), CG_EBADTYPE);
    assert_int_equal(check("  网网  ", 6, 1, a, &out), 0);
    assert_string_equal(out, "网网");
    cg_arena_free(a);
}

/* Text in lines keeps its line feeds, turns CR LF and a lone CR into LF,
 * trims breaks at either end and still refuses every other control. */
static void text_lines(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    struct cg_field_error fe = {0};
    const char *out;
    assert_int_equal(cg_text_check_lines("一\n二", "note", "a note", 100, 1, a, &out, &fe), 0);
    assert_string_equal(out, "一\n二");
    assert_int_equal(
        cg_text_check_lines("\r\n一\r\n二\r三\r\n ", "note", "a note", 100, 1, a, &out, &fe), 0);
    assert_string_equal(out, "一\n二\n三");
    assert_int_equal(cg_text_check_lines("一\t二", "note", "a note", 100, 1, a, &out, &fe),
                     CG_EBADTYPE);
    assert_int_equal(cg_text_check_lines("一\x01", "note", "a note", 100, 1, a, &out, &fe),
                     CG_EBADTYPE);
    assert_int_equal(cg_text_check_lines("\r\n\n", "note", "a note", 100, 1, a, &out, &fe),
                     CG_EMISSING);
    /* The one-line rule still refuses a line feed. */
    assert_int_equal(cg_text_check("一\n二", "name", "a name", 100, 1, a, &out, &fe), CG_EBADTYPE);
    cg_arena_free(a);
}

/* Codes are 1-32 ASCII letters, digits, '-', '_' or '.'. */
static void code_rule(void **state)
{
    (void)state;
    assert_true(cg_code_valid("140221-health"));
    assert_true(cg_code_valid("a.b_c"));
    assert_false(cg_code_valid(""));
    assert_false(cg_code_valid(NULL));
    assert_false(cg_code_valid("has space"));
    assert_false(cg_code_valid("网格"));
    assert_false(cg_code_valid("123456789012345678901234567890123"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_good_and_trimmed),
        cmocka_unit_test(text_empty),
        cmocka_unit_test(text_controls_refused),
        cmocka_unit_test(text_bad_utf8_refused),
        cmocka_unit_test(text_length),
        cmocka_unit_test(code_rule),
        cmocka_unit_test(text_lines),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
