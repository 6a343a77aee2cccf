/* Accounts: username, display name, role (what), scope area (where), status.
 * Every call takes the actor; an account outside the actor's scope reads as
 * absent (CG_ENOTFOUND), an action the role lacks is CG_EFORBIDDEN; every
 * call is audited. */
#ifndef CIVGRID_USER_H
#define CIVGRID_USER_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/password.h"
#include "civgrid/store.h"

struct cg_user {
    int64_t id, created_at, updated_at;
    const char *username, *display_name, *role, *status;
    struct cg_area area;
    const char *department; /* the department's code for a department's user, or NULL */
};

struct cg_user_input {
    const char *username;
    const char *display_name; /* NULL: the username */
    const char *role;
    const char *scope; /* area code */
    const char *password;
    /* A department's code (in the actor's scope), for a department's user,
     * who then sees only the cases assigned or copied to it; NULL: none. */
    const char *department;
};

/* Checks a username: 2-64 of letters, digits, '.', '_', '-', '@'. 0 or
 * CG_EBADTYPE with the reason in fe. */
int cg_user_check_username(const char *username, struct cg_field_error *fe);

/* Checks a new password of the account username against the rules of
 * civgrid/password.h: CG_EWEAKPASS or CG_EBADTYPE with the reason in fe. */
int cg_user_check_password(const char *password, const char *username, struct cg_field_error *fe);

/* Creates an account. Needs CG_PERM_USERS_WRITE and the scope inside the
 * actor's. Field errors name username, role, scope, password or display_name;
 * CG_EEXISTS for a taken username. */
int cg_user_create(cg_store *s, const struct cg_actor *actor, const struct cg_user_input *in,
                   cg_arena *a, struct cg_user *out, struct cg_field_error *fe);

/* Lists accounts in scope whose username or display name contains q, at
 * most CG_USER_LIST_MAX of them; *more says whether more matched. */
#define CG_USER_LIST_MAX 1000
int cg_user_list(cg_store *s, const struct cg_actor *actor, const char *q, cg_arena *a,
                 struct cg_user **items, size_t *n, int *more);

/* Reads one account in scope. */
int cg_user_get(cg_store *s, const struct cg_actor *actor, const char *username, cg_arena *a,
                struct cg_user *out);

/* Sets status "active" or "disabled"; disabling revokes the account's
 * sessions in the same transaction. An actor cannot disable itself. */
int cg_user_set_status(cg_store *s, const struct cg_actor *actor, const char *username,
                       const char *status, cg_arena *a, struct cg_user *out,
                       struct cg_field_error *fe);

/* Sets a new password (and clears a lockout). Allowed for CG_PERM_USERS_WRITE
 * in scope (current may be NULL), and for anyone on their own account, who
 * must give the current password: a session token alone, stolen or left
 * open, must not be enough to take the account over (CG_EMISSING or
 * CG_EBADCRED on field "current_password"). Revokes the account's other
 * sessions. */
int cg_user_set_password(cg_store *s, const struct cg_actor *actor, const char *username,
                         const char *current, const char *password, struct cg_field_error *fe);

#endif
