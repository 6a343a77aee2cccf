/* The UTF-8 helpers: strict validation (no overlong forms, surrogates or
 * truncated characters), counting characters, repair with U+FFFD; and the
 * JSON writer, which must turn stored bytes that are not UTF-8 into U+FFFD
 * so that its output stays valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "civgrid/jsonw.h"
#include "civgrid/utf8.h"

static void validates_strictly(void **state)
{
    (void)state;
    assert_true(cg_utf8_valid("张三 ab", strlen("张三 ab")));
    assert_true(cg_utf8_valid("\xf0\x9f\x98\x80", 4)); /* an emoji */
    assert_false(cg_utf8_valid("\xe4", 1));            /* truncated */
    assert_false(cg_utf8_valid("\xe4\xb8", 2));
    assert_false(cg_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
    assert_false(cg_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(cg_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
    assert_false(cg_utf8_valid("\xff", 1));
}

static void counts_characters(void **state)
{
    (void)state;
    assert_int_equal(cg_utf8_count("张三ab"), 4);
    assert_int_equal(cg_utf8_count(""), 0);
    assert_int_equal(cg_utf8_count("a\xe4z"), 3);
}

static void repairs_with_replacement_characters(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_string_equal(cg_utf8_repair(a, "a\xe4z"), "a\xef\xbf\xbdz");
    assert_string_equal(cg_utf8_repair(a, "\xe4\xb8"), "\xef\xbf\xbd\xef\xbf\xbd");
    const char *same = "张三";
    assert_ptr_equal(cg_utf8_repair(a, same), same);
    assert_null(cg_utf8_repair(a, NULL));
    cg_arena_free(a);
}

static void json_writer_output_stays_valid(void **state)
{
    (void)state;
    cg_buf b;
    struct cg_jw w;
    cg_buf_init(&b, 0);
    cg_jw_init(&w, &b);
    cg_jw_object(&w);
    cg_jw_kstring(&w, "detail", "q\xe4z 张");
    cg_jw_end(&w);
    assert_int_equal(cg_jw_finish(&w), 0);
    json_error_t err;
    json_t *v = json_loadb(b.data, b.len, 0, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "detail")), "q\xef\xbf\xbdz 张");
    json_decref(v);
    cg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validates_strictly),
        cmocka_unit_test(counts_characters),
        cmocka_unit_test(repairs_with_replacement_characters),
        cmocka_unit_test(json_writer_output_stays_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
