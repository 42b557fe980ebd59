/*
 * The scheduler: runs the selected nodes of a graph on N worker threads in dependency order.
 *
 * DESIGN
 * Only selected nodes run, but their order must respect dependencies that pass through unselected
 * nodes (a -> b -> c with b unselected still orders a before c). So first each selected node gets
 * its "effective parents": the selected nodes reachable upwards through unselected ones only
 * (a walk per node, with a stamp array instead of clearing a visited set). From these the
 * scheduler keeps, per node, a count of unfinished effective parents, and a ready heap ordered by
 * topological position, so that with one thread the order is the same on every run.
 *
 * Workers take the lowest ready node under the one lock, run it unlocked, then under the lock
 * record the result and release its children. A failure marks every pending effective descendant
 * SKIPPED (on_skip is called for each, under the lock); with fail_fast every pending node is
 * skipped and nothing new starts; a halt (SCHED_HALT, Ctrl-C) stops the run and leaves the rest
 * pending. Workers sleep on a condition variable; the last one to see nothing pending and nothing
 * running wakes the others so all exit.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "graph/graph.h"

struct sched {
	const struct graph *g;
	const uint8_t *selected;
	uint32_t *eoff, *echi;     /* effective children (CSR) */
	uint32_t *pending;         /* unfinished effective parents */
	uint32_t *pos;             /* topological position of each node */
	uint32_t *heap;            /* ready nodes by topological position */
	size_t nheap;
	size_t remaining;          /* selected nodes not yet finished or skipped */
	int running;
	bool stop;
	bool fail_fast;
	enum sched_status *status;
	sched_work_fn work;
	sched_skip_fn on_skip;
	void *ud;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void heap_push(struct sched *s, uint32_t v)
{
	ASSERT(s->nheap < s->g->n + 1);  /* each node is pushed once, when its last parent ends */
	size_t i = s->nheap++;
	s->heap[i] = v;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (s->pos[s->heap[up]] <= s->pos[s->heap[i]])
			break;
		uint32_t t = s->heap[up];
		s->heap[up] = s->heap[i];
		s->heap[i] = t;
		i = up;
	}
}

static uint32_t heap_pop(struct sched *s)
{
	ASSERT(s->nheap > 0);
	uint32_t top = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && s->pos[s->heap[l]] < s->pos[s->heap[m]])
			m = l;
		if (r < s->nheap && s->pos[s->heap[r]] < s->pos[s->heap[m]])
			m = r;
		if (m == i)
			break;
		uint32_t t = s->heap[m];
		s->heap[m] = s->heap[i];
		s->heap[i] = t;
		i = m;
	}
	return top;
}

/* Effective parents of every selected node, turned into effective children in CSR form */
/*
 * The order among ready nodes is dbt's (GraphQueue._get_scores): by depth in the graph of the
 * selected nodes (a node one level below everything it depends on), then by unique_id. A project
 * whose models read a table by name rather than through ref() (snowplow-utils' integration
 * project) relies on every root starting before anything that depends on another node.
 */
static uint32_t *sort_level;

static int cmp_depth(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	if (sort_level[a] != sort_level[b])
		return sort_level[a] < sort_level[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void build_effective(struct sched *s);

static void order_by_depth(struct sched *s)
{
	const struct graph *g = s->g;
	size_t n = g->n;
	uint32_t *level = xcalloc(n + 1, sizeof(uint32_t)), *order = xmalloc((n + 1) * sizeof(uint32_t));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = g->topo[i];
		if (!s->selected[v])
			continue;
		order[k++] = v;
		for (uint32_t e = s->eoff[v]; e < s->eoff[v + 1]; e++)
			if (level[s->echi[e]] < level[v] + 1)
				level[s->echi[e]] = level[v] + 1;
	}
	/* one run at a time sorts (the scheduler is not reentrant across threads anyway) */
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&sort_lock);
	sort_level = level;
	qsort(order, k, sizeof(*order), cmp_depth);
	sort_level = NULL;
	pthread_mutex_unlock(&sort_lock);
	for (size_t i = 0; i < k; i++)
		s->pos[order[i]] = (uint32_t)i;
	free(level);
	free(order);
}

static void build_effective(struct sched *s)
{
	const struct graph *g = s->g;
	size_t n = g->n;
	uint32_t *stamp = xcalloc(n + 1, sizeof(uint32_t));
	uint32_t *stack = xmalloc((n + 1) * sizeof(uint32_t));
	/* pairs (parent, child), collected then bucketed by parent */
	size_t cap = 1024, np = 0;
	uint32_t *pairs = xmalloc(cap * 2 * sizeof(uint32_t));
	for (size_t v = 0; v < n; v++) {
		if (!s->selected[v])
			continue;
		uint32_t mark = (uint32_t)v + 1;
		size_t top = 0;
		for (uint32_t k = g->par_off[v]; k < g->par_off[v + 1]; k++)
			stack[top++] = g->par[k];
		while (top) {
			uint32_t u = stack[--top];
			if (stamp[u] == mark)
				continue;
			stamp[u] = mark;
			if (s->selected[u]) {
				if (np == cap) {
					cap *= 2;
					pairs = xrealloc(pairs, cap * 2 * sizeof(uint32_t));
				}
				pairs[2 * np] = u;
				pairs[2 * np + 1] = (uint32_t)v;
				np++;
				s->pending[v]++;
				continue;
			}
			for (uint32_t k = g->par_off[u]; k < g->par_off[u + 1]; k++)
				if (stamp[g->par[k]] != mark)
					stack[top++] = g->par[k];
		}
	}
	s->eoff = xcalloc(n + 2, sizeof(uint32_t));
	s->echi = xmalloc((np + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < np; i++)
		s->eoff[pairs[2 * i] + 1]++;
	for (size_t i = 0; i < n; i++)
		s->eoff[i + 1] += s->eoff[i];
	uint32_t *fill = xcalloc(n + 1, sizeof(uint32_t));
	for (size_t i = 0; i < np; i++) {
		uint32_t par = pairs[2 * i];
		s->echi[s->eoff[par] + fill[par]++] = pairs[2 * i + 1];
	}
	free(fill);
	free(pairs);
	free(stack);
	free(stamp);
}

/* Under the lock: every pending effective descendant of v is skipped */
static void skip_descendants(struct sched *s, uint32_t v)
{
	size_t n = s->g->n;
	uint32_t *queue = xmalloc((n + 1) * sizeof(uint32_t));
	size_t head = 0, tail = 0;
	queue[tail++] = v;
	while (head < tail) {
		uint32_t u = queue[head++];
		for (uint32_t k = s->eoff[u]; k < s->eoff[u + 1]; k++) {
			uint32_t w = s->echi[k];
			if (s->status[w] != SCHED_PENDING)
				continue;
			ASSERT(s->remaining > 0);
			s->status[w] = SCHED_SKIPPED;
			s->remaining--;
			if (s->on_skip)
				s->on_skip(s->ud, w, v);
			ASSERT(tail <= n);  /* a node leaves PENDING once, so it is queued once */
			queue[tail++] = w;
		}
	}
	free(queue);
}

struct worker_arg {
	struct sched *s;
	int id;
};

/* Under the lock, after a failure with fail_fast: nothing new starts */
static void skip_everything(struct sched *s, uint32_t cause)
{
	s->stop = true;
	s->nheap = 0;
	for (size_t w = 0; w < s->g->n; w++) {
		if (s->selected[w] && s->status[w] == SCHED_PENDING) {
			ASSERT(s->remaining > 0);
			s->status[w] = SCHED_SKIPPED;
			s->remaining--;
			if (s->on_skip)
				s->on_skip(s->ud, (uint32_t)w, cause);
		}
	}
}

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct sched *s = wa->s;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->nheap == 0 && s->remaining > 0 && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->nheap == 0 || s->stop)
			break;
		uint32_t v = heap_pop(s);
		/* ready means pending with every parent done; claimed, it is no longer pending, so
		 * skips leave it alone */
		ASSERT(s->status[v] == SCHED_PENDING && s->pending[v] == 0);
		s->status[v] = SCHED_SUCCESS;
		s->running++;
		pthread_mutex_unlock(&s->lock);
		int rc = s->work(s->ud, v, wa->id);
		pthread_mutex_lock(&s->lock);
		ASSERT(s->running > 0 && s->remaining > 0);
		s->running--;
		s->remaining--;
		if (rc == SCHED_HALT) {
			s->status[v] = SCHED_FAILED;
			s->stop = true;
			s->nheap = 0;
		} else if (rc) {
			s->status[v] = SCHED_FAILED;
			skip_descendants(s, v);
			if (s->fail_fast)
				skip_everything(s, v);
		} else {
			for (uint32_t k = s->eoff[v]; k < s->eoff[v + 1]; k++) {
				uint32_t w = s->echi[k];
				ASSERT(s->status[w] != SCHED_PENDING || s->pending[w] > 0);
				if (s->status[w] == SCHED_PENDING && --s->pending[w] == 0)
					heap_push(s, w);
			}
		}
		pthread_cond_broadcast(&s->cond);
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int graph_sched_run(const struct graph *g, const uint8_t *selected, int threads, bool fail_fast,
		    sched_work_fn work, sched_skip_fn on_skip, void *ud, enum sched_status *status)
{
	size_t n = g->n;
	struct sched s = {0};
	s.g = g;
	s.selected = selected;
	s.status = status;
	s.work = work;
	s.on_skip = on_skip;
	s.ud = ud;
	s.fail_fast = fail_fast;
	s.pending = xcalloc(n + 1, sizeof(uint32_t));
	s.pos = xmalloc((n + 1) * sizeof(uint32_t));
	s.heap = xmalloc((n + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		s.pos[g->topo[i]] = (uint32_t)i;
		status[i] = SCHED_PENDING;
	}
	build_effective(&s);
	order_by_depth(&s);
	for (size_t i = 0; i < n; i++) {
		if (!selected[i])
			continue;
		s.remaining++;
		if (s.pending[i] == 0)
			heap_push(&s, (uint32_t)i);
	}
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	if (threads < 1)
		threads = 1;
	pthread_t *tids = xcalloc((size_t)threads, sizeof(pthread_t));
	struct worker_arg *args = xcalloc((size_t)threads, sizeof(*args));
	int started = 0;
	for (int t = 0; t < threads; t++) {
		args[t].s = &s;
		args[t].id = t;
		if (pthread_create(&tids[t], NULL, worker, &args[t]) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&args[0]);
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	free(tids);
	free(args);
	free(s.pending);
	free(s.pos);
	free(s.heap);
	free(s.eoff);
	free(s.echi);
	return 0;
}
