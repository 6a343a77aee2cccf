#include "civgrid/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civgrid/error.h"

int cg_json_parse_object(const char *data, size_t len, json_t **out, struct cg_field_error *fe)
{
    json_error_t jerr;
    *out = NULL;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return cg_field_fail(fe, CG_EBADJSON, NULL, "malformed JSON at line %d column %d: %s",
                             jerr.line, jerr.column, jerr.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return cg_field_fail(fe, CG_EBADJSON, NULL, "the request body must be a JSON object");
    }
    *out = v;
    return 0;
}

static json_t *lookup(json_t *obj, const char *key, int required, int *rc,
                      struct cg_field_error *fe)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    *rc = 0;
    if (!v || json_is_null(v)) {
        if (required)
            *rc = cg_field_why(cg_field_fail(fe, CG_EMISSING, key, "field '%s' is required", key),
                               fe, CG_R_MISSING, NULL);
        return NULL;
    }
    return v;
}

int cg_json_get_string(json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                       struct cg_field_error *fe)
{
    int rc;
    *out = NULL;
    json_t *v = lookup(obj, key, required, &rc, fe);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, key, "field '%s' must be a string", key),
                            fe, CG_R_NOT_STRING, NULL);
    if (json_string_length(v) > maxlen)
        return cg_field_bounds(
            cg_field_why(cg_field_fail(fe, CG_EBADTYPE, key, "field '%s' is longer than %zu bytes",
                                       key, maxlen),
                         fe, CG_R_TOO_LONG, NULL),
            fe, 0, (long long)maxlen);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, key, "field '%s' contains a NUL character", key), fe,
            CG_R_BAD_TEXT, NULL);
    *out = json_string_value(v);
    return 0;
}

int cg_json_get_int(json_t *obj, const char *key, int required, int64_t *out, int *present,
                    struct cg_field_error *fe)
{
    int rc;
    if (present)
        *present = 0;
    json_t *v = lookup(obj, key, required, &rc, fe);
    if (!v)
        return rc;
    if (!json_is_integer(v))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, key, "field '%s' must be an integer", key), fe,
            CG_R_NOT_INTEGER, NULL);
    *out = json_integer_value(v);
    if (present)
        *present = 1;
    return 0;
}
