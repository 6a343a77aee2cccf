/* JSON input helpers on top of jansson: parse a request body strictly and
 * read typed fields, naming the field in the error so that a client knows
 * what to fix. */
#ifndef CIVGRID_JSON_H
#define CIVGRID_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "civgrid/field.h"

/* Parses len bytes as one JSON object (duplicate keys refused).
 * CG_EBADJSON with the parser's message in fe->message; *out owned by the
 * caller (json_decref). */
int cg_json_parse_object(const char *data, size_t len, json_t **out, struct cg_field_error *fe);

/* Reads obj[key] as a string of at most maxlen bytes. Missing or null:
 * CG_EMISSING if required, else 0 with *out = NULL. Other types or too long:
 * CG_EBADTYPE. *out points into obj. */
int cg_json_get_string(json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                       struct cg_field_error *fe);

/* Reads obj[key] as an integer; like cg_json_get_string. *present tells
 * whether it was there (may be NULL when required). */
int cg_json_get_int(json_t *obj, const char *key, int required, int64_t *out, int *present,
                    struct cg_field_error *fe);

#endif
