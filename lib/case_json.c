/* Cases as JSON: the one shape of a case, its timeline, photos and
 * categories, for the API, the command line and every later door (the UI,
 * Open311's own format aside). docs/cases.md shows it. */
#include <string.h>

#include "civgrid/case_json.h"
#include "civgrid/utf8.h"

/* Stored text goes through jansson's "s", which refuses bad UTF-8: text
 * from before the text rule, or a future door, must not sink the answer. */
static json_t *str(cg_arena *a, const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (!v) {
        const char *fixed = cg_utf8_repair(a, s);
        v = fixed ? json_string(fixed) : NULL;
    }
    return v ? v : json_null();
}

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer((json_int_t)t) : json_null();
}

static json_t *render_unit(cg_arena *a, const struct cg_case_unit *u)
{
    if (!u->area_id)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "area_code", str(a, u->area_code));
    json_object_set_new(o, "area_name", str(a, u->area_name));
    json_object_set_new(o, "area_level", str(a, u->area_level));
    json_object_set_new(o, "department_code", str(a, u->department_code));
    json_object_set_new(o, "department_name", str(a, u->department_name));
    return o;
}

json_t *cg_case_attachment_json(cg_arena *a, const struct cg_case_attachment *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)x->id));
    json_object_set_new(o, "case_id", json_integer((json_int_t)x->case_id));
    json_object_set_new(o, "event_id",
                        x->event_id ? json_integer((json_int_t)x->event_id) : json_null());
    json_object_set_new(o, "name", str(a, x->name));
    json_object_set_new(o, "content_type", str(a, x->content_type));
    json_object_set_new(o, "size", json_integer((json_int_t)x->size));
    json_object_set_new(o, "uploader", str(a, x->uploader));
    json_object_set_new(o, "created_at", json_integer((json_int_t)x->created_at));
    json_object_set_new(o, "url",
                        json_string(cg_arena_printf(a, "/api/v1/cases/%lld/attachments/%lld",
                                                    (long long)x->case_id, (long long)x->id)));
    return o;
}

static json_t *render_event(cg_arena *a, const struct cg_case_event *e)
{
    json_t *o = json_object(), *atts = json_array();
    json_object_set_new(o, "id", json_integer((json_int_t)e->id));
    json_object_set_new(o, "at", json_integer((json_int_t)e->at));
    json_object_set_new(o, "actor", str(a, e->actor));
    json_object_set_new(o, "actor_name", str(a, e->actor_name));
    json_object_set_new(o, "action", str(a, e->action));
    json_object_set_new(o, "from_state", str(a, e->from_state));
    json_object_set_new(o, "to_state", str(a, e->to_state));
    json_object_set_new(o, "note", str(a, e->note));
    json_object_set_new(o, "unit", render_unit(a, &e->unit));
    json_object_set_new(o, "into", e->into ? json_integer((json_int_t)e->into) : json_null());
    for (size_t i = 0; i < e->n_attachments; i++)
        json_array_append_new(atts, cg_case_attachment_json(a, &e->attachments[i]));
    json_object_set_new(o, "attachments", atts);
    return o;
}

/* The fields every case has, in a list and alone. */
json_t *cg_case_summary_json(cg_arena *a, const struct cg_case *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)c->id));
    json_object_set_new(o, "version", json_integer((json_int_t)c->version));
    json_object_set_new(o, "type", str(a, c->type));
    json_object_set_new(o, "state", str(a, c->state));
    json_object_set_new(o, "source", str(a, c->source));
    json_object_set_new(o, "category",
                        json_pack("{s:o, s:o, s:o, s:o, s:o}", "code", str(a, c->category), "zh",
                                  str(a, c->category_zh), "en", str(a, c->category_en), "domain",
                                  str(a, c->domain), "size", str(a, c->size)));
    json_object_set_new(o, "area", render_unit(a, &c->area));
    json_object_set_new(o, "holder", render_unit(a, &c->holder));
    json_object_set_new(o, "from", render_unit(a, &c->from));
    json_object_set_new(o, "reporter", str(a, c->reporter));
    json_object_set_new(o, "contact_name", str(a, c->contact_name));
    json_object_set_new(o, "contact_phone", str(a, c->contact_phone));
    json_object_set_new(o, "title", str(a, c->title));
    json_object_set_new(o, "description", str(a, c->description));
    json_object_set_new(o, "address", str(a, c->address));
    json_object_set_new(o, "location",
                        c->has_location ? json_pack("{s:f, s:f}", "lat", (double)c->lat_e6 / 1e6,
                                                    "lon", (double)c->lon_e6 / 1e6)
                                        : json_null());
    json_object_set_new(o, "parties", str(a, c->parties));
    json_object_set_new(o, "mediator", str(a, c->mediator));
    json_object_set_new(o, "outcome", str(a, c->outcome));
    json_object_set_new(o, "agreement", str(a, c->agreement));
    json_object_set_new(o, "person_name", str(a, c->person_name));
    json_object_set_new(o, "person_id_number", str(a, c->person_id_number));
    json_object_set_new(o, "person_phone", str(a, c->person_phone));
    json_object_set_new(o, "created_at", json_integer((json_int_t)c->created_at));
    json_object_set_new(o, "updated_at", json_integer((json_int_t)c->updated_at));
    json_object_set_new(o, "accepted_at", time_or_null(c->accepted_at));
    json_object_set_new(o, "done_at", time_or_null(c->done_at));
    json_object_set_new(o, "closed_at", time_or_null(c->closed_at));
    json_object_set_new(o, "accept_due", time_or_null(c->accept_due));
    json_object_set_new(o, "finish_due", time_or_null(c->finish_due));
    json_object_set_new(o, "card", str(a, c->card));
    json_object_set_new(o, "merged_into",
                        c->merged_into ? json_integer((json_int_t)c->merged_into) : json_null());
    return o;
}

json_t *cg_case_actions_json(unsigned actions)
{
    json_t *arr = json_array();
    for (int i = 0; i < CG_CASE_NACTIONS; i++)
        if (actions & (1u << i))
            json_array_append_new(arr, json_string(cg_case_action_labels[i].code));
    return arr;
}

json_t *cg_case_json(cg_arena *a, const struct cg_case *c)
{
    json_t *o = cg_case_summary_json(a, c), *events = json_array(), *atts = json_array(),
           *copies = json_array();
    json_object_set_new(o, "actions", cg_case_actions_json(c->actions));
    for (size_t i = 0; i < c->n_events; i++)
        json_array_append_new(events, render_event(a, &c->events[i]));
    for (size_t i = 0; i < c->n_attachments; i++)
        json_array_append_new(atts, cg_case_attachment_json(a, &c->attachments[i]));
    for (size_t i = 0; i < c->n_copies; i++)
        json_array_append_new(copies, render_unit(a, &c->copies[i]));
    json_object_set_new(o, "events", events);
    json_object_set_new(o, "attachments", atts);
    json_object_set_new(o, "copies", copies);
    return o;
}

json_t *cg_case_category_json(const struct cg_case_category *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b}",
                     "code", c->code, "domain", c->domain, "zh", c->zh, "en", c->en, "size",
                     c->size, "department", c->department, "accept_days", c->accept_days,
                     "finish_days", c->finish_days, "accept_yellow", c->accept_yellow, "accept_red",
                     c->accept_red, "finish_yellow", c->finish_yellow, "finish_red", c->finish_red,
                     "reopen_days", c->reopen_days, "active", c->active);
}
