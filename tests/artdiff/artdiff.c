/*
 * artifact-diff: compares one of our artifacts (manifest.json, run_results.json, catalog.json) with
 * the one dbt-core wrote for the same project, field by field, after normalising only what a rules
 * file names. Every difference is one line:
 *
 *   nodes/model.p.x/primary_key: reference ["id"], ours []
 *   nodes/test.p.y/config/docs: only in ours
 *
 * and the exit code is 0 when there is none, 1 when there are some, 2 on a usage or input error.
 *
 * Rules (one a line, `#` starts a comment): PATH is a '/'-separated path of keys, each a shell
 * pattern for one key or index (`*`, `macro.dbt.*`), or `**` for any number of them (zero included).
 *   value PATH          the value may differ (engine- or run-specific), but both must have it
 *   skip PATH           neither presence nor value is compared
 *   spaces PATH         strings equal but for white space: a run of it is one space between two
 *                       word characters (letters, digits, _, quotes), nothing elsewhere
 *   bykey PATH FIELD    PATH is a list of objects: pair its items by FIELD, not by position
 *   unordered PATH      PATH is a list of strings: compare as sets of distinct values
 *
 * Object keys are compared as sets (dbt sorts them, we keep dbt's dataclass order): key order is
 * never a difference. Numbers compare by value (1 equals 1.0).
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum action { A_VALUE, A_SKIP, A_SPACES, A_BYKEY, A_UNORDERED };

struct rule {
	enum action act;
	char **seg;   /* the path, split on '/' */
	int nseg;
	char *field;  /* bykey */
	char *buf;    /* owns the segments */
};

static struct rule *rules;
static int nrules;
static long ndiffs;
static long max_shown = 500;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fputs("artifact-diff: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

/* segs[0..n) against the rule's pattern from pattern index pi */
static bool match_from(const struct rule *r, int pi, char **segs, int si, int n)
{
	if (pi == r->nseg)
		return si == n;
	if (!strcmp(r->seg[pi], "**")) {
		for (int k = si; k <= n; k++)
			if (match_from(r, pi + 1, segs, k, n))
				return true;
		return false;
	}
	if (si == n)
		return false;
	if (fnmatch(r->seg[pi], segs[si], 0) != 0)
		return false;
	return match_from(r, pi + 1, segs, si + 1, n);
}

static const struct rule *find_rule(enum action act, char **segs, int n)
{
	for (int i = 0; i < nrules; i++)
		if (rules[i].act == act && match_from(&rules[i], 0, segs, 0, n))
			return &rules[i];
	return NULL;
}

static int load_rules(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "artifact-diff: unable to open '%s'\n", path);
		return -1;
	}
	char line[4096];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *words[3];
		int nw = 0;
		for (char *tok = strtok(line, " \t\r\n"); tok && nw < 3; tok = strtok(NULL, " \t\r\n"))
			words[nw++] = tok;
		if (nw == 0)
			continue;
		struct rule r = {0};
		if (!strcmp(words[0], "value") && nw == 2)
			r.act = A_VALUE;
		else if (!strcmp(words[0], "skip") && nw == 2)
			r.act = A_SKIP;
		else if (!strcmp(words[0], "spaces") && nw == 2)
			r.act = A_SPACES;
		else if (!strcmp(words[0], "unordered") && nw == 2)
			r.act = A_UNORDERED;
		else if (!strcmp(words[0], "bykey") && nw == 3)
			r.act = A_BYKEY, r.field = xstrdup(words[2]);
		else {
			fprintf(stderr, "%s:%d: error: expected 'value PATH', 'skip PATH', 'spaces PATH', "
					"'unordered PATH' or 'bykey PATH FIELD'\n", path, lineno);
			fclose(f);
			return -1;
		}
		char *p = r.buf = xstrdup(words[1]);
		for (char *s = strtok(p, "/"); s; s = strtok(NULL, "/")) {
			r.seg = xrealloc(r.seg, (size_t)(r.nseg + 1) * sizeof(*r.seg));
			r.seg[r.nseg++] = s;
		}
		rules = xrealloc(rules, (size_t)(nrules + 1) * sizeof(*rules));
		rules[nrules++] = r;
	}
	fclose(f);
	return 0;
}

static void print_path(char **segs, int n)
{
	if (n == 0)
		fputs("(top)", stdout);
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "/" : "", segs[i]);
}

static void print_value(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	if (!s) {
		fputs("?", stdout);
		return;
	}
	size_t len = strlen(s);
	if (len > 160)
		printf("%.150s...(%zu chars)", s, len);
	else
		fputs(s, stdout);
	free(s);
}

static void diff_line(char **segs, int n, const json_t *ref, const json_t *ours, const char *what)
{
	ndiffs++;
	if (ndiffs > max_shown)
		return;
	print_path(segs, n);
	if (what) {
		printf(": %s\n", what);
		return;
	}
	fputs(": reference ", stdout);
	print_value(ref);
	fputs(", ours ", stdout);
	print_value(ours);
	putchar('\n');
}

static bool same_number(const json_t *a, const json_t *b)
{
	return json_is_number(a) && json_is_number(b) && json_number_value(a) == json_number_value(b);
}

static void compare(const json_t *ref, const json_t *ours, char **segs, int n);

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '"' || c == '\'' || c == '`';
}

/* s with each run of white space made one space between two word characters, and dropped
 * elsewhere: `( 'a', 'b' )` and `('a','b')` read the same */
static char *squeeze(const char *s)
{
	char *out = xrealloc(NULL, strlen(s) + 1), *o = out;
	bool space = false;
	for (; *s; s++) {
		if (*s && strchr(" \t\r\n\v\f", *s)) {
			space = o != out;
			continue;
		}
		if (space && word_char(o[-1]) && word_char(*s))
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static bool same_squeezed(const json_t *a, const json_t *b)
{
	if (!json_is_string(a) || !json_is_string(b))
		return false;
	char *x = squeeze(json_string_value(a)), *y = squeeze(json_string_value(b));
	bool same = !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

static void compare_child(const json_t *ref, const json_t *ours, char **segs, int n, const char *key)
{
	segs[n] = (char *)key;
	compare(ref, ours, segs, n + 1);
}

static const char *item_key(const json_t *item, const char *field, char *buf, size_t len)
{
	const json_t *k = json_is_object(item) ? json_object_get(item, field) : NULL;
	if (json_is_string(k))
		return json_string_value(k);
	snprintf(buf, len, "(no %s)", field);
	return buf;
}

static void compare_bykey(const json_t *ref, const json_t *ours, char **segs, int n, const char *field)
{
	char b1[64], b2[64];
	size_t i, j;
	for (i = 0; i < json_array_size(ref); i++) {
		const json_t *r = json_array_get(ref, i);
		const char *k = item_key(r, field, b1, sizeof(b1));
		const json_t *o = NULL;
		for (j = 0; j < json_array_size(ours) && !o; j++)
			if (!strcmp(item_key(json_array_get(ours, j), field, b2, sizeof(b2)), k))
				o = json_array_get(ours, j);
		segs[n] = (char *)k;
		if (o)
			compare(r, o, segs, n + 1);
		else if (!find_rule(A_SKIP, segs, n + 1))
			diff_line(segs, n + 1, NULL, NULL, "only in the reference");
	}
	for (j = 0; j < json_array_size(ours); j++) {
		const char *k = item_key(json_array_get(ours, j), field, b2, sizeof(b2));
		bool found = false;
		for (i = 0; i < json_array_size(ref) && !found; i++)
			found = !strcmp(item_key(json_array_get(ref, i), field, b1, sizeof(b1)), k);
		segs[n] = (char *)k;
		if (!found && !find_rule(A_SKIP, segs, n + 1))
			diff_line(segs, n + 1, NULL, NULL, "only in ours");
	}
}

static bool in_array(const json_t *arr, const json_t *v)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (json_equal(json_array_get(arr, i), v))
			return true;
	return false;
}

static void compare(const json_t *ref, const json_t *ours, char **segs, int n)
{
	if (n >= 60) {
		diff_line(segs, n, NULL, NULL, "too deep to compare");
		return;
	}
	if (find_rule(A_SKIP, segs, n) || find_rule(A_VALUE, segs, n))
		return;
	if (json_is_object(ref) && json_is_object(ours)) {
		const char *key;
		json_t *rv;
		json_object_foreach((json_t *)ref, key, rv) {
			json_t *ov = json_object_get(ours, key);
			segs[n] = (char *)key;
			if (ov)
				compare(rv, ov, segs, n + 1);
			else if (!find_rule(A_SKIP, segs, n + 1))
				diff_line(segs, n + 1, NULL, NULL, "only in the reference");
		}
		json_t *ov;
		json_object_foreach((json_t *)ours, key, ov) {
			segs[n] = (char *)key;
			if (!json_object_get(ref, key) && !find_rule(A_SKIP, segs, n + 1))
				diff_line(segs, n + 1, NULL, NULL, "only in ours");
		}
		return;
	}
	if (json_is_array(ref) && json_is_array(ours)) {
		const struct rule *bk = find_rule(A_BYKEY, segs, n);
		if (bk) {
			compare_bykey(ref, ours, segs, n, bk->field);
			return;
		}
		if (find_rule(A_UNORDERED, segs, n)) {
			bool same = true;
			for (size_t i = 0; i < json_array_size(ref) && same; i++)
				same = in_array(ours, json_array_get(ref, i));
			for (size_t i = 0; i < json_array_size(ours) && same; i++)
				same = in_array(ref, json_array_get(ours, i));
			if (!same)
				diff_line(segs, n, ref, ours, NULL);
			return;
		}
		size_t nr = json_array_size(ref), no = json_array_size(ours);
		if (nr != no) {
			diff_line(segs, n, ref, ours, NULL);
			return;
		}
		char idx[24];
		for (size_t i = 0; i < nr; i++) {
			snprintf(idx, sizeof(idx), "%zu", i);
			char *copy = xstrdup(idx);
			compare_child(json_array_get(ref, i), json_array_get(ours, i), segs, n, copy);
			free(copy);
		}
		return;
	}
	if (same_number(ref, ours) || json_equal(ref, ours))
		return;
	if (find_rule(A_SPACES, segs, n) && same_squeezed(ref, ours))
		return;
	diff_line(segs, n, ref, ours, NULL);
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *v = json_load_file(path, 0, &err);
	if (!v)
		fprintf(stderr, "%s:%d:%d: error: %s\n", path, err.line, err.column, err.text);
	return v;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			if (load_rules(argv[++i]) < 0)
				return 2;
		} else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			max_shown = strtol(argv[++i], NULL, 10);
		} else {
			break;
		}
	}
	if (argc - i != 2) {
		fputs("usage: artifact-diff [--rules FILE]... [--max N] REFERENCE.json OURS.json\n", stderr);
		return 2;
	}
	json_t *ref = load(argv[i]), *ours = load(argv[i + 1]);
	if (!ref || !ours)
		return 2;
	char *segs[64];
	compare(ref, ours, segs, 0);
	if (ndiffs > max_shown)
		printf("... and %ld more\n", ndiffs - max_shown);
	if (ndiffs)
		printf("%ld difference%s\n", ndiffs, ndiffs == 1 ? "" : "s");
	json_decref(ref);
	json_decref(ours);
	for (int k = 0; k < nrules; k++) {
		free(rules[k].buf);
		free(rules[k].seg);
		free(rules[k].field);
	}
	free(rules);
	return ndiffs ? 1 : 0;
}
