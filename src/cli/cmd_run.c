/* sluice run and sluice compile (also compile --inline). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "jinja/jinja.h"
#include "core/report.h"
#include "runner/runner.h"
#include "state/state.h"

/* --indirect-selection, else DBT_INDIRECT_SELECTION, as click reads dbt's option; NULL if neither */
static const char *indirect_selection_arg(const struct cli *c)
{
	const char *mode = c->indirect_selection ? c->indirect_selection : getenv("DBT_INDIRECT_SELECTION");
	return mode && *mode ? mode : NULL;
}

/* The invocation's arguments, as run_results.json records them */
static value args_value(struct arena *a, const struct cli *c)
{
	value d = val_dict_new(a, 12);
	val_dict_sets(d, "which", val_str(c->command));
	val_dict_sets(d, "invocation_command", val_str_fmt(a, "sluice %s", c->command));
	value sel = val_list_new(a, c->nselect);
	for (size_t i = 0; i < c->nselect; i++)
		val_list_push(sel, val_str(c->select[i]));
	val_dict_sets(d, "select", sel);
	value exc = val_list_new(a, c->nexclude);
	for (size_t i = 0; i < c->nexclude; i++)
		val_list_push(exc, val_str(c->exclude[i]));
	val_dict_sets(d, "exclude", exc);
	val_dict_sets(d, "full_refresh", val_bool(c->full_refresh));
	val_dict_sets(d, "fail_fast", val_bool(c->fail_fast));
	if (c->store_failures)
		val_dict_sets(d, "store_failures", val_bool(true));
	val_dict_sets(d, "threads", c->threads ? val_int(c->threads) : val_none());
	val_dict_sets(d, "target", c->target ? val_str(c->target) : val_none());
	val_dict_sets(d, "vars", c->vars ? val_str(c->vars) : val_dict_new(a, 0));
	val_dict_sets(d, "log_format", val_str(c->log_format));
	const char *mode = indirect_selection_arg(c);
	val_dict_sets(d, "indirect_selection", val_str(mode ? mode : "eager"));
	return d;
}

int cli_select(const struct cli *c, struct project *p, struct graph *g, unsigned types, uint8_t *sel,
	       struct diag_list *dl)
{
	const char *const *words = c->select, *const *excl = c->exclude;
	size_t nwords = c->nselect, nexcl = c->nexclude;
	const char *mode = indirect_selection_arg(c);
	p->indirect_selection = INDIRECT_EAGER;
	if (mode) {
		int k = graph_indirect_mode(mode, true);  /* click's Choice, case_sensitive=False */
		if (k < 0) {
			struct diag *d = diag_error(dl, LOC_NONE, "Invalid value for '--indirect-selection': '%s' is not one "
						    "of 'eager', 'cautious', 'buildable', 'empty'.", mode);
			diag_hint(dl, d, "eager (the default) selects a test when any node it tests is selected");
			return -1;
		}
		p->indirect_selection = (enum indirect_mode)k;
	}
	/* --state (or DBT_STATE): what state: and result: selectors compare with, and what --defer
	 * reads (--defer-state, DBT_DEFER_STATE when it is another run) */
	const char *state = c->state ? c->state : getenv("DBT_STATE");
	const char *defer_state = c->defer_state ? c->defer_state : getenv("DBT_DEFER_STATE");
	bool defer = c->defer && !c->no_defer;
	if (defer && !(state && *state) && !(defer_state && *defer_state)) {
		struct diag *d = diag_error(dl, LOC_NONE, "Received a --defer argument, but no value was provided to --state");
		diag_hint(dl, d, "pass --state DIR (or --defer-state DIR): the target folder of the run to defer to");
		return -1;
	}
	if (defer && defer_state && *defer_state && (!state || strcmp(state, defer_state))) {
		/* the run to defer to differs from the one selectors compare with: load it first, keep its
		 * relations, then load --state for the flags */
		if (state_load(p, defer_state, dl) < 0)
			return -1;
		struct state_relation *keep = p->state_relations;
		p->state_flags = NULL;
		if (state && *state && state_load(p, state, dl) < 0)
			return -1;
		p->state_relations = keep;
	} else if (state && *state && !p->state_flags && state_load(p, state, dl) < 0) {
		return -1;
	}
	/* --selector NAME, or the selectors.yml default when neither --select nor --exclude is given;
	 * a selector is the whole selection (dbt's get_selection_spec: --exclude beside --selector is
	 * not used) */
	if (c->selector || (!c->nselect && !c->nexclude && fs_is_file(fs_join(&p->arena, p->root, "selectors.yml")))) {
		bool found;
		if (graph_selector(g, p, c->selector, sel, &found, dl) < 0)
			return -1;
		if (found) {
			for (size_t i = 0; i < p->nnodes; i++)
				if (!p->nodes[i]->enabled || !((types >> p->nodes[i]->type) & 1))
					sel[i] = 0;
			return 0;
		}
	}
	if (graph_select(g, p, words, nwords, excl, nexcl, types, sel, dl) < 0)
		return -1;
	/* dbt's NoNodesForSelectionCriteria is a warn_or_error event */
	return cli_warn_error(c, dl);
}

static int parse_types(const char *const *names, size_t n, const char *flag, unsigned dflt, unsigned *pout)
{
	unsigned types = 0;
	for (size_t i = 0; i < n; i++) {
		enum node_type t;
		const char *name = names[i];
		if (!strcmp(name, "all") || !strcmp(name, "default")) {
			types |= dflt;
			continue;
		}
		if (!strcmp(name, "analyses"))
			name = "analysis";
		if (node_type_parse(name, &t) < 0) {
			fprintf(stderr, "Error: Invalid value for '%s': '%s' is not one of 'model', 'seed', 'snapshot', "
					"'test', 'unit_test', 'source', 'analysis', 'exposure', 'metric', 'semantic_model', "
					"'saved_query', 'all'\n", flag, names[i]);
			return -1;
		}
		types |= 1u << t;
	}
	*pout = types;
	return 0;
}

int cli_resource_types(const struct cli *c, unsigned dflt, unsigned allowed, unsigned *ptypes)
{
	unsigned want = dflt, drop = 0;
	if (c->nresource_types && parse_types(c->resource_types, c->nresource_types, "--resource-type", dflt, &want) < 0)
		return -1;
	if (parse_types(c->exclude_resource_types, c->nexclude_resource_types, "--exclude-resource-type", dflt, &drop) < 0)
		return -1;
	*ptypes = want & allowed & ~drop;
	return 0;
}

static int select_nodes(const struct cli *c, struct project *p, struct graph *g, unsigned types,
			uint8_t **psel, struct diag_list *dl)
{
	uint8_t *sel = xcalloc(p->nnodes ? p->nnodes : 1, 1);
	if (cli_select(c, p, g, types, sel, dl) < 0) {
		free(sel);
		return -1;
	}
	*psel = sel;
	return 0;
}

enum run_kind { RK_RUN, RK_COMPILE, RK_TEST, RK_BUILD, RK_SEED, RK_SNAPSHOT, RK_CLONE };

/* Marks the nodes whose unique_id is in ids (sluice retry); unknown ids are skipped, as dbt's
 * subset graph ignores them */
static uint8_t *select_ids(struct project *p, const char *const *ids, size_t nids)
{
	uint8_t *sel = xcalloc(p->nnodes ? p->nnodes : 1, 1);
	struct map want = MAP_INIT;
	for (size_t i = 0; i < nids; i++)
		map_puts(&want, ids[i], (void *)1);
	/* hooks run with every run, not as retried nodes (dbt's RetryTask leaves operation. ids) */
	for (size_t k = 0; k < p->nnodes; k++)
		sel[k] = p->nodes[k]->type != NODE_OPERATION && map_gets(&want, p->nodes[k]->unique_id) != NULL;
	map_release(&want);
	return sel;
}

/* --event-time-start and --event-time-end (or DBT_EVENT_TIME_START/END), checked as dbt's
 * click.DateTime and Flags._validate_event_time_configs check them: 0, or 2 after the error */
static int event_time_window(const struct cli *c, struct run_options *o)
{
	const char *given[2] = {c->event_time_start ? c->event_time_start : getenv("DBT_EVENT_TIME_START"),
				c->event_time_end ? c->event_time_end : getenv("DBT_EVENT_TIME_END")};
	static const char *const names[2] = {"--event-time-start", "--event-time-end"};
	int64_t t[2] = {0, 0};
	for (int i = 0; i < 2; i++) {
		if (given[i] && !*given[i])
			given[i] = NULL;
		if (given[i] && !mb_parse_time(given[i], &t[i])) {
			fprintf(stderr, "Usage: sluice %s [OPTIONS]\nTry 'sluice %s --help' for help.\n\nError: Invalid value for "
				"'%s': '%s' does not match the formats '%%Y-%%m-%%d', '%%Y-%%m-%%dT%%H:%%M:%%S', "
				"'%%Y-%%m-%%d %%H:%%M:%%S'.\n", c->command, c->command, names[i], given[i]);
			return 2;
		}
	}
	if (!given[0] && !given[1])
		return 0;
	if (!given[0] || !given[1]) {
		int set = given[0] ? 0 : 1;
		fprintf(stderr, "Error: The flag `%s` was specified, but `%s` was not. When specifying `%s`, `%s` must also "
			"be present.\n", names[set], names[1 - set], names[set], names[1 - set]);
		return 2;
	}
	if (t[0] >= t[1]) {
		fprintf(stderr, "Error: Value for `--event-time-start` must be less than `--event-time-end`\n");
		return 2;
	}
	o->event_time_window = true;
	o->event_time_start = t[0];
	o->event_time_end = t[1];
	return 0;
}

static int run_or_compile(struct cli *c, enum run_kind kind, const char *const *only_ids, size_t nids)
{
	bool compile_only = kind == RK_COMPILE;
	struct run_options window = {0};
	if ((kind == RK_RUN || kind == RK_BUILD) && event_time_window(c, &window) != 0)
		return 2;
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	int rc = 2;
	struct graph g = {0};
	uint8_t *sel = NULL;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	unsigned types = kind == RK_COMPILE ? (1u << NODE_MODEL | 1u << NODE_TEST | 1u << NODE_ANALYSIS | 1u << NODE_SNAPSHOT | 1u << NODE_SEED)
			 : kind == RK_TEST ? (1u << NODE_TEST | 1u << NODE_UNIT_TEST)
			 : kind == RK_SEED ? (1u << NODE_SEED)
			 : kind == RK_SNAPSHOT ? (1u << NODE_SNAPSHOT)
			 : kind == RK_BUILD ? (1u << NODE_MODEL | 1u << NODE_TEST | 1u << NODE_UNIT_TEST | 1u << NODE_SNAPSHOT | 1u << NODE_SEED)
			 : kind == RK_CLONE ? (1u << NODE_MODEL | 1u << NODE_SEED | 1u << NODE_SNAPSHOT)
					    : (1u << NODE_MODEL);
	/* build, test and clone narrow their node types with --resource-type / --exclude-resource-type */
	if ((kind == RK_BUILD || kind == RK_TEST || kind == RK_CLONE) && cli_resource_types(c, types, types, &types) < 0)
		goto out;
	if (kind == RK_CLONE && !c->state && !(getenv("DBT_STATE") && *getenv("DBT_STATE"))) {
		/* dbt's CloneTask always reads the state it clones from */
		struct diag *d = diag_error(&dl, LOC_NONE, "clone needs --state: the target folder of the run to clone from");
		diag_hint(&dl, d, "e.g. sluice clone --state prod-target/");
		cli_print_diags(&dl);
		goto out;
	}
	/* in a build, a model's tests gate what is built from it */
	if (kind == RK_BUILD && graph_gate_tests(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (only_ids) {
		sel = select_ids(&p, only_ids, nids);
	} else if (select_nodes(c, &p, &g, types, &sel, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (dl.head) {
		cli_print_diags(&dl);
		diag_list_release(&dl);
		diag_list_init(&dl);
	}
	/* ephemeral models are compiled into their callers, never run; generic tests are compiled by
	 * the test command */
	for (size_t i = 0; i < p.nnodes; i++) {
		if (!sel[i])
			continue;
		if (!compile_only && val_streq(val_dict_gets(p.nodes[i]->config, "materialized"), "ephemeral"))
			sel[i] = 0;
		if (!proj_node_has_template(p.nodes[i]) && p.nodes[i]->type != NODE_SEED && p.nodes[i]->type != NODE_UNIT_TEST)
			sel[i] = 0;
	}
	size_t nsel = 0;
	for (size_t i = 0; i < p.nnodes; i++)
		nsel += sel[i];
	struct run_options o = {.command = c->command, .compile_only = compile_only, .clone = kind == RK_CLONE,
				.full_refresh = c->full_refresh,
				.fail_fast = c->fail_fast, .threads = p.target.threads, .args = args_value(&p.arena, c),
				.no_write_json = !cli_write_json(c, &p), .event_time_window = window.event_time_window,
				.event_time_start = window.event_time_start, .event_time_end = window.event_time_end,
				.previous_batches = c->retry_batches, .show_seeds = kind == RK_SEED && c->show};
	if (nsel == 0) {
		report_line("NothingToDo", "Nothing to do. Try checking your model configs and model specification args");
		/* dbt still writes the manifest, and run_results.json with no result (GraphRunnableTask.run) */
		rc = runner_write_artifacts(&p, &g, &o, NULL, 0, 0.0, &dl);
		if (dl.head)
			cli_print_diags(&dl);
		goto out;
	}
	p.selected = sel;
	dbt_set_selected_resources(&p);
	rc = runner_run(&p, &g, sel, &o, &dl);
	if (dl.head)
		cli_print_diags(&dl);
	/* compiling one node (with the tests that come along) prints its SQL, as dbt does */
	size_t nprimary = 0;
	for (size_t i = 0; i < p.nnodes; i++)
		nprimary += sel[i] && p.nodes[i]->type != NODE_TEST;
	if (compile_only && rc == 0 && c->nselect && nprimary == 1) {
		for (size_t i = 0; i < p.nnodes; i++) {
			if (sel[i] && p.nodes[i]->type != NODE_TEST && p.nodes[i]->compiled_code) {
				report_line("CompiledNode", "Compiled node '%s' is:", p.nodes[i]->name);
				printf("%s\n", p.nodes[i]->compiled_code);
			}
		}
	}
out:
	free(sel);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}

/* compile --inline "SQL": the SQL is compiled as an ad-hoc model of the root project */
static int compile_inline(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	int rc = 2;
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	struct graph g = {0};
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	struct node *n = cli_inline_node(&p, c->inline_sql, &dl);
	rc = n && cli_connect(&p, &ad, &vt, &conn, &dl) == 0 ? 0 : -1;
	const char *sql = NULL;
	if (rc == 0)
		rc = runner_compile_node(&p, n, ad, vt, conn, &p.arena, &sql, &dl);
	if (dl.head)
		cli_print_diags(&dl);
	if (rc == 0) {
		if (!c->quiet)
			report_line("CompiledNode", "Compiled inline node is:");
		printf("%s\n", sql);
		fflush(stdout);
	}
	rc = rc == 0 ? 0 : 1;
out:
	cli_disconnect(ad, vt, conn);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}

int cmd_run(struct cli *c)
{
	return run_or_compile(c, RK_RUN, NULL, 0);
}

int cmd_compile(struct cli *c)
{
	if (c->inline_sql)
		return compile_inline(c);
	return run_or_compile(c, RK_COMPILE, NULL, 0);
}

int cmd_test(struct cli *c)
{
	return run_or_compile(c, RK_TEST, NULL, 0);
}

int cmd_seed(struct cli *c)
{
	return run_or_compile(c, RK_SEED, NULL, 0);
}

int cmd_snapshot(struct cli *c)
{
	return run_or_compile(c, RK_SNAPSHOT, NULL, 0);
}

int cmd_clone(struct cli *c)
{
	return run_or_compile(c, RK_CLONE, NULL, 0);
}

int cmd_build(struct cli *c)
{
	return run_or_compile(c, RK_BUILD, NULL, 0);
}

int cli_run_ids(struct cli *c, const char *const *ids, size_t nids)
{
	static const struct {
		const char *name;
		enum run_kind kind;
	} kinds[] = {{"run", RK_RUN}, {"compile", RK_COMPILE}, {"test", RK_TEST}, {"build", RK_BUILD},
		     {"seed", RK_SEED}, {"snapshot", RK_SNAPSHOT}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(c->command, kinds[i].name))
		{
			static const char *const none[1] = {NULL};
			return run_or_compile(c, kinds[i].kind, ids ? ids : none, nids);
		}
	return 2;
}
