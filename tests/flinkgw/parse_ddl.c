/*
 * Flink SQL parser, definitions: the data type grammar (column types, CAST targets, ROW
 * fields), the bodies of CREATE TABLE (columns, computed and metadata columns, watermark,
 * primary key, partitions, options, AS query) and CREATE VIEW, and table and view definitions
 * (struct tdef), which are made by parsing their normalised DDL text. These are the rules that
 * describe a table's shape, so everything that keeps or copies a definition comes through here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* ------------------------------------------------------------------ types */

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
			f.type = ps_data_type(p);
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

const char *ps_interval_unit_name(const char *w)
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
struct ftype *ps_data_type(struct ps *p)
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
		ty->elem = ps_data_type(p);
		if (!ty->elem || !expect_op(p, ">"))
			return NULL;
	} else if (!strcasecmp(w, "MAP")) {
		ty = ft_new(p->a, FT_MAP);
		if (!expect_op(p, "<"))
			return NULL;
		ty->key = ps_data_type(p);
		if (!ty->key || !expect_op(p, ","))
			return NULL;
		ty->val = ps_data_type(p);
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
		const char *u = tok(p)->kind == TK_IDENT ? ps_interval_unit_name(tok(p)->val) : NULL;
		if (!u) {
			fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
			return NULL;
		}
		advance(p);
		int lp = opt_len(p, -2);
		const char *u2 = NULL;
		int fp = -2;
		if (accept_kw(p, "TO")) {
			u2 = tok(p)->kind == TK_IDENT ? ps_interval_unit_name(tok(p)->val) : NULL;
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
	struct ftype *t = ps_data_type(&p);
	ferr_release(&e);
	return t;
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
			t->wm_expr = ps_expr(p);
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
			const char **ids = ps_ident_list(p, &n);
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
			c.expr = ps_expr(p);
			if (!c.expr)
				goto bad;
		} else {
			c.kind = COL_PHYS;
			c.type = ps_data_type(p);
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
		if (!ps_comment(p, &c.comment))
			goto bad;
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

/* name -> compound identifier of at most 3 parts (catalog.database.object); false on an error */
static bool object_name(struct ps *p, struct stmt *st)
{
	st->name_pos = tok(p)->off;
	st->name = ps_compound(p, &st->nname);
	if (!st->name)
		return false;
	if (st->nname > 3) {
		fail_validation(p, "Object identifier can have at most 3 parts");
		return false;
	}
	return true;
}

/*
 * Confluent Cloud's distribution clause (Flink 2.0's grammar, FLIP-376):
 *   DISTRIBUTED BY [HASH | RANGE] '(' ids ')' [INTO n BUCKETS] | DISTRIBUTED INTO n BUCKETS
 * Only the syntax here; what Confluent accepts is checked when the table is created (mtable_cc.c).
 */
static int distribution(struct ps *p, struct tdef *t)
{
	if (!expect_kw(p, "DISTRIBUTED"))
		return -1;
	t->distributed = true;
	if (accept_kw(p, "BY")) {
		if (accept_kw(p, "HASH"))
			t->dist_kind = "HASH";
		else if (accept_kw(p, "RANGE"))
			t->dist_kind = "RANGE";
		t->dist = ps_ident_list(p, &t->ndist);
		if (!t->dist)
			return -1;
		if (!accept_kw(p, "INTO"))
			return 0;
	} else if (!expect_kw(p, "INTO")) {
		return -1;
	}
	int n = parse_int(p);
	if (n < 0 || !expect_kw(p, "BUCKETS"))
		return -1;
	t->buckets = n;
	if (n == 0) {
		fail_validation(p, "Bucket count must be a positive integer, but was 0.");
		return -1;
	}
	return 0;
}

/*
 * table_clauses -> [COMMENT 's'] [distribution] [PARTITIONED BY '(' ids ')'] [WITH options]
 * The distribution is Confluent Cloud's; open-source Flink's CREATE TABLE refuses DISTRIBUTED BY/INTO
 * there (refuse_distributed).
 */
static bool table_clauses(struct ps *p, struct tdef *t, bool refuse_distributed)
{
	if (!ps_comment(p, &t->comment))
		return false;
	if (is_kw(p, "DISTRIBUTED")) {
		if (p->confluent) {
			if (distribution(p, t))
				return false;
		} else if (refuse_distributed) {
			fail(p, NULL);
			return false;
		}
	}
	if (accept_kw(p, "PARTITIONED")) {
		if (!expect_kw(p, "BY"))
			return false;
		t->part = ps_ident_list(p, &t->npart);
		if (!t->part)
			return false;
	}
	return ps_with_options(p, &t->opts, &t->nopts);
}

/*
 * create_table -> CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name ['(' elements ')'] [COMMENT 's']
 *                 [PARTITIONED BY '(' ids ')'] [WITH options] [AS query]
 */
struct stmt *ps_create_table(struct ps *p, struct stmt *st)
{
	st->k = S_CREATE_TABLE;
	if (!ps_if_not_exists(p, st) || !object_name(p, st))
		return NULL;
	struct tdef *t = ARENA_NEW(p->a, struct tdef);
	t->kind = OBJ_TABLE;
	t->temporary = st->temporary;
	st->def = t;
	if ((is_op(p, "(") && table_body(p, t)) || !table_clauses(p, t, true))
		return NULL;
	if (is_kw(p, "LIKE")) {
		fail(p, NULL);
		return NULL;
	}
	if (accept_kw(p, "AS")) {
		st->qpos = tok(p)->off;
		st->q = ps_query(p);
		if (!st->q)
			return NULL;
	}
	set_expr_sql(p, t);
	return st;
}

/*
 * create_materialized_table (SqlCreateMaterializedTable, parserImpls.ftl of Flink 1.20):
 *   CREATE MATERIALIZED TABLE name ['(' table_constraint ')'] [COMMENT 's']
 *   [PARTITIONED BY '(' ids ')'] [WITH options] FRESHNESS = interval
 *   [REFRESH_MODE = CONTINUOUS | FULL] AS query
 * Columns cannot be declared (the schema comes from the query) and FRESHNESS is required: Flink 2.2
 * made it optional (FLINK-38532), so from 2.2 on it may be left out.
 */
struct stmt *ps_create_mt(struct ps *p, struct stmt *st)
{
	st->k = S_CREATE_MT;
	if (!object_name(p, st))
		return NULL;
	struct tdef *t = ARENA_NEW(p->a, struct tdef);
	t->kind = OBJ_TABLE;
	st->def = t;
	if (is_op(p, "(")) {
		struct token *first = peek(p, 1);
		if (!tk_kw(first, "CONSTRAINT") && !tk_kw(first, "PRIMARY")) {
			advance(p);
			fail(p, "\"CONSTRAINT\"|\"PRIMARY\"");
			return NULL;
		}
		if (table_body(p, t))
			return NULL;
	}
	if (!table_clauses(p, t, false))
		return NULL;
	/* Confluent Cloud: START_MODE, and no FRESHNESS needed (mtable_cc.c checks what it refuses) */
	if (p->confluent && accept_kw(p, "START_MODE")) {
		if (!expect_op(p, "="))
			return NULL;
		static const char *const modes[] = {"FROM_BEGINNING", "FROM_NOW", "RESUME_OR_FROM_BEGINNING"};
		for (int i = 0; i < 3 && !st->start_mode; i++)
			if (accept_kw(p, modes[i]))
				st->start_mode = modes[i];
		if (!st->start_mode) {
			fail(p, "\"FROM_BEGINNING\"|\"FROM_NOW\"|\"RESUME_OR_FROM_BEGINNING\"");
			return NULL;
		}
		if (!is_kw(p, "AS")) {
			fail(p, "\"AS\"");
			return NULL;
		}
	}
	if (accept_kw(p, "FRESHNESS")) {
		if (!expect_op(p, "="))
			return NULL;
		if (!is_kw(p, "INTERVAL")) {
			fail(p, "\"INTERVAL\"");
			return NULL;
		}
		st->freshness = ps_expr(p);
		if (!st->freshness)
			return NULL;
		if (st->freshness->k != N_INTERVAL) {
			fail(p, NULL);
			return NULL;
		}
	} else if (p->version < 202 && !p->confluent) {
		fail(p, "\"FRESHNESS\"");
		return NULL;
	}
	if (accept_kw(p, "REFRESH_MODE")) {
		if (!expect_op(p, "="))
			return NULL;
		if (accept_kw(p, "CONTINUOUS"))
			st->refresh_mode = "CONTINUOUS";
		else if (accept_kw(p, "FULL"))
			st->refresh_mode = "FULL";
		else {
			fail(p, "\"CONTINUOUS\"|\"FULL\"");
			return NULL;
		}
	}
	if (!expect_kw(p, "AS"))
		return NULL;
	st->qpos = tok(p)->off;
	st->q = ps_query(p);
	if (!st->q)
		return NULL;
	set_expr_sql(p, t);
	return st;
}

/* create_view -> CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name ['(' ids ')'] [COMMENT 's'] AS query */
struct stmt *ps_create_view(struct ps *p, struct stmt *st)
{
	st->k = S_CREATE_VIEW;
	if (!ps_if_not_exists(p, st))
		return NULL;
	st->name_pos = tok(p)->off;
	st->name = ps_compound(p, &st->nname);
	if (!st->name)
		return NULL;
	struct tdef *t = ARENA_NEW(p->a, struct tdef);
	t->kind = OBJ_VIEW;
	t->temporary = st->temporary;
	st->def = t;
	if (is_op(p, "(")) {
		t->vcols = ps_ident_list(p, &t->nvcols);
		if (!t->vcols)
			return NULL;
	}
	if (!ps_comment(p, &t->comment))
		return NULL;
	if (!expect_kw(p, "AS"))
		return NULL;
	st->qpos = tok(p)->off;
	st->q = ps_query(p);
	if (!st->q)
		return NULL;
	t->vq = st->q;
	return st;
}

/* ------------------------------------------------------------------ definitions */

struct tdef *tdef_from_ddl(const char *ddl, struct ferr *perr)
{
	struct tdef *t = xcalloc(1, sizeof(*t));
	arena_init(&t->a, 4096);
	t->ddl = xstrdup(ddl);
	t->src = t->ddl;
	struct stmt *st = parse_stmt(&t->a, t->ddl, 999 | FG_PARSE_CONFLUENT, perr);
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
	mtinfo_free(t->mt);
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
