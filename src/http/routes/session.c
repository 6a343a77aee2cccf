/* Signing in and out, and who am I. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../auth.h"
#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/user.h"
#include "render.h"
#include "routes.h"

/* Whether the browser says the request comes from a page of another site.
 * A sign-in is a public route without the CSRF token, and a cross-site form
 * (text/plain needs no CORS preflight) could otherwise sign the victim's
 * browser into an account the attacker chose. Sec-Fetch-Site is sent by
 * current browsers; Origin, compared with the Host the browser connected
 * to, covers older ones. Clients that are not browsers send neither. */
static int cross_site(struct http_req *r)
{
    const char *site = http_header(r, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return 1;
    const char *origin = http_header(r, "Origin");
    if (!origin)
        return 0;
    const char *host = http_header(r, "Host");
    const char *sep = strstr(origin, "://");
    return !host || !sep || strcasecmp(sep + 3, host) != 0;
}

/* A sign-in takes a JSON body only: a browser sends other types from any
 * site's form without asking the server first. */
static int json_content_type(struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    size_t n = strlen("application/json");
    return ct && strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int route_session_create(struct http_req *r)
{
    json_t *body = NULL;
    const char *username = NULL, *password = NULL;
    if (cross_site(r))
        return http_fail(r, CG_ECSRF, NULL, "sign-in from a page of another site is refused");
    if (!json_content_type(r))
        return http_fail(r, CG_EMEDIATYPE, NULL,
                         "sign in with a JSON body and 'Content-Type: application/json'");
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "username", 1, 256, &username, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "password", 1, CG_PASSWORD_MAX, &password, &r->ferr);
    if (!rc && !password[0])
        rc = cg_field_why(http_fail(r, CG_EBADTYPE, "password", "password must not be empty"),
                          &r->ferr, CG_R_MISSING, NULL);
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
