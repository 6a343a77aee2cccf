/* Places: venues and risk points on the grid, within the caller's scope. */
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/place.h"
#include "render.h"
#include "routes.h"

static json_t *render_place(const struct cg_place *p)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:{s:s, s:s, s:s}, s:I}", "code",
                     p->code, "name", p->name, "kind", p->kind, "type", p->type, "type_zh",
                     p->type_zh, "address", p->address, "status", p->status, "area", "code",
                     p->area.code, "name", p->area.name, "level", p->area.level, "created_at",
                     (json_int_t)p->created_at);
}

int route_places_list(struct http_req *r)
{
    int64_t limit = 100, offset = 0, total = 0;
    int rc = http_query_int(r, "limit", 1, 1000, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, &offset);
    if (rc)
        return rc;
    struct cg_place_query q = {
        .kind = http_query(r, "kind"),
        .type = http_query(r, "type"),
        .area_code = http_query(r, "area_code"),
        .q = http_query(r, "q"),
        .status = http_query(r, "status"),
        .limit = (int)limit,
        .offset = (int)offset,
    };
    struct cg_place *items = NULL;
    size_t n = 0;
    if ((rc = cg_place_list(r->db, r->actor, &q, r->arena, &items, &n, &total, &r->ferr)))
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, render_place(&items[i]));
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
                                     (json_int_t)total, "limit", (json_int_t)limit, "offset",
                                     (json_int_t)offset));
}

int route_places_create(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_place_input in = {0};
    struct cg_place p;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "code", 0, 64, &in.code, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "name", 1, 400, &in.name, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "kind", 1, 32, &in.kind, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "type", 1, 64, &in.type, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "area_code", 1, 64, &in.area_code, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "address", 0, 800, &in.address, &r->ferr);
    if (!rc)
        rc = cg_place_create(r->db, r->actor, &in, r->arena, &p, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, render_place(&p));
}

int route_places_get(struct http_req *r)
{
    struct cg_place p;
    int rc = cg_place_get(r->db, r->actor, http_param(r, "code"), r->arena, &p);
    return rc ? rc : http_reply_json(r, 200, render_place(&p));
}

/* Retires a place or brings it back: {"status": "retired" | "active"}. */
int route_places_update(struct http_req *r)
{
    json_t *body = NULL;
    const char *status = NULL;
    struct cg_place p;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "status", 1, 32, &status, &r->ferr);
    if (!rc)
        rc = cg_place_set_status(r->db, r->actor, http_param(r, "code"), status, r->arena, &p,
                                 &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 200, render_place(&p));
}
