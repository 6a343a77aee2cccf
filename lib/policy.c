/* Policy profiles: parsing, validating and writing the text form, and the
 * JSON form. One table of keys drives all of them, so that a key added to
 * struct cg_policy is added in one place; the database side is in
 * policy_store.c. */
#include "civgrid/policy.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "civgrid/error.h"

enum kind {
    K_TEXT,   /* char[]: printable UTF-8 without '#' */
    K_DAYS,   /* int in [min, max] */
    K_LIST,   /* struct cg_policy_days, each day in [1, max] */
    K_SWITCH, /* int 0/1: "yes" or "no" */
    K_COLOUR, /* enum cg_code_colour: "red" or "yellow" */
    K_LEVELS, /* unsigned set of CG_RISK_*: high and low, medium or not */
    K_PLACE,  /* enum cg_isolation_place: "central" or "home" */
};

struct key {
    const char *name;
    enum kind kind;
    size_t off;
    int min, max; /* K_DAYS: the range; K_TEXT: max is the field's size */
};

#define F(field) offsetof(struct cg_policy, field)
#define TEXT(name, field)                                                                          \
    {                                                                                              \
        name, K_TEXT, F(field), 1, (int)sizeof((struct cg_policy *)0)->field                       \
    }

/* In the order of the files; cg_policy_format writes this order. */
static const struct key keys[] = {
    TEXT("title_zh", title_zh),
    TEXT("title_en", title_en),
    {"lookback_days", K_DAYS, F(lookback_days), 0, 30},
    {"close_contact_central_days", K_DAYS, F(close_contact.central_days), 1, 30},
    {"close_contact_central_test_days", K_LIST, F(close_contact.central_tests), 0, 30},
    {"close_contact_home_days", K_DAYS, F(close_contact.home_days), 0, 30},
    {"close_contact_home_test_days", K_LIST, F(close_contact.home_tests), 0, 30},
    {"close_contact_code", K_COLOUR, F(close_contact.code), 0, 0},
    {"close_contact_home_code", K_COLOUR, F(close_contact.home_code), 0, 0},
    {"trace_secondary", K_SWITCH, F(trace_secondary), 0, 1},
    {"secondary_contact_home_days", K_DAYS, F(secondary_contact.home_days), 0, 30},
    {"secondary_contact_test_days", K_LIST, F(secondary_contact.tests), 0, 30},
    {"secondary_contact_code", K_COLOUR, F(secondary_contact.code), 0, 0},
    {"risk_levels", K_LEVELS, F(risk_levels), 0, 0},
    {"high_risk_test_days", K_LIST, F(risk.high_tests), 0, 30},
    {"high_clear_days", K_DAYS, F(risk.high_clear_days), 1, 60},
    {"high_medium_clear_days", K_DAYS, F(risk.high_medium_clear_days), 0, 60},
    {"medium_clear_days", K_DAYS, F(risk.medium_clear_days), 0, 60},
    {"arrival_high_isolation", K_PLACE, F(arrival_high.place), 0, 0},
    {"arrival_high_days", K_DAYS, F(arrival_high.days), 1, 30},
    {"arrival_high_test_days", K_LIST, F(arrival_high.tests), 0, 30},
    {"arrival_high_code", K_COLOUR, F(arrival_high.code), 0, 0},
    {"arrival_landing_test", K_SWITCH, F(arrival_landing_test), 0, 1},
    {"infection_code", K_COLOUR, F(infection_code), 0, 0},
    {"venue_exposure_code", K_COLOUR, F(venue_exposure_code), 0, 0},
    {"positive_pool_code", K_COLOUR, F(positive_pool_code), 0, 0},
    {"missed_test_code", K_COLOUR, F(missed_test_code), 0, 0},
    {"checkin_retention_days", K_DAYS, F(checkin_retention_days), 1, 3650},
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Where each key was set, for errors found once the whole profile is read. */
struct state {
    struct cg_policy *p;
    int line[NKEYS]; /* 0: not yet set */
    struct cg_policy_error *err;
};

static const char *const colour_names[] = {"green", "yellow", "red"};
static const char *const place_names[] = {"central", "home"};
static const struct {
    const char *name;
    unsigned bit;
} level_names[] = {{"high", CG_RISK_HIGH}, {"medium", CG_RISK_MEDIUM}, {"low", CG_RISK_LOW}};

const char *cg_code_colour_name(enum cg_code_colour c)
{
    return (unsigned)c < 3 ? colour_names[c] : "?";
}

static void *field(struct cg_policy *p, const struct key *k)
{
    return (char *)p + k->off;
}

static const void *cfield(const struct cg_policy *p, const struct key *k)
{
    return (const char *)p + k->off;
}

static int fail(struct cg_policy_error *err, int rc, int line, const char *key,
                enum cg_reason reason, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Fills err: the message starts with the line and the key, as a person
 * reading the file needs them. Returns rc. */
static int fail(struct cg_policy_error *err, int rc, int line, const char *key,
                enum cg_reason reason, const char *fmt, ...)
{
    if (!err)
        return rc;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err->line = line;
    snprintf(err->key, sizeof err->key, "%s", key ? key : "");
    err->reason = cg_reason_name(reason);
    if (line > 0 && key && *key)
        snprintf(err->message, sizeof err->message, "line %d: %s: %s", line, key, what);
    else if (line > 0)
        snprintf(err->message, sizeof err->message, "line %d: %s", line, what);
    else if (key && *key)
        snprintf(err->message, sizeof err->message, "%s: %s", key, what);
    else
        snprintf(err->message, sizeof err->message, "%s", what);
    return rc;
}

static int bad(struct state *st, const struct key *k, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(struct state *st, const struct key *k, int line, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fail(st->err, CG_EBADTYPE, line, k->name, CG_R_BAD_VALUE, "%s", what);
}

/* A whole number of digits only, in [min, max]. */
static int parse_int(const char *v, int min, int max, int *out)
{
    long n = 0;
    if (!*v)
        return -1;
    for (const char *c = v; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        n = n * 10 + (*c - '0');
        if (n > max)
            return -1;
    }
    if (n < min)
        return -1;
    *out = (int)n;
    return 0;
}

/* Length of the valid UTF-8 sequence at s, or 0. Control characters and
 * '#' (which would start a comment when the text is written back) are
 * refused, so a title always survives a round trip. */
static size_t utf8_char(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f || s[0] == '#')
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    if (n == 0 || (s[0] == 0xf4 && s[1] > 0x8f) || (s[0] == 0xf0 && s[1] < 0x90) ||
        (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static int set_text(struct state *st, const struct key *k, int line, const char *v)
{
    size_t len = strlen(v);
    if (len >= (size_t)k->max)
        return bad(st, k, line, "at most %d bytes", k->max - 1);
    for (const unsigned char *c = (const unsigned char *)v; *c;) {
        size_t n = utf8_char(c);
        if (!n)
            return bad(st, k, line, "printable UTF-8 text without '#' expected");
        c += n;
    }
    memcpy(field(st->p, k), v, len + 1);
    return 0;
}

/* "none" or ascending, distinct days "1,2,3,5,7". */
static int set_list(struct state *st, const struct key *k, int line, const char *v)
{
    struct cg_policy_days *d = field(st->p, k);
    d->n = 0;
    if (!strcmp(v, "none"))
        return 0;
    const char *c = v;
    for (;;) {
        char item[16];
        size_t n = strcspn(c, ",");
        while (n && (c[n - 1] == ' ' || c[n - 1] == '\t'))
            n--;
        int day = 0;
        if (n >= sizeof item)
            return bad(st, k, line, "days from 1 to %d, comma-separated, or none", k->max);
        memcpy(item, c, n);
        item[n] = '\0';
        if (parse_int(item, 1, k->max, &day))
            return bad(st, k, line, "days from 1 to %d, comma-separated, or none; not '%s'", k->max,
                       item);
        if (d->n && day <= d->day[d->n - 1])
            return bad(st, k, line, "days must be in ascending order, each once");
        if (d->n == CG_POLICY_MAX_DAYS)
            return bad(st, k, line, "at most %d days", CG_POLICY_MAX_DAYS);
        d->day[d->n++] = (unsigned char)day;
        c = strchr(c, ',');
        if (!c)
            return 0;
        c++;
        while (*c == ' ' || *c == '\t')
            c++;
    }
}

static int set_levels(struct state *st, const struct key *k, int line, const char *v)
{
    unsigned set = 0;
    char buf[64];
    if (strlen(v) >= sizeof buf)
        return bad(st, k, line, "high,medium,low or high,low");
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ", \t", &save); t;
         t = strtok_r(NULL, ", \t", &save)) {
        size_t i = 0;
        while (i < 3 && strcmp(level_names[i].name, t))
            i++;
        if (i == 3 || (set & level_names[i].bit))
            return bad(st, k, line, "high,medium,low or high,low; not '%s'", v);
        set |= level_names[i].bit;
    }
    if (!(set & CG_RISK_HIGH) || !(set & CG_RISK_LOW))
        return bad(st, k, line, "the levels always include high and low");
    *(unsigned *)field(st->p, k) = set;
    return 0;
}

/* Finds v among names (n of them); -1 if absent. */
static int find_name(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return i;
    return -1;
}

/* Parses one value of key k from line into the profile. */
static int set_value(struct state *st, const struct key *k, int line, const char *v)
{
    int i = 0;
    switch (k->kind) {
    case K_TEXT:
        return set_text(st, k, line, v);
    case K_DAYS:
        if (parse_int(v, k->min, k->max, field(st->p, k)))
            return bad(st, k, line, "a whole number of days from %d to %d, not '%s'", k->min,
                       k->max, v);
        return 0;
    case K_LIST:
        return set_list(st, k, line, v);
    case K_SWITCH:
        if ((i = find_name((const char *const[]){"no", "yes"}, 2, v)) < 0)
            return bad(st, k, line, "yes or no, not '%s'", v);
        *(int *)field(st->p, k) = i;
        return 0;
    case K_COLOUR:
        if (!strcmp(v, "green"))
            return bad(st, k, line,
                       "a status is red or yellow: green is the colour when none applies");
        if ((i = find_name(colour_names, 3, v)) < 0)
            return bad(st, k, line, "red or yellow, not '%s'", v);
        *(enum cg_code_colour *)field(st->p, k) = (enum cg_code_colour)i;
        return 0;
    case K_LEVELS:
        return set_levels(st, k, line, v);
    case K_PLACE:
        if ((i = find_name(place_names, 2, v)) < 0)
            return bad(st, k, line, "central or home, not '%s'", v);
        *(enum cg_isolation_place *)field(st->p, k) = (enum cg_isolation_place)i;
        return 0;
    }
    return CG_EINTERNAL;
}

static const struct key *find_key(const char *name, size_t *index)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, name)) {
            *index = i;
            return &keys[i];
        }
    return NULL;
}

/* Sets key name to v, refusing unknown and repeated keys. line is 0 for a
 * JSON field; seen lines are then recorded as -1. */
static int set_key(struct state *st, const char *name, int line, const char *v)
{
    size_t i = 0;
    const struct key *k = find_key(name, &i);
    if (!k)
        return fail(st->err, CG_EBADTYPE, line, name, CG_R_UNKNOWN_KEY, "unknown key");
    if (st->line[i])
        return fail(st->err, CG_EBADTYPE, line, name, CG_R_DUPLICATE_KEY, "already set on line %d",
                    st->line[i]);
    if (!*v)
        return bad(st, k, line, "has no value");
    st->line[i] = line ? line : -1;
    return set_value(st, k, line, v);
}

static int key_line(const struct state *st, const char *name)
{
    size_t i = 0;
    find_key(name, &i);
    return st->line[i] > 0 ? st->line[i] : 0;
}

static int inconsistent(struct state *st, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int inconsistent(struct state *st, const char *key, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fail(st->err, CG_EBADTYPE, key_line(st, key), key, CG_R_INCONSISTENT, "%s", what);
}

/* A test day must fall inside its period. */
static int within(struct state *st, const char *key, const struct cg_policy_days *d, int days,
                  const char *period)
{
    if (d->n && d->day[d->n - 1] > days)
        return inconsistent(st, key, "test day %d is after the %d days of %s", d->day[d->n - 1],
                            days, period);
    return 0;
}

/* The rules that tie keys together, checked once every key is read. */
static int check_whole(struct state *st)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!st->line[i])
            return fail(st->err, CG_EMISSING, 0, keys[i].name, CG_R_MISSING_KEY, "missing key");
    const struct cg_policy *p = st->p;
    int rc = within(st, "close_contact_central_test_days", &p->close_contact.central_tests,
                    p->close_contact.central_days, "close_contact_central_days");
    if (!rc)
        rc = within(st, "close_contact_home_test_days", &p->close_contact.home_tests,
                    p->close_contact.home_days, "close_contact_home_days");
    if (!rc)
        rc = within(st, "secondary_contact_test_days", &p->secondary_contact.tests,
                    p->secondary_contact.home_days, "secondary_contact_home_days");
    if (!rc)
        rc = within(st, "arrival_high_test_days", &p->arrival_high.tests, p->arrival_high.days,
                    "arrival_high_days");
    if (rc)
        return rc;
    /* A number that has no effect must not look like a rule in force. */
    if (!p->trace_secondary && p->secondary_contact.home_days)
        return inconsistent(st, "secondary_contact_home_days",
                            "must be 0 when trace_secondary = no");
    if (p->trace_secondary && !p->secondary_contact.home_days)
        return inconsistent(st, "secondary_contact_home_days",
                            "at least 1 day when trace_secondary = yes");
    int medium = (p->risk_levels & CG_RISK_MEDIUM) != 0;
    if (!medium && p->risk.high_medium_clear_days)
        return inconsistent(st, "high_medium_clear_days",
                            "must be 0 when risk_levels has no medium");
    if (!medium && p->risk.medium_clear_days)
        return inconsistent(st, "medium_clear_days", "must be 0 when risk_levels has no medium");
    if (medium && (!p->risk.high_medium_clear_days || !p->risk.medium_clear_days))
        return inconsistent(
            st, p->risk.medium_clear_days ? "high_medium_clear_days" : "medium_clear_days",
            "at least 1 day when risk_levels has medium");
    /* Tracing reads check-ins from the look-back window onwards. */
    if (p->checkin_retention_days <= p->lookback_days)
        return inconsistent(st, "checkin_retention_days",
                            "check-ins must be kept longer than lookback_days (%d)",
                            p->lookback_days);
    return 0;
}

static void trim(char **s, char **end)
{
    while (*s < *end && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Parses one line (its own copy, NUL-terminated) of the text. */
static int parse_line(struct state *st, int line, char *s)
{
    char *hash = strchr(s, '#');
    char *end = hash ? hash : s + strlen(s);
    trim(&s, &end);
    if (s == end)
        return 0;
    *end = '\0';
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(st->err, CG_EBADTYPE, line, "", CG_R_SYNTAX, "expected 'key = value'");
    char *kend = eq, *v = eq + 1;
    trim(&s, &kend);
    *kend = '\0';
    trim(&v, &end);
    *end = '\0';
    if (!*s)
        return fail(st->err, CG_EBADTYPE, line, "", CG_R_SYNTAX, "expected 'key = value'");
    return set_key(st, s, line, v);
}

int cg_policy_parse(const char *text, size_t len, struct cg_policy *out,
                    struct cg_policy_error *err)
{
    struct state st = {.p = out, .err = err};
    memset(out, 0, sizeof *out);
    if (err)
        memset(err, 0, sizeof *err);
    if (len > CG_POLICY_MAX_TEXT)
        return fail(err, CG_ETOOBIG, 0, "", CG_R_TOO_LARGE, "a profile is at most %d bytes",
                    CG_POLICY_MAX_TEXT);
    char *copy = malloc(len + 1);
    if (!copy)
        return CG_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = 0, line = 0;
    char *s = copy, *stop = copy + len;
    while (!rc && s < stop) {
        char *nl = memchr(s, '\n', (size_t)(stop - s));
        char *eol = nl ? nl : stop;
        line++;
        if (memchr(s, '\0', (size_t)(eol - s)))
            rc = fail(err, CG_EBADTYPE, line, "", CG_R_SYNTAX, "the line contains a NUL byte");
        if (!rc) {
            *eol = '\0';
            rc = parse_line(&st, line, s);
        }
        s = eol + 1;
    }
    free(copy);
    return rc ? rc : check_whole(&st);
}

/* Writes the value of key k of p as the files spell it. */
static int format_value(const struct cg_policy *p, const struct key *k, cg_buf *b)
{
    const void *f = cfield(p, k);
    switch (k->kind) {
    case K_TEXT:
        return cg_buf_puts(b, f);
    case K_DAYS:
        return cg_buf_printf(b, "%d", *(const int *)f);
    case K_LIST: {
        const struct cg_policy_days *d = f;
        int rc = d->n ? 0 : cg_buf_puts(b, "none");
        for (int i = 0; !rc && i < d->n; i++)
            rc = cg_buf_printf(b, "%s%d", i ? "," : "", d->day[i]);
        return rc;
    }
    case K_SWITCH:
        return cg_buf_puts(b, *(const int *)f ? "yes" : "no");
    case K_COLOUR:
        return cg_buf_puts(b, cg_code_colour_name(*(const enum cg_code_colour *)f));
    case K_LEVELS: {
        int rc = 0, first = 1;
        for (size_t i = 0; !rc && i < 3; i++)
            if (*(const unsigned *)f & level_names[i].bit) {
                rc = cg_buf_printf(b, "%s%s", first ? "" : ",", level_names[i].name);
                first = 0;
            }
        return rc;
    }
    case K_PLACE:
        return cg_buf_puts(b, place_names[*(const enum cg_isolation_place *)f]);
    }
    return CG_EINTERNAL;
}

int cg_policy_format(const struct cg_policy *p, cg_buf *out)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < NKEYS; i++) {
        rc = cg_buf_printf(out, "%s = ", keys[i].name);
        if (!rc)
            rc = format_value(p, &keys[i], out);
        if (!rc)
            rc = cg_buf_puts(out, "\n");
    }
    return rc;
}

static json_t *days_json(const struct cg_policy_days *d)
{
    json_t *a = json_array();
    for (int i = 0; a && i < d->n; i++)
        json_array_append_new(a, json_integer(d->day[i]));
    return a;
}

static json_t *value_json(const struct cg_policy *p, const struct key *k)
{
    const void *f = cfield(p, k);
    switch (k->kind) {
    case K_TEXT:
        return json_string(f);
    case K_DAYS:
        return json_integer(*(const int *)f);
    case K_LIST:
        return days_json(f);
    case K_SWITCH:
        return json_boolean(*(const int *)f);
    case K_COLOUR:
        return json_string(cg_code_colour_name(*(const enum cg_code_colour *)f));
    case K_LEVELS: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < 3; i++)
            if (*(const unsigned *)f & level_names[i].bit)
                json_array_append_new(a, json_string(level_names[i].name));
        return a;
    }
    case K_PLACE:
        return json_string(place_names[*(const enum cg_isolation_place *)f]);
    }
    return NULL;
}

json_t *cg_policy_json(const struct cg_policy *p)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < NKEYS; i++)
        if (json_object_set_new(o, keys[i].name, value_json(p, &keys[i]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* Spells a JSON value the way the text form would, into b: integers as
 * digits, true/false as yes/no, arrays joined by commas. */
static int json_to_text(json_t *v, cg_buf *b)
{
    if (json_is_string(v))
        return cg_buf_puts(b, json_string_value(v));
    if (json_is_integer(v))
        return cg_buf_printf(b, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v))
        return cg_buf_puts(b, json_is_true(v) ? "yes" : "no");
    if (!json_is_array(v))
        return CG_EBADTYPE;
    if (json_array_size(v) == 0)
        return cg_buf_puts(b, "none");
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        int rc = i ? cg_buf_puts(b, ",") : 0;
        if (!rc && !json_is_string(item) && !json_is_integer(item))
            return CG_EBADTYPE;
        if (!rc)
            rc = json_to_text(item, b);
        if (rc)
            return rc;
    }
    return 0;
}

static int ignored_field(const char *name)
{
    static const char *const names[] = {"name", "builtin", "active", "saved_at", "saved_by"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

int cg_policy_parse_json(json_t *obj, struct cg_policy *out, cg_buf *text_out,
                         struct cg_policy_error *err)
{
    struct state st = {.p = out, .err = err};
    memset(out, 0, sizeof *out);
    if (err)
        memset(err, 0, sizeof *err);
    if (!json_is_object(obj))
        return fail(err, CG_EBADTYPE, 0, "", CG_R_SYNTAX, "a profile is a JSON object");
    const char *name;
    json_t *v;
    cg_buf b;
    cg_buf_init(&b, CG_POLICY_MAX_TEXT);
    int rc = 0;
    json_object_foreach(obj, name, v)
    {
        if (ignored_field(name))
            continue;
        cg_buf_reset(&b);
        rc = json_to_text(v, &b);
        if (rc == CG_EBADTYPE)
            rc = fail(err, rc, 0, name, CG_R_BAD_VALUE,
                      "a string, a whole number, true/false or an array of them");
        if (!rc)
            rc = set_key(&st, name, 0, b.data ? b.data : "");
        if (rc)
            break;
    }
    cg_buf_free(&b);
    if (!rc)
        rc = check_whole(&st);
    return rc ? rc : cg_policy_format(out, text_out);
}

const char *cg_policy_builtin(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    for (const struct cg_embedded *e = cg__policies; n && e->path; e++)
        if (!strncmp(e->path, name, n) && !strcmp(e->path + n, ".conf"))
            return e->data;
    return NULL;
}
