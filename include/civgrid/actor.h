/* Who is asking: every library call that reads or writes personal data takes
 * an actor and checks its role (what it may do) and its scope (where: a
 * subtree of the jurisdiction tree). */
#ifndef CIVGRID_ACTOR_H
#define CIVGRID_ACTOR_H

#include <stdint.h>

/* Permissions a role grants: bit, stable code (what /api/v1/meta and /me
 * show the UI) and meaning. One list makes the enum and the code table, so a
 * new permission cannot be granted without a name the UI can test for. */
#define CG_PERMS(X)                                                                                \
    X(USERS_READ, 0, "users.read")            /* list and view accounts in scope */                \
    X(USERS_WRITE, 1, "users.write")          /* create, change, disable accounts in scope */      \
    X(AUDIT_READ, 2, "audit.read")            /* read the audit trail in scope */                  \
    X(AREAS_WRITE, 3, "areas.write")          /* add and change jurisdiction nodes in scope */     \
    X(AREAS_READ, 4, "areas.read")            /* see the tree in scope */                          \
    X(UNMASK_ID, 5, "unmask.id")              /* see full resident ID numbers */                   \
    X(UNMASK_PHONE, 6, "unmask.phone")        /* see full phone numbers */                         \
    X(PEOPLE_READ, 7, "people.read")          /* search and view residents in scope */             \
    X(PEOPLE_WRITE, 8, "people.write")        /* add, correct and import residents in scope */     \
    X(POLICY_READ, 9, "policy.read")          /* read the policy profiles (every staff role) */    \
    X(POLICY_WRITE, 10, "policy.write")       /* save edited profiles and choose the active one */ \
    X(CASES_READ, 11, "cases.read")           /* see cases in scope (a department: its own) */     \
    X(CASES_WRITE, 12, "cases.write")         /* file cases and act on those its unit holds */     \
    X(CASES_DISPATCH, 13, "cases.dispatch")   /* assign and copy; act for the units below */       \
    X(CASES_CATALOGUE, 14, "cases.catalogue") /* edit the category catalogue */                    \
    X(CALENDAR_WRITE, 16, "calendar.write")   /* mark holidays and make-up working days */

enum cg_perm {
#define CG_PERM_ENUM(name, bit, code) CG_PERM_##name = 1u << (bit),
    CG_PERMS(CG_PERM_ENUM)
#undef CG_PERM_ENUM
};

struct cg_perm_info {
    unsigned perm;    /* CG_PERM_USERS_READ */
    const char *code; /* "users.read" */
};

/* Every permission, in bit order; ended by a NULL code. */
extern const struct cg_perm_info cg_perms[];

struct cg_role {
    const char *name; /* "grid_worker" */
    const char *zh;   /* "网格员" */
    const char *en;   /* "Grid worker" */
    unsigned perms;
};

/* The roles of DOMAIN.md, in order; ended by a NULL name. */
extern const struct cg_role cg_roles[];

/* The role named name, or NULL. */
const struct cg_role *cg_role_find(const char *name);

struct cg_actor {
    int64_t user_id; /* 0 for the command line */
    int64_t session_id;
    const char *username; /* "cli" for the command line */
    const char *display_name;
    const struct cg_role *role;
    int64_t area_id;
    const char *area_path; /* "/1/5/": the scope is every node under it */
    const char *area_code;
    const char *area_name;
    const char *area_level;
    const char *client_ip; /* "local" for the command line */
    /* A department's user (users.department_id): sees the cases assigned or
     * copied to its department only, whatever its area. 0 for others. */
    int64_t department_id;
    const char *department_code;
};

/* Whether the actor's role grants perm. */
int cg_actor_can(const struct cg_actor *a, unsigned perm);

/* Whether a node with this path lies in the actor's scope: for a row already
 * read. Queries filter in SQL with CG_SCOPE_SQL (scope.h), the same rule. */
int cg_actor_in_scope(const struct cg_actor *a, const char *area_path);

#endif
