/*
 * What sluice deps fetches: hub index and package JSON and tarballs over HTTP(S) with libcurl
 * (retried a few times, as dbt retries registry requests), tarballs unpacked with libarchive
 * (entries that would land outside the destination are refused), and git run as a child process
 * with its output captured. Nothing here prints: failures come back as messages.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/sb.h"
#include "project/deps_internal.h"

#define HTTP_MAX_BODY (64u << 20)
#define GIT_OUTPUT_MAX (16u << 20)
#define HTTP_TRIES 3

static size_t to_sb(char *data, size_t size, size_t n, void *ud)
{
	return sb_add_capped(ud, data, size * n, HTTP_MAX_BODY) < 0 ? 0 : size * n;
}

static size_t to_file(char *data, size_t size, size_t n, void *ud)
{
	return fwrite(data, size, n, ud) * size;
}

static void pause_before_retry(int attempt)
{
	struct timespec ts = {0, 250000000L * attempt};
	nanosleep(&ts, NULL);
}

/* One GET; 0, or -1 with a message; *pretry says whether another attempt may succeed */
static int http_once(struct arena *a, const char *url, struct sb *body, FILE *f, char **perr, bool *pretry)
{
	CURL *c = curl_easy_init();
	if (!c) {
		*perr = arena_strdup(a, "cannot start an HTTP client");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sluice/" SLUICE_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (f) {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_file);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	} else {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_sb);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	}
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	*pretry = false;
	if (cc != CURLE_OK) {
		*perr = arena_strdup(a, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		*pretry = cc != CURLE_WRITE_ERROR && cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
		return -1;
	}
	if (status >= 400) {
		*perr = arena_sprintf(a, "HTTP status %ld", status);
		*pretry = status >= 500;
		return -1;
	}
	return 0;
}

int deps_http_get(struct arena *a, const char *url, char **pbody, size_t *plen, char **perr)
{
	struct sb body = SB_INIT;
	for (int attempt = 1;; attempt++) {
		bool retry;
		sb_reset(&body);
		if (http_once(a, url, &body, NULL, perr, &retry) == 0)
			break;
		if (!retry || attempt == HTTP_TRIES) {
			sb_release(&body);
			return -1;
		}
		pause_before_retry(attempt);
	}
	*plen = body.len;
	*pbody = sb_to_arena(&body, a);
	sb_release(&body);
	return 0;
}

int deps_http_download(struct arena *a, const char *url, const char *path, char **perr)
{
	for (int attempt = 1;; attempt++) {
		FILE *f = fopen(path, "wb");
		if (!f) {
			*perr = arena_sprintf(a, "cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		bool retry;
		int rc = http_once(a, url, NULL, f, perr, &retry);
		if (fclose(f) != 0 && rc == 0) {
			*perr = arena_sprintf(a, "cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		if (rc == 0)
			return 0;
		if (!retry || attempt == HTTP_TRIES)
			return -1;
		pause_before_retry(attempt);
	}
}

/* The first component of an archive path, and the rest */
static const char *strip_top(const char *path, size_t *ptop)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	size_t n = strcspn(path, "/");
	*ptop = n;
	return path[n] ? path + n + 1 : path + n;
}

static bool safe_rel(const char *rel)
{
	if (rel[0] == '/')
		return false;
	for (const char *s = rel; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		while (*s == '/')
			s++;
	}
	return true;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return ARCHIVE_OK;
		if (r < ARCHIVE_OK)
			return r;
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_OK)
			return ARCHIVE_FATAL;
	}
}

/* Whether every entry shares one top folder (dbt renames the archive's common prefix) */
static int common_top(struct arena *a, const char *archive, char **ptop, char **perr)
{
	struct archive *in = archive_read_new();
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	if (archive_read_open_filename(in, archive, 1 << 16) != ARCHIVE_OK) {
		*perr = arena_sprintf(a, "cannot read the package archive: %s", archive_error_string(in));
		archive_read_free(in);
		return -1;
	}
	struct archive_entry *e;
	char *top = NULL;
	bool one = true;
	int r;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		size_t n = strcspn(name, "/");
		if (!n)
			continue;
		if (!name[n] && archive_entry_filetype(e) != AE_IFDIR)
			one = false;  /* a file at the top: nothing to strip */
		if (!top)
			top = arena_strndup(a, name, n);
		else if (strlen(top) != n || strncmp(top, name, n))
			one = false;
	}
	if (r != ARCHIVE_EOF) {
		*perr = arena_sprintf(a, "the package archive is damaged: %s", archive_error_string(in));
		archive_read_free(in);
		return -1;
	}
	archive_read_free(in);
	*ptop = one ? top : NULL;
	return 0;
}

int deps_untar(struct arena *a, const char *archive, const char *dest, char **perr)
{
	char *top;
	if (common_top(a, archive, &top, perr) < 0)
		return -1;
	if (fs_mkdir_p(dest) < 0) {
		*perr = arena_sprintf(a, "cannot create '%s': %s", dest, strerror(errno));
		return -1;
	}
	struct archive *in = archive_read_new();
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	struct archive *out = archive_write_disk_new();
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						    ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	int rc = -1;
	/* entries are written relative to DEST, so that the symbolic-link check applies inside the
	 * package only (the command runs on one thread: changing folder is safe here) */
	int here = open(".", O_RDONLY | O_DIRECTORY);
	if (here < 0 || chdir(dest) < 0) {
		*perr = arena_sprintf(a, "cannot enter '%s': %s", dest, strerror(errno));
		goto out;
	}
	if (archive_read_open_filename(in, archive, 1 << 16) != ARCHIVE_OK) {
		*perr = arena_sprintf(a, "cannot read the package archive: %s", archive_error_string(in));
		goto out;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *name = arena_strdup(a, archive_entry_pathname(e));
		const char *rel = name;
		if (top) {
			size_t n;
			rel = strip_top(name, &n);
		}
		if (!*rel)
			continue;
		if (!safe_rel(rel)) {
			*perr = arena_sprintf(a, "the package archive holds a path outside its folder: '%s'", name);
			goto out;
		}
		archive_entry_set_pathname(e, rel);
		/* hard links inside the archive point at archive paths: move them the same way */
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			size_t n;
			const char *hrel = top ? strip_top(hl, &n) : hl;
			if (!safe_rel(hrel)) {
				*perr = arena_sprintf(a, "the package archive holds a link outside its folder: '%s'", name);
				goto out;
			}
			archive_entry_set_hardlink(e, hrel);
		}
		if (archive_write_header(out, e) < ARCHIVE_OK || copy_data(in, out) < ARCHIVE_OK ||
		    archive_write_finish_entry(out) < ARCHIVE_OK) {
			*perr = arena_sprintf(a, "cannot unpack '%s': %s", name,
					      archive_error_string(out) ? archive_error_string(out) : archive_error_string(in));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		*perr = arena_sprintf(a, "the package archive is damaged: %s", archive_error_string(in));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(in);
	archive_write_free(out);
	if (here >= 0) {
		if (fchdir(here) < 0 && rc == 0) {
			*perr = arena_sprintf(a, "cannot return to the working folder: %s", strerror(errno));
			rc = -1;
		}
		close(here);
	}
	return rc;
}

/* Reads the child's stdout and stderr until both close */
static void drain(int fo, int fe, struct sb *out, struct sb *err)
{
	struct pollfd pf[2] = {{fo, POLLIN, 0}, {fe, POLLIN, 0}};
	int open_fds = 2;
	char buf[8192];
	while (open_fds) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				/* what git prints past GIT_OUTPUT_MAX is dropped, not kept */
				if (sb_add_capped(i ? err : out, buf, (size_t)n, GIT_OUTPUT_MAX) < 0)
					continue;
			} else if (n == 0 || errno != EINTR) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
}

int deps_git(struct arena *a, const char *cwd, const char *const *argv, char **pout, char **perr)
{
	size_t n = 0;
	while (argv[n])
		n++;
	int po[2], pe[2];
	if (pipe(po) < 0)
		goto fail_start;
	if (pipe(pe) < 0) {
		close(po[0]);
		close(po[1]);
		goto fail_start;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		goto fail_start;
	}
	if (pid == 0) {
		const char *args[n + 2];
		args[0] = "git";
		memcpy(args + 1, argv, n * sizeof(*argv));
		args[n + 1] = NULL;
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		setenv("LC_ALL", "C", 1);
		setenv("GIT_TERMINAL_PROMPT", "0", 1);
		setenv("GIT_ASKPASS", "true", 1);
		execvp("git", (char *const *)args);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct sb out = SB_INIT, err = SB_INIT;
	drain(po[0], pe[0], &out, &err);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sb_rtrim(&out);
	sb_rtrim(&err);
	*pout = sb_to_arena(&out, a);
	*perr = sb_to_arena(&err, a);
	sb_release(&out);
	sb_release(&err);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !**pout && !**perr) {
		*perr = arena_strdup(a, "git is not installed (or not on PATH)");
		return -1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
fail_start:
	*pout = arena_strdup(a, "");
	*perr = arena_sprintf(a, "cannot run git: %s", strerror(errno));
	return -1;
}
