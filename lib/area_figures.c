/* An area card's figures (area_figures.h): the subtree's figure counts
 * (counts.h), judged today. */
#include "civgrid/area_figures.h"

#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"

int cg_area_figures(cg_store *s, const char *path, cg_arena *a, struct cg_area_figures *out)
{
    memset(out, 0, sizeof *out);
    struct cg_counts c;
    struct cg_counts_want want = {cg_now(), 0, NULL, 0};
    int rc = path ? cg_counts_get(s, &want, path, NULL, 0, a, &c, NULL) : CG_EINVAL;
    if (rc)
        return rc;
    out->residents = c.residents;
    out->floating = c.floating;
    out->households = c.households;
    out->buildings = c.buildings;
    out->grids = c.grids;
    out->staff_total = c.staff_total;
    memcpy(out->staff, c.staff, sizeof out->staff);
    return 0;
}
