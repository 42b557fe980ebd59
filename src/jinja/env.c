/*
 * The Jinja environment: filters, tests, globals and the template loader. An environment is set up
 * once (single-threaded) and then only read by parses and renders on any number of threads.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#include "jinja/internal.h"

/* A size from the environment: digits with an optional K/M/G suffix (KiB, MiB, GiB); dflt when the
 * variable is unset, and also (with a warning) when it cannot be read */
static size_t env_size(const char *var, size_t dflt)
{
	const char *e = getenv(var);
	if (!e || !*e)
		return dflt;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(e, &end, 10);
	int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (end == e || *end || errno || e[0] == '-' || (shift && v > (SIZE_MAX >> shift))) {
		/* said once per process, however many environments are made */
		static atomic_int warned[2];
		atomic_int *w = &warned[strstr(var, "OUTPUT") != NULL];
		if (atomic_exchange(w, 1) == 0)
			fprintf(stderr, "sluice: warning: ignoring %s='%s': expected a number of bytes such as "
					"268435456, 256M or 1G\n", var, e);
		log_msg(LOG_WARN, "ignoring %s='%s': expected a number of bytes such as 268435456, 256M or 1G", var, e);
		return dflt;
	}
	return (size_t)v << shift;
}

struct jj_env *jj_env_new(void)
{
	struct jj_env *env = xcalloc(1, sizeof(*env));
	arena_init(&env->arena, 16 * 1024);
	map_init(&env->filters);
	map_init(&env->tests);
	env->globals = val_dict_new(&env->arena, 16);
	jj_register_filters(env);
	jj_register_tests(env);
	jj_register_globals(env);
	env->max_output = env_size("SLUICE_JINJA_MAX_OUTPUT", JJ_DEFAULT_MAX_OUTPUT);
	env->max_memory = env_size("SLUICE_JINJA_MAX_MEMORY", JJ_DEFAULT_MAX_MEMORY);
	return env;
}

void jj_env_set_limits(struct jj_env *env, size_t max_output, size_t max_memory)
{
	env->max_output = max_output;
	env->max_memory = max_memory;
}

void jj_env_free(struct jj_env *env)
{
	if (!env)
		return;
	map_release(&env->filters);
	map_release(&env->tests);
	arena_release(&env->arena);
	free(env);
}

void jj_env_set_loader(struct jj_env *env, jj_loader_fn fn, void *ud)
{
	env->loader = fn;
	env->loader_ud = ud;
}

void jj_env_set_macro_hook(struct jj_env *env, jj_macro_hook fn)
{
	env->macro_hook = fn;
}

void jj_env_set_global(struct jj_env *env, const char *name, value v)
{
	val_dict_set(env->globals, val_str(arena_strdup(&env->arena, name)), v);
}

value jj_env_global(struct jj_env *env, const char *name)
{
	return val_dict_gets(env->globals, name);
}

value jj_env_globals(struct jj_env *env)
{
	return env->globals;
}

static void add_fn(struct jj_env *env, struct map *m, const char *name, vfunc_fn fn, void *ud)
{
	struct jj_fn *f = ARENA_NEW(&env->arena, struct jj_fn);
	f->fn = fn;
	f->ud = ud;
	struct jj_fn *old = map_get(m, name, strlen(name));
	if (old) {
		*old = *f; /* templates parsed earlier keep pointing at the same slot */
		return;
	}
	map_puts(m, arena_strdup(&env->arena, name), f);
}

void jj_env_add_filter(struct jj_env *env, const char *name, vfunc_fn fn, void *ud)
{
	add_fn(env, &env->filters, name, fn, ud);
}

void jj_env_add_test(struct jj_env *env, const char *name, vfunc_fn fn, void *ud)
{
	add_fn(env, &env->tests, name, fn, ud);
}

const struct jj_fn *jj_env_find_filter(struct jj_env *env, const char *name, size_t n)
{
	return map_get(&env->filters, name, n);
}

const struct jj_fn *jj_env_find_test(struct jj_env *env, const char *name, size_t n)
{
	return map_get(&env->tests, name, n);
}
