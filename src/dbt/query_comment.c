/*
 * dbt's query comment (dbt-adapters' query_headers.py): a comment put before (or after) each
 * statement sent through adapter.execute and each project hook, so that the database's own view
 * of its queries (pg_stat_activity, a query log) says which dbt node sent it. dbt_project.yml's
 * `query-comment:` is the comment's Jinja, or {comment, append, job-label}; null or "" turns it
 * off. The comment is rendered as dbt's query_comment_macro(connection_name, node); the default is
 * dbt's DEFAULT_QUERY_COMMENT, {"app": "dbt", "dbt_version", "profile_name", "target_name", and the
 * node's unique_id as node_id or, without a node, the connection's name}, written here without a
 * template. Computed once a render. DuckDB and PostgreSQL, whose dbt adapters add it; a Flink
 * statement goes as written.
 */
#include <string.h>

#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"
#include "project/yml.h"

/* The comment of the render's statements, "" for none; -1 after a diagnostic */
static int compute(struct dbt_render *r, struct diag_list *dl)
{
	struct project *p = r->proj;
	struct arena *a = r->keep ? r->keep : r->arena;
	r->query_comment = "";
	const char *type = r->vt ? r->vt->type : NULL;
	if (!type || (strcmp(type, "duckdb") && strcmp(type, "postgres")))
		return 0;
	value qc = p->yml.type == V_DICT ? val_dict_gets(p->yml, "query-comment") : val_undef();
	value tmpl = qc;
	if (qc.type == V_DICT) {
		tmpl = val_dict_gets(qc, "comment");
		r->query_comment_append = val_truthy(val_dict_gets(qc, "append"));
	}
	const char *name = r->connection_name ? r->connection_name : r->node ? r->node->unique_id : "master";
	if (tmpl.type == V_UNDEF) {
		/* DEFAULT_QUERY_COMMENT, as its tojson() writes it */
		value d = val_dict_new(a, 5);
		val_dict_sets(d, "app", val_str("dbt"));
		val_dict_sets(d, "dbt_version", val_str(DBT_MATCHED_VERSION));
		const struct profile_target *t = &p->target;
		val_dict_sets(d, "profile_name", val_str(t->profile_name ? t->profile_name : p->name));
		val_dict_sets(d, "target_name", val_str(t->target_name ? t->target_name : "dev"));
		if (r->node)
			val_dict_sets(d, "node_id", val_str(r->node->unique_id));
		else
			val_dict_sets(d, "connection_name", val_str(name));
		struct sb s = SB_INIT;
		(void)val_to_json(&s, d, 0, 0);
		r->query_comment = arena_strndup(a, s.buf, s.len);
		sb_release(&s);
		return 0;
	}
	if (tmpl.type == V_NONE || (tmpl.type == V_STR && tmpl.len == 0))
		return 0;
	struct loc where = qc.type == V_DICT ? yml_val_loc(qc, "comment") : yml_val_loc(p->yml, "query-comment");
	if (tmpl.type != V_STR) {
		struct diag *d = diag_error(dl, where, "query-comment must be a string or {comment, append}, got %s",
					    val_type_name(tmpl));
		diag_hint(dl, d, "e.g. query-comment: \"run by {{ target.user }}\"");
		return -1;
	}
	/* dbt's MacroQueryStringSetter: the text is the body of query_comment_macro(connection_name,
	 * node), whose return() or output is the comment */
	value ctx = r->ctx.type == V_DICT ? r->ctx : dbt_context(r);
	val_dict_sets(ctx, "__sluice_qc_name", val_str(name));
	val_dict_sets(ctx, "__sluice_qc_node", r->node ? dbt_model_value(a, p, r->node) : val_none());
	const char *text = arena_sprintf(a, "{%%- macro query_comment_macro(connection_name, node) -%%}%.*s"
					 "{%% endmacro %%}{{ query_comment_macro(__sluice_qc_name, __sluice_qc_node) }}",
					 (int)tmpl.len, tmpl.s);
	const char *out;
	int rc = dbt_render_string(r, "dbt_project.yml (query-comment)", text, where, &out);
	val_dict_del(ctx, val_str("__sluice_qc_name"));
	val_dict_del(ctx, val_str("__sluice_qc_node"));
	if (rc < 0)
		return -1;
	if (strstr(out, "*/")) {
		struct diag *d = diag_error(dl, where, "query comment contains illegal value \"*/\": %s", out);
		diag_hint(dl, d, "a comment cannot hold the text that would end it");
		return -1;
	}
	/* Python's str.strip() of the comment, as _QueryComment.add does */
	while (*out == ' ' || (*out >= '\t' && *out <= '\r'))
		out++;
	size_t n = strlen(out);
	while (n && (out[n - 1] == ' ' || (out[n - 1] >= '\t' && out[n - 1] <= '\r')))
		n--;
	r->query_comment = arena_strndup(a, out, n);
	return 0;
}

const char *dbt_query_commented(struct dbt_render *r, const char *sql, struct diag_list *dl)
{
	if (!r->query_comment && compute(r, dl) < 0) {
		r->query_comment = NULL;
		return NULL;
	}
	if (!*r->query_comment)
		return sql;
	struct arena *a = r->arena;
	if (!r->query_comment_append)
		return arena_sprintf(a, "/* %s */\n%s", r->query_comment, sql);
	/* appended: before a final ';', the SQL's trailing space dropped (rstrip) */
	size_t n = strlen(sql);
	while (n && (sql[n - 1] == ' ' || (sql[n - 1] >= '\t' && sql[n - 1] <= '\r')))
		n--;
	if (n && sql[n - 1] == ';')
		return arena_sprintf(a, "%.*s\n/* %s */;", (int)(n - 1), sql, r->query_comment);
	return arena_sprintf(a, "%.*s\n/* %s */", (int)n, sql, r->query_comment);
}
