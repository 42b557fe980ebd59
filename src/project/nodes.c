/*
 * Finding the files that become nodes: models (every .sql under model-paths), singular
 * tests (every .sql under test-paths, outside generic/), and the macros of the global project and the packages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/inputs.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"
#include "project/yml.h"

void proj_add_node(struct nodes_builder *nb, struct node *n)
{
	VEC_PUSH(nb, n);
}

/* fqn: [package, the folders of `path`..., name] */
static value proj_fqn(struct arena *a, const char *package, const char *path, const char *name)
{
	value fqn = val_list_new(a, 4);
	val_list_push(fqn, val_str(package));
	const char *s = path;
	for (;;) {
		const char *slash = strchr(s, '/');
		if (!slash)
			break;
		val_list_push(fqn, val_str_dup(a, s, (size_t)(slash - s)));
		s = slash + 1;
	}
	val_list_push(fqn, val_str(name));
	return fqn;
}

value proj_yml_fqn(struct arena *a, const char *package, const char *yml_path, const char *name)
{
	const char *s = strchr(yml_path, '/');
	return proj_fqn(a, package, s ? s + 1 : yml_path, name);
}

/* A node with no config yet: its unique_id, config, unrendered_config, tags, meta and columns
 * are the caller's to set (a generic test's are shared with its siblings: 20,000 tests of a large
 * project need no five empty containers each) */
struct node *proj_node_bare(struct arena *a, enum node_type type, const char *package, const char *name)
{
	struct node *n = ARENA_NEW(a, struct node);
	n->type = type;
	n->package = package;
	n->name = name;
	n->language = "sql";
	n->description = "";
	n->enabled = true;
	n->attached_node = NODE_NONE;
	n->test_metadata = val_none();
	n->source_meta = val_none();
	n->freshness = val_none();
	n->time_spine = val_none();
	return n;
}

struct node *proj_node_new(struct arena *a, enum node_type type, const char *package, const char *name)
{
	struct node *n = proj_node_bare(a, type, package, name);
	n->unique_id = arena_sprintf(a, "%s.%s.%s", node_type_name(type), package, name);
	/* empty: parsing gives most nodes dicts of their own (so these grow only when kept) */
	n->columns = val_dict_new(a, 0);
	n->config = val_dict_new(a, 0);
	n->unrendered_config = val_dict_new(a, 0);
	n->meta = val_dict_new(a, 0);
	n->tags = val_list_new(a, 0);
	return n;
}

/* A file read ahead of its node (by read_ahead, on the parsing threads) */
struct ahead {
	const char *abs;
	char *text;  /* NULL when unreadable or not UTF-8 text: read again for the diagnostic */
	size_t len;
};

static struct node *new_file_node_text(struct project *p, const struct package *pkg, enum node_type type,
				       const char *dir, const char *rel, const struct ahead *pre, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	struct node *n = proj_node_new(a, type, pkg->name, fs_stem(a, rel));
	/* an analysis's path and fqn start with "analysis" (dbt's AnalysisParser.get_compiled_path) */
	n->path = type == NODE_ANALYSIS ? fs_join(a, "analysis", rel) : rel;
	n->original_file_path = fs_join(a, dir, rel);
	n->abs_path = pre ? pre->abs : fs_join(a, pkg->root, n->original_file_path);
	n->fqn = proj_fqn(a, pkg->name, n->path, n->name);
	const char *display = pkg->is_root ? n->original_file_path : n->abs_path;
	if (pre && pre->text) {
		n->raw_code = pre->text;
		n->raw_len = pre->len;
		n->file = diag_file_add(display, pre->text, pre->len);
	} else {
		n->raw_code = proj_read_file(p, n->abs_path, display, &n->file, &n->raw_len, dl);
	}
	if (!n->raw_code)
		return NULL;
	if (type == NODE_MODEL || type == NODE_SNAPSHOT) {
		/* an empty model would reach the database as `create view ... as ()` */
		size_t i = 0;
		while (i < n->raw_len && strchr(" \t\r\n\f\v", n->raw_code[i]))
			i++;
		if (i == n->raw_len) {
			struct diag *d = diag_error(dl, loc_at(n->file, 1, 1, 0), "'%s' is empty", display);
			diag_hint(dl, d, "write the %s's select statement in it, or delete the file", node_type_name(type));
			return NULL;
		}
	}
	return n;
}

static struct node *new_file_node(struct project *p, const struct package *pkg, enum node_type type,
				  const char *dir, const char *rel, struct diag_list *dl)
{
	return new_file_node_text(p, pkg, type, dir, rel, NULL, dl);
}

static int read_ahead(void *ctx, size_t i, struct arena *a)
{
	struct ahead *f = (struct ahead *)ctx + i;
	f->text = fs_read(a, f->abs, &f->len);
	if (f->text && !proj_text_ok(f->text, f->len))
		f->text = NULL;
	return 0;
}

static int find_in_paths(struct project *p, const struct package *pkg, value paths, enum node_type type,
			 struct nodes_builder *nb, struct map *seen, struct diag_list *dl)
{
	static const char *const sql[] = {".sql", NULL};
	static const char *const csv[] = {".csv", NULL};
	int rc = 0;
	for (uint32_t i = 0; i < paths.l->len; i++) {
		const char *dir = paths.l->items[i].s;
		char *abs = fs_join(&p->arena, pkg->root, dir);
		char **files;
		size_t nfiles;
		if (fs_list(&p->arena, abs, type == NODE_SEED ? csv : sql, &files, &nfiles) < 0) {
			diag_error(dl, LOC_NONE, "cannot list '%s'", abs);
			rc = -1;
			continue;
		}
		/* the files are read on every core first (the parsing threads' arenas live as long as
		 * the nodes), then made nodes in order, so file ids and diagnostics stay in order */
		struct ahead *pre = xcalloc(nfiles ? nfiles : 1, sizeof(*pre));
		for (size_t f = 0; f < nfiles; f++)
			pre[f].abs = fs_join(&p->arena, pkg->root, fs_join(&p->arena, dir, files[f]));
		proj_parallel(p, nfiles, read_ahead, pre);
		for (size_t f = 0; f < nfiles; f++) {
			/* generic test definitions live in tests/generic/ and are macros, and unit tests'
			 * fixtures live in tests/fixtures/: neither is a singular test, as in dbt */
			if (type == NODE_TEST && (!strncmp(files[f], "generic/", 8) || !strncmp(files[f], "fixtures/", 9)))
				continue;
			struct node *n = new_file_node_text(p, pkg, type, dir, files[f], &pre[f], dl);
			if (!n) {
				rc = -1;
				continue;
			}
			/* two files of one name are allowed while at most one of them is enabled, as in dbt
			 * (packages keep a variant a warehouse in folders that config enables by
			 * target.type); proj_check_unique_names says so once configs are known */
			if (!map_gets(seen, n->name))
				map_puts(seen, n->name, n);
			proj_add_node(nb, n);
		}
		free(pre);
	}
	return rc;
}

/*
 * Snapshots: each {% snapshot name %} block of a .sql file under snapshot-paths is a node. Its
 * template only calls the block's body (a callable the context provides as
 * __sluice_snapshot_body), so parsing and compiling treat it like a model.
 */
static int find_snapshots(struct project *p, const struct package *pkg, value paths, struct nodes_builder *nb,
			  struct map *seen, struct diag_list *dl)
{
	static const char *const sql[] = {".sql", NULL};
	static const char call[] = PROJ_SNAPSHOT_CALL;
	int rc = 0;
	for (uint32_t i = 0; i < paths.l->len; i++) {
		const char *dir = paths.l->items[i].s;
		char *abs = fs_join(&p->arena, pkg->root, dir);
		char **files;
		size_t nfiles;
		if (fs_list(&p->arena, abs, sql, &files, &nfiles) < 0)
			continue;
		for (size_t f = 0; f < nfiles; f++) {
			struct node *file = new_file_node(p, pkg, NODE_SNAPSHOT, dir, files[f], dl);
			if (!file) {
				rc = -1;
				continue;
			}
			struct jj_template *t;
			if (jj_parse(p->jinja, &p->arena, diag_file_path(file->file), file->file, file->raw_code,
				     file->raw_len, &t, dl) < 0) {
				rc = -1;
				continue;
			}
			value blocks = jj_template_blocks(&p->arena, t, "snapshot");
			value codes = jj_template_blocks(&p->arena, t, "snapshot_code");
			proj_node_checksum(file, &p->arena);
			for (uint32_t b = 0; b < blocks.d->len; b++) {
				struct node *n = ARENA_NEW(&p->arena, struct node);
				*n = *file;
				n->name = blocks.d->e[b].key.s;
				n->unique_id = arena_sprintf(&p->arena, "snapshot.%s.%s", pkg->name, n->name);
				value fqn = val_list_new(&p->arena, file->fqn.l->len);
				for (uint32_t k = 0; k + 1 < file->fqn.l->len; k++)
					val_list_push(fqn, file->fqn.l->items[k]);
				val_list_push(fqn, val_str(n->name));
				n->fqn = fqn;
				n->snapshot_body = blocks.d->e[b].val;
				/* raw_code is the block's body, as dbt's; the checksum stays the file's, and the
				 * node's own template calls the body */
				value code = val_dict_gets(codes, n->name);
				if (code.type == V_STR) {
					n->raw_code = arena_strndup(&p->arena, code.s, code.len);
					n->raw_len = code.len;
				}
				uint32_t cf = diag_file_add(diag_file_path(file->file), call, sizeof(call) - 1);
				if (jj_parse(p->jinja, &p->arena, diag_file_path(file->file), cf, call, sizeof(call) - 1,
					     &n->tmpl, dl) < 0) {
					rc = -1;
					continue;
				}
				if (!map_gets(seen, n->name))
					map_puts(seen, n->name, n);
				proj_add_node(nb, n);
			}
		}
	}
	return rc;
}

/*
 * The package's on-run-start and on-run-end hooks as dbt's HookParser makes them: operation nodes
 * named <package>-<hook type>-<index> in the folder "hooks" of ./dbt_project.yml, tagged with
 * their hook type, their checksum that of the file (stripped, as load_source_file reads it). They
 * are parsed like models (their macro calls recorded, the project's models: configs applied) and
 * run by the runner's hooks (runner/hooks.c), never by selection.
 */
static void find_hooks(struct project *p, const struct package *pkg, struct nodes_builder *nb)
{
	static const char *const which[] = {"on-run-start", "on-run-end"};
	struct arena *a = &p->arena;
	const char *checksum = NULL;
	for (size_t w = 0; w < 2; w++) {
		value hooks = pkg->project_yml.type == V_DICT ? val_dict_gets(pkg->project_yml, which[w]) : val_undef();
		uint32_t count = hooks.type == V_LIST ? hooks.l->len : hooks.type == V_STR ? 1 : 0;
		for (uint32_t i = 0; i < count; i++) {
			value h = hooks.type == V_LIST ? hooks.l->items[i] : hooks;
			if (h.type == V_DICT)
				h = val_dict_gets(h, "sql");
			if (h.type != V_STR)
				continue;  /* the runner says what is wrong with it */
			if (!checksum) {
				size_t len = 0;
				char *text = fs_read(a, fs_join(a, pkg->root, "dbt_project.yml"), &len);
				checksum = proj_file_checksum(a, text ? text : "", text ? len : 0);
			}
			const char *name = arena_sprintf(a, "%s-%s-%u", pkg->name, which[w], i);
			struct node *n = proj_node_new(a, NODE_OPERATION, pkg->name, name);
			n->path = arena_sprintf(a, "hooks/%s.sql", name);
			n->original_file_path = "./dbt_project.yml";
			n->abs_path = fs_join(a, pkg->root, "dbt_project.yml");
			n->fqn = proj_fqn(a, pkg->name, n->path, name);
			n->raw_code = arena_strndup(a, h.s, h.len);
			n->raw_len = h.len;
			n->checksum = checksum;
			/* the hook's text is a file of its own for diagnostics; its name says where in
			 * dbt_project.yml it is */
			struct loc at = hooks.type == V_LIST ? yml_item_loc(hooks, i) : yml_val_loc(pkg->project_yml, which[w]);
			int line = 0, col = 0;
			if (at.file)
				loc_linecol(at, &line, &col);
			const char *display = arena_sprintf(a, "%sdbt_project.yml (%s hook %u%s)",
							    pkg->is_root ? "" : arena_sprintf(a, "%s/", pkg->name), which[w], i,
							    line ? arena_sprintf(a, ", line %d", line) : "");
			n->file = diag_file_add(display, n->raw_code, n->raw_len);
			proj_add_node(nb, n);
		}
	}
}

int proj_find_models(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < p->npackages; i++) {
		struct map seen = MAP_INIT;
		struct map seen_tests = MAP_INIT;
		struct map seen_seeds = MAP_INIT;
		const struct package *pkg = &p->packages[i];
		value yml = pkg->project_yml;
		value mp = pkg->is_root ? p->model_paths : val_dict_gets(yml, "model-paths");
		value tp = pkg->is_root ? p->test_paths : val_dict_gets(yml, "test-paths");
		if (mp.type != V_LIST) {
			mp = val_list_new(&p->arena, 1);
			val_list_push(mp, val_str("models"));
		}
		if (tp.type != V_LIST) {
			tp = val_list_new(&p->arena, 1);
			val_list_push(tp, val_str("tests"));
		}
		rc |= find_in_paths(p, pkg, mp, NODE_MODEL, nb, &seen, dl);
		rc |= find_in_paths(p, pkg, tp, NODE_TEST, nb, &seen_tests, dl);
		value sp = pkg->is_root ? p->seed_paths : val_dict_gets(yml, "seed-paths");
		if (sp.type != V_LIST) {
			sp = val_list_new(&p->arena, 1);
			val_list_push(sp, val_str("seeds"));
		}
		rc |= find_in_paths(p, pkg, sp, NODE_SEED, nb, &seen_seeds, dl);
		value ap = pkg->is_root ? p->analysis_paths : val_dict_gets(yml, "analysis-paths");
		if (ap.type != V_LIST) {
			ap = val_list_new(&p->arena, 1);
			val_list_push(ap, val_str("analyses"));
		}
		struct map seen_analyses = MAP_INIT;
		rc |= find_in_paths(p, pkg, ap, NODE_ANALYSIS, nb, &seen_analyses, dl);
		map_release(&seen_analyses);
		value snp = pkg->is_root ? p->snapshot_paths : val_dict_gets(yml, "snapshot-paths");
		if (snp.type != V_LIST) {
			snp = val_list_new(&p->arena, 1);
			val_list_push(snp, val_str("snapshots"));
		}
		struct map seen_snaps = MAP_INIT;
		rc |= find_snapshots(p, pkg, snp, nb, &seen_snaps, dl);
		map_release(&seen_snaps);
		find_hooks(p, pkg, nb);
		map_release(&seen_seeds);
		map_release(&seen);
		map_release(&seen_tests);
	}
	return rc;
}

/* ---- macros ---- */

/* A docs block's text without the blank lines and spaces around it, as dbt keeps it */
static value trim_block(value v)
{
	if (v.type != V_STR)
		return v;
	const char *s = v.s;
	size_t n = v.len;
	while (n && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return val_strn(s, n);
}

static const char *macros_dir(struct project *p)
{
	const char *env = inputs_getenv("SLUICE_MACROS_DIR");
	if (env && fs_is_dir(env))
		return env;
	char *exe = fs_self_exe(&p->arena);
	if (exe) {
		char *bindir = fs_dirname(&p->arena, exe);
		char *cand = fs_abspath(&p->arena, fs_join(&p->arena, bindir, "../share/sluice/macros"));
		if (fs_is_dir(cand))
			return cand;
	}
	if (fs_is_dir(SLUICE_INSTALL_MACROS))
		return SLUICE_INSTALL_MACROS;
	if (fs_is_dir(SLUICE_SOURCE_MACROS))
		return SLUICE_SOURCE_MACROS;
	return NULL;
}

/* Where the docs block `key` was defined: `ofp` from the package root, `path` from the folder
 * searched (dbt's path and original_file_path) */
static void record_doc_path(struct project *p, value key, const char *path, const char *ofp)
{
	value pair = val_list_new(&p->arena, 2);
	val_list_push(pair, val_str(path));
	val_list_push(pair, val_str(ofp));
	val_dict_set(p->docs_files, key, pair);
}

/* The end of the Jinja construct opened at t (after its "{#", "{{" or "{%"), past quoted strings
 * for tags and expressions; NULL when it is never closed */
static const char *construct_end(const char *t, const char *end, char kind)
{
	char close = kind == '#' ? '#' : kind == '{' ? '}' : '%';
	for (const char *c = t; c + 1 < end; c++) {
		if (kind != '#' && (*c == '\'' || *c == '"')) {
			char q = *c;
			for (c++; c < end && *c != q; c++)
				if (*c == '\\')
					c++;
			if (c >= end)
				return NULL;
			continue;
		}
		if (*c == close && c[1] == '}')
			return c + 2;
	}
	return NULL;
}

/* out (a copy of text, made on its first use) with the bytes of [from, to) blanked but newlines,
 * so that what is kept stays at its lines and columns */
static char *blank(struct arena *a, const char *text, size_t len, char *out, const char *from, const char *to)
{
	if (!out) {
		out = arena_alloc(a, len + 1);
		memcpy(out, text, len);
		out[len] = '\0';
	}
	for (const char *b = from; b < to; b++)
		if (*b != '\n')
			out[b - text] = ' ';
	return out;
}

/*
 * A macro file as dbt reads it: only its top-level macro, materialization, test and data_test
 * blocks (dbt's extract_toplevel_blocks; docs blocks are kept too); whatever lies between them
 * (text, {{ }}, other tags, re_data's `{% https://... %}` note) is not Jinja to dbt and is
 * blanked here, newlines kept so that locations stay right. NULL: the file is left whole (nothing
 * to blank, or a block is never closed, which the parse then reports).
 */
static char *toplevel_blocks(struct arena *a, const char *text, size_t len)
{
	static const char *const kept[] = {"macro", "materialization", "test", "data_test", "docs", NULL};
	const char *end = text + len, *c = text, *open = NULL, *keep_from = text;
	char *out = NULL;
	char cur[32] = "";
	while (c + 1 < end) {
		if (*c != '{' || (c[1] != '#' && c[1] != '{' && c[1] != '%')) {
			c++;
			continue;
		}
		const char *tag = c;
		const char *e = construct_end(c + 2, end, c[1]);
		if (!e)
			return NULL;
		if (c[1] == '%') {
			const char *n = c + 2;
			if (*n == '-')
				n++;
			while (n < e && (*n == ' ' || *n == '\t' || *n == '\n' || *n == '\r'))
				n++;
			size_t nl = 0;
			while (n + nl < e && (isalnum((unsigned char)n[nl]) || n[nl] == '_'))
				nl++;
			if (nl == 3 && !memcmp(n, "raw", 3)) {
				/* {% raw %} ... {% endraw %}: one piece */
				const char *r = strstr(e, "endraw");
				const char *re = r ? construct_end(r, end, '%') : NULL;
				if (!re)
					return NULL;
				e = re;
			} else if (!open) {
				for (const char *const *k = kept; *k && !open; k++) {
					if (strlen(*k) == nl && !memcmp(n, *k, nl) && nl < sizeof(cur)) {
						open = tag;
						memcpy(cur, n, nl);
						cur[nl] = '\0';
					}
				}
				if (open) /* what lay before the block is blanked */
					out = blank(a, text, len, out, keep_from, open);
			} else if (nl == strlen(cur) + 3 && !memcmp(n, "end", 3) && !memcmp(n + 3, cur, nl - 3)) {
				open = NULL;
				keep_from = e;
			}
		}
		c = e;
	}
	if (open)
		return NULL;
	/* the rest after the last block; a file without blocks keeps nothing */
	bool any = false;
	for (const char *b = keep_from; b < end && !any; b++)
		any = !isspace((unsigned char)*b);
	if (!any)
		return out;
	return blank(a, text, len, out, keep_from, end);
}

static int load_macro_file(struct project *p, const char *package, const char *root, const char *rel,
			   const char *display, value pkg_macros, struct diag_list *dl)
{
	char *abs = fs_join(&p->arena, root, rel);
	uint32_t file;
	size_t len;
	const char *text = proj_read_file(p, abs, display, &file, &len, dl);
	if (!text)
		return -1;
	/* a project's and its packages' files as dbt reads them; the global project's are Sluice's */
	const char *blocks = strcmp(package, "dbt") ? toplevel_blocks(&p->arena, text, len) : NULL;
	struct jj_template *t;
	if (jj_parse(p->jinja, &p->arena, display, file, blocks ? blocks : text, len, &t, dl) < 0)
		return -1;
	value ms = jj_template_macros(&p->arena, t, package);
	for (uint32_t i = 0; i < ms.d->len; i++) {
		value name = ms.d->e[i].key;
		struct macro_def *m = ARENA_NEW(&p->arena, struct macro_def);
		m->name = name.s;
		m->package = package;
		m->unique_id = arena_sprintf(&p->arena, "macro.%s.%s", package, name.s);
		m->path = rel;
		m->abs_path = abs;
		m->file = file;
		m->fn = ms.d->e[i].val;
		m->loc = jj_macro_loc(m->fn);
		m->description = "";
		m->arguments = val_list_new(&p->arena, 0);
		m->meta = val_dict_new(&p->arena, 0);
		value prev = val_dict_get(pkg_macros, name);
		if (prev.type != V_UNDEF && strcmp(package, "dbt")) {
			struct diag *d = diag_error(dl, m->loc, "macro '%s' is defined twice in package '%s'",
						    name.s, package);
			diag_note(dl, d, jj_macro_loc(prev), "first defined here");
			diag_hint(dl, d, "rename or remove one of them");
			return -1;
		}
		val_dict_set(pkg_macros, name, m->fn);
		p->macros = arena_realloc(&p->arena, p->macros, p->nmacros * sizeof(*p->macros),
					  (p->nmacros + 1) * sizeof(*p->macros));
		p->macros[p->nmacros++] = m;
	}
	value docs = jj_template_blocks(&p->arena, t, "docs");
	for (uint32_t i = 0; docs.type == V_DICT && i < docs.d->len; i++) {
		value key = val_str_fmt(&p->arena, "%s.%s", package, docs.d->e[i].key.s);
		val_dict_set(p->docs_blocks, key, trim_block(docs.d->e[i].val));
		const char *slash = strchr(rel, '/');
		record_doc_path(p, key, slash ? slash + 1 : rel, rel);
	}
	return 0;
}

static int load_macro_dir(struct project *p, const char *package, const char *root, const char *dir,
			  bool is_global, struct diag_list *dl)
{
	static const char *const sql[] = {".sql", NULL};
	value pkg_macros = val_dict_gets(p->macros_by_package, package);
	if (pkg_macros.type != V_DICT) {
		pkg_macros = val_dict_new(&p->arena, 64);
		val_dict_sets(p->macros_by_package, package, pkg_macros);
	}
	char *abs = fs_join(&p->arena, root, dir);
	char **files;
	size_t n;
	if (fs_list(&p->arena, abs, sql, &files, &n) < 0) {
		diag_error(dl, LOC_NONE, "cannot list '%s'", abs);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rel = fs_join(&p->arena, dir, files[i]);
		const char *display = is_global ? arena_sprintf(&p->arena, "<sluice>/macros/%s", files[i]) : rel;
		rc |= load_macro_file(p, package, root, rel, display, pkg_macros, dl);
	}
	return rc;
}

/* {% docs %} blocks of the .md files under docs-paths (by default every resource folder) */
static int load_docs_files(struct project *p, const struct package *pkg, struct diag_list *dl)
{
	static const char *const md[] = {".md", NULL};
	value paths = pkg->is_root ? p->docs_paths : val_dict_gets(pkg->project_yml, "docs-paths");
	if (paths.type != V_LIST || paths.l->len == 0) {
		static const char *const keys[] = {"model-paths", "seed-paths", "test-paths", "analysis-paths",
						   "macro-paths", "snapshot-paths"};
		static const char *const dflt[] = {"models", "seeds", "tests", "analyses", "macros", "snapshots"};
		paths = val_list_new(&p->arena, 6);
		for (size_t k = 0; k < 6; k++) {
			value v = pkg->is_root ? (k == 0 ? p->model_paths : k == 1 ? p->seed_paths : k == 2 ? p->test_paths
						  : k == 3 ? p->analysis_paths : k == 4 ? p->macro_paths : p->snapshot_paths)
					       : val_dict_gets(pkg->project_yml, keys[k]);
			if (v.type == V_LIST)
				for (uint32_t j = 0; j < v.l->len; j++)
					val_list_push(paths, v.l->items[j]);
			else
				val_list_push(paths, val_str(dflt[k]));
		}
	}
	int rc = 0;
	for (uint32_t i = 0; i < paths.l->len; i++) {
		const char *dir = paths.l->items[i].s;
		char **files;
		size_t n;
		if (fs_list(&p->arena, fs_join(&p->arena, pkg->root, dir), md, &files, &n) < 0)
			continue;
		for (size_t f = 0; f < n; f++) {
			const char *rel = fs_join(&p->arena, dir, files[f]);
			char *abs = fs_join(&p->arena, pkg->root, rel);
			uint32_t file;
			size_t len;
			const char *text = proj_read_file(p, abs, pkg->is_root ? rel : abs, &file, &len, dl);
			struct jj_template *t;
			if (!text || jj_parse(p->jinja, &p->arena, rel, file, text, len, &t, dl) < 0) {
				rc = -1;
				continue;
			}
			value docs = jj_template_blocks(&p->arena, t, "docs");
			for (uint32_t k = 0; k < docs.d->len; k++) {
				value key = val_str_fmt(&p->arena, "%s.%s", pkg->name, docs.d->e[k].key.s);
				val_dict_set(p->docs_blocks, key, trim_block(docs.d->e[k].val));
				record_doc_path(p, key, files[f], rel);
			}
		}
	}
	return rc;
}

int proj_load_macros(struct project *p, struct diag_list *dl)
{
	const char *gdir = macros_dir(p);
	if (!gdir) {
		struct diag *d = diag_error(dl, LOC_NONE, "the built-in macros of Sluice were not found");
		diag_hint(dl, d, "reinstall Sluice, or set SLUICE_MACROS_DIR to its macros folder");
		return -1;
	}
	int rc = load_macro_dir(p, "dbt", gdir, ".", true, dl);
	for (size_t i = 0; i < p->npackages; i++) {
		const struct package *pkg = &p->packages[i];
		value mp = pkg->is_root ? p->macro_paths : val_dict_gets(pkg->project_yml, "macro-paths");
		if (mp.type != V_LIST) {
			mp = val_list_new(&p->arena, 1);
			val_list_push(mp, val_str("macros"));
		}
		for (uint32_t j = 0; j < mp.l->len; j++)
			rc |= load_macro_dir(p, pkg->name, pkg->root, mp.l->items[j].s, false, dl);
		/* generic tests under test-paths/generic are macros too */
		value tp = pkg->is_root ? p->test_paths : val_dict_gets(pkg->project_yml, "test-paths");
		for (uint32_t j = 0; tp.type == V_LIST && j < tp.l->len; j++) {
			char *g = fs_join(&p->arena, tp.l->items[j].s, "generic");
			if (fs_is_dir(fs_join(&p->arena, pkg->root, g)))
				rc |= load_macro_dir(p, pkg->name, pkg->root, g, false, dl);
		}
	}
	for (size_t i = 0; i < p->npackages; i++)
		rc |= load_docs_files(p, &p->packages[i], dl);
	p->hooks->install_macros(p);
	return rc;
}

/*
 * Two enabled nodes of one unique_id (models, seeds, snapshots, analyses, singular tests of one
 * name in one package) are an error, at the second file; disabled ones may share it with each
 * other and with an enabled one (dbt's _check_resource_uniqueness looks at enabled nodes, and
 * keeps disabled ones by unique_id in lists). Called once the nodes' configs are known.
 */
int proj_check_unique_names(struct nodes_builder *nb, struct diag_list *dl)
{
	struct map enabled = MAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < nb->n; i++) {
		struct node *n = nb->v[i];
		/* the nodes made from files of their own (semantic nodes, generic tests and sources
		 * have checks of their own) */
		bool from_file = n->type == NODE_MODEL || n->type == NODE_SEED || n->type == NODE_SNAPSHOT ||
				 n->type == NODE_ANALYSIS || (n->type == NODE_TEST && n->test_metadata.type != V_DICT);
		if (!n->enabled || !from_file || !n->file)
			continue;
		struct node *prev = map_gets(&enabled, n->unique_id);
		if (!prev) {
			map_puts(&enabled, n->unique_id, n);
			continue;
		}
		struct diag *d = diag_error(dl, loc_at(n->file, 1, 1, 0), "two %ss are named '%s'", node_type_name(n->type),
					    n->name);
		diag_note(dl, d, loc_at(prev->file, 1, 1, 0), "the other one is here");
		diag_hint(dl, d, "rename one of the files, or disable one of them (enabled: false): enabled %s names "
			  "must be unique in a project", node_type_name(n->type));
		rc = -1;
	}
	map_release(&enabled);
	return rc;
}

void proj_index_id(struct project *p, struct node *n)
{
	struct node *prev = map_gets(&p->by_id, n->unique_id);
	/* an enabled node wins over disabled ones of its unique_id */
	if (!prev || (!prev->enabled && n->enabled))
		map_puts(&p->by_id, n->unique_id, n);
}
