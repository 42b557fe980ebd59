/*
 * Queries through the engine: result columns with Flink's types, value encodings, Kafka topics
 * with metadata and watermarks, window TVFs and group windows, batch vs streaming, bounded vs
 * unbounded sources (streams that pick up appended records), the changelog of updating
 * queries, hints, joins, views, functions, and the validation errors of queries.
 */
#include "fgtest.h"

#define ORDERS_TOPIC \
	"{\"key\":null,\"value\":{\"order_id\":1,\"customer\":\"alice\",\"amount\":10.5,\"ts\":\"2024-01-01 12:00:01.000\"},\"timestamp\":1704110401000}\n" \
	"{\"key\":null,\"value\":{\"order_id\":2,\"customer\":\"bob\",\"amount\":20.25,\"ts\":\"2024-01-01 12:00:30.500\"},\"timestamp\":1704110430500}\n" \
	"{\"key\":null,\"value\":{\"order_id\":3,\"customer\":\"alice\",\"amount\":5,\"ts\":\"2024-01-01 12:01:10.000\"},\"timestamp\":1704110470000}\n" \
	"{\"key\":null,\"value\":{\"order_id\":4,\"customer\":\"carol\",\"amount\":7.75,\"ts\":\"2024-01-01 12:02:05.000\"},\"timestamp\":1704110525000}\n"

#define KAFKA_OPTS "'connector'='kafka','topic'='orders','properties.bootstrap.servers'='k:9092','format'='json'," \
	"'scan.startup.mode'='earliest-offset'"

static void orders(struct fx *f, bool bounded)
{
	fx_write(f, "topics/orders.jsonl", ORDERS_TOPIC);
	struct sb q = SB_INIT;
	sb_addf(&q, "CREATE TABLE orders (order_id BIGINT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3), "
		"kts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', off BIGINT METADATA FROM 'offset' VIRTUAL, "
		"WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (%s%s)", KAFKA_OPTS,
		bounded ? ",'scan.bounded.mode'='latest-offset'" : "");
	run_ok(f, q.buf);
	sb_release(&q);
}

static void test_literal_types(void **state)
{
	struct fx *f = *state;
	char *c = columns_of(f, "SELECT 1, 'abc', 1.50, TRUE, CAST(NULL AS STRING), 3000000000, CAST(2 AS BIGINT) + 1, "
		"DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.678', 1e2");
	assert_string_equal(c,
		"[{\"name\":\"EXPR$0\",\"logicalType\":{\"type\":\"INTEGER\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"EXPR$1\",\"logicalType\":{\"type\":\"CHAR\",\"nullable\":false,\"length\":3},\"comment\":null},"
		"{\"name\":\"EXPR$2\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":false,\"precision\":3,\"scale\":2},\"comment\":null},"
		"{\"name\":\"EXPR$3\",\"logicalType\":{\"type\":\"BOOLEAN\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"EXPR$4\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"EXPR$5\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"EXPR$6\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"EXPR$7\",\"logicalType\":{\"type\":\"DATE\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"EXPR$8\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":false,\"precision\":3},\"comment\":null},"
		"{\"name\":\"EXPR$9\",\"logicalType\":{\"type\":\"DOUBLE\",\"nullable\":false},\"comment\":null}]");
	free(c);
	expect_rows(f, "SELECT 1, 'abc', 1.50, TRUE, CAST(NULL AS STRING), 3000000000, CAST(2 AS BIGINT) + 1, "
		"DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.678', 1e2",
		"+I[1,\"abc\",1.50,true,null,3000000000,3,\"2024-01-02\",\"2024-01-02T03:04:05.678\",100.0]");
	struct fg_result r;
	fg_execute(f->s, "SELECT 1 AS a, 'x' AS b", NULL, &r);
	assert_true(r.ok);
	assert_true(r.is_query);
	assert_string_equal(r.result_kind, "SUCCESS_WITH_CONTENT");
	assert_int_equal(strlen(r.job_id), 32);
	assert_null(r.stream);
	fg_result_release(&r);
	/* DECIMAL keeps its scale on the wire (fg_rows_json), BIGINT stays exact */
	fg_execute(f->s, "SELECT CAST(710 AS DECIMAL(10, 2)) AS d, CAST(9007199254740993 AS BIGINT) AS b, "
		"CAST(-0.5 AS DECIMAL(4, 3)) AS n, CAST(NULL AS DECIMAL(5, 1)) AS z", NULL, &r);
	assert_true(r.ok);
	char *txt = fg_rows_json(r.columns, r.rows);
	assert_string_equal(txt, "[{\"kind\":\"INSERT\",\"fields\":[710.00,9007199254740993,-0.500,null]}]");
	free(txt);
	/* the field itself is the exact text */
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(r.rows, 0), "fields"), 0)),
		"710.00");
	fg_result_release(&r);
	/* DECIMAL stays exact beyond a double's digits, also through SUM */
	expect_rows(f, "SELECT CAST('12345678901234567.89' AS DECIMAL(38, 2)), SUM(x) FROM (VALUES "
		"(CAST('9999999999999999.99' AS DECIMAL(18, 2))), (CAST('0.01' AS DECIMAL(18, 2)))) AS t(x)",
		"+I[12345678901234567.89,10000000000000000.00]");
	/* CHAR of CASE branches pads; string functions give STRING */
	expect_rows(f, "SELECT CASE WHEN 1 = 1 THEN 'ab' ELSE 'abc' END, UPPER('q'), CONCAT('a', 'b'), "
		"CONCAT('a', CAST(NULL AS STRING))", "+I[\"ab\",\"Q\",\"ab\",null]");
}

static void test_kafka_values_and_time_zones(void **state)
{
	struct fx *f = *state;
	orders(f, true);
	expect_rows(f, "SELECT * FROM orders",
		"+I[1,\"alice\",10.50,\"2024-01-01T12:00:01\",\"2024-01-01T12:00:01Z\",0]|"
		"+I[2,\"bob\",20.25,\"2024-01-01T12:00:30.5\",\"2024-01-01T12:00:30.5Z\",1]|"
		"+I[3,\"alice\",5.00,\"2024-01-01T12:01:10\",\"2024-01-01T12:01:10Z\",2]|"
		"+I[4,\"carol\",7.75,\"2024-01-01T12:02:05\",\"2024-01-01T12:02:05Z\",3]");
	char *c = columns_of(f, "SELECT order_id, amount, ts, kts FROM orders");
	assert_string_equal(c,
		"[{\"name\":\"order_id\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null},"
		"{\"name\":\"amount\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2},\"comment\":null},"
		"{\"name\":\"ts\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"comment\":null},"
		"{\"name\":\"kts\",\"logicalType\":{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"comment\":null}]");
	free(c);
	/* TIMESTAMP_LTZ is shown in the session's zone; TIMESTAMP is not shifted */
	run_ok(f, "SET 'table.local-time-zone' = 'Asia/Shanghai'");
	expect_rows(f, "SELECT ts, kts, CAST(kts AS TIMESTAMP(3)) FROM orders WHERE order_id = 1",
		"+I[\"2024-01-01T12:00:01\",\"2024-01-01T20:00:01Z\",\"2024-01-01T20:00:01\"]");
	run_ok(f, "SET 'table.local-time-zone' = 'GMT-03:00'");
	expect_rows(f, "SELECT kts FROM orders WHERE order_id = 1", "+I[\"2024-01-01T09:00:01Z\"]");
	run_ok(f, "SET 'table.local-time-zone' = 'Nowhere/Bogus'");
	expect_error(f, "SELECT kts FROM orders", 0, "org.apache.flink.table.api.ValidationException",
		"Invalid time zone. The value should be a Time Zone Database (TZDB) ID such as 'America/Los_Angeles' to "
		"include daylight saving time. Fixed offsets are supported using 'GMT-03:00' or 'GMT+03:00'. Or use 'UTC' "
		"without time zone and daylight saving time.");
	run_ok(f, "SET 'table.local-time-zone' = 'UTC'");
	expect_rows(f, "SELECT kts FROM orders WHERE order_id = 2", "+I[\"2024-01-01T12:00:30.5Z\"]");
	/* a bounded streaming query ends: no stream */
	struct fg_result r;
	fg_execute(f->s, "SELECT order_id FROM orders", NULL, &r);
	assert_true(r.ok);
	assert_null(r.stream);
	fg_result_release(&r);
}

static void test_group_by_changelog(void **state)
{
	struct fx *f = *state;
	orders(f, true);
	/* streaming: the changelog of one record at a time */
	expect_rows(f, "SELECT customer, COUNT(*) AS cnt, SUM(amount) AS total FROM orders GROUP BY customer",
		"+I[\"alice\",1,10.50]|+I[\"bob\",1,20.25]|-U[\"alice\",1,10.50]|+U[\"alice\",2,15.50]|+I[\"carol\",1,7.75]");
	expect_rows(f, "SELECT COUNT(*) FROM orders",
		"+I[1]|-U[1]|+U[2]|-U[2]|+U[3]|-U[3]|+U[4]");
	char *c = columns_of(f, "SELECT customer, COUNT(*) AS cnt, SUM(amount) AS total, AVG(order_id) FROM orders GROUP BY customer");
	assert_string_equal(c,
		"[{\"name\":\"customer\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"cnt\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":false},\"comment\":null},"
		"{\"name\":\"total\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":38,\"scale\":2},\"comment\":null},"
		"{\"name\":\"EXPR$3\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":true},\"comment\":null}]");
	free(c);
	/* deduplication: keeping the first row by time is append-only, keeping the last updates */
	struct fg_result dr;
	fg_execute(f->s, "SELECT order_id, customer FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY ts) "
		"AS rn FROM orders) WHERE rn = 1", NULL, &dr);
	assert_true(dr.ok);
	assert_int_equal(json_array_size(dr.rows), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(dr.rows, i), "kind")), "INSERT");
	fg_result_release(&dr);
	expect_rows(f, "SELECT customer, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY ts DESC) "
		"AS rn FROM orders) WHERE rn = 1 AND customer = 'alice'", "+I[\"alice\",1]|-U[\"alice\",1]|+U[\"alice\",3]");
	/* batch: the final result only, all INSERT */
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT customer, COUNT(*) AS cnt FROM orders GROUP BY customer ORDER BY customer",
		"+I[\"alice\",2]|+I[\"bob\",1]|+I[\"carol\",1]");
	/* the statement's executionConfig wins for that statement only */
	json_t *ec = json_pack("{s:s}", "execution.runtime-mode", "streaming");
	struct fg_result r;
	fg_execute(f->s, "SELECT COUNT(*) FROM orders", ec, &r);
	assert_true(r.ok);
	char *t = rows_text(r.rows);
	assert_string_equal(t, "+I[1]|-U[1]|+U[2]|-U[2]|+U[3]|-U[3]|+U[4]");
	free(t);
	fg_result_release(&r);
	json_decref(ec);
	expect_rows(f, "SELECT COUNT(*) FROM orders", "+I[4]");
	/* DISTINCT, HAVING, subqueries and set operations */
	expect_rows(f, "SELECT DISTINCT customer FROM orders ORDER BY customer", "+I[\"alice\"]|+I[\"bob\"]|+I[\"carol\"]");
	expect_rows(f, "SELECT customer FROM orders GROUP BY customer HAVING SUM(amount) > 10 ORDER BY 1",
		"+I[\"alice\"]|+I[\"bob\"]");
	expect_rows(f, "SELECT c FROM (SELECT customer AS c, amount FROM orders) WHERE amount > (SELECT AVG(amount) FROM "
		"orders) ORDER BY c", "+I[\"bob\"]");
	expect_rows(f, "WITH big AS (SELECT * FROM orders WHERE amount > 7) SELECT order_id FROM big UNION ALL "
		"SELECT order_id * 10 FROM big ORDER BY order_id", "+I[1]|+I[2]|+I[4]|+I[10]|+I[20]|+I[40]");
	expect_rows(f, "SELECT order_id FROM orders ORDER BY amount DESC LIMIT 2", "+I[2]|+I[1]");
	expect_rows(f, "SELECT customer, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY amount "
		"DESC) AS rn FROM orders) WHERE rn = 1 ORDER BY customer", "+I[\"alice\",1]|+I[\"bob\",2]|+I[\"carol\",4]");
	expect_rows(f, "SELECT order_id, SUM(amount) OVER (PARTITION BY customer ORDER BY ts ROWS BETWEEN UNBOUNDED "
		"PRECEDING AND CURRENT ROW) FROM orders ORDER BY order_id", "+I[1,10.50]|+I[2,20.25]|+I[3,15.50]|+I[4,7.75]");
}

static void test_windows(void **state)
{
	struct fx *f = *state;
	orders(f, true);
	const char *tvf = "SELECT window_start, window_end, COUNT(*) AS c, SUM(amount) AS s FROM TABLE(TUMBLE(TABLE orders, "
		"DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end";
	/* bounded: every window fires at the end of the input; window aggregates are append-only */
	expect_rows(f, tvf,
		"+I[\"2024-01-01T12:00:00\",\"2024-01-01T12:01:00\",2,30.75]|"
		"+I[\"2024-01-01T12:01:00\",\"2024-01-01T12:02:00\",1,5.00]|"
		"+I[\"2024-01-01T12:02:00\",\"2024-01-01T12:03:00\",1,7.75]");
	char *c = columns_of(f, "SELECT window_start, window_end, window_time FROM TABLE(TUMBLE(TABLE orders, "
		"DESCRIPTOR(ts), INTERVAL '1' MINUTE))");
	assert_string_equal(c,
		"[{\"name\":\"window_start\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":false,\"precision\":3},\"comment\":null},"
		"{\"name\":\"window_end\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":false,\"precision\":3},\"comment\":null},"
		"{\"name\":\"window_time\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":false,\"precision\":3},\"comment\":null}]");
	free(c);
	/* window_start is no time attribute: ordering by it needs batch mode */
	expect_error(f, "SELECT window_start FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
		"GROUP BY window_start, window_end ORDER BY window_start", 0, "org.apache.flink.table.api.TableException",
		"Sort on a non-time-attribute field is not supported.");
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT window_start, window_end, COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), "
		"INTERVAL '30' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end ORDER BY window_start",
		"+I[\"2024-01-01T11:59:30\",\"2024-01-01T12:00:30\",1]|"
		"+I[\"2024-01-01T12:00:00\",\"2024-01-01T12:01:00\",2]|"
		"+I[\"2024-01-01T12:00:30\",\"2024-01-01T12:01:30\",2]|"
		"+I[\"2024-01-01T12:01:00\",\"2024-01-01T12:02:00\",1]|"
		"+I[\"2024-01-01T12:01:30\",\"2024-01-01T12:02:30\",1]|"
		"+I[\"2024-01-01T12:02:00\",\"2024-01-01T12:03:00\",1]");
	expect_rows(f, "SELECT window_end, COUNT(*) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' SECOND, "
		"INTERVAL '2' MINUTE)) GROUP BY window_start, window_end ORDER BY window_end",
		"+I[\"2024-01-01T12:00:30\",1]|+I[\"2024-01-01T12:01:00\",2]|+I[\"2024-01-01T12:01:30\",3]|"
		"+I[\"2024-01-01T12:02:00\",3]|+I[\"2024-01-01T12:02:30\",1]|+I[\"2024-01-01T12:03:00\",1]|"
		"+I[\"2024-01-01T12:03:30\",1]|+I[\"2024-01-01T12:04:00\",1]");
	run_ok(f, "RESET 'execution.runtime-mode'");
	expect_rows(f, "SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS we, "
		"COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)",
		"+I[\"2024-01-01T12:00:00\",\"2024-01-01T12:01:00\",2]|"
		"+I[\"2024-01-01T12:01:00\",\"2024-01-01T12:02:00\",1]|"
		"+I[\"2024-01-01T12:02:00\",\"2024-01-01T12:03:00\",1]");
	expect_error(f, "SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_id), INTERVAL '1' MINUTE))", 0,
		"org.apache.flink.table.api.ValidationException",
		"The window function TUMBLE(TABLE table_name, DESCRIPTOR(timecol), datetime interval[, datetime interval]) "
		"requires the timecol is a time attribute type, but is BIGINT.");
	/* OVER aggregates in streaming mode need one ascending time attribute (StreamExecOverAggregate) */
	expect_rows(f, "SELECT order_id, COUNT(*) OVER (PARTITION BY customer ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING "
		"AND CURRENT ROW) FROM orders WHERE customer = 'alice'", "+I[1,1]|+I[3,2]");
	expect_error(f, "SELECT SUM(amount) OVER (PARTITION BY customer ORDER BY amount) FROM orders", 0,
		"org.apache.flink.table.api.TableException",
		"OVER windows' ordering in stream mode must be defined on a time attribute.");
	expect_error(f, "SELECT SUM(amount) OVER (PARTITION BY customer ORDER BY ts DESC) FROM orders", 0,
		"org.apache.flink.table.api.TableException", "The window can only be ordered in ASCENDING mode.");
	expect_error(f, "SELECT SUM(amount) OVER (PARTITION BY customer ORDER BY ts, order_id) FROM orders", 0,
		"org.apache.flink.table.api.TableException", "The window can only be ordered by a single time column.");
	/* a view that casts the time attribute away loses it */
	run_ok(f, "CREATE VIEW plain AS SELECT order_id, CAST(ts AS TIMESTAMP(3)) AS ts FROM orders");
	expect_error(f, "SELECT * FROM TABLE(HOP(TABLE plain, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))", 0,
		"org.apache.flink.table.api.ValidationException",
		"The window function HOP(TABLE table_name, DESCRIPTOR(timecol), datetime interval, datetime interval[, "
		"datetime interval]) requires the timecol is a time attribute type, but is TIMESTAMP(3).");
}

static void test_unbounded_stream_and_watermark(void **state)
{
	struct fx *f = *state;
	orders(f, false);
	/* windows close as the watermark (max ts - 5 s) passes their end */
	struct fg_result r;
	fg_execute(f->s, "SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), "
		"INTERVAL '1' MINUTE)) GROUP BY window_start, window_end", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	char *t = rows_text(r.rows);
	assert_string_equal(t, "+I[\"2024-01-01T12:00:00\",2]|+I[\"2024-01-01T12:01:00\",1]");
	free(t);
	json_t *more = json_array();
	assert_false(fg_stream_poll(r.stream, more));
	assert_int_equal(json_array_size(more), 0);
	/* a record at 12:03:10 moves the watermark to 12:03:05: the 12:02 window fires */
	json_t *recs = json_pack("[{s:n,s:{s:i,s:s,s:f,s:s},s:I}]", "key", "value", "order_id", 5, "customer", "dan",
		"amount", 1.0, "ts", "2024-01-01 12:03:10", "timestamp", (json_int_t)1704110590000LL);
	char *err = NULL;
	assert_int_equal(fg_engine_append(f->e, "orders", recs, &err), 0);
	json_decref(recs);
	assert_false(fg_stream_poll(r.stream, more));
	t = rows_text(more);
	assert_string_equal(t, "+I[\"2024-01-01T12:02:00\",1]");
	free(t);
	json_decref(more);
	/* the query's job is RUNNING until the stream is closed */
	json_t *jobs = fg_engine_jobs(f->e);
	const char *st = NULL;
	for (size_t i = 0; i < json_array_size(jobs); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(jobs, i), "id")), r.job_id))
			st = json_string_value(json_object_get(json_array_get(jobs, i), "status"));
	assert_string_equal(st, "RUNNING");
	json_decref(jobs);
	char id[33];
	snprintf(id, sizeof(id), "%s", r.job_id);
	fg_stream_close(r.stream);
	fg_result_release(&r);
	bool failed;
	assert_true(fg_job_done(f->e, id, &failed, NULL));
	assert_false(failed);
	/* an append-only query over an unbounded topic streams new records */
	fg_execute(f->s, "SELECT order_id, customer FROM orders WHERE amount > 6", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	t = rows_text(r.rows);
	assert_string_equal(t, "+I[1,\"alice\"]|+I[2,\"bob\"]|+I[4,\"carol\"]");
	free(t);
	recs = json_pack("[{s:n,s:{s:i,s:s,s:f,s:s}},{s:n,s:n}]", "key", "value", "order_id", 6, "customer", "eve",
		"amount", 99.0, "ts", "2024-01-01 12:04:00", "key", "value");
	assert_int_equal(fg_engine_append(f->e, "orders", recs, &err), 0);
	json_decref(recs);
	more = json_array();
	assert_false(fg_stream_poll(r.stream, more));
	t = rows_text(more);
	assert_string_equal(t, "+I[6,\"eve\"]");
	free(t);
	json_decref(more);
	/* an updating query over an unbounded topic streams its changelog */
	fg_stream_close(r.stream);
	fg_result_release(&r);
	fg_execute(f->s, "SELECT customer, COUNT(*) FROM orders GROUP BY customer", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	recs = json_pack("[{s:n,s:{s:i,s:s,s:f,s:s}}]", "key", "value", "order_id", 7, "customer", "bob", "amount", 1.0,
		"ts", "2024-01-01 12:05:00");
	assert_int_equal(fg_engine_append(f->e, "orders", recs, &err), 0);
	json_decref(recs);
	more = json_array();
	assert_false(fg_stream_poll(r.stream, more));
	t = rows_text(more);
	assert_string_equal(t, "-U[\"bob\",1]|+U[\"bob\",2]");
	free(t);
	json_decref(more);
	fg_stream_close(r.stream);
	fg_result_release(&r);
	/* LIMIT ends a query over an unbounded source once it has its rows (LIMIT 0: at once) */
	fg_execute(f->s, "SELECT * FROM orders LIMIT 0", NULL, &r);
	assert_true(r.ok);
	assert_null(r.stream);
	assert_int_equal(json_array_size(r.rows), 0);
	assert_int_equal(json_array_size(r.columns), 6);   /* the schema, for a client that wants the types */
	fg_result_release(&r);
	fg_execute(f->s, "SELECT order_id FROM orders LIMIT 2", NULL, &r);
	assert_true(r.ok);
	assert_null(r.stream);
	assert_int_equal(json_array_size(r.rows), 2);
	fg_result_release(&r);
	fg_execute(f->s, "SELECT order_id FROM orders LIMIT 100", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	fg_stream_close(r.stream);
	fg_result_release(&r);
	/* batch mode refuses the unbounded table; a hint bounds that one scan */
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_error(f, "SELECT * FROM orders", 0, "org.apache.flink.table.api.ValidationException",
		"Querying an unbounded table 'default_catalog.default_database.orders' in batch mode is not allowed. The table "
		"source is unbounded.");
	expect_rows(f, "SELECT COUNT(*) FROM orders /*+ OPTIONS('scan.bounded.mode'='latest-offset') */", "+I[7]");
	run_ok(f, "RESET 'execution.runtime-mode'");
	fg_execute(f->s, "SELECT COUNT(*) FROM orders /*+ OPTIONS('scan.bounded.mode'='latest-offset') */", NULL, &r);
	assert_true(r.ok);
	assert_null(r.stream);
	fg_result_release(&r);
	/* startup modes */
	expect_rows(f, "SELECT order_id FROM orders /*+ OPTIONS('scan.startup.mode'='specific-offsets', "
		"'scan.startup.specific-offsets'='partition:0,offset:5', 'scan.bounded.mode'='latest-offset') */", "+I[6]|+I[7]");
	expect_rows(f, "SELECT order_id FROM orders /*+ OPTIONS('scan.startup.mode'='timestamp', "
		"'scan.startup.timestamp-millis'='1704110470000', 'scan.bounded.mode'='timestamp', "
		"'scan.bounded.timestamp-millis'='1704110530000') */", "+I[3]|+I[4]");
}

static void test_joins_and_views(void **state)
{
	struct fx *f = *state;
	orders(f, true);
	fx_write(f, "topics/customers.jsonl",
		"{\"key\":null,\"value\":{\"name\":\"alice\",\"tier\":\"gold\"},\"timestamp\":1704110400000}\n"
		"{\"key\":null,\"value\":{\"name\":\"bob\",\"tier\":\"silver\"},\"timestamp\":1704110440000}\n");
	run_ok(f, "CREATE TABLE customers (name STRING, tier STRING) WITH ('connector'='kafka','topic'='customers',"
		"'properties.bootstrap.servers'='k:9092','format'='json','scan.startup.mode'='earliest-offset',"
		"'scan.bounded.mode'='latest-offset')");
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT o.order_id, c.tier FROM orders AS o JOIN customers c ON o.customer = c.name ORDER BY 1",
		"+I[1,\"gold\"]|+I[2,\"silver\"]|+I[3,\"gold\"]");
	expect_rows(f, "SELECT o.order_id, c.tier FROM orders o LEFT JOIN customers c ON o.customer = c.name ORDER BY 1",
		"+I[1,\"gold\"]|+I[2,\"silver\"]|+I[3,\"gold\"]|+I[4,null]");
	expect_rows(f, "SELECT o.order_id, c.tier FROM orders o JOIN customers FOR SYSTEM_TIME AS OF o.ts AS c "
		"ON o.customer = c.name WHERE o.order_id = 1", "+I[1,\"gold\"]");
	run_ok(f, "RESET 'execution.runtime-mode'");
	/* streaming: a left join retracts its padded row when the match arrives (bob joins at 12:00:40) */
	expect_rows(f, "SELECT o.order_id, c.tier FROM orders o LEFT JOIN customers c ON o.customer = c.name "
		"WHERE o.order_id <= 2",
		"+I[1,\"gold\"]|+I[2,null]|-D[2,null]|+I[2,\"silver\"]");
	/* views are resolved when used, over the current data */
	run_ok(f, "CREATE VIEW gold AS SELECT o.order_id, o.amount FROM orders o JOIN customers c ON o.customer = c.name "
		"WHERE c.tier = 'gold'");
	run_ok(f, "CREATE TEMPORARY VIEW gold_total AS SELECT SUM(amount) AS total FROM gold");
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT * FROM gold_total", "+I[15.50]");
	json_t *recs = json_pack("[{s:n,s:{s:s,s:s},s:I}]", "key", "value", "name", "carol", "tier", "gold", "timestamp",
		(json_int_t)1704110600000LL);
	char *err = NULL;
	assert_int_equal(fg_engine_append(f->e, "customers", recs, &err), 0);
	json_decref(recs);
	expect_rows(f, "SELECT * FROM gold_total", "+I[23.25]");
	char *c = columns_of(f, "SELECT * FROM gold_total");
	assert_string_equal(c, "[{\"name\":\"total\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,"
		"\"precision\":38,\"scale\":2},\"comment\":null}]");
	free(c);
	/* joins: duplicate names get a suffix, as Calcite makes them unique */
	c = columns_of(f, "SELECT * FROM customers a, customers b WHERE a.name = b.name");
	assert_non_null(strstr(c, "\"name\":\"name0\""));
	assert_non_null(strstr(c, "\"name\":\"tier0\""));
	free(c);
	expect_error(f, "SELECT name FROM customers a, customers b", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 11: Column 'name' is ambiguous");
	expect_error(f, "SELECT x.name FROM customers a", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 13: Table 'x' not found");
}

static void test_functions(void **state)
{
	struct fx *f = *state;
	expect_rows(f, "SELECT 7 / 2, 7 % 3, MOD(-7, 3), CAST(2.7 AS INT), CAST(-2.7 AS INT), ROUND(2.567, 2), "
		"FLOOR(2.5), CEIL(2.1), ABS(-3), POWER(2, 10), 1 + 2 * 3",
		"+I[3,1,-1,2,-2,2.57,2,3,3,1024.0,7]");
	expect_rows(f, "SELECT CONCAT_WS('-', 'a', CAST(NULL AS STRING), 'c'), SUBSTRING('hello' FROM 2 FOR 3), "
		"SUBSTRING('hello', 2), TRIM(BOTH 'x' FROM 'xxhixx'), TRIM('  pad  '), REPLACE('aaa', 'a', 'b'), "
		"CHAR_LENGTH('héllo'), LOWER('ABC'), POSITION('l' IN 'hello'), LPAD('7', 3, '0'), "
		"REGEXP_REPLACE('a1b2', '[0-9]', '#'), SPLIT_INDEX('a,b,c', ',', 1)",
		"+I[\"a-c\",\"ell\",\"ello\",\"hi\",\"pad\",\"bbb\",5,\"abc\",3,\"007\",\"a#b#\",\"b\"]");
	expect_rows(f, "SELECT COALESCE(CAST(NULL AS INT), 5), NULLIF(1, 1), IF(1 > 2, 'y', 'n'), "
		"CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, 3 BETWEEN 1 AND 5, 'abc' LIKE 'a%', 2 IN (1, 2), "
		"CAST(NULL AS INT) IS NULL, CAST('12' AS INT) + 1, TRY_CAST('x' AS INT), CAST(TRUE AS STRING)",
		"+I[5,null,\"n\",\"two\",true,true,true,true,13,null,\"TRUE\"]");
	expect_rows(f, "SELECT DATE_FORMAT(TIMESTAMP '2024-03-05 06:07:08', 'yyyy-MM-dd HH:mm:ss'), "
		"TIMESTAMPADD(HOUR, 2, TIMESTAMP '2024-03-05 23:00:00'), TIMESTAMPDIFF(DAY, TIMESTAMP '2024-03-01 10:00:00', "
		"TIMESTAMP '2024-03-05 09:00:00'), EXTRACT(YEAR FROM DATE '2024-03-05'), YEAR(DATE '2024-03-05'), "
		"TO_DATE('2024-03-05'), TO_TIMESTAMP('2024-03-05 06:07:08'), TO_TIMESTAMP('05/03/2024', 'dd/MM/yyyy'), "
		"TIMESTAMP '2024-03-05 10:00:00' + INTERVAL '90' MINUTE, DATE '2024-03-05' + INTERVAL '1' DAY, "
		"CAST(TIMESTAMP '2024-03-05 10:00:00.5' AS STRING)",
		"+I[\"2024-03-05 06:07:08\",\"2024-03-06T01:00:00\",3,2024,2024,\"2024-03-05\",\"2024-03-05T06:07:08\","
		"\"2024-03-05T00:00:00\",\"2024-03-05T11:30:00\",\"2024-03-06T00:00:00\",\"2024-03-05 10:00:00.5\"]");
	/* a TIMESTAMP_LTZ from epoch millis, shown in the session zone */
	run_ok(f, "SET 'table.local-time-zone' = 'America/New_York'");
	expect_rows(f, "SELECT TO_TIMESTAMP_LTZ(1704110401000, 3), FROM_UNIXTIME(0)",
		"+I[\"2024-01-01T07:00:01Z\",\"1969-12-31 19:00:00\"]");
	/* nested values */
	expect_rows(f, "SELECT ARRAY[1, 2, 3], MAP['a', 1, 'b', 2], ROW(1, 'x'), ARRAY[1, 2][2], CARDINALITY(ARRAY['p'])",
		"+I[[1,2,3],{\"a\":1,\"b\":2},{\"EXPR$0\":1,\"EXPR$1\":\"x\"},2,1]");
	char *c = columns_of(f, "SELECT ARRAY[1, 2], INTERVAL '5' SECOND");
	assert_string_equal(c, "[{\"name\":\"EXPR$0\",\"logicalType\":{\"type\":\"ARRAY\",\"nullable\":false,"
		"\"elementType\":{\"type\":\"INTEGER\",\"nullable\":false}},\"comment\":null},{\"name\":\"EXPR$1\","
		"\"logicalType\":{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":false,\"precision\":2,\"fractionalPrecision\":3,"
		"\"resolution\":\"SECOND\"},\"comment\":null}]");
	free(c);
	expect_rows(f, "SELECT INTERVAL '5' SECOND, INTERVAL '1-2' YEAR TO MONTH", "+I[5000,14]");
	expect_rows(f, "VALUES (1, 'a'), (2, 'bb')", "+I[1,\"a\"]|+I[2,\"bb\"]");
	c = columns_of(f, "VALUES (1, 'a'), (2, 'bb')");
	assert_non_null(strstr(c, "\"name\":\"EXPR$1\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":false,\"length\":2}"));
	free(c);
	expect_rows(f, "SELECT LISTAGG(x, '|'), COUNT(DISTINCT x), MIN(x), MAX(x) FROM (VALUES ('a'), ('b'), ('a')) AS t(x)",
		"+I[\"a|b|a\",2,\"a\",\"b\"]");
	expect_error(f, "SELECT no_such_fn(1)", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 20: No match found for function signature "
		"no_such_fn(<ANY>)");
}

static void test_more_sql(void **state)
{
	struct fx *f = *state;
	expect_rows(f, "SELECT INITCAP('hello wORLD'), REGEXP_EXTRACT('abc123def', '([0-9]+)', 1), "
		"JSON_VALUE('{\"a\":{\"b\":7}}', '$.a.b'), MD5('x'), LOG(2, 8), REVERSE('abc'), CAST('12:30:00' AS TIME), "
		"CAST(X'414243' AS BYTES), CAST('3.75' AS DECIMAL(5, 1)), CAST(1.5 AS DOUBLE) / 3, CAST(10.5 AS VARCHAR)",
		"+I[\"Hello World\",\"123\",\"7\",\"9dd4e461268c8034f5c8564e155c67a6\",3.0,\"cba\",\"12:30:00\",\"QUJD\",3.8,0.5,"
		"\"10.5\"]");
	/* USING and NATURAL joins keep one copy of the join columns */
	expect_rows(f, "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(k, v) NATURAL JOIN (VALUES (1, 'z')) AS s(k, w)",
		"+I[1,\"a\",\"z\"]");
	expect_rows(f, "SELECT k, w FROM (VALUES (1, 'a'), (2, 'b')) AS t(k, v) JOIN (VALUES (2, 'z')) AS s(k, w) USING (k)",
		"+I[2,\"z\"]");
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT x, y FROM (VALUES (1), (2)) AS t(x) CROSS JOIN UNNEST(ARRAY[10, 20]) AS u(y) ORDER BY x, y",
		"+I[1,10]|+I[1,20]|+I[2,10]|+I[2,20]");
	expect_rows(f, "SELECT x FROM (VALUES (1), (2), (3)) AS t(x) WHERE EXISTS (SELECT 1 FROM (VALUES (2), (3)) AS u(y) "
		"WHERE u.y = t.x) INTERSECT SELECT 3", "+I[3]");
	expect_rows(f, "SELECT x FROM (VALUES (5), (6), (7), (8)) AS t(x) ORDER BY x OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY",
		"+I[6]|+I[7]");
	expect_rows(f, "SELECT ARRAY_AGG(x), FIRST_VALUE(x), LAST_VALUE(x), SUM(x) FILTER (WHERE x > 1) "
		"FROM (VALUES (1), (2), (3)) AS t(x)", "+I[[1,2,3],1,3,5]");
}

static void test_query_errors(void **state)
{
	struct fx *f = *state;
	orders(f, true);
	expect_error(f, "SELECT nope FROM orders", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 11: Column 'nope' not found in any table");
	expect_error(f, "SELECT o.nope FROM orders o", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 13: Column 'nope' not found in table 'o'");
	/* streaming ORDER BY must be on a time attribute */
	expect_error(f, "SELECT * FROM orders ORDER BY amount", 0, "org.apache.flink.table.api.TableException",
		"Sort on a non-time-attribute field is not supported.");
	run_ok(f, "SELECT order_id FROM orders ORDER BY ts");
	/* a bad record fails the query */
	fx_write(f, "topics/orders.jsonl", "{\"key\":null,\"value\":42,\"timestamp\":1}\n");
	struct fg_result r;
	fg_execute(f->s, "SELECT * FROM orders", NULL, &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].cls, "java.io.IOException");
	assert_string_equal(r.causes[0].msg, "Failed to deserialize JSON '?'.");
	fg_result_release(&r);
}

static void test_datagen_and_proctime(void **state)
{
	struct fx *f = *state;
	run_ok(f, "CREATE TABLE g (id BIGINT, v INT, s STRING, pt AS PROCTIME()) WITH ('connector'='datagen',"
		"'fields.id.kind'='sequence','fields.id.start'='1','fields.id.end'='5','fields.v.min'='10','fields.v.max'='12',"
		"'fields.s.length'='4')");
	char *a = NULL, *b = NULL;
	struct fg_result r;
	fg_execute(f->s, "SELECT id, v, s FROM g", NULL, &r);
	assert_true(r.ok);
	assert_null(r.stream);
	a = rows_text(r.rows);
	assert_int_equal(json_array_size(r.rows), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *fs = json_object_get(json_array_get(r.rows, i), "fields");
		assert_int_equal(json_integer_value(json_array_get(fs, 0)), (json_int_t)i + 1);
		json_int_t v = json_integer_value(json_array_get(fs, 1));
		assert_true(v >= 10 && v <= 12);
		assert_int_equal(strlen(json_string_value(json_array_get(fs, 2))), 4);
	}
	fg_result_release(&r);
	fg_execute(f->s, "SELECT id, v, s FROM g", NULL, &r);
	b = rows_text(r.rows);
	fg_result_release(&r);
	assert_string_equal(a, b);  /* repeatable */
	free(a);
	free(b);
	char *c = columns_of(f, "SELECT pt FROM g");
	assert_string_equal(c, "[{\"name\":\"pt\",\"logicalType\":{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\","
		"\"nullable\":false,\"precision\":3},\"comment\":null}]");
	free(c);
	/* without number-of-rows or a sequence, datagen is unbounded */
	run_ok(f, "CREATE TABLE g2 (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
	fg_execute(f->s, "SELECT x FROM g2", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	fg_stream_close(r.stream);
	fg_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literal_types, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_kafka_values_and_time_zones, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_group_by_changelog, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_windows, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unbounded_stream_and_watermark, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_joins_and_views, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_functions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_more_sql, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_datagen_and_proctime, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
