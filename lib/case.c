/* Cases: the enumerations, the state table, who may do what, filing and
 * reading one case. Actions run in case_act.c, lists in case_list.c, the
 * catalogue in case_category.c, photos in case_attach.c. */
#include <stdio.h>
#include <string.h>

#include "case_int.h"
#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/calendar.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/mask.h"
#include "civgrid/scope.h"
#include "civgrid/text.h"

#define ST(name, code, zh, en) {code, zh, en},
const struct cg_case_label cg_case_state_labels[CG_CASE_NSTATES] = {CG_CASE_STATES(ST)};
const struct cg_case_label cg_case_action_labels[CG_CASE_NACTIONS] = {CG_CASE_ACTIONS(ST)};
#undef ST

#define DOM(code, zh, en) {code, zh, en},
const struct cg_case_label cg_case_domains[] = {CG_CASE_DOMAINS(DOM){NULL, NULL, NULL}};
#undef DOM

/* What every type needs to be filed; a type adds its own. */
#define BASE (CG_CASE_F_CATEGORY | CG_CASE_F_AREA | CG_CASE_F_TITLE)
#define REQ_EVENT BASE
#define REQ_REQUEST BASE
#define REQ_DISPUTE (BASE | CG_CASE_F_PARTIES)
#define REQ_SUGGESTION BASE
#define REQ_FINDING (BASE | CG_CASE_F_DESCRIPTION)
#define REQ_ASSISTANCE (BASE | CG_CASE_F_PERSON_NAME)
#define REQ_POSITIVE_DISPATCH (BASE | CG_CASE_F_PERSON_NAME)
#define TY(name, code, zh, en) [CG_CASE_TYPE_##name] = {code, zh, en, REQ_##name},
const struct cg_case_type_info cg_case_types[CG_CASE_NTYPES] = {CG_CASE_TYPES(TY)};
#undef TY

static const char *const field_codes[] = {
#define FC(name, bit, code) [bit] = code,
    CG_CASE_FIELDS(FC)
#undef FC
};

const char *cg_case_field_code(unsigned field_bit)
{
    for (unsigned i = 0; i < sizeof field_codes / sizeof field_codes[0]; i++)
        if (field_bit == 1u << i)
            return field_codes[i];
    return NULL;
}

/* The workflow. docs/cases.md prints this table; tests/unit/test_case.c
 * walks every (state, action) pair of it. */
#define W CG_PERM_CASES_WRITE
#define D CG_PERM_CASES_DISPATCH
#define HOLDER CG_CASE_WHO_HOLDER
#define NOTE CG_CASE_F_NOTE
const struct cg_case_transition cg_case_transitions[] = {
    {CG_CASE_REPORTED, CG_CASE_ACT_REPORT, CG_CASE_REPORTED, W, CG_CASE_WHO_STAFF, 0},
    {CG_CASE_REPORTED, CG_CASE_ACT_ACCEPT, CG_CASE_HANDLING, W, HOLDER, 0},
    {CG_CASE_REPORTED, CG_CASE_ACT_HANDLE_ON_SPOT, CG_CASE_CLOSED, W, HOLDER, NOTE},
    {CG_CASE_HANDLING, CG_CASE_ACT_HANDLE_ON_SPOT, CG_CASE_CLOSED, W, HOLDER, NOTE},
    {CG_CASE_REPORTED, CG_CASE_ACT_ESCALATE, CG_CASE_REPORTED, W, HOLDER, 0},
    {CG_CASE_HANDLING, CG_CASE_ACT_ESCALATE, CG_CASE_REPORTED, W, HOLDER, 0},
    {CG_CASE_REPORTED, CG_CASE_ACT_ASSIGN, CG_CASE_REPORTED, D, HOLDER, CG_CASE_F_TO},
    {CG_CASE_HANDLING, CG_CASE_ACT_ASSIGN, CG_CASE_REPORTED, D, HOLDER, CG_CASE_F_TO},
    {CG_CASE_REPORTED, CG_CASE_ACT_SEND_BACK, CG_CASE_REPORTED, W, HOLDER, NOTE},
    {CG_CASE_HANDLING, CG_CASE_ACT_SEND_BACK, CG_CASE_REPORTED, W, HOLDER, NOTE},
    {CG_CASE_HANDLING, CG_CASE_ACT_REPORT_DONE, CG_CASE_DONE, W, HOLDER, NOTE},
    {CG_CASE_DONE, CG_CASE_ACT_VERIFY_PASS, CG_CASE_CLOSED, W, CG_CASE_WHO_VERIFIER, 0},
    {CG_CASE_DONE, CG_CASE_ACT_VERIFY_FAIL, CG_CASE_HANDLING, W, CG_CASE_WHO_VERIFIER, NOTE},
    {CG_CASE_REPORTED, CG_CASE_ACT_COPY, CG_CASE_REPORTED, D, HOLDER, CG_CASE_F_TO},
    {CG_CASE_HANDLING, CG_CASE_ACT_COPY, CG_CASE_HANDLING, D, HOLDER, CG_CASE_F_TO},
    {CG_CASE_DONE, CG_CASE_ACT_COPY, CG_CASE_DONE, D, HOLDER, CG_CASE_F_TO},
    {CG_CASE_REPORTED, CG_CASE_ACT_MERGE, CG_CASE_CLOSED, W, HOLDER, CG_CASE_F_INTO},
    {CG_CASE_HANDLING, CG_CASE_ACT_MERGE, CG_CASE_CLOSED, W, HOLDER, CG_CASE_F_INTO},
    {CG_CASE_CLOSED, CG_CASE_ACT_REOPEN, CG_CASE_REPORTED, W, CG_CASE_WHO_REPORTER, NOTE},
    {0, 0, 0, 0, 0, 0},
};
#undef W
#undef D
#undef HOLDER
#undef NOTE

const struct cg_case_transition *cg_case_transition_find(enum cg_case_state state,
                                                         enum cg_case_action action)
{
    /* Filing has no state before it: report is never a move of a case. */
    if (action == CG_CASE_ACT_REPORT)
        return NULL;
    for (const struct cg_case_transition *t = cg_case_transitions; t->perm; t++)
        if (t->state == state && t->action == action)
            return t;
    return NULL;
}

static int parse(const struct cg_case_label *labels, int n, const char *code, int *out)
{
    for (int i = 0; code && i < n; i++)
        if (!strcmp(labels[i].code, code)) {
            *out = i;
            return 0;
        }
    return CG_EBADTYPE;
}

int cg_case_type_parse(const char *code, enum cg_case_type *out)
{
    for (int i = 0; code && i < CG_CASE_NTYPES; i++)
        if (!strcmp(cg_case_types[i].code, code)) {
            *out = (enum cg_case_type)i;
            return 0;
        }
    return CG_EBADTYPE;
}

int cg_case_state_parse(const char *code, enum cg_case_state *out)
{
    int i = 0, rc = parse(cg_case_state_labels, CG_CASE_NSTATES, code, &i);
    if (!rc)
        *out = (enum cg_case_state)i;
    return rc;
}

int cg_case_action_parse(const char *code, enum cg_case_action *out)
{
    int i = 0, rc = parse(cg_case_action_labels, CG_CASE_NACTIONS, code, &i);
    if (!rc)
        *out = (enum cg_case_action)i;
    return rc;
}

const char *cg__case_state_code(enum cg_case_state st)
{
    return cg_case_state_labels[st].code;
}

const char *cg__case_action_code(enum cg_case_action ac)
{
    return cg_case_action_labels[ac].code;
}

/* ---- reading ---- */

static const char *dup(cg_stmt *st, int col, cg_arena *a)
{
    return cg_stmt_isnull(st, col) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, col));
}

static int64_t opt_int(cg_stmt *st, int col)
{
    return cg_stmt_isnull(st, col) ? 0 : cg_stmt_int(st, col);
}

/* An area unit at columns col.. (id, code, name, level, path) and, with
 * dept >= 0, a department at dept.. (id, code, name). */
static void read_unit(cg_stmt *st, int col, int dept, cg_arena *a, struct cg_case_unit *u)
{
    memset(u, 0, sizeof *u);
    u->area_id = opt_int(st, col);
    u->area_code = dup(st, col + 1, a);
    u->area_name = dup(st, col + 2, a);
    u->area_level = dup(st, col + 3, a);
    u->area_path = dup(st, col + 4, a);
    if (dept >= 0) {
        u->department_id = opt_int(st, dept);
        u->department_code = dup(st, dept + 1, a);
        u->department_name = dup(st, dept + 2, a);
    }
}

void cg__case_read(cg_stmt *st, cg_arena *a, struct cg_case *c)
{
    memset(c, 0, sizeof *c);
    c->id = cg_stmt_int(st, 0);
    c->version = cg_stmt_int(st, 1);
    c->type = dup(st, 2, a);
    c->state = dup(st, 3, a);
    c->source = dup(st, 4, a);
    c->category = dup(st, 5, a);
    c->category_zh = dup(st, 6, a);
    c->category_en = dup(st, 7, a);
    c->domain = dup(st, 8, a);
    c->size = dup(st, 9, a);
    read_unit(st, 10, -1, a, &c->area);
    read_unit(st, 15, 20, a, &c->holder);
    read_unit(st, 23, 28, a, &c->from);
    c->reporter_id = opt_int(st, 31);
    c->reporter = dup(st, 32, a);
    c->contact_name = dup(st, 33, a);
    c->contact_phone = dup(st, 34, a);
    c->title = dup(st, 35, a);
    c->description = dup(st, 36, a);
    c->address = dup(st, 37, a);
    c->has_location = !cg_stmt_isnull(st, 38) && !cg_stmt_isnull(st, 39);
    c->lat_e6 = opt_int(st, 38);
    c->lon_e6 = opt_int(st, 39);
    c->parties = dup(st, 40, a);
    c->mediator = dup(st, 41, a);
    c->outcome = dup(st, 42, a);
    c->agreement = dup(st, 43, a);
    c->person_name = dup(st, 44, a);
    c->person_id_number = dup(st, 45, a);
    c->person_phone = dup(st, 46, a);
    c->created_at = cg_stmt_int(st, 47);
    c->updated_at = cg_stmt_int(st, 48);
    c->accepted_at = opt_int(st, 49);
    c->done_at = opt_int(st, 50);
    c->closed_at = opt_int(st, 51);
    c->accept_due = opt_int(st, 52);
    c->finish_due = opt_int(st, 53);
    c->card = dup(st, 54, a);
    c->merged_into = opt_int(st, 55);
    c->reopen_days = (int)cg_stmt_int(st, 56);
}

int cg__case_load(cg_store *s, int64_t id, cg_arena *a, struct cg_case *c)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT " CG__CASE_COLUMNS CG__CASE_FROM " WHERE c.id = ?", "i", id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        cg__case_read(st, a, c);
    cg_stmt_reset(st);
    return rc;
}

/* ---- who sees and who may ---- */

int cg__case_is_department(const struct cg_actor *actor)
{
    return actor->department_id || (actor->role && !strcmp(actor->role->name, "department"));
}

int cg__case_visible(cg_store *s, const struct cg_actor *actor, const struct cg_case *c)
{
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return 0;
    int dept = cg__case_is_department(actor);
    if (!dept && cg_actor_in_scope(actor, c->area.area_path))
        return 1;
    /* Whoever filed a case may follow it (a department's user files it on
     * the county, which its department does not hold). */
    if (actor->username && c->reporter && !strcmp(actor->username, c->reporter))
        return 1;
    if ((dept && !actor->department_id) || (!dept && !actor->area_path))
        return 0;
    /* Units it was escalated, assigned or copied to. */
    cg_stmt *st = NULL;
    struct cg_scope sc = {actor->area_path, NULL};
    char to[512];
    snprintf(to, sizeof to, "%s~", actor->area_path ? actor->area_path : "");
    sc.to = to;
    int rc = dept ? cg_store_query(
                        s, &st, "SELECT 1 FROM case_units WHERE case_id = ? AND department_id = ?",
                        "ii", c->id, actor->department_id)
                  : cg_store_query(s, &st,
                                   "SELECT 1 FROM case_units WHERE case_id = ?"
                                   " AND department_id IS NULL AND " CG_SCOPE_SQL("area_path"),
                                   "iss", c->id, sc.from, sc.to);
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    cg_stmt_reset(st);
    return rc == 0 ? 1 : rc == CG_ENOTFOUND ? 0 : rc;
}

static int level_rank(const char *level)
{
    for (int i = 0; level && cg_area_levels[i]; i++)
        if (!strcmp(cg_area_levels[i], level))
            return i;
    return -1;
}

/* Whether the actor acts as the case's holder. */
static int is_holder(const struct cg_actor *actor, const struct cg_case *c)
{
    if (cg__case_is_department(actor))
        return actor->department_id && actor->department_id == c->holder.department_id;
    if (!c->holder.department_id && actor->area_id == c->holder.area_id)
        return 1;
    /* A dispatcher acts for the units below it (the centre for a grid, the
     * command line's operator for any). */
    return cg_actor_can(actor, CG_PERM_CASES_DISPATCH) &&
           cg_actor_in_scope(actor, c->holder.area_path);
}

static int who_ok(const struct cg_actor *actor, const struct cg_case *c, enum cg_case_who who)
{
    switch (who) {
    case CG_CASE_WHO_STAFF:
        return 1;
    case CG_CASE_WHO_HOLDER:
        return is_holder(actor, c);
    case CG_CASE_WHO_VERIFIER:
        return !cg__case_is_department(actor) && cg_actor_in_scope(actor, c->area.area_path);
    case CG_CASE_WHO_REPORTER:
        return actor->username && c->reporter && !strcmp(actor->username, c->reporter);
    }
    return 0;
}

static const char *const who_words[] = {"staff", "the holding unit", "a verifier in the area",
                                        "the reporter"};

int cg__case_may(const struct cg_actor *actor, const struct cg_case *c,
                 const struct cg_case_transition *t, int64_t now, struct cg_field_error *fe)
{
    int reopen_days = c->reopen_days;
    const char *action = cg__case_action_code(t->action);
    if (!cg_actor_can(actor, t->perm))
        return cg_field_fail(fe, CG_EFORBIDDEN, "", "your role may not %s cases", action);
    if (!who_ok(actor, c, t->who))
        return cg_field_fail(fe, CG_ECASE_HOLDER, "", "only %s may %s this case", who_words[t->who],
                             action);
    switch (t->action) {
    case CG_CASE_ACT_HANDLE_ON_SPOT:
        if (!c->size || strcmp(c->size, "small"))
            return cg_field_why(cg_field_fail(fe, CG_ECASE_RULE, "",
                                              "only small cases are handled on the spot; "
                                              "escalate or assign this one"),
                                fe, CG_R_BIG_CASE, c->category);
        break;
    case CG_CASE_ACT_ESCALATE:
        if (!c->holder.department_id && level_rank(c->holder.area_level) <= level_rank("county"))
            return cg_field_why(cg_field_fail(fe, CG_ECASE_RULE, "",
                                              "the case is held at the county (the centre) or "
                                              "above: there is no higher unit"),
                                fe, CG_R_NO_HIGHER_UNIT, c->holder.area_code);
        break;
    case CG_CASE_ACT_SEND_BACK:
        if (!c->from.area_id)
            return cg_field_why(
                cg_field_fail(fe, CG_ECASE_RULE, "",
                              "no unit sent this case here: nothing to send back to"),
                fe, CG_R_NO_SENDER, NULL);
        break;
    case CG_CASE_ACT_REOPEN:
        if (c->merged_into)
            return cg_field_why(cg_field_fail(fe, CG_ECASE_RULE, "",
                                              "a merged case is not reopened; follow case %lld",
                                              (long long)c->merged_into),
                                fe, CG_R_MERGED, NULL);
        if (now > c->closed_at + (int64_t)reopen_days * 86400)
            return cg_field_fail(fe, CG_ECASE_REOPEN, "",
                                 "the case may be reopened within %d days of closing", reopen_days);
        break;
    default:
        break;
    }
    return 0;
}

unsigned cg_case_actions_for(const struct cg_actor *actor, const struct cg_case *c, int64_t now)
{
    enum cg_case_state st;
    unsigned out = 0;
    if (!actor || !c || cg_case_state_parse(c->state, &st))
        return 0;
    for (const struct cg_case_transition *t = cg_case_transitions; t->perm; t++)
        if (t->action != CG_CASE_ACT_REPORT && t->state == st &&
            !cg__case_may(actor, c, t, now, NULL))
            out |= 1u << t->action;
    return out;
}

/* ---- the timeline ---- */

int cg__case_event_add(cg_store *s, const struct cg_actor *actor, int64_t case_id, int64_t at,
                       const char *action, const char *from, const char *to, const char *note,
                       int64_t unit_area, int64_t unit_department, int64_t into, int64_t *id)
{
    return cg_store_insert(
        s, id,
        "INSERT INTO case_events (case_id, at, actor_id, actor, actor_name,"
        " action, from_state, to_state, note, unit_area_id, unit_department_id,"
        " into_case_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "iizsssssszzz", case_id, at, actor->user_id, actor->username, actor->display_name, action,
        from, to, note, unit_area, unit_department, into);
}

int cg__case_unit_add(cg_store *s, int64_t case_id, int64_t area_id, const char *area_path,
                      int64_t department_id, const char *reason, int64_t now)
{
    return cg_store_run(s, NULL,
                        "INSERT INTO case_units (case_id, area_id, area_path, department_id,"
                        " reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "iiszsi", case_id, area_id, area_path, department_id, reason, now);
}

/* ---- filing ---- */

struct report {
    const struct cg_actor *actor;
    struct cg_case_input in; /* checked */
    struct cg_case_category cat;
    struct cg_area area, holder;
    int64_t now, id;
};

/* A field of the type's list; a description and the parties may run over lines. */
static int check_text(const char *value, unsigned bit, unsigned required, const char *what,
                      size_t max, cg_arena *a, const char **out, struct cg_field_error *fe)
{
    const char *field = cg_case_field_code(bit) ? cg_case_field_code(bit) : what;
    if (bit == CG_CASE_F_DESCRIPTION || bit == CG_CASE_F_PARTIES)
        return cg_text_check_lines(value, field, what, max, (required & bit) != 0, a, out, fe);
    return cg_text_check(value, field, what, max, (required & bit) != 0, a, out, fe);
}

/* The case's own fields by its type and the one text rule. */
static int check_fields(struct cg_case_input *in, unsigned req, cg_arena *a,
                        struct cg_field_error *fe)
{
    int rc = check_text(in->title, CG_CASE_F_TITLE, req, "title", 200, a, &in->title, fe);
    if (!rc)
        rc = check_text(in->description, CG_CASE_F_DESCRIPTION, req, "description", 4000, a,
                        &in->description, fe);
    if (!rc)
        rc = cg_text_check(in->address, "address", "an address", 400, 0, a, &in->address, fe);
    if (!rc)
        rc = check_text(in->parties, CG_CASE_F_PARTIES, req, "parties", 1000, a, &in->parties, fe);
    if (!rc)
        rc = cg_text_check(in->mediator, "mediator", "a mediator", 200, 0, a, &in->mediator, fe);
    if (!rc)
        rc = check_text(in->person_name, CG_CASE_F_PERSON_NAME, req, "person_name", 100, a,
                        &in->person_name, fe);
    if (!rc)
        rc = cg_text_check(in->person_id_number, "person_id_number", "an ID number", 32, 0, a,
                           &in->person_id_number, fe);
    if (!rc)
        rc = cg_text_check(in->person_phone, "person_phone", "a phone number", 32, 0, a,
                           &in->person_phone, fe);
    if (!rc)
        rc = cg_text_check(in->contact_name, "contact_name", "a name", 100, 0, a, &in->contact_name,
                           fe);
    if (!rc)
        rc = cg_text_check(in->contact_phone, "contact_phone", "a phone number", 32, 0, a,
                           &in->contact_phone, fe);
    if (rc)
        return rc;
    if (in->has_location && (in->lat_e6 < -90000000 || in->lat_e6 > 90000000))
        return cg_field_fail(fe, CG_EBADTYPE, "lat", "latitude is -90 to 90 degrees");
    if (in->has_location && (in->lon_e6 < -180000000 || in->lon_e6 > 180000000))
        return cg_field_fail(fe, CG_EBADTYPE, "lon", "longitude is -180 to 180 degrees");
    static const char *const sources[] = {"ui", "api", "cli", "open311", "demo", NULL};
    if (!in->source)
        in->source = "api";
    for (int i = 0;; i++) {
        if (!sources[i])
            return cg_field_fail(fe, CG_EBADTYPE, "source",
                                 "source is ui, api, cli, open311 or demo");
        if (!strcmp(sources[i], in->source))
            break;
    }
    return 0;
}

/* The unit that holds a new case: its area, or the grid above a building
 * or micro-grid (a grid is the smallest unit with staff who accept cases). */
static int first_holder(cg_store *s, const struct cg_area *area, cg_arena *a, struct cg_area *out)
{
    *out = *area;
    int rc = 0;
    for (int hops = 0;
         !rc && hops < 4 && out->parent_id && level_rank(out->level) > level_rank("grid"); hops++)
        rc = cg_area_get_by_id(s, out->parent_id, a, out);
    return rc;
}

static int check_report(cg_store *s, struct report *r, cg_arena *a, struct cg_field_error *fe)
{
    struct cg_case_input *in = &r->in;
    enum cg_case_type type;
    if (!cg_actor_can(r->actor, CG_PERM_CASES_WRITE))
        return CG_EFORBIDDEN;
    if (!in->type || !*in->type)
        return cg_field_fail(fe, CG_EMISSING, "type", "the case type is missing");
    if (cg_case_type_parse(in->type, &type))
        return cg_field_fail(fe, CG_EBADTYPE, "type",
                             "unknown case type (event, request, dispute, suggestion, finding,"
                             " assistance or positive_dispatch)");
    int rc = check_fields(in, cg_case_types[type].required, a, fe);
    if (rc)
        return rc;
    if (!in->category || !*in->category)
        return cg_field_fail(fe, CG_EMISSING, "category", "the category is missing");
    rc = cg_case_category_get(s, in->category, a, &r->cat);
    if (rc == CG_ENOTFOUND || (!rc && !r->cat.active))
        return cg_field_fail(fe, CG_EBADTYPE, "category", "no category '%s' in the catalogue",
                             cg_text_valid(in->category, strlen(in->category)) ? in->category
                                                                               : "?");
    if (rc)
        return rc;
    const char *code = in->area_code && *in->area_code ? in->area_code : r->actor->area_code;
    if (!code)
        return cg_field_fail(fe, CG_EMISSING, "area_code", "the area is missing");
    rc = cg_area_get_by_code(s, code, a, &r->area);
    if (rc == CG_ENOTFOUND || (!rc && !cg_actor_in_scope(r->actor, r->area.path)))
        return cg_field_fail(fe, CG_ENOTFOUND, "area_code", "no area '%s' in your scope",
                             cg_text_valid(code, strlen(code)) ? code : "?");
    if (!rc)
        rc = first_holder(s, &r->area, a, &r->holder);
    return rc;
}

static int write_report(cg_store *s, void *ctx)
{
    struct report *r = ctx;
    const struct cg_case_input *in = &r->in;
    /* Deadlines count working days (the calendar skips holidays and counts
     * make-up working days), from the filing. */
    int64_t accept_due = 0, finish_due = 0;
    int rc = cg_workdays_add(s, r->now, r->cat.accept_days, &accept_due);
    if (!rc)
        rc = cg_workdays_add(s, r->now, r->cat.finish_days, &finish_due);
    if (!rc)
        rc = cg_store_insert(
            s, &r->id,
            "INSERT INTO cases (type, category_id, domain, state, version, source, area_id, "
            "area_path,"
            " holder_area_id, reporter_id, reporter, contact_name, contact_phone, title,"
            " description, address, parties, mediator, person_name, person_id_number, person_phone,"
            " created_at, updated_at, accept_due, finish_due) VALUES (?, ?, ?, 'reported', 1, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            "sissisizsssssssssssiiii", in->type, r->cat.id, r->cat.domain, in->source, r->area.id,
            r->area.path, r->holder.id, r->actor->user_id, r->actor->username, in->contact_name,
            in->contact_phone, in->title, in->description, in->address, in->parties, in->mediator,
            in->person_name, in->person_id_number, in->person_phone, r->now, r->now, accept_due,
            finish_due);
    if (!rc && in->has_location)
        rc = cg_store_run(s, NULL, "UPDATE cases SET lat_e6 = ?, lon_e6 = ? WHERE id = ?", "iii",
                          in->lat_e6, in->lon_e6, r->id);
    if (!rc)
        rc = cg__case_event_add(s, r->actor, r->id, r->now, "report", NULL, "reported", NULL,
                                r->holder.id, 0, 0, NULL);
    /* A department's user sees what it filed. */
    if (!rc && r->actor->department_id)
        rc = cg__case_unit_add(s, r->id, r->holder.id, r->holder.path, r->actor->department_id,
                               "report", r->now);
    return rc;
}

int cg_case_report_write(cg_store *s, const struct cg_actor *actor, const struct cg_case_input *in,
                         cg_arena *a, int64_t *id, struct cg_field_error *fe)
{
    struct report r = {.actor = actor, .in = *in};
    r.now = in->reported_at ? in->reported_at : cg_now();
    int rc = check_report(s, &r, a, fe);
    if (!rc)
        rc = write_report(s, &r);
    if (!rc && id)
        *id = r.id;
    return rc;
}

int cg_case_report(cg_store *s, const struct cg_actor *actor, const struct cg_case_input *in,
                   cg_arena *a, struct cg_case *out, struct cg_field_error *fe)
{
    struct report r = {.actor = actor, .in = *in};
    r.now = in->reported_at ? in->reported_at : cg_now();
    struct cg_audit_record rec = {"case.report", "case", NULL, actor ? actor->area_path : NULL, 0,
                                  NULL};
    int rc = check_report(s, &r, a, fe);
    if (!rc) {
        rec.area_path = r.area.path;
        rec.detail = cg_arena_printf(a, "%s %s", r.in.type, r.cat.code);
    }
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_report, &r)))
        return rc;
    return cg__case_load(s, r.id, a, out);
}

/* ---- one case with its timeline ---- */

static int read_attachments(cg_store *s, struct cg_case *c, cg_arena *a)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT COUNT(*) FROM case_attachments WHERE case_id = ?", "i",
                            c->id);
    if (rc)
        return rc;
    size_t cap = 0;
    if (!(rc = cg_stmt_one(st)))
        cap = (size_t)cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    if (rc || !cap)
        return rc;
    if (!(c->attachments = cg_arena_calloc(a, cap * sizeof *c->attachments)))
        return CG_ENOMEM;
    rc = cg_store_query(s, &st,
                        "SELECT id, case_id, event_id, name, content_type, size, uploader,"
                        " created_at FROM case_attachments WHERE case_id = ? ORDER BY id",
                        "i", c->id);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW && c->n_attachments < cap) {
        struct cg_case_attachment *x = &c->attachments[c->n_attachments++];
        x->id = cg_stmt_int(st, 0);
        x->case_id = cg_stmt_int(st, 1);
        x->event_id = opt_int(st, 2);
        x->name = dup(st, 3, a);
        x->content_type = dup(st, 4, a);
        x->size = cg_stmt_int(st, 5);
        x->uploader = dup(st, 6, a);
        x->created_at = cg_stmt_int(st, 7);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE || rc == CG_ROW ? 0 : rc;
}

/* A case has tens of events; a thousand is far past any real one. */
#define EVENTS_MAX 1000

static int read_events(cg_store *s, struct cg_case *c, cg_arena *a)
{
    cg_stmt *st = NULL;
    int64_t cap = 0;
    int rc =
        cg_store_query(s, &st, "SELECT COUNT(*) FROM case_events WHERE case_id = ?", "i", c->id);
    if (!rc && !(rc = cg_stmt_one(st)))
        cap = cg_stmt_int(st, 0) < EVENTS_MAX ? cg_stmt_int(st, 0) : EVENTS_MAX;
    if (st)
        cg_stmt_reset(st);
    if (rc || !cap)
        return rc;
    if (!(c->events = cg_arena_calloc(a, (size_t)cap * sizeof *c->events)))
        return CG_ENOMEM;
    rc = cg_store_query(
        s, &st,
        "SELECT e.id, e.at, e.actor_id, e.actor, e.actor_name, e.action, e.from_state, e.to_state,"
        " e.note, ua.id, ua.code, ua.name, ua.level, ua.path, ud.id, ud.code, ud.name,"
        " e.into_case_id FROM case_events e LEFT JOIN areas ua ON ua.id = e.unit_area_id"
        " LEFT JOIN departments ud ON ud.id = e.unit_department_id WHERE e.case_id = ?"
        " ORDER BY e.id LIMIT ?",
        "ii", c->id, cap);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_case_event *e = &c->events[c->n_events++];
        e->id = cg_stmt_int(st, 0);
        e->at = cg_stmt_int(st, 1);
        e->actor_id = opt_int(st, 2);
        e->actor = dup(st, 3, a);
        e->actor_name = dup(st, 4, a);
        e->action = dup(st, 5, a);
        e->from_state = dup(st, 6, a);
        e->to_state = dup(st, 7, a);
        e->note = dup(st, 8, a);
        read_unit(st, 9, 14, a, &e->unit);
        e->into = opt_int(st, 17);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

/* Hands each event the attachments that belong to it (both lists are in
 * id order, and an event's attachments are a run of the case's list). */
static void attach_to_events(struct cg_case *c)
{
    for (size_t i = 0; i < c->n_events; i++) {
        struct cg_case_event *e = &c->events[i];
        for (size_t j = 0; j < c->n_attachments; j++)
            if (c->attachments[j].event_id == e->id) {
                if (!e->attachments)
                    e->attachments = &c->attachments[j];
                e->n_attachments++;
            }
    }
}

static int read_copies(cg_store *s, struct cg_case *c, cg_arena *a)
{
    cg_stmt *st = NULL;
    size_t cap = 64;
    if (!(c->copies = cg_arena_calloc(a, cap * sizeof *c->copies)))
        return CG_ENOMEM;
    int rc = cg_store_query(s, &st,
                            "SELECT a.id, a.code, a.name, a.level, a.path, d.id, d.code, d.name"
                            " FROM case_units u JOIN areas a ON a.id = u.area_id"
                            " LEFT JOIN departments d ON d.id = u.department_id"
                            " WHERE u.case_id = ? AND u.reason = 'copy' ORDER BY u.id LIMIT ?",
                            "ii", c->id, (int64_t)cap);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        read_unit(st, 0, 5, a, &c->copies[c->n_copies++]);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

int cg__case_get_visible(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                         struct cg_case *out)
{
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    int rc = cg__case_load(s, id, a, out);
    if (!rc) {
        int v = cg__case_visible(s, actor, out);
        rc = v == 1 ? 0 : v == 0 ? CG_ENOTFOUND : v;
    }
    return rc;
}

int cg_case_get(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                struct cg_case *out)
{
    int rc = cg__case_get_visible(s, actor, id, a, out);
    if (!rc)
        rc = read_events(s, out, a);
    if (!rc)
        rc = read_attachments(s, out, a);
    if (!rc)
        rc = read_copies(s, out, a);
    if (rc)
        return rc;
    attach_to_events(out);
    out->actions = cg_case_actions_for(actor, out, cg_now());
    /* The person to locate and the contact are personal data: shown as the
     * registry shows them, masked unless the role may see them whole. */
    if (!cg_actor_can(actor, CG_PERM_UNMASK_ID))
        out->person_id_number = cg_mask_id(a, out->person_id_number);
    if (!cg_actor_can(actor, CG_PERM_UNMASK_PHONE)) {
        out->person_phone = cg_mask_phone(a, out->person_phone);
        out->contact_phone = cg_mask_phone(a, out->contact_phone);
    }
    struct cg_audit_record rec = {
        "case.read",         "case", cg_arena_printf(a, "%lld", (long long)id),
        out->area.area_path, 0,      NULL};
    return cg_audit_read(s, actor, &rec);
}
