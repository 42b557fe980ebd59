/*
 * Private to libsluice-flink: the structs behind the opaque handles of sluice/flink.h and the
 * helpers its files share (buffers, an arena, the JSON loader that keeps number text, the HTTP
 * exchange with retries, error-body analysis, page parsing).
 *
 * The library stands on its own (libcurl, jansson, pthreads, libc), so it carries its own small
 * buffer and arena instead of src/core's. Internal names start with `fl_`; the shared library
 * exports only `flink_*` (see libsluice-flink.map).
 *
 * Ownership: an fl_buf owns its bytes until fl_buf_detach; everything allocated from an fl_arena
 * lives until fl_arena_release; strings returned as `char *` are malloc'ed for the caller.
 * Running out of memory aborts (fl_xmalloc), except where the public API says FLINK_E_NOMEM.
 */
#ifndef SLUICE_FLINK_INTERNAL_H
#define SLUICE_FLINK_INTERNAL_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sluice/flink.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0"
#endif

#define FL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---------------------------------------------------------------- memory */

void *fl_xmalloc(size_t n);
void *fl_xcalloc(size_t n, size_t size);
void *fl_xrealloc(void *p, size_t n);
char *fl_xstrdup(const char *s);
char *fl_xstrndup(const char *s, size_t n);

/* A growable byte buffer: p is NULL until the first append, then always NUL-terminated */
struct fl_buf {
	char *p;
	size_t len, cap;
};
#define FL_BUF_INIT {NULL, 0, 0}
void fl_buf_add(struct fl_buf *b, const void *s, size_t n);
void fl_buf_adds(struct fl_buf *b, const char *s);
void fl_buf_addc(struct fl_buf *b, char c);
void fl_buf_addf(struct fl_buf *b, const char *fmt, ...) FL_PRINTF(2, 3);
/* The bytes (never NULL, "" when empty), NUL-terminated; the buffer is empty afterwards */
char *fl_buf_detach(struct fl_buf *b);
void fl_buf_release(struct fl_buf *b);
/* The content as a C string, "" when empty (valid until the next append) */
const char *fl_buf_str(const struct fl_buf *b);

/* Chained blocks; individual frees are impossible, everything goes at release */
struct fl_block;
struct fl_arena {
	struct fl_block *head;
};
void *fl_arena_alloc(struct fl_arena *a, size_t n); /* zeroed, max_align_t aligned */
char *fl_arena_strndup(struct fl_arena *a, const char *s, size_t n);
char *fl_arena_strdup(struct fl_arena *a, const char *s);
void fl_arena_release(struct fl_arena *a);

/* ---------------------------------------------------------------- time */

/* Monotonic milliseconds */
long long fl_now_ms(void);
/* Sleeps ms in short slices; returns early (true) when *interrupt or *stop turns non-zero. Both
 * flags may be NULL. */
bool fl_sleep_ms(long ms, volatile sig_atomic_t *interrupt, atomic_int *stop);

/* ---------------------------------------------------------------- JSON with exact numbers */

/*
 * jansson turns numbers into doubles (and refuses integers beyond int64), so a lexical pass over
 * the body first rewrites every number token into a tagged string holding its exact source text.
 * A string value whose decoded text starts with NUL gets a second tag so nothing is ambiguous.
 * Everything reading such a tree goes through the accessors below.
 */
json_t *fl_json_load(const char *body, size_t len, char *why, size_t whylen);
/* The rewriting pass alone (for tests): returns the rewritten text, malloc'ed */
char *fl_json_tag_numbers(const char *body, size_t len, size_t *pout_len);
bool fl_json_is_number(const json_t *v);
/* The exact text of a number, or NULL */
const char *fl_json_number_text(const json_t *v, size_t *plen);
/* The text of a string value (not a number), or NULL */
const char *fl_json_string(const json_t *v, size_t *plen);
/* An integer number that fits int64 */
bool fl_json_int64(const json_t *v, int64_t *pout);
/* obj[key] as a string, NULL when absent, null or not a string */
const char *fl_json_get_str(const json_t *obj, const char *key);
/* obj[key] as an int (must fit int), false when absent or not an integer */
bool fl_json_get_int(const json_t *obj, const char *key, int *pout);
/* Compact JSON of a value with numbers exactly as sent */
void fl_json_compact(struct fl_buf *b, const json_t *v);
/* Appends s as a JSON string literal, quotes included */
void fl_json_quote(struct fl_buf *b, const char *s, size_t n);

/* ---------------------------------------------------------------- errors */

/* Replaces err's strings by a new message (and code, status); err may be NULL */
void fl_err_set(struct flink_error *err, flink_code code, long http_status, const char *fmt, ...)
	FL_PRINTF(4, 5);
void fl_err_set_request(struct flink_error *err, const char *method, const char *path);
void fl_err_set_statement(struct flink_error *err, const char *statement);
/* Moves src into dst (dst released first); src is left initialized */
void fl_err_move(struct flink_error *dst, struct flink_error *src);

/* What an error body {"errors":[...]} says (REST reference §7) */
struct fl_error_body {
	char *message;      /* one line */
	char *root_cause;   /* the innermost exception line that carries the news, or NULL */
	char *trace;        /* errors[] joined by newlines */
	bool session_gone;  /* "Session '<uuid>' does not exist." */
};
/* 0 when body is an error body (fills eb, free with fl_error_body_release), -1 otherwise */
int fl_error_body_parse(const char *body, size_t len, struct fl_error_body *eb);
void fl_error_body_release(struct fl_error_body *eb);

/* ---------------------------------------------------------------- the client and HTTP */

struct flink_client {
	char *base;               /* scheme://host[:port][/prefix], no trailing '/' */
	char api[3];              /* "v1".."v4" */
	int api_num;
	char **gw_versions;       /* as listed by the gateway, NULL-terminated */
	size_t ngw_versions;

	char **headers;           /* copies of the caller's header lines */
	char *bearer, *username, *password, *ca_file;
	bool insecure;
	long connect_timeout_ms, request_timeout_ms, retry_backoff_ms, poll_interval_ms,
		heartbeat_interval_ms;
	int max_retries;
	void (*log)(void *ud, int level, const char *line);
	void *log_ud;
	char **secrets;           /* strings scrubbed out of messages and log lines */
	size_t nsecrets;

	struct curl_slist *hdrs_plain, *hdrs_json, *hdrs_patch;
	char *user_agent;         /* NULL: "libsluice-flink/<version>" */
	CURLSH *share;            /* DNS and TLS sessions, for every thread */
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	CURLM *hb_multi;          /* the heartbeat thread's connections */

	/* the heartbeat thread: lock guards sessions, hb_* and the sessions' hb_busy */
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* CLOCK_MONOTONIC */
	bool hb_started;
	pthread_t hb_thread;
	atomic_int stop;
	unsigned long hb_round;
	flink_session *sessions;  /* open sessions, doubly linked */
};

struct flink_session {
	flink_client *client;
	char *handle;
	atomic_bool alive;
	atomic_llong last_used_ms;   /* last request that touched the session on the gateway */
	flink_session *prev, *next;  /* client->sessions, under client->lock */
	bool hb_busy;                /* the heartbeat thread is using it (client->lock) */
	atomic_int hb_stop;          /* aborts the heartbeat in flight: the session is closing */
	unsigned long hb_round;
	flink_operation *ops;        /* open operations (the session's own thread) */
	CURLM *multi;                /* connections of the session's own thread */
};

/* Which failures a request may be repeated after (see flink.h, "Retries") */
enum fl_retry {
	FL_RETRY_SAFE,          /* GET, heartbeat, close: connection failures, 502/503/504 */
	FL_RETRY_CONNECT_ONLY,  /* anything else: only when no connection could be made */
	FL_RETRY_IDEMPOTENT,    /* Confluent Cloud GETs: transport failures, 429, 500, 502, 503, 504 */
	FL_RETRY_NEVER,         /* Confluent Cloud POST, PATCH, PUT, DELETE: never, fresh connection */
};

struct fl_request {
	const char *method;     /* "GET", "POST", "DELETE" */
	const char *path;       /* "/v2/sessions/..." with any query, appended to the base URL */
	const char *body;       /* JSON, or NULL */
	bool json_patch;        /* the body is application/json-patch+json */
	enum fl_retry retry;
	long long deadline;     /* fl_now_ms() limit for the whole exchange, 0: none */
	volatile sig_atomic_t *interrupt;
	atomic_int *stop;
	CURLM *multi;           /* keeps connections alive for one thread; NULL: a throwaway one */
};

struct fl_response {
	long status;
	struct fl_buf body;
};

/* One exchange, retried per rq->retry. FLINK_OK only for HTTP 200; any other answer fills err
 * (GATEWAY or SESSION_GONE from an error body, HTTP otherwise). The response body is kept in
 * rs either way; release it with fl_response_release. */
flink_code fl_http(flink_client *c, const struct fl_request *rq, struct fl_response *rs,
		   struct flink_error *err);
void fl_response_release(struct fl_response *rs);
/* Whether a failed attempt may be repeated (exposed for tests) */
bool fl_http_retryable(enum fl_retry retry, CURLcode cc, long status);
/* Overwrites every secret of the client found in s with '*' */
void fl_redact(const flink_client *c, char *s);

/* A request about a session (on its connections unless rq->multi says otherwise): marks it dead
 * on SESSION_GONE and touches it on success */
flink_code fl_session_http(flink_session *s, const struct fl_request *rq, struct fl_response *rs,
			   struct flink_error *err);
/* flink_client_new without the version negotiation (negotiate false): a client of another
 * protocol on the same HTTP machinery; user_agent may be NULL */
flink_code fl_client_create(const struct flink_client_options *o, bool negotiate, const char *user_agent,
			    flink_client **pclient, struct flink_error *err);
/* Parses a 200 body as a JSON object, PROTOCOL error otherwise */
json_t *fl_parse_object(const struct fl_response *rs, const char *method, const char *path,
			struct flink_error *err);
/* Handles are UUIDs: refuse anything that could break a URL path */
bool fl_handle_ok(const char *h);
void fl_client_start_heartbeat(flink_client *c);

/* ---------------------------------------------------------------- types, pages, statements */

/* Parses a LogicalType JSON (REST reference §6.5) into the arena; NULL with why on failure */
const struct flink_type *fl_type_parse(struct fl_arena *a, const json_t *lt, char *why,
				       size_t whylen);

/* The columns of an operation, parsed once from its first page with results */
struct fl_colset {
	struct fl_arena arena;
	size_t n;
	struct flink_column *cols;
};
void fl_colset_free(struct fl_colset *cs);

/* A page and the arena holding its rows */
struct fl_page {
	struct flink_page pub;  /* first: flink_page_free casts back */
	struct fl_arena arena;
	bool kind_inferred;     /* resultKind was absent (Flink 1.16) */
};

/* Parses one fetch-results body. *pcols is used for the columns when set, else parsed from the
 * body (PAYLOAD and EOS) and handed over. *pnext_uri gets nextResultUri (malloc'ed) or NULL. */
flink_code fl_page_parse(const char *body, size_t len, struct fl_colset **pcols,
			 struct flink_page **ppage, char **pnext_uri, struct flink_error *err);
/* The token of a nextResultUri ("/v2/sessions/s/operations/o/result/7?rowFormat=JSON"): 0 ok */
int fl_next_uri_token(const char *uri, int64_t *ptoken);

struct flink_operation {
	flink_session *session;      /* NULL once its session was closed */
	char *handle;
	char *statement;
	int64_t token;
	char *next_path;             /* a nextResultUri whose token could not be read, or NULL */
	bool eos;
	struct fl_colset *cols;
	flink_operation *prev, *next; /* session->ops */
};

/* Hands a run's folded rows to h->on_row (at most h->max_rows) */
void fl_deliver_snapshot(flink_snapshot *snap, size_t ncols, const struct flink_handler *h);
flink_code fl_deliver_page(flink_snapshot *snap, const struct flink_page *page, const struct flink_handler *h,
			   struct flink_run_info *info, bool *pstop, struct flink_error *err);

/* ---------------------------------------------------------------- Confluent Cloud */

struct flink_cc {
	flink_client *http;
	char *base;                  /* as built from the options, for flink_cc_base_url */
	char *prefix;                /* "/sql/v1/organizations/<org>/environments/<env>/statements" */
	char *org, *env, *pool, *database;
	long poll_initial_ms, poll_max_ms;
	unsigned seed;
};

struct flink_cc_statement {
	json_t *root;                /* the last Statement body (numbers as tagged text) */
	char *name;
	enum flink_cc_phase phase;
	const char *phase_text;      /* in root */
	bool snapshot;
	size_t *upsert;
	size_t nupsert;
	struct fl_colset *cols;      /* NULL without a schema */
	char *next_path;             /* the next results page; NULL before the first */
	bool results_started, eos;
};

/* One Statements API exchange: a non-2xx answer becomes NOT_FOUND (404, 403), CONFLICT (409) or
 * HTTP, with the server's errors[].detail; GETs are retried, nothing else */
flink_code fl_cc_http(flink_cc *cc, const char *method, const char *path, const char *body, bool patch,
		      struct fl_response *rs, struct flink_error *err);

#endif
