/*
 * Reading connector tables into DuckDB: values as DuckDB literals of their Flink type, then one
 * loader per connector family filling a scan's raw table with the current records, its
 * "__fg_seq" and the global order of records across sources. kafka / upsert-kafka read the topic
 * (startup and bounded modes, key fields, metadata columns, compaction by key), filesystem every
 * csv or json file under the path with its partition folders, datagen makes repeatable rows.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/fs.h"
#include "core/map.h"
#include "fgi.h"

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
	json_t *recs = topic_records(en, topic);
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
			bool is_key = upsert ? false : conn_field_in_list(keyfields, col->name);
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
