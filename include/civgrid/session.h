/* Sign-in sessions. A token is random, kept only as a hash, expires, and can
 * be revoked. Tokens carry a tag of the deployment that issued them, so a
 * token from another civgrid is refused with a clear reason. Repeated failed
 * sign-ins slow down (3 failures: wait 1, 2, 4 ... 30 s between tries) and
 * then lock the name (10 failures: 15 minutes), counted per name tried,
 * whether an account has it or not. Everything is audited. */
#ifndef CIVGRID_SESSION_H
#define CIVGRID_SESSION_H

#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/store.h"

#define CG_LOCK_AFTER 10
#define CG_LOCK_SECONDS 900
#define CG_SLOW_AFTER 3

struct cg_login {
    const char *token;      /* give to the client once; never stored */
    const char *csrf_token; /* the UI sends it back in X-CSRF-Token */
    int64_t expires_at;
    struct cg_actor *actor;
};

/* Signs in. CG_EBADCRED for an unknown user, a wrong password or a disabled
 * account (the same answer, in the same time; the audit record says which),
 * CG_ELOCKED with *retry_after seconds. Everything allocated lives in a. */
int cg_session_login(cg_store *s, const char *username, const char *password, const char *client_ip,
                     int ttl_seconds, cg_arena *a, struct cg_login *out, int64_t *retry_after);

/* Resolves a token to its actor. CG_EUNAUTH for a malformed or unknown token
 * or one from another deployment, CG_EEXPIRED for an expired or revoked one;
 * *why (may be NULL) says which in words. */
int cg_session_resolve(cg_store *s, const char *token, const char *client_ip, cg_arena *a,
                       struct cg_actor **out, const char **why);

/* Revokes the actor's session. */
int cg_session_logout(cg_store *s, const struct cg_actor *actor);

/* How long an expired or revoked session is kept before cg_session_tick
 * deletes it: for that day a client still sending its token is told that
 * the session expired or was ended, not that the token is unknown. */
#define CG_SESSION_KEEP_SECONDS 86400

/* The scheduler's tick (sched.h, job "session.expire"): deletes the sessions
 * that expired or were revoked more than CG_SESSION_KEEP_SECONDS before now.
 * Idempotent. */
int cg_session_tick(cg_store *s, int64_t now);

/* The CSRF token that belongs to a session token (64 hex chars + NUL). */
void cg_session_csrf(char out[65], const char *token);

/* The deployment's id (created by cg_deployment_init). */
int cg_deployment_id(cg_store *s, char out[40]);

/* Initialises a new deployment in one transaction: its id, the root area and
 * an "admin" account with a random password, returned in *admin_password
 * (arena). On an already initialised database changes nothing and sets
 * *admin_password to NULL. */
int cg_deployment_init(cg_store *s, const char *root_code, const char *root_name,
                       const char *root_level, cg_arena *a, const char **admin_password);

/* The actor of the command line: the admin role over the whole tree, named
 * "cli:USER" in the audit trail. */
int cg_actor_cli(cg_store *s, cg_arena *a, struct cg_actor **out);

#endif
