/*
 * A recursive-descent parser for the Flink SQL a dbt-like tool sends: DDL (tables with computed
 * and metadata columns, watermarks, primary keys; views, catalogs, databases), DML (INSERT,
 * statement sets), queries (SELECT, WITH, VALUES, set operations, joins, window TVFs, OVER
 * windows, hints) and the utility statements (SET, RESET, USE, SHOW, DESCRIBE, EXPLAIN, jobs).
 * Anything else fails the way Flink's parser does, with the token and its line and column:
 * SqlParserException "SQL parse failed. Encountered "x" at line L, column C."
 * Each parse function opens with the grammar rule it reads.
 *
 * This file has the error text, the reserved words, names and option lists, every statement and
 * the entry point (parse_stmt). The grammar is split along its own seams: data types and the
 * CREATE TABLE / VIEW bodies in parse_ddl.c, expressions in parse_expr.c, queries and FROM in
 * parse_query.c; parse.h has the parser's state and what the files share.
 */
#include <string.h>
#include <strings.h>

#include "parse.h"

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

bool ps_is_reserved(const char *w)
{
	for (int i = 0; reserved[i]; i++)
		if (!strcasecmp(w, reserved[i]))
			return true;
	return false;
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

/* compound_ident -> ident ('.' ident)* */
const char **ps_compound(struct ps *p, int *pn)
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

/* ident_list -> '(' ident (',' ident)* ')' */
const char **ps_ident_list(struct ps *p, int *pn)
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
struct fopt *ps_options(struct ps *p, int *pn)
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

/* if_not_exists -> [IF NOT EXISTS]; false on a syntax error */
bool ps_if_not_exists(struct ps *p, struct stmt *st)
{
	if (!accept_kw(p, "IF"))
		return true;
	if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS"))
		return false;
	st->if_not_exists = true;
	return true;
}

/* comment -> [COMMENT 's']; false on a syntax error, *pout untouched without one */
bool ps_comment(struct ps *p, const char **pout)
{
	if (!accept_kw(p, "COMMENT"))
		return true;
	*pout = string_lit(p);
	return *pout != NULL;
}

/* with_options -> [WITH options]; false on a syntax error */
bool ps_with_options(struct ps *p, struct fopt **popts, int *pn)
{
	if (!accept_kw(p, "WITH"))
		return true;
	*popts = ps_options(p, pn);
	return *popts != NULL;
}

/* ------------------------------------------------------------------ statements */

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
		st->from = ps_compound(p, &st->nfrom);
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
		else if (p->version >= 201 && accept_kw(p, "MATERIALIZED")) {
			/* SqlShowCreateMaterializedTable (Flink 2.1+) */
			if (!expect_kw(p, "TABLE"))
				return NULL;
			st->k = S_SHOW_CREATE_MT;
		} else {
			fail(p, "\"TABLE\"|\"VIEW\"");
			return NULL;
		}
		st->name_pos = tok(p)->off;
		st->name = ps_compound(p, &st->nname);
		if (!st->name)
			return NULL;
	} else if (accept_kw(p, "COLUMNS")) {
		st->k = S_DESCRIBE;
		if (!accept_kw(p, "FROM") && !expect_kw(p, "IN"))
			return NULL;
		st->name_pos = tok(p)->off;
		st->name = ps_compound(p, &st->nname);
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
		/* 1.16's grammar has no SHOW JOBS: its parser does not offer it */
		fail(p, p->version >= 117 ? "\"CATALOGS\"|\"CURRENT\"|\"DATABASES\"|\"TABLES\"|\"VIEWS\"|\"FUNCTIONS\"|"
					    "\"CREATE\"|\"COLUMNS\"|\"JOBS\"|\"MODULES\""
					  : "\"CATALOGS\"|\"CURRENT\"|\"DATABASES\"|\"TABLES\"|\"VIEWS\"|\"FUNCTIONS\"|"
					    "\"CREATE\"|\"COLUMNS\"|\"MODULES\"");
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
	st->name = ps_compound(p, &st->nname);
	if (!st->name)
		return NULL;
	if (tok(p)->kind == TK_HINT)
		advance(p);
	if (accept_kw(p, "PARTITION")) {
		int n;
		if (!ps_options(p, &n))
			return NULL;
	}
	if (is_op(p, "(") && !(peek(p, 1)->kind == TK_IDENT && (tk_kw(peek(p, 1), "SELECT") ||
		tk_kw(peek(p, 1), "WITH") || tk_kw(peek(p, 1), "VALUES")))) {
		st->icols = ps_ident_list(p, &st->nicols);
		if (!st->icols)
			return NULL;
	}
	st->qpos = tok(p)->off;
	st->q = ps_query(p);
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
		st->q = ps_query(p);
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
			st->q = ps_query(p);
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
		/* Confluent Cloud: CREATE OR ALTER MATERIALIZED TABLE (mtable_cc.c) */
		if (p->confluent && is_kw(p, "OR")) {
			advance(p);
			if (!expect_kw(p, "ALTER") || !expect_kw(p, "MATERIALIZED") || !expect_kw(p, "TABLE"))
				return NULL;
			st->or_alter = true;
			return ps_create_mt(p, st);
		}
		if (is_kw(p, "OR")) {
			fail(p, "\"TABLE\"|\"VIEW\"|\"TEMPORARY\"|\"CATALOG\"|\"DATABASE\"");
			return NULL;
		}
		if (accept_kw(p, "TEMPORARY")) {
			st->temporary = true;
			if (accept_kw(p, "TABLE"))
				return ps_create_table(p, st);
			if (accept_kw(p, "VIEW"))
				return ps_create_view(p, st);
			fail(p, "\"TABLE\"|\"VIEW\"|\"FUNCTION\"");
			return NULL;
		}
		if (accept_kw(p, "TABLE"))
			return ps_create_table(p, st);
		if (accept_kw(p, "VIEW"))
			return ps_create_view(p, st);
		/* materialized tables came with Flink 1.20 */
		if ((p->version >= 120 || p->confluent) && accept_kw(p, "MATERIALIZED")) {
			if (!expect_kw(p, "TABLE"))
				return NULL;
			return ps_create_mt(p, st);
		}
		if (accept_kw(p, "CATALOG")) {
			st->k = S_CREATE_CATALOG;
			if (!ps_if_not_exists(p, st))
				return NULL;
			st->name_pos = tok(p)->off;
			const char *n = ident(p);
			if (!n)
				return NULL;
			st->name = ARENA_ARRAY(p->a, const char *, 1);
			st->name[0] = n;
			st->nname = 1;
			if (!ps_comment(p, &st->comment))
				return NULL;
			if (!accept_kw(p, "WITH")) {
				fail(p, "<EOF>|\"WITH\"|\";\"");
				return NULL;
			}
			st->opts = ps_options(p, &st->nopts);
			return st->opts ? st : NULL;
		}
		if (accept_kw(p, "DATABASE")) {
			st->k = S_CREATE_DB;
			if (!ps_if_not_exists(p, st))
				return NULL;
			st->name_pos = tok(p)->off;
			st->name = ps_compound(p, &st->nname);
			if (!st->name || !ps_comment(p, &st->comment) || !ps_with_options(p, &st->opts, &st->nopts))
				return NULL;
			return st;
		}
		fail(p, "\"TABLE\"|\"VIEW\"|\"TEMPORARY\"|\"CATALOG\"|\"DATABASE\"|\"FUNCTION\"");
		return NULL;
	}
	if (accept_kw(p, "DROP")) {
		/* DROP MATERIALIZED TABLE [IF EXISTS] name (Flink 1.20+) */
		if (p->version >= 120 && accept_kw(p, "MATERIALIZED")) {
			if (!expect_kw(p, "TABLE"))
				return NULL;
			st->k = S_DROP_MT;
			if (accept_kw(p, "IF")) {
				if (!expect_kw(p, "EXISTS"))
					return NULL;
				st->if_exists = true;
			}
			st->name_pos = tok(p)->off;
			st->name = ps_compound(p, &st->nname);
			return st->name ? st : NULL;
		}
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
		st->name = ps_compound(p, &st->nname);
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
		/* ALTER MATERIALIZED TABLE name SUSPEND | RESUME [WITH options] | REFRESH (Flink 1.20+) */
		if (p->version >= 120 && accept_kw(p, "MATERIALIZED")) {
			if (!expect_kw(p, "TABLE"))
				return NULL;
			st->k = S_ALTER_MT;
			st->name_pos = tok(p)->off;
			st->name = ps_compound(p, &st->nname);
			if (!st->name)
				return NULL;
			if (accept_kw(p, "SUSPEND")) {
				st->refresh_mode = "SUSPEND";
			} else if (accept_kw(p, "RESUME")) {
				st->refresh_mode = "RESUME";
				if (accept_kw(p, "WITH")) {
					st->opts = ps_options(p, &st->nopts);
					if (!st->opts)
						return NULL;
				}
			} else if (accept_kw(p, "REFRESH")) {
				st->refresh_mode = "REFRESH";
			} else {
				fail(p, "\"AS\"|\"REFRESH\"|\"RESUME\"|\"SUSPEND\"");
				return NULL;
			}
			return st;
		}
		bool view = false;
		if (accept_kw(p, "VIEW"))
			view = true;
		else if (accept_kw(p, "DATABASE")) {
			st->k = S_ALTER_DB_SET;
			st->name = ps_compound(p, &st->nname);
			if (!st->name || !expect_kw(p, "SET"))
				return NULL;
			st->opts = ps_options(p, &st->nopts);
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
		st->name = ps_compound(p, &st->nname);
		if (!st->name)
			return NULL;
		if (accept_kw(p, "RENAME")) {
			if (!expect_kw(p, "TO"))
				return NULL;
			st->k = S_ALTER_RENAME;
			st->newname = ps_compound(p, &st->nnewname);
			return st->newname ? st : NULL;
		}
		if (!view && accept_kw(p, "SET")) {
			st->k = S_ALTER_SET;
			st->opts = ps_options(p, &st->nopts);
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
		st->name = ps_compound(p, &st->nname);
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
			st->name = ps_compound(p, &st->nname);
			return st->name ? st : NULL;
		}
		accept_kw(p, "EXTENDED");
		st->k = S_DESCRIBE;
		st->name_pos = tok(p)->off;
		st->name = ps_compound(p, &st->nname);
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
			st->opts = ps_options(p, &st->nopts);
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
	p.version = version & ~FG_PARSE_CONFLUENT;
	p.confluent = (version & FG_PARSE_CONFLUENT) != 0;
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
