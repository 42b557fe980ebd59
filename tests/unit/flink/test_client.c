/*
 * flink driver against a scripted HTTP server (mockgw.h): version negotiation (V1-only, V1+V2,
 * up to V4, unknown names, an explicit version), GET /info, sessions (the open body, the
 * configuration, configure on v2+ and on v1, heartbeat, close), the heartbeat thread, and a
 * session the gateway forgot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "mockgw.h"

static void test_negotiation(void **state)
{
	static const struct {
		const char *versions;
		const char *want_api;  /* NULL: auto */
		flink_code code;
		const char *api;
		int num;
		size_t nlisted;
	} cases[] = {
		{MOCK_VERSIONS("\"V1\""), NULL, FLINK_OK, "v1", 1, 1},
		{MOCK_VERSIONS("\"V1\",\"V2\""), NULL, FLINK_OK, "v2", 2, 2},
		{MOCK_VERSIONS("\"V1\",\"V2\",\"V3\""), "auto", FLINK_OK, "v3", 3, 3},
		{MOCK_VERSIONS("\"V1\",\"V2\",\"V3\",\"V4\""), NULL, FLINK_OK, "v4", 4, 4},
		/* names this client does not know are listed but never chosen */
		{MOCK_VERSIONS("\"V0\",\"V2\",\"V1\",\"V5\""), NULL, FLINK_OK, "v2", 2, 4},
		{MOCK_VERSIONS("\"V1\",\"V2\",\"V3\",\"V4\""), "v2", FLINK_OK, "v2", 2, 4},
		{MOCK_VERSIONS("\"V1\",\"V2\",\"V3\",\"V4\""), "V3", FLINK_OK, "v3", 3, 4},
		{MOCK_VERSIONS("\"V1\",\"V2\""), "v3", FLINK_E_VERSION, NULL, 0, 0},
		{MOCK_VERSIONS("\"V1\""), "v4", FLINK_E_VERSION, NULL, 0, 0},
		{MOCK_VERSIONS("\"V7\""), NULL, FLINK_E_VERSION, NULL, 0, 0},
		{MOCK_VERSIONS(""), NULL, FLINK_E_VERSION, NULL, 0, 0},
		{"{\"versions\":\"V1\"}", NULL, FLINK_E_PROTOCOL, NULL, 0, 0},
		{"[\"V1\"]", NULL, FLINK_E_PROTOCOL, NULL, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mock_route routes[] = {{"GET", "/v1/api_versions", 200, cases[i].versions, 0, 0, 0}};
		struct mock m;
		mock_start(&m, routes);
		struct flink_client_options o;
		mock_client_options(&o, &m);
		o.api_version = cases[i].want_api;
		flink_client *c = NULL;
		struct flink_error err;
		flink_error_init(&err);
		flink_code code = flink_client_new(&o, &c, &err);
		if (code != cases[i].code)
			fail_msg("case %zu: code %d (%s), want %d", i, code, err.message, cases[i].code);
		if (code == FLINK_OK) {
			assert_string_equal(flink_client_api_version(c), cases[i].api);
			assert_int_equal(flink_client_api_number(c), cases[i].num);
			size_t n = 0;
			const char *const *listed = flink_client_gateway_versions(c, &n);
			assert_int_equal(n, cases[i].nlisted);
			assert_null(listed[n]);
			flink_client_free(c);
		} else {
			assert_null(c);
			assert_non_null(err.message);
			assert_string_equal(err.request, "GET /v1/api_versions");
		}
		assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 1);
		flink_error_release(&err);
		mock_stop(&m);
	}

	/* the message names what the gateway offers */
	struct mock_route routes[] = {{"GET", "/v1/api_versions", 200, MOCK_VERSIONS("\"V1\",\"V2\""), 0, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.api_version = "v4";
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_VERSION);
	assert_string_equal(err.message, "the gateway does not offer api version 'v4' (it offers: V1, V2)");
	flink_error_release(&err);
	mock_stop(&m);
}

static void test_session_lifecycle(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"GET", "/v4" MOCK_SESS, 200,
		 "{\"properties\":{\"execution.runtime-mode\":\"streaming\",\"table.local-time-zone\":\"UTC\",\"rest.port\":8081}}", 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/heartbeat", 200, "{}", 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/configure-session", 200, "{}", 0, 1, 0},
		{"POST", "/v4" MOCK_SESS "/configure-session", 500,
		 "{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to configure session.\\n\\tat a.B.c(B.java:1)\\nCaused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Unsupported statement for configuring session:SELECT 1\\n\\t... 9 more\\n\\nEnd of exception on server side>\"]}",
		 0, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	static const struct flink_kv props[] = {
		{"execution.runtime-mode", "streaming"},
		{"table.local-time-zone", "UTC"},
	};
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, "dbt-run", props, 2, &s, &err), FLINK_OK);
	assert_string_equal(flink_session_handle(s), MOCK_S);
	assert_true(flink_session_client(s) == c);
	assert_true(flink_session_alive(s));
	/* the open body: name and properties */
	json_error_t je;
	json_t *body = json_loads(m.reqs[1].body, 0, &je);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "sessionName")), "dbt-run");
	json_t *p = json_object_get(body, "properties");
	assert_int_equal(json_object_size(p), 2);
	assert_string_equal(json_string_value(json_object_get(p, "execution.runtime-mode")), "streaming");
	assert_string_equal(json_string_value(json_object_get(p, "table.local-time-zone")), "UTC");
	json_decref(body);
	assert_string_equal(m.reqs[1].content_type, "application/json");

	struct flink_kv *kv = NULL;
	size_t n = 0;
	assert_int_equal(flink_session_get_config(s, &kv, &n, &err), FLINK_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].key, "execution.runtime-mode");
	assert_string_equal(kv[0].value, "streaming");
	assert_string_equal(kv[2].key, "rest.port");
	assert_string_equal(kv[2].value, "8081");
	flink_kv_free(kv, n);

	assert_int_equal(flink_session_heartbeat(s, &err), FLINK_OK);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat"), 1);

	assert_int_equal(flink_session_configure(s, "SET 'pipeline.name' = 'orders'", &err), FLINK_OK);
	size_t last = mock_nreqs(&m) - 1;
	body = json_loads(m.reqs[last].body, 0, &je);
	assert_string_equal(json_string_value(json_object_get(body, "statement")),
			    "SET 'pipeline.name' = 'orders'");
	assert_null(json_object_get(body, "executionTimeout"));
	json_decref(body);
	assert_int_equal(flink_session_configure(s, "SELECT 1", &err), FLINK_E_GATEWAY);
	assert_string_equal(err.message, "Unsupported statement for configuring session:SELECT 1");
	assert_string_equal(err.statement, "SELECT 1");
	/* configuring runs once: no retry of a failed configure */
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/configure-session"), 2);
	flink_error_release(&err);

	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	assert_int_equal(mock_count(&m, "DELETE", "/v4" MOCK_SESS), 1);
	flink_client_free(c);
	mock_stop(&m);
}

/* On v1 there is no configure-session: the statement is executed and waited for */
static void test_configure_on_v1(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_VERSIONS("\"V1\""), 0, 0, 0},
		{"POST", "/v1/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v1" MOCK_SESS "/statements", 200, MOCK_OP_BODY, 0, 0, 0},
		{"GET", "/v1" MOCK_OPS "/result/0", 200,
		 "{\"results\":{\"columns\":[],\"data\":[]},\"resultType\":\"NOT_READY\",\"nextResultUri\":\"/v1" MOCK_OPS "/result/0\"}", 0, 1, 0},
		{"GET", "/v1" MOCK_OPS "/result/0", 200,
		 "{\"results\":{\"columns\":[" MOCK_STRING_COL("result") "],\"data\":[{\"kind\":\"INSERT\",\"fields\":[\"OK\"]}]},"
		 "\"resultType\":\"PAYLOAD\",\"nextResultUri\":\"/v1" MOCK_OPS "/result/1\"}", 0, 0, 0},
		{"GET", "/v1" MOCK_OPS "/result/1", 200,
		 "{\"results\":{\"columns\":[" MOCK_STRING_COL("result") "],\"data\":[]},\"resultType\":\"EOS\",\"nextResultUri\":null}", 0, 0, 0},
		{"DELETE", "/v1" MOCK_OPS "/close", 200, MOCK_CLOSED, 0, 0, 0},
		{"DELETE", "/v1" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	assert_string_equal(flink_client_api_version(c), "v1");
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, &err), FLINK_OK);
	/* no name, no properties: an empty object */
	assert_string_equal(m.reqs[1].body, "{}");
	assert_int_equal(flink_session_configure(s, "SET 'a' = 'b'", &err), FLINK_OK);
	static const char *const want[] = {
		"GET /v1/api_versions",
		"POST /v1/sessions",
		"POST /v1" MOCK_SESS "/statements",
		"GET /v1" MOCK_OPS "/result/0",
		"GET /v1" MOCK_OPS "/result/0",
		"GET /v1" MOCK_OPS "/result/1",
		"DELETE /v1" MOCK_OPS "/close",
	};
	assert_int_equal(mock_nreqs(&m), 7);
	for (size_t i = 0; i < 7; i++) {
		char line[600];
		assert_string_equal(mock_line(&m, i, line, sizeof(line)), want[i]);
	}
	assert_int_equal(mock_count(&m, NULL, "/v1" MOCK_SESS "/configure-session"), 0);
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	flink_client_free(c);
	mock_stop(&m);
}

static void test_heartbeat_thread(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/heartbeat", 200, "{}", 0, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.heartbeat_interval_ms = 40;
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, NULL), FLINK_OK);
	long long t0 = mock_now_ms();
	while (mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat") < 3 && mock_now_ms() - t0 < 3000)
		usleep(10000);
	assert_true(mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat") >= 3);
	assert_int_equal(flink_session_close(s, NULL), FLINK_OK);
	/* a closed session gets no more heartbeats */
	size_t after = mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat");
	usleep(150000);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat"), after);
	flink_client_free(c);
	mock_stop(&m);

	/* no thread when the interval is 0 */
	mock_start(&m, routes);
	mock_client_options(&o, &m);
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, NULL), FLINK_OK);
	usleep(100000);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat"), 0);
	assert_int_equal(flink_session_close(s, NULL), FLINK_OK);
	flink_client_free(c);
	mock_stop(&m);
}

/* Closing a session aborts its heartbeat in flight instead of waiting for a slow gateway */
static void test_heartbeat_aborted_by_close(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/heartbeat", 200, "{}", 5000, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.heartbeat_interval_ms = 20;
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, NULL), FLINK_OK);
	long long t0 = mock_now_ms();
	while (mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat") < 1 && mock_now_ms() - t0 < 3000)
		usleep(5000);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/heartbeat"), 1);
	long long t1 = mock_now_ms();
	assert_int_equal(flink_session_close(s, NULL), FLINK_OK);
	flink_client_free(c);
	long long dt = mock_now_ms() - t1;
	if (dt > 3000)
		fail_msg("closing took %lld ms: it waited for the heartbeat", dt);
	assert_int_equal(mock_count(&m, "DELETE", "/v4" MOCK_SESS), 1);
	mock_stop(&m);
}

static void test_session_gone(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/heartbeat", 500, MOCK_SESSION_GONE_500, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, &err), FLINK_OK);
	assert_int_equal(flink_session_heartbeat(s, &err), FLINK_E_SESSION_GONE);
	assert_int_equal(err.code, FLINK_E_SESSION_GONE);
	assert_int_equal(err.http_status, 500);
	assert_string_equal(err.message, "Session '" MOCK_S "' does not exist.");
	assert_non_null(strstr(err.server_trace, "RestHandlerException: Failed to getOperationInfo."));
	assert_false(flink_session_alive(s));
	flink_error_release(&err);
	/* afterwards nothing goes to the gateway for it */
	size_t before = mock_nreqs(&m);
	flink_operation *op = NULL;
	assert_int_equal(flink_statement_submit(s, "SELECT 1", NULL, &op, &err), FLINK_E_SESSION_GONE);
	assert_string_equal(err.statement, "SELECT 1");
	flink_error_release(&err);
	assert_int_equal(flink_session_configure(s, "SET 'a' = 'b'", &err), FLINK_E_SESSION_GONE);
	flink_error_release(&err);
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	assert_int_equal(mock_nreqs(&m), before);
	flink_client_free(c);
	mock_stop(&m);
}

/* The gateway forgets the session while a statement runs */
static void test_session_gone_on_submit(void **state)
{
	static const char gone2[] =
		"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
		"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.\\n"
		"\\tat a.B.c(B.java:1)\\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: "
		"Session '" MOCK_S "' does not exist.\\n\\t... 12 more\\n\\nEnd of exception on server side>\"]}";
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/statements", 500, gone2, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, &err), FLINK_OK);
	struct flink_run_info info;
	assert_int_equal(flink_statement_run(s, "SELECT 1", NULL, NULL, &info, &err), FLINK_E_SESSION_GONE);
	assert_false(flink_session_alive(s));
	assert_string_equal(err.statement, "SELECT 1");
	assert_string_equal(err.request, "POST /v4" MOCK_SESS "/statements");
	flink_error_release(&err);
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	assert_int_equal(mock_count(&m, "DELETE", "*"), 0);
	flink_client_free(c);
	mock_stop(&m);
}

static void test_session_arguments(void **state)
{
	struct flink_error err;
	flink_error_init(&err);
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(NULL, NULL, NULL, 0, &s, &err), FLINK_E_ARG);
	flink_error_release(&err);
	assert_int_equal(flink_session_heartbeat(NULL, &err), FLINK_E_ARG);
	flink_error_release(&err);
	assert_int_equal(flink_session_configure(NULL, "SET", &err), FLINK_E_ARG);
	flink_error_release(&err);
	assert_int_equal(flink_session_close(NULL, &err), FLINK_OK);
	assert_null(flink_session_handle(NULL));
	assert_false(flink_session_alive(NULL));

	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0},
		{"POST", "/v4/sessions", 200, "{\"sessionHandle\":\"../../etc\"}", 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	static const struct flink_kv bad[] = {{"k", NULL}};
	assert_int_equal(flink_session_open(c, NULL, bad, 1, &s, &err), FLINK_E_ARG);
	flink_error_release(&err);
	/* a handle that could break a URL is refused */
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, &err), FLINK_E_PROTOCOL);
	assert_null(s);
	flink_error_release(&err);
	flink_client_free(c);
	mock_stop(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_session_lifecycle),
		cmocka_unit_test(test_configure_on_v1),
		cmocka_unit_test(test_heartbeat_thread),
		cmocka_unit_test(test_heartbeat_aborted_by_close),
		cmocka_unit_test(test_session_gone),
		cmocka_unit_test(test_session_gone_on_submit),
		cmocka_unit_test(test_session_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
