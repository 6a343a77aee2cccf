/* CSV export cells that a spreadsheet could run: whatever blanks come first,
 * a formula sign gets an apostrophe before it, and so does a cell that starts
 * with a tab or CR (which some programs drop on import); numbers and plain
 * text stay as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "civgrid/buf.h"
#include "civgrid/export.h"

/* The CSV of one column with one cell, after its header line and BOM. */
static void expect_cell(const char *cell, const char *want)
{
    cg_buf b;
    cg_buf_init(&b, 64);
    const char *headers[] = {"h"}, *cells[] = {cell};
    assert_int_equal(cg_export_csv(&b, headers, 1, cells, 1), 0);
    const char *data = b.data, *row = strstr(data, "h\r\n");
    assert_non_null(row);
    row += 3;
    size_t n = strlen(want);
    if (strncmp(row, want, n) || strcmp(row + n, "\r\n"))
        fail_msg("cell %s exported as %s, wanted %s", cell, row, want);
    cg_buf_free(&b);
}

static void formula_signs_are_neutralised_after_blanks(void **state)
{
    (void)state;
    expect_cell("=1+2", "'=1+2");
    expect_cell("@SUM(A1)", "'@SUM(A1)");
    expect_cell(" =1+2", "\"' =1+2\"");
    expect_cell("   +A1", "\"'   +A1\"");
    expect_cell("   +1", "\"   +1\""); /* a number after blanks is a number */
    expect_cell("\t=1+2", "\"'\t=1+2\"");
    expect_cell("\r-1+2", "\"'\r-1+2\"");
    expect_cell("\tplain", "\"'\tplain\"");
}

static void numbers_and_text_stay(void **state)
{
    (void)state;
    expect_cell("-12", "-12");
    expect_cell("+7", "+7");
    expect_cell("a=b", "a=b");
    expect_cell("张三", "张三");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formula_signs_are_neutralised_after_blanks),
        cmocka_unit_test(numbers_and_text_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
