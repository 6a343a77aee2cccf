/* Overdue cases per unit: open cases with a supervision card (cards.h),
 * counted per holding unit, and one unit's list. */
#include "civgrid/cards.h"
#include "civgrid/error.h"
#include "routes.h"

static json_t *render_unit(const struct cg_overdue_unit *u)
{
    return json_pack("{s:{s:s?, s:s?, s:s?, s:s?, s:s?}, s:I, s:I, s:I}", "unit", "area_code",
                     u->area_code, "area_name", u->area_name, "area_level", u->area_level,
                     "department_code", u->department_code, "department_name", u->department_name,
                     "yellow", (json_int_t)u->yellow, "red", (json_int_t)u->red, "total",
                     (json_int_t)(u->yellow + u->red));
}

static json_t *or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

static json_t *render_case(const struct cg_overdue_case *c)
{
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:o, s:o}", "id", (json_int_t)c->id,
                     "title", c->title, "state", c->state, "card", c->card, "category", c->category,
                     "created_at", (json_int_t)c->created_at, "accept_due", or_null(c->accept_due),
                     "finish_due", or_null(c->finish_due));
}

/* GET /api/v1/case-overdue[?unit=CODE] */
int route_case_overdue_list(struct http_req *r)
{
    struct cg_overdue_unit *units = NULL;
    struct cg_overdue_case *cases = NULL;
    size_t nu = 0, nc = 0;
    int umore = 0, cmore = 0;
    const char *unit = http_query(r, "unit");
    int rc = cg_cards_overdue(r->db, r->actor, unit && *unit ? unit : NULL, r->arena, &units, &nu,
                              &umore, &cases, &nc, &cmore);
    if (rc)
        return rc;
    json_t *ju = json_array();
    int64_t yellow = 0, red = 0;
    for (size_t i = 0; i < nu; i++) {
        json_array_append_new(ju, render_unit(&units[i]));
        yellow += units[i].yellow;
        red += units[i].red;
    }
    json_t *answer = json_pack("{s:o, s:b, s:{s:I, s:I, s:I}}", "units", ju, "units_truncated",
                               umore, "totals", "yellow", (json_int_t)yellow, "red",
                               (json_int_t)red, "total", (json_int_t)(yellow + red));
    if (unit && *unit) {
        json_t *jc = json_array();
        for (size_t i = 0; i < nc; i++)
            json_array_append_new(jc, render_case(&cases[i]));
        json_object_set_new(answer, "unit", json_string(unit));
        json_object_set_new(answer, "cases", jc);
        json_object_set_new(answer, "cases_truncated", json_boolean(cmore));
    }
    return http_reply_json(r, 200, answer);
}
