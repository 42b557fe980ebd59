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

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters/adapter.h"
#include "artifacts/artifacts.h"
#include "core/csv.h"
#include "core/fs.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "runner/internal.h"
#include "core/report.h"

/* what a worker runs, for the interrupt watcher */
enum { IDLE = -1, HOOKS = -2 };

struct worker {
	struct adapter_conn *conn;
	atomic_int current;   /* node index, IDLE, or HOOKS */
	struct arena arena;   /* scratch, reset after each node */
	struct arena *keep;   /* what outlives the node (results, compiled SQL): the project's */
	struct diag_list dl;
};

struct run_state {
	struct project *p;
	const struct graph *g;
	const struct run_options *o;
	struct adapter *ad;
	const struct adapter_vtable *vt;
	struct worker *workers;
	int nworkers;         /* with an open connection */
	struct run_result *results;  /* by node index */
	struct arena *skip_arena;    /* for on_skip, which the scheduler calls under its lock */
	const char **errors;         /* by node index: the text to repeat in the summary */
	atomic_int started;
	int total;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/* The CTEs of the ephemeral nodes in `list` (node indexes), each after the ephemerals it refs and
 * each once (`done` holds the indexes written), so nested ephemerals become one flat WITH list */
static int add_ctes(struct project *p, struct dbt_render *r, value list, value done, struct sb *ctes)
{
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		bool seen = false;
		for (uint32_t j = 0; j < done.l->len && !seen; j++)
			seen = done.l->items[j].i == list.l->items[i].i;
		if (seen)
			continue;
		struct node *e = p->nodes[list.l->items[i].i];
		struct dbt_render er = {.proj = p, .node = e, .phase = DBT_EXECUTE, .arena = r->arena, .dl = r->dl,
					.adapter = r->adapter, .vt = r->vt, .conn = r->conn};
		struct sb esql = SB_INIT;
		int rc = dbt_render(&er, e->tmpl, &esql);
		if (rc == 0)
			rc = add_ctes(p, &er, er.ephemerals, done, ctes);
		if (rc == 0) {
			val_list_push(done, list.l->items[i]);
			sb_addf(ctes, "%s__dbt__cte__%s as (\n%s\n)", ctes->len ? ", " : "", e->name, esql.buf);
		}
		sb_release(&esql);
		if (rc)
			return -1;
	}
	return 0;
}

/* The length of the blanks and SQL comments at the start of s */
static size_t sql_lead(const char *s)
{
	const char *t = s;
	for (;;) {
		while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
			t++;
		if (t[0] == '-' && t[1] == '-')
			t += strcspn(t, "\n");
		else if (t[0] == '/' && t[1] == '*' && strstr(t + 2, "*/"))
			t = strstr(t + 2, "*/") + 2;
		else
			return (size_t)(t - s);
	}
}

/* WITH __dbt__cte__x as (...) injected in front of the compiled SQL, as dbt does for ephemerals */
int runner_inject_ctes(struct project *p, struct dbt_render *r, const char *sql, struct sb *out,
		       struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn)
{
	if (r->ephemerals.type != V_LIST || r->ephemerals.l->len == 0) {
		sb_adds(out, sql);
		return 0;
	}
	(void)ad, (void)vt, (void)conn;
	struct sb ctes = SB_INIT;
	if (add_ctes(p, r, r->ephemerals, val_list_new(r->arena, 4), &ctes) < 0) {
		sb_release(&ctes);
		return -1;
	}
	/* merge with a leading WITH (or WITH RECURSIVE) of the model's own, past its comments */
	size_t lead = sql_lead(sql);
	const char *s = sql + lead;
	if (!strncasecmp(s, "with", 4) && (s[4] == ' ' || s[4] == '\n' || s[4] == '\t')) {
		size_t kw = 4 + sql_lead(s + 4);
		if (!strncasecmp(s + kw, "recursive", 9) && (s[kw + 9] == ' ' || s[kw + 9] == '\n' || s[kw + 9] == '\t'))
			kw += 9;
		sb_add(out, sql, lead);
		sb_add(out, s, kw);
		sb_addf(out, " %s, %s", ctes.buf, s + kw);
	} else {
		sb_addf(out, "with %s\n%s", ctes.buf, sql);
	}
	sb_release(&ctes);
	return 0;
}

int runner_compile_node(struct project *p, struct node *n, struct adapter *ad, const struct adapter_vtable *vt,
			struct adapter_conn *conn, struct arena *a, const char **psql, struct diag_list *dl)
{
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = a, .dl = dl,
			       .adapter = ad, .vt = vt, .conn = conn};
	struct sb out = SB_INIT, full = SB_INIT;
	int rc = 0;
	if (n->test_metadata.type == V_DICT) {
		/* a generic test: its arguments, rendered in its own context */
		value ctx = dbt_context(&r), kwargs;
		rc = runner_test_kwargs(&r, n, &kwargs);
		if (rc == 0)
			val_dict_sets(ctx, "_dbt_generic_test_kwargs", kwargs);
	}
	if (rc == 0)
		rc = dbt_render(&r, n->tmpl, &out);
	if (rc == 0)
		rc = runner_inject_ctes(p, &r, out.buf, &full, ad, vt, conn);
	if (rc == 0)
		*psql = arena_strndup(a, full.buf, full.len);
	sb_release(&out);
	sb_release(&full);
	return rc;
}

/* Where a node's SQL goes under target/: generic tests get a file of their own under their yml,
 * as dbt writes them (target/compiled/pkg/models/schema.yml/unique_orders_id.sql) */
static const char *node_sql_path(struct arena *a, const char *kind, const struct node *n)
{
	if (n->test_metadata.type == V_DICT)
		return arena_sprintf(a, "%s/%s/%s/%s", kind, n->package, n->original_file_path, n->path);
	return arena_sprintf(a, "%s/%s/%s", kind, n->package, n->original_file_path);
}

/* Compiling a generic test renders its `model` argument, which calls get_where_subquery: dbt then
 * lists that macro among the test's, also for the tests whose arguments parsing did not render */
static void add_kwargs_macros(struct project *p, struct node *n, struct arena *keep)
{
	const char *id = proj_macro_id(p, keep, n->package, "get_where_subquery");
	if (!id)
		return;
	for (uint32_t i = 0; i < n->nmacros_used; i++)
		if (!strcmp(n->macros_used[i], id))
			return;
	const char **l = arena_alloc(keep, (n->nmacros_used + 1) * sizeof(*l));
	if (n->nmacros_used)
		memcpy(l, n->macros_used, n->nmacros_used * sizeof(*l));
	l[n->nmacros_used] = id;
	n->macros_used = l;
	n->nmacros_used++;
}

static const char *artifact_path(struct arena *a, struct project *p, const char *kind, const struct node *n)
{
	return arena_sprintf(a, "%s/%s", p->target_path, node_sql_path(a, kind, n));
}


/* Walks the views and ephemeral models n reads, depth first, each once; appends each after what
 * it reads. Tables, sources, seeds and other materializations end the walk: their data is read,
 * not their definition. 0, or -1 with diagnostics in dl. */
static int walk_definitions(struct dbt_render *r, const struct node *n, uint8_t *seen, value out,
			    struct diag_list *dl)
{
	struct project *p = r->proj;
	for (uint32_t d = 0; d < n->ndeps; d++) {
		uint32_t k = n->deps[d];
		if (k >= p->nnodes || seen[k])
			continue;
		seen[k] = 1;
		struct node *x = p->nodes[k];
		value mat = val_dict_gets(x->config, "materialized");
		const char *m = mat.type == V_STR ? mat.s : "";
		if (x->type != NODE_MODEL || (strcmp(m, "view") && strcmp(m, "ephemeral")) || !x->tmpl)
			continue;
		if (walk_definitions(r, x, seen, out, dl) < 0)
			return -1;
		const char *sql = NULL;
		if (runner_compile_node(p, x, r->adapter, r->vt, r->conn, r->arena, &sql, dl) < 0)
			return -1;
		value d1 = val_dict_new(r->arena, 4);
		val_dict_sets(d1, "unique_id", val_str(x->unique_id));
		val_dict_sets(d1, "name", val_str(x->name));
		val_dict_sets(d1, "materialized", val_str(m));
		val_dict_sets(d1, "sql", val_str(sql));
		val_list_push(out, d1);
	}
	return 0;
}

/* upstream_definitions(): [{unique_id, name, materialized, sql}] of every view and ephemeral model
 * the node reads, transitively up to the tables, what it reads first; the SQL compiled now. A
 * streaming job's plan inlines them, so they are part of what the job is. */
static value f_upstream_definitions(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	struct dbt_render *r = dbt_r(vm);
	value out = val_list_new(r->arena, 4);
	if (!r->node)
		return out;
	uint8_t *seen = xcalloc(r->proj->nnodes ? r->proj->nnodes : 1, 1);
	struct diag_list dl;
	diag_list_init(&dl);
	int rc = walk_definitions(r, r->node, seen, out, &dl);
	free(seen);
	if (rc < 0) {
		struct sb s = SB_INIT;
		for (const struct diag *d = dl.head; d; d = d->next)
			if (d->kind == DIAG_ERROR)
				diag_format(&s, d, false);
		const char *msg = arena_strndup(r->arena, s.buf, s.len);
		sb_release(&s);
		diag_list_release(&dl);
		jj_raise(vm, "upstream_definitions(): a model it reads does not compile: %s", msg);
	}
	diag_list_release(&dl);
	return out;
}

void runner_node_context(struct dbt_render *r, const char *sql)
{
	r->rows_affected = -1;
	value ctx = dbt_context(r);
	val_dict_sets(ctx, "sql", val_str(sql));
	val_dict_sets(ctx, "compiled_code", val_str(sql));
	val_dict_sets(ctx, "pre_hooks", dbt_hooks_value(r->arena, r->node->config, "pre-hook"));
	val_dict_sets(ctx, "post_hooks", dbt_hooks_value(r->arena, r->node->config, "post-hook"));
	val_dict_sets(ctx, "model", dbt_model_value(r->arena, r->proj, r->node));
	val_dict_sets(ctx, "upstream_definitions",
		      val_func(r->arena, "upstream_definitions", f_upstream_definitions, NULL));
}

static const char *first_line_diag(struct diag_list *dl, struct arena *a)
{
	struct sb s = SB_INIT;
	for (const struct diag *d = dl->head; d; d = d->next)
		if (d->kind == DIAG_ERROR)
			diag_format(&s, d, false);
	const char *r = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

static const char *describe_node(struct arena *a, const struct node *n)
{
	if (n->type == NODE_SEED)
		return arena_sprintf(a, "seed file %s.%s", n->schema ? n->schema : "", n->alias ? n->alias : n->name);
	if (n->type == NODE_SNAPSHOT)
		return arena_sprintf(a, "snapshot %s.%s", n->schema ? n->schema : "", n->alias ? n->alias : n->name);
	if (n->type == NODE_TEST)
		return arena_sprintf(a, "test %s", n->name);
	value mat = val_dict_gets(n->config, "materialized");
	return arena_sprintf(a, "sql %s %s %s.%s", mat.type == V_STR ? mat.s : "view", node_type_name(n->type),
			     n->schema ? n->schema : "", n->alias ? n->alias : n->name);
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
		told[i] = IDLE;
	if (!st->vt->cancel)
		report_line("QueryCancelationUnsupported",
			    "The %s adapter does not support query cancellation. Some queries may still be running!",
			    st->vt->type);
	for (;;) {
		bool busy = false;
		for (int i = 0; i < st->nworkers; i++) {
			int cur = atomic_load(&st->workers[i].current);
			if (cur == IDLE)
				continue;
			busy = true;
			if (st->vt->cancel)
				st->vt->cancel(st->workers[i].conn);
			if (told[i] != cur) {
				told[i] = cur;
				report_line("LogCancelLine", "CANCEL query %s",
					    cur == HOOKS ? "of the run's hooks" : st->p->nodes[cur]->unique_id);
			}
		}
		if (!busy)
			break;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	free(told);
}

/*
 * A seed's CSV must be one table: every record as many fields as the header. Loaders guess
 * otherwise (a wrong last row can become the header of an empty table), so the file is checked
 * before anything touches the database, and an error points at the record in the CSV.
 */
static int check_seed(const struct node *n, struct diag_list *dl)
{
	value d = val_dict_gets(n->config, "delimiter");
	char delim = d.type == V_STR && d.len == 1 ? d.s[0] : ',';
	struct csv_report rep;
	/* the node keeps no raw code (a seed is data), but its file's text stays registered */
	size_t len = 0;
	const char *text = diag_file_text(n->file, &len);
	if (csv_check(text ? text : "", text ? len : 0, delim, &rep) == 0)
		return 0;
	size_t line_len = 0;
	if (rep.problem == CSV_FIELD_COUNT) {
		line_len = rep.len;
		struct loc l = {n->file, (uint32_t)rep.off, (uint32_t)line_len};
		if (rep.fields > rep.header_fields) {
			l.off = (uint32_t)rep.extra_off;
			l.len = (uint32_t)(rep.off + line_len - rep.extra_off);
		}
		struct diag *e = diag_error(dl, l, "row %zu has %zu field%s, but the header has %zu", rep.records,
					    rep.fields, rep.fields == 1 ? "" : "s", rep.header_fields);
		diag_hint(dl, e, rep.fields > rep.header_fields
				     ? "remove the extra fields, or quote a value that contains the delimiter '%c'"
				     : "add the missing fields (an empty field is written as nothing between two '%c')",
			  delim);
		diag_note(dl, e, loc_at(n->file, 1, 1, 0), "the header is here");
	} else if (rep.problem == CSV_OPEN_QUOTE) {
		struct loc q = {n->file, (uint32_t)rep.off, 1};
		struct diag *e = diag_error(dl, q, "this quoted field is never closed");
		diag_hint(dl, e, "close it with '\"', and write a quote inside a quoted field as '\"\"'");
	} else {
		struct diag *e = diag_error(dl, loc_at(n->file, 1, 1, 0), "the seed file is empty");
		diag_hint(dl, e, "a seed needs a header line naming its columns");
	}
	return -1;
}

static int work(void *ud, uint32_t idx, int wid)
{
	struct run_state *st = ud;
	struct project *p = st->p;
	struct node *n = p->nodes[idx];
	struct worker *w = &st->workers[wid];
	struct run_result *res = &st->results[idx];
	/* published before the flag is read: see DESIGN */
	atomic_store(&w->current, (int)idx);
	if (intr_requested()) {
		atomic_store(&w->current, IDLE);
		return SCHED_HALT;
	}
	struct arena_mark mark = arena_mark(&w->arena);
	int seq = atomic_fetch_add(&st->started, 1) + 1;
	if (n->type == NODE_UNIT_TEST) {
		res->node = idx;
		res->thread_id = wid + 1;
		diag_list_init(&w->dl);
		int urc = runner_unit_test(p, st->g, n, st->ad, st->vt, w->conn, &w->arena, w->keep, res, seq, st->total,
					   &st->errors[idx], &w->dl);
		diag_list_release(&w->dl);
		arena_reset(&w->arena, mark);
		return urc;
	}
	const char *what = describe_node(w->keep, n);
	bool compile_only = st->o->compile_only;
	if (!compile_only)
		report_status("LogStartLine", seq, st->total, arena_sprintf(w->keep, "START %s", what), "RUN",
			      RC_NONE, -1);
	res->node = idx;
	res->thread_id = wid;  /* from 0: the results name it Thread-<id + 1> */
	res->failures = -1;
	res->rows_affected = -1;
	res->compile_started = now_s();
	diag_list_init(&w->dl);
	const char *sql = "";
	/* a seed has nothing to compile: its materialization loads the file, once it is known sound */
	int rc = n->type == NODE_SEED ? (compile_only ? 0 : check_seed(n, &w->dl))
				      : runner_compile_node(p, n, st->ad, st->vt, w->conn, &w->arena, &sql, &w->dl);
	res->compile_completed = now_s();
	const char *db_error = NULL;
	struct sb run_sql = SB_INIT;
	if (rc == 0 && n->type != NODE_SEED) {
		n->compiled_code = arena_strdup(w->keep, sql);
		n->compiled_path = arena_sprintf(w->keep, "target/%s", node_sql_path(&w->arena, "compiled", n));
		if (n->test_metadata.type == V_DICT)
			add_kwargs_macros(p, n, w->keep);
		char *shown = arena_strdup(&w->arena, sql); /* secrets never reach target/ */
		size_t shown_len = log_redact_n(shown, strlen(shown));
		if (fs_write_direct(artifact_path(&w->arena, p, "compiled", n), shown, shown_len) < 0)
			log_msg(LOG_WARN, "cannot write the compiled SQL of %s", n->unique_id);
		res->compiled_code = n->compiled_code;
	}
	res->execute_started = now_s();
	if (rc == 0 && !compile_only) {
		value mat = val_dict_gets(n->config, "materialized");
		const char *mname = mat.type == V_STR ? mat.s : "view";
		value fn = dbt_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_%s", mname, st->vt->type));
		if (fn.type == V_UNDEF && st->vt->parent)
			fn = dbt_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_%s", mname, st->vt->parent));
		if (fn.type == V_UNDEF)
			fn = dbt_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_default", mname));
		if (fn.type == V_UNDEF) {
			struct diag *d = diag_error(&w->dl, loc_at(n->file, 1, 1, 0),
						    "no materialization '%s' for adapter '%s'", mname, st->vt->type);
			diag_hint(&w->dl, d, "use view, table, incremental or ephemeral, or define {%% materialization %s, adapter='%s' %%}",
				  mname, st->vt->type);
			rc = -1;
		} else {
			struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = &w->arena,
					       .dl = &w->dl, .adapter = st->ad, .vt = st->vt, .conn = w->conn,
					       .full_refresh = st->o->full_refresh, .main_sql = &run_sql, .worker = wid + 1};
			runner_node_context(&r, sql);
			char *err = NULL;
			/* on a streaming engine, tests and batch tables run in a bounded session of their
			 * own: their queries must end, over a snapshot of what they read */
			bool batch_table = n->type == NODE_MODEL && val_streq(val_dict_gets(n->config, "materialized"), "table");
			bool test_session = st->vt->begin_test_session && (n->type == NODE_TEST || batch_table);
			if (test_session && runner_begin_test_session(p, st->g, n, st->ad, st->vt, w->conn,
								      n->type == NODE_TEST ? 60 * 1000 : 0, &w->arena,
								      &w->dl, &err) < 0) {
				db_error = arena_strdup(w->keep, err ? err : "cannot open a bounded session");
				rc = -1;
				test_session = false;
			} else if (st->vt->begin(w->conn, &w->arena, &err) < 0) {
				db_error = arena_strdup(w->keep, err ? err : "cannot begin a transaction");
				rc = -1;
			} else {
				value out;
				struct vargs none = {0};
				rc = dbt_call_value(&r, fn, &none, &out);
				if (rc) {
					char *e2 = NULL;
					(void)st->vt->rollback(w->conn, &w->arena, &e2);
					db_error = r.status_message && !strncmp(r.status_message, "ERROR:", 6)
							   ? arena_strdup(w->keep, r.status_message + 6)
							   : NULL;
				} else {
					/* a materialization that left its transaction open (tests do) ends it
					 * here; one that committed already makes this a harmless no-op */
					char *e2 = NULL;
					(void)st->vt->commit(w->conn, &w->arena, &e2);
					res->rows_affected = r.rows_affected;
					/* a materialization may name its result itself: {'message': 'JOB ...'} */
					value msg = out.type == V_DICT ? val_dict_gets(out, "message") : val_undef();
					res->adapter_code = msg.type == V_STR ? arena_strdup(w->keep, msg.s)
							    : r.status_message ? arena_strdup(w->keep, r.status_message) : "OK";
					if (n->type == NODE_TEST)
						runner_test_status(&r, n, res, w->keep);
				}
			}
			if (test_session) {
				char *e3 = NULL;
				if (st->vt->end_test_session(w->conn, &w->arena, &e3) < 0)
					log_msg(LOG_WARN, "%s", e3 ? e3 : "cannot close the bounded session");
			}
			if (rc == 0 && test_session && batch_table && st->vt->catalog_is_session_scoped(st->ad)) {
				/* the table was made in a session now gone: what runs next reads it here */
				uint8_t *one = xcalloc(p->nnodes, 1);
				one[n->index] = 1;
				if (runner_restore(p, st->g, one, false, st->ad, st->vt, w->conn, &w->arena, &w->dl))
					rc = -1;
				free(one);
			}
			if (run_sql.len) {
				run_sql.len = log_redact_n(run_sql.buf, run_sql.len);
				if (fs_write_direct(artifact_path(&w->arena, p, "run", n), run_sql.buf, run_sql.len) < 0)
					log_msg(LOG_WARN, "cannot write the run SQL of %s", n->unique_id);
			}
		}
	}
	res->execute_completed = now_s();
	res->execution_time = res->execute_completed - res->compile_started;
	res->relation_name = n->relation_name;
	if (rc == 0 && n->type == NODE_TEST && !compile_only && res->status) {
		/* pass, warn or fail */
		bool failed = !strcmp(res->status, "fail"), warned = !strcmp(res->status, "warn");
		const char *label = failed ? arena_sprintf(w->keep, "FAIL %lld", (long long)res->failures)
			     : warned ? arena_sprintf(w->keep, "WARN %lld", (long long)res->failures) : "PASS";
		report_status("LogTestResult", seq, st->total, arena_sprintf(w->keep, "%s %s", failed ? "FAIL" : warned ? "WARN" : "PASS", n->name),
			      label, failed ? RC_RED : warned ? RC_YELLOW : RC_GREEN, res->execution_time);
		if (failed || warned) {
			struct sb msg = SB_INIT;
			sb_addf(&msg, "%s in test %s (%s)\n  %s\n\n  compiled code at target/%s\n", failed ? "Failure" : "Warning",
				n->name, n->original_file_path, res->message, node_sql_path(&w->arena, "compiled", n));
			st->errors[idx] = arena_strndup(w->keep, msg.buf, msg.len);
			sb_release(&msg);
		}
		if (failed)
			rc = 1;
	} else if (rc == 0) {
		res->status = "success";
		res->message = compile_only ? "OK" : (res->adapter_code ? res->adapter_code : "OK");
		if (!compile_only) {
			report_status("LogModelResult", seq, st->total,
				      n->type == NODE_SNAPSHOT
					      ? arena_sprintf(w->keep, "OK snapshotted %s.%s", n->schema, n->alias ? n->alias : n->name)
					      : arena_sprintf(w->keep, n->type == NODE_SEED ? "OK loaded %s" : "OK created %s", what),
				      res->message, RC_GREEN, res->execution_time);
		}
	} else if (intr_requested()) {
		/* cancelled by Ctrl-C: not an error of the node's own */
		res->status = "error";
		res->message = arena_sprintf(w->keep, "Interrupted: %s %s was cancelled before it finished (ctrl-c)",
					     node_type_name(n->type), n->name);
		st->errors[idx] = arena_sprintf(w->keep, "%s\n", res->message);
		report_status("LogModelResult", seq, st->total, arena_sprintf(w->keep, "CANCELLED %s", what), "CANCEL",
			      RC_YELLOW, res->execution_time);
		rc = SCHED_HALT;
	} else {
		res->status = "error";
		const char *detail = db_error ? db_error : first_line_diag(&w->dl, &w->arena);
		const char *kind = db_error || w->dl.nerrors == 0 ? "Database Error"
				   : n->type == NODE_SEED ? "Runtime Error" : "Compilation Error";
		/* a database error raised inside a macro is reported as the database's message */
		for (const struct diag *d = w->dl.head; d && !db_error; d = d->next) {
			if (d->kind == DIAG_ERROR && d->from_db) {
				kind = "Database Error";
				detail = arena_strdup(&w->arena, d->msg);
				break;
			}
		}
		res->message = arena_sprintf(w->keep, "%s in %s %s (%s)\n  %s", kind, node_type_name(n->type), n->name,
					     n->original_file_path, detail);
		struct sb msg = SB_INIT;
		sb_addf(&msg, "%s in %s %s (%s)\n", kind, node_type_name(n->type), n->name, n->original_file_path);
		/* indent the detail under the heading */
		for (const char *s = detail; *s;) {
			const char *e = strchr(s, '\n');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			sb_addf(&msg, "  %.*s\n", (int)len, s);
			s += len + (e ? 1 : 0);
		}
		/* a seed has no compiled file: its heading names the CSV */
		if (n->type != NODE_SEED && (rc == 0 || db_error || !strcmp(kind, "Database Error")))
			sb_addf(&msg, "  compiled code at target/%s\n",
				node_sql_path(&w->arena, run_sql.len ? "run" : "compiled", n));
		st->errors[idx] = arena_strndup(w->keep, msg.buf, msg.len);
		sb_release(&msg);
		report_status("LogModelResult", seq, st->total,
			      n->type == NODE_TEST ? arena_sprintf(w->keep, "ERROR %s", n->name)
			      : n->type == NODE_SEED ? arena_sprintf(w->keep, "ERROR loading %s", what)
						   : arena_sprintf(w->keep, "ERROR creating %s", what),
			      "ERROR", RC_RED, res->execution_time);
	}
	sb_release(&run_sql);
	/* exceptions.warn() and other warnings of a node that ran: dbt logs them as [WARNING] lines */
	for (const struct diag *d = w->dl.head; d && rc == 0; d = d->next)
		if (d->kind == DIAG_WARN)
			report_line("JinjaLogWarning", "[WARNING]: %s", d->msg);
	diag_list_release(&w->dl);
	arena_reset(&w->arena, mark);
	atomic_store(&w->current, IDLE);
	return rc;
}

static void on_skip(void *ud, uint32_t idx, uint32_t cause)
{
	struct run_state *st = ud;
	struct project *p = st->p;
	struct node *n = p->nodes[idx];
	struct run_result *res = &st->results[idx];
	res->node = idx;
	res->status = "skipped";
	res->failures = -1;
	res->rows_affected = -1;
	res->message = NULL;  /* dbt gives a skipped node no message */
	res->relation_name = n->relation_name;
	int seq = atomic_fetch_add(&st->started, 1) + 1;
	report_status("SkippingDetails", seq, st->total,
		      n->type == NODE_UNIT_TEST
			      ? arena_sprintf(st->skip_arena, "SKIP unit_test %s::%s", p->nodes[n->attached_node]->name, n->name)
			      : arena_sprintf(st->skip_arena, "SKIP relation %s.%s", n->schema ? n->schema : "",
					      n->alias ? n->alias : n->name),
		      "SKIP", RC_YELLOW, -1);
}

/* "3 table models, 2 view models, 1 seed, 5 data tests", as dbt counts what it ran */
static void summary_counts(struct project *p, const uint8_t *selected, struct sb *out)
{
	int counts[NODE_TYPE_COUNT] = {0};
	const char *mats[16];
	int nmat[16] = {0};
	size_t nm = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		if (!selected[i])
			continue;
		counts[p->nodes[i]->type]++;
		if (p->nodes[i]->type != NODE_MODEL)
			continue;
		value m = val_dict_gets(p->nodes[i]->config, "materialized");
		const char *name = m.type == V_STR ? m.s : "view";
		size_t k = 0;
		while (k < nm && strcmp(mats[k], name))
			k++;
		if (k == nm && nm < 16)
			mats[nm++] = name;
		if (k < 16)
			nmat[k]++;
	}
	bool first = true;
	for (size_t k = 0; k < nm; k++) {
		sb_addf(out, "%s%d %s model%s", first ? "" : ", ", nmat[k], mats[k], nmat[k] == 1 ? "" : "s");
		first = false;
	}
	for (int t = 1; t < NODE_TYPE_COUNT; t++) {
		if (!counts[t])
			continue;
		sb_addf(out, "%s%d %s%s", first ? "" : ", ", counts[t],
			t == NODE_TEST ? "data test" : t == NODE_UNIT_TEST ? "unit test" : node_type_name((enum node_type)t), counts[t] == 1 ? "" : "s");
		first = false;
	}
}

/* The end of a run stopped by Ctrl-C, as dbt prints it, and the streaming jobs left running */
static void report_interrupted(struct run_state *st, const struct run_result *list, size_t nres, int npass,
			       int nwarn, int nerr, int nskip)
{
	struct project *p = st->p;
	report_line("Formatting", "%s", "");
	report_line("EndOfRunSummary", "Exited because of keyboard interrupt");
	for (size_t i = 0; i < p->nnodes; i++) {
		if (!st->errors[i])
			continue;
		report_line("Formatting", "%s", "");
		report_error_text(st->errors[i]);
	}
	/* a streaming job, once submitted, runs on the cluster until stopped: say which ones */
	int njobs = 0;
	for (size_t i = 0; i < nres; i++) {
		const struct node *n = p->nodes[list[i].node];
		value mat = val_dict_gets(n->config, "materialized");
		if (strcmp(list[i].status, "success") || !val_streq(mat, "streaming_table"))
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
	report_line("StatsLine", "Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", npass, nwarn, nerr, nskip,
		    npass + nwarn + nerr + nskip);
}

int runner_run(struct project *p, struct graph *g, const uint8_t *selected, const struct run_options *o,
	       struct diag_list *dl)
{
	int total = 0;
	for (size_t i = 0; i < p->nnodes; i++)
		total += selected[i] != 0;
	double t0 = now_s();
	struct run_state st = {.p = p, .g = g, .o = o, .total = total};
	p->full_refresh = o->full_refresh;
	atomic_init(&st.started, 0);
	int threads = o->threads > 0 ? o->threads : 1;
	int exit_code = 0;
	if (runner_open_adapter(p, &st.ad, &st.vt, dl) < 0)
		return 2;
	st.workers = xcalloc((size_t)threads, sizeof(*st.workers));
	st.results = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*st.results));
	st.errors = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*st.errors));
	enum sched_status *status = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*status));
	int opened = 0;
	st.skip_arena = proj_new_arena(p);
	for (int i = 0; i < threads; i++) {
		atomic_init(&st.workers[i].current, IDLE);
		arena_init(&st.workers[i].arena, 256 * 1024);
		st.workers[i].keep = proj_new_arena(p);
		char *err = NULL;
		if (st.vt->open_conn(st.ad, &st.workers[i].conn, &p->arena, &err) < 0) {
			diag_error(dl, LOC_NONE, "could not open a connection: %s", err ? err : "unknown error");
			exit_code = 2;
			break;
		}
		opened++;
	}
	st.nworkers = opened;
	/* from here Ctrl-C cancels what runs and ends the run in order (see DESIGN) */
	bool intr_on = !o->compile_only && intr_install(on_interrupt, &st) == 0;
	if (exit_code == 0 && !o->compile_only) {
		/* every schema the selected nodes build in exists before anything runs */
		struct map seen = MAP_INIT;
		for (size_t i = 0; i < p->nnodes && exit_code == 0; i++) {
			struct node *n = p->nodes[i];
			if (!selected[i] || !n->relation_name || n->type == NODE_SOURCE)
				continue;
			const char *key = arena_sprintf(&p->arena, "%s.%s", n->database, n->schema);
			if (map_gets(&seen, key))
				continue;
			map_puts(&seen, key, n);
			char *err = NULL;
			if (st.vt->create_schema(st.workers[0].conn, n->database, n->schema, &p->arena, &err) < 0) {
				diag_error(dl, LOC_NONE, "could not create schema '%s.%s': %s", n->database, n->schema,
					   err ? err : "unknown error");
				exit_code = 2;
			}
			/* the relation cache lists each schema once, here, before any thread runs DDL in it */
			struct adapter_relation *rels;
			size_t nrels;
			if (exit_code == 0 && st.vt->cache_note &&
			    st.vt->list_relations(st.workers[0].conn, n->database, n->schema, &rels, &nrels,
						  st.skip_arena, &err) < 0) {
				diag_error(dl, LOC_NONE, "could not list the relations of schema '%s.%s': %s", n->database,
					   n->schema, err ? err : "unknown error");
				exit_code = 2;
			}
		}
		map_release(&seen);
	}
	if (exit_code == 0 && !o->compile_only && st.vt->catalog_is_session_scoped) {
		/* a new session knows nothing of what the selected nodes read: declare it first */
		uint8_t *of = xcalloc(p->nnodes ? p->nnodes : 1, 1);
		for (size_t i = 0; i < p->nnodes; i++)
			of[i] = selected[i] && p->nodes[i]->type != NODE_TEST;
		uint8_t *want = runner_upstream(p, of, false);
		for (size_t i = 0; i < p->nnodes; i++)
			want[i] = want[i] && !of[i];
		free(of);
		(void)runner_restore(p, g, want, false, st.ad, st.vt, st.workers[0].conn, st.skip_arena, dl);
		free(want);
	}
	if (exit_code == 0) {
		if (!o->compile_only) {
			report_line("ConcurrencyLine", "Concurrency: %d thread%s (target='%s')", threads,
				    threads == 1 ? "" : "s", p->target.target_name);
			report_line("Formatting", "%s", "");
			atomic_store(&st.workers[0].current, HOOKS);
			if (!intr_requested() && runner_run_hooks(p, "on-run-start", st.ad, st.vt, st.workers[0].conn,
								  val_none(), st.skip_arena, dl) < 0)
				exit_code = intr_requested() ? 0 : 1;
			atomic_store(&st.workers[0].current, IDLE);
		}
		if (exit_code == 0 && !intr_requested())
			graph_sched_run(g, selected, threads, o->fail_fast, work, on_skip, &st, status);
	}
	bool interrupted = intr_on && intr_requested();
	if (interrupted) {
		/* what never started is marked, so run_results.json accounts for every selected node */
		for (size_t i = 0; i < p->nnodes; i++) {
			if (!selected[i] || st.results[i].status)
				continue;
			struct run_result *r = &st.results[i];
			r->node = (uint32_t)i;
			r->status = "skipped";
			r->message = "Skipped: the run was interrupted before it started (ctrl-c)";
			r->thread_id = -1;
			r->failures = -1;
			r->rows_affected = -1;
			r->relation_name = p->nodes[i]->relation_name;
		}
	}
	double elapsed = now_s() - t0;
	/* results in the order nodes finished is not needed: by index keeps it stable */
	size_t nres = 0;
	struct run_result *list = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*list));
	int npass = 0, nerr = 0, nskip = 0, nwarn = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		if (!selected[i] || !st.results[i].status)
			continue;
		list[nres++] = st.results[i];
		const char *s = st.results[i].status;
		if (!strcmp(s, "success") || !strcmp(s, "pass"))
			npass++;
		else if (!strcmp(s, "error") || !strcmp(s, "fail"))
			nerr++;
		else if (!strcmp(s, "warn"))
			nwarn++;
		else
			nskip++;
	}
	if (exit_code == 0 && interrupted) {
		report_interrupted(&st, list, nres, npass, nwarn, nerr, nskip);
	} else if (exit_code == 0 && !o->compile_only) {
		/* on-run-end sees the results and the schemas of the run, as in dbt */
		struct arena *ha = st.skip_arena;
		value results = val_list_new(ha, nres), schemas = val_list_new(ha, 4);
		for (size_t i = 0; i < nres; i++) {
			struct node *n = p->nodes[list[i].node];
			value rv = val_dict_new(ha, 6);
			val_dict_sets(rv, "status", val_str(list[i].status));
			val_dict_sets(rv, "message", list[i].message ? val_str(list[i].message) : val_none());
			val_dict_sets(rv, "execution_time", val_float(list[i].execution_time));
			val_dict_sets(rv, "failures", list[i].failures >= 0 ? val_int(list[i].failures) : val_none());
			val_dict_sets(rv, "node", dbt_model_value(ha, p, n));
			val_dict_sets(rv, "unique_id", val_str(n->unique_id));
			val_list_push(results, rv);
			if (n->schema && n->type != NODE_TEST) {
				bool seen = false;
				for (uint32_t k = 0; k < schemas.l->len && !seen; k++)
					seen = val_streq(schemas.l->items[k], n->schema);
				if (!seen)
					val_list_push(schemas, val_str(n->schema));
			}
		}
		value extra = val_dict_new(ha, 2);
		val_dict_sets(extra, "results", results);
		val_dict_sets(extra, "schemas", schemas);
		if (runner_run_hooks(p, "on-run-end", st.ad, st.vt, st.workers[0].conn, extra, ha, dl) < 0)
			nerr++;
		struct sb counts = SB_INIT;
		summary_counts(p, selected, &counts);
		report_line("Formatting", "%s", "");
		report_line("FinishedRunningStats", "Finished running %s in %d hours %d minutes and %.2f seconds (%.2fs).",
			    counts.len ? counts.buf : "0 nodes", (int)(elapsed / 3600), (int)(elapsed / 60) % 60,
			    elapsed - 60 * (int)(elapsed / 60), elapsed);
		sb_release(&counts);
		report_line("Formatting", "%s", "");
		if (nerr) {
			report_line("EndOfRunSummary", "Completed with %d error%s, 0 partial successes, and %d warning%s:", nerr,
				    nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
			for (size_t i = 0; i < p->nnodes; i++) {
				if (!st.errors[i])
					continue;
				report_line("Formatting", "%s", "");
				report_error_text(st.errors[i]);
			}
		} else if (nwarn) {
			report_line("EndOfRunSummary", "Completed with %d warning%s:", nwarn, nwarn == 1 ? "" : "s");
			for (size_t i = 0; i < p->nnodes; i++) {
				if (!st.errors[i])
					continue;
				report_line("Formatting", "%s", "");
				report_error_text(st.errors[i]);
			}
		} else {
			report_line("EndOfRunSummary", "Completed successfully");
		}
		report_line("Formatting", "%s", "");
		report_line("StatsLine", "Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", npass, nwarn, nerr, nskip,
			    npass + nwarn + nerr + nskip);
	} else if (exit_code == 0 && nerr) {
		for (size_t i = 0; i < p->nnodes; i++)
			if (st.errors[i])
				report_error_text(st.errors[i]);
	}
	if (exit_code == 0) {
		struct art_invocation inv = {o->command, p->invocation_id, p->run_started_at, o->args};
		const char *rr = arena_sprintf(&p->arena, "%s/run_results.json", p->target_path);
		if (art_write_run_results(rr, p, list, nres, elapsed, &inv, dl) < 0)
			exit_code = 2;
		const char *mf = arena_sprintf(&p->arena, "%s/manifest.json", p->target_path);
		if (art_write_manifest(mf, p, g, &inv, dl) < 0)
			exit_code = 2;
	}
	if (exit_code == 0 && nerr)
		exit_code = 1;
	/* dbt ends a run stopped by Ctrl-C with its "unhandled error" code */
	if (interrupted)
		exit_code = 2;
	if (intr_on)
		intr_uninstall();
	for (int i = 0; i < threads; i++) {
		if (i < opened)
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
