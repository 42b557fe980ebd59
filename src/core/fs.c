/* File-system helpers (see fs.h). */
#define _GNU_SOURCE
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/inputs.h"
#include "core/sb.h"
#include "core/vec.h"

/* A whole file, NUL-terminated, and the stat of it as read */
static char *read_whole(struct arena *a, const char *path, size_t *plen, struct stat *pst)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (!S_ISREG(st.st_mode))
			errno = EISDIR;
		close(fd);
		return NULL;
	}
	/* one byte more than the file's size, so that the read that meets the end of the file has
	 * room and the buffer is only grown when the file grew while we read it */
	size_t cap = (size_t)st.st_size + 1;
	char *buf = arena_alloc(a, cap + 1);
	size_t len = 0;
	for (;;) {
		if (len == cap) {
			buf = arena_realloc(a, buf, cap + 1, cap * 2 + 4097);
			cap = cap * 2 + 4096;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*pst = st;
	if (plen)
		*plen = len;
	return buf;
}

char *fs_read(struct arena *a, const char *path, size_t *plen)
{
	struct stat st;
	size_t len = 0;
	char *buf = read_whole(a, path, &len, &st);
	if (buf)
		inputs_file(path, &st, buf, len);
	if (plen)
		*plen = len;
	return buf;
}

char *fs_read_unrecorded(struct arena *a, const char *path, size_t *plen)
{
	struct stat st;
	return read_whole(a, path, plen, &st);
}

int64_t fs_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int fs_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int fs_write(const char *path, const void *data, size_t len)
{
	struct fs_part part = {data, len};
	return fs_write_parts(path, &part, 1);
}

int fs_write_fd(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fs_write_parts(const char *path, const struct fs_part *parts, size_t nparts)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (fs_mkdir_p(dir) < 0)
			return -1;
	}
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < nparts; i++) {
		if (fs_write_fd(fd, parts[i].data, parts[i].len) < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			errno = e;
			return -1;
		}
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* 1 when the open file fd holds exactly data[0..len) (compared up to 1 MiB), else 0 */
static int same_content(int fd, const struct stat *st, const void *data, size_t len)
{
	if (!S_ISREG(st->st_mode) || (size_t)st->st_size != len || len > (1u << 20))
		return 0;
	char stackbuf[16384];
	char *buf = len <= sizeof(stackbuf) ? stackbuf : xmalloc(len ? len : 1);
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	int same = got == len && memcmp(buf, data, len) == 0;
	if (buf != stackbuf)
		free(buf);
	return same;
}

/*
 * An existing file is overwritten in place and then cut to the new length, not truncated to zero
 * first: on ext4 a file truncated to zero and written again is flushed to disk on close
 * (auto_da_alloc), and freeing then reallocating its blocks costs more than the write; a recompile
 * rewrites thousands of these files. A file that already holds the same bytes is left as it is.
 */
int fs_write_direct(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 && errno == ENOENT) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (fs_mkdir_p(dir) < 0)
				return -1;
		}
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	}
	bool in_place = fd >= 0;
	if (fd < 0 && errno == EACCES) /* writable but not readable: as before, truncated */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	struct stat st;
	if (in_place && fstat(fd, &st) < 0)
		in_place = false;
	if (in_place && same_content(fd, &st, data, len))
		return close(fd);
	const char *p = data;
	size_t left = len;
	off_t at = 0;
	while (left) {
		ssize_t w = pwrite(fd, p, left, at);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		p += w;
		at += w;
		left -= (size_t)w;
	}
	if (in_place && st.st_size > (off_t)len && ftruncate(fd, (off_t)len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int fs_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (fs_rm_rf(sub) < 0)
			rc = -1;
	}
	closedir(d);
	if (rmdir(path) < 0)
		rc = -1;
	return rc;
}

bool fs_is_dir(const char *path)
{
	struct stat st;
	bool found = stat(path, &st) == 0;
	inputs_probe(path, found ? &st : NULL);
	return found && S_ISDIR(st.st_mode);
}

bool fs_is_file(const char *path)
{
	struct stat st;
	bool found = stat(path, &st) == 0;
	inputs_probe(path, found ? &st : NULL);
	return found && S_ISREG(st.st_mode);
}

char *fs_join(struct arena *a, const char *dir, const char *name)
{
	if (!dir || !*dir || name[0] == '/')
		return arena_strdup(a, name);
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (!strcmp(name, "."))
		return arena_strndup(a, dir, dl);
	if (dl == 1 && dir[0] == '.')
		return arena_strdup(a, name);
	return arena_sprintf(a, "%.*s/%s", (int)dl, dir, name);
}

char *fs_dirname(struct arena *a, const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return arena_strdup(a, ".");
	if (s == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(s - path));
}

char *fs_stem(struct arena *a, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	return arena_strndup(a, b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

char *fs_abspath(struct arena *a, const char *path)
{
	struct sb s = SB_INIT;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)))
			sb_adds(&s, cwd);
	}
	/* normalise component by component */
	char *out = arena_alloc(a, s.len + strlen(path) + 2);
	size_t on = 0;
	const char *parts[2] = {s.buf, path};
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];
		while (*p) {
			while (*p == '/')
				p++;
			const char *e = p;
			while (*e && *e != '/')
				e++;
			size_t n = (size_t)(e - p);
			if (n == 0 || (n == 1 && p[0] == '.')) {
				/* skip */
			} else if (n == 2 && p[0] == '.' && p[1] == '.') {
				while (on > 0 && out[on - 1] != '/')
					on--;
				if (on > 0)
					on--;
			} else {
				out[on++] = '/';
				memcpy(out + on, p, n);
				on += n;
			}
			p = e;
		}
	}
	if (on == 0)
		out[on++] = '/';
	out[on] = '\0';
	sb_release(&s);
	return out;
}

static bool has_ext(const char *name, const char *const *exts)
{
	if (!exts)
		return true;
	size_t n = strlen(name);
	for (; *exts; exts++) {
		size_t m = strlen(*exts);
		if (n >= m && !strcmp(name + n - m, *exts))
			return true;
	}
	return false;
}

typedef VEC(char *) strvec;

/* The folders from the walk's root down to the one being read, by device and inode: a symbolic
 * link to one of them (a folder linking back into itself) is not followed, so a walk always ends */
struct walk_up {
	dev_t dev;
	ino_t ino;
	const struct walk_up *up;
};

static int walk(struct arena *a, const char *root, const char *rel, const char *const *exts,
		strvec *out, const struct walk_up *up)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	struct stat st;
	if (stat(path, &st) < 0) {
		inputs_probe(path, NULL);
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	}
	for (const struct walk_up *w = up; w; w = w->up)
		if (w->dev == st.st_dev && w->ino == st.st_ino)
			return 0;
	struct walk_up here = {st.st_dev, st.st_ino, up};
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	struct dirent *e;
	int rc = 0;
	uint64_t entries = 1; /* inputs_dir_hash's sum */
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		bool isdir = e->d_type == DT_DIR;
		bool isreg = e->d_type == DT_REG;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
			char full[2 * PATH_MAX + 2];
			snprintf(full, sizeof(full), "%s/%s", root, sub);
			isdir = fs_is_dir(full);
			isreg = fs_is_file(full);
		}
		entries += inputs_entry_hash(e->d_name, isdir);
		if (isdir) {
			if (walk(a, root, sub, exts, out, &here) < 0)
				rc = -1;
		} else if (isreg && has_ext(e->d_name, exts)) {
			VEC_PUSH(out, arena_strdup(a, sub));
		}
	}
	closedir(d);
	inputs_dir(path, &st, entries);
	return rc;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int fs_list(struct arena *a, const char *dir, const char *const *exts, char ***pfiles, size_t *pn)
{
	strvec v = {0};
	int rc = walk(a, dir, "", exts, &v, NULL);
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(char *), cmp_str);
	char **files = ARENA_ARRAY(a, char *, v.n + 1);
	if (v.n)
		memcpy(files, v.v, v.n * sizeof(char *));
	*pfiles = files;
	*pn = v.n;
	VEC_FREE(&v);
	return rc;
}

char *fs_self_exe(struct arena *a)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	return arena_strndup(a, buf, (size_t)n);
}
