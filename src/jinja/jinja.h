/*
 * Jinja2 engine: the public interface used by the dbt layer, the `sluice jinja` command and tests.
 *
 * Semantics are Jinja2 3.x with the `do` and loop-control extensions, autoescape off, default
 * Undefined, keep_trailing_newline off. dbt's own block tags are built in as well:
 *   {% macro %}              as Jinja2
 *   {% materialization NAME, adapter='X' %}...{% endmaterialization %}
 *                            defines macro `materialization_NAME_X` (X defaults to `default`)
 *   {% test NAME(args) %}...{% endtest %}           defines macro `test_NAME`
 *   {% snapshot NAME %}...{% endsnapshot %}         a named body block, see jj_template_blocks
 *   {% docs NAME %}...{% enddocs %}                 a named raw text block, see jj_template_blocks
 *
 * Lifetimes: a template is parsed once into an arena (the project arena) and can be rendered many
 * times, from several threads at once (templates and the environment are read-only during renders;
 * each render has its own scratch arena and vm). The source text is sliced, not copied: it must
 * outlive the template.
 *
 * Errors: syntax errors are added to the diag_list given to jj_parse; runtime errors to the one given
 * to jj_render, with the template's file, line and column, the offending line with a caret, and a
 * note for each macro call on the way ("in macro 'x' called here").
 *
 * Module direction: jinja -> value, core. It knows nothing of dbt: dbt/ installs the context's
 * globals into an environment.
 */
#ifndef SLUICE_JINJA_H
#define SLUICE_JINJA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/sb.h"
#include "value/value.h"

struct jj_env;
struct jj_template;
struct jj_vm;

/*
 * Resolves a template name (include/import/extends) to a parsed template. Called during renders,
 * possibly from several threads: the implementation must be thread-safe. Returns NULL when not found
 * (the engine then reports "template 'name' not found").
 */
typedef struct jj_template *(*jj_loader_fn)(void *ud, const char *name, struct diag_list *dl);

struct jj_env *jj_env_new(void);
void jj_env_free(struct jj_env *env);
void jj_env_set_loader(struct jj_env *env, jj_loader_fn fn, void *ud);
/* Globals visible to every template, below the render context (range, dict, ... are built in) */
void jj_env_set_global(struct jj_env *env, const char *name, value v);
/*
 * Called when a template being rendered calls a macro of a package; `direct` when not from inside
 * another macro (dbt lists those in a node's depends_on.macros); `user` is the render's
 * (jj_user). Runs on the rendering thread.
 */
typedef void (*jj_macro_hook)(void *user, const char *package, const char *name, bool direct);
void jj_env_set_macro_hook(struct jj_env *env, jj_macro_hook fn);
/* A global set with jj_env_set_global, or V_UNDEF */
value jj_env_global(struct jj_env *env, const char *name);
/* Every global, a dict in the order they were first set (Jinja's own come first) */
value jj_env_globals(struct jj_env *env);
/* Adds or replaces a filter / a test (native function; first positional argument is the subject) */
void jj_env_add_filter(struct jj_env *env, const char *name, vfunc_fn fn, void *ud);
void jj_env_add_test(struct jj_env *env, const char *name, vfunc_fn fn, void *ud);
/*
 * Limits of one render: bytes of output it may write and bytes of memory it may allocate (0: no
 * limit). A render that needs more fails at the template's line. Defaults: 256 MiB of each, or the environment variables SLUICE_JINJA_MAX_OUTPUT and
 * SLUICE_JINJA_MAX_MEMORY (bytes, with an optional K, M or G suffix; 0 turns the limit off), read
 * by jj_env_new.
 */
void jj_env_set_limits(struct jj_env *env, size_t max_output, size_t max_memory);
#define JJ_DEFAULT_MAX_OUTPUT ((size_t)256 << 20)
#define JJ_DEFAULT_MAX_MEMORY ((size_t)256 << 20)

/*
 * Parses `text` (registered as diag file `file`) into a template allocated in `a`; `name` is the
 * template's name for include/import/messages. Returns 0, or -1 after adding diagnostics to dl.
 */
int jj_parse(struct jj_env *env, struct arena *a, const char *name, uint32_t file, const char *text,
	     size_t len, struct jj_template **pt, struct diag_list *dl) __attribute__((warn_unused_result));

/*
 * Renders a template. `ctx` is a dict of variables (may be V_NONE). Output is appended to `out`.
 * Every allocation of the render goes to `scratch`. `user` is handed to native functions through
 * jj_user(vm). Returns 0, or -1 after adding a diagnostic to dl.
 */
int jj_render(struct jj_env *env, struct jj_template *t, value ctx, struct arena *scratch,
	      void *user, struct sb *out, struct diag_list *dl) __attribute__((warn_unused_result));

/*
 * The macros a template defines at its top level (including materialization_* and test_* macros),
 * as a dict of name -> callable values allocated in `a`. These macros have dbt's semantics: when
 * called during a render, their global names resolve in the context of that render (the calling
 * node's ref, this, config, ...), then in the env's globals. `package` is recorded on each macro
 * (jj_macro_package) for dispatch; it may be NULL.
 */
value jj_template_macros(struct arena *a, struct jj_template *t, const char *package);
bool jj_is_macro(value v);
const char *jj_macro_name(value v);
const char *jj_macro_package(value v);
/* The package macros running now, outermost first, as "macro.<package>.<name>": dbt's
 * context_macro_stack.call_stack (macros a template defines for itself are not on it) */
value jj_macro_call_stack(struct jj_vm *vm);
/* Location of a macro's definition (for diagnostics and manifest) */
struct loc jj_macro_loc(value v);

/*
 * The calls a macro's text makes, found without running it, in the order Jinja2's
 * `find_all(nodes.Call)` yields them (depth first, a call before the calls in its arguments), every
 * branch included whatever its condition. `fn` is called once a call with what it calls: `name`
 * for `f(...)` (and for `(x | f)(...)`, the filter's name), `obj` and `attr` for `a.f(...)`, all
 * NULL for anything else (`a.b.f()`, `x[0]()`); and the shape of its arguments, positional first,
 * then keywords in the order written. Allocates in `a`. Returns -1 when `macro` is not a macro.
 */
enum jj_arg_kind { JJ_ARG_STR, JJ_ARG_LIST, JJ_ARG_CONST, JJ_ARG_EXPR };
struct jj_static_arg {
	enum jj_arg_kind kind;  /* a string literal, a list literal, another literal, anything else */
	const char *s;          /* the string of JJ_ARG_STR */
	const char *kw;         /* the keyword, NULL for a positional argument */
};
struct jj_static_call {
	const char *name, *obj, *attr;
	const struct jj_static_arg *args;
	uint32_t nargs;
	struct loc loc;
};
typedef void (*jj_static_call_fn)(void *ud, const struct jj_static_call *call);
int jj_static_calls(value macro, struct arena *a, jj_static_call_fn fn, void *ud);

/* Named body blocks of dbt tags: kind "docs", "snapshot" or "snapshot_code"; returns a dict
 * name -> template-like callable (call with no arguments to render it in the current render) for
 * snapshot, name -> the body's source text for snapshot_code, and name -> raw string for docs. */
value jj_template_blocks(struct arena *a, struct jj_template *t, const char *kind);

/* Calls any callable value (macro, native function, object with call) from C during a render.
 * Raises (does not return) on error. */
value jj_call(struct jj_vm *vm, value fn, const struct vargs *args);

/*
 * Calls a callable outside of any render (a macro from C, as run-operation or a materialization
 * does): sets up a render boundary where `ctx` (a dict, or V_NONE) is the context that dbt macros
 * resolve names in. Allocations go to `scratch`; `user` is handed to native functions. Returns 0 with
 * the result in *pres (a macro's output as a string, or the value it return()ed), or -1 after adding
 * a diagnostic to dl.
 */
int jj_invoke(struct jj_env *env, value fn, const struct vargs *args, value ctx, struct arena *scratch,
	      void *user, value *pres, struct diag_list *dl) __attribute__((warn_unused_result));

/* --- for native functions (inside a render) --- */
/* Raises a runtime error at the current call site: does not return */
_Noreturn void jj_raise(struct jj_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void jj_vraise(struct jj_vm *vm, const char *fmt, va_list ap);
/* The same for an error the database returned: its diagnostic is marked from_db (see core/diag.h),
 * and fmt gives the database's text without a heading */
_Noreturn void jj_raise_db(struct jj_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* dbt's return(): ends the innermost running macro, which then evaluates to v; does not return */
_Noreturn void jj_macro_return(struct jj_vm *vm, value v);
struct arena *jj_arena(struct jj_vm *vm);
void *jj_user(struct jj_vm *vm);
struct jj_env *jj_vm_env(struct jj_vm *vm);
/* obj.name(*args) for a built-in method of a string, list or dict (dict.setdefault, list.append,
 * ...), as a template calls it: on a container of a shared arena, under its lock (raises when obj
 * has no such method) */
value jj_call_builtin_method(struct jj_vm *vm, value obj, const char *name, const struct vargs *args);
/* The items of an iterable value as a list (raises when it is not iterable) */
value jj_iter_list(struct jj_vm *vm, value v);
/* Looks a name up as the template would (context, then globals); V_UNDEF when absent */
value jj_lookup(struct jj_vm *vm, const char *name);
/* Location of the expression being evaluated (the call site of a native function) */
struct loc jj_current_loc(struct jj_vm *vm);
/* Adds a warning diagnostic at the current location (exceptions.warn) */
void jj_warn(struct jj_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Argument helpers for native functions: find an argument by position or keyword name */
value jj_arg(const struct vargs *args, size_t pos, const char *kwname, value dflt);

#endif
