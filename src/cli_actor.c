/* What the account commands share: opening the database as the command-line
 * actor, reading a password from standard input, printing field errors. */
#include "cli.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/user.h"

int cli_open(struct cli *c, const char *cmd, const struct opts *o)
{
    const char *db = NULL;
    c->cmd = cmd;
    int rc = opts_require_db(o, cmd, &db);
    if (rc)
        return rc;
    if ((rc = open_database(cmd, db, &c->store)))
        return rc;
    c->arena = cg_arena_new();
    if (!c->arena)
        return EXIT_FAIL;
    rc = cg_actor_cli(c->store, c->arena, &c->actor);
    if (rc == CG_ENOTFOUND) {
        fprintf(stderr, "civgrid %s: the database is not initialised; run 'civgrid init --db %s'\n",
                cmd, db);
        return EXIT_FAIL;
    }
    return rc ? cli_fail(c, rc, NULL) : EXIT_OK;
}

void cli_close(struct cli *c)
{
    cg_arena_free(c->arena);
    cg_store_close(c->store);
    c->arena = NULL;
    c->store = NULL;
}

int cli_fail(struct cli *c, int err, const struct cg_field_error *fe)
{
    /* The field and the stable error name, as an import report says them
     * ("name: invalid_field: ..."), so that scripts and tests read the same
     * code from every door. */
    if (fe && fe->message[0])
        fprintf(stderr, "civgrid %s: %s%s%s: %s\n", c->cmd, fe->field, fe->field[0] ? ": " : "",
                cg_err_name(err), fe->message);
    else if (err == CG_EDB || err == CG_EIO)
        fprintf(stderr, "civgrid %s: %s: %s\n", c->cmd, cg_strerror(err),
                cg_store_errmsg(c->store));
    else
        fprintf(stderr, "civgrid %s: %s\n", c->cmd, cg_strerror(err));
    return err == CG_EBADTYPE || err == CG_EMISSING || err == CG_EINVAL || err == CG_EWEAKPASS
               ? EXIT_USAGE
               : EXIT_FAIL;
}

int cli_read_password(struct cli *c, char *out, size_t outsize)
{
    int tty = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    if (tty) {
        fprintf(stderr, "password: ");
        tcgetattr(STDIN_FILENO, &saved);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    size_t n = 0;
    int ch, too_long = 0;
    while ((ch = getchar()) != EOF && ch != '\n') {
        if (n + 1 < outsize)
            out[n++] = (char)ch;
        else
            too_long = 1;
    }
    out[n] = '\0';
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fputc('\n', stderr);
    }
    if (too_long) {
        fprintf(stderr, "civgrid %s: the password is longer than %d bytes\n", c->cmd,
                CG_PASSWORD_MAX);
        return EXIT_USAGE;
    }
    if (n == 0) {
        fprintf(stderr, "civgrid %s: no password on standard input\n", c->cmd);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_run(const char *cmd, int (*run)(struct cli *c, struct opts *o), const struct opt_def *defs,
            int argc, char **argv)
{
    struct opts o;
    struct cli c = {0};
    int rc = opts_parse(&o, defs, cmd, argc, argv);
    if (!rc)
        rc = cli_open(&c, cmd, &o);
    if (!rc)
        rc = run(&c, &o);
    cli_close(&c);
    opts_free(&o);
    return rc;
}

int cli_dispatch(const char *cmd, const struct subcommand *subs, const struct opt_def *defs,
                 int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "civgrid %s: which one? (see 'civgrid help %s')\n", cmd, cmd);
        return EXIT_USAGE;
    }
    const struct subcommand *sub = subs;
    while (sub->name && strcmp(sub->name, argv[0]) != 0)
        sub++;
    if (!sub->name) {
        fprintf(stderr, "civgrid %s: unknown subcommand '%s' (see 'civgrid help %s')\n", cmd,
                argv[0], cmd);
        return EXIT_USAGE;
    }
    char full[64];
    snprintf(full, sizeof full, "%s %s", cmd, sub->name);
    return cli_run(full, sub->run, defs, argc - 1, argv + 1);
}
