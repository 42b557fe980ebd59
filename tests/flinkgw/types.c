/*
 * Flink logical types as the engine carries them: the summary strings DESCRIBE prints, the
 * serializable strings of SHOW CREATE TABLE, the gateway's logicalType JSON, and the DuckDB type
 * that stores each one. TIMESTAMP_LTZ is stored as DuckDB's TIMESTAMPTZ (an instant), so the
 * session time zone only matters when values are shown or cast, as in Flink.
 */
#include <stdio.h>
#include <string.h>

#include "fgi.h"

struct ftype *ft_new(struct arena *a, enum froot root)
{
	struct ftype *t = ARENA_NEW(a, struct ftype);
	t->root = root;
	t->nullable = true;
	switch (root) {
	case FT_VARCHAR:
	case FT_VARBINARY:
		t->len = FT_MAXLEN;
		break;
	case FT_CHAR:
	case FT_BINARY:
		t->len = 1;
		break;
	case FT_DECIMAL:
		t->prec = 10;
		t->scale = 0;
		break;
	case FT_TIMESTAMP:
	case FT_TIMESTAMP_LTZ:
	case FT_TIMESTAMP_TZ:
		t->len = 6;
		break;
	case FT_TIME:
		t->len = 0;
		break;
	case FT_INTERVAL_DT:
		t->len = 2;
		t->frac = 6;
		t->resolution = "DAY_TO_SECOND";
		break;
	case FT_INTERVAL_YM:
		t->len = 2;
		t->resolution = "YEAR_TO_MONTH";
		break;
	default:
		break;
	}
	return t;
}

struct ftype *ft_copy(struct arena *a, const struct ftype *t)
{
	if (!t)
		return NULL;
	struct ftype *c = ARENA_NEW(a, struct ftype);
	*c = *t;
	if (t->resolution)
		c->resolution = arena_strdup(a, t->resolution);
	c->elem = ft_copy(a, t->elem);
	c->key = ft_copy(a, t->key);
	c->val = ft_copy(a, t->val);
	if (t->nfields) {
		c->fields = ARENA_ARRAY(a, struct ffield, t->nfields);
		for (int i = 0; i < t->nfields; i++) {
			c->fields[i].name = arena_strdup(a, t->fields[i].name);
			c->fields[i].type = ft_copy(a, t->fields[i].type);
			c->fields[i].desc = t->fields[i].desc ? arena_strdup(a, t->fields[i].desc) : NULL;
		}
	}
	return c;
}

struct ftype *ft_with_null(struct arena *a, const struct ftype *t, bool nullable)
{
	struct ftype *c = ft_copy(a, t);
	c->nullable = nullable;
	return c;
}

struct ftype *ft_string(struct arena *a, bool nullable)
{
	struct ftype *t = ft_new(a, FT_VARCHAR);
	t->nullable = nullable;
	return t;
}

bool ft_is_integer(const struct ftype *t)
{
	return t && (t->root == FT_TINYINT || t->root == FT_SMALLINT || t->root == FT_INTEGER ||
		t->root == FT_BIGINT);
}

bool ft_is_numeric(const struct ftype *t)
{
	return t && (ft_is_integer(t) || t->root == FT_FLOAT || t->root == FT_DOUBLE || t->root == FT_DECIMAL);
}

bool ft_is_string(const struct ftype *t)
{
	return t && (t->root == FT_CHAR || t->root == FT_VARCHAR);
}

bool ft_is_timestamp(const struct ftype *t)
{
	return t && (t->root == FT_TIMESTAMP || t->root == FT_TIMESTAMP_LTZ);
}

bool ft_equal(const struct ftype *a, const struct ftype *b)
{
	struct sb x = SB_INIT, y = SB_INIT;
	ft_summary(&x, a, true, false);
	ft_summary(&y, b, true, false);
	bool eq = strcmp(x.buf, y.buf) == 0;
	sb_release(&x);
	sb_release(&y);
	return eq;
}

static void interval_text(struct sb *o, const struct ftype *t)
{
	const char *r = t->resolution ? t->resolution : "";
	if (t->root == FT_INTERVAL_YM) {
		if (!strcmp(r, "YEAR"))
			sb_addf(o, "INTERVAL YEAR(%d)", t->len);
		else if (!strcmp(r, "MONTH"))
			sb_adds(o, "INTERVAL MONTH");
		else
			sb_addf(o, "INTERVAL YEAR(%d) TO MONTH", t->len);
		return;
	}
	if (!strcmp(r, "DAY"))
		sb_addf(o, "INTERVAL DAY(%d)", t->len);
	else if (!strcmp(r, "DAY_TO_HOUR"))
		sb_addf(o, "INTERVAL DAY(%d) TO HOUR", t->len);
	else if (!strcmp(r, "DAY_TO_MINUTE"))
		sb_addf(o, "INTERVAL DAY(%d) TO MINUTE", t->len);
	else if (!strcmp(r, "HOUR"))
		sb_adds(o, "INTERVAL HOUR");
	else if (!strcmp(r, "HOUR_TO_MINUTE"))
		sb_adds(o, "INTERVAL HOUR TO MINUTE");
	else if (!strcmp(r, "HOUR_TO_SECOND"))
		sb_addf(o, "INTERVAL HOUR TO SECOND(%d)", t->frac);
	else if (!strcmp(r, "MINUTE"))
		sb_adds(o, "INTERVAL MINUTE");
	else if (!strcmp(r, "MINUTE_TO_SECOND"))
		sb_addf(o, "INTERVAL MINUTE TO SECOND(%d)", t->frac);
	else if (!strcmp(r, "SECOND"))
		sb_addf(o, "INTERVAL SECOND(%d)", t->frac);
	else
		sb_addf(o, "INTERVAL DAY(%d) TO SECOND(%d)", t->len, t->frac);
}

static void ft_text(struct sb *o, const struct ftype *t, bool serial, bool nullability, bool markers)
{
	switch (t->root) {
	case FT_NULL: sb_adds(o, "NULL"); return;
	case FT_BOOLEAN: sb_adds(o, "BOOLEAN"); break;
	case FT_TINYINT: sb_adds(o, "TINYINT"); break;
	case FT_SMALLINT: sb_adds(o, "SMALLINT"); break;
	case FT_INTEGER: sb_adds(o, "INT"); break;
	case FT_BIGINT: sb_adds(o, "BIGINT"); break;
	case FT_FLOAT: sb_adds(o, "FLOAT"); break;
	case FT_DOUBLE: sb_adds(o, "DOUBLE"); break;
	case FT_DECIMAL: sb_addf(o, "DECIMAL(%d, %d)", t->prec, t->scale); break;
	case FT_CHAR: sb_addf(o, "CHAR(%d)", t->len); break;
	case FT_VARCHAR:
		if (t->len == FT_MAXLEN && !serial)
			sb_adds(o, "STRING");
		else
			sb_addf(o, "VARCHAR(%d)", t->len);
		break;
	case FT_BINARY: sb_addf(o, "BINARY(%d)", t->len); break;
	case FT_VARBINARY:
		if (t->len == FT_MAXLEN && !serial)
			sb_adds(o, "BYTES");
		else
			sb_addf(o, "VARBINARY(%d)", t->len);
		break;
	case FT_DATE: sb_adds(o, "DATE"); break;
	case FT_TIME: sb_addf(o, "TIME(%d)", t->len); break;
	case FT_TIMESTAMP:
		sb_addf(o, "TIMESTAMP(%d)", t->len);
		if (markers && t->attr == TA_ROWTIME)
			sb_adds(o, " *ROWTIME*");
		else if (markers && t->attr == TA_PROCTIME)
			sb_adds(o, " *PROCTIME*");
		break;
	case FT_TIMESTAMP_LTZ:
		if (serial)
			sb_addf(o, "TIMESTAMP(%d) WITH LOCAL TIME ZONE", t->len);
		else
			sb_addf(o, "TIMESTAMP_LTZ(%d)", t->len);
		if (markers && t->attr == TA_ROWTIME)
			sb_adds(o, " *ROWTIME*");
		else if (markers && t->attr == TA_PROCTIME)
			sb_adds(o, " *PROCTIME*");
		break;
	case FT_TIMESTAMP_TZ: sb_addf(o, "TIMESTAMP(%d) WITH TIME ZONE", t->len); break;
	case FT_INTERVAL_YM:
	case FT_INTERVAL_DT: interval_text(o, t); break;
	case FT_ARRAY:
	case FT_MULTISET:
		sb_adds(o, t->root == FT_ARRAY ? "ARRAY<" : "MULTISET<");
		ft_text(o, t->elem, serial, true, false);
		sb_addc(o, '>');
		break;
	case FT_MAP:
		sb_adds(o, "MAP<");
		ft_text(o, t->key, serial, true, false);
		sb_adds(o, ", ");
		ft_text(o, t->val, serial, true, false);
		sb_addc(o, '>');
		break;
	case FT_ROW:
		sb_adds(o, "ROW<");
		for (int i = 0; i < t->nfields; i++) {
			if (i)
				sb_adds(o, ", ");
			quote_ident(o, t->fields[i].name);
			sb_addc(o, ' ');
			ft_text(o, t->fields[i].type, serial, true, false);
			if (t->fields[i].desc) {
				sb_addc(o, ' ');
				quote_str(o, t->fields[i].desc);
			}
		}
		sb_addc(o, '>');
		break;
	case FT_RAW: sb_adds(o, "RAW('java.lang.Object', '...')"); break;
	}
	if (nullability && !t->nullable)
		sb_adds(o, " NOT NULL");
}

void ft_summary(struct sb *o, const struct ftype *t, bool nullability, bool markers)
{
	ft_text(o, t, false, nullability, markers);
}

void ft_serial(struct sb *o, const struct ftype *t)
{
	ft_text(o, t, true, true, false);
}

static const char *root_name(enum froot r)
{
	switch (r) {
	case FT_NULL: return "NULL";
	case FT_BOOLEAN: return "BOOLEAN";
	case FT_TINYINT: return "TINYINT";
	case FT_SMALLINT: return "SMALLINT";
	case FT_INTEGER: return "INTEGER";
	case FT_BIGINT: return "BIGINT";
	case FT_FLOAT: return "FLOAT";
	case FT_DOUBLE: return "DOUBLE";
	case FT_DECIMAL: return "DECIMAL";
	case FT_CHAR: return "CHAR";
	case FT_VARCHAR: return "VARCHAR";
	case FT_BINARY: return "BINARY";
	case FT_VARBINARY: return "VARBINARY";
	case FT_DATE: return "DATE";
	case FT_TIME: return "TIME_WITHOUT_TIME_ZONE";
	case FT_TIMESTAMP: return "TIMESTAMP_WITHOUT_TIME_ZONE";
	case FT_TIMESTAMP_LTZ: return "TIMESTAMP_WITH_LOCAL_TIME_ZONE";
	case FT_TIMESTAMP_TZ: return "TIMESTAMP_WITH_TIME_ZONE";
	case FT_INTERVAL_YM: return "INTERVAL_YEAR_MONTH";
	case FT_INTERVAL_DT: return "INTERVAL_DAY_TIME";
	case FT_ARRAY: return "ARRAY";
	case FT_MULTISET: return "MULTISET";
	case FT_MAP: return "MAP";
	case FT_ROW: return "ROW";
	case FT_RAW: return "RAW";
	}
	return "NULL";
}

json_t *ft_json(const struct ftype *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(root_name(t->root)));
	if (t->root == FT_NULL)
		return o;
	json_object_set_new(o, "nullable", json_boolean(t->nullable));
	switch (t->root) {
	case FT_CHAR:
	case FT_VARCHAR:
	case FT_BINARY:
	case FT_VARBINARY:
		json_object_set_new(o, "length", json_integer(t->len));
		break;
	case FT_DECIMAL:
		json_object_set_new(o, "precision", json_integer(t->prec));
		json_object_set_new(o, "scale", json_integer(t->scale));
		break;
	case FT_TIME:
	case FT_TIMESTAMP:
	case FT_TIMESTAMP_LTZ:
	case FT_TIMESTAMP_TZ:
		json_object_set_new(o, "precision", json_integer(t->len));
		break;
	case FT_ARRAY:
	case FT_MULTISET:
		json_object_set_new(o, "elementType", ft_json(t->elem));
		break;
	case FT_MAP:
		json_object_set_new(o, "keyType", ft_json(t->key));
		json_object_set_new(o, "valueType", ft_json(t->val));
		break;
	case FT_ROW: {
		json_t *fs = json_array();
		for (int i = 0; i < t->nfields; i++) {
			json_t *f = json_object();
			json_object_set_new(f, "name", json_string(t->fields[i].name));
			json_object_set_new(f, "fieldType", ft_json(t->fields[i].type));
			if (t->fields[i].desc)
				json_object_set_new(f, "description", json_string(t->fields[i].desc));
			json_array_append_new(fs, f);
		}
		json_object_set_new(o, "fields", fs);
		break;
	}
	case FT_INTERVAL_YM:
		json_object_set_new(o, "precision", json_integer(t->len));
		json_object_set_new(o, "resolution", json_string(t->resolution ? t->resolution : "YEAR_TO_MONTH"));
		break;
	case FT_INTERVAL_DT:
		json_object_set_new(o, "precision", json_integer(t->len));
		json_object_set_new(o, "fractionalPrecision", json_integer(t->frac));
		json_object_set_new(o, "resolution", json_string(t->resolution ? t->resolution : "DAY_TO_SECOND"));
		break;
	case FT_RAW:
		json_object_set_new(o, "class", json_string("java.lang.Object"));
		json_object_set_new(o, "serializer", json_string(""));
		break;
	default:
		break;
	}
	return o;
}

void ft_duck(struct sb *o, const struct ftype *t)
{
	switch (t->root) {
	case FT_NULL: sb_adds(o, "INTEGER"); break;
	case FT_BOOLEAN: sb_adds(o, "BOOLEAN"); break;
	case FT_TINYINT: sb_adds(o, "TINYINT"); break;
	case FT_SMALLINT: sb_adds(o, "SMALLINT"); break;
	case FT_INTEGER: sb_adds(o, "INTEGER"); break;
	case FT_BIGINT: sb_adds(o, "BIGINT"); break;
	case FT_FLOAT: sb_adds(o, "FLOAT"); break;
	case FT_DOUBLE: sb_adds(o, "DOUBLE"); break;
	case FT_DECIMAL: sb_addf(o, "DECIMAL(%d,%d)", t->prec > 38 ? 38 : t->prec, t->scale); break;
	case FT_CHAR:
	case FT_VARCHAR: sb_adds(o, "VARCHAR"); break;
	case FT_BINARY:
	case FT_VARBINARY:
	case FT_RAW: sb_adds(o, "BLOB"); break;
	case FT_DATE: sb_adds(o, "DATE"); break;
	case FT_TIME: sb_adds(o, "TIME"); break;
	case FT_TIMESTAMP: sb_adds(o, "TIMESTAMP"); break;
	case FT_TIMESTAMP_LTZ:
	case FT_TIMESTAMP_TZ: sb_adds(o, "TIMESTAMPTZ"); break;
	case FT_INTERVAL_YM:
	case FT_INTERVAL_DT: sb_adds(o, "INTERVAL"); break;
	case FT_ARRAY:
		ft_duck(o, t->elem);
		sb_adds(o, "[]");
		break;
	case FT_MULTISET:
		sb_adds(o, "MAP(");
		ft_duck(o, t->elem);
		sb_adds(o, ", INTEGER)");
		break;
	case FT_MAP:
		sb_adds(o, "MAP(");
		ft_duck(o, t->key);
		sb_adds(o, ", ");
		ft_duck(o, t->val);
		sb_addc(o, ')');
		break;
	case FT_ROW:
		sb_adds(o, "STRUCT(");
		for (int i = 0; i < t->nfields; i++) {
			if (i)
				sb_adds(o, ", ");
			sb_addc(o, '"');
			for (const char *p = t->fields[i].name; *p; p++) {
				if (*p == '"')
					sb_addc(o, '"');
				sb_addc(o, *p);
			}
			sb_adds(o, "\" ");
			ft_duck(o, t->fields[i].type);
		}
		sb_addc(o, ')');
		break;
	}
}

static enum froot root_of(const char *n)
{
	static const struct {
		const char *name;
		enum froot r;
	} roots[] = {{"NULL", FT_NULL}, {"BOOLEAN", FT_BOOLEAN}, {"TINYINT", FT_TINYINT}, {"SMALLINT", FT_SMALLINT},
		{"INTEGER", FT_INTEGER}, {"BIGINT", FT_BIGINT}, {"FLOAT", FT_FLOAT}, {"DOUBLE", FT_DOUBLE},
		{"DECIMAL", FT_DECIMAL}, {"CHAR", FT_CHAR}, {"VARCHAR", FT_VARCHAR}, {"BINARY", FT_BINARY},
		{"VARBINARY", FT_VARBINARY}, {"DATE", FT_DATE}, {"TIME_WITHOUT_TIME_ZONE", FT_TIME},
		{"TIMESTAMP_WITHOUT_TIME_ZONE", FT_TIMESTAMP}, {"TIMESTAMP_WITH_LOCAL_TIME_ZONE", FT_TIMESTAMP_LTZ},
		{"TIMESTAMP_WITH_TIME_ZONE", FT_TIMESTAMP_TZ}, {"INTERVAL_YEAR_MONTH", FT_INTERVAL_YM},
		{"INTERVAL_DAY_TIME", FT_INTERVAL_DT}, {"ARRAY", FT_ARRAY}, {"MULTISET", FT_MULTISET}, {"MAP", FT_MAP},
		{"ROW", FT_ROW}, {"RAW", FT_RAW}};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(roots[i].name, n))
			return roots[i].r;
	return FT_VARCHAR;
}

struct ftype *ft_from_json(struct arena *a, const json_t *j)
{
	if (!json_is_object(j))
		return ft_new(a, FT_VARCHAR);
	const char *tn = json_string_value(json_object_get(j, "type"));
	struct ftype *t = ft_new(a, root_of(tn ? tn : "VARCHAR"));
	json_t *nl = json_object_get(j, "nullable");
	t->nullable = !nl || json_is_true(nl);
	if (t->root == FT_DECIMAL) {
		t->prec = (int)json_integer_value(json_object_get(j, "precision"));
		t->scale = (int)json_integer_value(json_object_get(j, "scale"));
	}
	if (json_object_get(j, "elementType"))
		t->elem = ft_from_json(a, json_object_get(j, "elementType"));
	if (json_object_get(j, "keyType"))
		t->key = ft_from_json(a, json_object_get(j, "keyType"));
	if (json_object_get(j, "valueType"))
		t->val = ft_from_json(a, json_object_get(j, "valueType"));
	json_t *fs = json_object_get(j, "fields");
	if (json_is_array(fs)) {
		t->nfields = (int)json_array_size(fs);
		t->fields = ARENA_ARRAY(a, struct ffield, t->nfields + 1);
		for (int i = 0; i < t->nfields; i++) {
			json_t *f = json_array_get(fs, (size_t)i);
			t->fields[i].name = arena_strdup(a, json_string_value(json_object_get(f, "name")) ?
				json_string_value(json_object_get(f, "name")) : "");
			t->fields[i].type = ft_from_json(a, json_object_get(f, "fieldType"));
		}
	}
	return t;
}
