/*
 * File-system helpers. Paths are plain C strings; results that outlive the call are allocated in the
 * arena given. Errors return -1 with errno set; the caller reports them with the path.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_FS_H
#define SLUICE_CORE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* Reads a whole file into the arena, NUL-terminated; NULL on error (errno set). The file is an
 * input of the load being recorded (core/inputs.h), if any. */
char *fs_read(struct arena *a, const char *path, size_t *plen);
/* The same for a file that is no input of the load (a cache's own side file) */
char *fs_read_unrecorded(struct arena *a, const char *path, size_t *plen);
/* A file's modification time in nanoseconds, as the parse caches compare it */
struct stat;
int64_t fs_mtime_ns(const struct stat *st);
/* Writes atomically: a temporary file beside `path`, then rename(). Creates parent folders. */
int fs_write(const char *path, const void *data, size_t len);
/* The same, of parts written one after the other */
struct fs_part {
	const void *data;
	size_t len;
};
int fs_write_parts(const char *path, const struct fs_part *parts, size_t nparts);
/* All of data[0..len) to an open file, however many write() calls it takes; 0, or -1 with errno */
int fs_write_fd(int fd, const void *data, size_t len);
/* Writes in place (no temporary file): for the many small files of compiled SQL, where creating
 * and renaming a temporary file for each costs more than the write. A file that already holds the
 * same bytes is not written again. */
int fs_write_direct(const char *path, const void *data, size_t len);
int fs_mkdir_p(const char *path);
int fs_rm_rf(const char *path);
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);
/* "a" + "b" -> "a/b" (no doubled slash; an absolute b wins) */
char *fs_join(struct arena *a, const char *dir, const char *name);
/* Parent folder ("a/b/c" -> "a/b", "c" -> ".") */
char *fs_dirname(struct arena *a, const char *path);
/* Last component without the extension ("a/b/orders.sql" -> "orders") */
char *fs_stem(struct arena *a, const char *path);
/* Absolute, normalised path (no symlink resolution needed) */
char *fs_abspath(struct arena *a, const char *path);

/*
 * Lists regular files under `dir` (recursively) whose names end with one of `exts` (NULL-terminated
 * list, e.g. {".sql", NULL}; NULL lists all), as paths relative to `dir`, sorted bytewise so that
 * every run sees the same order. Hidden entries (starting with '.') are skipped. Symbolic links
 * are followed, except one back to a folder the walk is inside (so a link loop ends the walk there).
 * Returns 0 and sets *pfiles and *pn (arena-allocated); a missing dir gives 0 files.
 */
int fs_list(struct arena *a, const char *dir, const char *const *exts, char ***pfiles, size_t *pn);

/* Path of the running executable (for finding installed data); NULL if unknown */
char *fs_self_exe(struct arena *a);

#endif
