/* A capped growable byte buffer.
 *
 * The one buffer type for request bodies and JSON output. Its cap is the size
 * limit: an append that would pass it fails with CG_ETOOBIG and leaves the
 * buffer as it was, so a 10 MB body never gets past the first over-cap chunk.
 * The data is always NUL-terminated (not counted in len).
 */
#ifndef CIVGRID_BUF_H
#define CIVGRID_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cg_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len; 0 means unlimited */
} cg_buf;

/* Initialises an empty buffer holding at most cap bytes (0: no cap). */
void cg_buf_init(cg_buf *b, size_t cap);

/* Releases the data; the buffer may be reused after cg_buf_init. */
void cg_buf_free(cg_buf *b);

/* Empties the buffer, keeping its memory. */
void cg_buf_reset(cg_buf *b);

/* Appends n bytes. 0, CG_ETOOBIG (cap reached, unchanged) or CG_ENOMEM. */
int cg_buf_append(cg_buf *b, const void *p, size_t n);
int cg_buf_puts(cg_buf *b, const char *s);
int cg_buf_printf(cg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hands the data over to the caller (free() it) and empties the buffer. The
 * result is never NULL unless out of memory. */
char *cg_buf_steal(cg_buf *b, size_t *len);

#endif
