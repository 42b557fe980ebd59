/*
 * Fatal errors, programmer errors and the run log.
 *  - die(): unrecoverable condition (out of memory); prints and exits 2.
 *  - BUG()/ASSERT(): broken invariants; always on; print file:line and abort.
 *  - log_*: lines for logs/sluice.log (and, in JSON mode, stdout); thread-safe.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_LOG_H
#define SLUICE_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void bug_fl(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
#define ASSERT(x) ((x) ? (void)0 : bug_fl(__FILE__, __LINE__, "assertion failed: %s", #x))

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Opens (appends to) the log file; NULL path closes it. Returns 0 or -1. */
int log_open(const char *path);
void log_close(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers a secret value that must never appear in the log: log lines have it replaced. */
void log_add_secret(const char *value);
/* Replaces every registered secret in s (in place, same or shorter length) */
void log_redact(char *s);
/* The same on a buffer of known length; returns the new length (<= len) */
size_t log_redact_n(char *s, size_t len);
/* Whether s[0..n) holds a registered secret (what must not be kept where redaction cannot reach) */
bool log_has_secret(const char *s, size_t n);
bool log_has_secrets(void);

#endif
