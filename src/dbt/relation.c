/*
 * api.Relation: what ref(), source() and this evaluate to. Printing it gives the quoted, dotted
 * name ("db"."schema"."table"); its attributes and methods are dbt's BaseRelation's
 * (database, schema, identifier, name, type, is_table, is_view, render(), include(),
 * incorporate(), quote(), replace_path()).
 */
#include <string.h>

#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"

struct relation {
	const char *database;
	const char *schema;
	const char *identifier;
	const char *type;         /* "table", "view", "cte", ... or NULL */
	bool inc_db, inc_schema, inc_ident;
	bool quote_db, quote_schema, quote_ident;
	char quote_char;
	long limit;               /* -1: none; else str() reads at most `limit` rows (--empty: 0) */
	const char *info_view;    /* information_schema('columns'): the view, rendered last, bare */
	const char *et_filter;    /* a microbatch batch's window of the relation's event_time, or NULL */
	bool require_alias;       /* a subquery needs an alias (BaseRelation.require_alias) */
};

static const struct vobj_class relation_class;

static struct relation *rel_of(value v)
{
	return v.type == V_OBJ && v.o->cls == &relation_class ? v.o->data : NULL;
}

bool dbt_relation_parts(value v, const char **pdb, const char **pschema, const char **pident,
			const char **ptype)
{
	struct relation *r = rel_of(v);
	if (!r)
		return false;
	*pdb = r->database;
	*pschema = r->schema;
	*pident = r->identifier;
	if (ptype)
		*ptype = r->type;
	return true;
}

static void put_part(struct sb *out, const char *s, bool quote, char q)
{
	if (!quote) {
		sb_adds(out, s);
		return;
	}
	sb_addc(out, q);
	for (; *s; s++) {
		if (*s == q)
			sb_addc(out, q);
		sb_addc(out, *s);
	}
	sb_addc(out, q);
}

static void rel_render(const struct relation *r, struct sb *out)
{
	bool first = true;
	if (r->type && !strcmp(r->type, "cte")) {
		sb_adds(out, r->identifier);
		return;
	}
	if (r->inc_db && r->database && *r->database) {
		put_part(out, r->database, r->quote_db, r->quote_char);
		first = false;
	}
	if (r->inc_schema && r->schema && *r->schema) {
		if (!first)
			sb_addc(out, '.');
		put_part(out, r->schema, r->quote_schema, r->quote_char);
		first = false;
	}
	if (r->inc_ident && r->identifier) {
		if (!first)
			sb_addc(out, '.');
		put_part(out, r->identifier, r->quote_ident, r->quote_char);
		first = false;
	}
	if (r->info_view) {
		if (!first)
			sb_addc(out, '.');
		sb_adds(out, r->info_view);
	}
}

/* dbt's render_limited(): a limited relation is a subquery, with the alias that PostgreSQL and
 * others require (BaseRelation._render_limited_alias; dbt-duckdb's DuckDBRelation adds none) */
static void rel_limited(const struct relation *r, struct sb *out)
{
	if (r->limit < 0) {
		rel_render(r, out);
		return;
	}
	sb_adds(out, "(select * from ");
	rel_render(r, out);
	if (r->limit == 0)
		sb_adds(out, " where false limit 0");
	else
		sb_addf(out, " limit %ld", r->limit);
	sb_addc(out, ')');
	if (r->require_alias)
		sb_addf(out, " _dbt_limit_subq_%s", r->identifier ? r->identifier : "");
}

/* str(): render_event_time_filtered(render_limited()), as BaseRelation.__str__ */
static void rel_str(struct vobj *o, struct sb *out)
{
	const struct relation *r = o->data;
	if (!r->et_filter) {
		rel_limited(r, out);
		return;
	}
	sb_adds(out, "(select * from ");
	rel_limited(r, out);
	sb_addf(out, " where %s)", r->et_filter);
	if (r->require_alias)
		sb_addf(out, " _dbt_et_filter_subq_%s", r->identifier ? r->identifier : "");
}

value dbt_relation_event_time(struct arena *a, value rel, const char *field, const char *start, const char *end)
{
	struct relation *r = rel_of(rel);
	if (!r)
		return rel;
	struct relation *copy = ARENA_NEW(a, struct relation);
	*copy = *r;
	copy->et_filter = arena_sprintf(a, "%s >= '%s' and %s < '%s'", field, start, field, end);
	return val_obj(a, &relation_class, copy);
}

value dbt_relation_limited(struct arena *a, value rel, long limit)
{
	struct relation *r = rel_of(rel);
	if (!r)
		return rel;
	struct relation *copy = ARENA_NEW(a, struct relation);
	*copy = *r;
	copy->limit = limit;
	return val_obj(a, &relation_class, copy);
}

static value new_rel(struct arena *a, const struct relation *src)
{
	struct relation *r = ARENA_NEW(a, struct relation);
	*r = *src;
	return val_obj(a, &relation_class, r);
}

static const char *opt_str(struct arena *a, value v, const char *dflt)
{
	if (v.type == V_STR)
		return val_cstr(a, v);
	if (v.type == V_NONE)
		return NULL;
	return dflt;
}

static bool opt_bool(value v, bool dflt)
{
	return v.type == V_UNDEF ? dflt : val_truthy(v);
}

static value m_render(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	rel_render(ud, &s);
	value v = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return v;
}

/* include(database=True, schema=True, identifier=True) */
static value m_include(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct relation r = *(struct relation *)ud;
	r.inc_db = opt_bool(jj_arg(args, 0, "database", val_undef()), r.inc_db);
	r.inc_schema = opt_bool(jj_arg(args, 1, "schema", val_undef()), r.inc_schema);
	r.inc_ident = opt_bool(jj_arg(args, 2, "identifier", val_undef()), r.inc_ident);
	return new_rel(jj_arena(vm), &r);
}

/* quote(database=None, schema=None, identifier=None) */
static value m_quote(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct relation r = *(struct relation *)ud;
	r.quote_db = opt_bool(jj_arg(args, 0, "database", val_undef()), r.quote_db);
	r.quote_schema = opt_bool(jj_arg(args, 1, "schema", val_undef()), r.quote_schema);
	r.quote_ident = opt_bool(jj_arg(args, 2, "identifier", val_undef()), r.quote_ident);
	return new_rel(jj_arena(vm), &r);
}

/* incorporate(path={'identifier': ...}, type='table') and replace_path(identifier=...) */
static value m_incorporate(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	struct relation r = *(struct relation *)ud;
	value path = jj_arg(args, 0, "path", val_undef());
	if (path.type == V_DICT) {
		r.database = opt_str(a, val_dict_gets(path, "database"), r.database);
		r.schema = opt_str(a, val_dict_gets(path, "schema"), r.schema);
		r.identifier = opt_str(a, val_dict_gets(path, "identifier"), r.identifier);
	}
	value type = jj_arg(args, 1, "type", val_undef());
	if (type.type == V_STR)
		r.type = val_cstr(a, type);
	return new_rel(a, &r);
}

static value m_replace_path(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	struct relation r = *(struct relation *)ud;
	r.database = opt_str(a, jj_arg(args, 0, "database", val_undef()), r.database);
	r.schema = opt_str(a, jj_arg(args, 1, "schema", val_undef()), r.schema);
	r.identifier = opt_str(a, jj_arg(args, 2, "identifier", val_undef()), r.identifier);
	return new_rel(a, &r);
}

static value rel_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n);

/* get(key, default=None): a relation is a mapping of its attributes; 'metadata' names its class,
 * which is how packages tell a relation from a string (dbt_utils._is_relation) */
static value m_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value key = jj_arg(args, 0, "key", val_undef());
	value dflt = jj_arg(args, 1, "default", val_none());
	if (key.type != V_STR)
		return dflt;
	if (val_streq(key, "metadata")) {
		value d = val_dict_new(a, 1);
		val_dict_sets(d, "type", val_str(((struct relation *)ud)->quote_char == '`' ? "FlinkRelation"
											     : "DuckDBRelation"));
		return d;
	}
	struct vobj self = {&relation_class, ud};
	value v = rel_getattr(vm, &self, key.s, key.len);
	return v.type == V_UNDEF ? dflt : v;
}

/* information_schema(view_name=None): dbt's InformationSchema of the relation's database,
 * "db".INFORMATION_SCHEMA[.view] (BaseRelation.information_schema: the schema left out, the
 * identifier not quoted, the view name rendered bare after it) */
static value m_information_schema(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	struct relation r = *(struct relation *)ud;
	value view = jj_arg(args, 0, "view_name", val_none());
	r.inc_db = r.database != NULL;
	r.schema = NULL;
	r.inc_schema = false;
	r.identifier = "INFORMATION_SCHEMA";
	r.inc_ident = true;
	r.quote_ident = false;
	r.type = "view";
	r.limit = -1;
	r.info_view = view.type == V_STR ? val_cstr(a, view) : NULL;
	return new_rel(a, &r);
}

/* without_identifier(): the schema this relation lives in */
static value m_without_identifier(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct relation r = *(struct relation *)ud;
	r.inc_ident = false;
	return new_rel(jj_arena(vm), &r);
}

static value str_or_none(const char *s)
{
	return s ? val_str(s) : val_none();
}

static value rel_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct relation *r = o->data;
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("database"))
		return str_or_none(r->database);
	if (IS("schema"))
		return str_or_none(r->schema);
	if (IS("identifier") || IS("name") || IS("table"))
		return str_or_none(r->identifier);
	if (IS("type"))
		return str_or_none(r->type);
	if (IS("is_table"))
		return val_bool(r->type && !strcmp(r->type, "table"));
	if (IS("is_view"))
		return val_bool(r->type && !strcmp(r->type, "view"));
	if (IS("is_cte"))
		return val_bool(r->type && !strcmp(r->type, "cte"));
	if (IS("is_materialized_view"))
		return val_bool(r->type && !strcmp(r->type, "materialized_view"));
	if (IS("render"))
		return val_func(a, "render", m_render, r);
	if (IS("include"))
		return val_func(a, "include", m_include, r);
	if (IS("quote"))
		return val_func(a, "quote", m_quote, r);
	if (IS("incorporate"))
		return val_func(a, "incorporate", m_incorporate, r);
	if (IS("replace_path"))
		return val_func(a, "replace_path", m_replace_path, r);
	if (IS("get"))
		return val_func(a, "get", m_get, r);
	if (IS("without_identifier"))
		return val_func(a, "without_identifier", m_without_identifier, r);
	if (IS("information_schema") || IS("information_schema_only"))
		return val_func(a, "information_schema", m_information_schema, r);
	if (IS("quote_character"))
		return val_strn(&r->quote_char, 1);
	if (IS("dbt_created"))
		return val_bool(false);
	if (IS("limit"))
		return r->limit < 0 ? val_none() : val_int(r->limit);
	if (IS("event_time_filter") || IS("catalog"))
		return val_none();
	if (IS("path")) {
		value d = val_dict_new(a, 3);
		val_dict_sets(d, "database", str_or_none(r->database));
		val_dict_sets(d, "schema", str_or_none(r->schema));
		val_dict_sets(d, "identifier", str_or_none(r->identifier));
		return d;
	}
	if (IS("quote_policy") || IS("include_policy")) {
		bool q = IS("quote_policy");
		value d = val_dict_new(a, 3);
		val_dict_sets(d, "database", val_bool(q ? r->quote_db : r->inc_db));
		val_dict_sets(d, "schema", val_bool(q ? r->quote_schema : r->inc_schema));
		val_dict_sets(d, "identifier", val_bool(q ? r->quote_ident : r->inc_ident));
		return d;
	}
#undef IS
	return val_undef();
}

static bool rel_eq(struct vobj *o, value other)
{
	struct relation *a = o->data, *b = rel_of(other);
	if (!b)
		return false;
	struct sb x = SB_INIT, y = SB_INIT;
	rel_render(a, &x);
	rel_render(b, &y);
	bool eq = x.len == y.len && !memcmp(x.buf, y.buf, x.len);
	sb_release(&x);
	sb_release(&y);
	return eq;
}

static void rel_repr(struct vobj *o, struct sb *out)
{
	sb_adds(out, "<DuckDBRelation ");
	rel_render(o->data, out);
	sb_addc(out, '>');
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* A copy whose names live in arena a (a relation kept in graph, past its render) */
static value rel_copy(struct arena *a, struct vobj *o)
{
	struct relation r = *(struct relation *)o->data;
	r.database = dup_or_null(a, r.database);
	r.schema = dup_or_null(a, r.schema);
	r.identifier = dup_or_null(a, r.identifier);
	r.type = dup_or_null(a, r.type);
	r.info_view = dup_or_null(a, r.info_view);
	return new_rel(a, &r);
}

static const struct vobj_class relation_class = {
	.name = "Relation",
	.getattr = rel_getattr,
	.copy = rel_copy,
	.str = rel_str,
	.repr = rel_repr,
	.eq = rel_eq,
	.mapping = true,
};

value dbt_relation(struct arena *a, struct project *p, const char *database, const char *schema,
		   const char *identifier, const char *type)
{
	struct relation r = {database, schema, identifier, type, true, true, true, true, true, true, '"', -1, NULL, NULL, true};
	if (p && p->target.type && (!strcmp(p->target.type, "flink") || !strcmp(p->target.type, "confluent")))
		r.quote_char = '`';
	/* dbt-duckdb's DuckDBRelation needs no alias on a subquery */
	if (p && p->target.type && !strcmp(p->target.type, "duckdb"))
		r.require_alias = false;
	return new_rel(a, &r);
}

value dbt_node_relation(struct arena *a, struct project *p, const struct node *n)
{
	value mat = val_dict_gets(n->config, "materialized");
	if (val_streq(mat, "ephemeral"))
		return dbt_relation(a, p, NULL, NULL, arena_sprintf(a, "__dbt__cte__%s", n->name), "cte");
	const char *type = n->type == NODE_SOURCE ? "table" : val_streq(mat, "view") ? "view" : "table";
	return dbt_relation(a, p, n->database, n->schema, n->alias ? n->alias : n->name, type);
}
