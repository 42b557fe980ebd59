/*
 * Partial parsing: the nodes of a project snapshot (snapshot.c) brought up to date with the files
 * that changed since it was written, when parsing those files again alone gives what a full load
 * would. Anything in doubt refuses, with the reason, and the project is loaded whole.
 *
 * - A changed model's or singular test's .sql file: its node is rendered again, as the parse phase
 *   renders it, and keeps its config (its config() calls must be the same as before).
 * - A changed macro file: the models and singular tests whose code called one of its macros while
 *   parsing are rendered again the same way; a macro the load calls elsewhere refuses.
 * - A changed properties file that describes models only (version: and models:, before and
 *   after): the models it described before or describes now are parsed again with their new
 *   entries, the generic tests it defined are dropped and its tests built again, as the properties
 *   and tests phases build them; what other nodes see of those models (whether they are enabled,
 *   their access and group) must stay the same.
 */
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"

/* Whether two values are the same data (their JSON the same) */
static bool same_value(value a, value b)
{
	if (a.type != b.type)
		return false;
	struct sb x = SB_INIT, y = SB_INIT;
	bool same = val_to_json(&x, a, 0, 0) == 0 && val_to_json(&y, b, 0, 0) == 0 && x.len == y.len &&
		    !memcmp(x.buf, y.buf, x.len);
	sb_release(&x);
	sb_release(&y);
	return same;
}

/*
 * The node of a model's or singular test's file as the parse phase leaves it before its config is
 * composed: read again and rendered, its config() calls in f->config. NULL when the file is empty,
 * unreadable or gives a diagnostic (in tmp).
 */
static struct node *render_again(struct project *p, const struct node *n, struct arena *scratch, struct diag_list *tmp)
{
	struct arena *keep = &p->arena;
	const char *display = !strcmp(n->package, p->packages[0].name) ? n->original_file_path : n->abs_path;
	struct node *f = proj_node_new(keep, n->type, n->package, n->name);
	f->unique_id = n->unique_id;
	f->path = n->path;
	f->original_file_path = n->original_file_path;
	f->abs_path = n->abs_path;
	f->fqn = n->fqn;
	f->version = n->version;
	f->latest_version = n->latest_version;
	f->raw_code = proj_read_file(p, n->abs_path, display, &f->file, &f->raw_len, tmp);
	if (!f->raw_code)
		return NULL;
	proj_node_checksum(f, keep);
	f->config = val_dict_new(keep, 8);
	f->unrendered_config = val_dict_new(keep, 4);
	struct arena_mark m = arena_mark(scratch);
	bool ok = f->raw_len && jj_parse(p->jinja, keep, display, f->file, f->raw_code, f->raw_len, &f->tmpl, tmp) == 0 &&
		  p->hooks->parse_node(p, f, scratch, keep, tmp) == 0 && !tmp->head;
	arena_reset(scratch, m);
	return ok ? f : NULL;
}

static const char *const DIAGNOSED = "a changed file is empty, or gives a diagnostic when parsed";

/* Marks the nodes a unit test tests (their fixtures are checked against the model's refs) */
static uint8_t *unit_tested(const struct reparse *rp)
{
	uint8_t *t = xcalloc((size_t)rp->nn + 1, 1);
	for (uint32_t i = 0; i < rp->nn; i++)
		if (rp->nodes[i]->type == NODE_UNIT_TEST && rp->nodes[i]->attached_node < rp->nn)
			t[rp->nodes[i]->attached_node] = 1;
	return t;
}

/* Marks a node to render again because `path` changed; NULL, or why it cannot be */
static const char *render_for(struct project *p, struct reparse *rp, uint32_t i, const char *path, const char *what)
{
	const struct node *n = rp->nodes[i];
	if ((n->type != NODE_MODEL && n->type != NODE_TEST) || rp->kind[i] != TMPL_CODE)
		return arena_sprintf(&p->arena, "'%s' changed, and %s %s while parsing", path, n->unique_id, what);
	rp->again[i] = 1;
	rp->via[i] = path;
	return NULL;
}

/*
 * A changed macro file: the nodes whose own code called one of its macros while parsing (from
 * inside other macros too) are rendered again, as if their files had changed (dbt's partial
 * parsing schedules the nodes whose depends_on.macros lead to a changed macro). Refused when the
 * file holds no macro, when the load called one of its macros other than from nodes' code (names,
 * properties, dbt_project.yml, generic tests' configs: what those gave is not rendered again), or
 * when a node that called one has no file of its own to render again.
 */
static const char *macro_file_dependents(struct project *p, struct reparse *rp, const char *path)
{
	struct map ids = MAP_INIT;
	const char *why = NULL;
	for (size_t i = 0; i < p->nmacros; i++) {
		const char *id = p->macros[i]->unique_id;
		if (!p->macros[i]->abs_path || strcmp(p->macros[i]->abs_path, path))
			continue;
		map_puts(&ids, id, (void *)id);
		if (val_dict_gets(rp->loader_macros, id).type != V_UNDEF || val_dict_gets(p->loader_macros, id).type != V_UNDEF)
			why = arena_sprintf(&p->arena,
					    "'%s' changed, and the project's load calls its macro '%s' other than from models' code",
					    path, id);
	}
	if (!ids.len && !why)
		why = arena_sprintf(&p->arena, "'%s' changed, and it is not one model's or singular test's file", path);
	for (uint32_t i = 0; i < rp->nn && !why; i++) {
		const struct node *n = rp->nodes[i];
		bool calls = false;
		for (uint32_t k = 0; k < n->nparse_macros && !calls; k++)
			calls = map_gets(&ids, n->parse_macros[k]) != NULL;
		if (calls)
			why = render_for(p, rp, i, path, "calls its macros");
	}
	map_release(&ids);
	return why;
}

/*
 * Changed .sql files: the node of each is parsed again alone when its file is one model's or
 * singular test's, no unit test tests it, its own config() and metric() calls are the same as
 * before (then its config, and everything resolved from it, is) and parsing it again gives no
 * diagnostic. Then its refs, sources, macros, code, checksum and template are new; its
 * dependencies are resolved again once the nodes are in place. The nodes of a changed macro or
 * sources file (rp->again) are parsed again the same way.
 */
static const char *reparse_models(struct project *p, struct reparse *rp, const char *const *changed, size_t nchanged,
				  const uint8_t *tested, struct arena *scratch, struct diag_list *tmp)
{
	struct arena *keep = &p->arena;
	struct map by_path = MAP_INIT;
	for (uint32_t i = 0; nchanged && i < rp->nn; i++)
		if (rp->nodes[i]->abs_path)
			map_puts(&by_path, rp->nodes[i]->abs_path,
				 map_gets(&by_path, rp->nodes[i]->abs_path) ? (void *)UINTPTR_MAX : (void *)(uintptr_t)(i + 1));
	const char *why = NULL;
	for (size_t k = 0; k < nchanged && !why; k++) {
		uintptr_t at = (uintptr_t)map_gets(&by_path, changed[k]);
		uint32_t idx = (uint32_t)(at - 1);
		if (!at) {
			why = macro_file_dependents(p, rp, changed[k]);
		} else if (at == UINTPTR_MAX || (rp->nodes[idx]->type != NODE_MODEL && rp->nodes[idx]->type != NODE_TEST) ||
			   (rp->kind[idx] != TMPL_CODE && !rp->resolve[idx])) {
			why = arena_sprintf(keep, "'%s' changed, and it is not one model's or singular test's file", changed[k]);
		} else {
			rp->again[idx] = 1;
			rp->via[idx] = changed[k];
		}
	}
	/* rendering many nodes again one by one costs more than a full parse, which has threads */
	uint32_t n_again = 0, most = rp->nn / 8 > 64 ? rp->nn / 8 : 64;
	for (uint32_t idx = 0; idx < rp->nn; idx++)
		n_again += rp->again[idx] && !rp->resolve[idx];
	if (!why && n_again > most)
		why = arena_sprintf(keep, "more than %u nodes would be parsed again", most);
	for (uint32_t idx = 0; idx < rp->nn && !why; idx++) {
		if (!rp->again[idx] || rp->resolve[idx])
			continue;  /* parsed again whole already: its properties file changed too */
		struct node *n = rp->nodes[idx];
		const char *via = rp->via[idx];
		bool own = !strcmp(via, n->abs_path);
		if (tested[idx]) {
			why = arena_sprintf(keep, "'%s' changed, and a unit test tests %s", via, own ? "its model" : n->unique_id);
			break;
		}
		struct node *f = render_again(p, n, scratch, tmp);
		if (!f) {
			why = DIAGNOSED;
			break;
		}
		if (!same_value(f->config, n->infile_config) || !same_value(f->metric_calls, n->metric_calls)) {
			why = own ? arena_sprintf(keep, "'%s' changed its config() or metric() calls", via)
				  : arena_sprintf(keep, "'%s' changed the config() or metric() calls of %s", via, n->unique_id);
			break;
		}
		struct node *c = ARENA_NEW(keep, struct node);
		*c = *n;
		c->raw_code = f->raw_code;
		c->raw_len = f->raw_len;
		c->file = f->file;
		c->checksum = f->checksum;
		c->tmpl = f->tmpl;
		c->refs = f->refs;
		c->nrefs = f->nrefs;
		c->sources = f->sources;
		c->nsources = f->nsources;
		c->macros_used = f->macros_used;
		c->nmacros_used = f->nmacros_used;
		c->parse_macros = f->parse_macros;
		c->nparse_macros = f->nparse_macros;
		/* a foreign key of a model's contract is a dependency too, after its own refs */
		if ((c->type == NODE_MODEL && c->patch_path && proj_contract_check(c, keep, tmp) < 0) || tmp->head) {
			why = DIAGNOSED;
			break;
		}
		rp->nodes[idx] = c;
		rp->kind[idx] = TMPL_NONE;  /* parsed already */
		rp->deps_only[idx] = 1;
	}
	map_release(&by_path);
	return why;
}

/* Whether a model's config key is one other nodes see while the project loads: whether it is
 * enabled (its tests follow it, a ref to it fails), and its access and group (refs to it are
 * checked against them). The rest is its own (its relation's names are resolved again, and the
 * check that no two resources build one relation runs again). */
static bool shared_key(value k)
{
	return val_streq(k, "enabled") || val_streq(k, "access") || val_streq(k, "group");
}

/* Whether two configs agree on their shared_key()s */
static bool same_shared_config(value a, value b)
{
	if (a.type != V_DICT || b.type != V_DICT)
		return false;
	for (int pass = 0; pass < 2; pass++) {
		value x = pass ? b : a, y = pass ? a : b;
		for (uint32_t i = 0; i < x.d->len; i++) {
			value k = x.d->e[i].key;
			if (shared_key(k) && !same_value(x.d->e[i].val, val_dict_get(y, k)))
				return false;
		}
	}
	return true;
}

/* The package a file belongs to: the one whose root holds it most closely (packages may sit
 * inside the root project's folder) */
static const struct package *package_of(struct project *p, const char *abs, const char **prel)
{
	const struct package *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < p->npackages; i++) {
		size_t l = strlen(p->packages[i].root);
		if (l > best_len && !strncmp(abs, p->packages[i].root, l) && abs[l] == '/') {
			best = &p->packages[i];
			best_len = l;
		}
	}
	*prel = best ? abs + best_len + 1 : NULL;
	return best;
}

/* The top keys of a properties file parsed again alone */
static const char *const alone_keys[] = {"version", "models", "sources", NULL};

static bool parsed_alone(value keys)
{
	for (uint32_t i = 0; keys.type == V_LIST && i < keys.l->len; i++) {
		const char *const *k = alone_keys;
		while (*k && !val_streq(keys.l->items[i], *k))
			k++;
		if (!*k)
			return false;
	}
	return keys.type == V_LIST;
}

/*
 * The sources of a properties file parsed again: the old ones of the file dropped, the new ones
 * finished as the parse phase finishes them. The models and singular tests that call source() on
 * a source the file declared or declares are rendered again (as dbt's partial parsing schedules a
 * changed source's referencing nodes), other such nodes have their dependencies resolved again.
 * A table another file declares too, or a unit test beside it (its fixtures may name a source),
 * means a full parse.
 */
static const char *reparse_sources(struct project *p, struct reparse *rp, const struct package *pkg, const char *rel,
				   const char *abs, struct nodes_builder *nb)
{
	struct arena *keep = &p->arena;
	struct map names = MAP_INIT;  /* source names the file declared or declares */
	struct map tables = MAP_INIT; /* "source.table" of the sources kept from other files */
	const char *why = NULL;
	bool unit_tests = false;
	for (uint32_t i = 0; i < rp->nn; i++) {
		struct node *n = rp->nodes[i];
		unit_tests |= n->type == NODE_UNIT_TEST;
		if (n->type != NODE_SOURCE)
			continue;
		if (!strcmp(n->package, pkg->name) && !strcmp(n->original_file_path, rel)) {
			rp->removed[i] = 1;
			map_puts(&names, n->source_name, n);
		} else {
			map_puts(&tables, arena_sprintf(keep, "%s.%s", n->source_name, n->name), n);
		}
	}
	for (size_t i = 0; i < nb->n && !why; i++) {
		struct node *n = nb->v[i];
		if (n->type != NODE_SOURCE)
			continue;
		proj_finish_yml_node(n, keep);
		map_puts(&names, n->source_name, n);
		if (map_gets(&tables, arena_sprintf(keep, "%s.%s", n->source_name, n->name)))
			why = arena_sprintf(keep, "'%s' declares source table '%s.%s', which another file declares too", abs,
					    n->source_name, n->name);
	}
	if (!why && names.len && unit_tests)
		why = arena_sprintf(keep, "'%s' changed its sources, and the project has unit tests", abs);
	for (uint32_t i = 0; i < rp->nn && !why && names.len; i++) {
		struct node *n = rp->nodes[i];
		if (rp->removed[i] || rp->resolve[i])
			continue;
		bool calls = false;
		for (uint32_t k = 0; k < n->nsources && !calls; k++)
			calls = map_gets(&names, n->sources[k].source) != NULL;
		if (calls && rp->kind[i] == TMPL_CODE)
			why = render_for(p, rp, i, abs, "calls source() on its sources");
		else if (calls)
			rp->deps_only[i] = 1;
	}
	map_release(&names);
	map_release(&tables);
	return why;
}

/*
 * A changed properties file of the root project that describes models and sources only, before
 * and after. Each model it described or describes is parsed again whole with its new entry (or
 * none), and taken when what other nodes see of it is unchanged: the same enabled, access and
 * group, no versions, no unit test on it, the same time spine. Its sources are replaced
 * (reparse_sources). Its generic tests are replaced by the ones built from the file now, whose
 * names must not clash with another test's.
 */
static const char *reparse_properties(struct project *p, struct reparse *rp, const char *abs, const uint8_t *tested,
				      struct map *model_by_name, struct arena *scratch, struct diag_list *tmp)
{
	struct arena *keep = &p->arena;
	const char *rel;
	const struct package *pkg = package_of(p, abs, &rel);
	value old_keys = val_dict_get(p->properties_files, val_str(abs));
	if (old_keys.type == V_UNDEF)
		return arena_sprintf(keep, "'%s' changed, and it is not a properties file the last load read", abs);
	if (!pkg || !pkg->is_root || !parsed_alone(old_keys))
		return arena_sprintf(keep, "'%s' changed, and it describes more than the project's models and sources",
				     abs);
	struct nodes_builder nb = {0};
	int rc = proj_load_properties_file(p, &nb, pkg, rel, alone_keys, tmp);
	if (rc > 0)
		return arena_sprintf(keep, "'%s' changed, and it describes more than the project's models and sources now",
				     abs);
	if (rc < 0 || tmp->head) {
		VEC_FREE(&nb.tests);
		return DIAGNOSED;
	}
	const char *patch_path = arena_sprintf(keep, "%s://%s", pkg->name, rel);
	const char *why = reparse_sources(p, rp, pkg, rel, abs, &nb);
	/* what the file described before: those models parsed again, its tests dropped */
	value patch_of = val_dict_new(keep, 8);  /* node index -> its new entry */
	for (uint32_t i = 0; i < rp->nn; i++) {
		struct node *n = rp->nodes[i];
		if (n->type == NODE_MODEL && n->patch_path && !strcmp(n->patch_path, patch_path))
			val_dict_set(patch_of, val_int(i), val_none());
		else if (n->type == NODE_TEST && n->test_metadata.type == V_DICT && !strcmp(n->package, pkg->name) &&
			 !strcmp(n->original_file_path, rel))
			rp->removed[i] = 1;
	}
	/* what it describes now */
	for (uint32_t i = 0; i < nb.patches.d->len && !why; i++) {
		value entry = val_dict_gets(nb.patches.d->e[i].val, "entry");
		value name = val_dict_gets(entry, "name");
		uintptr_t at = (uintptr_t)map_gets(model_by_name, name.s);
		if (!at || at == UINTPTR_MAX || val_dict_gets(entry, "versions").type != V_UNDEF) {
			why = arena_sprintf(keep, "'%s' describes '%s', which is not one unversioned model", abs, name.s);
			break;
		}
		const struct node *n = rp->nodes[at - 1];
		if (n->patch_path && strcmp(n->patch_path, patch_path))
			why = arena_sprintf(keep, "'%s' describes '%s', which another properties file describes", abs, name.s);
		val_dict_set(patch_of, val_int((int64_t)(at - 1)), nb.patches.d->e[i].val);
	}
	for (uint32_t k = 0; k < patch_of.d->len && !why; k++) {
		uint32_t idx = (uint32_t)patch_of.d->e[k].key.i;
		value patch = patch_of.d->e[k].val;
		struct node *n = rp->nodes[idx];
		if (rp->kind[idx] != TMPL_CODE || n->version.type != V_UNDEF || tested[idx] || rp->resolve[idx]) {
			why = arena_sprintf(keep, "'%s' changed, and '%s' is versioned, unit tested or described twice", abs,
					    n->name);
			break;
		}
		struct node *f = render_again(p, n, scratch, tmp);
		if (!f || proj_compose_config(p, f, patch.type == V_DICT ? patch : val_undef(), keep, tmp) < 0 || tmp->head) {
			why = DIAGNOSED;
			break;
		}
		if (!same_shared_config(f->config, n->config) || !same_value(f->time_spine, n->time_spine)) {
			why = arena_sprintf(keep, "'%s' changed the config of '%s'", abs, n->name);
			break;
		}
		rp->nodes[idx] = f;
		rp->kind[idx] = TMPL_NONE;
		rp->resolve[idx] = 1;
	}
	if (!why && proj_build_tests(p, &nb, tmp) < 0)
		why = DIAGNOSED;
	for (size_t i = 0; i < nb.n && !why; i++) {
		if (tmp->head) {
			why = DIAGNOSED;
			break;
		}
		VEC_PUSH(&rp->added, nb.v[i]);
	}
	VEC_FREE(&nb.tests);
	free(nb.v);
	return why;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * The nodes in their new order: the dropped ones gone, the added ones in, sorted as a load sorts
 * them, and the others' dependencies and attachments renumbered (but for those resolved again
 * anyway). False when a node kept depends on one dropped (nothing depends on a generic test; a
 * dropped source's callers are resolved again).
 */
static bool place_nodes(struct reparse *rp)
{
	bool same = rp->added.n == 0;
	for (uint32_t i = 0; i < rp->nn && same; i++)
		same = !rp->removed[i];
	if (same)
		return true;  /* the order stands */
	size_t n = 0, total = rp->nn + rp->added.n;
	struct node **v = xcalloc(total + 1, sizeof(*v));
	for (uint32_t i = 0; i < rp->nn; i++) {
		if (rp->removed[i])
			continue;
		rp->nodes[i]->index = i;
		v[n++] = rp->nodes[i];
	}
	for (size_t i = 0; i < rp->added.n; i++) {
		rp->added.v[i]->index = NODE_NONE;
		v[n++] = rp->added.v[i];
	}
	proj_sort_nodes(v, n);
	uint32_t *to = xmalloc(((size_t)rp->nn + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < rp->nn; i++)
		to[i] = NODE_NONE;
	uint8_t *kind = xcalloc(n + 1, 1), *resolve = xcalloc(n + 1, 1), *deps_only = xcalloc(n + 1, 1);
	for (size_t j = 0; j < n; j++) {
		uint32_t old = v[j]->index;
		if (old == NODE_NONE) {
			resolve[j] = 1;  /* a new test: its template is parsed, the rest is resolved below */
			continue;
		}
		to[old] = (uint32_t)j;
		kind[j] = rp->kind[old];
		resolve[j] = rp->resolve[old];
		deps_only[j] = rp->deps_only[old];
	}
	bool ok = true;
	for (size_t j = 0; j < n; j++) {
		struct node *x = v[j];
		if (x->index == NODE_NONE)
			continue;
		if (resolve[j] || deps_only[j])
			x->ndeps = 0;  /* resolved again below */
		for (uint32_t k = 0; k < x->ndeps; k++)
			if ((x->deps[k] = to[x->deps[k]]) == NODE_NONE)
				ok = false;
		if (x->attached_node != NODE_NONE && (x->attached_node = to[x->attached_node]) == NODE_NONE)
			ok = false;
	}
	free(to);
	free(rp->nodes);
	free(rp->kind);
	free(rp->resolve);
	free(rp->deps_only);
	rp->nodes = v;
	rp->nn = (uint32_t)n;
	rp->kind = kind;
	rp->resolve = resolve;
	rp->deps_only = deps_only;
	return ok;
}

const char *proj_reparse(struct project *p, struct reparse *rp, const char *const *changed, size_t nchanged)
{
	rp->removed = xcalloc((size_t)rp->nn + 1, 1);
	rp->resolve = xcalloc((size_t)rp->nn + 1, 1);
	rp->deps_only = xcalloc((size_t)rp->nn + 1, 1);
	rp->again = xcalloc((size_t)rp->nn + 1, 1);
	rp->via = xcalloc((size_t)rp->nn + 1, sizeof(*rp->via));
	uint8_t *tested = unit_tested(rp);
	/* the root project's models by name, for properties files (only .sql changed: not needed) */
	struct map model_by_name = MAP_INIT;
	bool props = false;
	for (size_t k = 0; k < nchanged; k++)
		props |= has_suffix(changed[k], ".yml") || has_suffix(changed[k], ".yaml");
	for (uint32_t i = 0; props && i < rp->nn; i++) {
		const struct node *n = rp->nodes[i];
		if (n->type == NODE_MODEL && !strcmp(n->package, p->packages[0].name))
			map_puts(&model_by_name, n->name,
				 map_gets(&model_by_name, n->name) ? (void *)UINTPTR_MAX : (void *)(uintptr_t)(i + 1));
	}
	struct arena scratch;
	arena_init(&scratch, 64 * 1024);
	struct diag_list tmp;
	diag_list_init(&tmp);
	const char *why = NULL;
	const char **sql = xcalloc(nchanged + 1, sizeof(char *));
	size_t nsql = 0;
	/* properties files first: a model whose .sql changed too is parsed again whole there */
	for (size_t k = 0; k < nchanged && !why; k++) {
		if (has_suffix(changed[k], ".yml") || has_suffix(changed[k], ".yaml"))
			why = reparse_properties(p, rp, changed[k], tested, &model_by_name, &scratch, &tmp);
		else
			sql[nsql++] = changed[k];
	}
	if (!why)
		why = reparse_models(p, rp, sql, nsql, tested, &scratch, &tmp);
	/* a new test named as a test that stays: a full load says which two */
	if (!why && rp->added.n) {
		struct map ids = MAP_INIT;
		for (uint32_t i = 0; i < rp->nn; i++)
			if (!rp->removed[i])
				map_puts(&ids, rp->nodes[i]->unique_id, rp->nodes[i]);
		for (size_t i = 0; i < rp->added.n && !why; i++) {
			if (map_gets(&ids, rp->added.v[i]->unique_id))
				why = "two tests would have the same name";
			map_puts(&ids, rp->added.v[i]->unique_id, rp->added.v[i]);
		}
		map_release(&ids);
	}
	/* (indexed as the nodes were before placing) */
	free(rp->again);
	free(rp->via);
	rp->again = NULL;
	rp->via = NULL;
	if (!why && !place_nodes(rp))
		why = "a node depends on a test that changed";
	free(sql);
	free(tested);
	map_release(&model_by_name);
	diag_list_release(&tmp);
	arena_release(&scratch);
	return why;
}

void proj_reparse_release(struct reparse *rp)
{
	free(rp->removed);
	free(rp->resolve);
	free(rp->deps_only);
	VEC_FREE(&rp->added);
}
