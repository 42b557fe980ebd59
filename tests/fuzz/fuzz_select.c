/*
 * The selector grammar (--select/--exclude): each line of the input is a word, selected from then
 * excluded against a small project (models in folders, tags, a seed, a test, a source)
 */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "fuzz.h"
#include "graph/graph.h"
#include "project/project.h"

static struct node *add(struct project *p, enum node_type t, const char *name, const char *folder, const char *tag)
{
	struct arena *a = &p->arena;
	struct node *n = ARENA_NEW(a, struct node);
	n->type = t;
	n->name = name;
	n->package = "pkg";
	n->unique_id = arena_sprintf(a, "%s.pkg.%s", node_type_name(t), name);
	n->original_file_path = arena_sprintf(a, "models/%s/%s.sql", folder, name);
	n->path = arena_sprintf(a, "%s/%s.sql", folder, name);
	n->fqn = val_list_new(a, 3);
	val_list_push(n->fqn, val_str("pkg"));
	val_list_push(n->fqn, val_str(folder));
	val_list_push(n->fqn, val_str(name));
	n->config = val_dict_new(a, 2);
	val_dict_sets(n->config, "materialized", val_str("view"));
	n->tags = val_list_new(a, 1);
	val_list_push(n->tags, val_str(tag));
	n->enabled = true;
	n->test_metadata = val_none();
	n->attached_node = NODE_NONE;
	n->index = (uint32_t)p->nnodes;
	p->nodes = realloc(p->nodes, (p->nnodes + 1) * sizeof(*p->nodes));
	p->nodes[p->nnodes++] = n;
	return n;
}

static void dep(struct project *p, struct node *n, struct node *on)
{
	n->deps = arena_realloc(&p->arena, n->deps, n->ndeps * sizeof(uint32_t), (n->ndeps + 1) * sizeof(uint32_t));
	n->deps[n->ndeps++] = on->index;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct project p;
	memset(&p, 0, sizeof(p));
	arena_init(&p.arena, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	struct node *raw = add(&p, NODE_MODEL, "raw", "staging", "daily");
	struct node *stg = add(&p, NODE_MODEL, "stg", "staging", "daily");
	struct node *mart = add(&p, NODE_MODEL, "mart", "marts", "nightly");
	struct node *seed = add(&p, NODE_SEED, "codes", "seeds", "ref");
	struct node *test = add(&p, NODE_TEST, "not_null_mart_id", "marts", "nightly");
	dep(&p, stg, raw);
	dep(&p, mart, stg);
	dep(&p, mart, seed);
	dep(&p, test, mart);
	test->attached_node = mart->index;
	struct graph g;
	memset(&g, 0, sizeof(g));
	if (graph_build(&g, &p, &dl) == 0) {
		char *text = malloc(size + 1);
		memcpy(text, data, size);
		text[size] = '\0';
		const char *words[16];
		size_t nw = 0;
		for (char *save = NULL, *w = strtok_r(text, "\n", &save); w && nw < 16; w = strtok_r(NULL, "\n", &save))
			words[nw++] = w;
		uint8_t *sel = calloc(p.nnodes + 1, 1);
		size_t half = nw / 2;
		if (graph_select(&g, &p, words, nw - half, words + nw - half, half, ~0u, sel, &dl) < 0)
			sel[0] = 0;  /* the error is in dl */
		free(sel);
		free(text);
	}
	graph_release(&g);
	diag_list_release(&dl);
	free(p.nodes);
	arena_release(&p.arena);
	return 0;
}
