#include "civgrid/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum cg_log_level min_level = CG_LOG_INFO;

void cg_log_set_level(enum cg_log_level level)
{
    min_level = level;
}

static const char *level_name(enum cg_log_level level)
{
    switch (level) {
    case CG_LOG_DEBUG:
        return "debug";
    case CG_LOG_INFO:
        return "info";
    case CG_LOG_WARN:
        return "warning";
    default:
        return "error";
    }
}

void cg_log_line(const char *line, int len)
{
    char buf[4096];
    if (len < 0)
        len = 0;
    if (len > (int)sizeof buf - 1)
        len = (int)sizeof buf - 1;
    for (int i = 0; i < len; i++)
        buf[i] = line[i];
    buf[len] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, (size_t)len + 1);
    (void)ignored;
}

void cg_log(enum cg_log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[2048];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s: ", level_name(level));
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += m;
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    cg_log_line(line, n);
}
