/*
 * Unit tests (dbt 1.8+): `unit_tests:` entries of a properties file become nodes of type unit_test
 * (unique id unit_test.<package>.<model>.<name>). Reading checks the shape of each entry (given,
 * expect, overrides, config) and turns every fixture into one form: rows as a list of dicts (from
 * YAML rows or inline/fixture-file CSV) or SQL text. Linking, once every node is resolved, ties a
 * test to its model and each `given` input to the node it names, with dbt's rules for incremental
 * models (an is_incremental override, and a `this` input when it is true).
 *
 * The normalised definition is node->unit_test:
 *   {model, entry, given: [{input, format, rows, def, node (index, once linked), this}],
 *    expect: {format, rows, def}, overrides: {macros, vars, env_vars}}
 * where rows is a list of dicts (format dict/csv) or a string (format sql), and def is the YAML
 * mapping it came from, kept for the locations of errors found when the test runs.
 */
#include <errno.h>
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "project/load_internal.h"
#include "project/yml.h"

/* --- CSV fixtures ------------------------------------------------------------------------- */

/* One field of a CSV line starting at *ps; quoted fields may hold commas, quotes ("") and newlines */
static const char *csv_field(struct arena *a, const char **ps, bool *pquoted)
{
	const char *s = *ps;
	struct sb f = SB_INIT;
	*pquoted = false;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '"') {
		*pquoted = true;
		s++;
		while (*s) {
			if (*s == '"' && s[1] == '"') {
				sb_addc(&f, '"');
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				sb_addc(&f, *s++);
			}
		}
		while (*s && *s != ',' && *s != '\n')
			s++;
	} else {
		const char *b = s;
		while (*s && *s != ',' && *s != '\n' && *s != '\r')
			s++;
		const char *e = s;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		sb_add(&f, b, (size_t)(e - b));
		while (*s == '\r')
			s++;
	}
	*ps = s;
	const char *out = arena_strndup(a, f.buf ? f.buf : "", f.len);
	sb_release(&f);
	return out;
}

/* CSV text (a header line, then rows) as a list of dicts; an empty unquoted field is null */
static int csv_rows(struct arena *a, const char *text, struct loc where, value *pout, struct diag_list *dl)
{
	value rows = val_list_new(a, 4);
	const char **header = NULL;
	size_t nheader = 0, line = 0;
	const char *s = text;
	int rc = 0;
	while (*s) {
		/* skip blank lines */
		const char *t = s;
		while (*t == ' ' || *t == '\t' || *t == '\r')
			t++;
		if (*t == '\n') {
			s = t + 1;
			continue;
		}
		if (!*t)
			break;
		line++;
		VEC(const char *) fields = {0};
		VEC(bool) quoted = {0};
		for (;;) {
			bool q;
			VEC_PUSH(&fields, csv_field(a, &s, &q));
			VEC_PUSH(&quoted, q);
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == '\n')
				s++;
			break;
		}
		if (line == 1) {
			header = arena_alloc(a, fields.n * sizeof(*header));
			memcpy(header, fields.v, fields.n * sizeof(*header));
			nheader = fields.n;
		} else if (fields.n != nheader) {
			struct diag *d = diag_error(dl, where, "line %zu of this CSV fixture has %zu field%s, its header has %zu",
						    line, fields.n, fields.n == 1 ? "" : "s", nheader);
			diag_hint(dl, d, "give every row one value per column of the header (an empty value is null)");
			rc = -1;
		} else {
			value row = val_dict_new(a, nheader);
			for (size_t i = 0; i < nheader; i++)
				val_dict_sets(row, header[i],
					      !quoted.v[i] && !fields.v[i][0] ? val_none() : val_str(fields.v[i]));
			val_list_push(rows, row);
		}
		VEC_FREE(&fields);
		VEC_FREE(&quoted);
	}
	*pout = rows;
	return rc;
}

/* The text of fixture file `name` (.csv or .sql) under a test path's fixtures/ folder, or NULL */
static const char *fixture_file(struct project *p, const struct package *pkg, const char *name, const char *ext)
{
	value paths = pkg->is_root ? p->test_paths : val_dict_gets(pkg->project_yml, "test-paths");
	for (uint32_t i = 0; paths.type == V_LIST && i < paths.l->len; i++) {
		if (paths.l->items[i].type != V_STR)
			continue;
		const char *abs = arena_sprintf(&p->arena, "%s/%s/fixtures/%s.%s", pkg->root, paths.l->items[i].s, name, ext);
		size_t len = 0;
		char *text = fs_read(&p->arena, abs, &len);
		if (text)
			return text;
	}
	if (paths.type != V_LIST) {
		size_t len = 0;
		return fs_read(&p->arena, arena_sprintf(&p->arena, "%s/tests/fixtures/%s.%s", pkg->root, name, ext), &len);
	}
	return NULL;
}

/*
 * A fixture (a `given` item or `expect`) in normal form: {format, rows, def}. `what` names it in
 * errors ("input ref('x')" or "expect").
 */
static int fixture(struct project *p, const struct package *pkg, const char *test, value def, const char *what,
		   value *pout, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	const char *format = "dict", *fixture_name = NULL;
	if (yml_str(def, "format", "dict", &format, dl) < 0 || yml_str(def, "fixture", NULL, &fixture_name, dl) < 0)
		return -1;
	if (strcmp(format, "dict") && strcmp(format, "csv") && strcmp(format, "sql")) {
		struct diag *d = diag_error(dl, yml_val_loc(def, "format"), "unit test '%s': unknown format '%s' for %s",
					    test, format, what);
		diag_hint(dl, d, "use format: dict (rows as mappings), csv (rows as CSV text) or sql (a select)");
		return -1;
	}
	value rows = val_dict_gets(def, "rows");
	struct loc rows_loc = rows.type != V_UNDEF ? yml_val_loc(def, "rows") : def.d->loc;
	if (fixture_name && rows.type != V_UNDEF) {
		diag_error(dl, yml_key_loc(def, "fixture"), "unit test '%s': %s has both 'rows' and 'fixture'; give one",
			   test, what);
		return -1;
	}
	if (fixture_name) {
		if (!strcmp(format, "dict")) {
			struct diag *d = diag_error(dl, yml_val_loc(def, "fixture"),
						    "unit test '%s': a fixture file needs format: csv or format: sql", test);
			diag_hint(dl, d, "add 'format: csv' next to 'fixture: %s'", fixture_name);
			return -1;
		}
		const char *text = fixture_file(p, pkg, fixture_name, format);
		if (!text) {
			struct diag *d = diag_error(dl, yml_val_loc(def, "fixture"),
						    "file not found for fixture '%s' of unit test '%s'", fixture_name, test);
			diag_hint(dl, d, "put it at tests/fixtures/%s.%s (under a test path)", fixture_name, format);
			return -1;
		}
		rows = val_str(text);
	}
	value out = val_dict_new(a, 4);
	val_dict_sets(out, "format", val_str(format));
	val_dict_sets(out, "def", def);
	if (!strcmp(format, "dict")) {
		if (rows.type == V_UNDEF || rows.type == V_NONE) {
			rows = val_list_new(a, 0);
		} else if (rows.type != V_LIST) {
			struct diag *d = diag_error(dl, rows_loc, "unit test '%s' has %s rows which do not match format dict",
						    test, what);
			diag_hint(dl, d, "give rows as a list of mappings ({id: 1, name: a}), or set format: csv");
			return -1;
		}
		for (uint32_t i = 0; i < rows.l->len; i++) {
			if (rows.l->items[i].type != V_DICT) {
				struct diag *d = diag_error(dl, yml_item_loc(rows, i),
							    "unit test '%s' has %s rows which do not match format dict", test, what);
				diag_hint(dl, d, "each row is a mapping of column names to values: {id: 1, name: a}");
				return -1;
			}
		}
	} else if (rows.type != V_STR) {
		struct diag *d = diag_error(dl, rows_loc,
					    "unit test '%s' has %s rows which do not match format %s; expected a string",
					    test, what, format);
		diag_hint(dl, d, "write the rows as a block: 'rows: |' followed by the %s text",
			  !strcmp(format, "csv") ? "CSV" : "SQL");
		return -1;
	} else if (!strcmp(format, "csv")) {
		if (csv_rows(a, rows.s, rows_loc, &rows, dl) < 0)
			return -1;
	}
	val_dict_sets(out, "rows", rows);
	*pout = out;
	return 0;
}

/* --- reading ------------------------------------------------------------------------------ */

static struct node *read_entry(struct project *p, const struct package *pkg, const char *yml_path, uint32_t file,
			       value e, bool *pdisabled, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	const char *name = NULL, *model = NULL, *desc = "";
	if (yml_str(e, "name", NULL, &name, dl) < 0 || yml_str(e, "model", NULL, &model, dl) < 0 ||
	    yml_str(e, "description", "", &desc, dl) < 0)
		return NULL;
	if (!name || !model) {
		struct diag *d = diag_error(dl, e.d->loc, "this unit test has no '%s'", !name ? "name" : "model");
		diag_hint(dl, d, "a unit test needs a name, the model it tests, given inputs and expected rows");
		return NULL;
	}
	value cfg = val_dict_gets(e, "config");
	if (cfg.type != V_UNDEF && cfg.type != V_DICT && cfg.type != V_NONE) {
		diag_error(dl, yml_val_loc(e, "config"), "a unit test's 'config' must be a mapping (tags, meta, enabled)");
		return NULL;
	}
	bool enabled = true;
	value tags = val_list_new(a, 0);
	value meta = val_dict_new(a, 0);
	if (cfg.type == V_DICT) {
		if (yml_bool(cfg, "enabled", true, &enabled, dl) < 0 || yml_str_or_list(a, cfg, "tags", &tags, dl) < 0)
			return NULL;
		value m = val_dict_gets(cfg, "meta");
		if (m.type == V_DICT)
			meta = m;
		else if (m.type != V_UNDEF && m.type != V_NONE) {
			diag_error(dl, yml_val_loc(cfg, "meta"), "'meta' must be a mapping");
			return NULL;
		}
	}
	*pdisabled = !enabled;
	if (!enabled)
		return NULL;  /* read, not built */

	const char *test = name;
	value given;
	if (yml_list(e, "given", false, &given, dl) < 0)
		return NULL;
	value def = val_dict_new(a, 8);
	value glist = val_list_new(a, given.type == V_LIST ? given.l->len : 0);
	int rc = 0;
	for (uint32_t i = 0; given.type == V_LIST && i < given.l->len; i++) {
		value g = given.l->items[i];
		const char *input = NULL;
		if (g.type != V_DICT) {
			diag_error(dl, yml_item_loc(given, i), "each 'given' item of unit test '%s' must be a mapping with an 'input'", test);
			rc = -1;
			continue;
		}
		if (yml_str(g, "input", NULL, &input, dl) < 0) {
			rc = -1;
			continue;
		}
		if (!input) {
			struct diag *d = diag_error(dl, g.d->loc, "this 'given' item of unit test '%s' has no 'input'", test);
			diag_hint(dl, d, "name what it stands for: input: ref('stg_orders'), source('raw', 'orders') or this");
			rc = -1;
			continue;
		}
		value fx;
		if (fixture(p, pkg, test, g, arena_sprintf(a, "input %s", input), &fx, dl) < 0) {
			rc = -1;
			continue;
		}
		val_dict_sets(fx, "input", val_str(input));
		val_list_push(glist, fx);
	}
	value expect = val_dict_gets(e, "expect");
	if (expect.type != V_DICT) {
		struct diag *d = diag_error(dl, expect.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "expect"),
					    "unit test '%s' needs an 'expect' mapping", test);
		diag_hint(dl, d, "expect: {rows: [{id: 1, ...}]}: the rows the model returns for the given inputs");
		return NULL;
	}
	value ex;
	if (fixture(p, pkg, test, expect, "expected", &ex, dl) < 0 || rc)
		return NULL;
	value ov = val_dict_gets(e, "overrides");
	value overrides = val_dict_new(a, 3);
	static const char *const okeys[] = {"macros", "vars", "env_vars"};
	for (size_t k = 0; k < 3; k++) {
		value v = ov.type == V_DICT ? val_dict_gets(ov, okeys[k]) : val_undef();
		if (v.type != V_UNDEF && v.type != V_NONE && v.type != V_DICT) {
			diag_error(dl, yml_val_loc(ov, okeys[k]), "unit test '%s': overrides.%s must be a mapping", test, okeys[k]);
			return NULL;
		}
		val_dict_sets(overrides, okeys[k], v.type == V_DICT ? v : val_dict_new(a, 0));
	}
	if (ov.type != V_UNDEF && ov.type != V_NONE && ov.type != V_DICT) {
		diag_error(dl, yml_val_loc(e, "overrides"), "unit test '%s': 'overrides' must be a mapping (macros, vars, env_vars)", test);
		return NULL;
	}
	val_dict_sets(def, "model", val_str(model));
	val_dict_sets(def, "entry", e);
	val_dict_sets(def, "given", glist);
	val_dict_sets(def, "expect", ex);
	val_dict_sets(def, "overrides", overrides);

	struct node *n = proj_node_new(a, NODE_UNIT_TEST, pkg->name, name);
	n->unique_id = arena_sprintf(a, "unit_test.%s.%s.%s", pkg->name, model, name);
	n->original_file_path = yml_path;
	/* path is relative to the resource folder, as dbt records it (models/a/x.yml: a/x.yml) */
	const char *slash = strchr(yml_path, '/');
	n->path = slash ? slash + 1 : yml_path;
	n->file = file;
	n->raw_code = "";
	n->description = desc;
	n->yaml_loc = e.d->loc;
	n->fqn = proj_yml_fqn(a, pkg->name, yml_path, model);
	val_list_push(n->fqn, val_str(name));
	n->tags = tags;
	n->meta = meta;
	val_dict_sets(n->config, "enabled", val_bool(true));
	val_dict_sets(n->config, "tags", tags);
	val_dict_sets(n->config, "meta", meta);
	n->unrendered_config = cfg.type == V_DICT ? cfg : val_dict_new(a, 0);
	n->unit_test = def;
	return n;
}

int proj_collect_unit_tests(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
			    const char *yml_path, uint32_t file, struct diag_list *dl)
{
	value list;
	if (yml_list(doc, "unit_tests", false, &list, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value e = list.l->items[i];
		if (e.type != V_DICT) {
			diag_error(dl, yml_item_loc(list, i), "each unit test must be a mapping with a 'name' and a 'model'");
			rc = -1;
			continue;
		}
		bool disabled = false;
		struct node *n = read_entry(p, pkg, yml_path, file, e, &disabled, dl);
		if (disabled)
			continue;
		if (!n) {
			rc = -1;
			continue;
		}
		for (size_t j = 0; j < nb->unit_tests.n; j++) {
			if (!strcmp(nb->unit_tests.v[j]->unique_id, n->unique_id)) {
				struct diag *d = diag_error(dl, yml_val_loc(e, "name"), "unit test '%s' of model '%s' is defined twice",
							    n->name, val_dict_gets(n->unit_test, "model").s);
				diag_note(dl, d, nb->unit_tests.v[j]->yaml_loc, "first defined here");
				diag_hint(dl, d, "give each unit test of a model its own name");
				rc = -1;
				n = NULL;
				break;
			}
		}
		if (n)
			VEC_PUSH(&nb->unit_tests, n);
	}
	return rc;
}

/* --- linking ------------------------------------------------------------------------------ */

static int link_one(struct project *p, struct node *n, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	value def = n->unit_test, entry = val_dict_gets(def, "entry");
	const char *model = val_dict_gets(def, "model").s;
	struct node *m = proj_ref_version(p, NULL, model,
					  n->version.type == V_UNDEF ? NULL : proj_version_str(a, n->version));
	if (!m || m->type != NODE_MODEL) {
		struct diag *d = diag_error(dl, yml_val_loc(entry, "model"),
					    "unable to find model '%s.%s' for unit test '%s' in %s", n->package, model, n->name,
					    n->original_file_path);
		diag_hint(dl, d, "'model' names a model of this project (a file models/.../%s.sql)", model);
		return -1;
	}
	n->attached_node = m->index;
	n->ndeps = m->ndeps;
	n->deps = arena_alloc(a, (m->ndeps ? m->ndeps : 1) * sizeof(uint32_t));
	if (m->ndeps)
		memcpy(n->deps, m->deps, m->ndeps * sizeof(uint32_t));
	int rc = 0;
	bool has_this = false;
	value given = val_dict_gets(def, "given");
	for (uint32_t i = 0; i < given.l->len; i++) {
		value g = given.l->items[i], gdef = val_dict_gets(g, "def");
		const char *input = val_dict_gets(g, "input").s;
		const char *args[2] = {NULL, NULL};
		int na;
		bool is_ref;
		value version;
		struct node *t = NULL;
		struct loc where = yml_val_loc(gdef, "input");
		const char *trimmed = input;
		while (*trimmed == ' ')
			trimmed++;
		if (!strncmp(trimmed, "this", 4) && !trimmed[4 + strspn(trimmed + 4, " ")]) {
			t = m;
			has_this = true;
			val_dict_sets(g, "this", val_bool(true));
		} else if ((na = proj_parse_ref_or_source(a, input, &is_ref, args, &version)) >= 1) {
			/* ref('m', v=2) names that version, as dbt's statically_parse_ref_or_source reads it */
			t = !is_ref ? proj_source_from(p, m->package, args[0], args[1])
			    : proj_ref_version(p, na == 2 ? args[0] : NULL, args[na - 1],
					       version.type == V_UNDEF ? NULL : proj_version_str(a, version));
		} else {
			struct diag *d = diag_error(dl, where, "unit test given inputs must be either a 'ref', 'source' or 'this' call; got: %s",
						    input);
			diag_hint(dl, d, "write input: ref('model_name'), source('source_name', 'table_name') or this");
			rc = -1;
			continue;
		}
		if (!t) {
			struct diag *d = diag_error(dl, where, "unit test '%s' had an input (%s) which was not found in the project",
						    n->name, input);
			diag_hint(dl, d, "name a model, seed, snapshot or declared source that '%s' reads", model);
			rc = -1;
			continue;
		}
		val_dict_sets(g, "node", val_int(t->index));
	}
	value macros = val_dict_gets(val_dict_gets(def, "overrides"), "macros");
	value inc = val_dict_gets(macros, "is_incremental");
	if (val_streq(val_dict_gets(m->config, "materialized"), "incremental")) {
		if (inc.type != V_BOOL) {
			struct diag *d = diag_error(dl, yml_val_loc(entry, "name"),
						    "boolean override for 'is_incremental' must be provided for unit test '%s' in model '%s'",
						    n->name, model);
			diag_hint(dl, d, "add overrides: {macros: {is_incremental: true}} (or false) to the unit test");
			rc = -1;
		} else if (inc.b && !has_this) {
			struct diag *d = diag_error(dl, yml_val_loc(entry, "name"),
						    "unit test '%s' for incremental model '%s' must have a 'this' input", n->name, model);
			diag_hint(dl, d, "add a given item with input: this and the rows the table already holds");
			rc = -1;
		}
	}
	return rc;
}

int proj_link_unit_tests(struct project *p, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i]->type == NODE_UNIT_TEST)
			rc |= link_one(p, p->nodes[i], dl);
	return rc;
}
