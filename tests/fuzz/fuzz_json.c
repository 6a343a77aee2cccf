/* Fuzz target: JSON request bodies. cg_json_parse_object either refuses the
 * bytes with a message or gives an object; every member of that object is
 * then read with the typed field readers the routes use, and whatever they
 * accept must be what they promise (a string within its length and without
 * NUL, an integer). An accepted object must also survive being written out
 * and read back, since responses echo what requests sent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/json.h"

static void check_field(json_t *obj, const char *key)
{
    struct cg_field_error fe;
    static const size_t maxlens[] = {0, 1, 64, 4096};
    for (size_t i = 0; i < sizeof maxlens / sizeof maxlens[0]; i++) {
        const char *s = NULL;
        memset(&fe, 0, sizeof fe);
        int rc = cg_json_get_string(obj, key, (int)(i & 1), maxlens[i], &s, &fe);
        if (rc == 0 && s && strlen(s) > maxlens[i])
            abort();
        if (rc && (s || !memchr(fe.message, 0, sizeof fe.message) || !fe.message[0]))
            abort();
    }
    int64_t n = 0;
    int present = 0;
    int rc = cg_json_get_int(obj, key, 1, &n, &present, &fe);
    if (rc == 0 && (!present || !json_is_integer(json_object_get(obj, key)) ||
                    json_integer_value(json_object_get(obj, key)) != n))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *obj = NULL;
    struct cg_field_error fe;
    memset(&fe, 0, sizeof fe);
    if (cg_json_parse_object((const char *)data, size, &obj, &fe)) {
        if (obj || !fe.message[0])
            abort();
        return 0;
    }
    if (!json_is_object(obj))
        abort();
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it))
        check_field(obj, json_object_iter_key(it));
    check_field(obj, "absent");
    char *text = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        abort();
    json_t *again = NULL;
    if (cg_json_parse_object(text, strlen(text), &again, &fe) || !json_equal(obj, again))
        abort();
    json_decref(again);
    free(text);
    json_decref(obj);
    return 0;
}
