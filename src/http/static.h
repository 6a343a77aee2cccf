/* The web UI's files, served from --web-root. */
#ifndef CIVGRID_STATIC_H
#define CIVGRID_STATIC_H

#include "http.h"

/* Answers GET/HEAD of a file under the web root ("/" is index.html).
 * 0 when a response was set; CG_ENOTFOUND when there is no such file. */
int static_serve(struct http_req *r);

#endif
