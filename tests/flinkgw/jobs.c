/*
 * Jobs: what INSERT, CTAS, statement sets and queries submit, and what STOP JOB, SHOW JOBS and
 * savepoints do with them.
 *
 * DESIGN
 *  - A job owns copies of everything it needs (its pipelines own their plans, which own copies
 *    of the tables they read, and the job owns copies of its sinks), so it runs on after the
 *    session that submitted it changed its catalogs or closed.
 *  - A job whose sources are all bounded (or that runs in batch mode) computes its whole output
 *    at submission, writes it into its sinks and is FINISHED once job_run_ms have passed (the
 *    status is worked out when someone looks). Any other job stays RUNNING: it is brought up to
 *    date lazily, just before anything reads one of its sinks (jobs_refresh), by advancing its
 *    pipelines over the current source data and appending the new changes to the sink.
 *  - A streaming query's job belongs to its stream: polling the stream advances the pipeline,
 *    closing the stream or the session cancels the job.
 *  - STOP JOB ... WITH SAVEPOINT records where the job was (its pipelines' state and how many
 *    records of each topic it had consumed) under a savepoint path; a job submitted with
 *    execution.state-recovery.path / execution.savepoint.path set to that path resumes from it:
 *    with the very same query it continues its changelog, otherwise its sources start after the
 *    records already consumed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fs.h"
#include "fgi.h"

const char *job_status_name(enum job_status s)
{
	switch (s) {
	case JOB_RUNNING: return "RUNNING";
	case JOB_FINISHED: return "FINISHED";
	case JOB_FAILED: return "FAILED";
	case JOB_CANCELED: return "CANCELED";
	}
	return "RUNNING";
}

struct job *job_find(struct fg_engine *e, const char *id)
{
	for (size_t i = 0; i < e->jobs.n; i++)
		if (!strcmp(e->jobs.v[i]->id, id))
			return e->jobs.v[i];
	return NULL;
}

void job_stop_pipelines(struct job *j)
{
	pipeline_free(j->pl);
	j->pl = NULL;
	for (size_t i = 0; i < j->extra.n; i++)
		pipeline_free(j->extra.v[i]);
	VEC_FREE(&j->extra);
}

void job_free(struct job *j)
{
	if (!j)
		return;
	job_stop_pipelines(j);
	for (size_t i = 0; i < j->sinks.n; i++)
		tdef_free(j->sinks.v[i]);
	VEC_FREE(&j->sinks);
	for (size_t i = 0; i < j->sink_keys.n; i++)
		free(j->sink_keys.v[i]);
	VEC_FREE(&j->sink_keys);
	free(j->name);
	free(j->statement);
	free(j->sink);
	free(j->savepoint);
	free(j->restored_from);
	free(j->failure);
	free(j);
}

void savepoint_free(struct savepoint *sp)
{
	if (!sp)
		return;
	free(sp->path);
	free(sp->sql);
	json_decref(sp->emitted);
	json_decref(sp->last);
	json_decref(sp->offsets);
	free(sp);
}

void job_update(struct fg_engine *e, struct job *j)
{
	(void)e;
	if (j->status == JOB_RUNNING && j->finish_at && now_ms() >= j->finish_at) {
		j->status = JOB_FINISHED;
		job_stop_pipelines(j);
	}
}

static void new_job_id(struct fg_engine *e, char *out)
{
	uint64_t a = engine_rand(e), b = engine_rand(e);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

/* The statement with the values of sensitive options ('password' = '…') hidden */
static char *masked(const char *sql)
{
	struct arena a;
	arena_init(&a, 2048);
	struct lexed lx;
	struct ferr e = {0};
	struct sb o = SB_INIT;
	if (lex_sql(&a, sql, &lx, &e)) {
		/* cannot tell where the values are: keep nothing of it */
		sb_adds(&o, "<statement>");
	} else {
		int at = 0;
		for (int i = 0; i + 2 < lx.n; i++) {
			struct token *k = &lx.t[i], *eq = &lx.t[i + 1], *v = &lx.t[i + 2];
			if (k->kind == TK_STRING && eq->kind == TK_OP && !strcmp(eq->val, "=") && v->kind == TK_STRING &&
				opt_sensitive(k->val)) {
				sb_add(&o, sql + at, (size_t)(v->off - at));
				sb_adds(&o, "'****'");
				at = v->off + v->n;
			}
		}
		sb_adds(&o, sql + at);
	}
	ferr_release(&e);
	arena_release(&a);
	return sb_detach(&o, NULL);
}

static struct job *job_new(struct fg_engine *e, const char *name, const char *statement)
{
	struct job *j = xcalloc(1, sizeof(*j));
	new_job_id(e, j->id);
	j->name = xstrdup(name);
	j->statement = masked(statement ? statement : "");
	j->start_ms = now_ms();
	j->status = JOB_RUNNING;
	VEC_PUSH(&e->jobs, j);
	return j;
}

static void job_fail(struct job *j, const struct ferr *err)
{
	j->status = JOB_FAILED;
	struct sb m = SB_INIT;
	for (int i = 0; i < err->n; i++)
		sb_addf(&m, "%s%s: %s", i ? "\nCaused by: " : "", err->cls[i], err->msg[i]);
	free(j->failure);
	j->failure = sb_detach(&m, NULL);
	job_stop_pipelines(j);
}

/* Advances a job's pipelines and writes what is new into its sinks; 0, or -1 when the job failed */
static int job_step(struct fg_engine *e, struct job *j)
{
	if (j->status != JOB_RUNNING || j->is_query || j->refreshing_now)
		return 0;
	j->refreshing_now = true;
	int rc = 0;
	size_t np = 1 + j->extra.n;
	for (size_t i = 0; i < np && j->status == JOB_RUNNING; i++) {
		struct pipeline *pl = i ? j->extra.v[i - 1] : j->pl;
		if (!pl)
			continue;
		json_t *changes = json_array();
		struct ferr err = {0};
		if (pipeline_advance(e, pl, changes, &err)) {
			job_fail(j, &err);
			rc = -1;
		} else if (json_array_size(changes)) {
			struct ferr werr = {0};
			if (conn_write(e, j->sinks.v[i], j->id, changes, pl->types, pl->ntypes, j->overwrite && !j->written,
				&werr)) {
				job_fail(j, &werr);
				rc = -1;
			}
			ferr_release(&werr);
		}
		ferr_release(&err);
		json_decref(changes);
	}
	j->written = true;
	j->refreshing_now = false;
	return rc;
}

void jobs_refresh(struct fg_engine *e, const char *key)
{
	if (!key || e->refreshing > 8)
		return;
	e->refreshing++;
	for (size_t i = 0; i < e->jobs.n; i++) {
		struct job *j = e->jobs.v[i];
		job_update(e, j);
		if (j->status != JOB_RUNNING || j->is_query || !j->pl)
			continue;
		bool writes = false;
		for (size_t k = 0; k < j->sink_keys.n; k++)
			writes = writes || (j->sink_keys.v[k] && !strcmp(j->sink_keys.v[k], key));
		if (writes)
			job_step(e, j);
	}
	e->refreshing--;
}

void jobs_cancel_session(struct fg_engine *e, uint64_t session)
{
	for (size_t i = 0; i < e->jobs.n; i++) {
		struct job *j = e->jobs.v[i];
		if (j->is_query && j->session == session && j->status == JOB_RUNNING) {
			j->status = JOB_CANCELED;
			job_stop_pipelines(j);
		}
	}
}

/* ------------------------------------------------------------------ queries */

int exec_select(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct fg_engine *en = s->e;
	if (infoschema_check(s, st->q, e))
		return -1;
	struct plan *p = plan_query(s, st->q, st->text, conf, e);
	if (!p)
		return -1;
	struct pipeline *pl = pipeline_new(p);
	if (pipeline_prepare(pl, st->text, e)) {
		pipeline_free(pl);
		return -1;
	}
	json_t *rows = json_array();
	if (pipeline_advance(en, pl, rows, e)) {
		json_decref(rows);
		pipeline_free(pl);
		return -1;
	}
	const char *pname = conf_str(conf, "pipeline.name");
	struct job *j = job_new(en, pname ? pname : "collect", st->text);
	j->is_query = true;
	j->session = s->id;
	out->columns = pipeline_columns(pl);
	out->rows = rows;
	out->is_query = true;
	out->result_kind = "SUCCESS_WITH_CONTENT";
	out->ok = true;
	out->updating = p->updating;
	out->nupsert = -1;
	if (p->updating && p->nkeys >= 0 && p->nkeys <= 16) {
		out->nupsert = p->nkeys;
		for (int i = 0; i < p->nkeys; i++)
			out->upsert[i] = p->keys[i];
	}
	snprintf(out->job_id, sizeof(out->job_id), "%s", j->id);
	if (pl->finished) {
		j->status = JOB_FINISHED;
		pipeline_free(pl);
	} else {
		j->pl = pl;
		struct fg_stream *sm = xcalloc(1, sizeof(*sm));
		sm->e = en;
		snprintf(sm->job_id, sizeof(sm->job_id), "%s", j->id);
		out->stream = sm;
	}
	return 0;
}

bool fg_stream_poll(struct fg_stream *st, json_t *rows_out)
{
	struct fg_engine *e = st->e;
	pthread_mutex_lock(&e->lock);
	bool ended = true;
	struct job *j = job_find(e, st->job_id);
	if (j && j->status == JOB_RUNNING && j->pl) {
		struct ferr err = {0};
		if (pipeline_advance(e, j->pl, rows_out, &err)) {
			job_fail(j, &err);
		} else if (j->pl->finished) {
			j->status = JOB_FINISHED;
			job_stop_pipelines(j);
		} else {
			ended = false;
		}
		ferr_release(&err);
	}
	pthread_mutex_unlock(&e->lock);
	return ended;
}

void fg_stream_close(struct fg_stream *st)
{
	if (!st)
		return;
	struct fg_engine *e = st->e;
	pthread_mutex_lock(&e->lock);
	struct job *j = job_find(e, st->job_id);
	if (j && j->status == JOB_RUNNING) {
		j->status = JOB_CANCELED;
		job_stop_pipelines(j);
	}
	pthread_mutex_unlock(&e->lock);
	free(st);
}

/* ------------------------------------------------------------------ savepoints */

/* "file:///x", "file:/x" and "/x" name the same local folder */
static const char *local_path(const char *p)
{
	if (!strncmp(p, "file://", 7))
		return p + 7;
	if (!strncmp(p, "file:", 5))
		return p + 5;
	return p;
}

static struct savepoint *savepoint_find(struct fg_engine *e, const char *path)
{
	const char *lp = local_path(path);
	size_t n = strlen(lp);
	while (n > 1 && lp[n - 1] == '/')
		n--;
	for (size_t i = 0; i < e->savepoints.n; i++) {
		const char *sp = local_path(e->savepoints.v[i]->path);
		if (strlen(sp) == n && !strncmp(sp, lp, n))
			return e->savepoints.v[i];
	}
	return NULL;
}

static struct savepoint *take_savepoint(struct fg_engine *e, struct job *j, const char *dir, struct ferr *err)
{
	struct arena a;
	arena_init(&a, 512);
	const char *ld = local_path(dir);
	char *abs = fs_abspath(&a, ld);
	char name[64];
	snprintf(name, sizeof(name), "savepoint-%.6s-%012llx", j->id,
		(unsigned long long)(engine_rand(e) & 0xffffffffffffULL));
	char *folder = fs_join(&a, abs, name);
	struct savepoint *sp = NULL;
	if (fs_mkdir_p(folder)) {
		ferr_add(err, EX_IO, "Could not create the savepoint directory '%s'.", folder);
		goto out;
	}
	char *meta = fs_join(&a, folder, "_metadata");
	struct sb m = SB_INIT;
	sb_addf(&m, "{\"job\":\"%s\"}\n", j->id);
	fs_write(meta, m.buf, m.len);
	sb_release(&m);
	sp = xcalloc(1, sizeof(*sp));
	struct sb p = SB_INIT;
	sb_addf(&p, "file:%s", folder);
	sp->path = sb_detach(&p, NULL);
	sp->offsets = json_object();
	if (j->pl) {
		sp->sql = xstrdup(j->pl->plan->sql);
		sp->emitted = json_deep_copy(j->pl->emitted);
		sp->last = json_deep_copy(j->pl->last);
		sp->done = j->pl->done;
		for (size_t i = 0; i < j->pl->plan->scans.n; i++) {
			struct scan *sc = j->pl->plan->scans.v[i];
			if (sc->srckey && !strncmp(sc->srckey, "topic:", 6)) {
				json_t *recs = topic_records(e, sc->srckey + 6);
				json_object_set_new(sp->offsets, sc->srckey, json_integer((json_int_t)json_array_size(recs)));
				json_decref(recs);
			}
		}
	}
	VEC_PUSH(&e->savepoints, sp);
out:
	arena_release(&a);
	return sp;
}

/* ------------------------------------------------------------------ INSERT / CTAS */

struct target {
	struct tdef *sink;   /* owned copy */
	const char *c, *d, *n;
	struct plan *plan;   /* wrapped: casts to the sink's columns */
	int ncols;
	int *cols;           /* sink column index per output */
};

static void schema_text(struct sb *o, struct outcol *cols, int n, struct pipeline *pl)
{
	sb_addc(o, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(o, ", ");
		sb_addf(o, "%s: ", cols[i].name);
		struct ftype *t = cols[i].type ? cols[i].type : (pl && i < pl->ntypes ? pl->types[i] : NULL);
		if (t)
			ft_summary(o, t, true, false);
		else
			sb_adds(o, "STRING");
	}
	sb_addc(o, ']');
}

static void name_error(struct fg_session *s, struct stmt *st, struct ferr *e, const char *c, const char *d)
{
	int end = st->name_pos;
	/* the end of the name: skip identifier characters, dots and backticks */
	const char *p = st->text + st->name_pos;
	bool q = false;
	while (*p && (q || *p == '`' || *p == '.' || *p == '_' || *p == '$' || isalnum((unsigned char)*p) ||
		(unsigned char)*p >= 0x80)) {
		if (*p == '`')
			q = !q;
		p++;
	}
	end = (int)(p - st->text);
	int l1, c1, l2, c2;
	src_linecol(st->text, st->name_pos, &l1, &c1);
	src_linecol(st->text, end - 1, &l2, &c2);
	const char *obj = st->name[st->nname - 1];
	struct sb m = SB_INIT;
	struct fcatalog *fc = cat_find(s, c);
	if (st->nname >= 2 && fc && db_find(fc, d))
		sb_addf(&m, "Object '%s' not found within '%s.%s'", obj, c, d);
	else if (st->nname >= 2)
		sb_addf(&m, "Object '%s' not found", st->name[st->nname >= 3 && !fc ? 0 : st->nname - 2]);
	else
		sb_addf(&m, "Object '%s' not found", obj);
	ferr_add(e, EX_VALIDATION, "SQL validation failed. From line %d, column %d to line %d, column %d: %s", l1, c1, l2,
		c2, m.buf);
	ferr_add(e, EX_CALCITE_CTX, "From line %d, column %d to line %d, column %d: %s", l1, c1, l2, c2, m.buf);
	ferr_add(e, EX_SQL_VALIDATOR, "%s", m.buf);
	sb_release(&m);
}

static void qid(struct sb *o, const char *s)
{
	sb_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(o, '"');
		sb_addc(o, *s);
	}
	sb_addc(o, '"');
}

/* Rewrites an INSERT's plan to produce the sink's columns: the query's columns (map: sink column ->
 * query column, -1 for NULL) cast to the sink's types, in the sink's order (sc: the persisted
 * columns of def); the upsert key is kept where it survives the mapping */
static void wrap_for_sink(struct plan *p, const struct tdef *def, const int *sc, int nsc, const int *map)
{
	struct sb w = SB_INIT;
	sb_adds(&w, "SELECT ");
	for (int i = 0; i < nsc; i++) {
		const struct fcol *col = &def->cols[sc[i]];
		if (i)
			sb_adds(&w, ", ");
		struct sb dt = SB_INIT;
		ft_duck(&dt, col->type);
		if (map[i] < 0) {
			sb_addf(&w, "CAST(NULL AS %s)", dt.buf);
		} else if (col->type->root == FT_TIMESTAMP_LTZ) {
			/* records carry TIMESTAMP_LTZ values in UTC */
			sb_addf(&w, "timezone('UTC', CAST(__i.\"#%d\" AS TIMESTAMPTZ))", map[i]);
		} else {
			sb_addf(&w, "CAST(__i.\"#%d\" AS %s)", map[i], dt.buf);
		}
		sb_adds(&w, " AS ");
		qid(&w, col->name);
		sb_release(&dt);
	}
	if (!nsc)
		sb_adds(&w, "NULL");
	sb_addf(&w, " FROM (%s) AS __i(", p->sql);
	for (int i = 0; i < p->ncols; i++)
		sb_addf(&w, "%s\"#%d\"", i ? ", " : "", i);
	sb_adds(&w, ")");
	free(p->sql);
	p->sql = sb_detach(&w, NULL);
	p->cols = ARENA_ARRAY(&p->a, struct outcol, nsc + 1);
	p->ncols = nsc;
	for (int i = 0; i < nsc; i++) {
		p->cols[i].name = arena_strdup(&p->a, def->cols[sc[i]].name);
		p->cols[i].type = ft_copy(&p->a, def->cols[sc[i]].type);
		p->cols[i].type->attr = TA_NONE;
	}
	/* keys refer to query positions: keep them only where they survive the mapping */
	if (p->nkeys > 0) {
		int nk = 0;
		for (int i = 0; i < p->nkeys; i++)
			for (int k2 = 0; k2 < nsc; k2++)
				if (map[k2] == p->keys[i])
					p->keys[nk++] = k2;
		p->nkeys = nk == p->nkeys ? nk : -1;
	}
}

/* plans one INSERT: the sink, the query, and the mapping of query columns to sink columns */
static int plan_insert(struct fg_session *s, struct stmt *st, json_t *conf, bool batch, struct target *tg,
	struct ferr *e)
{
	struct arena *tmpa = xcalloc(1, sizeof(*tmpa));
	arena_init(tmpa, 1024);
	int rc = -1;
	const char *c, *d, *n;
	qualify(s, tmpa, st->name, st->nname, &c, &d, &n);
	struct tdef *def = obj_lookup(s, c, d, n, NULL);
	struct pipeline *probe = NULL;
	if (!def) {
		name_error(s, st, e, c, d);
		goto out;
	}
	struct sb ident = SB_INIT;
	ident_summary(&ident, c, d, n);
	if (def->kind == OBJ_VIEW) {
		ferr_add(e, EX_VALIDATION, "Unable to create a sink for writing table '%s'.\n\nThe table is a view.", ident.buf);
		sb_release(&ident);
		goto out;
	}
	if (conn_validate(def, def->opts, def->nopts, true, ident.buf, FG_PARSE_VERSION(s->e), e)) {
		sb_release(&ident);
		goto out;
	}
	const char *conn = tdef_opt(def, "connector");
	enum conn_kind k = conn_kind(conn);
	if (st->overwrite) {
		if (k != CN_FILESYSTEM) {
			ferr_add(e, EX_VALIDATION, "INSERT OVERWRITE requires that the underlying DynamicTableSink of table '%s' "
				"implements the SupportsOverwrite interface.", ident.buf);
			sb_release(&ident);
			goto out;
		}
		if (!batch) {
			ferr_add(e, EX_VALIDATION, "Streaming mode not support overwrite.");
			sb_release(&ident);
			goto out;
		}
	}
	struct plan *p = plan_query(s, st->q, st->text, conf, e);
	if (!p) {
		sb_release(&ident);
		goto out;
	}
	/* the sink's persisted columns */
	int sc[256], nsc = 0;
	for (int i = 0; i < def->ncols && nsc < 256; i++)
		if (def->cols[i].kind == COL_PHYS || (def->cols[i].kind == COL_META && !def->cols[i].is_virtual))
			sc[nsc++] = i;
	int *map = xcalloc((size_t)nsc + 1, sizeof(int));   /* sink column -> query column, -1: NULL */
	for (int i = 0; i < nsc; i++)
		map[i] = -1;
	int want = nsc;
	if (st->nicols) {
		want = st->nicols;
		for (int i = 0; i < st->nicols; i++) {
			int found = -1;
			for (int k2 = 0; k2 < nsc; k2++)
				if (!strcmp(def->cols[sc[k2]].name, st->icols[i]))
					found = k2;
			if (found < 0) {
				ferr_add(e, EX_VALIDATION, "SQL validation failed. Unknown target column '%s'", st->icols[i]);
				free(map);
				plan_free(p);
				sb_release(&ident);
				goto out;
			}
			map[found] = i;
		}
	} else {
		for (int i = 0; i < nsc; i++)
			map[i] = i;
	}
	if (p->ncols != want) {
		probe = pipeline_new(p);
		struct ferr pe = {0};
		pipeline_prepare(probe, st->text, &pe);
		ferr_release(&pe);
		struct sb qs = SB_INIT, ss = SB_INIT;
		schema_text(&qs, p->cols, p->ncols, probe);
		ss.buf = NULL;
		sb_init(&ss);
		sb_addc(&ss, '[');
		for (int i = 0; i < nsc; i++) {
			sb_addf(&ss, "%s%s: ", i ? ", " : "", def->cols[sc[i]].name);
			ft_summary(&ss, def->cols[sc[i]].type, true, false);
		}
		sb_addc(&ss, ']');
		ferr_add(e, EX_VALIDATION, "Column types of query result and sink for '%s' do not match.\nCause: Different "
			"number of columns.\n\nQuery schema: %s\nSink schema:   %s", ident.buf, qs.buf, ss.buf);
		sb_release(&qs);
		sb_release(&ss);
		free(map);
		sb_release(&ident);
		pipeline_free(probe);   /* frees p */
		probe = NULL;
		goto out;
	}
	if (!batch && p->updating && (k == CN_KAFKA || k == CN_FILESYSTEM)) {
		/* FlinkChangelogModeInferenceProgram: the kinds the sink lacks, sorted and joined by
		 * " and "; a normalized upsert source also deletes */
		bool deletes = p->node_desc && !strncmp(p->node_desc, "ChangelogNormalize", 18);
		ferr_add(e, EX_TABLE, "Table sink '%s' doesn't support consuming %s changes which is produced by node %s",
			ident.buf, deletes ? "update and delete" : "update", p->node_desc ? p->node_desc : "GroupAggregate");
		free(map);
		plan_free(p);
		sb_release(&ident);
		goto out;
	}
	wrap_for_sink(p, def, sc, nsc, map);
	free(map);
	tg->sink = tdef_clone(def);
	tg->sink->cat = arena_strdup(&tg->sink->a, c);
	tg->c = tg->sink->cat;
	tg->d = tg->sink->db;
	tg->n = tg->sink->name;
	tg->plan = p;
	sb_release(&ident);
	rc = 0;
out:
	arena_release(tmpa);
	free(tmpa);
	return rc;
}

/* CTAS: creates the table from the query's schema and returns the INSERT that fills it */
static struct stmt *ctas(struct fg_session *s, struct stmt *st, struct arena *a, struct ferr *e, bool *pskip)
{
	*pskip = false;
	if (st->temporary) {
		ferr_add(e, EX_VALIDATION, "CREATE TABLE AS SELECT syntax does not support to create temporary table yet.");
		return NULL;
	}
	struct tdef *d = st->def;
	qualify(s, a, st->name, st->nname, &d->cat, &d->db, &d->name);
	if (!cat_find(s, d->cat)) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", d->cat);
		return NULL;
	}
	if (obj_lookup(s, d->cat, d->db, d->name, NULL)) {
		if (st->if_not_exists) {
			*pskip = true;
			return NULL;
		}
		struct sb path = SB_INIT;
		ident_serial(&path, d->cat, d->db, d->name);
		ferr_add(e, EX_VALIDATION, "Could not execute CreateTable in path %s", path.buf);
		ferr_add(e, EX_TABLE_EXISTS, "Table (or view) %s.%s already exists in Catalog %s.", d->db, d->name, d->cat);
		sb_release(&path);
		return NULL;
	}
	struct outcol *cols = NULL;
	int n = 0;
	if (query_schema(s, st->q, st->text, a, &cols, &n, e))
		return NULL;
	if (!d->ncols) {
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
	tdef_confluent_defaults(s, d, a);
	if (s->e->confluent && cc_table_check(d, e))
		return NULL;
	struct sb ddl = SB_INIT;
	ddl_table(&ddl, d, false);
	struct tdef *t = tdef_from_ddl(ddl.buf, e);
	sb_release(&ddl);
	if (!t)
		return NULL;
	if (cat_add_table(s, t, false, e)) {
		tdef_free(t);
		return NULL;
	}
	struct stmt *ins = ARENA_NEW(a, struct stmt);
	ins->k = S_INSERT;
	ins->text = st->text;
	ins->name = ARENA_ARRAY(a, const char *, 3);
	ins->name[0] = d->cat;
	ins->name[1] = d->db;
	ins->name[2] = d->name;
	ins->nname = 3;
	ins->name_pos = st->name_pos;
	ins->q = st->q;
	return ins;
}

int exec_modify(struct fg_session *s, struct stmt **ins, int nins, json_t *conf, const char *text,
	struct fg_result *out, struct ferr *e)
{
	struct fg_engine *en = s->e;
	bool batch = conf_batch(conf);
	struct arena a;
	arena_init(&a, 2048);
	struct target *tg = ARENA_ARRAY(&a, struct target, nins + 1);
	int ntg = 0, rc = -1;
	for (int i = 0; i < nins; i++) {
		struct stmt *st = ins[i];
		if (st->k == S_CREATE_TABLE) {
			bool skip;
			st = ctas(s, st, &a, e, &skip);
			if (!st) {
				if (skip && nins == 1) {
					res_ok(out);
					rc = 0;
				}
				if (skip)
					continue;
				goto out;
			}
		}
		if (plan_insert(s, st, conf, batch, &tg[ntg], e))
			goto out;
		ntg++;
	}
	if (!ntg)
		goto out;
	/* restore from a savepoint */
	const char *rpath = conf_str(conf, "execution.state-recovery.path");
	if (!rpath)
		rpath = conf_str(conf, "execution.savepoint.path");
	struct savepoint *sp = NULL;
	struct sb names = SB_INIT;
	for (int i = 0; i < ntg; i++)
		sb_addf(&names, "%s%s.%s.%s", i ? "," : "", tg[i].c, tg[i].d, tg[i].n);
	const char *pname = conf_str(conf, "pipeline.name");
	struct sb jname = SB_INIT;
	if (pname)
		sb_adds(&jname, pname);
	else
		sb_addf(&jname, "insert-into_%s", names.buf);
	if (rpath && *rpath) {
		sp = savepoint_find(en, rpath);
		if (!sp) {
			ferr_add(e, EX_TABLE, "Failed to execute sql");
			ferr_add(e, EX_FLINK, "Failed to execute job '%s'.", jname.buf);
			ferr_add(e, EX_RUNTIME, "org.apache.flink.runtime.client.JobInitializationException: Could not start the "
				"JobMaster.");
			ferr_add(e, EX_FNF, "Cannot find checkpoint or savepoint file/directory '%s' on file system 'file'.", rpath);
			sb_release(&names);
			sb_release(&jname);
			goto out;
		}
	}
	struct job *j = job_new(en, jname.buf, text);
	j->sink = sb_detach(&names, NULL);
	sb_release(&jname);
	j->overwrite = ins[0]->overwrite;
	if (sp)
		j->restored_from = xstrdup(sp->path);
	for (int i = 0; i < ntg; i++) {
		struct pipeline *pl = pipeline_new(tg[i].plan);
		tg[i].plan = NULL;
		if (sp) {
			if (sp->sql && !strcmp(sp->sql, pl->plan->sql) && i == 0) {
				json_decref(pl->emitted);
				json_decref(pl->last);
				pl->emitted = json_deep_copy(sp->emitted);
				pl->last = json_deep_copy(sp->last);
				pl->done = sp->done;
			} else {
				for (size_t k = 0; k < pl->plan->scans.n; k++) {
					struct scan *scn = pl->plan->scans.v[k];
					const char *topic = fopt_get(scn->opts, scn->nopts, "topic");
					if (!topic)
						continue;
					struct sb key = SB_INIT;
					sb_addf(&key, "topic:%s", topic);
					json_t *off = json_object_get(sp->offsets, key.buf);
					if (off)
						scn->skip_offset = json_integer_value(off);
					sb_release(&key);
				}
			}
		}
		if (i == 0)
			j->pl = pl;
		else
			VEC_PUSH(&j->extra, pl);
		VEC_PUSH(&j->sinks, tg[i].sink);
		tg[i].sink = NULL;
		VEC_PUSH(&j->sink_keys, conn_sink_key(en, j->sinks.v[i]));
	}
	/* compute what is there now; a bounded job is done with it */
	struct ferr err = {0};
	for (int i = 0; i < ntg; i++) {
		struct pipeline *pl = i ? j->extra.v[i - 1] : j->pl;
		if (pipeline_prepare(pl, text, &err)) {
			/* a planning error: the statement fails, the job never existed */
			for (int k = 0; k < err.n; k++)
				ferr_add(e, err.cls[k], "%s", err.msg[k]);
			ferr_release(&err);
			en->jobs.n--;
			job_free(j);
			goto out;
		}
	}
	job_step(en, j);
	ferr_release(&err);
	bool bounded = true;
	if (j->pl) {
		bounded = j->pl->finished;
		for (size_t i = 0; i < j->extra.n; i++)
			bounded = bounded && j->extra.v[i]->finished;
	}
	if (j->status == JOB_RUNNING && bounded) {
		j->finish_at = now_ms() + en->job_run_ms;
		if (j->finish_at == j->start_ms)
			j->finish_at++;
	}
	const char *sync = conf_str(conf, "table.dml-sync");
	out->wait_for_job = sync && !strcasecmp(sync, "true");
	const char *cn = "job id";
	res_str_columns(out, 1, &cn);
	const char *id = j->id;
	res_row_strs(out, 1, &id);
	snprintf(out->job_id, sizeof(out->job_id), "%s", j->id);
	rc = 0;
out:
	for (int i = 0; i < ntg; i++) {
		plan_free(tg[i].plan);
		tdef_free(tg[i].sink);
	}
	arena_release(&a);
	return rc;
}

/* ------------------------------------------------------------------ SHOW JOBS, STOP JOB, ... */

static void job_row(struct fg_result *out, struct job *j, const char *tz)
{
	json_t *f = json_array();
	json_array_append_new(f, json_string(j->id));
	json_array_append_new(f, json_string(j->name));
	json_array_append_new(f, json_string(job_status_name(j->status)));
	json_array_append_new(f, ltz_json(j->start_ms, tz));
	json_array_append_new(out->rows, row_json("INSERT", f));
}

static void job_columns(struct fg_result *out)
{
	struct arena a;
	arena_init(&a, 256);
	const char *cn[] = {"job id", "job name", "status", "start time"};
	struct ftype *ct[] = {ft_string(&a, true), ft_string(&a, true), ft_string(&a, true), ft_new(&a, FT_TIMESTAMP_LTZ)};
	ct[3]->len = 3;
	res_columns(out, 4, cn, ct);
	arena_release(&a);
}

/* Stops a RUNNING job with a savepoint in dir: the job catches up first (draining fires every open
 * window), then it is FINISHED. The savepoint's path (owned by the job), or NULL with e filled */
static const char *stop_with_savepoint(struct fg_engine *en, struct job *j, const char *dir, bool drain, struct ferr *e)
{
	if (drain) {
		if (j->pl)
			j->pl->drain = true;
		for (size_t i = 0; i < j->extra.n; i++)
			j->extra.v[i]->drain = true;
	}
	job_step(en, j);
	struct savepoint *sp = take_savepoint(en, j, dir, e);
	if (!sp)
		return NULL;
	free(j->savepoint);
	j->savepoint = xstrdup(sp->path);
	j->status = JOB_FINISHED;
	job_stop_pipelines(j);
	return j->savepoint;
}

const char *job_stop_with_savepoint(struct fg_engine *en, struct job *j, const char *dir, struct ferr *e)
{
	return stop_with_savepoint(en, j, dir, false, e);
}

int fg_engine_stop_job(struct fg_engine *en, const char *job_id, const char *dir, bool drain, char **ppath,
		       char **perr)
{
	*ppath = *perr = NULL;
	pthread_mutex_lock(&en->lock);
	struct job *j = job_find(en, job_id);
	int rc = -1;
	if (j)
		job_update(en, j);
	if (!j) {
		rc = -1;
	} else if (j->status != JOB_RUNNING) {
		rc = -2;
	} else if (!dir) {
		j->status = JOB_CANCELED;
		job_stop_pipelines(j);
		rc = 0;
	} else {
		struct ferr e = {0};
		const char *path = stop_with_savepoint(en, j, dir, drain, &e);
		if (path) {
			*ppath = xstrdup(path);
			rc = 0;
		} else {
			struct sb m = SB_INIT;
			for (int i = 0; i < e.n; i++)
				sb_addf(&m, "%s%s: %s", i ? "\nCaused by: " : "", e.cls[i], e.msg[i]);
			*perr = xstrdup(m.len ? m.buf : "the savepoint failed");
			sb_release(&m);
			ferr_release(&e);
			rc = -3;
		}
	}
	pthread_mutex_unlock(&en->lock);
	return rc;
}

int exec_jobs_stmt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct fg_engine *en = s->e;
	const char *tz = conf_str(conf, "table.local-time-zone");
	if (!tz || !strcmp(tz, "default"))
		tz = "UTC";
	if (st->k == S_SHOW_JOBS) {
		job_columns(out);
		for (size_t i = 0; i < en->jobs.n; i++) {
			job_update(en, en->jobs.v[i]);
			job_row(out, en->jobs.v[i], tz);
		}
		return 0;
	}
	struct job *j = job_find(en, st->key);
	if (st->k == S_DESCRIBE_JOB) {
		if (!j) {
			ferr_add(e, EX_SQL_EXEC, "Failed to get job %s in the cluster.", st->key);
			ferr_add(e, EX_JOB_NOT_FOUND, "Could not find Flink job (%s)", st->key);
			return -1;
		}
		job_update(en, j);
		job_columns(out);
		job_row(out, j, tz);
		return 0;
	}
	/* STOP JOB */
	const char *with = st->savepoint ? " with savepoint" : "";
	if (j)
		job_update(en, j);
	if (!j) {
		ferr_add(e, EX_SQL_EXEC, "Could not stop job %s%s.", st->key, with);
		ferr_add(e, EX_EXECUTION, "org.apache.flink.runtime.rest.util.RestClientException: "
			"[org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job (%s)]", st->key);
		ferr_add(e, EX_JOB_NOT_FOUND, "Could not find Flink job (%s)", st->key);
		return -1;
	}
	if (j->status != JOB_RUNNING) {
		ferr_add(e, EX_SQL_EXEC, "Could not stop job %s%s.", st->key, with);
		ferr_add(e, EX_EXECUTION, "org.apache.flink.runtime.rest.util.RestClientException: "
			"[org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException: Job %s has already "
			"been terminated with state %s.]", st->key, job_status_name(j->status));
		ferr_add(e, "org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException",
			"Job %s has already been terminated with state %s.", st->key, job_status_name(j->status));
		return -1;
	}
	if (st->savepoint) {
		const char *dir = conf_str(conf, "execution.checkpointing.savepoint-dir");
		if (!dir)
			dir = conf_str(conf, "state.savepoints.dir");
		if (!dir || !*dir) {
			const char *key = en->version >= 120 ? "execution.checkpointing.savepoint-dir" : "state.savepoints.dir";
			ferr_add(e, EX_SQL_EXEC, "Could not stop job %s%s.", st->key, with);
			ferr_add(e, EX_EXECUTION, "java.lang.IllegalStateException: No savepoint directory configured. You can "
				"either specify a directory while cancelling via -s :targetDirectory or configure a cluster-wide "
				"default via key '%s'.", key);
			ferr_add(e, EX_ILLEGAL_STATE, "No savepoint directory configured. You can either specify a directory while "
				"cancelling via -s :targetDirectory or configure a cluster-wide default via key '%s'.", key);
			return -1;
		}
		const char *path = stop_with_savepoint(en, j, dir, st->drain, e);
		if (!path)
			return -1;
		const char *cn = "savepoint path";
		res_str_columns(out, 1, &cn);
		res_row_strs(out, 1, &path);
		return 0;
	}
	j->status = JOB_CANCELED;
	job_stop_pipelines(j);
	res_ok(out);
	return 0;
}

/* ------------------------------------------------------------------ EXPLAIN */

static void explain_plan(struct sb *o, struct plan *p, const char *sink, const char *indent)
{
	if (sink) {
		sb_addf(o, "%sSink(table=[%s], fields=[", indent, sink);
		for (int i = 0; i < p->ncols; i++)
			sb_addf(o, "%s%s", i ? ", " : "", p->cols[i].name);
		sb_adds(o, "])\n+- ");
	}
	if (p->node_desc)
		sb_addf(o, "%s\n%s+- ", p->node_desc, sink ? "   " : "");
	sb_adds(o, "Calc(select=[");
	for (int i = 0; i < p->ncols; i++)
		sb_addf(o, "%s%s", i ? ", " : "", p->cols[i].name);
	sb_adds(o, "])\n");
	for (size_t i = 0; i < p->scans.n; i++) {
		struct scan *sc = p->scans.v[i];
		sb_addf(o, "%s+- TableSourceScan(table=[[%s, %s, %s]], fields=[", sink ? "      " : "   ", sc->t->cat, sc->t->db,
			sc->t->name);
		bool first = true;
		for (int c = 0; c < sc->t->ncols; c++)
			if (sc->t->cols[c].kind != COL_COMPUTED) {
				sb_addf(o, "%s%s", first ? "" : ", ", sc->t->cols[c].name);
				first = false;
			}
		sb_adds(o, "])\n");
	}
}

int exec_explain(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct stmt *in = st->subs[0];
	struct sb text = SB_INIT;
	int rc = -1;
	if (in->k == S_QUERY) {
		struct plan *p = plan_query(s, in->q, st->text, conf, e);
		if (!p)
			goto out;
		const char *sec[] = {"== Abstract Syntax Tree ==", "== Optimized Physical Plan ==",
			"== Optimized Execution Plan =="};
		for (int i = 0; i < 3; i++) {
			sb_addf(&text, "%s%s\n", i ? "\n" : "", sec[i]);
			explain_plan(&text, p, NULL, "");
		}
		plan_free(p);
	} else {
		struct stmt **subs = in->k == S_STMT_SET ? in->subs : &in;
		int n = in->k == S_STMT_SET ? in->nsubs : 1;
		struct target tg = {0};
		const char *sec[] = {"== Abstract Syntax Tree ==", "== Optimized Physical Plan ==",
			"== Optimized Execution Plan =="};
		struct sb body = SB_INIT;
		for (int k = 0; k < n; k++) {
			if (plan_insert(s, subs[k], conf, conf_batch(conf), &tg, e)) {
				sb_release(&body);
				goto out;
			}
			struct sb id = SB_INIT;
			sb_addf(&id, "%s.%s.%s", tg.c, tg.d, tg.n);
			explain_plan(&body, tg.plan, id.buf, "");
			sb_release(&id);
			plan_free(tg.plan);
			tdef_free(tg.sink);
			memset(&tg, 0, sizeof(tg));
		}
		for (int i = 0; i < 3; i++)
			sb_addf(&text, "%s%s\n%s", i ? "\n" : "", sec[i], body.buf);
		sb_release(&body);
	}
	sb_rtrim(&text);
	const char *cn = "result";
	res_str_columns(out, 1, &cn);
	const char *v = text.buf;
	res_row_strs(out, 1, &v);
	rc = 0;
out:
	sb_release(&text);
	return rc;
}

/* ------------------------------------------------------------------ engine.h: jobs */

bool fg_job_done(struct fg_engine *e, const char *job_id, bool *pfailed, char **pfailure)
{
	pthread_mutex_lock(&e->lock);
	struct job *j = job_find(e, job_id);
	bool done = true;
	if (pfailed)
		*pfailed = false;
	if (pfailure)
		*pfailure = NULL;
	if (j) {
		job_update(e, j);
		done = j->status != JOB_RUNNING;
		if (pfailed)
			*pfailed = j->status == JOB_FAILED;
		if (pfailure && j->failure)
			*pfailure = xstrdup(j->failure);
	}
	pthread_mutex_unlock(&e->lock);
	return done;
}

json_t *fg_engine_jobs(struct fg_engine *e)
{
	pthread_mutex_lock(&e->lock);
	json_t *a = json_array();
	for (size_t i = 0; i < e->jobs.n; i++) {
		struct job *j = e->jobs.v[i];
		job_update(e, j);
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(j->id));
		json_object_set_new(o, "name", json_string(j->name));
		json_object_set_new(o, "status", json_string(job_status_name(j->status)));
		json_object_set_new(o, "start_time", json_integer(j->start_ms));
		json_object_set_new(o, "statement", json_string(j->statement));
		json_object_set_new(o, "sink", j->sink ? json_string(j->sink) : json_null());
		json_object_set_new(o, "savepoint", j->savepoint ? json_string(j->savepoint) : json_null());
		json_object_set_new(o, "restored_from", j->restored_from ? json_string(j->restored_from) : json_null());
		json_object_set_new(o, "failure", j->failure ? json_string(j->failure) : json_null());
		json_array_append_new(a, o);
	}
	pthread_mutex_unlock(&e->lock);
	return a;
}

int fg_engine_finish_job(struct fg_engine *e, const char *job_id)
{
	pthread_mutex_lock(&e->lock);
	struct job *j = job_find(e, job_id);
	int rc = -1;
	if (j)
		job_update(e, j);
	if (j && j->status != JOB_RUNNING) {
		rc = -2;
	} else if (j) {
		j->status = JOB_FINISHED;
		job_stop_pipelines(j);
		rc = 0;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int fg_engine_fail_job(struct fg_engine *e, const char *job_id, const char *reason)
{
	pthread_mutex_lock(&e->lock);
	struct job *j = job_find(e, job_id);
	int rc = -1;
	if (j)
		job_update(e, j);
	if (j && j->status != JOB_RUNNING) {
		/* a job that ended (FINISHED, CANCELED, FAILED) cannot fail any more */
		rc = -2;
	} else if (j) {
		struct ferr err = {0};
		ferr_add(&err, EX_JOB_EXEC, "Job execution failed.");
		ferr_add(&err, EX_RUNTIME, "%s", reason ? reason : "failed");
		job_fail(j, &err);
		ferr_release(&err);
		rc = 0;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}
