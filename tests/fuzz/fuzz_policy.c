/* Fuzzes the policy profile parser: any bytes are either refused with a
 * reason or parsed into a profile that writes back as text and as JSON and
 * reads back to the very same struct. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/buf.h"
#include "civgrid/policy.h"

/* A round trip that loses or changes a value is a bug: stop loudly. */
static void round_trip(const struct cg_policy *p)
{
    struct cg_policy q, r;
    struct cg_policy_error err;
    cg_buf text, again;
    cg_buf_init(&text, 0);
    cg_buf_init(&again, 0);
    if (cg_policy_format(p, &text) || cg_policy_parse(text.data, text.len, &q, &err) ||
        memcmp(p, &q, sizeof q))
        abort();
    json_t *j = cg_policy_json(p);
    if (!j || cg_policy_parse_json(j, &r, &again, &err) || memcmp(p, &r, sizeof r) ||
        strcmp(text.data, again.data))
        abort();
    json_decref(j);
    cg_buf_free(&text);
    cg_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cg_policy p;
    struct cg_policy_error err;
    int rc = cg_policy_parse((const char *)data, size, &p, &err);
    if (rc == 0)
        round_trip(&p);
    else if (!err.reason || !err.message[0])
        abort(); /* every refusal says why */
    return 0;
}
