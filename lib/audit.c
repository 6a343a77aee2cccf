#include "civgrid/audit.h"
#include "civgrid/writer.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/readlog.h"
#include "civgrid/scope.h"

void cg_audit_row_of(const struct cg_actor *actor, const char *username_hint,
                     const struct cg_audit_record *rec, struct cg_audit_row *row)
{
    row->at = cg_now();
    row->actor_id = actor && actor->user_id ? actor->user_id : 0;
    row->actor = actor ? actor->username : (username_hint ? username_hint : "anonymous");
    row->client_ip = actor ? actor->client_ip : NULL;
    row->action = rec->action;
    row->object_type = rec->object_type;
    row->object_id = rec->object_id;
    row->outcome = rec->outcome ? cg_err_name(rec->outcome) : "ok";
    row->area_path = rec->area_path;
    row->detail = rec->detail;
}

int cg_audit_insert(cg_store *s, const char *insert_sql, const struct cg_audit_row *row)
{
    return cg_store_run(s, NULL, insert_sql, "iissssssss", row->at, row->actor_id, row->actor,
                        row->client_ip, row->action, row->object_type, row->object_id, row->outcome,
                        row->area_path, row->detail);
}

int cg_audit_write(cg_store *s, const struct cg_actor *actor, const char *username_hint,
                   const struct cg_audit_record *rec)
{
    struct cg_audit_row row;
    cg_audit_row_of(actor, username_hint, rec, &row);
    return cg_audit_insert(s, CG_AUDIT_INSERT("audit"), &row);
}

int cg_audit_commit(cg_store *s, const struct cg_actor *actor, const char *username_hint,
                    const struct cg_audit_record *rec)
{
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    rc = cg_audit_write(s, actor, username_hint, rec);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}

int cg_audit_end(cg_store *s, const struct cg_actor *actor, struct cg_audit_record *rec, int rc)
{
    if (!rc)
        rc = cg_audit_write(s, actor, NULL, rec);
    if (!rc)
        rc = cg_store_commit(s);
    if (rc) {
        cg_store_rollback(s);
        rec->outcome = rc;
        cg_audit_commit(s, actor, NULL, rec);
    }
    return rc;
}

/* A change and its audit record as one job of the store's writer. */
struct change_job {
    const struct cg_actor *actor;
    struct cg_audit_record *rec;
    cg_audit_write_fn write;
    void *ctx;
};

static int write_change(cg_store *ws, void *arg)
{
    struct change_job *j = arg;
    int rc = j->write(ws, j->ctx);
    return rc ? rc : cg_audit_write(ws, j->actor, NULL, j->rec);
}

int cg_audit_change(cg_store *s, const struct cg_actor *actor, struct cg_audit_record *rec,
                    int refused, cg_audit_write_fn write, void *ctx)
{
    int rc = refused;
    cg_writer *w = cg_store_writer(s);
    if (!rc && w) {
        /* The writer's thread runs the change on its own connection while
         * this one waits: ctx stays valid, and one commit serves every
         * change queued meanwhile. A failed change is undone alone. */
        struct change_job job = {actor, rec, write, ctx};
        struct cg_writer_job wj = {write_change, NULL, &job};
        if (!(rc = cg_writer_submit(w, &wj)))
            return 0;
    } else if (!rc && !(rc = cg_store_begin(s))) {
        return cg_audit_end(s, actor, rec, write(s, ctx));
    }
    rec->outcome = rc;
    cg_audit_commit(s, actor, NULL, rec);
    return rc;
}

int cg_audit_read(cg_store *s, const struct cg_actor *actor, const struct cg_audit_record *rec)
{
    cg_readlog *log = cg_store_readlog(s);
    if (!log)
        return cg_audit_commit(s, actor, NULL, rec);
    struct cg_audit_row row;
    cg_audit_row_of(actor, NULL, rec, &row);
    return cg_readlog_append(log, &row);
}

/* A root-scoped actor's path is "/ID/": it also sees records that belong to
 * no area (failed logins of unknown users, deployment events). */
static int is_root_scope(const char *path)
{
    int slashes = 0;
    for (; path && *path; path++)
        slashes += *path == '/';
    return slashes == 2;
}

/* Reading the trail is itself recorded: who looked at whose actions. */
static int read_trail(cg_store *s, const struct cg_actor *actor, const struct cg_audit_filter *f,
                      int rc, size_t count)
{
    char detail[512];
    snprintf(detail, sizeof detail, "actor=%s action=%s object=%s before=%lld results=%zu",
             f->actor ? f->actor : "", f->action ? f->action : "", f->object_id ? f->object_id : "",
             (long long)f->before_id, count);
    struct cg_audit_record rec = {"audit.read", "audit", NULL, actor ? actor->area_path : NULL,
                                  rc,           detail};
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

int cg_audit_list(cg_store *s, const struct cg_actor *actor, const struct cg_audit_filter *f,
                  cg_arena *a, struct cg_audit_entry **items, size_t *n, int *more)
{
    *items = NULL;
    *n = 0;
    *more = 0;
    if (!cg_actor_can(actor, CG_PERM_AUDIT_READ))
        return read_trail(s, actor, f, CG_EFORBIDDEN, 0);
    int limit = f->limit > 0 ? f->limit : 100;
    if (limit > 1000)
        return CG_ERANGE;
    struct cg_scope sc;
    int rc = cg_scope_of(actor, a, &sc);
    /* Reads recorded in the last second are still in the read log. */
    if (!rc && cg_store_readlog(s))
        rc = cg_readlog_flush(cg_store_readlog(s));
    if (rc)
        return rc;
    /* "user." is a prefix; "resident.export" is an action with its
     * variants ("resident.export.unmasked"), so that a filter by what was
     * done does not miss how it was done. */
    const char *exact = NULL, *prefix = NULL, *variants = NULL;
    if (f->action && *f->action)
        *(f->action[strlen(f->action) - 1] == '.' ? &prefix : &exact) = f->action;
    if (exact && !(variants = cg_arena_printf(a, "%s.", exact)))
        return CG_ENOMEM;
    cg_stmt *st = NULL;
    /* One row past the page says whether an older page exists. */
    rc = cg_store_query(
        s, &st,
        "SELECT id, at, actor_id, actor, client_ip, action, object_type, object_id, outcome, detail"
        " FROM audit WHERE"
        " (CAST(? AS INTEGER) = 1 OR " CG_SCOPE_SQL(
            "area_path") " OR actor_id = ?)"
                         " AND (CAST(? AS TEXT) IS NULL OR actor = ?)"
                         " AND (CAST(? AS TEXT) IS NULL OR action = ? OR substr(action, 1,"
                         " length(CAST(? AS TEXT))) = ?)"
                         " AND (CAST(? AS TEXT) IS NULL OR substr(action, 1, length(CAST(? AS "
                         "TEXT))) = ?)"
                         " AND (CAST(? AS TEXT) IS NULL OR object_id = ?)"
                         " AND (CAST(? AS TEXT) IS NULL OR outcome = ?)"
                         " AND (CAST(? AS BIGINT) = 0 OR at >= ?)"
                         " AND (CAST(? AS BIGINT) = 0 OR at < ?)"
                         " AND (CAST(? AS BIGINT) = 0 OR id < ?)"
                         " ORDER BY id DESC LIMIT ?",
        "issi"
        "ss"
        "ssss"
        "sss"
        "ss"
        "ss"
        "ii"
        "ii"
        "ii"
        "i",
        (int64_t)is_root_scope(actor->area_path), sc.from, sc.to, actor->user_id, f->actor,
        f->actor, exact, exact, variants, variants, prefix, prefix, prefix, f->object_id,
        f->object_id, f->outcome, f->outcome, f->since, f->since, f->until, f->until, f->before_id,
        f->before_id, (int64_t)limit + 1);
    if (rc)
        return rc;
    struct cg_audit_entry *out = cg_arena_calloc(a, sizeof *out * (size_t)limit);
    size_t count = 0;
    while (out && (rc = cg_stmt_step(st)) == CG_ROW) {
        if (count == (size_t)limit) {
            *more = 1;
            rc = CG_DONE;
            break;
        }
        struct cg_audit_entry *e = &out[count++];
        e->id = cg_stmt_int(st, 0);
        e->at = cg_stmt_int(st, 1);
        e->actor_id = cg_stmt_int(st, 2);
        e->actor = cg_arena_strdup(a, cg_stmt_text(st, 3));
        e->client_ip = cg_arena_strdup(a, cg_stmt_text(st, 4));
        e->action = cg_arena_strdup(a, cg_stmt_text(st, 5));
        e->object_type = cg_arena_strdup(a, cg_stmt_text(st, 6));
        e->object_id = cg_arena_strdup(a, cg_stmt_text(st, 7));
        e->outcome = cg_arena_strdup(a, cg_stmt_text(st, 8));
        e->detail = cg_arena_strdup(a, cg_stmt_text(st, 9));
    }
    cg_stmt_reset(st);
    if (!out)
        return CG_ENOMEM;
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return read_trail(s, actor, f, 0, count);
}
