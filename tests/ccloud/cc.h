/*
 * confluent-cloud-double: the Confluent Cloud SQL Statements API (`sql/v1`) in front of the SQL
 * engine of the Flink SQL Gateway double (tests/flinkgw, engine.h), strictly as
 * shared/reference/confluent-flink-statements-api.md describes it. Section numbers in comments
 * (§n) are that reference's.
 *
 * main.c builds a `struct cc` from the command line; api.c serves the API and the admin port;
 * encode.c turns the engine's types and values into the Statements API's.
 *
 * Locking: one mutex (cc.mu) guards every statement, the fault rules and the request log; it is
 * held across engine calls too (the engine has its own lock and never calls back).
 */
#ifndef CCLOUD_CC_H
#define CCLOUD_CC_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "gw.h"

struct cc_options {
	const char *data_dir;
	const char *host;
	const char *port_file, *admin_port_file;
	const char *org;            /* organization id */
	const char *env;            /* environment id, the catalog */
	const char *env_name;       /* its display name, also accepted as sql.current-catalog */
	const char *databases[8];   /* Kafka clusters of the environment */
	int ndatabases;
	const char *pools[8];       /* compute pools; the first is the default */
	int npools;
	const char *keys[8];        /* "key:secret" pairs */
	int nkeys;
	const char *token;          /* bearer token, or NULL */
	const char *identity_pool;  /* its Confluent-Identity-Pool-Id */
	int page_rows;              /* rows per results page */
	long teardown_ms;           /* how long a deleted name stays occupied */
	long job_run_ms;
	long catalog_lag_ms;        /* COLUMNS shows a new table's columns only this long after */
	bool pool_scoped;           /* a missing statement answers 403 instead of 404 (§6.1) */
};

struct cc_stmt {
	char *name;
	char uid[37];
	long rv;                    /* resource_version */
	char created[40], updated[40];
	char *end_time;
	json_t *labels;             /* object */
	json_t *props;              /* object */
	char *sql;
	char *pool;
	char *principal;
	bool stopped;
	const char *phase;          /* static */
	char *detail;
	const char *scaling;        /* "OK" or "POOL_EXHAUSTED" */
	json_t *traits;             /* NULL when FAILED */
	bool snapshot;
	int64_t submitted_ms;
	/* the engine's side */
	struct fg_session *fs;
	struct fg_stream *stream;
	char job_id[33];
	json_t *columns;            /* gateway columns, NULL when no rows are produced */
	bool append_only;
	json_t *queue;              /* [{"op","row"}] not handed out yet */
	json_t *last_page;          /* the page answered for token-1, for a re-request */
	long token;                 /* the page token expected next */
	bool drained;               /* nothing more will come */
	char *fail_later;           /* FAILED at a later GET, with this detail */
	int64_t gone_ms;            /* DELETING until then */
	struct cc_stmt *next;
};

struct cc {
	struct cc_options o;
	struct gw g;                /* the gateway double's server helpers and fault rules */
	struct fg_engine *engine;
	pthread_mutex_t mu;
	struct cc_stmt *stmts;
	long seq;
	long list_seq;
	json_t *requests;
	struct MHD_Daemon *api, *admin;
	int api_port, admin_port;
};

int cc_start(struct cc *c, char **perr);
void cc_stop(struct cc *c);

/* encode.c */
json_t *cc_type_json(json_t *logical_type);
json_t *cc_value_json(json_t *v, json_t *logical_type);
json_t *cc_row_json(json_t *columns, json_t *row);
int cc_op_code(const char *kind);

#endif
