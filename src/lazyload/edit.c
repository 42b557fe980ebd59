/* libedit, for the line editing and history of `sluice sql`. Loaded on first use: see lazylib.h.
 * It pulls in libbsd, libmd and libtinfo besides. */
#include "lazyload/lazylib.h"

#include <stdio.h>

#include <editline/readline.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void */
#define LIBEDIT_FUNCTIONS(F, V, N) \
	F(int, add_history, (const char *a0), (a0)) \
	F(int, read_history, (const char *a0), (a0)) \
	F(char *, readline, (const char *a0), (a0)) \
	V(using_history, (void), ()) \
	F(int, write_history, (const char *a0), (a0))

LAZYLIB_DEFINE(LIBEDIT_FUNCTIONS, "libedit.so.2", "libedit")
