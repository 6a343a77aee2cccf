#include "civgrid/area_figures.h"

#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"

/* Buildings and grids are areas: one count on the scope range of an index
 * whose leading column is the path (migration 0014 makes it covering), a
 * city's ten thousand entries. */
static int count_areas(cg_store *s, const struct cg_scope *sc, struct cg_area_figures *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st,
                       "SELECT COALESCE(SUM(CASE WHEN level = 'building' THEN 1 ELSE 0 END), 0),"
                       " COALESCE(SUM(CASE WHEN level = 'grid' THEN 1 ELSE 0 END), 0)"
                       " FROM areas WHERE " CG_SCOPE_SQL("path") " AND status = 'active'",
                       "ss", sc->from, sc->to);
    if (!rc && !(rc = cg_stmt_one(st))) {
        out->buildings = cg_stmt_int(st, 0);
        out->grids = cg_stmt_int(st, 1);
    }
    if (st)
        cg_stmt_reset(st);
    return rc;
}

int cg_area_figures(cg_store *s, const char *path, cg_arena *a, struct cg_area_figures *out)
{
    memset(out, 0, sizeof *out);
    struct cg_scope sc;
    struct cg_counts c;
    struct cg_counts_want want = {cg_now(), 0, NULL, 0};
    int rc = cg_scope_at(path, a, &sc);
    if (!rc)
        rc = cg_counts_get(s, &want, path, NULL, 0, a, &c, NULL);
    if (!rc)
        rc = count_areas(s, &sc, out);
    if (rc)
        return rc;
    out->residents = c.residents;
    out->floating = c.floating;
    out->households = c.households;
    out->staff_total = c.staff_total;
    memcpy(out->staff, c.staff, sizeof out->staff);
    return 0;
}
