/*
 * on-run-start and on-run-end: the SQL of dbt_project.yml's hooks (a string or a list), rendered
 * in a context with target, the project's macros and, at the end, `results` and `schemas`, and run
 * on one connection before or after the nodes, with dbt's progress lines. Installed packages' hooks
 * run too, before the root project's, package by package in name order, as dbt runs them.
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

int runner_run_hooks(struct project *p, const char *which, struct adapter *ad, const struct adapter_vtable *vt,
		     struct adapter_conn *conn, value extra, struct arena *a, struct diag_list *dl)
{
	size_t n;
	struct hook *hooks = collect(p, which, &n, a);
	if (n == 0)
		return 0;
	report_line("HooksRunning", "Running %zu %s hook%s", n, which, n == 1 ? "" : "s");
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		value h = hooks[k].sql;
		size_t i = hooks[k].index;
		value yml = hooks[k].pkg->project_yml;
		if (h.type == V_DICT)
			h = val_dict_gets(h, "sql");
		const char *name = arena_sprintf(a, "%s.%s.%zu", hooks[k].pkg->name, which, i);
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
				       .conn = conn};
		value ctx = dbt_context(&r);
		for (uint32_t e = 0; extra.type == V_DICT && e < extra.d->len; e++)
			val_dict_set(ctx, extra.d->e[e].key, extra.d->e[e].val);
		const char *sql = "";
		struct loc where = hook_loc(yml, which, i);
		const char *file = hooks[k].pkg->is_root ? "dbt_project.yml"
							 : arena_sprintf(a, "%s/dbt_project.yml", hooks[k].pkg->name);
		if (h.type != V_STR) {
			diag_error(dl, where, "%s hook %zu must be SQL text, got %s", which, i, val_type_name(h));
			rc = -1;
		} else if (dbt_render_string(&r, arena_sprintf(a, "%s (%s)", file, which), h.s, where, &sql) < 0) {
			rc = -1;
		} else if (*sql && strspn(sql, " \t\r\n") < strlen(sql)) {
			struct adapter_result res;
			char *err = NULL;
			if (vt->execute(conn, sql, false, -1, &res, a, &err) < 0) {
				struct diag *d = diag_error(dl, where, "%s hook %zu failed: %s", which, i, err ? err : "database error");
				diag_hint(dl, d, "the hook's SQL was: %s", sql);
				rc = -1;
			}
		}
		report_status("LogHookEndLine", (int)k + 1, (int)n, arena_sprintf(a, "%s hook: %s", rc ? "ERROR" : "OK", name),
			      rc ? "ERROR" : "OK", rc ? RC_RED : RC_GREEN, art_now() - t0);
	}
	report_line("Formatting", "%s", "");
	return rc;
}
