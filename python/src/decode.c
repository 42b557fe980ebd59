/*
 * Values of a result as Python objects, exactly: the library hands over each field as the gateway
 * sent it (integers, numbers as their digits, strings, compact JSON for nested values) with the
 * column's logical type; this file turns the pair into the Python type PEP 249 users expect.
 *
 *   BOOLEAN -> bool; TINYINT..BIGINT -> int; FLOAT, DOUBLE -> float; DECIMAL(p, s) -> Decimal at
 *   scale s; CHAR/VARCHAR -> str; BINARY/VARBINARY -> bytes (from base64); DATE -> date;
 *   TIME(p) -> time; TIMESTAMP(p) -> naive datetime; TIMESTAMP_LTZ(p) -> aware datetime in the
 *   session's time zone (the gateway writes it shifted into table.local-time-zone); intervals ->
 *   int months (YEAR TO MONTH) or timedelta (DAY TO SECOND); ARRAY -> list; MAP -> dict;
 *   MULTISET -> dict of element -> count; ROW -> dict by field name; VARIANT -> parsed JSON; RAW
 *   and the rest -> str.
 * Fractions of a second beyond microseconds (TIMESTAMP(7..9)) are cut to the microsecond,
 * Python's datetime resolution.
 *
 * Confluent Cloud's Statements API writes values in another form (its reference §10), which is
 * recognised by its shape, so one decoder serves both: intervals as SQL text ("+2 04:15:20.000",
 * "-1-06"), bytes inside composites as x'<hex>' (the library turns top-level ones into base64),
 * MAP and MULTISET as arrays of [key, value] / [element, count] pairs, ROW as a positional array.
 */
#include "ext.h"

#include <datetime.h>
#include <string.h>
#include <strings.h>

static PyObject *decimal_cls;   /* decimal.Decimal */
static PyObject *json_loads;    /* json.loads, with parse_float=Decimal below */
static PyObject *loads_kwargs;  /* {"parse_float": Decimal} */
static PyObject *utc;           /* datetime.timezone.utc */

int sf_decode_init(void)
{
	PyDateTime_IMPORT;
	if (!PyDateTimeAPI)
		return -1;
	PyObject *m = PyImport_ImportModule("decimal");
	if (!m)
		return -1;
	decimal_cls = PyObject_GetAttrString(m, "Decimal");
	Py_DECREF(m);
	if (!decimal_cls)
		return -1;
	m = PyImport_ImportModule("json");
	if (!m)
		return -1;
	json_loads = PyObject_GetAttrString(m, "loads");
	Py_DECREF(m);
	if (!json_loads)
		return -1;
	loads_kwargs = Py_BuildValue("{sO}", "parse_float", decimal_cls);
	if (!loads_kwargs)
		return -1;
	utc = PyDateTime_TimeZone_UTC;
	Py_INCREF(utc);
	return 0;
}

static PyObject *data_error(const struct flink_type *t, const char *text, const char *why)
{
	char tbuf[128];
	flink_type_format(t, tbuf, sizeof tbuf);
	/* a decode error inside Python (bad UTF-8, a year Python cannot hold) becomes the cause */
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	PyErr_Format(sf_DataError, "cannot read the %s value '%.80s' returned by the gateway: %s", tbuf,
		     text ? text : "", why);
	if (et) {
		PyErr_NormalizeException(&et, &ev, &tb);
		if (tb)
			PyException_SetTraceback(ev, tb);
		PyObject *nt, *nv, *ntb;
		PyErr_Fetch(&nt, &nv, &ntb);
		PyErr_NormalizeException(&nt, &nv, &ntb);
		PyException_SetCause(nv, ev); /* steals ev */
		PyErr_Restore(nt, nv, ntb);
		Py_DECREF(et);
		Py_XDECREF(tb);
	}
	return NULL;
}

/* ---------------------------------------------------------------- scalars from text */

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* "HH:mm:ss[.fffffffff]" at *p; moves *p past it */
static int parse_time(const char **p, int *h, int *mi, int *s, int *us)
{
	if (digits(p, 2, h) || **p != ':')
		return -1;
	(*p)++;
	if (digits(p, 2, mi))
		return -1;
	*s = 0;
	if (**p == ':') {
		(*p)++;
		if (digits(p, 2, s))
			return -1;
	}
	*us = 0;
	if (**p == '.') {
		(*p)++;
		int n = 0;
		while (**p >= '0' && **p <= '9') {
			if (n < 6)
				*us = *us * 10 + (**p - '0');
			n++;
			(*p)++;
		}
		if (n == 0)
			return -1;
		for (; n < 6; n++)
			*us *= 10;
	}
	return 0;
}

/* "[-]yyyy-MM-dd" at *p */
static int parse_date(const char **p, int *y, int *mo, int *d)
{
	const char *q = *p;
	int n = 0;
	while (q[n] >= '0' && q[n] <= '9')
		n++;
	if (n < 4 || n > 9 || digits(p, n, y) || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, mo) || **p != '-')
		return -1;
	(*p)++;
	return digits(p, 2, d);
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* x'0aff' (Confluent Cloud, inside composites) */
static PyObject *from_hex_literal(const char *s, size_t n, const struct flink_type *t)
{
	if ((n - 3) % 2)
		return data_error(t, s, "not x'<hex>' bytes");
	size_t nb = (n - 3) / 2;
	PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)nb);
	if (!out)
		return NULL;
	unsigned char *o = (unsigned char *)PyBytes_AS_STRING(out);
	for (size_t i = 0; i < nb; i++) {
		int hi = hexval((unsigned char)s[2 + 2 * i]), lo = hexval((unsigned char)s[3 + 2 * i]);
		if (hi < 0 || lo < 0) {
			Py_DECREF(out);
			return data_error(t, s, "not x'<hex>' bytes");
		}
		o[i] = (unsigned char)(hi * 16 + lo);
	}
	return out;
}

static PyObject *from_base64(const char *s, size_t n, const struct flink_type *t)
{
	if (n >= 3 && (s[0] == 'x' || s[0] == 'X') && s[1] == '\'' && s[n - 1] == '\'')
		return from_hex_literal(s, n, t);
	PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n / 4 * 3 + 3));
	if (!out)
		return NULL;
	unsigned char *o = (unsigned char *)PyBytes_AS_STRING(out);
	size_t len = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=')
			break;
		if (c == '\n' || c == '\r')
			continue;
		int v = b64val(c);
		if (v < 0) {
			Py_DECREF(out);
			return data_error(t, s, "not base64");
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[len++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (_PyBytes_Resize(&out, (Py_ssize_t)len) < 0)
		return NULL;
	return out;
}

/* DECIMAL(p, s): the exact digits, widened to the column's scale ("710" -> "710.00") */
static PyObject *decimal_from_text(const char *s, size_t n, const struct flink_type *t)
{
	const char *dot = memchr(s, '.', n);
	bool expo = memchr(s, 'e', n) || memchr(s, 'E', n);
	int have = dot ? (int)(n - (size_t)(dot - s) - 1) : 0;
	PyObject *str;
	if (!expo && t && t->scale > have && t->scale <= 64) {
		char buf[160];
		int extra = t->scale - have;
		if (n + (size_t)extra + 2 > sizeof buf)
			return data_error(t, s, "too long for a DECIMAL");
		memcpy(buf, s, n);
		size_t k = n;
		if (!dot)
			buf[k++] = '.';
		memset(buf + k, '0', (size_t)extra);
		str = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)(k + (size_t)extra));
	} else {
		str = PyUnicode_FromStringAndSize(s, (Py_ssize_t)n);
	}
	if (!str)
		return NULL;
	PyObject *d = PyObject_CallOneArg(decimal_cls, str);
	Py_DECREF(str);
	if (!d)
		return data_error(t, s, "not a decimal number");
	return d;
}

/* "+1-06", "-0-04": INTERVAL YEAR TO MONTH as SQL text -> months */
static PyObject *interval_ym_text(const char *s, size_t n, const struct flink_type *t)
{
	const char *p = s, *end = s + n;
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	long long y = 0, m = 0;
	int dy = 0, dm = 0;
	for (; p < end && *p >= '0' && *p <= '9' && dy < 10; p++, dy++)
		y = y * 10 + (*p - '0');
	if (!dy || p >= end || *p != '-')
		return data_error(t, s, "not an interval (+Y-MM)");
	for (p++; p < end && *p >= '0' && *p <= '9' && dm < 3; p++, dm++)
		m = m * 10 + (*p - '0');
	if (!dm || p != end || m > 11)
		return data_error(t, s, "not an interval (+Y-MM)");
	return PyLong_FromLongLong(sign * (y * 12 + m));
}

/* "+2 04:15:20", "-0 23:00:00.123": INTERVAL DAY TO SECOND as SQL text -> timedelta */
static PyObject *interval_dt_text(const char *s, size_t n, const struct flink_type *t)
{
	const char *p = s, *end = s + n;
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	long long d = 0;
	int nd = 0;
	for (; p < end && *p >= '0' && *p <= '9' && nd < 9; p++, nd++)
		d = d * 10 + (*p - '0');
	if (!nd || p >= end || *p != ' ')
		return data_error(t, s, "not an interval (+D HH:MM:SS)");
	p++;
	int h, mi, sec, us;
	if (parse_time(&p, &h, &mi, &sec, &us) || p != end || h > 23 || mi > 59 || sec > 59)
		return data_error(t, s, "not an interval (+D HH:MM:SS)");
	long long total_s = d * 86400 + h * 3600 + mi * 60 + sec;
	/* normalised by timedelta itself: days, seconds and microseconds all negative for '-' */
	PyObject *r = PyDelta_FromDSU((int)(sign * (total_s / 86400)), (int)(sign * (total_s % 86400)), sign * us);
	return r ? r : data_error(t, s, "out of Python's timedelta range");
}

static PyObject *ltz_of(PyObject *ltz)
{
	return ltz && ltz != Py_None ? ltz : utc;
}

/* A scalar from its text: the JSON string of a date, a map key, a number's digits */
static PyObject *scalar_from_text(const char *s, size_t n, const struct flink_type *t, PyObject *ltz)
{
	switch (t->root) {
	case FLINK_T_CHAR: case FLINK_T_VARCHAR: case FLINK_T_RAW: case FLINK_T_OTHER: case FLINK_T_NULL: {
		PyObject *u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
		return u ? u : data_error(t, s, "not UTF-8");
	}
	case FLINK_T_BOOLEAN:
		if (n == 4 && !strncasecmp(s, "true", 4))
			Py_RETURN_TRUE;
		if (n == 5 && !strncasecmp(s, "false", 5))
			Py_RETURN_FALSE;
		return data_error(t, s, "not a boolean");
	case FLINK_T_INTERVAL_YEAR_MONTH:
		if (n > 1 && memchr(s + 1, '-', n - 1))
			return interval_ym_text(s, n, t);
		/* a number of months */
		__attribute__((fallthrough));
	case FLINK_T_TINYINT: case FLINK_T_SMALLINT: case FLINK_T_INTEGER: case FLINK_T_BIGINT: {
		char *end;
		PyObject *i = PyLong_FromString(s, &end, 10);
		if (!i || end != s + n) {
			Py_XDECREF(i);
			return data_error(t, s, "not an integer");
		}
		return i;
	}
	case FLINK_T_FLOAT: case FLINK_T_DOUBLE: {
		PyObject *u = PyUnicode_FromStringAndSize(s, (Py_ssize_t)n);
		PyObject *f = u ? PyFloat_FromString(u) : NULL;
		Py_XDECREF(u);
		return f ? f : data_error(t, s, "not a floating point number");
	}
	case FLINK_T_DECIMAL:
		return decimal_from_text(s, n, t);
	case FLINK_T_BINARY: case FLINK_T_VARBINARY:
		return from_base64(s, n, t);
	case FLINK_T_DATE: {
		int y, mo, d;
		const char *p = s;
		if (parse_date(&p, &y, &mo, &d) || p != s + n)
			return data_error(t, s, "not a date (yyyy-MM-dd)");
		PyObject *r = PyDate_FromDate(y, mo, d);
		return r ? r : data_error(t, s, "out of Python's date range");
	}
	case FLINK_T_TIME: {
		int h, mi, sec, us;
		const char *p = s;
		if (parse_time(&p, &h, &mi, &sec, &us) || p != s + n)
			return data_error(t, s, "not a time (HH:mm:ss)");
		PyObject *r = PyTime_FromTime(h, mi, sec, us);
		return r ? r : data_error(t, s, "not a time of day");
	}
	case FLINK_T_TIMESTAMP: case FLINK_T_TIMESTAMP_LTZ: case FLINK_T_TIMESTAMP_TZ: {
		int y, mo, d, h, mi, sec, us;
		const char *p = s;
		if (parse_date(&p, &y, &mo, &d) || (*p != 'T' && *p != ' '))
			return data_error(t, s, "not a timestamp (yyyy-MM-ddTHH:mm:ss)");
		p++;
		if (parse_time(&p, &h, &mi, &sec, &us))
			return data_error(t, s, "not a timestamp (yyyy-MM-ddTHH:mm:ss)");
		bool zulu = p < s + n && *p == 'Z';
		if (zulu)
			p++;
		if (p != s + n)
			return data_error(t, s, "not a timestamp (yyyy-MM-ddTHH:mm:ss)");
		PyObject *r;
		if (t->root == FLINK_T_TIMESTAMP)
			r = PyDateTime_FromDateAndTime(y, mo, d, h, mi, sec, us);
		else
			r = PyDateTimeAPI->DateTime_FromDateAndTime(y, mo, d, h, mi, sec, us, ltz_of(ltz),
								   PyDateTimeAPI->DateTimeType);
		return r ? r : data_error(t, s, "out of Python's datetime range");
	}
	case FLINK_T_INTERVAL_DAY_TIME: {
		if (memchr(s, ' ', n) || memchr(s, ':', n))
			return interval_dt_text(s, n, t);
		char *end;
		long long ms = strtoll(s, &end, 10);
		if (end != s + n)
			return data_error(t, s, "not a number of milliseconds");
		PyObject *r = PyDelta_FromDSU((int)(ms / 86400000LL), (int)(ms % 86400000LL / 1000),
					      (int)(ms % 1000) * 1000);
		return r ? r : data_error(t, s, "out of Python's timedelta range");
	}
	default: {
		PyObject *u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
		return u ? u : data_error(t, s, "not UTF-8");
	}
	}
}

/* ---------------------------------------------------------------- nested values */

static PyObject *from_json(PyObject *j, const struct flink_type *t, PyObject *ltz);

static PyObject *hashable(PyObject *k)
{
	if (PyList_Check(k)) {
		PyObject *tu = PyList_AsTuple(k);
		Py_DECREF(k);
		return tu;
	}
	return k;
}

/* A map key: always a JSON string; "null" is the null key (unless the key is a string) */
static PyObject *map_key(PyObject *k, const struct flink_type *t, PyObject *ltz)
{
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(k, &n);
	if (!s)
		return NULL;
	if (t->root != FLINK_T_CHAR && t->root != FLINK_T_VARCHAR && n == 4 && !memcmp(s, "null", 4))
		Py_RETURN_NONE;
	if (t->root == FLINK_T_ARRAY || t->root == FLINK_T_MAP || t->root == FLINK_T_ROW ||
	    t->root == FLINK_T_MULTISET) {
		PyObject *args = PyTuple_Pack(1, k);
		if (!args)
			return NULL;
		PyObject *j = PyObject_Call(json_loads, args, loads_kwargs);
		Py_DECREF(args);
		if (!j)
			return data_error(t, s, "not JSON");
		PyObject *r = from_json(j, t, ltz);
		Py_DECREF(j);
		return r ? hashable(r) : NULL;
	}
	return scalar_from_text(s, (size_t)n, t, ltz);
}

/* Confluent Cloud's MAP ([[key, value], ...]) and MULTISET ([[element, "count"], ...]) */
static PyObject *pairs_from_json(PyObject *j, const struct flink_type *t, PyObject *ltz)
{
	const struct flink_type *kt = t->root == FLINK_T_MAP ? t->key : t->element;
	PyObject *out = PyDict_New();
	Py_ssize_t n = PyList_GET_SIZE(j);
	for (Py_ssize_t i = 0; out && i < n; i++) {
		PyObject *pair = PyList_GET_ITEM(j, i);
		if (!PyList_Check(pair) || PyList_GET_SIZE(pair) != 2) {
			Py_DECREF(out);
			return data_error(t, "", "an entry is not a [key, value] pair");
		}
		PyObject *pk = from_json(PyList_GET_ITEM(pair, 0), kt, ltz);
		pk = pk ? hashable(pk) : NULL;
		PyObject *pv = NULL;
		if (pk) {
			PyObject *v = PyList_GET_ITEM(pair, 1);
			if (t->root == FLINK_T_MAP)
				pv = from_json(v, t->value, ltz);
			else if (v == Py_None)
				pv = PyLong_FromLong(0);
			else
				pv = PyNumber_Long(v);
		}
		if (!pk || !pv || PyDict_SetItem(out, pk, pv) < 0)
			Py_CLEAR(out);
		Py_XDECREF(pk);
		Py_XDECREF(pv);
	}
	return out;
}

static PyObject *from_json(PyObject *j, const struct flink_type *t, PyObject *ltz)
{
	if (j == Py_None)
		Py_RETURN_NONE;
	switch (t->root) {
	case FLINK_T_ARRAY: {
		if (!PyList_Check(j))
			return data_error(t, "", "not a JSON array");
		Py_ssize_t n = PyList_GET_SIZE(j);
		PyObject *out = PyList_New(n);
		for (Py_ssize_t i = 0; out && i < n; i++) {
			PyObject *v = from_json(PyList_GET_ITEM(j, i), t->element, ltz);
			if (!v) {
				Py_CLEAR(out);
				break;
			}
			PyList_SET_ITEM(out, i, v);
		}
		return out;
	}
	case FLINK_T_MAP: case FLINK_T_MULTISET: {
		if (PyList_Check(j))
			return pairs_from_json(j, t, ltz);
		if (!PyDict_Check(j))
			return data_error(t, "", "not a JSON object");
		const struct flink_type *kt = t->root == FLINK_T_MAP ? t->key : t->element;
		PyObject *out = PyDict_New();
		PyObject *k, *v;
		Py_ssize_t pos = 0;
		while (out && PyDict_Next(j, &pos, &k, &v)) {
			PyObject *pk = map_key(k, kt, ltz);
			PyObject *pv = NULL;
			if (pk) {
				if (t->root == FLINK_T_MAP)
					pv = from_json(v, t->value, ltz);
				else
					pv = PyNumber_Long(v);
			}
			if (!pk || !pv || PyDict_SetItem(out, pk, pv) < 0)
				Py_CLEAR(out);
			Py_XDECREF(pk);
			Py_XDECREF(pv);
		}
		return out;
	}
	case FLINK_T_ROW: {
		PyObject *out = PyDict_New();
		for (size_t i = 0; out && i < t->nfields; i++) {
			const struct flink_row_field *f = &t->fields[i];
			PyObject *fv = NULL;
			if (PyDict_Check(j))
				fv = PyDict_GetItemString(j, f->name);
			else if (PyList_Check(j) && (Py_ssize_t)i < PyList_GET_SIZE(j))
				fv = PyList_GET_ITEM(j, i);
			PyObject *v = from_json(fv ? fv : Py_None, f->type, ltz);
			if (!v || PyDict_SetItemString(out, f->name, v) < 0)
				Py_CLEAR(out);
			Py_XDECREF(v);
		}
		return out;
	}
	case FLINK_T_VARIANT:
		Py_INCREF(j);
		return j;
	default:
		break;
	}
	/* a scalar inside a nested value */
	if (PyUnicode_Check(j)) {
		Py_ssize_t n;
		const char *s = PyUnicode_AsUTF8AndSize(j, &n);
		if (!s)
			return NULL;
		if (t->root == FLINK_T_CHAR || t->root == FLINK_T_VARCHAR) {
			Py_INCREF(j);
			return j;
		}
		return scalar_from_text(s, (size_t)n, t, ltz);
	}
	if (PyBool_Check(j)) {
		if (t->root == FLINK_T_BOOLEAN) {
			Py_INCREF(j);
			return j;
		}
		return data_error(t, j == Py_True ? "true" : "false", "a boolean where the type is not");
	}
	/* int or Decimal: through its text, so that DECIMAL stays exact and DOUBLE becomes float */
	PyObject *str = PyObject_Str(j);
	if (!str)
		return NULL;
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(str, &n);
	PyObject *r = NULL;
	if (s) {
		if (t->root == FLINK_T_CHAR || t->root == FLINK_T_VARCHAR)
			r = Py_NewRef(str);
		else
			r = scalar_from_text(s, (size_t)n, t, ltz);
	}
	Py_DECREF(str);
	return r;
}

/* ---------------------------------------------------------------- one field */

PyObject *sf_decode_value(const struct flink_value *v, const struct flink_type *t, PyObject *ltz)
{
	switch (v->kind) {
	case FLINK_V_NULL:
		Py_RETURN_NONE;
	case FLINK_V_BOOL:
		if (t->root == FLINK_T_BOOLEAN)
			return PyBool_FromLong(v->b);
		return data_error(t, v->b ? "true" : "false", "a boolean where the type is not");
	case FLINK_V_INT:
		switch (t->root) {
		case FLINK_T_TINYINT: case FLINK_T_SMALLINT: case FLINK_T_INTEGER: case FLINK_T_BIGINT:
		case FLINK_T_INTERVAL_YEAR_MONTH:
			return PyLong_FromLongLong((long long)v->i);
		case FLINK_T_FLOAT: case FLINK_T_DOUBLE:
			return PyFloat_FromDouble((double)v->i);
		case FLINK_T_CHAR: case FLINK_T_VARCHAR:
			return PyUnicode_FromStringAndSize(v->text, (Py_ssize_t)v->len);
		default:
			return scalar_from_text(v->text, v->len, t, ltz);
		}
	case FLINK_V_NUMBER:
		if (t->root == FLINK_T_CHAR || t->root == FLINK_T_VARCHAR)
			return PyUnicode_FromStringAndSize(v->text, (Py_ssize_t)v->len);
		return scalar_from_text(v->text, v->len, t, ltz);
	case FLINK_V_STRING:
		if (t->root == FLINK_T_ARRAY || t->root == FLINK_T_MAP || t->root == FLINK_T_ROW ||
		    t->root == FLINK_T_MULTISET || t->root == FLINK_T_VARIANT)
			break; /* JSON text in a string */
		return scalar_from_text(v->text, v->len, t, ltz);
	case FLINK_V_JSON:
		break;
	}
	PyObject *text = PyUnicode_DecodeUTF8(v->text, (Py_ssize_t)v->len, "strict");
	if (!text)
		return data_error(t, v->text, "not UTF-8");
	PyObject *args = PyTuple_Pack(1, text);
	Py_DECREF(text);
	if (!args)
		return NULL;
	PyObject *j = PyObject_Call(json_loads, args, loads_kwargs);
	Py_DECREF(args);
	if (!j)
		return data_error(t, v->text, "not JSON");
	PyObject *r = from_json(j, t, ltz);
	Py_DECREF(j);
	return r;
}

PyObject *sf_decode_row(const struct flink_row *row, const struct flink_column *cols, size_t ncols,
			PyObject *ltz, bool with_kind)
{
	PyObject *t = PyTuple_New((Py_ssize_t)ncols);
	if (!t)
		return NULL;
	for (size_t i = 0; i < ncols; i++) {
		PyObject *v = sf_decode_value(&row->fields[i], cols[i].type, ltz);
		if (!v) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
	}
	if (!with_kind)
		return t;
	return Py_BuildValue("(sN)", flink_row_kind_short(row->kind), t);
}

/* The type's name as Flink SQL writes it, without parameters: type_code of Cursor.description */
static const char *sql_name(enum flink_type_root r)
{
	static const char *const names[] = {
		[FLINK_T_CHAR] = "CHAR", [FLINK_T_VARCHAR] = "VARCHAR", [FLINK_T_BOOLEAN] = "BOOLEAN",
		[FLINK_T_BINARY] = "BINARY", [FLINK_T_VARBINARY] = "VARBINARY", [FLINK_T_DECIMAL] = "DECIMAL",
		[FLINK_T_TINYINT] = "TINYINT", [FLINK_T_SMALLINT] = "SMALLINT", [FLINK_T_INTEGER] = "INTEGER",
		[FLINK_T_BIGINT] = "BIGINT", [FLINK_T_FLOAT] = "FLOAT", [FLINK_T_DOUBLE] = "DOUBLE",
		[FLINK_T_DATE] = "DATE", [FLINK_T_TIME] = "TIME", [FLINK_T_TIMESTAMP] = "TIMESTAMP",
		[FLINK_T_TIMESTAMP_TZ] = "TIMESTAMP_TZ", [FLINK_T_TIMESTAMP_LTZ] = "TIMESTAMP_LTZ",
		[FLINK_T_INTERVAL_YEAR_MONTH] = "INTERVAL_YEAR_MONTH",
		[FLINK_T_INTERVAL_DAY_TIME] = "INTERVAL_DAY_TIME", [FLINK_T_ARRAY] = "ARRAY",
		[FLINK_T_MULTISET] = "MULTISET", [FLINK_T_MAP] = "MAP", [FLINK_T_ROW] = "ROW",
		[FLINK_T_RAW] = "RAW", [FLINK_T_NULL] = "NULL", [FLINK_T_VARIANT] = "VARIANT",
		[FLINK_T_OTHER] = "OTHER",
	};
	return (size_t)r < sizeof names / sizeof names[0] && names[r] ? names[r] : "OTHER";
}

PyObject *sf_column_tuple(const struct flink_column *c)
{
	char buf[512];
	size_t need = flink_type_format(c->type, buf, sizeof buf);
	PyObject *text;
	if (need < sizeof buf) {
		text = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)need);
	} else {
		char *big = PyMem_Malloc(need + 1);
		if (!big)
			return PyErr_NoMemory();
		flink_type_format(c->type, big, need + 1);
		text = PyUnicode_FromStringAndSize(big, (Py_ssize_t)need);
		PyMem_Free(big);
	}
	if (!text)
		return NULL;
	const struct flink_type *t = c->type;
	PyObject *r = Py_BuildValue("(sNsNiiiz)", c->name, text, sql_name(t->root),
				    PyBool_FromLong(t->nullable), t->length, t->precision, t->scale,
				    c->comment);
	return r;
}
