/* civgrid user add|list|show|passwd|disable|enable */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civgrid/error.h"
#include "civgrid/user.h"
#include "cli.h"

static const struct opt_def user_opts[] = {
    OPT_DB,
    {"role", OPT_STR, NULL, NULL, 0, 0,
     "role (admin, centre, commander, grid_head, grid_worker, ...)"},
    {"scope", OPT_STR, NULL, NULL, 0, 0, "code of the area the user works in"},
    {"display_name", OPT_STR, NULL, NULL, 0, 0, "name shown in the UI (default: the username)"},
    {"password_stdin", OPT_BOOL, NULL, NULL, 0, 0, "read the password from standard input"},
    {"q", OPT_STR, NULL, NULL, 0, 0, "with list: only usernames or names containing this"},
    OPT_END,
};

static int need_name(struct cli *c, struct opts *o, const char **name)
{
    if (o->npositional != 1) {
        fprintf(stderr, "civgrid %s: give exactly one USERNAME\n", c->cmd);
        return EXIT_USAGE;
    }
    *name = o->positional[0];
    return EXIT_OK;
}

static void print_user(const struct cg_user *u)
{
    printf("%-20s %-14s %-10s %-16s %s\n", u->username, u->role, u->status, u->area.code,
           u->display_name);
}

static int user_add(struct cli *c, struct opts *o)
{
    struct cg_user_input in = {.display_name = opt_str(o, "display_name"),
                               .role = opt_str(o, "role"),
                               .scope = opt_str(o, "scope")};
    char password[CG_PASSWORD_MAX + 2];
    struct cg_field_error fe = {0};
    struct cg_user u;
    int rc = need_name(c, o, &in.username);
    if (rc)
        return rc;
    if (!in.role || !in.scope || !opt_bool(o, "password_stdin")) {
        fprintf(stderr, "civgrid %s: needs --role ROLE --scope AREA_CODE --password-stdin\n",
                c->cmd);
        return EXIT_USAGE;
    }
    if ((rc = cli_read_password(c, password, sizeof password)))
        return rc;
    in.password = password;
    rc = cg_user_create(c->store, c->actor, &in, c->arena, &u, &fe);
    if (rc == CG_EEXISTS && !fe.message[0])
        cg_field_fail(&fe, rc, "username", "username '%s' is taken", in.username);
    if (rc)
        return cli_fail(c, rc, &fe);
    printf("added ");
    print_user(&u);
    return EXIT_OK;
}

static int user_list(struct cli *c, struct opts *o)
{
    struct cg_user *users = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_user_list(c->store, c->actor, opt_str(o, "q"), c->arena, &users, &n, &more);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-20s %-14s %-10s %-16s %s\n", "USERNAME", "ROLE", "STATUS", "SCOPE", "NAME");
    for (size_t i = 0; i < n; i++)
        print_user(&users[i]);
    if (more) /* on stderr, so that the listing stays parseable */
        fprintf(stderr, "more accounts match than these %zu; narrow the list with --q\n", n);
    return EXIT_OK;
}

static int user_show(struct cli *c, struct opts *o)
{
    const char *name = NULL;
    struct cg_user u;
    int rc = need_name(c, o, &name);
    if (rc)
        return rc;
    if ((rc = cg_user_get(c->store, c->actor, name, c->arena, &u)))
        return cli_fail(c, rc, NULL);
    const struct cg_role *role = cg_role_find(u.role);
    printf("username:     %s\ndisplay name: %s\nrole:         %s (%s)\nscope:        %s %s "
           "(%s)\nstatus:       %s\n",
           u.username, u.display_name, u.role, role ? role->zh : "?", u.area.code, u.area.name,
           u.area.level, u.status);
    return EXIT_OK;
}

static int user_passwd(struct cli *c, struct opts *o)
{
    const char *name = NULL;
    char password[CG_PASSWORD_MAX + 2];
    struct cg_field_error fe = {0};
    int rc = need_name(c, o, &name);
    if (rc || (rc = cli_read_password(c, password, sizeof password)))
        return rc;
    if ((rc = cg_user_set_password(c->store, c->actor, name, NULL, password, &fe)))
        return cli_fail(c, rc, &fe);
    printf("password of %s changed; its sessions were signed out\n", name);
    return EXIT_OK;
}

static int set_status(struct cli *c, struct opts *o, const char *status)
{
    const char *name = NULL;
    struct cg_field_error fe = {0};
    struct cg_user u;
    int rc = need_name(c, o, &name);
    if (rc)
        return rc;
    if ((rc = cg_user_set_status(c->store, c->actor, name, status, c->arena, &u, &fe)))
        return cli_fail(c, rc, &fe);
    printf("%s is now %s\n", name, status);
    return EXIT_OK;
}

static int user_disable(struct cli *c, struct opts *o)
{
    return set_status(c, o, "disabled");
}

static int user_enable(struct cli *c, struct opts *o)
{
    return set_status(c, o, "active");
}

static const struct subcommand subs[] = {
    {"add", user_add,
     "add NAME --role ROLE --scope AREA_CODE --password-stdin [--display-name NAME]"},
    {"list", user_list, "list [--q TEXT]"},
    {"show", user_show, "show NAME"},
    {"passwd", user_passwd, "passwd NAME   (new password on standard input)"},
    {"disable", user_disable, "disable NAME  (signs the user out everywhere)"},
    {"enable", user_enable, "enable NAME   (undoes disable and clears a lockout)"},
    {NULL, NULL, NULL},
};

void usage_user(FILE *f)
{
    fprintf(f, "usage: civgrid user SUBCOMMAND --db DB ...\n\nManages accounts. Every change is "
               "audited as the\n"
               "command-line user 'cli:$USER'.\n\nsubcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid user %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(user_opts, f);
}

int cmd_user(int argc, char **argv)
{
    return cli_dispatch("user", subs, user_opts, argc, argv);
}
