/* Imports: GET /api/v1/import/kinds lists the kinds and their columns, as
 * the concepts registered them; POST /api/v1/import/{kind} with the CSV file
 * itself as the body.
 * The answer is the import's report; 422 invalid_rows (in the one error
 * shape, plus the report) when nothing was written because of it. */
#include <string.h>
#include <strings.h>

#include "civgrid/error.h"
#include "civgrid/import.h"
#include "civgrid/query.h"
#include "civgrid/resident.h"
#include "routes.h"

/* A yes/no query parameter: absent, "0", "false" or "no" is no; "1", "true"
 * or "yes" is yes; anything else names the parameter. */
static int flag(struct http_req *r, const char *name, int *out)
{
    const char *v = http_query(r, name);
    if (cg_query_flag(v, out))
        return cg_field_why(
            http_fail(r, CG_EBADTYPE, name, "query parameter '%s' is 1 or 0, not '%s'", name, v),
            &r->ferr, CG_R_NOT_ALLOWED, v);
    return 0;
}

static json_t *render_result(const struct cg_import_result *res)
{
    json_t *errors = json_array();
    for (size_t i = 0; i < res->nerrors; i++) {
        const struct cg_import_error *e = &res->errors[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "line", (json_int_t)e->line,
                              "column", e->column, "code", e->code, "message", e->message, "field",
                              e->field, "reason", e->reason);
        /* The refused value as given; a value JSON cannot carry is left out. */
        json_t *v = json_string(e->value);
        if (o)
            json_object_set_new(o, "value", v ? v : json_string(""));
        json_array_append_new(errors, o);
    }
    /* Rows that change residents already registered: whom a file changes. */
    json_t *updates = json_array();
    for (size_t i = 0; i < res->nupdates; i++) {
        const struct cg_import_update *u = &res->updates[i];
        json_array_append_new(updates,
                              json_pack("{s:I, s:I, s:s}", "line", (json_int_t)u->line, "id",
                                        (json_int_t)u->resident_id, "name", u->name));
    }
    return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:o}", "kind",
                     res->kind, "encoding", res->encoding, "dry_run", res->dry_run, "rows",
                     (json_int_t)res->rows, "written", (json_int_t)res->written, "unchanged",
                     (json_int_t)res->unchanged, "invalid", (json_int_t)res->invalid,
                     "errors_total", (json_int_t)res->errors_total, "file_errors",
                     (json_int_t)res->file_errors, "errors", errors, "updates_total",
                     (json_int_t)res->updates_total, "updates", updates);
}

/* A 429 with the seconds until the actor may probe again. */
static int probe_refusal(struct http_req *r)
{
    int64_t wait = 0;
    if (!cg_resident_probe_wait(r->db, r->actor, &wait) && wait > 0)
        http_add_header(r, "Retry-After", cg_arena_printf(r->arena, "%lld", (long long)wait));
    return http_fail(r, CG_ERATE_LIMITED, NULL,
                     "too many ID numbers registered elsewhere were tried; try again later");
}

/* A residents file is a way to ask, row by row, whether ID numbers are
 * registered elsewhere (the dry run as well): its "already_exists" rows are
 * probes like a save's 409, counted against the same limit, and a report that
 * would go past it is withheld. */
static int count_probes(struct http_req *r, const struct cg_import_result *res, int *over)
{
    int64_t n = 0;
    for (size_t i = 0; i < res->nerrors; i++)
        n += !strcmp(res->errors[i].code, "already_exists");
    const char *detail =
        cg_arena_printf(r->arena, "import%s rows=%lld probes=%lld", res->dry_run ? " dry_run" : "",
                        (long long)res->rows, (long long)n);
    return cg_resident_probes_record(r->db, r->actor, n, detail, over);
}

int route_import_upload(struct http_req *r)
{
    enum cg_import_kind kind;
    const char *name = http_param(r, "kind");
    if (cg_import_kind_parse(name, &kind)) {
        const char *known = "";
        for (int k = 0; k < CG_IMPORT_NKINDS; k++)
            known = cg_arena_printf(r->arena, "%s%s%s", known, k ? ", " : "",
                                    cg_import_kind_name((enum cg_import_kind)k));
        return http_fail(r, CG_ENOTFOUND, "kind", "there is no import of '%s' (kinds: %s)", name,
                         known ? known : "");
    }
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
    int64_t wait = 0;
    if (kind == CG_IMPORT_RESIDENTS && (rc = cg_resident_probe_wait(r->db, r->actor, &wait)))
        return rc;
    if (wait > 0)
        return probe_refusal(r);
    struct cg_import_result res;
    rc = cg_import_mem(r->db, r->actor, kind, r->body.data, r->body.len, &opt, r->arena, &res);
    if (rc && rc != CG_EINVALID_ROWS)
        return rc;
    int over = 0;
    int prc = kind == CG_IMPORT_RESIDENTS ? count_probes(r, &res, &over) : 0;
    if (prc)
        return prc;
    if (over)
        return probe_refusal(r);
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

static json_t *label(const char *zh, const char *en)
{
    return json_pack("{s:s, s:s}", "zh-CN", zh, "en", en);
}

static json_t *render_column(const struct cg_import_column *c)
{
    json_t *aliases = json_array();
    for (const char *const *al = c->aliases; *al; al++)
        json_array_append_new(aliases, json_string(*al));
    return json_pack("{s:s, s:b, s:b, s:o, s:o}", "name", c->name, "required", c->required > 0,
                     "ignored", c->required < 0, "label", label(c->zh, c->en), "aliases", aliases);
}

int route_import_kinds(struct http_req *r)
{
    json_t *items = json_array();
    for (int k = 0; k < CG_IMPORT_NKINDS; k++) {
        const struct cg_import_kind_info *info = cg_import_kind_info((enum cg_import_kind)k);
        json_t *columns = json_array();
        for (size_t i = 0; i < info->ncolumns; i++)
            json_array_append_new(columns, render_column(&info->columns[i]));
        json_array_append_new(items,
                              json_pack("{s:s, s:o, s:b, s:o}", "kind", info->name, "label",
                                        label(info->zh, info->en), "allowed",
                                        cg_actor_can(r->actor, info->perm), "columns", columns));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}
