/* Unit tests for the scheduler (lib/sched.c) and the time parsing it uses
 * (lib/util/clock.c). The claim is tested where it can race: several
 * connections, each with its own scheduler, released at once by a barrier,
 * on SQLite and (with CIVGRID_TEST_PG) on PostgreSQL; each due run must run
 * exactly once. */
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
#include <pthread.h>
#include <stdatomic.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/sched.h"
#include "civgrid/store.h"

/* 2030-01-01 00:00 in Asia/Shanghai. */
#define T 1893427200
#define RACERS 8
#define ROUNDS 15

struct fixture {
    int pg;
    char dir[256];   /* SQLite: the temporary directory */
    char url[700];   /* every connection of the test opens this */
    char schema[64]; /* PostgreSQL: the test's own schema */
    cg_store *s;
};

static int open_url(const char *url, cg_store **out)
{
    char *err = NULL;
    int rc = cg_store_open(url, out, &err);
    if (rc)
        print_error("open %s: %s\n", url, err ? err : "?");
    free(err);
    return rc;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/civgrid-sched-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "%s/test.db", f->dir);
    if (open_url(f->url, &f->s) || cg_store_migrate(f->s, NULL, NULL))
        return -1;
    *state = f;
    return 0;
}

/* A schema of the test's own, named in the URL (libpq's options), so that
 * the connections the scheduler opens itself land in it too. */
static int setup_pg(void **state)
{
    const char *url = getenv("CIVGRID_TEST_PG");
    if (!url || !*url) {
        *state = NULL;
        return 0;
    }
    struct fixture *f = calloc(1, sizeof *f);
    f->pg = 1;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    snprintf(f->schema, sizeof f->schema, "cgsched_%d_%d", (int)getpid(), rand() % 100000);
    cg_store *admin = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", f->schema);
    if (open_url(url, &admin) || cg_store_exec_script(admin, sql))
        return -1;
    cg_store_close(admin);
    snprintf(f->url, sizeof f->url, "%s%soptions=-csearch_path%%3D%s", url,
             strchr(url, '?') ? "&" : "?", f->schema);
    if (open_url(f->url, &f->s) || cg_store_migrate(f->s, NULL, NULL))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!f)
        return 0;
    if (f->pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
        cg_store_exec_script(f->s, sql);
        cg_store_close(f->s);
    } else {
        cg_store_close(f->s);
        const char *suffix[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char path[800];
            snprintf(path, sizeof path, "%s%s", f->url, suffix[i]);
            unlink(path);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

static struct fixture *get(void **state)
{
    if (!*state)
        skip();
    return *state;
}

/* ---- ticks the tests schedule ---- */

struct counter {
    atomic_int runs;
    int fail_next; /* the next run fails with CG_EINTERNAL */
};

static int count_tick(void *ctx, cg_store *s, int64_t now)
{
    (void)s;
    (void)now;
    struct counter *c = ctx;
    atomic_fetch_add(&c->runs, 1);
    if (c->fail_next) {
        c->fail_next = 0;
        return CG_EINTERNAL;
    }
    return 0;
}

struct reports {
    int n, failed;
};

static void on_run(void *arg, const struct cg_sched_run *run)
{
    struct reports *r = arg;
    r->n++;
    r->failed += run->rc != 0;
}

/* ---- pure functions ---- */

static void next_due_aligns_to_local_time(void **state)
{
    (void)state;
    assert_int_equal(cg_sched_next_due(T, 3600), T + 3600);
    assert_int_equal(cg_sched_next_due(T - 1, 3600), T);
    assert_int_equal(cg_sched_next_due(T + 1799, 3600), T + 3600);
    /* A daily job runs at midnight in Asia/Shanghai, not in UTC. */
    assert_int_equal(cg_sched_next_due(T + 5 * 3600, 86400), T + 86400);
    assert_int_equal(cg_sched_next_due(T, 1), T + 1);
    assert_int_equal(cg_sched_next_due(T + 7, 60), T + 60);
}

static void time_parse_reads_local_iso_and_epoch(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(cg_time_parse("1893427200", &t), 0);
    assert_int_equal(t, T);
    const char *same[] = {"2030-01-01",           "2030-01-01T00:00",
                          "2030-01-01 00:00:00",  "2030-01-01T00:00:00+08:00",
                          "2029-12-31T16:00:00Z", "2029-12-31T11:00-0500",
                          "2030-01-01T00:00+08"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        t = 0;
        assert_int_equal(cg_time_parse(same[i], &t), 0);
        assert_int_equal(t, T);
    }
    assert_int_equal(cg_time_parse("2024-02-29T12:30:15", &t), 0);
    assert_int_equal(t, 1709181015);
    const char *bad[] = {"",
                         "now",
                         "2030-1-1",
                         "2030-02-29",
                         "2030-13-01",
                         "2030-01-01T24:00",
                         "2030-01-01T00:60",
                         "2030-01-01T00",
                         "2030-01-01T00:00+08:",
                         "2030-01-01T00:00 CST",
                         "1969-12-31T00:00Z",
                         "-5",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cg_time_parse(bad[i], &t), CG_EINVAL);
    char out[20];
    cg_time_local(T + 3661, out);
    assert_string_equal(out, "2030-01-01 01:01:01");
}

/* ---- one process ---- */

static void local_job_runs_once_per_period_and_retries_next_period(void **state)
{
    struct fixture *f = get(state);
    struct counter c = {0};
    struct reports r = {0};
    cg_sched *sc = NULL;
    struct cg_sched_job job = {"test.local", 60, CG_SCHED_LOCAL, NULL, count_tick, &c};
    assert_int_equal(cg_sched_new("test", &sc), 0);
    assert_int_equal(cg_sched_add(sc, &job), 0);
    struct cg_sched_job bad = job;
    bad.tick = cg_sched_jobs[0].tick; /* both ticks */
    assert_int_equal(cg_sched_add(sc, &bad), CG_EINVAL);

    assert_int_equal(cg_sched_run_due(sc, f->s, T, on_run, &r), 0);
    assert_int_equal(atomic_load(&c.runs), 1);
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 59, on_run, &r), 0);
    assert_int_equal(atomic_load(&c.runs), 1);
    c.fail_next = 1;
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 60, on_run, &r), 0);
    assert_int_equal(atomic_load(&c.runs), 2);
    assert_int_equal(r.failed, 1);
    /* Not retried within the period, whatever the clock does meanwhile. */
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 61, on_run, &r), 0);
    assert_int_equal(atomic_load(&c.runs), 2);
    /* Ten missed periods run once. */
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 660, on_run, &r), 0);
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 661, on_run, &r), 0);
    assert_int_equal(atomic_load(&c.runs), 3);

    struct cg_sched_status *st = NULL;
    size_t n = 0;
    cg_arena *a = cg_arena_new();
    struct cg_role admin = {"admin", "", "", CG_PERM_AUDIT_READ};
    struct cg_actor actor = {.role = &admin};
    assert_int_equal(cg_sched_list(f->s, &actor, sc, a, &st, &n), 0);
    size_t cluster = 0;
    while (cg_sched_jobs[cluster].name)
        cluster++;
    assert_int_equal(n, cluster + 1); /* the table's jobs, then test.local */
    const struct cg_sched_status *local = &st[n - 1];
    assert_string_equal(local->name, "test.local");
    assert_int_equal(local->runs, 3);
    assert_int_equal(local->failures, 1);
    assert_string_equal(local->last_outcome, "ok");
    assert_int_equal(local->next_due, T + 720);
    struct cg_role worker = {"grid_worker", "", "", CG_PERM_PEOPLE_READ};
    actor.role = &worker;
    assert_int_equal(cg_sched_list(f->s, &actor, sc, a, &st, &n), CG_EFORBIDDEN);
    cg_arena_free(a);
    cg_sched_free(sc);
}

/* The shared table failing (here: gone) stops the cluster jobs, reported as
 * the scheduler's error, but not a process's own jobs. */
static void local_jobs_run_while_the_table_fails(void **state)
{
    struct fixture *f = get(state);
    struct counter c = {0};
    cg_sched *sc = NULL;
    struct cg_sched_job job = {"test.local", 1, CG_SCHED_LOCAL, NULL, count_tick, &c};
    assert_int_equal(cg_sched_new("test", &sc), 0);
    assert_int_equal(cg_sched_add(sc, &job), 0);
    assert_int_equal(cg_store_exec_script(f->s, "DROP TABLE sched_jobs"), 0);
    assert_int_equal(cg_sched_run_due(sc, f->s, T, NULL, NULL), CG_EDB);
    assert_int_equal(atomic_load(&c.runs), 1);
    cg_sched_free(sc);
}

/* ---- several processes: the claim ---- */

struct racer {
    struct fixture *f;
    pthread_barrier_t *go;
    struct counter *c;
    int rc;
};

static void *race(void *arg)
{
    struct racer *me = arg;
    cg_store *s = NULL;
    cg_sched *sc = NULL;
    struct cg_sched_job job = {"test.cluster", 60, CG_SCHED_CLUSTER, NULL, count_tick, me->c};
    me->rc = open_url(me->f->url, &s);
    if (!me->rc)
        me->rc = cg_store_set_busy_timeout(s, 20000);
    if (!me->rc)
        me->rc = cg_sched_new("racer", &sc);
    if (!me->rc)
        me->rc = cg_sched_add(sc, &job);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(me->go);
        if (!me->rc)
            me->rc = cg_sched_run_due(sc, s, T + round * 60, NULL, NULL);
    }
    cg_sched_free(sc);
    cg_store_close(s);
    return NULL;
}

static void a_due_run_runs_in_one_of_many_connections(void **state)
{
    struct fixture *f = get(state);
    struct counter c = {0};
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, RACERS);
    pthread_t threads[RACERS];
    struct racer racers[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){f, &go, &c, 0};
        pthread_create(&threads[i], NULL, race, &racers[i]);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].rc, 0);
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(atomic_load(&c.runs), ROUNDS);
    cg_stmt *st = NULL;
    assert_int_equal(
        cg_store_query(f->s, &st,
                       "SELECT runs, failures, COALESCE(lease_until, 0) FROM sched_jobs"
                       " WHERE name = 'test.cluster'",
                       ""),
        0);
    assert_int_equal(cg_stmt_one(st), 0);
    assert_int_equal(cg_stmt_int(st, 0), ROUNDS);
    assert_int_equal(cg_stmt_int(st, 1), 0);
    assert_int_equal(cg_stmt_int(st, 2), 0); /* no lease left */
    cg_stmt_reset(st);
}

/* A claimed run holds its lease: while it lasts nobody else runs the job,
 * even when it is due again; once the lease runs out, the next due run can. */
static void a_lease_keeps_others_out_until_it_runs_out(void **state)
{
    struct fixture *f = get(state);
    struct counter c = {0};
    cg_sched *sc = NULL;
    struct cg_sched_job job = {"test.cluster", 60, CG_SCHED_CLUSTER, NULL, count_tick, &c};
    assert_int_equal(cg_sched_new("test", &sc), 0);
    assert_int_equal(cg_sched_add(sc, &job), 0);
    assert_int_equal(cg_sched_run_due(sc, f->s, T, NULL, NULL), 0);
    assert_int_equal(atomic_load(&c.runs), 1);
    /* Another process claimed the next run at T + 60 and is still at it. */
    assert_int_equal(cg_store_run(f->s, NULL,
                                  "UPDATE sched_jobs SET owner = 'other', lease_until = ?,"
                                  " next_due = ? WHERE name = 'test.cluster'",
                                  "ii", (int64_t)T + 60 + CG_SCHED_LEASE_SECONDS, (int64_t)T + 120),
                     0);
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 120, NULL, NULL), 0);
    assert_int_equal(atomic_load(&c.runs), 1);
    assert_int_equal(cg_sched_run_due(sc, f->s, T + 60 + CG_SCHED_LEASE_SECONDS + 1, NULL, NULL),
                     0);
    assert_int_equal(atomic_load(&c.runs), 2);
    cg_sched_free(sc);
}

/* ---- the thread ---- */

static void the_thread_runs_jobs_every_second_and_stops(void **state)
{
    struct fixture *f = get(state);
    struct counter c = {0};
    cg_sched *sc = NULL;
    struct cg_sched_job job = {"test.local", 1, CG_SCHED_LOCAL, NULL, count_tick, &c};
    assert_int_equal(cg_sched_new("test", &sc), 0);
    assert_int_equal(cg_sched_add(sc, &job), 0);
    assert_int_equal(cg_sched_start(sc, f->url, 5000), 0);
    assert_int_equal(cg_sched_add(sc, &job), CG_EINVAL); /* not while running */
    double deadline = cg_monotonic() + 5;
    while (atomic_load(&c.runs) < 2 && cg_monotonic() < deadline)
        usleep(20000);
    assert_true(atomic_load(&c.runs) >= 2);
    double asked = cg_monotonic();
    cg_sched_stop(sc);
    assert_true(cg_monotonic() - asked < 0.5); /* the wait is cut short */
    int after = atomic_load(&c.runs);
    usleep(1200000);
    assert_int_equal(atomic_load(&c.runs), after);
    cg_sched_free(sc);
}

#define SCHED_TESTS(setup)                                                                         \
    {                                                                                              \
        cmocka_unit_test_setup_teardown(local_job_runs_once_per_period_and_retries_next_period,    \
                                        setup, teardown),                                          \
            cmocka_unit_test_setup_teardown(local_jobs_run_while_the_table_fails, setup,           \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(a_due_run_runs_in_one_of_many_connections, setup,      \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(a_lease_keeps_others_out_until_it_runs_out, setup,     \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(the_thread_runs_jobs_every_second_and_stops, setup,    \
                                            teardown),                                             \
    }

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(next_due_aligns_to_local_time),
        cmocka_unit_test(time_parse_reads_local_iso_and_epoch),
    };
    const struct CMUnitTest sqlite_tests[] = SCHED_TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = SCHED_TESTS(setup_pg);
    int failed = cmocka_run_group_tests_name("sched", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("sched/sqlite", sqlite_tests, NULL, NULL);
    const char *pg = getenv("CIVGRID_TEST_PG");
    if (!pg || !*pg)
        print_message("CIVGRID_TEST_PG is not set: the PostgreSQL tests are skipped\n");
    failed += cmocka_run_group_tests_name("sched/postgresql", pg_tests, NULL, NULL);
    return failed ? 1 : 0;
}
