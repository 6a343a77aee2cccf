#include "civgrid/area.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"

const char *const cg_area_levels[] = {"city", "county",     "town",     "community",
                                      "grid", "micro_grid", "building", NULL};

int cg_area_level_valid(const char *level)
{
    for (int i = 0; level && cg_area_levels[i]; i++)
        if (strcmp(cg_area_levels[i], level) == 0)
            return 1;
    return 0;
}

#define AREA_COLUMNS                                                                               \
    "a.id, COALESCE(a.parent_id, 0), a.level, a.code, a.name, a.path, a.status, p.code"
#define AREA_FROM " FROM areas a LEFT JOIN areas p ON p.id = a.parent_id"

static void read_area(cg_stmt *st, cg_arena *a, struct cg_area *out)
{
    memset(out, 0, sizeof *out);
    out->id = cg_stmt_int(st, 0);
    out->parent_id = cg_stmt_int(st, 1);
    out->level = cg_arena_strdup(a, cg_stmt_text(st, 2));
    out->code = cg_arena_strdup(a, cg_stmt_text(st, 3));
    out->name = cg_arena_strdup(a, cg_stmt_text(st, 4));
    out->path = cg_arena_strdup(a, cg_stmt_text(st, 5));
    out->status = cg_arena_strdup(a, cg_stmt_text(st, 6));
    out->parent_code = cg_arena_strdup(a, cg_stmt_text(st, 7));
}

int cg_area_get_by_code(cg_store *s, const char *code, cg_arena *a, struct cg_area *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT " AREA_COLUMNS AREA_FROM " WHERE a.code = ?", "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        read_area(st, a, out);
    }
    cg_stmt_reset(st);
    return rc;
}

int cg_area_get(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                struct cg_area *out)
{
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    int rc = cg_area_get_by_code(s, code, a, out);
    if (!rc && !cg_actor_in_scope(actor, out->path))
        return CG_ENOTFOUND; /* out of scope looks exactly like absent */
    return rc;
}

/* Codes are printable ASCII without spaces: they travel in URLs and CSV. */
static int valid_code(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 32)
        return 0;
    for (const char *p = code; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

static int insert_area(cg_store *s, int64_t parent_id, const char *parent_path, const char *level,
                       const char *code, const char *name, int64_t *id, char *path, size_t pathsz)
{
    static const char sql[] = "INSERT INTO areas (parent_id, level, code, name, path, created_at)"
                              " VALUES (?, ?, ?, ?, '', ?) RETURNING id";
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "zsssi", parent_id, level, code, name, cg_now());
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        *id = cg_stmt_int(st, 0);
        rc = 0;
    } else if (rc == CG_DONE) {
        rc = CG_EDB;
    }
    cg_stmt_reset(st);
    if (rc)
        return rc;
    snprintf(path, pathsz, "%s%lld/", parent_path ? parent_path : "/", (long long)*id);
    return cg_store_run(s, NULL, "UPDATE areas SET path = ? WHERE id = ?", "si", path, *id);
}

int cg_area_create_root(cg_store *s, const char *code, const char *name, const char *level,
                        int64_t *id, const char **path)
{
    static char root_path[32];
    int rc = insert_area(s, 0, NULL, level, code, name, id, root_path, sizeof root_path);
    *path = root_path;
    return rc;
}

int cg_area_create(cg_store *s, const struct cg_actor *actor, const char *code,
                   const char *parent_code, const char *level, const char *name, cg_arena *a,
                   struct cg_area *out, struct cg_field_error *fe)
{
    struct cg_area parent;
    struct cg_audit_record rec = {"area.create", "area", code, NULL, 0, NULL};
    int rc;
    if (!cg_actor_can(actor, CG_PERM_AREAS_WRITE)) {
        rc = CG_EFORBIDDEN;
        goto fail;
    }
    if (!valid_code(code)) {
        rc = cg_field_fail(fe, CG_EBADTYPE, "code",
                           "area code must be 1-32 letters, digits, '-', '_' or '.'");
        goto fail;
    }
    if (!cg_area_level_valid(level)) {
        rc = cg_field_fail(
            fe, CG_EBADTYPE, "level",
            "unknown level '%s' (city, county, town, community, grid, micro_grid, building)",
            level);
        goto fail;
    }
    if (!name[0] || strlen(name) > 200) {
        rc = cg_field_fail(fe, CG_EBADTYPE, "name", "area name must be 1-200 bytes");
        goto fail;
    }
    rc = parent_code ? cg_area_get(s, actor, parent_code, a, &parent)
                     : cg_area_get(s, actor, actor->area_code, a, &parent);
    if (rc) {
        if (rc == CG_ENOTFOUND)
            cg_field_fail(fe, rc, "parent_code", "no area with code '%s'", parent_code);
        goto fail;
    }
    rec.area_path = parent.path;
    if ((rc = cg_store_begin(s)))
        goto fail;
    int64_t id = 0;
    char path[512];
    rc = insert_area(s, parent.id, parent.path, level, code, name, &id, path, sizeof path);
    if (rc == CG_EEXISTS)
        cg_field_fail(fe, rc, "code", "area code '%s' already exists", code);
    /* On failure cg_audit_end has rolled back and recorded it already. */
    if ((rc = cg_audit_end(s, actor, &rec, rc)))
        return rc;
    return cg_area_get_by_code(s, code, a, out);
fail:
    rec.outcome = rc;
    cg_audit_commit(s, actor, NULL, &rec);
    return rc;
}

int cg_area_search(cg_store *s, const struct cg_actor *actor, const char *q, int limit, cg_arena *a,
                   struct cg_area **items, size_t *n, int *more)
{
    *items = NULL;
    *n = 0;
    *more = 0;
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    if (limit <= 0 || limit > 1000)
        limit = 100;
    const char *pattern = q && *q ? cg_arena_printf(a, "%%%s%%", q) : NULL;
    struct cg_scope sc;
    cg_stmt *st = NULL;
    int rc = cg_scope_of(actor, a, &sc);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            "SELECT " AREA_COLUMNS AREA_FROM " WHERE " CG_SCOPE_SQL(
                "a.path") " AND (CAST(? AS TEXT) IS NULL OR a.code LIKE ? OR a.name LIKE ?)"
                          " ORDER BY a.path LIMIT ?",
            "sssssi", sc.from, sc.to, pattern, pattern, pattern,
            (int64_t)limit + 1); /* one past the page: are there more? */
    if (rc)
        return rc;
    struct cg_area *out = cg_arena_calloc(a, sizeof *out * (size_t)limit);
    size_t count = 0;
    while (out && (rc = cg_stmt_step(st)) == CG_ROW && !(*more = count == (size_t)limit))
        read_area(st, a, &out[count++]);
    cg_stmt_reset(st);
    if (!out)
        return CG_ENOMEM;
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return 0;
}

/* Counts active residents and accounts on the subtree at path. */
static int occupants(cg_store *s, const char *path, cg_arena *a, int64_t *n)
{
    cg_stmt *st = NULL;
    struct cg_scope sc;
    int rc = cg_scope_at(path, a, &sc);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            "SELECT (SELECT COUNT(*) FROM residents WHERE " CG_SCOPE_SQL(
                "area_path") " AND status = 'active') + (SELECT COUNT(*) FROM users u JOIN areas a"
                             " ON a.id = u.area_id WHERE " CG_SCOPE_SQL(
                                 "a.path") " AND u.status = 'active')",
            "ssss", sc.from, sc.to, sc.from, sc.to);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW)
        *n = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc == CG_ROW ? 0 : (rc ? rc : CG_EDB);
}

/* Rewrites the path prefix old into new on the subtree and on everything
 * that carries a copy of its path. */
static int move_subtree(cg_store *s, const char *old_path, const char *new_path, cg_arena *a)
{
    static const char *const sql[] = {
        "UPDATE areas SET path = ? || substr(path, ?) WHERE " CG_SCOPE_SQL("path"),
        "UPDATE residents SET area_path = ? || substr(area_path, ?) WHERE " CG_SCOPE_SQL(
            "area_path"),
        "UPDATE places SET area_path = ? || substr(area_path, ?) WHERE " CG_SCOPE_SQL("area_path"),
    };
    struct cg_scope sc;
    int rc = cg_scope_at(old_path, a, &sc);
    for (size_t i = 0; !rc && i < sizeof sql / sizeof sql[0]; i++)
        rc = cg_store_run(s, NULL, sql[i], "siss", new_path, (int64_t)strlen(old_path) + 1, sc.from,
                          sc.to);
    return rc;
}

int cg_area_update(cg_store *s, const struct cg_actor *actor, const char *code, const char *name,
                   const char *parent_code, const char *status, cg_arena *a, struct cg_area *out,
                   struct cg_field_error *fe)
{
    struct cg_area node, parent;
    struct cg_audit_record rec = {"area.update", "area", code, NULL, 0, NULL};
    int64_t busy = 0;
    int rc = cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_area_get(s, actor, code, a, &node);
    if (!rc && node.id == actor->area_id)
        rc = cg_field_fail(fe, CG_EFORBIDDEN, "code",
                           "you cannot change the area you are scoped to");
    if (!rc && name && (!*name || strlen(name) > 200))
        rc = cg_field_fail(fe, CG_EBADTYPE, "name", "area name must be 1-200 bytes");
    if (!rc && status && strcmp(status, "active") && strcmp(status, "retired"))
        rc = cg_field_fail(fe, CG_EBADTYPE, "status", "status is 'active' or 'retired'");
    if (!rc && parent_code && (rc = cg_area_get(s, actor, parent_code, a, &parent)) == CG_ENOTFOUND)
        cg_field_fail(fe, rc, "parent_code", "no area with code '%s' in your scope", parent_code);
    if (!rc && parent_code && cg_scope_holds(node.path, parent.path))
        rc = cg_field_fail(fe, CG_ECONFLICT, "parent_code", "an area cannot move under itself");
    if (!rc && status && !strcmp(status, "retired") && !(rc = occupants(s, node.path, a, &busy)) &&
        busy)
        rc = cg_field_fail(fe, CG_ECONFLICT, "status",
                           "%lld active residents or accounts are on this area; move them first",
                           (long long)busy);
    rec.area_path = rc ? NULL : node.path;
    rec.detail = cg_arena_printf(a, "%s%s%s%s%s%s", name ? "name=" : "", name ? name : "",
                                 parent_code ? " parent=" : "", parent_code ? parent_code : "",
                                 status ? " status=" : "", status ? status : "");
    if (!rc && !(rc = cg_store_begin(s))) {
        if (name)
            rc = cg_store_run(s, NULL, "UPDATE areas SET name = ? WHERE id = ?", "si", name,
                              node.id);
        if (!rc && status)
            rc = cg_store_run(s, NULL, "UPDATE areas SET status = ? WHERE id = ?", "si", status,
                              node.id);
        if (!rc && parent_code && parent.id != node.parent_id) {
            rc = cg_store_run(s, NULL, "UPDATE areas SET parent_id = ? WHERE id = ?", "ii",
                              parent.id, node.id);
            if (!rc)
                rc =
                    move_subtree(s, node.path,
                                 cg_arena_printf(a, "%s%lld/", parent.path, (long long)node.id), a);
        }
        rc = cg_audit_end(s, actor, &rec, rc);
    } else if (rc) {
        rec.outcome = rc;
        cg_audit_commit(s, actor, NULL, &rec);
        return rc;
    }
    return cg_area_get_by_code(s, code, a, out);
}

int cg_area_children(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                     struct cg_area *node, struct cg_area **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    int rc = cg_area_get(s, actor, code && *code ? code : actor->area_code, a, node);
    cg_stmt *st = NULL;
    if (!rc)
        rc =
            cg_store_query(s, &st, "SELECT COUNT(*) FROM areas WHERE parent_id = ?", "i", node->id);
    if (!rc && !(rc = cg_stmt_one(st)))
        node->children = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (rc)
        return rc;
    rc = cg_store_query(
        s, &st,
        "SELECT " AREA_COLUMNS ", (SELECT COUNT(*) FROM areas k WHERE k.parent_id = a.id),"
        " (SELECT COUNT(*) FROM residents r WHERE " CG_SCOPE_UNDER_SQL(
            "r.area_path", "a.path") " AND r.status = 'active')" AREA_FROM
                                     " WHERE a.parent_id = ? ORDER BY a.code LIMIT ?",
        "ii", node->id, (int64_t)CG_AREA_CHILDREN_MAX);
    if (rc)
        return rc;
    size_t cap = 0, count = 0;
    struct cg_area *out = NULL;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        read_area(st, a, &out[count]);
        out[count].children = cg_stmt_int(st, 8);
        out[count].residents = cg_stmt_int(st, 9);
        count++;
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return 0;
}
