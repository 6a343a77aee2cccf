/* The SQLite backend: WAL, foreign keys, a busy timeout, statements kept
 * prepared for the life of the connection. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "store_int.h"

/* How long a writer waits for another writer before the request answers 503. */
#define BUSY_TIMEOUT_MS 5000

static int map_rc(cg_store *s, int rc)
{
    sqlite3 *db = s->conn;
    if (db)
        cg__store_set_error(s, sqlite3_errmsg(db));
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return CG_EBUSY;
    case SQLITE_NOMEM:
        return CG_ENOMEM;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return CG_EEXISTS;
        return CG_ECONFLICT;
    case SQLITE_TOOBIG:
        return CG_ETOOBIG;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
        return CG_EIO;
    default:
        return CG_EDB;
    }
}

static int sq_exec_script(cg_store *s, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(s->conn, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        int mapped = map_rc(s, sqlite3_extended_errcode(s->conn));
        if (err)
            cg__store_set_error(s, err);
        sqlite3_free(err);
        return mapped;
    }
    return 0;
}

/* Waits for another connection's write lock. SQLite's own handler sleeps 1,
 * 2, 5, 10 ... ms between tries, while the writes it waits for (an audit
 * row, a login) take tens of microseconds: under concurrent reads that
 * audit themselves, those sleeps were the whole tail latency. Retrying every
 * 50-200 us keeps the wait close to the real one, up to the same timeout. */
static int busy_wait(void *ctx, int tries)
{
    cg_store *s = ctx;
    double now = cg_monotonic();
    if (tries == 0)
        s->busy_since = now;
    if ((now - s->busy_since) * 1000 >= s->busy_timeout_ms)
        return 0; /* give up: the caller answers 503 */
    struct timespec pause = {0, tries < 20 ? 50000 : 200000};
    nanosleep(&pause, NULL);
    return 1;
}

static int sq_set_busy_timeout(cg_store *s, int ms)
{
    s->busy_timeout_ms = ms;
    return map_rc(s, sqlite3_busy_handler(s->conn, busy_wait, s));
}

static int sq_open(cg_store *s, const char *url)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    int rc = sqlite3_open_v2(url, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", url, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        cg__store_set_error(s, msg);
        sqlite3_close(db);
        return rc == SQLITE_CANTOPEN ? CG_EIO : CG_EDB;
    }
    s->conn = db;
    sqlite3_extended_result_codes(db, 1);
    sq_set_busy_timeout(s, BUSY_TIMEOUT_MS);
    /* WAL lets readers run beside the one writer; NORMAL sync is durable
     * against application crashes and costs one fsync per checkpoint, not
     * per commit. */
    /* 32 MB of page cache per connection (the default 2 MB spills to disk
     * when a county's residents are loaded at once); it fills only as used.
     * Reads go through a memory map of up to 4 GB: a city's registry is
     * larger than any page cache, and without the map every page missed
     * was a pread() system call (half the CPU of a search, measured). */
    rc = sq_exec_script(
        s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
           " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;"
           " PRAGMA mmap_size=4294967296;");
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", url, sqlite3_errmsg(db));
        cg__store_set_error(s, msg);
        sqlite3_close(db);
        s->conn = NULL;
    }
    return rc;
}

static void sq_close(cg_store *s)
{
    sqlite3_close(s->conn);
    s->conn = NULL;
}

static int sq_prepare(cg_stmt *st)
{
    sqlite3_stmt *stmt = NULL;
    /* BEGIN IMMEDIATE already serialises writers: a trailing CG_FOR_UPDATE,
     * which SQLite's grammar lacks, is left out (store.h). */
    size_t n = strlen(st->sql), tail = strlen(CG_FOR_UPDATE);
    if (n > tail && !strcmp(st->sql + n - tail, CG_FOR_UPDATE))
        n -= tail;
    int rc = sqlite3_prepare_v3(st->store->conn, st->sql, (int)n, SQLITE_PREPARE_PERSISTENT, &stmt,
                                NULL);
    if (rc != SQLITE_OK)
        return map_rc(st->store, rc);
    st->impl = stmt;
    return 0;
}

static void sq_finalize(cg_stmt *st)
{
    sqlite3_finalize(st->impl);
    st->impl = NULL;
}

static int sq_bind_int(cg_stmt *st, int i, int64_t v)
{
    int rc = sqlite3_bind_int64(st->impl, i, v);
    return rc == SQLITE_OK ? 0 : (rc == SQLITE_RANGE ? CG_ERANGE : map_rc(st->store, rc));
}

static int sq_bind_text(cg_stmt *st, int i, const char *text, size_t len)
{
    int rc = sqlite3_bind_text64(st->impl, i, text, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    return rc == SQLITE_OK ? 0 : (rc == SQLITE_RANGE ? CG_ERANGE : map_rc(st->store, rc));
}

static int sq_bind_null(cg_stmt *st, int i)
{
    int rc = sqlite3_bind_null(st->impl, i);
    return rc == SQLITE_OK ? 0 : (rc == SQLITE_RANGE ? CG_ERANGE : map_rc(st->store, rc));
}

static int sq_step(cg_stmt *st)
{
    int rc = sqlite3_step(st->impl);
    if (rc == SQLITE_ROW)
        return CG_ROW;
    if (rc == SQLITE_DONE)
        return CG_DONE;
    return map_rc(st->store, sqlite3_extended_errcode(st->store->conn));
}

static int sq_column_count(cg_stmt *st)
{
    return sqlite3_column_count(st->impl);
}

static int sq_isnull(cg_stmt *st, int col)
{
    return sqlite3_column_type(st->impl, col) == SQLITE_NULL;
}

static int64_t sq_col_int(cg_stmt *st, int col)
{
    return sqlite3_column_int64(st->impl, col);
}

static const char *sq_col_text(cg_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->impl, col);
}

static int64_t sq_changes(cg_stmt *st)
{
    return sqlite3_changes64(st->store->conn);
}

static void sq_reset(cg_stmt *st)
{
    sqlite3_reset(st->impl);
    sqlite3_clear_bindings(st->impl);
}

/* SQLite's default page cache (2 MB) thrashes once the indexes of a big
 * table outgrow it: a load gets 64 MB while it runs. */
static int sq_bulk_tune(cg_store *s, struct cg_bulk *b)
{
    cg_stmt *st = NULL;
    b->saved = -2000; /* SQLite's default */
    if (!cg_store_query(s, &st, "PRAGMA cache_size", "")) {
        if (cg_stmt_step(st) == CG_ROW)
            b->saved = cg_stmt_int(st, 0);
        cg_stmt_reset(st);
    }
    if (!b->saved)
        b->saved = -2000;
    if (b->saved > -65536 && b->saved < 65536 / 4) /* pages of 4 KB when positive */
        return cg_store_exec_script(s, "PRAGMA cache_size = -65536");
    b->saved = 0; /* already large: nothing to put back */
    return 0;
}

static void sq_bulk_restore(cg_store *s, struct cg_bulk *b)
{
    if (!b->saved)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)b->saved);
    cg_store_exec_script(s, sql);
}

/* The statements come from SQLite's own catalog, never from input; an index
 * name with a quote in it (which the migrations never make) is refused. */
static int sq_bulk_drop_indexes(cg_store *s, struct cg_bulk *b, const char *table, int unique)
{
    cg_stmt *st = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc = cg_store_query(
        s, &st,
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL AND (CAST(? AS INTEGER) = 1 OR upper(sql) NOT LIKE 'CREATE UNIQUE%')",
        "si", table, (int64_t)(unique != 0));
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        rc = 0;
        char **nn = realloc(names, (n + 1) * sizeof *nn),
             **cc = realloc(b->rebuild, (b->nrebuild + 1) * sizeof *cc);
        if (nn)
            names = nn;
        if (cc)
            b->rebuild = cc;
        if (!nn || !cc) {
            rc = CG_ENOMEM;
            break;
        }
        names[n++] = strdup(cg_stmt_text(st, 0));
        b->rebuild[b->nrebuild++] = strdup(cg_stmt_text(st, 1));
        if (!names[n - 1] || !b->rebuild[b->nrebuild - 1])
            rc = CG_ENOMEM;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE)
        rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        char drop[256];
        int len = snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", names[i]);
        rc = len > 0 && (size_t)len < sizeof drop && !strchr(names[i], '"')
                 ? cg_store_exec_script(s, drop)
                 : CG_EINTERNAL;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc) { /* nothing to build again: the caller rolls the drop back */
        for (size_t i = 0; i < b->nrebuild; i++)
            free(b->rebuild[i]);
        free(b->rebuild);
        b->rebuild = NULL;
        b->nrebuild = 0;
    }
    return rc;
}

const struct cg_store_ops cg__sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .set_busy_timeout = sq_set_busy_timeout,
    .exec_script = sq_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_count = sq_column_count,
    .isnull = sq_isnull,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .changes = sq_changes,
    .reset = sq_reset,
    .bulk_tune = sq_bulk_tune,
    .bulk_restore = sq_bulk_restore,
    .bulk_drop_indexes = sq_bulk_drop_indexes,
    .id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .bytes_collation = "", /* BINARY, SQLite's default, already is */
    /* FULL: the WAL is fsync'd at every commit. NORMAL (the default of other
     * connections) syncs only at checkpoints: a commit survives a process
     * kill but not a power loss. */
    .durability_sql = {"PRAGMA synchronous = FULL", "PRAGMA synchronous = NORMAL"},
};
