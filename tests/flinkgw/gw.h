/*
 * The REST side of the Flink SQL Gateway test double: shared state and the functions its files
 * call in one another. main.c builds a `struct gw` from the command line, rest.c serves the
 * gateway's REST API, admin.c the control API on a second port, ops.c owns sessions and
 * operations, trace.c builds the Java-like error bodies, jsonw.c writes JSON the way the
 * gateway's Jackson does, faults.c matches fault rules and reqlog.c records every request.
 *
 * Locking: one mutex (gw.mu) guards every session, operation, fault rule and log record; the
 * condition variable gw.cv is broadcast on every state change (a statement finished, a session
 * closed, the server stopping), and every wait in the double is a wait on it. The engine has its
 * own lock; gw.mu is never held across fg_execute or fg_configure, which may take long.
 *
 * Ownership: sessions and operations are reference counted (gw_session_put / gw_op_put, under
 * gw.mu); json_t values stored here are owned references.
 */
#ifndef FLINKGW_GW_H
#define FLINKGW_GW_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/sb.h"
#include "engine.h"

/* ---- options ---------------------------------------------------------------------------- */

struct gw_options {
	const char *data_dir;
	const char *host;           /* "127.0.0.1" */
	int port;                   /* 0: any free port */
	int admin_port;             /* 0: any free port */
	const char *port_file;
	const char *admin_port_file;
	const char *jobmanager_port_file;
	const char *flink_version;  /* "2.0.0" */
	const char *log_file;
	int not_ready;              /* NOT_READY answers to the first fetch of token 0 (1) */
	int page_rows;              /* rows per PAYLOAD page (2) */
	long session_idle_timeout_ms; /* 600000 */
	long job_run_ms;            /* handed to the engine (100) */
	bool manual_clock;          /* --clock manual: time moves only by POST /clock (clock.c) */
};

/* REST API versions, as bits */
enum { GW_V1 = 1, GW_V2 = 2, GW_V3 = 4, GW_V4 = 8 };

/* ---- operations ------------------------------------------------------------------------- */

enum gw_status {
	ST_INITIALIZED, ST_PENDING, ST_RUNNING, ST_FINISHED, ST_CANCELED, ST_CLOSED, ST_ERROR, ST_TIMEOUT
};
const char *gw_status_name(enum gw_status s);
bool gw_status_terminal(enum gw_status s);
bool gw_status_can_move(enum gw_status from, enum gw_status to);

/* One link of a Java cause chain: class and message (NULL: none, as Throwable prints it) */
struct gw_cause {
	char *cls;
	char *msg;
};

/* A cause chain, outermost first, long enough for the gateway's wrappers above a failed job's causes */
struct gw_causes {
	struct gw_cause v[16];
	int n;
};
void gw_causes_add(struct gw_causes *c, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void gw_causes_release(struct gw_causes *c);

struct gw_session;

struct gw_op {
	char id[37];
	struct gw_session *s;
	int refs;
	enum gw_status status;
	long seq;                   /* of the request that created it */
	char *statement;
	json_t *exec_config;
	/* what the worker found */
	bool have_result;
	struct fg_result res;
	struct gw_causes error;     /* status ERROR: the causes after "Failed to execute the operation" */
	/* faults attached by the request */
	long slow_ms;
	bool stuck;
	char *fail_msg;
	char *fail_job_msg;
	bool fail_job;
	/* paging, as the gateway's ResultFetcher */
	long token;                 /* the current token */
	json_t *pending;            /* rows not handed out yet */
	json_t *prev;               /* rows of the last page, for a re-fetch */
	bool no_more;
	bool started;               /* a query's first (empty) page was sent */
	bool stream_failed;         /* the stream's job failed: fetches answer 500 */
	char *stream_failure;
	int not_ready_left;
	struct gw_op *next;         /* in the session's list */
};

struct gw_session {
	char id[37];
	int refs;
	bool closed;
	bool busy;                  /* a statement of the session is executing (the semaphore) */
	struct fg_session *fs;
	char *name;
	json_t *props;
	int64_t created_ms;
	int64_t touched_ms;
	struct gw_op *ops;
	struct gw_session *next;
};

/* ---- faults ----------------------------------------------------------------------------- */

enum gw_action {
	FA_STATUS, FA_DROP, FA_DELAY, FA_SLOW, FA_STUCK, FA_FAIL, FA_FAIL_JOB, FA_EXPIRE_SESSION
};

struct gw_fault {
	char *method;     /* "POST", "*" */
	char *path;       /* glob on the decoded path */
	char *statement;  /* substring, or NULL */
	enum gw_action action;
	int status;
	long delay_ms;
	char *message;
	long count;       /* -1: unlimited */
	long skip;
	long matched;
	long applied;
};

/* What the matching rule asks of one request (a copy, so the rules may change meanwhile) */
struct gw_fault_hit {
	bool hit;
	enum gw_action action;
	int status;
	long delay_ms;
	char message[1024];
	bool has_message;
};

/* ---- the server ------------------------------------------------------------------------- */

struct gw {
	struct gw_options o;
	unsigned versions;          /* GW_V* bits */
	int default_version;        /* 1..4 */
	bool v116;                  /* Flink 1.16 bodies */
	struct fg_engine *engine;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	int workers;                /* statement threads alive */

	struct gw_session *sessions;
	long seq;                   /* last request number */
	json_t *requests;           /* the request log, in memory */
	json_t *statements;         /* every statement received, for the admin API */
	FILE *log;

	struct gw_fault *faults;
	int nfaults;

	json_t *workflows;          /* embedded-scheduler workflows: name -> object */
	long workflow_seq;

	pthread_t reaper;
	bool reaper_started;
	struct MHD_Daemon *rest;
	struct MHD_Daemon *admin;
	struct MHD_Daemon *jobmanager;
	int rest_port, admin_port, jobmanager_port;
	json_t *triggers;           /* JobManager REST: savepoint trigger id -> its status body */
};

/* main.c-facing lifecycle (rest.c) */
int gw_init(struct gw *g, const struct gw_options *o, char **perr);
int gw_start(struct gw *g, char **perr);
void gw_stop(struct gw *g);
void gw_release(struct gw *g);
int gw_parse_version(const char *v, unsigned *pversions, int *pdefault, bool *pv116);

/* One HTTP request being read: the URI as received (query included) and the body */
struct gw_req {
	char *uri;
	struct sb body;
	bool started;
};
void *gw_req_new(void *cls, const char *uri, struct MHD_Connection *c);
void gw_req_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code);
/* Starts a server on host:port whose requests arrive with a struct gw_req as their state */
struct MHD_Daemon *gw_daemon(struct gw *g, int port, MHD_AccessHandlerCallback cb, char **perr);
/* Answers with a JSON body (copied) */
enum MHD_Result gw_send(struct MHD_Connection *c, int status, const char *body);

/* admin.c */
struct MHD_Daemon *gw_admin_start(struct gw *g, char **perr);
/* jobmanager.c: the cluster's REST API (jobs overview, details, stop, cancel, ...) */
struct MHD_Daemon *gw_jobmanager_start(struct gw *g, char **perr);

/* ops.c: everything below with gw.mu held unless said otherwise */
int64_t gw_now_ms(void);
void gw_expire_idle(struct gw *g);
void gw_uuid(char out[37]);
struct gw_session *gw_session_open(struct gw *g, const char *name, json_t *props);
/* looks a session up and touches it; a new reference, or NULL */
struct gw_session *gw_session_get(struct gw *g, const char *id);
void gw_session_put(struct gw *g, struct gw_session *s);
/* Closes a session: its operations, its engine state (waits for a running statement; gw.mu is
 * released meanwhile) */
void gw_session_close(struct gw *g, struct gw_session *s);
struct gw_op *gw_op_find(struct gw_session *s, const char *id);
void gw_op_put(struct gw *g, struct gw_op *op);
/* Submits a statement: blocks (gw.mu released) while the session executes another one. Returns a
 * new reference to the operation, or NULL with *pcauses set (the chain after
 * "Failed to execute statement.") */
struct gw_op *gw_op_submit(struct gw *g, struct gw_session *s, long seq, const char *statement,
			   json_t *exec_config, const struct gw_fault_hit *fault, struct gw_causes *pcauses);
/* configure-session: runs statement synchronously; 0, or -1 with the chain after
 * "Failed to configure session." */
int gw_configure(struct gw *g, struct gw_session *s, const char *statement, const struct gw_fault_hit *fault,
		 struct gw_causes *pcauses);
/* cancel: 0, or -1 with the cause message of the failed transition */
int gw_op_cancel(struct gw *g, struct gw_op *op, char *msg, size_t msgsz);
void gw_op_close(struct gw *g, struct gw_session *s, const char *op_id);
void gw_expire_all(struct gw *g);
void gw_sessions_json(struct gw *g, json_t *out);
void gw_statement_status(struct gw *g, json_t *rec, const char *op_id);

/* A page of results, decided by gw_fetch */
enum gw_page_kind { PG_NOT_READY, PG_PAYLOAD, PG_EOS, PG_ERROR };
struct gw_page {
	enum gw_page_kind kind;
	long next_token;
	json_t *rows;               /* new reference (PAYLOAD) */
	json_t *columns;            /* new reference (PAYLOAD/EOS) */
	bool is_query;
	const char *result_kind;
	char job_id[33];
	struct gw_causes causes;    /* PG_ERROR: the chain after "Failed to fetchResults." */
};
void gw_fetch(struct gw *g, struct gw_op *op, long token, struct gw_page *pg);
void gw_page_release(struct gw_page *pg);

/* faults.c */
int gw_faults_set(struct gw *g, json_t *rules, char *err, size_t errsz);
void gw_faults_clear(struct gw *g);
json_t *gw_faults_json(struct gw *g);
void gw_faults_match(struct gw *g, const char *method, const char *path, const char *statement,
		     struct gw_fault_hit *hit);
bool gw_glob(const char *pattern, const char *s);

/* reqlog.c */
void gw_log_request(struct gw *g, long seq, const char *method, const char *uri, int status, const char *session,
		    json_t *body, const char *raw_body, const char *statement);
/* a copy of v with the values of secret-looking keys replaced (new reference) */
json_t *gw_redact_json(json_t *v);
/* a copy of a statement with the values of secret-looking options replaced (malloc'ed) */
char *gw_redact_sql(const char *sql);
/* status: NULL for an operation (its live status is shown), else the final one */
void gw_record_statement(struct gw *g, long seq, const char *session, const char *op_id, const char *statement,
			 json_t *exec_config, const char *status);

/* jsonw.c: JSON the way Jackson writes it (compact, insertion order) */
void jw_value(struct sb *out, json_t *v);
void jw_string(struct sb *out, const char *s);
/* rows [{"kind","fields"}] for the given columns, as JSON or PLAIN_TEXT */
void jw_rows(struct sb *out, json_t *columns, json_t *rows, bool plain_text);
void jw_java_double(struct sb *out, double d);
char *jw_dump(json_t *v);   /* malloc'ed */
bool gw_is_uuid(const char *s);
bool gw_uuid_canon(const char *s, char out[37]);
bool gw_parse_long(const char *s, long *pv);
/* Netty's QueryStringDecoder.decodeComponent: %XX and, if plus, '+' as space; -1 if malformed */
int gw_decode_component(const char *s, size_t n, bool plus, struct sb *out);

/* trace.c: the gateway's error bodies */
enum gw_ctx {
	CTX_EXECUTE, CTX_FETCH, CTX_CONFIGURE, CTX_COMPLETE, CTX_SCRIPT, CTX_OPERATION, CTX_SESSION,
	CTX_OPEN, CTX_REFRESH, CTX_WORKFLOW, CTX_REQUEST
};
/* {"errors":["Not found: <uri>"]} */
char *gw_err_not_found(const char *uri);
/* A handled error: one element, the trace of RestHandlerException(msg) caused by the chain */
char *gw_err_handled(enum gw_ctx ctx, const char *msg, const struct gw_causes *chain);
/* An unhandled error: ["Internal server error.", "<Exception on server side:…>"]; the first link
 * is the outermost exception */
char *gw_err_unhandled(enum gw_ctx ctx, const struct gw_causes *chain);
/* Appends a Java stack trace of the chain to out */
void gw_trace(struct sb *out, enum gw_ctx ctx, const struct gw_causes *chain);

#define JAVA_GW_EXC "org.apache.flink.table.gateway.api.utils.SqlGatewayException"
#define JAVA_EXEC_EXC "org.apache.flink.table.gateway.service.utils.SqlExecutionException"
#define JAVA_REST_EXC "org.apache.flink.runtime.rest.handler.RestHandlerException"
#define JAVA_JOB_EXEC_EXC "org.apache.flink.runtime.client.JobExecutionException"

#endif
