/* Internal interfaces between the files of the Flink adapter (flink.c: connection and statements;
 * meta.c: relations, columns, catalog; jobs.c: the engine-specific adapter methods). */
#ifndef SLUICE_ADAPTERS_FLINK_INTERNAL_H
#define SLUICE_ADAPTERS_FLINK_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <sluice/flink.h>

#include "adapters/adapter.h"

/* A catalog the profile asks to create when a session starts */
struct adp_flink_catalog_def {
	const char *name;
	const char *ddl;          /* CREATE CATALOG `name` WITH (...) */
	bool persistent;          /* its tables outlive the session (not generic_in_memory) */
};

struct adapter {
	struct arena arena;           /* everything below */
	flink_client *client;
	flink_session *session;       /* the run's session, shared by every connection */
	pthread_mutex_t lock;         /* one statement at a time on `session` (the gateway's rule too) */
	const char *catalog;          /* dbt database */
	const char *database;         /* dbt schema */
	const char *session_name;
	struct flink_kv *props;       /* session properties */
	size_t nprops;
	struct adp_flink_catalog_def *catalogs;
	size_t ncatalogs;
	bool session_scoped;          /* the target catalog forgets its tables with the session */
	const char *product, *version; /* GET /info */
	int major, minor;             /* of version */
	long statement_timeout_ms;    /* 0: none */
	long query_timeout_ms;        /* a query whose rows are fetched in the run's session */
	const char *jobmanager_url;   /* the cluster's REST API, or NULL (jobmanager.c) */
	const char *savepoint_dir;    /* the profile's savepoint_dir, or NULL */
};

struct adapter_conn {
	struct adapter *ad;
	flink_session *own;           /* a test session of the connection's own, or NULL */
	long timeout_ms;              /* limit of each statement in `own` */
	bool holding;                 /* this connection holds ad->lock for a sequence of statements */
	volatile sig_atomic_t cancelled; /* Ctrl-C (adp_flink_cancel): stop now, start nothing more */
	/* What the bounded declarations of a test session said about its tables (", "-joined,
	 * malloc'ed, NULL for none; freed when the session ends): tables whose scans produce
	 * updates, whose queries then run in streaming mode and are folded into their final rows,
	 * and tables that cannot be read to an end */
	char *changelog_tables;
	char *unbounded_tables;
};

/* Runs one statement and collects its rows (fetch; at most limit, -1 all) into *pres; job id of a
 * DML statement in *pjob (may be NULL). 0, or -1 with *perr. */
int adp_flink_run(struct adapter_conn *c, const char *sql, const struct flink_kv *config, size_t nconfig, bool fetch,
	   long limit, struct adapter_result *pres, const char **pjob, struct arena *a, char **perr);
int adp_flink_fail(struct arena *a, char **perr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 'text' as a SQL string literal ('' for each quote) */
struct sb;
void adp_flink_add_sql_string(struct sb *s, const char *str);
/* `name` quoted with backticks */
const char *adp_flink_quote(const char *ident, struct arena *a);
/* `cat`.`db` and `cat`.`db`.`name` */
const char *adp_flink_db_path(struct arena *a, const char *catalog, const char *database);
/* true when the gateway's Flink is at least major.minor */
bool adp_flink_version_at_least(const struct adapter *ad, int major, int minor);
/* The string of a result cell (NULL for NULL) */
const char *adp_flink_cell(const struct adapter_result *r, size_t row, size_t col, struct arena *a);
long adp_flink_col_index(const struct adapter_result *r, const char *name);

/* meta.c */
int adp_flink_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
		    struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr);
int adp_flink_list_relations(struct adapter_conn *c, const char *database, const char *schema,
		      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);
int adp_flink_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		   size_t *pn, struct arena *a, char **perr);
int adp_flink_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
		     char **perr);
int adp_flink_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
	       struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr);

/* jobmanager.c: the cluster's REST API (ad->jobmanager_url must be set) */
int adp_flink_jm_list_jobs(struct adapter_conn *c, value *pout, struct arena *a, char **perr);
int adp_flink_jm_stop_job(struct adapter_conn *c, const char *id, bool savepoint, bool drain, value *pout, struct arena *a,
		   char **perr);
/* {last_checkpoint, restarts, root_exception} of a job */
int adp_flink_jm_job_details(struct adapter_conn *c, const char *id, value *pout, struct arena *a, char **perr);

/* jobs.c */
void adp_flink_forget_bounded_sources(struct adapter_conn *c);
int adp_flink_call(struct adapter_conn *c, const char *method, value pos, value kw, value *pout, bool *pfound,
	    struct arena *a, char **perr);

#endif
