/*
 * Parsed SQL back to text in Flink's normalised form: identifiers in backticks, keywords in upper
 * case, interval units in the singular ("INTERVAL '1' SECOND"), queries laid out one clause a line
 * as Calcite prints them. SHOW CREATE TABLE/VIEW, DESCRIBE's extras and watermark columns, and the
 * stored (expanded) text of views all come from here; table and view definitions are stored as
 * the DDL this file writes and read back with the parser.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fgi.h"

void quote_ident(struct sb *o, const char *s)
{
	sb_addc(o, '`');
	for (; *s; s++) {
		if (*s == '`')
			sb_addc(o, '`');
		sb_addc(o, *s);
	}
	sb_addc(o, '`');
}

void quote_str(struct sb *o, const char *s)
{
	sb_addc(o, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_addc(o, '\'');
		sb_addc(o, *s);
	}
	sb_addc(o, '\'');
}

bool opt_sensitive(const char *key)
{
	static const char *const words[] = {"password", "secret", "fs.azure.account.key", "apikey", "api-key",
		"auth-params", "service-key", "token", "basic-auth", "jaas.config", "http-headers", NULL};
	char low[256];
	size_t n = strlen(key);
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[n] = 0;
	for (int i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

static void upper(struct sb *o, const char *s)
{
	for (; *s; s++)
		sb_addc(o, (char)toupper((unsigned char)*s));
}

static void args(struct sb *o, struct node **a, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(o, ", ");
		if (a[i])
			unparse_expr(o, a[i]);
	}
}

static void tref_text(struct sb *o, const struct tref *t, int indent);

static void window_text(struct sb *o, const struct window *w)
{
	sb_addc(o, '(');
	bool sp = false;
	if (w->npart) {
		sb_adds(o, "PARTITION BY ");
		args(o, w->part, w->npart);
		sp = true;
	}
	if (w->nord) {
		if (sp)
			sb_addc(o, ' ');
		sb_adds(o, "ORDER BY ");
		for (int i = 0; i < w->nord; i++) {
			if (i)
				sb_adds(o, ", ");
			unparse_expr(o, w->ord[i].e);
			if (w->ord[i].desc)
				sb_adds(o, " DESC");
		}
		sp = true;
	}
	if (w->fkind) {
		static const char *const bk[] = {"", "UNBOUNDED PRECEDING", " PRECEDING", "CURRENT ROW", " FOLLOWING",
			"UNBOUNDED FOLLOWING"};
		if (sp)
			sb_addc(o, ' ');
		sb_addf(o, "%s BETWEEN ", w->fkind);
		if (w->lo)
			unparse_expr(o, w->lo);
		sb_adds(o, bk[w->lok]);
		sb_adds(o, " AND ");
		if (!w->hik) {
			sb_adds(o, "CURRENT ROW");
		} else {
			if (w->hi)
				unparse_expr(o, w->hi);
			sb_adds(o, bk[w->hik]);
		}
	}
	sb_addc(o, ')');
}

void unparse_expr(struct sb *o, const struct node *n)
{
	switch (n->k) {
	case N_NUM:
		sb_adds(o, n->s);
		break;
	case N_STR:
		quote_str(o, n->s);
		break;
	case N_BINSTR:
		sb_addf(o, "X'%s'", n->s);
		break;
	case N_BOOL:
		sb_adds(o, n->flag ? "TRUE" : "FALSE");
		break;
	case N_NULL:
		sb_adds(o, "NULL");
		break;
	case N_INTERVAL:
		sb_adds(o, "INTERVAL ");
		quote_str(o, n->s);
		sb_addf(o, " %s", n->unit);
		if (n->uprec >= 0)
			sb_addf(o, "(%d)", n->uprec);
		if (n->unit2)
			sb_addf(o, " TO %s", n->unit2);
		break;
	case N_TYPED:
		sb_addf(o, "%s ", n->unit);
		quote_str(o, n->s);
		break;
	case N_ID:
		for (int i = 0; i < n->nparts; i++) {
			if (i)
				sb_addc(o, '.');
			quote_ident(o, n->parts[i]);
		}
		break;
	case N_STAR:
		for (int i = 0; i < n->nparts; i++) {
			quote_ident(o, n->parts[i]);
			sb_addc(o, '.');
		}
		sb_addc(o, '*');
		break;
	case N_FUNC:
		upper(o, n->s);
		if (n->unit && !strcmp(n->unit, "NILADIC"))
			break;
		sb_addc(o, '(');
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		if (n->star) {
			sb_addc(o, '*');
		} else if (!strcmp(n->s, "TIMESTAMPADD") || !strcmp(n->s, "TIMESTAMPDIFF")) {
			sb_addf(o, "%s, ", n->unit);
			args(o, n->args, n->nargs);
		} else {
			int na = n->unit && !strcmp(n->unit, "FILTER") ? n->nargs - 1 : n->nargs;
			args(o, n->args, na);
		}
		sb_addc(o, ')');
		if (n->unit && !strcmp(n->unit, "FILTER")) {
			sb_adds(o, " FILTER (WHERE ");
			unparse_expr(o, n->args[n->nargs - 1]);
			sb_addc(o, ')');
		}
		if (n->over) {
			sb_adds(o, " OVER ");
			window_text(o, n->over);
		}
		break;
	case N_BIN:
		unparse_expr(o, n->args[0]);
		sb_addf(o, " %s ", n->s);
		unparse_expr(o, n->args[1]);
		break;
	case N_UN:
		if (!strcmp(n->s, "()")) {
			sb_addc(o, '(');
			unparse_expr(o, n->args[0]);
			sb_addc(o, ')');
		} else if (!strcmp(n->s, "NOT")) {
			sb_adds(o, "NOT ");
			unparse_expr(o, n->args[0]);
		} else {
			sb_adds(o, n->s);
			unparse_expr(o, n->args[0]);
		}
		break;
	case N_IS:
		unparse_expr(o, n->args[0]);
		sb_addf(o, " IS %s%s", n->flag ? "NOT " : "", n->s);
		if (n->nargs > 1) {
			sb_addc(o, ' ');
			unparse_expr(o, n->args[1]);
		}
		break;
	case N_BETWEEN:
		unparse_expr(o, n->args[0]);
		sb_addf(o, " %sBETWEEN ASYMMETRIC ", n->flag ? "NOT " : "");
		unparse_expr(o, n->args[1]);
		sb_adds(o, " AND ");
		unparse_expr(o, n->args[2]);
		break;
	case N_IN:
		unparse_expr(o, n->args[0]);
		sb_addf(o, " %sIN (", n->flag ? "NOT " : "");
		if (n->q)
			unparse_query(o, n->q, 0);
		else
			args(o, n->args + 1, n->nargs - 1);
		sb_addc(o, ')');
		break;
	case N_EXISTS:
		sb_adds(o, "EXISTS (");
		unparse_query(o, n->q, 0);
		sb_addc(o, ')');
		break;
	case N_LIKE:
		unparse_expr(o, n->args[0]);
		sb_addf(o, " %s%s ", n->flag ? "NOT " : "", n->s);
		unparse_expr(o, n->args[1]);
		if (n->nargs > 2) {
			sb_adds(o, " ESCAPE ");
			unparse_expr(o, n->args[2]);
		}
		break;
	case N_CASE: {
		sb_adds(o, "CASE");
		int i = 1;
		if (n->args[0]) {
			sb_addc(o, ' ');
			unparse_expr(o, n->args[0]);
		}
		int pairs = (n->nargs - 1 - (n->flag ? 1 : 0)) / 2;
		for (int k = 0; k < pairs; k++, i += 2) {
			sb_adds(o, " WHEN ");
			unparse_expr(o, n->args[i]);
			sb_adds(o, " THEN ");
			unparse_expr(o, n->args[i + 1]);
		}
		if (n->flag) {
			sb_adds(o, " ELSE ");
			unparse_expr(o, n->args[n->nargs - 1]);
		}
		sb_adds(o, " END");
		break;
	}
	case N_CAST:
		sb_adds(o, n->flag ? "TRY_CAST(" : "CAST(");
		unparse_expr(o, n->args[0]);
		sb_adds(o, " AS ");
		ft_serial(o, n->type);
		sb_addc(o, ')');
		break;
	case N_EXTRACT:
		sb_addf(o, "EXTRACT(%s FROM ", n->unit);
		unparse_expr(o, n->args[0]);
		sb_addc(o, ')');
		break;
	case N_SUBQ:
		sb_addc(o, '(');
		unparse_query(o, n->q, 0);
		sb_addc(o, ')');
		break;
	case N_ITEM:
		unparse_expr(o, n->args[0]);
		if (n->s) {
			sb_addc(o, '.');
			quote_ident(o, n->s);
		} else {
			sb_addc(o, '[');
			unparse_expr(o, n->args[1]);
			sb_addc(o, ']');
		}
		break;
	case N_ARRAY:
		sb_adds(o, "ARRAY[");
		args(o, n->args, n->nargs);
		sb_addc(o, ']');
		break;
	case N_MAP:
		sb_adds(o, "MAP[");
		args(o, n->args, n->nargs);
		sb_addc(o, ']');
		break;
	case N_ROW:
		sb_adds(o, "ROW(");
		args(o, n->args, n->nargs);
		sb_addc(o, ')');
		break;
	case N_DESCRIPTOR:
		sb_adds(o, "DESCRIPTOR(");
		for (int i = 0; i < n->nparts; i++) {
			if (i)
				sb_adds(o, ", ");
			quote_ident(o, n->parts[i]);
		}
		sb_addc(o, ')');
		break;
	case N_TABLEARG:
		sb_adds(o, "TABLE ");
		for (int i = 0; i < n->tab->nparts; i++) {
			if (i)
				sb_addc(o, '.');
			quote_ident(o, n->tab->parts[i]);
		}
		break;
	case N_UNIT:
		sb_adds(o, n->unit);
		break;
	case N_TRIM:
		sb_addf(o, "TRIM(%s ", n->unit);
		if (n->args[1])
			unparse_expr(o, n->args[1]);
		else
			sb_adds(o, "' '");
		sb_adds(o, " FROM ");
		unparse_expr(o, n->args[0]);
		sb_addc(o, ')');
		break;
	case N_POSITION:
		sb_adds(o, "POSITION(");
		unparse_expr(o, n->args[0]);
		sb_adds(o, " IN ");
		unparse_expr(o, n->args[1]);
		sb_addc(o, ')');
		break;
	}
}

static void nl(struct sb *o, int indent)
{
	sb_addc(o, '\n');
	for (int i = 0; i < indent; i++)
		sb_addc(o, ' ');
}

static void tref_text(struct sb *o, const struct tref *t, int indent)
{
	switch (t->k) {
	case T_TABLE:
		for (int i = 0; i < t->nparts; i++) {
			if (i)
				sb_addc(o, '.');
			quote_ident(o, t->parts[i]);
		}
		if (t->nhints) {
			sb_adds(o, " /*+ OPTIONS(");
			for (int i = 0; i < t->nhints; i++) {
				if (i)
					sb_adds(o, ", ");
				quote_str(o, t->hints[i].k);
				sb_adds(o, "=");
				quote_str(o, t->hints[i].v);
			}
			sb_adds(o, ") */");
		}
		if (t->systime) {
			sb_adds(o, " FOR SYSTEM_TIME AS OF ");
			unparse_expr(o, t->systime);
		}
		break;
	case T_SUBQ:
		sb_addc(o, '(');
		unparse_query(o, t->q, indent);
		sb_addc(o, ')');
		break;
	case T_JOIN:
		tref_text(o, t->l, indent);
		nl(o, indent);
		if (t->natural)
			sb_adds(o, "NATURAL ");
		sb_addf(o, "%s JOIN ", t->jtype);
		tref_text(o, t->r, indent);
		if (t->on) {
			sb_adds(o, " ON ");
			unparse_expr(o, t->on);
		} else if (t->nusing) {
			sb_adds(o, " USING (");
			for (int i = 0; i < t->nusing; i++) {
				if (i)
					sb_adds(o, ", ");
				quote_ident(o, t->usingc[i]);
			}
			sb_addc(o, ')');
		}
		return;
	case T_TVF:
		if (t->lateral)
			sb_adds(o, "LATERAL ");
		sb_adds(o, "TABLE(");
		upper(o, t->fn);
		sb_addc(o, '(');
		args(o, t->args, t->nargs);
		sb_adds(o, "))");
		break;
	case T_UNNEST:
		sb_adds(o, "UNNEST(");
		args(o, t->args, t->nargs);
		sb_addc(o, ')');
		break;
	}
	if (t->alias) {
		sb_adds(o, " AS ");
		quote_ident(o, t->alias);
		if (t->nacols) {
			sb_adds(o, " (");
			for (int i = 0; i < t->nacols; i++) {
				if (i)
					sb_adds(o, ", ");
				quote_ident(o, t->acols[i]);
			}
			sb_addc(o, ')');
		}
	}
}

void unparse_query(struct sb *o, const struct query *q, int indent)
{
	if (q->nctes) {
		sb_adds(o, "WITH ");
		for (int i = 0; i < q->nctes; i++) {
			if (i)
				sb_adds(o, ", ");
			quote_ident(o, q->ctes[i].name);
			if (q->ctes[i].ncols) {
				sb_adds(o, " (");
				for (int k = 0; k < q->ctes[i].ncols; k++) {
					if (k)
						sb_adds(o, ", ");
					quote_ident(o, q->ctes[i].cols[k]);
				}
				sb_addc(o, ')');
			}
			sb_adds(o, " AS (");
			unparse_query(o, q->ctes[i].q, indent);
			sb_addc(o, ')');
		}
		nl(o, indent);
	}
	switch (q->k) {
	case Q_SELECT:
		sb_adds(o, "SELECT ");
		if (q->distinct)
			sb_adds(o, "DISTINCT ");
		for (int i = 0; i < q->nitems; i++) {
			if (i)
				sb_adds(o, ", ");
			unparse_expr(o, q->items[i].e);
			if (q->items[i].alias) {
				sb_adds(o, " AS ");
				quote_ident(o, q->items[i].alias);
			}
		}
		if (q->from) {
			nl(o, indent);
			sb_adds(o, "FROM ");
			tref_text(o, q->from, indent);
		}
		if (q->where) {
			nl(o, indent);
			sb_adds(o, "WHERE ");
			unparse_expr(o, q->where);
		}
		if (q->ngroup) {
			nl(o, indent);
			sb_adds(o, "GROUP BY ");
			args(o, q->group, q->ngroup);
		}
		if (q->having) {
			nl(o, indent);
			sb_adds(o, "HAVING ");
			unparse_expr(o, q->having);
		}
		break;
	case Q_VALUES:
		sb_adds(o, "VALUES ");
		for (int i = 0; i < q->nrows; i++) {
			if (i)
				sb_adds(o, ", ");
			unparse_expr(o, q->rows[i]);
		}
		break;
	case Q_SETOP:
		if (!q->op) {
			sb_addc(o, '(');
			unparse_query(o, q->l, indent);
			sb_addc(o, ')');
			break;
		}
		unparse_query(o, q->l, indent);
		nl(o, indent);
		sb_addf(o, "%s%s", q->op, q->all ? " ALL" : "");
		nl(o, indent);
		unparse_query(o, q->r, indent);
		break;
	}
	if (q->nord) {
		nl(o, indent);
		sb_adds(o, "ORDER BY ");
		for (int i = 0; i < q->nord; i++) {
			if (i)
				sb_adds(o, ", ");
			unparse_expr(o, q->ord[i].e);
			if (q->ord[i].desc)
				sb_adds(o, " DESC");
			if (q->ord[i].nulls)
				sb_adds(o, q->ord[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
		}
	}
	if (q->offset) {
		nl(o, indent);
		sb_adds(o, "OFFSET ");
		unparse_expr(o, q->offset);
		sb_adds(o, " ROWS");
	}
	if (q->limit) {
		nl(o, indent);
		sb_adds(o, "FETCH NEXT ");
		unparse_expr(o, q->limit);
		sb_adds(o, " ROWS ONLY");
	}
}

static int opt_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fopt *)a)->k, ((const struct fopt *)b)->k);
}

static void options_text(struct sb *o, const struct fopt *opts, int n, bool mask)
{
	struct fopt *s = xmalloc(sizeof(*s) * (size_t)(n ? n : 1));
	memcpy(s, opts, sizeof(*s) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), opt_cmp);
	sb_adds(o, "WITH (\n");
	for (int i = 0; i < n; i++) {
		sb_adds(o, "  ");
		quote_str(o, s[i].k);
		sb_adds(o, " = ");
		quote_str(o, mask && opt_sensitive(s[i].k) ? "****" : s[i].v);
		sb_adds(o, i + 1 < n ? ",\n" : "\n");
	}
	sb_adds(o, ")\n");
	free(s);
}

void ident_serial(struct sb *o, const char *c, const char *d, const char *n)
{
	quote_ident(o, c);
	sb_addc(o, '.');
	quote_ident(o, d);
	sb_addc(o, '.');
	quote_ident(o, n);
}

void ident_summary(struct sb *o, const char *c, const char *d, const char *n)
{
	sb_addf(o, "%s.%s.%s", c, d, n);
}

void ddl_table(struct sb *o, const struct tdef *t, bool mask)
{
	sb_addf(o, "CREATE %sTABLE ", t->temporary ? "TEMPORARY " : "");
	ident_serial(o, t->cat, t->db, t->name);
	sb_adds(o, " (\n");
	for (int i = 0; i < t->ncols; i++) {
		const struct fcol *c = &t->cols[i];
		sb_adds(o, "  ");
		quote_ident(o, c->name);
		sb_addc(o, ' ');
		if (c->kind == COL_COMPUTED) {
			sb_adds(o, "AS ");
			sb_adds(o, c->expr_sql);
		} else {
			ft_serial(o, c->type);
			if (c->kind == COL_META) {
				sb_adds(o, " METADATA");
				if (c->meta_key) {
					sb_adds(o, " FROM ");
					quote_str(o, c->meta_key);
				}
				if (c->is_virtual)
					sb_adds(o, " VIRTUAL");
			}
		}
		if (c->comment && *c->comment) {
			sb_adds(o, " COMMENT ");
			quote_str(o, c->comment);
		}
		if (i + 1 < t->ncols || t->wm_col || t->npk)
			sb_addc(o, ',');
		sb_addc(o, '\n');
	}
	if (t->wm_col) {
		sb_adds(o, "  WATERMARK FOR ");
		quote_ident(o, t->wm_col);
		sb_adds(o, " AS ");
		sb_adds(o, t->wm_sql);
		sb_adds(o, t->npk ? ",\n" : "\n");
	}
	if (t->npk) {
		sb_adds(o, "  CONSTRAINT ");
		if (t->pk_name) {
			quote_ident(o, t->pk_name);
		} else {
			struct sb nm = SB_INIT;
			sb_adds(&nm, "PK");
			for (int i = 0; i < t->npk; i++)
				sb_addf(&nm, "_%s", t->pk[i]);
			quote_ident(o, nm.buf);
			sb_release(&nm);
		}
		sb_adds(o, " PRIMARY KEY (");
		for (int i = 0; i < t->npk; i++) {
			if (i)
				sb_adds(o, ", ");
			quote_ident(o, t->pk[i]);
		}
		sb_adds(o, ") NOT ENFORCED\n");
	}
	sb_adds(o, ")\n");
	if (t->comment && *t->comment) {
		sb_adds(o, "COMMENT ");
		quote_str(o, t->comment);
		sb_addc(o, '\n');
	}
	if (t->distributed) {
		/* Confluent Cloud: the distribution of the table's topic */
		sb_adds(o, "DISTRIBUTED");
		if (t->ndist) {
			sb_addf(o, " BY %s%s(", t->dist_kind ? t->dist_kind : "", t->dist_kind ? "" : " ");
			for (int i = 0; i < t->ndist; i++) {
				if (i)
					sb_adds(o, ", ");
				quote_ident(o, t->dist[i]);
			}
			sb_addc(o, ')');
		}
		if (t->buckets)
			sb_addf(o, " INTO %d BUCKETS", t->buckets);
		sb_addc(o, '\n');
	}
	if (t->npart) {
		sb_adds(o, "PARTITIONED BY (");
		for (int i = 0; i < t->npart; i++) {
			if (i)
				sb_adds(o, ", ");
			quote_ident(o, t->part[i]);
		}
		sb_adds(o, ")\n");
	}
	if (t->nopts)
		options_text(o, t->opts, t->nopts, mask);
}

void ddl_view(struct sb *o, const struct tdef *t)
{
	sb_addf(o, "CREATE %sVIEW ", t->temporary ? "TEMPORARY " : "");
	ident_serial(o, t->cat, t->db, t->name);
	sb_adds(o, " (\n");
	int n = t->nvcols ? t->nvcols : t->ncols;
	for (int i = 0; i < n; i++) {
		sb_adds(o, "  ");
		quote_ident(o, t->nvcols ? t->vcols[i] : t->cols[i].name);
		sb_adds(o, i + 1 < n ? ",\n" : "\n");
	}
	sb_adds(o, ")\n");
	if (t->comment && *t->comment) {
		sb_adds(o, "COMMENT ");
		quote_str(o, t->comment);
		sb_addc(o, '\n');
	}
	sb_adds(o, "AS ");
	sb_adds(o, t->expanded);
	sb_addc(o, '\n');
}
