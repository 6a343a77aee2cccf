#include "civgrid/area_figures.h"

#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/staff.h"

/* Three counting queries, each served by an index whose leading column is
 * the path (migration 0014 makes them covering), so that no row of a city's
 * tens of thousands is read from its table. */
static int count_residents(cg_store *s, const struct cg_scope *sc, struct cg_area_figures *out)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st,
                       "SELECT COUNT(*), COUNT(DISTINCT CAST(area_id AS TEXT) || '/' || household),"
                       " COALESCE(SUM(CASE WHEN resident_type = 'floating' THEN 1 ELSE 0 END), 0)"
                       " FROM residents WHERE " CG_SCOPE_SQL("area_path") " AND status = 'active'",
                       "ss", sc->from, sc->to);
    if (!rc && !(rc = cg_stmt_one(st))) {
        out->residents = cg_stmt_int(st, 0);
        out->households = cg_stmt_int(st, 1);
        out->floating = cg_stmt_int(st, 2);
    }
    if (st)
        cg_stmt_reset(st);
    return rc;
}

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

static int count_staff(cg_store *s, const struct cg_scope *sc, struct cg_area_figures *out)
{
    char day[11];
    cg_today(day);
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT s.position, COUNT(*) FROM areas a"
                            " JOIN staff_assignments s ON s.area_id = a.id"
                            " WHERE " CG_SCOPE_SQL("a.path") " AND (s.end_date IS NULL OR"
                                                             " s.end_date > ?) GROUP BY s.position",
                            "sss", sc->from, sc->to, day);
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        const char *position = cg_stmt_text(st, 0);
        int64_t n = cg_stmt_int(st, 1);
        for (int i = 0; i < CG_STAFF_NPOSITIONS; i++)
            if (!strcmp(position, cg_staff_positions[i]))
                out->staff[i] = n;
        out->staff_total += n;
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int cg_area_figures(cg_store *s, const char *path, cg_arena *a, struct cg_area_figures *out)
{
    memset(out, 0, sizeof *out);
    struct cg_scope sc;
    int rc = cg_scope_at(path, a, &sc);
    if (!rc)
        rc = count_residents(s, &sc, out);
    if (!rc)
        rc = count_areas(s, &sc, out);
    if (!rc)
        rc = count_staff(s, &sc, out);
    return rc;
}
