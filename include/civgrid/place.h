/* Places on the grid: venues (shops, markets, pharmacies, sampling points,
 * quarantine hotels, ...) that get place codes and check-ins, and risk points
 * (林田路矿, 河流沟壑: forests, fields, roads, mines, rivers, gullies) that grid
 * workers patrol. Every place hangs on a node of the jurisdiction tree and is
 * seen only by actors whose scope covers that node. Places are never deleted:
 * a closed shop is retired, so that old check-ins still name it. */
#ifndef CIVGRID_PLACE_H
#define CIVGRID_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/json.h"
#include "civgrid/store.h"

/* One known type of place: kind is "venue" or "risk_point". */
struct cg_place_type {
    const char *kind, *type, *zh, *en;
};

/* Every known type, venues first; ended by a NULL kind. */
extern const struct cg_place_type cg_place_types[];

/* The type entry for (kind, type), or NULL when type is not one of kind's. */
const struct cg_place_type *cg_place_type_find(const char *kind, const char *type);

struct cg_place {
    int64_t id, created_at;
    const char *code, *name, *kind, *type, *address, *status; /* address may be NULL */
    const char *type_zh;                                      /* "超市" */
    struct cg_area area; /* code, name, level and path of the node it hangs on */
};

struct cg_place_input {
    const char *code;      /* NULL: a random code like "P7K2M9QX4T" is made */
    const char *name;      /* 1-200 bytes */
    const char *kind;      /* venue | risk_point */
    const char *type;      /* one of kind's types (cg_place_types) */
    const char *area_code; /* the node it hangs on, in the actor's scope */
    const char *address;   /* at most 400 bytes; may be NULL */
};

/* Checks an input and inserts the place inside the caller's transaction,
 * with its audit record (place.create): for loaders that write many places
 * in one transaction. Needs CG_PERM_AREAS_WRITE. Field errors name code,
 * name, kind, type, area_code or address; an area out of scope is
 * CG_ENOTFOUND naming area_code; a taken code is CG_EEXISTS naming code.
 * *id (may be NULL) receives the new row's id. Nothing is audited on
 * failure: the caller rolls back and records the refusal. */
int cg_place_add(cg_store *s, const struct cg_actor *actor, const struct cg_place_input *in,
                 cg_arena *a, int64_t *id, struct cg_field_error *fe);

/* Creates one place in a transaction of its own (cg_place_add + commit);
 * a refusal is audited too. *out gets the stored place (arena memory). */
int cg_place_create(cg_store *s, const struct cg_actor *actor, const struct cg_place_input *in,
                    cg_arena *a, struct cg_place *out, struct cg_field_error *fe);

struct cg_place_query {
    const char *kind;      /* venue | risk_point | NULL (both) */
    const char *type;      /* NULL: any */
    const char *area_code; /* the subtree of this node (in scope); NULL: the actor's scope */
    const char *q;         /* part of the code, name or address; NULL: all */
    const char *status;    /* active (default) | retired | all */
    int limit, offset;     /* limit 1..1000, default 100 */
};

/* Lists places in the actor's scope, ordered by area path and code. Needs
 * CG_PERM_AREAS_READ. An area_code out of scope reads as absent
 * (CG_ENOTFOUND); an unknown kind, type or status is CG_EBADTYPE naming it.
 * *total receives the number of matches without limit and offset (may be
 * NULL). Items are arena memory. */
int cg_place_list(cg_store *s, const struct cg_actor *actor, const struct cg_place_query *q,
                  cg_arena *a, struct cg_place **items, size_t *n, int64_t *total,
                  struct cg_field_error *fe);

/* Reads one place by code. Needs CG_PERM_AREAS_READ; a place out of scope is
 * CG_ENOTFOUND, exactly like a missing one. */
int cg_place_get(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                 struct cg_place *out);

/* Sets status "retired" or "active" (no change if already so). Needs
 * CG_PERM_AREAS_WRITE and the place in scope. Audited as place.retire or
 * place.activate, refusals included. */
int cg_place_set_status(cg_store *s, const struct cg_actor *actor, const char *code,
                        const char *status, cg_arena *a, struct cg_place *out,
                        struct cg_field_error *fe);

#endif
