/*
 * The DAG of a project's nodes, node selection (dbt's --select/--exclude grammar) and the scheduler
 * that runs selected nodes in dependency order on N worker threads.
 *
 * Ownership: a graph holds heap arrays indexed by node index (project.nodes[i]->index == i);
 * graph_release() frees them. The graph is read-only once built, so workers may read it freely.
 *
 * Module direction: graph -> project, core.
 */
#ifndef SLUICE_GRAPH_H
#define SLUICE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "project/project.h"

struct graph {
	size_t n;
	/* compressed adjacency: parents of i are par[par_off[i] .. par_off[i+1]) */
	uint32_t *par_off, *par;
	uint32_t *chi_off, *chi;
	uint32_t *topo;   /* node indices in a topological order (parents first) */
};

/*
 * Builds the graph from each node's deps (and tests' dependencies on what they test). A cycle is an
 * error that names every node on it ("model.a -> model.b -> model.a") at the location of the ref()
 * that closes it. Linear in nodes + edges.
 */
int graph_build(struct graph *g, struct project *p, struct diag_list *dl) __attribute__((warn_unused_result));
void graph_release(struct graph *g);

/*
 * For `build`: a data test gates what is built from the node it tests, so each test becomes a
 * parent of the non-test children of its parents (except those it reads itself), and the graph is
 * rebuilt with those edges. A failing test then skips them.
 */
int graph_gate_tests(struct graph *g, struct project *p, struct diag_list *dl)
	__attribute__((warn_unused_result));

/*
 * Selection. `select` and `exclude` are the words given to --select/-s and --exclude (each word may
 * itself hold several space-separated selectors; a word with commas is an intersection). An empty
 * select means everything. Supported methods: bare names (model name, with wildcards), `+name`,
 * `name+`, `N+name`, `name+N`, `@name`, `tag:`, `path:` (file or folder), `fqn:` and dotted
 * `package.folder.model`, `package:`, `resource_type:`, `source:` (source or source.table),
 * `test_type:` (generic|singular|unit), `config.KEY:VALUE`, `test_name:`, `file:`.
 * Fills `selected` (n bytes, 1 = selected). `types`, when non-NULL, is a mask of node types
 * (1 << NODE_MODEL | ...) the command runs: other types are never selected. A selector that matches
 * nothing is a warning, as in dbt; a malformed one is an error (returns -1).
 */
/* dbt's IndirectSelection by its name (eager, cautious, buildable, empty), or -1 */
int graph_indirect_mode(const char *name, bool ignore_case);
int graph_select(const struct graph *g, struct project *p, const char *const *select, size_t nselect,
		 const char *const *exclude, size_t nexclude, unsigned types, uint8_t *selected,
		 struct diag_list *dl) __attribute__((warn_unused_result));

/*
 * selectors.yml: the nodes the selection named `name` (NULL: the one marked `default: true`, if
 * any) selects, into `sel` (g->n bytes, every type, disabled nodes not); *pfound says whether
 * there was one. 0, or -1 after a diagnostic.
 */
int graph_selector(const struct graph *g, struct project *p, const char *name, uint8_t *sel, bool *pfound,
		   struct diag_list *dl) __attribute__((warn_unused_result));

enum sched_status {
	SCHED_PENDING,
	SCHED_SUCCESS,  /* done; children may run */
	SCHED_FAILED,   /* done; selected descendants are skipped */
	SCHED_SKIPPED,  /* not run because an ancestor failed (or fail-fast stopped the run) */
};

/*
 * Runs `work` once for every selected node, in dependency order (a node starts when all of its
 * selected ancestors, also through unselected nodes in between, have finished), on `threads` worker
 * threads. `work` returns 0 for success, non-zero for failure. When a node fails, every selected
 * node downstream of it is skipped (`on_skip` is called for each, from the scheduler's thread, with
 * the failed node's index as `cause`); with fail_fast, nothing new starts after a failure and all
 * pending nodes are skipped. `status` (n entries) receives each node's final status.
 *
 * `work` may return SCHED_HALT to stop the whole run (Ctrl-C): the node counts as failed, nothing
 * new starts, and the nodes not started stay SCHED_PENDING, without on_skip.
 *
 * Threads: `work` runs on a worker thread with `worker` in [0, threads); `on_skip` runs under the
 * scheduler's lock, so it must be quick and must not call back into the scheduler.
 */
#define SCHED_HALT (-2)
typedef int (*sched_work_fn)(void *ud, uint32_t node, int worker);
typedef void (*sched_skip_fn)(void *ud, uint32_t node, uint32_t cause);
int graph_sched_run(const struct graph *g, const uint8_t *selected, int threads, bool fail_fast,
		    sched_work_fn work, sched_skip_fn on_skip, void *ud, enum sched_status *status);

#endif
