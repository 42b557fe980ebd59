/* Loading a library on first use: see lazylib.h */
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

void lazylib_open(struct lazylib *lib)
{
	/* RTLD_GLOBAL, as when linked at start: DuckDB's loadable extensions, for one, expect its
	 * symbols in the global scope. dlopen searches the executable's run path, where the
	 * pinned libduckdb is. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		broken(lib, dlerror());
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
