/* A memory arena: many small allocations released in one call.
 *
 * Each HTTP request (and each CLI command) owns one arena (h2o's memory pool):
 * everything allocated while answering it lives until cg_arena_free().
 * Not thread-safe; one owner at a time.
 */
#ifndef CIVGRID_ARENA_H
#define CIVGRID_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cg_arena cg_arena;

/* Creates an empty arena; NULL when out of memory. Free with cg_arena_free. */
cg_arena *cg_arena_new(void);

/* Releases the arena and everything allocated in it. Accepts NULL. */
void cg_arena_free(cg_arena *a);

/* Returns n bytes aligned for any type, owned by the arena; NULL when out of
 * memory. */
void *cg_arena_alloc(cg_arena *a, size_t n);

/* Like cg_arena_alloc but zero-filled. */
void *cg_arena_calloc(cg_arena *a, size_t n);

/* Copies n bytes of s into the arena and terminates them with NUL. */
char *cg_arena_strndup(cg_arena *a, const char *s, size_t n);

/* Copies the NUL-terminated s into the arena; NULL in gives NULL out. */
char *cg_arena_strdup(cg_arena *a, const char *s);

/* printf into the arena. */
char *cg_arena_printf(cg_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *cg_arena_vprintf(cg_arena *a, const char *fmt, va_list ap);

/* Makes room for element number count in an arena array of elements of size
 * bytes whose capacity is *cap, doubling it when full (the old copy stays in
 * the arena until it is freed). Returns the array, moved or not, or NULL when
 * out of memory. Start with items NULL and *cap 0. */
void *cg_arena_grow(cg_arena *a, void *items, size_t size, size_t count, size_t *cap);

/* Bytes handed out so far (for tests and metrics). */
size_t cg_arena_used(const cg_arena *a);

#endif
