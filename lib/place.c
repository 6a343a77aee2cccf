#include "civgrid/place.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/secret.h"
#include "civgrid/text.h"

const struct cg_place_type cg_place_types[] = {
    {"venue", "shop", "商店", "Shop"},
    {"venue", "market", "市场", "Market"},
    {"venue", "supermarket", "超市", "Supermarket"},
    {"venue", "pharmacy", "药店", "Pharmacy"},
    {"venue", "restaurant", "餐馆", "Restaurant"},
    {"venue", "sampling_point", "核酸采样点", "Sampling point"},
    {"venue", "quarantine_hotel", "隔离酒店", "Quarantine hotel"},
    {"venue", "school", "学校", "School"},
    {"venue", "hospital", "医院", "Hospital"},
    {"venue", "station", "车站/卡口", "Station or checkpoint"},
    {"venue", "stall", "摊点", "Stall"},
    {"venue", "other", "其他场所", "Other venue"},
    {"risk_point", "forest", "林区", "Forest"},
    {"risk_point", "field", "农田", "Field"},
    {"risk_point", "road", "道路", "Road"},
    {"risk_point", "mine", "矿山", "Mine"},
    {"risk_point", "river", "河流", "River"},
    {"risk_point", "gully", "沟壑", "Gully"},
    {NULL, NULL, NULL, NULL},
};

const struct cg_place_type *cg_place_type_find(const char *kind, const char *type)
{
    for (const struct cg_place_type *t = cg_place_types; kind && type && t->kind; t++)
        if (!strcmp(t->kind, kind) && !strcmp(t->type, type))
            return t;
    return NULL;
}

static int kind_valid(const char *kind)
{
    return kind && (!strcmp(kind, "venue") || !strcmp(kind, "risk_point"));
}

/* The types of one kind, "a, b, c", for error messages. */
static const char *types_of(cg_arena *a, const char *kind)
{
    char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (const struct cg_place_type *t = cg_place_types; t->kind; t++)
        if (!kind || !strcmp(t->kind, kind))
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "", t->type);
    return cg_arena_strdup(a, buf);
}

/* "P" and 9 characters that cannot be misread on a poster (no 0/O, 1/I). */
static void random_code(char out[11])
{
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    char raw[24];
    cg_secret_random(raw, sizeof raw, 9);
    out[0] = 'P';
    for (int i = 0; i < 9; i++)
        out[i + 1] = alphabet[(unsigned char)raw[i] % 32];
    out[10] = '\0';
}

#define AL CG_IMPORT_ALIASES
const struct cg_import_column cg_venue_columns[CG_VENUE_NCOLS] = {
    [CG_VENUE_COL_CODE] = {"code", 1, "编码", "Code", AL("code", "编码", "场所编码", "代码")},
    [CG_VENUE_COL_NAME] = {"name", 1, "名称", "Name", AL("name", "名称", "场所名称")},
    [CG_VENUE_COL_TYPE] = {"type", 1, "类型", "Type", AL("type", "类型", "场所类型")},
    [CG_VENUE_COL_AREA] = {"area_code", 1, "区域编码", "Area code",
                           AL("area_code", "区域编码", "网格编码")},
    [CG_VENUE_COL_ADDRESS] = {"address", 0, "地址", "Address", AL("address", "地址")},
};
#undef AL

/* Words spreadsheets use for a type besides its English name and its zh. */
static const char *const type_words[][2] = {
    {"restaurant", "餐厅"}, {"sampling_point", "采样点"},
    {"station", "车站"},    {"station", "卡口"},
    {"stall", "地摊"},      {"other", "其他"},
};

/* The English type a word names for kind, or NULL. */
static const char *type_of(const char *kind, const char *word)
{
    for (const struct cg_place_type *t = cg_place_types; t->kind; t++)
        if (!strcmp(t->kind, kind) && (!strcmp(t->type, word) || !strcmp(t->zh, word)))
            return t->type;
    for (size_t i = 0; i < sizeof type_words / sizeof type_words[0]; i++)
        if (!strcmp(type_words[i][1], word) && cg_place_type_find(kind, type_words[i][0]))
            return type_words[i][0];
    return NULL;
}

/* A refused value as an error may repeat it: "" when it is not text. */
static const char *shown(const char *v)
{
    return v && cg_text_valid(v, strlen(v)) ? v : "";
}

int cg_place_check(struct cg_place_input *in, cg_arena *a, struct cg_field_error *fe)
{
    const char *type;
    if (!in->kind || !*in->kind)
        return cg_field_why(
            cg_field_fail(fe, CG_EMISSING, "kind", "the kind is missing (venue or risk_point)"), fe,
            CG_R_MISSING, NULL);
    if (!kind_valid(in->kind))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "kind",
                                          "kind is venue or risk_point, not '%s'", shown(in->kind)),
                            fe, CG_R_NOT_ALLOWED, shown(in->kind));
    if (!in->type || !*in->type)
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "type", "the type is missing (%s)",
                                          types_of(a, in->kind)),
                            fe, CG_R_MISSING, NULL);
    if (!(type = type_of(in->kind, in->type)))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "type", "unknown %s type '%s' (%s)",
                                          in->kind, shown(in->type), types_of(a, in->kind)),
                            fe, CG_R_UNKNOWN_TYPE, shown(in->type));
    in->type = type;
    int rc = cg_text_check(in->name, "name", "a place name", 200, 1, a, &in->name, fe);
    if (!rc)
        rc = cg_text_check(in->address, "address", "an address", 400, 0, a, &in->address, fe);
    if (rc)
        return rc;
    if (!in->area_code || !*in->area_code)
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "area_code", "the area code is missing"),
                            fe, CG_R_MISSING, NULL);
    if (in->code && !cg_code_valid(in->code))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "code",
                          "a place code is 1-32 letters, digits, '-', '_' or '.', not '%s'",
                          shown(in->code)),
            fe, CG_R_BAD_CODE, shown(in->code));
    return 0;
}

int cg_place_write(cg_store *s, const struct cg_place_input *in, int64_t area_id,
                   const char *area_path, int update, int64_t *id, struct cg_field_error *fe)
{
    if (update)
        return cg_store_run(s, NULL,
                            "UPDATE places SET name = ?, type = ?, area_id = ?, area_path = ?,"
                            " address = ? WHERE code = ?",
                            "ssisss", in->name, in->type, area_id, area_path, in->address,
                            in->code);
    int rc = cg_store_insert(
        s, id,
        "INSERT INTO places (code, name, kind, type, area_id, area_path, address, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?) RETURNING id",
        "ssssissi", in->code, in->name, in->kind, in->type, area_id, area_path, in->address,
        cg_now());
    if (rc == CG_EEXISTS)
        return cg_field_why(
            cg_field_fail(fe, rc, "code", "place code '%s' already exists", in->code), fe,
            CG_R_TAKEN, in->code);
    return rc;
}

/* Checks in (rewritten to its stored form, with a code made when it had
 * none) and finds its area in the actor's scope. */
static int prepare(cg_store *s, const struct cg_actor *actor, struct cg_place_input *in,
                   cg_arena *a, struct cg_area *area, struct cg_field_error *fe)
{
    if (!cg_actor_can(actor, CG_PERM_AREAS_WRITE))
        return CG_EFORBIDDEN;
    int rc = cg_place_check(in, a, fe);
    if (rc)
        return rc;
    rc = cg_area_get(s, actor, in->area_code, a, area);
    if (rc == CG_ENOTFOUND)
        return cg_field_why(cg_field_fail(fe, rc, "area_code",
                                          "area_code '%s' names no area you can see",
                                          in->area_code),
                            fe, CG_R_UNKNOWN_AREA, in->area_code);
    if (rc || in->code)
        return rc;
    char generated[11];
    random_code(generated);
    return (in->code = cg_arena_strdup(a, generated)) ? 0 : CG_ENOMEM;
}

int cg_place_add(cg_store *s, const struct cg_actor *actor, const struct cg_place_input *input,
                 cg_arena *a, int64_t *id, struct cg_field_error *fe)
{
    struct cg_place_input in = *input;
    struct cg_area area;
    int rc = prepare(s, actor, &in, a, &area, fe);
    return rc ? rc : cg_place_write(s, &in, area.id, area.path, 0, id, fe);
}

#define PLACE_COLUMNS                                                                              \
    "p.id, p.code, p.name, p.kind, p.type, p.address, p.status, p.created_at,"                     \
    " a.id, a.code, a.name, a.level, a.path"
#define PLACE_FROM " FROM places p JOIN areas a ON a.id = p.area_id"

static void read_place(cg_stmt *st, cg_arena *a, struct cg_place *p)
{
    memset(p, 0, sizeof *p);
    p->id = cg_stmt_int(st, 0);
    p->code = cg_arena_strdup(a, cg_stmt_text(st, 1));
    p->name = cg_arena_strdup(a, cg_stmt_text(st, 2));
    p->kind = cg_arena_strdup(a, cg_stmt_text(st, 3));
    p->type = cg_arena_strdup(a, cg_stmt_text(st, 4));
    p->address = cg_arena_strdup(a, cg_stmt_text(st, 5));
    p->status = cg_arena_strdup(a, cg_stmt_text(st, 6));
    p->created_at = cg_stmt_int(st, 7);
    p->area.id = cg_stmt_int(st, 8);
    p->area.code = cg_arena_strdup(a, cg_stmt_text(st, 9));
    p->area.name = cg_arena_strdup(a, cg_stmt_text(st, 10));
    p->area.level = cg_arena_strdup(a, cg_stmt_text(st, 11));
    p->area.path = cg_arena_strdup(a, cg_stmt_text(st, 12));
    const struct cg_place_type *t = cg_place_type_find(p->kind, p->type);
    p->type_zh = t ? t->zh : p->type;
}

/* Reads a place by code without checking scope. */
static int load(cg_store *s, const char *code, cg_arena *a, struct cg_place *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT " PLACE_COLUMNS PLACE_FROM " WHERE p.code = ?", "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        read_place(st, a, out);
    }
    cg_stmt_reset(st);
    return rc;
}

int cg_place_get(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                 struct cg_place *out)
{
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    if (!code || !*code)
        return CG_ENOTFOUND;
    int rc = load(s, code, a, out);
    if (!rc && !cg_actor_in_scope(actor, out->area.path))
        return CG_ENOTFOUND; /* out of scope looks exactly like absent */
    return rc;
}

struct place_insert {
    const struct cg_place_input *in;
    const struct cg_area *area;
    int64_t id;
    struct cg_field_error *fe;
};

static int write_insert(cg_store *s, void *ctx)
{
    struct place_insert *w = ctx;
    return cg_place_write(s, w->in, w->area->id, w->area->path, 0, &w->id, w->fe);
}

int cg_place_create(cg_store *s, const struct cg_actor *actor, const struct cg_place_input *input,
                    cg_arena *a, struct cg_place *out, struct cg_field_error *fe)
{
    struct cg_place_input in = *input;
    struct cg_area area = {0};
    struct cg_audit_record rec = {"place.create", "place", in.code, NULL, 0, NULL};
    int rc = prepare(s, actor, &in, a, &area, fe);
    if (!rc) {
        rec.object_id = in.code;
        rec.area_path = area.path;
        rec.detail = cg_arena_printf(a, "%s %s %s", in.kind, in.type, in.name);
    }
    struct place_insert w = {&in, &area, 0, fe};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_insert, &w)))
        return rc;
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st, "SELECT " PLACE_COLUMNS PLACE_FROM " WHERE p.id = ?", "i", w.id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_place(st, a, out);
    cg_stmt_reset(st);
    return rc;
}

/* "%text%" for LIKE, with the wildcards of text escaped by '\'. */
static const char *like_pattern(cg_arena *a, const char *q)
{
    size_t n = strlen(q);
    char *out = cg_arena_alloc(a, 2 * n + 3);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* The scope is one path range (scope.h): the area asked for, which
 * cg_area_get has checked lies in the actor's scope, or the actor's own. */
#define LIST_FILTERS                                                                               \
    " WHERE " CG_SCOPE_SQL("p.area_path") " AND (CAST(? AS TEXT) IS NULL OR p.kind = ?)"           \
                                          " AND (CAST(? AS TEXT) IS NULL OR p.type = ?)"           \
                                          " AND (CAST(? AS TEXT) = 'all' OR p.status = ?)"         \
                                          " AND (CAST(? AS TEXT) IS NULL OR p.code LIKE ? ESCAPE " \
                                          "'\\' OR p.name LIKE ? ESCAPE '\\'"                      \
                                          " OR p.address LIKE ? ESCAPE '\\')"
#define LIST_ARGS "ssssssssssss"

/* Not static: tests/unit/test_scope.c asks SQLite for its plan, to show that
 * the scope range uses the places_area index. */
const char cg__place_list_sql[] = "SELECT " PLACE_COLUMNS PLACE_FROM LIST_FILTERS
                                  " ORDER BY p.area_path, p.code LIMIT ? OFFSET ?";

int cg_place_list(cg_store *s, const struct cg_actor *actor, const struct cg_place_query *q,
                  cg_arena *a, struct cg_place **items, size_t *n, int64_t *total,
                  struct cg_field_error *fe)
{
    *items = NULL;
    *n = 0;
    if (total)
        *total = 0;
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    const char *kind = q->kind && *q->kind ? q->kind : NULL;
    const char *type = q->type && *q->type ? q->type : NULL;
    const char *status = q->status && *q->status ? q->status : "active";
    if (kind && !kind_valid(kind))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "kind", "kind is venue or risk_point, not '%s'", kind),
            fe, CG_R_NOT_ALLOWED, kind);
    if (type) {
        int known = 0;
        for (const struct cg_place_type *t = cg_place_types; t->kind && !known; t++)
            known = !strcmp(t->type, type) && (!kind || !strcmp(t->kind, kind));
        if (!known)
            return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "type",
                                              "unknown place type '%s' (%s)", type,
                                              types_of(a, kind)),
                                fe, CG_R_UNKNOWN_TYPE, type);
    }
    if (strcmp(status, "active") && strcmp(status, "retired") && strcmp(status, "all"))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "status", "status is active, retired or all"), fe,
            CG_R_NOT_ALLOWED, status);
    int limit = q->limit > 0 ? q->limit : 100, offset = q->offset > 0 ? q->offset : 0;
    if (limit > 1000)
        return cg_field_bounds(
            cg_field_why(cg_field_fail(fe, CG_ERANGE, "limit", "limit is at most 1000"), fe,
                         CG_R_OUT_OF_RANGE, NULL),
            fe, 1, 1000);
    const char *within = actor->area_path;
    if (q->area_code && *q->area_code) {
        struct cg_area area;
        int rc = cg_area_get(s, actor, q->area_code, a, &area);
        if (rc)
            return rc;
        within = area.path;
    }
    struct cg_scope sc;
    int src = cg_scope_at(within, a, &sc);
    if (src)
        return src;
    const char *pattern = q->q && *q->q ? like_pattern(a, q->q) : NULL;
    if (q->q && *q->q && !pattern)
        return CG_ENOMEM;
    cg_stmt *st = NULL;
    int rc;
    if (total) {
        rc = cg_store_query(s, &st, "SELECT COUNT(*) FROM places p" LIST_FILTERS, LIST_ARGS,
                            sc.from, sc.to, kind, kind, type, type, status, status, pattern,
                            pattern, pattern, pattern);
        if (rc)
            return rc;
        rc = cg_stmt_step(st);
        if (rc == CG_ROW)
            *total = cg_stmt_int(st, 0);
        cg_stmt_reset(st);
        if (rc != CG_ROW)
            return rc ? rc : CG_EDB;
    }
    rc = cg_store_query(s, &st,
                        "SELECT " PLACE_COLUMNS PLACE_FROM LIST_FILTERS
                        " ORDER BY p.area_path, p.code LIMIT ? OFFSET ?",
                        LIST_ARGS "ii", sc.from, sc.to, kind, kind, type, type, status, status,
                        pattern, pattern, pattern, pattern, (int64_t)limit, (int64_t)offset);
    if (rc)
        return rc;
    struct cg_place *out = cg_arena_calloc(a, sizeof *out * (size_t)limit);
    size_t count = 0;
    while (out && (rc = cg_stmt_step(st)) == CG_ROW)
        read_place(st, a, &out[count++]);
    cg_stmt_reset(st);
    if (!out)
        return CG_ENOMEM;
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return 0;
}

struct place_status {
    int64_t id;
    const char *status;
};

static int write_status(cg_store *s, void *ctx)
{
    const struct place_status *w = ctx;
    return cg_store_run(s, NULL, "UPDATE places SET status = ? WHERE id = ?", "si", w->status,
                        w->id);
}

int cg_place_set_status(cg_store *s, const struct cg_actor *actor, const char *code,
                        const char *status, cg_arena *a, struct cg_place *out,
                        struct cg_field_error *fe)
{
    int valid = status && (!strcmp(status, "retired") || !strcmp(status, "active"));
    struct cg_audit_record rec = {valid && !strcmp(status, "retired") ? "place.retire"
                                  : valid                             ? "place.activate"
                                                                      : "place.status",
                                  "place",
                                  code,
                                  NULL,
                                  0,
                                  NULL};
    int rc = cg_actor_can(actor, CG_PERM_AREAS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_place_get(s, actor, code, a, out);
    if (!rc && !valid)
        rc = cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "status", "status is retired or active"),
                          fe, CG_R_NOT_ALLOWED, status);
    if (!rc)
        rec.area_path = out->area.path;
    if (!rc && !strcmp(out->status, status))
        return 0; /* nothing to change, nothing to record */
    struct place_status w = {out->id, status};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_status, &w)))
        return rc;
    out->status = cg_arena_strdup(a, status);
    return 0;
}
