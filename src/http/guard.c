#include "guard.h"

#include <microhttpd.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/query.h"
#include "civgrid/utf8.h"

static int has_control(const char *s, size_t n, int allow_tab)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f)
            return 1;
    }
    return 0;
}

static int check_path(struct http_req *r)
{
    const char *raw = r->raw_uri ? r->raw_uri : r->path;
    size_t n = strcspn(raw, "?");
    char *path = cg_arena_alloc(r->arena, n + 1);
    if (!path)
        return CG_ENOMEM;
    size_t len = cg_percent_decode(raw, n, 0, path);
    if (has_control(path, len, 0) || !cg_utf8_valid(path, len))
        return http_fail(r, CG_EINVAL, NULL,
                         "the path has a NUL byte, a control character or text that is not UTF-8");
    return 0;
}

struct scan {
    struct http_req *r;
    size_t bytes; /* of the header block */
    int rc;
};

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct scan *sc = cls;
    sc->bytes += key_size + value_size + 4;
    if (has_control(key, key_size, 0) || (value && has_control(value, value_size, 1))) {
        sc->rc = http_fail(sc->r, CG_EINVAL, NULL,
                           "the header '%s' has a control character (CR, LF or NUL)",
                           cg_utf8_repair(sc->r->arena, key));
        return MHD_NO;
    }
    return MHD_YES;
}

/* Every query parameter, name and value, is UTF-8 text without NUL:
 * text stored from a request must be shown again as JSON. */
static enum MHD_Result check_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct scan *sc = cls;
    int bad_key = memchr(key, 0, key_size) || !cg_utf8_valid(key, key_size);
    int bad_value = value && (memchr(value, 0, value_size) || !cg_utf8_valid(value, value_size));
    if (bad_key || bad_value) {
        const char *name = cg_utf8_repair(sc->r->arena, key);
        sc->rc =
            cg_field_why(http_fail(sc->r, CG_EBADTYPE, name ? name : "query",
                                   "query parameter '%s' is not UTF-8 text (or has a NUL byte)",
                                   name ? name : "?"),
                         &sc->r->ferr, CG_R_BAD_TEXT, NULL);
        return MHD_NO;
    }
    return MHD_YES;
}

int guard_request(struct http_req *r)
{
    size_t limit = r->cfg->max_header;
    size_t line = strlen(r->raw_uri ? r->raw_uri : r->path) + strlen(r->method) + 12;
    if (line > limit)
        return http_fail(r, CG_EURILONG, NULL, "the request line is longer than %zu bytes", limit);
    struct scan sc = {r, line, 0};
    MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, check_header, &sc);
    if (sc.rc)
        return sc.rc;
    if (sc.bytes > limit)
        return http_fail(r, CG_EHEADERSBIG, NULL,
                         "the request line and headers are larger than %zu bytes", limit);
    int rc = check_path(r);
    if (rc)
        return rc;
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, check_argument, &sc);
    return sc.rc;
}
