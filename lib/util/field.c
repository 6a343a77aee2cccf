/* Field errors (field.h). */
#include "civgrid/field.h"

#include <stdarg.h>
#include <stdio.h>

int cg_field_fail(struct cg_field_error *fe, int err, const char *field, const char *fmt, ...)
{
    if (!fe)
        return err;
    snprintf(fe->field, sizeof fe->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fe->message, sizeof fe->message, fmt, ap);
    va_end(ap);
    return err;
}
