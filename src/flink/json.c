/*
 * JSON for the Flink client, keeping numbers exactly as the gateway wrote them.
 *
 * A BIGINT can exceed 2^53 and a DECIMAL must keep its digits ("710.00", not 710.0), but jansson
 * stores reals as doubles and refuses integers beyond int64. Instead of a JSON parser of our own,
 * one string-aware lexical pass rewrites each number token into a string tagged with a leading
 * NUL and 'n' ("\u0000n710.00"); jansson then parses the rewritten text (JSON_ALLOW_NUL) and every
 * number reaches us as its source text. A real string value starting with NUL is tagged "\u0000s"
 * so it cannot be mistaken for a number. Object keys are left alone: jansson refuses NUL in keys,
 * so a key can never look tagged. All readers of such a tree use the accessors below.
 */
#include "flink/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_NUMBER 'n'
#define TAG_STRING 's'

/* number -> '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)? ; returns its length or 0 */
static size_t number_len(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *fl_json_tag_numbers(const char *in, size_t len, size_t *pout_len)
{
	struct fl_buf out = FL_BUF_INIT;
	size_t i = 0;
	while (i < len) {
		char c = in[i];
		if (c == '"') {
			size_t j = i + 1;
			while (j < len && in[j] != '"')
				j += in[j] == '\\' ? 2 : 1;
			if (j >= len) { /* unterminated: let jansson report it */
				fl_buf_add(&out, in + i, len - i);
				break;
			}
			j++;
			size_t k = j;
			while (k < len && is_ws(in[k]))
				k++;
			bool key = k < len && in[k] == ':';
			if (!key && j - i >= 8 && memcmp(in + i + 1, "\\u0000", 6) == 0) {
				fl_buf_adds(&out, "\"\\u0000s");
				fl_buf_add(&out, in + i + 1, j - i - 1);
			} else {
				fl_buf_add(&out, in + i, j - i);
			}
			i = j;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t n = number_len(in + i, len - i);
			if (!n) { /* not a number: copied, jansson will refuse it */
				fl_buf_addc(&out, c);
				i++;
				continue;
			}
			fl_buf_adds(&out, "\"\\u0000n");
			fl_buf_add(&out, in + i, n);
			fl_buf_addc(&out, '"');
			i += n;
		} else {
			/* copy a run of structural characters and literals at once */
			size_t j = i + 1;
			while (j < len && in[j] != '"' && in[j] != '-' && (in[j] < '0' || in[j] > '9'))
				j++;
			fl_buf_add(&out, in + i, j - i);
			i = j;
		}
	}
	if (pout_len)
		*pout_len = out.len;
	return fl_buf_detach(&out);
}

json_t *fl_json_load(const char *body, size_t len, char *why, size_t whylen)
{
	size_t n;
	char *text = fl_json_tag_numbers(body, len, &n);
	json_error_t e;
	json_t *root = json_loadb(text, n, JSON_ALLOW_NUL, &e);
	free(text);
	if (!root && why && whylen)
		snprintf(why, whylen, "%s", e.text);
	return root;
}

bool fl_json_is_number(const json_t *v)
{
	return fl_json_number_text(v, NULL) != NULL;
}

const char *fl_json_number_text(const json_t *v, size_t *plen)
{
	if (!json_is_string(v))
		return NULL;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n < 2 || s[0] != '\0' || s[1] != TAG_NUMBER)
		return NULL;
	if (plen)
		*plen = n - 2;
	return s + 2;
}

const char *fl_json_string(const json_t *v, size_t *plen)
{
	if (!json_is_string(v))
		return NULL;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n >= 2 && s[0] == '\0') {
		if (s[1] == TAG_NUMBER)
			return NULL;
		if (s[1] == TAG_STRING) {
			s += 2;
			n -= 2;
		}
	}
	if (plen)
		*plen = n;
	return s;
}

bool fl_json_int64(const json_t *v, int64_t *pout)
{
	size_t n;
	const char *t = fl_json_number_text(v, &n);
	if (!t || !n || n > 20)
		return false;
	for (size_t i = (t[0] == '-'); i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	errno = 0;
	char *end;
	long long x = strtoll(t, &end, 10);
	if (errno || (size_t)(end - t) != n)
		return false;
	*pout = (int64_t)x;
	return true;
}

const char *fl_json_get_str(const json_t *obj, const char *key)
{
	return fl_json_string(json_object_get(obj, key), NULL);
}

bool fl_json_get_int(const json_t *obj, const char *key, int *pout)
{
	int64_t x;
	if (!fl_json_int64(json_object_get(obj, key), &x) || x < -2147483647 - 1 || x > 2147483647)
		return false;
	*pout = (int)x;
	return true;
}

void fl_json_quote(struct fl_buf *b, const char *s, size_t n)
{
	fl_buf_addc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fl_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': fl_buf_adds(b, "\\\""); break;
		case '\\': fl_buf_adds(b, "\\\\"); break;
		case '\b': fl_buf_adds(b, "\\b"); break;
		case '\f': fl_buf_adds(b, "\\f"); break;
		case '\n': fl_buf_adds(b, "\\n"); break;
		case '\r': fl_buf_adds(b, "\\r"); break;
		case '\t': fl_buf_adds(b, "\\t"); break;
		default: fl_buf_addf(b, "\\u%04x", c); break;
		}
	}
	fl_buf_add(b, s + run, n - run);
	fl_buf_addc(b, '"');
}

void fl_json_compact(struct fl_buf *b, const json_t *v)
{
	size_t n = 0;
	const char *t;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;
		bool first = true;
		fl_buf_addc(b, '{');
		json_object_foreach((json_t *)v, key, item) {
			if (!first)
				fl_buf_addc(b, ',');
			first = false;
			fl_json_quote(b, key, strlen(key));
			fl_buf_addc(b, ':');
			fl_json_compact(b, item);
		}
		fl_buf_addc(b, '}');
		break;
	}
	case JSON_ARRAY:
		fl_buf_addc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				fl_buf_addc(b, ',');
			fl_json_compact(b, json_array_get(v, i));
		}
		fl_buf_addc(b, ']');
		break;
	case JSON_STRING:
		if ((t = fl_json_number_text(v, &n)))
			fl_buf_add(b, t, n);
		else {
			t = fl_json_string(v, &n);
			fl_json_quote(b, t, n);
		}
		break;
	case JSON_INTEGER:
		fl_buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fl_buf_addf(b, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE: fl_buf_adds(b, "true"); break;
	case JSON_FALSE: fl_buf_adds(b, "false"); break;
	case JSON_NULL: fl_buf_adds(b, "null"); break;
	}
}
