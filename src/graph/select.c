/*
 * Node selection with dbt's grammar. A --select word may hold several selectors separated by
 * spaces (a union); a selector with commas is an intersection of its parts; each part is
 *
 *   part   -> ['@'] [N] ['+'] criterion ['+' [N]]
 *   criterion -> [method ':'] value            method: tag, path, file, fqn, package, source,
 *                                              resource_type, test_type, test_name, config.KEY,
 *                                              state, result (with --state: state/state.h)
 *
 * A bare value is a path when it looks like one, else an fqn selector (a node name, or a dotted
 * prefix of the fqn such as package.folder.model), with shell wildcards. Tests are selected
 * indirectly, by --indirect-selection as dbt's modes do (eager, the default: a test joins when
 * any node it tests is selected; cautious, buildable, empty: see expand()).
 * Every step is a pass over the nodes or a graph walk with a visited bitmap: linear per selector.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "graph/graph.h"

struct sel_ctx {
	const struct graph *g;
	struct project *p;
	struct diag_list *dl;
	uint32_t *stack;
};

static bool glob_match(const char *pattern, const char *s)
{
	return s && fnmatch(pattern, s, 0) == 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[]") != NULL;
}

/* metric:, semantic_model:, saved_query:, unit_test: name or package.name, each part a glob, as dbt matches */
static bool semantic_match(const struct node *n, const char *sel)
{
	const char *dot = strchr(sel, '.');
	if (!dot)
		return glob_match(sel, n->name);
	if (strchr(dot + 1, '.'))
		return false;
	char pkg[256];
	size_t len = (size_t)(dot - sel);
	if (len >= sizeof(pkg))
		return false;
	memcpy(pkg, sel, len);
	pkg[len] = '\0';
	return glob_match(pkg, n->package) && glob_match(dot + 1, n->name);
}

/* dbt's is_selected_node against fqn[from..]: the leaf exactly (a version: its model, or
 * model_vN as name.vN / name_vN), else the selector's dotted parts against the fqn's parts (dots
 * inside a part split it too) one by one, up to a part with a wildcard, whose rest is matched
 * against the rest of the fqn joined with dots (graph/selector_methods.py) */
static bool fqn_selected(value fqn, uint32_t from, const char *sel, bool versioned)
{
	uint32_t n = fqn.l->len;
	if (n <= from)
		return false;
	const char *leaf = fqn.l->items[n - 1].s;
	if (versioned && n - from >= 2) {
		const char *model = fqn.l->items[n - 2].s;
		if (!strcmp(sel, model))
			return true;
		/* "_".join(fqn[-2:]) == "_".join(selector.split(".")[-2:]) */
		const char *last_dot = strrchr(sel, '.'), *prev_dot = NULL;
		for (const char *c = sel; last_dot && c < last_dot; c++)
			if (*c == '.')
				prev_dot = c;
		char want[512], have[512];
		if (last_dot)
			snprintf(want, sizeof(want), "%.*s_%s", (int)(last_dot - (prev_dot ? prev_dot + 1 : sel)),
				 prev_dot ? prev_dot + 1 : sel, last_dot + 1);
		else
			snprintf(want, sizeof(want), "%s", sel);
		snprintf(have, sizeof(have), "%s_%s", model, leaf);
		if (!strcmp(want, have))
			return true;
	} else if (!versioned && !strcmp(leaf, sel)) {
		return true;
	}
	/* the flattened fqn, joined with dots: its parts are what lies between the dots */
	struct sb flat = SB_INIT;
	for (uint32_t k = from; k < n; k++)
		sb_addf(&flat, "%s%s", k > from ? "." : "", fqn.l->items[k].s);
	size_t nflat = 1, nsel = 1;
	for (const char *c = flat.buf; *c; c++)
		nflat += *c == '.';
	for (const char *c = sel; *c; c++)
		nsel += *c == '.';
	bool match = nflat >= nsel;
	const char *f = flat.buf, *s = sel;
	while (match && *s) {
		const char *sdot = strchr(s, '.'), *fdot = strchr(f, '.');
		size_t slen = sdot ? (size_t)(sdot - s) : strlen(s), flen = fdot ? (size_t)(fdot - f) : strlen(f);
		bool wild = false;
		for (size_t k = 0; k < slen && !wild; k++)
			wild = strchr("*?[]", s[k]) != NULL;
		if (wild) {
			match = glob_match(s, f);
			break;
		}
		match = slen == flen && !memcmp(s, f, slen);
		if (!sdot)
			break;
		s = sdot + 1;
		f = fdot ? fdot + 1 : f + flen;
	}
	sb_release(&flat);
	return match;
}

/* dbt's QualifiedNameSelectorMethod: the fqn, or the fqn without its package (a match across
 * packages); sources are never matched by fqn */
static bool fqn_match(const struct node *n, const char *sel)
{
	value fqn = n->fqn;
	if (fqn.type != V_LIST || fqn.l->len == 0 || n->type == NODE_SOURCE)
		return false;
	bool versioned = n->version.type != V_UNDEF;
	return fqn_selected(fqn, 0, sel, versioned) || fqn_selected(fqn, 1, sel, versioned);
}

static bool path_match(const struct node *n, const char *sel)
{
	const char *path = n->original_file_path;
	if (!path)
		return false;
	size_t l = strlen(sel);
	while (l > 1 && sel[l - 1] == '/')
		l--;
	if (has_glob(sel))
		return glob_match(sel, path);
	if (!strncmp(path, sel, l) && (path[l] == '\0' || path[l] == '/'))
		return true;
	return false;
}

static bool file_match(const struct node *n, const char *sel)
{
	const char *path = n->original_file_path;
	if (!path)
		return false;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (glob_match(sel, base))
		return true;
	const char *dot = strrchr(base, '.');
	char stem[256];
	size_t len = dot ? (size_t)(dot - base) : strlen(base);
	if (len >= sizeof(stem))
		return false;
	memcpy(stem, base, len);
	stem[len] = '\0';
	return glob_match(sel, stem);
}

static bool list_has(value list, const char *sel)
{
	if (list.type != V_LIST)
		return false;
	for (uint32_t i = 0; i < list.l->len; i++)
		if (list.l->items[i].type == V_STR && glob_match(sel, list.l->items[i].s))
			return true;
	return false;
}

static bool scalar_eq(value v, const char *sel)
{
	switch (v.type) {
	case V_STR:
		return glob_match(sel, v.s);
	case V_BOOL:
		return !strcasecmp(sel, v.b ? "true" : "false");
	case V_INT:
	case V_FLOAT: {
		struct sb s = SB_INIT;
		val_str_to(&s, v);
		bool m = !strcmp(s.buf, sel);
		sb_release(&s);
		return m;
	}
	case V_NONE:
		return !strcasecmp(sel, "none") || !strcasecmp(sel, "null");
	default:
		return false;
	}
}

static bool source_match(const struct node *n, const char *sel)
{
	if (n->type != NODE_SOURCE)
		return false;
	/* source:src, source:src.table, source:pkg.src.table, with wildcards */
	char full[768], two[512];
	snprintf(two, sizeof(two), "%s.%s", n->source_name, n->name);
	snprintf(full, sizeof(full), "%s.%s.%s", n->package, n->source_name, n->name);
	size_t dots = 0;
	for (const char *s = sel; *s; s++)
		dots += *s == '.';
	if (dots == 0)
		return glob_match(sel, n->source_name);
	if (dots == 1)
		return glob_match(sel, two);
	return glob_match(sel, full);
}

enum method {
	M_DEFAULT, M_FQN, M_TAG, M_PATH, M_FILE, M_PACKAGE, M_SOURCE, M_RESOURCE_TYPE, M_TEST_TYPE,
	M_TEST_NAME, M_CONFIG, M_EXPOSURE, M_METRIC, M_SEMANTIC_MODEL, M_SAVED_QUERY, M_STATE, M_RESULT, M_UNIT_TEST, M_VERSION, M_GROUP, M_ACCESS, M_SOURCE_STATUS, M_NONE
};

/* version:latest|prerelease|old|none, as dbt's VersionSelectorMethod */
static bool version_match(const struct node *n, const char *val)
{
	if (!strcmp(val, "none"))
		return n->type == NODE_MODEL && n->version.type == V_UNDEF;
	if (n->version.type == V_UNDEF)
		return false;
	value v = n->version, l = n->latest_version;
	int cmp = 0;
	if ((v.type == V_INT || v.type == V_FLOAT) && (l.type == V_INT || l.type == V_FLOAT)) {
		double a = v.type == V_INT ? (double)v.i : v.f, b = l.type == V_INT ? (double)l.i : l.f;
		cmp = a < b ? -1 : a > b;
	} else {
		struct sb x = SB_INIT, y = SB_INIT;
		val_str_to(&x, v);
		val_str_to(&y, l);
		cmp = strcmp(x.buf ? x.buf : "", y.buf ? y.buf : "");
		sb_release(&x);
		sb_release(&y);
	}
	if (!strcmp(val, "latest"))
		return cmp == 0;
	if (!strcmp(val, "prerelease"))
		return cmp > 0;
	if (!strcmp(val, "old"))
		return cmp < 0;
	return false;
}

/* state:VALUE as the flags it tests (state/state.h); 0 for an unknown value */
static unsigned state_mask(const char *val)
{
	static const struct {
		const char *name;
		unsigned mask;
	} values[] = {
		{"new", STATE_NEW},
		{"modified", STATE_MODIFIED},
		{"modified.body", STATE_BODY},
		{"modified.configs", STATE_CONFIGS},
		{"modified.relation", STATE_RELATION},
		{"modified.persisted_descriptions", STATE_DESCRIPTIONS},
		{"modified.macros", STATE_MACROS},
		{"modified.contract", STATE_CONTRACT},
		{"old", 0x100},
		{"unmodified", 0x200},
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!strcmp(val, values[i].name))
			return values[i].mask;
	return 0;
}

static bool state_match(const struct project *p, const struct node *n, const char *val)
{
	unsigned f = p->state_flags[n->index], mask = state_mask(val);
	if (mask == 0x100)
		return !(f & STATE_NEW);
	if (mask == 0x200)
		return f == 0;
	return (f & mask) != 0;
}

static bool criterion_match(const struct project *p, const struct node *n, enum method m, const char *key,
			    const char *val)
{
	switch (m) {
	case M_DEFAULT:
		if (strchr(val, '/') || strstr(val, ".sql") || strstr(val, ".csv") || strstr(val, ".yml"))
			return path_match(n, val) || (n->type != NODE_SOURCE && fqn_match(n, val));
		return fqn_match(n, val);
	case M_FQN:
		return fqn_match(n, val);
	case M_TAG:
		return list_has(n->tags, val);
	case M_PATH:
		return path_match(n, val);
	case M_FILE:
		return file_match(n, val);
	case M_PACKAGE:
		return glob_match(val, n->package);
	case M_SOURCE:
		return source_match(n, val);
	case M_RESOURCE_TYPE:
		return !strcmp(val, node_type_name(n->type)) || (!strcmp(val, "analyses") && n->type == NODE_ANALYSIS);
	case M_TEST_TYPE:
		if (n->type == NODE_UNIT_TEST)
			return !strcmp(val, "unit");
		if (n->type != NODE_TEST)
			return false;
		if (!strcmp(val, "generic") || !strcmp(val, "schema"))
			return n->test_metadata.type == V_DICT;
		if (!strcmp(val, "singular") || !strcmp(val, "data"))
			return n->test_metadata.type != V_DICT;
		return false;
	case M_TEST_NAME: {
		if (n->type != NODE_TEST || n->test_metadata.type != V_DICT)
			return false;
		value name = val_dict_gets(n->test_metadata, "name");
		return name.type == V_STR && glob_match(val, name.s);
	}
	case M_CONFIG: {
		value v = val_dict_gets(n->config, key);
		if (v.type == V_LIST) {
			for (uint32_t i = 0; i < v.l->len; i++)
				if (scalar_eq(v.l->items[i], val))
					return true;
			return false;
		}
		return scalar_eq(v, val);
	}
	case M_EXPOSURE:
		return n->type == NODE_EXPOSURE && glob_match(val, n->name);
	case M_METRIC:
		return n->type == NODE_METRIC && semantic_match(n, val);
	case M_SEMANTIC_MODEL:
		return n->type == NODE_SEMANTIC_MODEL && semantic_match(n, val);
	case M_SAVED_QUERY:
		return n->type == NODE_SAVED_QUERY && semantic_match(n, val);
	case M_UNIT_TEST:
		return n->type == NODE_UNIT_TEST && semantic_match(n, val);
	case M_STATE:
		return state_match(p, n, val);
	case M_VERSION:
		return version_match(n, val);
	case M_SOURCE_STATUS:
		return p->source_fresher && p->source_fresher[n->index];
	case M_GROUP: {
		value g = val_dict_gets(n->config, "group");
		return g.type == V_STR && glob_match(val, g.s);
	}
	case M_ACCESS: {
		if (n->type != NODE_MODEL)
			return false;
		value acc = val_dict_gets(n->config, "access");
		return !strcmp(val, acc.type == V_STR ? acc.s : "protected");
	}
	case M_RESULT:
		return p->state_results[n->index] && !strcmp(p->state_results[n->index], val);
	default:
		return false;
	}
}

/* Marks ancestors (up) or descendants of every node in `set` into `out`, up to `depth` (-1: all) */
static void walk(struct sel_ctx *c, const uint8_t *set, uint8_t *out, bool up, long depth)
{
	const struct graph *g = c->g;
	size_t n = g->n;
	uint32_t *dist = xmalloc((n + 1) * sizeof(uint32_t));
	uint32_t *queue = xmalloc((n + 1) * sizeof(uint32_t));
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < n; i++) {
		dist[i] = UINT32_MAX;
		if (set[i]) {
			dist[i] = 0;
			queue[tail++] = (uint32_t)i;
		}
	}
	while (head < tail) {
		uint32_t v = queue[head++];
		if (depth >= 0 && dist[v] >= (uint32_t)depth)
			continue;
		const uint32_t *off = up ? g->par_off : g->chi_off;
		const uint32_t *adj = up ? g->par : g->chi;
		for (uint32_t k = off[v]; k < off[v + 1]; k++) {
			uint32_t w = adj[k];
			if (dist[w] == UINT32_MAX) {
				dist[w] = dist[v] + 1;
				out[w] = 1;
				queue[tail++] = w;
			}
		}
	}
	free(dist);
	free(queue);
}

static int fresher_sources(struct project *p, const char *whole, struct diag_list *dl);

/*
 * When state:modified compares contracts, dbt reports the breaking changes to enforced contracts:
 * a warning for an unversioned model, an error for a versioned one (make a new version instead).
 */
static int breaking_changes_told(struct project *p, struct diag_list *dl)
{
	if (!p->state_breaking || p->state_breaking_told)
		return 0;
	p->state_breaking_told = true;
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		const char *why = p->state_breaking[i];
		struct node *n = p->nodes[i];
		if (!why)
			continue;
		if (n->version.type == V_UNDEF) {
			diag_warn(dl, n->yaml_loc,
				  "Breaking change to contracted, unversioned model %s (%s)\nWhile comparing to previous project "
				  "state, dbt detected a breaking change to an unversioned model.\n  - %s\n",
				  n->name, n->original_file_path, why);
			continue;
		}
		struct diag *d = diag_error(dl, n->yaml_loc,
					    "Breaking Change to Contract in model %s (%s)\nWhile comparing to previous project "
					    "state, dbt detected a breaking change to an enforced contract.\n  - %s\nConsider "
					    "making an additive (non-breaking) change instead, if possible.\nOtherwise, create a "
					    "new model version: https://docs.getdbt.com/docs/collaborate/govern/model-versions",
					    n->name, n->original_file_path, why);
		diag_hint(dl, d, "add a version of the model (versions: in its properties) for the new contract");
		rc = -1;
	}
	return rc;
}

static int parse_method(struct sel_ctx *c, const char *crit, enum method *pm, char *key, size_t keysz,
			const char **pval, const char *whole)
{
	const char *colon = strchr(crit, ':');
	*pm = M_DEFAULT;
	key[0] = '\0';
	*pval = crit;
	if (!colon)
		return 0;
	size_t ml = (size_t)(colon - crit);
	*pval = colon + 1;
	static const struct {
		const char *name;
		enum method m;
	} methods[] = {
		{"fqn", M_FQN}, {"version", M_VERSION}, {"tag", M_TAG}, {"path", M_PATH}, {"file", M_FILE}, {"package", M_PACKAGE},
		{"source", M_SOURCE}, {"resource_type", M_RESOURCE_TYPE}, {"test_type", M_TEST_TYPE},
		{"test_name", M_TEST_NAME}, {"exposure", M_EXPOSURE}, {"metric", M_METRIC},
		{"semantic_model", M_SEMANTIC_MODEL}, {"saved_query", M_SAVED_QUERY}, {"unit_test", M_UNIT_TEST}, {"group", M_GROUP},
		{"access", M_ACCESS}, {"state", M_STATE}, {"result", M_RESULT},
	};
	struct diag *d;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strlen(methods[i].name) != ml || strncmp(methods[i].name, crit, ml))
			continue;
		*pm = methods[i].m;
		if ((*pm == M_STATE || *pm == M_RESULT) && !c->p->state_flags) {
			/* dbt's wording (graph/selector_methods.py) */
			d = diag_error(c->dl, LOC_NONE, "Got a state selector method, but no comparison manifest ('%s')", whole);
			diag_hint(c->dl, d, "pass --state DIR: the target folder of an earlier run");
			return -1;
		}
		if (*pm == M_STATE && !state_mask(*pval)) {
			d = diag_error(c->dl, LOC_NONE, "'%s' is not a state of the selector '%s'", *pval, whole);
			diag_hint(c->dl, d, "use state:new, state:old, state:modified[.body|.configs|.relation|"
					    ".persisted_descriptions|.macros|.contract] or state:unmodified");
			return -1;
		}
		if (*pm == M_STATE && (state_mask(*pval) & STATE_CONTRACT) && breaking_changes_told(c->p, c->dl) < 0)
			return -1;
		return 0;
	}
	if (ml > 7 && !strncmp(crit, "config.", 7)) {
		size_t kl = ml - 7;
		if (kl >= keysz)
			kl = keysz - 1;
		memcpy(key, crit + 7, kl);
		key[kl] = '\0';
		*pm = M_CONFIG;
		return 0;
	}
	if (ml == 13 && !strncmp(crit, "source_status", 13)) {
		*pm = M_SOURCE_STATUS;
		if (strcmp(*pval, "fresher")) {
			d = diag_error(c->dl, LOC_NONE, "'%s' is not a status of the selector '%s'", *pval, whole);
			diag_hint(c->dl, d, "use source_status:fresher (sources loaded since the --state run)");
			return -1;
		}
		return fresher_sources(c->p, whole, c->dl);
	}
	d = diag_error(c->dl, LOC_NONE, "'%.*s' is not a valid method name in the selector '%s'", (int)ml, crit, whole);
	diag_hint(c->dl, d, "methods: tag, path, file, fqn, package, source, resource_type, test_type, test_name, config.KEY");
	return -1;
}

/* The max_loaded_at of each source in a sources.json that has one (an error result has none) */
static int read_freshness(struct project *p, const char *path, struct map *loaded, struct map *errored,
			  const char *whole, struct diag_list *dl)
{
	size_t len;
	char *text = fs_read(&p->arena, path, &len);
	value doc;
	char *err = NULL;
	if (!text || val_from_json(&p->arena, text, len, &doc, &err) < 0) {
		struct diag *d = diag_error(dl, LOC_NONE, "the selector '%s' needs %s: %s", whole, path,
					    text ? (err ? err : "not JSON") : "cannot read it");
		diag_hint(dl, d, "run 'sluice source freshness' for this run, with --state naming an earlier run's "
				 "target folder that holds its sources.json");
		return -1;
	}
	value results = val_dict_gets(doc, "results");
	for (uint32_t i = 0; results.type == V_LIST && i < results.l->len; i++) {
		value r = results.l->items[i];
		value id = val_dict_gets(r, "unique_id"), at = val_dict_gets(r, "max_loaded_at");
		if (id.type != V_STR)
			continue;
		if (at.type == V_STR)
			map_puts(loaded, val_cstr(&p->arena, id), (void *)val_cstr(&p->arena, at));
		else
			map_puts(errored, val_cstr(&p->arena, id), (void *)1);
	}
	return 0;
}

/*
 * source_status:fresher (dbt's SourceStatusSelectorMethod): the sources whose latest load in this
 * project's target/sources.json is newer than in the --state folder's, or that it did not have;
 * a source whose check failed in either is never fresher.
 */
static int fresher_sources(struct project *p, const char *whole, struct diag_list *dl)
{
	if (p->source_fresher)
		return 0;
	if (!p->state_dir) {
		struct diag *d = diag_error(dl, LOC_NONE, "Got a state selector method, but no comparison manifest ('%s')", whole);
		diag_hint(dl, d, "pass --state DIR: the target folder of an earlier run, with its sources.json");
		return -1;
	}
	struct map prev = MAP_INIT, prev_err = MAP_INIT, cur = MAP_INIT, cur_err = MAP_INIT;
	int rc = read_freshness(p, fs_join(&p->arena, p->state_dir, "sources.json"), &prev, &prev_err, whole, dl);
	if (rc == 0)
		rc = read_freshness(p, fs_join(&p->arena, p->target_path, "sources.json"), &cur, &cur_err, whole, dl);
	if (rc == 0) {
		p->source_fresher = arena_alloc(&p->arena, p->nnodes + 1);
		for (size_t i = 0; i < p->nnodes; i++) {
			const char *id = p->nodes[i]->unique_id;
			const char *now = map_gets(&cur, id), *before = map_gets(&prev, id);
			bool fresher = now && (!before || strcmp(now, before) > 0);
			p->source_fresher[i] = fresher && !map_gets(&prev_err, id) && !map_gets(&cur_err, id);
		}
	}
	map_release(&prev);
	map_release(&prev_err);
	map_release(&cur);
	map_release(&cur_err);
	return rc;
}

/* Whether every node test i tests (a unit test: its model) is in `set` or, when given, in `also` */
static bool parents_within(const struct sel_ctx *c, size_t i, const uint8_t *set, const uint8_t *also)
{
	const struct graph *g = c->g;
	const struct node *t = c->p->nodes[i];
	if (t->type == NODE_UNIT_TEST)
		return t->attached_node < g->n && (set[t->attached_node] || (also && also[t->attached_node]));
	for (uint32_t k = g->par_off[i]; k < g->par_off[i + 1]; k++) {
		uint32_t q = g->par[k];
		if (c->p->nodes[q]->type != NODE_TEST && !set[q] && !(also && also[q]))
			return false;
	}
	return true;
}

/* Whether test i tests some node of `set` (a graph child of it) */
static bool tests_some(const struct sel_ctx *c, size_t i, const uint8_t *set)
{
	const struct graph *g = c->g;
	const struct node *t = c->p->nodes[i];
	if (t->type == NODE_UNIT_TEST)
		return t->attached_node < g->n && set[t->attached_node];
	if (t->type != NODE_TEST)
		return false;
	for (uint32_t k = g->par_off[i]; k < g->par_off[i + 1]; k++)
		if (set[g->par[k]] && c->p->nodes[g->par[k]]->type != NODE_TEST)
			return true;
	return false;
}

/* `set` and the ancestors of its nodes, with every source when `sources` (dbt's select_parents) */
static uint8_t *with_parents(struct sel_ctx *c, const uint8_t *set, bool sources)
{
	size_t n = c->g->n;
	uint8_t *also = xcalloc(n + 1, 1);
	memcpy(also, set, n);
	walk(c, set, also, true, -1);
	for (size_t i = 0; sources && i < n; i++)
		if (c->p->nodes[i]->type == NODE_SOURCE)
			also[i] = 1;
	return also;
}

/*
 * dbt's expand_selection on one criterion's nodes, in place: the tests and unit tests of them
 * join by --indirect-selection (eager: any of their nodes selected; cautious: all of them;
 * buildable: all of them, or parents of what is selected, or sources; empty: none). Done per
 * criterion, before an intersection (dbt's get_nodes_from_criteria), so
 * "test_name:unique,orders" keeps orders' unique test. The tests that cautious and buildable
 * leave out go to `indirect`, for incorporate() to take once their other nodes are selected.
 * A test's parents are never tests, so one pass suffices.
 */
static void expand(struct sel_ctx *c, uint8_t *set, uint8_t *indirect)
{
	size_t n = c->g->n;
	enum indirect_mode mode = c->p->indirect_selection;
	if (mode == INDIRECT_EMPTY)
		return;
	uint8_t *also = mode == INDIRECT_BUILDABLE ? with_parents(c, set, true) : NULL;
	uint8_t *add = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (set[i] || !tests_some(c, i, set))
			continue;
		if (mode == INDIRECT_EAGER || parents_within(c, i, set, also))
			add[i] = 1;
		else
			indirect[i] = 1;
	}
	for (size_t i = 0; i < n; i++)
		set[i] |= add[i];
	free(add);
	free(also);
}

/* dbt's incorporate_indirect_nodes, after a union or an intersection: a test left out by
 * cautious or buildable joins when its nodes (or, buildable, their parents) are now all
 * selected; unit tests do not (they are not among the manifest's nodes there) */
static void incorporate(struct sel_ctx *c, uint8_t *direct, const uint8_t *indirect)
{
	size_t n = c->g->n;
	enum indirect_mode mode = c->p->indirect_selection;
	if (mode != INDIRECT_CAUTIOUS && mode != INDIRECT_BUILDABLE)
		return;
	uint8_t *also = mode == INDIRECT_BUILDABLE ? with_parents(c, direct, false) : NULL;
	uint8_t *add = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++)
		if (indirect[i] && !direct[i] && c->p->nodes[i]->type == NODE_TEST && parents_within(c, i, direct, also))
			add[i] = 1;
	for (size_t i = 0; i < n; i++)
		direct[i] |= add[i];
	free(add);
	free(also);
}

/* One part (no commas) into `out`, the tests it leaves for later into `indirect`; returns -1 on a
 * malformed part */
static int select_part(struct sel_ctx *c, const char *part, uint8_t *out, uint8_t *indirect)
{
	size_t n = c->g->n;
	const char *s = part;
	bool at = false, up = false, down = false;
	long up_depth = -1, down_depth = -1;
	if (*s == '@') {
		at = true;
		s++;
	}
	if (isdigit((unsigned char)*s)) {
		char *end;
		long d = strtol(s, &end, 10);
		if (*end == '+') {
			up = true;
			up_depth = d;
			s = end + 1;
		}
	} else if (*s == '+') {
		up = true;
		s++;
	}
	size_t len = strlen(s);
	/* a trailing +N or + (but not inside a method value such as config.x:+y) */
	const char *plus = strrchr(s, '+');
	if (plus && plus > s) {
		const char *e = plus + 1;
		while (isdigit((unsigned char)*e))
			e++;
		if (*e == '\0') {
			down = true;
			if (plus[1])
				down_depth = strtol(plus + 1, NULL, 10);
			len = (size_t)(plus - s);
		}
	}
	char crit[1024];
	if (len == 0 || len >= sizeof(crit)) {
		struct diag *d = diag_error(c->dl, LOC_NONE, "the selector '%s' is malformed", part);
		diag_hint(c->dl, d, "write e.g. 'orders', '+orders', 'orders+', 'tag:nightly' or 'path:models/staging'");
		return -1;
	}
	memcpy(crit, s, len);
	crit[len] = '\0';
	enum method m;
	char key[256];
	const char *val;
	if (parse_method(c, crit, &m, key, sizeof(key), &val, part) < 0)
		return -1;
	uint8_t *base = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++)
		base[i] = criterion_match(c->p, c->p->nodes[i], m, key, val);
	memcpy(out, base, n);
	if (at) {
		/* @x: x, its descendants, and the ancestors of all of those */
		uint8_t *desc = xcalloc(n + 1, 1);
		memcpy(desc, base, n);
		walk(c, base, desc, false, -1);
		memcpy(out, desc, n);
		walk(c, desc, out, true, -1);
		free(desc);
	} else {
		if (up)
			walk(c, base, out, true, up_depth);
		if (down)
			walk(c, base, out, false, down_depth);
	}
	free(base);
	expand(c, out, indirect);
	return 0;
}

/* One selector (may hold commas: an intersection) into `out`, with the tests left for later in
 * `indirect` (dbt's SelectionIntersection: the parts' sets meet, and so do their sets with their
 * left-out tests) */
static int select_one(struct sel_ctx *c, const char *sel, uint8_t *out, uint8_t *indirect, bool *pmatched)
{
	size_t n = c->g->n;
	uint8_t *tmp = xcalloc(n + 1, 1), *tind = xcalloc(n + 1, 1);
	memset(out, 1, n);
	memset(indirect, 1, n);
	const char *s = sel;
	int rc = 0;
	while (rc == 0) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char part[1024];
		if (len >= sizeof(part))
			len = sizeof(part) - 1;
		memcpy(part, s, len);
		part[len] = '\0';
		memset(tmp, 0, n);
		memset(tind, 0, n);
		if (len)
			rc = select_part(c, part, tmp, tind);
		for (size_t i = 0; i < n; i++) {
			indirect[i] &= tmp[i] | tind[i];
			out[i] &= tmp[i];
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	free(tmp);
	free(tind);
	incorporate(c, out, indirect);
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = out[i] && c->p->nodes[i]->enabled;
	*pmatched = any;
	return rc;
}

/* Unions every selector of every word into `out` (dbt's SelectionUnion, its left-out tests taken
 * in when their nodes are all there), warning about those that match nothing */
static int select_words(struct sel_ctx *c, const char *const *words, size_t nwords, uint8_t *out)
{
	size_t n = c->g->n;
	uint8_t *one = xcalloc(n + 1, 1), *ind = xcalloc(n + 1, 1), *all_ind = xcalloc(n + 1, 1);
	int rc = 0;
	for (size_t w = 0; w < nwords && rc == 0; w++) {
		const char *s = words[w];
		while (*s && rc == 0) {
			while (isspace((unsigned char)*s))
				s++;
			if (!*s)
				break;
			const char *e = s;
			while (*e && !isspace((unsigned char)*e))
				e++;
			char sel[1024];
			size_t len = (size_t)(e - s) < sizeof(sel) ? (size_t)(e - s) : sizeof(sel) - 1;
			memcpy(sel, s, len);
			sel[len] = '\0';
			bool matched = false;
			memset(one, 0, n);
			memset(ind, 0, n);
			rc = select_one(c, sel, one, ind, &matched);
			if (rc == 0 && !matched) {
				struct diag *d = diag_warn(c->dl, LOC_NONE,
							   "the selection criterion '%s' does not match any enabled nodes", sel);
				diag_hint(c->dl, d, "check the name; 'sluice ls' lists what there is");
			}
			for (size_t i = 0; i < n; i++) {
				out[i] |= one[i];
				all_ind[i] |= one[i] | ind[i];
			}
			s = e;
		}
	}
	incorporate(c, out, all_ind);
	free(one);
	free(ind);
	free(all_ind);
	return rc;
}

int graph_indirect_mode(const char *name, bool ignore_case)
{
	static const char *const modes[] = {[INDIRECT_EAGER] = "eager", [INDIRECT_CAUTIOUS] = "cautious",
					    [INDIRECT_BUILDABLE] = "buildable", [INDIRECT_EMPTY] = "empty"};
	for (int k = 0; k < (int)(sizeof(modes) / sizeof(*modes)); k++)
		if (!(ignore_case ? strcasecmp : strcmp)(name, modes[k]))
			return k;
	return -1;
}

int graph_select(const struct graph *g, struct project *p, const char *const *select, size_t nselect,
		 const char *const *exclude, size_t nexclude, unsigned types, uint8_t *selected,
		 struct diag_list *dl)
{
	size_t n = g->n;
	struct sel_ctx c = {g, p, dl, NULL};
	uint8_t *excl = xcalloc(n + 1, 1);
	memset(selected, 0, n);
	int rc = 0;
	if (nselect == 0)
		memset(selected, 1, n);
	else
		rc = select_words(&c, select, nselect, selected);
	if (rc == 0 && nexclude)
		rc = select_words(&c, exclude, nexclude, excl);
	/* each criterion was expanded to its tests (select_part), the excluded ones too, so a test
	 * of an excluded node is excluded, even when everything is selected (dbt test --exclude
	 * my_model skips my_model's tests) */
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			struct node *nd = p->nodes[i];
			if (excl[i] || !nd->enabled || !((types >> nd->type) & 1))
				selected[i] = 0;
		}
	}
	free(excl);
	return rc;
}
