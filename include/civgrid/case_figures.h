/* Figures of cases: handled rate, on-time rate and time in each state, of an
 * area's subtree over a period of filing days, in total and by one
 * dimension. docs/cases.md ("Figures of cases") defines every figure.
 *
 * They are read from a summary (table case_figures) that the fold keeps up
 * to date from the timeline (case_events) past a watermark: the scheduler
 * folds every few seconds and cg_case_figures_get folds what is pending
 * before it reads, so answers are exact. cg_case_figures_rebuild computes the
 * summary from scratch; cg_case_figures_direct computes the same figures
 * with a straightforward GROUP BY over the cases (checks and benchmarks). */
#ifndef CIVGRID_CASE_FIGURES_H
#define CIVGRID_CASE_FIGURES_H

#include <jansson.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* The dimensions, X(enum name, code). */
#define CG_CASE_FIG_BYS(X)                                                                         \
    X(NONE, "")                                                                                    \
    X(DOMAIN, "domain")                                                                            \
    X(CATEGORY, "category")                                                                        \
    X(TYPE, "type")                                                                                \
    X(CHILD_AREA, "child_area")                                                                    \
    X(DEPARTMENT, "department")                                                                    \
    X(MONTH, "month")                                                                              \
    X(DAY, "day")

enum cg_case_fig_by {
#define CG__FIG_BY_ENUM(name, code) CG_CASE_FIG_BY_##name,
    CG_CASE_FIG_BYS(CG__FIG_BY_ENUM)
#undef CG__FIG_BY_ENUM
};

/* The states whose stays are timed: reported, handling, done. */
#define CG_CASE_FIG_NSTATES 3
extern const char *const cg_case_fig_states[CG_CASE_FIG_NSTATES];

/* The counters of a set of cases (docs/cases.md has the definitions). */
struct cg_case_fig {
    int64_t filed, closed, closed_on_time, open_overdue;
    int64_t secs[CG_CASE_FIG_NSTATES]; /* ended stays in the state, summed */
    int64_t n[CG_CASE_FIG_NSTATES];    /* cases with an ended stay in it */
};

struct cg_case_fig_group {
    const char *key;     /* domain, category, type, area or department code; "2026-03";
                          * "2026-03-15"; NULL: the area units (department) */
    const char *zh, *en; /* domain, category, type */
    const char *domain;  /* category */
    const char *name;    /* child area, department */
    const char *level;   /* child area */
    int self;            /* child_area: the cases filed on the area itself */
    struct cg_case_fig f;
};

struct cg_case_fig_query {
    const char *area_code; /* NULL: the actor's own area */
    const char *from, *to; /* "YYYY-MM-DD", inclusive; NULL: 1 January this year, today */
    const char *by;        /* a CG_CASE_FIG_BYS code; NULL or "": totals only */
};

struct cg_case_figures {
    struct cg_area area;
    char from[11], to[11];
    enum cg_case_fig_by by;
    int64_t as_of;
    struct cg_case_fig total;
    struct cg_case_fig_group *groups;
    size_t ngroups;
};

/* The figures of the area's subtree (in the actor's scope: else
 * CG_ENOTFOUND naming area_code) for the cases filed from q->from to q->to,
 * grouped by q->by, as of now (the clock for open_overdue). Folds what is
 * pending first. Needs CG_PERM_CASES_READ. A department's user gets its
 * department's cases only. CG_EBADTYPE naming by, from or to for a malformed
 * value; CG_ERANGE naming to for a period that ends before it starts or is
 * too long. */
int cg_case_figures_get(cg_store *s, const struct cg_actor *actor,
                        const struct cg_case_fig_query *q, int64_t now, cg_arena *a,
                        struct cg_case_figures *out, struct cg_field_error *fe);

/* The same figures computed from the cases and their timeline with plain
 * GROUP BYs, without the summary: the reference the tests compare with. */
int cg_case_figures_direct(cg_store *s, const struct cg_actor *actor,
                           const struct cg_case_fig_query *q, int64_t now, cg_arena *a,
                           struct cg_case_figures *out, struct cg_field_error *fe);

/* Folds the timeline entries past the watermark into the summary, in
 * transactions of at most batch entries (0: a default), until none is
 * pending. *folded (may be NULL) receives the number of entries folded. */
int cg_case_figures_fold(cg_store *s, int batch, int64_t *folded);

/* The scheduler's tick (job "case_figures.fold"). */
int cg_case_figures_tick(cg_store *s, int64_t now);

/* Computes the whole summary again from the cases and their timeline, in one
 * transaction, and sets the watermark to the last timeline entry. */
int cg_case_figures_rebuild(cg_store *s);

/* The answer of GET /api/v1/case-figures (docs/cases.md), for the API and
 * the command line; NULL when out of memory. */
json_t *cg_case_figures_json(const struct cg_case_figures *f);

/* The share num ÷ den, or a negative number when den is 0 (no rate). */
double cg_case_fig_rate(int64_t num, int64_t den);

#endif
