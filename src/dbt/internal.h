/* Internal interfaces between the files of the dbt context module. */
#ifndef SLUICE_DBT_INTERNAL_H
#define SLUICE_DBT_INTERNAL_H

#include "dbt/context.h"

struct jj_vm;

/* A string argument by position or keyword; raises on a wrong type, or when required and missing */
const char *dbt_str_arg(struct jj_vm *vm, const struct vargs *args, size_t pos, const char *kw,
			const char *fname, bool required);
/* Config merge with dbt's rules (tags append, meta merges) */
void dbt_config_merge(struct arena *a, value dst, value src);
/* A ref() to an ephemeral model during execution: its CTE is injected into the compiled SQL */
void dbt_note_ephemeral(struct dbt_render *r, struct node *n);
/* adapter, api, statement results: globals and per-render entries */
void dbt_install_adapter_globals(struct project *p);
void dbt_context_add_adapter(struct dbt_render *r, value ctx);
/* adapter_extra.c: more adapter methods, Column accessors and api.Column; V_UNDEF when unknown */
value dbt_adapter_extra(struct jj_vm *vm, const char *name, size_t n);
/* deployments.c: adapter.get_deployment/set_deployment (target/deployments.json) and diff_text;
 * V_UNDEF when unknown */
value dbt_deployment_method(struct jj_vm *vm, const char *name, size_t n);
value dbt_column_extra(struct jj_vm *vm, const char *cname, const char *ctype, const char *name, size_t n);
value dbt_api_column(struct arena *a);
/* contracts.c: adapter.render_raw_columns_constraints / render_raw_model_constraints (V_UNDEF for
 * other names), exceptions.raise_contract_error and column_type_missing, alias_types' labels */
value dbt_contract_method(struct jj_vm *vm, const char *name, size_t n);
void dbt_contract_exceptions(struct arena *a, value exc);
const char *dbt_contract_alias_type(const char *t);
/* An api.Column object (adapter_obj.c) */
value dbt_column_new(struct arena *a, const char *name, const char *type);

/* modules.re, modules.datetime, modules.itertools (dbt_modules_release in context.h frees compiled patterns) */
value dbt_module_re(struct arena *a);
value dbt_module_datetime(struct arena *a);
value dbt_module_itertools(struct arena *a);
/* modules.pytz: timezone(name), utc (mod_datetime.c) */
value dbt_module_pytz(struct arena *a);
value dbt_datetime_now(struct arena *a, bool utc);
/* A database's text of a date or timestamp as a date or datetime object; V_UNDEF when it is not
 * one (mod_datetime.c) */
value dbt_datetime_parse(struct arena *a, const char *s, size_t n, bool date_only);
/* a var from the dbt_project.yml of package PKG (not the root project's), or V_UNDEF */
value dbt_package_var(struct project *p, const char *pkg, const char *name);
/* A query result as an agate table (agate.c): a dict of rows, columns, column_names, ... */
value dbt_agate_table(struct arena *a, const struct adapter_result *res);
/* --empty: ref() and source() of a run render as relations that read no rows */
bool dbt_flags_empty(void);
/* --defer (and whether --favor-state) */
bool dbt_flags_defer(bool *pfavor_state);
/* Fills the `flags` dict from the preset of dbt_flags_preset() */
void dbt_flags_install(value flags);
/* What templates see as `flags`: the dict's entries as attributes, each read noted */
value dbt_flags_object(struct arena *a, value flags);
/* dbt's filters as_text, as_bool, as_number, as_native (dbt_filters.c) */
void dbt_install_filters(struct jj_env *env);
/* A string read as a Python literal where it is one (True/False/None, numbers, and with
 * `containers` lists and dicts); anything else unchanged */
value dbt_literal(struct arena *a, value v, bool containers);
/* set() and try_set(): Python set objects (pyset.c) */
value dbt_set_fn(struct jj_vm *vm, void *ud, const struct vargs *args);
value dbt_try_set_fn(struct jj_vm *vm, void *ud, const struct vargs *args);
/* ref and source as dbt's resolvers: called as fn, with the project's RuntimeConfig as .config
 * (runtime_config.c) */
value dbt_resolver(struct arena *a, struct project *p, const char *name, vfunc_fn fn);
/* The project's RuntimeConfig as templates read it (ref.config, adapter.config) */
value dbt_runtime_config(struct arena *a, struct project *p);
/* members.c: the context members beyond the core ones; `from` is dbt_members_mark() taken before
 * the first dbt global was set, so that `builtins` knows which globals are the context's */
uint32_t dbt_members_mark(struct project *p);
void dbt_install_members(struct project *p, uint32_t from);
/* load_agate_table() of a seed (agate.c) */
value dbt_load_agate_table_fn(struct jj_vm *vm, void *ud, const struct vargs *args);
/* context_macro_stack: {call_stack, depth} of the package macros running when it is read (agate.c) */
value dbt_macro_stack_value(struct arena *a);
/* Its call_stack now: the macros of the render that called render(), then this render's */
value dbt_macro_call_stack(struct jj_vm *vm);

#endif
