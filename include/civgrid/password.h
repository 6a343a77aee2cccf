/* The rules a new password must meet. Lengths count characters, not bytes.
 * A password is refused (CG_EWEAKPASS, field "password", the reason in the
 * message) when it is shorter than CG_PASSWORD_MIN characters; when it is
 * trivial (fewer than 4 different characters, a short pattern repeated, a
 * run such as "12345678" or "abcdefgh", or a stretch of a keyboard row such
 * as "qwertyui"); when it is one of the common passwords compiled into the
 * binary, after lower-casing, undoing look-alike digits ("Passw0rd") and
 * dropping digits and signs at its ends ("password1!"); or when it is the
 * username (or the username reversed) plus fewer than 5 characters or plus
 * digits and signs only. It must
 * be valid UTF-8 of at most CG_PASSWORD_MAX bytes (CG_EBADTYPE otherwise). */
#ifndef CIVGRID_PASSWORD_H
#define CIVGRID_PASSWORD_H

#include "civgrid/field.h"

#define CG_PASSWORD_MIN 8
#define CG_PASSWORD_MAX 1024

/* 0, or an error with fe filled; username may be NULL. */
int cg_password_check(const char *password, const char *username, struct cg_field_error *fe);

#endif
