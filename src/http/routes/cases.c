/* Cases (docs/cases.md): filing, lists, one case with its timeline and the
 * actions the caller may take, actions, photos and the category catalogue.
 * Every rule is the library's (lib/case*.c); this file reads JSON and
 * writes JSON. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civgrid/case.h"
#include "civgrid/case_json.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/utf8.h"
#include "render.h"
#include "routes.h"

/* {id} as a positive integer; anything else names no case. */
static int param_id(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_param(r, name);
    char *end = NULL;
    long long id = v ? strtoll(v, &end, 10) : 0;
    if (!v || !*v || *end || id <= 0)
        return http_fail(r, CG_ENOTFOUND, NULL, "no such case");
    *out = id;
    return 0;
}

/* A coordinate in degrees as an integer of millionths. */
static int get_degrees(json_t *body, const char *key, double limit, int64_t *out, int *present,
                       struct cg_field_error *fe)
{
    json_t *v = json_object_get(body, key);
    *present = v && !json_is_null(v);
    if (!*present)
        return 0;
    if (!json_is_number(v) || fabs(json_number_value(v)) > limit)
        return cg_field_fail(fe, CG_EBADTYPE, key, "%s is a number of degrees, -%g to %g", key,
                             limit, limit);
    *out = (int64_t)llround(json_number_value(v) * 1e6);
    return 0;
}

int route_cases_create(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_case_input in = {0};
    struct cg_case c;
    int lat = 0, lon = 0;
    static const struct {
        const char *key;
        size_t off, max;
    } fields[] = {
        {"type", offsetof(struct cg_case_input, type), 64},
        {"category", offsetof(struct cg_case_input, category), 128},
        {"area_code", offsetof(struct cg_case_input, area_code), 64},
        {"title", offsetof(struct cg_case_input, title), 800},
        {"description", offsetof(struct cg_case_input, description), 16000},
        {"address", offsetof(struct cg_case_input, address), 1600},
        {"contact_name", offsetof(struct cg_case_input, contact_name), 400},
        {"contact_phone", offsetof(struct cg_case_input, contact_phone), 128},
        {"parties", offsetof(struct cg_case_input, parties), 4000},
        {"mediator", offsetof(struct cg_case_input, mediator), 800},
        {"person_name", offsetof(struct cg_case_input, person_name), 400},
        {"person_id_number", offsetof(struct cg_case_input, person_id_number), 128},
        {"person_phone", offsetof(struct cg_case_input, person_phone), 128},
    };
    int rc = http_json_body(r, &body);
    for (size_t i = 0; !rc && i < sizeof fields / sizeof fields[0]; i++)
        rc = cg_json_get_string(body, fields[i].key, 0, fields[i].max,
                                (const char **)((char *)&in + fields[i].off), &r->ferr);
    if (!rc)
        rc = get_degrees(body, "lat", 90, &in.lat_e6, &lat, &r->ferr);
    if (!rc)
        rc = get_degrees(body, "lon", 180, &in.lon_e6, &lon, &r->ferr);
    if (!rc && lat != lon)
        rc = http_fail(r, CG_EMISSING, lat ? "lon" : "lat", "a location needs both lat and lon");
    in.has_location = lat && lon;
    /* The browser signs in with a cookie; scripts send a bearer token. */
    in.source = r->cookie_auth ? "ui" : "api";
    if (!rc)
        rc = cg_case_report(r->db, r->actor, &in, r->arena, &c, &r->ferr);
    if (!rc)
        rc = cg_case_get(r->db, r->actor, c.id, r->arena, &c);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, cg_case_json(r->arena, &c));
}

static int query_time(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    if (v && *v && cg_time_parse(v, out))
        return http_fail(r, CG_EBADTYPE, name, "%s is epoch seconds or an ISO 8601 date", name);
    return 0;
}

int route_cases_list(struct http_req *r)
{
    int64_t limit = 50, offset = 0, total = 0, mine = 0;
    struct cg_case_query q = {0};
    int rc = http_query_int(r, "limit", 1, 1000, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, INT64_C(1) << 40, &offset);
    if (!rc)
        rc = http_query_int(r, "mine", 0, 1, &mine);
    if (!rc)
        rc = query_time(r, "created_from", &q.created_from);
    if (!rc)
        rc = query_time(r, "created_to", &q.created_to);
    if (rc)
        return rc;
    q.state = http_query(r, "state");
    q.type = http_query(r, "type");
    q.category = http_query(r, "category");
    q.domain = http_query(r, "domain");
    q.area_code = http_query(r, "area_code");
    q.unit = http_query(r, "unit");
    q.card = http_query(r, "card");
    q.mine = (int)mine;
    q.limit = (int)limit;
    q.offset = offset;
    struct cg_case *items = NULL;
    size_t n = 0;
    if ((rc = cg_case_list(r->db, r->actor, &q, r->arena, &items, &n, &total, &r->ferr)))
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cg_case_summary_json(r->arena, &items[i]));
    json_t *out = json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)total);
    if (offset + (int64_t)n < total)
        json_object_set_new(out, "next_offset", json_integer((json_int_t)(offset + (int64_t)n)));
    return http_reply_json(r, 200, out);
}

int route_cases_counts(struct http_req *r)
{
    struct cg_case_counts c;
    int rc = cg_case_counts_mine(r->db, r->actor, &c);
    return rc ? rc
              : http_reply_json(r, 200,
                                json_pack("{s:I, s:I, s:I, s:I}", "reported",
                                          (json_int_t)c.reported, "handling",
                                          (json_int_t)c.handling, "done", (json_int_t)c.done,
                                          "to_verify", (json_int_t)c.to_verify));
}

int route_cases_get(struct http_req *r)
{
    int64_t id = 0;
    struct cg_case c;
    int rc = param_id(r, "id", &id);
    if (!rc)
        rc = cg_case_get(r->db, r->actor, id, r->arena, &c);
    return rc ? rc : http_reply_json(r, 200, cg_case_json(r->arena, &c));
}

/* "attachments": [ids], at most 32. */
static int get_ids(struct http_req *r, json_t *body, struct cg_case_action_input *in)
{
    json_t *v = json_object_get(body, "attachments");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > 32)
        return http_fail(r, CG_EBADTYPE, "attachments", "attachments is a list of at most 32 ids");
    int64_t *ids = cg_arena_alloc(r->arena, (json_array_size(v) + 1) * sizeof *ids);
    if (!ids)
        return CG_ENOMEM;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return http_fail(r, CG_EBADTYPE, "attachments", "attachments is a list of ids");
        ids[i] = json_integer_value(x);
    }
    in->attachments = ids;
    in->n_attachments = json_array_size(v);
    return 0;
}

int route_cases_act(struct http_req *r)
{
    int64_t id = 0;
    json_t *body = NULL;
    struct cg_case_action_input in = {0};
    struct cg_case c;
    int present = 0;
    int rc = param_id(r, "id", &id);
    in.action = http_param(r, "action");
    /* An action without fields may come with an empty body. */
    if (!rc && r->body.len)
        rc = http_json_body(r, &body);
    else if (!rc)
        body = json_object();
    if (!rc)
        rc = cg_json_get_int(body, "version", 0, &in.version, &present, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "note", 0, 8000, &in.note, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "to", 0, 64, &in.to, &r->ferr);
    if (!rc)
        rc = cg_json_get_int(body, "into", 0, &in.into, &present, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "outcome", 0, 32, &in.outcome, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "agreement", 0, 16000, &in.agreement, &r->ferr);
    if (!rc)
        rc = cg_json_get_string(body, "mediator", 0, 800, &in.mediator, &r->ferr);
    if (!rc)
        rc = get_ids(r, body, &in);
    if (!rc && present && in.into <= 0)
        rc = http_fail(r, CG_EBADTYPE, "into", "into is the id of a case");
    if (!rc && in.version < 0)
        rc = http_fail(r, CG_EBADTYPE, "version", "version is a positive integer");
    if (!rc)
        rc = cg_case_act(r->db, r->actor, id, &in, r->arena, &c, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 200, cg_case_json(r->arena, &c));
}

int route_cases_attach(struct http_req *r)
{
    int64_t id = 0;
    struct cg_case_attachment x;
    int rc = param_id(r, "id", &id);
    if (!rc)
        rc = cg_case_attachment_add(r->db, r->actor, r->cfg->data_dir, id, r->body.data,
                                    r->body.len, r->cfg->attachment_max, http_query(r, "name"),
                                    r->arena, &x, &r->ferr);
    return rc ? rc : http_reply_json(r, 201, cg_case_attachment_json(r->arena, &x));
}

/* Reads the whole file (photos are capped at CG_CASE_ATTACHMENT_MAX). */
static int read_file(struct http_req *r, const char *path, int64_t size, char **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return CG_ENOTFOUND;
    char *buf = cg_arena_alloc(r->arena, (size_t)size + 1);
    ssize_t got = buf ? read(fd, buf, (size_t)size) : -1;
    close(fd);
    if (!buf)
        return CG_ENOMEM;
    if (got != size)
        return CG_EIO;
    *out = buf;
    return 0;
}

int route_cases_attachment(struct http_req *r)
{
    int64_t id = 0, aid = 0;
    struct cg_case_attachment x;
    const char *path = NULL;
    char *data = NULL;
    int rc = param_id(r, "id", &id);
    if (!rc)
        rc = param_id(r, "aid", &aid);
    if (!rc)
        rc =
            cg_case_attachment_get(r->db, r->actor, r->cfg->data_dir, id, aid, r->arena, &x, &path);
    if (!rc)
        rc = read_file(r, path, x.size, &data);
    if (rc)
        return rc;
    /* The type was sniffed when it was stored; nosniff (set on every
     * answer) keeps a browser from second-guessing it. */
    http_add_header(r, "Content-Disposition", "inline");
    return http_reply_bytes(r, 200, x.content_type, data, (size_t)x.size);
}

/* ---- the catalogue ---- */

int route_case_categories_list(struct http_req *r)
{
    int64_t all = 0;
    struct cg_case_category *items = NULL;
    size_t n = 0;
    int rc = http_query_int(r, "all", 0, 1, &all);
    if (!rc)
        rc = cg_case_category_list(r->db, r->actor, (int)all, r->arena, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cg_case_category_json(&items[i]));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

int route_case_categories_get(struct http_req *r)
{
    struct cg_case_category c;
    if (!cg_actor_can(r->actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    int rc = cg_case_category_get(r->db, http_param(r, "code"), r->arena, &c);
    return rc ? rc : http_reply_json(r, 200, cg_case_category_json(&c));
}

/* Reads the category's fields from body over c (a PATCH keeps what is
 * absent). */
static int read_category(struct http_req *r, json_t *body, struct cg_case_category *c)
{
    static const struct {
        const char *key;
        size_t off;
    } texts[] =
        {
            {"domain", offsetof(struct cg_case_category, domain)},
            {"zh", offsetof(struct cg_case_category, zh)},
            {"en", offsetof(struct cg_case_category, en)},
            {"size", offsetof(struct cg_case_category, size)},
            {"department", offsetof(struct cg_case_category, department)},
        },
      ints[] = {
          {"accept_days", offsetof(struct cg_case_category, accept_days)},
          {"finish_days", offsetof(struct cg_case_category, finish_days)},
          {"accept_yellow", offsetof(struct cg_case_category, accept_yellow)},
          {"accept_red", offsetof(struct cg_case_category, accept_red)},
          {"finish_yellow", offsetof(struct cg_case_category, finish_yellow)},
          {"finish_red", offsetof(struct cg_case_category, finish_red)},
          {"reopen_days", offsetof(struct cg_case_category, reopen_days)},
      };
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof texts / sizeof texts[0]; i++) {
        const char *v = NULL;
        if (!json_object_get(body, texts[i].key))
            continue;
        rc = cg_json_get_string(body, texts[i].key, 0, 400, &v, &r->ferr);
        *(const char **)((char *)c + texts[i].off) = v;
    }
    for (size_t i = 0; !rc && i < sizeof ints / sizeof ints[0]; i++) {
        int64_t v = 0;
        int present = 0;
        rc = cg_json_get_int(body, ints[i].key, 0, &v, &present, &r->ferr);
        if (!rc && present && (v < 0 || v > 365))
            rc = http_fail(r, CG_EBADTYPE, ints[i].key, "%s is 0 to 365 days", ints[i].key);
        if (!rc && present)
            *(int *)((char *)c + ints[i].off) = (int)v;
    }
    json_t *active = json_object_get(body, "active");
    if (!rc && active && !json_is_boolean(active))
        rc = http_fail(r, CG_EBADTYPE, "active", "active is true or false");
    if (!rc && active)
        c->active = json_is_true(active);
    return rc;
}

int route_case_categories_create(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_case_category c = {.size = "big",
                                 .accept_days = 2,
                                 .finish_days = 5,
                                 .accept_yellow = 2,
                                 .accept_red = 5,
                                 .finish_yellow = 5,
                                 .finish_red = 10,
                                 .reopen_days = 7,
                                 .active = 1},
                            out;
    int rc = http_json_body(r, &body);
    if (!rc)
        rc = cg_json_get_string(body, "code", 1, 128, &c.code, &r->ferr);
    if (!rc)
        rc = read_category(r, body, &c);
    if (!rc)
        rc = cg_case_category_create(r->db, r->actor, &c, r->arena, &out, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 201, cg_case_category_json(&out));
}

int route_case_categories_update(struct http_req *r)
{
    json_t *body = NULL;
    struct cg_case_category c, out;
    int rc = cg_actor_can(r->actor, CG_PERM_CASES_CATALOGUE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_case_category_get(r->db, http_param(r, "code"), r->arena, &c);
    if (!rc)
        rc = http_json_body(r, &body);
    if (!rc)
        rc = read_category(r, body, &c);
    if (!rc)
        rc = cg_case_category_update(r->db, r->actor, &c, r->arena, &out, &r->ferr);
    json_decref(body);
    return rc ? rc : http_reply_json(r, 200, cg_case_category_json(&out));
}

/* ---- /api/v1/meta ---- */

static json_t *labels(const struct cg_case_label *l, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n && l[i].code; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "code", l[i].code, "zh", l[i].zh, "en", l[i].en));
    return arr;
}

static json_t *fields(unsigned bits)
{
    json_t *arr = json_array();
    for (unsigned b = 0; b < 32; b++)
        if (bits & (1u << b))
            json_array_append_new(arr, json_string(cg_case_field_code(1u << b)));
    return arr;
}

static const char *perm_code(unsigned perm)
{
    for (const struct cg_perm_info *p = cg_perms; p->code; p++)
        if (p->perm == perm)
            return p->code;
    return "";
}

static json_t *actions(void)
{
    static const char *const who[] = {"staff", "holder", "verifier", "reporter"};
    json_t *arr = json_array();
    for (int i = 0; i < CG_CASE_NACTIONS; i++) {
        const struct cg_case_label *l = &cg_case_action_labels[i];
        json_t *moves = json_array();
        for (const struct cg_case_transition *t = cg_case_transitions; t->perm; t++)
            if ((int)t->action == i && t->action != CG_CASE_ACT_REPORT)
                json_array_append_new(moves,
                                      json_pack("{s:s, s:s, s:s, s:s, s:o}", "from",
                                                cg_case_state_labels[t->state].code, "to",
                                                cg_case_state_labels[t->next].code, "permission",
                                                perm_code(t->perm), "who", who[t->who], "required",
                                                fields(t->required)));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "code", l->code, "zh", l->zh,
                                             "en", l->en, "transitions", moves));
    }
    return arr;
}

int render_case_meta(struct http_req *r, json_t *out)
{
    json_t *types = json_array(), *cats = json_array();
    for (int i = 0; i < CG_CASE_NTYPES; i++)
        json_array_append_new(types,
                              json_pack("{s:s, s:s, s:s, s:o}", "code", cg_case_types[i].code, "zh",
                                        cg_case_types[i].zh, "en", cg_case_types[i].en, "required",
                                        fields(cg_case_types[i].required)));
    struct cg_case_category *items = NULL;
    size_t n = 0;
    /* A role without cases.read gets the enumerations but no catalogue. */
    int rc = cg_actor_can(r->actor, CG_PERM_CASES_READ)
                 ? cg_case_category_list(r->db, r->actor, 0, r->arena, &items, &n)
                 : 0;
    for (size_t i = 0; !rc && i < n; i++)
        json_array_append_new(cats, cg_case_category_json(&items[i]));
    json_object_set_new(out, "case_types", types);
    json_object_set_new(out, "case_states", labels(cg_case_state_labels, CG_CASE_NSTATES));
    json_object_set_new(out, "case_actions", actions());
    json_object_set_new(out, "case_domains", labels(cg_case_domains, 1000));
    json_object_set_new(out, "case_categories", cats);
    return rc;
}
