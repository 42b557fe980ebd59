/*
 * JSON as the gateway's Jackson writes it, and the small parsers of its path parameters.
 *
 * The double cannot let jansson print its own numbers: a DECIMAL(10,2) of 710.00 must read
 * `710.00` (BigDecimal keeps its scale) and a DOUBLE must read as Java's Double.toString does
 * (`33.333`, `1.0E-5`), never `33.332999999999998`. So everything the REST side sends goes
 * through jw_value/jw_rows: compact, fields in insertion order, strings escaped as Jackson
 * does (\" \\ \b \f \n \r \t, other control characters as \u00XX, everything else verbatim
 * UTF-8). Rows are written knowing their columns, which is how DECIMAL scales and the
 * PLAIN_TEXT rendering of §6.6 of the REST reference are done.
 */
#include "gw.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_string(struct sb *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	sb_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_adds(out, "\\\""); break;
		case '\\': sb_adds(out, "\\\\"); break;
		case '\b': sb_adds(out, "\\b"); break;
		case '\f': sb_adds(out, "\\f"); break;
		case '\n': sb_adds(out, "\\n"); break;
		case '\r': sb_adds(out, "\\r"); break;
		case '\t': sb_adds(out, "\\t"); break;
		default:
			if (*p < 0x20) {
				char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
				sb_adds(out, u);
			} else {
				sb_addc(out, (char)*p);
			}
		}
	}
	sb_addc(out, '"');
}

/* Java's Double.toString: the shortest digits that read back as d; plain notation for
 * 1e-3 <= |d| < 1e7 (always with a fraction digit), else d.dddE[-]n */
void jw_java_double(struct sb *out, double d)
{
	if (isnan(d)) {
		sb_adds(out, "NaN");
		return;
	}
	if (isinf(d)) {
		sb_adds(out, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		sb_adds(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	char buf[64];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec, d);
	/* buf: [-]D[.DDD]e[+-]XX */
	char digits[32];
	size_t nd = 0;
	const char *p = buf;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	digits[nd] = 0;
	int exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = 0;
	if (neg)
		sb_addc(out, '-');
	double ad = fabs(d);
	if (ad >= 1e-3 && ad < 1e7) {
		if (exp10 >= 0) {
			for (int i = 0; i <= exp10; i++)
				sb_addc(out, (size_t)i < nd ? digits[i] : '0');
			sb_addc(out, '.');
			if ((size_t)exp10 + 1 < nd)
				sb_adds(out, digits + exp10 + 1);
			else
				sb_addc(out, '0');
		} else {
			sb_adds(out, "0.");
			for (int i = 0; i < -exp10 - 1; i++)
				sb_addc(out, '0');
			sb_adds(out, digits);
		}
	} else {
		sb_addc(out, digits[0]);
		sb_addc(out, '.');
		sb_adds(out, nd > 1 ? digits + 1 : "0");
		sb_addf(out, "E%d", exp10);
	}
}

void jw_value(struct sb *out, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		sb_addc(out, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x) {
			if (!first)
				sb_addc(out, ',');
			first = false;
			jw_string(out, k);
			sb_addc(out, ':');
			jw_value(out, x);
		}
		sb_addc(out, '}');
		break;
	}
	case JSON_ARRAY: {
		sb_addc(out, '[');
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (i)
				sb_addc(out, ',');
			jw_value(out, x);
		}
		sb_addc(out, ']');
		break;
	}
	case JSON_STRING: jw_string(out, json_string_value(v)); break;
	case JSON_INTEGER: sb_addf(out, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: jw_java_double(out, json_real_value(v)); break;
	case JSON_TRUE: sb_adds(out, "true"); break;
	case JSON_FALSE: sb_adds(out, "false"); break;
	case JSON_NULL: sb_adds(out, "null"); break;
	}
}

char *jw_dump(json_t *v)
{
	struct sb s = SB_INIT;
	jw_value(&s, v);
	return sb_detach(&s, NULL);
}

/* A DECIMAL value with its scale, as BigDecimal.toString prints it for ordinary magnitudes; a
 * string that already is a number (an engine keeping exact decimals) is written as it is */
static void decimal(struct sb *out, json_t *v, int scale)
{
	if (json_is_string(v)) {
		sb_adds(out, json_string_value(v));
	} else if (json_is_integer(v)) {
		sb_addf(out, "%lld", (long long)json_integer_value(v));
		if (scale > 0) {
			sb_addc(out, '.');
			for (int i = 0; i < scale; i++)
				sb_addc(out, '0');
		}
	} else if (json_is_real(v)) {
		sb_addf(out, "%.*f", scale, json_real_value(v));
	} else {
		jw_value(out, v);
	}
}

static bool numeric_string(const char *s)
{
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'E' || *s == 'e') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == 0;
}

static const char *type_of(json_t *lt)
{
	const char *t = json_string_value(json_object_get(lt, "type"));
	return t ? t : "";
}

/* A field in rowFormat=JSON: as the engine gave it, except DECIMALs (scale) and nested values */
static void json_field(struct sb *out, json_t *lt, json_t *v)
{
	const char *t = type_of(lt);
	if (json_is_null(v) || !lt) {
		jw_value(out, v);
	} else if (!strcmp(t, "DECIMAL")) {
		if (json_is_string(v) && !numeric_string(json_string_value(v)))
			jw_value(out, v);
		else
			decimal(out, v, (int)json_integer_value(json_object_get(lt, "scale")));
	} else if ((!strcmp(t, "ARRAY") || !strcmp(t, "MULTISET")) && json_is_array(v)) {
		json_t *et = json_object_get(lt, "elementType");
		sb_addc(out, '[');
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (i)
				sb_addc(out, ',');
			json_field(out, et, x);
		}
		sb_addc(out, ']');
	} else if (!strcmp(t, "MAP") && json_is_object(v)) {
		json_t *vt = json_object_get(lt, "valueType");
		sb_addc(out, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x) {
			if (!first)
				sb_addc(out, ',');
			first = false;
			jw_string(out, k);
			sb_addc(out, ':');
			json_field(out, vt, x);
		}
		sb_addc(out, '}');
	} else if (!strcmp(t, "ROW") && json_is_object(v)) {
		json_t *fields = json_object_get(lt, "fields");
		sb_addc(out, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x) {
			json_t *ft = NULL, *f;
			size_t i;
			json_array_foreach(fields, i, f) {
				const char *fname = json_string_value(json_object_get(f, "name"));
				if (fname && !strcmp(fname, k))
					ft = json_object_get(f, "fieldType");
			}
			if (!first)
				sb_addc(out, ',');
			first = false;
			jw_string(out, k);
			sb_addc(out, ':');
			json_field(out, ft, x);
		}
		sb_addc(out, '}');
	} else {
		jw_value(out, v);
	}
}

static const signed char b64[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
	['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
	['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* bytes (base64 on the JSON side) as the SQL Client shows them: x'0a1b…' */
static void plain_bytes(struct sb *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned acc = 0;
	int bits = 0;
	sb_adds(out, "x'");
	for (const unsigned char *p = (const unsigned char *)s; *p && *p != '='; p++) {
		if (!b64[*p])
			continue;
		acc = (acc << 6) | (unsigned)(b64[*p] - 1);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			unsigned byte = (acc >> bits) & 0xff;
			sb_addc(out, hex[byte >> 4]);
			sb_addc(out, hex[byte & 15]);
		}
	}
	sb_addc(out, '\'');
}

/* The text of a value as the SQL Client prints it */
static void plain(struct sb *out, json_t *lt, json_t *v)
{
	const char *t = type_of(lt);
	if (json_is_null(v)) {
		sb_adds(out, "NULL");
	} else if (json_is_true(v) || json_is_false(v)) {
		sb_adds(out, json_is_true(v) ? "TRUE" : "FALSE");
	} else if (!strcmp(t, "DECIMAL")) {
		decimal(out, v, (int)json_integer_value(json_object_get(lt, "scale")));
	} else if (json_is_integer(v)) {
		sb_addf(out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		jw_java_double(out, json_real_value(v));
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strcmp(t, "BINARY") || !strcmp(t, "VARBINARY")) {
			plain_bytes(out, s);
		} else if (!strncmp(t, "TIMESTAMP", 9)) {
			size_t n = strlen(s);
			if (n && s[n - 1] == 'Z' && !strcmp(t, "TIMESTAMP_WITH_LOCAL_TIME_ZONE"))
				n--;
			for (size_t i = 0; i < n; i++)
				sb_addc(out, s[i] == 'T' ? ' ' : s[i]);
		} else {
			sb_adds(out, s);
		}
	} else if (json_is_array(v)) {
		json_t *et = json_object_get(lt, "elementType");
		sb_addc(out, '[');
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (i)
				sb_adds(out, ", ");
			plain(out, et, x);
		}
		sb_addc(out, ']');
	} else if (json_is_object(v)) {
		bool row = !strcmp(t, "ROW");
		json_t *vt = json_object_get(lt, "valueType");
		json_t *kt = json_object_get(lt, "keyType");
		if (!kt)
			kt = json_object_get(lt, "elementType");  /* MULTISET: element -> count */
		json_t *fields = json_object_get(lt, "fields");
		sb_addc(out, row ? '(' : '{');
		const char *k;
		json_t *x;
		size_t i = 0;
		json_object_foreach(v, k, x) {
			if (i)
				sb_adds(out, ", ");
			if (row) {
				json_t *f = json_array_get(fields, i);
				plain(out, f ? json_object_get(f, "fieldType") : NULL, x);
			} else {
				json_t *ks = json_string(k);
				plain(out, kt, ks);
				json_decref(ks);
				sb_addc(out, '=');
				plain(out, vt, x);
			}
			i++;
		}
		sb_addc(out, row ? ')' : '}');
	}
}

void jw_rows(struct sb *out, json_t *columns, json_t *rows, bool plain_text)
{
	sb_addc(out, '[');
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (i)
			sb_addc(out, ',');
		sb_adds(out, "{\"kind\":");
		json_t *kind = json_object_get(row, "kind");
		jw_string(out, json_is_string(kind) ? json_string_value(kind) : "INSERT");
		sb_adds(out, ",\"fields\":[");
		json_t *fields = json_object_get(row, "fields");
		size_t j;
		json_t *f;
		json_array_foreach(fields, j, f) {
			if (j)
				sb_addc(out, ',');
			json_t *col = json_array_get(columns, j);
			json_t *lt = col ? json_object_get(col, "logicalType") : NULL;
			if (plain_text && !json_is_null(f)) {
				struct sb txt = SB_INIT;
				plain(&txt, lt, f);
				jw_string(out, txt.buf);
				sb_release(&txt);
			} else {
				json_field(out, lt, f);
			}
		}
		sb_adds(out, "]}");
	}
	sb_addc(out, ']');
}

bool gw_uuid_canon(const char *s, char out[37])
{
	/* java.util.UUID.fromString: five groups of 1-8, 1-4, 1-4, 1-4, 1-12 hex digits (any case);
	 * toString() then writes the canonical lowercase 8-4-4-4-12 form */
	static const int max[5] = {8, 4, 4, 4, 12};
	char groups[5][13];
	int len[5] = {0};
	int g = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (++g > 4)
				return false;
		} else if (isxdigit((unsigned char)*p) && len[g] < max[g]) {
			groups[g][len[g]++] = (char)tolower((unsigned char)*p);
		} else {
			return false;
		}
	}
	if (g != 4)
		return false;
	char *o = out;
	for (int i = 0; i < 5; i++) {
		if (!len[i])
			return false;
		for (int k = len[i]; k < max[i]; k++)
			*o++ = '0';
		memcpy(o, groups[i], (size_t)len[i]);
		o += len[i];
		*o++ = i < 4 ? '-' : '\0';
	}
	return true;
}

bool gw_is_uuid(const char *s)
{
	char canon[37];
	return gw_uuid_canon(s, canon);
}

bool gw_parse_long(const char *s, long *pv)
{
	/* Long.valueOf: optional sign, decimal digits only, in range */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno)
		return false;
	*pv = (long)v;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gw_decode_component(const char *s, size_t n, bool plus, struct sb *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			int h = hexval((unsigned char)s[i + 1]);
			int l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			sb_addc(out, (char)(h * 16 + l));
			i += 2;
		} else if (plus && s[i] == '+') {
			sb_addc(out, ' ');
		} else {
			sb_addc(out, s[i]);
		}
	}
	return 0;
}
