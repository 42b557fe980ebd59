/*
 * libsluice-flink: a C client for the Apache Flink SQL Gateway REST API (v1 to v4).
 *
 * Usable on its own: it needs libcurl, jansson and POSIX threads, nothing else of Sluice.
 * Shaped like libcurl: opaque handles, every fallible call returns a `flink_code` (FLINK_OK is 0)
 * and fills an optional `struct flink_error` with the details.
 *
 *   flink_client   one gateway endpoint (URL, auth, TLS, timeouts, retries); negotiates the API
 *                  version once, runs the heartbeat thread for its open sessions
 *   flink_session  a gateway session: its own catalog state and configuration
 *   flink_operation one submitted statement: status, paged results, cancel, close
 *
 * Ownership: objects returned through `**p…` out-parameters belong to the caller, who frees them
 * with the matching *_free / *_close (close always frees, even when the remote call fails). Strings
 * inside a page, a column or an error live as long as that object. `struct flink_error` owns its
 * strings; release them with flink_error_release().
 *
 * Threads: a client may be shared by threads (flink_session_open is thread-safe). A session and its
 * operations are used by one thread at a time; the heartbeat thread synchronizes with the session on
 * its own (closing a session aborts or waits for its heartbeat), so callers need no lock for it. The
 * gateway itself runs one statement at a time per session.
 *
 * Retries: only requests that are safe to repeat are retried, with exponential backoff, on
 * connection failures and on HTTP 502/503/504: GET (versions, info, status, a result page by token),
 * heartbeat, close. A statement is never submitted twice: POST …/statements is retried only when the
 * connection could not be made at all, so nothing reached the gateway.
 *
 * Secrets: the bearer token, the basic-auth password and header values never appear in error
 * messages or in the log callback's lines.
 */
#ifndef SLUICE_FLINK_H
#define SLUICE_FLINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FLINK_WARN_UNUSED __attribute__((warn_unused_result))

typedef struct flink_client flink_client;
typedef struct flink_session flink_session;
typedef struct flink_operation flink_operation;

/* ================================================================ errors */

typedef enum flink_code {
	FLINK_OK = 0,
	FLINK_E_ARG,          /* a bad argument from the caller (NULL handle, empty statement, bad URL) */
	FLINK_E_CONNECT,      /* could not reach the gateway: DNS, refused, TLS handshake, dropped */
	FLINK_E_TIMEOUT,      /* an HTTP request, or the caller's overall limit, ran out of time */
	FLINK_E_HTTP,         /* an HTTP status the protocol does not explain (e.g. 401, 502 from a proxy) */
	FLINK_E_GATEWAY,      /* the gateway answered with its error body: message and root cause */
	FLINK_E_SESSION_GONE, /* the session does not exist any more (expired, closed by the server) */
	FLINK_E_PROTOCOL,     /* a response that does not follow the REST protocol */
	FLINK_E_VERSION,      /* the gateway offers no API version this client can use */
	FLINK_E_CANCELED,     /* the operation was canceled */
	FLINK_E_INTERRUPTED,  /* the caller's interrupt flag stopped a run (Ctrl-C) */
	FLINK_E_NOMEM,        /* only from the allocation of a handle; other OOM aborts */
	/* Confluent Cloud (flink_cc_*) */
	FLINK_E_NOT_FOUND,    /* no such statement (404, or 403 under pool-scoped roles) */
	FLINK_E_CONFLICT,     /* 409: the name is in use (also while a deleted one is torn down) */
	FLINK_E_POOL_EXHAUSTED, /* PENDING with no compute pool capacity; the statement was deleted */
	FLINK_E_STATEMENT,    /* the statement FAILED (or is DEGRADED): root_cause has its detail */
} flink_code;

/* "could not reach the gateway", ... (static strings) */
const char *flink_strerror(flink_code code);

struct flink_error {
	flink_code code;
	long http_status;     /* 0 when no HTTP answer arrived */
	char *message;        /* one line saying what failed; set whenever code != FLINK_OK */
	char *root_cause;     /* the gateway's innermost cause, e.g. "org.apache.flink.table.api.
	                         ValidationException: SQL validation failed. Object 'x' not found",
	                         or NULL */
	char *server_trace;   /* the gateway's whole error text (errors[] joined), or NULL */
	char *statement;      /* the statement that failed, or NULL */
	char *request;        /* "POST /v2/sessions/<sh>/statements", or NULL */
};
void flink_error_init(struct flink_error *err);
void flink_error_release(struct flink_error *err); /* frees the strings, then init */

/* ================================================================ client */

struct flink_kv {
	const char *key;
	const char *value;
};

struct flink_client_options {
	const char *url;                 /* "http://127.0.0.1:8083", "https://gw.example.com/flink" */
	const char *api_version;         /* NULL or "auto": negotiate; else "v1", "v2", "v3" or "v4" */
	const char *const *headers;      /* extra "Name: value" lines, NULL-terminated; may be NULL */
	const char *bearer_token;        /* sends "Authorization: Bearer <token>"; NULL for none */
	const char *username;            /* HTTP basic auth with password; NULL for none */
	const char *password;
	const char *ca_file;             /* PEM bundle for https; NULL for the system's */
	bool insecure;                   /* https without certificate verification (tests only) */
	long connect_timeout_ms;         /* default 10000 */
	long request_timeout_ms;         /* each HTTP request; default 60000 */
	int max_retries;                 /* retries of a repeatable request; default 3, 0 for none */
	long retry_backoff_ms;           /* first wait, doubled each retry up to 5000; default 200 */
	long poll_interval_ms;           /* longest wait after NOT_READY or an empty page (the run
	                                    loop starts at 5 ms and doubles); default 100 */
	long heartbeat_interval_ms;      /* heartbeat of open sessions; default 60000, 0: none */
	/* Optional request log: one line per HTTP exchange ("GET /v2/... -> 200 in 3 ms"), level 0
	 * debug, 1 info, 2 warning (retries). Called from the calling thread or the heartbeat thread. */
	void (*log)(void *ud, int level, const char *line);
	void *log_ud;
};

/* Fills the defaults above (url NULL) */
void flink_client_options_init(struct flink_client_options *o);

/* Creates a client and negotiates the API version: GET /v1/api_versions, then the highest version
 * both sides know (v4 at most), or o->api_version when set (FLINK_E_VERSION if the gateway lacks
 * it). The options are copied. */
flink_code flink_client_new(const struct flink_client_options *o, flink_client **pclient,
			    struct flink_error *err) FLINK_WARN_UNUSED;
/* Stops the heartbeat thread and frees the client; close its sessions first */
void flink_client_free(flink_client *c);

/* The version in use: "v1" ... "v4", and as a number */
const char *flink_client_api_version(const flink_client *c);
int flink_client_api_number(const flink_client *c);
/* The versions the gateway listed, e.g. {"V1","V2","V3","V4"}; owned by the client */
const char *const *flink_client_gateway_versions(const flink_client *c, size_t *pn);

/* GET /info: *pproduct ("Apache Flink") and *pversion ("2.0.0"), each to free() */
flink_code flink_client_info(flink_client *c, char **pproduct, char **pversion,
			     struct flink_error *err) FLINK_WARN_UNUSED;

/* ================================================================ sessions */

/* POST /sessions with a name (may be NULL) and session properties (any Flink option) */
flink_code flink_session_open(flink_client *c, const char *name, const struct flink_kv *props,
			      size_t nprops, flink_session **psession,
			      struct flink_error *err) FLINK_WARN_UNUSED;
const char *flink_session_handle(const flink_session *s);
flink_client *flink_session_client(const flink_session *s);
/* false once a request learned that the gateway forgot the session (FLINK_E_SESSION_GONE) */
bool flink_session_alive(const flink_session *s);

flink_code flink_session_heartbeat(flink_session *s, struct flink_error *err) FLINK_WARN_UNUSED;
/* POST /sessions/:sh/configure-session (v2+): SET, RESET, CREATE/DROP/ALTER, USE, ADD JAR ...,
 * run synchronously. On a v1 gateway the statement is executed and waited for instead. */
flink_code flink_session_configure(flink_session *s, const char *statement,
				   struct flink_error *err) FLINK_WARN_UNUSED;
/* GET /sessions/:sh: the effective configuration; free with flink_kv_free */
flink_code flink_session_get_config(flink_session *s, struct flink_kv **pprops, size_t *pn,
				    struct flink_error *err) FLINK_WARN_UNUSED;
void flink_kv_free(struct flink_kv *kv, size_t n);
/* DELETE /sessions/:sh, then frees s (also when the request fails) */
flink_code flink_session_close(flink_session *s, struct flink_error *err);

/* ================================================================ types and values */

enum flink_type_root {
	FLINK_T_CHAR, FLINK_T_VARCHAR, FLINK_T_BOOLEAN, FLINK_T_BINARY, FLINK_T_VARBINARY,
	FLINK_T_DECIMAL, FLINK_T_TINYINT, FLINK_T_SMALLINT, FLINK_T_INTEGER, FLINK_T_BIGINT,
	FLINK_T_FLOAT, FLINK_T_DOUBLE, FLINK_T_DATE, FLINK_T_TIME, FLINK_T_TIMESTAMP,
	FLINK_T_TIMESTAMP_TZ, FLINK_T_TIMESTAMP_LTZ, FLINK_T_INTERVAL_YEAR_MONTH,
	FLINK_T_INTERVAL_DAY_TIME, FLINK_T_ARRAY, FLINK_T_MULTISET, FLINK_T_MAP, FLINK_T_ROW,
	FLINK_T_RAW, FLINK_T_NULL, FLINK_T_VARIANT, FLINK_T_OTHER
};

struct flink_type;

struct flink_row_field {
	const char *name;
	const char *description;  /* NULL when none */
	const struct flink_type *type;
};

/* A logical type as the gateway describes it (REST reference §6.5) */
struct flink_type {
	enum flink_type_root root;
	const char *root_name;        /* as sent: "TIMESTAMP_WITHOUT_TIME_ZONE" */
	bool nullable;
	int length;                   /* CHAR/VARCHAR/BINARY/VARBINARY, else -1 */
	int precision;                /* DECIMAL, TIME, TIMESTAMP*, INTERVAL*, else -1 */
	int scale;                    /* DECIMAL, else -1 */
	int fractional_precision;     /* INTERVAL_DAY_TIME, else -1 */
	const char *resolution;       /* INTERVAL*: "DAY_TO_SECOND", else NULL */
	const struct flink_type *element;  /* ARRAY, MULTISET */
	const struct flink_type *key;      /* MAP */
	const struct flink_type *value;    /* MAP */
	size_t nfields;                    /* ROW */
	const struct flink_row_field *fields;
	const char *raw_class;             /* RAW: the class name ("class"), else NULL */
};

/* The type as Flink SQL writes it: "STRING", "VARCHAR(32)", "DECIMAL(10, 2)", "TIMESTAMP(3)",
 * "TIMESTAMP_LTZ(3)", "ARRAY<BIGINT>", "MAP<STRING, INT>", "ROW<`a` INT, `b` STRING>", with
 * " NOT NULL" when not nullable. snprintf semantics: returns the length it needed. */
size_t flink_type_format(const struct flink_type *t, char *buf, size_t size);

struct flink_column {
	const char *name;
	const char *comment;          /* NULL when none */
	const struct flink_type *type;
};

enum flink_value_kind {
	FLINK_V_NULL,
	FLINK_V_BOOL,    /* b */
	FLINK_V_INT,     /* i: an integer that fits int64 */
	FLINK_V_NUMBER,  /* text: any other number, exactly as sent ("710.00", "1.5E-7") */
	FLINK_V_STRING,  /* text/len: strings, dates, times, timestamps, base64 bytes */
	FLINK_V_JSON,    /* text/len: compact JSON of an ARRAY, MAP, MULTISET or ROW value */
};

struct flink_value {
	enum flink_value_kind kind;
	bool b;
	int64_t i;
	const char *text;  /* NUL-terminated; for NUMBER, STRING and JSON (also INT and BOOL: "42") */
	size_t len;
};

enum flink_row_kind { FLINK_ROW_INSERT, FLINK_ROW_UPDATE_BEFORE, FLINK_ROW_UPDATE_AFTER, FLINK_ROW_DELETE };
const char *flink_row_kind_name(enum flink_row_kind k);   /* "INSERT", "UPDATE_BEFORE", ... */
const char *flink_row_kind_short(enum flink_row_kind k);  /* "+I", "-U", "+U", "-D" */

struct flink_row {
	enum flink_row_kind kind;
	const struct flink_value *fields;  /* one per column */
};

/* ================================================================ statements */

enum flink_op_status {
	FLINK_OP_INITIALIZED, FLINK_OP_PENDING, FLINK_OP_RUNNING, FLINK_OP_FINISHED,
	FLINK_OP_CANCELED, FLINK_OP_CLOSED, FLINK_OP_ERROR, FLINK_OP_TIMEOUT
};
const char *flink_op_status_name(enum flink_op_status st);  /* "RUNNING", ... */
bool flink_op_status_terminal(enum flink_op_status st);

struct flink_exec_options {
	const struct flink_kv *config;  /* executionConfig: for this statement only */
	size_t nconfig;
};

/* POST /sessions/:sh/statements: returns as soon as the gateway accepted the statement. Parse and
 * validation errors arrive later, from flink_operation_fetch. o may be NULL. */
flink_code flink_statement_submit(flink_session *s, const char *statement,
				  const struct flink_exec_options *o, flink_operation **pop,
				  struct flink_error *err) FLINK_WARN_UNUSED;
const char *flink_operation_handle(const flink_operation *op);
const char *flink_operation_statement(const flink_operation *op);

flink_code flink_operation_status(flink_operation *op, enum flink_op_status *pstatus,
				  struct flink_error *err) FLINK_WARN_UNUSED;
/* POST …/cancel: only while the operation is not finished (the gateway refuses it after) */
flink_code flink_operation_cancel(flink_operation *op, struct flink_error *err) FLINK_WARN_UNUSED;
/* DELETE …/close, then frees op. Closing a query stops its job; an INSERT's job keeps running. */
flink_code flink_operation_close(flink_operation *op, struct flink_error *err);

enum flink_result_type { FLINK_RESULT_NOT_READY, FLINK_RESULT_PAYLOAD, FLINK_RESULT_EOS };
enum flink_result_kind { FLINK_KIND_SUCCESS, FLINK_KIND_SUCCESS_WITH_CONTENT };

/* One page of results (one GET …/result/:token?rowFormat=JSON) */
struct flink_page {
	enum flink_result_type type;
	bool is_query;                     /* isQueryResult */
	enum flink_result_kind kind;       /* resultKind */
	const char *job_id;                /* jobID (32 hex), or NULL */
	size_t ncols;
	const struct flink_column *cols;   /* owned by the operation: valid until it is closed */
	size_t nrows;
	const struct flink_row *rows;      /* owned by the page */
};

/* Fetches the next page: one request for the current token, then moves to the token of
 * nextResultUri. NOT_READY and EOS come back as pages of that type (after EOS, further calls
 * return EOS again without a request). A failed statement returns FLINK_E_GATEWAY with the
 * gateway's root cause and the statement. Does not sleep: the caller decides how to poll. */
flink_code flink_operation_fetch(flink_operation *op, struct flink_page **ppage,
				 struct flink_error *err) FLINK_WARN_UNUSED;
void flink_page_free(struct flink_page *page);
/* The columns, once a PAYLOAD page arrived (NULL and 0 before) */
const struct flink_column *flink_operation_columns(const flink_operation *op, size_t *pn);

/* ================================================================ running a statement to its end */

struct flink_handler {
	/* Called once, when the first PAYLOAD page arrives; non-zero stops the run */
	int (*on_columns)(void *ud, const struct flink_column *cols, size_t ncols,
			  const char *job_id, bool is_query);
	/* Called for every row in order; non-zero stops the run */
	int (*on_row)(void *ud, const struct flink_row *row, size_t ncols);
	void *ud;
	long max_rows;                          /* stop after this many rows; 0: no limit */
	long timeout_ms;                        /* give up with FLINK_E_TIMEOUT after this; 0: none */
	volatile sig_atomic_t *interrupt;       /* non-zero stops with FLINK_E_INTERRUPTED (Ctrl-C) */
	/* A query's changelog is folded (flink_snapshot, whole rows) and on_row gets the final rows,
	 * all INSERT, once the results ended; max_rows then limits those rows, not the changelog.
	 * info->rows counts the changelog rows read. */
	bool snapshot;
};

struct flink_run_info {
	char job_id[33];                 /* the statement's job, "" when none */
	bool eos;                        /* true when the results ended (EOS); false when stopped early */
	bool is_query;
	enum flink_result_kind kind;
	long rows;                       /* rows handed to on_row */
	char operation[37];              /* the operation handle */
};

/* Submits the statement, polls its results (sleeping up to poll_interval_ms after NOT_READY and empty
 * pages) until EOS, the row limit, a callback's stop, the timeout or the interrupt, then closes the
 * operation (which stops a query's job). Stopping for max_rows or a callback is FLINK_OK with
 * info->eos false; the timeout is FLINK_E_TIMEOUT, the interrupt FLINK_E_INTERRUPTED. h and info
 * may be NULL. */
flink_code flink_statement_run(flink_session *s, const char *statement,
			       const struct flink_exec_options *o, const struct flink_handler *h,
			       struct flink_run_info *info, struct flink_error *err) FLINK_WARN_UNUSED;

/* ================================================================ snapshots of a changelog */

/*
 * A streaming query returns a changelog even when its sources are bounded: +I and +U add a row,
 * -U and -D take one back. A snapshot folds it into the rows it ends with (a point-in-time
 * snapshot of the result, as Confluent Cloud's snapshot queries give), all of kind INSERT.
 *
 * Rows match on the key columns when given (the result's upsert key, when the caller knows it: a
 * row of a known key replaces it, and -D of an unknown key is ignored, as in an upsert stream),
 * else on every column (Flink's retractions carry the whole row they take back; one that matches
 * no row is FLINK_E_PROTOCOL). An updated row keeps its place; the others keep the order of their
 * first insertion. Field values are copied: the pages they came from may be freed.
 */
typedef struct flink_snapshot flink_snapshot;

/* A snapshot of rows of ncols columns; key: nkey column indexes, or NULL / 0 for whole rows */
flink_snapshot *flink_snapshot_new(size_t ncols, const size_t *key, size_t nkey);
/* Applies one changelog row */
flink_code flink_snapshot_apply(flink_snapshot *s, const struct flink_row *row,
				struct flink_error *err) FLINK_WARN_UNUSED;
/* The rows now (*prows valid until the next apply or free); returns their count */
size_t flink_snapshot_rows(flink_snapshot *s, const struct flink_row **prows);
void flink_snapshot_free(flink_snapshot *s);

/* ================================================================ scripts */

struct flink_span {
	size_t start, len;     /* one statement of the script, without its ';' and outer blanks */
	unsigned line, col;    /* 1-based position of its first character */
};

/* Cuts a script into statements at top-level ';', minding '…' and `…` quotes, "…" identifiers,
 * -- and / * * / comments, and keeping an EXECUTE STATEMENT SET BEGIN … END block whole. Empty
 * statements are dropped. *pspans is malloc'ed (free()); returns the count. */
size_t flink_split_statements(const char *script, struct flink_span **pspans);

/* ================================================================ Confluent Cloud */

/*
 * The SQL Statements API of Confluent Cloud for Apache Flink (`sql/v1`), on the same HTTP
 * machinery, types, values, pages, handler and snapshots as the gateway above. It has no
 * sessions: each statement is a named resource of the environment, carrying its own properties.
 *
 *   flink_cc            one organization + environment (base URL, credentials, defaults)
 *   flink_cc_statement  what a read of one statement said (phase, detail, schema, traits)
 *
 * Retries: GETs (a statement, a list page, a results page) are retried on connection failures and
 * on HTTP 429, 500, 502, 503, 504 with exponential backoff; POST, PATCH, PUT and DELETE never.
 * Values: every atomic value arrives as its SQL text and is handed over exactly: BOOLEAN as BOOL,
 * integers as INT, DECIMAL/FLOAT/DOUBLE as NUMBER ("10.50", "NaN"), strings, dates, times,
 * timestamps ("2024-01-01 10:00:00.500", the declared precision) and intervals as STRING, bytes as
 * STRING in base64 (as the gateway's), ARRAY/MAP/MULTISET/ROW as JSON arrays.
 * Secrets: the API secret and the token never appear in messages or log lines.
 */
typedef struct flink_cc flink_cc;
typedef struct flink_cc_statement flink_cc_statement;

struct flink_cc_options {
	const char *endpoint;            /* any base URL (private networking); wins over the two below */
	const char *cloud_provider;      /* "aws", "gcp", "azure": https://flink.<region>.<provider>.confluent.cloud */
	const char *cloud_region;        /* "us-east-2" */
	const char *organization_id;     /* required */
	const char *environment_id;      /* required; also sql.current-catalog */
	const char *api_key;             /* Basic auth: a Flink or a global API key and its secret */
	const char *api_secret;
	const char *bearer_token;        /* or a bearer token with its identity pool */
	const char *identity_pool_id;
	const char *compute_pool_id;     /* NULL: the environment's default pool */
	const char *database;            /* sql.current-database of every statement, or NULL */
	const char *user_agent;          /* NULL: "libsluice-flink/<version>" */
	const char *ca_file;
	bool insecure;
	long connect_timeout_ms;         /* default 10000 */
	long request_timeout_ms;         /* default 60000 */
	int max_retries;                 /* of a GET; default 3 */
	long retry_backoff_ms;           /* first wait, doubled up to 5000; default 100 */
	long poll_initial_ms;            /* waits of flink_cc_wait: 1000, growing 1.5 times ... */
	long poll_max_ms;                /* ... up to 30000, with +-25% jitter */
	void (*log)(void *ud, int level, const char *line);
	void *log_ud;
};
void flink_cc_options_init(struct flink_cc_options *o);
/* No request is made: the first statement call shows whether the credentials work */
flink_code flink_cc_connect(const struct flink_cc_options *o, flink_cc **pcc,
			    struct flink_error *err) FLINK_WARN_UNUSED;
void flink_cc_free(flink_cc *cc);
/* "https://flink.us-east-2.aws.confluent.cloud" (no trailing '/') */
const char *flink_cc_base_url(const flink_cc *cc);

enum flink_cc_phase {
	FLINK_CC_PENDING, FLINK_CC_RUNNING, FLINK_CC_COMPLETED, FLINK_CC_DELETING, FLINK_CC_FAILING,
	FLINK_CC_FAILED, FLINK_CC_STOPPING, FLINK_CC_STOPPED, FLINK_CC_DEGRADED, FLINK_CC_UNKNOWN
};
const char *flink_cc_phase_name(enum flink_cc_phase p);
/* COMPLETED, FAILED, STOPPED */
bool flink_cc_phase_terminal(enum flink_cc_phase p);

struct flink_cc_submit {
	const char *name;                /* [a-z0-9-], at most 100, alphanumeric at both ends */
	const char *statement;
	const struct flink_kv *properties; /* sql.* properties; the three reserved ones are refused */
	size_t nproperties;
	const char *const *labels;       /* "dbt-confluent": user.confluent.io/dbt-confluent = "true" */
	size_t nlabels;
	bool snapshot;                   /* sql.snapshot.mode = now: a bounded point-in-time query */
	const char *compute_pool_id;     /* NULL: the connection's */
};

/* POST: the 201 body is read back; a statement already FAILED in it is FLINK_E_STATEMENT (its
 * detail in err->root_cause) and *pst is still set. 409 is FLINK_E_CONFLICT. */
flink_code flink_cc_submit(flink_cc *cc, const struct flink_cc_submit *s, flink_cc_statement **pst,
			   struct flink_error *err) FLINK_WARN_UNUSED;
/* GET of a statement by name: FLINK_E_NOT_FOUND when missing (404 or 403) */
flink_code flink_cc_get(flink_cc *cc, const char *name, flink_cc_statement **pst,
			struct flink_error *err) FLINK_WARN_UNUSED;
/* Reads the statement again into st */
flink_code flink_cc_refresh(flink_cc *cc, flink_cc_statement *st, struct flink_error *err) FLINK_WARN_UNUSED;
/* Polls with backoff until the statement is terminal, or (for_results) until its rows may be
 * read (snapshot: terminal; streaming query: RUNNING). FAILED and DEGRADED are FLINK_E_STATEMENT;
 * PENDING with an exhausted pool deletes the statement and is FLINK_E_POOL_EXHAUSTED; timeout_ms
 * (0: none) FLINK_E_TIMEOUT; the interrupt FLINK_E_INTERRUPTED. */
flink_code flink_cc_wait(flink_cc *cc, flink_cc_statement *st, bool for_results, long timeout_ms,
			 volatile sig_atomic_t *interrupt, struct flink_error *err) FLINK_WARN_UNUSED;
/* One read of the statement, no waiting (for callers that pace their own polls): the errors of
 * flink_cc_wait (FAILED, DEGRADED, an exhausted pool, which deletes the statement), and *pready
 * true when flink_cc_wait would return now */
flink_code flink_cc_poll(flink_cc *cc, flink_cc_statement *st, bool for_results, bool *pready,
			 struct flink_error *err) FLINK_WARN_UNUSED;
void flink_cc_statement_free(flink_cc_statement *st);

const char *flink_cc_statement_name(const flink_cc_statement *st);
const char *flink_cc_statement_sql(const flink_cc_statement *st);
enum flink_cc_phase flink_cc_statement_phase(const flink_cc_statement *st);
const char *flink_cc_statement_phase_text(const flink_cc_statement *st);  /* as sent */
const char *flink_cc_statement_detail(const flink_cc_statement *st);      /* "" when none */
const char *flink_cc_statement_kind(const flink_cc_statement *st);        /* traits.sql_kind or NULL */
const char *flink_cc_statement_compute_pool(const flink_cc_statement *st);
const char *flink_cc_statement_property(const flink_cc_statement *st, const char *key);
bool flink_cc_statement_has_label(const flink_cc_statement *st, const char *label);
/* The first label (without user.confluent.io/) that starts with prefix, or NULL */
const char *flink_cc_statement_label_like(const flink_cc_statement *st, const char *prefix);
const char *flink_cc_statement_created_at(const flink_cc_statement *st);  /* RFC 3339, or NULL */
bool flink_cc_statement_stopped(const flink_cc_statement *st);        /* spec.stopped */
bool flink_cc_statement_pool_exhausted(const flink_cc_statement *st);
bool flink_cc_statement_bounded(const flink_cc_statement *st);
bool flink_cc_statement_append_only(const flink_cc_statement *st);
/* traits.upsert_columns (NULL, 0 when none) */
const size_t *flink_cc_statement_upsert_columns(const flink_cc_statement *st, size_t *pn);
/* traits.schema (NULL, 0 for DDL and background statements, and FAILED ones) */
const struct flink_column *flink_cc_statement_columns(const flink_cc_statement *st, size_t *pn);

/* One results page: PAYLOAD with the rows it had (often none while a stream runs), EOS once
 * there is no next page (then further calls return EOS without a request). Rows without an op
 * are INSERT. */
flink_code flink_cc_fetch(flink_cc *cc, flink_cc_statement *st, struct flink_page **ppage,
			  struct flink_error *err) FLINK_WARN_UNUSED;

/* PATCH /spec/stopped (JSON Patch): stop and resume; both answer before the phase moves */
flink_code flink_cc_stop(flink_cc *cc, const char *name, struct flink_error *err) FLINK_WARN_UNUSED;
flink_code flink_cc_resume(flink_cc *cc, const char *name, struct flink_error *err) FLINK_WARN_UNUSED;
/* DELETE: a missing statement (404, or 403 under pool-scoped roles) counts as deleted */
flink_code flink_cc_delete(flink_cc *cc, const char *name, struct flink_error *err) FLINK_WARN_UNUSED;
/* Every statement with the label (NULL: all), through every list page; free with
 * flink_cc_list_free */
flink_code flink_cc_list(flink_cc *cc, const char *label, flink_cc_statement ***pv, size_t *pn,
			 struct flink_error *err) FLINK_WARN_UNUSED;
void flink_cc_list_free(flink_cc_statement **v, size_t n);

/* Submits, waits, reads every row through h as flink_statement_run does (h->snapshot folds the
 * changelog by the upsert key, else by whole rows), and deletes the statement once it has ended
 * (a running one, e.g. an unbounded query stopped by max_rows, is deleted too). A snapshot query
 * (s->snapshot) is read once COMPLETED. info->operation is "". */
flink_code flink_cc_run(flink_cc *cc, const struct flink_cc_submit *s, const struct flink_handler *h,
			struct flink_run_info *info, struct flink_error *err) FLINK_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
