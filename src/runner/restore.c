/*
 * Declaring a project's relations again in a session that does not have them.
 *
 * Flink's default catalog is kept in memory by the gateway's session: when the session ends its
 * tables and views are gone, while the jobs and the Kafka topics behind them live on. So before
 * anything reads them, a new session gets the relations the selected nodes read declared again,
 * in dependency order, each by its node's restore_relation macro (macros/flink/restore.sql):
 * CREATE TABLE IF NOT EXISTS for connector tables and sinks, CREATE VIEW for views, no jobs.
 * A data test gets a session of its own where the same declarations are made bounded (temporary
 * tables whose scans end), so its query finishes and sees a consistent snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "runner/internal.h"
#include "runner/runner.h"

uint8_t *runner_upstream(struct project *p, const uint8_t *of, bool include)
{
	size_t n = p->nnodes;
	uint8_t *mark = xcalloc(n ? n : 1, 1);
	/* the stack holds the root being walked and each node once, when it is first marked */
	uint32_t *stack = xcalloc(n + 1, sizeof(*stack));
	size_t top = 0;
	for (size_t i = 0; i < n; i++) {
		if (!of[i])
			continue;
		if (include)
			mark[i] = 1;
		stack[top++] = (uint32_t)i;
		while (top) {
			struct node *x = p->nodes[stack[--top]];
			for (uint32_t d = 0; d < x->ndeps; d++) {
				uint32_t k = x->deps[d];
				if (k < n && !mark[k]) {
					mark[k] = 1;
					stack[top++] = k;
				}
			}
		}
	}
	free(stack);
	return mark;
}

/* One node's restore_relation in its own context; 0 or -1 with diagnostics in dl */
static int restore_node(struct project *p, struct node *n, bool bounded, value fn, struct adapter *ad,
			const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct diag_list *dl)
{
	const char *sql = "";
	if (n->type == NODE_MODEL && proj_node_has_template(n) && runner_compile_node(p, n, ad, vt, conn, a, &sql, dl) < 0)
		return -1;
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = a, .dl = dl,
			       .adapter = ad, .vt = vt, .conn = conn};
	runner_node_context(&r, sql);
	value argv[1] = {val_bool(bounded)};
	struct vargs args = {argv, 1, NULL, NULL, 0};
	value out;
	return dbt_call_value(&r, fn, &args, &out);
}

int runner_call_in_node(struct project *p, struct node *n, const char *macro, const struct vargs *args,
			struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a,
			value *pout, struct diag_list *dl)
{
	*pout = val_none();
	value fn = proj_find_macro(p, NULL, macro);
	if (fn.type == V_UNDEF) {
		diag_add(dl, DIAG_ERROR, (struct loc){0}, "no macro named '%s'", macro);
		return -1;
	}
	const char *sql = "";
	if (n->type == NODE_MODEL && proj_node_has_template(n) && runner_compile_node(p, n, ad, vt, conn, a, &sql, dl) < 0)
		return -1;
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = a, .dl = dl,
			       .adapter = ad, .vt = vt, .conn = conn};
	runner_node_context(&r, sql);
	struct vargs none = {NULL, 0, NULL, NULL, 0};
	return dbt_call_value(&r, fn, args ? args : &none, pout);
}

static const char *diag_text(struct diag_list *dl, struct arena *a)
{
	struct sb s = SB_INIT;
	for (const struct diag *d = dl->head; d; d = d->next)
		if (d->kind == DIAG_ERROR)
			diag_format(&s, d, false);
	sb_rtrim(&s);
	const char *r = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

int runner_restore(struct project *p, const struct graph *g, const uint8_t *want, bool bounded, struct adapter *ad,
		   const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct diag_list *dl)
{
	value fn = proj_find_macro(p, NULL, "restore_relation");
	if (fn.type == V_UNDEF)
		return 0;
	int failed = 0;
	for (size_t k = 0; k < g->n; k++) {
		uint32_t i = g->topo[k];
		struct node *n = p->nodes[i];
		if (!want[i] || !n->enabled || !n->relation_name || (n->type != NODE_MODEL && n->type != NODE_SOURCE))
			continue;
		struct arena_mark m = arena_mark(a);
		struct diag_list ndl;
		diag_list_init(&ndl);
		if (restore_node(p, n, bounded, fn, ad, vt, conn, a, &ndl) < 0) {
			failed++;
			diag_warn(dl, LOC_NONE, "could not declare %s %s in the %s session: %s", node_type_name(n->type),
				  n->name, bounded ? "test's" : "new", diag_text(&ndl, a));
		}
		diag_list_release(&ndl);
		arena_reset(a, m);
	}
	return failed;
}

/* The node's `timeout` config in seconds, as milliseconds (dflt when not set) */
static long timeout_ms(const struct node *n, long dflt)
{
	value t = val_dict_gets(n->config, "timeout");
	if (t.type == V_INT && t.i > 0)
		return (long)t.i * 1000;
	if (t.type == V_FLOAT && t.f > 0)
		return (long)(t.f * 1000);
	return dflt;
}

int runner_begin_test_session(struct project *p, const struct graph *g, struct node *n, struct adapter *ad,
			      const struct adapter_vtable *vt, struct adapter_conn *conn, long default_timeout_ms,
			      struct arena *a, struct diag_list *dl, char **perr)
{
	if (vt->begin_test_session(conn, timeout_ms(n, default_timeout_ms), a, perr) < 0)
		return -1;
	/* what n reads (n itself may be an ad-hoc node outside the project's list) */
	uint8_t *of = xcalloc(p->nnodes ? p->nnodes : 1, 1);
	for (uint32_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] < p->nnodes)
			of[n->deps[i]] = 1;
	uint8_t *want = runner_upstream(p, of, true);
	free(of);
	struct diag_list rdl;
	diag_list_init(&rdl);
	int failed = runner_restore(p, g, want, true, ad, vt, conn, a, &rdl);
	free(want);
	if (failed) {
		/* the test cannot read what it tests: that is the test's error */
		struct sb s = SB_INIT;
		for (const struct diag *d = rdl.head; d; d = d->next)
			sb_addf(&s, "%s%s%s", s.len ? "\n" : "", diag_heading(d), d->msg);
		*perr = sb_to_arena(&s, a);
		sb_release(&s);
		diag_list_release(&rdl);
		char *e2 = NULL;
		if (vt->end_test_session(conn, a, &e2) < 0)
			log_msg(LOG_WARN, "%s", e2 ? e2 : "cannot close the bounded session");
		return -1;
	}
	/* what the declarations warned about joins the caller's diagnostics */
	diag_list_move(dl, &rdl);
	diag_list_release(&rdl);
	return 0;
}
