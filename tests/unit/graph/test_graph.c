/*
 * The DAG, selection and the scheduler on small projects built in memory: topological order,
 * cycles named in full, every selector form, indirect test selection, scheduling on 1 and 4
 * threads, skips across an unselected node, fail-fast, and a 10,000-node graph.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "graph/graph.h"

struct fixture {
	struct project p;
	struct graph g;
	struct diag_list dl;
};

static struct node *add(struct project *p, enum node_type t, const char *name, const char *folder,
			const char *tags)
{
	struct arena *a = &p->arena;
	struct node *n = ARENA_NEW(a, struct node);
	n->type = t;
	n->name = name;
	n->package = "pkg";
	n->unique_id = arena_sprintf(a, "%s.pkg.%s", node_type_name(t), name);
	n->original_file_path = arena_sprintf(a, "models/%s%s%s.sql", folder, *folder ? "/" : "", name);
	n->fqn = val_list_new(a, 3);
	val_list_push(n->fqn, val_str("pkg"));
	if (*folder)
		val_list_push(n->fqn, val_str(folder));
	val_list_push(n->fqn, val_str(name));
	n->config = val_dict_new(a, 2);
	val_dict_sets(n->config, "materialized", val_str(*folder && !strcmp(folder, "marts") ? "table" : "view"));
	n->tags = val_list_new(a, 2);
	if (tags && *tags)
		val_list_push(n->tags, val_str(tags));
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

/* raw_a -> stg_a -> orders -> report;  raw_b -> stg_b -> orders;  tests on orders */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	arena_init(&f->p.arena, 0);
	diag_list_init(&f->dl);
	struct project *p = &f->p;
	struct node *raw_a = add(p, NODE_MODEL, "raw_a", "raw", "");
	struct node *raw_b = add(p, NODE_MODEL, "raw_b", "raw", "");
	struct node *stg_a = add(p, NODE_MODEL, "stg_a", "staging", "daily");
	struct node *stg_b = add(p, NODE_MODEL, "stg_b", "staging", "daily");
	struct node *orders = add(p, NODE_MODEL, "orders", "marts", "nightly");
	struct node *report = add(p, NODE_MODEL, "report", "marts", "nightly");
	struct node *t1 = add(p, NODE_TEST, "unique_orders_id", "marts", "");
	t1->test_metadata = val_dict_new(&p->arena, 1);
	val_dict_sets(t1->test_metadata, "name", val_str("unique"));
	struct node *t2 = add(p, NODE_TEST, "assert_report", "", "");
	struct node *src = add(p, NODE_SOURCE, "events", "", "");
	src->source_name = "raw";
	dep(p, stg_a, raw_a);
	dep(p, stg_b, raw_b);
	dep(p, orders, stg_a);
	dep(p, orders, stg_b);
	dep(p, report, orders);
	dep(p, t1, orders);
	dep(p, t2, report);
	dep(p, raw_a, src);
	assert_int_equal(graph_build(&f->g, p, &f->dl), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	graph_release(&f->g);
	free(f->p.nodes);
	arena_release(&f->p.arena);
	diag_list_release(&f->dl);
	free(f);
	return 0;
}

static const char *selection(struct fixture *f, const char *sel, const char *excl, unsigned types)
{
	static char buf[1024];
	uint8_t s[64];
	const char *sv[1] = {sel};
	const char *ev[1] = {excl};
	if (graph_select(&f->g, &f->p, sv, sel ? 1 : 0, ev, excl ? 1 : 0, types, s, &f->dl) < 0)
		return "ERROR";
	buf[0] = '\0';
	for (size_t i = 0; i < f->p.nnodes; i++) {
		if (!s[i])
			continue;
		if (buf[0])
			strcat(buf, " ");
		strcat(buf, f->p.nodes[i]->name);
	}
	return buf;
}

#define MODELS (1u << NODE_MODEL)
#define ALL (~0u)

static void test_topo(void **state)
{
	struct fixture *f = *state;
	uint32_t pos[16];
	for (size_t i = 0; i < f->g.n; i++)
		pos[f->g.topo[i]] = (uint32_t)i;
	for (size_t i = 0; i < f->p.nnodes; i++)
		for (uint32_t k = 0; k < f->p.nodes[i]->ndeps; k++)
			assert_true(pos[f->p.nodes[i]->deps[k]] < pos[i]);
	/* parents and children agree */
	assert_int_equal(f->g.par_off[4 + 1] - f->g.par_off[4], 2);  /* orders has two parents */
	assert_int_equal(f->g.chi_off[4 + 1] - f->g.chi_off[4], 2);  /* report and the test */
}

static void test_selectors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *sel, *excl;
		unsigned types;
		const char *want;
	} cases[] = {
		{NULL, NULL, MODELS, "raw_a raw_b stg_a stg_b orders report"},
		{"orders", NULL, MODELS, "orders"},
		{"+orders", NULL, MODELS, "raw_a raw_b stg_a stg_b orders"},
		{"orders+", NULL, MODELS, "orders report"},
		{"1+orders", NULL, MODELS, "stg_a stg_b orders"},
		{"2+report", NULL, MODELS, "stg_a stg_b orders report"},
		{"raw_a+1", NULL, MODELS, "raw_a stg_a"},
		{"@stg_a", NULL, MODELS, "raw_a raw_b stg_a stg_b orders report"},
		{"tag:daily", NULL, MODELS, "stg_a stg_b"},
		{"tag:nightly,orders+", NULL, MODELS, "orders report"},
		{"stg_a stg_b", NULL, MODELS, "stg_a stg_b"},
		/* dbt's is_selected_node: a wildcard part matches the rest of the fqn, with or without
		 * its package, so "stg_*" finds no model under models/staging but "*.stg_*" does */
		{"stg_*", NULL, MODELS, ""},
		{"*.stg_*", NULL, MODELS, "stg_a stg_b"},
		{"staging.stg_*", NULL, MODELS, "stg_a stg_b"},
		{"pkg.staging", NULL, MODELS, "stg_a stg_b"},
		{"pkg.marts.report", NULL, MODELS, "report"},
		{"pkg.staging.*", NULL, MODELS, "stg_a stg_b"},
		{"path:models/raw", NULL, MODELS, "raw_a raw_b"},
		{"path:models/marts/orders.sql", NULL, MODELS, "orders"},
		{"models/staging", NULL, MODELS, "stg_a stg_b"},
		{"file:report.sql", NULL, MODELS, "report"},
		{"config.materialized:table", NULL, MODELS, "orders report"},
		{"package:pkg", "tag:daily", MODELS, "raw_a raw_b orders report"},
		{"+report", "tag:daily", MODELS, "raw_a raw_b orders report"},
		{"resource_type:test", NULL, ALL, "unique_orders_id assert_report"},
		{"test_type:generic", NULL, ALL, "unique_orders_id"},
		{"test_type:singular", NULL, ALL, "assert_report"},
		{"test_name:unique", NULL, ALL, "unique_orders_id"},
		{"source:raw", NULL, ALL, "events"},
		{"source:raw.events+1", NULL, ALL, "raw_a events"},
		{"orders", NULL, ALL, "orders unique_orders_id"},     /* tests join their model */
		{"orders", NULL, 1u << NODE_TEST, "unique_orders_id"},
		{"report", "assert_report", ALL, "report"},
		/* each part of an intersection brings its tests before the parts meet (dbt's
		 * get_nodes_from_criteria expands every criterion), so a test can meet a model */
		{"test_name:unique,orders", NULL, ALL, "unique_orders_id"},
		{"resource_type:test,tag:nightly", NULL, ALL, "unique_orders_id assert_report"},
		{"stg_a+", "orders", ALL, "stg_a report assert_report"},
		{"nothing_here", NULL, MODELS, ""},
		{"bogus:x", NULL, MODELS, "ERROR"},
		{"state:modified", NULL, MODELS, "ERROR"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = selection(f, cases[i].sel, cases[i].excl, cases[i].types);
		if (strcmp(got, cases[i].want))
			fail_msg("select '%s' exclude '%s': want '%s', got '%s'", cases[i].sel ? cases[i].sel : "",
				 cases[i].excl ? cases[i].excl : "", cases[i].want, got);
	}
	/* the unmatched selector warned, the bogus ones errored */
	bool warned = false;
	for (const struct diag *d = f->dl.head; d; d = d->next)
		if (d->kind == DIAG_WARN && strstr(d->msg, "'nothing_here' does not match"))
			warned = true;
	assert_true(warned);
	assert_int_equal(f->dl.nerrors, 2);
}

static void test_cycle(void **state)
{
	(void)state;
	struct project p = {0};
	arena_init(&p.arena, 0);
	struct node *a = add(&p, NODE_MODEL, "a", "", "");
	struct node *b = add(&p, NODE_MODEL, "b", "", "");
	struct node *c = add(&p, NODE_MODEL, "c", "", "");
	struct node *d = add(&p, NODE_MODEL, "d", "", "");
	dep(&p, a, c);
	dep(&p, b, a);
	dep(&p, c, b);
	dep(&p, d, c);  /* downstream of the cycle, not on it */
	struct graph g;
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(graph_build(&g, &p, &dl), -1);
	assert_non_null(dl.head);
	const char *m = dl.head->msg;
	assert_non_null(strstr(m, "found a cycle"));
	assert_non_null(strstr(m, "model.pkg.a"));
	assert_non_null(strstr(m, "model.pkg.b"));
	assert_non_null(strstr(m, "model.pkg.c"));
	assert_null(strstr(m, "model.pkg.d"));
	graph_release(&g);
	diag_list_release(&dl);
	free(p.nodes);
	arena_release(&p.arena);
}

/* ---- scheduling ---- */

struct run {
	struct fixture *f;
	pthread_mutex_t lock;
	uint32_t order[64];
	int n;
	const char *fail;      /* name of the node that fails */
	char skipped[512];
	int active, max_active;
};

static int work(void *ud, uint32_t node, int worker)
{
	struct run *r = ud;
	pthread_mutex_lock(&r->lock);
	r->order[r->n++] = node;
	if (++r->active > r->max_active)
		r->max_active = r->active;
	pthread_mutex_unlock(&r->lock);
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&r->lock);
	r->active--;
	pthread_mutex_unlock(&r->lock);
	return r->fail && !strcmp(r->f->p.nodes[node]->name, r->fail);
}

static void on_skip(void *ud, uint32_t node, uint32_t cause)
{
	struct run *r = ud;
	strcat(r->skipped, r->f->p.nodes[node]->name);
	strcat(r->skipped, " ");
}

static void check_order(struct run *r)
{
	uint32_t pos[64];
	for (uint32_t i = 0; i < 64; i++)
		pos[i] = UINT32_MAX;
	for (int i = 0; i < r->n; i++)
		pos[r->order[i]] = (uint32_t)i;
	for (int i = 0; i < r->n; i++) {
		struct node *n = r->f->p.nodes[r->order[i]];
		for (uint32_t k = 0; k < n->ndeps; k++)
			if (pos[n->deps[k]] != UINT32_MAX)
				assert_true(pos[n->deps[k]] < (uint32_t)i);
	}
}

static void test_sched(void **state)
{
	struct fixture *f = *state;
	uint8_t sel[16];
	enum sched_status st[16];
	for (int threads = 1; threads <= 4; threads *= 4) {
		struct run r = {.f = f};
		pthread_mutex_init(&r.lock, NULL);
		memset(sel, 1, f->p.nnodes);
		assert_int_equal(graph_sched_run(&f->g, sel, threads, false, work, on_skip, &r, st), 0);
		assert_int_equal(r.n, (int)f->p.nnodes);
		check_order(&r);
		if (threads == 1)
			assert_int_equal(r.max_active, 1);
		else
			assert_true(r.max_active >= 2);  /* raw_a and raw_b are independent */
		for (size_t i = 0; i < f->p.nnodes; i++)
			assert_int_equal(st[i], SCHED_SUCCESS);
		pthread_mutex_destroy(&r.lock);
	}
}

static void test_skip_through_unselected(void **state)
{
	struct fixture *f = *state;
	uint8_t sel[16] = {0};
	enum sched_status st[16];
	/* select stg_a, report, assert_report, raw_b; orders (between) is not selected */
	const char *want[] = {"stg_a", "report", "assert_report", "raw_b"};
	for (size_t i = 0; i < f->p.nnodes; i++)
		for (size_t k = 0; k < 4; k++)
			if (!strcmp(f->p.nodes[i]->name, want[k]))
				sel[i] = 1;
	struct run r = {.f = f, .fail = "stg_a"};
	pthread_mutex_init(&r.lock, NULL);
	graph_sched_run(&f->g, sel, 2, false, work, on_skip, &r, st);
	assert_int_equal(r.n, 2);  /* stg_a (fails) and raw_b (independent) */
	assert_non_null(strstr(r.skipped, "report"));
	assert_non_null(strstr(r.skipped, "assert_report"));
	for (size_t i = 0; i < f->p.nnodes; i++) {
		if (!strcmp(f->p.nodes[i]->name, "stg_a"))
			assert_int_equal(st[i], SCHED_FAILED);
		if (!strcmp(f->p.nodes[i]->name, "raw_b"))
			assert_int_equal(st[i], SCHED_SUCCESS);
		if (!strcmp(f->p.nodes[i]->name, "report"))
			assert_int_equal(st[i], SCHED_SKIPPED);
	}
	pthread_mutex_destroy(&r.lock);
}

static void test_fail_fast(void **state)
{
	struct fixture *f = *state;
	uint8_t sel[16];
	enum sched_status st[16];
	memset(sel, 1, f->p.nnodes);
	struct run r = {.f = f, .fail = "raw_b"};  /* the first node to run: the lowest ready index */
	pthread_mutex_init(&r.lock, NULL);
	graph_sched_run(&f->g, sel, 1, true, work, on_skip, &r, st);
	assert_int_equal(r.n, 1);
	int skipped = 0;
	for (size_t i = 0; i < f->p.nnodes; i++)
		skipped += st[i] == SCHED_SKIPPED;
	assert_int_equal(skipped, (int)f->p.nnodes - 1);
	pthread_mutex_destroy(&r.lock);
}

static int count_work(void *ud, uint32_t node, int worker)
{
	__atomic_fetch_add((int *)ud, 1, __ATOMIC_RELAXED);
	return 0;
}

static void test_large(void **state)
{
	(void)state;
	struct project p = {0};
	arena_init(&p.arena, 0);
	enum { N = 10000 };
	static char names[N][16];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "m%05d", i);
		struct node *n = add(&p, NODE_MODEL, names[i], i % 2 ? "odd" : "even", i % 3 ? "" : "third");
		if (i > 0)
			dep(&p, n, p.nodes[(i * 7) % i]);
		if (i > 10)
			dep(&p, n, p.nodes[i - 10]);
	}
	struct graph g;
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(graph_build(&g, &p, &dl), 0);
	uint8_t *sel = malloc(N);
	const char *s[] = {"tag:third+", "pkg.odd"};
	assert_int_equal(graph_select(&g, &p, s, 2, NULL, 0, MODELS, sel, &dl), 0);
	enum sched_status *st = malloc(N * sizeof(*st));
	int count = 0;
	graph_sched_run(&g, sel, 4, false, count_work, NULL, &count, st);
	int nsel = 0;
	for (int i = 0; i < N; i++)
		nsel += sel[i];
	assert_int_equal(count, nsel);
	free(sel);
	free(st);
	graph_release(&g);
	diag_list_release(&dl);
	free(p.nodes);
	arena_release(&p.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_topo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selectors, setup, teardown),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test_setup_teardown(test_sched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_through_unselected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_fast, setup, teardown),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
