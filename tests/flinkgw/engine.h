/*
 * The SQL side of the Flink SQL Gateway test double: what a Flink cluster plus its per-session
 * catalogs would do with one statement. The REST side (rest.c, main.c) owns HTTP, handles,
 * operation states, pages, faults and the request log; it calls into this engine to run each
 * statement and to read the results of streaming queries.
 *
 * What the engine keeps (all behind one lock, so every function is thread-safe):
 *  - the cluster: jobs (id, name, status, start time, savepoints), Kafka-like topics stored as
 *    files under the data folder, the contents of persistent catalogs (jdbc, hive, paimon), which
 *    outlive sessions as a metastore would;
 *  - per session: its own in-memory `default_catalog`.`default_database`, catalogs created in it,
 *    the current catalog and database, the session configuration (SET/RESET), temporary objects,
 *    an open BEGIN STATEMENT SET.
 * Queries are evaluated with DuckDB over the data the tests declare, so results are real.
 *
 * Ownership: json_t values handed out are new references the caller decrefs (fg_result_release
 * does it for a result). Strings in a result are malloc'ed and freed by fg_result_release.
 */
#ifndef FLINKGW_ENGINE_H
#define FLINKGW_ENGINE_H

#include <jansson.h>
#include <stdbool.h>

struct fg_engine;
struct fg_session;
struct fg_stream;

struct fg_engine_options {
	const char *data_dir;       /* topics/<topic>.jsonl and anything tests put there; required */
	const char *flink_version;  /* "2.0.0" by default: shapes SHOW JOBS, key names, errors */
	long job_run_ms;            /* how long a bounded job runs before FINISHED (default 100) */
	/* Confluent Cloud flavor (tests/ccloud): a CREATE TABLE without 'connector' is a Kafka topic
	 * of the table's name (upsert-kafka with a primary key), and a statement whose configuration
	 * has 'sql.snapshot.mode' = 'now' runs its queries as batch over every source bounded, up to
	 * its records of now (upsert sources included) */
	bool confluent;
	/* Confluent Cloud flavor: INFORMATION_SCHEMA.COLUMNS has no rows for a table created less than
	 * this long ago (the catalog's eventual consistency, reference §12); 0: none */
	long catalog_lag_ms;
};

/* The clock (clock.c), one for the process: real by default. Manual, it stands still at the
 * moment it was switched on and moves only by fg_clock_advance, which returns the new time. */
void fg_clock_set_manual(bool on);
bool fg_clock_is_manual(void);
long long fg_clock_advance(long long ms);
/* Epoch milliseconds (what the engine stamps), and milliseconds for durations */
long long now_ms(void);
long long fg_clock_monotonic_ms(void);

struct fg_engine *fg_engine_new(const struct fg_engine_options *o, char **perr);
void fg_engine_free(struct fg_engine *e);

/* A session's catalog state. props: the session properties of POST /sessions (object of
 * strings, may be NULL). */
struct fg_session *fg_session_new(struct fg_engine *e, json_t *props);
/* Forgets the session's catalogs; cancels the jobs of its streaming queries, never INSERT jobs */
void fg_session_free(struct fg_session *s);
/* The effective configuration (gateway defaults + session properties + SET), flattened to
 * strings, for GET /sessions/:sh */
json_t *fg_session_config(struct fg_session *s);

/* One link of an error's cause chain, outermost first: what the REST side prints after the
 * gateway's own wrappers ("Caused by: <cls>: <msg>") */
struct fg_cause {
	char *cls;   /* "org.apache.flink.table.api.ValidationException" */
	char *msg;   /* "SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'x' not found" */
};

struct fg_result {
	bool ok;
	/* on error: 1..4 causes, outermost first */
	struct fg_cause causes[4];
	int ncauses;
	/* on success, the page fields of the REST reference §6.4/§6.7 */
	bool is_query;             /* isQueryResult */
	const char *result_kind;   /* "SUCCESS" or "SUCCESS_WITH_CONTENT" (static) */
	char job_id[33];           /* "" when the statement has no job */
	json_t *columns;           /* [{"name","logicalType","comment"}] exactly as on the wire */
	json_t *rows;              /* [{"kind","fields"}], all rows known now; a DECIMAL field is a
	                            * string holding the exact number at its scale ("710.00") */
	/* A streaming query that is not over yet (unbounded source): more rows may come through
	 * fg_stream_poll, and the results never reach EOS until the stream ends */
	struct fg_stream *stream;
	/* table.dml-sync: the operation must stay RUNNING until fg_job_done(job_id) */
	bool wait_for_job;
	/* a query: whether its rows may carry other kinds than INSERT, and the output columns that
	 * form its upsert key (nupsert -1: none known) */
	bool updating;
	int upsert[16];
	int nupsert;
};

/* Runs one statement of the session (POST …/statements). exec_config: the request's
 * executionConfig (object of strings, may be NULL), for this statement only. Always returns with
 * *out filled; out->ok tells success. */
void fg_execute(struct fg_session *s, const char *statement, json_t *exec_config, struct fg_result *out);
/* POST …/configure-session: only SET, RESET, CREATE/DROP/ALTER, USE, LOAD/UNLOAD MODULE, ADD JAR
 * are allowed; anything else fails with "Unsupported statement for configuring session: …" */
void fg_configure(struct fg_session *s, const char *statement, struct fg_result *out);
void fg_result_release(struct fg_result *r);

/* New rows of a streaming query since the last call, appended to rows_out; returns true when the
 * stream ended (its job failed or finished), false while it goes on */
bool fg_stream_poll(struct fg_stream *st, json_t *rows_out);
/* Closing the query's operation: cancels its job and frees the stream */
void fg_stream_close(struct fg_stream *st);

/* The rows of a result ([{"kind","fields"}]) as compact JSON, the way the gateway writes them:
 * DECIMAL fields (per the columns' logicalType) as numbers at their scale (710.00), doubles in
 * their shortest form (0.1, 2.0), which jansson alone cannot do. Returns malloc'ed text. */
char *fg_rows_json(const json_t *columns, const json_t *rows);

/* Jobs, for the REST side's dml-sync wait and for the admin API. A job's failure (*pfailure,
 * malloc'ed or NULL; "failure" of fg_engine_jobs) is its cause chain as Java prints one:
 * "<cls>: <msg>\nCaused by: <cls>: <msg>…", outermost first. */
bool fg_job_done(struct fg_engine *e, const char *job_id, bool *pfailed, char **pfailure);
json_t *fg_engine_jobs(struct fg_engine *e);   /* [{id,name,status,start_time,statement,sink,savepoint,restored_from,failure}] */
/* Fails a RUNNING job: its failure becomes "JobExecutionException: Job execution failed." caused by
 * "RuntimeException: <reason>". 0; -1 unknown job; -2 the job has already ended */
int fg_engine_fail_job(struct fg_engine *e, const char *job_id, const char *reason);
/* Ends a RUNNING job now, FINISHED, as if its bounded sources ran out (tests that must not race
 * --job-run-ms start the double with a long one and finish jobs themselves). 0; -1 unknown job;
 * -2 the job has already ended */
int fg_engine_finish_job(struct fg_engine *e, const char *job_id);
/* Stops a RUNNING job for the JobManager REST API: with a savepoint in dir (its path in *ppath,
 * malloc'ed), or canceled when dir is NULL. 0; -1 unknown job; -2 the job has already ended; -3 the
 * savepoint failed (the cause chain in *perr, malloc'ed) */
int fg_engine_stop_job(struct fg_engine *e, const char *job_id, const char *dir, bool drain, char **ppath,
		       char **perr);
/* Topics, for the admin API: records of a topic (its own file plus the output of jobs) */
json_t *fg_engine_topic(struct fg_engine *e, const char *topic);
int fg_engine_append(struct fg_engine *e, const char *topic, json_t *records, char **perr);
/* Confluent Cloud: the first problem with a statement's properties (§11), malloc'ed, or NULL */
char *fg_confluent_properties_check(json_t *props);
void fg_engine_reset(struct fg_engine *e);  /* forgets jobs and persistent catalogs (not files) */

#endif
