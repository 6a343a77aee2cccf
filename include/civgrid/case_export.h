/* Exports of cases (GET /api/v1/cases/export): the cases of an area's
 * subtree as CSV or xlsx in the office's words (Chinese column heads and
 * values), streamed to a temporary file page by page, so that memory does
 * not grow with the number of rows. docs/cases.md ("Export"). */
#ifndef CIVGRID_CASE_EXPORT_H
#define CIVGRID_CASE_EXPORT_H

#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

struct cg_case_export_query {
    const char *area_code;     /* NULL: the actor's own area */
    const char *state;         /* a state code or "open"; NULL: all */
    const char *type, *domain; /* NULL: all */
    const char *created_from;  /* epoch seconds or an ISO date/time; NULL: open */
    const char *created_to;    /* exclusive; NULL: open */
    int xlsx;                  /* 0: CSV */
};

struct cg_case_export {
    struct cg_area area; /* the subtree exported */
    int fd;              /* the finished file, read from 0; the caller closes it */
    int64_t size, rows;
};

/* Writes the cases the actor may see (its scope; a department's user: the
 * cases assigned or copied to its department) that match q, oldest first,
 * into a file. Needs CG_PERM_CASES_READ. Audited as a read (case.export).
 * CG_EBADTYPE naming the filter for an unknown code or time; CG_ENOTFOUND
 * naming area_code outside the scope. */
int cg_case_export(cg_store *s, const struct cg_actor *actor, const struct cg_case_export_query *q,
                   cg_arena *a, struct cg_case_export *out, struct cg_field_error *fe);

#endif
