/*
 * The project snapshot: what the node phases of a load built (every node, the groups, the macros'
 * descriptions from properties files), written after a full load and read back in its place when
 * nothing the load read has changed (the CLI checks that: cli/parse_cache.c). dbt calls this
 * partial parsing; here an unchanged project skips finding, reading, rendering and resolving.
 *
 * Payload layout (numbers are unsigned LEB128 but for the fixed-width head, no alignment):
 *   "SNAP" u32 format | u32 files before the node phases | u32 nmacros | u32 nnodes | u64 id |
 *   macros | groups | properties files' top keys | macros the loader called | nodes |
 *   u64 where the second half of the nodes starts | u32 its first node | u32 the files defined
 *   before it | u64 sum64 of all that | "SNAPEND\0"
 * The two halves of the nodes are read back at once, on two threads.
 * It is written front to back as a stream, never whole in memory. A string is 0 for NULL; 1,
 * its length, its bytes and a NUL, the first time; else 2 + where those bytes are, and its length.
 * Read back, strings point into the mapped file and are never copied. A location's file is one
 * that diagnostics registered: those the load registered before the node phases by their number
 * counted from the load's first (a command may register files of its own before it loads); the others
 * defined (display path and text) where first met, registered again when read, and renumbered.
 * Values are a type byte, a flags byte, then their payload; lists and dicts carry their YAML
 * locations when they had them. A node whose config is shared with others (generic tests) says
 * so; after the first of them in its half it names that node instead of writing the config, its
 * unrendered config, meta, tags and docs again, and reads back sharing them.
 *
 * What cannot be written (a callable or object inside a config, say) means no snapshot: the next
 * load is a full one. Templates are not written: they are parsed again from the nodes' code.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/inputs.h"
#include "core/log.h"
#include "core/sb.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"

#define SNAP_FORMAT 9

/* ---------------------------------------------------------------- writing */

/* A string written already: where its bytes are */
struct seen_str {
	const char *s;
	size_t n;
	uint64_t at;
};

/* From this many nodes on, the snapshot is read back on two threads */
#define SNAP_SPLIT_MIN 512

#define SEEN_SLOTS 65536
#define SHORT_STR 24

struct snap_w {
	struct sb out;           /* the stream not yet handed to the sink */
	uint64_t flushed;        /* bytes handed to the sink before out */
	struct seen_str *seen;   /* by address: the same pointer is most often the same string */
	struct map short_strs;   /* short texts -> 1 + where written: config keys and values repeat
				  * under every node, each its own copy */
	struct arena keys;       /* short_strs' entries */
	uint32_t *file_of;       /* diag id -> index + 1 among the files defined (0: not yet) */
	size_t nfile_of;
	uint32_t nfiles;
	uint32_t base;           /* files registered before the node phases keep their ids */
	uint32_t first;          /* ...counted from here: the files registered before the load */
	bool bad;
	proj_snapshot_sink sink;
	void *ud;
	bool sink_failed;
	struct sum64 sum;        /* of everything handed to the sink */
	bool secrets;            /* secrets are registered: each new string is checked */
	struct map shared_cfg;   /* a shared config's dict (its address) -> 1 + the first node of this
				  * half written with it */
};

static void w_u8(struct sb *s, uint8_t v)
{
	sb_addc(s, (char)v);
}

/* unsigned LEB128: most numbers here (string lengths, offsets in lines, counts) are small */
static void w_u64v(struct sb *s, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	sb_add(s, b, n);
}

static void w_u32(struct sb *s, uint32_t v)
{
	w_u64v(s, v);
}

/* fixed width, for the payload's head */
static void w_fixed32(struct sb *s, uint32_t v)
{
	sb_add(s, &v, sizeof(v));
}

static void w_u64(struct sb *s, uint64_t v)
{
	sb_add(s, &v, sizeof(v));
}

static void w_strn(struct snap_w *w, const char *s, size_t n)
{
	struct sb *o = &w->out;
	if (!s) {
		w_u8(o, 0);
		return;
	}
	uintptr_t ps = (uintptr_t)s;
	struct seen_str *slot = &w->seen[((ps >> 3) ^ (ps >> 19) ^ n) & (SEEN_SLOTS - 1)];
	uint64_t at = 0;
	if (slot->s == s && slot->n == n)
		at = slot->at + 1;
	else if (n <= SHORT_STR)
		at = (uint64_t)(uintptr_t)map_get(&w->short_strs, s, n);
	if (at) {
		w_u64v(o, at + 1);
		w_u64v(o, n);
		*slot = (struct seen_str){s, n, at - 1};
		return;
	}
	/* a secret cannot be redacted here, as it is in the manifest: no snapshot then */
	if (w->secrets && log_has_secret(s, n))
		w->bad = true;
	w_u8(o, 1);
	w_u64v(o, n);
	uint64_t here = w->flushed + o->len;
	sb_add(o, s, n);
	sb_addc(o, '\0');
	*slot = (struct seen_str){s, n, here};
	if (n <= SHORT_STR) {
		/* the key is kept where it was written: the caller's copy may be a scratch one */
		char *k = arena_alloc(&w->keys, n + 1);
		memcpy(k, s, n);
		map_put(&w->short_strs, k, n, (void *)(uintptr_t)(here + 1));
	}
}

static void w_str(struct snap_w *w, const char *s)
{
	w_strn(w, s, s ? strlen(s) : 0);
}

/* A diag file id: 0 none; 4 * k the load's k-th file before the node phases; 4 * i + 1 the i-th file
 * defined here; 2, then its path and text, one defined now (it becomes the next i) */
static void w_file(struct snap_w *w, uint32_t id)
{
	if (!id || id <= w->base) {
		/* a file the command registered before the load is no node's: no location then */
		w_u64v(&w->out, id > w->first ? (uint64_t)(id - w->first) * 4 : 0);
		return;
	}
	if (id >= w->nfile_of) {
		size_t n = id + 1024;
		w->file_of = xrealloc(w->file_of, n * sizeof(*w->file_of));
		memset(w->file_of + w->nfile_of, 0, (n - w->nfile_of) * sizeof(*w->file_of));
		w->nfile_of = n;
	}
	if (w->file_of[id]) {
		w_u64v(&w->out, (uint64_t)(w->file_of[id] - 1) * 4 + 1);
		return;
	}
	size_t len = 0;
	const char *text = diag_file_text(id, &len);
	const char *path = diag_file_path(id);
	w_u8(&w->out, 2);
	w_str(w, path);
	w_strn(w, text ? text : "", text ? len : 0);
	w->file_of[id] = ++w->nfiles;
}

static void w_loc(struct snap_w *w, struct loc l)
{
	w_file(w, l.file);
	w_u32(&w->out, l.off);
	w_u32(&w->out, l.len);
}

static void w_value(struct snap_w *w, value v)
{
	w_u8(&w->out, v.type);
	w_u8(&w->out, v.flags);
	switch (v.type) {
	case V_UNDEF:
	case V_STR:
		w_strn(w, v.s, v.s ? v.len : 0);
		break;
	case V_NONE:
		break;
	case V_BOOL:
		w_u8(&w->out, v.b);
		break;
	case V_INT:
		w_u64(&w->out, (uint64_t)v.i);
		break;
	case V_FLOAT: {
		uint64_t bits;
		memcpy(&bits, &v.f, sizeof(bits));
		w_u64(&w->out, bits);
		break;
	}
	case V_LIST:
		w_u32(&w->out, v.l->len);
		w_u8(&w->out, v.l->locs != NULL);
		for (uint32_t i = 0; i < v.l->len; i++) {
			w_value(w, v.l->items[i]);
			if (v.l->locs)
				w_loc(w, v.l->locs[i]);
		}
		break;
	case V_DICT:
		w_u32(&w->out, v.d->len);
		w_u8(&w->out, (v.d->keylocs ? 1 : 0) | (v.d->vallocs ? 2 : 0));
		w_loc(w, v.d->loc);
		for (uint32_t i = 0; i < v.d->len; i++) {
			w_value(w, v.d->e[i].key);
			w_value(w, v.d->e[i].val);
			if (v.d->keylocs)
				w_loc(w, v.d->keylocs[i]);
			if (v.d->vallocs)
				w_loc(w, v.d->vallocs[i]);
		}
		break;
	default:
		/* a callable or an object: not data */
		w->bad = true;
		break;
	}
}

/* A stable place for the node's address as a map value (the map keeps the pointer, not a copy) */
static void *w_slot(struct snap_w *w, const struct node *n)
{
	const struct node **slot = arena_alloc(&w->keys, sizeof(*slot));
	*slot = n;
	return slot;
}

static void w_node(struct snap_w *w, const struct node *n)
{
	struct sb *o = &w->out;
	w_u8(o, (uint8_t)n->type);
	w_u8(o, n->enabled);
	enum snap_tmpl t = !proj_node_has_template(n) ? TMPL_NONE
			   : n->snapshot_body.type != V_UNDEF ? TMPL_SNAPSHOT
			   : n->type == NODE_TEST && n->test_metadata.type == V_DICT ? TMPL_SHARED
								       : TMPL_CODE;
	w_u8(o, (uint8_t)t);
	if (n->snapshot_body.type != V_UNDEF && t != TMPL_SNAPSHOT)
		w->bad = true;
	w_str(w, n->unique_id);
	w_str(w, n->name);
	w_str(w, n->package);
	w_str(w, n->path);
	w_str(w, n->original_file_path);
	w_str(w, n->abs_path);
	w_file(w, n->file);
	/* the code as registered for diagnostics when it is that file's text (raw_len may stop short
	 * of its trailing space), else as a string of its own */
	size_t flen = 0;
	const char *ftext = n->file ? diag_file_text(n->file, &flen) : NULL;
	if (ftext == n->raw_code && flen >= n->raw_len)
		w_strn(w, n->raw_code, flen);
	else
		w_str(w, n->raw_code);
	w_u64(o, n->raw_len);
	w_str(w, n->checksum);
	w_str(w, n->language);
	w_value(w, n->fqn);
	/* generic tests of a folder share one config (parse.c's compose_test_config): written once a
	 * half, the others name the node that has it, and read back shared again */
	const struct node *same = NULL;
	if (n->config_shared && n->config.type == V_DICT) {
		const struct node **slot = map_get(&w->shared_cfg, (const char *)&n->config.d, sizeof(n->config.d));
		if (slot && (*slot)->unrendered_config.d == n->unrendered_config.d && (*slot)->tags.l == n->tags.l &&
		    (*slot)->meta.d == n->meta.d && (*slot)->docs.d == n->docs.d &&
		    (*slot)->unrendered_config.type == n->unrendered_config.type && (*slot)->tags.type == n->tags.type &&
		    (*slot)->meta.type == n->meta.type && (*slot)->docs.type == n->docs.type)
			same = *slot;
		else if (!slot)
			map_put(&w->shared_cfg, (const char *)&n->config.d, sizeof(n->config.d), w_slot(w, n));
	}
	w_u8(o, n->config_shared ? (same ? 2 : 1) : 0);
	if (same) {
		w_u32(o, same->index);
	} else {
		w_value(w, n->config);
		w_value(w, n->unrendered_config);
	}
	w_str(w, n->description);
	w_value(w, n->columns);
	if (!same) {
		w_value(w, n->meta);
		w_value(w, n->tags);
		w_value(w, n->docs);
	}
	w_value(w, n->constraints);
	w_value(w, n->version);
	w_value(w, n->latest_version);
	w_str(w, n->deprecation_date);
	w_str(w, n->patch_path);
	w_value(w, n->time_spine);
	w_value(w, n->metric_calls);
	w_value(w, n->semantic);
	w_loc(w, n->yaml_loc);
	w_u32(o, n->nrefs);
	for (uint32_t i = 0; i < n->nrefs; i++) {
		w_str(w, n->refs[i].package);
		w_str(w, n->refs[i].name);
		w_loc(w, n->refs[i].loc);
		w_str(w, n->refs[i].version);
		w_value(w, n->refs[i].given_version);
	}
	w_u32(o, n->nsources);
	for (uint32_t i = 0; i < n->nsources; i++) {
		w_str(w, n->sources[i].source);
		w_str(w, n->sources[i].table);
		w_loc(w, n->sources[i].loc);
	}
	w_u32(o, n->nmacros_used);
	for (uint32_t i = 0; i < n->nmacros_used; i++)
		w_str(w, n->macros_used[i]);
	w_u32(o, n->nparse_macros);
	for (uint32_t i = 0; i < n->nparse_macros; i++)
		w_str(w, n->parse_macros[i]);
	w_u32(o, n->ndeps);
	for (uint32_t i = 0; i < n->ndeps; i++)
		w_u32(o, n->deps[i]);
	w_str(w, n->database);
	w_str(w, n->schema);
	w_str(w, n->alias);
	w_str(w, n->relation_name);
	w_str(w, n->source_name);
	w_str(w, n->source_description);
	w_str(w, n->loader);
	w_value(w, n->source_meta);
	w_value(w, n->freshness);
	w_value(w, n->test_metadata);
	w_str(w, n->column_name);
	w_u32(o, n->attached_node);
	w_value(w, n->unit_test);
	w_value(w, n->infile_config);
	if (n->compiled_code || n->compiled_path)
		w->bad = true;  /* run state: only a freshly loaded project is written */
}

/* The body goes to the sink a megabyte at a time: buffered whole, a 10,000-model project's
 * snapshot took tens of megabytes of fresh memory, and on a virtual machine each page of it a fault */
static void w_flush(struct snap_w *w, bool force)
{
	/* written a quarter of a MiB at a time: the writer's buffer adds to the peak memory of the
	 * process it was forked from */
	if (w->out.len < (force ? 1 : 1u << 18) || w->sink_failed)
		return;
	sum64_add(&w->sum, w->out.buf, w->out.len);
	if (w->sink(w->ud, w->out.buf, w->out.len) < 0)
		w->sink_failed = true;
	w->flushed += w->out.len;
	sb_reset(&w->out);
}

int proj_snapshot_write(struct project *p, proj_snapshot_sink sink, void *ud)
{
	struct snap_w w = {.out = SB_INIT, .base = p->files_before_nodes, .first = p->files_at_load, .sink = sink, .ud = ud};
	map_init(&w.short_strs);
	map_init(&w.shared_cfg);
	arena_init(&w.keys, 1 << 20);
	w.seen = xcalloc(SEEN_SLOTS, sizeof(*w.seen));
	sum64_init(&w.sum);
	w.secrets = log_has_secrets();
	sb_add(&w.out, "SNAP", 4);
	w_fixed32(&w.out, SNAP_FORMAT);
	w_fixed32(&w.out, w.base - w.first);
	w_fixed32(&w.out, (uint32_t)p->nmacros);
	w_fixed32(&w.out, (uint32_t)p->nnodes);
	w_u64(&w.out, p->snapshot_id);
	for (size_t i = 0; i < p->nmacros; i++) {
		w_str(&w, p->macros[i]->unique_id);
		w_str(&w, p->macros[i]->description);
		w_value(&w, p->macros[i]->arguments);
		w_str(&w, p->macros[i]->patch_path);
		w_value(&w, p->macros[i]->meta);
		w_value(&w, p->macros[i]->docs);
	}
	w_value(&w, p->groups);
	w_value(&w, p->properties_files);
	w_value(&w, p->loader_macros);
	/* where the second half starts, for a reader with two threads (a small project: no split) */
	uint64_t split_at = 0;
	uint32_t split = p->nnodes >= SNAP_SPLIT_MIN ? (uint32_t)(p->nnodes / 2) : 0, split_files = 0;
	for (size_t i = 0; i < p->nnodes && !w.bad; i++) {
		if (split && i == split) {
			split_at = w.flushed + w.out.len;
			split_files = w.nfiles;
			/* the halves are read on two threads: no node refers to the other half's */
			map_release(&w.shared_cfg);
			map_init(&w.shared_cfg);
		}
		w_node(&w, p->nodes[i]);
		w_flush(&w, false);
	}
	w_u64(&w.out, split_at);
	w_fixed32(&w.out, split);
	w_fixed32(&w.out, split_files);
	if (!w.bad) {
		w_flush(&w, true);
		uint64_t sum = sum64_final(&w.sum);
		if (!w.sink_failed && (sink(ud, &sum, sizeof(sum)) < 0 || sink(ud, "SNAPEND", 8) < 0))
			w.sink_failed = true;
	}
	map_release(&w.short_strs);
	map_release(&w.shared_cfg);
	arena_release(&w.keys);
	free(w.seen);
	free(w.file_of);
	sb_release(&w.out);
	return w.bad ? -1 : w.sink_failed ? -2 : 0;
}

/* ---------------------------------------------------------------- reading */

/* A file defined in the snapshot, to register once everything reads back */
struct snap_file {
	const char *path, *text;
	uint32_t len;
};

struct snap_r {
	const unsigned char *start, *cur, *end;
	struct snap_file *files;  /* the files this reader met defined: files[i] is file file0 + i */
	uint32_t file0, nfiles, capfiles;  /* nfiles counts from 0 for the whole stream */
	uint32_t base;   /* the files registered before the node phases, counted from 0 */
	uint32_t first;  /* of those, the ones the command registered before the load */
	struct arena *a;
	bool bad;
};

static bool r_need(struct snap_r *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->cur) < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint8_t r_u8(struct snap_r *r)
{
	return r_need(r, 1) ? *r->cur++ : 0;
}

static uint64_t r_u64v(struct snap_r *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (!r_need(r, 1))
			return 0;
		unsigned char b = *r->cur++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static uint32_t r_u32(struct snap_r *r)
{
	uint64_t v = r_u64v(r);
	if (v > UINT32_MAX)
		r->bad = true;
	return (uint32_t)v;
}

static uint32_t r_fixed32(struct snap_r *r)
{
	uint32_t v = 0;
	if (r_need(r, 4)) {
		memcpy(&v, r->cur, 4);
		r->cur += 4;
	}
	return v;
}

static uint64_t r_u64(struct snap_r *r)
{
	uint64_t v = 0;
	if (r_need(r, 8)) {
		memcpy(&v, r->cur, 8);
		r->cur += 8;
	}
	return v;
}

/* A string (see the layout above), and its length; NULL for NULL */
static const char *r_strn(struct snap_r *r, uint32_t *plen)
{
	uint64_t tag = r_u64v(r);
	*plen = 0;
	if (tag == 0 || r->bad)
		return NULL;
	uint64_t n = r_u64v(r);
	const char *s;
	if (tag == 1) {
		if (!r_need(r, n + 1) || r->cur[n] != '\0') {
			r->bad = true;
			return NULL;
		}
		s = (const char *)r->cur;
		r->cur += n + 1;
	} else {
		/* written before this point: its bytes and NUL lie before the cursor */
		uint64_t at = tag - 2;
		size_t here = (size_t)(r->cur - r->start);
		if (at > here || n >= here - at || r->start[at + n] != '\0') {
			r->bad = true;
			return NULL;
		}
		s = (const char *)r->start + at;
	}
	if (n > UINT32_MAX) {
		r->bad = true;
		return NULL;
	}
	*plen = (uint32_t)n;
	return s;
}

static const char *r_str(struct snap_r *r)
{
	uint32_t len;
	return r_strn(r, &len);
}

/* A file (see w_file): the id it has, or will have once the files defined here are registered
 * after the ones there now */
static uint32_t r_file(struct snap_r *r)
{
	uint64_t f = r_u64v(r);
	if (f == 2) {
		if (r->nfiles - r->file0 == r->capfiles) {
			r->capfiles = r->capfiles ? r->capfiles * 2 : 256;
			r->files = xrealloc(r->files, r->capfiles * sizeof(*r->files));
		}
		struct snap_file *sf = &r->files[r->nfiles - r->file0];
		sf->path = r_str(r);
		sf->text = r_strn(r, &sf->len);
		if (!sf->path || !sf->text)
			r->bad = true;
		return r->base + 1 + r->nfiles++;
	}
	if (f % 4 == 0) {
		if (f / 4 > r->base - r->first)
			r->bad = true;
		return f ? r->first + (uint32_t)(f / 4) : 0;
	}
	if (f % 4 != 1 || f / 4 >= r->nfiles) {
		r->bad = true;
		return 0;
	}
	return r->base + 1 + (uint32_t)(f / 4);
}

static struct loc r_loc(struct snap_r *r)
{
	struct loc l;
	l.file = r_file(r);
	l.off = r_u32(r);
	l.len = r_u32(r);
	return l;
}

static value r_value(struct snap_r *r, int depth)
{
	value v = val_undef();
	uint8_t type = r_u8(r);
	uint8_t flags = r_u8(r);
	if (r->bad || depth > 200) {
		r->bad = true;
		return v;
	}
	v.type = type;
	v.flags = flags;
	switch (type) {
	case V_UNDEF:
	case V_STR: {
		uint32_t len;
		v.s = r_strn(r, &len);
		v.len = len;
		if (type == V_STR && !v.s)
			r->bad = true;
		break;
	}
	case V_NONE:
		break;
	case V_BOOL:
		v.b = r_u8(r) != 0;
		break;
	case V_INT:
		v.i = (int64_t)r_u64(r);
		break;
	case V_FLOAT: {
		uint64_t bits = r_u64(r);
		memcpy(&v.f, &bits, 8);
		break;
	}
	case V_LIST: {
		uint32_t n = r_u32(r);
		bool locs = r_u8(r) != 0;
		if (!r_need(r, (size_t)n * 2))
			break;
		v = val_list_new(r->a, n);
		v.flags = flags;
		if (locs)
			v.l->locs = ARENA_ARRAY(r->a, struct loc, n + 1);
		for (uint32_t i = 0; i < n && !r->bad; i++) {
			v.l->items[i] = r_value(r, depth + 1);
			if (locs)
				v.l->locs[i] = r_loc(r);
			v.l->len = i + 1;
		}
		break;
	}
	case V_DICT: {
		uint32_t n = r_u32(r);
		uint8_t locs = r_u8(r);
		struct loc at = r_loc(r);
		if (!r_need(r, (size_t)n * 4))
			break;
		v = val_dict_new(r->a, 0);
		v.flags = flags;
		v.d->loc = at;
		struct ventry *e = n ? ARENA_ARRAY(r->a, struct ventry, n) : NULL;
		if (locs & 1)
			v.d->keylocs = ARENA_ARRAY(r->a, struct loc, n + 1);
		if (locs & 2)
			v.d->vallocs = ARENA_ARRAY(r->a, struct loc, n + 1);
		for (uint32_t i = 0; i < n && !r->bad; i++) {
			e[i].key = r_value(r, depth + 1);
			e[i].val = r_value(r, depth + 1);
			if (locs & 1)
				v.d->keylocs[i] = r_loc(r);
			if (locs & 2)
				v.d->vallocs[i] = r_loc(r);
		}
		if (!r->bad)
			val_dict_adopt(v, e, n);
		break;
	}
	default:
		r->bad = true;
		break;
	}
	return v;
}

/* Node `at`, of the half that starts at node `lo` */
static struct node *r_node(struct snap_r *r, struct node **nodes, uint32_t lo, uint32_t at, uint32_t nnodes,
			   uint8_t *ptmpl)
{
	struct arena *a = r->a;
	struct node *n = ARENA_NEW(a, struct node);
	uint8_t type = r_u8(r);
	if (type >= NODE_TYPE_COUNT)
		r->bad = true;
	n->type = (enum node_type)type;
	n->enabled = r_u8(r) != 0;
	*ptmpl = r_u8(r);
	n->unique_id = r_str(r);
	n->name = r_str(r);
	n->package = r_str(r);
	n->path = r_str(r);
	n->original_file_path = r_str(r);
	n->abs_path = r_str(r);
	n->file = r_file(r);
	uint32_t code_len;
	n->raw_code = r_strn(r, &code_len);
	n->raw_len = (size_t)r_u64(r);
	if (n->raw_len > code_len)
		r->bad = true;  /* the code is hashed and parsed up to raw_len */
	n->checksum = r_str(r);
	n->language = r_str(r);
	n->fqn = r_value(r, 0);
	uint8_t shared = r_u8(r);
	const struct node *same = NULL;
	if (shared == 2) {
		/* an earlier node of this half (the writer's map starts afresh at the split) */
		uint32_t k = r_u32(r);
		if (k < lo || k >= at || !nodes[k] || !nodes[k]->config_shared)
			r->bad = true;
		else
			same = nodes[k];
	} else if (shared > 2) {
		r->bad = true;
	}
	n->config_shared = shared != 0 && !r->bad;
	n->config = same ? same->config : r_value(r, 0);
	n->unrendered_config = same ? same->unrendered_config : r_value(r, 0);
	n->description = r_str(r);
	n->columns = r_value(r, 0);
	n->meta = same ? same->meta : r_value(r, 0);
	n->tags = same ? same->tags : r_value(r, 0);
	n->docs = same ? same->docs : r_value(r, 0);
	n->constraints = r_value(r, 0);
	n->version = r_value(r, 0);
	n->latest_version = r_value(r, 0);
	n->deprecation_date = r_str(r);
	n->patch_path = r_str(r);
	n->time_spine = r_value(r, 0);
	n->metric_calls = r_value(r, 0);
	n->semantic = r_value(r, 0);
	n->yaml_loc = r_loc(r);
	n->nrefs = r_u32(r);
	if (!r_need(r, (size_t)n->nrefs * 4))
		return n;
	n->refs = n->nrefs ? ARENA_ARRAY(a, struct ref_call, n->nrefs) : NULL;
	for (uint32_t i = 0; i < n->nrefs && !r->bad; i++) {
		n->refs[i].package = r_str(r);
		n->refs[i].name = r_str(r);
		n->refs[i].loc = r_loc(r);
		n->refs[i].version = r_str(r);
		n->refs[i].given_version = r_value(r, 0);
	}
	n->nsources = r_u32(r);
	if (!r_need(r, (size_t)n->nsources * 4))
		return n;
	n->sources = n->nsources ? ARENA_ARRAY(a, struct source_call, n->nsources) : NULL;
	for (uint32_t i = 0; i < n->nsources && !r->bad; i++) {
		n->sources[i].source = r_str(r);
		n->sources[i].table = r_str(r);
		n->sources[i].loc = r_loc(r);
	}
	n->nmacros_used = r_u32(r);
	if (!r_need(r, (size_t)n->nmacros_used * 4))
		return n;
	n->macros_used = n->nmacros_used ? ARENA_ARRAY(a, const char *, n->nmacros_used) : NULL;
	for (uint32_t i = 0; i < n->nmacros_used; i++)
		n->macros_used[i] = r_str(r);
	n->nparse_macros = r_u32(r);
	if (!r_need(r, (size_t)n->nparse_macros * 3))
		return n;
	n->parse_macros = n->nparse_macros ? ARENA_ARRAY(a, const char *, n->nparse_macros) : NULL;
	for (uint32_t i = 0; i < n->nparse_macros; i++)
		if (!(n->parse_macros[i] = r_str(r)))
			r->bad = true;
	n->ndeps = r_u32(r);
	if (!r_need(r, (size_t)n->ndeps * 4))
		return n;
	n->deps = n->ndeps ? ARENA_ARRAY(a, uint32_t, n->ndeps) : NULL;
	for (uint32_t i = 0; i < n->ndeps; i++) {
		n->deps[i] = r_u32(r);
		if (n->deps[i] >= nnodes)
			r->bad = true;
	}
	n->database = r_str(r);
	n->schema = r_str(r);
	n->alias = r_str(r);
	n->relation_name = r_str(r);
	n->source_name = r_str(r);
	n->source_description = r_str(r);
	n->loader = r_str(r);
	n->source_meta = r_value(r, 0);
	n->freshness = r_value(r, 0);
	n->test_metadata = r_value(r, 0);
	n->column_name = r_str(r);
	n->attached_node = r_u32(r);
	if (n->attached_node != NODE_NONE && n->attached_node >= nnodes)
		r->bad = true;
	n->unit_test = r_value(r, 0);
	n->infile_config = r_value(r, 0);
	n->snapshot_body = val_undef();
	if (!n->unique_id || !n->name || !n->package || !n->raw_code || *ptmpl > TMPL_SNAPSHOT)
		r->bad = true;
	return n;
}

/* The second half of the nodes, read on a thread of its own */
struct snap_half {
	struct snap_r *r;
	struct node **nodes;
	uint8_t *kind;
	uint32_t nnodes, from;
};

static void *read_half(void *arg)
{
	struct snap_half *h = arg;
	for (uint32_t i = h->from; i < h->nnodes && !h->r->bad; i++)
		h->nodes[i] = r_node(h->r, h->nodes, h->from, i, h->nnodes, &h->kind[i]);
	return NULL;
}

/*
 * The nodes: their two halves at once, the second on a thread of its own with its own arena, when
 * the snapshot says where the second starts (its trailer); false when they do not read back
 * whole. r2 then holds the files the second half defined (none when read in one go).
 */
static bool read_nodes(struct project *p, struct snap_r *r, struct snap_r *r2, struct node **nodes, uint8_t *kind,
		       uint32_t nnodes)
{
	uint64_t split_at;
	memcpy(&split_at, r->end - 16, 8);
	r->end -= 16;
	if (r->cur > r->end)
		r->bad = true;
	*r2 = (struct snap_r){.start = r->start, .end = r->end, .base = r->base, .first = r->first,
			      .a = &p->parse_arenas[p->nparse_arenas - 1]};
	uint32_t split = 0, file0 = 0;
	if (!r->bad) {
		memcpy(&split, r->end + 8, 4);
		memcpy(&file0, r->end + 12, 4);
		if (split >= nnodes || split_at > (uint64_t)(r->end - r->start) || split_at < (uint64_t)(r->cur - r->start))
			split = 0;
	}
	struct snap_half half = {r2, nodes, kind, nnodes, split};
	pthread_t tid;
	bool threaded = false;
	if (split && p->nparse_arenas > 1) {
		r2->cur = r->start + split_at;
		r2->file0 = r2->nfiles = file0;
		threaded = pthread_create(&tid, NULL, read_half, &half) == 0;
	}
	uint32_t upto = threaded ? split : nnodes;
	for (uint32_t i = 0; i < upto && !r->bad; i++)
		nodes[i] = r_node(r, nodes, 0, i, nnodes, &kind[i]);
	if (threaded) {
		pthread_join(tid, NULL);
		/* the first half ends where the second starts, with the files counted as written */
		if (r->cur != r->start + split_at || r->nfiles != r2->file0 || r2->bad || r2->cur != r2->end)
			r->bad = true;
		r->cur = r2->cur;
	} else {
		r2->file0 = r2->nfiles = 0;
	}
	return !r->bad && r->cur == r->end;
}

/* Templates again: generic tests' once a kind, snapshots' through their file's {% snapshot %}
 * blocks; each other node's is left to parse from its code on first use */
static int snapshot_templates(struct project *p, struct node **nodes, const uint8_t *kind, size_t nn,
			      struct diag_list *dl)
{
	int rc = 0;
	struct map shared = MAP_INIT, files = MAP_INIT;
	for (size_t i = 0; i < nn && rc == 0; i++) {
		struct node *n = nodes[i];
		if (kind[i] == TMPL_SHARED) {
			n->tmpl = proj_test_template(p, &shared, n, dl);
			if (!n->tmpl)
				rc = -1;
		} else if (kind[i] == TMPL_SNAPSHOT) {
			/* the file's blocks, parsed once a file */
			const char *key = (const char *)&n->file;
			value blocks;
			value *pb = map_get(&files, key, sizeof(n->file));
			if (pb) {
				blocks = *pb;
			} else {
				struct jj_template *ft;
				size_t flen = 0;
				const char *ftext = diag_file_text(n->file, &flen);
				if (!ftext ||
				    jj_parse(p->jinja, &p->arena, diag_file_path(n->file), n->file, ftext, flen, &ft, dl) < 0) {
					rc = -1;
					break;
				}
				pb = ARENA_NEW(&p->arena, value);
				*pb = blocks = jj_template_blocks(&p->arena, ft, "snapshot");
				map_put(&files, key, sizeof(n->file), pb);
			}
			n->snapshot_body = val_dict_gets(blocks, n->name);
			if (n->snapshot_body.type == V_UNDEF) {
				struct diag *d = diag_error(dl, loc_at(n->file, 1, 1, 0), "the project snapshot names a snapshot block "
							    "'%s' that this file does not have", n->name);
				diag_hint(dl, d, "run the command again with --no-partial-parse");
				rc = -1;
				break;
			}
			uint32_t cf = diag_file_add(diag_file_path(n->file), PROJ_SNAPSHOT_CALL, sizeof(PROJ_SNAPSHOT_CALL) - 1);
			if (jj_parse(p->jinja, &p->arena, diag_file_path(n->file), cf, PROJ_SNAPSHOT_CALL,
				     sizeof(PROJ_SNAPSHOT_CALL) - 1, &n->tmpl, dl) < 0)
				rc = -1;
		}
	}
	map_release(&shared);
	map_release(&files);
	/* a node's own code is parsed when the command first renders it (proj_node_template) */
	for (size_t i = 0; i < nn && rc == 0; i++)
		if (kind[i] == TMPL_CODE)
			nodes[i]->tmpl_lazy = true;
	return rc;
}

/* What identifies the nodes of a load from snapshot `id` that parsed the changed files again: the
 * id with the files' paths and the hashes of the bytes this load read of them (every other input
 * is as the snapshot recorded it), so the same for every load that parses the same again; 0 when
 * that is unknown (nothing recorded, or a file read twice with two contents) */
static uint64_t reparsed_id(uint64_t id, const char *const *changed, size_t nchanged)
{
	if (!inputs_recording())
		return 0;
	size_t nin = 0;
	struct input *in = inputs_copy(&nin);
	uint64_t h = id;
	for (size_t k = 0; k < nchanged && h; k++) {
		uint64_t read = 0;
		bool found = false;
		for (size_t i = 0; i < nin && h; i++) {
			if (in[i].kind != INPUT_FILE || strcmp(in[i].path, changed[k]))
				continue;
			if (found && in[i].hash != read)
				h = 0;
			read = in[i].hash;
			found = true;
		}
		uint64_t part[3] = {h, inputs_hash(changed[k], strlen(changed[k])), read};
		h = found && h ? inputs_hash(part, sizeof(part)) : 0;
	}
	inputs_free(in, nin);
	return h;
}

int proj_snapshot_read(struct project *p, const void *data, size_t len, const char *const *changed, size_t nchanged,
		       struct diag_list *dl)
{
	const unsigned char *at = data;
	p->snapshot_refused = "the snapshot is cut short";
	if (len < 60 || memcmp(at, "SNAP", 4) || memcmp(at + len - 8, "SNAPEND", 8))
		return 0;
	/* the checksum: a snapshot torn or damaged on disk is not read */
	uint64_t want;
	memcpy(&want, at + len - 16, 8);
	struct sum64 sum;
	sum64_init(&sum);
	sum64_add(&sum, at, len - 16);
	p->snapshot_refused = "the snapshot is damaged";
	if (sum64_final(&sum) != want)
		return 0;
	struct snap_r r = {.start = at, .cur = at + 4, .end = at + len - 16, .a = &p->arena};
	uint32_t format = r_fixed32(&r);
	r.first = p->files_at_load;
	r.base = r.first + r_fixed32(&r);
	uint32_t nmacros = r_fixed32(&r);
	uint32_t nnodes = r_fixed32(&r);
	uint64_t snap_id = r_u64(&r);
	/* the same binary wrote it (the CLI checks that), so a mismatch here is a project loaded
	 * differently before the node phases: load it whole */
	p->snapshot_refused = "the project was loaded otherwise up to its models (its macros)";
	if (format != SNAP_FORMAT || r.base != diag_file_count() || nmacros != p->nmacros)
		return 0;
	/* each macro's properties: description, arguments, patch path, meta, docs */
	struct macro_props {
		const char *desc, *patch_path;
		value args, meta, docs;
	} *mp = xcalloc((size_t)nmacros + 1, sizeof(*mp));
	for (uint32_t i = 0; i < nmacros && !r.bad; i++) {
		const char *id = r_str(&r);
		mp[i].desc = r_str(&r);
		mp[i].args = r_value(&r, 0);
		mp[i].patch_path = r_str(&r);
		mp[i].meta = r_value(&r, 0);
		mp[i].docs = r_value(&r, 0);
		if (!id || strcmp(id, p->macros[i]->unique_id))
			r.bad = true;
	}
	value groups = r_value(&r, 0);
	value props = r_value(&r, 0);
	value loader_macros = r_value(&r, 0);
	if (groups.type != V_DICT || props.type != V_DICT || loader_macros.type != V_DICT)
		r.bad = true;
	struct node **nodes = xcalloc((size_t)nnodes + 1, sizeof(*nodes));
	uint8_t *kind = xcalloc((size_t)nnodes + 1, 1);
	struct snap_r r2;
	int rc = 0;
	if (!read_nodes(p, &r, &r2, nodes, kind, nnodes)) {
		p->snapshot_refused = "the snapshot does not read back whole";
		free(nodes);
		free(r2.files);
		goto out;
	}
	/* the files defined, registered in order after the ones there: the ids read assumed so (were
	 * the snapshot not taken after all, they are registered files nothing points to) */
	bool shifted = false;
	for (uint32_t i = 0; i < r.nfiles; i++)
		if (diag_file_add(r.files[i].path, r.files[i].text, r.files[i].len) != r.base + 1 + i)
			shifted = true;  /* a file registered meanwhile: nothing does, during a load */
	for (uint32_t i = 0; i < r2.nfiles - r2.file0; i++)
		if (diag_file_add(r2.files[i].path, r2.files[i].text, r2.files[i].len) != r.base + 1 + r2.file0 + i)
			shifted = true;
	free(r2.files);
	struct reparse rp = {.nodes = nodes, .nn = nnodes, .kind = kind, .loader_macros = loader_macros};
	if (nchanged && !shifted) {
		p->properties_files = props;
		const char *why = proj_reparse(p, &rp, changed, nchanged);
		kind = rp.kind;  /* both replaced when the nodes were placed anew */
		if (why) {
			p->snapshot_refused = why;
			p->properties_files = val_dict_new(&p->arena, 16);
			proj_reparse_release(&rp);
			free(rp.nodes);
			goto out;
		}
		nodes = rp.nodes;
		nnodes = rp.nn;
	}
	p->snapshot_refused = NULL;
	p->snapshot_id = snap_id;
	p->properties_files = props;
	for (uint32_t i = 0; i < loader_macros.d->len; i++)
		if (val_dict_get(p->loader_macros, loader_macros.d->e[i].key).type == V_UNDEF)
			val_dict_set(p->loader_macros, loader_macros.d->e[i].key, val_bool(true));
	for (uint32_t i = 0; i < nmacros; i++) {
		struct macro_def *m = p->macros[i];
		m->description = mp[i].desc ? mp[i].desc : "";
		m->arguments = mp[i].args;
		m->patch_path = mp[i].patch_path;
		m->meta = mp[i].meta;
		m->docs = mp[i].docs;
	}
	p->groups = groups;
	p->nodes = nodes;
	p->nnodes = nnodes;
	for (uint32_t i = 0; i < nnodes; i++) {
		struct node *n = nodes[i];
		n->index = i;
		proj_index_id(p, n);
		if (n->type == NODE_SOURCE && n->source_name)
			map_puts(&p->sources_by_name, proj_source_key(&p->arena, n->package, n->source_name, n->name), n);
	}
	proj_index_names(p);
	if (shifted) {
		struct diag *d = diag_error(dl, LOC_NONE, "the project snapshot in the target folder does not fit this load");
		diag_hint(dl, d, "run the command again with --no-partial-parse");
		rc = -1;
	} else {
		rc = snapshot_templates(p, nodes, kind, nnodes, dl) < 0 ? -1 : 1;
		/* the nodes parsed again: their dependencies from their new refs and sources, and the
		 * rest of what resolving does for the ones whose properties changed */
		uint32_t again = 0;
		for (uint32_t i = 0; i < nnodes && rc > 0; i++) {
			struct node *n = nodes[i];
			if (rp.resolve && rp.resolve[i])
				rc = proj_resolve_node(p, n, dl) < 0 ? -1 : rc;
			else if (rp.deps_only && rp.deps_only[i])
				rc = proj_resolve_node_deps(p, n, dl) < 0 ? -1 : rc;
			else
				continue;
			again++;
		}
		/* a model's new config may name another's relation (a full load's error too) */
		if (rc > 0 && again && (proj_check_relations(p, dl) < 0 || proj_check_microbatch(p, dl) < 0))
			rc = -1;
		p->snapshot_reparsed = rc > 0 ? again : 0;
		/* nodes parsed again are not the snapshot's: their manifest entries may serve a load that
		 * parses the same again, not one of the snapshot alone (a snapshot written now gets an id
		 * of its own) */
		if (p->snapshot_reparsed)
			p->snapshot_id = reparsed_id(snap_id, changed, nchanged);
	}
	proj_reparse_release(&rp);
out:
	free(r.files);
	free(mp);
	free(kind);
	return rc;
}
