/* Ledgers (台账): the catalogue with counts, counts per child area, and
 * putting residents on and off a ledger. Lists and exports of a ledger's
 * people are GET /api/v1/residents?ledger=NAME[&area=CODE][&format=...]. */
#include <stdlib.h>

#include "civgrid/error.h"
#include "civgrid/ledger.h"
#include "routes.h"

int route_ledgers_list(struct http_req *r)
{
    struct cg_ledger *items = NULL;
    size_t n = 0;
    int rc = cg_ledger_list(r->db, r->actor, http_query(r, "area"), r->arena, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?, s:I}", "name", items[i].name,
                                             "zh", items[i].zh, "en", items[i].en, "note",
                                             items[i].note, "count", (json_int_t)items[i].count));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

int route_ledgers_counts(struct http_req *r)
{
    struct cg_ledger_count *items = NULL;
    size_t n = 0;
    int rc = cg_ledger_counts(r->db, r->actor, http_param(r, "name"), http_query(r, "area"),
                              r->arena, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:I}", "code", items[i].area_code, "name",
                                        items[i].area_name, "level", items[i].area_level, "count",
                                        (json_int_t)items[i].count));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

static int resident_id(struct http_req *r, int64_t *id)
{
    const char *s = http_param(r, "id");
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return http_fail(r, CG_ENOTFOUND, NULL, "no resident %s", s);
    *id = v;
    return 0;
}

int route_ledgers_tag(struct http_req *r)
{
    json_t *body = NULL;
    const char *start = NULL, *end = NULL, *note = NULL;
    int64_t id = 0;
    int rc = resident_id(r, &id);
    /* The body is optional: a bare PUT puts the resident on the ledger from now on. */
    if (!rc && r->body.len)
        rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "start_date", 0, 10, &start, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "end_date", 0, 10, &end, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "note", 0, 2000, &note, &r->ferr);
    if (!rc)
        rc = cg_ledger_tag(r->db, r->actor, http_param(r, "name"), id, start, end, note, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_empty(r, 204);
}

int route_ledgers_untag(struct http_req *r)
{
    int64_t id = 0;
    int rc = resident_id(r, &id);
    if (!rc)
        rc = cg_ledger_untag(r->db, r->actor, http_param(r, "name"), id);
    return rc ? rc : http_reply_empty(r, 204);
}
