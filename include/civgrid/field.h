/* Field errors: which field of an input was wrong and why, so that a client
 * (API, CLI, import report) can say what to fix. Every door fills the same
 * structure: JSON bodies (json.h), CSV rows (import.h), command options. */
#ifndef CIVGRID_FIELD_H
#define CIVGRID_FIELD_H

/* Every reason a field error can give, in one list, so that the reasons the
 * code can emit are exactly the ones the UI must word (tests/api/words.test.mjs
 * reads this list and fails on a reason without zh-CN and en words).
 * X(NAME, "stable_word") — the word is what the API and import reports send.
 * The parameters a reason's words may use: value (the refused value),
 * min/max (the bounds it broke) — see each comment. */
#define CG_FIELD_REASONS(X)                                                                        \
    X(MISSING, "missing")                   /* empty or absent */                                  \
    X(BAD_TEXT, "bad_text")                 /* control characters or bad UTF-8 */                  \
    X(TOO_LONG, "too_long")                 /* over the byte limit; max */                         \
    X(TOO_SHORT, "too_short")               /* under min characters */                             \
    X(LENGTH, "length")                     /* not min to max characters */                        \
    X(OUT_OF_RANGE, "out_of_range")         /* not a whole number from min to max */               \
    X(NOT_STRING, "not_string")             /* a JSON value that should be text */                 \
    X(NOT_INTEGER, "not_integer")           /* a JSON value that should be a whole number */       \
    X(NOT_ALLOWED, "not_allowed")           /* value is not one of the field's codes */            \
    X(BAD_CODE, "bad_code")                 /* an area, place or department code's form */         \
    X(BAD_USERNAME, "bad_username")         /* a username's form; min, max */                      \
    X(BAD_ID_NUMBER, "bad_id_number")       /* length, birth date or check digit */                \
    X(BAD_CHECK_DIGIT, "bad_check_digit")   /* the ID number's last digit */                       \
    X(BAD_BIRTH_DATE, "bad_birth_date")     /* the ID number's birth date */                       \
    X(BAD_PHONE, "bad_phone")               /* not an 11-digit mobile number */                    \
    X(BAD_DATE, "bad_date")                 /* not YYYY-MM-DD */                                   \
    X(BAD_DOMAINS, "bad_domains")           /* a department's domain list */                       \
    X(END_BEFORE_START, "end_before_start") /* an end date before its start */                     \
    X(UNKNOWN_AREA, "unknown_area")         /* no such area in the actor's scope */                \
    X(UNKNOWN_LEVEL, "unknown_level")       /* value names no area level */                        \
    X(BAD_PARENT, "bad_parent")             /* the level cannot lie under value (a level) */       \
    X(UNDER_ITSELF, "under_itself")         /* an area moved below itself */                       \
    X(OCCUPIED, "occupied")                 /* value residents or accounts still on the area */    \
    X(OWN_AREA, "own_area")                 /* the actor's own area */                             \
    X(NOT_PLACEABLE, "not_placeable")       /* residents live in grids and buildings only */       \
    X(UNKNOWN_TYPE, "unknown_type")         /* a place type */                                     \
    X(UNKNOWN_ROLE, "unknown_role")         /* a role */                                           \
    X(UNKNOWN_ACCOUNT, "unknown_account")   /* no such account in the actor's scope */             \
    X(UNKNOWN_DEPARTMENT, "unknown_department") /* no such department in the actor's scope */      \
    X(UNKNOWN_LEDGER, "unknown_ledger")         /* no ledger by that name */                       \
    X(TOO_MANY_LEDGERS, "too_many_ledgers")     /* more than max ledgers */                        \
    X(TAKEN, "taken")                           /* the code or name is in use */                   \
    X(REGISTERED, "registered")                 /* the ID number is registered in scope */         \
    X(OUTSIDE_SCOPE, "outside_scope")           /* the ID number is registered elsewhere */        \
    X(OWN_ACCOUNT, "own_account")               /* one's own account cannot be disabled */         \
    X(WRONG_PASSWORD, "wrong_password")         /* the current password is wrong */                \
    X(TOO_SIMPLE, "too_simple")                 /* a run, a repeat or a keyboard row */            \
    X(COMMON_PASSWORD, "common_password")       /* one of the commonly used passwords */           \
    X(LIKE_USERNAME, "like_username")           /* the username with a little added */             \
    X(EXCEL_NUMBER, "excel_number")             /* Excel made the ID number a number */            \
    X(DUPLICATE_IN_FILE, "duplicate_in_file")                                                      \
    X(NO_MOVE, "no_move")               /* an import does not move areas */                        \
    X(RISK_POINT, "risk_point")         /* a venue's code is a risk point's */                     \
    X(EXTRA_CELLS, "extra_cells")       /* more cells than header columns; value: column */        \
    X(UNNAMED_COLUMN, "unnamed_column") /* a value under no header; value: column */               \
    X(UNKNOWN_COLUMN, "unknown_column") /* a header names no column */                             \
    X(DUPLICATE_COLUMN, "duplicate_column")                                                        \
    X(MISSING_COLUMN, "missing_column")     /* a required column is absent */                      \
    X(EMPTY_FILE, "empty_file")             /* no header line */                                   \
    X(SYNTAX, "syntax")                     /* a policy line is not "key = value" */               \
    X(UNKNOWN_KEY, "unknown_key")           /* a policy key */                                     \
    X(DUPLICATE_KEY, "duplicate_key")       /* a policy key given twice */                         \
    X(BAD_VALUE, "bad_value")               /* a policy value */                                   \
    X(MISSING_KEY, "missing_key")           /* a required policy key */                            \
    X(INCONSISTENT, "inconsistent")         /* policy values that contradict each other */         \
    X(TOO_LARGE, "too_large")               /* a policy text over its size */                      \
    X(BIG_CASE, "big_case")                 /* a big category is not handled on the spot */        \
    X(NO_HIGHER_UNIT, "no_higher_unit")     /* the case is held at the top already */              \
    X(NOT_BELOW_HOLDER, "not_below_holder") /* an assignment not below the holder */               \
    X(NO_SENDER, "no_sender")               /* no unit to send the case back to */                 \
    X(MERGE_SELF, "merge_self")             /* a case merged into itself */                        \
    X(MERGE_CLOSED, "merge_closed")         /* a merge into a closed case */                       \
    X(MERGED, "merged")                     /* a merged case is not reopened */                    \
    X(BUILTIN, "builtin")                   /* a built-in policy cannot be replaced */

enum cg_reason {
    CG_R_NONE = 0,
#define CG__REASON_ENUM(name, word) CG_R_##name,
    CG_FIELD_REASONS(CG__REASON_ENUM)
#undef CG__REASON_ENUM
};

/* The stable word of a reason ("unknown_ledger"); "" for CG_R_NONE. */
const char *cg_reason_name(enum cg_reason r);

/* Describes what was wrong with a field. */
struct cg_field_error {
    char field[64];     /* the field's name, "" when the input as a whole is wrong */
    char message[256];  /* English, for logs, scripts and the API's message */
    char reason[32];    /* cg_reason_name of why, or "" */
    char value[128];    /* the refused value as given (cut to fit), or "" */
    long long min, max; /* the bounds the value broke, when bounded */
    int bounded;
};

/* Fills fe (may be NULL) and returns err: for checks done by the caller.
 * Clears the reason, value and bounds of an earlier failure. */
int cg_field_fail(struct cg_field_error *fe, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds the stable reason and the refused value (may be NULL) to the error
 * cg_field_fail just filled, so that a client can word it in the reader's
 * language (fe may be NULL); returns err. */
int cg_field_why(int err, struct cg_field_error *fe, enum cg_reason reason, const char *value);

/* Adds the bounds the value broke (the words of too_short, length,
 * out_of_range, too_many_ledgers name them); returns err. */
int cg_field_bounds(int err, struct cg_field_error *fe, long long min, long long max);

#endif
