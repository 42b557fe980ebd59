/*
 * dbt's version ranges (see semver.h). The grammar is dbt's regular expression, matched with PCRE2
 * so that exactly the same strings are versions; comparison and reduction follow dbt's
 * VersionSpecifier and VersionRange step by step, corner cases included.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "project/semver.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/sb.h"

/* matcher, major.minor.patch, then an optional pre-release (the '-' may be left out) and build */
#define SV_NUM "(0|[1-9][0-9]*)"
#define SV_IDENT "(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
#define SV_ALPHA "[0-9A-Za-z-]*"
static const char sv_pattern[] = "^(>=|>|<|<=|=)?" SV_NUM "\\." SV_NUM "\\." SV_NUM
				 "(?:-?(" SV_IDENT "(?:\\." SV_IDENT ")*))?"
				 "(?:\\+(" SV_ALPHA "(?:\\." SV_ALPHA ")*))?$";

static pcre2_code *sv_re;
static pthread_once_t sv_once = PTHREAD_ONCE_INIT;

static void sv_compile(void)
{
	int err;
	PCRE2_SIZE off;
	sv_re = pcre2_compile((PCRE2_SPTR)sv_pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (!sv_re)
		abort();
}

int sv_parse(struct arena *a, const char *s, struct semver *out)
{
	pthread_once(&sv_once, sv_compile);
	memset(out, 0, sizeof(*out));
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(sv_re, NULL);
	int rc = pcre2_match(sv_re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc < 0) {
		pcre2_match_data_free(md);
		return -1;
	}
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	const char *g[7] = {0};
	for (int i = 1; i <= 6 && i < rc; i++)
		if (ov[2 * i] != PCRE2_UNSET)
			g[i] = arena_strndup(a, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
	pcre2_match_data_free(md);
	out->matcher = !g[1] || !strcmp(g[1], "=") ? SV_EXACT
		       : !strcmp(g[1], ">")     ? SV_GT
		       : !strcmp(g[1], ">=")    ? SV_GE
		       : !strcmp(g[1], "<")     ? SV_LT
						: SV_LE;
	out->major = g[2];
	out->minor = g[3];
	out->patch = g[4];
	out->pre = g[5];
	out->build = g[6];
	return 0;
}

static const char *matcher_str(enum sv_matcher m)
{
	static const char *const s[] = {"=", ">", ">=", "<", "<="};
	return s[m];
}

void sv_str(struct sb *out, const struct semver *v, bool skip_matcher)
{
	if (v->unbounded) {
		sb_addc(out, '*');
		return;
	}
	sb_addf(out, "%s%s.%s.%s", skip_matcher ? "" : matcher_str(v->matcher), v->major, v->minor, v->patch);
	if (v->pre && *v->pre)
		sb_addf(out, "-%s", v->pre);
	if (v->build && *v->build)
		sb_addf(out, "+%s", v->build);
}

static bool is_lower(const struct semver *v)
{
	return !v->unbounded && (v->matcher == SV_GT || v->matcher == SV_GE);
}

static bool is_upper(const struct semver *v)
{
	return !v->unbounded && (v->matcher == SV_LT || v->matcher == SV_LE);
}

static bool is_exact(const struct semver *v)
{
	return !v->unbounded && v->matcher == SV_EXACT;
}

/* Numbers without leading zeros: the longer is the larger */
static int num_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	int c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Pre-release tags part by part: numbers below words, numbers by value, words bytewise; when every
 * common part is equal, the longer tag (in characters) is the larger */
static int pre_cmp(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	for (;;) {
		size_t na = strcspn(pa, "."), nb = strcspn(pb, ".");
		bool da = all_digits(pa, na), db = all_digits(pb, nb);
		int c = 0;
		if (da && db) {
			/* Python's int() accepts leading zeros: compare the values */
			while (na > 1 && *pa == '0')
				pa++, na--;
			while (nb > 1 && *pb == '0')
				pb++, nb--;
			c = na != nb ? (na < nb ? -1 : 1) : memcmp(pa, pb, na);
		} else if (da) {
			c = -1;
		} else if (db) {
			c = 1;
		} else {
			size_t m = na < nb ? na : nb;
			c = memcmp(pa, pb, m);
			if (!c && na != nb)
				c = na < nb ? -1 : 1;
		}
		if (c)
			return c < 0 ? -1 : 1;
		pa += na;
		pb += nb;
		if (!*pa || !*pb)
			break;
		pa++;
		pb++;
	}
	size_t la = strlen(a), lb = strlen(b);
	return (la > lb) - (la < lb);
}

/* -1, 0 or 1 as dbt's VersionSpecifier.compare */
static int sv_compare(const struct semver *a, const struct semver *b)
{
	if (a->unbounded || b->unbounded)
		return 0;
	int c = num_cmp(a->major, b->major);
	if (!c)
		c = num_cmp(a->minor, b->minor);
	if (!c)
		c = num_cmp(a->patch, b->patch);
	if (c)
		return c;
	if (a->pre || b->pre) {
		if (!a->pre)
			/* a release is newer than its pre-releases, except that "<1.0.0" excludes them */
			return a->matcher == SV_LT ? -1 : 1;
		if (!b->pre)
			return -1;
		c = pre_cmp(a->pre, b->pre);
		if (c)
			return c;
	}
	enum sv_matcher ma = a->matcher, mb = b->matcher;
	if ((ma == SV_GE && mb == SV_LE) || (ma == SV_LE && mb == SV_GE))
		return 0;
	if ((ma == SV_LT && mb == SV_LE) || (mb == SV_GT && ma == SV_GE) || (is_upper(a) && is_lower(b)))
		return -1;
	if ((mb == SV_LT && ma == SV_LE) || (ma == SV_GT && mb == SV_GE) || (is_lower(a) && is_upper(b)))
		return 1;
	return 0;
}

static struct sv_range to_range(const struct semver *v)
{
	struct sv_range r = {.start = {.unbounded = true}, .end = {.unbounded = true}};
	if (v->matcher == SV_EXACT)
		r.start = r.end = *v;
	else if (v->matcher == SV_GT || v->matcher == SV_GE)
		r.start = *v;
	else
		r.end = *v;
	return r;
}

static int combine_bound(const struct semver *a, const struct semver *b, bool lower, struct semver *out)
{
	if (b->unbounded) {
		*out = *a;
		return 0;
	}
	if (a->unbounded) {
		*out = *b;
		return 0;
	}
	if (!is_exact(a) && !is_exact(b)) {
		int c = sv_compare(a, b);
		*out = (lower ? c < 0 : c > 0) ? *b : *a;
		return 0;
	}
	const struct semver *exact = is_exact(a) ? a : b, *bound = is_exact(a) ? b : a;
	int c = sv_compare(bound, exact);
	bool fits = lower ? (c < 0 || (c == 0 && bound->matcher == SV_GE))
			  : (c > 0 || (c == 0 && bound->matcher == SV_LE));
	if (!fits)
		return -1;
	*out = *exact;
	return 0;
}

static int range_reduce(const struct sv_range *x, const struct sv_range *y, struct sv_range *out)
{
	struct sv_range r;
	if (is_exact(&x->start) && is_exact(&y->start)) {
		if (sv_compare(&x->start, &y->start) != 0)
			return -1;
		r.start = r.end = x->start;
	} else {
		if (combine_bound(&x->start, &y->start, true, &r.start) < 0 ||
		    combine_bound(&x->end, &y->end, false, &r.end) < 0)
			return -1;
	}
	if (sv_compare(&r.start, &r.end) > 0)
		return -1;
	*out = r;
	return 0;
}

int sv_reduce(const struct semver *specs, size_t n, struct sv_range *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		m += !specs[i].unbounded;
	if (!m) {
		out->start.unbounded = out->end.unbounded = true;
		return 0;
	}
	/* as dbt: start from the last specifier, then fold in the others in order */
	const struct semver *list[n];
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (!specs[i].unbounded)
			list[m++] = &specs[i];
	struct sv_range r = to_range(list[m - 1]);
	for (size_t i = 0; i + 1 < m; i++) {
		struct sv_range o = to_range(list[i]);
		if (range_reduce(&r, &o, &r) < 0)
			return -1;
	}
	*out = r;
	return 0;
}

/* Whether version V lies in R */
static bool sv_in_range(const struct semver *v, const struct sv_range *r)
{
	struct semver s[3] = {*v, r->start, r->end};
	struct sv_range out;
	return sv_reduce(s, 3, &out) == 0;
}

void sv_range_str(struct sb *out, const struct sv_range *r)
{
	if (r->start.unbounded && r->end.unbounded) {
		sb_adds(out, "ANY");
		return;
	}
	if (!r->start.unbounded)
		sv_str(out, &r->start, false);
	if (!r->start.unbounded && !r->end.unbounded)
		sb_adds(out, ", ");
	if (!r->end.unbounded)
		sv_str(out, &r->end, false);
}

long sv_installable(struct arena *a, const char *const *versions, size_t n, bool prerelease,
		    const char ***pout, const char **pbad)
{
	struct semver *vs = ARENA_ARRAY(a, struct semver, n + 1);
	const char **out = ARENA_ARRAY(a, const char *, n + 1);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		struct semver v;
		if (sv_parse(a, versions[i], &v) < 0) {
			*pbad = versions[i];
			return -1;
		}
		if (!prerelease && v.pre)
			continue;
		/* a stable insertion sort: the lists are short and equal versions keep their order */
		size_t j = m;
		while (j > 0 && sv_compare(&v, &vs[j - 1]) < 0) {
			vs[j] = vs[j - 1];
			out[j] = out[j - 1];
			j--;
		}
		vs[j] = v;
		out[j] = versions[i];
		m++;
	}
	*pout = out;
	return (long)m;
}

const char *sv_resolve(struct arena *a, const struct sv_range *r, const char *const *avail, size_t n)
{
	const char *best = NULL;
	struct semver max;
	for (size_t i = 0; i < n; i++) {
		struct semver v;
		if (sv_parse(a, avail[i], &v) < 0)
			continue;
		if (sv_in_range(&v, r) && (!best || sv_compare(&max, &v) < 0)) {
			max = v;
			best = avail[i];
		}
	}
	return best;
}
