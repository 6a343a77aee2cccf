/* The streaming JSON writer produces what jansson parses back to the same
 * values: commas, nesting, escapes of quotes, backslashes and control
 * characters, UTF-8 passed through, null for NULL, and errors kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/jsonw.h"

static void writes_nested_documents(void **state)
{
    (void)state;
    cg_buf b;
    struct cg_jw w;
    cg_buf_init(&b, 0);
    cg_jw_init(&w, &b);
    cg_jw_object(&w);
    cg_jw_key(&w, "items");
    cg_jw_array(&w);
    for (int i = 0; i < 2; i++) {
        cg_jw_object(&w);
        cg_jw_kint(&w, "id", i);
        cg_jw_kstring(&w, "name", i ? "张伟" : "a\"b\\c\n\x01");
        cg_jw_kstring(&w, "phone", NULL);
        cg_jw_end(&w);
    }
    cg_jw_end(&w);
    cg_jw_kint(&w, "limit", -50);
    cg_jw_end(&w);
    assert_int_equal(cg_jw_finish(&w), 0);
    json_error_t err;
    json_t *v = json_loads(b.data, 0, &err);
    assert_non_null(v);
    json_t *items = json_object_get(v, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
                        "a\"b\\c\n\x01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "name")),
                        "张伟");
    assert_true(json_is_null(json_object_get(json_array_get(items, 1), "phone")));
    assert_int_equal(json_integer_value(json_object_get(v, "limit")), -50);
    json_decref(v);
    cg_buf_free(&b);
}

static void unbalanced_documents_are_errors(void **state)
{
    (void)state;
    cg_buf b;
    struct cg_jw w;
    cg_buf_init(&b, 0);
    cg_jw_init(&w, &b);
    cg_jw_object(&w);
    assert_int_equal(cg_jw_finish(&w), CG_EINTERNAL);
    cg_jw_init(&w, &b);
    cg_jw_end(&w);
    assert_int_equal(cg_jw_finish(&w), CG_EINTERNAL);
    cg_buf_free(&b);
}

static void the_buffer_cap_is_reported(void **state)
{
    (void)state;
    cg_buf b;
    struct cg_jw w;
    cg_buf_init(&b, 8);
    cg_jw_init(&w, &b);
    cg_jw_array(&w);
    cg_jw_string(&w, "longer than eight bytes");
    cg_jw_end(&w);
    assert_int_equal(cg_jw_finish(&w), CG_ETOOBIG);
    cg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_nested_documents),
        cmocka_unit_test(unbalanced_documents_are_errors),
        cmocka_unit_test(the_buffer_cap_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
