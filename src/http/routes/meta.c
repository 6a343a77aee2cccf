/* The enumerations the UI offers and labels, read from the tables the library
 * enforces, so that the UI keeps no copy of them (docs/internals.md,
 * "Enumerations"). Each list keeps the library's order: the UI shows it as
 * given. */
#include <string.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/place.h"
#include "civgrid/staff.h"
#include "render.h"
#include "routes.h"

/* Statuses, resident types and resident levels are checked by string comparison where each
 * change happens (lib/user.c, lib/area.c, lib/place.c, lib/resident.c); until
 * those checks read a table, the values they accept are listed here once, and
 * tests/api/meta.test.mjs proves against the real endpoints that each listed
 * value is accepted and an unlisted one refused. */
static const char *const user_statuses[] = {"active", "disabled", NULL};
static const char *const area_statuses[] = {"active", "retired", NULL};
static const char *const place_statuses[] = {"active", "retired", NULL};
static const char *const resident_statuses[] = {"active", "moved_out", "deceased", NULL};
static const char *const resident_types[] = {"permanent", "floating", NULL};
/* The levels a resident may be registered on (lib/resident.c, placeable). */
static const char *const resident_levels[] = {"grid", "micro_grid", "building", NULL};

/* A NULL-ended list of codes as [{"code": ...}, ...]: objects, so that a list
 * can gain labels or attributes without changing its shape. */
static json_t *codes(const char *const *list)
{
    json_t *items = json_array();
    for (size_t i = 0; list[i]; i++)
        json_array_append_new(items, json_pack("{s:s}", "code", list[i]));
    return items;
}

static json_t *roles(void)
{
    json_t *items = json_array();
    for (const struct cg_role *role = cg_roles; role->name; role++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:o}", "code", role->name, "zh", role->zh,
                                        "en", role->en, "permissions", render_perms(role->perms)));
    return items;
}

/* The kinds in the order their first type appears in cg_place_types. */
static json_t *place_kinds(void)
{
    json_t *items = json_array();
    const char *last = NULL;
    for (const struct cg_place_type *t = cg_place_types; t->kind; t++) {
        if (last && !strcmp(last, t->kind))
            continue;
        json_array_append_new(items, json_pack("{s:s}", "code", t->kind));
        last = t->kind;
    }
    return items;
}

static json_t *place_types(void)
{
    json_t *items = json_array();
    for (const struct cg_place_type *t = cg_place_types; t->kind; t++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "code", t->type, "kind",
                                               t->kind, "zh", t->zh, "en", t->en));
    return items;
}

int route_meta_get(struct http_req *r)
{
    json_t *out = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "roles", roles(),
        "permissions", render_perms(~0u), "area_levels", codes(cg_area_levels), "area_statuses",
        codes(area_statuses), "user_statuses", codes(user_statuses), "resident_statuses",
        codes(resident_statuses), "resident_types", codes(resident_types), "resident_levels",
        codes(resident_levels), "place_kinds", place_kinds(), "place_types", place_types(),
        "place_statuses", codes(place_statuses), "staff_positions", codes(cg_staff_positions));
    int rc = render_case_meta(r, out);
    if (rc) {
        json_decref(out);
        return rc;
    }
    return http_reply_json(r, 200, out);
}
