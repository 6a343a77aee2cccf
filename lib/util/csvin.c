/* CSV input: encoding detection, GB18030 conversion, physical line numbers
 * and bounded memory around libcsv.
 *
 * The input is fed to libcsv one physical line at a time (a line ends at LF,
 * CR or CRLF). libcsv ends a record only at an unquoted line end, so at most
 * one record completes per feed, and the line a record starts on is the
 * first line with something other than blanks after the previous record.
 * GB18030 keeps every ASCII byte as itself and never uses CR or LF inside a
 * character, so the lines of the converted text are the lines of the file. */
#include "civgrid/csvin.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "civgrid/buf.h"
#include "civgrid/error.h"

#define CHUNK (64 * 1024)
#define SCAN_CHUNK (1024 * 1024)
#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_GB18030 };

struct cg_csvin {
    /* The source: a file or memory. */
    FILE *f;
    const unsigned char *mem;
    size_t memlen, mempos;
    uint64_t total, done;
    enum encoding enc;

    /* GB18030 conversion. */
    iconv_t cd;
    unsigned char *raw; /* file bytes read (file) or copied (memory, GB18030) */
    size_t rawleft;     /* an incomplete character carried to the next read */
    char *conv;
    long raw_line; /* lines of raw input converted so far, for errors */
    int raw_prev_cr;

    /* The stretch of UTF-8 being fed. */
    const char *chunk;
    size_t chunklen, pos;

    struct csv_parser p;
    int parser_live;
    long line;      /* the line of the next byte fed */
    int prev_cr;    /* the last byte fed was a CR */
    long rec_start; /* the line the current record starts on; 0 before it */
    size_t rec_bytes;

    /* The record being built, and whether it is complete. */
    cg_buf fb;
    size_t offs[CG_CSVIN_MAX_FIELDS], lens[CG_CSVIN_MAX_FIELDS];
    char *ptrs[CG_CSVIN_MAX_FIELDS];
    size_t nfields;
    int too_many, oom, ready, handed, at_end;
    long ready_line;

    int fatal; /* the error that ended the reading, repeated on later calls */
    struct cg_csvin_error fatal_err;
};

static int fail(struct cg_csvin_error *err, int rc, long line, const char *code, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

static int fail(struct cg_csvin_error *err, int rc, long line, const char *code, const char *fmt,
                ...)
{
    err->line = line;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return rc;
}

/* Counts line ends (LF, CR, CRLF once) in s, carrying "last byte was CR". */
static long count_lines(const unsigned char *s, size_t n, int *prev_cr)
{
    long lines = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            if (!*prev_cr)
                lines++;
            *prev_cr = 0;
        } else if (s[i] == '\r') {
            lines++;
            *prev_cr = 1;
        } else {
            *prev_cr = 0;
        }
    }
    return lines;
}

/* ---- UTF-8 validation ---- */

enum { U_OK, U_BAD, U_NUL };

/* Validates s[0..n) as strict UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF) without NUL bytes. U_OK with *pos = n, or with *pos
 * at an incomplete character at the end when !final; U_BAD or U_NUL with
 * *pos at the offending byte. */
static int utf8_check(const unsigned char *s, size_t n, int final, size_t *pos)
{
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) { /* eight ASCII bytes, none of them NUL, at a time */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & high) && !((w - ones) & ~w & high)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (!c) {
                *pos = i;
                return U_NUL;
            }
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                     : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4
                                              : 0;
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        *pos = i;
        if (!len)
            return U_BAD;
        for (size_t k = 1; k < len; k++) {
            if (i + k == n)
                return final ? U_BAD : U_OK;
            unsigned b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
                return U_BAD;
        }
        i += len;
    }
    *pos = n;
    return U_OK;
}

/* ---- reading the source ---- */

/* Reads up to n bytes of the source into buf; 0 at the end. */
static int src_read(cg_csvin *r, unsigned char *buf, size_t n, size_t *got,
                    struct cg_csvin_error *err)
{
    if (r->mem) {
        size_t k = r->memlen - r->mempos < n ? r->memlen - r->mempos : n;
        memcpy(buf, r->mem + r->mempos, k);
        r->mempos += k;
        *got = k;
        return 0;
    }
    *got = fread(buf, 1, n, r->f);
    if (*got < n && ferror(r->f))
        return fail(err, CG_EIO, 0, "io_error", "cannot read the file: %s", strerror(errno));
    return 0;
}

/* Goes back to the start of the source, past a byte-order mark. */
static int src_rewind(cg_csvin *r, size_t skip, struct cg_csvin_error *err)
{
    r->mempos = skip;
    r->done = skip;
    if (r->f && fseek(r->f, (long)skip, SEEK_SET))
        return fail(err, CG_EIO, 0, "io_error", "cannot seek in the file: %s", strerror(errno));
    return 0;
}

static const char save_as_csv[] = "in Excel use File > Save As > \"CSV UTF-8 (逗号分隔)\"";

/* Refuses what is obviously not CSV text, by its first bytes. */
static int sniff(const unsigned char *s, size_t n, struct cg_csvin_error *err)
{
    if (n >= 4 && !memcmp(s, "PK\x03\x04", 4))
        return fail(err, CG_EBADTYPE, 1, "bad_encoding",
                    "this is an Excel workbook (.xlsx), not a CSV file: %s", save_as_csv);
    if (n >= 4 && !memcmp(s, "\xD0\xCF\x11\xE0", 4))
        return fail(err, CG_EBADTYPE, 1, "bad_encoding",
                    "this is an old Excel workbook (.xls), not a CSV file: %s", save_as_csv);
    if (n >= 2 && (!memcmp(s, "\xFF\xFE", 2) || !memcmp(s, "\xFE\xFF", 2)))
        return fail(err, CG_EBADTYPE, 1, "bad_encoding",
                    "the file is UTF-16 text (Excel's \"Unicode text\"); %s", save_as_csv);
    return 0;
}

/* Reads the whole source once as UTF-8. *valid tells the outcome; *bad_line
 * is the line of the first invalid byte. A NUL byte is an error at once. */
static int scan_utf8(cg_csvin *r, size_t skip, int *valid, long *bad_line,
                     struct cg_csvin_error *err)
{
    long line = 1;
    int prev_cr = 0;
    *valid = 1;
    if (r->mem) {
        size_t pos = 0;
        int u = utf8_check(r->mem + skip, r->memlen - skip, 1, &pos);
        line += count_lines(r->mem + skip, pos, &prev_cr);
        if (u == U_NUL)
            goto nul;
        *valid = u == U_OK;
        *bad_line = line;
        return 0;
    }
    size_t carry = 0, got = 0;
    int rc = src_rewind(r, skip, err);
    while (!rc) {
        if ((rc = src_read(r, r->raw + carry, SCAN_CHUNK, &got, err)))
            break;
        size_t n = carry + got, pos = 0;
        int u = utf8_check(r->raw, n, got == 0, &pos);
        line += count_lines(r->raw, pos, &prev_cr);
        if (u == U_NUL)
            goto nul;
        if (u == U_BAD) {
            *valid = 0;
            *bad_line = line;
            break;
        }
        if (got == 0)
            break;
        carry = n - pos;
        memmove(r->raw, r->raw + pos, carry);
    }
    return rc;
nul:
    return fail(
        err, CG_EBADTYPE, line, "bad_encoding",
        "the file has a NUL byte on line %ld, so it is not CSV text (UTF-16 or a workbook?); %s",
        line, save_as_csv);
}

/* Converts in[0..*inlen) from GB18030 into r->conv; on return *inlen is what
 * was not consumed (an incomplete character, or from a bad byte on). */
static int convert(cg_csvin *r, const unsigned char *in, size_t *inlen, size_t *outlen, int final,
                   struct cg_csvin_error *err)
{
    char *ip = (char *)in, *op = r->conv;
    size_t il = *inlen, ol = 2 * SCAN_CHUNK + 16;
    size_t rc = iconv(r->cd, &ip, &il, &op, &ol);
    int e = errno;
    size_t used = (size_t)(ip - (char *)in);
    const unsigned char *nul = memchr(in, 0, used);
    r->raw_line += count_lines(in, nul ? (size_t)(nul - in) : used, &r->raw_prev_cr);
    *inlen = il;
    *outlen = (size_t)(op - r->conv);
    if (nul)
        return fail(err, CG_EBADTYPE, r->raw_line, "bad_encoding",
                    "the file has a NUL byte on line %ld, so it is not CSV text; %s", r->raw_line,
                    save_as_csv);
    if (rc != (size_t)-1 || e == E2BIG || (e == EINVAL && !final && il < 4))
        return 0;
    return fail(err, CG_EBADTYPE, r->raw_line, "bad_encoding",
                "the text on line %ld is neither UTF-8 nor GBK/GB18030; %s", r->raw_line,
                save_as_csv);
}

/* Reads the whole source once as GB18030. */
static int scan_gb18030(cg_csvin *r, struct cg_csvin_error *err)
{
    size_t carry = 0, got = 0, outlen = 0;
    int rc = src_rewind(r, 0, err);
    r->raw_line = 1;
    r->raw_prev_cr = 0;
    while (!rc) {
        if ((rc = src_read(r, r->raw + carry, SCAN_CHUNK, &got, err)))
            break;
        size_t n = carry + got, left = n;
        if (n == 0)
            break;
        if ((rc = convert(r, r->raw, &left, &outlen, got == 0, err)))
            break;
        if (got == 0 && left == 0)
            break;
        if (left > 16) { /* only an incomplete character is ever left over */
            rc = fail(err, CG_EINTERNAL, 0, "io_error", "GB18030 conversion did not advance");
            break;
        }
        memmove(r->raw, r->raw + (n - left), left);
        carry = left;
    }
    iconv(r->cd, NULL, NULL, NULL, NULL);
    return rc;
}

/* Settles the encoding and rewinds the source for reading. */
static int detect(cg_csvin *r, struct cg_csvin_error *err)
{
    unsigned char head[4] = {0};
    size_t n = 0;
    int rc = src_read(r, head, sizeof head, &n, err);
    if (rc || (rc = sniff(head, n, err)))
        return rc;
    size_t bom = n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3) ? 3 : 0;
    int valid = 0;
    long bad_line = 0;
    if ((rc = scan_utf8(r, bom, &valid, &bad_line, err)))
        return rc;
    if (valid) {
        r->enc = bom ? ENC_UTF8_BOM : ENC_UTF8;
        return src_rewind(r, bom, err);
    }
    if (bom)
        return fail(
            err, CG_EBADTYPE, bad_line, "bad_encoding",
            "the file starts with a UTF-8 byte-order mark but line %ld is not valid UTF-8; %s",
            bad_line, save_as_csv);
    r->cd = iconv_open("UTF-8", "GB18030");
    if (r->cd == (iconv_t)-1)
        return fail(err, CG_EBADTYPE, bad_line, "bad_encoding",
                    "line %ld is not valid UTF-8, and GB18030 conversion is not available here",
                    bad_line);
    if ((rc = scan_gb18030(r, err))) {
        if (!strcmp(err->code, "bad_encoding") && strstr(err->message, "neither"))
            fail(err, CG_EBADTYPE, bad_line, "bad_encoding",
                 "the file is neither UTF-8 (invalid on line %ld) nor GBK/GB18030 (invalid on line "
                 "%ld); %s",
                 bad_line, err->line, save_as_csv);
        return rc;
    }
    r->enc = ENC_GB18030;
    r->raw_line = 1;
    r->raw_prev_cr = 0;
    return src_rewind(r, 0, err);
}

static int open_common(cg_csvin *r, cg_csvin **out, struct cg_csvin_error *err)
{
    r->cd = (iconv_t)-1;
    r->line = 1;
    cg_buf_init(&r->fb, CG_CSVIN_MAX_RECORD + 2 * CG_CSVIN_MAX_FIELDS + 16);
    r->raw = malloc(SCAN_CHUNK + 16);
    r->conv = malloc(2 * SCAN_CHUNK + 16);
    int rc = r->raw && r->conv ? 0 : fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
    if (!rc && csv_init(&r->p, CSV_OPTIONS))
        rc = fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
    else if (!rc)
        r->parser_live = 1;
    if (!rc)
        rc = detect(r, err);
    if (rc) {
        cg_csvin_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int cg_csvin_open_file(const char *path, cg_csvin **out, struct cg_csvin_error *err)
{
    struct stat st;
    *out = NULL;
    memset(err, 0, sizeof *err);
    cg_csvin *r = calloc(1, sizeof *r);
    if (!r)
        return fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
    r->f = fopen(path, "rb");
    if (!r->f) {
        int e = errno;
        free(r);
        return fail(err, CG_EIO, 0, "io_error", "cannot open %s: %s", path, strerror(e));
    }
    if (fstat(fileno(r->f), &st) || !S_ISREG(st.st_mode)) {
        fclose(r->f);
        free(r);
        return fail(err, CG_EIO, 0, "io_error", "%s is not a regular file", path);
    }
    r->total = (uint64_t)st.st_size;
    return open_common(r, out, err);
}

int cg_csvin_open_mem(const void *data, size_t len, cg_csvin **out, struct cg_csvin_error *err)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    cg_csvin *r = calloc(1, sizeof *r);
    if (!r)
        return fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
    r->mem = data ? data : (const void *)"";
    r->memlen = data ? len : 0;
    r->total = r->memlen;
    return open_common(r, out, err);
}

void cg_csvin_free(cg_csvin *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    if (r->cd != (iconv_t)-1 && r->cd != NULL)
        iconv_close(r->cd);
    if (r->parser_live)
        csv_free(&r->p);
    cg_buf_free(&r->fb);
    free(r->raw);
    free(r->conv);
    free(r);
}

const char *cg_csvin_encoding(const cg_csvin *r)
{
    return r->enc == ENC_GB18030 ? "gb18030" : r->enc == ENC_UTF8_BOM ? "utf-8-bom" : "utf-8";
}

void cg_csvin_progress(const cg_csvin *r, uint64_t *done, uint64_t *total)
{
    *done = r->done;
    *total = r->total;
}

/* Makes the next stretch of UTF-8 text the current chunk: 1, 0 at the end,
 * or a negative error. */
static int refill(cg_csvin *r, struct cg_csvin_error *err)
{
    size_t got = 0;
    r->pos = 0;
    r->chunklen = 0;
    if (r->enc != ENC_GB18030) {
        if (r->mem) { /* straight from the caller's memory */
            size_t n = r->memlen - r->mempos < CHUNK ? r->memlen - r->mempos : CHUNK;
            r->chunk = (const char *)r->mem + r->mempos;
            r->chunklen = n;
            r->mempos += n;
            r->done += n;
            return n > 0;
        }
        int rc = src_read(r, r->raw, CHUNK, &got, err);
        if (rc)
            return rc;
        r->chunk = (const char *)r->raw;
        r->chunklen = got;
        r->done += got;
        return got > 0;
    }
    for (;;) {
        size_t room = SCAN_CHUNK - r->rawleft < CHUNK ? SCAN_CHUNK - r->rawleft : CHUNK;
        int rc = src_read(r, r->raw + r->rawleft, room, &got, err);
        if (rc)
            return rc;
        r->done += got;
        size_t n = r->rawleft + got, left = n, outlen = 0;
        if (n == 0)
            return 0;
        if ((rc = convert(r, r->raw, &left, &outlen, got == 0, err)))
            return rc;
        memmove(r->raw, r->raw + (n - left), left);
        r->rawleft = left;
        if (outlen) {
            r->chunk = r->conv;
            r->chunklen = outlen;
            return 1;
        }
        if (got == 0)
            return 0;
    }
}

static void on_field(void *s, size_t len, void *data)
{
    cg_csvin *r = data;
    if (r->nfields == CG_CSVIN_MAX_FIELDS) {
        r->too_many = 1;
        return;
    }
    size_t at = r->fb.len;
    if (cg_buf_append(&r->fb, s, len) || cg_buf_append(&r->fb, "", 1)) {
        r->oom = 1;
        return;
    }
    r->offs[r->nfields] = at;
    r->lens[r->nfields] = len;
    r->nfields++;
}

static void on_row(int c, void *data)
{
    (void)c;
    cg_csvin *r = data;
    r->ready = 1;
    r->ready_line = r->rec_start ? r->rec_start : r->line;
    r->rec_start = 0;
    r->rec_bytes = 0;
}

static void clear_record(cg_csvin *r)
{
    cg_buf_reset(&r->fb);
    r->nfields = 0;
    r->too_many = 0;
    r->oom = 0;
    r->ready = 0;
    r->handed = 0;
}

static int fatal(cg_csvin *r, int rc, struct cg_csvin_error *err)
{
    r->fatal = rc;
    r->fatal_err = *err;
    return rc;
}

/* Feeds the next piece of the current chunk, up to and including a line end.
 * 0, or CG_CSVIN_BAD_RECORD for a record with stray quotes, or a fatal error. */
static int feed(cg_csvin *r, struct cg_csvin_record *rec, struct cg_csvin_error *err)
{
    const char *s = r->chunk + r->pos;
    size_t avail = r->chunklen - r->pos;
    const char *lf = memchr(s, '\n', avail);
    const char *cr = memchr(s, '\r', lf ? (size_t)(lf - s) : avail);
    const char *end = cr ? cr : lf;
    size_t n = end ? (size_t)(end - s) + 1 : avail;
    r->pos += n;
    if (!r->rec_start)
        for (size_t i = 0; i < n; i++)
            if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
                r->rec_start = r->line;
                break;
            }
    if (r->rec_start) {
        r->rec_bytes += n;
        if (r->rec_bytes > CG_CSVIN_MAX_RECORD)
            return fatal(r,
                         fail(err, CG_EBADTYPE, r->rec_start, "too_long",
                              "the record that starts on line %ld is longer than %u bytes: is a "
                              "closing quote missing?",
                              r->rec_start, CG_CSVIN_MAX_RECORD),
                         err);
    }
    int rc = 0;
    if (csv_parse(&r->p, s, n, on_field, on_row, r) != n) {
        /* Strict mode stopped at a stray quote: drop the record and start
         * afresh with the next line. */
        rec->line = r->rec_start ? r->rec_start : r->line;
        csv_free(&r->p);
        r->parser_live = 0;
        if (csv_init(&r->p, CSV_OPTIONS))
            return fatal(r, fail(err, CG_ENOMEM, rec->line, "io_error", "out of memory"), err);
        r->parser_live = 1;
        clear_record(r);
        r->rec_start = 0;
        r->rec_bytes = 0;
        rc = fail(err, CG_CSVIN_BAD_RECORD, rec->line, "malformed_csv",
                  "stray double quote: a quoted field must end with a quote followed by a comma or "
                  "the line end,"
                  " and a quote inside a field is written twice (\"\")");
    }
    char last = s[n - 1];
    if (last == '\r') {
        r->line++;
        r->prev_cr = 1;
    } else if (last == '\n') {
        if (!(n == 1 && r->prev_cr))
            r->line++;
        r->prev_cr = 0;
    } else {
        r->prev_cr = 0;
    }
    return rc;
}

int cg_csvin_next(cg_csvin *r, struct cg_csvin_record *rec, struct cg_csvin_error *err)
{
    memset(rec, 0, sizeof *rec);
    if (r->fatal) {
        *err = r->fatal_err;
        return r->fatal;
    }
    for (;;) {
        if (r->handed)
            clear_record(r);
        if (r->ready) {
            r->handed = 1;
            rec->line = r->ready_line;
            if (r->oom)
                return fatal(r, fail(err, CG_ENOMEM, rec->line, "io_error", "out of memory"), err);
            if (r->too_many)
                return fail(err, CG_CSVIN_BAD_RECORD, rec->line, "malformed_csv",
                            "the record has more than %d fields", CG_CSVIN_MAX_FIELDS);
            size_t filled = 0;
            for (size_t i = 0; i < r->nfields; i++) {
                r->ptrs[i] = r->fb.data + r->offs[i];
                filled += r->lens[i] > 0;
            }
            if (!filled) /* a blank row of a spreadsheet: ",,,," */
                continue;
            rec->nfields = r->nfields;
            rec->fields = r->ptrs;
            rec->lens = r->lens;
            return CG_CSVIN_RECORD;
        }
        if (r->at_end)
            return CG_CSVIN_END;
        if (r->pos == r->chunklen) {
            int rc = refill(r, err);
            if (rc < 0)
                return fatal(r, rc, err);
            if (rc == 0) {
                r->at_end = 1;
                if (csv_fini(&r->p, on_field, on_row, r))
                    return fatal(
                        r,
                        fail(err, CG_EBADTYPE, r->rec_start, "truncated",
                             "the file ends inside the quoted field of the record that starts on"
                             " line %ld: the file was cut off, or a closing quote is missing",
                             r->rec_start),
                        err);
                continue;
            }
        }
        int rc = feed(r, rec, err);
        if (rc)
            return rc;
    }
}
