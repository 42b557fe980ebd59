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

struct ftype *tr_func(struct tctx *c, struct node *n, struct scope *sc, struct sb *out)
{
	struct sb call = SB_INIT, *o = &call;
	const char *wrap_pre = "", *wrap_post = "";
	struct sb wpost = SB_INIT;
	const char *f = n->s;
	char F[64];
	snprintf(F, sizeof(F), "%s", f);
	for (char *p = F; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	int na = n->nargs;
	bool filt = n->unit && !strcmp(n->unit, "FILTER");
	if (filt)
		na--;
	struct ftype *at[16] = {0};
	struct sb a0 = SB_INIT;
	struct ftype *rt = NULL;
	bool window = n->over != NULL;

#define ARG(i, sbp) (at[i] = tr_expr(c, n->args[i], sc, sbp))
	if (!strcmp(F, "COUNT")) {
		sb_adds(o, "count(");
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		if (n->star || !na)
			sb_addc(o, '*');
		else
			tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BIGINT, false);
	} else if (!strcmp(F, "SUM") || !strcmp(F, "SUM0") || !strcmp(F, "AVG") || !strcmp(F, "MIN") ||
		!strcmp(F, "MAX")) {
		if (na != 1) {
			tr_verr(c, n->pos, n->end, "Invalid number of arguments to function '%s'. Was expecting 1 arguments", F);
			sb_release(&call);
			return NULL;
		}
		const char *lname = !strcmp(F, "SUM0") || !strcmp(F, "SUM") ? "sum" : !strcmp(F, "AVG") ? "avg" :
			!strcmp(F, "MIN") ? "min" : "max";
		sb_addf(o, "%s(%s", lname, n->flag ? "DISTINCT " : "");
		struct ftype *t = ARG(0, o);
		sb_addc(o, ')');
		bool sum = lname[0] == 's', avg = lname[0] == 'a';
		if (t && (ft_is_integer(t) || t->root == FT_DOUBLE || t->root == FT_FLOAT || t->root == FT_DECIMAL ||
			!sum) && !(avg && !ft_is_numeric(t)))
			rt = ft_with_null(c->a, t, true);
		if (rt && rt->root == FT_DECIMAL && (sum || avg)) {
			rt->prec = 38;
			if (avg && rt->scale < 6)
				rt->scale = 6;
		}
		if (rt && (sum || avg) && ft_is_numeric(rt)) {
			ft_duck(&wpost, rt);
			wrap_pre = avg && ft_is_integer(rt) ? "CAST(trunc(" : "CAST(";
			struct sb tmp = SB_INIT;
			sb_addf(&tmp, "%s AS %s)", avg && ft_is_integer(rt) ? ")" : "", wpost.buf);
			sb_reset(&wpost);
			sb_adds(&wpost, tmp.buf);
			sb_release(&tmp);
			wrap_post = wpost.buf;
		}
	} else if (!strcmp(F, "LISTAGG")) {
		sb_adds(o, "string_agg(");
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		ARG(0, o);
		sb_adds(o, ", ");
		if (na > 1)
			ARG(1, o);
		else
			sb_adds(o, "','");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "FIRST_VALUE") || !strcmp(F, "LAST_VALUE")) {
		sb_adds(o, window ? (F[0] == 'F' ? "first_value(" : "last_value(") : (F[0] == 'F' ? "first(" : "last("));
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "ROW_NUMBER") || !strcmp(F, "RANK") || !strcmp(F, "DENSE_RANK")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_adds(o, "()");
		rt = mkt(c, FT_BIGINT, false);
	} else if (!strcmp(F, "LAG") || !strcmp(F, "LEAD")) {
		sb_adds(o, F[1] == 'A' ? "lag(" : "lead(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "STDDEV_POP") || !strcmp(F, "STDDEV_SAMP") || !strcmp(F, "VAR_POP") ||
		!strcmp(F, "VAR_SAMP") || !strcmp(F, "STDDEV") || !strcmp(F, "VARIANCE")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "ARRAY_AGG") || !strcmp(F, "COLLECT")) {
		sb_adds(o, "list(");
		ARG(0, o);
		sb_addc(o, ')');
		if (at[0]) {
			rt = mkt(c, F[0] == 'A' ? FT_ARRAY : FT_MULTISET, true);
			rt->elem = at[0];
		}
	} else if (!strcmp(F, "CONCAT")) {
		sb_addc(o, '(');
		for (int i = 0; i < na; i++) {
			if (i)
				sb_adds(o, " || ");
			sb_adds(o, "CAST(");
			ARG(i, o);
			sb_adds(o, " AS VARCHAR)");
		}
		sb_addc(o, ')');
		bool nl = false;
		for (int i = 0; i < na; i++)
			nl = nl || !at[i] || at[i]->nullable;
		rt = mkt(c, FT_VARCHAR, nl);
	} else if (!strcmp(F, "CONCAT_WS")) {
		sb_adds(o, "concat_ws(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, nn(at[0]) || !at[0]);
	} else if (!strcmp(F, "UPPER") || !strcmp(F, "LOWER") || !strcmp(F, "REVERSE") || !strcmp(F, "LTRIM") ||
		!strcmp(F, "RTRIM") || !strcmp(F, "BTRIM") || !strcmp(F, "MD5") || !strcmp(F, "SHA1") ||
		!strcmp(F, "SHA256") || !strcmp(F, "INITCAP")) {
		if (!strcmp(F, "INITCAP")) {
			sb_adds(o, "array_to_string(list_transform(string_split(");
			ARG(0, o);
			sb_adds(o, ", ' '), w -> upper(left(w, 1)) || lower(substr(w, 2))), ' ')");
		} else {
			for (const char *p = F; *p; p++)
				sb_addc(o, (char)tolower((unsigned char)*p));
			sb_addc(o, '(');
			tr_emit_args(c, n->args, na, sc, o, at);
			sb_addc(o, ')');
		}
		rt = mkt(c, FT_VARCHAR, !at[0] || at[0]->nullable);
		if (at[0] && ft_is_string(at[0]) && (!strcmp(F, "UPPER") || !strcmp(F, "LOWER")))
			rt = ft_copy(c->a, at[0]);
	} else if (!strcmp(F, "CHAR_LENGTH") || !strcmp(F, "CHARACTER_LENGTH") || !strcmp(F, "LENGTH")) {
		sb_adds(o, "CAST(length(");
		ARG(0, o);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, !at[0] || at[0]->nullable);
	} else if (!strcmp(F, "SUBSTRING")) {
		sb_adds(o, "substring(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REPLACE") || !strcmp(F, "LPAD") || !strcmp(F, "RPAD") || !strcmp(F, "LEFT") ||
		!strcmp(F, "RIGHT") || !strcmp(F, "REPEAT") || !strcmp(F, "TRANSLATE")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP_REPLACE")) {
		sb_adds(o, "regexp_replace(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_adds(o, ", 'g')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP_EXTRACT")) {
		sb_adds(o, "nullif(regexp_extract(");
		tr_emit_args(c, n->args, na, sc, o, at);
		if (na < 3)
			sb_adds(o, ", 0");
		sb_adds(o, "), '')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP")) {
		sb_adds(o, "regexp_matches(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BOOLEAN, true);
	} else if (!strcmp(F, "SPLIT_INDEX")) {
		sb_adds(o, "nullif(split_part(");
		ARG(0, o);
		sb_adds(o, ", ");
		ARG(1, o);
		sb_adds(o, ", (");
		ARG(2, o);
		sb_adds(o, ") + 1), '')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "TO_BASE64")) {
		sb_adds(o, "to_base64(CAST(");
		ARG(0, o);
		sb_adds(o, " AS BLOB))");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "FROM_BASE64")) {
		sb_adds(o, "CAST(from_base64(");
		ARG(0, o);
		sb_adds(o, ") AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "ABS")) {
		sb_adds(o, "abs(");
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_copy(c->a, at[0]) : NULL;
	} else if (!strcmp(F, "ROUND") || !strcmp(F, "TRUNCATE")) {
		sb_adds(o, F[0] == 'R' ? "round(" : "trunc(");
		ARG(0, o);
		if (na > 1 && F[0] == 'R') {
			sb_adds(o, ", ");
			ARG(1, o);
		}
		sb_addc(o, ')');
		if (at[0] && at[0]->root == FT_DECIMAL && na > 1 && n->args[1]->k == N_NUM) {
			rt = ft_copy(c->a, at[0]);
			int d = atoi(n->args[1]->s);
			if (d < rt->scale && d >= 0)
				rt->scale = d;
		} else if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT)) {
			rt = ft_copy(c->a, at[0]);
		}
	} else if (!strcmp(F, "FLOOR") || !strcmp(F, "CEIL") || !strcmp(F, "CEILING")) {
		sb_adds(o, F[0] == 'F' ? "floor(" : "ceil(");
		ARG(0, o);
		sb_addc(o, ')');
		if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT))
			rt = ft_copy(c->a, at[0]);
		else if (at[0] && at[0]->root == FT_DECIMAL) {
			rt = ft_copy(c->a, at[0]);
			rt->prec = rt->prec - rt->scale + 1 > 38 ? 38 : rt->prec - rt->scale + (rt->scale ? 1 : 0);
			rt->scale = 0;
		}
	} else if (!strcmp(F, "MOD")) {
		sb_addc(o, '(');
		ARG(0, o);
		sb_adds(o, " % ");
		ARG(1, o);
		sb_addc(o, ')');
		rt = at[1] ? ft_with_null(c->a, at[1], nn(at[0]) || nn(at[1])) : NULL;
	} else if (!strcmp(F, "POWER") || !strcmp(F, "POW") || !strcmp(F, "SQRT") || !strcmp(F, "EXP") ||
		!strcmp(F, "LN") || !strcmp(F, "LOG10") || !strcmp(F, "LOG2") || !strcmp(F, "SIN") ||
		!strcmp(F, "COS") || !strcmp(F, "TAN") || !strcmp(F, "ASIN") || !strcmp(F, "ACOS") ||
		!strcmp(F, "ATAN") || !strcmp(F, "ATAN2") || !strcmp(F, "DEGREES") || !strcmp(F, "RADIANS")) {
		for (const char *p = !strcmp(F, "POW") ? "POWER" : F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "LOG")) {
		if (na == 1) {
			sb_adds(o, "ln(");
			ARG(0, o);
			sb_addc(o, ')');
		} else {
			sb_adds(o, "(ln(");
			ARG(1, o);
			sb_adds(o, ") / ln(");
			ARG(0, o);
			sb_adds(o, "))");
		}
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "PI")) {
		sb_adds(o, "pi()");
		rt = mkt(c, FT_DOUBLE, false);
	} else if (!strcmp(F, "RAND")) {
		sb_adds(o, "random()");
		rt = mkt(c, FT_DOUBLE, false);
	} else if (!strcmp(F, "RAND_INTEGER")) {
		sb_adds(o, "CAST(floor(random() * (");
		ARG(na - 1, o);
		sb_adds(o, ")) AS INTEGER)");
		rt = mkt(c, FT_INTEGER, false);
	} else if (!strcmp(F, "SIGN")) {
		sb_adds(o, "sign(");
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_copy(c->a, at[0]) : NULL;
	} else if (!strcmp(F, "GREATEST") || !strcmp(F, "LEAST") || !strcmp(F, "COALESCE") || !strcmp(F, "IFNULL") ||
		!strcmp(F, "NVL")) {
		const char *df = !strcmp(F, "GREATEST") ? "greatest(" : !strcmp(F, "LEAST") ? "least(" : "coalesce(";
		sb_adds(o, df);
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0];
		for (int i = 1; i < na && rt; i++)
			rt = tr_widen(c, rt, at[i]);
		if (rt && df[0] == 'c') {
			bool all = true;
			for (int i = 0; i < na; i++)
				all = all && (!at[i] || at[i]->nullable);
			rt = ft_with_null(c->a, rt, all);
		}
	} else if (!strcmp(F, "NULLIF")) {
		sb_adds(o, "nullif(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "IF")) {
		if (na != 3) {
			tr_verr(c, n->pos, n->end, "Invalid number of arguments to function 'IF'. Was expecting 3 arguments");
			return NULL;
		}
		sb_adds(o, "CASE WHEN ");
		ARG(0, o);
		sb_adds(o, " THEN ");
		ARG(1, o);
		sb_adds(o, " ELSE ");
		ARG(2, o);
		sb_adds(o, " END");
		rt = tr_widen(c, at[1], at[2]);
	} else if (!strcmp(F, "DATE_FORMAT")) {
		sb_adds(o, "strftime(CAST(");
		ARG(0, o);
		sb_adds(o, " AS TIMESTAMP), ");
		if (na > 1 && n->args[1]->k == N_STR)
			java_fmt(o, n->args[1]->s);
		else if (na > 1)
			ARG(1, o);
		else
			sb_adds(o, "'%Y-%m-%d %H:%M:%S'");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "TO_TIMESTAMP")) {
		if (na > 1 && n->args[1]->k == N_STR) {
			sb_adds(o, "try_strptime(");
			ARG(0, o);
			sb_adds(o, ", ");
			java_fmt(o, n->args[1]->s);
			sb_addc(o, ')');
		} else {
			sb_adds(o, "TRY_CAST(");
			ARG(0, o);
			sb_adds(o, " AS TIMESTAMP)");
		}
		rt = mkt(c, FT_TIMESTAMP, true);
		rt->len = 3;
	} else if (!strcmp(F, "TO_DATE")) {
		if (na > 1 && n->args[1]->k == N_STR) {
			sb_adds(o, "CAST(try_strptime(");
			ARG(0, o);
			sb_adds(o, ", ");
			java_fmt(o, n->args[1]->s);
			sb_adds(o, ") AS DATE)");
		} else {
			sb_adds(o, "TRY_CAST(");
			ARG(0, o);
			sb_adds(o, " AS DATE)");
		}
		rt = mkt(c, FT_DATE, true);
	} else if (!strcmp(F, "TO_TIMESTAMP_LTZ")) {
		long long prec = na > 1 && n->args[1]->k == N_NUM ? atoll(n->args[1]->s) : 3;
		sb_adds(o, "timezone('UTC', epoch_ms(CAST((");
		ARG(0, o);
		sb_addf(o, ") * %s AS BIGINT)))", prec == 0 ? "1000" : "1");
		rt = mkt(c, FT_TIMESTAMP_LTZ, true);
		rt->len = 3;
	} else if (!strcmp(F, "UNIX_TIMESTAMP")) {
		if (!na) {
			sb_adds(o, "CAST(epoch(current_timestamp) AS BIGINT)");
		} else {
			sb_adds(o, "CAST(epoch(CAST(");
			if (na > 1 && n->args[1]->k == N_STR) {
				sb_adds(o, "try_strptime(");
				ARG(0, o);
				sb_adds(o, ", ");
				java_fmt(o, n->args[1]->s);
				sb_addc(o, ')');
			} else {
				sb_adds(o, "TRY_CAST(");
				ARG(0, o);
				sb_adds(o, " AS TIMESTAMP)");
			}
			sb_adds(o, " AS TIMESTAMPTZ)) AS BIGINT)");
		}
		rt = mkt(c, FT_BIGINT, na > 0);
	} else if (!strcmp(F, "FROM_UNIXTIME")) {
		sb_adds(o, "strftime(CAST(to_timestamp(");
		ARG(0, o);
		sb_adds(o, ") AS TIMESTAMP), ");
		if (na > 1 && n->args[1]->k == N_STR)
			java_fmt(o, n->args[1]->s);
		else
			sb_adds(o, "'%Y-%m-%d %H:%M:%S'");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "CURRENT_TIMESTAMP") || !strcmp(F, "NOW") || !strcmp(F, "CURRENT_ROW_TIMESTAMP")) {
		sb_adds(o, "date_trunc('millisecond', current_timestamp)");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
	} else if (!strcmp(F, "PROCTIME")) {
		sb_adds(o, "date_trunc('millisecond', current_timestamp)");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
		rt->attr = TA_PROCTIME;
	} else if (!strcmp(F, "LOCALTIMESTAMP")) {
		sb_adds(o, "date_trunc('millisecond', CAST(current_timestamp AS TIMESTAMP))");
		rt = mkt(c, FT_TIMESTAMP, false);
		rt->len = 3;
	} else if (!strcmp(F, "CURRENT_DATE")) {
		sb_adds(o, "CAST(CAST(current_timestamp AS TIMESTAMP) AS DATE)");
		rt = mkt(c, FT_DATE, false);
	} else if (!strcmp(F, "CURRENT_TIME") || !strcmp(F, "LOCALTIME")) {
		sb_adds(o, "CAST(date_trunc('second', CAST(current_timestamp AS TIMESTAMP)) AS TIME)");
		rt = mkt(c, FT_TIME, false);
	} else if (!strcmp(F, "CURRENT_USER") || !strcmp(F, "USER")) {
		sb_adds(o, "'flink'");
		rt = mkt(c, FT_VARCHAR, false);
	} else if (!strcmp(F, "TIMESTAMPADD")) {
		const char *u = n->unit;
		sb_addc(o, '(');
		struct sb ts = SB_INIT, k = SB_INIT;
		at[1] = tr_expr(c, n->args[1], sc, &ts);
		tr_expr(c, n->args[0], sc, &k);
		const char *du = !strcmp(u, "QUARTER") ? "MONTH" : u;
		long long mult = !strcmp(u, "QUARTER") ? 3 : 1;
		if (!strcmp(u, "WEEK")) {
			du = "DAY";
			mult = 7;
		}
		sb_addf(o, "%s + CAST(%s AS BIGINT) * %lld * INTERVAL '1' %s)", ts.buf, k.buf, mult, du);
		sb_release(&ts);
		sb_release(&k);
		rt = at[1] ? ft_copy(c->a, at[1]) : NULL;
		if (rt)
			rt->attr = TA_NONE;
	} else if (!strcmp(F, "TIMESTAMPDIFF")) {
		sb_addf(o, "CAST(date_sub('%s', ", n->unit);
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, true);
	} else if (!strcmp(F, "YEAR") || !strcmp(F, "MONTH") || !strcmp(F, "DAYOFMONTH") || !strcmp(F, "HOUR") ||
		!strcmp(F, "MINUTE") || !strcmp(F, "SECOND") || !strcmp(F, "QUARTER") || !strcmp(F, "WEEK") ||
		!strcmp(F, "DAYOFYEAR") || !strcmp(F, "DAYOFWEEK")) {
		const char *part = !strcmp(F, "DAYOFMONTH") ? "day" : !strcmp(F, "DAYOFYEAR") ? "doy" :
			!strcmp(F, "DAYOFWEEK") ? "dow" : F;
		sb_adds(o, "(extract(");
		sb_adds(o, part);
		sb_adds(o, " FROM ");
		ARG(0, o);
		sb_addf(o, ")%s)", !strcmp(F, "DAYOFWEEK") ? " + 1" : "");
		rt = mkt(c, FT_BIGINT, true);
	} else if (!strcmp(F, "UUID")) {
		sb_adds(o, "CAST(uuid() AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, false);
	} else if (!strcmp(F, "JSON_VALUE")) {
		sb_adds(o, "json_extract_string(");
		tr_emit_args(c, n->args, na > 2 ? 2 : na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "JSON_QUERY")) {
		sb_adds(o, "CAST(json_extract(");
		tr_emit_args(c, n->args, na > 2 ? 2 : na, sc, o, at);
		sb_adds(o, ") AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "JSON_EXISTS")) {
		sb_adds(o, "json_exists(");
		tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BOOLEAN, true);
	} else if (!strcmp(F, "CARDINALITY")) {
		sb_adds(o, "CAST(len(");
		ARG(0, o);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, true);
	} else if (!strncmp(F, "TUMBLE", 6) || !strncmp(F, "HOP", 3) || !strncmp(F, "SESSION", 7)) {
		sb_release(&a0);
		sb_release(&call);
		sb_release(&wpost);
		return group_window(c, n, sc, out, F);
	} else {
		/* anything else is handed to DuckDB under its own name */
		for (const char *p = f; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		if (n->star)
			sb_addc(o, '*');
		else
			tr_emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
	}
#undef ARG
	if (filt) {
		sb_adds(o, " FILTER (WHERE ");
		tr_expr(c, n->args[n->nargs - 1], sc, o);
		sb_addc(o, ')');
	}
	if (window) {
		sb_adds(o, " OVER ");
		bool ranking = !strcasecmp(f, "ROW_NUMBER") || !strcasecmp(f, "RANK") || !strcasecmp(f, "DENSE_RANK");
		tr_window(c, n->over, sc, o, ranking);
	}
	sb_addf(out, "%s%s%s", wrap_pre, call.buf, wrap_post);
	sb_release(&call);
	sb_release(&wpost);
	sb_release(&a0);
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
