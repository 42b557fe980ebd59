/* Steps shared by the commands that load a project. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/fs.h"
#include "core/inputs.h"
#include "core/log.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "core/report.h"
#include "runner/runner.h"

void cli_print_diags(struct diag_list *dl)
{
	bool color = report_color_enabled() || (isatty(STDERR_FILENO) && !getenv("NO_COLOR") && !report_json());
	struct sb s = SB_INIT;
	for (const struct diag *d = dl->head; d; d = d->next)
		diag_format(&s, d, color);
	log_redact(s.buf);
	s.len = strlen(s.buf);
	if (report_json()) {
		for (const struct diag *d = dl->head; d; d = d->next) {
			struct sb one = SB_INIT;
			diag_format(&one, d, false);
			report_error_text(one.buf);
			sb_release(&one);
		}
	} else {
		fwrite(s.buf, 1, s.len, stderr);
	}
	/* the log gets them too */
	for (const struct diag *d = dl->head; d; d = d->next) {
		struct sb one = SB_INIT;
		diag_format(&one, d, false);
		sb_rtrim(&one);
		log_msg(d->kind == DIAG_ERROR ? LOG_ERROR : LOG_WARN, "%s", one.buf);
		sb_release(&one);
	}
	sb_release(&s);
}

/* ", 2 macros": a count and its name, one or many; nothing for none */
static void add_count(struct sb *s, bool *first, size_t n, const char *one, const char *many)
{
	if (!n)
		return;
	sb_addf(s, "%s%zu %s", *first ? "" : ", ", n, n == 1 ? one : many);
	*first = false;
}

/* ", 2 data tests": nodes of type t, as dbt's pluralize names them */
static void add_nodes(struct sb *s, bool *first, size_t n, enum node_type t)
{
	add_count(s, first, n, node_type_label(t, 1), node_type_label(t, 2));
}

/*
 * dbt's FoundStats line (compilation.py _generate_stats): the node types in the order they first
 * appear among the manifest's nodes (each project, the root's first, parses its models,
 * snapshots, analyses, singular tests, seeds and hooks in that order; generic tests come after
 * every project's files), then sources, exposures, metrics, macros, groups, semantic models,
 * saved queries and unit tests; a count of zero is left out.
 */
void cli_found_text(struct project *p, struct sb *out)
{
	size_t counts[NODE_TYPE_COUNT] = {0};
	static const enum node_type file_types[] = {NODE_MODEL, NODE_SNAPSHOT, NODE_ANALYSIS, NODE_TEST, NODE_SEED,
						    NODE_OPERATION};
	enum { NFT = sizeof(file_types) / sizeof(file_types[0]) };
	/* per package (p->packages order, the root first) and file type: whether it has an enabled one */
	uint8_t *has = xcalloc(p->npackages * NFT + 1, 1);
	bool generic_tests = false;
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct node *n = p->nodes[i];
		if (!n->enabled)
			continue;
		counts[n->type]++;
		if (n->type == NODE_TEST && n->test_metadata.type == V_DICT) {
			generic_tests = true;
			continue;
		}
		for (size_t f = 0; f < NFT; f++) {
			if (file_types[f] != n->type)
				continue;
			for (size_t k = 0; k < p->npackages; k++)
				if (!strcmp(p->packages[k].name, n->package))
					has[k * NFT + f] = 1;
		}
	}
	enum node_type order[NODE_TYPE_COUNT];
	size_t norder = 0;
	bool listed[NODE_TYPE_COUNT] = {false};
	for (size_t k = 0; k < p->npackages; k++)
		for (size_t f = 0; f < NFT; f++)
			if (has[k * NFT + f] && !listed[file_types[f]]) {
				listed[file_types[f]] = true;
				order[norder++] = file_types[f];
			}
	free(has);
	if (generic_tests && !listed[NODE_TEST]) {
		listed[NODE_TEST] = true;
		order[norder++] = NODE_TEST;
	}
	struct sb s = SB_INIT;
	bool first = true;
	sb_reset(out);
	sb_adds(&s, "Found ");
	for (size_t i = 0; i < norder; i++)
		add_nodes(&s, &first, counts[order[i]], order[i]);
	add_nodes(&s, &first, counts[NODE_SOURCE], NODE_SOURCE);
	add_nodes(&s, &first, counts[NODE_EXPOSURE], NODE_EXPOSURE);
	add_nodes(&s, &first, counts[NODE_METRIC], NODE_METRIC);
	add_count(&s, &first, p->nmacros, "macro", "macros");
	add_count(&s, &first, p->groups.type == V_DICT ? p->groups.d->len : 0, "group", "groups");
	add_nodes(&s, &first, counts[NODE_SEMANTIC_MODEL], NODE_SEMANTIC_MODEL);
	add_nodes(&s, &first, counts[NODE_SAVED_QUERY], NODE_SAVED_QUERY);
	add_nodes(&s, &first, counts[NODE_UNIT_TEST], NODE_UNIT_TEST);
	sb_add(out, s.buf, s.len);
	sb_release(&s);
}

static void found_line(struct project *p)
{
	struct sb s = SB_INIT;
	cli_found_text(p, &s);
	report_line("FoundStats", "%s", s.buf);
	sb_release(&s);
}

/* One node as the manifest has it (without created_at, which is the time it is written), with
 * what the manifest leaves out: its template, dependencies, file and locations */
static void node_fingerprint(struct project *p, const struct node *n, struct arena *a, struct sb *out)
{
	value v = art_node_value(a, p, n);
	if (v.type == V_DICT)
		val_dict_del(v, val_str("created_at"));
	val_to_json(out, v, 0, 0);
	int line, col;
	loc_linecol(n->yaml_loc, &line, &col);
	sb_addf(out, " tmpl=%d body=%d raw=%zu file=%s yaml=%d:%d attached=%u deps=", proj_node_has_template(n),
		n->snapshot_body.type != V_UNDEF, n->raw_len, n->file ? diag_file_path(n->file) : "-", line, col,
		n->attached_node);
	for (uint32_t i = 0; i < n->ndeps; i++)
		sb_addf(out, "%u,", n->deps[i]);
	sb_adds(out, " parse_macros=");
	for (uint32_t i = 0; i < n->nparse_macros; i++)
		sb_addf(out, "%s,", n->parse_macros[i]);
	for (uint32_t i = 0; i < n->nrefs; i++) {
		loc_linecol(n->refs[i].loc, &line, &col);
		sb_addf(out, " ref@%d:%d", line, col);
	}
}

/*
 * SLUICE_SNAPSHOT_CHECK=1: a load read from the project snapshot is checked against a full load of
 * the same project, node by node; a difference is reported and the command exits 70. For tests:
 * it shows that a snapshot gives back what parsing gives.
 */
static void check_snapshot(struct project *p, const struct proj_options *o)
{
	struct proj_options full = *o;
	full.snapshot = NULL;
	struct project q;
	struct diag_list dl;
	diag_list_init(&dl);
	const char *bad = NULL;
	struct arena a;
	arena_init(&a, 1 << 20);
	struct sb x = SB_INIT, y = SB_INIT;
	if (proj_load(&q, &full, &dl) < 0)
		bad = "the full load failed";
	else if (q.nnodes != p->nnodes)
		bad = "the number of nodes";
	for (size_t i = 0; !bad && i < p->nnodes; i++) {
		struct arena_mark m = arena_mark(&a);
		sb_reset(&x);
		sb_reset(&y);
		node_fingerprint(p, p->nodes[i], &a, &x);
		node_fingerprint(&q, q.nodes[i], &a, &y);
		if (x.len != y.len || memcmp(x.buf, y.buf, x.len)) {
			fprintf(stderr, "snapshot: %s\nfull:     %s\n", x.buf, y.buf);
			bad = p->nodes[i]->unique_id;
		}
		arena_reset(&a, m);
	}
	if (!bad && (val_to_json(&x, p->groups, 0, 0), val_to_json(&y, q.groups, 0, 0), strcmp(x.buf, y.buf)))
		bad = "the groups";
	for (size_t i = 0; !bad && i < p->nmacros; i++) {
		sb_reset(&x);
		sb_reset(&y);
		const struct macro_def *mx = p->macros[i], *my = q.macros[i];
		sb_addf(&x, "%s %s ", mx->description, mx->patch_path ? mx->patch_path : "-");
		sb_addf(&y, "%s %s ", my->description, my->patch_path ? my->patch_path : "-");
		value vx[] = {mx->arguments, mx->meta, mx->docs}, vy[] = {my->arguments, my->meta, my->docs};
		for (int k = 0; k < 3; k++) {
			val_to_json(&x, vx[k], 0, 0);
			val_to_json(&y, vy[k], 0, 0);
		}
		if (strcmp(x.buf, y.buf))
			bad = p->macros[i]->unique_id;
	}
	if (bad) {
		fprintf(stderr, "SLUICE_SNAPSHOT_CHECK: the project read from its snapshot differs from a full load: %s\n",
			bad);
		exit(70);
	}
	sb_release(&x);
	sb_release(&y);
	arena_release(&a);
	proj_release(&q);
	diag_list_release(&dl);
}

int cli_warn_error(const struct cli *c, struct diag_list *dl)
{
	if (!c->warn_error)
		return 0;
	int n = 0;
	pthread_mutex_lock(&dl->lock);
	for (struct diag *d = dl->head; d; d = d->next)
		if (d->kind == DIAG_WARN) {
			d->kind = DIAG_ERROR;
			n++;
		}
	dl->nerrors += n;
	dl->nwarnings -= n;
	pthread_mutex_unlock(&dl->lock);
	return n ? -1 : 0;
}

int cli_load_project(const struct cli *c, struct project *p, bool need_profile, struct diag_list *dl)
{
	struct proj_options o;
	cli_proj_options(c, &o, need_profile);
	/* partial parsing: the nodes from the last full load's snapshot when nothing it read changed;
	 * a full load records what it reads, for the next one */
	bool partial = c->partial_parse != 0;
	bool own_recording = partial && !inputs_recording();
	if (partial) {
		o.snapshot = cli_snapshot_find;
		o.snapshot_ud = (void *)c;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t started = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (own_recording)
		inputs_begin();
	dbt_flags_preset(&(struct dbt_flags){.which = c->command, .full_refresh = c->full_refresh, .fail_fast = c->fail_fast, .store_failures = c->store_failures, .empty = c->empty, .defer = c->defer && !c->no_defer, .favor_state = c->favor_state,
					     .debug = c->debug, .threads = c->threads, .log_format = c->log_format});
	report_setup(cli_color(c), !strcmp(c->log_format, "json"), NULL);
	report_set_quiet(c->quiet);
	if (!c->quiet && !c->inline_sql)
		report_line("MainReportVersion", "Running with sluice=%s", SLUICE_VERSION);
	int rc = proj_load(p, &o, dl);
	bool clean = rc == 0 && !dl->head;
	if (partial) {
		size_t nin = 0;
		struct input *in = own_recording ? inputs_end(&nin) : inputs_copy(&nin);
		/* a load that parsed a few changed models again leaves the snapshot as it is: parsing them
		 * again next time costs less than writing it (a tenth of a second at 10,000 models); after
		 * more, it is written anew */
		if (clean && (!p->from_snapshot || p->snapshot_reparsed > CLI_RESNAPSHOT_AFTER) && cli_partial_parse_on(c, p))
			cli_snapshot_save_behind(c, p, in, nin, started);
		else if (!p->from_snapshot && p->target_path)
			cli_snapshot_remove(p, c);
		inputs_free(in, nin);
	}
	if (p->invocation_id)
		report_setup(cli_color(c), !strcmp(c->log_format, "json"), p->invocation_id);
	/* logs/ next to the project, as dbt keeps them */
	if (p->log_path && fs_mkdir_p(p->log_path) == 0) {
		char *path = arena_sprintf(&p->arena, "%s/sluice.log", p->log_path);
		if (log_open(path) == 0)
			log_msg(LOG_INFO, "sluice %s: %s (invocation %s)", SLUICE_VERSION, c->command, p->invocation_id);
	}
	cli_snapshot_log_note(p);
	for (uint32_t i = 0; p->debug_notes.type == V_LIST && i < p->debug_notes.l->len; i++)
		log_msg(LOG_DEBUG, "%s", p->debug_notes.l->items[i].s);
	if (rc == 0 && p->from_snapshot && getenv("SLUICE_SNAPSHOT_CHECK"))
		check_snapshot(p, &o);
	cli_warn_error(c, dl);
	if (dl->head)
		cli_print_diags(dl);
	if (dl->head)
		((struct cli *)c)->load_printed = true;
	if (rc == 0 && !dl->nerrors && dl->head) {
		/* printed: later steps print the list again, which must not repeat these */
		diag_list_release(dl);
		diag_list_init(dl);
	}
	if (rc < 0 || dl->nerrors) {
		if (!c->quiet)
			report_line("MainEncounteredError", "Encountered an error while loading the project: %d error%s",
				    dl->nerrors, dl->nerrors == 1 ? "" : "s");
		return -1;
	}
	if (p->target.zero_config && need_profile && !c->quiet)
		report_line("ZeroConfig", "No profiles.yml found: using an embedded DuckDB database at %s",
			    val_cstr(&p->arena, val_dict_gets(p->target.fields, "path")) +
				    (strncmp(val_cstr(&p->arena, val_dict_gets(p->target.fields, "path")), p->root,
					     strlen(p->root))
					     ? 0
					     : strlen(p->root) + 1));
	if (!c->quiet && !c->inline_sql)
		found_line(p);
	if (p->flags.type == V_DICT) {
		val_dict_sets(p->flags, "WHICH", val_str(c->command));
		val_dict_sets(p->flags, "FULL_REFRESH", val_bool(c->full_refresh));
		val_dict_sets(p->flags, "FAIL_FAST", val_bool(c->fail_fast));
		val_dict_sets(p->flags, "STORE_FAILURES", val_bool(c->store_failures));
		val_dict_sets(p->flags, "THREADS", val_int(p->target.threads));
		val_dict_sets(p->flags, "LOG_FORMAT", val_str(c->log_format));
		val_dict_sets(p->flags, "TARGET_PATH", val_str(p->target_path));
		val_dict_sets(p->flags, "PROJECT_DIR", val_str(p->root));
	}
	return 0;
}

struct node *cli_inline_node(struct project *p, const char *sql, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	struct node *n = ARENA_NEW(a, struct node);
	n->type = NODE_MODEL;
	n->name = "inline_query";
	n->package = p->name;
	n->unique_id = arena_sprintf(a, "sql_operation.%s.inline_query", p->name);
	n->path = "inline_query.sql";
	n->original_file_path = "from remote system.sql";
	n->raw_code = sql;
	n->raw_len = strlen(sql);
	n->file = diag_file_add("--inline", n->raw_code, n->raw_len);
	n->config = val_dict_new(a, 2);
	n->fqn = val_list_new(a, 0);
	n->columns = val_dict_new(a, 0);
	n->tags = val_list_new(a, 0);
	n->meta = val_dict_new(a, 0);
	n->unrendered_config = val_dict_new(a, 0);
	n->test_metadata = val_none();
	n->attached_node = NODE_NONE;
	n->enabled = true;
	if (jj_parse(p->jinja, a, "--inline", n->file, n->raw_code, n->raw_len, &n->tmpl, dl) < 0)
		return NULL;
	/* parsed like a model, so that its refs and sources can be checked */
	struct arena scratch;
	arena_init(&scratch, 64 * 1024);
	int rc = dbt_parse_node(p, n, &scratch, a, dl);
	arena_release(&scratch);
	for (uint32_t i = 0; rc == 0 && i < n->nrefs; i++) {
		if (!proj_ref(p, n->refs[i].package, n->refs[i].name)) {
			struct diag *d = diag_error(dl, n->refs[i].loc,
						    "the inline query refers to a node named '%s' which was not found",
						    n->refs[i].name);
			diag_hint(dl, d, "check the name in ref()");
			rc = -1;
		}
	}
	for (uint32_t i = 0; rc == 0 && i < n->nsources; i++) {
		if (!proj_source(p, n->sources[i].source, n->sources[i].table)) {
			diag_error(dl, n->sources[i].loc, "the inline query refers to a source named '%s.%s' which was not found",
				   n->sources[i].source, n->sources[i].table);
			rc = -1;
		}
	}
	if (rc)
		return NULL;
	/* what it reads, for the engines that must declare it in a new session first */
	n->index = UINT32_MAX;
	n->deps = ARENA_ARRAY(a, uint32_t, n->nrefs + n->nsources + 1);
	for (uint32_t i = 0; i < n->nrefs; i++)
		n->deps[n->ndeps++] = proj_ref(p, n->refs[i].package, n->refs[i].name)->index;
	for (uint32_t i = 0; i < n->nsources; i++)
		n->deps[n->ndeps++] = proj_source(p, n->sources[i].source, n->sources[i].table)->index;
	return n;
}

int cli_connect(struct project *p, struct adapter **pad, const struct adapter_vtable **pvt,
		struct adapter_conn **pconn, struct diag_list *dl)
{
	*pad = NULL;
	*pconn = NULL;
	if (runner_open_adapter(p, pad, pvt, dl) < 0)
		return -1;
	char *err = NULL;
	if ((*pvt)->open_conn(*pad, pconn, &p->arena, &err) < 0) {
		diag_error(dl, LOC_NONE, "could not open a connection: %s", err ? err : "unknown error");
		(*pvt)->close(*pad);
		*pad = NULL;
		*pconn = NULL;
		return -1;
	}
	return 0;
}

void cli_disconnect(struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn)
{
	if (conn)
		vt->close_conn(conn);
	if (ad)
		vt->close(ad);
}

void cli_restore(struct project *p, const struct graph *g, const uint8_t *want, struct adapter *ad,
		 const struct adapter_vtable *vt, struct adapter_conn *conn, struct diag_list *dl)
{
	if (!vt->catalog_is_session_scoped)
		return;
	struct graph own = {0};
	if (!g) {
		if (graph_build(&own, p, dl) < 0)
			return;
		g = &own;
	}
	uint8_t *all = NULL;
	if (!want) {
		all = xcalloc(p->nnodes ? p->nnodes : 1, 1);
		memset(all, 1, p->nnodes);
	}
	uint8_t *closure = runner_upstream(p, want ? want : all, true);
	struct arena *a = proj_new_arena(p);
	(void)runner_restore(p, g, closure, false, ad, vt, conn, a, dl);
	free(closure);
	free(all);
	if (g == &own)
		graph_release(&own);
}

/* The model of a materialized table's refresh job, which Flink names
 * Materialized_table_`catalog`.`database`.`table`_continuous_refresh_job (MaterializedTableManager) */
static struct node *mt_job_model(struct project *p, const char *name)
{
	static const char pre[] = "Materialized_table_", suf[] = "_continuous_refresh_job";
	size_t n = strlen(name), lp = sizeof(pre) - 1, ls = sizeof(suf) - 1;
	if (n <= lp + ls || strncmp(name, pre, lp) || strcmp(name + n - ls, suf))
		return NULL;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *m = p->nodes[i];
		if (m->type != NODE_MODEL || !m->database || !m->schema || !m->alias)
			continue;
		value mat = val_dict_gets(m->config, "materialized");
		if (mat.type != V_STR || strcmp(mat.s, "materialized_table"))
			continue;
		struct sb s = SB_INIT;
		sb_addf(&s, "`%s`.`%s`.`%s`", m->database, m->schema, m->alias);
		bool same = s.len == n - lp - ls && !strncmp(s.buf, name + lp, s.len);
		sb_release(&s);
		if (same)
			return m;
	}
	return NULL;
}

struct node *cli_job_model(struct project *p, const char *name, const char **phash, struct arena *a)
{
	struct node *mt = mt_job_model(p, name);
	*phash = "";
	if (mt)
		return mt;
	const char *br = strstr(name, " [");
	size_t n = br ? (size_t)(br - name) : strlen(name);
	*phash = "";
	if (br && name[strlen(name) - 1] == ']')
		*phash = arena_strndup(a, br + 2, strlen(br + 2) - 1);
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *m = p->nodes[i];
		if (m->type != NODE_MODEL)
			continue;
		size_t pl = strlen(m->package);
		if (pl + 1 + strlen(m->name) == n && !strncmp(name, m->package, pl) && name[pl] == '.' &&
		    !strncmp(name + pl + 1, m->name, n - pl - 1))
			return m;
	}
	return NULL;
}

bool cli_job_live(const char *status)
{
	/* Flink's job states, and Confluent Cloud's statement phases that count as healthy */
	static const char *const live[] = {"RUNNING", "CREATED", "INITIALIZING", "RESTARTING", "RECONCILING",
					   "PENDING", "DEGRADED", NULL};
	for (const char *const *l = live; *l; l++)
		if (!strcmp(status, *l))
			return true;
	return false;
}

int cli_read_yaml(struct arena *a, const char *path, value *pv, struct diag_list *dl)
{
	*pv = val_none();
	size_t len;
	char *text = fs_is_file(path) ? fs_read(a, path, &len) : NULL;
	if (!text)
		return 1;
	struct diag_list quiet;
	diag_list_init(&quiet);
	int rc = val_from_yaml(a, diag_file_add(path, text, len), text, len, pv, dl ? dl : &quiet);
	diag_list_release(&quiet);
	return rc < 0 ? -1 : 0;
}
