/* Versioned migrations. Each lib/store/migrations/NNNN_name.sql is one
 * version, applied in order, each in its own transaction together with its
 * row in schema_migrations, so that a crash leaves the database at a whole
 * version. {{id}} stands for the backend's auto-increment primary key and
 * {{bytes}} for a byte-order collation (see store_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "embedded.h"
#include "civgrid/error.h"
#include "store_int.h"

static const char create_versions[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                      " version INTEGER PRIMARY KEY,"
                                      " name TEXT NOT NULL,"
                                      " applied_at BIGINT NOT NULL)";

static int file_version(const char *path)
{
    return atoi(path); /* "0001_meta.sql" -> 1 */
}

int cg_store_latest_version(void)
{
    int v = 0;
    for (const struct cg_embedded *m = cg__migrations; m->path; m++)
        v = file_version(m->path);
    return v;
}

int cg_store_schema_version(cg_store *s, int *version)
{
    cg_stmt *st = NULL;
    int rc = cg_store_exec_script(s, create_versions);
    if (rc)
        return rc;
    rc = cg_store_query(s, &st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        *version = (int)cg_stmt_int(st, 0);
        rc = 0;
    } else if (rc == CG_DONE) {
        rc = CG_EDB;
    }
    cg_stmt_reset(st);
    return rc;
}

/* Replaces one placeholder token everywhere in sql; returns a new string. */
static char *replace_all(const char *sql, const char *token, const char *repl)
{
    size_t n = 0, tl = strlen(token), rl = strlen(repl);
    for (const char *p = strstr(sql, token); p; p = strstr(p + tl, token))
        n++;
    char *out = malloc(strlen(sql) + n * rl + 1);
    if (!out)
        return NULL;
    char *o = out;
    const char *p = sql, *hit;
    while ((hit = strstr(p, token))) {
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, repl, rl);
        o += rl;
        p = hit + tl;
    }
    strcpy(o, p);
    return out;
}

/* Expands the placeholders of a migration for this backend. */
static char *expand(const cg_store *s, const char *sql)
{
    char *step = replace_all(sql, "{{id}}", s->ops->id_column);
    char *out = step ? replace_all(step, "{{bytes}}", s->ops->bytes_collation) : NULL;
    free(step);
    return out;
}

static int apply(cg_store *s, const struct cg_embedded *m)
{
    char *sql = expand(s, m->data);
    if (!sql)
        return CG_ENOMEM;
    int current = 0;
    int rc = cg_store_begin(s);
    if (rc)
        goto out;
    if (s->ops->migration_lock_sql && (rc = cg_store_exec_script(s, s->ops->migration_lock_sql)))
        goto rollback;
    /* Another process may have applied it while we waited for the lock. */
    if ((rc = cg_store_schema_version(s, &current)))
        goto rollback;
    if (current >= file_version(m->path))
        goto commit;
    if ((rc = cg_store_exec_script(s, sql)))
        goto rollback;
    rc = cg_store_run(s, NULL,
                      "INSERT INTO schema_migrations (version, name, applied_at)"
                      " VALUES (?, ?, ?)",
                      "isi", (int64_t)file_version(m->path), m->path, cg_now());
    if (rc)
        goto rollback;
commit:
    rc = cg_store_commit(s);
    goto out;
rollback:
    cg_store_rollback(s);
out:
    free(sql);
    return rc;
}

int cg_store_migrate(cg_store *s, int *from, int *to)
{
    int current = 0;
    int rc = cg_store_schema_version(s, &current);
    if (rc)
        return rc;
    if (from)
        *from = current;
    if (current > cg_store_latest_version()) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "database schema version %d is newer than this binary's %d; upgrade civgrid",
                 current, cg_store_latest_version());
        cg__store_set_error(s, msg);
        return CG_ESCHEMA_NEWER;
    }
    for (const struct cg_embedded *m = cg__migrations; m->path; m++) {
        if (file_version(m->path) <= current)
            continue;
        if ((rc = apply(s, m)))
            return rc;
    }
    if (to)
        return cg_store_schema_version(s, to);
    return 0;
}
