/* The working-day calendar: the marked days (holidays and make-up working
 * days), their edits, and the deadline a number of working days gives. */
#include <string.h>

#include "civgrid/calendar.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "routes.h"

static json_t *render_day(const struct cg_calendar_day *d)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:s}", "date", d->date, "kind", d->kind, "name", d->name,
                     "updated_at", (json_int_t)d->updated_at, "updated_by", d->updated_by);
}

/* GET /api/v1/calendar/days?from=&to= */
int route_calendar_list(struct http_req *r)
{
    struct cg_calendar_day *items = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_calendar_list(r->db, r->actor, http_query(r, "from"), http_query(r, "to"), r->arena,
                              &items, &n, &more);
    if (rc == CG_EBADTYPE)
        return http_fail(r, rc, http_query(r, "from") ? "from" : "to",
                         "from and to are dates YYYY-MM-DD");
    if (rc)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_day(&items[i]));
    return http_reply_json(r, 200, json_pack("{s:o, s:b}", "items", list, "truncated", more));
}

/* The marked day as stored, after a change. */
static int reply_day(struct http_req *r, const char *date)
{
    struct cg_calendar_day *items = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_calendar_list(r->db, r->actor, date, date, r->arena, &items, &n, &more);
    if (!rc && n != 1)
        rc = CG_EINTERNAL;
    return rc ? rc : http_reply_json(r, 200, render_day(&items[0]));
}

/* PUT /api/v1/calendar/days/{date} {"kind":"holiday"|"workday","name":"..."} */
int route_calendar_set(struct http_req *r)
{
    const char *date = http_param(r, "date"), *kind = NULL, *name = NULL;
    json_t *body = NULL;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "kind", 1, 16, &kind, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "name", 0, 256, &name, &r->ferr);
    if (!rc)
        rc = cg_calendar_set(r->db, r->actor, date, kind, name, &r->ferr);
    json_decref(body);
    return rc ? rc : reply_day(r, date);
}

/* DELETE /api/v1/calendar/days/{date}: the day follows the weekday rule
 * again. */
int route_calendar_unset(struct http_req *r)
{
    const char *date = http_param(r, "date");
    int rc = cg_calendar_unset(r->db, r->actor, date, &r->ferr);
    if (rc == CG_ENOTFOUND)
        return http_fail(r, rc, "date", "%s has no mark", date);
    return rc ? rc : http_reply_empty(r, 204);
}

/* GET /api/v1/calendar/deadline?start=TIME&days=N: when N working days
 * after start expire (what a case filed at start with that deadline gets). */
int route_calendar_deadline(struct http_req *r)
{
    const char *start_text = http_query(r, "start");
    int64_t start = 0, days = -1, due = 0;
    int work = 0;
    if (!r->actor || !cg_actor_can(r->actor, CG_PERM_POLICY_READ))
        return CG_EFORBIDDEN;
    if (!start_text)
        return http_fail(r, CG_EMISSING, "start", "start is required");
    if (cg_time_parse(start_text, &start))
        return http_fail(r, CG_EBADTYPE, "start",
                         "start is epoch seconds or YYYY-MM-DD[THH:MM[:SS]]");
    int rc = http_query_int(r, "days", 0, CG_WORKDAYS_MAX, &days);
    if (!rc && days < 0)
        rc = http_fail(r, CG_EMISSING, "days", "days is required");
    if (!rc)
        rc = cg_workdays_add(r->db, start, (int)days, &due);
    if (!rc)
        rc = cg_workday_is(r->db, start, &work);
    if (rc)
        return rc;
    char local[20];
    cg_time_local(due, local);
    return http_reply_json(r, 200,
                           json_pack("{s:I, s:I, s:I, s:s, s:b}", "start", (json_int_t)start,
                                     "days", (json_int_t)days, "due", (json_int_t)due, "due_local",
                                     local, "start_is_workday", work));
}
