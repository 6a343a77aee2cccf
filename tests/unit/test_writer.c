/* Unit tests for the group-commit writer (lib/store/writer.c). One list of
 * tests runs against SQLite (a fresh file per test) and, when
 * CIVGRID_TEST_PG holds a postgresql:// URL, against PostgreSQL (a schema of
 * its own per test). Jobs are submitted from threads; a "gate" job holds the
 * writer inside its first batch until the other jobs have queued, so that
 * what makes up each batch is known, not left to timing. Assertions run on
 * the test's own thread only (cmocka's failures cannot cross threads). */
#include <pthread.h>
#include <stdatomic.h>
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

#include "civgrid/error.h"
#include "civgrid/store.h"
#include "civgrid/writer.h"
#include "store/store_int.h"

#define JOBS 16

struct fixture {
    int pg;
    char dir[256], url[512], schema[64];
    cg_store *s; /* the test's own connection, to look at what was committed */
    cg_writer *w;
};

/* ---- fixtures ---- */

/* The writer's setup: on PostgreSQL, the test's schema; on SQLite a side
 * file attached as "side", as the read log attaches its files. */
static int writer_setup(cg_store *s, void *arg)
{
    struct fixture *f = arg;
    char sql[700];
    if (f->pg)
        snprintf(sql, sizeof sql, "SET search_path TO %s", f->schema);
    else
        snprintf(sql, sizeof sql, "ATTACH DATABASE '%s-side' AS side", f->url);
    return cg_store_exec_script(s, sql);
}

static int open_fixture(struct fixture *f)
{
    char sql[256] = "";
    char *err = NULL;
    if (cg_store_open(f->url, &f->s, &err)) {
        print_error("open %s: %s\n", f->url, err ? err : "?");
        free(err);
        return -1;
    }
    if (f->pg)
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s; SET search_path TO %s;", f->schema, f->schema);
    strcat(sql, "CREATE TABLE t (id BIGINT PRIMARY KEY, job TEXT)");
    if (cg_store_exec_script(f->s, sql)) {
        print_error("%s: %s\n", sql, cg_store_errmsg(f->s));
        return -1;
    }
    struct cg_writer_target target = {f->url, writer_setup, f, CG_DURABLE_POWER_LOSS, 0};
    if (cg_writer_open(&target, &f->w, &err)) {
        print_error("writer: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    return 0;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/civgrid-writer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "%s/test.db", f->dir);
    *state = f;
    return open_fixture(f);
}

static int setup_pg(void **state)
{
    const char *url = getenv("CIVGRID_TEST_PG");
    *state = NULL; /* without a server each test skips itself */
    if (!url || !*url)
        return 0;
    struct fixture *f = calloc(1, sizeof *f);
    static unsigned counter;
    f->pg = 1;
    snprintf(f->url, sizeof f->url, "%s", url);
    snprintf(f->schema, sizeof f->schema, "cgwriter_%d_%u_%ld", (int)getpid(), ++counter,
             (long)time(NULL) % 100000);
    *state = f;
    return open_fixture(f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!f)
        return 0;
    cg_writer_close(f->w);
    if (f->pg && f->s) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
        cg_store_exec_script(f->s, sql);
    }
    cg_store_close(f->s);
    if (!f->pg) {
        const char *suffix[] = {"", "-wal", "-shm", "-side", "-side-wal", "-side-shm"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char path[600];
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

static int64_t count_rows(cg_store *s, const char *sql)
{
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_query(s, &st, sql, ""), 0);
    assert_int_equal(cg_stmt_one(st), 0);
    int64_t n = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return n;
}

/* ---- jobs ---- */

enum kind {
    GOOD,      /* inserts its row */
    REFUSES,   /* inserts its row, then fails with CG_ECONFLICT: the row must go */
    DUPLICATE, /* inserts a row whose key exists: an SQL error (aborts the
                  transaction on PostgreSQL but for the savepoint) */
};

struct job {
    struct fixture *f;
    int64_t id;
    enum kind kind;
    int gate;         /* hold the batch until the other jobs have queued */
    int gate_queued;  /* how many */
    int after_calls;  /* times the after-commit step ran */
    int committed;    /* what it was told */
    int64_t visible;  /* rows another connection saw from the after-commit step */
    int answered;     /* set by the submitting thread once submit returned */
    int rc;           /* what submit returned */
    int saw_answered; /* whether submit had returned before the after-commit step */
};

static _Atomic int gate_running;

static void wait_until_queued(struct fixture *f, uint64_t n)
{
    struct cg_writer_stats st;
    for (int i = 0; i < 5000; i++) {
        cg_writer_stats(f->w, &st);
        if (st.queued >= n)
            return;
        usleep(1000);
    }
}

static int job_write(cg_store *s, void *arg)
{
    struct job *j = arg;
    if (j->gate) {
        gate_running = 1;
        wait_until_queued(j->f, (uint64_t)j->gate_queued);
    }
    int rc = cg_store_run(s, NULL, "INSERT INTO t (id, job) VALUES (?, 'job')", "i",
                          j->kind == DUPLICATE ? (int64_t)1 : j->id);
    if (!rc && j->kind == REFUSES)
        rc = CG_ECONFLICT;
    return rc;
}

static void job_after(void *arg, int committed)
{
    struct job *j = arg;
    j->after_calls++;
    j->committed = committed;
    j->saw_answered = j->answered;
}

static void *submit_thread(void *arg)
{
    struct job *j = arg;
    struct cg_writer_job job = {job_write, job_after, j};
    j->rc = cg_writer_submit(j->f->w, &job);
    j->answered = 1;
    return NULL;
}

/* Submits jobs[0] as the gate, waits until it runs, then the others; joins. */
static void run_gated(struct fixture *f, struct job *jobs, int n)
{
    pthread_t t[JOBS];
    gate_running = 0;
    for (int i = 0; i < n; i++) {
        jobs[i].f = f;
        jobs[i].id = i + 1;
    }
    jobs[0].gate = 1;
    jobs[0].gate_queued = n - 1;
    assert_int_equal(pthread_create(&t[0], NULL, submit_thread, &jobs[0]), 0);
    while (!gate_running)
        usleep(1000);
    for (int i = 1; i < n; i++)
        assert_int_equal(pthread_create(&t[i], NULL, submit_thread, &jobs[i]), 0);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

/* ---- tests ---- */

/* Jobs that queue while a batch commits are committed together as the next
 * batch: 16 jobs, 2 transactions, every row there. */
static void queued_jobs_commit_as_one_batch(void **state)
{
    struct fixture *f = get(state);
    struct job jobs[JOBS] = {0};
    run_gated(f, jobs, JOBS);
    for (int i = 0; i < JOBS; i++) {
        assert_int_equal(jobs[i].rc, 0);
        assert_int_equal(jobs[i].after_calls, 1);
        assert_int_equal(jobs[i].committed, 1);
    }
    struct cg_writer_stats st;
    cg_writer_stats(f->w, &st);
    assert_int_equal(st.jobs, JOBS);
    assert_int_equal(st.batches, 2);
    assert_int_equal(st.failed_batches, 0);
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t"), JOBS);
}

/* In one batch, a job that fails after writing, and a job whose statement
 * fails, lose their own writes only: the others of the batch commit, and
 * each submitter hears its own outcome. */
static void failing_jobs_do_not_sink_the_batch(void **state)
{
    struct fixture *f = get(state);
    struct job jobs[JOBS] = {0};
    jobs[4].kind = REFUSES;
    jobs[9].kind = DUPLICATE; /* its key is the gate's, committed in the first batch */
    run_gated(f, jobs, JOBS);
    for (int i = 0; i < JOBS; i++) {
        int expect = i == 4 ? CG_ECONFLICT : (i == 9 ? CG_EEXISTS : 0);
        assert_int_equal(jobs[i].rc, expect);
        assert_int_equal(jobs[i].after_calls, 1);
        assert_int_equal(jobs[i].committed, expect == 0);
    }
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t"), JOBS - 2);
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t WHERE id = 5"), 0);
    struct cg_writer_stats st;
    cg_writer_stats(f->w, &st);
    assert_int_equal(st.batches, 2);
    assert_int_equal(st.failed_batches, 0);
    assert_int_equal(st.failed_jobs, 2);
}

/* A job alone in its batch fails alone, and the writer goes on. */
static void a_lone_failing_job_leaves_the_writer_working(void **state)
{
    struct fixture *f = get(state);
    struct job bad = {.f = f, .id = 7, .kind = REFUSES}, good = {.f = f, .id = 8};
    submit_thread(&bad);
    submit_thread(&good);
    assert_int_equal(bad.rc, CG_ECONFLICT);
    assert_int_equal(bad.committed, 0);
    assert_int_equal(good.rc, 0);
    assert_int_equal(good.committed, 1);
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t"), 1);
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t WHERE id = 8"), 1);
}

/* The after-commit step runs once per job, after the commit (another
 * connection already sees the row) and before the submitter is answered. */
static int visible_write(cg_store *s, void *arg)
{
    struct job *j = arg;
    return cg_store_run(s, NULL, "INSERT INTO t (id, job) VALUES (?, 'seen')", "i", j->id);
}

static void visible_after(void *arg, int committed)
{
    struct job *j = arg;
    j->after_calls++;
    j->committed = committed;
    j->saw_answered = j->answered;
    /* The test's thread is waiting in submit: f->s is free for this thread. */
    cg_stmt *st = NULL;
    if (!cg_store_query(j->f->s, &st, "SELECT COUNT(*) FROM t WHERE id = ?", "i", j->id) &&
        !cg_stmt_one(st))
        j->visible = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
}

static void after_commit_runs_after_the_commit_and_before_the_answer(void **state)
{
    struct fixture *f = get(state);
    struct job j = {.f = f, .id = 42, .visible = -1};
    struct cg_writer_job job = {visible_write, visible_after, &j};
    j.rc = cg_writer_submit(f->w, &job);
    j.answered = 1;
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.after_calls, 1);
    assert_int_equal(j.committed, 1);
    assert_int_equal(j.visible, 1);      /* committed: another connection sees it */
    assert_int_equal(j.saw_answered, 0); /* and the submitter was still waiting */
}

/* Closing while jobs wait commits them all before the thread ends. */
struct closer {
    cg_writer *w;
};

static void *close_thread(void *arg)
{
    cg_writer_close(((struct closer *)arg)->w);
    return NULL;
}

static void close_drains_the_queue(void **state)
{
    struct fixture *f = get(state);
    struct job jobs[JOBS] = {0};
    pthread_t t[JOBS], c;
    gate_running = 0;
    for (int i = 0; i < JOBS; i++) {
        jobs[i].f = f;
        jobs[i].id = i + 1;
    }
    jobs[0].gate = 1;
    jobs[0].gate_queued = JOBS - 1;
    assert_int_equal(pthread_create(&t[0], NULL, submit_thread, &jobs[0]), 0);
    while (!gate_running)
        usleep(1000);
    for (int i = 1; i < JOBS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, submit_thread, &jobs[i]), 0);
    wait_until_queued(f, JOBS - 1);
    /* All 15 are queued behind the gate; close now, while they wait. */
    struct closer cl = {f->w};
    assert_int_equal(pthread_create(&c, NULL, close_thread, &cl), 0);
    pthread_join(c, NULL);
    f->w = NULL;
    for (int i = 0; i < JOBS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].rc, 0);
        assert_int_equal(jobs[i].committed, 1);
    }
    assert_int_equal(count_rows(f->s, "SELECT COUNT(*) FROM t"), JOBS);
}

/* A sync answers once earlier jobs are answered, and on its own opens no
 * transaction. */
static void sync_alone_commits_nothing(void **state)
{
    struct fixture *f = get(state);
    assert_int_equal(cg_writer_sync(f->w), 0);
    struct cg_writer_stats st;
    cg_writer_stats(f->w, &st);
    assert_int_equal(st.batches, 0);
    assert_int_equal(st.jobs, 0);
}

/* The writer's connection commits durably across power loss: SQLite
 * synchronous=FULL (2) on its file and on the side file its setup attached;
 * PostgreSQL synchronous_commit=on. */
struct durability {
    int64_t main_sync, side_sync;
    char pg_setting[16];
};

static int read_durability(cg_store *s, void *arg)
{
    struct durability *d = arg;
    cg_stmt *st = NULL;
    int rc = 0;
    if (!strcmp(cg_store_backend(s), "postgresql")) {
        rc = cg_store_query(s, &st, "SELECT current_setting('synchronous_commit')", "");
        if (!rc && !(rc = cg_stmt_one(st)))
            snprintf(d->pg_setting, sizeof d->pg_setting, "%s", cg_stmt_text(st, 0));
        cg_stmt_reset(st);
        return rc;
    }
    rc = cg_store_query(s, &st, "PRAGMA main.synchronous", "");
    if (!rc && !(rc = cg_stmt_one(st)))
        d->main_sync = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    if (!rc)
        rc = cg_store_query(s, &st, "PRAGMA side.synchronous", "");
    if (!rc && !(rc = cg_stmt_one(st)))
        d->side_sync = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc;
}

static void commits_are_durable_across_power_loss(void **state)
{
    struct fixture *f = get(state);
    struct durability d = {0};
    struct cg_writer_job job = {read_durability, NULL, &d};
    assert_int_equal(cg_writer_submit(f->w, &job), 0);
    if (f->pg) {
        assert_string_equal(d.pg_setting, "on");
    } else {
        assert_int_equal(d.main_sync, 2);
        assert_int_equal(d.side_sync, 2);
    }
}

/* The lighter level leaves SQLite's main file at NORMAL (1): no fsync in the
 * answer; PostgreSQL commits as durably as before. */
static void process_kill_level_skips_the_fsync(void **state)
{
    struct fixture *f = get(state);
    struct cg_writer_target target = {f->url, writer_setup, f, CG_DURABLE_PROCESS_KILL, 0};
    cg_writer *w = NULL;
    char *err = NULL;
    assert_int_equal(cg_writer_open(&target, &w, &err), 0);
    struct durability d = {0};
    struct cg_writer_job job = {read_durability, NULL, &d};
    assert_int_equal(cg_writer_submit(w, &job), 0);
    cg_writer_close(w);
    if (f->pg)
        assert_string_equal(d.pg_setting, "on");
    else
        assert_int_equal(d.main_sync, 1);
}

/* Side files sit beside a SQLite file; PostgreSQL and memory have none. */
static void side_file_names(void **state)
{
    (void)state;
    char *p = NULL;
    assert_int_equal(cg_writer_side_file("/var/lib/c.db", "-reads.0", &p), 0);
    assert_string_equal(p, "/var/lib/c.db-reads.0");
    free(p);
    assert_int_equal(cg_writer_side_file("sqlite:/x/c.db", "-x", &p), 0);
    assert_string_equal(p, "/x/c.db-x");
    free(p);
    const char *none[] = {"postgresql://u@h/db", "postgres://h/db", ":memory:", "file:a.db?mode=ro",
                          ""};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        p = (char *)none;
        assert_int_equal(cg_writer_side_file(none[i], "-x", &p), 0);
        assert_null(p);
    }
}

#define WRITER_TESTS(setup)                                                                        \
    {                                                                                              \
        cmocka_unit_test_setup_teardown(queued_jobs_commit_as_one_batch, setup, teardown),         \
            cmocka_unit_test_setup_teardown(failing_jobs_do_not_sink_the_batch, setup, teardown),  \
            cmocka_unit_test_setup_teardown(a_lone_failing_job_leaves_the_writer_working, setup,   \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(                                                       \
                after_commit_runs_after_the_commit_and_before_the_answer, setup, teardown),        \
            cmocka_unit_test_setup_teardown(close_drains_the_queue, setup, teardown),              \
            cmocka_unit_test_setup_teardown(sync_alone_commits_nothing, setup, teardown),          \
            cmocka_unit_test_setup_teardown(commits_are_durable_across_power_loss, setup,          \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(process_kill_level_skips_the_fsync, setup, teardown),  \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = WRITER_TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = WRITER_TESTS(setup_pg);
    const struct CMUnitTest plain_tests[] = {cmocka_unit_test(side_file_names)};
    int failed = cmocka_run_group_tests_name("writer", plain_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("writer/sqlite", sqlite_tests, NULL, NULL);
    const char *pg = getenv("CIVGRID_TEST_PG");
    if (!pg || !*pg)
        print_message("CIVGRID_TEST_PG is not set: the PostgreSQL tests are skipped"
                      " (scripts/pg-temp.sh starts a server)\n");
    failed += cmocka_run_group_tests_name("writer/postgresql", pg_tests, NULL, NULL);
    return failed ? 1 : 0;
}
