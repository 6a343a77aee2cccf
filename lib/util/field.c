/* Field errors (field.h). */
#include "civgrid/field.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const reason_names[] = {"",
#define CG__REASON_NAME(name, word) word,
                                           CG_FIELD_REASONS(CG__REASON_NAME)
#undef CG__REASON_NAME
};

const char *cg_reason_name(enum cg_reason r)
{
    return (unsigned)r < sizeof reason_names / sizeof *reason_names ? reason_names[r] : "";
}

int cg_field_fail(struct cg_field_error *fe, int err, const char *field, const char *fmt, ...)
{
    if (!fe)
        return err;
    snprintf(fe->field, sizeof fe->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fe->message, sizeof fe->message, fmt, ap);
    va_end(ap);
    fe->reason[0] = fe->value[0] = '\0';
    fe->min = fe->max = 0;
    fe->bounded = 0;
    return err;
}

int cg_field_why(int err, struct cg_field_error *fe, enum cg_reason reason, const char *value)
{
    if (fe) {
        snprintf(fe->reason, sizeof fe->reason, "%s", cg_reason_name(reason));
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

int cg_field_bounds(int err, struct cg_field_error *fe, long long min, long long max)
{
    if (fe) {
        fe->min = min;
        fe->max = max;
        fe->bounded = 1;
    }
    return err;
}
