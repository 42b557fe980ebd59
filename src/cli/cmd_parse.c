/* sluice parse: load and check the project, write target/manifest.json. */
#include <stdio.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "graph/graph.h"
#include "core/report.h"

int cmd_parse(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	int rc = 2;
	if (cli_load_project(c, &p, false, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	value args = val_dict_new(&p.arena, 2);
	val_dict_sets(args, "which", val_str("parse"));
	struct art_invocation inv = {"parse", p.invocation_id, p.run_started_at, args};
	const char *path = arena_sprintf(&p.arena, "%s/manifest.json", p.target_path);
	if (art_write_manifest(path, &p, &g, &inv, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (!c->quiet)
		report_line("ParseDone", "Wrote %s", "target/manifest.json");
	rc = 0;
out:
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
