/*
 * Flink logical types: reading the gateway's LogicalType JSON (REST reference §6.5) into struct
 * flink_type, and writing a type back as Flink SQL text (flink_type_format), the way Flink's own
 * type strings read: STRING and BYTES for the maximal VARCHAR and VARBINARY, TIMESTAMP_LTZ(p),
 * DECIMAL(p, s), ARRAY<…>, MAP<…, …>, ROW<`a` INT 'desc'>, intervals per resolution, and
 * " NOT NULL" for non-nullable types.
 */
#include "flink/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FL_MAX_LENGTH 2147483647
#define FL_MAX_DEPTH 64

static const struct {
	const char *name;
	enum flink_type_root root;
} roots[] = {
	{"CHAR", FLINK_T_CHAR},
	{"VARCHAR", FLINK_T_VARCHAR},
	{"BOOLEAN", FLINK_T_BOOLEAN},
	{"BINARY", FLINK_T_BINARY},
	{"VARBINARY", FLINK_T_VARBINARY},
	{"DECIMAL", FLINK_T_DECIMAL},
	{"TINYINT", FLINK_T_TINYINT},
	{"SMALLINT", FLINK_T_SMALLINT},
	{"INTEGER", FLINK_T_INTEGER},
	{"BIGINT", FLINK_T_BIGINT},
	{"FLOAT", FLINK_T_FLOAT},
	{"DOUBLE", FLINK_T_DOUBLE},
	{"DATE", FLINK_T_DATE},
	{"TIME_WITHOUT_TIME_ZONE", FLINK_T_TIME},
	{"TIMESTAMP_WITHOUT_TIME_ZONE", FLINK_T_TIMESTAMP},
	{"TIMESTAMP_WITH_TIME_ZONE", FLINK_T_TIMESTAMP_TZ},
	{"TIMESTAMP_WITH_LOCAL_TIME_ZONE", FLINK_T_TIMESTAMP_LTZ},
	{"INTERVAL_YEAR_MONTH", FLINK_T_INTERVAL_YEAR_MONTH},
	{"INTERVAL_DAY_TIME", FLINK_T_INTERVAL_DAY_TIME},
	{"ARRAY", FLINK_T_ARRAY},
	{"MULTISET", FLINK_T_MULTISET},
	{"MAP", FLINK_T_MAP},
	{"ROW", FLINK_T_ROW},
	{"RAW", FLINK_T_RAW},
	{"NULL", FLINK_T_NULL},
	{"VARIANT", FLINK_T_VARIANT},
};

static enum flink_type_root fl_type_root_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(roots[i].name, name) == 0)
			return roots[i].root;
	return FLINK_T_OTHER;
}

static const struct flink_type *parse(struct fl_arena *a, const json_t *lt, int depth, char *why,
				      size_t whylen)
{
	if (depth > FL_MAX_DEPTH) {
		snprintf(why, whylen, "logical type nested too deeply");
		return NULL;
	}
	const char *name = fl_json_get_str(lt, "type");
	if (!json_is_object(lt) || !name) {
		snprintf(why, whylen, "logical type without 'type'");
		return NULL;
	}
	struct flink_type *t = fl_arena_alloc(a, sizeof(*t));
	t->root = fl_type_root_from_name(name);
	t->root_name = fl_arena_strdup(a, name);
	json_t *nullable = json_object_get(lt, "nullable");
	t->nullable = nullable ? json_is_true(nullable) : true;
	t->length = t->precision = t->scale = t->fractional_precision = -1;
	switch (t->root) {
	case FLINK_T_CHAR:
	case FLINK_T_VARCHAR:
	case FLINK_T_BINARY:
	case FLINK_T_VARBINARY:
		if (!fl_json_get_int(lt, "length", &t->length)) {
			snprintf(why, whylen, "%s without 'length'", name);
			return NULL;
		}
		break;
	case FLINK_T_DECIMAL:
		if (!fl_json_get_int(lt, "precision", &t->precision) ||
		    !fl_json_get_int(lt, "scale", &t->scale)) {
			snprintf(why, whylen, "DECIMAL without 'precision' and 'scale'");
			return NULL;
		}
		break;
	case FLINK_T_TIME:
	case FLINK_T_TIMESTAMP:
	case FLINK_T_TIMESTAMP_TZ:
	case FLINK_T_TIMESTAMP_LTZ:
		if (!fl_json_get_int(lt, "precision", &t->precision)) {
			snprintf(why, whylen, "%s without 'precision'", name);
			return NULL;
		}
		break;
	case FLINK_T_INTERVAL_DAY_TIME:
		if (!fl_json_get_int(lt, "fractionalPrecision", &t->fractional_precision)) {
			snprintf(why, whylen, "%s without 'fractionalPrecision'", name);
			return NULL;
		}
		/* fall through */
	case FLINK_T_INTERVAL_YEAR_MONTH: {
		const char *res = fl_json_get_str(lt, "resolution");
		if (!fl_json_get_int(lt, "precision", &t->precision) || !res) {
			snprintf(why, whylen, "%s without 'precision' and 'resolution'", name);
			return NULL;
		}
		t->resolution = fl_arena_strdup(a, res);
		break;
	}
	case FLINK_T_ARRAY:
	case FLINK_T_MULTISET:
		t->element = parse(a, json_object_get(lt, "elementType"), depth + 1, why, whylen);
		if (!t->element)
			return NULL;
		break;
	case FLINK_T_MAP:
		t->key = parse(a, json_object_get(lt, "keyType"), depth + 1, why, whylen);
		t->value = t->key ? parse(a, json_object_get(lt, "valueType"), depth + 1, why, whylen)
				  : NULL;
		if (!t->value)
			return NULL;
		break;
	case FLINK_T_ROW: {
		json_t *fields = json_object_get(lt, "fields");
		if (!json_is_array(fields)) {
			snprintf(why, whylen, "ROW without 'fields'");
			return NULL;
		}
		size_t n = json_array_size(fields);
		struct flink_row_field *f = fl_arena_alloc(a, (n ? n : 1) * sizeof(*f));
		for (size_t i = 0; i < n; i++) {
			json_t *fj = json_array_get(fields, i);
			const char *fname = fl_json_get_str(fj, "name");
			if (!fname) {
				snprintf(why, whylen, "ROW field %zu without 'name'", i);
				return NULL;
			}
			f[i].name = fl_arena_strdup(a, fname);
			f[i].description = fl_arena_strdup(a, fl_json_get_str(fj, "description"));
			f[i].type = parse(a, json_object_get(fj, "fieldType"), depth + 1, why, whylen);
			if (!f[i].type)
				return NULL;
		}
		t->nfields = n;
		t->fields = f;
		break;
	}
	case FLINK_T_RAW:
		t->raw_class = fl_arena_strdup(a, fl_json_get_str(lt, "class"));
		break;
	case FLINK_T_NULL:
		t->nullable = true;
		break;
	default:
		break;
	}
	return t;
}

const struct flink_type *fl_type_parse(struct fl_arena *a, const json_t *lt, char *why,
				       size_t whylen)
{
	return parse(a, lt, 0, why, whylen);
}

/* ---------------------------------------------------------------- formatting */

struct out {
	char *buf;
	size_t size, len; /* len counts what was needed, even past size */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) FL_PRINTF(2, 3);
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[96];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* `name` with backticks doubled; 'text' with quotes doubled */
static void put_quoted(struct out *o, const char *s, char q)
{
	put(o, &q, 1);
	for (const char *p = s; *p; p++) {
		put(o, p, 1);
		if (*p == q)
			put(o, p, 1);
	}
	put(o, &q, 1);
}

static void format(struct out *o, const struct flink_type *t);

static void format_interval_day_time(struct out *o, const struct flink_type *t)
{
	const char *r = t->resolution ? t->resolution : "";
	int p = t->precision, f = t->fractional_precision;
	if (strcmp(r, "DAY") == 0)
		putf(o, "INTERVAL DAY(%d)", p);
	else if (strcmp(r, "DAY_TO_HOUR") == 0)
		putf(o, "INTERVAL DAY(%d) TO HOUR", p);
	else if (strcmp(r, "DAY_TO_MINUTE") == 0)
		putf(o, "INTERVAL DAY(%d) TO MINUTE", p);
	else if (strcmp(r, "DAY_TO_SECOND") == 0)
		putf(o, "INTERVAL DAY(%d) TO SECOND(%d)", p, f);
	else if (strcmp(r, "HOUR") == 0)
		puts_(o, "INTERVAL HOUR");
	else if (strcmp(r, "HOUR_TO_MINUTE") == 0)
		puts_(o, "INTERVAL HOUR TO MINUTE");
	else if (strcmp(r, "HOUR_TO_SECOND") == 0)
		putf(o, "INTERVAL HOUR TO SECOND(%d)", f);
	else if (strcmp(r, "MINUTE") == 0)
		puts_(o, "INTERVAL MINUTE");
	else if (strcmp(r, "MINUTE_TO_SECOND") == 0)
		putf(o, "INTERVAL MINUTE TO SECOND(%d)", f);
	else if (strcmp(r, "SECOND") == 0)
		putf(o, "INTERVAL SECOND(%d)", f);
	else
		putf(o, "INTERVAL DAY(%d) TO SECOND(%d)", p, f);
}

static void format_interval_year_month(struct out *o, const struct flink_type *t)
{
	const char *r = t->resolution ? t->resolution : "";
	if (strcmp(r, "YEAR") == 0)
		putf(o, "INTERVAL YEAR(%d)", t->precision);
	else if (strcmp(r, "MONTH") == 0)
		puts_(o, "INTERVAL MONTH");
	else
		putf(o, "INTERVAL YEAR(%d) TO MONTH", t->precision);
}

static void format(struct out *o, const struct flink_type *t)
{
	switch (t->root) {
	case FLINK_T_CHAR: putf(o, "CHAR(%d)", t->length); break;
	case FLINK_T_VARCHAR:
		if (t->length == FL_MAX_LENGTH)
			puts_(o, "STRING");
		else
			putf(o, "VARCHAR(%d)", t->length);
		break;
	case FLINK_T_BINARY: putf(o, "BINARY(%d)", t->length); break;
	case FLINK_T_VARBINARY:
		if (t->length == FL_MAX_LENGTH)
			puts_(o, "BYTES");
		else
			putf(o, "VARBINARY(%d)", t->length);
		break;
	case FLINK_T_BOOLEAN: puts_(o, "BOOLEAN"); break;
	case FLINK_T_DECIMAL: putf(o, "DECIMAL(%d, %d)", t->precision, t->scale); break;
	case FLINK_T_TINYINT: puts_(o, "TINYINT"); break;
	case FLINK_T_SMALLINT: puts_(o, "SMALLINT"); break;
	case FLINK_T_INTEGER: puts_(o, "INT"); break;
	case FLINK_T_BIGINT: puts_(o, "BIGINT"); break;
	case FLINK_T_FLOAT: puts_(o, "FLOAT"); break;
	case FLINK_T_DOUBLE: puts_(o, "DOUBLE"); break;
	case FLINK_T_DATE: puts_(o, "DATE"); break;
	case FLINK_T_TIME: putf(o, "TIME(%d)", t->precision); break;
	case FLINK_T_TIMESTAMP: putf(o, "TIMESTAMP(%d)", t->precision); break;
	case FLINK_T_TIMESTAMP_TZ: putf(o, "TIMESTAMP(%d) WITH TIME ZONE", t->precision); break;
	case FLINK_T_TIMESTAMP_LTZ: putf(o, "TIMESTAMP_LTZ(%d)", t->precision); break;
	case FLINK_T_INTERVAL_YEAR_MONTH: format_interval_year_month(o, t); break;
	case FLINK_T_INTERVAL_DAY_TIME: format_interval_day_time(o, t); break;
	case FLINK_T_ARRAY:
	case FLINK_T_MULTISET:
		puts_(o, t->root == FLINK_T_ARRAY ? "ARRAY<" : "MULTISET<");
		format(o, t->element);
		puts_(o, ">");
		break;
	case FLINK_T_MAP:
		puts_(o, "MAP<");
		format(o, t->key);
		puts_(o, ", ");
		format(o, t->value);
		puts_(o, ">");
		break;
	case FLINK_T_ROW:
		puts_(o, "ROW<");
		for (size_t i = 0; i < t->nfields; i++) {
			if (i)
				puts_(o, ", ");
			put_quoted(o, t->fields[i].name, '`');
			puts_(o, " ");
			format(o, t->fields[i].type);
			if (t->fields[i].description) {
				puts_(o, " ");
				put_quoted(o, t->fields[i].description, '\'');
			}
		}
		puts_(o, ">");
		break;
	case FLINK_T_RAW:
		/* the serializer snapshot is long base64: Flink's summary elides it too */
		puts_(o, "RAW(");
		put_quoted(o, t->raw_class ? t->raw_class : "?", '\'');
		puts_(o, ", '...')");
		break;
	case FLINK_T_NULL: puts_(o, "NULL"); return;
	case FLINK_T_VARIANT: puts_(o, "VARIANT"); break;
	case FLINK_T_OTHER: puts_(o, t->root_name ? t->root_name : "?"); break;
	}
	if (!t->nullable)
		puts_(o, " NOT NULL");
}

size_t flink_type_format(const struct flink_type *t, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	if (t)
		format(&o, t);
	if (size) {
		size_t end = o.len < size ? o.len : size - 1;
		buf[end] = '\0';
	}
	return o.len;
}
