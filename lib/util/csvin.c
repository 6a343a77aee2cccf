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

/* The reading's sizes. A fuzz build makes them tiny (CMakeLists.txt), so
 * that chunk boundaries fall everywhere in the short inputs of a fuzzer. */
#ifndef CG_CSVIN_CHUNK
#define CG_CSVIN_CHUNK (64 * 1024)
#endif
#define CHUNK CG_CSVIN_CHUNK
#define SCAN_CHUNK (16 * CHUNK) /* at least 2 * CHUNK: see refill_gb18030 */
#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_GB18030 };

/* Why a line is not text in the file's encoding. */
enum line_fault {
    FAULT_NONE,
    FAULT_NOT_UTF8,    /* a UTF-8 file, and this line is not UTF-8 (GBK pasted in?) */
    FAULT_LOOKS_UTF8,  /* a GBK file, and this line is UTF-8 (it would come out garbled) */
    FAULT_NOT_GB18030, /* a GBK file, and this line is not GBK/GB18030 either */
};

struct cg_csvin {
    /* The source: a file or memory. */
    FILE *f;
    const unsigned char *mem;
    size_t memlen, mempos;
    uint64_t total, done;
    enum encoding enc;

    /* GB18030 conversion, one line (or CHUNK bytes of a longer one) at a
     * time so that each converted stretch can carry what was wrong with its
     * line. */
    iconv_t cd;
    iconv_t back;          /* UTF-8 to GB18030, to tell a UTF-8 line in a GBK file */
    unsigned char *raw;    /* bytes read from the file, or GB18030 text to convert */
    size_t rawpos, rawend; /* the bytes of raw not converted yet */
    int raw_eof;           /* the source has no more bytes */
    char *conv;
    enum line_fault chunk_fault; /* what was wrong with the current chunk's line */

    /* The stretch of UTF-8 being fed. */
    const char *chunk;
    size_t chunklen, pos;

    struct csv_parser p;
    int parser_live;
    long line;      /* the line of the next byte fed */
    int prev_cr;    /* the last byte fed was a CR */
    long rec_start; /* the line the current record starts on; 0 before it */
    size_t rec_bytes;
    int skip_line;             /* drop input up to the next line end (after a stray quote) */
    enum line_fault rec_fault; /* the first bad line of the current record */
    long rec_fault_line;

    /* The record being built, and whether it is complete. */
    cg_buf fb;
    size_t offs[CG_CSVIN_MAX_FIELDS], lens[CG_CSVIN_MAX_FIELDS];
    char *ptrs[CG_CSVIN_MAX_FIELDS];
    size_t nfields;
    int too_many, oom, ready, handed, at_end;
    long ready_line;
    enum line_fault ready_fault;
    long ready_fault_line;

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
    r->rawpos = r->rawend = 0;
    r->raw_eof = 0;
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

/* What the detection pass counts, line by line. */
struct scan {
    long line; /* the line being read */
    int prev_cr;
    int nonascii, bad; /* of that line so far */
    long utf8_lines;   /* lines with non-ASCII text, all of it valid UTF-8 */
    long bad_lines;    /* lines that are not valid UTF-8 */
};

/* Whether s[0..n) has a byte that is not ASCII; eight bytes at a time. */
static int any_high(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            return 1;
    }
    for (; i < n; i++)
        if (s[i] & 0x80)
            return 1;
    return 0;
}

static void scan_end_line(struct scan *sc)
{
    if (sc->bad)
        sc->bad_lines++;
    else if (sc->nonascii)
        sc->utf8_lines++;
    sc->bad = sc->nonascii = 0;
}

/* The first line end (CR or LF) in s[0..n), or NULL. */
static const unsigned char *line_end(const unsigned char *s, size_t n)
{
    const unsigned char *lf = memchr(s, '\n', n);
    const unsigned char *cr = memchr(s, '\r', lf ? (size_t)(lf - s) : n);
    return cr ? cr : lf;
}

/* Classifies the next n bytes of the source, line by line. Returns how many
 * were taken: all, or all but an incomplete character at the end when more
 * is to come (!final). *nul is set at a NUL byte (sc->line is its line).
 * Line ends are looked for CHUNK bytes at a time, as feed() does, so that a
 * file without LF (CR line ends) is not searched to its end for each line. */
static size_t scan_lines(struct scan *sc, const unsigned char *s, size_t n, int final, int *nul)
{
    size_t i = 0;
    while (i < n) {
        const unsigned char *t = s + i;
        size_t window = n - i < CHUNK ? n - i : CHUNK;
        const unsigned char *end = line_end(t, window);
        size_t len = end ? (size_t)(end - t) : window; /* text, without its line end */
        int last = !end && i + len == n;               /* the text reaches the end of s */
        if (len)
            sc->prev_cr = 0;
        if (memchr(t, 0, len)) {
            *nul = 1;
            return i;
        }
        if (!sc->bad) {
            size_t pos = 0;
            if (utf8_check(t, len, end || (last && final), &pos) != U_OK) {
                sc->bad = 1;
            } else if (pos < len) { /* a character goes on past the window */
                sc->nonascii |= any_high(t, pos);
                if (last)
                    return i + pos; /* wait for the rest of it */
                i += pos;
                continue;
            }
        }
        sc->nonascii |= any_high(t, len);
        i += len;
        if (!end)
            continue;
        /* A LF right after a CR ends the same line. */
        if (len || !sc->prev_cr || *end == '\r') {
            scan_end_line(sc);
            sc->line++;
        }
        sc->prev_cr = *end == '\r';
        i++;
    }
    return n;
}

/* Whether the whole source is UTF-8 without NUL bytes: then the lines need
 * no counting. */
static int all_utf8(cg_csvin *r, size_t skip, int *valid, struct cg_csvin_error *err)
{
    size_t pos = 0, carry = 0, got = 0;
    *valid = 0;
    if (r->mem) {
        *valid = utf8_check(r->mem + skip, r->memlen - skip, 1, &pos) == U_OK;
        return 0;
    }
    int rc = src_rewind(r, skip, err);
    while (!rc && !(rc = src_read(r, r->raw + carry, SCAN_CHUNK, &got, err))) {
        size_t n = carry + got;
        if (utf8_check(r->raw, n, got == 0, &pos) != U_OK)
            return 0;
        if (got == 0) {
            *valid = 1;
            return 0;
        }
        carry = n - pos;
        memmove(r->raw, r->raw + pos, carry);
    }
    return rc;
}

/* Reads the whole source once, counting the lines that are UTF-8 and those
 * that are not. A NUL byte is an error at once. */
static int scan(cg_csvin *r, size_t skip, struct scan *sc, struct cg_csvin_error *err)
{
    int nul = 0, valid = 0;
    memset(sc, 0, sizeof *sc);
    sc->line = 1;
    int rc = all_utf8(r, skip, &valid, err);
    if (rc || valid) /* the usual case, settled in one quick pass */
        return rc;
    if (r->mem) {
        scan_lines(sc, r->mem + skip, r->memlen - skip, 1, &nul);
    } else {
        size_t carry = 0, got = 0;
        rc = src_rewind(r, skip, err);
        while (!rc && !nul) {
            if ((rc = src_read(r, r->raw + carry, SCAN_CHUNK, &got, err)))
                break;
            size_t n = carry + got, taken = scan_lines(sc, r->raw, n, got == 0, &nul);
            if (got == 0)
                break;
            carry = n - taken;
            memmove(r->raw, r->raw + taken, carry);
        }
    }
    if (nul)
        return fail(err, CG_EBADTYPE, sc->line, "bad_encoding",
                    "the file has a NUL byte on line %ld, so it is not CSV text (UTF-16 or a "
                    "workbook?); %s",
                    sc->line, save_as_csv);
    scan_end_line(sc);
    return rc;
}

/* Settles the encoding and rewinds the source for reading. The file is
 * UTF-8 when every line is; when some are not, it is in the encoding most of
 * its lines with non-ASCII text are in (UTF-8 when it starts with a UTF-8
 * byte-order mark), and each line that is not in it is an error of its
 * record: a file with one line pasted from the other encoding is never read
 * whole in the wrong one. */
static int detect(cg_csvin *r, struct cg_csvin_error *err)
{
    unsigned char head[4] = {0};
    size_t n = 0;
    int rc = src_read(r, head, sizeof head, &n, err);
    if (rc || (rc = sniff(head, n, err)))
        return rc;
    size_t bom = n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3) ? 3 : 0;
    struct scan sc;
    if ((rc = scan(r, bom, &sc, err)))
        return rc;
    if (!sc.bad_lines || bom || sc.utf8_lines > sc.bad_lines) {
        r->enc = bom ? ENC_UTF8_BOM : ENC_UTF8;
        return src_rewind(r, bom, err);
    }
    r->cd = iconv_open("UTF-8", "GB18030");
    r->back = iconv_open("GB18030", "UTF-8");
    if (r->cd == (iconv_t)-1 || r->back == (iconv_t)-1)
        return fail(err, CG_EBADTYPE, 0, "bad_encoding",
                    "the file is not UTF-8, and GB18030 conversion is not available here; %s",
                    save_as_csv);
    r->enc = ENC_GB18030;
    if (!r->raw)
        r->raw = malloc(SCAN_CHUNK + 16);
    r->conv = malloc(2 * SCAN_CHUNK + 16);
    if (!r->raw || !r->conv)
        return fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
    return src_rewind(r, 0, err);
}

static int open_common(cg_csvin *r, cg_csvin **out, struct cg_csvin_error *err)
{
    r->cd = r->back = (iconv_t)-1;
    r->line = 1;
    cg_buf_init(&r->fb, CG_CSVIN_MAX_RECORD + 2 * CG_CSVIN_MAX_FIELDS + 16);
    /* Memory in UTF-8 is read in place; only files and GB18030 need buffers. */
    if (r->f)
        r->raw = malloc(SCAN_CHUNK + 16);
    int rc = r->raw || !r->f ? 0 : fail(err, CG_ENOMEM, 0, "io_error", "out of memory");
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
    if (r->back != (iconv_t)-1 && r->back != NULL)
        iconv_close(r->back);
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

/* How many characters of GB2312's first level (the 3755 most common hanzi,
 * GBK bytes B0A1 to D7FE) the GB18030 text s[0..n) has. */
static size_t common_hanzi(const unsigned char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
        } else if (i + 1 < n && s[i + 1] >= 0x30 && s[i + 1] <= 0x39) {
            i += 4; /* a four-byte character */
        } else {
            count += i + 1 < n && s[i] >= 0xB0 && s[i] <= 0xD7 && s[i + 1] >= 0xA1;
            i += 2;
        }
    }
    return count;
}

/* Whether s[0..n), a line of a GBK/GB18030 file, was written as UTF-8: it is
 * valid UTF-8 with Chinese in it (characters of three bytes), and read as
 * UTF-8 it has at least as many common hanzi as read as GBK. A UTF-8 line
 * read as GBK gives rare characters (张三 gives 寮犱笁); the few GBK lines
 * that happen to be valid UTF-8 give rare characters read as UTF-8. */
static int looks_utf8(cg_csvin *r, const unsigned char *s, size_t n, int final)
{
    size_t pos = 0, i = 0;
    if (utf8_check(s, n, final, &pos) != U_OK)
        return 0;
    while (i < pos && s[i] < 0xE0)
        i++;
    if (i == pos)
        return 0;
    char *ip = (char *)s, *op = r->conv;
    size_t il = pos, ol = 2 * SCAN_CHUNK + 16;
    if (iconv(r->back, &ip, &il, &op, &ol) == (size_t)-1)
        return 1; /* not even GB18030 has these characters: not GBK text */
    return common_hanzi((const unsigned char *)r->conv, (size_t)(op - r->conv)) >=
           common_hanzi(s, pos);
}

/* Converts s[0..n) from GB18030 into r->conv, a '?' for each byte that is
 * not GB18030 (then *fault says so). Returns the bytes consumed: all but an
 * incomplete character at the end when !final. */
static size_t convert(cg_csvin *r, const unsigned char *s, size_t n, int final, size_t *outlen,
                      enum line_fault *fault)
{
    char *ip = (char *)s, *op = r->conv;
    size_t il = n, ol = 2 * SCAN_CHUNK + 16;
    while (il > 0 && iconv(r->cd, &ip, &il, &op, &ol) == (size_t)-1) {
        if (errno == EINVAL && !final)
            break;
        /* EILSEQ, or a character cut off by the line end or the file's end.
         * The output has room: it is twice the largest input. */
        *fault = FAULT_NOT_GB18030;
        *op++ = '?';
        ol--;
        ip++;
        il--;
    }
    *outlen = (size_t)(op - r->conv);
    return n - il;
}

/* Makes the next line of GB18030 input (or CHUNK bytes of a longer one),
 * converted to UTF-8, the current chunk, with r->chunk_fault saying what
 * was wrong with it. 1, 0 at the end, or a negative error. */
static int refill_gb18030(cg_csvin *r, struct cg_csvin_error *err)
{
    const unsigned char *s = r->raw + r->rawpos, *end = NULL;
    size_t avail = r->rawend - r->rawpos;
    while (!(end = line_end(s, avail)) && avail < CHUNK && !r->raw_eof) {
        size_t got = 0;
        memmove(r->raw, s, avail);
        int rc = src_read(r, r->raw + avail, CHUNK, &got, err);
        if (rc)
            return rc;
        r->done += got;
        r->rawpos = 0;
        r->rawend = avail + got;
        r->raw_eof = got == 0;
        s = r->raw;
        avail = r->rawend;
    }
    if (avail == 0)
        return 0;
    size_t n = end ? (size_t)(end - s) + 1 : avail;
    if (end && *end == '\r' && n < avail && end[1] == '\n')
        n++; /* CRLF: one line end, converted with its line */
    int final = 1;
    if (n > CHUNK) {
        n = CHUNK;
        final = 0;
    } else if (!end) {
        final = r->raw_eof;
    }
    enum line_fault fault = FAULT_NONE;
    if (any_high(s, n) && looks_utf8(r, s, end && final ? (size_t)(end - s) : n, final))
        fault = FAULT_LOOKS_UTF8;
    size_t outlen = 0, used = convert(r, s, n, final, &outlen, &fault);
    if (!used)
        return fail(err, CG_EINTERNAL, 0, "io_error", "GB18030 conversion did not advance");
    r->rawpos += used;
    r->chunk = r->conv;
    r->chunklen = outlen;
    r->chunk_fault = fault;
    return 1;
}

/* Makes the next stretch of UTF-8 text the current chunk: 1, 0 at the end,
 * or a negative error. */
static int refill(cg_csvin *r, struct cg_csvin_error *err)
{
    size_t got = 0;
    r->pos = 0;
    r->chunklen = 0;
    if (r->enc == ENC_GB18030)
        return refill_gb18030(r, err);
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
    r->ready_fault = r->rec_fault;
    r->ready_fault_line = r->rec_fault_line;
    r->rec_start = 0;
    r->rec_bytes = 0;
    r->rec_fault = FAULT_NONE;
}

static void clear_record(cg_csvin *r)
{
    cg_buf_reset(&r->fb);
    r->nfields = 0;
    r->too_many = 0;
    r->oom = 0;
    r->ready = 0;
    r->handed = 0;
    r->ready_fault = FAULT_NONE;
}

static int fatal(cg_csvin *r, int rc, struct cg_csvin_error *err)
{
    r->fatal = rc;
    r->fatal_err = *err;
    return rc;
}

/* Counts the line end that ends s[0..n), if it does. */
static void count_line_end(cg_csvin *r, const char *s, size_t n)
{
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
}

/* Drops the record being built after a stray quote on line r->line, and
 * the rest of that line, even when it is in the next chunk: what follows a
 * stray quote on its line is part of the broken record, never a record of
 * its own. */
static int drop_record(cg_csvin *r, const char *s, size_t n, struct cg_csvin_record *rec,
                       struct cg_csvin_error *err)
{
    rec->line = r->rec_start ? r->rec_start : r->line;
    csv_free(&r->p);
    r->parser_live = 0;
    if (csv_init(&r->p, CSV_OPTIONS))
        return fatal(r, fail(err, CG_ENOMEM, rec->line, "io_error", "out of memory"), err);
    r->parser_live = 1;
    clear_record(r);
    r->rec_start = 0;
    r->rec_bytes = 0;
    r->rec_fault = FAULT_NONE;
    r->skip_line = s[n - 1] != '\n' && s[n - 1] != '\r';
    return fail(
        err, CG_CSVIN_BAD_RECORD, rec->line, "malformed_csv",
        "stray double quote on line %ld: a quoted field must end with a quote followed by a "
        "comma or the line end, and a quote inside a field is written twice (\"\")",
        r->line);
}

/* Feeds the next piece of the current chunk, up to and including a line end.
 * 0, or CG_CSVIN_BAD_RECORD for a record with stray quotes, or a fatal error. */
static int feed(cg_csvin *r, struct cg_csvin_record *rec, struct cg_csvin_error *err)
{
    const char *s = r->chunk + r->pos;
    size_t avail = r->chunklen - r->pos;
    const char *end = (const char *)line_end((const unsigned char *)s, avail);
    size_t n = end ? (size_t)(end - s) + 1 : avail;
    r->pos += n;
    if (r->skip_line) { /* the rest of a line with a stray quote */
        r->skip_line = !end;
        r->chunk_fault = FAULT_NONE;
        count_line_end(r, s, n);
        return 0;
    }
    if (!r->rec_start)
        for (size_t i = 0; i < n; i++)
            if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
                r->rec_start = r->line;
                break;
            }
    if (r->chunk_fault) { /* the chunk is one line: its fault is its record's */
        if (!r->rec_fault) {
            r->rec_fault = r->chunk_fault;
            r->rec_fault_line = r->line;
        }
        r->chunk_fault = FAULT_NONE;
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
    if (csv_parse(&r->p, s, n, on_field, on_row, r) != n)
        rc = drop_record(r, s, n, rec, err);
    count_line_end(r, s, n);
    return rc;
}

/* The error of a record with a line that is not text in the file's
 * encoding. */
static int fault_error(enum line_fault fault, long line, struct cg_csvin_error *err)
{
    if (fault == FAULT_NOT_UTF8)
        return fail(err, CG_CSVIN_BAD_RECORD, line, "bad_encoding",
                    "line %ld is not valid UTF-8, the encoding of the rest of the file (was it "
                    "pasted from a GBK file?): type it again, or %s",
                    line, save_as_csv);
    if (fault == FAULT_LOOKS_UTF8)
        return fail(err, CG_CSVIN_BAD_RECORD, line, "bad_encoding",
                    "line %ld is UTF-8 text in a GBK/GB18030 file, so it would be read garbled: "
                    "type it again, or %s",
                    line, save_as_csv);
    return fail(err, CG_CSVIN_BAD_RECORD, line, "bad_encoding",
                "the text on line %ld is neither GBK/GB18030, the encoding of the rest of the "
                "file, nor UTF-8; %s",
                line, save_as_csv);
}

/* The line of the ready record's first byte that is not UTF-8, or 0. The
 * last guard: no text leaves the reader that is not UTF-8. */
static long bad_text_line(const cg_csvin *r)
{
    long line = r->ready_line;
    for (size_t i = 0; i < r->nfields; i++) {
        const unsigned char *f = (const unsigned char *)r->ptrs[i];
        size_t pos = 0;
        int prev_cr = 0, u = utf8_check(f, r->lens[i], 1, &pos);
        line += count_lines(f, pos, &prev_cr);
        if (u != U_OK)
            return line;
    }
    return 0;
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
            if (r->ready_fault)
                return fault_error(r->ready_fault, r->ready_fault_line, err);
            long bad = bad_text_line(r);
            if (bad)
                return fault_error(FAULT_NOT_UTF8, bad, err);
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
