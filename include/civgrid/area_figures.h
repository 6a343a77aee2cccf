/* An area's figures: the exact counts of what lies in its subtree (people,
 * households, buildings, grids, staff by position), for area cards. The
 * home page's figures (ledgers, the week's changes, children compared) are
 * figures.h; both read their counts from one module, counts.h.
 *
 * Every count is over the area and everything below it, read from the
 * subtree's rows of the figure counts, so that a city is counted as quickly
 * as a grid: nothing is listed, capped or sampled. */
#ifndef CIVGRID_AREA_FIGURES_H
#define CIVGRID_AREA_FIGURES_H

#include <stdint.h>

#include "civgrid/arena.h"
#include "civgrid/counts.h"
#include "civgrid/store.h"

struct cg_area_figures {
    int64_t residents;  /* active residents */
    int64_t floating;   /* of them, floating (流动) residents */
    int64_t households; /* distinct households among them */
    int64_t buildings;  /* active buildings */
    int64_t grids;      /* active grids */
    int64_t staff_total;
    /* Active staff assignments by position, indexed like cg_staff_positions. */
    int64_t staff[CG_STAFF_NPOSITIONS];
};

/* The figures of the subtree at path (an area's path, "/1/5/"), the area
 * itself included. No actor: the caller has already checked that the area is
 * in the actor's scope (cg_area_get). CG_EINVAL for an empty path, CG_ENOMEM,
 * or a store error. */
int cg_area_figures(cg_store *s, const char *path, cg_arena *a, struct cg_area_figures *out);

#endif
