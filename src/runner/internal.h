/* Internal interfaces between the files of the runner. */
#ifndef SLUICE_RUNNER_INTERNAL_H
#define SLUICE_RUNNER_INTERNAL_H

#include "artifacts/artifacts.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "runner/runner.h"

/* The rendered arguments of a generic test, for `_dbt_generic_test_kwargs`; 0 or -1 */
int runner_test_kwargs(struct dbt_render *r, struct node *n, value *pout);
/* A test's status, failures and message from the result of its 'main' statement */
void runner_test_status(struct dbt_render *r, struct node *n, struct run_result *res, struct arena *keep);

/* WITH __dbt__cte__x as (...) of the ephemerals the render r ref()'d, in front of `sql`; 0 or -1 */
int runner_inject_ctes(struct project *p, struct dbt_render *r, const char *sql, struct sb *out,
		       struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn);
/* Runs unit test n (unit_test.c): prints its lines, fills res and, when it fails or errs, the text
 * for the run's summary. 0 pass, 1 fail, -1 error. */
int runner_unit_test(struct project *p, const struct graph *g, struct node *n, struct adapter *ad,
		     const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct arena *keep,
		     struct run_result *res, int seq, int total, const char **perrtext, struct diag_list *dl);

/* Runs the on-run-start / on-run-end hooks of dbt_project.yml (`which`); `extra` adds to their
 * context (results, schemas). 0, or -1 after a diagnostic. */
int runner_run_hooks(struct project *p, const char *which, struct adapter *ad, const struct adapter_vtable *vt,
		     struct adapter_conn *conn, value extra, struct arena *a, struct diag_list *dl);

/* The context of a node's materialization in r (sql, compiled_code, hooks, model) */
void runner_node_context(struct dbt_render *r, const char *sql);

#endif
