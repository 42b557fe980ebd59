/*
 * The one dynamic value type shared by YAML, JSON, Jinja and the dbt context, so configuration flows
 * from a YAML file into a template without conversion. Semantics follow Python's (truthiness,
 * equality, ordering, str() and repr()), since Jinja2 and dbt code expect them.
 *
 * A `value` is a 16-byte tagged struct passed by value. Strings are slices (pointer + length, not
 * necessarily NUL-terminated, never mutated). Lists and dicts are mutable objects referenced by
 * pointer; they remember the arena they grow in.
 *
 * Ownership: every allocation comes from the arena given to the constructor; nothing is freed one by
 * one. A value must not outlive the arena of anything it references: to keep a value from a scratch
 * arena, val_copy() it into a longer-lived one. Lists and dicts are not thread-safe: a container
 * shared between threads must not be mutated while others read it.
 *
 * Module direction: value -> core.
 */
#ifndef SLUICE_VALUE_H
#define SLUICE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"

struct sb;
struct jj_vm;  /* the Jinja evaluator's state, opaque here */

enum vtype {
	V_UNDEF,  /* Jinja2's Undefined; `s`/`len` may name the missing variable */
	V_NONE,
	V_BOOL,
	V_INT,
	V_FLOAT,
	V_STR,
	V_LIST,   /* also tuples (flag VF_TUPLE) */
	V_DICT,   /* ordered, like Python's dict */
	V_FUNC,   /* native callable */
	V_OBJ,    /* object with a class (macro, loop, namespace, relation, ...) */
};

enum vflags {
	VF_TUPLE = 1,  /* on V_LIST: a tuple (repr uses parentheses) */
	VF_SAFE = 2,   /* on V_STR: Markup (already escaped) */
	VF_UNDEF_MSG = 4,  /* on V_UNDEF: `s`/`len` is the whole error message, not a variable name */
	VF_GROUP = 8,      /* on a 2-tuple from Jinja's groupby: also has .grouper and .list */
};

typedef struct value {
	uint8_t type;
	uint8_t flags;
	uint32_t len;  /* V_STR, V_UNDEF: byte length of s */
	union {
		bool b;
		int64_t i;
		double f;
		const char *s;
		struct vlist *l;
		struct vdict *d;
		struct vfunc *fn;
		struct vobj *o;
	};
} value;

struct vlist {
	value *items;
	uint32_t len, cap;
	struct arena *arena;
	struct loc *locs;  /* optional (YAML): location of each item */
};

struct ventry {
	value key;
	value val;
};

/* Laid out without padding: 64 bytes, where the same fields in another order took 72 and the
 * arena's 16-byte alignment made that 80 (a parse of 10,000 models makes 580,000 dicts) */
struct vdict {
	struct ventry *e;   /* insertion order */
	uint32_t *index;    /* open-addressing table of entry index + 1; 0 = empty */
	struct arena *arena;
	struct loc *keylocs;  /* optional (YAML): location of each key */
	struct loc *vallocs;  /* optional (YAML): location of each value */
	uint32_t len, cap;
	uint32_t icap;      /* power of two or 0 (small dicts are scanned) */
	struct loc loc;       /* optional (YAML): location of the mapping itself */
};
_Static_assert(sizeof(struct vdict) == 64, "struct vdict is laid out without padding");

/* Arguments of a call: positional values then keyword arguments (names are NUL-terminated). */
struct vargs {
	const value *pos;
	size_t npos;
	const char *const *kwnames;
	const value *kw;
	size_t nkw;
};

/*
 * A native function. It may raise a Jinja error with jj_raise(vm, ...) (which does not return);
 * `vm` is NULL when called outside a render. It allocates its result in jj_arena(vm).
 */
typedef value (*vfunc_fn)(struct jj_vm *vm, void *ud, const struct vargs *args);

struct vfunc {
	vfunc_fn fn;
	void *ud;
	const char *name;
};

struct vobj;

/* Behaviour of an object. Every hook is optional. */
struct vobj_class {
	const char *name;  /* type name for messages */
	/* attribute lookup; returns V_UNDEF when missing */
	value (*getattr)(struct jj_vm *vm, struct vobj *o, const char *name, size_t n);
	/* attribute assignment (namespace); returns 0, or -1 if not allowed */
	int (*setattr)(struct jj_vm *vm, struct vobj *o, const char *name, size_t n, value v);
	value (*call)(struct jj_vm *vm, struct vobj *o, const struct vargs *args);
	/* str(): what {{ obj }} prints; defaults to "<name object>" */
	void (*str)(struct vobj *o, struct sb *out);
	/* repr(); defaults to str */
	void (*repr)(struct vobj *o, struct sb *out);
	/* iteration: returns a list of the items, or V_UNDEF when not iterable */
	value (*iter)(struct jj_vm *vm, struct vobj *o);
	/* truthiness; default true */
	bool (*truthy)(struct vobj *o);
	/* equality with another value; default identity */
	bool (*eq)(struct vobj *o, value other);
	/* ordering against another value: 0 with -1/0/1 in *pcmp, or -1 when not orderable */
	int (*cmp)(struct vobj *o, value other, int *pcmp);
	/* a copy of the object in arena a, for val_copy (its data may live in a shorter-lived
	 * arena); default: the same object */
	value (*copy)(struct arena *a, struct vobj *o);
	/* hash consistent with eq; default identity */
	uint64_t (*hash)(struct vobj *o);
	/* arithmetic with this object on either side of the operator: op is the Jinja engine's
	 * binary operator (0 '+', 1 '-', 2 '*', 3 '/', 4 '//', 5 '%', 6 '**'); V_UNDEF when the
	 * operation is not supported, so the usual TypeError is raised */
	value (*binop)(struct jj_vm *vm, int op, value a, value b);
	/* a read-only mapping whose items are its attributes (`is mapping` is true, `key in obj`
	 * and obj[key] look attributes up), like dbt's relation objects */
	bool mapping;
};

struct vobj {
	const struct vobj_class *cls;
	void *data;
};

/* --- constructors --- */
static inline value val_undef(void) { value v = {.type = V_UNDEF}; return v; }
static inline value val_none(void) { value v = {.type = V_NONE}; return v; }
static inline value val_bool(bool b) { value v = {.type = V_BOOL}; v.b = b; return v; }
static inline value val_int(int64_t i) { value v = {.type = V_INT}; v.i = i; return v; }
static inline value val_float(double f) { value v = {.type = V_FLOAT}; v.f = f; return v; }
/* a string slice that is not copied (must outlive the value) */
static inline value val_strn(const char *s, size_t n)
{
	value v = {.type = V_STR};
	v.s = s;
	v.len = (uint32_t)n;
	return v;
}
/* not copied; inline so that a literal's length is known when compiling */
static inline value val_str(const char *s) { return val_strn(s, strlen(s)); }
value val_str_dup(struct arena *a, const char *s, size_t n);   /* copied, NUL-terminated */
value val_str_fmt(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
value val_undef_named(const char *name, size_t n);
value val_list_new(struct arena *a, size_t cap);
value val_tuple_new(struct arena *a, size_t cap);
value val_dict_new(struct arena *a, size_t cap);
value val_func(struct arena *a, const char *name, vfunc_fn fn, void *ud);
value val_obj(struct arena *a, const struct vobj_class *cls, void *data);

static inline bool val_is_str(value v) { return v.type == V_STR; }
static inline bool val_is_undef(value v) { return v.type == V_UNDEF; }
static inline bool val_is_none(value v) { return v.type == V_NONE; }
static inline bool val_is_number(value v) { return v.type == V_INT || v.type == V_FLOAT; }
static inline bool val_is_callable(value v)
{
	return v.type == V_FUNC || (v.type == V_OBJ && v.o->cls->call);
}
/* The string's bytes as a NUL-terminated string, copying into `a` only when needed */
const char *val_cstr(struct arena *a, value v);
bool val_streq(value v, const char *s);

/* --- lists --- */
void val_list_push(value list, value item);
void val_list_insert(value list, size_t at, value item);
value val_list_pop(value list, size_t at);
static inline size_t val_len(value list) { return list.l->len; }
static inline value val_at(value list, size_t i) { return list.l->items[i]; }

/* --- dicts --- */
/* lookup by any key; returns V_UNDEF when absent */
value val_dict_get(value dict, value key);
value val_dict_getn(value dict, const char *key, size_t n);
/* lookup by string key (inline: a literal key's length is known when compiling) */
static inline value val_dict_gets(value dict, const char *key) { return val_dict_getn(dict, key, strlen(key)); }
/* lookup by string key whose hash, val_str_hash(key, n), is known (names pre-hashed at parse time) */
value val_dict_getnh(value dict, const char *key, size_t n, uint64_t hash);
/* index of the entry or -1 */
long val_dict_find(value dict, value key);
void val_dict_set(value dict, value key, value val);
/* dst, an empty dict, gets src's entries in an array of exactly their number (its own arena's) */
void val_dict_copy_exact(value dst, value src);
/* An empty dict takes `e` (n entries with distinct keys, in its arena or longer-lived) as its own */
void val_dict_adopt(value dst, struct ventry *e, uint32_t n);
/* key not copied */
static inline void val_dict_sets(value dict, const char *key, value val) { val_dict_set(dict, val_str(key), val); }
bool val_dict_del(value dict, value key);
/* Deep-merges src into dst: nested dicts merge, everything else replaces */
void val_dict_merge(struct arena *a, value dst, value src);

/* --- Python semantics --- */
bool val_truthy(value v);
bool val_eq(value a, value b);
/* ordering: returns -1/0/1 in *pcmp; -1 when the types cannot be ordered (Python TypeError) */
int val_cmp(value a, value b, int *pcmp);
uint64_t val_hash(value v);
/* val_hash() of a string with these bytes */
uint64_t val_str_hash(const char *s, size_t n);
const char *val_type_name(value v);
/* str(v) as Python prints it (None, True, 1.0, ['a', 1], {'a': 1}) appended to out */
void val_str_to(struct sb *out, value v);
/* repr(v) */
void val_repr_to(struct sb *out, value v);
/* Python's repr of a string with these bytes ('a', "it's", '\\n') */
void val_repr_str(struct sb *out, const char *s, size_t n);
/* Python's repr of a float ("1.0", "0.1", "1e+20") */
void val_float_repr(struct sb *out, double f);
/* str(v) in the arena */
value val_to_str(struct arena *a, value v);
/* Deep copy (lists and dicts) into another arena; strings are copied too */
value val_copy(struct arena *a, value v);
/* The lists and dicts of v copied into a, all the way down (objects through their copy hook);
 * strings and other values are shared */
value val_copy_containers(struct arena *a, value v);

/* --- JSON and YAML --- */
/*
 * JSON text to value (objects become dicts, in order). Returns 0, or -1 with a message in *perr
 * (arena-allocated) naming line and column.
 */
int val_from_json(struct arena *a, const char *text, size_t len, value *pv, char **perr);
/* value to JSON; `indent` 0 gives compact output with ", " and ": " like Python's json.dumps */
enum json_flags { VJSON_SORT_KEYS = 1, VJSON_COMPACT = 2, VJSON_ASCII = 4 };
int val_to_json(struct sb *out, value v, int indent, int flags);
/* n bytes of s as a JSON string, quoted (as val_to_json writes a string) */
void val_json_string(struct sb *out, const char *s, size_t n);
/*
 * YAML (one document) to value with locations: dict keylocs/vallocs and list locs are filled, so
 * errors can point into the file. `file` is a diag file id whose text is `text`. On error adds a
 * diagnostic at the offending line and column and returns -1. An empty document gives V_NONE.
 */
int val_from_yaml(struct arena *a, uint32_t file, const char *text, size_t len, value *pv,
		  struct diag_list *dl);
/* value to YAML block text (as PyYAML's safe_dump with sort_keys=False) */
void val_to_yaml(struct sb *out, value v);
/* The same with options: keys sorted, and lists indented under their key (PyYAML's safe_dump
 * defaults, and the dumper dbt writes packages.yml and package-lock.yml with) */
enum yaml_flags { VYAML_SORT_KEYS = 1, VYAML_INDENT_LISTS = 2 };
void val_to_yaml_ex(struct sb *out, value v, int flags);

#endif
