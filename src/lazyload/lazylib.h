/*
 * Shared libraries loaded on first use, so that a command pays only for the libraries it needs.
 *
 * DuckDB, libpq, libcurl, libarchive, libmicrohttpd and libedit (with what they pull in: OpenSSL,
 * Kerberos, LDAP, GnuTLS, libtinfo, ...) cost the dynamic loader tens of milliseconds of
 * relocations, page faults and constructors at every start, more than a warm `sluice parse` takes
 * for the rest of its work, and most commands use one of them or none. So
 * the sluice executable does not link them: this folder defines each function of theirs that
 * sluice calls, under the library's own name and prototype, and the first call loads the library
 * with dlopen and resolves every function of its list at once. Tests and the other programs link
 * the libraries as usual; only the executable links these files (CMakeLists.txt), with
 * --as-needed, so that a call added elsewhere and missing from a list keeps its library linked
 * at start, which t225 catches.
 *
 * Each library's file lists its functions once, as X-macros: F(return type, name, (parameters),
 * (arguments)), V(name, (parameters), (arguments)) for a function returning void, and N(name) for
 * a variadic one, which the file wraps by hand. LAZYLIB_DEFINE makes the table and the wrappers
 * from the list; the prototypes are checked against the library's own header, which each file
 * includes.
 */
#ifndef SLUICE_LAZYLOAD_LAZYLIB_H
#define SLUICE_LAZYLOAD_LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

struct lazylib {
	const char *soname;       /* what dlopen looks for, along the executable's run path */
	const char *what;         /* the library as a user knows it, for the error */
	const char *const *names; /* the functions to resolve */
	void **slots;             /* their addresses, in the order of names */
	size_t n;
	pthread_once_t once;
};

/* Loads lib and resolves all its functions. Each library's file calls it once, under
 * pthread_once from every wrapper. A library or a function that cannot be found ends the process
 * with exit status 2 and a message naming both: the installation is broken, and no command that
 * needs the library could work. */
void lazylib_open(struct lazylib *lib);

#define LAZYLIB_SLOT_(ret, name, params, args) lazyslot_##name,
#define LAZYLIB_VSLOT_(name, params, args) lazyslot_##name,
#define LAZYLIB_NSLOT_(name) lazyslot_##name,
#define LAZYLIB_NAME_(ret, name, params, args) #name,
#define LAZYLIB_VNAME_(name, params, args) #name,
#define LAZYLIB_NNAME_(name) #name,
#define LAZYLIB_NONE_(name)
#define LAZYLIB_WRAP_(ret, name, params, args) \
	ret name params \
	{ \
		ret(*fn_) params; \
		*(void **)&fn_ = lazylib_fn_(name); \
		return fn_ args; \
	}
#define LAZYLIB_VWRAP_(name, params, args) \
	void name params \
	{ \
		void(*fn_) params; \
		*(void **)&fn_ = lazylib_fn_(name); \
		fn_ args; \
	}

/* LAZYLIB_DEFINE(LIST, "libx.so.1", "the X library"): the table of one library, and a wrapper
 * for each function of LIST(F, V, N) but the N ones */
#define LAZYLIB_DEFINE(LIST, so, label) \
	enum { LIST(LAZYLIB_SLOT_, LAZYLIB_VSLOT_, LAZYLIB_NSLOT_) lazyslot_count_ }; \
	static const char *const lazylib_names_[] = { \
		LIST(LAZYLIB_NAME_, LAZYLIB_VNAME_, LAZYLIB_NNAME_)}; \
	static void *lazylib_slots_[lazyslot_count_]; \
	static struct lazylib lazylib_ = {so, label, lazylib_names_, lazylib_slots_, \
					  lazyslot_count_, PTHREAD_ONCE_INIT}; \
	static void lazylib_once_(void) \
	{ \
		lazylib_open(&lazylib_); \
	} \
	LIST(LAZYLIB_WRAP_, LAZYLIB_VWRAP_, LAZYLIB_NONE_)

/* The address of a function of the file's list, its library loaded (pthread_once also makes the
 * slots written by the first caller visible to every thread) */
#define lazylib_fn_(name) \
	(pthread_once(&lazylib_.once, lazylib_once_), lazylib_slots_[lazyslot_##name])

#endif
