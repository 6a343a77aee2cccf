/* Fuzz target: the bytes of an uploaded case photo (cg_case_sniff_image)
 * and the codes a request names (actions, states, types). Whatever the
 * sniffer accepts must start with that type's signature, so that a file
 * served with the stored Content-Type is what it claims; the parsers accept
 * exactly the codes of their tables and hand back the entry with that
 * code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/case.h"

static void check_sniffed(const uint8_t *data, size_t size)
{
    const char *type = cg_case_sniff_image(data, size);
    if (!type)
        return;
    if (!strcmp(type, "image/jpeg")) {
        if (size < 4 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
            abort();
    } else if (!strcmp(type, "image/png")) {
        if (size < 8 || memcmp(data, "\x89PNG\r\n\x1a\n", 8))
            abort();
    } else if (!strcmp(type, "image/webp")) {
        if (size < 16 || memcmp(data, "RIFF", 4) || memcmp(data + 8, "WEBPVP8", 7))
            abort();
    } else {
        abort(); /* a type the API does not promise */
    }
}

static void check_codes(const char *s)
{
    enum cg_case_action ac;
    enum cg_case_state st;
    enum cg_case_type ty;
    if (!cg_case_action_parse(s, &ac) &&
        ((unsigned)ac >= CG_CASE_NACTIONS || strcmp(cg_case_action_labels[ac].code, s)))
        abort();
    if (!cg_case_state_parse(s, &st) &&
        ((unsigned)st >= CG_CASE_NSTATES || strcmp(cg_case_state_labels[st].code, s)))
        abort();
    if (!cg_case_type_parse(s, &ty) &&
        ((unsigned)ty >= CG_CASE_NTYPES || strcmp(cg_case_types[ty].code, s)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_sniffed(data, size);
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_codes(s);
    free(s);
    return 0;
}
