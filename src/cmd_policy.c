/* civgrid policy list|show|use|check|save: the policy profiles. list and
 * show work without a database (on the built-ins); check never needs one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/policy.h"
#include "cli.h"

static const struct opt_def policy_opts[] = {
    OPT_DB,
    {"json", OPT_BOOL, NULL, NULL, 0, 0, "with show: print the profile as JSON"},
    {"from", OPT_STR, NULL, NULL, 0, 0, "with save: the profile file ('-': standard input)"},
    OPT_END,
};

/* Prints what is wrong with a profile: where, what, and the stable names. */
static int print_invalid(const char *cmd, const char *source, int rc,
                         const struct cg_policy_error *err)
{
    if (err->reason)
        fprintf(stderr, "civgrid %s: %s%s%s (%s, %s)\n", cmd, source ? source : "",
                source ? ": " : "", err->message, cg_err_name(rc), err->reason);
    else
        fprintf(stderr, "civgrid %s: %s\n", cmd, cg_strerror(rc));
    return EXIT_FAIL;
}

/* Reads a whole profile file ("-": standard input), at most one byte more
 * than a profile may have, so that cg_policy_parse reports the size. */
static int read_file(const char *cmd, const char *path, cg_arena *a, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "civgrid %s: cannot open %s: %m\n", cmd, path);
        return EXIT_FAIL;
    }
    *text = cg_arena_alloc(a, CG_POLICY_MAX_TEXT + 2);
    *len = *text ? fread(*text, 1, CG_POLICY_MAX_TEXT + 1, f) : 0;
    int failed = !*text || ferror(f);
    if (f != stdin)
        fclose(f);
    if (failed) {
        fprintf(stderr, "civgrid %s: cannot read %s\n", cmd, path);
        return EXIT_FAIL;
    }
    (*text)[*len] = '\0';
    return EXIT_OK;
}

static int need_one(const char *cmd, const struct opts *o, const char *what)
{
    if (o->npositional == 1)
        return EXIT_OK;
    fprintf(stderr, "civgrid %s: give exactly one %s\n", cmd, what);
    return EXIT_USAGE;
}

static int policy_list(struct cli *c, struct opts *o)
{
    struct cg_policy_info *items = NULL;
    size_t n = 0;
    int rc = cg_policy_list(c->store, c->store ? c->actor : NULL, c->arena, &items, &n);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-20s %-6s %-9s %s\n", "NAME", "ACTIVE", "KIND", "TITLE");
    for (size_t i = 0; i < n; i++)
        printf("%-20s %-6s %-9s %s\n", items[i].name, items[i].active ? "*" : "",
               items[i].builtin ? "built-in" : "copy",
               items[i].title_en ? items[i].title_en : "(no longer valid: save it again)");
    if (!c->store)
        printf("(built-ins only: give --db to see the deployment's copies and choice)\n");
    return EXIT_OK;
}

static int policy_show(struct cli *c, struct opts *o)
{
    struct cg_policy p;
    struct cg_policy_info info;
    const char *text = NULL;
    int rc = need_one(c->cmd, o, "NAME");
    if (rc)
        return rc;
    rc = cg_policy_get(c->store, c->store ? c->actor : NULL, o->positional[0], c->arena, &p, &info,
                       &text);
    if (rc == CG_ENOTFOUND) {
        fprintf(stderr, "civgrid %s: no policy profile '%s' (see 'civgrid policy list')\n", c->cmd,
                o->positional[0]);
        return EXIT_FAIL;
    }
    if (rc)
        return cli_fail(c, rc, NULL);
    if (!opt_bool(o, "json")) {
        printf("# %s: %s%s\n%s", info.name, info.builtin ? "built-in" : "saved copy",
               info.active ? ", active" : "", text);
        return EXIT_OK;
    }
    json_t *j = cg_policy_json(&p);
    json_t *meta = json_pack("{s:s, s:b, s:b, s:I, s:s?}", "name", info.name, "builtin",
                             info.builtin, "active", info.active, "saved_at",
                             (json_int_t)info.saved_at, "saved_by", info.saved_by);
    char *s = j && meta && !json_object_update(j, meta)
                  ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS)
                  : NULL;
    json_decref(meta);
    json_decref(j);
    if (!s)
        return cli_fail(c, CG_ENOMEM, NULL);
    printf("%s\n", s);
    free(s);
    return EXIT_OK;
}

static int policy_use(struct cli *c, struct opts *o)
{
    int rc = need_one(c->cmd, o, "NAME");
    if (rc)
        return rc;
    const char *name = o->positional[0];
    rc = cg_policy_activate(c->store, c->actor, name, c->arena);
    if (rc == CG_ENOTFOUND) {
        fprintf(stderr, "civgrid %s: no policy profile '%s' (see 'civgrid policy list')\n", c->cmd,
                name);
        return EXIT_FAIL;
    }
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%s is now the active policy profile\n", name);
    return EXIT_OK;
}

static int policy_check(struct cli *c, struct opts *o)
{
    struct cg_policy p;
    struct cg_policy_error err;
    char *text = NULL;
    size_t len = 0;
    int rc = need_one(c->cmd, o, "FILE");
    if (!rc)
        rc = read_file(c->cmd, o->positional[0], c->arena, &text, &len);
    if (rc)
        return rc;
    if ((rc = cg_policy_parse(text, len, &p, &err)))
        return print_invalid(c->cmd, o->positional[0], rc, &err);
    printf("%s: valid (%s)\n", o->positional[0], p.title_en);
    return EXIT_OK;
}

static int policy_save(struct cli *c, struct opts *o)
{
    struct cg_policy_error err;
    char *text = NULL;
    size_t len = 0;
    const char *from = opt_str(o, "from");
    int rc = need_one(c->cmd, o, "NAME");
    if (!rc && !from) {
        fprintf(stderr, "civgrid %s: needs --from FILE\n", c->cmd);
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = read_file(c->cmd, from, c->arena, &text, &len);
    if (rc)
        return rc;
    rc = cg_policy_save(c->store, c->actor, o->positional[0], text, len, c->arena, &err);
    if (rc == CG_EFORBIDDEN)
        return cli_fail(c, rc, NULL);
    if (rc)
        return print_invalid(c->cmd, err.line ? from : NULL, rc, &err);
    printf("saved policy profile %s (activate it with 'civgrid policy use %s')\n", o->positional[0],
           o->positional[0]);
    return EXIT_OK;
}

/* Whether a subcommand needs the database, may use it, or never does. */
enum db_use { DB_NEEDED, DB_OPTIONAL, DB_NONE };

static const struct {
    struct subcommand sub;
    enum db_use db;
} subs[] = {
    {{"list", policy_list, "list [--db DB]"}, DB_OPTIONAL},
    {{"show", policy_show, "show NAME [--json] [--db DB]"}, DB_OPTIONAL},
    {{"use", policy_use, "use NAME --db DB     (make NAME the active profile)"}, DB_NEEDED},
    {{"check", policy_check, "check FILE           (validate a profile file)"}, DB_NONE},
    {{"save", policy_save, "save NAME --from FILE --db DB   (save an edited copy)"}, DB_NEEDED},
};
#define NSUBS (sizeof subs / sizeof subs[0])

void usage_policy(FILE *f)
{
    fprintf(f, "usage: civgrid policy SUBCOMMAND ...\n\nPolicy profiles: the outbreak rules "
               "(isolation and test days, code colours,\nrisk levels, retention). nhc-9 and "
               "nhc-20 are built in; a deployment follows\n" CG_POLICY_DEFAULT
               " until it chooses another. Changes are audited.\n\nsubcommands:\n");
    for (size_t i = 0; i < NSUBS; i++)
        fprintf(f, "  civgrid policy %s\n", subs[i].sub.usage);
    fprintf(f, "\noptions:\n");
    opts_usage(policy_opts, f);
}

int cmd_policy(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "civgrid policy: which one? (see 'civgrid help policy')\n");
        return EXIT_USAGE;
    }
    size_t i = 0;
    while (i < NSUBS && strcmp(subs[i].sub.name, argv[0]))
        i++;
    if (i == NSUBS) {
        fprintf(stderr, "civgrid policy: unknown subcommand '%s' (see 'civgrid help policy')\n",
                argv[0]);
        return EXIT_USAGE;
    }
    char cmd[32];
    snprintf(cmd, sizeof cmd, "policy %s", subs[i].sub.name);
    struct opts o;
    struct cli c = {.cmd = cmd};
    int rc = opts_parse(&o, policy_opts, cmd, argc - 1, argv + 1);
    if (rc)
        return rc;
    const char *db = opt_str(&o, "db");
    if (subs[i].db == DB_NEEDED || (subs[i].db == DB_OPTIONAL && db && *db))
        rc = cli_open(&c, cmd, &o);
    else if (!(c.arena = cg_arena_new()))
        rc = EXIT_FAIL;
    if (!rc)
        rc = subs[i].sub.run(&c, &o);
    cli_close(&c);
    opts_free(&o);
    return rc;
}
