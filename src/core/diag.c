/*
 * Diagnostics (see diag.h). The file registry is an append-only array guarded by a mutex; the
 * line map of a file is built the first time a location in it is resolved.
 */
#include "core/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"

struct srcfile {
	char *path;
	const char *text;
	size_t len;
	uint32_t *lines;  /* byte offset of the start of each line */
	size_t nlines;
};

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct srcfile *files;
static size_t nfiles, capfiles;

uint32_t diag_file_add(const char *path, const char *text, size_t len)
{
	pthread_mutex_lock(&files_lock);
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 256;
		files = xrealloc(files, capfiles * sizeof(*files));
	}
	struct srcfile *f = &files[nfiles++];
	f->path = xstrdup(path);
	f->text = text;
	f->len = len;
	f->lines = NULL;
	f->nlines = 0;
	uint32_t id = (uint32_t)nfiles;
	pthread_mutex_unlock(&files_lock);
	return id;
}

void diag_files_release(void)
{
	pthread_mutex_lock(&files_lock);
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].path);
		free(files[i].lines);
	}
	free(files);
	files = NULL;
	nfiles = capfiles = 0;
	pthread_mutex_unlock(&files_lock);
}

void diag_files_truncate(uint32_t count)
{
	pthread_mutex_lock(&files_lock);
	while (nfiles > count) {
		nfiles--;
		free(files[nfiles].path);
		free(files[nfiles].lines);
	}
	pthread_mutex_unlock(&files_lock);
}

/* caller holds files_lock */
static struct srcfile *file_get(uint32_t id)
{
	if (id == 0 || id > nfiles)
		return NULL;
	struct srcfile *f = &files[id - 1];
	if (!f->lines && f->text) {
		size_t n = 1;
		for (size_t i = 0; i < f->len; i++)
			n += f->text[i] == '\n';
		f->lines = xmalloc(n * sizeof(uint32_t));
		f->lines[0] = 0;
		size_t k = 1;
		for (size_t i = 0; i < f->len; i++)
			if (f->text[i] == '\n')
				f->lines[k++] = (uint32_t)(i + 1);
		f->nlines = n;
	}
	return f;
}

uint32_t diag_file_count(void)
{
	pthread_mutex_lock(&files_lock);
	uint32_t n = (uint32_t)nfiles;
	pthread_mutex_unlock(&files_lock);
	return n;
}

const char *diag_file_path(uint32_t id)
{
	pthread_mutex_lock(&files_lock);
	const char *p = id && id <= nfiles ? files[id - 1].path : NULL;
	pthread_mutex_unlock(&files_lock);
	return p;
}

const char *diag_file_text(uint32_t id, size_t *plen)
{
	pthread_mutex_lock(&files_lock);
	const char *t = NULL;
	if (id && id <= nfiles) {
		t = files[id - 1].text;
		if (plen)
			*plen = files[id - 1].len;
	}
	pthread_mutex_unlock(&files_lock);
	return t;
}

static size_t line_index(const struct srcfile *f, uint32_t off)
{
	size_t lo = 0, hi = f->nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (f->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void loc_linecol(struct loc l, int *pline, int *pcol)
{
	*pline = *pcol = 0;
	pthread_mutex_lock(&files_lock);
	struct srcfile *f = file_get(l.file);
	if (f && f->lines) {
		size_t li = line_index(f, l.off);
		*pline = (int)li + 1;
		*pcol = (int)(l.off - f->lines[li]) + 1;
	}
	pthread_mutex_unlock(&files_lock);
}

struct loc loc_at(uint32_t file, int line, int col, uint32_t len)
{
	struct loc l = {file, 0, len};
	pthread_mutex_lock(&files_lock);
	struct srcfile *f = file_get(file);
	if (f && f->lines && line >= 1) {
		size_t li = (size_t)line - 1;
		if (li >= f->nlines)
			li = f->nlines - 1;
		size_t off = f->lines[li] + (size_t)(col > 0 ? col - 1 : 0);
		l.off = (uint32_t)(off > f->len ? f->len : off);
	}
	pthread_mutex_unlock(&files_lock);
	return l;
}

struct loc loc_shift(struct loc l, uint32_t off, uint32_t len)
{
	struct loc r = {l.file, l.off + off, len};
	return r;
}

void diag_list_init(struct diag_list *dl)
{
	dl->head = dl->tail = NULL;
	dl->nerrors = dl->nwarnings = 0;
	pthread_mutex_init(&dl->lock, NULL);
	arena_init(&dl->arena, 16 * 1024);
}

void diag_list_release(struct diag_list *dl)
{
	arena_release(&dl->arena);
	pthread_mutex_destroy(&dl->lock);
	dl->head = dl->tail = NULL;
	dl->nerrors = dl->nwarnings = 0;
}

static char *vfmt(struct arena *a, const char *fmt, va_list ap)
{
	struct sb s = SB_INIT;
	sb_vaddf(&s, fmt, ap);
	char *r = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

struct diag *diag_add(struct diag_list *dl, enum diag_kind kind, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&dl->lock);
	struct diag *d = ARENA_NEW(&dl->arena, struct diag);
	d->kind = kind;
	d->loc = loc;
	va_start(ap, fmt);
	d->msg = vfmt(&dl->arena, fmt, ap);
	va_end(ap);
	if (dl->tail)
		dl->tail->next = d;
	else
		dl->head = d;
	dl->tail = d;
	if (kind == DIAG_ERROR)
		dl->nerrors++;
	else if (kind == DIAG_WARN)
		dl->nwarnings++;
	pthread_mutex_unlock(&dl->lock);
	return d;
}

void diag_hint(struct diag_list *dl, struct diag *d, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&dl->lock);
	va_start(ap, fmt);
	d->hint = vfmt(&dl->arena, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&dl->lock);
}

void diag_note(struct diag_list *dl, struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&dl->lock);
	struct diag *n = ARENA_NEW(&dl->arena, struct diag);
	n->kind = DIAG_NOTE;
	n->loc = loc;
	va_start(ap, fmt);
	n->msg = vfmt(&dl->arena, fmt, ap);
	va_end(ap);
	struct diag **pp = &d->notes;
	while (*pp)
		pp = &(*pp)->next;
	*pp = n;
	pthread_mutex_unlock(&dl->lock);
}

static void copy_into(struct diag_list *dst, const struct diag *s)
{
	struct diag *d = diag_add(dst, s->kind, s->loc, "%s", s->msg);
	d->from_db = s->from_db;
	if (s->hint)
		diag_hint(dst, d, "%s", s->hint);
	for (const struct diag *n = s->notes; n; n = n->next)
		diag_note(dst, d, n->loc, "%s", n->msg);
}

void diag_list_move(struct diag_list *dst, struct diag_list *src)
{
	/* copied, since each list owns its arena */
	for (const struct diag *d = src->head; d; d = d->next)
		copy_into(dst, d);
	arena_release(&src->arena);
	src->head = src->tail = NULL;
	src->nerrors = src->nwarnings = 0;
}

const char *diag_heading(const struct diag *d)
{
	return d->from_db ? "Database Error: " : "";
}

static void format_one(struct sb *out, const struct diag *d, bool color)
{
	static const char *kinds[] = {"error", "warning", "note"};
	static const char *colors[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	int line = 0, col = 0;
	const char *path = NULL;
	const char *text = NULL;
	size_t tlen = 0;
	pthread_mutex_lock(&files_lock);
	struct srcfile *f = file_get(d->loc.file);
	size_t lstart = 0, lend = 0;
	if (f) {
		path = f->path;
		text = f->text;
		tlen = f->len;
		if (f->lines && text) {
			size_t off = d->loc.off > tlen ? tlen : d->loc.off;
			size_t li = line_index(f, (uint32_t)off);
			line = (int)li + 1;
			col = (int)(off - f->lines[li]) + 1;
			lstart = f->lines[li];
			lend = lstart;
			while (lend < tlen && text[lend] != '\n')
				lend++;
		}
	}
	pthread_mutex_unlock(&files_lock);
	if (path && line)
		sb_addf(out, "%s%s:%d:%d:%s ", bold, path, line, col, reset);
	else if (path)
		sb_addf(out, "%s%s:%s ", bold, path, reset);
	sb_addf(out, "%s%s:%s %s%s\n", color ? colors[d->kind] : "", kinds[d->kind], reset, diag_heading(d), d->msg);
	if (text && line) {
		size_t llen = lend - lstart;
		if (llen && text[lstart + llen - 1] == '\r')
			llen--;
		sb_addf(out, "%5d | ", line);
		/* tabs become spaces so the caret lines up */
		for (size_t i = 0; i < llen; i++)
			sb_addc(out, text[lstart + i] == '\t' ? ' ' : text[lstart + i]);
		sb_adds(out, "\n      | ");
		for (int i = 1; i < col; i++)
			sb_addc(out, ' ');
		size_t n = d->loc.len ? d->loc.len : 1;
		if ((size_t)(col - 1) + n > llen)
			n = llen >= (size_t)col ? llen - (size_t)(col - 1) : 1;
		if (n == 0)
			n = 1;
		sb_adds(out, color ? colors[0] : "");
		for (size_t i = 0; i < n; i++)
			sb_addc(out, '^');
		sb_addf(out, "%s\n", reset);
	}
	if (d->hint)
		sb_addf(out, "   hint: %s\n", d->hint);
}

void diag_format(struct sb *out, const struct diag *d, bool color)
{
	format_one(out, d, color);
	for (const struct diag *n = d->notes; n; n = n->next)
		format_one(out, n, color);
}

void diag_print(FILE *f, struct diag_list *dl, bool color)
{
	struct sb s = SB_INIT;
	pthread_mutex_lock(&dl->lock);
	for (const struct diag *d = dl->head; d; d = d->next)
		diag_format(&s, d, color);
	pthread_mutex_unlock(&dl->lock);
	log_redact(s.buf); /* secrets never reach the terminal either */
	s.len = strlen(s.buf);
	fwrite(s.buf, 1, s.len, f);
	sb_release(&s);
}
