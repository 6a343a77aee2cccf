#include "civgrid/session.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/secret.h"
#include "civgrid/user.h"
#include "session_int.h"

/* Tokens look like "cg1.<deployment tag>.<43 random base64url chars>". */
#define TOKEN_PREFIX "cg1."
#define TAG_LEN 8

int cg_deployment_id(cg_store *s, char out[40])
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT value FROM meta WHERE key = 'deployment_id'", "");
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        snprintf(out, 40, "%s", cg_stmt_text(st, 0));
    }
    cg_stmt_reset(st);
    return rc;
}

void cg_session_csrf(char out[65], const char *token)
{
    cg_secret_hash(out, token, "civgrid-csrf");
}

/* Builds the actor from a row of: user id, username, display name, role,
 * area id, path, code, name, level (starting at column first). */
static struct cg_actor *read_actor(cg_stmt *st, int first, cg_arena *a, const char *ip)
{
    struct cg_actor *act = cg_arena_calloc(a, sizeof *act);
    if (!act)
        return NULL;
    act->user_id = cg_stmt_int(st, first);
    act->username = cg_arena_strdup(a, cg_stmt_text(st, first + 1));
    act->display_name = cg_arena_strdup(a, cg_stmt_text(st, first + 2));
    act->role = cg_role_find(cg_stmt_text(st, first + 3));
    act->area_id = cg_stmt_int(st, first + 4);
    act->area_path = cg_arena_strdup(a, cg_stmt_text(st, first + 5));
    act->area_code = cg_arena_strdup(a, cg_stmt_text(st, first + 6));
    act->area_name = cg_arena_strdup(a, cg_stmt_text(st, first + 7));
    act->area_level = cg_arena_strdup(a, cg_stmt_text(st, first + 8));
    act->client_ip = cg_arena_strdup(a, ip);
    act->department_id = cg_stmt_int(st, first + 9);
    act->department_code = cg_arena_strdup(a, cg_stmt_text(st, first + 10));
    return act;
}

#define ACTOR_COLUMNS                                                                              \
    "u.id, u.username, u.display_name, u.role, a.id, a.path, a.code, a.name, a.level,"             \
    " u.department_id, (SELECT d.code FROM departments d WHERE d.id = u.department_id)"

struct login_row {
    struct cg_actor *actor;
    const char *hash, *status;
};

static int find_login(cg_store *s, const char *username, const char *ip, cg_arena *a,
                      struct login_row *row)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT " ACTOR_COLUMNS ", u.password_hash, u.status"
                            " FROM users u JOIN areas a ON a.id = u.area_id WHERE u.username = ?",
                            "s", username);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        row->actor = read_actor(st, 0, a, ip);
        row->hash = cg_arena_strdup(a, cg_stmt_text(st, 11));
        row->status = cg_arena_strdup(a, cg_stmt_text(st, 12));
        rc = row->actor ? 0 : CG_ENOMEM;
    } else if (rc == CG_DONE) {
        rc = CG_ENOTFOUND;
    }
    cg_stmt_reset(st);
    return rc;
}

/* Until when sign-ins with this name wait (0: they need not). */
static int name_locked_until(cg_store *s, const char *username, int64_t *until)
{
    cg_stmt *st = NULL;
    *until = 0;
    int rc = cg_store_query(s, &st, "SELECT locked_until FROM login_failures WHERE username = ?",
                            "s", username);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW)
        *until = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc == CG_ROW || rc == CG_DONE ? 0 : rc;
}

/* After CG_SLOW_AFTER failures each try waits twice as long as the last,
 * up to 30 s; after CG_LOCK_AFTER the name is locked for a while. */
static int64_t lock_for(int64_t failed)
{
    if (failed >= CG_LOCK_AFTER)
        return CG_LOCK_SECONDS;
    if (failed < CG_SLOW_AFTER)
        return 0;
    int64_t wait = (int64_t)1 << (failed - CG_SLOW_AFTER);
    return wait > 30 ? 30 : wait;
}

/* Counts one failure of the name in one statement: parallel guesses each
 * add one, where reading the count and writing it back lost all but one. */
static int count_failure(cg_store *s, const char *username, int64_t now)
{
    cg_stmt *st = NULL;
    int64_t failed = 0;
    int rc = cg_store_query(s, &st,
                            "INSERT INTO login_failures (username, failed, locked_until, last_at)"
                            " VALUES (?, 1, 0, ?) ON CONFLICT (username) DO UPDATE"
                            " SET failed = login_failures.failed + 1, last_at = excluded.last_at"
                            " RETURNING failed",
                            "si", username, now);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW)
        failed = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    if (rc != CG_ROW)
        return rc ? rc : CG_EDB;
    rc = 0;
    int64_t lock = lock_for(failed);
    if (lock)
        rc = cg_store_run(s, NULL,
                          "UPDATE login_failures SET locked_until = ? WHERE username = ?"
                          " AND locked_until < ?",
                          "isi", now + lock, username, now + lock);
    /* Names tried once a day ago and never since are forgotten, so that
     * guessing random names cannot grow the table without end. */
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "DELETE FROM login_failures WHERE last_at < ? AND locked_until < ?", "ii",
                          now - 86400, now);
    return rc;
}

int cg__login_check_locked(cg_store *s, const char *username, int64_t *retry_after)
{
    int64_t until = 0, now = cg_now();
    int rc = name_locked_until(s, username, &until);
    *retry_after = !rc && until > now ? until - now : 0;
    return rc ? rc : (*retry_after ? CG_ELOCKED : 0);
}

int cg__login_failure(cg_store *s, const char *username)
{
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    if ((rc = count_failure(s, username, cg_now()))) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}

int cg__login_failures_clear(cg_store *s, const char *username)
{
    return cg_store_run(s, NULL, "DELETE FROM login_failures WHERE username = ?", "s", username);
}

/* Records a refused sign-in: the audit record carries the real reason
 * (outcome), and every reason but a lock counts against the name. */
static int record_failure(cg_store *s, struct login_row *row, const char *username, const char *ip,
                          int outcome)
{
    struct cg_actor anon = {.username = username, .client_ip = ip};
    struct cg_audit_record rec = {"session.create", "user", username, NULL, outcome, NULL};
    if (row->actor)
        rec.area_path = row->actor->area_path;
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    if (outcome != CG_ELOCKED)
        rc = count_failure(s, username, cg_now());
    if (!rc)
        rc = cg_audit_write(s, &anon, NULL, &rec);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}

static int create_session(cg_store *s, struct login_row *row, const char *ip, int ttl, cg_arena *a,
                          struct cg_login *out)
{
    char deployment[40], random[64], hash[65], csrf[65];
    int rc = cg_deployment_id(s, deployment);
    if (rc)
        return rc == CG_ENOTFOUND ? CG_EINTERNAL : rc;
    cg_secret_random(random, sizeof random, 32);
    char *token = cg_arena_printf(a, TOKEN_PREFIX "%.*s.%s", TAG_LEN, deployment, random);
    if (!token)
        return CG_ENOMEM;
    cg_secret_hash(hash, token, NULL);
    cg_session_csrf(csrf, token);
    int64_t now = cg_now();
    struct cg_audit_record rec = {"session.create",      "user", row->actor->username,
                                  row->actor->area_path, 0,      NULL};
    if ((rc = cg_store_begin(s)))
        return rc;
    rc = cg_store_insert(s, &row->actor->session_id,
                         "INSERT INTO sessions (token_hash, user_id, created_at, expires_at,"
                         " client_ip) VALUES (?, ?, ?, ?, ?) RETURNING id",
                         "siiis", hash, row->actor->user_id, now, now + ttl, ip);
    if (!rc)
        rc = cg__login_failures_clear(s, row->actor->username);
    if (!rc)
        rc = cg_audit_write(s, row->actor, NULL, &rec);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    if ((rc = cg_store_commit(s)))
        return rc;
    out->token = token;
    out->csrf_token = cg_arena_strdup(a, csrf);
    out->expires_at = now + ttl;
    out->actor = row->actor;
    return 0;
}

int cg_session_login(cg_store *s, const char *username, const char *password, const char *client_ip,
                     int ttl_seconds, cg_arena *a, struct cg_login *out, int64_t *retry_after)
{
    struct login_row row = {0};
    int64_t until = 0;
    *retry_after = 0;
    int rc = find_login(s, username, client_ip, a, &row);
    if (rc && rc != CG_ENOTFOUND)
        return rc;
    /* The lock is checked before the slow password check, so that a locked
     * name costs an attacker's parallel tries nothing but a refusal. */
    if ((rc = name_locked_until(s, username, &until)))
        return rc;
    int64_t now = cg_now();
    if (until > now) {
        *retry_after = until - now;
        record_failure(s, &row, username, client_ip, CG_ELOCKED);
        return CG_ELOCKED;
    }
    /* An unknown name, a wrong password and a disabled account answer the
     * same, so that none tells which names exist or which are disabled; the
     * audit record keeps the real reason. */
    int outcome = 0;
    if (!cg_password_verify(row.hash, password) || !row.actor)
        outcome = CG_EBADCRED;
    else if (strcmp(row.status, "active") != 0)
        outcome = CG_EDISABLED;
    else if (!row.actor->role)
        return CG_EINTERNAL;
    if (outcome) {
        rc = record_failure(s, &row, username, client_ip, outcome);
        return rc ? rc : CG_EBADCRED;
    }
    return create_session(s, &row, client_ip, ttl_seconds, a, out);
}

int cg_session_resolve(cg_store *s, const char *token, const char *client_ip, cg_arena *a,
                       struct cg_actor **out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = NULL;
    size_t plen = strlen(TOKEN_PREFIX);
    if (strncmp(token, TOKEN_PREFIX, plen) != 0 || strlen(token) < plen + TAG_LEN + 2 ||
        token[plen + TAG_LEN] != '.' || strlen(token) > 200) {
        *why = "the token is malformed";
        return CG_EUNAUTH;
    }
    char deployment[40];
    int rc = cg_deployment_id(s, deployment);
    if (rc)
        return rc;
    if (strncmp(token + plen, deployment, TAG_LEN) != 0) {
        *why = "the token was issued by another civgrid deployment";
        return CG_EUNAUTH;
    }
    char hash[65];
    cg_secret_hash(hash, token, NULL);
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st,
                        "SELECT s.id, s.expires_at, s.revoked_at, u.status, " ACTOR_COLUMNS
                        " FROM sessions s JOIN users u ON u.id = s.user_id"
                        " JOIN areas a ON a.id = u.area_id WHERE s.token_hash = ?",
                        "s", hash);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_DONE) {
        *why = "unknown token";
        rc = CG_EUNAUTH;
    } else if (rc == CG_ROW) {
        if (!cg_stmt_isnull(st, 2)) {
            *why = "the session was ended (signed out, password changed or account disabled)";
            rc = CG_EEXPIRED;
        } else if (cg_stmt_int(st, 1) <= cg_now()) {
            *why = "the session expired; sign in again";
            rc = CG_EEXPIRED;
        } else if (strcmp(cg_stmt_text(st, 3), "active") != 0) {
            *why = "the account is disabled";
            rc = CG_EEXPIRED;
        } else {
            *out = read_actor(st, 4, a, client_ip);
            rc = *out ? 0 : CG_ENOMEM;
            if (*out)
                (*out)->session_id = cg_stmt_int(st, 0);
        }
    }
    cg_stmt_reset(st);
    return rc;
}

int cg_session_logout(cg_store *s, const struct cg_actor *actor)
{
    struct cg_audit_record rec = {"session.delete", "user", actor->username,
                                  actor->area_path, 0,      NULL};
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    rc = cg_store_run(s, NULL,
                      "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                      "ii", cg_now(), actor->session_id);
    if (!rc)
        rc = cg_audit_write(s, actor, NULL, &rec);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}

int cg_session_tick(cg_store *s, int64_t now)
{
    /* One statement, so no transaction: a session is deleted whole or not. */
    int64_t before = now - CG_SESSION_KEEP_SECONDS;
    return cg_store_run(s, NULL, "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?",
                        "ii", before, before);
}

static int root_actor_row(cg_store *s, cg_arena *a, struct cg_actor *act)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT id, path, code, name, level FROM areas WHERE parent_id IS NULL"
                            " ORDER BY id LIMIT 1",
                            "");
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW) {
        act->area_id = cg_stmt_int(st, 0);
        act->area_path = cg_arena_strdup(a, cg_stmt_text(st, 1));
        act->area_code = cg_arena_strdup(a, cg_stmt_text(st, 2));
        act->area_name = cg_arena_strdup(a, cg_stmt_text(st, 3));
        act->area_level = cg_arena_strdup(a, cg_stmt_text(st, 4));
        rc = 0;
    } else if (rc == CG_DONE) {
        rc = CG_ENOTFOUND; /* not initialised */
    }
    cg_stmt_reset(st);
    return rc;
}

int cg_actor_cli(cg_store *s, cg_arena *a, struct cg_actor **out)
{
    struct cg_actor *act = cg_arena_calloc(a, sizeof *act);
    if (!act)
        return CG_ENOMEM;
    const char *user = getenv("USER");
    struct passwd *pw = (!user || !*user) ? getpwuid(getuid()) : NULL;
    if (pw)
        user = pw->pw_name;
    act->username = cg_arena_printf(a, "cli:%s", user && *user ? user : "unknown");
    act->display_name = act->username;
    act->role = cg_role_find("admin");
    act->client_ip = "local";
    int rc = root_actor_row(s, a, act);
    if (rc)
        return rc;
    *out = act;
    return 0;
}

int cg_deployment_init(cg_store *s, const char *root_code, const char *root_name,
                       const char *root_level, cg_arena *a, const char **admin_password)
{
    char id[40], random[64];
    *admin_password = NULL;
    int rc = cg_deployment_id(s, id);
    if (rc != CG_ENOTFOUND)
        return rc; /* 0: already initialised */
    char *password = cg_arena_alloc(a, 17);
    if (!password)
        return CG_ENOMEM;
    cg_secret_password(password, 16);
    cg_secret_random(random, sizeof random, 12);
    int64_t area_id = 0, user_id = 0;
    const char *path = NULL;
    struct cg_actor system = {.username = "system", .client_ip = "local"};
    struct cg_audit_record rec = {"deployment.init", "area", root_code, NULL, 0, NULL};
    if ((rc = cg_store_begin(s)))
        return rc;
    rc = cg_store_run(s, NULL, "INSERT INTO meta (key, value) VALUES ('deployment_id', ?)", "s",
                      random);
    if (!rc)
        rc = cg_area_create_root(s, root_code, root_name, root_level, &area_id, &path);
    if (!rc)
        rc = cg__user_insert(s, "admin", "系统管理员 Administrator", "admin", area_id, password,
                             &user_id);
    rec.area_path = path;
    if (!rc)
        rc = cg_audit_write(s, &system, NULL, &rec);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    if ((rc = cg_store_commit(s)))
        return rc;
    *admin_password = password;
    return 0;
}
