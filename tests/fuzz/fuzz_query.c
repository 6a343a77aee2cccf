/* Fuzz target: query strings. libmicrohttpd splits a query string at '&' and
 * '=' and percent-decodes names and values (MHD_http_unescape, after '+'
 * became a space); the routes then read numbers and flags with
 * cg_query_int and cg_query_flag. This does the same to the input and
 * checks that whatever is accepted is within what was asked for. */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/query.h"

/* The ranges the routes ask for (limit, offset, since/until). */
static const int64_t ranges[][2] = {
    {1, 1000}, {0, 100000000}, {0, INT64_MAX}, {INT64_MIN, INT64_MAX}};

static void check_value(const char *v)
{
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int64_t n = 7;
        if (cg_query_int(v, ranges[i][0], ranges[i][1], &n) == 0) {
            if (n < ranges[i][0] || n > ranges[i][1])
                abort();
        } else if (n != 7) {
            abort(); /* a refused value leaves *out alone */
        }
    }
    int flag = 5;
    int rc = cg_query_flag(v, &flag);
    if (flag != 0 && flag != 1)
        abort();
    if (rc && flag)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    char *save = NULL;
    for (char *pair = strtok_r(q, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        char *value = eq ? eq + 1 : NULL;
        if (eq)
            *eq = '\0';
        MHD_http_unescape(pair);
        if (value) {
            for (char *p = value; *p; p++)
                if (*p == '+')
                    *p = ' ';
            MHD_http_unescape(value);
        }
        check_value(value);
    }
    free(q);
    return 0;
}
