/* A string-keyed hash map of int64 values with open addressing. Keys are
 * copied; for lookup caches and duplicate detection over millions of rows. */
#ifndef CIVGRID_STRMAP_H
#define CIVGRID_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_strmap cg_strmap;

cg_strmap *cg_strmap_new(void);
void cg_strmap_free(cg_strmap *m);

/* Sets key to value. 0 or CG_ENOMEM. */
int cg_strmap_put(cg_strmap *m, const char *key, int64_t value);

/* 1 and *value when present, else 0. value may be NULL. */
int cg_strmap_get(const cg_strmap *m, const char *key, int64_t *value);

size_t cg_strmap_count(const cg_strmap *m);

#endif
