#include "civgrid/user.h"

#include <stdio.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/secret.h"
#include "civgrid/session.h"
#include "session_int.h"

#define USER_COLUMNS                                                                               \
    "u.id, u.username, u.display_name, u.role, u.status, u.created_at, u.updated_at,"              \
    " a.id, a.level, a.code, a.name, a.path, d.code"
#define USER_FROM                                                                                  \
    " FROM users u JOIN areas a ON a.id = u.area_id"                                               \
    " LEFT JOIN departments d ON d.id = u.department_id"

static void read_user(cg_stmt *st, cg_arena *a, struct cg_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = cg_stmt_int(st, 0);
    u->username = cg_arena_strdup(a, cg_stmt_text(st, 1));
    u->display_name = cg_arena_strdup(a, cg_stmt_text(st, 2));
    u->role = cg_arena_strdup(a, cg_stmt_text(st, 3));
    u->status = cg_arena_strdup(a, cg_stmt_text(st, 4));
    u->created_at = cg_stmt_int(st, 5);
    u->updated_at = cg_stmt_int(st, 6);
    u->area.id = cg_stmt_int(st, 7);
    u->area.level = cg_arena_strdup(a, cg_stmt_text(st, 8));
    u->area.code = cg_arena_strdup(a, cg_stmt_text(st, 9));
    u->area.name = cg_arena_strdup(a, cg_stmt_text(st, 10));
    u->area.path = cg_arena_strdup(a, cg_stmt_text(st, 11));
    u->department = cg_arena_strdup(a, cg_stmt_text(st, 12));
}

static int has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

int cg_user_check_username(const char *username, struct cg_field_error *fe)
{
    size_t n = strlen(username);
    if (has_control(username))
        return cg_field_fail(fe, CG_EBADTYPE, "username", "username contains a control character");
    if (n < 2 || n > 64)
        return cg_field_fail(fe, CG_EBADTYPE, "username", "username must be 2 to 64 characters");
    for (const char *p = username; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '@'))
            return cg_field_fail(
                fe, CG_EBADTYPE, "username",
                "username may contain only letters, digits, '.', '_', '-' and '@'");
    return 0;
}

int cg_user_check_password(const char *password, const char *username, struct cg_field_error *fe)
{
    return cg_password_check(password, username, fe);
}

static int check_display_name(const char *name, struct cg_field_error *fe)
{
    if (!name[0] || strlen(name) > 100 || has_control(name))
        return cg_field_fail(fe, CG_EBADTYPE, "display_name",
                             "display name must be 1 to 100 bytes without control characters");
    return 0;
}

int cg__user_insert(cg_store *s, const char *username, const char *display_name, const char *role,
                    int64_t area_id, const char *password, int64_t *id)
{
    char hash[128];
    int rc = cg_password_hash(hash, sizeof hash, password);
    if (rc)
        return rc;
    int64_t now = cg_now();
    return cg_store_insert(
        s, id,
        "INSERT INTO users (username, display_name, role, area_id, password_hash,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "sssisii", username, display_name, role, area_id, hash, now, now);
}

/* Reads an account without checking scope: the callers check it. */
static int get_user(cg_store *s, const char *username, cg_arena *a, struct cg_user *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT " USER_COLUMNS USER_FROM " WHERE u.username = ?", "s",
                            username);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        read_user(st, a, out);
    }
    cg_stmt_reset(st);
    return rc;
}

static int validate_input(const struct cg_user_input *in, struct cg_field_error *fe)
{
    int rc = cg_user_check_username(in->username, fe);
    if (!rc && in->display_name)
        rc = check_display_name(in->display_name, fe);
    if (!rc && !cg_role_find(in->role)) {
        char names[256] = "";
        for (const struct cg_role *r = cg_roles; r->name; r++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     r == cg_roles ? "" : ", ", r->name);
        rc = cg_field_fail(fe, CG_EBADTYPE, "role", "unknown role '%s' (one of: %s)", in->role,
                           names);
    }
    if (!rc)
        rc = cg_user_check_password(in->password, in->username, fe);
    return rc;
}

struct user_insert {
    const struct cg_user_input *in;
    int64_t area_id, department_id;
    struct cg_field_error *fe;
};

static int write_user(cg_store *s, void *ctx)
{
    const struct user_insert *w = ctx;
    int64_t id = 0;
    int rc = cg__user_insert(s, w->in->username,
                             w->in->display_name ? w->in->display_name : w->in->username,
                             w->in->role, w->area_id, w->in->password, &id);
    if (rc == CG_EEXISTS)
        cg_field_fail(w->fe, rc, "username", "username '%s' is taken", w->in->username);
    if (!rc && w->department_id)
        rc = cg_store_run(s, NULL, "UPDATE users SET department_id = ? WHERE id = ?", "ii",
                          w->department_id, id);
    return rc;
}

/* The department an account belongs to: one whose area lies in the actor's
 * scope (the county's departments for a county's centre). */
static int find_department(cg_store *s, const struct cg_actor *actor, const char *code, cg_arena *a,
                           int64_t *id, struct cg_field_error *fe)
{
    cg_stmt *st = NULL;
    const char *path = NULL;
    int rc =
        cg_store_query(s, &st,
                       "SELECT d.id, a.path FROM departments d JOIN areas a ON a.id = d.area_id"
                       " WHERE d.code = ?",
                       "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        *id = cg_stmt_int(st, 0);
        path = cg_arena_strdup(a, cg_stmt_text(st, 1));
    }
    cg_stmt_reset(st);
    if (rc == CG_ENOTFOUND || (!rc && !cg_actor_in_scope(actor, path)))
        return cg_field_fail(fe, CG_EBADTYPE, "department",
                             "no department with code '%s' in your scope", code);
    return rc;
}

int cg_user_create(cg_store *s, const struct cg_actor *actor, const struct cg_user_input *in,
                   cg_arena *a, struct cg_user *out, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"user.create", "user", in->username, NULL, 0, NULL};
    struct cg_area area;
    int rc = cg_actor_can(actor, CG_PERM_USERS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = validate_input(in, fe);
    /* A scope that does not exist and one outside the actor's read the same. */
    if (!rc && ((rc = cg_area_get_by_code(s, in->scope, a, &area)) == CG_ENOTFOUND ||
                (!rc && !cg_actor_in_scope(actor, area.path))))
        rc = cg_field_fail(fe, CG_EBADTYPE, "scope", "no area with code '%s' in your scope",
                           in->scope);
    int64_t department_id = 0;
    if (!rc && in->department && *in->department)
        rc = find_department(s, actor, in->department, a, &department_id, fe);
    if (!rc) {
        rec.area_path = area.path;
        rec.detail = cg_arena_printf(a, "role=%s scope=%s", in->role, in->scope);
    }
    struct user_insert w = {in, rc ? 0 : area.id, department_id, fe};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_user, &w)))
        return rc;
    return get_user(s, in->username, a, out);
}

int cg_user_list(cg_store *s, const struct cg_actor *actor, const char *q, cg_arena *a,
                 struct cg_user **items, size_t *n, int *more)
{
    struct cg_audit_record rec = {"user.list", "user", NULL, actor ? actor->area_path : NULL, 0, q};
    *items = NULL;
    *n = 0;
    *more = 0;
    if (!cg_actor_can(actor, CG_PERM_USERS_READ)) {
        rec.outcome = CG_EFORBIDDEN;
        cg_audit_read(s, actor, &rec);
        return CG_EFORBIDDEN;
    }
    const char *pattern = q && *q ? cg_arena_printf(a, "%%%s%%", q) : NULL;
    cg_stmt *st = NULL;
    struct cg_scope sc;
    int rc = cg_scope_of(actor, a, &sc);
    if (!rc) /* one row past CG_USER_LIST_MAX says the list was cut */
        rc = cg_store_query(s, &st,
                            "SELECT " USER_COLUMNS USER_FROM " WHERE " CG_SCOPE_SQL(
                                "a.path") " AND (CAST(? AS TEXT) IS NULL OR u.username LIKE ?"
                                          " OR u.display_name LIKE ?) ORDER BY u.username LIMIT ?",
                            "sssssi", sc.from, sc.to, pattern, pattern, pattern,
                            (int64_t)CG_USER_LIST_MAX + 1);
    if (rc)
        return rc;
    size_t cap = 0, count = 0;
    struct cg_user *out = NULL;
    while ((rc = cg_stmt_step(st)) == CG_ROW && !(*more = count == CG_USER_LIST_MAX)) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        read_user(st, a, &out[count++]);
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    /* Accounts are personal data: the read itself is on the record. */
    if ((rc = cg_audit_read(s, actor, &rec)))
        return rc;
    *items = out;
    *n = count;
    return 0;
}

int cg_user_get(cg_store *s, const struct cg_actor *actor, const char *username, cg_arena *a,
                struct cg_user *out)
{
    struct cg_audit_record rec = {"user.read", "user", username, NULL, 0, NULL};
    int rc = 0;
    int self = actor && strcmp(actor->username, username) == 0;
    if (!self && !cg_actor_can(actor, CG_PERM_USERS_READ))
        rc = CG_EFORBIDDEN;
    if (!rc)
        rc = get_user(s, username, a, out);
    if (!rc && !self && !cg_actor_in_scope(actor, out->area.path))
        rc = CG_ENOTFOUND;
    if (!rc)
        rec.area_path = out->area.path;
    rec.outcome = rc;
    int arc = cg_audit_read(s, actor, &rec);
    return rc ? rc : arc;
}

/* Finds an account the actor may change: CG_EFORBIDDEN without the right,
 * CG_ENOTFOUND when absent or outside the scope. */
static int writable_user(cg_store *s, const struct cg_actor *actor, const char *username,
                         cg_arena *a, struct cg_user *out)
{
    if (!cg_actor_can(actor, CG_PERM_USERS_WRITE))
        return CG_EFORBIDDEN;
    int rc = get_user(s, username, a, out);
    if (!rc && !cg_actor_in_scope(actor, out->area.path))
        rc = CG_ENOTFOUND;
    return rc;
}

struct user_status {
    const struct cg_user *user;
    const char *status;
    int disable;
};

/* Disabling also ends the account's sessions; either way its failed
 * sign-ins are forgotten. */
static int write_user_status(cg_store *s, void *ctx)
{
    const struct user_status *w = ctx;
    int rc = cg_store_run(s, NULL, "UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
                          "sii", w->status, cg_now(), w->user->id);
    if (!rc)
        rc = cg__login_failures_clear(s, w->user->username);
    if (!rc && w->disable)
        rc = cg_store_run(
            s, NULL, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            "ii", cg_now(), w->user->id);
    return rc;
}

int cg_user_set_status(cg_store *s, const struct cg_actor *actor, const char *username,
                       const char *status, cg_arena *a, struct cg_user *out,
                       struct cg_field_error *fe)
{
    struct user_status w = {out, status, strcmp(status, "disabled") == 0};
    struct cg_audit_record rec = {
        w.disable ? "user.disable" : "user.enable", "user", username, NULL, 0, NULL};
    int rc = 0;
    if (!w.disable && strcmp(status, "active") != 0)
        rc = cg_field_fail(fe, CG_EBADTYPE, "status", "status must be 'active' or 'disabled'");
    if (!rc && !(rc = writable_user(s, actor, username, a, out)))
        rec.area_path = out->area.path;
    if (!rc && w.disable && out->id == actor->user_id)
        rc = cg_field_fail(fe, CG_ECONFLICT, "status", "you cannot disable your own account");
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_user_status, &w)))
        return rc;
    return get_user(s, username, a, out);
}

/* Checks the current password of the actor's own account. Wrong ones count
 * as failed sign-ins and a locked name is refused before the check, so that
 * a stolen session cannot be used to guess the password either. */
static int check_current(cg_store *s, const struct cg_user *u, const char *current,
                         struct cg_field_error *fe)
{
    int64_t retry = 0;
    int ok = 0;
    if (!current || !*current)
        return cg_field_fail(fe, CG_EMISSING, "current_password",
                             "current_password is needed to change your own password");
    int rc = cg__login_check_locked(s, u->username, &retry);
    if (rc == CG_ELOCKED)
        return cg_field_fail(fe, rc, "current_password",
                             "too many wrong passwords; try again in %lld seconds",
                             (long long)retry);
    cg_stmt *st = NULL;
    if (!rc)
        rc = cg_store_query(s, &st, "SELECT password_hash FROM users WHERE id = ?", "i", u->id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        ok = cg_password_verify(cg_stmt_text(st, 0), current);
    cg_stmt_reset(st);
    if (rc || ok)
        return rc;
    if ((rc = cg__login_failure(s, u->username)))
        return rc;
    return cg_field_fail(fe, CG_EBADCRED, "current_password",
                         "current_password is not the account's password");
}

int cg_user_set_password(cg_store *s, const struct cg_actor *actor, const char *username,
                         const char *current, const char *password, struct cg_field_error *fe)
{
    struct cg_audit_record rec = {"user.password", "user", username, NULL, 0, NULL};
    cg_arena *a = cg_arena_new();
    struct cg_user u;
    char hash[128];
    int self = actor && actor->user_id && strcmp(actor->username, username) == 0;
    int rc = a ? 0 : CG_ENOMEM;
    if (!rc && self)
        rc = get_user(s, username, a, &u);
    else if (!rc)
        rc = writable_user(s, actor, username, a, &u);
    if (rc)
        goto fail;
    rec.area_path = u.area.path;
    if (self && (rc = check_current(s, &u, current, fe)))
        goto fail;
    if ((rc = cg_user_check_password(password, username, fe)) ||
        (rc = cg_password_hash(hash, sizeof hash, password)))
        goto fail;
    if ((rc = cg_store_begin(s)))
        goto fail;
    rc = cg_store_run(s, NULL, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                      "sii", hash, cg_now(), u.id);
    if (!rc)
        rc = cg__login_failures_clear(s, username);
    if (!rc)
        rc = cg_store_run(
            s, NULL,
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
            " AND id <> ?",
            "iii", cg_now(), u.id, actor->session_id);
    if (!rc)
        rc = cg_audit_write(s, actor, NULL, &rec);
    if (rc) {
        cg_store_rollback(s);
        goto fail;
    }
    rc = cg_store_commit(s);
    if (rc)
        goto fail;
    cg_arena_free(a);
    return 0;
fail:
    rec.outcome = rc;
    cg_audit_commit(s, actor, NULL, &rec);
    cg_arena_free(a);
    return rc;
}
