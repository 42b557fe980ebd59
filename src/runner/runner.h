/*
 * Running selected nodes: compile each (render with execute = true, inject ephemeral CTEs, write
 * target/compiled/), then, unless only compiling, build it through its materialization macro on a
 * connection of its own worker (write target/run/). Prints dbt's progress lines and summary, and
 * writes run_results.json. Returns dbt's exit code: 0 when everything succeeded, 1 when a node
 * failed, 2 when the run could not start (connection, project errors).
 *
 * Module direction: runner -> dbt, artifacts, graph, project, adapters, jinja, core.
 */
#ifndef SLUICE_RUNNER_H
#define SLUICE_RUNNER_H

#include <stdbool.h>

#include "adapters/adapter.h"
#include "core/diag.h"
#include "graph/graph.h"
#include "project/project.h"

struct run_options {
	const char *command;   /* "run", "compile", "build", ... */
	bool compile_only;
	bool clone;            /* sluice clone: each node made from its --state relation (clone.sql) */
	bool full_refresh;
	bool fail_fast;
	int threads;
	value args;            /* the invocation's arguments for run_results.json */
	bool no_write_json;    /* --no-write-json: neither run_results.json nor manifest.json */
	/* --event-time-start/--event-time-end: the window microbatch models run (seconds, UTC) */
	bool event_time_window;
	int64_t event_time_start, event_time_end;
	/* retry: unique_id -> a microbatch model's last batch_results; its failed batches are the ones
	 * to run (V_UNDEF or a dict) */
	value previous_batches;
	bool show_seeds;       /* seed --show: a random sample of each seed loaded, as dbt's SeedTask */
};

int runner_run(struct project *p, struct graph *g, const uint8_t *selected, const struct run_options *o,
	       struct diag_list *dl);
/* run_results.json (these results) and manifest.json, as a run ends; 0, or 2 after a diagnostic */
struct run_result;
int runner_write_artifacts(struct project *p, const struct graph *g, const struct run_options *o,
			   const struct run_result *list, size_t nres, double elapsed, struct diag_list *dl);

/* Opens the adapter of the project's target; 0 or -1 with a diagnostic */
int runner_open_adapter(struct project *p, struct adapter **pad, const struct adapter_vtable **pvt,
			struct diag_list *dl);

/* Compiles one node on a connection (may be NULL when compiling needs none); the SQL goes to *psql
 * allocated in `a`. */
int runner_compile_node(struct project *p, struct node *n, struct adapter *ad, const struct adapter_vtable *vt,
			struct adapter_conn *conn, struct arena *a, const char **psql, struct diag_list *dl);

/* The nodes that the nodes marked in `of` read (their ref()s and source()s, directly or not), as a
 * new array of p->nnodes bytes to free(); with `include`, the marked nodes themselves too */
uint8_t *runner_upstream(struct project *p, const uint8_t *of, bool include);

/* Declares again in conn's session the relations of the nodes marked in `want`, in dependency
 * order, through each node's restore_relation macro (Flink: a new session forgets the tables of
 * its in-memory catalog; a data test reads bounded copies). A node that cannot be declared is a
 * warning (what reads it fails with the cause); returns the count of such nodes. */
int runner_restore(struct project *p, const struct graph *g, const uint8_t *want, bool bounded, struct adapter *ad,
		   const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct diag_list *dl);

/* Calls macro `macro` with args in node n's own context (this, config, model, sql compiled now):
 * its return value in *pout. 0, or -1 with diagnostics in dl (also when no such macro exists) */
int runner_call_in_node(struct project *p, struct node *n, const char *macro, const struct vargs *args,
			struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a,
			value *pout, struct diag_list *dl);

/* Moves conn to a session of its own for node n (the adapter's begin_test_session, under n's
 * `timeout` config, else default_timeout_ms, 0 for none) and declares there, bounded, what n
 * reads: a data test, a batch table, the preview of sluice show. 0, or -1 with *perr. */
int runner_begin_test_session(struct project *p, const struct graph *g, struct node *n, struct adapter *ad,
			      const struct adapter_vtable *vt, struct adapter_conn *conn, long default_timeout_ms,
			      struct arena *a, struct diag_list *dl, char **perr);

#endif
