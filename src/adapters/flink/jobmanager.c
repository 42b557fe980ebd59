/*
 * The cluster's REST API (the profile's optional `jobmanager_url`, the JobManager's port 8081 on a
 * real cluster), for what the SQL Gateway cannot do in SQL: listing and stopping jobs on Flink
 * 1.16, whose gateway (REST API v1) has no SHOW JOBS and no STOP JOB, and, on every version, a
 * job's last completed checkpoint, restarts and root exception for `sluice jobs`.
 *
 *   GET /jobs/overview, GET /jobs/:id/checkpoints, /exceptions, /metrics?get=numRestarts,
 *   POST /jobs/:id/stop {"targetDirectory", "drain"} then GET /jobs/:id/savepoints/:trigger until
 *   it completes, PATCH /jobs/:id?mode=cancel.
 *
 * The URL may carry credentials: it never appears in messages or logs ("the cluster's REST API").
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/flink/internal.h"
#include "core/log.h"
#include "core/sb.h"

/* the REST API's answers are small JSON documents: a body past 64 MiB ends the transfer */
static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	return sb_add_capped((struct sb *)ud, p, size * n, 64u << 20) < 0 ? 0 : size * n;
}

/* One request: 0 with the HTTP status and the JSON body (V_NONE when empty or not JSON), or -1 with
 * *perr when no answer came */
static int jm_request(struct adapter *ad, const char *method, const char *path, const char *body, long *pstatus,
		      value *pbody, struct arena *a, char **perr)
{
	*pbody = val_none();
	CURL *h = curl_easy_init();
	if (!h)
		return adp_flink_fail(a, perr, "cannot start an HTTP request to the cluster's REST API (jobmanager_url)");
	const char *base = ad->jobmanager_url;
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	char *url = arena_sprintf(a, "%.*s%s", (int)bl, base, path);
	struct sb out = SB_INIT;
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	CURLcode rc = curl_easy_perform(h);
	int ret = 0;
	if (rc != CURLE_OK) {
		ret = adp_flink_fail(a, perr, "unable to reach the cluster's REST API (jobmanager_url in profiles.yml) for %s %s: %s",
			      method, path, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, pstatus);
		char *jerr = NULL;
		if (out.len && val_from_json(a, out.buf, out.len, pbody, &jerr) < 0)
			*pbody = val_none();
		log_msg(LOG_DEBUG, "flink: jobmanager %s %s -> %ld", method, path, *pstatus);
	}
	sb_release(&out);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return ret;
}

/* The first of a REST error body's errors, or the status */
static const char *jm_error(value body, long status, struct arena *a)
{
	value errs = body.type == V_DICT ? val_dict_gets(body, "errors") : val_undef();
	if (errs.type == V_LIST && errs.l->len)
		return arena_strndup(a, val_cstr(a, errs.l->items[0]), strcspn(val_cstr(a, errs.l->items[0]), "\n"));
	return arena_sprintf(a, "HTTP %ld", status);
}

/* A GET whose answer must be 200 with a JSON body */
static int jm_get(struct adapter *ad, const char *path, value *pbody, struct arena *a, char **perr)
{
	long status = 0;
	if (jm_request(ad, "GET", path, NULL, &status, pbody, a, perr) < 0)
		return -1;
	if (status != 200)
		return adp_flink_fail(a, perr, "the cluster's REST API (jobmanager_url) answered GET %s with %s", path,
			       jm_error(*pbody, status, a));
	return 0;
}

static const char *iso_time(long long ms, struct arena *a)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return arena_sprintf(a, "%s.%03lldZ", buf, ms % 1000);
}

static long long int_of(value v)
{
	if (v.type == V_INT)
		return v.i;
	if (v.type == V_FLOAT)
		return (long long)v.f;
	return 0;
}

int adp_flink_jm_list_jobs(struct adapter_conn *c, value *pout, struct arena *a, char **perr)
{
	value body;
	if (jm_get(c->ad, "/jobs/overview", &body, a, perr) < 0)
		return -1;
	value jobs = body.type == V_DICT ? val_dict_gets(body, "jobs") : val_undef();
	if (jobs.type != V_LIST)
		return adp_flink_fail(a, perr, "the cluster's REST API (jobmanager_url) sent no job list for /jobs/overview");
	value out = val_list_new(a, jobs.l->len);
	for (uint32_t i = 0; i < jobs.l->len; i++) {
		value j = jobs.l->items[i];
		value d = val_dict_new(a, 4);
		val_dict_sets(d, "job_id", val_dict_gets(j, "jid"));
		val_dict_sets(d, "name", val_dict_gets(j, "name"));
		val_dict_sets(d, "status", val_dict_gets(j, "state"));
		val_dict_sets(d, "start_time", val_str(iso_time(int_of(val_dict_gets(j, "start-time")), a)));
		val_list_push(out, d);
	}
	*pout = out;
	return 0;
}

int adp_flink_jm_stop_job(struct adapter_conn *c, const char *id, bool savepoint, bool drain, value *pout,
			  struct arena *a,
		   char **perr)
{
	struct adapter *ad = c->ad;
	long status = 0;
	value body;
	*pout = val_none();
	if (!savepoint) {
		if (jm_request(ad, "PATCH", arena_sprintf(a, "/jobs/%s?mode=cancel", id), NULL, &status, &body, a, perr) < 0)
			return -1;
		if (status != 202 && status != 200)
			return adp_flink_fail(a, perr, "could not cancel job %s through the cluster's REST API: %s", id,
				       jm_error(body, status, a));
		return 0;
	}
	struct sb req = SB_INIT;
	sb_adds(&req, "{\"targetDirectory\":");
	if (ad->savepoint_dir) {
		value s = val_str(ad->savepoint_dir);
		(void)val_to_json(&req, s, 0, VJSON_COMPACT);
	} else {
		sb_adds(&req, "null");
	}
	sb_addf(&req, ",\"drain\":%s}", drain ? "true" : "false");
	int rc = jm_request(ad, "POST", arena_sprintf(a, "/jobs/%s/stop", id), req.buf, &status, &body, a, perr);
	sb_release(&req);
	if (rc < 0)
		return -1;
	value trig = body.type == V_DICT ? val_dict_gets(body, "request-id") : val_undef();
	if ((status != 202 && status != 200) || trig.type != V_STR)
		return adp_flink_fail(a, perr, "could not stop job %s with a savepoint through the cluster's REST API: %s", id,
			       jm_error(body, status, a));
	/* the savepoint is asynchronous: its status until it completed */
	long limit_ms = ad->statement_timeout_ms > 0 ? ad->statement_timeout_ms : 600000;
	for (long waited = 0;; waited += 100) {
		value st;
		if (jm_get(ad, arena_sprintf(a, "/jobs/%s/savepoints/%s", id, trig.s), &st, a, perr) < 0)
			return -1;
		value sid = st.type == V_DICT ? val_dict_gets(val_dict_gets(st, "status"), "id") : val_undef();
		if (sid.type == V_STR && !strcmp(sid.s, "COMPLETED")) {
			value op = val_dict_gets(st, "operation");
			value loc = op.type == V_DICT ? val_dict_gets(op, "location") : val_undef();
			if (loc.type == V_STR) {
				*pout = loc;
				return 0;
			}
			value fc = op.type == V_DICT ? val_dict_gets(op, "failure-cause") : val_undef();
			value trace = fc.type == V_DICT ? val_dict_gets(fc, "stack-trace") : val_undef();
			return adp_flink_fail(a, perr, "could not stop job %s with a savepoint: %s", id,
				       trace.type == V_STR ? trace.s : "the cluster reported a failure without a cause");
		}
		if (waited >= limit_ms)
			return adp_flink_fail(a, perr, "the savepoint of job %s did not complete within %ld s", id, limit_ms / 1000);
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int adp_flink_jm_job_details(struct adapter_conn *c, const char *id, value *pout, struct arena *a, char **perr)
{
	struct adapter *ad = c->ad;
	value d = val_dict_new(a, 3);
	value cp, ex, me;
	if (jm_get(ad, arena_sprintf(a, "/jobs/%s/checkpoints", id), &cp, a, perr) < 0 ||
	    jm_get(ad, arena_sprintf(a, "/jobs/%s/exceptions", id), &ex, a, perr) < 0 ||
	    jm_get(ad, arena_sprintf(a, "/jobs/%s/metrics?get=numRestarts", id), &me, a, perr) < 0)
		return -1;
	/* the last completed checkpoint, else the savepoint it was restored from */
	value latest = cp.type == V_DICT ? val_dict_gets(cp, "latest") : val_undef();
	value done = latest.type == V_DICT ? val_dict_gets(latest, "completed") : val_undef();
	value restored = latest.type == V_DICT ? val_dict_gets(latest, "restored") : val_undef();
	if (done.type == V_DICT)
		val_dict_sets(d, "last_checkpoint",
			      val_str(arena_sprintf(a, "%lld at %s", int_of(val_dict_gets(done, "id")),
						    iso_time(int_of(val_dict_gets(done, "latest_ack_timestamp")), a))));
	else if (restored.type == V_DICT && val_dict_gets(restored, "external_path").type == V_STR)
		val_dict_sets(d, "last_checkpoint",
			      val_str(arena_sprintf(a, "none yet (restored from %s)",
						    val_dict_gets(restored, "external_path").s)));
	else
		val_dict_sets(d, "last_checkpoint", val_str("none yet"));
	/* restarts: the numRestarts metric */
	long long restarts = 0;
	for (uint32_t i = 0; me.type == V_LIST && i < me.l->len; i++) {
		value m = me.l->items[i];
		value v = m.type == V_DICT ? val_dict_gets(m, "value") : val_undef();
		if (v.type == V_STR)
			restarts = atoll(v.s);
	}
	val_dict_sets(d, "restarts", val_int(restarts));
	/* the root exception: the newest entry of the exception history (2.x), else root-exception */
	value root = val_none();
	value hist = ex.type == V_DICT ? val_dict_gets(ex, "exceptionHistory") : val_undef();
	value entries = hist.type == V_DICT ? val_dict_gets(hist, "entries") : val_undef();
	if (entries.type == V_LIST && entries.l->len) {
		value st = val_dict_gets(entries.l->items[0], "stacktrace");
		if (st.type == V_STR)
			root = st;
	}
	if (root.type == V_NONE && ex.type == V_DICT && val_dict_gets(ex, "root-exception").type == V_STR)
		root = val_dict_gets(ex, "root-exception");
	if (root.type == V_STR) {
		/* its deepest cause, one line */
		const char *t = root.s, *last = t;
		for (const char *p = strstr(t, "Caused by: "); p; p = strstr(p + 1, "Caused by: "))
			last = p + 11;
		root = val_str(arena_strndup(a, last, strcspn(last, "\n")));
	}
	val_dict_sets(d, "root_exception", root);
	*pout = d;
	return 0;
}
