/*
 * sluice jobs: the streaming jobs of the project on a Flink target.
 *   sluice jobs [--all] [-s SELECTOR] [--output json]   lists them: model, job id, state, hash, start
 *   sluice jobs stop [--savepoint] [--drain] -s SELECTOR  stops the running jobs of the selected models
 *   sluice jobs start -s SELECTOR                         resumes the selected materialized tables
 * A streaming_table's job is the one whose name is "<package>.<model> [<hash>]" (macros/flink/
 * streaming_table.sql names them so). A job stopped with a savepoint is resumed from it by the
 * next `sluice run` when the model did not change (target/deployments.json keeps the path).
 * A materialized_table's job is its continuous refresh job, which Flink names after the table;
 * stop suspends it (ALTER MATERIALIZED TABLE ... SUSPEND: Flink stops it with a savepoint) and start
 * resumes it from there (RESUME); its deployed hash is the one target/deployments.json keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "core/report.h"
#include "runner/runner.h"


struct job_row {
	struct node *model;
	const char *id, *status, *hash, *started, *name;
	const char *definition;  /* "current", "stale: <what changed>", "ended", or "unknown: <why>" */
	bool stale;
	value details;           /* {last_checkpoint, restarts, root_exception} from the cluster's REST
				    API (jobmanager_url), or None */
};

static const char *field(value job, const char *key, struct arena *a)
{
	value v = val_dict_gets(job, key);
	return v.type == V_NONE || v.type == V_UNDEF ? "" : val_cstr(a, v);
}

static int cmp_rows(const void *x, const void *y)
{
	const struct job_row *a = x, *b = y;
	int c = strcmp(a->model->name, b->model->name);
	return c ? c : strcmp(b->started, a->started);
}

/* Asks the model's flink_job_staleness macro whether the job's hash is the project's */
static void staleness(struct project *p, struct job_row *r, struct adapter *ad, const struct adapter_vtable *vt,
		      struct adapter_conn *conn, struct arena *a)
{
	struct diag_list dl;
	diag_list_init(&dl);
	value argv[1] = {val_str(r->hash)};
	struct vargs args = {argv, 1, NULL, NULL, 0};
	value out;
	const char *macro = !strcmp(vt->type, "confluent") ? "confluent_job_staleness" : "flink_job_staleness";
	if (runner_call_in_node(p, r->model, macro, &args, ad, vt, conn, a, &out, &dl) < 0 ||
	    out.type != V_DICT) {
		const char *why = "its definition could not be compiled";
		for (const struct diag *d = dl.head; d; d = d->next)
			if (d->kind == DIAG_ERROR) {
				why = arena_sprintf(a, "%s%.*s", diag_heading(d), (int)strcspn(d->msg, "\n"), d->msg);
				break;
			}
		r->definition = arena_sprintf(a, "unknown: %s", why);
		diag_list_release(&dl);
		return;
	}
	diag_list_release(&dl);
	value deployed = val_dict_gets(out, "deployed");
	if (!r->hash[0] && deployed.type == V_STR)
		r->hash = val_cstr(a, deployed);
	r->stale = val_truthy(val_dict_gets(out, "stale"));
	value what = val_dict_gets(out, "what");
	r->definition = !r->stale ? "current"
			: what.type == V_STR && what.s[0] ? arena_sprintf(a, "stale: %s", val_cstr(a, what))
							  : "stale";
}

/* One JSON object a line, as `sluice ls --output json` prints nodes */
static void print_json(const struct job_row *rows, size_t n, struct arena *a)
{
	for (size_t i = 0; i < n; i++) {
		value d = val_dict_new(a, 7);
		val_dict_sets(d, "model", val_str(rows[i].model->name));
		val_dict_sets(d, "unique_id", val_str(rows[i].model->unique_id));
		val_dict_sets(d, "job_id", val_str(rows[i].id));
		val_dict_sets(d, "state", val_str(rows[i].status));
		val_dict_sets(d, "hash", val_str(rows[i].hash));
		val_dict_sets(d, "started", val_str(rows[i].started));
		val_dict_sets(d, "job_name", val_str(rows[i].name));
		val_dict_sets(d, "stale", val_bool(rows[i].stale));
		val_dict_sets(d, "definition", val_str(rows[i].definition ? rows[i].definition : ""));
		if (rows[i].details.type == V_DICT)
			for (uint32_t k = 0; k < rows[i].details.d->len; k++)
				val_dict_set(d, rows[i].details.d->e[k].key, rows[i].details.d->e[k].val);
		struct sb s = SB_INIT;
		if (val_to_json(&s, d, 0, 0) == 0)
			printf("%s\n", s.buf);
		sb_release(&s);
	}
}

static void print_rows(const struct job_row *rows, size_t n, bool json, struct arena *a)
{
	if (json) {
		print_json(rows, n, a);
		return;
	}
	const char *head[] = {"model", "job id", "state", "hash", "started", "definition"};
	enum { NC = 6 };
	size_t w[NC];
	for (int k = 0; k < NC; k++)
		w[k] = strlen(head[k]);
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = {rows[i].model->name, rows[i].id, rows[i].status, rows[i].hash, rows[i].started,
				       rows[i].definition ? rows[i].definition : ""};
		for (int k = 0; k < NC - 1; k++)
			if (strlen(cells[k]) > w[k])
				w[k] = strlen(cells[k]);
	}
	for (int k = 0; k < NC; k++)
		printf("%-*s%s", k < NC - 1 ? (int)w[k] : 0, head[k], k < NC - 1 ? "  " : "\n");
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = {rows[i].model->name, rows[i].id, rows[i].status, rows[i].hash, rows[i].started,
				       rows[i].definition ? rows[i].definition : ""};
		for (int k = 0; k < NC; k++)
			printf("%-*s%s", k < NC - 1 ? (int)w[k] : 0, cells[k], k < NC - 1 ? "  " : "\n");
		value dt = rows[i].details;
		if (dt.type == V_DICT) {
			value cp = val_dict_gets(dt, "last_checkpoint"), rs = val_dict_gets(dt, "restarts"),
			      re = val_dict_gets(dt, "root_exception");
			printf("  last checkpoint: %s; restarts: ", cp.type == V_STR ? cp.s : "unknown");
			if (rs.type == V_INT)
				printf("%lld", (long long)rs.i);
			else
				printf("unknown");
			if (re.type == V_STR)
				printf("; root exception: %s", re.s);
			printf("\n");
		}
	}
}

static bool is_mt(const struct node *m)
{
	value mat = val_dict_gets(m->config, "materialized");
	return mat.type == V_STR && !strcmp(mat.s, "materialized_table");
}

/* ALTER MATERIALIZED TABLE `c`.`d`.`t` SUSPEND|RESUME; 0, or -1 with the error printed */
static int alter_mt(struct project *p, struct node *m, const char *action, const struct adapter_vtable *vt,
		    struct adapter_conn *conn, struct arena *a)
{
	value pos = val_list_new(a, 2);
	val_list_push(pos, val_str(arena_sprintf(a, "`%s`.`%s`.`%s`", m->database, m->schema, m->alias)));
	val_list_push(pos, val_str(action));
	value out;
	bool found = false;
	char *err = NULL;
	if (vt->call(conn, "alter_materialized_table", pos, val_dict_new(a, 0), &out, &found, a, &err) < 0 || !found) {
		fprintf(stderr, "Database Error: could not %s materialized table %s of model %s: %s\n",
			!strcmp(action, "SUSPEND") ? "suspend" : "resume", m->relation_name ? m->relation_name : m->name,
			m->name, err ? err : "the adapter cannot alter materialized tables");
		return -1;
	}
	if (dbt_deployment_note(p, m->unique_id, "suspended", val_bool(!strcmp(action, "SUSPEND"))) < 0)
		log_msg(LOG_WARN, "cannot record in deployments.json that %s is %s", m->unique_id,
			!strcmp(action, "SUSPEND") ? "suspended" : "resumed");
	printf("%s materialized table %s of model %s\n", !strcmp(action, "SUSPEND") ? "Suspended" : "Resumed",
	       m->relation_name ? m->relation_name : m->name, m->name);
	return 0;
}

/* sluice jobs start: resumes the selected materialized tables */
static int start_mts(struct project *p, const uint8_t *sel, const struct adapter_vtable *vt, struct adapter_conn *conn)
{
	int rc = 0;
	size_t n = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *m = p->nodes[i];
		if (m->type != NODE_MODEL || !sel[m->index] || !is_mt(m))
			continue;
		n++;
		if (alter_mt(p, m, "RESUME", vt, conn, &p->arena) < 0)
			rc = 1;
	}
	if (n == 0)
		printf("No materialized tables among the selected models (a streaming_table's job starts with sluice run).\n");
	return rc;
}

/* The jobs of the selected models (sel) that the adapter lists, live ones only unless c->all,
 * sorted (cmp_rows); NULL after an error on stderr. free() the array. */
static struct job_row *list_rows(struct cli *c, struct project *p, const uint8_t *sel,
				 const struct adapter_vtable *vt, struct adapter_conn *conn, size_t *pn)
{
	struct arena *a = &p->arena;
	value jobs;
	bool found = false;
	char *err = NULL;
	if (vt->call(conn, "list_jobs", val_list_new(a, 0), val_dict_new(a, 0), &jobs, &found, a, &err) < 0 || !found) {
		fprintf(stderr, "Database Error: %s\n", err ? err : "the adapter cannot list jobs");
		return NULL;
	}
	size_t n = 0;
	struct job_row *rows = xcalloc(jobs.l->len + 1, sizeof(*rows));
	for (uint32_t i = 0; i < jobs.l->len; i++) {
		value j = jobs.l->items[i];
		const char *hash;
		struct node *m = cli_job_model(p, field(j, "name", a), &hash, a);
		if (!m || !sel[m->index])
			continue;
		struct job_row r = {m, field(j, "job_id", a), field(j, "status", a), hash, field(j, "start_time", a),
				    field(j, "name", a), NULL, false, {0}};
		if (!c->all && !cli_job_live(r.status))
			continue;
		rows[n++] = r;
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	*pn = n;
	return rows;
}

/* sluice jobs list: each job with whether it still runs what the project defines, and what the
 * cluster's REST API tells of it */
static void list_jobs(struct cli *c, struct project *p, struct graph *g, const uint8_t *sel, struct adapter *ad,
		      const struct adapter_vtable *vt, struct adapter_conn *conn, struct job_row *rows, size_t n,
		      bool json, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	/* which running jobs still run what the project defines: the project's relations are declared
	 * in the session (the definitions read them), then each model's definition is hashed as
	 * `sluice run` would (flink_job_staleness) */
	bool declared = false;
	for (size_t i = 0; i < n; i++) {
		if (!cli_job_live(rows[i].status)) {
			rows[i].definition = "ended";
			continue;
		}
		if (!declared) {
			cli_restore(p, g, sel, ad, vt, conn, dl);
			diag_list_release(dl);
			diag_list_init(dl);
			declared = true;
		}
		staleness(p, &rows[i], ad, vt, conn, a);
	}
	/* what SQL cannot tell, from the cluster's REST API when the profile gives it */
	for (size_t i = 0; i < n; i++) {
		value pos = val_list_new(a, 1);
		val_list_push(pos, val_str(rows[i].id));
		char *derr = NULL;
		bool f2 = false;
		rows[i].details = val_none();
		if (vt->call(conn, "job_details", pos, val_dict_new(a, 0), &rows[i].details, &f2, a, &derr) < 0)
			fprintf(stderr, "Warning: no details of job %s: %s\n", rows[i].id, derr ? derr : "?");
	}
	if (n == 0 && !json)
		printf("No %sjobs of project '%s'%s.\n", c->all ? "" : "running ", p->name,
		       c->all ? "" : " (--all lists the ended ones too)");
	else
		print_rows(rows, n, json, a);
}

/* sluice jobs stop: each live job of the rows, a materialized table's by suspending it. 0, or 1
 * when one could not be stopped. */
static int stop_jobs(struct cli *c, struct project *p, const struct adapter_vtable *vt, struct adapter_conn *conn,
		     struct job_row *rows, size_t n)
{
	struct arena *a = &p->arena;
	int rc = 0;
	size_t stopped = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cli_job_live(rows[i].status))
			continue;
		if (is_mt(rows[i].model)) {
			/* Flink stops a materialized table's refresh job itself, with a savepoint */
			if (alter_mt(p, rows[i].model, "SUSPEND", vt, conn, a) < 0)
				rc = 1;
			else
				stopped++;
			continue;
		}
		value pos = val_list_new(a, 3);
		val_list_push(pos, val_str(rows[i].id));
		val_list_push(pos, val_bool(c->savepoint));
		val_list_push(pos, val_bool(c->drain));
		value path;
		bool found = false;
		char *err = NULL;
		if (vt->call(conn, "stop_job", pos, val_dict_new(a, 0), &path, &found, a, &err) < 0) {
			fprintf(stderr, "Database Error: could not stop job %s of model %s: %s\n", rows[i].id,
				rows[i].model->name, err ? err : "?");
			rc = 1;
			continue;
		}
		stopped++;
		if (path.type == V_STR) {
			printf("Stopped job %s of model %s with a savepoint at %s\n", rows[i].id, rows[i].model->name, path.s);
			/* the next run resumes from it */
			if (dbt_deployment_note(p, rows[i].model->unique_id, "stopped_savepoint", path) < 0)
				log_msg(LOG_WARN, "cannot record the savepoint of %s in deployments.json: the next run "
						  "starts it afresh", rows[i].model->unique_id);
		} else {
			printf("Stopped job %s of model %s\n", rows[i].id, rows[i].model->name);
		}
	}
	if (stopped == 0 && rc == 0)
		printf("No running jobs of the selected models.\n");
	return rc;
}

int cmd_jobs(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	uint8_t *sel = NULL;
	struct job_row *rows = NULL;
	int rc = 2;
	bool stop = c->npositional > 0 && !strcmp(c->positional[0], "stop");
	bool start = c->npositional > 0 && !strcmp(c->positional[0], "start");
	bool json = c->output && !strcmp(c->output, "json");
	if (c->npositional > 0 && !stop && !start && strcmp(c->positional[0], "list")) {
		fprintf(stderr, "Usage: sluice jobs [list|stop|start] [OPTIONS]\nTry 'sluice jobs --help' for help.\n\n"
				"Error: unknown jobs command '%s'\n", c->positional[0]);
		return 2;
	}
	if ((stop || start) && c->nselect == 0 && !c->selector) {
		fprintf(stderr, "Error: sluice jobs %s needs -s/--select to say which models' jobs to %s\n",
			stop ? "stop" : "start", stop ? "stop" : "start");
		return 2;
	}
	c->quiet = c->quiet || json;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	sel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
	if (c->nselect || c->selector) {
		if (cli_select(c, &p, &g, 1u << NODE_MODEL, sel, &dl) < 0) {
			cli_print_diags(&dl);
			goto out;
		}
	} else {
		memset(sel, 1, p.nnodes);
	}
	if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (!vt->call) {
		fprintf(stderr, "Error: sluice jobs needs a streaming target (type: flink or confluent); target '%s' is %s\n",
			p.target.target_name, vt->type);
		goto out;
	}
	if (start) {
		rc = start_mts(&p, sel, vt, conn);
		goto out;
	}
	size_t n = 0;
	rows = list_rows(c, &p, sel, vt, conn, &n);
	if (!rows) {
		rc = 1;
		goto out;
	}
	if (stop) {
		rc = stop_jobs(c, &p, vt, conn, rows, n);
	} else {
		list_jobs(c, &p, &g, sel, ad, vt, conn, rows, n, json, &dl);
		rc = 0;
	}
out:
	free(rows);
	free(sel);
	cli_disconnect(ad, vt, conn);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
