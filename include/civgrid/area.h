/* The jurisdiction tree: city > county > town > community > grid > building
 * (micro-grids inside a grid). Every user, person, place and event hangs on a
 * node; a user's scope is the subtree under its node. */
#ifndef CIVGRID_AREA_H
#define CIVGRID_AREA_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/import.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

struct cg_area {
    int64_t id, parent_id; /* parent_id 0 for the root */
    const char *level, *code, *name, *path, *status, *parent_code;
    int64_t residents, children; /* filled by cg_area_children only */
};

/* The levels, from the top; NULL-terminated. */
extern const char *const cg_area_levels[];

/* Whether level names a known level. */
int cg_area_level_valid(const char *level);

/* The English level a word names: an English level itself or the Chinese
 * word spreadsheets use (市, 县/区, 镇/街道, 社区/村, 网格, 微网格, 楼栋); NULL
 * when it names none. */
const char *cg_area_level_parse(const char *word);

/* ---- the area's rules, for every door (API, command line, import, demo) ---- */

/* One area as a door gives it. */
struct cg_area_input {
    const char *code, *level, *name;
};

/* Checks an area's own fields and rewrites in to their stored form: the
 * code is 1-32 letters, digits, '-', '_' or '.'; the level an English or
 * Chinese level word (stored in English); the name text by the one rule
 * (text.h), 1-200 bytes, trimmed. Field errors name code, level or name. */
int cg_area_check(struct cg_area_input *in, cg_arena *a, struct cg_field_error *fe);

/* Checks a new name alone (a rename): *out receives it trimmed. */
int cg_area_check_name(const char *name, cg_arena *a, const char **out, struct cg_field_error *fe);

/* Whether a node of level may hang under a node of parent_level: a level
 * below its parent's. CG_EBADTYPE naming field when not. */
int cg_area_check_parent(const char *level, const char *parent_level, const char *field,
                         struct cg_field_error *fe);

/* Inserts a checked area under the node (parent_id, parent_path) in the
 * caller's transaction, without audit; parent_id 0 for the root. *id and
 * *path (arena memory) receive the new node's. A taken code is CG_EEXISTS
 * naming code. */
int cg_area_write(cg_store *s, int64_t parent_id, const char *parent_path,
                  const struct cg_area_input *in, cg_arena *a, int64_t *id, const char **path,
                  struct cg_field_error *fe);

/* Sets a checked name in the caller's transaction, without audit. */
int cg_area_write_name(cg_store *s, int64_t id, const char *name);

/* The columns of an import of areas (import.h), in this order. */
enum { CG_AREA_COL_CODE, CG_AREA_COL_PARENT, CG_AREA_COL_LEVEL, CG_AREA_COL_NAME, CG_AREA_NCOLS };
extern const struct cg_import_column cg_area_columns[CG_AREA_NCOLS];

/* Reads the node with this code. No actor: for internal use (sign-in, init). */
int cg_area_get_by_code(cg_store *s, const char *code, cg_arena *a, struct cg_area *out);

/* Reads the node with this id; no actor: for modules that hold an area's id
 * (a case's holder). */
int cg_area_get_by_id(cg_store *s, int64_t id, cg_arena *a, struct cg_area *out);

/* The same for an actor: CG_ENOTFOUND also when the node is out of scope. */
int cg_area_get(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                struct cg_area *out);

/* Adds a node under parent_code (NULL: under the root). Needs
 * CG_PERM_AREAS_WRITE and the parent in scope. Field errors name the field.
 * Audited as area.create. */
int cg_area_create(cg_store *s, const struct cg_actor *actor, const char *code,
                   const char *parent_code, const char *level, const char *name, cg_arena *a,
                   struct cg_area *out, struct cg_field_error *fe);

/* Lists nodes in the actor's scope whose code or name contains q (NULL: all),
 * at most limit, ordered by path; *more says whether more nodes matched. */
int cg_area_search(cg_store *s, const struct cg_actor *actor, const char *q, int limit, cg_arena *a,
                   struct cg_area **items, size_t *n, int *more);

/* Changes a node: a new name (rename), a new parent (move: the node's
 * subtree and everything on it move along; never under itself), or status
 * "retired" / "active". Nothing is ever deleted; a node is retired only when
 * no active resident or account remains on it or below it (CG_ECONFLICT).
 * NULL leaves a field as it is. Needs CG_PERM_AREAS_WRITE, the node and the
 * new parent in scope, and never the actor's own node. Audited. */
int cg_area_update(cg_store *s, const struct cg_actor *actor, const char *code, const char *name,
                   const char *parent_code, const char *status, cg_arena *a, struct cg_area *out,
                   struct cg_field_error *fe);

/* The children of a node in scope (NULL: the actor's own node), each with
 * its number of children and of active residents below it, in code order, at
 * most CG_AREA_CHILDREN_MAX of them; node->children is the number it has, so
 * that a cut list says so (*n < node->children). */
#define CG_AREA_CHILDREN_MAX 2000
int cg_area_children(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                     struct cg_area *node, struct cg_area **items, size_t *n);

/* Creates the root node (init only), by the same rules as any node
 * (cg_area_check): a bad code, level or name is CG_EBADTYPE or CG_EMISSING. */
int cg_area_create_root(cg_store *s, const char *code, const char *name, const char *level,
                        int64_t *id, const char **path);

#endif
