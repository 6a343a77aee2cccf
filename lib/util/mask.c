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
