/*
 * Jobs through the engine: INSERT into topics another query reads, running jobs that follow
 * their sources, upsert-kafka compaction and tombstones, filesystem CSV sinks, statement sets,
 * CTAS, SHOW JOBS / DESCRIBE JOB / STOP JOB, savepoints and restoring from them, failing jobs,
 * dml-sync, and jobs outliving the session that submitted them.
 */
#include "fgtest.h"

#include <time.h>
#include <unistd.h>

#define SRC_TOPIC \
	"{\"key\":null,\"value\":{\"id\":1,\"name\":\"alice\",\"amount\":10.5},\"timestamp\":1704110401000}\n" \
	"{\"key\":null,\"value\":{\"id\":2,\"name\":\"bob\",\"amount\":20},\"timestamp\":1704110402000}\n" \
	"{\"key\":null,\"value\":{\"id\":3,\"name\":\"alice\",\"amount\":1.25},\"timestamp\":1704110403000}\n"

#define KOPTS(topic, extra) "'connector'='kafka','topic'='" topic "','properties.bootstrap.servers'='k:9092'," \
	"'format'='json','scan.startup.mode'='earliest-offset'" extra

static void tables(struct fx *f)
{
	fx_write(f, "topics/src.jsonl", SRC_TOPIC);
	run_ok(f, "CREATE TABLE src (id BIGINT, name STRING, amount DECIMAL(10, 2)) WITH (" KOPTS("src", "") ")");
	run_ok(f, "CREATE TABLE src_b (id BIGINT, name STRING, amount DECIMAL(10, 2)) WITH ("
		KOPTS("src", ",'scan.bounded.mode'='latest-offset'") ")");
}

static const char *job_field(json_t *jobs, const char *id, const char *field)
{
	for (size_t i = 0; i < json_array_size(jobs); i++) {
		json_t *j = json_array_get(jobs, i);
		if (!strcmp(json_string_value(json_object_get(j, "id")), id))
			return json_string_value(json_object_get(j, field));
	}
	return NULL;
}

static char *job_status(struct fx *f, const char *id)
{
	json_t *jobs = fg_engine_jobs(f->e);
	const char *s = job_field(jobs, id, "status");
	char *r = s ? strdup(s) : NULL;
	json_decref(jobs);
	return r;
}

/* runs an INSERT-like statement and returns its job id */
static void submit(struct fx *f, const char *sql, char *id, bool *pwait)
{
	struct fg_result r;
	fg_execute(f->s, sql, NULL, &r);
	if (!r.ok) {
		fprintf(stderr, "statement failed: %s\n", sql);
		show_causes(&r);
	}
	assert_true(r.ok);
	assert_false(r.is_query);
	assert_string_equal(r.result_kind, "SUCCESS_WITH_CONTENT");
	assert_int_equal(strlen(r.job_id), 32);
	char *cols = json_dumps(r.columns, JSON_COMPACT);
	assert_string_equal(cols, "[{\"name\":\"job id\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
		"\"length\":2147483647},\"comment\":null}]");
	free(cols);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(r.rows, 0), "fields"), 0)),
		r.job_id);
	strcpy(id, r.job_id);
	if (pwait)
		*pwait = r.wait_for_job;
	fg_result_release(&r);
}

/* Until job `id` is done. On the manual clock (the tests that set it up with manual_setup) the job
 * ends when the test moves the clock past its run time, never because the machine was fast or
 * slow; on the real clock, it is polled for 60 s at most. */
static void wait_done(struct fx *f, const char *id)
{
	if (fg_clock_is_manual()) {
		assert_false(fg_job_done(f->e, id, NULL, NULL));   /* the clock stood still */
		fg_clock_advance(1000);
	} else {
		time_t end = time(NULL) + 60;
		while (!fg_job_done(f->e, id, NULL, NULL) && time(NULL) < end)
			usleep(10000);
	}
	assert_true(fg_job_done(f->e, id, NULL, NULL));
}

static int manual_setup(void **state)
{
	fg_clock_set_manual(true);
	return fx_setup(state);
}

static int manual_teardown(void **state)
{
	fg_clock_set_manual(false);
	return fx_teardown(state);
}

static void test_insert_into_topic(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE big (id BIGINT, amount DECIMAL(10, 2), ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ("
		KOPTS("big", ",'scan.bounded.mode'='latest-offset'") ")");
	char id[33];
	bool wait;
	submit(f, "INSERT INTO big SELECT id, amount, CAST(TIMESTAMP '2024-02-01 00:00:00' AS TIMESTAMP_LTZ(3)) FROM src_b "
		"WHERE amount > 5", id, &wait);
	assert_false(wait);
	char *st = job_status(f, id);
	assert_string_equal(st, "RUNNING");
	free(st);
	json_t *jobs = fg_engine_jobs(f->e);
	assert_string_equal(job_field(jobs, id, "name"), "insert-into_default_catalog.default_database.big");
	assert_string_equal(job_field(jobs, id, "sink"), "default_catalog.default_database.big");
	json_decref(jobs);
	wait_done(f, id);
	st = job_status(f, id);
	assert_string_equal(st, "FINISHED");
	free(st);
	/* the records in the topic: value by column name, DECIMAL at its scale, the timestamp column as the record time */
	json_t *recs = fg_engine_topic(f->e, "big");
	assert_int_equal(json_array_size(recs), 2);
	json_t *r0 = json_array_get(recs, 0);
	assert_true(json_is_null(json_object_get(r0, "key")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r0, "value"), "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(r0, "timestamp")), 1706745600000LL);
	json_decref(recs);
	char *path = fx_path(f, "topics");
	struct arena a;
	arena_init(&a, 1024);
	char **files;
	size_t nf;
	assert_int_equal(fs_list(&a, path, NULL, &files, &nf), 0);
	bool found = false;
	for (size_t i = 0; i < nf; i++) {
		if (strstr(files[i], "big.job-") && strstr(files[i], id)) {
			char *txt = fs_read(&a, fs_join(&a, path, files[i]), NULL);
			assert_non_null(strstr(txt, "\"amount\":10.50"));
			found = true;
		}
	}
	assert_true(found);
	arena_release(&a);
	free(path);
	/* another query reads what the job wrote */
	expect_rows(f, "SELECT id, amount FROM big", "+I[1,10.50]|+I[2,20.00]");
	/* SHOW JOBS lists it with Flink's columns */
	char *c = columns_of(f, "SHOW JOBS");
	assert_string_equal(c, "[{\"name\":\"job id\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"job name\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"status\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"start time\",\"logicalType\":{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"comment\":null}]");
	free(c);
	struct fg_result r;
	fg_execute(f->s, "SHOW JOBS", NULL, &r);
	bool listed = false;
	for (size_t i = 0; i < json_array_size(r.rows); i++) {
		json_t *fs = json_object_get(json_array_get(r.rows, i), "fields");
		if (!strcmp(json_string_value(json_array_get(fs, 0)), id)) {
			listed = true;
			assert_string_equal(json_string_value(json_array_get(fs, 2)), "FINISHED");
			const char *t = json_string_value(json_array_get(fs, 3));
			assert_int_equal(t[10], 'T');
			assert_int_equal(t[strlen(t) - 1], 'Z');
		}
	}
	assert_true(listed);
	fg_result_release(&r);
	struct sb q = SB_INIT;
	sb_addf(&q, "DESCRIBE JOB '%s'", id);
	fg_execute(f->s, q.buf, NULL, &r);
	assert_true(r.ok);
	assert_int_equal(json_array_size(r.rows), 1);
	fg_result_release(&r);
	sb_release(&q);
	expect_error(f, "DESCRIBE JOB '00000000000000000000000000000000'", 1,
		"org.apache.flink.runtime.messages.FlinkJobNotFoundException",
		"Could not find Flink job (00000000000000000000000000000000)");
	/* the column count must match the sink's */
	expect_error(f, "INSERT INTO big SELECT id FROM src_b", 0, "org.apache.flink.table.api.ValidationException",
		"Column types of query result and sink for 'default_catalog.default_database.big' do not match.\n"
		"Cause: Different number of columns.\n\nQuery schema: [id: BIGINT]\n"
		"Sink schema:   [id: BIGINT, amount: DECIMAL(10, 2), ts: TIMESTAMP_LTZ(3)]");
	expect_error(f, "INSERT INTO nope SELECT 1", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 13 to line 1, column 16: Object 'nope' not found");
	/* a column list maps the query; the others are NULL */
	submit(f, "INSERT INTO big (amount, id) SELECT CAST(99 AS DECIMAL(10, 2)), 7", id, NULL);
	expect_rows(f, "SELECT id, amount FROM big WHERE id = 7", "+I[7,99.00]");
	/* pipeline.name names the job */
	run_ok(f, "SET 'pipeline.name' = 'model.orders'");
	submit(f, "INSERT INTO big SELECT 8, CAST(1 AS DECIMAL(10, 2)), CAST(NULL AS TIMESTAMP_LTZ(3))", id, NULL);
	jobs = fg_engine_jobs(f->e);
	assert_string_equal(job_field(jobs, id, "name"), "model.orders");
	json_decref(jobs);
	/* updates into an append-only topic fail at submission */
	expect_error(f, "INSERT INTO big SELECT id, SUM(amount), CAST(NULL AS TIMESTAMP_LTZ(3)) FROM src_b GROUP BY id", 0,
		"org.apache.flink.table.api.TableException",
		"Table sink 'default_catalog.default_database.big' doesn't support consuming update changes which is produced "
		"by node GroupAggregate(groupBy=[id], select=[id, SUM(amount) AS EXPR$1, CAST(NULL AS TIMESTAMP(3) WITH LOCAL "
		"TIME ZONE) AS EXPR$2])");
	/* ... but batch mode writes the final result */
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	run_ok(f, "SET 'table.dml-sync' = 'true'");
	submit(f, "INSERT INTO big SELECT 100 + COUNT(*), SUM(amount), CAST(NULL AS TIMESTAMP_LTZ(3)) FROM src_b", id, &wait);
	assert_true(wait);
	expect_rows(f, "SELECT id, amount FROM big WHERE id > 100", "+I[103,31.75]");
}

static void test_running_job_follows_source(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE copy (id BIGINT, name STRING) WITH (" KOPTS("copy", "") ")");
	char id[33];
	submit(f, "INSERT INTO copy SELECT id, UPPER(name) FROM src", id, NULL);
	fg_clock_advance(3600 * 1000);
	char *st = job_status(f, id);
	assert_string_equal(st, "RUNNING");   /* an unbounded source: it never finishes */
	free(st);
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	const char *read = "SELECT id, name FROM copy /*+ OPTIONS('scan.bounded.mode'='latest-offset') */";
	expect_rows(f, read, "+I[1,\"ALICE\"]|+I[2,\"BOB\"]|+I[3,\"ALICE\"]");
	/* a bare object appended is a record's value */
	json_t *recs = json_pack("[{s:i,s:s,s:i}]", "id", 4, "name", "dora", "amount", 3);
	char *err = NULL;
	assert_int_equal(fg_engine_append(f->e, "src", recs, &err), 0);
	json_decref(recs);
	/* reading the sink brings the job up to date first */
	expect_rows(f, read, "+I[1,\"ALICE\"]|+I[2,\"BOB\"]|+I[3,\"ALICE\"]|+I[4,\"DORA\"]");
	json_t *topic = fg_engine_topic(f->e, "copy");
	assert_int_equal(json_array_size(topic), 4);
	json_decref(topic);
	/* the job keeps running after its session closed, and still follows the source */
	fg_session_free(f->s);
	f->s = fg_session_new(f->e, NULL);
	recs = json_pack("[{s:n,s:{s:i,s:s,s:i}}]", "key", "value", "id", 5, "name", "eve", "amount", 3);
	assert_int_equal(fg_engine_append(f->e, "src", recs, &err), 0);
	json_decref(recs);
	st = job_status(f, id);
	assert_string_equal(st, "RUNNING");
	free(st);
	topic = fg_engine_topic(f->e, "copy");
	assert_int_equal(json_array_size(topic), 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(topic, 4), "value"), "name")),
		"EVE");
	json_decref(topic);
	/* STOP JOB without a savepoint cancels it */
	struct sb q = SB_INIT;
	sb_addf(&q, "STOP JOB '%s'", id);
	struct fg_result r;
	fg_execute(f->s, q.buf, NULL, &r);
	assert_true(r.ok);
	assert_string_equal(r.result_kind, "SUCCESS");
	fg_result_release(&r);
	st = job_status(f, id);
	assert_string_equal(st, "CANCELED");
	free(st);
	/* a stopped job cannot be stopped again */
	char msg[96];
	snprintf(msg, sizeof(msg), "Could not stop job %s.", id);
	expect_error(f, q.buf, 0, "org.apache.flink.table.gateway.service.utils.SqlExecutionException", msg);
	sb_release(&q);
}

static void test_upsert_kafka(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE totals (name STRING, total DECIMAL(10, 2), n BIGINT, PRIMARY KEY (name) NOT ENFORCED) WITH ("
		"'connector'='upsert-kafka','topic'='totals','properties.bootstrap.servers'='k:9092','key.format'='json',"
		"'value.format'='json')");
	char id[33];
	submit(f, "INSERT INTO totals SELECT name, SUM(amount), COUNT(*) FROM src GROUP BY name", id, NULL);
	/* the topic holds the upserts: key = primary key */
	json_t *topic = fg_engine_topic(f->e, "totals");
	assert_int_equal(json_array_size(topic), 3);
	char *k2 = json_dumps(json_object_get(json_array_get(topic, 2), "key"), JSON_COMPACT);
	assert_string_equal(k2, "{\"name\":\"alice\"}");
	free(k2);
	json_decref(topic);
	/* batch mode reads INSERT-only sources alone (DynamicSourceUtils), bounded or not */
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	const char *read = "SELECT * FROM totals /*+ OPTIONS('scan.bounded.mode'='latest-offset') */ ORDER BY name";
	expect_error(f, read, 0, "org.apache.flink.table.api.TableException",
		     "Querying a table in batch mode is currently only possible for INSERT-only table sources. But the "
		     "source for table 'default_catalog.default_database.totals' produces other changelog messages than "
		     "just INSERT.");
	/* the unbounded check comes first */
	expect_error(f, "SELECT * FROM totals", 0, "org.apache.flink.table.api.ValidationException",
		     "Querying an unbounded table 'default_catalog.default_database.totals' in batch mode is not allowed. "
		     "The table source is unbounded.");
	/* a CDC format is a changelog too */
	run_ok(f, "CREATE TABLE cdc (id BIGINT, name STRING) WITH ('connector'='kafka','topic'='cdc',"
		"'properties.bootstrap.servers'='k:9092','format'='debezium-json','scan.startup.mode'='earliest-offset',"
		"'scan.bounded.mode'='latest-offset')");
	expect_error(f, "SELECT * FROM cdc", 0, "org.apache.flink.table.api.TableException",
		     "Querying a table in batch mode is currently only possible for INSERT-only table sources. But the "
		     "source for table 'default_catalog.default_database.cdc' produces other changelog messages than "
		     "just INSERT.");
	/* an updating source into an append-only sink: the update and delete changes it lacks */
	run_ok(f, "RESET 'execution.runtime-mode'");
	run_ok(f, "CREATE TABLE copy (name STRING, total DECIMAL(10, 2), n BIGINT) WITH ('connector'='kafka','topic'='copy',"
		"'properties.bootstrap.servers'='k:9092','format'='json')");
	expect_error(f, "INSERT INTO copy SELECT * FROM totals", 0, "org.apache.flink.table.api.TableException",
		     "Table sink 'default_catalog.default_database.copy' doesn't support consuming update and delete changes "
		     "which is produced by node ChangelogNormalize(key=[name])");
	/* in streaming mode the read is a changelog */
	run_ok(f, "RESET 'execution.runtime-mode'");
	expect_rows(f, "SELECT * FROM totals /*+ OPTIONS('scan.bounded.mode'='latest-offset') */",
		"+I[\"alice\",10.50,1]|+I[\"bob\",20.00,1]|-U[\"alice\",10.50,1]|+U[\"alice\",11.75,2]");
	/* a tombstone deletes its key */
	json_t *recs = json_pack("[{s:{s:s},s:n}]", "key", "name", "bob", "value");
	char *err = NULL;
	assert_int_equal(fg_engine_append(f->e, "totals", recs, &err), 0);
	json_decref(recs);
	expect_rows(f, "SELECT * FROM totals /*+ OPTIONS('scan.bounded.mode'='latest-offset') */",
		"+I[\"alice\",10.50,1]|+I[\"bob\",20.00,1]|-U[\"alice\",10.50,1]|+U[\"alice\",11.75,2]|-D[\"bob\",20.00,1]");
	/* a running job writes deletes as tombstones */
	run_ok(f, "CREATE TABLE live (name STRING, n BIGINT, PRIMARY KEY (name) NOT ENFORCED) WITH ('connector'='upsert-kafka',"
		"'topic'='live','properties.bootstrap.servers'='k:9092','key.format'='json','value.format'='json')");
	submit(f, "INSERT INTO live SELECT name, n FROM (SELECT name, COUNT(*) AS n FROM src GROUP BY name) WHERE n < 2", id,
		NULL);
	topic = fg_engine_topic(f->e, "live");
	/* alice +1, bob +1, alice goes to 2: deleted */
	assert_int_equal(json_array_size(topic), 3);
	assert_true(json_is_null(json_object_get(json_array_get(topic, 2), "value")));
	json_decref(topic);
}

static void test_filesystem(void **state)
{
	struct fx *f = *state;
	fx_write(f, "in/a.csv", "1,alice,2024-01-01 10:00:00\n2,\"bob, jr\",2024-01-02 11:30:00.5\n");
	fx_write(f, "in/sub/b.csv", "3,carol,\n");
	fx_write(f, "in/_ignored.csv", "9,x,\n");
	char *in = fx_path(f, "in"), *out = fx_path(f, "out");
	struct sb q = SB_INIT;
	sb_addf(&q, "CREATE TABLE fin (id INT, name STRING, ts TIMESTAMP(3)) WITH ('connector'='filesystem','path'='%s',"
		"'format'='csv')", in);
	run_ok(f, q.buf);
	sb_reset(&q);
	sb_addf(&q, "CREATE TABLE fout (id INT, name STRING, day STRING) PARTITIONED BY (day) WITH ('connector'='filesystem',"
		"'path'='%s','format'='csv')", out);
	run_ok(f, q.buf);
	/* a filesystem source is bounded: batch mode can read it (and ORDER BY needs batch mode) */
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT * FROM fin ORDER BY id", "+I[1,\"alice\",\"2024-01-01T10:00:00\"]|"
		"+I[2,\"bob, jr\",\"2024-01-02T11:30:00.5\"]|+I[3,\"carol\",null]");
	char id[33];
	submit(f, "INSERT INTO fout SELECT id, UPPER(name), DATE_FORMAT(ts, 'yyyy-MM-dd') FROM fin", id, NULL);
	expect_rows(f, "SELECT * FROM fout ORDER BY id",
		"+I[1,\"ALICE\",\"2024-01-01\"]|+I[2,\"BOB, JR\",\"2024-01-02\"]|+I[3,\"CAROL\",null]");
	/* part files in partition folders; partition columns are not in the file */
	struct sb part = SB_INIT;
	sb_addf(&part, "out/day=2024-01-02/part-%.8s-%.4s-%.4s-%.4s-%.12s-0-0", id, id + 8, id + 12, id + 16, id + 20);
	char *pp = fx_path(f, part.buf);
	struct arena a;
	arena_init(&a, 512);
	char *txt = fs_read(&a, pp, NULL);
	assert_non_null(txt);
	assert_string_equal(txt, "2,\"BOB, JR\"\n");
	arena_release(&a);
	free(pp);
	sb_release(&part);
	/* INSERT OVERWRITE replaces; it needs batch mode */
	submit(f, "INSERT OVERWRITE fout SELECT 7, 'x', '2024-03-01'", id, NULL);
	expect_rows(f, "SELECT * FROM fout", "+I[7,\"x\",\"2024-03-01\"]");
	run_ok(f, "RESET 'execution.runtime-mode'");
	expect_error(f, "INSERT OVERWRITE fout SELECT 7, 'x', '2024-03-01'", 0, "org.apache.flink.table.api.ValidationException",
		"Streaming mode not support overwrite.");
	/* a job's statement never shows a secret */
	sb_reset(&q);
	sb_addf(&q, "CREATE TABLE sec WITH ('connector'='kafka','topic'='sec','properties.bootstrap.servers'='k:1',"
		"'format'='json','properties.sasl.jaas.config'='t0ps3cret') AS SELECT id FROM fin");
	submit(f, q.buf, id, NULL);
	json_t *jobs = fg_engine_jobs(f->e);
	assert_null(strstr(job_field(jobs, id, "statement"), "t0ps3cret"));
	assert_non_null(strstr(job_field(jobs, id, "statement"), "'properties.sasl.jaas.config'='****'"));
	json_decref(jobs);
	/* a JSON CTAS: the table takes the query's schema */
	sb_reset(&q);
	sb_addf(&q, "CREATE TABLE cj WITH ('connector'='filesystem','path'='%s/cj','format'='json') AS "
		"SELECT id, name, CAST(id * 1.5 AS DECIMAL(6, 1)) AS score FROM fin", out);
	submit(f, q.buf, id, NULL);
	expect_rows(f, "DESCRIBE cj", "+I[\"id\",\"INT\",true,\"\",\"\",\"\"]|+I[\"name\",\"STRING\",true,\"\",\"\",\"\"]|"
		"+I[\"score\",\"DECIMAL(6, 1)\",true,\"\",\"\",\"\"]");
	run_ok(f, "SET 'execution.runtime-mode' = 'batch'");
	expect_rows(f, "SELECT score FROM cj ORDER BY id", "+I[1.5]|+I[3.0]|+I[4.5]");
	sb_release(&q);
	free(in);
	free(out);
}

static void test_statement_sets(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE a1 (id BIGINT) WITH (" KOPTS("a1", "") ")");
	run_ok(f, "CREATE TABLE a2 (id BIGINT) WITH (" KOPTS("a2", "") ")");
	char id[33];
	submit(f, "EXECUTE STATEMENT SET BEGIN INSERT INTO a1 SELECT id FROM src_b; INSERT INTO a2 SELECT id * 10 FROM src_b; END",
		id, NULL);
	json_t *jobs = fg_engine_jobs(f->e);
	assert_string_equal(job_field(jobs, id, "name"), "insert-into_default_catalog.default_database.a1,"
		"default_catalog.default_database.a2");
	json_decref(jobs);
	json_t *t = fg_engine_topic(f->e, "a2");
	assert_int_equal(json_array_size(t), 3);
	json_decref(t);
	/* the multi-request form */
	expect_error(f, "END", 0, "org.apache.flink.table.gateway.service.utils.SqlExecutionException",
		"No Statement Set to submit. 'END' statement should be used after 'BEGIN STATEMENT SET'.");
	run_ok(f, "BEGIN STATEMENT SET");
	run_ok(f, "INSERT INTO a1 SELECT 100");
	expect_error(f, "SELECT 1", 0, "org.apache.flink.table.gateway.service.utils.SqlExecutionException",
		"Only 'INSERT/CREATE TABLE AS' statement is allowed in Statement Set or use 'END' statement to submit "
		"Statement Set.");
	run_ok(f, "INSERT INTO a2 SELECT 200");
	t = fg_engine_topic(f->e, "a1");
	assert_int_equal(json_array_size(t), 3);   /* queued, not run */
	json_decref(t);
	struct fg_result r;
	fg_execute(f->s, "END", NULL, &r);
	assert_true(r.ok);
	assert_int_equal(strlen(r.job_id), 32);
	fg_result_release(&r);
	t = fg_engine_topic(f->e, "a1");
	assert_int_equal(json_array_size(t), 4);
	json_decref(t);
	t = fg_engine_topic(f->e, "a2");
	assert_int_equal(json_array_size(t), 4);
	json_decref(t);
	/* an empty set submits nothing */
	run_ok(f, "BEGIN STATEMENT SET");
	fg_execute(f->s, "END", NULL, &r);
	assert_true(r.ok);
	assert_string_equal(r.result_kind, "SUCCESS");
	fg_result_release(&r);
}

static void test_savepoint_and_restore(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE dst (id BIGINT, name STRING) WITH (" KOPTS("dst", "") ")");
	char id[33], msg[256];
	submit(f, "INSERT INTO dst SELECT id, name FROM src", id, NULL);
	char stop[96];
	snprintf(stop, sizeof(stop), "STOP JOB '%s' WITH SAVEPOINT", id);
	snprintf(msg, sizeof(msg), "Could not stop job %s with savepoint.", id);
	expect_error(f, stop, 0, "org.apache.flink.table.gateway.service.utils.SqlExecutionException", msg);
	expect_error(f, stop, 2, "java.lang.IllegalStateException",
		"No savepoint directory configured. You can either specify a directory while cancelling via -s "
		":targetDirectory or configure a cluster-wide default via key 'execution.checkpointing.savepoint-dir'.");
	char *dir = fx_path(f, "savepoints");
	struct sb q = SB_INIT;
	sb_addf(&q, "SET 'execution.checkpointing.savepoint-dir' = 'file://%s'", dir);
	run_ok(f, q.buf);
	struct fg_result r;
	fg_execute(f->s, stop, NULL, &r);
	if (!r.ok)
		show_causes(&r);
	assert_true(r.ok);
	char *c = json_dumps(r.columns, JSON_COMPACT);
	assert_string_equal(c, "[{\"name\":\"savepoint path\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
		"\"length\":2147483647},\"comment\":null}]");
	free(c);
	const char *sp = json_string_value(json_array_get(json_object_get(json_array_get(r.rows, 0), "fields"), 0));
	char want[128];
	snprintf(want, sizeof(want), "file:%s/savepoint-%.6s-", dir, id);
	assert_true(!strncmp(sp, want, strlen(want)));
	assert_int_equal(strlen(sp), strlen(want) + 12);
	char *savepoint = strdup(sp);
	fg_result_release(&r);
	assert_true(fs_is_dir(savepoint + 5));
	char *st = job_status(f, id);
	assert_string_equal(st, "FINISHED");
	free(st);
	json_t *jobs = fg_engine_jobs(f->e);
	assert_string_equal(job_field(jobs, id, "savepoint"), savepoint);
	json_decref(jobs);
	/* new records while the job is stopped */
	json_t *recs = json_pack("[{s:n,s:{s:i,s:s,s:i}}]", "key", "value", "id", 4, "name", "dora", "amount", 1);
	char *err = NULL;
	assert_int_equal(fg_engine_append(f->e, "src", recs, &err), 0);
	json_decref(recs);
	/* restoring from a savepoint this engine never made fails to submit */
	run_ok(f, "SET 'execution.savepoint.path' = 'file:/nowhere/savepoint-000000-000000000000'");
	expect_error(f, "INSERT INTO dst SELECT id, name FROM src", 0, "org.apache.flink.table.api.TableException",
		"Failed to execute sql");
	expect_error(f, "INSERT INTO dst SELECT id, name FROM src", 3, "java.io.FileNotFoundException",
		"Cannot find checkpoint or savepoint file/directory 'file:/nowhere/savepoint-000000-000000000000' on file "
		"system 'file'.");
	/* the same query resumes where it stopped: only the new record is written */
	sb_reset(&q);
	sb_addf(&q, "SET 'execution.state-recovery.path' = '%s'", savepoint);
	run_ok(f, q.buf);
	run_ok(f, "RESET 'execution.savepoint.path'");
	char id2[33];
	submit(f, "INSERT INTO dst SELECT id, name FROM src", id2, NULL);
	jobs = fg_engine_jobs(f->e);
	assert_string_equal(job_field(jobs, id2, "restored_from"), savepoint);
	json_decref(jobs);
	json_t *t = fg_engine_topic(f->e, "dst");
	assert_int_equal(json_array_size(t), 4);
	json_decref(t);
	/* a changed query restores the source offsets: it starts after what was consumed */
	snprintf(stop, sizeof(stop), "STOP JOB '%s' WITH SAVEPOINT", id2);
	fg_execute(f->s, stop, NULL, &r);
	assert_true(r.ok);
	char *sp2 = strdup(json_string_value(json_array_get(json_object_get(json_array_get(r.rows, 0), "fields"), 0)));
	fg_result_release(&r);
	recs = json_pack("[{s:n,s:{s:i,s:s,s:i}}]", "key", "value", "id", 5, "name", "eve", "amount", 1);
	assert_int_equal(fg_engine_append(f->e, "src", recs, &err), 0);
	json_decref(recs);
	sb_reset(&q);
	sb_addf(&q, "SET 'execution.state-recovery.path' = '%s'", sp2);
	run_ok(f, q.buf);
	submit(f, "INSERT INTO dst SELECT id, UPPER(name) FROM src", id2, NULL);
	t = fg_engine_topic(f->e, "dst");
	assert_int_equal(json_array_size(t), 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(t, 4), "value"), "name")), "EVE");
	json_decref(t);
	free(sp2);
	/* WITH DRAIN fires the windows the watermark has not closed yet */
	fx_write(f, "topics/ev.jsonl",
		"{\"key\":null,\"value\":{\"ts\":\"2024-01-01 00:00:10\"},\"timestamp\":1}\n"
		"{\"key\":null,\"value\":{\"ts\":\"2024-01-01 00:01:10\"},\"timestamp\":2}\n");
	run_ok(f, "RESET 'execution.state-recovery.path'");
	run_ok(f, "CREATE TABLE ev (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (" KOPTS("ev", "") ")");
	run_ok(f, "CREATE TABLE wins (ws TIMESTAMP(3), n BIGINT) WITH (" KOPTS("wins", "") ")");
	submit(f, "INSERT INTO wins SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), "
		"INTERVAL '1' MINUTE)) GROUP BY window_start, window_end", id2, NULL);
	t = fg_engine_topic(f->e, "wins");
	assert_int_equal(json_array_size(t), 1);   /* 00:01 is still open */
	json_decref(t);
	snprintf(stop, sizeof(stop), "STOP JOB '%s' WITH SAVEPOINT WITH DRAIN", id2);
	run_ok(f, stop);
	t = fg_engine_topic(f->e, "wins");
	assert_int_equal(json_array_size(t), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(t, 1), "value"), "ws")),
		"2024-01-01 00:01:00");
	json_decref(t);
	free(savepoint);
	free(dir);
	sb_release(&q);
	/* older versions name the savepoint key state.savepoints.dir */
	struct fx *old = fx_new("1.19.1", 10);
	assert_non_null(old);
	fx_write(old, "topics/src.jsonl", SRC_TOPIC);
	run_ok(old, "CREATE TABLE src (id BIGINT) WITH (" KOPTS("src", "") ")");
	run_ok(old, "CREATE TABLE d (id BIGINT) WITH ('connector'='blackhole')");
	submit(old, "INSERT INTO d SELECT id FROM src", id, NULL);
	snprintf(stop, sizeof(stop), "STOP JOB '%s' WITH SAVEPOINT", id);
	expect_error(old, stop, 2, "java.lang.IllegalStateException",
		"No savepoint directory configured. You can either specify a directory while cancelling via -s "
		":targetDirectory or configure a cluster-wide default via key 'state.savepoints.dir'.");
	/* and know no DESCRIBE JOB */
	fg_execute(old->s, "DESCRIBE JOB 'x'", NULL, &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].cls, "org.apache.flink.table.api.SqlParserException");
	fg_result_release(&r);
	void *ost = old;
	fx_teardown(&ost);
}

static void test_failures_and_sessions(void **state)
{
	struct fx *f = *state;
	tables(f);
	run_ok(f, "CREATE TABLE bh (id BIGINT) WITH ('connector'='blackhole')");
	char id[33];
	submit(f, "INSERT INTO bh SELECT id FROM src", id, NULL);
	assert_false(fg_job_done(f->e, id, NULL, NULL));
	assert_int_equal(fg_engine_fail_job(f->e, id, "TaskManager lost"), 0);
	assert_int_equal(fg_engine_fail_job(f->e, "ffffffffffffffffffffffffffffffff", "x"), -1);
	bool failed = false;
	char *why = NULL;
	assert_true(fg_job_done(f->e, id, &failed, &why));
	assert_true(failed);
	assert_string_equal(why, "org.apache.flink.runtime.client.JobExecutionException: Job execution failed.\n"
		"Caused by: java.lang.RuntimeException: TaskManager lost");
	free(why);
	char *st = job_status(f, id);
	assert_string_equal(st, "FAILED");
	free(st);
	/* a job that ended cannot fail (again): it keeps its status and its first failure */
	assert_int_equal(fg_engine_fail_job(f->e, id, "again"), -2);
	assert_true(fg_job_done(f->e, id, &failed, &why));
	assert_non_null(strstr(why, "TaskManager lost"));
	assert_null(strstr(why, "again"));
	free(why);
	char bid[33];
	submit(f, "INSERT INTO bh SELECT id FROM src_b", bid, NULL);
	wait_done(f, bid);
	assert_int_equal(fg_engine_fail_job(f->e, bid, "too late"), -2);
	assert_true(fg_job_done(f->e, bid, &failed, NULL));
	assert_false(failed);
	st = job_status(f, bid);
	assert_string_equal(st, "FINISHED");
	free(st);
	/* nor one whose run time is over, even before anyone looked at its status */
	submit(f, "INSERT INTO bh SELECT id FROM src_b", bid, NULL);
	fg_clock_advance(1000);
	assert_int_equal(fg_engine_fail_job(f->e, bid, "too late"), -2);
	st = job_status(f, bid);
	assert_string_equal(st, "FINISHED");
	free(st);
	char stop[80];
	snprintf(stop, sizeof(stop), "STOP JOB '%s'", id);
	struct fg_result r;
	fg_execute(f->s, stop, NULL, &r);
	assert_false(r.ok);
	fg_result_release(&r);
	expect_error(f, "STOP JOB 'ffffffffffffffffffffffffffffffff'", 2,
		"org.apache.flink.runtime.messages.FlinkJobNotFoundException",
		"Could not find Flink job (ffffffffffffffffffffffffffffffff)");
	/* a stream whose job fails ends */
	fg_execute(f->s, "SELECT id FROM src", NULL, &r);
	assert_true(r.ok);
	assert_non_null(r.stream);
	char qid[33];
	strcpy(qid, r.job_id);
	assert_int_equal(fg_engine_fail_job(f->e, qid, "boom"), 0);
	json_t *more = json_array();
	assert_true(fg_stream_poll(r.stream, more));
	json_decref(more);
	fg_stream_close(r.stream);
	fg_result_release(&r);
	/* closing a session cancels its queries' jobs, never its INSERT jobs */
	submit(f, "INSERT INTO bh SELECT id FROM src", id, NULL);
	fg_execute(f->s, "SELECT id FROM src", NULL, &r);
	assert_true(r.ok);
	struct fg_stream *stream = r.stream;
	strcpy(qid, r.job_id);
	fg_result_release(&r);
	fg_session_free(f->s);
	f->s = NULL;
	st = job_status(f, qid);
	assert_string_equal(st, "CANCELED");
	free(st);
	st = job_status(f, id);
	assert_string_equal(st, "RUNNING");
	free(st);
	more = json_array();
	assert_true(fg_stream_poll(stream, more));
	json_decref(more);
	fg_stream_close(stream);
	f->s = fg_session_new(f->e, NULL);
	/* a deserialization error fails a running job */
	run_ok(f, "CREATE TABLE bh (id BIGINT) WITH ('connector'='blackhole')");
	fx_write(f, "topics/bad.jsonl", "{\"key\":null,\"value\":{\"id\":1}}\n");
	run_ok(f, "CREATE TABLE bad (id BIGINT) WITH (" KOPTS("bad", "") ")");
	submit(f, "INSERT INTO bh SELECT id FROM bad", id, NULL);
	fx_write(f, "topics/bad.jsonl", "{\"key\":null,\"value\":{\"id\":1}}\nnot json\n");
	run_ok(f, "CREATE TABLE bh_r (id BIGINT) WITH (" KOPTS("bad", ",'scan.bounded.mode'='latest-offset'") ")");
	fg_execute(f->s, "SELECT * FROM bh_r", NULL, &r);
	assert_false(r.ok);
	fg_result_release(&r);
	/* fg_engine_reset forgets the jobs */
	fg_engine_reset(f->e);
	json_t *jobs = fg_engine_jobs(f->e);
	assert_int_equal(json_array_size(jobs), 0);
	json_decref(jobs);
	expect_rows(f, "SHOW JOBS", "");
}

static void test_explain(void **state)
{
	struct fx *f = *state;
	tables(f);
	char *plan = cell(f, "EXPLAIN SELECT name, COUNT(*) FROM src GROUP BY name");
	assert_true(!strncmp(plan, "== Abstract Syntax Tree ==\n", 27));
	assert_non_null(strstr(plan, "== Optimized Physical Plan =="));
	assert_non_null(strstr(plan, "== Optimized Execution Plan =="));
	assert_non_null(strstr(plan, "TableSourceScan(table=[[default_catalog, default_database, src]], fields=[id, name, amount])"));
	assert_non_null(strstr(plan, "GroupAggregate(groupBy=[name]"));
	free(plan);
	run_ok(f, "CREATE TABLE bh (id BIGINT) WITH ('connector'='blackhole')");
	plan = cell(f, "EXPLAIN PLAN FOR INSERT INTO bh SELECT id FROM src");
	assert_non_null(strstr(plan, "Sink(table=[default_catalog.default_database.bh], fields=[id])"));
	free(plan);
	/* EXPLAIN validates */
	expect_error(f, "EXPLAIN SELECT nope FROM src", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 16 to line 1, column 19: Column 'nope' not found in any table");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_into_topic, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_running_job_follows_source, manual_setup, manual_teardown),
		cmocka_unit_test_setup_teardown(test_upsert_kafka, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_filesystem, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_statement_sets, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_and_restore, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failures_and_sessions, manual_setup, manual_teardown),
		cmocka_unit_test_setup_teardown(test_explain, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
