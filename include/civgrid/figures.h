/* The figures of a subtree, for the home page: how many people live there,
 * how many are floating, how many are on each ledger, what changed in the last
 * seven days, and the same counts for each child area, to compare them. Counts
 * only: no name, ID number or phone ever leaves this module. */
#ifndef CIVGRID_FIGURES_H
#define CIVGRID_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/ledger.h"
#include "civgrid/store.h"

/* The window of "changes this week": today and the six days before it,
 * from local midnight (Asia/Shanghai), so that the additions are whole days
 * of the figure counts (counts.h). */
#define CG_FIGURES_WEEK_DAYS 7

/* The week's first moment at time now: local midnight six days before today. */
int64_t cg_figures_week_start(int64_t now);

/* Counts of active residents in one subtree. ledger[i] is the number on
 * figures.ledgers[i] (same order, the catalogue's). */
struct cg_figures_counts {
    int64_t population, floating;
    int64_t *ledger;
};

struct cg_figures_child {
    const char *code, *name, *level;
    struct cg_figures_counts counts;
};

struct cg_figures {
    struct cg_area area; /* the subtree's node */
    int64_t now, since;  /* the week is [since, now]: cg_figures_week_start(now) */
    struct cg_figures_counts counts;
    int64_t added;             /* residents created in the week (any status today) */
    int64_t moved_out;         /* residents whose status became moved_out in the week */
    int64_t corrected;         /* residents with a correction of a field in the week */
    struct cg_ledger *ledgers; /* the catalogue; count is counts.ledger[i] (see below) */
    size_t nledgers;
    struct cg_figures_child *children; /* in code order, at most CG_AREA_CHILDREN_MAX */
    size_t nchildren;
    int64_t children_total; /* how many children the node has (> nchildren: cut) */
};

/* The figures of code's subtree (NULL or empty: the actor's own area) at
 * time now. Needs CG_PERM_AREAS_READ (like an area card, which counts
 * residents too) and the node in scope (CG_ENOTFOUND otherwise); the ledgers
 * are counted only for an actor with CG_PERM_PEOPLE_READ (nledgers is 0 for
 * the others). Counts come from the figure counts (counts.h): the rows of the
 * node and of its children, however many residents; moves out and
 * corrections from two look-ups of the week in the history. */
int cg_figures_get(cg_store *s, const struct cg_actor *actor, const char *code, int64_t now,
                   cg_arena *a, struct cg_figures *out);

#endif
