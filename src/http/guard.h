/* Checks every request before it is routed, so that no handler ever sees
 * input the server would not accept: a request line or header block over
 * the limit, a path with a NUL byte, a control character or text that is not
 * UTF-8, a header with a control character (a bare CR), a query parameter
 * that is not UTF-8. libmicrohttpd decodes the path and drops what follows a
 * %00, so the path is checked as it was sent (http_req.raw_uri). */
#ifndef CIVGRID_HTTP_GUARD_H
#define CIVGRID_HTTP_GUARD_H

#include "http.h"

/* 0, or the error to answer with (r->ferr filled). */
int guard_request(struct http_req *r);

#endif
