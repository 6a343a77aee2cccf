#include "civgrid/staff.h"

#include <stdlib.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/idcard.h"
#include "civgrid/scope.h"
#include "civgrid/text.h"

const char *const cg_staff_positions[] = {
    "commander", "grid_head", "grid_worker", "assistant", "building_head", "street_head", NULL};

static int valid_position(const char *p)
{
    for (int i = 0; p && cg_staff_positions[i]; i++)
        if (!strcmp(p, cg_staff_positions[i]))
            return 1;
    return 0;
}

/* The id of an account the actor may link: one outside the actor's scope
 * answers CG_ENOTFOUND exactly like a missing one, so that the answer tells
 * nothing about the names of accounts elsewhere. */
static int user_id_of(cg_store *s, const struct cg_actor *actor, const char *username, int64_t *id)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT u.id, a.path FROM users u JOIN areas a ON a.id = u.area_id"
                            " WHERE u.username = ?",
                            "s", username);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        *id = cg_stmt_int(st, 0);
        if (!cg_actor_in_scope(actor, cg_stmt_text(st, 1)))
            rc = CG_ENOTFOUND;
    }
    cg_stmt_reset(st);
    return rc;
}

#define STAFF_SELECT                                                                               \
    "SELECT s.id, s.position, s.name, s.phone, u.username, s.start_date, s.end_date, a.code, "     \
    "a.name,"                                                                                      \
    " a.level, a.path FROM staff_assignments s JOIN areas a ON a.id = s.area_id"                   \
    " LEFT JOIN users u ON u.id = s.user_id "

static void read_staff(cg_stmt *st, cg_arena *a, struct cg_staff *o)
{
    o->id = cg_stmt_int(st, 0);
    o->position = cg_arena_strdup(a, cg_stmt_text(st, 1));
    o->name = cg_arena_strdup(a, cg_stmt_text(st, 2));
    o->phone = cg_arena_strdup(a, cg_stmt_text(st, 3));
    o->username = cg_arena_strdup(a, cg_stmt_text(st, 4));
    o->start_date = cg_arena_strdup(a, cg_stmt_text(st, 5));
    o->end_date = cg_arena_strdup(a, cg_stmt_text(st, 6));
    o->area.code = cg_arena_strdup(a, cg_stmt_text(st, 7));
    o->area.name = cg_arena_strdup(a, cg_stmt_text(st, 8));
    o->area.level = cg_arena_strdup(a, cg_stmt_text(st, 9));
    o->area.path = cg_arena_strdup(a, cg_stmt_text(st, 10));
}

int cg_staff_check(struct cg_staff_input *in, cg_arena *a, struct cg_field_error *fe)
{
    if (!valid_position(in->position))
        return cg_field_fail(fe, CG_EBADTYPE, "position",
                             "position is commander, grid_head, grid_worker, assistant, "
                             "building_head or street_head");
    int rc = cg_text_check(in->name, "name", "a name", 100, 1, a, &in->name, fe);
    if (rc)
        return rc;
    if (in->phone && !*in->phone)
        in->phone = NULL;
    if (in->phone && cg_phone_check(in->phone))
        return cg_field_fail(fe, CG_EBADTYPE, "phone", "'%s' is not an 11-digit mobile number",
                             cg_text_valid(in->phone, strlen(in->phone)) ? in->phone : "?");
    return 0;
}

int cg_staff_write(cg_store *s, int64_t area_id, const struct cg_staff_input *in, int64_t user_id,
                   const char *start_date, int64_t *id)
{
    /* RETURNING makes SQLite gather the row into a table of its own; a
     * loader that does not need the id (the demo's thousands) skips it. */
    if (!id)
        return cg_store_run(s, NULL,
                            "INSERT INTO staff_assignments (area_id, position, name, phone,"
                            " user_id, start_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            "isssz"
                            "si",
                            area_id, in->position, in->name, in->phone, user_id, start_date,
                            cg_now());
    return cg_store_insert(
        s, id,
        "INSERT INTO staff_assignments (area_id, position, name, phone, user_id, start_date,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "isssz"
        "si",
        area_id, in->position, in->name, in->phone, user_id, start_date, cg_now());
}

struct staff_insert {
    int64_t area_id, user_id, id;
    const struct cg_staff_input *in;
    char day[11];
};

static int write_assign(cg_store *s, void *ctx)
{
    struct staff_insert *w = ctx;
    return cg_staff_write(s, w->area_id, w->in, w->user_id, w->day, &w->id);
}

int cg_staff_assign(cg_store *s, const struct cg_actor *actor, const char *area_code,
                    const char *position, const char *name, const char *phone, const char *username,
                    cg_arena *a, struct cg_staff *out, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"staff.assign", "area", area_code, NULL, 0, NULL};
    struct cg_staff_input in = {position, name, phone};
    struct cg_area area;
    struct staff_insert w = {.in = &in};
    int rc = cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc && (rc = cg_area_get(s, actor, area_code, a, &area)) == CG_ENOTFOUND)
        cg_field_fail(fe, rc, "area_code", "no area with code '%s' in your scope", area_code);
    if (!rc)
        rc = cg_staff_check(&in, a, fe);
    if (!rc && username && *username &&
        (rc = user_id_of(s, actor, username, &w.user_id)) == CG_ENOTFOUND)
        rc = cg_field_fail(fe, CG_EBADTYPE, "username", "no account '%s' in your scope", username);
    if (!rc) {
        rec.area_path = area.path;
        rec.detail = cg_arena_printf(a, "%s %s", in.position, in.name);
        w.area_id = area.id;
        cg_today(w.day);
    }
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_assign, &w)))
        return rc;
    cg_stmt *st = NULL;
    if ((rc = cg_store_query(s, &st, STAFF_SELECT "WHERE s.id = ?", "i", w.id)))
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_staff(st, a, out);
    cg_stmt_reset(st);
    return rc;
}

struct staff_end {
    int64_t id;
    char day[11];
};

static int write_end(cg_store *s, void *ctx)
{
    const struct staff_end *w = ctx;
    return cg_store_run(s, NULL, "UPDATE staff_assignments SET end_date = ? WHERE id = ?", "si",
                        w->day, w->id);
}

int cg_staff_end(cg_store *s, const struct cg_actor *actor, int64_t id)
{
    cg_arena *a = cg_arena_new();
    struct cg_audit_record rec = {"staff.end", "staff", NULL, NULL, 0, NULL};
    cg_stmt *st = NULL;
    int rc = a ? (cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN) : CG_ENOMEM;
    if (!rc && !(rc = cg_store_query(s, &st, STAFF_SELECT "WHERE s.id = ?", "i", id))) {
        struct cg_staff cur;
        if (!(rc = cg_stmt_one(st))) {
            read_staff(st, a, &cur);
            rec.area_path = cur.area.path;
            rc = cg_actor_in_scope(actor, cur.area.path) ? 0 : CG_ENOTFOUND;
        }
        cg_stmt_reset(st);
    }
    rec.object_id = a ? cg_arena_printf(a, "%lld", (long long)id) : NULL;
    struct staff_end w = {id, {0}};
    cg_today(w.day);
    rc = cg_audit_change(s, actor, &rec, rc, write_end, &w);
    cg_arena_free(a);
    return rc;
}

/* The active chain on the node and every node above it, top first, and the
 * building and street heads below it: everyone a resident of it may call. */
static int card_chain(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    char day[11];
    cg_today(day);
    cg_stmt *st = NULL;
    struct cg_scope below;
    /* The nodes above are the ancestors: the paths that area->path starts
     * with (a reverse prefix test on the few assignments of the chain); the
     * heads below are the scope of the node. One row past the page says
     * whether the chain was cut. */
    int rc = cg_scope_at(area->path, a, &below);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            STAFF_SELECT
            "WHERE (substr(CAST(? AS TEXT), 1, length(a.path)) = a.path"
            " OR (" CG_SCOPE_SQL("a.path") " AND a.path <> ?"
                                           " AND s.position IN ('building_head', 'street_head')))"
                                           " AND (s.end_date IS NULL OR s.end_date > ?)"
                                           " ORDER BY length(a.path), s.position, s.id LIMIT ?",
            "sssssi", area->path, below.from, below.to, area->path, day,
            (int64_t)CG_CARD_CHAIN_MAX + 1);
    if (rc)
        return rc;
    out->chain = cg_arena_calloc(a, CG_CARD_CHAIN_MAX * sizeof *out->chain);
    while (out->chain && (rc = cg_stmt_step(st)) == CG_ROW &&
           !(out->chain_truncated = out->nchain == CG_CARD_CHAIN_MAX))
        read_staff(st, a, &out->chain[out->nchain++]);
    cg_stmt_reset(st);
    return !out->chain ? CG_ENOMEM : (rc < 0 ? rc : 0);
}

#define ACTIVE_BUILDINGS                                                                           \
    " FROM areas WHERE " CG_SCOPE_SQL("path") " AND level = 'building' AND status = 'active'"

static int card_buildings(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    cg_stmt *st = NULL;
    struct cg_scope sc;
    /* The count is of every building, so that a cut list says how many. */
    int rc = cg_scope_at(area->path, a, &sc);
    if (!rc)
        rc = cg_store_query(s, &st, "SELECT COUNT(*)" ACTIVE_BUILDINGS, "ss", sc.from, sc.to);
    if (!rc && !(rc = cg_stmt_one(st)))
        out->buildings_total = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (!rc)
        rc = cg_store_query(
            s, &st, "SELECT code, name, level, path" ACTIVE_BUILDINGS " ORDER BY code LIMIT ?",
            "ssi", sc.from, sc.to, (int64_t)CG_CARD_BUILDINGS_MAX);
    if (rc)
        return rc;
    out->buildings = cg_arena_calloc(a, CG_CARD_BUILDINGS_MAX * sizeof *out->buildings);
    while (out->buildings && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_area *b = &out->buildings[out->nbuildings++];
        b->code = cg_arena_strdup(a, cg_stmt_text(st, 0));
        b->name = cg_arena_strdup(a, cg_stmt_text(st, 1));
        b->level = cg_arena_strdup(a, cg_stmt_text(st, 2));
        b->path = cg_arena_strdup(a, cg_stmt_text(st, 3));
    }
    cg_stmt_reset(st);
    return !out->buildings ? CG_ENOMEM : (rc < 0 ? rc : 0);
}

static int card_counts(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    cg_stmt *st = NULL;
    struct cg_scope sc;
    int rc = cg_scope_at(area->path, a, &sc);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            "SELECT COUNT(*), COUNT(DISTINCT CAST(area_id AS TEXT) || '/' || household),"
            " COALESCE(SUM(CASE WHEN resident_type = 'floating' THEN 1 ELSE 0 END), 0)"
            " FROM residents WHERE " CG_SCOPE_SQL("area_path") " AND status = 'active'",
            "ss", sc.from, sc.to);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        out->residents = cg_stmt_int(st, 0);
        out->households = cg_stmt_int(st, 1);
        out->floating = cg_stmt_int(st, 2);
    }
    cg_stmt_reset(st);
    return rc == CG_ROW ? 0 : (rc ? rc : CG_EDB);
}

int cg_staff_card(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                  struct cg_card *out)
{
    memset(out, 0, sizeof *out);
    int rc = cg_area_get(s, actor, area_code, a, &out->area);
    if (!rc)
        rc = card_chain(s, &out->area, a, out);
    if (!rc)
        rc = card_buildings(s, &out->area, a, out);
    if (!rc)
        rc = card_counts(s, &out->area, a, out);
    /* The card names staff and their phones: reading it is recorded. */
    struct cg_audit_record rec = {
        "area.card",
        "area",
        area_code,
        rc ? NULL : out->area.path,
        rc,
        rc ? NULL : cg_arena_printf(a, "staff=%zu buildings=%zu", out->nchain, out->nbuildings)};
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

int cg_department_check(const char *code, const char **name, const char *domains, cg_arena *a,
                        struct cg_field_error *fe)
{
    if (!cg_code_valid(code))
        return cg_field_fail(fe, CG_EBADTYPE, "code",
                             "a department code is 1-32 letters, digits, '-', '_' or '.'");
    int rc = cg_text_check(*name, "name", "a department name", 100, 1, a, name, fe);
    if (!rc && (!domains || !*domains || strlen(domains) > 500 ||
                !cg_text_valid(domains, strlen(domains))))
        rc = cg_field_fail(fe, CG_EBADTYPE, "domains",
                           "domains are a comma-separated list, e.g. power,water");
    return rc;
}

int cg_department_write(cg_store *s, const char *code, const char *name, const char *domains,
                        int64_t area_id, struct cg_field_error *fe)
{
    int rc = cg_store_run(
        s, NULL, "INSERT INTO departments (code, name, domains, area_id) VALUES (?, ?, ?, ?)",
        "sssi", code, name, domains, area_id);
    if (rc == CG_EEXISTS)
        cg_field_fail(fe, rc, "code", "department code '%s' exists", code);
    return rc;
}

struct department_insert {
    const char *code, *name, *domains;
    int64_t area_id;
    struct cg_field_error *fe;
};

static int write_department(cg_store *s, void *ctx)
{
    const struct department_insert *w = ctx;
    return cg_department_write(s, w->code, w->name, w->domains, w->area_id, w->fe);
}

int cg_department_create(cg_store *s, const struct cg_actor *actor, const char *code,
                         const char *name, const char *domains, cg_arena *a,
                         struct cg_department *out, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {
        "department.create", "department", code, actor ? actor->area_path : NULL, 0, name};
    int rc = cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_department_check(code, &name, domains, a, fe);
    rec.detail = name;
    struct department_insert w = {code, name, domains, actor ? actor->area_id : 0, fe};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_department, &w)))
        return rc;
    out->code = cg_arena_strdup(a, code);
    out->name = cg_arena_strdup(a, name);
    out->domains = cg_arena_strdup(a, domains);
    return 0;
}

int cg_department_list(cg_store *s, const struct cg_actor *actor, cg_arena *a,
                       struct cg_department **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    cg_stmt *st = NULL;
    /* Every department: a county has tens of them, and none is cut off. */
    int rc =
        cg_store_query(s, &st, "SELECT id, code, name, domains FROM departments ORDER BY code", "");
    if (rc)
        return rc;
    struct cg_department *out = NULL;
    size_t count = 0, cap = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        out[count].id = cg_stmt_int(st, 0);
        out[count].code = cg_arena_strdup(a, cg_stmt_text(st, 1));
        out[count].name = cg_arena_strdup(a, cg_stmt_text(st, 2));
        out[count].domains = cg_arena_strdup(a, cg_stmt_text(st, 3));
        count++;
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return 0;
}
