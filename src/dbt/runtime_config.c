/*
 * ref and source as dbt's resolvers: in dbt's context they are objects (RuntimeRefResolver and
 * RuntimeSourceResolver, dbt/context/providers.py) that are called like functions and carry the
 * project's RuntimeConfig as `.config`. Packages read it through `builtins.ref.config`:
 * elementary takes its own version from `dependencies`, the project's name, the invocation's
 * arguments and vars from there.
 *
 * The config answers the attributes packages read: project_name, version, profile_name,
 * target_name, threads, config_version, project_root, target_path, packages_install_path, the
 * *_paths lists, quoting (dbt_project.yml's), cli_vars, vars (a VarProvider: .to_dict() gives
 * dbt_project.yml's `vars:` as written), args (the invocation's arguments, as
 * invocation_args_dict) and dependencies (every project by name, the root project and dbt's own
 * among them: project_name, version, project_root). Credentials are not among them: a secret
 * stays out of templates. adapter.config is the same object.
 */
#include <string.h>

#include "dbt/context.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))

struct resolver {
	vfunc_fn fn;  /* what calling it does: context.c's ref() or source() */
	struct project *p;
	const char *name;
};

static value resolver_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	struct resolver *r = o->data;
	return r->fn(vm, r->p, args);
}

/* VarProvider.to_dict(): the project's vars as dbt_project.yml writes them */
static value vars_to_dict(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)args;
	struct project *p = ud;
	value v = val_dict_gets(p->yml, "vars");
	/* a copy: the project's own dict is read by every thread of a run */
	return v.type == V_DICT ? val_copy(jj_arena(vm), v) : val_dict_new(jj_arena(vm), 0);
}

static value vars_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	if (IS("to_dict"))
		return val_func(jj_arena(vm), "to_dict", vars_to_dict, o->data);
	if (IS("vars"))
		return vars_to_dict(vm, o->data, NULL);
	return val_undef();
}

static const struct vobj_class vars_class = {
	.name = "VarProvider",
	.getattr = vars_getattr,
};

/* one project of `dependencies`: what a Project says of itself */
static value dependency(struct arena *a, const char *name, value version, const char *root)
{
	value d = val_dict_new(a, 3);
	val_dict_sets(d, "project_name", val_str(name));
	val_dict_sets(d, "version", version);
	val_dict_sets(d, "project_root", root ? val_str(root) : val_none());
	return d;
}

static value dependencies(struct arena *a, struct project *p)
{
	value out = val_dict_new(a, p->npackages + 1);
	for (size_t i = 0; i < p->npackages; i++) {
		const struct package *pkg = &p->packages[i];
		value v = val_dict_gets(pkg->project_yml, "version");
		val_dict_sets(out, pkg->name, dependency(a, pkg->name, v.type == V_UNDEF ? val_none() : v, pkg->root));
	}
	/* dbt's own project is one of them (its internal packages), at dbt's version */
	if (val_dict_gets(out, "dbt").type == V_UNDEF)
		val_dict_sets(out, "dbt", dependency(a, "dbt", val_str(DBT_MATCHED_VERSION), NULL));
	return out;
}

static value config_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct project *p = o->data;
	struct arena *a = jj_arena(vm);
	if (IS("project_name"))
		return val_str(p->name);
	if (IS("version"))
		return p->version ? val_str(p->version) : val_none();
	if (IS("profile_name"))
		return val_str(p->target.profile_name ? p->target.profile_name : p->name);
	if (IS("target_name"))
		return p->target.target_name ? val_str(p->target.target_name) : val_none();
	if (IS("threads"))
		return val_int(p->target.threads > 0 ? p->target.threads : 1);
	if (IS("config_version"))
		return val_int(2);
	if (IS("project_root"))
		return val_str(p->root);
	if (IS("target_path"))
		return p->target_path ? val_str(p->target_path) : val_none();
	if (IS("packages_install_path"))
		return p->packages_install_path ? val_str(p->packages_install_path) : val_none();
	/* containers are copies: the project's own are read by every thread of a run, and a
	 * template may change what it is given */
	if (IS("model_paths"))
		return val_copy(a, p->model_paths);
	if (IS("seed_paths"))
		return val_copy(a, p->seed_paths);
	if (IS("test_paths"))
		return val_copy(a, p->test_paths);
	if (IS("macro_paths"))
		return val_copy(a, p->macro_paths);
	if (IS("snapshot_paths"))
		return val_copy(a, p->snapshot_paths);
	if (IS("analysis_paths"))
		return val_copy(a, p->analysis_paths);
	if (IS("docs_paths"))
		return val_copy(a, p->docs_paths);
	if (IS("cli_vars"))
		return p->cli_vars.type == V_DICT ? val_copy(a, p->cli_vars) : val_dict_new(a, 0);
	if (IS("vars"))
		return val_obj(a, &vars_class, p);
	if (IS("args"))
		return jj_env_global(p->jinja, "invocation_args_dict");
	if (IS("dependencies"))
		return dependencies(a, p);
	if (IS("quoting")) {
		value q = val_dict_gets(p->yml, "quoting");
		return q.type == V_DICT ? val_copy(a, q) : val_dict_new(a, 0);
	}
	return val_undef();
}

static const struct vobj_class config_class = {
	.name = "RuntimeConfig",
	.getattr = config_getattr,
};

value dbt_runtime_config(struct arena *a, struct project *p)
{
	return val_obj(a, &config_class, p);
}

static value resolver_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct resolver *r = o->data;
	if (IS("config"))
		return dbt_runtime_config(jj_arena(vm), r->p);
	return val_undef();
}

static void resolver_str(struct vobj *o, struct sb *out)
{
	struct resolver *r = o->data;
	sb_addf(out, "<function %s>", r->name);
}

static const struct vobj_class resolver_class = {
	.name = "function",
	.getattr = resolver_getattr,
	.call = resolver_call,
	.str = resolver_str,
};

value dbt_resolver(struct arena *a, struct project *p, const char *name, vfunc_fn fn)
{
	struct resolver *r = arena_alloc(a, sizeof(*r));
	*r = (struct resolver){fn, p, name};
	return val_obj(a, &resolver_class, r);
}

/* ---- dbt's result objects ---- */

/* An object of dbt's (a RunResult, its node, a TimingInfo): attributes are its fields, and
 * to_dict() gives them as a dict, as dbt's dataclasses do */
static value to_dict_fn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)vm;
	(void)args;
	return *(value *)ud;
}

/* A node's config as dbt's config dataclasses answer: config.x and config['x'] of a field it
 * lacks is None, not undefined (BaseConfig.__getitem__ is its get(), which Jinja's getattr falls
 * back to), and get(key, default) and to_dict() */
static value config_obj_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value key = jj_arg(args, 0, "key", val_undef());
	value v = val_dict_get(*(value *)ud, key);
	(void)vm;
	return v.type == V_UNDEF ? jj_arg(args, 1, "default", val_none()) : v;
}

static value config_obj_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	value v = val_dict_getn(*(value *)o->data, name, n);
	if (v.type != V_UNDEF)
		return v;
	if (IS("get"))
		return val_func(jj_arena(vm), "get", config_obj_get, o->data);
	if (IS("to_dict"))
		return val_func(jj_arena(vm), "to_dict", to_dict_fn, o->data);
	return val_none();
}

static value config_obj_iter(struct jj_vm *vm, struct vobj *o)
{
	value d = *(value *)o->data;
	value keys = val_list_new(jj_arena(vm), d.d->len);
	for (uint32_t i = 0; i < d.d->len; i++)
		val_list_push(keys, d.d->e[i].key);
	return keys;
}

static const struct vobj_class config_obj_class = {
	.name = "NodeConfig",
	.getattr = config_obj_getattr,
	.iter = config_obj_iter,
};

/*
 * A member of one of dbt's string enums (a result's status, a node's resource_type): it is its
 * value as a string (prints, compares and hashes as it) and has .value and .name, the member's
 * name as dbt's enum spells it (RunStatus.Success, TestStatus.Pass, NodeType.Model, ...)
 */
struct str_enum {
	value v;
	const char *name;
};

static value str_enum_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	(void)vm;
	struct str_enum *e = o->data;
	if (IS("value"))
		return e->v;
	if (IS("name"))
		return val_str(e->name);
	return val_undef();
}

static void str_enum_str(struct vobj *o, struct sb *out)
{
	const struct str_enum *e = o->data;
	sb_add(out, e->v.s, e->v.len);
}

static bool str_enum_eq(struct vobj *o, value other)
{
	const struct str_enum *e = o->data;
	if (other.type == V_OBJ && other.o->cls == o->cls)
		other = ((const struct str_enum *)other.o->data)->v;
	return val_eq(e->v, other);
}

static uint64_t str_enum_hash(struct vobj *o)
{
	return val_hash(((const struct str_enum *)o->data)->v);
}

static const struct vobj_class str_enum_class = {
	.name = "str",
	.getattr = str_enum_getattr,
	.str = str_enum_str,
	.eq = str_enum_eq,
	.hash = str_enum_hash,
};

/* The enum member of value v: its name from dbt's enums (node_types.py, results.py), else the
 * value with its first letter capitalised */
static value str_enum(struct arena *a, value v)
{
	static const char *const named[][2] = {
		{"partial success", "PartialSuccess"}, {"rpc", "RPCCall"}, {"sql_operation", "SqlOperation"},
		{"doc", "Documentation"}, {"saved_query", "SavedQuery"}, {"semantic_model", "SemanticModel"},
		{"unit_test", "Unit"}, {"runtime error", "RuntimeErr"}, {"no-op", "NoOp"}};
	struct str_enum *e = arena_alloc(a, sizeof(*e));
	e->v = v;
	e->name = NULL;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !e->name; i++)
		if (val_streq(v, named[i][0]))
			e->name = named[i][1];
	if (!e->name) {
		char *nm = arena_strndup(a, v.s, v.len);
		if (*nm >= 'a' && *nm <= 'z')
			*nm = (char)(*nm - 'a' + 'A');
		e->name = nm;
	}
	return val_obj(a, &str_enum_class, e);
}

static value object_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	value d = *(value *)o->data;
	value v = val_dict_getn(d, name, n);
	/* result.status and node.resource_type are enum members in dbt (re_data reads .value) */
	if (v.type == V_STR && (IS("status") || IS("resource_type")))
		return str_enum(jj_arena(vm), v);
	if (v.type == V_UNDEF && IS("to_dict"))
		return val_func(jj_arena(vm), "to_dict", to_dict_fn, o->data);
	if (v.type == V_DICT && IS("config")) {
		value *c = arena_alloc(jj_arena(vm), sizeof(*c));
		*c = v;
		return val_obj(jj_arena(vm), &config_obj_class, c);
	}
	return v;
}

static const struct vobj_class object_class = {
	.name = "object",
	.getattr = object_getattr,
};

value dbt_object(struct arena *a, value fields)
{
	value *d = arena_alloc(a, sizeof(*d));
	*d = fields;
	return val_obj(a, &object_class, d);
}