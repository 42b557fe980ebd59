/*
 * One node of a run, on a worker's thread (see runner.c for the DESIGN): runner_work() is what the
 * scheduler calls for a node whose dependencies have finished, runner_skip() for one an ancestor's
 * failure skips. runner_work() goes through steps with one job each:
 *
 *   compile_step      renders the SQL (a seed: checks its CSV) and writes target/compiled/
 *   materialize_step  runs the node's materialization in a transaction (tests and batch tables on a
 *                     streaming engine: in a bounded session of their own) and writes target/run/
 *   report_*          one per outcome (test result, success, cancelled, error): the node's status
 *                     and message, its result line, and the text the run's summary repeats
 *
 * What dies with the node lives in the worker's scratch arena; what the results keep, in w->keep.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/fs.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/report.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "runner/internal.h"

/* What the steps of one node share */
struct job {
	struct run_state *st;
	struct worker *w;
	struct node *n;
	struct run_result *res;
	uint32_t idx;
	int wid;
	int seq;               /* its number in the progress lines */
	const char *what;      /* "sql table model main.orders": what the progress lines name */
	const char *sql;       /* the compiled SQL; "" for a seed */
	const char *db_error;  /* an error the database returned as text (begin, bounded session) */
	struct sb run_sql;     /* the SQL the materialization ran, for target/run/ */
	bool clone_ran;        /* clone: a 'main' statement ran (else the result says No-op) */
};

/* How a failed node's error is headed, as dbt words it */
enum node_error { NODE_ERR_DATABASE, NODE_ERR_COMPILATION, NODE_ERR_RUNTIME };
static const char *const node_error_names[] = {
	[NODE_ERR_DATABASE] = "Database Error",
	[NODE_ERR_COMPILATION] = "Compilation Error",
	[NODE_ERR_RUNTIME] = "Runtime Error",
};

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
	return arena_sprintf(a, "%s/%s", p->target_path, runner_node_sql_path(a, kind, n));
}

/* An incremental model of the microbatch strategy that runs batch by batch (see below) */
static bool is_microbatch(const struct run_state *st, const struct node *n)
{
	return st->microbatch && proj_is_microbatch(n);
}

static const char *describe_node(struct arena *a, const struct run_state *st, const struct node *n)
{
	if (n->type == NODE_SEED)
		return arena_sprintf(a, "seed file %s.%s", n->schema ? n->schema : "", n->alias ? n->alias : n->name);
	if (n->type == NODE_SNAPSHOT)
		return arena_sprintf(a, "snapshot %s.%s", n->schema ? n->schema : "", n->alias ? n->alias : n->name);
	if (n->type == NODE_TEST)
		return arena_sprintf(a, "test %s", n->name);
	value mat = val_dict_gets(n->config, "materialized");
	return arena_sprintf(a, "sql %s %s %s.%s", is_microbatch(st, n) ? "microbatch" : mat.type == V_STR ? mat.s : "view",
			     node_type_name(n->type),
			     n->schema ? n->schema : "", n->alias ? n->alias : n->name);
}

/*
 * A seed's CSV must be one table: no record with more fields than the header (a shorter one is
 * padded with NULLs, as agate pads dbt's seed rows). Loaders guess otherwise (a wrong last row
 * can become the header of an empty table), so the file is checked before anything touches the
 * database, and an error points at the record in the CSV.
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
		/* the extra fields underlined */
		struct loc l = {n->file, (uint32_t)rep.extra_off, (uint32_t)(rep.off + line_len - rep.extra_off)};
		struct diag *e = diag_error(dl, l, "row %zu has %zu fields, but the header has %zu", rep.records,
					    rep.fields, rep.header_fields);
		diag_hint(dl, e, "remove the extra fields, or quote a value that contains the delimiter '%c'", delim);
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

/* ---------------------------------------------------------------- compile */

/* The compiled SQL becomes the node's (manifest, results) and target/compiled/, secrets hidden */
static void keep_compiled(struct job *j)
{
	struct project *p = j->st->p;
	struct worker *w = j->w;
	struct node *n = j->n;
	n->compiled_code = arena_strdup(w->keep, j->sql);
	n->compiled_path = arena_sprintf(w->keep, "target/%s", runner_node_sql_path(&w->arena, "compiled", n));
	if (n->test_metadata.type == V_DICT)
		add_kwargs_macros(p, n, w->keep);
	char *shown = arena_strdup(&w->arena, j->sql); /* secrets never reach target/ */
	size_t shown_len = log_redact_n(shown, strlen(shown));
	if (fs_write_direct(artifact_path(&w->arena, p, "compiled", n), shown, shown_len) < 0)
		log_msg(LOG_WARN, "cannot write the compiled SQL of %s", n->unique_id);
	j->res->compiled_code = n->compiled_code;
}

static int compile_step(struct job *j)
{
	struct run_state *st = j->st;
	struct worker *w = j->w;
	struct node *n = j->n;
	j->res->compile_started = art_now();
	/* a seed has nothing to compile: its materialization loads the file, once it is known sound;
	 * nor has a clone (dbt's CloneRunner.compile returns the node as it is) */
	int rc = st->o->clone	     ? 0
		 : n->type == NODE_SEED ? (st->o->compile_only ? 0 : check_seed(n, &w->dl))
				      : runner_compile_node(st->p, n, st->ad, st->vt, w->conn, &w->arena, &j->sql, &w->dl);
	if (st->o->clone) {
		j->res->compile_completed = art_now();
		return 0;
	}
	j->res->compile_completed = art_now();
	if (rc == 0 && n->type != NODE_SEED)
		keep_compiled(j);
	return rc;
}

/* ---------------------------------------------------------------- materialize */

/* The node's materialization macro: the adapter's own, its parent's, else the default; V_UNDEF
 * after a diagnostic when there is none */
static value find_materialization(struct job *j)
{
	struct project *p = j->st->p;
	const struct adapter_vtable *vt = j->st->vt;
	struct worker *w = j->w;
	value mat = val_dict_gets(j->n->config, "materialized");
	const char *mname = j->st->o->clone ? "clone" : mat.type == V_STR ? mat.s : "view";
	value fn = proj_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_%s", mname, vt->type));
	if (fn.type == V_UNDEF && vt->parent)
		fn = proj_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_%s", mname, vt->parent));
	if (fn.type == V_UNDEF)
		fn = proj_find_macro(p, NULL, arena_sprintf(&w->arena, "materialization_%s_default", mname));
	if (fn.type == V_UNDEF) {
		struct diag *d = diag_error(&w->dl, loc_at(j->n->file, 1, 1, 0), "no materialization '%s' for adapter '%s'",
					    mname, vt->type);
		diag_hint(&w->dl, d, "use view, table, incremental or ephemeral, or define {%% materialization %s, adapter='%s' %%}",
			  mname, vt->type);
	}
	return fn;
}

/* Calls the materialization inside the transaction begun for it, and ends the transaction:
 * rolled back when it failed, else committed. 0 or -1 (diagnostics in the worker's list). */
static int call_materialization(struct job *j, struct dbt_render *r, value fn)
{
	const struct adapter_vtable *vt = j->st->vt;
	struct worker *w = j->w;
	struct node *n = j->n;
	struct run_result *res = j->res;
	value out;
	struct vargs none = {0};
	int rc = dbt_call_value(r, fn, &none, &out);
	char *err = NULL;
	if (rc) {
		/* the node's error is what failed inside; this one is logged for who digs further */
		if (vt->rollback(w->conn, &w->arena, &err) < 0)
			log_msg(LOG_WARN, "cannot roll back the transaction of %s: %s", n->unique_id,
				err ? err : "unknown error");
		return rc;
	}
	/* a materialization that left its transaction open (tests do) ends it here; one that committed
	 * already makes this a harmless error (nothing is open) */
	if (vt->commit(w->conn, &w->arena, &err) < 0)
		log_msg(LOG_DEBUG, "commit after the materialization of %s: %s", n->unique_id, err ? err : "unknown error");
	res->rows_affected = r->rows_affected;
	/* the result is the 'main' statement's response, as dbt's _build_run_model_result takes
	 * load_result('main'): a materialization that reports through noop_statement or
	 * store_raw_result ('INSERT 3', AutomateDV's period loads) is heard; else the status of the
	 * main statement run (or the latest) */
	value main = r->statements.type == V_DICT ? val_dict_gets(r->statements, "main") : val_undef();
	j->clone_ran = main.type == V_DICT;
	value resp = main.type == V_DICT ? val_dict_gets(main, "response") : val_undef();
	value said = resp.type == V_DICT ? val_dict_gets(resp, "_message") : val_undef();
	if (said.type == V_STR) {
		value rows = val_dict_gets(resp, "rows_affected");
		value code = val_dict_gets(resp, "code");
		res->rows_affected = rows.type == V_INT			    ? rows.i
				     : rows.type == V_STR && rows.len	    ? strtoll(rows.s, NULL, 10)
				     : code.type == V_NONE || code.type == V_UNDEF ? ADAPTER_MESSAGE_ONLY
										    : -1;
	}
	/* a materialization may name its result itself: {'message': 'JOB ...'} */
	value msg = out.type == V_DICT ? val_dict_gets(out, "message") : val_undef();
	res->adapter_code = msg.type == V_STR	? arena_strdup(w->keep, msg.s)
			    : said.type == V_STR ? arena_strndup(w->keep, said.s, said.len)
			    : r->status_message ? arena_strdup(w->keep, r->status_message)
						: "OK";
	if (n->type == NODE_TEST)
		runner_test_status(r, n, res, w->keep);
	return 0;
}

/* What the materialization ran goes to target/run/, secrets hidden */
static void write_run_sql(struct job *j)
{
	if (!j->run_sql.len)
		return;
	struct worker *w = j->w;
	j->run_sql.len = log_redact_n(j->run_sql.buf, j->run_sql.len);
	if (fs_write_direct(artifact_path(&w->arena, j->st->p, "run", j->n), j->run_sql.buf, j->run_sql.len) < 0)
		log_msg(LOG_WARN, "cannot write the run SQL of %s", j->n->unique_id);
}

static int materialize_step(struct job *j)
{
	struct run_state *st = j->st;
	struct project *p = st->p;
	const struct adapter_vtable *vt = st->vt;
	struct worker *w = j->w;
	struct node *n = j->n;
	value fn = find_materialization(j);
	if (fn.type == V_UNDEF)
		return -1;
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_EXECUTE, .arena = &w->arena, .dl = &w->dl,
			       .adapter = st->ad, .vt = vt, .conn = w->conn, .full_refresh = st->o->full_refresh,
			       .main_sql = &j->run_sql, .worker = j->wid + 1};
	if (st->o->clone) {
		/* a view made by clone selects from the state's relation (dbt's ProviderContext.sql of a
		 * node with a defer_relation) */
		const char *sql = NULL;
		if (dbt_render_string(&r, "clone", "select * from {{ defer_relation }}", LOC_NONE, &sql) < 0)
			return -1;
		j->sql = sql;
	}
	runner_node_context(&r, j->sql);
	/* on a streaming engine, tests and batch tables run in a bounded session of their own: their
	 * queries must end, over a snapshot of what they read */
	bool batch_table = n->type == NODE_MODEL && val_streq(val_dict_gets(n->config, "materialized"), "table");
	bool test_session = vt->begin_test_session && (n->type == NODE_TEST || batch_table);
	char *err = NULL;
	int rc;
	if (test_session && runner_begin_test_session(p, st->g, n, st->ad, vt, w->conn, n->type == NODE_TEST ? 60 * 1000 : 0,
						      &w->arena, &w->dl, &err) < 0) {
		j->db_error = arena_strdup(w->keep, err ? err : "cannot open a bounded session");
		rc = -1;
		test_session = false;
	} else if (vt->begin(w->conn, &w->arena, &err) < 0) {
		j->db_error = arena_strdup(w->keep, err ? err : "cannot begin a transaction");
		rc = -1;
	} else {
		rc = call_materialization(j, &r, fn);
	}
	if (test_session) {
		char *e3 = NULL;
		if (vt->end_test_session(w->conn, &w->arena, &e3) < 0)
			log_msg(LOG_WARN, "%s", e3 ? e3 : "cannot close the bounded session");
	}
	if (rc == 0 && test_session && batch_table && vt->catalog_is_session_scoped(st->ad)) {
		/* the table was made in a session now gone: what runs next reads it here */
		uint8_t *one = xcalloc(p->nnodes, 1);
		one[n->index] = 1;
		if (runner_restore(p, st->g, one, false, st->ad, vt, w->conn, &w->arena, &w->dl))
			rc = -1;
		free(one);
	}
	write_run_sql(j);
	return rc;
}

/* ---------------------------------------------------------------- report */

/* A test that ran: pass, warn or fail. 1 when it failed, else 0. */
static int report_test(struct job *j)
{
	struct run_state *st = j->st;
	struct worker *w = j->w;
	struct node *n = j->n;
	struct run_result *res = j->res;
	bool failed = res->status == RUN_FAIL, warned = res->status == RUN_WARN;
	const char *word = failed ? "FAIL" : warned ? "WARN" : "PASS";
	const char *label = failed || warned ? arena_sprintf(w->keep, "%s %lld", word, (long long)res->failures) : "PASS";
	report_status("LogTestResult", j->seq, st->total, arena_sprintf(w->keep, "%s %s", word, n->name), label,
		      failed ? RC_RED : warned ? RC_YELLOW : RC_GREEN, res->execution_time);
	if (failed || warned) {
		struct sb msg = SB_INIT;
		sb_addf(&msg, "%s in test %s (%s)\n  %s\n\n  compiled code at target/%s\n", failed ? "Failure" : "Warning",
			n->name, n->original_file_path, res->message, runner_node_sql_path(&w->arena, "compiled", n));
		st->errors[j->idx] = arena_strndup(w->keep, msg.buf, msg.len);
		sb_release(&msg);
	}
	return failed ? 1 : 0;
}

static void report_success(struct job *j)
{
	struct node *n = j->n;
	struct worker *w = j->w;
	struct run_result *res = j->res;
	bool compile_only = j->st->o->compile_only;
	res->status = RUN_SUCCESS;
	res->message = compile_only ? "OK" : (res->adapter_code ? res->adapter_code : "OK");
	if (j->st->o->clone) {
		/* dbt's CloneRunner: the main statement's response, else "No-op"; no line of its own */
		if (!j->clone_ran)
			res->message = "No-op";
		return;
	}
	if (compile_only)
		return;
	report_status("LogModelResult", j->seq, j->st->total,
		      n->type == NODE_SNAPSHOT
			      ? arena_sprintf(w->keep, "OK snapshotted %s.%s", n->schema, n->alias ? n->alias : n->name)
			      : arena_sprintf(w->keep, n->type == NODE_SEED ? "OK loaded %s" : "OK created %s", j->what),
		      res->message, RC_GREEN, res->execution_time);
}

/* Cancelled by Ctrl-C: not an error of the node's own. SCHED_HALT. */
static int report_cancelled(struct job *j)
{
	struct node *n = j->n;
	struct worker *w = j->w;
	struct run_result *res = j->res;
	res->status = RUN_ERROR;
	res->message = arena_sprintf(w->keep, "Interrupted: %s %s was cancelled before it finished (ctrl-c)",
				     node_type_name(n->type), n->name);
	j->st->errors[j->idx] = arena_sprintf(w->keep, "%s\n", res->message);
	report_status("LogModelResult", j->seq, j->st->total, arena_sprintf(w->keep, "CANCELLED %s", j->what), "CANCEL",
		      RC_YELLOW, res->execution_time);
	return SCHED_HALT;
}

/* What kind of error failed the node, and its text (*pdetail, in the scratch arena). An error the
 * database returned, as text or raised inside a macro (a diagnostic marked from_db), is reported
 * as the database's message. */
static enum node_error classify_error(struct job *j, const char **pdetail)
{
	struct worker *w = j->w;
	if (j->db_error) {
		*pdetail = j->db_error;
		return NODE_ERR_DATABASE;
	}
	for (const struct diag *d = w->dl.head; d; d = d->next) {
		if (d->kind == DIAG_ERROR && d->from_db) {
			*pdetail = arena_strdup(&w->arena, d->msg);
			return NODE_ERR_DATABASE;
		}
	}
	*pdetail = runner_diag_text(&w->dl, &w->arena);
	if (w->dl.nerrors == 0)
		return NODE_ERR_DATABASE;
	return j->n->type == NODE_SEED ? NODE_ERR_RUNTIME : NODE_ERR_COMPILATION;
}

static void report_error(struct job *j)
{
	struct run_state *st = j->st;
	struct worker *w = j->w;
	struct node *n = j->n;
	struct run_result *res = j->res;
	const char *detail;
	enum node_error kind = classify_error(j, &detail);
	const char *heading = node_error_names[kind];
	res->status = RUN_ERROR;
	res->message = arena_sprintf(w->keep, "%s in %s %s (%s)\n  %s", heading, node_type_name(n->type), n->name,
				     n->original_file_path, detail);
	struct sb msg = SB_INIT;
	sb_addf(&msg, "%s in %s %s (%s)\n", heading, node_type_name(n->type), n->name, n->original_file_path);
	/* indent the detail under the heading */
	for (const char *s = detail; *s;) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		sb_addf(&msg, "  %.*s\n", (int)len, s);
		s += len + (e ? 1 : 0);
	}
	/* a seed has no compiled file: its heading names the CSV */
	if (n->type != NODE_SEED && kind == NODE_ERR_DATABASE)
		sb_addf(&msg, "  compiled code at target/%s\n",
			runner_node_sql_path(&w->arena, j->run_sql.len ? "run" : "compiled", n));
	st->errors[j->idx] = arena_strndup(w->keep, msg.buf, msg.len);
	sb_release(&msg);
	/* compile prints no line a node (dbt's CompileRunner): the error ends it */
	if (st->o->compile_only)
		return;
	report_status("LogModelResult", j->seq, st->total,
		      n->type == NODE_TEST   ? arena_sprintf(w->keep, "ERROR %s", n->name)
		      : n->type == NODE_SEED ? arena_sprintf(w->keep, "ERROR loading %s", j->what)
					     : arena_sprintf(w->keep, "ERROR creating %s", j->what),
		      "ERROR", RC_RED, res->execution_time);
}

/*
 * A test whose query ran but did not give the one row of a test result (runner_test_status set
 * the error and its message): an error, reported as such, as dbt reports its internal error
 */
static int report_test_error(struct job *j)
{
	struct run_state *st = j->st;
	struct worker *w = j->w;
	struct node *n = j->n;
	struct run_result *res = j->res;
	st->errors[j->idx] = arena_sprintf(w->keep, "%s\n  compiled code at target/%s\n", res->message,
					   runner_node_sql_path(&w->arena, "run", n));
	report_status("LogTestResult", j->seq, st->total, arena_sprintf(w->keep, "ERROR %s", n->name), "ERROR", RC_RED,
		      res->execution_time);
	return -1;
}

/* The node's status, message and lines from how its steps ended (rc); returns what the scheduler
 * gets: 0, 1 for a failed test, SCHED_HALT when cancelled, else rc */
static int report_step(struct job *j, int rc)
{
	struct run_result *res = j->res;
	if (rc == 0 && j->n->type == NODE_TEST && !j->st->o->compile_only && res->status == RUN_ERROR)
		return report_test_error(j);
	if (rc == 0 && j->n->type == NODE_TEST && !j->st->o->compile_only && res->status != RUN_NONE)
		return report_test(j);
	if (rc == 0) {
		report_success(j);
		return 0;
	}
	if (intr_requested())
		return report_cancelled(j);
	report_error(j);
	return rc;
}

/* ---------------------------------------------------------------- microbatch models */

/*
 * A microbatch model runs once a batch, as dbt 1.9's MicrobatchModelRunner (task/run.py): the
 * batches from build_start_time to build_end_time, the first and then the others in order (one
 * connection: no batch runs beside another), each compiled with its refs' event_time window and
 * materialized; its pre-hooks run with the first batch, its post-hooks with the last; after a
 * failed first batch the others are skipped. The model's result says SUCCESS, PARTIAL SUCCESS
 * (k/n) or ERROR, and run_results.json lists the batches that succeeded and failed.
 */
/* dbt's MicrobatchModelRunner._is_incremental: is_incremental() as outside a batch (a failed
 * lookup: not incremental) */
static bool mb_incremental(struct job *j)
{
	char *err = NULL;
	return dbt_node_incremental(j->st->p, j->st->vt, j->w->conn, j->n, j->st->o->full_refresh, &j->w->arena, &err) == 1;
}

/* The last run's batches of the node under `key` (successful or failed), when retried */
static value mb_previous(const struct run_options *o, const struct node *n, const char *key)
{
	value br = o->previous_batches.type == V_DICT ? val_dict_gets(o->previous_batches, n->unique_id) : val_undef();
	return br.type == V_DICT ? val_dict_gets(br, key) : val_undef();
}

/* [[start, end], ...] as run_results.json writes them, into out (NULL: only counted); the count */
static size_t mb_pairs(value list, struct mb_batch *out)
{
	size_t k = 0;
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value pair = list.l->items[i];
		struct mb_batch b;
		if (pair.type != V_LIST || pair.l->len != 2 || pair.l->items[0].type != V_STR ||
		    pair.l->items[1].type != V_STR || !mb_parse_time(pair.l->items[0].s, &b.start) ||
		    !mb_parse_time(pair.l->items[1].s, &b.end))
			continue;
		if (out)
			out[k] = b;
		k++;
	}
	return k;
}

/* The batches to run (malloc'd, *pn of them), and whether the first runs incrementally; NULL
 * after a diagnostic in the worker's list */
static struct mb_batch *mb_plan(struct job *j, enum mb_size *psize, size_t *pn, bool *pincremental)
{
	struct node *n = j->n;
	struct diag_list *dl = &j->w->dl;
	const struct run_options *o = j->st->o;
	value lb = val_dict_gets(n->config, "lookback");
	/* the load checked the configs (proj_check_microbatch) */
	int64_t begin = 0;
	if (!mb_size_of(val_dict_gets(n->config, "batch_size"), psize) || !proj_microbatch_begin(n, &begin)) {
		diag_error(dl, loc_at(n->file, 1, 1, 0), "microbatch model '%s': its batch_size or begin config is not valid",
			   n->name);
		return NULL;
	}
	bool incremental = mb_incremental(j);
	*pincremental = incremental;
	/* a retry runs the batches that failed last time (dbt's previous_batch_results.failed) */
	size_t nprev = mb_pairs(mb_previous(o, n, "failed"), NULL);
	if (nprev) {
		struct mb_batch *b = xmalloc(nprev * sizeof(*b));
		*pn = mb_pairs(mb_previous(o, n, "failed"), b);
		return b;
	}
	int64_t now = 0;
	if (!mb_parse_time(j->st->p->run_started_at, &now))
		now = (int64_t)art_now();
	int64_t end = mb_ceiling(o->event_time_window ? o->event_time_end : now, *psize);
	int64_t start = mb_start(*psize, lb.type == V_INT ? (int)lb.i : 1, incremental, o->event_time_window,
				 o->event_time_start, begin, end);
	struct mb_batch *b = NULL;
	*pn = mb_batches(start, end, *psize, &b);
	return b;
}

/* The model's config for batch i of n: pre-hooks only with the first, post-hooks with the last;
 * and the batch's bounds under the keys dbt 1.9 sets for adapters' older macros */
static value mb_config(struct arena *a, value config, size_t i, size_t n, const char *start, const char *end)
{
	value c = val_copy(a, config);
	val_dict_sets(c, "__dbt_internal_microbatch_event_time_start", val_str(start));
	val_dict_sets(c, "__dbt_internal_microbatch_event_time_end", val_str(end));
	static const char *const pre[] = {"pre-hook", "pre_hook"}, *const post[] = {"post-hook", "post_hook"};
	for (int k = 0; k < 2; k++) {
		if (i != 0 && val_dict_gets(c, pre[k]).type != V_UNDEF)
			val_dict_sets(c, pre[k], val_list_new(a, 0));
		if (i != n - 1 && val_dict_gets(c, post[k]).type != V_UNDEF)
			val_dict_sets(c, post[k], val_list_new(a, 0));
	}
	return c;
}

/* One batch: compiled and materialized; its Batch lines; 0 or -1 */
static int mb_run_batch(struct job *j, const struct mb_batch *b, size_t i, size_t nb, enum mb_size size,
			bool incremental, bool skip)
{
	struct worker *w = j->w;
	struct node *n = j->n;
	char start[32], end[32], id[32], label[32];
	mb_time_str(b->start, start);
	mb_time_str(b->end, end);
	mb_format_start(b->start, size, true, id);
	mb_format_start(b->start, size, false, label);
	const char *what = arena_sprintf(&w->arena, "batch %s of %s.%s", label, n->schema, n->alias ? n->alias : n->name);
	if (skip) {
		report_status_prefixed("LogBatchResult", "Batch ", (int)i + 1, (int)nb, arena_sprintf(&w->arena, "SKIP %s", what),
				       "SKIPPED", RC_YELLOW, 0.0);
		return -1;
	}
	report_status_prefixed("LogStartBatch", "Batch ", (int)i + 1, (int)nb, arena_sprintf(&w->arena, "START %s", what),
			       "RUN", RC_NONE, -1);
	/* the node itself is left as it is (another thread may read it: the graph); its renders read
	 * the batch's config (proj_node_config) */
	struct node_batch nbatch = {id, label, start, end, incremental, mb_config(&w->arena, n->config, i, nb, start, end)};
	n->batch = &nbatch;
	double t0 = art_now();
	diag_list_release(&w->dl);
	diag_list_init(&w->dl);
	j->db_error = NULL;
	sb_reset(&j->run_sql);
	int rc = compile_step(j);
	if (rc == 0)
		rc = materialize_step(j);
	n->batch = NULL;
	double secs = art_now() - t0;
	if (rc == 0) {
		report_status_prefixed("LogBatchResult", "Batch ", (int)i + 1, (int)nb,
				       arena_sprintf(&w->arena, "OK created %s", what),
				       j->res->adapter_code ? j->res->adapter_code : "OK", RC_GREEN, secs);
		return 0;
	}
	/* dbt's GenericExceptionOnRun for the batch, then its line */
	const char *detail;
	(void)classify_error(j, &detail);
	report_error_text(arena_sprintf(&w->arena, "Unhandled error while executing %s\nException on worker thread. %s",
					n->unique_id, detail));
	report_status_prefixed("LogBatchResult", "Batch ", (int)i + 1, (int)nb, arena_sprintf(&w->arena, "ERROR creating %s", what),
			       "ERROR", RC_RED, secs);
	return -1;
}

/* The whole model: its batches, then its result and line. Returns what runner_work returns. */
static int work_microbatch(struct job *j)
{
	struct run_state *st = j->st;
	struct worker *w = j->w;
	struct run_result *res = j->res;
	enum mb_size size;
	size_t nb = 0;
	res->compile_started = art_now();
	bool incremental = false;
	struct mb_batch *b = mb_plan(j, &size, &nb, &incremental);
	if (!b) {
		res->compile_completed = res->execute_started = res->execute_completed = art_now();
		res->execution_time = res->execute_completed - res->compile_started;
		res->relation_name = j->n->relation_name;
		return report_step(j, -1);
	}
	/* a retry's result lists the batches that succeeded before too (merge_batch_results) */
	value prev_ok = mb_previous(st->o, j->n, "successful");
	size_t nprev_ok = mb_pairs(prev_ok, NULL);
	int64_t *times = arena_alloc(w->keep, 2 * (nb + nprev_ok) * sizeof(int64_t));
	uint8_t *ok = xcalloc(nb, 1);
	size_t nok = 0;
	bool skip = false;
	int rc = 0;
	for (size_t i = 0; i < nb && !intr_requested(); i++) {
		rc = mb_run_batch(j, &b[i], i, nb, size, i == 0 ? incremental : true, skip);
		ok[i] = rc == 0;
		nok += rc == 0;
		/* a failed first batch skips the others (MicrobatchModelRunner.execute) */
		if (i == 0 && rc != 0)
			skip = true;
	}
	/* the successful batches first (then the earlier ones of a retry), then the failed ones */
	size_t k = 0;
	for (int pass = 1; pass >= 0; pass--) {
		for (size_t i = 0; i < nb; i++)
			if (ok[i] == pass) {
				times[2 * k] = b[i].start;
				times[2 * k + 1] = b[i].end;
				k++;
			}
		if (pass == 1 && nprev_ok) {
			struct mb_batch *pb = xmalloc(nprev_ok * sizeof(*pb));
			mb_pairs(prev_ok, pb);
			for (size_t i = 0; i < nprev_ok; i++, k++) {
				times[2 * k] = pb[i].start;
				times[2 * k + 1] = pb[i].end;
			}
			free(pb);
		}
	}
	res->batches = times;
	res->nbatch_ok = (uint32_t)(nok + nprev_ok);
	res->nbatch_failed = (uint32_t)(nb - nok);
	free(ok);
	free(b);
	/* as dbt's _initial_run_microbatch_model_result: no timing, no adapter response, no failures;
	 * the batches' time summed (here: the time they took, one after another) */
	res->execution_time = art_now() - res->compile_started;
	res->compile_started = res->compile_completed = res->execute_started = res->execute_completed = 0;
	res->adapter_code = NULL;
	res->rows_affected = -1;
	res->failures = 0;
	res->relation_name = j->n->relation_name;
	if (intr_requested())
		return report_cancelled(j);
	if (nok == nb) {
		res->status = RUN_SUCCESS;
		res->message = "SUCCESS";
		report_status("LogModelResult", j->seq, st->total, arena_sprintf(w->keep, "OK created %s", j->what), "SUCCESS",
			      RC_GREEN, res->execution_time);
		return 0;
	}
	if (nok == 0) {
		res->status = RUN_ERROR;
		res->message = "ERROR";
		report_status("LogModelResult", j->seq, st->total, arena_sprintf(w->keep, "ERROR creating %s", j->what),
			      "ERROR", RC_RED, res->execution_time);
		st->errors[j->idx] = arena_sprintf(w->keep, "Runtime Error in model %s (%s)\n  every batch failed\n",
						   j->n->name, j->n->original_file_path);
		return 1;
	}
	res->status = RUN_PARTIAL;
	res->message = arena_sprintf(w->keep, "PARTIAL SUCCESS (%zu/%zu)", nok, nb);
	report_status("LogModelResult", j->seq, st->total, arena_sprintf(w->keep, "PARTIALLY created %s", j->what),
		      res->message, RC_YELLOW, res->execution_time);
	return 1;
}

/* ---------------------------------------------------------------- the scheduler's callbacks */

static int work_unit_test(struct run_state *st, uint32_t idx, int wid, int seq)
{
	struct worker *w = &st->workers[wid];
	struct run_result *res = &st->results[idx];
	res->node = idx;
	res->thread_id = wid + 1;
	diag_list_init(&w->dl);
	int rc = runner_unit_test(st->p, st->g, st->p->nodes[idx], st->ad, st->vt, w->conn, &w->arena, w->keep, res, seq,
				  st->total, &st->errors[idx], &w->dl);
	diag_list_release(&w->dl);
	return rc;
}

int runner_work(void *ud, uint32_t idx, int wid)
{
	struct run_state *st = ud;
	ASSERT(idx < st->p->nnodes && wid >= 0 && wid < st->nworkers);
	struct worker *w = &st->workers[wid];
	/* published before the flag is read: see runner.c's DESIGN */
	atomic_store(&w->current, (int)idx);
	if (intr_requested()) {
		atomic_store(&w->current, WORKER_IDLE);
		return SCHED_HALT;
	}
	struct arena_mark mark = arena_mark(&w->arena);
	int seq = atomic_fetch_add(&st->started, 1) + 1;
	struct node *n = st->p->nodes[idx];
	if (n->type == NODE_UNIT_TEST) {
		int urc = work_unit_test(st, idx, wid, seq);
		arena_reset(&w->arena, mark);
		atomic_store(&w->current, WORKER_IDLE);
		return urc;
	}
	struct job j = {.st = st, .w = w, .n = n, .res = &st->results[idx], .idx = idx, .wid = wid, .seq = seq,
			.what = describe_node(w->keep, st, n), .sql = "", .run_sql = SB_INIT};
	bool compile_only = st->o->compile_only;
	if (!compile_only && !st->o->clone)
		report_status("LogStartLine", seq, st->total, arena_sprintf(w->keep, "START %s", j.what), "RUN", RC_NONE,
			      -1);
	j.res->node = idx;
	j.res->thread_id = wid;  /* from 0: the results name it Thread-<id + 1> */
	j.res->failures = -1;
	j.res->rows_affected = -1;
	diag_list_init(&w->dl);
	int rc;
	if (!compile_only && !st->o->clone && is_microbatch(st, n)) {
		rc = work_microbatch(&j);
	} else {
		rc = compile_step(&j);
		j.res->execute_started = art_now();
		if (rc == 0 && !compile_only)
			rc = materialize_step(&j);
		j.res->execute_completed = art_now();
		j.res->execution_time = j.res->execute_completed - j.res->compile_started;
		j.res->relation_name = n->relation_name;
		rc = report_step(&j, rc);
	}
	sb_release(&j.run_sql);
	/* exceptions.warn() and other warnings of a node that ran: dbt logs them as [WARNING] lines */
	for (const struct diag *d = w->dl.head; d && rc == 0; d = d->next)
		if (d->kind == DIAG_WARN)
			report_line("JinjaLogWarning", "[WARNING]: %s", d->msg);
	diag_list_release(&w->dl);
	arena_reset(&w->arena, mark);
	atomic_store(&w->current, WORKER_IDLE);
	return rc;
}

void runner_skip(void *ud, uint32_t idx, uint32_t cause)
{
	(void)cause;
	struct run_state *st = ud;
	struct project *p = st->p;
	ASSERT(idx < p->nnodes);
	struct node *n = p->nodes[idx];
	struct run_result *res = &st->results[idx];
	res->node = idx;
	res->status = RUN_SKIPPED;
	res->failures = -1;
	res->rows_affected = -1;
	res->message = NULL;  /* dbt gives a skipped node no message */
	res->relation_name = n->relation_name;
	if (st->o->compile_only)
		return;
	int seq = atomic_fetch_add(&st->started, 1) + 1;
	report_status("SkippingDetails", seq, st->total,
		      n->type == NODE_UNIT_TEST
			      ? arena_sprintf(st->skip_arena, "SKIP unit_test %s::%s", p->nodes[n->attached_node]->name, n->name)
			      : arena_sprintf(st->skip_arena, "SKIP relation %s.%s", n->schema ? n->schema : "",
					      n->alias ? n->alias : n->name),
		      "SKIP", RC_YELLOW, -1);
}
