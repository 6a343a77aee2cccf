/* The values of URL query parameters: libmicrohttpd splits the query string
 * and percent-decodes it; these read one decoded value into a typed one, so
 * that every route reads numbers and yes/no flags the same way. */
#ifndef CIVGRID_QUERY_H
#define CIVGRID_QUERY_H

#include <stdint.h>

/* Reads v as a whole decimal number from min to max (blanks, then an
 * optional sign, then digits, and nothing after them). Returns 0 with *out
 * set, or CG_EBADTYPE with *out untouched. */
int cg_query_int(const char *v, int64_t min, int64_t max, int64_t *out);

/* Reads v as a yes/no flag: NULL, "", "0", "false" or "no" is 0; "1", "true"
 * or "yes" is 1 (any case). Returns 0, or CG_EBADTYPE for anything else
 * (*out is then 0). */
int cg_query_flag(const char *v, int *out);

#endif
