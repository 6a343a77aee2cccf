#include "civgrid/staff.h"

#include <stdlib.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/counts.h"
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
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "position",
                                          "position is commander, grid_head, grid_worker, "
                                          "assistant, building_head or street_head"),
                            fe, CG_R_NOT_ALLOWED, in->position);
    int rc = cg_text_check(in->name, "name", "a name", 100, 1, a, &in->name, fe);
    if (rc)
        return rc;
    if (in->phone && !*in->phone)
        in->phone = NULL;
    if (in->phone && cg_phone_check(in->phone))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "phone", "'%s' is not an 11-digit mobile number",
                          cg_text_valid(in->phone, strlen(in->phone)) ? in->phone : "?"),
            fe, CG_R_BAD_PHONE, cg_text_valid(in->phone, strlen(in->phone)) ? in->phone : "");
    return 0;
}

int cg_staff_write(cg_store *s, int64_t area_id, const struct cg_staff_input *in, int64_t user_id,
                   const char *start_date, int64_t *id)
{
    int rc = cg_counts_touch(s, area_id);
    if (rc)
        return rc;
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
        cg_field_why(
            cg_field_fail(fe, rc, "area_code", "no area with code '%s' in your scope", area_code),
            fe, CG_R_UNKNOWN_AREA, area_code);
    if (!rc)
        rc = cg_staff_check(&in, a, fe);
    if (!rc && username && *username &&
        (rc = user_id_of(s, actor, username, &w.user_id)) == CG_ENOTFOUND)
        rc = cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "username", "no account '%s' in your scope", username),
            fe, CG_R_UNKNOWN_ACCOUNT, username);
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
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT area_id FROM staff_assignments WHERE id = ?", "i", w->id);
    if (!rc && !(rc = cg_stmt_one(st)))
        rc = cg_counts_touch(s, cg_stmt_int(st, 0));
    if (st)
        cg_stmt_reset(st);
    return rc ? rc
              : cg_store_run(s, NULL, "UPDATE staff_assignments SET end_date = ? WHERE id = ?",
                             "si", w->day, w->id);
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

int cg_card_is_overview(const char *level)
{
    return level && (!strcmp(level, "city") || !strcmp(level, "county") || !strcmp(level, "town"));
}

/* The active assignments on the nodes above the area, top first: the people
 * a resident of it may call beyond its own. The nodes above are the paths
 * that the area's path starts with (a reverse prefix test on the few
 * assignments). One row past the page says whether the chain was cut. */
static int card_chain(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    char day[11];
    cg_today(day);
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st,
                       STAFF_SELECT "WHERE substr(CAST(? AS TEXT), 1, length(a.path)) = a.path"
                                    " AND a.path <> ? AND (s.end_date IS NULL OR s.end_date > ?)"
                                    " ORDER BY length(a.path), s.position, s.id LIMIT ?",
                       "sssi", area->path, area->path, day, (int64_t)CG_CARD_CHAIN_MAX + 1);
    if (rc)
        return rc;
    out->chain = cg_arena_calloc(a, CG_CARD_CHAIN_MAX * sizeof *out->chain);
    while (out->chain && (rc = cg_stmt_step(st)) == CG_ROW &&
           !(out->chain_truncated = out->nchain == CG_CARD_CHAIN_MAX))
        read_staff(st, a, &out->chain[out->nchain++]);
    cg_stmt_reset(st);
    return !out->chain ? CG_ENOMEM : (rc < 0 ? rc : 0);
}

/* The active staff on the area and below it, as the card and its pages
 * order them: by the codes an office knows its areas by (a path holds ids,
 * whose text order is not their number order); the position may be NULL
 * for every position. */
#define STAFF_BELOW                                                                                \
    STAFF_SELECT                                                                                   \
    "WHERE " CG_SCOPE_SQL("a.path") " AND (s.end_date IS NULL OR s.end_date > ?)"                  \
                                    " AND (CAST(? AS TEXT) IS NULL OR s.position = ?)"             \
                                    " ORDER BY a.code, s.id LIMIT ? OFFSET ?"

static int staff_below(cg_store *s, const char *path, const char *position, int64_t offset,
                       int64_t limit, cg_arena *a, struct cg_staff **items, size_t *n)
{
    char day[11];
    cg_today(day);
    struct cg_scope sc;
    cg_stmt *st = NULL;
    *items = NULL;
    *n = 0;
    int rc = cg_scope_at(path, a, &sc);
    if (!rc)
        rc = cg_store_query(s, &st, STAFF_BELOW, "sssssii", sc.from, sc.to, day, position, position,
                            limit, offset);
    if (rc)
        return rc;
    struct cg_staff *out = limit ? cg_arena_calloc(a, (size_t)limit * sizeof *out) : NULL;
    while ((out || !limit) && *n < (size_t)limit && (rc = cg_stmt_step(st)) == CG_ROW)
        read_staff(st, a, &out[(*n)++]);
    cg_stmt_reset(st);
    *items = out;
    return limit && !out ? CG_ENOMEM : (rc < 0 ? rc : 0);
}

/* Each position's group: its exact total from the figures and its first
 * few (town level and above) or first CG_CARD_GROUP_MAX people. */
static int card_groups(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    int64_t few = cg_card_is_overview(area->level) ? CG_CARD_GROUP_FEW : CG_CARD_GROUP_MAX;
    int rc = 0;
    for (int i = 0; !rc && i < CG_STAFF_NPOSITIONS; i++) {
        struct cg_card_group *g = &out->groups[i];
        g->position = cg_staff_positions[i];
        g->total = out->figures.staff[i];
        if (g->total)
            rc = staff_below(s, area->path, g->position, 0, g->total < few ? g->total : few, a,
                             &g->items, &g->n);
    }
    return rc;
}

/* The children of an overview card, each with its figures. */
static int card_children(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT COUNT(*) FROM areas WHERE parent_id = ?", "i", area->id);
    if (!rc && !(rc = cg_stmt_one(st)))
        out->children_total = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT code, name, level, path, status FROM areas WHERE parent_id = ?"
                            " ORDER BY code LIMIT ?",
                            "ii", area->id, (int64_t)CG_CARD_CHILDREN_MAX);
    if (rc)
        return rc;
    out->children = cg_arena_calloc(a, CG_CARD_CHILDREN_MAX * sizeof *out->children);
    while (out->children && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_area *c = &out->children[out->nchildren++].area;
        c->code = cg_arena_strdup(a, cg_stmt_text(st, 0));
        c->name = cg_arena_strdup(a, cg_stmt_text(st, 1));
        c->level = cg_arena_strdup(a, cg_stmt_text(st, 2));
        c->path = cg_arena_strdup(a, cg_stmt_text(st, 3));
        c->status = cg_arena_strdup(a, cg_stmt_text(st, 4));
    }
    cg_stmt_reset(st);
    if (!out->children)
        return CG_ENOMEM;
    /* The figures are counted after the list is read: one statement at a
     * time, so that the cached statements never step inside each other. */
    for (size_t i = 0; rc >= 0 && i < out->nchildren; i++)
        rc = cg_area_figures(s, out->children[i].area.path, a, &out->children[i].figures);
    return rc < 0 ? rc : 0;
}

#define ACTIVE_BUILDINGS                                                                           \
    " FROM areas WHERE " CG_SCOPE_SQL("path") " AND level = 'building' AND status = 'active'"

/* The buildings below a card under town level (an overview counts them). */
static int card_buildings(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_card *out)
{
    cg_stmt *st = NULL;
    struct cg_scope sc;
    int rc = cg_scope_at(area->path, a, &sc);
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

static int card_read(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                     struct cg_card *out)
{
    int rc = cg_area_get(s, actor, area_code, a, &out->area);
    if (!rc)
        rc = cg_area_figures(s, out->area.path, a, &out->figures);
    if (rc)
        return rc;
    out->residents = out->figures.residents;
    out->households = out->figures.households;
    out->floating = out->figures.floating;
    out->buildings_total = out->figures.buildings;
    rc = card_chain(s, &out->area, a, out);
    if (!rc)
        rc = card_groups(s, &out->area, a, out);
    if (!rc)
        rc = cg_card_is_overview(out->area.level) ? card_children(s, &out->area, a, out)
                                                  : card_buildings(s, &out->area, a, out);
    return rc;
}

int cg_staff_card(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                  struct cg_card *out)
{
    memset(out, 0, sizeof *out);
    int rc = card_read(s, actor, area_code, a, out);
    size_t listed = out->nchain;
    for (int i = 0; i < CG_STAFF_NPOSITIONS; i++)
        listed += out->groups[i].n;
    /* The card names staff and their phones: reading it is recorded. */
    struct cg_audit_record rec = {
        "area.card",
        "area",
        area_code,
        rc ? NULL : out->area.path,
        rc,
        rc ? NULL : cg_arena_printf(a, "staff=%zu buildings=%zu", listed, out->nbuildings)};
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

int cg_staff_page(cg_store *s, const struct cg_actor *actor, const char *area_code,
                  const char *position, int64_t offset, int64_t limit, cg_arena *a,
                  struct cg_staff **items, size_t *n, int64_t *total, struct cg_field_error *fe)
{
    struct cg_area area;
    struct cg_area_figures fig;
    *items = NULL;
    *n = 0;
    *total = 0;
    if (position && !*position)
        position = NULL;
    int rc = cg_area_get(s, actor, area_code, a, &area);
    if (!rc && position && !valid_position(position))
        rc = cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "position",
                                        "position is commander, grid_head, grid_worker, "
                                        "assistant, building_head or street_head"),
                          fe, CG_R_NOT_ALLOWED, position);
    if (!rc)
        rc = cg_area_figures(s, area.path, a, &fig);
    if (!rc) {
        *total = fig.staff_total;
        for (int i = 0; position && i < CG_STAFF_NPOSITIONS; i++)
            if (!strcmp(position, cg_staff_positions[i]))
                *total = fig.staff[i];
        rc = staff_below(s, area.path, position, offset, limit, a, items, n);
    }
    struct cg_audit_record rec = {"area.staff",
                                  "area",
                                  area_code,
                                  rc ? NULL : area.path,
                                  rc,
                                  rc ? NULL
                                     : cg_arena_printf(a, "position=%s offset=%lld staff=%zu",
                                                       position ? position : "all",
                                                       (long long)offset, *n)};
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

int cg_department_check(const char *code, const char **name, const char *domains, cg_arena *a,
                        struct cg_field_error *fe)
{
    if (!cg_code_valid(code))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "code",
                                          "a department code is 1-32 letters, digits, '-', '_' "
                                          "or '.'"),
                            fe, CG_R_BAD_CODE,
                            code && cg_text_valid(code, strlen(code)) ? code : "");
    int rc = cg_text_check(*name, "name", "a department name", 100, 1, a, name, fe);
    if (!rc && (!domains || !*domains || strlen(domains) > 500 ||
                !cg_text_valid(domains, strlen(domains))))
        rc = cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "domains",
                                        "domains are a comma-separated list, e.g. power,water"),
                          fe, !domains || !*domains ? CG_R_MISSING : CG_R_BAD_DOMAINS, NULL);
    return rc;
}

int cg_department_write(cg_store *s, const char *code, const char *name, const char *domains,
                        int64_t area_id, struct cg_field_error *fe)
{
    int rc = cg_store_run(
        s, NULL, "INSERT INTO departments (code, name, domains, area_id) VALUES (?, ?, ?, ?)",
        "sssi", code, name, domains, area_id);
    if (rc == CG_EEXISTS)
        cg_field_why(cg_field_fail(fe, rc, "code", "department code '%s' exists", code), fe,
                     CG_R_TAKEN, code);
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
