/* Fuzz target: W3C datetimes (cg_w3c_parse), Open311's start_date and
 * end_date. Whatever is accepted formats back (cg_w3c_format) to a time
 * that parses to the same second, and lies within the years 0000-9999 give
 * or take a day. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/w3c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t = 0, back = 0;
    if (cg_w3c_parse(s, &t) == 0) {
        if (t < -62167219200LL - 86400 || t > 253402300799LL + 86400)
            abort();
        char out[32];
        cg_w3c_format(t, out);
        if (t >= 0 && t < 253402300800LL && (cg_w3c_parse(out, &back) || back != t))
            abort();
    }
    free(s);
    return 0;
}
