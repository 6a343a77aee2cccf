/* The HTTP layer's request context and the helpers route handlers use.
 *
 * A handler is `int route_<resource>_<verb>(struct http_req *r)`. It reads
 * input through the helpers below, calls one library function with the actor,
 * and either sets a response (http_reply_*) and returns 0, or returns a
 * negative CG_E* code (with http_fail for a specific message): the server
 * renders every error the same way,
 *   {"error":"snake_case_code","message":"human text"[,"field":"name"]}.
 * Everything a handler allocates comes from r->arena, freed with the request.
 */
#ifndef CIVGRID_HTTP_H
#define CIVGRID_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "civgrid/arena.h"
#include "civgrid/buf.h"
#include "civgrid/json.h"
#include "civgrid/store.h"

struct MHD_Connection;
struct route;
struct cg_actor;
struct cg_sched;

/* Limits and settings of a running server (from civgrid serve's options). */
struct http_config {
    const char *db;
    const char *listen;
    int threads;
    size_t max_body;
    size_t max_header;
    int max_connections;
    int max_connections_per_ip;
    int timeout;
    int header_timeout;
    int busy_timeout_ms;
    const char *web_root;
    int session_ttl;
    struct cg_sched *sched; /* the periodic jobs the server runs (sched.h), or NULL */
    int read_audit_fsync;   /* 1: reads' audit records survive a power loss (readlog.h) */
    const char *data_dir;   /* case photos live under it; NULL: photos are refused */
    size_t attachment_max;  /* the largest photo, bytes: the body cap of its upload */
};

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

struct http_req {
    cg_arena *arena;
    struct MHD_Connection *conn;
    const struct http_config *cfg;
    const char *method;
    const char *path;
    const char *raw_uri; /* the request target as sent, before percent-decoding */
    int begun;           /* the access handler has seen this request */
    int refused;         /* the error guard_request answered with, or 0 */
    const char *client_ip;
    double started;

    const struct route *route; /* NULL when no route matched */
    int route_slot;            /* for metrics */
    const char *param_name[HTTP_MAX_PARAMS];
    const char *param_value[HTTP_MAX_PARAMS];
    int nparams;

    cg_buf body;
    int body_too_large;

    cg_store *db;           /* this worker thread's connection */
    struct cg_actor *actor; /* the signed-in user, or NULL */
    const char *token;      /* the session token the actor came from */
    int cookie_auth;        /* authenticated by cookie: unsafe methods need CSRF */

    /* The response being built. */
    int status;
    const char *content_type;
    cg_buf out;
    const char *header_name[HTTP_MAX_HEADERS];
    const char *header_value[HTTP_MAX_HEADERS];
    int nheaders;
    struct cg_field_error ferr; /* message and field of a failure */
    int out_fd;                 /* a file to send instead of out (http_reply_fd), or -1 */
    uint64_t out_size;
    size_t sent_bytes; /* for the access log */
};

/* A path parameter ("{username}"), percent-decoded; NULL if absent. */
const char *http_param(struct http_req *r, const char *name);

/* A query-string argument; NULL if absent. */
const char *http_query(struct http_req *r, const char *name);

/* Reads an integer query parameter in [min, max] into *out (left alone when
 * absent). CG_EBADTYPE naming the parameter otherwise. */
int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t *out);

/* A request header; NULL if absent. */
const char *http_header(struct http_req *r, const char *name);

/* A cookie's value; NULL if absent. */
const char *http_cookie(struct http_req *r, const char *name);

/* Parses the body as a JSON object; on failure fills r->ferr and returns
 * CG_EBADJSON. *out is owned by the caller. */
int http_json_body(struct http_req *r, json_t **out);

/* Sets a JSON response; steals the reference to v. */
int http_reply_json(struct http_req *r, int status, json_t *v);

/* Sets a response of len bytes copied from data. */
int http_reply_bytes(struct http_req *r, int status, const char *content_type, const char *data,
                     size_t len);

/* A response read from an open file of size bytes (from offset 0), sent
 * by the server without holding it in memory; the server closes fd. For
 * exports of any size. */
int http_reply_fd(struct http_req *r, int status, const char *content_type, int fd, uint64_t size);

/* An empty response (204). */
int http_reply_empty(struct http_req *r, int status);

/* Adds a response header; name and value must live as long as the request
 * (string literals or arena memory). */
void http_add_header(struct http_req *r, const char *name, const char *value);

/* Records the message (and optional field) of a failure and returns err. */
int http_fail(struct http_req *r, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
