/* Unit tests for lib/util/csvin.c, the CSV reader of imports: encodings
 * (UTF-8, BOM, GBK/GB18030 and what is refused), RFC 4180 quoting, line
 * ends, physical line numbers, truncation and bounded records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "civgrid/csvin.h"
#include "civgrid/error.h"

/* Reads every record of a reader into "line:field|field|...\n" text, bad
 * records as "line:!code\n" and a fatal end as "line:FATAL code\n". */
static char *dump(cg_csvin *r)
{
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    for (;;) {
        struct cg_csvin_record rec;
        struct cg_csvin_error err;
        int rc = cg_csvin_next(r, &rec, &err);
        if (rc == CG_CSVIN_END)
            break;
        if (len + 4096 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        if (rc < 0) {
            len += (size_t)snprintf(out + len, cap - len, "%ld:FATAL %s\n", err.line, err.code);
            break;
        }
        if (rc == CG_CSVIN_BAD_RECORD) {
            len += (size_t)snprintf(out + len, cap - len, "%ld:!%s\n", rec.line, err.code);
            continue;
        }
        len += (size_t)snprintf(out + len, cap - len, "%ld:", rec.line);
        for (size_t i = 0; i < rec.nfields; i++) {
            assert_int_equal(strlen(rec.fields[i]), rec.lens[i]);
            len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "", rec.fields[i]);
        }
        len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    return out;
}

static char *dump_mem(const char *data, size_t len, const char *want_encoding)
{
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    int rc = cg_csvin_open_mem(data, len, &r, &err);
    if (rc) {
        char *out = malloc(512);
        snprintf(out, 512, "OPEN %s %ld", err.code, err.line);
        return out;
    }
    if (want_encoding)
        assert_string_equal(cg_csvin_encoding(r), want_encoding);
    char *out = dump(r);
    cg_csvin_free(r);
    return out;
}

#define CHECK(input, encoding, expected)                                                           \
    do {                                                                                           \
        char *got_ = dump_mem((input), sizeof(input) - 1, (encoding));                             \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

/* Plain UTF-8 with LF, CRLF and CR line ends: the same records and the same
 * physical line numbers whichever a spreadsheet wrote. */
static void line_ends(void **state)
{
    (void)state;
    const char *want = "1:code|name\n2:G1|一网格\n3:G2|二网格\n";
    CHECK("code,name\nG1,一网格\nG2,二网格\n", "utf-8", want);
    CHECK("code,name\r\nG1,一网格\r\nG2,二网格\r\n", "utf-8", want);
    CHECK("code,name\rG1,一网格\rG2,二网格\r", "utf-8", want);
    CHECK("code,name\nG1,一网格\nG2,二网格", "utf-8", want); /* no final line end */
}

/* A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first
 * header name. */
static void bom_is_dropped(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBFid_number,name\r\n1,张三\r\n", "utf-8-bom", "1:id_number|name\n2:1|张三\n");
}

/* GBK, as Chinese Excel saves "CSV (逗号分隔)", comes out as UTF-8; so does a
 * four-byte GB18030 character. */
static void gbk_is_converted(void **state)
{
    (void)state;
    /* "姓名,身份证号\n张三,𠀀\n" in GB18030 */
    CHECK("\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\n\xd5\xc5\xc8\xfd,\x95\x32\x82\x36\n",
          "gb18030", "1:姓名|身份证号\n2:张三|𠀀\n");
}

/* Quoted commas, doubled quotes and line breaks inside quotes are data; a
 * record spanning lines carries the line it starts on, and the next record
 * the line it starts on. */
static void quoting(void **state)
{
    (void)state;
    CHECK("a,b,c\n\"x, y\",\"say "
          "\"\"hi\"\"\",z\n\"two\nlines\",\"and\r\nthree\nlines\",q\nlast,row,here\n",
          "utf-8",
          "1:a|b|c\n2:x, y|say \"hi\"|z\n3:two\nlines|and\r\nthree\nlines|q\n7:last|row|here\n");
    /* Spaces around unquoted fields go; inside quotes they stay. */
    CHECK("a , b,\" c \"\n", "utf-8", "1:a|b| c \n");
}

/* Blank lines, lines of blanks and rows of empty fields are skipped without
 * shifting the line numbers of the rows after them. */
static void blank_lines(void **state)
{
    (void)state;
    CHECK("\n\nh1,h2\n\n   \n,,\n,\nv1,v2\r\n\r\n,\r\nv3,v4\n\n", "utf-8",
          "3:h1|h2\n8:v1|v2\n11:v3|v4\n");
}

/* A stray quote spoils only its own record: it is reported with its line and
 * reading goes on with the next line. */
static void stray_quote(void **state)
{
    (void)state;
    CHECK("a,b\n5号\"楼\",x\nc,d\n\"ab\"c,e\nf,g\n", "utf-8",
          "1:a|b\n2:!malformed_csv\n3:c|d\n4:!malformed_csv\n5:f|g\n");
}

/* A file cut off inside a quoted field is truncated, named by the line where
 * the cut record starts, and nothing after it is made up. */
static void truncated(void **state)
{
    (void)state;
    CHECK("a,b\n1,2\n3,\"cut here\nand more", "utf-8", "1:a|b\n2:1|2\n3:FATAL truncated\n");
    CHECK("a,b\n1,\"", "utf-8", "1:a|b\n2:FATAL truncated\n");
}

/* What is not CSV text is refused at open with a reason: workbooks, UTF-16
 * and NUL bytes. A line that is neither UTF-8 nor GB18030 is an error of its
 * record. */
static void refused_encodings(void **state)
{
    (void)state;
    char *s = dump_mem("PK\x03\x04xxxx", 8, NULL);
    assert_string_equal(s, "OPEN bad_encoding 1");
    free(s);
    s = dump_mem("\xFF\xFEi\0d\0", 6, NULL);
    assert_string_equal(s, "OPEN bad_encoding 1");
    free(s);
    s = dump_mem("a,b\nc,d\0\n", 9, NULL);
    assert_string_equal(s, "OPEN bad_encoding 2");
    free(s);
    /* 0x80 and 0xFF are neither UTF-8 nor GB18030. */
    s = dump_mem("a,b\n1,2\n3,\x80\xff\n", 13, NULL);
    assert_string_equal(s, "1:a|b\n2:1|2\n3:!bad_encoding\n");
    free(s);
    /* A BOM promises UTF-8: GBK after it is an error, not a guess. */
    s = dump_mem("\xEF\xBB\xBF"
                 "a\n\xd5\xc5\nb\n",
                 10, "utf-8-bom");
    assert_string_equal(s, "1:a\n2:!bad_encoding\n3:b\n");
    free(s);
    /* An overlong form is not UTF-8: the bytes are read as GB18030 instead
     * (where C0 AF is a character). */
    s = dump_mem("a\n\xC0\xAF\n", 5, "gb18030");
    assert_string_equal(s, "1:a\n2:蜡\n");
    free(s);
}

/* An empty input has no records. */
static void empty_input(void **state)
{
    (void)state;
    CHECK("", "utf-8", "");
    CHECK("\n\r\n  \n", "utf-8", "");
}

/* A record longer than the limit (an unclosed quote in a big file) ends the
 * reading with too_long instead of growing without bound. */
static void record_is_bounded(void **state)
{
    (void)state;
    size_t n = CG_CSVIN_MAX_RECORD + 1000;
    char *big = malloc(n + 16);
    memcpy(big, "a\n\"", 3);
    memset(big + 3, 'x', n);
    char *s = dump_mem(big, n + 3, "utf-8");
    assert_string_equal(s, "1:a\n2:FATAL too_long\n");
    free(s);
    free(big);
}

static char *write_temp(const char *data, size_t len)
{
    char *path = strdup("/tmp/test_csvin_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* A file larger than the reader's buffers, in GBK, with every record a
 * multi-byte line: chunk and character boundaries fall everywhere, and every
 * record and line number survives. */
static void big_gbk_file(void **state)
{
    (void)state;
    enum { N = 40000 };
    size_t cap = (size_t)N * 64, len = 0;
    char *data = malloc(cap);
    len += (size_t)sprintf(data, "\xd0\xd5\xc3\xfb,n\r\n"); /* 姓名,n */
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(
            data + len, i % 7 ? "\xd5\xc5\xc8\xfd,%d\r\n" : "\"\xd5\xc5\r\n\xc8\xfd\",%d\r\n", i);
    char *path = write_temp(data, len);
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    assert_int_equal(cg_csvin_open_file(path, &r, &err), 0);
    assert_string_equal(cg_csvin_encoding(r), "gb18030");
    struct cg_csvin_record rec;
    assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_RECORD);
    assert_string_equal(rec.fields[0], "姓名");
    long line = 2;
    for (int i = 0; i < N; i++) {
        assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_RECORD);
        assert_int_equal(rec.line, line);
        assert_string_equal(rec.fields[0], i % 7 ? "张三" : "张\r\n三");
        assert_int_equal(atoi(rec.fields[1]), i);
        line += i % 7 ? 1 : 2;
    }
    assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_END);
    uint64_t done = 0, total = 0;
    cg_csvin_progress(r, &done, &total);
    assert_int_equal(done, len);
    assert_int_equal(total, len);
    cg_csvin_free(r);
    unlink(path);
    free(path);
    free(data);
}

/* A UTF-8 file with one line in GBK (pasted from another file) is read as
 * UTF-8, and that line is an error of its own: the file is not read whole as
 * GB18030, which would turn every UTF-8 name into another one (张三 into
 * 寮犱笁). The reverse too: a UTF-8 line in a GBK file is an error, not
 * garbled text. A line of a quoted multi-line record is named exactly. */
static void mixed_encodings(void **state)
{
    (void)state;
    CHECK("姓名\n张三\n\xd5\xc5\xc8\xfd\n李四\n", "utf-8",
          "1:姓名\n2:张三\n3:!bad_encoding\n4:李四\n");
    CHECK("姓名,区域\n张三,一网格\n\xd5\xc5\xc8\xfd,x\n李四,二网格\n", "utf-8",
          "1:姓名|区域\n2:张三|一网格\n3:!bad_encoding\n4:李四|二网格\n");
    CHECK("\xd0\xd5\xc3\xfb,x\n\xd5\xc5\xc8\xfd,1\n张三,2\n\xc0\xee\xcb\xc4,3\n", "gb18030",
          "1:姓名|x\n2:张三|1\n3:!bad_encoding\n4:李四|3\n");
    CHECK("\xd0\xd5\xc3\xfb,x\r\n\xd5\xc5\xc8\xfd,1\r\n张三,2\r\n\xc0\xee\xcb\xc4,3\r\n", "gb18030",
          "1:姓名|x\n2:张三|1\n3:!bad_encoding\n4:李四|3\n");

    /* 梅泉皓芳 in GBK happens to be valid UTF-8 (÷Ȫ𩷼): read as GBK it is a
     * name of common characters, so it is GBK. */
    CHECK("\xd0\xd5\xc3\xfb\n\xc3\xb7\xc8\xaa\xf0\xa9\xb7\xbc\n\xd5\xc5\xc8\xfd\n", "gb18030",
          "1:姓名\n2:梅泉皓芳\n3:张三\n");

    const char in[] = "a,b\n张三,\"x\n\xd5\xc5\",1\n李四,2\n王五,3\n";
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    struct cg_csvin_record rec;
    assert_int_equal(cg_csvin_open_mem(in, sizeof in - 1, &r, &err), 0);
    assert_string_equal(cg_csvin_encoding(r), "utf-8");
    assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_RECORD);
    assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_BAD_RECORD);
    assert_int_equal(rec.line, 2);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.code, "bad_encoding");
    assert_non_null(strstr(err.message, "line 3 "));
    assert_int_equal(cg_csvin_next(r, &rec, &err), CG_CSVIN_RECORD);
    assert_int_equal(rec.line, 4);
    cg_csvin_free(r);
}

/* A stray quote on a line that crosses the reader's 64 KiB chunk boundary
 * spoils that line only: the rest of it, past the boundary, is not a row of
 * its own, and no text that is not UTF-8 (a character cut by the boundary)
 * comes out. The same from memory and from a file. */
static void stray_quote_across_chunks(void **state)
{
    (void)state;
    enum { CHUNK = 64 * 1024 };
    size_t cap = 3 * CHUNK, len = 0;
    char *data = malloc(cap);
    len += (size_t)sprintf(data, "id,name\n1,ab\"c");
    memset(data + len, 'z', CHUNK - 1 - len);
    len = CHUNK - 1;
    len += (size_t)sprintf(data + len, "张三,\"x,y\n2,李四\n"); /* 张 crosses the boundary */
    char *s = dump_mem(data, len, "utf-8");
    assert_string_equal(s, "1:id|name\n2:!malformed_csv\n3:2|李四\n");
    free(s);

    char *path = write_temp(data, len);
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    assert_int_equal(cg_csvin_open_file(path, &r, &err), 0);
    s = dump(r);
    assert_string_equal(s, "1:id|name\n2:!malformed_csv\n3:2|李四\n");
    free(s);
    cg_csvin_free(r);
    unlink(path);
    free(path);
    free(data);
}

/* A missing file is an io_error naming it, not a crash. */
static void missing_file(void **state)
{
    (void)state;
    cg_csvin *r = NULL;
    struct cg_csvin_error err;
    assert_int_equal(cg_csvin_open_file("/nonexistent/x.csv", &r, &err), CG_EIO);
    assert_string_equal(err.code, "io_error");
    assert_non_null(strstr(err.message, "/nonexistent/x.csv"));
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_ends),
        cmocka_unit_test(bom_is_dropped),
        cmocka_unit_test(gbk_is_converted),
        cmocka_unit_test(quoting),
        cmocka_unit_test(blank_lines),
        cmocka_unit_test(stray_quote),
        cmocka_unit_test(truncated),
        cmocka_unit_test(refused_encodings),
        cmocka_unit_test(empty_input),
        cmocka_unit_test(record_is_bounded),
        cmocka_unit_test(big_gbk_file),
        cmocka_unit_test(mixed_encodings),
        cmocka_unit_test(stray_quote_across_chunks),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
