/*
 * Sessions and operations of the gateway double: their states, the statement workers and the
 * paging of results, as §4–§6 of the REST reference describe the real gateway.
 *
 * DESIGN
 * A statement is asynchronous. POST …/statements registers an INITIALIZED operation, takes the
 * session's one-statement "semaphore" (s->busy) on the HTTP thread — waiting while an earlier
 * statement of the session still executes, as the gateway's Semaphore(1) does — moves it to
 * PENDING and starts a worker thread. The worker moves it to RUNNING, applies the request's
 * faults (slow, stuck, fail), runs it in the engine with gw.mu released, waits for the job under
 * table.dml-sync, and ends it FINISHED or ERROR unless it was canceled or closed meanwhile; then
 * it gives the semaphore back. Every state change goes through move(), which allows only the
 * transitions of §5.1, and is broadcast on gw.cv, which is what every waiter (a blocked POST,
 * a slow or stuck worker, a closing session) sleeps on.
 *
 * Results are handed out as the gateway's ResultFetcher does: a current token N; fetching N
 * moves forward (the rows of the page are kept), fetching N-1 again returns the same rows, any
 * other token fails. Unlike the gateway, which sends everything buffered in one page, pages hold
 * at most --page-rows rows so that clients exercise paging, and a query's first page is empty,
 * as a real one usually is while its job starts. A streaming result is polled on every fetch;
 * it reaches EOS only when its stream ended.
 */
#include "gw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"

static const char *const status_names[] = {
	"INITIALIZED", "PENDING", "RUNNING", "FINISHED", "CANCELED", "CLOSED", "ERROR", "TIMEOUT",
};

const char *gw_status_name(enum gw_status s)
{
	return status_names[s];
}

bool gw_status_terminal(enum gw_status s)
{
	return s == ST_FINISHED || s == ST_CANCELED || s == ST_CLOSED || s == ST_ERROR || s == ST_TIMEOUT;
}

bool gw_status_can_move(enum gw_status from, enum gw_status to)
{
	switch (from) {
	case ST_INITIALIZED:
		return to == ST_PENDING || to == ST_CANCELED || to == ST_CLOSED || to == ST_TIMEOUT || to == ST_ERROR;
	case ST_PENDING:
		return to == ST_RUNNING || to == ST_CANCELED || to == ST_CLOSED || to == ST_TIMEOUT || to == ST_ERROR;
	case ST_RUNNING:
		return to == ST_FINISHED || to == ST_CANCELED || to == ST_CLOSED || to == ST_TIMEOUT || to == ST_ERROR;
	case ST_FINISHED:
	case ST_CANCELED:
	case ST_TIMEOUT:
	case ST_ERROR:
		return to == ST_CLOSED;
	case ST_CLOSED:
		return false;
	}
	return false;
}

static bool move(struct gw *g, struct gw_op *op, enum gw_status to)
{
	if (!gw_status_can_move(op->status, to))
		return false;
	op->status = to;
	pthread_cond_broadcast(&g->cv);
	return true;
}

int64_t gw_now_ms(void)
{
	return (int64_t)fg_clock_monotonic_ms();
}

void gw_uuid(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		die("cannot read random bytes: %s", strerror(errno));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* Waits on gw.cv until the deadline (monotonic ms) or a broadcast */
static void wait_until(struct gw *g, int64_t deadline_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t left = deadline_ms - gw_now_ms();
	if (left <= 0)
		return;
	if (left > 200)
		left = 200;
	ts.tv_sec += (time_t)(left / 1000);
	ts.tv_nsec += (long)(left % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&g->cv, &g->mu, &ts);
}

/* ---- sessions ----------------------------------------------------------------------------- */

struct gw_session *gw_session_open(struct gw *g, const char *name, json_t *props)
{
	struct gw_session *s = xcalloc(1, sizeof(*s));
	gw_uuid(s->id);
	s->refs = 2;  /* the list's and the caller's */
	s->name = name ? xstrdup(name) : NULL;
	s->props = props ? json_incref(props) : json_object();
	s->fs = fg_session_new(g->engine, s->props);
	s->created_ms = s->touched_ms = gw_now_ms();
	s->next = g->sessions;
	g->sessions = s;
	return s;
}

struct gw_session *gw_session_get(struct gw *g, const char *id)
{
	for (struct gw_session *s = g->sessions; s; s = s->next)
		if (!s->closed && !strcmp(s->id, id)) {
			s->touched_ms = gw_now_ms();
			s->refs++;
			return s;
		}
	return NULL;
}

void gw_session_put(struct gw *g, struct gw_session *s)
{
	(void)g;
	if (!s || --s->refs > 0)
		return;
	free(s->name);
	json_decref(s->props);
	free(s);
}

static void op_close_stream(struct gw_op *op)
{
	if (op->have_result && op->res.stream) {
		fg_stream_close(op->res.stream);
		op->res.stream = NULL;
	}
}

void gw_session_close(struct gw *g, struct gw_session *s)
{
	if (s->closed)
		return;
	s->closed = true;
	for (struct gw_session **pp = &g->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	while (s->ops) {
		struct gw_op *op = s->ops;
		s->ops = op->next;
		move(g, op, ST_CLOSED);
		op_close_stream(op);
		gw_op_put(g, op);
	}
	pthread_cond_broadcast(&g->cv);
	/* a statement still executing in the engine keeps the session's engine state in use */
	while (s->busy)
		pthread_cond_wait(&g->cv, &g->mu);
	if (s->fs) {
		fg_session_free(s->fs);
		s->fs = NULL;
	}
	gw_session_put(g, s);  /* the list's reference */
}

void gw_expire_all(struct gw *g)
{
	while (g->sessions) {
		struct gw_session *s = g->sessions;
		s->refs++;
		gw_session_close(g, s);
		gw_session_put(g, s);
	}
}

/* ---- operations --------------------------------------------------------------------------- */

struct gw_op *gw_op_find(struct gw_session *s, const char *id)
{
	for (struct gw_op *op = s->ops; op; op = op->next)
		if (!strcmp(op->id, id))
			return op;
	return NULL;
}

void gw_op_put(struct gw *g, struct gw_op *op)
{
	(void)g;
	if (!op || --op->refs > 0)
		return;
	if (op->have_result) {
		op_close_stream(op);
		fg_result_release(&op->res);
	}
	gw_causes_release(&op->error);
	json_decref(op->pending);
	json_decref(op->prev);
	json_decref(op->exec_config);
	free(op->statement);
	free(op->fail_msg);
	free(op->fail_job_msg);
	free(op->stream_failure);
	free(op);
}

static void unlink_op(struct gw_session *s, struct gw_op *op)
{
	for (struct gw_op **pp = &s->ops; *pp; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			op->next = NULL;
			return;
		}
}

static void set_error_from(struct gw_op *op, const struct fg_result *r)
{
	gw_causes_release(&op->error);
	for (int i = 0; i < r->ncauses && i < 4; i++)
		gw_causes_add(&op->error, r->causes[i].cls ? r->causes[i].cls : "java.lang.RuntimeException",
			      r->causes[i].msg ? "%s" : NULL, r->causes[i].msg);
	if (!op->error.n)
		gw_causes_add(&op->error, "java.lang.RuntimeException", "statement failed");
}

/* Whether s[0..n) reads as a Java class name ("java.lang.RuntimeException"): no blanks, a dot */
static bool java_class(const char *s, size_t n)
{
	if (!n || !memchr(s, '.', n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == ':')
			return false;
	return true;
}

/*
 * Appends a failed job's causes to a chain. The engine words a job's failure as Java prints a
 * chain ("<cls>: <msg>\nCaused by: <cls>: <msg>…", starting with JobExecutionException), so each
 * link becomes a cause of its own instead of the whole text becoming one message; a failure that
 * is not worded so (a bare reason) becomes a RuntimeException under "Job execution failed.".
 */
static void add_job_failure(struct gw_causes *c, const char *failure)
{
	static const char sep[] = "\nCaused by: ";
	const char *p = failure && *failure ? failure : "job failed";
	bool first = true;
	while (p) {
		const char *end = strstr(p, sep);
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *colon = NULL;
		for (const char *q = p; q + 1 < p + n; q++)
			if (q[0] == ':' && q[1] == ' ') {
				colon = q;
				break;
			}
		size_t cls_n = colon ? (size_t)(colon - p) : n;
		bool linked = java_class(p, cls_n);
		if (first && !(linked && cls_n == strlen(JAVA_JOB_EXEC_EXC) && !strncmp(p, JAVA_JOB_EXEC_EXC, cls_n)))
			gw_causes_add(c, JAVA_JOB_EXEC_EXC, "Job execution failed.");
		first = false;
		if (!linked) {
			gw_causes_add(c, "java.lang.RuntimeException", "%.*s", (int)n, p);
		} else {
			struct sb cls = SB_INIT;
			sb_add(&cls, p, cls_n);
			if (colon)
				gw_causes_add(c, cls.buf, "%.*s", (int)(n - cls_n - 2), colon + 2);
			else
				gw_causes_add(c, cls.buf, NULL);
			sb_release(&cls);
		}
		p = end ? end + strlen(sep) : NULL;
	}
}

static void discard(struct fg_result *r)
{
	if (r->stream) {
		fg_stream_close(r->stream);
		r->stream = NULL;
	}
	fg_result_release(r);
}

struct worker_arg {
	struct gw *g;
	struct gw_op *op;
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct gw *g = wa->g;
	struct gw_op *op = wa->op;
	struct gw_session *s = op->s;
	free(wa);

	pthread_mutex_lock(&g->mu);
	if (!move(g, op, ST_RUNNING))
		goto done;
	if (op->slow_ms > 0) {
		int64_t deadline = gw_now_ms() + op->slow_ms;
		while (op->status == ST_RUNNING && !g->stopping && gw_now_ms() < deadline)
			wait_until(g, deadline);
	}
	while (op->stuck && op->status == ST_RUNNING && !g->stopping)
		pthread_cond_wait(&g->cv, &g->mu);
	if (op->status != ST_RUNNING || g->stopping)
		goto done;
	if (op->fail_msg) {
		gw_causes_add(&op->error, "org.apache.flink.table.api.TableException", "%s", op->fail_msg);
		move(g, op, ST_ERROR);
		goto done;
	}
	struct fg_session *fs = s->fs;
	const char *stmt = op->statement;
	json_t *exec_config = op->exec_config;
	bool fail_job = op->fail_job;
	char *fail_job_msg = op->fail_job_msg;
	pthread_mutex_unlock(&g->mu);

	struct fg_result r;
	memset(&r, 0, sizeof(r));
	if (stmt) {
		fg_execute(fs, stmt, exec_config, &r);
	} else {
		/* ExecuteStatementRequestBody without a statement: the parser gets null */
		r.ok = false;
		r.ncauses = 1;
		r.causes[0].cls = xstrdup("java.lang.NullPointerException");
	}
	if (r.ok && fail_job && r.job_id[0])
		fg_engine_fail_job(g->engine, r.job_id, fail_job_msg ? fail_job_msg : "injected job failure");
	bool job_failed = false;
	char *failure = NULL;
	if (r.ok && r.wait_for_job && r.job_id[0]) {
		pthread_mutex_lock(&g->mu);
		for (;;) {
			if (op->status != ST_RUNNING || g->stopping)
				break;
			bool failed = false;
			char *why = NULL;
			if (fg_job_done(g->engine, r.job_id, &failed, &why)) {
				job_failed = failed;
				failure = why;
				break;
			}
			free(why);
			wait_until(g, gw_now_ms() + 20);
		}
		pthread_mutex_unlock(&g->mu);
	}

	pthread_mutex_lock(&g->mu);
	if (op->status != ST_RUNNING || g->stopping) {
		discard(&r);
	} else if (!r.ok) {
		set_error_from(op, &r);
		discard(&r);
		move(g, op, ST_ERROR);
	} else if (job_failed) {
		gw_causes_add(&op->error, "org.apache.flink.table.api.TableException", "Failed to wait job finish");
		gw_causes_add(&op->error, "java.util.concurrent.ExecutionException",
			      "org.apache.flink.client.program.ProgramInvocationException: Job failed (JobID: %s)", r.job_id);
		gw_causes_add(&op->error, "org.apache.flink.client.program.ProgramInvocationException",
			      "Job failed (JobID: %s)", r.job_id);
		add_job_failure(&op->error, failure);
		discard(&r);
		move(g, op, ST_ERROR);
	} else {
		op->res = r;
		op->have_result = true;
		if (r.rows)
			json_array_extend(op->pending, r.rows);
		move(g, op, ST_FINISHED);
	}
	free(failure);
done:
	s->busy = false;
	g->workers--;
	pthread_cond_broadcast(&g->cv);
	gw_op_put(g, op);
	gw_session_put(g, s);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Takes the session's semaphore for op (NULL: configure-session); false when the session or the
 * server went away, or op was closed, while waiting */
static bool acquire(struct gw *g, struct gw_session *s, struct gw_op *op)
{
	while (s->busy && !s->closed && !g->stopping && (!op || op->status == ST_INITIALIZED))
		pthread_cond_wait(&g->cv, &g->mu);
	if (s->closed || g->stopping || (op && op->status != ST_INITIALIZED))
		return false;
	s->busy = true;
	return true;
}

static void apply_fault(struct gw_op *op, const struct gw_fault_hit *f)
{
	if (!f || !f->hit)
		return;
	switch (f->action) {
	case FA_SLOW: op->slow_ms = f->delay_ms; break;
	case FA_STUCK: op->stuck = true; break;
	case FA_FAIL: op->fail_msg = xstrdup(f->has_message ? f->message : "injected failure"); break;
	case FA_FAIL_JOB:
		op->fail_job = true;
		op->fail_job_msg = f->has_message ? xstrdup(f->message) : NULL;
		break;
	default: break;
	}
}

struct gw_op *gw_op_submit(struct gw *g, struct gw_session *s, long seq, const char *statement,
			   json_t *exec_config, const struct gw_fault_hit *fault, struct gw_causes *pcauses)
{
	struct gw_op *op = xcalloc(1, sizeof(*op));
	gw_uuid(op->id);
	op->s = s;
	op->refs = 2;  /* the session's list and ours while we wait */
	op->seq = seq;
	op->status = ST_INITIALIZED;
	op->statement = statement ? xstrdup(statement) : NULL;
	op->exec_config = exec_config ? json_incref(exec_config) : NULL;
	op->pending = json_array();
	op->prev = json_array();
	op->not_ready_left = g->o.not_ready;
	apply_fault(op, fault);
	op->next = s->ops;
	s->ops = op;

	if (!acquire(g, s, op)) {
		gw_causes_add(pcauses, JAVA_GW_EXC, "Failed to submit the operation to the thread pool.");
		gw_causes_add(pcauses, JAVA_GW_EXC, "Failed to convert the Operation Status from %s to PENDING for %s.",
			      gw_status_name(op->status == ST_INITIALIZED ? ST_CLOSED : op->status), op->id);
		if (!s->closed) {
			unlink_op(s, op);
			gw_op_put(g, op);
		}
		gw_op_put(g, op);
		return NULL;
	}
	move(g, op, ST_PENDING);
	struct worker_arg *wa = xmalloc(sizeof(*wa));
	wa->g = g;
	wa->op = op;
	op->refs++;  /* the worker's */
	s->refs++;
	g->workers++;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, worker, wa))
		die("cannot start a statement thread");
	pthread_attr_destroy(&attr);
	return op;
}

int gw_configure(struct gw *g, struct gw_session *s, const char *statement, const struct gw_fault_hit *fault,
		 struct gw_causes *pcauses)
{
	char op_id[37];
	gw_uuid(op_id);
	if (!acquire(g, s, NULL)) {
		gw_causes_add(pcauses, JAVA_GW_EXC, "The OperationManager is closed.");
		return -1;
	}
	int rc = 0;
	if (fault && fault->hit && fault->action == FA_SLOW) {
		int64_t deadline = gw_now_ms() + fault->delay_ms;
		while (!s->closed && !g->stopping && gw_now_ms() < deadline)
			wait_until(g, deadline);
	}
	while (fault && fault->hit && fault->action == FA_STUCK && !s->closed && !g->stopping)
		pthread_cond_wait(&g->cv, &g->mu);
	if (s->closed || g->stopping) {
		gw_causes_add(pcauses, JAVA_EXEC_EXC, "Failed to execute the operation %s.", op_id);
		gw_causes_add(pcauses, "java.lang.InterruptedException", NULL);
		rc = -1;
		goto out;
	}
	if (fault && fault->hit && fault->action == FA_FAIL) {
		gw_causes_add(pcauses, JAVA_EXEC_EXC, "Failed to execute the operation %s.", op_id);
		gw_causes_add(pcauses, "org.apache.flink.table.api.TableException", "%s",
			      fault->has_message ? fault->message : "injected failure");
		rc = -1;
		goto out;
	}
	struct fg_session *fs = s->fs;
	pthread_mutex_unlock(&g->mu);
	struct fg_result r;
	memset(&r, 0, sizeof(r));
	fg_configure(fs, statement ? statement : "", &r);
	pthread_mutex_lock(&g->mu);
	if (!r.ok) {
		gw_causes_add(pcauses, JAVA_EXEC_EXC, "Failed to execute the operation %s.", op_id);
		for (int i = 0; i < r.ncauses && i < 4; i++)
			gw_causes_add(pcauses, r.causes[i].cls ? r.causes[i].cls : "java.lang.RuntimeException",
				      r.causes[i].msg ? "%s" : NULL, r.causes[i].msg);
		rc = -1;
	}
	discard(&r);
out:
	s->busy = false;
	pthread_cond_broadcast(&g->cv);
	return rc;
}

int gw_op_cancel(struct gw *g, struct gw_op *op, char *msg, size_t msgsz)
{
	if (!gw_status_can_move(op->status, ST_CANCELED)) {
		snprintf(msg, msgsz, "Failed to convert the Operation Status from %s to CANCELED for %s.",
			 gw_status_name(op->status), op->id);
		return -1;
	}
	move(g, op, ST_CANCELED);
	op_close_stream(op);
	return 0;
}

void gw_op_close(struct gw *g, struct gw_session *s, const char *op_id)
{
	struct gw_op *op = gw_op_find(s, op_id);
	if (!op)
		return;
	unlink_op(s, op);
	move(g, op, ST_CLOSED);
	op_close_stream(op);
	gw_op_put(g, op);
}

/* ---- results ------------------------------------------------------------------------------ */

static void page_header(struct gw_op *op, struct gw_page *pg)
{
	pg->columns = op->res.columns ? json_incref(op->res.columns) : json_array();
	pg->is_query = op->res.is_query;
	pg->result_kind = op->res.result_kind ? op->res.result_kind : "SUCCESS";
	snprintf(pg->job_id, sizeof(pg->job_id), "%s", op->res.job_id);
}

static void stream_failed(struct gw_op *op, struct gw_page *pg)
{
	pg->kind = PG_ERROR;
	gw_causes_add(&pg->causes, JAVA_EXEC_EXC, "Error while retrieving result.");
	gw_causes_add(&pg->causes, "java.lang.RuntimeException", "Failed to fetch next result");
	add_job_failure(&pg->causes, op->stream_failure);
}

void gw_fetch(struct gw *g, struct gw_op *op, long token, struct gw_page *pg)
{
	memset(pg, 0, sizeof(*pg));
	switch (op->status) {
	case ST_ERROR:
		pg->kind = PG_ERROR;
		gw_causes_add(&pg->causes, JAVA_EXEC_EXC, "Failed to execute the operation %s.", op->id);
		for (int i = 0; i < op->error.n; i++)
			gw_causes_add(&pg->causes, op->error.v[i].cls, op->error.v[i].msg ? "%s" : NULL, op->error.v[i].msg);
		return;
	case ST_INITIALIZED:
	case ST_PENDING:
	case ST_RUNNING:
		if (op->not_ready_left > 0)
			op->not_ready_left--;
		pg->kind = PG_NOT_READY;
		return;
	case ST_FINISHED:
		break;
	default:
		pg->kind = PG_ERROR;
		gw_causes_add(&pg->causes, JAVA_GW_EXC, "Can not fetch results from the %s in %s status.", op->id,
			      gw_status_name(op->status));
		return;
	}
	if (token == 0 && op->token == 0 && op->not_ready_left > 0) {
		op->not_ready_left--;
		pg->kind = PG_NOT_READY;
		return;
	}
	if (op->stream_failed) {
		stream_failed(op, pg);
		return;
	}
	if (token == op->token) {
		if (op->no_more) {
			pg->kind = PG_EOS;
			page_header(op, pg);
			return;
		}
		json_array_clear(op->prev);
		if (json_array_size(op->pending) == 0 && op->res.stream) {
			bool ended = fg_stream_poll(op->res.stream, op->pending);
			if (ended) {
				bool failed = false;
				char *why = NULL;
				if (op->res.job_id[0] && fg_job_done(g->engine, op->res.job_id, &failed, &why) && failed) {
					op->stream_failed = true;
					op->stream_failure = why;
					why = NULL;
				}
				free(why);
				fg_stream_close(op->res.stream);
				op->res.stream = NULL;
				if (op->stream_failed) {
					stream_failed(op, pg);
					return;
				}
			}
		}
		if (op->res.is_query && !op->started) {
			op->started = true;
		} else if (json_array_size(op->pending) == 0) {
			if (!op->res.stream) {
				op->no_more = true;
				pg->kind = PG_EOS;
				page_header(op, pg);
				return;
			}
		} else {
			size_t n = json_array_size(op->pending);
			size_t take = g->o.page_rows > 0 && (size_t)g->o.page_rows < n ? (size_t)g->o.page_rows : n;
			for (size_t i = 0; i < take; i++)
				json_array_append(op->prev, json_array_get(op->pending, i));
			for (size_t i = 0; i < take; i++)
				json_array_remove(op->pending, 0);
		}
		op->token++;
		pg->kind = PG_PAYLOAD;
		pg->next_token = op->token;
		pg->rows = json_copy(op->prev);
		page_header(op, pg);
	} else if (token == op->token - 1 && token >= 0) {
		pg->kind = PG_PAYLOAD;
		pg->next_token = op->token;
		pg->rows = json_copy(op->prev);
		page_header(op, pg);
	} else {
		pg->kind = PG_ERROR;
		if (op->token == 0)
			gw_causes_add(&pg->causes, JAVA_EXEC_EXC, "Expecting token to be 0, but found %ld.", token);
		else
			gw_causes_add(&pg->causes, JAVA_EXEC_EXC, "Expecting token to be %ld or %ld, but found %ld.",
				      op->token, op->token - 1, token);
	}
}

void gw_page_release(struct gw_page *pg)
{
	json_decref(pg->rows);
	json_decref(pg->columns);
	gw_causes_release(&pg->causes);
	pg->rows = pg->columns = NULL;
}

/* ---- admin views -------------------------------------------------------------------------- */

void gw_sessions_json(struct gw *g, json_t *out)
{
	int64_t now = gw_now_ms();
	for (struct gw_session *s = g->sessions; s; s = s->next) {
		json_t *ops = json_array();
		for (struct gw_op *op = s->ops; op; op = op->next)
			json_array_append_new(ops, json_pack("{s:s,s:s,s:s?}", "operationHandle", op->id, "status",
							     gw_status_name(op->status), "statement", op->statement));
		json_t *props = gw_redact_json(s->props);
		json_array_append_new(out, json_pack("{s:s,s:s?,s:o,s:b,s:I,s:o}", "sessionHandle", s->id, "sessionName",
						     s->name, "properties", props, "busy", s->busy,
						     "idleMs", (json_int_t)(now - s->touched_ms), "operations", ops));
	}
}

void gw_statement_status(struct gw *g, json_t *rec, const char *op_id)
{
	for (struct gw_session *s = g->sessions; s; s = s->next) {
		struct gw_op *op = gw_op_find(s, op_id);
		if (op) {
			json_object_set_new(rec, "status", json_string(gw_status_name(op->status)));
			return;
		}
	}
	json_object_set_new(rec, "status", json_string("CLOSED"));
}
