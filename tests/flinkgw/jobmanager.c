/*
 * The cluster's REST API (the JobManager's, port 8081 on a real cluster), on a third port: what a
 * client needs where the SQL Gateway has no SQL for jobs (Flink 1.16: no SHOW JOBS, no STOP JOB)
 * and what SQL cannot tell (checkpoints, restarts, the root exception). Bodies follow Flink's
 * handlers (JobsOverviewHandler, JobDetailsHandler, StopWithSavepointHandlers,
 * SavepointHandlers.SavepointStatusHandler, JobCancellationHandler, CheckpointingStatisticsHandler,
 * JobExceptionsHandler, JobMetricsHandler); fields a client of jobs does not read (vertices, task
 * counts, plans) are left empty. The jobs are the engine's, as SHOW JOBS sees them.
 *
 *   GET   /config                          {"flink-version": "1.16.3", ...}
 *   GET   /jobs/overview                   {"jobs": [{jid, name, state, start-time, end-time, ...}]}
 *   GET   /jobs/:jobid                     {jid, name, isStoppable, state, start-time, ...}
 *   PATCH /jobs/:jobid?mode=cancel         202 {}
 *   POST  /jobs/:jobid/stop                {"targetDirectory"?, "drain"?}: 202 {"request-id"}
 *   GET   /jobs/:jobid/savepoints/:trigger {"status": {"id": "COMPLETED"}, "operation": {"location"}}
 *   GET   /jobs/:jobid/checkpoints         {"counts", "summary", "latest", "history"}
 *   GET   /jobs/:jobid/exceptions          {"root-exception", "timestamp", "all-exceptions", "exceptionHistory"}
 *   GET   /jobs/:jobid/metrics?get=numRestarts  [{"id": "numRestarts", "value": "0"}]
 * Errors are {"errors": ["..."]}: 404 for an unknown job or path, 400 for a job id that is not 32
 * hex digits or a bad body, 409 for cancelling a job that has ended.
 */
#include "gw.h"

#include <ctype.h>
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

static enum MHD_Result fail(struct MHD_Connection *c, int status, const char *msg)
{
	return reply(c, status, json_pack("{s:[s]}", "errors", msg));
}

static bool is_job_id(const char *s, size_t n)
{
	if (n != 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The engine's job of that id (a new reference), or NULL */
static json_t *find_job(struct gw *g, const char *id)
{
	json_t *jobs = fg_engine_jobs(g->engine), *out = NULL;
	size_t i;
	json_t *j;
	json_array_foreach(jobs, i, j) {
		if (!strcmp(json_string_value(json_object_get(j, "id")), id)) {
			out = json_incref(j);
			break;
		}
	}
	json_decref(jobs);
	return out;
}

static bool ended(const char *state)
{
	return !strcmp(state, "FINISHED") || !strcmp(state, "CANCELED") || !strcmp(state, "FAILED");
}

/* The fields of JobDetailsInfo / JobIdWithStatus a client reads */
static json_t *job_summary(json_t *j, bool details)
{
	const char *state = json_string_value(json_object_get(j, "status"));
	json_int_t start = json_integer_value(json_object_get(j, "start_time"));
	json_int_t now = gw_now_ms();
	json_t *o = json_object();
	json_object_set(o, "jid", json_object_get(j, "id"));
	json_object_set(o, "name", json_object_get(j, "name"));
	if (details)
		json_object_set_new(o, "isStoppable", json_false());
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "start-time", json_integer(start));
	json_object_set_new(o, "end-time", json_integer(ended(state) ? now : -1));
	json_object_set_new(o, "duration", json_integer(now - start));
	if (details) {
		json_object_set_new(o, "maxParallelism", json_integer(-1));
		json_object_set_new(o, "now", json_integer(now));
		json_object_set_new(o, "timestamps", json_object());
		json_object_set_new(o, "vertices", json_array());
		json_object_set_new(o, "status-counts", json_object());
		json_object_set_new(o, "plan", json_pack("{s:O,s:O,s:[]}", "jid", json_object_get(j, "id"), "name",
							json_object_get(j, "name"), "nodes"));
	} else {
		json_object_set_new(o, "last-modification", json_integer(now));
		json_object_set_new(o, "tasks", json_pack("{s:i,s:i,s:i,s:i,s:i}", "running", 0, "finished", 0, "canceled",
							  0, "failed", 0, "total", 0));
	}
	return o;
}

static json_t *checkpoints(json_t *j)
{
	json_t *sp = json_object_get(j, "savepoint"), *rf = json_object_get(j, "restored_from");
	json_t *latest = json_object();
	json_object_set_new(latest, "completed", json_null());
	json_object_set_new(latest, "savepoint",
			    json_is_string(sp) ? json_pack("{s:i,s:s,s:b,s:O}", "id", 1, "status", "COMPLETED",
							   "is_savepoint", 1, "external_path", sp)
					       : json_null());
	json_object_set_new(latest, "failed", json_null());
	json_object_set_new(latest, "restored",
			    json_is_string(rf) ? json_pack("{s:i,s:I,s:b,s:O}", "id", 0, "restore_timestamp",
							   json_integer_value(json_object_get(j, "start_time")),
							   "is_savepoint", 1, "external_path", rf)
					       : json_null());
	return json_pack("{s:{s:i,s:i,s:i,s:i,s:i},s:{},s:o,s:[]}", "counts", "restored", json_is_string(rf) ? 1 : 0,
			 "total", json_is_string(sp) ? 1 : 0, "in_progress", 0, "completed", json_is_string(sp) ? 1 : 0,
			 "failed", 0, "summary", "latest", latest, "history");
}

static json_t *exceptions(json_t *j)
{
	json_t *f = json_object_get(j, "failure");
	json_t *entries = json_array();
	json_int_t ts = gw_now_ms();
	if (json_is_string(f)) {
		const char *text = json_string_value(f);
		size_t n = strcspn(text, ":\n");
		json_t *name = json_stringn(text, n);
		json_array_append_new(entries, json_pack("{s:o,s:O,s:I,s:n,s:n,s:[]}", "exceptionName", name, "stacktrace", f,
							 "timestamp", ts, "taskName", "location", "concurrentExceptions"));
	}
	return json_pack("{s:O,s:o,s:[],s:b,s:{s:o,s:b}}", "root-exception", json_is_string(f) ? f : json_null(),
			 "timestamp", json_is_string(f) ? json_integer(ts) : json_null(), "all-exceptions", "truncated", 0,
			 "exceptionHistory", "entries", entries, "truncated", 0);
}

static enum MHD_Result stop(struct gw *g, struct MHD_Connection *c, const char *id, json_t *body)
{
	json_t *dir = json_object_get(body, "targetDirectory");
	json_t *drain = json_object_get(body, "drain");
	if ((dir && !json_is_string(dir) && !json_is_null(dir)) || (drain && !json_is_boolean(drain)))
		return fail(c, 400, "Request did not match expected format StopWithSavepointRequestBody.");
	char trigger[37], hex[33];
	gw_uuid(trigger);
	size_t k = 0;
	for (const char *p = trigger; *p && k < 32; p++)
		if (*p != '-')
			hex[k++] = *p;
	hex[k] = 0;
	char *path = NULL, *err = NULL;
	const char *d = json_is_string(dir) ? json_string_value(dir) : NULL;
	int rc = d ? fg_engine_stop_job(g->engine, id, d, json_is_true(drain), &path, &err) : -4;
	json_t *op;
	if (rc == 0) {
		op = json_pack("{s:s}", "location", path);
	} else {
		char msg[512];
		if (rc == -4)
			snprintf(msg, sizeof msg, "java.lang.IllegalStateException: No savepoint directory configured. You can "
				 "either specify a directory while cancelling via -s :targetDirectory or configure a cluster-wide "
				 "default via key 'execution.checkpointing.savepoint-dir'.");
		else if (rc == -2)
			snprintf(msg, sizeof msg, "org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException: "
				 "Job %s has already been terminated.", id);
		else
			snprintf(msg, sizeof msg, "%s", err ? err : "the savepoint failed");
		op = json_pack("{s:{s:s,s:s}}", "failure-cause", "class", "java.util.concurrent.CompletionException",
			       "stack-trace", msg);
	}
	free(path);
	free(err);
	if (!g->triggers)
		g->triggers = json_object();
	json_object_set_new(g->triggers, hex, json_pack("{s:{s:s},s:o}", "status", "id", "COMPLETED", "operation", op));
	return reply(c, 202, json_pack("{s:s}", "request-id", hex));
}

static enum MHD_Result route(struct gw *g, struct MHD_Connection *c, const char *method, const char *path,
			     json_t *body, bool bad)
{
	if (!strcmp(path, "/config") && !strcmp(method, "GET"))
		return reply(c, 200, json_pack("{s:i,s:s,s:s,s:s}", "refresh-interval", 3000, "timezone-name",
					       "Coordinated Universal Time", "flink-version", g->o.flink_version,
					       "flink-revision", "unknown"));
	if (!strcmp(path, "/jobs/overview") && !strcmp(method, "GET")) {
		json_t *jobs = fg_engine_jobs(g->engine), *out = json_array(), *j;
		size_t i;
		json_array_foreach(jobs, i, j)
			json_array_append_new(out, job_summary(j, false));
		json_decref(jobs);
		return reply(c, 200, json_pack("{s:o}", "jobs", out));
	}
	if (strncmp(path, "/jobs/", 6))
		return fail(c, 404, "Not found.");
	const char *id = path + 6;
	size_t idn = strcspn(id, "/");
	const char *rest = id + idn;
	char jid[64];
	if (!is_job_id(id, idn)) {
		char msg[256];
		snprintf(msg, sizeof msg, "Bad request, could not parse parameters: Cannot resolve path parameter (jobid) "
			 "from value \"%.*s\".", (int)(idn < 100 ? idn : 100), id);
		return fail(c, 400, msg);
	}
	snprintf(jid, sizeof jid, "%.*s", (int)idn, id);
	json_t *job = find_job(g, jid);
	if (!job) {
		char msg[128];
		snprintf(msg, sizeof msg, "Job %s not found", jid);
		return fail(c, 404, msg);
	}
	enum MHD_Result r;
	const char *state = json_string_value(json_object_get(job, "status"));
	if (!*rest && !strcmp(method, "GET")) {
		r = reply(c, 200, job_summary(job, true));
	} else if (!*rest && !strcmp(method, "PATCH")) {
		const char *mode = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "mode");
		char *path_out = NULL, *err = NULL;
		if (mode && strcmp(mode, "cancel")) {
			r = fail(c, 400, "Bad request, could not parse parameters: Cannot resolve query parameter (mode).");
		} else if (ended(state)) {
			char msg[256];
			snprintf(msg, sizeof msg, "Job cancellation failed: Cancellation failed: job %s has already reached the "
				 "terminal state %s.", jid, state);
			r = fail(c, 409, msg);
		} else {
			(void)fg_engine_stop_job(g->engine, jid, NULL, false, &path_out, &err);
			r = reply(c, 202, json_object());
		}
		free(path_out);
		free(err);
	} else if (!strcmp(rest, "/stop") && !strcmp(method, "POST")) {
		r = bad ? fail(c, 400, "Request did not match expected format StopWithSavepointRequestBody.")
			: stop(g, c, jid, body);
	} else if (!strncmp(rest, "/savepoints/", 12) && !strcmp(method, "GET")) {
		json_t *t = g->triggers ? json_object_get(g->triggers, rest + 12) : NULL;
		r = t ? reply(c, 200, json_incref(t)) : fail(c, 404, "There is no savepoint operation with the given trigger id.");
	} else if (!strcmp(rest, "/checkpoints") && !strcmp(method, "GET")) {
		r = reply(c, 200, checkpoints(job));
	} else if (!strcmp(rest, "/exceptions") && !strcmp(method, "GET")) {
		r = reply(c, 200, exceptions(job));
	} else if (!strcmp(rest, "/metrics") && !strcmp(method, "GET")) {
		const char *get = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "get");
		json_t *out = json_array();
		if (get && !strcmp(get, "numRestarts"))
			json_array_append_new(out, json_pack("{s:s,s:s}", "id", "numRestarts", "value", "0"));
		r = reply(c, 200, out);
	} else {
		r = fail(c, 404, "Not found.");
	}
	json_decref(job);
	return r;
}

static enum MHD_Result on_jobmanager(void *cls, struct MHD_Connection *c, const char *url, const char *method,
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
		body = json_loadb(r->body.buf, r->body.len, 0, &e);
		bad = !body;
	}
	pthread_mutex_lock(&g->mu);
	enum MHD_Result ret = route(g, c, method, path, body, bad);
	pthread_mutex_unlock(&g->mu);
	json_decref(body);
	free(path);
	return ret;
}

struct MHD_Daemon *gw_jobmanager_start(struct gw *g, char **perr)
{
	return gw_daemon(g, 0, on_jobmanager, perr);
}
