/*
 * The inputs a project load read, recorded while it runs: every file read (with the stat it was read
 * under and a hash of its bytes), every folder listed (with a hash of its entries), every path probed
 * for existence, and every environment variable looked up by name. The parse cache keys a parse on
 * them: when none has changed, the parse would give the same result.
 *
 * Recording is off unless inputs_begin() turned it on; the hooks (called by fs.c and by env_var())
 * then cost one mutex and one append. Thread-safe: parsing threads record concurrently.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_INPUTS_H
#define SLUICE_CORE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum input_kind {
	INPUT_FILE = 'F',  /* read: size, mtime, inode, hash of the bytes */
	INPUT_DIR = 'D',   /* listed: mtime, inode, hash of the sorted entry names and kinds */
	INPUT_PROBE = 'P', /* stat()ed: its type (size = S_IFMT bits, 0 when absent) */
	INPUT_ENV = 'E',   /* getenv(): size = 1 when set, hash of the value (never the value) */
};

struct input {
	char kind;
	int64_t size, mtime_ns;
	uint64_t ino, hash;
	char *path;        /* malloc'd; the variable's name for INPUT_ENV */
};

/* A fast 64-bit hash of bytes (not cryptographic: it tells changed content from unchanged) */
uint64_t inputs_hash(const void *data, size_t len);
/* Hash of a folder's entries (names not starting with '.', each with whether it is a folder);
 * 0 and errno set when it cannot be read */
uint64_t inputs_dir_hash(const char *path);
/* One entry's share of a folder's hash: shares are added, so readdir's order does not matter */
uint64_t inputs_entry_hash(const char *name, bool isdir);

void inputs_begin(void);
bool inputs_recording(void);
/* Stops recording and hands over what was recorded (free with inputs_free) */
struct input *inputs_end(size_t *pn);
/* A copy of what was recorded so far, recording going on (free with inputs_free) */
struct input *inputs_copy(size_t *pn);
void inputs_free(struct input *v, size_t n);

/* The hooks */
void inputs_file(const char *path, const struct stat *st, const void *data, size_t len);
void inputs_dir(const char *path, const struct stat *st, uint64_t entries_hash);
void inputs_probe(const char *path, const struct stat *st); /* st NULL: absent */
/* A folder about to be listed by other means than fs_list (stat, then its entries' hash) */
void inputs_listing(const char *path);
/* getenv(name), recorded */
const char *inputs_getenv(const char *name);

#endif
