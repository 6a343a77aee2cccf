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
#include "civgrid/import.h"
#include "civgrid/field.h"
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

/* ---- the place's rules, for every door (API, import, demo) ---- */

/* Checks a place's own fields and rewrites in to their stored form: kind;
 * type, an English type of kind or its Chinese word (超市, 采样点 ...); name
 * and address by the one text rule (text.h: 1-200 and at most 400 bytes,
 * trimmed; an empty address becomes NULL); area_code present; code, when
 * given, 1-32 letters, digits, '-', '_' or '.'. Field errors name the field.
 * The area itself is not looked up. */
int cg_place_check(struct cg_place_input *in, cg_arena *a, struct cg_field_error *fe);

/* Writes a checked place (with its code) on the area (area_id, area_path) in
 * the caller's transaction, without audit: inserts it (*id, may be NULL,
 * receives the new id; a taken code is CG_EEXISTS naming code), or with
 * update set, gives the place of that code in's name, type, area and
 * address. */
int cg_place_write(cg_store *s, const struct cg_place_input *in, int64_t area_id,
                   const char *area_path, int update, int64_t *id, struct cg_field_error *fe);

/* Checks an input, finds its area in the actor's scope and inserts the
 * place inside the caller's transaction, without audit: for loaders that
 * write many places in one transaction and record the load once. Needs
 * CG_PERM_AREAS_WRITE. Field errors as cg_place_check; an area out of scope
 * is CG_ENOTFOUND naming area_code. *id (may be NULL) receives the new id. */
int cg_place_add(cg_store *s, const struct cg_actor *actor, const struct cg_place_input *in,
                 cg_arena *a, int64_t *id, struct cg_field_error *fe);

/* The columns of an import of venues (import.h), in this order. */
enum {
    CG_VENUE_COL_CODE,
    CG_VENUE_COL_NAME,
    CG_VENUE_COL_TYPE,
    CG_VENUE_COL_AREA,
    CG_VENUE_COL_ADDRESS,
    CG_VENUE_NCOLS
};
extern const struct cg_import_column cg_venue_columns[CG_VENUE_NCOLS];

/* Creates one place in a transaction of its own with its audit record
 * (place.create); a refusal is audited too. *out gets the stored place (arena memory). */
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
