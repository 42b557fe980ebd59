/*
 * Query results as dbt hands them to templates: agate tables. run_query() and load_result()
 * return a table whose `rows` are Row objects (row[0], row['name'], iteration), whose `columns`
 * can be indexed by position or name and whose columns answer values(), and `column_names`,
 * `column_types`, print_table(), rename() and to_json(), which is what dbt code and packages call
 * on them.
 *
 * The table itself stays a dict (callers in C read its "rows" list); rows and columns are objects.
 * Everything lives in the arena of the render that ran the query.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

/* A sequence whose items can also be looked up by name: agate's MappedSequence */
struct mapped {
	value items;  /* list */
	value keys;   /* list of strings, the same length, or V_NONE */
	const char *kind;
};

static const struct vobj_class row_class, columns_class, column_class;

static value mapped_lookup(struct mapped *m, const char *name, size_t n)
{
	for (uint32_t i = 0; m->keys.type == V_LIST && i < m->keys.l->len; i++) {
		value k = m->keys.l->items[i];
		if (k.type == V_STR && k.len == n && !memcmp(k.s, name, n))
			return m->items.l->items[i];
	}
	return val_undef();
}

static value m_keys(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct mapped *m = ud;
	return m->keys.type == V_LIST ? m->keys : val_list_new(jj_arena(vm), 0);
}

static value m_values(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return ((struct mapped *)ud)->items;
}

static value m_items(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct mapped *m = ud;
	struct arena *a = jj_arena(vm);
	value out = val_list_new(a, m->items.l->len);
	for (uint32_t i = 0; m->keys.type == V_LIST && i < m->items.l->len; i++) {
		value t = val_tuple_new(a, 2);
		val_list_push(t, m->keys.l->items[i]);
		val_list_push(t, m->items.l->items[i]);
		val_list_push(out, t);
	}
	return out;
}

static value m_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct mapped *m = ud;
	value k = jj_arg(args, 0, "key", val_none());
	value v = k.type == V_STR ? mapped_lookup(m, k.s, k.len) : val_undef();
	return v.type == V_UNDEF ? jj_arg(args, 1, "default", val_none()) : v;
}

/* dict(): the names and values as a dict, as agate's MappedSequence.dict() */
static value m_dict(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct mapped *m = ud;
	value out = val_dict_new(jj_arena(vm), m->items.l->len);
	for (uint32_t i = 0; m->keys.type == V_LIST && i < m->items.l->len; i++)
		val_dict_set(out, m->keys.l->items[i], m->items.l->items[i]);
	return out;
}

static value mapped_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct mapped *m = o->data;
	value v = mapped_lookup(m, name, n);
	if (v.type != V_UNDEF)
		return v;
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("keys"))
		return val_func(a, "keys", m_keys, m);
	if (IS("values"))
		return val_func(a, "values", m_values, m);
	if (IS("items"))
		return val_func(a, "items", m_items, m);
	if (IS("get"))
		return val_func(a, "get", m_get, m);
	if (IS("dict"))
		return val_func(a, "dict", m_dict, m);
#undef IS
	return val_undef();
}

static value mapped_iter(struct jj_vm *vm, struct vobj *o)
{
	return ((struct mapped *)o->data)->items;
}

static void row_str(struct vobj *o, struct sb *out)
{
	struct mapped *m = o->data;
	sb_adds(out, "<agate.Row: ");
	val_repr_to(out, m->items);
	sb_adds(out, ">");
}

static void columns_str(struct vobj *o, struct sb *out)
{
	struct mapped *m = o->data;
	sb_adds(out, "<agate.MappedSequence: ");
	val_repr_to(out, m->keys);
	sb_adds(out, ">");
}

static bool mapped_eq(struct vobj *o, value other)
{
	struct mapped *m = o->data;
	if (other.type == V_OBJ && other.o->cls == o->cls)
		return val_eq(m->items, ((struct mapped *)other.o->data)->items);
	return other.type == V_LIST && val_eq(m->items, other);
}

static const struct vobj_class row_class = {
	.name = "Row",
	.getattr = mapped_getattr,
	.iter = mapped_iter,
	.str = row_str,
	.eq = mapped_eq,
};

static const struct vobj_class columns_class = {
	.name = "MappedSequence",
	.getattr = mapped_getattr,
	.iter = mapped_iter,
	.str = columns_str,
};

static value mapped_new(struct arena *a, const struct vobj_class *cls, value items, value keys)
{
	struct mapped *m = arena_alloc(a, sizeof(*m));
	m->items = items;
	m->keys = keys;
	m->kind = cls->name;
	return val_obj(a, cls, m);
}

/* ---- columns ---- */

struct column {
	const char *name;
	const char *type;
	value values;  /* tuple */
};

static value c_values(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return ((struct column *)ud)->values;
}

static value c_values_without_nulls(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value all = ((struct column *)ud)->values;
	value out = val_tuple_new(jj_arena(vm), all.l->len);
	for (uint32_t i = 0; i < all.l->len; i++)
		if (all.l->items[i].type != V_NONE)
			val_list_push(out, all.l->items[i]);
	return out;
}

/*
 * A column's data_type: agate's type object (Number, Text, Boolean, Date, DateTime), which
 * prints and compares as the engine's type name (DuckDB's INTEGER), and whose jsonify(value)
 * gives what agate's does: None stays None, a number a float, a boolean itself, a date or time
 * its isoformat(), anything else its str() (dbt-profiler writes its profiles so).
 */
static value t_jsonify(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	value v = jj_arg(args, 0, "d", val_none());
	switch (v.type) {
	case V_NONE:
	case V_BOOL:
		return v;
	case V_INT:
		return val_float((double)v.i);
	case V_FLOAT:
		return v;
	case V_STR:
		return v;
	default:
		break;
	}
	if (v.type == V_OBJ && v.o->cls->getattr) {
		value iso = v.o->cls->getattr(vm, v.o, "isoformat", 9);
		if (iso.type != V_UNDEF)
			return jj_call(vm, iso, &(struct vargs){0});
	}
	struct sb sb = SB_INIT;
	val_str_to(&sb, v);
	value out = val_str_dup(jj_arena(vm), sb.buf, sb.len);
	sb_release(&sb);
	return out;
}

static value type_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	if (n == 7 && !memcmp(name, "jsonify", 7))
		return val_func(jj_arena(vm), "jsonify", t_jsonify, o->data);
	return val_undef();
}

static void type_str(struct vobj *o, struct sb *out)
{
	sb_adds(out, (const char *)o->data);
}

static bool type_eq(struct vobj *o, value other)
{
	const char *t = o->data;
	if (other.type == V_OBJ && other.o->cls == o->cls)
		return !strcmp(t, (const char *)other.o->data);
	return other.type == V_STR && other.len == strlen(t) && !memcmp(other.s, t, other.len);
}

static const struct vobj_class type_class = {
	.name = "DataType",
	.getattr = type_getattr,
	.str = type_str,
	.eq = type_eq,
};

static value column_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct column *c = o->data;
	struct arena *a = jj_arena(vm);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("name"))
		return val_str(c->name);
	if (IS("data_type"))
		return val_obj(a, &type_class, (void *)c->type);
	if (IS("values"))
		return val_func(a, "values", c_values, c);
	if (IS("values_without_nulls"))
		return val_func(a, "values_without_nulls", c_values_without_nulls, c);
#undef IS
	return val_undef();
}

static value column_iter(struct jj_vm *vm, struct vobj *o)
{
	return ((struct column *)o->data)->values;
}

static void column_str(struct vobj *o, struct sb *out)
{
	sb_addf(out, "<agate.Column: %s>", ((struct column *)o->data)->name);
}

static const struct vobj_class column_class = {
	.name = "Column",
	.getattr = column_getattr,
	.iter = column_iter,
	.str = column_str,
};

/* ---- the table ---- */

/*
 * print_table(max_rows=20, max_columns=6, max_column_width=20, max_precision=3): the table as
 * agate's Table.print_table writes it (agate/table/print_table.py), to stdout: names and values
 * longer than max_column_width cut to it with "..."; a column past max_columns shown as "...";
 * numbers grouped by thousands with as many decimals as the column's most precise value (at most
 * max_precision, then "…"); a value's line breaks as "↵"; text left-justified and every other
 * type right-justified, the header too; a row of "..." after max_rows rows. A column is text
 * when any of its values is a string (agate's type tester would call it Text).
 */
struct pt_col {
	bool text;
	int places;    /* decimals every number of the column is written with */
	bool cut;      /* places was capped at max_precision */
	size_t width;  /* in characters */
};

/* The decimals a number is written with (its shortest repr's) */
static int decimals_of(value v)
{
	if (v.type != V_FLOAT)
		return 0;
	struct sb s = SB_INIT;
	val_float_repr(&s, v.f);
	const char *dot = s.buf ? strchr(s.buf, '.') : NULL;
	int n = 0;
	if (dot && !strpbrk(s.buf, "eE"))
		for (const char *c = dot + 1; *c >= '0' && *c <= '9'; c++)
			n++;
	if (n == 1 && dot[1] == '0' && !dot[2])
		n = 0;  /* 3.0 is written as 3 */
	sb_release(&s);
	return n;
}

/* babel's format_decimal with '#,##0.<places zeros>' (and "…" when the precision was capped) */
static void put_number(struct sb *out, value v, const struct pt_col *c)
{
	char digits[64];
	if (v.type == V_INT)
		snprintf(digits, sizeof(digits), "%lld.%0*d", (long long)v.i, c->places, 0);
	else
		snprintf(digits, sizeof(digits), "%.*f", c->places, v.f);
	char *dot = strchr(digits, '.');
	if (dot && c->places == 0)
		*dot = '\0';
	const char *intpart = digits[0] == '-' ? digits + 1 : digits;
	size_t nint = dot && c->places ? (size_t)(dot - intpart) : strlen(intpart);
	if (digits[0] == '-')
		sb_addc(out, '-');
	for (size_t i = 0; i < nint; i++) {
		if (i && (nint - i) % 3 == 0)
			sb_addc(out, ',');
		sb_addc(out, intpart[i]);
	}
	if (dot && c->places)
		sb_adds(out, dot);
	if (c->cut)
		sb_adds(out, "\xe2\x80\xa6");
}

/* characters, not bytes, of UTF-8 text */
static size_t utf8_len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* the cell's text: cut to `width` characters with "..." */
static const char *pt_cut(struct arena *a, const char *s, size_t maxw)
{
	size_t len = strlen(s);
	if (utf8_len(s, len) <= maxw)
		return s;
	size_t keep = maxw > 3 ? maxw - 3 : 0, i = 0, k = 0;
	while (i < len && k < keep) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		k++;
	}
	return arena_sprintf(a, "%.*s...", (int)i, s);
}

static void pt_put(struct sb *out, const char *cell, size_t width, bool left)
{
	/* (the "..." of a truncated row may be wider than its column: ljust/rjust then add nothing) */
	size_t len = utf8_len(cell, strlen(cell)), pad = width > len ? width - len : 0;
	sb_addc(out, ' ');
	if (!left)
		for (size_t k = 0; k < pad; k++)
			sb_addc(out, ' ');
	sb_adds(out, cell);
	if (left)
		for (size_t k = 0; k < pad; k++)
			sb_addc(out, ' ');
	sb_adds(out, " |");
}

static long pt_limit(const struct vargs *args, size_t pos, const char *name, long dflt)
{
	value v = jj_arg(args, pos, name, val_int(dflt));
	return v.type == V_INT && v.i >= 0 ? (long)v.i : v.type == V_NONE ? -1 : dflt;
}

void dbt_agate_print(struct sb *out, struct arena *a, const struct adapter_result *res, long mr, long mc, long mw,
		     long mp)
{
	size_t shown = mr < 0 || (size_t)mr > res->nrows ? res->nrows : (size_t)mr;
	size_t ncols = mc < 0 || (size_t)mc > res->ncols ? res->ncols : (size_t)mc;
	bool more_cols = ncols < res->ncols, more_rows = shown < res->nrows;
	size_t nshown = ncols + more_cols, maxw = mw < 0 ? (size_t)-1 : (size_t)mw;
	struct pt_col *cols = arena_alloc(a, (nshown + 1) * sizeof(*cols));
	const char **names = arena_alloc(a, (nshown + 1) * sizeof(*names));
	const char **cells = arena_alloc(a, (shown * nshown + 1) * sizeof(*cells));
	for (size_t c = 0; c < nshown; c++) {
		names[c] = c < ncols ? pt_cut(a, res->cols[c].name, maxw) : "...";
		cols[c] = (struct pt_col){.text = c == ncols, .width = utf8_len(names[c], strlen(names[c]))};
		for (size_t i = 0; c < ncols && i < res->nrows; i++) {
			value v = res->rows[i * res->ncols + c];
			cols[c].text |= v.type == V_STR;
			if (i < shown && decimals_of(v) > cols[c].places)
				cols[c].places = decimals_of(v);
		}
		if (mp >= 0 && cols[c].places > mp) {
			cols[c].places = (int)mp;
			cols[c].cut = true;
		}
	}
	struct sb cell = SB_INIT;
	for (size_t i = 0; i < shown; i++) {
		for (size_t c = 0; c < nshown; c++) {
			value v = c < ncols ? res->rows[i * res->ncols + c] : val_str("...");
			sb_reset(&cell);
			if (c >= ncols || v.type == V_NONE) {
				sb_adds(&cell, c >= ncols ? "..." : "");
			} else if (!cols[c].text && (v.type == V_INT || (v.type == V_FLOAT && isfinite(v.f)))) {
				put_number(&cell, v, &cols[c]);
			} else {
				val_str_to(&cell, v);
				for (const char *nl = cell.buf ? strchr(cell.buf, '\n') : NULL; nl; nl = strchr(cell.buf, '\n')) {
					size_t at = (size_t)(nl - cell.buf);
					struct sb t = SB_INIT;
					sb_add(&t, cell.buf, at);
					sb_adds(&t, "\xe2\x86\xb5");
					sb_adds(&t, cell.buf + at + 1);
					sb_reset(&cell);
					sb_add(&cell, t.buf, t.len);
					sb_release(&t);
				}
			}
			const char *text = pt_cut(a, arena_strndup(a, cell.buf ? cell.buf : "", cell.len), maxw);
			cells[i * nshown + c] = text;
			size_t w = utf8_len(text, strlen(text));
			if (w > cols[c].width)
				cols[c].width = w;
		}
	}
	sb_release(&cell);
	sb_addc(out, '|');
	for (size_t c = 0; c < nshown; c++)
		pt_put(out, names[c], cols[c].width, cols[c].text);
	sb_addc(out, '\n');
	sb_addc(out, '|');
	for (size_t c = 0; c < nshown; c++) {
		sb_addc(out, ' ');
		for (size_t k = 0; k < cols[c].width; k++)
			sb_addc(out, '-');
		sb_adds(out, " |");
	}
	sb_addc(out, '\n');
	for (size_t i = 0; i < shown + more_rows; i++) {
		sb_addc(out, '|');
		for (size_t c = 0; c < nshown; c++)
			pt_put(out, i < shown ? cells[i * nshown + c] : "...", cols[c].width, cols[c].text);
		sb_addc(out, '\n');
	}
}

static value t_print_table(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb out = SB_INIT;
	dbt_agate_print(&out, jj_arena(vm), ud, pt_limit(args, 0, "max_rows", 20), pt_limit(args, 1, "max_columns", 6),
			pt_limit(args, 3, "max_column_width", 20), pt_limit(args, 5, "max_precision", 3));
	log_redact(out.buf);
	fputs(out.buf, stdout);
	fflush(stdout);
	sb_release(&out);
	return val_none();
}

/*
 * rename(column_names): a new table whose columns are renamed, as agate's Table.rename: a dict
 * maps old names to new ones (the others keep theirs), a sequence gives every column its new
 * name. Row names are not kept by these tables; row_names is accepted and ignored, and slugging
 * is not done.
 */
static value t_rename(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct adapter_result *res = ud;
	value names = jj_arg(args, 0, "column_names", val_none());
	struct arena *a = jj_arena(vm);
	struct adapter_result *copy = arena_alloc(a, sizeof(*copy));
	*copy = *res;
	copy->cols = arena_alloc(a, (res->ncols + 1) * sizeof(*copy->cols));
	memcpy(copy->cols, res->cols, res->ncols * sizeof(*copy->cols));
	if (names.type == V_DICT) {
		for (size_t c = 0; c < res->ncols; c++) {
			value to = val_dict_gets(names, res->cols[c].name);
			if (to.type != V_UNDEF && to.type != V_STR)
				jj_raise(vm, "rename(): column names must be strings");
			if (to.type == V_STR)
				copy->cols[c].name = val_cstr(a, to);
		}
	} else if (names.type == V_LIST) {
		if (names.l->len != res->ncols)
			jj_raise(vm, "ValueError: column_names must be the same length as the table's columns "
				     "(%u for %zu)", names.l->len, res->ncols);
		for (size_t c = 0; c < res->ncols; c++) {
			if (names.l->items[c].type != V_STR)
				jj_raise(vm, "rename(): column names must be strings");
			copy->cols[c].name = val_cstr(a, names.l->items[c]);
		}
	} else if (names.type != V_NONE) {
		jj_raise(vm, "rename(): column_names must be a dict or a sequence of names");
	}
	return dbt_agate_table(a, copy);
}

/* A cell as agate's column types jsonify it: a number as a float, a date or time in ISO format, a
 * boolean as it is, anything else as its text */
static value jsonify(struct jj_vm *vm, value v)
{
	struct arena *a = jj_arena(vm);
	switch (v.type) {
	case V_INT: return val_float((double)v.i);
	case V_FLOAT: case V_BOOL: case V_NONE: case V_STR: return v;
	case V_OBJ: {
		value iso = v.o->cls->getattr ? v.o->cls->getattr(vm, v.o, "isoformat", 9) : val_undef();
		if (iso.type != V_UNDEF && iso.type != V_NONE) {
			struct vargs none = {0};
			return jj_call(vm, iso, &none);
		}
	}
	/* fall through */
	default: {
		struct sb t = SB_INIT;
		val_str_to(&t, v);
		value out = val_str_dup(a, t.buf ? t.buf : "", t.len);
		sb_release(&t);
		return out;
	}
	}
}

/* A key column's cell as agate names it: str(), a Decimal normalized (5.0 is "5") */
static const char *key_text(struct arena *a, value v)
{
	if (v.type == V_FLOAT && v.f == (double)(long long)v.f)
		return arena_sprintf(a, "%lld", (long long)v.f);
	struct sb t = SB_INIT;
	val_str_to(&t, v);
	const char *out = arena_strndup(a, t.buf ? t.buf : "", t.len);
	sb_release(&t);
	return out;
}

/*
 * to_json(path, key=None, newline=False, indent=None): agate's Table.to_json. A list of one object a
 * row, or with key an object of rows by that column's values (which must be unique), or with
 * newline one object a line; written as Python's json.dump writes (", ", ": ", non-ASCII as it
 * is), the folder made when missing (re_data's generate_overview writes its file so).
 */
static value t_to_json(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct adapter_result *res = ud;
	struct arena *a = jj_arena(vm);
	const char *path = dbt_str_arg(vm, args, 0, "path", "to_json", true);
	value key = jj_arg(args, 1, "key", val_none());
	bool newline = val_truthy(jj_arg(args, 2, "newline", val_bool(false)));
	value ind = jj_arg(args, 3, "indent", val_none());
	if (key.type != V_NONE && newline)
		jj_raise(vm, "ValueError: key and newline may not be specified together.");
	if (newline && ind.type != V_NONE)
		jj_raise(vm, "ValueError: newline and indent may not be specified together.");
	size_t kc = res->ncols;
	if (key.type != V_NONE) {
		for (size_t c = 0; key.type == V_STR && c < res->ncols && kc == res->ncols; c++)
			if (strlen(res->cols[c].name) == key.len && !memcmp(res->cols[c].name, key.s, key.len))
				kc = c;
		if (kc == res->ncols)
			jj_raise(vm, "to_json(): key must name a column of the table");
	}
	int indent = ind.type == V_INT && ind.i > 0 ? (int)ind.i : 0;
	value all = key.type != V_NONE ? val_dict_new(a, res->nrows) : val_list_new(a, res->nrows);
	struct sb out = SB_INIT;
	for (size_t i = 0; i < res->nrows; i++) {
		value row = val_dict_new(a, res->ncols);
		for (size_t c = 0; c < res->ncols; c++)
			val_dict_sets(row, res->cols[c].name, jsonify(vm, res->rows[i * res->ncols + c]));
		if (newline) {
			(void)val_to_json(&out, row, 0, 0);
			sb_addc(&out, '\n');
		} else if (key.type != V_NONE) {
			const char *k = key_text(a, res->rows[i * res->ncols + kc]);
			if (val_dict_gets(all, k).type != V_UNDEF) {
				sb_release(&out);
				jj_raise(vm, "ValueError: Value %s is not unique in the key column.", k);
			}
			val_dict_sets(all, k, row);
		} else {
			val_list_push(all, row);
		}
	}
	if (!newline)
		(void)val_to_json(&out, all, indent, 0);
	char *dir = fs_dirname(a, path);
	int rc = (dir && *dir && strcmp(dir, ".") && fs_mkdir_p(dir) < 0) ? -1 : fs_write(path, out.buf ? out.buf : "", out.len);
	sb_release(&out);
	if (rc < 0)
		jj_raise(vm, "to_json(): cannot write '%s'", path);
	return val_none();
}

/* The table itself: its attributes (column_names, rows, columns, print_table, ...) live in a dict;
 * iterating it yields its rows, and its length is their number, as an agate.Table's */
static value table_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	(void)vm;
	return val_dict_getn(*(value *)o->data, name, n);
}

static value table_iter(struct jj_vm *vm, struct vobj *o)
{
	(void)vm;
	return val_dict_gets(*(value *)o->data, "rows");
}

static void table_str(struct vobj *o, struct sb *out)
{
	value names = val_dict_gets(*(value *)o->data, "column_names");
	sb_adds(out, "<agate.table.Table object: ");
	for (uint32_t i = 0; names.type == V_LIST && i < names.l->len; i++) {
		if (i)
			sb_adds(out, ", ");
		val_str_to(out, names.l->items[i]);
	}
	sb_adds(out, ">");
}

static const struct vobj_class table_class = {
	.name = "Table",
	.getattr = table_getattr,
	.iter = table_iter,
	.str = table_str,
};

value dbt_agate_attr(value table, const char *name)
{
	if (table.type == V_OBJ && table.o->cls == &table_class)
		return val_dict_gets(*(value *)table.o->data, name);
	if (table.type == V_DICT)
		return val_dict_gets(table, name);
	return val_undef();
}

/* A column whose values are dates or timestamps: agate's Date and DateTime */
static int temporal_kind(const char *type)
{
	if (!type)
		return 0;
	if (!strcasecmp(type, "date"))
		return 1;
	if (!strncasecmp(type, "timestamp", 9) || !strcasecmp(type, "datetime"))
		return 2;
	return 0;
}

value dbt_agate_table(struct arena *a, const struct adapter_result *res)
{
	/* dates and timestamps are date and datetime objects, as dbt's agate tables hold them
	 * (t.columns[0].values()[0].strftime(...) in snowplow-utils); the engine's text stays
	 * where it is not one */
	bool any = false;
	for (size_t c = 0; c < res->ncols && !any; c++)
		any = temporal_kind(res->cols[c].type) != 0;
	if (any && res->nrows) {
		struct adapter_result *conv = arena_alloc(a, sizeof(*conv));
		*conv = *res;
		conv->rows = arena_alloc(a, res->nrows * res->ncols * sizeof(value));
		memcpy(conv->rows, res->rows, res->nrows * res->ncols * sizeof(value));
		for (size_t c = 0; c < res->ncols; c++) {
			int k = temporal_kind(res->cols[c].type);
			for (size_t i = 0; k && i < res->nrows; i++) {
				value *v = &conv->rows[i * res->ncols + c];
				if (v->type != V_STR)
					continue;
				value d = dbt_datetime_parse(a, v->s, v->len, k == 1);
				if (d.type != V_UNDEF)
					*v = d;
			}
		}
		res = conv;
	}
	value t = val_dict_new(a, 6);
	value names = val_tuple_new(a, res->ncols), types = val_tuple_new(a, res->ncols);
	value rows = val_list_new(a, res->nrows);
	for (size_t c = 0; c < res->ncols; c++) {
		val_list_push(names, val_str(res->cols[c].name));
		val_list_push(types, val_str(res->cols[c].type));
	}
	for (size_t i = 0; i < res->nrows; i++) {
		value vals = val_tuple_new(a, res->ncols);
		for (size_t c = 0; c < res->ncols; c++)
			val_list_push(vals, res->rows[i * res->ncols + c]);
		val_list_push(rows, mapped_new(a, &row_class, vals, names));
	}
	value cols = val_list_new(a, res->ncols);
	for (size_t c = 0; c < res->ncols; c++) {
		struct column *col = arena_alloc(a, sizeof(*col));
		col->name = res->cols[c].name;
		col->type = res->cols[c].type;
		col->values = val_tuple_new(a, res->nrows);
		for (size_t i = 0; i < res->nrows; i++)
			val_list_push(col->values, res->rows[i * res->ncols + c]);
		val_list_push(cols, val_obj(a, &column_class, col));
	}
	struct adapter_result *copy = arena_alloc(a, sizeof(*copy));
	*copy = *res;
	val_dict_sets(t, "column_names", names);
	val_dict_sets(t, "column_types", types);
	val_dict_sets(t, "rows", rows);
	val_dict_sets(t, "columns", mapped_new(a, &columns_class, cols, names));
	val_dict_sets(t, "print_table", val_func(a, "print_table", t_print_table, copy));
	val_dict_sets(t, "rename", val_func(a, "rename", t_rename, copy));
	val_dict_sets(t, "to_json", val_func(a, "to_json", t_to_json, copy));
	value *data = arena_alloc(a, sizeof(*data));
	*data = t;
	return val_obj(a, &table_class, data);
}

value dbt_agate_row_values(value row)
{
	if (row.type == V_OBJ && row.o->cls == &row_class)
		return ((struct mapped *)row.o->data)->items;
	return row;
}

/* ---- load_agate_table(): a seed's CSV file as an agate table ---- */

struct csv_load {
	struct arena *a;
	VEC(const char *) names;
	VEC(value) cells;
	enum csv_type *types;
	size_t ncols;
	value text_columns;  /* column_types: columns that stay text */
	bool applied;
};

static value typed_cell(struct arena *a, enum csv_type t, const char *s, size_t n)
{
	if (csv_is_null(s, n))
		return val_none();
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *copy = arena_strndup(a, s, n);
	switch (t) {
	case CSV_T_INTEGER: {
		char *w = copy;
		for (const char *c = copy; *c; c++)
			if (*c != ',')
				*w++ = *c;
		*w = 0;
		return val_int(strtoll(copy, NULL, 10));
	}
	case CSV_T_FLOAT: {
		char *w = copy;
		for (const char *c = copy; *c; c++)
			if (*c != ',')
				*w++ = *c;
		*w = 0;
		return val_float(strtod(copy, NULL));
	}
	case CSV_T_BOOLEAN:
		return val_bool(copy[0] == 't' || copy[0] == 'T');
	default:
		return val_str(copy);
	}
}

static int load_field(void *ud, size_t record, size_t field, const char *text, size_t len)
{
	struct csv_load *l = ud;
	if (record == 0) {
		VEC_PUSH(&l->names, arena_strndup(l->a, text, len));
		return 0;
	}
	if (!l->applied) {
		l->applied = true;
		for (size_t c = 0; c < l->names.n && c < l->ncols; c++)
			if (l->text_columns.type == V_DICT && val_dict_gets(l->text_columns, l->names.v[c]).type != V_UNDEF)
				l->types[c] = CSV_T_TEXT;
	}
	if (field >= l->ncols)
		return 0;
	/* a short record (csv_check refuses them for seeds) is padded with none */
	while (l->cells.n % l->ncols != field)
		VEC_PUSH(&l->cells, val_none());
	VEC_PUSH(&l->cells, typed_cell(l->a, l->types[field], text, len));
	return 0;
}

value dbt_load_agate_table_fn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	struct dbt_render *r = dbt_r(vm);
	struct node *n = r->node;
	if (!n || n->type != NODE_SEED)
		jj_raise(vm, "can only load_agate_table for seeds (got a %s)", n ? node_type_name(n->type) : "macro");
	struct arena *a = jj_arena(vm);
	size_t len = 0;
	const char *text = n->abs_path ? fs_read(a, n->abs_path, &len) : NULL;
	value delim = val_dict_gets(n->config, "delimiter");
	char d = delim.type == V_STR && delim.len ? delim.s[0] : ',';
	struct csv_report rep;
	if (!text || csv_check(text, len, d, &rep) < 0)
		jj_raise(vm, "load_agate_table(): '%s' is not a well-formed CSV file", n->original_file_path);
	size_t ncols = rep.header_fields;
	enum csv_type *types = arena_alloc(a, (ncols + 1) * sizeof(*types));
	csv_infer_types(text, len, d, types, ncols);
	/* column_types name columns that stay text, as dbt loads them */
	struct csv_load l = {.a = a, .types = types, .ncols = ncols, .text_columns = val_dict_gets(n->config, "column_types")};
	csv_read(text, len, d, load_field, &l);
	struct adapter_result res = {.ncols = ncols, .rows_affected = -1};
	res.cols = arena_alloc(a, (ncols + 1) * sizeof(*res.cols));
	static const char *const tnames[] = {"Integer", "Number", "Date", "DateTime", "Boolean", "Text"};
	for (size_t c = 0; c < ncols; c++) {
		res.cols[c].name = c < l.names.n ? l.names.v[c] : "";
		res.cols[c].type = tnames[types[c]];
	}
	while (l.cells.n % ncols)
		VEC_PUSH(&l.cells, val_none());
	res.nrows = l.cells.n / ncols;
	res.rows = arena_alloc(a, (l.cells.n + 1) * sizeof(value));
	memcpy(res.rows, l.cells.v, l.cells.n * sizeof(value));
	VEC_FREE(&l.names);
	VEC_FREE(&l.cells);
	return dbt_agate_table(a, &res);
}

value dbt_macro_call_stack(struct jj_vm *vm)
{
	value own = jj_macro_call_stack(vm);
	struct dbt_render *r = dbt_r(vm);
	value outer = r ? r->outer_macros : val_undef();
	if (outer.type != V_LIST || outer.l->len == 0)
		return own;
	value all = val_list_new(jj_arena(vm), outer.l->len + own.l->len);
	for (uint32_t i = 0; i < outer.l->len; i++)
		val_list_push(all, outer.l->items[i]);
	for (uint32_t i = 0; i < own.l->len; i++)
		val_list_push(all, own.l->items[i]);
	return all;
}

/* context_macro_stack: read when asked, so it is the stack of the macro asking */
static value macro_stack_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	(void)o;
	if (n == 10 && !memcmp(name, "call_stack", 10))
		return dbt_macro_call_stack(vm);
	if (n == 5 && !memcmp(name, "depth", 5))
		return val_int((int64_t)dbt_macro_call_stack(vm).l->len);
	return val_undef();
}

static const struct vobj_class macro_stack_class = {
	.name = "MacroStack",
	.getattr = macro_stack_getattr,
};

value dbt_macro_stack_value(struct arena *a)
{
	return val_obj(a, &macro_stack_class, NULL);
}
