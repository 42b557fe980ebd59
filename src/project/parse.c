/*
 * Parsing nodes: each model and singular test is parsed once into a Jinja template and rendered in
 * the parse phase, which records its ref()/source()/config() calls. Then configs are resolved
 * (dbt_project.yml hierarchy < properties file < config() in the file) and generic tests from the
 * properties files become test nodes, named as dbt names them.
 */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/suggest.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"
#include "project/semantic.h"
#include "project/yml.h"

static void apply_patch(struct node *n, value patch, value cfg, struct arena *a, struct diag_list *dl)
{
	value e = val_dict_gets(patch, "entry");
	const char *desc = "";
	(void)yml_str(e, "description", "", &desc, dl);
	n->description = desc;
	n->columns = val_dict_gets(patch, "columns");
	value cons = val_dict_gets(e, "constraints");
	if (cons.type == V_LIST)
		n->constraints = cons;
	/* dbt 1.9's time_spine: the MetricFlow time spine this model is */
	value ts = val_dict_gets(e, "time_spine");
	if (ts.type == V_DICT && n->type == NODE_MODEL) {
		value t = val_dict_new(a, 2);
		value col = val_dict_gets(ts, "standard_granularity_column");
		val_dict_sets(t, "standard_granularity_column", col.type == V_STR ? col : val_none());
		value custom = val_dict_gets(ts, "custom_granularities");
		val_dict_sets(t, "custom_granularities", custom.type == V_LIST ? custom : val_list_new(a, 0));
		n->time_spine = t;
	}
	value pc = val_dict_gets(e, "config");
	if (pc.type == V_DICT) {
		proj_config_merge(a, cfg, pc);
		proj_config_merge(a, n->unrendered_config, pc);
	}
	/* access: beside config, as dbt allows it; dbt's error for a value it does not know */
	value access = val_dict_gets(e, "access");
	if (access.type == V_STR) {
		value m = val_dict_new(a, 1);
		val_dict_sets(m, "access", access);
		proj_config_merge(a, cfg, m);
	}
	access = val_dict_gets(cfg, "access");
	if (access.type != V_UNDEF && access.type != V_NONE && !val_streq(access, "private") &&
	    !val_streq(access, "protected") && !val_streq(access, "public")) {
		struct sb s = SB_INIT;
		val_str_to(&s, access);
		struct diag *d = diag_error(dl, e.d->loc, "Node %s has an invalid value (%s) for the access field",
					    n->unique_id, s.buf);
		diag_hint(dl, d, "access is one of private, protected, public");
		sb_release(&s);
	}
	value dd = val_dict_gets(e, "deprecation_date");
	if (dd.type != V_UNDEF && dd.type != V_NONE)
		n->deprecation_date = proj_normalize_date(a, val_cstr(a, val_to_str(a, dd)));
	/* meta, tags and docs may also sit beside config: */
	static const char *const beside[] = {"meta", "tags", "docs", NULL};
	for (const char *const *k = beside; *k; k++) {
		value v = val_dict_gets(e, *k);
		if (v.type == V_DICT || v.type == V_LIST || (v.type == V_STR && !strcmp(*k, "tags"))) {
			value m = val_dict_new(a, 1);
			val_dict_sets(m, *k, v);
			proj_config_merge(a, cfg, m);
		}
	}
	value yp = val_dict_gets(patch, "yml_path");
	n->patch_path = arena_sprintf(a, "%s://%s", n->package, yp.s);
	n->yaml_loc = e.d->loc;
}

static const char *default_materialized(enum node_type t)
{
	switch (t) {
	case NODE_MODEL: return "view";
	case NODE_SEED: return "seed";
	case NODE_SNAPSHOT: return "snapshot";
	case NODE_TEST: return "test";
	case NODE_OPERATION: return "view";  /* NodeConfig's default */
	default: return NULL;
	}
}

/* Fills the fields dbt derives from config: enabled, tags, meta, docs, and the defaults */
static void finish_config(struct node *n, struct arena *a)
{
	value c = n->config;
	if (val_dict_gets(c, "enabled").type == V_UNDEF)
		val_dict_sets(c, "enabled", val_bool(true));
	n->enabled = val_truthy(val_dict_gets(c, "enabled"));
	const char *mat = default_materialized(n->type);
	if (mat && val_dict_gets(c, "materialized").type == V_UNDEF)
		val_dict_sets(c, "materialized", val_str(mat));
	value tags = val_dict_gets(c, "tags");
	if (tags.type == V_STR) {
		value l = val_list_new(a, 1);
		val_list_push(l, tags);
		tags = l;
	}
	if (tags.type != V_LIST)
		tags = val_list_new(a, 0);
	val_dict_sets(c, "tags", tags);
	n->tags = tags;
	if (n->type == NODE_OPERATION) {
		/* a hook node's tags are its hook type, then its config's (dbt's HookParser) */
		n->tags = val_list_new(a, tags.l->len + 1);
		val_list_push(n->tags, val_str(strstr(n->name, "-on-run-start-") ? "on-run-start" : "on-run-end"));
		for (uint32_t i = 0; i < tags.l->len; i++)
			val_list_push(n->tags, tags.l->items[i]);
	}
	value meta = val_dict_gets(c, "meta");
	if (meta.type != V_DICT) {
		meta = val_dict_new(a, 0);
		val_dict_sets(c, "meta", meta);
	}
	n->meta = meta;
	/* tests go to a schema of their own, dbt's TestConfig default */
	if (n->type == NODE_TEST && val_dict_gets(c, "schema").type == V_UNDEF)
		val_dict_sets(c, "schema", val_str("dbt_test__audit"));
	value docs = val_dict_gets(c, "docs");
	if (docs.type != V_DICT) {
		docs = val_dict_new(a, 2);
		val_dict_sets(docs, "show", val_bool(true));
		val_dict_sets(docs, "node_color", val_none());
		val_dict_sets(c, "docs", docs);
	}
	n->docs = docs;
	static const char *const hook_keys[] = {"pre-hook", "post-hook", NULL};
	for (const char *const *k = hook_keys; *k; k++) {
		value h = val_dict_gets(c, *k);
		if (h.type != V_LIST) {
			value l = val_list_new(a, 1);
			if (h.type == V_STR || h.type == V_DICT)
				val_list_push(l, h);
			val_dict_sets(c, *k, l);
		}
	}
}

/* Parsing state shared by the parsing threads: only the used-patch flags are written concurrently,
 * and each patch is matched by at most one node, so each flag has one writer */
struct parse_job {
	struct project *p;
	struct nodes_builder *nb;
	struct diag_list *dl;
	uint8_t *patch_used;
	struct arena *scratch;  /* one per thread, indexed like p->parse_arenas */
};

/* Python's str.isspace() for ASCII: what str.strip() removes */
static bool py_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

const char *proj_file_checksum(struct arena *a, const char *text, size_t len)
{
	size_t lead = 0;
	while (len && py_space(text[len - 1]))
		len--;
	while (lead < len && py_space(text[lead]))
		lead++;
	char sum[65];
	sha256_hex(text + lead, len - lead, sum);
	return arena_strdup(a, sum);
}

void proj_node_checksum(struct node *n, struct arena *keep)
{
	/* a snapshot's is its file's, taken before its raw_code became its block's body; a hook's is
	 * its dbt_project.yml's */
	if ((n->type == NODE_SNAPSHOT || n->type == NODE_OPERATION) && n->checksum)
		return;
	/* dbt keeps a file's text stripped, and hashes that: trailing space goes (leading space stays
	 * in the template, whose locations are offsets into the whole file, but not in the checksum) */
	while (n->raw_len && py_space(n->raw_code[n->raw_len - 1]))
		n->raw_len--;
	n->checksum = proj_file_checksum(keep, n->raw_code, n->raw_len);
}

/* Everything a node keeps is allocated in `keep`, the calling thread's arena */
static int parse_one(struct parse_job *job, struct node *n, struct arena *scratch, struct arena *keep)
{
	struct project *p = job->p;
	struct diag_list *dl = job->dl;
	proj_node_checksum(n, keep);
	const char *kind = n->type == NODE_MODEL ? "models" : n->type == NODE_SEED ? "seeds"
			 : n->type == NODE_SNAPSHOT ? "snapshots" : n->type == NODE_ANALYSIS ? "analyses" : NULL;
	long at = -1;
	if (kind) {
		char key[512];
		if (n->version.type != V_UNDEF)
			snprintf(key, sizeof(key), "%s:%s:%s:v%s", kind, n->package, n->name,
				 proj_version_str(scratch, n->version));
		else
			snprintf(key, sizeof(key), "%s:%s:%s", kind, n->package, n->name);
		at = val_dict_find(job->nb->patches, val_str(key));
		/* matched even when the node fails to render: its entry describes a node that exists */
		if (at >= 0)
			job->patch_used[at] = 1;
	}
	/* config() calls land in n->config; keep them apart to apply them last */
	n->config = val_dict_new(keep, 8);
	n->unrendered_config = val_dict_new(keep, 4);
	if (n->type == NODE_SEED) {
		/* a seed is data, not a template: its file's text is not kept as code, as in dbt */
		n->raw_code = "";
		n->raw_len = 0;
	} else {
		/* the template is parsed for this render alone, in scratch: what the render keeps is
		 * copied out, and a command parses it again when it renders the node (its first use,
		 * proj_node_template). The project does not hold every model's syntax tree at once. */
		const char *display = diag_file_path(n->file);
		struct arena_mark m = arena_mark(scratch);
		bool own = !n->tmpl;
		if (own && jj_parse(p->jinja, scratch, display, n->file, n->raw_code, n->raw_len, &n->tmpl, dl) < 0)
			return -1;
		int rc = p->hooks->parse_node(p, n, scratch, keep, dl);
		if (own) {
			n->tmpl = NULL;
			n->tmpl_lazy = true;
		}
		arena_reset(scratch, m);
		if (rc)
			return -1;
	}
	return proj_compose_config(p, n, at >= 0 ? job->nb->patches.d->e[at].val : val_undef(), keep, dl);
}

int proj_compose_config(struct project *p, struct node *n, value patch, struct arena *keep, struct diag_list *dl)
{
	value infile = n->config;
	if (n->type == NODE_MODEL || n->type == NODE_TEST)
		n->infile_config = infile;
	value cfg = proj_hierarchy_config(p, n, keep);
	/* dbt's unrendered_config starts from what dbt_project.yml sets for the node */
	proj_config_merge(keep, n->unrendered_config, cfg);
	if (patch.type == V_DICT)
		apply_patch(n, patch, cfg, keep, dl);
	proj_config_merge(keep, cfg, infile);
	proj_config_merge(keep, n->unrendered_config, infile);
	n->config = cfg;
	finish_config(n, keep);
	if (patch.type == V_DICT && n->type == NODE_MODEL && proj_contract_check(n, keep, dl) < 0)
		return -1;
	return 0;
}

void proj_finish_yml_node(struct node *n, struct arena *keep)
{
	/* its config was made by the (single-threaded) properties loader in the project arena: copy
	 * it before adding to it, since dicts grow in their own arena */
	n->config = val_copy(keep, n->config);
	finish_config(n, keep);
}

static int parse_item(void *ctx, size_t i, struct arena *keep)
{
	struct parse_job *job = ctx;
	struct node *n = job->nb->v[i];
	if (node_is_semantic(n->type)) {
		n->config = val_copy(keep, n->config);
		proj_semantic_config(job->p, n, keep);
		return 0;
	}
	if (n->type == NODE_SOURCE || n->type == NODE_EXPOSURE) {
		proj_finish_yml_node(n, keep);
		return 0;
	}
	/* the scratch arena of this thread: its index is its keep arena's */
	struct arena *scratch = &job->scratch[keep - job->p->parse_arenas];
	return parse_one(job, n, scratch, keep);
}

int proj_parse_nodes(struct project *p, struct nodes_builder *nb, int threads, struct diag_list *dl)
{
	(void)threads;
	struct parse_job job = {.p = p, .nb = nb, .dl = dl};
	job.patch_used = xcalloc(nb->patches.d->len + 1, 1);
	job.scratch = xcalloc((size_t)p->nparse_arenas, sizeof(struct arena));
	for (int t = 0; t < p->nparse_arenas; t++)
		arena_init(&job.scratch[t], 256 * 1024);
	struct diag *before = dl->tail;
	int rc = proj_parallel(p, nb->n, parse_item, &job);
	proj_sort_diags(dl, before);
	for (int t = 0; t < p->nparse_arenas; t++)
		arena_release(&job.scratch[t]);
	free(job.scratch);
	/* patches that matched no node: dbt warns */
	for (uint32_t i = 0; i < nb->patches.d->len; i++) {
		if (job.patch_used[i])
			continue;
		value e = val_dict_gets(nb->patches.d->e[i].val, "entry");
		value name = val_dict_gets(e, "name");
		struct diag *d = diag_warn(dl, yml_val_loc(e, "name"),
					   "'%s' is described here but no such model, seed or snapshot exists",
					   name.type == V_STR ? name.s : "?");
		diag_hint(dl, d, "check the name, or remove the entry");
	}
	free(job.patch_used);
	return rc;
}

/* ---- generic tests ---- */

/* Python's str() of an argument part, for test names */
static void flat_part(struct sb *out, value v)
{
	if (v.type == V_STR)
		sb_add(out, v.s, v.len);
	else
		val_str_to(out, v);
}

static void clean_append(struct sb *out, const char *s, size_t n)
{
	bool in_bad = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '_') {
			sb_addc(out, (char)c);
			in_bad = false;
		} else if (!in_bad) {
			sb_addc(out, '_');
			in_bad = true;
		}
	}
}

static int cmp_keys(const void *x, const void *y)
{
	const struct ventry *a = *(const struct ventry *const *)x, *b = *(const struct ventry *const *)y;
	return strcmp(a->key.s, b->key.s);
}

/*
 * dbt's test names: the full name {type}_{target}_{args...}, with args sorted by name, each value
 * flattened (lists and dicts give their items), non-identifier runs replaced by '_', joined with
 * '__', names the test (name, fqn, unique_id). A full name of 64 characters or more also gets a
 * short form, the first 30 characters of {type}_{target} then '_' and the md5 of the full name, for
 * what must fit a file name or an identifier (path and alias); *pshort is the full name otherwise.
 */
static const char *test_name(struct arena *a, const char *type, const char *target, value kwargs,
			     const char **pshort)
{
	struct sb flat = SB_INIT;
	size_t n = kwargs.d->len;
	const struct ventry **order = xmalloc((n + 1) * sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = &kwargs.d->e[i];
	qsort(order, n, sizeof(*order), cmp_keys);
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (val_streq(order[i]->key, "model"))
			continue;
		value v = order[i]->val;
		size_t np = v.type == V_LIST ? v.l->len : v.type == V_DICT ? v.d->len : 1;
		for (size_t j = 0; j < np; j++) {
			value part = v.type == V_LIST ? v.l->items[j] : v.type == V_DICT ? v.d->e[j].val : v;
			struct sb s = SB_INIT;
			flat_part(&s, part);
			if (!first)
				sb_adds(&flat, "__");
			clean_append(&flat, s.buf, s.len);
			sb_release(&s);
			first = false;
		}
	}
	free(order);
	char *full = flat.len ? arena_sprintf(a, "%s_%s_%s", type, target, flat.buf)
			      : arena_sprintf(a, "%s_%s", type, target);
	sb_release(&flat);
	*pshort = full;
	if (strlen(full) < 64)
		return full;
	char ident[64];
	snprintf(ident, sizeof(ident), "%s_%s", type, target);
	ident[30] = '\0';
	char md5[33];
	md5_hex(full, strlen(full), md5);
	*pshort = arena_sprintf(a, "%s_%s", ident, md5);
	return full;
}

/* Python repr of dbt's get_hashable_md(): dict keys sorted, scalars str()'d */
static void hashable_repr(struct sb *out, value v)
{
	if (v.type == V_DICT) {
		size_t n = v.d->len;
		const struct ventry **order = xmalloc((n + 1) * sizeof(*order));
		for (size_t i = 0; i < n; i++)
			order[i] = &v.d->e[i];
		qsort(order, n, sizeof(*order), cmp_keys);
		sb_addc(out, '{');
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_adds(out, ", ");
			val_repr_to(out, order[i]->key);
			sb_adds(out, ": ");
			hashable_repr(out, order[i]->val);
		}
		sb_addc(out, '}');
		free(order);
	} else if (v.type == V_LIST) {
		sb_addc(out, '[');
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i)
				sb_adds(out, ", ");
			hashable_repr(out, v.l->items[i]);
		}
		sb_addc(out, ']');
	} else {
		struct sb s = SB_INIT;
		val_str_to(&s, v);
		val_repr_to(out, val_strn(s.buf, s.len));
		sb_release(&s);
	}
}

/*
 * The code dbt gives a generic test: a call of its macro with the test's kwargs, then a config()
 * call with the configs of its properties entry, strings double-quoted and anything else as Python
 * prints it: {{ test_unique(**_dbt_generic_test_kwargs) }}{{ config(severity="warn") }}
 */
static const char *test_raw_code(struct arena *a, const char *macro, value config)
{
	struct sb sb = SB_INIT;
	sb_addf(&sb, "{{ %s(**_dbt_generic_test_kwargs) }}", macro);
	bool first = true;
	for (uint32_t i = 0; i < config.d->len; i++) {
		value k = config.d->e[i].key, v = config.d->e[i].val;
		if (k.type != V_STR || v.type == V_UNDEF || v.type == V_NONE)
			continue;
		sb_adds(&sb, first ? "{{ config(" : ",");
		first = false;
		sb_add(&sb, k.s, k.len);
		sb_addc(&sb, '=');
		if (v.type == V_STR) {
			sb_addc(&sb, '"');
			for (uint32_t j = 0; j < v.len; j++) {
				if (v.s[j] == '"')
					sb_addc(&sb, '\\');
				sb_addc(&sb, v.s[j]);
			}
			sb_addc(&sb, '"');
		} else {
			val_str_to(&sb, v);
		}
	}
	if (!first)
		sb_adds(&sb, ") }}");
	const char *out = arena_strndup(a, sb.buf, sb.len);
	sb_release(&sb);
	return out;
}

const char *proj_macro_id(struct project *p, struct arena *a, const char *local, const char *name)
{
	value pkgs = p->macros_by_package;
	const char *order[2] = {local, p->name};
	for (int i = 0; i < 2; i++)
		if (order[i] && strcmp(order[i], "dbt") &&
		    val_dict_gets(val_dict_gets(pkgs, order[i]), name).type != V_UNDEF)
			return arena_sprintf(a, "macro.%s.%s", order[i], name);
	for (uint32_t i = 0; pkgs.type == V_DICT && i < pkgs.d->len; i++)
		if (pkgs.d->e[i].key.type == V_STR && !val_streq(pkgs.d->e[i].key, "dbt") &&
		    val_dict_gets(pkgs.d->e[i].val, name).type != V_UNDEF)
			return arena_sprintf(a, "macro.%s.%s", pkgs.d->e[i].key.s, name);
	return val_dict_gets(val_dict_gets(pkgs, "dbt"), name).type != V_UNDEF ? arena_sprintf(a, "macro.dbt.%s", name)
									      : NULL;
}

void proj_macro_deps(struct project *p)
{
	if (p->hooks && p->hooks->macro_deps)
		p->hooks->macro_deps(p);
}

value proj_find_macro(struct project *p, const char *package, const char *name)
{
	value pkgs = p->macros_by_package;
	if (package) {
		value ms = val_dict_gets(pkgs, package);
		return ms.type == V_DICT ? val_dict_gets(ms, name) : val_undef();
	}
	value v = val_dict_gets(val_dict_gets(pkgs, p->name), name);
	if (v.type != V_UNDEF)
		return v;
	for (uint32_t i = 0; i < pkgs.d->len; i++) {
		const char *pkg = pkgs.d->e[i].key.s;
		if (!strcmp(pkg, "dbt") || !strcmp(pkg, p->name))
			continue;
		v = val_dict_gets(pkgs.d->e[i].val, name);
		if (v.type != V_UNDEF)
			return v;
	}
	return val_dict_gets(val_dict_gets(pkgs, "dbt"), name);
}

/* The config of a test, from its known keys in dbt's order (written beside the arguments, which
 * lose them, or under `config:`), then the other keys of `config:` (inner) */
static int test_config(struct project *p, struct pending_test *pt, value args, value inner, value config,
		       struct arena *a, struct diag_list *dl)
{
	static const char *const cfg_keys[] = {"severity", "tags", "enabled", "where", "limit", "warn_if",
					       "error_if", "fail_calc", "store_failures", "store_failures_as",
					       "meta", "database", "schema", "alias", NULL};
	for (const char *const *k = cfg_keys; *k; k++) {
		value v = val_dict_gets(args, *k);
		val_dict_del(args, val_str(*k));
		if ((v.type == V_UNDEF || v.type == V_NONE) && inner.type == V_DICT)
			v = val_dict_gets(inner, *k);
		/* dbt renders these natively when it builds the test: `enabled: "{{ target.type != 'x' }}"`
		 * is a boolean */
		if (v.type == V_STR && (strstr(v.s, "{{") || strstr(v.s, "{%"))) {
			struct proj_render r = {.proj = p, .arena = a, .keep = a, .dl = dl};
			const char *what = arena_sprintf(a, "%s (config '%s' of a test)", pt->yml_path, *k);
			if (p->hooks->render_native(&r, what, v.s, pt->loc, &v) < 0)
				return -1;
			if (v.type == V_STR)
				v = val_str_dup(a, v.s, v.len);
		}
		if (v.type != V_UNDEF && v.type != V_NONE)
			val_dict_sets(config, *k, v);
	}
	for (uint32_t i = 0; inner.type == V_DICT && i < inner.d->len; i++) {
		value k = inner.d->e[i].key;
		if (k.type == V_STR && val_dict_get(config, k).type == V_UNDEF)
			val_dict_set(config, k, inner.d->e[i].val);
	}
	return 0;
}

/* The dependencies of test n: what it tests (a ref or a source), and the refs inside its
 * arguments, such as relationships' to: ref('customers') */
static void test_depends(struct node *n, const struct pending_test *pt, value kwargs, struct arena *a)
{
	/* what it tests is a dependency: a ref or a source */
	if (pt->target_type == NODE_SOURCE) {
		n->sources = ARENA_NEW(a, struct source_call);
		n->sources[0] = (struct source_call){pt->target_name, pt->table_name, pt->loc};
		n->nsources = 1;
	} else {
		n->refs = ARENA_NEW(a, struct ref_call);
		n->refs[0] = (struct ref_call){NULL, pt->target_name, pt->loc, pt->version, val_undef()};
		n->nrefs = 1;
	}
	/* refs inside arguments, such as relationships' to: ref('customers') */
	for (uint32_t i = 0; i < kwargs.d->len; i++) {
		value v = kwargs.d->e[i].val;
		if (v.type != V_STR || val_streq(kwargs.d->e[i].key, "model"))
			continue;
		const char *r = strstr(v.s, "ref(");
		if (!r)
			continue;
		const char *q1 = strpbrk(r + 4, "'\"");
		const char *q2 = q1 ? strchr(q1 + 1, *q1) : NULL;
		if (!q2)
			continue;
		n->refs = arena_realloc(a, n->refs, n->nrefs * sizeof(*n->refs), (n->nrefs + 1) * sizeof(*n->refs));
		n->refs[n->nrefs++] = (struct ref_call){NULL, arena_strndup(a, q1 + 1, (size_t)(q2 - q1 - 1)), pt->loc, NULL,
							val_undef()};
	}
	/* dbt renders the arguments before the tested model: its ref comes last (as in depends_on) */
	if (pt->target_type != NODE_SOURCE && n->nrefs > 1) {
		struct ref_call model_ref = n->refs[0];
		memmove(n->refs, n->refs + 1, (n->nrefs - 1) * sizeof(*n->refs));
		n->refs[n->nrefs - 1] = model_ref;
	}
}

/*
 * A generic test's config and unrendered config, composed from dbt_project.yml and its entry;
 * the tests that compose equal ones (most tests of a folder) share them, where each test's took
 * a kilobyte. The dicts are built, then given back to the thread's arena when an equal pair is in
 * `shared` (the thread's, by their JSON) already.
 */
static void compose_test_config(struct project *p, struct node *n, value config, struct arena *a, struct map *shared)
{
	struct arena_mark m = arena_mark(a);
	n->unrendered_config = val_dict_new(a, config.d->len + 2);
	value cfg = proj_hierarchy_config(p, n, a);
	proj_config_merge(a, n->unrendered_config, cfg);
	proj_config_merge(a, n->unrendered_config, config);
	proj_config_merge(a, cfg, config);
	n->config = cfg;
	finish_config(n, a);
	n->config_shared = true;
	struct sb key = SB_INIT;
	val_to_json(&key, n->config, 0, VJSON_COMPACT);
	sb_addc(&key, '\n');
	val_to_json(&key, n->unrendered_config, 0, VJSON_COMPACT);
	const struct node *same = map_get(shared, key.buf, key.len);
	if (same) {
		arena_reset(a, m);
		n->config = same->config;
		n->unrendered_config = same->unrendered_config;
		n->tags = same->tags;
		n->meta = same->meta;
		n->docs = same->docs;
	} else {
		map_put(shared, arena_strndup(a, key.buf, key.len), key.len, n);
	}
	sb_release(&key);
}

void proj_own_config(struct node *n, struct arena *a)
{
	if (!n->config_shared)
		return;
	n->config = val_copy(a, n->config);
	n->unrendered_config = val_copy(a, n->unrendered_config);
	n->columns = val_copy(a, n->columns);
	n->tags = val_dict_gets(n->config, "tags");
	n->meta = val_dict_gets(n->config, "meta");
	n->docs = val_dict_gets(n->config, "docs");
	n->config_shared = false;
}

/* Builds the node of one generic test into *pout; everything is allocated in `a` */
/*
 * What one thread building tests keeps between them: the configs it composed (by their JSON), the
 * strings tests share (their code, macro ids, fqn folders), and a scratch arena for what a test
 * needs only while it is built (its arguments and config before they are merged).
 */
struct test_thread {
	value no_columns;  /* the empty columns every generic test has (shared, like their configs) */
	struct map shared;
	struct map interned;
	struct arena scratch;
};

/* s as a string of `a` that equal ones share */
static const char *test_intern(struct test_thread *tt, struct arena *a, const char *s, size_t len)
{
	const char *have = map_get(&tt->interned, s, len);
	if (!have) {
		have = arena_strndup(a, s, len);
		map_put(&tt->interned, have, len, (void *)have);
	}
	return have;
}

/* fqn [package, the yml file's folders (but the first)..., name], the folders' strings shared */
static value test_fqn(struct test_thread *tt, struct arena *a, const char *package, const char *yml_path,
		      const char *name)
{
	const char *s = strchr(yml_path, '/');
	s = s ? s + 1 : yml_path;
	uint32_t n = 2;
	for (const char *c = s; (c = strchr(c, '/')); c++)
		n++;
	value fqn = val_list_new(a, n);
	val_list_push(fqn, val_str(package));
	for (const char *slash; (slash = strchr(s, '/')); s = slash + 1)
		val_list_push(fqn, val_str(test_intern(tt, a, s, (size_t)(slash - s))));
	val_list_push(fqn, val_str(name));
	return fqn;
}

static int build_test(struct project *p, struct pending_test *pt, struct arena *a, struct test_thread *tt,
		      struct node **pout, struct diag_list *dl)
{
	struct map *shared = &tt->shared;
	struct arena *tmp = &tt->scratch;
	value def = pt->def;
	const char *tname;
	value args = val_dict_new(tmp, 4);
	value named = def.type == V_DICT ? val_dict_gets(def, "test_name") : val_undef();
	if (def.type == V_STR) {
		tname = def.s;
	} else if (named.type != V_UNDEF) {
		/* `- test_name: unique` with the arguments beside it (TestBuilder.extract_test_args) */
		if (named.type != V_STR) {
			diag_error(dl, pt->loc, "a test's name must be a string");
			return -1;
		}
		tname = named.s;
		val_dict_merge(a, args, def);
		val_dict_del(args, val_str("test_name"));
	} else {
		value k = def.d->e[0].key;
		value v = def.d->e[0].val;
		if (k.type != V_STR) {
			diag_error(dl, pt->loc, "a test's name must be a string");
			return -1;
		}
		tname = k.s;
		if (v.type == V_DICT) {
			val_dict_merge(a, args, v);
		} else if (v.type != V_NONE) {
			struct diag *d = diag_error(dl, pt->loc, "the arguments of test '%s' must be a mapping", tname);
			diag_hint(dl, d, "write e.g. '- accepted_values: {values: [a, b]}'");
			return -1;
		}
	}
	/* arguments: newer dbt nests them under `arguments:`; config keys go to config, in dbt's
	 * order: its known keys in the order below (written beside the arguments or under
	 * `config:`), then the other keys of `config:` */
	value config = val_dict_new(tmp, 4);
	/* `arguments:` is merged over the keys beside it first, then config, name and description
	 * are taken out of the whole (dbt 1.10's extract_test_args and TestBuilder): a `config:`
	 * written inside `arguments:` is the test's config, not an argument */
	value nested = val_dict_gets(args, "arguments");
	if (nested.type == V_DICT) {
		val_dict_del(args, val_str("arguments"));
		val_dict_merge(a, args, nested);
	}
	value inner = val_dict_gets(args, "config");
	val_dict_del(args, val_str("config"));
	const char *custom_name = NULL;
	value nm = val_dict_gets(args, "name");
	if (nm.type == V_STR) {
		custom_name = nm.s;
		val_dict_del(args, val_str("name"));
	}
	const char *description = NULL;
	value desc = val_dict_gets(args, "description");
	if (desc.type == V_STR) {
		description = desc.s;
		val_dict_del(args, val_str("description"));
	}
	if (test_config(p, pt, args, inner, config, a, dl) < 0)
		return -1;
	const char *ns = NULL;
	const char *dot = strchr(tname, '.');
	const char *short_t = tname;
	if (dot) {
		ns = arena_strndup(a, tname, (size_t)(dot - tname));
		short_t = dot + 1;
	}
	value kwargs = val_dict_new(a, 4);
	if (pt->column)
		val_dict_sets(kwargs, "column_name", val_str(pt->column));
	val_dict_merge(a, kwargs, args);
	const char *target = pt->target_type == NODE_SOURCE ? arena_sprintf(a, "%s_%s", pt->target_name, pt->table_name)
			     : pt->version ? arena_sprintf(a, "%s_v%s", pt->target_name, pt->version)
					   : pt->target_name;
	const char *type = pt->target_type == NODE_SOURCE ? arena_sprintf(a, "source_%s", short_t) : short_t;
	if (ns)
		type = arena_sprintf(a, "%s_%s", ns, type);
	const char *short_name = custom_name;
	const char *name = custom_name ? custom_name : test_name(a, type, target, kwargs, &short_name);
	/* a hashed short name becomes the alias, unless the test has one */
	if (short_name != name && val_dict_gets(config, "alias").type == V_UNDEF)
		val_dict_sets(config, "alias", val_str(short_name));
	const char *model_arg = pt->target_type == NODE_SOURCE
					? arena_sprintf(a, "{{ get_where_subquery(source('%s', '%s')) }}", pt->target_name, pt->table_name)
				: pt->version ? arena_sprintf(a, "{{ get_where_subquery(ref('%s', version='%s')) }}", pt->target_name,
							      pt->version)
					      : arena_sprintf(a, "{{ get_where_subquery(ref('%s')) }}", pt->target_name);
	val_dict_sets(kwargs, "model", val_str(model_arg));
	value md = val_dict_new(a, 3);
	val_dict_sets(md, "name", val_str(short_t));
	val_dict_sets(md, "kwargs", kwargs);
	val_dict_sets(md, "namespace", ns ? val_str(ns) : val_none());

	struct sb h = SB_INIT;
	sb_adds(&h, name);
	hashable_repr(&h, md);
	char md5[33];
	md5_hex(h.buf, h.len, md5);
	sb_release(&h);

	struct node *n = proj_node_bare(a, NODE_TEST, pt->package, name);
	if (tt->no_columns.type != V_DICT)
		tt->no_columns = val_dict_new(a, 0);
	n->columns = tt->no_columns;
	n->unique_id = arena_sprintf(a, "test.%s.%s.%s", pt->package, name, md5 + 22);
	n->original_file_path = pt->yml_path;
	n->path = arena_sprintf(a, "%s.sql", short_name);
	n->file = pt->yml_file;
	n->yaml_loc = pt->loc;
	n->description = description;
	const char *code = test_raw_code(tmp, ns ? arena_sprintf(tmp, "%s.test_%s", ns, short_t)
						 : arena_sprintf(tmp, "test_%s", short_t), config);
	n->raw_len = strlen(code);
	n->raw_code = test_intern(tt, a, code, n->raw_len);
	/* no file of its own: dbt gives it an empty checksum */
	n->checksum = NULL;
	/* its macros: the test's own, then get_where_subquery, which its `model` argument calls when
	 * rendered; dbt does not render the arguments of its built-in unique and not_null tests
	 * while parsing, so theirs is added when they are compiled (runner_compile_node) */
	const char *used[2] = {proj_macro_id(p, tmp, ns ? ns : pt->package, arena_sprintf(tmp, "test_%s", short_t)),
			       proj_macro_id(p, tmp, pt->package, "get_where_subquery")};
	if (used[0] && (!strcmp(used[0], "macro.dbt.test_unique") || !strcmp(used[0], "macro.dbt.test_not_null")))
		used[1] = NULL;
	n->macros_used = arena_alloc(a, 2 * sizeof(*n->macros_used));
	for (int i = 0; i < 2; i++)
		if (used[i])
			n->macros_used[n->nmacros_used++] = test_intern(tt, a, used[i], strlen(used[i]));
	n->fqn = test_fqn(tt, a, pt->package, pt->yml_path, name);
	n->test_metadata = md;
	n->column_name = pt->column;
	test_depends(n, pt, kwargs, a);
	compose_test_config(p, n, config, a, shared);
	*pout = n;
	return 0;
}

struct tests_job {
	struct project *p;
	struct pending_test **tests;
	struct node **out;
	struct test_thread *threads;  /* each thread's, by its arena's index */
	struct diag_list *dl;
};

static int test_item(void *ctx, size_t i, struct arena *a)
{
	struct tests_job *job = ctx;
	if (job->tests[i]->dropped)
		return 0;  /* a test of a column that no version of its model has */
	/* the thread's: its index is its arena's */
	struct test_thread *tt = &job->threads[a - job->p->parse_arenas];
	struct arena_mark m = arena_mark(&tt->scratch);
	int rc = build_test(job->p, job->tests[i], a, tt, &job->out[i], job->dl);
	arena_reset(&tt->scratch, m);
	return rc;
}

/* a test name no macro defines: an error at the test in the properties file, with the closest
 * generic test's name */
static void unknown_test(struct project *p, struct node *n, const char *ns, const char *name, struct diag_list *dl)
{
	const char *full = ns ? arena_sprintf(&p->arena, "%s.%s", ns, name) : name;
	struct diag *d = diag_error(dl, n->yaml_loc, "'%s' is not a generic test: no macro 'test_%s' is defined%s%s", full,
				    name, ns ? " in package " : "", ns ? ns : "");
	const char *best = NULL;
	size_t best_d = 4;
	value pkgs = p->macros_by_package;
	for (uint32_t i = 0; i < pkgs.d->len; i++) {
		const char *pkg = pkgs.d->e[i].key.s;
		value ms = pkgs.d->e[i].val;
		bool plain = !strcmp(pkg, "dbt") || !strcmp(pkg, p->name);
		for (uint32_t j = 0; ms.type == V_DICT && j < ms.d->len; j++) {
			const char *m = ms.d->e[j].key.s;
			if (strncmp(m, "test_", 5))
				continue;
			const char *cand = plain ? m + 5 : arena_sprintf(&p->arena, "%s.%s", pkg, m + 5);
			size_t dist = suggest_distance(full, cand);
			if (dist < best_d) {
				best_d = dist;
				best = cand;
			}
		}
	}
	if (best)
		diag_hint(dl, d, "did you mean '%s'?", best);
	else
		diag_hint(dl, d, "define it with {%% test %s(model, ...) %%} in a .sql file under macros/ or tests/generic/",
			  name);
}

/*
 * config() in a test's definition ({% test %} or the macros it calls) applies to each test of
 * that kind, over the properties file's config, as in dbt: the test's macro is rendered once at
 * parse time. The built-in tests of the global project call no config(), so they are not rendered.
 */
static int render_test_configs(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	int rc = 0;
	struct arena scratch;
	arena_init(&scratch, 64 * 1024);
	for (size_t i = 0; i < nb->n; i++) {
		struct node *n = nb->v[i];
		if (n->type != NODE_TEST || n->test_metadata.type != V_DICT || !n->enabled)
			continue;
		value ns = val_dict_gets(n->test_metadata, "namespace");
		value name = val_dict_gets(n->test_metadata, "name");
		const char *macro = arena_sprintf(&scratch, "test_%s", name.s);
		value fn = proj_find_macro(p, ns.type == V_STR ? ns.s : NULL, macro);
		if (fn.type == V_UNDEF) {
			unknown_test(p, n, ns.type == V_STR ? ns.s : NULL, name.s, dl);
			rc = -1;
			continue;
		}
		if (jj_macro_package(fn) && !strcmp(jj_macro_package(fn), "dbt"))
			continue;
		struct arena_mark m = arena_mark(&scratch);
		value calls;
		if (p->hooks->parse_generic_test(p, n, &scratch, &p->arena, &calls, dl) < 0) {
			rc = -1;
		} else if (calls.d->len) {
			proj_own_config(n, &p->arena);
			proj_config_merge(&p->arena, n->config, calls);
			proj_config_merge(&p->arena, n->unrendered_config, calls);
			finish_config(n, &p->arena);
		}
		arena_reset(&scratch, m);
	}
	arena_release(&scratch);
	return rc;
}

struct jj_template *proj_test_template(struct project *p, struct map *cache, const struct node *n,
				      struct diag_list *dl)
{
	struct jj_template *t = map_get(cache, n->raw_code, n->raw_len);
	if (!t) {
		uint32_t f = diag_file_add(n->original_file_path, n->raw_code, n->raw_len);
		if (jj_parse(p->jinja, &p->arena, n->original_file_path, f, n->raw_code, n->raw_len, &t, dl) < 0)
			return NULL;
		map_put(cache, n->raw_code, n->raw_len, t);
	}
	return t;
}

int proj_build_tests(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	size_t nt = nb->tests.n;
	struct tests_job job = {.p = p, .tests = nb->tests.v, .dl = dl};
	job.out = xcalloc(nt + 1, sizeof(struct node *));
	job.threads = xcalloc((size_t)p->nparse_arenas, sizeof(*job.threads));
	for (int t = 0; t < p->nparse_arenas; t++)
		arena_init(&job.threads[t].scratch, 16 * 1024);
	struct diag *before = dl->tail;
	int rc = proj_parallel(p, nt, test_item, &job);
	proj_sort_diags(dl, before);
	struct map seen = MAP_INIT;
	for (size_t i = 0; i < nt; i++) {
		struct node *n = job.out[i];
		if (!n)
			continue;
		struct node *prev = map_gets(&seen, n->unique_id);
		if (prev) {
			struct diag *d = diag_error(dl, n->yaml_loc, "two tests would both be named '%s'", n->name);
			diag_note(dl, d, prev->yaml_loc, "the other one is here");
			diag_hint(dl, d, "give one of them a 'name:'");
			rc = -1;
			continue;
		}
		map_puts(&seen, n->unique_id, n);
		proj_add_node(nb, n);
	}
	map_release(&seen);
	free(job.out);
	for (int t = 0; t < p->nparse_arenas; t++) {
		map_release(&job.threads[t].shared);
		map_release(&job.threads[t].interned);
		arena_release(&job.threads[t].scratch);
	}
	free(job.threads);
	VEC_FREE(&nb->tests);
	struct map tmpls = MAP_INIT;
	for (size_t i = 0; i < nb->n && rc == 0; i++) {
		struct node *n = nb->v[i];
		if (n->type != NODE_TEST || n->tmpl || n->test_metadata.type != V_DICT)
			continue;
		n->tmpl = proj_test_template(p, &tmpls, n, dl);
		if (!n->tmpl)
			rc = -1;
	}
	map_release(&tmpls);
	if (rc == 0)
		rc = render_test_configs(p, nb, dl);
	return rc;
}
