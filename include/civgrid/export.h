/* Exports: a table (column headers and rows of text) as a file that offices
 * open in Excel. Both formats keep every cell as text, so ID numbers and
 * phone numbers keep all their digits.
 *
 * cells is row-major: cells[row * ncols + col]; a NULL cell is empty. */
#ifndef CIVGRID_EXPORT_H
#define CIVGRID_EXPORT_H

#include <stddef.h>

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

#endif
