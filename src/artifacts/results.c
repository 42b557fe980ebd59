/*
 * target/run_results.json (dbt run-results schema v6) and target/catalog.json (dbt catalog schema
 * v1).
 *
 * run_results: one entry per node the command touched, in the order given, shaped like dbt's
 * RunResultOutput. Seeds are not "compiled" nodes in dbt, so their compiled/compiled_code/
 * relation_name are null, as dbt writes them.
 *
 * catalog: the adapter lists the relations it found (with columns); each model, seed or snapshot
 * whose relation (database, schema, alias) is among them gets an entry under `nodes`, each source
 * under `sources`. Relations are compared case-insensitively, as dbt's CatalogKey lower-cases
 * them. The tables go into a hash map first, so matching is linear in nodes + tables.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "adapters/adapter.h"
#include "artifacts/art_internal.h"
#include "core/log.h"
#include "core/map.h"
#include "core/sb.h"

/* --- run_results.json ---------------------------------------------------------------------- */

const char *art_run_status_name(enum run_status s)
{
	static const char *const names[RUN_STATUS_COUNT] = {
		[RUN_NONE] = NULL,	[RUN_SUCCESS] = "success", [RUN_ERROR] = "error", [RUN_SKIPPED] = "skipped",
		[RUN_PASS] = "pass",	[RUN_FAIL] = "fail",	   [RUN_WARN] = "warn", [RUN_PARTIAL] = "partial success",
	};
	ASSERT((unsigned)s < RUN_STATUS_COUNT);
	return names[s];
}

/* Each result is written straight into the text, not built as a value first: a compile of
 * 10,000 models has 30,000 of them */

static void put_str(struct sb *out, const char *s)
{
	if (!s) {
		sb_adds(out, "null");
		return;
	}
	(void)val_to_json(out, val_strn(s, strlen(s)), 0, 0);
}

static void put_time(struct sb *out, double t)
{
	char buf[32];
	art_iso_time(t, buf);
	put_str(out, buf);
}

static void put_timing(struct sb *out, bool first, const char *name, double start, double end)
{
	sb_adds(out, first ? "{\"name\": " : ", {\"name\": ");
	put_str(out, name);
	sb_adds(out, ", \"started_at\": ");
	put_time(out, start);
	sb_adds(out, ", \"completed_at\": ");
	if (end > 0)
		put_time(out, end);
	else
		sb_adds(out, "null");
	sb_addc(out, '}');
}

/* adapter_response as dbt's AdapterResponse with omit_none: {_message, code, rows_affected}; an
 * engine that reports a message alone (dbt-duckdb) has just {_message} */
static void put_adapter_response(struct sb *out, const struct run_result *r)
{
	if (r->rows_affected == ADAPTER_MESSAGE_ONLY) {
		sb_adds(out, "{\"_message\": ");
		put_str(out, r->adapter_code ? r->adapter_code : "OK");
		sb_addc(out, '}');
		return;
	}
	sb_addc(out, '{');
	if (r->adapter_code) {
		sb_adds(out, "\"_message\": ");
		put_str(out, r->adapter_code);
		sb_adds(out, ", \"code\": ");
		const char *sp = strchr(r->adapter_code, ' ');
		if (sp && sp > r->adapter_code)
			(void)val_to_json(out, val_strn(r->adapter_code, (size_t)(sp - r->adapter_code)), 0, 0);
		else
			put_str(out, r->adapter_code);
	}
	if (r->adapter_code || r->rows_affected >= 0)
		sb_addf(out, "%s\"rows_affected\": %lld", r->adapter_code ? ", " : "",
			(long long)(r->rows_affected >= 0 ? r->rows_affected : -1));
	sb_addc(out, '}');
}

/* A microbatch model's batches: [start, end] pairs as dbt's DateTimeSerialization writes an aware
 * datetime (isoformat) */
static void put_batches(struct sb *out, const int64_t *b, uint32_t n)
{
	sb_addc(out, '[');
	for (uint32_t i = 0; i < 2 * n; i++) {
		char iso[40];
		time_t t = (time_t)b[i];
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(iso, sizeof(iso), "\"%Y-%m-%dT%H:%M:%S+00:00\"", &tm);
		sb_adds(out, i == 0 ? "[" : i % 2 ? ", " : "], [");
		sb_adds(out, iso);
	}
	sb_adds(out, n ? "]]" : "]");
}

/* One RunResultOutput */
static void put_result(struct sb *out, struct project *p, const struct run_result *r)
{
	const struct node *n = !r->operation && r->node < p->nnodes ? p->nodes[r->node] : NULL;
	const char *status = art_run_status_name(r->status);
	sb_adds(out, "{\"status\": ");
	put_str(out, status ? status : "success");
	sb_adds(out, ", \"timing\": [");
	bool first = true;
	if (r->compile_started > 0) {
		put_timing(out, first, "compile", r->compile_started, r->compile_completed);
		first = false;
	}
	if (r->execute_started > 0)
		put_timing(out, first, "execute", r->execute_started, r->execute_completed);
	sb_adds(out, "], \"thread_id\": ");
	if (r->thread_id >= 0)
		sb_addf(out, "\"Thread-%d (worker)\"", r->thread_id + 1);
	else if (r->thread_id == RUN_THREAD_HOOKS)
		sb_adds(out, "\"main\"");
	else
		sb_adds(out, "\"MainThread\"");
	sb_adds(out, ", \"execution_time\": ");
	(void)val_to_json(out, val_float(r->execution_time), 0, 0);
	sb_adds(out, ", \"adapter_response\": ");
	put_adapter_response(out, r);
	sb_adds(out, ", \"message\": ");
	put_str(out, r->message);
	sb_adds(out, ", \"failures\": ");
	if (r->failures >= 0)
		sb_addf(out, "%lld", (long long)r->failures);
	else
		sb_adds(out, "null");
	sb_adds(out, ", \"unique_id\": ");
	put_str(out, r->operation ? r->operation : n ? n->unique_id : NULL);
	/* microbatch models only */
	sb_adds(out, ", \"batch_results\": ");
	if (r->batches) {
		sb_adds(out, "{\"successful\": ");
		put_batches(out, r->batches, r->nbatch_ok);
		sb_adds(out, ", \"failed\": ");
		put_batches(out, r->batches + 2 * r->nbatch_ok, r->nbatch_failed);
		sb_addc(out, '}');
	} else {
		sb_adds(out, "null");
	}
	if (r->operation) {
		/* dbt's HookNode for the macro: a compiled resource never compiled */
		sb_adds(out, ", \"compiled\": false, \"compiled_code\": null, \"relation_name\": null}");
	} else if (!n || n->type == NODE_SEED || n->type == NODE_SOURCE) {
		sb_adds(out, ", \"compiled\": null, \"compiled_code\": null, \"relation_name\": null}");
	} else {
		const char *code = r->compiled_code ? r->compiled_code : n->compiled_code;
		sb_adds(out, code ? ", \"compiled\": true, \"compiled_code\": " : ", \"compiled\": false, \"compiled_code\": ");
		put_str(out, code);
		sb_adds(out, ", \"relation_name\": ");
		put_str(out, r->relation_name ? r->relation_name : n->relation_name);
		sb_addc(out, '}');
	}
}

void art_result_json(struct sb *out, struct project *p, const struct run_result *r)
{
	put_result(out, p, r);
}

int art_write_run_results(const char *path, struct project *p, const struct run_result *results,
			  size_t n, double elapsed_time, const struct art_invocation *inv,
			  struct diag_list *dl)
{
	/* {metadata, results, elapsed_time, args}, as val_to_json writes a dict */
	struct arena a;
	arena_init(&a, 1 << 16);
	struct sb out = SB_INIT;
	int rc = 0;
	sb_adds(&out, "{\"metadata\": ");
	rc |= val_to_json(&out, art_metadata(&a, p, ART_SCHEMA_RUN_RESULTS, inv), 0, 0);
	sb_adds(&out, ", \"results\": [");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(&out, ", ");
		put_result(&out, p, &results[i]);
	}
	sb_adds(&out, "], \"elapsed_time\": ");
	rc |= val_to_json(&out, val_float(elapsed_time), 0, 0);
	sb_adds(&out, ", \"args\": ");
	rc |= val_to_json(&out, inv ? art_dict_or_new(&a, inv->args) : val_dict_new(&a, 0), 0, 0);
	sb_addc(&out, '}');
	arena_release(&a);
	if (rc) {
		diag_error(dl, LOC_NONE, "unable to serialise '%s'", path);
		sb_release(&out);
		return -1;
	}
	return art_write_json_text(path, &out, dl);
}

/* --- catalog.json -------------------------------------------------------------------------- */

static const char *catalog_type(enum relation_type t)
{
	switch (t) {
	case REL_TABLE: return "BASE TABLE";
	case REL_VIEW: return "VIEW";
	case REL_EXTERNAL: return "EXTERNAL TABLE";
	case REL_MATERIALIZED_VIEW: return "MATERIALIZED VIEW";
	default: return "BASE TABLE";
	}
}

/* Lower-cased "database\x1fschema\x1fname" in the arena (built in the reused `s`); database may be
 * left out */
static const char *rel_key(struct arena *a, struct sb *s, const char *db, const char *schema,
			   const char *name)
{
	sb_reset(s);
	if (db)
		sb_adds(s, db);
	sb_addc(s, '\x1f');
	sb_adds(s, schema ? schema : "");
	sb_addc(s, '\x1f');
	sb_adds(s, name ? name : "");
	for (size_t i = 0; i < s->len; i++)
		s->buf[i] = (char)tolower((unsigned char)s->buf[i]);
	return arena_strndup(a, s->buf, s->len);
}

static value stats_value(struct arena *a, value stats)
{
	value d = val_dict_new(a, stats.type == V_DICT ? stats.d->len + 1 : 1);
	bool any = false;
	if (stats.type == V_DICT) {
		for (uint32_t i = 0; i < stats.d->len; i++) {
			if (val_streq(stats.d->e[i].key, "has_stats"))
				continue;
			val_dict_set(d, stats.d->e[i].key, stats.d->e[i].val);
			any = true;
		}
	}
	value hs = val_dict_new(a, 5);
	val_dict_sets(hs, "id", val_str("has_stats"));
	val_dict_sets(hs, "label", val_str("Has Stats?"));
	val_dict_sets(hs, "value", val_bool(any));
	val_dict_sets(hs, "include", val_bool(false));
	val_dict_sets(hs, "description", val_str("Indicates whether there are statistics for this table"));
	val_dict_sets(d, "has_stats", hs);
	return d;
}

static value table_value(struct arena *a, const struct adapter_catalog_table *t, const char *unique_id)
{
	value d = val_dict_new(a, 4);
	value md = val_dict_new(a, 6);
	val_dict_sets(md, "type", val_str(catalog_type(t->rel.type)));
	val_dict_sets(md, "schema", art_str_or(t->rel.schema, ""));
	val_dict_sets(md, "name", art_str_or(t->rel.identifier, ""));
	val_dict_sets(md, "database", art_str(t->rel.database));
	val_dict_sets(md, "comment", art_str(t->comment));
	val_dict_sets(md, "owner", art_str(t->owner));
	val_dict_sets(d, "metadata", md);
	value cols = val_dict_new(a, t->ncols);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct adapter_column *c = &t->cols[i];
		value cv = val_dict_new(a, 4);
		val_dict_sets(cv, "type", art_str_or(c->type, ""));
		val_dict_sets(cv, "index", val_int((int64_t)i + 1));
		val_dict_sets(cv, "name", art_str_or(c->name, ""));
		val_dict_sets(cv, "comment", art_str(c->comment));
		val_dict_set(cols, val_str(c->name ? c->name : ""), cv);
	}
	val_dict_sets(d, "columns", cols);
	val_dict_sets(d, "stats", stats_value(a, t->stats));
	val_dict_sets(d, "unique_id", val_str(unique_id));
	return d;
}

static bool is_ephemeral(const struct node *n)
{
	value m = n->config.type == V_DICT ? val_dict_gets(n->config, "materialized") : val_undef();
	return val_streq(m, "ephemeral");
}

int art_write_catalog(const char *path, struct project *p, const struct adapter_catalog_table *tables,
		      size_t ntables, const struct art_invocation *inv, struct diag_list *dl)
{
	struct arena a;
	arena_init(&a, 1 << 18);
	/* by (database, schema, name), and by (schema, name) for relations without a database */
	struct map full = MAP_INIT, nodb = MAP_INIT;
	struct sb kb = SB_INIT;
	for (size_t i = 0; i < ntables; i++) {
		const struct adapter_catalog_table *t = &tables[i];
		void *tp = (void *)(uintptr_t)t;
		const char *k = rel_key(&a, &kb, t->rel.database, t->rel.schema, t->rel.identifier);
		if (!map_gets(&full, k))
			map_puts(&full, k, tp);
		k = rel_key(&a, &kb, NULL, t->rel.schema, t->rel.identifier);
		if (!map_gets(&nodb, k))
			map_puts(&nodb, k, tp);
	}

	value d = val_dict_new(&a, 4);
	val_dict_sets(d, "metadata", art_metadata(&a, p, ART_SCHEMA_CATALOG, inv));
	value nodes = val_dict_new(&a, 0), sources = val_dict_new(&a, 0);
	for (size_t i = 0; ntables && i < p->nnodes; i++) {
		const struct node *n = p->nodes[i];
		bool src = n->type == NODE_SOURCE;
		if (!n->enabled || !(src || n->type == NODE_MODEL || n->type == NODE_SEED ||
				     n->type == NODE_SNAPSHOT) || is_ephemeral(n))
			continue;
		const char *ident = n->alias ? n->alias : n->name;
		const struct adapter_catalog_table *t = NULL;
		if (n->database)
			t = map_gets(&full, rel_key(&a, &kb, n->database, n->schema, ident));
		if (!t)
			t = map_gets(&nodb, rel_key(&a, &kb, NULL, n->schema, ident));
		/* without a database on one side only, (schema, name) decides; with both, they must agree */
		if (t && n->database && t->rel.database && strcasecmp(n->database, t->rel.database))
			t = NULL;
		if (!t)
			continue;
		val_dict_set(src ? sources : nodes, val_str(n->unique_id), table_value(&a, t, n->unique_id));
	}
	val_dict_sets(d, "nodes", nodes);
	val_dict_sets(d, "sources", sources);
	val_dict_sets(d, "errors", val_none());
	int rc = art_write_json(path, d, dl);
	sb_release(&kb);
	map_release(&full);
	map_release(&nodb);
	arena_release(&a);
	return rc;
}
