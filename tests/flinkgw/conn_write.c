/*
 * Writing to sinks: a job's changes as topic records (the job's own file of the topic; upsert-kafka
 * keys and tombstones), filesystem part files (csv or json, partition folders, INSERT OVERWRITE),
 * and print's +I[...] lines; blackhole discards. Also the JSON writer that keeps DECIMAL values at
 * their scale, which the sinks and the REST side's result rows (fg_rows_json) both use.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "fgi.h"

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

/* Appends text to a sink's file, its folders made first; 0, or -1 with the failure in err as a
 * job writing there would fail (java.io.IOException) */
static int append_file(const char *path, const char *text, struct ferr *err)
{
	struct arena a;
	arena_init(&a, 256);
	char *dir = fs_dirname(&a, path);
	int rc = fs_mkdir_p(dir);
	if (rc < 0)
		ferr_add(err, "java.io.IOException", "Mkdirs failed to create file:%s (exists=%s, cwd=file:/)", dir,
			 fs_is_file(dir) ? "true" : "false");
	arena_release(&a);
	FILE *f = rc < 0 ? NULL : fopen(path, "a");
	if (rc == 0 && !f) {
		ferr_add(err, "java.io.FileNotFoundException", "%s (%s)", path, strerror(errno));
		rc = -1;
	}
	if (f) {
		if (fputs(text, f) < 0 || fclose(f) != 0) {
			ferr_add(err, "java.io.IOException", "unable to write %s: %s", path, strerror(errno));
			rc = -1;
		}
	}
	return rc;
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

/* kafka, upsert-kafka: one JSON record a change ({key, value, timestamp}) appended to the topic's
 * file; updates keep their after-image, upsert-kafka writes deletes as tombstones */
static bool write_kafka(struct fg_engine *e, const struct tdef *t, const char *job_id, json_t *changes,
	struct ftype **types, const int *idx, int n, enum conn_kind k, struct ferr *err)
{
	bool failed = false;
	struct sb out = SB_INIT;
	size_t ci;
	json_t *ch;
	long long now = now_ms();
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
			bool is_key = upsert ? false : conn_field_in_list(keyfields, col->name);
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
		if (append_file(path, out.buf, err) < 0)
			failed = true;
		free(path);
	}
	sb_release(&out);
	return failed;
}

/* filesystem: a line a row, in csv, json or raw, in the part file of its partition's folder */
static bool write_files(const struct tdef *t, const char *job_id, json_t *changes, struct ftype **types,
	const int *idx, int n, bool overwrite, struct ferr *err)
{
	bool failed = false;
	size_t ci;
	json_t *ch;
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
	json_object_foreach(byfile, fk, fv)
	{
		if (!failed && append_file(fk, json_string_value(fv), err) < 0)
			failed = true;
	}
	json_decref(byfile);
	return failed;
}

/* print: each change as Flink's PrintSinkFunction prints it, to the table's .out file */
static bool write_print(struct fg_engine *e, const struct tdef *t, json_t *changes, struct ftype **types,
	int ntypes, struct ferr *err)
{
	bool failed = false;
	struct sb out = SB_INIT;
	size_t ci;
	json_t *ch;
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
		if (append_file(p.buf, out.buf, err) < 0)
			failed = true;
		sb_release(&p);
	}
	sb_release(&out);
	return failed;
}

int conn_write(struct fg_engine *e, const struct tdef *t, const char *job_id, json_t *changes, struct ftype **types,
	int ntypes, bool overwrite, struct ferr *err)
{
	bool failed = false;
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
	if (k == CN_KAFKA || k == CN_UPSERT_KAFKA)
		failed = write_kafka(e, t, job_id, changes, types, idx, n, k, err);
	else if (k == CN_FILESYSTEM)
		failed = write_files(t, job_id, changes, types, idx, n, overwrite, err);
	else if (k == CN_PRINT)
		failed = write_print(e, t, changes, types, ntypes, err);
	return failed ? -1 : 0;
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
