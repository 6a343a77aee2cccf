/* CSV input for imports: reads the CSV files that towns and departments send,
 * record by record, whatever their spreadsheet wrote.
 *
 * Encoding: UTF-8 with or without a byte-order mark, or GBK/GB18030 (what
 * Chinese Excel writes as "CSV"). The whole input is first read once, line by
 * line: when every line is strict UTF-8 the file is UTF-8; otherwise it is in
 * the encoding most of its lines with non-ASCII text are in (UTF-8 after a
 * byte-order mark), GB18030 (a superset of GBK) being converted through iconv.
 * A line that is not text in that encoding (a GBK line pasted into a UTF-8
 * file, a UTF-8 line in a GBK file, bytes that are neither) makes its record
 * a bad record (bad_encoding) naming the line: a file is never read whole in
 * the wrong encoding, and no text that is not UTF-8 leaves the reader.
 * Workbooks (.xlsx, .xls), UTF-16 text and NUL bytes are refused at open with
 * a message saying how to save the file as CSV.
 *
 * Quoting follows RFC 4180 (libcsv in strict mode): quoted commas, doubled
 * quotes and line breaks inside quotes work; CRLF, LF and CR line ends all
 * work. A record with stray quotes is reported (malformed_csv) and reading
 * goes on at the next line, wherever the reader's chunks end; a file that
 * ends inside a quoted field is truncated, reported with the line the cut
 * record starts on.
 *
 * Memory is bounded whatever the input size: one record at a time, at most
 * CG_CSVIN_MAX_RECORD bytes and CG_CSVIN_MAX_FIELDS fields. Every record
 * carries the 1-based physical line it starts on. Blank lines, and lines of
 * empty fields only (",,,", which Excel writes for blank rows), are skipped.
 */
#ifndef CIVGRID_CSVIN_H
#define CIVGRID_CSVIN_H

#include <stddef.h>
#include <stdint.h>

#define CG_CSVIN_MAX_RECORD (1u << 20) /* bytes in one record */
#define CG_CSVIN_MAX_FIELDS 256

typedef struct cg_csvin cg_csvin;

/* What went wrong, for the error report of an import. */
struct cg_csvin_error {
    long line;         /* 1-based physical line; 0 when not about a line */
    char code[32];     /* bad_encoding, truncated, too_long, malformed_csv, io_error */
    char message[320]; /* English, says what to do */
};

struct cg_csvin_record {
    long line;           /* the physical line the record starts on */
    size_t nfields;      /* at least 1 */
    char *const *fields; /* NUL-terminated UTF-8, valid until the next cg_csvin_next */
    const size_t *lens;
};

/* cg_csvin_next results besides negative errors. */
#define CG_CSVIN_END 0
#define CG_CSVIN_RECORD 1
#define CG_CSVIN_BAD_RECORD 2 /* one malformed record, skipped; reading may go on */

/* Opens a file. Reads it once to settle the encoding (cheap next to an
 * import). Errors, with *err filled: CG_EIO (cannot open or read: io_error),
 * CG_EBADTYPE (bad_encoding: a workbook, UTF-16, NUL bytes, or GB18030
 * conversion unavailable), CG_ENOMEM. Free with cg_csvin_free. */
int cg_csvin_open_file(const char *path, cg_csvin **out, struct cg_csvin_error *err);

/* The same over len bytes of memory, which must outlive the reader (an HTTP
 * request body). */
int cg_csvin_open_mem(const void *data, size_t len, cg_csvin **out, struct cg_csvin_error *err);

void cg_csvin_free(cg_csvin *r);

/* Reads the next non-empty record into *rec. Returns CG_CSVIN_RECORD,
 * CG_CSVIN_END, CG_CSVIN_BAD_RECORD (rec->line and *err say which record and
 * why: malformed_csv, too many fields, bad_encoding with err->line the line
 * that is not in the file's encoding) or a negative error that ends the
 * reading (*err filled): CG_EBADTYPE for truncated, too_long and
 * bad_encoding, CG_EIO, CG_ENOMEM. */
int cg_csvin_next(cg_csvin *r, struct cg_csvin_record *rec, struct cg_csvin_error *err);

/* "utf-8", "utf-8-bom" or "gb18030". */
const char *cg_csvin_encoding(const cg_csvin *r);

/* Input bytes consumed so far and in all, for a progress bar. */
void cg_csvin_progress(const cg_csvin *r, uint64_t *done, uint64_t *total);

#endif
