/* Field errors: which field of an input was wrong and why, so that a client
 * (API, CLI, import report) can say what to fix. Every door fills the same
 * structure: JSON bodies (json.h), CSV rows (import.h), command options. */
#ifndef CIVGRID_FIELD_H
#define CIVGRID_FIELD_H

/* Describes what was wrong with which field. */
struct cg_field_error {
    char field[64];    /* the field's name, "" when the input as a whole is wrong */
    char message[256]; /* English, for logs and the API's message */
    char reason[32];   /* why, as a stable word the UI translates ("unknown_ledger"), or "" */
    char value[128];   /* the refused value as given (cut to fit), or "" */
};

/* Fills fe (may be NULL) and returns err: for checks done by the caller. */
int cg_field_fail(struct cg_field_error *fe, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds the stable reason and the refused value to the error cg_field_fail
 * just filled, so that a report can word it in the reader's language
 * (fe may be NULL); returns err. */
int cg_field_why(int err, struct cg_field_error *fe, const char *reason, const char *value);

#endif
