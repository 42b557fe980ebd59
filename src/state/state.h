/*
 * Comparison with an earlier run's artifacts (--state DIR), for dbt's state-based selection:
 * `state:new`, `state:modified` (and .body, .configs, .relation, .persisted_descriptions, .macros,
 * .contract), `state:unmodified`, `state:old`, and `result:<status>` from the state's
 * run_results.json. state_load() compares every node once and leaves one byte of flags per node
 * in the project, so the selector reads them in constant time.
 *
 * The rules are dbt 1.9's (contracts/graph/nodes.py same_* and graph/selector_methods.py): the
 * comparison is between the two manifests' node entries, so it sees exactly what the artifacts
 * record.
 *
 * Module direction: state -> artifacts, project, core. The graph's selector reads the flags from
 * the project only (enum state_flag is in project.h for that reason).
 */
#ifndef SLUICE_STATE_H
#define SLUICE_STATE_H

#include "core/diag.h"
#include "project/project.h"


/*
 * Reads DIR/manifest.json (required) and DIR/run_results.json (optional), compares, and fills
 * p->state_flags / p->state_results. 0, or -1 after a diagnostic naming the file.
 */
int state_load(struct project *p, const char *dir, struct diag_list *dl) __attribute__((warn_unused_result));

#endif
