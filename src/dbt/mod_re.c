/*
 * modules.re: Python's re module on PCRE2 (whose syntax Python's patterns share: groups, named
 * groups (?P<name>...), classes, lookarounds). match / search / fullmatch return a match object
 * (group, groups, groupdict, start, end, span) or None; findall, finditer, sub, subn, split,
 * compile (a pattern object with the same methods), escape; flags as Python numbers them.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

enum { PY_I = 2, PY_L = 4, PY_M = 8, PY_S = 16, PY_U = 32, PY_X = 64, PY_A = 256 };

struct rx {
	pcre2_code *code;
	const char *pattern;
	long flags;
};

struct rmatch {
	const char *subject;
	size_t len;
	PCRE2_SIZE *ov;  /* 2 * ngroups */
	uint32_t ngroups;
	struct rx *rx;
};

static const struct vobj_class rx_class, match_class;

/*
 * Compiled patterns are cached for the process, keyed by pattern and flags: a model calling
 * re.sub in a loop compiles once, and renders on several threads share them (PCRE2 codes are
 * read-only once compiled). dbt_modules_release() frees them.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct map cache = MAP_INIT;

void dbt_modules_release(void)
{
	pthread_mutex_lock(&cache_lock);
	struct map_slot *s;
	for (size_t i = 0; map_next(&cache, &i, &s);) {
		struct rx *rx = s->val;
		pcre2_code_free(rx->code);
		free((char *)rx->pattern);
		free((char *)s->key);
		free(rx);
	}
	map_release(&cache);
	pthread_mutex_unlock(&cache_lock);
}

static struct rx *compile_rx(struct jj_vm *vm, value pat, long flags)
{
	if (pat.type == V_OBJ && pat.o->cls == &rx_class)
		return pat.o->data;
	if (pat.type != V_STR)
		jj_raise(vm, "re: the pattern must be a string, got %s", val_type_name(pat));
	char *key = xmalloc(pat.len + 24);
	int klen = snprintf(key, pat.len + 24, "%ld:", flags);
	memcpy(key + klen, pat.s, pat.len);
	size_t keylen = (size_t)klen + pat.len;
	pthread_mutex_lock(&cache_lock);
	struct rx *hit = map_get(&cache, key, keylen);
	pthread_mutex_unlock(&cache_lock);
	if (hit) {
		free(key);
		return hit;
	}
	uint32_t opts = PCRE2_UTF;
	if (flags & PY_I)
		opts |= PCRE2_CASELESS;
	if (flags & PY_M)
		opts |= PCRE2_MULTILINE;
	if (flags & PY_S)
		opts |= PCRE2_DOTALL;
	if (flags & PY_X)
		opts |= PCRE2_EXTENDED;
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat.s, pat.len, opts, &err, &off, NULL);
	if (!code) {
		free(key);
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		jj_raise(vm, "re: bad pattern '%.*s' at position %zu: %s", (int)pat.len, pat.s, (size_t)off, (char *)msg);
	}
	struct rx *rx = xmalloc(sizeof(*rx));
	rx->code = code;
	char *pattern = xmalloc(pat.len + 1);
	memcpy(pattern, pat.s, pat.len);
	pattern[pat.len] = '\0';
	rx->pattern = pattern;
	rx->flags = flags;
	pthread_mutex_lock(&cache_lock);
	struct rx *raced = map_get(&cache, key, keylen);
	if (raced) {
		pthread_mutex_unlock(&cache_lock);
		pcre2_code_free(code);
		free(pattern);
		free(rx);
		free(key);
		return raced;
	}
	map_put(&cache, key, keylen, rx);
	pthread_mutex_unlock(&cache_lock);
	return rx;
}

static long flags_arg(const struct vargs *args, size_t pos)
{
	value f = jj_arg(args, pos, "flags", val_int(0));
	return f.type == V_INT ? (long)f.i : 0;
}

/* Runs the pattern at `start`; returns a match object or None */
static value run(struct jj_vm *vm, struct rx *rx, value subject, size_t start, uint32_t opts, bool full)
{
	if (subject.type != V_STR)
		jj_raise(vm, "re: the string to search must be a string, got %s", val_type_name(subject));
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	int rc = pcre2_match(rx->code, (PCRE2_SPTR)subject.s, subject.len, start, opts, md, NULL);
	if (rc < 0) {
		pcre2_match_data_free(md);
		return val_none();
	}
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t n = pcre2_get_ovector_count(md);
	if (full && ov[1] != subject.len) {
		pcre2_match_data_free(md);
		return val_none();
	}
	struct rmatch *m = arena_alloc(jj_arena(vm), sizeof(*m));
	m->subject = subject.s;
	m->len = subject.len;
	m->ngroups = n;
	m->ov = arena_alloc(jj_arena(vm), 2 * n * sizeof(PCRE2_SIZE));
	memcpy(m->ov, ov, 2 * n * sizeof(PCRE2_SIZE));
	m->rx = rx;
	pcre2_match_data_free(md);
	return val_obj(jj_arena(vm), &match_class, m);
}

static value group_value(struct jj_vm *vm, struct rmatch *m, uint32_t g)
{
	if (g >= m->ngroups || m->ov[2 * g] == PCRE2_UNSET)
		return val_none();
	return val_str_dup(jj_arena(vm), m->subject + m->ov[2 * g], m->ov[2 * g + 1] - m->ov[2 * g]);
}

static uint32_t group_index(struct jj_vm *vm, struct rmatch *m, value g)
{
	if (g.type == V_INT)
		return (uint32_t)g.i;
	if (g.type == V_STR) {
		int n = pcre2_substring_number_from_name(m->rx->code, (PCRE2_SPTR)val_cstr(jj_arena(vm), g));
		if (n < 0)
			jj_raise(vm, "re: no group named '%.*s'", (int)g.len, g.s);
		return (uint32_t)n;
	}
	return 0;
}

static value m_group(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rmatch *m = ud;
	if (args->npos <= 1)
		return group_value(vm, m, group_index(vm, m, args->npos ? args->pos[0] : val_int(0)));
	value t = val_tuple_new(jj_arena(vm), args->npos);
	for (size_t i = 0; i < args->npos; i++)
		val_list_push(t, group_value(vm, m, group_index(vm, m, args->pos[i])));
	return t;
}

static value m_groups(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rmatch *m = ud;
	value t = val_tuple_new(jj_arena(vm), m->ngroups);
	for (uint32_t g = 1; g < m->ngroups; g++)
		val_list_push(t, group_value(vm, m, g));
	return t;
}

static value m_groupdict(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rmatch *m = ud;
	value d = val_dict_new(jj_arena(vm), 4);
	uint32_t count, size;
	PCRE2_SPTR table;
	pcre2_pattern_info(m->rx->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(m->rx->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(m->rx->code, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		PCRE2_SPTR e = table + i * size;
		uint32_t g = (uint32_t)(e[0] << 8 | e[1]);
		const char *name = (const char *)(e + 2);
		val_dict_set(d, val_str_dup(jj_arena(vm), name, strlen(name)), group_value(vm, m, g));
	}
	return d;
}

static value m_start(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rmatch *m = ud;
	uint32_t g = group_index(vm, m, jj_arg(args, 0, "group", val_int(0)));
	return g < m->ngroups && m->ov[2 * g] != PCRE2_UNSET ? val_int((int64_t)m->ov[2 * g]) : val_int(-1);
}

static value m_end(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rmatch *m = ud;
	uint32_t g = group_index(vm, m, jj_arg(args, 0, "group", val_int(0)));
	return g < m->ngroups && m->ov[2 * g] != PCRE2_UNSET ? val_int((int64_t)m->ov[2 * g + 1]) : val_int(-1);
}

static value m_span(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value t = val_tuple_new(jj_arena(vm), 2);
	val_list_push(t, m_start(vm, ud, args));
	val_list_push(t, m_end(vm, ud, args));
	return t;
}

static value match_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct rmatch *m = o->data;
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("group"))
		return val_func(a, "group", m_group, m);
	if (IS("groups"))
		return val_func(a, "groups", m_groups, m);
	if (IS("groupdict"))
		return val_func(a, "groupdict", m_groupdict, m);
	if (IS("start"))
		return val_func(a, "start", m_start, m);
	if (IS("end"))
		return val_func(a, "end", m_end, m);
	if (IS("span"))
		return val_func(a, "span", m_span, m);
	if (IS("string"))
		return val_strn(m->subject, m->len);
	if (IS("re"))
		return val_obj(a, &rx_class, m->rx);
#undef IS
	return val_undef();
}

static void match_repr(struct vobj *o, struct sb *out)
{
	struct rmatch *m = o->data;
	sb_addf(out, "<re.Match object; span=(%zu, %zu), match='%.*s'>", (size_t)m->ov[0], (size_t)m->ov[1],
		(int)(m->ov[1] - m->ov[0]), m->subject + m->ov[0]);
}

static const struct vobj_class match_class = {
	.name = "re.Match",
	.getattr = match_getattr,
	.str = match_repr,
	.repr = match_repr,
};

/* ---- functions shared by the module and pattern objects ---- */

/* args are (pattern, string, ...) for the module, (string, ...) for a pattern object */
struct call_shape {
	struct rx *rx;
	size_t first;  /* index of the string argument */
};

static struct call_shape shape(struct jj_vm *vm, void *ud, const struct vargs *args, size_t flags_pos)
{
	struct call_shape s;
	if (ud) {
		s.rx = ud;
		s.first = 0;
	} else {
		s.rx = compile_rx(vm, jj_arg(args, 0, "pattern", val_none()), flags_arg(args, flags_pos));
		s.first = 1;
	}
	return s;
}

static value f_match(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 2);
	return run(vm, s.rx, jj_arg(args, s.first, "string", val_none()), 0, PCRE2_ANCHORED, false);
}

static value f_search(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 2);
	return run(vm, s.rx, jj_arg(args, s.first, "string", val_none()), 0, 0, false);
}

static value f_fullmatch(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 2);
	return run(vm, s.rx, jj_arg(args, s.first, "string", val_none()), 0, PCRE2_ANCHORED, true);
}

/* Every match, left to right, without overlaps (an empty match moves on by one character) */
static value all_matches(struct jj_vm *vm, struct rx *rx, value subject)
{
	value out = val_list_new(jj_arena(vm), 4);
	size_t pos = 0;
	while (pos <= subject.len) {
		value m = run(vm, rx, subject, pos, 0, false);
		if (m.type == V_NONE)
			break;
		struct rmatch *rm = m.o->data;
		val_list_push(out, m);
		pos = rm->ov[1] > rm->ov[0] ? rm->ov[1] : rm->ov[1] + 1;
	}
	return out;
}

static value f_findall(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 2);
	value ms = all_matches(vm, s.rx, jj_arg(args, s.first, "string", val_none()));
	value out = val_list_new(jj_arena(vm), ms.l->len);
	for (uint32_t i = 0; i < ms.l->len; i++) {
		struct rmatch *m = ms.l->items[i].o->data;
		if (m->ngroups <= 1) {
			val_list_push(out, group_value(vm, m, 0));
		} else if (m->ngroups == 2) {
			value g = group_value(vm, m, 1);
			val_list_push(out, g.type == V_NONE ? val_str("") : g);
		} else {
			value t = val_tuple_new(jj_arena(vm), m->ngroups - 1);
			for (uint32_t k = 1; k < m->ngroups; k++) {
				value g = group_value(vm, m, k);
				val_list_push(t, g.type == V_NONE ? val_str("") : g);
			}
			val_list_push(out, t);
		}
	}
	return out;
}

static value f_finditer(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 2);
	return all_matches(vm, s.rx, jj_arg(args, s.first, "string", val_none()));
}

/* Python's replacement template: \1 \g<1> \g<name> \\ and \n-style escapes */
static void expand(struct jj_vm *vm, struct rmatch *m, value repl, struct sb *out)
{
	for (size_t i = 0; i < repl.len; i++) {
		char ch = repl.s[i];
		if (ch != '\\' || i + 1 >= repl.len) {
			sb_addc(out, ch);
			continue;
		}
		char nx = repl.s[++i];
		if (nx >= '0' && nx <= '9') {
			uint32_t g = (uint32_t)(nx - '0');
			if (i + 1 < repl.len && repl.s[i + 1] >= '0' && repl.s[i + 1] <= '9')
				g = g * 10 + (uint32_t)(repl.s[++i] - '0');
			value v = group_value(vm, m, g);
			if (v.type == V_STR)
				sb_add(out, v.s, v.len);
		} else if (nx == 'g' && i + 1 < repl.len && repl.s[i + 1] == '<') {
			const char *close = memchr(repl.s + i + 2, '>', repl.len - i - 2);
			if (!close)
				jj_raise(vm, "re: missing '>' in a \\g<...> reference");
			value name = val_strn(repl.s + i + 2, (size_t)(close - (repl.s + i + 2)));
			bool num = name.len > 0;
			for (size_t k = 0; k < name.len; k++)
				num = num && name.s[k] >= '0' && name.s[k] <= '9';
			uint32_t g = num ? (uint32_t)atoi(val_cstr(jj_arena(vm), name)) : group_index(vm, m, name);
			value v = group_value(vm, m, g);
			if (v.type == V_STR)
				sb_add(out, v.s, v.len);
			i = (size_t)(close - repl.s);
		} else if (nx == 'n') {
			sb_addc(out, '\n');
		} else if (nx == 't') {
			sb_addc(out, '\t');
		} else if (nx == '\\') {
			sb_addc(out, '\\');
		} else {
			sb_addc(out, '\\');
			sb_addc(out, nx);
		}
	}
}

static value do_sub(struct jj_vm *vm, void *ud, const struct vargs *args, bool with_count)
{
	struct call_shape s = shape(vm, ud, args, 4);
	value repl = jj_arg(args, s.first, "repl", val_str(""));
	value subject = jj_arg(args, s.first + 1, "string", val_none());
	value cnt = jj_arg(args, s.first + 2, "count", val_int(0));
	if (subject.type != V_STR)
		jj_raise(vm, "re.sub: the string must be a string, got %s", val_type_name(subject));
	value ms = all_matches(vm, s.rx, subject);
	struct sb out = SB_INIT;
	size_t last = 0;
	int64_t done = 0, limit = cnt.type == V_INT ? cnt.i : 0;
	for (uint32_t i = 0; i < ms.l->len && (limit <= 0 || done < limit); i++) {
		struct rmatch *m = ms.l->items[i].o->data;
		sb_add(&out, subject.s + last, m->ov[0] - last);
		if (repl.type == V_STR) {
			expand(vm, m, repl, &out);
		} else {
			value argv[1] = {ms.l->items[i]};
			struct vargs a = {argv, 1, NULL, NULL, 0};
			value r = jj_call(vm, repl, &a);
			val_str_to(&out, r);
		}
		last = m->ov[1];
		done++;
	}
	sb_add(&out, subject.s + last, subject.len - last);
	value res = val_str_dup(jj_arena(vm), out.buf, out.len);
	sb_release(&out);
	if (!with_count)
		return res;
	value t = val_tuple_new(jj_arena(vm), 2);
	val_list_push(t, res);
	val_list_push(t, val_int(done));
	return t;
}

static value f_sub(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return do_sub(vm, ud, args, false);
}

static value f_subn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return do_sub(vm, ud, args, true);
}

static value f_split(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct call_shape s = shape(vm, ud, args, 3);
	value subject = jj_arg(args, s.first, "string", val_none());
	value maxsplit = jj_arg(args, s.first + 1, "maxsplit", val_int(0));
	value ms = all_matches(vm, s.rx, subject);
	value out = val_list_new(jj_arena(vm), ms.l->len + 1);
	size_t last = 0;
	int64_t limit = maxsplit.type == V_INT ? maxsplit.i : 0, done = 0;
	for (uint32_t i = 0; i < ms.l->len && (limit <= 0 || done < limit); i++) {
		struct rmatch *m = ms.l->items[i].o->data;
		val_list_push(out, val_str_dup(jj_arena(vm), subject.s + last, m->ov[0] - last));
		for (uint32_t g = 1; g < m->ngroups; g++)
			val_list_push(out, group_value(vm, m, g));
		last = m->ov[1];
		done++;
	}
	val_list_push(out, val_str_dup(jj_arena(vm), subject.s + last, subject.len - last));
	return out;
}

static value f_escape(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = jj_arg(args, 0, "pattern", val_str(""));
	struct sb out = SB_INIT;
	for (uint32_t i = 0; s.type == V_STR && i < s.len; i++) {
		unsigned char ch = (unsigned char)s.s[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && !(ch >= '0' && ch <= '9') && ch != '_' && ch < 0x80)
			sb_addc(&out, '\\');
		sb_addc(&out, (char)ch);
	}
	value r = val_str_dup(jj_arena(vm), out.buf, out.len);
	sb_release(&out);
	return r;
}

static value f_compile(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct rx *rx = compile_rx(vm, jj_arg(args, 0, "pattern", val_none()), flags_arg(args, 1));
	return val_obj(jj_arena(vm), &rx_class, rx);
}

static const struct {
	const char *name;
	vfunc_fn fn;
} rx_methods[] = {
	{"match", f_match}, {"search", f_search}, {"fullmatch", f_fullmatch}, {"findall", f_findall},
	{"finditer", f_finditer}, {"sub", f_sub}, {"subn", f_subn}, {"split", f_split},
};

static value rx_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct rx *rx = o->data;
	for (size_t i = 0; i < sizeof(rx_methods) / sizeof(rx_methods[0]); i++)
		if (strlen(rx_methods[i].name) == n && !memcmp(rx_methods[i].name, name, n))
			return val_func(jj_arena(vm), rx_methods[i].name, rx_methods[i].fn, rx);
	if (n == 7 && !memcmp(name, "pattern", 7))
		return val_str(rx->pattern);
	if (n == 5 && !memcmp(name, "flags", 5))
		return val_int(rx->flags);
	return val_undef();
}

static void rx_repr(struct vobj *o, struct sb *out)
{
	struct rx *rx = o->data;
	sb_addf(out, "re.compile('%s')", rx->pattern);
}

static const struct vobj_class rx_class = {
	.name = "re.Pattern",
	.getattr = rx_getattr,
	.str = rx_repr,
	.repr = rx_repr,
};

value dbt_module_re(struct arena *a)
{
	value m = val_dict_new(a, 24);
	for (size_t i = 0; i < sizeof(rx_methods) / sizeof(rx_methods[0]); i++)
		val_dict_sets(m, rx_methods[i].name, val_func(a, rx_methods[i].name, rx_methods[i].fn, NULL));
	val_dict_sets(m, "compile", val_func(a, "compile", f_compile, NULL));
	val_dict_sets(m, "escape", val_func(a, "escape", f_escape, NULL));
	static const struct {
		const char *name;
		long v;
	} flags[] = {{"I", PY_I}, {"IGNORECASE", PY_I}, {"L", PY_L}, {"LOCALE", PY_L}, {"M", PY_M},
		     {"MULTILINE", PY_M}, {"S", PY_S}, {"DOTALL", PY_S}, {"U", PY_U}, {"UNICODE", PY_U},
		     {"X", PY_X}, {"VERBOSE", PY_X}, {"A", PY_A}, {"ASCII", PY_A}};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		val_dict_sets(m, flags[i].name, val_int(flags[i].v));
	return m;
}
