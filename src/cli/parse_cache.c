/*
 * The parse cache (dbt's partial parsing, its safe half): target/partial_parse.sluice records every
 * input of the last full `sluice parse` (core/inputs.h: the files read, the folders listed, the paths
 * probed, the environment variables looked up), the key of everything else a parse depends on (this
 * binary and its version, the working folder, the options, the DBT_* environment) and the
 * manifest.json it wrote. When nothing of it changed, the next `sluice parse` writes the same
 * manifest again with a new generated_at and invocation_id, without parsing; any change, and any
 * doubt (a cache that does not read back whole, another version, a manifest touched since, a file
 * changed in the same instant it was read), means a full parse that writes a new cache.
 *
 * A file whose size, mtime and inode are as recorded is taken as unchanged, as git's index does;
 * one whose stat differs, or that changed less than a second before the recorded parse began (its
 * mtime cannot tell a later change in the same tick), is hashed again and compared. A folder is
 * listed again when its mtime says entries may have come or gone.
 *
 * File format, text, one record a line, the path last (a path holding a newline is never cached):
 *   sluice-partial-parse 2 / version V / exe SIZE MTIME INO / key HASH / start NS / found TEXT /
 *   K SIZE MTIME INO HASH PATH ... / end HASH / manifest SIZE MTIME INO OFFSET CHECK
 * where the end line hashes every byte before it, OFFSET is where the manifest's metadata ends, and
 * CHECK hashes the end line and the manifest line up to it. The manifest line comes last, so that
 * an unchanged project's parse, which writes manifest.json again, rewrites that line alone in place
 * (a torn write fails its CHECK) rather than the whole cache: the cache is a megabyte at 10,000
 * models, and on a virtual machine each page of it written or copied costs a page fault.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/fs.h"
#include "core/inputs.h"
#include "core/log.h"
#include "core/report.h"
#include "core/sb.h"
#include "dbt/context.h"

#define CACHE_NAME "partial_parse.sluice"
#define CACHE_MAGIC "sluice-partial-parse 2"
#define RACY_NS 1000000000LL

extern char **environ;

/* The input records of the snapshot the last load was read from (cli_snapshot_find), for the
 * parse cache that `sluice parse` then writes */
static struct {
	char *text;
	size_t len;
	int64_t started;
} served_records;

static bool env_false(const char *v)
{
	return v && (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "n") ||
		     !strcasecmp(v, "f") || !strcasecmp(v, "off"));
}

/* A dbt boolean flag: the option when given (1 or 0), else its environment variable, else the
 * project's flags: entry, else dflt */
static bool bool_flag(int given, const char *env_name, struct project *p, const char *key, bool dflt)
{
	if (given >= 0)
		return given == 1;
	const char *env = getenv(env_name);
	if (env && *env)
		return !env_false(env);
	value flags = p && p->yml.type == V_DICT ? val_dict_gets(p->yml, "flags") : val_undef();
	value v = flags.type == V_DICT ? val_dict_gets(flags, key) : val_undef();
	if (v.type == V_BOOL)
		return v.b;
	if (v.type == V_STR)
		return !env_false(val_cstr(&p->arena, v));
	return dflt;
}

bool cli_partial_parse_on(const struct cli *c, struct project *p)
{
	return bool_flag(c->partial_parse, "DBT_PARTIAL_PARSE", p, "partial_parse", true);
}

bool cli_write_json(const struct cli *c, struct project *p)
{
	return bool_flag(c->write_json, "DBT_WRITE_JSON", p, "write_json", true);
}

static void key_str(uint64_t *h, const char *s)
{
	*h = inputs_hash(h, sizeof(*h)) ^ (s ? inputs_hash(s, strlen(s)) : 0x5bd1e995);
}

/* Everything a parse depends on besides its recorded inputs; without `with_flags`, the options
 * that reach a load only as the `flags` templates read (dbt/flags.c) are left out */
static uint64_t load_key(const struct cli *c, bool with_flags)
{
	struct proj_options o;
	cli_proj_options(c, &o, false);
	uint64_t h = 0;
	char cwd[4096];
	key_str(&h, getcwd(cwd, sizeof(cwd)) ? cwd : NULL);
	key_str(&h, o.project_dir);
	key_str(&h, o.profiles_dir);
	key_str(&h, o.profile);
	key_str(&h, o.target);
	key_str(&h, o.target_path);
	key_str(&h, o.vars);
	/* not --threads: a load does not depend on it (dbt/context.c, target_value) */
	int nums[] = {o.no_version_check};
	h = inputs_hash(&h, sizeof(h)) ^ inputs_hash(nums, sizeof(nums));
	if (with_flags) {
		key_str(&h, c->log_format);
		int flags[] = {c->full_refresh, c->fail_fast, c->empty, c->defer && !c->no_defer, c->favor_state, c->debug,
			       c->store_failures};
		h = inputs_hash(&h, sizeof(h)) ^ inputs_hash(flags, sizeof(flags));
	}
	/* DBT_* (DBT_PROFILES_DIR, DBT_ENV_CUSTOM_ENV_*, ...), in any order */
	uint64_t env = 0;
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "DBT_", 4) && strncmp(*e, "DBT_PARTIAL_PARSE=", 18))
			env += inputs_hash(*e, strlen(*e)) | 1;
	return inputs_hash(&h, sizeof(h)) ^ env;
}

static uint64_t cache_key(const struct cli *c)
{
	return load_key(c, true);
}

static bool exe_stat(struct stat *st)
{
	return stat("/proc/self/exe", st) == 0;
}

/* Where the manifest's metadata dict ends: manifest.json opens {"metadata": {...}, "nodes": {,
 * and a quote inside a JSON string is always escaped, so the first `}, "nodes": ` is that end */
static long metadata_end(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	static const char head[] = "{\"metadata\": {";
	if (strncmp(buf, head, sizeof(head) - 1))
		return -1;
	const char *e = strstr(buf, "}, \"nodes\": {");
	return e ? (long)(e - buf) + 1 : -1;
}

static const char *cache_path(struct project *p)
{
	return arena_sprintf(&p->arena, "%s/" CACHE_NAME, p->target_path);
}

void cli_parse_cache_remove(struct project *p)
{
	if (p->target_path)
		unlink(cache_path(p));
}

/* Appends the manifest line; end_at: where the end line before it starts */
static void add_manifest_line(struct sb *s, size_t end_at, const struct stat *mst, long off)
{
	sb_addf(s, "manifest %" PRId64 " %" PRId64 " %" PRIu64 " %ld ", (int64_t)mst->st_size, fs_mtime_ns(mst),
		(uint64_t)mst->st_ino, off);
	sb_addf(s, "%016" PRIx64 "\n", inputs_hash(s->buf + end_at, s->len - end_at));
}

static int cmp_input(const void *x, const void *y)
{
	const struct input *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	return memcmp(&a->size, &b->size, sizeof(*a) - offsetof(struct input, size) - sizeof(a->path));
}

/* The inputs' records, sorted, one a line; -1 when a path holds a newline */
static int input_records(struct sb *list, struct input *in, size_t nin)
{
	if (nin > 1)
		qsort(in, nin, sizeof(*in), cmp_input);
	for (size_t i = 0; i < nin; i++) {
		if (i && !cmp_input(&in[i - 1], &in[i]))
			continue;
		if (strchr(in[i].path, '\n'))
			return -1;
		sb_addf(list, "%c %" PRId64 " %" PRId64 " %" PRIu64 " %016" PRIx64 " %s\n", in[i].kind, in[i].size,
			in[i].mtime_ns, in[i].ino, in[i].hash, in[i].path);
	}
	return 0;
}

static bool read_record(const char *line, char *kind, int64_t *size, int64_t *m, uint64_t *ino, uint64_t *hash,
			const char **path);

/* What a load from the snapshot read, for the caches it writes: the snapshot's own records (its
 * load read everything) with what this load read over them (the files of models parsed again) */
static struct input *merged_inputs(const struct input *in, size_t nin, size_t *pn)
{
	size_t cap = nin + 64, n = 0;
	struct input *v = xcalloc(cap, sizeof(*v));
	struct map at = MAP_INIT;  /* "K path" -> index + 1 */
	struct arena keys;
	arena_init(&keys, 64 * 1024);
	struct sb key = SB_INIT;
	for (const char *cur = served_records.text, *end = cur + served_records.len; cur < end;) {
		const char *nl = memchr(cur, '\n', (size_t)(end - cur));
		size_t len = nl ? (size_t)(nl - cur) : (size_t)(end - cur);
		char *line = xmalloc(len + 1);
		memcpy(line, cur, len);
		line[len] = '\0';
		cur += len + 1;
		struct input r;
		const char *path;
		if (read_record(line, &r.kind, &r.size, &r.mtime_ns, &r.ino, &r.hash, &path)) {
			if (n == cap)
				v = xrealloc(v, (cap *= 2) * sizeof(*v));
			r.path = xstrdup(path);
			v[n++] = r;
		}
		free(line);
	}
	for (size_t i = 0; i < n; i++) {
		sb_reset(&key);
		sb_addf(&key, "%c %s", v[i].kind, v[i].path);
		map_put(&at, arena_strndup(&keys, key.buf, key.len), key.len, (void *)(uintptr_t)(i + 1));
	}
	for (size_t i = 0; i < nin; i++) {
		sb_reset(&key);
		sb_addf(&key, "%c %s", in[i].kind, in[i].path);
		uintptr_t j = (uintptr_t)map_get(&at, key.buf, key.len);
		struct input r = in[i];
		r.path = xstrdup(in[i].path);
		if (j) {
			free(v[j - 1].path);
			v[j - 1] = r;
		} else {
			if (n == cap)
				v = xrealloc(v, (cap *= 2) * sizeof(*v));
			v[n++] = r;
		}
	}
	map_release(&at);
	arena_release(&keys);
	sb_release(&key);
	*pn = n;
	return v;
}

void cli_parse_cache_save(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns)
{
	const char *path = cache_path(p);
	const char *manifest = arena_sprintf(&p->arena, "%s/manifest.json", p->target_path);
	struct stat est, mst;
	long off = metadata_end(manifest);
	if (!exe_stat(&est) || stat(manifest, &mst) < 0 || off < 0) {
		unlink(path);
		return;
	}
	struct sb list = SB_INIT;
	/* a load from the snapshot read little but what comes before the node phases: the inputs are
	 * the ones the snapshot recorded, as of its start (those of models parsed again replaced) */
	size_t nmerged = 0;
	struct input *merged = p->from_snapshot && served_records.text ? merged_inputs(in, nin, &nmerged) : NULL;
	if (merged)
		started_ns = served_records.started;
	int lrc = p->from_snapshot && !merged ? -1 : merged ? input_records(&list, merged, nmerged) : input_records(&list, in, nin);
	inputs_free(merged, nmerged);
	if (lrc < 0) {
		sb_release(&list);
		unlink(path);
		return;
	}
	struct sb found = SB_INIT;
	cli_found_text(p, &found);
	struct sb s = SB_INIT;
	sb_addf(&s, CACHE_MAGIC "\nversion %s\nexe %" PRId64 " %" PRId64 " %" PRIu64 "\nkey %016" PRIx64
		"\nstart %" PRId64 "\n",
		SLUICE_VERSION, (int64_t)est.st_size, fs_mtime_ns(&est), (uint64_t)est.st_ino, cache_key(c), started_ns);
	sb_addf(&s, "found %s\n", found.buf);
	sb_add(&s, list.buf, list.len);
	size_t end_at = s.len;
	sb_addf(&s, "end %016" PRIx64 "\n", inputs_hash(s.buf, s.len));
	add_manifest_line(&s, end_at, &mst, off);
	if (fs_write(path, s.buf, s.len) < 0)
		log_msg(LOG_WARN, "cannot write the parse cache '%s': %s", path, strerror(errno));
	sb_release(&s);
	sb_release(&found);
	sb_release(&list);
}

/* --- serving ------------------------------------------------------------------------------- */

/* stat(2) of the recorded inputs through an open handle of each one's folder: they are sorted by
 * path, so runs of them share a folder, and the kernel then looks up one name a file instead of
 * every component of its path (a third of an unchanged project's check, 10,000 files deep in
 * models/) */
struct dir_cursor {
	char dir[4096];
	size_t len;
	int fd;
};

static int stat_at(struct dir_cursor *dc, const char *path, struct stat *st)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;
	if (!dl || dl >= sizeof(dc->dir))
		return stat(path, st);
	if (dc->fd < 0 || dl != dc->len || memcmp(dc->dir, path, dl)) {
		if (dc->fd >= 0)
			close(dc->fd);
		memcpy(dc->dir, path, dl);
		dc->dir[dl] = '\0';
		dc->len = dl;
		dc->fd = open(dc->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dc->fd < 0)
			return stat(path, st);
	}
	return fstatat(dc->fd, slash + 1, st, 0);
}

/* One input's record, "K size mtime inode hash path", as cli_parse_cache_save writes it (sscanf
 * took a tenth of an unchanged project's check) */
static bool read_record(const char *line, char *kind, int64_t *size, int64_t *m, uint64_t *ino, uint64_t *hash,
			const char **path)
{
	if (!line[0] || line[1] != ' ')
		return false;
	*kind = line[0];
	const char *q = line + 2;
	char *end;
	if (!isdigit((unsigned char)*q))
		return false;
	*size = strtoll(q, &end, 10);
	if (end == q || *end != ' ')
		return false;
	*m = strtoll(q = end + 1, &end, 10);
	if (end == q || *end != ' ')
		return false;
	*ino = strtoull(q = end + 1, &end, 10);
	if (end == q || *end != ' ')
		return false;
	*hash = strtoull(q = end + 1, &end, 16);
	if (end == q || *end != ' ' || !end[1])
		return false;
	*path = end + 1;
	return true;
}

/* Whether one recorded input is as it was; started: when the recorded parse began */
static bool input_unchanged(struct dir_cursor *dc, char kind, int64_t size, int64_t mt, uint64_t ino, uint64_t hash,
			    const char *path, int64_t started)
{
	struct stat st;
	if (kind == INPUT_ENV) {
		const char *v = getenv(path);
		return (v != NULL) == (size != 0) && (!v || inputs_hash(v, strlen(v)) == hash);
	}
	bool found = stat_at(dc, path, &st) == 0;
	if (kind == INPUT_PROBE)
		return (found ? (int64_t)(st.st_mode & S_IFMT) : 0) == size;
	if (!found)
		return false;
	bool same_stat = fs_mtime_ns(&st) == mt && (uint64_t)st.st_ino == ino && mt < started - RACY_NS;
	if (kind == INPUT_DIR)
		return S_ISDIR(st.st_mode) && (same_stat || inputs_dir_hash(path) == hash);
	if (kind != INPUT_FILE || !S_ISREG(st.st_mode) || st.st_size != size)
		return false;
	if (same_stat)
		return true;
	struct arena a;
	arena_init(&a, 4096);
	size_t len = 0;
	char *text = fs_read(&a, path, &len);
	bool same = text && (int64_t)len == size && inputs_hash(text, len) == hash;
	arena_release(&a);
	return same;
}

/* Copies [off, end) of the file `from` to fd */
static int copy_rest(int fd, const char *from, long off, int64_t size)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	loff_t pos = off;
	int64_t left = size - off;
	while (left > 0) {
		ssize_t n = copy_file_range(in, &pos, fd, NULL, (size_t)left, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
				break;
			close(in);
			return -1;
		}
		left -= n;
	}
	char buf[1 << 16];
	while (left > 0) {
		ssize_t n = pread(in, buf, sizeof(buf), pos);
		if (n <= 0 || write(fd, buf, (size_t)n) != n) {
			close(in);
			return -1;
		}
		pos += n;
		left -= n;
	}
	close(in);
	return 0;
}

/* manifest.json again, its metadata with a new generated_at and invocation_id; 0 with *new_off
 * where the metadata ends now, or -1 */
static int restamp(struct project *p, const char *manifest, long off, int64_t size, long *new_off)
{
	char *head = arena_alloc(&p->arena, (size_t)off + 1);
	int fd = open(manifest, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, head, (size_t)off);
	close(fd);
	static const char open_meta[] = "{\"metadata\": ";
	value meta;
	char *err = NULL;
	if (n != off || val_from_json(&p->arena, head + sizeof(open_meta) - 1, (size_t)off - (sizeof(open_meta) - 1), &meta,
				      &err) < 0 ||
	    meta.type != V_DICT)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	size_t wl = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + wl, sizeof(when) - wl, ".%06ldZ", ts.tv_nsec / 1000);
	val_dict_sets(meta, "generated_at", val_str(when));
	val_dict_sets(meta, "invocation_id", val_str(p->invocation_id));
	struct sb s = SB_INIT;
	sb_adds(&s, open_meta);
	if (val_to_json(&s, meta, 0, 0) < 0) {
		sb_release(&s);
		return -1;
	}
	log_redact(s.buf);
	s.len = strlen(s.buf);
	*new_off = (long)s.len;
	if ((long)s.len == off) {
		/* the usual case, the stamps as long as before: those bytes alone are written again (one
		 * page, in place); the rest of the file is already what a parse would write */
		fd = open(manifest, O_WRONLY | O_CLOEXEC);
		int rc = fd >= 0 && pwrite(fd, s.buf, s.len, 0) == (ssize_t)s.len ? 0 : -1;
		if (fd >= 0 && close(fd) < 0)
			rc = -1;
		sb_release(&s);
		return rc;
	}
	char *tmp = arena_sprintf(&p->arena, "%s.tmp.%ld", manifest, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int rc = fd < 0 ? -1 : 0;
	if (rc == 0 && (write(fd, s.buf, s.len) != (ssize_t)s.len || copy_rest(fd, manifest, off, size) < 0))
		rc = -1;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, manifest) < 0)
		rc = -1;
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	sb_release(&s);
	return rc;
}

/* The next line of the mapped cache, [*cur, '\n'); false when none ends before `end` */
static bool next_line(const char **cur, const char *end, const char **line, size_t *len)
{
	const char *nl = *cur < end ? memchr(*cur, '\n', (size_t)(end - *cur)) : NULL;
	if (!nl)
		return false;
	*line = *cur;
	*len = (size_t)(nl - *cur);
	*cur = nl + 1;
	return true;
}

/* The next line as a C string in buf; false at the end or when it does not fit */
static bool next_str(const char **cur, const char *end, char *buf, size_t size)
{
	const char *line;
	size_t len;
	if (!next_line(cur, end, &line, &len) || len >= size)
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return true;
}

/* The head both the cache and the snapshot open with (magic, version, exe, key, start), from *pcur:
 * NULL with the recorded start, or why it does not hold */
static const char check_head_unreadable[] = "the cache does not read back whole";

static const char *check_head(const char **pcur, const char *end, const char *magic, uint64_t key, int64_t *pstarted)
{
	static const char *const unreadable = check_head_unreadable;
	char buf[512];
	struct stat est;
	int64_t es, em;
	uint64_t ei, k;
	if (!next_str(pcur, end, buf, sizeof(buf)) || strcmp(buf, magic))
		return unreadable;
	if (!next_str(pcur, end, buf, sizeof(buf)) || strncmp(buf, "version ", 8) || strcmp(buf + 8, SLUICE_VERSION))
		return "it was written by another version of sluice";
	if (!next_str(pcur, end, buf, sizeof(buf)) ||
	    sscanf(buf, "exe %" SCNd64 " %" SCNd64 " %" SCNu64, &es, &em, &ei) != 3 || !exe_stat(&est) ||
	    est.st_size != es || fs_mtime_ns(&est) != em || (uint64_t)est.st_ino != ei)
		return "it was written by another sluice binary";
	if (!next_str(pcur, end, buf, sizeof(buf)) || sscanf(buf, "key %" SCNx64, &k) != 1 || k != key)
		return "the command's options, its folder or a DBT_ environment variable changed";
	if (!next_str(pcur, end, buf, sizeof(buf)) || sscanf(buf, "start %" SCNd64, pstarted) != 1)
		return unreadable;
	return NULL;
}

/* Why a recorded input that changed keeps the cache from serving */
static const char *changed_why(char kind, const char *path, struct arena *a)
{
	return kind == INPUT_ENV ? arena_sprintf(a, "the environment variable %s changed", path)
	       : kind == INPUT_DIR ? arena_sprintf(a, "files were added to or removed from '%s'", path)
				   : arena_sprintf(a, "'%s' changed", path);
}

/* At most this many changed files are parsed again alone; more, and the whole project is */
#define MAX_REPARSED 64

/* Whether a changed file may be one a partial parse parses again alone: a model's or singular
 * test's .sql file, or a properties file (project/reparse.c judges) */
static bool reparsable(const char *path)
{
	size_t n = strlen(path);
	return (n > 4 && !strcmp(path + n - 4, ".sql")) || (n > 4 && !strcmp(path + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(path + n - 5, ".yaml"));
}

/* Checks the input records in [cur, end) against the files and environment now: NULL when all
 * hold, else why not. With pchanged, a .sql or properties file whose text changed is collected
 * there instead, up to MAX_REPARSED of them. */
static const char *check_inputs(const char *cur, const char *end, int64_t started, const char ***pchanged,
				size_t *pnchanged, struct arena *a, const char *unreadable)
{
	char buf[4096 + 128];
	struct dir_cursor dc = {.fd = -1};
	const char *why = NULL;
	while (!why && cur < end) {
		char kind;
		int64_t size, m;
		uint64_t ino, hash;
		const char *path;
		if (!next_str(&cur, end, buf, sizeof(buf)) || !read_record(buf, &kind, &size, &m, &ino, &hash, &path) ||
		    !strchr("FDPE", kind))
			why = unreadable;
		else if (input_unchanged(&dc, kind, size, m, ino, hash, path, started))
			continue;
		else if (pchanged && kind == INPUT_FILE && reparsable(path) && *pnchanged < MAX_REPARSED &&
			 access(path, R_OK) == 0) {
			if (!*pchanged)
				*pchanged = arena_alloc(a, MAX_REPARSED * sizeof(char *));
			(*pchanged)[(*pnchanged)++] = arena_strdup(a, path);
		} else {
			why = pchanged && kind == INPUT_FILE && *pnchanged == MAX_REPARSED
				      ? arena_sprintf(a, "more than %d .sql and properties files changed", MAX_REPARSED)
				      : changed_why(kind, path, a);
		}
	}
	if (dc.fd >= 0)
		close(dc.fd);
	return why;
}

/* What cache_valid found in a cache that holds */
struct cache_view {
	char *found;	  /* the found line's text */
	size_t end_at;	  /* where the end line starts */
	size_t mline_at;  /* where the manifest line starts */
	int64_t msize;	  /* manifest.json's size */
	long moff;	  /* where its metadata ends */
	ino_t ino;	  /* the cache file's */
};

/* Checks the cache's text (mapped, never written) and every input it records; NULL when all hold,
 * else why not */
static const char *cache_valid(const struct cli *c, const char *manifest, const char *text, size_t len,
			       struct cache_view *v, struct arena *a)
{
	static const char *const unreadable = "the cache does not read back whole";
	static const char magic[] = CACHE_MAGIC "\nversion ";
	size_t vl = strlen(SLUICE_VERSION);
	if (len > sizeof(magic) + vl && !memcmp(text, magic, sizeof(magic) - 1) &&
	    (memcmp(text + sizeof(magic) - 1, SLUICE_VERSION, vl) || text[sizeof(magic) - 1 + vl] != '\n'))
		return "it was written by another version of sluice";
	/* the last line is the manifest's, the one before it the end line */
	if (len < 2 || text[len - 1] != '\n')
		return unreadable;
	const char *nl = memrchr(text, '\n', len - 1);
	if (!nl || nl == text)
		return unreadable;
	const char *mline = nl + 1;
	nl = memrchr(text, '\n', (size_t)(mline - 1 - text));
	if (!nl)
		return unreadable;
	const char *eline = nl + 1;
	size_t body = (size_t)(eline - text);
	char want[32];
	int wl = snprintf(want, sizeof(want), "end %016" PRIx64 "\n", inputs_hash(text, body));
	if ((size_t)(mline - eline) != (size_t)wl || memcmp(eline, want, (size_t)wl))
		return unreadable;
	char buf[4096 + 128];
	const char *cur = mline;
	int64_t mt;
	uint64_t mi, check;
	int at = -1;
	if (!next_str(&cur, text + len, buf, sizeof(buf)) ||
	    sscanf(buf, "manifest %" SCNd64 " %" SCNd64 " %" SCNu64 " %ld %n%" SCNx64, &v->msize, &mt, &mi, &v->moff, &at,
		   &check) != 5 ||
	    at < 0 || check != inputs_hash(eline, (size_t)(mline - eline) + (size_t)at))
		return unreadable;
	v->end_at = body;
	v->mline_at = (size_t)(mline - text);
	/* the head: magic, version, exe, key, start, found */
	cur = text;
	const char *end = eline;
	int64_t started;
	const char *bad = check_head(&cur, end, CACHE_MAGIC, cache_key(c), &started);
	if (bad)
		return bad;
	struct stat mst;
	if (stat(manifest, &mst) < 0 || mst.st_size != v->msize || fs_mtime_ns(&mst) != mt || (uint64_t)mst.st_ino != mi ||
	    v->moff <= 0 || v->moff >= v->msize)
		return "target/manifest.json changed since it was written";
	if (!next_str(&cur, end, buf, sizeof(buf)) || strncmp(buf, "found ", 6))
		return unreadable;
	v->found = arena_strdup(a, buf + 6);
	/* the inputs, each copied out to end in a NUL */
	return check_inputs(cur, end, started, NULL, NULL, a, unreadable);
}

/* The cache's manifest line again, naming the manifest just written (its end line as it was): in
 * place, cut to its new length; 0, or -1 */
static int restamp_cache(const char *path, const char *text, const struct cache_view *v, const char *manifest,
			 long moff)
{
	struct stat mst;
	if (stat(manifest, &mst) < 0)
		return -1;
	struct sb s = SB_INIT;
	size_t elen = v->mline_at - v->end_at;
	sb_add(&s, text + v->end_at, elen);
	add_manifest_line(&s, 0, &mst, moff);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	struct stat cst;
	size_t n = s.len - elen;
	int rc = fd >= 0 && fstat(fd, &cst) == 0 ? 0 : -1;
	/* the file checked, not one that a parse running beside this one put in its place (that one
	 * stays: it names a manifest this parse has since stamped again, so it will not serve) */
	if (rc == 0 && cst.st_ino == v->ino &&
	    (pwrite(fd, s.buf + elen, n, (off_t)v->mline_at) != (ssize_t)n ||
	     ftruncate(fd, (off_t)(v->mline_at + n)) < 0))
		rc = -1;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	sb_release(&s);
	return rc;
}

int cli_parse_cache_serve(struct cli *c)
{
	struct proj_options o;
	cli_proj_options(c, &o, false);
	o.project_only = true;
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	int served = 0;
	/* the files this look registers go again after it: their texts go with its project */
	uint32_t files0 = diag_file_count();
	char *text = MAP_FAILED;
	size_t len = 0;
	/* serving rewrites the manifest's metadata: not without --write-json */
	if (proj_load(&p, &o, &dl) < 0 || !cli_partial_parse_on(c, &p) || !cli_write_json(c, &p))
		goto out;
	const char *path = cache_path(&p);
	const char *manifest = arena_sprintf(&p.arena, "%s/manifest.json", p.target_path);
	/* mapped rather than read: its pages come straight from the page cache, none copied */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat cst;
	if (fd < 0)
		goto out;
	if (fstat(fd, &cst) == 0 && cst.st_size > 0) {
		len = (size_t)cst.st_size;
		text = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	}
	close(fd);
	if (text == MAP_FAILED)
		goto out;
	bool logged = p.log_path && fs_mkdir_p(p.log_path) == 0 &&
		      log_open(arena_sprintf(&p.arena, "%s/sluice.log", p.log_path)) == 0;
	struct cache_view v = {.ino = cst.st_ino};
	const char *why = cache_valid(c, manifest, text, len, &v, &p.arena);
	if (why) {
		if (logged)
			log_msg(LOG_INFO, "Unable to do partial parsing because %s: parsing the whole project", why);
		goto out;
	}
	report_setup(cli_color(c), !strcmp(c->log_format, "json"), NULL);
	report_set_quiet(c->quiet);
	if (!c->quiet)
		report_line("MainReportVersion", "Running with sluice=%s", SLUICE_VERSION);
	report_setup(cli_color(c), !strcmp(c->log_format, "json"), p.invocation_id);
	if (logged)
		log_msg(LOG_INFO, "sluice %s: %s (invocation %s): nothing changed since the last parse, its manifest kept",
			SLUICE_VERSION, c->command, p.invocation_id);
	long moff = 0;
	if (restamp(&p, manifest, v.moff, v.msize, &moff) < 0) {
		log_msg(LOG_WARN, "parse cache: cannot rewrite '%s' (%s), parsing the project", manifest, strerror(errno));
		goto out;
	}
	if (restamp_cache(path, text, &v, manifest, moff) < 0)
		unlink(path);
	if (!c->quiet) {
		report_line("FoundStats", "%s", v.found);
		report_line("ParseDone", "Wrote %s", "target/manifest.json");
	}
	served = 1;
out:
	if (text != MAP_FAILED)
		munmap(text, len);
	proj_release(&p);
	diag_list_release(&dl);
	diag_files_truncate(files0);
	return served;
}

/* --- the project snapshot ------------------------------------------------------------------
 *
 * A snapshot holds what a full load's node phases built (see project/snapshot.c), after a head
 * that records that load's inputs as the parse cache does:
 *   sluice-snapshot 1 / version V / exe SIZE MTIME INO / key HASH / start NS /
 *   K SIZE MTIME INO HASH PATH ... / end HASH / payload / the payload's bytes
 * When every input is as recorded, the next load reads its nodes from the snapshot instead of
 * finding, reading, rendering and resolving them again; when only .sql and properties files
 * changed, the loader may parse them again alone (project/reparse.c).
 *
 * Its file is target/partial_parse.KEY.snapshot, KEY the hash of what the load depended on besides
 * its inputs. The command and its flags reach a load only through the `flags` templates read
 * (dbt/flags.c): the key of a load that read none leaves them out, so one snapshot serves every
 * command run with the same options (`run`, then `test`, then `run` again each find it); a load
 * that read a flag is keyed on both. A load looks for the first kind, then the second. Other
 * options (--vars, --target, ...) give other keys, so each set keeps its snapshot; the newest
 * SNAP_KEEP are kept.
 */
#define SNAP_MAGIC "sluice-snapshot 1"
#define SNAP_KEEP 4

enum snap_scope { SNAP_SHARED, SNAP_COMMAND };

/* The scope of the snapshot the load was read from: a snapshot written after it (once enough
 * models were parsed again) holds nodes of that load too, and keeps its scope */
static enum snap_scope served_scope = SNAP_SHARED;

static uint64_t snapshot_key(const struct cli *c, enum snap_scope scope)
{
	uint64_t h = load_key(c, scope == SNAP_COMMAND);
	if (scope == SNAP_COMMAND)
		key_str(&h, c->command);
	return h;
}

static const char *snapshot_path(struct project *p, uint64_t key)
{
	return arena_sprintf(&p->arena, "%s/partial_parse.%016" PRIx64 ".snapshot", p->target_path, key);
}

void cli_snapshot_remove(struct project *p, const struct cli *c)
{
	if (p->target_path) {
		unlink(snapshot_path(p, snapshot_key(c, SNAP_SHARED)));
		unlink(snapshot_path(p, snapshot_key(c, SNAP_COMMAND)));
	}
}

/* The snapshots other than the newest SNAP_KEEP are removed */
static void prune_snapshots(const char *target)
{
	DIR *d = opendir(target);
	if (!d)
		return;
	struct snap_file {
		char name[64];
		int64_t mtime;
	} keep[SNAP_KEEP + 1];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		if (len >= sizeof(keep[0].name) || strncmp(e->d_name, "partial_parse.", 14) ||
		    len < 9 || strcmp(e->d_name + len - 9, ".snapshot") || fstatat(dirfd(d), e->d_name, &st, 0) < 0)
			continue;
		/* into the newest-first list (n <= SNAP_KEEP here); the oldest of one too many goes */
		size_t i = n++;
		for (; i > 0 && keep[i - 1].mtime < fs_mtime_ns(&st); i--)
			keep[i] = keep[i - 1];
		memcpy(keep[i].name, e->d_name, len + 1);  /* len < sizeof(name), checked above */
		keep[i].mtime = fs_mtime_ns(&st);
		if (n > SNAP_KEEP)
			unlinkat(dirfd(d), keep[--n].name, 0);
	}
	closedir(d);
}

/* The snapshot's sink: the open temporary file */
static int write_all(void *ud, const void *data, size_t len)
{
	return fs_write_fd(*(int *)ud, data, len);
}

void cli_snapshot_save(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns)
{
	enum snap_scope scope = dbt_flags_were_read() || (p->from_snapshot && served_scope == SNAP_COMMAND)
					? SNAP_COMMAND
					: SNAP_SHARED;
	uint64_t key = snapshot_key(c, scope);
	const char *path = snapshot_path(p, key);
	struct stat est;
	double t0 = proj_cpu_s();
	if (!exe_stat(&est)) {
		unlink(path);
		return;
	}
	size_t nmerged = 0;
	struct input *merged = p->from_snapshot && served_records.text ? merged_inputs(in, nin, &nmerged) : NULL;
	if (merged) {
		in = merged;
		nin = nmerged;
		started_ns = served_records.started;
	}
	struct sb s = SB_INIT;
	sb_addf(&s, SNAP_MAGIC "\nversion %s\nexe %" PRId64 " %" PRId64 " %" PRIu64 "\nkey %016" PRIx64 "\nstart %" PRId64
		"\n",
		SLUICE_VERSION, (int64_t)est.st_size, fs_mtime_ns(&est), (uint64_t)est.st_ino, key, started_ns);
	char *tmp = arena_sprintf(&p->arena, "%s.tmp.%ld", path, (long)getpid());
	int fd = -1, rc = -1;
	/* (nor a secret in the inputs' paths) */
	if (input_records(&s, in, nin) == 0 && !log_has_secret(s.buf, s.len) && fs_mkdir_p(p->target_path) == 0 &&
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) >= 0) {
		sb_addf(&s, "end %016" PRIx64 "\npayload\n", inputs_hash(s.buf, s.len));
		rc = write_all(&fd, s.buf, s.len);
		if (rc == 0)
			rc = proj_snapshot_write(p, write_all, &fd);
		if (close(fd) < 0 && rc == 0)
			rc = -2;
		if (rc == 0 && rename(tmp, path) < 0)
			rc = -2;
		if (rc == -2)
			log_msg(LOG_WARN, "cannot write the project snapshot '%s': %s", path, strerror(errno));
		if (rc < 0)
			unlink(tmp);
	}
	if (rc < 0)
		unlink(path);
	/* the other kind of this load's, if any, is stale, or would be looked at first for nothing */
	unlink(snapshot_path(p, snapshot_key(c, scope == SNAP_SHARED ? SNAP_COMMAND : SNAP_SHARED)));
	prune_snapshots(p->target_path);
	proj_timing("snapshot (CPU time): %.3fs", proj_cpu_s() - t0);
	sb_release(&s);
	inputs_free(merged, nmerged);
}

/*
 * The snapshot is written by a child process, while the command goes on: a copy of the process
 * that sees the project as loaded whatever the command does next (runs write their compiled code
 * into the nodes, on several threads), and costs the command nothing but the fork. The command
 * waits for it before it exits, so that the next command finds the snapshot whole.
 */
static pid_t snapshot_writer;

static void wait_snapshot_writer(void)
{
	if (snapshot_writer > 0) {
		while (waitpid(snapshot_writer, NULL, 0) < 0 && errno == EINTR)
			;
		snapshot_writer = 0;
	}
}

/* A new snapshot's id: unique enough that no other snapshot of the project has it */
static uint64_t new_snapshot_id(void)
{
	uint64_t id = 0;
	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t seed[] = {ts.tv_sec, ts.tv_nsec, getpid()};
		id = inputs_hash(seed, sizeof(seed));
	}
	return id ? id : 1;
}

void cli_snapshot_save_behind(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns)
{
	static bool registered;
	/* the id is the parent's too: the manifest it writes names the nodes of that snapshot */
	p->snapshot_id = new_snapshot_id();
	wait_snapshot_writer();
	fflush(NULL);  /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid == 0) {
		cli_snapshot_save(c, p, in, nin, started_ns);
		_exit(0);
	}
	if (pid < 0) {
		cli_snapshot_save(c, p, in, nin, started_ns);
		return;
	}
	snapshot_writer = pid;
	if (!registered)
		registered = atexit(wait_snapshot_writer) == 0;
}

/* Checks the mapped snapshot's head and every input it records; NULL with the payload's place
 * when all hold but .sql and properties files whose text changed (*pchanged, for the loader to
 * judge), else why not */
static const char *snapshot_valid(uint64_t key, const char *text, size_t len,
				  const char **ppayload, size_t *plen, const char **precords, size_t *precords_len,
				  int64_t *pstarted, const char ***pchanged, size_t *pnchanged, struct arena *a)
{
	static const char *const unreadable = "the snapshot does not read back whole";
	const char *cur = text, *end = text + len;
	char buf[4096 + 128];
	int64_t started;
	const char *bad = check_head(&cur, end, SNAP_MAGIC, key, &started);
	if (bad)
		return bad == check_head_unreadable ? unreadable : bad;
	/* the inputs up to the end line, which hashes everything before it */
	const char *records = cur, *eline = NULL;
	for (const char *q = cur; q < end;) {
		const char *line;
		size_t n;
		if (!next_line(&q, end, &line, &n))
			return unreadable;
		if (n > 4 && !memcmp(line, "end ", 4)) {
			eline = line;
			cur = q;
			break;
		}
	}
	if (!eline)
		return unreadable;
	char want[32];
	int wl = snprintf(want, sizeof(want), "end %016" PRIx64 "\n", inputs_hash(text, (size_t)(eline - text)));
	/* the payload carries its own checksum and end mark, which the loader checks (the file is
	 * renamed into place whole; reading it checks every bound besides) */
	if ((size_t)(cur - eline) != (size_t)wl || memcmp(eline, want, (size_t)wl) ||
	    !next_str(&cur, end, buf, sizeof(buf)) || strcmp(buf, "payload"))
		return unreadable;
	*ppayload = cur;
	*plen = (size_t)(end - cur);
	*precords = records;
	*precords_len = (size_t)(eline - records);
	*pstarted = started;
	return check_inputs(records, eline, started, pchanged, pnchanged, a, unreadable);
}

/* What cli_snapshot_find found, for the log (which opens once the project is loaded) */
static char snapshot_note[1200];

void cli_snapshot_log_note(const struct project *p)
{
	if (p->snapshot_refused)
		log_msg(LOG_INFO, "Unable to do partial parsing because %s: parsing the whole project", p->snapshot_refused);
	else if (snapshot_note[0])
		log_msg(LOG_INFO, "%s", snapshot_note);
	snapshot_note[0] = '\0';
}

/* Maps the snapshot of `scope` and checks it: 1 when it serves this load (the payload's place
 * and the files changed since in the out-parameters), else 0 with snapshot_note saying why not
 * (left as it was when there is no such file) */
static int snapshot_try(struct project *p, const struct cli *c, enum snap_scope scope, const void **pdata,
			size_t *plen, const char *const **pchanged, size_t *pnchanged)
{
	uint64_t key = snapshot_key(c, scope);
	const char *path = snapshot_path(p, key);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	char *text = MAP_FAILED;
	size_t len = 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		len = (size_t)st.st_size;
		text = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	}
	close(fd);
	if (text == MAP_FAILED)
		return 0;
	const char *payload = NULL, *records = NULL;
	size_t plen_ = 0, rlen = 0;
	int64_t started = 0;
	const char **changed = NULL;
	size_t nchanged = 0;
	const char *why =
		snapshot_valid(key, text, len, &payload, &plen_, &records, &rlen, &started, &changed, &nchanged, &p->arena);
	if (why) {
		snprintf(snapshot_note, sizeof(snapshot_note),
			 "Unable to do partial parsing because %s: parsing the whole project", why);
		munmap(text, len);
		return 0;
	}
	/* kept mapped: the nodes' strings point into it */
	if (nchanged)
		snprintf(snapshot_note, sizeof(snapshot_note),
			 "%zu file%s changed since the last load (%s%s): %s nodes parsed again, the other nodes read from '%s'",
			 nchanged, nchanged == 1 ? "" : "s", changed[0], nchanged > 1 ? ", ..." : "",
			 nchanged == 1 ? "its" : "their", path);
	else
		snprintf(snapshot_note, sizeof(snapshot_note),
			 "nothing the last load read has changed: its nodes are read from '%s'", path);
	*pchanged = changed;
	*pnchanged = nchanged;
	served_records.text = (char *)records;
	served_records.len = rlen;
	served_records.started = started;
	served_scope = scope;
	*pdata = payload;
	*plen = plen_;
	return 1;
}

int cli_snapshot_find(struct project *p, void *ud, const void **pdata, size_t *plen, const char *const **pchanged,
		      size_t *pnchanged)
{
	const struct cli *c = ud;
	*pdata = NULL;
	*pchanged = NULL;
	*pnchanged = 0;
	if (!cli_partial_parse_on(c, p) || !p->target_path)
		return 0;
	if (!snapshot_try(p, c, SNAP_SHARED, pdata, plen, pchanged, pnchanged))
		snapshot_try(p, c, SNAP_COMMAND, pdata, plen, pchanged, pnchanged);
	return 0;
}
