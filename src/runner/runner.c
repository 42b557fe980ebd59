/*
 * The run loop (see runner.h).
 *
 * DESIGN
 * One worker per thread, each with its own connection, scratch arena and diagnostics; the scheduler
 * (graph/sched.c) hands each a node whose dependencies have finished. A worker writes only its
 * node's run state and its own result slot, so the only shared state is the progress counter
 * (atomic) and the printer (locked). A failed node skips its descendants; nothing is retried.
 *
 * Ctrl-C: each worker publishes the node it runs (`current`, set before it looks at the interrupt
 * flag); the interrupt watcher cancels the connection of every busy worker, so a worker either
 * sees the flag and starts nothing, or is seen and cancelled. A cancelled node fails and halts the
 * scheduler; nodes not started are marked skipped, and run_results.json is written as dbt does.
 */
#include "runner/runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/adapter.h"
#include "artifacts/artifacts.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/map.h"
#include "core/report.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "runner/internal.h"

int runner_open_adapter(struct project *p, struct adapter **pad, const struct adapter_vtable **pvt,
			struct diag_list *dl)
{
	const struct adapter_vtable *vt = adapter_find(p->target.type);
	if (!vt) {
		struct diag *d = diag_error(dl, LOC_NONE, "no adapter for type '%s' (profile '%s', target '%s')",
					    p->target.type, p->target.profile_name, p->target.target_name);
		diag_hint(dl, d, "supported types: duckdb, flink");
		return -1;
	}
	char *err = NULL;
	if (vt->open(pad, p->target.fields, p->root, &p->arena, &err) < 0) {
		/* at the target in profiles.yml: where to look when the profile is what is wrong */
		struct loc where = p->target.fields.type == V_DICT && !p->target.zero_config ? p->target.fields.d->loc : LOC_NONE;
		diag_error(dl, where, "could not connect to target '%s' (%s): %s", p->target.target_name, vt->type,
			   err ? err : "unknown error");
		return -1;
	}
	*pvt = vt;
	return 0;
}

/*
 * On the interrupt watcher's thread, after the first Ctrl-C: cancels what every busy worker runs,
 * and again every 100 ms while any is still busy, since an interrupt landing between two
 * statements would otherwise be lost. Returns once all workers are idle.
 */
static void on_interrupt(void *ud)
{
	struct run_state *st = ud;
	int *told = xmalloc((size_t)(st->nworkers ? st->nworkers : 1) * sizeof(int));
	for (int i = 0; i < st->nworkers; i++)
		told[i] = WORKER_IDLE;
	if (!st->vt->cancel)
		report_line("QueryCancelationUnsupported",
			    "The %s adapter does not support query cancellation. Some queries may still be running!",
			    st->vt->type);
	for (;;) {
		bool busy = false;
		for (int i = 0; i < st->nworkers; i++) {
			int cur = atomic_load(&st->workers[i].current);
			if (cur == WORKER_IDLE)
				continue;
			busy = true;
			if (st->vt->cancel)
				st->vt->cancel(st->workers[i].conn);
			if (told[i] != cur) {
				told[i] = cur;
				report_line("LogCancelLine", "CANCEL query %s",
					    cur == WORKER_HOOKS ? "of the run's hooks" : st->p->nodes[cur]->unique_id);
			}
		}
		if (!busy)
			break;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	free(told);
}

/* ---------------------------------------------------------------- before the nodes */

/* One connection per worker; 0, or 2 (dbt's code for a run that cannot start) after a diagnostic.
 * st->nworkers counts the connections opened. */
static int open_workers(struct run_state *st, int threads, struct diag_list *dl)
{
	struct project *p = st->p;
	for (int i = 0; i < threads; i++) {
		struct worker *w = &st->workers[i];
		atomic_init(&w->current, WORKER_IDLE);
		arena_init(&w->arena, 256 * 1024);
		w->keep = proj_new_arena(p);
		char *err = NULL;
		if (st->vt->open_conn(st->ad, &w->conn, &p->arena, &err) < 0) {
			diag_error(dl, LOC_NONE, "could not open a connection: %s", err ? err : "unknown error");
			return 2;
		}
		st->nworkers++;
	}
	return 0;
}

/* Every schema the selected nodes build in exists before anything runs, and the relation cache
 * lists each once, here, before any thread runs DDL in it. 0, or 2 after a diagnostic. */
static int prepare_schemas(struct run_state *st, const uint8_t *selected, struct diag_list *dl)
{
	struct project *p = st->p;
	struct adapter_conn *conn = st->workers[0].conn;
	struct map seen = MAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < p->nnodes && rc == 0; i++) {
		struct node *n = p->nodes[i];
		if (!selected[i] || !n->relation_name || n->type == NODE_SOURCE)
			continue;
		const char *key = arena_sprintf(&p->arena, "%s.%s", n->database, n->schema);
		if (map_gets(&seen, key))
			continue;
		map_puts(&seen, key, n);
		char *err = NULL;
		if (st->vt->create_schema(conn, n->database, n->schema, &p->arena, &err) < 0) {
			diag_error(dl, LOC_NONE, "could not create schema '%s.%s': %s", n->database, n->schema,
				   err ? err : "unknown error");
			rc = 2;
			break;
		}
		struct adapter_relation *rels;
		size_t nrels;
		if (st->vt->cache_note &&
		    st->vt->list_relations(conn, n->database, n->schema, &rels, &nrels, st->skip_arena, &err) < 0) {
			diag_error(dl, LOC_NONE, "could not list the relations of schema '%s.%s': %s", n->database,
				   n->schema, err ? err : "unknown error");
			rc = 2;
		}
	}
	map_release(&seen);
	return rc;
}

/* A new session knows nothing of what the selected nodes read: declare it first. What cannot be
 * declared is a warning in dl; what reads it fails with the cause. */
static void declare_upstream(struct run_state *st, const uint8_t *selected, struct diag_list *dl)
{
	struct project *p = st->p;
	uint8_t *of = xcalloc(p->nnodes ? p->nnodes : 1, 1);
	for (size_t i = 0; i < p->nnodes; i++)
		of[i] = selected[i] && p->nodes[i]->type != NODE_TEST;
	uint8_t *want = runner_upstream(p, of, false);
	for (size_t i = 0; i < p->nnodes; i++)
		want[i] = want[i] && !of[i];
	free(of);
	int failed = runner_restore(p, st->g, want, false, st->ad, st->vt, st->workers[0].conn, st->skip_arena, dl);
	if (failed)
		log_msg(LOG_INFO, "%d relation%s read by the run could not be declared in the new session", failed,
			failed == 1 ? "" : "s");
	free(want);
}

/* on-run-start, then every selected node through the scheduler; 0 (a failed hook is among the
 * results, or marks start_hook_failed) */
static int run_nodes(struct run_state *st, int threads, const uint8_t *selected, enum sched_status *status,
		     struct diag_list *dl)
{
	struct project *p = st->p;
	if (!st->o->compile_only) {
		report_line("ConcurrencyLine", "Concurrency: %d thread%s (target='%s')", threads, threads == 1 ? "" : "s",
			    p->target.target_name);
		report_line("Formatting", "%s", "");
		atomic_store(&st->workers[0].current, WORKER_HOOKS);
		int rc = intr_requested() ? 0
					  : runner_run_hooks(p, "on-run-start", st->ad, st->vt, st->workers[0].conn, val_none(),
							     st->skip_arena, st->results, dl);
		atomic_store(&st->workers[0].current, WORKER_IDLE);
		if (rc < 0 && intr_requested())
			return 0;
		if (rc < 0) {
			/* dbt 1.9+ runs the nodes anyway (its hook's error fails the run), unless the
			 * project sets flags: {skip_nodes_if_on_run_start_fails: true} */
			st->start_hook_failed = true;
			value flags = p->yml.type == V_DICT ? val_dict_gets(p->yml, "flags") : val_undef();
			if (flags.type == V_DICT && val_truthy(val_dict_gets(flags, "skip_nodes_if_on_run_start_fails"))) {
				/* each with its SKIP line, in the order they would have run */
				for (size_t k = 0; k < st->g->n; k++)
					if (selected[st->g->topo[k]])
						runner_skip(st, st->g->topo[k], UINT32_MAX);
				return 0;
			}
		}
	}
	if (!intr_requested())
		/* compile stops at its first error, as dbt's CompileTask (raise_on_first_error) */
		(void)graph_sched_run(st->g, selected, threads, st->o->fail_fast || st->o->compile_only, runner_work,
				      runner_skip, st, status);
	return 0;
}

/* ---------------------------------------------------------------- after the nodes */

/* The counts of dbt's Done. line */
struct tally {
	int pass, warn, err, skip;
	int partial;  /* partial successes (counted in err too, as dbt's Done. line counts them) */
};

static void tally_add(struct tally *t, enum run_status s)
{
	switch (s) {
	case RUN_SUCCESS:
	case RUN_PASS:
		t->pass++;
		break;
	case RUN_PARTIAL:
		t->partial++;
		t->err++;
		break;
	case RUN_ERROR:
	case RUN_FAIL:
		t->err++;
		break;
	case RUN_WARN:
		t->warn++;
		break;
	default:
		t->skip++;
		break;
	}
}

/* What never started when Ctrl-C stopped the run is marked, so run_results.json accounts for every
 * selected node */
static void mark_not_started(struct run_state *st, const uint8_t *selected, const char *message)
{
	struct project *p = st->p;
	for (size_t i = 0; i < p->nnodes; i++) {
		if (!selected[i] || st->results[i].status != RUN_NONE)
			continue;
		struct run_result *r = &st->results[i];
		r->node = (uint32_t)i;
		r->status = RUN_SKIPPED;
		r->message = message;
		r->thread_id = -1;
		r->failures = -1;
		r->rows_affected = -1;
		r->relation_name = p->nodes[i]->relation_name;
	}
}

/* Appends the results of the hooks of `which` that ran (or were skipped), as dbt appends them to
 * its node results */
static void add_hook_results(struct run_state *st, const char *which, struct run_result *list, size_t *pn,
			     struct tally *t)
{
	struct project *p = st->p;
	size_t first = *pn;
	uint32_t *idx = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*idx));
	size_t k = runner_hook_nodes(p, which, st->skip_arena, idx), n = first;
	for (size_t i = 0; i < k; i++) {
		if (st->results[idx[i]].status == RUN_NONE)
			continue;
		list[n++] = st->results[idx[i]];
		tally_add(t, st->results[idx[i]].status);
	}
	*pn = n;
	free(idx);
}

/* The results of the on-run-start hooks, then of the selected nodes that have one, by node index
 * (stable, unlike the order they finished in), counted in *t; free() the array */
static struct run_result *collect_results(struct run_state *st, const uint8_t *selected, size_t *pn,
					  struct tally *t)
{
	struct project *p = st->p;
	struct run_result *list = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*list));
	size_t n = 0;
	add_hook_results(st, "on-run-start", list, &n, t);
	for (size_t i = 0; i < p->nnodes; i++) {
		if (!selected[i] || st->results[i].status == RUN_NONE)
			continue;
		ASSERT(st->results[i].node == i);
		list[n++] = st->results[i];
		tally_add(t, st->results[i].status);
	}
	*pn = n;
	return list;
}

static void report_done(const struct tally *t)
{
	report_line("StatsLine", "Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", t->pass, t->warn, t->err, t->skip,
		    t->pass + t->warn + t->err + t->skip);
}

/* The text of every node that failed or warned, each after a blank line */
static void report_errors(const struct run_state *st)
{
	for (size_t i = 0; i < st->p->nnodes; i++) {
		if (!st->errors[i])
			continue;
		report_line("Formatting", "%s", "");
		report_error_text(st->errors[i]);
	}
}

/* The end of a run stopped by Ctrl-C, as dbt prints it, and the streaming jobs left running */
static void report_interrupted(struct run_state *st, const struct run_result *list, size_t nres,
			       const struct tally *t)
{
	struct project *p = st->p;
	report_line("Formatting", "%s", "");
	report_line("EndOfRunSummary", "Exited because of keyboard interrupt");
	report_errors(st);
	/* a streaming job, once submitted, runs on the cluster until stopped: say which ones */
	int njobs = 0;
	for (size_t i = 0; i < nres; i++) {
		const struct node *n = p->nodes[list[i].node];
		value mat = val_dict_gets(n->config, "materialized");
		if (list[i].status != RUN_SUCCESS || !val_streq(mat, "streaming_table"))
			continue;
		if (njobs++ == 0) {
			report_line("Formatting", "%s", "");
			report_line("StreamingJobsLeftRunning",
				    "Streaming jobs submitted before the interrupt keep running (see them with "
				    "'sluice jobs', stop them with 'sluice jobs stop -s <model>'):");
		}
		report_line("StreamingJobsLeftRunning", "  %s  %s", n->unique_id,
			    list[i].adapter_code ? list[i].adapter_code : "");
	}
	report_line("Formatting", "%s", "");
	report_done(t);
}

/* on-run-end, which sees the results and the schemas of the run, as in dbt; 0 or -1 */
static int run_end_hooks(struct run_state *st, const struct run_result *list, size_t nres, struct diag_list *dl)
{
	struct project *p = st->p;
	struct arena *ha = st->skip_arena;
	value results = val_list_new(ha, nres), schemas = val_list_new(ha, 4), db_schemas = val_list_new(ha, 4);
	struct sb js = SB_INIT;
	for (size_t i = 0; i < nres; i++) {
		struct node *n = p->nodes[list[i].node];
		/* dbt's after_run: hooks' results only when they failed */
		if (n->type == NODE_OPERATION && list[i].status != RUN_ERROR)
			continue;
		/* dbt's RunResult: run_results.json's fields (timing, thread_id, adapter_response, ...)
		 * with the node as the manifest has it (its config with every default: packages read
		 * node.config.full_refresh) as `node`; it, its node and its timings answer to_dict() */
		value rv;
		sb_reset(&js);
		art_result_json(&js, p, &list[i]);
		if (val_from_json(ha, js.buf, js.len, &rv, NULL) < 0 || rv.type != V_DICT)
			rv = val_dict_new(ha, 2);
		value timing = val_dict_gets(rv, "timing");
		for (uint32_t k = 0; timing.type == V_LIST && k < timing.l->len; k++)
			timing.l->items[k] = dbt_object(ha, timing.l->items[k]);
		val_dict_sets(rv, "node", dbt_object(ha, art_node_value(ha, p, n)));
		val_dict_sets(rv, "unique_id", val_str(n->unique_id));
		val_list_push(results, dbt_object(ha, rv));
		/* dbt's after_run: the (database, schema) of the relational nodes that did not fail
		 * nor were skipped, as database_schemas and, without the database, schemas */
		bool relational = n->type == NODE_MODEL || n->type == NODE_SEED || n->type == NODE_SNAPSHOT;
		enum run_status st_ = list[i].status;
		if (n->schema && relational && st_ != RUN_ERROR && st_ != RUN_FAIL && st_ != RUN_SKIPPED) {
			bool seen = false;
			for (uint32_t k = 0; k < schemas.l->len && !seen; k++)
				seen = val_streq(schemas.l->items[k], n->schema);
			if (!seen)
				val_list_push(schemas, val_str(n->schema));
			seen = false;
			for (uint32_t k = 0; k < db_schemas.l->len && !seen; k++) {
				value t = db_schemas.l->items[k];
				seen = val_streq(t.l->items[1], n->schema) &&
				       (n->database ? val_streq(t.l->items[0], n->database) : t.l->items[0].type == V_NONE);
			}
			if (!seen) {
				value t = val_tuple_new(ha, 2);
				val_list_push(t, n->database ? val_str(n->database) : val_none());
				val_list_push(t, val_str(n->schema));
				val_list_push(db_schemas, t);
			}
		}
	}
	sb_release(&js);
	value extra = val_dict_new(ha, 3);
	val_dict_sets(extra, "results", results);
	val_dict_sets(extra, "schemas", schemas);
	val_dict_sets(extra, "database_schemas", db_schemas);
	return runner_run_hooks(p, "on-run-end", st->ad, st->vt, st->workers[0].conn, extra, ha, st->results, dl);
}

/* One kind of what a run ran, for its summary: dbt's key and its count */
struct count_item {
	char key[64];
	int type;  /* a NodeType (named by node_type_label), or -1: a string key */
	int n;
};

static void count_add(struct count_item *items, size_t *pn, size_t cap, const char *key, int type)
{
	for (size_t k = 0; k < *pn; k++)
		if (!strcmp(items[k].key, key)) {
			items[k].n++;
			return;
		}
	if (*pn == cap)
		return;
	snprintf(items[*pn].key, sizeof(items[*pn].key), "%s", key);
	items[*pn].type = type;
	items[(*pn)++].n = 1;
}

static int count_cmp(const void *x, const void *y)
{
	return strcmp(((const struct count_item *)x)->key, ((const struct count_item *)y)->key);
}

/*
 * "2 table models, 1 project hook, 5 data tests", as dbt's get_counts says what a run ran: a model
 * by its materialization, a hook as a project hook, anything else by its resource type, sorted by
 * those keys; a NodeType is named as node_type_label says, a string key with an "s" for several.
 */
static void summary_counts(struct run_state *st, const uint8_t *selected, struct sb *out)
{
	struct project *p = st->p;
	struct count_item items[32];
	size_t n = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct node *nd = p->nodes[i];
		if (nd->type == NODE_OPERATION ? st->results[i].status == RUN_NONE : !selected[i])
			continue;
		if (nd->type == NODE_MODEL) {
			value m = val_dict_gets(nd->config, "materialized");
			char key[64];
			snprintf(key, sizeof(key), "%s model", m.type == V_STR ? m.s : "view");
			count_add(items, &n, 32, key, -1);
		} else {
			count_add(items, &n, 32, nd->type == NODE_OPERATION ? "project hook" : node_type_name(nd->type),
				  nd->type == NODE_OPERATION ? -1 : (int)nd->type);
		}
	}
	qsort(items, n, sizeof(*items), count_cmp);
	for (size_t k = 0; k < n; k++) {
		if (items[k].type >= 0)
			sb_addf(out, "%s%d %s", k ? ", " : "", items[k].n,
				node_type_label((enum node_type)items[k].type, (size_t)items[k].n));
		else
			sb_addf(out, "%s%d %s%s", k ? ", " : "", items[k].n, items[k].key, items[k].n == 1 ? "" : "s");
	}
}

/* seed --show: each seed loaded, in random order, at most ten rows, as dbt's SeedTask.show_table
 * (its header lines are events; the table goes to stdout as agate prints it) */
static void show_seeds(struct run_state *st, const uint8_t *selected)
{
	struct project *p = st->p;
	struct arena a;
	arena_init(&a, 1 << 16);
	srand((unsigned)time(NULL));
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct node *n = p->nodes[i];
		if (!selected[i] || n->type != NODE_SEED || st->results[i].status == RUN_ERROR || !n->relation_name)
			continue;
		struct adapter_result res;
		char *err = NULL;
		if (st->vt->execute(st->workers[0].conn, arena_sprintf(&a, "select * from %s", n->relation_name), true, -1,
				    &res, &a, &err) < 0) {
			log_msg(LOG_WARN, "seed --show: cannot read %s: %s", n->relation_name, err ? err : "?");
			continue;
		}
		/* table.order_by(lambda x: random.random()) */
		for (size_t r = res.nrows; r > 1; r--) {
			size_t k = (size_t)rand() % r;
			for (size_t c = 0; c < res.ncols; c++) {
				value t = res.rows[(r - 1) * res.ncols + c];
				res.rows[(r - 1) * res.ncols + c] = res.rows[k * res.ncols + c];
				res.rows[k * res.ncols + c] = t;
			}
		}
		const char *header = arena_sprintf(&a, "Random sample of table: %s.%s", n->schema, n->alias ? n->alias : n->name);
		report_line("Formatting", "%s", "");
		report_line("SeedHeader", "%s", header);
		struct sb dashes = SB_INIT;
		for (size_t k = strlen(header); k > 0; k--)
			sb_addc(&dashes, '-');
		report_line("Formatting", "%s", dashes.buf ? dashes.buf : "");
		sb_release(&dashes);
		struct sb out = SB_INIT;
		dbt_agate_print(&out, &a, &res, 10, -1, 20, 3);
		log_redact(out.buf);
		fwrite(out.buf, 1, out.len, stdout);
		fflush(stdout);
		sb_release(&out);
		report_line("Formatting", "%s", "");
	}
	arena_release(&a);
}

/* Finished running ..., Completed ..., the text of each failure or warning, and Done. */
static void report_summary(struct run_state *st, const uint8_t *selected, double elapsed, const struct tally *t)
{
	struct sb counts = SB_INIT;
	summary_counts(st, selected, &counts);
	report_line("Formatting", "%s", "");
	report_line("FinishedRunningStats", "Finished running %s in %d hours %d minutes and %.2f seconds (%.2fs).",
		    counts.len ? counts.buf : "0 nodes", (int)(elapsed / 3600), (int)(elapsed / 60) % 60,
		    elapsed - 60 * (int)(elapsed / 60), elapsed);
	sb_release(&counts);
	if (st->o->show_seeds)
		show_seeds(st, selected);
	report_line("Formatting", "%s", "");
	/* dbt's EndOfRunSummary: a partial success is no error there, but is in the Done. line */
	int errs = t->err - t->partial;
	const char *partials = t->partial == 1 ? "partial success" : "partial successes";
	if (errs) {
		report_line("EndOfRunSummary", "Completed with %d error%s, %d %s, and %d warning%s:", errs,
			    errs == 1 ? "" : "s", t->partial, partials, t->warn, t->warn == 1 ? "" : "s");
		report_errors(st);
	} else if (t->partial) {
		report_line("EndOfRunSummary", "Completed with %d %s and %d warning%s", t->partial, partials, t->warn,
			    t->warn == 1 ? "" : "s");
		report_errors(st);
	} else if (t->warn) {
		report_line("EndOfRunSummary", "Completed with %d warning%s:", t->warn, t->warn == 1 ? "" : "s");
		report_errors(st);
	} else {
		report_line("EndOfRunSummary", "Completed successfully");
	}
	report_line("Formatting", "%s", "");
	report_done(t);
}

/* run_results.json, written on a thread of its own beside the manifest */
struct results_job {
	const char *path;
	struct project *p;
	const struct run_result *list;
	size_t n;
	double elapsed;
	const struct art_invocation *inv;
	struct diag_list dl;
	int rc;
};

static void *write_results(void *arg)
{
	struct results_job *j = arg;
	j->rc = art_write_run_results(j->path, j->p, j->list, j->n, j->elapsed, j->inv, &j->dl);
	return NULL;
}

/* run_results.json and manifest.json (with the compiled code); 0, or 2 after a diagnostic. Both at
 * once (each has its own arena; run_results only reads the nodes' names, code and relations, none
 * of which the manifest's writer sets): for a compile of 10,000 models the results were a third of
 * a second written after the manifest */
int runner_write_artifacts(struct project *p, const struct graph *g, const struct run_options *o,
			   const struct run_result *list, size_t nres, double elapsed, struct diag_list *dl)
{
	if (o->no_write_json)
		return 0;
	struct art_invocation inv = {o->command, p->invocation_id, p->run_started_at, o->args};
	int rc = 0;
	struct results_job j = {.path = arena_sprintf(&p->arena, "%s/run_results.json", p->target_path),
				.p = p,
				.list = list,
				.n = nres,
				.elapsed = elapsed,
				.inv = &inv};
	diag_list_init(&j.dl);
	const char *mf = arena_sprintf(&p->arena, "%s/manifest.json", p->target_path);
	pthread_t tid;
	bool threaded = pthread_create(&tid, NULL, write_results, &j) == 0;
	if (!threaded)
		write_results(&j);
	if (art_write_manifest(mf, p, g, &inv, dl) < 0)
		rc = 2;
	if (threaded)
		pthread_join(tid, NULL);
	if (j.rc < 0)
		rc = 2;
	diag_list_move(dl, &j.dl);
	diag_list_release(&j.dl);
	return rc;
}

/* ---------------------------------------------------------------- the run */

int runner_run(struct project *p, struct graph *g, const uint8_t *selected, const struct run_options *o,
	       struct diag_list *dl)
{
	int total = 0;
	for (size_t i = 0; i < p->nnodes; i++)
		total += selected[i] != 0;
	double t0 = art_now();
	struct run_state st = {.p = p, .g = g, .o = o, .total = total, .microbatch = proj_microbatch_batches(p)};
	p->full_refresh = o->full_refresh;
	atomic_init(&st.started, 0);
	int threads = o->threads > 0 ? o->threads : 1;
	if (runner_open_adapter(p, &st.ad, &st.vt, dl) < 0)
		return 2;
	st.workers = xcalloc((size_t)threads, sizeof(*st.workers));
	st.results = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*st.results));
	st.errors = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*st.errors));
	enum sched_status *status = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*status));
	st.skip_arena = proj_new_arena(p);
	int exit_code = open_workers(&st, threads, dl);
	/* from here Ctrl-C cancels what runs and ends the run in order (see DESIGN) */
	bool intr_on = !o->compile_only && intr_install(on_interrupt, &st) == 0;
	if (exit_code == 0 && !o->compile_only)
		exit_code = prepare_schemas(&st, selected, dl);
	if (exit_code == 0 && !o->compile_only && st.vt->catalog_is_session_scoped)
		declare_upstream(&st, selected, dl);
	double c0 = proj_cpu_s();
	if (exit_code == 0)
		exit_code = run_nodes(&st, threads, selected, status, dl);
	proj_timing("%s %d nodes (CPU time / wall time): %.3f/%.3fs", o->command, total, proj_cpu_s() - c0,
		    art_now() - t0);
	bool interrupted = intr_on && intr_requested();
	if (interrupted)
		mark_not_started(&st, selected, "Skipped: the run was interrupted before it started (ctrl-c)");
	double elapsed = art_now() - t0;
	size_t nres = 0;
	struct tally t = {0};
	struct run_result *list = collect_results(&st, selected, &nres, &t);
	if (st.start_hook_failed && t.err == 0)
		t.err++;  /* a hook that is no SQL text has no node, and so no result */
	if (exit_code == 0 && interrupted) {
		report_interrupted(&st, list, nres, &t);
	} else if (exit_code == 0 && !o->compile_only) {
		/* a failed hook is an error among the results; one that is no SQL text has no node */
		int end_rc = run_end_hooks(&st, list, nres, dl), errs = t.err;
		add_hook_results(&st, "on-run-end", list, &nres, &t);
		if (end_rc < 0 && t.err == errs)
			t.err++;
		report_summary(&st, selected, elapsed, &t);
	} else if (exit_code == 0 && t.err) {
		/* compile (and docs generate) end as dbt's does on its first error: "Encountered an
		 * error", exit code 2 */
		report_line("MainEncounteredError", "Encountered an error:");
		for (size_t i = 0; i < p->nnodes; i++)
			if (st.errors[i])
				report_error_text(st.errors[i]);
	}
	if (exit_code == 0) {
		double a0 = art_now();
		c0 = proj_cpu_s();
		exit_code = runner_write_artifacts(p, g, o, list, nres, elapsed, dl);
		proj_timing("run_results.json and manifest.json (CPU time / wall time): %.3f/%.3fs",
			    proj_cpu_s() - c0, art_now() - a0);
	}
	if (exit_code == 0 && t.err)
		exit_code = o->compile_only ? 2 : 1;
	/* dbt ends a run stopped by Ctrl-C with its "unhandled error" code */
	if (interrupted)
		exit_code = 2;
	if (intr_on)
		intr_uninstall();
	for (int i = 0; i < threads; i++) {
		if (i < st.nworkers)
			st.vt->close_conn(st.workers[i].conn);
		arena_release(&st.workers[i].arena);
	}
	st.vt->close(st.ad);
	free(list);
	free(status);
	free(st.errors);
	free(st.results);
	free(st.workers);
	return exit_code;
}
