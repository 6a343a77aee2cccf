/* /api/v1/departments: the functional departments cases are dispatched to. */
#include "civgrid/error.h"
#include "civgrid/staff.h"
#include "render.h"
#include "routes.h"

int route_departments_list(struct http_req *r)
{
    struct cg_department *items = NULL;
    size_t n = 0;
    int rc = cg_department_list(r->db, r->actor, r->arena, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", items[i].code, "name",
                                             items[i].name, "domains", items[i].domains));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

int route_departments_create(struct http_req *r)
{
    json_t *body = NULL;
    const char *code = NULL, *name = NULL, *domains = NULL;
    struct cg_department d;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "code", 1, 64, &code, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "name", 1, 400, &name, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "domains", 1, 1000, &domains, &r->ferr);
    if (!rc)
        rc = cg_department_create(r->db, r->actor, code, name, domains, r->arena, &d, &r->ferr);
    json_decref(body);
    return rc ? rc
              : http_reply_json(r, 201,
                                json_pack("{s:s, s:s, s:s}", "code", d.code, "name", d.name,
                                          "domains", d.domains));
}
