/* Fuzz target: application/x-www-form-urlencoded bodies (cg_form_parse), as
 * Open311's POST requests sends them, with bracketed names
 * (attribute[code]=...). Checks what the parser promises: every pair is
 * NUL-terminated at its length, decoding never lengthens a text, the field
 * bound holds, the lookups agree with the list, and the bracket walk
 * visits only names of the form prefix[key] and ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/arena.h"
#include "civgrid/error.h"
#include "civgrid/query.h"

static void check_brackets(const struct cg_form *f, cg_arena *a)
{
    size_t pos = 0, seen = 0;
    const char *key, *value;
    while (cg_form_next_bracket(f, "attribute", &pos, a, &key, &value)) {
        if (!*key || strchr(key, ']') || strchr(key, '[') || pos > f->n || ++seen > f->n)
            abort();
        const struct cg_form_field *ff = &f->fields[pos - 1];
        if (strncmp(ff->name, "attribute[", 10) || ff->value != value)
            abort();
    }
    if (pos != f->n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cg_arena *a = cg_arena_new();
    if (!a)
        return 0;
    struct cg_form f;
    int rc = cg_form_parse((const char *)data, size, a, &f);
    if (rc == 0) {
        if (f.n > CG_FORM_MAX_FIELDS || f.n > size)
            abort();
        for (size_t i = 0; i < f.n; i++) {
            const struct cg_form_field *ff = &f.fields[i];
            if (ff->name[ff->name_len] || ff->value[ff->value_len] ||
                ff->name_len + ff->value_len > size)
                abort();
            const char *first = cg_form_get(&f, ff->name);
            if (strlen(ff->name) == ff->name_len && !first)
                abort();
            if (strlen(ff->name) == ff->name_len && cg_form_count(&f, ff->name) < 1)
                abort();
        }
        check_brackets(&f, a);
    } else if (rc != CG_ETOOBIG && rc != CG_ENOMEM) {
        abort();
    }
    cg_arena_free(a);
    return 0;
}
