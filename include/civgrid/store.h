/* The database layer: one API, two backends (SQLite and PostgreSQL).
 *
 * A database is named by one string: "postgresql://..." (or "postgres://")
 * selects PostgreSQL through libpq, anything else is a SQLite file path.
 * SQL is written once, portably, with '?' placeholders; the PostgreSQL
 * backend rewrites them to $1, $2, ... Domain code never calls sqlite3_* or
 * PQ* itself, and never builds SQL from strings: values are always bound.
 *
 * A cg_store is one connection and is not thread-safe: every thread that
 * needs the database opens its own (the HTTP server keeps one per worker
 * thread). Prepared statements are cached per connection, keyed by SQL text.
 */
#ifndef CIVGRID_STORE_H
#define CIVGRID_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_store cg_store;
typedef struct cg_stmt cg_stmt;
typedef struct cg_readlog cg_readlog;
typedef struct cg_writer cg_writer;

/* cg_stmt_step results besides negative errors. */
#define CG_DONE 0
#define CG_ROW 1

/* Opens the database named by url. Does not migrate: call cg_store_migrate.
 * SQLite is opened in WAL mode with foreign keys on and a busy timeout.
 * Errors: CG_EINVAL (empty url), CG_EDB (cannot open; see *errmsg_out if
 * non-NULL: a static-length copy the caller frees), CG_ENOMEM. */
int cg_store_open(const char *url, cg_store **out, char **errmsg_out);

/* Closes the connection, finalising cached statements. Accepts NULL. */
void cg_store_close(cg_store *s);

/* How long a statement waits for a lock held by another connection before it
 * fails with CG_EBUSY (SQLite's busy timeout, PostgreSQL's lock_timeout). */
int cg_store_set_busy_timeout(cg_store *s, int ms);

/* "sqlite" or "postgresql". */
const char *cg_store_backend(const cg_store *s);

/* The read log (readlog.h) that audit records of reads on s go to, or NULL:
 * a server sets it on each of its connections. */
void cg_store_set_readlog(cg_store *s, cg_readlog *log);
cg_readlog *cg_store_readlog(const cg_store *s);

/* The group-commit writer (writer.h) that audited changes made on s are
 * committed by, or NULL for a transaction of s's own: a server sets one
 * writer of the main database on each of its connections, so that one
 * fsync serves every change that concurrent requests make (audit.h,
 * cg_audit_change). */
void cg_store_set_writer(cg_store *s, cg_writer *w);
cg_writer *cg_store_writer(const cg_store *s);

/* The backend's message for the last failure on this connection ("" if none). */
const char *cg_store_errmsg(const cg_store *s);

/* Schema version recorded in the database (0 for an empty database). */
int cg_store_schema_version(cg_store *s, int *version);

/* Highest schema version this binary knows. */
int cg_store_latest_version(void);

/* Runs every pending migration, each in its own transaction. *from and *to
 * (either may be NULL) receive the versions before and after. Refuses with
 * CG_ESCHEMA_NEWER when the database is newer than this binary. */
int cg_store_migrate(cg_store *s, int *from, int *to);

/* Transactions. begin takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE) so that a transaction never fails half-way on a lock upgrade.
 * CG_EBUSY when the database stayed locked past the busy timeout. */
int cg_store_begin(cg_store *s);
int cg_store_commit(cg_store *s);
int cg_store_rollback(cg_store *s);

/* Work that belongs to every transaction of a connection and is done once,
 * just before it commits: the figure counts (counts.h) gather the areas a
 * transaction touched and bring their counts up to date there, so that no
 * door (API, import, demo, command) can commit a change without them. One
 * hook per connection. before_commit runs inside the transaction; when it
 * fails, the transaction is rolled back and cg_store_commit returns its
 * error. end runs after every commit and rollback (forget the transaction's
 * state); free at cg_store_close. */
struct cg_store_hook {
    int (*before_commit)(cg_store *s, void *state);
    void (*end)(void *state);
    void (*free)(void *state);
};

/* The state set with hook on s, or NULL. */
void *cg_store_hook_state(const cg_store *s, const struct cg_store_hook *hook);
/* Sets the connection's hook (CG_EEXISTS when another is set). */
int cg_store_hook_set(cg_store *s, const struct cg_store_hook *hook, void *state);

/* Ends a SELECT that reads rows the same transaction is about to change:
 * "SELECT ... WHERE id = ?" CG_FOR_UPDATE. PostgreSQL locks the rows read
 * (FOR UPDATE), so that two transactions correcting one row take turns
 * instead of both writing from the same stale read; SQLite drops the clause,
 * which it does not know, because its BEGIN IMMEDIATE already lets one
 * writer at a time in. Only at the very end of the statement, on a query of
 * one table (a join would lock the joined rows too). */
#define CG_FOR_UPDATE " FOR UPDATE"

/* Bulk loads. Domain code never tunes a backend itself: it asks the store.
 *   cg_store_bulk_begin   before the load's transaction: the connection is
 *                         tuned for many inserts (SQLite: a 64 MB page cache);
 *   cg_store_bulk_defer_indexes  inside it: drops table's non-unique indexes
 *                         (with unique != 0 the unique ones too: a first load
 *                         into an empty table), to build them again, sorted,
 *                         in cg_store_bulk_rebuild before the commit; a
 *                         rolled-back load rolls the drop back with the rest;
 *   cg_store_bulk_end     after it, committed or not: the connection (a
 *                         server thread's, reused) gets its settings back.
 * A backend that gains nothing does nothing: on PostgreSQL DROP INDEX would
 * lock readers out for the whole load, so cg_store_bulk_defers_indexes says
 * 0 and *dropped stays 0. table is a name from the caller's code, never from
 * input. */
struct cg_bulk;
int cg_store_bulk_begin(cg_store *s, struct cg_bulk **out);
int cg_store_bulk_defers_indexes(const cg_store *s);
int cg_store_bulk_defer_indexes(cg_store *s, struct cg_bulk *b, const char *table, int unique,
                                int *dropped);
int cg_store_bulk_rebuild(cg_store *s, struct cg_bulk *b);
void cg_store_bulk_end(cg_store *s, struct cg_bulk *b); /* accepts NULL */

/* Runs statements with no parameters and no results (migrations, PRAGMAs). */
int cg_store_exec_script(cg_store *s, const char *sql);

/* Returns the cached prepared statement for sql (preparing it on first use),
 * owned by the store. Call cg_stmt_reset when done with its rows. */
int cg_store_prepare(cg_store *s, const char *sql, cg_stmt **out);

/* Binds parameter i (1-based). text may be NULL (binds NULL); len is the
 * byte length, or (size_t)-1 for strlen. The text is copied. */
int cg_stmt_bind_int(cg_stmt *st, int i, int64_t v);
int cg_stmt_bind_text(cg_stmt *st, int i, const char *text, size_t len);
int cg_stmt_bind_null(cg_stmt *st, int i);

/* Advances to the next row: CG_ROW, CG_DONE, or a negative error
 * (CG_EBUSY, CG_EEXISTS for a unique violation, CG_EDB). */
int cg_stmt_step(cg_stmt *st);

/* Column access for the current row (0-based). Text stays valid until the
 * next step or reset; NULL columns give NULL text and 0. */
int cg_stmt_column_count(cg_stmt *st);
int cg_stmt_isnull(cg_stmt *st, int col);
int64_t cg_stmt_int(cg_stmt *st, int col);
const char *cg_stmt_text(cg_stmt *st, int col);

/* Steps to the first row: 0 with the row readable, CG_ENOTFOUND when there is
 * none, or an error. Either way the caller resets the statement. (CG_DONE is
 * 0, like success, which makes a bare "one row" check easy to get wrong.) */
int cg_stmt_one(cg_stmt *st);

/* Runs sql (one text parameter, one integer column) and puts the first row's
 * value in *out: for "SELECT id FROM t WHERE key = ?". CG_ENOTFOUND when
 * there is no row. */
int cg_store_lookup_id(cg_store *s, const char *sql, const char *key, int64_t *out);

/* Rows changed by the last completed INSERT/UPDATE/DELETE. */
int64_t cg_stmt_changes(cg_stmt *st);

/* Ends the current execution and clears bindings; the statement stays cached. */
void cg_stmt_reset(cg_stmt *st);

/* Prepare and bind in one call. fmt has one letter per parameter:
 * 'i' int64_t, 's' const char * (NULL binds NULL), 'z' int64_t that binds NULL
 * when 0 (optional references), 'n' no argument, binds NULL.
 * On success *out is ready to step; on failure nothing needs resetting. */
int cg_store_query(cg_store *s, cg_stmt **out, const char *sql, const char *fmt, ...);

/* Prepare, bind, step to completion and reset: for statements without rows.
 * *changes (may be NULL) receives the number of rows changed. */
int cg_store_run(cg_store *s, int64_t *changes, const char *sql, const char *fmt, ...);

/* Runs one "INSERT ... RETURNING id" (bound as cg_store_query binds) and
 * puts the new row's id in *id (may be NULL). SQLite (3.35 and later) and
 * PostgreSQL both answer RETURNING, so every insert that needs its id reads it
 * the same way. CG_EEXISTS on a unique violation. */
int cg_store_insert(cg_store *s, int64_t *id, const char *sql, const char *fmt, ...);

/* Process-wide query timing, for /metrics. Buckets are upper bounds in
 * seconds; counts are cumulative (Prometheus histogram semantics). */
#define CG_STORE_BUCKETS 8
struct cg_store_stats {
    uint64_t count;
    double sum_seconds;
    uint64_t errors;
    uint64_t busy;
    uint64_t bucket[CG_STORE_BUCKETS];
};
extern const double cg_store_bucket_bounds[CG_STORE_BUCKETS];
void cg_store_stats_get(struct cg_store_stats *out);

#endif
