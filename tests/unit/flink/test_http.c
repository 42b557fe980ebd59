/*
 * flink driver against a scripted HTTP server (mockgw.h): retries with backoff on 503 and on
 * dropped connections for repeatable requests, no resubmission of a statement after a 503 or a
 * drop (only after a refused connection), request timeouts, bearer and basic auth, custom headers,
 * URLs with a path prefix or credentials, and secrets kept out of messages and log lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "flink/internal.h"
#include "mockgw.h"

static struct mock_route versions_ok = {"GET", "/v1/api_versions", 200, MOCK_V1_V4, 0, 0, 0};

static void test_retry_503_then_ok(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", 503, "Service Unavailable", 0, 2, 0},
		versions_ok,
	};
	struct mock m;
	mock_start(&m, routes);
	struct mock_log log;
	mock_log_init(&log);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.retry_backoff_ms = 60;
	o.log = mock_log_cb;
	o.log_ud = &log;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	long long t0 = mock_now_ms();
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	long long dt = mock_now_ms() - t0;
	assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 3);
	/* waited 60 then 120 ms */
	if (dt < 170)
		fail_msg("retries took %lld ms, want at least 180 of backoff", dt);
	assert_int_equal(mock_log_count(&log, 2, "GET /v1/api_versions -> 503 in "), 2);
	assert_int_equal(mock_log_count(&log, 2, "retrying in 60 ms"), 1);
	assert_int_equal(mock_log_count(&log, 2, "retrying in 120 ms"), 1);
	assert_int_equal(mock_log_count(&log, 0, "GET /v1/api_versions -> 200 in "), 1);
	assert_string_equal(flink_client_api_version(c), "v4");
	flink_client_free(c);
	mock_log_release(&log);
	mock_stop(&m);
}

static void test_retry_exhausted(void **state)
{
	struct mock_route routes[] = {{"GET", "/v1/api_versions", 503, "Service Unavailable", 0, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.max_retries = 2;
	flink_client *c = (flink_client *)1;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_HTTP);
	assert_null(c);
	assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 3);
	assert_int_equal(err.code, FLINK_E_HTTP);
	assert_int_equal(err.http_status, 503);
	assert_string_equal(err.request, "GET /v1/api_versions");
	assert_non_null(strstr(err.message, "503"));
	flink_error_release(&err);

	/* no retries at all */
	o.max_retries = 0;
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_HTTP);
	assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 4);
	flink_error_release(&err);
	mock_stop(&m);
}

static void test_drop_retried_for_get(void **state)
{
	struct mock_route routes[] = {
		{"GET", "/v1/api_versions", MOCK_DROP, NULL, 0, 1, 0},
		versions_ok,
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 2);
	flink_client_free(c);
	mock_stop(&m);
}

/* A session on a mock whose statements answer as `stmt` says */
static void open_session(struct mock *m, struct flink_client_options *o, flink_client **pc,
			 flink_session **ps)
{
	struct flink_error err;
	flink_error_init(&err);
	if (flink_client_new(o, pc, &err) != FLINK_OK)
		fail_msg("client: %s", err.message);
	if (flink_session_open(*pc, NULL, NULL, 0, ps, &err) != FLINK_OK)
		fail_msg("session: %s", err.message);
	flink_error_release(&err);
}

static void test_statement_not_retried_after_503(void **state)
{
	struct mock_route routes[] = {
		versions_ok,
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/statements", 503,
		 "{\"errors\":[\"Service temporarily unavailable due to an ongoing leader election. Please refresh.\"]}", 0, 1, 0},
		{"POST", "/v4" MOCK_SESS "/statements", 503, "<html>proxy says no</html>", 0, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c;
	flink_session *s;
	open_session(&m, &o, &c, &s);
	struct flink_error err;
	flink_error_init(&err);
	flink_operation *op = (flink_operation *)1;
	assert_int_equal(flink_statement_submit(s, "INSERT INTO t VALUES (1)", NULL, &op, &err),
			 FLINK_E_GATEWAY);
	assert_null(op);
	assert_int_equal(err.http_status, 503);
	assert_string_equal(err.statement, "INSERT INTO t VALUES (1)");
	assert_string_equal(err.request, "POST /v4" MOCK_SESS "/statements");
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/statements"), 1);
	flink_error_release(&err);

	/* a proxy's 503 is an HTTP error, and not retried either */
	assert_int_equal(flink_statement_submit(s, "INSERT INTO t VALUES (2)", NULL, &op, &err),
			 FLINK_E_HTTP);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/statements"), 2);
	flink_error_release(&err);
	/* the failures left the session usable */
	assert_true(flink_session_alive(s));
	assert_int_equal(flink_session_close(s, NULL), FLINK_OK);
	assert_int_equal(mock_count(&m, "DELETE", "/v4" MOCK_SESS), 1);
	flink_client_free(c);
	mock_stop(&m);
}

static void test_statement_not_retried_after_drop(void **state)
{
	struct mock_route routes[] = {
		versions_ok,
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
		{"POST", "/v4" MOCK_SESS "/statements", MOCK_DROP, NULL, 0, 1, 0},
		{"POST", "/v4" MOCK_SESS "/statements", 200, MOCK_OP_BODY, 0, 0, 0},
		{"GET", "/v4" MOCK_OPS "/status", MOCK_DROP, NULL, 0, 1, 0},
		{"GET", "/v4" MOCK_OPS "/status", 200, "{\"status\":\"RUNNING\"}", 0, 0, 0},
		{"DELETE", "/v4" MOCK_OPS "/close", 200, MOCK_CLOSED, 0, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c;
	flink_session *s;
	open_session(&m, &o, &c, &s);
	struct flink_error err;
	flink_error_init(&err);
	flink_operation *op = NULL;
	assert_int_equal(flink_statement_submit(s, "INSERT INTO t VALUES (1)", NULL, &op, &err),
			 FLINK_E_CONNECT);
	assert_int_equal(err.http_status, 0);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/statements"), 1);
	flink_error_release(&err);

	/* the status of an operation is asked again after a drop */
	assert_int_equal(flink_statement_submit(s, "SELECT 1", NULL, &op, &err), FLINK_OK);
	assert_string_equal(flink_operation_handle(op), MOCK_O);
	assert_string_equal(flink_operation_statement(op), "SELECT 1");
	enum flink_op_status st = FLINK_OP_ERROR;
	assert_int_equal(flink_operation_status(op, &st, &err), FLINK_OK);
	assert_int_equal(st, FLINK_OP_RUNNING);
	assert_int_equal(mock_count(&m, "GET", "/v4" MOCK_OPS "/status"), 2);
	assert_int_equal(flink_operation_close(op, &err), FLINK_OK);
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	flink_client_free(c);
	mock_stop(&m);
}

struct restart {
	struct mock *m;
	int port;
	struct mock_route *routes;
	size_t n;
	long after_ms;
};

static void *restart_main(void *ud)
{
	struct restart *r = ud;
	usleep((useconds_t)r->after_ms * 1000);
	mock_start_on(r->m, r->port, r->routes, r->n);
	return NULL;
}

static void test_statement_retried_when_refused(void **state)
{
	struct mock_route routes[] = {
		versions_ok,
		{"POST", "/v4/sessions", 200, MOCK_SESSION_BODY, 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	int port = m.port;
	struct mock_log log;
	mock_log_init(&log);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.max_retries = 4;
	o.retry_backoff_ms = 30;
	o.log = mock_log_cb;
	o.log_ud = &log;
	flink_client *c;
	flink_session *s;
	open_session(&m, &o, &c, &s);
	mock_stop(&m);

	/* nobody listens: refused, retried max_retries times, then given up */
	struct flink_error err;
	flink_error_init(&err);
	flink_operation *op = NULL;
	assert_int_equal(flink_statement_submit(s, "SELECT 1", NULL, &op, &err), FLINK_E_CONNECT);
	assert_int_equal(mock_log_count(&log, 2, "POST /v4" MOCK_SESS "/statements -> failed"), 4);
	assert_non_null(strstr(err.message, "cannot reach the gateway"));
	flink_error_release(&err);

	/* the gateway comes back during the backoff: the statement goes out exactly once */
	struct mock_route back[] = {
		{"POST", "/v4" MOCK_SESS "/statements", 200, MOCK_OP_BODY, 0, 0, 0},
		{"DELETE", "/v4" MOCK_OPS "/close", 200, MOCK_CLOSED, 0, 0, 0},
		{"DELETE", "/v4" MOCK_SESS, 200, MOCK_CLOSED, 0, 0, 0},
	};
	struct restart r = {&m, port, back, sizeof(back) / sizeof(back[0]), 50};
	pthread_t t;
	pthread_create(&t, NULL, restart_main, &r);
	assert_int_equal(flink_statement_submit(s, "SELECT 1", NULL, &op, &err), FLINK_OK);
	pthread_join(t, NULL);
	assert_int_equal(mock_count(&m, "POST", "/v4" MOCK_SESS "/statements"), 1);
	assert_true(mock_log_count(&log, 2, "POST /v4" MOCK_SESS "/statements -> failed") >= 5);
	assert_int_equal(flink_operation_close(op, NULL), FLINK_OK);
	assert_int_equal(flink_session_close(s, NULL), FLINK_OK);
	assert_int_equal(mock_count(&m, "DELETE", "/v4" MOCK_SESS), 1);
	flink_client_free(c);
	mock_stop(&m);
	mock_log_release(&log);
}

static void test_request_timeout(void **state)
{
	/* a gateway 5 s slow against a 200 ms limit: far apart, however slow the machine */
	struct mock_route routes[] = {{"GET", "/v1/api_versions", 200, MOCK_V1_V4, 5000, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.request_timeout_ms = 200;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	long long t0 = mock_now_ms();
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_TIMEOUT);
	long long dt = mock_now_ms() - t0;
	if (dt < 180 || dt > 3000)
		fail_msg("timed out after %lld ms, want about 200", dt);
	/* a timed-out request may still be running on the gateway: not repeated */
	assert_int_equal(mock_count(&m, "GET", "/v1/api_versions"), 1);
	assert_non_null(strstr(err.message, "timed out"));
	assert_string_equal(err.request, "GET /v1/api_versions");
	flink_error_release(&err);
	mock_stop(&m);
}

static void test_auth_and_headers(void **state)
{
	struct mock_route routes[] = {
		versions_ok,
		{"GET", "/v4/info", 500,
		 "{\"errors\":[\"java.lang.IllegalStateException: token s3cr3t-token of tenant acme-corp is not allowed\"]}",
		 0, 0, 0},
	};
	struct mock m;
	mock_start(&m, routes);
	struct mock_log log;
	mock_log_init(&log);
	static const char *const headers[] = {"X-Tenant: acme-corp", NULL};
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.bearer_token = "s3cr3t-token";
	o.headers = headers;
	o.log = mock_log_cb;
	o.log_ud = &log;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	assert_string_equal(m.reqs[0].auth, "Bearer s3cr3t-token");
	assert_string_equal(m.reqs[0].tenant, "acme-corp");
	char *product = NULL, *version = NULL;
	assert_int_equal(flink_client_info(c, &product, &version, &err), FLINK_E_GATEWAY);
	assert_null(product);
	assert_string_equal(m.reqs[1].auth, "Bearer s3cr3t-token");
	/* the gateway echoed the secrets: they are scrubbed */
	assert_null(strstr(err.message, "s3cr3t-token"));
	assert_null(strstr(err.message, "acme-corp"));
	assert_null(strstr(err.server_trace, "s3cr3t-token"));
	assert_null(strstr(err.root_cause, "s3cr3t-token"));
	assert_non_null(strstr(err.message, "is not allowed"));
	assert_int_equal(mock_log_count(&log, -1, "s3cr3t"), 0);
	assert_int_equal(mock_log_count(&log, -1, "Bearer"), 0);
	assert_int_equal(mock_log_count(&log, 1, "GET /v4/info -> 500 in "), 1);
	flink_error_release(&err);
	flink_client_free(c);
	mock_log_release(&log);
	mock_stop(&m);
}

static void test_basic_auth(void **state)
{
	struct mock_route routes[] = {versions_ok,
				      {"GET", "/v2/info", 200, "{\"productName\":\"Apache Flink\",\"version\":\"1.19.1\"}", 0, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.username = "alice";
	o.password = "pa55word";
	o.api_version = "v2";
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	assert_string_equal(m.reqs[0].auth, "Basic YWxpY2U6cGE1NXdvcmQ=");
	char *product = NULL, *version = NULL;
	assert_int_equal(flink_client_info(c, &product, &version, NULL), FLINK_OK);
	assert_string_equal(product, "Apache Flink");
	assert_string_equal(version, "1.19.1");
	assert_string_equal(m.reqs[1].path, "/v2/info");
	free(product);
	free(version);
	flink_client_free(c);
	mock_stop(&m);

	/* credentials inside the URL become basic auth and stay out of messages */
	struct mock_route nf[] = {versions_ok};
	mock_start(&m, nf);
	char url[128];
	snprintf(url, sizeof(url), "http://bob:hunter22@127.0.0.1:%d/", m.port);
	o.url = url;
	o.username = o.password = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	assert_string_equal(m.reqs[0].auth, "Basic Ym9iOmh1bnRlcjIy");
	assert_string_equal(m.reqs[0].path, "/v1/api_versions");
	assert_int_equal(flink_client_info(c, &product, &version, &err), FLINK_E_GATEWAY);
	assert_int_equal(err.http_status, 404);
	assert_string_equal(err.message, "Not found: /v2/info");
	assert_null(strstr(err.request, "hunter22"));
	flink_error_release(&err);
	flink_client_free(c);
	mock_stop(&m);
}

static void test_url_prefix(void **state)
{
	struct mock_route routes[] = {{"GET", "/flink/v1/api_versions", 200, MOCK_VERSIONS("\"V1\",\"V2\""), 0, 0, 0},
				      {"GET", "/flink/v2/info", 200, "{\"productName\":\"Apache Flink\",\"version\":\"1.17.2\"}", 0, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	char url[96];
	snprintf(url, sizeof(url), "%s/flink/", m.url);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.url = url;
	flink_client *c = NULL;
	assert_int_equal(flink_client_new(&o, &c, NULL), FLINK_OK);
	char *product, *version;
	assert_int_equal(flink_client_info(c, &product, &version, NULL), FLINK_OK);
	assert_string_equal(version, "1.17.2");
	free(product);
	free(version);
	flink_client_free(c);
	mock_stop(&m);
}

static void test_bad_arguments(void **state)
{
	struct flink_client_options o;
	flink_client_options_init(&o);
	assert_int_equal(o.connect_timeout_ms, 10000);
	assert_int_equal(o.request_timeout_ms, 60000);
	assert_int_equal(o.max_retries, 3);
	assert_int_equal(o.retry_backoff_ms, 200);
	assert_int_equal(o.poll_interval_ms, 100);
	assert_int_equal(o.heartbeat_interval_ms, 60000);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_ARG);
	flink_error_release(&err);
	static const char *const urls[] = {"ftp://127.0.0.1/", "not a url", "http://u:secretpw@[::1"};
	for (size_t i = 0; i < 3; i++) {
		o.url = urls[i];
		assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_ARG);
		assert_null(c);
		assert_null(strstr(err.message, "secretpw"));
		flink_error_release(&err);
	}
	o.url = "http://127.0.0.1:1";
	o.api_version = "v9";
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_ARG);
	flink_error_release(&err);
	o.api_version = NULL;
	static const char *const bad_headers[] = {"NoColon", NULL};
	o.headers = bad_headers;
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_ARG);
	flink_error_release(&err);
	assert_int_equal(flink_client_new(NULL, &c, NULL), FLINK_E_ARG);
}

static void test_unreachable(void **state)
{
	/* a port nobody listens on */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	struct mock_log log;
	mock_log_init(&log);
	struct flink_client_options o;
	flink_client_options_init(&o);
	o.url = url;
	o.max_retries = 1;
	o.retry_backoff_ms = 10;
	o.log = mock_log_cb;
	o.log_ud = &log;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_CONNECT);
	assert_int_equal(err.http_status, 0);
	assert_non_null(strstr(err.message, "cannot reach the gateway for 'GET /v1/api_versions'"));
	assert_int_equal(mock_log_count(&log, 2, "GET /v1/api_versions -> failed in "), 1);
	assert_int_equal(mock_log_count(&log, 1, "GET /v1/api_versions -> failed in "), 1);
	flink_error_release(&err);
	mock_log_release(&log);
}

static void test_http_status_errors(void **state)
{
	struct mock_route routes[] = {{"GET", "/v1/api_versions", 401, "<html>Unauthorized</html>", 0, 0, 0}};
	struct mock m;
	mock_start(&m, routes);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_HTTP);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.message, "gateway answered http 401 to 'GET /v1/api_versions'");
	assert_int_equal(mock_count(&m, NULL, "*"), 1);
	flink_error_release(&err);
	mock_stop(&m);
}

static char *data_path(const char *name)
{
	const char *root = getenv("SLUICE_TEST_DATA");
	char *p = malloc(1024);
	snprintf(p, 1024, "%s/unit/flink/data/%s", root ? root : "tests", name);
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open '%s'", path);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_https(void **state)
{
	char *cert_path = data_path("tls-cert.pem");
	char *key_path = data_path("tls-key.pem");
	char *cert = slurp(cert_path), *key = slurp(key_path);
	struct mock_route routes[] = {versions_ok};
	struct mock m;
	mock_start_tls(&m, 0, routes, 1, cert, key);
	assert_true(strncmp(m.url, "https://", 8) == 0);
	struct flink_client_options o;
	mock_client_options(&o, &m);
	o.bearer_token = "tls-token";
	o.max_retries = 1;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);

	/* the certificate is checked against the given bundle */
	o.ca_file = cert_path;
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	assert_string_equal(m.reqs[0].auth, "Bearer tls-token");
	flink_client_free(c);

	/* a self-signed certificate the system does not know is refused, and not retried */
	o.ca_file = NULL;
	size_t before = mock_nreqs(&m);
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_E_CONNECT);
	assert_null(c);
	assert_int_equal(mock_nreqs(&m), before);
	assert_non_null(strstr(err.message, "cannot reach the gateway"));
	flink_error_release(&err);

	/* unless verification is off */
	o.insecure = true;
	assert_int_equal(flink_client_new(&o, &c, &err), FLINK_OK);
	flink_client_free(c);
	mock_stop(&m);
	free(cert);
	free(key);
	free(cert_path);
	free(key_path);
}

static void test_retryable_table(void **state)
{
	static const struct {
		enum fl_retry r;
		CURLcode cc;
		long status;
		bool want;
	} cases[] = {
		{FL_RETRY_SAFE, CURLE_OK, 200, false},
		{FL_RETRY_SAFE, CURLE_OK, 500, false},
		{FL_RETRY_SAFE, CURLE_OK, 502, true},
		{FL_RETRY_SAFE, CURLE_OK, 503, true},
		{FL_RETRY_SAFE, CURLE_OK, 504, true},
		{FL_RETRY_SAFE, CURLE_OK, 404, false},
		{FL_RETRY_SAFE, CURLE_COULDNT_CONNECT, 0, true},
		{FL_RETRY_SAFE, CURLE_GOT_NOTHING, 0, true},
		{FL_RETRY_SAFE, CURLE_RECV_ERROR, 0, true},
		{FL_RETRY_SAFE, CURLE_SEND_ERROR, 0, true},
		{FL_RETRY_SAFE, CURLE_OPERATION_TIMEDOUT, 0, false},
		{FL_RETRY_SAFE, CURLE_SSL_CONNECT_ERROR, 0, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_OK, 503, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_OK, 502, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_COULDNT_CONNECT, 0, true},
		{FL_RETRY_CONNECT_ONLY, CURLE_COULDNT_RESOLVE_HOST, 0, true},
		{FL_RETRY_CONNECT_ONLY, CURLE_GOT_NOTHING, 0, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_RECV_ERROR, 0, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_SEND_ERROR, 0, false},
		{FL_RETRY_CONNECT_ONLY, CURLE_OPERATION_TIMEDOUT, 0, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (fl_http_retryable(cases[i].r, cases[i].cc, cases[i].status) != cases[i].want)
			fail_msg("case %zu: retryable(%d, %d, %ld) != %d", i, cases[i].r, cases[i].cc,
				 cases[i].status, cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_503_then_ok),
		cmocka_unit_test(test_retry_exhausted),
		cmocka_unit_test(test_drop_retried_for_get),
		cmocka_unit_test(test_statement_not_retried_after_503),
		cmocka_unit_test(test_statement_not_retried_after_drop),
		cmocka_unit_test(test_statement_retried_when_refused),
		cmocka_unit_test(test_request_timeout),
		cmocka_unit_test(test_auth_and_headers),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_url_prefix),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_http_status_errors),
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_retryable_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
