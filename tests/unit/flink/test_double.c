/*
 * flink driver against the Flink SQL Gateway test double (a separate program, found through
 * $SLUICE_FLINK_DOUBLE; every test is skipped when that is empty). The double follows the REST
 * reference strictly, so this checks the client against real protocol behaviour rather than the
 * scripted answers of the other tests: version negotiation per Flink release, sessions and their
 * configuration, queries paged over several results, an INSERT's job id, validation and parse
 * errors with their root causes, a session expired by the server, and the 1.16 protocol.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sluice/flink.h"

struct gw {
	pid_t pid;
	char dir[256];
	char url[64];
	char admin[64];
};

static const char *double_bin(void)
{
	const char *b = getenv("SLUICE_FLINK_DOUBLE");
	return b && *b ? b : NULL;
}

static int read_port(const char *path)
{
	FILE *f = fopen(path, "r");
	int port = 0;
	if (f) {
		if (fscanf(f, "%d", &port) != 1)
			port = 0;
		fclose(f);
	}
	return port;
}

/* The double a test started and has not stopped yet: a failed assertion longjmps past the test's
 * gw_stop, so the teardown stops it (a copy: the test's frame is gone by then) */
static struct gw left_running;

static void gw_stop(struct gw *g);

static int stop_left_running(void **state)
{
	(void)state;
	if (left_running.pid > 0)
		gw_stop(&left_running);
	return 0;
}

static void gw_start(struct gw *g, const char *flink_version)
{
	snprintf(g->dir, sizeof(g->dir), "%s/sluice-flink-double.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g->dir))
		fail_msg("cannot make a temporary folder");
	char data[300], pf[300], apf[300];
	snprintf(data, sizeof(data), "%s/data", g->dir);
	snprintf(pf, sizeof(pf), "%s/port", g->dir);
	snprintf(apf, sizeof(apf), "%s/admin-port", g->dir);
	mkdir(data, 0700);
	g->pid = fork();
	if (g->pid == 0) {
		/* a failed assertion longjmps past gw_stop: the double must not outlive this test */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(double_bin(), double_bin(), "--port", "0", "--port-file", pf, "--admin-port", "0",
		      "--admin-port-file", apf, "--data", data, "--flink-version", flink_version,
		      (char *)NULL);
		_exit(127);
	}
	left_running = *g;
	/* until the double has written its ports (or died): 60 s of wall-clock time at most, far more
	 * than a start takes even under a sanitizer on a busy machine */
	int port = 0, aport = 0;
	time_t end = time(NULL) + 60;
	while (!port || !aport) {
		port = read_port(pf);
		aport = read_port(apf);
		if (port && aport)
			break;
		if (waitpid(g->pid, NULL, WNOHANG) == g->pid) {
			g->pid = left_running.pid = 0;
			fail_msg("the gateway double exited before it listened");
		}
		if (time(NULL) > end)
			fail_msg("the gateway double did not start within 60 s");
		usleep(10000);
	}
	snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%d", port);
	snprintf(g->admin, sizeof(g->admin), "http://127.0.0.1:%d", aport);
}

static void gw_stop(struct gw *g)
{
	if (g->pid > 0) {
		/* SIGTERM, then SIGKILL if it has not ended within 30 s: a double that hangs on its way
		 * out must not hang the test */
		kill(g->pid, SIGTERM);
		time_t end = time(NULL) + 30;
		int st;
		while (waitpid(g->pid, &st, WNOHANG) == 0) {
			if (time(NULL) > end) {
				kill(g->pid, SIGKILL);
				waitpid(g->pid, &st, 0);
				break;
			}
			usleep(10000);
		}
		g->pid = 0;
	}
	left_running.pid = 0;
	char cmd[320];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove '%s'\n", g->dir);
}

static long admin_post(struct gw *g, const char *path)
{
	char url[200];
	snprintf(url, sizeof(url), "%s%s", g->admin, path);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fwrite);
	FILE *sink = fopen("/dev/null", "w");
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	fclose(sink);
	return status;
}

static flink_client *connect_to(struct gw *g)
{
	struct flink_client_options o;
	flink_client_options_init(&o);
	o.url = g->url;
	o.poll_interval_ms = 20;
	o.retry_backoff_ms = 20;
	o.heartbeat_interval_ms = 0;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	if (flink_client_new(&o, &c, &err) != FLINK_OK)
		fail_msg("client: %s", err.message);
	return c;
}

struct rows {
	char cols[256];
	char text[2048];
	long n;
};

static int on_columns(void *ud, const struct flink_column *cols, size_t ncols, const char *job,
		      bool is_query)
{
	struct rows *r = ud;
	for (size_t i = 0; i < ncols; i++) {
		char t[64];
		flink_type_format(cols[i].type, t, sizeof(t));
		size_t n = strlen(r->cols);
		snprintf(r->cols + n, sizeof(r->cols) - n, "%s%s %s", i ? ", " : "", cols[i].name, t);
	}
	return 0;
}

static int on_row(void *ud, const struct flink_row *row, size_t ncols)
{
	struct rows *r = ud;
	r->n++;
	for (size_t i = 0; i < ncols; i++) {
		size_t n = strlen(r->text);
		snprintf(r->text + n, sizeof(r->text) - n, "%s%s", i ? "|" : "",
			 row->fields[i].kind == FLINK_V_NULL ? "NULL" : row->fields[i].text);
	}
	size_t n = strlen(r->text);
	snprintf(r->text + n, sizeof(r->text) - n, ";");
	return 0;
}

static void test_versions(void **state)
{
	if (!double_bin())
		skip();
	static const struct {
		const char *flink, *api;
		size_t nlisted;
	} cases[] = {{"2.0.0", "v4", 4}, {"1.20.1", "v3", 3}, {"1.19.1", "v2", 2}, {"1.16.3", "v1", 1}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw g;
		gw_start(&g, cases[i].flink);
		flink_client *c = connect_to(&g);
		assert_string_equal(flink_client_api_version(c), cases[i].api);
		size_t n;
		flink_client_gateway_versions(c, &n);
		assert_int_equal(n, cases[i].nlisted);
		char *product = NULL, *version = NULL;
		assert_int_equal(flink_client_info(c, &product, &version, NULL), FLINK_OK);
		assert_string_equal(product, "Apache Flink");
		assert_string_equal(version, cases[i].flink);
		free(product);
		free(version);
		flink_client_free(c);
		gw_stop(&g);
	}
}

static void run_statements(flink_client *c)
{
	struct flink_error err;
	flink_error_init(&err);
	static const struct flink_kv props[] = {{"execution.runtime-mode", "batch"}};
	flink_session *s = NULL;
	assert_int_equal(flink_session_open(c, "driver-test", props, 1, &s, &err), FLINK_OK);
	if (flink_session_configure(s, "SET 'pipeline.name' = 'orders'", &err) != FLINK_OK)
		fail_msg("configure: %s", err.message);
	struct flink_kv *kv;
	size_t n;
	assert_int_equal(flink_session_get_config(s, &kv, &n, &err), FLINK_OK);
	bool name = false, mode = false;
	for (size_t i = 0; i < n; i++) {
		name |= strcmp(kv[i].key, "pipeline.name") == 0 && strcmp(kv[i].value, "orders") == 0;
		mode |= strcmp(kv[i].key, "execution.runtime-mode") == 0 && strcmp(kv[i].value, "batch") == 0;
	}
	flink_kv_free(kv, n);
	assert_true(name);
	assert_true(mode);
	assert_int_equal(flink_session_heartbeat(s, &err), FLINK_OK);

	struct rows r = {0};
	struct flink_handler h = {on_columns, on_row, &r, 0, 10000, NULL, false};
	struct flink_run_info info;
	if (flink_statement_run(s, "SELECT 1", NULL, &h, &info, &err) != FLINK_OK)
		fail_msg("SELECT 1: %s", err.message);
	assert_string_equal(r.cols, "EXPR$0 INT NOT NULL");
	assert_string_equal(r.text, "1;");
	assert_true(info.eos);
	assert_int_equal(info.kind, FLINK_KIND_SUCCESS_WITH_CONTENT);

	/* more rows than a page holds */
	memset(&r, 0, sizeof(r));
	if (flink_statement_run(s, "SELECT x FROM (VALUES (1), (2), (3), (4), (5)) AS t(x)", NULL, &h,
				&info, &err) != FLINK_OK)
		fail_msg("VALUES: %s", err.message);
	assert_int_equal(info.rows, 5);
	assert_true(info.eos);
	assert_string_equal(r.text, "1;2;3;4;5;");

	/* an INSERT answers with its job */
	if (flink_statement_run(s, "CREATE TABLE sink (x INT) WITH ('connector' = 'blackhole')", NULL,
				NULL, &info, &err) != FLINK_OK)
		fail_msg("CREATE TABLE: %s", err.message);
	assert_int_equal(info.kind, FLINK_KIND_SUCCESS);
	if (flink_statement_run(s, "INSERT INTO sink VALUES (1)", NULL, NULL, &info, &err) != FLINK_OK)
		fail_msg("INSERT: %s", err.message);
	assert_int_equal(strlen(info.job_id), 32);
	assert_false(info.is_query);

	/* failures come from the fetch, with the cause that matters */
	assert_int_equal(flink_statement_run(s, "SELECT * FROM no_such_table", NULL, NULL, &info, &err),
			 FLINK_E_GATEWAY);
	assert_non_null(err.root_cause);
	assert_non_null(strstr(err.root_cause, "ValidationException"));
	assert_non_null(strstr(err.message, "no_such_table"));
	assert_null(strchr(err.message, '\n'));
	assert_string_equal(err.statement, "SELECT * FROM no_such_table");
	flink_error_release(&err);
	assert_int_equal(flink_statement_run(s, "SELEC 1", NULL, NULL, &info, &err), FLINK_E_GATEWAY);
	assert_non_null(err.root_cause);
	assert_non_null(strstr(err.root_cause, "SqlParserException"));
	flink_error_release(&err);
	/* and leave the session usable */
	memset(&r, 0, sizeof(r));
	assert_int_equal(flink_statement_run(s, "SELECT 1", NULL, &h, &info, &err), FLINK_OK);
	assert_string_equal(r.text, "1;");
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
}

static void test_statements(void **state)
{
	if (!double_bin())
		skip();
	struct gw g;
	gw_start(&g, "2.0.0");
	flink_client *c = connect_to(&g);
	run_statements(c);
	flink_client_free(c);
	gw_stop(&g);
}

/* The same on a 1.16 gateway: v1 paths, 1.16 bodies, configure by execution */
static void test_statements_116(void **state)
{
	if (!double_bin())
		skip();
	struct gw g;
	gw_start(&g, "1.16.3");
	flink_client *c = connect_to(&g);
	assert_int_equal(flink_client_api_number(c), 1);
	run_statements(c);
	flink_client_free(c);
	gw_stop(&g);
}

static void test_session_expired(void **state)
{
	if (!double_bin())
		skip();
	struct gw g;
	gw_start(&g, "1.19.1");
	flink_client *c = connect_to(&g);
	flink_session *s = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_session_open(c, NULL, NULL, 0, &s, &err), FLINK_OK);
	char path[128];
	snprintf(path, sizeof(path), "/sessions/%s/expire", flink_session_handle(s));
	assert_int_equal(admin_post(&g, path), 200);
	assert_int_equal(flink_session_heartbeat(s, &err), FLINK_E_SESSION_GONE);
	assert_false(flink_session_alive(s));
	assert_non_null(strstr(err.message, flink_session_handle(s)));
	flink_error_release(&err);
	assert_int_equal(flink_session_close(s, &err), FLINK_OK);
	flink_client_free(c);
	gw_stop(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_versions, stop_left_running),
		cmocka_unit_test_teardown(test_statements, stop_left_running),
		cmocka_unit_test_teardown(test_statements_116, stop_left_running),
		cmocka_unit_test_teardown(test_session_expired, stop_left_running),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
