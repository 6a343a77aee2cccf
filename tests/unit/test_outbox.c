/* Unit tests for the outbox's writing side (lib/outbox.c): a notification
 * exists exactly when the caller's transaction commits, a once-key adds it
 * once, kinds and payloads are checked, and the backoff doubles to its cap.
 * Delivery is tested against a real webhook in tests/api/calendar.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "civgrid/error.h"
#include "civgrid/outbox.h"
#include "civgrid/secret.h"
#include "civgrid/store.h"

struct fixture {
    char dir[256], url[300];
    cg_store *s;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/civgrid-outbox-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir) || cg_secret_init())
        return -1;
    snprintf(f->url, sizeof f->url, "%s/test.db", f->dir);
    if (cg_store_open(f->url, &f->s, NULL) || cg_store_migrate(f->s, NULL, NULL))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];
    cg_store_close(f->s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int64_t rows(cg_store *s)
{
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_query(s, &st, "SELECT COUNT(*) FROM outbox", ""), 0);
    assert_int_equal(cg_stmt_one(st), 0);
    int64_t n = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return n;
}

static void test_in_the_callers_transaction(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_outbox_add(f->s, CG_OUTBOX_ASSIGNED, "{\"case_id\":1}", NULL, 100, &id), 0);
    assert_true(id > 0);
    assert_int_equal(cg_store_rollback(f->s), 0);
    assert_int_equal(rows(f->s), 0);
    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_outbox_add(f->s, CG_OUTBOX_CLOSED, "{\"case_id\":1}", NULL, 100, &id), 0);
    assert_int_equal(cg_store_commit(f->s), 0);
    assert_int_equal(rows(f->s), 1);
}

static void test_once_key(void **state)
{
    struct fixture *f = *state;
    int64_t first = 0, second = -1;
    assert_int_equal(
        cg_outbox_add(f->s, CG_OUTBOX_OVERDUE, "{}", "case:1:card:accept.yellow", 100, &first), 0);
    assert_true(first > 0);
    assert_int_equal(
        cg_outbox_add(f->s, CG_OUTBOX_OVERDUE, "{}", "case:1:card:accept.yellow", 200, &second), 0);
    assert_int_equal(second, 0);
    assert_int_equal(
        cg_outbox_add(f->s, CG_OUTBOX_OVERDUE, "{}", "case:1:card:accept.red", 200, &second), 0);
    assert_true(second > first);
    assert_int_equal(rows(f->s), 2);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(cg_outbox_add(f->s, "Case Closed", "{}", NULL, 1, NULL), CG_EBADTYPE);
    assert_int_equal(cg_outbox_add(f->s, "", "{}", NULL, 1, NULL), CG_EBADTYPE);
    assert_int_equal(cg_outbox_add(f->s, "case.closed", "[1]", NULL, 1, NULL), CG_EBADTYPE);
    assert_int_equal(cg_outbox_add(f->s, "case.closed", "{\"a\":", NULL, 1, NULL), CG_EBADTYPE);
    assert_int_equal(cg_outbox_add(f->s, "case.closed", NULL, NULL, 1, NULL), CG_EBADTYPE);
    assert_int_equal(rows(f->s), 0);
    assert_int_equal(cg_outbox_configure("ftp://example.org/", NULL, 10), CG_EINVAL);
    assert_int_equal(cg_outbox_configure("https://example.org/hook", "k", 10), 0);
    assert_true(cg_outbox_configured());
    assert_int_equal(cg_outbox_configure(NULL, NULL, 10), 0);
    assert_false(cg_outbox_configured());
}

static void test_backoff(void **state)
{
    (void)state;
    const int64_t want[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
    for (int i = 0; i < (int)(sizeof want / sizeof want[0]); i++)
        assert_int_equal(cg_outbox_backoff(i + 1), want[i]);
    assert_int_equal(cg_outbox_backoff(1000000), CG_OUTBOX_BACKOFF_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_the_callers_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_once_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
