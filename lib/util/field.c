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

int cg_field_why(int err, struct cg_field_error *fe, const char *reason, const char *value)
{
    if (fe) {
        snprintf(fe->reason, sizeof fe->reason, "%s", reason ? reason : "");
        const char *v = value ? value : "";
        size_t n = snprintf(fe->value, sizeof fe->value, "%s", v);
        if (n >= sizeof fe->value) { /* cut before the first character that does not fit */
            n = sizeof fe->value - 1;
            while (n && ((unsigned char)v[n] & 0xC0) == 0x80)
                n--;
            fe->value[n] = '\0';
        }
    }
    return err;
}
