/* The PostgreSQL backend, through libpq. Portable SQL with '?' placeholders
 * is rewritten to $1, $2, ... and prepared once per connection under a
 * name of its own; values travel in text form both ways, so the backend
 * needs no knowledge of column types. */
#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/buf.h"
#include "civgrid/error.h"
#include "store_int.h"

/* One connection. The counter names prepared statements: the names only
 * have to be unique within one server session. */
struct pg_conn {
    PGconn *pg;
    unsigned next_stmt;
};

enum { STMT_IDLE, STMT_RUNNING, STMT_FINISHED };

struct pg_stmt {
    char name[16];
    int nparams;
    int ncols;
    char **params; /* nparams text values, each malloc'd; NULL binds SQL NULL */
    PGresult *res; /* rows of the current execution, NULL when there are none */
    int row;       /* current row in res; -1 before the first step */
    int state;
    int err; /* the error a failed execution keeps returning until reset */
    int64_t changes;
};

static PGconn *conn_of(cg_store *s)
{
    return ((struct pg_conn *)s->conn)->pg;
}

/* libpq's messages span several lines (a context line, a hint after a tab);
 * the log wants one, so line breaks and tabs become single spaces. */
static void set_error(cg_store *s, const char *msg)
{
    char line[sizeof s->errmsg];
    size_t n = 0;
    for (const char *p = msg; *p && n < sizeof line - 1; p++) {
        char c = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
        if (c == ' ' && (n == 0 || line[n - 1] == ' '))
            continue;
        line[n++] = c;
    }
    line[n] = '\0';
    cg__store_set_error(s, line);
}

/* Maps a SQLSTATE to our codes: the class (first two characters) is enough
 * for integrity violations, the rest are single conditions. */
static int map_sqlstate(const char *state)
{
    if (!state)
        return CG_EDB;
    if (strcmp(state, "23505") == 0) /* unique_violation */
        return CG_EEXISTS;
    if (strncmp(state, "23", 2) == 0) /* not null, foreign key, check, exclusion */
        return CG_ECONFLICT;
    if (strcmp(state, "40001") == 0     /* serialization_failure */
        || strcmp(state, "40P01") == 0  /* deadlock_detected */
        || strcmp(state, "55P03") == 0  /* lock_not_available (lock_timeout) */
        || strcmp(state, "57014") == 0) /* query_canceled (statement_timeout) */
        return CG_EBUSY;
    if (strcmp(state, "53200") == 0) /* out_of_memory */
        return CG_ENOMEM;
    return CG_EDB;
}

/* Turns a libpq result into 0 or an error code, recording the message. Only
 * the primary message is kept, never the DETAIL: for a unique violation the
 * detail repeats the key, which may be a resident ID, and the message goes
 * to logs. */
static int check_result(cg_store *s, const PGresult *res)
{
    PGconn *pg = conn_of(s);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        return 0;
    /* A broken connection (server restart, network) is checked first: its
     * result, if any, carries a SQLSTATE that would read as a plain error. */
    if (PQstatus(pg) == CONNECTION_BAD) {
        set_error(s, PQerrorMessage(pg));
        return CG_EIO;
    }
    if (!res) { /* libpq could not allocate a result or send the query */
        set_error(s, PQerrorMessage(pg));
        return CG_ENOMEM;
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary) {
        char msg[sizeof s->errmsg];
        snprintf(msg, sizeof msg, "%s (SQLSTATE %s)", primary, state ? state : "?");
        set_error(s, msg);
    } else {
        set_error(s, PQresultErrorMessage(res));
    }
    return map_sqlstate(state);
}

/* NOTICEs (such as "relation already exists, skipping") would otherwise be
 * printed on stderr by libpq; client_min_messages already stops most. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_exec_script(cg_store *s, const char *sql)
{
    /* PQexec runs several ';'-separated statements and returns the result
     * of the last, or of the first that failed. */
    PGresult *res = PQexec(conn_of(s), sql);
    int rc = check_result(s, res);
    PQclear(res);
    return rc;
}

/* A statement waiting this long for another transaction's lock fails with
 * SQLSTATE 55P03, which maps to CG_EBUSY like SQLite's busy timeout. */
static int pg_set_busy_timeout(cg_store *s, int ms)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
    return pg_exec_script(s, sql);
}

static void pg_close(cg_store *s)
{
    struct pg_conn *c = s->conn;
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
    s->conn = NULL;
}

static int pg_open(cg_store *s, const char *url)
{
    struct pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        cg__store_set_error(s, "out of memory");
        return CG_ENOMEM;
    }
    c->pg = PQconnectdb(url);
    if (!c->pg) {
        free(c);
        cg__store_set_error(s, "out of memory");
        return CG_ENOMEM;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        /* The message names host and port; only for a malformed URL does
         * libpq quote the URL itself. */
        set_error(s, PQerrorMessage(c->pg));
        PQfinish(c->pg);
        free(c);
        return CG_EDB;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    s->conn = c;
    /* standard_conforming_strings is the default, but the placeholder
     * rewriting below relies on it ('\' is not an escape in '...'), so it is
     * set rather than assumed. */
    int rc = pg_exec_script(s, "SET client_min_messages = warning;"
                               " SET standard_conforming_strings = on");
    if (rc)
        pg_close(s);
    return rc;
}

/* ---- placeholder rewriting ---- */

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Returns the end of the string literal, quoted identifier or comment that
 * starts at p, or p itself when none starts there. Dollar-quoted strings are
 * not recognised: portable SQL has none, and '$' cannot start one after the
 * rewriting anyway. An unterminated token runs to the end, and the server
 * reports the syntax error. */
static const char *skip_token(const char *sql, const char *p)
{
    if (*p == '\'' || *p == '"') {
        char quote = *p;
        /* In E'...' a backslash escapes the next character, quote included. */
        int escapes = quote == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
                      (p - 1 == sql || !is_ident_char(p[-2]));
        /* A doubled quote ('it''s') ends one token and starts the next,
         * which skips the same characters. */
        for (p++; *p; p++) {
            if (escapes && *p == '\\' && p[1])
                p++;
            else if (*p == quote)
                return p + 1;
        }
        return p;
    }
    if (p[0] == '-' && p[1] == '-') {
        const char *nl = strchr(p, '\n');
        return nl ? nl + 1 : p + strlen(p);
    }
    if (p[0] == '/' && p[1] == '*') {
        /* PostgreSQL block comments nest. */
        int depth = 0;
        while (*p) {
            if (p[0] == '/' && p[1] == '*') {
                depth++;
                p += 2;
            } else if (p[0] == '*' && p[1] == '/') {
                p += 2;
                if (--depth == 0)
                    return p;
            } else {
                p++;
            }
        }
        return p;
    }
    return p;
}

/* Rewrites each '?' placeholder outside literals, quoted identifiers and
 * comments to $1, $2, ... *out is malloc'd; *nparams counts the '?'s. */
static int rewrite_placeholders(const char *sql, char **out, int *nparams)
{
    cg_buf b;
    cg_buf_init(&b, 0);
    int n = 0, rc = 0;
    const char *start = sql, *p = sql;
    while (*p && !rc) {
        const char *end = skip_token(sql, p);
        if (end != p) {
            p = end;
        } else if (*p == '?') {
            rc = cg_buf_append(&b, start, (size_t)(p - start));
            if (!rc)
                rc = cg_buf_printf(&b, "$%d", ++n);
            start = ++p;
        } else {
            p++;
        }
    }
    if (!rc)
        rc = cg_buf_append(&b, start, (size_t)(p - start));
    if (rc) {
        cg_buf_free(&b);
        return rc;
    }
    *out = cg_buf_steal(&b, NULL);
    *nparams = n;
    return *out ? 0 : CG_ENOMEM;
}

/* ---- statements ---- */

static int pg_prepare(cg_stmt *st)
{
    cg_store *s = st->store;
    struct pg_conn *c = s->conn;
    char *sql = NULL;
    PGresult *res = NULL;
    struct pg_stmt *ps = calloc(1, sizeof *ps);
    int rc = ps ? rewrite_placeholders(st->sql, &sql, &ps->nparams) : CG_ENOMEM;
    if (rc)
        goto out;
    if (ps->nparams && !(ps->params = calloc((size_t)ps->nparams, sizeof *ps->params))) {
        rc = CG_ENOMEM;
        goto out;
    }
    snprintf(ps->name, sizeof ps->name, "s%u", ++c->next_stmt);
    res = PQprepare(c->pg, ps->name, sql, 0, NULL);
    if ((rc = check_result(s, res)))
        goto out;
    PQclear(res);
    /* Describing costs one round trip per statement and connection, and
     * gives the column count before the first step, as SQLite does. */
    res = PQdescribePrepared(c->pg, ps->name);
    if ((rc = check_result(s, res)))
        goto out;
    ps->ncols = PQnfields(res);
    ps->row = -1;
    st->impl = ps;
    ps = NULL;
out:
    PQclear(res);
    free(sql);
    if (ps) {
        free(ps->params);
        free(ps);
    }
    return rc;
}

static void clear_params(struct pg_stmt *ps)
{
    for (int i = 0; i < ps->nparams; i++) {
        free(ps->params[i]);
        ps->params[i] = NULL;
    }
}

static void pg_reset(cg_stmt *st)
{
    struct pg_stmt *ps = st->impl;
    PQclear(ps->res);
    ps->res = NULL;
    ps->row = -1;
    ps->state = STMT_IDLE;
    ps->err = 0;
    clear_params(ps);
}

/* The server forgets a session's prepared statements when the connection
 * closes, which is the only time the store finalises them, so no DEALLOCATE
 * round trip is spent here. */
static void pg_finalize(cg_stmt *st)
{
    struct pg_stmt *ps = st->impl;
    if (!ps)
        return;
    pg_reset(st);
    free(ps->params);
    free(ps);
    st->impl = NULL;
}

/* Stores value (owned; NULL for SQL NULL) as parameter i, 1-based. */
static int set_param(cg_stmt *st, int i, char *value)
{
    struct pg_stmt *ps = st->impl;
    if (i < 1 || i > ps->nparams) {
        char msg[80];
        snprintf(msg, sizeof msg, "parameter %d out of range (statement has %d)", i, ps->nparams);
        cg__store_set_error(st->store, msg);
        free(value);
        return CG_ERANGE;
    }
    free(ps->params[i - 1]);
    ps->params[i - 1] = value;
    return 0;
}

static int pg_bind_int(cg_stmt *st, int i, int64_t v)
{
    char *text = malloc(24); /* "-9223372036854775808" and a NUL fit */
    if (!text)
        return CG_ENOMEM;
    snprintf(text, 24, "%" PRId64, v);
    return set_param(st, i, text);
}

static int pg_bind_text(cg_stmt *st, int i, const char *text, size_t len)
{
    /* PostgreSQL text cannot hold a NUL byte; refusing beats silently
     * storing only the part before it. */
    if (memchr(text, '\0', len)) {
        cg__store_set_error(st->store, "text contains a NUL byte");
        return CG_EINVAL;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return CG_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return set_param(st, i, copy);
}

static int pg_bind_null(cg_stmt *st, int i)
{
    return set_param(st, i, NULL);
}

/* Runs the statement with its bound parameters. The whole result is kept in
 * memory: the store's queries are bounded (pages, one case's visits), and
 * single-row mode would tie up the connection until every row was read. */
static int execute(cg_stmt *st)
{
    struct pg_stmt *ps = st->impl;
    PGresult *res = PQexecPrepared(conn_of(st->store), ps->name, ps->nparams,
                                   (const char *const *)ps->params, NULL, NULL, 0);
    int rc = check_result(st->store, res);
    if (rc) {
        PQclear(res);
        return rc;
    }
    ps->changes = strtoll(PQcmdTuples(res), NULL, 10);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
        ps->res = res;
        ps->row = -1;
    } else {
        PQclear(res);
    }
    return 0;
}

static int pg_step(cg_stmt *st)
{
    struct pg_stmt *ps = st->impl;
    if (ps->state == STMT_FINISHED)
        return ps->err ? ps->err : CG_DONE;
    if (ps->state == STMT_IDLE) {
        ps->state = STMT_RUNNING;
        int rc = execute(st);
        if (rc) {
            ps->state = STMT_FINISHED;
            ps->err = rc;
            return rc;
        }
    }
    if (ps->res && ++ps->row < PQntuples(ps->res))
        return CG_ROW;
    /* Release the rows now rather than at reset: they are no longer
     * readable, and a large result should not wait for the caller. */
    PQclear(ps->res);
    ps->res = NULL;
    ps->state = STMT_FINISHED;
    return CG_DONE;
}

static int pg_column_count(cg_stmt *st)
{
    return ((struct pg_stmt *)st->impl)->ncols;
}

/* The current row's result, or NULL when there is no row or col is out of
 * range; the column getters then answer as for NULL. */
static const PGresult *current(cg_stmt *st, int col)
{
    struct pg_stmt *ps = st->impl;
    if (!ps->res || ps->row < 0 || ps->row >= PQntuples(ps->res) || col < 0 ||
        col >= PQnfields(ps->res))
        return NULL;
    return ps->res;
}

static int pg_isnull(cg_stmt *st, int col)
{
    const PGresult *res = current(st, col);
    return !res || PQgetisnull(res, ((struct pg_stmt *)st->impl)->row, col);
}

static const char *pg_col_text(cg_stmt *st, int col)
{
    const PGresult *res = current(st, col);
    int row = ((struct pg_stmt *)st->impl)->row;
    if (!res || PQgetisnull(res, row, col))
        return NULL;
    return PQgetvalue(res, row, col);
}

static int64_t pg_col_int(cg_stmt *st, int col)
{
    const char *text = pg_col_text(st, col);
    return text ? strtoll(text, NULL, 10) : 0;
}

static int64_t pg_changes(cg_stmt *st)
{
    return ((struct pg_stmt *)st->impl)->changes;
}

const struct cg_store_ops cg__pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .set_busy_timeout = pg_set_busy_timeout,
    .exec_script = pg_exec_script,
    .begin_sql = "BEGIN",
    /* Held until the migration's transaction ends; the number is arbitrary
     * but fixed, so that every civgrid process contends for the same lock. */
    .migration_lock_sql = "SELECT pg_advisory_xact_lock(7243001)",
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .isnull = pg_isnull,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .changes = pg_changes,
    .reset = pg_reset,
    .id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    /* A database created with a locale (zh-CN, en-US) would otherwise sort
     * '/1/5/' after '/1/~' and break every subtree range. */
    .bytes_collation = "COLLATE \"C\"",
    /* Whatever the server's default: a commit returns once the WAL is
     * flushed (and on synchronous standbys, if any); also for the lighter
     * level, which costs nothing more on a server that other clients share. */
    .durability_sql = {"SET synchronous_commit = on", "SET synchronous_commit = on"},
};
