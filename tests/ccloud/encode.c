/*
 * Types and values as the Statements API writes them (reference §8.3, §10): the engine hands
 * over columns in the open-source gateway's JSON form (camelCase keys, values as JSON numbers,
 * ISO timestamps, base64 bytes, intervals as milliseconds or months, ROW and MAP as objects);
 * the Statements API has snake_case keys and writes every atomic value as a JSON string holding
 * its SQL text, every composite as an array, NULL as null.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "core/sb.h"
#include "gw.h"

/* {"type","nullable","length",...,"elementType","keyType","valueType","fields":[{"name","fieldType"}]}
 * -> the same with element_type, key_type, value_type, field_type, fractional_precision */
json_t *cc_type_json(json_t *lt)
{
	if (!json_is_object(lt))
		return json_incref(lt);
	json_t *o = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(lt, k, v) {
		if (!strcmp(k, "elementType"))
			json_object_set_new(o, "element_type", cc_type_json(v));
		else if (!strcmp(k, "keyType"))
			json_object_set_new(o, "key_type", cc_type_json(v));
		else if (!strcmp(k, "valueType"))
			json_object_set_new(o, "value_type", cc_type_json(v));
		else if (!strcmp(k, "fractionalPrecision"))
			json_object_set_new(o, "fractional_precision", json_incref(v));
		else if (!strcmp(k, "fields") && json_is_array(v)) {
			json_t *fs = json_array();
			size_t i;
			json_t *f;
			json_array_foreach(v, i, f) {
				json_t *nf = json_object();
				json_object_set(nf, "name", json_object_get(f, "name"));
				json_object_set_new(nf, "field_type", cc_type_json(json_object_get(f, "fieldType")));
				if (json_object_get(f, "description"))
					json_object_set(nf, "description", json_object_get(f, "description"));
				json_array_append_new(fs, nf);
			}
			json_object_set_new(o, "fields", fs);
		} else
			json_object_set(o, k, v);
	}
	return o;
}

static const char *type_of(json_t *lt)
{
	const char *t = json_string_value(json_object_get(lt, "type"));
	return t ? t : "NULL";
}

static int precision_of(json_t *lt, int dflt)
{
	json_t *p = json_object_get(lt, "precision");
	return json_is_integer(p) ? (int)json_integer_value(p) : dflt;
}

/* "2024-01-01T12:00:00.12Z" -> "2024-01-01 12:00:00.120" for precision 3: space separator, no
 * zone, as many fraction digits as the declared precision (§10) */
static json_t *ts_text(const char *iso, int prec, bool date_part)
{
	struct sb o = SB_INIT;
	const char *p = iso;
	if (date_part) {
		for (; *p && *p != 'T' && *p != ' '; p++)
			sb_addc(&o, *p);
		sb_addc(&o, ' ');
		if (*p)
			p++;
	}
	for (; *p && *p != '.' && *p != 'Z' && *p != '+'; p++)
		sb_addc(&o, *p);
	const char *frac = "";
	size_t nfrac = 0;
	if (*p == '.') {
		frac = ++p;
		while (p[nfrac] >= '0' && p[nfrac] <= '9')
			nfrac++;
	}
	if (prec > 0) {
		sb_addc(&o, '.');
		for (int i = 0; i < prec; i++)
			sb_addc(&o, (size_t)i < nfrac ? frac[i] : '0');
	}
	json_t *j = json_string(o.buf);
	sb_release(&o);
	return j;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static json_t *bytes_text(const char *s)
{
	struct sb o = SB_INIT;
	sb_adds(&o, "x'");
	unsigned acc = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		const char *q = strchr(b64, *s);
		if (!q)
			continue;
		acc = (acc << 6) | (unsigned)(q - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addf(&o, "%02x", (acc >> bits) & 0xFF);
		}
	}
	sb_addc(&o, '\'');
	json_t *j = json_string(o.buf);
	sb_release(&o);
	return j;
}

/* milliseconds -> "+D HH:MM:SS[.fff]" (fractional precision digits, 3 at most from ms) */
static json_t *interval_dt(long long ms, int frac)
{
	char sign = ms < 0 ? '-' : '+';
	unsigned long long a = ms < 0 ? (unsigned long long)(-(ms + 1)) + 1 : (unsigned long long)ms;
	unsigned long long d = a / 86400000ULL, rem = a % 86400000ULL;
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%c%llu %02llu:%02llu:%02llu", sign, d, rem / 3600000ULL,
			 rem / 60000ULL % 60, rem / 1000ULL % 60);
	if (frac > 0) {
		char f[16];
		snprintf(f, sizeof(f), "%03llu000000", rem % 1000ULL);
		f[frac > 9 ? 9 : frac] = 0;
		snprintf(buf + n, sizeof(buf) - (size_t)n, ".%s", f);
	}
	return json_string(buf);
}

static json_t *interval_ym(long long months)
{
	char sign = months < 0 ? '-' : '+';
	unsigned long long a = months < 0 ? (unsigned long long)(-(months + 1)) + 1 : (unsigned long long)months;
	char buf[64];
	snprintf(buf, sizeof(buf), "%c%llu-%02llu", sign, a / 12, a % 12);
	return json_string(buf);
}

static json_t *number_text(json_t *v, bool floating)
{
	struct sb o = SB_INIT;
	if (json_is_string(v))
		sb_adds(&o, json_string_value(v));
	else if (json_is_integer(v) && !floating)
		sb_addf(&o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		jw_java_double(&o, json_number_value(v));
	json_t *j = json_string(o.buf);
	sb_release(&o);
	return j;
}

json_t *cc_value_json(json_t *v, json_t *lt)
{
	if (!v || json_is_null(v))
		return json_null();
	const char *t = type_of(lt);
	if (!strcmp(t, "BOOLEAN")) {
		if (json_is_boolean(v))
			return json_string(json_is_true(v) ? "TRUE" : "FALSE");
		return json_incref(v);
	}
	if (!strcmp(t, "TINYINT") || !strcmp(t, "SMALLINT") || !strcmp(t, "INTEGER") || !strcmp(t, "BIGINT") ||
	    !strcmp(t, "DECIMAL"))
		return number_text(v, false);
	if (!strcmp(t, "FLOAT") || !strcmp(t, "DOUBLE"))
		return number_text(v, true);
	if (!strcmp(t, "BINARY") || !strcmp(t, "VARBINARY"))
		return json_is_string(v) ? bytes_text(json_string_value(v)) : json_incref(v);
	if (!strcmp(t, "TIMESTAMP_WITHOUT_TIME_ZONE") || !strcmp(t, "TIMESTAMP_WITH_LOCAL_TIME_ZONE") ||
	    !strcmp(t, "TIMESTAMP_WITH_TIME_ZONE"))
		return json_is_string(v) ? ts_text(json_string_value(v), precision_of(lt, 6), true) : json_incref(v);
	if (!strcmp(t, "TIME_WITHOUT_TIME_ZONE"))
		return json_is_string(v) ? ts_text(json_string_value(v), precision_of(lt, 0), false) : json_incref(v);
	if (!strcmp(t, "INTERVAL_DAY_TIME")) {
		json_t *fp = json_object_get(lt, "fractionalPrecision");
		return interval_dt(json_integer_value(v), json_is_integer(fp) ? (int)json_integer_value(fp) : 6);
	}
	if (!strcmp(t, "INTERVAL_YEAR_MONTH"))
		return interval_ym(json_integer_value(v));
	if (!strcmp(t, "ARRAY") && json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			json_array_append_new(a, cc_value_json(x, json_object_get(lt, "elementType")));
		return a;
	}
	if (!strcmp(t, "MULTISET") && json_is_object(v)) {
		/* element -> count: [[element, "count"], ...] */
		json_t *a = json_array();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			json_t *pair = json_array();
			json_t *ks = json_string(k);
			json_array_append_new(pair, cc_value_json(ks, json_object_get(lt, "elementType")));
			json_decref(ks);
			json_array_append_new(pair, number_text(x, false));
			json_array_append_new(a, pair);
		}
		return a;
	}
	if (!strcmp(t, "MAP") && json_is_object(v)) {
		json_t *a = json_array();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			json_t *pair = json_array();
			json_t *ks = json_string(k);
			json_t *kt = json_object_get(lt, "keyType");
			/* the engine's map keys are JSON object keys, so text: numbers come back as text */
			json_array_append_new(pair, json_is_string(ks) ? json_incref(ks) : cc_value_json(ks, kt));
			json_decref(ks);
			json_array_append_new(pair, cc_value_json(x, json_object_get(lt, "valueType")));
			json_array_append_new(a, pair);
		}
		return a;
	}
	if (!strcmp(t, "ROW") && (json_is_object(v) || json_is_array(v))) {
		json_t *a = json_array();
		json_t *fs = json_object_get(lt, "fields");
		size_t i;
		json_t *f;
		json_array_foreach(fs, i, f) {
			json_t *x = json_is_object(v) ? json_object_get(v, json_string_value(json_object_get(f, "name")))
						      : json_array_get(v, i);
			json_array_append_new(a, cc_value_json(x, json_object_get(f, "fieldType")));
		}
		return a;
	}
	if (json_is_string(v))
		return json_incref(v);
	return number_text(v, json_is_real(v));
}

int cc_op_code(const char *kind)
{
	if (!kind || !strcmp(kind, "INSERT"))
		return 0;
	if (!strcmp(kind, "UPDATE_BEFORE"))
		return 1;
	if (!strcmp(kind, "UPDATE_AFTER"))
		return 2;
	return 3;
}

json_t *cc_row_json(json_t *columns, json_t *row)
{
	json_t *fields = json_object_get(row, "fields");
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(fields, i, x) {
		json_t *lt = json_object_get(json_array_get(columns, i), "logicalType");
		json_array_append_new(out, cc_value_json(x, lt));
	}
	return out;
}
