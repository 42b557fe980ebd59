/*
 * The pure parts of the gateway double's REST side: JSON written as Jackson writes it (escapes,
 * Java doubles, DECIMAL scales), rows in JSON and PLAIN_TEXT, UUID and token parsing, Netty's
 * percent-decoding, secret masking, fault rules (glob, count, skip), operation state
 * transitions, version tables and the shapes of the error bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static char *rows_text(const char *columns, const char *rows, bool plain)
{
	json_error_t e;
	json_t *c = json_loads(columns, 0, &e);
	json_t *r = json_loads(rows, 0, &e);
	assert_non_null(c);
	assert_non_null(r);
	struct sb out = SB_INIT;
	jw_rows(&out, c, r, plain);
	json_decref(c);
	json_decref(r);
	return sb_detach(&out, NULL);
}

static void test_strings_as_jackson(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:s,s:s,s:[i,n,b]}", "a\"b", "line\nnext\ttab\\ \x01 é/", "x", "", "y", 1, 0);
	char *s = jw_dump(v);
	assert_string_equal(s, "{\"a\\\"b\":\"line\\nnext\\ttab\\\\ \\u0001 é/\",\"x\":\"\",\"y\":[1,null,false]}");
	free(s);
	json_decref(v);
}

static void test_java_doubles(void **state)
{
	(void)state;
	static const struct {
		double d;
		const char *want;
	} cases[] = {
		{33.333, "33.333"}, {1.0, "1.0"}, {0.1, "0.1"}, {100.0, "100.0"}, {-2.5, "-2.5"},
		{1e7, "1.0E7"}, {1.5e-5, "1.5E-5"}, {0.001, "0.001"}, {123456.789, "123456.789"},
		{4821.37, "4821.37"}, {0.0, "0.0"}, {1e21, "1.0E21"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sb s = SB_INIT;
		jw_java_double(&s, cases[i].d);
		assert_string_equal(s.buf, cases[i].want);
		sb_release(&s);
	}
}

static const char *COLUMNS =
	"[{\"name\":\"bool\",\"logicalType\":{\"type\":\"BOOLEAN\",\"nullable\":true},\"comment\":null},"
	"{\"name\":\"bigint\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null},"
	"{\"name\":\"float\",\"logicalType\":{\"type\":\"FLOAT\",\"nullable\":true},\"comment\":null},"
	"{\"name\":\"name\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
	"{\"name\":\"bytes\",\"logicalType\":{\"type\":\"VARBINARY\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
	"{\"name\":\"decimal\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2},\"comment\":null},"
	"{\"name\":\"doubles\",\"logicalType\":{\"type\":\"ARRAY\",\"nullable\":true,\"elementType\":{\"type\":\"DOUBLE\",\"nullable\":true}},\"comment\":null},"
	"{\"name\":\"ts\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"comment\":null},"
	"{\"name\":\"ltz\",\"logicalType\":{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\",\"nullable\":true,\"precision\":9},\"comment\":null},"
	"{\"name\":\"map\",\"logicalType\":{\"type\":\"MAP\",\"nullable\":true,\"keyType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"valueType\":{\"type\":\"BIGINT\",\"nullable\":true}},\"comment\":null},"
	"{\"name\":\"multiSet\",\"logicalType\":{\"type\":\"MULTISET\",\"nullable\":true,\"elementType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647}},\"comment\":null},"
	"{\"name\":\"n\",\"logicalType\":{\"type\":\"INTEGER\",\"nullable\":true},\"comment\":null}]";

static const char *ROWS =
	"[{\"kind\":\"INSERT\",\"fields\":[true,1238123899121,33.333,\"abc\",\"rCK+\",710,[1.1,2.2,3.3],"
	"\"1990-10-14T12:12:43.123\",\"1990-10-14T12:12:43.123456789Z\",{\"element\":123},{\"element\":2},null]},"
	"{\"kind\":\"UPDATE_AFTER\",\"fields\":[false,-1,0.5,\"\",\"\",4821.37,[],\"2024-01-02T00:00:00\",\"2024-01-02T00:00:00Z\",{},{},7]}]";

static void test_rows_json(void **state)
{
	(void)state;
	char *s = rows_text(COLUMNS, ROWS, false);
	assert_string_equal(s, "[{\"kind\":\"INSERT\",\"fields\":[true,1238123899121,33.333,\"abc\",\"rCK+\",710.00,"
			       "[1.1,2.2,3.3],\"1990-10-14T12:12:43.123\",\"1990-10-14T12:12:43.123456789Z\","
			       "{\"element\":123},{\"element\":2},null]},"
			       "{\"kind\":\"UPDATE_AFTER\",\"fields\":[false,-1,0.5,\"\",\"\",4821.37,[],"
			       "\"2024-01-02T00:00:00\",\"2024-01-02T00:00:00Z\",{},{},7]}]");
	free(s);
	/* an engine that keeps exact decimals as numeric strings gets them written as numbers */
	s = rows_text("[{\"name\":\"d\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":38,"
		      "\"scale\":18},\"comment\":null}]",
		      "[{\"kind\":\"INSERT\",\"fields\":[\"12345678901234567890.123456789012345678\"]}]", false);
	assert_string_equal(s, "[{\"kind\":\"INSERT\",\"fields\":[12345678901234567890.123456789012345678]}]");
	free(s);
}

static void test_rows_plain_text(void **state)
{
	(void)state;
	char *s = rows_text(COLUMNS, ROWS, true);
	assert_string_equal(s, "[{\"kind\":\"INSERT\",\"fields\":[\"TRUE\",\"1238123899121\",\"33.333\",\"abc\",\"x'ac22be'\","
			       "\"710.00\",\"[1.1, 2.2, 3.3]\",\"1990-10-14 12:12:43.123\",\"1990-10-14 12:12:43.123456789\","
			       "\"{element=123}\",\"{element=2}\",null]},"
			       "{\"kind\":\"UPDATE_AFTER\",\"fields\":[\"FALSE\",\"-1\",\"0.5\",\"\",\"x''\",\"4821.37\",\"[]\","
			       "\"2024-01-02 00:00:00\",\"2024-01-02 00:00:00\",\"{}\",\"{}\",\"7\"]}]");
	free(s);
}

static void test_uuids_and_tokens(void **state)
{
	(void)state;
	char c[37];
	assert_true(gw_uuid_canon("9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d", c));
	assert_string_equal(c, "9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
	assert_true(gw_uuid_canon("9B4C1D2E-5F60-4A7B-8C9D-0E1F2A3B4C5D", c));
	assert_string_equal(c, "9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
	assert_true(gw_uuid_canon("1-2-3-4-5", c));
	assert_string_equal(c, "00000001-0002-0003-0004-000000000005");
	static const char *const bad[] = {"", "not-a-uuid", "9b4c1d2e5f604a7b8c9d0e1f2a3b4c5d", "1-2-3-4",
					  "1-2-3-4-5-6", "1--3-4-5", "123456789-1-1-1-1", "g-1-1-1-1", " 1-2-3-4-5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(gw_is_uuid(bad[i]));
	long v;
	assert_true(gw_parse_long("0", &v) && v == 0);
	assert_true(gw_parse_long("-12", &v) && v == -12);
	assert_true(gw_parse_long("+7", &v) && v == 7);
	assert_false(gw_parse_long("", &v));
	assert_false(gw_parse_long("1.5", &v));
	assert_false(gw_parse_long("0x10", &v));
	assert_false(gw_parse_long("99999999999999999999", &v));
	char u[37];
	gw_uuid(u);
	assert_true(gw_is_uuid(u));
	assert_int_equal(u[14], '4');
}

static void test_decode(void **state)
{
	(void)state;
	struct sb s = SB_INIT;
	assert_int_equal(gw_decode_component("a%20b+c%2F", 10, true, &s), 0);
	assert_string_equal(s.buf, "a b c/");
	sb_reset(&s);
	assert_int_equal(gw_decode_component("a+b", 3, false, &s), 0);
	assert_string_equal(s.buf, "a+b");
	sb_reset(&s);
	assert_int_equal(gw_decode_component("%zz", 3, true, &s), -1);
	sb_reset(&s);
	assert_int_equal(gw_decode_component("ab%2", 4, true, &s), -1);
	sb_release(&s);
}

static void test_redaction(void **state)
{
	(void)state;
	char *s = gw_redact_sql("CREATE TABLE t WITH ('connector'='jdbc', 'password' = 'it''s', 'user'='u', "
				"'properties.sasl.jaas.config'='x y')");
	assert_string_equal(s, "CREATE TABLE t WITH ('connector'='jdbc', 'password' = '****', 'user'='u', "
			       "'properties.sasl.jaas.config'='****')");
	free(s);
	s = gw_redact_sql("SELECT 'password' FROM t WHERE a = 'unterminated");
	assert_string_equal(s, "SELECT 'password' FROM t WHERE a = 'unterminated");
	free(s);
	json_t *v = json_pack("{s:{s:s,s:s,s:i}}", "properties", "db.password", "x", "db.user", "u", "api-key", 3);
	json_t *r = gw_redact_json(v);
	char *d = jw_dump(r);
	assert_string_equal(d, "{\"properties\":{\"db.password\":\"****\",\"db.user\":\"u\",\"api-key\":3}}");
	free(d);
	json_decref(v);
	json_decref(r);
}

static void test_fault_rules(void **state)
{
	(void)state;
	struct gw g;
	memset(&g, 0, sizeof(g));
	assert_true(gw_glob("/v*/sessions/*/statements", "/v2/sessions/abc/statements"));
	assert_false(gw_glob("/v*/sessions/*/statements", "/v2/sessions/abc/statements/x"));
	char err[256];
	json_t *rules = json_loads("[{\"method\":\"POST\",\"path\":\"/v*/sessions/*/statements\",\"statement\":\"INSERT\","
				   "\"action\":\"fail\",\"message\":\"m\",\"skip\":1,\"count\":2},"
				   "{\"path\":\"*\",\"action\":\"delay\",\"delay_ms\":5}]",
				   0, NULL);
	assert_int_equal(gw_faults_set(&g, rules, err, sizeof(err)), 0);
	json_decref(rules);
	struct gw_fault_hit h;
	const char *p = "/v2/sessions/s/statements";
	gw_faults_match(&g, "POST", p, "INSERT INTO x", &h); /* skipped: the delay rule applies */
	assert_true(h.hit && h.action == FA_DELAY && h.delay_ms == 5);
	gw_faults_match(&g, "POST", p, "INSERT INTO x", &h);
	assert_true(h.hit && h.action == FA_FAIL && h.has_message && !strcmp(h.message, "m"));
	gw_faults_match(&g, "POST", p, "SELECT 1", &h); /* statement does not match */
	assert_true(h.hit && h.action == FA_DELAY);
	gw_faults_match(&g, "GET", p, "INSERT INTO x", &h); /* method does not match */
	assert_true(h.action == FA_DELAY);
	gw_faults_match(&g, "POST", p, "INSERT INTO y", &h);
	assert_true(h.action == FA_FAIL);
	gw_faults_match(&g, "POST", p, "INSERT INTO z", &h); /* count used up */
	assert_true(h.action == FA_DELAY);
	json_t *shown = gw_faults_json(&g);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(shown, 0), "matched")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(shown, 0), "applied")), 2);
	json_decref(shown);
	rules = json_loads("[{\"action\":\"status\",\"status\":42}]", 0, NULL);
	assert_int_equal(gw_faults_set(&g, rules, err, sizeof(err)), -1);
	json_decref(rules);
	assert_int_equal(g.nfaults, 2); /* a refused set keeps the old rules */
	gw_faults_clear(&g);
	assert_int_equal(g.nfaults, 0);
}

static void test_transitions(void **state)
{
	(void)state;
	assert_true(gw_status_can_move(ST_INITIALIZED, ST_PENDING));
	assert_true(gw_status_can_move(ST_RUNNING, ST_CANCELED));
	assert_true(gw_status_can_move(ST_ERROR, ST_CLOSED));
	assert_false(gw_status_can_move(ST_FINISHED, ST_CANCELED));
	assert_false(gw_status_can_move(ST_CANCELED, ST_CANCELED));
	assert_false(gw_status_can_move(ST_CLOSED, ST_CLOSED));
	assert_false(gw_status_can_move(ST_PENDING, ST_FINISHED));
	assert_false(gw_status_terminal(ST_RUNNING));
	assert_true(gw_status_terminal(ST_TIMEOUT));
	assert_string_equal(gw_status_name(ST_FINISHED), "FINISHED");
}

static void test_versions(void **state)
{
	(void)state;
	unsigned v;
	int d;
	bool old;
	assert_int_equal(gw_parse_version("1.16.3", &v, &d, &old), 0);
	assert_true(v == GW_V1 && d == 1 && old);
	assert_int_equal(gw_parse_version("1.18.1", &v, &d, &old), 0);
	assert_true(v == (GW_V1 | GW_V2) && d == 2 && !old);
	assert_int_equal(gw_parse_version("1.20.0", &v, &d, &old), 0);
	assert_true(v == (GW_V1 | GW_V2 | GW_V3) && d == 3);
	assert_int_equal(gw_parse_version("2.1.0", &v, &d, &old), 0);
	assert_true(v == (GW_V1 | GW_V2 | GW_V3 | GW_V4) && d == 4);
	assert_int_equal(gw_parse_version("1.15.0", &v, &d, &old), -1);
	assert_int_equal(gw_parse_version("two", &v, &d, &old), -1);
}

static void test_error_bodies(void **state)
{
	(void)state;
	char *nf = gw_err_not_found("/v1/x?y=1");
	assert_string_equal(nf, "{\"errors\":[\"Not found: /v1/x?y=1\"]}");
	free(nf);

	struct gw_causes c = {0};
	gw_causes_add(&c, JAVA_GW_EXC, "Failed to getOperationInfo.");
	gw_causes_add(&c, JAVA_GW_EXC, "Session '%s' does not exist.", "s");
	char *h = gw_err_handled(CTX_OPERATION, "Failed to getOperationInfo.", &c);
	json_t *j = json_loads(h, 0, NULL);
	json_t *errors = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errors), 1);
	const char *t = json_string_value(json_array_get(errors, 0));
	assert_true(starts_with(t, JAVA_REST_EXC ": Failed to getOperationInfo.\n\tat "));
	assert_non_null(strstr(t, "\nCaused by: " JAVA_GW_EXC ": Failed to getOperationInfo.\n\tat "));
	assert_non_null(strstr(t, "\nCaused by: " JAVA_GW_EXC ": Session 's' does not exist.\n\tat "));
	assert_true(t[strlen(t) - 1] == '\n');
	json_decref(j);
	free(h);

	char *u = gw_err_unhandled(CTX_EXECUTE, &c);
	j = json_loads(u, 0, NULL);
	errors = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errors), 2);
	assert_string_equal(json_string_value(json_array_get(errors, 0)), "Internal server error.");
	t = json_string_value(json_array_get(errors, 1));
	assert_true(starts_with(t, "<Exception on server side:\n" JAVA_GW_EXC ": Failed to getOperationInfo.\n\tat "));
	const char *end = "\n\nEnd of exception on server side>";
	size_t n = strlen(t), m = strlen(end);
	assert_true(n > m && !strcmp(t + n - m, end));
	json_decref(j);
	free(u);
	gw_causes_release(&c);

	/* a cause without a message prints its class alone, as Throwable.toString does */
	gw_causes_add(&c, "java.lang.NullPointerException", NULL);
	struct sb s = SB_INIT;
	gw_trace(&s, CTX_FETCH, &c);
	assert_true(starts_with(s.buf, "java.lang.NullPointerException\n\tat "));
	sb_release(&s);
	gw_causes_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_as_jackson), cmocka_unit_test(test_java_doubles),
		cmocka_unit_test(test_rows_json),          cmocka_unit_test(test_rows_plain_text),
		cmocka_unit_test(test_uuids_and_tokens),   cmocka_unit_test(test_decode),
		cmocka_unit_test(test_redaction),          cmocka_unit_test(test_fault_rules),
		cmocka_unit_test(test_transitions),        cmocka_unit_test(test_versions),
		cmocka_unit_test(test_error_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
