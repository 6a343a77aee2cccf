/* Scope as SQL: the one way a query keeps to a subtree of the jurisdiction
 * tree (docs/internals.md, "## Scope").
 *
 * Every row that belongs somewhere carries its area's path ("/1/5/9/"), and
 * a subtree is every path that starts with the subtree's own path P. As SQL
 * that is the byte range [P, P + "~"): paths hold only digits and '/', both
 * below '~', so the range holds exactly the paths that start with P, and an
 * index on the path column serves it (a substr() test reads every row). The
 * range relies on the column comparing bytes: path columns are declared
 * {{bytes}} in the migrations (BINARY on SQLite, COLLATE "C" on PostgreSQL),
 * and a bound value takes the column's collation, so a Chinese or any other
 * locale of the database does not change the order. */
#ifndef CIVGRID_SCOPE_H
#define CIVGRID_SCOPE_H

#include "civgrid/actor.h"
#include "civgrid/arena.h"

/* The condition "col lies in the subtree", with two placeholders that take
 * struct cg_scope's from and to, in that order ("ss" in cg_store_query). */
#define CG_SCOPE_SQL(col) "(" col " >= ? AND " col " < ?)"

/* The same condition when the subtree's path is another column of the query
 * (a count per child area): "col lies under path_col". */
#define CG_SCOPE_UNDER_SQL(col, path_col)                                                          \
    "(" col " >= " path_col " AND " col " < " path_col " || '~')"

/* The bound values of CG_SCOPE_SQL. */
struct cg_scope {
    const char *from; /* the subtree's path */
    const char *to;   /* the same path with "~" appended: the first path past it */
};

/* The subtree at path. CG_EINVAL for a NULL or empty path, CG_ENOMEM. */
int cg_scope_at(const char *path, cg_arena *a, struct cg_scope *out);

/* The actor's scope: the subtree at its area. CG_EFORBIDDEN for an actor
 * without an area (it may see nothing), CG_ENOMEM. */
int cg_scope_of(const struct cg_actor *actor, cg_arena *a, struct cg_scope *out);

/* Whether path lies in the subtree at scope_path: the same range, in C, for
 * a row already read (cg_actor_in_scope uses it). */
int cg_scope_holds(const char *scope_path, const char *path);

#endif
