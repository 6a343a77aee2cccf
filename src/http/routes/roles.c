/* /api/v1/roles: the roles an account may have. */
#include "civgrid/actor.h"
#include "render.h"
#include "routes.h"

int route_roles_list(struct http_req *r)
{
    json_t *items = json_array();
    for (const struct cg_role *role = cg_roles; role->name; role++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "role", role->name, "zh",
                                               role->zh, "en", role->en));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}
