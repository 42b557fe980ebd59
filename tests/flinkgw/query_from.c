/*
 * Query translation, the FROM clause: tables (temporary first, then the catalogs; each connector
 * table becomes a scan of the plan owning a copy of its definition), views expanded in place,
 * CTEs, OPTIONS hints, window TVFs (TUMBLE, HOP, CUMULATE with window_start/end/time), UNNEST,
 * LATERAL and joins (USING and NATURAL columns merged, outer joins making columns nullable and
 * the result updating). Each relation gets a DuckDB alias of its own.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "query.h"

/* ------------------------------------------------------------------ tables */

static void scan_set_wm(struct scan *sc, const char *sql)
{
	char *copy = arena_strdup(&sc->t->a, sql);
	sc->t->wm_sql = copy;   /* reused: in a plan's scan, wm_sql holds the DuckDB text */
}

static struct cte_env *cte_find(struct tctx *c, const char *name)
{
	for (size_t i = c->ctes.n; i-- > 0;)
		if (!strcmp(c->ctes.v[i].name, name))
			return &c->ctes.v[i];
	return NULL;
}

static void not_found(struct tctx *c, struct tref *t, const char *cat, const char *db)
{
	struct fcatalog *fc = cat_find(c->s, cat);
	if (t->nparts >= 3 && !fc) {
		tr_verr(c, t->pos, t->pos + (int)strlen(t->parts[0]), "Object '%s' not found", t->parts[0]);
		return;
	}
	if (t->nparts >= 2 && !db_find(fc, db)) {
		tr_verr(c, t->pos, t->end, "Object '%s' not found", t->parts[t->nparts - 2]);
		return;
	}
	if (t->nparts >= 2) {
		tr_verr(c, t->pos, t->end, "Object '%s' not found within '%s.%s'", t->parts[t->nparts - 1], cat, db);
		return;
	}
	tr_verr(c, t->pos, t->end, "Object '%s' not found", t->parts[0]);
}

/* The column list of a table, with DuckDB expressions over relation dn */
static void table_cols(struct tctx *c, struct tdef *t, struct rel *r, int dn, struct scan *sc)
{
	/* computed columns are written against the raw columns of the scan */
	struct scope raw = {0};
	struct rel *rr = tr_rel_new(c, &raw, NULL, t->ncols);
	int nr = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED)
			continue;
		rr->cols[nr].name = t->cols[i].name;
		rr->cols[nr].type = t->cols[i].type;
		struct sb q = SB_INIT;
		qid(&q, t->cols[i].name);
		rr->cols[nr].sql = astr(c, &q);
		sb_release(&q);
		nr++;
	}
	rr->ncols = nr;
	const char *saved = c->src;
	c->src = t->src;
	for (int i = 0; i < t->ncols; i++) {
		struct fcol *col = &t->cols[i];
		r->cols[i].name = col->name;
		struct ftype *ty = col->type;
		if (col->kind == COL_COMPUTED) {
			struct sb x = SB_INIT;
			ty = tr_expr(c, col->expr, &raw, &x);
			if (sc)
				sc->t->cols[i].expr_sql = arena_strdup(&sc->t->a, x.buf);
			sb_release(&x);
		}
		if (ty && t->wm_col && !strcmp(t->wm_col, col->name)) {
			ty = ft_copy(c->a, ty);
			ty->attr = TA_ROWTIME;
		}
		r->cols[i].type = ty;
		tr_col_sql(c, &r->cols[i], dn, col->name);
	}
	if (sc && t->wm_expr) {
		/* the watermark expression over the scan's columns (raw and computed) */
		struct scope all = {0};
		struct rel *ar = tr_rel_new(c, &all, NULL, t->ncols);
		for (int i = 0; i < t->ncols; i++) {
			ar->cols[i].name = t->cols[i].name;
			ar->cols[i].type = r->cols[i].type;
			struct sb q = SB_INIT;
			qid(&q, t->cols[i].name);
			ar->cols[i].sql = astr(c, &q);
			sb_release(&q);
		}
		struct sb w = SB_INIT;
		tr_expr(c, t->wm_expr, &all, &w);
		scan_set_wm(sc, w.buf);
		sb_release(&w);
		VEC_FREE(&all.rels);
	}
	c->src = saved;
	VEC_FREE(&raw.rels);
}

static int tr_view(struct tctx *c, struct tdef *v, struct tref *t, struct rel **pr, struct scope *sc, struct sb *o)
{
	if (t->nhints) {
		struct sb id = SB_INIT;
		ident_serial(&id, v->cat, v->db, v->name);
		tr_terr(c, EX_VALIDATION, "View '%s' cannot be enriched with new options. Hints can only be applied to tables.",
			id.buf);
		sb_release(&id);
		return -1;
	}
	/* A view can come to read itself only through a rename or a drop and re-create of a view it
	 * reads (CREATE VIEW validates its query first). Flink would expand such a view until the
	 * planner's stack overflows; the double names the cycle instead. A chain of distinct views
	 * is no cycle, however long (Flink's view expansion has no depth limit). */
	for (int i = 0; i < c->depth; i++)
		if (c->vstack[i] == v) {
			tr_terr(c, EX_VALIDATION, "View '%s' references itself", v->name);
			return -1;
		}
	if (c->depth >= VIEW_DEPTH_MAX) {
		tr_terr(c, EX_VALIDATION, "View '%s' is nested more than %d views deep", v->name, VIEW_DEPTH_MAX);
		return -1;
	}
	if (!c->vstack)
		c->vstack = ARENA_ARRAY(c->a, const struct tdef *, VIEW_DEPTH_MAX);
	c->vstack[c->depth++] = v;
	const char *saved = c->src;
	c->src = v->src;
	ctevec saved_ctes = c->ctes;
	memset(&c->ctes, 0, sizeof(c->ctes));
	struct qinfo qi = {0};
	int dn = dn_next(c);
	sb_adds(o, "(");
	bool saved_expand = c->expand;
	c->expand = false;
	int rc = tr_query(c, v->vq, NULL, o, &qi);
	c->expand = saved_expand;
	sb_addf(o, ") AS \"__r%d\"", dn);
	VEC_FREE(&c->ctes);
	c->ctes = saved_ctes;
	c->src = saved;
	c->depth--;
	if (rc)
		return -1;
	struct rel *r = tr_rel_new(c, sc, t->alias ? t->alias : v->name, qi.n);
	r->c = v->cat;
	r->d = v->db;
	r->n = v->name;
	for (int i = 0; i < qi.n; i++) {
		r->cols[i].name = i < v->nvcols ? v->vcols[i] : qi.names[i];
		r->cols[i].type = qi.types[i];
		struct sb q = SB_INIT;
		sb_addf(&q, "\"__r%d\".", dn);
		qid(&q, qi.names[i]);
		r->cols[i].sql = astr(c, &q);
		sb_release(&q);
	}
	r->updating = qi.updating;
	r->keys = qi.keys;
	r->nkeys = qi.nkeys;
	r->node = qi.node;
	*pr = r;
	return 0;
}

static struct fopt *merge_opts(struct tctx *c, const struct tdef *t, const struct tref *tr, int *pn)
{
	struct fopt *o = ARENA_ARRAY(c->a, struct fopt, t->nopts + tr->nhints + 1);
	int n = 0;
	for (int i = 0; i < t->nopts; i++) {
		o[n].k = arena_strdup(c->a, t->opts[i].k);
		o[n++].v = arena_strdup(c->a, t->opts[i].v);
	}
	for (int i = 0; i < tr->nhints; i++) {
		int k;
		for (k = 0; k < n; k++)
			if (!strcmp(o[k].k, tr->hints[i].k))
				break;
		o[k].k = arena_strdup(c->a, tr->hints[i].k);
		o[k].v = arena_strdup(c->a, tr->hints[i].v);
		if (k == n)
			n++;
	}
	*pn = n;
	return o;
}

static int tr_table(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr)
{
	if (tr_is_info_schema(c->s, t))
		return tr_info_schema(c, t, sc, o, pr);
	if (t->nparts == 1) {
		struct cte_env *ce = cte_find(c, t->parts[0]);
		if (ce) {
			int dn = dn_next(c);
			sb_addf(o, "\"%s\" AS \"__r%d\"", ce->duck, dn);
			struct rel *r = tr_rel_new(c, sc, t->alias ? t->alias : t->parts[0], ce->qi.n);
			for (int i = 0; i < ce->qi.n; i++) {
				r->cols[i].name = ce->qi.names[i];
				r->cols[i].type = ce->qi.types[i];
				tr_col_sql(c, &r->cols[i], dn, ce->qi.names[i]);
			}
			r->updating = ce->qi.updating;
			r->keys = ce->qi.keys;
			r->nkeys = ce->qi.nkeys;
			r->node = ce->qi.node;
			*pr = r;
			return 0;
		}
	}
	const char *cat, *db, *name;
	qualify(c->s, c->a, t->parts, t->nparts, &cat, &db, &name);
	struct tdef *def = obj_lookup(c->s, cat, db, name, NULL);
	if (!def) {
		not_found(c, t, cat, db);
		return -1;
	}
	if (c->expand) {
		t->parts = ARENA_ARRAY(c->a, const char *, 3);
		t->parts[0] = cat;
		t->parts[1] = db;
		t->parts[2] = name;
		t->nparts = 3;
	}
	if (def->kind == OBJ_VIEW) {
		if (tr_view(c, def, t, pr, sc, o))
			return -1;
		if (!t->alias && *pr)
			(*pr)->alias = name;
		return 0;
	}
	struct sb ident = SB_INIT;
	ident_summary(&ident, cat, db, name);
	struct scan *scn = ARENA_NEW(c->a, struct scan);
	scn->t = tdef_clone(def);
	scn->t->cat = arena_strdup(&scn->t->a, cat);
	scn->opts = merge_opts(c, scn->t, t, &scn->nopts);
	/* Confluent Cloud: the statement's sql.tables.scan.startup.mode overrides its tables' (§11) */
	if (c->startup && conn_kind(fopt_get(scn->opts, scn->nopts, "connector")) == CN_KAFKA) {
		struct fopt *so = ARENA_ARRAY(c->a, struct fopt, scn->nopts + 1);
		int sn = 0;
		so[sn++] = (struct fopt){"scan.startup.mode", arena_strdup(c->a, c->startup)};
		for (int i = 0; i < scn->nopts; i++)
			if (strcmp(scn->opts[i].k, "scan.startup.mode"))
				so[sn++] = scn->opts[i];
		scn->opts = so;
		scn->nopts = sn;
	}
	scn->ident = astr(c, &ident);
	sb_release(&ident);
	snprintf(scn->dname, sizeof(scn->dname), "__s%d", (int)c->plan->scans.n + 1);
	VEC_PUSH(&c->plan->scans, scn);
	if (!c->schema_only) {
		struct ferr ce = {0};
		if (conn_validate(scn->t, scn->opts, scn->nopts, false, scn->ident, c->version, &ce)) {
			c->failed = true;
			for (int i = 0; i < ce.n; i++)
				ferr_add(c->e, ce.cls[i], "%s", ce.msg[i]);
			ferr_release(&ce);
			return -1;
		}
		scn->bounded = c->snapshot || conn_bounded(scn->t, scn->opts, scn->nopts);
		/* DynamicSourceUtils.validateScanSourceForBatch: boundedness first, then the changelog
		 * mode (the first is a ValidationException, the second a TableException) */
		if (c->batch && !scn->bounded) {
			tr_terr(c, EX_VALIDATION, "Querying an unbounded table '%s' in batch mode is not allowed. The table source "
				"is unbounded.", scn->ident);
			return -1;
		}
		if (c->batch && !c->snapshot && conn_changelog(scn->opts, scn->nopts)) {
			tr_terr(c, EX_TABLE, "Querying a table in batch mode is currently only possible for INSERT-only table "
				"sources. But the source for table '%s' produces other changelog messages than just INSERT.",
				scn->ident);
			return -1;
		}
	} else {
		scn->bounded = true;
	}
	int dn = dn_next(c);
	sb_addf(o, "\"%s\" AS \"__r%d\"", scn->dname, dn);
	struct rel *r = tr_rel_new(c, sc, t->alias ? t->alias : name, def->ncols);
	r->c = cat;
	r->d = db;
	r->n = name;
	/* from here on the plan's own copy: nothing may point into the catalog */
	def = scn->t;
	table_cols(c, def, r, dn, scn);
	const char *conn = tdef_opt(def, "connector");
	if (conn && !strcmp(conn, "upsert-kafka") && !c->batch) {
		r->updating = true;
		r->nkeys = def->npk;
		r->keys = ARENA_ARRAY(c->a, int, def->npk + 1);
		struct sb nd = SB_INIT;
		sb_adds(&nd, "ChangelogNormalize(key=[");
		for (int i = 0; i < def->npk; i++) {
			r->keys[i] = tdef_col(def, def->pk[i]);
			sb_addf(&nd, "%s%s", i ? ", " : "", def->pk[i]);
		}
		sb_adds(&nd, "])");
		r->node = astr(c, &nd);
		sb_release(&nd);
	}
	*pr = r;
	return 0;
}

/* TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(ts), ...)) */
static int tr_tvf(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr)
{
	const char *fn = t->fn;
	bool tumble = !strcasecmp(fn, "TUMBLE"), hop = !strcasecmp(fn, "HOP"), cum = !strcasecmp(fn, "CUMULATE");
	if (!tumble && !hop && !cum) {
		tr_verr(c, t->pos, t->end, "No match found for function signature %s(<TABLE>)", fn);
		return -1;
	}
	int need = tumble ? 3 : 4;
	if (t->nargs < need || t->args[0]->k != N_TABLEARG || t->args[1]->k != N_DESCRIPTOR) {
		tr_verr(c, t->pos, t->end, "Invalid number of arguments to function '%s'. Was expecting %d arguments", fn, need);
		return -1;
	}
	struct scope inner = {0};
	struct sb in = SB_INIT;
	struct rel *ir = NULL;
	if (tr_table(c, t->args[0]->tab, &inner, &in, &ir)) {
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	const char *tcol = t->args[1]->parts[0];
	int ti = -1;
	for (int i = 0; i < ir->ncols; i++)
		if (!strcmp(ir->cols[i].name, tcol))
			ti = i;
	if (ti < 0) {
		tr_verr(c, t->args[1]->pos, t->args[1]->end, "Column '%s' not found in any table", tcol);
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	struct ftype *tt = ir->cols[ti].type;
	if (!tt || !ft_is_timestamp(tt) || tt->attr == TA_NONE) {
		struct sb ts = SB_INIT;
		if (tt)
			ft_summary(&ts, tt, true, false);
		/* SqlWindowTableFunction's operand check; the type as Calcite prints it */
		const char *tn = ts.buf ? ts.buf : "";
		if (!strncmp(tn, "TIMESTAMP_LTZ", 13)) {
			struct sb lt = SB_INIT;
			sb_addf(&lt, "TIMESTAMP_WITH_LOCAL_TIME_ZONE%s", tn + 13);
			sb_release(&ts);
			ts = lt;
		}
		/* getAllowedSignatures of SqlTumbleTableFunction, SqlHopTableFunction, SqlCumulateTableFunction */
		tr_terr(c, EX_VALIDATION, "The window function %s(TABLE table_name, DESCRIPTOR(timecol), %s) requires the "
			"timecol is a time attribute type, but is %s.", fn, tumble ? "datetime interval[, datetime interval]"
			: "datetime interval, datetime interval[, datetime interval]", ts.buf);
		sb_release(&ts);
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	long long size = 0, step = 0, off = 0;
	if (tumble) {
		if (!tr_node_interval_ms(c, t->args[2], &size))
			goto bad;
		if (t->nargs > 3 && !tr_node_interval_ms(c, t->args[3], &off))
			goto bad;
	} else {
		if (!tr_node_interval_ms(c, t->args[2], &step) || !tr_node_interval_ms(c, t->args[3], &size))
			goto bad;
		if (size % step) {
			tr_terr(c, EX_TABLE, "%s table function based aggregate requires size must be an integral multiple of %s.",
				hop ? "HOP" : "CUMULATE", hop ? "slide" : "step");
			goto bad;
		}
	}
	int dn = dn_next(c);
	const char *wcol = ir->cols[ti].sql;
	bool ltz = tt->root == FT_TIMESTAMP_LTZ;
	struct sb local = SB_INIT;
	if (ltz)
		sb_addf(&local, "CAST(%s AS TIMESTAMP)", wcol);
	else
		sb_adds(&local, wcol);
	sb_adds(o, "(SELECT ");
	for (int i = 0; i < ir->ncols; i++) {
		sb_addf(o, "%s AS ", ir->cols[i].sql);
		qid(o, ir->cols[i].name);
		sb_adds(o, ", ");
	}
	struct sb b = SB_INIT;
	if (tumble) {
		tr_bucket_sql(&b, wcol, tt, size, off);
		sb_addf(o, "%s AS \"window_start\", %s + INTERVAL '%lld milliseconds' AS \"window_end\", "
			"%s + INTERVAL '%lld milliseconds' AS \"window_time\" FROM %s",
			b.buf, b.buf, size, b.buf, size - 1, in.buf);
	} else if (hop) {
		/* every window of length size, sliding by step, that contains the row */
		tr_bucket_sql(&b, wcol, tt, step, 0);
		sb_addf(o, "__hw%d.ws AS \"window_start\", __hw%d.ws + INTERVAL '%lld milliseconds' AS \"window_end\", "
			"__hw%d.ws + INTERVAL '%lld milliseconds' AS \"window_time\" FROM %s, LATERAL (SELECT %s - "
			"INTERVAL '%lld milliseconds' * k AS ws FROM range(0, %lld) AS __k(k)) AS __hw%d WHERE __hw%d.ws + "
			"INTERVAL '%lld milliseconds' > %s",
			dn, dn, size, dn, size - 1, in.buf, b.buf, step, size / step, dn, dn, size, local.buf);
	} else {
		/* windows [start, start + k * step) for k = 1 .. size / step that contain the row */
		tr_bucket_sql(&b, wcol, tt, size, 0);
		sb_addf(o, "%s AS \"window_start\", %s + INTERVAL '%lld milliseconds' * k AS \"window_end\", "
			"%s + INTERVAL '%lld milliseconds' * k - INTERVAL '1 millisecond' AS \"window_time\" FROM %s, "
			"range(1, %lld) AS __k%d(k) WHERE %s + INTERVAL '%lld milliseconds' * k > %s",
			b.buf, b.buf, step, b.buf, step, in.buf, size / step + 1, dn, b.buf, step, local.buf);
	}
	sb_release(&b);
	sb_addf(o, ") AS \"__r%d\"", dn);
	struct rel *r = tr_rel_new(c, sc, t->alias ? t->alias : NULL, ir->ncols + 3);
	for (int i = 0; i < ir->ncols; i++) {
		r->cols[i].name = ir->cols[i].name;
		r->cols[i].type = ir->cols[i].type;
		if (i == ti && r->cols[i].type) {
			/* the time attribute is materialised by the window TVF */
			r->cols[i].type = ft_copy(c->a, r->cols[i].type);
			r->cols[i].type->attr = TA_NONE;
		}
		tr_col_sql(c, &r->cols[i], dn, ir->cols[i].name);
	}
	struct ftype *wt = mkt(c, FT_TIMESTAMP, false);
	wt->len = 3;
	static const char *const wn[] = {"window_start", "window_end", "window_time"};
	for (int k = 0; k < 3; k++) {
		struct rcol *rc = &r->cols[ir->ncols + k];
		rc->name = wn[k];
		rc->type = ft_copy(c->a, wt);
		if (k == 2) {
			if (ltz)
				rc->type->root = FT_TIMESTAMP_LTZ;
			rc->type->attr = tt->attr;
		}
		tr_col_sql(c, rc, dn, wn[k]);
	}
	r->tvf = true;
	r->ws = ir->ncols;
	r->we = ir->ncols + 1;
	r->wt = ir->ncols + 2;
	r->proctime_window = tt->attr == TA_PROCTIME;
	r->updating = ir->updating;
	r->node = ir->node;
	*pr = r;
	sb_release(&local);
	sb_release(&in);
	VEC_FREE(&inner.rels);
	return 0;
bad:
	sb_release(&in);
	VEC_FREE(&inner.rels);
	return -1;
}

int tr_from(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o)
{
	if (c->failed)
		return -1;
	struct rel *r = NULL;
	switch (t->k) {
	case T_TABLE:
		return tr_table(c, t, sc, o, &r);
	case T_TVF:
		return tr_tvf(c, t, sc, o, &r);
	case T_SUBQ: {
		struct qinfo qi = {0};
		int dn = dn_next(c);
		sb_adds(o, t->lateral ? "LATERAL (" : "(");
		if (tr_query(c, t->q, t->lateral ? sc : NULL, o, &qi))
			return -1;
		sb_addf(o, ") AS \"__r%d\"", dn);
		if (t->nacols && t->nacols != qi.n) {
			tr_verr(c, t->pos, t->end, "List of column aliases must have same degree as table; table has %d columns, "
				"whereas alias list has %d columns", qi.n, t->nacols);
			return -1;
		}
		r = tr_rel_new(c, sc, t->alias, qi.n);
		for (int i = 0; i < qi.n; i++) {
			r->cols[i].name = t->nacols ? t->acols[i] : qi.names[i];
			r->cols[i].type = qi.types[i];
			tr_col_sql(c, &r->cols[i], dn, qi.names[i]);
		}
		r->updating = qi.updating;
		r->keys = qi.keys;
		r->nkeys = qi.nkeys;
		r->node = qi.node;
		if (qi.rank && !r->node)
			r->node = qi.rank_first ? "RankFirst" : "Rank";
		return 0;
	}
	case T_UNNEST: {
		int dn = dn_next(c);
		sb_adds(o, "(SELECT unnest(");
		struct ftype *at = tr_expr(c, t->args[0], sc, o);
		sb_addf(o, ") AS \"EXPR$0\") AS \"__r%d\"", dn);
		r = tr_rel_new(c, sc, t->alias, 1);
		r->cols[0].name = t->nacols ? t->acols[0] : "EXPR$0";
		r->cols[0].type = at && at->root == FT_ARRAY ? at->elem : NULL;
		tr_col_sql(c, &r->cols[0], dn, "EXPR$0");
		return c->failed ? -1 : 0;
	}
	case T_JOIN: {
		size_t before = sc->rels.n;
		if (tr_from(c, t->l, sc, o))
			return -1;
		size_t mid = sc->rels.n;
		bool cross = !strcmp(t->jtype, "CROSS");
		if (t->r->k == T_UNNEST || (t->r->k == T_SUBQ && t->r->lateral))
			sb_adds(o, cross ? ", " : " ");
		else
			sb_addf(o, " %s JOIN ", cross ? "CROSS" : !strcmp(t->jtype, "INNER") ? "INNER" : t->jtype);
		if (!cross && (t->r->k == T_UNNEST || (t->r->k == T_SUBQ && t->r->lateral)))
			sb_addf(o, "%s JOIN ", !strcmp(t->jtype, "INNER") ? "INNER" : t->jtype);
		if (tr_from(c, t->r, sc, o))
			return -1;
		size_t end = sc->rels.n;
		if (t->on) {
			sb_adds(o, " ON ");
			tr_expr(c, t->on, sc, o);
		} else if (t->nusing) {
			sb_adds(o, " ON ");
			for (int i = 0; i < t->nusing; i++) {
				if (i)
					sb_adds(o, " AND ");
				struct node id = {.k = N_ID, .parts = &t->usingc[i], .nparts = 1, .pos = t->pos, .end = t->end};
				struct scope ls = {0}, rs = {0};
				for (size_t k = before; k < mid; k++)
					VEC_PUSH(&ls.rels, sc->rels.v[k]);
				for (size_t k = mid; k < end; k++)
					VEC_PUSH(&rs.rels, sc->rels.v[k]);
				tr_expr(c, &id, &ls, o);
				sb_adds(o, " = ");
				tr_expr(c, &id, &rs, o);
				VEC_FREE(&ls.rels);
				VEC_FREE(&rs.rels);
				for (size_t ri = mid; ri < end; ri++)
					for (int rc = 0; rc < sc->rels.v[ri]->ncols; rc++)
						if (!strcmp(sc->rels.v[ri]->cols[rc].name, t->usingc[i]))
							sc->rels.v[ri]->cols[rc].merged = true;
			}
		} else if (t->natural) {
			/* NATURAL: equality on every column name both sides have */
			int eq = 0;
			for (size_t li = before; li < mid; li++)
				for (int lc = 0; lc < sc->rels.v[li]->ncols; lc++)
					for (size_t ri = mid; ri < end; ri++)
						for (int rc = 0; rc < sc->rels.v[ri]->ncols; rc++)
							if (!sc->rels.v[ri]->cols[rc].merged &&
								!strcmp(sc->rels.v[li]->cols[lc].name, sc->rels.v[ri]->cols[rc].name)) {
								sb_addf(o, "%s%s = %s", eq++ ? " AND " : " ON ", sc->rels.v[li]->cols[lc].sql,
									sc->rels.v[ri]->cols[rc].sql);
								sc->rels.v[ri]->cols[rc].merged = true;
							}
			if (!eq)
				sb_adds(o, " ON TRUE");
		} else if (!cross && (t->r->k == T_UNNEST || t->r->lateral)) {
			sb_adds(o, " ON TRUE");
		}
		bool temporal = t->r->k == T_TABLE && t->r->systime;
		bool any_upd = false;
		for (size_t k = before; k < end; k++)
			any_upd = any_upd || sc->rels.v[k]->updating;
		if (!strcmp(t->jtype, "LEFT") || !strcmp(t->jtype, "FULL"))
			for (size_t k = mid; k < end; k++)
				sc->rels.v[k]->nullable = true;
		if (!strcmp(t->jtype, "RIGHT") || !strcmp(t->jtype, "FULL"))
			for (size_t k = before; k < mid; k++)
				sc->rels.v[k]->nullable = true;
		bool outer = !strcmp(t->jtype, "LEFT") || !strcmp(t->jtype, "RIGHT") || !strcmp(t->jtype, "FULL");
		if (!temporal && (outer || any_upd) && !c->batch && t->r->k != T_UNNEST) {
			/* a regular join producing updates */
			struct sb nd = SB_INIT;
			const char *jt = !strcmp(t->jtype, "LEFT") ? "LeftOuterJoin" : !strcmp(t->jtype, "RIGHT") ? "RightOuterJoin" :
				!strcmp(t->jtype, "FULL") ? "FullOuterJoin" : "InnerJoin";
			sb_addf(&nd, "Join(joinType=[%s], where=[", jt);
			if (t->on)
				unparse_expr(&nd, t->on);
			sb_adds(&nd, "], leftInputSpec=[NoUniqueKey], rightInputSpec=[NoUniqueKey])");
			for (size_t k = before; k < end; k++) {
				sc->rels.v[k]->updating = true;
				if (!sc->rels.v[k]->node || outer)
					sc->rels.v[k]->node = astr(c, &nd);
				sc->rels.v[k]->nkeys = -1;
			}
			sb_release(&nd);
		}
		return c->failed ? -1 : 0;
	}
	}
	return -1;
}
