/*
 * sluice source freshness: how long ago each selected source was loaded, against its criteria, as
 * `dbt source freshness` does (task/freshness.py). For every source table with a warn_after or
 * error_after, the `collect_freshness` macro (overridable, dispatched per adapter) selects
 * max(loaded_at_field) and the current timestamp; their difference is compared with error_after,
 * then warn_after. Results go to target/sources.json (dbt's sources v3 schema, or --output PATH).
 * Exit 1 when a source is stale past error_after or its query failed; warnings exit 0.
 * Sources run one after another: each is a single aggregate query.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/fs.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "graph/graph.h"
#include "core/report.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's days_from_civil) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * A timestamp as databases print it ('YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|+HH[:MM]]', or a date)
 * into seconds since the epoch; a value without a zone is UTC, as dbt's _utc() assumes. 0 or -1.
 */
static int parse_timestamp(const char *s, double *pout)
{
	int y, mo, d, h = 0, mi = 0, n = 0;
	double sec = 0;
	if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	s += n;
	if (*s == ' ' || *s == 'T') {
		s++;
		if (sscanf(s, "%d:%d%n", &h, &mi, &n) != 2)
			return -1;
		s += n;
		if (*s == ':') {
			char *end;
			sec = strtod(s + 1, &end);
			s = end;
		}
	}
	double off = 0;
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, oh = 0, om = 0;
		if (sscanf(s + 1, "%2d%n", &oh, &n) != 1)
			return -1;
		s += 1 + n;
		if (*s == ':')
			s++;
		if (*s >= '0' && *s <= '9' && sscanf(s, "%2d%n", &om, &n) == 1)
			s += n;
		off = sign * (oh * 3600.0 + om * 60.0);
	}
	while (*s == ' ')
		s++;
	if (*s)
		return -1;
	*pout = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec - off;
	return 0;
}

/* dbt's Time.exceeded: the age is past count periods */
static bool exceeded(value t, double age)
{
	if (t.type != V_DICT)
		return false;
	value count = val_dict_gets(t, "count"), period = val_dict_gets(t, "period");
	if (count.type != V_INT || period.type != V_STR)
		return false;
	double unit = val_streq(period, "minute") ? 60 : val_streq(period, "hour") ? 3600 : val_streq(period, "day") ? 86400 : 0;
	return unit > 0 && age > (double)count.i * unit;
}

/* A value of the freshness query as text, or NULL for SQL NULL */
static const char *cell_text(struct arena *a, value v)
{
	if (v.type == V_NONE || v.type == V_UNDEF)
		return NULL;
	if (v.type == V_STR)
		return val_cstr(a, v);
	struct sb sb = SB_INIT;
	val_str_to(&sb, v);
	const char *out = sb_to_arena(&sb, a);
	sb_release(&sb);
	return out;
}

/* Checks one source: runs collect_freshness and fills r; 0, or -1 with r->error set */
static int check_source(struct project *p, struct node *n, struct adapter *ad, const struct adapter_vtable *vt,
			struct adapter_conn *conn, struct freshness_result *r, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	value loaded_at = val_dict_gets(n->config, "loaded_at_field");
	if (loaded_at.type != V_STR) {
		r->error = arena_sprintf(a,
					 "Could not compute freshness for source %s: no 'loaded_at_field' provided and %s "
					 "adapter does not support metadata-based freshness checks.",
					 n->name, p->target.type);
		return -1;
	}
	value filter = val_dict_gets(n->freshness, "filter");
	const char *names[] = {"source", "loaded_at_field", "filter"};
	value vals[] = {dbt_node_relation(a, p, n), loaded_at, filter.type == V_STR ? filter : val_none()};
	struct vargs args = {NULL, 0, names, vals, 3};
	struct diag_list mine;
	diag_list_init(&mine);
	struct dbt_render rr = {.proj = p, .phase = DBT_EXECUTE, .arena = a, .dl = &mine, .adapter = ad, .vt = vt,
				.conn = conn, .node = n};
	value out;
	if (dbt_call_macro(&rr, "collect_freshness", &args, &out) < 0) {
		struct sb msg = SB_INIT;
		for (struct diag *d = mine.head; d; d = d->next)
			if (d->kind == DIAG_ERROR) {
				sb_adds(&msg, diag_heading(d));
				sb_adds(&msg, d->msg);
				break;
			}
		r->error = msg.len ? sb_to_arena(&msg, a) : "collect_freshness failed";
		sb_release(&msg);
		diag_list_release(&mine); /* the message goes with the result, as dbt reports it */
		return -1;
	}
	diag_list_release(&mine);
	/* load_result() gives {response, table}; an override may return the table itself */
	value table = out, response = val_none();
	if (out.type == V_DICT && val_dict_gets(out, "table").type != V_UNDEF) {
		table = val_dict_gets(out, "table");
		response = val_dict_gets(out, "response");
	}
	value rows = dbt_agate_attr(table, "rows");
	value row = rows.type == V_LIST && rows.l->len == 1 ? dbt_agate_row_values(rows.l->items[0]) : val_undef();
	if (row.type != V_LIST || row.l->len != 2) {
		r->error = arena_sprintf(a, "Got an unexpected result from macro collect_freshness for source %s.%s: "
					    "expected one row of two columns (max_loaded_at, snapshotted_at)",
					 n->source_name, n->name);
		return -1;
	}
	const char *max_text = cell_text(a, row.l->items[0]), *snap_text = cell_text(a, row.l->items[1]);
	double snap, max_at = -62135596800.0; /* no rows: 0001-01-01 00:00 UTC, as dbt */
	if (!snap_text || parse_timestamp(snap_text, &snap) < 0 || (max_text && parse_timestamp(max_text, &max_at) < 0)) {
		r->error = arena_sprintf(a, "cannot read the timestamps returned for source %s.%s: max_loaded_at %s, "
					    "snapshotted_at %s",
					 n->source_name, n->name, max_text ? max_text : "null", snap_text ? snap_text : "null");
		return -1;
	}
	r->max_loaded_at = max_at;
	r->snapshotted_at = snap;
	r->age = snap - max_at;
	r->adapter_response = response.type == V_DICT ? response : val_none();
	r->status = exceeded(val_dict_gets(n->freshness, "error_after"), r->age)  ? "error"
		    : exceeded(val_dict_gets(n->freshness, "warn_after"), r->age) ? "warn"
										  : "pass";
	return 0;
}

int cmd_source(struct cli *c)
{
	if (c->npositional != 1 || (strcmp(c->positional[0], "freshness") && strcmp(c->positional[0], "snapshot-freshness"))) {
		fprintf(stderr, "Usage: sluice source freshness [OPTIONS]\nTry 'sluice source --help' for help.\n\n"
				"Error: %s\n",
			c->npositional ? "the only subcommand is 'freshness'" : "Missing command: freshness");
		return 2;
	}
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct graph g = {0};
	uint8_t *sel = NULL;
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	struct freshness_result *res = NULL;
	int rc = 2;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (graph_build(&g, &p, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	sel = xcalloc(p.nnodes ? p.nnodes : 1, 1);
	if (cli_select(c, &p, &g, 1u << NODE_SOURCE, sel, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	size_t total = 0;
	for (size_t i = 0; i < p.nnodes; i++) {
		sel[i] = sel[i] && p.nodes[i]->type == NODE_SOURCE && proj_freshness_active(p.nodes[i]->freshness);
		total += sel[i];
	}
	double t0 = art_now();
	res = xcalloc(total ? total : 1, sizeof(*res));
	const char *path = c->output ? c->output : fs_join(&p.arena, p.target_path, "sources.json");
	if (total == 0) {
		report_line("NothingToDo", "Nothing to do. Try checking your model configs and model specification args");
		rc = 0;
	} else {
		if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
			cli_print_diags(&dl);
			goto out;
		}
		report_line("ConcurrencyLine", "Concurrency: 1 thread (target='%s')", p.target.target_name);
		report_line("Formatting", "%s", "");
		rc = 0;
		size_t k = 0;
		for (size_t i = 0; i < p.nnodes; i++) {
			if (!sel[i])
				continue;
			struct node *n = p.nodes[i];
			struct freshness_result *r = &res[k++];
			r->node = (uint32_t)i;
			const char *what = arena_sprintf(&p.arena, "freshness of %s.%s", n->source_name, n->name);
			report_status("LogStartLine", (int)k, (int)total, arena_sprintf(&p.arena, "START %s", what), "RUN",
				      RC_NONE, -1);
			r->execute_started = art_now();
			if (check_source(&p, n, ad, vt, conn, r, &dl) < 0)
				r->status = "runtime error";
			r->execute_completed = art_now();
			r->execution_time = r->execute_completed - r->execute_started;
			bool runtime = !strcmp(r->status, "runtime error"), stale = !strcmp(r->status, "error"),
			     warn = !strcmp(r->status, "warn");
			const char *info = runtime ? "ERROR" : stale ? "ERROR STALE" : warn ? "WARN" : "PASS";
			report_status("LogFreshnessResult", (int)k, (int)total, arena_sprintf(&p.arena, "%s %s", info, what),
				      info, runtime || stale ? RC_RED : warn ? RC_YELLOW : RC_GREEN, r->execution_time);
			if (runtime || stale)
				rc = 1;
		}
		double elapsed = art_now() - t0;
		report_line("Formatting", "%s", "");
		report_line("FinishedRunningStats", "Finished running %zu source%s in %d hours %d minutes and %.2f seconds (%.2fs).",
			    total, total == 1 ? "" : "s", (int)(elapsed / 3600), (int)(elapsed / 60) % 60,
			    elapsed - 60 * (int)(elapsed / 60), elapsed);
		for (size_t i = 0; i < total; i++) {
			if (!res[i].error)
				continue;
			struct node *n = p.nodes[res[i].node];
			report_line("Formatting", "%s", "");
			report_line("RunResultError", "  Runtime Error in source %s (%s)", n->name,
				    n->original_file_path ? n->original_file_path : "");
			report_line("RunResultError", "  %s", res[i].error);
		}
		if (dl.head)
			cli_print_diags(&dl);
		report_line("Formatting", "%s", "");
		report_line("FreshnessCheckComplete", "Done.");
	}
	struct art_invocation inv = {"source freshness", p.invocation_id, p.run_started_at, val_none()};
	struct diag_list wdl;
	diag_list_init(&wdl);
	if (cli_write_json(c, &p) && art_write_sources(path, &p, res, total, art_now() - t0, &inv, &wdl) < 0) {
		cli_print_diags(&wdl);
		rc = 2;
	}
	diag_list_release(&wdl);
out:
	free(res);
	free(sel);
	cli_disconnect(ad, vt, conn);
	graph_release(&g);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
