/* The server lock (serverlock.h): flock on a file beside the database. */
#include "civgrid/serverlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "civgrid/log.h"
#include "civgrid/writer.h"

/* A file removed and made again between our open and our flock would leave
 * us holding the lock of a file nobody else sees; after so many such races
 * something is wrong. */
#define TRIES 8

struct cg_serverlock {
    char *path;
    int fd;
};

static int fail(char **errmsg_out, int rc, const char *fmt, ...)
{
    if (errmsg_out) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(errmsg_out, fmt, ap) < 0)
            *errmsg_out = NULL;
        va_end(ap);
    }
    return rc;
}

/* The process id the holder wrote into the file, or 0. */
static long holder(int fd)
{
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? strtol(buf, NULL, 10) : 0;
}

/* Writes our process id into the lock file, for the message a second
 * server prints. */
static int write_pid(int fd)
{
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    return ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n;
}

/* Whether fd is still the file at path: release() removes the file while it
 * holds the lock, so a lock taken on a removed file is worth nothing. */
static int still_there(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Opens and locks path; 0 with *fd_out, or an error with the message. */
static int lock_file(const char *path, const char *db, int *fd_out, char **errmsg_out)
{
    for (int i = 0; i < TRIES; i++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return fail(errmsg_out, CG_EIO, "cannot create the lock file %s: %s", path,
                        strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int err = errno;
            long pid = err == EWOULDBLOCK ? holder(fd) : 0;
            close(fd);
            if (err != EWOULDBLOCK)
                return fail(errmsg_out, CG_EIO, "cannot lock %s: %s", path, strerror(err));
            return fail(errmsg_out, CG_EBUSY,
                        "another civgrid server (process %ld) already serves the database %s"
                        " (it holds %s); one server per SQLite file: stop it first, or use"
                        " PostgreSQL for several servers",
                        pid, db, path);
        }
        if (still_there(fd, path)) {
            *fd_out = fd;
            return 0;
        }
        close(fd);
    }
    return fail(errmsg_out, CG_EIO, "cannot lock %s: it keeps being removed", path);
}

int cg_serverlock_acquire(const char *url, cg_serverlock **out, char **errmsg_out)
{
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = NULL;
    char *path = NULL;
    int rc = cg_writer_side_file(url, "-serve.lock", &path);
    if (rc || !path)
        return rc;
    cg_serverlock *l = calloc(1, sizeof *l);
    int fd = -1;
    if (!l)
        rc = CG_ENOMEM;
    const char *db = strncmp(url, "sqlite:", 7) ? url : url + 7;
    if (!rc)
        rc = lock_file(path, db, &fd, errmsg_out);
    if (rc) {
        free(path);
        free(l);
        return rc;
    }
    if (write_pid(fd)) /* the lock holds without it; only the message lacks the number */
        cg_log(CG_LOG_WARN, "cannot write the process id into %s: %s", path, strerror(errno));
    l->path = path;
    l->fd = fd;
    *out = l;
    return 0;
}

void cg_serverlock_release(cg_serverlock *l)
{
    if (!l)
        return;
    /* Removed while still locked: a process that opened it a moment ago
     * finds its lock on a removed file and tries again (still_there). */
    unlink(l->path);
    close(l->fd);
    free(l->path);
    free(l);
}
