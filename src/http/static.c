#include "static.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "metrics.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

/* A file of the web root chosen for one request: the plain file or its
 * gzip-compressed twin (the build writes NAME.gz beside NAME). */
struct variant {
    int fd;
    struct stat st;
    int gzip;
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Refuses paths that could leave the web root or name hidden files. */
static int safe_path(const char *path)
{
    return path[0] == '/' && !strstr(path, "/.") && !strchr(path, '\\') &&
           strncmp(path, "/api/", 5) != 0;
}

/* Opens a regular file small enough to serve; -1 otherwise. */
static int open_regular(const char *file, struct stat *st)
{
    int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0 && (fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_size >= (64 << 20))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Whether Accept-Encoding names gzip without refusing it with q=0. */
static int accepts_gzip(struct http_req *r)
{
    const char *ae = http_header(r, "Accept-Encoding");
    const char *p = ae ? strstr(ae, "gzip") : NULL;
    if (!p)
        return 0;
    p += 4;
    while (*p == ' ')
        p++;
    if (*p != ';')
        return 1;
    const char *q = strstr(p, "q=");
    const char *comma = strchr(p, ',');
    return !q || (comma && q > comma) || strtod(q + 2, NULL) > 0;
}

static int same_time_or_newer(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec);
}

/* Picks the compressed twin when the client takes gzip and the twin is at
 * least as new as the file (a stale twin from an older build is ignored). */
static int open_variant(struct http_req *r, const char *file, struct variant *v)
{
    v->gzip = 0;
    if ((v->fd = open_regular(file, &v->st)) < 0)
        return CG_ENOTFOUND;
    if (!accepts_gzip(r))
        return 0;
    struct stat gst;
    int gfd = open_regular(cg_arena_printf(r->arena, "%s.gz", file), &gst);
    if (gfd < 0)
        return 0;
    if (!same_time_or_newer(&gst, &v->st)) {
        close(gfd);
        return 0;
    }
    close(v->fd);
    v->fd = gfd;
    v->st = gst;
    v->gzip = 1;
    return 0;
}

/* index.html names the bundles, so it is asked again every time (cheaply,
 * with its ETag); a bundle asked with ?v=<content hash> never changes under
 * that name, nor does a chunk (the build names every file under /chunks/ by
 * its content, web/build.mjs); anything else may be kept for an hour. */
static const char *cache_control(struct http_req *r, const char *rel)
{
    if (strcmp(rel, "/index.html") == 0)
        return "no-cache";
    if (http_query(r, "v") || strncmp(rel, "/chunks/", 8) == 0)
        return "public, max-age=31536000, immutable";
    return "public, max-age=3600";
}

/* Whether an If-None-Match header lists this ETag (or is "*"). */
static int etag_matches(struct http_req *r, const char *etag)
{
    const char *inm = http_header(r, "If-None-Match");
    return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag));
}

static void add_headers(struct http_req *r, const char *rel, const char *etag, int gzip)
{
    http_add_header(r, "Cache-Control", cache_control(r, rel));
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Vary", "Accept-Encoding");
    if (gzip)
        http_add_header(r, "Content-Encoding", "gzip");
    if (strstr(rel, ".html"))
        http_add_header(r, "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data: blob:; "
                        "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
}

static int reply_file(struct http_req *r, const char *file, const struct variant *v)
{
    char *data = cg_arena_alloc(r->arena, (size_t)v->st.st_size + 1);
    if (!data || read(v->fd, data, (size_t)v->st.st_size) != v->st.st_size)
        return CG_ENOTFOUND;
    return http_reply_bytes(r, 200, content_type(file), data, (size_t)v->st.st_size);
}

int static_serve(struct http_req *r)
{
    if ((strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) || !safe_path(r->path) ||
        !r->cfg->web_root)
        return CG_ENOTFOUND;
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char *file = cg_arena_printf(r->arena, "%s%s", r->cfg->web_root, rel);
    struct variant v;
    int rc = open_variant(r, file, &v);
    if (rc)
        return rc;
    /* The compressed and the plain bytes are two representations: each has
     * its own tag, so a cache never answers one with the other. */
    char *etag = cg_arena_printf(r->arena, "\"%llx-%llx%s\"", (unsigned long long)v.st.st_size,
                                 (unsigned long long)v.st.st_mtim.tv_sec * 1000000000ull +
                                     (unsigned long long)v.st.st_mtim.tv_nsec,
                                 v.gzip ? "-gz" : "");
    if (!etag) {
        rc = CG_ENOMEM;
        goto out;
    }
    if (etag_matches(r, etag))
        rc = http_reply_empty(r, 304);
    else
        rc = reply_file(r, file, &v);
    if (rc == 0) {
        r->route_slot = METRICS_SLOT_STATIC;
        add_headers(r, rel, etag, v.gzip);
    }
out:
    close(v.fd);
    return rc;
}
