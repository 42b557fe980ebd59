/*
 * flink driver against a scripted HTTP server (mockgw.h): statements from submission to close.
 * The request sequence of flink_statement_run (NOT_READY, empty and full pages, EOS, close at the
 * end), polling sleeps, callbacks, max_rows, the overall timeout, the interrupt flag, failed
 * statements, the job id of an INSERT, the v1 / Flink 1.16 path, manual paging with re-fetch of
 * a token, status, cancel, and operations outliving their session.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>

#include "mockgw.h"

#define R4 "/v4" MOCK_OPS "/result/"
#define NEXT4(n) ",\"nextResultUri\":\"" R4 #n "?rowFormat=JSON\"}"
#define JOB "3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b"
#define SELECT_HEAD                                                                              \
	"{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"" JOB "\","                   \
	"\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":["                         \
	"{\"name\":\"order_id\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null},"    \
	"{\"name\":\"amount\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2},\"comment\":null}]," \
	"\"rowFormat\":\"JSON\",\"data\":"
#define NOT_READY4 "{\"resultType\":\"NOT_READY\"" NEXT4(0)
#define EOS4                                                                                      \
	"{\"resultType\":\"EOS\",\"isQueryResult\":true,\"jobID\":\"" JOB "\",\"resultKind\":"      \
	"\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[],\"rowFormat\":\"JSON\",\"data\":[]}}"

#define BASE_ROUTES                                                                               \
	{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},                                   \
	{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},                               \
	{"POST", "/v4" MOCK_SESS "/statements", 200, MOCK_OP_BODY, 0, 0, 0},                     \
	{"DELETE", "/v4" MOCK_OPS "/close", 200, MOCK_CLOSED, 0, 0, 0},                          \
	{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0}

struct env {
	struct mock m;
	flink_client *c;
	flink_session *s;
	struct flink_error err;
};

static void env_open(struct env *e, struct mock_route *routes, size_t n, long poll_ms)
{
	mock_start_on(&e->m, 0, routes, n);
	struct flink_client_options o;
	mock_client_options(&o, &e->m);
	o.poll_interval_ms = poll_ms;
	flink_error_init(&e->err);
	if (flink_client_new(&o, &e->c, &e->err) ||
	    flink_session_open(e->c, NULL, NULL, 0, &e->s, &e->err))
		fail_msg("setup: %s", e->err.message);
}

static void env_close(struct env *e)
{
	assert_int_equal(flink_session_close(e->s, NULL), FLINK_OK);
	flink_client_free(e->c);
	flink_error_release(&e->err);
	mock_stop(&e->m);
}

#define ENV_OPEN(e, routes, poll) env_open((e), (routes), sizeof(routes) / sizeof((routes)[0]), (poll))

/* What the callbacks saw */
struct seen {
	int columns_calls;
	size_t ncols;
	char job[40];
	bool is_query;
	char cols[256];
	char rows[1024];
	long nrows;
	long stop_at_row;     /* on_row returns 1 at this row (1-based); 0: never */
	bool stop_at_columns;
	volatile sig_atomic_t *flag_at_row; /* set this flag at row stop_at_row instead */
};

static int on_columns(void *ud, const struct flink_column *cols, size_t ncols, const char *job,
		      bool is_query)
{
	struct seen *s = ud;
	s->columns_calls++;
	s->ncols = ncols;
	snprintf(s->job, sizeof(s->job), "%s", job ? job : "");
	s->is_query = is_query;
	for (size_t i = 0; i < ncols; i++) {
		char t[64];
		flink_type_format(cols[i].type, t, sizeof(t));
		size_t n = strlen(s->cols);
		snprintf(s->cols + n, sizeof(s->cols) - n, "%s%s %s", i ? ", " : "", cols[i].name, t);
	}
	return s->stop_at_columns;
}

static int on_row(void *ud, const struct flink_row *row, size_t ncols)
{
	struct seen *s = ud;
	s->nrows++;
	size_t n = strlen(s->rows);
	snprintf(s->rows + n, sizeof(s->rows) - n, "%s", flink_row_kind_short(row->kind));
	for (size_t i = 0; i < ncols; i++) {
		n = strlen(s->rows);
		snprintf(s->rows + n, sizeof(s->rows) - n, "%s%s", i ? "|" : " ",
			 row->fields[i].kind == FLINK_V_NULL ? "NULL" : row->fields[i].text);
	}
	n = strlen(s->rows);
	snprintf(s->rows + n, sizeof(s->rows) - n, ";");
	if (s->stop_at_row && s->nrows == s->stop_at_row) {
		if (s->flag_at_row) {
			*s->flag_at_row = 1;
			return 0;
		}
		return 1;
	}
	return 0;
}

static void assert_requests(struct mock *m, const char *const *want, size_t n)
{
	char line[700];
	if (mock_nreqs(m) != n) {
		for (size_t i = 0; i < mock_nreqs(m); i++)
			fprintf(stderr, "  %zu: %s\n", i, mock_line(m, i, line, sizeof(line)));
		fail_msg("%zu requests, want %zu", mock_nreqs(m), n);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(mock_line(m, i, line, sizeof(line)), want[i]))
			fail_msg("request %zu: '%s', want '%s'", i, line, want[i]);
}

/* handler.snapshot: the changelog folded, the final rows handed over at EOS; max_rows limits those */
static void test_run_snapshot(void **state)
{
	(void)state;
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, SELECT_HEAD "[{\"kind\":\"INSERT\",\"fields\":[1,10.00]},"
			"{\"kind\":\"INSERT\",\"fields\":[2,17.02]},{\"kind\":\"UPDATE_BEFORE\",\"fields\":[1,10.00]}]}"
			NEXT4(1), 0, 0, 0},
		{"GET", R4 "1", 200, SELECT_HEAD "[{\"kind\":\"UPDATE_AFTER\",\"fields\":[1,12.50]},"
			"{\"kind\":\"INSERT\",\"fields\":[3,1.00]},{\"kind\":\"DELETE\",\"fields\":[2,17.02]}]}"
			NEXT4(2), 0, 0, 0},
		{"GET", R4 "2", 200, EOS4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 5);
	struct seen seen = {0};
	struct flink_handler h = {on_columns, on_row, &seen, 0, 0, NULL, true};
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "SELECT order_id, amount FROM totals", NULL, &h, &info, &e.err), FLINK_OK);
	assert_true(info.eos);
	assert_int_equal(info.rows, 6);
	assert_string_equal(seen.rows, "+I 1|12.50;+I 3|1.00;");
	/* a limit cuts the final rows, not the changelog */
	memset(&seen, 0, sizeof seen);
	h.max_rows = 1;
	assert_int_equal(flink_statement_run(e.s, "SELECT order_id, amount FROM totals", NULL, &h, &info, &e.err), FLINK_OK);
	assert_string_equal(seen.rows, "+I 1|12.50;");
	env_close(&e);
}

static void test_run_sequence(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, NOT_READY4, 0, 1, 0},
		{"GET", R4 "0", 200, SELECT_HEAD "[]}" NEXT4(1), 0, 0, 0},
		{"GET", R4 "1", 200, SELECT_HEAD "[{\"kind\":\"INSERT\",\"fields\":[1,4821.37]},"
			"{\"kind\":\"INSERT\",\"fields\":[2,17.02]},{\"kind\":\"UPDATE_BEFORE\",\"fields\":[2,17.02]}]}" NEXT4(2), 0, 0, 0},
		{"GET", R4 "2", 200, SELECT_HEAD "[]}" NEXT4(3), 0, 0, 0},
		{"GET", R4 "3", 200, SELECT_HEAD "[{\"kind\":\"UPDATE_AFTER\",\"fields\":[2,33.10]},"
			"{\"kind\":\"INSERT\",\"fields\":[9223372036854775807,null]}]}" NEXT4(4), 0, 0, 0},
		{"GET", R4 "4", 200, EOS4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	/* a long poll interval, so that "started short" and "waited the whole interval" stay far
	 * apart however slow the machine: about 20 ms of sleeps against 6 s */
	ENV_OPEN(&e, routes, 2000);
	size_t first = mock_nreqs(&e.m);
	struct seen seen = {0};
	struct flink_handler h = {on_columns, on_row, &seen, 0, 0, NULL, false};
	struct flink_run_info info;
	static const struct flink_kv cfg[] = {{"pipeline.name", "orders"}};
	struct flink_exec_options xo = {cfg, 1};
	long long t0 = mock_now_ms();
	assert_int_equal(flink_statement_run(e.s, "SELECT order_id, amount FROM orders", &xo, &h, &info, &e.err),
			 FLINK_OK);
	long long dt = mock_now_ms() - t0;
	/* slept after NOT_READY (5 ms), after the empty page (10 ms), and, the wait starting over
	 * once rows came, after the second empty page (5 ms); never the whole 2 s each time */
	if (dt < 19)
		fail_msg("run took %lld ms: the poll sleeps are missing", dt);
	if (dt > 1900)
		fail_msg("run took %lld ms: the poll does not start short", dt);
	assert_int_equal(seen.columns_calls, 1);
	assert_int_equal(seen.ncols, 2);
	assert_string_equal(seen.cols, "order_id BIGINT, amount DECIMAL(10, 2)");
	assert_string_equal(seen.job, JOB);
	assert_true(seen.is_query);
	assert_string_equal(seen.rows, "+I 1|4821.37;+I 2|17.02;-U 2|17.02;+U 2|33.10;+I 9223372036854775807|NULL;");
	assert_true(info.eos);
	assert_int_equal(info.rows, 5);
	assert_string_equal(info.job_id, JOB);
	assert_true(info.is_query);
	assert_int_equal(info.kind, FLINK_KIND_SUCCESS_WITH_CONTENT);
	assert_string_equal(info.operation, MOCK_O);

	static const char *const want[] = {
		"POST /v4" MOCK_SESS "/statements",
		"GET " R4 "0?rowFormat=JSON",
		"GET " R4 "0?rowFormat=JSON",
		"GET " R4 "1?rowFormat=JSON",
		"GET " R4 "2?rowFormat=JSON",
		"GET " R4 "3?rowFormat=JSON",
		"GET " R4 "4?rowFormat=JSON",
		"DELETE /v4" MOCK_OPS "/close",
	};
	/* skip the versions and session requests */
	for (size_t i = 0; i < first; i++)
		assert_true(strcmp(e.m.reqs[i].path, "/v1/api_versions") == 0 ||
			    strcmp(e.m.reqs[i].path, "/v4/sessions") == 0);
	char line[700];
	assert_int_equal(mock_nreqs(&e.m) - first, 8);
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(mock_line(&e.m, first + i, line, sizeof(line)), want[i]);
	/* the submit body: the statement and executionConfig, never executionTimeout */
	json_error_t je;
	json_t *body = json_loads(e.m.reqs[first].body, 0, &je);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "statement")),
			    "SELECT order_id, amount FROM orders");
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "executionConfig"),
							      "pipeline.name")), "orders");
	assert_null(json_object_get(body, "executionTimeout"));
	assert_int_equal(json_object_size(body), 2);
	json_decref(body);
	env_close(&e);
}

static void test_fetch_by_hand(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, NOT_READY4, 0, 1, 0},
		{"GET", R4 "0", 200, SELECT_HEAD "[{\"kind\":\"INSERT\",\"fields\":[1,1.00]}]}" NEXT4(1), 0, 0, 0},
		{"GET", R4 "1", 503, "{\"errors\":[\"Service temporarily unavailable\"]}", 0, 1, 0},
		{"GET", R4 "1", 200, EOS4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	flink_operation *op = NULL;
	assert_int_equal(flink_statement_submit(e.s, "SELECT 1", NULL, &op, &e.err), FLINK_OK);
	size_t n = 99;
	assert_null(flink_operation_columns(op, &n));
	assert_int_equal(n, 0);
	struct flink_page *p = NULL;
	assert_int_equal(flink_operation_fetch(op, &p, &e.err), FLINK_OK);
	assert_int_equal(p->type, FLINK_RESULT_NOT_READY);
	flink_page_free(p);
	assert_int_equal(flink_operation_fetch(op, &p, &e.err), FLINK_OK);
	assert_int_equal(p->type, FLINK_RESULT_PAYLOAD);
	assert_int_equal(p->nrows, 1);
	assert_string_equal(p->rows[0].fields[1].text, "1.00");
	const struct flink_column *cols = flink_operation_columns(op, &n);
	assert_int_equal(n, 2);
	assert_true(cols == p->cols);
	flink_page_free(p);
	/* the 503 is retried with the same token */
	assert_int_equal(flink_operation_fetch(op, &p, &e.err), FLINK_OK);
	assert_int_equal(p->type, FLINK_RESULT_EOS);
	assert_int_equal(p->ncols, 2);
	flink_page_free(p);
	assert_int_equal(mock_count(&e.m, "GET", R4 "1"), 2);
	/* after EOS: EOS again, without asking */
	size_t before = mock_nreqs(&e.m);
	assert_int_equal(flink_operation_fetch(op, &p, &e.err), FLINK_OK);
	assert_int_equal(p->type, FLINK_RESULT_EOS);
	flink_page_free(p);
	assert_int_equal(mock_nreqs(&e.m), before);
	/* columns outlive the pages, until the operation is closed */
	assert_string_equal(cols[1].name, "amount");
	assert_int_equal(flink_operation_close(op, &e.err), FLINK_OK);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	assert_int_equal(flink_operation_fetch(op = NULL, &p, &e.err), FLINK_E_ARG);
	flink_error_release(&e.err);
	env_close(&e);
}

/* A v1 gateway with Flink 1.16 bodies: no rowFormat, job id from the row, null at EOS */
static void test_run_v1_insert(void **state)
{
#define R1 "/v1" MOCK_OPS "/result/"
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_VERSIONS("\"V1\""), 0, 0, 0},
		{"POST", "/v1/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v1" MOCK_SESS "/statements", 200, MOCK_OP_BODY, 0, 0, 0},
		{"GET", R1 "0", 200, "{\"results\":{\"columns\":[],\"data\":[]},\"resultType\":\"NOT_READY\",\"nextResultUri\":\"" R1 "0\"}", 0, 1, 0},
		{"GET", R1 "0", 200, "{\"results\":{\"columns\":[" MOCK_STRING_COL("job id") "],\"data\":[{\"kind\":\"INSERT\","
			"\"fields\":[\"ed93eb6b13950a5897876f0d21935acf\"]}]},\"resultType\":\"PAYLOAD\",\"nextResultUri\":\"" R1 "1\"}", 0, 0, 0},
		{"GET", R1 "1", 200, "{\"results\":{\"columns\":[" MOCK_STRING_COL("job id") "],\"data\":[]},\"resultType\":\"EOS\",\"nextResultUri\":null}", 0, 0, 0},
		{"DELETE", "/v1" MOCK_OPS "/close", 200, MOCK_CLOSED, 0, 0, 0},
		{"DELETE", "/v1" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	struct seen seen = {0};
	struct flink_handler h = {on_columns, on_row, &seen, 0, 0, NULL, false};
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "INSERT INTO sink SELECT * FROM orders", NULL, &h, &info, &e.err),
			 FLINK_OK);
	assert_string_equal(info.job_id, "ed93eb6b13950a5897876f0d21935acf");
	/* the job id reaches on_columns too, though the page has no jobID */
	assert_string_equal(seen.job, "ed93eb6b13950a5897876f0d21935acf");
	assert_false(info.is_query);
	assert_int_equal(info.kind, FLINK_KIND_SUCCESS_WITH_CONTENT);
	assert_true(info.eos);
	assert_int_equal(info.rows, 1);
	static const char *const want[] = {
		"GET /v1/api_versions", "POST /v1/sessions", "POST /v1" MOCK_SESS "/statements",
		"GET " R1 "0", "GET " R1 "0", "GET " R1 "1", "DELETE /v1" MOCK_OPS "/close",
	};
	assert_requests(&e.m, want, 7);
	env_close(&e);
#undef R1
}

static const char validation_500[] =
	"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
	"org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
	"\\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:85)\\n"
	"Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation " MOCK_O ".\\n"
	"\\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)\\n"
	"Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found\\n"
	"\\t... 60 more\\n\\nEnd of exception on server side>\"]}";

static void test_run_failed_statement(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 500, validation_500, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "SELECT * FROM no_such_table", NULL, NULL, &info, &e.err),
			 FLINK_E_GATEWAY);
	assert_int_equal(e.err.code, FLINK_E_GATEWAY);
	assert_int_equal(e.err.http_status, 500);
	assert_string_equal(e.err.root_cause, "org.apache.flink.table.api.ValidationException: SQL "
					      "validation failed. From line 1, column 15 to line 1, column 27: "
					      "Object 'no_such_table' not found");
	assert_string_equal(e.err.message, "SQL validation failed. From line 1, column 15 to line 1, "
					   "column 27: Object 'no_such_table' not found");
	assert_string_equal(e.err.statement, "SELECT * FROM no_such_table");
	assert_string_equal(e.err.request, "GET " R4 "0?rowFormat=JSON");
	assert_non_null(strstr(e.err.server_trace, "Failed to fetchResults."));
	/* a 500 is not repeated, and the operation is closed all the same */
	assert_int_equal(mock_count(&e.m, "GET", R4 "0"), 1);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	assert_false(info.eos);
	assert_string_equal(info.operation, MOCK_O);
	env_close(&e);
}

/* An endless stream: every page has two rows and a next token */
static struct mock_route endless_routes[] = {
	{"GET", R4 "*", 200, SELECT_HEAD "[{\"kind\":\"INSERT\",\"fields\":[1,1.00]},{\"kind\":\"INSERT\",\"fields\":[2,2.00]}]}" NEXT4(1), 0, 0, 0},
	BASE_ROUTES,
};

static void reset_routes(struct mock_route *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r[i].used = 0;
}

static void test_run_max_rows_and_stops(void **state)
{
	size_t nr = sizeof(endless_routes) / sizeof(endless_routes[0]);
	struct env e;
	reset_routes(endless_routes, nr);
	env_open(&e, endless_routes, nr, 10);
	struct seen seen = {0};
	struct flink_handler h = {on_columns, on_row, &seen, 5, 0, NULL, false};
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "SELECT * FROM kafka_orders", NULL, &h, &info, &e.err), FLINK_OK);
	assert_int_equal(seen.nrows, 5);
	assert_int_equal(info.rows, 5);
	assert_false(info.eos);
	assert_int_equal(mock_count(&e.m, "GET", R4 "*"), 3);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);

	/* on_row stops the run */
	memset(&seen, 0, sizeof(seen));
	seen.stop_at_row = 3;
	h.max_rows = 0;
	assert_int_equal(flink_statement_run(e.s, "SELECT * FROM kafka_orders", NULL, &h, &info, &e.err), FLINK_OK);
	assert_int_equal(info.rows, 3);
	assert_false(info.eos);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 2);

	/* on_columns stops it before any row */
	memset(&seen, 0, sizeof(seen));
	seen.stop_at_columns = true;
	assert_int_equal(flink_statement_run(e.s, "SELECT * FROM kafka_orders", NULL, &h, &info, &e.err), FLINK_OK);
	assert_int_equal(info.rows, 0);
	assert_int_equal(seen.nrows, 0);
	assert_int_equal(seen.columns_calls, 1);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 3);

	env_close(&e);
}

static void test_run_timeout(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, NOT_READY4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 20);
	struct flink_handler h = {NULL, NULL, NULL, 0, 250, NULL, false};
	struct flink_run_info info;
	long long t0 = mock_now_ms();
	assert_int_equal(flink_statement_run(e.s, "INSERT INTO t SELECT * FROM s", NULL, &h, &info, &e.err),
			 FLINK_E_TIMEOUT);
	long long dt = mock_now_ms() - t0;
	if (dt < 240 || dt > 4000)   /* the upper bound only catches a run that ignores its limit */
		fail_msg("timed out after %lld ms, want about 250", dt);
	assert_string_equal(e.err.message, "statement did not finish within 250 ms");
	assert_string_equal(e.err.statement, "INSERT INTO t SELECT * FROM s");
	assert_true(mock_count(&e.m, "GET", R4 "0") >= 5);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	flink_error_release(&e.err);
	env_close(&e);

	/* the limit also cuts a fetch the gateway is slow to answer (5 s: far from the limit) */
	struct mock_route slow[] = {
		{"GET", R4 "0", 200, NOT_READY4, 5000, 0, 0},
		BASE_ROUTES,
	};
	ENV_OPEN(&e, slow, 20);
	h.timeout_ms = 200;
	t0 = mock_now_ms();
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, &h, &info, &e.err), FLINK_E_TIMEOUT);
	dt = mock_now_ms() - t0;
	if (dt > 3000)
		fail_msg("timed out after %lld ms, want about 200", dt);
	assert_string_equal(e.err.message, "statement did not finish within 200 ms");
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	env_close(&e);
}

static volatile sig_atomic_t interrupted;

static void *interrupt_later(void *ud)
{
	usleep((useconds_t)(long)(intptr_t)ud * 1000);
	interrupted = 1;
	return NULL;
}

static void test_run_interrupt(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, NOT_READY4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 20);
	interrupted = 0;
	struct flink_handler h = {NULL, NULL, NULL, 0, 0, &interrupted, false};
	pthread_t t;
	pthread_create(&t, NULL, interrupt_later, (void *)(intptr_t)150);
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, &h, &info, &e.err), FLINK_E_INTERRUPTED);
	pthread_join(t, NULL);
	assert_int_equal(e.err.code, FLINK_E_INTERRUPTED);
	/* closed even though the flag is still up */
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	flink_error_release(&e.err);

	/* raised before the run: nothing is submitted */
	size_t before = mock_nreqs(&e.m);
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, &h, &info, &e.err), FLINK_E_INTERRUPTED);
	assert_int_equal(mock_nreqs(&e.m), before);
	flink_error_release(&e.err);
	env_close(&e);

	/* raised while the gateway is slow to answer a fetch (5 s: far from the interrupt) */
	struct mock_route slow[] = {
		{"GET", R4 "0", 200, NOT_READY4, 5000, 0, 0},
		BASE_ROUTES,
	};
	ENV_OPEN(&e, slow, 20);
	interrupted = 0;
	pthread_create(&t, NULL, interrupt_later, (void *)(intptr_t)100);
	long long t0 = mock_now_ms();
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, &h, &info, &e.err), FLINK_E_INTERRUPTED);
	long long dt = mock_now_ms() - t0;
	pthread_join(t, NULL);
	if (dt > 3000)
		fail_msg("interrupt took %lld ms", dt);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	env_close(&e);

	/* raised by a callback during the rows: the run stops at the next check */
	size_t nr = sizeof(endless_routes) / sizeof(endless_routes[0]);
	reset_routes(endless_routes, nr);
	env_open(&e, endless_routes, nr, 10);
	interrupted = 0;
	struct seen seen = {0};
	seen.stop_at_row = 2;
	seen.flag_at_row = &interrupted;
	struct flink_handler hr = {on_columns, on_row, &seen, 0, 0, &interrupted, false};
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, &hr, &info, &e.err), FLINK_E_INTERRUPTED);
	assert_int_equal(info.rows, 2);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	env_close(&e);
}

/* A nextResultUri without a readable token is requested as it is, on the same base */
static void test_next_uri_verbatim(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200, SELECT_HEAD "[{\"kind\":\"INSERT\",\"fields\":[1,1.00]}]},"
			"\"nextResultUri\":\"" R4 "page-two?rowFormat=JSON\"}", 0, 0, 0},
		{"GET", R4 "page-two", 200, EOS4, 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, NULL, &info, &e.err), FLINK_OK);
	assert_true(info.eos);
	assert_int_equal(info.rows, 1);
	assert_int_equal(mock_count(&e.m, "GET", R4 "page-two"), 1);
	env_close(&e);

	/* and one that is not a path is a protocol error */
	struct mock_route bad[] = {
		{"GET", R4 "0", 200, SELECT_HEAD "[]},\"nextResultUri\":\"ftp://elsewhere/x\"}", 0, 0, 0},
		BASE_ROUTES,
	};
	ENV_OPEN(&e, bad, 10);
	assert_int_equal(flink_statement_run(e.s, "SELECT 1", NULL, NULL, &info, &e.err), FLINK_E_PROTOCOL);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	env_close(&e);
}

static void test_status_and_cancel(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v4" MOCK_OPS "/status", 200, "{\"status\":\"RUNNING\"}", 0, 1, 0},
		{"GET", "/v4" MOCK_OPS "/status", 200, "{\"status\":\"SOMETHING\"}", 0, 1, 0},
		{"POST", "/v4" MOCK_OPS "/cancel", 200, "{\"status\":\"CANCELED\"}", 0, 1, 0},
		{"POST", "/v4" MOCK_OPS "/cancel", 500,
		 "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to cancelOperation.\\n\\tat a.B.c(B.java:1)\\n"
		 "Caused by: java.lang.IllegalStateException: Failed to convert the Operation Status from FINISHED to CANCELED for " MOCK_O ".\\n\"]}", 0, 0, 0},
		{"GET", R4 "0", 500,
		 "{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
		 "Caused by: java.lang.IllegalArgumentException: Can not fetch results from the " MOCK_O " in CANCELED status.\\n\\nEnd of exception on server side>\"]}", 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	flink_operation *op = NULL;
	assert_int_equal(flink_statement_submit(e.s, "INSERT INTO t VALUES (1)", NULL, &op, &e.err), FLINK_OK);
	enum flink_op_status st;
	assert_int_equal(flink_operation_status(op, &st, &e.err), FLINK_OK);
	assert_int_equal(st, FLINK_OP_RUNNING);
	assert_int_equal(flink_operation_status(op, &st, &e.err), FLINK_E_PROTOCOL);
	flink_error_release(&e.err);
	assert_int_equal(flink_operation_cancel(op, &e.err), FLINK_OK);
	assert_int_equal(flink_operation_cancel(op, &e.err), FLINK_E_GATEWAY);
	assert_string_equal(e.err.message, "Failed to convert the Operation Status from FINISHED to "
					   "CANCELED for " MOCK_O ".");
	assert_string_equal(e.err.statement, "INSERT INTO t VALUES (1)");
	/* a refused cancel is not repeated */
	assert_int_equal(mock_count(&e.m, "POST", "/v4" MOCK_OPS "/cancel"), 2);
	flink_error_release(&e.err);
	struct flink_page *p = NULL;
	assert_int_equal(flink_operation_fetch(op, &p, &e.err), FLINK_E_CANCELED);
	assert_null(p);
	assert_int_equal(e.err.code, FLINK_E_CANCELED);
	flink_error_release(&e.err);
	assert_int_equal(flink_operation_close(op, &e.err), FLINK_OK);
	env_close(&e);
}

/* Closing the session closes its operations on the gateway: their close sends nothing */
static void test_operation_outlives_session(void **state)
{
	struct mock_route routes[] = {BASE_ROUTES};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	flink_operation *a = NULL, *b = NULL;
	assert_int_equal(flink_statement_submit(e.s, "SELECT 1", NULL, &a, &e.err), FLINK_OK);
	assert_int_equal(flink_statement_submit(e.s, "SELECT 2", NULL, &b, &e.err), FLINK_OK);
	assert_int_equal(flink_operation_close(a, &e.err), FLINK_OK);
	assert_int_equal(flink_session_close(e.s, &e.err), FLINK_OK);
	size_t before = mock_nreqs(&e.m);
	enum flink_op_status st;
	assert_int_equal(flink_operation_status(b, &st, &e.err), FLINK_E_ARG);
	flink_error_release(&e.err);
	assert_int_equal(flink_operation_close(b, &e.err), FLINK_OK);
	assert_int_equal(mock_nreqs(&e.m), before);
	assert_int_equal(mock_count(&e.m, "DELETE", "/v4" MOCK_OPS "/close"), 1);
	flink_client_free(e.c);
	flink_error_release(&e.err);
	mock_stop(&e.m);
}

static void test_submit_arguments(void **state)
{
	struct mock_route routes[] = {BASE_ROUTES};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	size_t before = mock_nreqs(&e.m);
	flink_operation *op = (flink_operation *)1;
	static const char *const empty[] = {"", "   \n\t ", NULL};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(flink_statement_submit(e.s, empty[i], NULL, &op, &e.err), FLINK_E_ARG);
		assert_null(op);
		assert_string_equal(e.err.message, "empty statement");
		flink_error_release(&e.err);
	}
	assert_int_equal(flink_statement_submit(NULL, "SELECT 1", NULL, &op, &e.err), FLINK_E_ARG);
	flink_error_release(&e.err);
	static const struct flink_kv badcfg[] = {{"k", NULL}};
	struct flink_exec_options xo = {badcfg, 1};
	assert_int_equal(flink_statement_submit(e.s, "SELECT 1", &xo, &op, &e.err), FLINK_E_ARG);
	flink_error_release(&e.err);
	assert_int_equal(flink_statement_submit(e.s, "SELECT '\xff'", NULL, &op, &e.err), FLINK_E_ARG);
	flink_error_release(&e.err);
	assert_int_equal(mock_nreqs(&e.m), before);
	assert_int_equal(flink_operation_close(NULL, NULL), FLINK_OK);
	assert_null(flink_operation_handle(NULL));
	env_close(&e);
}

/* A result that ends with no payload page still hands its columns over */
static void test_run_eos_first(void **state)
{
	struct mock_route routes[] = {
		{"GET", R4 "0", 200,
		 "{\"resultType\":\"EOS\",\"isQueryResult\":false,\"resultKind\":\"SUCCESS\",\"results\":{\"columns\":["
		 MOCK_STRING_COL("result") "],\"rowFormat\":\"JSON\",\"data\":[]}}", 0, 0, 0},
		BASE_ROUTES,
	};
	struct env e;
	ENV_OPEN(&e, routes, 10);
	struct seen seen = {0};
	struct flink_handler h = {on_columns, on_row, &seen, 0, 0, NULL, false};
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(e.s, "CREATE TABLE x (a INT)", NULL, &h, &info, &e.err), FLINK_OK);
	assert_int_equal(seen.columns_calls, 1);
	assert_string_equal(seen.cols, "result STRING");
	assert_true(info.eos);
	assert_int_equal(info.rows, 0);
	assert_int_equal(info.kind, FLINK_KIND_SUCCESS);
	assert_string_equal(info.job_id, "");
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_sequence),
		cmocka_unit_test(test_run_snapshot),
		cmocka_unit_test(test_fetch_by_hand),
		cmocka_unit_test(test_run_v1_insert),
		cmocka_unit_test(test_run_failed_statement),
		cmocka_unit_test(test_run_max_rows_and_stops),
		cmocka_unit_test(test_run_timeout),
		cmocka_unit_test(test_run_interrupt),
		cmocka_unit_test(test_next_uri_verbatim),
		cmocka_unit_test(test_status_and_cancel),
		cmocka_unit_test(test_operation_outlives_session),
		cmocka_unit_test(test_submit_arguments),
		cmocka_unit_test(test_run_eos_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
