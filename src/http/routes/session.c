/* Signing in and out, and who am I. */
#include <stdio.h>

#include "../auth.h"
#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/user.h"
#include "render.h"
#include "routes.h"

int route_session_create(struct http_req *r)
{
    json_t *body = NULL;
    const char *username = NULL, *password = NULL;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "username", 1, 256, &username, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "password", 1, CG_PASSWORD_MAX, &password, &r->ferr);
    if (!rc && !password[0])
        rc = http_fail(r, CG_EBADTYPE, "password", "password must not be empty");
    if (!rc) /* a name that no account can have is a malformed request */
        rc = cg_user_check_username(username, &r->ferr);
    struct cg_login login;
    int64_t retry = 0;
    if (!rc)
        rc = cg_session_login(r->db, username, password, r->client_ip, r->cfg->session_ttl,
                              r->arena, &login, &retry);
    json_decref(body);
    if (rc == CG_ELOCKED) {
        http_add_header(r, "Retry-After", cg_arena_printf(r->arena, "%lld", (long long)retry));
        return http_fail(r, rc, NULL, "too many failed sign-ins; try again in %lld seconds",
                         (long long)retry);
    }
    if (rc)
        return rc;
    http_add_header(r, "Set-Cookie", auth_cookie(r, login.token, r->cfg->session_ttl));
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:I, s:o}", "token", login.token, "csrf_token",
                                     login.csrf_token, "expires_at", (json_int_t)login.expires_at,
                                     "user", render_actor(login.actor)));
}

int route_session_delete(struct http_req *r)
{
    int rc = cg_session_logout(r->db, r->actor);
    if (rc)
        return rc;
    http_add_header(r, "Set-Cookie", auth_cookie(r, NULL, 0));
    return http_reply_empty(r, 204);
}

int route_session_me(struct http_req *r)
{
    char csrf[65];
    cg_session_csrf(csrf, r->token);
    return http_reply_json(
        r, 200, json_pack("{s:o, s:s}", "user", render_actor(r->actor), "csrf_token", csrf));
}

int route_roles_list(struct http_req *r)
{
    json_t *items = json_array();
    for (const struct cg_role *role = cg_roles; role->name; role++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "role", role->name, "zh",
                                               role->zh, "en", role->en));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}
