/*
 * `adapter`, `api` and statement results in the dbt context. The adapter object reaches the engine
 * through the worker's connection of the current render; SQL that differs per engine comes from
 * macros found with adapter.dispatch(), as in dbt. During parsing there is no connection, and the
 * methods that would need one return None, as dbt's do.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

void dbt_config_merge(struct arena *a, value dst, value src)
{
	proj_config_merge(a, dst, src);
}

void dbt_note_ephemeral(struct dbt_render *r, struct node *n)
{
	if (r->ephemerals.type != V_LIST)
		r->ephemerals = val_list_new(r->arena, 2);
	for (uint32_t i = 0; i < r->ephemerals.l->len; i++)
		if (r->ephemerals.l->items[i].i == (int64_t)n->index)
			return;
	val_list_push(r->ephemerals, val_int(n->index));
}

/*
 * The columns as the model context shows them: with the contract's alias_types (the default), a
 * data_type that is one of the adapter's type labels (STRING) becomes the engine's name (TEXT).
 * dbt's rule (ProviderContext.ctx_model) looks at alias_types alone, whether the contract is
 * enforced or not, on every node with a contract: all but seeds. Flink's own type is STRING, so
 * its columns stay as written.
 */
static value contract_columns(struct arena *a, struct project *p, struct node *n)
{
	value cols = n->columns;
	const char *engine = p->target.type ? p->target.type : "duckdb";
	if (cols.type != V_DICT || n->type == NODE_SEED || n->type == NODE_SOURCE || !strcmp(engine, "flink") ||
	    !strcmp(engine, "confluent"))
		return cols;
	value alias = val_dict_gets(val_dict_gets(n->config, "contract"), "alias_types");
	if (alias.type == V_BOOL && !alias.b)
		return cols;
	value out = val_undef();
	for (uint32_t i = 0; i < cols.d->len; i++) {
		value dt = val_dict_gets(cols.d->e[i].val, "data_type");
		const char *t = dt.type == V_STR ? val_cstr(a, dt) : NULL;
		const char *to = dbt_contract_alias_type(t);
		if (to == t)
			continue;
		if (out.type == V_UNDEF) {
			out = val_dict_new(a, cols.d->len);
			val_dict_merge(a, out, cols);
		}
		value c = val_dict_new(a, 8);
		val_dict_merge(a, c, cols.d->e[i].val);
		val_dict_sets(c, "data_type", val_str(to));
		val_dict_set(out, cols.d->e[i].key, c);
	}
	return out.type == V_UNDEF ? cols : out;
}

value dbt_model_value(struct arena *a, struct project *p, struct node *n)
{
	value d = val_dict_new(a, 20);
	val_dict_sets(d, "unique_id", val_str(n->unique_id));
	val_dict_sets(d, "name", val_str(n->name));
	val_dict_sets(d, "resource_type", val_str(node_type_name(n->type)));
	val_dict_sets(d, "package_name", val_str(n->package));
	val_dict_sets(d, "path", val_str(n->path ? n->path : ""));
	val_dict_sets(d, "original_file_path", val_str(n->original_file_path ? n->original_file_path : ""));
	val_dict_sets(d, "fqn", n->fqn);
	val_dict_sets(d, "config", proj_node_config(n));
	if (n->batch) {
		/* dbt's BatchContext: the batch a microbatch model runs, its bounds aware UTC datetimes */
		value b = val_dict_new(a, 3);
		val_dict_sets(b, "id", val_str(n->batch->id));
		val_dict_sets(b, "event_time_start", dbt_datetime_parse(a, n->batch->start, strlen(n->batch->start), false));
		val_dict_sets(b, "event_time_end", dbt_datetime_parse(a, n->batch->end, strlen(n->batch->end), false));
		val_dict_sets(d, "batch", b);
	} else if (n->type == NODE_MODEL) {
		val_dict_sets(d, "batch", val_none());  /* a ModelNode's batch when none runs */
	}
	val_dict_sets(d, "tags", n->tags);
	val_dict_sets(d, "description", val_str(n->description ? n->description : ""));
	val_dict_sets(d, "columns", contract_columns(a, p, n));
	val_dict_sets(d, "constraints", n->constraints.type == V_LIST ? n->constraints : val_list_new(a, 0));
	val_dict_sets(d, "version", n->version.type == V_UNDEF ? val_none() : n->version);
	val_dict_sets(d, "latest_version", n->latest_version.type == V_UNDEF ? val_none() : n->latest_version);
	val_dict_sets(d, "access", val_dict_gets(n->config, "access").type == V_STR ? val_dict_gets(n->config, "access")
										      : val_str("protected"));
	val_dict_sets(d, "group", val_dict_gets(n->config, "group").type == V_STR ? val_dict_gets(n->config, "group")
										    : val_none());
	value contract = val_dict_gets(n->config, "contract");
	val_dict_sets(d, "contract", contract.type == V_DICT ? contract : val_dict_new(a, 0));
	val_dict_sets(d, "meta", n->meta);
	val_dict_sets(d, "alias", n->alias ? val_str(n->alias) : val_str(n->name));
	val_dict_sets(d, "schema", n->schema ? val_str(n->schema) : val_none());
	val_dict_sets(d, "database", n->database ? val_str(n->database) : val_none());
	val_dict_sets(d, "raw_code", val_strn(n->raw_code ? n->raw_code : "", n->raw_code ? n->raw_len : 0));
	val_dict_sets(d, "raw_sql", val_strn(n->raw_code ? n->raw_code : "", n->raw_code ? n->raw_len : 0));
	val_dict_sets(d, "language", val_str("sql"));
	val_dict_sets(d, "relation_name", n->relation_name ? val_str(n->relation_name) : val_none());
	for (size_t i = 0; i < p->npackages; i++)
		if (!strcmp(p->packages[i].name, n->package))
			val_dict_sets(d, "root_path", val_str(p->packages[i].root));
	if (n->compiled_code) {
		val_dict_sets(d, "compiled_code", val_str(n->compiled_code));
		val_dict_sets(d, "compiled_sql", val_str(n->compiled_code));
	}
	if (n->test_metadata.type == V_DICT)
		val_dict_sets(d, "test_metadata", n->test_metadata);
	if (n->column_name)
		val_dict_sets(d, "column_name", val_str(n->column_name));
	value refs = val_list_new(a, n->nrefs);
	for (uint32_t i = 0; i < n->nrefs; i++) {
		value rd = val_dict_new(a, 3);
		val_dict_sets(rd, "name", val_str(n->refs[i].name));
		val_dict_sets(rd, "package", n->refs[i].package ? val_str(n->refs[i].package) : val_none());
		val_dict_sets(rd, "version", n->refs[i].version ? val_str(n->refs[i].version) : val_none());
		val_list_push(refs, rd);
	}
	val_dict_sets(d, "refs", refs);
	value deps = val_dict_new(a, 2);
	value dn = val_list_new(a, n->ndeps);
	for (uint32_t i = 0; i < n->ndeps && p->nodes; i++)
		val_list_push(dn, val_str(p->nodes[n->deps[i]]->unique_id));
	val_dict_sets(deps, "nodes", dn);
	val_dict_sets(deps, "macros", val_list_new(a, 0));
	val_dict_sets(d, "depends_on", deps);
	return d;
}

/* ---- calling from C ---- */

int dbt_call_value(struct dbt_render *r, value fn, const struct vargs *args, value *pout)
{
	value ctx = r->ctx.type == V_DICT ? r->ctx : dbt_context(r);
	return jj_invoke(r->proj->jinja, fn, args, ctx, r->arena, r, pout, r->dl);
}

/* ---- adapter ---- */

static const struct adapter_vtable *vt_of(struct dbt_render *r)
{
	if (r->vt)
		return r->vt;
	return adapter_find(r->proj->target.type ? r->proj->target.type : "duckdb");
}

static value a_dispatch(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct project *p = r->proj;
	const char *name = dbt_str_arg(vm, args, 0, "macro_name", "adapter.dispatch", true);
	const char *ns = dbt_str_arg(vm, args, 1, "macro_namespace", "adapter.dispatch", false);
	const char *type = vt_of(r) ? vt_of(r)->type : "default";
	/* the packages to search, as dbt's dispatch: the project's dispatch search_order for the
	 * namespace, else the root project then the namespace when it is a package, else every package
	 * as one; in each, the adapter's prefix, its parent's, then default. A namespace that is not
	 * configured also falls back on every package. */
	const char *order[64];
	size_t norder = 0;
	value dispatch = val_dict_gets(p->yml, "dispatch");
	bool configured = false;
	for (uint32_t i = 0; ns && dispatch.type == V_LIST && i < dispatch.l->len; i++) {
		value d = dispatch.l->items[i];
		if (d.type != V_DICT || !val_streq(val_dict_gets(d, "macro_namespace"), ns))
			continue;
		value so = val_dict_gets(d, "search_order");
		for (uint32_t j = 0; so.type == V_LIST && j < so.l->len && norder < 63; j++)
			if (so.l->items[j].type == V_STR)
				order[norder++] = so.l->items[j].s;
		configured = norder > 0;
		break;
	}
	bool known = ns && !strcmp(ns, "dbt");
	for (size_t i = 0; ns && !known && i < p->npackages; i++)
		known = !strcmp(p->packages[i].name, ns);
	if (!configured && known) {
		order[norder++] = p->name;
		order[norder++] = ns;
	}
	const char *parent = vt_of(r) ? vt_of(r)->parent : NULL;
	const char *prefixes[] = {type, parent ? parent : "default", "default"};
	size_t nprefixes = parent ? 3u : 2u;
	struct arena *a = jj_arena(vm);
	for (size_t i = 0; i < norder; i++)
		for (size_t k = 0; k < nprefixes; k++) {
			value m = proj_find_macro(p, order[i], arena_sprintf(a, "%s__%s", prefixes[k], name));
			if (m.type != V_UNDEF)
				return m;
		}
	for (size_t k = 0; !configured && k < nprefixes; k++) {
		value m = proj_find_macro(p, NULL, arena_sprintf(a, "%s__%s", prefixes[k], name));
		if (m.type != V_UNDEF)
			return m;
	}
	jj_raise(vm, "adapter.dispatch: no macro named '%s__%s' or 'default__%s' found%s%s", type, name, name,
		 ns ? " in namespace " : "", ns ? ns : "");
}

static value a_quote(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *ident = dbt_str_arg(vm, args, 0, "identifier", "adapter.quote", true);
	const struct adapter_vtable *vt = vt_of(r);
	return val_str(vt ? vt->quote(ident, jj_arena(vm)) : ident);
}

static value a_type(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct adapter_vtable *vt = vt_of(dbt_r(vm));
	return val_str(vt ? vt->type : "duckdb");
}

static bool connected(struct dbt_render *r)
{
	return r->phase == DBT_EXECUTE && r->conn && r->vt;
}

static const char *rel_type_str(enum relation_type t)
{
	return relation_type_name(t);
}

static value a_get_relation(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return val_none();
	const char *db = dbt_str_arg(vm, args, 0, "database", "adapter.get_relation", false);
	const char *schema = dbt_str_arg(vm, args, 1, "schema", "adapter.get_relation", true);
	const char *ident = dbt_str_arg(vm, args, 2, "identifier", "adapter.get_relation", true);
	struct adapter_relation rel;
	bool found = false;
	char *err = NULL;
	if (r->vt->get_relation(r->conn, db, schema, ident, &rel, &found, jj_arena(vm), &err) < 0)
		jj_raise(vm, "adapter.get_relation: %s", err ? err : "failed");
	if (!found)
		return val_none();
	return dbt_relation(jj_arena(vm), r->proj, rel.database, rel.schema, rel.identifier, rel_type_str(rel.type));
}

static void need_relation(struct jj_vm *vm, value v, const char *fname, const char **db, const char **schema,
			  const char **ident, const char **type)
{
	if (!dbt_relation_parts(v, db, schema, ident, type))
		jj_raise(vm, "%s() needs a relation, got %s", fname, val_type_name(v));
}

/* api.Column: what get_columns_in_relation returns (name, data_type, quoted, is_string(), ...) */
struct column {
	const char *name;
	const char *type;
};

static const struct vobj_class column_class;

static bool type_is(const char *type, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncasecmp(type, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

static const char *const string_types[] = {"varchar", "char", "text", "string", "character", "bpchar", NULL};
static const char *const int_types[] = {"int", "bigint", "smallint", "tinyint", "hugeint", "ubigint", "uinteger",
					"usmallint", "utinyint", "integer", NULL};
static const char *const float_types[] = {"float", "double", "real", NULL};
static const char *const numeric_types[] = {"decimal", "numeric", NULL};

static value col_is_string(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_bool(type_is(((struct column *)ud)->type, string_types));
}

static value col_is_integer(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_bool(type_is(((struct column *)ud)->type, int_types));
}

static value col_is_float(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_bool(type_is(((struct column *)ud)->type, float_types));
}

static value col_is_numeric(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_bool(type_is(((struct column *)ud)->type, numeric_types));
}

static value col_is_number(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *t = ((struct column *)ud)->type;
	return val_bool(type_is(t, int_types) || type_is(t, float_types) || type_is(t, numeric_types));
}

static value col_string_size(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *paren = strchr(((struct column *)ud)->type, '(');
	return paren ? val_int(atol(paren + 1)) : val_int(256);
}

static value column_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct column *c = o->data;
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("name") || IS("column"))
		return val_str(c->name);
	/* expanded_data_type: the type with its size, which data_type already has */
	if (IS("data_type") || IS("dtype") || IS("expanded_data_type"))
		return val_str(c->type);
	if (IS("quoted"))
		return val_str_fmt(a, "\"%s\"", c->name);
	if (IS("is_string"))
		return val_func(a, "is_string", col_is_string, c);
	if (IS("is_integer"))
		return val_func(a, "is_integer", col_is_integer, c);
	if (IS("is_float"))
		return val_func(a, "is_float", col_is_float, c);
	if (IS("is_numeric"))
		return val_func(a, "is_numeric", col_is_numeric, c);
	if (IS("is_number"))
		return val_func(a, "is_number", col_is_number, c);
	if (IS("string_size"))
		return val_func(a, "string_size", col_string_size, c);
#undef IS
	return dbt_column_extra(vm, c->name, c->type, name, n);
}

static void column_repr(struct vobj *o, struct sb *out)
{
	struct column *c = o->data;
	sb_addf(out, "<Column %s (%s)>", c->name, c->type);
}

static const struct vobj_class column_class = {
	.name = "Column",
	.getattr = column_getattr,
	.str = column_repr,
	.repr = column_repr,
};

static value column_value(struct arena *a, const struct adapter_column *col)
{
	struct column *c = arena_alloc(a, sizeof(*c));
	c->name = col->name;
	c->type = col->type;
	return val_obj(a, &column_class, c);
}

value dbt_column_new(struct arena *a, const char *name, const char *type)
{
	struct adapter_column col = {.name = name, .type = type};
	return column_value(a, &col);
}

static value a_get_columns(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	if (!connected(r))
		return val_list_new(a, 0);
	const char *db, *schema, *ident, *type;
	need_relation(vm, jj_arg(args, 0, "relation", val_none()), "adapter.get_columns_in_relation", &db, &schema,
		      &ident, &type);
	struct adapter_relation rel = {db, schema, ident, REL_TABLE};
	struct adapter_column *cols;
	size_t n;
	char *err = NULL;
	if (r->vt->get_columns(r->conn, &rel, &cols, &n, a, &err) < 0)
		jj_raise(vm, "adapter.get_columns_in_relation: %s", err ? err : "failed");
	value out = val_list_new(a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(out, column_value(a, &cols[i]));
	return out;
}

static value a_list_relations(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	if (!connected(r))
		return val_list_new(a, 0);
	const char *db, *schema, *ident, *type;
	need_relation(vm, jj_arg(args, 0, "schema_relation", val_none()), "adapter.list_relations_without_caching",
		      &db, &schema, &ident, &type);
	struct adapter_relation *rels;
	size_t n;
	char *err = NULL;
	if (r->vt->list_relations(r->conn, db, schema, &rels, &n, a, &err) < 0)
		jj_raise(vm, "adapter.list_relations_without_caching: %s", err ? err : "failed");
	value out = val_list_new(a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(out, dbt_relation(a, r->proj, rels[i].database, rels[i].schema, rels[i].identifier,
						rel_type_str(rels[i].type)));
	return out;
}

/* Results of SQL as dbt's agate tables (see agate.c) */
static value table_value(struct arena *a, const struct adapter_result *res)
{
	return dbt_agate_table(a, res);
}

static value response_value(struct arena *a, const struct adapter_result *res)
{
	value d = val_dict_new(a, 3);
	val_dict_sets(d, "_message", val_str(res->message ? res->message : "OK"));
	bool bare = res->rows_affected == ADAPTER_MESSAGE_ONLY;
	val_dict_sets(d, "code", bare ? val_none() : val_str(res->message ? res->message : "OK"));
	val_dict_sets(d, "rows_affected", res->rows_affected >= 0 ? val_int(res->rows_affected) : val_none());
	return d;
}

static value a_execute(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	const char *sql = dbt_str_arg(vm, args, 0, "sql", "adapter.execute", true);
	bool fetch = val_truthy(jj_arg(args, 2, "fetch", val_bool(false)));
	value lim = jj_arg(args, 3, "limit", val_none());
	if (!connected(r))
		jj_raise(vm, "adapter.execute() needs a database connection, which parsing has not");
	/* dbt's SQLConnectionManager.execute adds the query comment */
	struct diag_list qdl;
	diag_list_init(&qdl);
	const char *commented = dbt_query_commented(r, sql, &qdl);
	if (!commented) {
		const char *msg = arena_strdup(a, qdl.head ? qdl.head->msg : "the query comment failed");
		diag_list_release(&qdl);
		jj_raise(vm, "%s", msg);
	}
	diag_list_release(&qdl);
	sql = commented;
	struct adapter_result res = {0};
	char *err = NULL;
	if (r->vt->execute(r->conn, sql, fetch, lim.type == V_INT ? (long)lim.i : -1, &res, a, &err) < 0)
		jj_raise_db(vm, "%s", err ? err : "unknown error");
	value t = val_tuple_new(a, 2);
	val_list_push(t, response_value(a, &res));
	val_list_push(t, fetch ? table_value(a, &res) : table_value(a, &(struct adapter_result){0}));
	/* the node's status is its 'main' statement's (or, before one ran, the latest's) */
	if (r->main_pending || !r->status_set) {
		r->rows_affected = res.rows_affected;
		r->status_message = res.message;
		r->status_set = r->main_pending;
		r->main_pending = false;
	}
	return t;
}

/* Calls a dispatched macro by name with the given arguments, from C */
static value call_macro(struct jj_vm *vm, const char *name, value *argv, size_t n)
{
	struct dbt_render *r = dbt_r(vm);
	value fn = proj_find_macro(r->proj, NULL, name);
	if (fn.type == V_UNDEF)
		jj_raise(vm, "macro '%s' not found", name);
	struct vargs args = {argv, n, NULL, NULL, 0};
	return jj_call(vm, fn, &args);
}

static value a_drop_relation(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	if (!connected(dbt_r(vm)))
		return val_none();
	value rel = jj_arg(args, 0, "relation", val_none());
	return call_macro(vm, "drop_relation", &rel, 1);
}

static value a_rename_relation(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	if (!connected(dbt_r(vm)))
		return val_none();
	value argv[2] = {jj_arg(args, 0, "from_relation", val_none()), jj_arg(args, 1, "to_relation", val_none())};
	return call_macro(vm, "rename_relation", argv, 2);
}

static value a_create_schema(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return val_none();
	const char *db, *schema, *ident, *type;
	need_relation(vm, jj_arg(args, 0, "relation", val_none()), "adapter.create_schema", &db, &schema, &ident, &type);
	char *err = NULL;
	if (r->vt->create_schema(r->conn, db, schema, jj_arena(vm), &err) < 0)
		jj_raise(vm, "adapter.create_schema: %s", err ? err : "failed");
	return val_none();
}

/* adapter.load_csv(relation, path, options): loads a seed file into a new table; returns its rows */
static value a_load_csv(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	if (!connected(r))
		return val_none();
	const char *db, *schema, *ident, *type;
	need_relation(vm, jj_arg(args, 0, "relation", val_none()), "adapter.load_csv", &db, &schema, &ident, &type);
	const char *path = dbt_str_arg(vm, args, 1, "path", "adapter.load_csv", true);
	value options = jj_arg(args, 2, "options", val_none());
	if (!r->vt->load_csv)
		jj_raise(vm, "the %s adapter cannot load CSV files", r->vt->type);
	struct adapter_relation rel = {db, schema, ident, REL_TABLE};
	char *err = NULL;
	if (r->vt->load_csv(r->conn, &rel, path, options, a, &err) < 0)
		jj_raise_db(vm, "%s", err ? err : "cannot load the CSV file");
	/* how many rows arrived, for the status line */
	struct adapter_result res = {0};
	const char *sql = arena_sprintf(a, "select count(*) from %s.%s.%s", r->vt->quote(db, a), r->vt->quote(schema, a),
					r->vt->quote(ident, a));
	int64_t n = -1;
	if (r->vt->execute(r->conn, sql, true, 1, &res, a, &err) == 0 && res.nrows == 1 && res.rows[0].type == V_INT)
		n = res.rows[0].i;
	r->rows_affected = n;
	r->status_message = arena_sprintf(a, "INSERT %lld", (long long)n);
	r->status_set = true;
	return val_int(n);
}

static enum relation_type type_named(const char *type)
{
	if (!type)
		return REL_UNKNOWN;
	if (!strcmp(type, "table"))
		return REL_TABLE;
	if (!strcmp(type, "view"))
		return REL_VIEW;
	if (!strcmp(type, "materialized_view"))
		return REL_MATERIALIZED_VIEW;
	if (!strcmp(type, "external"))
		return REL_EXTERNAL;
	return REL_UNKNOWN;
}

/* The relation argument `name` of adapter.cache_*; false for none (dbt ignores a None relation) */
static bool cache_arg(struct jj_vm *vm, const struct vargs *args, size_t i, const char *name, const char *fname,
		      struct adapter_relation *rel)
{
	value v = jj_arg(args, i, name, val_none());
	if (v.type == V_NONE || v.type == V_UNDEF)
		return false;
	const char *type;
	need_relation(vm, v, fname, &rel->database, &rel->schema, &rel->identifier, &type);
	rel->type = type_named(type);
	return rel->schema && rel->identifier;
}

/* adapter.cache_added(relation), cache_dropped(relation), cache_renamed(from_relation, to_relation):
 * keep the relation cache in step with DDL that did not go through a statement */
static value a_cache_added(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct adapter_relation rel;
	if (connected(r) && r->vt->cache_note && cache_arg(vm, args, 0, "relation", "adapter.cache_added", &rel))
		r->vt->cache_note(r->conn, 'a', &rel, NULL);
	return val_none();
}

static value a_cache_dropped(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct adapter_relation rel;
	if (connected(r) && r->vt->cache_note && cache_arg(vm, args, 0, "relation", "adapter.cache_dropped", &rel))
		r->vt->cache_note(r->conn, 'd', &rel, NULL);
	return val_none();
}

static value a_cache_renamed(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct adapter_relation from, to;
	if (connected(r) && r->vt->cache_note &&
	    cache_arg(vm, args, 0, "from_relation", "adapter.cache_renamed", &from) &&
	    cache_arg(vm, args, 1, "to_relation", "adapter.cache_renamed", &to))
		r->vt->cache_note(r->conn, 'r', &from, &to);
	return val_none();
}

static value a_commit(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return val_none();
	/* dbt's statements begin a transaction when none is open (auto_begin), so a commit after one
	 * always has one to end; what Sluice ran outside a transaction went through in autocommit,
	 * and is committed already (elementary commits its on-run-end writes on DuckDB this way) */
	if (r->vt->in_transaction && !r->vt->in_transaction(r->conn))
		return val_none();
	char *err = NULL;
	if (r->vt->commit(r->conn, jj_arena(vm), &err) < 0)
		jj_raise(vm, "commit failed: %s", err ? err : "?");
	return val_none();
}

static value a_begin(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (!connected(r))
		return val_none();
	char *err = NULL;
	if (r->vt->begin(r->conn, jj_arena(vm), &err) < 0)
		jj_raise(vm, "begin failed: %s", err ? err : "?");
	return val_none();
}

/* adapter.<method>() of the engine itself (vtable `methods`), e.g. Flink's list_jobs() */
static value a_engine_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *method = ud;
	if (!connected(r))
		return val_none();
	struct arena *a = jj_arena(vm);
	value pos = val_list_new(a, args->npos);
	for (size_t i = 0; i < args->npos; i++)
		val_list_push(pos, args->pos[i]);
	value kw = val_dict_new(a, args->nkw);
	for (size_t i = 0; i < args->nkw; i++)
		val_dict_sets(kw, args->kwnames[i], args->kw[i]);
	value out = val_none();
	bool found = false;
	char *err = NULL;
	if (r->vt->call(r->conn, method, pos, kw, &out, &found, a, &err) < 0)
		jj_raise_db(vm, "%s", err ? err : "unknown error");
	if (!found)
		jj_raise(vm, "the %s adapter has no method '%s'", r->vt->type, method);
	return out;
}

static value engine_method(struct jj_vm *vm, const char *name, size_t n)
{
	const struct adapter_vtable *vt = vt_of(dbt_r(vm));
	for (const char *const *m = vt && vt->call ? vt->methods : NULL; m && *m; m++)
		if (strlen(*m) == n && !memcmp(*m, name, n))
			return val_func(jj_arena(vm), *m, a_engine_call, (void *)*m);
	return val_undef();
}

static value adapter_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	static const struct {
		const char *name;
		vfunc_fn fn;
	} methods[] = {
		{"dispatch", a_dispatch},
		{"quote", a_quote},
		{"type", a_type},
		{"get_relation", a_get_relation},
		{"get_columns_in_relation", a_get_columns},
		{"list_relations_without_caching", a_list_relations},
		{"list_relations", a_list_relations},
		{"execute", a_execute},
		{"drop_relation", a_drop_relation},
		{"rename_relation", a_rename_relation},
		{"create_schema", a_create_schema},
		{"load_csv", a_load_csv},
		{"commit", a_commit},
		{"begin", a_begin},
		{"cache_added", a_cache_added},
		{"cache_dropped", a_cache_dropped},
		{"cache_renamed", a_cache_renamed},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && !memcmp(methods[i].name, name, n))
			return val_func(jj_arena(vm), methods[i].name, methods[i].fn, NULL);
	/* adapter.config: the RuntimeConfig, as dbt's BaseAdapter holds it (Tuva reads its quoting) */
	if (n == 6 && !memcmp(name, "config", 6)) {
		struct dbt_render *r = jj_user(vm);
		return r ? dbt_runtime_config(jj_arena(vm), r->proj) : val_undef();
	}
	value extra = dbt_adapter_extra(vm, name, n);
	if (extra.type == V_UNDEF)
		extra = dbt_contract_method(vm, name, n);
	return extra.type == V_UNDEF ? engine_method(vm, name, n) : extra;
}

static const struct vobj_class adapter_class = {
	.name = "Adapter",
	.getattr = adapter_getattr,
};

/* ---- statements ---- */

/* store_result(name, response, agate_table=None) */
static value f_store_result(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *name = dbt_str_arg(vm, args, 0, "name", "store_result", true);
	if (r->statements.type != V_DICT)
		r->statements = val_dict_new(r->arena, 4);
	value res = val_dict_new(r->arena, 3);
	value table = jj_arg(args, 2, "agate_table", val_none());
	val_dict_sets(res, "response", jj_arg(args, 1, "response", val_none()));
	val_dict_sets(res, "table", table);
	value data = dbt_agate_attr(table, "rows");
	val_dict_sets(res, "data", data.type == V_LIST ? data : val_list_new(r->arena, 0));
	val_dict_set(r->statements, val_str(name), res);
	return val_str("");
}

static value f_load_result(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *name = dbt_str_arg(vm, args, 0, "name", "load_result", true);
	if (r->statements.type != V_DICT)
		return val_none();
	value v = val_dict_gets(r->statements, name);
	return v.type == V_UNDEF ? val_none() : v;
}

/* write(sql): the SQL that ran for the node, written to target/run/ */
static value f_write(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	value s = jj_arg(args, 0, "data", val_str(""));
	if (!r->status_set)
		r->main_pending = true;
	if (r->main_sql && s.type == V_STR) {
		if (r->main_sql->len)
			sb_adds(r->main_sql, ";\n");
		sb_add(r->main_sql, s.s, s.len);
	}
	return val_str("");
}

static value f_relation_create(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *db = dbt_str_arg(vm, args, 0, "database", "api.Relation.create", false);
	const char *schema = dbt_str_arg(vm, args, 1, "schema", "api.Relation.create", false);
	const char *ident = dbt_str_arg(vm, args, 2, "identifier", "api.Relation.create", false);
	const char *type = dbt_str_arg(vm, args, 3, "type", "api.Relation.create", false);
	return dbt_relation(jj_arena(vm), r->proj, db, schema, ident, type);
}

/* api.Relation.scd_args(primary_key, updated_at): what a snapshot version's scd_id hashes, the
 * key column (or each of a list of them), then updated_at */
static value f_relation_scd_args(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	struct arena *a = jj_arena(vm);
	value key = jj_arg(args, 0, "primary_key", val_none());
	value updated_at = jj_arg(args, 1, "updated_at", val_none());
	value out = val_list_new(a, 4);
	if (key.type == V_LIST) {
		for (uint32_t i = 0; i < key.l->len; i++)
			val_list_push(out, key.l->items[i]);
	} else {
		val_list_push(out, key);
	}
	val_list_push(out, updated_at);
	return out;
}

void dbt_install_adapter_globals(struct project *p)
{
	struct arena *a = &p->arena;
	jj_env_set_global(p->jinja, "adapter", val_obj(a, &adapter_class, p));
	jj_env_set_global(p->jinja, "store_result", val_func(a, "store_result", f_store_result, p));
	jj_env_set_global(p->jinja, "load_result", val_func(a, "load_result", f_load_result, p));
	jj_env_set_global(p->jinja, "write", val_func(a, "write", f_write, p));
	value rel = val_dict_new(a, 1);
	val_dict_sets(rel, "create", val_func(a, "create", f_relation_create, p));
	val_dict_sets(rel, "scd_args", val_func(a, "scd_args", f_relation_scd_args, p));
	value api = val_dict_new(a, 1);
	val_dict_sets(api, "Relation", rel);
	val_dict_sets(api, "Column", dbt_api_column(a));
	jj_env_set_global(p->jinja, "api", api);
}

void dbt_context_add_adapter(struct dbt_render *r, value ctx)
{
	(void)r;
	(void)ctx;
}
