/* The one rule for text that people type into the registry: names of areas,
 * residents, places, staff and departments, addresses, notes. Every door
 * (API, command line, CSV import, demo) reaches it through the concept's own
 * check, so a name that one door refuses is refused by all of them. */
#ifndef CIVGRID_TEXT_H
#define CIVGRID_TEXT_H

#include <stddef.h>

#include "civgrid/arena.h"
#include "civgrid/field.h"

/* Checks value as the text field `field`, described as `what` in messages
 * ("an area name"). Spaces (ASCII and the ideographic U+3000) at either end
 * are trimmed first. What remains must be valid UTF-8 (no overlong forms, no
 * surrogates), hold no control character (C0 including tab, CR and LF, DEL,
 * C1) and be at most max bytes long. Empty or NULL is CG_EMISSING when
 * required, else 0 with *out = NULL. A bad text is CG_EBADTYPE naming field.
 * *out receives the trimmed text: value itself, or an arena copy. */
int cg_text_check(const char *value, const char *field, const char *what, size_t max, int required,
                  cg_arena *a, const char **out, struct cg_field_error *fe);

/* The same rule for text written in lines (a case's description, a note, an
 * agreement): line feeds are kept, a CR LF or a lone CR becomes one LF, and
 * every other control character is refused as cg_text_check refuses it.
 * Spaces and line breaks at either end are trimmed. */
int cg_text_check_lines(const char *value, const char *field, const char *what, size_t max,
                        int required, cg_arena *a, const char **out, struct cg_field_error *fe);

/* Whether code is 1-32 ASCII letters, digits, '-', '_' or '.': the form of
 * area, place and department codes, which travel in URLs, CSV files and QR
 * codes. */
int cg_code_valid(const char *code);

/* Whether the n bytes at s are valid UTF-8 without control characters. */
int cg_text_valid(const char *s, size_t n);

#endif
