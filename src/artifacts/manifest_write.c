/*
 * Writing target/manifest.json: streamed section by section and node by node, on every core, from
 * the pieces manifest.c builds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifacts/art_internal.h"
#include "core/log.h"
#include "core/fs.h"
#include "core/sb.h"
#include "graph/graph.h"

/*
 * Writing streams the manifest section by section and node by node: each node's value is built in
 * a scratch arena, serialised, scrubbed of secrets and written, so memory stays flat however many
 * nodes there are (the file is still written atomically: temporary file, then rename).
 */
struct jw {
	FILE *f;
	struct sb buf;
	int err;
};

static void jw_flush(struct jw *w, bool force)
{
	if (!force && w->buf.len < (1u << 20))
		return;
	/* JSON text never holds a raw NUL (it would be escaped), so the C-string scrub sees it all */
	size_t len = log_redact_n(w->buf.buf, w->buf.len);
	if (len && fwrite(w->buf.buf, 1, len, w->f) != len)
		w->err = 1;
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

/*
 * One of nodes / sources / exposures / disabled, streamed. Nodes are serialised in batches, each
 * batch split between threads (one a core, each with its own arena and buffer), then written in
 * order: the output is the same as one thread's.
 */
#define JW_BATCH 2048
#define JW_THREADS 8

struct jw_part {
	struct art_mctx c;
	struct arena arena;
	struct sb out;
	const uint32_t *idx;
	size_t n;
	int which;
	bool first;
};

static void *jw_part_run(void *arg)
{
	struct jw_part *part = arg;
	sb_reset(&part->out);
	for (size_t i = 0; i < part->n; i++) {
		const struct node *n = part->c.p->nodes[part->idx[i]];
		struct arena_mark m = arena_mark(&part->arena);
		value v = art_node_value_in(&part->c, n);
		if (part->which == 3) {
			/* disabled: a list of the versions of the node (dbt keeps several) */
			value l = val_list_new(&part->arena, 1);
			val_list_push(l, v);
			v = l;
		}
		if (!(part->first && i == 0))
			sb_adds(&part->out, ", ");
		val_to_json(&part->out, val_str(n->unique_id), 0, 0);
		sb_adds(&part->out, ": ");
		val_to_json(&part->out, v, 0, 0);
		arena_reset(&part->arena, m);
	}
	/* scrubbed here, where each node's text is whole */
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
	for (int t = 0; t < nt; t++) {
		parts[t].c = *c;
		arena_init(&parts[t].arena, 1 << 20);
		parts[t].c.a = &parts[t].arena;
		sb_init(&parts[t].out);
		parts[t].which = which;
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
			if (kind == which)
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
			if (t > 0 && pthread_create(&tids[t], NULL, jw_part_run, &parts[t]) != 0)
				jw_part_run(&parts[t]), tids[t] = 0;
		}
		jw_part_run(&parts[0]);
		for (int t = 1; t < used; t++)
			if (tids[t])
				pthread_join(tids[t], NULL);
		for (int t = 0; t < used; t++)
			if (parts[t].out.len && fwrite(parts[t].out.buf, 1, parts[t].out.len, w->f) != parts[t].out.len)
				w->err = 1;
		first = false;
	}
	free(batch);
	for (int t = 0; t < nt; t++) {
		arena_release(&parts[t].arena);
		sb_release(&parts[t].out);
	}
	sb_addc(&w->buf, '}');
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
	struct jw w = {NULL, SB_INIT, 0};
	if (fs_mkdir_p(dir) < 0 || !(w.f = fopen(tmp, "w"))) {
		diag_error(dl, LOC_NONE, "unable to write '%s': %s", path, strerror(errno));
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
	value parent_map = val_dict_new(&a, p->nnodes);
	value child_map = val_dict_new(&a, p->nnodes);
	art_edge_maps(&a, p, g, parent_map, child_map);
	jw_value(&w, "parent_map", parent_map, false);
	jw_value(&w, "child_map", child_map, false);
	jw_value(&w, "group_map", val_dict_new(&a, 0), false);
	jw_nodes(&w, &c, "saved_queries", 7);
	jw_nodes(&w, &c, "semantic_models", 6);
	jw_value(&w, "unit_tests", art_unit_tests(&a, p), false);
	sb_addc(&w.buf, '}');
	jw_flush(&w, true);
	if (fclose(w.f) != 0)
		w.err = 1;
	if (w.err || rename(tmp, path) < 0) {
		diag_error(dl, LOC_NONE, "unable to write '%s': %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	sb_release(&w.buf);
	arena_release(&a);
	free((void *)c.tests_off);
	return rc;
}
