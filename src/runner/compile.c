/*
 * Compiling a node: rendering its SQL with execute = true, injecting the CTEs of the ephemeral
 * models it refs (as dbt does), and the context its materialization runs in, with
 * upstream_definitions() for the engines whose jobs inline what they read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "runner/internal.h"

/* The CTEs of the ephemeral nodes in `list` (node indexes), each after the ephemerals it refs and
 * each once (`done` holds the indexes written), so nested ephemerals become one flat WITH list */
static int add_ctes(struct project *p, struct dbt_render *r, value list, value done, struct sb *ctes)
{
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		bool seen = false;
		for (uint32_t j = 0; j < done.l->len && !seen; j++)
			seen = done.l->items[j].i == list.l->items[i].i;
		if (seen)
			continue;
		struct node *e = p->nodes[list.l->items[i].i];
		struct dbt_render er = {.proj = p, .node = e, .phase = DBT_EXECUTE, .arena = r->arena, .dl = r->dl,
					.adapter = r->adapter, .vt = r->vt, .conn = r->conn};
		struct sb esql = SB_INIT;
		struct jj_template *et = proj_node_template(p, e, r->dl);
		int rc = et ? dbt_render(&er, et, &esql) : -1;
		if (rc == 0)
			rc = add_ctes(p, &er, er.ephemerals, done, ctes);
		if (rc == 0) {
			val_list_push(done, list.l->items[i]);
			/* each " name as (...)" with its leading space, joined by ", " (dbt's
			 * _recursively_prepend_ctes and inject_ctes_into_sql) */
			sb_addf(ctes, "%s __dbt__cte__%s as (\n%s\n)", ctes->len ? ", " : "", e->name, esql.buf);
		}
		sb_release(&esql);
		if (rc)
			return -1;
	}
	return 0;
}

/* The length of the blanks and SQL comments at the start of s */
static size_t sql_lead(const char *s)
{
	const char *t = s;
	for (;;) {
		while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
			t++;
		if (t[0] == '-' && t[1] == '-')
			t += strcspn(t, "\n");
		else if (t[0] == '/' && t[1] == '*' && strstr(t + 2, "*/"))
			t = strstr(t + 2, "*/") + 2;
		else
			return (size_t)(t - s);
	}
}

static size_t sql_blanks(const char *s)
{
	size_t n = 0;
	while (s[n] == ' ' || s[n] == '\n' || s[n] == '\t' || s[n] == '\r' || s[n] == '\f' || s[n] == '\v')
		n++;
	return n;
}

/*
 * WITH __dbt__cte__x as (...) injected in front of the compiled SQL, byte for byte as dbt's
 * inject_ctes_into_sql puts the tokens sqlparse gives it together: after a leading WITH (or WITH
 * RECURSIVE) of the model's own and the blanks that follow it, the CTEs and ", "; else "with",
 * the CTEs and " " before the first thing that is not blank (a comment included).
 */
int runner_inject_ctes(struct project *p, struct dbt_render *r, const char *sql, struct sb *out)
{
	if (r->ephemerals.type != V_LIST || r->ephemerals.l->len == 0) {
		sb_adds(out, sql);
		return 0;
	}
	struct sb ctes = SB_INIT;
	if (add_ctes(p, r, r->ephemerals, val_list_new(r->arena, 4), &ctes) < 0) {
		sb_release(&ctes);
		return -1;
	}
	size_t lead = sql_lead(sql);
	const char *s = sql + lead;
	if (!strncasecmp(s, "with", 4) && (s[4] == ' ' || s[4] == '\n' || s[4] == '\t' || s[4] == '\r')) {
		size_t kw = 4 + sql_lead(s + 4);
		if (!strncasecmp(s + kw, "recursive", 9) && (s[kw + 9] == ' ' || s[kw + 9] == '\n' || s[kw + 9] == '\t'))
			kw += 9;
		else
			kw = 4;
		kw += sql_blanks(s + kw);
		sb_add(out, sql, lead + kw);
		sb_addf(out, "%s, %s", ctes.buf, s + kw);
	} else {
		size_t ws = sql_blanks(sql);
		sb_add(out, sql, ws);
		sb_addf(out, "with%s %s", ctes.buf, sql + ws);
	}
	sb_release(&ctes);
	return 0;
}

int runner_compile_node(struct project *p, struct node *n, struct adapter *ad, const struct adapter_vtable *vt,
			struct adapter_conn *conn, struct arena *a, const char **psql, struct diag_list *dl)
{
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = a, .dl = dl,
			       .adapter = ad, .vt = vt, .conn = conn};
	struct sb out = SB_INIT, full = SB_INIT;
	int rc = 0;
	if (n->test_metadata.type == V_DICT) {
		/* a generic test: its arguments, rendered in its own context */
		value ctx = dbt_context(&r), kwargs;
		rc = runner_test_kwargs(&r, n, &kwargs);
		if (rc == 0)
			val_dict_sets(ctx, "_dbt_generic_test_kwargs", kwargs);
	}
	struct jj_template *t = rc == 0 ? proj_node_template(p, n, dl) : NULL;
	if (rc == 0)
		rc = t ? dbt_render(&r, t, &out) : -1;
	if (rc == 0)
		rc = runner_inject_ctes(p, &r, out.buf, &full);
	if (rc == 0)
		*psql = arena_strndup(a, full.buf, full.len);
	sb_release(&out);
	sb_release(&full);
	return rc;
}

/* Generic tests get a file of their own under their yml, as dbt writes them
 * (target/compiled/pkg/models/schema.yml/unique_orders_id.sql) */
const char *runner_node_sql_path(struct arena *a, const char *kind, const struct node *n)
{
	if (n->batch && n->batch->label) {
		/* a microbatch model's batch: models/daily/daily_2024-01-02.sql (get_target_write_path's
		 * split_suffix) */
		const char *file = strrchr(n->original_file_path, '/');
		file = file ? file + 1 : n->original_file_path;
		const char *dot = strrchr(file, '.');
		int stem = dot ? (int)(dot - file) : (int)strlen(file);
		return arena_sprintf(a, "%s/%s/%.*s%.*s/%.*s_%s%s", kind, n->package, (int)(file - n->original_file_path),
				     n->original_file_path, stem, file, stem, file, n->batch->label, dot ? dot : "");
	}
	if (n->test_metadata.type == V_DICT)
		return arena_sprintf(a, "%s/%s/%s/%s", kind, n->package, n->original_file_path, n->path);
	return arena_sprintf(a, "%s/%s/%s", kind, n->package, n->original_file_path);
}

const char *runner_diag_text(const struct diag_list *dl, struct arena *a)
{
	struct sb s = SB_INIT;
	for (const struct diag *d = dl->head; d; d = d->next)
		if (d->kind == DIAG_ERROR)
			diag_format(&s, d, false);
	const char *r = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

/* Walks the views and ephemeral models n reads, depth first, each once; appends each after what
 * it reads. Tables, sources, seeds and other materializations end the walk: their data is read,
 * not their definition. 0, or -1 with diagnostics in dl. */
static int walk_definitions(struct dbt_render *r, const struct node *n, uint8_t *seen, value out,
			    struct diag_list *dl)
{
	struct project *p = r->proj;
	for (uint32_t d = 0; d < n->ndeps; d++) {
		uint32_t k = n->deps[d];
		if (k >= p->nnodes || seen[k])
			continue;
		seen[k] = 1;
		struct node *x = p->nodes[k];
		value mat = val_dict_gets(x->config, "materialized");
		const char *m = mat.type == V_STR ? mat.s : "";
		if (x->type != NODE_MODEL || (strcmp(m, "view") && strcmp(m, "ephemeral")) || !proj_node_has_template(x))
			continue;
		if (walk_definitions(r, x, seen, out, dl) < 0)
			return -1;
		const char *sql = NULL;
		if (runner_compile_node(p, x, r->adapter, r->vt, r->conn, r->arena, &sql, dl) < 0)
			return -1;
		value d1 = val_dict_new(r->arena, 4);
		val_dict_sets(d1, "unique_id", val_str(x->unique_id));
		val_dict_sets(d1, "name", val_str(x->name));
		val_dict_sets(d1, "materialized", val_str(m));
		val_dict_sets(d1, "sql", val_str(sql));
		val_list_push(out, d1);
	}
	return 0;
}

/* upstream_definitions(): [{unique_id, name, materialized, sql}] of every view and ephemeral model
 * the node reads, transitively up to the tables, what it reads first; the SQL compiled now. A
 * streaming job's plan inlines them, so they are part of what the job is. */
static value f_upstream_definitions(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	struct dbt_render *r = dbt_r(vm);
	value out = val_list_new(r->arena, 4);
	if (!r->node)
		return out;
	uint8_t *seen = xcalloc(r->proj->nnodes ? r->proj->nnodes : 1, 1);
	struct diag_list dl;
	diag_list_init(&dl);
	int rc = walk_definitions(r, r->node, seen, out, &dl);
	free(seen);
	if (rc < 0) {
		const char *msg = runner_diag_text(&dl, r->arena);
		diag_list_release(&dl);
		jj_raise(vm, "upstream_definitions(): a model it reads does not compile: %s", msg);
	}
	diag_list_release(&dl);
	return out;
}

void runner_node_context(struct dbt_render *r, const char *sql)
{
	r->rows_affected = -1;
	value ctx = dbt_context(r);
	val_dict_sets(ctx, "sql", val_str(sql));
	val_dict_sets(ctx, "compiled_code", val_str(sql));
	val_dict_sets(ctx, "pre_hooks", dbt_hooks_value(r->arena, proj_node_config(r->node), "pre-hook"));
	val_dict_sets(ctx, "post_hooks", dbt_hooks_value(r->arena, proj_node_config(r->node), "post-hook"));
	val_dict_sets(ctx, "model", dbt_model_value(r->arena, r->proj, r->node));
	val_dict_sets(ctx, "upstream_definitions",
		      val_func(r->arena, "upstream_definitions", f_upstream_definitions, NULL));
}
