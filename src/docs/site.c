/* Writing the documentation site (see site.h). */
#include "docs/site.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"

/* The site's folder: SLUICE_SITE_DIR, beside the installed binary, the install prefix, the source tree */
static const char *site_dir(struct arena *a)
{
	const char *env = getenv("SLUICE_SITE_DIR");
	if (env && fs_is_dir(env))
		return env;
	char *exe = fs_self_exe(a);
	if (exe) {
		char *cand = fs_abspath(a, fs_join(a, fs_dirname(a, exe), "../share/sluice/site"));
		if (fs_is_dir(cand))
			return cand;
	}
	if (fs_is_dir(SLUICE_INSTALL_SITE))
		return SLUICE_INSTALL_SITE;
	if (fs_is_dir(SLUICE_SOURCE_SITE))
		return SLUICE_SOURCE_SITE;
	return NULL;
}

/* JSON inside a <script> element: "</" would end it, so it is written "<\/" (still valid JSON) */
static void add_script_safe(struct sb *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' && i + 1 < n && s[i + 1] == '/')
			sb_adds(out, "<\\");
		else
			sb_addc(out, s[i]);
	}
}

int docs_write_site(const char *target_path, bool static_site, struct diag_list *dl)
{
	struct arena a;
	arena_init(&a, 1 << 16);
	int rc = -1;
	const char *dir = site_dir(&a);
	size_t len;
	char *page = dir ? fs_read(&a, fs_join(&a, dir, "index.html"), &len) : NULL;
	if (!page) {
		struct diag *d = diag_error(dl, LOC_NONE, "the documentation site of Sluice was not found");
		diag_hint(dl, d, "reinstall Sluice, or set SLUICE_SITE_DIR to its site folder");
		goto out;
	}
	const char *index = fs_join(&a, target_path, "index.html");
	if (fs_write(index, page, len) < 0) {
		diag_error(dl, LOC_NONE, "cannot write '%s': %s", index, strerror(errno));
		goto out;
	}
	if (static_site) {
		size_t mlen = 0, clen = 0;
		char *manifest = fs_read(&a, fs_join(&a, target_path, "manifest.json"), &mlen);
		char *catalog = fs_read(&a, fs_join(&a, target_path, "catalog.json"), &clen);
		char *at = strstr(page, "<script>");
		if (!manifest || !at) {
			diag_error(dl, LOC_NONE, "cannot inline the project's data: manifest.json is missing");
			goto out;
		}
		struct sb s = SB_INIT;
		sb_add(&s, page, (size_t)(at - page));
		sb_adds(&s, "<script>window.SLUICE_DATA = {\"manifest\": ");
		add_script_safe(&s, manifest, mlen);
		sb_adds(&s, ", \"catalog\": ");
		if (catalog)
			add_script_safe(&s, catalog, clen);
		else
			sb_adds(&s, "null");
		sb_adds(&s, "};</script>\n");
		sb_adds(&s, at);
		const char *path = fs_join(&a, target_path, "static_index.html");
		int w = fs_write(path, s.buf, s.len);
		sb_release(&s);
		if (w < 0) {
			diag_error(dl, LOC_NONE, "cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	arena_release(&a);
	return rc;
}
