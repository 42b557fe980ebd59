/*
 * The adapter and Column methods that incremental models, snapshots and packages reach for beyond
 * the basics of adapter_obj.c: adapter.get_missing_columns, expand_target_column_types,
 * already_exists, get_incremental_strategy_macro, get_hard_deletes_behavior, quote_seed_column,
 * convert_type, and the dbt Column's size/precision accessors,
 * can_expand_to and literal, plus api.Column (create, translate_type, string_type,
 * numeric_type). Kept apart so the materialization work does not collide with the context work.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbt/internal.h"
#include "jinja/jinja.h"

static bool connected(struct dbt_render *r)
{
	return r->phase == DBT_EXECUTE && r->conn && r->vt;
}

/* The columns of a relation value, as adapter_column rows; false when not connected */
static bool relation_columns(struct jj_vm *vm, value rel, const char *fname, struct adapter_column **pcols,
			     size_t *pn)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return false;
	const char *db, *schema, *ident, *type;
	if (!dbt_relation_parts(rel, &db, &schema, &ident, &type))
		jj_raise(vm, "%s() needs a relation, got %s", fname, val_type_name(rel));
	struct adapter_relation ar = {db, schema, ident, REL_TABLE};
	char *err = NULL;
	if (r->vt->get_columns(r->conn, &ar, pcols, pn, jj_arena(vm), &err) < 0)
		jj_raise(vm, "%s: %s", fname, err ? err : "failed");
	return true;
}

/* adapter.get_missing_columns(from_relation, to_relation): the columns of the first that the
 * second lacks (names compared without case), as Column objects */
static value a_get_missing_columns(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	struct adapter_column *from, *to;
	size_t nfrom, nto;
	value out = val_list_new(a, 4);
	if (!relation_columns(vm, jj_arg(args, 0, "from_relation", val_none()), "adapter.get_missing_columns", &from,
			      &nfrom) ||
	    !relation_columns(vm, jj_arg(args, 1, "to_relation", val_none()), "adapter.get_missing_columns", &to, &nto))
		return out;
	for (size_t i = 0; i < nfrom; i++) {
		bool found = false;
		for (size_t j = 0; j < nto && !found; j++)
			found = !strcasecmp(from[i].name, to[j].name);
		if (!found)
			val_list_push(out, dbt_column_new(a, from[i].name, from[i].type));
	}
	return out;
}

/* adapter.expand_target_column_types(from_relation, to_relation): widens sized string columns of
 * the target that are narrower than the source's. DuckDB's VARCHAR has no length, so there is
 * rarely anything to do; a sized type is altered to the wider one */
static value a_expand_target_column_types(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	value to_rel = jj_arg(args, 1, "to_relation", val_none());
	struct adapter_column *from, *to;
	size_t nfrom, nto;
	if (!relation_columns(vm, jj_arg(args, 0, "from_relation", val_none()), "adapter.expand_target_column_types",
			      &from, &nfrom) ||
	    !relation_columns(vm, to_rel, "adapter.expand_target_column_types", &to, &nto))
		return val_none();
	for (size_t i = 0; i < nfrom; i++)
		for (size_t j = 0; j < nto; j++) {
			if (strcasecmp(from[i].name, to[j].name))
				continue;
			const char *fp = strchr(from[i].type, '('), *tp = strchr(to[j].type, '(');
			if (!fp || !tp || strncasecmp(from[i].type, "varchar", 7) || strncasecmp(to[j].type, "varchar", 7) ||
			    atol(fp + 1) <= atol(tp + 1))
				continue;
			struct sb sql;
			sb_init(&sql);
			sb_adds(&sql, "alter table ");
			val_str_to(&sql, val_to_str(a, to_rel));
			sb_addf(&sql, " alter column %s type %s", r->vt->quote(to[j].name, a), from[i].type);
			struct adapter_result res = {0};
			char *err = NULL;
			int rc = r->vt->execute(r->conn, sql.buf, false, -1, &res, a, &err);
			sb_release(&sql);
			if (rc < 0)
				jj_raise(vm, "adapter.expand_target_column_types: %s", err ? err : "failed");
		}
	return val_none();
}

/* adapter.already_exists(schema, name): whether a relation of that name is in the schema */
static value a_already_exists(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return val_bool(false);
	const char *schema = dbt_str_arg(vm, args, 0, "schema", "adapter.already_exists", true);
	const char *name = dbt_str_arg(vm, args, 1, "name", "adapter.already_exists", true);
	struct adapter_relation rel;
	bool found = false;
	char *err = NULL;
	if (r->vt->get_relation(r->conn, r->proj->target.database, schema, name, &rel, &found, jj_arena(vm), &err) < 0)
		jj_raise(vm, "adapter.already_exists: %s", err ? err : "failed");
	return val_bool(found);
}

/* adapter.get_incremental_strategy_macro(context, strategy): the macro
 * get_incremental_<strategy>_sql ('+' read as '_'), found as dbt finds macros, so a project can
 * add a strategy of its own by defining that macro */
static value a_get_incremental_strategy_macro(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	const char *strategy = dbt_str_arg(vm, args, 1, "strategy", "adapter.get_incremental_strategy_macro", false);
	if (!strategy)
		strategy = "default";
	char *mname = arena_sprintf(a, "get_incremental_%s_sql", strategy);
	for (char *c = mname; *c; c++)
		if (*c == '+')
			*c = '_';
	value m = proj_find_macro(r->proj, NULL, mname);
	if (m.type == V_UNDEF)
		jj_raise(vm,
			 "incremental_strategy '%s' is not known: use append, delete+insert or merge, or define a "
			 "macro named '%s'",
			 strategy, mname);
	return m;
}

/* Adapter methods whose rule lives in a macro of the global project, so that they read config and
 * values as every macro does: adapter.get_hard_deletes_behavior(config) (ignore, invalidate or
 * new_record, from hard_deletes or the older invalidate_hard_deletes),
 * adapter.quote_seed_column(column, quote_config), adapter.convert_type(agate_table, col_idx)
 * (the engine's type for a seed column), adapter.check_schema_exists(database, schema) and
 * adapter.list_schemas(database). `ud` is the macro's name; the arguments are passed on. */
static value a_by_macro(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *name = ud;
	value m = proj_find_macro(r->proj, "dbt", name);
	if (m.type == V_UNDEF)
		jj_raise(vm, "the global project lacks the macro %s: reinstall Sluice", name);
	return jj_call(vm, m, args);
}

value dbt_adapter_extra(struct jj_vm *vm, const char *name, size_t n)
{
	static const struct {
		const char *name;
		vfunc_fn fn;
	} methods[] = {
		{"get_missing_columns", a_get_missing_columns},
		{"expand_target_column_types", a_expand_target_column_types},
		{"already_exists", a_already_exists},
		{"get_incremental_strategy_macro", a_get_incremental_strategy_macro},
	};
	static const char *const by_macro[][2] = {
		{"get_hard_deletes_behavior", "_sluice_hard_deletes_behavior"},
		{"quote_seed_column", "_sluice_quote_seed_column"},
		{"convert_type", "_sluice_convert_type"},
		{"check_schema_exists", "_sluice_check_schema_exists"},
		{"list_schemas", "_sluice_list_schemas"},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && !memcmp(methods[i].name, name, n))
			return val_func(jj_arena(vm), methods[i].name, methods[i].fn, NULL);
	for (size_t i = 0; i < sizeof(by_macro) / sizeof(by_macro[0]); i++)
		if (strlen(by_macro[i][0]) == n && !memcmp(by_macro[i][0], name, n))
			return val_func(jj_arena(vm), by_macro[i][0], a_by_macro, (void *)by_macro[i][1]);
	return dbt_deployment_method(vm, name, n);
}

/* ---- Column ---- */

struct colref {
	const char *name;
	const char *type;
};

/* The numbers in a type's parentheses: DECIMAL(18,3) gives 18 and 3; -1 when absent */
static void type_params(const char *type, long *p1, long *p2)
{
	*p1 = *p2 = -1;
	const char *paren = strchr(type, '(');
	if (!paren)
		return;
	char *end;
	*p1 = strtol(paren + 1, &end, 10);
	if (*end == ',')
		*p2 = strtol(end + 1, NULL, 10);
}

static bool is_string_type(const char *t)
{
	return !strncasecmp(t, "varchar", 7) || !strncasecmp(t, "char", 4) || !strncasecmp(t, "text", 4) ||
	       !strncasecmp(t, "string", 6) || !strncasecmp(t, "character", 9) || !strncasecmp(t, "bpchar", 6);
}

/* column.can_expand_to(other): both sized strings and the other is wider */
static value col_can_expand_to(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct colref *c = ud;
	value other = jj_arg(args, 0, "other_column", val_none());
	if (other.type != V_OBJ || !is_string_type(c->type))
		return val_bool(false);
	value ot = other.o->cls->getattr(vm, other.o, "data_type", 9);
	if (ot.type != V_STR || !is_string_type(ot.s))
		return val_bool(false);
	long a1, a2, b1, b2;
	type_params(c->type, &a1, &a2);
	type_params(ot.s, &b1, &b2);
	return val_bool(a1 >= 0 && b1 > a1);
}

/* column.literal(value): the value cast to the column's type */
static value col_literal(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct colref *c = ud;
	struct arena *a = jj_arena(vm);
	const char *v = val_cstr(a, val_to_str(a, jj_arg(args, 0, "value", val_none())));
	return val_str_fmt(a, "cast(%s as %s)", v, c->type);
}

value dbt_column_extra(struct jj_vm *vm, const char *cname, const char *ctype, const char *name, size_t n)
{
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	long p1, p2;
	type_params(ctype, &p1, &p2);
	if (IS("char_size"))
		return is_string_type(ctype) && p1 >= 0 ? val_int(p1) : val_none();
	if (IS("numeric_precision"))
		return p1 >= 0 && !is_string_type(ctype) ? val_int(p1) : val_none();
	if (IS("numeric_scale"))
		return p2 >= 0 ? val_int(p2) : val_none();
	if (IS("can_expand_to") || IS("literal")) {
		struct colref *c = arena_alloc(a, sizeof(*c));
		c->name = cname;
		c->type = ctype;
		return IS("literal") ? val_func(a, "literal", col_literal, c)
				     : val_func(a, "can_expand_to", col_can_expand_to, c);
	}
#undef IS
	return val_undef();
}

/* ---- api.Column ---- */

/*
 * translate_type(dtype): dbt's Column.TYPE_LABELS, which dbt-duckdb and dbt-postgres keep as the
 * base class has them: only "string" changes, to TEXT; any other name is returned as given
 * ("float" stays float, REAL on DuckDB). Flink has no TEXT and reads a bare FLOAT as 4 bytes, so
 * there the portable names map to its own.
 */
static const char *translate(struct jj_vm *vm, const char *t)
{
	const struct dbt_render *r = jj_user(vm);
	const char *engine = r && r->proj->target.type ? r->proj->target.type : "duckdb";
	if (strcmp(engine, "flink") && strcmp(engine, "confluent"))
		return !strcasecmp(t, "string") ? "TEXT" : t;
	static const char *const map[][2] = {
		{"string", "varchar"}, {"text", "varchar"},    {"integer", "integer"}, {"int", "integer"},
		{"bigint", "bigint"},  {"float", "double"},    {"boolean", "boolean"}, {"bool", "boolean"},
		{"numeric", "numeric"}, {"timestamp", "timestamp"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(t, map[i][0]))
			return map[i][1];
	return t;
}

static value api_translate_type(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_str(translate(vm, dbt_str_arg(vm, args, 0, "dtype", "api.Column.translate_type", true)));
}

static value api_create(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *name = dbt_str_arg(vm, args, 0, "name", "api.Column.create", true);
	const char *type = dbt_str_arg(vm, args, 1, "label_or_dtype", "api.Column.create", true);
	return dbt_column_new(jj_arena(vm), name, translate(vm, type));
}

static value api_string_type(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value size = jj_arg(args, 0, "size", val_none());
	if (size.type == V_INT)
		return val_str_fmt(jj_arena(vm), "varchar(%lld)", (long long)size.i);
	return val_str("varchar");
}

static value api_numeric_type(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *dtype = dbt_str_arg(vm, args, 0, "dtype", "api.Column.numeric_type", true);
	value prec = jj_arg(args, 1, "precision", val_none()), scale = jj_arg(args, 2, "scale", val_none());
	if (prec.type != V_INT || scale.type != V_INT)
		return val_str(dtype);
	return val_str_fmt(jj_arena(vm), "%s(%lld,%lld)", dtype, (long long)prec.i, (long long)scale.i);
}

/* api.Column(column, dtype, ...): a Column with the type as given (create() translates it) */
static value api_column_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	const char *name = dbt_str_arg(vm, args, 0, "column", "api.Column", true);
	const char *type = dbt_str_arg(vm, args, 1, "dtype", "api.Column", true);
	return dbt_column_new(jj_arena(vm), name, type);
}

static value api_column_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	return val_dict_getn(*(value *)o->data, name, n);
}

static const struct vobj_class api_column_class = {
	.name = "Column",
	.getattr = api_column_getattr,
	.call = api_column_call,
};

value dbt_api_column(struct arena *a)
{
	value *d = arena_alloc(a, sizeof(*d));
	*d = val_dict_new(a, 4);
	val_dict_sets(*d, "translate_type", val_func(a, "translate_type", api_translate_type, NULL));
	val_dict_sets(*d, "create", val_func(a, "create", api_create, NULL));
	val_dict_sets(*d, "string_type", val_func(a, "string_type", api_string_type, NULL));
	val_dict_sets(*d, "numeric_type", val_func(a, "numeric_type", api_numeric_type, NULL));
	return val_obj(a, &api_column_class, d);
}
