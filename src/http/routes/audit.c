/* The audit trail, for the admin and command-centre roles. */
#include "civgrid/audit.h"
#include "civgrid/error.h"
#include "civgrid/utf8.h"
#include "routes.h"

/* One record as JSON. Text stored before input was checked may hold bytes
 * that are not UTF-8, which jansson refuses: they are shown as U+FFFD, so
 * that the record is listed rather than dropped. */
static json_t *render_entry(cg_arena *a, const struct cg_audit_entry *e)
{
    return json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s?}", "id", (json_int_t)e->id,
                     "at", (json_int_t)e->at, "actor", cg_utf8_repair(a, e->actor), "client_ip",
                     cg_utf8_repair(a, e->client_ip), "action", cg_utf8_repair(a, e->action),
                     "object_type", cg_utf8_repair(a, e->object_type), "object_id",
                     cg_utf8_repair(a, e->object_id), "outcome", cg_utf8_repair(a, e->outcome),
                     "detail", cg_utf8_repair(a, e->detail));
}

int route_audit_list(struct http_req *r)
{
    struct cg_audit_filter f = {
        .actor = http_query(r, "actor"),
        .action = http_query(r, "action"),
        .object_id = http_query(r, "object"),
        .outcome = http_query(r, "outcome"),
    };
    int64_t limit = 100;
    int rc = http_query_int(r, "since", 0, INT64_MAX, &f.since);
    if (!rc)
        rc = http_query_int(r, "until", 0, INT64_MAX, &f.until);
    if (!rc)
        rc = http_query_int(r, "before", 0, INT64_MAX, &f.before_id);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, &limit);
    f.limit = (int)limit;
    struct cg_audit_entry *e = NULL;
    size_t n = 0;
    int more = 0;
    if (!rc)
        rc = cg_audit_list(r->db, r->actor, &f, r->arena, &e, &n, &more);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n && items; i++) {
        json_t *item = render_entry(r->arena, &e[i]);
        if (!item || json_array_append_new(items, item)) {
            json_decref(items);
            items = NULL;
        }
    }
    /* A record that cannot be shown fails the whole answer: a trail with
     * silent gaps would be worse than none. */
    if (!items)
        return CG_ENOMEM;
    json_t *body = json_pack("{s:o}", "items", items);
    /* The next page is the entries older than the last one shown. */
    if (body && more && n)
        json_object_set_new(body, "next_before", json_integer(e[n - 1].id));
    return http_reply_json(r, 200, body);
}
