/* Cases as JSON (docs/cases.md): the shapes the API answers and the command
 * line prints with --json. Every result is a new reference (json_decref);
 * text that is not valid UTF-8 is repaired into a (U+FFFD), never dropped. */
#ifndef CIVGRID_CASE_JSON_H
#define CIVGRID_CASE_JSON_H

#include <jansson.h>

#include "civgrid/arena.h"
#include "civgrid/case.h"

/* The whole case: the summary with "actions", "events", "attachments" and
 * "copies" (fill it with cg_case_get). */
json_t *cg_case_json(cg_arena *a, const struct cg_case *c);

/* A case as lists show it: no actions, timeline, photos or copies. */
json_t *cg_case_summary_json(cg_arena *a, const struct cg_case *c);

/* The codes of the actions set in bits (1u << action), in table order. */
json_t *cg_case_actions_json(unsigned actions);

json_t *cg_case_attachment_json(cg_arena *a, const struct cg_case_attachment *x);
json_t *cg_case_category_json(const struct cg_case_category *c);

#endif
