/* Unit tests for the demo city: the name lists are weighted as they claim,
 * the demo refuses a database with data and an actor below the root, and a
 * small build gives the figures of the sources (SQLite, a temporary file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "civgrid/demo.h"
#include "civgrid/error.h"
#include "civgrid/secret.h"
#include "civgrid/session.h"
#include "civgrid/store.h"
#include "demo_int.h"

/* Proves: common surnames come up more often than rare ones (王 weighs 76,
 * 薛 8), so names look like a northern Chinese county's. */
static void surnames_are_weighted(void **state)
{
    (void)state;
    int wang = 0, xue = 0;
    uint64_t x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        const char *s = cg__demo_surname(x >> 11);
        wang += !strcmp(s, "王");
        xue += !strcmp(s, "薛");
    }
    assert_true(wang > 5 * xue);
    assert_true(xue > 0);
}

/* Proves: given names are one or two Chinese characters, and the fashion of
 * the decade shows (no one born in 1950 is called 梓轩 from the list). */
static void given_names_fit(void **state)
{
    (void)state;
    char name[32];
    uint64_t x = 99;
    for (int i = 0; i < 5000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int year = 1930 + (int)(x % 93);
        cg__demo_given_name(name, sizeof name, year, (int)(x >> 40) & 1, x >> 3);
        size_t n = strlen(name);
        assert_true(n == 3 || n == 6); /* UTF-8: three bytes a character */
        if (year < 1960)
            assert_string_not_equal(name, "梓轩");
    }
}

static char db_path[256];

static cg_store *fresh_db(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(db_path, sizeof db_path, "%s/civgrid-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(db_path);
    assert_true(fd >= 0);
    close(fd);
    unlink(db_path);
    cg_store *s = NULL;
    assert_int_equal(cg_store_open(db_path, &s, NULL), 0);
    assert_int_equal(cg_store_migrate(s, NULL, NULL), 0);
    return s;
}

static void drop_db(cg_store *s)
{
    char p[300];
    cg_store_close(s);
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

/* Proves: a new database is accepted, a non-root actor is refused, a small
 * build has Yanggao's 521 grids and the 11 logins, and afterwards the
 * database is refused as holding data. */
static void build_and_refuse(void **state)
{
    (void)state;
    cg_store *s = fresh_db();
    cg_arena *a = cg_arena_new();
    struct cg_field_error fe = {0};
    int initialised = -1;
    assert_int_equal(cg_demo_check(s, &initialised, &fe), 0);
    assert_int_equal(initialised, 0);
    const char *pw = NULL;
    assert_int_equal(cg_deployment_init(s, CG_DEMO_CITY_CODE, CG_DEMO_CITY_NAME, "city", a, &pw),
                     0);
    assert_non_null(pw);
    struct cg_actor *actor = NULL;
    assert_int_equal(cg_actor_cli(s, a, &actor), 0);

    struct cg_demo_options opt = {.residents = 50, .seed = 3};
    struct cg_demo_result res;
    struct cg_actor below = *actor;
    below.area_path = "/1/999/";
    assert_int_equal(cg_demo_build(s, &below, &opt, NULL, NULL, a, &res, &fe), CG_EFORBIDDEN);

    assert_int_equal(cg_demo_build(s, actor, &opt, NULL, NULL, a, &res, &fe), 0);
    assert_int_equal(res.residents, 50);
    assert_int_equal(res.nlogins, 11);
    assert_int_equal(strlen(res.password), 12);
    assert_int_equal(res.departments, 121);
    cg_stmt *st = NULL;
    assert_int_equal(
        cg_store_query(
            s, &st, "SELECT COUNT(*) FROM areas WHERE level = 'grid' AND code LIKE '140221%'", ""),
        0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), 521);
    cg_stmt_reset(st);

    memset(&fe, 0, sizeof fe);
    assert_int_equal(cg_demo_check(s, &initialised, &fe), CG_ECONFLICT);
    assert_non_null(strstr(fe.message, "already holds data"));
    assert_int_equal(cg_demo_build(s, actor, &opt, NULL, NULL, a, &res, &fe), CG_ECONFLICT);
    cg_arena_free(a);
    drop_db(s);
}

int main(void)
{
    if (cg_secret_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(surnames_are_weighted),
        cmocka_unit_test(given_names_fit),
        cmocka_unit_test(build_and_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
