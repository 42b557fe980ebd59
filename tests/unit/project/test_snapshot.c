/*
 * The project snapshot (project/snapshot.c): a project read back from it is the project that was
 * written, node by node; and a damaged payload whose checksum still holds (so that the reader
 * itself must notice) is refused or read without a crash, whichever byte is changed or wherever
 * it is cut. The sanitizers run this too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifacts/artifacts.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "project/project.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(fs_write(path, text, strlen(text)), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/sluice-unit-snapshot.XXXXXX");
	assert_non_null(mkdtemp(root));
	setenv("SLUICE_MACROS_DIR", SLUICE_SOURCE_MACROS, 1);
	setenv("HOME", root, 1);
	unsetenv("DBT_PROFILES_DIR");
	put("dbt_project.yml", "name: snap\nprofile: snap\nmodels:\n  snap:\n    +materialized: table\n");
	put("profiles.yml", "snap:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: snap.duckdb\n");
	put("models/a.sql", "select 1 as id, 2.5 as f, 'x' as s");
	put("models/b.sql", "{{ config(tags=['t', 'u'], meta={'k': [1, 2.5, none, true]}) }}\n"
			    "select * from {{ ref('a') }} join {{ source('raw', 'events') }} using (id)");
	put("models/schema.yml",
	    "version: 2\n"
	    "sources:\n  - name: raw\n    tables:\n      - name: events\n        loaded_at_field: at\n"
	    "        freshness: {warn_after: {count: 1, period: hour}}\n"
	    "models:\n"
	    "  - name: b\n    description: \"b's: {{ 'rendered' }}\"\n    columns:\n"
	    "      - name: id\n        data_tests: [unique, not_null]\n"
	    "      - name: s\n        data_tests:\n          - accepted_values: {values: ['x', 'y']}\n"
	    "exposures:\n  - name: dash\n    type: dashboard\n    owner: {name: o}\n    depends_on: [ref('b')]\n");
	put("snapshots/snap.sql",
	    "{% snapshot s1 %}{{ config(target_schema='snaps', unique_key='id', strategy='check', check_cols='all') }}"
	    "select * from {{ ref('a') }}{% endsnapshot %}");
	put("tests/one.sql", "select * from {{ ref('b') }} where id < 0");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_rm_rf(root);
	return 0;
}

/* The snapshot callback: the buffer in ud */
struct offered {
	const char *data;
	size_t len;
};

static int offer(struct project *p, void *ud, const void **pdata, size_t *plen, const char *const **pchanged,
		 size_t *pnchanged)
{
	(void)p;
	const struct offered *o = ud;
	*pdata = o->data;
	*plen = o->len;
	*pchanged = NULL;
	*pnchanged = 0;
	return 0;
}

static int to_sb(void *ud, const void *data, size_t len)
{
	sb_add(ud, data, len);
	return 0;
}

/* Every node as the manifest has it (created_at aside), with its deps, template and locations */
static void fingerprint(struct project *p, struct sb *out)
{
	struct arena a;
	arena_init(&a, 1 << 16);
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct node *n = p->nodes[i];
		value v = art_node_value(&a, p, n);
		val_dict_del(v, val_str("created_at"));
		val_to_json(out, v, 0, 0);
		int line, col;
		loc_linecol(n->yaml_loc, &line, &col);
		sb_addf(out, "\ntmpl=%d body=%d raw=%zu yaml=%d:%d file=%s deps=", proj_node_has_template(n),
			n->snapshot_body.type != V_UNDEF, n->raw_len, line, col, n->file ? diag_file_path(n->file) : "-");
		for (uint32_t k = 0; k < n->ndeps; k++)
			sb_addf(out, "%u,", n->deps[k]);
		sb_addc(out, '\n');
	}
	arena_release(&a);
}

static int load(struct project *p, struct offered *snap)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct proj_options o = {.project_dir = root, .need_profile = true, .hooks = &dbt_proj_hooks};
	if (snap) {
		o.snapshot = offer;
		o.snapshot_ud = snap;
	}
	int rc = proj_load(p, &o, &dl);
	diag_list_release(&dl);
	return rc;
}

/* A full load's snapshot, and the full load's fingerprint; the diagnostics' files are let go
 * between loads, so that the next load registers the same ones under the same ids */
static void full_load(struct sb *snap, struct sb *print)
{
	struct project p;
	assert_int_equal(load(&p, NULL), 0);
	assert_int_equal(proj_snapshot_write(&p, to_sb, snap), 0);
	if (print)
		fingerprint(&p, print);
	proj_release(&p);
	diag_files_release();
}

static void test_round_trip(void **state)
{
	(void)state;
	struct sb snap = SB_INIT, want = SB_INIT, got = SB_INIT;
	full_load(&snap, &want);
	struct offered o = {snap.buf, snap.len};
	struct project p;
	assert_int_equal(load(&p, &o), 0);
	assert_true(p.from_snapshot);
	fingerprint(&p, &got);
	assert_string_equal(got.buf, want.buf);
	/* and what the manifest does not show: refs with their places, the snapshot's body */
	struct node *b = proj_node(&p, "model.snap.b");
	assert_non_null(b);
	assert_int_equal(b->nrefs, 1);
	assert_string_equal(b->refs[0].name, "a");
	assert_int_equal(b->nsources, 1);
	assert_string_equal(b->sources[0].table, "events");
	struct node *s1 = proj_node(&p, "snapshot.snap.s1");
	assert_non_null(s1);
	assert_true(s1->snapshot_body.type != V_UNDEF);
	proj_release(&p);
	diag_files_release();
	sb_release(&snap);
	sb_release(&want);
	sb_release(&got);
}

/* A command may register files of its own before it loads (`parse` reads dbt_project.yml to find
 * its cache): the snapshot counts the load's files from its start, so it is read all the same,
 * and each location still names its file */
static void test_files_registered_before(void **state)
{
	(void)state;
	struct sb snap = SB_INIT, want = SB_INIT, got = SB_INIT;
	full_load(&snap, &want);
	struct offered o = {snap.buf, snap.len};
	static const char before[] = "{x: 1}";
	(void)diag_file_add("--args", before, sizeof(before) - 1);
	(void)diag_file_add("--vars", before, sizeof(before) - 1);
	struct project p;
	assert_int_equal(load(&p, &o), 0);
	assert_true(p.from_snapshot);
	fingerprint(&p, &got);
	assert_string_equal(got.buf, want.buf);
	proj_release(&p);
	diag_files_release();
	sb_release(&snap);
	sb_release(&want);
	sb_release(&got);
}

/* The payload with its trailer (sum64 and end mark) made to fit its body again */
static void reseal(char *buf, size_t len)
{
	struct sum64 s;
	sum64_init(&s);
	sum64_add(&s, buf, len - 16);
	uint64_t sum = sum64_final(&s);
	memcpy(buf + len - 16, &sum, 8);
}

static void test_damage(void **state)
{
	(void)state;
	struct sb snap = SB_INIT;
	full_load(&snap, NULL);
	size_t body = snap.len - 16;
	char *buf = malloc(snap.len);
	int read_back = 0, refused = 0;
	/* every byte of the head, then bytes spread over the body: each flipped, the sum made good */
	for (size_t at = 0; at < body; at += at < 64 ? 1 : 1 + body / 300) {
		for (int bit = 0; bit < 8; bit += 5) {
			memcpy(buf, snap.buf, snap.len);
			buf[at] ^= (char)(1 << bit);
			reseal(buf, snap.len);
			struct offered o = {buf, snap.len};
			struct project p;
			int rc = load(&p, &o);
			if (p.from_snapshot)
				read_back++;
			else if (rc == 0)
				refused++;
			proj_release(&p);
			diag_files_release();
		}
	}
	/* cut anywhere, the end put back */
	for (size_t cut = 0; cut < body; cut += 1 + body / 200) {
		memcpy(buf, snap.buf, cut);
		memcpy(buf + cut, snap.buf + body, 16);
		reseal(buf, cut + 16);
		struct offered o = {buf, cut + 16};
		struct project p;
		int rc = load(&p, &o);
		assert_false(p.from_snapshot);
		if (rc == 0)
			refused++;
		proj_release(&p);
		diag_files_release();
	}
	/* a damaged snapshot is mostly refused, and then the project loads in full; a byte of a
	 * string's text changed reads back (so the sum was made good: the reader itself was tried) */
	assert_true(refused > read_back);
	assert_true(read_back > 0);
	free(buf);
	sb_release(&snap);
}

/* A project big enough to be read back on two threads: the same nodes; and with its trailer
 * (where the second half starts, its first node, the files before it) damaged, the snapshot is
 * refused or read back right, never wrong */
static void test_two_halves(void **state)
{
	(void)state;
	char rel[64], text[256];
	struct sb yml = SB_INIT;
	sb_adds(&yml, "version: 2\nmodels:\n");
	for (int i = 0; i < 400; i++) {
		snprintf(rel, sizeof(rel), "models/many/m%03d.sql", i);
		snprintf(text, sizeof(text), "select * from {{ ref('%s') }}", i ? "m000" : "a");
		if (i)
			snprintf(text, sizeof(text), "select * from {{ ref('m%03d') }}", i - 1);
		put(rel, text);
		sb_addf(&yml, "  - name: m%03d\n    columns: [{name: id, data_tests: [not_null]}]\n", i);
	}
	put("models/many/schema.yml", yml.buf);
	sb_release(&yml);
	struct sb snap = SB_INIT, want = SB_INIT, got = SB_INIT;
	full_load(&snap, &want);
	struct offered o = {snap.buf, snap.len};
	struct project p;
	assert_int_equal(load(&p, &o), 0);
	assert_true(p.from_snapshot);
	assert_true(p.nnodes >= 800);
	fingerprint(&p, &got);
	assert_string_equal(got.buf, want.buf);
	proj_release(&p);
	diag_files_release();
	char *buf = malloc(snap.len);
	size_t trailer = snap.len - 32;
	int refused = 0;
	for (size_t at = trailer; at < trailer + 16; at++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(buf, snap.buf, snap.len);
			buf[at] ^= (char)(1 << bit);
			reseal(buf, snap.len);
			struct offered d = {buf, snap.len};
			int rc = load(&p, &d);
			if (p.from_snapshot) {
				sb_reset(&got);
				fingerprint(&p, &got);
				assert_string_equal(got.buf, want.buf);
			} else if (rc == 0) {
				refused++;
			}
			proj_release(&p);
			diag_files_release();
		}
	}
	assert_true(refused > 0);
	free(buf);
	sb_release(&snap);
	sb_release(&want);
	sb_release(&got);
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/models/many", root);
	fs_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_files_registered_before),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_two_halves),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
