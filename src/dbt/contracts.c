/*
 * Model contracts in the dbt context: the DDL of a contracted table's columns and constraints
 * (adapter.render_raw_columns_constraints / render_raw_model_constraints), the warnings for the
 * constraints an engine cannot enforce or cannot create, and the errors of the pre-flight check
 * (exceptions.raise_contract_error with dbt's mismatch table, exceptions.column_type_missing).
 *
 * The rules are dbt-adapters' (BaseAdapter.render_column_constraint, render_model_constraint,
 * process_parsed_constraint) and dbt-core 1.9's ContractError; each engine's support table is its
 * dbt adapter's CONSTRAINT_SUPPORT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

enum support { ENFORCED, NOT_ENFORCED, NOT_SUPPORTED };

static const char *const constraint_types[] = {"check", "not_null", "unique", "primary_key", "foreign_key",
					       "custom", NULL};

static bool dbt_constraint_type_valid(const char *t)
{
	for (const char *const *k = constraint_types; *k; k++)
		if (!strcmp(*k, t))
			return true;
	return false;
}

/* CONSTRAINT_SUPPORT of the engine's dbt adapter (dbt-duckdb and dbt-postgres enforce every type;
 * Flink declares primary keys NOT ENFORCED and has no unique, check or foreign key) */
static enum support support_of(const char *engine, const char *type)
{
	if (!strcmp(engine, "duckdb") || !strcmp(engine, "postgres"))
		return ENFORCED;
	if (!strcmp(engine, "flink") || !strcmp(engine, "confluent")) {
		if (!strcmp(type, "not_null"))
			return ENFORCED;
		return !strcmp(type, "primary_key") ? NOT_ENFORCED : NOT_SUPPORTED;
	}
	/* dbt-adapters' defaults */
	if (!strcmp(type, "check"))
		return NOT_SUPPORTED;
	if (!strcmp(type, "unique") || !strcmp(type, "primary_key"))
		return NOT_ENFORCED;
	return ENFORCED;
}

static const char *engine_type(struct jj_vm *vm)
{
	struct dbt_render *r = dbt_r(vm);
	if (r && r->vt)
		return r->vt->type;
	return r && r->proj->target.type ? r->proj->target.type : "duckdb";
}

static const char *opt_str(struct arena *a, value d, const char *key)
{
	value v = val_dict_gets(d, key);
	if (v.type == V_NONE || v.type == V_UNDEF)
		return NULL;
	return val_cstr(a, val_to_str(a, v));
}

/* A constraint dict as written in the properties file; raises dbt's error when it is not one */
static const char *constraint_type(struct jj_vm *vm, value con)
{
	value t = con.type == V_DICT ? val_dict_gets(con, "type") : val_undef();
	if (t.type != V_STR || !dbt_constraint_type_valid(val_cstr(jj_arena(vm), t))) {
		struct sb s = SB_INIT;
		val_repr_to(&s, con);
		char *m = arena_strndup(jj_arena(vm), s.buf, s.len);
		sb_release(&s);
		jj_raise(vm, "Could not parse constraint: %s", m);
	}
	return val_cstr(jj_arena(vm), t);
}

/*
 * The `to` of a foreign key, as written (`ref('customers')`, `source('raw', 'orders')`) or already
 * a relation name: a ref or source becomes the relation it names, as dbt compiles it.
 */
static const char *fk_target(struct jj_vm *vm, const char *to)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	const char *args[2] = {NULL, NULL};
	bool is_ref;
	value version;
	int nargs = proj_parse_ref_or_source(a, to, &is_ref, args, &version);
	if (nargs < 0)
		return to;
	struct node *n = NULL;
	if (is_ref)
		n = proj_ref_version(r->proj, nargs == 2 ? args[0] : NULL, nargs == 2 ? args[1] : args[0],
				     version.type == V_UNDEF ? NULL : proj_version_str(a, version));
	else
		n = proj_source_from(r->proj, r->node ? r->node->package : NULL, args[0], args[1]);
	if (!n || !n->relation_name)
		jj_raise(vm, "Invalid 'ref' or 'source' syntax on foreign key constraint 'to': %s", to);
	/* DuckDB refuses a database in a foreign key's table (its parser takes schema.table only) */
	if (!strcmp(engine_type(vm), "duckdb") && n->schema && (n->alias || n->name)) {
		const struct adapter_vtable *vt = r->vt;
		const char *id = n->alias ? n->alias : n->name;
		return vt ? arena_sprintf(a, "%s.%s", vt->quote(n->schema, a), vt->quote(id, a))
			  : arena_sprintf(a, "\"%s\".\"%s\"", n->schema, id);
	}
	return n->relation_name;
}

static const char *joined(struct arena *a, value l)
{
	struct sb s = SB_INIT;
	for (uint32_t i = 0; l.type == V_LIST && i < l.l->len; i++) {
		if (i)
			sb_adds(&s, ", ");
		val_str_to(&s, l.l->items[i]);
	}
	char *out = arena_strndup(a, s.buf ? s.buf : "", s.len);
	sb_release(&s);
	return out;
}

/* Leading and trailing blanks off, as Python's strip() */
static const char *stripped(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

static const char *render_column_constraint(struct jj_vm *vm, const char *type, value con)
{
	struct arena *a = jj_arena(vm);
	const char *expr = opt_str(a, con, "expression");
	const char *e = expr ? expr : "";
	const char *out = NULL;
	if (!strcmp(type, "check") && expr && *expr)
		out = arena_sprintf(a, "check (%s)", expr);
	else if (!strcmp(type, "not_null"))
		out = arena_sprintf(a, "not null %s", e);
	else if (!strcmp(type, "unique"))
		out = arena_sprintf(a, "unique %s", e);
	else if (!strcmp(type, "primary_key"))
		out = arena_sprintf(a, "primary key %s", e);
	else if (!strcmp(type, "foreign_key")) {
		const char *to = opt_str(a, con, "to");
		value to_cols = val_dict_gets(con, "to_columns");
		if (to && *to && to_cols.type == V_LIST && to_cols.l->len)
			out = arena_sprintf(a, "references %s (%s)", fk_target(vm, to), joined(a, to_cols));
		else if (expr && *expr)
			out = arena_sprintf(a, "references %s", expr);
	} else if (!strcmp(type, "custom") && expr && *expr)
		out = expr;
	return out ? stripped(a, out) : NULL;
}

static const char *render_model_constraint(struct jj_vm *vm, const char *type, value con)
{
	struct arena *a = jj_arena(vm);
	const char *name = opt_str(a, con, "name");
	const char *prefix = name && *name ? arena_sprintf(a, "constraint %s ", name) : "";
	const char *expr = opt_str(a, con, "expression");
	const char *cols = joined(a, val_dict_gets(con, "columns"));
	if (!strcmp(type, "check") && expr && *expr)
		return arena_sprintf(a, "%scheck (%s)", prefix, expr);
	if (!strcmp(type, "unique") || !strcmp(type, "primary_key"))
		return arena_sprintf(a, "%s%s%s%s (%s)", prefix, !strcmp(type, "unique") ? "unique" : "primary key",
				     expr && *expr ? " " : "", expr && *expr ? expr : "", cols);
	if (!strcmp(type, "foreign_key")) {
		const char *to = opt_str(a, con, "to");
		value to_cols = val_dict_gets(con, "to_columns");
		if (to && *to && to_cols.type == V_LIST && to_cols.l->len)
			return arena_sprintf(a, "%sforeign key (%s) references %s (%s)", prefix, cols, fk_target(vm, to),
					     joined(a, to_cols));
		if (expr && *expr)
			return arena_sprintf(a, "%sforeign key (%s) references %s", prefix, cols, expr);
		return NULL;
	}
	if (!strcmp(type, "custom") && expr && *expr)
		return arena_sprintf(a, "%s%s", prefix, expr);
	return NULL;
}

static bool flag(value con, const char *key)
{
	value v = val_dict_gets(con, key);
	return v.type == V_UNDEF || v.type == V_NONE ? true : val_truthy(v);
}

/* process_parsed_constraint: warns of what the engine does not enforce or support, and renders
 * what it can create (custom constraints always) */
static const char *process(struct jj_vm *vm, value con, bool model_level)
{
	const char *type = constraint_type(vm, con);
	const char *engine = engine_type(vm);
	if (strcmp(type, "custom")) {
		enum support s = support_of(engine, type);
		if (s == NOT_SUPPORTED && flag(con, "warn_unsupported"))
			jj_warn(vm,
				"The constraint type %s is not supported by %s, and will be ignored. Set "
				"'warn_unsupported: false' on this constraint to ignore this warning.",
				type, engine);
		if (s == NOT_ENFORCED && flag(con, "warn_unenforced"))
			jj_warn(vm,
				"The constraint type %s is not enforced by %s. The constraint will be included in this "
				"model's DDL statement, but it will not guarantee anything about the underlying data. Set "
				"'warn_unenforced: false' on this constraint to ignore this warning.",
				type, engine);
		if (s == NOT_SUPPORTED)
			return NULL;
	}
	return model_level ? render_model_constraint(vm, type, con) : render_column_constraint(vm, type, con);
}

/* adapter.render_raw_columns_constraints(raw_columns): "name type constraint ..." per column */
static value a_render_columns(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value cols = jj_arg(args, 0, "raw_columns", val_none());
	value out = val_list_new(a, cols.type == V_DICT ? cols.d->len : 0);
	const struct adapter_vtable *vt = dbt_r(vm)->vt;
	for (uint32_t i = 0; cols.type == V_DICT && i < cols.d->len; i++) {
		value c = cols.d->e[i].val;
		const char *name = opt_str(a, c, "name");
		if (!name)
			name = val_cstr(a, cols.d->e[i].key);
		if (val_truthy(val_dict_gets(c, "quote")))
			name = vt ? vt->quote(name, a) : arena_sprintf(a, "\"%s\"", name);
		const char *dtype = opt_str(a, c, "data_type");
		struct sb s = SB_INIT;
		sb_addf(&s, "%s %s", name, dtype ? dtype : "None");
		value cons = val_dict_gets(c, "constraints");
		for (uint32_t j = 0; cons.type == V_LIST && j < cons.l->len; j++) {
			const char *r = process(vm, cons.l->items[j], false);
			if (r)
				sb_addf(&s, " %s", r);
		}
		val_list_push(out, val_str_dup(a, s.buf, s.len));
		sb_release(&s);
	}
	return out;
}

/* adapter.render_raw_model_constraints(raw_constraints) */
static value a_render_model(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value cons = jj_arg(args, 0, "raw_constraints", val_none());
	value out = val_list_new(a, cons.type == V_LIST ? cons.l->len : 0);
	for (uint32_t i = 0; cons.type == V_LIST && i < cons.l->len; i++) {
		const char *r = process(vm, cons.l->items[i], true);
		if (r)
			val_list_push(out, val_str(r));
	}
	return out;
}

value dbt_contract_method(struct jj_vm *vm, const char *name, size_t n)
{
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("render_raw_columns_constraints"))
		return val_func(a, "render_raw_columns_constraints", a_render_columns, NULL);
	if (IS("render_raw_model_constraints"))
		return val_func(a, "render_raw_model_constraints", a_render_model, NULL);
#undef IS
	return val_undef();
}

/* ---- the errors of the pre-flight check ---- */

struct mismatch {
	const char *cells[4];  /* column_name, definition_type, contract_type, mismatch_reason */
};

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct mismatch *)x)->cells[0], ((const struct mismatch *)y)->cells[0]);
}

static const char *field(struct arena *a, value col, const char *key)
{
	value v = col.type == V_DICT ? val_dict_gets(col, key) : val_undef();
	if (v.type == V_UNDEF)
		return "";
	return val_cstr(a, val_to_str(a, v));
}

/* A cell as agate prints it with max_column_width=50 */
static const char *cell(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n <= 50)
		return s;
	return arena_sprintf(a, "%.*s...", 47, s);
}

/* exceptions.raise_contract_error(yaml_columns, sql_columns): each a list of {name, data_type,
 * formatted}; the message has the table of mismatches, sorted by column name */
static value f_raise_contract_error(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value yaml = jj_arg(args, 0, "yaml_columns", val_none());
	value sqlc = jj_arg(args, 1, "sql_columns", val_none());
	uint32_t ny = yaml.type == V_LIST ? yaml.l->len : 0, ns = sqlc.type == V_LIST ? sqlc.l->len : 0;
	if (!ny)
		jj_raise(vm, "This model has an enforced contract, and its 'columns' specification is missing");
	struct mismatch *m = arena_alloc(a, (ny + ns + 1) * sizeof(*m));
	size_t nm = 0;
	for (uint32_t i = 0; i < ns; i++) {
		value sc = sqlc.l->items[i];
		const char *sn = field(a, sc, "name"), *st = field(a, sc, "data_type");
		bool found = false;
		for (uint32_t j = 0; j < ny && !found; j++) {
			value yc = yaml.l->items[j];
			if (strcmp(sn, field(a, yc, "name")))
				continue;
			found = true;
			const char *yt = field(a, yc, "data_type");
			if (strcmp(st, yt))
				m[nm++] = (struct mismatch){{sn, st, yt, "data type mismatch"}};
		}
		if (!found)
			m[nm++] = (struct mismatch){{sn, st, "", "missing in contract"}};
	}
	for (uint32_t j = 0; j < ny; j++) {
		const char *yn = field(a, yaml.l->items[j], "name");
		bool in_sql = false;
		for (uint32_t i = 0; i < ns && !in_sql; i++)
			in_sql = !strcmp(yn, field(a, sqlc.l->items[i], "name"));
		if (!in_sql)
			m[nm++] = (struct mismatch){{yn, "", field(a, yaml.l->items[j], "data_type"), "missing in definition"}};
	}
	/* Python's sorted() is stable; qsort is not, so ties keep their order by a second key */
	for (size_t i = 1; i < nm; i++)
		for (size_t k = i; k > 0 && by_name(&m[k - 1], &m[k]) > 0; k--) {
			struct mismatch t = m[k];
			m[k] = m[k - 1];
			m[k - 1] = t;
		}
	static const char *const head[4] = {"column_name", "definition_type", "contract_type", "mismatch_reason"};
	size_t w[4];
	for (int c = 0; c < 4; c++) {
		w[c] = strlen(head[c]);
		for (size_t i = 0; i < nm; i++) {
			m[i].cells[c] = cell(a, m[i].cells[c]);
			if (strlen(m[i].cells[c]) > w[c])
				w[c] = strlen(m[i].cells[c]);
		}
	}
	struct sb s = SB_INIT;
	sb_adds(&s, "This model has an enforced contract that failed.\n"
		    "Please ensure the name, data_type, and number of columns in your contract match the columns in "
		    "your model's definition.\n\n");
	for (int c = 0; c < 4; c++)
		sb_addf(&s, "| %-*s ", (int)w[c], head[c]);
	sb_adds(&s, "|\n");
	for (int c = 0; c < 4; c++) {
		sb_adds(&s, "| ");
		for (size_t k = 0; k < w[c]; k++)
			sb_addc(&s, '-');
		sb_adds(&s, " ");
	}
	sb_adds(&s, "|\n");
	for (size_t i = 0; i < nm; i++) {
		for (int c = 0; c < 4; c++)
			sb_addf(&s, "| %-*s ", (int)w[c], m[i].cells[c]);
		sb_adds(&s, "|\n");
	}
	char *msg = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	jj_raise(vm, "%s", msg);
}

/* exceptions.column_type_missing(column_names) */
static value f_column_type_missing(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_repr_to(&s, jj_arg(args, 0, "column_names", val_list_new(jj_arena(vm), 0)));
	char *names = arena_strndup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	jj_raise(vm,
		 "Contracted models require data_type to be defined for each column. Please ensure that the column "
		 "name and data_type are defined within the YAML configuration for the %s column(s).",
		 names);
}

void dbt_contract_exceptions(struct arena *a, value exc)
{
	val_dict_sets(exc, "raise_contract_error", val_func(a, "raise_contract_error", f_raise_contract_error, NULL));
	val_dict_sets(exc, "column_type_missing", val_func(a, "column_type_missing", f_column_type_missing, NULL));
}

/* dbt's base Column.TYPE_LABELS, which alias_types applies to a contract's data types */
const char *dbt_contract_alias_type(const char *t)
{
	return t && !strcasecmp(t, "string") ? "TEXT" : t;
}
