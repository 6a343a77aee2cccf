/* The HTTP server: libmicrohttpd with its own epoll thread pool. */
#ifndef CIVGRID_SERVER_H
#define CIVGRID_SERVER_H

#include "http.h"

/* Serves until SIGTERM or SIGINT, then lets in-flight requests finish and
 * closes every database connection. Returns a process exit code. */
int http_serve(const struct http_config *cfg);

#endif
