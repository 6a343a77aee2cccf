/* The text machinery of Open311: the XML writer escapes what XML needs and
 * replaces what XML 1.0 cannot carry; the form parser decodes '+' and %XX,
 * keeps repeated names and finds bracketed ones; W3C datetimes read their
 * zones and refuse impossible dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/query.h"
#include "civgrid/w3c.h"
#include "civgrid/xmlw.h"

static const char *write_one(cg_buf *b, const char *text)
{
    struct cg_xw w;
    cg_buf_init(b, 0);
    cg_xw_init(&w, b);
    cg_xw_open(&w, "r");
    cg_xw_element(&w, "t", text);
    cg_xw_close(&w);
    assert_int_equal(cg_xw_finish(&w), 0);
    cg_buf_append(b, "", 1);
    return b->data;
}

static void xml_escapes_and_replaces(void **state)
{
    (void)state;
    cg_buf b;
    assert_string_equal(write_one(&b, "a<b>&\"c'"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                                    "<r><t>a&lt;b&gt;&amp;&quot;c&apos;</t></r>");
    cg_buf_free(&b);
    /* Tab, newline and Chinese pass; NUL-free control bytes, broken UTF-8
     * and U+FFFF become U+FFFD. */
    assert_non_null(strstr(write_one(&b, "路口\t垃圾\n\x01\xff\xef\xbf\xbfz"),
                           "<t>路口\t垃圾\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz</t>"));
    cg_buf_free(&b);
    assert_non_null(strstr(write_one(&b, NULL), "<t></t>"));
    cg_buf_free(&b);
}

static void xml_keeps_errors(void **state)
{
    (void)state;
    cg_buf b;
    struct cg_xw w;
    cg_buf_init(&b, 0);
    cg_xw_init(&w, &b);
    cg_xw_open(&w, "a");
    assert_int_equal(cg_xw_finish(&w), CG_EINVAL); /* left open */
    cg_xw_init(&w, &b);
    cg_xw_close(&w);
    assert_int_equal(cg_xw_finish(&w), CG_EINVAL); /* nothing to close */
    cg_xw_init(&w, &b);
    for (int i = 0; i <= CG_XW_MAX_DEPTH; i++)
        cg_xw_open(&w, "d");
    assert_int_equal(cg_xw_finish(&w), CG_ETOOBIG);
    cg_buf_free(&b);
}

static void form_decodes_and_repeats(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    struct cg_form f;
    const char *body = "a=1&&a=2&desc=%E8%B7%AF+%3D%26x&bad=%zz%4&flag&attribute[title]=T"
                       "&attribute[]=no&attribute[x]y]=no&attribute[building]=3%E5%8F%B7";
    assert_int_equal(cg_form_parse(body, strlen(body), a, &f), 0);
    assert_int_equal(f.n, 9);
    assert_string_equal(cg_form_get(&f, "a"), "1");
    assert_int_equal(cg_form_count(&f, "a"), 2);
    assert_string_equal(cg_form_get(&f, "desc"), "路 =&x");
    assert_string_equal(cg_form_get(&f, "bad"), "%zz%4");
    assert_string_equal(cg_form_get(&f, "flag"), "");
    assert_null(cg_form_get(&f, "none"));
    size_t pos = 0;
    const char *key, *value;
    assert_true(cg_form_next_bracket(&f, "attribute", &pos, a, &key, &value));
    assert_string_equal(key, "title");
    assert_string_equal(value, "T");
    assert_true(cg_form_next_bracket(&f, "attribute", &pos, a, &key, &value));
    assert_string_equal(key, "building");
    assert_string_equal(value, "3号");
    assert_false(cg_form_next_bracket(&f, "attribute", &pos, a, &key, &value));
    cg_arena_free(a);
}

static void form_bounds_fields(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    struct cg_form f;
    char body[4 * (CG_FORM_MAX_FIELDS + 1) + 1] = "";
    for (int i = 0; i <= CG_FORM_MAX_FIELDS; i++)
        strcat(body, "x=1&");
    assert_int_equal(cg_form_parse(body, strlen(body), a, &f), CG_ETOOBIG);
    assert_int_equal(cg_form_parse("", 0, a, &f), 0);
    assert_int_equal(f.n, 0);
    cg_arena_free(a);
}

static void w3c_reads_zones(void **state)
{
    (void)state;
    int64_t t = 0;
    char out[32];
    assert_int_equal(cg_w3c_parse("1994-11-05T13:15:30Z", &t), 0);
    assert_int_equal(t, 784041330);
    assert_int_equal(cg_w3c_parse("1994-11-05T08:15:30-05:00", &t), 0);
    assert_int_equal(t, 784041330);
    assert_int_equal(cg_w3c_parse("1994-11-05T21:15:30.25+08:00", &t), 0);
    assert_int_equal(t, 784041330);
    assert_int_equal(cg_w3c_parse("2024-02-29", &t), 0);
    cg_w3c_format(784041330, out);
    assert_string_equal(out, "1994-11-05T13:15:30Z");
    const char *bad[] = {"",
                         "yesterday",
                         "2026-13-01T00:00:00Z",
                         "2026-02-30T00:00:00Z",
                         "2026-01-01T00:00:00",
                         "2026-01-01T25:00:00Z",
                         "2026-01-01T00:00:00Zx",
                         "2026-01-01 00:00:00Z",
                         "2026-01-01T00:00:00+0800"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cg_w3c_parse(bad[i], &t), CG_EBADTYPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xml_escapes_and_replaces), cmocka_unit_test(xml_keeps_errors),
        cmocka_unit_test(form_decodes_and_repeats), cmocka_unit_test(form_bounds_fields),
        cmocka_unit_test(w3c_reads_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
