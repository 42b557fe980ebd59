/* Internal interfaces between the files of the runner. */
#ifndef SLUICE_RUNNER_INTERNAL_H
#define SLUICE_RUNNER_INTERNAL_H

#include <stdatomic.h>

#include "artifacts/artifacts.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "runner/runner.h"

/* The rendered arguments of a generic test, for `_dbt_generic_test_kwargs`; 0 or -1 */
int runner_test_kwargs(struct dbt_render *r, struct node *n, value *pout);
/* A test's status, failures and message from the result of its 'main' statement */
void runner_test_status(struct dbt_render *r, struct node *n, struct run_result *res, struct arena *keep);

/* WITH __dbt__cte__x as (...) of the ephemerals the render r ref()'d, in front of `sql`; 0 or -1 */
int runner_inject_ctes(struct project *p, struct dbt_render *r, const char *sql, struct sb *out);
/* Where a node's SQL goes under target/ (`kind`: "compiled" or "run"), in `a` */
const char *runner_node_sql_path(struct arena *a, const char *kind, const struct node *n);
/* The errors of dl, formatted one after the other, as one string in `a` */
const char *runner_diag_text(const struct diag_list *dl, struct arena *a);
/* Runs unit test n (unit_test.c): prints its lines, fills res and, when it fails or errs, the text
 * for the run's summary. 0 pass, 1 fail, -1 error. */
int runner_unit_test(struct project *p, const struct graph *g, struct node *n, struct adapter *ad,
		     const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct arena *keep,
		     struct run_result *res, int seq, int total, const char **perrtext, struct diag_list *dl);

/* Runs the on-run-start / on-run-end hooks of dbt_project.yml (`which`); `extra` adds to their
 * context (results, schemas). Each hook's result goes to results[its operation node] when results
 * is not NULL; after a failed hook the others are skipped, as dbt's safe_run_hooks does. 0, or -1
 * after a diagnostic. */
int runner_run_hooks(struct project *p, const char *which, struct adapter *ad, const struct adapter_vtable *vt,
		     struct adapter_conn *conn, value extra, struct arena *a, struct run_result *results,
		     struct diag_list *dl);

/* The node indices of the hooks of `which` (their operation nodes), in the order they run,
 * into out (room for p->nnodes); their number */
size_t runner_hook_nodes(struct project *p, const char *which, struct arena *a, uint32_t *out);

/* The context of a node's materialization in r (sql, compiled_code, hooks, model) */
void runner_node_context(struct dbt_render *r, const char *sql);

/* --- one run (runner.c) and its nodes (node.c) --- */

/* What a worker runs, for the interrupt watcher: a node index, or one of these */
enum { WORKER_IDLE = -1, WORKER_HOOKS = -2 };

struct worker {
	struct adapter_conn *conn;
	atomic_int current;   /* node index, WORKER_IDLE, or WORKER_HOOKS */
	struct arena arena;   /* scratch, reset after each node */
	struct arena *keep;   /* what outlives the node (results, compiled SQL): the project's */
	struct diag_list dl;
};

/* Shared by the workers: each writes only its own node's slots of results and errors; `started`
 * is atomic, the printer locks itself */
struct run_state {
	struct project *p;
	const struct graph *g;
	const struct run_options *o;
	struct adapter *ad;
	const struct adapter_vtable *vt;
	struct worker *workers;
	int nworkers;                /* with an open connection */
	struct run_result *results;  /* by node index */
	struct arena *skip_arena;    /* for runner_skip, which the scheduler calls under its lock */
	const char **errors;         /* by node index: the text to repeat in the summary */
	atomic_int started;
	int total;
	bool start_hook_failed;
	bool microbatch;             /* microbatch models run batch by batch (proj_microbatch_batches) */
};

/* The scheduler's callbacks (graph.h): runs node idx on worker wid; marks node idx skipped */
int runner_work(void *ud, uint32_t idx, int wid);
void runner_skip(void *ud, uint32_t idx, uint32_t cause);

#endif
