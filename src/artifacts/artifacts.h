/*
 * dbt's artifacts, written so that tools of the dbt ecosystem can read them:
 *   target/manifest.json     (dbt manifest schema v12)
 *   target/run_results.json  (dbt run-results schema v6)
 *   target/catalog.json      (dbt catalog schema v1)
 *   target/sources.json      (dbt sources schema v3, from source freshness)
 * Files are written atomically (temporary file, then rename). Secrets registered with
 * log_add_secret() never appear in them. The JSON is compact, with Python's json.dumps separators,
 * and its keys come in the order dbt-core writes them. On failure a writer adds one diagnostic
 * ("unable to write '<path>': <reason>") and returns -1.
 *
 * Ownership: the writers build everything in a private arena they release before returning. The
 * values returned by art_manifest_value()/art_node_value() live in the arena given, and reference
 * the project's strings without copying them: they must not outlive the project.
 *
 * Module direction: artifacts -> graph, project, adapters, value, core.
 */
#ifndef SLUICE_ARTIFACTS_H
#define SLUICE_ARTIFACTS_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/adapter.h"
#include "core/diag.h"
#include "project/project.h"
#include "value/value.h"

struct graph;

/* Shared metadata of one invocation */
struct art_invocation {
	const char *command;         /* "run", "build", ... */
	const char *invocation_id;   /* uuid4 */
	const char *generated_at;    /* ISO 8601 UTC with microseconds and Z */
	value args;                  /* dict of the CLI arguments (as dbt's run_results "args") */
};

/* `g` may be NULL: parent_map/child_map then come from each node's deps */
int art_write_manifest(const char *path, struct project *p, const struct graph *g,
		       const struct art_invocation *inv, struct diag_list *dl)
	__attribute__((warn_unused_result));

/* A node's status in a run; art_run_status_name() gives the word run_results.json writes */
enum run_status {
	RUN_NONE,      /* not reached (yet) */
	RUN_SUCCESS,   /* a model, seed or snapshot built */
	RUN_ERROR,
	RUN_SKIPPED,
	RUN_PASS,      /* tests */
	RUN_FAIL,
	RUN_WARN,
	RUN_PARTIAL,   /* a microbatch model some of whose batches failed: "partial success" */
	RUN_STATUS_COUNT
};

/* "success", "error", "skipped", "pass", "fail", "warn"; NULL for RUN_NONE */
const char *art_run_status_name(enum run_status s);

#define RUN_THREAD_HOOKS (-2)

struct run_result {
	uint32_t node;            /* node index */
	enum run_status status;
	const char *message;      /* e.g. "OK", "Database Error ...", "Got 3 results, configured to fail if != 0" */
	int thread_id;            /* worker number from 0 ("Thread-1 (worker)"); -1: "MainThread";
				   * RUN_THREAD_HOOKS: "main", where dbt runs project hooks */
	double compile_started, compile_completed;  /* epoch seconds; 0 when not reached */
	double execute_started, execute_completed;
	double execution_time;    /* seconds */
	int64_t failures;         /* tests: rows returned; -1 when none */
	int64_t rows_affected;    /* -1 when unknown; ADAPTER_MESSAGE_ONLY: no code, no count */
	const char *adapter_code; /* adapter_response._message / code, or NULL */
	const char *compiled_code;
	const char *relation_name;
	const char *operation;    /* run-operation's result (node unused): the macro's unique id */
	/* a microbatch model's batches, [start, end) pairs in seconds since the epoch (UTC): the
	 * first nbatch_ok succeeded, the nbatch_failed after them failed; NULL for other nodes */
	const int64_t *batches;
	uint32_t nbatch_ok, nbatch_failed;
};

/* One result as run_results.json writes it (a RunResultOutput), appended to out */
struct sb;
void art_result_json(struct sb *out, struct project *p, const struct run_result *r);

/* Seconds since the epoch, with microseconds: the clock of a result's timings */
double art_now(void);

int art_write_run_results(const char *path, struct project *p, const struct run_result *results,
			  size_t n, double elapsed_time, const struct art_invocation *inv,
			  struct diag_list *dl) __attribute__((warn_unused_result));

int art_write_catalog(const char *path, struct project *p, const struct adapter_catalog_table *tables,
		      size_t ntables, const struct art_invocation *inv, struct diag_list *dl)
	__attribute__((warn_unused_result));

/* One source's freshness check (sluice source freshness) */
struct freshness_result {
	uint32_t node;              /* node index of the source */
	const char *status;         /* pass, warn, error, runtime error */
	const char *error;          /* the message of a runtime error, else NULL */
	double max_loaded_at;       /* epoch seconds, UTC */
	double snapshotted_at;
	double age;                 /* seconds */
	value adapter_response;     /* dict, or V_NONE */
	double execute_started, execute_completed, execution_time;
};

/* target/sources.json (dbt's sources v3 schema) */
int art_write_sources(const char *path, struct project *p, const struct freshness_result *results, size_t n,
		      double elapsed_time, const struct art_invocation *inv, struct diag_list *dl)
	__attribute__((warn_unused_result));

/*
 * Builds the manifest as a value (also used by the `graph` Jinja variable and `ls --output json`).
 * Linear in nodes + edges + macros; `inv` may be NULL (generated_at is then now, invocation_id the
 * project's).
 */
/* dbt's metadata env (the artifacts' metadata.env, the context's dbt_metadata_envs): every
 * DBT_ENV_CUSTOM_ENV_<NAME> variable as NAME, in the environment's order (dbt-core's
 * get_metadata_vars); a secret's value among them is scrubbed with the rest of an artifact */
value art_metadata_envs(struct arena *a);
value art_manifest_value(struct arena *a, struct project *p, const struct graph *g,
			 const struct art_invocation *inv);
/* One node (or source, or exposure) as the manifest lists it */
value art_node_value(struct arena *a, struct project *p, const struct node *n);

#endif
