/*
 * Materialized tables (Flink 1.20+): CREATE MATERIALIZED TABLE, ALTER MATERIALIZED TABLE ...
 * SUSPEND | RESUME | REFRESH, DROP MATERIALIZED TABLE, as the SQL Gateway runs them.
 *
 * What Flink does, and where (the checks are made in the same order):
 *  - SqlCreateMaterializedTableConverter / MaterializedTableUtils: the freshness must be a
 *    day-time interval that is not negative; the logical refresh mode is the declared one, or
 *    AUTOMATIC, which derives CONTINUOUS for a freshness below
 *    'materialized-table.refresh-mode.freshness-threshold' (30 min) and FULL from it on; in FULL
 *    mode the freshness must turn into a cron expression (IntervalFreshness.convertFreshnessToCron:
 *    seconds and minutes below 60 and dividing 60, hours below 24 and dividing 24, one day).
 *    The schema is the query's; a declared primary key must name its columns.
 *  - MaterializedTableManager (flink-sql-gateway): CONTINUOUS creates the table, then submits
 *    "INSERT INTO <table> <query>" as a streaming job named
 *    Materialized_table_`c`.`d`.`t`_continuous_refresh_job whose checkpoint interval is the
 *    freshness (unless the session sets one); when the job cannot be submitted the table is dropped
 *    again. FULL needs a workflow scheduler configured on the gateway ('workflow-scheduler.type'),
 *    which this double has none of, as a gateway started without that option: it is refused with
 *    Flink's message before anything is created. SUSPEND stops the continuous job with a savepoint
 *    (the session must name a savepoint directory) and RESUME starts it again from that savepoint;
 *    doing either twice is an error. DROP cancels a running refresh job, then drops the table; it
 *    looks the table up as a materialized table, so a plain table is refused even with IF EXISTS.
 *  - CatalogManager: DROP TABLE does not find a materialized table (catalog.c).
 *  - SHOW CREATE MATERIALIZED TABLE (Flink 2.1+, ShowCreateUtil): the definition with the
 *    freshness and refresh mode the catalog keeps, derived ones included.
 * The result of each statement is OK; the job id is found with SHOW JOBS by the job's name, as
 * Flink's users find it (DESCRIBE of the table in the catalog also shows the refresh handler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fgi.h"

void mtinfo_free(struct mtinfo *m)
{
	if (!m)
		return;
	free(m->query);
	free(m->savepoint);
	free(m);
}

static long long unit_ms(const char *unit)
{
	if (!strcmp(unit, "SECOND"))
		return 1000LL;
	if (!strcmp(unit, "MINUTE"))
		return 60000LL;
	if (!strcmp(unit, "HOUR"))
		return 3600000LL;
	return 86400000LL;
}

/* A Flink duration option ("30 min", "1 h", "90s", "500 ms"; a bare number is milliseconds) */
static long long duration_ms(const char *s, long long dflt)
{
	if (!s)
		return dflt;
	char *end;
	long long n = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (!*end || !strcasecmp(end, "ms"))
		return n;
	if (!strcasecmp(end, "s") || !strncasecmp(end, "sec", 3))
		return n * 1000LL;
	if (!strncasecmp(end, "min", 3) || !strcasecmp(end, "m"))
		return n * 60000LL;
	if (!strcasecmp(end, "h") || !strncasecmp(end, "hour", 4))
		return n * 3600000LL;
	if (!strcasecmp(end, "d") || !strncasecmp(end, "day", 3))
		return n * 86400000LL;
	return dflt;
}

/* MaterializedTableUtils.getMaterializedTableFreshness: 0, or -1 with e filled */
static int freshness_of(const struct node *iv, long long *pn, const char **punit, struct ferr *e)
{
	const char *txt = iv->s ? iv->s : "";
	bool neg = *txt == '-';
	if (neg) {
		ferr_add(e, EX_VALIDATION, "Materialized table freshness doesn't support negative value.");
		return -1;
	}
	const char *u = iv->unit;
	if (iv->unit2 || !u || !strcmp(u, "YEAR") || !strcmp(u, "MONTH") || !strcmp(u, "WEEK")) {
		ferr_add(e, EX_VALIDATION, "Materialized table freshness only support SECOND, MINUTE, HOUR, DAY as the time "
			"unit.");
		return -1;
	}
	char *end;
	long long n = strtoll(txt, &end, 10);
	if (end == txt || *end) {
		ferr_add(e, EX_VALIDATION, "Materialized table freshness only support positive integer.");
		return -1;
	}
	*pn = n;
	*punit = u;
	return 0;
}

/* IntervalFreshness.convertFreshnessToCron's checks */
static int full_mode_check(long long n, const char *unit, struct ferr *e)
{
	long long cap = !strcmp(unit, "HOUR") ? 24 : 60;
	if (!strcmp(unit, "DAY")) {
		if (n != 1) {
			ferr_add(e, EX_VALIDATION, "In full refresh mode, freshness must be 1 when the time unit is DAY.");
			return -1;
		}
		return 0;
	}
	if (n >= cap) {
		ferr_add(e, EX_VALIDATION, "In full refresh mode, freshness must be less than %lld when the time unit is %s.",
			cap, unit);
		return -1;
	}
	if (n <= 0 || cap % n) {
		ferr_add(e, EX_VALIDATION, "In full refresh mode, only freshness that are factors of %lld are currently "
			"supported when the time unit is %s.", cap, unit);
		return -1;
	}
	return 0;
}

static void clear_result(struct fg_result *out)
{
	json_decref(out->columns);
	json_decref(out->rows);
	out->columns = out->rows = NULL;
	out->job_id[0] = 0;
	out->is_query = false;
	out->wait_for_job = false;
	out->stream = NULL;
	out->result_kind = NULL;
}

/* Submits the continuous refresh job of table c.d.t (MaterializedTableManager
 * .executeContinuousRefreshJob): its id in m->job_id. 0, or -1 with e filled */
static int start_refresh_job(struct fg_session *s, const char *c, const char *d, const char *n, struct mtinfo *m,
	json_t *conf, const char *restore, struct ferr *e)
{
	struct sb ser = SB_INIT, text = SB_INIT, name = SB_INIT;
	ident_serial(&ser, c, d, n);
	sb_addf(&text, "INSERT INTO %s\n%s", ser.buf, m->query);
	sb_addf(&name, "Materialized_table_%s_continuous_refresh_job", ser.buf);
	json_t *jc = json_deep_copy(conf);
	json_object_set_new(jc, "pipeline.name", json_string(name.buf));
	json_object_set_new(jc, "execution.runtime-mode", json_string("streaming"));
	/* the freshness is the checkpoint interval, unless the session sets one */
	if (!conf_str(conf, "execution.checkpointing.interval")) {
		char iv[48];
		snprintf(iv, sizeof(iv), "%lld ms", m->fresh_n * unit_ms(m->fresh_unit));
		json_object_set_new(jc, "execution.checkpointing.interval", json_string(iv));
	}
	json_object_del(jc, "execution.savepoint.path");
	json_object_del(jc, "execution.state-recovery.path");
	if (restore)
		json_object_set_new(jc, "execution.savepoint.path", json_string(restore));
	struct arena a;
	arena_init(&a, 4096);
	struct fg_result r;
	memset(&r, 0, sizeof(r));
	int rc = -1;
	struct stmt *ins = parse_stmt(&a, text.buf, s->e->version, e);
	if (ins && ins->k == S_INSERT && !exec_modify(s, &ins, 1, jc, text.buf, &r, e) && r.job_id[0]) {
		snprintf(m->job_id, sizeof(m->job_id), "%s", r.job_id);
		rc = 0;
	}
	clear_result(&r);
	fg_result_release(&r);
	arena_release(&a);
	json_decref(jc);
	sb_release(&ser);
	sb_release(&text);
	sb_release(&name);
	return rc;
}

/* see fgi.h */
void mt_set_columns(struct tdef *d, struct arena *a, const struct outcol *cols, int n)
{
	d->cols = ARENA_ARRAY(a, struct fcol, n + 1);
	d->ncols = n;
	for (int i = 0; i < n; i++) {
		d->cols[i].name = cols[i].name;
		d->cols[i].kind = COL_PHYS;
		d->cols[i].type = cols[i].type ? ft_copy(a, cols[i].type) : ft_string(a, true);
		d->cols[i].type->attr = TA_NONE;
		if (d->cols[i].type->root == FT_NULL)
			d->cols[i].type = ft_string(a, true);
		if (d->cols[i].type->root == FT_CHAR)
			d->cols[i].type->root = FT_VARCHAR;
	}
}

static int create_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 2048);
	int rc = -1;
	struct tdef *d = st->def;
	struct sb ser = SB_INIT, q = SB_INIT, ddl = SB_INIT;
	qualify(s, &a, st->name, st->nname, &d->cat, &d->db, &d->name);
	ident_serial(&ser, d->cat, d->db, d->name);
	/* the converter: freshness, refresh mode */
	long long fn = 3;
	const char *fu = "MINUTE";
	if (st->freshness && freshness_of(st->freshness, &fn, &fu, e))
		goto out;
	if (!st->freshness && st->refresh_mode && !strcmp(st->refresh_mode, "FULL")) {
		/* Flink 2.2: materialized-table.default-freshness.full */
		fn = 1;
		fu = "HOUR";
	}
	bool full;
	if (st->refresh_mode)
		full = !strcmp(st->refresh_mode, "FULL");
	else
		full = fn * unit_ms(fu) >=
		       duration_ms(conf_str(conf, "materialized-table.refresh-mode.freshness-threshold"), 1800000LL);
	if (full && full_mode_check(fn, fu, e))
		goto out;
	if (!cat_find(s, d->cat)) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", d->cat);
		goto out;
	}
	if (obj_lookup(s, d->cat, d->db, d->name, NULL)) {
		ferr_add(e, EX_VALIDATION, "Could not execute CreateTable in path %s", ser.buf);
		ferr_add(e, EX_TABLE_EXISTS, "Table (or view) %s.%s already exists in Catalog %s.", d->db, d->name, d->cat);
		goto out;
	}
	/* the schema and the stored query come from the query */
	struct outcol *cols = NULL;
	int n = 0;
	if (query_schema(s, st->q, st->text, &a, &cols, &n, e) || expand_query(s, st->q, st->text, &q, e))
		goto out;
	mt_set_columns(d, &a, cols, n);
	struct sb avail = SB_INIT;
	for (int i = 0; i < n; i++)
		sb_addf(&avail, "%s'%s'", i ? ", " : "", d->cols[i].name);
	for (int i = 0; i < d->npk + d->npart; i++) {
		const char *col = i < d->npk ? d->pk[i] : d->part[i - d->npk];
		if (tdef_col(d, col) < 0) {
			ferr_add(e, EX_VALIDATION, "%s column '%s' not defined in the query schema. Available columns: [%s].",
				i < d->npk ? "Primary key" : "Partition", col, avail.buf);
			sb_release(&avail);
			goto out;
		}
	}
	sb_release(&avail);
	/* MaterializedTableManager: FULL needs the gateway's workflow scheduler */
	if (full) {
		ferr_add(e, EX_SQL_EXEC, "The workflow scheduler must be configured when creating materialized table in full "
			"refresh mode.");
		goto out;
	}
	ddl_table(&ddl, d, false);
	struct tdef *t = tdef_from_ddl(ddl.buf, e);
	if (!t)
		goto out;
	struct mtinfo *m = xcalloc(1, sizeof(*m));
	m->query = xstrdup(q.buf);
	m->fresh_n = fn;
	m->fresh_unit = fu;
	m->full = full;
	m->logical = st->refresh_mode ? st->refresh_mode : "AUTOMATIC";
	t->mt = m;
	if (cat_add_table(s, t, false, e)) {
		tdef_free(t);
		goto out;
	}
	if (start_refresh_job(s, d->cat, d->db, d->name, m, conf, NULL, e)) {
		/* weak atomicity: the table goes again */
		cat_remove(s, d->cat, d->db, d->name);
		ferr_wrap(e, EX_SQL_EXEC, "Submit continuous refresh job for materialized table %s occur exception.", ser.buf);
		goto out;
	}
	res_ok(out);
	rc = 0;
out:
	sb_release(&ser);
	sb_release(&q);
	sb_release(&ddl);
	arena_release(&a);
	return rc;
}

/* The materialized table a statement names, or NULL with e filled (not one: MaterializedTableManager
 * .getCatalogMaterializedTable) */
static struct tdef *find_mt(struct fg_session *s, struct stmt *st, struct arena *a, const char **pc, const char **pd,
	const char **pn, struct sb *ser, struct ferr *e)
{
	qualify(s, a, st->name, st->nname, pc, pd, pn);
	ident_serial(ser, *pc, *pd, *pn);
	struct tdef *t = obj_lookup(s, *pc, *pd, *pn, NULL);
	if (!t) {
		struct sb sum = SB_INIT;
		ident_summary(&sum, *pc, *pd, *pn);
		ferr_add(e, EX_VALIDATION, "Table or view with identifier '%s' doesn't exist.", sum.buf);
		sb_release(&sum);
		return NULL;
	}
	if (!t->mt) {
		ferr_add(e, EX_VALIDATION, "Table %s is not a materialized table, does not support materialized table related "
			"operation.", ser->buf);
		return NULL;
	}
	return t;
}

static int drop_mt(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 256);
	const char *c, *d, *n;
	qualify(s, &a, st->name, st->nname, &c, &d, &n);
	struct sb ser = SB_INIT;
	ident_serial(&ser, c, d, n);
	int rc = -1;
	struct tdef *t = obj_lookup(s, c, d, n, NULL);
	/* a table that exists is looked up as a materialized table, IF EXISTS or not */
	if (t && !t->mt) {
		ferr_add(e, EX_VALIDATION, "Table %s is not a materialized table, does not support materialized table related "
			"operation.", ser.buf);
		goto out;
	}
	if (!t) {
		if (st->if_exists) {
			res_ok(out);
			rc = 0;
		} else {
			ferr_add(e, EX_VALIDATION, "Materialized table with identifier %s does not exist.", ser.buf);
		}
		goto out;
	}
	/* an activated continuous refresh job is canceled first */
	struct job *j = t->mt->job_id[0] ? job_find(s->e, t->mt->job_id) : NULL;
	if (j && !t->mt->suspended) {
		job_update(s->e, j);
		if (j->status == JOB_RUNNING) {
			j->status = JOB_CANCELED;
			job_stop_pipelines(j);
		}
	}
	/* Confluent Cloud: the topic goes with the table (§13.5) */
	if (s->e->confluent)
		cc_topic_remove(s->e, t, true);
	cat_remove(s, c, d, n);
	res_ok(out);
	rc = 0;
out:
	sb_release(&ser);
	arena_release(&a);
	return rc;
}

static int alter_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 256);
	const char *c, *d, *n;
	struct sb ser = SB_INIT;
	int rc = -1;
	struct tdef *t = find_mt(s, st, &a, &c, &d, &n, &ser, e);
	if (!t)
		goto out;
	struct mtinfo *m = t->mt;
	struct job *j = m->job_id[0] ? job_find(s->e, m->job_id) : NULL;
	if (j)
		job_update(s->e, j);
	if (!strcmp(st->refresh_mode, "SUSPEND")) {
		if (m->suspended) {
			ferr_add(e, EX_SQL_EXEC, "Materialized table %s continuous refresh job has been suspended, jobId is %s.",
				ser.buf, m->job_id);
			goto out;
		}
		const char *dir = conf_str(conf, "execution.checkpointing.savepoint-dir");
		if (!dir)
			dir = conf_str(conf, "state.savepoints.dir");
		if (!dir || !*dir) {
			ferr_add(e, EX_SQL_EXEC, "Failed to suspend the continuous refresh job for materialized table %s.", ser.buf);
			ferr_add(e, EX_VALIDATION, "Savepoint directory is not configured, can't stop job with savepoint.");
			goto out;
		}
		if (!j || j->status != JOB_RUNNING) {
			ferr_add(e, EX_SQL_EXEC, "Failed to suspend the continuous refresh job for materialized table %s.", ser.buf);
			ferr_add(e, EX_SQL_EXEC, "Could not stop job %s with savepoint.", m->job_id);
			ferr_add(e, "org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException",
				"Job %s has already been terminated with state %s.", m->job_id,
				j ? job_status_name(j->status) : "CANCELED");
			goto out;
		}
		const char *path = job_stop_with_savepoint(s->e, j, dir, e);
		if (!path) {
			ferr_wrap(e, EX_SQL_EXEC, "Failed to suspend the continuous refresh job for materialized table %s.", ser.buf);
			goto out;
		}
		free(m->savepoint);
		m->savepoint = xstrdup(path);
		m->suspended = true;
	} else if (!strcmp(st->refresh_mode, "RESUME")) {
		/* a running job is not resumed twice; one that ended may be */
		if (!m->suspended && j && j->status == JOB_RUNNING) {
			ferr_add(e, EX_SQL_EXEC, "Materialized table %s continuous refresh job has been resumed, jobId is %s.",
				ser.buf, m->job_id);
			goto out;
		}
		if (start_refresh_job(s, c, d, n, m, conf, m->savepoint, e)) {
			ferr_wrap(e, EX_SQL_EXEC, "Failed to resume the continuous refresh job for materialized table %s.", ser.buf);
			goto out;
		}
		m->suspended = false;
	} else {
		/* REFRESH runs a batch job over the query (Materialized_table_..._one_time_refresh_job): the
		 * double's batch jobs cannot overwrite the connectors a continuous table writes */
		ferr_add(e, EX_SQL_EXEC, "Failed to refresh the materialized table %s.", ser.buf);
		ferr_add(e, EX_TABLE, "The flink gateway double does not run one-time refresh jobs.");
		goto out;
	}
	res_ok(out);
	rc = 0;
out:
	sb_release(&ser);
	arena_release(&a);
	return rc;
}

/* SHOW CREATE MATERIALIZED TABLE (Flink 2.1+): the definition with its freshness and refresh mode
 * as the catalog keeps them (the derived ones too), the query fully qualified */
static int show_create_mt(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 256);
	const char *c, *d, *n;
	struct sb ser = SB_INIT, o = SB_INIT;
	int rc = -1;
	struct tdef *t = find_mt(s, st, &a, &c, &d, &n, &ser, e);
	if (!t)
		goto out;
	sb_addf(&o, "CREATE MATERIALIZED TABLE %s\n", ser.buf);
	if (t->npk) {
		sb_adds(&o, "(\n  CONSTRAINT ");
		struct sb nm = SB_INIT;
		sb_adds(&nm, "PK");
		for (int i = 0; i < t->npk; i++)
			sb_addf(&nm, "_%s", t->pk[i]);
		quote_ident(&o, t->pk_name ? t->pk_name : nm.buf);
		sb_release(&nm);
		sb_adds(&o, " PRIMARY KEY (");
		for (int i = 0; i < t->npk; i++) {
			if (i)
				sb_adds(&o, ", ");
			quote_ident(&o, t->pk[i]);
		}
		sb_adds(&o, ") NOT ENFORCED\n)\n");
	}
	if (t->comment && *t->comment) {
		sb_adds(&o, "COMMENT ");
		quote_str(&o, t->comment);
		sb_addc(&o, '\n');
	}
	if (t->npart) {
		sb_adds(&o, "PARTITIONED BY (");
		for (int i = 0; i < t->npart; i++) {
			if (i)
				sb_adds(&o, ", ");
			quote_ident(&o, t->part[i]);
		}
		sb_adds(&o, ")\n");
	}
	if (t->nopts) {
		sb_adds(&o, "WITH (\n");
		for (int i = 0; i < t->nopts; i++) {
			sb_adds(&o, "  ");
			quote_str(&o, t->opts[i].k);
			sb_adds(&o, " = ");
			quote_str(&o, opt_sensitive(t->opts[i].k) ? "****" : t->opts[i].v);
			sb_adds(&o, i + 1 < t->nopts ? ",\n" : "\n");
		}
		sb_adds(&o, ")\n");
	}
	sb_addf(&o, "FRESHNESS = INTERVAL '%lld' %s\nREFRESH_MODE = %s\nAS %s", t->mt->fresh_n, t->mt->fresh_unit,
		t->mt->full ? "FULL" : "CONTINUOUS", t->mt->query);
	const char *cn = "result", *v = o.buf;
	res_str_columns(out, 1, &cn);
	res_row_strs(out, 1, &v);
	out->result_kind = "SUCCESS_WITH_CONTENT";
	rc = 0;
out:
	sb_release(&ser);
	sb_release(&o);
	arena_release(&a);
	return rc;
}

int exec_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	switch (st->k) {
	case S_SHOW_CREATE_MT:
		return show_create_mt(s, st, out, e);
	case S_CREATE_MT:
		return s->e->confluent ? cc_create_mt(s, st, conf, out, e) : create_mt(s, st, conf, out, e);
	case S_DROP_MT:
		return drop_mt(s, st, out, e);
	default:
		return alter_mt(s, st, conf, out, e);
	}
}
