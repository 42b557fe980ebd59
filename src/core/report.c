/* Progress and summary output (see report.h). */
#include "core/report.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sb.h"

/* A JSON string, escaped as Python's json.dumps(ensure_ascii=False) does */
static void json_str(struct sb *s, const char *str)
{
	sb_addc(s, '"');
	for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
		switch (*c) {
		case '"': sb_adds(s, "\\\""); break;
		case '\\': sb_adds(s, "\\\\"); break;
		case '\n': sb_adds(s, "\\n"); break;
		case '\r': sb_adds(s, "\\r"); break;
		case '\t': sb_adds(s, "\\t"); break;
		case '\b': sb_adds(s, "\\b"); break;
		case '\f': sb_adds(s, "\\f"); break;
		default:
			if (*c < 0x20)
				sb_addf(s, "\\u%04x", *c);
			else
				sb_addc(s, (char)*c);
		}
	}
	sb_addc(s, '"');
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool use_color, use_json;
static const char *inv_id = "";

void report_setup(bool color, bool json, const char *invocation_id)
{
	use_color = color && !json;
	use_json = json;
	inv_id = invocation_id ? invocation_id : "";
}

bool report_color_enabled(void)
{
	return use_color;
}

bool report_json(void)
{
	return use_json;
}

static bool be_quiet;

void report_set_quiet(bool quiet)
{
	be_quiet = quiet;
}

bool report_quiet(void)
{
	return be_quiet;
}

static void stamp(char *buf, size_t n, bool iso)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	if (iso) {
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	} else {
		localtime_r(&ts.tv_sec, &tm);
		snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
}

static bool errors_only;

void report_set_errors_only(bool on)
{
	errors_only = on;
}

/* What dbt's --quiet still prints: errors, and show's and compile's output for the user */
static bool shows_when_quiet(const char *event, const char *level)
{
	static const char *const kept[] = {"ShowNode", "CompiledNode", "MainEncounteredError",
					   "RunningOperationCaughtError", "RunResultError"};
	if (!strcmp(level, "error"))
		return true;
	for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		if (!strcmp(event, kept[i]))
			return true;
	return false;
}

static void emit(const char *event, const char *level, const char *plain, const char *colored)
{
	if (errors_only && !shows_when_quiet(event, level)) {
		log_msg(!strcmp(level, "warn") ? LOG_WARN : LOG_INFO, "%s", plain);
		return;
	}
	char *p = strdup(plain);
	char *c = colored ? strdup(colored) : NULL;
	if (!p)
		return;
	log_redact(p);
	if (c)
		log_redact(c);
	pthread_mutex_lock(&lock);
	if (use_json) {
		char ts[64];
		stamp(ts, sizeof(ts), true);
		struct sb s = SB_INIT;
		sb_adds(&s, "{\"info\": {\"name\": ");
		json_str(&s, event);
		sb_addf(&s, ", \"level\": \"%s\", \"msg\": ", level);
		json_str(&s, p);
		sb_addf(&s, ", \"ts\": \"%s\", \"invocation_id\": \"%s\", \"pid\": %ld, \"thread\": \"MainThread\"}, \"data\": {}}\n",
			ts, inv_id, (long)getpid());
		fwrite(s.buf, 1, s.len, stdout);
		sb_release(&s);
	} else {
		char ts[32];
		stamp(ts, sizeof(ts), false);
		printf("%s  %s\n", ts, use_color && c ? c : p);
	}
	fflush(stdout);
	pthread_mutex_unlock(&lock);
	log_msg(!strcmp(level, "error") ? LOG_ERROR : !strcmp(level, "warn") ? LOG_WARN : LOG_INFO, "%s", p);
	free(p);
	free(c);
}

void report_line(const char *event, const char *fmt, ...)
{
	struct sb s = SB_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	emit(event, "info", s.buf, NULL);
	sb_release(&s);
}

void report_status(const char *event, int index, int total, const char *what, const char *status,
		   enum report_color color, double secs)
{
	report_status_prefixed(event, "", index, total, what, status, color, secs);
}

void report_status_prefixed(const char *event, const char *prefix, int index, int total, const char *what,
			    const char *status, enum report_color color, double secs)
{
	static const char *codes[] = {"", "\033[32m", "\033[31m", "\033[33m"};
	struct sb left = SB_INIT, tail = SB_INIT, plain = SB_INIT, col = SB_INIT;
	sb_addf(&left, "%d of %d %s ", index, total, what);
	if (secs >= 0)
		sb_addf(&tail, "[%s in %.2fs]", status, secs);
	else
		sb_addf(&tail, "[%s]", status);
	/* the left part is padded with dots to 80 columns, then " [STATUS in Xs]", as dbt prints */
	size_t width = 80 + strlen(prefix);
	sb_adds(&plain, prefix);
	sb_add(&plain, left.buf, left.len);
	for (size_t i = plain.len; i < width; i++)
		sb_addc(&plain, '.');
	sb_add(&col, plain.buf, plain.len);
	sb_addc(&plain, ' ');
	sb_addc(&col, ' ');
	sb_add(&plain, tail.buf, tail.len);
	sb_addf(&col, "[%s%s\033[0m", codes[color], status);
	if (secs >= 0)
		sb_addf(&col, " in %.2fs]", secs);
	else
		sb_addc(&col, ']');
	emit(event, color == RC_RED ? "error" : "info", plain.buf, col.buf);
	sb_release(&left);
	sb_release(&tail);
	sb_release(&plain);
	sb_release(&col);
}

void report_error_text(const char *text)
{
	/* one timestamped line each, as dbt prints the errors of its summary */
	for (const char *s = text; *s;) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char *line = strndup(s, n);
		if (!line)
			return;
		emit(use_json ? "RunResultError" : "Formatting", "error", line, NULL);
		free(line);
		s += n + (e ? 1 : 0);
	}
}
