/*
 * Loading a project: dbt_project.yml, the profile, macros, models and schema.yml files, into the
 * nodes of `struct project`. Order matters and follows dbt:
 *   1. dbt_project.yml (validated, every error located), vars, the profile target;
 *   2. macros (the global project shipped with Sluice, then the project's macro-paths), since models
 *      may call them while being parsed;
 *   3. models, each parsed once and rendered in the parse phase to capture ref/source/config;
 *   4. schema.yml files: descriptions, columns, configs, sources and generic tests;
 *   5. configs resolved (dbt_project.yml hierarchy < schema.yml < config() in the file);
 *   6. refs and sources resolved into dependencies; relation names computed with the
 *      generate_database/schema/alias_name macros (which users may override).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"
#include "project/yml.h"

const char *node_type_name(enum node_type t)
{
	static const char *const names[] = {"model", "seed", "snapshot", "test", "source",
					    "analysis", "operation", "exposure", "unit_test",
					    "metric", "semantic_model", "saved_query"};
	return t < NODE_TYPE_COUNT ? names[t] : "unknown";
}

const char *node_type_label(enum node_type t, size_t n)
{
	/* dbt's pluralize of a NodeType (its value for one, NodeType.pluralize() for more), underscores
	 * as spaces, as its console lines print them */
	static const char *const one[] = {"model", "seed", "snapshot", "test", "source", "analysis", "operation",
					  "exposure", "unit test", "metric", "semantic model", "saved query"};
	static const char *const many[] = {"models", "seeds", "snapshots", "data tests", "sources", "analyses",
					   "operations", "exposures", "unit tests", "metrics", "semantic models",
					   "saved queries"};
	if (t >= NODE_TYPE_COUNT)
		return "unknown";
	return n == 1 ? one[t] : many[t];
}

int node_type_parse(const char *s, enum node_type *pt)
{
	for (int t = 0; t < NODE_TYPE_COUNT; t++) {
		if (!strcmp(s, node_type_name((enum node_type)t))) {
			*pt = (enum node_type)t;
			return 0;
		}
	}
	return -1;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
		return 0;  /* overlong, or a UTF-16 surrogate */
	if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
		return 0;
	return len;
}

/* A project file is UTF-8 text without NUL bytes, as dbt reads it: anything else is an error
 * at its first offending byte, before the text reaches a template or the database */
static int check_text(const char *display, uint32_t file, char *text, size_t len, struct diag_list *dl)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		const unsigned char *u = (const unsigned char *)text + i;
		if (*u == 0) {
			/* the line is quoted in the message: blank the NULs so it prints */
			for (size_t k = i; k < len; k++)
				if (!text[k])
					text[k] = ' ';
			struct diag *d = diag_error(dl, loc_at(file, line, col, 1), "'%s' holds a NUL byte: it is not a text file",
						    display);
			diag_hint(dl, d, "replace the file with the SQL or YAML text it should hold");
			return -1;
		}
		size_t n = utf8_seq(u, len - i);
		if (!n) {
			struct diag *d = diag_error(dl, loc_at(file, line, col, 1),
						    "'%s' is not valid UTF-8 (byte 0x%02x)", display, *u);
			diag_hint(dl, d, "save the file as UTF-8");
			return -1;
		}
		if (*u == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return 0;
}

bool proj_text_ok(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		const unsigned char *u = (const unsigned char *)text + i;
		if (*u < 0x80 && *u) { /* ASCII, most of every file */
			i++;
			continue;
		}
		size_t n = *u ? utf8_seq(u, len - i) : 0;
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* Reads a file and registers it for diagnostics. NULL (with an error) when unreadable, or when
 * it is not UTF-8 text. */
const char *proj_read_file(struct project *p, const char *abs, const char *display, uint32_t *pfile,
			   size_t *plen, struct diag_list *dl)
{
	size_t len = 0;
	char *text = fs_read(&p->arena, abs, &len);
	if (!text) {
		diag_error(dl, LOC_NONE, "cannot read '%s': %s", display, strerror(errno));
		return NULL;
	}
	*pfile = diag_file_add(display, text, len);
	if (check_text(display, *pfile, text, len, dl) < 0)
		return NULL;
	if (plen)
		*plen = len;
	return text;
}

static int load_paths(struct project *p, value yml, const char *key, const char *dflt, value *pout,
		      struct diag_list *dl)
{
	if (yml_str_or_list(&p->arena, yml, key, pout, dl) < 0)
		return -1;
	if (pout->l->len == 0 && dflt) {
		for (const char *s = dflt; *s;) {
			const char *e = strchr(s, ',');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			val_list_push(*pout, val_str_dup(&p->arena, s, n));
			s += n + (e ? 1 : 0);
		}
	}
	return 0;
}

static const char *const project_keys[] = {
	"name", "version", "config-version", "profile", "model-paths", "seed-paths", "test-paths",
	"analysis-paths", "macro-paths", "snapshot-paths", "docs-paths", "asset-paths", "target-path",
	"log-path", "packages-install-path", "clean-targets", "vars", "models", "seeds", "snapshots",
	"tests", "data_tests", "sources", "analyses", "exposures", "metrics", "semantic-models",
	"saved-queries", "unit_tests", "on-run-start", "on-run-end", "require-dbt-version",
	"quoting", "dispatch", "query-comment", "restrict-access", "flags", "source-paths",
	"data-paths", "dbt-cloud", "modules-path", "log-file-path", NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int load_project_yml(struct project *p, const struct proj_options *opt, struct diag_list *dl)
{
	char *path = fs_join(&p->arena, p->root, "dbt_project.yml");
	if (!fs_is_file(path)) {
		struct diag *d = diag_error(dl, LOC_NONE, "no dbt_project.yml found in '%s'", p->root);
		diag_hint(dl, d, "run sluice inside a dbt project, or point --project-dir at one");
		return -1;
	}
	size_t len;
	const char *text = proj_read_file(p, path, "dbt_project.yml", &p->project_file, &len, dl);
	if (!text)
		return -1;
	value yml;
	if (val_from_yaml(&p->arena, p->project_file, text, len, &yml, dl) < 0)
		return -1;
	if (yml.type != V_DICT) {
		diag_error(dl, loc_at(p->project_file, 1, 1, 1),
			   "dbt_project.yml must be a mapping of keys to values");
		return -1;
	}
	p->yml = yml;
	int rc = 0;
	for (uint32_t i = 0; i < yml.d->len; i++) {
		value k = yml.d->e[i].key;
		if (k.type != V_STR || !in_list(k.s, project_keys)) {
			struct diag *d = diag_warn(dl, yml.d->keylocs[i], "unknown key '%s' in dbt_project.yml",
						   k.type == V_STR ? k.s : "?");
			diag_hint(dl, d, "it is ignored; check its spelling");
		}
	}
	rc |= yml_str(yml, "name", NULL, &p->name, dl);
	if (!rc && !p->name) {
		struct diag *d = diag_error(dl, loc_at(p->project_file, 1, 1, 1),
					    "dbt_project.yml has no 'name'");
		diag_hint(dl, d, "add a line such as: name: my_project");
		return -1;
	}
	if (p->name) {
		for (const char *c = p->name; *c; c++) {
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_')) {
				struct diag *d = diag_error(dl, yml_val_loc(yml, "name"),
							    "project name '%s' is not a valid identifier", p->name);
				diag_hint(dl, d, "use letters, digits and underscores only");
				return -1;
			}
		}
	}
	rc |= yml_str(yml, "version", NULL, &p->version, dl);
	rc |= yml_str(yml, "profile", NULL, &p->profile_name, dl);
	rc |= load_paths(p, yml, "model-paths", "models", &p->model_paths, dl);
	rc |= load_paths(p, yml, "seed-paths", "seeds", &p->seed_paths, dl);
	rc |= load_paths(p, yml, "test-paths", "tests", &p->test_paths, dl);
	rc |= load_paths(p, yml, "analysis-paths", "analyses", &p->analysis_paths, dl);
	rc |= load_paths(p, yml, "macro-paths", "macros", &p->macro_paths, dl);
	rc |= load_paths(p, yml, "snapshot-paths", "snapshots", &p->snapshot_paths, dl);
	rc |= load_paths(p, yml, "docs-paths", NULL, &p->docs_paths, dl);
	const char *target_path = NULL, *log_path = NULL, *pkg_path = NULL;
	rc |= yml_str(yml, "target-path", "target", &target_path, dl);
	rc |= yml_str(yml, "log-path", "logs", &log_path, dl);
	rc |= yml_str(yml, "packages-install-path", "dbt_packages", &pkg_path, dl);
	rc |= yml_str_or_list(&p->arena, yml, "clean-targets", &p->clean_targets, dl);
	if (rc)
		return -1;
	if (opt->target_path)
		target_path = opt->target_path;
	else if (getenv("DBT_TARGET_PATH"))
		target_path = getenv("DBT_TARGET_PATH");
	p->target_path = fs_abspath(&p->arena, fs_join(&p->arena, p->root, target_path));
	if (opt->log_path)
		log_path = opt->log_path;
	p->log_path = fs_abspath(&p->arena, fs_join(&p->arena, p->root, log_path));
	p->packages_install_path = fs_abspath(&p->arena, fs_join(&p->arena, p->root, pkg_path));
	return 0;
}

static int load_vars(struct project *p, const struct proj_options *opt, struct diag_list *dl)
{
	value vars;
	if (yml_dict(p->yml, "vars", &vars, dl) < 0)
		return -1;
	p->vars = val_dict_new(&p->arena, 8);
	if (vars.type == V_DICT)
		val_dict_merge(&p->arena, p->vars, vars);
	p->cli_vars = val_dict_new(&p->arena, 4);
	if (opt->vars && *opt->vars) {
		uint32_t f = diag_file_add("--vars", opt->vars, strlen(opt->vars));
		value cli;
		if (val_from_yaml(&p->arena, f, opt->vars, strlen(opt->vars), &cli, dl) < 0)
			return -1;
		if (cli.type != V_DICT) {
			struct diag *d = diag_error(dl, loc_at(f, 1, 1, (uint32_t)strlen(opt->vars)),
						    "--vars must be a mapping, got %s", val_type_name(cli));
			diag_hint(dl, d, "write it as YAML or JSON, e.g. --vars '{\"key\": \"value\"}'");
			return -1;
		}
		p->cli_vars = cli;
	}
	return 0;
}

/* Loads in this process so far: each project's number (proj_node_template's thread arenas) */
static uint64_t load_gens;

static char *gen_uuid4(struct arena *a)
{
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(b, 1, sizeof(b), f) != sizeof(b)) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	if (f)
		fclose(f);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return arena_sprintf(a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			     b[12], b[13], b[14], b[15]);
}

static char *now_iso(struct arena *a)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	return arena_sprintf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
			     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/* The process's CPU time (every thread's, user and system): on a loaded machine, wall time says
 * more about the other processes than about the phase */
double proj_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_mib(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : 0;
}

/* Phase timings go to the log, and to stderr with SLUICE_TIMING=1 (benchmarks read them) */
/* when the load began: each timing line says how far into the command it was written */
static double load_began;

void proj_timing(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	long peak = peak_mib();
	log_msg(LOG_DEBUG, "%s (peak RSS so far %ld MiB)", buf, peak);
	const char *e = getenv("SLUICE_TIMING");
	if (e && *e == '1')
		fprintf(stderr, "timing: %s (peak RSS so far %ld MiB, %.3fs of wall time since the load began)\n", buf,
			peak, load_began > 0 ? wall_s() - load_began : 0.0);
}

/* Sorts nodes by unique_id so every run sees the same order, then indexes them */
static int cmp_node(const void *x, const void *y)
{
	const struct node *a = *(struct node *const *)x, *b = *(struct node *const *)y;
	int c = strcmp(a->unique_id, b->unique_id);
	/* nodes that share a unique_id (disabled variants) in the order of their files */
	if (c == 0 && a->original_file_path && b->original_file_path)
		c = strcmp(a->original_file_path, b->original_file_path);
	return c;
}

void proj_sort_nodes(struct node **v, size_t n)
{
	if (n > 1) /* a project of macros alone has no array to sort */
		qsort(v, n, sizeof(*v), cmp_node);
}

static int index_nodes(struct project *p, struct diag_list *dl)
{
	proj_sort_nodes(p->nodes, p->nnodes);
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		n->index = (uint32_t)i;
		proj_index_id(p, n);
	}
	return rc;
}

struct par_job {
	proj_item_fn fn;
	void *ctx;
	size_t n;
	_Atomic size_t next;
	_Atomic int rc;
};

struct par_arg {
	struct par_job *job;
	struct arena *arena;
};

static void *par_worker(void *arg)
{
	struct par_arg *pa = arg;
	struct par_job *job = pa->job;
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= job->n)
			break;
		if (job->fn(job->ctx, i, pa->arena))
			atomic_store(&job->rc, -1);
	}
	return NULL;
}

int proj_parallel(struct project *p, size_t n, proj_item_fn fn, void *ctx)
{
	struct par_job job = {.fn = fn, .ctx = ctx, .n = n};
	atomic_init(&job.next, 0);
	atomic_init(&job.rc, 0);
	/* small batches are not worth a thread */
	int threads = n < 32 ? 1 : p->nparse_arenas;
	pthread_t tids[PROJ_MAX_THREADS];
	struct par_arg args[PROJ_MAX_THREADS];
	for (int t = 0; t < threads; t++) {
		args[t].job = &job;
		args[t].arena = &p->parse_arenas[t];
		if (t > 0 && pthread_create(&tids[t], NULL, par_worker, &args[t]) != 0)
			die("cannot start a parsing thread");
	}
	par_worker(&args[0]);
	for (int t = 1; t < threads; t++)
		pthread_join(tids[t], NULL);
	return atomic_load(&job.rc);
}

static int cmp_diag(const void *x, const void *y)
{
	const struct diag *a = *(struct diag *const *)x, *b = *(struct diag *const *)y;
	if (a->loc.file != b->loc.file)
		return a->loc.file < b->loc.file ? -1 : 1;
	return a->loc.off < b->loc.off ? -1 : a->loc.off > b->loc.off;
}

void proj_sort_diags(struct diag_list *dl, struct diag *mark)
{
	pthread_mutex_lock(&dl->lock);
	size_t n = 0;
	for (struct diag *d = mark ? mark->next : dl->head; d; d = d->next)
		n++;
	if (n >= 2) {
		struct diag **v = xmalloc(n * sizeof(*v));
		size_t i = 0;
		for (struct diag *d = mark ? mark->next : dl->head; d; d = d->next)
			v[i++] = d;
		qsort(v, n, sizeof(*v), cmp_diag);
		for (i = 0; i + 1 < n; i++)
			v[i]->next = v[i + 1];
		v[n - 1]->next = NULL;
		if (mark)
			mark->next = v[0];
		else
			dl->head = v[0];
		dl->tail = v[n - 1];
		free(v);
	}
	pthread_mutex_unlock(&dl->lock);
}

int proj_load(struct project *p, const struct proj_options *opt, struct diag_list *dl)
{
	memset(p, 0, sizeof(*p));
	/* a snapshot counts the load's files from here (project/snapshot.c) */
	p->files_at_load = diag_file_count();
	ASSERT(opt->hooks);
	p->hooks = opt->hooks;
	arena_init(&p->arena, 1 << 20);
	map_init(&p->by_id);
	map_init(&p->by_name);
	map_init(&p->sources_by_name);
	p->invocation_id = gen_uuid4(&p->arena);
	p->run_started_at = now_iso(&p->arena);
	p->root = fs_abspath(&p->arena, opt->project_dir ? opt->project_dir : ".");
	p->docs_blocks = val_dict_new(&p->arena, 4);
	p->groups = val_dict_new(&p->arena, 2);
	p->docs_files = val_dict_new(&p->arena, 4);
	p->properties_files = val_dict_new(&p->arena, 16);
	p->loader_macros = val_dict_new(&p->arena, 8);
	p->load_gen = __atomic_add_fetch(&load_gens, 1, __ATOMIC_RELAXED);
	p->macros_by_package = val_dict_new(&p->arena, 4);
	p->jinja = jj_env_new();
	/* parsing is CPU-bound: one thread a core, whatever --threads says about the database */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	p->nparse_arenas = cores > 1 ? (int)(cores > PROJ_MAX_THREADS ? PROJ_MAX_THREADS : cores) : 1;
	p->parse_arenas = xcalloc((size_t)p->nparse_arenas, sizeof(struct arena));
	for (int t = 0; t < p->nparse_arenas; t++)
		arena_init(&p->parse_arenas[t], 1 << 20);

	if (load_project_yml(p, opt, dl) < 0)
		return -1;
	if (load_vars(p, opt, dl) < 0)
		return -1;
	p->packages = ARENA_ARRAY(&p->arena, struct package, 1);
	p->packages[0].name = p->name;
	p->packages[0].root = p->root;
	p->packages[0].project_yml = p->yml;
	p->packages[0].is_root = true;
	p->npackages = 1;
	if (!opt->no_version_check && proj_check_dbt_version(p, &p->packages[0], dl) < 0)
		return -1;
	if (opt->project_only)
		return dl->nerrors ? -1 : 0;
	if (proj_load_packages(p, dl) < 0)
		return -1;
	for (size_t i = 1; i < p->npackages && !opt->no_version_check; i++)
		if (proj_check_dbt_version(p, &p->packages[i], dl) < 0)
			return -1;
	p->hooks->install_globals(p);
	if (proj_load_profile(p, opt, dl) < 0)
		return -1;
	if (proj_render_project_configs(p, dl) < 0)
		return -1;
	if (proj_load_macros(p, dl) < 0)
		return -1;
	struct nodes_builder nb = {0};
	int rc = 0;
	double t0 = proj_cpu_s(), w0 = wall_s();
	long m0 = peak_mib();
	if (load_began == 0)
		load_began = w0;
	p->files_before_nodes = diag_file_count();
	const void *snap = NULL;
	size_t snap_len = 0, nchanged = 0;
	const char *const *changed = NULL;
	if (opt->snapshot && opt->snapshot(p, opt->snapshot_ud, &snap, &snap_len, &changed, &nchanged) == 0 && snap) {
		rc = proj_snapshot_read(p, snap, snap_len, changed, nchanged, dl);
		if (rc != 0) {
			p->from_snapshot = rc > 0;
			if (rc > 0)
				proj_deprecation_warnings(p, dl);
			proj_timing("load from the snapshot (CPU time / wall time, peak RSS after): %.3f/%.3fs %ld MiB "
				    "(%ld MiB before)", proj_cpu_s() - t0, wall_s() - w0, peak_mib(), m0);
			return rc < 0 || dl->nerrors ? -1 : 0;
		}
	}
	rc |= proj_find_models(p, &nb, dl);
	double t1 = proj_cpu_s(), w1 = wall_s();
	long m1 = peak_mib();
	rc |= proj_load_schema_files(p, &nb, dl);
	if (rc == 0)
		rc = proj_apply_versions(p, &nb, dl);
	double t2 = proj_cpu_s(), w2 = wall_s();
	long m2 = peak_mib();
	if (rc)
		goto out;
	rc = proj_parse_nodes(p, &nb, opt->threads, dl);
	if (rc == 0)
		rc = proj_check_unique_names(&nb, dl);
	double t3 = proj_cpu_s(), w3 = wall_s();
	long m3 = peak_mib();
	if (rc)
		goto out;
	rc = proj_build_tests(p, &nb, dl);
	double t4 = proj_cpu_s(), w4 = wall_s();
	long m4 = peak_mib();
	if (rc)
		goto out;
	rc = proj_version_unit_tests(p, &nb, dl);
	if (rc)
		goto out;
	for (size_t i = 0; i < nb.unit_tests.n; i++)
		proj_add_node(&nb, nb.unit_tests.v[i]);
	VEC_FREE(&nb.unit_tests);
	p->nodes = nb.v;
	p->nnodes = nb.n;
	nb.v = NULL;
	rc = index_nodes(p, dl);
	if (rc)
		goto out;
	rc = proj_resolve(p, dl);
	if (rc == 0)
		rc = proj_link_unit_tests(p, dl);
	if (rc == 0)
		proj_deprecation_warnings(p, dl);
	double t5 = proj_cpu_s(), w5 = wall_s();
	long m5 = peak_mib();
	proj_timing("load (CPU time / wall time, peak RSS after): find %.3f/%.3fs %ld MiB, properties %.3f/%.3fs %ld MiB, "
		    "parse %.3f/%.3fs %ld MiB, tests %.3f/%.3fs %ld MiB, resolve %.3f/%.3fs %ld MiB (%ld MiB before)",
		    t1 - t0, w1 - w0, m1, t2 - t1, w2 - w1, m2, t3 - t2, w3 - w2, m3, t4 - t3, w4 - w3, m4, t5 - t4,
		    w5 - w4, m5, m0);
out:
	/* the tests not yet built when a step failed (proj_build_tests frees them otherwise) */
	VEC_FREE(&nb.tests);
	VEC_FREE(&nb.unit_tests);
	if (nb.v) {
		/* keep the nodes for diagnostics */
		p->nodes = nb.v;
		p->nnodes = nb.n;
	}
	return rc || dl->nerrors ? -1 : 0;
}

void proj_release(struct project *p)
{
	for (int i = 0; i < p->nparse_arenas; i++)
		arena_release(&p->parse_arenas[i]);
	free(p->parse_arenas);
	for (size_t i = 0; i < p->nextra_arenas; i++) {
		arena_release(p->extra_arenas[i]);
		free(p->extra_arenas[i]);
	}
	free(p->extra_arenas);
	if (p->loader_arena) {
		arena_release(p->loader_arena);
		free(p->loader_arena);
	}
	for (size_t i = 0; i < p->ntmpl_arenas; i++) {
		arena_release(p->tmpl_arenas[i]);
		free(p->tmpl_arenas[i]);
	}
	free(p->tmpl_arenas);
	free(p->nodes);
	map_release(&p->by_id);
	map_release(&p->macro_ids);
	map_release(&p->by_name);
	map_release(&p->sources_by_name);
	if (p->jinja)
		jj_env_free(p->jinja);
	if (p->hooks)
		p->hooks->release();
	arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

/* Guards each project's list of template arenas; the parsing itself runs unlocked */
static pthread_mutex_t tmpl_lock = PTHREAD_MUTEX_INITIALIZER;

/* This thread's arena for the templates of project p (made on its first template) */
static struct arena *tmpl_arena(struct project *p)
{
	static _Thread_local uint64_t gen;
	static _Thread_local struct arena *a;
	if (gen == p->load_gen && a)
		return a;
	a = xmalloc(sizeof(*a));
	arena_init(a, 256 * 1024);
	pthread_mutex_lock(&tmpl_lock);
	p->tmpl_arenas = xrealloc(p->tmpl_arenas, (p->ntmpl_arenas + 1) * sizeof(*p->tmpl_arenas));
	p->tmpl_arenas[p->ntmpl_arenas++] = a;
	pthread_mutex_unlock(&tmpl_lock);
	gen = p->load_gen;
	return a;
}

struct jj_template *proj_node_template(struct project *p, struct node *n, struct diag_list *dl)
{
	struct jj_template *t = __atomic_load_n(&n->tmpl, __ATOMIC_ACQUIRE);
	if (t || !n->tmpl_lazy)
		return t;
	/* two threads may parse it at once: the first to store its template wins, the other's stays
	 * unused in its arena */
	if (jj_parse(p->jinja, tmpl_arena(p), diag_file_path(n->file), n->file, n->raw_code, n->raw_len, &t, dl) < 0)
		return NULL;
	struct jj_template *none = NULL;
	if (!__atomic_compare_exchange_n(&n->tmpl, &none, t, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		t = none;
	return t;
}

/* The loader set's lock: parsing threads render (names, properties) concurrently */
static pthread_mutex_t loader_macros_lock = PTHREAD_MUTEX_INITIALIZER;

void proj_note_loader_macro(struct project *p, const char *id)
{
	pthread_mutex_lock(&loader_macros_lock);
	/* in an arena of its own: other threads allocate in theirs, not in the project's */
	if (!p->loader_arena) {
		p->loader_arena = xmalloc(sizeof(*p->loader_arena));
		arena_init(p->loader_arena, 4096);
		value d = val_dict_new(p->loader_arena, 8);
		for (uint32_t i = 0; p->loader_macros.type == V_DICT && i < p->loader_macros.d->len; i++)
			val_dict_set(d, p->loader_macros.d->e[i].key, val_bool(true));
		p->loader_macros = d;
	}
	if (val_dict_gets(p->loader_macros, id).type == V_UNDEF)
		val_dict_sets(p->loader_macros, arena_strdup(p->loader_arena, id), val_bool(true));
	pthread_mutex_unlock(&loader_macros_lock);
}

struct arena *proj_new_arena(struct project *p)
{
	struct arena *a = xmalloc(sizeof(*a));
	arena_init(a, 64 * 1024);
	p->extra_arenas = xrealloc(p->extra_arenas, (p->nextra_arenas + 1) * sizeof(*p->extra_arenas));
	p->extra_arenas[p->nextra_arenas++] = a;
	return a;
}

struct node *proj_node(struct project *p, const char *unique_id)
{
	return map_gets(&p->by_id, unique_id);
}

struct node *proj_ref(struct project *p, const char *package, const char *name)
{
	if (package) {
		char key[512];
		snprintf(key, sizeof(key), "%s.%s", package, name);
		return map_gets(&p->by_name, key);
	}
	return map_gets(&p->by_name, name);
}

struct node *proj_ref_version(struct project *p, const char *package, const char *name, const char *version)
{
	if (!version)
		return proj_ref(p, package, name);
	char key[512];
	if (package)
		snprintf(key, sizeof(key), "%s.%s@%s", package, name, version);
	else
		snprintf(key, sizeof(key), "%s@%s", name, version);
	return map_gets(&p->by_name, key);
}

const char *proj_version_str(struct arena *a, value v)
{
	if (v.type == V_STR)
		return val_cstr(a, v);
	return val_cstr(a, val_to_str(a, v));
}

/* sources_by_name's key: package, unit separator, source.table */
#define SOURCE_KEY "%s\x1f%s.%s"

const char *proj_source_key(struct arena *a, const char *package, const char *source, const char *table)
{
	return arena_sprintf(a, SOURCE_KEY, package, source, table);
}

static struct node *source_in(struct project *p, const char *package, const char *source, const char *table)
{
	char key[768];
	snprintf(key, sizeof(key), SOURCE_KEY, package, source, table);
	return map_gets(&p->sources_by_name, key);
}

/* dbt's Manifest.resolve_source: the root project, then the calling node's package, then any
 * package (in load order); the first enabled table wins, else the first disabled one is returned
 * (its caller says it is disabled). Two packages may each declare a source of the same name. */
struct node *proj_source_from(struct project *p, const char *from_package, const char *source, const char *table)
{
	struct node *disabled = NULL;
	const char *first[2] = {p->name, from_package && strcmp(from_package, p->name) ? from_package : NULL};
	for (int i = 0; i < 2; i++) {
		struct node *n = first[i] ? source_in(p, first[i], source, table) : NULL;
		if (n && n->enabled)
			return n;
		if (n && !disabled)
			disabled = n;
	}
	for (size_t i = 0; i < p->npackages; i++) {
		struct node *n = source_in(p, p->packages[i].name, source, table);
		if (n && n->enabled)
			return n;
		if (n && !disabled)
			disabled = n;
	}
	return disabled;
}

struct node *proj_source(struct project *p, const char *source, const char *table)
{
	return proj_source_from(p, NULL, source, table);
}
