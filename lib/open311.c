/* Open311 GeoReport v2's data (open311.h): services from the catalogue,
 * requests filed as cases, and their timelines as updates. */
#include "civgrid/open311.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civgrid/audit.h"
#include "civgrid/buf.h"
#include "civgrid/case.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/text.h"

/* ---- services ---- */

/* Categories residents may file: every active one but those that name
 * people or are the staff's own work (disputes name parties, assistance and
 * positive dispatch a person; findings come from inspections; suggestions
 * are not requests to act). */
#define SERVICE_WHERE                                                                              \
    " active = 1 AND domain NOT IN ('dispute', 'suggestion', 'assistance')"                        \
    " AND code NOT LIKE 'finding.%' AND code <> 'health.positive_dispatch'"

const struct cg_o311_attribute cg_o311_attributes[] = {
    {"title", "string", 0, "标题（不填则取描述的第一行）",
     "A short title (the description's first line when absent)"},
    {"building", "string", 0, "楼栋、单元或门牌号", "Building, entrance or door number"},
    {NULL, NULL, 0, NULL, NULL},
};

static int is_en(const char *lang)
{
    return lang && !strcmp(lang, "en");
}

static const char *domain_name(const char *code, const char *lang)
{
    for (const struct cg_case_label *d = cg_case_domains; d->code; d++)
        if (!strcmp(d->code, code))
            return is_en(lang) ? d->en : d->zh;
    return code;
}

static void read_service(cg_stmt *st, const char *lang, cg_arena *a, struct cg_o311_service *sv)
{
    sv->code = cg_arena_strdup(a, cg_stmt_text(st, 0));
    sv->name = cg_arena_strdup(a, cg_stmt_text(st, is_en(lang) ? 3 : 2));
    sv->group = domain_name(cg_stmt_text(st, 1), lang);
    sv->description = cg_arena_printf(a, "%s: %s", sv->group, sv->name);
    char *kw = cg_arena_strdup(a, sv->code);
    for (char *p = kw; p && *p; p++)
        if (*p == '.' || *p == '_')
            *p = ',';
    sv->keywords = kw;
}

int cg_open311_services(cg_store *s, const char *lang, cg_arena *a, struct cg_o311_service **items,
                        size_t *n)
{
    *items = NULL;
    *n = 0;
    size_t cap = 0;
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT code, domain, zh, en FROM case_categories WHERE" SERVICE_WHERE
                            " ORDER BY domain, code",
                            "");
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_o311_service *grown = cg_arena_grow(a, *items, sizeof **items, *n, &cap);
        if (!grown) {
            rc = CG_ENOMEM;
            break;
        }
        *items = grown;
        read_service(st, lang, a, &(*items)[(*n)++]);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

int cg_open311_service_get(cg_store *s, const char *code, const char *lang, cg_arena *a,
                           struct cg_o311_service *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st, "SELECT code, domain, zh, en FROM case_categories WHERE code = ? AND" SERVICE_WHERE,
        "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_service(st, lang, a, out);
    cg_stmt_reset(st);
    return rc == CG_ENOTFOUND ? CG_ENOSERVICE : rc;
}

/* ---- filing ---- */

/* Reads decimal degrees ("-12.3456789") as millionths, truncating past the
 * sixth decimal (a tenth of a metre). 0 or CG_EBADTYPE. */
static int parse_degrees(const char *s, int64_t *e6)
{
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (digits < 4)
            whole = whole * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, fdigits++)
            if (fdigits < 6)
                frac = frac * 10 + (*p - '0');
    if (*p || (!digits && !fdigits) || digits > 3)
        return CG_EBADTYPE;
    for (int i = fdigits; i < 6; i++)
        frac *= 10;
    *e6 = (neg ? -1 : 1) * (whole * 1000000 + frac);
    return 0;
}

/* The first line of the description, cut on a character boundary at 120
 * bytes (40 Chinese characters), for the case's title. */
static const char *title_of(const char *description, cg_arena *a)
{
    if (!description)
        return NULL;
    size_t n = strcspn(description, "\r\n");
    if (n > 120) {
        n = 120;
        while (n && ((unsigned char)description[n] & 0xC0) == 0x80)
            n--;
    }
    return n ? cg_arena_strndup(a, description, n) : NULL;
}

static int has_non_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* A Chinese name is written family name first, without a space. */
static const char *contact_name(const char *first, const char *last, cg_arena *a)
{
    first = first && *first ? first : NULL;
    last = last && *last ? last : NULL;
    if (!first || !last)
        return first ? first : last;
    if (has_non_ascii(first) || has_non_ascii(last))
        return cg_arena_printf(a, "%s%s", last, first);
    return cg_arena_printf(a, "%s %s", first, last);
}

struct filing {
    const struct cg_actor *actor;
    struct cg_case_input in;
    const char *media_url, *email;
    cg_arena *a;
    struct cg_field_error *fe;
    struct cg_audit_record *rec; /* names the new case once it has an id */
    int64_t id, now;
};

/* The Open311 name of a case field an error names. */
static void rename_field(struct cg_field_error *fe)
{
    static const char *const map[][2] = {
        {"category", "service_code"},  {"lon", "long"},
        {"contact_phone", "phone"},    {"contact_name", "first_name"},
        {"title", "attribute[title]"}, {"address", "address_string"},
    };
    for (size_t i = 0; fe && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(fe->field, map[i][0])) {
            snprintf(fe->field, sizeof fe->field, "%s", map[i][1]);
            return;
        }
}

static int write_filing(cg_store *s, void *ctx)
{
    struct filing *f = ctx;
    int64_t key_id = 0;
    int rc = cg_case_report_write(s, f->actor, &f->in, f->a, &f->id, f->fe);
    if (!rc)
        rc = cg_store_lookup_id(s, "SELECT id FROM api_keys WHERE name = ?",
                                f->actor->username + strlen("apikey:"), &key_id);
    if (!rc)
        rc =
            cg_store_run(s, NULL,
                         "INSERT INTO open311_requests (case_id, api_key_id, created_at, media_url,"
                         " email) VALUES (?, ?, ?, ?, ?)",
                         "iiiss", f->id, key_id, f->now, f->media_url, f->email);
    if (!rc && !(f->rec->object_id = cg_arena_printf(f->a, "%lld", (long long)f->id)))
        rc = CG_ENOMEM;
    return rc;
}

static int check_location(const struct cg_o311_input *in, struct cg_case_input *out,
                          struct cg_field_error *fe)
{
    if (in->lat || in->lon) {
        if (!in->lat || !in->lon)
            return cg_field_fail(fe, CG_EMISSING, in->lat ? "long" : "lat",
                                 "lat and long come together");
        if (parse_degrees(in->lat, &out->lat_e6))
            return cg_field_fail(fe, CG_EBADTYPE, "lat", "lat is decimal degrees (WGS-84)");
        if (parse_degrees(in->lon, &out->lon_e6))
            return cg_field_fail(fe, CG_EBADTYPE, "long", "long is decimal degrees (WGS-84)");
        out->has_location = 1;
        return 0;
    }
    if (in->address_string && *in->address_string)
        return 0;
    if (in->address_id && *in->address_id)
        return cg_field_fail(fe, CG_EBADTYPE, "address_id",
                             "address_id is not supported here; send lat and long, or "
                             "address_string");
    return cg_field_fail(fe, CG_EMISSING, "lat",
                         "a location is needed: lat and long, or address_string");
}

static int check_filing(cg_store *s, const struct cg_o311_input *in, struct filing *f, cg_arena *a,
                        struct cg_field_error *fe)
{
    struct cg_o311_service sv;
    if (!in->service_code || !*in->service_code)
        return cg_field_fail(fe, CG_EMISSING, "service_code", "service_code is missing");
    int rc = cg_open311_service_get(s, in->service_code, "zh", a, &sv);
    if (rc == CG_ENOSERVICE)
        return cg_field_fail(
            fe, CG_EBADTYPE, "service_code", "no service '%s'",
            cg_text_valid(in->service_code, strlen(in->service_code)) ? in->service_code : "?");
    if (rc || (rc = check_location(in, &f->in, fe)))
        return rc;
    if (in->media_url && *in->media_url &&
        ((strncmp(in->media_url, "http://", 7) && strncmp(in->media_url, "https://", 8)) ||
         cg_text_check(in->media_url, "media_url", "a URL", 1000, 0, a, &f->media_url, fe)))
        return cg_field_fail(fe, CG_EBADTYPE, "media_url",
                             "media_url is an http:// or https:// URL of at most 1000 bytes");
    if ((rc = cg_text_check(in->email, "email", "an email address", 200, 0, a, &f->email, fe)))
        return rc;
    const char *description = in->description;
    const char *title = in->title && *in->title ? in->title : title_of(description, a);
    const char *address = in->address_string;
    if (in->building && *in->building)
        address =
            address && *address ? cg_arena_printf(a, "%s %s", address, in->building) : in->building;
    f->in.type = "request";
    f->in.category = sv.code;
    f->in.area_code = f->actor->area_code;
    f->in.title = title ? title : sv.name;
    f->in.description = description && *description ? description : NULL;
    f->in.address = address && *address ? address : NULL;
    f->in.contact_name = contact_name(in->first_name, in->last_name, a);
    f->in.contact_phone = in->phone && *in->phone ? in->phone : NULL;
    f->in.source = "open311";
    f->in.reported_at = f->now;
    return 0;
}

int cg_open311_file(cg_store *s, const struct cg_actor *key_actor, const struct cg_o311_input *in,
                    cg_arena *a, int64_t *id, struct cg_field_error *fe)
{
    struct filing f = {.actor = key_actor, .a = a, .fe = fe, .now = cg_now()};
    int rc = key_actor ? check_filing(s, in, &f, a, fe) : CG_EAPIKEY;
    struct cg_audit_record rec = {
        "case.report",
        "case",
        NULL,
        key_actor ? key_actor->area_path : NULL,
        0,
        cg_arena_printf(a, "request %s open311", f.in.category ? f.in.category : "?")};
    f.rec = &rec;
    rc = cg_audit_change(s, key_actor, &rec, rc, write_filing, &f);
    rename_field(fe);
    if (!rc)
        *id = f.id;
    return rc;
}

/* ---- requests ---- */

#define REQUEST_COLUMNS                                                                            \
    "SELECT c.id, c.state, cat.code, cat.zh, cat.en, c.description, c.address, c.lat_e6,"          \
    " c.lon_e6, c.created_at, c.updated_at, c.finish_due, ha.name, d.name, o.media_url,"           \
    " (SELECT e.note FROM case_events e WHERE e.case_id = c.id"                                    \
    "  AND e.action IN ('report_done', 'handle_on_spot') ORDER BY e.id DESC LIMIT 1)"              \
    " FROM open311_requests o JOIN cases c ON c.id = o.case_id"                                    \
    " JOIN case_categories cat ON cat.id = c.category_id"                                          \
    " JOIN areas ha ON ha.id = c.holder_area_id"                                                   \
    " LEFT JOIN departments d ON d.id = c.holder_department_id"

static const char *state_name(const char *code, const char *lang)
{
    for (int i = 0; i < CG_CASE_NSTATES; i++)
        if (!strcmp(cg_case_state_labels[i].code, code))
            return is_en(lang) ? cg_case_state_labels[i].en : cg_case_state_labels[i].zh;
    return code;
}

static const char *dup_or_null(cg_stmt *st, int col, cg_arena *a)
{
    return cg_stmt_isnull(st, col) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, col));
}

static void read_request(cg_stmt *st, const char *lang, cg_arena *a, struct cg_o311_request *r)
{
    r->id = cg_stmt_int(st, 0);
    r->state = cg_arena_strdup(a, cg_stmt_text(st, 1));
    r->status = !strcmp(r->state, "closed") ? "closed" : "open";
    r->service_code = cg_arena_strdup(a, cg_stmt_text(st, 2));
    r->service_name = cg_arena_strdup(a, cg_stmt_text(st, is_en(lang) ? 4 : 3));
    r->description = dup_or_null(st, 5, a);
    r->address = dup_or_null(st, 6, a);
    r->has_location = !cg_stmt_isnull(st, 7) && !cg_stmt_isnull(st, 8);
    r->lat_e6 = cg_stmt_int(st, 7);
    r->lon_e6 = cg_stmt_int(st, 8);
    r->requested = cg_stmt_int(st, 9);
    r->updated = cg_stmt_int(st, 10);
    r->expected = cg_stmt_int(st, 11);
    r->agency = cg_arena_strdup(a, cg_stmt_text(st, cg_stmt_isnull(st, 13) ? 12 : 13));
    r->media_url = dup_or_null(st, 14, a);
    const char *state = state_name(r->state, lang);
    r->status_notes =
        cg_stmt_isnull(st, 15) ? state : cg_arena_printf(a, "%s: %s", state, cg_stmt_text(st, 15));
}

/* Appends the rows of st to the list. */
static int collect(cg_stmt *st, const char *lang, cg_arena *a, struct cg_o311_request **items,
                   size_t *n, size_t *cap)
{
    int rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_o311_request *grown = cg_arena_grow(a, *items, sizeof **items, *n, cap);
        if (!grown) {
            rc = CG_ENOMEM;
            break;
        }
        *items = grown;
        read_request(st, lang, a, &(*items)[(*n)++]);
    }
    cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

/* The category ids of a comma-separated list of service codes, as
 * ",12,15,", for the query's LIKE: ids are digits, so no wildcard can slip
 * in. NULL when none of the codes is a category. */
static int category_ids(cg_store *s, const char *codes, cg_arena *a, const char **out)
{
    cg_buf b;
    cg_buf_init(&b, 0);
    int rc = cg_buf_puts(&b, ",");
    char *list = cg_arena_strdup(a, codes);
    char *save = NULL;
    int found = 0;
    for (char *c = list ? strtok_r(list, ",", &save) : NULL; c && !rc;
         c = strtok_r(NULL, ",", &save)) {
        int64_t id = 0;
        int r = cg_store_lookup_id(s, "SELECT id FROM case_categories WHERE code = ?", c, &id);
        if (r == CG_ENOTFOUND)
            continue;
        if (!(rc = r) && !(rc = cg_buf_printf(&b, "%" PRId64 ",", id)))
            found = 1;
    }
    *out = !rc && found ? cg_arena_strndup(a, b.data, b.len) : NULL;
    cg_buf_free(&b);
    return rc;
}

int cg_open311_requests(cg_store *s, const struct cg_o311_query *q, const char *lang, cg_arena *a,
                        struct cg_o311_request **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    size_t cap = 0;
    cg_stmt *st = NULL;
    int rc = 0;
    if (q->n_ids) {
        for (size_t i = 0; !rc && i < q->n_ids; i++)
            if (!(rc = cg_store_query(s, &st, REQUEST_COLUMNS " WHERE o.case_id = ?", "i",
                                      q->ids[i])))
                rc = collect(st, lang, a, items, n, &cap);
        return rc;
    }
    const char *ids = NULL;
    if (q->service_codes && (rc = category_ids(s, q->service_codes, a, &ids)))
        return rc;
    if (q->service_codes && !ids)
        return 0;
    /* The texts are picked from fixed pieces, never built from input. */
    const char *status = !q->status                     ? ""
                         : !strcmp(q->status, "closed") ? " AND c.state = 'closed'"
                                                        : " AND c.state <> 'closed'";
    const char *codes =
        ids ? " AND ? LIKE '%,' || CAST(c.category_id AS TEXT) || ',%'" : " AND ? = ''";
    char sql[2048];
    snprintf(sql, sizeof sql,
             "%s WHERE o.created_at >= ? AND o.created_at < ?%s%s"
             " ORDER BY o.created_at DESC, o.case_id DESC LIMIT ? OFFSET ?",
             REQUEST_COLUMNS, status, codes);
    rc = cg_store_query(s, &st, sql, "iisii", q->start, q->end, ids ? ids : "", q->page_size,
                        (q->page - 1) * q->page_size);
    return rc ? rc : collect(st, lang, a, items, n, &cap);
}

/* ---- updates ---- */

static const char *action_name(const char *code, const char *lang)
{
    for (int i = 0; i < CG_CASE_NACTIONS; i++)
        if (!strcmp(cg_case_action_labels[i].code, code))
            return is_en(lang) ? cg_case_action_labels[i].en : cg_case_action_labels[i].zh;
    return code;
}

int cg_open311_updates(cg_store *s, int64_t start, int64_t end, int64_t page, int64_t page_size,
                       const char *lang, cg_arena *a, struct cg_o311_update **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    size_t cap = 0;
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "SELECT e.id, e.case_id, e.at, e.to_state, e.action, e.note FROM case_events e"
        " JOIN open311_requests o ON o.case_id = e.case_id"
        " WHERE e.at >= ? AND e.at < ? AND e.action <> 'report' ORDER BY e.at, e.id"
        " LIMIT ? OFFSET ?",
        "iiii", start, end, page_size, (page - 1) * page_size);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_o311_update *grown = cg_arena_grow(a, *items, sizeof **items, *n, &cap);
        if (!grown) {
            rc = CG_ENOMEM;
            break;
        }
        *items = grown;
        struct cg_o311_update *u = &(*items)[(*n)++];
        u->id = cg_stmt_int(st, 0);
        u->request_id = cg_stmt_int(st, 1);
        u->at = cg_stmt_int(st, 2);
        u->state = cg_arena_strdup(a, cg_stmt_text(st, 3));
        u->status = !strcmp(u->state, "closed") ? "closed" : "open";
        const char *action = cg_stmt_text(st, 4);
        const char *name = action_name(action, lang);
        /* Only the result the holder reports to the resident is public;
         * reasons for sending back or failing a check are the staff's. */
        int public = !strcmp(action, "report_done") || !strcmp(action, "handle_on_spot");
        u->description = public && !cg_stmt_isnull(st, 5)
                             ? cg_arena_printf(a, "%s: %s", name, cg_stmt_text(st, 5))
                             : name;
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}
