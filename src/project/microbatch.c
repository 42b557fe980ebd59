/*
 * Microbatch models, as dbt 1.9 sees them: whether they run batch by batch
 * (Manifest.use_microbatch_batches); the configs a model needs for that, checked when the
 * project loads (ManifestLoader.check_valid_microbatch_config), with dbt's messages; and their
 * batches, as MicrobatchBuilder cuts them (core/dbt/materializations/incremental/microbatch.py):
 * times are whole seconds since the epoch, in UTC, and a batch is [start, end). The runner
 * renders and materializes the model once a batch, its refs and sources read through an
 * event_time filter of that window.
 */
#define _GNU_SOURCE 1 /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sb.h"
#include "project/load_internal.h"

/* ---------------------------------------------------------------- batches */

static const char *const size_names[] = {"hour", "day", "month", "year"};

bool mb_size_of(value v, enum mb_size *out)
{
	for (int i = 0; i < 4; i++) {
		if (val_streq(v, size_names[i])) {
			*out = (enum mb_size)i;
			return true;
		}
	}
	return false;
}

static struct tm utc_tm(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	return tm;
}

static int64_t from_tm(struct tm *tm)
{
	return (int64_t)timegm(tm);
}

int64_t mb_truncate(int64_t t, enum mb_size size)
{
	struct tm tm = utc_tm(t);
	tm.tm_min = tm.tm_sec = 0;
	if (size >= MB_DAY)
		tm.tm_hour = 0;
	if (size >= MB_MONTH)
		tm.tm_mday = 1;
	if (size == MB_YEAR)
		tm.tm_mon = 0;
	return from_tm(&tm);
}

/* offset_timestamp: the truncated time moved by `off` batches (a month through its days, as dbt) */
int64_t mb_offset(int64_t t, enum mb_size size, int off)
{
	int64_t at = mb_truncate(t, size);
	switch (size) {
	case MB_HOUR: return at + (int64_t)off * 3600;
	case MB_DAY: return at + (int64_t)off * 86400;
	case MB_MONTH:
		for (int i = 0; i < abs(off); i++)
			at = mb_truncate(off < 0 ? at - 86400 : at + 31 * 86400, MB_MONTH);
		return at;
	case MB_YEAR: {
		struct tm tm = utc_tm(at);
		tm.tm_year += off;
		return from_tm(&tm);
	}
	}
	return at;
}

int64_t mb_ceiling(int64_t t, enum mb_size size)
{
	int64_t at = mb_truncate(t, size);
	return at == t ? at : mb_offset(at, size, 1);
}

size_t mb_batches(int64_t start, int64_t end, enum mb_size size, struct mb_batch **out)
{
	size_t n = 0, cap = 8;
	struct mb_batch *b = xmalloc(cap * sizeof(*b));
	int64_t s = start, e = mb_offset(start, size, 1);
	b[n++] = (struct mb_batch){s, e};
	while (e < end) {
		s = e;
		e = mb_offset(s, size, 1);
		if (n == cap)
			b = xrealloc(b, (cap *= 2) * sizeof(*b));
		b[n++] = (struct mb_batch){s, e};
	}
	/* the last batch stops at the end itself */
	b[n - 1].end = end;
	*out = b;
	return n;
}

int64_t mb_start(enum mb_size size, int lookback, bool incremental, bool has_event_time_start,
		 int64_t event_time_start, int64_t begin, int64_t checkpoint)
{
	if (has_event_time_start)
		return mb_truncate(event_time_start, size);
	if (!incremental)
		return mb_truncate(begin, size);
	/* a checkpoint on a batch boundary ends the last batch: one batch further back */
	if (checkpoint == mb_truncate(checkpoint, size))
		lookback++;
	return mb_offset(checkpoint, size, -lookback);
}

void mb_format_start(int64_t t, enum mb_size size, bool id, char out[32])
{
	struct tm tm = utc_tm(t);
	static const char *const fmt[2][4] = {{"%Y-%m-%dT%H", "%Y-%m-%d", "%Y-%m", "%Y"},
					      {"%Y%m%dT%H", "%Y%m%d", "%Y%m", "%Y"}};
	strftime(out, 32, fmt[id ? 1 : 0][size], &tm);
}

void mb_time_str(int64_t t, char out[32])
{
	struct tm tm = utc_tm(t);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S+00:00", &tm);
}

bool mb_parse_time(const char *s, int64_t *out)
{
	/* click.DateTime's formats, and a datetime's str() with an offset of +00:00 or Z */
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return false;
	const char *t = s + 10;
	if (*t == ' ' || *t == 'T') {
		int u2 = 0;
		if (sscanf(t + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &u2) != 3 || u2 != 8)
			return false;
		t += 1 + u2;
		if (*t == '.')
			for (t++; *t >= '0' && *t <= '9'; t++)
				;
		if (!strcmp(t, "Z") || !strcmp(t, "+00:00") || !strcmp(t, "+0000"))
			t += strlen(t);
	}
	if (*t || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = from_tm(&tm);
	return true;
}

/* ---------------------------------------------------------------- the model's configs */

/*
 * Batches, unless a project overrides the get_incremental_microbatch_sql macro itself and has not
 * opted in with flags: require_batched_execution_for_custom_microbatch_strategy (dbt's behaviour
 * change flag): its own strategy then gets the model's whole output once, as before dbt 1.9
 */
bool proj_microbatch_batches(const struct project *p)
{
	value flags = p->yml.type == V_DICT ? val_dict_gets(p->yml, "flags") : val_undef();
	value opt = flags.type == V_DICT ? val_dict_gets(flags, "require_batched_execution_for_custom_microbatch_strategy")
					 : val_undef();
	if (opt.type == V_BOOL && opt.b)
		return true;
	for (size_t i = 0; i < p->nmacros; i++)
		if (!strcmp(p->macros[i]->name, "get_incremental_microbatch_sql") && strcmp(p->macros[i]->package, "dbt"))
			return false;
	return true;
}

bool proj_microbatch_begin(const struct node *n, int64_t *out)
{
	/* a datetime (modules.datetime) by its str(), or the text of one */
	value begin = val_dict_gets(n->config, "begin");
	if (begin.type != V_STR && begin.type != V_OBJ)
		return false;
	struct sb s = SB_INIT;
	val_str_to(&s, begin);
	int64_t t = 0;
	bool ok = mb_parse_time(s.buf ? s.buf : "", &t);
	sb_release(&s);
	if (ok && out)
		*out = t;
	return ok;
}

bool proj_is_microbatch(const struct node *n)
{
	return n->type == NODE_MODEL && val_streq(val_dict_gets(n->config, "materialized"), "incremental") &&
	       val_streq(val_dict_gets(n->config, "incremental_strategy"), "microbatch");
}

/* A value's Python type, as dbt's messages print type(x) */
static const char *py_type(value v)
{
	switch (v.type) {
	case V_BOOL: return "<class 'bool'>";
	case V_INT: return "<class 'int'>";
	case V_FLOAT: return "<class 'float'>";
	case V_STR: return "<class 'str'>";
	case V_LIST: return "<class 'list'>";
	case V_DICT: return "<class 'dict'>";
	case V_NONE: return "<class 'NoneType'>";
	default: return "<class 'object'>";
	}
}

static int bad(struct diag_list *dl, const struct node *n, const char *hint, const char *fmt, const char *a,
	       const char *b)
{
	struct diag *d = diag_error(dl, loc_at(n->file, 1, 1, 0), fmt, a, b);
	diag_hint(dl, d, "%s", hint);
	return -1;
}

static int check_model(const struct node *n, struct diag_list *dl)
{
	value et = val_dict_gets(n->config, "event_time"), begin = val_dict_gets(n->config, "begin");
	value bs = val_dict_gets(n->config, "batch_size"), lb = val_dict_gets(n->config, "lookback");
	value cb = val_dict_gets(n->config, "concurrent_batches");
	static const char et_hint[] = "set config(event_time='the column of each row's event time')";
	if (et.type == V_UNDEF || et.type == V_NONE)
		return bad(dl, n, et_hint,
			   "Microbatch model '%s' must provide an 'event_time' (string) config that indicates the name of the "
			   "event time column.%s", n->name, "");
	if (et.type != V_STR)
		return bad(dl, n, et_hint, "Microbatch model '%s' must provide an 'event_time' config of type string, but got: %s.",
			   n->name, py_type(et));
	static const char begin_hint[] = "set config(begin='2024-01-01'): the earliest event time the model is built from";
	if (begin.type == V_UNDEF || begin.type == V_NONE)
		return bad(dl, n, begin_hint,
			   "Microbatch model '%s' must provide a 'begin' (datetime) config that indicates the earliest "
			   "timestamp the microbatch model should be built from.%s", n->name, "");
	if (begin.type == V_STR && !proj_microbatch_begin(n, NULL))
		return bad(dl, n, begin_hint,
			   "Microbatch model '%s' must provide a 'begin' config of valid datetime (ISO format), but got: %s.",
			   n->name, begin.s);
	if (begin.type != V_STR && !proj_microbatch_begin(n, NULL))
		return bad(dl, n, begin_hint, "Microbatch model '%s' must provide a 'begin' config of type datetime, but got: %s.",
			   n->name, py_type(begin));
	if (!(val_streq(bs, "hour") || val_streq(bs, "day") || val_streq(bs, "month") || val_streq(bs, "year")))
		return bad(dl, n, "set config(batch_size='day') (or hour, month, year)",
			   "Microbatch model '%s' must provide a 'batch_size' config that is one of ['hour', 'day', 'month', "
			   "'year'], but got: %s.", n->name, bs.type == V_STR ? bs.s : "None");
	if (lb.type != V_INT && lb.type != V_UNDEF && lb.type != V_NONE)
		return bad(dl, n, "set config(lookback=1): how many batches before the last one a run builds again",
			   "Microbatch model '%s' must provide the optional 'lookback' config as type int, but got: %s).",
			   n->name, py_type(lb));
	if (cb.type != V_BOOL && cb.type != V_UNDEF && cb.type != V_NONE)
		return bad(dl, n, "set config(concurrent_batches=true) or false",
			   "Microbatch model '%s' optional 'concurrent_batches' config must be of type `bool` if specified, but "
			   "got: %s).", n->name, py_type(cb));
	return 0;
}

int proj_check_microbatch(struct project *p, struct diag_list *dl)
{
	if (!proj_microbatch_batches(p))
		return 0;
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i]->enabled && proj_is_microbatch(p->nodes[i]) && check_model(p->nodes[i], dl) < 0)
			return -1;
	return 0;
}
