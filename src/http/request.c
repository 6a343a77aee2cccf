/* The helpers route handlers use to read a request and build a response. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "civgrid/query.h"
#include "http.h"

const char *http_param(struct http_req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->param_name[i], name) == 0)
            return r->param_value[i];
    return NULL;
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int http_fail(struct http_req *r, int err, const char *field, const char *fmt, ...)
{
    snprintf(r->ferr.field, sizeof r->ferr.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->ferr.message, sizeof r->ferr.message, fmt, ap);
    va_end(ap);
    r->ferr.reason[0] = r->ferr.value[0] = '\0';
    r->ferr.bounded = 0;
    return err;
}

int http_json_body(struct http_req *r, json_t **out)
{
    if (r->body.len == 0)
        return http_fail(r, CG_EBADJSON, NULL, "the request needs a JSON object body");
    return cg_json_parse_object(r->body.data, r->body.len, out, &r->ferr);
}

int http_reply_bytes(struct http_req *r, int status, const char *content_type, const char *data,
                     size_t len)
{
    cg_buf_reset(&r->out);
    if (r->out_fd >= 0) { /* an error after a file was chosen: the error wins */
        close(r->out_fd);
        r->out_fd = -1;
    }
    int rc = cg_buf_append(&r->out, data, len);
    if (rc)
        return rc;
    r->status = status;
    r->content_type = content_type;
    return 0;
}

int http_reply_json(struct http_req *r, int status, json_t *v)
{
    if (!v)
        return CG_ENOMEM;
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!s)
        return CG_ENOMEM;
    int rc = http_reply_bytes(r, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
    return rc;
}

int http_reply_fd(struct http_req *r, int status, const char *content_type, int fd, uint64_t size)
{
    cg_buf_reset(&r->out);
    if (r->out_fd >= 0)
        close(r->out_fd);
    r->out_fd = fd;
    r->out_size = size;
    r->status = status;
    r->content_type = content_type;
    return 0;
}

int http_reply_empty(struct http_req *r, int status)
{
    cg_buf_reset(&r->out);
    r->status = status;
    r->content_type = NULL;
    return 0;
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (r->nheaders == HTTP_MAX_HEADERS)
        return;
    r->header_name[r->nheaders] = name;
    r->header_value[r->nheaders] = value;
    r->nheaders++;
}

int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
    const char *v = http_query(r, name);
    if (v && cg_query_int(v, min, max, out))
        return cg_field_bounds(
            cg_field_why(http_fail(r, CG_EBADTYPE, name,
                                   "query parameter '%s' must be a whole number from %lld to %lld",
                                   name, (long long)min, (long long)max),
                         &r->ferr, CG_R_OUT_OF_RANGE, v),
            &r->ferr, min, max);
    return 0;
}
