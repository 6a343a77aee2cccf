/* Scope as SQL and in C: one rule, a byte range on the area path (scope.h). */
#include "civgrid/scope.h"

#include <string.h>

#include "civgrid/error.h"

int cg_scope_at(const char *path, cg_arena *a, struct cg_scope *out)
{
    if (!path || !*path)
        return CG_EINVAL;
    out->from = path;
    out->to = cg_arena_printf(a, "%s~", path);
    return out->to ? 0 : CG_ENOMEM;
}

int cg_scope_of(const struct cg_actor *actor, cg_arena *a, struct cg_scope *out)
{
    if (!actor || !actor->area_path || !*actor->area_path)
        return CG_EFORBIDDEN;
    return cg_scope_at(actor->area_path, a, out);
}

/* path >= P and path < P + "~" compare as bytes: path starts with P and
 * what follows P, if anything, begins below '~'. */
int cg_scope_holds(const char *scope_path, const char *path)
{
    if (!scope_path || !*scope_path || !path)
        return 0;
    size_t n = strlen(scope_path);
    return strncmp(path, scope_path, n) == 0 && (unsigned char)path[n] < '~';
}
