#include "civgrid/mask.h"

#include <string.h>

static char *mask(cg_arena *a, const char *s, size_t keep_head, size_t keep_tail)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *out = cg_arena_strdup(a, s);
    if (!out)
        return NULL;
    if (n <= keep_head + keep_tail) {
        /* Too short to keep anything and still hide something: hide it all. */
        memset(out, '*', n);
        return out;
    }
    memset(out + keep_head, '*', n - keep_head - keep_tail);
    return out;
}

char *cg_mask_id(cg_arena *a, const char *id)
{
    return mask(a, id, 4, 4);
}

char *cg_mask_phone(cg_arena *a, const char *phone)
{
    return mask(a, phone, 3, 4);
}

char *cg_mask_birth_date(cg_arena *a, const char *date)
{
    char *out = mask(a, date, 5, 0);
    if (out && strlen(out) == 10 && date[4] == '-' && date[7] == '-')
        out[7] = '-'; /* 1980-**-**, still read as a date with its year */
    return out;
}
