/*
 * A model's contract and constraints, checked as dbt 1.9 checks them when it reads the model's
 * properties (parser/schemas.py patch_constraints): valid constraint types on an enforced contract,
 * one primary key at most (on one column, or at the model level), foreign keys whose `to` is a ref()
 * or source() become dependencies of the model, and a warning when the materialization cannot
 * create constraints. Also the contract's checksum (ModelNode.build_contract_checksum), which
 * the manifest carries and state:modified.contract compares.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/sb.h"
#include "project/load_internal.h"

static const char *const constraint_types[] = {"check", "not_null", "unique", "primary_key", "foreign_key",
					       "custom", NULL};

static bool valid_type(value t)
{
	for (const char *const *k = constraint_types; *k && t.type == V_STR; k++)
		if (val_streq(t, *k))
			return true;
	return false;
}

static bool is_type(value con, const char *t)
{
	return con.type == V_DICT && val_streq(val_dict_gets(con, "type"), t);
}

bool proj_contract_enforced(const struct node *n)
{
	value c = val_dict_gets(n->config, "contract");
	return c.type == V_DICT && val_truthy(val_dict_gets(c, "enforced"));
}

static bool proj_materialization_enforces_constraints(const struct node *n)
{
	value m = val_dict_gets(n->config, "materialized");
	return val_streq(m, "table") || val_streq(m, "incremental");
}

static struct loc loc_of(value v, struct loc dflt)
{
	return v.type == V_DICT && v.d->loc.file ? v.d->loc : dflt;
}

/* ' ' and tabs */
static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * ref('a'), ref('pkg', 'a'), ref('a', v=2), ref('a', version='2'), source('s', 't'): the quoted
 * arguments and, for a ref, the version as written (an int, a float or a string; V_UNDEF when
 * none), as dbt's statically_parse_ref_or_source reads them. The count of quoted arguments, or -1
 * when `to` is neither call.
 */
int proj_parse_ref_or_source(struct arena *a, const char *to, bool *pis_ref, const char *args[2], value *pversion)
{
	*pversion = val_undef();
	to = skip_blanks(to);
	*pis_ref = !strncmp(to, "ref", 3) && *skip_blanks(to + 3) == '(';
	if (!*pis_ref && !(!strncmp(to, "source", 6) && *skip_blanks(to + 6) == '('))
		return -1;
	const char *p = strchr(to, '(') + 1;
	int n = 0;
	for (;;) {
		p = skip_blanks(p);
		if (*p == ')')
			break;
		bool kw = false;
		if (*pis_ref && (!strncmp(p, "v", 1) || !strncmp(p, "version", 7))) {
			const char *k = p + (strncmp(p, "version", 7) ? 1 : 7);
			k = skip_blanks(k);
			if (*k == '=') {
				kw = true;
				p = skip_blanks(k + 1);
			}
		}
		if (kw) {
			if (pversion->type != V_UNDEF)
				return -1;
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				const char *e = strchr(p, q);
				if (!e || e == p)
					return -1;
				*pversion = val_str(arena_strndup(a, p, (size_t)(e - p)));
				p = e + 1;
			} else {
				size_t len = strspn(p, "0123456789.");
				if (!len)
					return -1;
				char *num = arena_strndup(a, p, len);
				*pversion = strchr(num, '.') ? val_float(strtod(num, NULL)) : val_int(strtoll(num, NULL, 10));
				p += len;
			}
		} else {
			if ((*p != '\'' && *p != '"') || n == 2 || pversion->type != V_UNDEF)
				return -1;
			char q = *p++;
			const char *e = strchr(p, q);
			if (!e)
				return -1;
			args[n++] = arena_strndup(a, p, (size_t)(e - p));
			p = e + 1;
		}
		p = skip_blanks(p);
		if (*p == ',')
			p++;
		else if (*p != ')')
			return -1;
	}
	if (*skip_blanks(p + 1))
		return -1;
	if (*pis_ref ? n < 1 : n != 2)
		return -1;
	return n;
}

/* A foreign key's `to`: a ref or source becomes a dependency of the model */
static int add_fk_dep(struct node *n, value con, struct arena *keep, struct diag_list *dl)
{
	value to = val_dict_gets(con, "to");
	if (!is_type(con, "foreign_key") || to.type != V_STR)
		return 0;
	const char *args[2] = {NULL, NULL};
	bool is_ref;
	value version;
	const char *s = val_cstr(keep, to);
	int na = proj_parse_ref_or_source(keep, s, &is_ref, args, &version);
	struct loc at = loc_of(con, n->yaml_loc);
	if (na < 0) {
		struct diag *d = diag_error(dl, at, "Invalid 'ref' or 'source' syntax on foreign key constraint 'to' on model %s: %s.",
					    n->name, s);
		diag_hint(dl, d, "write to: ref('model_name') or to: source('source_name', 'table_name')");
		return -1;
	}
	if (is_ref) {
		struct ref_call *r = arena_alloc(keep, (n->nrefs + 1) * sizeof(*r));
		if (n->nrefs)
			memcpy(r, n->refs, n->nrefs * sizeof(*r));
		r[n->nrefs] = (struct ref_call){na == 2 ? args[0] : NULL, na == 2 ? args[1] : args[0], at,
						version.type == V_UNDEF ? NULL : proj_version_str(keep, version), version};
		n->refs = r;
		n->nrefs++;
	} else {
		struct source_call *sc = arena_alloc(keep, (n->nsources + 1) * sizeof(*sc));
		if (n->nsources)
			memcpy(sc, n->sources, n->nsources * sizeof(*sc));
		sc[n->nsources] = (struct source_call){args[0], args[1], at};
		n->sources = sc;
		n->nsources++;
	}
	return 0;
}

int proj_contract_check(struct node *n, struct arena *keep, struct diag_list *dl)
{
	int rc = 0;
	value cons = n->constraints;
	value cols = n->columns;
	bool enforced = proj_contract_enforced(n);
	uint32_t ncons = cons.type == V_LIST ? cons.l->len : 0;
	if (enforced) {
		/* what dbt warns of, then fails on */
		bool warn_unsupported = false;
		for (uint32_t i = 0; cols.type == V_DICT && i < cols.d->len; i++) {
			value cc = val_dict_gets(cols.d->e[i].val, "constraints");
			for (uint32_t j = 0; cc.type == V_LIST && j < cc.l->len; j++) {
				value w = val_dict_gets(cc.l->items[j], "warn_unsupported");
				warn_unsupported |= w.type != V_BOOL || w.b;
			}
		}
		for (uint32_t i = 0; i < ncons; i++) {
			value w = val_dict_gets(cons.l->items[i], "warn_unsupported");
			warn_unsupported |= w.type != V_BOOL || w.b;
		}
		if (warn_unsupported && !proj_materialization_enforces_constraints(n)) {
			value m = val_dict_gets(n->config, "materialized");
			diag_warn(dl, n->yaml_loc,
				  "Constraint types are not supported for %s materializations and will be ignored.  Set "
				  "'warn_unsupported: false' on this constraint to ignore this warning.",
				  m.type == V_STR ? val_cstr(keep, m) : "?");
		}
		if (cols.type != V_DICT || !cols.d->len) {
			struct diag *d = diag_error(dl, n->yaml_loc,
						    "Contract enforcement failed for: (%s)\nConstraints must be defined in a `yml` "
						    "schema configuration file like `schema.yml`.",
						    n->original_file_path);
			diag_hint(dl, d, "list the model's columns, each with its data_type, under 'columns:'");
			rc = -1;
		}
		for (uint32_t i = 0; i < ncons; i++) {
			value con = cons.l->items[i];
			if (con.type == V_DICT && valid_type(val_dict_gets(con, "type")))
				continue;
			struct diag *d = diag_error(dl, loc_of(con, n->yaml_loc),
						    "Invalid constraint type on model %s: Type must be one of ['check', "
						    "'not_null', 'unique', 'primary_key', 'foreign_key', 'custom']",
						    n->name);
			(void)d;
			rc = -1;
		}
	}
	/* primary keys: on one column, or at the model level, not both */
	struct sb pk = SB_INIT;
	int npk = 0;
	for (uint32_t i = 0; cols.type == V_DICT && i < cols.d->len; i++) {
		value cc = val_dict_gets(cols.d->e[i].val, "constraints");
		for (uint32_t j = 0; cc.type == V_LIST && j < cc.l->len; j++)
			if (is_type(cc.l->items[j], "primary_key")) {
				sb_addf(&pk, "%s'%s'", npk ? ", " : "", val_cstr(keep, cols.d->e[i].key));
				npk++;
			}
	}
	bool model_pk = false;
	for (uint32_t i = 0; i < ncons; i++)
		model_pk |= is_type(cons.l->items[i], "primary_key");
	if (npk > 1 || (npk > 0 && model_pk)) {
		struct sb msg = SB_INIT;
		sb_addf(&msg, "Primary key constraint error: (%s)", n->original_file_path);
		if (npk > 1)
			sb_addf(&msg, "\nFound %d columns ([%s]) with primary key constraints defined. Primary keys for "
				      "multiple columns must be defined as a model level constraint.",
				npk, pk.buf);
		if (model_pk)
			sb_adds(&msg, "\nPrimary key constraints defined at the model level and the columns level. Primary "
				      "keys can be defined at the model level or the column level, not both.");
		struct diag *d = diag_error(dl, n->yaml_loc, "%s", msg.buf);
		diag_hint(dl, d, "declare one primary key: a model-level constraint {type: primary_key, columns: [...]}");
		sb_release(&msg);
		rc = -1;
	}
	sb_release(&pk);
	for (uint32_t i = 0; i < ncons; i++)
		if (add_fk_dep(n, cons.l->items[i], keep, dl) < 0)
			rc = -1;
	for (uint32_t i = 0; cols.type == V_DICT && i < cols.d->len; i++) {
		value cc = val_dict_gets(cols.d->e[i].val, "constraints");
		for (uint32_t j = 0; cc.type == V_LIST && j < cc.l->len; j++)
			if (add_fk_dep(n, cc.l->items[j], keep, dl) < 0)
				rc = -1;
	}
	return rc;
}

/* ---- the checksum: sha256 of what dbt writes with Python's str() ---- */

static void py_str_or_none(struct sb *s, value v)
{
	if (v.type == V_STR)
		val_repr_str(s, v.s, v.len);
	else if (v.type == V_BOOL)
		sb_adds(s, v.b ? "True" : "False");
	else if (v.type == V_NONE || v.type == V_UNDEF)
		sb_adds(s, "None");
	else
		val_repr_to(s, v);
}

static void py_list(struct sb *s, value l)
{
	sb_addc(s, '[');
	for (uint32_t i = 0; l.type == V_LIST && i < l.l->len; i++) {
		if (i)
			sb_adds(s, ", ");
		py_str_or_none(s, l.l->items[i]);
	}
	sb_addc(s, ']');
}

static void py_bool_dflt(struct sb *s, value v)
{
	sb_adds(s, v.type == V_BOOL && !v.b ? "False" : "True");
}

/* repr() of a list of dbt's ColumnLevelConstraint / ModelLevelConstraint dataclasses */
static void py_constraints(struct sb *s, value l, bool model_level)
{
	sb_addc(s, '[');
	for (uint32_t i = 0; l.type == V_LIST && i < l.l->len; i++) {
		value c = l.l->items[i];
		if (i)
			sb_adds(s, ", ");
		value t = val_dict_gets(c, "type");
		sb_addf(s, "%s(type=", model_level ? "ModelLevelConstraint" : "ColumnLevelConstraint");
		if (t.type == V_STR)
			sb_addf(s, "<ConstraintType.%.*s: '%.*s'>", (int)t.len, t.s, (int)t.len, t.s);
		else
			py_str_or_none(s, t);
		sb_adds(s, ", name=");
		py_str_or_none(s, val_dict_gets(c, "name"));
		sb_adds(s, ", expression=");
		py_str_or_none(s, val_dict_gets(c, "expression"));
		sb_adds(s, ", warn_unenforced=");
		py_bool_dflt(s, val_dict_gets(c, "warn_unenforced"));
		sb_adds(s, ", warn_unsupported=");
		py_bool_dflt(s, val_dict_gets(c, "warn_unsupported"));
		sb_adds(s, ", to=");
		py_str_or_none(s, val_dict_gets(c, "to"));
		sb_adds(s, ", to_columns=");
		py_list(s, val_dict_gets(c, "to_columns"));
		if (model_level) {
			sb_adds(s, ", columns=");
			py_list(s, val_dict_gets(c, "columns"));
		}
		sb_addc(s, ')');
	}
	sb_addc(s, ']');
}

static int by_key(const void *x, const void *y)
{
	const struct ventry *a = *(const struct ventry *const *)x, *b = *(const struct ventry *const *)y;
	return strcmp(a->key.s, b->key.s);
}

const char *proj_contract_checksum(struct arena *a, const struct node *n)
{
	if (n->type != NODE_MODEL || !proj_contract_enforced(n))
		return NULL;
	struct sb s = SB_INIT;
	value cols = n->columns;
	uint32_t nc = cols.type == V_DICT ? cols.d->len : 0;
	struct ventry **order = arena_alloc(a, (nc + 1) * sizeof(*order));
	uint32_t k = 0;
	for (uint32_t i = 0; i < nc; i++)
		if (cols.d->e[i].key.type == V_STR)
			order[k++] = &cols.d->e[i];
	qsort(order, k, sizeof(*order), by_key);
	for (uint32_t i = 0; i < k; i++) {
		value c = order[i]->val;
		value name = val_dict_gets(c, "name");
		sb_adds(&s, "|");
		val_str_to(&s, name.type == V_STR ? name : order[i]->key);
		value dt = val_dict_gets(c, "data_type");
		if (dt.type == V_STR)
			sb_add(&s, dt.s, dt.len);
		else
			sb_adds(&s, "None");
		py_constraints(&s, val_dict_gets(c, "constraints"), false);
	}
	if (proj_materialization_enforces_constraints(n)) {
		val_str_to(&s, val_dict_gets(n->config, "materialized"));
		py_constraints(&s, n->constraints, true);
	}
	char hex[65];
	sha256_hex(s.buf ? s.buf : "", s.len, hex);
	sb_release(&s);
	return arena_strdup(a, hex);
}
