#include "civgrid/area.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/text.h"

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

int cg_area_get_by_id(cg_store *s, int64_t id, cg_arena *a, struct cg_area *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT " AREA_COLUMNS AREA_FROM " WHERE a.id = ?", "i", id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_area(st, a, out);
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

#define AL CG_IMPORT_ALIASES
const struct cg_import_column cg_area_columns[CG_AREA_NCOLS] = {
    [CG_AREA_COL_CODE] = {"code", 1, "编码", "Code",
                          AL("code", "area_code", "编码", "代码", "区域编码")},
    [CG_AREA_COL_PARENT] = {"parent_code", 0, "上级编码", "Parent code",
                            AL("parent_code", "parent", "上级编码", "上级代码", "父级编码")},
    [CG_AREA_COL_LEVEL] = {"level", 1, "层级", "Level", AL("level", "层级", "级别")},
    [CG_AREA_COL_NAME] = {"name", 1, "名称", "Name", AL("name", "名称", "区域名称")},
};
#undef AL

/* Chinese spreadsheets name levels in Chinese. */
static const char *const level_words[][2] = {
    {"市", "city"},           {"县", "county"},    {"区", "county"},         {"县区", "county"},
    {"县/区", "county"},      {"镇", "town"},      {"乡", "town"},           {"街道", "town"},
    {"乡镇", "town"},         {"镇/街道", "town"}, {"社区", "community"},    {"村", "community"},
    {"社区/村", "community"}, {"网格", "grid"},    {"微网格", "micro_grid"}, {"楼栋", "building"},
    {"楼", "building"},
};

const char *cg_area_level_parse(const char *word)
{
    for (int i = 0; word && cg_area_levels[i]; i++)
        if (!strcmp(cg_area_levels[i], word))
            return cg_area_levels[i];
    for (size_t i = 0; word && i < sizeof level_words / sizeof level_words[0]; i++)
        if (!strcmp(level_words[i][0], word))
            return level_words[i][1];
    return NULL;
}

static int level_index(const char *level)
{
    for (int i = 0; level && cg_area_levels[i]; i++)
        if (!strcmp(cg_area_levels[i], level))
            return i;
    return -1;
}

int cg_area_check_name(const char *name, cg_arena *a, const char **out, struct cg_field_error *fe)
{
    return cg_text_check(name, "name", "an area name", 200, 1, a, out, fe);
}

int cg_area_check(struct cg_area_input *in, cg_arena *a, struct cg_field_error *fe)
{
    const char *level;
    if (!in->code || !*in->code)
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "code", "the code is missing"), fe,
                            CG_R_MISSING, NULL);
    if (!cg_code_valid(in->code))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "code",
                          "an area code is 1-32 letters, digits, '-', '_' or '.', not '%s'",
                          cg_text_valid(in->code, strlen(in->code)) ? in->code : "?"),
            fe, CG_R_BAD_CODE, cg_text_valid(in->code, strlen(in->code)) ? in->code : "");
    if (!in->level || !*in->level)
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "level", "the level is missing"), fe,
                            CG_R_MISSING, NULL);
    if (!(level = cg_area_level_parse(in->level)))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "level",
                          "unknown level '%s' (city 市, county 县/区, town 镇/街道, community "
                          "社区/村, grid 网格, micro_grid 微网格, building 楼栋)",
                          cg_text_valid(in->level, strlen(in->level)) ? in->level : "?"),
            fe, CG_R_UNKNOWN_LEVEL, cg_text_valid(in->level, strlen(in->level)) ? in->level : "");
    in->level = level;
    return cg_area_check_name(in->name, a, &in->name, fe);
}

int cg_area_check_parent(const char *level, const char *parent_level, const char *field,
                         struct cg_field_error *fe)
{
    if (level_index(level) > level_index(parent_level))
        return 0;
    return cg_field_why(
        cg_field_fail(fe, CG_EBADTYPE, field, "a %s cannot be under a %s", level, parent_level), fe,
        CG_R_BAD_PARENT, parent_level);
}

int cg_area_write(cg_store *s, int64_t parent_id, const char *parent_path,
                  const struct cg_area_input *in, cg_arena *a, int64_t *id, const char **path,
                  struct cg_field_error *fe)
{
    int rc = cg_store_insert(s, id,
                             "INSERT INTO areas (parent_id, level, code, name, path, created_at)"
                             " VALUES (?, ?, ?, ?, '', ?) RETURNING id",
                             "zsssi", parent_id, in->level, in->code, in->name, cg_now());
    if (rc == CG_EEXISTS)
        return cg_field_why(
            cg_field_fail(fe, rc, "code", "area code '%s' already exists", in->code), fe,
            CG_R_TAKEN, in->code);
    if (rc)
        return rc;
    *path = cg_arena_printf(a, "%s%lld/", parent_path ? parent_path : "/", (long long)*id);
    if (!*path)
        return CG_ENOMEM;
    /* Buildings and grids are counted (counts.h); other levels count nothing
     * of their own until people or staff are added. */
    if (!strcmp(in->level, "building") || !strcmp(in->level, "grid"))
        rc = cg_counts_touch(s, *id);
    return rc ? rc
              : cg_store_run(s, NULL, "UPDATE areas SET path = ? WHERE id = ?", "si", *path, *id);
}

int cg_area_write_name(cg_store *s, int64_t id, const char *name)
{
    return cg_store_run(s, NULL, "UPDATE areas SET name = ? WHERE id = ?", "si", name, id);
}

int cg_area_create_root(cg_store *s, const char *code, const char *name, const char *level,
                        int64_t *id, const char **path)
{
    static char root_path[32];
    struct cg_area_input in = {code, level, name};
    const char *p = NULL;
    cg_arena *a = cg_arena_new();
    int rc = a ? cg_area_check(&in, a, NULL) : CG_ENOMEM;
    if (!rc)
        rc = cg_area_write(s, 0, NULL, &in, a, id, &p, NULL);
    if (!rc)
        snprintf(root_path, sizeof root_path, "%s", p);
    cg_arena_free(a);
    *path = root_path;
    return rc;
}

struct area_insert {
    const struct cg_area *parent;
    const struct cg_area_input *in;
    cg_arena *a;
    struct cg_field_error *fe;
};

static int write_insert(cg_store *s, void *ctx)
{
    struct area_insert *w = ctx;
    int64_t id = 0;
    const char *path = NULL;
    return cg_area_write(s, w->parent->id, w->parent->path, w->in, w->a, &id, &path, w->fe);
}

int cg_area_create(cg_store *s, const struct cg_actor *actor, const char *code,
                   const char *parent_code, const char *level, const char *name, cg_arena *a,
                   struct cg_area *out, struct cg_field_error *fe)
{
    struct cg_area parent = {0};
    struct cg_area_input in = {code, level, name};
    struct cg_audit_record rec = {"area.create", "area", code, NULL, 0, NULL};
    int rc = cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_area_check(&in, a, fe);
    if (!rc && (rc = cg_area_get(s, actor, parent_code ? parent_code : actor->area_code, a,
                                 &parent)) == CG_ENOTFOUND)
        cg_field_why(cg_field_fail(fe, rc, "parent_code", "no area with code '%s'", parent_code),
                     fe, CG_R_UNKNOWN_AREA, parent_code);
    if (!rc)
        rc = cg_area_check_parent(in.level, parent.level, "level", fe);
    rec.area_path = parent.path;
    struct area_insert w = {&parent, &in, a, fe};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_insert, &w)))
        return rc;
    return cg_area_get_by_code(s, in.code, a, out);
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

struct area_change {
    const struct cg_area *node, *parent; /* parent NULL: not moved */
    const char *name, *status;
    cg_arena *a;
};

static int write_change(cg_store *s, void *ctx)
{
    const struct area_change *w = ctx;
    int rc = w->name ? cg_area_write_name(s, w->node->id, w->name) : 0;
    if (!rc && w->status && !(rc = cg_counts_touch(s, w->node->id)))
        rc = cg_store_run(s, NULL, "UPDATE areas SET status = ? WHERE id = ?", "si", w->status,
                          w->node->id);
    if (!rc && w->parent && w->parent->id != w->node->parent_id) {
        rc = cg_store_run(s, NULL, "UPDATE areas SET parent_id = ? WHERE id = ?", "ii",
                          w->parent->id, w->node->id);
        const char *to = cg_arena_printf(w->a, "%s%lld/", w->parent->path, (long long)w->node->id);
        if (!rc)
            rc = to ? move_subtree(s, w->node->path, to, w->a) : CG_ENOMEM;
        if (!rc)
            rc = cg_counts_move(s, w->node->id, w->node->path, to);
    }
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
        rc = cg_field_why(cg_field_fail(fe, CG_EFORBIDDEN, "code",
                                        "you cannot change the area you are scoped to"),
                          fe, CG_R_OWN_AREA, code);
    if (!rc && name)
        rc = cg_area_check_name(name, a, &name, fe);
    if (!rc && status && strcmp(status, "active") && strcmp(status, "retired"))
        rc = cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "status", "status is 'active' or 'retired'"), fe,
            CG_R_NOT_ALLOWED, status);
    if (!rc && parent_code && (rc = cg_area_get(s, actor, parent_code, a, &parent)) == CG_ENOTFOUND)
        cg_field_why(cg_field_fail(fe, rc, "parent_code", "no area with code '%s' in your scope",
                                   parent_code),
                     fe, CG_R_UNKNOWN_AREA, parent_code);
    if (!rc && parent_code && cg_scope_holds(node.path, parent.path))
        rc = cg_field_why(
            cg_field_fail(fe, CG_ECONFLICT, "parent_code", "an area cannot move under itself"), fe,
            CG_R_UNDER_ITSELF, parent_code);
    if (!rc && parent_code)
        rc = cg_area_check_parent(node.level, parent.level, "parent_code", fe);
    if (!rc && status && !strcmp(status, "retired") && !(rc = occupants(s, node.path, a, &busy)) &&
        busy)
        rc = cg_field_why(
            cg_field_fail(fe, CG_ECONFLICT, "status",
                          "%lld active residents or accounts are on this area; move them first",
                          (long long)busy),
            fe, CG_R_OCCUPIED, cg_arena_printf(a, "%lld", (long long)busy));
    rec.area_path = rc ? NULL : node.path;
    rec.detail = cg_arena_printf(a, "%s%s%s%s%s%s", name ? "name=" : "", name ? name : "",
                                 parent_code ? " parent=" : "", parent_code ? parent_code : "",
                                 status ? " status=" : "", status ? status : "");
    struct area_change w = {&node, parent_code ? &parent : NULL, name, status, a};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_change, &w)))
        return rc;
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
