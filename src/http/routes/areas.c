/* The jurisdiction tree, within the caller's scope. */
#include <stdint.h>

#include "civgrid/area.h"
#include "civgrid/error.h"
#include "civgrid/staff.h"
#include "render.h"
#include "routes.h"

int route_areas_list(struct http_req *r)
{
    struct cg_area *areas = NULL;
    size_t n = 0;
    int64_t limit = 100;
    int more = 0;
    int rc = http_query_int(r, "limit", 1, 1000, &limit);
    if (!rc)
        rc = cg_area_search(r->db, r->actor, http_query(r, "q"), (int)limit, r->arena, &areas, &n,
                            &more);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, render_area(&areas[i]));
    return http_reply_json(r, 200, json_pack("{s:o, s:b}", "items", items, "truncated", more));
}

int route_areas_get(struct http_req *r)
{
    struct cg_area a;
    int rc = cg_area_get(r->db, r->actor, http_param(r, "code"), r->arena, &a);
    return rc ? rc : http_reply_json(r, 200, render_area(&a));
}

int route_areas_create(struct http_req *r)
{
    json_t *body = NULL;
    const char *code = NULL, *parent = NULL, *level = NULL, *name = NULL;
    struct cg_area a;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "code", 1, 64, &code, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "parent_code", 0, 64, &parent, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "level", 1, 32, &level, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "name", 1, 400, &name, &r->ferr);
    if (!rc)
        rc = cg_area_create(r->db, r->actor, code, parent, level, name, r->arena, &a, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, render_area(&a));
}

int route_areas_update(struct http_req *r)
{
    json_t *body = NULL;
    const char *name = NULL, *parent = NULL, *status = NULL;
    struct cg_area a;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "name", 0, 400, &name, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "parent_code", 0, 64, &parent, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "status", 0, 32, &status, &r->ferr);
    if (!rc && !name && !parent && !status)
        rc = cg_field_why(http_fail(r, CG_EMISSING, "name",
                                    "nothing to change: give name, parent_code or status"),
                          &r->ferr, CG_R_MISSING, NULL);
    if (!rc)
        rc = cg_area_update(r->db, r->actor, http_param(r, "code"), name, parent, status, r->arena,
                            &a, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 200, render_area(&a));
}

int route_areas_children(struct http_req *r)
{
    struct cg_area node, *items = NULL;
    size_t n = 0;
    int rc = cg_area_children(r->db, r->actor, http_param(r, "code"), r->arena, &node, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = render_area(&items[i]);
        json_object_set_new(o, "children", json_integer(items[i].children));
        json_object_set_new(o, "residents", json_integer(items[i].residents));
        json_array_append_new(arr, o);
    }
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:o, s:I, s:b}", "area", render_area(&node), "items",
                                     arr, "total", (json_int_t)node.children, "truncated",
                                     (int64_t)n < node.children));
}

static json_t *render_figures(const struct cg_area_figures *f)
{
    json_t *staff = json_object();
    for (int i = 0; i < CG_STAFF_NPOSITIONS; i++)
        json_object_set_new(staff, cg_staff_positions[i], json_integer(f->staff[i]));
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "residents", (json_int_t)f->residents,
                     "floating", (json_int_t)f->floating, "households", (json_int_t)f->households,
                     "buildings", (json_int_t)f->buildings, "grids", (json_int_t)f->grids,
                     "staff_total", (json_int_t)f->staff_total, "staff", staff);
}

static json_t *render_staff_list(const struct cg_staff *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, render_staff(&items[i]));
    return arr;
}

static json_t *render_card_children(const struct cg_card *card)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < card->nchildren; i++) {
        const struct cg_card_child *c = &card->children[i];
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", c->area.code, "name",
                                        c->area.name, "level", c->area.level, "status",
                                        c->area.status, "figures", render_figures(&c->figures)));
    }
    return arr;
}

static json_t *render_card_groups(const struct cg_card *card)
{
    json_t *arr = json_array();
    for (int i = 0; i < CG_STAFF_NPOSITIONS; i++) {
        const struct cg_card_group *g = &card->groups[i];
        json_array_append_new(arr, json_pack("{s:s, s:I, s:o, s:b}", "position", g->position,
                                             "total", (json_int_t)g->total, "items",
                                             render_staff_list(g->items, g->n), "truncated",
                                             (int64_t)g->n < g->total));
    }
    return arr;
}

int route_areas_card(struct http_req *r)
{
    struct cg_card card;
    int rc = cg_staff_card(r->db, r->actor, http_param(r, "code"), r->arena, &card);
    if (rc)
        return rc;
    json_t *buildings = json_array();
    for (size_t i = 0; i < card.nbuildings; i++)
        json_array_append_new(buildings, json_pack("{s:s, s:s}", "code", card.buildings[i].code,
                                                   "name", card.buildings[i].name));
    json_t *o = json_pack(
        "{s:o, s:b, s:o, s:o, s:b, s:o, s:I, s:b, s:I, s:I, s:I}", "area", render_area(&card.area),
        "overview", cg_card_is_overview(card.area.level), "figures", render_figures(&card.figures),
        "chain", render_staff_list(card.chain, card.nchain), "chain_truncated",
        card.chain_truncated, "buildings", buildings, "buildings_total",
        (json_int_t)card.buildings_total, "buildings_truncated",
        (int64_t)card.nbuildings < card.buildings_total, "households", (json_int_t)card.households,
        "residents", (json_int_t)card.residents, "floating", (json_int_t)card.floating);
    json_object_set_new(o, "staff", render_card_groups(&card));
    json_object_set_new(o, "children", render_card_children(&card));
    json_object_set_new(o, "children_total", json_integer(card.children_total));
    json_object_set_new(o, "children_truncated",
                        json_boolean((int64_t)card.nchildren < card.children_total));
    return http_reply_json(r, 200, o);
}

int route_areas_staff(struct http_req *r)
{
    struct cg_staff *items = NULL;
    size_t n = 0;
    int64_t offset = 0, limit = 50, total = 0;
    int rc = http_query_int(r, "offset", 0, INT32_MAX, &offset);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 200, &limit);
    if (!rc)
        rc = cg_staff_page(r->db, r->actor, http_param(r, "code"), http_query(r, "position"),
                           offset, limit, r->arena, &items, &n, &total, &r->ferr);
    if (rc)
        return rc;
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:I, s:I, s:I}", "items", render_staff_list(items, n),
                                     "total", (json_int_t)total, "offset", (json_int_t)offset,
                                     "limit", (json_int_t)limit));
}
