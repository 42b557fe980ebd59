/*
 * Internals shared by the files of the Jinja engine: the environment, the evaluator's state (vm),
 * scopes (frames), contexts, and the helpers filters, tests, methods and globals use.
 *
 * DESIGN
 * - A render owns one `struct jj_vm` on the C stack. Everything it allocates goes to the scratch
 *   arena; templates and the environment are only read, so renders run on several threads at once.
 * - Scopes are frames chained to their parent; a name is looked up frame by frame (names carry a
 *   precomputed hash), then in the context's variables (the render's context dict), then in the
 *   environment's globals. `for`, `with`, macro calls, blocks and filter/set blocks open a frame;
 *   `if` does not, so `set` inside `if` is seen after it, as in Jinja2. A loop resets its frame at
 *   every iteration (Jinja2 re-reads outer values each time round).
 * - Output goes to one string builder. Capturing (macro bodies, set blocks, filter blocks) appends
 *   to it and then moves the captured tail into the arena, so no buffer is ever allocated per call.
 * - Errors: jj_raise adds the diagnostic (with a note per macro call on the stack) and longjmps to
 *   the render boundary. dbt's return() longjmps to the innermost macro call.
 */
#ifndef SLUICE_JINJA_INTERNAL_H
#define SLUICE_JINJA_INTERNAL_H

#include <setjmp.h>

#include "core/map.h"
#include "jinja/ast.h"
#include "jinja/jinja.h"

struct jj_env {
	struct arena arena;
	struct map filters;  /* name -> struct jj_fn */
	struct map tests;
	value globals;       /* dict */
	jj_loader_fn loader;
	void *loader_ud;
	size_t max_output;   /* bytes a render may write (0: no limit), see jj_env_set_limits */
	size_t max_memory;   /* bytes a render may allocate (0: no limit) */
	jj_macro_hook macro_hook;
};

const struct jj_fn *jj_env_find_filter(struct jj_env *env, const char *name, size_t n);
const struct jj_fn *jj_env_find_test(struct jj_env *env, const char *name, size_t n);

struct jj_var {
	const char *name;
	uint32_t len;
	uint64_t hash;
	value v;
};

struct jj_ctx;

struct jj_frame {
	struct jj_frame *parent;
	struct jj_ctx *ctx;
	struct jj_var *vars;
	uint32_t n, cap;
	bool include_root;  /* root of an included template: `loop` of the includer stays hidden */
};

struct jj_blockent {
	const struct jj_node *node;
};

struct jj_blockstack {
	const struct jj_name *name;
	const struct jj_node **v;  /* most derived first */
	uint32_t n, cap;
};

/* A template being rendered (Jinja2's Context): its variables, blocks and extends state */
struct jj_ctx {
	const struct jj_template *tmpl;
	value vars;           /* the render context dict, or V_UNDEF (import without context) */
	value module;         /* dbt macros: the macros of their file, or V_UNDEF */
	struct jj_frame *root;
	struct jj_blockstack *blocks;
	uint32_t nblocks, capblocks;
	const struct jj_template *parent;  /* set by {% extends %} */
	const struct jj_template **chain;  /* templates that extended in this context, child first */
	uint32_t nchain, capchain;
	size_t discard_mark;               /* output after extends is dropped */
};

/* A macro call (or an include or import) in progress, for return() and for the notes of errors */
enum { REC_MACRO, REC_INCLUDE, REC_IMPORT };
struct jj_callrec {
	struct jj_callrec *prev;
	int kind;
	const char *name;
	struct loc site;
	jmp_buf *ret;    /* where return() lands; NULL: passes through (call block bodies) */
	const char *package;  /* a dbt macro's package (REC_MACRO), else NULL */
};

struct jj_vm {
	struct jj_env *env;
	struct arena *a;
	struct sb *out;
	struct diag_list *dl;
	void *user;
	jmp_buf *err;
	struct jj_callrec *calls;
	int depth;
	struct loc loc;          /* location of the call being made (native functions) */
	struct jj_frame *frame;  /* frame of the innermost native call (jj_lookup) */
	struct jj_ctx *root;
	uint64_t rng;
	bool autoescape;
	value retval;            /* the value of the return() being unwound */
	size_t max_output, max_memory;  /* the env's limits (SIZE_MAX: none) */
	size_t out_base;         /* vm->out->len when the render started */
	size_t mem_base;         /* vm->a->total when the render started */
	/* strings that concatenation may still extend in place (eval.c, grow_concat) */
	struct jj_growbuf {
		char *p;
		size_t used, cap;
	} grow[4];
	unsigned grow_next;
};

/*
 * --- resource limits (limits.c) ---
 * A render may write max_output bytes and allocate max_memory bytes (its scratch arena's growth plus
 * the output buffer). Code that makes something whose size a template controls (repetition, padding,
 * slicing, joining, serialising) calls jj_need() with the size before making it; statements check the
 * output as they go. Both raise an error at the current template location.
 */
void jj_need(struct jj_vm *vm, size_t n);
void jj_need2(struct jj_vm *vm, size_t n, size_t m);  /* jj_need(n * m), without overflow */
/* Raises at `at` when the output or the memory used so far is past its limit */
void jj_check_limits(struct jj_vm *vm, struct loc at);
/* Raises when writing v (a list, dict or tuple) as text would pass the limits: shared sub-lists are
 * measured once, so `[[[0]*1000]*1000]*1000` is refused without walking a billion items */
void jj_need_text(struct jj_vm *vm, value v);

/* --- scopes (eval.c) --- */
struct jj_frame *jj_frame_new(struct jj_vm *vm, struct jj_frame *parent, struct jj_ctx *ctx);
void jj_frame_setn(struct jj_vm *vm, struct jj_frame *f, const char *name, uint32_t len, uint64_t hash,
		   value v);
void jj_frame_sets(struct jj_vm *vm, struct jj_frame *f, const char *name, value v);
static inline void jj_frame_set(struct jj_vm *vm, struct jj_frame *f, const struct jj_name *nm, value v)
{
	jj_frame_setn(vm, f, nm->s, nm->len, nm->hash, v);
}
value jj_frame_lookup(struct jj_vm *vm, const struct jj_frame *f, const struct jj_name *nm);
/* `self` of a template being rendered (exec.c) */
value jj_self_ref(struct jj_vm *vm, struct jj_ctx *ctx);

/* --- evaluator (eval.c) --- */
value jj_eval_call(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n, const char *extra_kw,
		   value extra_val);
value jj_eval_filter(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n, value subject);
value jj_slice(struct jj_vm *vm, value obj, value start, value stop, value step);
_Noreturn void jj_raise_at(struct jj_vm *vm, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Raises the error an undefined value gives when used */
_Noreturn void jj_raise_undefined(struct jj_vm *vm, value u);
value jj_eval(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n);
value jj_getattr(struct jj_vm *vm, value obj, const char *name, size_t n);
value jj_getitem(struct jj_vm *vm, value obj, value key);
value jj_call_value(struct jj_vm *vm, value fn, const struct vargs *args);
/* Items of an iterable (list copy, dict keys, characters, ...); raises when not iterable */
void jj_iter(struct jj_vm *vm, value v, value **pitems, size_t *pn);
value jj_iter_list(struct jj_vm *vm, value v);
bool jj_contains(struct jj_vm *vm, value container, value item);
/* Python comparison raising TypeError-like errors; returns -1/0/1 */
int jj_compare(struct jj_vm *vm, value a, value b, const char *op);
value jj_binop(struct jj_vm *vm, int op, value a, value b);
value jj_undef_attr(struct jj_vm *vm, value obj, const char *name, size_t n);
value jj_undef_msg(struct jj_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Output helpers: strings are built at the end of vm->out then moved into the arena */
static inline size_t jj_mark(struct jj_vm *vm)
{
	return vm->out->len;
}
value jj_take(struct jj_vm *vm, size_t mark);
/* str(v) as a string value (no copy for strings) */
value jj_str(struct jj_vm *vm, value v);
/* appends str(v) to vm->out, escaped when `escape` and v is not Markup */
void jj_emit(struct jj_vm *vm, value v, bool escape);
void jj_escape_to(struct sb *out, const char *s, size_t n);
value jj_escape(struct jj_vm *vm, value v);

/* --- objects (eval.c) --- */
extern const struct vobj_class jj_macro_class;
extern const struct vobj_class jj_namespace_class;
value jj_make_namespace(struct jj_vm *vm, const struct vargs *args);

/* --- methods on str, list, dict (methods.c) --- */
/* id of a method name known on some built-in type, or -1 */
int jj_method_id(const char *s, size_t n);
/* calls method `id` on obj: returns false when obj's type has no such method */
bool jj_call_method(struct jj_vm *vm, value obj, int id, const struct vargs *args, value *pres);
/* obj.name without a call: a bound method, or V_UNDEF when obj's type has no such method */
value jj_bound_method(struct jj_vm *vm, value obj, int id);

/* --- filters, tests, globals --- */
void jj_register_filters(struct jj_env *env);
void jj_register_tests(struct jj_env *env);
void jj_register_globals(struct jj_env *env);
/* fast ids for a few tests the evaluator inlines (defined, undefined, none, ...), or -1 */
int jj_builtin_test_id(const char *s, size_t n);
bool jj_builtin_test(struct jj_vm *vm, int id, value v, bool *phandled);

/* --- integers beyond 64 bits (bigint.c); results that fit are V_INT --- */
bool jj_is_bigint(value v);
value jj_bigint_from_dec(struct arena *a, const char *s, size_t n, bool neg);
double jj_bigint_to_double(value v);
/* + - * // % ** on int, bool or big integer operands */
value jj_bigint_binop(struct jj_vm *vm, int op, value a, value b);
value jj_bigint_neg(struct jj_vm *vm, value x);

/* --- Python formatting (pyfmt.c) --- */
/* "fmt" % args (args: a tuple, or any single value) */
value jj_percent_format(struct jj_vm *vm, value fmt, value args);
/* str.format(*args, **kwargs) */
value jj_str_format(struct jj_vm *vm, value fmt, const struct vargs *args);

/* --- strings (methods.c) --- */
size_t jj_utf8_len(const char *s, size_t n);
/* byte offset of code point index i (clamped to n) */
size_t jj_utf8_off(const char *s, size_t n, size_t i);
size_t jj_utf8_dec(const unsigned char *s, size_t n, unsigned *pcp);
void jj_utf8_put(struct sb *out, unsigned cp);
bool jj_is_ascii(const char *s, size_t n);
/* Python str.lower/upper over ASCII and the common Latin, Greek and Cyrillic letters */
unsigned jj_cp_lower(unsigned cp);
unsigned jj_cp_upper(unsigned cp);
bool jj_cp_isspace(unsigned cp);
/* length in bytes of the (UTF-8) whitespace character at p / ending at e, or 0 */
size_t jj_ws_at(const char *p, const char *e);
size_t jj_ws_before(const char *b, const char *e);
bool jj_cp_isalpha(unsigned cp);
bool jj_cp_isdigit(unsigned cp);
value jj_str_lower(struct jj_vm *vm, value s);
value jj_str_upper(struct jj_vm *vm, value s);
value jj_str_capitalize(struct jj_vm *vm, value s);
value jj_str_strip(struct jj_vm *vm, value s, value chars, bool left, bool right);
value jj_str_replace(struct jj_vm *vm, value s, value old, value new_, int64_t count);
value jj_split(struct jj_vm *vm, value s, value sep, int64_t maxsplit, bool right);
/* Python's sorted(): stable, raising on incomparable items */
void jj_sort(struct jj_vm *vm, value *items, size_t n, const value *keys, bool reverse);

/* The definition behind a macro value, or NULL */
const struct jj_macrodef *jj_macro_def(value v);

/* arguments */
static inline value jj_pos(const struct vargs *a, size_t i)
{
	return i < a->npos ? a->pos[i] : val_undef();
}
/* raises unless v is a string; returns it */
value jj_want_str(struct jj_vm *vm, value v, const char *what);
int64_t jj_want_int(struct jj_vm *vm, value v, const char *what);
bool jj_has_arg(const struct vargs *args, size_t pos, const char *kwname);
/* rejects unexpected keyword arguments / too many positional ones */
void jj_check_args(struct jj_vm *vm, const char *fname, const struct vargs *args, size_t maxpos,
		   const char *const *kwnames);

#endif
