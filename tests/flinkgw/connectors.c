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
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/map.h"
#include "fgi.h"

const char *fopt_get(const struct fopt *o, int n, const char *k)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(o[i].k, k))
			return o[i].v;
	return NULL;
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
static int validate_inner(const struct tdef *t, const struct fopt *opts, int nopts, bool sink, const char *ident,
	struct ferr *e)
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
		addall(&ok, kopts);
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
		addall(&ok, uopts);
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
		static const char *const dopts[] = {"number-of-rows", "rows-per-second", NULL};
		addall(&ok, dopts);
		for (int i = 0; i < t->ncols; i++) {
			const struct fcol *c = &t->cols[i];
			if (c->kind != COL_PHYS)
				continue;
			const char *kind = fopt_get(opts, nopts, arena_sprintf(&a, "fields.%s.kind", c->name));
			VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.kind", c->name));
			VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.null-rate", c->name));
			if (kind && !strcmp(kind, "sequence")) {
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.start", c->name));
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.end", c->name));
				if (!fopt_get(opts, nopts, arena_sprintf(&a, "fields.%s.start", c->name)) ||
					!fopt_get(opts, nopts, arena_sprintf(&a, "fields.%s.end", c->name))) {
					ferr_add(e, EX_VALIDATION, "Could not find required property 'fields.%s.%s' for sequence generator.",
						c->name, fopt_get(opts, nopts, arena_sprintf(&a, "fields.%s.start", c->name)) ? "end" : "start");
					goto out;
				}
			} else if (kind && strcmp(kind, "random")) {
				ferr_add(e, EX_VALIDATION, "Unsupported generator '%s' for field '%s'.", kind, c->name);
				goto out;
			} else if (ft_is_numeric(c->type)) {
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.max", c->name));
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.min", c->name));
			} else if (ft_is_string(c->type) || c->type->root == FT_VARBINARY || c->type->root == FT_BINARY) {
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.length", c->name));
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.var-len", c->name));
			} else if (ft_is_timestamp(c->type) || c->type->root == FT_DATE) {
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.max-past", c->name));
			} else if (c->type->root == FT_ARRAY || c->type->root == FT_MAP || c->type->root == FT_MULTISET) {
				VEC_PUSH(&ok, arena_sprintf(&a, "fields.%s.length", c->name));
			}
		}
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
	/* required, then left-over options */
	strvec miss = {0};
	for (size_t i = 0; i < req.n; i++)
		if (!fopt_get(opts, nopts, req.v[i]))
			VEC_PUSH(&miss, req.v[i]);
	if (miss.n) {
		qsort(miss.v, miss.n, sizeof(char *), scmp);
		struct sb m = SB_INIT;
		for (size_t i = 0; i < miss.n; i++)
			sb_addf(&m, "%s%s", i ? "\n" : "", miss.v[i]);
		ferr_add(e, EX_VALIDATION, "One or more required options are missing.\n\nMissing required options are:\n\n%s",
			m.buf);
		sb_release(&m);
		VEC_FREE(&miss);
		goto out;
	}
	VEC_FREE(&miss);
	strvec bad = {0};
	for (int i = 0; i < nopts; i++) {
		bool fine = has(&ok, opts[i].k);
		for (size_t p = 0; p < pre.n && !fine; p++)
			fine = !strncmp(opts[i].k, pre.v[p], strlen(pre.v[p]));
		if (!fine)
			VEC_PUSH(&bad, opts[i].k);
	}
	if (bad.n) {
		qsort(bad.v, bad.n, sizeof(char *), scmp);
		strvec sup = {0};
		for (size_t i = 0; i < ok.n; i++)
			if (!has(&sup, ok.v[i]) && strcmp(ok.v[i], "property-version"))
				VEC_PUSH(&sup, ok.v[i]);
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
		goto out;
	}
	VEC_FREE(&bad);
	/* the connectors' own rules */
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
		const char *topic = fopt_get(opts, nopts, "topic"), *pat = fopt_get(opts, nopts, "topic-pattern");
		if (topic && pat) {
			ferr_add(e, EX_VALIDATION, "Option 'topic' and 'topic-pattern' shouldn't be set together.");
			goto out;
		}
		if (!topic && !pat) {
			ferr_add(e, EX_VALIDATION, "Either 'topic' or 'topic-pattern' must be set.");
			goto out;
		}
		if (sink && (pat || strchr(topic, ';'))) {
			ferr_add(e, EX_VALIDATION, "Flink Kafka sink currently only supports single topic, but got %s: %s.",
				pat ? "'topic-pattern'" : "'topic'", pat ? pat : topic);
			goto out;
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
				goto out;
			}
			const char *what = w ? "bounded" : "startup";
			if (!strcmp(v, "timestamp") && !fopt_get(opts, nopts, w ? "scan.bounded.timestamp-millis" :
				"scan.startup.timestamp-millis")) {
				ferr_add(e, EX_VALIDATION, "'%s' is required in '%s' %s mode but missing.",
					w ? "scan.bounded.timestamp-millis" : "scan.startup.timestamp-millis", v, what);
				goto out;
			}
			if (!strcmp(v, "specific-offsets") && !fopt_get(opts, nopts, w ? "scan.bounded.specific-offsets" :
				"scan.startup.specific-offsets")) {
				ferr_add(e, EX_VALIDATION, "'%s' is required in '%s' %s mode but missing.",
					w ? "scan.bounded.specific-offsets" : "scan.startup.specific-offsets", v, what);
				goto out;
			}
		}
		const char *kf = fopt_get(opts, nopts, "key.fields");
		const char *kform = fopt_get(opts, nopts, "key.format");
		const char *prefix = fopt_get(opts, nopts, "key.fields-prefix");
		const char *incl = fopt_get(opts, nopts, "value.fields-include");
		if (incl && strcmp(incl, "ALL") && strcmp(incl, "EXCEPT_KEY")) {
			ferr_add(e, EX_VALIDATION, "Invalid value for option 'value.fields-include'.");
			goto out;
		}
		if (k == CN_KAFKA) {
			if (kf && !kform) {
				ferr_add(e, EX_VALIDATION, "The option 'key.fields' can only be declared if a key format is defined "
					"using 'key.format'.");
				goto out;
			}
			if (kform && !kf) {
				ferr_add(e, EX_VALIDATION, "A key format 'key.format' requires the declaration of one or more of key "
					"fields using 'key.fields'.");
				goto out;
			}
			if (kf) {
				char *dup = arena_strdup(&a, kf);
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
						goto out;
					}
					if (prefix && strncmp(f, prefix, strlen(prefix))) {
						ferr_add(e, EX_VALIDATION, "All fields in 'key.fields' must be prefixed with '%s' when option "
							"'key.fields-prefix' is set but field '%s' is not prefixed.", prefix, f);
						goto out;
					}
				}
			}
			if (t->npk) {
				const char *vf = fopt_get(opts, nopts, "format");
				if (!vf)
					vf = fopt_get(opts, nopts, "value.format");
				ferr_add(e, EX_VALIDATION, "The Kafka table '%s' with '%s' format doesn't support defining PRIMARY KEY "
					"constraint on the table, because it can't guarantee the semantic of primary key.", ident, vf);
				goto out;
			}
		} else {
			if (!t->npk) {
				ferr_add(e, EX_VALIDATION, "'upsert-kafka' tables require to define a PRIMARY KEY constraint. The "
					"PRIMARY KEY specifies which columns should be read from or write to the Kafka message key. The "
					"PRIMARY KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.");
				goto out;
			}
		}
		if (prefix && (!incl || strcmp(incl, "EXCEPT_KEY"))) {
			ferr_add(e, EX_VALIDATION, "A key prefix is not allowed when option 'value.fields-include' is set to 'ALL'. "
				"Set it to 'EXCEPT_KEY' instead to avoid field overlaps.");
			goto out;
		}
	}
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
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
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
				goto out;
			}
			if (sink && !c->is_virtual && strcmp(mk, "timestamp") && strcmp(mk, "headers")) {
				ferr_add(e, EX_VALIDATION, "Invalid metadata key '%s' in column '%s' of table '%s'. The DynamicTableSink "
					"class 'org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicSink' supports the following "
					"metadata keys for writing:\nheaders\ntimestamp", mk, c->name, ident);
				goto out;
			}
		}
	}
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
	(void)version;
	if (!validate_inner(t, opts, nopts, sink, ident, &inner))
		return 0;
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

/* ------------------------------------------------------------------ topics */

static char *topic_path(struct fg_engine *e, const char *topic, const char *job)
{
	struct sb p = SB_INIT;
	sb_addf(&p, "%s/topics/%s", e->data_dir, topic);
	if (job)
		sb_addf(&p, ".job-%s", job);
	sb_adds(&p, ".jsonl");
	return sb_detach(&p, NULL);
}

static long long file_mtime_ms(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return 0;
	return (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

static void read_jsonl(const char *path, json_t *out, int file_no)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	long long mt = file_mtime_ms(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n)
			continue;
		json_error_t je;
		json_t *r = json_loads(line, 0, &je);
		if (!r)
			r = json_pack("{s:n,s:s}", "key", "__fg_bad", line);
		if (!json_is_object(r)) {
			json_decref(r);
			continue;
		}
		if (!json_is_integer(json_object_get(r, "timestamp")))
			json_object_set_new(r, "timestamp", json_integer(mt));
		json_object_set_new(r, "__file", json_integer(file_no));
		json_object_set_new(r, "__line", json_integer(lineno));
		json_array_append_new(out, r);
	}
	free(line);
	fclose(f);
}

static int rec_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	long long tx = json_integer_value(json_object_get(x, "timestamp"));
	long long ty = json_integer_value(json_object_get(y, "timestamp"));
	if (tx != ty)
		return tx < ty ? -1 : 1;
	long long fx = json_integer_value(json_object_get(x, "__file")), fy = json_integer_value(json_object_get(y, "__file"));
	if (fx != fy)
		return fx < fy ? -1 : 1;
	long long lx = json_integer_value(json_object_get(x, "__line")), ly = json_integer_value(json_object_get(y, "__line"));
	return lx < ly ? -1 : lx > ly;
}

/* every record of a topic (its own file and the jobs' files), in offset order */
static json_t *topic_all(struct fg_engine *e, const char *topic)
{
	json_t *recs = json_array();
	char *main = topic_path(e, topic, NULL);
	read_jsonl(main, recs, 0);
	free(main);
	struct sb dir = SB_INIT;
	sb_addf(&dir, "%s/topics", e->data_dir);
	DIR *d = opendir(dir.buf);
	if (d) {
		VEC(char *) names = {0};
		struct dirent *de;
		size_t tl = strlen(topic);
		while ((de = readdir(d))) {
			if (!strncmp(de->d_name, topic, tl) && !strncmp(de->d_name + tl, ".job-", 5) &&
				strstr(de->d_name + tl, ".jsonl"))
				VEC_PUSH(&names, xstrdup(de->d_name));
		}
		closedir(d);
		for (size_t i = 1; i < names.n; i++)
			for (size_t j = i; j > 0 && strcmp(names.v[j - 1], names.v[j]) > 0; j--) {
				char *t = names.v[j];
				names.v[j] = names.v[j - 1];
				names.v[j - 1] = t;
			}
		for (size_t i = 0; i < names.n; i++) {
			struct sb p = SB_INIT;
			sb_addf(&p, "%s/%s", dir.buf, names.v[i]);
			read_jsonl(p.buf, recs, (int)i + 1);
			sb_release(&p);
			free(names.v[i]);
		}
		VEC_FREE(&names);
	}
	sb_release(&dir);
	size_t n = json_array_size(recs);
	json_t **v = xmalloc(sizeof(json_t *) * (n + 1));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(recs, i));
	qsort(v, n, sizeof(json_t *), rec_cmp);
	json_array_clear(recs);
	for (size_t i = 0; i < n; i++) {
		json_object_del(v[i], "__file");
		json_object_del(v[i], "__line");
		json_object_set_new(v[i], "offset", json_integer((json_int_t)i));
		json_array_append_new(recs, v[i]);
	}
	free(v);
	return recs;
}

json_t *topic_records(struct fg_engine *e, const char *topic)
{
	return topic_all(e, topic);
}

int topic_append(struct fg_engine *e, const char *topic, json_t *records, char **perr)
{
	if (!json_is_array(records)) {
		*perr = xstrdup("records must be a JSON array");
		return -1;
	}
	for (const char *p = topic; *p; p++)
		if (*p == '/' || (*p == '.' && p == topic)) {
			*perr = xstrdup("bad topic name");
			return -1;
		}
	struct sb dir = SB_INIT;
	sb_addf(&dir, "%s/topics", e->data_dir);
	fs_mkdir_p(dir.buf);
	sb_release(&dir);
	char *path = topic_path(e, topic, NULL);
	struct sb o = SB_INIT;
	size_t i;
	json_t *r;
	long long now = now_ms();
	json_array_foreach(records, i, r) {
		if (!json_is_object(r)) {
			*perr = xstrdup("each record must be a JSON object");
			sb_release(&o);
			free(path);
			return -1;
		}
		json_t *k = json_object_get(r, "key"), *v = json_object_get(r, "value"), *ts = json_object_get(r, "timestamp");
		if (!k && !v && !ts)
			v = r;   /* a bare object is the record's value */
		json_t *rec = json_object();
		json_object_set(rec, "key", k ? k : json_null());
		json_object_set(rec, "value", v ? v : json_null());
		json_object_set_new(rec, "timestamp", json_is_integer(ts) ? json_integer(json_integer_value(ts)) :
			json_integer(now));
		char *s = json_dumps(rec, JSON_COMPACT);
		sb_addf(&o, "%s\n", s);
		free(s);
		json_decref(rec);
	}
	FILE *f = fopen(path, "a");
	if (!f) {
		*perr = xstrdup("cannot append to the topic file");
		sb_release(&o);
		free(path);
		return -1;
	}
	fwrite(o.buf, 1, o.len, f);
	fclose(f);
	sb_release(&o);
	free(path);
	return 0;
}

/* ------------------------------------------------------------------ values into SQL */

static void sql_quote(struct sb *o, const char *s)
{
	sb_addc(o, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_addc(o, '\'');
		sb_addc(o, *s);
	}
	sb_addc(o, '\'');
}

/* a JSON value (as flink-json reads it) as a DuckDB literal of type t */
static void sql_value(struct sb *o, json_t *v, const struct ftype *t)
{
	if (!v || json_is_null(v)) {
		sb_adds(o, "NULL");
		return;
	}
	struct sb dt = SB_INIT;
	ft_duck(&dt, t);
	switch (t->root) {
	case FT_ARRAY:
	case FT_MAP:
	case FT_ROW:
	case FT_MULTISET: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		sb_adds(o, "TRY_CAST(CAST(");
		sql_quote(o, s);
		sb_addf(o, " AS JSON) AS %s)", dt.buf);
		free(s);
		break;
	}
	case FT_VARBINARY:
	case FT_BINARY:
		if (json_is_string(v)) {
			sb_adds(o, "from_base64(");
			sql_quote(o, json_string_value(v));
			sb_addc(o, ')');
		} else {
			sb_adds(o, "NULL");
		}
		break;
	default:
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			if (ft_is_timestamp(t) || t->root == FT_TIMESTAMP_TZ) {
				char buf[80];
				snprintf(buf, sizeof(buf), "%s", s);
				if (strlen(buf) > 10 && buf[10] == 'T')
					buf[10] = ' ';
				size_t n = strlen(buf);
				if (n && (buf[n - 1] == 'Z' || buf[n - 1] == 'z'))
					buf[--n] = 0;
				if (t->root == FT_TIMESTAMP_LTZ) {
					/* flink-json reads TIMESTAMP_LTZ text as UTC */
					strncat(buf, "+00", sizeof(buf) - strlen(buf) - 1);
				}
				sb_adds(o, "TRY_CAST(");
				sql_quote(o, buf);
				sb_addf(o, " AS %s)", dt.buf);
			} else if (ft_is_string(t)) {
				sql_quote(o, s);
			} else {
				sb_adds(o, "TRY_CAST(");
				sql_quote(o, s);
				sb_addf(o, " AS %s)", dt.buf);
			}
		} else if (json_is_boolean(v)) {
			if (ft_is_string(t))
				sb_adds(o, json_is_true(v) ? "'true'" : "'false'");
			else
				sb_adds(o, json_is_true(v) ? "TRUE" : "FALSE");
		} else if (json_is_integer(v)) {
			if (ft_is_string(t))
				sb_addf(o, "'%lld'", (long long)json_integer_value(v));
			else if (t->root == FT_TIMESTAMP || t->root == FT_TIMESTAMP_LTZ)
				sb_adds(o, "NULL");
			else
				sb_addf(o, "TRY_CAST(%lld AS %s)", (long long)json_integer_value(v), dt.buf);
		} else if (json_is_real(v)) {
			char num[64];
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			if (ft_is_string(t)) {
				sql_quote(o, num);
			} else {
				sb_addf(o, "TRY_CAST(%s AS %s)", num, dt.buf);
			}
		} else if (ft_is_string(t)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			sql_quote(o, s);
			free(s);
		} else {
			sb_adds(o, "NULL");
		}
	}
	sb_release(&dt);
}

/* a text field (csv) as a DuckDB literal of type t */
static void sql_text(struct sb *o, const char *s, bool quoted, const struct ftype *t)
{
	if (!s || (!*s && !quoted && !ft_is_string(t))) {
		sb_adds(o, "NULL");
		return;
	}
	json_t *v = json_string(s);
	sql_value(o, v, t);
	json_decref(v);
}

static void epoch_literal(struct sb *o, long long ms)
{
	time_t sec = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	struct tm tm;
	gmtime_r(&sec, &tm);
	sb_addf(o, "TIMESTAMPTZ '%04d-%02d-%02d %02d:%02d:%02d.%03d+00'", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* ------------------------------------------------------------------ loading */

struct loader {
	struct duck *d;
	struct scan *sc;
	struct sb ins;
	int nrows;
	long long rowid;
	int scan_index;
	seqvec *seq;
	struct ferr *e;
	bool failed;
};

static void flush(struct loader *L)
{
	if (!L->nrows || L->failed)
		return;
	struct ferr de = {0};
	if (duck_exec(L->d, L->ins.buf, &de)) {
		L->failed = true;
		ferr_add(L->e, EX_IO, "Failed to deserialize the records of table '%s': %s", L->sc->ident,
			de.n ? de.msg[0] : "");
	}
	ferr_release(&de);
	sb_reset(&L->ins);
	L->nrows = 0;
}

/* adds one row (its values text, without the sequence column) */
static void add_row(struct loader *L, const char *vals, long long ts, long long offset)
{
	if (!L->nrows)
		sb_addf(&L->ins, "INSERT INTO \"%s_raw\" VALUES ", L->sc->dname);
	else
		sb_adds(&L->ins, ", ");
	L->rowid++;
	sb_addf(&L->ins, "(%s%s%lld)", vals, *vals ? ", " : "", L->rowid);
	struct seqrec r = {ts, L->sc->srckey, offset, L->scan_index, L->rowid};
	VEC_PUSH(L->seq, r);
	if (++L->nrows >= 400)
		flush(L);
}

static bool field_in_list(const char *list, const char *name)
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

static long long parse_offset_spec(const char *spec)
{
	/* "partition:0,offset:42" (the double has one partition) */
	const char *p = spec ? strstr(spec, "offset:") : NULL;
	return p ? atoll(p + 7) : 0;
}

static void load_topic(struct fg_engine *en, struct loader *L, const char *topic, bool upsert)
{
	struct scan *sc = L->sc;
	const struct tdef *t = sc->t;
	const struct fopt *o = sc->opts;
	int no = sc->nopts;
	const char *startup = fopt_get(o, no, "scan.startup.mode");
	const char *reset = fopt_get(o, no, "properties.auto.offset.reset");
	const char *bmode = fopt_get(o, no, "scan.bounded.mode");
	long long start_ts = -1, start_off = 0, stop_ts = -1, stop_off = -1;
	if (!upsert && startup) {
		if (!strcmp(startup, "latest-offset") || (!strcmp(startup, "group-offsets") && reset && !strcmp(reset, "latest")))
			start_ts = sc->start_ms;
		else if (!strcmp(startup, "timestamp"))
			start_ts = atoll(fopt_get(o, no, "scan.startup.timestamp-millis"));
		else if (!strcmp(startup, "specific-offsets"))
			start_off = parse_offset_spec(fopt_get(o, no, "scan.startup.specific-offsets"));
	}
	if (bmode && !strcmp(bmode, "timestamp"))
		stop_ts = atoll(fopt_get(o, no, "scan.bounded.timestamp-millis"));
	else if (bmode && !strcmp(bmode, "specific-offsets"))
		stop_off = parse_offset_spec(fopt_get(o, no, "scan.bounded.specific-offsets"));
	const char *keyfields = fopt_get(o, no, "key.fields");
	const char *prefix = fopt_get(o, no, "key.fields-prefix");
	const char *incl = fopt_get(o, no, "value.fields-include");
	bool except_key = incl && !strcmp(incl, "EXCEPT_KEY");
	size_t plen = prefix ? strlen(prefix) : 0;
	json_t *recs = topic_all(en, topic);
	size_t i;
	json_t *r;
	struct sb row = SB_INIT;
	json_array_foreach(recs, i, r) {
		long long off = json_integer_value(json_object_get(r, "offset"));
		long long ts = json_integer_value(json_object_get(r, "timestamp"));
		if (off < start_off || off < sc->skip_offset || (start_ts >= 0 && ts < start_ts))
			continue;
		if ((stop_off >= 0 && off >= stop_off) || (stop_ts >= 0 && ts > stop_ts))
			continue;
		json_t *key = json_object_get(r, "key"), *val = json_object_get(r, "value");
		if (json_is_string(json_object_get(r, "__fg_bad")) || (key && json_is_string(key) &&
			!strcmp(json_string_value(key), "__fg_bad"))) {
			ferr_add(L->e, EX_IO, "Failed to deserialize consumer record of topic '%s' at offset %lld.", topic, off);
			L->failed = true;
			break;
		}
		bool tomb = !val || json_is_null(val);
		if (tomb && !upsert)
			continue;   /* flink-json skips null messages */
		if (val && !tomb && !json_is_object(val)) {
			ferr_add(L->e, EX_IO, "Failed to deserialize JSON '%s'.", json_is_string(val) ? json_string_value(val) : "?");
			L->failed = true;
			break;
		}
		sb_reset(&row);
		bool first = true;
		for (int c = 0; c < t->ncols; c++) {
			const struct fcol *col = &t->cols[c];
			if (col->kind == COL_COMPUTED)
				continue;
			if (!first)
				sb_adds(&row, ", ");
			first = false;
			if (col->kind == COL_META) {
				const char *mk = col->meta_key ? col->meta_key : col->name;
				struct sb lit = SB_INIT;
				if (!strcmp(mk, "timestamp"))
					epoch_literal(&lit, ts);
				else if (!strcmp(mk, "offset"))
					sb_addf(&lit, "%lld", off);
				else if (!strcmp(mk, "partition"))
					sb_adds(&lit, "0");
				else if (!strcmp(mk, "topic"))
					sql_quote(&lit, topic);
				else if (!strcmp(mk, "timestamp-type"))
					sb_adds(&lit, "'CreateTime'");
				else
					sb_adds(&lit, "NULL");
				struct sb dt = SB_INIT;
				ft_duck(&dt, col->type);
				sb_addf(&row, "TRY_CAST(%s AS %s)", lit.buf, dt.buf);
				sb_release(&dt);
				sb_release(&lit);
				continue;
			}
			bool is_key = upsert ? false : field_in_list(keyfields, col->name);
			if (upsert)
				for (int k = 0; k < t->npk; k++)
					is_key = is_key || !strcmp(t->pk[k], col->name);
			json_t *v = NULL;
			if (is_key && key && json_is_object(key)) {
				const char *kn = col->name;
				if (prefix && !strncmp(kn, prefix, plen))
					kn += plen;
				v = json_object_get(key, kn);
			}
			if (!v && val && json_is_object(val) && !(is_key && except_key))
				v = json_object_get(val, col->name);
			sql_value(&row, v, col->type);
		}
		if (upsert) {
			/* the compaction key: the primary key's values */
			json_t *kv = json_array();
			for (int k = 0; k < t->npk; k++) {
				const char *kn = t->pk[k];
				if (prefix && !strncmp(kn, prefix, plen))
					kn += plen;
				json_t *x = key && json_is_object(key) ? json_object_get(key, kn) : NULL;
				if (!x && val && json_is_object(val))
					x = json_object_get(val, t->pk[k]);
				json_array_append(kv, x ? x : json_null());
			}
			char *ks = json_dumps(kv, JSON_COMPACT);
			sb_adds(&row, first ? "" : ", ");
			sql_quote(&row, ks);
			sb_addf(&row, ", %s", tomb ? "TRUE" : "FALSE");
			free(ks);
			json_decref(kv);
		}
		add_row(L, row.buf, ts, off);
		if (L->failed)
			break;
	}
	sb_release(&row);
	json_decref(recs);
}

/* one CSV line into fields (RFC 4180 quoting) */
static int csv_fields(const char *line, char delim, char ***pf, bool **pq)
{
	VEC(char *) f = {0};
	VEC(bool) q = {0};
	const char *p = line;
	for (;;) {
		struct sb v = SB_INIT;
		bool quoted = false;
		if (*p == '"') {
			quoted = true;
			p++;
			for (;;) {
				if (!*p)
					break;
				if (*p == '"') {
					if (p[1] == '"') {
						sb_addc(&v, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				sb_addc(&v, *p++);
			}
			while (*p && *p != delim)
				p++;
		} else {
			while (*p && *p != delim)
				sb_addc(&v, *p++);
		}
		VEC_PUSH(&f, sb_detach(&v, NULL));
		VEC_PUSH(&q, quoted);
		if (*p != delim)
			break;
		p++;
	}
	*pf = f.v;
	*pq = q.v;
	return (int)f.n;
}

static void load_file(struct loader *L, const char *path, const char *rel, long long *pidx)
{
	struct scan *sc = L->sc;
	const struct tdef *t = sc->t;
	const char *fmt = fopt_get(sc->opts, sc->nopts, "format");
	const char *dl = fopt_get(sc->opts, sc->nopts, "csv.field-delimiter");
	char delim = dl && *dl ? (!strcmp(dl, "\\t") ? '\t' : dl[0]) : ',';
	const char *defname = fopt_get(sc->opts, sc->nopts, "partition.default-name");
	if (!defname)
		defname = "__DEFAULT_PARTITION__";
	/* partition values from the k=v folders of the relative path */
	json_t *parts = json_object();
	char *dup = xstrdup(rel);
	char *save = NULL;
	for (char *s = strtok_r(dup, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(s, '=');
		if (eq) {
			*eq = 0;
			json_object_set_new(parts, s, !strcmp(eq + 1, defname) ? json_null() : json_string(eq + 1));
		}
	}
	free(dup);
	FILE *f = fopen(path, "r");
	if (!f) {
		json_decref(parts);
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct sb row = SB_INIT;
	while ((n = getline(&line, &cap, f)) > 0 && !L->failed) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n)
			continue;
		sb_reset(&row);
		json_t *obj = NULL;
		char **fields = NULL;
		bool *quoted = NULL;
		int nf = 0;
		if (!strcmp(fmt, "json")) {
			json_error_t je;
			obj = json_loads(line, 0, &je);
			if (!obj || !json_is_object(obj)) {
				ferr_add(L->e, EX_IO, "Failed to deserialize JSON '%s'.", line);
				L->failed = true;
				json_decref(obj);
				break;
			}
		} else if (!strcmp(fmt, "raw")) {
			nf = 1;
			fields = xmalloc(sizeof(char *));
			fields[0] = xstrdup(line);
			quoted = xcalloc(1, sizeof(bool));
			quoted[0] = true;
		} else {
			nf = csv_fields(line, delim, &fields, &quoted);
		}
		int fi = 0;
		bool first = true;
		for (int c = 0; c < t->ncols; c++) {
			const struct fcol *col = &t->cols[c];
			if (col->kind == COL_COMPUTED)
				continue;
			if (!first)
				sb_adds(&row, ", ");
			first = false;
			if (col->kind == COL_META) {
				sb_adds(&row, "NULL");
				continue;
			}
			json_t *pv = json_object_get(parts, col->name);
			bool is_part = false;
			for (int k = 0; k < t->npart; k++)
				is_part = is_part || !strcmp(t->part[k], col->name);
			if (is_part) {
				sql_text(&row, pv ? json_string_value(pv) : NULL, true, col->type);
				continue;
			}
			if (obj)
				sql_value(&row, json_object_get(obj, col->name), col->type);
			else
				sql_text(&row, fi < nf ? fields[fi] : NULL, fi < nf && quoted[fi], col->type);
			fi++;
		}
		for (int k = 0; k < nf; k++)
			free(fields[k]);
		free(fields);
		free(quoted);
		json_decref(obj);
		add_row(L, row.buf, 0, (*pidx)++);
	}
	sb_release(&row);
	free(line);
	fclose(f);
	json_decref(parts);
}

/* datagen: a repeatable pseudo-random stream per table, column and row */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void load_datagen(struct loader *L)
{
	struct scan *sc = L->sc;
	const struct tdef *t = sc->t;
	const struct fopt *o = sc->opts;
	int no = sc->nopts;
	long long rows = -1;
	const char *nr = fopt_get(o, no, "number-of-rows");
	if (nr)
		rows = atoll(nr);
	char k[300];
	for (int i = 0; i < t->ncols; i++) {
		snprintf(k, sizeof(k), "fields.%s.kind", t->cols[i].name);
		const char *kind = fopt_get(o, no, k);
		if (kind && !strcmp(kind, "sequence")) {
			snprintf(k, sizeof(k), "fields.%s.start", t->cols[i].name);
			long long s = atoll(fopt_get(o, no, k));
			snprintf(k, sizeof(k), "fields.%s.end", t->cols[i].name);
			long long e = atoll(fopt_get(o, no, k));
			long long cnt = e >= s ? e - s + 1 : 0;
			if (rows < 0 || cnt < rows)
				rows = cnt;
		}
	}
	if (rows < 0) {
		/* unbounded: what rows-per-second has produced since the query started, capped */
		const char *rps = fopt_get(o, no, "rows-per-second");
		long long r = rps ? atoll(rps) : 10000;
		long long el = now_ms() - sc->start_ms;
		rows = r * el / 1000;
		if (rows > 1000)
			rows = 1000;
	}
	uint64_t seed = hash_bytes(sc->ident, strlen(sc->ident));
	long long now = now_ms();
	struct sb row = SB_INIT;
	for (long long r = 0; r < rows && !L->failed; r++) {
		sb_reset(&row);
		bool first = true;
		for (int i = 0; i < t->ncols; i++) {
			const struct fcol *col = &t->cols[i];
			if (col->kind == COL_COMPUTED)
				continue;
			if (!first)
				sb_adds(&row, ", ");
			first = false;
			if (col->kind == COL_META) {
				sb_adds(&row, "NULL");
				continue;
			}
			uint64_t h = mix(seed ^ mix((uint64_t)i * 0x9e3779b97f4a7c15ULL) ^ mix((uint64_t)r + 1));
			snprintf(k, sizeof(k), "fields.%s.kind", col->name);
			const char *kind = fopt_get(o, no, k);
			snprintf(k, sizeof(k), "fields.%s.null-rate", col->name);
			const char *nrate = fopt_get(o, no, k);
			if (nrate && (double)(h % 10000) / 10000.0 < atof(nrate)) {
				sb_adds(&row, "NULL");
				continue;
			}
			h = mix(h);
			struct sb dt = SB_INIT;
			ft_duck(&dt, col->type);
			if (kind && !strcmp(kind, "sequence")) {
				snprintf(k, sizeof(k), "fields.%s.start", col->name);
				long long s = atoll(fopt_get(o, no, k));
				sb_addf(&row, "CAST(%lld AS %s)", s + r, dt.buf);
			} else {
				const struct ftype *ty = col->type;
				snprintf(k, sizeof(k), "fields.%s.min", col->name);
				const char *mn = fopt_get(o, no, k);
				snprintf(k, sizeof(k), "fields.%s.max", col->name);
				const char *mx = fopt_get(o, no, k);
				if (ft_is_integer(ty)) {
					long long lo = mn ? atoll(mn) : ty->root == FT_TINYINT ? -128 : ty->root == FT_SMALLINT ? -32768 :
						ty->root == FT_INTEGER ? -2147483648LL : -4611686018427387904LL;
					long long hi = mx ? atoll(mx) : ty->root == FT_TINYINT ? 127 : ty->root == FT_SMALLINT ? 32767 :
						ty->root == FT_INTEGER ? 2147483647LL : 4611686018427387903LL;
					unsigned long long span = (unsigned long long)(hi - lo) + 1ULL;
					long long v = lo + (long long)(span ? h % span : h);
					sb_addf(&row, "CAST(%lld AS %s)", v, dt.buf);
				} else if (ft_is_numeric(ty)) {
					double lo = mn ? atof(mn) : 0, hi = mx ? atof(mx) : 1000000;
					double v = lo + (hi - lo) * ((double)(h >> 11) / 9007199254740992.0);
					sb_addf(&row, "CAST(%.6f AS %s)", v, dt.buf);
				} else if (ty->root == FT_BOOLEAN) {
					sb_adds(&row, h & 1 ? "TRUE" : "FALSE");
				} else if (ft_is_string(ty)) {
					snprintf(k, sizeof(k), "fields.%s.length", col->name);
					const char *ln = fopt_get(o, no, k);
					int len = ln ? atoi(ln) : 100;
					if (ty->len < len)
						len = ty->len;
					snprintf(k, sizeof(k), "fields.%s.var-len", col->name);
					const char *vl = fopt_get(o, no, k);
					if (vl && !strcmp(vl, "true") && len > 0)
						len = 1 + (int)(h % (uint64_t)len);
					sb_addc(&row, '\'');
					uint64_t x = h;
					for (int c = 0; c < len; c++) {
						x = mix(x + (uint64_t)c);
						sb_addc(&row, "0123456789abcdef"[x & 15]);
					}
					sb_addc(&row, '\'');
				} else if (ft_is_timestamp(ty) || ty->root == FT_DATE || ty->root == FT_TIME) {
					snprintf(k, sizeof(k), "fields.%s.max-past", col->name);
					const char *mp = fopt_get(o, no, k);
					long long past = mp ? atoll(mp) : 0;
					long long ms = now - (past > 0 ? (long long)(h % (uint64_t)past) : 0);
					struct sb lit = SB_INIT;
					epoch_literal(&lit, ms);
					if (ty->root == FT_TIMESTAMP_LTZ)
						sb_adds(&row, lit.buf);
					else
						sb_addf(&row, "CAST(%s AS %s)", lit.buf, dt.buf);
					sb_release(&lit);
				} else {
					sb_adds(&row, "NULL");
				}
			}
			sb_release(&dt);
		}
		add_row(L, row.buf, 0, r);
	}
	sb_release(&row);
}

const char *conn_scan_key(struct scan *sc)
{
	const char *conn = fopt_get(sc->opts, sc->nopts, "connector");
	enum conn_kind k = conn_kind(conn);
	if (!sc->srckey) {
		struct sb key = SB_INIT;
		if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
			const char *topic = fopt_get(sc->opts, sc->nopts, "topic");
			sb_addf(&key, "topic:%s", topic ? topic : fopt_get(sc->opts, sc->nopts, "topic-pattern"));
		} else if (k == CN_FILESYSTEM) {
			struct arena a;
			arena_init(&a, 512);
			sb_addf(&key, "path:%s", fs_abspath(&a, fopt_get(sc->opts, sc->nopts, "path")));
			arena_release(&a);
		} else {
			sb_addf(&key, "gen:%s", sc->ident);
		}
		sc->srckey = arena_strdup(&sc->t->a, key.buf);
		sb_release(&key);
	}
	return sc->srckey;
}

int conn_load(struct fg_engine *e, struct duck *d, struct scan *sc, const char *tz, int scan_index, seqvec *seq,
	struct ferr *err)
{
	(void)tz;
	struct loader L = {0};
	L.d = d;
	L.sc = sc;
	L.ins = (struct sb)SB_INIT;
	L.scan_index = scan_index;
	L.seq = seq;
	L.e = err;
	const char *conn = fopt_get(sc->opts, sc->nopts, "connector");
	enum conn_kind k = conn_kind(conn);
	conn_scan_key(sc);
	struct sb q = SB_INIT;
	sb_addf(&q, "DELETE FROM \"%s_raw\"", sc->dname);
	int rc = duck_exec(d, q.buf, err);
	sb_release(&q);
	if (rc)
		return -1;
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
		const char *topic = fopt_get(sc->opts, sc->nopts, "topic");
		const char *pat = fopt_get(sc->opts, sc->nopts, "topic-pattern");
		if (topic) {
			/* 'topic' may list several topics separated by ';' */
			const char *p = topic;
			while (*p && !L.failed) {
				size_t n = strcspn(p, ";");
				char *one = xmalloc(n + 1);
				memcpy(one, p, n);
				one[n] = 0;
				if (*one)
					load_topic(e, &L, one, k == CN_UPSERT_KAFKA);
				free(one);
				p += n;
				if (*p == ';')
					p++;
			}
		} else if (pat) {
			regex_t re;
			struct sb anchored = SB_INIT;
			sb_addf(&anchored, "^(%s)$", pat);
			if (!regcomp(&re, anchored.buf, REG_EXTENDED | REG_NOSUB)) {
				struct sb dir = SB_INIT;
				sb_addf(&dir, "%s/topics", e->data_dir);
				DIR *dd = opendir(dir.buf);
				if (dd) {
					struct dirent *de;
					VEC(char *) names = {0};
					while ((de = readdir(dd))) {
						size_t nl = strlen(de->d_name);
						if (nl > 6 && !strcmp(de->d_name + nl - 6, ".jsonl") && !strstr(de->d_name, ".job-")) {
							char *nm = xstrdup(de->d_name);
							nm[nl - 6] = 0;
							if (!regexec(&re, nm, 0, NULL, 0))
								VEC_PUSH(&names, nm);
							else
								free(nm);
						}
					}
					closedir(dd);
					for (size_t i = 0; i < names.n; i++) {
						load_topic(e, &L, names.v[i], k == CN_UPSERT_KAFKA);
						free(names.v[i]);
					}
					VEC_FREE(&names);
				}
				sb_release(&dir);
				regfree(&re);
			}
			sb_release(&anchored);
		}
	} else if (k == CN_FILESYSTEM) {
		const char *path = fopt_get(sc->opts, sc->nopts, "path");
		long long idx = 0;
		if (fs_is_file(path)) {
			load_file(&L, path, "", &idx);
		} else {
			struct arena a;
			arena_init(&a, 4096);
			char **files;
			size_t nf;
			if (!fs_list(&a, path, NULL, &files, &nf)) {
				for (size_t i = 0; i < nf && !L.failed; i++) {
					const char *base = strrchr(files[i], '/');
					base = base ? base + 1 : files[i];
					if (base[0] == '_' || base[0] == '.')
						continue;
					char *full = fs_join(&a, path, files[i]);
					load_file(&L, full, files[i], &idx);
				}
			}
			arena_release(&a);
		}
	} else if (k == CN_DATAGEN) {
		load_datagen(&L);
	}
	flush(&L);
	sb_release(&L.ins);
	return L.failed ? -1 : 0;
}

/* ------------------------------------------------------------------ sinks */

char *conn_sink_key(struct fg_engine *e, const struct tdef *t)
{
	(void)e;
	const char *conn = tdef_opt(t, "connector");
	enum conn_kind k = conn_kind(conn);
	struct sb key = SB_INIT;
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
		sb_addf(&key, "topic:%s", tdef_opt(t, "topic"));
	} else if (k == CN_FILESYSTEM) {
		struct arena a;
		arena_init(&a, 512);
		sb_addf(&key, "path:%s", fs_abspath(&a, tdef_opt(t, "path")));
		arena_release(&a);
	} else {
		sb_release(&key);
		return NULL;
	}
	return sb_detach(&key, NULL);
}

void json_dump_typed(struct sb *o, json_t *v, const struct ftype *t)
{
	if (!v || json_is_null(v)) {
		sb_adds(o, "null");
		return;
	}
	if (t && t->root == FT_DECIMAL && json_is_string(v)) {
		sb_adds(o, json_string_value(v));
		return;
	}
	if (t && t->root == FT_DECIMAL && json_is_number(v)) {
		char buf[80];
		snprintf(buf, sizeof(buf), "%.*f", t->scale, json_number_value(v));
		sb_adds(o, buf);
		return;
	}
	if (json_is_real(v)) {
		/* the shortest text that reads back, with a ".0" for whole numbers, as Java prints a double */
		double d = json_real_value(v);
		char buf[64];
		for (int p = 15; p <= 17; p++) {
			snprintf(buf, sizeof(buf), "%.*g", p, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		if (!strpbrk(buf, ".eEn"))
			strcat(buf, ".0");
		sb_adds(o, buf);
		return;
	}
	if (json_is_array(v)) {
		sb_addc(o, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				sb_addc(o, ',');
			json_dump_typed(o, json_array_get(v, i), t && (t->root == FT_ARRAY || t->root == FT_MULTISET) ? t->elem : NULL);
		}
		sb_addc(o, ']');
		return;
	}
	if (json_is_object(v)) {
		sb_addc(o, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x) {
			if (!first)
				sb_addc(o, ',');
			first = false;
			json_t *ks = json_string(k);
			char *kt = json_dumps(ks, JSON_ENCODE_ANY);
			sb_adds(o, kt);
			free(kt);
			json_decref(ks);
			sb_addc(o, ':');
			const struct ftype *ft = NULL;
			if (t && t->root == FT_ROW)
				for (int f = 0; f < t->nfields; f++)
					if (!strcmp(t->fields[f].name, k))
						ft = t->fields[f].type;
			if (t && t->root == FT_MAP)
				ft = t->val;
			json_dump_typed(o, x, ft);
		}
		sb_addc(o, '}');
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	sb_adds(o, s);
	free(s);
}

/* a value of the gateway's JSON form as flink-json's SQL form writes it into a record */
static json_t *record_value(json_t *v, const struct ftype *t)
{
	if (!v || json_is_null(v))
		return json_null();
	if ((t->root == FT_TIMESTAMP || t->root == FT_TIMESTAMP_LTZ) && json_is_string(v)) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
		if (strlen(buf) > 10 && buf[10] == 'T')
			buf[10] = ' ';
		return json_string(buf);
	}
	return json_incref(v);
}

static void append_file(const char *path, const char *text)
{
	struct arena a;
	arena_init(&a, 256);
	fs_mkdir_p(fs_dirname(&a, path));
	arena_release(&a);
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void uuid_of(char *out, const char *job_id)
{
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", job_id, job_id + 8, job_id + 12, job_id + 16, job_id + 20);
}

static void csv_field(struct sb *o, json_t *v, const struct ftype *t)
{
	if (!v || json_is_null(v))
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char buf[64];
		if ((t->root == FT_TIMESTAMP || t->root == FT_TIMESTAMP_LTZ) && strlen(s) < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%s", s);
			if (strlen(buf) > 10 && buf[10] == 'T')
				buf[10] = ' ';
			size_t n = strlen(buf);
			if (n && buf[n - 1] == 'Z')
				buf[n - 1] = 0;
			s = buf;
		}
		if (strpbrk(s, ",\"\n\r") || !*s) {
			sb_addc(o, '"');
			for (; *s; s++) {
				if (*s == '"')
					sb_addc(o, '"');
				sb_addc(o, *s);
			}
			sb_addc(o, '"');
		} else {
			sb_adds(o, s);
		}
		return;
	}
	json_dump_typed(o, v, t);
}

int conn_write(struct fg_engine *e, const struct tdef *t, const char *job_id, json_t *changes, struct ftype **types,
	int ntypes, bool overwrite, struct ferr *err)
{
	(void)err;
	const char *conn = tdef_opt(t, "connector");
	enum conn_kind k = conn_kind(conn);
	/* the sink's persisted columns, in order: physical and non-virtual metadata */
	int idx[256];
	int n = 0;
	for (int i = 0; i < t->ncols && n < 256; i++)
		if (t->cols[i].kind == COL_PHYS || (t->cols[i].kind == COL_META && !t->cols[i].is_virtual))
			idx[n++] = i;
	if (ntypes < n)
		n = ntypes;
	struct sb out = SB_INIT;
	size_t ci;
	json_t *ch;
	long long now = now_ms();
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA) {
		bool upsert = k == CN_UPSERT_KAFKA;
		const char *keyfields = tdef_opt(t, "key.fields");
		const char *prefix = tdef_opt(t, "key.fields-prefix");
		const char *incl = tdef_opt(t, "value.fields-include");
		bool except_key = incl && !strcmp(incl, "EXCEPT_KEY");
		size_t plen = prefix ? strlen(prefix) : 0;
		json_array_foreach(changes, ci, ch) {
			const char *kind = json_string_value(json_object_get(ch, "kind"));
			json_t *fields = json_object_get(ch, "fields");
			if (!strcmp(kind, "UPDATE_BEFORE"))
				continue;
			bool del = !strcmp(kind, "DELETE");
			if (del && !upsert)
				continue;
			struct sb key = SB_INIT, val = SB_INIT;
			long long ts = now;
			bool has_key = false;
			sb_addc(&key, '{');
			sb_addc(&val, '{');
			bool kfirst = true, vfirst = true;
			for (int i = 0; i < n; i++) {
				const struct fcol *col = &t->cols[idx[i]];
				json_t *v = json_array_get(fields, (size_t)i);
				if (col->kind == COL_META) {
					const char *mk = col->meta_key ? col->meta_key : col->name;
					if (!strcmp(mk, "timestamp") && json_is_string(v)) {
						/* "yyyy-MM-ddTHH:mm:ss.SSSZ" in UTC (the sink plan writes LTZ in UTC) */
						struct tm tm = {0};
						int ms = 0;
						const char *s = json_string_value(v);
						if (sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
							&tm.tm_min, &tm.tm_sec) >= 6) {
							const char *dot = strchr(s, '.');
							if (dot) {
								char frac[4] = "000";
								for (int d = 0; d < 3 && isdigit((unsigned char)dot[1 + d]); d++)
									frac[d] = dot[1 + d];
								ms = atoi(frac);
							}
							tm.tm_year -= 1900;
							tm.tm_mon -= 1;
							ts = (long long)timegm(&tm) * 1000 + ms;
						}
					}
					continue;
				}
				bool is_key = upsert ? false : field_in_list(keyfields, col->name);
				if (upsert)
					for (int p = 0; p < t->npk; p++)
						is_key = is_key || !strcmp(t->pk[p], col->name);
				json_t *rv = record_value(v, types[i]);
				if (is_key) {
					const char *kn = col->name;
					if (prefix && !strncmp(kn, prefix, plen))
						kn += plen;
					json_t *ks = json_string(kn);
					char *kt = json_dumps(ks, JSON_ENCODE_ANY);
					sb_addf(&key, "%s%s:", kfirst ? "" : ",", kt);
					free(kt);
					json_decref(ks);
					json_dump_typed(&key, rv, types[i]);
					kfirst = false;
					has_key = true;
				}
				if (!is_key || !except_key) {
					json_t *ks = json_string(col->name);
					char *kt = json_dumps(ks, JSON_ENCODE_ANY);
					sb_addf(&val, "%s%s:", vfirst ? "" : ",", kt);
					free(kt);
					json_decref(ks);
					json_dump_typed(&val, rv, types[i]);
					vfirst = false;
				}
				json_decref(rv);
			}
			sb_addc(&key, '}');
			sb_addc(&val, '}');
			sb_addf(&out, "{\"key\":%s,\"value\":%s,\"timestamp\":%lld}\n", has_key ? key.buf : "null",
				del ? "null" : val.buf, ts);
			sb_release(&key);
			sb_release(&val);
		}
		if (out.len) {
			struct sb dir = SB_INIT;
			sb_addf(&dir, "%s/topics", e->data_dir);
			fs_mkdir_p(dir.buf);
			sb_release(&dir);
			char *path = topic_path(e, tdef_opt(t, "topic"), job_id);
			append_file(path, out.buf);
			free(path);
		}
	} else if (k == CN_FILESYSTEM) {
		const char *path = tdef_opt(t, "path");
		const char *fmt = tdef_opt(t, "format");
		const char *defname = tdef_opt(t, "partition.default-name");
		if (!defname)
			defname = "__DEFAULT_PARTITION__";
		if (overwrite && fs_is_dir(path)) {
			struct arena a;
			arena_init(&a, 4096);
			char **files;
			size_t nf;
			if (!fs_list(&a, path, NULL, &files, &nf))
				for (size_t i = 0; i < nf; i++)
					unlink(fs_join(&a, path, files[i]));
			arena_release(&a);
		}
		char uu[40];
		uuid_of(uu, job_id);
		json_t *byfile = json_object();
		json_array_foreach(changes, ci, ch) {
			json_t *fields = json_object_get(ch, "fields");
			struct sb dir = SB_INIT, line = SB_INIT;
			sb_adds(&dir, path);
			for (int p = 0; p < t->npart; p++) {
				for (int i = 0; i < n; i++) {
					if (strcmp(t->cols[idx[i]].name, t->part[p]))
						continue;
					json_t *v = json_array_get(fields, (size_t)i);
					struct sb pv = SB_INIT;
					if (!v || json_is_null(v))
						sb_adds(&pv, defname);
					else if (json_is_string(v))
						sb_adds(&pv, json_string_value(v));
					else
						json_dump_typed(&pv, v, types[i]);
					sb_addf(&dir, "/%s=%s", t->part[p], pv.buf);
					sb_release(&pv);
				}
			}
			bool first = true;
			if (fmt && !strcmp(fmt, "json"))
				sb_addc(&line, '{');
			for (int i = 0; i < n; i++) {
				const struct fcol *col = &t->cols[idx[i]];
				bool is_part = false;
				for (int p = 0; p < t->npart; p++)
					is_part = is_part || !strcmp(t->part[p], col->name);
				if (is_part || col->kind != COL_PHYS)
					continue;
				json_t *v = json_array_get(fields, (size_t)i);
				if (fmt && !strcmp(fmt, "json")) {
					json_t *ks = json_string(col->name);
					char *kt = json_dumps(ks, JSON_ENCODE_ANY);
					sb_addf(&line, "%s%s:", first ? "" : ",", kt);
					free(kt);
					json_decref(ks);
					json_t *rv = record_value(v, types[i]);
					json_dump_typed(&line, rv, types[i]);
					json_decref(rv);
				} else if (fmt && !strcmp(fmt, "raw")) {
					if (v && json_is_string(v))
						sb_adds(&line, json_string_value(v));
				} else {
					if (!first)
						sb_addc(&line, ',');
					csv_field(&line, v, types[i]);
				}
				first = false;
			}
			if (fmt && !strcmp(fmt, "json"))
				sb_addc(&line, '}');
			sb_addc(&line, '\n');
			sb_addf(&dir, "/part-%s-0-0", uu);
			json_t *acc = json_object_get(byfile, dir.buf);
			struct sb all = SB_INIT;
			if (acc)
				sb_adds(&all, json_string_value(acc));
			sb_adds(&all, line.buf);
			json_object_set_new(byfile, dir.buf, json_string(all.buf));
			sb_release(&all);
			sb_release(&dir);
			sb_release(&line);
		}
		const char *fk;
		json_t *fv;
		json_object_foreach(byfile, fk, fv) append_file(fk, json_string_value(fv));
		json_decref(byfile);
	} else if (k == CN_PRINT) {
		const char *pid = tdef_opt(t, "print-identifier");
		json_array_foreach(changes, ci, ch) {
			const char *kind = json_string_value(json_object_get(ch, "kind"));
			const char *sk = !strcmp(kind, "INSERT") ? "+I" : !strcmp(kind, "DELETE") ? "-D" :
				!strcmp(kind, "UPDATE_BEFORE") ? "-U" : "+U";
			if (pid)
				sb_addf(&out, "%s> ", pid);
			sb_addf(&out, "%s[", sk);
			json_t *fields = json_object_get(ch, "fields");
			for (size_t i = 0; i < json_array_size(fields); i++) {
				json_t *v = json_array_get(fields, i);
				if (i)
					sb_adds(&out, ", ");
				if (json_is_string(v))
					sb_adds(&out, json_string_value(v));
				else if (json_is_null(v))
					sb_adds(&out, "null");
				else
					json_dump_typed(&out, v, (int)i < ntypes ? types[i] : NULL);
			}
			sb_adds(&out, "]\n");
		}
		if (out.len) {
			struct sb p = SB_INIT;
			sb_addf(&p, "%s/print/%s.%s.%s.out", e->data_dir, t->cat, t->db, t->name);
			append_file(p.buf, out.buf);
			sb_release(&p);
		}
	}
	sb_release(&out);
	return 0;
}

char *fg_rows_json(const json_t *columns, const json_t *rows)
{
	struct arena a;
	arena_init(&a, 1024);
	size_t nc = json_array_size(columns);
	struct ftype **t = ARENA_ARRAY(&a, struct ftype *, nc + 1);
	for (size_t i = 0; i < nc; i++)
		t[i] = ft_from_json(&a, json_object_get(json_array_get(columns, i), "logicalType"));
	struct sb o = SB_INIT;
	sb_addc(&o, '[');
	for (size_t r = 0; r < json_array_size(rows); r++) {
		json_t *row = json_array_get(rows, r);
		json_t *kind = json_object_get(row, "kind"), *fields = json_object_get(row, "fields");
		char *k = json_dumps(kind, JSON_ENCODE_ANY);
		sb_addf(&o, "%s{\"kind\":%s,\"fields\":[", r ? "," : "", k ? k : "\"INSERT\"");
		free(k);
		for (size_t i = 0; i < json_array_size(fields); i++) {
			if (i)
				sb_addc(&o, ',');
			json_dump_typed(&o, json_array_get(fields, i), i < nc ? t[i] : NULL);
		}
		sb_adds(&o, "]}");
	}
	sb_addc(&o, ']');
	arena_release(&a);
	return sb_detach(&o, NULL);
}
