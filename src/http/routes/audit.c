/* The audit trail, for the admin and command-centre roles. */
#include "civgrid/audit.h"
#include "civgrid/error.h"
#include "routes.h"

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
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s?}",
                                               "id", (json_int_t)e[i].id, "at", (json_int_t)e[i].at,
                                               "actor", e[i].actor, "client_ip", e[i].client_ip,
                                               "action", e[i].action, "object_type",
                                               e[i].object_type, "object_id", e[i].object_id,
                                               "outcome", e[i].outcome, "detail", e[i].detail));
    json_t *body = json_pack("{s:o}", "items", items);
    /* The next page is the entries older than the last one shown. */
    if (more && n)
        json_object_set_new(body, "next_before", json_integer(e[n - 1].id));
    return http_reply_json(r, 200, body);
}
