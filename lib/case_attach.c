/* Photos of cases: the type comes from the bytes (never from a name or a
 * Content-Type a client claims), the file lives under the data directory,
 * and only users who may see the case get it back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_int.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/text.h"

const char *cg_case_sniff_image(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!p)
        return NULL;
    if (len >= 4 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "image/jpeg";
    if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (len >= 16 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBPVP8", 7))
        return "image/webp";
    return NULL;
}

/* mkdir -p for the two levels below dir that attachments use. */
static int make_dirs(const char *dir, int64_t case_id, char *out, size_t outsize)
{
    const char *parts[3] = {dir, "cases", NULL};
    char path[4096];
    snprintf(path, sizeof path, "%s", parts[0]);
    if (mkdir(path, 0700) && errno != EEXIST)
        return CG_EIO;
    snprintf(path, sizeof path, "%s/%s", dir, parts[1]);
    if (mkdir(path, 0700) && errno != EEXIST)
        return CG_EIO;
    int n = snprintf(out, outsize, "%s/cases/%lld", dir, (long long)case_id);
    if (n < 0 || (size_t)n >= outsize)
        return CG_EINVAL;
    if (mkdir(out, 0700) && errno != EEXIST)
        return CG_EIO;
    return 0;
}

/* Writes the file whole and durable before its row commits: a temporary
 * name, fsync, then rename, so that a reader never sees half a photo. */
static int write_file(const char *dir, int64_t case_id, int64_t id, const void *data, size_t len)
{
    char folder[4096], tmp[4200], final[4200];
    int rc = make_dirs(dir, case_id, folder, sizeof folder);
    if (rc)
        return rc;
    snprintf(tmp, sizeof tmp, "%s/%lld.tmp", folder, (long long)id);
    snprintf(final, sizeof final, "%s/%lld", folder, (long long)id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return CG_EIO;
    const char *p = data;
    size_t left = len;
    while (!rc && left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = CG_EIO;
        else {
            p += w;
            left -= (size_t)w;
        }
    }
    if (!rc && fsync(fd))
        rc = CG_EIO;
    if (close(fd) && !rc)
        rc = CG_EIO;
    if (!rc && rename(tmp, final))
        rc = CG_EIO;
    if (rc)
        unlink(tmp);
    return rc;
}

struct attach {
    const struct cg_actor *actor;
    const char *dir, *name, *type;
    int64_t case_id, id, now;
    const void *data;
    size_t len;
};

static int write_attach(cg_store *s, void *ctx)
{
    struct attach *w = ctx;
    int rc = cg_store_insert(s, &w->id,
                             "INSERT INTO case_attachments (case_id, name, content_type, size,"
                             " uploader, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             "issisi", w->case_id, w->name, w->type, (int64_t)w->len,
                             w->actor->username, w->now);
    if (!rc)
        rc = write_file(w->dir, w->case_id, w->id, w->data, w->len);
    return rc;
}

static void read_row(cg_stmt *st, cg_arena *a, struct cg_case_attachment *out)
{
    memset(out, 0, sizeof *out);
    out->id = cg_stmt_int(st, 0);
    out->case_id = cg_stmt_int(st, 1);
    out->event_id = cg_stmt_isnull(st, 2) ? 0 : cg_stmt_int(st, 2);
    out->name = cg_stmt_isnull(st, 3) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, 3));
    out->content_type = cg_arena_strdup(a, cg_stmt_text(st, 4));
    out->size = cg_stmt_int(st, 5);
    out->uploader = cg_arena_strdup(a, cg_stmt_text(st, 6));
    out->created_at = cg_stmt_int(st, 7);
}

static int read_attachment(cg_store *s, int64_t case_id, int64_t id, cg_arena *a,
                           struct cg_case_attachment *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT id, case_id, event_id, name, content_type, size, uploader,"
                            " created_at FROM case_attachments WHERE id = ? AND case_id = ?",
                            "ii", id, case_id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_row(st, a, out);
    cg_stmt_reset(st);
    return rc;
}

int cg_case_attachment_add(cg_store *s, const struct cg_actor *actor, const char *dir,
                           int64_t case_id, const void *data, size_t len, size_t max_bytes,
                           const char *name, cg_arena *a, struct cg_case_attachment *out,
                           struct cg_field_error *fe)
{
    struct cg_case c;
    struct attach w = {actor, dir, name, NULL, case_id, 0, cg_now(), data, len};
    struct cg_audit_record rec = {"case.attach",
                                  "case",
                                  cg_arena_printf(a, "%lld", (long long)case_id),
                                  actor ? actor->area_path : NULL,
                                  0,
                                  NULL};
    int rc = cg_actor_can(actor, CG_PERM_CASES_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg__case_get_visible(s, actor, case_id, a, &c);
    if (rc == CG_ENOTFOUND)
        return rc; /* an invisible case leaves no trace of a probe */
    if (!rc)
        rec.area_path = c.area.area_path;
    if (!rc && !strcmp(c.state, "closed"))
        rc = cg_field_fail(fe, CG_ECASE_STATE, "", "a closed case takes no more photos");
    if (!rc && (!dir || !*dir))
        rc = cg_field_fail(fe, CG_ECONFIG, "", "no data directory for attachments is set");
    if (!rc && (len > max_bytes || len > CG_CASE_ATTACHMENT_MAX))
        rc = cg_field_fail(fe, CG_ETOOBIG, "", "a photo is at most %zu bytes",
                           max_bytes < CG_CASE_ATTACHMENT_MAX ? max_bytes
                                                              : (size_t)CG_CASE_ATTACHMENT_MAX);
    if (!rc && !(w.type = cg_case_sniff_image(data, len)))
        rc = cg_field_fail(fe, CG_EBADIMAGE, "", "the file is not a JPEG, PNG or WebP image");
    if (!rc)
        rc = cg_text_check(name, "name", "a file name", 200, 0, a, &w.name, fe);
    if (!rc)
        rec.detail = cg_arena_printf(a, "%s %zu bytes", w.type, len);
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_attach, &w)))
        return rc;
    return read_attachment(s, case_id, w.id, a, out);
}

int cg_case_attachment_get(cg_store *s, const struct cg_actor *actor, const char *dir,
                           int64_t case_id, int64_t attachment_id, cg_arena *a,
                           struct cg_case_attachment *out, const char **path)
{
    struct cg_case c;
    int rc = cg__case_get_visible(s, actor, case_id, a, &c);
    if (!rc)
        rc = read_attachment(s, case_id, attachment_id, a, out);
    if (rc)
        return rc;
    if (!dir || !*dir)
        return CG_ECONFIG;
    *path =
        cg_arena_printf(a, "%s/cases/%lld/%lld", dir, (long long)case_id, (long long)attachment_id);
    struct cg_audit_record rec = {
        "case.attachment", "case", cg_arena_printf(a, "%lld", (long long)case_id),
        c.area.area_path,  0,      cg_arena_printf(a, "attachment %lld", (long long)attachment_id)};
    return *path ? cg_audit_read(s, actor, &rec) : CG_ENOMEM;
}
