/* Who is asking: resolves the Bearer token or session cookie of a request
 * into r->actor, and enforces sign-in and CSRF rules before a handler runs. */
#ifndef CIVGRID_AUTH_H
#define CIVGRID_AUTH_H

#include "http.h"

/* 0 when the handler may run; CG_EUNAUTH, CG_EEXPIRED or CG_ECSRF otherwise. */
int auth_resolve(struct http_req *r);

/* The Set-Cookie value that carries token (NULL and 0 clear it). */
const char *auth_cookie(struct http_req *r, const char *token, int max_age);

#endif
