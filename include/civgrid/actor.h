/* Who is asking: every library call that reads or writes personal data takes
 * an actor and checks its role (what it may do) and its scope (where: a
 * subtree of the jurisdiction tree). */
#ifndef CIVGRID_ACTOR_H
#define CIVGRID_ACTOR_H

#include <stdint.h>

/* Permissions a role grants. */
enum cg_perm {
    CG_PERM_USERS_READ = 1u << 0,   /* list and view accounts in scope */
    CG_PERM_USERS_WRITE = 1u << 1,  /* create, change, disable accounts in scope */
    CG_PERM_AUDIT_READ = 1u << 2,   /* read the audit trail in scope */
    CG_PERM_AREAS_WRITE = 1u << 3,  /* add and change jurisdiction nodes in scope */
    CG_PERM_AREAS_READ = 1u << 4,   /* see the tree in scope */
    CG_PERM_UNMASK_ID = 1u << 5,    /* see full resident ID numbers */
    CG_PERM_UNMASK_PHONE = 1u << 6, /* see full phone numbers */
    CG_PERM_PEOPLE_READ = 1u << 7,  /* search and view residents in scope */
    CG_PERM_PEOPLE_WRITE = 1u << 8, /* add, correct and import residents in scope */
};

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
};

/* Whether the actor's role grants perm. */
int cg_actor_can(const struct cg_actor *a, unsigned perm);

/* Whether a node with this path lies in the actor's scope: for a row already
 * read. Queries filter in SQL with CG_SCOPE_SQL (scope.h), the same rule. */
int cg_actor_in_scope(const struct cg_actor *a, const char *area_path);

#endif
