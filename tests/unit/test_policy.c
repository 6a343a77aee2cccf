/* Policy profiles: both built-ins parse and carry the values of DOMAIN.md
 * section 5 (and the colours of section 4); every kind of bad line is
 * refused with its line number and key; the text and JSON forms round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "civgrid/buf.h"
#include "civgrid/error.h"
#include "civgrid/policy.h"

static void load(const char *name, struct cg_policy *p)
{
    const char *text = cg_policy_builtin(name);
    struct cg_policy_error err;
    assert_non_null(text);
    int rc = cg_policy_parse(text, strlen(text), p, &err);
    if (rc)
        fail_msg("%s: %s", name, err.message);
}

static void assert_days(const struct cg_policy_days *d, int n, const int *want)
{
    assert_int_equal(d->n, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(d->day[i], want[i]);
}

#define DAYS(d, ...)                                                                               \
    assert_days(&(d), (int)(sizeof((int[]){__VA_ARGS__}) / sizeof(int)), (int[]){__VA_ARGS__})

static void colours_of_section_4(const struct cg_policy *p)
{
    assert_int_equal(p->infection_code, CG_CODE_RED);
    assert_int_equal(p->close_contact.code, CG_CODE_RED);
    assert_int_equal(p->close_contact.home_code, CG_CODE_YELLOW);
    assert_int_equal(p->secondary_contact.code, CG_CODE_YELLOW);
    assert_int_equal(p->venue_exposure_code, CG_CODE_YELLOW);
    assert_int_equal(p->positive_pool_code, CG_CODE_YELLOW);
    assert_int_equal(p->missed_test_code, CG_CODE_YELLOW);
    assert_int_equal(p->arrival_high.code, CG_CODE_RED);
    assert_true(p->arrival_landing_test);
    DAYS(p->risk.high_tests, 1, 2, 3);
    assert_int_equal(p->checkin_retention_days, 28);
}

static void nhc9_has_the_june_2022_rules(void **state)
{
    (void)state;
    struct cg_policy p;
    load("nhc-9", &p);
    assert_int_equal(p.lookback_days, 4);
    assert_int_equal(p.close_contact.central_days, 7);
    assert_int_equal(p.close_contact.home_days, 3);
    DAYS(p.close_contact.central_tests, 1, 2, 3, 5, 7);
    DAYS(p.close_contact.home_tests, 3);
    assert_true(p.trace_secondary);
    assert_int_equal(p.secondary_contact.home_days, 7);
    DAYS(p.secondary_contact.tests, 1, 4, 7);
    assert_int_equal(p.risk_levels, CG_RISK_HIGH | CG_RISK_MEDIUM | CG_RISK_LOW);
    assert_int_equal(p.risk.high_clear_days, 7);
    assert_int_equal(p.risk.high_medium_clear_days, 3);
    assert_int_equal(p.risk.medium_clear_days, 7);
    assert_int_equal(p.arrival_high.place, CG_ISOLATE_CENTRAL);
    assert_int_equal(p.arrival_high.days, 7);
    assert_int_equal(p.arrival_high.tests.n, 0);
    colours_of_section_4(&p);
}

static void nhc20_has_the_november_2022_rules(void **state)
{
    (void)state;
    struct cg_policy p;
    load("nhc-20", &p);
    assert_int_equal(p.lookback_days, 4);
    assert_int_equal(p.close_contact.central_days, 5);
    assert_int_equal(p.close_contact.home_days, 3);
    DAYS(p.close_contact.central_tests, 1, 2, 3, 5);
    DAYS(p.close_contact.home_tests, 1, 3);
    assert_false(p.trace_secondary);
    assert_int_equal(p.secondary_contact.home_days, 0);
    assert_int_equal(p.secondary_contact.tests.n, 0);
    assert_int_equal(p.risk_levels, CG_RISK_HIGH | CG_RISK_LOW);
    assert_int_equal(p.risk.high_clear_days, 5);
    assert_int_equal(p.risk.high_medium_clear_days, 0);
    assert_int_equal(p.arrival_high.place, CG_ISOLATE_HOME);
    assert_int_equal(p.arrival_high.days, 7);
    DAYS(p.arrival_high.tests, 1, 3, 5, 7);
    colours_of_section_4(&p);
}

static void unknown_names_are_not_builtin(void **state)
{
    (void)state;
    assert_null(cg_policy_builtin("nhc-10"));
    assert_null(cg_policy_builtin("nhc"));
    assert_null(cg_policy_builtin(""));
    assert_string_equal(CG_POLICY_DEFAULT, "nhc-20");
    assert_non_null(cg_policy_builtin(CG_POLICY_DEFAULT));
}

/* Replaces the line of nhc-20 that starts with "key =" by repl (NULL:
 * deletes it), or appends repl when key is NULL, and parses the result. */
static int edited(const char *key, const char *repl, struct cg_policy_error *err)
{
    static char text[CG_POLICY_MAX_TEXT];
    const char *base = cg_policy_builtin("nhc-20");
    text[0] = '\0';
    for (const char *s = base; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
        char probe[80];
        snprintf(probe, sizeof probe, "%s =", key ? key : "");
        if (key && !strncmp(s, probe, strlen(probe))) {
            if (repl)
                strcat(strcat(text, repl), "\n");
        } else {
            strncat(text, s, n);
        }
        s += n;
    }
    if (!key)
        strcat(strcat(text, repl), "\n");
    struct cg_policy p;
    return cg_policy_parse(text, strlen(text), &p, err);
}

/* The line number of "key =" in nhc-20. */
static int line_of(const char *key)
{
    const char *base = cg_policy_builtin("nhc-20");
    int line = 1;
    size_t n = strlen(key);
    for (const char *s = base; *s; s++) {
        if ((s == base || s[-1] == '\n') && !strncmp(s, key, n) && s[n] == ' ')
            return line;
        if (*s == '\n')
            line++;
    }
    return 0;
}

static int lines_of_nhc20(void)
{
    int n = 0;
    for (const char *s = cg_policy_builtin("nhc-20"); *s; s++)
        n += *s == '\n';
    return n;
}

static void expect(int rc, const struct cg_policy_error *err, int want_rc, int line,
                   const char *key, const char *reason)
{
    assert_int_equal(rc, want_rc);
    assert_int_equal(err->line, line);
    assert_string_equal(err->key, key);
    assert_string_equal(err->reason, reason);
    if (line) {
        char head[32];
        snprintf(head, sizeof head, "line %d: ", line);
        assert_non_null(strstr(err->message, head));
    }
    if (*key)
        assert_non_null(strstr(err->message, key));
}

static void bad_values_name_line_and_key(void **state)
{
    (void)state;
    struct cg_policy_error err;
    int l = line_of("lookback_days");
    assert_true(l > 0);
    expect(edited("lookback_days", "lookback_days = four", &err), &err, CG_EBADTYPE, l,
           "lookback_days", "bad_value");
    expect(edited("lookback_days", "lookback_days = -1", &err), &err, CG_EBADTYPE, l,
           "lookback_days", "bad_value");
    expect(edited("lookback_days", "lookback_days = 99999999999999999999", &err), &err, CG_EBADTYPE,
           l, "lookback_days", "bad_value");
    expect(edited("lookback_days", "lookback_days =", &err), &err, CG_EBADTYPE, l, "lookback_days",
           "bad_value");
    l = line_of("trace_secondary");
    expect(edited("trace_secondary", "trace_secondary = maybe", &err), &err, CG_EBADTYPE, l,
           "trace_secondary", "bad_value");
    l = line_of("close_contact_central_test_days");
    expect(edited("close_contact_central_test_days", "close_contact_central_test_days = 3,2", &err),
           &err, CG_EBADTYPE, l, "close_contact_central_test_days", "bad_value");
    expect(
        edited("close_contact_central_test_days", "close_contact_central_test_days = 1,,2", &err),
        &err, CG_EBADTYPE, l, "close_contact_central_test_days", "bad_value");
    expect(edited("close_contact_central_test_days", "close_contact_central_test_days = 0", &err),
           &err, CG_EBADTYPE, l, "close_contact_central_test_days", "bad_value");
    l = line_of("infection_code");
    expect(edited("infection_code", "infection_code = green", &err), &err, CG_EBADTYPE, l,
           "infection_code", "bad_value");
    expect(edited("infection_code", "infection_code = blue", &err), &err, CG_EBADTYPE, l,
           "infection_code", "bad_value");
    l = line_of("risk_levels");
    expect(edited("risk_levels", "risk_levels = high,medium", &err), &err, CG_EBADTYPE, l,
           "risk_levels", "bad_value");
    expect(edited("risk_levels", "risk_levels = high,low,high", &err), &err, CG_EBADTYPE, l,
           "risk_levels", "bad_value");
    l = line_of("arrival_high_isolation");
    expect(edited("arrival_high_isolation", "arrival_high_isolation = hotel", &err), &err,
           CG_EBADTYPE, l, "arrival_high_isolation", "bad_value");
    l = line_of("title_en");
    expect(edited("title_en", "title_en = \x01", &err), &err, CG_EBADTYPE, l, "title_en",
           "bad_value");
    expect(edited("title_en", "title_en = \xff\xfe", &err), &err, CG_EBADTYPE, l, "title_en",
           "bad_value");
    /* 0xf5 never starts a UTF-8 sequence (found by fuzz_policy). */
    expect(edited("title_en",
                  "title_en = \xf5\x8c\x96"
                  "x",
                  &err),
           &err, CG_EBADTYPE, l, "title_en", "bad_value");
}

static void bad_lines_name_their_line(void **state)
{
    (void)state;
    struct cg_policy_error err;
    int end = lines_of_nhc20() + 1;
    expect(edited(NULL, "colour_of_the_sky = blue", &err), &err, CG_EBADTYPE, end,
           "colour_of_the_sky", "unknown_key");
    expect(edited(NULL, "lookback_days = 4", &err), &err, CG_EBADTYPE, end, "lookback_days",
           "duplicate_key");
    assert_non_null(strstr(err.message, "already set on line"));
    expect(edited(NULL, "just some words", &err), &err, CG_EBADTYPE, end, "", "syntax");
    expect(edited(NULL, " = 4", &err), &err, CG_EBADTYPE, end, "", "syntax");
    expect(edited("medium_clear_days", NULL, &err), &err, CG_EMISSING, 0, "medium_clear_days",
           "missing_key");
    /* A NUL byte inside a line. */
    const char text[] = "lookback_days = 4\nx\0y = 1\n";
    struct cg_policy p;
    expect(cg_policy_parse(text, sizeof text - 1, &p, &err), &err, CG_EBADTYPE, 2, "", "syntax");
}

static void rules_between_keys_are_checked(void **state)
{
    (void)state;
    struct cg_policy_error err;
    expect(
        edited("close_contact_central_test_days", "close_contact_central_test_days = 1,2,6", &err),
        &err, CG_EBADTYPE, line_of("close_contact_central_test_days"),
        "close_contact_central_test_days", "inconsistent");
    expect(edited("secondary_contact_home_days", "secondary_contact_home_days = 7", &err), &err,
           CG_EBADTYPE, line_of("secondary_contact_home_days"), "secondary_contact_home_days",
           "inconsistent");
    expect(edited("medium_clear_days", "medium_clear_days = 7", &err), &err, CG_EBADTYPE,
           line_of("medium_clear_days"), "medium_clear_days", "inconsistent");
    expect(edited("checkin_retention_days", "checkin_retention_days = 4", &err), &err, CG_EBADTYPE,
           line_of("checkin_retention_days"), "checkin_retention_days", "inconsistent");
}

static void comments_and_spacing_are_free(void **state)
{
    (void)state;
    struct cg_policy_error err;
    assert_int_equal(edited("lookback_days", "\t lookback_days=5   # a comment\r", &err), 0);
    assert_int_equal(edited("close_contact_central_test_days",
                            "close_contact_central_test_days = 1, 2 ,5", &err),
                     0);
    char big[CG_POLICY_MAX_TEXT + 2];
    memset(big, '#', sizeof big);
    struct cg_policy p;
    expect(cg_policy_parse(big, sizeof big, &p, &err), &err, CG_ETOOBIG, 0, "", "too_large");
}

/* What format writes, parse reads back to the same struct; the same for JSON. */
static void text_and_json_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"nhc-9", "nhc-20"};
    for (size_t i = 0; i < 2; i++) {
        struct cg_policy p, q, r;
        struct cg_policy_error err;
        load(names[i], &p);
        cg_buf b, t;
        cg_buf_init(&b, 0);
        cg_buf_init(&t, 0);
        assert_int_equal(cg_policy_format(&p, &b), 0);
        assert_int_equal(cg_policy_parse(b.data, b.len, &q, &err), 0);
        assert_memory_equal(&p, &q, sizeof p);
        json_t *j = cg_policy_json(&p);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "lookback_days")), 4);
        assert_true(json_is_boolean(json_object_get(j, "trace_secondary")));
        json_object_set_new(j, "name", json_string("ignored"));
        assert_int_equal(cg_policy_parse_json(j, &r, &t, &err), 0);
        assert_memory_equal(&p, &r, sizeof p);
        assert_string_equal(t.data, b.data);
        json_object_set_new(j, "lookback_days", json_string("x"));
        expect(cg_policy_parse_json(j, &r, &t, &err), &err, CG_EBADTYPE, 0, "lookback_days",
               "bad_value");
        json_object_set_new(j, "lookback_days", json_object());
        expect(cg_policy_parse_json(j, &r, &t, &err), &err, CG_EBADTYPE, 0, "lookback_days",
               "bad_value");
        json_object_set_new(j, "lookback_days", json_integer(4));
        json_object_set_new(j, "title_en", json_string("two\nlines = 3"));
        expect(cg_policy_parse_json(j, &r, &t, &err), &err, CG_EBADTYPE, 0, "title_en",
               "bad_value");
        json_object_del(j, "title_en");
        expect(cg_policy_parse_json(j, &r, &t, &err), &err, CG_EMISSING, 0, "title_en",
               "missing_key");
        json_decref(j);
        cg_buf_free(&b);
        cg_buf_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nhc9_has_the_june_2022_rules),
        cmocka_unit_test(nhc20_has_the_november_2022_rules),
        cmocka_unit_test(unknown_names_are_not_builtin),
        cmocka_unit_test(bad_values_name_line_and_key),
        cmocka_unit_test(bad_lines_name_their_line),
        cmocka_unit_test(rules_between_keys_are_checked),
        cmocka_unit_test(comments_and_spacing_are_free),
        cmocka_unit_test(text_and_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
