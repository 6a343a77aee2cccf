/* Masking of personal identifiers for display: 1402**********1234 and
 * 138****5678. A role that needs the full value reads it through an
 * audited call instead. */
#ifndef CIVGRID_MASK_H
#define CIVGRID_MASK_H

#include "civgrid/arena.h"

/* Keeps the first 4 and last 4 characters of an ID number. NULL in, NULL out. */
char *cg_mask_id(cg_arena *a, const char *id);

/* Keeps the first 3 and last 4 digits of a phone number. */
char *cg_mask_phone(cg_arena *a, const char *phone);

/* Keeps the year of a birth date: 1980-**-**. A masked ID number hides
 * exactly its birth date (characters 7-14) and its county (5-6, which the
 * area tells): shown beside it, the full date would give the number back (the
 * check digit confirms the one candidate). With the year alone some thirty
 * numbers remain possible. NULL in, NULL out. */
char *cg_mask_birth_date(cg_arena *a, const char *date);

#endif
