/*
 * Integers beyond 64 bits, so that `2 ** 100` or a 30-digit literal behave as in Python.
 *
 * A big integer is a V_OBJ of class "int" holding a sign and a magnitude in base 10^9 limbs (least
 * significant first), which makes printing trivial. Results that fit in 64 bits always come back as
 * plain V_INT, so a big integer never equals a small one and code that only knows V_INT keeps
 * working. Objects are immutable; they live in the arena of whoever made them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/internal.h"

#define BASE 1000000000u
#define MAX_LIMBS 4096 /* about 36,000 digits */

struct bigint {
	bool neg;
	uint32_t n;  /* limbs in use; the top one is non-zero */
	uint32_t d[];
};

/* a magnitude being computed (temporaries live in the arena: an error may unwind at any point) */
struct mag {
	uint32_t *d;
	uint32_t n;
};

static const struct vobj_class bigint_class;

bool jj_is_bigint(value v)
{
	return v.type == V_OBJ && v.o->cls == &bigint_class;
}

static void mag_trim(struct mag *m)
{
	while (m->n && m->d[m->n - 1] == 0)
		m->n--;
}

static struct mag mag_alloc(struct arena *ar, uint32_t n)
{
	struct mag m = {arena_zalloc(ar, (n ? n : 1) * sizeof(uint32_t)), n};
	return m;
}

static struct mag mag_from_u64(struct arena *ar, uint64_t u)
{
	struct mag m = mag_alloc(ar, 3);
	m.d[0] = (uint32_t)(u % BASE);
	m.d[1] = (uint32_t)((u / BASE) % BASE);
	m.d[2] = (uint32_t)(u / BASE / BASE);
	mag_trim(&m);
	return m;
}

/* the magnitude and sign of an int, bool or big integer (copied) */
static struct mag mag_of(struct arena *ar, value v, bool *pneg)
{
	if (jj_is_bigint(v)) {
		const struct bigint *b = v.o->data;
		struct mag m = mag_alloc(ar, b->n);
		memcpy(m.d, b->d, b->n * sizeof(uint32_t));
		*pneg = b->neg;
		return m;
	}
	int64_t i = v.type == V_BOOL ? v.b : v.i;
	*pneg = i < 0;
	return mag_from_u64(ar, i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i);
}

static int mag_cmp(const struct mag *a, const struct mag *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (uint32_t i = a->n; i-- > 0;)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

static struct mag mag_add(struct arena *ar, const struct mag *a, const struct mag *b)
{
	uint32_t n = (a->n > b->n ? a->n : b->n) + 1;
	struct mag r = mag_alloc(ar, n);
	uint32_t carry = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
		carry = s >= BASE;
		r.d[i] = carry ? s - BASE : s;
	}
	mag_trim(&r);
	return r;
}

/* a - b with a >= b */
static struct mag mag_sub(struct arena *ar, const struct mag *a, const struct mag *b)
{
	struct mag r = mag_alloc(ar, a->n);
	int64_t borrow = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		int64_t s = (int64_t)a->d[i] - borrow - (i < b->n ? b->d[i] : 0);
		borrow = s < 0;
		r.d[i] = (uint32_t)(s < 0 ? s + BASE : s);
	}
	mag_trim(&r);
	return r;
}

static struct mag mag_mul(struct arena *ar, const struct mag *a, const struct mag *b)
{
	if (!a->n || !b->n)
		return mag_alloc(ar, 0);
	uint32_t n = a->n + b->n;
	uint64_t *acc = arena_zalloc(ar, n * sizeof(uint64_t));
	for (uint32_t i = 0; i < a->n; i++) {
		uint64_t carry = 0;
		for (uint32_t j = 0; j < b->n; j++) {
			uint64_t t = acc[i + j] + (uint64_t)a->d[i] * b->d[j] + carry;
			acc[i + j] = t % BASE;
			carry = t / BASE;
		}
		uint32_t k = i + b->n;
		while (carry) {
			uint64_t t = acc[k] + carry;
			acc[k] = t % BASE;
			carry = t / BASE;
			k++;
		}
	}
	struct mag r = mag_alloc(ar, n);
	for (uint32_t i = 0; i < n; i++)
		r.d[i] = (uint32_t)acc[i];
	
	mag_trim(&r);
	return r;
}

static struct mag mag_mul_small(struct arena *ar, const struct mag *a, uint32_t k)
{
	struct mag r = mag_alloc(ar, a->n + 1);
	uint64_t carry = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		uint64_t t = (uint64_t)a->d[i] * k + carry;
		r.d[i] = (uint32_t)(t % BASE);
		carry = t / BASE;
	}
	r.d[a->n] = (uint32_t)carry;
	mag_trim(&r);
	return r;
}

/* long division, one base-10^9 digit at a time found by binary search */
static void mag_divmod(struct arena *ar, const struct mag *a, const struct mag *b, struct mag *pq,
		       struct mag *pr)
{
	struct mag q = mag_alloc(ar, a->n);
	struct mag r = mag_alloc(ar, 0);
	for (uint32_t i = a->n; i-- > 0;) {
		/* r = r * BASE + a[i] */
		struct mag nr = mag_alloc(ar, r.n + 1);
		nr.d[0] = a->d[i];
		memcpy(nr.d + 1, r.d, r.n * sizeof(uint32_t));
		mag_trim(&nr);
		r = nr;
		uint32_t lo = 0, hi = BASE - 1;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo + 1) / 2;
			struct mag t = mag_mul_small(ar, b, mid);
			if (mag_cmp(&t, &r) <= 0)
				lo = mid;
			else
				hi = mid - 1;
		}
		q.d[i] = lo;
		if (lo) {
			struct mag t = mag_mul_small(ar, b, lo);
			struct mag nr2 = mag_sub(ar, &r, &t);
			r = nr2;
		}
	}
	mag_trim(&q);
	*pq = q;
	*pr = r;
}

/* a value from a magnitude: V_INT when it fits, else a big integer in arena `ar` */
static value from_mag(struct arena *ar, struct mag m, bool neg)
{
	mag_trim(&m);
	if (m.n == 0) {
		return val_int(0);
	}
	if (m.n <= 3) {
		/* at most 10^27: test against 2^63 */
		__uint128_t u = 0;
		for (uint32_t i = m.n; i-- > 0;)
			u = u * BASE + m.d[i];
		__uint128_t lim = (__uint128_t)INT64_MAX + (neg ? 1 : 0);
		if (u <= lim) {
			return val_int(neg ? (int64_t)(0 - (uint64_t)u) : (int64_t)u);
		}
	}
	struct bigint *b = arena_alloc(ar, sizeof(*b) + m.n * sizeof(uint32_t));
	b->neg = neg;
	b->n = m.n;
	memcpy(b->d, m.d, m.n * sizeof(uint32_t));
	return val_obj(ar, &bigint_class, b);
}

value jj_bigint_from_dec(struct arena *ar, const char *s, size_t n, bool neg)
{
	/* digits only (underscores already removed or skipped) */
	size_t nd = 0;
	for (size_t i = 0; i < n; i++)
		nd += s[i] >= '0' && s[i] <= '9';
	struct mag m = mag_alloc(ar, (uint32_t)(nd / 9 + 1));
	uint32_t limb = 0, k = 0;
	for (size_t i = n; i-- > 0;) {
		if (s[i] < '0' || s[i] > '9')
			continue;
		static const uint32_t pw[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
		m.d[limb] += (uint32_t)(s[i] - '0') * pw[k];
		if (++k == 9) {
			k = 0;
			limb++;
		}
	}
	return from_mag(ar, m, neg);
}

static void put_mag(struct sb *out, const uint32_t *d, uint32_t n, bool neg)
{
	if (neg)
		sb_addc(out, '-');
	sb_addf(out, "%u", d[n - 1]);
	for (uint32_t i = n - 1; i-- > 0;)
		sb_addf(out, "%09u", d[i]);
}

static void bi_str(struct vobj *o, struct sb *out)
{
	const struct bigint *b = o->data;
	put_mag(out, b->d, b->n, b->neg);
}

double jj_bigint_to_double(value v)
{
	if (!jj_is_bigint(v))
		return v.type == V_INT ? (double)v.i : v.type == V_BOOL ? v.b : v.f;
	struct sb s = SB_INIT;
	bi_str(v.o, &s);
	double d = strtod(s.buf, NULL);
	sb_release(&s);
	return d;
}

static int bi_cmp(struct vobj *o, value other, int *pcmp)
{
	value self = {.type = V_OBJ};
	self.o = o;
	if (other.type == V_FLOAT) {
		double x = jj_bigint_to_double(self);
		*pcmp = x < other.f ? -1 : x > other.f ? 1 : 0;
		return 0;
	}
	if (other.type != V_INT && other.type != V_BOOL && !jj_is_bigint(other)) {
		*pcmp = 0;
		return -1;
	}
	/* a comparison has no arena: small temporaries on the heap */
	struct arena tmp;
	arena_init(&tmp, 1024);
	bool na, nb;
	struct mag a = mag_of(&tmp, self, &na), b = mag_of(&tmp, other, &nb);
	int c;
	if (na != nb)
		c = na ? -1 : 1;
	else
		c = na ? -mag_cmp(&a, &b) : mag_cmp(&a, &b);
	arena_release(&tmp);
	*pcmp = c;
	return 0;
}

static bool bi_eq(struct vobj *o, value other)
{
	int c;
	return bi_cmp(o, other, &c) == 0 && c == 0;
}

static uint64_t bi_hash(struct vobj *o)
{
	const struct bigint *b = o->data;
	uint64_t h = b->neg ? 0x51ed27 : 0x2545F491;
	for (uint32_t i = 0; i < b->n; i++)
		h = (h ^ b->d[i]) * 0x100000001b3ULL;
	return h;
}

static const struct vobj_class bigint_class = {
	.name = "int",
	.str = bi_str,
	.eq = bi_eq,
	.cmp = bi_cmp,
	.hash = bi_hash,
};

/* signed a + b (sub: a - b) */
static struct mag signed_add(struct arena *ar, struct mag a, bool na, struct mag b, bool nb, bool *pneg)
{
	if (na == nb) {
		*pneg = na;
		return mag_add(ar, &a, &b);
	}
	int c = mag_cmp(&a, &b);
	if (c >= 0) {
		*pneg = na && c != 0;
		return mag_sub(ar, &a, &b);
	}
	*pneg = nb;
	return mag_sub(ar, &b, &a);
}

static void check_size(struct jj_vm *vm, uint32_t n)
{
	if (n > MAX_LIMBS)
		jj_raise(vm, "integer too large (more than %u digits)", MAX_LIMBS * 9);
}

value jj_bigint_binop(struct jj_vm *vm, int op, value x, value y)
{
	struct arena *ar = vm->a;
	bool na, nb, nr = false;
	struct mag a = mag_of(ar, x, &na), b = mag_of(ar, y, &nb), r = {NULL, 0};
	switch (op) {
	case OP_ADD:
		r = signed_add(ar, a, na, b, nb, &nr);
		break;
	case OP_SUB:
		r = signed_add(ar, a, na, b, !nb, &nr);
		break;
	case OP_MUL:
		check_size(vm, a.n + b.n);
		r = mag_mul(ar, &a, &b);
		nr = na != nb;
		break;
	case OP_FLOORDIV:
	case OP_MOD: {
		if (b.n == 0) {
			jj_raise(vm, op == OP_MOD ? "integer modulo by zero" : "integer division or modulo by zero");
		}
		struct mag q, rem;
		mag_divmod(ar, &a, &b, &q, &rem);
		bool qneg = na != nb;
		/* floor: when the signs differ and there is a remainder, q += 1 (in magnitude), and the
		 * remainder becomes b - rem with the divisor's sign */
		if (qneg && rem.n) {
			struct mag one = mag_from_u64(ar, 1);
			struct mag q2 = mag_add(ar, &q, &one);
			q = q2;
			struct mag r2 = mag_sub(ar, &b, &rem);
			rem = r2;
		}
		if (op == OP_FLOORDIV) {
			r = q;
			nr = qneg;
		} else {
			r = rem;
			nr = nb;
		}
		break;
	}
	case OP_POW: {
		int64_t e = y.type == V_BOOL ? y.b : y.type == V_INT ? y.i : -1;
		if (e < 0 && jj_is_bigint(y))
			jj_raise(vm, "exponent too large");
		/* the result has about e * log10(a) digits */
		if (a.n && !(a.n == 1 && a.d[0] <= 1)) {
			double digits = (double)e * ((a.n - 1) * 9.0 + log10((double)a.d[a.n - 1] + 1.0));
			if (digits > MAX_LIMBS * 9.0) {
				jj_raise(vm, "integer too large (more than %u digits)", MAX_LIMBS * 9);
			}
		}
		struct mag res = mag_from_u64(ar, 1), base = a;
		while (e) {
			if (e & 1) {
				struct mag t = mag_mul(ar, &res, &base);
				res = t;
				check_size(vm, res.n);
			}
			e >>= 1;
			if (e) {
				struct mag t = mag_mul(ar, &base, &base);
				base = t;
				check_size(vm, base.n);
			}
		}
		r = res;
		nr = na && (y.type == V_INT ? (y.i & 1) : y.b);
		break;
	}
	default:
		jj_raise(vm, "unsupported operation on a big integer");
	}
	check_size(vm, r.n);
	return from_mag(vm->a, r, nr);
}

value jj_bigint_neg(struct jj_vm *vm, value x)
{
	bool n;
	struct mag m = mag_of(vm->a, x, &n);
	return from_mag(vm->a, m, !n && m.n);
}
