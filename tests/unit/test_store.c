/* Unit tests for the store layer. One list of tests runs against SQLite (a
 * fresh file in a temporary directory per test) and, when CIVGRID_TEST_PG
 * holds a postgresql:// URL, against PostgreSQL (a fresh schema per test,
 * dropped afterwards), so that both backends are held to one behaviour.
 * scripts/pg-temp.sh starts a throwaway server for the URL. */
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

#include "embedded.h"
#include "civgrid/error.h"
#include "civgrid/store.h"
#include "store/store_int.h"

struct fixture {
    int pg;          /* 1 for PostgreSQL, 0 for SQLite */
    char dir[256];   /* SQLite: the temporary directory */
    char url[512];   /* what cg_store_open gets */
    char schema[64]; /* PostgreSQL: this test's schema */
    cg_store *s;
};

/* ---- fixtures ---- */

/* Opens another connection to the fixture's database, in its schema. */
static int open_again(struct fixture *f, cg_store **out)
{
    char *err = NULL;
    int rc = cg_store_open(f->url, out, &err);
    if (rc) {
        print_error("open %s: %s\n", f->url, err ? err : "?");
        free(err);
        return rc;
    }
    if (f->pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "SET search_path TO %s", f->schema);
        rc = cg_store_exec_script(*out, sql);
        if (rc) {
            cg_store_close(*out);
            *out = NULL;
        }
    }
    return rc;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/civgrid-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->url, sizeof f->url, "%s/test.db", f->dir);
    if (open_again(f, &f->s)) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_pg(void **state)
{
    const char *url = getenv("CIVGRID_TEST_PG");
    /* Without a server each test skips itself (see get()): cmocka 1.1
     * counts a skip() inside a setup function as an error. */
    if (!url || !*url) {
        *state = NULL;
        return 0;
    }
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->pg = 1;
    snprintf(f->url, sizeof f->url, "%s", url);
    /* A schema of its own per test, so that tests (and parallel runs against
     * one server) never see each other's tables. */
    static unsigned counter;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    snprintf(f->schema, sizeof f->schema, "cgtest_%d_%u_%d", (int)getpid(), ++counter,
             rand() % 100000);
    char *err = NULL;
    int rc = cg_store_open(f->url, &f->s, &err);
    if (rc) {
        print_error("cannot open CIVGRID_TEST_PG=%s: %s\n", url, err ? err : "?");
        free(err);
        free(f);
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s; SET search_path TO %s", f->schema, f->schema);
    if (cg_store_exec_script(f->s, sql)) {
        print_error("%s: %s\n", sql, cg_store_errmsg(f->s));
        cg_store_close(f->s);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = 0;
    if (!f)
        return 0;
    if (f->pg) {
        /* A failed test may leave a transaction open or aborted. */
        cg_store_exec_script(f->s, "ROLLBACK");
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
        if (cg_store_exec_script(f->s, sql)) {
            print_error("%s: %s\n", sql, cg_store_errmsg(f->s));
            rc = -1;
        }
        cg_store_close(f->s);
    } else {
        cg_store_close(f->s);
        const char *suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char path[600];
            snprintf(path, sizeof path, "%s%s", f->url, suffix[i]);
            unlink(path);
        }
        rmdir(f->dir);
    }
    free(f);
    *state = NULL;
    return rc;
}

/* ---- helpers ---- */

/* The test's fixture; skips the test when its backend is not available. */
static struct fixture *get(void **state)
{
    if (!*state)
        skip();
    return *state;
}

/* Creates t(id auto, name TEXT, n BIGINT) with the backend's id column. */
static void create_t(cg_store *s)
{
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE TABLE t (id %s, name TEXT, n BIGINT)", s->ops->id_column);
    assert_int_equal(cg_store_exec_script(s, sql), 0);
}

/* The single integer a one-row query returns. */
static int64_t query_int(cg_store *s, const char *sql)
{
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_query(s, &st, sql, ""), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    int64_t v = cg_stmt_int(st, 0);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);
    return v;
}

/* ---- open and migrate ---- */

/* A path in a missing directory (SQLite) or a port nobody listens on
 * (PostgreSQL) fails with an error code and a message, and no store. */
static void open_bad_url_fails_with_message(void **state)
{
    struct fixture *f = get(state);
    char bad[600];
    if (f->pg)
        snprintf(bad, sizeof bad, "postgresql://civgrid@127.0.0.1:1/civgrid?connect_timeout=5");
    else
        snprintf(bad, sizeof bad, "%s/no/such/dir/x.db", f->dir);
    cg_store *s = (cg_store *)&bad; /* must be overwritten with NULL */
    char *err = NULL;
    int rc = cg_store_open(bad, &s, &err);
    assert_true(rc < 0);
    assert_int_equal(rc, f->pg ? CG_EDB : CG_EIO);
    assert_null(s);
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    assert_null(strchr(err, '\n')); /* one line, for the log */
    free(err);

    assert_int_equal(cg_store_open("", &s, NULL), CG_EINVAL);
    assert_null(s);
}

/* How many migrations the binary carries: versions are numbered by file and
 * may have gaps (each branch of work takes its own number), so this is not
 * the latest version. */
static int64_t migration_count(void)
{
    int64_t n = 0;
    for (const struct cg_embedded *m = cg__migrations; m->path; m++)
        n++;
    return n;
}

/* An empty database migrates from version 0 to the newest version this
 * binary knows, and the migrations' tables exist afterwards. */
static void migrate_empty_db(void **state)
{
    struct fixture *f = get(state);
    int latest = cg_store_latest_version();
    assert_true(latest >= 1);
    int v = -1;
    assert_int_equal(cg_store_schema_version(f->s, &v), 0);
    assert_int_equal(v, 0);
    int from = -1, to = -1;
    assert_int_equal(cg_store_migrate(f->s, &from, &to), 0);
    assert_int_equal(from, 0);
    assert_int_equal(to, latest);
    assert_int_equal(cg_store_schema_version(f->s, &v), 0);
    assert_int_equal(v, latest);
    /* 0001_meta.sql created meta. */
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM meta"), 0);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM schema_migrations"), migration_count());
}

/* Migrating an up-to-date database changes nothing: no version applied
 * twice (which would fail on the tables that already exist anyway). */
static void migrate_twice_is_noop(void **state)
{
    struct fixture *f = get(state);
    int latest = cg_store_latest_version();
    assert_int_equal(cg_store_migrate(f->s, NULL, NULL), 0);
    int from = -1, to = -1;
    assert_int_equal(cg_store_migrate(f->s, &from, &to), 0);
    assert_int_equal(from, latest);
    assert_int_equal(to, latest);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM schema_migrations"), migration_count());
}

/* A database written by a newer civgrid is refused, not half-used. */
static void migrate_refuses_newer_schema(void **state)
{
    struct fixture *f = get(state);
    int latest = cg_store_latest_version();
    assert_int_equal(cg_store_migrate(f->s, NULL, NULL), 0);
    assert_int_equal(cg_store_run(f->s, NULL,
                                  "INSERT INTO schema_migrations (version, name, applied_at)"
                                  " VALUES (?, ?, ?)",
                                  "isi", (int64_t)latest + 1, "9999_future.sql", (int64_t)0),
                     0);
    int from = -1;
    assert_int_equal(cg_store_migrate(f->s, &from, NULL), CG_ESCHEMA_NEWER);
    assert_int_equal(from, latest + 1);
    assert_non_null(strstr(cg_store_errmsg(f->s), "newer"));
}

/* ---- statements ---- */

/* Text (Chinese and 4-byte UTF-8 included), 64-bit integers at both ends and
 * NULLs go in through binds and come back unchanged, with RETURNING id. */
static void bind_and_read_values(void **state)
{
    struct fixture *f = get(state);
    static const char name[] = "张三 北京市朝阳区 望京街道 🦠 'quoted' \"dq\" ?";
    create_t(f->s);
    cg_stmt *st = NULL;
    const char *ins = "INSERT INTO t (name, n) VALUES (?, ?) RETURNING id";

    assert_int_equal(cg_store_prepare(f->s, ins, &st), 0);
    assert_int_equal(cg_stmt_bind_text(st, 1, name, (size_t)-1), 0);
    assert_int_equal(cg_stmt_bind_int(st, 2, INT64_MIN), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    int64_t id1 = cg_stmt_int(st, 0);
    assert_true(id1 > 0);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);

    /* Explicit length: only the first 6 bytes ("张三") are bound. */
    assert_int_equal(cg_stmt_bind_text(st, 1, name, 6), 0);
    assert_int_equal(cg_stmt_bind_int(st, 2, INT64_MAX), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    int64_t id2 = cg_stmt_int(st, 0);
    assert_true(id2 > id1);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);

    /* NULL both ways: bind_null and bind_text(NULL). */
    assert_int_equal(cg_stmt_bind_text(st, 1, NULL, 0), 0);
    assert_int_equal(cg_stmt_bind_null(st, 2), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    int64_t id3 = cg_stmt_int(st, 0);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);

    assert_int_equal(cg_store_query(f->s, &st, "SELECT id, name, n FROM t ORDER BY id", ""), 0);
    assert_int_equal(cg_stmt_column_count(st), 3);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), id1);
    assert_string_equal(cg_stmt_text(st, 1), name);
    assert_true(cg_stmt_int(st, 2) == INT64_MIN);
    assert_false(cg_stmt_isnull(st, 1));

    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), id2);
    assert_string_equal(cg_stmt_text(st, 1), "张三");
    assert_true(cg_stmt_int(st, 2) == INT64_MAX);
    assert_string_equal(cg_stmt_text(st, 2), "9223372036854775807");

    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), id3);
    assert_true(cg_stmt_isnull(st, 1));
    assert_true(cg_stmt_isnull(st, 2));
    assert_null(cg_stmt_text(st, 1));
    assert_int_equal(cg_stmt_int(st, 2), 0);
    assert_false(cg_stmt_isnull(st, 0));

    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);

    /* A parameter used in a WHERE clause finds the Chinese text again. */
    assert_int_equal(cg_store_query(f->s, &st, "SELECT id FROM t WHERE name = ?", "s", name), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), id1);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);
}

/* A '?' inside a string literal, a quoted identifier or a comment is not a
 * placeholder: the statement has exactly one parameter, and the literal
 * comes back with its '?'. */
static void question_mark_in_literal_is_not_a_placeholder(void **state)
{
    struct fixture *f = get(state);
    cg_stmt *st = NULL;
    const char *sql = "SELECT '?' AS \"q?\", /* ? */ ?, 'it''s ?' -- what? \n";
    assert_int_equal(cg_store_prepare(f->s, sql, &st), 0);
    assert_int_equal(cg_stmt_column_count(st), 3);
    assert_int_equal(cg_stmt_bind_text(st, 2, "no", (size_t)-1), CG_ERANGE);
    assert_int_equal(cg_stmt_bind_text(st, 1, "问号", (size_t)-1), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_string_equal(cg_stmt_text(st, 0), "?");
    assert_string_equal(cg_stmt_text(st, 1), "问号");
    assert_string_equal(cg_stmt_text(st, 2), "it's ?");
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);
}

/* A statement steps through every row in order, then answers CG_DONE; after
 * reset it runs again with new bindings, not the old rows. */
static void rows_iterate_and_statement_reruns(void **state)
{
    struct fixture *f = get(state);
    create_t(f->s);
    for (int64_t i = 1; i <= 5; i++)
        assert_int_equal(
            cg_store_run(f->s, NULL, "INSERT INTO t (name, n) VALUES (?, ?)", "si", "row", i), 0);
    cg_stmt *st = NULL;
    const char *sql = "SELECT n FROM t WHERE n >= ? ORDER BY n";
    assert_int_equal(cg_store_query(f->s, &st, sql, "i", (int64_t)2), 0);
    int64_t want = 2;
    int rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW)
        assert_int_equal(cg_stmt_int(st, 0), want++);
    assert_int_equal(rc, CG_DONE);
    assert_int_equal(want, 6);
    cg_stmt_reset(st);

    assert_int_equal(cg_store_query(f->s, &st, sql, "i", (int64_t)5), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), 5);
    assert_int_equal(cg_stmt_step(st), CG_DONE);
    cg_stmt_reset(st);

    /* Reset in the middle of the rows abandons them. */
    assert_int_equal(cg_store_query(f->s, &st, sql, "i", (int64_t)1), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    cg_stmt_reset(st);
    assert_int_equal(cg_store_query(f->s, &st, sql, "i", (int64_t)4), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), 4);
    cg_stmt_reset(st);

    /* Reset clears the bindings: unbound, the parameter is NULL. */
    assert_int_equal(cg_store_query(f->s, &st, "SELECT ?", "s", "kept?"), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_string_equal(cg_stmt_text(st, 0), "kept?");
    cg_stmt_reset(st);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_true(cg_stmt_isnull(st, 0));
    assert_null(cg_stmt_text(st, 0));
    cg_stmt_reset(st);
}

/* A duplicate key is CG_EEXISTS (the API's 409), with the backend's
 * message; the statement works again after reset. A NOT NULL violation is
 * CG_ECONFLICT. */
static void constraint_violations_map_to_codes(void **state)
{
    struct fixture *f = get(state);
    assert_int_equal(cg_store_migrate(f->s, NULL, NULL), 0);
    const char *ins = "INSERT INTO meta (key, value) VALUES (?, ?)";
    assert_int_equal(cg_store_run(f->s, NULL, ins, "ss", "deployment", "a"), 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "ss", "deployment", "b"), CG_EEXISTS);
    assert_true(strlen(cg_store_errmsg(f->s)) > 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "ss", "other", "c"), 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "sn", "nullvalue"), CG_ECONFLICT);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM meta"), 2);
}

/* SQL the database rejects is CG_EDB with a message, at prepare time. */
static void syntax_error_is_edb(void **state)
{
    struct fixture *f = get(state);
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_prepare(f->s, "SELEC 1", &st), CG_EDB);
    assert_null(st);
    assert_true(strlen(cg_store_errmsg(f->s)) > 0);
    assert_int_equal(cg_store_exec_script(f->s, "SELECT * FROM no_such_table"), CG_EDB);
    /* The connection is still usable. */
    assert_int_equal(query_int(f->s, "SELECT 41 + 1"), 42);
}

/* Rollback discards the transaction's writes; commit keeps them, and
 * another connection sees them. */
static void transactions_rollback_and_commit(void **state)
{
    struct fixture *f = get(state);
    create_t(f->s);
    const char *ins = "INSERT INTO t (name, n) VALUES (?, ?)";
    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "si", "x", (int64_t)1), 0);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM t"), 1);
    assert_int_equal(cg_store_rollback(f->s), 0);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM t"), 0);

    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "si", "y", (int64_t)2), 0);
    assert_int_equal(cg_store_run(f->s, NULL, ins, "si", "z", (int64_t)3), 0);
    assert_int_equal(cg_store_commit(f->s), 0);
    assert_int_equal(query_int(f->s, "SELECT COUNT(*) FROM t"), 2);

    cg_store *s2 = NULL;
    assert_int_equal(open_again(f, &s2), 0);
    assert_int_equal(query_int(s2, "SELECT SUM(n) FROM t"), 5);
    cg_store_close(s2);
}

/* cg_store_run reports how many rows an INSERT, UPDATE or DELETE changed,
 * including none. */
static void run_reports_changes(void **state)
{
    struct fixture *f = get(state);
    create_t(f->s);
    int64_t changes = -1;
    for (int64_t i = 1; i <= 3; i++) {
        assert_int_equal(
            cg_store_run(f->s, &changes, "INSERT INTO t (name, n) VALUES (?, ?)", "si", "r", i), 0);
        assert_int_equal(changes, 1);
    }
    assert_int_equal(
        cg_store_run(f->s, &changes, "UPDATE t SET name = ? WHERE n >= ?", "si", "big", (int64_t)2),
        0);
    assert_int_equal(changes, 2);
    assert_int_equal(cg_store_run(f->s, &changes, "UPDATE t SET name = ? WHERE n > ?", "si", "none",
                                  (int64_t)99),
                     0);
    assert_int_equal(changes, 0);
    assert_int_equal(cg_store_run(f->s, &changes, "DELETE FROM t", ""), 0);
    assert_int_equal(changes, 3);
}

/* The statement cache hands back the same prepared statement for the same
 * SQL text and a different one for different text. */
static void statement_cache_reuses(void **state)
{
    struct fixture *f = get(state);
    cg_stmt *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(cg_store_prepare(f->s, "SELECT 1", &a), 0);
    assert_int_equal(cg_store_prepare(f->s, "SELECT 1", &b), 0);
    assert_int_equal(cg_store_prepare(f->s, "SELECT 2", &c), 0);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    /* Both statements still work side by side. */
    assert_int_equal(cg_stmt_step(a), CG_ROW);
    assert_int_equal(cg_stmt_step(c), CG_ROW);
    assert_int_equal(cg_stmt_int(a, 0), 1);
    assert_int_equal(cg_stmt_int(c, 0), 2);
    cg_stmt_reset(a);
    cg_stmt_reset(c);
}

/* Binding parameter 0, or one past the last, is CG_ERANGE and leaves the
 * statement usable; cg_store_query refuses an unknown format letter. */
static void bind_out_of_range(void **state)
{
    struct fixture *f = get(state);
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_prepare(f->s, "SELECT ?", &st), 0);
    assert_int_equal(cg_stmt_bind_int(st, 0, 1), CG_ERANGE);
    assert_int_equal(cg_stmt_bind_int(st, 2, 1), CG_ERANGE);
    assert_int_equal(cg_stmt_bind_text(st, 2, "x", 1), CG_ERANGE);
    assert_int_equal(cg_stmt_bind_null(st, -1), CG_ERANGE);
    assert_int_equal(cg_stmt_bind_int(st, 1, 77), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    assert_int_equal(cg_stmt_int(st, 0), 77);
    cg_stmt_reset(st);

    assert_int_equal(cg_store_prepare(f->s, "SELECT 3", &st), 0);
    assert_int_equal(cg_stmt_bind_int(st, 1, 1), CG_ERANGE);
    cg_stmt_reset(st);

    assert_int_equal(cg_store_query(f->s, &st, "SELECT ?", "x", 1), CG_EINVAL);
    assert_int_equal(cg_store_query(f->s, &st, "SELECT ?", "ii", (int64_t)1, (int64_t)2),
                     CG_ERANGE);
}

/* A write lock held by another connection gives CG_EBUSY (the API's 503),
 * not a generic database error: SQLite's BEGIN IMMEDIATE waits out its busy
 * timeout, PostgreSQL's row update its lock_timeout. */
static void lock_held_elsewhere_is_busy(void **state)
{
    struct fixture *f = get(state);
    create_t(f->s);
    assert_int_equal(cg_store_run(f->s, NULL, "INSERT INTO t (name, n) VALUES ('a', 1)", ""), 0);
    cg_store *s2 = NULL;
    assert_int_equal(open_again(f, &s2), 0);
    /* Short waits, so the test takes milliseconds, not the default 5 s. */
    assert_int_equal(cg_store_exec_script(s2, f->pg ? "SET lock_timeout = '100ms'"
                                                    : "PRAGMA busy_timeout = 100"),
                     0);

    assert_int_equal(cg_store_begin(f->s), 0);
    assert_int_equal(cg_store_run(f->s, NULL, "UPDATE t SET n = 2", ""), 0);

    int rc = cg_store_begin(s2);
    if (rc == 0) {
        rc = cg_store_run(s2, NULL, "UPDATE t SET n = 3", "");
        cg_store_rollback(s2);
    }
    assert_int_equal(rc, CG_EBUSY);
    assert_true(strlen(cg_store_errmsg(s2)) > 0);

    assert_int_equal(cg_store_commit(f->s), 0);
    /* Once the lock is gone the other connection writes. */
    assert_int_equal(cg_store_begin(s2), 0);
    assert_int_equal(cg_store_run(s2, NULL, "UPDATE t SET n = 3", ""), 0);
    assert_int_equal(cg_store_commit(s2), 0);
    cg_store_close(s2);
    assert_int_equal(query_int(f->s, "SELECT n FROM t"), 3);
}

/* PostgreSQL only: a connection the server has dropped answers CG_EIO, so a
 * server restart is told apart from a bad query. */
static void lost_connection_is_eio(void **state)
{
    struct fixture *f = get(state);
    if (!f->pg)
        skip();
    cg_store *victim = NULL;
    assert_int_equal(open_again(f, &victim), 0);
    int64_t pid = query_int(victim, "SELECT pg_backend_pid()");
    cg_stmt *st = NULL;
    assert_int_equal(cg_store_query(f->s, &st, "SELECT pg_terminate_backend(?)", "i", pid), 0);
    assert_int_equal(cg_stmt_step(st), CG_ROW);
    cg_stmt_reset(st);
    /* The server may take a moment to close the session. */
    int rc = 0;
    for (int i = 0; i < 50 && rc == 0; i++) {
        rc = cg_store_exec_script(victim, "SELECT 1");
        if (rc == 0)
            usleep(20000);
    }
    assert_int_equal(rc, CG_EIO);
    assert_true(strlen(cg_store_errmsg(victim)) > 0);
    cg_store_close(victim);
}

#define STORE_TESTS(setup)                                                                         \
    {                                                                                              \
        cmocka_unit_test_setup_teardown(open_bad_url_fails_with_message, setup, teardown),         \
            cmocka_unit_test_setup_teardown(migrate_empty_db, setup, teardown),                    \
            cmocka_unit_test_setup_teardown(migrate_twice_is_noop, setup, teardown),               \
            cmocka_unit_test_setup_teardown(migrate_refuses_newer_schema, setup, teardown),        \
            cmocka_unit_test_setup_teardown(bind_and_read_values, setup, teardown),                \
            cmocka_unit_test_setup_teardown(question_mark_in_literal_is_not_a_placeholder, setup,  \
                                            teardown),                                             \
            cmocka_unit_test_setup_teardown(rows_iterate_and_statement_reruns, setup, teardown),   \
            cmocka_unit_test_setup_teardown(constraint_violations_map_to_codes, setup, teardown),  \
            cmocka_unit_test_setup_teardown(syntax_error_is_edb, setup, teardown),                 \
            cmocka_unit_test_setup_teardown(transactions_rollback_and_commit, setup, teardown),    \
            cmocka_unit_test_setup_teardown(run_reports_changes, setup, teardown),                 \
            cmocka_unit_test_setup_teardown(statement_cache_reuses, setup, teardown),              \
            cmocka_unit_test_setup_teardown(bind_out_of_range, setup, teardown),                   \
            cmocka_unit_test_setup_teardown(lock_held_elsewhere_is_busy, setup, teardown),         \
            cmocka_unit_test_setup_teardown(lost_connection_is_eio, setup, teardown),              \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = STORE_TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = STORE_TESTS(setup_pg);
    int failed = cmocka_run_group_tests_name("store/sqlite", sqlite_tests, NULL, NULL);
    const char *pg = getenv("CIVGRID_TEST_PG");
    if (!pg || !*pg)
        print_message("CIVGRID_TEST_PG is not set: the PostgreSQL tests are skipped"
                      " (scripts/pg-temp.sh starts a server)\n");
    failed += cmocka_run_group_tests_name("store/postgresql", pg_tests, NULL, NULL);
    return failed ? 1 : 0;
}
