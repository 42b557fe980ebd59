/*
 * The relation cache shared by the SQL adapters: see relcache.h for its design.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/adapter.h"
#include "adapters/relcache.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"

/* One relation as last seen; `gone` once dropped (the map has no delete) */
struct rc_entry {
	const char *name;
	enum relation_type type;
	bool gone;
};

/* The relations of one schema; `loaded` once listed */
struct relcache_schema {
	const char *database;  /* as the catalog spells it once listed, else as first named (NULL: the default) */
	const char *schema;
	bool loaded;
	struct map rels;  /* key (the name, lower case when case_insensitive) -> struct rc_entry * */
	struct arena names;
};

void relcache_init(struct relcache *rc, const struct relcache_rules *rules, const char *default_database)
{
	memset(rc, 0, sizeof(*rc));
	rc->rules = *rules;
	arena_init(&rc->arena, 4096);
	rc->default_database = default_database ? arena_strdup(&rc->arena, default_database) : NULL;
	pthread_mutex_init(&rc->lock, NULL);
	map_init(&rc->schemas);
}

static void schema_free(struct relcache_schema *sc)
{
	map_release(&sc->rels);
	arena_release(&sc->names);
	free(sc);
}

void relcache_release(struct relcache *rc)
{
	struct map_slot *s;
	for (size_t i = 0; map_next(&rc->schemas, &i, &s);)
		schema_free(s->val);
	map_release(&rc->schemas);
	pthread_mutex_destroy(&rc->lock);
	arena_release(&rc->arena);
}

static void forget_locked(struct relcache *rc)
{
	struct map_slot *s;
	for (size_t i = 0; map_next(&rc->schemas, &i, &s);) {
		struct relcache_schema *sc = s->val;
		if (sc->loaded) {
			map_release(&sc->rels);
			map_init(&sc->rels);
			sc->loaded = false;
		}
	}
}

void relcache_forget_all(struct relcache *rc)
{
	pthread_mutex_lock(&rc->lock);
	forget_locked(rc);
	rc->ddl_gen++;
	pthread_mutex_unlock(&rc->lock);
}

/* The map key of a name: lower case when names match in any case */
static const char *name_key(const struct relcache *rc, const char *name, struct arena *a)
{
	if (!rc->rules.case_insensitive)
		return name;
	char *k = arena_strdup(a, name);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

static const char *schema_key(const struct relcache *rc, const char *database, const char *schema,
			      struct arena *a)
{
	if (!rc->rules.keyed_by_database)
		return name_key(rc, schema, a);
	if (!database || !*database)
		database = rc->default_database ? rc->default_database : "";
	return name_key(rc, arena_sprintf(a, "%s\x1f%s", database, schema), a);
}

/* The cache of a schema (created empty, not loaded); the caller holds the lock */
static struct relcache_schema *schema_of(struct relcache *rc, const char *database, const char *schema,
					 struct arena *tmp)
{
	const char *key = schema_key(rc, database, schema, tmp);
	struct relcache_schema *sc = map_gets(&rc->schemas, key);
	if (!sc) {
		sc = xcalloc(1, sizeof(*sc));
		sc->database = database && *database ? arena_strdup(&rc->arena, database) : NULL;
		sc->schema = arena_strdup(&rc->arena, schema);
		map_init(&sc->rels);
		arena_init(&sc->names, 4096);
		map_puts(&rc->schemas, arena_strdup(&rc->arena, key), sc);
	}
	return sc;
}

static void entry_put(const struct relcache *rc, struct relcache_schema *sc, const char *name,
		      enum relation_type t)
{
	bool ci = rc->rules.case_insensitive;
	const char *key = name_key(rc, name, &sc->names);
	struct rc_entry *e = map_gets(&sc->rels, key);
	if (!e) {
		e = ARENA_NEW(&sc->names, struct rc_entry);
		const char *stored = ci ? key : arena_strdup(&sc->names, name);
		map_puts(&sc->rels, stored, e);
		e->name = ci ? arena_strdup(&sc->names, name) : stored;
	} else if (ci && strcmp(e->name, name)) {
		e->name = arena_strdup(&sc->names, name);  /* created again with another case */
	}
	e->type = t;
	e->gone = false;
}

static struct rc_entry *entry_get(const struct relcache *rc, struct relcache_schema *sc, const char *name,
				  struct arena *tmp)
{
	struct rc_entry *e = map_gets(&sc->rels, name_key(rc, name, tmp));
	if (e && !e->gone)
		return e;
	if (rc->rules.case_insensitive)
		return NULL;
	/* an unquoted name in a project meets a relation the engine folded to lower case */
	struct map_slot *s;
	for (size_t i = 0; map_next(&sc->rels, &i, &s);) {
		struct rc_entry *x = s->val;
		if (!x->gone && !strcasecmp(x->name, name))
			return x;
	}
	return NULL;
}

static void entry_del(const struct relcache *rc, struct relcache_schema *sc, const char *name, struct arena *tmp)
{
	struct rc_entry *e = map_gets(&sc->rels, name_key(rc, name, tmp));
	if (e)
		e->gone = true;
}

/*
 * Returns with the lock held and *psc holding the relations of the schema. Normally that is the
 * shared cache, listed once. When DDL went through while the listing ran (ddl_gen moved), the
 * listing may miss what that DDL did, so it is not installed: *psc is then a private copy in *ptmp,
 * right for this look-up only, which the caller releases after unlocking (unlock_loaded).
 */
static int locked_loaded(struct relcache *rc, relcache_lister list, struct adapter_conn *c, const char *database,
			 const char *schema, struct relcache_schema **psc, struct relcache_schema *ptmp,
			 bool *pis_tmp, struct arena *a, char **perr)
{
	*pis_tmp = false;
	pthread_mutex_lock(&rc->lock);
	*psc = schema_of(rc, database, schema, a);
	if ((*psc)->loaded)
		return 0;
	unsigned long gen = rc->ddl_gen;
	pthread_mutex_unlock(&rc->lock);
	struct adapter_relation *rels;
	size_t n;
	if (list(c, database, schema, &rels, &n, a, perr) < 0)
		return -1;
	pthread_mutex_lock(&rc->lock);
	rc->listings++;
	struct relcache_schema *sc = schema_of(rc, database, schema, a);
	*psc = sc;
	if (sc->loaded)
		return 0;  /* another thread listed it meanwhile, and its notes since are in it */
	if (rc->ddl_gen != gen) {
		memset(ptmp, 0, sizeof(*ptmp));
		ptmp->database = sc->database;
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
	for (size_t i = 0; i < n; i++)
		entry_put(rc, sc, rels[i].identifier, rels[i].type);
	if (n && rels[0].schema && rels[0].database && (!sc->database || strcmp(sc->database, rels[0].database) ||
							strcmp(sc->schema, rels[0].schema))) {
		/* answers name the schema as the catalog spells it */
		struct relcache_schema *shared = schema_of(rc, database, schema, a);
		shared->database = arena_strdup(&rc->arena, rels[0].database);
		shared->schema = arena_strdup(&rc->arena, rels[0].schema);
		sc->database = shared->database;
		sc->schema = shared->schema;
	}
	log_msg(LOG_DEBUG, "relation cache: listed schema '%s' (%zu relations)", schema, n);
	return 0;
}

static void unlock_loaded(struct relcache *rc, struct relcache_schema *tmp, bool is_tmp)
{
	pthread_mutex_unlock(&rc->lock);
	if (is_tmp) {
		map_release(&tmp->rels);
		arena_release(&tmp->names);
	}
}

int relcache_get(struct relcache *rc, relcache_lister list, struct adapter_conn *c, const char *database,
		 const char *schema, const char *identifier, struct adapter_relation *prel, bool *pfound,
		 struct arena *a, char **perr)
{
	*pfound = false;
	struct relcache_schema *sc, tmp;
	bool is_tmp;
	if (locked_loaded(rc, list, c, database, schema, &sc, &tmp, &is_tmp, a, perr) < 0)
		return -1;
	struct rc_entry *e = entry_get(rc, sc, identifier, a);
	if (e) {
		prel->database = sc->database ? arena_strdup(a, sc->database)
				 : database && *database ? arena_strdup(a, database) : rc->default_database;
		prel->schema = arena_strdup(a, sc->schema);
		prel->identifier = arena_strdup(a, e->name);
		prel->type = e->type;
		*pfound = true;
	}
	unlock_loaded(rc, &tmp, is_tmp);
	return 0;
}

static int cmp_rel(const void *x, const void *y)
{
	return strcmp(((const struct adapter_relation *)x)->identifier, ((const struct adapter_relation *)y)->identifier);
}

int relcache_list(struct relcache *rc, relcache_lister list, struct adapter_conn *c, const char *database,
		  const char *schema, struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	*prels = NULL;
	*pn = 0;
	struct relcache_schema *sc, tmp;
	bool is_tmp;
	if (locked_loaded(rc, list, c, database, schema, &sc, &tmp, &is_tmp, a, perr) < 0)
		return -1;
	struct adapter_relation *rels = ARENA_ARRAY(a, struct adapter_relation, sc->rels.len + 1);
	size_t n = 0;
	struct map_slot *s;
	for (size_t i = 0; map_next(&sc->rels, &i, &s);) {
		struct rc_entry *e = s->val;
		if (e->gone)
			continue;
		rels[n].database = sc->database ? arena_strdup(a, sc->database)
				   : database && *database ? arena_strdup(a, database) : rc->default_database;
		rels[n].schema = arena_strdup(a, sc->schema);
		rels[n].identifier = arena_strdup(a, e->name);
		rels[n].type = e->type;
		n++;
	}
	unlock_loaded(rc, &tmp, is_tmp);
	qsort(rels, n, sizeof(*rels), cmp_rel);
	*prels = rels;
	*pn = n;
	return 0;
}

/* ================================================================ reading DDL */

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

/* A name as the engine reads it: quoted kept (doubled quotes undone), bare folded to lower case
 * when `fold` (PostgreSQL) or kept as written (DuckDB keeps the case and matches in any case) */
static char *tok_name(const struct tok *t, bool fold, struct arena *a)
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
	} else if (fold) {
		for (char *q = s; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	return s;
}

#define MAX_TOKS 24

enum ddl_op { DDL_NONE, DDL_CREATE, DDL_DROP, DDL_RENAME, DDL_FORGET, DDL_BEGIN, DDL_COMMIT, DDL_ROLLBACK };

struct ddl {
	enum ddl_op op;
	enum relation_type type;
	const char *database, *schema, *ident, *to;
};

/* Parses "[db.]schema.name" starting at toks[*pi]; false when there is no schema part */
static bool qualified(struct tok *toks, int n, int *pi, bool fold, struct arena *a, struct ddl *d)
{
	int i = *pi;
	const char *parts[3];
	int np = 0;
	while (i < n && np < 3) {
		if (is_kw(&toks[i], "if") || (toks[i].n == 1 && !toks[i].quoted && !isalnum((unsigned char)toks[i].p[0]) &&
					      toks[i].p[0] != '_'))
			return false;
		parts[np++] = tok_name(&toks[i], fold, a);
		i++;
		if (i < n && toks[i].n == 1 && toks[i].p[0] == '.' && !toks[i].quoted)
			i++;
		else
			break;
	}
	*pi = i;
	if (np < 2)
		return false;
	d->database = np == 3 ? parts[0] : NULL;
	d->schema = parts[np - 2];
	d->ident = parts[np - 1];
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

static struct ddl read_ddl(const struct relcache_rules *rules, struct tok *toks, int n, bool no_dependents,
			   struct arena *a)
{
	struct ddl d = {.op = DDL_NONE};
	bool fold = !rules->case_insensitive;
	int i = 0;
	if (n == 0)
		return d;
	if (is_kw(&toks[0], "begin") || (n > 1 && is_kw(&toks[0], "start") && is_kw(&toks[1], "transaction"))) {
		d.op = DDL_BEGIN;
		return d;
	}
	if (is_kw(&toks[0], "commit") || is_kw(&toks[0], "end")) {
		d.op = DDL_COMMIT;
		return d;
	}
	if (is_kw(&toks[0], "rollback") || is_kw(&toks[0], "abort")) {
		d.op = DDL_ROLLBACK;
		return d;
	}
	if (is_kw(&toks[0], "attach") || is_kw(&toks[0], "detach") || is_kw(&toks[0], "import") ||
	    is_kw(&toks[0], "use")) {
		d.op = rules->keyed_by_database ? DDL_FORGET : DDL_NONE;
		return d;
	}
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
		d.op = qualified(toks, n, &i, fold, a, &d) ? DDL_CREATE : DDL_FORGET;
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
		if (!qualified(toks, n, &i, fold, a, &d)) {
			d.op = DDL_FORGET;
			return d;
		}
		d.op = DDL_DROP;
		/* several names, or CASCADE where dependent views go too: start over, unless the relation
		 * was seen to have no dependants just before (relcache_lone_drop_cascade) */
		for (; i < n; i++)
			if ((is_kw(&toks[i], "cascade") && !no_dependents && !rules->cascade_local) ||
			    (toks[i].n == 1 && toks[i].p[0] == ','))
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
		if (!qualified(toks, n, &i, fold, a, &d)) {
			/* an unqualified name: only a rename matters */
			for (; i < n; i++)
				if (is_kw(&toks[i], "rename"))
					d.op = DDL_FORGET;
			return d;
		}
		if (i + 2 < n && is_kw(&toks[i], "rename") && is_kw(&toks[i + 1], "to")) {
			d.to = tok_name(&toks[i + 2], fold, a);
			d.op = DDL_RENAME;
		} else if (i + 1 < n && is_kw(&toks[i], "set") && is_kw(&toks[i + 1], "schema")) {
			d.op = DDL_FORGET;
		}
		return d;
	}
	return d;
}

struct relcache_pending {
	struct arena arena;
	VEC(struct ddl) notes;
};

static void pending_free(struct relcache_pending *p)
{
	if (!p)
		return;
	VEC_FREE(&p->notes);
	arena_release(&p->arena);
	free(p);
}

void relcache_conn_release(struct relcache_conn *cs)
{
	pending_free(cs->pending);
	cs->pending = NULL;
}

static void apply_ddl(struct relcache *rc, struct relcache_conn *cs, const struct ddl *d)
{
	if (d->op == DDL_NONE || d->op == DDL_BEGIN || d->op == DDL_COMMIT || d->op == DDL_ROLLBACK)
		return;
	if (cs->in_txn) {
		cs->touched = true;
		if (!cs->pending) {
			cs->pending = xcalloc(1, sizeof(*cs->pending));
			arena_init(&cs->pending->arena, 1024);
		}
		struct arena *pa = &cs->pending->arena;
		struct ddl keep = *d;
		keep.database = d->database ? arena_strdup(pa, d->database) : NULL;
		keep.schema = d->schema ? arena_strdup(pa, d->schema) : NULL;
		keep.ident = d->ident ? arena_strdup(pa, d->ident) : NULL;
		keep.to = d->to ? arena_strdup(pa, d->to) : NULL;
		VEC_PUSH(&cs->pending->notes, keep);
	}
	pthread_mutex_lock(&rc->lock);
	rc->ddl_gen++;
	if (d->op == DDL_FORGET) {
		forget_locked(rc);
		pthread_mutex_unlock(&rc->lock);
		return;
	}
	struct arena tmp;
	arena_init(&tmp, 256);
	struct relcache_schema *sc = map_gets(&rc->schemas, schema_key(rc, d->database, d->schema, &tmp));
	if (sc && sc->loaded) {
		switch (d->op) {
		case DDL_CREATE: entry_put(rc, sc, d->ident, d->type); break;
		case DDL_DROP: entry_del(rc, sc, d->ident, &tmp); break;
		case DDL_RENAME:
			/* the type is the statement's (alter view/table/materialized view), so that applying
			 * the transaction's DDL again at commit gives the same answer */
			entry_del(rc, sc, d->ident, &tmp);
			entry_put(rc, sc, d->to, d->type);
			break;
		default: break;
		}
	}
	pthread_mutex_unlock(&rc->lock);
	arena_release(&tmp);
}

/* True when sql holds one of the words that start DDL or end a transaction: most SQL (selects,
 * inserts) holds none */
static bool may_matter(const struct relcache *rc, const char *sql)
{
	static const char *const words[] = {"create", "drop",     "alter", "begin",  "start", "commit",
					    "rollback", "abort", "attach", "detach", "import", "use"};
	size_t nw = rc->rules.txn_from_sql || rc->rules.keyed_by_database ? sizeof(words) / sizeof(words[0]) : 3;
	for (const char *p = sql; *p; p++) {
		if (!isalpha((unsigned char)*p) || (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
			continue;
		for (size_t w = 0; w < nw; w++) {
			size_t n = strlen(words[w]);
			if (!strncasecmp(p, words[w], n) && !isalnum((unsigned char)p[n]) && p[n] != '_')
				return true;
		}
	}
	return false;
}

void relcache_txn_end(struct relcache *rc, struct relcache_conn *cs, bool committed)
{
	struct relcache_pending *p = cs->pending;
	cs->pending = NULL;
	cs->in_txn = false;
	if (committed && p) {
		for (size_t i = 0; i < p->notes.n; i++)
			apply_ddl(rc, cs, &p->notes.v[i]);
	}
	pending_free(p);
	if (!committed && cs->touched)
		relcache_forget_all(rc);  /* what the transaction created, renamed or dropped is undone */
	cs->touched = false;
}

void relcache_note_sql(struct relcache *rc, struct relcache_conn *cs, const char *sql, bool ok)
{
	bool nd = cs->no_dependents;
	cs->no_dependents = false;
	if (!may_matter(rc, sql))
		return;
	if (!ok) {
		/* some of it may have gone through (or the cache was wrong: a relation made behind its
		 * back): look again */
		relcache_forget_all(rc);
		return;
	}
	struct arena a;
	arena_init(&a, 1024);
	const char *p = sql;
	struct tok toks[MAX_TOKS], t;
	int n = 0;
	bool more = true;
	while (more) {
		more = next_tok(&p, &t);
		if (!more || (t.n == 1 && t.p[0] == ';' && !t.quoted)) {
			struct ddl d = read_ddl(&rc->rules, toks, n, nd, &a);
			n = 0;
			if (rc->rules.txn_from_sql && d.op == DDL_BEGIN)
				cs->in_txn = true;
			else if (rc->rules.txn_from_sql && (d.op == DDL_COMMIT || d.op == DDL_ROLLBACK))
				relcache_txn_end(rc, cs, d.op == DDL_COMMIT);
			else
				apply_ddl(rc, cs, &d);
			continue;
		}
		if (n < MAX_TOKS)
			toks[n++] = t;
	}
	arena_release(&a);
}

bool relcache_lone_drop_cascade(const char *sql, const char **pschema, const char **pident, struct arena *a)
{
	sql = adapter_sql_body(sql);  /* past the query comment */
	if (strncasecmp(sql, "drop", 4) || strchr(sql, ';'))
		return false;
	const char *p = sql;
	struct tok toks[MAX_TOKS], t;
	int n = 0;
	while (next_tok(&p, &t) && n < MAX_TOKS)
		toks[n++] = t;
	struct relcache_rules pg = {0};
	struct ddl d = read_ddl(&pg, toks, n, false, a);
	struct ddl plain = read_ddl(&pg, toks, n, true, a);
	if (d.op != DDL_FORGET || plain.op != DDL_DROP)
		return false;
	*pschema = plain.schema;
	*pident = plain.ident;
	return true;
}

/* ================================================================ adapter.cache_* */

static void note_rel(struct relcache *rc, struct relcache_conn *cs, enum ddl_op op, const struct adapter_relation *rel,
		     const char *to)
{
	if (!rel->schema || !rel->identifier)
		return;
	struct ddl d = {.op = op,
			.type = rel->type,
			.database = rel->database,
			.schema = rel->schema,
			.ident = rel->identifier,
			.to = to};
	apply_ddl(rc, cs, &d);
}

void relcache_added(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *rel)
{
	note_rel(rc, cs, DDL_CREATE, rel, NULL);
}

void relcache_dropped(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *rel)
{
	note_rel(rc, cs, DDL_DROP, rel, NULL);
}

void relcache_renamed(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *from,
		      const struct adapter_relation *to)
{
	if (!to->identifier)
		return;
	bool same_schema = to->schema && from->schema && !strcasecmp(to->schema, from->schema);
	if (!same_schema) {
		relcache_forget_all(rc);
		return;
	}
	note_rel(rc, cs, DDL_RENAME, from, to->identifier);
}
