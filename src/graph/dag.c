/*
 * The DAG of a project: parents and children of every node in compressed arrays, a topological
 * order (Kahn's algorithm, ties broken by node index so every run sees the same order), and a
 * cycle, when there is one, reported with every node on it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/sb.h"
#include "graph/graph.h"

/* A binary min-heap of node indices, for deterministic ready lists */
struct heap {
	uint32_t *v;
	size_t n;
};

static void heap_push(struct heap *h, uint32_t x)
{
	size_t i = h->n++;
	h->v[i] = x;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (h->v[up] <= h->v[i])
			break;
		uint32_t t = h->v[up];
		h->v[up] = h->v[i];
		h->v[i] = t;
		i = up;
	}
}

static uint32_t heap_pop(struct heap *h)
{
	uint32_t top = h->v[0];
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->v[l] < h->v[m])
			m = l;
		if (r < h->n && h->v[r] < h->v[m])
			m = r;
		if (m == i)
			break;
		uint32_t t = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = t;
		i = m;
	}
	return top;
}

/* The location of the ref()/source() in `from` that names `to`, for the cycle message */
static struct loc edge_loc(struct project *p, struct node *from, struct node *to)
{
	for (uint32_t i = 0; i < from->nrefs; i++) {
		struct node *t = proj_ref(p, from->refs[i].package, from->refs[i].name);
		if (t == to)
			return from->refs[i].loc;
	}
	return loc_at(from->file, 1, 1, 0);
}

/* Finds a cycle among the nodes left with parents after Kahn's algorithm and reports it */
static void report_cycle(struct graph *g, struct project *p, const uint32_t *indeg, struct diag_list *dl)
{
	size_t n = g->n;
	/* walk parent links from any node still blocked: in a finite graph we must revisit one */
	uint32_t start = 0;
	while (start < n && indeg[start] == 0)
		start++;
	ASSERT(start < n);  /* called only when Kahn's algorithm left a node blocked */
	uint32_t *seen_at = xmalloc(n * sizeof(uint32_t));
	uint32_t *path = xmalloc((n + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		seen_at[i] = UINT32_MAX;
	size_t len = 0;
	uint32_t cur = start;
	while (seen_at[cur] == UINT32_MAX) {
		seen_at[cur] = (uint32_t)len;
		path[len++] = cur;
		/* a parent that is itself blocked keeps us on the cycle */
		uint32_t next = UINT32_MAX;
		for (uint32_t k = g->par_off[cur]; k < g->par_off[cur + 1]; k++) {
			if (indeg[g->par[k]] > 0) {
				next = g->par[k];
				break;
			}
		}
		if (next == UINT32_MAX)
			break;
		cur = next;
	}
	/* path[seen_at[cur] ..] is the cycle, each node depending on the next */
	struct sb s = SB_INIT;
	size_t from = seen_at[cur] == UINT32_MAX ? 0 : seen_at[cur];
	for (size_t i = from; i < len; i++)
		sb_addf(&s, "%s --> ", p->nodes[path[i]]->unique_id);
	sb_adds(&s, p->nodes[path[from]]->unique_id);
	struct node *last = p->nodes[path[len - 1]];
	struct node *first = p->nodes[path[from]];
	struct diag *d = diag_error(dl, edge_loc(p, last, first), "found a cycle: %s", s.buf);
	for (size_t i = from; i + 1 < len; i++)
		diag_note(dl, d, edge_loc(p, p->nodes[path[i]], p->nodes[path[i + 1]]),
			  "'%s' depends on '%s' here", p->nodes[path[i]]->name, p->nodes[path[i + 1]]->name);
	diag_hint(dl, d, "a model cannot depend on itself, directly or through others: remove one of these ref() calls");
	sb_release(&s);
	free(seen_at);
	free(path);
}

/* Parents of node i: its deps, plus the extra ones (tests gating a build) when given */
struct parents {
	struct project *p;
	uint32_t **extra;
	uint32_t *nextra;
};

static uint32_t npar(const struct parents *ps, size_t i)
{
	return ps->p->nodes[i]->ndeps + (ps->nextra ? ps->nextra[i] : 0);
}

static uint32_t par_at(const struct parents *ps, size_t i, uint32_t k)
{
	const struct node *nd = ps->p->nodes[i];
	return k < nd->ndeps ? nd->deps[k] : ps->extra[i][k - nd->ndeps];
}

static int build(struct graph *g, const struct parents *ps, struct diag_list *dl)
{
	struct project *p = ps->p;
	size_t n = p->nnodes;
	g->n = n;
	g->par_off = xcalloc(n + 1, sizeof(uint32_t));
	g->chi_off = xcalloc(n + 1, sizeof(uint32_t));
	g->topo = xmalloc((n + 1) * sizeof(uint32_t));
	size_t edges = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t np = npar(ps, i);
		g->par_off[i + 1] = g->par_off[i] + np;
		for (uint32_t k = 0; k < np; k++)
			g->chi_off[par_at(ps, i, k) + 1]++;
		edges += np;
	}
	for (size_t i = 0; i < n; i++)
		g->chi_off[i + 1] += g->chi_off[i];
	g->par = xmalloc((edges + 1) * sizeof(uint32_t));
	g->chi = xmalloc((edges + 1) * sizeof(uint32_t));
	uint32_t *fill = xcalloc(n + 1, sizeof(uint32_t));
	uint32_t *indeg = xcalloc(n + 1, sizeof(uint32_t));
	struct heap h = {xmalloc((n + 1) * sizeof(uint32_t)), 0};
	for (size_t i = 0; i < n; i++) {
		uint32_t np = npar(ps, i);
		for (uint32_t k = 0; k < np; k++) {
			uint32_t par = par_at(ps, i, k);
			g->par[g->par_off[i] + k] = par;
			g->chi[g->chi_off[par] + fill[par]++] = (uint32_t)i;
		}
		indeg[i] = np;
	}
	for (size_t i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(&h, (uint32_t)i);
	size_t done = 0;
	while (h.n) {
		uint32_t v = heap_pop(&h);
		g->topo[done++] = v;
		for (uint32_t k = g->chi_off[v]; k < g->chi_off[v + 1]; k++)
			if (--indeg[g->chi[k]] == 0)
				heap_push(&h, g->chi[k]);
	}
	int rc = 0;
	if (done < n) {
		report_cycle(g, p, indeg, dl);
		rc = -1;
	}
	free(fill);
	free(indeg);
	free(h.v);
	return rc;
}

int graph_build(struct graph *g, struct project *p, struct diag_list *dl)
{
	memset(g, 0, sizeof(*g));
	struct parents ps = {p, NULL, NULL};
	return build(g, &ps, dl);
}

/*
 * Tests gating a build, with dbt's rule (add_test_edges): a test runs before a node, and its
 * failure skips it, when every node the test depends on is upstream of that node. The nodes a
 * test gates are those below all of its parents; edges go to the first of them on each path
 * (a node none of whose parents is one), which orders the rest through them. A test that reads
 * a model and another model below it (a relationships test, a singular test over two models)
 * so never gates a node it reads, nor one between them.
 */
static void add_extra(uint32_t **extra, uint32_t *nextra, uint32_t *cap, uint32_t c, uint32_t t)
{
	for (uint32_t i = 0; i < nextra[c]; i++)
		if (extra[c][i] == t)
			return;
	if (nextra[c] == cap[c]) {
		cap[c] = cap[c] ? cap[c] * 2 : 4;
		extra[c] = xrealloc(extra[c], cap[c] * sizeof(uint32_t));
	}
	extra[c][nextra[c]++] = t;
}

int graph_gate_tests(struct graph *g, struct project *p, struct diag_list *dl)
{
	size_t n = p->nnodes;
	uint32_t **extra = xcalloc(n + 1, sizeof(uint32_t *));
	uint32_t *nextra = xcalloc(n + 1, sizeof(uint32_t));
	uint32_t *cap = xcalloc(n + 1, sizeof(uint32_t));
	/* per node: how many of the current test's parents it is below, valid when seen[] == the
	 * test's stamp */
	uint32_t *below = xcalloc(n + 1, sizeof(uint32_t));
	uint32_t *seen = xcalloc(n + 1, sizeof(uint32_t));
	uint32_t *mark = xcalloc(n + 1, sizeof(uint32_t));
	/* a node is pushed once for each edge that reaches it at most */
	uint32_t *stack = xmalloc(((size_t)g->par_off[n] + n + 1) * sizeof(uint32_t));
	uint32_t *hit = xmalloc((n + 1) * sizeof(uint32_t));
	uint32_t stamp = 0;
	for (size_t t = 0; t < n; t++) {
		uint32_t um = p->nodes[t]->attached_node;
		if (p->nodes[t]->type == NODE_UNIT_TEST && um < n) {
			/* a unit test runs before its model is built, and blocks it when it fails */
			if (nextra[um] == cap[um]) {
				cap[um] = cap[um] ? cap[um] * 2 : 4;
				extra[um] = xrealloc(extra[um], cap[um] * sizeof(uint32_t));
			}
			extra[um][nextra[um]++] = (uint32_t)t;
			continue;
		}
		if (p->nodes[t]->type != NODE_TEST)
			continue;
		uint32_t np = g->par_off[t + 1] - g->par_off[t];
		if (np == 0)
			continue;
		if (np == 1) {
			/* one parent: its children are the first nodes below it */
			uint32_t m = g->par[g->par_off[t]];
			for (uint32_t j = g->chi_off[m]; j < g->chi_off[m + 1]; j++)
				if (p->nodes[g->chi[j]]->type != NODE_TEST)
					add_extra(extra, nextra, cap, g->chi[j], (uint32_t)t);
			continue;
		}
		/* several parents: count, for every node below one, how many of them it is below */
		size_t nhit = 0;
		for (uint32_t k = g->par_off[t]; k < g->par_off[t + 1]; k++) {
			uint32_t m = g->par[k];
			stamp++;
			size_t sp = 0;
			for (uint32_t j = g->chi_off[m]; j < g->chi_off[m + 1]; j++)
				stack[sp++] = g->chi[j];
			while (sp) {
				uint32_t c = stack[--sp];
				if (mark[c] == stamp || p->nodes[c]->type == NODE_TEST)
					continue;
				mark[c] = stamp;
				if (seen[c] != (uint32_t)t + 1) {
					seen[c] = (uint32_t)t + 1;
					below[c] = 0;
					hit[nhit++] = c;
				}
				below[c]++;
				for (uint32_t j = g->chi_off[c]; j < g->chi_off[c + 1]; j++)
					if (mark[g->chi[j]] != stamp)
						stack[sp++] = g->chi[j];
			}
		}
		for (size_t i = 0; i < nhit; i++) {
			uint32_t c = hit[i];
			if (below[c] != np)
				continue;
			bool first = true;
			for (uint32_t k = g->par_off[c]; k < g->par_off[c + 1] && first; k++) {
				uint32_t q = g->par[k];
				first = !(seen[q] == (uint32_t)t + 1 && below[q] == np);
			}
			if (first)
				add_extra(extra, nextra, cap, c, (uint32_t)t);
		}
	}
	free(below);
	free(seen);
	free(mark);
	free(stack);
	free(hit);
	graph_release(g);
	struct parents ps = {p, extra, nextra};
	int rc = build(g, &ps, dl);
	for (size_t i = 0; i < n; i++)
		free(extra[i]);
	free(extra);
	free(nextra);
	free(cap);
	return rc;
}

void graph_release(struct graph *g)
{
	free(g->par_off);
	free(g->par);
	free(g->chi_off);
	free(g->chi);
	free(g->topo);
	memset(g, 0, sizeof(*g));
}
