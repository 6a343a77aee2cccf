/* UTF-8 checks for text that comes from outside (query strings, path
 * parameters, passwords) and repair of text already stored, for output that
 * must be valid JSON. Strict UTF-8: no overlong forms, no surrogates, nothing
 * past U+10FFFF. */
#ifndef CIVGRID_UTF8_H
#define CIVGRID_UTF8_H

#include <stddef.h>

#include "civgrid/arena.h"

/* The length (1-4) of the valid character at s[0..n), or 0 when s does not
 * start with one (n == 0 included). */
size_t cg_utf8_char_len(const char *s, size_t n);

/* 1 when s[0..n) is valid UTF-8, else 0. */
int cg_utf8_valid(const char *s, size_t n);

/* The number of characters (code points) in a valid UTF-8 string; each
 * invalid byte counts as one. */
size_t cg_utf8_count(const char *s);

/* s itself when valid, else a copy in a with each invalid byte replaced by
 * U+FFFD; NULL for NULL (or when a is out of memory). */
const char *cg_utf8_repair(cg_arena *a, const char *s);

#endif
