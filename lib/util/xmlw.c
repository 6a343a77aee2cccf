#include "civgrid/xmlw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

static void put(struct cg_xw *w, const char *s, size_t n)
{
    if (!w->err && n)
        w->err = cg_buf_append(w->out, s, n);
}

void cg_xw_init(struct cg_xw *w, cg_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    put(w, decl, sizeof decl - 1);
}

void cg_xw_open(struct cg_xw *w, const char *name)
{
    if (w->err)
        return;
    if (w->depth == CG_XW_MAX_DEPTH) {
        w->err = CG_ETOOBIG;
        return;
    }
    w->open[w->depth++] = name;
    put(w, "<", 1);
    put(w, name, strlen(name));
    put(w, ">", 1);
}

void cg_xw_close(struct cg_xw *w)
{
    if (w->err)
        return;
    if (w->depth == 0) {
        w->err = CG_EINVAL;
        return;
    }
    const char *name = w->open[--w->depth];
    put(w, "</", 2);
    put(w, name, strlen(name));
    put(w, ">", 1);
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 for
 * a broken one. *xml_ok is 0 for U+FFFE and U+FFFF: valid UTF-8, but not
 * XML characters, replaced whole. */
static size_t utf8_seq(const unsigned char *s, size_t n, int *xml_ok)
{
    size_t len = s[0] < 0x80             ? 1
                 : (s[0] & 0xE0) == 0xC0 ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (!len || len > n || !cg_utf8_valid((const char *)s, len))
        return 0;
    *xml_ok = !(len == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE);
    return len;
}

void cg_xw_text(struct cg_xw *w, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), run = 0; /* bytes at p[i - run .. i) still to copy as they are */
    for (size_t i = 0; i < n && !w->err;) {
        const char *esc = NULL;
        size_t len = 1;
        int xml_ok = 1;
        unsigned char c = p[i];
        if (c == '&')
            esc = "&amp;";
        else if (c == '<')
            esc = "&lt;";
        else if (c == '>')
            esc = "&gt;";
        else if (c == '"')
            esc = "&quot;";
        else if (c == '\'')
            esc = "&apos;";
        else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            esc = REPLACEMENT;
        else if (c >= 0x80 && !(len = utf8_seq(p + i, n - i, &xml_ok)))
            esc = REPLACEMENT, len = 1;
        else if (c >= 0x80 && !xml_ok)
            esc = REPLACEMENT;
        if (!esc) {
            run += len;
            i += len;
            continue;
        }
        put(w, (const char *)p + i - run, run);
        put(w, esc, strlen(esc));
        run = 0;
        i += len;
    }
    put(w, (const char *)p + n - run, run);
}

void cg_xw_element(struct cg_xw *w, const char *name, const char *text)
{
    cg_xw_open(w, name);
    cg_xw_text(w, text);
    cg_xw_close(w);
}

void cg_xw_element_int(struct cg_xw *w, const char *name, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    cg_xw_element(w, name, num);
}

int cg_xw_finish(struct cg_xw *w)
{
    if (!w->err && w->depth)
        w->err = CG_EINVAL;
    return w->err;
}
