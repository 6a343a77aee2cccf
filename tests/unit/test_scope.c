/* The scope helper (scope.h): one rule, a byte range on the area path. The
 * range holds exactly the subtree, in C as in SQL, and SQLite serves the
 * places list's scope from the places_area index, which the substr() form
 * it replaced could not use (it read every place). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "civgrid/arena.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/store.h"

/* The places list's statement (lib/place.c). */
extern const char cg__place_list_sql[];

static void range_holds_the_subtree_only(void **state)
{
    (void)state;
    const char *p = "/1/5/";
    assert_true(cg_scope_holds(p, "/1/5/"));
    assert_true(cg_scope_holds(p, "/1/5/9/"));
    assert_true(cg_scope_holds(p, "/1/5/9/123/"));
    assert_false(cg_scope_holds(p, "/1/50/")); /* a sibling whose id starts alike */
    assert_false(cg_scope_holds(p, "/1/"));    /* the parent */
    assert_false(cg_scope_holds(p, "/1/6/"));
    assert_false(cg_scope_holds(p, NULL));
    assert_false(cg_scope_holds(NULL, "/1/5/"));
    assert_false(cg_scope_holds("", "/1/5/")); /* no area: nothing */
}

static void scope_values(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    struct cg_scope sc;
    assert_int_equal(cg_scope_at("/1/5/", a, &sc), 0);
    assert_string_equal(sc.from, "/1/5/");
    assert_string_equal(sc.to, "/1/5/~");
    struct cg_actor nobody = {.username = "x"};
    assert_int_equal(cg_scope_of(&nobody, a, &sc), CG_EFORBIDDEN);
    struct cg_actor worker = {.username = "gw", .area_path = "/1/5/9/"};
    assert_int_equal(cg_scope_of(&worker, a, &sc), 0);
    assert_string_equal(sc.to, "/1/5/9/~");
    assert_int_equal(cg_scope_at(NULL, a, &sc), CG_EINVAL);
    cg_arena_free(a);
}

/* SQLite's plan for sql with the given parameters bound as text (NULL for
 * "n"), all detail lines joined. */
static char *plan_of(cg_store *s, const char *sql, int nparams, const char *const *values)
{
    static char out[4096];
    char *eqp = malloc(strlen(sql) + 32);
    assert_non_null(eqp);
    sprintf(eqp, "EXPLAIN QUERY PLAN %s", sql);
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_prepare(s, eqp, &st), 0);
    for (int i = 0; i < nparams; i++)
        assert_int_equal(cg_stmt_bind_text(st, i + 1, values[i], (size_t)-1), 0);
    out[0] = '\0';
    while (cg_stmt_step(st) == CG_ROW) {
        strncat(out, cg_stmt_text(st, 3), sizeof out - strlen(out) - 2);
        strncat(out, "\n", sizeof out - strlen(out) - 1);
    }
    cg_stmt_reset(st);
    free(eqp);
    return out;
}

static void places_list_uses_its_index(void **state)
{
    (void)state;
    char dir[] = "/tmp/civgrid-scope-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    cg_store *s = NULL;
    assert_int_equal(cg_store_open(path, &s, NULL), 0);
    assert_int_equal(cg_store_migrate(s, NULL, NULL), 0);
    /* The statistics of a county's worth of places, so that the planner
     * weighs the index as it would on a real database. */
    assert_int_equal(cg_store_exec_script(s, "ANALYZE; INSERT INTO sqlite_stat1 VALUES"
                                             " ('places', 'places_area', '200000 20');"
                                             " ANALYZE sqlite_schema"),
                     0);
    const char *binds[] = {"/1/5/",  "/1/5/~", NULL, NULL, NULL, NULL,  "active",
                           "active", NULL,     NULL, NULL, NULL, "100", "0"};
    const char *plan = plan_of(s, cg__place_list_sql, 14, binds);
    print_message("places list plan:\n%s", plan);
    assert_non_null(strstr(plan, "USING INDEX places_area (area_path>? AND area_path<?)"));
    /* The form it replaced reads every place (a SCAN of the table or of the
     * whole index), never a SEARCH of a range. */
    const char *old = plan_of(
        s, "SELECT p.id FROM places p WHERE substr(p.area_path, 1, length(CAST(? AS TEXT))) = ?", 2,
        binds);
    print_message("substr plan:\n%s", old);
    assert_non_null(strstr(old, "SCAN p"));
    assert_null(strstr(old, "SEARCH p"));
    cg_store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(range_holds_the_subtree_only),
        cmocka_unit_test(scope_values),
        cmocka_unit_test(places_list_uses_its_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
