/* Fuzz target: resident ID numbers and mobile numbers as they arrive in
 * imports and request bodies. Whatever cg_idcard_parse accepts must really be
 * an ID number: 18 characters, digits, a birth date that exists, the right
 * check character; and what it fills in must say the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/idcard.h"

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void check_accepted(const char *id, const struct cg_idcard *c)
{
    if (strlen(id) != 18 || !is_digits(id, 17))
        abort();
    char last = id[17] == 'x' ? 'X' : id[17];
    if (cg_idcard_check_char(id) != last)
        abort();
    if (memcmp(c->region, id, 6) || strlen(c->region) != 6)
        abort();
    if (strlen(c->birth_date) != 10 || c->birth_date[4] != '-' || c->birth_date[7] != '-' ||
        memcmp(c->birth_date, id + 6, 4) || memcmp(c->birth_date + 5, id + 10, 2) ||
        memcmp(c->birth_date + 8, id + 12, 2))
        abort();
    if (c->sex != ((id[16] - '0') % 2 ? 'M' : 'F'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct cg_idcard c;
    const char *why = NULL;
    int rc = cg_idcard_parse(s, 2026, &c, &why);
    if (rc == 0)
        check_accepted(s, &c);
    else if (!why || !*why)
        abort(); /* a refusal always says why */
    if (cg_idcard_parse(s, 2026, NULL, NULL) != rc)
        abort(); /* the answer does not depend on what is asked back */
    if (size >= 17 && is_digits(s, 17)) {
        char k = cg_idcard_check_char(s);
        if (!((k >= '0' && k <= '9') || k == 'X'))
            abort();
    }
    if (cg_phone_check(s) == 0 && (strlen(s) != 11 || s[0] != '1' || !is_digits(s, 11)))
        abort();
    free(s);
    return 0;
}
