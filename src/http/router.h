/* The route table: method, path pattern with {name} segments, handler. */
#ifndef CIVGRID_ROUTER_H
#define CIVGRID_ROUTER_H

#include "http.h"

enum route_flags {
    ROUTE_PUBLIC = 1, /* no signed-in user needed */
};

typedef int (*route_handler)(struct http_req *r);

struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
    unsigned flags;
};

extern const struct route routes[];
extern const int nroutes;

enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_WRONG_METHOD };

/* Finds the route for method and path, filling r->route, r->route_slot and the
 * path parameters. With ROUTE_WRONG_METHOD, *allow (arena) lists the methods
 * the path accepts, for the Allow header. */
enum route_match router_match(struct http_req *r, const char **allow);

#endif
