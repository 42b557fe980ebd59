/*
 * Statements on the gateway: submit, status, cancel, close, the paged fetch of results, and
 * flink_statement_run, which drives one statement from submission to its end.
 *
 * DESIGN
 * A statement is asynchronous on the gateway (REST reference §4.9, §6): POST …/statements only
 * queues it; parse and validation errors, the job id and the rows all come from GET
 * …/result/<token>. Tokens start at 0; each PAYLOAD page names the next one in nextResultUri. We
 * read the token out of that URI (or, if it does not parse, request the URI itself on the same
 * base) and move to it only after a page was read in full, so a failed fetch is repeated with the
 * same token, which the gateway allows ("N or N-1"). NOT_READY pages keep token 0 and empty
 * PAYLOAD pages are normal while a streaming job produces nothing: the run loop sleeps after
 * both, 5 ms at first and twice as long each time up to poll_interval_ms. After EOS the
 * operation answers EOS without asking again.
 * On v1 gateways the fetch URL has no rowFormat; on v2+ it always asks for rowFormat=JSON.
 *
 * flink_statement_run always closes the operation at the end, also after errors, the timeout,
 * the interrupt and early stops: closing a query's operation is what stops its job. The close
 * itself uses neither the run's deadline nor its interrupt flag, so it still goes out after them.
 * A statement is never submitted twice (see http.c).
 */
#include "flink/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"INITIALIZED", "PENDING", "RUNNING", "FINISHED",
					   "CANCELED", "CLOSED", "ERROR", "TIMEOUT"};

const char *flink_op_status_name(enum flink_op_status st)
{
	return (unsigned)st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st] : "?";
}

bool flink_op_status_terminal(enum flink_op_status st)
{
	return st == FLINK_OP_FINISHED || st == FLINK_OP_CANCELED || st == FLINK_OP_CLOSED ||
	       st == FLINK_OP_ERROR || st == FLINK_OP_TIMEOUT;
}

const char *flink_row_kind_name(enum flink_row_kind k)
{
	switch (k) {
	case FLINK_ROW_INSERT: return "INSERT";
	case FLINK_ROW_UPDATE_BEFORE: return "UPDATE_BEFORE";
	case FLINK_ROW_UPDATE_AFTER: return "UPDATE_AFTER";
	case FLINK_ROW_DELETE: return "DELETE";
	}
	return "?";
}

const char *flink_row_kind_short(enum flink_row_kind k)
{
	switch (k) {
	case FLINK_ROW_INSERT: return "+I";
	case FLINK_ROW_UPDATE_BEFORE: return "-U";
	case FLINK_ROW_UPDATE_AFTER: return "+U";
	case FLINK_ROW_DELETE: return "-D";
	}
	return "?";
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
			return false;
	return true;
}

/* Checks that op can talk to the gateway; fills err otherwise */
static flink_code usable(const flink_operation *op, struct flink_error *err)
{
	if (!op) {
		fl_err_set(err, FLINK_E_ARG, 0, "no operation given");
		return FLINK_E_ARG;
	}
	if (!op->session) {
		fl_err_set(err, FLINK_E_ARG, 0, "operation '%s' belongs to a closed session", op->handle);
		fl_err_set_statement(err, op->statement);
		return FLINK_E_ARG;
	}
	if (!atomic_load(&op->session->alive)) {
		fl_err_set(err, FLINK_E_SESSION_GONE, 0,
			   "session '%s' does not exist any more on the gateway", op->session->handle);
		fl_err_set_statement(err, op->statement);
		return FLINK_E_SESSION_GONE;
	}
	return FLINK_OK;
}

static void op_path(struct fl_buf *b, const flink_operation *op, const char *tail)
{
	const flink_session *s = op->session;
	fl_buf_addf(b, "/%s/sessions/%s/operations/%s/%s", s->client->api, s->handle, op->handle,
		    tail);
}

flink_code flink_statement_submit(flink_session *s, const char *statement,
				  const struct flink_exec_options *o, flink_operation **pop,
				  struct flink_error *err)
{
	if (pop)
		*pop = NULL;
	if (!s || !pop || !statement || blank(statement)) {
		fl_err_set(err, FLINK_E_ARG, 0, "%s", !statement || (s && pop) ? "empty statement"
									    : "no session given");
		return FLINK_E_ARG;
	}
	if (!atomic_load(&s->alive)) {
		fl_err_set(err, FLINK_E_SESSION_GONE, 0,
			   "session '%s' does not exist any more on the gateway", s->handle);
		fl_err_set_statement(err, statement);
		return FLINK_E_SESSION_GONE;
	}
	/* executionTimeout is never sent: every released gateway rejects a positive one */
	json_t *body = json_object();
	json_t *sj = json_string(statement);
	if (!sj || json_object_set_new(body, "statement", sj)) {
		json_decref(body);
		fl_err_set(err, FLINK_E_ARG, 0, "statement is not valid UTF-8");
		fl_err_set_statement(err, statement);
		return FLINK_E_ARG;
	}
	if (o && o->nconfig) {
		json_t *cfg = json_object();
		for (size_t i = 0; i < o->nconfig; i++) {
			const struct flink_kv *kv = &o->config[i];
			if (!kv->key || !kv->value ||
			    json_object_set_new(cfg, kv->key, json_string(kv->value))) {
				json_decref(cfg);
				json_decref(body);
				fl_err_set(err, FLINK_E_ARG, 0,
					   "execution option %zu is missing or not valid UTF-8", i + 1);
				fl_err_set_statement(err, statement);
				return FLINK_E_ARG;
			}
		}
		json_object_set_new(body, "executionConfig", cfg);
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);

	char path[160];
	snprintf(path, sizeof(path), "/%s/sessions/%s/statements", s->client->api, s->handle);
	struct fl_request rq = {.method = "POST", .path = path, .body = text,
				.retry = FL_RETRY_CONNECT_ONLY};
	struct fl_response rs;
	json_t *root = NULL;
	flink_code code = fl_session_http(s, &rq, &rs, err);
	free(text);
	if (code)
		goto out;
	root = fl_parse_object(&rs, rq.method, path, err);
	const char *h = fl_json_get_str(root, "operationHandle");
	if (!fl_handle_ok(h)) {
		if (root)
			fl_err_set(err, FLINK_E_PROTOCOL, 200,
				   "answer to 'POST %s' has no usable 'operationHandle'", path);
		fl_err_set_request(err, "POST", path);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	flink_operation *op = fl_xcalloc(1, sizeof(*op));
	op->session = s;
	op->handle = fl_xstrdup(h);
	op->statement = fl_xstrdup(statement);
	op->next = s->ops;
	if (s->ops)
		s->ops->prev = op;
	s->ops = op;
	*pop = op;
out:
	if (code)
		fl_err_set_statement(err, statement);
	json_decref(root);
	fl_response_release(&rs);
	return code;
}

const char *flink_operation_handle(const flink_operation *op)
{
	return op ? op->handle : NULL;
}

const char *flink_operation_statement(const flink_operation *op)
{
	return op ? op->statement : NULL;
}

const struct flink_column *flink_operation_columns(const flink_operation *op, size_t *pn)
{
	if (pn)
		*pn = op && op->cols ? op->cols->n : 0;
	return op && op->cols ? op->cols->cols : NULL;
}

static int status_from_name(const char *s, enum flink_op_status *pst)
{
	for (size_t i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*pst = (enum flink_op_status)i;
			return 0;
		}
	return -1;
}

/* GET status / POST cancel: both answer {"status": "..."} */
static flink_code status_call(flink_operation *op, const char *method, const char *tail,
			      enum fl_retry retry, enum flink_op_status *pstatus,
			      struct flink_error *err)
{
	flink_code code = usable(op, err);
	if (code)
		return code;
	struct fl_buf path = FL_BUF_INIT;
	op_path(&path, op, tail);
	struct fl_request rq = {.method = method, .path = path.p, .retry = retry};
	struct fl_response rs;
	json_t *root = NULL;
	code = fl_session_http(op->session, &rq, &rs, err);
	if (code)
		goto out;
	root = fl_parse_object(&rs, method, path.p, err);
	enum flink_op_status st;
	if (!root || status_from_name(fl_json_get_str(root, "status"), &st)) {
		if (root)
			fl_err_set(err, FLINK_E_PROTOCOL, 200,
				   "answer to '%s %s' has no known 'status'", method, path.p);
		fl_err_set_request(err, method, path.p);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	if (pstatus)
		*pstatus = st;
out:
	if (code)
		fl_err_set_statement(err, op->statement);
	json_decref(root);
	fl_response_release(&rs);
	fl_buf_release(&path);
	return code;
}

flink_code flink_operation_status(flink_operation *op, enum flink_op_status *pstatus,
				  struct flink_error *err)
{
	return status_call(op, "GET", "status", FL_RETRY_SAFE, pstatus, err);
}

flink_code flink_operation_cancel(flink_operation *op, struct flink_error *err)
{
	return status_call(op, "POST", "cancel", FL_RETRY_CONNECT_ONLY, NULL, err);
}

static void op_free(flink_operation *op)
{
	flink_session *s = op->session;
	if (s) {
		if (op->prev)
			op->prev->next = op->next;
		else if (s->ops == op)
			s->ops = op->next;
		if (op->next)
			op->next->prev = op->prev;
	}
	fl_colset_free(op->cols);
	free(op->next_path);
	free(op->handle);
	free(op->statement);
	free(op);
}

flink_code flink_operation_close(flink_operation *op, struct flink_error *err)
{
	if (!op)
		return FLINK_OK;
	flink_code code = FLINK_OK;
	/* a closed or forgotten session took its operations with it */
	if (op->session && atomic_load(&op->session->alive)) {
		struct fl_buf path = FL_BUF_INIT;
		op_path(&path, op, "close");
		struct fl_request rq = {.method = "DELETE", .path = path.p, .retry = FL_RETRY_SAFE};
		struct fl_response rs;
		code = fl_session_http(op->session, &rq, &rs, err);
		if (code == FLINK_E_SESSION_GONE) {
			flink_error_release(err);
			code = FLINK_OK;
		} else if (code) {
			fl_err_set_statement(err, op->statement);
		}
		fl_response_release(&rs);
		fl_buf_release(&path);
	}
	op_free(op);
	return code;
}

static struct flink_page *eos_page(const flink_operation *op)
{
	struct fl_page *p = fl_xcalloc(1, sizeof(*p));
	p->pub.type = FLINK_RESULT_EOS;
	if (op->cols) {
		p->pub.ncols = op->cols->n;
		p->pub.cols = op->cols->cols;
	}
	return &p->pub;
}

/* flink_operation_fetch with the overall limits of a run */
static flink_code fl_operation_fetch(flink_operation *op, long long deadline,
				     volatile sig_atomic_t *interrupt, struct flink_page **ppage,
				     struct flink_error *err)
{
	if (ppage)
		*ppage = NULL;
	if (!ppage) {
		fl_err_set(err, FLINK_E_ARG, 0, "no page pointer given");
		return FLINK_E_ARG;
	}
	if (op && op->eos) {
		*ppage = eos_page(op);
		return FLINK_OK;
	}
	flink_code code = usable(op, err);
	if (code)
		return code;
	struct fl_buf path = FL_BUF_INIT;
	if (op->next_path) {
		fl_buf_adds(&path, op->next_path);
	} else {
		char tail[48];
		snprintf(tail, sizeof(tail), "result/%lld%s", (long long)op->token,
			 op->session->client->api_num >= 2 ? "?rowFormat=JSON" : "");
		op_path(&path, op, tail);
	}
	struct fl_request rq = {.method = "GET", .path = path.p, .retry = FL_RETRY_SAFE,
				.deadline = deadline, .interrupt = interrupt};
	struct fl_response rs;
	char *next = NULL;
	struct flink_page *page = NULL;
	struct flink_error local;
	flink_error_init(&local);
	code = fl_session_http(op->session, &rq, &rs, &local);
	/* "Can not fetch results from the <oh> in CANCELED status." */
	if (code == FLINK_E_GATEWAY && local.server_trace &&
	    strstr(local.server_trace, "in CANCELED status"))
		local.code = code = FLINK_E_CANCELED;
	if (code)
		fl_err_move(err, &local);
	flink_error_release(&local);
	if (code)
		goto out;
	code = fl_page_parse(fl_buf_str(&rs.body), rs.body.len, &op->cols, &page, &next, err);
	if (code) {
		fl_err_set_request(err, "GET", path.p);
		goto out;
	}
	/* move on only now that the page is in hand: a failed fetch repeats the same token */
	if (page->type == FLINK_RESULT_EOS) {
		op->eos = true;
	} else if (next) {
		int64_t tok;
		free(op->next_path);
		op->next_path = NULL;
		if (fl_next_uri_token(next, &tok) == 0) {
			op->token = tok;
		} else if (next[0] == '/') {
			op->next_path = next;
			next = NULL;
		} else {
			fl_err_set(err, FLINK_E_PROTOCOL, 200, "unusable 'nextResultUri' in the answer to "
				   "'GET %s'", path.p);
			fl_err_set_request(err, "GET", path.p);
			code = FLINK_E_PROTOCOL;
			goto out;
		}
	} else if (page->type == FLINK_RESULT_PAYLOAD) {
		op->eos = true; /* a payload with no next page is the last one */
	}
	*ppage = page;
	page = NULL;
out:
	if (code)
		fl_err_set_statement(err, op->statement);
	flink_page_free(page);
	free(next);
	fl_response_release(&rs);
	fl_buf_release(&path);
	return code;
}

flink_code flink_operation_fetch(flink_operation *op, struct flink_page **ppage,
				 struct flink_error *err)
{
	return fl_operation_fetch(op, 0, NULL, ppage, err);
}

/* ---------------------------------------------------------------- running to the end */

/* The job id of a page: jobID, or the "job id" column of an INSERT's answer */
static const char *page_job_id(const struct flink_page *p)
{
	if (p->job_id)
		return p->job_id;
	if (!p->is_query && p->ncols == 1 && strcmp(p->cols[0].name, "job id") == 0 && p->nrows &&
	    p->rows[0].fields[0].kind == FLINK_V_STRING)
		return p->rows[0].fields[0].text;
	return NULL;
}

static bool sleep_poll(long ms, long long deadline, volatile sig_atomic_t *interrupt)
{
	if (deadline) {
		long long left = deadline - fl_now_ms();
		if (left < ms)
			ms = left > 0 ? (long)left : 0;
	}
	return fl_sleep_ms(ms, interrupt, NULL);
}

/* The final rows of a folded changelog to on_row, at most max_rows */
void fl_deliver_snapshot(flink_snapshot *snap, size_t ncols, const struct flink_handler *h)
{
	const struct flink_row *rows;
	size_t n = flink_snapshot_rows(snap, &rows);
	if (h->max_rows > 0 && n > (size_t)h->max_rows)
		n = (size_t)h->max_rows;
	for (size_t i = 0; i < n && h->on_row; i++)
		if (h->on_row(h->ud, &rows[i], ncols) != 0)
			break;
}

/* A page's rows: folded into snap when there is one, else handed to on_row while under max_rows.
 * Sets *pstop when the run should end; returns the fold's error, else FLINK_OK. */
flink_code fl_deliver_page(flink_snapshot *snap, const struct flink_page *page, const struct flink_handler *h,
			   struct flink_run_info *info, bool *pstop, struct flink_error *err)
{
	flink_code code = FLINK_OK;
	for (size_t i = 0; snap && !*pstop && i < page->nrows; i++) {
		info->rows++;
		code = flink_snapshot_apply(snap, &page->rows[i], err);
		if (code)
			*pstop = true;
	}
	for (size_t i = 0; !snap && !*pstop && i < page->nrows; i++) {
		if (h && h->max_rows > 0 && info->rows >= h->max_rows) {
			*pstop = true;
			break;
		}
		info->rows++;
		if (h && h->on_row && h->on_row(h->ud, &page->rows[i], page->ncols))
			*pstop = true;
	}
	return code;
}

flink_code flink_statement_run(flink_session *s, const char *statement,
			       const struct flink_exec_options *o, const struct flink_handler *h,
			       struct flink_run_info *info, struct flink_error *err)
{
	struct flink_run_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	long long t0 = fl_now_ms();
	long long deadline = h && h->timeout_ms > 0 ? t0 + h->timeout_ms : 0;
	volatile sig_atomic_t *interrupt = h ? h->interrupt : NULL;
	if (interrupt && *interrupt) {
		fl_err_set(err, FLINK_E_INTERRUPTED, 0, "interrupted before the statement was submitted");
		fl_err_set_statement(err, statement);
		return FLINK_E_INTERRUPTED;
	}
	flink_operation *op = NULL;
	flink_code code = flink_statement_submit(s, statement, o, &op, err);
	if (code)
		return code;
	snprintf(info->operation, sizeof(info->operation), "%s", op->handle);

	bool columns_seen = false;
	flink_snapshot *snap = NULL;
	size_t snap_cols = 0;
	/* most statements (DDL, SHOW, small queries) are answered within milliseconds: poll soon,
	 * then back off to poll_interval_ms, and start over after rows arrived */
	long max_poll = s->client->poll_interval_ms, poll = max_poll < 5 ? max_poll : 5;
	for (;;) {
		if (interrupt && *interrupt) {
			code = FLINK_E_INTERRUPTED;
			fl_err_set(err, code, 0, "interrupted");
			break;
		}
		if (deadline && fl_now_ms() >= deadline) {
			code = FLINK_E_TIMEOUT;
			fl_err_set(err, code, 0, "statement did not finish within %ld ms", h->timeout_ms);
			break;
		}
		struct flink_page *page = NULL;
		code = fl_operation_fetch(op, deadline, interrupt, &page, err);
		if (code) {
			if (code == FLINK_E_TIMEOUT && deadline && fl_now_ms() >= deadline - 5)
				fl_err_set(err, code, 0, "statement did not finish within %ld ms",
					   h->timeout_ms);
			break;
		}
		if (page->type == FLINK_RESULT_NOT_READY) {
			flink_page_free(page);
			sleep_poll(poll, deadline, interrupt);
			poll = poll * 2 > max_poll ? max_poll : poll * 2;
			continue;
		}
		const char *job = page_job_id(page);
		if (job && !info->job_id[0])
			snprintf(info->job_id, sizeof(info->job_id), "%s", job);
		bool stop = false;
		if (!columns_seen && (page->type == FLINK_RESULT_PAYLOAD || page->ncols)) {
			columns_seen = true;
			info->is_query = page->is_query;
			info->kind = page->kind;
			if (h && h->on_columns &&
			    h->on_columns(h->ud, page->cols, page->ncols, job, page->is_query))
				stop = true;
			if (h && h->snapshot && page->is_query) {
				snap = flink_snapshot_new(page->ncols, NULL, 0);
				snap_cols = page->ncols;
			}
		}
		code = fl_deliver_page(snap, page, h, info, &stop, err);
		if (!snap && !stop && h && h->max_rows > 0 && info->rows >= h->max_rows &&
		    page->type != FLINK_RESULT_EOS)
			stop = true;
		bool eos = page->type == FLINK_RESULT_EOS;
		bool empty = page->nrows == 0;
		flink_page_free(page);
		if (stop)
			break;
		if (eos) {
			info->eos = true;
			break;
		}
		if (op->eos) { /* the last payload: EOS comes without another request */
			info->eos = true;
			break;
		}
		if (empty) {
			sleep_poll(poll, deadline, interrupt);
			poll = poll * 2 > max_poll ? max_poll : poll * 2;
		} else {
			poll = max_poll < 5 ? max_poll : 5;
		}
	}
	if (snap && !code && info->eos)
		fl_deliver_snapshot(snap, snap_cols, h);
	flink_snapshot_free(snap);
	if (code)
		fl_err_set_statement(err, statement);

	struct flink_error cerr;
	flink_error_init(&cerr);
	if (code == FLINK_E_INTERRUPTED) {
		/* Ctrl-C: the gateway's cancel stops a statement still running (a submitted INSERT's job
		 * is not the statement: it keeps running); one that finished refuses it, harmlessly */
		flink_code refused = flink_operation_cancel(op, &cerr);
		(void)refused;
		flink_error_release(&cerr);
		flink_error_init(&cerr);
	}
	flink_code ccode = flink_operation_close(op, &cerr);
	if (ccode && !code) {
		code = ccode;
		fl_err_move(err, &cerr);
	}
	flink_error_release(&cerr);
	return code;
}
