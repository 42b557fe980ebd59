/*
 * The topic files behind the kafka and upsert-kafka connectors: <data>/topics/<topic>.jsonl,
 * which tests write or append to, and one <topic>.job-<id>.jsonl per job that wrote to the topic,
 * kept apart so a running job's output can be recomputed without touching the records tests
 * wrote. A read merges them all by timestamp (then file, then line), and a record's offset is its
 * position in that order. Shared by the source loader, the sinks and the admin API.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "fgi.h"

/* ------------------------------------------------------------------ topics */

char *topic_path(struct fg_engine *e, const char *topic, const char *job)
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
