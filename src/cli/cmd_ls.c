/* sluice ls: the selected resources as selectors, names, paths or JSON, like dbt ls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/sb.h"
#include "graph/graph.h"
#include "core/report.h"

static void print_selector(struct node *n, struct sb *out)
{
	/* dbt's ListTask.generate_selectors: a source by package, source and table, these by package
	 * and name, whatever folder their file is in; everything else by its fqn */
	if (n->type == NODE_SOURCE) {
		sb_addf(out, "source:%s.%s.%s", n->package, n->source_name, n->name);
		return;
	} else if (n->type == NODE_EXPOSURE || n->type == NODE_UNIT_TEST || node_is_semantic(n->type)) {
		sb_addf(out, "%s:%s.%s", node_type_name(n->type), n->package, n->name);
		return;
	}
	value fqn = n->fqn;
	for (uint32_t i = 0; i < fqn.l->len; i++) {
		if (i)
			sb_addc(out, '.');
		sb_add(out, fqn.l->items[i].s, fqn.l->items[i].len);
	}
}

/* Whether `key` is one of --output-keys ("a b" or "a,b", repeatable) */
static bool wanted_key(const struct cli *c, value key)
{
	for (size_t i = 0; i < c->noutput_keys; i++) {
		const char *s = c->output_keys[i];
		while (*s) {
			size_t len = strcspn(s, ", ");
			if (len && len == key.len && !memcmp(s, key.s, len))
				return true;
			s += len;
			if (*s)
				s++;
		}
	}
	return false;
}

/*
 * dbt ls --output json: the node as the manifest has it, cut down to --output-keys or to dbt's
 * default keys, in the node's own key order whatever the order asked (dbt filters its dict)
 */
static value json_of(struct arena *a, struct project *p, struct node *n, const struct cli *c)
{
	static const char *const dflt[] = {"alias", "name", "package_name", "depends_on", "tags", "config",
					   "resource_type", "source_name", "original_file_path", "unique_id", NULL};
	value full = art_node_value(a, p, n);
	value out = val_dict_new(a, 10);
	for (uint32_t i = 0; i < full.d->len; i++) {
		value k = full.d->e[i].key;
		bool keep = false;
		if (c->noutput_keys) {
			keep = wanted_key(c, k);
		} else {
			for (const char *const *d = dflt; *d && !keep; d++)
				keep = val_streq(k, *d);
		}
		if (keep)
			val_dict_set(out, k, full.d->e[i].val);
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
	unsigned types;
	if (cli_resource_types(c, ~0u, ~(1u << NODE_OPERATION), &types) < 0)  /* dbt ls never lists hooks */
		goto out;
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
			else if (n->type == NODE_MODEL && n->version.type != V_UNDEF)
				sb_addf(&out, "%s.v%s", n->name, proj_version_str(&p.arena, n->version));
			else
				sb_adds(&out, n->name);
		} else if (!strcmp(fmt, "path")) {
			sb_adds(&out, n->original_file_path);
		} else if (!strcmp(fmt, "json")) {
			struct arena_mark m = arena_mark(&p.arena);
			/* Python's json.dumps: ", " and ": ", non-ASCII escaped */
			val_to_json(&out, json_of(&p.arena, &p, n, c), 0, VJSON_ASCII);
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
