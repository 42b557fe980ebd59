/*
 * on-run-start and on-run-end: the SQL of dbt_project.yml's hooks (a string or a list), rendered
 * in a context with target, the project's macros and, at the end, `results` and `schemas`, and run
 * on one connection before or after the nodes, with dbt's progress lines.
 */
#include <string.h>
#include <time.h>

#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "runner/internal.h"
#include "runner/report.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int runner_run_hooks(struct project *p, const char *which, struct adapter *ad, const struct adapter_vtable *vt,
		     struct adapter_conn *conn, value extra, struct arena *a, struct diag_list *dl)
{
	value hooks = val_dict_gets(p->yml, which);
	if (hooks.type == V_STR) {
		value l = val_list_new(a, 1);
		val_list_push(l, hooks);
		hooks = l;
	}
	if (hooks.type != V_LIST || hooks.l->len == 0)
		return 0;
	size_t n = hooks.l->len;
	report_line("HooksRunning", "Running %zu %s hook%s", n, which, n == 1 ? "" : "s");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		value h = hooks.l->items[i];
		if (h.type == V_DICT)
			h = val_dict_gets(h, "sql");
		const char *name = arena_sprintf(a, "%s.%s.%zu", p->name, which, i);
		report_status("LogHookStartLine", (int)i + 1, (int)n, arena_sprintf(a, "START hook: %s", name), "RUN",
			      RC_NONE, -1);
		double t0 = now_s();
		struct dbt_render r = {.proj = p, .phase = DBT_EXECUTE, .arena = a, .dl = dl, .adapter = ad, .vt = vt,
				       .conn = conn};
		value ctx = dbt_context(&r);
		for (uint32_t k = 0; extra.type == V_DICT && k < extra.d->len; k++)
			val_dict_set(ctx, extra.d->e[k].key, extra.d->e[k].val);
		const char *sql = "";
		struct loc where = p->yml.d->vallocs ? yml_loc_of(p->yml, which, i) : LOC_NONE;
		if (h.type != V_STR) {
			diag_error(dl, where, "%s hook %zu must be SQL text, got %s", which, i, val_type_name(h));
			rc = -1;
		} else if (dbt_render_string(&r, arena_sprintf(a, "dbt_project.yml (%s)", which), h.s, where, &sql) < 0) {
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
		report_status("LogHookEndLine", (int)i + 1, (int)n, arena_sprintf(a, "%s hook: %s", rc ? "ERROR" : "OK", name),
			      rc ? "ERROR" : "OK", rc ? RC_RED : RC_GREEN, now_s() - t0);
	}
	report_line("Formatting", "%s", "");
	return rc;
}

struct loc yml_loc_of(value yml, const char *key, size_t i)
{
	long k = val_dict_find(yml, val_str(key));
	if (k < 0 || !yml.d->vallocs)
		return LOC_NONE;
	value v = yml.d->e[k].val;
	if (v.type == V_LIST && v.l->locs && i < v.l->len)
		return v.l->locs[i];
	return yml.d->vallocs[k];
}
