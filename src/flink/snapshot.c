/*
 * Folding a changelog into the rows it ends with (flink_snapshot_*, sluice/flink.h).
 *
 * DESIGN
 * A streaming query over bounded sources ends with EOS, but what it returned is a changelog:
 * +I/+U add a row, -U/-D take one back. The final table is what is left once every retraction met
 * the row it retracts. Rows are kept in slots, in the order they first arrived; a slot is found
 * through a chained hash of its match key (the key columns when the caller gave the result's
 * upsert key, else every column, since Flink's retractions carry the whole previous row). An
 * update (-U then +U) puts the new row back into the slot of the old one, so an updated row keeps
 * its place. Field values are copied into the snapshot's arena: the pages they came from may go.
 */
#include <string.h>

#include "flink/internal.h"

struct slot {
	bool live;
	size_t hash;
	size_t next;                 /* next slot of the same bucket, or NONE */
	struct flink_value *fields;
};

#define NONE ((size_t)-1)

struct flink_snapshot {
	struct fl_arena arena;
	size_t ncols;
	size_t *key;                 /* key column indexes, or NULL: every column */
	size_t nkey;
	struct slot *slots;
	size_t nslots, capslots;
	size_t *buckets;             /* head slot of each bucket, or NONE */
	size_t nbuckets;
	size_t hole;                 /* the slot a -U just emptied, for its +U; NONE otherwise */
	struct flink_row *out;       /* the live rows, rebuilt by flink_snapshot_rows */
	size_t capout;
};

flink_snapshot *flink_snapshot_new(size_t ncols, const size_t *key, size_t nkey)
{
	flink_snapshot *s = fl_xcalloc(1, sizeof *s);
	s->ncols = ncols;
	for (size_t i = 0; key && i < nkey; i++)
		if (key[i] >= ncols)
			nkey = 0;   /* a key outside the row cannot be a key: match whole rows */
	if (key && nkey) {
		s->key = fl_xmalloc(nkey * sizeof *s->key);
		memcpy(s->key, key, nkey * sizeof *s->key);
		s->nkey = nkey;
	}
	s->nbuckets = 64;
	s->buckets = fl_xmalloc(s->nbuckets * sizeof *s->buckets);
	for (size_t i = 0; i < s->nbuckets; i++)
		s->buckets[i] = NONE;
	s->hole = NONE;
	return s;
}

void flink_snapshot_free(flink_snapshot *s)
{
	if (!s)
		return;
	fl_arena_release(&s->arena);
	free(s->key);
	free(s->slots);
	free(s->buckets);
	free(s->out);
	free(s);
}

static size_t ncompared(const flink_snapshot *s)
{
	return s->key ? s->nkey : s->ncols;
}

static size_t col_at(const flink_snapshot *s, size_t i)
{
	return s->key ? s->key[i] : i;
}

static size_t mix(size_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

static size_t hash_of(const flink_snapshot *s, const struct flink_value *f)
{
	size_t h = 14695981039346656037u;
	for (size_t i = 0; i < ncompared(s); i++) {
		const struct flink_value *v = &f[col_at(s, i)];
		unsigned char k = (unsigned char)v->kind;
		h = mix(h, &k, 1);
		if (v->kind == FLINK_V_BOOL)
			h = mix(h, &v->b, sizeof v->b);
		else if (v->kind == FLINK_V_INT)
			h = mix(h, &v->i, sizeof v->i);
		else if (v->kind != FLINK_V_NULL && v->text)
			h = mix(h, v->text, v->len);
	}
	return h;
}

static bool value_eq(const struct flink_value *a, const struct flink_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FLINK_V_NULL: return true;
	case FLINK_V_BOOL: return a->b == b->b;
	case FLINK_V_INT: return a->i == b->i;
	default:
		return a->len == b->len && (!a->len || memcmp(a->text, b->text, a->len) == 0);
	}
}

static bool match(const flink_snapshot *s, const struct flink_value *a, const struct flink_value *b)
{
	for (size_t i = 0; i < ncompared(s); i++)
		if (!value_eq(&a[col_at(s, i)], &b[col_at(s, i)]))
			return false;
	return true;
}

/* The live slot matching f, or NONE */
static size_t find(const flink_snapshot *s, const struct flink_value *f, size_t h)
{
	for (size_t i = s->buckets[h % s->nbuckets]; i != NONE; i = s->slots[i].next)
		if (s->slots[i].live && s->slots[i].hash == h && match(s, s->slots[i].fields, f))
			return i;
	return NONE;
}

static void rehash(flink_snapshot *s)
{
	free(s->buckets);
	s->nbuckets *= 2;
	s->buckets = fl_xmalloc(s->nbuckets * sizeof *s->buckets);
	for (size_t i = 0; i < s->nbuckets; i++)
		s->buckets[i] = NONE;
	/* dead slots are left out of the chains: only a +U reuses one, through `hole` */
	for (size_t i = 0; i < s->nslots; i++) {
		if (!s->slots[i].live)
			continue;
		size_t b = s->slots[i].hash % s->nbuckets;
		s->slots[i].next = s->buckets[b];
		s->buckets[b] = i;
	}
}

static struct flink_value *copy_fields(flink_snapshot *s, const struct flink_value *f)
{
	struct flink_value *out = fl_arena_alloc(&s->arena, (s->ncols ? s->ncols : 1) * sizeof *out);
	for (size_t i = 0; i < s->ncols; i++) {
		out[i] = f[i];
		if (f[i].text)
			out[i].text = fl_arena_strndup(&s->arena, f[i].text, f[i].len);
	}
	return out;
}

/* Links slot i, live with fields f, into its bucket */
static void link_slot(flink_snapshot *s, size_t i, struct flink_value *f, size_t h)
{
	struct slot *sl = &s->slots[i];
	sl->live = true;
	sl->hash = h;
	sl->fields = f;
	size_t b = h % s->nbuckets;
	sl->next = s->buckets[b];
	s->buckets[b] = i;
}

static void unlink_slot(flink_snapshot *s, size_t i)
{
	size_t *p = &s->buckets[s->slots[i].hash % s->nbuckets];
	while (*p != NONE && *p != i)
		p = &s->slots[*p].next;
	if (*p == i)
		*p = s->slots[i].next;
	s->slots[i].live = false;
	s->slots[i].next = NONE;
}

static void add_row(flink_snapshot *s, const struct flink_value *f, bool update)
{
	size_t h = hash_of(s, f);
	size_t at = s->key ? find(s, f, h) : NONE;
	if (at != NONE) {
		/* keyed: the new row replaces the old one in its place */
		s->slots[at].fields = copy_fields(s, f);
		s->hole = NONE;
		return;
	}
	if (update && s->hole != NONE && !s->slots[s->hole].live) {
		at = s->hole;
	} else {
		if (s->nslots == s->capslots) {
			s->capslots = s->capslots ? s->capslots * 2 : 64;
			s->slots = fl_xrealloc(s->slots, s->capslots * sizeof *s->slots);
		}
		at = s->nslots++;
	}
	s->hole = NONE;
	link_slot(s, at, copy_fields(s, f), h);
	if (s->nslots > s->nbuckets)
		rehash(s);
}

flink_code flink_snapshot_apply(flink_snapshot *s, const struct flink_row *row, struct flink_error *err)
{
	if (!s || !row || (s->ncols && !row->fields)) {
		fl_err_set(err, FLINK_E_ARG, 0, "flink_snapshot_apply needs a snapshot and a row");
		return FLINK_E_ARG;
	}
	switch (row->kind) {
	case FLINK_ROW_INSERT:
		add_row(s, row->fields, false);
		return FLINK_OK;
	case FLINK_ROW_UPDATE_AFTER:
		add_row(s, row->fields, true);
		return FLINK_OK;
	case FLINK_ROW_UPDATE_BEFORE:
	case FLINK_ROW_DELETE: {
		size_t at = find(s, row->fields, hash_of(s, row->fields));
		if (at == NONE) {
			s->hole = NONE;
			/* an upsert stream may delete a key it never inserted (a tombstone of an unknown
			 * key); a retract stream never takes back a row it did not send */
			if (s->key)
				return FLINK_OK;
			fl_err_set(err, FLINK_E_PROTOCOL, 0,
				   "the changelog takes back a row (%s) that is not in the result",
				   flink_row_kind_short(row->kind));
			return FLINK_E_PROTOCOL;
		}
		unlink_slot(s, at);
		s->hole = row->kind == FLINK_ROW_UPDATE_BEFORE ? at : NONE;
		return FLINK_OK;
	}
	}
	fl_err_set(err, FLINK_E_ARG, 0, "unknown row kind %d", (int)row->kind);
	return FLINK_E_ARG;
}

size_t flink_snapshot_rows(flink_snapshot *s, const struct flink_row **prows)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nslots; i++)
		n += s->slots[i].live;
	if (n > s->capout) {
		s->capout = n;
		s->out = fl_xrealloc(s->out, n * sizeof *s->out);
	}
	size_t k = 0;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].live)
			s->out[k++] = (struct flink_row){FLINK_ROW_INSERT, s->slots[i].fields};
	*prows = n ? s->out : NULL;
	return n;
}
