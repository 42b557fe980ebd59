/*
 * Metadata of the PostgreSQL adapter: relations, columns, schemas and the docs catalog, all read
 * from pg_catalog, and the relation cache of a run.
 *
 * DESIGN (the relation cache)
 *  - A schema's relations are listed once, on the first look-up in it, and kept in a map shared by
 *    all connections (under the adapter's lock). Look-ups after that cost no round trip. A listing
 *    during which DDL went through the adapter may have missed it: it answers the look-up that made
 *    it but is not kept (locked_loaded).
 *  - The cache follows the DDL that goes through execute(): pg_cache_note_sql() reads the statements
 *    the materializations send (create table/view/materialized view, alter ... rename to, drop) and
 *    applies them. A drop with CASCADE may take dependent views of any schema with it, so it makes
 *    the cache forget everything; so does DDL on a name it cannot place (no schema given), and a
 *    rollback of a transaction that ran DDL (postgres.c). Forgetting only costs a new listing.
 *  - Relations are matched on their exact name first, then case-insensitively (dbt's quoting makes
 *    the exact match the usual one).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/postgres/internal.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

static const char *schema_or_default(struct adapter_conn *c, const char *schema)
{
	return schema && *schema ? schema : c->ad->schema;
}

static enum relation_type kind_type(const char *relkind)
{
	switch (relkind ? relkind[0] : '?') {
	case 'r':
	case 'p': return REL_TABLE;
	case 'v': return REL_VIEW;
	case 'm': return REL_MATERIALIZED_VIEW;
	case 'f': return REL_EXTERNAL;
	default: return REL_UNKNOWN;
	}
}

static const char *cell(const struct adapter_result *r, size_t row, size_t col, struct arena *a)
{
	value v = r->rows[row * r->ncols + col];
	return v.type == V_STR ? v.s : v.type == V_NONE ? NULL : val_cstr(a, val_to_str(a, v));
}

/* ================================================================ the cache */

static void schema_cache_free(struct pg_schema_cache *sc)
{
	map_release(&sc->rels);
	arena_release(&sc->names);
	free(sc);
}

void pg_cache_release(struct adapter *ad)
{
	struct map_slot *s;
	for (size_t i = 0; map_next(&ad->cache, &i, &s);)
		schema_cache_free(s->val);
	map_release(&ad->cache);
	arena_release(&ad->cache_arena);
}

void pg_cache_forget_all(struct adapter *ad)
{
	pthread_mutex_lock(&ad->lock);
	struct map_slot *s;
	for (size_t i = 0; map_next(&ad->cache, &i, &s);) {
		struct pg_schema_cache *sc = s->val;
		if (sc->loaded) {
			map_release(&sc->rels);
			map_init(&sc->rels);
			sc->loaded = false;
		}
	}
	pthread_mutex_unlock(&ad->lock);
}

/* The cache of schema (created empty, not loaded); the caller holds the lock */
static struct pg_schema_cache *schema_cache(struct adapter *ad, const char *schema)
{
	struct pg_schema_cache *sc = map_gets(&ad->cache, schema);
	if (!sc) {
		sc = xcalloc(1, sizeof(*sc));
		sc->schema = arena_strdup(&ad->cache_arena, schema);
		map_init(&sc->rels);
		arena_init(&sc->names, 4096);
		map_puts(&ad->cache, sc->schema, sc);
	}
	return sc;
}

/* Values are relation_type + 1, or GONE for a dropped name (the map has no delete). A key already
 * in the map keeps its first copy, so a name is interned once however often it comes back. */
#define GONE ((void *)(uintptr_t)0x100)

static void cache_put(struct pg_schema_cache *sc, const char *ident, enum relation_type t)
{
	void *val = (void *)(uintptr_t)(t + 1);
	map_puts(&sc->rels, map_gets(&sc->rels, ident) ? ident : arena_strdup(&sc->names, ident), val);
}

static void cache_del(struct pg_schema_cache *sc, const char *ident)
{
	if (map_gets(&sc->rels, ident))
		map_puts(&sc->rels, ident, GONE);
}

/* The type of a cached relation: 0 when absent, else relation_type + 1 */
static uintptr_t cache_type(struct pg_schema_cache *sc, const char *ident)
{
	void *v = map_gets(&sc->rels, ident);
	return v == GONE ? 0 : (uintptr_t)v;
}

/*
 * Returns with the adapter's lock held and *psc holding the relations of schema. Normally that is
 * the shared cache, listed once. When DDL went through the adapter while the listing ran (ddl_gen
 * moved), the listing may miss what that DDL did, so it is not installed: *psc is then a private
 * copy in *ptmp, right for this look-up only, which the caller releases after unlocking.
 */
static int locked_loaded(struct adapter_conn *c, const char *schema, struct pg_schema_cache **psc,
			 struct pg_schema_cache *ptmp, bool *pis_tmp, struct arena *a, char **perr)
{
	struct adapter *ad = c->ad;
	*pis_tmp = false;
	pthread_mutex_lock(&ad->lock);
	*psc = schema_cache(ad, schema);
	if ((*psc)->loaded)
		return 0;
	unsigned long gen = ad->ddl_gen;
	pthread_mutex_unlock(&ad->lock);
	const char *params[] = {schema};
	struct adapter_result r;
	if (pg_query_params(c,
			    "select c.relname, c.relkind::text from pg_catalog.pg_class c "
			    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			    "where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')",
			    params, 1, &r, a, perr) < 0)
		return -1;
	pthread_mutex_lock(&ad->lock);
	*psc = schema_cache(ad, schema);
	if ((*psc)->loaded)
		return 0;  /* another thread listed it meanwhile, and its notes since are in it */
	struct pg_schema_cache *sc = *psc;
	if (ad->ddl_gen != gen) {
		memset(ptmp, 0, sizeof(*ptmp));
		ptmp->schema = sc->schema;
		map_init(&ptmp->rels);
		arena_init(&ptmp->names, 1024);
		sc = ptmp;
		*psc = ptmp;
		*pis_tmp = true;
	} else {
		map_release(&sc->rels);
		map_init(&sc->rels);
		sc->loaded = true;
	}
	for (size_t i = 0; i < r.nrows; i++)
		cache_put(sc, cell(&r, i, 0, a), kind_type(cell(&r, i, 1, a)));
	return 0;
}

static void unlock_loaded(struct adapter *ad, struct pg_schema_cache *tmp, bool is_tmp)
{
	pthread_mutex_unlock(&ad->lock);
	if (is_tmp) {
		map_release(&tmp->rels);
		arena_release(&tmp->names);
	}
}

/* ---- reading the DDL that passes through execute() ---- */

struct tok {
	const char *p;
	size_t n;
	bool quoted;  /* "identifier" */
};

/* Next token of sql at *pp: a word, a "quoted identifier", or one punctuation character. Strings,
 * comments and dollar-quoted bodies are skipped. Returns false at the end. */
static bool next_tok(const char **pp, struct tok *t)
{
	const char *p = *pp;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		break;
	}
	if (!*p) {
		*pp = p;
		return false;
	}
	t->quoted = false;
	if (*p == '"') {
		const char *s = ++p;
		while (*p && !(p[0] == '"' && p[1] != '"'))
			p += p[0] == '"' ? 2 : 1;
		t->p = s;
		t->n = (size_t)(p - s);
		t->quoted = true;
		*pp = *p ? p + 1 : p;
		return true;
	}
	if (*p == '\'') {
		for (p++; *p && !(p[0] == '\'' && p[1] != '\''); p += p[0] == '\'' ? 2 : 1)
			;
		t->p = "'";
		t->n = 1;
		*pp = *p ? p + 1 : p;
		return true;
	}
	if (*p == '$') {
		const char *e = p + 1;
		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		if (*e == '$') {
			size_t tagn = (size_t)(e - p + 1);
			const char *end = e + 1;
			while (*end && strncmp(end, p, tagn))
				end++;
			t->p = "$";
			t->n = 1;
			*pp = *end ? end + tagn : end;
			return true;
		}
	}
	if (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
		const char *s = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || (unsigned char)*p >= 0x80)
			p++;
		t->p = s;
		t->n = (size_t)(p - s);
		*pp = p;
		return true;
	}
	t->p = p;
	t->n = 1;
	*pp = p + 1;
	return true;
}

static bool is_kw(const struct tok *t, const char *kw)
{
	return !t->quoted && strlen(kw) == t->n && !strncasecmp(t->p, kw, t->n);
}

/* A name as PostgreSQL reads it: quoted kept, bare folded to lower case */
static char *tok_name(const struct tok *t, struct arena *a)
{
	char *s = arena_strndup(a, t->p, t->n);
	if (t->quoted) {
		char *w = s;
		for (const char *r = s; *r; r++) {
			*w++ = *r;
			if (r[0] == '"' && r[1] == '"')
				r++;
		}
		*w = '\0';
	} else {
		for (char *q = s; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	return s;
}

#define MAX_TOKS 24

/* The tokens of each statement up to its first MAX_TOKS, handed to `apply` */
struct ddl {
	enum { DDL_NONE, DDL_CREATE, DDL_DROP, DDL_RENAME, DDL_FORGET } op;
	enum relation_type type;
	const char *schema, *ident, *to;
};

/* Parses "[db.]schema.name" starting at toks[*pi]; false when there is no schema part */
static bool qualified(struct tok *toks, int n, int *pi, struct arena *a, const char **pschema, const char **pident)
{
	int i = *pi;
	const char *parts[3];
	int np = 0;
	while (i < n && np < 3) {
		if (is_kw(&toks[i], "if") || (toks[i].n == 1 && !toks[i].quoted && !isalnum((unsigned char)toks[i].p[0]) &&
					      toks[i].p[0] != '_'))
			return false;
		parts[np++] = tok_name(&toks[i], a);
		i++;
		if (i < n && toks[i].n == 1 && toks[i].p[0] == '.' && !toks[i].quoted)
			i++;
		else
			break;
	}
	*pi = i;
	if (np < 2)
		return false;
	*pschema = parts[np - 2];
	*pident = parts[np - 1];
	return true;
}

static int rel_kind(struct tok *toks, int n, int *pi, enum relation_type *pt)
{
	int i = *pi;
	if (i < n && is_kw(&toks[i], "table")) {
		*pt = REL_TABLE;
		*pi = i + 1;
		return 1;
	}
	if (i < n && is_kw(&toks[i], "view")) {
		*pt = REL_VIEW;
		*pi = i + 1;
		return 1;
	}
	if (i + 1 < n && is_kw(&toks[i], "materialized") && is_kw(&toks[i + 1], "view")) {
		*pt = REL_MATERIALIZED_VIEW;
		*pi = i + 2;
		return 1;
	}
	return 0;
}

static struct ddl read_ddl(struct tok *toks, int n, bool no_dependents, struct arena *a)
{
	struct ddl d = {.op = DDL_NONE};
	int i = 0;
	if (n == 0)
		return d;
	if (is_kw(&toks[0], "create")) {
		i = 1;
		if (i + 1 < n && is_kw(&toks[i], "or") && is_kw(&toks[i + 1], "replace"))
			i += 2;
		bool temp = false;
		while (i < n && (is_kw(&toks[i], "temporary") || is_kw(&toks[i], "temp") || is_kw(&toks[i], "unlogged") ||
				 is_kw(&toks[i], "local") || is_kw(&toks[i], "global") || is_kw(&toks[i], "recursive"))) {
			temp = temp || is_kw(&toks[i], "temporary") || is_kw(&toks[i], "temp");
			i++;
		}
		if (!rel_kind(toks, n, &i, &d.type))
			return d;  /* index, schema, function...: no relation of a schema appears */
		if (temp)
			return d;
		if (i + 2 < n && is_kw(&toks[i], "if") && is_kw(&toks[i + 1], "not") && is_kw(&toks[i + 2], "exists"))
			i += 3;
		d.op = qualified(toks, n, &i, a, &d.schema, &d.ident) ? DDL_CREATE : DDL_FORGET;
		return d;
	}
	if (is_kw(&toks[0], "drop")) {
		i = 1;
		if (i < n && is_kw(&toks[i], "schema")) {
			d.op = DDL_FORGET;
			return d;
		}
		if (!rel_kind(toks, n, &i, &d.type))
			return d;
		if (i + 1 < n && is_kw(&toks[i], "if") && is_kw(&toks[i + 1], "exists"))
			i += 2;
		if (!qualified(toks, n, &i, a, &d.schema, &d.ident)) {
			d.op = DDL_FORGET;
			return d;
		}
		d.op = DDL_DROP;
		/* several names, or CASCADE (dependent views go too): start over, unless the relation was
		 * seen to have no dependants just before (pg_cache_before_sql) */
		for (; i < n; i++)
			if ((is_kw(&toks[i], "cascade") && !no_dependents) || (toks[i].n == 1 && toks[i].p[0] == ','))
				d.op = DDL_FORGET;
		return d;
	}
	if (is_kw(&toks[0], "alter")) {
		i = 1;
		if (i < n && is_kw(&toks[i], "schema")) {
			d.op = DDL_FORGET;
			return d;
		}
		if (!rel_kind(toks, n, &i, &d.type))
			return d;
		if (i + 1 < n && is_kw(&toks[i], "if") && is_kw(&toks[i + 1], "exists"))
			i += 2;
		if (!qualified(toks, n, &i, a, &d.schema, &d.ident))
			return d;  /* alter of an unqualified name: only renames matter, checked below */
		if (i + 2 < n && is_kw(&toks[i], "rename") && is_kw(&toks[i + 1], "to")) {
			d.to = tok_name(&toks[i + 2], a);
			d.op = DDL_RENAME;
		} else if (i + 1 < n && is_kw(&toks[i], "set") && is_kw(&toks[i + 1], "schema")) {
			d.op = DDL_FORGET;
		}
		return d;
	}
	return d;
}

struct pg_pending {
	struct arena arena;
	VEC(struct ddl) notes;
};

static void apply_ddl(struct adapter_conn *c, const struct ddl *d)
{
	struct adapter *ad = c->ad;
	if (d->op == DDL_NONE)
		return;
	c->touched_cache = true;
	PGTransactionStatusType ts = c->pg ? PQtransactionStatus(c->pg) : PQTRANS_IDLE;
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		if (!c->pending) {
			c->pending = xcalloc(1, sizeof(*c->pending));
			arena_init(&c->pending->arena, 1024);
		}
		struct arena *pa = &c->pending->arena;
		struct ddl keep = *d;
		keep.schema = d->schema ? arena_strdup(pa, d->schema) : NULL;
		keep.ident = d->ident ? arena_strdup(pa, d->ident) : NULL;
		keep.to = d->to ? arena_strdup(pa, d->to) : NULL;
		VEC_PUSH(&c->pending->notes, keep);
	}
	pthread_mutex_lock(&ad->lock);
	ad->ddl_gen++;
	pthread_mutex_unlock(&ad->lock);
	if (d->op == DDL_FORGET) {
		pg_cache_forget_all(ad);
		return;
	}
	pthread_mutex_lock(&ad->lock);
	struct pg_schema_cache *sc = map_gets(&ad->cache, d->schema);
	if (sc && sc->loaded) {
		switch (d->op) {
		case DDL_CREATE: cache_put(sc, d->ident, d->type); break;
		case DDL_DROP: cache_del(sc, d->ident); break;
		case DDL_RENAME:
			/* the type is the statement's (alter view/table/materialized view), so that
			 * applying the transaction's DDL again at commit gives the same answer */
			cache_del(sc, d->ident);
			cache_put(sc, d->to, d->type);
			break;
		default: break;
		}
	}
	pthread_mutex_unlock(&ad->lock);
}

/* True when sql holds one of the words that start DDL: most SQL (selects, inserts) holds none */
static bool may_hold_ddl(const char *sql)
{
	static const char *const words[] = {"create", "drop", "alter"};
	for (const char *p = sql; *p; p++) {
		if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		for (size_t w = 0; w < 3; w++) {
			size_t n = strlen(words[w]);
			if (!strncasecmp(p, words[w], n) && !isalnum((unsigned char)p[n]) && p[n] != '_')
				return true;
		}
	}
	return false;
}

void pg_cache_txn_end(struct adapter_conn *c, bool committed)
{
	struct pg_pending *p = c->pending;
	if (!p)
		return;
	c->pending = NULL;
	if (committed) {
		for (size_t i = 0; i < p->notes.n; i++)
			apply_ddl(c, &p->notes.v[i]);
		/* what apply_ddl just recorded again is not pending: the transaction is over */
		if (c->pending) {
			VEC_FREE(&c->pending->notes);
			arena_release(&c->pending->arena);
			free(c->pending);
			c->pending = NULL;
		}
	}
	VEC_FREE(&p->notes);
	arena_release(&p->arena);
	free(p);
}

void pg_cache_note_sql(struct adapter_conn *c, const char *sql)
{
	if (!may_hold_ddl(sql))
		return;
	struct arena a;
	arena_init(&a, 1024);
	const char *p = sql;
	struct tok toks[MAX_TOKS], t;
	int n = 0;
	bool more = true;
	while (more) {
		more = next_tok(&p, &t);
		if (!more || (t.n == 1 && t.p[0] == ';' && !t.quoted)) {
			struct ddl d = read_ddl(toks, n, c->no_dependents, &a);
			apply_ddl(c, &d);
			n = 0;
			continue;
		}
		if (n < MAX_TOKS)
			toks[n++] = t;
	}
	arena_release(&a);
	c->no_dependents = false;
}

/*
 * Before a lone DROP ... CASCADE: whether anything depends on the relation (views, materialized
 * views, at any depth). When nothing does, the drop takes only that relation and the cache keeps
 * everything else, which saves the next model a listing of the schema.
 */
void pg_cache_before_sql(struct adapter_conn *c, const char *sql)
{
	c->no_dependents = false;
	if (strncasecmp(sql + strspn(sql, " \t\r\n"), "drop", 4) || strchr(sql, ';'))
		return;
	struct arena a;
	arena_init(&a, 1024);
	const char *p = sql;
	struct tok toks[MAX_TOKS], t;
	int n = 0;
	while (next_tok(&p, &t) && n < MAX_TOKS)
		toks[n++] = t;
	struct ddl d = read_ddl(toks, n, false, &a);
	struct ddl plain = read_ddl(toks, n, true, &a);
	if (d.op == DDL_FORGET && plain.op == DDL_DROP && c->pg) {
		const char *params[] = {plain.schema, plain.ident};
		struct adapter_result r;
		char *err = NULL;
		if (pg_query_params(c,
				    "with recursive dep(oid) as ("
				    " select c.oid from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
				    " on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2"
				    " union select rw.ev_class from pg_catalog.pg_depend dp"
				    " join pg_catalog.pg_rewrite rw on rw.oid = dp.objid"
				    " join dep on dp.refobjid = dep.oid where rw.ev_class <> dep.oid)"
				    " select count(*) from dep",
				    params, 2, &r, &a, &err) == 0 &&
		    r.nrows == 1 && r.rows[0].type == V_INT && r.rows[0].i <= 1)
			c->no_dependents = true;
	}
	arena_release(&a);
}

/* ================================================================ look-ups */

int pg_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
		    struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr)
{
	*pfound = false;
	struct adapter *ad = c->ad;
	schema = schema_or_default(c, schema);
	struct pg_schema_cache *sc, tmp;
	bool is_tmp;
	if (locked_loaded(c, schema, &sc, &tmp, &is_tmp, a, perr) < 0)
		return -1;
	const char *name = identifier;
	uintptr_t t = cache_type(sc, identifier);
	if (!t) {
		/* an unquoted name in a project meets a relation PostgreSQL folded to lower case */
		struct map_slot *s;
		for (size_t i = 0; map_next(&sc->rels, &i, &s);)
			if (s->val != GONE && !strcasecmp(s->key, identifier)) {
				name = s->key;
				t = (uintptr_t)s->val;
				break;
			}
	}
	if (t) {
		prel->database = ad->database;
		prel->schema = arena_strdup(a, sc->schema);
		prel->identifier = arena_strdup(a, name);
		prel->type = (enum relation_type)(t - 1);
		*pfound = true;
	}
	unlock_loaded(ad, &tmp, is_tmp);
	(void)database;  /* one database a connection: PostgreSQL cannot look into another */
	return 0;
}

static int cmp_rel(const void *x, const void *y)
{
	return strcmp(((const struct adapter_relation *)x)->identifier, ((const struct adapter_relation *)y)->identifier);
}

int pg_list_relations(struct adapter_conn *c, const char *database, const char *schema,
		      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	*prels = NULL;
	*pn = 0;
	struct adapter *ad = c->ad;
	schema = schema_or_default(c, schema);
	struct pg_schema_cache *sc, tmp;
	bool is_tmp;
	if (locked_loaded(c, schema, &sc, &tmp, &is_tmp, a, perr) < 0)
		return -1;
	struct adapter_relation *rels = ARENA_ARRAY(a, struct adapter_relation, sc->rels.len + 1);
	size_t n = 0;
	struct map_slot *s;
	for (size_t i = 0; map_next(&sc->rels, &i, &s);) {
		if (s->val == GONE)
			continue;
		rels[n].database = ad->database;
		rels[n].schema = arena_strdup(a, sc->schema);
		rels[n].identifier = arena_strdup(a, s->key);
		rels[n].type = (enum relation_type)((uintptr_t)s->val - 1);
		n++;
	}
	unlock_loaded(ad, &tmp, is_tmp);
	qsort(rels, n, sizeof(*rels), cmp_rel);
	*prels = rels;
	*pn = n;
	(void)database;
	return 0;
}

int pg_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		   size_t *pn, struct arena *a, char **perr)
{
	*pcols = NULL;
	*pn = 0;
	const char *schema = schema_or_default(c, rel->schema);
	/* the exact name, else the one relation whose name matches in any case */
	const char *params[] = {schema, rel->identifier};
	struct adapter_result r;
	if (pg_query_params(c,
			    "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
			    "pg_catalog.col_description(c.oid, a.attnum) "
			    "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			    "join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
			    "and not a.attisdropped "
			    "where n.nspname = $1 and c.relname = (select c2.relname from pg_catalog.pg_class c2 "
			    "where c2.relnamespace = n.oid and lower(c2.relname) = lower($2) "
			    "order by c2.relname = $2 desc limit 1) "
			    "order by a.attnum",
			    params, 2, &r, a, perr) < 0)
		return -1;
	struct adapter_column *cols = ARENA_ARRAY(a, struct adapter_column, r.nrows ? r.nrows : 1);
	for (size_t i = 0; i < r.nrows; i++) {
		cols[i].name = cell(&r, i, 0, a);
		cols[i].type = cell(&r, i, 1, a);
		cols[i].comment = cell(&r, i, 2, a);
	}
	*pcols = cols;
	*pn = r.nrows;
	return 0;
}

int pg_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
		     char **perr)
{
	schema = schema_or_default(c, schema);
	const char *params[] = {schema};
	struct adapter_result r;
	/* CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database: look first */
	if (pg_query_params(c, "select 1 from pg_catalog.pg_namespace where nspname = $1", params, 1, &r, a, perr) < 0)
		return -1;
	if (r.nrows)
		return 0;
	struct sb q = SB_INIT;
	(void)sb_adds(&q, "create schema if not exists ");
	pg_quote_ident(&q, schema);
	int rc = pg_query_params(c, q.buf, NULL, 0, NULL, a, perr);
	sb_release(&q);
	(void)database;
	return rc;
}

/* ================================================================ docs catalog */

static void add_stat(value stats, struct arena *a, const char *id, const char *label, value v, const char *desc,
		     bool include)
{
	value s = val_dict_new(a, 5);
	val_dict_sets(s, "id", val_str(id));
	val_dict_sets(s, "label", val_str(label));
	val_dict_sets(s, "value", v);
	val_dict_sets(s, "include", val_bool(include));
	val_dict_sets(s, "description", val_str(desc));
	val_dict_sets(stats, id, s);
}

int pg_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
	       struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr)
{
	*ptables = NULL;
	*pn = 0;
	if (nschemas == 0)
		return 0;
	struct sb q = SB_INIT;
	(void)sb_adds(&q, "select n.nspname, c.relname, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner), "
			  "pg_catalog.obj_description(c.oid, 'pg_class'), a.attname, "
			  "pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.col_description(c.oid, a.attnum), "
			  "c.reltuples::bigint, "
			  "case when c.relkind in ('r', 'p', 'm') then pg_catalog.pg_total_relation_size(c.oid) end "
			  "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			  "left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
			  "and not a.attisdropped "
			  "where c.relkind in ('r', 'p', 'v', 'm', 'f') and lower(n.nspname) in (");
	const char **params = ARENA_ARRAY(a, const char *, nschemas);
	for (size_t i = 0; i < nschemas; i++) {
		(void)sb_addf(&q, "%slower($%zu)", i ? ", " : "", i + 1);
		params[i] = schemas[i];
	}
	(void)sb_adds(&q, ") order by n.nspname, c.relname, a.attnum");
	struct adapter_result r;
	int rc = pg_query_params(c, q.buf, params, (int)nschemas, &r, a, perr);
	sb_release(&q);
	if (rc < 0)
		return -1;
	size_t nt = 0;
#define SAME(i, k) (val_eq(r.rows[(i) * r.ncols + 0], r.rows[(k) * r.ncols + 0]) && \
		    val_eq(r.rows[(i) * r.ncols + 1], r.rows[(k) * r.ncols + 1]))
	for (size_t i = 0; i < r.nrows; i++)
		if (i == 0 || !SAME(i, i - 1))
			nt++;
	struct adapter_catalog_table *tabs = ARENA_ARRAY(a, struct adapter_catalog_table, nt ? nt : 1);
	struct adapter_catalog_table *t = NULL;
	for (size_t i = 0; i < r.nrows; i++) {
		if (i == 0 || !SAME(i, i - 1)) {
			t = t ? t + 1 : tabs;
			t->rel.database = c->ad->database;
			t->rel.schema = cell(&r, i, 0, a);
			t->rel.identifier = cell(&r, i, 1, a);
			t->rel.type = kind_type(cell(&r, i, 2, a));
			t->owner = cell(&r, i, 3, a);
			t->comment = cell(&r, i, 4, a);
			size_t nc = 0;
			for (size_t k = i; k < r.nrows && SAME(k, i); k++)
				nc += r.rows[k * r.ncols + 5].type != V_NONE;
			t->cols = ARENA_ARRAY(a, struct adapter_column, nc ? nc : 1);
			t->ncols = 0;
			/* row counts are the planner's (known once the table was analyzed); sizes are exact */
			value stats = val_dict_new(a, 3);
			value rows = r.rows[i * r.ncols + 8], bytes = r.rows[i * r.ncols + 9];
			bool any = false;
			if (rows.type == V_INT && rows.i >= 0 && t->rel.type != REL_VIEW) {
				add_stat(stats, a, "num_rows", "# Rows", rows, "Approximate count of rows in this table", true);
				any = true;
			}
			if (bytes.type == V_INT) {
				add_stat(stats, a, "num_bytes", "Approximate Size", bytes,
					 "Size of the table on disk, indexes and TOAST included", true);
				any = true;
			}
			add_stat(stats, a, "has_stats", "Has Stats?", val_bool(any),
				 "Indicates whether there are statistics for this table", false);
			t->stats = stats;
		}
		if (r.rows[i * r.ncols + 5].type == V_NONE)
			continue;
		struct adapter_column *col = &t->cols[t->ncols++];
		col->name = cell(&r, i, 5, a);
		col->type = cell(&r, i, 6, a);
		col->comment = cell(&r, i, 7, a);
	}
#undef SAME
	*ptables = tabs;
	*pn = nt;
	(void)database;
	return 0;
}
