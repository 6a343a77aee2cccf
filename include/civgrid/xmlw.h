/* A streaming XML writer into a cg_buf, for Open311's XML answers.
 *
 * Calls are made in document order. Text is escaped (& < > " '), and bytes
 * XML 1.0 cannot carry (control characters other than tab, newline and
 * carriage return; anything that is not valid UTF-8) are written as U+FFFD,
 * so that the output is always well-formed whatever was stored. Element
 * names come from the program, never from input: they are written as
 * given. The first failure (CG_ENOMEM, CG_ETOOBIG, nesting deeper than
 * CG_XW_MAX_DEPTH, a close with nothing open) is kept and returned by
 * cg_xw_finish; later calls do nothing. */
#ifndef CIVGRID_XMLW_H
#define CIVGRID_XMLW_H

#include <stdint.h>

#include "civgrid/buf.h"

#define CG_XW_MAX_DEPTH 16

struct cg_xw {
    cg_buf *out;
    int depth;
    int err;
    const char *open[CG_XW_MAX_DEPTH]; /* names of the open elements */
};

/* Starts a document: the XML declaration with encoding="UTF-8". */
void cg_xw_init(struct cg_xw *w, cg_buf *out);
void cg_xw_open(struct cg_xw *w, const char *name); /* <name> */
void cg_xw_close(struct cg_xw *w);                  /* </name> of the last open */
/* Escaped text inside the open element. NULL writes nothing. */
void cg_xw_text(struct cg_xw *w, const char *s);
/* <name>text</name>; NULL text gives the empty element <name></name>. */
void cg_xw_element(struct cg_xw *w, const char *name, const char *text);
void cg_xw_element_int(struct cg_xw *w, const char *name, int64_t v);
/* 0, or the first failure; checks that every element was closed. */
int cg_xw_finish(struct cg_xw *w);

#endif
