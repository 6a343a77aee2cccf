/* A streaming JSON writer into a cg_buf: no tree, no allocation beyond the
 * buffer, for responses built from many rows (a page of residents), where
 * building a jansson tree cost more than the database query.
 *
 * Calls are made in document order; commas are placed automatically. The
 * first failure (CG_ETOOBIG, CG_ENOMEM, or nesting deeper than
 * CG_JW_MAX_DEPTH) is kept and returned by cg_jw_finish; later calls do
 * nothing. Strings are written as given, with '"', '\' and control
 * characters escaped, and any byte that is not part of valid UTF-8 replaced
 * by U+FFFD, so that the output is always valid JSON. */
#ifndef CIVGRID_JSONW_H
#define CIVGRID_JSONW_H

#include <stdint.h>

#include "civgrid/buf.h"

#define CG_JW_MAX_DEPTH 16

struct cg_jw {
    cg_buf *out;
    int depth;
    int err;
    unsigned char has_items[CG_JW_MAX_DEPTH]; /* a value was written at this depth */
    char closer[CG_JW_MAX_DEPTH];             /* '}' or ']' for each open level */
    int after_key;                            /* the next value follows "key": */
};

void cg_jw_init(struct cg_jw *w, cg_buf *out);
void cg_jw_object(struct cg_jw *w); /* { */
void cg_jw_array(struct cg_jw *w);  /* [ */
void cg_jw_end(struct cg_jw *w);    /* } or ], whichever is open */
void cg_jw_key(struct cg_jw *w, const char *key);
void cg_jw_string(struct cg_jw *w, const char *s); /* NULL writes null */
void cg_jw_int(struct cg_jw *w, int64_t v);

/* "key": "value" (null when value is NULL) and "key": number. */
void cg_jw_kstring(struct cg_jw *w, const char *key, const char *value);
void cg_jw_kint(struct cg_jw *w, const char *key, int64_t value);

/* 0, or the first error. */
int cg_jw_finish(struct cg_jw *w);

#endif
