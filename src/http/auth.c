#include "auth.h"

#include <string.h>

#include "civgrid/error.h"
#include "civgrid/secret.h"
#include "civgrid/session.h"
#include "router.h"

#define COOKIE_NAME "civgrid_session"

/* Finds the token: an API client sends "Authorization: Bearer", the UI has
 * the HttpOnly cookie. */
static const char *request_token(struct http_req *r, int *from_cookie)
{
    const char *h = http_header(r, "Authorization");
    *from_cookie = 0;
    if (h && strncmp(h, "Bearer ", 7) == 0)
        return h + 7;
    const char *c = http_cookie(r, COOKIE_NAME);
    if (c && *c) {
        *from_cookie = 1;
        return c;
    }
    return NULL;
}

static int unsafe_method(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

int auth_resolve(struct http_req *r)
{
    int public = r->route->flags & ROUTE_PUBLIC;
    int from_cookie = 0;
    const char *token = request_token(r, &from_cookie);
    if (token) {
        const char *why = NULL;
        int rc = cg_session_resolve(r->db, token, r->client_ip, r->arena, &r->actor, &why);
        if (rc && !public)
            return http_fail(r, rc, NULL, "%s", why ? why : cg_strerror(rc));
        if (rc)
            r->actor = NULL; /* a stale cookie must not block signing in again */
    }
    if (!r->actor)
        return public ? 0
                      : http_fail(r, CG_EUNAUTH, NULL,
                                  "sign in first (send 'Authorization: Bearer TOKEN')");
    r->token = token;
    r->cookie_auth = from_cookie;
    /* A browser sends the cookie with any cross-site form; only our own page
     * can read the CSRF token and put it in a header. */
    if (from_cookie && unsafe_method(r->method)) {
        char expected[65];
        cg_session_csrf(expected, token);
        const char *got = http_header(r, "X-CSRF-Token");
        if (!got || !cg_secret_equal(got, expected))
            return http_fail(r, CG_ECSRF, NULL, "missing or wrong X-CSRF-Token header");
    }
    return 0;
}

const char *auth_cookie(struct http_req *r, const char *token, int max_age)
{
    return cg_arena_printf(r->arena,
                           COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
                           token ? token : "", max_age);
}
