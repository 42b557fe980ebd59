/* sluice parse: load and check the project, write target/manifest.json. With partial parsing on
 * (the default), an unchanged project is served from the parse cache (parse_cache.c). */
#include <stdio.h>
#include <time.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/inputs.h"
#include "graph/graph.h"
#include "core/report.h"

int cmd_parse(struct cli *c)
{
	if (c->partial_parse != 0 && cli_parse_cache_serve(c) == 1)
		return 0;
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	int rc = 2;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t started = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	inputs_begin();
	if (cli_load_project(c, &p, false, &dl) < 0)
		goto out;
	double tg = proj_cpu_s();
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	proj_timing("graph (CPU time): %.3fs", proj_cpu_s() - tg);
	value args = val_dict_new(&p.arena, 2);
	val_dict_sets(args, "which", val_str("parse"));
	struct art_invocation inv = {"parse", p.invocation_id, p.run_started_at, args};
	const char *path = arena_sprintf(&p.arena, "%s/manifest.json", p.target_path);
	double t0 = proj_cpu_s();
	bool write_json = cli_write_json(c, &p);
	if (write_json && art_write_manifest(path, &p, &g, &inv, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	proj_timing("manifest (CPU time): %.3fs", proj_cpu_s() - t0);
	size_t nin = 0;
	struct input *in = inputs_end(&nin);
	/* a parse that warned is parsed again next time, so that the warnings are given again; one
	 * that wrote no manifest has none to serve */
	if (write_json && cli_partial_parse_on(c, &p) && !c->load_printed && !dl.head)
		cli_parse_cache_save(c, &p, in, nin, started);
	else
		cli_parse_cache_remove(&p);
	inputs_free(in, nin);
	if (!c->quiet && write_json)
		report_line("ParseDone", "Wrote %s", "target/manifest.json");
	rc = 0;
out:
	if (inputs_recording()) {
		size_t n = 0;
		struct input *left = inputs_end(&n);
		inputs_free(left, n);
		if (p.target_path)
			cli_parse_cache_remove(&p);
	}
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
