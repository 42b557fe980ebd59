/*
 * Errors of the Flink client: the code table, struct flink_error, and the reading of the
 * gateway's error bodies (REST reference §7).
 *
 * DESIGN
 * The gateway answers failures with {"errors":[...]}: one element holding a Java stack trace for
 * the errors its handlers catch, or "Internal server error." plus "<Exception on server side:
 * ...End of exception on server side>" for the rest, and "Not found: <uri>" for a 404. Users need
 * one line, so the trace is reduced to its root cause: the innermost "Caused by:" exception,
 * widened outwards while the enclosing exception only restates it with more context (Flink's
 * "SQL validation failed. <Calcite's text>" or "SQL parse failed. <parser's text>" read better
 * than the bare Calcite exception they wrap). The whole text stays in server_trace.
 */
#include "flink/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *flink_strerror(flink_code code)
{
	switch (code) {
	case FLINK_OK: return "no error";
	case FLINK_E_ARG: return "bad argument";
	case FLINK_E_CONNECT: return "could not reach the gateway";
	case FLINK_E_TIMEOUT: return "timed out";
	case FLINK_E_HTTP: return "unexpected http status";
	case FLINK_E_GATEWAY: return "the gateway reported an error";
	case FLINK_E_SESSION_GONE: return "the session does not exist any more";
	case FLINK_E_PROTOCOL: return "the gateway's answer does not follow the protocol";
	case FLINK_E_VERSION: return "no usable api version";
	case FLINK_E_CANCELED: return "the operation was canceled";
	case FLINK_E_INTERRUPTED: return "interrupted";
	case FLINK_E_NOMEM: return "out of memory";
	case FLINK_E_NOT_FOUND: return "no such statement";
	case FLINK_E_CONFLICT: return "the name is in use or the resource is changing";
	case FLINK_E_POOL_EXHAUSTED: return "the compute pool has no capacity left";
	case FLINK_E_STATEMENT: return "the statement failed";
	}
	return "unknown error";
}

void flink_error_init(struct flink_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void flink_error_release(struct flink_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->root_cause);
	free(err->server_trace);
	free(err->statement);
	free(err->request);
	flink_error_init(err);
}

void fl_err_set(struct flink_error *err, flink_code code, long http_status, const char *fmt, ...)
{
	if (!err)
		return;
	flink_error_release(err);
	err->code = code;
	err->http_status = http_status;
	struct fl_buf b = FL_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		char *s = fl_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
		fl_buf_add(&b, s, (size_t)n);
		free(s);
	}
	err->message = fl_buf_detach(&b);
}

void fl_err_set_request(struct flink_error *err, const char *method, const char *path)
{
	if (!err)
		return;
	free(err->request);
	struct fl_buf b = FL_BUF_INIT;
	fl_buf_addf(&b, "%s %s", method, path);
	err->request = fl_buf_detach(&b);
}

void fl_err_set_statement(struct flink_error *err, const char *statement)
{
	if (!err || !statement)
		return;
	free(err->statement);
	err->statement = fl_xstrdup(statement);
}

void fl_err_move(struct flink_error *dst, struct flink_error *src)
{
	if (!dst) {
		flink_error_release(src);
		return;
	}
	flink_error_release(dst);
	*dst = *src;
	flink_error_init(src);
}

/* ---------------------------------------------------------------- stack traces */

struct exc {
	const char *line;   /* "org.x.FooException: message" (not NUL-terminated) */
	size_t len;
	size_t cls_len;     /* "org.x.FooException" */
};

/* qualified Java class name ("a.b.C", "a.b.C$D") followed by ": " or the end of the line */
static size_t class_name_len(const char *s, size_t n)
{
	size_t i = 0, dots = 0, seg = 0;
	while (i < n) {
		char c = s[i];
		if (isalnum((unsigned char)c) || c == '_' || c == '$') {
			if (seg == 0 && isdigit((unsigned char)c))
				return 0;
			seg++;
		} else if (c == '.') {
			if (!seg)
				return 0;
			dots++;
			seg = 0;
		} else {
			break;
		}
		i++;
	}
	if (!dots || !seg)
		return 0;
	if (i < n && !(s[i] == ':' && (i + 1 == n || s[i + 1] == ' ')))
		return 0;
	return i;
}

static bool contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
	if (!nn || nn > hn)
		return false;
	for (size_t i = 0; i + nn <= hn; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
			return true;
	return false;
}

static const char *exc_msg(const struct exc *e, size_t *plen)
{
	size_t off = e->cls_len;
	if (off < e->len && e->line[off] == ':')
		off++;
	while (off < e->len && e->line[off] == ' ')
		off++;
	*plen = e->len - off;
	return e->line + off;
}

/* A line that ends an exception's message: a stack frame, "... N more", the next cause, or the
 * end of the server's framing */
static bool is_trace_line(const char *l)
{
	if (*l == '\t')
		return true; /* frames, "... N more", elisions */
	while (*l == ' ')
		l++;
	return !strncmp(l, "at ", 3) || !strncmp(l, "... ", 4) || !strncmp(l, "Caused by: ", 11) ||
	       !strncmp(l, "Suppressed: ", 12) || !strncmp(l, "End of exception on server side", 31);
}

/* The root cause of a Java stack trace text, malloc'ed, or NULL when none names an exception */
static char *fl_trace_root_cause(const char *trace)
{
	if (!trace)
		return NULL;
	struct exc *excs = NULL;
	size_t n = 0, cap = 0;
	bool first = true;
	for (const char *p = trace; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *l = p;
		size_t ll = len;
		while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' '))
			ll--;
		bool cause = ll > 11 && memcmp(l, "Caused by: ", 11) == 0;
		if (cause) {
			l += 11;
			ll -= 11;
		}
		/* the first line naming an exception opens the chain, every "Caused by:" extends it */
		if (cause || (first && !(ll && (l[0] == '\t' || l[0] == ' ')))) {
			size_t cl = class_name_len(l, ll);
			if (cl) {
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					excs = fl_xrealloc(excs, cap * sizeof(*excs));
				}
				/* Flink's messages go on over several lines ("Unsupported options:\n\nfoo"):
				 * they end where the stack frames start */
				const char *q = eol ? eol + 1 : p + len;
				while (*q && !is_trace_line(q)) {
					const char *e2 = strchr(q, '\n');
					q = e2 ? e2 + 1 : q + strlen(q);
				}
				size_t full = (size_t)(q - l);
				while (full > ll && (l[full - 1] == '\n' || l[full - 1] == '\r' || l[full - 1] == ' '))
					full--;
				excs[n++] = (struct exc){l, full, cl};
				first = false;
				p = q;
				continue;
			}
		}
		p = eol ? eol + 1 : p + len;
	}
	if (!n) {
		free(excs);
		return NULL;
	}
	size_t i = n - 1;
	while (i > 0) {
		size_t inner_n, outer_n;
		const char *inner = exc_msg(&excs[i], &inner_n);
		const char *outer = exc_msg(&excs[i - 1], &outer_n);
		/* a wrapper made from the cause's toString() names the cause's class: no gain */
		if (!contains(outer, outer_n, inner, inner_n) ||
		    contains(outer, outer_n, excs[i].line, excs[i].cls_len))
			break;
		i--;
	}
	char *out = fl_xstrndup(excs[i].line, excs[i].len);
	free(excs);
	return out;
}

/* ---------------------------------------------------------------- error bodies */

static char *first_line(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	size_t n = strcspn(s, "\r\n");
	while (n && s[n - 1] == ' ')
		n--;
	return fl_xstrndup(s, n);
}

/* "Session '<uuid>' does not exist." anywhere in the text */
static bool says_session_gone(const char *t)
{
	static const char tail[] = "' does not exist.";
	for (const char *p = strstr(t, "Session '"); p; p = strstr(p + 1, "Session '")) {
		const char *q = p + 9;
		size_t n = strcspn(q, "'\n");
		if (n && n <= 128 && strncmp(q + n, tail, sizeof(tail) - 1) == 0)
			return true;
	}
	return false;
}

int fl_error_body_parse(const char *body, size_t len, struct fl_error_body *eb)
{
	memset(eb, 0, sizeof(*eb));
	json_t *root = fl_json_load(body, len, NULL, 0);
	json_t *errors = json_object_get(root, "errors");
	if (!json_is_array(errors) || json_array_size(errors) == 0) {
		json_decref(root);
		return -1;
	}
	struct fl_buf trace = FL_BUF_INIT;
	for (size_t i = 0; i < json_array_size(errors); i++) {
		json_t *e = json_array_get(errors, i);
		size_t n;
		const char *s = fl_json_string(e, &n);
		struct fl_buf tmp = FL_BUF_INIT;
		if (!s) {
			fl_json_compact(&tmp, e);
			s = fl_buf_str(&tmp);
			n = tmp.len;
		}
		if (i)
			fl_buf_addc(&trace, '\n');
		fl_buf_add(&trace, s, n);
		fl_buf_release(&tmp);
	}
	json_decref(root);
	eb->trace = fl_buf_detach(&trace);

	/* the text that explains: past the "Internal server error." line and the framing */
	const char *t = eb->trace;
	if (strncmp(t, "Internal server error.\n", 23) == 0 && t[23])
		t += 23;
	if (strncmp(t, "<Exception on server side:", 26) == 0) {
		t += 26;
		while (*t == '\n' || *t == '\r')
			t++;
	}
	eb->root_cause = fl_trace_root_cause(t);
	eb->session_gone = says_session_gone(t);
	if (eb->root_cause) {
		struct exc e = {eb->root_cause, strlen(eb->root_cause),
				class_name_len(eb->root_cause, strlen(eb->root_cause))};
		size_t mn;
		const char *m = exc_msg(&e, &mn);
		/* the message is the first line; root_cause keeps the rest (lists of options, tokens) */
		for (size_t k = 0; k < mn; k++)
			if (m[k] == '\n' || m[k] == '\r') {
				mn = k;
				break;
			}
		eb->message = mn ? fl_xstrndup(m, mn) : fl_xstrdup(eb->root_cause);
	} else {
		eb->message = first_line(t);
		if (!*eb->message) {
			free(eb->message);
			eb->message = first_line(eb->trace);
		}
	}
	return 0;
}

void fl_error_body_release(struct fl_error_body *eb)
{
	free(eb->message);
	free(eb->root_cause);
	free(eb->trace);
	memset(eb, 0, sizeof(*eb));
}
