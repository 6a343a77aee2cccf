#include "civgrid/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civgrid/error.h"

int cg_query_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
    if (!v)
        return CG_EBADTYPE;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return CG_EBADTYPE;
    *out = n;
    return 0;
}

int cg_query_flag(const char *v, int *out)
{
    *out = 0;
    if (!v || !*v || !strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
        return 0;
    if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes")) {
        *out = 1;
        return 0;
    }
    return CG_EBADTYPE;
}
