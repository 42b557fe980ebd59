/*
 * The Confluent Cloud half of the flink driver (flink_cc_*) against the Statements API double
 * (a separate program, found through $SLUICE_CCLOUD_DOUBLE; the tests that need it are skipped
 * when that is empty): the regional URL, Basic and bearer auth, statements and their phases,
 * every value type decoded exactly, the changelog of a streaming aggregation folded by its upsert
 * key, stop, resume, delete, list by label, failed statements, retries of GETs only, and an
 * exhausted compute pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sluice/flink.h"

#define SECRET "s3cr3t-value-42"

struct dbl {
	pid_t pid;
	char dir[256];
	char url[64];
	char admin[64];
};

static const char *double_bin(void)
{
	const char *b = getenv("SLUICE_CCLOUD_DOUBLE");
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

static void dbl_start(struct dbl *g)
{
	snprintf(g->dir, sizeof(g->dir), "%s/sluice-cc-double.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g->dir))
		fail_msg("cannot make a temporary folder");
	char data[300], pf[300], apf[300];
	snprintf(data, sizeof(data), "%s/data", g->dir);
	snprintf(pf, sizeof(pf), "%s/port", g->dir);
	snprintf(apf, sizeof(apf), "%s/admin-port", g->dir);
	mkdir(data, 0700);
	g->pid = fork();
	if (g->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(double_bin(), double_bin(), "--data", data, "--port-file", pf, "--admin-port-file", apf, "--api-key",
		      "KEY1:" SECRET, "--token", "tok-" SECRET, "--identity-pool", "pool-1", "--page-rows", "2",
		      (char *)NULL);
		_exit(127);
	}
	int port = 0, aport = 0;
	for (int i = 0; i < 500 && (!port || !aport); i++) {
		port = read_port(pf);
		aport = read_port(apf);
		if (!port || !aport)
			usleep(10000);
	}
	if (!port || !aport)
		fail_msg("the Confluent Cloud double did not start");
	snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%d/", port);
	snprintf(g->admin, sizeof(g->admin), "http://127.0.0.1:%d", aport);
}

static void dbl_stop(struct dbl *g)
{
	if (g->pid > 0) {
		kill(g->pid, SIGTERM);
		int st;
		waitpid(g->pid, &st, 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	char cmd[320];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove '%s'\n", g->dir);
}

struct text {
	char *p;
	size_t n;
};

static size_t collect(char *d, size_t s, size_t n, void *ud)
{
	struct text *t = ud;
	t->p = realloc(t->p, t->n + s * n + 1);
	memcpy(t->p + t->n, d, s * n);
	t->n += s * n;
	t->p[t->n] = 0;
	return s * n;
}

/* an admin request; the body answered, malloc'ed */
static char *admin(struct dbl *g, const char *method, const char *path, const char *body)
{
	char url[200];
	snprintf(url, sizeof(url), "%s%s", g->admin, path);
	CURL *h = curl_easy_init();
	struct text t = {calloc(1, 1), 0};
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_cleanup(h);
	return t.p;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static flink_cc *cc_connect(struct dbl *g, bool bearer)
{
	struct flink_cc_options o;
	flink_cc_options_init(&o);
	o.endpoint = g->url;
	o.organization_id = "7c210ed4-0000-4000-8000-000000000000";
	o.environment_id = "env-abc123";
	o.database = "cluster_0";
	if (bearer) {
		o.bearer_token = "tok-" SECRET;
		o.identity_pool_id = "pool-1";
	} else {
		o.api_key = "KEY1";
		o.api_secret = SECRET;
	}
	o.poll_initial_ms = 10;
	o.poll_max_ms = 50;
	o.retry_backoff_ms = 10;
	o.user_agent = "sluice-test/1";
	flink_cc *cc = NULL;
	struct flink_error err;
	flink_error_init(&err);
	if (flink_cc_connect(&o, &cc, &err))
		fail_msg("connect: %s", err.message);
	return cc;
}

/* ---------------------------------------------------------------- without a server */

static void test_connect_options(void **state)
{
	(void)state;
	struct flink_cc_options o;
	flink_cc_options_init(&o);
	o.organization_id = "org-1";
	o.environment_id = "env-1";
	o.api_key = "k";
	o.api_secret = "s";
	o.cloud_provider = "AWS";
	o.cloud_region = "us-east-2";
	flink_cc *cc = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_cc_connect(&o, &cc, &err), FLINK_OK);
	assert_string_equal(flink_cc_base_url(cc), "https://flink.us-east-2.aws.confluent.cloud");
	flink_cc_free(cc);
	o.endpoint = "https://flink.us-east-2.aws.private.confluent.cloud/";
	assert_int_equal(flink_cc_connect(&o, &cc, &err), FLINK_OK);
	assert_string_equal(flink_cc_base_url(cc), "https://flink.us-east-2.aws.private.confluent.cloud");
	flink_cc_free(cc);
	o.api_key = NULL;
	assert_int_equal(flink_cc_connect(&o, &cc, &err), FLINK_E_ARG);
	o.bearer_token = "t";
	assert_int_equal(flink_cc_connect(&o, &cc, &err), FLINK_E_ARG);  /* no identity pool */
	o.identity_pool_id = "pool-x";
	o.environment_id = "env/../x";
	assert_int_equal(flink_cc_connect(&o, &cc, &err), FLINK_E_ARG);
	flink_error_release(&err);
	assert_string_equal(flink_cc_phase_name(FLINK_CC_STOPPING), "STOPPING");
	assert_true(flink_cc_phase_terminal(FLINK_CC_STOPPED));
	assert_false(flink_cc_phase_terminal(FLINK_CC_DEGRADED));
}

/* ---------------------------------------------------------------- against the double */

struct rows {
	char text[4096];
	long n;
	size_t ncols;
};

static int on_columns(void *ud, const struct flink_column *cols, size_t ncols, const char *job, bool is_query)
{
	(void)cols;
	(void)job;
	(void)is_query;
	((struct rows *)ud)->ncols = ncols;
	return 0;
}

static int on_row(void *ud, const struct flink_row *row, size_t ncols)
{
	struct rows *r = ud;
	size_t len = strlen(r->text);
	for (size_t i = 0; i < ncols; i++) {
		const struct flink_value *v = &row->fields[i];
		const char *k = v->kind == FLINK_V_NULL ? "null" : v->kind == FLINK_V_BOOL ? "bool" : v->kind == FLINK_V_INT ? "int"
			      : v->kind == FLINK_V_NUMBER ? "num" : v->kind == FLINK_V_STRING ? "str" : "json";
		len += (size_t)snprintf(r->text + len, sizeof(r->text) - len, "%s%s:%s", i ? "|" : "", k,
				       v->text ? v->text : "");
	}
	snprintf(r->text + len, sizeof(r->text) - len, "\n");
	r->n++;
	return 0;
}

static void run_ok(flink_cc *cc, const char *name, const char *sql, bool snapshot, struct rows *r)
{
	struct flink_cc_submit s = {.name = name, .statement = sql, .snapshot = snapshot};
	struct flink_handler h = {.on_columns = on_columns, .on_row = on_row, .ud = r, .timeout_ms = 20000};
	struct flink_error err;
	flink_error_init(&err);
	if (flink_cc_run(cc, &s, &h, NULL, &err))
		fail_msg("%s: %s", name, err.message);
}

static void test_types_and_snapshot(void **state)
{
	(void)state;
	if (!double_bin())
		skip();
	struct dbl g;
	dbl_start(&g);
	flink_cc *cc = cc_connect(&g, false);
	struct rows r = {0};
	run_ok(cc, "ddl-t", "CREATE TABLE t (id BIGINT, amount DECIMAL(10,2), ts TIMESTAMP(3), ok BOOLEAN, b BYTES, "
			    "d DATE, tags ARRAY<STRING>, x DOUBLE)", false, &r);
	run_ok(cc, "ins-t", "INSERT INTO t VALUES (1, 10.50, TIMESTAMP '2024-01-01 10:00:00.5', TRUE, x'0a1b', "
			    "DATE '2024-06-15', ARRAY['a', 'b'], 0.1), "
			    "(12345678901, -3.25, TIMESTAMP '2024-01-02 11:00:00', FALSE, x'ff', DATE '2024-06-16', "
			    "CAST(NULL AS ARRAY<STRING>), CAST(NULL AS DOUBLE))", true, &r);
	memset(&r, 0, sizeof(r));
	run_ok(cc, "q-t", "SELECT * FROM t ORDER BY id", true, &r);
	assert_int_equal(r.ncols, 8);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text,
			    "int:1|num:10.50|str:2024-01-01 10:00:00.500|bool:true|str:Chs=|str:2024-06-15|json:[\"a\",\"b\"]|num:0.1\n"
			    "int:12345678901|num:-3.25|str:2024-01-02 11:00:00.000|bool:false|str:/w==|str:2024-06-16|null:|null:\n");
	/* the statements of a run are deleted once read; the INSERT completed and was deleted too */
	flink_cc_statement *st = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_cc_get(cc, "q-t", &st, &err), FLINK_E_NOT_FOUND);
	flink_error_release(&err);
	/* bearer auth works as well */
	flink_cc *cb = cc_connect(&g, true);
	memset(&r, 0, sizeof(r));
	run_ok(cb, "q-bearer", "SELECT COUNT(*) AS n FROM t", true, &r);
	assert_string_equal(r.text, "int:2\n");
	flink_cc_free(cb);
	flink_cc_free(cc);
	dbl_stop(&g);
}

static void test_streaming_lifecycle(void **state)
{
	(void)state;
	if (!double_bin())
		skip();
	struct dbl g;
	dbl_start(&g);
	flink_cc *cc = cc_connect(&g, false);
	struct rows r = {0};
	run_ok(cc, "ddl-c", "CREATE TABLE clicks (k STRING, n INT)", false, &r);
	free(admin(&g, "POST", "/topics/clicks", "[{\"k\":\"a\",\"n\":1},{\"k\":\"b\",\"n\":1},{\"k\":\"a\",\"n\":2}]"));
	const char *labels[] = {"proj-x"};
	struct flink_cc_submit s = {.name = "agg", .statement = "SELECT k, SUM(n) AS total FROM clicks GROUP BY k",
				    .labels = labels, .nlabels = 1};
	flink_cc_statement *st = NULL;
	struct flink_error err;
	flink_error_init(&err);
	assert_int_equal(flink_cc_submit(cc, &s, &st, &err), FLINK_OK);
	assert_int_equal(flink_cc_statement_phase(st), FLINK_CC_PENDING);
	assert_true(flink_cc_statement_has_label(st, "proj-x"));
	assert_string_equal(flink_cc_statement_property(st, "sql.current-database"), "cluster_0");
	assert_int_equal(flink_cc_wait(cc, st, true, 10000, NULL, &err), FLINK_OK);
	assert_int_equal(flink_cc_statement_phase(st), FLINK_CC_RUNNING);
	/* one read, no wait: a running query's rows may be read, it has not ended */
	bool ready = true;
	assert_int_equal(flink_cc_poll(cc, st, false, &ready, &err), FLINK_OK);
	assert_false(ready);
	assert_int_equal(flink_cc_poll(cc, st, true, &ready, &err), FLINK_OK);
	assert_true(ready);
	assert_false(flink_cc_statement_append_only(st));
	size_t nkey = 0;
	const size_t *key = flink_cc_statement_upsert_columns(st, &nkey);
	assert_int_equal(nkey, 1);
	assert_int_equal(key[0], 0);
	/* read the changelog until it shows the update of 'a', folding it by the upsert key */
	flink_snapshot *snap = flink_snapshot_new(2, key, nkey);
	int kinds[4] = {0};
	for (int i = 0; i < 20 && kinds[FLINK_ROW_UPDATE_AFTER] == 0; i++) {
		struct flink_page *p = NULL;
		assert_int_equal(flink_cc_fetch(cc, st, &p, &err), FLINK_OK);
		assert_int_equal(p->type, FLINK_RESULT_PAYLOAD);
		for (size_t j = 0; j < p->nrows; j++) {
			kinds[p->rows[j].kind]++;
			assert_int_equal(flink_snapshot_apply(snap, &p->rows[j], &err), FLINK_OK);
		}
		flink_page_free(p);
	}
	assert_true(kinds[FLINK_ROW_UPDATE_BEFORE] > 0);
	assert_true(kinds[FLINK_ROW_UPDATE_AFTER] > 0);
	const struct flink_row *rows;
	size_t n = flink_snapshot_rows(snap, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].fields[0].text, "a");
	assert_int_equal(rows[0].fields[1].i, 3);
	assert_string_equal(rows[1].fields[0].text, "b");
	flink_snapshot_free(snap);
	/* list by label: an unlabelled statement is left out */
	struct flink_cc_submit other = {.name = "other", .statement = "SELECT 1", .snapshot = true};
	flink_cc_statement *ost = NULL;
	assert_int_equal(flink_cc_submit(cc, &other, &ost, &err), FLINK_OK);
	flink_cc_statement_free(ost);
	flink_cc_statement **v = NULL;
	assert_int_equal(flink_cc_list(cc, "proj-x", &v, &n, &err), FLINK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(flink_cc_statement_name(v[0]), "agg");
	flink_cc_list_free(v, n);
	assert_int_equal(flink_cc_list(cc, NULL, &v, &n, &err), FLINK_OK);
	assert_int_equal(n, 2);
	flink_cc_list_free(v, n);
	/* stop, resume, delete */
	assert_int_equal(flink_cc_stop(cc, "agg", &err), FLINK_OK);
	assert_int_equal(flink_cc_wait(cc, st, false, 10000, NULL, &err), FLINK_OK);
	assert_int_equal(flink_cc_statement_phase(st), FLINK_CC_STOPPED);
	assert_true(flink_cc_statement_stopped(st));
	assert_int_equal(flink_cc_resume(cc, "agg", &err), FLINK_OK);
	assert_int_equal(flink_cc_refresh(cc, st, &err), FLINK_OK);
	assert_false(flink_cc_statement_stopped(st));
	assert_int_not_equal(flink_cc_statement_phase(st), FLINK_CC_STOPPED);
	assert_int_equal(flink_cc_delete(cc, "agg", &err), FLINK_OK);
	assert_int_equal(flink_cc_delete(cc, "agg", &err), FLINK_OK);  /* already gone */
	assert_int_equal(flink_cc_refresh(cc, st, &err), FLINK_E_NOT_FOUND);
	flink_error_release(&err);
	flink_cc_statement_free(st);
	flink_cc_free(cc);
	dbl_stop(&g);
}

static void test_failures_and_retries(void **state)
{
	(void)state;
	if (!double_bin())
		skip();
	struct dbl g;
	dbl_start(&g);
	flink_cc *cc = cc_connect(&g, false);
	struct flink_error err;
	flink_error_init(&err);
	/* a SQL error: FAILED in the 201 body */
	struct flink_cc_submit s = {.name = "bad", .statement = "SELECT * FROM nowhere"};
	flink_cc_statement *st = NULL;
	assert_int_equal(flink_cc_submit(cc, &s, &st, &err), FLINK_E_STATEMENT);
	assert_non_null(st);
	assert_int_equal(flink_cc_statement_phase(st), FLINK_CC_FAILED);
	assert_non_null(strstr(err.root_cause, "nowhere"));
	assert_null(flink_cc_statement_columns(st, NULL));
	flink_cc_statement_free(st);
	/* the name is still taken: 409 */
	assert_int_equal(flink_cc_submit(cc, &s, &st, &err), FLINK_E_CONFLICT);
	assert_int_equal(err.http_status, 409);
	assert_non_null(strstr(err.message, "already in use"));
	/* reserved properties and bad names never reach the server */
	struct flink_kv prop = {"sql.snapshot.mode", "off"};
	struct flink_cc_submit s2 = {.name = "ok-name", .statement = "SELECT 1", .properties = &prop, .nproperties = 1};
	assert_int_equal(flink_cc_submit(cc, &s2, &st, &err), FLINK_E_ARG);
	assert_non_null(strstr(err.message, "reserved"));
	s2.nproperties = 0;
	s2.name = "Bad_Name";
	assert_int_equal(flink_cc_submit(cc, &s2, &st, &err), FLINK_E_ARG);
	/* GETs are retried on 429 and 5xx, a POST never */
	free(admin(&g, "POST", "/faults",
		   "[{\"method\":\"GET\",\"path\":\"*/statements/bad\",\"action\":\"status\",\"status\":429,\"count\":2},"
		   "{\"method\":\"POST\",\"action\":\"status\",\"status\":503,\"count\":1}]"));
	assert_int_equal(flink_cc_get(cc, "bad", &st, &err), FLINK_OK);
	flink_cc_statement_free(st);
	s2.name = "after-503";
	assert_int_equal(flink_cc_submit(cc, &s2, &st, &err), FLINK_E_HTTP);
	assert_int_equal(err.http_status, 503);
	char *log = admin(&g, "GET", "/requests", NULL);
	assert_int_equal(count(log, "\"path\":\"/sql/v1/organizations/7c210ed4-0000-4000-8000-000000000000/environments/env-abc123/statements/bad\""), 3);
	assert_int_equal(count(log, "\"status\":503"), 1);
	assert_non_null(strstr(log, "\"user_agent\":\"sluice-test/1\""));
	assert_null(strstr(log, SECRET));
	free(log);
	/* an exhausted pool: the statement is deleted, the name free again */
	free(admin(&g, "POST", "/faults", "[{\"method\":\"POST\",\"statement\":\"EXHAUST\",\"action\":\"stuck\"}]"));
	struct flink_cc_submit s3 = {.name = "busy", .statement = "SELECT 'EXHAUST'"};
	assert_int_equal(flink_cc_submit(cc, &s3, &st, &err), FLINK_OK);
	bool ready = true;
	assert_int_equal(flink_cc_poll(cc, st, true, &ready, &err), FLINK_E_POOL_EXHAUSTED);
	assert_false(ready);
	flink_cc_statement_free(st);
	assert_int_equal(flink_cc_get(cc, "busy", &st, &err), FLINK_E_NOT_FOUND);
	/* "being modified" arrives as a FAILED statement */
	free(admin(&g, "POST", "/faults",
		   "[{\"method\":\"POST\",\"statement\":\"MOD\",\"action\":\"fail_job\",\"message\":\"Materialized table is "
		   "currently being modified by statement: s1\"}]"));
	struct flink_cc_submit s4 = {.name = "mod", .statement = "SELECT 'MOD'", .snapshot = true};
	assert_int_equal(flink_cc_submit(cc, &s4, &st, &err), FLINK_OK);
	assert_int_equal(flink_cc_wait(cc, st, true, 10000, NULL, &err), FLINK_E_STATEMENT);
	assert_non_null(strstr(err.root_cause, "being modified"));
	flink_cc_statement_free(st);
	/* wrong credentials: 401, and the secret is nowhere in the error */
	struct flink_cc_options o;
	flink_cc_options_init(&o);
	o.endpoint = g.url;
	o.organization_id = "7c210ed4-0000-4000-8000-000000000000";
	o.environment_id = "env-abc123";
	o.api_key = "KEY1";
	o.api_secret = "wrong-" SECRET;
	flink_cc *bad = NULL;
	assert_int_equal(flink_cc_connect(&o, &bad, &err), FLINK_OK);
	assert_int_equal(flink_cc_get(bad, "bad", &st, &err), FLINK_E_HTTP);
	assert_int_equal(err.http_status, 401);
	assert_null(strstr(err.message, SECRET));
	flink_cc_free(bad);
	flink_error_release(&err);
	flink_cc_free(cc);
	dbl_stop(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_options),
		cmocka_unit_test(test_types_and_snapshot),
		cmocka_unit_test(test_streaming_lifecycle),
		cmocka_unit_test(test_failures_and_retries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
