/* Imports: POST /api/v1/import/{kind} with the CSV file itself as the body.
 * The answer is the import's report; 422 invalid_rows (in the one error
 * shape, plus the report) when nothing was written because of it. */
#include <strings.h>

#include "civgrid/error.h"
#include "civgrid/import.h"
#include "civgrid/query.h"
#include "routes.h"

/* A yes/no query parameter: absent, "0", "false" or "no" is no; "1", "true"
 * or "yes" is yes; anything else names the parameter. */
static int flag(struct http_req *r, const char *name, int *out)
{
    const char *v = http_query(r, name);
    if (cg_query_flag(v, out))
        return http_fail(r, CG_EBADTYPE, name, "query parameter '%s' is 1 or 0, not '%s'", name, v);
    return 0;
}

static json_t *render_result(const struct cg_import_result *res)
{
    json_t *errors = json_array();
    for (size_t i = 0; i < res->nerrors; i++) {
        const struct cg_import_error *e = &res->errors[i];
        json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)e->line,
                                                "column", e->column, "code", e->code, "message",
                                                e->message));
    }
    return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:o}", "kind", res->kind, "encoding",
                     res->encoding, "dry_run", res->dry_run, "rows", (json_int_t)res->rows,
                     "written", (json_int_t)res->written, "unchanged", (json_int_t)res->unchanged,
                     "invalid", (json_int_t)res->invalid, "errors_total",
                     (json_int_t)res->errors_total, "errors", errors);
}

int route_import_upload(struct http_req *r)
{
    enum cg_import_kind kind;
    const char *name = http_param(r, "kind");
    if (cg_import_kind_parse(name, &kind))
        return http_fail(r, CG_ENOTFOUND, "kind",
                         "there is no import of '%s' (kind: areas, residents or venues)", name);
    /* The file is the body; a browser form would wrap it in multipart. */
    const char *type = http_header(r, "Content-Type");
    if (type && (!strncasecmp(type, "multipart/", 10) ||
                 !strncasecmp(type, "application/x-www-form-urlencoded", 33)))
        return http_fail(
            r, CG_EUNSUPPORTED, NULL,
            "send the CSV file itself as the request body with Content-Type text/csv, not %s",
            type);
    struct cg_import_options opt = {.max_errors = 1000};
    int rc = flag(r, "skip_invalid", &opt.skip_invalid);
    if (!rc)
        rc = flag(r, "dry_run", &opt.dry_run);
    if (rc)
        return rc;
    struct cg_import_result res;
    rc = cg_import_mem(r->db, r->actor, kind, r->body.data, r->body.len, &opt, r->arena, &res);
    if (rc && rc != CG_EINVALID_ROWS)
        return rc;
    json_t *body = render_result(&res);
    if (!body)
        return CG_ENOMEM;
    if (rc == CG_EINVALID_ROWS) {
        const char *msg =
            res.errors_total == 1 && res.nerrors == 1
                ? res.errors[0].message
                : cg_arena_printf(r->arena,
                                  "nothing was written: %lld problems in the file (see errors)",
                                  (long long)res.errors_total);
        json_object_set_new(body, "error", json_string(cg_err_name(rc)));
        json_object_set_new(body, "message", json_string(msg ? msg : cg_strerror(rc)));
        return http_reply_json(r, cg_err_http_status(rc), body);
    }
    return http_reply_json(r, 200, body);
}
