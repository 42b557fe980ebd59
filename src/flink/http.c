/*
 * One HTTP exchange with the SQL Gateway: libcurl with a connect and a request timeout, the
 * caller's overall deadline and interrupt flag, retries with exponential backoff, the request log
 * line, and the turning of any non-200 answer into a flink_error.
 *
 * DESIGN
 * Each request is one easy handle run on a multi handle: the session's own (sessions are used by
 * one thread at a time, so its connections are kept alive for it alone), the heartbeat thread's,
 * or a throwaway one for the client-wide requests that any thread may make (versions, info,
 * opening a session). libcurl does not support one connection cache shared by concurrent
 * threads, so only DNS and TLS sessions sit in the client's curl share (locked by share_locks).
 * Driving the multi handle ourselves, with polls of at most 50 ms, lets the caller's interrupt
 * flag and the stop flag of a closing session end a request at once; libcurl's progress
 * callback would only be asked about once a second while a slow gateway says nothing.
 *
 * Which failures may be repeated depends on the request:
 *  - FL_RETRY_SAFE (GET, heartbeat, close) repeats after any transport failure (refused, reset,
 *    dropped before an answer) and after HTTP 502/503/504;
 *  - FL_RETRY_CONNECT_ONLY (submitting a statement, opening a session, configure, cancel) repeats
 *    only when no connection could be made at all, so the gateway never saw the request. Such
 *    requests also take a fresh connection: libcurl silently resends a request whose reused
 *    connection turns out dead, and that resend could run a statement twice.
 * A timeout is not repeated: the gateway may still be working on the request. Waits between
 * attempts double from retry_backoff_ms up to 5 s and end early on the interrupt flag, the stop
 * flag or the deadline.
 * Log lines carry the method, the path, the status and the time only; the Authorization header
 * and custom header values never reach a line or a message (fl_redact scrubs them as well).
 */
#include "flink/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FL_MAX_BODY ((size_t)1 << 30)
#define FL_MAX_BACKOFF_MS 5000

struct xfer {
	struct fl_buf *body;
	bool too_big;
};

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t bytes = size * n;
	if (x->body->len + bytes > FL_MAX_BODY) {
		x->too_big = true;
		return 0;
	}
	fl_buf_add(x->body, data, bytes);
	return bytes;
}

static bool stopped(const struct fl_request *rq)
{
	return (rq->interrupt && *rq->interrupt) || (rq->stop && atomic_load(rq->stop));
}

void fl_response_release(struct fl_response *rs)
{
	fl_buf_release(&rs->body);
	rs->status = 0;
}

void fl_redact(const flink_client *c, char *s)
{
	if (!s || !c)
		return;
	for (size_t i = 0; i < c->nsecrets; i++) {
		const char *sec = c->secrets[i];
		size_t n = strlen(sec);
		if (n < 3)
			continue;
		for (char *p = strstr(s, sec); p; p = strstr(p + n, sec))
			memset(p, '*', n);
	}
}

static void FL_PRINTF(3, 4) fl_log(const flink_client *c, int level, const char *fmt, ...)
{
	if (!c->log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fl_redact(c, line);
	c->log(c->log_ud, level, line);
}

static bool connect_failure(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
	       cc == CURLE_COULDNT_RESOLVE_PROXY;
}

bool fl_http_retryable(enum fl_retry retry, CURLcode cc, long status)
{
	if (retry == FL_RETRY_NEVER)
		return false;
	if (cc == CURLE_OK)
		return (retry == FL_RETRY_SAFE && (status == 502 || status == 503 || status == 504)) ||
		       (retry == FL_RETRY_IDEMPOTENT && (status == 429 || (status >= 500 && status <= 504 && status != 501)));
	if (connect_failure(cc))
		return true;
	if (retry != FL_RETRY_SAFE && retry != FL_RETRY_IDEMPOTENT)
		return false;
	switch (cc) {
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

/* One attempt. *paborted tells that the interrupt or stop flag ended it. */
static CURLcode perform(flink_client *c, const struct fl_request *rq, long timeout_ms,
			struct fl_response *rs, struct xfer *x, char *errbuf, bool *paborted)
{
	*paborted = false;
	CURL *h = curl_easy_init();
	CURLM *mh = rq->multi ? rq->multi : curl_multi_init();
	if (!h || !mh) {
		fprintf(stderr, "libsluice-flink: out of memory\n");
		abort();
	}
	struct fl_buf url = FL_BUF_INIT;
	fl_buf_adds(&url, c->base);
	fl_buf_adds(&url, rq->path);
	curl_easy_setopt(h, CURLOPT_URL, url.p);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent ? c->user_agent : "libsluice-flink/" SLUICE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, rq->json_patch ? c->hdrs_patch : rq->body ? c->hdrs_json : c->hdrs_plain);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (rq->retry == FL_RETRY_CONNECT_ONLY || rq->retry == FL_RETRY_NEVER)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(rq->method, "POST") == 0 || (rq->body && strcmp(rq->method, "GET") != 0)) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(rq->body ? strlen(rq->body) : 0));
		if (strcmp(rq->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	} else if (strcmp(rq->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	if (c->username) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}

	CURLcode cc = CURLE_FAILED_INIT;
	bool done = false;
	if (curl_multi_add_handle(mh, h) == CURLM_OK) {
		int running = 1;
		for (;;) {
			if (curl_multi_perform(mh, &running) != CURLM_OK)
				break;
			CURLMsg *msg;
			int left;
			while ((msg = curl_multi_info_read(mh, &left)))
				if (msg->msg == CURLMSG_DONE && msg->easy_handle == h) {
					cc = msg->data.result;
					done = true;
				}
			if (done || !running)
				break;
			if (stopped(rq)) {
				*paborted = true;
				cc = CURLE_ABORTED_BY_CALLBACK;
				break;
			}
			if (curl_multi_poll(mh, NULL, 0, 50, NULL) != CURLM_OK)
				break;
		}
		curl_multi_remove_handle(mh, h);
	}
	rs->status = 0;
	if (done && cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_easy_cleanup(h);
	if (!rq->multi)
		curl_multi_cleanup(mh);
	fl_buf_release(&url);
	return cc;
}

/* Fills err from a non-200 answer */
static flink_code answer_error(flink_client *c, const struct fl_request *rq,
			       const struct fl_response *rs, struct flink_error *err)
{
	struct fl_error_body eb;
	if (fl_error_body_parse(fl_buf_str(&rs->body), rs->body.len, &eb) == 0) {
		flink_code code = eb.session_gone ? FLINK_E_SESSION_GONE : FLINK_E_GATEWAY;
		fl_err_set(err, code, rs->status, "%s", eb.message);
		if (err) {
			err->root_cause = eb.root_cause;
			err->server_trace = eb.trace;
			eb.root_cause = eb.trace = NULL;
			fl_redact(c, err->message);
			fl_redact(c, err->root_cause);
			fl_redact(c, err->server_trace);
		}
		fl_error_body_release(&eb);
		return code;
	}
	fl_err_set(err, FLINK_E_HTTP, rs->status, "gateway answered http %ld to '%s %s'",
		   rs->status, rq->method, rq->path);
	return FLINK_E_HTTP;
}

flink_code fl_http(flink_client *c, const struct fl_request *rq, struct fl_response *rs,
		   struct flink_error *err)
{
	long wait = c->retry_backoff_ms > 0 ? c->retry_backoff_ms : 0;
	flink_code code = FLINK_OK;
	rs->status = 0;
	rs->body = (struct fl_buf)FL_BUF_INIT;
	for (int attempt = 0;; attempt++) {
		long timeout = c->request_timeout_ms;
		if (rq->deadline) {
			long long left = rq->deadline - fl_now_ms();
			if (left <= 0) {
				fl_err_set(err, FLINK_E_TIMEOUT, 0, "ran out of time before '%s %s'",
					   rq->method, rq->path);
				code = FLINK_E_TIMEOUT;
				break;
			}
			if (timeout <= 0 || left < timeout)
				timeout = (long)left;
		}
		char errbuf[CURL_ERROR_SIZE] = "";
		struct xfer x = {&rs->body, false};
		bool aborted;
		fl_buf_release(&rs->body);
		long long t0 = fl_now_ms();
		CURLcode cc = perform(c, rq, timeout, rs, &x, errbuf, &aborted);
		long long dt = fl_now_ms() - t0;

		bool again = !aborted && attempt < c->max_retries &&
			     fl_http_retryable(rq->retry, cc, rs->status);
		if (cc == CURLE_OK) {
			/* the gateway answers 200; Confluent Cloud also 201 and 202 */
			if (rs->status >= 200 && rs->status < 300) {
				fl_log(c, 0, "%s %s -> %ld in %lld ms", rq->method, rq->path, rs->status, dt);
				return FLINK_OK;
			}
			if (!again) {
				fl_log(c, 1, "%s %s -> %ld in %lld ms", rq->method, rq->path, rs->status,
				       dt);
				code = answer_error(c, rq, rs, err);
				break;
			}
			fl_log(c, 2, "%s %s -> %ld in %lld ms, retrying in %ld ms", rq->method,
			       rq->path, rs->status, dt, wait);
		} else {
			if (!again) {
				fl_log(c, 1, "%s %s -> failed in %lld ms", rq->method, rq->path, dt);
				const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
				if (aborted && rq->interrupt && *rq->interrupt) {
					fl_err_set(err, FLINK_E_INTERRUPTED, 0, "interrupted during '%s %s'",
						   rq->method, rq->path);
					code = FLINK_E_INTERRUPTED;
				} else if (aborted) {
					fl_err_set(err, FLINK_E_CANCELED, 0, "'%s %s' stopped: the session is closing",
						   rq->method, rq->path);
					code = FLINK_E_CANCELED;
				} else if (cc == CURLE_OPERATION_TIMEDOUT) {
					fl_err_set(err, FLINK_E_TIMEOUT, 0, "'%s %s' timed out after %lld ms",
						   rq->method, rq->path, dt);
					code = FLINK_E_TIMEOUT;
				} else if (cc == CURLE_WRITE_ERROR && x.too_big) {
					fl_err_set(err, FLINK_E_PROTOCOL, 0, "answer to '%s %s' is too large",
						   rq->method, rq->path);
					code = FLINK_E_PROTOCOL;
				} else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
					fl_err_set(err, FLINK_E_ARG, 0, "bad gateway url '%s': %s", c->base, why);
					code = FLINK_E_ARG;
				} else {
					fl_err_set(err, FLINK_E_CONNECT, 0, "cannot reach the gateway for '%s %s': %s",
						   rq->method, rq->path, why);
					code = FLINK_E_CONNECT;
				}
				if (err)
					fl_redact(c, err->message);
				break;
			}
			fl_log(c, 2, "%s %s -> failed in %lld ms, retrying in %ld ms", rq->method,
			       rq->path, dt, wait);
		}
		/* the wait must not outlast the deadline */
		long pause = wait;
		if (rq->deadline) {
			long long left = rq->deadline - fl_now_ms();
			if (left < pause) {
				fl_err_set(err, FLINK_E_TIMEOUT, rs->status,
					   "ran out of time retrying '%s %s'", rq->method, rq->path);
				code = FLINK_E_TIMEOUT;
				break;
			}
		}
		if (fl_sleep_ms(pause, rq->interrupt, rq->stop)) {
			bool intr = rq->interrupt && *rq->interrupt;
			code = intr ? FLINK_E_INTERRUPTED : FLINK_E_CANCELED;
			fl_err_set(err, code, 0, intr ? "interrupted while retrying '%s %s'"
						      : "'%s %s' stopped: the session is closing",
				   rq->method, rq->path);
			break;
		}
		wait = wait * 2 > FL_MAX_BACKOFF_MS ? FL_MAX_BACKOFF_MS : wait * 2;
	}
	fl_err_set_request(err, rq->method, rq->path);
	return code;
}

json_t *fl_parse_object(const struct fl_response *rs, const char *method, const char *path,
			struct flink_error *err)
{
	char why[160] = "";
	json_t *root = fl_json_load(fl_buf_str(&rs->body), rs->body.len, why, sizeof(why));
	if (!json_is_object(root)) {
		json_decref(root);
		fl_err_set(err, FLINK_E_PROTOCOL, rs->status, "answer to '%s %s' is not a JSON object%s%s",
			   method, path, why[0] ? ": " : "", why);
		fl_err_set_request(err, method, path);
		return NULL;
	}
	return root;
}

bool fl_handle_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 64)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      *p == '-' || *p == '_'))
			return false;
	return true;
}
