#include "civgrid/utf8.h"

#include <string.h>

size_t cg_utf8_char_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!n)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    /* The second byte's range rules out overlong forms, surrogates and code
     * points past U+10FFFF. */
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (!len || len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        unsigned b = s[k];
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
            return 0;
    }
    return len;
}

int cg_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = cg_utf8_char_len(s + i, n - i);
        if (!len)
            return 0;
        i += len;
    }
    return 1;
}

size_t cg_utf8_count(const char *s)
{
    size_t n = strlen(s), count = 0;
    for (size_t i = 0; i < n; count++) {
        size_t len = cg_utf8_char_len(s + i, n - i);
        i += len ? len : 1;
    }
    return count;
}

const char *cg_utf8_repair(cg_arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (cg_utf8_valid(s, n))
        return s;
    /* Each bad byte grows to the three bytes of U+FFFD. */
    char *out = cg_arena_alloc(a, n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t len = cg_utf8_char_len(s + i, n - i);
        if (len) {
            memcpy(o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    *o = '\0';
    return out;
}
