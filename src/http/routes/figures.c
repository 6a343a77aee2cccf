/* The figures of an area's subtree for the home page (figures.h): counts
 * only, for the whole and for each child area. */
#include "civgrid/clock.h"
#include "civgrid/figures.h"
#include "render.h"
#include "routes.h"

static json_t *render_counts(const struct cg_figures *f, const struct cg_figures_counts *c)
{
    json_t *ledgers = json_object();
    for (size_t i = 0; i < f->nledgers; i++)
        json_object_set_new(ledgers, f->ledgers[i].name, json_integer(c->ledger[i]));
    return json_pack("{s:I, s:I, s:o}", "population", (json_int_t)c->population, "floating",
                     (json_int_t)c->floating, "ledgers", ledgers);
}

int route_figures_get(struct http_req *r)
{
    struct cg_figures f;
    int rc = cg_figures_get(r->db, r->actor, http_param(r, "code"), cg_now(), r->arena, &f);
    if (rc)
        return rc;
    json_t *ledgers = json_array(), *children = json_array();
    for (size_t i = 0; i < f.nledgers; i++)
        json_array_append_new(ledgers, json_pack("{s:s, s:s, s:s, s:I}", "name", f.ledgers[i].name,
                                                 "zh", f.ledgers[i].zh, "en", f.ledgers[i].en,
                                                 "count", (json_int_t)f.ledgers[i].count));
    for (size_t i = 0; i < f.nchildren; i++) {
        json_t *o = render_counts(&f, &f.children[i].counts);
        json_object_set_new(o, "code", json_string(f.children[i].code));
        json_object_set_new(o, "name", json_string(f.children[i].name));
        json_object_set_new(o, "level", json_string(f.children[i].level));
        json_array_append_new(children, o);
    }
    json_t *body = render_counts(&f, &f.counts);
    json_object_set_new(body, "area", render_area(&f.area));
    json_object_set_new(body, "as_of", json_integer(f.now));
    json_object_set_new(body, "ledger_list", ledgers);
    json_object_set_new(body, "week",
                        json_pack("{s:I, s:I, s:I, s:I}", "since", (json_int_t)f.since, "added",
                                  (json_int_t)f.added, "moved_out", (json_int_t)f.moved_out,
                                  "corrected", (json_int_t)f.corrected));
    json_object_set_new(body, "children", children);
    json_object_set_new(body, "children_total", json_integer(f.children_total));
    json_object_set_new(body, "children_truncated",
                        json_boolean((int64_t)f.nchildren < f.children_total));
    return http_reply_json(r, 200, body);
}
