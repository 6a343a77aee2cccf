#include "civgrid/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/utf8.h"

void cg_jw_init(struct cg_jw *w, cg_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void put(struct cg_jw *w, const char *s, size_t n)
{
    if (!w->err)
        w->err = cg_buf_append(w->out, s, n);
}

/* Writes the comma a value needs before it, unless it follows a key. */
static void separate(struct cg_jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->has_items[w->depth])
        put(w, ",", 1);
    w->has_items[w->depth] = 1;
}

static void open_(struct cg_jw *w, char c)
{
    separate(w);
    put(w, &c, 1);
    if (w->depth + 1 >= CG_JW_MAX_DEPTH) {
        w->err = w->err ? w->err : CG_EINTERNAL;
        return;
    }
    w->has_items[++w->depth] = 0;
    w->closer[w->depth] = c == '{' ? '}' : ']';
}

void cg_jw_object(struct cg_jw *w)
{
    open_(w, '{');
}

void cg_jw_array(struct cg_jw *w)
{
    open_(w, '[');
}

void cg_jw_end(struct cg_jw *w)
{
    if (w->depth <= 0) {
        w->err = w->err ? w->err : CG_EINTERNAL;
        return;
    }
    put(w, &w->closer[w->depth], 1);
    w->depth--;
}

static void string_body(struct cg_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    const char *run = s;
    size_t left = strlen(s);
    for (const char *p = s; *p; p++, left--) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            /* A byte that starts no valid character (text stored before
             * input was checked) becomes U+FFFD: the document stays valid
             * JSON and the record is shown, not dropped. */
            size_t len = cg_utf8_char_len(p, left);
            if (len) {
                p += len - 1;
                left -= len - 1;
                continue;
            }
            put(w, run, (size_t)(p - run));
            put(w, "\xEF\xBF\xBD", 3);
            run = p + 1;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(p - run));
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            put(w, esc, 2);
        } else if (c == '\n') {
            put(w, "\\n", 2);
        } else {
            put(w, esc, 6);
        }
        run = p + 1;
    }
    put(w, run, strlen(run));
    put(w, "\"", 1);
}

void cg_jw_key(struct cg_jw *w, const char *key)
{
    separate(w);
    string_body(w, key);
    put(w, ":", 1);
    w->after_key = 1;
}

void cg_jw_string(struct cg_jw *w, const char *s)
{
    separate(w);
    if (s)
        string_body(w, s);
    else
        put(w, "null", 4);
}

void cg_jw_int(struct cg_jw *w, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    separate(w);
    put(w, num, (size_t)n);
}

void cg_jw_kstring(struct cg_jw *w, const char *key, const char *value)
{
    cg_jw_key(w, key);
    cg_jw_string(w, value);
}

void cg_jw_kint(struct cg_jw *w, const char *key, int64_t value)
{
    cg_jw_key(w, key);
    cg_jw_int(w, value);
}

int cg_jw_finish(struct cg_jw *w)
{
    if (!w->err && (w->depth != 0 || w->after_key))
        w->err = CG_EINTERNAL;
    return w->err;
}
