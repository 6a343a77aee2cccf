/* Exports: a table (column headers and rows of text) as a file that offices
 * open in Excel. Both formats keep every cell as text, so ID numbers and
 * phone numbers keep all their digits.
 *
 * cells is row-major: cells[row * ncols + col]; a NULL cell is empty. */
#ifndef CIVGRID_EXPORT_H
#define CIVGRID_EXPORT_H

#include <stddef.h>

#include <stdint.h>

#include "civgrid/arena.h"
#include "civgrid/buf.h"

/* Appends the table to out as CSV: UTF-8 with a byte-order mark (so that
 * Excel reads the Chinese right), CRLF line ends, RFC 4180 quoting (fields
 * with commas, quotes, line breaks or edge spaces are quoted, quotes
 * doubled). A text that a spreadsheet would run as a formula (starting with
 * = + - @ and not a number) gets a leading apostrophe; cg_import takes it
 * off again. 0, CG_EINVAL (no columns), CG_ETOOBIG (out's cap) or
 * CG_ENOMEM. */
int cg_export_csv(cg_buf *out, const char *const *headers, size_t ncols, const char *const *cells,
                  size_t nrows);

/* Appends the table to out as an Excel workbook (.xlsx) with one sheet
 * named sheet (NULL or an invalid name: "Sheet1"): a bold, frozen header row
 * with a filter, columns sized to their contents, every cell a string.
 * Built by libxlsxwriter in a temporary file (under TMPDIR, removed before
 * returning). 0, CG_EINVAL (no columns), CG_ETOOBIG (more than 1,048,575
 * rows, a cell over 32,767 characters, or out's cap), CG_EIO, CG_ENOMEM. */
int cg_export_xlsx(cg_buf *out, const char *sheet, const char *const *headers, size_t ncols,
                   const char *const *cells, size_t nrows);

/* ---- streams: exports whose memory does not grow with their rows ---- */

/* A file being written row by row to an unlinked temporary file (under
 * TMPDIR): CSV through a 64 KiB buffer, xlsx through libxlsxwriter's
 * constant-memory mode. widths (may be NULL) are the xlsx column widths in
 * characters, set before the first row because rows go out as written. */
struct cg_export_stream;
int cg_export_stream_open(int xlsx, const char *sheet, const char *const *headers, size_t ncols,
                          const double *widths, struct cg_export_stream **out);
/* One row of ncols cells (NULL: empty). CG_ETOOBIG past xlsx's row limit. */
int cg_export_stream_row(struct cg_export_stream *x, const char *const *cells);
/* Finishes the file: *fd (read from offset 0; the caller closes it) and
 * *size. Frees x whatever happens; on failure no file remains. */
int cg_export_stream_close(struct cg_export_stream *x, int *fd, int64_t *size);
/* Drops an unfinished stream (accepts NULL). */
void cg_export_stream_abort(struct cg_export_stream *x);

/* ---- residents in the office's words ---- */

struct cg_resident;
struct cg_ledger;

/* Writes residents as a CSV or xlsx file whose headers and values are words,
 * not codes: in Chinese (男/女, 户籍/流动, 在册/迁出/死亡, ledger names such as
 * 党员;志愿者), or in English when en is set. The columns are the import's
 * residents columns in its own labels, so the file (in either language)
 * imports back unchanged. ledgers is the catalogue (cg_ledger_names) that
 * names the tags. */
int cg_export_residents(cg_buf *out, int xlsx, int en, const struct cg_resident *items, size_t n,
                        const struct cg_ledger *ledgers, size_t nledgers, cg_arena *a);

/* The Content-Disposition of a download named after what it holds, where and
 * when: "居民_阳高县_20261125-1430.xlsx" (local time of now), as an RFC 5987
 * filename* in UTF-8, with an ASCII filename for old clients. */
const char *cg_export_disposition(cg_arena *a, const char *what, const char *ascii_what,
                                  const char *where, const char *ext, int64_t now);

#endif
