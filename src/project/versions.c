/*
 * Model versions, as dbt 1.9 reads them (parser/schemas.py ModelPatchParser.parse_patch): a
 * model's properties entry lists `versions:` (each with `v`, and optionally `defined_in`,
 * `description`, `config`, `columns`, `constraints`, `access`, `docs`, `deprecation_date`) and
 * `latest_version` (else the highest v). Each version is the model file `<name>_v<v>` (or
 * `defined_in`; the latest may also be the file `<name>`): its node takes the model's name, the
 * unique id `model.<pkg>.<name>.v<v>`, the fqn `[..., <name>, v<v>]`, and a properties entry of its
 * own, the model's merged with the version's. Its columns are the model's, narrowed by the
 * version's include/exclude element, with the version's own columns over them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sb.h"
#include "project/load_internal.h"
#include "project/yml.h"

static bool numeric(value v)
{
	return v.type == V_INT || v.type == V_FLOAT;
}

static double num(value v)
{
	return v.type == V_INT ? (double)v.i : v.f;
}

/* UnparsedVersion.__lt__: as numbers when both are, else as strings */
static bool less(struct arena *a, value x, value y)
{
	if (numeric(x) && numeric(y))
		return num(x) < num(y);
	return strcmp(proj_version_str(a, x), proj_version_str(a, y)) < 0;
}

static bool same_version(struct arena *a, value x, value y)
{
	return !strcmp(proj_version_str(a, x), proj_version_str(a, y));
}

/* Whether an include/exclude element lets a column of the model through */
static bool included(value ie, const char *name)
{
	if (ie.type != V_DICT)
		return true;
	value inc = val_dict_gets(ie, "include"), exc = val_dict_gets(ie, "exclude");
	bool in = inc.type == V_UNDEF || val_streq(inc, "*") || val_streq(inc, "all");
	for (uint32_t i = 0; inc.type == V_LIST && i < inc.l->len && !in; i++)
		in = val_streq(inc.l->items[i], name);
	for (uint32_t i = 0; exc.type == V_LIST && i < exc.l->len && in; i++)
		in = !val_streq(exc.l->items[i], name);
	return in;
}

static value version_columns(struct project *p, value base, value ver, struct diag_list *dl, int *prc)
{
	struct arena *a = &p->arena;
	value list = val_dict_gets(ver, "columns");
	value ie = val_undef();
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value c = list.l->items[i];
		if (c.type != V_DICT || (val_dict_gets(c, "include").type == V_UNDEF &&
					 val_dict_gets(c, "exclude").type == V_UNDEF))
			continue;
		if (ie.type != V_UNDEF) {
			diag_error(dl, c.d->loc, "version can have at most one include/exclude element");
			*prc = -1;
		}
		ie = c;
	}
	value out = val_dict_new(a, base.type == V_DICT ? base.d->len : 4);
	for (uint32_t i = 0; base.type == V_DICT && i < base.d->len; i++)
		if (base.d->e[i].key.type == V_STR && included(ie, base.d->e[i].key.s))
			val_dict_set(out, base.d->e[i].key, base.d->e[i].val);
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value c = list.l->items[i];
		if (c.type != V_DICT || val_eq(c, ie))
			continue;
		bool err;
		value cd = proj_column_dict(a, c, dl, &err);
		if (err) {
			*prc = -1;
			continue;
		}
		val_dict_set(out, val_dict_gets(cd, "name"), cd);
	}
	return out;
}

static struct node *find_model(struct nodes_builder *nb, const char *package, const char *name)
{
	for (size_t i = 0; i < nb->n; i++) {
		struct node *n = nb->v[i];
		if (n->type == NODE_MODEL && n->version.type == V_UNDEF && !strcmp(n->package, package) &&
		    !strcmp(n->name, name))
			return n;
	}
	return NULL;
}

/* The version's properties entry: the model's, with the version's description, docs, access,
 * constraints and deprecation_date over it, and the two configs deep-merged */
static value version_entry(struct arena *a, value top, value ver)
{
	value e = val_dict_new(a, top.d->len + 4);
	for (uint32_t i = 0; i < top.d->len; i++)
		if (!val_streq(top.d->e[i].key, "versions") && !val_streq(top.d->e[i].key, "latest_version"))
			val_dict_set(e, top.d->e[i].key, top.d->e[i].val);
	static const char *const over[] = {"description", "docs", "access", "constraints", "deprecation_date", NULL};
	for (const char *const *k = over; *k; k++) {
		value v = val_dict_gets(ver, *k);
		if (v.type != V_UNDEF && v.type != V_NONE && !(v.type == V_STR && !v.len) &&
		    !(v.type == V_LIST && !v.l->len))
			val_dict_sets(e, *k, v);
	}
	value vc = val_dict_gets(ver, "config");
	if (vc.type == V_DICT) {
		value cfg = val_dict_new(a, 8);
		value tc = val_dict_gets(top, "config");
		if (tc.type == V_DICT)
			val_dict_merge(a, cfg, tc);
		val_dict_merge(a, cfg, vc);
		val_dict_sets(e, "config", cfg);
	}
	e.d->loc = top.d->loc;
	return e;
}

static int apply_one(struct project *p, struct nodes_builder *nb, value key, value patch, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	value top = val_dict_gets(patch, "entry");
	value versions = val_dict_gets(top, "versions");
	const char *name = val_cstr(a, val_dict_gets(top, "name"));
	/* models:<pkg>:<name> */
	const char *pkg_start = strchr(key.s, ':') + 1;
	const char *pkg = arena_strndup(a, pkg_start, (size_t)(strchr(pkg_start, ':') - pkg_start));
	int rc = 0;
	if (versions.type != V_LIST) {
		diag_error(dl, yml_val_loc(top, "versions"), "'versions' of model '%s' must be a list of {v: ...}", name);
		return -1;
	}
	value latest = val_undef();
	for (uint32_t i = 0; i < versions.l->len; i++) {
		value ver = versions.l->items[i];
		value v = ver.type == V_DICT ? val_dict_gets(ver, "v") : val_undef();
		if (v.type != V_INT && v.type != V_FLOAT && v.type != V_STR) {
			struct diag *d = diag_error(dl, yml_item_loc(versions, i), "a version of model '%s' needs a 'v'", name);
			diag_hint(dl, d, "write e.g. '- v: 2'");
			return -1;
		}
		for (uint32_t j = 0; j < i; j++)
			if (same_version(a, v, val_dict_gets(versions.l->items[j], "v"))) {
				diag_error(dl, yml_item_loc(versions, i),
					   "Found duplicate version: '%s' in versions list of model '%s'",
					   proj_version_str(a, v), name);
				return -1;
			}
		if (latest.type == V_UNDEF || less(a, latest, v))
			latest = v;
	}
	value lv = val_dict_gets(top, "latest_version");
	if (lv.type != V_UNDEF && lv.type != V_NONE) {
		bool found = false;
		for (uint32_t i = 0; i < versions.l->len && !found; i++)
			found = same_version(a, lv, val_dict_gets(versions.l->items[i], "v"));
		if (!found) {
			struct sb s = SB_INIT;
			for (uint32_t i = 0; i < versions.l->len; i++) {
				sb_adds(&s, i ? ", " : "[");
				val_repr_to(&s, val_dict_gets(versions.l->items[i], "v"));
			}
			sb_adds(&s, "]");
			struct diag *d = diag_error(dl, yml_val_loc(top, "latest_version"),
						    "latest_version: %s is not one of model '%s' versions: %s ",
						    proj_version_str(a, lv), name, s.buf);
			diag_hint(dl, d, "add that version under 'versions:', or name one of them");
			sb_release(&s);
			return -1;
		}
		latest = lv;
	}
	const char **versions_found = arena_alloc(a, (versions.l->len + 1) * sizeof(*versions_found));
	size_t nfound = 0;
	value *columns_found = arena_alloc(a, (versions.l->len + 1) * sizeof(*columns_found));
	for (uint32_t i = 0; i < versions.l->len; i++) {
		value ver = versions.l->items[i];
		value v = val_dict_gets(ver, "v");
		const char *vs = proj_version_str(a, v);
		const char *defined_in = NULL;
		if (yml_str(ver, "defined_in", NULL, &defined_in, dl) < 0) {
			rc = -1;
			continue;
		}
		const char *file = defined_in ? defined_in : arena_sprintf(a, "%s_v%s", name, vs);
		struct node *n = find_model(nb, pkg, file);
		if (!n && same_version(a, v, latest))
			n = find_model(nb, pkg, name);
		if (!n) {
			struct diag *d = diag_warn(dl, yml_item_loc(versions, i),
						   "Did not find matching node for patch with name '%s' in the 'models' section of "
						   "file '%s'",
						   file, val_cstr(a, val_dict_gets(patch, "yml_path")));
			diag_hint(dl, d, "create models/%s.sql, or name its file with defined_in", file);
			continue;
		}
		n->name = name;
		n->unique_id = arena_sprintf(a, "model.%s.%s.v%s", pkg, name, vs);
		value fqn = val_list_new(a, n->fqn.l->len + 1);
		for (uint32_t k = 0; k + 1 < n->fqn.l->len; k++)
			val_list_push(fqn, n->fqn.l->items[k]);
		val_list_push(fqn, val_str(name));
		val_list_push(fqn, val_str_fmt(a, "v%s", vs));
		n->fqn = fqn;
		n->version = v;
		n->latest_version = latest;
		value vp = val_dict_new(a, 6);
		val_dict_merge(a, vp, patch);
		val_dict_sets(vp, "entry", version_entry(a, top, ver));
		val_dict_sets(vp, "columns", version_columns(p, val_dict_gets(patch, "columns"), ver, dl, &rc));
		vp.d->loc = patch.d->loc;
		val_dict_set(nb->patches, val_str_fmt(a, "models:%s:%s:v%s", pkg, name, vs), vp);
		columns_found[nfound] = val_dict_gets(vp, "columns");
		versions_found[nfound++] = vs;
		/* the tests declared in the version's own entry and columns test that version */
		size_t before = nb->tests.n;
		const char *yp = val_cstr(a, val_dict_gets(patch, "yml_path"));
		uint32_t yf = (uint32_t)val_dict_gets(patch, "yml_file").i;
		rc |= proj_add_tests(nb, p, ver, pkg, yp, yf, NODE_MODEL, name, NULL, NULL, dl);
		value vcols = val_dict_gets(ver, "columns");
		for (uint32_t c = 0; vcols.type == V_LIST && c < vcols.l->len; c++) {
			value col = vcols.l->items[c];
			value cname = col.type == V_DICT ? val_dict_gets(col, "name") : val_undef();
			if (cname.type == V_STR)
				rc |= proj_add_tests(nb, p, col, pkg, yp, yf, NODE_MODEL, name, NULL, val_cstr(a, cname), dl);
		}
		for (size_t t = before; t < nb->tests.n; t++)
			nb->tests.v[t]->version = vs;
	}
	/* the model's generic tests test each version (not_null_<name>_v<N>_<column>) */
	size_t ntests = nb->tests.n;
	for (size_t t = 0; t < ntests && nfound; t++) {
		struct pending_test *pt = nb->tests.v[t];
		if (pt->target_type != NODE_MODEL || pt->version || strcmp(pt->package, pkg) || strcmp(pt->target_name, name))
			continue;
		/* a column's tests only where the version has the column */
		struct pending_test *first = NULL;
		for (size_t k = 0; k < nfound; k++) {
			if (pt->column && val_dict_gets(columns_found[k], pt->column).type == V_UNDEF)
				continue;
			struct pending_test *each = pt;
			if (first) {
				each = ARENA_NEW(a, struct pending_test);
				*each = *first;
				VEC_PUSH(&nb->tests, each);
			}
			each->version = versions_found[k];
			if (!first)
				first = each;
		}
		if (!first) /* no version has the column: dbt makes no test */
			pt->dropped = true;
	}
	return rc;
}

int proj_apply_versions(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	value pending = val_list_new(&p->arena, 2);
	for (uint32_t i = 0; i < nb->patches.d->len; i++) {
		value k = nb->patches.d->e[i].key;
		value e = val_dict_gets(nb->patches.d->e[i].val, "entry");
		if (k.type == V_STR && !strncmp(k.s, "models:", 7) && val_dict_gets(e, "versions").type != V_UNDEF)
			val_list_push(pending, k);
	}
	int rc = 0;
	for (uint32_t i = 0; i < pending.l->len; i++) {
		value k = pending.l->items[i];
		value patch = val_dict_get(nb->patches, k);
		/* the model's own entry now only describes its versions */
		val_dict_del(nb->patches, k);
		rc |= apply_one(p, nb, k, patch, dl);
	}
	return rc;
}

static bool listed(struct arena *a, value list, value v)
{
	if (list.type != V_LIST)
		return list.type != V_UNDEF && list.type != V_NONE && same_version(a, list, v);
	for (uint32_t i = 0; i < list.l->len; i++)
		if (same_version(a, list.l->items[i], v))
			return true;
	return false;
}

/*
 * A unit test of a versioned model tests each version (dbt's unit_test.<pkg>.<model>.<name>_vN),
 * or those its `versions: {include: [...]}` / `{exclude: [...]}` names; on a model without versions
 * that key is an error.
 */
int proj_version_unit_tests(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	int rc = 0;
	size_t n0 = nb->unit_tests.n;
	for (size_t i = 0; i < n0; i++) {
		struct node *ut = nb->unit_tests.v[i];
		value entry = val_dict_gets(ut->unit_test, "entry");
		value want = val_dict_gets(entry, "versions");
		const char *model = val_dict_gets(ut->unit_test, "model").s;
		struct node **vs = arena_alloc(a, (nb->n + 1) * sizeof(*vs));
		size_t nv = 0;
		for (size_t k = 0; k < nb->n; k++) {
			struct node *m = nb->v[k];
			if (m->type == NODE_MODEL && m->version.type != V_UNDEF && !strcmp(m->name, model) &&
			    !strcmp(m->package, ut->package))
				vs[nv++] = m;
		}
		bool has_want = want.type != V_UNDEF && want.type != V_NONE;
		if (!nv) {
			if (has_want) {
				struct diag *d = diag_error(dl, yml_val_loc(entry, "versions"),
							    "Unit test '%s' should not have a versions include or exclude when "
							    "referencing non-versioned model '%s'",
							    ut->name, model);
				diag_hint(dl, d, "remove 'versions:' from this unit test");
				rc = -1;
			}
			continue;
		}
		value inc = has_want && want.type == V_DICT ? val_dict_gets(want, "include") : val_undef();
		value exc = has_want && want.type == V_DICT ? val_dict_gets(want, "exclude") : val_undef();
		struct node *first = NULL;
		for (size_t k = 0; k < nv; k++) {
			value v = vs[k]->version;
			if (exc.type != V_UNDEF && exc.type != V_NONE && listed(a, exc, v))
				continue;
			if ((exc.type == V_UNDEF || exc.type == V_NONE) && inc.type != V_UNDEF && inc.type != V_NONE &&
			    !listed(a, inc, v))
				continue;
			struct node *t = ut;
			if (first) {
				t = arena_alloc(a, sizeof(*t));
				*t = *ut;
				t->unit_test = val_copy(a, ut->unit_test);
				t->config = val_copy(a, ut->config);
				VEC_PUSH(&nb->unit_tests, t);
			}
			t->version = v;
			t->unique_id = arena_sprintf(a, "unit_test.%s.%s.%s_v%s", ut->package, model, ut->name,
						     proj_version_str(a, v));
			if (!first)
				first = t;
		}
		if (!first) {
			struct diag *d = diag_error(dl, yml_val_loc(entry, "versions"),
						    "Unit test '%s' referenced a version of '%s' which was not found.", ut->name, model);
			diag_hint(dl, d, "name versions the model has under its 'versions:'");
			rc = -1;
		}
	}
	return rc;
}

const char *proj_normalize_date(struct arena *a, const char *s)
{
	struct tm tm = {0};
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
		return s;
	const char *rest = s + n;
	if (*rest == 'T' || *rest == ' ') {
		int m = 0;
		if (sscanf(rest + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &m) != 3)
			return s;
		rest += 1 + m;
		if (*rest) /* it has a time zone (or fractions): as written, with dbt's T */
			return arena_sprintf(a, "%.10sT%s", s, s + 11);
	} else if (*rest) {
		return s;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	struct tm local;
	if (t == (time_t)-1 || !localtime_r(&t, &local))
		return s;
	long off = local.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	return arena_sprintf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", local.tm_year + 1900, local.tm_mon + 1,
			     local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec, sign, off / 3600, (off % 3600) / 60);
}

/* Whether an ISO datetime (as proj_normalize_date writes it) is before now */
static bool past(const char *iso)
{
	struct tm tm = {0};
	int oh = 0, om = 0;
	char sign = '+';
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &sign, &oh, &om) < 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	long off = (long)oh * 3600 + (long)om * 60;
	t -= sign == '-' ? -off : off;
	return t < time(NULL);
}

/*
 * dbt's deprecation warnings (ManifestLoader.check_for_model_deprecations): a model past its
 * deprecation_date, and each model that refs a model with one, past or upcoming.
 */
void proj_deprecation_warnings(struct project *p, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *m = p->nodes[i];
		if (m->type != NODE_MODEL || !m->enabled || !m->deprecation_date)
			continue;
		bool gone = past(m->deprecation_date);
		const char *ver = m->version.type != V_UNDEF ? proj_version_str(a, m->version) : NULL;
		const char *latest = m->latest_version.type != V_UNDEF ? proj_version_str(a, m->latest_version) : NULL;
		if (gone)
			diag_warn(dl, m->yaml_loc, "Model %s%s%s has passed its deprecation date of %s. This model should be "
						   "disabled or removed.",
				  m->name, ver ? ".v" : "", ver ? ver : "", m->deprecation_date);
		for (size_t k = 0; k < p->nnodes; k++) {
			struct node *c = p->nodes[k];
			bool child = false;
			for (uint32_t d = 0; c->type == NODE_MODEL && c->enabled && d < c->ndeps && !child; d++)
				child = c->deps[d] == m->index;
			if (!child)
				continue;
			struct sb s = SB_INIT;
			sb_addf(&s, "While compiling '%s': Found a reference to %s%s%s, which %s '%s'. ", c->name, m->name,
				ver ? ".v" : "", ver ? ver : "", gone ? "was deprecated on" : "is slated for deprecation on",
				m->deprecation_date);
			if (ver && latest && strcmp(ver, latest))
				sb_addf(&s, "A new version of '%s' is available. %s: {{ ref('%s', '%s', v='%s') }}.", m->name,
					gone ? "Migrate now" : "Try it out", m->package, m->name, latest);
			struct loc at = LOC_NONE;
			for (uint32_t r = 0; r < c->nrefs; r++)
				if (!strcmp(c->refs[r].name, m->name))
					at = c->refs[r].loc;
			diag_warn(dl, at, "%s", s.buf);
			sb_release(&s);
		}
	}
}
