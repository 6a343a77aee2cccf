/* Accounts: list, create, read, enable/disable, change password. */
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/user.h"
#include "render.h"
#include "routes.h"

int route_users_list(struct http_req *r)
{
    struct cg_user *users = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_user_list(r->db, r->actor, http_query(r, "q"), r->arena, &users, &n, &more);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, render_user(&users[i]));
    /* total counts the listed accounts; truncated says more matched. */
    return http_reply_json(
        r, 200,
        json_pack("{s:o, s:I, s:b}", "items", items, "total", (json_int_t)n, "truncated", more));
}

int route_users_create(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_user_input in = {0};
    struct cg_user u;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "username", 1, 256, &in.username, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "display_name", 0, 400, &in.display_name, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "role", 1, 64, &in.role, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "scope", 1, 64, &in.scope, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "password", 1, CG_PASSWORD_MAX + 1, &in.password, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "department", 0, 64, &in.department, &r->ferr);
    if (!rc)
        rc = cg_user_create(r->db, r->actor, &in, r->arena, &u, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, render_user(&u));
}

int route_users_get(struct http_req *r)
{
    struct cg_user u;
    int rc = cg_user_get(r->db, r->actor, http_param(r, "username"), r->arena, &u);
    return rc ? rc : http_reply_json(r, 200, render_user(&u));
}

/* Changes status and/or password; each is its own audited change. */
int route_users_update(struct http_req *r)
{
    json_t *body = NULL;
    const char *status = NULL, *password = NULL, *current = NULL;
    const char *username = http_param(r, "username");
    struct cg_user u;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "status", 0, 32, &status, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "password", 0, CG_PASSWORD_MAX + 1, &password, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "current_password", 0, CG_PASSWORD_MAX + 1, &current,
                                &r->ferr);
    if (!rc && !status && !password)
        rc = http_fail(r, CG_EMISSING, "status", "nothing to change: give 'status' or 'password'");
    if (!rc && password)
        rc = cg_user_set_password(r->db, r->actor, username, current, password, &r->ferr);
    if (!rc && status)
        rc = cg_user_set_status(r->db, r->actor, username, status, r->arena, &u, &r->ferr);
    if (!rc && !status)
        rc = cg_user_get(r->db, r->actor, username, r->arena, &u);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 200, render_user(&u));
}
