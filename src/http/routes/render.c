#include "render.h"

json_t *render_area(const struct cg_area *a)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "code", a->code, "name", a->name, "level",
                     a->level, "parent_code", a->parent_code, "status", a->status);
}

json_t *render_user(const struct cg_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:I, s:I, s:s?}", "id",
                     (json_int_t)u->id, "username", u->username, "display_name", u->display_name,
                     "role", u->role, "status", u->status, "scope", "code", u->area.code, "name",
                     u->area.name, "level", u->area.level, "created_at", (json_int_t)u->created_at,
                     "updated_at", (json_int_t)u->updated_at, "department", u->department);
}

json_t *render_perms(unsigned perms)
{
    json_t *codes = json_array();
    for (const struct cg_perm_info *p = cg_perms; p->code; p++)
        if ((perms & p->perm) == p->perm)
            json_array_append_new(codes, json_string(p->code));
    return codes;
}

/* The caller as the UI needs it: permissions ride along so that the UI asks
 * "may I?" by code instead of keeping its own copy of lib/role.c. */
json_t *render_actor(const struct cg_actor *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:s?}", "id",
                     (json_int_t)a->user_id, "username", a->username, "display_name",
                     a->display_name, "role", a->role->name, "role_name", "zh", a->role->zh, "en",
                     a->role->en, "scope", "code", a->area_code, "name", a->area_name, "level",
                     a->area_level, "status", "active", "permissions", render_perms(a->role->perms),
                     "department", a->department_code);
}

/* Staff phones are work numbers, published on responsibility cards: unmasked. */
json_t *render_staff(const struct cg_staff *s)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:{s:s, s:s, s:s}}", "id",
                     (json_int_t)s->id, "position", s->position, "name", s->name, "phone", s->phone,
                     "username", s->username, "start_date", s->start_date, "end_date", s->end_date,
                     "area", "code", s->area.code, "name", s->area.name, "level", s->area.level);
}
