/*
 * A recursive-descent parser for the Flink SQL a dbt-like tool sends: DDL (tables with computed
 * and metadata columns, watermarks, primary keys; views, catalogs, databases), DML (INSERT,
 * statement sets), queries (SELECT, WITH, VALUES, set operations, joins, window TVFs, OVER
 * windows, hints) and the utility statements (SET, RESET, USE, SHOW, DESCRIBE, EXPLAIN, jobs).
 * Anything else fails the way Flink's parser does, with the token and its line and column:
 * SqlParserException "SQL parse failed. Encountered "x" at line L, column C."
 * Each parse function opens with the grammar rule it reads.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fgi.h"

struct ps {
	struct arena *a;
	struct lexed lx;
	int i;
	struct ferr *e;
	bool failed;
	int version;
};

/* Words the parser will not take as an unquoted identifier (Calcite's reserved words that
 * matter here) */
static const char *const reserved[] = {
	"ALL", "AND", "ARRAY", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS",
	"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATE", "DELETE", "DISTINCT", "DROP",
	"ELSE", "END", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FOR", "FROM", "FULL", "GROUP",
	"HAVING", "IN", "INNER", "INSERT", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "LATERAL",
	"LEFT", "LIKE", "LIMIT", "LOCALTIME", "LOCALTIMESTAMP", "MINUS", "NATURAL", "NOT", "NULL",
	"OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "RIGHT", "SELECT", "SET",
	"TABLE", "THEN", "TIME", "TIMESTAMP", "TRUE", "UNION", "UNKNOWN", "USER", "USING",
	"VALUE", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH", "MATCH_RECOGNIZE", "QUALIFY", NULL};

static bool is_reserved(const char *w)
{
	for (int i = 0; reserved[i]; i++)
		if (!strcasecmp(w, reserved[i]))
			return true;
	return false;
}

static struct token *tok(struct ps *p)
{
	return &p->lx.t[p->i];
}

static struct token *peek(struct ps *p, int k)
{
	int j = p->i + k;
	if (j >= p->lx.n)
		j = p->lx.n - 1;
	return &p->lx.t[j];
}

static bool tk_kw(const struct token *t, const char *kw)
{
	return t->kind == TK_IDENT && !strcasecmp(t->val, kw);
}

static bool is_kw(struct ps *p, const char *kw)
{
	return tk_kw(tok(p), kw);
}

static bool is_op(struct ps *p, const char *op)
{
	return tok(p)->kind == TK_OP && !strcmp(tok(p)->val, op);
}

static void advance(struct ps *p)
{
	if (tok(p)->kind != TK_EOF)
		p->i++;
}

void parse_error_at(struct ferr *e, const char *src, const struct token *t, const char *expecting)
{
	struct sb m = SB_INIT;
	if (t->kind == TK_EOF)
		sb_adds(&m, "Encountered \"<EOF>\"");
	else
		sb_addf(&m, "Encountered \"%.*s\"", t->n, t->p);
	sb_addf(&m, " at line %d, column %d.", t->line, t->col);
	if (expecting && *expecting) {
		/* JavaCC says "Was expecting:" for a single choice */
		sb_adds(&m, strchr(expecting, '|') ? "\nWas expecting one of:\n" : "\nWas expecting:\n");
		const char *s = expecting;
		while (*s) {
			const char *nl = strchr(s, '|');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			sb_addf(&m, "    %.*s%s\n", (int)n, s, !strncmp(s, "<EOF>", 5) ? " " : " ...");
			s += n;
			if (*s == '|')
				s++;
		}
		sb_rtrim(&m);
	}
	(void)src;
	ferr_add(e, EX_PARSER, "SQL parse failed. %s", m.buf);
	ferr_add(e, EX_CALCITE_PARSE, "%s", m.buf);
	ferr_add(e, EX_FLINK_PARSE, "%s", m.buf);
	sb_release(&m);
}

static void fail(struct ps *p, const char *expecting)
{
	if (p->failed)
		return;
	p->failed = true;
	parse_error_at(p->e, p->lx.src, tok(p), expecting);
}

static void fail_validation(struct ps *p, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	ferr_add(p->e, EX_VALIDATION, "%s", msg);
}

static bool accept_kw(struct ps *p, const char *kw)
{
	if (is_kw(p, kw)) {
		advance(p);
		return true;
	}
	return false;
}

static bool expect_kw(struct ps *p, const char *kw)
{
	if (accept_kw(p, kw))
		return true;
	char ex[64];
	snprintf(ex, sizeof(ex), "\"%s\"", kw);
	fail(p, ex);
	return false;
}

static bool accept_op(struct ps *p, const char *op)
{
	if (is_op(p, op)) {
		advance(p);
		return true;
	}
	return false;
}

static bool expect_op(struct ps *p, const char *op)
{
	if (accept_op(p, op))
		return true;
	char ex[32];
	snprintf(ex, sizeof(ex), "\"%s\"", op);
	fail(p, ex);
	return false;
}

static bool is_ident(struct ps *p)
{
	struct token *t = tok(p);
	return t->kind == TK_QIDENT || (t->kind == TK_IDENT && !is_reserved(t->val));
}

/* ident -> IDENT | `quoted` */
static const char *ident(struct ps *p)
{
	if (!is_ident(p)) {
		fail(p, "<IDENTIFIER>|<QUOTED_IDENTIFIER>");
		return NULL;
	}
	const char *s = tok(p)->val;
	advance(p);
	return s;
}

/* compound_ident -> ident ('.' ident)* */
static const char **compound(struct ps *p, int *pn)
{
	VEC(const char *) v = {0};
	const char *s = ident(p);
	if (!s)
		goto bad;
	VEC_PUSH(&v, s);
	while (is_op(p, ".") && (peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_QIDENT)) {
		advance(p);
		s = ident(p);
		if (!s)
			goto bad;
		VEC_PUSH(&v, s);
	}
	const char **out = ARENA_ARRAY(p->a, const char *, v.n);
	memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
bad:
	VEC_FREE(&v);
	return NULL;
}

static const char *string_lit(struct ps *p)
{
	if (tok(p)->kind != TK_STRING) {
		fail(p, "<QUOTED_STRING>");
		return NULL;
	}
	const char *s = tok(p)->val;
	advance(p);
	return s;
}

static int parse_int(struct ps *p)
{
	if (tok(p)->kind != TK_NUMBER) {
		fail(p, "<UNSIGNED_INTEGER_LITERAL>");
		return -1;
	}
	int v = atoi(tok(p)->val);
	advance(p);
	return v;
}

/* ident_list -> '(' ident (',' ident)* ')' */
static const char **ident_list(struct ps *p, int *pn)
{
	if (!expect_op(p, "("))
		return NULL;
	VEC(const char *) v = {0};
	do {
		const char *s = ident(p);
		if (!s) {
			VEC_FREE(&v);
			return NULL;
		}
		VEC_PUSH(&v, s);
	} while (accept_op(p, ","));
	if (!expect_op(p, ")")) {
		VEC_FREE(&v);
		return NULL;
	}
	const char **out = ARENA_ARRAY(p->a, const char *, v.n + 1);
	memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
}

/* options -> '(' 'key' '=' 'value' (',' ...)* ')' */
static struct fopt *options(struct ps *p, int *pn)
{
	if (!expect_op(p, "("))
		return NULL;
	VEC(struct fopt) v = {0};
	if (!is_op(p, ")")) {
		do {
			struct fopt o;
			o.k = string_lit(p);
			if (!o.k || !expect_op(p, "="))
				goto bad;
			o.v = string_lit(p);
			if (!o.v)
				goto bad;
			VEC_PUSH(&v, o);
		} while (accept_op(p, ","));
	}
	if (!expect_op(p, ")"))
		goto bad;
	struct fopt *out = ARENA_ARRAY(p->a, struct fopt, v.n + 1);
	if (v.n)
		memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
bad:
	VEC_FREE(&v);
	return NULL;
}

/* ------------------------------------------------------------------ types */

static struct ftype *data_type(struct ps *p);

static int opt_len(struct ps *p, int dflt)
{
	if (!accept_op(p, "("))
		return dflt;
	int v = parse_int(p);
	if (v < 0 || !expect_op(p, ")"))
		return -1;
	return v;
}

/* row_field -> ident type ['description'] */
static int row_fields(struct ps *p, struct ftype *t, const char *close)
{
	VEC(struct ffield) v = {0};
	if (!is_op(p, close)) {
		do {
			struct ffield f = {0};
			f.name = ident(p);
			if (!f.name)
				goto bad;
			f.type = data_type(p);
			if (!f.type)
				goto bad;
			if (tok(p)->kind == TK_STRING)
				f.desc = string_lit(p);
			VEC_PUSH(&v, f);
		} while (accept_op(p, ","));
	}
	if (!expect_op(p, close))
		goto bad;
	t->fields = ARENA_ARRAY(p->a, struct ffield, v.n + 1);
	if (v.n)
		memcpy(t->fields, v.v, sizeof(struct ffield) * v.n);
	t->nfields = (int)v.n;
	VEC_FREE(&v);
	return 0;
bad:
	VEC_FREE(&v);
	return -1;
}

static const char *interval_unit_name(const char *w)
{
	static const char *const units[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", NULL};
	for (int i = 0; units[i]; i++) {
		size_t n = strlen(units[i]);
		if (!strncasecmp(w, units[i], n) && (w[n] == 0 || ((w[n] == 's' || w[n] == 'S') && w[n + 1] == 0)))
			return units[i];
	}
	return NULL;
}

/*
 * type -> base [NOT NULL | NULL] (ARRAY | MULTISET)*
 * base -> BOOLEAN | TINYINT | SMALLINT | INT | INTEGER | BIGINT | FLOAT | REAL | DOUBLE [PRECISION]
 *       | DECIMAL|DEC|NUMERIC ['(' p [',' s] ')'] | CHAR ['(' n ')'] | VARCHAR ['(' n ')'] | STRING
 *       | BINARY ['(' n ')'] | VARBINARY ['(' n ')'] | BYTES | DATE | TIME ['(' p ')']
 *       | TIMESTAMP ['(' p ')'] [WITHOUT TIME ZONE | WITH [LOCAL] TIME ZONE] | TIMESTAMP_LTZ ['(' p ')']
 *       | ARRAY '<' type '>' | MULTISET '<' type '>' | MAP '<' type ',' type '>'
 *       | ROW '<' fields '>' | ROW '(' fields ')' | INTERVAL unit [TO unit]
 */
static struct ftype *data_type(struct ps *p)
{
	struct token *t = tok(p);
	if (t->kind != TK_IDENT) {
		fail(p, "<type>");
		return NULL;
	}
	const char *w = t->val;
	struct ftype *ty = NULL;
	advance(p);
	if (!strcasecmp(w, "BOOLEAN")) {
		ty = ft_new(p->a, FT_BOOLEAN);
	} else if (!strcasecmp(w, "TINYINT")) {
		ty = ft_new(p->a, FT_TINYINT);
	} else if (!strcasecmp(w, "SMALLINT")) {
		ty = ft_new(p->a, FT_SMALLINT);
	} else if (!strcasecmp(w, "INT") || !strcasecmp(w, "INTEGER")) {
		ty = ft_new(p->a, FT_INTEGER);
	} else if (!strcasecmp(w, "BIGINT")) {
		ty = ft_new(p->a, FT_BIGINT);
	} else if (!strcasecmp(w, "FLOAT") || !strcasecmp(w, "REAL")) {
		ty = ft_new(p->a, FT_FLOAT);
	} else if (!strcasecmp(w, "DOUBLE")) {
		accept_kw(p, "PRECISION");
		ty = ft_new(p->a, FT_DOUBLE);
	} else if (!strcasecmp(w, "DECIMAL") || !strcasecmp(w, "DEC") || !strcasecmp(w, "NUMERIC")) {
		ty = ft_new(p->a, FT_DECIMAL);
		if (accept_op(p, "(")) {
			ty->prec = parse_int(p);
			if (ty->prec < 0)
				return NULL;
			if (accept_op(p, ",")) {
				ty->scale = parse_int(p);
				if (ty->scale < 0)
					return NULL;
			}
			if (!expect_op(p, ")"))
				return NULL;
		}
		if (ty->prec < 1 || ty->prec > 38 || ty->scale > ty->prec) {
			fail_validation(p, "Decimal precision must be between 1 and 38 (both inclusive).");
			return NULL;
		}
	} else if (!strcasecmp(w, "CHAR") || !strcasecmp(w, "CHARACTER")) {
		if (accept_kw(p, "VARYING")) {
			ty = ft_new(p->a, FT_VARCHAR);
			ty->len = opt_len(p, FT_MAXLEN);
		} else {
			ty = ft_new(p->a, FT_CHAR);
			ty->len = opt_len(p, 1);
		}
	} else if (!strcasecmp(w, "VARCHAR")) {
		/* Flink's type system defaults an unsized VARCHAR (and VARBINARY) to the longest */
		ty = ft_new(p->a, FT_VARCHAR);
		ty->len = opt_len(p, FT_MAXLEN);
	} else if (!strcasecmp(w, "STRING")) {
		ty = ft_new(p->a, FT_VARCHAR);
	} else if (!strcasecmp(w, "BINARY")) {
		ty = ft_new(p->a, FT_BINARY);
		ty->len = opt_len(p, 1);
	} else if (!strcasecmp(w, "VARBINARY")) {
		ty = ft_new(p->a, FT_VARBINARY);
		ty->len = opt_len(p, FT_MAXLEN);
	} else if (!strcasecmp(w, "BYTES")) {
		ty = ft_new(p->a, FT_VARBINARY);
	} else if (!strcasecmp(w, "DATE")) {
		ty = ft_new(p->a, FT_DATE);
	} else if (!strcasecmp(w, "TIME")) {
		ty = ft_new(p->a, FT_TIME);
		ty->len = opt_len(p, 0);
		if (accept_kw(p, "WITHOUT") && !(expect_kw(p, "TIME") && expect_kw(p, "ZONE")))
			return NULL;
	} else if (!strcasecmp(w, "TIMESTAMP")) {
		ty = ft_new(p->a, FT_TIMESTAMP);
		ty->len = opt_len(p, 6);
		if (accept_kw(p, "WITHOUT")) {
			if (!expect_kw(p, "TIME") || !expect_kw(p, "ZONE"))
				return NULL;
		} else if (accept_kw(p, "WITH")) {
			if (accept_kw(p, "LOCAL"))
				ty->root = FT_TIMESTAMP_LTZ;
			else
				ty->root = FT_TIMESTAMP_TZ;
			if (!expect_kw(p, "TIME") || !expect_kw(p, "ZONE"))
				return NULL;
		}
	} else if (!strcasecmp(w, "TIMESTAMP_LTZ")) {
		ty = ft_new(p->a, FT_TIMESTAMP_LTZ);
		ty->len = opt_len(p, 6);
	} else if (!strcasecmp(w, "ARRAY") || !strcasecmp(w, "MULTISET")) {
		ty = ft_new(p->a, !strcasecmp(w, "ARRAY") ? FT_ARRAY : FT_MULTISET);
		if (!expect_op(p, "<"))
			return NULL;
		ty->elem = data_type(p);
		if (!ty->elem || !expect_op(p, ">"))
			return NULL;
	} else if (!strcasecmp(w, "MAP")) {
		ty = ft_new(p->a, FT_MAP);
		if (!expect_op(p, "<"))
			return NULL;
		ty->key = data_type(p);
		if (!ty->key || !expect_op(p, ","))
			return NULL;
		ty->val = data_type(p);
		if (!ty->val || !expect_op(p, ">"))
			return NULL;
	} else if (!strcasecmp(w, "ROW")) {
		ty = ft_new(p->a, FT_ROW);
		if (accept_op(p, "<")) {
			if (row_fields(p, ty, ">"))
				return NULL;
		} else if (accept_op(p, "(")) {
			if (row_fields(p, ty, ")"))
				return NULL;
		} else {
			fail(p, "\"<\"|\"(\"");
			return NULL;
		}
	} else if (!strcasecmp(w, "INTERVAL")) {
		const char *u = tok(p)->kind == TK_IDENT ? interval_unit_name(tok(p)->val) : NULL;
		if (!u) {
			fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
			return NULL;
		}
		advance(p);
		int lp = opt_len(p, -2);
		const char *u2 = NULL;
		int fp = -2;
		if (accept_kw(p, "TO")) {
			u2 = tok(p)->kind == TK_IDENT ? interval_unit_name(tok(p)->val) : NULL;
			if (!u2) {
				fail(p, "\"MONTH\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
				return NULL;
			}
			advance(p);
			fp = opt_len(p, -2);
		}
		bool ym = !strcmp(u, "YEAR") || !strcmp(u, "MONTH");
		ty = ft_new(p->a, ym ? FT_INTERVAL_YM : FT_INTERVAL_DT);
		ty->resolution = u2 ? arena_sprintf(p->a, "%s_TO_%s", u, u2) : u;
		if (lp >= 0) {
			if (!strcmp(u, "SECOND"))
				ty->frac = lp;
			else
				ty->len = lp;
		}
		if (fp >= 0)
			ty->frac = fp;
	} else {
		p->i--;
		fail(p, "<type>");
		return NULL;
	}
	if (p->failed || ty->len < 0)
		return NULL;
	for (;;) {
		if (is_kw(p, "NOT") && tk_kw(peek(p, 1), "NULL")) {
			advance(p);
			advance(p);
			ty->nullable = false;
		} else if (is_kw(p, "NULL")) {
			advance(p);
			ty->nullable = true;
		} else if (is_kw(p, "ARRAY") || is_kw(p, "MULTISET")) {
			struct ftype *c = ft_new(p->a, is_kw(p, "ARRAY") ? FT_ARRAY : FT_MULTISET);
			advance(p);
			c->elem = ty;
			ty = c;
		} else {
			break;
		}
	}
	return ty;
}

struct ftype *parse_type_text(struct arena *a, const char *s)
{
	struct ferr e = {0};
	struct ps p = {0};
	p.a = a;
	p.e = &e;
	if (lex_sql(a, s, &p.lx, &e)) {
		ferr_release(&e);
		return NULL;
	}
	struct ftype *t = data_type(&p);
	ferr_release(&e);
	return t;
}

/* ------------------------------------------------------------------ expressions */

static struct node *expr(struct ps *p);
static struct node *add_expr(struct ps *p);
static struct query *query(struct ps *p);
static struct tref *from_clause(struct ps *p);

static struct node *mk(struct ps *p, enum nkind k, int pos)
{
	struct node *n = ARENA_NEW(p->a, struct node);
	n->k = k;
	n->pos = pos;
	n->uprec = -1;
	return n;
}

static void finish(struct ps *p, struct node *n)
{
	if (!n)
		return;
	struct token *prev = &p->lx.t[p->i > 0 ? p->i - 1 : 0];
	n->end = prev->off + prev->n;
}

static struct node **node_list(struct ps *p, int *pn, const char *close)
{
	VEC(struct node *) v = {0};
	if (!is_op(p, close)) {
		do {
			struct node *x = expr(p);
			if (!x) {
				VEC_FREE(&v);
				return NULL;
			}
			VEC_PUSH(&v, x);
		} while (accept_op(p, ","));
	}
	struct node **out = ARENA_ARRAY(p->a, struct node *, v.n + 1);
	if (v.n)
		memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
}

static bool starts_query(struct ps *p)
{
	return is_kw(p, "SELECT") || is_kw(p, "WITH") || is_kw(p, "VALUES");
}

static const char *time_unit(struct ps *p)
{
	static const char *const units[] = {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE",
		"SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND", "DOW", "DOY", "EPOCH", "MILLENNIUM",
		"CENTURY", "DECADE", "ISODOW", "ISOYEAR", "SQL_TSI_DAY", NULL};
	struct token *t = tok(p);
	if (t->kind != TK_IDENT)
		return NULL;
	for (int i = 0; units[i]; i++) {
		size_t n = strlen(units[i]);
		if (!strncasecmp(t->val, units[i], n) &&
			(t->val[n] == 0 || ((t->val[n] == 's' || t->val[n] == 'S') && t->val[n + 1] == 0))) {
			advance(p);
			return units[i];
		}
	}
	return NULL;
}

/* window -> '(' [PARTITION BY e (',' e)*] [ORDER BY order] [(ROWS|RANGE) frame] ')' */
static struct order *order_list(struct ps *p, int *pn);

static int frame_bound(struct ps *p, struct node **pe)
{
	if (accept_kw(p, "UNBOUNDED")) {
		if (accept_kw(p, "PRECEDING"))
			return 1;
		if (accept_kw(p, "FOLLOWING"))
			return 5;
		fail(p, "\"PRECEDING\"|\"FOLLOWING\"");
		return -1;
	}
	if (accept_kw(p, "CURRENT")) {
		if (!expect_kw(p, "ROW"))
			return -1;
		return 3;
	}
	*pe = expr(p);
	if (!*pe)
		return -1;
	if (accept_kw(p, "PRECEDING"))
		return 2;
	if (accept_kw(p, "FOLLOWING"))
		return 4;
	fail(p, "\"PRECEDING\"|\"FOLLOWING\"");
	return -1;
}

static struct window *window_spec(struct ps *p)
{
	if (!expect_op(p, "("))
		return NULL;
	struct window *w = ARENA_NEW(p->a, struct window);
	if (accept_kw(p, "PARTITION")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		VEC(struct node *) v = {0};
		do {
			struct node *x = expr(p);
			if (!x) {
				VEC_FREE(&v);
				return NULL;
			}
			VEC_PUSH(&v, x);
		} while (accept_op(p, ","));
		w->part = ARENA_ARRAY(p->a, struct node *, v.n);
		memcpy(w->part, v.v, sizeof(struct node *) * v.n);
		w->npart = (int)v.n;
		VEC_FREE(&v);
	}
	if (accept_kw(p, "ORDER")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		w->ord = order_list(p, &w->nord);
		if (!w->ord)
			return NULL;
	}
	if (is_kw(p, "ROWS") || is_kw(p, "RANGE")) {
		w->fkind = is_kw(p, "ROWS") ? "ROWS" : "RANGE";
		advance(p);
		if (accept_kw(p, "BETWEEN")) {
			w->lok = frame_bound(p, &w->lo);
			if (w->lok < 0 || !expect_kw(p, "AND"))
				return NULL;
			w->hik = frame_bound(p, &w->hi);
			if (w->hik < 0)
				return NULL;
		} else {
			w->lok = frame_bound(p, &w->lo);
			if (w->lok < 0)
				return NULL;
		}
	}
	if (!expect_op(p, ")"))
		return NULL;
	return w;
}

/* interval -> INTERVAL ['-'] 'text' unit ['(' p ')'] [TO unit ['(' p ')']] */
static struct node *interval_lit(struct ps *p, int pos)
{
	struct node *n = mk(p, N_INTERVAL, pos);
	bool neg = false;
	if (accept_op(p, "-"))
		neg = true;
	else
		accept_op(p, "+");
	if (tok(p)->kind != TK_STRING) {
		fail(p, "<QUOTED_STRING>");
		return NULL;
	}
	n->s = neg ? arena_sprintf(p->a, "-%s", tok(p)->val) : tok(p)->val;
	advance(p);
	const char *u = tok(p)->kind == TK_IDENT ? interval_unit_name(tok(p)->val) : NULL;
	if (!u && is_kw(p, "WEEK"))
		u = "WEEK";
	if (!u) {
		fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
		return NULL;
	}
	advance(p);
	n->unit = u;
	if (accept_op(p, "(")) {
		n->uprec = parse_int(p);
		if (n->uprec < 0 || (accept_op(p, ",") && parse_int(p) < 0) || !expect_op(p, ")"))
			return NULL;
	}
	if (accept_kw(p, "TO")) {
		const char *u2 = tok(p)->kind == TK_IDENT ? interval_unit_name(tok(p)->val) : NULL;
		if (!u2) {
			fail(p, "\"MONTH\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
			return NULL;
		}
		advance(p);
		n->unit2 = u2;
		if (accept_op(p, "(") && (parse_int(p) < 0 || !expect_op(p, ")")))
			return NULL;
	}
	finish(p, n);
	return n;
}

/* function call -> name '(' [DISTINCT|ALL] [args | '*'] ')' [FILTER '(' WHERE e ')'] [OVER window] */
static struct node *func_call(struct ps *p, const char *name, int pos)
{
	struct node *n = mk(p, N_FUNC, pos);
	n->s = name;
	if (!expect_op(p, "("))
		return NULL;
	if (accept_kw(p, "DISTINCT"))
		n->flag = true;
	else
		accept_kw(p, "ALL");
	if (is_op(p, "*") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, ")")) {
		advance(p);
		n->star = true;
	} else {
		n->args = node_list(p, &n->nargs, ")");
		if (p->failed)
			return NULL;
	}
	if (!expect_op(p, ")"))
		return NULL;
	if (accept_kw(p, "FILTER")) {
		if (!expect_op(p, "(") || !expect_kw(p, "WHERE"))
			return NULL;
		struct node *f = expr(p);
		if (!f || !expect_op(p, ")"))
			return NULL;
		/* COUNT(x) FILTER (WHERE c) is kept as the last argument under flag unit "FILTER" */
		struct node **na = ARENA_ARRAY(p->a, struct node *, n->nargs + 1);
		if (n->nargs)
			memcpy(na, n->args, sizeof(*na) * n->nargs);
		na[n->nargs++] = f;
		n->args = na;
		n->unit = "FILTER";
	}
	if (accept_kw(p, "OVER")) {
		if (is_ident(p)) {
			fail(p, "\"(\"");
			return NULL;
		}
		n->over = window_spec(p);
		if (!n->over)
			return NULL;
	}
	finish(p, n);
	return n;
}

/* case -> CASE [e] (WHEN e THEN e)+ [ELSE e] END ; args: [operand|NULL], when, then, ..., [else] */
static struct node *case_expr(struct ps *p, int pos)
{
	struct node *n = mk(p, N_CASE, pos);
	VEC(struct node *) v = {0};
	struct node *operand = NULL;
	if (!is_kw(p, "WHEN")) {
		operand = expr(p);
		if (!operand)
			goto bad;
	}
	VEC_PUSH(&v, operand);
	if (!is_kw(p, "WHEN")) {
		fail(p, "\"WHEN\"");
		goto bad;
	}
	while (accept_kw(p, "WHEN")) {
		struct node *w = expr(p);
		if (!w || !expect_kw(p, "THEN"))
			goto bad;
		struct node *t = expr(p);
		if (!t)
			goto bad;
		VEC_PUSH(&v, w);
		VEC_PUSH(&v, t);
	}
	if (accept_kw(p, "ELSE")) {
		struct node *el = expr(p);
		if (!el)
			goto bad;
		VEC_PUSH(&v, el);
		n->flag = true;  /* has ELSE */
	}
	if (!expect_kw(p, "END"))
		goto bad;
	n->args = ARENA_ARRAY(p->a, struct node *, v.n);
	memcpy(n->args, v.v, sizeof(struct node *) * v.n);
	n->nargs = (int)v.n;
	VEC_FREE(&v);
	finish(p, n);
	return n;
bad:
	VEC_FREE(&v);
	return NULL;
}

static struct node *primary(struct ps *p)
{
	struct token *t = tok(p);
	int pos = t->off;
	struct node *n;
	switch (t->kind) {
	case TK_NUMBER:
		n = mk(p, N_NUM, pos);
		n->s = t->val;
		advance(p);
		finish(p, n);
		return n;
	case TK_STRING:
		n = mk(p, (t->p[0] == 'X' || t->p[0] == 'x') ? N_BINSTR : N_STR, pos);
		n->s = t->val;
		advance(p);
		finish(p, n);
		return n;
	case TK_OP:
		if (is_op(p, "(")) {
			advance(p);
			if (starts_query(p)) {
				n = mk(p, N_SUBQ, pos);
				n->q = query(p);
				if (!n->q || !expect_op(p, ")"))
					return NULL;
				finish(p, n);
				return n;
			}
			struct node *first = expr(p);
			if (!first)
				return NULL;
			if (accept_op(p, ",")) {
				n = mk(p, N_ROW, pos);
				int cnt = 0;
				struct node **rest = node_list(p, &cnt, ")");
				if (p->failed)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, cnt + 1);
				n->args[0] = first;
				memcpy(n->args + 1, rest, sizeof(*rest) * cnt);
				n->nargs = cnt + 1;
				if (!expect_op(p, ")"))
					return NULL;
				finish(p, n);
				return n;
			}
			if (!expect_op(p, ")"))
				return NULL;
			/* keep the parentheses for unparsing */
			n = mk(p, N_UN, pos);
			n->s = "()";
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = first;
			n->nargs = 1;
			finish(p, n);
			return n;
		}
		if (is_op(p, "*")) {
			advance(p);
			n = mk(p, N_STAR, pos);
			finish(p, n);
			return n;
		}
		fail(p, NULL);
		return NULL;
	case TK_QIDENT:
	case TK_IDENT:
		break;
	default:
		fail(p, NULL);
		return NULL;
	}
	const char *w = t->kind == TK_IDENT ? t->val : NULL;
	if (w) {
		if (!strcasecmp(w, "NULL")) {
			advance(p);
			n = mk(p, N_NULL, pos);
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TRUE") || !strcasecmp(w, "FALSE")) {
			advance(p);
			n = mk(p, N_BOOL, pos);
			n->flag = !strcasecmp(w, "TRUE");
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "INTERVAL")) {
			advance(p);
			return interval_lit(p, pos);
		}
		if ((!strcasecmp(w, "DATE") || !strcasecmp(w, "TIME") || !strcasecmp(w, "TIMESTAMP") ||
			!strcasecmp(w, "TIMESTAMP_LTZ")) && peek(p, 1)->kind == TK_STRING) {
			advance(p);
			n = mk(p, N_TYPED, pos);
			n->unit = !strcasecmp(w, "DATE") ? "DATE" : !strcasecmp(w, "TIME") ? "TIME" :
				!strcasecmp(w, "TIMESTAMP") ? "TIMESTAMP" : "TIMESTAMP_LTZ";
			n->s = tok(p)->val;
			advance(p);
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "CASE")) {
			advance(p);
			return case_expr(p, pos);
		}
		if ((!strcasecmp(w, "CAST") || !strcasecmp(w, "TRY_CAST")) && peek(p, 1)->kind == TK_OP &&
			!strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_CAST, pos);
			n->flag = !strcasecmp(w, "TRY_CAST");
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = expr(p);
			n->nargs = 1;
			if (!n->args[0] || !expect_kw(p, "AS"))
				return NULL;
			n->type = data_type(p);
			if (!n->type || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "EXTRACT") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_EXTRACT, pos);
			n->unit = time_unit(p);
			if (!n->unit) {
				fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
				return NULL;
			}
			if (!expect_kw(p, "FROM"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = expr(p);
			n->nargs = 1;
			if (!n->args[0] || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if ((!strcasecmp(w, "TIMESTAMPADD") || !strcasecmp(w, "TIMESTAMPDIFF")) &&
			peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_FUNC, pos);
			n->s = !strcasecmp(w, "TIMESTAMPADD") ? "TIMESTAMPADD" : "TIMESTAMPDIFF";
			n->unit = time_unit(p);
			if (!n->unit) {
				fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
				return NULL;
			}
			if (!expect_op(p, ","))
				return NULL;
			n->args = node_list(p, &n->nargs, ")");
			if (p->failed || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TRIM") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_TRIM, pos);
			n->unit = "BOTH";
			if (accept_kw(p, "BOTH"))
				n->unit = "BOTH";
			else if (accept_kw(p, "LEADING"))
				n->unit = "LEADING";
			else if (accept_kw(p, "TRAILING"))
				n->unit = "TRAILING";
			struct node *chars = NULL, *s = NULL;
			if (accept_kw(p, "FROM")) {
				s = expr(p);
			} else {
				struct node *x = expr(p);
				if (!x)
					return NULL;
				if (accept_kw(p, "FROM")) {
					chars = x;
					s = expr(p);
				} else {
					s = x;
				}
			}
			if (!s || !expect_op(p, ")"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 2);
			n->args[0] = s;
			n->args[1] = chars;
			n->nargs = 2;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "POSITION") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_POSITION, pos);
			n->args = ARENA_ARRAY(p->a, struct node *, 2);
			n->nargs = 2;
			/* parse below IN precedence: additive expressions */
			n->args[0] = add_expr(p);
			if (!n->args[0] || !expect_kw(p, "IN"))
				return NULL;
			n->args[1] = expr(p);
			if (!n->args[1] || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if ((!strcasecmp(w, "SUBSTRING") || !strcasecmp(w, "SUBSTR")) && peek(p, 1)->kind == TK_OP &&
			!strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_FUNC, pos);
			n->s = "SUBSTRING";
			struct node *s = expr(p);
			if (!s)
				return NULL;
			struct node *a1 = NULL, *a2 = NULL;
			if (accept_kw(p, "FROM") || accept_op(p, ",")) {
				a1 = expr(p);
				if (!a1)
					return NULL;
				if (accept_kw(p, "FOR") || accept_op(p, ",")) {
					a2 = expr(p);
					if (!a2)
						return NULL;
				}
			}
			if (!expect_op(p, ")"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[n->nargs++] = s;
			if (a1)
				n->args[n->nargs++] = a1;
			if (a2)
				n->args[n->nargs++] = a2;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "EXISTS") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_EXISTS, pos);
			n->q = query(p);
			if (!n->q || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "ARRAY") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "[")) {
			advance(p);
			advance(p);
			n = mk(p, N_ARRAY, pos);
			n->args = node_list(p, &n->nargs, "]");
			if (p->failed || !expect_op(p, "]"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "MAP") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "[")) {
			advance(p);
			advance(p);
			n = mk(p, N_MAP, pos);
			n->args = node_list(p, &n->nargs, "]");
			if (p->failed || !expect_op(p, "]"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "ROW") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_ROW, pos);
			n->args = node_list(p, &n->nargs, ")");
			if (p->failed || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "DESCRIPTOR") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			n = mk(p, N_DESCRIPTOR, pos);
			n->parts = ident_list(p, &n->nparts);
			if (!n->parts)
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TABLE") && (peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_QIDENT)) {
			advance(p);
			n = mk(p, N_TABLEARG, pos);
			n->tab = ARENA_NEW(p->a, struct tref);
			n->tab->k = T_TABLE;
			n->tab->pos = tok(p)->off;
			n->tab->parts = compound(p, &n->tab->nparts);
			if (!n->tab->parts)
				return NULL;
			finish(p, n);
			n->tab->end = n->end;
			return n;
		}
		static const char *const niladic[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
			"LOCALTIMESTAMP", "LOCALTIME", "CURRENT_ROW_TIMESTAMP", "CURRENT_USER", "USER", NULL};
		for (int i = 0; niladic[i]; i++) {
			if (!strcasecmp(w, niladic[i])) {
				advance(p);
				n = mk(p, N_FUNC, pos);
				n->s = niladic[i];
				n->unit = "NILADIC";
				if (is_op(p, "(") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, ")")) {
					advance(p);
					advance(p);
					n->unit = NULL;
				}
				finish(p, n);
				return n;
			}
		}
		/* functions whose names are reserved words */
		if (is_reserved(w) && !(peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(") &&
			(!strcasecmp(w, "LEFT") || !strcasecmp(w, "RIGHT")))) {
			fail(p, NULL);
			return NULL;
		}
	}
	/* identifier, compound identifier, t.*, or a function call */
	VEC(const char *) parts = {0};
	VEC_PUSH(&parts, t->val);
	advance(p);
	if (t->kind == TK_IDENT && is_op(p, "(")) {
		VEC_FREE(&parts);
		return func_call(p, t->val, pos);
	}
	bool star = false;
	while (is_op(p, ".")) {
		struct token *nx = peek(p, 1);
		if (nx->kind == TK_OP && !strcmp(nx->val, "*")) {
			advance(p);
			advance(p);
			star = true;
			break;
		}
		if (nx->kind != TK_IDENT && nx->kind != TK_QIDENT)
			break;
		advance(p);
		VEC_PUSH(&parts, tok(p)->val);
		advance(p);
	}
	if (!star && parts.n > 1 && is_op(p, "(")) {
		/* catalog function (cat.db.f(...)) are not supported: treat as call of the last part */
		const char *fname = parts.v[parts.n - 1];
		VEC_FREE(&parts);
		return func_call(p, fname, pos);
	}
	n = mk(p, star ? N_STAR : N_ID, pos);
	n->parts = ARENA_ARRAY(p->a, const char *, parts.n);
	memcpy(n->parts, parts.v, sizeof(const char *) * parts.n);
	n->nparts = (int)parts.n;
	VEC_FREE(&parts);
	finish(p, n);
	return n;
}

/* postfix -> primary ('[' e ']' | '.' ident)* */
static struct node *postfix(struct ps *p)
{
	struct node *n = primary(p);
	while (n && (is_op(p, "[") || (is_op(p, ".") && n->k != N_ID &&
		(peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_QIDENT)))) {
		if (accept_op(p, "[")) {
			struct node *it = mk(p, N_ITEM, n->pos);
			it->args = ARENA_ARRAY(p->a, struct node *, 2);
			it->args[0] = n;
			it->args[1] = expr(p);
			it->nargs = 2;
			if (!it->args[1] || !expect_op(p, "]"))
				return NULL;
			finish(p, it);
			n = it;
		} else {
			advance(p);
			struct node *f = mk(p, N_ITEM, n->pos);
			f->s = tok(p)->val;  /* field access */
			advance(p);
			f->args = ARENA_ARRAY(p->a, struct node *, 1);
			f->args[0] = n;
			f->nargs = 1;
			finish(p, f);
			n = f;
		}
	}
	return n;
}

static struct node *unary(struct ps *p)
{
	if (is_op(p, "-") || is_op(p, "+")) {
		int pos = tok(p)->off;
		const char *op = tok(p)->val;
		advance(p);
		struct node *x = unary(p);
		if (!x)
			return NULL;
		if (x->k == N_NUM && !strcmp(op, "-")) {
			x->s = arena_sprintf(p->a, "-%s", x->s);
			x->pos = pos;
			return x;
		}
		struct node *n = mk(p, N_UN, pos);
		n->s = op;
		n->args = ARENA_ARRAY(p->a, struct node *, 1);
		n->args[0] = x;
		n->nargs = 1;
		finish(p, n);
		return n;
	}
	return postfix(p);
}

static struct node *binary(struct ps *p, const char *op, struct node *l, struct node *r)
{
	struct node *n = mk(p, N_BIN, l->pos);
	n->s = op;
	n->args = ARENA_ARRAY(p->a, struct node *, 2);
	n->args[0] = l;
	n->args[1] = r;
	n->nargs = 2;
	finish(p, n);
	return n;
}

static struct node *mul(struct ps *p)
{
	struct node *l = unary(p);
	while (l && (is_op(p, "*") || is_op(p, "/") || is_op(p, "%"))) {
		const char *op = tok(p)->val;
		advance(p);
		struct node *r = unary(p);
		if (!r)
			return NULL;
		l = binary(p, op, l, r);
	}
	return l;
}

static struct node *add_expr(struct ps *p)
{
	struct node *l = mul(p);
	while (l && (is_op(p, "+") || is_op(p, "-") || is_op(p, "||"))) {
		const char *op = tok(p)->val;
		advance(p);
		struct node *r = mul(p);
		if (!r)
			return NULL;
		l = binary(p, op, l, r);
	}
	return l;
}

/*
 * pred -> add [cmp add | IS [NOT] (NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM add)
 *             | [NOT] BETWEEN add AND add | [NOT] IN '(' (query | list) ')'
 *             | [NOT] (LIKE | SIMILAR TO) add [ESCAPE add]]
 */
static struct node *pred(struct ps *p)
{
	struct node *l = add_expr(p);
	if (!l)
		return NULL;
	for (;;) {
		static const char *const cmps[] = {"=", "<>", "!=", "<", ">", "<=", ">=", NULL};
		bool matched = false;
		for (int i = 0; cmps[i]; i++) {
			if (is_op(p, cmps[i])) {
				const char *op = !strcmp(cmps[i], "!=") ? "<>" : cmps[i];
				advance(p);
				struct node *r = add_expr(p);
				if (!r)
					return NULL;
				l = binary(p, op, l, r);
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		if (is_kw(p, "IS")) {
			advance(p);
			struct node *n = mk(p, N_IS, l->pos);
			n->flag = accept_kw(p, "NOT");
			if (accept_kw(p, "NULL"))
				n->s = "NULL";
			else if (accept_kw(p, "TRUE"))
				n->s = "TRUE";
			else if (accept_kw(p, "FALSE"))
				n->s = "FALSE";
			else if (accept_kw(p, "UNKNOWN"))
				n->s = "UNKNOWN";
			else if (accept_kw(p, "DISTINCT")) {
				if (!expect_kw(p, "FROM"))
					return NULL;
				n->s = "DISTINCT FROM";
				struct node *r = add_expr(p);
				if (!r)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, 2);
				n->args[0] = l;
				n->args[1] = r;
				n->nargs = 2;
				finish(p, n);
				l = n;
				continue;
			} else {
				fail(p, "\"NULL\"|\"TRUE\"|\"FALSE\"|\"UNKNOWN\"|\"DISTINCT\"");
				return NULL;
			}
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = l;
			n->nargs = 1;
			finish(p, n);
			l = n;
			continue;
		}
		bool neg = false;
		int save = p->i;
		if (is_kw(p, "NOT") && (tk_kw(peek(p, 1), "BETWEEN") || tk_kw(peek(p, 1), "IN") ||
			tk_kw(peek(p, 1), "LIKE") || tk_kw(peek(p, 1), "SIMILAR"))) {
			advance(p);
			neg = true;
		}
		if (accept_kw(p, "BETWEEN")) {
			if (!accept_kw(p, "ASYMMETRIC"))
				accept_kw(p, "SYMMETRIC");
			struct node *n = mk(p, N_BETWEEN, l->pos);
			n->flag = neg;
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[0] = l;
			n->args[1] = add_expr(p);
			if (!n->args[1] || !expect_kw(p, "AND"))
				return NULL;
			n->args[2] = add_expr(p);
			if (!n->args[2])
				return NULL;
			n->nargs = 3;
			finish(p, n);
			l = n;
			continue;
		}
		if (accept_kw(p, "IN")) {
			struct node *n = mk(p, N_IN, l->pos);
			n->flag = neg;
			if (!expect_op(p, "("))
				return NULL;
			if (starts_query(p)) {
				n->q = query(p);
				if (!n->q)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, 1);
				n->args[0] = l;
				n->nargs = 1;
			} else {
				int cnt;
				struct node **vals = node_list(p, &cnt, ")");
				if (p->failed)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, cnt + 1);
				n->args[0] = l;
				memcpy(n->args + 1, vals, sizeof(*vals) * cnt);
				n->nargs = cnt + 1;
			}
			if (!expect_op(p, ")"))
				return NULL;
			finish(p, n);
			l = n;
			continue;
		}
		if (is_kw(p, "LIKE") || is_kw(p, "SIMILAR")) {
			struct node *n = mk(p, N_LIKE, l->pos);
			n->flag = neg;
			n->s = "LIKE";
			if (accept_kw(p, "SIMILAR")) {
				if (!expect_kw(p, "TO"))
					return NULL;
				n->s = "SIMILAR TO";
			} else {
				advance(p);
			}
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[0] = l;
			n->args[1] = add_expr(p);
			if (!n->args[1])
				return NULL;
			n->nargs = 2;
			if (accept_kw(p, "ESCAPE")) {
				n->args[2] = add_expr(p);
				if (!n->args[2])
					return NULL;
				n->nargs = 3;
			}
			finish(p, n);
			l = n;
			continue;
		}
		p->i = save;
		break;
	}
	return l;
}

static struct node *not_expr(struct ps *p)
{
	if (is_kw(p, "NOT")) {
		int pos = tok(p)->off;
		advance(p);
		struct node *x = not_expr(p);
		if (!x)
			return NULL;
		struct node *n = mk(p, N_UN, pos);
		n->s = "NOT";
		n->args = ARENA_ARRAY(p->a, struct node *, 1);
		n->args[0] = x;
		n->nargs = 1;
		finish(p, n);
		return n;
	}
	return pred(p);
}

static struct node *and_expr(struct ps *p)
{
	struct node *l = not_expr(p);
	while (l && is_kw(p, "AND")) {
		advance(p);
		struct node *r = not_expr(p);
		if (!r)
			return NULL;
		l = binary(p, "AND", l, r);
	}
	return l;
}

/* expr -> and (OR and)* */
static struct node *expr(struct ps *p)
{
	struct node *l = and_expr(p);
	while (l && is_kw(p, "OR")) {
		advance(p);
		struct node *r = and_expr(p);
		if (!r)
			return NULL;
		l = binary(p, "OR", l, r);
	}
	return l;
}

/* ------------------------------------------------------------------ queries */

/* order -> e [ASC|DESC] [NULLS FIRST|LAST] (',' ...)* */
static struct order *order_list(struct ps *p, int *pn)
{
	VEC(struct order) v = {0};
	do {
		struct order o = {0};
		o.e = expr(p);
		if (!o.e) {
			VEC_FREE(&v);
			return NULL;
		}
		if (accept_kw(p, "DESC"))
			o.desc = true;
		else
			accept_kw(p, "ASC");
		if (accept_kw(p, "NULLS")) {
			if (accept_kw(p, "FIRST"))
				o.nulls = 1;
			else if (accept_kw(p, "LAST"))
				o.nulls = 2;
			else {
				fail(p, "\"FIRST\"|\"LAST\"");
				VEC_FREE(&v);
				return NULL;
			}
		}
		VEC_PUSH(&v, o);
	} while (accept_op(p, ","));
	struct order *out = ARENA_ARRAY(p->a, struct order, v.n);
	memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
}

static bool alias_follows(struct ps *p)
{
	return is_ident(p);
}

/* hint -> OPTIONS '(' 'k' '=' 'v' (',' 'k' '=' 'v')* ')' inside a hint comment; other hints are ignored */
static int table_hint(struct ps *p, struct tref *t)
{
	struct token *h = tok(p);
	advance(p);
	struct ferr e2 = {0};
	struct ps q = {0};
	q.a = p->a;
	q.e = &e2;
	if (lex_sql(p->a, h->val, &q.lx, &e2)) {
		ferr_release(&e2);
		return 0;
	}
	VEC(struct fopt) v = {0};
	while (tok(&q)->kind != TK_EOF) {
		if (is_kw(&q, "OPTIONS")) {
			advance(&q);
			int n = 0;
			struct fopt *o = options(&q, &n);
			if (!o) {
				ferr_release(&e2);
				VEC_FREE(&v);
				p->i--;
				fail(p, NULL);
				return -1;
			}
			for (int i = 0; i < n; i++)
				VEC_PUSH(&v, o[i]);
		} else {
			/* another hint (LOOKUP, BROADCAST, ...): skip its arguments */
			advance(&q);
			if (is_op(&q, "(")) {
				int depth = 0;
				do {
					if (is_op(&q, "("))
						depth++;
					else if (is_op(&q, ")"))
						depth--;
					advance(&q);
				} while (depth > 0 && tok(&q)->kind != TK_EOF);
			}
		}
		accept_op(&q, ",");
	}
	ferr_release(&e2);
	if (v.n) {
		t->hints = ARENA_ARRAY(p->a, struct fopt, v.n);
		memcpy(t->hints, v.v, sizeof(struct fopt) * v.n);
		t->nhints = (int)v.n;
	}
	VEC_FREE(&v);
	return 0;
}

static int table_alias(struct ps *p, struct tref *t)
{
	if (accept_kw(p, "AS") || alias_follows(p)) {
		t->alias = ident(p);
		if (!t->alias)
			return -1;
		if (is_op(p, "(")) {
			t->acols = ident_list(p, &t->nacols);
			if (!t->acols)
				return -1;
		}
	}
	return 0;
}

/*
 * from_primary -> name [hint] [FOR SYSTEM_TIME AS OF e] [[AS] alias ['(' cols ')']]
 *               | [LATERAL] '(' query ')' [AS] alias ['(' cols ')'] | '(' from ')'
 *               | [LATERAL] TABLE '(' TVF '(' args ')' ')' [[AS] alias]
 *               | UNNEST '(' e ')' [WITH ORDINALITY] [AS] alias ['(' cols ')']
 */
static struct tref *from_primary(struct ps *p)
{
	struct tref *t = ARENA_NEW(p->a, struct tref);
	t->pos = tok(p)->off;
	bool lateral = accept_kw(p, "LATERAL");
	if (is_kw(p, "TABLE") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
		advance(p);
		advance(p);
		t->k = T_TVF;
		t->lateral = lateral;
		if (tok(p)->kind != TK_IDENT) {
			fail(p, NULL);
			return NULL;
		}
		t->fn = tok(p)->val;
		advance(p);
		if (!expect_op(p, "("))
			return NULL;
		VEC(struct node *) v = {0};
		if (!is_op(p, ")")) {
			do {
				/* named arguments (DATA => TABLE t) are accepted and kept in order */
				if ((tok(p)->kind == TK_IDENT) && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "=>")) {
					advance(p);
					advance(p);
				}
				struct node *x = expr(p);
				if (!x) {
					VEC_FREE(&v);
					return NULL;
				}
				VEC_PUSH(&v, x);
			} while (accept_op(p, ","));
		}
		t->args = ARENA_ARRAY(p->a, struct node *, v.n + 1);
		if (v.n)
			memcpy(t->args, v.v, sizeof(struct node *) * v.n);
		t->nargs = (int)v.n;
		VEC_FREE(&v);
		if (!expect_op(p, ")") || !expect_op(p, ")"))
			return NULL;
		if (table_alias(p, t))
			return NULL;
	} else if (is_kw(p, "UNNEST")) {
		advance(p);
		t->k = T_UNNEST;
		if (!expect_op(p, "("))
			return NULL;
		t->args = node_list(p, &t->nargs, ")");
		if (p->failed || !expect_op(p, ")"))
			return NULL;
		if (accept_kw(p, "WITH") && !expect_kw(p, "ORDINALITY"))
			return NULL;
		if (table_alias(p, t))
			return NULL;
	} else if (is_op(p, "(")) {
		advance(p);
		if (starts_query(p) || is_op(p, "(")) {
			int save = p->i;
			if (starts_query(p)) {
				t->k = T_SUBQ;
				t->q = query(p);
				if (!t->q || !expect_op(p, ")"))
					return NULL;
			} else {
				/* nested parentheses: a query or a join */
				struct tref *inner = from_clause(p);
				if (!inner) {
					if (p->failed)
						return NULL;
					p->i = save;
				}
				if (!expect_op(p, ")"))
					return NULL;
				t = inner;
				return t;
			}
		} else {
			struct tref *inner = from_clause(p);
			if (!inner || !expect_op(p, ")"))
				return NULL;
			return inner;
		}
		t->lateral = lateral;
		if (table_alias(p, t))
			return NULL;
	} else {
		t->k = T_TABLE;
		t->parts = compound(p, &t->nparts);
		if (!t->parts)
			return NULL;
		if (tok(p)->kind == TK_HINT && table_hint(p, t))
			return NULL;
		if (is_kw(p, "FOR") && tk_kw(peek(p, 1), "SYSTEM_TIME")) {
			advance(p);
			advance(p);
			if (!expect_kw(p, "AS") || !expect_kw(p, "OF"))
				return NULL;
			t->systime = add_expr(p);
			if (!t->systime)
				return NULL;
		}
		if (table_alias(p, t))
			return NULL;
	}
	struct token *prev = &p->lx.t[p->i - 1];
	t->end = prev->off + prev->n;
	return t;
}

/* from -> from_primary ((',' from_primary) | join_type JOIN from_primary [ON e | USING '(' ids ')'])* */
static struct tref *from_clause(struct ps *p)
{
	struct tref *l = from_primary(p);
	while (l) {
		const char *jt = NULL;
		bool natural = false;
		if (accept_op(p, ",")) {
			jt = "CROSS";
		} else {
			if (accept_kw(p, "NATURAL"))
				natural = true;
			if (accept_kw(p, "INNER"))
				jt = "INNER";
			else if (accept_kw(p, "LEFT"))
				jt = "LEFT";
			else if (accept_kw(p, "RIGHT"))
				jt = "RIGHT";
			else if (accept_kw(p, "FULL"))
				jt = "FULL";
			else if (accept_kw(p, "CROSS"))
				jt = "CROSS";
			if (jt && strcmp(jt, "INNER") && strcmp(jt, "CROSS"))
				accept_kw(p, "OUTER");
			if (!jt && is_kw(p, "JOIN"))
				jt = "INNER";
			if (!jt) {
				if (natural) {
					fail(p, "\"JOIN\"");
					return NULL;
				}
				break;
			}
			if (!expect_kw(p, "JOIN"))
				return NULL;
		}
		struct tref *r = from_primary(p);
		if (!r)
			return NULL;
		struct tref *j = ARENA_NEW(p->a, struct tref);
		j->k = T_JOIN;
		j->pos = l->pos;
		j->jtype = jt;
		j->natural = natural;
		j->l = l;
		j->r = r;
		if (strcmp(jt, "CROSS") && !natural) {
			if (accept_kw(p, "ON")) {
				j->on = expr(p);
				if (!j->on)
					return NULL;
			} else if (accept_kw(p, "USING")) {
				j->usingc = ident_list(p, &j->nusing);
				if (!j->usingc)
					return NULL;
			} else if (!r->lateral) {
				fail(p, "\"ON\"|\"USING\"");
				return NULL;
			}
		}
		struct token *prev = &p->lx.t[p->i - 1];
		j->end = prev->off + prev->n;
		l = j;
	}
	return l;
}

/* select -> SELECT [hint] [DISTINCT|ALL] items [FROM from] [WHERE e] [GROUP BY es] [HAVING e] */
static struct query *select_q(struct ps *p)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_SELECT;
	q->pos = tok(p)->off;
	if (!expect_kw(p, "SELECT"))
		return NULL;
	while (tok(p)->kind == TK_HINT)
		advance(p);
	if (accept_kw(p, "DISTINCT"))
		q->distinct = true;
	else
		accept_kw(p, "ALL");
	VEC(struct sitem) items = {0};
	do {
		struct sitem it = {0};
		it.e = expr(p);
		if (!it.e) {
			VEC_FREE(&items);
			return NULL;
		}
		if (it.e->k != N_STAR && (accept_kw(p, "AS") || alias_follows(p))) {
			if (tok(p)->kind == TK_STRING) {
				it.alias = string_lit(p);
			} else {
				it.alias = ident(p);
				if (!it.alias) {
					VEC_FREE(&items);
					return NULL;
				}
			}
		}
		VEC_PUSH(&items, it);
	} while (accept_op(p, ","));
	q->items = ARENA_ARRAY(p->a, struct sitem, items.n);
	memcpy(q->items, items.v, sizeof(struct sitem) * items.n);
	q->nitems = (int)items.n;
	VEC_FREE(&items);
	if (accept_kw(p, "FROM")) {
		q->from = from_clause(p);
		if (!q->from)
			return NULL;
	}
	if (accept_kw(p, "WHERE")) {
		q->where = expr(p);
		if (!q->where)
			return NULL;
	}
	if (accept_kw(p, "GROUP")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		if (is_kw(p, "GROUPING") || is_kw(p, "ROLLUP") || is_kw(p, "CUBE")) {
			fail(p, NULL);
			return NULL;
		}
		q->group = node_list(p, &q->ngroup, ")");
		if (p->failed)
			return NULL;
		if (!q->ngroup) {
			fail(p, NULL);
			return NULL;
		}
	}
	if (accept_kw(p, "HAVING")) {
		q->having = expr(p);
		if (!q->having)
			return NULL;
	}
	if (is_kw(p, "WINDOW") || is_kw(p, "QUALIFY")) {
		fail(p, NULL);
		return NULL;
	}
	return q;
}

/* values -> VALUES row (',' row)* ; row -> '(' e (',' e)* ')' | e */
static struct query *values_q(struct ps *p)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_VALUES;
	q->pos = tok(p)->off;
	advance(p);
	VEC(struct node *) rows = {0};
	do {
		int pos = tok(p)->off;
		struct node *r = mk(p, N_ROW, pos);
		if (accept_op(p, "(")) {
			r->args = node_list(p, &r->nargs, ")");
			if (p->failed || !expect_op(p, ")")) {
				VEC_FREE(&rows);
				return NULL;
			}
		} else {
			r->args = ARENA_ARRAY(p->a, struct node *, 1);
			r->args[0] = expr(p);
			r->nargs = 1;
			if (!r->args[0]) {
				VEC_FREE(&rows);
				return NULL;
			}
		}
		finish(p, r);
		VEC_PUSH(&rows, r);
	} while (accept_op(p, ","));
	q->rows = ARENA_ARRAY(p->a, struct node *, rows.n);
	memcpy(q->rows, rows.v, sizeof(struct node *) * rows.n);
	q->nrows = (int)rows.n;
	VEC_FREE(&rows);
	return q;
}

static struct query *query_primary(struct ps *p)
{
	if (is_kw(p, "SELECT"))
		return select_q(p);
	if (is_kw(p, "VALUES"))
		return values_q(p);
	if (is_op(p, "(")) {
		advance(p);
		struct query *q = query(p);
		if (!q || !expect_op(p, ")"))
			return NULL;
		return q;
	}
	fail(p, "\"SELECT\"|\"VALUES\"|\"WITH\"|\"(\"");
	return NULL;
}

static struct query *setop(struct ps *p, const char *op, struct query *l, struct query *r, bool all)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_SETOP;
	q->pos = l->pos;
	q->op = op;
	q->all = all;
	q->l = l;
	q->r = r;
	return q;
}

static struct query *query_term(struct ps *p)
{
	struct query *l = query_primary(p);
	while (l && is_kw(p, "INTERSECT")) {
		advance(p);
		bool all = accept_kw(p, "ALL");
		if (!all)
			accept_kw(p, "DISTINCT");
		struct query *r = query_primary(p);
		if (!r)
			return NULL;
		l = setop(p, "INTERSECT", l, r, all);
	}
	return l;
}

/* query -> [WITH cte (',' cte)*] body [ORDER BY order] [LIMIT n] [OFFSET n [ROWS]] [FETCH FIRST n ROWS ONLY] */
static struct query *query(struct ps *p)
{
	int pos = tok(p)->off;
	VEC(struct cte) ctes = {0};
	if (accept_kw(p, "WITH")) {
		do {
			struct cte c = {0};
			c.name = ident(p);
			if (!c.name)
				goto bad;
			if (is_op(p, "(")) {
				c.cols = ident_list(p, &c.ncols);
				if (!c.cols)
					goto bad;
			}
			if (!expect_kw(p, "AS") || !expect_op(p, "("))
				goto bad;
			c.q = query(p);
			if (!c.q || !expect_op(p, ")"))
				goto bad;
			VEC_PUSH(&ctes, c);
		} while (accept_op(p, ","));
	}
	struct query *q = query_term(p);
	if (!q)
		goto bad;
	while (is_kw(p, "UNION") || is_kw(p, "EXCEPT") || is_kw(p, "MINUS")) {
		const char *op = is_kw(p, "UNION") ? "UNION" : "EXCEPT";
		advance(p);
		bool all = accept_kw(p, "ALL");
		if (!all)
			accept_kw(p, "DISTINCT");
		struct query *r = query_term(p);
		if (!r)
			goto bad;
		q = setop(p, op, q, r, all);
	}
	if (ctes.n) {
		if (q->nctes) {
			/* WITH around a parenthesised WITH: wrap */
			struct query *w = ARENA_NEW(p->a, struct query);
			w->k = Q_SETOP;
			w->op = NULL;
			w->l = q;
			q = w;
		}
		q->ctes = ARENA_ARRAY(p->a, struct cte, ctes.n);
		memcpy(q->ctes, ctes.v, sizeof(struct cte) * ctes.n);
		q->nctes = (int)ctes.n;
	}
	VEC_FREE(&ctes);
	if (is_kw(p, "ORDER")) {
		advance(p);
		if (!expect_kw(p, "BY"))
			return NULL;
		struct order *o;
		int n;
		o = order_list(p, &n);
		if (!o)
			return NULL;
		if (q->nord || q->limit) {
			struct query *w = ARENA_NEW(p->a, struct query);
			w->k = Q_SETOP;
			w->l = q;
			q = w;
		}
		q->ord = o;
		q->nord = n;
	}
	if (accept_kw(p, "LIMIT")) {
		q->limit = add_expr(p);
		if (!q->limit)
			return NULL;
	}
	if (accept_kw(p, "OFFSET")) {
		q->offset = add_expr(p);
		if (!q->offset)
			return NULL;
		if (!accept_kw(p, "ROWS"))
			accept_kw(p, "ROW");
	}
	if (accept_kw(p, "FETCH")) {
		if (!accept_kw(p, "FIRST") && !expect_kw(p, "NEXT"))
			return NULL;
		q->limit = add_expr(p);
		if (!q->limit)
			return NULL;
		if (!accept_kw(p, "ROWS") && !expect_kw(p, "ROW"))
			return NULL;
		if (!expect_kw(p, "ONLY"))
			return NULL;
	}
	q->pos = pos;
	struct token *prev = &p->lx.t[p->i > 0 ? p->i - 1 : 0];
	q->end = prev->off + prev->n;
	return q;
bad:
	VEC_FREE(&ctes);
	return NULL;
}

/* ------------------------------------------------------------------ DDL */

/*
 * column -> ident (AS expr [COMMENT 's']
 *                 | type [METADATA [FROM 'key'] [VIRTUAL]] [[CONSTRAINT n] PRIMARY KEY NOT ENFORCED] [COMMENT 's'])
 */
static int pk_not_enforced(struct ps *p)
{
	if (accept_kw(p, "NOT")) {
		if (!expect_kw(p, "ENFORCED"))
			return -1;
		return 0;
	}
	if (is_kw(p, "ENFORCED") || is_op(p, ",") || is_op(p, ")")) {
		fail_validation(p, "Flink doesn't support ENFORCED mode for PRIMARY KEY constraint. ENFORCED/NOT ENFORCED "
			"controls if the constraint checks are performed on the incoming/outgoing data. Flink does not own "
			"the data therefore the only supported mode is the NOT ENFORCED mode");
		return -1;
	}
	fail(p, "\"NOT\"");
	return -1;
}

static int table_body(struct ps *p, struct tdef *t)
{
	VEC(struct fcol) cols = {0};
	VEC(const char *) pk = {0};
	if (!expect_op(p, "("))
		goto bad;
	do {
		if (is_kw(p, "WATERMARK")) {
			advance(p);
			if (t->wm_col) {
				fail_validation(p, "Multiple WATERMARK statements is not supported yet.");
				goto bad;
			}
			if (!expect_kw(p, "FOR"))
				goto bad;
			t->wm_pos = tok(p)->off;
			t->wm_col = ident(p);
			if (!t->wm_col || !expect_kw(p, "AS"))
				goto bad;
			t->wm_expr = expr(p);
			if (!t->wm_expr)
				goto bad;
			continue;
		}
		if (is_kw(p, "CONSTRAINT") || is_kw(p, "PRIMARY")) {
			if (accept_kw(p, "CONSTRAINT")) {
				t->pk_name = ident(p);
				if (!t->pk_name)
					goto bad;
			}
			if (!expect_kw(p, "PRIMARY") || !expect_kw(p, "KEY"))
				goto bad;
			if (t->npk || pk.n) {
				fail_validation(p, "Duplicate primary key definition");
				goto bad;
			}
			int n;
			const char **ids = ident_list(p, &n);
			if (!ids || pk_not_enforced(p))
				goto bad;
			for (int i = 0; i < n; i++)
				VEC_PUSH(&pk, ids[i]);
			continue;
		}
		struct fcol c = {0};
		c.pos = tok(p)->off;
		c.name = ident(p);
		if (!c.name)
			goto bad;
		if (accept_kw(p, "AS")) {
			c.kind = COL_COMPUTED;
			c.expr = expr(p);
			if (!c.expr)
				goto bad;
		} else {
			c.kind = COL_PHYS;
			c.type = data_type(p);
			if (!c.type)
				goto bad;
			if (accept_kw(p, "METADATA")) {
				c.kind = COL_META;
				if (accept_kw(p, "FROM")) {
					c.meta_key = string_lit(p);
					if (!c.meta_key)
						goto bad;
				}
				if (accept_kw(p, "VIRTUAL"))
					c.is_virtual = true;
			}
			if (is_kw(p, "CONSTRAINT") || is_kw(p, "PRIMARY")) {
				if (accept_kw(p, "CONSTRAINT")) {
					t->pk_name = ident(p);
					if (!t->pk_name)
						goto bad;
				}
				if (!expect_kw(p, "PRIMARY") || !expect_kw(p, "KEY") || pk_not_enforced(p))
					goto bad;
				if (pk.n) {
					fail_validation(p, "Duplicate primary key definition");
					goto bad;
				}
				VEC_PUSH(&pk, c.name);
			}
		}
		if (accept_kw(p, "COMMENT")) {
			c.comment = string_lit(p);
			if (!c.comment)
				goto bad;
		}
		VEC_PUSH(&cols, c);
	} while (accept_op(p, ","));
	if (!expect_op(p, ")"))
		goto bad;
	t->cols = ARENA_ARRAY(p->a, struct fcol, cols.n + 1);
	if (cols.n)
		memcpy(t->cols, cols.v, sizeof(struct fcol) * cols.n);
	t->ncols = (int)cols.n;
	if (pk.n) {
		t->pk = ARENA_ARRAY(p->a, const char *, pk.n);
		memcpy(t->pk, pk.v, sizeof(char *) * pk.n);
		t->npk = (int)pk.n;
	}
	VEC_FREE(&cols);
	VEC_FREE(&pk);
	return 0;
bad:
	VEC_FREE(&cols);
	VEC_FREE(&pk);
	return -1;
}

/* the source text of an AST node, for normalisation of computed columns and watermarks */
static void set_expr_sql(struct ps *p, struct tdef *t)
{
	struct sb o = SB_INIT;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED) {
			sb_reset(&o);
			unparse_expr(&o, t->cols[i].expr);
			t->cols[i].expr_sql = arena_strdup(p->a, o.buf);
		}
	}
	if (t->wm_expr) {
		sb_reset(&o);
		unparse_expr(&o, t->wm_expr);
		t->wm_sql = arena_strdup(p->a, o.buf);
	}
	sb_release(&o);
}

/*
 * create_table -> CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name ['(' elements ')'] [COMMENT 's']
 *                 [PARTITIONED BY '(' ids ')'] [WITH options] [AS query]
 */
static struct stmt *create_table(struct ps *p, struct stmt *st)
{
	st->k = S_CREATE_TABLE;
	if (is_kw(p, "IF")) {
		advance(p);
		if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS"))
			return NULL;
		st->if_not_exists = true;
	}
	st->name_pos = tok(p)->off;
	st->name = compound(p, &st->nname);
	if (!st->name)
		return NULL;
	if (st->nname > 3) {
		fail_validation(p, "Object identifier can have at most 3 parts");
		return NULL;
	}
	struct tdef *t = ARENA_NEW(p->a, struct tdef);
	t->kind = OBJ_TABLE;
	t->temporary = st->temporary;
	st->def = t;
	if (is_op(p, "(") && table_body(p, t))
		return NULL;
	if (accept_kw(p, "COMMENT")) {
		t->comment = string_lit(p);
		if (!t->comment)
			return NULL;
	}
	if (is_kw(p, "DISTRIBUTED")) {
		fail(p, NULL);
		return NULL;
	}
	if (accept_kw(p, "PARTITIONED")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		t->part = ident_list(p, &t->npart);
		if (!t->part)
			return NULL;
	}
	if (accept_kw(p, "WITH")) {
		t->opts = options(p, &t->nopts);
		if (!t->opts)
			return NULL;
	}
	if (is_kw(p, "LIKE")) {
		fail(p, NULL);
		return NULL;
	}
	if (accept_kw(p, "AS")) {
		st->qpos = tok(p)->off;
		st->q = query(p);
		if (!st->q)
			return NULL;
	}
	set_expr_sql(p, t);
	return st;
}

/* create_view -> CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name ['(' ids ')'] [COMMENT 's'] AS query */
static struct stmt *create_view(struct ps *p, struct stmt *st)
{
	st->k = S_CREATE_VIEW;
	if (is_kw(p, "IF")) {
		advance(p);
		if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS"))
			return NULL;
		st->if_not_exists = true;
	}
	st->name_pos = tok(p)->off;
	st->name = compound(p, &st->nname);
	if (!st->name)
		return NULL;
	struct tdef *t = ARENA_NEW(p->a, struct tdef);
	t->kind = OBJ_VIEW;
	t->temporary = st->temporary;
	st->def = t;
	if (is_op(p, "(")) {
		t->vcols = ident_list(p, &t->nvcols);
		if (!t->vcols)
			return NULL;
	}
	if (accept_kw(p, "COMMENT")) {
		t->comment = string_lit(p);
		if (!t->comment)
			return NULL;
	}
	if (!expect_kw(p, "AS"))
		return NULL;
	st->qpos = tok(p)->off;
	st->q = query(p);
	if (!st->q)
		return NULL;
	t->vq = st->q;
	return st;
}

static int like_clause(struct ps *p, struct stmt *st)
{
	int save = p->i;
	if (accept_kw(p, "NOT"))
		st->not_like = true;
	if (accept_kw(p, "LIKE")) {
		st->like = string_lit(p);
		return st->like ? 0 : -1;
	}
	if (accept_kw(p, "ILIKE")) {
		st->ilike = true;
		st->like = string_lit(p);
		return st->like ? 0 : -1;
	}
	if (st->not_like) {
		p->i = save + 1;
		fail(p, "\"LIKE\"|\"ILIKE\"");
		return -1;
	}
	return 0;
}

static int from_in(struct ps *p, struct stmt *st)
{
	if (accept_kw(p, "FROM") || accept_kw(p, "IN")) {
		st->from = compound(p, &st->nfrom);
		if (!st->from)
			return -1;
	}
	return 0;
}

static struct stmt *show(struct ps *p, struct stmt *st)
{
	if (accept_kw(p, "CATALOGS")) {
		st->k = S_SHOW_CATALOGS;
		if (like_clause(p, st))
			return NULL;
	} else if (accept_kw(p, "CURRENT")) {
		if (accept_kw(p, "CATALOG"))
			st->k = S_SHOW_CUR_CAT;
		else if (accept_kw(p, "DATABASE"))
			st->k = S_SHOW_CUR_DB;
		else {
			fail(p, "\"CATALOG\"|\"DATABASE\"");
			return NULL;
		}
	} else if (accept_kw(p, "DATABASES")) {
		st->k = S_SHOW_DBS;
		if (from_in(p, st) || like_clause(p, st))
			return NULL;
	} else if (accept_kw(p, "TABLES")) {
		st->k = S_SHOW_TABLES;
		if (from_in(p, st) || like_clause(p, st))
			return NULL;
	} else if (accept_kw(p, "VIEWS")) {
		st->k = S_SHOW_VIEWS;
		if (from_in(p, st) || like_clause(p, st))
			return NULL;
	} else if (is_kw(p, "USER") || is_kw(p, "FUNCTIONS")) {
		if (accept_kw(p, "USER"))
			st->user_only = true;
		if (!expect_kw(p, "FUNCTIONS"))
			return NULL;
		st->k = S_SHOW_FUNCTIONS;
		if (from_in(p, st) || like_clause(p, st))
			return NULL;
	} else if (accept_kw(p, "CREATE")) {
		if (accept_kw(p, "TABLE"))
			st->k = S_SHOW_CREATE_TABLE;
		else if (accept_kw(p, "VIEW"))
			st->k = S_SHOW_CREATE_VIEW;
		else if (p->version >= 120 && accept_kw(p, "CATALOG"))
			st->k = S_SHOW_CREATE_CATALOG;
		else {
			fail(p, "\"TABLE\"|\"VIEW\"");
			return NULL;
		}
		st->name_pos = tok(p)->off;
		st->name = compound(p, &st->nname);
		if (!st->name)
			return NULL;
	} else if (accept_kw(p, "COLUMNS")) {
		st->k = S_DESCRIBE;
		if (!accept_kw(p, "FROM") && !expect_kw(p, "IN"))
			return NULL;
		st->name_pos = tok(p)->off;
		st->name = compound(p, &st->nname);
		if (!st->name || like_clause(p, st))
			return NULL;
	} else if (p->version >= 117 && accept_kw(p, "JOBS")) {
		st->k = S_SHOW_JOBS;
	} else if (is_kw(p, "FULL") || is_kw(p, "MODULES")) {
		if (accept_kw(p, "FULL"))
			st->full = true;
		if (!expect_kw(p, "MODULES"))
			return NULL;
		st->k = S_SHOW_MODULES;
	} else if (accept_kw(p, "JARS")) {
		st->k = S_SHOW_JARS;
	} else {
		fail(p, "\"CATALOGS\"|\"CURRENT\"|\"DATABASES\"|\"TABLES\"|\"VIEWS\"|\"FUNCTIONS\"|\"CREATE\"|\"COLUMNS\"|\"JOBS\"|\"MODULES\"");
		return NULL;
	}
	return st;
}

/* insert -> [EXECUTE] INSERT (INTO | OVERWRITE) name [hint] [PARTITION '(' ... ')'] ['(' cols ')'] query */
static struct stmt *insert_stmt(struct ps *p, struct stmt *st)
{
	st->k = S_INSERT;
	if (!expect_kw(p, "INSERT"))
		return NULL;
	if (accept_kw(p, "OVERWRITE"))
		st->overwrite = true;
	else if (!expect_kw(p, "INTO"))
		return NULL;
	st->name_pos = tok(p)->off;
	st->name = compound(p, &st->nname);
	if (!st->name)
		return NULL;
	if (tok(p)->kind == TK_HINT)
		advance(p);
	if (accept_kw(p, "PARTITION")) {
		int n;
		if (!options(p, &n))
			return NULL;
	}
	if (is_op(p, "(") && !(peek(p, 1)->kind == TK_IDENT && (tk_kw(peek(p, 1), "SELECT") ||
		tk_kw(peek(p, 1), "WITH") || tk_kw(peek(p, 1), "VALUES")))) {
		st->icols = ident_list(p, &st->nicols);
		if (!st->icols)
			return NULL;
	}
	st->qpos = tok(p)->off;
	st->q = query(p);
	if (!st->q)
		return NULL;
	return st;
}

static struct stmt *statement(struct ps *p);

static struct stmt *new_stmt(struct ps *p)
{
	struct stmt *st = ARENA_NEW(p->a, struct stmt);
	st->text = p->lx.src;
	return st;
}

/* statement_set -> EXECUTE STATEMENT SET BEGIN (insert ';')+ END */
static struct stmt *statement_set(struct ps *p, struct stmt *st)
{
	st->k = S_STMT_SET;
	if (!expect_kw(p, "BEGIN"))
		return NULL;
	VEC(struct stmt *) subs = {0};
	while (!is_kw(p, "END")) {
		struct stmt *in = new_stmt(p);
		if (!is_kw(p, "INSERT")) {
			fail(p, "\"INSERT\"|\"END\"");
			VEC_FREE(&subs);
			return NULL;
		}
		int start = tok(p)->off;
		if (!insert_stmt(p, in)) {
			VEC_FREE(&subs);
			return NULL;
		}
		in->text = arena_strndup(p->a, p->lx.src + start, (size_t)(tok(p)->off - start));
		VEC_PUSH(&subs, in);
		if (!expect_op(p, ";")) {
			VEC_FREE(&subs);
			return NULL;
		}
	}
	advance(p);
	st->subs = ARENA_ARRAY(p->a, struct stmt *, subs.n + 1);
	if (subs.n)
		memcpy(st->subs, subs.v, sizeof(struct stmt *) * subs.n);
	st->nsubs = (int)subs.n;
	VEC_FREE(&subs);
	return st;
}

static struct stmt *statement(struct ps *p)
{
	struct stmt *st = new_stmt(p);
	if (starts_query(p) || is_op(p, "(")) {
		st->k = S_QUERY;
		st->q = query(p);
		return st->q ? st : NULL;
	}
	if (is_kw(p, "INSERT"))
		return insert_stmt(p, st);
	if (accept_kw(p, "EXECUTE")) {
		if (is_kw(p, "INSERT"))
			return insert_stmt(p, st);
		if (accept_kw(p, "STATEMENT")) {
			if (!expect_kw(p, "SET"))
				return NULL;
			return statement_set(p, st);
		}
		if (starts_query(p)) {
			st->k = S_QUERY;
			st->q = query(p);
			return st->q ? st : NULL;
		}
		fail(p, "\"INSERT\"|\"STATEMENT\"|\"SELECT\"");
		return NULL;
	}
	if (p->version >= 117 && accept_kw(p, "BEGIN")) {
		if (!expect_kw(p, "STATEMENT") || !expect_kw(p, "SET"))
			return NULL;
		st->k = S_BEGIN_SET;
		return st;
	}
	if (p->version >= 117 && accept_kw(p, "END")) {
		st->k = S_END;
		return st;
	}
	if (accept_kw(p, "CREATE")) {
		if (is_kw(p, "OR")) {
			fail(p, "\"TABLE\"|\"VIEW\"|\"TEMPORARY\"|\"CATALOG\"|\"DATABASE\"");
			return NULL;
		}
		if (accept_kw(p, "TEMPORARY")) {
			st->temporary = true;
			if (accept_kw(p, "TABLE"))
				return create_table(p, st);
			if (accept_kw(p, "VIEW"))
				return create_view(p, st);
			fail(p, "\"TABLE\"|\"VIEW\"|\"FUNCTION\"");
			return NULL;
		}
		if (accept_kw(p, "TABLE"))
			return create_table(p, st);
		if (accept_kw(p, "VIEW"))
			return create_view(p, st);
		if (accept_kw(p, "CATALOG")) {
			st->k = S_CREATE_CATALOG;
			if (is_kw(p, "IF")) {
				advance(p);
				if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS"))
					return NULL;
				st->if_not_exists = true;
			}
			st->name_pos = tok(p)->off;
			const char *n = ident(p);
			if (!n)
				return NULL;
			st->name = ARENA_ARRAY(p->a, const char *, 1);
			st->name[0] = n;
			st->nname = 1;
			if (accept_kw(p, "COMMENT")) {
				st->comment = string_lit(p);
				if (!st->comment)
					return NULL;
			}
			if (!accept_kw(p, "WITH")) {
				fail(p, "<EOF>|\"WITH\"|\";\"");
				return NULL;
			}
			st->opts = options(p, &st->nopts);
			return st->opts ? st : NULL;
		}
		if (accept_kw(p, "DATABASE")) {
			st->k = S_CREATE_DB;
			if (is_kw(p, "IF")) {
				advance(p);
				if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS"))
					return NULL;
				st->if_not_exists = true;
			}
			st->name_pos = tok(p)->off;
			st->name = compound(p, &st->nname);
			if (!st->name)
				return NULL;
			if (accept_kw(p, "COMMENT")) {
				st->comment = string_lit(p);
				if (!st->comment)
					return NULL;
			}
			if (accept_kw(p, "WITH")) {
				st->opts = options(p, &st->nopts);
				if (!st->opts)
					return NULL;
			}
			return st;
		}
		fail(p, "\"TABLE\"|\"VIEW\"|\"TEMPORARY\"|\"CATALOG\"|\"DATABASE\"|\"FUNCTION\"");
		return NULL;
	}
	if (accept_kw(p, "DROP")) {
		if (accept_kw(p, "TEMPORARY"))
			st->temporary = true;
		if (accept_kw(p, "TABLE"))
			st->k = S_DROP_TABLE;
		else if (accept_kw(p, "VIEW"))
			st->k = S_DROP_VIEW;
		else if (!st->temporary && accept_kw(p, "DATABASE"))
			st->k = S_DROP_DB;
		else if (!st->temporary && accept_kw(p, "CATALOG"))
			st->k = S_DROP_CATALOG;
		else {
			fail(p, "\"TABLE\"|\"VIEW\"|\"DATABASE\"|\"CATALOG\"|\"FUNCTION\"");
			return NULL;
		}
		if (is_kw(p, "IF")) {
			advance(p);
			if (!expect_kw(p, "EXISTS"))
				return NULL;
			st->if_exists = true;
		}
		st->name_pos = tok(p)->off;
		st->name = compound(p, &st->nname);
		if (!st->name)
			return NULL;
		if (st->k == S_DROP_DB) {
			if (accept_kw(p, "CASCADE"))
				st->cascade = true;
			else
				accept_kw(p, "RESTRICT");
		}
		return st;
	}
	if (accept_kw(p, "ALTER")) {
		bool view = false;
		if (accept_kw(p, "VIEW"))
			view = true;
		else if (accept_kw(p, "DATABASE")) {
			st->k = S_ALTER_DB_SET;
			st->name = compound(p, &st->nname);
			if (!st->name || !expect_kw(p, "SET"))
				return NULL;
			st->opts = options(p, &st->nopts);
			return st->opts ? st : NULL;
		} else if (!expect_kw(p, "TABLE"))
			return NULL;
		st->is_view = view;
		if (!view && is_kw(p, "IF")) {
			advance(p);
			if (!expect_kw(p, "EXISTS"))
				return NULL;
			st->if_exists = true;
		}
		st->name_pos = tok(p)->off;
		st->name = compound(p, &st->nname);
		if (!st->name)
			return NULL;
		if (accept_kw(p, "RENAME")) {
			if (!expect_kw(p, "TO"))
				return NULL;
			st->k = S_ALTER_RENAME;
			st->newname = compound(p, &st->nnewname);
			return st->newname ? st : NULL;
		}
		if (!view && accept_kw(p, "SET")) {
			st->k = S_ALTER_SET;
			st->opts = options(p, &st->nopts);
			return st->opts ? st : NULL;
		}
		if (!view && accept_kw(p, "RESET")) {
			st->k = S_ALTER_RESET;
			if (!expect_op(p, "("))
				return NULL;
			VEC(const char *) keys = {0};
			if (!is_op(p, ")")) {
				do {
					const char *k = string_lit(p);
					if (!k) {
						VEC_FREE(&keys);
						return NULL;
					}
					VEC_PUSH(&keys, k);
				} while (accept_op(p, ","));
			}
			if (!expect_op(p, ")")) {
				VEC_FREE(&keys);
				return NULL;
			}
			st->keys = ARENA_ARRAY(p->a, const char *, keys.n + 1);
			if (keys.n)
				memcpy(st->keys, keys.v, sizeof(char *) * keys.n);
			st->nkeys = (int)keys.n;
			VEC_FREE(&keys);
			return st;
		}
		fail(p, view ? "\"RENAME\"|\"AS\"" : "\"RENAME\"|\"SET\"|\"RESET\"|\"ADD\"|\"MODIFY\"|\"DROP\"");
		return NULL;
	}
	if (accept_kw(p, "USE")) {
		if (accept_kw(p, "CATALOG")) {
			st->k = S_USE_CATALOG;
			const char *n = ident(p);
			if (!n)
				return NULL;
			st->name = ARENA_ARRAY(p->a, const char *, 1);
			st->name[0] = n;
			st->nname = 1;
			return st;
		}
		if (accept_kw(p, "MODULES")) {
			st->k = S_USE_MODULES;
			do {
				if (!ident(p))
					return NULL;
			} while (accept_op(p, ","));
			return st;
		}
		st->k = S_USE_DB;
		st->name = compound(p, &st->nname);
		return st->name ? st : NULL;
	}
	if (accept_kw(p, "SET")) {
		st->k = S_SET;
		if (tok(p)->kind == TK_EOF || is_op(p, ";"))
			return st;
		st->key = string_lit(p);
		if (!st->key || !expect_op(p, "="))
			return NULL;
		st->val = string_lit(p);
		return st->val ? st : NULL;
	}
	if (accept_kw(p, "RESET")) {
		st->k = S_RESET;
		if (tok(p)->kind == TK_STRING)
			st->key = string_lit(p);
		return st;
	}
	if (accept_kw(p, "SHOW"))
		return show(p, st);
	if (accept_kw(p, "DESCRIBE") || accept_kw(p, "DESC")) {
		if (p->version >= 120 && accept_kw(p, "JOB")) {
			st->k = S_DESCRIBE_JOB;
			st->key = string_lit(p);
			return st->key ? st : NULL;
		}
		if (p->version >= 120 && accept_kw(p, "CATALOG")) {
			st->k = S_DESCRIBE_CATALOG;
			accept_kw(p, "EXTENDED");
			st->name = compound(p, &st->nname);
			return st->name ? st : NULL;
		}
		accept_kw(p, "EXTENDED");
		st->k = S_DESCRIBE;
		st->name_pos = tok(p)->off;
		st->name = compound(p, &st->nname);
		return st->name ? st : NULL;
	}
	if (accept_kw(p, "EXPLAIN")) {
		st->k = S_EXPLAIN;
		if (accept_kw(p, "PLAN")) {
			if (!expect_kw(p, "FOR"))
				return NULL;
		} else {
			static const char *const details[] = {"ESTIMATED_COST", "CHANGELOG_MODE", "JSON_EXECUTION_PLAN",
				"PLAN_ADVICE", NULL};
			for (;;) {
				bool any = false;
				for (int i = 0; details[i]; i++)
					if (accept_kw(p, details[i]))
						any = true;
				if (!any || !accept_op(p, ","))
					break;
			}
		}
		struct stmt *in = statement(p);
		if (!in)
			return NULL;
		if (in->k != S_QUERY && in->k != S_INSERT && in->k != S_STMT_SET) {
			fail(p, NULL);
			return NULL;
		}
		st->subs = ARENA_ARRAY(p->a, struct stmt *, 1);
		st->subs[0] = in;
		st->nsubs = 1;
		return st;
	}
	if (p->version >= 117 && accept_kw(p, "STOP")) {
		if (!expect_kw(p, "JOB"))
			return NULL;
		st->k = S_STOP_JOB;
		st->key = string_lit(p);
		if (!st->key)
			return NULL;
		while (accept_kw(p, "WITH")) {
			if (accept_kw(p, "SAVEPOINT"))
				st->savepoint = true;
			else if (accept_kw(p, "DRAIN"))
				st->drain = true;
			else {
				fail(p, "\"SAVEPOINT\"|\"DRAIN\"");
				return NULL;
			}
		}
		return st;
	}
	if (accept_kw(p, "LOAD") || accept_kw(p, "UNLOAD")) {
		bool load = tk_kw(&p->lx.t[p->i - 1], "LOAD");
		if (!expect_kw(p, "MODULE"))
			return NULL;
		st->k = load ? S_LOAD_MODULE : S_UNLOAD_MODULE;
		st->key = ident(p);
		if (!st->key)
			return NULL;
		if (load && accept_kw(p, "WITH")) {
			st->opts = options(p, &st->nopts);
			if (!st->opts)
				return NULL;
		}
		return st;
	}
	if (accept_kw(p, "ADD") || accept_kw(p, "REMOVE")) {
		bool add = tk_kw(&p->lx.t[p->i - 1], "ADD");
		if (!expect_kw(p, "JAR"))
			return NULL;
		st->k = add ? S_ADD_JAR : S_REMOVE_JAR;
		st->key = string_lit(p);
		return st->key ? st : NULL;
	}
	fail(p, "\"ALTER\"|\"BEGIN\"|\"CREATE\"|\"DESCRIBE\"|\"DROP\"|\"END\"|\"EXECUTE\"|\"EXPLAIN\"|\"INSERT\"|\"RESET\"|\"SELECT\"|\"SET\"|\"SHOW\"|\"USE\"|\"VALUES\"|\"WITH\"");
	return NULL;
}

struct stmt *parse_stmt(struct arena *a, const char *sql, int version, struct ferr *perr)
{
	struct ps p = {0};
	p.a = a;
	p.e = perr;
	p.version = version;
	if (lex_sql(a, sql, &p.lx, perr))
		return NULL;
	if (tok(&p)->kind == TK_EOF || (is_op(&p, ";") && peek(&p, 1)->kind == TK_EOF)) {
		fail(&p, "\"ALTER\"|\"CREATE\"|\"DROP\"|\"INSERT\"|\"SELECT\"|\"SET\"|\"SHOW\"|\"WITH\"");
		return NULL;
	}
	struct stmt *st = statement(&p);
	if (!st)
		return NULL;
	if (accept_op(&p, ";")) {
		if (tok(&p)->kind != TK_EOF) {
			/* a second statement: Flink parses it, then refuses to run two */
			ferr_add(perr, EX_UNSUPPORTED, "Unsupported SQL statement! Execute statement only accepts a single "
				"SQL statement or multiple 'INSERT INTO' statements wrapped in a 'STATEMENT SET' block.");
			return NULL;
		}
	}
	if (tok(&p)->kind != TK_EOF) {
		fail(&p, "<EOF>|\";\"");
		return NULL;
	}
	st->text = sql;
	return st;
}

/* ------------------------------------------------------------------ definitions */

struct tdef *tdef_from_ddl(const char *ddl, struct ferr *perr)
{
	struct tdef *t = xcalloc(1, sizeof(*t));
	arena_init(&t->a, 4096);
	t->ddl = xstrdup(ddl);
	t->src = t->ddl;
	struct stmt *st = parse_stmt(&t->a, t->ddl, 999, perr);
	if (!st || (st->k != S_CREATE_TABLE && st->k != S_CREATE_VIEW) || st->nname != 3) {
		if (st && !perr->n)
			ferr_add(perr, EX_TABLE, "bad definition '%s'", ddl);
		tdef_free(t);
		return NULL;
	}
	struct tdef *d = st->def;
	struct arena keep = t->a;
	char *keepddl = t->ddl;
	*t = *d;
	t->a = keep;
	t->ddl = keepddl;
	t->src = keepddl;
	t->cat = st->name[0];
	t->db = st->name[1];
	t->name = st->name[2];
	if (t->kind == OBJ_VIEW) {
		t->vq = st->q;
		char *x = arena_strdup(&t->a, t->ddl + st->qpos);
		size_t n = strlen(x);
		while (n && isspace((unsigned char)x[n - 1]))
			x[--n] = 0;
		t->expanded = x;
	}
	return t;
}

void tdef_free(struct tdef *t)
{
	if (!t)
		return;
	free(t->ddl);
	arena_release(&t->a);
	free(t);
}

struct tdef *tdef_clone(const struct tdef *t)
{
	struct ferr e = {0};
	struct tdef *c = tdef_from_ddl(t->ddl, &e);
	ferr_release(&e);
	return c;
}

const char *tdef_opt(const struct tdef *t, const char *k)
{
	for (int i = 0; i < t->nopts; i++)
		if (!strcmp(t->opts[i].k, k))
			return t->opts[i].v;
	return NULL;
}

int tdef_col(const struct tdef *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return i;
	return -1;
}
