/* Recording of a load's inputs (see inputs.h). */
#define _GNU_SOURCE
#include "core/inputs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/log.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic bool recording;
static struct input *rec;
static size_t nrec, caprec;

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t inputs_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0x100000001b3ULL);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ mix(w + i)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	memcpy(&w, p + i, len - i);
	h = (h ^ mix(w + i + 1)) * 0x9e3779b97f4a7c15ULL;
	return mix(h);
}

uint64_t inputs_entry_hash(const char *name, bool isdir)
{
	return mix(inputs_hash(name, strlen(name)) + (isdir ? 1 : 2));
}

uint64_t inputs_dir_hash(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	uint64_t h = 1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		bool isdir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
			struct stat st;
			char *full = NULL;
			if (asprintf(&full, "%s/%s", path, e->d_name) < 0)
				die("out of memory");
			isdir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
			free(full);
		}
		h += inputs_entry_hash(e->d_name, isdir);
	}
	closedir(d);
	return h;
}

void inputs_begin(void)
{
	pthread_mutex_lock(&lock);
	recording = true;
	pthread_mutex_unlock(&lock);
}

bool inputs_recording(void)
{
	pthread_mutex_lock(&lock);
	bool r = recording;
	pthread_mutex_unlock(&lock);
	return r;
}

struct input *inputs_end(size_t *pn)
{
	pthread_mutex_lock(&lock);
	struct input *v = rec;
	*pn = nrec;
	rec = NULL;
	nrec = caprec = 0;
	recording = false;
	pthread_mutex_unlock(&lock);
	return v;
}

struct input *inputs_copy(size_t *pn)
{
	pthread_mutex_lock(&lock);
	struct input *v = xcalloc(nrec + 1, sizeof(*v));
	for (size_t i = 0; i < nrec; i++) {
		v[i] = rec[i];
		v[i].path = xstrdup(rec[i].path);
	}
	*pn = nrec;
	pthread_mutex_unlock(&lock);
	return v;
}

void inputs_free(struct input *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static void add(char kind, const char *path, int64_t size, int64_t mtime_ns, uint64_t ino, uint64_t hash)
{
	pthread_mutex_lock(&lock);
	if (recording) {
		if (nrec == caprec) {
			caprec = caprec ? caprec * 2 : 256;
			rec = xrealloc(rec, caprec * sizeof(*rec));
		}
		rec[nrec++] = (struct input){kind, size, mtime_ns, ino, hash, xstrdup(path)};
	}
	pthread_mutex_unlock(&lock);
}

void inputs_file(const char *path, const struct stat *st, const void *data, size_t len)
{
	if (!recording) /* only a hint: add() decides under the lock */
		return;
	add(INPUT_FILE, path, (int64_t)len, fs_mtime_ns(st), (uint64_t)st->st_ino, inputs_hash(data, len));
}

void inputs_dir(const char *path, const struct stat *st, uint64_t entries_hash)
{
	if (!recording)
		return;
	add(INPUT_DIR, path, 0, fs_mtime_ns(st), (uint64_t)st->st_ino, entries_hash);
}

void inputs_probe(const char *path, const struct stat *st)
{
	if (!recording)
		return;
	add(INPUT_PROBE, path, st ? (int64_t)(st->st_mode & S_IFMT) : 0, 0, 0, 0);
}

const char *inputs_getenv(const char *name)
{
	const char *v = getenv(name);
	if (recording)
		add(INPUT_ENV, name, v != NULL, 0, 0, v ? inputs_hash(v, strlen(v)) : 0);
	return v;
}

void inputs_listing(const char *path)
{
	if (!recording)
		return;
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		inputs_probe(path, stat(path, &st) == 0 ? &st : NULL);
		return;
	}
	inputs_dir(path, &st, inputs_dir_hash(path));
}
