/* The values of URL query parameters: libmicrohttpd splits the query string
 * and percent-decodes it; these read one decoded value into a typed one, so
 * that every route reads numbers and yes/no flags the same way. */
#ifndef CIVGRID_QUERY_H
#define CIVGRID_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/arena.h"

/* Reads v as a whole decimal number from min to max (blanks, then an
 * optional sign, then digits, and nothing after them). Returns 0 with *out
 * set, or CG_EBADTYPE with *out untouched. */
int cg_query_int(const char *v, int64_t min, int64_t max, int64_t *out);

/* Reads v as a yes/no flag: NULL, "", "0", "false" or "no" is 0; "1", "true"
 * or "yes" is 1 (any case). Returns 0, or CG_EBADTYPE for anything else
 * (*out is then 0). */
int cg_query_flag(const char *v, int *out);

/* Percent-decodes s[0..n) into out (at least n + 1 bytes, NUL-terminated)
 * and returns the decoded length; with plus_is_space a '+' becomes a space
 * (forms), without it stays (paths). A '%' not followed by two hex digits is
 * kept as it is. The result may hold NUL bytes: callers check it. */
size_t cg_percent_decode(const char *s, size_t n, int plus_is_space, char *out);

/* ---- application/x-www-form-urlencoded bodies ---- */

/* One name=value pair of a form, percent-decoded ('+' is a space). */
struct cg_form_field {
    const char *name, *value; /* NUL-terminated; may hold other NULs: len counts them */
    size_t name_len, value_len;
};

/* A parsed form: its pairs in the order sent, repeated names included. */
struct cg_form {
    struct cg_form_field *fields;
    size_t n;
};

/* The most pairs a form may have (more is CG_ETOOBIG): a service request
 * has a dozen, and a bound keeps a hostile body from costing much. */
#define CG_FORM_MAX_FIELDS 256

/* Parses len bytes of an application/x-www-form-urlencoded body into *out
 * (arena memory): pairs split at '&' (empty ones skipped), name and value at
 * the first '=' (a pair without one has an empty value), '+' read as a
 * space, %XX decoded (a '%' not followed by two hex digits is kept as is).
 * Returns 0, CG_ETOOBIG past CG_FORM_MAX_FIELDS, or CG_ENOMEM. Decoded text
 * is not checked: callers check what they read (cg_form_text). */
int cg_form_parse(const char *body, size_t len, cg_arena *a, struct cg_form *out);

/* The value of the first pair called name, or NULL. */
const char *cg_form_get(const struct cg_form *f, const char *name);

/* How many pairs are called name (a repeated field). */
size_t cg_form_count(const struct cg_form *f, const char *name);

/* Bracketed names, prefix[key]=value (Open311's attribute[code]=...): from
 * the pair at *pos on, finds the next whose name is prefix, '[', a key of 1
 * or more bytes without '[', ']' or NUL, and ']' with nothing after it. Returns 1 with
 * *key (arena), *value and *pos past it, or 0 when there is none. */
int cg_form_next_bracket(const struct cg_form *f, const char *prefix, size_t *pos, cg_arena *a,
                         const char **key, const char **value);

#endif
