/*
 * The control API of the gateway double, on its own port so it can never be mistaken for the
 * gateway's: what tests read (the request log, statements, sessions, jobs, topics) and what they
 * change (fault rules, job failures, session expiry, topic records, a reset). JSON in and out;
 * errors are {"error":"…"} with 400 (bad input) or 404 (unknown thing).
 */
#include "gw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

static enum MHD_Result reply(struct MHD_Connection *c, int status, json_t *v)
{
	char *s = jw_dump(v);
	json_decref(v);
	enum MHD_Result r = gw_send(c, status, s);
	free(s);
	return r;
}

static enum MHD_Result error(struct MHD_Connection *c, int status, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	return reply(c, status, json_pack("{s:s}", "error", msg));
}

static json_t *statements_view(struct gw *g)
{
	json_t *out = json_array();
	size_t i;
	json_t *rec;
	json_array_foreach(g->statements, i, rec) {
		json_t *r = json_deep_copy(rec);
		const char *op = json_string_value(json_object_get(r, "operation"));
		if (op)
			gw_statement_status(g, r, op);
		json_array_append_new(out, r);
	}
	return out;
}

static void reset(struct gw *g)
{
	gw_faults_clear(g);
	gw_expire_all(g);
	json_array_clear(g->requests);
	json_array_clear(g->statements);
	json_object_clear(g->workflows);
	fg_engine_reset(g->engine);
}

/* /jobs/<id>/fail, /sessions/<sh>/expire, /topics/<t>: the middle segment, or NULL */
static char *segment(const char *path, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = suffix ? strlen(suffix) : 0, n = strlen(path);
	if (strncmp(path, prefix, pl) || n <= pl + sl)
		return NULL;
	if (suffix && strcmp(path + n - sl, suffix))
		return NULL;
	struct sb out = SB_INIT;
	if (gw_decode_component(path + pl, n - pl - sl, false, &out) || strchr(out.buf, '/') || !out.len) {
		sb_release(&out);
		return NULL;
	}
	return sb_detach(&out, NULL);
}

static enum MHD_Result route(struct gw *g, struct MHD_Connection *c, const char *method, const char *path,
			     json_t *body, bool bad_json)
{
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST"), del = !strcmp(method, "DELETE");
	if (bad_json)
		return error(c, 400, "the request body is not JSON", NULL);
	if (get && !strcmp(path, "/requests"))
		return reply(c, 200, json_deep_copy(g->requests));
	if (get && !strcmp(path, "/statements"))
		return reply(c, 200, statements_view(g));
	if (get && !strcmp(path, "/sessions")) {
		json_t *out = json_array();
		gw_sessions_json(g, out);
		return reply(c, 200, out);
	}
	if (get && !strcmp(path, "/jobs")) {
		json_t *jobs = fg_engine_jobs(g->engine);
		return reply(c, 200, jobs ? jobs : json_array());
	}
	if (post && !strcmp(path, "/sessions/expire")) {
		gw_expire_all(g);
		return reply(c, 200, json_object());
	}
	if (!strcmp(path, "/faults")) {
		if (get)
			return reply(c, 200, gw_faults_json(g));
		if (del) {
			gw_faults_clear(g);
			return reply(c, 200, json_array());
		}
		if (post) {
			char err[256];
			if (gw_faults_set(g, body, err, sizeof(err)))
				return error(c, 400, "%s", err);
			return reply(c, 200, gw_faults_json(g));
		}
	}
	if (!strcmp(path, "/clock") && (get || post)) {
		if (post) {
			json_t *adv = json_object_get(body, "advanceMs");
			if (!json_is_integer(adv) || json_integer_value(adv) < 0)
				return error(c, 400, "POST /clock takes {\"advanceMs\": N}, N >= 0 milliseconds", NULL);
			if (!fg_clock_is_manual())
				return error(c, 400, "the clock is the real one: start the double with --clock manual", NULL);
			fg_clock_advance((long long)json_integer_value(adv));
			/* whatever waits on the clock looks again; what has expired is gone before the answer */
			pthread_cond_broadcast(&g->cv);
			gw_expire_idle(g);
		}
		return reply(c, 200, json_pack("{s:I,s:b}", "nowMs", (json_int_t)now_ms(), "manual", fg_clock_is_manual()));
	}
	if (post && !strcmp(path, "/reset")) {
		reset(g);
		return reply(c, 200, json_object());
	}
	char *id;
	if (post && (id = segment(path, "/jobs/", "/fail"))) {
		const char *reason = json_string_value(json_object_get(body, "reason"));
		int rc = fg_engine_fail_job(g->engine, id, reason ? reason : "job failed");
		enum MHD_Result r = rc == -1 ? error(c, 404, "unknown job '%s'", id) :
				    rc ? error(c, 400, "job '%s' is not running", id) : reply(c, 200, json_object());
		free(id);
		return r;
	}
	if (post && (id = segment(path, "/jobs/", "/finish"))) {
		int rc = fg_engine_finish_job(g->engine, id);
		enum MHD_Result r = rc == -1 ? error(c, 404, "unknown job '%s'", id) :
				    rc ? error(c, 400, "job '%s' is not running", id) : reply(c, 200, json_object());
		free(id);
		return r;
	}
	if (post && (id = segment(path, "/sessions/", "/expire"))) {
		char canon[37];
		struct gw_session *s = gw_uuid_canon(id, canon) ? gw_session_get(g, canon) : NULL;
		enum MHD_Result r;
		if (s) {
			gw_session_close(g, s);
			gw_session_put(g, s);
			r = reply(c, 200, json_object());
		} else {
			r = error(c, 404, "unknown session '%s'", id);
		}
		free(id);
		return r;
	}
	if ((get || post) && (id = segment(path, "/topics/", NULL))) {
		enum MHD_Result r;
		if (get) {
			json_t *t = fg_engine_topic(g->engine, id);
			r = reply(c, 200, t ? t : json_array());
		} else if (!json_is_array(body)) {
			r = error(c, 400, "POST /topics/%s takes a JSON array of records", id);
		} else {
			char *err = NULL;
			if (fg_engine_append(g->engine, id, body, &err)) {
				r = error(c, 400, "%s", err ? err : "cannot append");
				free(err);
			} else {
				r = reply(c, 200, json_pack("{s:I}", "appended", (json_int_t)json_array_size(body)));
			}
		}
		free(id);
		return r;
	}
	return error(c, 404, "no admin endpoint '%s'", path);
}

static enum MHD_Result on_admin(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct gw *g = cls;
	struct gw_req *r = *state;
	(void)url;
	(void)version;
	if (!r->started) {
		r->started = true;
		return MHD_YES;
	}
	if (*upload_size) {
		sb_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	char *path = xstrdup(r->uri);
	path[strcspn(path, "?")] = 0;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = 0;
	json_t *body = NULL;
	bool bad = false;
	if (r->body.len) {
		json_error_t e;
		body = json_loadb(r->body.buf, r->body.len, JSON_DECODE_ANY, &e);
		bad = !body;
	}
	pthread_mutex_lock(&g->mu);
	enum MHD_Result ret = route(g, c, method, path, body, bad);
	pthread_mutex_unlock(&g->mu);
	json_decref(body);
	free(path);
	return ret;
}

struct MHD_Daemon *gw_admin_start(struct gw *g, char **perr)
{
	return gw_daemon(g, g->o.admin_port, on_admin, perr);
}
