/* Unit tests for the working-day calendar (lib/calendar.c): the seeded
 * holidays and make-up days of the State Council's notices, the rule for a
 * start in the evening or on a holiday, year boundaries, and edits seen at
 * once by another connection (the version row). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civgrid/calendar.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/store.h"

struct fixture {
    char dir[256], url[300];
    cg_store *s, *other;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/civgrid-cal-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "%s/test.db", f->dir);
    if (cg_store_open(f->url, &f->s, NULL) || cg_store_migrate(f->s, NULL, NULL) ||
        cg_store_open(f->url, &f->other, NULL))
        return -1;
    cg_calendar_forget();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];
    cg_store_close(f->s);
    cg_store_close(f->other);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* A local time, "YYYY-MM-DD[ HH:MM]" in Asia/Shanghai. */
static int64_t at(const char *text)
{
    int64_t t = 0;
    assert_int_equal(cg_time_parse(text, &t), 0);
    return t;
}

/* The local date of the deadline's last working day ("YYYY-MM-DD"): the
 * deadline is the midnight that ends it. */
static void due(cg_store *s, const char *start, int days, const char *last_day)
{
    int64_t out = 0;
    assert_int_equal(cg_workdays_add(s, at(start), days, &out), 0);
    char local[20];
    cg_time_local(out - 1, local);
    local[10] = '\0';
    if (strcmp(local, last_day) != 0)
        fail_msg("%s + %d working days: due at the end of %s, expected %s", start, days, local,
                 last_day);
    assert_int_equal((out + CG_TZ_OFFSET) % 86400, 0); /* a local midnight */
}

/* "Accept within 2 days" filed on the eve of National Day 2026 skips the
 * holiday week (10-01..10-07): due at the end of Friday 10-09, in the
 * morning and in the evening alike. */
static void test_national_day(void **state)
{
    struct fixture *f = *state;
    due(f->s, "2026-09-30 08:00", 2, "2026-10-09");
    due(f->s, "2026-09-30 23:59", 2, "2026-10-09");
    due(f->s, "2026-09-30 00:00", 1, "2026-10-08");
    /* Five working days: 10-08, 10-09, the make-up Saturday 10-10, 10-12, 10-13. */
    due(f->s, "2026-09-30 12:00", 5, "2026-10-13");
}

/* A start on a holiday or a weekend counts from the next working day. */
static void test_start_on_holiday(void **state)
{
    struct fixture *f = *state;
    due(f->s, "2026-10-03 15:00", 1, "2026-10-08");
    due(f->s, "2026-10-07 23:00", 2, "2026-10-09");
    due(f->s, "2026-11-28 10:00", 1, "2026-11-30"); /* a Saturday: Monday */
}

/* Make-up Saturdays and Sundays are working days; other weekends are not. */
static void test_makeup_days(void **state)
{
    struct fixture *f = *state;
    due(f->s, "2026-09-18 09:00", 1, "2026-09-20"); /* Fri -> the make-up Sunday 09-20 */
    due(f->s, "2026-10-09 09:00", 1, "2026-10-10"); /* Fri -> the make-up Saturday 10-10 */
    due(f->s, "2026-10-16 09:00", 1, "2026-10-19"); /* an ordinary weekend */
    int work = -1;
    assert_int_equal(cg_workday_is(f->s, at("2026-02-14 12:00"), &work), 0);
    assert_int_equal(work, 1);
    assert_int_equal(cg_workday_is(f->s, at("2026-02-16 12:00"), &work), 0);
    assert_int_equal(work, 0);
}

/* Counting runs across the new year: 2026-01-01..03 are holidays and Sunday
 * 01-04 is a make-up day; 2022-12-31..2023-01-02 is the 2023 New Year. */
static void test_year_boundary(void **state)
{
    struct fixture *f = *state;
    due(f->s, "2025-12-31 17:00", 1, "2026-01-04");
    due(f->s, "2025-12-31 17:00", 2, "2026-01-05");
    due(f->s, "2022-12-30 17:00", 1, "2023-01-03");
    due(f->s, "2026-12-31 17:00", 1, "2027-01-04"); /* 2027-01-01 (provisional seed) */
    due(f->s, "2030-12-31 17:00", 1, "2031-01-01"); /* past the seed: weekdays only */
}

static void test_zero_and_range(void **state)
{
    struct fixture *f = *state;
    int64_t out = 0;
    due(f->s, "2026-10-02 10:00", 0, "2026-10-02");
    assert_int_equal(cg_workdays_add(f->s, at("2026-10-02"), -1, &out), CG_ERANGE);
    assert_int_equal(cg_workdays_add(f->s, at("2026-10-02"), CG_WORKDAYS_MAX + 1, &out), CG_ERANGE);
}

/* The cutoff agrees with cg_workdays_add for every start around the holidays
 * of autumn 2026 and New Year 2027, at several times of the day. */
static void test_cutoff(void **state)
{
    struct fixture *f = *state;
    int64_t from = at("2026-09-10"), to = at("2027-01-20");
    for (int days = 0; days <= 10; days++) {
        for (int64_t now = from; now < to; now += 86400 + 3600 * 5) {
            int64_t cutoff = 0;
            assert_int_equal(cg_workdays_cutoff(f->s, now, days, &cutoff), 0);
            for (int64_t start = now - 40 * 86400; start <= now; start += 3600 * 7) {
                int64_t due_at = 0;
                assert_int_equal(cg_workdays_add(f->s, start, days, &due_at), 0);
                if ((start < cutoff) != (due_at <= now))
                    fail_msg("days %d now %lld start %lld: cutoff %lld, due %lld", days,
                             (long long)now, (long long)start, (long long)cutoff,
                             (long long)due_at);
            }
        }
    }
}

/* An edit on one connection changes the next answer on another at once. */
static void test_edit_seen_everywhere(void **state)
{
    struct fixture *f = *state;
    const struct cg_role *admin = cg_role_find("admin"), *worker = cg_role_find("grid_worker");
    struct cg_actor a = {.user_id = 1, .username = "admin", .role = admin, .area_path = "/1/"};
    struct cg_actor w = {.user_id = 2, .username = "worker", .role = worker, .area_path = "/1/"};
    struct cg_field_error fe = {0};
    due(f->s, "2026-09-30 10:00", 2, "2026-10-09");
    assert_int_equal(cg_calendar_set(f->other, &w, "2026-10-08", "holiday", "x", &fe),
                     CG_EFORBIDDEN);
    assert_int_equal(cg_calendar_set(f->other, &a, "2026-10-08", "holiday", "防汛", &fe), 0);
    due(f->s, "2026-09-30 10:00", 2, "2026-10-10");
    assert_int_equal(cg_calendar_set(f->other, &a, "2026-10-17", "workday", NULL, &fe), 0);
    due(f->s, "2026-10-16 09:00", 1, "2026-10-17");
    assert_int_equal(cg_calendar_unset(f->other, &a, "2026-10-08", &fe), 0);
    due(f->s, "2026-09-30 10:00", 2, "2026-10-09");
    assert_int_equal(cg_calendar_unset(f->other, &a, "2026-10-08", &fe), CG_ENOTFOUND);
    assert_int_equal(cg_calendar_set(f->other, &a, "2026-02-30", "holiday", NULL, &fe),
                     CG_EBADTYPE);
    assert_string_equal(fe.field, "date");
    assert_int_equal(cg_calendar_set(f->other, &a, "2026-10-09", "rest", NULL, &fe), CG_EBADTYPE);
    assert_string_equal(fe.field, "kind");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_national_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_on_holiday, setup, teardown),
        cmocka_unit_test_setup_teardown(test_makeup_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cutoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_seen_everywhere, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
