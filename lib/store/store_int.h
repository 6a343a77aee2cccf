/* The store's ops table: what a backend implements. Internal to lib/store. */
#ifndef CIVGRID_STORE_INT_H
#define CIVGRID_STORE_INT_H

#include "civgrid/store.h"

struct cg_store_ops {
    const char *name;
    /* Opens s->conn from url; on failure writes the reason to s->errmsg. */
    int (*open)(cg_store *s, const char *url);
    void (*close)(cg_store *s);
    int (*set_busy_timeout)(cg_store *s, int ms); /* optional */
    int (*exec_script)(cg_store *s, const char *sql);
    /* SQL for beginning a write transaction. */
    const char *begin_sql;
    /* Run inside the migration transaction to keep two processes from
     * migrating at once (NULL where begin_sql already does). */
    const char *migration_lock_sql;
    /* Creates st->impl for st->sql. */
    int (*prepare)(cg_stmt *st);
    void (*finalize)(cg_stmt *st);
    int (*bind_int)(cg_stmt *st, int i, int64_t v);
    int (*bind_text)(cg_stmt *st, int i, const char *text, size_t len);
    int (*bind_null)(cg_stmt *st, int i);
    int (*step)(cg_stmt *st);
    int (*column_count)(cg_stmt *st);
    int (*isnull)(cg_stmt *st, int col);
    int64_t (*col_int)(cg_stmt *st, int col);
    const char *(*col_text)(cg_stmt *st, int col);
    int64_t (*changes)(cg_stmt *st);
    void (*reset)(cg_stmt *st);
    /* Bulk loads (store.h); each NULL where the backend needs nothing. */
    int (*bulk_tune)(cg_store *s, struct cg_bulk *b);     /* save settings, then tune */
    void (*bulk_restore)(cg_store *s, struct cg_bulk *b); /* put the saved settings back */
    /* Drops table's indexes (unique ones too when unique), keeping in b the
     * statements that build them again. */
    int (*bulk_drop_indexes)(cg_store *s, struct cg_bulk *b, const char *table, int unique);
    /* What the migration placeholders stand for on this backend. */
    const char *id_column;       /* {{id}}: an auto-increment integer primary key */
    const char *bytes_collation; /* {{bytes}}: compare text byte by byte, so that
                                    prefix ranges (paths, name starts) hold */
    /* Sets this connection's commits to survive what each enum cg_durability
     * level promises (writer.h), indexed by the level. */
    const char *durability_sql[2];
};

/* A bulk load's state on one connection. */
struct cg_bulk {
    int64_t saved;  /* the backend's setting before the load (SQLite: cache_size) */
    char **rebuild; /* statements that build the dropped indexes again */
    size_t nrebuild;
};

struct cg_stmt {
    cg_store *store;
    char *sql;            /* owned copy; the cache key */
    void *impl;           /* backend's statement */
    struct cg_stmt *next; /* cache chain */
    double started;       /* monotonic seconds of the first step, 0 if idle */
};

#define CG_STMT_BUCKETS 64

struct cg_store {
    const struct cg_store_ops *ops;
    void *conn;
    int busy_timeout_ms; /* how long a lock wait may last */
    double busy_since;   /* monotonic start of the current lock wait */
    char errmsg[512];
    cg_readlog *readlog; /* where audit records of reads go, or NULL */
    cg_writer *writer;   /* what commits audited changes, or NULL */
    cg_stmt *cache[CG_STMT_BUCKETS];
    const struct cg_store_hook *hook; /* cg_store_hook_set */
    void *hook_state;
};

extern const struct cg_store_ops cg__sqlite_ops;
extern const struct cg_store_ops cg__pg_ops;

/* Records the backend message for the last failure. */
void cg__store_set_error(cg_store *s, const char *msg);

/* Records one statement execution's time for /metrics. */
void cg__store_observe(double seconds, int rc);

#endif
