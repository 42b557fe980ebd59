/*
 * modules.datetime (datetime, date, time, timedelta objects as Python has them, with their
 * arithmetic operators, and add()/subtract() methods as well; tzinfo as a name) and modules.itertools (product, chain,
 * combinations, permutations, islice, groupby, accumulate, zip_longest, ...), for dbt code that
 * calls them. Iterators are lists here: templates consume them whole anyway.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/inputs.h"
#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

enum dt_kind { DT_DATETIME, DT_DATE, DT_DELTA, DT_TIME };

struct dt {
	enum dt_kind kind;
	int64_t us;   /* datetime/date: microseconds since the epoch (UTC); delta: length; time:
		       * microseconds since midnight */
	bool utc;     /* an aware datetime (prints its offset, +00:00 in UTC) */
	const struct tz *tz;  /* its pytz zone when it has one (the offset is the zone's) */
};

/* A zone's transitions as pytz reads them from its TZif file (the version 1 data) */
struct zone {
	int64_t *trans;   /* UTC seconds */
	uint8_t *idx;     /* the type from each transition on */
	uint32_t ntrans;
	int32_t *utoff;   /* each type's offset, rounded to the minute as pytz does */
	uint8_t *isdst;
	const char **abbr;
	uint32_t ntypes;
	uint32_t first_std;  /* the type before the first transition: the first standard-time one */
};

/* A pytz tzinfo: timezone(name) gives the zone unlocalized (its first standard-time offset, local
 * mean time for most zones); localize() and astimezone() give one of the zone's offsets */
struct tz {
	const char *name;
	int offset;  /* seconds east of UTC */
	const char *abbr;
	bool dst;
	const struct zone *zone;  /* NULL: UTC */
};

static const struct vobj_class dt_class;
static value tz_value(struct arena *a, const struct tz *z);

static value make(struct arena *a, enum dt_kind kind, int64_t us, bool utc)
{
	struct dt *d = arena_alloc(a, sizeof(*d));
	d->kind = kind;
	d->us = kind == DT_DATE ? (us / 86400000000LL - (us < 0 && us % 86400000000LL ? 1 : 0)) * 86400000000LL : us;
	d->utc = utc;
	d->tz = NULL;
	return val_obj(a, &dt_class, d);
}

/* the same, in zone tz (NULL: none) */
static value make_tz(struct arena *a, enum dt_kind kind, int64_t us, bool utc, const struct tz *tz)
{
	value v = make(a, kind, us, utc || tz);
	((struct dt *)v.o->data)->tz = tz;
	return v;
}

/* An aware datetime's offset from UTC in microseconds (0 for a naive one) */
static int64_t offset_us(const struct dt *d)
{
	return d->utc && d->tz ? (int64_t)d->tz->offset * 1000000 : 0;
}

/* The instant a datetime is, in microseconds since the epoch: an aware one's wall time less its
 * offset, a naive one's in the system's local time (as Python's datetime.timestamp reads it) */
static int64_t instant_us(const struct dt *d)
{
	if (d->utc || d->kind != DT_DATETIME)
		return d->us - offset_us(d);
	int64_t s = d->us / 1000000 - (d->us % 1000000 < 0 ? 1 : 0), frac = d->us - s * 1000000;
	struct tm tm;
	time_t t = (time_t)s;
	gmtime_r(&t, &tm);
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000000 + frac;
}

value dbt_datetime_now(struct arena *a, bool utc)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return make(a, DT_DATETIME, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, utc);
}

static void to_tm(int64_t us, struct tm *tm, long *pmicro)
{
	int64_t s = us / 1000000, micro = us % 1000000;
	if (micro < 0) {
		micro += 1000000;
		s--;
	}
	time_t t = (time_t)s;
	gmtime_r(&t, tm);
	*pmicro = (long)micro;
}

static int64_t from_parts(int y, int mo, int d, int h, int mi, int s, long us)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

static void fmt(const struct dt *d, struct sb *out, char sep)
{
	struct tm tm;
	long micro;
	if (d->kind == DT_DELTA) {
		/* Python keeps the seconds positive: -7 hours is "-1 day, 17:00:00" */
		int64_t days = d->us / 86400000000LL, rest = d->us % 86400000000LL;
		if (rest < 0) {
			rest += 86400000000LL;
			days--;
		}
		if (days)
			sb_addf(out, "%lld day%s, ", (long long)days, days == 1 || days == -1 ? "" : "s");
		sb_addf(out, "%lld:%02lld:%02lld", (long long)(rest / 3600000000LL), (long long)(rest / 60000000 % 60),
			(long long)(rest / 1000000 % 60));
		if (rest % 1000000)
			sb_addf(out, ".%06lld", (long long)(rest % 1000000));
		return;
	}
	to_tm(d->us, &tm, &micro);
	if (d->kind != DT_TIME)
		sb_addf(out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (d->kind == DT_DATE)
		return;
	if (d->kind != DT_TIME)
		sb_addc(out, sep);
	sb_addf(out, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (micro)
		sb_addf(out, ".%06ld", micro);
	if (d->utc) {
		int off = d->tz ? d->tz->offset : 0;
		int m = (off < 0 ? -off : off) / 60;
		sb_addf(out, "%c%02d:%02d", off < 0 ? '-' : '+', m / 60, m % 60);
	}
}

static void dt_str(struct vobj *o, struct sb *out)
{
	fmt(o->data, out, ' ');
}

static value m_isoformat(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value sep = jj_arg(args, 0, "sep", val_str("T"));
	struct sb s = SB_INIT;
	fmt(ud, &s, sep.type == V_STR && sep.len ? sep.s[0] : 'T');
	value v = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return v;
}

static value m_strftime(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	const char *f = dbt_str_arg(vm, args, 0, "format", "strftime", true);
	struct tm tm;
	long micro;
	to_tm(d->us, &tm, &micro);
	struct sb s = SB_INIT;
	for (const char *p = f; *p; p++) {
		if (*p != '%' || !p[1]) {
			sb_addc(&s, *p);
			continue;
		}
		p++;
		if (*p == 'f') {
			sb_addf(&s, "%06ld", micro);
			continue;
		}
		if (*p == 'z') {
			int off = d->tz ? d->tz->offset : 0, m = (off < 0 ? -off : off) / 60;
			if (d->utc)
				sb_addf(&s, "%c%02d%02d", off < 0 ? '-' : '+', m / 60, m % 60);
			continue;
		}
		if (*p == 'Z') {
			sb_adds(&s, !d->utc ? "" : d->tz && d->tz->abbr ? d->tz->abbr : "UTC");
			continue;
		}
		char spec[3] = {'%', *p, 0}, buf[128];
		size_t n = strftime(buf, sizeof(buf), spec, &tm);
		sb_add(&s, buf, n);
	}
	value v = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return v;
}

static value m_date(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	return make(jj_arena(vm), DT_DATE, d->us, false);
}

static int64_t time_of_day(int64_t us)
{
	int64_t day = 86400000000LL, r = us % day;
	return r < 0 ? r + day : r;
}

/* datetime.time(): its wall time, naive; timetz(): with its zone */
static value m_time(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	return make(jj_arena(vm), DT_TIME, time_of_day(d->us), false);
}

static value m_timetz(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	return make_tz(jj_arena(vm), DT_TIME, time_of_day(d->us), d->utc, d->tz);
}

static value m_weekday(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct tm tm;
	long micro;
	to_tm(((struct dt *)ud)->us, &tm, &micro);
	return val_int((tm.tm_wday + 6) % 7);
}

static value m_isoweekday(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_int(m_weekday(vm, ud, args).i + 1);
}

static value m_timestamp(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_float((double)instant_us(ud) / 1e6);
}

static value m_total_seconds(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_float((double)((struct dt *)ud)->us / 1e6);
}

/* replace(year=, month=, day=, hour=, minute=, second=, microsecond=) */
static value m_replace(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	struct tm tm;
	long micro;
	to_tm(d->us, &tm, &micro);
	int parts[7] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)micro};
	static const char *const names[7] = {"year", "month", "day", "hour", "minute", "second", "microsecond"};
	for (int i = 0; i < 7; i++) {
		value v = jj_arg(args, SIZE_MAX, names[i], val_undef());
		if (v.type == V_INT)
			parts[i] = (int)v.i;
	}
	int64_t us = from_parts(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]);
	return make_tz(jj_arena(vm), d->kind, d->kind == DT_TIME ? time_of_day(us) : us, d->utc, d->tz);
}

/* arithmetic as methods, since operators do not reach objects: d.add(days=1), d.subtract(td) */
static int64_t delta_of(const struct vargs *args)
{
	value td = jj_arg(args, 0, "delta", val_undef());
	if (td.type == V_OBJ && td.o->cls == &dt_class && ((struct dt *)td.o->data)->kind == DT_DELTA)
		return ((struct dt *)td.o->data)->us;
	static const struct {
		const char *name;
		double us;
	} units[] = {{"weeks", 604800e6}, {"days", 86400e6}, {"hours", 3600e6}, {"minutes", 60e6},
		     {"seconds", 1e6}, {"milliseconds", 1e3}, {"microseconds", 1}};
	double total = 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		value v = jj_arg(args, SIZE_MAX, units[i].name, val_int(0));
		total += (v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : 0) * units[i].us;
	}
	return (int64_t)total;
}

static value m_add(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	return make_tz(jj_arena(vm), d->kind, d->us + delta_of(args), d->utc, d->tz);
}

static value m_subtract(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	value other = jj_arg(args, 0, "other", val_undef());
	if (other.type == V_OBJ && other.o->cls == &dt_class && ((struct dt *)other.o->data)->kind != DT_DELTA)
		return make(jj_arena(vm), DT_DELTA, d->us - ((struct dt *)other.o->data)->us, false);
	return make_tz(jj_arena(vm), d->kind, d->us - delta_of(args), d->utc, d->tz);
}

static value m_astimezone(struct jj_vm *vm, void *ud, const struct vargs *args);
static value m_utcoffset(struct jj_vm *vm, void *ud, const struct vargs *args);
static value m_tzname(struct jj_vm *vm, void *ud, const struct vargs *args);

static value dt_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct dt *d = o->data;
	struct arena *a = jj_arena(vm);
	struct tm tm;
	long micro;
	to_tm(d->us, &tm, &micro);
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (d->kind == DT_DELTA) {
		/* Python's normal form: days may be negative, seconds and microseconds never are */
		int64_t day = 86400000000LL, days = d->us / day - (d->us % day < 0 ? 1 : 0), rest = d->us - days * day;
		if (IS("days"))
			return val_int(days);
		if (IS("seconds"))
			return val_int(rest / 1000000);
		if (IS("microseconds"))
			return val_int(rest % 1000000);
		if (IS("total_seconds"))
			return val_func(a, "total_seconds", m_total_seconds, d);
		return val_undef();
	}
	if (d->kind == DT_TIME || d->kind == DT_DATETIME) {
		/* the clock that a time and a datetime share */
		if (IS("hour"))
			return val_int(tm.tm_hour);
		if (IS("minute"))
			return val_int(tm.tm_min);
		if (IS("second"))
			return val_int(tm.tm_sec);
		if (IS("microsecond"))
			return val_int(micro);
		if (IS("tzinfo"))
			return d->tz ? tz_value(a, d->tz) : d->utc ? val_str("UTC") : val_none();
	}
	if (IS("strftime"))
		return val_func(a, "strftime", m_strftime, d);
	if (IS("isoformat"))
		return val_func(a, "isoformat", m_isoformat, d);
	if (IS("replace"))
		return val_func(a, "replace", m_replace, d);
	if (d->kind == DT_TIME)
		return val_undef();
	if (IS("year"))
		return val_int(tm.tm_year + 1900);
	if (IS("month"))
		return val_int(tm.tm_mon + 1);
	if (IS("day"))
		return val_int(tm.tm_mday);
	if (d->kind == DT_DATETIME) {
		if (IS("date"))
			return val_func(a, "date", m_date, d);
		if (IS("time"))
			return val_func(a, "time", m_time, d);
		if (IS("timetz"))
			return val_func(a, "timetz", m_timetz, d);
		if (IS("timestamp"))
			return val_func(a, "timestamp", m_timestamp, d);
		if (IS("astimezone"))
			return val_func(a, "astimezone", m_astimezone, d);
		if (IS("utcoffset"))
			return val_func(a, "utcoffset", m_utcoffset, d);
		if (IS("tzname"))
			return val_func(a, "tzname", m_tzname, d);
	}
	if (IS("weekday"))
		return val_func(a, "weekday", m_weekday, d);
	if (IS("isoweekday"))
		return val_func(a, "isoweekday", m_isoweekday, d);
	if (IS("add"))
		return val_func(a, "add", m_add, d);
	if (IS("subtract"))
		return val_func(a, "subtract", m_subtract, d);
#undef IS
	return val_undef();
}

static int dt_cmp(struct vobj *o, value other, int *pcmp)
{
	if (other.type != V_OBJ || other.o->cls != &dt_class)
		return -1;
	const struct dt *x = o->data, *y = other.o->data;
	/* a time is ordered with times alone (TypeError otherwise) */
	if ((x->kind == DT_TIME) != (y->kind == DT_TIME))
		return -1;
	/* Python orders aware datetimes by their instant, and refuses to order an aware one and a
	 * naive one (TypeError: can't compare offset-naive and offset-aware datetimes) */
	if (x->kind == DT_DATETIME && y->kind == DT_DATETIME && x->utc != y->utc)
		return -1;
	int64_t a = x->us - offset_us(x), b = y->us - offset_us(y);
	*pcmp = a < b ? -1 : a > b;
	return 0;
}

static bool dt_eq(struct vobj *o, value other)
{
	int c;
	/* an aware and a naive datetime are never equal */
	return dt_cmp(o, other, &c) == 0 && c == 0;
}

static struct dt *as_dt(value v)
{
	return v.type == V_OBJ && v.o->cls == &dt_class ? v.o->data : NULL;
}

/* Python's datetime arithmetic: a point +/- a delta is a point, a point minus a point is a delta,
 * and deltas add, subtract, scale and divide */
static value dt_binop(struct jj_vm *vm, int op, value a, value b)
{
	struct dt *x = as_dt(a), *y = as_dt(b);
	struct arena *ar = jj_arena(vm);
	enum { ADD, SUB, MUL, DIV, FLOORDIV };
	bool xd = x && x->kind == DT_DELTA, yd = y && y->kind == DT_DELTA;
	/* a time takes no arithmetic in Python (unsupported operand types) */
	if ((x && x->kind == DT_TIME) || (y && y->kind == DT_TIME))
		return val_undef();
	if (op == ADD && x && yd)
		return make_tz(ar, x->kind, x->us + y->us, x->utc, x->tz);
	if (op == ADD && xd && y)
		return make_tz(ar, y->kind, x->us + y->us, y->utc, y->tz);
	if (op == SUB && x && yd)
		return make_tz(ar, x->kind, x->us - y->us, x->utc, x->tz);
	if (op == SUB && x && y && !xd && !yd && (x->kind == y->kind)) {
		if (x->utc != y->utc)
			jj_raise(vm, "TypeError: can't subtract offset-naive and offset-aware datetimes");
		return make(ar, DT_DELTA, (x->us - offset_us(x)) - (y->us - offset_us(y)), false);
	}
	if (op == MUL && (xd || yd)) {
		value n = xd ? b : a;
		struct dt *d = xd ? x : y;
		if (n.type == V_INT)
			return make(ar, DT_DELTA, d->us * n.i, false);
		if (n.type == V_FLOAT)
			return make(ar, DT_DELTA, (int64_t)((double)d->us * n.f), false);
	}
	if ((op == DIV || op == FLOORDIV) && xd) {
		if (yd) {
			if (!y->us)
				jj_raise(vm, "division by zero");
			return op == DIV ? val_float((double)x->us / (double)y->us) : val_int(x->us / y->us);
		}
		if ((b.type == V_INT && b.i) || (b.type == V_FLOAT && b.f != 0))
			return make(ar, DT_DELTA, b.type == V_INT ? x->us / b.i : (int64_t)((double)x->us / b.f), false);
		if (b.type == V_INT || b.type == V_FLOAT)
			jj_raise(vm, "division by zero");
	}
	return val_undef();
}

static void *dup_mem(struct arena *a, const void *p, size_t n)
{
	return memcpy(arena_alloc(a, n ? n : 1), p, n);
}

/* A copy in arena a (a datetime kept in graph, past its render), with its zone and the zone's
 * transitions, which live in the arena of the render that loaded them */
static value dt_copy(struct arena *a, struct vobj *o)
{
	const struct dt *d = o->data;
	struct tz *z = NULL;
	if (d->tz) {
		z = arena_alloc(a, sizeof(*z));
		*z = *d->tz;
		z->name = arena_strdup(a, d->tz->name);
		z->abbr = d->tz->abbr ? arena_strdup(a, d->tz->abbr) : NULL;
		const struct zone *from = d->tz->zone;
		if (from) {
			struct zone *zc = arena_alloc(a, sizeof(*zc));
			*zc = *from;
			zc->trans = dup_mem(a, from->trans, from->ntrans * sizeof(*from->trans));
			zc->idx = dup_mem(a, from->idx, from->ntrans);
			zc->utoff = dup_mem(a, from->utoff, from->ntypes * sizeof(*from->utoff));
			zc->isdst = dup_mem(a, from->isdst, from->ntypes);
			zc->abbr = arena_alloc(a, (from->ntypes + 1) * sizeof(*zc->abbr));
			for (uint32_t i = 0; i < from->ntypes; i++)
				zc->abbr[i] = from->abbr[i] ? arena_strdup(a, from->abbr[i]) : NULL;
			z->zone = zc;
		}
	}
	return make_tz(a, d->kind, d->us, d->utc, z);
}

static const struct vobj_class dt_class = {
	.name = "datetime",
	.copy = dt_copy,
	.getattr = dt_getattr,
	.str = dt_str,
	.cmp = dt_cmp,
	.eq = dt_eq,
	.binop = dt_binop,
};

/* ---- modules.pytz ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads zone NAME from the system's zoneinfo (TZif) files into `a`; -1 when there is no such zone */
static int zone_load(struct arena *a, const char *name, struct zone **pz)
{
	if (!*name || strstr(name, "..") || name[0] == '/')
		return -1;
	char path[512];
	const char *dir = inputs_getenv("TZDIR");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	unsigned char buf[65536];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < 44 || memcmp(buf, "TZif", 4))
		return -1;
	uint32_t timecnt = be32(buf + 32), typecnt = be32(buf + 36), charcnt = be32(buf + 40);
	size_t need = 44 + (size_t)timecnt * 5 + (size_t)typecnt * 6 + charcnt;
	if (typecnt == 0 || typecnt > 255 || need > len)
		return -1;
	struct zone *z = arena_zalloc(a, sizeof(*z));
	z->ntrans = timecnt;
	z->trans = arena_alloc(a, (timecnt + 1) * sizeof(int64_t));
	z->idx = arena_alloc(a, timecnt + 1);
	const unsigned char *p = buf + 44;
	for (uint32_t i = 0; i < timecnt; i++)
		z->trans[i] = (int32_t)be32(p + 4 * i);
	p += 4 * timecnt;
	for (uint32_t i = 0; i < timecnt; i++)
		z->idx[i] = p[i] < typecnt ? p[i] : 0;
	p += timecnt;
	const char *chars = (const char *)p + 6 * typecnt;
	z->ntypes = typecnt;
	z->utoff = arena_alloc(a, typecnt * sizeof(int32_t));
	z->isdst = arena_alloc(a, typecnt);
	z->abbr = arena_alloc(a, typecnt * sizeof(char *));
	for (uint32_t i = 0; i < typecnt; i++) {
		int32_t off = (int32_t)be32(p + 6 * i);
		z->utoff[i] = (off >= 0 ? off + 30 : off - 30) / 60 * 60;
		z->isdst[i] = p[6 * i + 4];
		uint8_t ai = p[6 * i + 5];
		z->abbr[i] = ai < charcnt ? arena_strndup(a, chars + ai, strnlen(chars + ai, charcnt - ai)) : "";
	}
	while (z->first_std + 1 < typecnt && z->isdst[z->first_std])
		z->first_std++;
	*pz = z;
	return 0;
}

/* The type in force at UTC second t */
static uint32_t zone_type_at(const struct zone *z, int64_t t)
{
	uint32_t lo = 0, hi = z->ntrans;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? z->first_std : z->idx[lo - 1];
}

/* The tzinfo of zone `base` for type i, in `a` */
static const struct tz *tz_for_type(struct arena *a, const struct tz *base, uint32_t i)
{
	struct tz *t = arena_alloc(a, sizeof(*t));
	*t = *base;
	t->offset = base->zone->utoff[i];
	t->abbr = base->zone->abbr[i];
	t->dst = base->zone->isdst[i];
	return t;
}

static const struct vobj_class tz_class;

static value m_localize(struct jj_vm *vm, void *ud, const struct vargs *args);

static value tz_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	const struct tz *z = o->data;
	if (n == 4 && !memcmp(name, "zone", 4))
		return val_str(z->name);
	if (n == 8 && !memcmp(name, "localize", 8))
		return val_func(jj_arena(vm), "localize", m_localize, (void *)z);
	return val_undef();
}

static void tz_str(struct vobj *o, struct sb *out)
{
	sb_adds(out, ((const struct tz *)o->data)->name);
}

static const struct vobj_class tz_class = {
	.name = "tzinfo",
	.getattr = tz_getattr,
	.str = tz_str,
};

static value tz_value(struct arena *a, const struct tz *z)
{
	return val_obj(a, &tz_class, (void *)z);
}

static const struct tz *tz_of(value v)
{
	return v.type == V_OBJ && v.o->cls == &tz_class ? v.o->data : NULL;
}

/*
 * tz.localize(dt, is_dst=False): the naive dt in the zone, as pytz does it: the offsets in force a
 * day either side are tried; a time that happens twice takes the one whose DST flag is is_dst, a
 * time skipped by a change the offset from six hours before (after, for is_dst=True); is_dst=None
 * makes both an error.
 */
static int64_t localize_utc(struct jj_vm *vm, const struct tz *z, int64_t wall, value is_dst, uint32_t *ptype)
{
	const struct zone *zn = z->zone;
	int64_t cand_utc[2];
	uint32_t cand_type[2], nc = 0;
	for (int k = 0; k < 2; k++) {
		uint32_t t = zone_type_at(zn, wall + (k ? 86400 : -86400));
		int64_t utc = wall - zn->utoff[t];
		uint32_t real = zone_type_at(zn, utc);
		if (utc + zn->utoff[real] != wall)
			continue;
		if (nc == 1 && cand_utc[0] == utc && cand_type[0] == real)
			continue;
		cand_utc[nc] = utc;
		cand_type[nc++] = real;
	}
	if (nc == 1) {
		*ptype = cand_type[0];
		return cand_utc[0];
	}
	if (nc == 0) {
		if (is_dst.type == V_NONE)
			jj_raise(vm, "NonExistentTimeError: the time does not exist in %s", z->name);
		int64_t shift = val_truthy(is_dst) ? 6 * 3600 : -6 * 3600;
		return localize_utc(vm, z, wall + shift, is_dst, ptype) - shift;
	}
	if (is_dst.type == V_NONE)
		jj_raise(vm, "AmbiguousTimeError: the time happens twice in %s", z->name);
	bool want = val_truthy(is_dst);
	int pick = -1;
	for (uint32_t i = 0; i < nc; i++)
		if ((zn->isdst[cand_type[i]] != 0) == want)
			pick = pick < 0 ? (int)i : -2;
	if (pick < 0) /* none or both: the earlier in UTC */
		pick = cand_utc[0] <= cand_utc[1] ? 0 : 1;
	*ptype = cand_type[pick];
	return cand_utc[pick];
}

static value m_localize(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct tz *z = ud;
	value v = jj_arg(args, 0, "dt", val_undef());
	value is_dst = jj_arg(args, 1, "is_dst", val_bool(false));
	struct dt *d = v.type == V_OBJ && v.o->cls == &dt_class ? v.o->data : NULL;
	if (!d || d->kind != DT_DATETIME)
		jj_raise(vm, "localize() takes a datetime");
	if (d->utc)
		jj_raise(vm, "ValueError: Not naive datetime (tzinfo is already set)");
	struct arena *a = jj_arena(vm);
	if (!z->zone)
		return make_tz(a, DT_DATETIME, d->us, true, z);
	int64_t s = d->us / 1000000 - (d->us % 1000000 < 0 ? 1 : 0), frac = d->us - s * 1000000;
	uint32_t type;
	int64_t utc = localize_utc(vm, z, s, is_dst, &type);
	const struct tz *t = tz_for_type(a, z, type);
	return make_tz(a, DT_DATETIME, (utc + t->offset) * 1000000 + frac, true, t);
}

/* dt.astimezone(tz): the same instant in zone tz (a naive dt is in the system's local time) */
static value m_astimezone(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dt *d = ud;
	value target = jj_arg(args, 0, "tz", val_undef());
	const struct tz *z = tz_of(target);
	if (!z)
		jj_raise(vm, "astimezone() takes a tzinfo, such as modules.pytz.timezone('Europe/Amsterdam')");
	int64_t s = d->us / 1000000 - (d->us % 1000000 < 0 ? 1 : 0), frac = d->us - s * 1000000, utc;
	if (d->utc) {
		utc = s - (d->tz ? d->tz->offset : 0);
	} else {
		struct tm tm;
		time_t t = (time_t)s;
		gmtime_r(&t, &tm);
		tm.tm_isdst = -1;
		utc = (int64_t)mktime(&tm);
	}
	struct arena *a = jj_arena(vm);
	const struct tz *t = z->zone ? tz_for_type(a, z, zone_type_at(z->zone, utc)) : z;
	return make_tz(a, DT_DATETIME, (utc + t->offset) * 1000000 + frac, true, t);
}

static value m_utcoffset(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)args;
	struct dt *d = ud;
	if (!d->utc)
		return val_none();
	return make(jj_arena(vm), DT_DELTA, (int64_t)(d->tz ? d->tz->offset : 0) * 1000000, false);
}

static value m_tzname(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)vm;
	(void)args;
	struct dt *d = ud;
	if (!d->utc)
		return val_none();
	return val_str(d->tz && d->tz->abbr ? d->tz->abbr : "UTC");
}

static value f_timezone(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	value name = jj_arg(args, 0, "zone", val_undef());
	if (name.type != V_STR)
		jj_raise(vm, "timezone() takes the name of a zone, such as 'America/Los_Angeles'");
	struct arena *a = jj_arena(vm);
	struct tz *z = arena_zalloc(a, sizeof(*z));
	z->name = val_cstr(a, name);
	struct zone *zone;
	if (!strcmp(z->name, "UTC") || !strcmp(z->name, "utc")) {
		z->name = "UTC";
		z->abbr = "UTC";
	} else if (zone_load(a, z->name, &zone) < 0) {
		jj_raise(vm, "UnknownTimeZoneError: '%s'", z->name);
	} else {
		z->zone = zone;
		z->offset = zone->utoff[zone->first_std];
		z->abbr = zone->abbr[zone->first_std];
	}
	return tz_value(a, z);
}

value dbt_module_pytz(struct arena *a)
{
	static const struct tz utc = {.name = "UTC", .offset = 0, .abbr = "UTC"};
	value m = val_dict_new(a, 3);
	val_dict_sets(m, "timezone", val_func(a, "timezone", f_timezone, NULL));
	val_dict_sets(m, "utc", tz_value(a, &utc));
	val_dict_sets(m, "UTC", tz_value(a, &utc));
	return m;
}

/* ---- constructors ---- */

static long int_arg(const struct vargs *args, size_t pos, const char *kw, long dflt)
{
	value v = jj_arg(args, pos, kw, val_int(dflt));
	return v.type == V_INT ? (long)v.i : dflt;
}

static value f_datetime(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	int64_t us = from_parts((int)int_arg(args, 0, "year", 1970), (int)int_arg(args, 1, "month", 1),
				(int)int_arg(args, 2, "day", 1), (int)int_arg(args, 3, "hour", 0),
				(int)int_arg(args, 4, "minute", 0), (int)int_arg(args, 5, "second", 0),
				int_arg(args, 6, "microsecond", 0));
	value tzi = ud ? val_none() : jj_arg(args, 7, "tzinfo", val_none());
	const struct tz *tz = tz_of(tzi);
	bool utc = tzi.type == V_STR && val_streq(tzi, "UTC");
	return make_tz(jj_arena(vm), ud ? DT_DATE : DT_DATETIME, us, utc, tz);
}

/* time(hour=0, minute=0, second=0, microsecond=0, tzinfo=None) */
static value f_time(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	long h = int_arg(args, 0, "hour", 0), mi = int_arg(args, 1, "minute", 0), sec = int_arg(args, 2, "second", 0),
	     us = int_arg(args, 3, "microsecond", 0);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || us < 0 || us > 999999)
		jj_raise(vm, "ValueError: %s must be in range", h < 0 || h > 23 ? "hour" : mi < 0 || mi > 59 ? "minute"
							     : sec < 0 || sec > 59	? "second" : "microsecond");
	value tzi = jj_arg(args, 4, "tzinfo", val_none());
	const struct tz *tz = tz_of(tzi);
	bool utc = tzi.type == V_STR && val_streq(tzi, "UTC");
	return make_tz(jj_arena(vm), DT_TIME, ((h * 60 + mi) * 60 + sec) * 1000000LL + us, utc, tz);
}

/* datetime.combine(date, time, tzinfo=time.tzinfo) */
static value f_combine(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	struct dt *d = as_dt(jj_arg(args, 0, "date", val_undef())), *t = as_dt(jj_arg(args, 1, "time", val_undef()));
	if (!d || d->kind == DT_DELTA || d->kind == DT_TIME)
		jj_raise(vm, "TypeError: combine() argument 1 must be datetime.date");
	if (!t || t->kind != DT_TIME)
		jj_raise(vm, "TypeError: combine() argument 2 must be datetime.time");
	int64_t date_us = d->us - time_of_day(d->us);
	value tzi = jj_arg(args, 2, "tzinfo", val_undef());
	if (tzi.type != V_UNDEF)
		return make_tz(jj_arena(vm), DT_DATETIME, date_us + t->us,
			       tzi.type == V_STR && val_streq(tzi, "UTC"), tz_of(tzi));
	return make_tz(jj_arena(vm), DT_DATETIME, date_us + t->us, t->utc, t->tz);
}

/* tzinfo: the abstract base class of time zones, a name to compare with; not made directly */
static value f_tzinfo(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	jj_raise(vm, "NotImplementedError: a tzinfo subclass must be used (pytz's zones are)");
}

static value f_now(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value tz = jj_arg(args, 0, "tz", val_none());
	const struct tz *z = tz_of(tz);
	value now = dbt_datetime_now(jj_arena(vm), tz.type != V_NONE);
	if (!z || (!z->zone && !z->offset))
		return now;
	/* now(tz): the time in that zone, with the offset in force there now (tz.fromutc) */
	struct arena *a = jj_arena(vm);
	int64_t us = ((struct dt *)now.o->data)->us, s = us / 1000000;
	const struct tz *t = z->zone ? tz_for_type(a, z, zone_type_at(z->zone, s)) : z;
	return make_tz(a, DT_DATETIME, us + (int64_t)t->offset * 1000000, true, t);
}

static value f_utcnow(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return dbt_datetime_now(jj_arena(vm), false);
}

static value f_today(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value now = dbt_datetime_now(jj_arena(vm), false);
	return make(jj_arena(vm), DT_DATE, ((struct dt *)now.o->data)->us, false);
}

/* The UTC offset ending an ISO time ("+05:30", "-08:00", "+0530", "Z" as Python 3.11 reads it):
 * 1 with *psec set, 0 when there is none, -1 when it is malformed */
static int iso_offset(const char *time, int *psec)
{
	const char *p = strpbrk(time, "+-Zz");
	if (!p)
		return 0;
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		*psec = 0;
		return 1;
	}
	int h = 0, m = 0, sec = 0, n = 0;
	if (sscanf(p + 1, "%2d:%2d%n", &h, &m, &n) == 2 || sscanf(p + 1, "%2d%2d%n", &h, &m, &n) == 2) {
		int more = 0;
		if (p[1 + n] == ':' && sscanf(p + 2 + n, "%2d%n", &sec, &more) == 1)
			n += 1 + more;
		if (p[1 + n] || h > 23 || m > 59 || sec > 59)
			return -1;
		*psec = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60 + sec);
		return 1;
	}
	return -1;
}

/* A fixed-offset tzinfo, as datetime.timezone(timedelta(...)) prints itself: UTC+05:30 */
static const struct tz *fixed_tz(struct arena *a, int off)
{
	struct tz *z = arena_zalloc(a, sizeof(*z));
	int m = (off < 0 ? -off : off) / 60, sec = (off < 0 ? -off : off) % 60;
	z->name = sec ? arena_sprintf(a, "UTC%c%02d:%02d:%02d", off < 0 ? '-' : '+', m / 60, m % 60, sec)
		      : arena_sprintf(a, "UTC%c%02d:%02d", off < 0 ? '-' : '+', m / 60, m % 60);
	z->abbr = z->name;
	z->offset = off;
	return z;
}

/*
 * A date or timestamp as a database prints it ("2024-01-02", "2024-01-02 03:04:05.123",
 * "2024-01-02 03:04:05+00" or "+05:30"): a date or datetime object, as dbt's agate tables hold
 * them (dbt-duckdb and psycopg2 give Python dates and datetimes); V_UNDEF when the text is not
 * one (infinity, BC dates, out of range)
 */
value dbt_datetime_parse(struct arena *a, const char *s, size_t n, bool date_only)
{
	char buf[64];
	if (n == 0 || n >= sizeof(buf))
		return val_undef();
	memcpy(buf, s, n);
	buf[n] = '\0';
	int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	if (sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10 || y < 1 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31)
		return val_undef();
	if (date_only || !buf[10])
		return buf[10] ? val_undef() : make(a, DT_DATE, from_parts(y, mo, d, 0, 0, 0, 0), false);
	const char *t = buf + 11;
	if ((buf[10] != ' ' && buf[10] != 'T') || sscanf(t, "%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3)
		return val_undef();
	t += used;
	long us = 0;
	if (*t == '.') {
		int digits = 0;
		for (t++; *t >= '0' && *t <= '9'; t++, digits++)
			if (digits < 6)
				us = us * 10 + (*t - '0');
		for (; digits < 6; digits++)
			us *= 10;
	}
	int64_t at = from_parts(y, mo, d, h, mi, sec, us);
	if (!*t)
		return make(a, DT_DATETIME, at, false);
	int off = 0;
	if (*t == 'Z' && !t[1])
		return make(a, DT_DATETIME, at, true);
	int oh = 0, om = 0;
	if ((*t != '+' && *t != '-') || sscanf(t + 1, "%2d", &oh) != 1)
		return val_undef();
	const char *r = t + 3;
	if (*r == ':')
		r++;
	if (*r && sscanf(r, "%2d", &om) != 1)
		return val_undef();
	off = (*t == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return make_tz(a, DT_DATETIME, at, true, off ? fixed_tz(a, off) : NULL);
}

/* fromisoformat('2024-01-02'), ('2024-01-02T03:04[:05[.ffffff]][+05:30|Z]'): with an offset, an
 * aware datetime in that fixed offset (datetime.timezone.utc for +00:00) */
static value f_fromisoformat(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *s = dbt_str_arg(vm, args, 0, "date_string", "fromisoformat", true);
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
	long us = 0;
	char frac[8] = {0};
	int n = sscanf(s, "%d-%d-%d%*[T ]%d:%d:%d.%6[0-9]", &y, &mo, &d, &h, &mi, &sec, frac);
	if (n < 3)
		jj_raise(vm, "fromisoformat: invalid isoformat string: '%s'", s);
	if (frac[0]) {
		for (size_t k = strlen(frac); k < 6; k++)
			frac[k] = '0';
		us = atol(frac);
	}
	int off = 0, has = 0;
	/* an offset follows a time only: after the date's ten characters and the separator */
	if (n >= 4 && strlen(s) > 11 && (has = iso_offset(s + 11, &off)) < 0)
		jj_raise(vm, "fromisoformat: invalid isoformat string: '%s'", s);
	struct arena *a = jj_arena(vm);
	int64_t at = from_parts(y, mo, d, h, mi, sec, us);
	if (ud || !has)
		return make(a, ud ? DT_DATE : DT_DATETIME, at, false);
	return make_tz(a, DT_DATETIME, at, true, off ? fixed_tz(a, off) : NULL);
}

static value f_strptime(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *s = dbt_str_arg(vm, args, 0, "date_string", "strptime", true);
	const char *f = dbt_str_arg(vm, args, 1, "format", "strptime", true);
	struct tm tm = {0};
	tm.tm_mday = 1;
	const char *end = strptime(s, f, &tm);
	if (!end || *end)
		jj_raise(vm, "strptime: time data '%s' does not match format '%s'", s, f);
	return make(jj_arena(vm), DT_DATETIME, (int64_t)timegm(&tm) * 1000000, false);
}

static value f_timedelta(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	/* positional: days, seconds, microseconds, milliseconds, minutes, hours, weeks */
	static const double scale[] = {86400e6, 1e6, 1, 1e3, 60e6, 3600e6, 604800e6};
	static const char *const names[] = {"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"};
	double total = 0;
	for (size_t i = 0; i < 7; i++) {
		value v = jj_arg(args, i, names[i], val_int(0));
		total += (v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : 0) * scale[i];
	}
	return make(jj_arena(vm), DT_DELTA, (int64_t)total, false);
}

/* A class: callable (the constructor) with class methods as attributes */
struct klass {
	vfunc_fn ctor;
	void *ud;
	const char *name;
};

static value klass_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	struct klass *k = o->data;
	return k->ctor(vm, k->ud, args);
}

static value klass_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct klass *k = o->data;
	struct arena *a = jj_arena(vm);
	bool is_datetime = k->ctor == f_datetime && !k->ud, is_date = k->ctor == f_datetime && k->ud;
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("now") && is_datetime)
		return val_func(a, "now", f_now, NULL);
	if (IS("utcnow") && is_datetime)
		return val_func(a, "utcnow", f_utcnow, NULL);
	if (IS("strptime") && is_datetime)
		return val_func(a, "strptime", f_strptime, NULL);
	if (IS("combine") && is_datetime)
		return val_func(a, "combine", f_combine, NULL);
	if (IS("today") && (is_datetime || is_date))
		return val_func(a, "today", f_today, NULL);
	if (IS("fromisoformat") && (is_datetime || is_date))
		return val_func(a, "fromisoformat", f_fromisoformat, k->ud);
#undef IS
	return val_undef();
}

static const struct vobj_class klass_class = {
	.name = "type",
	.getattr = klass_getattr,
	.call = klass_call,
};

static value klass(struct arena *a, const char *name, vfunc_fn ctor, void *ud)
{
	struct klass *k = arena_alloc(a, sizeof(*k));
	k->ctor = ctor;
	k->ud = ud;
	k->name = name;
	return val_obj(a, &klass_class, k);
}

value dbt_module_datetime(struct arena *a)
{
	static int date_marker;
	value m = val_dict_new(a, 4);
	val_dict_sets(m, "datetime", klass(a, "datetime", f_datetime, NULL));
	val_dict_sets(m, "date", klass(a, "date", f_datetime, &date_marker));
	val_dict_sets(m, "time", klass(a, "time", f_time, NULL));
	val_dict_sets(m, "timedelta", val_func(a, "timedelta", f_timedelta, NULL));
	/* dbt exports these five names of Python's module (context/base.py) */
	val_dict_sets(m, "tzinfo", klass(a, "tzinfo", f_tzinfo, NULL));
	return m;
}

/* ---- itertools ---- */

static value as_list(struct jj_vm *vm, value v)
{
	if (v.type == V_LIST)
		return v;
	if (v.type == V_STR) {
		value l = val_list_new(jj_arena(vm), v.len);
		for (uint32_t i = 0; i < v.len; i++)
			val_list_push(l, val_strn(v.s + i, 1));
		return l;
	}
	if (v.type == V_DICT) {
		value l = val_list_new(jj_arena(vm), v.d->len);
		for (uint32_t i = 0; i < v.d->len; i++)
			val_list_push(l, v.d->e[i].key);
		return l;
	}
	if (v.type == V_OBJ && v.o->cls->iter)
		return v.o->cls->iter(vm, v.o);
	jj_raise(vm, "itertools: '%s' object is not iterable", val_type_name(v));
}

static value f_chain(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value out = val_list_new(jj_arena(vm), 8);
	for (size_t i = 0; i < args->npos; i++) {
		value l = as_list(vm, args->pos[i]);
		for (uint32_t k = 0; k < l.l->len; k++)
			val_list_push(out, l.l->items[k]);
	}
	return out;
}

static value f_product(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	long repeat = int_arg(args, SIZE_MAX, "repeat", 1);
	size_t nl = args->npos * (size_t)(repeat > 0 ? repeat : 0);
	value *lists = arena_alloc(jj_arena(vm), (nl + 1) * sizeof(value));
	for (size_t r = 0, k = 0; r < (size_t)repeat; r++)
		for (size_t i = 0; i < args->npos; i++)
			lists[k++] = as_list(vm, args->pos[i]);
	value out = val_list_new(jj_arena(vm), 8);
	size_t *idx = arena_alloc(jj_arena(vm), (nl + 1) * sizeof(size_t));
	memset(idx, 0, (nl + 1) * sizeof(size_t));
	for (size_t i = 0; i < nl; i++)
		if (lists[i].l->len == 0)
			return out;
	for (;;) {
		value t = val_tuple_new(jj_arena(vm), nl);
		for (size_t i = 0; i < nl; i++)
			val_list_push(t, lists[i].l->items[idx[i]]);
		val_list_push(out, t);
		size_t i = nl;
		while (i > 0) {
			i--;
			if (++idx[i] < lists[i].l->len)
				break;
			idx[i] = 0;
			if (i == 0)
				return out;
		}
		if (nl == 0)
			return out;
	}
}

/* combinations (ordered=false) and permutations (ordered=true) of r items */
static void choose(struct jj_vm *vm, value pool, size_t r, bool ordered, size_t *idx, bool *used, size_t depth,
		   size_t start, value out)
{
	if (depth == r) {
		value t = val_tuple_new(jj_arena(vm), r);
		for (size_t i = 0; i < r; i++)
			val_list_push(t, pool.l->items[idx[i]]);
		val_list_push(out, t);
		return;
	}
	for (size_t i = ordered ? 0 : start; i < pool.l->len; i++) {
		if (ordered && used[i])
			continue;
		idx[depth] = i;
		used[i] = true;
		choose(vm, pool, r, ordered, idx, used, depth + 1, i + 1, out);
		used[i] = false;
	}
}

static value combos(struct jj_vm *vm, const struct vargs *args, bool ordered)
{
	value pool = as_list(vm, jj_arg(args, 0, "iterable", val_list_new(jj_arena(vm), 0)));
	long r = int_arg(args, 1, "r", (long)pool.l->len);
	value out = val_list_new(jj_arena(vm), 8);
	if (r < 0 || (size_t)r > pool.l->len)
		return out;
	size_t *idx = arena_alloc(jj_arena(vm), ((size_t)r + 1) * sizeof(size_t));
	bool *used = arena_alloc(jj_arena(vm), pool.l->len + 1);
	memset(used, 0, pool.l->len + 1);
	choose(vm, pool, (size_t)r, ordered, idx, used, 0, 0, out);
	return out;
}

static value f_combinations(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return combos(vm, args, false);
}

static value f_permutations(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return combos(vm, args, true);
}

static value f_islice(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value l = as_list(vm, jj_arg(args, 0, "iterable", val_none()));
	long start = 0, stop, step = 1;
	if (args->npos <= 2) {
		stop = int_arg(args, 1, "stop", (long)l.l->len);
	} else {
		start = int_arg(args, 1, "start", 0);
		stop = int_arg(args, 2, "stop", (long)l.l->len);
		step = int_arg(args, 3, "step", 1);
	}
	value out = val_list_new(jj_arena(vm), 8);
	for (long i = start; i < stop && i < (long)l.l->len && step > 0; i += step)
		val_list_push(out, l.l->items[i]);
	return out;
}

/* key(x) for groupby and the like: x itself without a key function */
static value keyed(struct jj_vm *vm, value key, value x)
{
	if (key.type == V_NONE || key.type == V_UNDEF)
		return x;
	struct vargs ka = {.pos = &x, .npos = 1};
	return jj_call(vm, key, &ka);
}

/* groupby(iterable, key=None): (key, items) pairs for runs of equal keys */
static value f_groupby(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value l = as_list(vm, jj_arg(args, 0, "iterable", val_none()));
	value key = jj_arg(args, 1, "key", val_none());
	value out = val_list_new(a, 8), group = val_none(), cur = val_undef();
	for (uint32_t i = 0; i < l.l->len; i++) {
		value k = keyed(vm, key, l.l->items[i]);
		if (cur.type == V_UNDEF || !val_eq(cur, k)) {
			value t = val_tuple_new(a, 2);
			group = val_list_new(a, 4);
			val_list_push(t, k);
			val_list_push(t, group);
			val_list_push(out, t);
			cur = k;
		}
		val_list_push(group, l.l->items[i]);
	}
	return out;
}

/* accumulate(iterable, func=None, initial=None): running sums (or running func results) */
static value f_accumulate(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value l = as_list(vm, jj_arg(args, 0, "iterable", val_none()));
	value fn = jj_arg(args, 1, "func", val_none());
	value acc = jj_arg(args, SIZE_MAX, "initial", val_undef());
	value out = val_list_new(jj_arena(vm), l.l->len + 1);
	if (acc.type != V_UNDEF && acc.type != V_NONE)
		val_list_push(out, acc);
	else
		acc = val_undef();
	for (uint32_t i = 0; i < l.l->len; i++) {
		value x = l.l->items[i];
		if (acc.type == V_UNDEF) {
			acc = x;
		} else if (fn.type == V_NONE || fn.type == V_UNDEF) {
			if (acc.type == V_INT && x.type == V_INT)
				acc = val_int(acc.i + x.i);
			else if ((acc.type == V_INT || acc.type == V_FLOAT) && (x.type == V_INT || x.type == V_FLOAT))
				acc = val_float((acc.type == V_INT ? (double)acc.i : acc.f) + (x.type == V_INT ? (double)x.i : x.f));
			else
				jj_raise(vm, "itertools.accumulate(): give a func to combine %s items", val_type_name(x));
		} else {
			value pair[2] = {acc, x};
			struct vargs fa = {.pos = pair, .npos = 2};
			acc = jj_call(vm, fn, &fa);
		}
		val_list_push(out, acc);
	}
	return out;
}

/* zip_longest(*iterables, fillvalue=None) */
static value f_zip_longest(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct arena *a = jj_arena(vm);
	value fill = jj_arg(args, SIZE_MAX, "fillvalue", val_none());
	value *lists = arena_alloc(a, (args->npos + 1) * sizeof(value));
	size_t n = 0;
	for (size_t i = 0; i < args->npos; i++) {
		lists[i] = as_list(vm, args->pos[i]);
		if (lists[i].l->len > n)
			n = lists[i].l->len;
	}
	value out = val_list_new(a, n);
	for (size_t k = 0; k < n; k++) {
		value t = val_tuple_new(a, args->npos);
		for (size_t i = 0; i < args->npos; i++)
			val_list_push(t, k < lists[i].l->len ? lists[i].l->items[k] : fill);
		val_list_push(out, t);
	}
	return out;
}

/* repeat(x, times): bounded only, since templates cannot consume an endless iterator */
static value f_repeat(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value x = jj_arg(args, 0, "object", val_none());
	long times = int_arg(args, 1, "times", -1);
	if (times < 0)
		jj_raise(vm, "itertools.repeat() needs 'times' here: an endless iterator cannot be rendered");
	if (times > 1000000)
		jj_raise(vm, "itertools.repeat(): %ld items is too many", times);
	value out = val_list_new(jj_arena(vm), (size_t)times);
	for (long i = 0; i < times; i++)
		val_list_push(out, x);
	return out;
}

/* compress(data, selectors) */
static value f_compress(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value d = as_list(vm, jj_arg(args, 0, "data", val_none()));
	value s = as_list(vm, jj_arg(args, 1, "selectors", val_none()));
	value out = val_list_new(jj_arena(vm), d.l->len);
	for (uint32_t i = 0; i < d.l->len && i < s.l->len; i++)
		if (val_truthy(s.l->items[i]))
			val_list_push(out, d.l->items[i]);
	return out;
}

/* combinations_with_replacement(iterable, r) */
static void choose_rep(struct jj_vm *vm, value pool, size_t r, size_t *idx, size_t depth, size_t start, value out)
{
	if (depth == r) {
		value t = val_tuple_new(jj_arena(vm), r);
		for (size_t i = 0; i < r; i++)
			val_list_push(t, pool.l->items[idx[i]]);
		val_list_push(out, t);
		return;
	}
	for (size_t i = start; i < pool.l->len; i++) {
		idx[depth] = i;
		choose_rep(vm, pool, r, idx, depth + 1, i, out);
	}
}

static value f_combinations_rep(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value pool = as_list(vm, jj_arg(args, 0, "iterable", val_list_new(jj_arena(vm), 0)));
	long r = int_arg(args, 1, "r", 0);
	value out = val_list_new(jj_arena(vm), 8);
	if (r < 0 || (r > 0 && pool.l->len == 0))
		return out;
	size_t *idx = arena_alloc(jj_arena(vm), ((size_t)r + 1) * sizeof(size_t));
	choose_rep(vm, pool, (size_t)r, idx, 0, 0, out);
	return out;
}

value dbt_module_itertools(struct arena *a)
{
	value m = val_dict_new(a, 6);
	val_dict_sets(m, "chain", val_func(a, "chain", f_chain, NULL));
	val_dict_sets(m, "product", val_func(a, "product", f_product, NULL));
	val_dict_sets(m, "combinations", val_func(a, "combinations", f_combinations, NULL));
	val_dict_sets(m, "permutations", val_func(a, "permutations", f_permutations, NULL));
	val_dict_sets(m, "islice", val_func(a, "islice", f_islice, NULL));
	val_dict_sets(m, "groupby", val_func(a, "groupby", f_groupby, NULL));
	val_dict_sets(m, "accumulate", val_func(a, "accumulate", f_accumulate, NULL));
	val_dict_sets(m, "zip_longest", val_func(a, "zip_longest", f_zip_longest, NULL));
	val_dict_sets(m, "repeat", val_func(a, "repeat", f_repeat, NULL));
	val_dict_sets(m, "compress", val_func(a, "compress", f_compress, NULL));
	val_dict_sets(m, "combinations_with_replacement",
		      val_func(a, "combinations_with_replacement", f_combinations_rep, NULL));
	return m;
}
