/*
 * Jinja parser, part two: statements ({% for %}, {% macro %}, {% extends %}, ...), dbt's tags
 * (materialization, test, snapshot, docs), the template body and the entry point. Expressions and
 * the shared helpers are in parse.c.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "jinja/parse.h"

/* ---------------------------------------------------------------- statements */

static struct jj_nodelist subparse(struct parser *p, const char *const *end_tokens);

static void fail_unknown(struct parser *p, const char *name, uint32_t off, uint32_t len,
			 const char *const *extra)
{
	struct sb s = SB_INIT;
	const char *const *looking = extra ? extra : p->nends ? p->ends[p->nends - 1] : NULL;
	bool expected = false;
	if (name) {
		for (int i = 0; i < p->nends && !expected; i++)
			for (const char *const *e = p->ends[i]; *e; e++)
				if (strcmp(*e, name) == 0)
					expected = true;
		if (extra)
			for (const char *const *e = extra; *e; e++)
				if (strcmp(*e, name) == 0)
					expected = true;
		sb_addf(&s, "Encountered unknown tag '%s'.", name);
	} else {
		sb_adds(&s, "Unexpected end of template.");
	}
	if (looking) {
		struct sb l = SB_INIT;
		for (const char *const *e = looking; *e; e++)
			sb_addf(&l, "%s'%s'", e == looking ? "" : " or ", *e);
		if (name && expected)
			sb_addf(&s, " You probably made a nesting mistake. Jinja is expecting this tag, but "
				    "currently looking for %s.", l.buf);
		else
			sb_addf(&s, " Jinja was looking for the following tags: %s.", l.buf);
		sb_release(&l);
	}
	if (p->ntags)
		sb_addf(&s, " The innermost block that needs to be closed is '%s'.", p->tags[p->ntags - 1]);
	if (name && !strcmp(name, "raw"))
		sb_adds(&s, " A raw block opens with '{% raw %}' or '{% raw -%}' ('+%}' is not allowed there).");
	char *msg = arena_strndup(p->a, s.buf, s.len);
	sb_release(&s);
	jjp_fail_at(p, off, len, "%s", msg);
}

static struct jj_nodelist parse_statements(struct parser *p, const char *const *end_tokens,
					   bool drop_needle)
{
	jjp_skip_tok(p, T_COLON);
	jjp_expect(p, T_BLOCK_END);
	struct jj_nodelist body = subparse(p, end_tokens);
	if (p->cur.type == T_EOF)
		fail_unknown(p, NULL, p->cur.off, 0, end_tokens);
	if (drop_needle)
		jjp_next(p);
	return body;
}

static const char *const END_FOR[] = {"endfor", "else", NULL};
static const char *const END_FOR2[] = {"endfor", NULL};
static const char *const END_IF[] = {"elif", "else", "endif", NULL};
static const char *const END_IF2[] = {"endif", NULL};
static const char *const END_SET[] = {"endset", NULL};
static const char *const END_WITH[] = {"endwith", NULL};
static const char *const END_AUTOESC[] = {"endautoescape", NULL};
static const char *const END_BLOCK[] = {"endblock", NULL};
static const char *const END_CALL[] = {"endcall", NULL};
static const char *const END_FILTER[] = {"endfilter", NULL};
static const char *const END_MACRO[] = {"endmacro", NULL};
static const char *const END_MAT[] = {"endmaterialization", NULL};
static const char *const END_TEST[] = {"endtest", NULL};
static const char *const END_DATATEST[] = {"enddata_test", NULL};
static const char *const END_SNAPSHOT[] = {"endsnapshot", NULL};
static const char *const IN_END[] = {"in", NULL};
static const char *const RECURSIVE_END[] = {"recursive", NULL};

static bool can_assign(const struct jj_node *n)
{
	if (n->kind == N_NAME || n->kind == N_NSREF)
		return true;
	if (n->kind == N_TUPLE) {
		for (uint32_t i = 0; i < n->items.n; i++)
			if (!can_assign(n->items.v[i]))
				return false;
		return true;
	}
	return false;
}

static const char *node_kind_name(const struct jj_node *n)
{
	switch (n->kind) {
	case N_CONST: return "const";
	case N_LIST: return "list";
	case N_DICT: return "dict";
	case N_GETATTR: return "getattr";
	case N_GETITEM: return "getitem";
	case N_CALL: return "call";
	case N_FILTER: return "filter";
	case N_TEST: return "test";
	case N_BINOP: return "binop";
	case N_COMPARE: return "compare";
	case N_CONCAT: return "concat";
	case N_CONDEXPR: return "condexpr";
	case N_NOT: return "not";
	case N_NEG: return "neg";
	case N_POS: return "pos";
	case N_AND: return "and";
	case N_OR: return "or";
	case N_SLICE: return "slice";
	default: return "expression";
	}
}

static struct jj_node *parse_assign_target(struct parser *p, bool with_tuple, bool name_only,
					   const char *const *extra_end, bool with_ns)
{
	struct jj_node *target;
	if (name_only) {
		uint32_t off = p->cur.off, len = p->cur.len;
		target = jjp_mknode(p, N_NAME, off, len);
		target->name = jjp_expect_ident(p);
	} else if (with_tuple) {
		target = jjp_parse_tuple(p, true, true, extra_end, false, with_ns);
	} else {
		target = jjp_parse_primary(p, with_ns);
	}
	if (!can_assign(target)) {
		const struct jj_node *bad = target;
		jjp_fail_at(p, bad->loc.off, bad->loc.len, "can't assign to '%s'", node_kind_name(bad));
	}
	return target;
}

/* for -> 'for' target 'in' tuple ['if' expr] ['recursive'] '%}' body ['else' '%}' body] 'endfor' */
static struct jj_node *parse_for(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_FOR, off, 3);
	bool soft = p->soft;
	p->soft = false;
	n->for_.target = parse_assign_target(p, true, false, IN_END, false);
	jjp_expect_name_kw(p, "in");
	n->for_.iter = jjp_parse_tuple(p, false, false, RECURSIVE_END, false, false);
	if (jjp_skip_name(p, "if"))
		n->for_.cond = jjp_parse_expression(p, true);
	n->for_.recursive = jjp_skip_name(p, "recursive");
	p->loops++;
	n->for_.body = parse_statements(p, END_FOR, false);
	p->loops--;
	bool is_end = is_name(p, "endfor");
	jjp_next(p);
	if (!is_end)
		n->for_.orelse = parse_statements(p, END_FOR2, true);
	p->soft = soft;
	return n;
}

/* if -> 'if' tuple '%}' body ('elif' tuple '%}' body)* ['else' '%}' body] 'endif' */
static struct jj_node *parse_if(struct parser *p, uint32_t off)
{
	struct jj_node *result = jjp_mknode(p, S_IF, off, 2);
	struct jj_node *node = result;
	bool soft = p->soft;
	p->soft = true;
	for (;;) {
		node->if_.cond = jjp_parse_tuple(p, false, false, NULL, false, false);
		node->if_.body = parse_statements(p, END_IF, false);
		struct jj_token t = p->cur;
		jjp_next(p);
		if (tok_is_name(&t, "elif")) {
			struct jj_node *elif = jjp_mknode(p, S_IF, p->cur.off, 0);
			node->if_.orelse.v = ARENA_NEW(p->a, struct jj_node *);
			node->if_.orelse.v[0] = elif;
			node->if_.orelse.n = 1;
			node = elif;
			continue;
		}
		if (tok_is_name(&t, "else"))
			node->if_.orelse = parse_statements(p, END_IF2, true);
		break;
	}
	p->soft = soft;
	return result;
}

/* set -> 'set' target '=' tuple | 'set' target [filters] '%}' body 'endset' */
static struct jj_node *parse_set(struct parser *p, uint32_t off)
{
	struct jj_node *target = parse_assign_target(p, true, false, NULL, true);
	if (jjp_skip_tok(p, T_ASSIGN)) {
		struct jj_node *n = jjp_mknode(p, S_SET, off, 3);
		n->set.target = target;
		n->set.value = jjp_parse_tuple(p, false, true, NULL, false, false);
		return n;
	}
	struct jj_node *n = jjp_mknode(p, S_SETBLOCK, off, 3);
	n->set.target = target;
	n->set.filter = jjp_parse_filter(p, NULL, false);
	bool soft = p->soft;
	p->soft = false;
	n->set.body = parse_statements(p, END_SET, true);
	p->soft = soft;
	return n;
}

/* with -> 'with' [target '=' expr (',' target '=' expr)*] '%}' body 'endwith' */
static struct jj_node *parse_with(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_WITH, off, 4);
	struct nbuf targets = {0}, values = {0};
	while (p->cur.type != T_BLOCK_END) {
		if (targets.n)
			jjp_expect(p, T_COMMA);
		jjp_nb_push(p, &targets, parse_assign_target(p, true, false, NULL, false));
		jjp_expect(p, T_ASSIGN);
		jjp_nb_push(p, &values, jjp_parse_expression(p, true));
	}
	n->with.targets = jjp_nb_list(p, &targets).v;
	n->with.values = jjp_nb_list(p, &values).v;
	n->with.n = targets.n;
	bool soft = p->soft;
	p->soft = false;
	n->with.body = parse_statements(p, END_WITH, true);
	p->soft = soft;
	return n;
}

static void add_block(struct parser *p, struct jj_node *b)
{
	for (uint32_t i = 0; i < p->nblocks; i++)
		if (strcmp(p->blocks[i]->block.name.s, b->block.name.s) == 0)
			jjp_fail_at(p, b->loc.off, b->loc.len, "block '%s' defined twice", b->block.name.s);
	if (p->nblocks == p->capblocks) {
		uint32_t nc = p->capblocks ? p->capblocks * 2 : 4;
		p->blocks = arena_realloc(p->a, p->blocks, p->capblocks * sizeof(*p->blocks),
					  nc * sizeof(*p->blocks));
		p->capblocks = nc;
	}
	p->blocks[p->nblocks++] = b;
}

/* block -> 'block' name ['scoped'] ['required'] '%}' body 'endblock' [name] */
static struct jj_node *parse_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_BLOCK, off, 5);
	n->block.name = jjp_expect_ident(p);
	if (jjp_skip_name(p, "scoped"))
		n->flags |= BF_SCOPED;
	if (jjp_skip_name(p, "required"))
		n->flags |= BF_REQUIRED;
	if (p->cur.type == T_SUB)
		fail(p, "Block names in Jinja have to be valid Python identifiers and may not contain "
			"hyphens, use an underscore instead.");
	bool soft = p->soft, super = p->used_super;
	uint32_t used = p->used;
	int loops = p->loops;
	p->soft = false;
	p->used_super = false;
	p->loops = 0;
	n->block.body = parse_statements(p, END_BLOCK, true);
	p->loops = loops;
	if (p->used_super)
		n->flags |= BF_SUPER;
	p->used_super = super;
	p->used = used; /* like Jinja2's undeclared-name visitor, macros do not look into blocks */
	p->soft = soft;
	if (n->flags & BF_REQUIRED) {
		for (uint32_t i = 0; i < n->block.body.n; i++) {
			const struct jj_node *b = n->block.body.v[i];
			bool ok = b->kind == S_DATA;
			for (uint32_t k = 0; ok && k < b->data.len; k++)
				if (!strchr(" \t\n\r\f\v", b->data.text[k]))
					ok = false;
			if (!ok)
				fail(p, "Required blocks can only contain comments or whitespace");
		}
	}
	if (p->cur.type == T_NAME && p->cur.n == n->block.name.len &&
	    memcmp(p->cur.s, n->block.name.s, p->cur.n) == 0)
		jjp_next(p);
	add_block(p, n);
	return n;
}

static void parse_import_context(struct parser *p, struct jj_node *n, bool dflt)
{
	if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(jjp_look(p), "context")) {
		n->imp.with_context = is_name(p, "with");
		jjp_next(p);
		jjp_next(p);
	} else {
		n->imp.with_context = dflt;
	}
}

/* include -> 'include' expr ['ignore' 'missing'] [('with' | 'without') 'context'] */
static struct jj_node *parse_include(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_INCLUDE, off, 7);
	n->imp.tmpl = jjp_parse_expression(p, true);
	if (is_name(p, "ignore") && tok_is_name(jjp_look(p), "missing")) {
		n->imp.ignore_missing = true;
		jjp_next(p);
		jjp_next(p);
	}
	parse_import_context(p, n, true);
	return n;
}

/* import -> 'import' expr 'as' name [('with' | 'without') 'context'] */
static struct jj_node *parse_import(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_IMPORT, off, 6);
	n->imp.tmpl = jjp_parse_expression(p, true);
	jjp_expect_name_kw(p, "as");
	n->imp.target = jjp_expect_ident(p);
	parse_import_context(p, n, false);
	return n;
}

/* from -> 'from' expr 'import' name ['as' name] (',' name ['as' name])* [('with' | 'without') 'context'] */
static struct jj_node *parse_from(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_FROMIMPORT, off, 4);
	n->imp.tmpl = jjp_parse_expression(p, true);
	jjp_expect_name_kw(p, "import");
	uint32_t cap = 0;
	n->imp.with_context = false;
	for (;;) {
		if (n->imp.nnames)
			jjp_expect(p, T_COMMA);
		if (p->cur.type != T_NAME) {
			(void)jjp_expect_ident(p);
		}
		if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(jjp_look(p), "context")) {
			parse_import_context(p, n, false);
			break;
		}
		struct jj_token t = p->cur;
		struct jj_name nm = jjp_expect_ident(p);
		if (nm.s[0] == '_')
			jjp_fail_at(p, t.off, t.len, "names starting with an underline can not be imported");
		struct jj_name alias = nm;
		if (jjp_skip_name(p, "as"))
			alias = jjp_expect_ident(p);
		if (n->imp.nnames == cap) {
			uint32_t nc = cap ? cap * 2 : 4;
			n->imp.names = arena_realloc(p->a, n->imp.names, cap * sizeof(struct jj_name),
						     nc * sizeof(struct jj_name));
			n->imp.aliases = arena_realloc(p->a, n->imp.aliases, cap * sizeof(struct jj_name),
						       nc * sizeof(struct jj_name));
			cap = nc;
		}
		n->imp.names[n->imp.nnames] = nm;
		n->imp.aliases[n->imp.nnames] = alias;
		n->imp.nnames++;
		if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(jjp_look(p), "context")) {
			parse_import_context(p, n, false);
			break;
		}
		if (p->cur.type != T_COMMA)
			break;
	}
	return n;
}

/* signature -> '(' [name ['=' expr] (',' name ['=' expr])*] ')' */
static void parse_signature(struct parser *p, struct jj_macrodef *m)
{
	jjp_expect(p, T_LPAREN);
	struct nbuf defaults = {0};
	uint32_t cap = 0;
	while (p->cur.type != T_RPAREN) {
		if (m->nparams)
			jjp_expect(p, T_COMMA);
		struct jj_name nm = jjp_expect_ident(p);
		if (jjp_skip_tok(p, T_ASSIGN))
			jjp_nb_push(p, &defaults, jjp_parse_expression(p, true));
		else if (defaults.n)
			fail(p, "non-default argument follows default argument");
		if (m->nparams == cap) {
			uint32_t nc = cap ? cap * 2 : 4;
			m->params = arena_realloc(p->a, m->params, cap * sizeof(struct jj_name),
						  nc * sizeof(struct jj_name));
			cap = nc;
		}
		m->params[m->nparams++] = nm;
	}
	jjp_expect(p, T_RPAREN);
	m->defaults = jjp_nb_list(p, &defaults).v;
	m->ndefaults = defaults.n;
}

/* parses a macro-like body, recording which of caller/varargs/kwargs it uses */
static void parse_macro_body(struct parser *p, struct jj_macrodef *m, const char *const *end)
{
	uint32_t used = p->used;
	bool soft = p->soft;
	int loops = p->loops;
	p->used = 0;
	p->soft = false;
	p->loops = 0;
	m->body = parse_statements(p, end, true);
	m->flags |= p->used;
	p->used |= used;
	p->soft = soft;
	p->loops = loops;
	m->tmpl = p->t;
}

static void add_def(struct parser *p, struct jj_node *n)
{
	if (p->depth != 1)
		return;
	if (p->ndefs == p->capdefs) {
		uint32_t nc = p->capdefs ? p->capdefs * 2 : 8;
		p->defs = arena_realloc(p->a, p->defs, p->capdefs * sizeof(*p->defs), nc * sizeof(*p->defs));
		p->capdefs = nc;
	}
	p->defs[p->ndefs++] = n;
}

/* macro -> 'macro' name signature '%}' body 'endmacro' [name] */
static struct jj_node *parse_macro(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_MACRO, off, 5);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	m->name = jjp_expect_ident(p);
	n->loc.len = (uint32_t)(p->cur.off - off);
	parse_signature(p, m);
	parse_macro_body(p, m, END_MACRO);
	add_def(p, n);
	return n;
}

/* call -> 'call' [signature] call_expr '%}' body 'endcall' */
static struct jj_node *parse_call_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_CALLBLOCK, off, 4);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	m->name = jjp_mkname(p, "caller", 6);
	m->flags = MF_CALLBLOCK;
	if (p->cur.type == T_LPAREN)
		parse_signature(p, m);
	struct jj_node *call = jjp_parse_expression(p, true);
	if (call->kind != N_CALL)
		jjp_fail_at(p, off, 4, "expected call");
	n->callblock.call = call;
	n->callblock.caller = m;
	parse_macro_body(p, m, END_CALL);
	return n;
}

/* filter_block -> 'filter' name [call_args] ('|' name [call_args])* '%}' body 'endfilter' */
static struct jj_node *parse_filter_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_FILTERBLOCK, off, 6);
	n->filterblock.filter = jjp_parse_filter(p, NULL, true);
	bool soft = p->soft;
	p->soft = false;
	n->filterblock.body = parse_statements(p, END_FILTER, true);
	p->soft = soft;
	return n;
}

/* dbt: materialization -> 'materialization' name (',' ('default' | 'adapter' '=' expr |
 * 'supported_languages' '=' expr))* '%}' body 'endmaterialization' */
static struct jj_node *parse_materialization(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_MACRO, off, 15);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	struct jj_name name = jjp_expect_ident(p);
	const char *adapter = "default";
	while (jjp_skip_tok(p, T_COMMA)) {
		struct jj_token t = p->cur;
		struct jj_name arg = jjp_expect_ident(p);
		if (strcmp(arg.s, "default") == 0)
			continue;
		if (strcmp(arg.s, "adapter") == 0 || strcmp(arg.s, "supported_languages") == 0) {
			jjp_expect(p, T_ASSIGN);
			struct jj_node *v = jjp_parse_expression(p, true);
			if (arg.s[0] == 'a') {
				if (v->kind != N_CONST || v->cval.type != V_STR)
					jjp_fail_at(p, v->loc.off, v->loc.len, "adapter name must be a string");
				adapter = arena_strndup(p->a, v->cval.s, v->cval.len);
			}
			continue;
		}
		jjp_fail_at(p, t.off, t.len, "invalid materialization argument '%s'", arg.s);
	}
	char *full = arena_sprintf(p->a, "materialization_%s_%s", name.s, adapter);
	m->name = jjp_mkname(p, full, strlen(full));
	m->flags |= MF_DBT;
	parse_macro_body(p, m, END_MAT);
	add_def(p, n);
	return n;
}

/* dbt: test -> 'test' name '(' params ')' '%}' body 'endtest' (defines macro test_<name>) */
static struct jj_node *parse_dbt_test(struct parser *p, uint32_t off, const char *const *end)
{
	struct jj_node *n = jjp_mknode(p, S_MACRO, off, 4);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	struct jj_name name = jjp_expect_ident(p);
	char *full = arena_sprintf(p->a, "test_%s", name.s);
	m->name = jjp_mkname(p, full, strlen(full));
	m->flags |= MF_DBT;
	parse_signature(p, m);
	parse_macro_body(p, m, end);
	add_def(p, n);
	return n;
}

/* dbt: snapshot -> 'snapshot' name '%}' body 'endsnapshot'. The body's text, from the end of the
 * opening tag to the '{%' of the closing one, is the snapshot's raw_code in dbt (its block
 * searcher's contents) */
static struct jj_node *parse_snapshot(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_SNAPSHOT, off, 8);
	n->block.name = jjp_expect_ident(p);
	uint32_t from = p->cur.type == T_BLOCK_END ? p->cur.off + p->cur.len : p->cur.off;
	bool soft = p->soft;
	p->soft = false;
	n->block.body = parse_statements(p, END_SNAPSHOT, false);
	/* the end tag's '{%': where the current token starts, or back from its name over the tag's
	 * blanks and a whitespace-control sign */
	uint32_t to = p->cur.off;
	const char *src = p->lx.src;
	if (!(to + 1 < p->lx.len && src[to] == '{' && src[to + 1] == '%')) {
		while (to > from && (src[to - 1] == ' ' || src[to - 1] == '\t' || src[to - 1] == '\n' || src[to - 1] == '\r'))
			to--;
		if (to > from && (src[to - 1] == '-' || src[to - 1] == '+'))
			to--;
		if (to >= from + 2 && src[to - 2] == '{' && src[to - 1] == '%')
			to -= 2;
	}
	n->block.raw = src + from;
	n->block.rawlen = to > from ? to - from : 0;
	jjp_next(p);
	p->soft = soft;
	add_def(p, n);
	return n;
}

/* dbt: docs -> 'docs' name '%}' raw text 'enddocs' */
static struct jj_node *parse_docs(struct parser *p, uint32_t off)
{
	struct jj_node *n = jjp_mknode(p, S_DOCS, off, 4);
	n->block.name = jjp_expect_ident(p);
	/* the body is raw text up to {% enddocs %}: the lexer is positioned right after the name */
	if (p->have_ahead)
		BUG("lookahead before a docs body");
	if (p->cur.type != T_BLOCK_END)
		fail(p, "expected token 'end of statement block', got '%s'", jjp_describe(p, &p->cur));
	jj_lex_raw_until(&p->lx, "enddocs", &n->block.raw, &n->block.rawlen,
			 "Unexpected end of template. Jinja was looking for the following tags: 'enddocs'.");
	/* fabricate the block end the statement loop expects */
	p->cur.type = T_BLOCK_END;
	add_def(p, n);
	return n;
}

static struct jj_node *parse_statement(struct parser *p)
{
	struct jj_token t = p->cur;
	if (t.type != T_NAME)
		fail(p, "tag name expected");
	if (p->ntags >= MAX_NEST || p->depth >= MAX_NEST)
		fail(p, "statements too deeply nested");
	char *tag = arena_strndup(p->a, t.s, t.n);
	p->tags[p->ntags++] = tag;
	p->depth++;
	jjp_next(p);
	uint32_t off = t.off;
	struct jj_node *n = NULL;
	if (!strcmp(tag, "for")) {
		n = parse_for(p, off);
	} else if (!strcmp(tag, "if")) {
		n = parse_if(p, off);
	} else if (!strcmp(tag, "block")) {
		n = parse_block(p, off);
	} else if (!strcmp(tag, "extends")) {
		n = jjp_mknode(p, S_EXTENDS, off, 7);
		n->expr = jjp_parse_expression(p, true);
		p->t->has_extends = true;
	} else if (!strcmp(tag, "print")) {
		n = jjp_mknode(p, S_OUTPUT, off, 5);
		struct nbuf items = {0};
		while (p->cur.type != T_BLOCK_END) {
			if (items.n)
				jjp_expect(p, T_COMMA);
			jjp_nb_push(p, &items, jjp_parse_expression(p, true));
		}
		if (items.n == 1) {
			n->expr = items.v[0]; /* in the parser's scratch: copy the pointer only */
		} else {
			/* several expressions print one after the other */
			struct jj_node *c = jjp_mknode(p, N_CONCAT, off, 5);
			c->items = jjp_nb_list(p, &items);
			n->expr = c;
		}
	} else if (!strcmp(tag, "macro")) {
		n = parse_macro(p, off);
	} else if (!strcmp(tag, "include")) {
		n = parse_include(p, off);
	} else if (!strcmp(tag, "from")) {
		n = parse_from(p, off);
	} else if (!strcmp(tag, "import")) {
		n = parse_import(p, off);
	} else if (!strcmp(tag, "set")) {
		n = parse_set(p, off);
	} else if (!strcmp(tag, "with")) {
		n = parse_with(p, off);
	} else if (!strcmp(tag, "autoescape")) {
		n = jjp_mknode(p, S_AUTOESCAPE, off, 10);
		n->autoescape.value = jjp_parse_expression(p, true);
		n->autoescape.body = parse_statements(p, END_AUTOESC, true);
	} else if (!strcmp(tag, "call")) {
		n = parse_call_block(p, off);
	} else if (!strcmp(tag, "filter")) {
		n = parse_filter_block(p, off);
	} else if (!strcmp(tag, "do")) {
		n = jjp_mknode(p, S_DO, off, 2);
		n->expr = jjp_parse_tuple(p, false, true, NULL, false, false);
	} else if (!strcmp(tag, "break") || !strcmp(tag, "continue")) {
		if (!p->loops)
			jjp_fail_at(p, t.off, t.len, tag[0] == 'b' ? "'break' outside loop" :
								  "'continue' not properly in loop");
		n = jjp_mknode(p, tag[0] == 'b' ? S_BREAK : S_CONTINUE, off, t.len);
	} else if (!strcmp(tag, "materialization")) {
		n = parse_materialization(p, off);
	} else if (!strcmp(tag, "test")) {
		n = parse_dbt_test(p, off, END_TEST);
	} else if (!strcmp(tag, "data_test")) {
		n = parse_dbt_test(p, off, END_DATATEST);
	} else if (!strcmp(tag, "snapshot")) {
		n = parse_snapshot(p, off);
	} else if (!strcmp(tag, "docs")) {
		n = parse_docs(p, off);
	} else {
		p->ntags--;
		fail_unknown(p, tag, t.off, t.len, NULL);
	}
	p->ntags--;
	p->depth--;
	return n;
}

static struct jj_nodelist subparse(struct parser *p, const char *const *end_tokens)
{
	struct nbuf body = {0};
	if (end_tokens) {
		if (p->nends >= MAX_NEST)
			fail(p, "statements too deeply nested");
		p->ends[p->nends++] = end_tokens;
	}
	while (p->cur.type != T_EOF) {
		struct jj_token t = p->cur;
		if (t.type == T_DATA) {
			struct jj_node *n = jjp_mknode(p, S_DATA, t.off, t.len);
			n->data.text = t.s;
			n->data.len = t.n;
			jjp_nb_push(p, &body, n);
			jjp_next(p);
		} else if (t.type == T_VAR_BEGIN) {
			jjp_next(p);
			struct jj_node *n = jjp_mknode(p, S_OUTPUT, t.off, t.len);
			n->expr = jjp_parse_tuple(p, false, true, NULL, false, false);
			jjp_expect(p, T_VAR_END);
			jjp_nb_push(p, &body, n);
		} else if (t.type == T_BLOCK_BEGIN) {
			jjp_next(p);
			if (end_tokens && p->cur.type == T_NAME)
				for (const char *const *e = end_tokens; *e; e++)
					if (is_name(p, *e))
						goto done;
			jjp_nb_push(p, &body, parse_statement(p));
			jjp_expect(p, T_BLOCK_END);
		} else {
			fail(p, "unexpected '%s'", jjp_describe(p, &t));
		}
	}
done:
	if (end_tokens)
		p->nends--;
	return jjp_nb_list(p, &body);
}

int jj_parse_template(struct jj_env *env, struct arena *a, const char *name, uint32_t file,
		      const char *text, size_t len, struct jj_template **pt, struct diag_list *dl)
{
	struct parser *p = xcalloc(1, sizeof(*p));
	struct jj_template *t = ARENA_NEW(a, struct jj_template);
	t->env = env;
	t->name = arena_strdup(a, name ? name : "<template>");
	t->file = file;
	t->src = text;
	t->len = len;
	p->env = env;
	p->a = a;
	p->t = t;
	p->dl = dl;
	arena_init(&p->tmp, 16 * 1024);
	int rc = 0;
	if (setjmp(p->err)) {
		rc = -1;
		goto out;
	}
	jj_lex_init(&p->lx, text, len, file, a, dl, &p->err);
	jjp_next(p);
	t->body = subparse(p, NULL);
	t->blocks = p->blocks;
	t->nblocks = p->nblocks;
	t->defs = p->defs;
	t->ndefs = p->ndefs;
	*pt = t;
out:
	arena_release(&p->tmp);
	free(p);
	return rc;
}
