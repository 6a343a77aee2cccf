/* Unit tests for lib/util: the arena, the capped buffer and the error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civgrid/arena.h"
#include "civgrid/buf.h"
#include "civgrid/error.h"

/* ---- arena ---- */

/* Every allocation, whatever its size, is aligned for any type (16 bytes
 * covers long double and SSE types), so callers may store structs in it. */
static void arena_alloc_is_aligned(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    assert_non_null(a);
    for (size_t n = 0; n < 100; n++) {
        void *p = cg_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    cg_arena_free(a);
}

/* Many allocations across several blocks stay distinct and keep their
 * contents: a later block never overwrites an earlier one. */
static void arena_many_allocs_keep_contents(void **state)
{
    (void)state;
    enum { N = 5000 };
    cg_arena *a = cg_arena_new();
    int **ptrs = calloc(N, sizeof *ptrs);
    assert_non_null(ptrs);
    for (int i = 0; i < N; i++) {
        ptrs[i] = cg_arena_alloc(a, sizeof(int) * 4);
        assert_non_null(ptrs[i]);
        for (int k = 0; k < 4; k++)
            ptrs[i][k] = i * 4 + k;
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 4; k++)
            assert_int_equal(ptrs[i][k], i * 4 + k);
    /* 16-byte requests are already aligned, so usage counts them exactly. */
    assert_int_equal(cg_arena_used(a), (size_t)N * 16);
    free(ptrs);
    cg_arena_free(a);
}

/* calloc really zero-fills, even in memory the arena hands out again. */
static void arena_calloc_zeroes(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    unsigned char *p = cg_arena_calloc(a, 1000);
    assert_non_null(p);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(p[i], 0);
    cg_arena_free(a);
}

/* strdup/strndup/printf copy into the arena: changing the source afterwards
 * does not change the copy, and NULL in gives NULL out. */
static void arena_strdup_and_printf(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    char src[] = "网格员 grid";
    char *d = cg_arena_strdup(a, src);
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    src[0] = 'X';
    assert_string_equal(d, "网格员 grid");
    assert_null(cg_arena_strdup(a, NULL));

    char *n = cg_arena_strndup(a, "abcdef", 3);
    assert_string_equal(n, "abc");

    char *f = cg_arena_printf(a, "%s-%d-%05.1f", "case", 42, 3.14159);
    assert_string_equal(f, "case-42-003.1");

    /* A formatted string longer than the first block still comes out whole. */
    char *big = cg_arena_printf(a, "%9000d|", 7);
    assert_non_null(big);
    assert_int_equal(strlen(big), 9001);
    assert_string_equal(big + 8999, "7|");
    cg_arena_free(a);
}

/* An allocation larger than any block so far gets a block big enough, and
 * small allocations keep working around it. */
static void arena_large_allocation(void **state)
{
    (void)state;
    cg_arena *a = cg_arena_new();
    char *small1 = cg_arena_strdup(a, "before");
    size_t big_n = 1u << 20; /* 1 MiB, far above the first 4 KiB block */
    unsigned char *big = cg_arena_alloc(a, big_n);
    assert_non_null(big);
    memset(big, 0xAB, big_n); /* ASan reports it if the block is too small */
    char *small2 = cg_arena_strdup(a, "after");
    assert_string_equal(small1, "before");
    assert_string_equal(small2, "after");
    assert_int_equal(big[0], 0xAB);
    assert_int_equal(big[big_n - 1], 0xAB);
    assert_true(cg_arena_used(a) >= big_n);
    cg_arena_free(a);
}

/* Freeing NULL is allowed (one cleanup label pattern). */
static void arena_free_null(void **state)
{
    (void)state;
    cg_arena_free(NULL);
}

/* ---- buf ---- */

/* Appends within the cap succeed; the one that would pass it fails with
 * CG_ETOOBIG and leaves length and contents exactly as they were. */
static void buf_cap_enforced_and_unchanged(void **state)
{
    (void)state;
    cg_buf b;
    cg_buf_init(&b, 10);
    assert_int_equal(cg_buf_puts(&b, "12345"), 0);
    assert_int_equal(cg_buf_append(&b, "6789", 4), 0);
    assert_int_equal(b.len, 9);
    assert_int_equal(cg_buf_puts(&b, "ab"), CG_ETOOBIG);
    assert_int_equal(b.len, 9);
    assert_string_equal(b.data, "123456789");
    assert_int_equal(cg_buf_printf(&b, "%d", 42), CG_ETOOBIG);
    assert_string_equal(b.data, "123456789");
    /* Exactly reaching the cap is allowed. */
    assert_int_equal(cg_buf_puts(&b, "0"), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "1234567890");
    assert_int_equal(cg_buf_append(&b, "x", 1), CG_ETOOBIG);
    /* A huge length must not wrap around the cap check. */
    assert_int_equal(cg_buf_append(&b, "x", SIZE_MAX), CG_ETOOBIG);
    assert_int_equal(b.len, 10);
    cg_buf_free(&b);
}

/* A cap of 0 means unlimited: the buffer grows past its initial size. */
static void buf_unlimited_grows(void **state)
{
    (void)state;
    cg_buf b;
    cg_buf_init(&b, 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(cg_buf_append(&b, "x", 1), 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(b.data), 10000);
    cg_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    cg_buf_free(&b);
}

/* printf appends formatted text, NUL-terminated, including long output. */
static void buf_printf_appends(void **state)
{
    (void)state;
    cg_buf b;
    cg_buf_init(&b, 0);
    assert_int_equal(cg_buf_puts(&b, "{"), 0);
    assert_int_equal(cg_buf_printf(&b, "\"n\":%d,\"s\":\"%s\"", 7, "绿码"), 0);
    assert_int_equal(cg_buf_puts(&b, "}"), 0);
    assert_string_equal(b.data, "{\"n\":7,\"s\":\"绿码\"}");
    assert_int_equal(b.len, strlen(b.data));
    assert_int_equal(cg_buf_printf(&b, "%1000s", "z"), 0);
    assert_int_equal(b.len, strlen("{\"n\":7,\"s\":\"绿码\"}") + 1000);
    cg_buf_free(&b);
}

/* steal hands over the data and empties the buffer; an empty buffer still
 * gives a valid empty string, never NULL. */
static void buf_steal(void **state)
{
    (void)state;
    cg_buf b;
    cg_buf_init(&b, 100);
    size_t len = 99;
    char *empty = cg_buf_steal(&b, &len);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    assert_int_equal(len, 0);
    free(empty);

    assert_int_equal(cg_buf_puts(&b, "hello"), 0);
    char *p = cg_buf_steal(&b, &len);
    assert_string_equal(p, "hello");
    assert_int_equal(len, 5);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    /* The buffer is reusable, keeping its cap. */
    assert_int_equal(cg_buf_puts(&b, "again"), 0);
    assert_string_equal(b.data, "again");
    free(p);
    cg_buf_free(&b);
}

/* ---- error table ---- */

/* Known codes have their stable API names, HTTP statuses and messages. */
static void error_known_codes(void **state)
{
    (void)state;
    assert_string_equal(cg_err_name(CG_ENOTFOUND), "not_found");
    assert_int_equal(cg_err_http_status(CG_ENOTFOUND), 404);
    assert_string_equal(cg_strerror(CG_ENOTFOUND), "not found");

    assert_string_equal(cg_err_name(CG_EEXISTS), "already_exists");
    assert_int_equal(cg_err_http_status(CG_EEXISTS), 409);

    assert_string_equal(cg_err_name(CG_EBUSY), "database_busy");
    assert_int_equal(cg_err_http_status(CG_EBUSY), 503);

    assert_string_equal(cg_err_name(CG_ETOOBIG), "too_large");
    assert_int_equal(cg_err_http_status(CG_ETOOBIG), 413);

    assert_string_equal(cg_err_name(CG_EUNAUTH), "unauthenticated");
    assert_int_equal(cg_err_http_status(CG_EUNAUTH), 401);

    assert_string_equal(cg_err_name(CG_ELOCKED), "account_locked");
    assert_int_equal(cg_err_http_status(CG_ELOCKED), 429);

    assert_string_equal(cg_err_name(CG_EINTERNAL), "internal_error");
    assert_string_equal(cg_strerror(CG_ESCHEMA_NEWER),
                        "database schema is newer than this binary; upgrade civgrid");
}

/* Every code in the table has a distinct name, a real status and a message,
 * so the API never answers two errors with the same string. */
static void error_table_consistent(void **state)
{
    (void)state;
    static const int codes[] = {
#define CODE(name, val, str, status, msg) CG_E##name,
        CG_ERRNO_MAP(CODE)
#undef CODE
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        int st = cg_err_http_status(codes[i]);
        assert_true(st >= 400 && st <= 599);
        assert_string_not_equal(cg_strerror(codes[i]), "unknown error");
        for (size_t j = i + 1; j < n; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(cg_err_name(codes[i]), cg_err_name(codes[j]));
        }
    }
}

/* 0 is success; an unknown code still gives a usable, non-NULL answer. */
static void error_unknown_and_zero(void **state)
{
    (void)state;
    assert_string_equal(cg_strerror(0), "success");
    assert_string_equal(cg_err_name(0), "ok");
    assert_string_equal(cg_strerror(-9999), "unknown error");
    assert_string_equal(cg_err_name(-9999), "internal_error");
    assert_int_equal(cg_err_http_status(-9999), 500);
    assert_string_equal(cg_strerror(12345), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_alloc_is_aligned),
        cmocka_unit_test(arena_many_allocs_keep_contents),
        cmocka_unit_test(arena_calloc_zeroes),
        cmocka_unit_test(arena_strdup_and_printf),
        cmocka_unit_test(arena_large_allocation),
        cmocka_unit_test(arena_free_null),
        cmocka_unit_test(buf_cap_enforced_and_unchanged),
        cmocka_unit_test(buf_unlimited_grows),
        cmocka_unit_test(buf_printf_appends),
        cmocka_unit_test(buf_steal),
        cmocka_unit_test(error_known_codes),
        cmocka_unit_test(error_table_consistent),
        cmocka_unit_test(error_unknown_and_zero),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
