#include "civgrid/idcard.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/error.h"

/* ISO 7064 MOD 11-2 as GB 11643 applies it: weights 2^(17-i) mod 11. */
static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

char cg_idcard_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    return check_chars[sum % 11];
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* The reasons, kept as objects so that cg_idcard_reason can tell them apart. */
static const char why_length[] = "an ID number has 18 characters";
static const char why_digits[] = "the first 17 characters of an ID number are digits";
static const char why_last[] = "the last character of an ID number is a digit or X";
static const char why_birth[] = "the birth date in the ID number is impossible";
static const char why_check[] = "the check digit of the ID number is wrong";

enum cg_reason cg_idcard_reason(const char *why)
{
    if (why == why_birth)
        return CG_R_BAD_BIRTH_DATE;
    if (why == why_check)
        return CG_R_BAD_CHECK_DIGIT;
    return CG_R_BAD_ID_NUMBER;
}

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return CG_EBADTYPE;
}

int cg_idcard_parse(const char *id, int now_year, struct cg_idcard *out, const char **why)
{
    if (!id || strlen(id) != 18)
        return fail(why, why_length);
    for (int i = 0; i < 17; i++)
        if (id[i] < '0' || id[i] > '9')
            return fail(why, why_digits);
    char last = id[17] == 'x' ? 'X' : id[17];
    if (!((last >= '0' && last <= '9') || last == 'X'))
        return fail(why, why_last);
    int year = 0, month = 0, day = 0;
    sscanf(id + 6, "%4d%2d%2d", &year, &month, &day);
    if (year < 1850 || year > now_year || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return fail(why, why_birth);
    if (cg_idcard_check_char(id) != last)
        return fail(why, why_check);
    if (out) {
        memcpy(out->region, id, 6);
        out->region[6] = '\0';
        /* The digits were checked above: copy them rather than print them. */
        memcpy(out->birth_date, id + 6, 4);
        out->birth_date[4] = '-';
        memcpy(out->birth_date + 5, id + 10, 2);
        out->birth_date[7] = '-';
        memcpy(out->birth_date + 8, id + 12, 2);
        out->birth_date[10] = '\0';
        out->sex = (id[16] - '0') % 2 ? 'M' : 'F';
    }
    return 0;
}

int cg_phone_check(const char *phone)
{
    if (!phone || strlen(phone) != 11 || phone[0] != '1' || phone[1] < '3')
        return CG_EBADTYPE;
    for (int i = 0; i < 11; i++)
        if (phone[i] < '0' || phone[i] > '9')
            return CG_EBADTYPE;
    return 0;
}
