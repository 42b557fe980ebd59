/*
 * on-run-start and on-run-end: the SQL of dbt_project.yml's hooks (a string or a list), rendered
 * in a context with target, the project's macros and, at the end, `results` and `schemas`, and run
 * on one connection before or after the nodes, with dbt's progress lines. Installed packages' hooks
 * run too, before the root project's, package by package in name order, as dbt runs them. Each
 * hook's result is its operation node's in run_results.json, as dbt 1.8+ records them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "project/yml.h"
#include "runner/internal.h"
#include "core/report.h"

struct hook {
	const struct package *pkg;
	value sql;
	size_t index;
};

/* Where hook i of `which` is in dbt_project.yml: the list item, else the key's value */
static struct loc hook_loc(value yml, const char *which, size_t i)
{
	if (yml.type != V_DICT || !yml.d->vallocs)
		return LOC_NONE;
	value v = val_dict_gets(yml, which);
	if (v.type == V_LIST && v.l->locs && i < v.l->len)
		return yml_item_loc(v, i);
	return yml_val_loc(yml, which);
}

static int by_package(const void *x, const void *y)
{
	const struct hook *a = x, *b = y;
	/* packages by name, the root project's hooks last, as dbt orders them */
	if (a->pkg->is_root != b->pkg->is_root)
		return a->pkg->is_root ? 1 : -1;
	int c = strcmp(a->pkg->name, b->pkg->name);
	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The hooks of every package's dbt_project.yml, in the order they run */
static struct hook *collect(struct project *p, const char *which, size_t *pn, struct arena *a)
{
	size_t n = 0, cap = 8;
	struct hook *h = arena_alloc(a, cap * sizeof(*h));
	for (size_t k = 0; k < p->npackages; k++) {
		value hooks = p->packages[k].project_yml.type == V_DICT ? val_dict_gets(p->packages[k].project_yml, which)
									 : val_undef();
		if (hooks.type == V_STR) {
			value l = val_list_new(a, 1);
			val_list_push(l, hooks);
			hooks = l;
		}
		for (uint32_t i = 0; hooks.type == V_LIST && i < hooks.l->len; i++) {
			if (n == cap) {
				h = arena_realloc(a, h, cap * sizeof(*h), 2 * cap * sizeof(*h));
				cap *= 2;
			}
			h[n++] = (struct hook){&p->packages[k], hooks.l->items[i], i};
		}
	}
	qsort(h, n, sizeof(*h), by_package);
	*pn = n;
	return h;
}

/* A hook's operation node (project/nodes.c), or NULL: a hook that is no SQL text has none */
static struct node *hook_node(struct project *p, const struct hook *h, const char *which, struct arena *a)
{
	return proj_node(p, arena_sprintf(a, "operation.%s.%s-%s-%zu", h->pkg->name, h->pkg->name, which, h->index));
}

size_t runner_hook_nodes(struct project *p, const char *which, struct arena *a, uint32_t *out)
{
	size_t n, k = 0;
	struct hook *hooks = collect(p, which, &n, a);
	for (size_t i = 0; i < n; i++) {
		struct node *hn = hook_node(p, &hooks[i], which, a);
		if (hn)
			out[k++] = hn->index;
	}
	return k;
}

int runner_run_hooks(struct project *p, const char *which, struct adapter *ad, const struct adapter_vtable *vt,
		     struct adapter_conn *conn, value extra, struct arena *a, struct run_result *results,
		     struct diag_list *dl)
{
	size_t n;
	struct hook *hooks = collect(p, which, &n, a);
	if (n == 0)
		return 0;
	/* dbt 1.9's safe_run_hooks: a blank line before the end hooks, after the start hooks */
	bool end = !strcmp(which, "on-run-end");
	if (end)
		report_line("Formatting", "%s", "");
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		value h = hooks[k].sql;
		size_t i = hooks[k].index;
		value yml = hooks[k].pkg->project_yml;
		if (h.type == V_DICT)
			h = val_dict_gets(h, "sql");
		const char *name = arena_sprintf(a, "%s.%s.%zu", hooks[k].pkg->name, which, i);
		/* the hook's operation node (project/nodes.c), for run_results.json */
		struct node *hn = hook_node(p, &hooks[k], which, a);
		struct run_result *res = results && hn ? &results[hn->index] : NULL;
		if (res)
			*res = (struct run_result){.node = hn->index, .thread_id = RUN_THREAD_HOOKS, .failures = 1,
						   .rows_affected = -1};
		if (rc) {
			/* dbt's safe_run_hooks: after a failure the remaining hooks are skipped */
			if (res) {
				res->status = RUN_SKIPPED;
				res->message = arena_sprintf(a, "%s skipped", name);
			}
			continue;
		}
		report_status("LogHookStartLine", (int)k + 1, (int)n, arena_sprintf(a, "START hook: %s", name), "RUN",
			      RC_NONE, -1);
		double t0 = art_now();
		/* a package's hook reads that package's vars (dbt renders it in its project's context) */
		struct dbt_render r = {.proj = p,
				       .package = hooks[k].pkg->is_root ? NULL : hooks[k].pkg->name,
				       .phase = DBT_EXECUTE,
				       .arena = a,
				       .dl = dl,
				       .adapter = ad,
				       .vt = vt,
				       .conn = conn,
				       .connection_name = "master"};  /* dbt runs hooks on its "master" connection */
		value ctx = dbt_context(&r);
		for (uint32_t e = 0; extra.type == V_DICT && e < extra.d->len; e++)
			val_dict_set(ctx, extra.d->e[e].key, extra.d->e[e].val);
		const char *sql = "";
		struct loc where = hook_loc(yml, which, i);
		const char *file = hooks[k].pkg->is_root ? "dbt_project.yml"
							 : arena_sprintf(a, "%s/dbt_project.yml", hooks[k].pkg->name);
		struct diag *before = dl->tail;
		double t1 = t0;
		if (h.type != V_STR) {
			diag_error(dl, where, "%s hook %zu must be SQL text, got %s", which, i, val_type_name(h));
			rc = -1;
		} else if (dbt_render_string(&r, arena_sprintf(a, "%s (%s)", file, which), h.s, where, &sql) < 0) {
			rc = -1;
		} else {
			t1 = art_now();
			struct adapter_result ares;
			char *err = NULL;
			if (*sql && strspn(sql, " \t\r\n") < strlen(sql)) {
				const char *commented = dbt_query_commented(&r, sql, dl);
				if (!commented) {
					rc = -1;
				} else if (vt->execute(conn, commented, false, -1, &ares, a, &err) < 0) {
					struct diag *d = diag_error(dl, where, "%s hook %zu failed: %s", which, i,
								    err ? err : "database error");
					diag_hint(dl, d, "the hook's SQL was: %s", sql);
					rc = -1;
				}
			}
		}
		double t2 = art_now();
		if (res) {
			res->status = rc ? RUN_ERROR : RUN_SUCCESS;
			res->failures = rc ? 1 : 0;
			res->compile_started = t0;
			res->compile_completed = res->execute_started = t1 > t0 ? t1 : t2;
			res->execute_completed = t2;
			res->execution_time = t2 - t0;
			char *code = rc ? NULL : arena_strdup(a, sql);
			res->compiled_code = code;
			hn->compiled_code = code;  /* the manifest written after the run has it */
			const struct diag *d = before ? before->next : dl->head;
			res->message = rc ? arena_sprintf(a, "%s failed, error:\n %s", name, d ? d->msg : "unknown error")
					  : arena_sprintf(a, "%s passed", name);
		}
		report_status("LogHookEndLine", (int)k + 1, (int)n, arena_sprintf(a, "%s hook: %s", rc ? "ERROR" : "OK", name),
			      rc ? "ERROR" : "OK", rc ? RC_RED : RC_GREEN, art_now() - t0);
	}
	if (!end)
		report_line("Formatting", "%s", "");
	return rc;
}
