#include "civgrid/readlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/log.h"

/* How often the mover carries records into the audit table: one commit to
 * the database a second instead of one per read. */
#define MOVE_EVERY_SECONDS 1

/* The log is two files, "<database>-reads.0" and ".1", attached as r0 and
 * r1. The writer appends to one while the mover empties the other: deleting
 * moved records from the file being written would hold its write lock
 * against the writer (20 ms a second, measured; every request waited). */
#define FILES 2
static const char *const insert_sql[FILES] = {CG_AUDIT_INSERT("r0.reads"),
                                              CG_AUDIT_INSERT("r1.reads")};

/* A record waiting for the writer; it lives on the appending thread's stack,
 * which waits until done is set. */
struct pending {
    const struct cg_audit_row *row;
    int rc, done;
    struct pending *next;
};

struct cg_readlog {
    char *path[FILES]; /* the log's files */
    cg_store *log;     /* the writer thread's connection, both files attached */
    cg_store *main;    /* the mover's connection to the database, both attached */
    pthread_t writer, mover;
    int threads; /* how many of the two were started */
    pthread_mutex_t mu;
    pthread_cond_t work, written, move, moved;
    struct pending *head, *tail;
    int active;  /* the file new batches go to */
    int writing; /* the file of the batch being committed, or -1 */
    uint64_t move_wanted, move_done;
    int move_rc;
    int64_t moved_upto[FILES]; /* the last seq of each file in the audit table */
    int writer_stopping;       /* no more appends; the writer drains and ends */
    int mover_stopping;        /* the mover moves once more and ends */
};

/* Each file's records keep rising numbers (AUTOINCREMENT), also once
 * emptied: readlog_moved.upto stays meaningful. */
#define FILE_SCHEMA(r)                                                                             \
    "CREATE TABLE IF NOT EXISTS " r ".reads (seq INTEGER PRIMARY KEY AUTOINCREMENT,"               \
    " at INTEGER NOT NULL, actor_id INTEGER, actor TEXT NOT NULL, client_ip TEXT,"                 \
    " action TEXT NOT NULL, object_type TEXT, object_id TEXT, outcome TEXT NOT NULL,"              \
    " area_path TEXT, detail TEXT);"                                                               \
    " PRAGMA " r ".journal_mode = WAL; PRAGMA " r ".synchronous = NORMAL;"
static const char *const file_schema[FILES] = {FILE_SCHEMA("r0"), FILE_SCHEMA("r1")};

/* A new file numbers its records after what the audit table has taken from
 * its namesake, so that no record is skipped as moved already. */
static const char *const seq_floor_sql[FILES][2] = {
    {"INSERT INTO r0.sqlite_sequence (name, seq) SELECT 'reads', 0 WHERE NOT EXISTS"
     " (SELECT 1 FROM r0.sqlite_sequence WHERE name = 'reads')",
     "UPDATE r0.sqlite_sequence SET seq = ? WHERE name = 'reads' AND seq < ?"},
    {"INSERT INTO r1.sqlite_sequence (name, seq) SELECT 'reads', 0 WHERE NOT EXISTS"
     " (SELECT 1 FROM r1.sqlite_sequence WHERE name = 'reads')",
     "UPDATE r1.sqlite_sequence SET seq = ? WHERE name = 'reads' AND seq < ?"}};

/* The file behind a SQLite url, or NULL when there is none to put a log
 * beside (PostgreSQL, memory, URI file names). */
static const char *sqlite_file(const char *url)
{
    if (!strncmp(url, "postgres", 8))
        return NULL;
    if (!strncmp(url, "sqlite:", 7))
        url += 7;
    if (!*url || !strcmp(url, ":memory:") || !strncmp(url, "file:", 5))
        return NULL;
    return url;
}

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

/* ---- the writer: group commit ---- */

/* A deferred BEGIN: the first insert locks only the file written; BEGIN
 * IMMEDIATE would lock the other file too, against the mover. */
static int write_batch(cg_store *s, int file, const struct pending *batch)
{
    int rc = cg_store_exec_script(s, "BEGIN");
    for (const struct pending *p = batch; !rc && p; p = p->next)
        rc = cg_audit_insert(s, insert_sql[file], p->row);
    if (!rc)
        rc = cg_store_commit(s);
    if (rc)
        cg_store_rollback(s);
    return rc;
}

/* Whatever queued while the last batch was being committed is the next batch. */
static void *writer_main(void *arg)
{
    cg_readlog *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->head && !l->writer_stopping)
            pthread_cond_wait(&l->work, &l->mu);
        if (!l->head)
            break;
        struct pending *batch = l->head;
        l->head = l->tail = NULL;
        int file = l->writing = l->active;
        pthread_mutex_unlock(&l->mu);
        int rc = write_batch(l->log, file, batch);
        pthread_mutex_lock(&l->mu);
        l->writing = -1;
        while (batch) {
            struct pending *next = batch->next; /* gone once its thread sees done */
            batch->rc = rc;
            batch->done = 1;
            batch = next;
        }
        pthread_cond_broadcast(&l->written);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int cg_readlog_append(cg_readlog *l, const struct cg_audit_row *row)
{
    struct pending p = {row, 0, 0, NULL};
    pthread_mutex_lock(&l->mu);
    if (l->writer_stopping) {
        pthread_mutex_unlock(&l->mu);
        return CG_EBUSY;
    }
    if (l->tail)
        l->tail->next = &p;
    else
        l->head = &p;
    l->tail = &p;
    pthread_cond_signal(&l->work);
    while (!p.done)
        pthread_cond_wait(&l->written, &l->mu);
    pthread_mutex_unlock(&l->mu);
    return p.rc;
}

/* ---- the mover ---- */

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

/* Turns the writer to the other file, waits out a batch still going to the
 * old one, moves, and empties the old file, which nothing writes to now. */
static int move_records(cg_readlog *l)
{
    pthread_mutex_lock(&l->mu);
    int old = l->active;
    l->active = (old + 1) % FILES;
    while (l->writing == old)
        pthread_cond_wait(&l->written, &l->mu);
    pthread_mutex_unlock(&l->mu);
    int rc = copy_records(l, old);
    if (!rc)
        rc = cg_store_run(l->main, NULL, clear_sql[old], "i", l->moved_upto[old]);
    if (!rc)
        rc = cg_store_exec_script(l->main, "PRAGMA r0.wal_checkpoint(PASSIVE);"
                                           " PRAGMA r1.wal_checkpoint(PASSIVE);"
                                           " PRAGMA main.wal_checkpoint(PASSIVE)");
    return rc;
}

static void *mover_main(void *arg)
{
    cg_readlog *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        if (l->move_wanted == l->move_done && !l->mover_stopping) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            t.tv_sec += MOVE_EVERY_SECONDS;
            pthread_cond_timedwait(&l->move, &l->mu, &t);
        }
        uint64_t wanted = l->move_wanted;
        int stop = l->mover_stopping;
        pthread_mutex_unlock(&l->mu);
        int rc = move_records(l);
        if (rc && rc != CG_EBUSY)
            cg_log(CG_LOG_ERROR, "read log: moving records into the audit table: %s (%s)",
                   cg_strerror(rc), cg_store_errmsg(l->main));
        pthread_mutex_lock(&l->mu);
        l->move_done = wanted;
        l->move_rc = rc;
        pthread_cond_broadcast(&l->moved);
        if (stop)
            break;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int cg_readlog_flush(cg_readlog *l)
{
    pthread_mutex_lock(&l->mu);
    uint64_t want = ++l->move_wanted;
    pthread_cond_signal(&l->move);
    while (l->move_done < want)
        pthread_cond_wait(&l->moved, &l->mu);
    int rc = l->move_rc;
    pthread_mutex_unlock(&l->mu);
    return rc;
}

/* ---- life cycle ---- */

/* Attaches both files to s as r0 and r1 (creating them), with their table. */
static int attach_files(cg_readlog *l, cg_store *s)
{
    static const char *const names[FILES] = {"r0", "r1"};
    int rc = 0;
    for (int f = 0; !rc && f < FILES; f++) {
        rc = cg_store_run(s, NULL, "ATTACH DATABASE ? AS ?", "ss", l->path[f], names[f]);
        if (!rc)
            rc = cg_store_exec_script(s, file_schema[f]);
    }
    /* The mover checkpoints every file itself, after each move. */
    return rc ? rc : cg_store_exec_script(s, "PRAGMA wal_autocheckpoint = 0");
}

static int open_files(cg_readlog *l, const char *url, char **errmsg_out)
{
    int rc = cg_store_open(":memory:", &l->log, errmsg_out);
    if (!rc)
        rc = attach_files(l, l->log);
    if (!rc)
        rc = cg_store_open(url, &l->main, errmsg_out);
    if (!rc)
        rc = attach_files(l, l->main);
    for (int f = 0; !rc && f < FILES; f++) {
        rc = read_upto(l->main, f, &l->moved_upto[f]);
        if (!rc)
            rc = cg_store_run(l->main, NULL, seq_floor_sql[f][0], "");
        if (!rc)
            rc = cg_store_run(l->main, NULL, seq_floor_sql[f][1], "ii", l->moved_upto[f],
                              l->moved_upto[f]);
    }
    if (!rc)
        rc = copy_records(l, 0); /* what a process that stopped abruptly left */
    if (rc && errmsg_out && !*errmsg_out) {
        const char *m = cg_store_errmsg(l->main ? l->main : l->log);
        *errmsg_out = strdup(m && *m ? m : cg_strerror(rc));
    }
    return rc;
}

static int start_threads(cg_readlog *l)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC))
        return CG_EINTERNAL;
    int rc = pthread_mutex_init(&l->mu, NULL) || pthread_cond_init(&l->work, NULL) ||
                     pthread_cond_init(&l->written, NULL) || pthread_cond_init(&l->move, &attr) ||
                     pthread_cond_init(&l->moved, NULL)
                 ? CG_EINTERNAL
                 : 0;
    pthread_condattr_destroy(&attr);
    if (!rc && !pthread_create(&l->writer, NULL, writer_main, l))
        l->threads++;
    if (!rc && l->threads == 1 && !pthread_create(&l->mover, NULL, mover_main, l))
        l->threads++;
    return rc ? rc : (l->threads == 2 ? 0 : CG_EINTERNAL);
}

int cg_readlog_open(const char *url, cg_readlog **out, char **errmsg_out)
{
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = NULL;
    const char *file = sqlite_file(url);
    if (!file)
        return 0;
    cg_readlog *l = calloc(1, sizeof *l);
    if (!l)
        return CG_ENOMEM;
    l->writing = -1;
    size_t n = strlen(file) + sizeof "-reads.0";
    int rc = 0;
    for (int f = 0; !rc && f < FILES; f++)
        if ((l->path[f] = malloc(n)))
            snprintf(l->path[f], n, "%s-reads.%d", file, f);
        else
            rc = CG_ENOMEM;
    if (!rc)
        rc = open_files(l, url, errmsg_out);
    if (!rc)
        rc = start_threads(l);
    if (rc) {
        cg_readlog_close(l);
        return rc;
    }
    *out = l;
    return 0;
}

static void stop(cg_readlog *l, pthread_t thread, int *flag, pthread_cond_t *cond)
{
    pthread_mutex_lock(&l->mu);
    *flag = 1;
    pthread_cond_signal(cond);
    pthread_mutex_unlock(&l->mu);
    pthread_join(thread, NULL);
}

/* Records left in the files, after a last move that empties both. */
static int64_t records_left(cg_readlog *l)
{
    int64_t left = 0, n = 1;
    if (!l->main || copy_records(l, l->active))
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
    /* The writer first (it drains its queue), then the mover's last move. */
    if (l->threads >= 1)
        stop(l, l->writer, &l->writer_stopping, &l->work);
    if (l->threads == 2)
        stop(l, l->mover, &l->mover_stopping, &l->move);
    int64_t left = records_left(l);
    if (l->threads) {
        pthread_mutex_destroy(&l->mu);
        pthread_cond_destroy(&l->work);
        pthread_cond_destroy(&l->written);
        pthread_cond_destroy(&l->move);
        pthread_cond_destroy(&l->moved);
    }
    cg_store_close(l->main);
    cg_store_close(l->log);
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
