/* Internals of sign-in shared with lib/user.c: the failed-login counts and
 * the first account's insert. */
#ifndef CIVGRID_SESSION_INT_H
#define CIVGRID_SESSION_INT_H

#include <stdint.h>

#include "civgrid/store.h"

/* For other checks of a password (the current one, to change it): 0, or
 * CG_ELOCKED with *retry_after seconds while the name is locked. */
int cg__login_check_locked(cg_store *s, const char *username, int64_t *retry_after);

/* Counts a wrong password for the name, as a failed sign-in, in its own
 * transaction. */
int cg__login_failure(cg_store *s, const char *username);

/* Forgets the failed sign-ins of a name (after a password reset or an
 * unlock), in the caller's transaction. */
int cg__login_failures_clear(cg_store *s, const char *username);

/* Inserts an account without an actor (the first admin, at init). */
int cg__user_insert(cg_store *s, const char *username, const char *display_name, const char *role,
                    int64_t area_id, const char *password, int64_t *id);

#endif
