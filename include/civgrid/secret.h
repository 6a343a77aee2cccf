/* Random tokens, hashes and password hashing (libsodium). */
#ifndef CIVGRID_SECRET_H
#define CIVGRID_SECRET_H

#include <stddef.h>

/* Initialises libsodium; call once before anything below. 0 or CG_EINTERNAL. */
int cg_secret_init(void);

/* Writes n random bytes as unpadded base64url into out (size >= 4n/3 + 2). */
void cg_secret_random(char *out, size_t outsize, size_t n);

/* Hex of the BLAKE2b-256 hash of s, keyed by key (may be NULL): 64 chars + NUL. */
void cg_secret_hash(char out[65], const char *s, const char *key);

/* An argon2id hash of password in the crypt-like string form (out >= 128). */
int cg_password_hash(char *out, size_t outsize, const char *password);

/* 1 when password matches the stored hash, else 0. Takes as long either way. */
int cg_password_verify(const char *hash, const char *password);

/* Writes len random characters a person can type without confusion, + NUL. */
void cg_secret_password(char *out, size_t len);

/* Constant-time string comparison: 1 when equal. */
int cg_secret_equal(const char *a, const char *b);

#endif
