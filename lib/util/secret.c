#include "civgrid/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "civgrid/error.h"

/* OWASP's argon2id setting (19 MiB, 2 passes): strong enough for staff
 * passwords, cheap enough that a morning's logins of a whole county do not
 * starve a 2-core server. The hash string records its own parameters, so
 * they can be raised later without breaking stored hashes. */
#define PW_OPS 2
#define PW_MEM (19u << 20)

int cg_secret_init(void)
{
    return sodium_init() < 0 ? CG_EINTERNAL : 0;
}

void cg_secret_random(char *out, size_t outsize, size_t n)
{
    unsigned char raw[64];
    if (n > sizeof raw)
        n = sizeof raw;
    randombytes_buf(raw, n);
    sodium_bin2base64(out, outsize, raw, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void cg_secret_hash(char out[65], const char *s, const char *key)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), (const unsigned char *)key,
                       key ? strlen(key) : 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int cg_password_hash(char *out, size_t outsize, const char *password)
{
    if (outsize < crypto_pwhash_STRBYTES)
        return CG_EINVAL;
    if (crypto_pwhash_str(out, password, strlen(password), PW_OPS, PW_MEM) != 0)
        return CG_ENOMEM;
    return 0;
}

/* Verifying against this when the user does not exist keeps an unknown
 * username from answering faster than a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    if (crypto_pwhash_str(dummy_hash, "civgrid-dummy", 13, PW_OPS, PW_MEM) != 0)
        dummy_hash[0] = '\0';
}

int cg_password_verify(const char *hash, const char *password)
{
    if (!hash) {
        pthread_once(&dummy_once, make_dummy_hash);
        int spent = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
        (void)spent; /* only the time matters: there is no such user */
        return 0;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int cg_secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

void cg_secret_password(char *out, size_t len)
{
    /* Letters and digits that cannot be mistaken for each other (no 0/O, 1/l/I). */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[len] = '\0';
}
