/*
 * sluice show: runs a selected model's compiled SQL, or --inline SQL, and prints the first rows
 * (--limit, default 5) as a table, or as JSON with --output json, like dbt show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "jinja/jinja.h"
#include "core/report.h"
#include "runner/runner.h"

/* The rows as dbt's ShowTask prints them: agate's print_table(max_rows=None), so at most six
 * columns, cells cut at 20 characters, numbers grouped and to their column's precision */
static void print_table(const struct adapter_result *r, struct arena *a)
{
	struct sb out = SB_INIT;
	dbt_agate_print(&out, a, r, -1, 6, 20, 3);
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
}

static void print_json(const char *name, const struct adapter_result *r, struct arena *a)
{
	value rows = val_list_new(a, r->nrows);
	for (size_t i = 0; i < r->nrows; i++) {
		value row = val_dict_new(a, r->ncols);
		for (size_t c = 0; c < r->ncols; c++)
			val_dict_sets(row, r->cols[c].name, r->rows[i * r->ncols + c]);
		val_list_push(rows, row);
	}
	value d = val_dict_new(a, 2);
	val_dict_sets(d, "node", val_str(name));
	val_dict_sets(d, "show", rows);
	struct sb s = SB_INIT;
	val_to_json(&s, d, 2, 0);
	printf("%s\n", s.buf);
	sb_release(&s);
}

int cmd_show(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	int rc = 2;
	bool json = c->output && !strcmp(c->output, "json");
	if (json)
		c->quiet = true;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	struct node *n = NULL;
	if (c->inline_sql) {
		n = cli_inline_node(&p, c->inline_sql, &dl);
		if (!n) {
			cli_print_diags(&dl);
			goto out;
		}
	} else {
		uint8_t *sel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
		if (c->nselect == 0 || graph_select(&g, &p, c->select, c->nselect, c->exclude, c->nexclude,
						    1u << NODE_MODEL | 1u << NODE_SEED | 1u << NODE_SNAPSHOT | 1u << NODE_ANALYSIS,
						    sel, &dl) < 0) {
			if (c->nselect == 0)
				fprintf(stderr, "Error: sluice show needs --select MODEL or --inline SQL\n");
			cli_print_diags(&dl);
			free(sel);
			goto out;
		}
		for (size_t i = 0; i < p.nnodes && !n; i++)
			if (sel[i])
				n = p.nodes[i];
		free(sel);
		if (!n) {
			fprintf(stderr, "Error: the selection matches no model\n");
			goto out;
		}
	}
	if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	char *err = NULL;
	/* a streaming engine previews in a bounded session of its own, as its tests run: the rows
	 * the query gives over the data there is now, not the first rows of a stream */
	bool own_session = vt->begin_test_session != NULL;
	if (own_session && runner_begin_test_session(&p, &g, n, ad, vt, conn, 60 * 1000, &p.arena, &dl, &err) < 0) {
		fprintf(stderr, "Database Error in %s\n  %s\n", n->name, err ? err : "?");
		rc = 1;
		goto out;
	}
	const char *sql;
	if (runner_compile_node(&p, n, ad, vt, conn, &p.arena, &sql, &dl) < 0) {
		cli_print_diags(&dl);
		rc = 1;
		goto out;
	}
	long limit = c->limit == CLI_LIMIT_UNSET ? 5 : c->limit;
	struct adapter_result res;
	rc = vt->execute(conn, sql, true, limit, &res, &p.arena, &err);
	if (own_session) {
		char *e2 = NULL;
		if (vt->end_test_session(conn, &p.arena, &e2) < 0)
			log_msg(LOG_WARN, "%s", e2 ? e2 : "cannot close the bounded session");
	}
	if (rc < 0) {
		fprintf(stderr, "Database Error in %s\n  %s\n", n->name, err ? err : "?");
		rc = 1;
		goto out;
	}
	if (json) {
		print_json(n->name, &res, &p.arena);
	} else {
		if (!c->quiet)
			report_line("ShowNode", "Previewing %s:", c->inline_sql ? "inline node" : arena_sprintf(&p.arena, "node '%s'", n->name));
		print_table(&res, &p.arena);
	}
	rc = 0;
out:
	cli_disconnect(ad, vt, conn);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
