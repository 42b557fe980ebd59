/*
 * Running a unit test (dbt 1.8+'s unit materialization, in C): the tested model's SQL is rendered
 * with each given input replaced by a CTE of its fixture rows, and its result compared with the
 * expected rows as a multiset, on the expected columns.
 *
 * Fixture columns take the types of the real input relation (its columns, as dbt's
 * get_columns_in_relation returns them): every value is cast to its column's type, and a column a
 * fixture does not name is a null of its type. Expected values are cast to the types of the model's
 * result columns. `this` (an incremental model's own rows), is_incremental and any other macro,
 * vars and env vars follow the test's overrides. A difference is reported as dbt does: the rows
 * only in actual (+++) and only in expected (---), next to those in both.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "jinja/jinja.h"
#include "project/yml.h"
#include "runner/internal.h"
#include "core/report.h"

struct ut {
	struct project *p;
	struct node *test, *model;
	value given;      /* the normalised given list (project/unit_tests.c) */
	value overrides;  /* {macros, vars, env_vars} */
	value orig_ref, orig_source, orig_var, orig_env_var;
};

/* The CTE that stands for the node of a given input */
static const char *cte_name(struct arena *a, const struct node *t)
{
	if (t->type == NODE_SOURCE)
		return arena_sprintf(a, "__dbt__cte__%s__%s", t->source_name, t->name);
	if (t->version.type != V_UNDEF)
		return arena_sprintf(a, "__dbt__cte__%s_v%s", t->name, proj_version_str(a, t->version));
	return arena_sprintf(a, "__dbt__cte__%s", t->name);
}

/* The given item standing for node index `idx` (not `this`), or V_UNDEF */
static value given_for(const struct ut *u, uint32_t idx)
{
	for (uint32_t i = 0; i < u->given.l->len; i++) {
		value g = u->given.l->items[i];
		value nd = val_dict_gets(g, "node");
		if (nd.type == V_INT && (uint32_t)nd.i == idx && val_dict_gets(g, "this").type == V_UNDEF)
			return g;
	}
	return val_undef();
}

static const char *str_arg(struct jj_vm *vm, const struct vargs *args, size_t i, const char *fn)
{
	if (i >= args->npos || args->pos[i].type != V_STR)
		jj_raise(vm, "%s() arguments must be strings", fn);
	return val_cstr(jj_arena(vm), args->pos[i]);
}

static value f_ref(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct ut *u = ud;
	if (args->npos >= 1 && args->npos <= 2) {
		const char *pkg = args->npos == 2 ? str_arg(vm, args, 0, "ref") : NULL;
		/* ref('m', v=2): that version's fixture */
		value v = jj_arg(args, 99, "v", val_undef());
		if (v.type == V_UNDEF || v.type == V_NONE)
			v = jj_arg(args, 99, "version", val_undef());
		const char *version = v.type == V_STR || v.type == V_INT || v.type == V_FLOAT
					      ? proj_version_str(jj_arena(vm), v) : NULL;
		struct node *t = proj_ref_version(u->p, pkg, str_arg(vm, args, args->npos - 1, "ref"), version);
		if (t && given_for(u, t->index).type != V_UNDEF)
			return val_str(cte_name(jj_arena(vm), t));
	}
	return jj_call(vm, u->orig_ref, args);
}

static value f_source(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct ut *u = ud;
	if (args->npos == 2) {
		/* as the model's own source() call resolves it */
		struct node *t = proj_source_from(u->p, u->model->package, str_arg(vm, args, 0, "source"),
						  str_arg(vm, args, 1, "source"));
		if (t && given_for(u, t->index).type != V_UNDEF)
			return val_str(cte_name(jj_arena(vm), t));
	}
	return jj_call(vm, u->orig_source, args);
}

static value f_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct ut *u = ud;
	if (args->npos >= 1 && args->pos[0].type == V_STR) {
		value v = val_dict_get(val_dict_gets(u->overrides, "vars"), args->pos[0]);
		if (v.type != V_UNDEF)
			return v;
	}
	return jj_call(vm, u->orig_var, args);
}

static value f_env_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct ut *u = ud;
	if (args->npos >= 1 && args->pos[0].type == V_STR) {
		value v = val_dict_get(val_dict_gets(u->overrides, "env_vars"), args->pos[0]);
		if (v.type == V_STR)
			return v;
		if (v.type != V_UNDEF && v.type != V_NONE) {
			struct sb s = SB_INIT;
			val_to_json(&s, v, 0, 0);
			value out = val_str_dup(jj_arena(vm), s.buf, s.len);
			sb_release(&s);
			return out;
		}
	}
	return jj_call(vm, u->orig_env_var, args);
}

/* An overridden macro: returns the value the test gives it, whatever its arguments */
static value f_fixed(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)vm, (void)args;
	return *(value *)ud;
}

/* A SQL literal of a fixture value, before its cast */
static void sql_literal(struct sb *out, value v)
{
	switch (v.type) {
	case V_NONE:
	case V_UNDEF: sb_adds(out, "null"); return;
	case V_BOOL: sb_adds(out, v.b ? "true" : "false"); return;
	case V_INT: sb_addf(out, "%lld", (long long)v.i); return;
	case V_FLOAT: sb_addf(out, "%.17g", v.f); return;
	case V_STR:
		sb_addc(out, '\'');
		for (uint32_t i = 0; i < v.len; i++) {
			if (v.s[i] == '\'')
				sb_addc(out, '\'');
			sb_addc(out, v.s[i]);
		}
		sb_addc(out, '\'');
		return;
	default: {
		/* lists and mappings: their JSON text, for JSON/struct columns to cast */
		struct sb j = SB_INIT;
		val_to_json(&j, v, 0, 0);
		sql_literal(out, val_str(j.buf ? j.buf : ""));
		sb_release(&j);
		return;
	}
	}
}

struct colset {
	size_t n;
	const char **name;   /* as the relation spells it */
	const char **type;
};

static long col_find(const struct colset *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!strcasecmp(cs->name[i], name))
			return (long)i;
	return -1;
}

static const char *accepted(struct arena *a, const struct colset *cs)
{
	struct sb s = SB_INIT;
	sb_addc(&s, '[');
	for (size_t i = 0; i < cs->n; i++)
		sb_addf(&s, "%s'%s'", i ? ", " : "", cs->name[i]);
	sb_addc(&s, ']');
	const char *r = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

/* Where a row's key was written (YAML), else the fixture's rows */
static struct loc key_loc(value row, uint32_t k, value def)
{
	if (row.d->keylocs)
		return row.d->keylocs[k];
	return yml_val_loc(def, "rows");
}

/*
 * The SELECTs of fixture rows over columns `cs`: each row's values cast to their column's type.
 * `all` gives every column (a null of its type when the row does not name it), else only `cs`
 * (expected output, whose columns are those of the first row). `what` names the fixture in errors.
 */
static int fixture_sql(struct arena *a, const struct adapter_vtable *vt, value fx, const struct colset *cs,
		       const char *test, const char *what, struct sb *out, struct diag_list *dl)
{
	value rows = val_dict_gets(fx, "rows"), def = val_dict_gets(fx, "def");
	if (rows.type == V_STR) { /* format: sql */
		sb_adds(out, rows.s);
		return 0;
	}
	for (uint32_t r = 0; r < rows.l->len; r++) {
		value row = rows.l->items[r];
		for (uint32_t k = 0; k < row.d->len; k++) {
			value key = row.d->e[k].key;
			const char *kn = key.type == V_STR ? key.s : "?";
			if (key.type != V_STR || col_find(cs, kn) < 0) {
				struct diag *d = diag_error(dl, key_loc(row, k, def),
							    "invalid column name: '%s' in unit test fixture for %s (unit test '%s')",
							    kn, what, test);
				diag_hint(dl, d, "accepted columns for %s are: %s", what, accepted(a, cs));
				return -1;
			}
		}
	}
	size_t nrows = rows.l->len ? rows.l->len : 1;
	for (size_t r = 0; r < nrows; r++) {
		value row = rows.l->len ? rows.l->items[r] : val_undef();
		sb_adds(out, r ? "\nunion all\nselect " : "select ");
		for (size_t c = 0; c < cs->n; c++) {
			value v = val_undef();
			for (uint32_t k = 0; row.type == V_DICT && k < row.d->len; k++)
				if (!strcasecmp(row.d->e[k].key.s, cs->name[c]))
					v = row.d->e[k].val;
			sb_adds(out, c ? ", cast(" : "cast(");
			sql_literal(out, v);
			sb_addf(out, " as %s) as %s", cs->type[c], vt->quote(cs->name[c], a));
		}
		if (!rows.l->len)
			sb_adds(out, "\nlimit 0");
	}
	return 0;
}

/* The columns of the relation a given input stands for */
static int input_columns(struct arena *a, struct project *p, const struct adapter_vtable *vt, struct adapter_conn *conn,
			 const struct node *t, struct colset *cs, char **perr)
{
	struct adapter_relation rel;
	bool found = false;
	if (vt->get_relation(conn, t->database, t->schema, t->alias, &rel, &found, a, perr) < 0)
		return -1;
	if (!found) {
		*perr = arena_sprintf(a, "the relation %s does not exist", t->relation_name ? t->relation_name : t->name);
		return 1;
	}
	struct adapter_column *cols;
	size_t n;
	if (vt->get_columns(conn, &rel, &cols, &n, a, perr) < 0)
		return -1;
	cs->n = n;
	cs->name = arena_alloc(a, (n ? n : 1) * sizeof(char *));
	cs->type = arena_alloc(a, (n ? n : 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		cs->name[i] = cols[i].name;
		cs->type[i] = cols[i].type;
	}
	(void)p;
	return 0;
}

static const char *cell_text(struct arena *a, value v)
{
	switch (v.type) {
	case V_NONE:
	case V_UNDEF: return "None";
	case V_BOOL: return v.b ? "True" : "False";
	case V_INT: return arena_sprintf(a, "%lld", (long long)v.i);
	case V_FLOAT: return arena_sprintf(a, "%.15g", v.f);
	case V_STR: return v.s;
	default: {
		struct sb s = SB_INIT;
		val_to_json(&s, v, 0, 0);
		const char *r = arena_strndup(a, s.buf ? s.buf : "", s.len);
		sb_release(&s);
		return r;
	}
	}
}

struct trow {
	const char **cells;
	const char *key;   /* the cells joined, for sorting and matching */
};

static int cmp_trow(const void *x, const void *y)
{
	return strcmp(((const struct trow *)x)->key, ((const struct trow *)y)->key);
}

/* dbt's "actual differs from expected" table: rows in both, then +++ (actual only) / --- (expected only) */
static const char *render_diff(struct arena *a, const struct colset *cs, struct trow *act, size_t na,
			       struct trow *exp, size_t ne)
{
	size_t ncol = cs->n;
	struct drow {
		const char *tag;
		const char **cells;
	} *lines = arena_alloc(a, (na + ne + 1) * sizeof(*lines));
	size_t nl = 0, i = 0, j = 0;
	while (i < na || j < ne) {
		int c = i < na && j < ne ? strcmp(act[i].key, exp[j].key) : i < na ? -1 : 1;
		if (c == 0) {
			lines[nl++] = (struct drow){"   ", act[i].cells};
			i++, j++;
		} else if (c < 0) {
			lines[nl++] = (struct drow){"+++", act[i++].cells};
		} else {
			lines[nl++] = (struct drow){"---", exp[j++].cells};
		}
	}
	size_t *w = arena_alloc(a, (ncol ? ncol : 1) * sizeof(size_t));
	for (size_t c = 0; c < ncol; c++) {
		w[c] = strlen(cs->name[c]);
		for (size_t l = 0; l < nl; l++)
			if (strlen(lines[l].cells[c]) > w[c])
				w[c] = strlen(lines[l].cells[c]);
	}
	struct sb s = SB_INIT;
	sb_adds(&s, "actual differs from expected:\n\n@@ ");
	for (size_t c = 0; c < ncol; c++)
		sb_addf(&s, ",%-*s", (int)w[c], cs->name[c]);
	for (size_t l = 0; l < nl; l++) {
		sb_addf(&s, "\n%s", lines[l].tag);
		for (size_t c = 0; c < ncol; c++)
			sb_addf(&s, ",%-*s", (int)w[c], lines[l].cells[c]);
	}
	/* no trailing blanks on any line */
	struct sb t = SB_INIT;
	for (const char *p = s.buf; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t k = len;
		while (k > 0 && p[k - 1] == ' ')
			k--;
		sb_add(&t, p, k);
		if (e)
			sb_addc(&t, '\n');
		p += len + (e ? 1 : 0);
	}
	const char *r = arena_strndup(a, t.buf, t.len);
	sb_release(&s);
	sb_release(&t);
	return r;
}

/* Where the fixture value a database error quotes ('abc') was written, else the test's entry */
static struct loc value_loc(const struct ut *u, const char *err)
{
	uint32_t ngiven = u->given.l->len;
	for (uint32_t i = 0; i <= ngiven; i++) {
		value fx = i < ngiven ? u->given.l->items[i] : val_dict_gets(u->test->unit_test, "expect");
		value rows = val_dict_gets(fx, "rows");
		for (uint32_t r = 0; rows.type == V_LIST && r < rows.l->len; r++) {
			value row = rows.l->items[r];
			for (uint32_t k = 0; row.d->vallocs && k < row.d->len; k++) {
				value v = row.d->e[k].val;
				if (v.type != V_STR || !v.len)
					continue;
				const char *hit = strstr(err, v.s);
				if (hit && hit > err && hit[-1] == '\'' && hit[v.len] == '\'')
					return row.d->vallocs[k];
			}
		}
	}
	return u->test->yaml_loc;
}

/* Builds and runs the test; 0 pass, 1 fail (*pdiff set), -1 error (diagnostic or *pdb_error) */
/* 1. a CTE of fixture rows for every given input, typed as its relation's columns, into *ctes;
 * *pthis_cte names the one that stands for `this` (incremental models), if any. 0 or -1. */
static int fixture_ctes(struct ut *u, const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a,
			struct sb *ctes, const char **pthis_cte, struct diag_list *dl)
{
	struct project *p = u->p;
	struct node *n = u->test, *m = u->model;
	char *err = NULL;
	int rc = 0;
	for (uint32_t i = 0; i < u->given.l->len && rc == 0; i++) {
		value g = u->given.l->items[i], gdef = val_dict_gets(g, "def");
		struct node *t = p->nodes[val_dict_gets(g, "node").i];
		bool is_this = val_dict_gets(g, "this").type != V_UNDEF;
		const char *name = is_this ? arena_sprintf(a, "__dbt__cte__%s", m->name) : cte_name(a, t);
		if (is_this)
			*pthis_cte = name;
		const char *what = arena_sprintf(a, "'%s'", is_this ? "this" : t->name);
		struct colset cs = {0};
		struct sb fx = SB_INIT;
		if (val_dict_gets(g, "rows").type != V_STR) {
			bool ephemeral = val_streq(val_dict_gets(t->config, "materialized"), "ephemeral");
			int r = ephemeral ? 1 : input_columns(a, p, vt, conn, t, &cs, &err);
			if (r != 0) {
				struct diag *d = diag_error(dl, yml_val_loc(gdef, "input"),
							    "not able to get columns for unit test '%s' from input %s: %s", m->name,
							    val_dict_gets(g, "input").s,
							    ephemeral ? "it is ephemeral" : err ? err : "unknown error");
				diag_hint(dl, d, ephemeral ? "give its rows with format: sql (a select of every column)"
							   : "build it first (sluice run -s %s), or give its rows with format: sql",
					  t->name);
				rc = -1;
			}
		}
		if (rc == 0 && fixture_sql(a, vt, g, &cs, n->name, what, &fx, dl) < 0)
			rc = -1;
		if (rc == 0)
			sb_addf(ctes, "%s%s as (\n-- Fixture for %s\n%s\n)", ctes->len ? ", " : "with ", name,
				is_this ? m->name : t->name, fx.buf ? fx.buf : "");
		sb_release(&fx);
	}
	return rc;
}

/* The unit test's `overrides: macros:` in the model's context: a plain name, or "package.macro" in
 * a copy of that package's namespace, as dbt overrides it */
static void override_macros(struct ut *u, value ctx, struct arena *a)
{
	struct jj_env *env = u->p->jinja;
	value macros = val_dict_gets(u->overrides, "macros");
	for (uint32_t i = 0; i < macros.d->len; i++) {
		value *v = arena_alloc(a, sizeof(value));
		*v = macros.d->e[i].val;
		value k = macros.d->e[i].key;
		if (k.type != V_STR)
			continue;
		const char *dot = strchr(k.s, '.');
		if (!dot) {
			val_dict_set(ctx, k, val_func(a, k.s, f_fixed, v));
			continue;
		}
		const char *pkg = arena_strndup(a, k.s, (size_t)(dot - k.s)), *name = dot + 1;
		value ns = val_dict_gets(ctx, pkg);
		if (ns.type != V_DICT)
			ns = jj_env_global(env, pkg);
		if (ns.type != V_DICT || val_dict_gets(ns, name).type == V_UNDEF)
			continue;
		value copy = val_dict_new(a, ns.d->len);
		val_dict_merge(a, copy, ns);
		val_dict_sets(copy, name, val_func(a, name, f_fixed, v));
		val_dict_sets(ctx, pkg, copy);
	}
}

/* 2. the model's SQL, reading the fixtures (ref, source, var, env_var and `this` answer from the
 * unit test), into *out. 0 or -1. */
static int render_model(struct ut *u, struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn,
			struct arena *a, const char *this_cte, struct sb *out, struct diag_list *dl)
{
	struct project *p = u->p;
	struct node *n = u->test, *m = u->model;
	struct dbt_render r = {.proj = p, .node = m, .phase = DBT_EXECUTE, .arena = a, .dl = dl,
			       .adapter = ad, .vt = vt, .conn = conn, .not_the_node = true};
	value ctx = dbt_context(&r);
	struct jj_env *env = p->jinja;
	u->orig_ref = jj_env_global(env, "ref");
	u->orig_source = jj_env_global(env, "source");
	u->orig_var = jj_env_global(env, "var");
	u->orig_env_var = jj_env_global(env, "env_var");
	val_dict_sets(ctx, "ref", val_func(a, "ref", f_ref, u));
	val_dict_sets(ctx, "source", val_func(a, "source", f_source, u));
	val_dict_sets(ctx, "var", val_func(a, "var", f_var, u));
	val_dict_sets(ctx, "env_var", val_func(a, "env_var", f_env_var, u));
	if (this_cte)
		val_dict_sets(ctx, "this", val_str(this_cte));
	override_macros(u, ctx, a);
	struct sb text = SB_INIT;
	struct jj_template *mt = proj_node_template(p, m, dl);
	int rc = mt ? dbt_render(&r, mt, &text) : -1;
	if (rc == 0)
		rc = runner_inject_ctes(p, &r, text.buf ? text.buf : "", out);
	sb_release(&text);
	if (rc && dl->tail)
		diag_note(dl, dl->tail, n->yaml_loc, "while rendering model '%s' for unit test '%s'", m->name, n->name);
	return rc;
}

/* 3a. the columns of the model's result (a query of no rows): 0, or -1 with *pdb_error */
static int result_columns(const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, const char *sql,
			  struct colset *pcols, const char **pdb_error)
{
	struct adapter_result res;
	char *err = NULL;
	struct sb q = SB_INIT;
	sb_addf(&q, "select * from (\n%s\n) as t limit 0", sql);
	int rc = vt->execute(conn, q.buf, true, 0, &res, a, &err);
	sb_release(&q);
	if (rc < 0) {
		*pdb_error = err ? err : "the model's query failed";
		return -1;
	}
	pcols->n = res.ncols;
	pcols->name = arena_alloc(a, (res.ncols ? res.ncols : 1) * sizeof(char *));
	pcols->type = arena_alloc(a, (res.ncols ? res.ncols : 1) * sizeof(char *));
	for (size_t i = 0; i < res.ncols; i++) {
		pcols->name[i] = res.cols[i].name;
		pcols->type[i] = res.cols[i].type;
	}
	return 0;
}

/* 3b. the columns the expected rows compare: those of the first expected row, in its order, typed
 * as the model's; all of the model's when there is no row. 0 or -1. */
static int expected_columns(struct ut *u, struct arena *a, const struct colset *actual, struct colset *pcols,
			    struct diag_list *dl)
{
	value ex = val_dict_gets(u->test->unit_test, "expect");
	value rows = val_dict_gets(ex, "rows");
	*pcols = *actual;
	if (rows.type != V_LIST || !rows.l->len)
		return 0;
	value first = rows.l->items[0];
	pcols->n = 0;
	pcols->name = arena_alloc(a, (first.d->len + 1) * sizeof(char *));
	pcols->type = arena_alloc(a, (first.d->len + 1) * sizeof(char *));
	for (uint32_t k = 0; k < first.d->len; k++) {
		const char *kn = first.d->e[k].key.type == V_STR ? first.d->e[k].key.s : "?";
		long c = col_find(actual, kn);
		if (c < 0) {
			struct diag *d = diag_error(dl, key_loc(first, k, val_dict_gets(ex, "def")),
						    "invalid column name: '%s' in unit test fixture for expected output (unit test '%s')",
						    kn, u->test->name);
			diag_hint(dl, d, "accepted columns for expected output are: %s", accepted(a, actual));
			return -1;
		}
		pcols->name[pcols->n] = actual->name[c];
		pcols->type[pcols->n++] = actual->type[c];
	}
	return 0;
}

/* Whether the rows of res tagged 'actual' are those tagged 'expected', in any order; when not, the
 * difference as dbt prints it in *pdiff */
static bool same_rows(struct arena *a, const struct adapter_result *res, const struct colset *cols, const char **pdiff)
{
	size_t nc = cols->n;
	struct trow *act = arena_alloc(a, (res->nrows + 1) * sizeof(*act));
	struct trow *exp = arena_alloc(a, (res->nrows + 1) * sizeof(*exp));
	size_t na = 0, ne = 0;
	for (size_t r = 0; r < res->nrows; r++) {
		value *cells = res->rows + r * res->ncols;
		struct trow t = {arena_alloc(a, (nc + 1) * sizeof(char *)), NULL};
		struct sb key = SB_INIT;
		for (size_t c = 0; c < nc; c++) {
			t.cells[c] = cell_text(a, cells[c]);
			/* a type tag keeps null apart from the text "None" */
			sb_addf(&key, "%c%s\x1f", cells[c].type == V_NONE ? 'n' : 'v', t.cells[c]);
		}
		t.key = arena_strndup(a, key.buf ? key.buf : "", key.len);
		sb_release(&key);
		if (val_streq(cells[nc], "actual"))
			act[na++] = t;
		else
			exp[ne++] = t;
	}
	qsort(act, na, sizeof(*act), cmp_trow);
	qsort(exp, ne, sizeof(*exp), cmp_trow);
	bool same = na == ne;
	for (size_t r = 0; r < na && same; r++)
		same = !strcmp(act[r].key, exp[r].key);
	if (!same)
		*pdiff = render_diff(a, cols, act, na, exp, ne);
	return same;
}

/* 4. actual and expected side by side, as dbt's get_unit_test_sql, run and compared: 0 when they
 * are the same rows, 1 when not (*pdiff), -1 with *pdb_error. The query goes to *psql. */
static int compare(const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a,
		   const struct colset *expcols, const char *full, const char *expected, const char **psql,
		   const char **pdiff, const char **pdb_error)
{
	struct sb cols = SB_INIT, q = SB_INIT;
	for (size_t c = 0; c < expcols->n; c++)
		sb_addf(&cols, "%s, ", vt->quote(expcols->name[c], a));
	sb_addf(&q, "-- Build actual result given inputs\nwith dbt_internal_unit_test_actual as (\n  select %s'actual' as %s\n  from (\n%s\n  ) _dbt_internal_unit_test_actual\n),\n"
		    "-- Build expected result\ndbt_internal_unit_test_expected as (\n  select %s'expected' as %s\n  from (\n%s\n  ) _dbt_internal_unit_test_expected\n)\n"
		    "-- Union actual and expected results\nselect * from dbt_internal_unit_test_actual\nunion all\nselect * from dbt_internal_unit_test_expected",
		cols.buf ? cols.buf : "", vt->quote("actual_or_expected", a), full, cols.buf ? cols.buf : "",
		vt->quote("actual_or_expected", a), expected);
	sb_release(&cols);
	*psql = arena_strndup(a, q.buf, q.len);
	sb_release(&q);
	struct adapter_result res;
	char *err = NULL;
	if (vt->execute(conn, *psql, true, -1, &res, a, &err) < 0) {
		*pdb_error = err ? err : "the unit test's query failed";
		return -1;
	}
	if (res.ncols != expcols->n + 1) {
		*pdb_error = arena_sprintf(a, "the expected rows give %zu columns, the model's result %zu", res.ncols - 1,
					   expcols->n);
		return -1;
	}
	return same_rows(a, &res, expcols, pdiff) ? 0 : 1;
}

static int run(struct ut *u, struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn,
	       struct arena *a, const char **psql, const char **pdiff, const char **pdb_error, struct diag_list *dl)
{
	struct node *n = u->test;
	value ex = val_dict_gets(n->unit_test, "expect");
	struct sb ctes = SB_INIT, model_sql = SB_INIT, full = SB_INIT, expected = SB_INIT;
	const char *this_cte = NULL;
	int rc = fixture_ctes(u, vt, conn, a, &ctes, &this_cte, dl);
	if (rc == 0)
		rc = render_model(u, ad, vt, conn, a, this_cte, &model_sql, dl);
	if (rc == 0)
		sb_addf(&full, "%s%sselect * from (\n%s\n) as dbt_internal_unit_test_model", ctes.buf ? ctes.buf : "",
			ctes.len ? "\n" : "", model_sql.buf);
	/* 3. the columns of the model's result, and the expected rows typed as them */
	struct colset actual = {0}, expcols = {0};
	if (rc == 0)
		rc = result_columns(vt, conn, a, full.buf, &actual, pdb_error);
	if (rc == 0)
		rc = expected_columns(u, a, &actual, &expcols, dl);
	if (rc == 0 && fixture_sql(a, vt, ex, &expcols, n->name, "expected output", &expected, dl) < 0)
		rc = -1;
	if (rc == 0)
		rc = compare(vt, conn, a, &expcols, full.buf, expected.buf ? expected.buf : "", psql, pdiff, pdb_error);
	if (rc < 0 && *pdb_error && dl) {
		struct diag *d = diag_error(dl, value_loc(u, *pdb_error), "unit test '%s' could not run: %s", n->name,
					    *pdb_error);
		diag_hint(dl, d, "check that the fixture values cast to the input columns' types, and the model's SQL");
	}
	if (!*psql && full.len)
		*psql = arena_strndup(a, full.buf, full.len);
	sb_release(&expected);
	sb_release(&ctes);
	sb_release(&model_sql);
	sb_release(&full);
	return rc;
}

int runner_unit_test(struct project *p, const struct graph *g, struct node *n, struct adapter *ad,
		     const struct adapter_vtable *vt, struct adapter_conn *conn, struct arena *a, struct arena *keep,
		     struct run_result *res, int seq, int total, const char **perrtext, struct diag_list *dl)
{
	struct ut u = {.p = p, .test = n, .model = p->nodes[n->attached_node],
		       .given = val_dict_gets(n->unit_test, "given"), .overrides = val_dict_gets(n->unit_test, "overrides")};
	report_status("LogStartLine", seq, total, arena_sprintf(keep, "START unit_test %s::%s", u.model->name, n->name),
		      "RUN", RC_NONE, -1);
	res->compile_started = art_now();
	const char *sql = NULL, *diff = NULL, *db_error = NULL;
	char *e = NULL;
	/* on a streaming engine, a unit test runs in a bounded session of its own, where what its
	 * model reads is declared again (as a data test does) */
	bool session = vt->begin_test_session != NULL;
	int rc = 0;
	if (session && runner_begin_test_session(p, g, n, ad, vt, conn, 60 * 1000, a, dl, &e) < 0) {
		db_error = e ? e : "cannot open a bounded session";
		session = false;
		rc = -1;
	} else if (vt->begin(conn, a, &e) < 0) {
		db_error = e ? e : "cannot begin a transaction";
		rc = -1;
	} else {
		rc = run(&u, ad, vt, conn, a, &sql, &diff, &db_error, dl);
		/* nothing of a unit test stays in the database */
		char *re = NULL;
		if (vt->rollback(conn, a, &re) < 0)
			log_msg(LOG_WARN, "cannot roll back the transaction of %s: %s", n->unique_id, re ? re : "unknown error");
	}
	if (session && vt->end_test_session(conn, a, &e) < 0)
		log_msg(LOG_WARN, "%s", e ? e : "cannot close the bounded session");
	res->compile_completed = res->execute_started = res->compile_started;
	res->execute_completed = art_now();
	res->execution_time = res->execute_completed - res->compile_started;
	res->relation_name = NULL;
	res->rows_affected = -1;
	/* where dbt writes it: under the yml's name, the yml's folder, then the test's name */
	const char *slash = strrchr(n->original_file_path, '/');
	const char *rel = arena_sprintf(a, "%s/%s/%.*s%s%s.sql", n->package, n->original_file_path,
					slash ? (int)(slash - n->original_file_path) : 0, n->original_file_path,
					slash ? "/" : "", n->name);
	if (sql) {
		char *shown = arena_strdup(a, sql);
		size_t len = log_redact_n(shown, strlen(shown));
		res->compiled_code = n->compiled_code = arena_strndup(keep, shown, len);
		n->compiled_path = arena_sprintf(keep, "target/compiled/%s", rel);
		if (fs_write_direct(arena_sprintf(a, "%s/compiled/%s", p->target_path, rel), shown, len) < 0)
			log_msg(LOG_WARN, "cannot write the compiled SQL of %s", n->unique_id);
	}
	const char *label = arena_sprintf(keep, "%s::%s", u.model->name, n->name);
	if (rc == 0) {
		res->status = RUN_PASS;
		res->failures = 0;
		res->message = NULL;
		res->adapter_code = "OK";
		report_status("LogTestResult", seq, total, arena_sprintf(keep, "PASS %s", label), "PASS", RC_GREEN,
			      res->execution_time);
		return 0;
	}
	if (rc == 1) {
		res->status = RUN_FAIL;
		res->failures = 1;
		res->message = arena_sprintf(keep, "\n\n%s\n", diff);
		res->adapter_code = "OK";
		report_status("LogTestResult", seq, total, arena_sprintf(keep, "FAIL 1 %s", label), "FAIL 1", RC_RED,
			      res->execution_time);
		*perrtext = arena_sprintf(keep, "Failure in unit_test %s (%s)\n\n%s\n", n->name, n->original_file_path, diff);
		return 1;
	}
	struct sb detail = SB_INIT;
	for (const struct diag *d = dl->head; d; d = d->next)
		if (d->kind == DIAG_ERROR)
			diag_format(&detail, d, false);
	while (detail.len && detail.buf[detail.len - 1] == '\n')
		detail.buf[--detail.len] = '\0';
	if (!detail.len)
		sb_adds(&detail, db_error ? db_error : "unknown error");
	res->status = RUN_ERROR;
	res->failures = -1;
	res->message = arena_sprintf(keep, "%s Error in unit_test %s (%s)\n  %s", db_error ? "Database" : "Compilation",
				     n->name, n->original_file_path, detail.buf);
	*perrtext = arena_sprintf(keep, "%s\n", res->message);
	sb_release(&detail);
	report_status("LogTestResult", seq, total, arena_sprintf(keep, "ERROR %s", label), "ERROR", RC_RED,
		      res->execution_time);
	return -1;
}
