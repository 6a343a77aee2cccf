/* API keys for Open311 (docs/open311.md): a client such as FixMyStreet files
 * service requests with one. A key names an area: the requests it files are
 * cases in that area, filed by the actor "apikey:NAME". The key is shown
 * once, when it is made; the database keeps only its keyed hash. Making and
 * revoking keys is audited; each key may file CG_APIKEY_PER_MINUTE requests
 * a minute. */
#ifndef CIVGRID_APIKEY_H
#define CIVGRID_APIKEY_H

#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* Requests one key may file in one minute; more are refused with
 * CG_ERATE_LIMITED until the next minute. A client files what a resident
 * types, so 30 a minute is far above a busy county's rate and far below
 * what would flood the centre's inbox. */
#define CG_APIKEY_PER_MINUTE 30

struct cg_apikey {
    int64_t id;
    const char *name;
    const char *area_code, *area_name;            /* the scope its requests are filed in */
    int64_t created_at, revoked_at, last_used_at; /* 0: not revoked, never used */
    const char *created_by;
};

/* Makes a key called name (1-64 letters, digits, '.', '_', '-') for the
 * area with code area_code: *key (arena) is the key, to be shown once. Needs
 * CG_PERM_USERS_WRITE and the area in the actor's scope. CG_EEXISTS naming
 * name when a key (even revoked) has that name. Audited as apikey.create. */
int cg_apikey_create(cg_store *s, const struct cg_actor *actor, const char *name,
                     const char *area_code, cg_arena *a, struct cg_apikey *out, const char **key,
                     struct cg_field_error *fe);

/* Every key, revoked ones too, by name (never the key itself). Needs
 * CG_PERM_USERS_READ. */
int cg_apikey_list(cg_store *s, const struct cg_actor *actor, cg_arena *a, struct cg_apikey **items,
                   size_t *n);

/* Revokes the key named, or with the id, name_or_id: its requests are
 * refused from now on. CG_ENOTFOUND; a revoked key stays revoked (0).
 * Needs CG_PERM_USERS_WRITE. Audited as apikey.revoke. */
int cg_apikey_revoke(cg_store *s, const struct cg_actor *actor, const char *name_or_id, cg_arena *a,
                     struct cg_apikey *out, struct cg_field_error *fe);

/* The actor a key files as: role "open311" (cases.read, cases.write only),
 * scope the key's area, username "apikey:NAME". Counts the request against
 * the key's limit. CG_EAPIKEY for a missing, unknown or revoked key;
 * CG_ERATE_LIMITED past the limit (*retry_after seconds, may be NULL). */
int cg_apikey_resolve(cg_store *s, const char *key, const char *client_ip, cg_arena *a,
                      struct cg_actor **out, int64_t *retry_after);

#endif
