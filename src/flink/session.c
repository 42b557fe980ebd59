/*
 * Gateway sessions: open (name and properties), heartbeat, configure, the effective
 * configuration, close.
 *
 * DESIGN
 * Every request naming a session goes through fl_session_http, which keeps the session's
 * last-use time for the heartbeat thread and marks the session dead when the gateway answers
 * that it does not know it any more ("Session '<uuid>' does not exist.": expired after its idle
 * timeout, or closed on the server). A dead session fails fast afterwards, and closing it sends
 * nothing. The session's own thread and the heartbeat thread share only atomics (alive,
 * last_used_ms, hb_stop) and, under the client's lock, the list membership and hb_busy: close
 * unlinks the session, aborts a heartbeat in flight and waits for the thread to let go of it
 * before freeing. Opening a session may happen on any thread, so it uses no per-thread
 * connection; a session's own requests reuse its connections (s->multi).
 */
#include "flink/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

flink_code fl_session_http(flink_session *s, const struct fl_request *rq, struct fl_response *rs,
			   struct flink_error *err)
{
	struct fl_request r = *rq;
	if (!r.multi)
		r.multi = s->multi;
	flink_code code = fl_http(s->client, &r, rs, err);
	if (code == FLINK_OK)
		atomic_store(&s->last_used_ms, fl_now_ms());
	else if (code == FLINK_E_SESSION_GONE)
		atomic_store(&s->alive, false);
	return code;
}

static flink_code gone(const flink_session *s, struct flink_error *err)
{
	fl_err_set(err, FLINK_E_SESSION_GONE, 0, "session '%s' does not exist any more on the gateway",
		   s->handle);
	return FLINK_E_SESSION_GONE;
}

flink_code flink_session_open(flink_client *c, const char *name, const struct flink_kv *props,
			      size_t nprops, flink_session **psession, struct flink_error *err)
{
	if (psession)
		*psession = NULL;
	if (!c || !psession || (nprops && !props)) {
		fl_err_set(err, FLINK_E_ARG, 0, "no client or session pointer given");
		return FLINK_E_ARG;
	}
	json_t *body = json_object();
	if (name && json_object_set_new(body, "sessionName", json_string(name))) {
		json_decref(body);
		fl_err_set(err, FLINK_E_ARG, 0, "session name is not valid UTF-8");
		return FLINK_E_ARG;
	}
	if (nprops) {
		json_t *p = json_object();
		for (size_t i = 0; i < nprops; i++) {
			if (!props[i].key || !props[i].value) {
				json_decref(p);
				json_decref(body);
				fl_err_set(err, FLINK_E_ARG, 0, "session property %zu has no key or value", i);
				return FLINK_E_ARG;
			}
			if (json_object_set_new(p, props[i].key, json_string(props[i].value))) {
				json_decref(p);
				json_decref(body);
				fl_err_set(err, FLINK_E_ARG, 0, "session property %zu is not valid UTF-8", i);
				return FLINK_E_ARG;
			}
		}
		json_object_set_new(body, "properties", p);
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	char path[16];
	snprintf(path, sizeof(path), "/%s/sessions", c->api);
	/* opening twice would leave a stray session behind: not a repeatable request */
	struct fl_request rq = {.method = "POST", .path = path, .body = text,
				.retry = FL_RETRY_CONNECT_ONLY};
	struct fl_response rs;
	json_t *root = NULL;
	flink_code code = fl_http(c, &rq, &rs, err);
	free(text);
	if (code)
		goto out;
	root = fl_parse_object(&rs, rq.method, path, err);
	const char *h = fl_json_get_str(root, "sessionHandle");
	if (!fl_handle_ok(h)) {
		if (root)
			fl_err_set(err, FLINK_E_PROTOCOL, 200,
				   "answer to 'POST %s' has no usable 'sessionHandle'", path);
		fl_err_set_request(err, "POST", path);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	flink_session *s = fl_xcalloc(1, sizeof(*s));
	s->client = c;
	s->handle = fl_xstrdup(h);
	atomic_init(&s->alive, true);
	atomic_init(&s->last_used_ms, fl_now_ms());
	atomic_init(&s->hb_stop, 0);
	s->multi = curl_multi_init();
	if (!s->multi) {
		fprintf(stderr, "libsluice-flink: out of memory\n");
		abort();
	}
	pthread_mutex_lock(&c->lock);
	s->next = c->sessions;
	if (c->sessions)
		c->sessions->prev = s;
	c->sessions = s;
	fl_client_start_heartbeat(c);
	pthread_mutex_unlock(&c->lock);
	*psession = s;
out:
	json_decref(root);
	fl_response_release(&rs);
	return code;
}

const char *flink_session_handle(const flink_session *s)
{
	return s ? s->handle : NULL;
}

flink_client *flink_session_client(const flink_session *s)
{
	return s ? s->client : NULL;
}

bool flink_session_alive(const flink_session *s)
{
	return s && atomic_load(&s->alive);
}

flink_code flink_session_heartbeat(flink_session *s, struct flink_error *err)
{
	if (!s) {
		fl_err_set(err, FLINK_E_ARG, 0, "no session given");
		return FLINK_E_ARG;
	}
	if (!atomic_load(&s->alive))
		return gone(s, err);
	char path[160];
	snprintf(path, sizeof(path), "/%s/sessions/%s/heartbeat", s->client->api, s->handle);
	struct fl_request rq = {.method = "POST", .path = path, .retry = FL_RETRY_SAFE};
	struct fl_response rs;
	flink_code code = fl_session_http(s, &rq, &rs, err);
	fl_response_release(&rs);
	return code;
}

flink_code flink_session_configure(flink_session *s, const char *statement,
				   struct flink_error *err)
{
	if (!s || !statement || !*statement) {
		fl_err_set(err, FLINK_E_ARG, 0, "no session or statement given");
		return FLINK_E_ARG;
	}
	if (!atomic_load(&s->alive))
		return gone(s, err);
	if (s->client->api_num < 2) /* configure-session came with v2 */
		return flink_statement_run(s, statement, NULL, NULL, NULL, err);
	json_t *body = json_pack("{s:s}", "statement", statement);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		fl_err_set(err, FLINK_E_ARG, 0, "statement is not valid UTF-8");
		return FLINK_E_ARG;
	}
	char path[192];
	snprintf(path, sizeof(path), "/%s/sessions/%s/configure-session", s->client->api, s->handle);
	struct fl_request rq = {.method = "POST", .path = path, .body = text,
				.retry = FL_RETRY_CONNECT_ONLY};
	struct fl_response rs;
	flink_code code = fl_session_http(s, &rq, &rs, err);
	free(text);
	fl_response_release(&rs);
	if (code)
		fl_err_set_statement(err, statement);
	return code;
}

flink_code flink_session_get_config(flink_session *s, struct flink_kv **pprops, size_t *pn,
				    struct flink_error *err)
{
	if (pprops)
		*pprops = NULL;
	if (pn)
		*pn = 0;
	if (!s || !pprops || !pn) {
		fl_err_set(err, FLINK_E_ARG, 0, "no session or output given");
		return FLINK_E_ARG;
	}
	if (!atomic_load(&s->alive))
		return gone(s, err);
	char path[160];
	snprintf(path, sizeof(path), "/%s/sessions/%s", s->client->api, s->handle);
	struct fl_request rq = {.method = "GET", .path = path, .retry = FL_RETRY_SAFE};
	struct fl_response rs;
	json_t *root = NULL;
	flink_code code = fl_session_http(s, &rq, &rs, err);
	if (code)
		goto out;
	root = fl_parse_object(&rs, rq.method, path, err);
	json_t *props = json_object_get(root, "properties");
	if (!json_is_object(props)) {
		if (root)
			fl_err_set(err, FLINK_E_PROTOCOL, 200, "answer to 'GET %s' has no 'properties'",
				   path);
		fl_err_set_request(err, "GET", path);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	size_t n = json_object_size(props), i = 0;
	struct flink_kv *kv = fl_xcalloc(n ? n : 1, sizeof(*kv));
	const char *key;
	json_t *v;
	json_object_foreach(props, key, v) {
		size_t len;
		const char *t = fl_json_string(v, &len);
		if (!t)
			t = fl_json_number_text(v, &len);
		struct fl_buf b = FL_BUF_INIT;
		if (t)
			fl_buf_add(&b, t, len);
		else if (!json_is_null(v))
			fl_json_compact(&b, v);
		kv[i].key = fl_xstrdup(key);
		kv[i].value = fl_buf_detach(&b);
		i++;
	}
	*pprops = kv;
	*pn = i;
out:
	json_decref(root);
	fl_response_release(&rs);
	return code;
}

void flink_kv_free(struct flink_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

flink_code flink_session_close(flink_session *s, struct flink_error *err)
{
	if (!s)
		return FLINK_OK;
	flink_client *c = s->client;
	pthread_mutex_lock(&c->lock);
	if (s->prev)
		s->prev->next = s->next;
	else if (c->sessions == s)
		c->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	atomic_store(&s->hb_stop, 1);
	while (s->hb_busy)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);

	flink_code code = FLINK_OK;
	if (atomic_load(&s->alive)) {
		char path[160];
		snprintf(path, sizeof(path), "/%s/sessions/%s", c->api, s->handle);
		struct fl_request rq = {.method = "DELETE", .path = path, .retry = FL_RETRY_SAFE};
		struct fl_response rs;
		code = fl_session_http(s, &rq, &rs, err);
		fl_response_release(&rs);
		/* it is gone either way: nothing left to close */
		if (code == FLINK_E_SESSION_GONE) {
			flink_error_release(err);
			code = FLINK_OK;
		}
	}
	/* closing the session closed its operations on the gateway */
	for (flink_operation *op = s->ops; op; op = op->next)
		op->session = NULL;
	curl_multi_cleanup(s->multi);
	free(s->handle);
	free(s);
	return code;
}
