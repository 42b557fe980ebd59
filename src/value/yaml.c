/*
 * YAML <-> value, with locations. Parsing is event-driven over libyaml, building dicts and lists
 * with the location of every key and value (so project errors point into the file). Scalars are
 * resolved as PyYAML's SafeLoader does (YAML 1.1: yes/no/on/off are booleans, `1e3` without a dot
 * is a string, `~` is null), because that is what dbt sees.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/map.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

struct yctx {
	struct arena *a;
	struct arena scratch; /* mappings being read: their entries, until each is copied out whole */
	yaml_parser_t parser;
	uint32_t file;
	struct diag_list *dl;
	struct map anchors;  /* anchor name -> struct anchor* */
};

static struct loc mark_loc(struct yctx *y, yaml_mark_t start, yaml_mark_t end)
{
	uint32_t len = end.index > start.index ? (uint32_t)(end.index - start.index) : 1;
	if (end.line != start.line)
		len = 1;
	return loc_at(y->file, (int)start.line + 1, (int)start.column + 1, len);
}

static bool match_word(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && !memcmp(*words, s, n))
			return true;
	return false;
}

static bool all_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_')
			continue;
		if (base == 2 && (c == '0' || c == '1'))
			continue;
		if (base == 8 && c >= '0' && c <= '7')
			continue;
		if (base == 10 && isdigit((unsigned char)c))
			continue;
		if (base == 16 && isxdigit((unsigned char)c))
			continue;
		return false;
	}
	return true;
}

static int64_t parse_int(const char *s, size_t n, int base)
{
	char buf[80];
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof(buf) - 1; i++)
		if (s[i] != '_')
			buf[k++] = s[i];
	buf[k] = '\0';
	return (int64_t)strtoll(buf, NULL, base);
}

/* PyYAML float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?, .inf, .nan */
static bool is_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	size_t d0 = i;
	while (i < n && (isdigit((unsigned char)s[i]) || (s[i] == '_' && i > d0)))
		i++;
	bool lead = i > d0;
	if (i >= n || s[i] != '.')
		return false;
	i++;
	size_t f0 = i;
	while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	if (!lead && i == f0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i >= n || (s[i] != '-' && s[i] != '+'))
			return false;
		i++;
		size_t e0 = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == e0)
			return false;
	}
	return i == n;
}

static value resolve_plain(struct arena *a, const char *s, size_t n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL};
	static const char *const falses[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL};
	/* no word of these is longer than five letters: most scalars (names, descriptions) skip them */
	if (n <= 5 && match_word(s, n, nulls))
		return val_none();
	if (n <= 5 && match_word(s, n, trues))
		return val_bool(true);
	if (n <= 5 && match_word(s, n, falses))
		return val_bool(false);
	if (n && n < 64) {
		const char *p = s;
		size_t m = n;
		bool neg = false;
		if (*p == '-' || *p == '+') {
			neg = *p == '-';
			p++;
			m--;
		}
		if (m > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'b') &&
		    all_digits(p + 2, m - 2, p[1] == 'x' ? 16 : 2)) {
			int64_t v = parse_int(p + 2, m - 2, p[1] == 'x' ? 16 : 2);
			return val_int(neg ? -v : v);
		}
		if (m > 1 && p[0] == '0' && all_digits(p + 1, m - 1, 8)) {
			int64_t v = parse_int(p + 1, m - 1, 8);
			return val_int(neg ? -v : v);
		}
		if (m >= 1 && isdigit((unsigned char)p[0]) && (p[0] != '0' || m == 1) && all_digits(p, m, 10)) {
			errno = 0;
			int64_t v = parse_int(p, m, 10);
			if (errno != ERANGE)
				return val_int(neg ? -v : v);
		}
		if (is_float(s, n)) {
			char buf[80];
			size_t k = 0;
			for (size_t i = 0; i < n && k < sizeof(buf) - 1; i++)
				if (s[i] != '_')
					buf[k++] = s[i];
			buf[k] = '\0';
			return val_float(strtod(buf, NULL));
		}
		static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
		static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
		static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
		if (match_word(s, n, infs))
			return val_float(INFINITY);
		if (match_word(s, n, ninfs))
			return val_float(-INFINITY);
		if (match_word(s, n, nans))
			return val_float(NAN);
	}
	return val_str_dup(a, s, n);
}

static value scalar_value(struct yctx *y, yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	if (tag) {
		if (!strcmp(tag, YAML_STR_TAG))
			return val_str_dup(y->a, s, n);
		if (!strcmp(tag, YAML_INT_TAG) || !strcmp(tag, YAML_FLOAT_TAG) ||
		    !strcmp(tag, YAML_BOOL_TAG) || !strcmp(tag, YAML_NULL_TAG))
			return resolve_plain(y->a, s, n);
	}
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return val_str_dup(y->a, s, n);
	return resolve_plain(y->a, s, n);
}

static int parse_error(struct yctx *y)
{
	yaml_parser_t *p = &y->parser;
	yaml_mark_t m = p->problem_mark;
	struct loc l = loc_at(y->file, (int)m.line + 1, (int)m.column + 1, 1);
	struct diag *d;
	if (p->context)
		d = diag_error(y->dl, l, "invalid YAML: %s %s", p->problem ? p->problem : "syntax error",
			       p->context);
	else
		d = diag_error(y->dl, l, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
	if (p->context)
		diag_note(y->dl, d, loc_at(y->file, (int)p->context_mark.line + 1,
					   (int)p->context_mark.column + 1, 1),
			  "the construct started here");
	diag_hint(y->dl, d, "check the indentation and quoting on this line and the one before");
	return -1;
}

static int next_event(struct yctx *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev))
		return parse_error(y);
	return 0;
}

/* A node named by an anchor. A collection is `open` until its end: an alias to it from inside
 * would make the value contain itself, which nothing downstream (JSON, the manifest, Jinja) could
 * walk, so such an alias is an error. */
struct anchor {
	value v;
	bool open;
};

static struct anchor *remember_anchor(struct yctx *y, const yaml_char_t *anchor, value v, bool open)
{
	if (!anchor)
		return NULL;
	struct anchor *slot = arena_alloc(y->a, sizeof(*slot));
	slot->v = v;
	slot->open = open;
	char *name = arena_strdup(y->a, (const char *)anchor);
	map_puts(&y->anchors, name, slot);
	return slot;
}

static int parse_node(struct yctx *y, yaml_event_t *ev, value *pv);

/* A key given twice in one mapping: YAML keeps the last value, silently dropping the first (a
 * second `models:` would drop half of a properties file), so say so, pointing at both */
static void warn_duplicate(struct yctx *y, value k, struct loc here, struct loc first)
{
	struct sb s = SB_INIT;
	if (k.type == V_STR)
		sb_add(&s, k.s, k.len);
	else
		val_str_to(&s, k);
	struct diag *d = diag_warn(y->dl, here, "duplicate key '%s': this value replaces the one given before", s.buf);
	diag_note(y->dl, d, first, "the first '%s' is here", s.buf);
	diag_hint(y->dl, d, "merge the two into one entry; only the last one is kept");
	sb_release(&s);
}

/* A mapping is read into a dict of the scratch arena, then copied into one whose entries are
 * exactly as many as it has: most mappings of a project's YAML hold two or three entries, and a
 * dict made for eight left the rest of its room unused (8 of the 60 MB that the properties files
 * of a 10,000-model project take) */
static int parse_mapping(struct yctx *y, yaml_event_t *start, value *pv)
{
	value d = val_dict_new(y->a, 0);
	d.d->loc = mark_loc(y, start->start_mark, start->start_mark);
	struct arena_mark mark = arena_mark(&y->scratch);
	value t = val_dict_new(&y->scratch, 8);
	VEC(struct loc) klocs = {0};
	VEC(struct loc) vlocs = {0};
	VEC(bool) merged = {0};  /* each entry's: it came from a merge key (<<) */
	struct anchor *self = remember_anchor(y, start->data.mapping_start.anchor, d, true);
	int rc = 0;
	for (;;) {
		yaml_event_t kev;
		if (next_event(y, &kev) < 0) {
			rc = -1;
			break;
		}
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		struct loc kl = mark_loc(y, kev.start_mark, kev.end_mark);
		value k;
		bool merge = kev.type == YAML_SCALAR_EVENT && kev.data.scalar.length == 2 &&
			     !memcmp(kev.data.scalar.value, "<<", 2) &&
			     kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		rc = parse_node(y, &kev, &k);
		if (rc)
			break;
		yaml_event_t vev;
		if (next_event(y, &vev) < 0) {
			rc = -1;
			break;
		}
		struct loc vl = mark_loc(y, vev.start_mark, vev.end_mark);
		value v;
		rc = parse_node(y, &vev, &v);
		if (rc)
			break;
		if (merge && (v.type == V_DICT || v.type == V_LIST)) {
			/* merge key: entries of the merged mapping(s) that are not set explicitly */
			size_t nm = v.type == V_DICT ? 1 : v.l->len;
			for (size_t m = 0; m < nm; m++) {
				value src = v.type == V_DICT ? v : v.l->items[m];
				if (src.type != V_DICT)
					continue;
				for (uint32_t i = 0; i < src.d->len; i++) {
					if (val_dict_find(t, src.d->e[i].key) >= 0)
						continue;
					val_dict_set(t, src.d->e[i].key, src.d->e[i].val);
					VEC_PUSH(&klocs, kl);
					VEC_PUSH(&vlocs, vl);
					VEC_PUSH(&merged, true);
				}
			}
			continue;
		}
		long before = val_dict_find(t, k);
		val_dict_set(t, k, v);
		/* a key set again over one a merge brought is what merge keys are for (YAML's merge
		 * type; dbt's CheckedLoader does not warn of it either) */
		if (before >= 0 && y->dl && !merged.v[before])
			warn_duplicate(y, k, kl, klocs.v[before]);
		if (before >= 0) {
			klocs.v[before] = kl;
			vlocs.v[before] = vl;
			merged.v[before] = false;
		} else {
			VEC_PUSH(&klocs, kl);
			VEC_PUSH(&vlocs, vl);
			VEC_PUSH(&merged, false);
		}
	}
	if (rc == 0) {
		val_dict_copy_exact(d, t);
		size_t n = d.d->len;
		d.d->keylocs = ARENA_ARRAY(y->a, struct loc, n + 1);
		d.d->vallocs = ARENA_ARRAY(y->a, struct loc, n + 1);
		if (n) {
			memcpy(d.d->keylocs, klocs.v, n * sizeof(struct loc));
			memcpy(d.d->vallocs, vlocs.v, n * sizeof(struct loc));
		}
		*pv = d;
	}
	if (self)
		self->open = false;
	arena_reset(&y->scratch, mark);
	VEC_FREE(&klocs);
	VEC_FREE(&vlocs);
	VEC_FREE(&merged);
	return rc;
}

static int parse_sequence(struct yctx *y, yaml_event_t *start, value *pv)
{
	value l = val_list_new(y->a, 4);
	VEC(struct loc) locs = {0};
	struct anchor *self = remember_anchor(y, start->data.sequence_start.anchor, l, true);
	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (next_event(y, &ev) < 0) {
			rc = -1;
			break;
		}
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		struct loc il = mark_loc(y, ev.start_mark, ev.end_mark);
		value v;
		rc = parse_node(y, &ev, &v);
		if (rc)
			break;
		val_list_push(l, v);
		VEC_PUSH(&locs, il);
	}
	if (rc == 0) {
		l.l->locs = ARENA_ARRAY(y->a, struct loc, l.l->len + 1);
		if (l.l->len)
			memcpy(l.l->locs, locs.v, l.l->len * sizeof(struct loc));
		*pv = l;
	}
	if (self)
		self->open = false;
	VEC_FREE(&locs);
	return rc;
}

/* Consumes `ev` (deletes it) and builds its node */
static int parse_node(struct yctx *y, yaml_event_t *ev, value *pv)
{
	int rc = 0;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		*pv = scalar_value(y, ev);
		(void)remember_anchor(y, ev->data.scalar.anchor, *pv, false);
		break;
	case YAML_ALIAS_EVENT: {
		struct anchor *slot = map_gets(&y->anchors, (const char *)ev->data.alias.anchor);
		if (!slot) {
			diag_error(y->dl, mark_loc(y, ev->start_mark, ev->end_mark),
				   "invalid YAML: unknown anchor '%s'", (const char *)ev->data.alias.anchor);
			rc = -1;
		} else if (slot->open) {
			struct diag *d = diag_error(y->dl, mark_loc(y, ev->start_mark, ev->end_mark),
						    "invalid YAML: the alias '*%s' is inside the node it names",
						    (const char *)ev->data.alias.anchor);
			diag_hint(y->dl, d, "a value cannot contain itself: alias the anchor from outside it");
			rc = -1;
		} else {
			*pv = slot->v;
		}
		break;
	}
	case YAML_MAPPING_START_EVENT:
		rc = parse_mapping(y, ev, pv);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = parse_sequence(y, ev, pv);
		break;
	default:
		diag_error(y->dl, mark_loc(y, ev->start_mark, ev->end_mark), "invalid YAML: unexpected event");
		rc = -1;
	}
	yaml_event_delete(ev);
	return rc;
}

int val_from_yaml(struct arena *a, uint32_t file, const char *text, size_t len, value *pv,
		  struct diag_list *dl)
{
	struct yctx y = {.a = a, .file = file, .dl = dl};
	arena_init(&y.scratch, 16 * 1024);
	map_init(&y.anchors);
	yaml_parser_initialize(&y.parser);
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
	*pv = val_none();
	int rc = 0;
	bool in_doc = false, done = false;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (next_event(&y, &ev) < 0) {
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			yaml_event_delete(&ev);
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (in_doc) {
				/* only the first document counts, as yaml.safe_load insists on one */
				diag_error(dl, mark_loc(&y, ev.start_mark, ev.end_mark),
					   "invalid YAML: expected a single document, found another");
				rc = -1;
			}
			in_doc = true;
			yaml_event_delete(&ev);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			rc = parse_node(&y, &ev, pv);
			break;
		default:
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&y.parser);
	map_release(&y.anchors);
	arena_release(&y.scratch);
	return rc;
}

/* ---- writing ---- */

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return true;
	struct arena a;
	arena_init(&a, 256);
	value r = resolve_plain(&a, s, n);
	arena_release(&a);
	if (r.type != V_STR)
		return true;  /* would read back as a number, bool or null */
	if (strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) || s[n - 1] == ' ')
		return true;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\t' || (unsigned char)s[i] < 0x20)
			return true;
		if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' '))
			return true;
		if (s[i] == '#' && i && s[i - 1] == ' ')
			return true;
	}
	return false;
}

static void yaml_scalar(struct sb *out, value v)
{
	switch (v.type) {
	case V_NONE:
	case V_UNDEF:
		sb_adds(out, "null");
		return;
	case V_BOOL:
		sb_adds(out, v.b ? "true" : "false");
		return;
	case V_INT:
	case V_FLOAT:
		val_str_to(out, v);
		return;
	default:
		break;
	}
	struct sb s = SB_INIT;
	if (v.type == V_STR)
		sb_add(&s, v.s, v.len);
	else
		val_str_to(&s, v);
	if (!needs_quotes(s.buf, s.len)) {
		sb_add(out, s.buf, s.len);
	} else if (!memchr(s.buf, '\n', s.len)) {
		sb_addc(out, '\'');
		for (size_t i = 0; i < s.len; i++) {
			if (s.buf[i] == '\'')
				sb_addc(out, '\'');
			sb_addc(out, s.buf[i]);
		}
		sb_addc(out, '\'');
	} else {
		val_to_json(out, val_strn(s.buf, s.len), 0, 0);
	}
	sb_release(&s);
}

static void indent_to(struct sb *out, int n)
{
	for (int i = 0; i < n; i++)
		sb_addc(out, ' ');
}

static int cmp_entries(const void *x, const void *y)
{
	const struct ventry *a = *(const struct ventry *const *)x, *b = *(const struct ventry *const *)y;
	size_t n = a->key.len < b->key.len ? a->key.len : b->key.len;
	int c = memcmp(a->key.s, b->key.s, n);
	return c ? c : (a->key.len > b->key.len) - (a->key.len < b->key.len);
}

static void yaml_node(struct sb *out, value v, int indent, bool inline_first, int flags)
{
	if (v.type == V_DICT && v.d->len) {
		struct ventry *order[v.d->len];
		for (uint32_t i = 0; i < v.d->len; i++)
			order[i] = &v.d->e[i];
		bool str_keys = true;
		for (uint32_t i = 0; i < v.d->len; i++)
			str_keys &= v.d->e[i].key.type == V_STR;
		if ((flags & VYAML_SORT_KEYS) && str_keys)
			qsort(order, v.d->len, sizeof(order[0]), cmp_entries);
		for (uint32_t i = 0; i < v.d->len; i++) {
			if (i || !inline_first)
				indent_to(out, indent);
			yaml_scalar(out, order[i]->key);
			sb_addc(out, ':');
			value c = order[i]->val;
			if ((c.type == V_DICT && c.d->len) || (c.type == V_LIST && c.l->len)) {
				sb_addc(out, '\n');
				bool deeper = c.type == V_DICT || (flags & VYAML_INDENT_LISTS);
				yaml_node(out, c, deeper ? indent + 2 : indent, false, flags);
			} else {
				sb_addc(out, ' ');
				yaml_node(out, c, indent + 2, true, flags);
			}
		}
	} else if (v.type == V_LIST && v.l->len) {
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i || !inline_first)
				indent_to(out, indent);
			sb_adds(out, "- ");
			yaml_node(out, v.l->items[i], indent + 2, true, flags);
		}
	} else if (v.type == V_DICT) {
		sb_adds(out, "{}\n");
	} else if (v.type == V_LIST) {
		sb_adds(out, "[]\n");
	} else {
		yaml_scalar(out, v);
		sb_addc(out, '\n');
	}
}

void val_to_yaml(struct sb *out, value v)
{
	yaml_node(out, v, 0, false, 0);
}

void val_to_yaml_ex(struct sb *out, value v, int flags)
{
	yaml_node(out, v, 0, false, flags);
}
