/*
 * What a run deployed, kept between runs: adapter.get_deployment(key) and set_deployment(key, dict)
 * read and write target/deployments.json, one entry a node and target (a streaming job's id, the
 * hash of its definition and the definition itself), so that a later run can say what changed. And
 * adapter.diff_text(old, new): the lines that differ, as a unified diff without headers.
 *
 * DESIGN
 * The file is small (one entry a streaming model) and rewritten whole (fs_write: a temporary file
 * and a rename), under one process-wide lock: workers of one run may record at the same time. Entries
 * of other targets are kept, so dev and prod runs from one checkout do not forget each other.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

static pthread_mutex_t deploy_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *state_path(struct project *p, struct arena *a)
{
	return arena_sprintf(a, "%s/deployments.json", p->target_path);
}

/* The whole file as a dict (an empty one when absent or unreadable) */
static value load_state(struct project *p, struct arena *a)
{
	size_t len;
	char *text = fs_read(a, state_path(p, a), &len);
	value v = val_none();
	char *err = NULL;
	if (text && val_from_json(a, text, len, &v, &err) == 0 && v.type == V_DICT)
		return v;
	return val_dict_new(a, 4);
}

static const char *entry_key(struct project *p, const char *key, struct arena *a)
{
	return arena_sprintf(a, "%s.%s/%s", p->target.profile_name ? p->target.profile_name : "",
			     p->target.target_name ? p->target.target_name : "", key);
}

/* Writes the whole state; 0 or -1 (errno) */
static int save_state(struct project *p, value state, struct arena *a)
{
	struct sb s = SB_INIT;
	int rc = val_to_json(&s, state, 2, 0);
	if (rc == 0) {
		sb_addc(&s, '\n');
		rc = fs_write(state_path(p, a), s.buf, s.len);
	}
	sb_release(&s);
	return rc;
}

int dbt_deployment_note(struct project *p, const char *key, const char *field, value v)
{
	struct arena a;
	arena_init(&a, 4096);
	pthread_mutex_lock(&deploy_lock);
	value state = load_state(p, &a);
	value entry = val_dict_gets(state, entry_key(p, key, &a));
	int rc = 0;
	if (entry.type == V_DICT) {
		val_dict_set(entry, val_str(field), v);
		rc = save_state(p, state, &a);
	}
	pthread_mutex_unlock(&deploy_lock);
	arena_release(&a);
	return rc;
}

static value a_get_deployment(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	const char *key = dbt_str_arg(vm, args, 0, "key", "adapter.get_deployment", true);
	pthread_mutex_lock(&deploy_lock);
	value v = val_dict_gets(load_state(r->proj, a), entry_key(r->proj, key, a));
	pthread_mutex_unlock(&deploy_lock);
	return v.type == V_DICT ? v : val_none();
}

static value a_set_deployment(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	struct arena *a = jj_arena(vm);
	const char *key = dbt_str_arg(vm, args, 0, "key", "adapter.set_deployment", true);
	value entry = jj_arg(args, 1, "value", val_none());
	if (entry.type != V_DICT && entry.type != V_NONE)
		jj_raise(vm, "adapter.set_deployment() takes a dict, got %s", val_type_name(entry));
	if (r->phase != DBT_EXECUTE)
		return val_none();
	pthread_mutex_lock(&deploy_lock);
	value state = load_state(r->proj, a);
	const char *k = entry_key(r->proj, key, a);
	if (entry.type == V_NONE)
		(void)val_dict_del(state, val_str(k));
	else
		val_dict_set(state, val_str(k), entry);
	int rc = save_state(r->proj, state, a);
	int saved = errno;
	pthread_mutex_unlock(&deploy_lock);
	if (rc < 0)
		jj_raise(vm, "unable to write '%s': %s", state_path(r->proj, a), strerror(saved));
	return val_none();
}

/* ---- diff ---- */

struct lines {
	const char **at;
	size_t *len;
	size_t n;
};

static void split_lines(const char *s, struct lines *l, struct arena *a)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == '\n';
	l->at = ARENA_ARRAY(a, const char *, cap);
	l->len = ARENA_ARRAY(a, size_t, cap);
	l->n = 0;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		l->at[l->n] = s;
		l->len[l->n++] = n;
		s += n + (e ? 1 : 0);
	}
}

static bool same_line(const struct lines *x, size_t i, const struct lines *y, size_t j)
{
	return x->len[i] == y->len[j] && !memcmp(x->at[i], y->at[j], x->len[i]);
}

/*
 * Longest common subsequence over lines, then "- old" / "+ new" for what is not common and
 * "  same" for up to two lines of context around each change. Definitions are a few dozen lines,
 * so the quadratic table is small; past 2,000 lines a side only the counts are shown.
 */
static void diff_lines(struct sb *out, const char *old, const char *new_, struct arena *a)
{
	struct lines x, y;
	split_lines(old, &x, a);
	split_lines(new_, &y, a);
	if (x.n > 2000 || y.n > 2000) {
		sb_addf(out, "  (%zu lines before, %zu after)\n", x.n, y.n);
		return;
	}
	size_t w = y.n + 1;
	uint32_t *t = xcalloc((x.n + 1) * w, sizeof(*t));
	for (size_t i = x.n; i-- > 0;)
		for (size_t j = y.n; j-- > 0;)
			t[i * w + j] = same_line(&x, i, &y, j) ? t[(i + 1) * w + j + 1] + 1
				       : t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j]
									       : t[i * w + j + 1];
	/* walk the table into one list of ops: ' ', '-', '+' */
	size_t nops = 0, cap = x.n + y.n + 1;
	char *op = ARENA_ARRAY(a, char, cap);
	size_t *oi = ARENA_ARRAY(a, size_t, cap);
	size_t i = 0, j = 0;
	while (i < x.n || j < y.n) {
		if (i < x.n && j < y.n && same_line(&x, i, &y, j)) {
			op[nops] = ' ', oi[nops++] = i, i++, j++;
		} else if (j < y.n && (i == x.n || t[i * w + j + 1] >= t[(i + 1) * w + j])) {
			op[nops] = '+', oi[nops++] = j++;
		} else {
			op[nops] = '-', oi[nops++] = i++;
		}
	}
	free(t);
	for (size_t k = 0; k < nops; k++) {
		if (op[k] == ' ') {
			bool near = false;
			for (size_t d = 1; d <= 2 && !near; d++)
				near = (k >= d && op[k - d] != ' ') || (k + d < nops && op[k + d] != ' ');
			if (!near) {
				if (k > 0 && op[k - 1] != ' ')
					sb_adds(out, "  ...\n");
				continue;
			}
		}
		const struct lines *src = op[k] == '+' ? &y : &x;
		sb_addf(out, "  %c %.*s\n", op[k], (int)src->len[oi[k]], src->at[oi[k]]);
	}
}

static value a_diff_text(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value o = jj_arg(args, 0, "old", val_str("")), nv = jj_arg(args, 1, "new", val_str(""));
	struct sb out = SB_INIT;
	diff_lines(&out, o.type == V_STR ? o.s : "", nv.type == V_STR ? nv.s : "", a);
	sb_rtrim(&out);
	value r = val_str_dup(a, out.buf, out.len);
	sb_release(&out);
	return r;
}

value dbt_deployment_method(struct jj_vm *vm, const char *name, size_t n)
{
	static const struct {
		const char *name;
		vfunc_fn fn;
	} methods[] = {
		{"get_deployment", a_get_deployment},
		{"set_deployment", a_set_deployment},
		{"diff_text", a_diff_text},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && !memcmp(methods[i].name, name, n))
			return val_func(jj_arena(vm), methods[i].name, methods[i].fn, NULL);
	return val_undef();
}
