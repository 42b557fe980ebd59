/*
 * The adapter methods particular to Flink, for the materializations and commands that manage
 * streaming jobs (macros/flink/): adapter.list_jobs(), stop_job(), submit(), query_columns(),
 * describe_relation(), show_create(), flink_version(), session_scoped(), bounded_source(),
 * reads_changelog(), job_management(), job_details(), alter_materialized_table(). Each is a statement or two through the
 * gateway; the SQL is Flink's own (SHOW JOBS, STOP JOB, DESCRIBE, SHOW CREATE). Where a version has
 * no SQL for jobs (1.16), and for what SQL cannot tell, the cluster's REST API (jobmanager.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/flink/internal.h"
#include "core/sb.h"

static value arg(value pos, value kw, size_t i, const char *name)
{
	if (pos.type == V_LIST && i < pos.l->len)
		return pos.l->items[i];
	if (kw.type == V_DICT) {
		value v = val_dict_gets(kw, name);
		if (v.type != V_UNDEF)
			return v;
	}
	return val_undef();
}

static const char *str_arg(value pos, value kw, size_t i, const char *name, struct arena *a)
{
	value v = arg(pos, kw, i, name);
	return v.type == V_UNDEF || v.type == V_NONE ? NULL : val_cstr(a, v);
}


/* The rows of a result as dicts, keys renamed by `names` (result column -> key) */
static value rows_as_dicts(const struct adapter_result *r, const char *const *names, struct arena *a)
{
	value out = val_list_new(a, r->nrows);
	for (size_t i = 0; i < r->nrows; i++) {
		value d = val_dict_new(a, r->ncols);
		for (size_t j = 0; j < r->ncols; j++) {
			const char *key = r->cols[j].name;
			for (size_t k = 0; names && names[k]; k += 2)
				if (!strcmp(names[k], key))
					key = names[k + 1];
			val_dict_sets(d, key, r->rows[i * r->ncols + j]);
		}
		val_list_push(out, d);
	}
	return out;
}

/* Why this target cannot list and stop jobs, or NULL: Flink 1.16's gateway (REST API v1) has no
 * SHOW JOBS and no STOP JOB, so the cluster's REST API must be given */
static const char *no_job_management(struct adapter *ad, struct arena *a)
{
	if (adp_flink_version_at_least(ad, 1, 17) || ad->jobmanager_url)
		return NULL;
	return arena_sprintf(a, "Flink %s has no SHOW JOBS and no STOP JOB (its SQL Gateway serves REST API v1 only), so "
			     "Sluice cannot find, compare or stop streaming jobs through SQL: set jobmanager_url in the "
			     "target of profiles.yml to the cluster's REST API (e.g. http://jobmanager:8081)",
			     ad->version && *ad->version ? ad->version : "1.16");
}

/* SHOW JOBS: [{job_id, name, status, start_time}] of the whole cluster; the cluster's REST API
 * where SQL has no SHOW JOBS (Flink 1.16) */
static int list_jobs(struct adapter_conn *c, value *pout, struct arena *a, char **perr)
{
	if (!adp_flink_version_at_least(c->ad, 1, 17)) {
		const char *why = no_job_management(c->ad, a);
		if (why)
			return adp_flink_fail(a, perr, "%s", why);
		return adp_flink_jm_list_jobs(c, pout, a, perr);
	}
	struct adapter_result r;
	if (adp_flink_run(c, "SHOW JOBS", NULL, 0, true, -1, &r, NULL, a, perr) < 0)
		return -1;
	static const char *const names[] = {"job id", "job_id", "job name", "name", "status", "status",
					    "start time", "start_time", NULL};
	*pout = rows_as_dicts(&r, names, a);
	return 0;
}

/* STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]: the savepoint's path, or None */
static int stop_job(struct adapter_conn *c, value pos, value kw, value *pout, struct arena *a, char **perr)
{
	const char *id = str_arg(pos, kw, 0, "job_id", a);
	if (!id || !*id)
		return adp_flink_fail(a, perr, "adapter.stop_job() needs the job id");
	bool savepoint = val_truthy(arg(pos, kw, 1, "savepoint"));
	bool drain = val_truthy(arg(pos, kw, 2, "drain"));
	if (!adp_flink_version_at_least(c->ad, 1, 17)) {
		const char *why = no_job_management(c->ad, a);
		if (why)
			return adp_flink_fail(a, perr, "%s", why);
		return adp_flink_jm_stop_job(c, id, savepoint, drain, pout, a, perr);
	}
	struct sb s = SB_INIT;
	sb_adds(&s, "STOP JOB ");
	adp_flink_add_sql_string(&s, id);
	if (savepoint)
		sb_adds(&s, " WITH SAVEPOINT");
	if (drain)
		sb_adds(&s, " WITH DRAIN");
	struct adapter_result r;
	int rc = adp_flink_run(c, s.buf, NULL, 0, true, -1, &r, NULL, a, perr);
	sb_release(&s);
	if (rc < 0)
		return -1;
	long col = adp_flink_col_index(&r, "savepoint path");
	const char *path = col >= 0 ? adp_flink_cell(&r, 0, (size_t)col, a) : NULL;
	*pout = path ? val_str(path) : val_none();
	return 0;
}

/* submit(sql, config={}): runs a statement with an executionConfig of its own (pipeline.name, a
 * savepoint to restore from) and returns its job id, or None */
static int submit(struct adapter_conn *c, value pos, value kw, value *pout, struct arena *a, char **perr)
{
	const char *sql = str_arg(pos, kw, 0, "sql", a);
	if (!sql || !*sql)
		return adp_flink_fail(a, perr, "adapter.submit() needs the statement");
	value cfg = arg(pos, kw, 1, "config");
	size_t n = cfg.type == V_DICT ? cfg.d->len : 0;
	struct flink_kv *kv = ARENA_ARRAY(a, struct flink_kv, n + 1);
	for (size_t i = 0; i < n; i++) {
		kv[i].key = val_cstr(a, cfg.d->e[i].key);
		value v = cfg.d->e[i].val;
		kv[i].value = v.type == V_BOOL ? (v.b ? "true" : "false") : val_cstr(a, v);
	}
	const char *job = NULL;
	if (adp_flink_run(c, sql, kv, n, false, -1, NULL, &job, a, perr) < 0)
		return -1;
	*pout = job ? val_str(job) : val_none();
	return 0;
}

/* query_columns(sql): the columns a query returns, without running it: a temporary view is
 * declared and described ([{name, data_type, nullable}]) */
static int query_columns(struct adapter_conn *c, value pos, value kw, value *pout, struct arena *a, char **perr)
{
	const char *sql = str_arg(pos, kw, 0, "sql", a);
	if (!sql || !*sql)
		return adp_flink_fail(a, perr, "adapter.query_columns() needs the query");
	bool own_lock = !c->own && !c->holding;
	if (own_lock) {
		pthread_mutex_lock(&c->ad->lock);
		c->holding = true;
	}
	static const char probe[] = "`__sluice_probe`";
	char *ignore = NULL;
	(void)adp_flink_run(c, arena_sprintf(a, "DROP TEMPORARY VIEW IF EXISTS %s", probe), NULL, 0, false, -1, NULL, NULL, a, &ignore);
	int rc = adp_flink_run(c, arena_sprintf(a, "CREATE TEMPORARY VIEW %s AS\n%s", probe, sql), NULL, 0, false, -1, NULL, NULL, a,
			perr);
	struct adapter_result r;
	if (rc == 0)
		rc = adp_flink_run(c, arena_sprintf(a, "DESCRIBE %s", probe), NULL, 0, true, -1, &r, NULL, a, perr);
	char *err2 = NULL;
	if (adp_flink_run(c, arena_sprintf(a, "DROP TEMPORARY VIEW IF EXISTS %s", probe), NULL, 0, false, -1, NULL, NULL, a, &err2) < 0 &&
	    rc == 0)
		rc = adp_flink_fail(a, perr, "%s", err2);
	if (own_lock) {
		c->holding = false;
		pthread_mutex_unlock(&c->ad->lock);
	}
	if (rc < 0)
		return -1;
	long name = adp_flink_col_index(&r, "name"), type = adp_flink_col_index(&r, "type"), null = adp_flink_col_index(&r, "null");
	value out = val_list_new(a, r.nrows);
	for (size_t i = 0; i < r.nrows && name >= 0 && type >= 0; i++) {
		value d = val_dict_new(a, 3);
		const char *t = adp_flink_cell(&r, i, (size_t)type, a);
		const char *star = t ? strstr(t, " *") : NULL;
		val_dict_sets(d, "name", val_str(adp_flink_cell(&r, i, (size_t)name, a)));
		val_dict_sets(d, "data_type", val_str(star ? arena_strndup(a, t, (size_t)(star - t)) : t ? t : "STRING"));
		val_dict_sets(d, "nullable", null >= 0 ? r.rows[i * r.ncols + null] : val_bool(true));
		val_list_push(out, d);
	}
	*pout = out;
	return 0;
}

/* describe_relation(relation): the rows of DESCRIBE as dicts (name, type, null, key, extras,
 * watermark, comment) */
static int describe_relation(struct adapter_conn *c, value pos, value kw, value *pout, struct arena *a, char **perr)
{
	const char *rel = str_arg(pos, kw, 0, "relation", a);
	if (!rel || !*rel)
		return adp_flink_fail(a, perr, "adapter.describe_relation() needs a relation");
	struct adapter_result r;
	if (adp_flink_run(c, arena_sprintf(a, "DESCRIBE %s", rel), NULL, 0, true, -1, &r, NULL, a, perr) < 0)
		return -1;
	*pout = rows_as_dicts(&r, NULL, a);
	return 0;
}

/* show_create(relation, type='table'): SHOW CREATE TABLE|VIEW text, or None when Flink has none */
static int show_create(struct adapter_conn *c, value pos, value kw, value *pout, struct arena *a, char **perr)
{
	const char *rel = str_arg(pos, kw, 0, "relation", a);
	const char *type = str_arg(pos, kw, 1, "type", a);
	if (!rel || !*rel)
		return adp_flink_fail(a, perr, "adapter.show_create() needs a relation");
	struct adapter_result r;
	char *err = NULL;
	if (adp_flink_run(c, arena_sprintf(a, "SHOW CREATE %s %s", type && !strcasecmp(type, "view") ? "VIEW" : "TABLE", rel), NULL,
		   0, true, 1, &r, NULL, a, &err) < 0) {
		*pout = val_none();
		return 0;
	}
	const char *text = adp_flink_cell(&r, 0, 0, a);
	*pout = text ? val_str(text) : val_none();
	return 0;
}

/* ---------------------------------------------------------------- bounded sources of a test session */

static const char *opt(value options, const char *key, struct arena *a)
{
	value v = options.type == V_DICT ? val_dict_gets(options, key) : val_undef();
	return v.type == V_UNDEF || v.type == V_NONE ? NULL : val_cstr(a, v);
}

/* Whether a scan of a table with these connector options produces UPDATE/DELETE rows, which
 * Flink refuses to read in batch mode (DynamicSourceUtils): upsert-kafka, a CDC format, a *-cdc
 * connector */
static bool changelog_source(value options, struct arena *a)
{
	const char *conn = opt(options, "connector", a);
	if (!conn)
		return false;
	size_t n = strlen(conn);
	if (!strcmp(conn, "upsert-kafka") || (n > 4 && !strcmp(conn + n - 4, "-cdc")))
		return true;
	const char *fmt = opt(options, "value.format", a);
	if (!fmt)
		fmt = opt(options, "format", a);
	static const char *const cdc[] = {"debezium-json", "canal-json", "maxwell-json", "ogg-json",
					  "debezium-avro-confluent", NULL};
	for (size_t i = 0; fmt && cdc[i]; i++)
		if (!strcmp(fmt, cdc[i]))
			return true;
	return false;
}

/* Why a table with these options cannot be read to an end, or NULL: a datagen table without
 * 'number-of-rows' and without a sequence field, a kafka table with no bounded mode */
static const char *unbounded_reason(const struct adapter *ad, value options, struct arena *a)
{
	const char *conn = opt(options, "connector", a);
	if (!conn)
		return NULL;
	if (!strcmp(conn, "datagen")) {
		if (opt(options, "number-of-rows", a))
			return NULL;
		for (uint32_t i = 0; options.type == V_DICT && i < options.d->len; i++) {
			const char *k = val_cstr(a, options.d->e[i].key);
			size_t n = strlen(k);
			if (!strncmp(k, "fields.", 7) && n > 5 && !strcmp(k + n - 5, ".kind") &&
			    !strcmp(val_cstr(a, options.d->e[i].val), "sequence"))
				return NULL;
		}
		return "datagen without 'number-of-rows'";
	}
	if (!strcmp(conn, "kafka") || !strcmp(conn, "upsert-kafka")) {
		if (!adp_flink_version_at_least(ad, 1, 17))
			return arena_sprintf(a, "Flink %s's Kafka connectors cannot stop at the latest offset: "
					     "'scan.bounded.mode' came with Flink 1.17", ad->version);
		const char *b = opt(options, "scan.bounded.mode", a);
		if (!b || !strcmp(b, "unbounded"))
			return "no 'scan.bounded.mode'";
	}
	return NULL;
}

static void append_name(char **list, const char *text)
{
	struct sb s = SB_INIT;
	if (*list)
		sb_addf(&s, "%s, ", *list);
	sb_adds(&s, text);
	free(*list);
	*list = xstrdup(s.buf);
	sb_release(&s);
}

/* adapter.bounded_source(relation, options): notes a table a test session declared bounded */
static void adp_flink_note_bounded_source(struct adapter_conn *c, const char *relation, value options, struct arena *a)
{
	if (changelog_source(options, a))
		append_name(&c->changelog_tables, relation);
	const char *why = unbounded_reason(c->ad, options, a);
	if (why)
		append_name(&c->unbounded_tables, arena_sprintf(a, "%s (%s)", relation, why));
}

void adp_flink_forget_bounded_sources(struct adapter_conn *c)
{
	free(c->changelog_tables);
	free(c->unbounded_tables);
	c->changelog_tables = c->unbounded_tables = NULL;
}

int adp_flink_call(struct adapter_conn *c, const char *method, value pos, value kw, value *pout, bool *pfound,
	    struct arena *a, char **perr)
{
	*pfound = true;
	*pout = val_none();
	if (!strcmp(method, "list_jobs"))
		return list_jobs(c, pout, a, perr);
	if (!strcmp(method, "stop_job"))
		return stop_job(c, pos, kw, pout, a, perr);
	if (!strcmp(method, "submit"))
		return submit(c, pos, kw, pout, a, perr);
	if (!strcmp(method, "query_columns"))
		return query_columns(c, pos, kw, pout, a, perr);
	if (!strcmp(method, "describe_relation"))
		return describe_relation(c, pos, kw, pout, a, perr);
	if (!strcmp(method, "show_create"))
		return show_create(c, pos, kw, pout, a, perr);
	if (!strcmp(method, "flink_version")) {
		*pout = val_str(c->ad->version ? c->ad->version : "");
		return 0;
	}
	if (!strcmp(method, "bounded_source")) {
		/* only a test session's declarations decide how its queries run */
		const char *rel = str_arg(pos, kw, 0, "relation", a);
		if (c->own && rel)
			adp_flink_note_bounded_source(c, rel, arg(pos, kw, 1, "options"), a);
		return 0;
	}
	if (!strcmp(method, "reads_changelog")) {
		*pout = val_bool(c->own && c->changelog_tables);
		return 0;
	}
	if (!strcmp(method, "job_management")) {
		/* None when jobs can be listed and stopped, else why not */
		const char *why = no_job_management(c->ad, a);
		*pout = why ? val_str(why) : val_none();
		return 0;
	}
	if (!strcmp(method, "job_details")) {
		/* the cluster's REST API on what SQL cannot tell; None without jobmanager_url */
		const char *id = str_arg(pos, kw, 0, "job_id", a);
		if (!c->ad->jobmanager_url || !id)
			return 0;
		return adp_flink_jm_job_details(c, id, pout, a, perr);
	}
	if (!strcmp(method, "alter_materialized_table")) {
		/* alter_materialized_table(relation, 'SUSPEND' | 'RESUME') */
		const char *rel = str_arg(pos, kw, 0, "relation", a), *action = str_arg(pos, kw, 1, "action", a);
		if (!rel || !action || (strcmp(action, "SUSPEND") && strcmp(action, "RESUME")))
			return adp_flink_fail(a, perr, "adapter.alter_materialized_table() needs a relation and SUSPEND or RESUME");
		return adp_flink_run(c, arena_sprintf(a, "ALTER MATERIALIZED TABLE %s %s", rel, action), NULL, 0, false, -1, NULL,
			      NULL, a, perr);
	}
	if (!strcmp(method, "session_scoped")) {
		*pout = val_bool(c->ad->session_scoped);
		return 0;
	}
	*pfound = false;
	return 0;
}
