/* The figure counts: the one place that counts an area's residents, ledger
 * entries, additions and staff for the home page (figures.h) and the area
 * card (area_figures.h). Counts are read from the table figure_counts, which
 * holds for every area node its own counts and its subtree's, so that a city
 * of a million residents is a few rows (docs/internals.md, "Figure counts").
 *
 * Writing: a concept's write function that changes what an area counts (its
 * residents, their ledger entries, its staff, a building's or grid's status)
 * calls cg_counts_touch with that area; the counts of every touched area are
 * brought up to date inside the same transaction, just before it commits
 * (a store hook), by counting that area's own rows again and adding the
 * difference to it and every node above. No door can therefore commit a
 * change without its counts, and a load of a million rows recounts each
 * touched area once. */
#ifndef CIVGRID_COUNTS_H
#define CIVGRID_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/arena.h"
#include "civgrid/store.h"

/* The number of staff positions (cg_staff_positions in staff.h). */
#define CG_STAFF_NPOSITIONS 6

/* What a reader wants counted. */
struct cg_counts_want {
    int64_t now;               /* what is current is judged at now (end dates, the week) */
    int64_t added_since;       /* count residents created on the local day of added_since
                                  or later (at most 7 days back); 0: do not */
    const int64_t *ledger_ids; /* counts.ledger[i] is the number on ledger ledger_ids[i] */
    size_t nledgers;
};

/* The counts of one subtree. */
struct cg_counts {
    int64_t residents;  /* active residents */
    int64_t floating;   /* of them, floating (流动) */
    int64_t households; /* distinct households among them */
    int64_t added;      /* residents created since want.added_since's day, whatever their status */
    int64_t buildings, grids;           /* active ones */
    int64_t staff[CG_STAFF_NPOSITIONS]; /* active assignments, indexed like cg_staff_positions */
    int64_t staff_total;
    int64_t *ledger; /* current entries of active residents, want.nledgers of them */
};

/* The counts of the subtree at the node whose path this is ("/1/5/") and of
 * the subtrees of the given children of it (child_ids[i] into children[i],
 * in any order; a node's children need not all be given). No actor: the
 * caller has checked that the node is in scope. CG_EINVAL for a path that
 * is not an area's. */
int cg_counts_get(cg_store *s, const struct cg_counts_want *want, const char *node_path,
                  const int64_t *child_ids, size_t nchildren, cg_arena *a, struct cg_counts *node,
                  struct cg_counts *children);

/* Notes that the counts of the area with this id (or of the area whose path
 * this is) may have changed in the current transaction: what its residents,
 * their ledger entries or its staff assignments are. Cheap; called once per
 * written row. CG_ENOMEM only. */
int cg_counts_touch(cg_store *s, int64_t area_id);
int cg_counts_touch_path(cg_store *s, const char *path);
/* The same for the area of a resident whose ledger entries or status change:
 * reads and locks the resident's row (PostgreSQL), so that a move of the
 * same resident in another transaction cannot slip between the read and the
 * recount. CG_ENOTFOUND when there is no such resident. */
int cg_counts_touch_resident(cg_store *s, int64_t resident_id);

/* An area moved from below old_path to below new_path (the paths of the node
 * itself, before and after): its subtree's counts leave the nodes above it
 * and join the new ones. Call in the move's transaction, after the paths are
 * rewritten. */
int cg_counts_move(cg_store *s, int64_t node_id, const char *old_path, const char *new_path);

/* Recounts every area from scratch, in a transaction of its own (what the
 * migration that created the table did). */
int cg_counts_rebuild(cg_store *s);

/* The scheduler's tick (job "figures.prune", daily): deletes the counts that
 * can no longer be read at now (ledger entries and assignments that have
 * ended, additions older than a week) and empty rows. Idempotent. */
int cg_counts_tick(cg_store *s, int64_t now);

#endif
