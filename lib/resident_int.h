/* Internals shared by lib/resident.c and lib/resident_export.c. */
#ifndef CIVGRID_RESIDENT_INT_H
#define CIVGRID_RESIDENT_INT_H

#include <stddef.h>

#include "civgrid/resident.h"

/* Checks the purpose of an export with full numbers: trimmed, 4-200
 * characters of text (text.h). *out is the trimmed text. */
int cg__resident_check_purpose(const char *purpose, cg_arena *a, const char **out,
                               struct cg_field_error *fe);

/* The per-request cap of exports with full numbers. */
int cg__resident_export_max_rows(void);

/* Counts n rows against the actor's cap in any 24 hours, in a transaction of
 * its own: CG_EEXPORT_QUOTA (nothing counted) when they do not fit. The
 * command line (user_id 0) holds the database itself and is not counted. */
int cg__resident_export_reserve(cg_store *s, const struct cg_actor *actor, size_t n,
                                struct cg_field_error *fe);

#endif
