#include "static.h"

#include <fcntl.h>
#include <stdio.h>
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

int static_serve(struct http_req *r)
{
    if ((strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) || !safe_path(r->path) ||
        !r->cfg->web_root)
        return CG_ENOTFOUND;
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char *file = cg_arena_printf(r->arena, "%s%s", r->cfg->web_root, rel);
    int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return CG_ENOTFOUND;
    struct stat st;
    int rc = CG_ENOTFOUND;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (64 << 20)) {
        char *data = cg_arena_alloc(r->arena, (size_t)st.st_size + 1);
        if (data && read(fd, data, (size_t)st.st_size) == st.st_size) {
            rc = http_reply_bytes(r, 200, content_type(file), data, (size_t)st.st_size);
            r->route_slot = METRICS_SLOT_STATIC;
            /* index.html names the bundles, so it must never be cached stale. */
            http_add_header(r, "Cache-Control",
                            strcmp(rel, "/index.html") ? "public, max-age=300" : "no-cache");
            if (strstr(file, ".html"))
                http_add_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data: blob:; "
                                "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        }
    }
    close(fd);
    return rc;
}
