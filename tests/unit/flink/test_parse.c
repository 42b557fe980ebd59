/*
 * flink driver, no server: the gateway's error bodies (every shape of the REST reference §7 and
 * §8.5), fetch-results pages (the examples of §6 and §8, the 1.16 shape of §6.8, Flink's own
 * serializer fixtures in data/), logical types and flink_type_format, exact decimals and big
 * integers, nextResultUri tokens, row kinds, and the small name tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flink/internal.h"

#define S "9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
#define O "6b4a1e55-1d0c-4c35-9f1e-2d7c8b9a0f11"

/* ---------------------------------------------------------------- helpers */

static char *read_data(const char *name)
{
	const char *root = getenv("SLUICE_TEST_DATA");
	char path[1024];
	snprintf(path, sizeof(path), "%s/unit/flink/data/%s", root ? root : "tests", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open '%s'", path);
	struct fl_buf b = FL_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fl_buf_add(&b, chunk, n);
	fclose(f);
	while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r'))
		b.p[--b.len] = '\0';
	return fl_buf_detach(&b);
}

struct parsed {
	struct fl_colset *cols;
	struct flink_page *page;
	char *next;
	struct flink_error err;
	flink_code code;
};

static void parse(struct parsed *p, const char *body)
{
	memset(p, 0, sizeof(*p));
	flink_error_init(&p->err);
	p->code = fl_page_parse(body, strlen(body), &p->cols, &p->page, &p->next, &p->err);
}

static void parsed_release(struct parsed *p)
{
	flink_page_free(p->page);
	fl_colset_free(p->cols);
	free(p->next);
	flink_error_release(&p->err);
}

static void assert_type(const struct flink_type *t, const char *want)
{
	char buf[512];
	size_t n = flink_type_format(t, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void assert_value(const struct flink_value *v, enum flink_value_kind kind, const char *text)
{
	if (v->kind != kind)
		fail_msg("value kind %d, want %d (text '%s')", v->kind, kind, v->text ? v->text : "");
	if (text) {
		assert_non_null(v->text);
		assert_string_equal(v->text, text);
		assert_int_equal(v->len, strlen(text));
	} else {
		assert_null(v->text);
	}
}

/* ---------------------------------------------------------------- error bodies */

/* §8.5 as the gateway sends it: one JSON string with \n and \t escapes */
static const char validation_body[] =
	"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
	"org.apache.flink.table.gateway.api.utils.SqlGatewayException: "
	"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
	"\\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:85)\\n"
	"\\tat java.base/java.lang.Thread.run(Thread.java:829)\\n"
	"Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
	"\\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.fetchResults(SqlGatewayServiceImpl.java:231)\\n"
	"\\t... 48 more\\n"
	"Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation " O ".\\n"
	"\\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)\\n"
	"Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found\\n"
	"\\tat org.apache.flink.table.planner.calcite.FlinkPlannerImpl.org$apache$flink$table$planner$calcite$FlinkPlannerImpl$$validate(FlinkPlannerImpl.scala:200)\\n"
	"Caused by: org.apache.calcite.runtime.CalciteContextException: From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found\\n"
	"\\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)\\n"
	"Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Object 'no_such_table' not found\\n"
	"\\t... 60 more\\n"
	"\\nEnd of exception on server side>\"]}";

static void test_error_validation(void **state)
{
	struct fl_error_body eb;
	assert_int_equal(fl_error_body_parse(validation_body, strlen(validation_body), &eb), 0);
	assert_string_equal(eb.root_cause,
			    "org.apache.flink.table.api.ValidationException: SQL validation failed. "
			    "From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found");
	assert_string_equal(eb.message, "SQL validation failed. From line 1, column 15 to line 1, "
					"column 27: Object 'no_such_table' not found");
	assert_false(eb.session_gone);
	assert_non_null(strstr(eb.trace, "Internal server error.\n<Exception on server side:\n"));
	assert_non_null(strstr(eb.trace, "\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl"));
	assert_non_null(strstr(eb.trace, "End of exception on server side>"));
	assert_null(strchr(eb.message, '\n'));
	fl_error_body_release(&eb);
}

/* §8.5 exactly as printed: the chain ends at the ValidationException */
static void test_error_reference_chain(void **state)
{
	static const char body[] =
		"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
		"org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
		"\\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:…)\\n"
		"\\t…\\n"
		"Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
		"\\t…\\n"
		"Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation O4.\\n"
		"\\t…\\n"
		"Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found\\n"
		"\\t…\\n"
		"End of exception on server side>\"]}";
	struct fl_error_body eb;
	assert_int_equal(fl_error_body_parse(body, strlen(body), &eb), 0);
	assert_string_equal(eb.root_cause,
			    "org.apache.flink.table.api.ValidationException: SQL validation failed. "
			    "From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found");
	fl_error_body_release(&eb);
}

static void test_error_parse_error(void **state)
{
	static const char body[] =
		"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
		"org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
		"\\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:85)\\n"
		"Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation " O ".\\n"
		"\\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)\\n"
		"Caused by: org.apache.flink.table.api.SqlParserException: SQL parse failed. Encountered \\\".\\\" at line 1, column 23.\\n"
		"Was expecting one of:\\n"
		"    <EOF> \\n"
		"    \\\"EXCEPT\\\" ...\\n"
		"    \\n"
		"\\tat org.apache.flink.table.planner.parse.CalciteParser.parseSqlList(CalciteParser.java:81)\\n"
		"Caused by: org.apache.calcite.sql.parser.SqlParseException: Encountered \\\".\\\" at line 1, column 23.\\n"
		"Was expecting one of:\\n"
		"    <EOF> \\n"
		"\\tat org.apache.flink.sql.parser.impl.FlinkSqlParserImpl.convertException(FlinkSqlParserImpl.java:490)\\n"
		"Caused by: org.apache.flink.sql.parser.impl.ParseException: Encountered \\\".\\\" at line 1, column 23.\\n"
		"Was expecting one of:\\n"
		"\\t... 40 more\\n"
		"\\nEnd of exception on server side>\"]}";
	struct fl_error_body eb;
	assert_int_equal(fl_error_body_parse(body, strlen(body), &eb), 0);
	/* the message goes on over lines, up to the stack frames */
	assert_string_equal(eb.root_cause, "org.apache.flink.table.api.SqlParserException: SQL parse "
					   "failed. Encountered \".\" at line 1, column 23.\n"
					   "Was expecting one of:\n    <EOF> \n    \"EXCEPT\" ...");
	assert_string_equal(eb.message, "SQL parse failed. Encountered \".\" at line 1, column 23.");
	fl_error_body_release(&eb);
}

/* Flink's connector errors list the options on the lines after the first: they belong to the
 * root cause, up to the first stack frame */
static void test_error_multiline_message(void **state)
{
	static const char body[] =
		"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
		"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n"
		"\\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.fetchResults(SqlGatewayServiceImpl.java:204)\\n"
		"Caused by: org.apache.flink.table.api.ValidationException: Unable to create a source for reading table 't'.\\n"
		"\\nTable options are:\\n\\n'connector'='datagen'\\n'foo'='1'\\n"
		"\\tat org.apache.flink.table.planner.operations.SqlNodeToOperationConversion.convert(SqlNodeToOperationConversion.java:268)\\n"
		"Caused by: org.apache.flink.table.api.ValidationException: Unsupported options found for 'datagen'.\\n"
		"\\nUnsupported options:\\n\\nfoo\\n\\nSupported options:\\n\\nconnector\\nnumber-of-rows\\n"
		"\\tat org.apache.flink.table.factories.FactoryUtil.validateUnconsumedKeys(FactoryUtil.java:727)\\n"
		"\\t... 6 more\\n\\nEnd of exception on server side>\"]}";
	struct fl_error_body eb;
	assert_int_equal(fl_error_body_parse(body, strlen(body), &eb), 0);
	assert_string_equal(eb.root_cause, "org.apache.flink.table.api.ValidationException: Unsupported options found "
					   "for 'datagen'.\n\nUnsupported options:\n\nfoo\n\nSupported options:\n\n"
					   "connector\nnumber-of-rows");
	assert_string_equal(eb.message, "Unsupported options found for 'datagen'.");
	fl_error_body_release(&eb);
}

static void test_error_session_gone(void **state)
{
	/* one element: a handled error of the operation handlers */
	static const char handled[] =
		"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getOperationInfo.\\n"
		"\\tat org.apache.flink.table.gateway.rest.handler.operation.AbstractOperationHandler.handleRequest(AbstractOperationHandler.java:75)\\n"
		"\\tat java.base/java.lang.Thread.run(Thread.java:829)\\n"
		"Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '" S "' does not exist.\\n"
		"\\tat org.apache.flink.table.gateway.service.session.SessionManagerImpl.getSession(SessionManagerImpl.java:127)\\n"
		"\\t... 45 more\\n\"]}";
	struct fl_error_body eb;
	assert_int_equal(fl_error_body_parse(handled, strlen(handled), &eb), 0);
	assert_true(eb.session_gone);
	assert_string_equal(eb.message, "Session '" S "' does not exist.");
	assert_string_equal(eb.root_cause, "org.apache.flink.table.gateway.api.utils.SqlGatewayException: "
					   "Session '" S "' does not exist.");
	fl_error_body_release(&eb);

	/* two elements: execute on an unknown session */
	static const char execute[] =
		"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\n"
		"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.\\n"
		"\\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.executeStatement(SqlGatewayServiceImpl.java:212)\\n"
		"Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '" S "' does not exist.\\n"
		"\\t... 12 more\\n"
		"\\nEnd of exception on server side>\"]}";
	assert_int_equal(fl_error_body_parse(execute, strlen(execute), &eb), 0);
	assert_true(eb.session_gone);
	assert_string_equal(eb.message, "Session '" S "' does not exist.");
	fl_error_body_release(&eb);

	/* an unknown operation is not a gone session */
	static const char op[] =
		"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getOperationInfo.\\n"
		"\\tat x.Y.z(Y.java:1)\\n"
		"Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not find the submitted operation in the OperationManager with the " O ".\\n\"]}";
	assert_int_equal(fl_error_body_parse(op, strlen(op), &eb), 0);
	assert_false(eb.session_gone);
	assert_string_equal(eb.message, "Can not find the submitted operation in the OperationManager "
					"with the " O ".");
	fl_error_body_release(&eb);
}

static void test_error_other_shapes(void **state)
{
	static const struct {
		const char *body;
		const char *message;
		const char *root; /* NULL: none */
	} cases[] = {
		{"{\"errors\":[\"Not found: /v1/sessions/" S "/configure-session\"]}",
		 "Not found: /v1/sessions/" S "/configure-session", NULL},
		/* 400 for a bad handle: the outer exception restates the inner one with context */
		{"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Bad request, could not parse parameters: Cannot resolve path parameter (session_handle) from value \\\"not-a-uuid\\\".\\n\\tat org.apache.flink.runtime.rest.handler.AbstractRestHandler.respondToRequest(AbstractRestHandler.java:80)\\nCaused by: org.apache.flink.runtime.rest.handler.HandlerRequestException: Cannot resolve path parameter (session_handle) from value \\\"not-a-uuid\\\".\\n\\t... 30 more\"]}",
		 "Bad request, could not parse parameters: Cannot resolve path parameter (session_handle) from value \"not-a-uuid\".",
		 "org.apache.flink.runtime.rest.handler.RestHandlerException: Bad request, could not parse parameters: Cannot resolve path parameter (session_handle) from value \"not-a-uuid\"."},
		{"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format ExecuteStatementRequestBody.\\n\\tat a.B.c(B.java:1)\"]}",
		 "Request did not match expected format ExecuteStatementRequestBody.",
		 "org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format ExecuteStatementRequestBody."},
		{"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\\n\\tat a.B.c(B.java:1)\\nCaused by: java.lang.IllegalArgumentException: Expecting token to be 2 or 1, but found 5.\\n\\t... 3 more\\n\\nEnd of exception on server side>\"]}",
		 "Expecting token to be 2 or 1, but found 5.",
		 "java.lang.IllegalArgumentException: Expecting token to be 2 or 1, but found 5."},
		{"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to cancelOperation.\\n\\tat a.B.c(B.java:1)\\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to cancelOperation.\\nCaused by: java.lang.IllegalStateException: Failed to convert the Operation Status from FINISHED to CANCELED for " O ".\\n\"]}",
		 "Failed to convert the Operation Status from FINISHED to CANCELED for " O ".",
		 "java.lang.IllegalStateException: Failed to convert the Operation Status from FINISHED to CANCELED for " O "."},
		{"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.\\nCaused by: java.lang.UnsupportedOperationException: SqlGatewayService doesn't support timeout mechanism now.\\n\\nEnd of exception on server side>\"]}",
		 "SqlGatewayService doesn't support timeout mechanism now.",
		 "java.lang.UnsupportedOperationException: SqlGatewayService doesn't support timeout mechanism now."},
		/* a wrapper built from its cause's toString() adds nothing: the cause wins */
		{"{\"errors\":[\"org.apache.flink.util.FlinkException: java.lang.RuntimeException: boom\\nCaused by: java.lang.RuntimeException: boom\\n\\tat a.B.c(B.java:1)\"]}",
		 "boom", "java.lang.RuntimeException: boom"},
		/* an exception without a message */
		{"{\"errors\":[\"Internal server error.\",\"<Exception on server side:\\njava.util.concurrent.CompletionException: java.lang.NullPointerException\\n\\tat a.B.c(B.java:1)\\nCaused by: java.lang.NullPointerException\\n\\t... 9 more\\n\\nEnd of exception on server side>\"]}",
		 "java.lang.NullPointerException", "java.lang.NullPointerException"},
		/* 503 while the endpoint starts */
		{"{\"errors\":[\"Service temporarily unavailable due to an ongoing leader election. Please refresh.\"]}",
		 "Service temporarily unavailable due to an ongoing leader election. Please refresh.", NULL},
		/* a number where a string belongs still makes a trace */
		{"{\"errors\":[42]}", "42", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fl_error_body eb;
		if (fl_error_body_parse(cases[i].body, strlen(cases[i].body), &eb) != 0)
			fail_msg("case %zu: not read as an error body", i);
		if (strcmp(eb.message, cases[i].message))
			fail_msg("case %zu: message '%s', want '%s'", i, eb.message, cases[i].message);
		if (cases[i].root ? !eb.root_cause || strcmp(eb.root_cause, cases[i].root) : !!eb.root_cause)
			fail_msg("case %zu: root cause '%s', want '%s'", i,
				 eb.root_cause ? eb.root_cause : "(null)",
				 cases[i].root ? cases[i].root : "(null)");
		assert_false(eb.session_gone);
		fl_error_body_release(&eb);
	}
}

static void test_error_not_error_bodies(void **state)
{
	static const char *const bodies[] = {
		"", "<html><body>Bad Gateway</body></html>", "{\"errors\":[]}", "{\"errors\":\"x\"}",
		"{\"status\":\"CLOSED\"}", "[\"errors\"]", "{\"errors\":[\"x\"",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct fl_error_body eb;
		if (fl_error_body_parse(bodies[i], strlen(bodies[i]), &eb) == 0)
			fail_msg("'%s' read as an error body", bodies[i]);
		assert_null(eb.message);
	}
}

/* ---------------------------------------------------------------- exact numbers */

static void test_json_tagging(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"[1,-2,3.50,1.5E-7,0e0]",
		 "[\"\\u0000n1\",\"\\u0000n-2\",\"\\u0000n3.50\",\"\\u0000n1.5E-7\",\"\\u0000n0e0\"]"},
		/* digits in strings and keys stay as they are */
		{"{\"a1\":\"2-3 \\\"4\\\"\",\"k\" : 5}", "{\"a1\":\"2-3 \\\"4\\\"\",\"k\" : \"\\u0000n5\"}"},
		/* a string value starting with NUL is tagged too, a key is not */
		{"[\"\\u0000n7\",\"x\\u0000\"]", "[\"\\u0000s\\u0000n7\",\"x\\u0000\"]"},
		{"{\"\\u0000k\":1}", "{\"\\u0000k\":\"\\u0000n1\"}"},
		{"true false null", "true false null"},
		/* not numbers: left for jansson to refuse */
		{"[-]", "[-]"}, {"[01]", "[\"\\u0000n0\"\"\\u0000n1\"]"}, {"[1.]", "[1.]"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		char *out = fl_json_tag_numbers(cases[i].in, strlen(cases[i].in), &n);
		if (strcmp(out, cases[i].out))
			fail_msg("tag('%s') = '%s', want '%s'", cases[i].in, out, cases[i].out);
		assert_int_equal(n, strlen(out));
		free(out);
	}
}

static void test_json_exact_values(void **state)
{
	static const char body[] =
		"{\"a\":[9223372036854775807,-9223372036854775808,9223372036854775808,"
		"123456789012345678901234567890,710.00,1.5E-7,-0.0,1e400],"
		"\"s\":\"\\u0000n12\",\"nested\":{\"x\":1.10,\"y\":[true,null,\"q\\\"\\n\"]}}";
	char why[128];
	json_t *root = fl_json_load(body, strlen(body), why, sizeof(why));
	assert_non_null(root);
	json_t *a = json_object_get(root, "a");
	int64_t v;
	assert_true(fl_json_int64(json_array_get(a, 0), &v));
	assert_true(v == INT64_MAX);
	assert_true(fl_json_int64(json_array_get(a, 1), &v));
	assert_true(v == INT64_MIN);
	assert_false(fl_json_int64(json_array_get(a, 2), &v));
	static const char *const texts[] = {"9223372036854775807", "-9223372036854775808",
					    "9223372036854775808", "123456789012345678901234567890",
					    "710.00", "1.5E-7", "-0.0", "1e400"};
	for (size_t i = 0; i < 8; i++) {
		size_t n;
		const char *t = fl_json_number_text(json_array_get(a, i), &n);
		assert_non_null(t);
		assert_string_equal(t, texts[i]);
		assert_int_equal(n, strlen(texts[i]));
		assert_null(fl_json_string(json_array_get(a, i), NULL));
	}
	/* a real string that starts with NUL 'n' is a string, not the number 12 */
	size_t n;
	const char *s = fl_json_string(json_object_get(root, "s"), &n);
	assert_non_null(s);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "\0n12", 4);
	assert_false(fl_json_is_number(json_object_get(root, "s")));

	struct fl_buf b = FL_BUF_INIT;
	fl_json_compact(&b, json_object_get(root, "nested"));
	assert_string_equal(b.p, "{\"x\":1.10,\"y\":[true,null,\"q\\\"\\n\"]}");
	fl_buf_release(&b);
	fl_json_compact(&b, root);
	assert_non_null(strstr(b.p, "\"s\":\"\\u0000n12\""));
	fl_buf_release(&b);
	json_decref(root);

	assert_null(fl_json_load("{\"a\":01}", 8, why, sizeof(why)));
	assert_null(fl_json_load("[1,", 3, why, sizeof(why)));
}

/* ---------------------------------------------------------------- pages */

static void test_page_ddl_ok(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":false,\"resultKind\":\"SUCCESS\","
		  "\"results\":{\"columns\":[{\"name\":\"result\",\"logicalType\":{\"type\":\"VARCHAR\","
		  "\"nullable\":true,\"length\":2147483647},\"comment\":null}],\"rowFormat\":\"JSON\","
		  "\"data\":[{\"kind\":\"INSERT\",\"fields\":[\"OK\"]}]},"
		  "\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/1?rowFormat=JSON\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_PAYLOAD);
	assert_false(p.page->is_query);
	assert_int_equal(p.page->kind, FLINK_KIND_SUCCESS);
	assert_null(p.page->job_id);
	assert_int_equal(p.page->ncols, 1);
	assert_string_equal(p.page->cols[0].name, "result");
	assert_null(p.page->cols[0].comment);
	assert_type(p.page->cols[0].type, "STRING");
	assert_int_equal(p.page->nrows, 1);
	assert_int_equal(p.page->rows[0].kind, FLINK_ROW_INSERT);
	assert_value(&p.page->rows[0].fields[0], FLINK_V_STRING, "OK");
	int64_t tok = -1;
	assert_int_equal(fl_next_uri_token(p.next, &tok), 0);
	assert_int_equal(tok, 1);
	assert_true(p.page->cols == p.cols->cols);
	parsed_release(&p);
}

static void test_page_not_ready_and_eos(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"NOT_READY\",\"nextResultUri\":\"/v2/sessions/" S "/operations/" O
		  "/result/0?rowFormat=JSON\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_NOT_READY);
	assert_int_equal(p.page->nrows, 0);
	assert_int_equal(p.page->ncols, 0);
	assert_null(p.cols);
	int64_t tok = -1;
	assert_int_equal(fl_next_uri_token(p.next, &tok), 0);
	assert_int_equal(tok, 0);
	parsed_release(&p);

	parse(&p, "{\"resultType\":\"EOS\",\"isQueryResult\":true,\"jobID\":\"3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b\","
		  "\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[{\"name\":\"order_id\","
		  "\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null}],"
		  "\"rowFormat\":\"JSON\",\"data\":[]}}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_EOS);
	assert_null(p.next);
	assert_true(p.page->is_query);
	assert_string_equal(p.page->job_id, "3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b");
	assert_int_equal(p.page->ncols, 1);
	assert_int_equal(p.page->nrows, 0);
	parsed_release(&p);
}

static void test_page_select_exact(void **state)
{
	static const char cols[] =
		"\"columns\":[{\"name\":\"order_id\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null},"
		"{\"name\":\"amount\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2},\"comment\":null}]";
	char body[2048];
	snprintf(body, sizeof(body),
		 "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b\","
		 "\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{%s,\"rowFormat\":\"JSON\",\"data\":["
		 "{\"kind\":\"INSERT\",\"fields\":[4,33.10]},{\"kind\":\"INSERT\",\"fields\":[5,710.00]},"
		 "{\"kind\":\"INSERT\",\"fields\":[9007199254740993,null]}]},"
		 "\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/3?rowFormat=JSON\"}",
		 cols);
	struct parsed p;
	parse(&p, body);
	assert_int_equal(p.code, FLINK_OK);
	assert_true(p.page->is_query);
	assert_int_equal(p.page->kind, FLINK_KIND_SUCCESS_WITH_CONTENT);
	assert_type(p.page->cols[1].type, "DECIMAL(10, 2)");
	assert_int_equal(p.page->nrows, 3);
	const struct flink_value *f = p.page->rows[0].fields;
	assert_value(&f[0], FLINK_V_INT, "4");
	assert_true(f[0].i == 4);
	assert_value(&f[1], FLINK_V_NUMBER, "33.10");
	assert_value(&p.page->rows[1].fields[1], FLINK_V_NUMBER, "710.00");
	/* 2^53 + 1: a double would make it ...992 */
	assert_value(&p.page->rows[2].fields[0], FLINK_V_INT, "9007199254740993");
	assert_true(p.page->rows[2].fields[0].i == INT64_C(9007199254740993));
	assert_value(&p.page->rows[2].fields[1], FLINK_V_NULL, NULL);
	int64_t tok;
	assert_int_equal(fl_next_uri_token(p.next, &tok), 0);
	assert_int_equal(tok, 3);

	/* a second page reuses the operation's columns */
	struct fl_colset *cs = p.cols;
	struct flink_page *page2;
	char *next2;
	static const char second[] =
		"{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"resultKind\":\"SUCCESS_WITH_CONTENT\","
		"\"results\":{\"columns\":[],\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":[1,2.5]}]},"
		"\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/4?rowFormat=JSON\"}";
	assert_int_equal(fl_page_parse(second, strlen(second), &p.cols, &page2, &next2, &p.err), FLINK_OK);
	assert_true(p.cols == cs);
	assert_int_equal(page2->ncols, 2);
	assert_value(&page2->rows[0].fields[1], FLINK_V_NUMBER, "2.5");
	flink_page_free(page2);
	free(next2);
	parsed_release(&p);
}

static void test_page_insert_job(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":false,\"jobID\":\"ed93eb6b13950a5897876f0d21935acf\","
		  "\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[{\"name\":\"job id\","
		  "\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null}],"
		  "\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":[\"ed93eb6b13950a5897876f0d21935acf\"]}]},"
		  "\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/1?rowFormat=JSON\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_false(p.page->is_query);
	assert_string_equal(p.page->job_id, "ed93eb6b13950a5897876f0d21935acf");
	assert_string_equal(p.page->cols[0].name, "job id");
	assert_value(&p.page->rows[0].fields[0], FLINK_V_STRING, "ed93eb6b13950a5897876f0d21935acf");
	parsed_release(&p);
}

/* Flink 1.16 (§6.8): no isQueryResult, jobID, resultKind, rowFormat; results on NOT_READY */
static void test_page_flink_116(void **state)
{
	struct parsed p;
	parse(&p, "{\"results\":{\"columns\":[{\"name\":\"result\",\"logicalType\":{\"type\":\"VARCHAR\","
		  "\"nullable\":true,\"length\":2147483647},\"comment\":null}],\"data\":[{\"kind\":\"INSERT\","
		  "\"fields\":[\"OK\"]}]},\"resultType\":\"PAYLOAD\",\"nextResultUri\":"
		  "\"/v1/sessions/_session/operations/_operation/result/1\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_PAYLOAD);
	assert_int_equal(p.page->kind, FLINK_KIND_SUCCESS);
	assert_true(((struct fl_page *)p.page)->kind_inferred);
	assert_false(p.page->is_query);
	assert_null(p.page->job_id);
	int64_t tok;
	assert_int_equal(fl_next_uri_token(p.next, &tok), 0);
	assert_int_equal(tok, 1);
	parsed_release(&p);

	parse(&p, "{\"results\":{\"columns\":[{\"name\":\"job id\",\"logicalType\":{\"type\":\"VARCHAR\","
		  "\"nullable\":true,\"length\":2147483647},\"comment\":null}],\"data\":[{\"kind\":\"INSERT\","
		  "\"fields\":[\"ed93eb6b13950a5897876f0d21935acf\"]}]},\"resultType\":\"PAYLOAD\","
		  "\"nextResultUri\":\"/v1/sessions/_session/operations/_operation/result/1\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->kind, FLINK_KIND_SUCCESS_WITH_CONTENT);
	assert_value(&p.page->rows[0].fields[0], FLINK_V_STRING, "ed93eb6b13950a5897876f0d21935acf");
	parsed_release(&p);

	/* NOT_READY still carries empty results; they must not become the columns */
	parse(&p, "{\"results\":{\"columns\":[],\"data\":[]},\"resultType\":\"NOT_READY\","
		  "\"nextResultUri\":\"/v1/sessions/_session/operations/_operation/result/0\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_NOT_READY);
	assert_null(p.cols);
	parsed_release(&p);

	/* EOS with an explicit null */
	parse(&p, "{\"results\":{\"columns\":[{\"name\":\"result\",\"logicalType\":{\"type\":\"VARCHAR\","
		  "\"nullable\":true,\"length\":2147483647},\"comment\":null}],\"data\":[]},"
		  "\"resultType\":\"EOS\",\"nextResultUri\":null}");
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->type, FLINK_RESULT_EOS);
	assert_null(p.next);
	parsed_release(&p);
}

/* The real 1.17.2 answer on the v1 path (§8.3) */
static void test_page_v1_select_1(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"d9a289ba044b6f0d07284cbdc6f7e63c\","
		  "\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[{\"name\":\"EXPR$0\","
		  "\"logicalType\":{\"type\":\"INTEGER\",\"nullable\":false},\"comment\":null}],\"rowFormat\":\"JSON\","
		  "\"data\":[{\"kind\":\"INSERT\",\"fields\":[1]}]},\"nextResultUri\":\"/v1/sessions/"
		  "25c1a1b1-2c2e-4c70-be27-a60c152881d6/operations/7fa9b9c1-0a19-46c5-ae97-776a3e944bac/result/1\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_false(((struct fl_page *)p.page)->kind_inferred);
	assert_string_equal(p.page->cols[0].name, "EXPR$0");
	assert_type(p.page->cols[0].type, "INT NOT NULL");
	assert_false(p.page->cols[0].type->nullable);
	assert_value(&p.page->rows[0].fields[0], FLINK_V_INT, "1");
	int64_t tok;
	assert_int_equal(fl_next_uri_token(p.next, &tok), 0);
	assert_int_equal(tok, 1);
	parsed_release(&p);
}

static void test_page_row_kinds(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"resultKind\":\"SUCCESS_WITH_CONTENT\","
		  "\"results\":{\"columns\":[{\"name\":\"n\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":false},"
		  "\"comment\":\"the count\"}],\"rowFormat\":\"JSON\",\"data\":["
		  "{\"kind\":\"INSERT\",\"fields\":[1]},{\"kind\":\"UPDATE_BEFORE\",\"fields\":[1]},"
		  "{\"kind\":\"UPDATE_AFTER\",\"fields\":[2]},{\"kind\":\"DELETE\",\"fields\":[2]}]},"
		  "\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/2?rowFormat=JSON\"}");
	assert_int_equal(p.code, FLINK_OK);
	assert_string_equal(p.page->cols[0].comment, "the count");
	static const enum flink_row_kind kinds[] = {FLINK_ROW_INSERT, FLINK_ROW_UPDATE_BEFORE,
						    FLINK_ROW_UPDATE_AFTER, FLINK_ROW_DELETE};
	static const char *const shorts[] = {"+I", "-U", "+U", "-D"};
	static const char *const names[] = {"INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE"};
	assert_int_equal(p.page->nrows, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(p.page->rows[i].kind, kinds[i]);
		assert_string_equal(flink_row_kind_short(p.page->rows[i].kind), shorts[i]);
		assert_string_equal(flink_row_kind_name(p.page->rows[i].kind), names[i]);
	}
	parsed_release(&p);
}

static void test_page_values(void **state)
{
	struct parsed p;
	parse(&p, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"resultKind\":\"SUCCESS_WITH_CONTENT\","
		  "\"results\":{\"columns\":[{\"name\":\"s\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":10},\"comment\":null},"
		  "{\"name\":\"r\",\"logicalType\":{\"type\":\"ROW\",\"nullable\":true,\"fields\":[{\"name\":\"a\",\"fieldType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":5,\"scale\":2}},"
		  "{\"name\":\"b\",\"fieldType\":{\"type\":\"ARRAY\",\"nullable\":true,\"elementType\":{\"type\":\"DOUBLE\",\"nullable\":true}}}]},\"comment\":null},"
		  "{\"name\":\"big\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":38,\"scale\":0},\"comment\":null},"
		  "{\"name\":\"tiny\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":20,\"scale\":10},\"comment\":null},"
		  "{\"name\":\"b\",\"logicalType\":{\"type\":\"BOOLEAN\",\"nullable\":true},\"comment\":null}],"
		  "\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":["
		  "\"a\\u0000b\\\"\",{\"a\":1.10,\"b\":[1.0E-5,null]},99999999999999999999999999999999999999,1.5E-7,false]},"
		  "{\"kind\":\"INSERT\",\"fields\":[\"\\u0000n5\",null,-9223372036854775809,0.0000000001,true]}]},"
		  "\"nextResultUri\":\"/v2/sessions/" S "/operations/" O "/result/1?rowFormat=JSON\"}");
	assert_int_equal(p.code, FLINK_OK);
	const struct flink_value *f = p.page->rows[0].fields;
	assert_int_equal(f[0].kind, FLINK_V_STRING);
	assert_int_equal(f[0].len, 4);
	assert_memory_equal(f[0].text, "a\0b\"", 5);
	assert_value(&f[1], FLINK_V_JSON, "{\"a\":1.10,\"b\":[1.0E-5,null]}");
	assert_value(&f[2], FLINK_V_NUMBER, "99999999999999999999999999999999999999");
	assert_value(&f[3], FLINK_V_NUMBER, "1.5E-7");
	assert_value(&f[4], FLINK_V_BOOL, "false");
	assert_false(f[4].b);
	f = p.page->rows[1].fields;
	assert_int_equal(f[0].kind, FLINK_V_STRING);
	assert_int_equal(f[0].len, 3);
	assert_memory_equal(f[0].text, "\0n5", 4);
	assert_value(&f[1], FLINK_V_NULL, NULL);
	assert_value(&f[2], FLINK_V_NUMBER, "-9223372036854775809");
	assert_value(&f[3], FLINK_V_NUMBER, "0.0000000001");
	assert_value(&f[4], FLINK_V_BOOL, "true");
	assert_true(f[4].b);
	assert_type(p.page->cols[1].type, "ROW<`a` DECIMAL(5, 2), `b` ARRAY<DOUBLE>>");
	assert_type(p.page->cols[0].type, "VARCHAR(10)");
	parsed_release(&p);
}

static void test_page_protocol_errors(void **state)
{
	static const char *const bodies[] = {
		"", "not json", "[]", "{}", "{\"resultType\":\"MAYBE\"}",
		"{\"resultType\":\"PAYLOAD\"}",
		"{\"resultType\":\"PAYLOAD\",\"resultKind\":\"SOMETIMES\",\"results\":{\"columns\":[],\"data\":[]}}",
		"{\"resultType\":\"PAYLOAD\",\"results\":{\"columns\":[{\"name\":\"a\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true}}],\"data\":[{\"kind\":\"INSERT\",\"fields\":[1,2]}]}}",
		"{\"resultType\":\"PAYLOAD\",\"results\":{\"columns\":[{\"name\":\"a\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true}}],\"data\":[{\"kind\":\"UPSERT\",\"fields\":[1]}]}}",
		"{\"resultType\":\"PAYLOAD\",\"results\":{\"columns\":[{\"name\":\"a\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true}}],\"data\":[]}}",
		"{\"resultType\":\"PAYLOAD\",\"results\":{\"columns\":[{\"logicalType\":{\"type\":\"INTEGER\",\"nullable\":true}}],\"data\":[]}}",
		"{\"resultType\":\"PAYLOAD\",\"nextResultUri\":7,\"results\":{\"columns\":[],\"data\":[]}}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct parsed p;
		parse(&p, bodies[i]);
		if (p.code != FLINK_E_PROTOCOL)
			fail_msg("body %zu: code %d, want FLINK_E_PROTOCOL", i, p.code);
		assert_null(p.page);
		assert_null(p.next);
		assert_non_null(p.err.message);
		assert_int_equal(p.err.code, FLINK_E_PROTOCOL);
		parsed_release(&p);
	}
}

/* Flink's serializer fixtures, wrapped as the full answers of 1.17+ and 1.16 */
static void check_fixture_row(const struct flink_page *pg, bool with_intervals)
{
	static const char *const types[] = {
		"BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "STRING", "BYTES",
		"DECIMAL(9, 6)", "ARRAY<DOUBLE>", "DATE", "TIME(0)", "TIMESTAMP(3)", "TIMESTAMP(9)",
		"TIMESTAMP_LTZ(9)", "MAP<STRING, BIGINT>", "MULTISET<STRING>",
		"MAP<STRING, MAP<STRING, INT>>", "INTERVAL DAY(3) TO SECOND(3)",
		"INTERVAL YEAR(3) TO MONTH",
	};
	size_t ncols = with_intervals ? 20 : 18;
	assert_int_equal(pg->ncols, ncols);
	for (size_t i = 0; i < ncols; i++) {
		char buf[128];
		flink_type_format(pg->cols[i].type, buf, sizeof(buf));
		if (strcmp(buf, types[i]))
			fail_msg("column %zu '%s': type '%s', want '%s'", i, pg->cols[i].name, buf, types[i]);
	}
	assert_string_equal(pg->cols[14].name, "timestampWithLocalZone");
	assert_string_equal(pg->cols[14].type->root_name, "TIMESTAMP_WITH_LOCAL_TIME_ZONE");
	assert_int_equal(pg->cols[14].type->root, FLINK_T_TIMESTAMP_LTZ);
	assert_int_equal(pg->cols[14].type->precision, 9);
	assert_int_equal(pg->nrows, 1);
	const struct flink_value *f = pg->rows[0].fields;
	assert_value(&f[0], FLINK_V_BOOL, "true");
	assert_value(&f[1], FLINK_V_INT, "99");
	assert_value(&f[2], FLINK_V_INT, "128");
	assert_value(&f[3], FLINK_V_INT, "45536");
	assert_value(&f[4], FLINK_V_INT, "1238123899121");
	assert_true(f[4].i == INT64_C(1238123899121));
	assert_value(&f[5], FLINK_V_NUMBER, "33.333");
	assert_value(&f[6], FLINK_V_STRING, "asdlkjasjkdla998y1122");
	assert_int_equal(f[7].kind, FLINK_V_STRING);
	assert_true(strncmp(f[7].text, "rCK+CgzBvoPp63jEFzLNjw30", 24) == 0);
	assert_true(f[7].len > 1000);
	assert_value(&f[8], FLINK_V_NUMBER, "123.456789");
	assert_value(&f[9], FLINK_V_JSON, "[1.1,2.2,3.3]");
	assert_value(&f[10], FLINK_V_STRING, "1990-10-14");
	assert_value(&f[11], FLINK_V_STRING, "12:12:43");
	assert_value(&f[12], FLINK_V_STRING, "1990-10-14T12:12:43.123");
	assert_value(&f[13], FLINK_V_STRING, "1990-10-14T12:12:43.123456789");
	assert_value(&f[14], FLINK_V_STRING, "1990-10-14T12:12:43.123456789Z");
	assert_value(&f[15], FLINK_V_JSON, "{\"element\":123}");
	assert_value(&f[16], FLINK_V_JSON, "{\"element\":2}");
	assert_value(&f[17], FLINK_V_JSON, "{\"inner_map\":{\"key\":234}}");
	if (with_intervals) {
		assert_value(&f[18], FLINK_V_INT, "123");
		assert_value(&f[19], FLINK_V_INT, "123");
		const struct flink_type *dt = pg->cols[18].type;
		assert_int_equal(dt->root, FLINK_T_INTERVAL_DAY_TIME);
		assert_int_equal(dt->precision, 3);
		assert_int_equal(dt->fractional_precision, 3);
		assert_string_equal(dt->resolution, "DAY_TO_SECOND");
	}
}

static void test_page_fixtures(void **state)
{
	char *results = read_data("result_info_json_format.txt");
	struct fl_buf b = FL_BUF_INIT;
	fl_buf_addf(&b, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b\","
		    "\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":%s,\"nextResultUri\":\"/v2/sessions/" S
		    "/operations/" O "/result/1?rowFormat=JSON\"}", results);
	struct parsed p;
	parse(&p, b.p);
	assert_int_equal(p.code, FLINK_OK);
	check_fixture_row(p.page, true);
	parsed_release(&p);
	fl_buf_release(&b);
	free(results);

	results = read_data("resultInfo_without_rowFormat.txt");
	fl_buf_addf(&b, "{\"results\":%s,\"resultType\":\"PAYLOAD\",\"nextResultUri\":\"/v1/sessions/" S
		    "/operations/" O "/result/1\"}", results);
	parse(&p, b.p);
	assert_int_equal(p.code, FLINK_OK);
	check_fixture_row(p.page, false);
	assert_int_equal(p.page->kind, FLINK_KIND_SUCCESS_WITH_CONTENT);
	parsed_release(&p);
	fl_buf_release(&b);
	free(results);

	/* PLAIN_TEXT: every value a string, the types unchanged */
	results = read_data("result_info_plain_text_format.txt");
	fl_buf_addf(&b, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"resultKind\":\"SUCCESS_WITH_CONTENT\","
		    "\"results\":%s,\"nextResultUri\":\"/v2/sessions/" S "/operations/" O
		    "/result/1?rowFormat=PLAIN_TEXT\"}", results);
	parse(&p, b.p);
	assert_int_equal(p.code, FLINK_OK);
	assert_int_equal(p.page->ncols, 20);
	for (size_t i = 0; i < p.page->ncols; i++)
		assert_int_equal(p.page->rows[0].fields[i].kind, FLINK_V_STRING);
	assert_value(&p.page->rows[0].fields[0], FLINK_V_STRING, "TRUE");
	assert_value(&p.page->rows[0].fields[9], FLINK_V_STRING, "[1.1, 2.2, 3.3]");
	assert_type(p.page->cols[9].type, "ARRAY<DOUBLE>");
	parsed_release(&p);
	fl_buf_release(&b);
	free(results);
}

/* ---------------------------------------------------------------- types */

static void test_type_format(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647}", "STRING"},
		{"{\"type\":\"VARCHAR\",\"nullable\":false,\"length\":2147483647}", "STRING NOT NULL"},
		{"{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":32}", "VARCHAR(32)"},
		{"{\"type\":\"CHAR\",\"nullable\":false,\"length\":5}", "CHAR(5) NOT NULL"},
		{"{\"type\":\"VARBINARY\",\"nullable\":true,\"length\":2147483647}", "BYTES"},
		{"{\"type\":\"VARBINARY\",\"nullable\":true,\"length\":8}", "VARBINARY(8)"},
		{"{\"type\":\"BINARY\",\"nullable\":true,\"length\":16}", "BINARY(16)"},
		{"{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2}", "DECIMAL(10, 2)"},
		{"{\"type\":\"TINYINT\",\"nullable\":true}", "TINYINT"},
		{"{\"type\":\"SMALLINT\",\"nullable\":true}", "SMALLINT"},
		{"{\"type\":\"INTEGER\",\"nullable\":true}", "INT"},
		{"{\"type\":\"BIGINT\",\"nullable\":false}", "BIGINT NOT NULL"},
		{"{\"type\":\"FLOAT\",\"nullable\":true}", "FLOAT"},
		{"{\"type\":\"DOUBLE\",\"nullable\":true}", "DOUBLE"},
		{"{\"type\":\"BOOLEAN\",\"nullable\":true}", "BOOLEAN"},
		{"{\"type\":\"DATE\",\"nullable\":true}", "DATE"},
		{"{\"type\":\"TIME_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":0}", "TIME(0)"},
		{"{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3}", "TIMESTAMP(3)"},
		{"{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\",\"nullable\":false,\"precision\":3}",
		 "TIMESTAMP_LTZ(3) NOT NULL"},
		{"{\"type\":\"TIMESTAMP_WITH_TIME_ZONE\",\"nullable\":true,\"precision\":6}",
		 "TIMESTAMP(6) WITH TIME ZONE"},
		{"{\"type\":\"ARRAY\",\"nullable\":true,\"elementType\":{\"type\":\"BIGINT\",\"nullable\":true}}",
		 "ARRAY<BIGINT>"},
		{"{\"type\":\"ARRAY\",\"nullable\":false,\"elementType\":{\"type\":\"INTEGER\",\"nullable\":false}}",
		 "ARRAY<INT NOT NULL> NOT NULL"},
		{"{\"type\":\"MULTISET\",\"nullable\":true,\"elementType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647}}",
		 "MULTISET<STRING>"},
		{"{\"type\":\"MAP\",\"nullable\":true,\"keyType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"valueType\":{\"type\":\"INTEGER\",\"nullable\":true}}",
		 "MAP<STRING, INT>"},
		{"{\"type\":\"ROW\",\"nullable\":true,\"fields\":[{\"name\":\"a\",\"fieldType\":{\"type\":\"INTEGER\",\"nullable\":true}},{\"name\":\"b\",\"fieldType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647}}]}",
		 "ROW<`a` INT, `b` STRING>"},
		{"{\"type\":\"ROW\",\"nullable\":false,\"fields\":[{\"name\":\"we`ird\",\"fieldType\":{\"type\":\"INTEGER\",\"nullable\":false},\"description\":\"it's\"}]}",
		 "ROW<`we``ird` INT NOT NULL 'it''s'> NOT NULL"},
		{"{\"type\":\"ROW\",\"nullable\":true,\"fields\":[]}", "ROW<>"},
		{"{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":3,\"fractionalPrecision\":3,\"resolution\":\"DAY_TO_SECOND\"}",
		 "INTERVAL DAY(3) TO SECOND(3)"},
		{"{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":2,\"fractionalPrecision\":6,\"resolution\":\"HOUR_TO_MINUTE\"}",
		 "INTERVAL HOUR TO MINUTE"},
		{"{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":2,\"fractionalPrecision\":3,\"resolution\":\"MINUTE_TO_SECOND\"}",
		 "INTERVAL MINUTE TO SECOND(3)"},
		{"{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":2,\"fractionalPrecision\":9,\"resolution\":\"SECOND\"}",
		 "INTERVAL SECOND(9)"},
		{"{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":4,\"fractionalPrecision\":6,\"resolution\":\"DAY\"}",
		 "INTERVAL DAY(4)"},
		{"{\"type\":\"INTERVAL_YEAR_MONTH\",\"nullable\":true,\"precision\":3,\"resolution\":\"YEAR_TO_MONTH\"}",
		 "INTERVAL YEAR(3) TO MONTH"},
		{"{\"type\":\"INTERVAL_YEAR_MONTH\",\"nullable\":true,\"precision\":2,\"resolution\":\"MONTH\"}",
		 "INTERVAL MONTH"},
		{"{\"type\":\"INTERVAL_YEAR_MONTH\",\"nullable\":false,\"precision\":4,\"resolution\":\"YEAR\"}",
		 "INTERVAL YEAR(4) NOT NULL"},
		{"{\"type\":\"RAW\",\"nullable\":true,\"class\":\"java.lang.Object\",\"serializer\":\"AEdvcmcu\"}",
		 "RAW('java.lang.Object', '...')"},
		{"{\"type\":\"NULL\"}", "NULL"},
		{"{\"type\":\"VARIANT\",\"nullable\":true}", "VARIANT"},
		{"{\"type\":\"BITMAP\",\"nullable\":false}", "BITMAP NOT NULL"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fl_arena a = {0};
		char why[128] = "";
		json_t *j = fl_json_load(cases[i].json, strlen(cases[i].json), why, sizeof(why));
		assert_non_null(j);
		const struct flink_type *t = fl_type_parse(&a, j, why, sizeof(why));
		if (!t)
			fail_msg("case %zu: not parsed: %s", i, why);
		char buf[256];
		size_t n = flink_type_format(t, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want))
			fail_msg("case %zu: '%s', want '%s'", i, buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		json_decref(j);
		fl_arena_release(&a);
	}
}

static void test_type_fields(void **state)
{
	static const char js[] =
		"{\"type\":\"MAP\",\"nullable\":true,\"keyType\":{\"type\":\"VARCHAR\",\"nullable\":false,\"length\":2147483647},"
		"\"valueType\":{\"type\":\"ROW\",\"nullable\":true,\"fields\":[{\"name\":\"ts\",\"fieldType\":"
		"{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"description\":\"event time\"}]}}";
	struct fl_arena a = {0};
	char why[128];
	json_t *j = fl_json_load(js, strlen(js), why, sizeof(why));
	const struct flink_type *t = fl_type_parse(&a, j, why, sizeof(why));
	assert_non_null(t);
	assert_int_equal(t->root, FLINK_T_MAP);
	assert_string_equal(t->root_name, "MAP");
	assert_true(t->nullable);
	assert_int_equal(t->length, -1);
	assert_int_equal(t->key->root, FLINK_T_VARCHAR);
	assert_int_equal(t->key->length, 2147483647);
	assert_false(t->key->nullable);
	assert_int_equal(t->value->root, FLINK_T_ROW);
	assert_int_equal(t->value->nfields, 1);
	assert_string_equal(t->value->fields[0].name, "ts");
	assert_string_equal(t->value->fields[0].description, "event time");
	const struct flink_type *ts = t->value->fields[0].type;
	assert_int_equal(ts->root, FLINK_T_TIMESTAMP);
	assert_string_equal(ts->root_name, "TIMESTAMP_WITHOUT_TIME_ZONE");
	assert_int_equal(ts->precision, 3);
	assert_int_equal(ts->scale, -1);
	assert_null(ts->resolution);
	assert_type(t, "MAP<STRING NOT NULL, ROW<`ts` TIMESTAMP(3) 'event time'>>");

	/* snprintf semantics */
	char small[8];
	size_t need = flink_type_format(t, small, sizeof(small));
	assert_int_equal(need, strlen("MAP<STRING NOT NULL, ROW<`ts` TIMESTAMP(3) 'event time'>>"));
	assert_string_equal(small, "MAP<STR");
	char untouched[4] = "xyz";
	assert_int_equal(flink_type_format(t, untouched, 0), need);
	assert_string_equal(untouched, "xyz");
	assert_int_equal(flink_type_format(t, NULL, 0), need);
	json_decref(j);
	fl_arena_release(&a);

	/* types missing their parameters are refused */
	static const char *const bad[] = {
		"{\"type\":\"VARCHAR\",\"nullable\":true}", "{\"type\":\"DECIMAL\",\"precision\":3}",
		"{\"type\":\"ARRAY\",\"nullable\":true}", "{\"type\":\"MAP\",\"keyType\":{\"type\":\"INTEGER\"}}",
		"{\"nullable\":true}", "{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\"}",
		"{\"type\":\"INTERVAL_DAY_TIME\",\"precision\":3,\"resolution\":\"DAY\"}", "\"INT\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fl_arena b = {0};
		json_t *bj = fl_json_load(bad[i], strlen(bad[i]), why, sizeof(why));
		why[0] = '\0';
		if (fl_type_parse(&b, bj, why, sizeof(why)))
			fail_msg("'%s' parsed", bad[i]);
		assert_true(why[0] != '\0');
		json_decref(bj);
		fl_arena_release(&b);
	}
	/* nesting is bounded */
	struct fl_buf deep = FL_BUF_INIT;
	for (int i = 0; i < 100; i++)
		fl_buf_adds(&deep, "{\"type\":\"ARRAY\",\"nullable\":true,\"elementType\":");
	fl_buf_adds(&deep, "{\"type\":\"INTEGER\",\"nullable\":true}");
	for (int i = 0; i < 100; i++)
		fl_buf_addc(&deep, '}');
	struct fl_arena c = {0};
	json_t *dj = fl_json_load(deep.p, deep.len, why, sizeof(why));
	assert_non_null(dj);
	assert_null(fl_type_parse(&c, dj, why, sizeof(why)));
	json_decref(dj);
	fl_arena_release(&c);
	fl_buf_release(&deep);
}

/* ---------------------------------------------------------------- tokens and names */

static void test_next_uri_token(void **state)
{
	static const struct {
		const char *uri;
		int rc;
		int64_t token;
	} cases[] = {
		{"/v2/sessions/" S "/operations/" O "/result/7?rowFormat=JSON", 0, 7},
		{"/v1/sessions/" S "/operations/" O "/result/1", 0, 1},
		{"/v3/sessions/" S "/operations/" O "/result/0?rowFormat=JSON", 0, 0},
		{"/v4/sessions/s/operations/o/result/123456789012?rowFormat=PLAIN_TEXT", 0, 123456789012},
		{"/flink/v2/sessions/s/operations/o/result/12", 0, 12},
		{"/v2/sessions/s/operations/o/result/?rowFormat=JSON", -1, 0},
		{"/v2/sessions/s/operations/o/result/abc", -1, 0},
		{"/v2/sessions/s/operations/o/result/3x", -1, 0},
		{"/v2/sessions/s/operations/o/status", -1, 0},
		{"/v2/sessions/s/operations/o/result/99999999999999999999", -1, 0},
		{"", -1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -42;
		int rc = fl_next_uri_token(cases[i].uri, &t);
		if (rc != cases[i].rc || (rc == 0 && t != cases[i].token))
			fail_msg("'%s': rc %d token %lld", cases[i].uri, rc, (long long)t);
	}
	int64_t t;
	assert_int_equal(fl_next_uri_token(NULL, &t), -1);
}

static void test_names(void **state)
{
	static const char *const st[] = {"INITIALIZED", "PENDING", "RUNNING", "FINISHED",
					 "CANCELED", "CLOSED", "ERROR", "TIMEOUT"};
	static const bool terminal[] = {false, false, false, true, true, true, true, true};
	for (int i = 0; i < 8; i++) {
		assert_string_equal(flink_op_status_name((enum flink_op_status)i), st[i]);
		assert_int_equal(flink_op_status_terminal((enum flink_op_status)i), terminal[i]);
	}
	/* every code has its own text */
	for (int a = FLINK_OK; a <= FLINK_E_NOMEM; a++) {
		assert_true(strlen(flink_strerror((flink_code)a)) > 0);
		for (int b = a + 1; b <= FLINK_E_NOMEM; b++)
			assert_string_not_equal(flink_strerror((flink_code)a), flink_strerror((flink_code)b));
	}
	assert_string_equal(flink_strerror(FLINK_E_CONNECT), "could not reach the gateway");

	struct flink_error e;
	flink_error_init(&e);
	fl_err_set(&e, FLINK_E_ARG, 0, "bad '%s'", "x");
	fl_err_set_request(&e, "GET", "/v2/info");
	fl_err_set_statement(&e, "SELECT 1");
	assert_string_equal(e.message, "bad 'x'");
	assert_string_equal(e.request, "GET /v2/info");
	assert_string_equal(e.statement, "SELECT 1");
	/* setting again replaces, not leaks */
	fl_err_set(&e, FLINK_E_HTTP, 502, "again");
	assert_int_equal(e.code, FLINK_E_HTTP);
	assert_int_equal(e.http_status, 502);
	assert_null(e.request);
	flink_error_release(&e);
	assert_null(e.message);
	assert_int_equal(e.code, FLINK_OK);
	fl_err_set(NULL, FLINK_E_ARG, 0, "ignored");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_validation),
		cmocka_unit_test(test_error_reference_chain),
		cmocka_unit_test(test_error_parse_error),
		cmocka_unit_test(test_error_multiline_message),
		cmocka_unit_test(test_error_session_gone),
		cmocka_unit_test(test_error_other_shapes),
		cmocka_unit_test(test_error_not_error_bodies),
		cmocka_unit_test(test_json_tagging),
		cmocka_unit_test(test_json_exact_values),
		cmocka_unit_test(test_page_ddl_ok),
		cmocka_unit_test(test_page_not_ready_and_eos),
		cmocka_unit_test(test_page_select_exact),
		cmocka_unit_test(test_page_insert_job),
		cmocka_unit_test(test_page_flink_116),
		cmocka_unit_test(test_page_v1_select_1),
		cmocka_unit_test(test_page_row_kinds),
		cmocka_unit_test(test_page_values),
		cmocka_unit_test(test_page_protocol_errors),
		cmocka_unit_test(test_page_fixtures),
		cmocka_unit_test(test_type_format),
		cmocka_unit_test(test_type_fields),
		cmocka_unit_test(test_next_uri_token),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
