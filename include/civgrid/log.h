/* Logging: one line per message on stderr, written with a single write() so
 * that lines from different threads never interleave. */
#ifndef CIVGRID_LOG_H
#define CIVGRID_LOG_H

enum cg_log_level { CG_LOG_DEBUG, CG_LOG_INFO, CG_LOG_WARN, CG_LOG_ERROR };

/* Messages below this level are dropped (default CG_LOG_INFO). */
void cg_log_set_level(enum cg_log_level level);

/* "2026-11-22T05:40:01Z info: message". */
void cg_log(enum cg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a preformatted line (a newline is added) as is, for the access log. */
void cg_log_line(const char *line, int len);

#endif
