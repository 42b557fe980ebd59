/*
 * `sluice jinja`: renders a template with plain Jinja2 semantics (no dbt context), and, hidden,
 * `sluice jinja --run-tests FILE.test...` runs the conformance suite (tests/jinja/FORMAT.md).
 *
 *   sluice jinja TEMPLATE [--context FILE.json]
 *       include/import/extends names resolve relative to the template's folder; the output goes to
 *       stdout exactly as rendered; on error the diagnostics go to stderr and the exit code is 1.
 */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/diag.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "jinja/jinja.h"

/* ---------------------------------------------------------------- file loader */

struct file_loader {
	struct jj_env *env;
	struct arena *a;
	const char *dir;
	struct map cache;  /* name -> template */
	pthread_mutex_t lock;
};

static struct jj_template *file_load(void *ud, const char *name, struct diag_list *dl)
{
	struct file_loader *fl = ud;
	pthread_mutex_lock(&fl->lock);
	struct jj_template *t = map_gets(&fl->cache, name);
	if (!t) {
		char *path = fs_join(fl->a, fl->dir, name);
		size_t len;
		char *text = fs_read(fl->a, path, &len);
		if (text) {
			uint32_t file = diag_file_add(path, text, len);
			if (jj_parse(fl->env, fl->a, name, file, text, len, &t, dl) == 0)
				map_puts(&fl->cache, arena_strdup(fl->a, name), t);
			else
				t = NULL;
		}
	}
	pthread_mutex_unlock(&fl->lock);
	return t;
}

static int render_file(const char *path, const char *ctxpath)
{
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	struct jj_env *env = jj_env_new();
	struct file_loader fl = {env, &a, fs_dirname(&a, path), MAP_INIT, PTHREAD_MUTEX_INITIALIZER};
	jj_env_set_loader(env, file_load, &fl);
	int rc = 1;
	value ctx = val_none();
	struct sb out = SB_INIT;
	if (ctxpath) {
		size_t clen;
		char *ctext = fs_read(&a, ctxpath, &clen);
		char *err = NULL;
		if (!ctext) {
			fprintf(stderr, "error: unable to read '%s': %s\n", ctxpath, strerror(errno));
			goto out;
		}
		if (val_from_json(&a, ctext, clen, &ctx, &err) < 0) {
			fprintf(stderr, "%s: error: %s\n", ctxpath, err);
			goto out;
		}
		if (ctx.type != V_DICT) {
			fprintf(stderr, "%s: error: the context must be a JSON object\n", ctxpath);
			goto out;
		}
	}
	size_t len;
	char *text = fs_read(&a, path, &len);
	if (!text) {
		fprintf(stderr, "error: unable to read '%s': %s\n", path, strerror(errno));
		goto out;
	}
	uint32_t file = diag_file_add(path, text, len);
	struct jj_template *t;
	if (jj_parse(env, &a, path, file, text, len, &t, &dl) != 0)
		goto out;
	struct arena scratch;
	arena_init(&scratch, 0);
	int r = jj_render(env, t, ctx, &scratch, NULL, &out, &dl);
	arena_release(&scratch);
	if (r != 0)
		goto out;
	fwrite(out.buf, 1, out.len, stdout);
	fflush(stdout);
	rc = 0;
out:
	if (dl.head)
		diag_print(stderr, &dl, false);
	sb_release(&out);
	map_release(&fl.cache);
	jj_env_free(env);
	diag_list_release(&dl);
	arena_release(&a);
	return rc;
}

/* ---------------------------------------------------------------- conformance runner */

struct tfile {
	const char *name;
	const char *text;
	size_t len;
	struct jj_template *t;
	bool tried;
};

struct tcase {
	const char *name;
	int line;
	const char *tmpl;
	size_t tmpllen;
	struct tfile files[16];
	int nfiles;
	const char *ctx;
	const char *expect;  /* NULL with error */
	const char *error;
	struct jj_env *env;
	struct arena *a;
};

static struct jj_template *case_load(void *ud, const char *name, struct diag_list *dl)
{
	struct tcase *c = ud;
	for (int i = 0; i < c->nfiles; i++) {
		struct tfile *f = &c->files[i];
		if (strcmp(f->name, name))
			continue;
		if (!f->tried) {
			f->tried = true;
			uint32_t id = diag_file_add(f->name, f->text, f->len);
			if (jj_parse(c->env, c->a, f->name, id, f->text, f->len, &f->t, dl) != 0)
				f->t = NULL;
		}
		return f->t;
	}
	return NULL;
}

/* Runs one case; returns true when it passes, else fills `why` */
static bool run_case(struct tcase *c, const char *fname, struct sb *why)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct arena scratch;
	arena_init(&scratch, 0);
	struct sb out = SB_INIT, err = SB_INIT;
	bool ok = false;
	value ctx = val_none();
	if (c->ctx) {
		char *perr = NULL;
		if (val_from_json(c->a, c->ctx, strlen(c->ctx), &ctx, &perr) < 0) {
			sb_addf(why, "  bad %%%%CONTEXT: %s\n", perr);
			goto done;
		}
	}
	char *tname = arena_sprintf(c->a, "%s:%s", fname, c->name);
	uint32_t id = diag_file_add(tname, c->tmpl, c->tmpllen);
	struct jj_template *t;
	int rc = jj_parse(c->env, c->a, tname, id, c->tmpl, c->tmpllen, &t, &dl);
	if (rc == 0)
		rc = jj_render(c->env, t, ctx, &scratch, NULL, &out, &dl);
	for (const struct diag *d = dl.head; d; d = d->next)
		diag_format(&err, d, false);
	if (c->expect) {
		if (rc == 0 && out.len == strlen(c->expect) && memcmp(out.buf, c->expect, out.len) == 0) {
			ok = true;
		} else if (rc != 0) {
			sb_addf(why, "  expected: %s\n  got error:\n%s", c->expect, err.buf);
		} else {
			sb_adds(why, "  expected: ");
			val_repr_str(why, c->expect, strlen(c->expect));
			sb_adds(why, "\n  got:      ");
			val_repr_str(why, out.buf, out.len);
			sb_addc(why, '\n');
		}
	} else {
		if (rc == 0) {
			sb_adds(why, "  expected an error, got: ");
			val_repr_str(why, out.buf, out.len);
			sb_addc(why, '\n');
		} else {
			ok = true;
			const char *p = c->error;
			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t n = nl ? (size_t)(nl - p) : strlen(p);
				if (n) {
					char *want = arena_strndup(c->a, p, n);
					if (!strcasestr(err.buf, want)) {
						ok = false;
						sb_addf(why, "  error text lacks: %s\n", want);
					}
				}
				p += n + (nl ? 1 : 0);
			}
			if (!ok)
				sb_addf(why, "  error text was:\n%s", err.buf);
		}
	}
done:
	sb_release(&out);
	sb_release(&err);
	arena_release(&scratch);
	diag_list_release(&dl);
	return ok;
}

static int run_test_file(const char *path, int *ppass, int *pfail)
{
	struct arena a;
	arena_init(&a, 0);
	size_t len;
	char *text = fs_read(&a, path, &len);
	if (!text) {
		fprintf(stderr, "error: unable to read '%s': %s\n", path, strerror(errno));
		arena_release(&a);
		return -1;
	}
	const char *fname = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct jj_env *env = jj_env_new();
	/* split into lines, keeping the text in place */
	struct tcase *c = NULL;
	enum { S_NONE, S_TMPL, S_FILE, S_CTX, S_EXPECT, S_ERROR } sec = S_NONE;
	struct sb buf = SB_INIT;
	int lineno = 0;
	char *p = text;
	bool in_case = false;
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = arena_strndup(&a, p, n);
		p += n + (nl ? 1 : 0);
		lineno++;
		if (strncmp(line, "%%", 2) != 0) {
			if (sec != S_NONE) {
				/* content lines are joined with "\n" */
				sb_adds(&buf, line);
				sb_addc(&buf, '\n');
			}
			continue;
		}
		/* a marker ends the previous section */
		if (sec != S_NONE && c) {
			if (buf.len)
				buf.len--; /* no final newline */
			char *content = arena_strndup(&a, buf.buf, buf.len);
			switch (sec) {
			case S_TMPL: c->tmpl = content; c->tmpllen = buf.len; break;
			case S_FILE: {
				struct tfile *f = &c->files[c->nfiles - 1];
				f->text = content;
				f->len = buf.len;
				break;
			}
			case S_CTX: c->ctx = content; break;
			case S_EXPECT: c->expect = content; break;
			case S_ERROR: c->error = content; break;
			default: break;
			}
		}
		sb_reset(&buf);
		sec = S_NONE;
		if (!strncmp(line, "%%TEST", 6)) {
			c = arena_zalloc(&a, sizeof(*c));
			c->name = arena_strdup(&a, line[6] == ' ' ? line + 7 : line + 6);
			c->line = lineno;
			c->env = env;
			c->a = &a;
			in_case = true;
		} else if (!strcmp(line, "%%TEMPLATE")) {
			sec = S_TMPL;
		} else if (!strncmp(line, "%%FILE ", 7)) {
			if (c && c->nfiles < 16) {
				c->files[c->nfiles].name = arena_strdup(&a, line + 7);
				c->nfiles++;
				sec = S_FILE;
			}
		} else if (!strcmp(line, "%%CONTEXT")) {
			sec = S_CTX;
		} else if (!strcmp(line, "%%EXPECT")) {
			sec = S_EXPECT;
		} else if (!strcmp(line, "%%ERROR")) {
			sec = S_ERROR;
		} else if (!strcmp(line, "%%END")) {
			if (c && in_case) {
				if (!c->tmpl)
					c->tmpl = "";
				jj_env_set_loader(env, case_load, c);
				struct sb why = SB_INIT;
				if (!c->expect && !c->error) {
					sb_adds(&why, "  case has neither %%EXPECT nor %%ERROR\n");
					printf("FAIL %s:%d: %s\n%s", fname, c->line, c->name, why.buf);
					(*pfail)++;
				} else if (run_case(c, fname, &why)) {
					(*ppass)++;
				} else {
					printf("FAIL %s:%d: %s\n%s", fname, c->line, c->name, why.buf);
					(*pfail)++;
				}
				sb_release(&why);
			}
			in_case = false;
			c = NULL;
		}
	}
	sb_release(&buf);
	jj_env_free(env);
	arena_release(&a);
	return 0;
}

int cmd_jinja(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--run-tests")) {
		int pass = 0, fail = 0, rc = 0;
		for (int i = 2; i < argc; i++)
			if (run_test_file(argv[i], &pass, &fail) < 0)
				rc = 1;
		printf("%d passed, %d failed\n", pass, fail);
		return rc || fail ? 1 : 0;
	}
	const char *tmpl = NULL, *ctx = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--context") && i + 1 < argc) {
			ctx = argv[++i];
		} else if (!strncmp(argv[i], "--context=", 10)) {
			ctx = argv[i] + 10;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: sluice jinja TEMPLATE [--context FILE.json]\n\n"
			       "Renders a template with plain Jinja2 semantics to stdout.\n");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "Usage: sluice jinja TEMPLATE [--context FILE.json]\n"
					"Error: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (!tmpl) {
			tmpl = argv[i];
		} else {
			fprintf(stderr, "Usage: sluice jinja TEMPLATE [--context FILE.json]\n"
					"Error: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!tmpl) {
		fprintf(stderr, "Usage: sluice jinja TEMPLATE [--context FILE.json]\n"
				"Error: missing the template\n");
		return 2;
	}
	return render_file(tmpl, ctx);
}
