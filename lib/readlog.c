#include "civgrid/readlog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "civgrid/log.h"
#include "civgrid/writer.h"

/* The log is two files, "<database>-reads.0" and ".1", attached as r0 and
 * r1. The writer appends to one while a move empties the other: deleting
 * moved records from the file being written would hold its write lock
 * against the writer (20 ms a second, measured; every request waited). */
#define FILES 2
static const char *const insert_sql[FILES] = {CG_AUDIT_INSERT("r0.reads"),
                                              CG_AUDIT_INSERT("r1.reads")};

struct cg_readlog {
    cg_writer *writer;  /* commits the records: to the files, or (PostgreSQL) to the audit table */
    int files;          /* 1 when records wait in the two files (SQLite) */
    char *path[FILES];  /* the log's files */
    cg_store *main;     /* the moves' connection to the database, both files attached */
    _Atomic int active; /* the file new records go to; changed only by a move */
    pthread_mutex_t mu; /* guards the move's bookkeeping */
    pthread_cond_t moved;
    uint64_t move_asked, move_done; /* flushes asked for, and covered by a finished move */
    int moving, move_rc;
    int64_t moved_upto[FILES];     /* the last seq of each file in the audit table */
    enum cg_durability durability; /* of the files' commits (writer.h) */
};

/* Each file's records keep rising numbers (AUTOINCREMENT), also once
 * emptied: readlog_moved.upto stays meaningful. */
#define FILE_SCHEMA(r)                                                                             \
    "CREATE TABLE IF NOT EXISTS " r ".reads (seq INTEGER PRIMARY KEY AUTOINCREMENT,"               \
    " at INTEGER NOT NULL, actor_id INTEGER, actor TEXT NOT NULL, client_ip TEXT,"                 \
    " action TEXT NOT NULL, object_type TEXT, object_id TEXT, outcome TEXT NOT NULL,"              \
    " area_path TEXT, detail TEXT);"                                                               \
    " PRAGMA " r ".journal_mode = WAL;"
static const char *const file_schema[FILES] = {FILE_SCHEMA("r0"), FILE_SCHEMA("r1")};
/* The files' synchronous setting for each level of enum cg_durability. */
static const char *const file_sync[FILES][2] = {
    {"PRAGMA r0.synchronous = FULL", "PRAGMA r0.synchronous = NORMAL"},
    {"PRAGMA r1.synchronous = FULL", "PRAGMA r1.synchronous = NORMAL"}};

/* A new file numbers its records after what the audit table has taken from
 * its namesake, so that no record is skipped as moved already. */
static const char *const seq_floor_sql[FILES][2] = {
    {"INSERT INTO r0.sqlite_sequence (name, seq) SELECT 'reads', 0 WHERE NOT EXISTS"
     " (SELECT 1 FROM r0.sqlite_sequence WHERE name = 'reads')",
     "UPDATE r0.sqlite_sequence SET seq = ? WHERE name = 'reads' AND seq < ?"},
    {"INSERT INTO r1.sqlite_sequence (name, seq) SELECT 'reads', 0 WHERE NOT EXISTS"
     " (SELECT 1 FROM r1.sqlite_sequence WHERE name = 'reads')",
     "UPDATE r1.sqlite_sequence SET seq = ? WHERE name = 'reads' AND seq < ?"}};

static int read_int(cg_store *s, const char *sql, int64_t *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "");
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    if (!rc)
        *out = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc;
}

/* How far the audit table has taken file f. */
static int read_upto(cg_store *s, int f, int64_t *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT upto FROM readlog_moved WHERE file = ?", "i", (int64_t)f);
    if (!rc && !(rc = cg_stmt_one(st)))
        *out = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    return rc;
}

/* ---- appending: a job for the writer ---- */

struct append {
    cg_readlog *log;
    const struct cg_audit_row *row;
};

/* Runs on the writer's thread, in its batch. The file is read per record: a
 * move may turn the log to the other file in the middle of a batch, and
 * waits for that batch (cg_writer_sync) before it empties the old file. */
static int write_record(cg_store *s, void *arg)
{
    const struct append *a = arg;
    if (!a->log->files)
        return cg_audit_insert(s, CG_AUDIT_INSERT("audit"), a->row);
    return cg_audit_insert(s, insert_sql[atomic_load(&a->log->active)], a->row);
}

int cg_readlog_append(cg_readlog *l, const struct cg_audit_row *row)
{
    struct append a = {l, row};
    struct cg_writer_job job = {write_record, NULL, &a};
    return cg_writer_submit(l->writer, &job);
}

/* ---- moving records into the audit table ---- */

static const char *const last_sql[FILES] = {"SELECT COALESCE(max(seq), 0) FROM r0.reads",
                                            "SELECT COALESCE(max(seq), 0) FROM r1.reads"};
static const char *const copy_sql[FILES] = {
    "INSERT INTO audit (" CG_AUDIT_COLUMNS ") SELECT " CG_AUDIT_COLUMNS
    " FROM r0.reads WHERE seq > ? AND seq <= ? ORDER BY seq",
    "INSERT INTO audit (" CG_AUDIT_COLUMNS ") SELECT " CG_AUDIT_COLUMNS
    " FROM r1.reads WHERE seq > ? AND seq <= ? ORDER BY seq"};
static const char *const clear_sql[FILES] = {"DELETE FROM r0.reads WHERE seq <= ?",
                                             "DELETE FROM r1.reads WHERE seq <= ?"};

/* Carries the records of both files (old first) that the audit table lacks
 * into it, and advances readlog_moved, in one transaction of the database:
 * a crash before the commit leaves both as they were, after it the files'
 * copies are skipped. */
static int copy_records(cg_readlog *l, int old)
{
    cg_store *s = l->main;
    int64_t last[FILES], upto = 0;
    int rc = 0, news = 0;
    for (int f = 0; !rc && f < FILES; f++)
        if (!(rc = read_int(s, last_sql[f], &last[f])))
            news += last[f] > l->moved_upto[f];
    if (rc || !news)
        return rc; /* nothing new: no commit, so no reader drops its cache */
    /* The first statement writes, so the transaction holds the database's
     * write lock from its start without locking the log's files. */
    rc = cg_store_exec_script(s, "BEGIN");
    if (!rc)
        rc = cg_store_run(s, NULL, "UPDATE readlog_moved SET upto = upto WHERE file = 0", "");
    for (int i = 0, f = old; !rc && i < FILES; i++, f = (f + 1) % FILES) {
        rc = read_upto(s, f, &upto);
        if (!rc && last[f] > upto)
            rc = cg_store_run(s, NULL, copy_sql[f], "ii", upto, last[f]);
        if (!rc && last[f] > upto)
            rc = cg_store_run(s, NULL, "UPDATE readlog_moved SET upto = ? WHERE file = ?", "ii",
                              last[f], (int64_t)f);
    }
    if (!rc)
        rc = cg_store_commit(s);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    for (int f = 0; f < FILES; f++)
        if (last[f] > l->moved_upto[f])
            l->moved_upto[f] = last[f];
    return 0;
}

/* Turns the writer to the other file, waits out the batches that may still
 * write to the old one, moves, and empties the old file, which nothing
 * writes to now. */
static int move_records(cg_readlog *l)
{
    int old = atomic_load(&l->active);
    atomic_store(&l->active, (old + 1) % FILES);
    int rc = cg_writer_sync(l->writer);
    if (!rc)
        rc = copy_records(l, old);
    if (!rc)
        rc = cg_store_run(l->main, NULL, clear_sql[old], "i", l->moved_upto[old]);
    if (!rc)
        rc = cg_store_exec_script(l->main, "PRAGMA r0.wal_checkpoint(PASSIVE);"
                                           " PRAGMA r1.wal_checkpoint(PASSIVE);"
                                           " PRAGMA main.wal_checkpoint(PASSIVE)");
    return rc;
}

/* One move at a time, on the caller's thread. A flush asked for while
 * another move runs waits for it and, unless that move started after the
 * flush was asked, for one more: concurrent flushes share moves. */
int cg_readlog_has_files(const cg_readlog *l)
{
    return l->files;
}

int cg_readlog_flush(cg_readlog *l)
{
    if (!l->files)
        return 0; /* the writer commits to the audit table itself */
    pthread_mutex_lock(&l->mu);
    uint64_t want = ++l->move_asked;
    while (l->moving)
        pthread_cond_wait(&l->moved, &l->mu);
    if (l->move_done >= want) {
        int rc = l->move_rc;
        pthread_mutex_unlock(&l->mu);
        return rc;
    }
    uint64_t covers = l->move_asked; /* every flush asked before this move starts */
    l->moving = 1;
    pthread_mutex_unlock(&l->mu);
    int rc = move_records(l);
    if (rc && rc != CG_EBUSY)
        cg_log(CG_LOG_ERROR, "read log: moving records into the audit table: %s (%s)",
               cg_strerror(rc), cg_store_errmsg(l->main));
    pthread_mutex_lock(&l->mu);
    l->moving = 0;
    l->move_done = covers;
    l->move_rc = rc;
    pthread_cond_broadcast(&l->moved);
    pthread_mutex_unlock(&l->mu);
    return rc;
}

/* ---- life cycle ---- */

/* Attaches both files to s as r0 and r1 (creating them), with their table.
 * Also the writer's setup (writer.h). */
static int attach_files(cg_store *s, void *arg)
{
    static const char *const names[FILES] = {"r0", "r1"};
    cg_readlog *l = arg;
    int rc = 0;
    for (int f = 0; !rc && f < FILES; f++) {
        rc = cg_store_run(s, NULL, "ATTACH DATABASE ? AS ?", "ss", l->path[f], names[f]);
        if (!rc)
            rc = cg_store_exec_script(s, file_schema[f]);
        if (!rc)
            rc = cg_store_exec_script(s, file_sync[f][l->durability != CG_DURABLE_POWER_LOSS]);
    }
    /* Moves checkpoint every file themselves, after each move. */
    return rc ? rc : cg_store_exec_script(s, "PRAGMA wal_autocheckpoint = 0");
}

/* Opens the moves' connection, numbers the files after what the audit table
 * holds, and moves what a process that stopped abruptly left. */
static int open_files(cg_readlog *l, const char *url, char **errmsg_out)
{
    int rc = cg_store_open(url, &l->main, errmsg_out);
    if (!rc)
        rc = attach_files(l->main, l);
    /* A move's commit must be durable before it deletes the files' copies. */
    if (!rc)
        rc = cg_store_exec_script(l->main, "PRAGMA main.synchronous = FULL");
    for (int f = 0; !rc && f < FILES; f++) {
        rc = read_upto(l->main, f, &l->moved_upto[f]);
        if (!rc)
            rc = cg_store_run(l->main, NULL, seq_floor_sql[f][0], "");
        if (!rc)
            rc = cg_store_run(l->main, NULL, seq_floor_sql[f][1], "ii", l->moved_upto[f],
                              l->moved_upto[f]);
    }
    if (!rc)
        rc = copy_records(l, 0);
    if (rc && errmsg_out && !*errmsg_out && l->main) {
        const char *m = cg_store_errmsg(l->main);
        *errmsg_out = strdup(*m ? m : cg_strerror(rc));
    }
    return rc;
}

/* Names the two files beside the database; none when url has no file. */
static int name_files(cg_readlog *l, const char *url)
{
    static const char *const suffix[FILES] = {"-reads.0", "-reads.1"};
    int rc = 0;
    for (int f = 0; !rc && f < FILES; f++)
        rc = cg_writer_side_file(url, suffix[f], &l->path[f]);
    return rc;
}

int cg_readlog_open(const char *url, enum cg_durability durability, cg_readlog **out,
                    char **errmsg_out)
{
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = NULL;
    cg_readlog *l = calloc(1, sizeof *l);
    if (!l)
        return CG_ENOMEM;
    if (pthread_mutex_init(&l->mu, NULL) || pthread_cond_init(&l->moved, NULL)) {
        free(l);
        return CG_EINTERNAL;
    }
    l->durability = durability;
    int rc = name_files(l, url);
    l->files = l->path[0] != NULL;
    if (!rc && !l->files && strncmp(url, "postgres", 8)) {
        cg_readlog_close(l); /* an in-memory database or a URI: reads commit to the table */
        return 0;
    }
    /* On PostgreSQL the writer's target is the database itself. */
    struct cg_writer_target target = {url, NULL, NULL, CG_DURABLE_POWER_LOSS, 0};
    if (l->files)
        target = (struct cg_writer_target){":memory:", attach_files, l, durability, 0};
    if (!rc && l->files)
        rc = open_files(l, url, errmsg_out);
    if (!rc)
        rc = cg_writer_open(&target, &l->writer, errmsg_out);
    if (rc) {
        cg_readlog_close(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* Records left in the files, after a last move that empties both. */
static int64_t records_left(cg_readlog *l)
{
    int64_t left = 0, n = 1;
    if (!l->main || copy_records(l, (atomic_load(&l->active) + 1) % FILES))
        return 1;
    for (int f = 0; f < FILES; f++) {
        if (cg_store_run(l->main, NULL, clear_sql[f], "i", l->moved_upto[f]) ||
            read_int(l->main, f ? "SELECT COUNT(*) FROM r1.reads" : "SELECT COUNT(*) FROM r0.reads",
                     &n))
            return 1;
        left += n;
    }
    return left;
}

void cg_readlog_close(cg_readlog *l)
{
    if (!l)
        return;
    /* The writer drains its queue, then the last move (the caller has
     * stopped whatever called cg_readlog_flush: the server's scheduler). */
    cg_writer_close(l->writer);
    int64_t left = l->files ? records_left(l) : 0;
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->moved);
    cg_store_close(l->main);
    for (int f = 0; f < FILES; f++) {
        if (l->path[f] && left == 0) /* every record is in the audit table */
            unlink(l->path[f]);
        free(l->path[f]);
    }
    if (left && l->main)
        cg_log(CG_LOG_WARN, "read log: %lld records stay beside the database until the next start",
               (long long)left);
    free(l);
}
