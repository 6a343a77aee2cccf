/* Backend-independent part of the store: dispatch through the ops table,
 * the prepared-statement cache, the bind helpers and query timing. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "store_int.h"

static int is_pg_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

int cg_store_open(const char *url, cg_store **out, char **errmsg_out)
{
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = NULL;
    if (!url || !*url)
        return CG_EINVAL;
    cg_store *s = calloc(1, sizeof *s);
    if (!s)
        return CG_ENOMEM;
    s->ops = is_pg_url(url) ? &cg__pg_ops : &cg__sqlite_ops;
    int rc = s->ops->open(s, url);
    if (rc) {
        if (errmsg_out)
            *errmsg_out = strdup(s->errmsg);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void cg_store_set_readlog(cg_store *s, cg_readlog *log)
{
    s->readlog = log;
}

cg_readlog *cg_store_readlog(const cg_store *s)
{
    return s->readlog;
}

void cg_store_set_writer(cg_store *s, cg_writer *w)
{
    s->writer = w;
}

cg_writer *cg_store_writer(const cg_store *s)
{
    return s->writer;
}

void cg_store_close(cg_store *s)
{
    if (!s)
        return;
    if (s->hook && s->hook->free)
        s->hook->free(s->hook_state);
    for (int i = 0; i < CG_STMT_BUCKETS; i++) {
        cg_stmt *st = s->cache[i];
        while (st) {
            cg_stmt *next = st->next;
            s->ops->finalize(st);
            free(st->sql);
            free(st);
            st = next;
        }
    }
    s->ops->close(s);
    free(s);
}

int cg_store_set_busy_timeout(cg_store *s, int ms)
{
    return s->ops->set_busy_timeout ? s->ops->set_busy_timeout(s, ms) : 0;
}

const char *cg_store_backend(const cg_store *s)
{
    return s->ops->name;
}

const char *cg_store_errmsg(const cg_store *s)
{
    return s->errmsg;
}

void cg__store_set_error(cg_store *s, const char *msg)
{
    size_t n = strlen(msg);
    if (n >= sizeof s->errmsg)
        n = sizeof s->errmsg - 1;
    memcpy(s->errmsg, msg, n);
    s->errmsg[n] = '\0';
    /* Backends end their messages with newlines; the log wants one line. */
    while (n && (s->errmsg[n - 1] == '\n' || s->errmsg[n - 1] == ' '))
        s->errmsg[--n] = '\0';
}

int cg_store_exec_script(cg_store *s, const char *sql)
{
    return s->ops->exec_script(s, sql);
}

int cg_store_begin(cg_store *s)
{
    return s->ops->exec_script(s, s->ops->begin_sql);
}

void *cg_store_hook_state(const cg_store *s, const struct cg_store_hook *hook)
{
    return s->hook == hook ? s->hook_state : NULL;
}

int cg_store_hook_set(cg_store *s, const struct cg_store_hook *hook, void *state)
{
    if (s->hook && s->hook != hook)
        return CG_EEXISTS;
    s->hook = hook;
    s->hook_state = state;
    return 0;
}

static void hook_end(cg_store *s)
{
    if (s->hook && s->hook->end)
        s->hook->end(s->hook_state);
}

int cg_store_commit(cg_store *s)
{
    int rc = s->hook && s->hook->before_commit ? s->hook->before_commit(s, s->hook_state) : 0;
    if (rc)
        s->ops->exec_script(s, "ROLLBACK");
    else
        rc = s->ops->exec_script(s, "COMMIT");
    hook_end(s);
    return rc;
}

int cg_store_rollback(cg_store *s)
{
    int rc = s->ops->exec_script(s, "ROLLBACK");
    hook_end(s);
    return rc;
}

int cg_store_bulk_begin(cg_store *s, struct cg_bulk **out)
{
    struct cg_bulk *b = calloc(1, sizeof *b);
    if (!b)
        return CG_ENOMEM;
    int rc = s->ops->bulk_tune ? s->ops->bulk_tune(s, b) : 0;
    if (rc) {
        free(b);
        return rc;
    }
    *out = b;
    return 0;
}

int cg_store_bulk_defers_indexes(const cg_store *s)
{
    return s->ops->bulk_drop_indexes != NULL;
}

int cg_store_bulk_defer_indexes(cg_store *s, struct cg_bulk *b, const char *table, int unique,
                                int *dropped)
{
    *dropped = 0;
    if (!s->ops->bulk_drop_indexes)
        return 0;
    int rc = s->ops->bulk_drop_indexes(s, b, table, unique);
    *dropped = !rc;
    return rc;
}

int cg_store_bulk_rebuild(cg_store *s, struct cg_bulk *b)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < b->nrebuild; i++)
        rc = cg_store_exec_script(s, b->rebuild[i]);
    return rc;
}

void cg_store_bulk_end(cg_store *s, struct cg_bulk *b)
{
    if (!b)
        return;
    if (s->ops->bulk_restore)
        s->ops->bulk_restore(s, b);
    for (size_t i = 0; i < b->nrebuild; i++)
        free(b->rebuild[i]);
    free(b->rebuild);
    free(b);
}

static unsigned hash_sql(const char *sql)
{
    unsigned h = 2166136261u; /* FNV-1a: short, and good enough for a small cache */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % CG_STMT_BUCKETS;
}

int cg_store_prepare(cg_store *s, const char *sql, cg_stmt **out)
{
    unsigned h = hash_sql(sql);
    for (cg_stmt *st = s->cache[h]; st; st = st->next) {
        if (strcmp(st->sql, sql) == 0) {
            *out = st;
            return 0;
        }
    }
    cg_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return CG_ENOMEM;
    st->store = s;
    st->sql = strdup(sql);
    if (!st->sql) {
        free(st);
        return CG_ENOMEM;
    }
    int rc = s->ops->prepare(st);
    if (rc) {
        free(st->sql);
        free(st);
        return rc;
    }
    st->next = s->cache[h];
    s->cache[h] = st;
    *out = st;
    return 0;
}

int cg_stmt_bind_int(cg_stmt *st, int i, int64_t v)
{
    return st->store->ops->bind_int(st, i, v);
}

int cg_stmt_bind_text(cg_stmt *st, int i, const char *text, size_t len)
{
    if (!text)
        return st->store->ops->bind_null(st, i);
    if (len == (size_t)-1)
        len = strlen(text);
    return st->store->ops->bind_text(st, i, text, len);
}

int cg_stmt_bind_null(cg_stmt *st, int i)
{
    return st->store->ops->bind_null(st, i);
}

int cg_stmt_step(cg_stmt *st)
{
    double t0 = cg_monotonic();
    if (!st->started)
        st->started = t0;
    int rc = st->store->ops->step(st);
    if (rc != CG_ROW) {
        cg__store_observe(cg_monotonic() - st->started, rc);
        st->started = 0;
    }
    return rc;
}

int cg_stmt_one(cg_stmt *st)
{
    int rc = cg_stmt_step(st);
    return rc == CG_ROW ? 0 : (rc == CG_DONE ? CG_ENOTFOUND : rc);
}

int cg_store_lookup_id(cg_store *s, const char *sql, const char *key, int64_t *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "s", key);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        *out = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc;
}

int cg_stmt_column_count(cg_stmt *st)
{
    return st->store->ops->column_count(st);
}

int cg_stmt_isnull(cg_stmt *st, int col)
{
    return st->store->ops->isnull(st, col);
}

int64_t cg_stmt_int(cg_stmt *st, int col)
{
    return st->store->ops->col_int(st, col);
}

const char *cg_stmt_text(cg_stmt *st, int col)
{
    return st->store->ops->col_text(st, col);
}

int64_t cg_stmt_changes(cg_stmt *st)
{
    return st->store->ops->changes(st);
}

void cg_stmt_reset(cg_stmt *st)
{
    if (!st)
        return;
    if (st->started) {
        cg__store_observe(cg_monotonic() - st->started, 0);
        st->started = 0;
    }
    st->store->ops->reset(st);
}

static int bind_va(cg_stmt *st, const char *fmt, va_list ap)
{
    int rc = 0;
    for (int i = 0; fmt[i] && !rc; i++) {
        switch (fmt[i]) {
        case 'i':
            rc = cg_stmt_bind_int(st, i + 1, va_arg(ap, int64_t));
            break;
        case 's':
            rc = cg_stmt_bind_text(st, i + 1, va_arg(ap, const char *), (size_t)-1);
            break;
        case 'z': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? cg_stmt_bind_int(st, i + 1, v) : cg_stmt_bind_null(st, i + 1);
            break;
        }
        case 'n':
            rc = cg_stmt_bind_null(st, i + 1);
            break;
        default:
            rc = CG_EINVAL;
        }
    }
    return rc;
}

/* Prepares sql and binds its parameters: *st stays NULL when the statement
 * could not be prepared, else it is set and the caller resets it, whatever
 * the binding returned. */
static int prepare_bind(cg_store *s, cg_stmt **st, const char *sql, const char *fmt, va_list ap)
{
    cg_stmt *prepared = NULL;
    int rc = cg_store_prepare(s, sql, &prepared);
    if (rc)
        return rc;
    *st = prepared;
    return bind_va(prepared, fmt, ap);
}

int cg_store_query(cg_store *s, cg_stmt **out, const char *sql, const char *fmt, ...)
{
    cg_stmt *st = NULL;
    int rc = cg_store_prepare(s, sql, &st);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    rc = bind_va(st, fmt, ap);
    va_end(ap);
    if (rc) {
        cg_stmt_reset(st);
        return rc;
    }
    *out = st;
    return 0;
}

int cg_store_run(cg_store *s, int64_t *changes, const char *sql, const char *fmt, ...)
{
    cg_stmt *st = NULL;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bind(s, &st, sql, fmt, ap);
    va_end(ap);
    if (!st)
        return rc;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW)
        ;
    if (rc == CG_DONE) {
        rc = 0;
        if (changes)
            *changes = cg_stmt_changes(st);
    }
    cg_stmt_reset(st);
    return rc;
}

int cg_store_insert(cg_store *s, int64_t *id, const char *sql, const char *fmt, ...)
{
    cg_stmt *st = NULL;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bind(s, &st, sql, fmt, ap);
    va_end(ap);
    if (!st)
        return rc;
    if (!rc)
        rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        if (id)
            *id = cg_stmt_int(st, 0);
        rc = 0;
    } else if (rc == CG_DONE) {
        rc = CG_EDB; /* the statement lacks its RETURNING clause */
    }
    cg_stmt_reset(st);
    return rc;
}

/* ---- timing for /metrics ---- */

const double cg_store_bucket_bounds[CG_STORE_BUCKETS] = {0.0001, 0.0005, 0.001, 0.005,
                                                         0.01,   0.05,   0.1,   1.0};

static _Atomic uint64_t stat_count, stat_errors, stat_busy, stat_sum_ns;
static _Atomic uint64_t stat_bucket[CG_STORE_BUCKETS];

void cg__store_observe(double seconds, int rc)
{
    atomic_fetch_add_explicit(&stat_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&stat_sum_ns, (uint64_t)(seconds * 1e9), memory_order_relaxed);
    if (rc < 0)
        atomic_fetch_add_explicit(&stat_errors, 1, memory_order_relaxed);
    if (rc == CG_EBUSY)
        atomic_fetch_add_explicit(&stat_busy, 1, memory_order_relaxed);
    for (int i = 0; i < CG_STORE_BUCKETS; i++)
        if (seconds <= cg_store_bucket_bounds[i])
            atomic_fetch_add_explicit(&stat_bucket[i], 1, memory_order_relaxed);
}

void cg_store_stats_get(struct cg_store_stats *out)
{
    out->count = atomic_load(&stat_count);
    out->sum_seconds = (double)atomic_load(&stat_sum_ns) / 1e9;
    out->errors = atomic_load(&stat_errors);
    out->busy = atomic_load(&stat_busy);
    for (int i = 0; i < CG_STORE_BUCKETS; i++)
        out->bucket[i] = atomic_load(&stat_bucket[i]);
}
