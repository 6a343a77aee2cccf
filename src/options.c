#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int find(const struct opts *o, const char *name)
{
    for (int i = 0; i < o->ndefs; i++)
        if (strcmp(o->defs[i].name, name) == 0)
            return i;
    return -1;
}

/* "--busy-timeout-ms" names the option "busy_timeout_ms". */
static int find_flag(const struct opts *o, const char *flag, size_t len)
{
    char name[64];
    if (len >= sizeof name)
        return -1;
    for (size_t i = 0; i < len; i++)
        name[i] = flag[i] == '-' ? '_' : flag[i];
    name[len] = '\0';
    return find(o, name);
}

static int check_value(const struct opt_def *d, const char *cmd, const char *value,
                       const char *where)
{
    if (d->type != OPT_INT)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < d->min || v > d->max) {
        fprintf(stderr, "civgrid %s: %s: '%s' must be a whole number from %lld to %lld\n", cmd,
                where, value, d->min, d->max);
        return 2;
    }
    return 0;
}

static int parse_argv(struct opts *o, const char *cmd, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                if (o->npositional == OPTS_MAX_POSITIONAL)
                    goto too_many;
                o->positional[o->npositional++] = argv[i];
            }
            break;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (o->npositional == OPTS_MAX_POSITIONAL)
                goto too_many;
            o->positional[o->npositional++] = arg;
            continue;
        }
        const char *flag = arg + 2, *eq = strchr(flag, '=');
        int k = find_flag(o, flag, eq ? (size_t)(eq - flag) : strlen(flag));
        if (k < 0) {
            fprintf(stderr, "civgrid %s: unknown option '%s' (see 'civgrid help %s')\n", cmd, arg,
                    cmd);
            return 2;
        }
        const struct opt_def *d = &o->defs[k];
        const char *value;
        if (d->type == OPT_BOOL) {
            if (eq) {
                fprintf(stderr, "civgrid %s: option '--%s' takes no value\n", cmd, d->name);
                return 2;
            }
            value = "1";
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fprintf(stderr, "civgrid %s: option '%s' needs a value\n", cmd, arg);
            return 2;
        }
        if (check_value(d, cmd, value, arg))
            return 2;
        o->value[k] = value;
        o->source[k] = "flag";
    }
    return 0;
too_many:
    fprintf(stderr, "civgrid %s: too many arguments\n", cmd);
    return 2;
}

static int apply_env(struct opts *o, const char *cmd)
{
    for (int k = 0; k < o->ndefs; k++) {
        const char *env = o->defs[k].env ? getenv(o->defs[k].env) : NULL;
        if (o->value[k] || !env || !*env)
            continue;
        if (check_value(&o->defs[k], cmd, env, o->defs[k].env))
            return 2;
        o->value[k] = env;
        o->source[k] = "env";
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Reads "key = value" lines; '#' starts a comment. Values already set by a
 * flag or the environment win. */
static int apply_file(struct opts *o, const char *cmd, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "civgrid %s: cannot read config file %s: %s\n", cmd, path, strerror(errno));
        return 2;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "civgrid %s: %s:%d: expected 'key = value'\n", cmd, path, lineno);
            rc = 2;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        int k = find(o, key);
        if (k < 0 || strcmp(key, "config") == 0) {
            fprintf(stderr, "civgrid %s: %s:%d: unknown key '%s'\n", cmd, path, lineno, key);
            rc = 2;
            break;
        }
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if ((rc = check_value(&o->defs[k], cmd, value, where)))
            break;
        if (o->value[k])
            continue;
        o->owned[k] = strdup(value);
        o->value[k] = o->owned[k];
        o->source[k] = "file";
    }
    fclose(f);
    return rc;
}

int opts_parse(struct opts *o, const struct opt_def *defs, const char *cmd, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->defs = defs;
    while (defs[o->ndefs].name && o->ndefs < OPTS_MAX)
        o->ndefs++;
    int rc = parse_argv(o, cmd, argc, argv);
    if (!rc)
        rc = apply_env(o, cmd);
    int k = find(o, "config");
    if (!rc && k >= 0 && o->value[k])
        rc = apply_file(o, cmd, o->value[k]);
    for (int i = 0; !rc && i < o->ndefs; i++) {
        if (!o->value[i] && o->defs[i].def) {
            o->value[i] = o->defs[i].def;
            o->source[i] = "default";
        }
    }
    return rc;
}

void opts_free(struct opts *o)
{
    for (int i = 0; i < OPTS_MAX; i++)
        free(o->owned[i]);
}

const char *opt_str(const struct opts *o, const char *name)
{
    int k = find(o, name);
    return k >= 0 ? o->value[k] : NULL;
}

long long opt_int(const struct opts *o, const char *name)
{
    const char *v = opt_str(o, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

int opt_bool(const struct opts *o, const char *name)
{
    const char *v = opt_str(o, name);
    return v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

void opts_print(const struct opts *o, FILE *f)
{
    for (int k = 0; k < o->ndefs; k++) {
        if (o->defs[k].type == OPT_BOOL)
            continue;
        /* A secret is not shown, only whether it is set. */
        const char *name = o->defs[k].name, *v = o->value[k] ? o->value[k] : "";
        size_t len = strlen(name);
        if (*v && len >= 7 && strcmp(name + len - 7, "_secret") == 0)
            v = "(set)";
        fprintf(f, "%s = %s   # from %s\n", name, v, o->source[k] ? o->source[k] : "unset");
    }
}

void opts_usage(const struct opt_def *defs, FILE *f)
{
    for (const struct opt_def *d = defs; d->name; d++) {
        char flag[80];
        int n = snprintf(flag, sizeof flag, "--%s", d->name);
        for (int i = 2; i < n; i++)
            if (flag[i] == '_')
                flag[i] = '-';
        if (d->type != OPT_BOOL)
            snprintf(flag + n, sizeof flag - (size_t)n, " %s", d->type == OPT_INT ? "N" : "VALUE");
        fprintf(f, "  %-28s %s", flag, d->help);
        if (d->env)
            fprintf(f, " [env %s]", d->env);
        if (d->def)
            fprintf(f, " (default %s)", d->def);
        fputc('\n', f);
    }
}

int opts_require_db(const struct opts *o, const char *cmd, const char **db)
{
    *db = opt_str(o, "db");
    if (!*db || !**db) {
        fprintf(stderr,
                "civgrid %s: no database given: use --db PATH|postgresql://... or set CIVGRID_DB\n",
                cmd);
        return 2;
    }
    return 0;
}
