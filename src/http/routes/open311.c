/* Open311 GeoReport v2 at /open311/v2/ (docs/open311.md). Every answer is
 * built once as a JSON tree and written as JSON or, element for element, as
 * XML, by the format the path ends with (.json or .xml), so the two cannot
 * drift apart. Errors take the specification's shape, not the API's:
 * [{"code":400,"description":"..."}] or <errors><error>...</error></errors>.
 * The GET methods are public and answer only what open311.h says is. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civgrid/apikey.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/open311.h"
#include "civgrid/w3c.h"
#include "civgrid/query.h"
#include "civgrid/utf8.h"
#include "civgrid/xmlw.h"
#include "routes.h"

#define SPEC_URL "http://wiki.open311.org/GeoReport_v2"
/* The default window of GET requests and servicerequestupdates, and the
 * most requests one answer carries, as the specification sets them. */
#define WINDOW_SECONDS (90 * 86400)
#define PAGE_MAX 1000
#define IDS_MAX 200

enum format { FMT_JSON, FMT_XML };

/* ---- formats and languages ---- */

/* Splits "name.xml" or "name.json" into the name (arena) and the format. */
static int split_format(struct http_req *r, const char *seg, const char **name, enum format *fmt)
{
    const char *dot = seg ? strrchr(seg, '.') : NULL;
    *fmt = FMT_XML; /* errors about the format itself answer in the required format */
    if (!dot || (strcmp(dot, ".xml") && strcmp(dot, ".json")))
        return http_fail(r, CG_EFORMAT, NULL, "add .xml or .json to the path");
    *fmt = strcmp(dot, ".json") ? FMT_XML : FMT_JSON;
    *name = cg_arena_strndup(r->arena, seg, (size_t)(dot - seg));
    return *name ? 0 : CG_ENOMEM;
}

/* The format of a path "name.{format}": "xml" or "json". */
static int format_of(struct http_req *r, enum format *fmt)
{
    const char *f = http_param(r, "format");
    *fmt = f && !strcmp(f, "json") ? FMT_JSON : FMT_XML;
    if (!f || (strcmp(f, "xml") && strcmp(f, "json")))
        return http_fail(r, CG_EFORMAT, NULL, "add .xml or .json to the path");
    return 0;
}

/* "en" when the locale parameter or the first language the client accepts
 * is English; Chinese otherwise, the deployment's language. */
static const char *lang_of(struct http_req *r)
{
    const char *l = http_query(r, "locale");
    if (!l || !*l)
        l = http_header(r, "Accept-Language");
    return l && !strncasecmp(l, "en", 2) ? "en" : "zh";
}

/* ---- writing ---- */

/* The element name of the items of an array called name. */
static const char *item_name(const char *name)
{
    static const char *const items[][2] = {
        {"services", "service"},
        {"service_requests", "request"},
        {"service_request_updates", "request_update"},
        {"errors", "error"},
        {"endpoints", "endpoint"},
        {"formats", "format"},
        {"attributes", "attribute"},
        {"values", "value"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (!strcmp(items[i][0], name))
            return items[i][1];
    return "item";
}

static void xml_value(struct cg_xw *w, const char *name, json_t *v)
{
    char num[64];
    const char *key;
    json_t *child;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        cg_xw_open(w, name);
        json_object_foreach(v, key, child) xml_value(w, key, child);
        cg_xw_close(w);
        break;
    case JSON_ARRAY:
        cg_xw_open(w, name);
        json_array_foreach(v, i, child) xml_value(w, item_name(name), child);
        cg_xw_close(w);
        break;
    case JSON_STRING:
        cg_xw_element(w, name, json_string_value(v));
        break;
    case JSON_INTEGER:
        cg_xw_element_int(w, name, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.6f", json_real_value(v));
        cg_xw_element(w, name, num);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        cg_xw_element(w, name, json_is_true(v) ? "true" : "false");
        break;
    case JSON_NULL:
        cg_xw_element(w, name, NULL);
        break;
    }
}

/* Answers doc (stolen) as JSON, or as XML with root as its outer element. */
static int reply(struct http_req *r, int status, enum format fmt, const char *root, json_t *doc)
{
    if (!doc)
        return CG_ENOMEM;
    if (fmt == FMT_JSON) {
        /* Ten significant digits write 40.36 as 40.36, not 40.359999999999999. */
        char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(doc);
        if (!text)
            return CG_ENOMEM;
        int rc = http_reply_bytes(r, status, "application/json; charset=utf-8", text, strlen(text));
        free(text);
        return rc;
    }
    cg_buf_reset(&r->out);
    struct cg_xw w;
    cg_xw_init(&w, &r->out);
    xml_value(&w, root, doc);
    json_decref(doc);
    int rc = cg_xw_finish(&w);
    if (rc)
        return rc;
    r->status = status;
    r->content_type = "text/xml; charset=utf-8";
    return 0;
}

/* Answers err in the specification's error format. */
static int fail(struct http_req *r, enum format fmt, int err)
{
    int status = cg_err_http_status(err);
    const char *msg = r->ferr.message[0] ? r->ferr.message : cg_strerror(err);
    if (r->ferr.field[0] && !strstr(msg, r->ferr.field))
        msg = cg_arena_printf(r->arena, "%s: %s", r->ferr.field, msg);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(status));
    json_object_set_new(e, "description",
                        json_string(cg_arena_printf(r->arena, "%s (%s)", msg, cg_err_name(err))));
    json_t *list = json_array();
    json_array_append_new(list, e);
    return reply(r, status, fmt, "errors", list);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t)
{
    char buf[32];
    if (!t)
        return json_null();
    cg_w3c_format(t, buf);
    return json_string(buf);
}

static json_t *id_string(struct http_req *r, int64_t id)
{
    return json_string(cg_arena_printf(r->arena, "%lld", (long long)id));
}

/* ---- discovery ---- */

int route_open311_discovery(struct http_req *r)
{
    enum format fmt;
    int rc = format_of(r, &fmt);
    if (rc)
        return fail(r, fmt, rc);
    const char *host = http_header(r, "Host");
    const char *proto = http_header(r, "X-Forwarded-Proto");
    const char *url = cg_arena_printf(r->arena, "%s://%s/open311/v2",
                                      proto && !strcmp(proto, "https") ? "https" : "http",
                                      host && *host ? host : "localhost");
    json_t *formats = json_pack("[ss]", "text/xml", "application/json");
    json_t *endpoint =
        json_pack("{s:s,s:s,s:s,s:s,s:o}", "specification", SPEC_URL, "url", url, "changeset",
                  "2026-11-25T00:00:00Z", "type", "production", "formats", formats);
    json_t *doc = json_pack("{s:s,s:s,s:s,s:[o]}", "changeset", "2026-11-25T00:00:00Z", "contact",
                            "the command centre (综治中心) of this deployment", "key_service",
                            "civgrid apikey add NAME --scope AREA_CODE (ask the centre)",
                            "endpoints", endpoint);
    return reply(r, 200, fmt, "discovery", doc);
}

/* ---- services ---- */

static json_t *service_json(const struct cg_o311_service *sv)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code", sv->code, "service_name",
                     sv->name, "description", sv->description, "metadata", 1, "type", "realtime",
                     "keywords", sv->keywords, "group", sv->group);
}

int route_open311_services(struct http_req *r)
{
    enum format fmt;
    struct cg_o311_service *items = NULL;
    size_t n = 0;
    int rc = format_of(r, &fmt);
    if (!rc)
        rc = cg_open311_services(r->db, lang_of(r), r->arena, &items, &n);
    if (rc)
        return fail(r, fmt, rc);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, service_json(&items[i]));
    return reply(r, 200, fmt, "services", list);
}

int route_open311_service_definition(struct http_req *r)
{
    const char *code;
    enum format fmt;
    struct cg_o311_service sv;
    const char *lang = lang_of(r);
    int rc = split_format(r, http_param(r, "code"), &code, &fmt);
    if (!rc && (rc = cg_open311_service_get(r->db, code, lang, r->arena, &sv)) == CG_ENOSERVICE)
        http_fail(r, rc, "service_code", "no service '%s'", code);
    if (rc)
        return fail(r, fmt, rc);
    json_t *attrs = json_array();
    int order = 1;
    for (const struct cg_o311_attribute *at = cg_o311_attributes; at->code; at++, order++) {
        const char *desc = strcmp(lang, "en") ? at->zh : at->en;
        json_array_append_new(attrs, json_pack("{s:b,s:s,s:s,s:b,s:s,s:i,s:s}", "variable", 1,
                                               "code", at->code, "datatype", at->datatype,
                                               "required", at->required, "datatype_description", "",
                                               "order", order, "description", desc));
    }
    json_t *doc = json_pack("{s:s,s:o}", "service_code", sv.code, "attributes", attrs);
    return reply(r, 200, fmt, "service_definition", doc);
}

/* ---- requests ---- */

static json_t *request_json(struct http_req *r, const struct cg_o311_request *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "service_request_id", id_string(r, q->id));
    json_object_set_new(o, "status", json_string(q->status));
    json_object_set_new(o, "status_notes", str_or_null(q->status_notes));
    json_object_set_new(o, "service_name", json_string(q->service_name));
    json_object_set_new(o, "service_code", json_string(q->service_code));
    json_object_set_new(o, "description", str_or_null(q->description));
    json_object_set_new(o, "agency_responsible", str_or_null(q->agency));
    json_object_set_new(o, "service_notice", json_null());
    json_object_set_new(o, "requested_datetime", time_or_null(q->requested));
    json_object_set_new(o, "updated_datetime", time_or_null(q->updated));
    json_object_set_new(o, "expected_datetime", time_or_null(q->expected));
    json_object_set_new(o, "address", str_or_null(q->address));
    json_object_set_new(o, "address_id", json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat",
                        q->has_location ? json_real((double)q->lat_e6 / 1e6) : json_null());
    json_object_set_new(o, "long",
                        q->has_location ? json_real((double)q->lon_e6 / 1e6) : json_null());
    json_object_set_new(o, "media_url", str_or_null(q->media_url));
    return o;
}

static int reply_requests(struct http_req *r, enum format fmt, const struct cg_o311_request *items,
                          size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, request_json(r, &items[i]));
    return reply(r, 200, fmt, "service_requests", list);
}

/* The form's fields, checked as text: Open311 says bodies are UTF-8. */
static int read_form(struct http_req *r, struct cg_form *form)
{
    const char *ct = http_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        return http_fail(r, CG_EMEDIATYPE, NULL,
                         "send the request as application/x-www-form-urlencoded");
    int rc = cg_form_parse(r->body.data ? r->body.data : "", r->body.len, r->arena, form);
    if (rc == CG_ETOOBIG)
        return http_fail(r, CG_EBADTYPE, NULL, "the form has more than %d fields",
                         CG_FORM_MAX_FIELDS);
    for (size_t i = 0; !rc && i < form->n; i++) {
        const struct cg_form_field *f = &form->fields[i];
        if (memchr(f->value, 0, f->value_len) || memchr(f->name, 0, f->name_len) ||
            !cg_utf8_valid(f->name, f->name_len) || !cg_utf8_valid(f->value, f->value_len))
            return http_fail(r, CG_EBADTYPE, NULL, "the form has a field that is not UTF-8 text");
    }
    return rc;
}

static void read_attributes(struct http_req *r, const struct cg_form *form,
                            struct cg_o311_input *in)
{
    size_t pos = 0;
    const char *key, *value;
    /* Attributes this deployment does not define are ignored: clients such
     * as FixMyStreet send their own (report_url, ...). */
    while (cg_form_next_bracket(form, "attribute", &pos, r->arena, &key, &value)) {
        if (!strcmp(key, "title"))
            in->title = value;
        else if (!strcmp(key, "building"))
            in->building = value;
    }
}

int route_open311_requests_create(struct http_req *r)
{
    enum format fmt;
    struct cg_form form;
    struct cg_actor *actor = NULL;
    int64_t retry = 0, id = 0;
    int rc = format_of(r, &fmt);
    if (!rc)
        rc = read_form(r, &form);
    if (!rc && (rc = cg_apikey_resolve(r->db, cg_form_get(&form, "api_key"), r->client_ip, r->arena,
                                       &actor, &retry)) == CG_ERATE_LIMITED) {
        http_add_header(r, "Retry-After", cg_arena_printf(r->arena, "%lld", (long long)retry));
        http_fail(r, rc, NULL, "this api_key filed %d requests this minute; wait %lld s",
                  CG_APIKEY_PER_MINUTE, (long long)retry);
    } else if (rc == CG_EAPIKEY) {
        http_fail(r, rc, "api_key", "a valid api_key is needed (missing, unknown or revoked)");
    }
    if (!rc) {
        struct cg_o311_input in = {
            .service_code = cg_form_get(&form, "service_code"),
            .lat = cg_form_get(&form, "lat"),
            .lon = cg_form_get(&form, "long"),
            .address_string = cg_form_get(&form, "address_string"),
            .address_id = cg_form_get(&form, "address_id"),
            .email = cg_form_get(&form, "email"),
            .first_name = cg_form_get(&form, "first_name"),
            .last_name = cg_form_get(&form, "last_name"),
            .phone = cg_form_get(&form, "phone"),
            .description = cg_form_get(&form, "description"),
            .media_url = cg_form_get(&form, "media_url"),
        };
        read_attributes(r, &form, &in);
        rc = cg_open311_file(r->db, actor, &in, r->arena, &id, &r->ferr);
    }
    if (rc)
        return fail(r, fmt, rc);
    json_t *item = json_object();
    json_object_set_new(item, "service_request_id", id_string(r, id));
    json_object_set_new(item, "token", id_string(r, id));
    json_object_set_new(item, "service_notice",
                        json_string("描述将公开显示；姓名、电话和邮箱不公开。The description is "
                                    "public; names, phones and emails are not."));
    json_object_set_new(item, "account_id", json_null());
    json_t *list = json_array();
    json_array_append_new(list, item);
    return reply(r, 201, fmt, "service_requests", list);
}

/* Reads a W3C datetime parameter into *out (left alone when absent). */
static int query_time(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    if (v && cg_w3c_parse(v, out))
        return http_fail(r, CG_EBADTYPE, name,
                         "%s is a W3C datetime such as 2026-11-05T08:15:30+08:00", name);
    return 0;
}

/* start_date and end_date (both inclusive) as [start, end): 90 days up to
 * now by default, or 90 days up to end_date. */
static int read_window(struct http_req *r, int64_t *start, int64_t *end)
{
    int64_t s = -1, e = -1;
    int rc = query_time(r, "start_date", &s);
    if (!rc)
        rc = query_time(r, "end_date", &e);
    if (rc)
        return rc;
    *end = (e >= 0 ? e : cg_now()) + 1;
    *start = s >= 0 ? s : *end - WINDOW_SECONDS;
    if (*start >= *end)
        return http_fail(r, CG_EBADTYPE, "start_date", "start_date is after end_date");
    return 0;
}

static int read_page(struct http_req *r, int64_t *page, int64_t *page_size)
{
    *page = 1;
    *page_size = PAGE_MAX;
    int rc = http_query_int(r, "page", 1, 1000000, page);
    return rc ? rc : http_query_int(r, "page_size", 1, PAGE_MAX, page_size);
}

static int read_ids(struct http_req *r, const char *v, struct cg_o311_query *q)
{
    int64_t *ids = cg_arena_alloc(r->arena, IDS_MAX * sizeof *ids);
    char *list = cg_arena_strdup(r->arena, v);
    if (!ids || !list)
        return CG_ENOMEM;
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (q->n_ids == IDS_MAX)
            return http_fail(r, CG_EBADTYPE, "service_request_id",
                             "at most %d service_request_id at once", IDS_MAX);
        if (cg_query_int(t, 1, INT64_MAX, &ids[q->n_ids]))
            return http_fail(r, CG_EBADTYPE, "service_request_id",
                             "service_request_id is a comma-separated list of numbers");
        q->n_ids++;
    }
    q->ids = ids;
    return 0;
}

static int read_status(struct http_req *r, struct cg_o311_query *q)
{
    const char *v = http_query(r, "status");
    if (!v || !*v || !strcmp(v, "open,closed") || !strcmp(v, "closed,open"))
        return 0;
    if (strcmp(v, "open") && strcmp(v, "closed"))
        return http_fail(r, CG_EBADTYPE, "status", "status is open or closed");
    q->status = v;
    return 0;
}

int route_open311_requests_list(struct http_req *r)
{
    enum format fmt;
    struct cg_o311_query q = {0};
    struct cg_o311_request *items = NULL;
    size_t n = 0;
    const char *ids = http_query(r, "service_request_id");
    int rc = format_of(r, &fmt);
    if (!rc && ids && *ids)
        rc = read_ids(r, ids, &q);
    if (!rc)
        rc = read_window(r, &q.start, &q.end);
    if (!rc)
        rc = read_status(r, &q);
    if (!rc)
        rc = read_page(r, &q.page, &q.page_size);
    q.service_codes = http_query(r, "service_code");
    if (q.service_codes && !*q.service_codes)
        q.service_codes = NULL;
    if (!rc)
        rc = cg_open311_requests(r->db, &q, lang_of(r), r->arena, &items, &n);
    if (rc)
        return fail(r, fmt, rc);
    return reply_requests(r, fmt, items, n);
}

/* Reads "{id}.fmt" of one request or token. */
static int one_request(struct http_req *r, const char *param, enum format *fmt,
                       struct cg_o311_request **items, size_t *n)
{
    const char *name;
    int64_t id = 0;
    int rc = split_format(r, http_param(r, param), &name, fmt);
    if (!rc && cg_query_int(name, 1, INT64_MAX, &id))
        rc = http_fail(r, CG_ENOTFOUND, NULL, "no service request '%s'", name);
    struct cg_o311_query q = {.ids = &id, .n_ids = 1};
    if (!rc)
        rc = cg_open311_requests(r->db, &q, lang_of(r), r->arena, items, n);
    if (!rc && !*n)
        rc = http_fail(r, CG_ENOTFOUND, NULL, "no service request '%s'", name);
    return rc;
}

int route_open311_requests_get(struct http_req *r)
{
    enum format fmt;
    struct cg_o311_request *items = NULL;
    size_t n = 0;
    int rc = one_request(r, "id", &fmt, &items, &n);
    return rc ? fail(r, fmt, rc) : reply_requests(r, fmt, items, n);
}

/* Requests are answered with their id at once; the token is that id, and
 * resolves like the specification's tokens for clients that ask. */
int route_open311_tokens_get(struct http_req *r)
{
    enum format fmt;
    struct cg_o311_request *items = NULL;
    size_t n = 0;
    int rc = one_request(r, "token", &fmt, &items, &n);
    if (rc)
        return fail(r, fmt, rc);
    json_t *item = json_object();
    json_object_set_new(item, "service_request_id", id_string(r, items[0].id));
    json_object_set_new(item, "token", id_string(r, items[0].id));
    json_t *list = json_array();
    json_array_append_new(list, item);
    return reply(r, 200, fmt, "service_requests", list);
}

/* ---- servicerequestupdates (mySociety's extension, read by FixMyStreet) ---- */

int route_open311_updates_list(struct http_req *r)
{
    enum format fmt;
    int64_t start = 0, end = 0, page = 1, page_size = PAGE_MAX;
    struct cg_o311_update *items = NULL;
    size_t n = 0;
    int rc = format_of(r, &fmt);
    if (!rc)
        rc = read_window(r, &start, &end);
    if (!rc)
        rc = read_page(r, &page, &page_size);
    if (!rc)
        rc = cg_open311_updates(r->db, start, end, page, page_size, lang_of(r), r->arena, &items,
                                &n);
    if (rc)
        return fail(r, fmt, rc);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *u = json_object();
        json_object_set_new(u, "update_id", id_string(r, items[i].id));
        json_object_set_new(u, "service_request_id", id_string(r, items[i].request_id));
        json_object_set_new(u, "status", json_string(items[i].status));
        json_object_set_new(u, "updated_datetime", time_or_null(items[i].at));
        json_object_set_new(u, "description", str_or_null(items[i].description));
        json_object_set_new(u, "media_url", json_null());
        json_object_set_new(u, "external_status_code", json_string(items[i].state));
        json_array_append_new(list, u);
    }
    return reply(r, 200, fmt, "service_request_updates", list);
}

int open311_error(struct http_req *r, int err)
{
    size_t n = strlen(r->path);
    enum format fmt = n > 5 && !strcmp(r->path + n - 5, ".json") ? FMT_JSON : FMT_XML;
    return fail(r, fmt, err);
}
