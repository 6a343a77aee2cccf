/* Residents: search (JSON, CSV or xlsx), register, correct, read, status,
 * history. Scope, masking and audit happen in lib/resident.c. */
#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/area.h"
#include "civgrid/clock.h"
#include "civgrid/export.h"
#include "civgrid/ledger.h"
#include "civgrid/jsonw.h"
#include "civgrid/resident.h"
#include "render.h"
#include "routes.h"

/* Residents are written straight into the response: a page of them as a
 * jansson tree cost more than the query (see lib/util/jsonw.c). */
static void write_resident(struct cg_jw *w, const struct cg_resident *r)
{
    cg_jw_object(w);
    cg_jw_kint(w, "id", r->id);
    cg_jw_kstring(w, "id_number", r->id_number);
    cg_jw_kstring(w, "name", r->name);
    cg_jw_kstring(w, "sex", r->sex);
    cg_jw_kstring(w, "birth_date", r->birth_date);
    cg_jw_kstring(w, "phone", r->phone);
    cg_jw_kstring(w, "household", r->household);
    cg_jw_kstring(w, "unit", r->unit);
    cg_jw_kstring(w, "room", r->room);
    cg_jw_kstring(w, "resident_type", r->resident_type);
    cg_jw_kstring(w, "status", r->status);
    cg_jw_key(w, "area");
    cg_jw_object(w);
    cg_jw_kstring(w, "code", r->area.code);
    cg_jw_kstring(w, "name", r->area.name);
    cg_jw_kstring(w, "level", r->area.level);
    cg_jw_end(w);
    cg_jw_kstring(w, "tags", r->tags ? r->tags : "");
    cg_jw_kint(w, "updated_at", r->updated_at);
    cg_jw_end(w);
}

static int reply_resident(struct http_req *r, const struct cg_resident *res)
{
    struct cg_jw w;
    cg_buf_reset(&r->out);
    cg_jw_init(&w, &r->out);
    write_resident(&w, res);
    int rc = cg_jw_finish(&w);
    if (rc)
        return rc;
    r->status = 200;
    r->content_type = "application/json; charset=utf-8";
    return 0;
}

#define EXPORT_MAX 100000

/* Where an export's rows come from, for its file name: the area asked for,
 * else the user's own. */
static const char *export_place(struct http_req *r)
{
    const char *code = http_query(r, "area");
    struct cg_area area;
    if (code && *code && !cg_area_get_by_code(r->db, code, r->arena, &area))
        return area.name;
    return r->actor && r->actor->area_name ? r->actor->area_name : "";
}

/* A file in the office's words (lib/export.c): Chinese, or English with
 * lang=en; named after what it holds, where and when. */
static int export_residents(struct http_req *r, const char *format, const struct cg_resident *items,
                            size_t n)
{
    const char *lang = http_query(r, "lang");
    int en = lang && !strncmp(lang, "en", 2), xlsx = !strcmp(format, "xlsx");
    struct cg_ledger *ledgers = NULL;
    size_t nledgers = 0;
    int rc = cg_ledger_names(r->db, r->arena, &ledgers, &nledgers);
    if (!rc)
        rc = cg_export_residents(&r->out, xlsx, en, items, n, ledgers, nledgers, r->arena);
    const char *disposition =
        rc ? NULL
           : cg_export_disposition(r->arena, en ? "Residents" : "居民", "residents",
                                   export_place(r), format, cg_now());
    if (!rc && !disposition)
        rc = CG_ENOMEM;
    if (rc)
        return rc;
    r->status = 200;
    r->content_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8";
    http_add_header(r, "Content-Disposition", disposition);
    return 0;
}

static int parse_id(struct http_req *r, int64_t *id)
{
    const char *s = http_param(r, "id");
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || *end || v <= 0)
        return http_fail(r, CG_ENOTFOUND, NULL, "no resident %s", s ? s : "");
    *id = v;
    return 0;
}

int route_residents_list(struct http_req *r)
{
    const char *format = http_query(r, "format");
    int64_t limit = 50, offset = 0;
    int rc = http_query_int(r, "limit", 1, 1000, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, &offset);
    if (!rc && format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx"))
        rc = cg_field_why(http_fail(r, CG_EBADTYPE, "format", "format must be json, csv or xlsx"),
                          &r->ferr, CG_R_NOT_ALLOWED, format);
    if (rc)
        return rc;
    int file = format && strcmp(format, "json");
    struct cg_resident_query q = {
        .q = http_query(r, "q"),
        .area_code = http_query(r, "area"),
        .ledger = http_query(r, "ledger"),
        .status = http_query(r, "status"),
        /* A file is the whole list the user may see, not one page of it. */
        .limit = file ? EXPORT_MAX : (int)limit,
        .offset = file ? 0 : (int)offset,
        .export_format = file ? format : NULL,
        .purpose = http_query(r, "purpose"),
    };
    struct cg_resident *items = NULL;
    size_t n = 0;
    int more = 0;
    rc = cg_resident_search(r->db, r->actor, &q, r->arena, &items, &n, &more, &r->ferr);
    int64_t wait = 0;
    if (rc == CG_EEXPORT_QUOTA && !cg_resident_export_wait(r->db, r->actor, &wait) && wait > 0)
        http_add_header(r, "Retry-After", cg_arena_printf(r->arena, "%lld", (long long)wait));
    if (rc)
        return rc;
    /* A file cannot say it was cut: a list too long for one is refused. */
    if (file && more)
        return http_fail(r, CG_ETOOBIG, "q",
                         "more than %d residents match: narrow the search (area, ledger, text)",
                         EXPORT_MAX);
    if (file)
        return export_residents(r, format, items, n);
    struct cg_jw w;
    cg_buf_reset(&r->out);
    cg_jw_init(&w, &r->out);
    cg_jw_object(&w);
    cg_jw_key(&w, "items");
    cg_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        write_resident(&w, &items[i]);
    cg_jw_end(&w);
    cg_jw_kint(&w, "limit", limit);
    cg_jw_kint(&w, "offset", offset);
    if (more) /* the next page; absent on the last one */
        cg_jw_kint(&w, "next_offset", offset + (int64_t)n);
    /* Tells the UI why a role that sees full ID numbers sees them masked:
     * the list is the whole scope, and a search or filter unmasks it. */
    if (cg_actor_can(r->actor, CG_PERM_UNMASK_ID) && cg_resident_query_whole_scope(r->actor, &q))
        cg_jw_kstring(&w, "masked_reason", "whole_scope");
    cg_jw_end(&w);
    if ((rc = cg_jw_finish(&w)))
        return rc;
    r->status = 200;
    r->content_type = "application/json; charset=utf-8";
    return 0;
}

int route_residents_get(struct http_req *r)
{
    int64_t id = 0;
    struct cg_resident res;
    int rc = parse_id(r, &id);
    if (!rc)
        rc = cg_resident_get(r->db, r->actor, id, r->arena, &res);
    return rc ? rc : reply_resident(r, &res);
}

/* The 409 of a registration whose ID number is already registered in the
 * user's scope: the usual error body, plus the resident's id and whom it
 * is (name and ID number masked, area), so that the client can offer to
 * open that record for correction. */
static int reply_taken(struct http_req *r, int64_t id, const struct cg_resident *res)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:I, s:s?, s:s?, s:{s:s?, s:s?}}}", "error",
                  cg_err_name(CG_EEXISTS), "message",
                  cg_arena_printf(r->arena, "id_number: %s", r->ferr.message), "field", "id_number",
                  "reason", cg_reason_name(CG_R_REGISTERED), "id", (json_int_t)id, "resident", "id",
                  (json_int_t)id, "name", res->name, "id_number", res->id_number, "area", "code",
                  res->area.code, "name", res->area.name);
    return body ? http_reply_json(r, 409, body) : CG_ENOMEM;
}

/* Registers a resident; never corrects one (that is PATCH on its URL). */
int route_residents_save(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_resident_input in = {0};
    struct cg_resident res;
    int64_t existing = 0;
    int rc = http_json_body(r, &body);
    struct {
        const char *key;
        const char **dst;
        int required;
    } fields[] = {
        {"id_number", &in.id_number, 1}, {"name", &in.name, 1},
        {"phone", &in.phone, 0},         {"area_code", &in.area_code, 1},
        {"household", &in.household, 0}, {"unit", &in.unit, 0},
        {"room", &in.room, 0},           {"resident_type", &in.resident_type, 0},
        {"tags", &in.tags, 0},
    };
    for (size_t i = 0; !rc && i < sizeof fields / sizeof fields[0]; i++)
        rc = cg_json_get_string(body, fields[i].key, fields[i].required, 400, fields[i].dst,
                                &r->ferr);
    memset(&res, 0, sizeof res);
    if (!rc)
        rc = cg_resident_register(r->db, r->actor, &in, r->arena, &res, &existing, &r->ferr);
    json_decref(body);
    int64_t wait = 0;
    if (rc == CG_ERATE_LIMITED && !cg_resident_probe_wait(r->db, r->actor, &wait) && wait > 0)
        http_add_header(r, "Retry-After", cg_arena_printf(r->arena, "%lld", (long long)wait));
    if (rc == CG_EEXISTS && existing && res.id == existing)
        return reply_taken(r, existing, &res);
    if (rc)
        return rc;
    rc = reply_resident(r, &res);
    if (!rc)
        r->status = 201;
    return rc;
}

/* Reads the fields a correction names into *p; says whether there was any. */
static int read_patch(struct http_req *r, json_t *body, struct cg_resident_patch *p, int *any)
{
    struct {
        const char *key;
        const char **dst;
    } fields[] = {
        {"id_number", &p->id_number}, {"name", &p->name},
        {"phone", &p->phone},         {"area_code", &p->area_code},
        {"household", &p->household}, {"unit", &p->unit},
        {"room", &p->room},           {"resident_type", &p->resident_type},
    };
    int rc = 0;
    *any = 0;
    for (size_t i = 0; !rc && i < sizeof fields / sizeof fields[0]; i++) {
        rc = cg_json_get_string(body, fields[i].key, 0, 400, fields[i].dst, &r->ferr);
        *any |= *fields[i].dst != NULL;
    }
    return rc;
}

/* Corrects the fields the body names, and/or sets the status (with a note):
 * what is not named stays as it is. */
int route_residents_update(struct http_req *r)
{
    json_t *body = NULL;
    const char *status = NULL, *note = NULL;
    struct cg_resident_patch patch = {0};
    int64_t id = 0;
    int any = 0;
    struct cg_resident res;
    int rc = parse_id(r, &id);
    if (!rc)
        rc = http_json_body(r, &body);
    if (!rc)
        rc = read_patch(r, body, &patch, &any);
    if (!rc)
        rc = cg_json_get_string(body, "status", !any, 32, &status, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "note", 0, 2000, &note, &r->ferr);
    if (!rc && any)
        rc = cg_resident_correct(r->db, r->actor, id, &patch, r->arena, &res, &r->ferr);
    if (!rc && status)
        rc = cg_resident_set_status(r->db, r->actor, id, status, note, r->arena, &res, &r->ferr);
    json_decref(body);
    return rc ? rc : reply_resident(r, &res);
}

int route_residents_history(struct http_req *r)
{
    int64_t id = 0;
    struct cg_resident_change *c = NULL;
    size_t n = 0;
    int rc = parse_id(r, &id);
    if (!rc)
        rc = cg_resident_history(r->db, r->actor, id, r->arena, &c, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:s, s:s?, s:s?}", "at", (json_int_t)c[i].at,
                                        "actor", c[i].actor, "field", c[i].field, "old",
                                        c[i].old_value, "new", c[i].new_value));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}
