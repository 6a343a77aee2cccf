/* Fuzz target: the CSV reader of imports (lib/util/csvin.c), in every
 * encoding it takes. Each input is read three times:
 *   1. from memory as it is;
 *   2. from memory after a line of blanks that shifts the input against the
 *      reader's chunk boundaries (64 bytes apart in the fuzz build, so that
 *      they fall everywhere), so that its lines cross them elsewhere;
 *   3. the padded input again as a file (a memfd), which goes through the
 *      reader's other source path.
 * Every record must be valid UTF-8 with the lengths it claims and rising line
 * numbers, and the three readings must agree record for record (the padded
 * ones one line later): where a chunk ends may never change what is read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "civgrid/csvin.h"

/* The reader's chunk size: 64 bytes in the fuzz build (CMakeLists.txt). */
#ifndef CG_CSVIN_CHUNK
#define CG_CSVIN_CHUNK (64 * 1024)
#endif
#define CHUNK CG_CSVIN_CHUNK

struct log {
    char *s;
    size_t len, cap;
};

static void put(struct log *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->len + n + 1) * 2;
        l->s = realloc(l->s, l->cap);
        if (!l->s)
            abort();
    }
    memcpy(l->s + l->len, s, n);
    l->len += n;
    l->s[l->len] = '\0';
}

static void putf(struct log *l, const char *fmt, long a, const char *b)
{
    char tmp[96];
    int n = snprintf(tmp, sizeof tmp, fmt, a, b);
    put(l, tmp, (size_t)n);
}

/* Strict UTF-8 without NUL, written apart from the reader's own check. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need = 0, min = 0, cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            need = 1, min = 0x80, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            need = 2, min = 0x800, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            need = 3, min = 0x10000, cp = c & 0x07;
        else
            return 0;
        if (i + need >= n)
            return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Reads everything r gives into l, with line numbers less skip_lines;
 * checks each record on the way. */
static void drain(cg_csvin *r, long skip_lines, struct log *l)
{
    long last = 0;
    for (;;) {
        struct cg_csvin_record rec;
        struct cg_csvin_error err;
        int rc = cg_csvin_next(r, &rec, &err);
        if (rc == CG_CSVIN_END)
            break;
        if (rc < 0) {
            putf(l, "%ld:FATAL %s\n", err.line ? err.line - skip_lines : 0, err.code);
            /* A fatal error stays: the next call repeats it. */
            if (cg_csvin_next(r, &rec, &err) != rc)
                abort();
            break;
        }
        if (rec.line < 1 || rec.line < last)
            abort();
        last = rec.line;
        if (rc == CG_CSVIN_BAD_RECORD) {
            if (err.line < rec.line)
                abort(); /* the error's line is within its record */
            putf(l, "%ld:!%s", rec.line - skip_lines, err.code);
            putf(l, " on line %ld%s\n", err.line - skip_lines, "");
            continue;
        }
        if (rc != CG_CSVIN_RECORD || rec.nfields < 1 || rec.nfields > CG_CSVIN_MAX_FIELDS)
            abort();
        putf(l, "%ld:%s", rec.line - skip_lines, "");
        for (size_t i = 0; i < rec.nfields; i++) {
            if (strlen(rec.fields[i]) != rec.lens[i] ||
                !utf8_ok((const unsigned char *)rec.fields[i], rec.lens[i]))
                abort();
            if (i)
                put(l, "|", 1);
            put(l, rec.fields[i], rec.lens[i]);
        }
        put(l, "\n", 1);
    }
}

static void read_mem(const uint8_t *data, size_t size, long skip_lines, struct log *l)
{
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    int rc = cg_csvin_open_mem(data, size, &r, &err);
    if (rc) {
        putf(l, "%ld:OPEN %s\n", err.line ? err.line - skip_lines : 0, err.code);
        return;
    }
    put(l, cg_csvin_encoding(r), strlen(cg_csvin_encoding(r)));
    put(l, "\n", 1);
    drain(r, skip_lines, l);
    uint64_t done = 0, total = 0;
    cg_csvin_progress(r, &done, &total);
    if (done > total || total != size)
        abort();
    cg_csvin_free(r);
}

static void read_file(const uint8_t *data, size_t size, long skip_lines, struct log *l)
{
    int fd = memfd_create("fuzz_csvin", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    int rc = cg_csvin_open_file(path, &r, &err);
    if (rc) {
        putf(l, "%ld:OPEN %s\n", err.line ? err.line - skip_lines : 0, err.code);
    } else {
        put(l, cg_csvin_encoding(r), strlen(cg_csvin_encoding(r)));
        put(l, "\n", 1);
        drain(r, skip_lines, l);
        cg_csvin_free(r);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct log plain = {0}, padded = {0}, file = {0};
    read_mem(data, size, 0, &plain);

    /* What only the first bytes of a file decide (a workbook, UTF-16, a
     * byte-order mark) is not comparable once a padding line comes first. */
    int comparable = size > 0 && data[0] != 'P' && data[0] != 0xD0 && data[0] != 0xFF &&
                     data[0] != 0xFE && data[0] != 0xEF;
    if (comparable) {
        /* One line of blanks (which the reader skips) ending 1 to 64 bytes
         * before a boundary. */
        size_t pad = CHUNK - data[size - 1] % (CHUNK < 64 ? CHUNK : 64);
        uint8_t *buf = malloc(pad + size);
        if (!buf)
            abort();
        memset(buf, ' ', pad - 1);
        buf[pad - 1] = '\n';
        memcpy(buf + pad, data, size);
        read_mem(buf, pad + size, 1, &padded);
        read_file(buf, pad + size, 1, &file);
        free(buf);
        if (strcmp(plain.s, padded.s) || strcmp(plain.s, file.s)) {
            fprintf(stderr, "plain:\n%s\npadded:\n%s\nfile:\n%s\n", plain.s, padded.s, file.s);
            abort();
        }
    }
    free(plain.s);
    free(padded.s);
    free(file.s);
    return 0;
}
