#include "civgrid/resident.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "civgrid/error.h"
#include "civgrid/idcard.h"
#include "civgrid/ledger.h"
#include "civgrid/mask.h"
#include "civgrid/scope.h"
#include "civgrid/strmap.h"
#include "civgrid/text.h"

#define AL CG_IMPORT_ALIASES
const struct cg_import_column cg_resident_columns[CG_RESIDENT_NCOLS] = {
    [CG_RESIDENT_COL_ID] = {"id_number", 1, "身份证号", "ID number",
                            AL("id_number", "身份证号", "身份证号码", "公民身份号码", "证件号码")},
    [CG_RESIDENT_COL_NAME] = {"name", 1, "姓名", "Name", AL("name", "姓名")},
    [CG_RESIDENT_COL_PHONE] = {"phone", 0, "手机号", "Phone",
                               AL("phone", "mobile", "手机号", "手机号码", "手机", "电话",
                                  "联系电话")},
    [CG_RESIDENT_COL_AREA] = {"area_code", 1, "区域编码", "Area code",
                              AL("area_code", "区域编码", "网格编码", "楼栋编码")},
    [CG_RESIDENT_COL_HOUSEHOLD] = {"household", 0, "户号", "Household", AL("household", "户号")},
    [CG_RESIDENT_COL_UNIT] = {"unit", 0, "单元", "Unit", AL("unit", "单元")},
    [CG_RESIDENT_COL_ROOM] = {"room", 0, "房间", "Room",
                              AL("room", "房间", "房间号", "室", "房号")},
    [CG_RESIDENT_COL_TYPE] = {"resident_type", 0, "人员类型", "Resident type",
                              AL("resident_type", "人员类型", "类型")},
    [CG_RESIDENT_COL_TAGS] = {"tags", 0, "标签", "Ledgers", AL("tags", "ledgers", "标签", "台账")},
    [CG_RESIDENT_COL_SEX] = {"sex", -1, "性别", "Sex", AL("sex", "性别")},
    [CG_RESIDENT_COL_BIRTH] = {"birth_date", -1, "出生日期", "Birth date",
                               AL("birth_date", "出生日期")},
    [CG_RESIDENT_COL_AREA_NAME] = {"area_name", -1, "区域名称", "Area name",
                                   AL("area_name", "区域名称")},
    [CG_RESIDENT_COL_STATUS] = {"status", -1, "状态", "Status", AL("status", "状态")},
};
#undef AL
#include "resident_int.h"

/* ---- checking rows ---- */

struct cached_area {
    int64_t id;
    char *path;
    int placeable; /* a building or a grid */
};

struct cg_resident_checker {
    cg_store *store;
    const struct cg_actor *actor;
    cg_strmap *areas;   /* code -> index in area_list, or -1 when absent/out of scope */
    cg_strmap *ledgers; /* name -> id */
    struct cached_area *area_list;
    size_t nareas, cap;
    int now_year;
};

int cg_resident_checker_new(cg_store *s, const struct cg_actor *actor, cg_resident_checker **out)
{
    cg_resident_checker *c = calloc(1, sizeof *c);
    int rc = c ? 0 : CG_ENOMEM;
    if (!rc && (!(c->areas = cg_strmap_new()) || !(c->ledgers = cg_strmap_new())))
        rc = CG_ENOMEM;
    cg_stmt *st = NULL;
    if (!rc)
        rc = cg_store_query(s, &st, "SELECT id, name, zh, en FROM ledgers", "");
    /* A ledger is named by its code or by its Chinese or English name, as
     * offices and exports write it. */
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        rc = 0;
        for (int i = 1; !rc && i <= 3; i++)
            if (cg_stmt_text(st, i) && *cg_stmt_text(st, i))
                rc = cg_strmap_put(c->ledgers, cg_stmt_text(st, i), cg_stmt_int(st, 0));
    }
    if (rc == CG_DONE)
        rc = 0;
    cg_stmt_reset(st);
    if (rc) {
        cg_resident_checker_free(c);
        return rc;
    }
    c->store = s;
    c->actor = actor;
    time_t now = (time_t)cg_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    c->now_year = tm.tm_year + 1900;
    *out = c;
    return 0;
}

void cg_resident_checker_free(cg_resident_checker *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nareas; i++)
        free(c->area_list[i].path);
    free(c->area_list);
    cg_strmap_free(c->areas);
    cg_strmap_free(c->ledgers);
    free(c);
}

/* Finds an area by code through the cache; NULL when absent or out of scope. */
static const struct cached_area *lookup_area(cg_resident_checker *c, const char *code, int *err)
{
    int64_t idx = -1;
    *err = 0;
    if (cg_strmap_get(c->areas, code, &idx))
        return idx >= 0 ? &c->area_list[idx] : NULL;
    cg_arena *a = cg_arena_new();
    struct cg_area area;
    int rc = a ? cg_area_get_by_code(c->store, code, a, &area) : CG_ENOMEM;
    if (rc == 0 && cg_actor_in_scope(c->actor, area.path) && !strcmp(area.status, "active")) {
        if (c->nareas == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            struct cached_area *list = realloc(c->area_list, cap * sizeof *list);
            if (!list) {
                rc = CG_ENOMEM;
                goto out;
            }
            c->area_list = list;
            c->cap = cap;
        }
        struct cached_area *ca = &c->area_list[c->nareas];
        ca->id = area.id;
        ca->path = strdup(area.path);
        ca->placeable = !strcmp(area.level, "building") || !strcmp(area.level, "grid") ||
                        !strcmp(area.level, "micro_grid");
        if (!ca->path) {
            rc = CG_ENOMEM;
            goto out;
        }
        idx = (int64_t)c->nareas++;
    } else if (rc == 0 || rc == CG_ENOTFOUND) {
        idx = -1;
        rc = 0;
    }
    if (!rc)
        rc = cg_strmap_put(c->areas, code, idx);
out:
    cg_arena_free(a);
    *err = rc;
    return !rc && idx >= 0 ? &c->area_list[idx] : NULL;
}

static int blank(const char *s)
{
    return !s || !*s;
}

static const char *optional(const char *s)
{
    return blank(s) ? NULL : s;
}

static int check_tags(cg_resident_checker *c, const char *tags, cg_arena *a,
                      struct cg_resident_row *row, struct cg_field_error *fe)
{
    row->ntags = 0;
    if (blank(tags))
        return 0;
    char *copy = cg_arena_strdup(a, tags), *save = NULL;
    if (!copy)
        return CG_ENOMEM;
    for (char *t = strtok_r(copy, ";；", &save); t; t = strtok_r(NULL, ";；", &save)) {
        while (*t == ' ')
            t++;
        char *e = t + strlen(t);
        while (e > t && e[-1] == ' ')
            *--e = '\0';
        if (!*t)
            continue;
        int64_t id = 0;
        if (!cg_strmap_get(c->ledgers, t, &id))
            return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "tags", "unknown ledger '%s'", t),
                                fe, CG_R_UNKNOWN_LEDGER, t);
        int repeated = 0; /* "student;student" names one ledger */
        for (int i = 0; i < row->ntags; i++)
            repeated |= row->tag_ids[i] == id;
        if (repeated)
            continue;
        if (row->ntags == CG_RESIDENT_MAX_TAGS)
            return cg_field_bounds(
                cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "tags", "more than %d ledgers",
                                           CG_RESIDENT_MAX_TAGS),
                             fe, CG_R_TOO_MANY_LEDGERS, tags),
                fe, 0, CG_RESIDENT_MAX_TAGS);
        row->tag_ids[row->ntags++] = id;
    }
    return 0;
}

/* The checks of one row, each on its own field so that a row's every bad
 * field is found (cg_resident_check_all). Each returns 0, a row error with fe
 * filled, or a failure. */
static int check_id(const struct cg_resident_input *in, int now_year, struct cg_resident_row *row,
                    struct cg_field_error *fe)
{
    struct cg_idcard card;
    const char *why = NULL;
    if (blank(in->id_number))
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "id_number", "the ID number is missing"),
                            fe, CG_R_MISSING, "");
    if (cg_idcard_parse(in->id_number, now_year, &card, &why))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "id_number", "%s", why), fe,
                            cg_idcard_reason(why), in->id_number);
    memcpy(row->id_number, in->id_number, 18);
    if (row->id_number[17] == 'x')
        row->id_number[17] = 'X';
    memcpy(row->id_tail, row->id_number + 14, 4);
    memcpy(row->birth_date, card.birth_date, sizeof row->birth_date);
    row->sex[0] = card.sex;
    return 0;
}

static int check_phone(const struct cg_resident_input *in, struct cg_resident_row *row,
                       struct cg_field_error *fe)
{
    row->phone = optional(in->phone);
    if (row->phone && cg_phone_check(row->phone))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "phone",
                                          "'%s' is not an 11-digit mobile number", row->phone),
                            fe, CG_R_BAD_PHONE, row->phone);
    return 0;
}

static int check_area(cg_resident_checker *c, const struct cg_resident_input *in, cg_arena *a,
                      struct cg_resident_row *row, struct cg_field_error *fe)
{
    if (blank(in->area_code))
        return cg_field_why(cg_field_fail(fe, CG_EMISSING, "area_code", "the area code is missing"),
                            fe, CG_R_MISSING, "");
    int err = 0;
    const struct cached_area *area = lookup_area(c, in->area_code, &err);
    if (err)
        return err;
    if (!area)
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "area_code",
                                          "no area with code '%s' in your scope", in->area_code),
                            fe, CG_R_UNKNOWN_AREA, in->area_code);
    if (!area->placeable)
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "area_code",
                                          "area '%s' is not a building or a grid", in->area_code),
                            fe, CG_R_NOT_PLACEABLE, in->area_code);
    row->area_id = area->id;
    row->area_code = in->area_code;
    row->area_path = cg_arena_strdup(a, area->path); /* the row may outlive the checker */
    return row->area_path ? 0 : CG_ENOMEM;
}

static int check_type(const struct cg_resident_input *in, struct cg_resident_row *row,
                      struct cg_field_error *fe)
{
    const char *t = blank(in->resident_type) ? "permanent" : in->resident_type;
    /* Chinese spreadsheets say 常住 / 户籍 and 流动. */
    if (!strcmp(t, "permanent") || !strcmp(t, "常住") || !strcmp(t, "户籍"))
        row->resident_type = "permanent";
    else if (!strcmp(t, "floating") || !strcmp(t, "流动"))
        row->resident_type = "floating";
    else
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "resident_type",
                                          "resident type is permanent or floating, not '%s'", t),
                            fe, CG_R_NOT_ALLOWED, t);
    return 0;
}

int cg_resident_check_all(cg_resident_checker *c, const struct cg_resident_input *in, cg_arena *a,
                          struct cg_resident_row *row, struct cg_field_error *fe, int max, int *nfe)
{
    memset(row, 0, sizeof *row);
    row->resident_type = "permanent";
    int first = 0, n = 0;
    for (int step = 0; step < 8 && n < max; step++) {
        struct cg_field_error *e = &fe[n];
        memset(e, 0, sizeof *e);
        int rc = step == 0   ? check_id(in, c->now_year, row, e)
                 : step == 1 ? cg_text_check(in->name, "name", "a name", 100, 1, a, &row->name, e)
                 : step == 2 ? check_phone(in, row, e)
                 : step == 3 ? check_area(c, in, a, row, e)
                 : step == 4 ? check_type(in, row, e)
                 : step == 5 ? cg_text_check(in->household, "household", "a household", 64, 0, a,
                                             &row->household, e)
                 : step == 6 ? cg_text_check(in->unit, "unit", "a unit", 64, 0, a, &row->unit, e)
                             : cg_text_check(in->room, "room", "a room", 64, 0, a, &row->room, e);
        if (rc && rc != CG_EBADTYPE && rc != CG_EMISSING)
            return rc; /* a failure, not a fault of the row */
        if (rc) {
            first = first ? first : rc;
            n++;
        }
    }
    if (n < max) {
        memset(&fe[n], 0, sizeof fe[n]);
        int rc = check_tags(c, in->tags, a, row, &fe[n]);
        if (rc && rc != CG_EBADTYPE)
            return rc;
        if (rc) {
            first = first ? first : rc;
            n++;
        }
    }
    *nfe = n;
    return first;
}

int cg_resident_check(cg_resident_checker *c, const struct cg_resident_input *in, cg_arena *a,
                      struct cg_resident_row *row, struct cg_field_error *fe)
{
    struct cg_field_error one;
    int n = 0;
    return cg_resident_check_all(c, in, a, row, fe ? fe : &one, 1, &n);
}

/* ---- writing ---- */

static int add_history(cg_store *s, const struct cg_actor *actor, int64_t id, const char *field,
                       const char *old_value, const char *new_value)
{
    return cg_store_run(
        s, NULL,
        "INSERT INTO resident_history (resident_id, at, actor, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        "iissss", id, cg_now(), actor->username, field, old_value, new_value);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Inserts the ledger entries a row names that the resident lacks. */
static int write_tags(cg_store *s, int64_t id, const struct cg_resident_row *row, int *changed)
{
    int rc = 0;
    for (int i = 0; !rc && i < row->ntags; i++)
        rc = cg_ledger_write(s, CG_LEDGER_ADD, row->tag_ids[i], id, NULL, NULL, NULL, changed);
    return rc;
}

static int insert_row(cg_store *s, const struct cg_resident_row *row, int64_t *id)
{
    int64_t now = cg_now();
    int rc = cg_counts_touch(s, row->area_id);
    return rc ? rc
              : cg_store_insert(
                    s, id,
                    "INSERT INTO residents (id_number, id_tail, name, sex, birth_date, phone,"
                    " area_id, area_path, household, unit, room, resident_type, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "ssssssisssssii", row->id_number, row->id_tail, row->name, row->sex,
                    row->birth_date, row->phone, row->area_id, row->area_path, row->household,
                    row->unit, row->room, row->resident_type, now, now);
}

int cg_resident_insert_new(cg_store *s, const struct cg_resident_row *row)
{
    int64_t id = 0;
    int rc = cg_counts_touch(s, row->area_id);
    if (rc)
        return rc;
    if (!row->ntags) /* no ledger entries to link: no need to learn the id */
        return cg_store_run(
            s, NULL,
            "INSERT INTO residents (id_number, id_tail, name, sex, birth_date, phone, area_id,"
            " area_path, household, unit, room, resident_type, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "ssssssisssssii", row->id_number, row->id_tail, row->name, row->sex, row->birth_date,
            row->phone, row->area_id, row->area_path, row->household, row->unit, row->room,
            row->resident_type, cg_now(), cg_now());
    rc = insert_row(s, row, &id);
    /* A new resident has no ledger entries yet: plain inserts, no lookups. */
    for (int i = 0; !rc && i < row->ntags; i++)
        rc = cg_ledger_write(s, CG_LEDGER_NEW, row->tag_ids[i], id, NULL, NULL, NULL, NULL);
    return rc;
}

/* The columns a correction may change, in the order of lock_stored's SELECT. */
static const char *const fields[] = {"name", "phone", "area",         "household",
                                     "unit", "room",  "resident_type"};

/* Reads the stored resident with this ID number and locks it until the
 * transaction ends (CG_FOR_UPDATE): two corrections of one resident then
 * take turns, and each compares against what the other wrote, so that the
 * history's rows follow from each other. A query of residents alone: the area
 * code comes from a subquery, so that its row is not locked too. CG_ROW with
 * the statement on the row, CG_DONE (statement reset) when there is none. */
static int lock_stored(cg_store *s, const char *id_number, cg_stmt **st)
{
    int rc = cg_store_query(
        s, st,
        "SELECT r.id, r.name, r.phone, (SELECT a.code FROM areas a WHERE a.id = r.area_id),"
        " r.household, r.unit, r.room, r.resident_type, r.area_path FROM residents r"
        " WHERE r.id_number = ?" CG_FOR_UPDATE,
        "s", id_number);
    if (rc)
        return rc;
    rc = cg_stmt_step(*st);
    if (rc != CG_ROW)
        cg_stmt_reset(*st);
    return rc;
}

/* Inserts a new resident unless another transaction has just inserted one
 * with the same ID number (then *id stays 0): a unique violation would abort
 * a PostgreSQL transaction, while ON CONFLICT waits for the other one and
 * lets this one go on as a correction. */
static int insert_unless_taken(cg_store *s, const struct cg_resident_row *row, int64_t *id)
{
    cg_stmt *st = NULL;
    int64_t now = cg_now();
    *id = 0;
    int rc = cg_counts_touch(s, row->area_id);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            "INSERT INTO residents (id_number, id_tail, name, sex, birth_date, phone,"
            " area_id, area_path, household, unit, room, resident_type, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id_number) DO NOTHING RETURNING id",
            "ssssssisssssii", row->id_number, row->id_tail, row->name, row->sex, row->birth_date,
            row->phone, row->area_id, row->area_path, row->household, row->unit, row->room,
            row->resident_type, now, now);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW)
        *id = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Compares the locked stored row field by field with row, recording each
 * change in the history and writing the new values. */
static int correct(cg_store *s, const struct cg_actor *actor, cg_stmt *st,
                   const struct cg_resident_row *row, int *changed, int64_t *updated)
{
    const char *now_values[7] = {row->name, row->phone, row->area_code,    row->household,
                                 row->unit, row->room,  row->resident_type};
    char *old_values[7];
    int64_t id = cg_stmt_int(st, 0);
    int in_scope = cg_actor_in_scope(actor, cg_stmt_text(st, 8));
    /* The figure counts of the area it leaves and of the one it is in. */
    int rc = in_scope ? cg_counts_touch_path(s, cg_stmt_text(st, 8)) : CG_EEXISTS;
    if (!rc)
        rc = cg_counts_touch(s, row->area_id);
    for (int i = 0; i < 7; i++) {
        const char *v = cg_stmt_text(st, i + 1);
        old_values[i] = v ? strdup(v) : NULL;
    }
    cg_stmt_reset(st);
    /* A resident registered outside the actor's scope cannot be taken over by
     * importing the same ID number: it reads as a conflict, not as a leak
     * (the CG_EEXISTS above). */
    for (int i = 0; i < 7 && !rc; i++) {
        if (same(old_values[i], now_values[i]))
            continue;
        *changed = 1;
        rc = add_history(s, actor, id, fields[i], old_values[i], now_values[i]);
    }
    if (!rc && *changed)
        rc = cg_store_run(
            s, NULL,
            "UPDATE residents SET name = ?, phone = ?, area_id = ?, area_path = ?, household = ?,"
            " unit = ?, room = ?, resident_type = ?, updated_at = ? WHERE id = ?",
            "ssisssssii", row->name, row->phone, row->area_id, row->area_path, row->household,
            row->unit, row->room, row->resident_type, cg_now(), id);
    for (int i = 0; i < 7; i++)
        free(old_values[i]);
    if (!rc)
        rc = write_tags(s, id, row, changed);
    if (!rc && *changed)
        *updated = id;
    return rc;
}

/* cg_resident_write, also telling whether the resident was new, or which
 * existing one it changed (*updated). */
static int write_row(cg_store *s, const struct cg_actor *actor, const struct cg_resident_row *row,
                     int *changed, int *created, int64_t *updated)
{
    cg_stmt *st = NULL;
    *changed = *created = 0;
    *updated = 0;
    int rc = lock_stored(s, row->id_number, &st);
    if (rc == CG_DONE) {
        int64_t id = 0;
        if ((rc = insert_unless_taken(s, row, &id)))
            return rc;
        if (id) {
            *changed = *created = 1;
            return write_tags(s, id, row, changed);
        }
        /* Another transaction created it meanwhile: it is committed now, so
         * this is a correction of what it wrote. */
        rc = lock_stored(s, row->id_number, &st);
    }
    if (rc == CG_DONE)
        return CG_EDB; /* inserted and gone: cannot happen, nothing deletes */
    if (rc != CG_ROW)
        return rc;
    return correct(s, actor, st, row, changed, updated);
}

int cg_resident_write(cg_store *s, const struct cg_actor *actor, const struct cg_resident_row *row,
                      int *changed)
{
    int created = 0;
    int64_t updated = 0;
    return write_row(s, actor, row, changed, &created, &updated);
}

int cg_resident_write_updating(cg_store *s, const struct cg_actor *actor,
                               const struct cg_resident_row *row, int *changed, int64_t *updated)
{
    int created = 0;
    return write_row(s, actor, row, changed, &created, updated);
}

/* ---- reading ---- */

#define RESIDENT_COLUMNS                                                                           \
    "r.id, r.id_number, r.name, r.sex, r.birth_date, r.phone, r.household, r.unit, r.room,"        \
    " r.resident_type, r.status, r.updated_at, a.code, a.name, a.level, a.path"

/* Ledger names are fetched for a page of residents at a time with one fixed
 * statement of TAG_BATCH placeholders (unused ones bound to NULL), instead
 * of one query per resident. */
#define TAG_BATCH 50
#define P10 "?,?,?,?,?,?,?,?,?,?"
static const char tags_sql[] =
    "SELECT e.resident_id, l.name FROM ledger_entries e JOIN ledgers l ON l.id = e.ledger_id"
    " WHERE (e.end_date IS NULL OR e.end_date >= ?) AND e.resident_id IN"
    " (" P10 "," P10 "," P10 "," P10 "," P10 ") ORDER BY e.resident_id, l.id";

/* Appends name to the ';'-separated tags of the resident with this id. */
static void add_tag(struct cg_resident *items, size_t n, int64_t id, const char *name, cg_arena *a)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].id == id) {
            items[i].tags = items[i].tags[0] ? cg_arena_printf(a, "%s;%s", items[i].tags, name)
                                             : cg_arena_strdup(a, name);
            return;
        }
}

/* Fills the tags (the ledgers each is on today) of n residents. */
static int fill_tags(cg_store *s, struct cg_resident *items, size_t n, cg_arena *a)
{
    char day[11];
    cg_today(day);
    for (size_t i = 0; i < n; i++)
        items[i].tags = "";
    for (size_t first = 0; first < n; first += TAG_BATCH) {
        cg_stmt *st = NULL;
        int rc = cg_store_prepare(s, tags_sql, &st);
        if (!rc)
            rc = cg_stmt_bind_text(st, 1, day, (size_t)-1);
        for (size_t k = 0; !rc && k < TAG_BATCH; k++)
            rc = first + k < n ? cg_stmt_bind_int(st, (int)k + 2, items[first + k].id)
                               : cg_stmt_bind_null(st, (int)k + 2);
        while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
            add_tag(items + first, n - first < TAG_BATCH ? n - first : TAG_BATCH,
                    cg_stmt_int(st, 0), cg_stmt_text(st, 1), a);
            rc = 0;
        }
        if (st)
            cg_stmt_reset(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void read_resident(cg_stmt *st, const struct cg_actor *actor, cg_arena *a,
                          struct cg_resident *r)
{
    memset(r, 0, sizeof *r);
    r->id = cg_stmt_int(st, 0);
    const char *idn = cg_stmt_text(st, 1), *phone = cg_stmt_text(st, 5);
    r->id_number =
        cg_actor_can(actor, CG_PERM_UNMASK_ID) ? cg_arena_strdup(a, idn) : cg_mask_id(a, idn);
    r->phone = cg_actor_can(actor, CG_PERM_UNMASK_PHONE) ? cg_arena_strdup(a, phone)
                                                         : cg_mask_phone(a, phone);
    r->name = cg_arena_strdup(a, cg_stmt_text(st, 2));
    r->sex = cg_arena_strdup(a, cg_stmt_text(st, 3));
    /* Beside a masked ID number the full birth date would give the number
     * back (mask.h): roles that see masked numbers get the year only. */
    r->birth_date = cg_actor_can(actor, CG_PERM_UNMASK_ID)
                        ? cg_arena_strdup(a, cg_stmt_text(st, 4))
                        : cg_mask_birth_date(a, cg_stmt_text(st, 4));
    r->household = cg_arena_strdup(a, cg_stmt_text(st, 6));
    r->unit = cg_arena_strdup(a, cg_stmt_text(st, 7));
    r->room = cg_arena_strdup(a, cg_stmt_text(st, 8));
    r->resident_type = cg_arena_strdup(a, cg_stmt_text(st, 9));
    r->status = cg_arena_strdup(a, cg_stmt_text(st, 10));
    r->updated_at = cg_stmt_int(st, 11);
    r->area.code = cg_arena_strdup(a, cg_stmt_text(st, 12));
    r->area.name = cg_arena_strdup(a, cg_stmt_text(st, 13));
    r->area.level = cg_arena_strdup(a, cg_stmt_text(st, 14));
    r->area.path = cg_arena_strdup(a, cg_stmt_text(st, 15));
}

/* What a search text is, by its shape; each kind has its own indexed SQL. */
enum query_kind { Q_ALL, Q_ID, Q_ID_TAIL4, Q_ID_TAIL, Q_PHONE, Q_NAME, Q_ADDRESS, Q_KINDS };

/* Two steps: the inner query picks one page of ids using an index alone
 * (name and last digits are indexed with status and path, so scope and
 * status are checked without reading the row); only that page is then read
 * in full. The scope is one path range (scope.h): the area asked for, which
 * cg_area_get has checked lies in the actor's scope, or the actor's own. */
#define SEARCH_FROM                                                                                \
    "SELECT " RESIDENT_COLUMNS " FROM residents r JOIN areas a ON a.id = r.area_id WHERE r.id IN"  \
    " (SELECT r.id FROM residents r WHERE "
#define SEARCH_FILTERS                                                                             \
    " AND " CG_SCOPE_SQL(                                                                          \
        "r.area_path") " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM ledger_entries e "  \
                       "JOIN ledgers l"                                                            \
                       " ON l.id = e.ledger_id WHERE e.resident_id = r.id AND l.name = ?))"        \
                       " AND (CAST(? AS TEXT) = 'all' OR r.status = ?)"                            \
                       " ORDER BY r.id LIMIT ? OFFSET ?) ORDER BY r.id"

static const char *const search_sql[Q_KINDS] = {
    [Q_ALL] = SEARCH_FROM "1 = 1" SEARCH_FILTERS,
    [Q_ID] = SEARCH_FROM "r.id_number = ?" SEARCH_FILTERS,
    /* The last 4 characters are id_tail itself: the index answers alone. */
    [Q_ID_TAIL4] = SEARCH_FROM "r.id_tail = ?" SEARCH_FILTERS,
    [Q_ID_TAIL] = SEARCH_FROM
    "r.id_tail = ? AND substr(r.id_number, 19 - length(CAST(? AS TEXT))) = ?" SEARCH_FILTERS,
    [Q_PHONE] = SEARCH_FROM "r.phone = ?" SEARCH_FILTERS,
    [Q_NAME] = SEARCH_FROM "r.name >= ? AND r.name < ?" SEARCH_FILTERS,
    /* A resident's area_path is its area's path: the path index serves it. */
    [Q_ADDRESS] =
        SEARCH_FROM "r.area_path IN (SELECT path FROM areas WHERE name LIKE ?)" SEARCH_FILTERS,
};

static int all_digits(const char *s, size_t n, int allow_x_last)
{
    for (size_t i = 0; i < n; i++)
        if (!(s[i] >= '0' && s[i] <= '9') &&
            !(allow_x_last && i == n - 1 && (s[i] == 'X' || s[i] == 'x')))
            return 0;
    return n > 0;
}

static enum query_kind classify(const char *q)
{
    if (blank(q))
        return Q_ALL;
    size_t n = strlen(q);
    if (n == 18 && all_digits(q, n, 1))
        return Q_ID;
    if (n == 11 && q[0] == '1' && all_digits(q, n, 0))
        return Q_PHONE;
    if (n >= 4 && n <= 6 && all_digits(q, n, 1))
        return n == 4 ? Q_ID_TAIL4 : Q_ID_TAIL;
    /* Addresses carry numbers or the words of addresses; names do not. */
    static const char *const address_words[] = {"号", "楼", "单元", "室", "小区",
                                                "路", "街", "村",   NULL};
    for (size_t i = 0; i < n; i++)
        if (q[i] >= '0' && q[i] <= '9')
            return Q_ADDRESS;
    for (const char *const *w = address_words; *w; w++)
        if (strstr(q, *w))
            return Q_ADDRESS;
    return Q_NAME;
}

/* Binds the head predicate's values for kind; returns the next index. */
static int bind_head(cg_stmt *st, enum query_kind kind, const char *q, cg_arena *a, int *rc)
{
    int i = 1;
    char upper[19];
    switch (kind) {
    case Q_ALL:
        break;
    case Q_ID:
        snprintf(upper, sizeof upper, "%s", q);
        upper[17] = upper[17] == 'x' ? 'X' : upper[17];
        *rc = cg_stmt_bind_text(st, i++, upper, 18);
        break;
    case Q_ID_TAIL4:
    case Q_ID_TAIL: {
        size_t n = strlen(q);
        char *tail = cg_arena_strdup(a, q);
        if (tail[n - 1] == 'x')
            tail[n - 1] = 'X';
        *rc = cg_stmt_bind_text(st, i++, tail + n - 4, 4);
        if (!*rc && kind == Q_ID_TAIL)
            *rc = cg_stmt_bind_text(st, i++, tail, n);
        if (!*rc && kind == Q_ID_TAIL)
            *rc = cg_stmt_bind_text(st, i++, tail, n);
        break;
    }
    case Q_PHONE:
        *rc = cg_stmt_bind_text(st, i++, q, (size_t)-1);
        break;
    case Q_NAME: /* a prefix as a range, which an index can serve */
        *rc = cg_stmt_bind_text(st, i++, q, (size_t)-1);
        if (!*rc)
            *rc =
                cg_stmt_bind_text(st, i++, cg_arena_printf(a, "%s\xf4\x8f\xbf\xbf", q), (size_t)-1);
        break;
    case Q_ADDRESS: /* the name of a building, compound, street or village */
        *rc = cg_stmt_bind_text(st, i++, cg_arena_printf(a, "%%%s%%", q), (size_t)-1);
        break;
    default:
        *rc = CG_EINVAL;
    }
    return i;
}

static int audit_read(cg_store *s, const struct cg_actor *actor, const char *action,
                      const char *object, const char *path, int rc, const char *detail)
{
    int unmasked =
        cg_actor_can(actor, CG_PERM_UNMASK_ID) || cg_actor_can(actor, CG_PERM_UNMASK_PHONE);
    char name[64];
    snprintf(name, sizeof name, "%s%s", action, unmasked && !rc ? ".unmasked" : "");
    struct cg_audit_record rec = {name, "resident", object, path, rc, detail};
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

int cg_resident_query_whole_scope(const struct cg_actor *actor, const struct cg_resident_query *q)
{
    /* The area the actor's own scope starts at narrows nothing. */
    int area = !blank(q->area_code) && !(actor && actor->area_code && actor->area_code[0] &&
                                         !strcmp(q->area_code, actor->area_code));
    return blank(q->q) && blank(q->ledger) && !area;
}

/* The role the rows of q are read with: the actor's own, or, for a
 * whole-scope query, the same role without full ID numbers (birth year only,
 * as for roles that never see them). Phones stay as the role has them: they
 * are how grid staff reach the people of their own grid, and an export of
 * them still needs a purpose and stays under the caps. */
static const struct cg_actor *viewer(const struct cg_actor *actor,
                                     const struct cg_resident_query *q, cg_arena *a)
{
    if (!actor || !actor->role || !cg_actor_can(actor, CG_PERM_UNMASK_ID) ||
        !cg_resident_query_whole_scope(actor, q))
        return actor;
    struct cg_role *role = cg_arena_alloc(a, sizeof *role);
    struct cg_actor *view = cg_arena_alloc(a, sizeof *view);
    if (!role || !view)
        return NULL;
    *role = *actor->role;
    role->perms &= ~(unsigned)CG_PERM_UNMASK_ID;
    *view = *actor;
    view->role = role;
    return view;
}

/* Runs the query of q within the subtree at path `within`: at most limit
 * rows from offset, read as `actor` may see them. */
static int run_search(cg_store *s, const struct cg_actor *actor, const struct cg_resident_query *q,
                      const char *within, int limit, int offset, cg_arena *a,
                      struct cg_resident **items, size_t *n, int *more)
{
    const char *status = blank(q->status) ? "active" : q->status;
    enum query_kind kind = classify(q->q);
    struct cg_scope sc;
    cg_stmt *st = NULL;
    int rc = cg_scope_at(within, a, &sc);
    if (!rc)
        rc = cg_store_prepare(s, search_sql[kind], &st);
    if (rc)
        return rc;
    int i = bind_head(st, kind, q->q, a, &rc);
    const char *filters[] = {sc.from, sc.to, q->ledger, q->ledger, status, status};
    for (size_t k = 0; !rc && k < sizeof filters / sizeof filters[0]; k++)
        rc = cg_stmt_bind_text(st, i++, blank(filters[k]) ? NULL : filters[k], (size_t)-1);
    if (!rc) /* one row past the page says whether there are more */
        rc = cg_stmt_bind_int(st, i++, (int64_t)limit + 1);
    if (!rc)
        rc = cg_stmt_bind_int(st, i++, offset);
    if (rc) {
        cg_stmt_reset(st);
        return rc;
    }
    size_t cap = 0, count = 0;
    struct cg_resident *out = NULL;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (count == (size_t)limit) {
            *more = 1;
            continue; /* to the end, so that the step's result is CG_DONE */
        }
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        read_resident(st, actor, a, &out[count++]);
    }
    cg_stmt_reset(st);
    if (!rc)
        rc = fill_tags(s, out, count, a);
    if (!rc) {
        *items = out;
        *n = count;
    }
    return rc;
}

int cg_resident_search(cg_store *s, const struct cg_actor *actor, const struct cg_resident_query *q,
                       cg_arena *a, struct cg_resident **items, size_t *n, int *more,
                       struct cg_field_error *fe)
{
    *items = NULL;
    *n = 0;
    *more = 0;
    /* An export is recorded as one, with its format: a file of people leaves
     * the system, unlike a page on a screen. */
    const char *action = q->export_format ? "resident.export" : "resident.search";
    const char *detail = cg_arena_printf(
        a, "%s%s%sq=%s area=%s ledger=%s", q->export_format ? "format=" : "",
        q->export_format ? q->export_format : "", q->export_format ? " " : "", q->q ? q->q : "",
        q->area_code ? q->area_code : "", q->ledger ? q->ledger : "");
    if (!cg_actor_can(actor, CG_PERM_PEOPLE_READ))
        return audit_read(s, actor, action, NULL, actor ? actor->area_path : NULL, CG_EFORBIDDEN,
                          detail);
    const struct cg_actor *view = viewer(actor, q, a);
    if (!view)
        return CG_ENOMEM;
    const char *within = actor->area_path;
    if (!blank(q->area_code)) {
        struct cg_area area;
        int rc = cg_area_get(s, actor, q->area_code, a, &area);
        if (rc)
            return audit_read(s, view, action, NULL, actor->area_path, rc, detail);
        within = area.path;
    }
    int limit = q->limit > 0 ? q->limit : 50, offset = q->offset > 0 ? q->offset : 0;
    if (limit > 100000)
        return CG_ERANGE;
    /* A file with full numbers says why it is made and stays under the cap
     * of one file; the refusals are on the trail as well. */
    int unmasked =
        cg_actor_can(view, CG_PERM_UNMASK_ID) || cg_actor_can(view, CG_PERM_UNMASK_PHONE);
    int capped = q->export_format && unmasked;
    const char *purpose = NULL;
    if (capped) {
        int rc = cg__resident_check_purpose(q->purpose, a, &purpose, fe);
        if (rc)
            return audit_read(s, view, action, NULL, within, rc, detail);
        if (limit > cg__resident_export_max_rows())
            limit = cg__resident_export_max_rows();
    }
    int rc = run_search(s, view, q, within, limit, offset, a, items, n, more);
    if (!rc && capped && *more)
        rc = cg_field_fail(fe, CG_EEXPORT_TOO_LARGE, "",
                           "more than %d residents match; one export with full numbers holds at "
                           "most %d: narrow the search (area, ledger, text)",
                           limit, limit);
    if (!rc && capped)
        rc = cg__resident_export_reserve(s, actor, *n, fe);
    size_t count = *n;
    if (rc) {
        *items = NULL;
        *n = 0;
    }
    /* The count goes before the purpose, which is free text, so that the
     * record reads "... results=N purpose=why". */
    const char *tail = purpose ? cg_arena_printf(a, " purpose=%s", purpose) : "";
    return audit_read(
        s, view, action, NULL, within, rc,
        cg_arena_printf(a, "%s results=%zu%s%s", detail, count, *more ? "+" : "", tail));
}

/* Reads one resident in the actor's scope, without auditing. */
static int load(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                struct cg_resident *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT " RESIDENT_COLUMNS
                            " FROM residents r JOIN areas a ON a.id = r.area_id WHERE r.id = ?",
                            "i", id);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        read_resident(st, actor, a, out);
        rc = cg_actor_in_scope(actor, out->area.path) ? 0 : CG_ENOTFOUND;
    } else if (rc == CG_DONE) {
        rc = CG_ENOTFOUND;
    }
    cg_stmt_reset(st);
    if (!rc)
        rc = fill_tags(s, out, 1, a);
    return rc;
}

int cg_resident_get(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                    struct cg_resident *out)
{
    int rc = cg_actor_can(actor, CG_PERM_PEOPLE_READ) ? load(s, actor, id, a, out) : CG_EFORBIDDEN;
    return audit_read(s, actor, "resident.read", cg_arena_printf(a, "%lld", (long long)id),
                      rc ? NULL : out->area.path, rc, NULL);
}

/* Old phones and ID numbers in the history are masked like current ones. */
static const char *history_value(const struct cg_actor *actor, const char *field, const char *value,
                                 cg_arena *a)
{
    if (value && !strcmp(field, "phone") && !cg_actor_can(actor, CG_PERM_UNMASK_PHONE))
        return cg_mask_phone(a, value);
    if (value && !strcmp(field, "id_number") && !cg_actor_can(actor, CG_PERM_UNMASK_ID))
        return cg_mask_id(a, value);
    return cg_arena_strdup(a, value);
}

int cg_resident_history(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                        struct cg_resident_change **items, size_t *n)
{
    struct cg_resident r;
    *items = NULL;
    *n = 0;
    int rc = cg_actor_can(actor, CG_PERM_PEOPLE_READ) ? load(s, actor, id, a, &r) : CG_EFORBIDDEN;
    cg_stmt *st = NULL;
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT at, actor, field, old_value, new_value FROM resident_history"
                            " WHERE resident_id = ? ORDER BY id",
                            "i", id);
    /* The whole history: one person's changes are few, and none is left out. */
    struct cg_resident_change *out = NULL;
    size_t count = 0, cap = 0;
    while (st && (rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        struct cg_resident_change *c = &out[count++];
        c->at = cg_stmt_int(st, 0);
        c->actor = cg_arena_strdup(a, cg_stmt_text(st, 1));
        c->field = cg_arena_strdup(a, cg_stmt_text(st, 2));
        c->old_value = history_value(actor, c->field, cg_stmt_text(st, 3), a);
        c->new_value = history_value(actor, c->field, cg_stmt_text(st, 4), a);
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE) {
        *items = out;
        *n = count;
    }
    return audit_read(s, actor, "resident.history", cg_arena_printf(a, "%lld", (long long)id),
                      rc ? NULL : r.area.path, rc, NULL);
}

/* ---- probes: asking whether an ID number is registered outside one's scope ---- */

/* A save of an ID number registered elsewhere answers 409: that tells the
 * user the number exists, and where it does not (from the dry run of an
 * import too). Each such answer is a probe, audited as
 * resident.probe_elsewhere; past probe_limit of them in PROBE_WINDOW a user
 * is answered 429 instead. The counts live in the audit table, so that they
 * hold across restarts and across servers sharing one PostgreSQL. The
 * command line (user_id 0) holds the database itself and is not counted. */
#define PROBE_WINDOW 3600
#define PROBE_ACTION "resident.probe_elsewhere"
static _Atomic int probe_limit = CG_RESIDENT_PROBE_LIMIT_DEFAULT;

void cg_resident_set_probe_limit(int per_hour)
{
    probe_limit = per_hour > 0 ? per_hour : 1;
}

/* The actor's answered probes in the window, and the seconds until the
 * oldest of them leaves it. */
static int count_probes(cg_store *s, const struct cg_actor *actor, int64_t *count, int64_t *wait)
{
    int64_t now = cg_now();
    cg_stmt *st = NULL;
    *count = *wait = 0;
    int rc = cg_store_query(s, &st,
                            "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM audit WHERE action = ?"
                            " AND at > ? AND actor_id = ? AND outcome = 'already_exists'",
                            "sii", PROBE_ACTION, now - PROBE_WINDOW, actor->user_id);
    if (!rc && !(rc = cg_stmt_one(st))) {
        *count = cg_stmt_int(st, 0);
        *wait = *count ? cg_stmt_int(st, 1) + PROBE_WINDOW - now : 0;
        if (*count && *wait < 1)
            *wait = 1;
    }
    if (st)
        cg_stmt_reset(st);
    return rc;
}

int cg_resident_probe_wait(cg_store *s, const struct cg_actor *actor, int64_t *seconds)
{
    int64_t count = 0;
    *seconds = 0;
    if (!actor || !actor->user_id)
        return 0;
    int rc = count_probes(s, actor, &count, seconds);
    if (!rc && count < probe_limit)
        *seconds = 0;
    return rc;
}

int cg_resident_probes_record(cg_store *s, const struct cg_actor *actor, int64_t n,
                              const char *detail, int *over)
{
    int64_t count = 0, wait = 0;
    *over = 0;
    if (!actor || !actor->user_id || n <= 0)
        return 0;
    int rc = count_probes(s, actor, &count, &wait);
    if (rc)
        return rc;
    *over = count + n > probe_limit;
    struct cg_audit_record rec = {PROBE_ACTION,     "resident", NULL,
                                  actor->area_path, CG_EEXISTS, detail};
    if ((rc = cg_store_begin(s)))
        return rc;
    for (int64_t i = 0; !rc && i < n; i++)
        rc = cg_audit_write(s, actor, NULL, &rec);
    if (!rc && *over) { /* the refusal itself is on the record too */
        rec.outcome = CG_ERATE_LIMITED;
        rc = cg_audit_write(s, actor, NULL, &rec);
    }
    if (!rc)
        return cg_store_commit(s);
    cg_store_rollback(s);
    return rc;
}

/* The resident holding an ID number (*id), and whether the actor may see
 * it; CG_ENOTFOUND when no one does. */
static int find_holder(cg_store *s, const struct cg_actor *actor, const char *id_number,
                       int64_t *id, int *visible)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT id, area_path FROM residents WHERE id_number = ?", "s",
                            id_number);
    if (!rc && !(rc = cg_stmt_one(st))) {
        *id = cg_stmt_int(st, 0);
        *visible = cg_actor_in_scope(actor, cg_stmt_text(st, 1));
    }
    if (st)
        cg_stmt_reset(st);
    return rc;
}

/* Refuses (CG_ERATE_LIMITED, audited) a save by an actor past the limit,
 * unless the ID number is one it can see anyway (a resident in its scope):
 * a new number is refused as well as one registered elsewhere, so that the
 * refusal itself tells nothing. */
static int probe_gate(cg_store *s, const struct cg_actor *actor, const struct cg_resident_row *row,
                      struct cg_audit_record *rec)
{
    int64_t count = 0, wait = 0;
    if (!actor->user_id)
        return 0;
    int rc = count_probes(s, actor, &count, &wait);
    if (rc || count < probe_limit)
        return rc;
    int64_t holder = 0;
    int visible = 0;
    rc = find_holder(s, actor, row->id_number, &holder, &visible);
    if (rc && rc != CG_ENOTFOUND)
        return rc;
    if (visible)
        return 0;
    struct cg_audit_record refused = *rec;
    refused.action = PROBE_ACTION;
    refused.outcome = CG_ERATE_LIMITED;
    cg_audit_commit(s, actor, NULL, &refused);
    return CG_ERATE_LIMITED;
}

/* Keeps the first character of a name and stars the rest ("张伟" → "张*"):
 * enough for a registrar to see whom a taken number belongs to. */
static const char *mask_name(cg_arena *a, const char *name)
{
    size_t first = 1, rest = 0;
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    for (const char *p = name + first; *p; p++)
        rest += ((unsigned char)*p & 0xC0) != 0x80;
    char *out = cg_arena_alloc(a, first + rest + 1);
    if (!out)
        return NULL;
    memcpy(out, name, first);
    memset(out + first, '*', rest);
    out[first + rest] = '\0';
    return out;
}

/* Answers an ID number that another resident holds: CG_EEXISTS, with the
 * holder's id in *existing when it is in the actor's scope. One registered
 * elsewhere is a probe (rec becomes resident.probe_elsewhere, counted by
 * probe_gate), and the answer says what to do without saying who it is. */
static int refuse_taken(int64_t holder, int visible, int64_t *existing, struct cg_audit_record *rec,
                        struct cg_field_error *fe)
{
    if (visible) {
        *existing = holder;
        return cg_field_why(cg_field_fail(fe, CG_EEXISTS, "id_number",
                                          "a resident with this ID number is already registered: "
                                          "open it to correct it"),
                            fe, CG_R_REGISTERED, NULL);
    }
    rec->action = PROBE_ACTION;
    return cg_field_why(cg_field_fail(fe, CG_EEXISTS, "id_number",
                                      "this ID number is registered outside your scope: ask the "
                                      "grid that holds the person to transfer them"),
                        fe, CG_R_OUTSIDE_SCOPE, NULL);
}

int cg_resident_register(cg_store *s, const struct cg_actor *actor,
                         const struct cg_resident_input *in, cg_arena *a, struct cg_resident *out,
                         int64_t *existing, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"resident.register", "resident", NULL, NULL, 0, NULL};
    cg_resident_checker *c = NULL;
    struct cg_resident_row row;
    int64_t id = 0;
    int changed = 0, visible = 0, rc;
    *existing = 0;
    if (!cg_actor_can(actor, CG_PERM_PEOPLE_WRITE)) {
        rec.outcome = CG_EFORBIDDEN;
        cg_audit_commit(s, actor, NULL, &rec);
        return CG_EFORBIDDEN;
    }
    if ((rc = cg_resident_checker_new(s, actor, &c)))
        return rc;
    rc = cg_resident_check(c, in, a, &row, fe);
    cg_resident_checker_free(c);
    rec.object_id = rc ? NULL : cg_mask_id(a, row.id_number);
    rec.area_path = rc ? NULL : row.area_path;
    if (rc) {
        rec.outcome = rc;
        cg_audit_commit(s, actor, NULL, &rec);
        return rc;
    }
    if ((rc = probe_gate(s, actor, &row, &rec))) {
        if (rc == CG_ERATE_LIMITED)
            cg_field_fail(fe, rc, "id_number",
                          "too many ID numbers registered elsewhere were tried; try again later");
        return rc;
    }
    if ((rc = cg_store_begin(s)))
        return rc;
    /* Never a correction: a taken number changes nothing, and the loser of
     * a race to create it is told about the winner's resident. */
    rc = insert_unless_taken(s, &row, &id);
    if (!rc && id)
        rc = write_tags(s, id, &row, &changed);
    else if (!rc && !(rc = find_holder(s, actor, row.id_number, &id, &visible)))
        rc = refuse_taken(id, visible, existing, &rec, fe);
    else if (rc == CG_ENOTFOUND)
        rc = CG_EDB; /* taken and gone: cannot happen, nothing deletes */
    rc = cg_audit_end(s, actor, &rec, rc);
    if (rc == CG_EEXISTS && *existing && !load(s, actor, *existing, a, out)) {
        out->name = mask_name(a, out->name);
        out->id_number = cg_mask_id(a, out->id_number);
    }
    return rc ? rc : load(s, actor, id, a, out);
}

/* ---- corrections: changing the fields a request names ---- */

struct correction {
    const struct cg_actor *actor;
    int64_t id;
    const struct cg_resident_patch *patch;
    cg_arena *a;
    struct cg_audit_record *rec;
    struct cg_field_error *fe;
};

/* The value a correction leaves: the stored one unless the patch names the
 * field. A masked value sent back as it was shown (an operator who sees
 * "1402**********1234") names no change. */
static const char *pick(const char *named, const char *stored, const char *masked)
{
    if (!named || (masked && !strcmp(named, masked)))
        return stored;
    return named;
}

/* Gives the resident a corrected ID number (and with it sex and birth date),
 * unless another resident has it. One held outside the actor's scope is
 * answered like a registration's probe. */
static int change_id_number(cg_store *s, struct correction *w, const char *old,
                            const struct cg_resident_row *row)
{
    int64_t holder = 0, existing = 0;
    int visible = 0;
    int rc = find_holder(s, w->actor, row->id_number, &holder, &visible);
    if (!rc)
        return refuse_taken(holder, visible, &existing, w->rec, w->fe);
    if (rc != CG_ENOTFOUND)
        return rc;
    rc = cg_store_run(s, NULL,
                      "UPDATE residents SET id_number = ?, id_tail = ?, sex = ?, birth_date = ?"
                      " WHERE id = ?",
                      "ssssi", row->id_number, row->id_tail, row->sex, row->birth_date, w->id);
    return rc ? rc : add_history(s, w->actor, w->id, "id_number", old, row->id_number);
}

static int write_correction(cg_store *s, void *ctx)
{
    struct correction *w = ctx;
    const struct cg_resident_patch *p = w->patch;
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "SELECT r.id_number, r.name, r.phone, (SELECT a.code FROM areas a WHERE a.id = r.area_id),"
        " r.household, r.unit, r.room, r.resident_type, r.area_path FROM residents r"
        " WHERE r.id = ?" CG_FOR_UPDATE,
        "i", w->id);
    if (!rc)
        rc = cg_stmt_one(st);
    const char *v[9] = {0};
    for (int i = 0; !rc && i < 9; i++)
        if (cg_stmt_text(st, i) && !(v[i] = cg_arena_strdup(w->a, cg_stmt_text(st, i))))
            rc = CG_ENOMEM;
    if (st)
        cg_stmt_reset(st);
    if (!rc && !cg_actor_in_scope(w->actor, v[8]))
        rc = CG_ENOTFOUND; /* moved out of scope since it was read */
    if (rc)
        return rc;
    struct cg_resident_input in = {
        .id_number = pick(p->id_number, v[0], cg_mask_id(w->a, v[0])),
        .name = pick(p->name, v[1], NULL),
        .phone = pick(p->phone, v[2], v[2] ? cg_mask_phone(w->a, v[2]) : NULL),
        .area_code = pick(p->area_code, v[3], NULL),
        .household = pick(p->household, v[4], NULL),
        .unit = pick(p->unit, v[5], NULL),
        .room = pick(p->room, v[6], NULL),
        .resident_type = pick(p->resident_type, v[7], NULL),
    };
    cg_resident_checker *c = NULL;
    struct cg_resident_row row;
    int changed = 0;
    int64_t updated = 0;
    if ((rc = cg_resident_checker_new(s, w->actor, &c)))
        return rc;
    rc = cg_resident_check(c, &in, w->a, &row, w->fe);
    cg_resident_checker_free(c);
    if (!rc && strcmp(row.id_number, v[0]))
        rc = change_id_number(s, w, v[0], &row);
    if (rc)
        return rc;
    if ((rc = lock_stored(s, row.id_number, &st)) != CG_ROW)
        return rc < 0 ? rc : CG_EDB; /* locked above: it cannot be gone */
    return correct(s, w->actor, st, &row, &changed, &updated);
}

int cg_resident_correct(cg_store *s, const struct cg_actor *actor, int64_t id,
                        const struct cg_resident_patch *patch, cg_arena *a, struct cg_resident *out,
                        struct cg_field_error *fe)
{
    struct cg_audit_record rec = {
        "resident.correct", "resident", cg_arena_printf(a, "%lld", (long long)id), NULL, 0, NULL};
    int rc = cg_actor_can(actor, CG_PERM_PEOPLE_WRITE) ? load(s, actor, id, a, out) : CG_EFORBIDDEN;
    if (rc) {
        rec.outcome = rc;
        cg_audit_commit(s, actor, NULL, &rec);
        return rc;
    }
    rec.area_path = out->area.path;
    struct correction w = {actor, id, patch, a, &rec, fe};
    if ((rc = cg_audit_change(s, actor, &rec, 0, write_correction, &w)))
        return rc;
    return load(s, actor, id, a, out);
}

struct status_change {
    const struct cg_actor *actor;
    int64_t id;
    const char *before, *status, *note;
};

static int write_status(cg_store *s, void *ctx)
{
    const struct status_change *w = ctx;
    int rc = cg_counts_touch_resident(s, w->id);
    if (!rc)
        rc = cg_store_run(s, NULL, "UPDATE residents SET status = ?, updated_at = ? WHERE id = ?",
                          "sii", w->status, cg_now(), w->id);
    if (!rc)
        rc = add_history(s, w->actor, w->id, "status", w->before, w->status);
    if (!rc && w->note && *w->note)
        rc = add_history(s, w->actor, w->id, "note", NULL, w->note);
    return rc;
}

int cg_resident_set_status(cg_store *s, const struct cg_actor *actor, int64_t id,
                           const char *status, const char *note, cg_arena *a,
                           struct cg_resident *out, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {
        "resident.status", "resident", cg_arena_printf(a, "%lld", (long long)id), NULL, 0, status};
    int rc = cg_actor_can(actor, CG_PERM_PEOPLE_WRITE) ? load(s, actor, id, a, out) : CG_EFORBIDDEN;
    if (!rc && strcmp(status, "active") && strcmp(status, "moved_out") &&
        strcmp(status, "deceased"))
        rc = cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "status", "status is active, moved_out or deceased"), fe,
            CG_R_NOT_ALLOWED, status);
    if (!rc)
        rc = cg_text_check(note, "note", "a note", 500, 0, a, &note, fe);
    if (rc) {
        rec.outcome = rc;
        cg_audit_commit(s, actor, NULL, &rec);
        return rc;
    }
    rec.area_path = out->area.path;
    if (!strcmp(out->status, status))
        return 0;
    struct status_change w = {actor, id, out->status, status, note};
    if ((rc = cg_audit_change(s, actor, &rec, 0, write_status, &w)))
        return rc;
    return load(s, actor, id, a, out);
}
