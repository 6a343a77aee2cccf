/* Staff chains: who holds which post on an area. */
#include <stdlib.h>

#include "civgrid/error.h"
#include "civgrid/staff.h"
#include "render.h"
#include "routes.h"

int route_staff_assign(struct http_req *r)
{
    json_t *body = NULL;
    const char *area = NULL, *position = NULL, *name = NULL, *phone = NULL, *username = NULL;
    struct cg_staff st;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "area_code", 1, 64, &area, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "position", 1, 32, &position, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "name", 1, 400, &name, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "phone", 0, 32, &phone, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "username", 0, 64, &username, &r->ferr);
    if (!rc)
        rc = cg_staff_assign(r->db, r->actor, area, position, name, phone, username, r->arena, &st,
                             &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, render_staff(&st));
}

int route_staff_end(struct http_req *r)
{
    char *end = NULL;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0)
        return http_fail(r, CG_ENOTFOUND, NULL, "no assignment %s", http_param(r, "id"));
    int rc = cg_staff_end(r->db, r->actor, id);
    return rc ? rc : http_reply_empty(r, 204);
}
