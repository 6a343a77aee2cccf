/* Command-line options with configuration: each value comes from a flag,
 * else from its environment variable, else from the config file, else from
 * its default, and remembers which (civgrid serve --print-config shows it). */
#ifndef CIVGRID_OPTIONS_H
#define CIVGRID_OPTIONS_H

#include <stdio.h>

enum opt_type { OPT_STR, OPT_INT, OPT_BOOL };

struct opt_def {
    const char *name; /* key in the config file; the flag is --name with '-' for '_' */
    enum opt_type type;
    const char *env;    /* environment variable, or NULL */
    const char *def;    /* default, or NULL */
    long long min, max; /* for OPT_INT */
    const char *help;
};

#define OPTS_MAX 24
#define OPTS_MAX_POSITIONAL 8

struct opts {
    const struct opt_def *defs;
    int ndefs;
    const char *value[OPTS_MAX];
    const char *source[OPTS_MAX]; /* "flag", "env", "file", "default" */
    char *owned[OPTS_MAX];        /* values read from the config file */
    const char *positional[OPTS_MAX_POSITIONAL];
    int npositional;
};

/* The options every command that opens a database shares (macros, because a
 * table initialiser cannot copy a const object). */
#define OPT_DB                                                                                     \
    {                                                                                              \
        "db", OPT_STR, "CIVGRID_DB", NULL, 0, 0,                                                   \
            "database: a SQLite file path or a postgresql:// URL"                                  \
    }
#define OPT_CONFIG                                                                                 \
    {                                                                                              \
        "config", OPT_STR, "CIVGRID_CONFIG", NULL, 0, 0,                                           \
            "configuration file of 'key = value' lines"                                            \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        NULL, 0, NULL, NULL, 0, 0, NULL                                                            \
    }

/* Parses argv (after the command name) against defs (ended by a {NULL}
 * entry). On a usage error prints "civgrid CMD: ..." to stderr and returns 2;
 * 0 on success. Reads the config file named by --config / CIVGRID_CONFIG when
 * "config" is among defs. */
int opts_parse(struct opts *o, const struct opt_def *defs, const char *cmd, int argc, char **argv);
void opts_free(struct opts *o);

const char *opt_str(const struct opts *o, const char *name);
long long opt_int(const struct opts *o, const char *name);
int opt_bool(const struct opts *o, const char *name);

/* Prints "key = value   # from SOURCE" for every option. */
void opts_print(const struct opts *o, FILE *f);

/* Prints the options' help lines for a usage text. */
void opts_usage(const struct opt_def *defs, FILE *f);

/* Fetches --db; prints a message naming --db and CIVGRID_DB and returns 2 if
 * it is missing. */
int opts_require_db(const struct opts *o, const char *cmd, const char **db);

#endif
