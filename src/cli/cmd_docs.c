/*
 * sluice docs generate: compiles the project (unless --no-compile), then reads the engine's own
 * metadata for every schema the project's relations live in and writes target/catalog.json (dbt's
 * catalog v1) beside target/manifest.json. --select limits what is compiled and catalogued.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/map.h"
#include "docs/serve.h"
#include "docs/site.h"
#include "graph/graph.h"
#include "core/report.h"
#include "runner/runner.h"

static const char *lower_key(struct arena *a, const char *schema, const char *ident)
{
	char *k = arena_sprintf(a, "%s.%s", schema, ident);
	for (char *s = k; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	return k;
}

/* A streaming model's job in its catalog entry: the newest job named after it, preferring a
 * running one, as a stat the site shows with the connector options */
static void add_job_stats(struct project *p, const struct adapter_vtable *vt, struct adapter_conn *conn,
			  struct adapter_catalog_table *all, size_t nall)
{
	struct arena *a = &p->arena;
	value jobs;
	bool found = false;
	char *err = NULL;
	if (vt->call(conn, "list_jobs", val_list_new(a, 0), val_dict_new(a, 0), &jobs, &found, a, &err) < 0 || !found ||
	    jobs.type != V_LIST)
		return;
	for (size_t t = 0; t < nall; t++) {
		value best = val_none();
		const char *best_hash = "";
		for (uint32_t i = 0; i < jobs.l->len; i++) {
			value j = jobs.l->items[i], name = val_dict_gets(j, "name"), st = val_dict_gets(j, "status"),
			      start = val_dict_gets(j, "start_time");
			const char *hash;
			struct node *m = name.type == V_STR ? cli_job_model(p, name.s, &hash, a) : NULL;
			if (!m || strcmp(m->schema, all[t].rel.schema) || strcmp(m->alias ? m->alias : m->name, all[t].rel.identifier))
				continue;
			bool live = st.type == V_STR && cli_job_live(st.s);
			bool best_live = best.type == V_DICT && cli_job_live(val_cstr(a, val_dict_gets(best, "status")));
			const char *s1 = val_cstr(a, start), *s0 = best.type == V_DICT ? val_cstr(a, val_dict_gets(best, "start_time")) : "";
			if (best.type != V_DICT || (live && !best_live) || (live == best_live && strcmp(s1, s0) > 0)) {
				best = j;
				best_hash = hash;
			}
		}
		if (best.type != V_DICT)
			continue;
		if (all[t].stats.type != V_DICT)
			all[t].stats = val_dict_new(a, 2);
		value s = val_dict_new(a, 5);
		val_dict_sets(s, "id", val_str("job"));
		val_dict_sets(s, "label", val_str("Job"));
		val_dict_sets(s, "value", val_str_fmt(a, "%s %s since %s (definition %s)", val_cstr(a, val_dict_gets(best, "job_id")),
							val_cstr(a, val_dict_gets(best, "status")),
							val_cstr(a, val_dict_gets(best, "start_time")), best_hash));
		val_dict_sets(s, "include", val_bool(true));
		val_dict_sets(s, "description", val_str("the streaming job that keeps the table current"));
		val_dict_sets(all[t].stats, "job", s);
	}
}

static int generate(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	uint8_t *sel = NULL;
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	int rc = 2;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	sel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
	/* tests are compiled too, as dbt does (their compiled_code is in the manifest); only
	 * relations reach the catalog */
	unsigned types = 1u << NODE_MODEL | 1u << NODE_SEED | 1u << NODE_SNAPSHOT | 1u << NODE_SOURCE | 1u << NODE_TEST;
	if (cli_select(c, &p, &g, types, sel, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	value args = val_dict_new(&p.arena, 2);
	val_dict_sets(args, "which", val_str("generate"));
	if (!c->no_compile) {
		uint8_t *csel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
		for (size_t i = 0; i < p.nnodes; i++)
			csel[i] = sel[i] && proj_node_has_template(p.nodes[i]) && p.nodes[i]->type != NODE_SOURCE;
		/* with --no-write-json the compile writes no run_results.json; the catalog and manifest
		 * below are written either way, as dbt's GenerateTask does */
		struct run_options o = {.command = "generate", .compile_only = true, .threads = p.target.threads, .args = args,
					.no_write_json = !cli_write_json(c, &p)};
		rc = runner_run(&p, &g, csel, &o, &dl);
		free(csel);
		if (dl.head)
			cli_print_diags(&dl);
		if (rc == 2)
			goto out;
		diag_list_release(&dl);
		diag_list_init(&dl);
	}
	rc = 2;
	if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	cli_restore(&p, &g, sel, ad, vt, conn, &dl);
	char *err = NULL;
	/* the schemas of the selected relations, by database */
	struct map dbs = MAP_INIT;
	for (size_t i = 0; i < p.nnodes; i++) {
		struct node *n = p.nodes[i];
		if (!sel[i] || !n->relation_name || !n->database || !n->schema)
			continue;
		value list = val_undef();
		struct map_slot *s;
		for (size_t k = 0; map_next(&dbs, &k, &s);)
			if (!strcmp(s->key, n->database))
				list = *(value *)s->val;
		if (list.type == V_UNDEF) {
			value *pv = arena_alloc(&p.arena, sizeof(value));
			*pv = val_list_new(&p.arena, 4);
			map_puts(&dbs, n->database, pv);
			list = *pv;
		}
		bool seen = false;
		for (uint32_t k = 0; k < list.l->len && !seen; k++)
			seen = !strcmp(list.l->items[k].s, n->schema);
		if (!seen)
			val_list_push(list, val_str(n->schema));
	}
	struct adapter_catalog_table *all = NULL;
	size_t nall = 0;
	struct map_slot *s;
	int failed = 0;
	/* --empty-catalog: no catalog queries, an empty catalog.json (dbt's flag) */
	for (size_t k = 0; !c->empty_catalog && map_next(&dbs, &k, &s);) {
		value list = *(value *)s->val;
		const char **schemas = arena_alloc(&p.arena, (list.l->len + 1) * sizeof(char *));
		for (uint32_t i = 0; i < list.l->len; i++)
			schemas[i] = list.l->items[i].s;
		struct adapter_catalog_table *t;
		size_t n;
		if (vt->catalog(conn, s->key, schemas, list.l->len, &t, &n, &p.arena, &err) < 0) {
			diag_error(&dl, LOC_NONE, "cannot read the catalog of database '%s': %s", s->key, err ? err : "?");
			failed = 1;
			continue;
		}
		if (n == 0)
			continue;
		all = arena_realloc(&p.arena, all, nall * sizeof(*all), (nall + n) * sizeof(*all));
		memcpy(all + nall, t, n * sizeof(*t));
		nall += n;
	}
	map_release(&dbs);
	if (vt->call && !c->empty_catalog)
		add_job_stats(&p, vt, conn, all, nall);
	if (c->nselect || c->nexclude || c->selector) {
		/* --select limits the catalog to the selected relations; keys folded to lower case, as
		 * the engine may fold identifiers */
		struct map want = MAP_INIT;
		for (size_t i = 0; i < p.nnodes; i++) {
			struct node *n = p.nodes[i];
			if (sel[i] && n->relation_name)
				map_puts(&want, lower_key(&p.arena, n->schema, n->alias ? n->alias : n->name), n);
		}
		size_t kept = 0;
		for (size_t i = 0; i < nall; i++)
			if (map_gets(&want, lower_key(&p.arena, all[i].rel.schema, all[i].rel.identifier)))
				all[kept++] = all[i];
		nall = kept;
		map_release(&want);
	}
	struct art_invocation inv = {"generate", p.invocation_id, p.run_started_at, args};
	const char *cat = arena_sprintf(&p.arena, "%s/catalog.json", p.target_path);
	const char *man = arena_sprintf(&p.arena, "%s/manifest.json", p.target_path);
	if (failed || art_write_catalog(cat, &p, all, nall, &inv, &dl) < 0 || art_write_manifest(man, &p, &g, &inv, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	report_line("CatalogWritten", "Catalog written to %s", cat);
	if (docs_write_site(p.target_path, c->static_site, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	rc = 0;
out:
	cli_disconnect(ad, vt, conn);
	free(sel);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}

int cmd_docs(struct cli *c)
{
	if (c->npositional == 1 && !strcmp(c->positional[0], "generate"))
		return generate(c);
	if (c->npositional == 1 && !strcmp(c->positional[0], "serve")) {
		/* only the target folder is needed: no profile, no parse */
		struct diag_list dl;
		diag_list_init(&dl);
		struct project p;
		struct proj_options o;
		cli_proj_options(c, &o, false);
		o.project_only = true;
		int rc = proj_load(&p, &o, &dl);
		if (rc < 0)
			cli_print_diags(&dl);
		else
			rc = docs_serve(p.target_path, c->host ? c->host : "127.0.0.1", c->port, c->quiet);
		proj_release(&p);
		diag_list_release(&dl);
		return rc < 0 ? 2 : rc;
	}
	fprintf(stderr, "Usage: sluice docs generate|serve [OPTIONS]\n\nError: %s\n",
		c->npositional ? "unknown docs command: use generate or serve" : "missing the docs command: generate or serve");
	return 2;
}
