/* The case workflow's table (lib/case.c), walked whole against a real
 * database (SQLite, and PostgreSQL when CIVGRID_TEST_PG names a server):
 * for every state and every action, a case is brought to that state and the
 * action tried. A pair in the table moves the case to the table's next
 * state, one version and one timeline entry further; a pair not in it is
 * refused with CG_ECASE_STATE and leaves the case exactly as it was. The
 * table itself has one row per pair and reaches every state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "civgrid/area.h"
#include "civgrid/case.h"
#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/store.h"

struct fixture {
    int pg;
    char dir[256], schema[64];
    cg_store *s;
    cg_arena *a;
    struct cg_actor *cli;
};

static int open_store(struct fixture *f, const char *url)
{
    char *err = NULL;
    if (cg_store_open(url, &f->s, &err)) {
        print_error("open %s: %s\n", url, err ? err : "?");
        free(err);
        return -1;
    }
    if (f->pg) {
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s; SET search_path TO %s", f->schema, f->schema);
        if (cg_store_exec_script(f->s, sql))
            return -1;
    }
    const char *pw = NULL;
    f->a = cg_arena_new();
    if (cg_store_migrate(f->s, NULL, NULL) ||
        cg_deployment_init(f->s, "root", "大同市", "city", f->a, &pw) ||
        cg_actor_cli(f->s, f->a, &f->cli))
        return -1;
    /* city > county > town > grid: escalate from the grid twice. */
    struct cg_field_error fe = {0};
    struct cg_area area;
    if (cg_area_create(f->s, f->cli, "k1", NULL, "county", "阳高县", f->a, &area, &fe) ||
        cg_area_create(f->s, f->cli, "t1", "k1", "town", "龙泉镇", f->a, &area, &fe) ||
        cg_area_create(f->s, f->cli, "g1", "t1", "grid", "第一网格", f->a, &area, &fe)) {
        print_error("areas: %s\n", fe.message);
        return -1;
    }
    return 0;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char url[300];
    snprintf(f->dir, sizeof f->dir, "/tmp/civgrid-case-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(url, sizeof url, "%s/t.db", f->dir);
    *state = f;
    return open_store(f, url);
}

static int setup_pg(void **state)
{
    const char *url = getenv("CIVGRID_TEST_PG");
    *state = NULL;
    if (!url || !*url)
        return 0; /* each test skips itself */
    struct fixture *f = calloc(1, sizeof *f);
    f->pg = 1;
    snprintf(f->schema, sizeof f->schema, "cgcase_%d_%ld", (int)getpid(), (long)time(NULL));
    *state = f;
    return open_store(f, url);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!f)
        return 0;
    if (f->pg) {
        char sql[128];
        cg_store_exec_script(f->s, "ROLLBACK");
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
        cg_store_exec_script(f->s, sql);
    } else {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
            print_error("could not remove %s\n", f->dir);
    }
    cg_store_close(f->s);
    cg_arena_free(f->a);
    free(f);
    return 0;
}

static struct fixture *get(void **state)
{
    if (!*state)
        skip();
    return *state;
}

static void run(struct fixture *f, int64_t id, const char *action, struct cg_case *out)
{
    struct cg_field_error fe = {0};
    struct cg_case_action_input in = {.action = action, .note = "说明", .to = "g1"};
    int rc = cg_case_act(f->s, f->cli, id, &in, f->a, out, &fe);
    if (rc)
        print_error("%s: %s %s\n", action, cg_err_name(rc), fe.message);
    assert_int_equal(rc, 0);
}

/* A small case (handled on the spot is legal) in state st, held by the town
 * and sent there by the grid (so that send_back has somewhere to go). */
static int64_t case_in(struct fixture *f, enum cg_case_state st)
{
    struct cg_field_error fe = {0};
    struct cg_case c;
    struct cg_case_input in = {
        .type = "event", .category = "sanitation.garbage", .area_code = "g1", .title = "垃圾堆放"};
    assert_int_equal(cg_case_report(f->s, f->cli, &in, f->a, &c, &fe), 0);
    run(f, c.id, "escalate", &c);
    assert_string_equal(c.holder.area_code, "t1");
    if (st >= CG_CASE_HANDLING)
        run(f, c.id, "accept", &c);
    if (st >= CG_CASE_DONE)
        run(f, c.id, "report_done", &c);
    if (st >= CG_CASE_CLOSED)
        run(f, c.id, "verify_pass", &c);
    assert_string_equal(c.state, cg_case_state_labels[st].code);
    return c.id;
}

static void every_pair(void **state)
{
    struct fixture *f = get(state);
    int64_t other = case_in(f, CG_CASE_REPORTED); /* what merge merges into */
    int legal = 0, illegal = 0;
    for (int st = 0; st < CG_CASE_NSTATES; st++) {
        for (int ac = 0; ac < CG_CASE_NACTIONS; ac++) {
            const struct cg_case_transition *t = cg_case_transition_find(st, ac);
            int64_t id = case_in(f, st);
            struct cg_case before, after;
            assert_int_equal(cg_case_get(f->s, f->cli, id, f->a, &before), 0);
            /* What the command line's operator is offered is what the table allows. */
            assert_int_equal((before.actions >> ac) & 1u, t != NULL);
            struct cg_field_error fe = {0};
            struct cg_case_action_input in = {.action = cg_case_action_labels[ac].code,
                                              .version = before.version,
                                              .note = "说明",
                                              .to = "g1",
                                              .into = other};
            int rc = cg_case_act(f->s, f->cli, id, &in, f->a, &after, &fe);
            if (t) {
                if (rc)
                    print_error("%s on %s: %s %s\n", in.action, before.state, cg_err_name(rc),
                                fe.message);
                assert_int_equal(rc, 0);
                assert_string_equal(after.state, cg_case_state_labels[t->next].code);
                assert_int_equal(after.version, before.version + 1);
                assert_int_equal(after.n_events, before.n_events + 1);
                assert_string_equal(after.events[after.n_events - 1].action, in.action);
                legal++;
            } else {
                assert_int_equal(rc, CG_ECASE_STATE);
                assert_true(fe.message[0] != '\0'); /* a clear reason */
                assert_int_equal(cg_case_get(f->s, f->cli, id, f->a, &after), 0);
                assert_string_equal(after.state, before.state);
                assert_int_equal(after.version, before.version);
                assert_int_equal(after.n_events, before.n_events);
                assert_string_equal(after.holder.area_code, before.holder.area_code);
                illegal++;
            }
        }
    }
    /* Every row of the table but filing was exercised as legal. */
    int rows = 0;
    for (const struct cg_case_transition *t = cg_case_transitions; t->perm; t++)
        rows += t->action != CG_CASE_ACT_REPORT;
    assert_int_equal(legal, rows);
    assert_int_equal(legal + illegal, CG_CASE_NSTATES * CG_CASE_NACTIONS);
}

/* A loader (the demo's year) files and closes cases in the past inside its
 * own transaction: the times are the loader's, and history sends no
 * notifications. */
static void loader_writes_the_past(void **state)
{
    struct fixture *f = get(state);
    struct cg_field_error fe = {0};
    const int64_t t0 = 1735700000; /* 2025-01-01 */
    struct cg_case_input in = {.type = "request",
                               .category = "request.errand",
                               .area_code = "g1",
                               .title = "代办",
                               .source = "demo",
                               .reported_at = t0};
    int64_t id = 0;
    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_case_report_write(f->s, f->cli, &in, f->a, &id, &fe), 0);
    const char *steps[] = {"accept", "report_done", "verify_pass"};
    for (int i = 0; i < 3; i++) {
        struct cg_case_action_input act = {.action = steps[i], .note = "办结"};
        assert_int_equal(cg_case_act_write(f->s, f->cli, id, &act, t0 + 3600 * (i + 1), f->a, &fe),
                         0);
    }
    assert_int_equal(cg_store_commit(f->s), 0);
    struct cg_case c;
    assert_int_equal(cg_case_get(f->s, f->cli, id, f->a, &c), 0);
    assert_string_equal(c.state, "closed");
    assert_string_equal(c.source, "demo");
    assert_int_equal(c.created_at, t0);
    assert_int_equal(c.accepted_at, t0 + 3600);
    assert_int_equal(c.closed_at, t0 + 3 * 3600);
    assert_true(c.accept_due > t0);
    assert_int_equal(c.n_events, 4);
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_query(f->s, &st, "SELECT COUNT(*) FROM outbox", ""), 0);
    assert_int_equal(cg_stmt_one(st), 0);
    assert_int_equal(cg_stmt_int(st, 0), 0);
    cg_stmt_reset(st);
}

static void the_table_itself(void **state)
{
    (void)state;
    int reached[CG_CASE_NSTATES] = {0}, acted[CG_CASE_NACTIONS] = {0};
    for (const struct cg_case_transition *t = cg_case_transitions; t->perm; t++) {
        for (const struct cg_case_transition *u = t + 1; u->perm; u++)
            assert_false(t->state == u->state && t->action == u->action); /* one row a pair */
        reached[t->next] = 1;
        acted[t->action] = 1;
    }
    for (int i = 0; i < CG_CASE_NSTATES; i++)
        assert_true(reached[i]);
    for (int i = 0; i < CG_CASE_NACTIONS; i++)
        assert_true(acted[i]);
    /* Filing is no move of a case: it is never found as one. */
    for (int st = 0; st < CG_CASE_NSTATES; st++)
        assert_null(cg_case_transition_find(st, CG_CASE_ACT_REPORT));
    assert_string_equal(cg_case_state_labels[CG_CASE_CLOSED].code, "closed");
    enum cg_case_action ac;
    assert_int_equal(cg_case_action_parse("verify_fail", &ac), 0);
    assert_int_equal(ac, CG_CASE_ACT_VERIFY_FAIL);
    assert_int_equal(cg_case_action_parse("close", &ac), CG_EBADTYPE);
}

static void sniffing(void **state)
{
    (void)state;
    assert_string_equal(cg_case_sniff_image("\xff\xd8\xff\xe0", 4), "image/jpeg");
    assert_string_equal(cg_case_sniff_image("\x89PNG\r\n\x1a\n", 8), "image/png");
    assert_string_equal(cg_case_sniff_image("RIFF\0\0\0\0WEBPVP8L", 16), "image/webp");
    assert_null(cg_case_sniff_image("RIFF\0\0\0\0WAVEfmt ", 16));
    assert_null(cg_case_sniff_image("<svg onload=x>", 14));
    assert_null(cg_case_sniff_image("\x89PNG", 4)); /* cut short */
    assert_null(cg_case_sniff_image(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_itself),
        cmocka_unit_test(sniffing),
        cmocka_unit_test_setup_teardown(every_pair, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(every_pair, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(loader_writes_the_past, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(loader_writes_the_past, setup_pg, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
