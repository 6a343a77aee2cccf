/* cg_case_act: one call runs any action of the state table (case.c), in one
 * transaction with its timeline entry and its audit record. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_int.h"
#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/outbox.h"
#include "civgrid/scope.h"
#include "civgrid/text.h"

struct act {
    const struct cg_actor *actor;
    int64_t id;
    struct cg_case_action_input in; /* note, agreement and mediator checked */
    enum cg_case_action action;
    cg_arena *a;
    struct cg_field_error *fe;
    struct cg_audit_record *rec;
    int64_t now;
    int history; /* a loader writing the past: no notifications */
    /* what the action changes, worked out before the UPDATE */
    struct cg_case c;
    const struct cg_case_transition *t;
    struct cg_case_unit to;   /* the unit the case goes to or is copied to */
    struct cg_case_unit from; /* the holder's sender after the action */
    int moves;                /* the holder changes to `to` */
    int64_t event_id;
};

/* ---- units named by a door ---- */

/* Resolves `to`: an area code in the actor's scope, or a department code
 * whose area is in the actor's scope or above it (the county's departments
 * for a town). */
static int resolve_unit(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                        struct cg_case_unit *out, struct cg_field_error *fe)
{
    struct cg_area area;
    memset(out, 0, sizeof *out);
    int rc = cg_area_get_by_code(s, code, a, &area);
    if (!rc && cg_actor_in_scope(actor, area.path)) {
        out->area_id = area.id;
        out->area_code = area.code;
        out->area_name = area.name;
        out->area_level = area.level;
        out->area_path = area.path;
        return 0;
    }
    if (rc && rc != CG_ENOTFOUND)
        return rc;
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st,
                        "SELECT d.id, d.code, d.name, a.id, a.code, a.name, a.level, a.path"
                        " FROM departments d JOIN areas a ON a.id = d.area_id WHERE d.code = ?",
                        "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        out->department_id = cg_stmt_int(st, 0);
        out->department_code = cg_arena_strdup(a, cg_stmt_text(st, 1));
        out->department_name = cg_arena_strdup(a, cg_stmt_text(st, 2));
        out->area_id = cg_stmt_int(st, 3);
        out->area_code = cg_arena_strdup(a, cg_stmt_text(st, 4));
        out->area_name = cg_arena_strdup(a, cg_stmt_text(st, 5));
        out->area_level = cg_arena_strdup(a, cg_stmt_text(st, 6));
        out->area_path = cg_arena_strdup(a, cg_stmt_text(st, 7));
    }
    cg_stmt_reset(st);
    if (!rc && !cg_actor_in_scope(actor, out->area_path) &&
        !cg_scope_holds(out->area_path, actor->area_path))
        rc = CG_ENOTFOUND;
    if (rc == CG_ENOTFOUND)
        return cg_field_fail(fe, CG_EBADTYPE, "to", "no area or department '%s' you may send to",
                             cg_text_valid(code, strlen(code)) ? code : "?");
    return rc;
}

static void unit_of_area(const struct cg_area *area, struct cg_case_unit *u)
{
    memset(u, 0, sizeof *u);
    u->area_id = area->id;
    u->area_code = area->code;
    u->area_name = area->name;
    u->area_level = area->level;
    u->area_path = area->path;
}

/* ---- the actions' own rules ---- */

static int rule(struct act *x, enum cg_reason reason, const char *fmt, const char *arg)
{
    cg_field_fail(x->fe, CG_ECASE_RULE, "", fmt, arg);
    return cg_field_why(CG_ECASE_RULE, x->fe, reason, arg);
}

static int plan_escalate(cg_store *s, struct act *x)
{
    struct cg_area area;
    /* A department escalates to its own area's centre. */
    int rc = cg_area_get_by_id(s, x->c.holder.area_id, x->a, &area);
    if (!rc && !x->c.holder.department_id)
        rc = area.parent_id ? cg_area_get_by_id(s, area.parent_id, x->a, &area) : CG_ENOTFOUND;
    if (rc == CG_ENOTFOUND)
        return rule(x, CG_R_NO_HIGHER_UNIT, "there is no unit above %s", x->c.holder.area_code);
    if (rc)
        return rc;
    unit_of_area(&area, &x->to);
    x->from = x->c.holder;
    x->moves = 1;
    return 0;
}

static int plan_assign(cg_store *s, struct act *x)
{
    int rc = resolve_unit(s, x->actor, x->in.to, x->a, &x->to, x->fe);
    if (rc)
        return rc;
    /* Down the tree: an area strictly below the holder's. */
    if (!x->to.department_id && (!cg_scope_holds(x->c.holder.area_path, x->to.area_path) ||
                                 x->to.area_id == x->c.holder.area_id))
        return rule(x, CG_R_NOT_BELOW_HOLDER, "%s is not below the unit that holds the case",
                    x->to.area_code);
    if (x->to.department_id && x->to.department_id == x->c.holder.department_id)
        return rule(x, CG_R_NOT_BELOW_HOLDER, "the case is already held by %s",
                    x->to.department_code);
    x->from = x->c.holder;
    x->moves = 1;
    return 0;
}

static int plan_merge(cg_store *s, struct act *x)
{
    struct cg_case target;
    if (x->in.into == x->id)
        return rule(x, CG_R_MERGE_SELF, "a case is not merged into itself%s", "");
    int rc = cg__case_get_visible(s, x->actor, x->in.into, x->a, &target);
    if (rc == CG_ENOTFOUND || rc == CG_EFORBIDDEN)
        return cg_field_fail(x->fe, CG_EBADTYPE, "into", "no case %lld that you can see",
                             (long long)x->in.into);
    if (rc)
        return rc;
    if (!strcmp(target.state, "closed"))
        return rule(x, CG_R_MERGE_CLOSED, "case %s is closed: merge into an open case",
                    cg_arena_printf(x->a, "%lld", (long long)x->in.into));
    return 0;
}

static int plan_report_done(struct act *x)
{
    if (strcmp(x->c.type, "dispute"))
        return 0;
    const char *o = x->in.outcome;
    if (!o || !*o)
        return cg_field_fail(x->fe, CG_EMISSING, "outcome",
                             "a dispute's outcome is needed: agreed, court or failed");
    if (strcmp(o, "agreed") && strcmp(o, "court") && strcmp(o, "failed"))
        return cg_field_fail(x->fe, CG_EBADTYPE, "outcome", "outcome is agreed, court or failed");
    if (!strcmp(o, "agreed") && !x->in.agreement)
        return cg_field_fail(x->fe, CG_EMISSING, "agreement",
                             "an agreed dispute needs the agreement's text");
    return 0;
}

/* The fields the table row needs. */
static int required(struct act *x)
{
    unsigned need = x->t->required;
    if ((need & CG_CASE_F_NOTE) && !x->in.note)
        return cg_field_fail(x->fe, CG_EMISSING, "note",
                             "%s needs a note (the reason or the evidence)",
                             cg__case_action_code(x->action));
    if ((need & CG_CASE_F_TO) && (!x->in.to || !*x->in.to))
        return cg_field_fail(x->fe, CG_EMISSING, "to", "%s needs the unit to send to",
                             cg__case_action_code(x->action));
    if ((need & CG_CASE_F_INTO) && x->in.into <= 0)
        return cg_field_fail(x->fe, CG_EMISSING, "into", "merge needs the case it duplicates");
    if ((need & CG_CASE_F_ATTACHMENTS) && !x->in.n_attachments)
        return cg_field_fail(x->fe, CG_EMISSING, "attachments", "%s needs a photo",
                             cg__case_action_code(x->action));
    return 0;
}

/* Checks the action against the table and the case, and works out what it
 * changes. */
static int plan(cg_store *s, struct act *x)
{
    enum cg_case_state st;
    if (cg_case_state_parse(x->c.state, &st))
        return CG_EINTERNAL;
    /* A user who acted on a view of the case that is no longer current
     * reloads it first, whatever the action. */
    if (x->in.version && x->in.version != x->c.version)
        return cg_field_fail(x->fe, CG_ECASE_VERSION, "version",
                             "the case is at version %lld, not %lld: someone acted on it meanwhile",
                             (long long)x->c.version, (long long)x->in.version);
    if (!(x->t = cg_case_transition_find(st, x->action)))
        return cg_field_fail(x->fe, CG_ECASE_STATE, "", "%s is not allowed on a case in state %s",
                             cg__case_action_code(x->action), x->c.state);
    int rc = cg__case_may(x->actor, &x->c, x->t, x->now, x->fe);
    if (!rc)
        rc = required(x);
    if (rc)
        return rc;
    x->from = x->c.from;
    switch (x->action) {
    case CG_CASE_ACT_ESCALATE:
        return plan_escalate(s, x);
    case CG_CASE_ACT_ASSIGN:
        return plan_assign(s, x);
    case CG_CASE_ACT_COPY:
        return resolve_unit(s, x->actor, x->in.to, x->a, &x->to, x->fe);
    case CG_CASE_ACT_SEND_BACK:
        x->to = x->c.from;
        memset(&x->from, 0, sizeof x->from);
        x->moves = 1;
        return 0;
    case CG_CASE_ACT_MERGE:
        return plan_merge(s, x);
    case CG_CASE_ACT_REPORT_DONE:
        return plan_report_done(x);
    default:
        return 0;
    }
}

/* ---- the change ---- */

static int update_case(cg_store *s, struct act *x)
{
    const struct cg_case *c = &x->c;
    const char *next = cg__case_state_code(x->t->next);
    const struct cg_case_unit *holder = x->moves ? &x->to : &c->holder;
    int64_t now = x->now, changes = 0;
    int64_t accepted = x->action == CG_CASE_ACT_ACCEPT ? now : c->accepted_at;
    int64_t done = x->action == CG_CASE_ACT_REPORT_DONE                         ? now
                   : x->t->next == CG_CASE_DONE || x->t->next == CG_CASE_CLOSED ? c->done_at
                                                                                : 0;
    int64_t closed = x->t->next == CG_CASE_CLOSED ? now : 0;
    int64_t merged = x->action == CG_CASE_ACT_MERGE ? x->in.into : 0;
    int dispute = !strcmp(c->type, "dispute");
    int rc = cg_store_run(
        s, &changes,
        "UPDATE cases SET state = ?, version = version + 1, updated_at = ?, holder_area_id = ?,"
        " holder_department_id = ?, from_area_id = ?, from_department_id = ?, accepted_at = ?,"
        " done_at = ?, closed_at = ?, merged_into = ?, mediator = ?, outcome = ?, agreement = ?"
        " WHERE id = ? AND version = ?",
        "siizzzzzzzsssii", next, now, holder->area_id, holder->department_id, x->from.area_id,
        x->from.department_id, accepted, done, closed, merged,
        dispute && x->in.mediator ? x->in.mediator : c->mediator,
        dispute && x->action == CG_CASE_ACT_REPORT_DONE ? x->in.outcome : c->outcome,
        dispute && x->action == CG_CASE_ACT_REPORT_DONE ? x->in.agreement : c->agreement, x->id,
        c->version);
    if (!rc && changes != 1)
        rc = cg_field_fail(x->fe, CG_ECASE_VERSION, "version",
                           "someone acted on the case meanwhile; reload it");
    return rc;
}

/* Puts the uploaded photos named by the action on its timeline entry. */
static int link_attachments(cg_store *s, struct act *x)
{
    for (size_t i = 0; i < x->in.n_attachments; i++) {
        int64_t changes = 0;
        int rc =
            cg_store_run(s, &changes,
                         "UPDATE case_attachments SET event_id = ? WHERE id = ? AND case_id = ?"
                         " AND event_id IS NULL",
                         "iii", x->event_id, x->in.attachments[i], x->id);
        if (rc)
            return rc;
        if (changes != 1)
            return cg_field_fail(x->fe, CG_EBADTYPE, "attachments",
                                 "attachment %lld is not a free photo of this case",
                                 (long long)x->in.attachments[i]);
    }
    return 0;
}

/* The notification an action sends, if any: in this transaction, so that
 * it exists exactly when the change does (outbox.h). */
static int notify(cg_store *s, struct act *x)
{
    const char *kind = NULL;
    if (x->action == CG_CASE_ACT_ASSIGN)
        kind = CG_OUTBOX_ASSIGNED;
    else if (x->action == CG_CASE_ACT_SEND_BACK || x->action == CG_CASE_ACT_VERIFY_FAIL)
        kind = CG_OUTBOX_RETURNED;
    else if (x->t->next == CG_CASE_CLOSED)
        kind = CG_OUTBOX_CLOSED;
    if (!kind)
        return 0;
    const struct cg_case_unit *holder = x->moves ? &x->to : &x->c.holder;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "case_id",
                          (json_int_t)x->id, "action", cg__case_action_code(x->action), "state",
                          cg__case_state_code(x->t->next), "type", x->c.type, "category",
                          x->c.category, "title", x->c.title, "holder_area", holder->area_code,
                          "holder_department", holder->department_code, "note", x->in.note);
    char *payload = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!payload)
        return CG_ENOMEM;
    int rc = cg_outbox_add(s, kind, payload, NULL, x->now, NULL);
    free(payload);
    return rc;
}

static int write_act(cg_store *s, void *ctx)
{
    struct act *x = ctx;
    cg_stmt *st = NULL;
    /* Lock the row first (PostgreSQL), so that two actions take turns and
     * the second reads what the first wrote. */
    int rc =
        cg_store_query(s, &st, "SELECT version FROM cases WHERE id = ?" CG_FOR_UPDATE, "i", x->id);
    if (!rc) {
        rc = cg_stmt_one(st);
        cg_stmt_reset(st);
    }
    if (!rc)
        rc = cg__case_get_visible(s, x->actor, x->id, x->a, &x->c);
    if (rc)
        return rc;
    x->rec->area_path = x->c.area.area_path;
    if ((rc = plan(s, x)))
        return rc;
    if ((rc = update_case(s, x)))
        return rc;
    const struct cg_case_unit *u = x->moves || x->action == CG_CASE_ACT_COPY ? &x->to : NULL;
    rc = cg__case_event_add(s, x->actor, x->id, x->now, cg__case_action_code(x->action), x->c.state,
                            cg__case_state_code(x->t->next), x->in.note, u ? u->area_id : 0,
                            u ? u->department_id : 0,
                            x->action == CG_CASE_ACT_MERGE ? x->in.into : 0, &x->event_id);
    if (!rc)
        rc = link_attachments(s, x);
    /* The units it goes to see it from now on. */
    if (!rc && (x->action == CG_CASE_ACT_ASSIGN || x->action == CG_CASE_ACT_ESCALATE ||
                x->action == CG_CASE_ACT_COPY))
        rc = cg__case_unit_add(s, x->id, x->to.area_id, x->to.area_path, x->to.department_id,
                               cg__case_action_code(x->action), x->now);
    if (!rc && !x->history)
        rc = notify(s, x);
    if (!rc)
        x->rec->detail = cg_arena_printf(
            x->a, "%s -> %s%s%s", x->c.state, cg__case_state_code(x->t->next), u ? " to " : "",
            u ? (u->department_code ? u->department_code : u->area_code) : "");
    return rc;
}

static int check_input(struct act *x)
{
    if (!x->in.action || !*x->in.action)
        return cg_field_fail(x->fe, CG_EMISSING, "action", "the action is missing");
    if (cg_case_action_parse(x->in.action, &x->action))
        return cg_field_fail(x->fe, CG_EBADTYPE, "action", "unknown action '%s'",
                             cg_text_valid(x->in.action, strlen(x->in.action)) ? x->in.action
                                                                               : "?");
    if (x->action == CG_CASE_ACT_REPORT)
        return cg_field_fail(x->fe, CG_ECASE_STATE, "action",
                             "report files a new case (POST /api/v1/cases); it is no move of one");
    int rc = cg_text_check_lines(x->in.note, "note", "a note", 2000, 0, x->a, &x->in.note, x->fe);
    if (!rc)
        rc = cg_text_check_lines(x->in.agreement, "agreement", "an agreement", 4000, 0, x->a,
                                 &x->in.agreement, x->fe);
    if (!rc)
        rc = cg_text_check(x->in.mediator, "mediator", "a mediator", 200, 0, x->a, &x->in.mediator,
                           x->fe);
    if (!rc && x->in.n_attachments > 32)
        rc = cg_field_fail(x->fe, CG_EBADTYPE, "attachments", "at most 32 photos per action");
    return rc;
}

int cg_case_act(cg_store *s, const struct cg_actor *actor, int64_t id,
                const struct cg_case_action_input *in, cg_arena *a, struct cg_case *out,
                struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"case.act",
                                  "case",
                                  cg_arena_printf(a, "%lld", (long long)id),
                                  actor ? actor->area_path : NULL,
                                  0,
                                  NULL};
    struct act x = {.actor = actor, .id = id, .in = *in, .a = a, .fe = fe, .rec = &rec};
    x.now = cg_now();
    int rc = cg_actor_can(actor, CG_PERM_CASES_READ) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = check_input(&x);
    if (!rc)
        rec.action = cg_arena_printf(a, "case.%s", cg__case_action_code(x.action));
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_act, &x)))
        return rc;
    return cg_case_get(s, actor, id, a, out);
}

int cg_case_act_write(cg_store *s, const struct cg_actor *actor, int64_t id,
                      const struct cg_case_action_input *in, int64_t at, cg_arena *a,
                      struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"case.act", "case", NULL, NULL, 0, NULL};
    struct act x = {.actor = actor, .id = id, .in = *in, .a = a, .fe = fe, .rec = &rec};
    x.now = at ? at : cg_now();
    x.history = at != 0;
    int rc = cg_actor_can(actor, CG_PERM_CASES_READ) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = check_input(&x);
    return rc ? rc : write_act(s, &x);
}
