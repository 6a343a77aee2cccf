/* Internals shared by the parts of the case module (case.c, case_act.c,
 * case_list.c, case_category.c, case_attach.c). */
#ifndef CIVGRID_CASE_INT_H
#define CIVGRID_CASE_INT_H

#include "civgrid/case.h"

/* The columns and joins that read one case into struct cg_case
 * (cg__case_read), without timeline. */
#define CG__CASE_COLUMNS                                                                           \
    "c.id, c.version, c.type, c.state, c.source, cat.code, cat.zh, cat.en, c.domain, cat.size,"    \
    " a.id, a.code, a.name, a.level, a.path,"                                                      \
    " h.id, h.code, h.name, h.level, h.path, hd.id, hd.code, hd.name,"                             \
    " f.id, f.code, f.name, f.level, f.path, fd.id, fd.code, fd.name,"                             \
    " c.reporter_id, c.reporter, c.contact_name, c.contact_phone, c.title, c.description,"         \
    " c.address, c.lat_e6, c.lon_e6, c.parties, c.mediator, c.outcome, c.agreement,"               \
    " c.person_name, c.person_id_number, c.person_phone, c.created_at, c.updated_at,"              \
    " c.accepted_at, c.done_at, c.closed_at, c.accept_due, c.finish_due, c.card, c.merged_into,"   \
    " cat.reopen_days"
#define CG__CASE_FROM                                                                              \
    " FROM cases c JOIN case_categories cat ON cat.id = c.category_id"                             \
    " JOIN areas a ON a.id = c.area_id JOIN areas h ON h.id = c.holder_area_id"                    \
    " LEFT JOIN departments hd ON hd.id = c.holder_department_id"                                  \
    " LEFT JOIN areas f ON f.id = c.from_area_id"                                                  \
    " LEFT JOIN departments fd ON fd.id = c.from_department_id"

/* Reads the current row of a CG__CASE_COLUMNS query. */
void cg__case_read(cg_stmt *st, cg_arena *a, struct cg_case *c);

/* Reads one case by id without visibility checks. CG_ENOTFOUND. */
int cg__case_load(cg_store *s, int64_t id, cg_arena *a, struct cg_case *c);

/* Whether the actor is a department's user (sees only its department's
 * cases, and acts only on those its department holds). */
int cg__case_is_department(const struct cg_actor *actor);

/* Whether the actor may see the case: 1, 0, or a negative error. */
int cg__case_visible(cg_store *s, const struct cg_actor *actor, const struct cg_case *c);

/* Whether the transition t may run for the actor on c at now, leaving out
 * what depends on the action's input: 0, or the refusal (CG_EFORBIDDEN,
 * CG_ECASE_HOLDER, CG_ECASE_RULE, CG_ECASE_REOPEN) with the reason in fe. */
int cg__case_may(const struct cg_actor *actor, const struct cg_case *c,
                 const struct cg_case_transition *t, int64_t now, struct cg_field_error *fe);

/* Appends one timeline entry (units and into 0 for none). */
int cg__case_event_add(cg_store *s, const struct cg_actor *actor, int64_t case_id, int64_t at,
                       const char *action, const char *from, const char *to, const char *note,
                       int64_t unit_area, int64_t unit_department, int64_t into, int64_t *id);

/* Gives a unit sight of a case (reason escalate | assign | copy | report). */
int cg__case_unit_add(cg_store *s, int64_t case_id, int64_t area_id, const char *area_path,
                      int64_t department_id, const char *reason, int64_t now);

/* Reads a case the actor may see, without timeline: CG_EFORBIDDEN without
 * cases.read, CG_ENOTFOUND when absent or invisible. */
int cg__case_get_visible(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                         struct cg_case *out);

/* The code, zh and en of a state, action, type. */
const char *cg__case_state_code(enum cg_case_state st);
const char *cg__case_action_code(enum cg_case_action ac);

#endif
