/*
 * artifact-schema-check: checks an artifact (manifest.json, run_results.json, sources.json,
 * catalog.json) against the facts of dbt's JSON schema for it, as tests/artdiff/schema_summary.py
 * derives them from dbt-core's schemas/dbt/<artifact>/vN.json (the .summary files of tests/artdiff/schemas/):
 * the types allowed at each path, the keys an object must have, the only keys a closed object may
 * have, the only strings an enum allows.
 *
 *   artifact-schema-check SUMMARY ARTIFACT.json
 *
 * Prints one line a violation (`PATH: what`), with the artifact's own keys in PATH; exit code 0
 * when there is none, 1 when there are, 2 on bad input.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct facts {
	char *path;
	char *types;    /* comma-separated, or NULL */
	char *required; /* comma-separated, or NULL */
	char *closed;   /* comma-separated, or NULL */
	char *enums;    /* comma-separated, or NULL */
};

static struct facts *all;
static size_t nall, capall;
static long violations;

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct facts *)a)->path, ((const struct facts *)b)->path);
}

static struct facts *find(const char *path)
{
	struct facts key = {.path = (char *)path};
	return nall ? bsearch(&key, all, nall, sizeof(*all), by_path) : NULL;
}

static struct facts *get_or_add(const char *path)
{
	/* the facts of one path are on adjacent lines */
	if (nall && !strcmp(all[nall - 1].path, path))
		return &all[nall - 1];
	if (nall == capall) {
		capall = capall ? capall * 2 : 256;
		all = realloc(all, capall * sizeof(*all));
		if (!all)
			abort();
	}
	all[nall] = (struct facts){.path = strdup(path)};
	return &all[nall++];
}

static bool in_list(const char *list, const char *word, size_t len)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == len && !strncmp(p, word, len))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static int load(const char *file)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "artifact-schema-check: cannot read %s\n", file);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2) {
			fprintf(stderr, "%s:%d: expected FACT<TAB>PATH<TAB>VALUE\n", file, lineno);
			free(line);
			fclose(f);
			return -1;
		}
		*t1 = *t2 = 0;
		struct facts *x = get_or_add(t1 + 1);
		char *v = strdup(t2 + 1);
		if (!strcmp(line, "type"))
			x->types = v;
		else if (!strcmp(line, "required"))
			x->required = v;
		else if (!strcmp(line, "closed"))
			x->closed = v;
		else if (!strcmp(line, "enum"))
			x->enums = v;
		else {
			fprintf(stderr, "%s:%d: unknown fact '%s'\n", file, lineno, line);
			free(v);
			free(line);
			fclose(f);
			return -1;
		}
	}
	free(line);
	fclose(f);
	qsort(all, nall, sizeof(*all), by_path);
	return 0;
}

static void violation(const char *where, const char *fmt, const char *a, const char *b)
{
	violations++;
	printf("%s: ", *where ? where : ".");
	printf(fmt, a, b);
	putchar('\n');
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static bool type_ok(const char *types, const json_t *v)
{
	const char *t = type_name(v);
	if (in_list(types, t, strlen(t)))
		return true;
	/* JSON Schema: an integer is a number, and a number with no fraction an integer */
	if (json_is_integer(v) && in_list(types, "number", 6))
		return true;
	if (json_is_real(v) && in_list(types, "integer", 7)) {
		double d = json_real_value(v);
		return d == (double)(long long)d;
	}
	return false;
}

/* the schema path of child `key` of an object at schema path `sp` */
static char *child(const char *sp, const char *key)
{
	size_t n = strlen(sp) + strlen(key) + 2;
	char *out = malloc(n);
	if (!out)
		abort();
	if (!strcmp(sp, "."))
		snprintf(out, n, "%s", key);
	else
		snprintf(out, n, "%s/%s", sp, key);
	return out;
}

static void check(const json_t *v, const char *sp, const char *where);

static void check_child(const json_t *v, const char *sp, const char *key, const char *where, const char *wkey)
{
	char *cp = child(sp, key);
	if (!find(cp)) {
		free(cp);
		cp = child(sp, "*");
	}
	char *w = child(*where ? where : ".", wkey);
	if (find(cp))
		check(v, cp, w);
	free(cp);
	free(w);
}

static void check(const json_t *v, const char *sp, const char *where)
{
	const struct facts *x = find(sp);
	if (!x)
		return;
	/* one of several object shapes, told apart by their resource_type */
	char *variant = NULL;
	if (json_is_object(v) && json_is_string(json_object_get(v, "resource_type"))) {
		size_t n = strlen(sp) + 64 + json_string_length(json_object_get(v, "resource_type"));
		variant = malloc(n);
		if (!variant)
			abort();
		snprintf(variant, n, "%s{resource_type=%s}", sp, json_string_value(json_object_get(v, "resource_type")));
		const struct facts *vx = find(variant);
		if (vx) {
			x = vx;
			sp = variant;
		} else {
			/* a resource_type the schema has no shape for, where it has shapes */
			size_t plen = strlen(sp);
			for (size_t i = 0; i < nall; i++)
				if (!strncmp(all[i].path, sp, plen) && !strncmp(all[i].path + plen, "{resource_type=", 15)) {
					violation(where, "resource_type '%s' is none of the schema's%s",
						  json_string_value(json_object_get(v, "resource_type")), "");
					free(variant);
					return;
				}
		}
	}
	if (x->types && !type_ok(x->types, v))
		violation(where, "is %s, the schema allows %s", type_name(v), x->types);
	if (x->enums && json_is_string(v) && !in_list(x->enums, json_string_value(v), json_string_length(v)))
		violation(where, "'%s' is none of %s", json_string_value(v), x->enums);
	if (json_is_object(v)) {
		for (const char *p = x->required; p && *p;) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char key[256];
			snprintf(key, sizeof(key), "%.*s", (int)(n < 255 ? n : 255), p);
			if (!json_object_get(v, key))
				violation(where, "lacks the required key '%s'%s", key, "");
			p = e ? e + 1 : NULL;
		}
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val) {
			if (x->closed && !in_list(x->closed, key, strlen(key)))
				violation(where, "has the key '%s', which the schema does not allow%s", key, "");
			else
				check_child(val, sp, key, where, key);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach((json_t *)v, i, item) {
			char idx[32];
			snprintf(idx, sizeof(idx), "%zu", i);
			char *cp = child(sp, "[]");
			char *w = child(*where ? where : ".", idx);
			check(item, cp, w);
			free(cp);
			free(w);
		}
	}
	free(variant);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: artifact-schema-check SUMMARY ARTIFACT.json\n");
		return 2;
	}
	if (load(argv[1]) < 0)
		return 2;
	json_error_t err;
	json_t *doc = json_load_file(argv[2], JSON_DECODE_ANY, &err);
	if (!doc) {
		fprintf(stderr, "%s:%d:%d: %s\n", argv[2], err.line, err.column, err.text);
		return 2;
	}
	check(doc, ".", "");
	json_decref(doc);
	for (size_t i = 0; i < nall; i++) {
		free(all[i].path);
		free(all[i].types);
		free(all[i].required);
		free(all[i].closed);
		free(all[i].enums);
	}
	free(all);
	if (violations)
		printf("%ld violation%s\n", violations, violations == 1 ? "" : "s");
	return violations ? 1 : 0;
}
