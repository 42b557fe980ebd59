/*
 * Confluent Cloud's dialect of the engine (fg_engine_options.confluent; the SQL of tests/ccloud):
 * its table options, its DISTRIBUTED BY, its materialized tables and its startup property.
 * Section numbers are those of shared/reference/confluent-flink-statements-api.md; what no source
 * of that document states is marked [I] as there, and is the double's choice.
 *
 *  - Tables (cc_table_check, at CREATE TABLE, CTAS and CREATE MATERIALIZED TABLE):
 *    - a table without 'connector' (or with 'connector' = 'confluent') is a Kafka topic of its
 *      name (tdef_confluent_defaults); 'datagen' makes rows up as in open-source Flink [I: the
 *      double's generator]; other open-source connectors (filesystem, kafka with brokers of one's
 *      own, print, blackhole) are refused: Confluent runs Flink next to its own Kafka [I];
 *    - the topic options Confluent adds to Flink's (changelog.mode, kafka.*) are checked for their
 *      values and kept out of the open-source connector's option check (cc_only_option);
 *    - DISTRIBUTED BY: HASH only, the columns must exist and lead the schema in the same order,
 *      the bucket count positive (dbt-confluent's MATERIALIZATIONS.md "Distributed By" quotes
 *      the service's refusal, used word for word below; §12 lists IS_DISTRIBUTED and
 *      DISTRIBUTION_BUCKETS in INFORMATION_SCHEMA.TABLES).
 *  - CREATE [OR ALTER] MATERIALIZED TABLE name [DISTRIBUTED ...] [WITH (...)] [START_MODE = m] AS q
 *    (§16: what dbt-confluent sends for materialized_table). The statement itself keeps the table
 *    current: it runs as long as its job (§4.6 affected_resource: a statement that creates a
 *    resource). FRESHNESS, REFRESH_MODE and PARTITIONED BY of open-source Flink are refused, as
 *    dbt-confluent refuses their configs before sending [I: the service's own text is unknown].
 *    - new: the table (a topic) is created from the query's schema, and the statement's job fills it;
 *    - OR ALTER, same definition: a no-op while the table's statement still runs (§13.5); else the
 *      new statement takes the table over with a job of its own;
 *    - OR ALTER, another definition: evolved in place and its state reset (§13.5): the previous
 *      job is cancelled, what it wrote dropped, and the new one fills the table;
 *    - START_MODE: FROM_BEGINNING and RESUME_OR_FROM_BEGINNING (the default [I]) read the sources
 *      from their first records; FROM_NOW from the statement's start on, keeping what an earlier
 *      statement of the same definition wrote [I: semantics not in the reference].
 *    A DROP TABLE of a materialized table is accepted and drops nothing (§13.5, catalog.c); DROP
 *    MATERIALIZED TABLE cancels the job and deletes the topic (§13.5).
 *  - sql.tables.scan.startup.mode (§11): where the statement's Kafka sources start, checked.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fgi.h"

/* ------------------------------------------------------------------ options */

struct cc_opt {
	const char *key;
	const char *const *values; /* NULL: any text */
};
static const char *const changelog_modes[] = {"append", "upsert", "retract", NULL};
static const char *const cleanup_policies[] = {"delete", "compact", "delete-compact", NULL};
static const char *const startup_modes[] = {"earliest-offset", "latest-offset", "group-offsets", "timestamp",
					    "specific-offsets", NULL};
static const struct cc_opt cc_opts[] = {
	{"changelog.mode", changelog_modes},
	{"kafka.cleanup-policy", cleanup_policies},
	{"kafka.retention.time", NULL},
	{"kafka.retention.size", NULL},
	{"kafka.max-message-size", NULL},
	{NULL, NULL},
};

bool cc_only_option(const char *key)
{
	for (int i = 0; cc_opts[i].key; i++)
		if (!strcmp(cc_opts[i].key, key))
			return true;
	return false;
}

static bool one_of(const char *v, const char *const *values)
{
	for (int i = 0; values[i]; i++)
		if (!strcmp(values[i], v))
			return true;
	return false;
}

static void list_values(struct sb *o, const char *const *values)
{
	for (int i = 0; values[i]; i++)
		sb_addf(o, "%s'%s'", i ? ", " : "", values[i]);
}

const char *cc_startup_mode(json_t *conf, struct ferr *e)
{
	const char *m = conf ? conf_str(conf, "sql.tables.scan.startup.mode") : NULL;
	if (m && !one_of(m, startup_modes)) {
		struct sb l = SB_INIT;
		list_values(&l, startup_modes);
		ferr_add(e, EX_VALIDATION, "Invalid value '%s' for property 'sql.tables.scan.startup.mode'. Supported "
			"values are: %s.", m, l.buf);
		sb_release(&l);
		return NULL;
	}
	return m;
}

/* ------------------------------------------------------------------ tables */

static int check_options(const struct tdef *d, struct ferr *e)
{
	const char *conn = tdef_opt(d, "connector");
	if (conn && strcmp(conn, "datagen") && strcmp(conn, "kafka") && strcmp(conn, "upsert-kafka")) {
		ferr_add(e, EX_VALIDATION, "Unsupported connector '%s' for table '%s'. Confluent Cloud for Apache Flink "
			"stores a table in a Kafka topic of the environment: leave 'connector' out (or set it to "
			"'confluent').", conn, d->name);
		return -1;
	}
	/* tdef_confluent_defaults made the topic's kafka options: a user's own brokers are not */
	const char *servers = tdef_opt(d, "properties.bootstrap.servers");
	if (conn && strcmp(conn, "datagen") && (!servers || !d->db || strcmp(servers, d->db))) {
		ferr_add(e, EX_VALIDATION, "Unsupported connector '%s' for table '%s'. Confluent Cloud for Apache Flink "
			"stores a table in a Kafka topic of the environment: leave 'connector' out (or set it to "
			"'confluent').", conn, d->name);
		return -1;
	}
	for (int i = 0; i < d->nopts; i++)
		for (int j = 0; cc_opts[j].key; j++) {
			if (strcmp(cc_opts[j].key, d->opts[i].k) || !cc_opts[j].values ||
			    one_of(d->opts[i].v, cc_opts[j].values))
				continue;
			struct sb l = SB_INIT;
			list_values(&l, cc_opts[j].values);
			ferr_add(e, EX_VALIDATION, "Invalid value '%s' for table option '%s'. Supported values are: %s.",
				d->opts[i].v, d->opts[i].k, l.buf);
			sb_release(&l);
			return -1;
		}
	const char *cm = tdef_opt(d, "changelog.mode");
	if (cm && !strcmp(cm, "upsert") && !d->npk && !d->ndist) {
		ferr_add(e, EX_VALIDATION, "The table '%s' has changelog.mode 'upsert' but no key: declare a PRIMARY KEY "
			"or DISTRIBUTED BY the key columns.", d->name);
		return -1;
	}
	return 0;
}

static int check_distribution(const struct tdef *d, struct ferr *e)
{
	if (!d->distributed)
		return 0;
	if (d->dist_kind && strcmp(d->dist_kind, "HASH")) {
		ferr_add(e, EX_VALIDATION, "Unsupported distribution algorithm '%s'. Only HASH is supported.", d->dist_kind);
		return -1;
	}
	for (int i = 0; i < d->ndist; i++) {
		int at = tdef_col(d, d->dist[i]);
		if (at < 0) {
			ferr_add(e, EX_VALIDATION, "Distribution key column '%s' not found in the schema of table '%s'.",
				d->dist[i], d->name);
			return -1;
		}
		if (at != i) {
			ferr_add(e, EX_VALIDATION, "Key columns must appear at the beginning of the table schema. Also, "
				"DISTRIBUTED BY key names must be in the same order as the key schema columns.");
			return -1;
		}
	}
	return 0;
}

int cc_table_check(const struct tdef *d, struct ferr *e)
{
	if (d->kind == OBJ_VIEW)
		return 0;
	return check_options(d, e) || check_distribution(d, e) ? -1 : 0;
}

/* Removes the files of a table's topic: what jobs wrote into it, and with records its own records */
void cc_topic_remove(struct fg_engine *en, const struct tdef *t, bool records)
{
	const char *topic = tdef_opt(t, "topic");
	const char *servers = tdef_opt(t, "properties.bootstrap.servers");
	if (!topic || !servers || !t->db || strcmp(servers, t->db) || strchr(topic, '/'))
		return;
	struct sb dir = SB_INIT;
	sb_addf(&dir, "%s/topics", en->data_dir);
	DIR *dh = opendir(dir.buf);
	size_t tl = strlen(topic);
	for (struct dirent *de; dh && (de = readdir(dh));) {
		const char *f = de->d_name;
		if (strncmp(f, topic, tl) || (strncmp(f + tl, ".job-", 5) && (!records || strcmp(f + tl, ".jsonl"))))
			continue;
		struct sb path = SB_INIT;
		sb_addf(&path, "%s/%s", dir.buf, f);
		unlink(path.buf);
		sb_release(&path);
	}
	if (dh)
		closedir(dh);
	sb_release(&dir);
}

/* ------------------------------------------------------------------ materialized tables */

/* Cancels the job that keeps t current, if it runs; whether it ran */
static bool cancel_job(struct fg_session *s, struct tdef *t)
{
	struct job *j = t->mt && t->mt->job_id[0] ? job_find(s->e, t->mt->job_id) : NULL;
	if (!j)
		return false;
	job_update(s->e, j);
	if (j->status != JOB_RUNNING)
		return false;
	j->status = JOB_CANCELED;
	job_stop_pipelines(j);
	return true;
}

static bool job_runs(struct fg_session *s, const struct tdef *t)
{
	struct job *j = t->mt && t->mt->job_id[0] ? job_find(s->e, t->mt->job_id) : NULL;
	if (j)
		job_update(s->e, j);
	return j && j->status == JOB_RUNNING;
}

/* The statement's job: INSERT INTO the table the query, its result (the job) in out */
static int start_job(struct fg_session *s, const char *ser, struct mtinfo *m, json_t *conf, const char *start_mode,
		     struct fg_result *out, struct ferr *e)
{
	struct sb text = SB_INIT;
	sb_addf(&text, "INSERT INTO %s\n%s", ser, m->query);
	json_t *jc = json_deep_copy(conf);
	json_object_set_new(jc, "execution.runtime-mode", json_string("streaming"));
	if (!strcmp(start_mode, "FROM_NOW"))
		json_object_set_new(jc, "sql.tables.scan.startup.mode", json_string("latest-offset"));
	else
		json_object_set_new(jc, "sql.tables.scan.startup.mode", json_string("earliest-offset"));
	struct arena a;
	arena_init(&a, 4096);
	int rc = -1;
	struct stmt *ins = parse_stmt(&a, text.buf, FG_PARSE_VERSION(s->e), e);
	if (ins && ins->k == S_INSERT && !exec_modify(s, &ins, 1, jc, text.buf, out, e) && out->job_id[0]) {
		snprintf(m->job_id, sizeof(m->job_id), "%s", out->job_id);
		rc = 0;
	}
	arena_release(&a);
	json_decref(jc);
	sb_release(&text);
	return rc;
}

int cc_create_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 2048);
	int rc = -1;
	struct tdef *d = st->def;
	struct sb ser = SB_INIT, q = SB_INIT, ddl = SB_INIT;
	qualify(s, &a, st->name, st->nname, &d->cat, &d->db, &d->name);
	ident_serial(&ser, d->cat, d->db, d->name);
	const char *refused = st->freshness ? "FRESHNESS" : st->refresh_mode ? "REFRESH_MODE" : d->npart ? "PARTITIONED BY" : NULL;
	if (refused) {
		ferr_add(e, EX_VALIDATION, "%s is not supported for materialized tables in Confluent Cloud for Apache Flink: "
			"a materialized table is kept current continuously; use DISTRIBUTED BY to distribute it.", refused);
		goto out;
	}
	if (!cat_find(s, d->cat)) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", d->cat);
		goto out;
	}
	struct tdef *old = obj_lookup(s, d->cat, d->db, d->name, NULL);
	if (old && (!old->mt || !st->or_alter)) {
		/* §13.4's text for a table that exists */
		ferr_add(e, EX_TABLE_EXISTS, "Creating materialized table %s failed creating table: table already exists%s",
			ser.buf, old->mt ? "" : " and is not a materialized table");
		goto out;
	}
	struct outcol *cols = NULL;
	int n = 0;
	if (query_schema(s, st->q, st->text, &a, &cols, &n, e))
		goto out;
	mt_set_columns(d, &a, cols, n);
	/* an updating query needs a key for its topic: the declared one, else the query's upsert key
	 * (the GROUP BY columns), as Confluent derives it [I] */
	if (!d->npk) {
		struct plan *p = plan_query(s, st->q, st->text, conf, e);
		if (!p)
			goto out;
		if (p->updating && p->nkeys > 0) {
			d->pk = ARENA_ARRAY(&a, const char *, p->nkeys);
			for (int i = 0; i < p->nkeys; i++)
				d->pk[i] = arena_strdup(&a, p->cols[p->keys[i]].name);
			d->npk = p->nkeys;
		} else if (p->updating) {
			ferr_add(e, EX_VALIDATION, "The query of materialized table %s produces updates without a unique key: "
				"declare a PRIMARY KEY.", ser.buf);
			plan_free(p);
			goto out;
		}
		plan_free(p);
	}
	/* last: expanding qualifies the query's names in place, with text of a plan it frees */
	if (expand_query(s, st->q, st->text, &q, e))
		goto out;
	for (int i = 0; i < d->npk; i++)
		if (tdef_col(d, d->pk[i]) < 0) {
			ferr_add(e, EX_VALIDATION, "Primary key column '%s' not defined in the query schema.", d->pk[i]);
			goto out;
		}
	tdef_confluent_defaults(s, d, &a);
	if (cc_table_check(d, e))
		goto out;
	ddl_table(&ddl, d, false);
	const char *start_mode = st->start_mode ? st->start_mode : "RESUME_OR_FROM_BEGINNING";
	if (old) {
		bool same = !strcmp(old->ddl, ddl.buf) && !strcmp(old->mt->query, q.buf);
		if (same && job_runs(s, old)) {
			/* §13.5: an unchanged definition is a no-op */
			res_ok(out);
			rc = 0;
			goto out;
		}
		cancel_job(s, old);
		/* a changed definition resets the state (§13.5); FROM_NOW keeps what the table holds */
		if (!same || strcmp(start_mode, "FROM_NOW"))
			cc_topic_remove(s->e, old, false);
		cat_remove(s, d->cat, d->db, d->name);
	}
	struct tdef *t = tdef_from_ddl(ddl.buf, e);
	if (!t)
		goto out;
	struct mtinfo *m = xcalloc(1, sizeof(*m));
	m->query = xstrdup(q.buf);
	m->fresh_n = 0;
	m->fresh_unit = "SECOND";
	m->logical = "CONTINUOUS";
	t->mt = m;
	if (cat_add_table(s, t, false, e)) {
		tdef_free(t);
		goto out;
	}
	if (start_job(s, ser.buf, m, conf, start_mode, out, e)) {
		cat_remove(s, d->cat, d->db, d->name);
		goto out;
	}
	rc = 0;
out:
	sb_release(&ser);
	sb_release(&q);
	sb_release(&ddl);
	arena_release(&a);
	return rc;
}

/* ------------------------------------------------------------------ statement properties */

char *fg_confluent_properties_check(json_t *props)
{
	const char *k;
	json_t *v;
	json_object_foreach(props, k, v) {
		const char *val = json_string_value(v);
		/* §11: a statement's properties are the sql.* options of the SET statement (client.* are
		 * the clients' own); anything else is unknown to the service [I: its text is unknown] */
		if (strncmp(k, "sql.", 4) && strncmp(k, "client.", 7)) {
			struct sb m = SB_INIT;
			sb_addf(&m, "Unknown statement property '%s': statement properties are the 'sql.*' options of "
				"Confluent Cloud for Apache Flink (e.g. 'sql.state-ttl', 'sql.tables.scan.startup.mode').", k);
			char *r = xstrdup(m.buf);
			sb_release(&m);
			return r;
		}
		if (!strcmp(k, "sql.snapshot.mode") && val && strcmp(val, "now") && strcmp(val, "off")) {
			struct sb m = SB_INIT;
			sb_addf(&m, "Invalid value '%s' for property 'sql.snapshot.mode'. Supported values are: 'now', 'off'.", val);
			char *r = xstrdup(m.buf);
			sb_release(&m);
			return r;
		}
	}
	struct ferr e = {0};
	char *r = NULL;
	if (!cc_startup_mode(props, &e) && e.n)
		r = xstrdup(e.msg[e.n - 1]);
	ferr_release(&e);
	return r;
}
