/* Supervision cards (督办): a case not accepted within its category's
 * accept_yellow working days gets a yellow card, within accept_red a red one;
 * a case not closed within finish_yellow / finish_red the same (defaults
 * 2 / 5 and 5 / 10, table case_categories). Both counts start at filing, as
 * the case's accept_due and finish_due do (docs/cases.md), and use the
 * working-day calendar (calendar.h).
 *
 * Each card is given once per case (table case_cards): its colour goes to
 * cases.card (the highest given), an entry with action "card" and note
 * "<stage>.<colour>" ("accept.yellow") to the case's timeline, and one
 * "case.overdue" notification to the outbox (outbox.h), all in one
 * transaction. */
#ifndef CIVGRID_CARDS_H
#define CIVGRID_CARDS_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/store.h"

/* The scheduler's tick (job "case.cards", every 5 minutes): gives every card
 * due at now that was not given yet. It selects the overdue open cases per
 * threshold with one cutoff time (cg_workdays_cutoff), so a run reads the
 * open cases only, and gives at most a bounded number of cards per run (the
 * next run goes on). Idempotent. */
int cg_cards_tick(cg_store *s, int64_t now);

/* Open cases with a card, counted per holding unit. */
struct cg_overdue_unit {
    const char *area_code, *area_name, *area_level; /* the holding area */
    const char *department_code, *department_name;  /* NULL for an area unit */
    int64_t yellow, red;
};

/* One open case with a card (the list of a unit). */
struct cg_overdue_case {
    int64_t id, created_at, accept_due, finish_due; /* dues 0 when unknown */
    const char *title, *state, *card, *category;
};

#define CG_OVERDUE_UNITS_MAX 500
#define CG_OVERDUE_CASES_MAX 500

/* The overdue figures of the actor's scope (cases whose area lies in it):
 * every holding unit with open carded cases, most red first, at most
 * CG_OVERDUE_UNITS_MAX (*units_more says more exist). With unit (an area or
 * department code; NULL: none) also that unit's carded open cases, red
 * first, oldest first, at most CG_OVERDUE_CASES_MAX (*cases_more). Needs
 * CG_PERM_CASES_DISPATCH: overdue lists are for those who supervise the
 * units below them (the centre, commanders, grid heads). */
int cg_cards_overdue(cg_store *s, const struct cg_actor *actor, const char *unit, cg_arena *a,
                     struct cg_overdue_unit **units, size_t *n_units, int *units_more,
                     struct cg_overdue_case **cases, size_t *n_cases, int *cases_more);

#endif
