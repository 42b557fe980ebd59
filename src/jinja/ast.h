/*
 * Jinja syntax tree (internal to src/jinja/). The parser builds it in the template's arena; after
 * parsing it is read-only, so renders on several threads share it.
 *
 * Names are NUL-terminated copies made at parse time together with their val_str_hash(), so lookups
 * during a render never hash a name again. Filters and tests are resolved to their functions at parse
 * time when the environment knows them.
 */
#ifndef SLUICE_JINJA_AST_H
#define SLUICE_JINJA_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/diag.h"
#include "value/value.h"

struct jj_env;
struct jj_node;

struct jj_name {
	const char *s;  /* NUL-terminated */
	uint32_t len;
	uint64_t hash;  /* val_str_hash(s, len) */
};

struct jj_nodelist {
	struct jj_node **v;
	uint32_t n;
};

/* Arguments of a call, filter or test */
struct jj_callargs {
	struct jj_node **pos;
	uint32_t npos;
	uint32_t nkw;
	const char **kwnames;  /* NUL-terminated */
	struct jj_node **kw;
	struct jj_node *star;   /* *args or NULL */
	struct jj_node *dstar;  /* **kwargs or NULL */
};

/* A native filter or test */
struct jj_fn {
	vfunc_fn fn;
	void *ud;
};

enum jj_kind {
	/* expressions */
	N_CONST,
	N_NAME,
	N_LIST,
	N_TUPLE,
	N_DICT,
	N_GETATTR,
	N_GETITEM,
	N_SLICE,
	N_CALL,
	N_FILTER,
	N_TEST,
	N_BINOP,
	N_NEG,
	N_POS,
	N_NOT,
	N_AND,
	N_OR,
	N_COMPARE,
	N_CONCAT,
	N_CONDEXPR,
	N_NSREF,     /* assignment target ns.attr */
	/* statements */
	S_DATA,
	S_OUTPUT,    /* {{ expr }} */
	S_IF,
	S_FOR,
	S_SET,
	S_SETBLOCK,
	S_MACRO,
	S_CALLBLOCK,
	S_FILTERBLOCK,
	S_WITH,
	S_DO,
	S_INCLUDE,
	S_IMPORT,
	S_FROMIMPORT,
	S_EXTENDS,
	S_BLOCK,
	S_BREAK,
	S_CONTINUE,
	S_AUTOESCAPE,
	S_DOCS,      /* dbt {% docs %}: raw text, renders nothing */
	S_SNAPSHOT,  /* dbt {% snapshot %}: a named body, renders nothing in place */
};

enum jj_binop { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW };
enum jj_cmpop { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_IN, CMP_NOTIN };

/* flags of S_MACRO / S_CALLBLOCK (what the body uses) and S_BLOCK */
enum {
	MF_CALLER = 1,
	MF_VARARGS = 2,
	MF_KWARGS = 4,
	MF_DBT = 8,      /* materialization / test macro */
	BF_SCOPED = 16,
	BF_REQUIRED = 32,
	BF_SUPER = 64,   /* the block body mentions super */
	MF_CALLBLOCK = 128,  /* the body of a {% call %} block (return() passes through it) */
};

/* A macro signature and body (macro, call block caller, materialization, test) */
struct jj_macrodef {
	struct jj_name name;
	struct jj_name *params;
	struct jj_node **defaults;  /* ndefaults trailing params have defaults */
	uint32_t nparams, ndefaults;
	struct jj_nodelist body;
	uint32_t flags;
	const struct jj_template *tmpl;
};

struct jj_node {
	uint8_t kind;
	uint8_t op;
	uint16_t flags;
	struct loc loc;
	union {
		value cval;                    /* N_CONST */
		struct jj_name name;           /* N_NAME */
		struct jj_nodelist items;      /* N_LIST, N_TUPLE, N_CONCAT */
		struct {
			struct jj_nodelist keys, vals;
		} dict;
		struct {
			struct jj_node *obj;
			struct jj_name attr;
			int16_t meth;  /* method id (methods.c) or -1 */
		} getattr;                     /* N_GETATTR; N_NSREF uses obj as a N_NAME */
		struct {
			struct jj_node *obj, *key;
		} getitem;
		struct {
			struct jj_node *start, *stop, *step;
		} slice;
		struct {
			struct jj_node *fn;
			struct jj_callargs args;
		} call;
		struct {
			struct jj_node *subj;  /* NULL in filter blocks: the body */
			struct jj_name name;
			const struct jj_fn *fn;  /* NULL when unknown at parse time */
			int16_t builtin;         /* test id for the fast built-in tests, or -1 */
			struct jj_callargs args;
		} filter;                      /* N_FILTER, N_TEST */
		struct {
			struct jj_node *l, *r;
		} bin;                         /* N_BINOP, N_AND, N_OR; N_NEG/N_POS/N_NOT use l */
		struct {
			struct jj_node *first;
			struct jj_node **rest;
			uint8_t *ops;
			uint32_t n;
		} cmp;
		struct {
			struct jj_node *cond, *then, *orelse;  /* orelse may be NULL */
		} cexpr;

		struct {
			const char *text;
			uint32_t len;
		} data;                        /* S_DATA */
		struct jj_node *expr;          /* S_OUTPUT, S_DO, S_EXTENDS */
		struct {
			struct jj_node *cond;
			struct jj_nodelist body, orelse;
		} if_;
		struct {
			struct jj_node *target, *iter, *cond;
			struct jj_nodelist body, orelse;
			bool recursive;
		} for_;
		struct {
			struct jj_node *target, *value;   /* S_SET */
			struct jj_node *filter;           /* S_SETBLOCK: filter chain or NULL */
			struct jj_nodelist body;          /* S_SETBLOCK */
		} set;
		struct jj_macrodef *macro;     /* S_MACRO */
		struct {
			struct jj_macrodef *caller;
			struct jj_node *call;  /* N_CALL */
		} callblock;
		struct {
			struct jj_node *filter;  /* chain of N_FILTER ending in subj == NULL */
			struct jj_nodelist body;
		} filterblock;
		struct {
			struct jj_node **targets, **values;
			uint32_t n;
			struct jj_nodelist body;
		} with;
		struct {
			struct jj_node *tmpl;
			struct jj_name target;     /* S_IMPORT */
			struct jj_name *names, *aliases;  /* S_FROMIMPORT */
			uint32_t nnames;
			bool with_context, ignore_missing;
		} imp;                         /* S_INCLUDE, S_IMPORT, S_FROMIMPORT */
		struct {
			struct jj_name name;
			struct jj_nodelist body;
			const char *raw;  /* S_DOCS: the raw text; S_SNAPSHOT: the body's source text */
			uint32_t rawlen;
		} block;                       /* S_BLOCK, S_DOCS, S_SNAPSHOT */
		struct {
			struct jj_node *value;
			struct jj_nodelist body;
		} autoescape;
	};
};

/* A parsed template */
struct jj_template {
	struct jj_env *env;
	const char *name;
	uint32_t file;
	const char *src;
	size_t len;
	struct jj_nodelist body;
	struct jj_node **blocks;   /* every {% block %}, in order; names are unique */
	uint32_t nblocks;
	struct jj_node **defs;     /* top-level macro, materialization, test, docs, snapshot nodes */
	uint32_t ndefs;
	bool has_extends;
};

/* Parses a Jinja source into a template; see jj_parse in jinja.h */
int jj_parse_template(struct jj_env *env, struct arena *a, const char *name, uint32_t file,
		      const char *text, size_t len, struct jj_template **pt, struct diag_list *dl);

#endif
