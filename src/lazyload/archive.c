/* libarchive, for `sluice deps` (package tarballs). Loaded on first use: see lazylib.h. */
#include "lazyload/lazylib.h"

#include <archive.h>
#include <archive_entry.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void */
#define LIBARCHIVE_FUNCTIONS(F, V, N) \
	F(mode_t, archive_entry_filetype, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_hardlink, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_pathname, (struct archive_entry *a0), (a0)) \
	V(archive_entry_set_hardlink, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	V(archive_entry_set_pathname, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	F(const char *, archive_error_string, (struct archive *a0), (a0)) \
	F(int, archive_read_data_block, \
		(struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3), \
		(a0, a1, a2, a3)) \
	F(int, archive_read_free, (struct archive *a0), (a0)) \
	F(struct archive *, archive_read_new, (void), ()) \
	F(int, archive_read_next_header, \
		(struct archive *a0, struct archive_entry **a1), \
		(a0, a1)) \
	F(int, archive_read_open_filename, \
		(struct archive *a0, const char *a1, size_t a2), \
		(a0, a1, a2)) \
	F(int, archive_read_support_filter_all, (struct archive *a0), (a0)) \
	F(int, archive_read_support_format_all, (struct archive *a0), (a0)) \
	F(la_ssize_t, archive_write_data_block, \
		(struct archive *a0, const void *a1, size_t a2, la_int64_t a3), \
		(a0, a1, a2, a3)) \
	F(struct archive *, archive_write_disk_new, (void), ()) \
	F(int, archive_write_disk_set_options, (struct archive *a0, int a1), (a0, a1)) \
	F(int, archive_write_finish_entry, (struct archive *a0), (a0)) \
	F(int, archive_write_free, (struct archive *a0), (a0)) \
	F(int, archive_write_header, (struct archive *a0, struct archive_entry *a1), (a0, a1))

LAZYLIB_DEFINE(LIBARCHIVE_FUNCTIONS, "libarchive.so.13", "libarchive")
