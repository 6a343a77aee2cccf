#include "civgrid/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blocks grow geometrically so that a request that builds a large response
 * costs a handful of mallocs, not one per allocation. */
#define FIRST_BLOCK 4096
#define ALIGN 16

struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

struct cg_arena {
    struct block *head;
    size_t total;
};

cg_arena *cg_arena_new(void)
{
    return calloc(1, sizeof(cg_arena));
}

void cg_arena_free(cg_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

static struct block *new_block(size_t min, size_t prev)
{
    size_t size = prev ? prev * 2 : FIRST_BLOCK;
    while (size < min)
        size *= 2;
    struct block *b = malloc(sizeof(struct block) + size);
    if (!b)
        return NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *cg_arena_alloc(cg_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        struct block *nb = new_block(n, b ? b->size : 0);
        if (!nb)
            return NULL;
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *cg_arena_calloc(cg_arena *a, size_t n)
{
    void *p = cg_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *cg_arena_strndup(cg_arena *a, const char *s, size_t n)
{
    char *p = cg_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cg_arena_strdup(cg_arena *a, const char *s)
{
    return s ? cg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *cg_arena_vprintf(cg_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *p = cg_arena_alloc(a, (size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *cg_arena_printf(cg_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = cg_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void *cg_arena_grow(cg_arena *a, void *items, size_t size, size_t count, size_t *cap)
{
    if (items && count < *cap)
        return items;
    size_t n = *cap ? *cap * 2 : 16;
    if (n > SIZE_MAX / size)
        return NULL;
    void *bigger = cg_arena_alloc(a, n * size);
    if (!bigger)
        return NULL;
    if (items)
        memcpy(bigger, items, count * size);
    *cap = n;
    return bigger;
}

size_t cg_arena_used(const cg_arena *a)
{
    return a->total;
}
