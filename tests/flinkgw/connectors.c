/*
 * Connectors: what Flink's table factories check, and where the double keeps the data.
 *
 * DESIGN
 *  - Validation follows FactoryUtil and the connector factories in the order Flink runs them:
 *    connector discovery, format discovery ("Could not find required scan format ..."),
 *    required and unsupported options, then the connector's own checks. Every error is wrapped
 *    in "Unable to create a source for reading table ..." (or the sink variant) with the
 *    table's options listed, sensitive values hidden.
 *  - kafka / upsert-kafka: a topic is the file <data>/topics/<topic>.jsonl, one record a line
 *    ({"key":…,"value":…,"timestamp":<ms>}); what a job writes goes to
 *    <topic>.job-<id>.jsonl beside it so it can be recomputed without touching what tests wrote.
 *    A read merges both, ordered by timestamp; the offset is the position in that order.
 *  - filesystem: every file under the path (hidden and '_' files skipped), csv or json, with
 *    partition directories (k=v); sinks write part files into the path.
 *  - datagen: rows made up on the spot, repeatable (a fixed seed per table, column and row).
 *  - blackhole and print are sinks only; print writes its rows to <data>/print/<table>.out.
 *
 * This file has the option helpers and the validation; conn_topic.c keeps the topic files,
 * conn_load.c reads sources into DuckDB and conn_write.c writes sinks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fgi.h"

const char *fopt_get(const struct fopt *o, int n, const char *k)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(o[i].k, k))
			return o[i].v;
	return NULL;
}

bool conn_field_in_list(const char *list, const char *name)
{
	if (!list)
		return false;
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *q = strchr(p, ';');
		size_t l = q ? (size_t)(q - p) : strlen(p);
		if (l == n && !strncmp(p, name, n))
			return true;
		if (!q)
			break;
		p = q + 1;
	}
	return false;
}

enum conn_kind conn_kind(const char *c)
{
	if (!c)
		return CN_UNKNOWN;
	if (!strcmp(c, "kafka"))
		return CN_KAFKA;
	if (!strcmp(c, "upsert-kafka"))
		return CN_UPSERT_KAFKA;
	if (!strcmp(c, "filesystem"))
		return CN_FILESYSTEM;
	if (!strcmp(c, "datagen"))
		return CN_DATAGEN;
	if (!strcmp(c, "blackhole"))
		return CN_BLACKHOLE;
	if (!strcmp(c, "print"))
		return CN_PRINT;
	return CN_UNKNOWN;
}

/* ------------------------------------------------------------------ validation */

typedef VEC(const char *) strvec;

static int scmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void addall(strvec *v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		VEC_PUSH(v, list[i]);
}

/* The Kafka options of a release: the scan.bounded.* options came with Flink 1.17 (FLINK-24456;
 * upsert-kafka with the connector of that time), so the factories of 1.16 list them as unsupported */
static void addall_kafka(strvec *v, const char *const *list, int version)
{
	for (int i = 0; list[i]; i++)
		if (version >= 117 || strncmp(list[i], "scan.bounded.", 13))
			VEC_PUSH(v, list[i]);
}

static bool has(const strvec *v, const char *k)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], k))
			return true;
	return false;
}

static const char *const json_opts[] = {"decode.json-parser.enabled", "encode.decimal-as-plain-number",
	"encode.ignore-null-fields", "fail-on-missing-field", "ignore-parse-errors", "map-null-key.literal",
	"map-null-key.mode", "timestamp-format.standard", NULL};
static const char *const csv_opts[] = {"allow-comments", "array-element-delimiter", "disable-quote-character",
	"escape-character", "field-delimiter", "ignore-parse-errors", "null-literal", "quote-character",
	"write-bigdecimal-in-scientific-notation", NULL};
static const char *const raw_opts[] = {"charset", "endianness", NULL};
static const char *const known_formats[] = {"avro", "avro-confluent", "canal-json", "csv", "debezium-avro-confluent",
	"debezium-json", "json", "maxwell-json", "ogg-json", "raw", NULL};

/* registers a format's options under prefix (e.g. "value.json."); 0, or -1 with e set */
static int add_format(struct arena *a, strvec *ok, strvec *prefixes, const char *key, const char *fmt, bool sink,
	struct ferr *e)
{
	bool known = false;
	for (int i = 0; known_formats[i]; i++)
		known = known || !strcmp(known_formats[i], fmt);
	if (!known) {
		ferr_add(e, EX_VALIDATION, "Could not find any factory for identifier '%s' that implements "
			"'org.apache.flink.table.factories.%s' in the classpath.\n\nAvailable factory identifiers are:\n\n"
			"avro\navro-confluent\ncanal-json\ncsv\ndebezium-avro-confluent\ndebezium-json\njson\nmaxwell-json\n"
			"ogg-json\nraw", fmt, sink ? "SerializationFormatFactory" : "DeserializationFormatFactory");
		return -1;
	}
	const char *pre = !strcmp(key, "format") ? "" : arena_sprintf(a, "%.*s.", (int)(strlen(key) - 7), key);
	const char *const *list = !strcmp(fmt, "json") ? json_opts : !strcmp(fmt, "csv") ? csv_opts :
		!strcmp(fmt, "raw") ? raw_opts : NULL;
	if (list) {
		for (int i = 0; list[i]; i++)
			VEC_PUSH(ok, arena_sprintf(a, "%s%s.%s", pre, fmt, list[i]));
	} else {
		VEC_PUSH(prefixes, arena_sprintf(a, "%s%s.", pre, fmt));
	}
	return 0;
}

static void options_list(struct sb *o, const struct fopt *opts, int n)
{
	strvec lines = {0};
	struct arena a;
	arena_init(&a, 1024);
	for (int i = 0; i < n; i++) {
		struct sb l = SB_INIT;
		quote_str(&l, opts[i].k);
		sb_addc(&l, '=');
		quote_str(&l, opt_sensitive(opts[i].k) ? "******" : opts[i].v);
		VEC_PUSH(&lines, arena_strdup(&a, l.buf));
		sb_release(&l);
	}
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(char *), scmp);
	for (size_t i = 0; i < lines.n; i++)
		sb_addf(o, "%s%s", i ? "\n" : "", lines.v[i]);
	VEC_FREE(&lines);
	arena_release(&a);
}

static void phys_names(struct sb *o, const struct tdef *t)
{
	sb_addc(o, '[');
	bool first = true;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind != COL_PHYS)
			continue;
		sb_addf(o, "%s%s", first ? "" : ", ", t->cols[i].name);
		first = false;
	}
	sb_addc(o, ']');
}

/* the connector's own checks; e gets the inner cause */
/* datagen: the options of each physical column, by its generator and type */
static int datagen_options(const struct tdef *t, const struct fopt *opts, int nopts, struct arena *a, strvec *ok,
	struct ferr *e)
{
	static const char *const dopts[] = {"number-of-rows", "rows-per-second", NULL};
	addall(ok, dopts);
	for (int i = 0; i < t->ncols; i++) {
		const struct fcol *c = &t->cols[i];
		if (c->kind != COL_PHYS)
			continue;
		const char *kind = fopt_get(opts, nopts, arena_sprintf(a, "fields.%s.kind", c->name));
		VEC_PUSH(ok, arena_sprintf(a, "fields.%s.kind", c->name));
		VEC_PUSH(ok, arena_sprintf(a, "fields.%s.null-rate", c->name));
		if (kind && !strcmp(kind, "sequence")) {
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.start", c->name));
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.end", c->name));
			if (!fopt_get(opts, nopts, arena_sprintf(a, "fields.%s.start", c->name)) ||
				!fopt_get(opts, nopts, arena_sprintf(a, "fields.%s.end", c->name))) {
				ferr_add(e, EX_VALIDATION, "Could not find required property 'fields.%s.%s' for sequence generator.",
					c->name, fopt_get(opts, nopts, arena_sprintf(a, "fields.%s.start", c->name)) ? "end" : "start");
				return -1;
			}
		} else if (kind && strcmp(kind, "random")) {
			ferr_add(e, EX_VALIDATION, "Unsupported generator '%s' for field '%s'.", kind, c->name);
			return -1;
		} else if (ft_is_numeric(c->type)) {
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.max", c->name));
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.min", c->name));
		} else if (ft_is_string(c->type) || c->type->root == FT_VARBINARY || c->type->root == FT_BINARY) {
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.length", c->name));
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.var-len", c->name));
		} else if (ft_is_timestamp(c->type) || c->type->root == FT_DATE) {
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.max-past", c->name));
		} else if (c->type->root == FT_ARRAY || c->type->root == FT_MAP || c->type->root == FT_MULTISET) {
			VEC_PUSH(ok, arena_sprintf(a, "fields.%s.length", c->name));
		}
	}
	return 0;
}

/* The required options (all present), then the left-over ones (none): conn's options are ok,
 * and any option starting with one of pre */
static int check_options(const struct fopt *opts, int nopts, const char *conn, strvec *ok, strvec *pre, strvec *req,
	struct ferr *e)
{
	strvec miss = {0};
	for (size_t i = 0; i < req->n; i++)
		if (!fopt_get(opts, nopts, req->v[i]))
			VEC_PUSH(&miss, req->v[i]);
	if (miss.n) {
		qsort(miss.v, miss.n, sizeof(char *), scmp);
		struct sb m = SB_INIT;
		for (size_t i = 0; i < miss.n; i++)
			sb_addf(&m, "%s%s", i ? "\n" : "", miss.v[i]);
		ferr_add(e, EX_VALIDATION, "One or more required options are missing.\n\nMissing required options are:\n\n%s",
			m.buf);
		sb_release(&m);
		VEC_FREE(&miss);
		return -1;
	}
	VEC_FREE(&miss);
	strvec bad = {0};
	for (int i = 0; i < nopts; i++) {
		bool fine = has(ok, opts[i].k);
		for (size_t p = 0; p < pre->n && !fine; p++)
			fine = !strncmp(opts[i].k, pre->v[p], strlen(pre->v[p]));
		if (!fine)
			VEC_PUSH(&bad, opts[i].k);
	}
	if (bad.n) {
		qsort(bad.v, bad.n, sizeof(char *), scmp);
		strvec sup = {0};
		for (size_t i = 0; i < ok->n; i++)
			if (!has(&sup, ok->v[i]) && strcmp(ok->v[i], "property-version"))
				VEC_PUSH(&sup, ok->v[i]);
		qsort(sup.v, sup.n, sizeof(char *), scmp);
		struct sb b = SB_INIT, s = SB_INIT;
		for (size_t i = 0; i < bad.n; i++)
			sb_addf(&b, "%s%s", i ? "\n" : "", bad.v[i]);
		for (size_t i = 0; i < sup.n; i++)
			sb_addf(&s, "%s%s", i ? "\n" : "", sup.v[i]);
		ferr_add(e, EX_VALIDATION, "Unsupported options found for '%s'.\n\nUnsupported options:\n\n%s\n\n"
			"Supported options:\n\n%s", conn, b.buf, s.buf);
		sb_release(&b);
		sb_release(&s);
		VEC_FREE(&sup);
		VEC_FREE(&bad);
		return -1;
	}
	VEC_FREE(&bad);
	return 0;
}

/* kafka, upsert-kafka: topic or pattern, startup and bounded modes, key fields and formats, the
 * primary key */
static int kafka_rules(const struct tdef *t, const struct fopt *opts, int nopts, enum conn_kind k, bool sink,
	const char *ident, struct arena *a, struct ferr *e)
{
	const char *topic = fopt_get(opts, nopts, "topic"), *pat = fopt_get(opts, nopts, "topic-pattern");
	if (topic && pat) {
		ferr_add(e, EX_VALIDATION, "Option 'topic' and 'topic-pattern' shouldn't be set together.");
		return -1;
	}
	if (!topic && !pat) {
		ferr_add(e, EX_VALIDATION, "Either 'topic' or 'topic-pattern' must be set.");
		return -1;
	}
	if (sink && (pat || strchr(topic, ';'))) {
		ferr_add(e, EX_VALIDATION, "Flink Kafka sink currently only supports single topic, but got %s: %s.",
			pat ? "'topic-pattern'" : "'topic'", pat ? pat : topic);
		return -1;
	}
	static const char *const startup[] = {"earliest-offset", "latest-offset", "group-offsets", "timestamp",
		"specific-offsets", NULL};
	static const char *const bounded[] = {"unbounded", "latest-offset", "group-offsets", "timestamp",
		"specific-offsets", NULL};
	const char *keys[] = {"scan.startup.mode", "scan.bounded.mode"};
	const char *const *vals[] = {startup, bounded};
	for (int w = 0; w < 2; w++) {
		const char *v = fopt_get(opts, nopts, keys[w]);
		if (!v)
			continue;
		bool good = false;
		for (int i = 0; vals[w][i]; i++)
			good = good || !strcmp(v, vals[w][i]);
		if (!good) {
			ferr_add(e, EX_VALIDATION, "Invalid value for option '%s'.", keys[w]);
			ferr_add(e, "java.lang.IllegalArgumentException", "Could not parse value '%s' for key '%s'.", v, keys[w]);
			return -1;
		}
		const char *what = w ? "bounded" : "startup";
		if (!strcmp(v, "timestamp") && !fopt_get(opts, nopts, w ? "scan.bounded.timestamp-millis" :
			"scan.startup.timestamp-millis")) {
			ferr_add(e, EX_VALIDATION, "'%s' is required in '%s' %s mode but missing.",
				w ? "scan.bounded.timestamp-millis" : "scan.startup.timestamp-millis", v, what);
			return -1;
		}
		if (!strcmp(v, "specific-offsets") && !fopt_get(opts, nopts, w ? "scan.bounded.specific-offsets" :
			"scan.startup.specific-offsets")) {
			ferr_add(e, EX_VALIDATION, "'%s' is required in '%s' %s mode but missing.",
				w ? "scan.bounded.specific-offsets" : "scan.startup.specific-offsets", v, what);
			return -1;
		}
	}
	const char *kf = fopt_get(opts, nopts, "key.fields");
	const char *kform = fopt_get(opts, nopts, "key.format");
	const char *prefix = fopt_get(opts, nopts, "key.fields-prefix");
	const char *incl = fopt_get(opts, nopts, "value.fields-include");
	if (incl && strcmp(incl, "ALL") && strcmp(incl, "EXCEPT_KEY")) {
		ferr_add(e, EX_VALIDATION, "Invalid value for option 'value.fields-include'.");
		return -1;
	}
	if (k == CN_KAFKA) {
		if (kf && !kform) {
			ferr_add(e, EX_VALIDATION, "The option 'key.fields' can only be declared if a key format is defined "
				"using 'key.format'.");
			return -1;
		}
		if (kform && !kf) {
			ferr_add(e, EX_VALIDATION, "A key format 'key.format' requires the declaration of one or more of key "
				"fields using 'key.fields'.");
			return -1;
		}
		if (kf) {
			char *dup = arena_strdup(a, kf);
			char *save = NULL;
			for (char *f = strtok_r(dup, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
				int ci = tdef_col(t, f);
				if (ci < 0 || t->cols[ci].kind != COL_PHYS) {
					struct sb cols = SB_INIT;
					phys_names(&cols, t);
					ferr_add(e, EX_VALIDATION, "Could not find the field '%s' in the table schema for usage in the "
						"key format. A key field must be a regular, physical column. The following columns can be "
						"selected in the 'key.fields' option:\n%s", f, cols.buf);
					sb_release(&cols);
					return -1;
				}
				if (prefix && strncmp(f, prefix, strlen(prefix))) {
					ferr_add(e, EX_VALIDATION, "All fields in 'key.fields' must be prefixed with '%s' when option "
						"'key.fields-prefix' is set but field '%s' is not prefixed.", prefix, f);
					return -1;
				}
			}
		}
		if (t->npk) {
			const char *vf = fopt_get(opts, nopts, "format");
			if (!vf)
				vf = fopt_get(opts, nopts, "value.format");
			ferr_add(e, EX_VALIDATION, "The Kafka table '%s' with '%s' format doesn't support defining PRIMARY KEY "
				"constraint on the table, because it can't guarantee the semantic of primary key.", ident, vf);
			return -1;
		}
	} else {
		if (!t->npk) {
			ferr_add(e, EX_VALIDATION, "'upsert-kafka' tables require to define a PRIMARY KEY constraint. The "
				"PRIMARY KEY specifies which columns should be read from or write to the Kafka message key. The "
				"PRIMARY KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.");
			return -1;
		}
	}
	if (prefix && (!incl || strcmp(incl, "EXCEPT_KEY"))) {
		ferr_add(e, EX_VALIDATION, "A key prefix is not allowed when option 'value.fields-include' is set to 'ALL'. "
			"Set it to 'EXCEPT_KEY' instead to avoid field overlaps.");
		return -1;
	}
	return 0;
}

/* kafka, upsert-kafka: the metadata keys its columns read, or write in a sink */
static int kafka_metadata(const struct tdef *t, bool sink, const char *ident, struct ferr *e)
{
	static const char *const rkeys[] = {"topic", "partition", "headers", "leader-epoch", "offset", "timestamp",
		"timestamp-type", NULL};
	for (int i = 0; i < t->ncols; i++) {
		const struct fcol *c = &t->cols[i];
		if (c->kind != COL_META)
			continue;
		const char *mk = c->meta_key ? c->meta_key : c->name;
		bool known = false;
		for (int r = 0; rkeys[r]; r++)
			known = known || !strcmp(rkeys[r], mk);
		if (!known && strncmp(mk, "value.", 6)) {
			ferr_add(e, EX_VALIDATION, "Invalid metadata key '%s' in column '%s' of table '%s'. The %s class "
				"'org.apache.flink.streaming.connectors.kafka.table.%s' supports the following metadata keys for "
				"%s:\n%s", mk, c->name, ident, sink ? "DynamicTableSink" : "DynamicTableSource",
				sink ? "KafkaDynamicSink" : "KafkaDynamicSource", sink ? "writing" : "reading",
				sink ? "headers\ntimestamp" : "topic\npartition\nheaders\nleader-epoch\noffset\ntimestamp\ntimestamp-type");
			return -1;
		}
		if (sink && !c->is_virtual && strcmp(mk, "timestamp") && strcmp(mk, "headers")) {
			ferr_add(e, EX_VALIDATION, "Invalid metadata key '%s' in column '%s' of table '%s'. The DynamicTableSink "
				"class 'org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicSink' supports the following "
				"metadata keys for writing:\nheaders\ntimestamp", mk, c->name, ident);
			return -1;
		}
	}
	return 0;
}

static int validate_inner(const struct tdef *t, const struct fopt *opts, int nopts, bool sink, const char *ident,
	int version, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 4096);
	strvec ok = {0}, pre = {0}, req = {0};
	int rc = -1;
	const char *conn = fopt_get(opts, nopts, "connector");
	enum conn_kind k = conn_kind(conn);
	if (!conn) {
		ferr_add(e, EX_VALIDATION, "Table options do not contain an option key 'connector' for discovering a connector.");
		goto out;
	}
	if (k == CN_UNKNOWN) {
		ferr_add(e, EX_VALIDATION, "Cannot discover a connector using option: 'connector'='%s'", conn);
		ferr_add(e, EX_VALIDATION, "Could not find any factory for identifier '%s' that implements "
			"'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.\n\nAvailable factory identifiers "
			"are:\n\nblackhole\ndatagen\nfilesystem\nkafka\nprint\nupsert-kafka", conn);
		goto out;
	}
	if (!sink && (k == CN_BLACKHOLE || k == CN_PRINT)) {
		ferr_add(e, EX_VALIDATION, "Connector '%s' can only be used as a sink. It cannot be used as a source.", conn);
		goto out;
	}
	if (sink && k == CN_DATAGEN) {
		ferr_add(e, EX_VALIDATION, "Connector '%s' can only be used as a source. It cannot be used as a sink.", conn);
		goto out;
	}
	VEC_PUSH(&ok, "connector");
	VEC_PUSH(&ok, "property-version");
	const char *fmt, *kfmt, *vfmt;
	switch (k) {
	case CN_KAFKA: {
		static const char *const kopts[] = {"format", "key.format", "key.fields", "key.fields-prefix", "value.format",
			"value.fields-include", "topic", "topic-pattern", "properties.group.id", "scan.startup.mode",
			"scan.startup.specific-offsets", "scan.topic-partition-discovery.interval", "scan.startup.timestamp-millis",
			"sink.partitioner", "sink.parallelism", "sink.delivery-guarantee", "sink.transactional-id-prefix",
			"sink.semantic", "scan.bounded.mode", "scan.bounded.specific-offsets", "scan.bounded.timestamp-millis",
			"scan.parallelism", "sink.transaction-naming-strategy", "properties.bootstrap.servers", NULL};
		addall_kafka(&ok, kopts, version);
		VEC_PUSH(&req, "properties.bootstrap.servers");
		kfmt = fopt_get(opts, nopts, "key.format");
		if (kfmt && add_format(&a, &ok, &pre, "key.format", kfmt, sink, e))
			goto out;
		fmt = fopt_get(opts, nopts, "format");
		vfmt = fopt_get(opts, nopts, "value.format");
		if (!fmt && !vfmt) {
			ferr_add(e, EX_VALIDATION, "Could not find required %s format 'value.format'.", sink ? "sink" : "scan");
			goto out;
		}
		if (fmt ? add_format(&a, &ok, &pre, "format", fmt, sink, e) : add_format(&a, &ok, &pre, "value.format", vfmt,
			sink, e))
			goto out;
		VEC_PUSH(&pre, "properties.");
		break;
	}
	case CN_UPSERT_KAFKA: {
		static const char *const uopts[] = {"properties.bootstrap.servers", "key.format", "value.format", "topic",
			"topic-pattern", "key.fields-prefix", "value.fields-include", "sink.parallelism",
			"sink.buffer-flush.interval", "sink.buffer-flush.max-rows", "scan.bounded.mode",
			"scan.bounded.specific-offsets", "scan.bounded.timestamp-millis", "sink.delivery-guarantee",
			"sink.transactional-id-prefix", "scan.parallelism", "sink.transaction-naming-strategy",
			"scan.topic-partition-discovery.interval", NULL};
		addall_kafka(&ok, uopts, version);
		VEC_PUSH(&req, "properties.bootstrap.servers");
		VEC_PUSH(&req, "key.format");
		VEC_PUSH(&req, "value.format");
		kfmt = fopt_get(opts, nopts, "key.format");
		if (!kfmt) {
			ferr_add(e, EX_VALIDATION, "Could not find required %s format 'key.format'.", sink ? "sink" : "scan");
			goto out;
		}
		if (add_format(&a, &ok, &pre, "key.format", kfmt, sink, e))
			goto out;
		vfmt = fopt_get(opts, nopts, "value.format");
		if (!vfmt) {
			ferr_add(e, EX_VALIDATION, "Could not find required %s format 'value.format'.", sink ? "sink" : "scan");
			goto out;
		}
		if (add_format(&a, &ok, &pre, "value.format", vfmt, sink, e))
			goto out;
		VEC_PUSH(&pre, "properties.");
		break;
	}
	case CN_FILESYSTEM: {
		static const char *const fopts[] = {"path", "format", "partition.default-name", "source.monitor-interval",
			"source.path.regex-pattern", "source.report-statistics", "sink.rolling-policy.file-size",
			"sink.rolling-policy.rollover-interval", "sink.rolling-policy.check-interval",
			"sink.rolling-policy.inactivity-interval", "sink.shuffle-by-partition.enable", "auto-compaction",
			"compaction.file-size", "sink.parallelism", "sink.partition-commit.trigger",
			"sink.partition-commit.delay", "sink.partition-commit.watermark-time-zone",
			"sink.partition-commit.policy.kind", "sink.partition-commit.policy.class",
			"sink.partition-commit.success-file.name", "partition.time-extractor.kind",
			"partition.time-extractor.class", "partition.time-extractor.timestamp-pattern",
			"partition.time-extractor.timestamp-formatter", "streaming-source.enable", NULL};
		addall(&ok, fopts);
		VEC_PUSH(&req, "path");
		fmt = fopt_get(opts, nopts, "format");
		if (!fmt) {
			ferr_add(e, EX_VALIDATION, "Could not find required %s format 'format'.", sink ? "sink" : "scan");
			goto out;
		}
		if (strcmp(fmt, "csv") && strcmp(fmt, "json") && strcmp(fmt, "raw")) {
			ferr_add(e, EX_VALIDATION, "Could not find any format factory for identifier '%s' in the classpath.", fmt);
			goto out;
		}
		if (add_format(&a, &ok, &pre, "format", fmt, sink, e))
			goto out;
		break;
	}
	case CN_DATAGEN: {
		if (datagen_options(t, opts, nopts, &a, &ok, e))
			goto out;
		break;
	}
	case CN_PRINT: {
		static const char *const popts[] = {"print-identifier", "standard-error", "sink.parallelism", NULL};
		addall(&ok, popts);
		break;
	}
	case CN_BLACKHOLE:
	case CN_UNKNOWN:
		break;
	}
	if (check_options(opts, nopts, conn, &ok, &pre, &req, e))
		goto out;
	/* the connectors' own rules */
	if ((k == CN_KAFKA || k == CN_UPSERT_KAFKA) && kafka_rules(t, opts, nopts, k, sink, ident, &a, e))
		goto out;
	if (k == CN_FILESYSTEM && sink) {
		/* metadata columns are not writable for files */
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i].kind == COL_META && !t->cols[i].is_virtual) {
				ferr_add(e, EX_VALIDATION, "Table '%s' declares persistable metadata columns, but the underlying "
					"DynamicTableSink doesn't implement the SupportsWritingMetadata interface. If the column should not "
					"be persisted, it can be declared with the VIRTUAL keyword.", ident);
				goto out;
			}
	}
	if ((k == CN_KAFKA || k == CN_UPSERT_KAFKA) && kafka_metadata(t, sink, ident, e))
		goto out;
	rc = 0;
out:
	VEC_FREE(&ok);
	VEC_FREE(&pre);
	VEC_FREE(&req);
	arena_release(&a);
	return rc;
}

int conn_validate(const struct tdef *t, const struct fopt *opts, int nopts, bool sink, const char *ident, int version,
	struct ferr *e)
{
	struct ferr inner = {0};
	/* Confluent Cloud's own topic options are not the open-source connector's to check */
	struct fopt *own = NULL;
	if (version & FG_PARSE_CONFLUENT) {
		version &= ~FG_PARSE_CONFLUENT;
		own = xcalloc((size_t)nopts + 1, sizeof(*own));
		int n = 0;
		for (int i = 0; i < nopts; i++)
			if (!cc_only_option(opts[i].k))
				own[n++] = opts[i];
		int rc = validate_inner(t, own, n, sink, ident, version, &inner);
		free(own);
		if (!rc)
			return 0;
	} else if (!validate_inner(t, opts, nopts, sink, ident, version, &inner)) {
		return 0;
	}
	struct sb l = SB_INIT;
	options_list(&l, opts, nopts);
	ferr_add(e, EX_VALIDATION, "Unable to create a %s for %s table '%s'.\n\nTable options are:\n\n%s",
		sink ? "sink" : "source", sink ? "writing" : "reading", ident, l.buf);
	for (int i = 0; i < inner.n && e->n < 4; i++)
		ferr_add(e, inner.cls[i], "%s", inner.msg[i]);
	sb_release(&l);
	ferr_release(&inner);
	return -1;
}

/* Whether a scan of the table produces changes other than INSERT, as its source's
 * getChangelogMode() says: UpsertKafkaDynamicSource is ChangelogMode.upsert(); kafka and filesystem
 * take the mode of their (value) format, and the CDC formats (DebeziumJsonDecodingFormat,
 * CanalJsonDecodingFormat, MaxwellJsonDecodingFormat, OggJsonDecodingFormat,
 * DebeziumAvroDecodingFormat) produce every row kind. */
bool conn_changelog(const struct fopt *opts, int nopts)
{
	const char *conn = fopt_get(opts, nopts, "connector");
	int kind = conn_kind(conn);
	if (kind == CN_UPSERT_KAFKA)
		return true;
	if (kind != CN_KAFKA && kind != CN_FILESYSTEM)
		return false;
	static const char *const cdc[] = {"debezium-json", "canal-json", "maxwell-json", "ogg-json",
					  "debezium-avro-confluent", NULL};
	const char *f = fopt_get(opts, nopts, "value.format");
	if (!f)
		f = fopt_get(opts, nopts, "format");
	for (int i = 0; f && cdc[i]; i++)
		if (!strcmp(f, cdc[i]))
			return true;
	return false;
}

bool conn_bounded(const struct tdef *t, const struct fopt *opts, int nopts)
{
	const char *conn = fopt_get(opts, nopts, "connector");
	switch (conn_kind(conn)) {
	case CN_KAFKA:
	case CN_UPSERT_KAFKA: {
		const char *b = fopt_get(opts, nopts, "scan.bounded.mode");
		return b && strcmp(b, "unbounded");
	}
	case CN_FILESYSTEM:
		return !fopt_get(opts, nopts, "source.monitor-interval");
	case CN_DATAGEN: {
		if (fopt_get(opts, nopts, "number-of-rows"))
			return true;
		for (int i = 0; i < t->ncols; i++) {
			char k[300];
			snprintf(k, sizeof(k), "fields.%s.kind", t->cols[i].name);
			const char *v = fopt_get(opts, nopts, k);
			if (v && !strcmp(v, "sequence"))
				return true;
		}
		return false;
	}
	default:
		return true;
	}
}
