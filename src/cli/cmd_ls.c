/* sluice ls: the selected resources as selectors, names, paths or JSON, like dbt ls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/sb.h"
#include "graph/graph.h"
#include "runner/report.h"

static void print_selector(struct node *n, struct sb *out)
{
	if (n->type == NODE_SOURCE) {
		sb_adds(out, "source:");
	}
	value fqn = n->fqn;
	for (uint32_t i = 0; i < fqn.l->len; i++) {
		if (i)
			sb_addc(out, '.');
		sb_add(out, fqn.l->items[i].s, fqn.l->items[i].len);
	}
}

static value json_of(struct arena *a, struct project *p, struct node *n, const struct cli *c)
{
	value full = art_node_value(a, p, n);
	static const char *const dflt[] = {"name", "resource_type", "package_name", "original_file_path",
					   "unique_id", "alias", "config", "tags", "depends_on", NULL};
	value out = val_dict_new(a, 10);
	if (c->noutput_keys) {
		for (size_t i = 0; i < c->noutput_keys; i++) {
			/* --output-keys takes "a b" or "a,b" */
			const char *s = c->output_keys[i];
			while (*s) {
				const char *e = s + strcspn(s, ", ");
				if (e > s) {
					value k = val_str_dup(a, s, (size_t)(e - s));
					value v = val_dict_get(full, k);
					if (v.type != V_UNDEF)
						val_dict_set(out, k, v);
				}
				s = *e ? e + 1 : e;
			}
		}
		return out;
	}
	for (const char *const *k = dflt; *k; k++) {
		value v = val_dict_gets(full, *k);
		if (v.type != V_UNDEF)
			val_dict_sets(out, *k, v);
	}
	return out;
}

int cmd_ls(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	uint8_t *sel = NULL;
	int rc = 2;
	c->quiet = true;  /* ls prints only the list */
	if (cli_load_project(c, &p, false, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	unsigned types = 0;
	for (size_t i = 0; i < c->nresource_types; i++) {
		enum node_type t;
		const char *name = c->resource_types[i];
		if (!strcmp(name, "all") || !strcmp(name, "default")) {
			types = ~0u;
			continue;
		}
		if (!strcmp(name, "analysis") || !strcmp(name, "analyses"))
			name = "analysis";
		if (node_type_parse(name, &t) < 0) {
			fprintf(stderr, "Error: Invalid value for '--resource-type': '%s' is not one of 'model', 'seed', "
					"'snapshot', 'test', 'unit_test', 'source', 'analysis', 'exposure', 'all'\n", c->resource_types[i]);
			goto out;
		}
		types |= 1u << t;
	}
	if (!types)
		types = ~0u;
	sel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
	if (cli_select(c, &p, &g, types, sel, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (dl.head)
		cli_print_diags(&dl);
	const char *fmt = c->output ? c->output : "selector";
	struct sb out = SB_INIT;
	size_t count = 0;
	for (size_t i = 0; i < p.nnodes; i++) {
		if (!sel[i])
			continue;
		struct node *n = p.nodes[i];
		count++;
		if (!strcmp(fmt, "name")) {
			if (n->type == NODE_SOURCE)
				sb_addf(&out, "%s.%s", n->source_name, n->name);
			else
				sb_adds(&out, n->name);
		} else if (!strcmp(fmt, "path")) {
			sb_adds(&out, n->original_file_path);
		} else if (!strcmp(fmt, "json")) {
			struct arena_mark m = arena_mark(&p.arena);
			val_to_json(&out, json_of(&p.arena, &p, n, c), 0, 0);
			arena_reset(&p.arena, m);
		} else {
			print_selector(n, &out);
		}
		sb_addc(&out, '\n');
	}
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	if (count == 0)
		report_line("NoNodesSelected", "No nodes selected!");
	rc = 0;
out:
	free(sel);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
