/* Exports of tables as CSV (for anything) and xlsx (for Excel users). */
#include "civgrid/export.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "civgrid/error.h"
#include "civgrid/ledger.h"
#include "civgrid/resident.h"

/* ---- CSV ---- */

/* "-12", "3.5", "+7": texts a spreadsheet reads as numbers, not formulas. */
static int is_number(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.' && !dot)
            dot = 1;
        else
            return 0;
    }
    return digits > 0;
}

/* Whether a spreadsheet could take the text for a formula: its first
 * character other than spaces is one of = + - @ (Excel skips leading spaces,
 * and a tab or CR before them too), or it starts with a tab or CR, which
 * some programs drop on import. Such a cell is neutralised alike in CSV and
 * xlsx: an apostrophe before it. (An xlsx string cell is text when opened,
 * but becomes a formula once edited; this libxlsxwriter lacks the quote
 * prefix format that would hide the apostrophe.) */
static int formula_like(const char *s)
{
    if (s[0] == '\t' || s[0] == '\r')
        return 1;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s && strchr("=+-@", *s) && !is_number(s);
}

static int csv_cell(cg_buf *b, const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    int formula = formula_like(s);
    int quote =
        strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
    if (!quote && !formula)
        return cg_buf_append(b, s, n);
    int rc = quote ? cg_buf_append(b, "\"", 1) : 0;
    if (!rc && formula)
        rc = cg_buf_append(b, "'", 1);
    while (!rc && *s) {
        const char *q = strchr(s, '"');
        size_t len = q ? (size_t)(q - s) + 1 : strlen(s);
        rc = cg_buf_append(b, s, len);
        if (!rc && q)
            rc = cg_buf_append(b, "\"", 1); /* a quote is written twice */
        s += len;
    }
    return !rc && quote ? cg_buf_append(b, "\"", 1) : rc;
}

static int csv_row(cg_buf *b, const char *const *cells, size_t ncols)
{
    int rc = 0;
    for (size_t c = 0; !rc && c < ncols; c++) {
        if (c)
            rc = cg_buf_append(b, ",", 1);
        if (!rc)
            rc = csv_cell(b, cells[c]);
    }
    return rc ? rc : cg_buf_append(b, "\r\n", 2);
}

int cg_export_csv(cg_buf *out, const char *const *headers, size_t ncols, const char *const *cells,
                  size_t nrows)
{
    if (!ncols || !headers)
        return CG_EINVAL;
    size_t start = out->len;
    int rc = cg_buf_append(out, "\xEF\xBB\xBF", 3);
    if (!rc)
        rc = csv_row(out, headers, ncols);
    for (size_t r = 0; !rc && r < nrows; r++)
        rc = csv_row(out, cells + r * ncols, ncols);
    if (rc) /* all or nothing */
        out->len = start;
    if (rc && out->data)
        out->data[start] = '\0';
    return rc;
}

/* ---- xlsx ---- */

#define XLSX_MAX_ROWS 1048576
#define WIDTH_SAMPLE 1000

/* Display width of a text: CJK and other wide characters count two. */
static double text_width(const char *s)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p < 0x80)
            w += 1;
        else if (*p >= 0xE0) /* the lead byte of a 3- or 4-byte character */
            w += 2;
        else if (*p >= 0xC0)
            w += 1;
    }
    return w;
}

/* XML cannot carry most control characters; they become spaces. */
static const char *xml_safe(const char *s, char **scratch)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            break;
    if (!*p)
        return s;
    free(*scratch);
    if (!(*scratch = strdup(s)))
        return NULL;
    for (unsigned char *q = (unsigned char *)*scratch; *q; q++)
        if ((*q < 0x20 && *q != '\t' && *q != '\n' && *q != '\r') || *q == 0x7f)
            *q = ' ';
    return *scratch;
}

static int xlsx_error(lxw_error e)
{
    switch (e) {
    case LXW_NO_ERROR:
        return 0;
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return CG_ENOMEM;
    case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
        return CG_ETOOBIG;
    default:
        return CG_EIO;
    }
}

static int write_sheet(lxw_workbook *wb, const char *sheet, const char *const *headers,
                       size_t ncols, const char *const *cells, size_t nrows)
{
    if (!sheet || workbook_validate_sheet_name(wb, sheet) != LXW_NO_ERROR)
        sheet = "Sheet1";
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *bold = workbook_add_format(wb);
    if (!ws || !bold)
        return CG_ENOMEM;
    format_set_bold(bold);
    /* Column widths first: in constant-memory mode rows go out as written. */
    for (size_t c = 0; c < ncols; c++) {
        double w = text_width(headers[c]);
        for (size_t r = 0; r < nrows && r < WIDTH_SAMPLE; r++) {
            double cw = text_width(cells[r * ncols + c]);
            w = cw > w ? cw : w;
        }
        w = w < 6 ? 6 : w > 60 ? 60 : w;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w + 2, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)nrows, (lxw_col_t)(ncols - 1));
    char *scratch = NULL, *quoted = NULL;
    int rc = 0;
    for (size_t r = 0; !rc && r <= nrows; r++) {
        const char *const *row = r ? cells + (r - 1) * ncols : headers;
        for (size_t c = 0; !rc && c < ncols; c++) {
            if (!row[c] || !*row[c])
                continue;
            const char *safe = xml_safe(row[c], &scratch);
            if (safe && r && formula_like(safe)) {
                free(quoted);
                size_t n = strlen(safe);
                if ((quoted = malloc(n + 2))) {
                    quoted[0] = '\'';
                    memcpy(quoted + 1, safe, n + 1);
                }
                safe = quoted;
            }
            rc = safe ? xlsx_error(worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, safe,
                                                          r ? NULL : bold))
                      : CG_ENOMEM;
        }
    }
    free(quoted);
    free(scratch);
    return rc;
}

static int read_file(const char *path, cg_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return CG_EIO;
    char chunk[64 * 1024];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = cg_buf_append(out, chunk, n);
    if (!rc && ferror(f))
        rc = CG_EIO;
    fclose(f);
    return rc;
}

int cg_export_xlsx(cg_buf *out, const char *sheet, const char *const *headers, size_t ncols,
                   const char *const *cells, size_t nrows)
{
    if (!ncols || !headers)
        return CG_EINVAL;
    if (nrows >= XLSX_MAX_ROWS || ncols > 16384)
        return CG_ETOOBIG;
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/civgrid-export-XXXXXX.xlsx", tmpdir) >= (int)sizeof path)
        return CG_EIO;
    int fd = mkstemps(path, 5);
    if (fd < 0)
        return CG_EIO;
    close(fd);
    /* Constant memory: rows stream to disk, so a 100,000-row export does not
     * hold its cells twice. */
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    int rc = wb ? write_sheet(wb, sheet, headers, ncols, cells, nrows) : CG_ENOMEM;
    if (wb) {
        int close_rc = xlsx_error(workbook_close(wb));
        rc = rc ? rc : close_rc;
    }
    size_t start = out->len;
    if (!rc && (rc = read_file(path, out))) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    unlink(path);
    return rc;
}

/* ---- streams ---- */

#define STREAM_FLUSH (64 * 1024)

struct cg_export_stream {
    int xlsx;
    size_t ncols;
    int64_t rows;
    char path[PATH_MAX];
    FILE *csv; /* CSV: the file, written through buf */
    cg_buf buf;
    lxw_workbook *wb; /* xlsx */
    lxw_worksheet *ws;
    char *scratch, *quoted;
};

static int stream_flush(struct cg_export_stream *x)
{
    if (x->buf.len && fwrite(x->buf.data, 1, x->buf.len, x->csv) != x->buf.len)
        return CG_EIO;
    cg_buf_reset(&x->buf);
    return 0;
}

static int stream_xlsx_row(struct cg_export_stream *x, const char *const *row, lxw_format *fmt)
{
    int rc = 0;
    for (size_t c = 0; !rc && c < x->ncols; c++) {
        if (!row[c] || !*row[c])
            continue;
        const char *safe = xml_safe(row[c], &x->scratch);
        if (safe && x->rows && formula_like(safe)) {
            free(x->quoted);
            size_t n = strlen(safe);
            if ((x->quoted = malloc(n + 2))) {
                x->quoted[0] = '\'';
                memcpy(x->quoted + 1, safe, n + 1);
            }
            safe = x->quoted;
        }
        rc = safe ? xlsx_error(
                        worksheet_write_string(x->ws, (lxw_row_t)x->rows, (lxw_col_t)c, safe, fmt))
                  : CG_ENOMEM;
    }
    return rc;
}

int cg_export_stream_open(int xlsx, const char *sheet, const char *const *headers, size_t ncols,
                          const double *widths, struct cg_export_stream **out)
{
    *out = NULL;
    if (!ncols || !headers || ncols > 16384)
        return CG_EINVAL;
    struct cg_export_stream *x = calloc(1, sizeof *x);
    if (!x)
        return CG_ENOMEM;
    x->xlsx = xlsx;
    x->ncols = ncols;
    cg_buf_init(&x->buf, 0);
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    int rc = snprintf(x->path, sizeof x->path, "%s/civgrid-export-XXXXXX.%s", tmpdir,
                      xlsx ? "xlsx" : "csv") >= (int)sizeof x->path
                 ? CG_EIO
                 : 0;
    int fd = rc ? -1 : mkstemps(x->path, xlsx ? 5 : 4);
    if (!rc && fd < 0)
        rc = CG_EIO;
    if (!rc && !xlsx && !(x->csv = fdopen(fd, "w+b"))) {
        close(fd);
        rc = CG_EIO;
    } else if (!rc && xlsx) {
        close(fd);
        lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
        x->wb = workbook_new_opt(x->path, &opts);
        if (!sheet || (x->wb && workbook_validate_sheet_name(x->wb, sheet) != LXW_NO_ERROR))
            sheet = "Sheet1";
        x->ws = x->wb ? workbook_add_worksheet(x->wb, sheet) : NULL;
        lxw_format *bold = x->wb ? workbook_add_format(x->wb) : NULL;
        rc = x->ws && bold ? 0 : CG_ENOMEM;
        if (!rc) {
            format_set_bold(bold);
            for (size_t c = 0; c < ncols; c++) {
                double w = widths ? widths[c] : text_width(headers[c]);
                worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, w + 2, NULL);
            }
            worksheet_freeze_panes(x->ws, 1, 0);
            rc = stream_xlsx_row(x, headers, bold);
        }
    }
    if (!rc && !xlsx) {
        rc = cg_buf_append(&x->buf, "\xEF\xBB\xBF", 3);
        if (!rc)
            rc = csv_row(&x->buf, headers, ncols);
    }
    x->rows = 1;
    if (rc) {
        cg_export_stream_abort(x);
        return rc;
    }
    *out = x;
    return 0;
}

int cg_export_stream_row(struct cg_export_stream *x, const char *const *cells)
{
    int rc;
    if (x->xlsx) {
        if (x->rows >= XLSX_MAX_ROWS)
            return CG_ETOOBIG;
        rc = stream_xlsx_row(x, cells, NULL);
    } else {
        rc = csv_row(&x->buf, cells, x->ncols);
        if (!rc && x->buf.len >= STREAM_FLUSH)
            rc = stream_flush(x);
    }
    if (!rc)
        x->rows++;
    return rc;
}

void cg_export_stream_abort(struct cg_export_stream *x)
{
    if (!x)
        return;
    if (x->csv)
        fclose(x->csv);
    if (x->wb)
        workbook_close(x->wb);
    if (x->path[0])
        unlink(x->path);
    cg_buf_free(&x->buf);
    free(x->scratch);
    free(x->quoted);
    free(x);
}

int cg_export_stream_close(struct cg_export_stream *x, int *fd, int64_t *size)
{
    int rc = 0;
    *fd = -1;
    if (x->xlsx) {
        worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)(x->rows - 1), (lxw_col_t)(x->ncols - 1));
        rc = xlsx_error(workbook_close(x->wb));
        x->wb = NULL;
        *fd = rc ? -1 : open(x->path, O_RDONLY | O_CLOEXEC);
    } else {
        rc = stream_flush(x);
        if (!rc && fflush(x->csv))
            rc = CG_EIO;
        *fd = rc ? -1 : dup(fileno(x->csv));
    }
    if (!rc && *fd < 0)
        rc = CG_EIO;
    struct stat st;
    if (!rc && fstat(*fd, &st))
        rc = CG_EIO;
    if (!rc)
        *size = (int64_t)st.st_size;
    if (!rc && lseek(*fd, 0, SEEK_SET) != 0)
        rc = CG_EIO;
    if (rc && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    cg_export_stream_abort(x); /* closes and unlinks: the open fd keeps the file */
    return rc;
}

/* ---- residents in the office's words ---- */

/* The export's columns, in the order of a residents import file. */
static const int resident_cols[] = {
    CG_RESIDENT_COL_ID,        CG_RESIDENT_COL_NAME,      CG_RESIDENT_COL_SEX,
    CG_RESIDENT_COL_BIRTH,     CG_RESIDENT_COL_PHONE,     CG_RESIDENT_COL_AREA,
    CG_RESIDENT_COL_AREA_NAME, CG_RESIDENT_COL_HOUSEHOLD, CG_RESIDENT_COL_UNIT,
    CG_RESIDENT_COL_ROOM,      CG_RESIDENT_COL_TYPE,      CG_RESIDENT_COL_STATUS,
    CG_RESIDENT_COL_TAGS,
};
#define RESIDENT_EXPORT_COLS (sizeof resident_cols / sizeof resident_cols[0])

/* Stored codes and their words. The resident types' words are the ones the
 * import reads back (户籍/流动 and the English codes themselves). */
static const char *const code_words[][3] = {
    {"M", "男", "Male"},
    {"F", "女", "Female"},
    {"permanent", "户籍", "permanent"},
    {"floating", "流动", "floating"},
    {"active", "在册", "Active"},
    {"moved_out", "迁出", "Moved out"},
    {"deceased", "死亡", "Deceased"},
};

static const char *word(const char *code, int en)
{
    for (size_t i = 0; code && i < sizeof code_words / sizeof code_words[0]; i++)
        if (!strcmp(code_words[i][0], code))
            return code_words[i][en ? 2 : 1];
    return code;
}

/* "party_member;volunteer" in words: "党员;志愿者". */
static const char *ledger_words(const char *tags, int en, const struct cg_ledger *ledgers,
                                size_t nledgers, cg_arena *a)
{
    if (!tags || !*tags)
        return tags;
    cg_buf b;
    cg_buf_init(&b, 64);
    for (const char *t = tags; *t;) {
        size_t len = strcspn(t, ";");
        const char *w = NULL;
        for (size_t i = 0; !w && i < nledgers; i++)
            if (strlen(ledgers[i].name) == len && !strncmp(ledgers[i].name, t, len))
                w = en ? ledgers[i].en : ledgers[i].zh;
        if (b.len)
            cg_buf_append(&b, ";", 1);
        if (w && *w)
            cg_buf_append(&b, w, strlen(w));
        else
            cg_buf_append(&b, t, len);
        t += len + (t[len] == ';');
    }
    const char *out = b.data ? cg_arena_strdup(a, b.data) : NULL;
    cg_buf_free(&b);
    return out;
}

int cg_export_residents(cg_buf *out, int xlsx, int en, const struct cg_resident *items, size_t n,
                        const struct cg_ledger *ledgers, size_t nledgers, cg_arena *a)
{
    const char *headers[RESIDENT_EXPORT_COLS];
    for (size_t c = 0; c < RESIDENT_EXPORT_COLS; c++) {
        const struct cg_import_column *col = &cg_resident_columns[resident_cols[c]];
        headers[c] = en ? col->en : col->zh;
    }
    const char **cells = cg_arena_alloc(a, (n ? n : 1) * RESIDENT_EXPORT_COLS * sizeof *cells);
    if (!cells)
        return CG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct cg_resident *x = &items[i];
        const char *tags = ledger_words(x->tags, en, ledgers, nledgers, a);
        if (x->tags && *x->tags && !tags)
            return CG_ENOMEM;
        const char *row[RESIDENT_EXPORT_COLS] = {x->id_number,
                                                 x->name,
                                                 word(x->sex, en),
                                                 x->birth_date,
                                                 x->phone,
                                                 x->area.code,
                                                 x->area.name,
                                                 x->household,
                                                 x->unit,
                                                 x->room,
                                                 word(x->resident_type, en),
                                                 word(x->status, en),
                                                 tags};
        memcpy(&cells[i * RESIDENT_EXPORT_COLS], row, sizeof row);
    }
    return xlsx ? cg_export_xlsx(out, en ? "Residents" : "居民", headers, RESIDENT_EXPORT_COLS,
                                 cells, n)
                : cg_export_csv(out, headers, RESIDENT_EXPORT_COLS, cells, n);
}

/* RFC 5987 attr-char: what a filename* carries as it is; the rest is %XX. */
static int attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

/* A name part that is safe in a file name: path separators, quotes and
 * control characters become '_'. */
static void name_part(cg_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        unsigned char c = *p < 0x20 || *p == 0x7f || strchr("/\\\":*?<>|", *p) ? '_' : *p;
        cg_buf_append(b, (const char *)&c, 1);
    }
}

const char *cg_export_disposition(cg_arena *a, const char *what, const char *ascii_what,
                                  const char *where, const char *ext, int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    char stamp[32];
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M", &tm);
    cg_buf name;
    cg_buf_init(&name, 128);
    name_part(&name, what);
    if (where && *where) {
        cg_buf_append(&name, "_", 1);
        name_part(&name, where);
    }
    cg_buf_printf(&name, "_%s.%s", stamp, ext);
    cg_buf enc;
    cg_buf_init(&enc, 256);
    for (size_t i = 0; name.data && i < name.len; i++) {
        unsigned char c = (unsigned char)name.data[i];
        if (attr_char(c))
            cg_buf_append(&enc, (const char *)&c, 1);
        else
            cg_buf_printf(&enc, "%%%02X", c);
    }
    const char *out = cg_arena_printf(a, "attachment; filename=\"%s_%s.%s\"; filename*=UTF-8''%s",
                                      ascii_what, stamp, ext, enc.data ? enc.data : "");
    cg_buf_free(&name);
    cg_buf_free(&enc);
    return out;
}
