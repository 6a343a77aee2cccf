#include "civgrid/text.h"

#include <string.h>

#include "civgrid/error.h"

/* The length of the UTF-8 sequence at s (at most n bytes) and its code point,
 * or 0 when the bytes are not a shortest-form sequence of a scalar value. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

static int is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Whether the n bytes at s are UTF-8 without control characters other than
 * line feeds when lines is set. */
static int valid(const char *s, size_t n, int lines)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp = 0;
        size_t len = utf8_next(p + i, n - i, &cp);
        if (!len || (is_control(cp) && !(lines && cp == '\n')))
            return 0;
        i += len;
    }
    return 1;
}

int cg_text_valid(const char *s, size_t n)
{
    return valid(s, n, 0);
}

int cg_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > 32)
        return 0;
    for (const char *p = code; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

/* The length of a space (ASCII or U+3000; a line feed too in lines) at s, or 0. */
static size_t space_at(const char *s, size_t n, int lines)
{
    if (n >= 1 && (s[0] == ' ' || (lines && s[0] == '\n')))
        return 1;
    if (n >= 3 && !memcmp(s, "\xe3\x80\x80", 3))
        return 3;
    return 0;
}

static size_t space_before(const char *s, size_t n, int lines)
{
    if (n >= 1 && (s[n - 1] == ' ' || (lines && s[n - 1] == '\n')))
        return 1;
    if (n >= 3 && !memcmp(s + n - 3, "\xe3\x80\x80", 3))
        return 3;
    return 0;
}

static int check(const char *value, const char *field, const char *what, size_t max, int required,
                 int lines, cg_arena *a, const char **out, struct cg_field_error *fe)
{
    *out = NULL;
    size_t n = value ? strlen(value) : 0, k;
    const char *s = value;
    while ((k = space_at(s, n, lines)))
        s += k, n -= k;
    while ((k = space_before(s, n, lines)))
        n -= k;
    if (n == 0)
        return required ? cg_field_why(cg_field_fail(fe, CG_EMISSING, field, "%s is missing", what),
                                       fe, CG_R_MISSING, NULL)
                        : 0;
    if (!valid(s, n, lines))
        return cg_field_why(cg_field_fail(fe, CG_EBADTYPE, field,
                                          "%s must be UTF-8 text without control characters "
                                          "(tab, line breaks)",
                                          what),
                            fe, CG_R_BAD_TEXT, value);
    if (n > max)
        return cg_field_bounds(cg_field_why(cg_field_fail(fe, CG_EBADTYPE, field,
                                                          "%s is at most %zu bytes", what, max),
                                            fe, CG_R_TOO_LONG, value),
                               fe, 0, (long long)max);
    if (n == strlen(value)) {
        *out = value;
        return 0;
    }
    char *copy = a ? cg_arena_alloc(a, n + 1) : NULL;
    if (!copy)
        return CG_ENOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';
    *out = copy;
    return 0;
}

int cg_text_check(const char *value, const char *field, const char *what, size_t max, int required,
                  cg_arena *a, const char **out, struct cg_field_error *fe)
{
    return check(value, field, what, max, required, 0, a, out, fe);
}

int cg_text_check_lines(const char *value, const char *field, const char *what, size_t max,
                        int required, cg_arena *a, const char **out, struct cg_field_error *fe)
{
    if (!value || !strchr(value, '\r'))
        return check(value, field, what, max, required, 1, a, out, fe);
    /* Browsers send a textarea's lines as CR LF (HTML's form encoding). */
    size_t n = strlen(value), j = 0;
    char *unix_lines = a ? cg_arena_alloc(a, n + 1) : NULL;
    if (!unix_lines)
        return CG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (value[i] == '\r') {
            unix_lines[j++] = '\n';
            if (value[i + 1] == '\n')
                i++;
        } else {
            unix_lines[j++] = value[i];
        }
    }
    unix_lines[j] = '\0';
    return check(unix_lines, field, what, max, required, 1, a, out, fe);
}
