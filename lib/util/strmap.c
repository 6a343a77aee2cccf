#include "civgrid/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"

struct slot {
    char *key;
    uint64_t hash;
    int64_t value;
};

struct cg_strmap {
    struct slot *slots;
    size_t cap, count;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

cg_strmap *cg_strmap_new(void)
{
    cg_strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void cg_strmap_free(cg_strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static struct slot *find(struct slot *slots, size_t cap, const char *key, uint64_t h)
{
    size_t i = h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(cg_strmap *m)
{
    size_t cap = m->cap * 2;
    struct slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return CG_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int cg_strmap_put(cg_strmap *m, const char *key, int64_t value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m))
        return CG_ENOMEM;
    uint64_t h = hash_str(key);
    struct slot *s = find(m->slots, m->cap, key, h);
    if (!s->key) {
        s->key = strdup(key);
        if (!s->key)
            return CG_ENOMEM;
        s->hash = h;
        m->count++;
    }
    s->value = value;
    return 0;
}

int cg_strmap_get(const cg_strmap *m, const char *key, int64_t *value)
{
    struct slot *s = find(m->slots, m->cap, key, hash_str(key));
    if (!s->key)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

size_t cg_strmap_count(const cg_strmap *m)
{
    return m->count;
}
