/*
 * Query translation, functions: INTERVAL values, Java date patterns, and every Flink function,
 * aggregate and OVER window written as DuckDB SQL with Flink's semantics and result types (where
 * the two differ: integer division, AVG of integers, CAST truncation, CONCAT with NULL, LOG, ...),
 * plus the group windows (TUMBLE, HOP in GROUP BY) as epoch-aligned buckets. The function table
 * is the largest part of the translator, so it has a file of its own.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query.h"

static void tr_window(struct tctx *c, struct window *w, struct scope *sc, struct sb *o, bool ranking);

/* ------------------------------------------------------------------ intervals and times */

/* milliseconds (day-time) or months (year-month) of an INTERVAL literal; false if malformed */
bool tr_interval_value(const struct node *n, long long *pv, bool *pym)
{
	const char *u = n->unit, *u2 = n->unit2;
	const char *s = n->s;
	bool neg = false;
	while (*s == ' ')
		s++;
	if (*s == '-') {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	*pym = !strcmp(u, "YEAR") || !strcmp(u, "MONTH");
	long long v = 0;
	if (!u2) {
		double d = strtod(s, NULL);
		if (!strcmp(u, "YEAR"))
			v = (long long)(d * 12);
		else if (!strcmp(u, "MONTH"))
			v = (long long)d;
		else if (!strcmp(u, "WEEK"))
			v = (long long)(d * 7 * 86400000.0);
		else if (!strcmp(u, "DAY"))
			v = (long long)(d * 86400000.0);
		else if (!strcmp(u, "HOUR"))
			v = (long long)(d * 3600000.0);
		else if (!strcmp(u, "MINUTE"))
			v = (long long)(d * 60000.0);
		else
			v = (long long)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
	} else if (*pym) {
		long long y = 0, m = 0;
		sscanf(s, "%lld-%lld", &y, &m);
		v = y * 12 + m;
	} else {
		/* DAY TO SECOND: "d hh:mm:ss.fff", HOUR TO MINUTE: "hh:mm", MINUTE TO SECOND: "mm:ss.fff" */
		double parts[4] = {0};
		int np = 0;
		const char *p = s;
		while (*p && np < 4) {
			char *end;
			parts[np++] = strtod(p, &end);
			if (end == p)
				break;
			p = end;
			while (*p == ' ' || *p == ':')
				p++;
		}
		static const double scale_dts[] = {86400000.0, 3600000.0, 60000.0, 1000.0};
		int start = !strcmp(u, "DAY") ? 0 : !strcmp(u, "HOUR") ? 1 : !strcmp(u, "MINUTE") ? 2 : 3;
		double ms = 0;
		for (int i = 0; i < np && start + i < 4; i++)
			ms += parts[i] * scale_dts[start + i];
		v = (long long)(ms + 0.5);
	}
	*pv = neg ? -v : v;
	return true;
}

void tr_interval_sql(struct sb *o, long long v, bool ym)
{
	if (ym)
		sb_addf(o, "INTERVAL '%lld months'", v);
	else
		sb_addf(o, "INTERVAL '%lld milliseconds'", v);
}

/* Java DateTimeFormatter pattern -> strftime */
static void java_fmt(struct sb *o, const char *f)
{
	struct sb r = SB_INIT;
	for (const char *p = f; *p;) {
		char ch = *p;
		int n = 0;
		while (p[n] == ch)
			n++;
		if (ch == '\'') {
			p++;
			while (*p && *p != '\'')
				sb_addc(&r, *p++);
			if (*p)
				p++;
			continue;
		}
		switch (ch) {
		case 'y': sb_adds(&r, n == 2 ? "%y" : "%Y"); break;
		case 'M': sb_adds(&r, n >= 4 ? "%B" : n == 3 ? "%b" : "%m"); break;
		case 'd': sb_adds(&r, "%d"); break;
		case 'H': sb_adds(&r, "%H"); break;
		case 'h': sb_adds(&r, "%I"); break;
		case 'm': sb_adds(&r, "%M"); break;
		case 's': sb_adds(&r, "%S"); break;
		case 'S': sb_adds(&r, n <= 3 ? "%g" : "%f"); break;
		case 'a': sb_adds(&r, "%p"); break;
		case 'E': sb_adds(&r, n >= 4 ? "%A" : "%a"); break;
		case 'D': sb_adds(&r, "%j"); break;
		case 'Z':
		case 'X': sb_adds(&r, "%z"); break;
		case '%': sb_adds(&r, "%%"); break;
		default:
			for (int i = 0; i < n; i++)
				sb_addc(&r, ch);
		}
		p += n;
	}
	qstr(o, r.buf);
	sb_release(&r);
}

/* ------------------------------------------------------------------ functions */

static bool is_agg_name(const char *f)
{
	static const char *const aggs[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "LISTAGG", "FIRST_VALUE", "LAST_VALUE",
		"STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "STDDEV", "VARIANCE", "COLLECT", "ARRAY_AGG", "BOOL_AND",
		"BOOL_OR", "SUM0", "JSON_ARRAYAGG", "JSON_OBJECTAGG", NULL};
	for (int i = 0; aggs[i]; i++)
		if (!strcasecmp(f, aggs[i]))
			return true;
	return false;
}

bool tr_has_agg(struct node *n)
{
	if (!n)
		return false;
	if (n->k == N_FUNC && is_agg_name(n->s) && !n->over)
		return true;
	if (n->k == N_SUBQ || n->k == N_EXISTS)
		return false;
	for (int i = 0; i < n->nargs; i++)
		if (tr_has_agg(n->args[i]))
			return true;
	return false;
}

bool tr_has_func(struct node *n, const char *name, bool over)
{
	if (!n)
		return false;
	if (n->k == N_FUNC && !strcasecmp(n->s, name) && (!over || n->over))
		return true;
	if (n->k == N_SUBQ || n->k == N_EXISTS)
		return false;
	for (int i = 0; i < n->nargs; i++)
		if (tr_has_func(n->args[i], name, over))
			return true;
	return false;
}

void tr_emit_args(struct tctx *c, struct node **a, int n, struct scope *sc, struct sb *o, struct ftype **types)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(o, ", ");
		struct ftype *t = tr_expr(c, a[i], sc, o);
		if (types)
			types[i] = t;
	}
}

/* the epoch-aligned start of the window of length size_ms containing ts (TIMESTAMP or TIMESTAMPTZ) */
void tr_bucket_sql(struct sb *o, const char *ts, const struct ftype *tt, long long size_ms, long long off_ms)
{
	bool ltz = tt && tt->root == FT_TIMESTAMP_LTZ;
	/* LTZ windows are aligned in the session time zone: work on the local wall-clock time */
	sb_adds(o, "epoch_ms(CAST(floor((epoch_ms(");
	if (ltz)
		sb_addf(o, "CAST(%s AS TIMESTAMP)", ts);
	else
		sb_adds(o, ts);
	sb_addf(o, ") - %lld) / %lld) * %lld + %lld AS BIGINT))", off_ms, size_ms, size_ms, off_ms);
}

static const char *bucket(struct tctx *c, const char *ts, const struct ftype *tt, long long size, long long off)
{
	struct sb o = SB_INIT;
	tr_bucket_sql(&o, ts, tt, size, off);
	char *s = astr(c, &o);
	sb_release(&o);
	return s;
}

bool tr_node_interval_ms(struct tctx *c, struct node *n, long long *pv)
{
	bool ym;
	if (n && n->k == N_INTERVAL && tr_interval_value(n, pv, &ym) && !ym && *pv > 0)
		return true;
	tr_verr(c, n ? n->pos : 0, n ? n->end : 0, "Window size must be a positive day-time interval literal");
	return false;
}

/* group windows: TUMBLE(ts, size), HOP(ts, slide, size), SESSION(ts, gap) and their _START/_END */
static struct ftype *group_window(struct tctx *c, struct node *n, struct scope *sc, struct sb *o, const char *fn)
{
	bool tumble = !strncasecmp(fn, "TUMBLE", 6), hop = !strncasecmp(fn, "HOP", 3);
	const char *suffix = strchr(fn, '_');
	int need = hop ? 3 : 2;
	if (n->nargs < need) {
		tr_verr(c, n->pos, n->end, "Invalid number of arguments to function '%s'. Was expecting %d arguments", fn, need);
		return NULL;
	}
	struct sb ts = SB_INIT;
	struct ftype *tt = tr_expr(c, n->args[0], sc, &ts);
	long long size = 0, slide = 0;
	if (!tr_node_interval_ms(c, n->args[hop ? 2 : 1], &size) || (hop && !tr_node_interval_ms(c, n->args[1], &slide))) {
		sb_release(&ts);
		return NULL;
	}
	if (!tumble && !hop) {
		/* SESSION windows are not evaluated: fail like an unsupported function */
		sb_release(&ts);
		tr_verr(c, n->pos, n->end, "SESSION group windows are not supported by this gateway");
		return NULL;
	}
	/* HOP in GROUP BY is reduced to its latest window: good enough for the end of a stream */
	const char *start = bucket(c, ts.buf, tt, hop ? slide : size, 0);
	struct ftype *rt = mkt(c, FT_TIMESTAMP, false);
	rt->len = 3;
	if (!suffix) {
		sb_adds(o, start);
	} else if (!strcasecmp(suffix, "_START")) {
		sb_adds(o, start);
	} else if (!strcasecmp(suffix, "_END")) {
		sb_addf(o, "(%s + INTERVAL '%lld milliseconds')", start, size);
	} else if (!strcasecmp(suffix, "_ROWTIME")) {
		sb_addf(o, "(%s + INTERVAL '%lld milliseconds')", start, size - 1);
		rt->attr = TA_ROWTIME;
	} else {
		sb_adds(o, "current_timestamp");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
		rt->attr = TA_PROCTIME;
	}
	sb_release(&ts);
	return rt;
}

/* ------------------------------------------------------------------ the function table */

/* One call being translated: what the handlers of the table read and write */
struct fcall {
	struct tctx *c;
	struct node *n;
	struct scope *sc;
	struct sb *o;              /* the call's DuckDB text */
	const char *F;             /* the function's name, upper case */
	int na;                    /* arguments, without a FILTER clause */
	bool window;               /* called with OVER */
	struct ftype *at[16];      /* the arguments' types, as translated */
	const char *wrap_pre;      /* text around the call, FILTER and OVER included */
	struct sb wrap_post;
	bool stop;                 /* the handler's result is the call's (an error, a group window) */
};

/* Translates argument i into o and notes its type */
static struct ftype *arg(struct fcall *k, int i, struct sb *o)
{
	return k->at[i] = tr_expr(k->c, k->n->args[i], k->sc, o);
}

static struct ftype *wrong_arity(struct fcall *k, int want)
{
	tr_verr(k->c, k->n->pos, k->n->end, "Invalid number of arguments to function '%s'. Was expecting %d arguments",
		k->F, want);
	k->stop = true;
	return NULL;
}

/*
 * The DuckDB text of a call, from a template: %0..%9 argument i, %* every argument, %2* at most
 * the first two, %$ the last one, %D "DISTINCT " for COUNT(DISTINCT ...) and the like, %U the
 * unit of TIMESTAMPDIFF, %% a percent sign; anything else is copied.
 */
static void emit_template(struct fcall *k, const char *t)
{
	for (const char *p = t; *p; p++) {
		if (*p != '%') {
			sb_addc(k->o, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			sb_addc(k->o, '%');
		} else if (*p == '*') {
			tr_emit_args(k->c, k->n->args, k->na, k->sc, k->o, k->at);
		} else if (*p == '$') {
			arg(k, k->na - 1, k->o);
		} else if (*p == 'D') {
			if (k->n->flag)
				sb_adds(k->o, "DISTINCT ");
		} else if (*p == 'U') {
			sb_addf(k->o, "%s", k->n->unit);
		} else if (*p >= '0' && *p <= '9' && p[1] == '*') {
			int most = *p++ - '0';
			tr_emit_args(k->c, k->n->args, k->na > most ? most : k->na, k->sc, k->o, k->at);
		} else if (*p >= '0' && *p <= '9') {
			arg(k, *p - '0', k->o);
		}
	}
}

/* How the result type of a table entry is made */
enum fres {
	R_NOT_NULL,   /* the entry's type, NOT NULL */
	R_NULL,       /* the entry's type, nullable */
	R_LIKE_ARG0,  /* the entry's type, nullable when the first argument is (or is unknown) */
	R_ARG0,       /* the first argument's type */
	R_ARG0_NULL,  /* the first argument's type, nullable */
	R_CASE,       /* UPPER, LOWER: the first argument's type when a string, else as R_LIKE_ARG0 */
};

/* A function that is a template: name, the fewest arguments the template reads, DuckDB template,
 * result type (how it is made, root, length or precision, time attribute) */
struct fsimple {
	const char *name;
	int arity;
	const char *tmpl;
	enum fres res;
	enum froot root;
	int len;
	enum tattr attr;
};

static const struct fsimple simple_funcs[] = {
	{"ROW_NUMBER", 0, "row_number()", R_NOT_NULL, FT_BIGINT, 0, TA_NONE},
	{"RANK", 0, "rank()", R_NOT_NULL, FT_BIGINT, 0, TA_NONE},
	{"DENSE_RANK", 0, "dense_rank()", R_NOT_NULL, FT_BIGINT, 0, TA_NONE},
	{"LAG", 0, "lag(%*)", R_ARG0_NULL, 0, 0, TA_NONE},
	{"LEAD", 0, "lead(%*)", R_ARG0_NULL, 0, 0, TA_NONE},
	{"STDDEV_POP", 0, "stddev_pop(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"STDDEV_SAMP", 0, "stddev_samp(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"VAR_POP", 0, "var_pop(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"VAR_SAMP", 0, "var_samp(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"STDDEV", 0, "stddev(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"VARIANCE", 0, "variance(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"CONCAT_WS", 0, "concat_ws(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"UPPER", 0, "upper(%*)", R_CASE, FT_VARCHAR, 0, TA_NONE},
	{"LOWER", 0, "lower(%*)", R_CASE, FT_VARCHAR, 0, TA_NONE},
	{"REVERSE", 0, "reverse(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"LTRIM", 0, "ltrim(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"RTRIM", 0, "rtrim(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"BTRIM", 0, "btrim(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"MD5", 0, "md5(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"SHA1", 0, "sha1(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"SHA256", 0, "sha256(%*)", R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"INITCAP", 1,
	 "array_to_string(list_transform(string_split(%0, ' '), w -> upper(left(w, 1)) || lower(substr(w, 2))), ' ')",
	 R_LIKE_ARG0, FT_VARCHAR, 0, TA_NONE},
	{"CHAR_LENGTH", 1, "CAST(length(%0) AS INTEGER)", R_LIKE_ARG0, FT_INTEGER, 0, TA_NONE},
	{"CHARACTER_LENGTH", 1, "CAST(length(%0) AS INTEGER)", R_LIKE_ARG0, FT_INTEGER, 0, TA_NONE},
	{"LENGTH", 1, "CAST(length(%0) AS INTEGER)", R_LIKE_ARG0, FT_INTEGER, 0, TA_NONE},
	{"SUBSTRING", 0, "substring(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"REPLACE", 0, "replace(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"LPAD", 0, "lpad(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"RPAD", 0, "rpad(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"LEFT", 0, "left(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"RIGHT", 0, "right(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"REPEAT", 0, "repeat(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"TRANSLATE", 0, "translate(%*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"REGEXP_REPLACE", 0, "regexp_replace(%*, 'g')", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"REGEXP", 0, "regexp_matches(%*)", R_NULL, FT_BOOLEAN, 0, TA_NONE},
	{"SPLIT_INDEX", 3, "nullif(split_part(%0, %1, (%2) + 1), '')", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"TO_BASE64", 1, "to_base64(CAST(%0 AS BLOB))", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"FROM_BASE64", 1, "CAST(from_base64(%0) AS VARCHAR)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"ABS", 1, "abs(%0)", R_ARG0, 0, 0, TA_NONE},
	{"SIGN", 1, "sign(%0)", R_ARG0, 0, 0, TA_NONE},
	{"POWER", 0, "power(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"POW", 0, "power(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"SQRT", 0, "sqrt(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"EXP", 0, "exp(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"LN", 0, "ln(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"LOG10", 0, "log10(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"LOG2", 0, "log2(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"SIN", 0, "sin(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"COS", 0, "cos(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"TAN", 0, "tan(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"ASIN", 0, "asin(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"ACOS", 0, "acos(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"ATAN", 0, "atan(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"ATAN2", 0, "atan2(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"DEGREES", 0, "degrees(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"RADIANS", 0, "radians(%*)", R_NULL, FT_DOUBLE, 0, TA_NONE},
	{"PI", 0, "pi()", R_NOT_NULL, FT_DOUBLE, 0, TA_NONE},
	{"RAND", 0, "random()", R_NOT_NULL, FT_DOUBLE, 0, TA_NONE},
	{"RAND_INTEGER", 1, "CAST(floor(random() * (%$)) AS INTEGER)", R_NOT_NULL, FT_INTEGER, 0, TA_NONE},
	{"NULLIF", 0, "nullif(%*)", R_ARG0_NULL, 0, 0, TA_NONE},
	{"CURRENT_TIMESTAMP", 0, "date_trunc('millisecond', current_timestamp)", R_NOT_NULL, FT_TIMESTAMP_LTZ, 3, TA_NONE},
	{"NOW", 0, "date_trunc('millisecond', current_timestamp)", R_NOT_NULL, FT_TIMESTAMP_LTZ, 3, TA_NONE},
	{"CURRENT_ROW_TIMESTAMP", 0, "date_trunc('millisecond', current_timestamp)", R_NOT_NULL, FT_TIMESTAMP_LTZ, 3,
	 TA_NONE},
	{"PROCTIME", 0, "date_trunc('millisecond', current_timestamp)", R_NOT_NULL, FT_TIMESTAMP_LTZ, 3, TA_PROCTIME},
	{"LOCALTIMESTAMP", 0, "date_trunc('millisecond', CAST(current_timestamp AS TIMESTAMP))", R_NOT_NULL, FT_TIMESTAMP,
	 3, TA_NONE},
	{"CURRENT_DATE", 0, "CAST(CAST(current_timestamp AS TIMESTAMP) AS DATE)", R_NOT_NULL, FT_DATE, 0, TA_NONE},
	{"CURRENT_TIME", 0, "CAST(date_trunc('second', CAST(current_timestamp AS TIMESTAMP)) AS TIME)", R_NOT_NULL, FT_TIME,
	 0, TA_NONE},
	{"LOCALTIME", 0, "CAST(date_trunc('second', CAST(current_timestamp AS TIMESTAMP)) AS TIME)", R_NOT_NULL, FT_TIME, 0,
	 TA_NONE},
	{"CURRENT_USER", 0, "'flink'", R_NOT_NULL, FT_VARCHAR, 0, TA_NONE},
	{"USER", 0, "'flink'", R_NOT_NULL, FT_VARCHAR, 0, TA_NONE},
	{"TIMESTAMPDIFF", 0, "CAST(date_sub('%U', %*) AS INTEGER)", R_NULL, FT_INTEGER, 0, TA_NONE},
	{"YEAR", 1, "(extract(YEAR FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"MONTH", 1, "(extract(MONTH FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"DAYOFMONTH", 1, "(extract(day FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"HOUR", 1, "(extract(HOUR FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"MINUTE", 1, "(extract(MINUTE FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"SECOND", 1, "(extract(SECOND FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"QUARTER", 1, "(extract(QUARTER FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"WEEK", 1, "(extract(WEEK FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"DAYOFYEAR", 1, "(extract(doy FROM %0))", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"DAYOFWEEK", 1, "(extract(dow FROM %0) + 1)", R_NULL, FT_BIGINT, 0, TA_NONE},
	{"UUID", 0, "CAST(uuid() AS VARCHAR)", R_NOT_NULL, FT_VARCHAR, 0, TA_NONE},
	{"JSON_VALUE", 0, "json_extract_string(%2*)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"JSON_QUERY", 0, "CAST(json_extract(%2*) AS VARCHAR)", R_NULL, FT_VARCHAR, 0, TA_NONE},
	{"JSON_EXISTS", 0, "json_exists(%*)", R_NULL, FT_BOOLEAN, 0, TA_NONE},
	{"CARDINALITY", 1, "CAST(len(%0) AS INTEGER)", R_NULL, FT_INTEGER, 0, TA_NONE},
};

static struct ftype *simple_call(struct fcall *k, const struct fsimple *f)
{
	if (k->na < f->arity)
		return wrong_arity(k, f->arity);
	emit_template(k, f->tmpl);
	struct tctx *c = k->c;
	struct ftype *a0 = k->at[0], *rt = NULL;
	switch (f->res) {
	case R_NOT_NULL: rt = mkt(c, f->root, false); break;
	case R_NULL: rt = mkt(c, f->root, true); break;
	case R_LIKE_ARG0: rt = mkt(c, f->root, !a0 || a0->nullable); break;
	case R_ARG0: rt = a0 ? ft_copy(c->a, a0) : NULL; break;
	case R_ARG0_NULL: rt = a0 ? ft_with_null(c->a, a0, true) : NULL; break;
	case R_CASE: rt = a0 && ft_is_string(a0) ? ft_copy(c->a, a0) : mkt(c, f->root, !a0 || a0->nullable); break;
	}
	if (rt && f->len)
		rt->len = f->len;
	if (rt && f->attr != TA_NONE)
		rt->attr = f->attr;
	return rt;
}

/* ------------------------------------------------------------------ the special cases */

static struct ftype *fn_count(struct fcall *k)
{
	sb_adds(k->o, "count(");
	if (k->n->flag)
		sb_adds(k->o, "DISTINCT ");
	if (k->n->star || !k->na)
		sb_addc(k->o, '*');
	else
		tr_emit_args(k->c, k->n->args, k->na, k->sc, k->o, k->at);
	sb_addc(k->o, ')');
	return mkt(k->c, FT_BIGINT, false);
}

/* SUM, SUM0, AVG, MIN, MAX; SUM and AVG are cast back to Flink's result type (AVG of integers
 * truncated) */
static struct ftype *fn_sum_avg(struct fcall *k)
{
	struct tctx *c = k->c;
	const char *F = k->F;
	if (k->na != 1)
		return wrong_arity(k, 1);
	const char *lname = !strcmp(F, "SUM0") || !strcmp(F, "SUM") ? "sum" : !strcmp(F, "AVG") ? "avg" :
		!strcmp(F, "MIN") ? "min" : "max";
	sb_addf(k->o, "%s(%s", lname, k->n->flag ? "DISTINCT " : "");
	struct ftype *t = arg(k, 0, k->o);
	sb_addc(k->o, ')');
	bool sum = lname[0] == 's', avg = lname[0] == 'a';
	struct ftype *rt = NULL;
	if (t && (ft_is_integer(t) || t->root == FT_DOUBLE || t->root == FT_FLOAT || t->root == FT_DECIMAL || !sum) &&
		!(avg && !ft_is_numeric(t)))
		rt = ft_with_null(c->a, t, true);
	if (rt && rt->root == FT_DECIMAL && (sum || avg)) {
		rt->prec = 38;
		if (avg && rt->scale < 6)
			rt->scale = 6;
	}
	if (rt && (sum || avg) && ft_is_numeric(rt)) {
		bool trunc = avg && ft_is_integer(rt);
		struct sb ty = SB_INIT;
		ft_duck(&ty, rt);
		k->wrap_pre = trunc ? "CAST(trunc(" : "CAST(";
		sb_addf(&k->wrap_post, "%s AS %s)", trunc ? ")" : "", ty.buf);
		sb_release(&ty);
	}
	return rt;
}

static struct ftype *fn_listagg(struct fcall *k)
{
	sb_adds(k->o, "string_agg(");
	if (k->n->flag)
		sb_adds(k->o, "DISTINCT ");
	arg(k, 0, k->o);
	sb_adds(k->o, ", ");
	if (k->na > 1)
		arg(k, 1, k->o);
	else
		sb_adds(k->o, "','");
	sb_addc(k->o, ')');
	return mkt(k->c, FT_VARCHAR, true);
}

/* FIRST_VALUE, LAST_VALUE: window functions over OVER, first()/last() aggregates without */
static struct ftype *fn_first_last(struct fcall *k)
{
	bool first = k->F[0] == 'F';
	sb_adds(k->o, k->window ? (first ? "first_value(" : "last_value(") : (first ? "first(" : "last("));
	arg(k, 0, k->o);
	sb_addc(k->o, ')');
	return k->at[0] ? ft_with_null(k->c->a, k->at[0], true) : NULL;
}

/* ARRAY_AGG, COLLECT */
static struct ftype *fn_collect(struct fcall *k)
{
	sb_adds(k->o, "list(");
	arg(k, 0, k->o);
	sb_addc(k->o, ')');
	if (!k->at[0])
		return NULL;
	struct ftype *rt = mkt(k->c, k->F[0] == 'A' ? FT_ARRAY : FT_MULTISET, true);
	rt->elem = k->at[0];
	return rt;
}

/* CONCAT: NULL when any argument is (DuckDB's concat() skips NULLs, || does not) */
static struct ftype *fn_concat(struct fcall *k)
{
	sb_addc(k->o, '(');
	for (int i = 0; i < k->na; i++) {
		if (i)
			sb_adds(k->o, " || ");
		sb_adds(k->o, "CAST(");
		arg(k, i, k->o);
		sb_adds(k->o, " AS VARCHAR)");
	}
	sb_addc(k->o, ')');
	bool nl = false;
	for (int i = 0; i < k->na; i++)
		nl = nl || !k->at[i] || k->at[i]->nullable;
	return mkt(k->c, FT_VARCHAR, nl);
}

static struct ftype *fn_regexp_extract(struct fcall *k)
{
	sb_adds(k->o, "nullif(regexp_extract(");
	tr_emit_args(k->c, k->n->args, k->na, k->sc, k->o, k->at);
	if (k->na < 3)
		sb_adds(k->o, ", 0");
	sb_adds(k->o, "), '')");
	return mkt(k->c, FT_VARCHAR, true);
}

/* ROUND, TRUNCATE: a DECIMAL keeps its type, with the scale asked for when it is smaller */
static struct ftype *fn_round(struct fcall *k)
{
	struct ftype **at = k->at;
	bool round = k->F[0] == 'R';
	sb_adds(k->o, round ? "round(" : "trunc(");
	arg(k, 0, k->o);
	if (k->na > 1 && round) {
		sb_adds(k->o, ", ");
		arg(k, 1, k->o);
	}
	sb_addc(k->o, ')');
	struct ftype *rt = NULL;
	if (at[0] && at[0]->root == FT_DECIMAL && k->na > 1 && k->n->args[1]->k == N_NUM) {
		rt = ft_copy(k->c->a, at[0]);
		int d = atoi(k->n->args[1]->s);
		if (d < rt->scale && d >= 0)
			rt->scale = d;
	} else if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT)) {
		rt = ft_copy(k->c->a, at[0]);
	}
	return rt;
}

/* FLOOR, CEIL, CEILING: a DECIMAL loses its scale */
static struct ftype *fn_floor(struct fcall *k)
{
	struct ftype **at = k->at;
	sb_adds(k->o, k->F[0] == 'F' ? "floor(" : "ceil(");
	arg(k, 0, k->o);
	sb_addc(k->o, ')');
	struct ftype *rt = NULL;
	if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT)) {
		rt = ft_copy(k->c->a, at[0]);
	} else if (at[0] && at[0]->root == FT_DECIMAL) {
		rt = ft_copy(k->c->a, at[0]);
		rt->prec = rt->prec - rt->scale + 1 > 38 ? 38 : rt->prec - rt->scale + (rt->scale ? 1 : 0);
		rt->scale = 0;
	}
	return rt;
}

static struct ftype *fn_mod(struct fcall *k)
{
	sb_addc(k->o, '(');
	arg(k, 0, k->o);
	sb_adds(k->o, " % ");
	arg(k, 1, k->o);
	sb_addc(k->o, ')');
	return k->at[1] ? ft_with_null(k->c->a, k->at[1], nn(k->at[0]) || nn(k->at[1])) : NULL;
}

/* LOG(x) is the natural logarithm, LOG(b, x) the logarithm of x in base b */
static struct ftype *fn_log(struct fcall *k)
{
	if (k->na == 1) {
		sb_adds(k->o, "ln(");
		arg(k, 0, k->o);
		sb_addc(k->o, ')');
	} else {
		sb_adds(k->o, "(ln(");
		arg(k, 1, k->o);
		sb_adds(k->o, ") / ln(");
		arg(k, 0, k->o);
		sb_adds(k->o, "))");
	}
	return mkt(k->c, FT_DOUBLE, true);
}

/* GREATEST, LEAST, COALESCE, IFNULL, NVL: the arguments' widest type; COALESCE is NOT NULL when
 * any argument is */
static struct ftype *fn_greatest(struct fcall *k)
{
	const char *F = k->F;
	const char *df = !strcmp(F, "GREATEST") ? "greatest(" : !strcmp(F, "LEAST") ? "least(" : "coalesce(";
	sb_adds(k->o, df);
	tr_emit_args(k->c, k->n->args, k->na, k->sc, k->o, k->at);
	sb_addc(k->o, ')');
	struct ftype *rt = k->at[0];
	for (int i = 1; i < k->na && rt; i++)
		rt = tr_widen(k->c, rt, k->at[i]);
	if (rt && df[0] == 'c') {
		bool all = true;
		for (int i = 0; i < k->na; i++)
			all = all && (!k->at[i] || k->at[i]->nullable);
		rt = ft_with_null(k->c->a, rt, all);
	}
	return rt;
}

static struct ftype *fn_if(struct fcall *k)
{
	if (k->na != 3)
		return wrong_arity(k, 3);
	emit_template(k, "CASE WHEN %0 THEN %1 ELSE %2 END");
	return tr_widen(k->c, k->at[1], k->at[2]);
}

static bool has_pattern(const struct fcall *k)
{
	return k->na > 1 && k->n->args[1]->k == N_STR;
}

/* DATE_FORMAT(ts[, pattern]): a literal Java pattern becomes strftime's */
static struct ftype *fn_date_format(struct fcall *k)
{
	sb_adds(k->o, "strftime(CAST(");
	arg(k, 0, k->o);
	sb_adds(k->o, " AS TIMESTAMP), ");
	if (has_pattern(k))
		java_fmt(k->o, k->n->args[1]->s);
	else if (k->na > 1)
		arg(k, 1, k->o);
	else
		sb_adds(k->o, "'%Y-%m-%d %H:%M:%S'");
	sb_addc(k->o, ')');
	return mkt(k->c, FT_VARCHAR, true);
}

/* argument 0 as a TIMESTAMP: parsed with the pattern of argument 1, else cast; NULL when it
 * does not parse */
static void parsed_timestamp(struct fcall *k)
{
	if (has_pattern(k)) {
		sb_adds(k->o, "try_strptime(");
		arg(k, 0, k->o);
		sb_adds(k->o, ", ");
		java_fmt(k->o, k->n->args[1]->s);
		sb_addc(k->o, ')');
	} else {
		sb_adds(k->o, "TRY_CAST(");
		arg(k, 0, k->o);
		sb_adds(k->o, " AS TIMESTAMP)");
	}
}

static struct ftype *fn_to_timestamp(struct fcall *k)
{
	parsed_timestamp(k);
	struct ftype *rt = mkt(k->c, FT_TIMESTAMP, true);
	rt->len = 3;
	return rt;
}

static struct ftype *fn_to_date(struct fcall *k)
{
	if (has_pattern(k)) {
		sb_adds(k->o, "CAST(try_strptime(");
		arg(k, 0, k->o);
		sb_adds(k->o, ", ");
		java_fmt(k->o, k->n->args[1]->s);
		sb_adds(k->o, ") AS DATE)");
	} else {
		sb_adds(k->o, "TRY_CAST(");
		arg(k, 0, k->o);
		sb_adds(k->o, " AS DATE)");
	}
	return mkt(k->c, FT_DATE, true);
}

/* TO_TIMESTAMP_LTZ(n[, precision]): epoch seconds (precision 0) or milliseconds (3, the default) */
static struct ftype *fn_to_timestamp_ltz(struct fcall *k)
{
	long long prec = k->na > 1 && k->n->args[1]->k == N_NUM ? atoll(k->n->args[1]->s) : 3;
	sb_adds(k->o, "timezone('UTC', epoch_ms(CAST((");
	arg(k, 0, k->o);
	sb_addf(k->o, ") * %s AS BIGINT)))", prec == 0 ? "1000" : "1");
	struct ftype *rt = mkt(k->c, FT_TIMESTAMP_LTZ, true);
	rt->len = 3;
	return rt;
}

static struct ftype *fn_unix_timestamp(struct fcall *k)
{
	if (!k->na) {
		sb_adds(k->o, "CAST(epoch(current_timestamp) AS BIGINT)");
	} else {
		sb_adds(k->o, "CAST(epoch(CAST(");
		parsed_timestamp(k);
		sb_adds(k->o, " AS TIMESTAMPTZ)) AS BIGINT)");
	}
	return mkt(k->c, FT_BIGINT, k->na > 0);
}

static struct ftype *fn_from_unixtime(struct fcall *k)
{
	sb_adds(k->o, "strftime(CAST(to_timestamp(");
	arg(k, 0, k->o);
	sb_adds(k->o, ") AS TIMESTAMP), ");
	if (has_pattern(k))
		java_fmt(k->o, k->n->args[1]->s);
	else
		sb_adds(k->o, "'%Y-%m-%d %H:%M:%S'");
	sb_addc(k->o, ')');
	return mkt(k->c, FT_VARCHAR, true);
}

/* TIMESTAMPADD(unit, n, ts): QUARTER and WEEK in months and days */
static struct ftype *fn_timestampadd(struct fcall *k)
{
	const char *u = k->n->unit;
	sb_addc(k->o, '(');
	struct sb ts = SB_INIT, n = SB_INIT;
	arg(k, 1, &ts);
	tr_expr(k->c, k->n->args[0], k->sc, &n);
	const char *du = !strcmp(u, "QUARTER") ? "MONTH" : u;
	long long mult = !strcmp(u, "QUARTER") ? 3 : 1;
	if (!strcmp(u, "WEEK")) {
		du = "DAY";
		mult = 7;
	}
	sb_addf(k->o, "%s + CAST(%s AS BIGINT) * %lld * INTERVAL '1' %s)", ts.buf, n.buf, mult, du);
	sb_release(&ts);
	sb_release(&n);
	struct ftype *rt = k->at[1] ? ft_copy(k->c->a, k->at[1]) : NULL;
	if (rt)
		rt->attr = TA_NONE;
	return rt;
}

/* The functions whose text or type a template cannot give */
static const struct {
	const char *name;
	struct ftype *(*fn)(struct fcall *k);
} special_funcs[] = {
	{"COUNT", fn_count}, {"SUM", fn_sum_avg}, {"SUM0", fn_sum_avg}, {"AVG", fn_sum_avg}, {"MIN", fn_sum_avg},
	{"MAX", fn_sum_avg}, {"LISTAGG", fn_listagg}, {"FIRST_VALUE", fn_first_last}, {"LAST_VALUE", fn_first_last},
	{"ARRAY_AGG", fn_collect}, {"COLLECT", fn_collect}, {"CONCAT", fn_concat},
	{"REGEXP_EXTRACT", fn_regexp_extract}, {"ROUND", fn_round}, {"TRUNCATE", fn_round}, {"FLOOR", fn_floor},
	{"CEIL", fn_floor}, {"CEILING", fn_floor}, {"MOD", fn_mod}, {"LOG", fn_log}, {"GREATEST", fn_greatest},
	{"LEAST", fn_greatest}, {"COALESCE", fn_greatest}, {"IFNULL", fn_greatest}, {"NVL", fn_greatest},
	{"IF", fn_if}, {"DATE_FORMAT", fn_date_format}, {"TO_TIMESTAMP", fn_to_timestamp}, {"TO_DATE", fn_to_date},
	{"TO_TIMESTAMP_LTZ", fn_to_timestamp_ltz}, {"UNIX_TIMESTAMP", fn_unix_timestamp},
	{"FROM_UNIXTIME", fn_from_unixtime}, {"TIMESTAMPADD", fn_timestampadd},
};

/* Anything else is handed to DuckDB under its own name */
static void duckdb_call(struct fcall *k)
{
	for (const char *p = k->n->s; *p; p++)
		sb_addc(k->o, (char)tolower((unsigned char)*p));
	sb_addc(k->o, '(');
	if (k->n->flag)
		sb_adds(k->o, "DISTINCT ");
	if (k->n->star)
		sb_addc(k->o, '*');
	else
		tr_emit_args(k->c, k->n->args, k->na, k->sc, k->o, k->at);
	sb_addc(k->o, ')');
}

/* The call's text: the table's, a special case's, a group window's or DuckDB's own; then its
 * FILTER and OVER clauses */
static struct ftype *call_text(struct fcall *k, struct sb *out)
{
	for (size_t i = 0; i < sizeof(simple_funcs) / sizeof(simple_funcs[0]); i++)
		if (!strcmp(k->F, simple_funcs[i].name))
			return simple_call(k, &simple_funcs[i]);
	for (size_t i = 0; i < sizeof(special_funcs) / sizeof(special_funcs[0]); i++)
		if (!strcmp(k->F, special_funcs[i].name))
			return special_funcs[i].fn(k);
	if (!strncmp(k->F, "TUMBLE", 6) || !strncmp(k->F, "HOP", 3) || !strncmp(k->F, "SESSION", 7)) {
		k->stop = true;
		return group_window(k->c, k->n, k->sc, out, k->F);
	}
	duckdb_call(k);
	return NULL;
}

struct ftype *tr_func(struct tctx *c, struct node *n, struct scope *sc, struct sb *out)
{
	struct sb call = SB_INIT;
	char F[64];
	snprintf(F, sizeof(F), "%s", n->s);
	for (char *p = F; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	struct fcall k = {.c = c, .n = n, .sc = sc, .o = &call, .F = F, .na = n->nargs, .window = n->over != NULL,
		.wrap_pre = "", .wrap_post = SB_INIT};
	bool filt = n->unit && !strcmp(n->unit, "FILTER");
	if (filt)
		k.na--;
	struct ftype *rt = call_text(&k, out);
	if (!k.stop) {
		if (filt) {
			sb_adds(&call, " FILTER (WHERE ");
			tr_expr(c, n->args[n->nargs - 1], sc, &call);
			sb_addc(&call, ')');
		}
		if (k.window) {
			sb_adds(&call, " OVER ");
			bool ranking = !strcasecmp(n->s, "ROW_NUMBER") || !strcasecmp(n->s, "RANK") ||
				!strcasecmp(n->s, "DENSE_RANK");
			tr_window(c, n->over, sc, &call, ranking);
		}
		sb_addf(out, "%s%s%s", k.wrap_pre, call.buf, k.wrap_post.len ? k.wrap_post.buf : "");
	}
	sb_release(&call);
	sb_release(&k.wrap_post);
	return rt;
}

/* An OVER window. In streaming mode an aggregate over it (not a ranking, which Flink plans as
 * Rank or Deduplicate) needs one ascending ORDER BY key, a time attribute, as
 * StreamExecOverAggregate checks in that order */
static void tr_window(struct tctx *c, struct window *w, struct scope *sc, struct sb *o, bool ranking)
{
	if (!c->batch && !ranking && w->nord != 1) {
		tr_terr(c, EX_TABLE, "The window can only be ordered by a single time column.");
		return;
	}
	if (!c->batch && !ranking && w->ord[0].desc) {
		tr_terr(c, EX_TABLE, "The window can only be ordered in ASCENDING mode.");
		return;
	}
	sb_addc(o, '(');
	if (w->npart) {
		sb_adds(o, "PARTITION BY ");
		tr_emit_args(c, w->part, w->npart, sc, o, NULL);
	}
	if (w->nord) {
		sb_adds(o, w->npart ? " ORDER BY " : "ORDER BY ");
		for (int i = 0; i < w->nord; i++) {
			if (i)
				sb_adds(o, ", ");
			struct ftype *ot = tr_expr(c, w->ord[i].e, sc, o);
			if (!c->batch && !ranking && i == 0 && ot && (!ft_is_timestamp(ot) || ot->attr == TA_NONE)) {
				tr_terr(c, EX_TABLE, "OVER windows' ordering in stream mode must be defined on a time attribute.");
				return;
			}
			if (w->ord[i].desc)
				sb_adds(o, " DESC");
			if (w->ord[i].nulls)
				sb_adds(o, w->ord[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
		}
	}
	if (w->fkind) {
		sb_addf(o, " %s BETWEEN ", w->fkind);
		static const char *const bk[] = {"", "UNBOUNDED PRECEDING", " PRECEDING", "CURRENT ROW", " FOLLOWING",
			"UNBOUNDED FOLLOWING"};
		if (w->lo)
			tr_expr(c, w->lo, sc, o);
		sb_adds(o, bk[w->lok]);
		sb_adds(o, " AND ");
		if (!w->hik) {
			sb_adds(o, "CURRENT ROW");
		} else {
			if (w->hi)
				tr_expr(c, w->hi, sc, o);
			sb_adds(o, bk[w->hik]);
		}
	}
	sb_addc(o, ')');
}
