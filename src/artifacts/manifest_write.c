/*
 * Writing target/manifest.json: streamed section by section and node by node, on every core, from
 * the pieces manifest.c builds.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifacts/art_internal.h"
#include "core/log.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/sb.h"
#include "graph/graph.h"

/*
 * Writing streams the manifest section by section and node by node: each node's entry is written
 * straight from the node (manifest_json.c) or built as a value in a scratch arena and serialised,
 * then scrubbed of secrets and written, so memory stays flat however many nodes there are (the file is still written atomically: temporary file, then rename).
 */
/*
 * The last manifest's node entries, reused. When the project's nodes are the ones the last
 * manifest was written from (the same project snapshot, parsed again in part from the same
 * changed files if at all: the same p->snapshot_id), every node's entry is the same text as
 * then, but for the nodes compiled now or then: those entries are copied from the old file (mapped
 * until the new one replaces it), where a side file, partial_parse.manifest beside it, says each
 * one lies. The nodes' created_at stays the one of that manifest, as dbt keeps a node's created_at
 * over partial parses. SLUICE_MANIFEST_CHECK=1 builds every reused entry, and every entry written
 * straight from its node (manifest_json.c), as a value too and compares the two (exit 70 on a
 * difference).
 */
#define MI_MAGIC "sluice-manifest-index 2\n"
#define MI_COMPILED 1  /* the node had compiled code or a compiled path */
#define MI_WRITTEN 2   /* the node has an entry */

struct mi_entry {
	uint64_t off;
	uint32_t len;
	uint8_t flags;
};

/* What identifies the old manifest and what it was written from */
struct mi_head {
	uint64_t snapshot_id;
	double created_at;
	int64_t exe_size, exe_mtime, exe_ino;
	int64_t size, mtime, ino;  /* of the manifest */
	uint32_t nnodes;
};

struct mcache {
	struct mi_head h;
	struct mi_entry *old;  /* the old file's entries (NULL: none to reuse) */
	const char *text;      /* the old file, mapped */
	size_t text_len;
	struct mi_entry *now;  /* this file's, as written (NULL: not recorded) */
	bool check;
};

struct jw {
	FILE *f;
	struct sb buf;
	int err;
	uint64_t written;  /* bytes written to f */
	struct mcache *mc;
	size_t reused;     /* node entries copied from the last manifest */
};

static void jw_flush(struct jw *w, bool force)
{
	/* a quarter of a MiB at a time: the buffer is part of a large project's peak memory */
	if (!force && w->buf.len < (1u << 18))
		return;
	/* JSON text never holds a raw NUL (it would be escaped), so the C-string scrub sees it all */
	size_t len = log_redact_n(w->buf.buf, w->buf.len);
	if (len && fwrite(w->buf.buf, 1, len, w->f) != len)
		w->err = 1;
	w->written += len;
	sb_reset(&w->buf);
}

static void jw_key(struct jw *w, const char *key, bool first)
{
	if (!first)
		sb_adds(&w->buf, ", ");
	val_to_json(&w->buf, val_str(key), 0, 0);
	sb_adds(&w->buf, ": ");
}

static void jw_value(struct jw *w, const char *key, value v, bool first)
{
	jw_key(w, key, first);
	val_to_json(&w->buf, v, 0, 0);
	jw_flush(w, false);
}

struct jw_edges {
	struct jw *w;
	bool first;
};

static void jw_edge(void *ctx, const char *id, const char *const *ids, size_t n)
{
	struct jw_edges *e = ctx;
	jw_key(e->w, id, e->first);
	e->first = false;
	sb_addc(&e->w->buf, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(&e->w->buf, ", ");
		val_to_json(&e->w->buf, val_str(ids[i]), 0, 0);
	}
	sb_addc(&e->w->buf, ']');
	jw_flush(e->w, false);
}

/* parent_map or child_map, entry by entry: 30,000 lists of a large project are never built */
static void jw_edges(struct jw *w, struct project *p, const struct graph *g, const char *key, bool children)
{
	jw_key(w, key, false);
	sb_addc(&w->buf, '{');
	struct jw_edges e = {w, true};
	art_edge_lists(p, g, children, jw_edge, &e);
	sb_addc(&w->buf, '}');
	jw_flush(w, false);
}

/*
 * One of nodes / sources / exposures / disabled, streamed. Nodes are serialised in batches, each
 * batch split between threads (one a core, each with its own arena and buffer), then written in
 * order: the output is the same as one thread's.
 */
/* 256 nodes a batch: the batch's JSON is held in the threads' buffers until written (at 2,048 that
 * was 6 MB of a large project's peak memory), and a thread a batch costs little */
#define JW_BATCH 256
#define JW_THREADS 8

struct jw_part {
	struct art_mctx c;
	struct arena arena;
	struct sb out;
	const uint32_t *idx;
	size_t n;
	int which;
	bool first;
	const struct mcache *mc;
	uint32_t *at;  /* each node's entry: where in out it starts and its length, for mc->now */
	bool check;    /* SLUICE_MANIFEST_CHECK: every entry written or reused is built as a value too */
	bool differs;  /* ... and one was unlike the value */
	size_t reused;
};

static bool compiled(const struct node *n)
{
	return n->compiled_code || n->compiled_path;
}

/* The node's entry in the old file, when it may be reused; NULL else */
static const struct mi_entry *reusable(const struct mcache *mc, const struct node *n)
{
	if (!mc || !mc->old || compiled(n))
		return NULL;
	const struct mi_entry *e = &mc->old[n->index];
	return (e->flags & MI_WRITTEN) && !(e->flags & MI_COMPILED) ? e : NULL;
}

/* disabled[unique_id] is a list of every disabled node of that id (variants of a model for other
 * warehouses share one); the nodes are sorted by unique_id, so they are neighbours. The first
 * of each such run writes the list; a run of more than one is not reused from an old file. */
static bool same_id_before(const struct project *p, size_t i)
{
	return i > 0 && !strcmp(p->nodes[i - 1]->unique_id, p->nodes[i]->unique_id);
}

static bool disabled_head(const struct project *p, size_t i)
{
	for (size_t j = i; same_id_before(p, j); j--)
		if (!p->nodes[j - 1]->enabled)
			return false;
	return true;
}

static bool disabled_alone(const struct project *p, size_t i)
{
	if (!disabled_head(p, i))
		return false;
	for (size_t j = i + 1; j < p->nnodes && same_id_before(p, j); j++)
		if (!p->nodes[j]->enabled)
			return false;
	return true;
}

static void *jw_part_run(void *arg)
{
	struct jw_part *part = arg;
	sb_reset(&part->out);
	for (size_t i = 0; i < part->n; i++) {
		const struct node *n = part->c.p->nodes[part->idx[i]];
		if (!(part->first && i == 0))
			sb_adds(&part->out, ", ");
		val_to_json(&part->out, val_str(n->unique_id), 0, 0);
		sb_adds(&part->out, ": ");
		size_t start = part->out.len;
		bool alone = part->which != 3 || disabled_alone(part->c.p, part->idx[i]);
		const struct mi_entry *e = alone ? reusable(part->mc, n) : NULL;
		if (e) {
			sb_add(&part->out, part->mc->text + e->off, e->len);
			part->reused++;
		}
		bool direct = !e && part->which != 3 && art_node_json(&part->c, n, &part->out);
		if (direct && part->check) {
			/* the check: the entry built as a value must be the same text */
			struct arena_mark m = arena_mark(&part->arena);
			struct sb built = SB_INIT;
			val_to_json(&built, art_node_value_in(&part->c, n), 0, 0);
			size_t wrote = part->out.len - start;
			if (built.len != wrote || memcmp(built.buf, part->out.buf + start, wrote)) {
				fprintf(stderr, "SLUICE_MANIFEST_CHECK: %s\nwritten: %.*s\nbuilt:   %.*s\n", n->unique_id,
					(int)wrote, part->out.buf + start, (int)built.len, built.buf);
				part->differs = true;
			}
			sb_release(&built);
			arena_reset(&part->arena, m);
		}
		if (!direct && (!e || part->mc->check)) {
			struct arena_mark m = arena_mark(&part->arena);
			value v = art_node_value_in(&part->c, n);
			if (part->which == 3) {
				/* disabled: a list of the versions of the node (dbt keeps several) */
				const struct project *p = part->c.p;
				value l = val_list_new(&part->arena, 1);
				val_list_push(l, v);
				for (size_t j = part->idx[i] + 1; j < p->nnodes && same_id_before(p, j); j++)
					if (!p->nodes[j]->enabled)
						val_list_push(l, art_node_value_in(&part->c, p->nodes[j]));
				v = l;
			}
			size_t at = part->out.len;
			val_to_json(&part->out, v, 0, 0);
			if (e) {
				/* the check: the entry built, compared with the one reused, then dropped */
				size_t built = part->out.len - at;
				if (built != e->len || memcmp(part->out.buf + at, part->out.buf + start, built)) {
					fprintf(stderr, "SLUICE_MANIFEST_CHECK: %s\nreused: %.*s\nbuilt:  %.*s\n", n->unique_id,
						(int)e->len, part->out.buf + start, (int)built, part->out.buf + at);
					part->differs = true;
				}
				part->out.len = at;
			}
			arena_reset(&part->arena, m);
		}
		if (part->at) {
			part->at[2 * i] = (uint32_t)start;
			part->at[2 * i + 1] = (uint32_t)(part->out.len - start);
		}
	}
	/* scrubbed here, where each node's text is whole (when a secret is known, no entry is
	 * recorded: the scrub moves them) */
	part->out.len = log_redact_n(part->out.buf, part->out.len);
	return NULL;
}

static void jw_nodes(struct jw *w, struct art_mctx *c, const char *key, int which)
{
	struct project *p = c->p;
	jw_key(w, key, false);
	sb_addc(&w->buf, '{');
	jw_flush(w, true);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int nt = cores > 1 ? (int)(cores < JW_THREADS ? cores : JW_THREADS) : 1;
	struct jw_part parts[JW_THREADS];
	uint32_t *at = w->mc && w->mc->now ? xmalloc(2 * JW_BATCH * sizeof(uint32_t)) : NULL;
	for (int t = 0; t < nt; t++) {
		parts[t].c = *c;
		arena_init(&parts[t].arena, 1 << 20);
		parts[t].c.a = &parts[t].arena;
		sb_init(&parts[t].out);
		parts[t].which = which;
		parts[t].mc = w->mc;
		parts[t].check = getenv("SLUICE_MANIFEST_CHECK") != NULL;
		parts[t].differs = false;
		parts[t].reused = 0;
	}
	uint32_t *batch = xmalloc(JW_BATCH * sizeof(uint32_t));
	bool first = true;
	size_t i = 0;
	while (i < p->nnodes) {
		size_t nb = 0;
		for (; i < p->nnodes && nb < JW_BATCH; i++) {
			const struct node *n = p->nodes[i];
			int kind = !n->enabled ? 3 : n->type == NODE_SOURCE ? 1 : n->type == NODE_EXPOSURE ? 2
				 : n->type == NODE_UNIT_TEST ? 4 : node_is_semantic(n->type) ? 5 + (int)(n->type - NODE_METRIC) : 0;
			if (kind == which && (which != 3 || disabled_head(p, i)))
				batch[nb++] = (uint32_t)i;
		}
		if (nb == 0)
			continue;
		int used = nb < 64 ? 1 : nt;
		pthread_t tids[JW_THREADS];
		size_t per = (nb + (size_t)used - 1) / (size_t)used;
		for (int t = 0; t < used; t++) {
			size_t lo = (size_t)t * per, hi = lo + per < nb ? lo + per : nb;
			parts[t].idx = batch + lo;
			parts[t].n = lo < hi ? hi - lo : 0;
			parts[t].first = first && t == 0;
			parts[t].at = at ? at + 2 * lo : NULL;
			if (t > 0 && pthread_create(&tids[t], NULL, jw_part_run, &parts[t]) != 0)
				jw_part_run(&parts[t]), tids[t] = 0;
		}
		jw_part_run(&parts[0]);
		for (int t = 1; t < used; t++)
			if (tids[t])
				pthread_join(tids[t], NULL);
		size_t k = 0;
		for (int t = 0; t < used; t++) {
			for (size_t j = 0; at && j < parts[t].n; j++, k++) {
				struct mi_entry *e = &w->mc->now[batch[k]];
				e->off = w->written + at[2 * k];
				e->len = at[2 * k + 1];
				e->flags = MI_WRITTEN | (compiled(p->nodes[batch[k]]) ? MI_COMPILED : 0);
			}
			if (parts[t].out.len && fwrite(parts[t].out.buf, 1, parts[t].out.len, w->f) != parts[t].out.len)
				w->err = 1;
			w->written += parts[t].out.len;
			if (parts[t].differs)
				w->err = 2;
			w->reused += parts[t].reused;
			parts[t].reused = 0;
		}
		first = false;
	}
	free(batch);
	free(at);
	for (int t = 0; t < nt; t++) {
		arena_release(&parts[t].arena);
		sb_release(&parts[t].out);
	}
	sb_addc(&w->buf, '}');
}

/* --- the side file ------------------------------------------------------------------------ */

static char *index_path(struct arena *a, const char *manifest)
{
	return fs_join(a, fs_dirname(a, manifest), "partial_parse.manifest");
}

static bool stat_of(const char *path, int64_t *size, int64_t *mtime, int64_t *ino)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	*size = (int64_t)st.st_size;
	*mtime = fs_mtime_ns(&st);
	*ino = (int64_t)st.st_ino;
	return true;
}

/* The old manifest's entries, when they may be reused for this project (see above) */
static void mcache_open(struct mcache *mc, struct arena *a, const char *path, struct project *p)
{
	int64_t es, em, ei;
	if (!p->from_snapshot || !p->snapshot_id || p->state_dir || log_has_secrets() ||
	    !stat_of("/proc/self/exe", &es, &em, &ei))
		return;
	/* not recorded: what the writer reads is no input of the load */
	size_t len = 0;
	char *text = fs_read_unrecorded(a, index_path(a, path), &len);
	size_t want = sizeof(MI_MAGIC) - 1 + sizeof(struct mi_head) + (size_t)p->nnodes * sizeof(struct mi_entry) + 8;
	if (!text || len != want || memcmp(text, MI_MAGIC, sizeof(MI_MAGIC) - 1))
		return;
	struct sum64 sum;
	sum64_init(&sum);
	sum64_add(&sum, text, len - 8);
	uint64_t sealed;
	memcpy(&sealed, text + len - 8, 8);
	struct mi_head h;
	memcpy(&h, text + sizeof(MI_MAGIC) - 1, sizeof(h));
	int64_t ms, mm, mi;
	if (sum64_final(&sum) != sealed || h.snapshot_id != p->snapshot_id || h.nnodes != p->nnodes ||
	    h.exe_size != es || h.exe_mtime != em || h.exe_ino != ei || !stat_of(path, &ms, &mm, &mi) ||
	    h.size != ms || h.mtime != mm || h.ino != mi)
		return;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	void *m = mmap(NULL, (size_t)ms, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return;
	struct mi_entry *e = xmalloc(((size_t)p->nnodes + 1) * sizeof(*e));
	memcpy(e, text + sizeof(MI_MAGIC) - 1 + sizeof(h), (size_t)p->nnodes * sizeof(*e));
	for (uint32_t i = 0; i < p->nnodes; i++)
		if ((e[i].flags & MI_WRITTEN) && (e[i].off > (uint64_t)ms || e[i].len > (uint64_t)ms - e[i].off))
			e[i].flags = 0;  /* (the sum makes this unlikely) */
	mc->h = h;
	mc->old = e;
	mc->text = m;
	mc->text_len = (size_t)ms;
	mc->check = getenv("SLUICE_MANIFEST_CHECK") != NULL;
}

static void mcache_close(struct mcache *mc)
{
	if (mc->text)
		munmap((void *)mc->text, mc->text_len);
	free(mc->old);
	free(mc->now);
}

/* The side file for the manifest just written at `path` (none when the entries were not recorded) */
static void mcache_save(struct mcache *mc, struct arena *a, const char *path, struct project *p, double created_at)
{
	char *ipath = index_path(a, path);
	struct mi_head h;
	memset(&h, 0, sizeof(h));  /* its padding is written too */
	h.snapshot_id = p->snapshot_id;
	h.created_at = created_at;
	h.nnodes = (uint32_t)p->nnodes;
	if (!mc->now || !p->snapshot_id || !stat_of("/proc/self/exe", &h.exe_size, &h.exe_mtime, &h.exe_ino) ||
	    !stat_of(path, &h.size, &h.mtime, &h.ino)) {
		unlink(ipath);
		return;
	}
	struct sb out = SB_INIT;
	sb_add(&out, MI_MAGIC, sizeof(MI_MAGIC) - 1);
	sb_add(&out, &h, sizeof(h));
	sb_add(&out, mc->now, p->nnodes * sizeof(*mc->now));
	struct sum64 sum;
	sum64_init(&sum);
	sum64_add(&sum, out.buf, out.len);
	uint64_t sealed = sum64_final(&sum);
	sb_add(&out, &sealed, 8);
	if (fs_write(ipath, out.buf, out.len) < 0)
		unlink(ipath);
	sb_release(&out);
}

int art_write_manifest(const char *path, struct project *p, const struct graph *g,
		       const struct art_invocation *inv, struct diag_list *dl)
{
	struct arena a;
	arena_init(&a, 1 << 20);
	struct art_mctx c = {&a, p, art_now(), NULL, NULL};
	proj_macro_deps(p);
	char *tmp = arena_sprintf(&a, "%s.tmp.%ld", path, (long)getpid());
	char *dir = fs_dirname(&a, path);
	int rc = 0;
	struct mcache mc = {0};
	mcache_open(&mc, &a, path, p);
	if (mc.old)
		c.created_at = mc.h.created_at;
	/* the entries are recorded where the scrub cannot move them, for a project its snapshot gave */
	if (p->snapshot_id && !log_has_secrets())
		mc.now = xcalloc((size_t)p->nnodes + 1, sizeof(*mc.now));
	struct jw w = {NULL, SB_INIT, 0, 0, &mc, 0};
	if (fs_mkdir_p(dir) < 0 || !(w.f = fopen(tmp, "w"))) {
		diag_error(dl, LOC_NONE, "unable to write '%s': %s", path, strerror(errno));
		mcache_close(&mc);
		arena_release(&a);
		return -1;
	}
	art_index_tests(&c);
	value meta = art_manifest_metadata(&a, p, inv);
	sb_addc(&w.buf, '{');
	jw_value(&w, "metadata", meta, true);
	jw_nodes(&w, &c, "nodes", 0);
	jw_nodes(&w, &c, "sources", 1);
	jw_key(&w, "macros", false);
	sb_addc(&w.buf, '{');
	for (size_t i = 0; i < p->nmacros; i++) {
		struct arena_mark m = arena_mark(&a);
		jw_value(&w, p->macros[i]->unique_id, art_macro_value(&c, p->macros[i]), i == 0);
		arena_reset(&a, m);
	}
	sb_addc(&w.buf, '}');
	jw_value(&w, "docs", art_docs_section(&a, p), false);
	jw_nodes(&w, &c, "exposures", 2);
	jw_nodes(&w, &c, "metrics", 5);
	jw_value(&w, "groups", p->groups.type == V_DICT ? p->groups : val_dict_new(&a, 0), false);
	jw_value(&w, "selectors", val_dict_new(&a, 0), false);
	jw_nodes(&w, &c, "disabled", 3);
	jw_edges(&w, p, g, "parent_map", false);
	jw_edges(&w, p, g, "child_map", true);
	jw_value(&w, "group_map", val_dict_new(&a, 0), false);
	jw_nodes(&w, &c, "saved_queries", 7);
	jw_nodes(&w, &c, "semantic_models", 6);
	jw_value(&w, "unit_tests", art_unit_tests(&a, p), false);
	sb_addc(&w.buf, '}');
	jw_flush(&w, true);
	if (fclose(w.f) != 0)
		w.err = 1;
	if (w.err == 2) {
		fprintf(stderr, "SLUICE_MANIFEST_CHECK: a node's entry differs from the one built as a value\n");
		unlink(tmp);
		exit(70);
	}
	if (w.err || rename(tmp, path) < 0) {
		diag_error(dl, LOC_NONE, "unable to write '%s': %s", path, strerror(errno));
		unlink(tmp);
		unlink(index_path(&a, path));
		rc = -1;
	} else {
		mcache_save(&mc, &a, path, p, c.created_at);
		if (mc.old)
			log_msg(LOG_DEBUG, "manifest: %zu of %zu node entries reused from the last manifest", w.reused,
				p->nnodes);
	}
	mcache_close(&mc);
	sb_release(&w.buf);
	arena_release(&a);
	free((void *)c.tests_off);
	return rc;
}
