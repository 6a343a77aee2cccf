/* Password rules. A list kept in the source rather than libpwquality: the
 * rules then read the same on every machine and in both languages of the UI
 * (libpwquality's messages are English only and its dictionary is a separate
 * package an operator may lack), and the list is what matters most here: the
 * passwords people actually pick, Chinese ones included. */
#include "civgrid/password.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/utf8.h"

/* Common passwords in their normalised form (see normalise): lower case,
 * look-alike digits undone, digits and signs at the ends dropped. */
static const char *const common[] = {
    "password",   "passwort",   "passwd",     "pass",      "qwerty",
    "qwertyuiop", "asdfgh",     "asdfghjkl",  "zxcvbnm",   "qazwsx",
    "qweasd",     "qweasdzxc",  "iloveyou",   "admin",     "administrator",
    "welcome",    "letmein",    "monkey",     "dragon",    "master",
    "sunshine",   "princess",   "football",   "baseball",  "basketball",
    "soccer",     "hockey",     "shadow",     "superman",  "batman",
    "trustno",    "abc",        "abcd",       "abcde",     "abcdef",
    "abcdefg",    "abcdefgh",   "changeme",   "secret",    "login",
    "hello",      "hellokitty", "charlie",    "michael",   "jennifer",
    "jordan",     "whatever",   "freedom",    "starwars",  "computer",
    "internet",   "killer",     "pokemon",    "woaini",    "woaiwojia",
    "nihao",      "aini",       "root",       "toor",      "test",
    "tester",     "guest",      "user",       "default",   "civgrid",
    "china",      "beijing",    "shanghai",   "zhongguo",  "access",
    "mustang",    "ninja",      "azerty",     "lovely",    "flower",
    "hunter",     "ranger",     "buster",     "pepper",    "ginger",
    "summer",     "winter",     "spring",     "autumn",    "love",
    "loveme",     "lover",      "family",     "money",     "system",
    "manager",    "server",     "oracle",     "mysql",     "postgres",
    "linux",      "ubuntu",     "debian",     "windows",   "apple",
    "google",     "samsung",    "huawei",     "xiaomi",    "tencent",
    "baidu",      "taobao",     "alibaba",    "weixin",    "wechat",
    "qq",         "aaa",        "asd",        "zxc",       "qwe",
    "qwer",       "asdf",       "zxcv",       "asdfg",     "zxcvb",
    "qwert",      "iloveu",     "fuckyou",    "biteme",    "matrix",
    "cookie",     "banana",     "orange",     "chocolate", "tiger",
    "jessica",    "ashley",     "daniel",     "thomas",    "andrew",
    "joshua",     "michelle",   "nicole",     "anthony",   "robert",
    "maggie",     "silver",     "golden",     "diamond",   "purple",
    "yellow",     "hotmail",    "gmail",      "yahoo",     "facebook",
    "twitter",    "liverpool",  "chelsea",    "arsenal",   "barcelona",
    "pass",       "wang",       "zhang",      "li",        "liu",
    "chen",       "admin",      "adminadmin", "passpass",  "security",
    "letmein",    "zaq",        "wsx",        "xsw",       "mima",
    "woaini",     "aiwo",       "laopo",      "laogong",   "baobao",
    "xiaoxiao",   NULL};

/* Common passwords made only of digits, compared as typed. */
static const char *const common_digits[] = {
    "11223344", "12121212",    "12341234", "123123123", "147258369", "147852369", "159357456",
    "5201314",  "52013141314", "13145200", "1314520",   "19491001",  "20080808",  "66668888",
    "88888888", "12344321",    "11112222", "00000000",  NULL};

/* Rows of a keyboard (and the columns people walk down), forwards. */
static const char *const keyboard[] = {"1234567890-=",
                                       "qwertyuiop[]",
                                       "asdfghjkl;'",
                                       "zxcvbnm,./",
                                       "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
                                       NULL};

static int in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Lower case, look-alike digits and signs made letters, then digits and
 * signs dropped from both ends: "P@ssw0rd123!" becomes "password". */
static void normalise(const char *in, char *out, size_t size)
{
    static const char from[] = "013457@$!", to[] = "oleastasi";
    size_t n = 0, len = strlen(in);
    size_t start = 0, end = len;
    while (start < end && !isalpha((unsigned char)in[start]) && !strchr("@$", in[start]))
        start++;
    while (end > start && !isalpha((unsigned char)in[end - 1]) && !strchr("@$", in[end - 1]))
        end--;
    for (size_t i = start; i < end && n + 1 < size; i++) {
        char c = (char)tolower((unsigned char)in[i]);
        const char *f = strchr(from, c);
        out[n++] = f && c ? to[f - from] : c;
    }
    out[n] = '\0';
}

/* A run of neighbours in one direction ("abcdefgh", "87654321"). */
static int is_run(const char *s)
{
    size_t n = strlen(s);
    int step = n > 1 ? (unsigned char)s[1] - (unsigned char)s[0] : 0;
    if (step != 1 && step != -1)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((unsigned char)s[i] - (unsigned char)s[i - 1] != step)
            return 0;
    return 1;
}

/* The same unit of at most 4 bytes written again and again ("abababab"). */
static int is_repeat(const char *s)
{
    size_t n = strlen(s);
    for (size_t unit = 1; unit <= 4 && unit < n; unit++) {
        size_t i = unit;
        while (i < n && s[i] == s[i - unit])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int on_keyboard(const char *lower)
{
    size_t n = strlen(lower);
    char rev[64];
    if (n >= sizeof rev)
        return 0;
    for (size_t i = 0; i < n; i++)
        rev[i] = lower[n - 1 - i];
    rev[n] = '\0';
    for (int i = 0; keyboard[i]; i++)
        if (strstr(keyboard[i], lower) || strstr(keyboard[i], rev))
            return 1;
    return 0;
}

static size_t distinct_chars(const char *s)
{
    size_t n = strlen(s), count = 0;
    for (size_t i = 0; i < n;) {
        size_t len = cg_utf8_char_len(s + i, n - i);
        len = len ? len : 1;
        int seen = 0;
        for (size_t j = 0; j < i && !seen;) {
            size_t l2 = cg_utf8_char_len(s + j, n - j);
            l2 = l2 ? l2 : 1;
            seen = l2 == len && memcmp(s + j, s + i, len) == 0;
            j += l2;
        }
        count += !seen;
        i += len;
    }
    return count;
}

/* Whether s has a letter: any character outside ASCII counts as one. */
static int has_letter(const char *s)
{
    for (; *s; s++)
        if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* Whether removing every copy of name (ignoring case) leaves fewer than 5
 * characters or only digits and signs: "alice1", "Alice2024", "ecila!" and
 * "alice-19900101" for alice. */
static int from_username(const char *lower, const char *username)
{
    char name[80], rev[80], rest[CG_PASSWORD_MAX + 1];
    size_t n = username ? strlen(username) : 0;
    if (n < 2 || n >= sizeof name)
        return 0;
    for (size_t i = 0; i < n; i++) {
        name[i] = (char)tolower((unsigned char)username[i]);
        rev[n - 1 - i] = name[i];
    }
    name[n] = rev[n] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        const char *needle = pass ? rev : name;
        size_t kept = 0, removed = 0;
        for (const char *p = lower; *p && kept < CG_PASSWORD_MAX;) {
            if (strncmp(p, needle, n) == 0) {
                p += n;
                removed++;
                continue;
            }
            rest[kept++] = *p++;
        }
        rest[kept] = '\0';
        if (removed && (cg_utf8_count(rest) < 5 || !has_letter(rest)))
            return 1;
    }
    return 0;
}

int cg_password_check(const char *password, const char *username, struct cg_field_error *fe)
{
    size_t bytes = strlen(password);
    if (!bytes)
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "password", "password must not be empty"), fe,
            CG_R_MISSING, NULL);
    if (bytes > CG_PASSWORD_MAX)
        return cg_field_bounds(
            cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "password",
                                       "password must be at most %d bytes", CG_PASSWORD_MAX),
                         fe, CG_R_TOO_LONG, NULL),
            fe, CG_PASSWORD_MIN, CG_PASSWORD_MAX);
    if (!cg_utf8_valid(password, bytes))
        return cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "password", "password is not valid UTF-8 text"), fe,
            CG_R_BAD_TEXT, NULL);
    if (cg_utf8_count(password) < CG_PASSWORD_MIN)
        return cg_field_bounds(
            cg_field_why(cg_field_fail(fe, CG_EWEAKPASS, "password",
                                       "password must be at least %d characters long",
                                       CG_PASSWORD_MIN),
                         fe, CG_R_TOO_SHORT, NULL),
            fe, CG_PASSWORD_MIN, CG_PASSWORD_MAX);
    char lower[CG_PASSWORD_MAX + 1], norm[CG_PASSWORD_MAX + 1];
    for (size_t i = 0; i <= bytes; i++)
        lower[i] = (char)tolower((unsigned char)password[i]);
    if (distinct_chars(password) < 4 || is_repeat(lower) || is_run(lower) || on_keyboard(lower))
        return cg_field_why(cg_field_fail(fe, CG_EWEAKPASS, "password",
                                          "password is too simple (a repeated character or "
                                          "pattern, a run such as 12345678, or a row of the "
                                          "keyboard)"),
                            fe, CG_R_TOO_SIMPLE, NULL);
    normalise(password, norm, sizeof norm);
    if (in_list(common_digits, password) || in_list(common, norm) ||
        (norm[0] && (is_repeat(norm) || is_run(norm) || on_keyboard(norm))))
        return cg_field_why(cg_field_fail(fe, CG_EWEAKPASS, "password",
                                          "password is one of the commonly used passwords"),
                            fe, CG_R_COMMON_PASSWORD, NULL);
    if (from_username(lower, username))
        return cg_field_why(
            cg_field_fail(fe, CG_EWEAKPASS, "password", "password is too close to the username"),
            fe, CG_R_LIKE_USERNAME, NULL);
    return 0;
}
