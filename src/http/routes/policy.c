/* Policy profiles for the command centre: every staff role reads them;
 * saving an edited copy and choosing the active profile need
 * CG_PERM_POLICY_WRITE. A profile that does not validate is answered in the
 * one error shape plus "line" and "reason", so a client can point at it. */
#include <string.h>
#include <strings.h>

#include "civgrid/error.h"
#include "civgrid/policy.h"
#include "routes.h"

static json_t *render_info(const struct cg_policy_info *i)
{
    return json_pack("{s:s, s:b, s:b, s:I, s:s?, s:s?, s:s?}", "name", i->name, "builtin",
                     i->builtin, "active", i->active, "saved_at", (json_int_t)i->saved_at,
                     "saved_by", i->saved_by, "title_zh", i->title_zh, "title_en", i->title_en);
}

/* A whole profile: its keys, and who saved it. */
static json_t *render_policy(const struct cg_policy *p, const struct cg_policy_info *info)
{
    json_t *o = cg_policy_json(p), *meta = render_info(info);
    if (!o || !meta || json_object_update(o, meta)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(meta);
    return o;
}

/* Answers a profile that failed validation. */
static int reply_invalid(struct http_req *r, int rc, const struct cg_policy_error *err)
{
    if (!err->reason)
        return rc;
    json_t *body = json_pack("{s:s, s:s, s:s}", "error", cg_err_name(rc), "message", err->message,
                             "reason", err->reason);
    if (body && err->key[0])
        json_object_set_new(body, "field", json_string(err->key));
    if (body && err->line > 0)
        json_object_set_new(body, "line", json_integer(err->line));
    return http_reply_json(r, cg_err_http_status(rc), body);
}

int route_policy_list(struct http_req *r)
{
    struct cg_policy_info *items = NULL;
    size_t n = 0;
    int rc = cg_policy_list(r->db, r->actor, r->arena, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, render_info(&items[i]));
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:s}", "items", arr, "default", CG_POLICY_DEFAULT));
}

int route_policy_get(struct http_req *r)
{
    struct cg_policy p;
    struct cg_policy_info info;
    const char *text = NULL, *format = http_query(r, "format");
    if (format && strcmp(format, "json") && strcmp(format, "text"))
        return cg_field_why(
            http_fail(r, CG_EBADTYPE, "format", "format is json or text, not '%s'", format),
            &r->ferr, CG_R_NOT_ALLOWED, format);
    int rc = cg_policy_get(r->db, r->actor, http_param(r, "name"), r->arena, &p, &info, &text);
    if (rc == CG_ENOTFOUND)
        return http_fail(r, rc, "name", "no policy profile '%s'", http_param(r, "name"));
    if (rc)
        return rc;
    if (format && !strcmp(format, "text"))
        return http_reply_bytes(r, 200, "text/plain; charset=utf-8", text, strlen(text));
    return http_reply_json(r, 200, render_policy(&p, &info));
}

/* The text of a profile sent as JSON: {"text": "..."} alone (besides the
 * fields a profile read from the API carries), or the keys themselves. */
static int text_of_json(struct http_req *r, json_t *body, cg_buf *text, struct cg_policy_error *err)
{
    json_t *t = json_object_get(body, "text");
    struct cg_policy p;
    if (!t)
        return cg_policy_parse_json(body, &p, text, err);
    if (!json_is_string(t))
        return cg_field_why(http_fail(r, CG_EBADTYPE, "text", "text is the profile as a string"),
                            &r->ferr, CG_R_NOT_STRING, NULL);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "text") && strcmp(key, "name") && strcmp(key, "builtin") &&
            strcmp(key, "active") && strcmp(key, "saved_at") && strcmp(key, "saved_by"))
            return http_fail(r, CG_EBADTYPE, key,
                             "give either text or the profile's keys, not both");
    }
    return cg_buf_append(text, json_string_value(t), json_string_length(t));
}

int route_policy_save(struct http_req *r)
{
    const char *name = http_param(r, "name"), *type = http_header(r, "Content-Type");
    struct cg_policy_error err = {0};
    struct cg_policy p;
    struct cg_policy_info info;
    const char *saved = NULL;
    json_t *body = NULL;
    cg_buf text;
    cg_buf_init(&text, CG_POLICY_MAX_TEXT + 1);
    int rc = 0;
    if (type && !strncasecmp(type, "text/plain", 10))
        rc = cg_buf_append(&text, r->body.data ? r->body.data : "", r->body.len);
    else if (!(rc = http_json_body(r, &body)))
        rc = text_of_json(r, body, &text, &err);
    if (!rc)
        rc = cg_policy_save(r->db, r->actor, name, text.data ? text.data : "", text.len, r->arena,
                            &err);
    json_decref(body);
    cg_buf_free(&text);
    if (rc == CG_ETOOBIG && !err.reason)
        return http_fail(r, rc, NULL, "a profile is at most %d bytes", CG_POLICY_MAX_TEXT);
    if (rc)
        return rc == CG_EFORBIDDEN ? rc : reply_invalid(r, rc, &err);
    if ((rc = cg_policy_get(r->db, r->actor, name, r->arena, &p, &info, &saved)))
        return rc;
    return http_reply_json(r, 200, render_policy(&p, &info));
}

/* Makes the profile named in the path the active one, and answers it. */
int route_policy_activate(struct http_req *r)
{
    const char *name = http_param(r, "name");
    struct cg_policy p;
    struct cg_policy_info info;
    const char *text = NULL;
    int rc = cg_policy_activate(r->db, r->actor, name, r->arena);
    if (rc == CG_ENOTFOUND)
        return http_fail(r, rc, "name", "no policy profile '%s'", name);
    if (!rc)
        rc = cg_policy_get(r->db, r->actor, name, r->arena, &p, &info, &text);
    return rc ? rc : http_reply_json(r, 200, render_policy(&p, &info));
}

int route_policy_active(struct http_req *r)
{
    struct cg_policy p;
    struct cg_policy_info info;
    const char *text = NULL, *name = NULL;
    if (!cg_actor_can(r->actor, CG_PERM_POLICY_READ))
        return CG_EFORBIDDEN;
    int rc = cg_policy_active(r->db, r->arena, &p, &name);
    if (!rc)
        rc = cg_policy_get(r->db, r->actor, name, r->arena, &p, &info, &text);
    return rc ? rc : http_reply_json(r, 200, render_policy(&p, &info));
}
