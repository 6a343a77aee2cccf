/* civgrid import areas|residents|venues FILE: loads a CSV file into the
 * registry as the command-line actor, all or nothing (or, with
 * --skip-invalid, every good row), and prints each bad row as
 * "LINE:COLUMN: CODE: message" on standard error. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/import.h"
#include "cli.h"

static const struct opt_def import_opts[] = {
    OPT_DB,
    {"skip_invalid", OPT_BOOL, NULL, NULL, 0, 0,
     "write the good rows and report the bad ones (default: nothing is written unless every row is "
     "good)"},
    {"dry_run", OPT_BOOL, NULL, NULL, 0, 0, "check and count everything, then write nothing"},
    {"max_errors", OPT_INT, NULL, "1000", 1, 1000000,
     "print at most this many problems (all are counted)"},
    OPT_END,
};

void usage_import(FILE *f)
{
    fprintf(
        f,
        "usage: civgrid import areas|residents|venues FILE --db DB [--skip-invalid] [--dry-run]\n\n"
        "Loads a CSV file (UTF-8 with or without BOM, or GBK as Chinese Excel saves it) whose\n"
        "first line names the columns, in English or Chinese:\n"
        "  areas      code, parent_code, level, name           (编码, 上级编码, 层级, 名称)\n"
        "  residents  id_number, name, phone, area_code, household, unit, room, resident_type, "
        "tags\n"
        "             (身份证号, 姓名, 手机号, 区域编码, 户号, 单元, 房间, 人员类型, 标签)\n"
        "  venues     code, name, type, area_code, address     (编码, 名称, 类型, 区域编码, "
        "地址)\n\n"
        "Every row is checked. Nothing is written unless every row is good; with --skip-invalid\n"
        "the good rows are written. Problems are printed as LINE:COLUMN: CODE: message on\n"
        "standard error. Importing the same file again changes nothing. Exit status: 0 when the\n"
        "rows were written, 1 when nothing was, 2 for bad arguments.\n\noptions:\n");
    opts_usage(import_opts, f);
}

struct progress {
    int tty, shown;
    double started, last;
};

/* A progress bar on a terminal: percent of the file's bytes and rows/s. */
static void on_progress(void *ctx, uint64_t done, uint64_t total, int64_t rows)
{
    struct progress *p = ctx;
    double now = cg_monotonic();
    if (!p->tty || now - p->last < 0.2)
        return;
    p->last = now;
    p->shown = 1;
    double pct = total ? 100.0 * (double)done / (double)total : 0;
    int width = 30, fill = (int)(pct * width / 100);
    if (fill > width)
        fill = width;
    fprintf(stderr, "\r%5.1f%% [%.*s%*s] %lld rows, %.0f rows/s", pct, fill,
            "##############################", width - fill, "", (long long)rows,
            now > p->started ? (double)rows / (now - p->started) : 0.0);
    fflush(stderr);
}

static int run_import(struct cli *c, struct opts *o)
{
    enum cg_import_kind kind;
    if (o->npositional != 2 || cg_import_kind_parse(o->positional[0], &kind)) {
        fprintf(stderr, "civgrid import: usage: civgrid import areas|residents|venues FILE --db DB "
                        "[--skip-invalid]\n");
        return EXIT_USAGE;
    }
    struct progress p = {.tty = isatty(STDERR_FILENO), .started = cg_monotonic()};
    struct cg_import_options opt = {
        .skip_invalid = opt_bool(o, "skip_invalid"),
        .dry_run = opt_bool(o, "dry_run"),
        .max_errors = (size_t)opt_int(o, "max_errors"),
        .progress = on_progress,
        .progress_ctx = &p,
    };
    struct cg_import_result res;
    int rc = cg_import_file(c->store, c->actor, kind, o->positional[1], &opt, c->arena, &res);
    if (p.shown)
        fprintf(stderr, "\r\033[K");
    for (size_t i = 0; i < res.nerrors; i++)
        fprintf(stderr, "%ld:%s: %s: %s\n", res.errors[i].line, res.errors[i].column,
                res.errors[i].code, res.errors[i].message);
    if (res.errors_total > (int64_t)res.nerrors)
        fprintf(stderr, "... and %lld more problems\n",
                (long long)(res.errors_total - (int64_t)res.nerrors));
    if (rc == CG_EIO)
        return EXIT_USAGE; /* the file named cannot be read: said above */
    if (rc && rc != CG_EINVALID_ROWS)
        return cli_fail(c, rc, NULL);
    double secs = cg_monotonic() - p.started;
    printf("import %s%s: %lld rows, %lld written, %lld unchanged, %lld invalid (%s, %.1f s, %.0f "
           "rows/s)\n",
           res.kind, res.dry_run ? " (dry run)" : "", (long long)res.rows, (long long)res.written,
           (long long)res.unchanged, (long long)res.invalid, res.encoding[0] ? res.encoding : "-",
           secs, secs > 0 ? (double)res.rows / secs : 0.0);
    if (rc == CG_EINVALID_ROWS) {
        int64_t good = res.rows - res.invalid;
        if (res.invalid && !opt.skip_invalid && good > 0)
            fprintf(
                stderr,
                "civgrid import: nothing was written: %lld of %lld rows are invalid (fix them, or"
                " use --skip-invalid to write the %lld good rows)\n",
                (long long)res.invalid, (long long)res.rows, (long long)good);
        else
            fprintf(stderr, "civgrid import: nothing was written\n");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
    return cli_run("import", run_import, import_opts, argc, argv);
}
