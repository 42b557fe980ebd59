/* Loading a library on first use: see lazylib.h */
#define _GNU_SOURCE /* dlinfo */
#include "lazyload/lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void broken(const struct lazylib *lib, const char *detail)
{
	fprintf(stderr,
		"sluice: cannot load %s (%s): %s\n"
		"  The installation is incomplete: install the package that provides %s, or run "
		"scripts/bootstrap.sh in sluice's source tree and build again.\n",
		lib->what, lib->soname, detail, lib->soname);
	exit(2);
}

/* RTLD_GLOBAL, as when linked at start: DuckDB's loadable extensions, for one, expect its symbols
 * in the global scope */
#define OPEN_FLAGS (RTLD_NOW | RTLD_GLOBAL)

/* dlopen along the executable's own search path (its run path, where the pinned libduckdb is, then
 * the system's folders). dlopen searches the run path of its caller, which is the executable here,
 * unless AddressSanitizer's interceptor of dlopen stands between them: then the caller is
 * libasan, which has no run path. So when a plain dlopen fails, each folder the loader would
 * search for the executable (dlinfo RTLD_DI_SERINFO) is tried by name. */
static void *open_along_exe_path(const char *soname, char *err, size_t errlen)
{
	void *h = dlopen(soname, OPEN_FLAGS);
	if (h)
		return h;
	/* the plain dlopen's error says best what is missing */
	const char *e = dlerror();
	snprintf(err, errlen, "%s", e ? e : "not found");
	void *self = dlopen(NULL, RTLD_NOW);
	Dl_serinfo size;
	if (self && dlinfo(self, RTLD_DI_SERINFOSIZE, &size) == 0) {
		Dl_serinfo *info = malloc(size.dls_size);
		if (info) {
			*info = size;
			if (dlinfo(self, RTLD_DI_SERINFO, info) == 0) {
				for (unsigned i = 0; !h && i < info->dls_cnt; i++) {
					char path[4096];
					int n = snprintf(path, sizeof path, "%s/%s", info->dls_serpath[i].dls_name,
							 soname);
					if (n > 0 && (size_t)n < sizeof path)
						h = dlopen(path, OPEN_FLAGS);
				}
			}
			free(info);
		}
	}
	return h;
}

void lazylib_open(struct lazylib *lib)
{
	char err[512];
	void *h = open_along_exe_path(lib->soname, err, sizeof err);
	if (!h)
		broken(lib, err);
	for (size_t i = 0; i < lib->n; i++) {
		lib->slots[i] = dlsym(h, lib->names[i]);
		if (!lib->slots[i]) {
			char msg[256];
			snprintf(msg, sizeof msg,
				 "it has no function %s (it is another version than the one sluice was "
				 "built with)",
				 lib->names[i]);
			broken(lib, msg);
		}
	}
}
