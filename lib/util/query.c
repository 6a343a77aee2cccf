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

/* ---- percent-encoding and forms ---- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t cg_percent_decode(const char *s, size_t n, int plus_is_space, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
                   (lo = hex_digit(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return o;
}

/* Decodes a form's s[0..n) into arena memory. */
static char *form_decode(cg_arena *a, const char *s, size_t n, size_t *len)
{
    char *out = cg_arena_alloc(a, n + 1);
    if (out)
        *len = cg_percent_decode(s, n, 1, out);
    return out;
}

int cg_form_parse(const char *body, size_t len, cg_arena *a, struct cg_form *out)
{
    out->fields = NULL;
    out->n = 0;
    size_t cap = 0;
    const char *end = body + len;
    for (const char *p = body; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            if (out->n == CG_FORM_MAX_FIELDS)
                return CG_ETOOBIG;
            struct cg_form_field *grown =
                cg_arena_grow(a, out->fields, sizeof *out->fields, out->n, &cap);
            if (!grown)
                return CG_ENOMEM;
            out->fields = grown;
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *name_end = eq ? eq : stop;
            const char *value = eq ? eq + 1 : stop;
            struct cg_form_field *f = &out->fields[out->n];
            f->name = form_decode(a, p, (size_t)(name_end - p), &f->name_len);
            f->value = form_decode(a, value, (size_t)(stop - value), &f->value_len);
            if (!f->name || !f->value)
                return CG_ENOMEM;
            out->n++;
        }
        p = stop + 1;
    }
    return 0;
}

static int name_is(const struct cg_form_field *f, const char *name)
{
    size_t n = strlen(name);
    return f->name_len == n && memcmp(f->name, name, n) == 0;
}

const char *cg_form_get(const struct cg_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (name_is(&f->fields[i], name))
            return f->fields[i].value;
    return NULL;
}

size_t cg_form_count(const struct cg_form *f, const char *name)
{
    size_t count = 0;
    for (size_t i = 0; i < f->n; i++)
        count += name_is(&f->fields[i], name);
    return count;
}

int cg_form_next_bracket(const struct cg_form *f, const char *prefix, size_t *pos, cg_arena *a,
                         const char **key, const char **value)
{
    size_t plen = strlen(prefix);
    for (size_t i = *pos; i < f->n; i++) {
        const struct cg_form_field *ff = &f->fields[i];
        if (ff->name_len < plen + 3 || memcmp(ff->name, prefix, plen) || ff->name[plen] != '[' ||
            ff->name[ff->name_len - 1] != ']')
            continue;
        const char *k = ff->name + plen + 1;
        size_t klen = ff->name_len - plen - 2;
        if (memchr(k, ']', klen) || memchr(k, '[', klen) || memchr(k, 0, klen))
            continue;
        *key = cg_arena_strndup(a, k, klen);
        *value = ff->value;
        *pos = i + 1;
        return *key ? 1 : 0;
    }
    *pos = f->n;
    return 0;
}
