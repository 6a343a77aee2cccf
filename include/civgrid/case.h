/* Cases: one closed loop (上报 → 受理 → 分派 → 处置 → 反馈 → 核查 → 结案) for every
 * "thing that must be closed": events found on patrol, residents' requests,
 * disputes, suggestions, inspection findings, assistance (协查) and positive
 * dispatch. docs/cases.md has the state table, the routes and the CLI.
 *
 * The workflow is data: cg_case_transitions[] lists every (state, action) →
 * next state with the permission, the relation of the actor to the case and
 * the fields the action needs; cg_case_act runs any action by that table, in
 * one transaction, with its timeline entry and its audit record.
 *
 * Who holds a case: a unit, which is an area of the jurisdiction tree (a
 * grid, community, town, the county centre) or a department (then the area
 * is the department's own, the county). Where a case is: its area (the grid
 * or building it happened on), which decides who sees it by scope. A
 * department's users see only the cases assigned or copied to their
 * department (table case_units), whatever their area.
 *
 * Every call takes the actor; a case the actor may not see reads as absent
 * (CG_ENOTFOUND). Strings in results are arena memory. */
#ifndef CIVGRID_CASE_H
#define CIVGRID_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* ---- enumerations: X(NAME, "code", "zh", "en") ---- */

/* The kinds of case. Each declares its required fields (cg_case_types[]). */
#define CG_CASE_TYPES(X)                                                                           \
    X(EVENT, "event", "事件", "Event")           /* found on patrol */                             \
    X(REQUEST, "request", "诉求", "Request")     /* a resident's errand, buy-for-me ... */         \
    X(DISPUTE, "dispute", "矛盾纠纷", "Dispute") /* for mediation */                               \
    X(SUGGESTION, "suggestion", "意见建议", "Suggestion")                                          \
    X(FINDING, "finding", "督查问题", "Finding")      /* inspection, needs rectification */        \
    X(ASSISTANCE, "assistance", "协查", "Assistance") /* locate and check a named person */        \
    X(POSITIVE_DISPATCH, "positive_dispatch", "阳性派单", "Positive dispatch") /* one team each */

enum cg_case_type {
#define CG__CASE_TYPE_ENUM(name, code, zh, en) CG_CASE_TYPE_##name,
    CG_CASE_TYPES(CG__CASE_TYPE_ENUM)
#undef CG__CASE_TYPE_ENUM
        CG_CASE_NTYPES
};

/* States. A unit holds the case in every state but closed. */
#define CG_CASE_STATES(X)                                                                          \
    X(REPORTED, "reported", "待受理", "Awaiting acceptance") /* filed or sent on, not accepted */  \
    X(HANDLING, "handling", "处置中", "In progress")         /* accepted by its holder */          \
    X(DONE, "done", "待核查", "Awaiting verification")       /* reported done, to be checked */    \
    X(CLOSED, "closed", "已结案", "Closed")                  /* final; reopen is the way back */

enum cg_case_state {
#define CG__CASE_STATE_ENUM(name, code, zh, en) CG_CASE_##name,
    CG_CASE_STATES(CG__CASE_STATE_ENUM)
#undef CG__CASE_STATE_ENUM
        CG_CASE_NSTATES
};

/* Actions, with the names scripts rely on. */
#define CG_CASE_ACTIONS(X)                                                                         \
    X(REPORT, "report", "上报", "Report")                                                          \
    X(ACCEPT, "accept", "受理", "Accept")                                                          \
    X(HANDLE_ON_SPOT, "handle_on_spot", "就地处置", "Handle on the spot")                          \
    X(ESCALATE, "escalate", "上报上级", "Escalate")                                                \
    X(ASSIGN, "assign", "分派", "Assign")                                                          \
    X(SEND_BACK, "send_back", "退回", "Send back")                                                 \
    X(REPORT_DONE, "report_done", "办结反馈", "Report done")                                       \
    X(VERIFY_PASS, "verify_pass", "核查通过", "Verify: pass")                                      \
    X(VERIFY_FAIL, "verify_fail", "核查不通过", "Verify: fail")                                    \
    X(COPY, "copy", "抄送", "Copy to")                                                             \
    X(MERGE, "merge", "合并", "Merge")                                                             \
    X(REOPEN, "reopen", "重新打开", "Reopen")

enum cg_case_action {
#define CG__CASE_ACTION_ENUM(name, code, zh, en) CG_CASE_ACT_##name,
    CG_CASE_ACTIONS(CG__CASE_ACTION_ENUM)
#undef CG__CASE_ACTION_ENUM
        CG_CASE_NACTIONS
};

/* Fields a type needs at filing or an action needs, as bits: the same
 * names as the JSON fields and the CLI options (--note, --to, ...). */
#define CG_CASE_FIELDS(X)                                                                          \
    X(CATEGORY, 0, "category")                                                                     \
    X(AREA, 1, "area_code")                                                                        \
    X(TITLE, 2, "title")                                                                           \
    X(DESCRIPTION, 3, "description")                                                               \
    X(PARTIES, 4, "parties")          /* dispute: the parties, in one text */                      \
    X(PERSON_NAME, 5, "person_name")  /* assistance, positive dispatch */                          \
    X(NOTE, 6, "note")                /* an action's note: the reason, the evidence */             \
    X(TO, 7, "to")                    /* assign, copy: an area code or a department code */        \
    X(INTO, 8, "into")                /* merge: the id of the case it duplicates */                \
    X(OUTCOME, 9, "outcome")          /* dispute's report_done: agreed | court | failed */         \
    X(AGREEMENT, 10, "agreement")     /* dispute's report_done with outcome agreed */              \
    X(ATTACHMENTS, 11, "attachments") /* at least one photo (evidence) */

enum cg_case_field {
#define CG__CASE_FIELD_ENUM(name, bit, code) CG_CASE_F_##name = 1u << (bit),
    CG_CASE_FIELDS(CG__CASE_FIELD_ENUM)
#undef CG__CASE_FIELD_ENUM
};

/* One entry of an enumeration: code and its labels. */
struct cg_case_label {
    const char *code, *zh, *en;
};
extern const struct cg_case_label cg_case_state_labels[CG_CASE_NSTATES];
extern const struct cg_case_label cg_case_action_labels[CG_CASE_NACTIONS];

struct cg_case_type_info {
    const char *code, *zh, *en;
    unsigned required; /* CG_CASE_F_* to file a case of this type */
};
extern const struct cg_case_type_info cg_case_types[CG_CASE_NTYPES];

/* The code of a field bit ("note"), or NULL. */
const char *cg_case_field_code(unsigned field_bit);

/* Parse a code into its enum value: 0 and *out, or CG_EBADTYPE. */
int cg_case_type_parse(const char *code, enum cg_case_type *out);
int cg_case_state_parse(const char *code, enum cg_case_state *out);
int cg_case_action_parse(const char *code, enum cg_case_action *out);

/* ---- the state machine as data ---- */

/* Who, besides holding perm, may run a transition. */
enum cg_case_who {
    CG_CASE_WHO_STAFF,    /* any actor with perm (report: the case is filed in its scope) */
    CG_CASE_WHO_HOLDER,   /* the holding unit: a user of that area or department, or a
                           * dispatcher (CG_PERM_CASES_DISPATCH) whose scope holds the
                           * holder's area and who is not a department user */
    CG_CASE_WHO_VERIFIER, /* a user who sees the case by area scope (not a department
                           * user), with perm: the grid checks the work on the ground */
    CG_CASE_WHO_REPORTER, /* the account that filed the case (reopen), within the
                           * category's reopen_days after closing */
};

struct cg_case_transition {
    enum cg_case_state state; /* from; for report, the state is ignored (no case yet) */
    enum cg_case_action action;
    enum cg_case_state next;
    unsigned perm;        /* CG_PERM_* the actor's role must grant */
    enum cg_case_who who; /* the actor's relation to the case */
    unsigned required;    /* CG_CASE_F_* the action needs */
};

/* Every legal transition; ended by an entry with perm 0. A (state, action)
 * pair absent from it is refused with CG_ECASE_STATE and changes nothing.
 * Type-specific needs (a dispute's outcome at report_done, a small category
 * for handle_on_spot) are rules of cg_case_act on top of the table. */
extern const struct cg_case_transition cg_case_transitions[];

/* The transition for (state, action), or NULL. */
const struct cg_case_transition *cg_case_transition_find(enum cg_case_state state,
                                                         enum cg_case_action action);

/* ---- the case ---- */

/* A unit: an area, and a department when a department holds it. */
struct cg_case_unit {
    int64_t area_id;       /* 0 when none (the sender of a case never passed on) */
    const char *area_code; /* "140221" */
    const char *area_name, *area_level, *area_path;
    int64_t department_id;                         /* 0 for an area unit */
    const char *department_code, *department_name; /* NULL for an area unit */
};

struct cg_case_attachment {
    int64_t id, case_id, event_id; /* event_id 0: a photo of the case itself */
    const char *name;              /* the name the uploader gave, or NULL */
    const char *content_type;      /* image/jpeg | image/png | image/webp */
    int64_t size, created_at;
    const char *uploader; /* username */
};

/* One entry of the timeline, oldest first. */
struct cg_case_event {
    int64_t id, at, actor_id; /* actor_id 0 for the command line and Open311 */
    const char *actor;        /* username, "cli:root", "apikey:NAME" */
    const char *actor_name;   /* display name */
    const char *action;       /* an action code */
    const char *from_state;   /* NULL for report */
    const char *to_state;
    const char *note;         /* or NULL */
    struct cg_case_unit unit; /* the unit it went to (assign, escalate, copy, send_back), or
                               * area_id 0 */
    int64_t into;             /* merge: the case it was merged into; else 0 */
    struct cg_case_attachment *attachments;
    size_t n_attachments;
};

struct cg_case {
    int64_t id, version;               /* version grows by one with every action (the 409 rule) */
    const char *type, *state, *source; /* codes; source ui | api | cli | open311 | demo */
    const char *category;              /* catalogue code */
    const char *category_zh, *category_en, *domain, *size; /* from the catalogue */
    int reopen_days;                                       /* the category's */
    struct cg_case_unit area;   /* where: the area only (department fields NULL) */
    struct cg_case_unit holder; /* who holds it now (the last holder once closed) */
    struct cg_case_unit from;   /* who sent it to the holder (send_back returns it there) */
    int64_t reporter_id;        /* the filing account, 0 for the command line and Open311 */
    const char *reporter;       /* its username, "cli:root", "apikey:NAME" */
    const char *contact_name, *contact_phone;  /* a resident's, for requests; or NULL */
    const char *title, *description, *address; /* description, address may be NULL */
    int has_location;
    int64_t lat_e6, lon_e6; /* WGS-84 degrees × 10^6 when has_location */
    /* dispute */
    const char *parties, *mediator, *outcome, *agreement; /* outcome agreed | court | failed */
    /* assistance, positive dispatch: the person to locate or to serve */
    const char *person_name, *person_id_number, *person_phone;
    int64_t created_at, updated_at, accepted_at, done_at, closed_at; /* 0: not yet */
    /* Deadlines in working days (cg_workdays_add, calendar.h), from created_at:
     * accept within the category's accept_days, finish within finish_days.
     * 0 when unknown. */
    int64_t accept_due, finish_due;
    const char *card;    /* supervision card: none | yellow | red (set by the calendar's tick) */
    int64_t merged_into; /* the case this duplicate was merged into, or 0 */
    /* Filled by cg_case_get only: */
    unsigned actions; /* bit (1u << action) for each action the actor may take now */
    struct cg_case_event *events;
    size_t n_events;
    struct cg_case_attachment *attachments; /* every attachment, the case's and its events' */
    size_t n_attachments;
    struct cg_case_unit *copies; /* units it was copied to */
    size_t n_copies;
};

/* What a door files. */
struct cg_case_input {
    const char *type;        /* a cg_case_types code */
    const char *category;    /* a catalogue code (active) */
    const char *area_code;   /* where, in the actor's scope; NULL: the actor's own area */
    const char *title;       /* 1-200 bytes */
    const char *description; /* at most 4000 bytes */
    const char *address;     /* at most 400 bytes */
    int has_location;
    int64_t lat_e6, lon_e6; /* -90..90 and -180..180 degrees × 10^6 */
    const char *contact_name, *contact_phone;
    const char *parties, *mediator; /* dispute */
    const char *person_name, *person_id_number, *person_phone;
    const char *source;  /* ui | api | cli | open311 | demo; NULL: api */
    int64_t reported_at; /* 0: now; the demo files cases in the past */
};

/* Files a case (the action report): checks the input by its type's required
 * fields and the text rule, finds the category (active) and the area in
 * the actor's scope, and inserts the case in state reported, held by the
 * unit of its area (a building or micro-grid's grid, else the area itself),
 * with its first timeline entry, its deadlines and its audit record
 * (case.report), in one transaction. Needs CG_PERM_CASES_WRITE. The API,
 * the CLI, Open311 and the demo all call it. Field errors name the field;
 * *out gets the stored case (without timeline: call cg_case_get). */
int cg_case_report(cg_store *s, const struct cg_actor *actor, const struct cg_case_input *in,
                   cg_arena *a, struct cg_case *out, struct cg_field_error *fe);

/* The same inside the caller's transaction, without audit: for loaders
 * (the demo's year of cases) that file many cases and record the load once. */
int cg_case_report_write(cg_store *s, const struct cg_actor *actor, const struct cg_case_input *in,
                         cg_arena *a, int64_t *id, struct cg_field_error *fe);

/* Reads one case the actor may see, with its timeline, attachments, copies
 * and the actions the actor may take now (out->actions). Needs
 * CG_PERM_CASES_READ; an invisible case is CG_ENOTFOUND. */
int cg_case_get(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                struct cg_case *out);

/* The actions the actor may take on c now, as bits (1u << action): the
 * table, the actor's role, scope and unit, and the case's own rules. */
unsigned cg_case_actions_for(const struct cg_actor *actor, const struct cg_case *c, int64_t now);

struct cg_case_query {
    const char *state;     /* a state code, or "open" (every state but closed); NULL: all */
    const char *type;      /* NULL: all */
    const char *category;  /* NULL: all */
    const char *domain;    /* a catalogue domain; NULL: all */
    const char *area_code; /* cases on this area's subtree (in scope); NULL: the actor's scope */
    const char *unit;      /* held by this area or department code; NULL: any */
    int mine;              /* my tasks: held by the actor's unit and open, or awaiting the
                            * actor's verification (done, in its area scope) */
    const char *card;      /* yellow | red; NULL: any */
    int64_t created_from, created_to; /* [from, to) epoch seconds; 0: open */
    int64_t offset;
    int limit; /* 1..1000, default 50 */
};

/* Lists the cases the actor may see, newest first (created_at, id), one
 * page. Needs CG_PERM_CASES_READ. *total (may be NULL) receives the number
 * of matches. An unknown code is CG_EBADTYPE naming the filter; an area
 * out of scope CG_ENOTFOUND naming area_code. Items have no timeline. */
int cg_case_list(cg_store *s, const struct cg_actor *actor, const struct cg_case_query *q,
                 cg_arena *a, struct cg_case **items, size_t *n, int64_t *total,
                 struct cg_field_error *fe);

/* The counts of the actor's tasks ("my tasks" inbox): held by its unit per
 * open state, and awaiting its verification. */
struct cg_case_counts {
    int64_t reported, handling, done, to_verify;
};
int cg_case_counts_mine(cg_store *s, const struct cg_actor *actor, struct cg_case_counts *out);

/* What an action carries. */
struct cg_case_action_input {
    const char *action;         /* a cg_case_action_labels code */
    int64_t version;            /* the version the actor saw; 0: do not check (CLI) */
    const char *note;           /* reason or evidence; at most 2000 bytes */
    const char *to;             /* assign, copy: an area code or a department code */
    int64_t into;               /* merge: the case it duplicates */
    const char *outcome;        /* dispute report_done: agreed | court | failed */
    const char *agreement;      /* dispute report_done with outcome agreed */
    const char *mediator;       /* dispute: may be given at any action of its holder */
    const int64_t *attachments; /* ids of attachments uploaded to this case, not yet on an
                                 * event; they become this event's */
    size_t n_attachments;
};

/* Runs one action on a case: one transaction that locks the case, checks
 * the table (CG_ECASE_STATE for a (state, action) pair it lacks), the
 * actor's role (CG_EFORBIDDEN), its relation to the case (CG_ECASE_HOLDER),
 * the required fields (CG_EMISSING naming the field) and the case's own
 * rules (CG_ECASE_RULE with the reason in fe: handle_on_spot on a big
 * category, escalate above the county, assign outside the holder's
 * subtree, merge into itself or a closed case; CG_ECASE_REOPEN past
 * reopen_days), moves the case with a conditional UPDATE ... WHERE version = ?
 * (CG_ECASE_VERSION when in->version is given and stale, or another
 * action won the race), appends the timeline entry, links the attachments,
 * queues the notifications (assigned, returned, closed) and writes the
 * audit record (case.<action>). A refusal changes nothing and is audited.
 * *out gets the case as after cg_case_get. */
int cg_case_act(cg_store *s, const struct cg_actor *actor, int64_t id,
                const struct cg_case_action_input *in, cg_arena *a, struct cg_case *out,
                struct cg_field_error *fe);

/* The same inside the caller's transaction, without audit: for loaders
 * (the demo's year of cases) that move many cases and record the load
 * once. at (epoch seconds; 0: now) is the action's time, so that a loader
 * can write the past: with at set no notification is queued (history is no
 * news). The same checks and refusals as cg_case_act; a refusal leaves the
 * caller's transaction to roll back or go on. */
int cg_case_act_write(cg_store *s, const struct cg_actor *actor, int64_t id,
                      const struct cg_case_action_input *in, int64_t at, cg_arena *a,
                      struct cg_field_error *fe);

/* ---- photos ---- */

/* The largest attachment accepted, in bytes (CIVGRID_ATTACHMENT_MAX may
 * lower it, never raise it past CG_CASE_ATTACHMENT_MAX). */
#define CG_CASE_ATTACHMENT_MAX (8 * 1024 * 1024)

/* The image type of data from its bytes: "image/jpeg", "image/png",
 * "image/webp", or NULL for anything else (whatever its name or the
 * Content-Type its sender claimed). */
const char *cg_case_sniff_image(const void *data, size_t len);

/* Stores one photo of a case the actor may see and act on (holder,
 * verifier, reporter or a copied unit; a closed case takes none): checks
 * the size (CG_ETOOBIG past max_bytes) and the type from the bytes
 * (CG_EBADIMAGE), writes the file under dir ("<dir>/cases/<case id>/<id>")
 * and its row, audited as case.attach. Needs CG_PERM_CASES_WRITE. name may
 * be NULL. *out gets the row. */
int cg_case_attachment_add(cg_store *s, const struct cg_actor *actor, const char *dir,
                           int64_t case_id, const void *data, size_t len, size_t max_bytes,
                           const char *name, cg_arena *a, struct cg_case_attachment *out,
                           struct cg_field_error *fe);

/* Reads one photo of a case the actor may see: its row and the path of its
 * file under dir (arena memory), for the server to send. An invisible case
 * or an attachment of another case is CG_ENOTFOUND. Audited as a read. */
int cg_case_attachment_get(cg_store *s, const struct cg_actor *actor, const char *dir,
                           int64_t case_id, int64_t attachment_id, cg_arena *a,
                           struct cg_case_attachment *out, const char **path);

/* ---- the category catalogue ---- */

struct cg_case_category {
    int64_t id;
    const char *code;   /* "power.outage" */
    const char *domain; /* "power", "transport", ..., "request", "dispute", "suggestion" */
    const char *zh, *en;
    const char *size;              /* small (handled on the spot) | big (escalated) */
    const char *department;        /* the domain word (departments.domains) of the department a
                                    * case goes to by default, resolved in the case's county; or NULL */
    int accept_days, finish_days;  /* deadlines in working days */
    int accept_yellow, accept_red; /* card thresholds in working days: 2 / 5 */
    int finish_yellow, finish_red; /* 5 / 10 */
    int reopen_days;               /* calendar days the reporter may reopen */
    int active;                    /* an inactive category files no new case */
};

/* The catalogue's domains, in order: X(code, zh, en). */
#define CG_CASE_DOMAINS(X)                                                                         \
    X("power", "电力", "Power")                                                                    \
    X("transport", "交通", "Transport")                                                            \
    X("water", "水务", "Water")                                                                    \
    X("environment", "环境", "Environment")                                                        \
    X("public_order", "治安", "Public order")                                                      \
    X("sanitation", "环卫", "Sanitation")                                                          \
    X("natural_disaster", "自然灾害", "Natural disasters")                                         \
    X("market", "市场监管", "Market supervision")                                                  \
    X("health", "卫生健康", "Health")                                                              \
    X("civil_affairs", "民政", "Civil affairs")                                                    \
    X("petition", "信访", "Petitions")                                                             \
    X("emergency", "应急管理", "Emergency management")                                             \
    X("request", "群众诉求", "Residents' requests")                                                \
    X("dispute", "矛盾纠纷", "Disputes")                                                           \
    X("suggestion", "意见建议", "Suggestions")                                                     \
    X("assistance", "协查", "Assistance")                                                          \
    X("other", "其他", "Other")
extern const struct cg_case_label cg_case_domains[]; /* ended by a NULL code */

/* Every category (inactive ones too when all), by domain then code.
 * Needs CG_PERM_CASES_READ. */
int cg_case_category_list(cg_store *s, const struct cg_actor *actor, int all, cg_arena *a,
                          struct cg_case_category **items, size_t *n);

/* One category by code; CG_ENOTFOUND. No actor: the catalogue is public
 * to staff and to Open311's service list. */
int cg_case_category_get(cg_store *s, const char *code, cg_arena *a, struct cg_case_category *out);

/* Checks a category: code 1-64 letters, digits, '.', '_', '-'; domain one
 * of cg_case_domains; zh and en by the text rule (1-100 bytes); size small
 * or big; days 0..365 with yellow <= red; department a domain word or NULL. Field errors name the
 * field. */
int cg_case_category_check(cg_store *s, struct cg_case_category *c, cg_arena *a,
                           struct cg_field_error *fe);

/* Adds (create) or changes (update; every field but the code is replaced)
 * one category, audited as case_category.create / .update. Needs
 * CG_PERM_CASES_CATALOGUE. CG_EEXISTS naming code for a taken code on
 * create, CG_ENOTFOUND on update of an unknown one. */
int cg_case_category_create(cg_store *s, const struct cg_actor *actor,
                            const struct cg_case_category *in, cg_arena *a,
                            struct cg_case_category *out, struct cg_field_error *fe);
int cg_case_category_update(cg_store *s, const struct cg_actor *actor,
                            const struct cg_case_category *in, cg_arena *a,
                            struct cg_case_category *out, struct cg_field_error *fe);

#endif
