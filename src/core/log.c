#define _GNU_SOURCE
/* Fatal errors and the run log (see log.h). The log is shared by worker threads: one mutex. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static char **secrets;
static size_t nsecrets;

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sluice: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "sluice: BUG: %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int log_open(const char *path)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = path ? fopen(path, "a") : NULL;
	pthread_mutex_unlock(&log_lock);
	return path && !log_file ? -1 : 0;
}

void log_close(void)
{
	(void)log_open(NULL);
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	pthread_mutex_unlock(&log_lock);
}

void log_add_secret(const char *value)
{
	if (!value || strlen(value) < 3)
		return;
	pthread_mutex_lock(&log_lock);
	char **ns = realloc(secrets, (nsecrets + 1) * sizeof(*ns));
	if (ns) {
		secrets = ns;
		secrets[nsecrets] = strdup(value);
		if (secrets[nsecrets])
			nsecrets++;
	}
	pthread_mutex_unlock(&log_lock);
}

static void redact_locked(char *s)
{
	for (size_t i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);
		char *p;
		while ((p = strstr(s, secrets[i])) != NULL) {
			/* "*****" is never longer than a secret of 5+ chars; shorter ones keep their length */
			size_t r = n < 5 ? n : 5;
			memset(p, '*', r);
			memmove(p + r, p + n, strlen(p + n) + 1);
		}
	}
}

size_t log_redact_n(char *s, size_t len)
{
	pthread_mutex_lock(&log_lock);
	size_t n = nsecrets;
	if (n)
		redact_locked(s);
	pthread_mutex_unlock(&log_lock);
	/* with no secret registered the buffer is untouched: no need to measure it again */
	return n ? strlen(s) : len;
}

bool log_has_secrets(void)
{
	pthread_mutex_lock(&log_lock);
	bool any = nsecrets > 0;
	pthread_mutex_unlock(&log_lock);
	return any;
}

bool log_has_secret(const char *s, size_t n)
{
	pthread_mutex_lock(&log_lock);
	bool found = false;
	for (size_t i = 0; i < nsecrets && !found; i++)
		found = memmem(s, n, secrets[i], strlen(secrets[i])) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

void log_redact(char *s)
{
	pthread_mutex_lock(&log_lock);
	redact_locked(s);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (log_file) {
		redact_locked(line);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(log_file, "%02d:%02d:%02d.%06ld [%s] %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
			ts.tv_nsec / 1000, names[lvl], line);
		fflush(log_file);
	}
	pthread_mutex_unlock(&log_lock);
}
