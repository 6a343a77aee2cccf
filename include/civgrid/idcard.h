/* Resident ID numbers (GB 11643-1999) and mobile phone numbers. */
#ifndef CIVGRID_IDCARD_H
#define CIVGRID_IDCARD_H

#include "civgrid/field.h"

/* What an 18-digit ID number says about its holder. */
struct cg_idcard {
    char region[7];      /* the 6-digit administrative division code */
    char birth_date[11]; /* "YYYY-MM-DD" */
    char sex;            /* 'M' or 'F' (odd or even 17th digit) */
};

/* Validates an ID number: 18 characters, 17 digits then a digit or 'X'
 * (a lower-case 'x' is accepted and should be stored upper-case), a real
 * birth date not in the future (now_year bounds it), and the ISO 7064
 * MOD 11-2 check character. Fills *out (may be NULL). Returns 0 or
 * CG_EBADTYPE; *why (may be NULL) gets a short English reason. */
int cg_idcard_parse(const char *id, int now_year, struct cg_idcard *out, const char **why);

/* The field-error reason of a *why that cg_idcard_parse gave: a wrong check
 * digit or birth date, else CG_R_BAD_ID_NUMBER (length and characters). */
enum cg_reason cg_idcard_reason(const char *why);

/* The check character for the first 17 digits ('0'-'9' or 'X'). */
char cg_idcard_check_char(const char *first17);

/* Validates a mainland mobile number: 11 digits starting with 1[3-9].
 * Returns 0 or CG_EBADTYPE. */
int cg_phone_check(const char *phone);

#endif
