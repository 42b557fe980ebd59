/*
 * _flink.Cloud and _flink.CloudStatement: Confluent Cloud's SQL Statements API through the
 * library's flink_cc_* calls, with the same contract towards the Python layer as Session and
 * Operation, so that one Cursor serves both protocols.
 *
 * A CloudStatement's fetch() reads the statement once (flink_cc_poll) until its rows may be read
 * (a snapshot query: once COMPLETED; a streaming query: once RUNNING), answering NOT_READY
 * meanwhile, then pages its results (flink_cc_fetch); the Python layer waits between calls, so
 * that its timeouts and Ctrl-C work. While pages come back empty the statement's phase is read
 * again once a second, so that a statement that fails while streaming raises instead of waiting
 * forever.
 *
 * Closing a statement deletes it (a running query stops; its name is freed), except a background
 * statement (an INSERT or CTAS that has no rows to give and runs on), which is left running.
 */
#include "ext.h"

#include <string.h>
#include <time.h>

/* How often a streaming statement's phase is read again while its pages come back empty */
#define PHASE_READ_EVERY_MS 1000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- the connection */

static int cloud_enter(sf_cloud *c)
{
	return sf_enter(c->cc != NULL, &c->busy);
}

static void cloud_leave(sf_cloud *c)
{
	c->busy = false;
}

/* A background statement runs on without a client: no rows, not ended, not failed */
static bool background(const flink_cc_statement *st)
{
	enum flink_cc_phase p = flink_cc_statement_phase(st);
	return !flink_cc_statement_columns(st, NULL) && !flink_cc_phase_terminal(p) && p != FLINK_CC_FAILED;
}

/* Frees o's statement (deleting it on the server when asked: 1 always, -1 unless it runs in the
 * background, 0 never) and unlinks it from its connection; errors are ignored */
static void stmt_detach(sf_cloud_statement *o, int del)
{
	sf_cloud *c = o->owner;
	if (o->st) {
		flink_cc_statement *st = o->st;
		o->st = NULL;
		bool remove = del > 0 || (del < 0 && !background(st));
		flink_cc *cc = c ? c->cc : NULL;
		struct flink_error err;
		flink_error_init(&err);
		Py_BEGIN_ALLOW_THREADS
		if (remove && cc) {
			flink_code dc = flink_cc_delete(cc, flink_cc_statement_name(st), &err);
			(void)dc;
		}
		flink_cc_statement_free(st);
		Py_END_ALLOW_THREADS
		flink_error_release(&err);
	}
	if (c) {
		if (o->prev)
			o->prev->next = o->next;
		else if (c->stmts == o)
			c->stmts = o->next;
		if (o->next)
			o->next->prev = o->prev;
		o->next = o->prev = NULL;
	}
}

static int cloud_init(sf_cloud *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("organization_id"), KW("environment_id"), KW("endpoint"), KW("cloud_provider"),
				 KW("cloud_region"), KW("api_key"), KW("api_secret"), KW("bearer_token"),
				 KW("identity_pool_id"), KW("compute_pool_id"), KW("database"), KW("user_agent"),
				 KW("ca_file"), KW("insecure"), KW("connect_timeout_ms"), KW("request_timeout_ms"),
				 KW("max_retries"), KW("retry_backoff_ms"), NULL};
	PyObject *org, *env, *endpoint = NULL, *provider = NULL, *region = NULL, *key = NULL, *secret = NULL,
		 *token = NULL, *ipool = NULL, *pool = NULL, *db = NULL, *ua = NULL, *ca = NULL;
	int insecure = 0, retries = -1;
	long cto = 0, rto = 0, backoff = 0;
	if (self->cc) {
		PyErr_SetString(sf_InterfaceError, "the connection is already open");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OOOOOOOOOOOplliil", kwlist, &org, &env, &endpoint, &provider,
					 &region, &key, &secret, &token, &ipool, &pool, &db, &ua, &ca, &insecure, &cto,
					 &rto, &retries, &backoff))
		return -1;
	struct flink_cc_options o;
	flink_cc_options_init(&o);
	if (sf_opt_str(org, &o.organization_id, "organization_id") ||
	    sf_opt_str(env, &o.environment_id, "environment_id") || sf_opt_str(endpoint, &o.endpoint, "endpoint") ||
	    sf_opt_str(provider, &o.cloud_provider, "cloud_provider") ||
	    sf_opt_str(region, &o.cloud_region, "cloud_region") || sf_opt_str(key, &o.api_key, "api_key") ||
	    sf_opt_str(secret, &o.api_secret, "api_secret") || sf_opt_str(token, &o.bearer_token, "bearer_token") ||
	    sf_opt_str(ipool, &o.identity_pool_id, "identity_pool_id") ||
	    sf_opt_str(pool, &o.compute_pool_id, "compute_pool_id") || sf_opt_str(db, &o.database, "database") ||
	    sf_opt_str(ua, &o.user_agent, "user_agent") || sf_opt_str(ca, &o.ca_file, "ca_file"))
		return -1;
	SF_TRANSPORT_OPTIONS(o, insecure, cto, rto, retries, backoff);
	struct flink_error err;
	flink_error_init(&err);
	flink_cc *cc = NULL;
	/* no request is made: the first statement shows whether the credentials work */
	if (flink_cc_connect(&o, &cc, &err) != FLINK_OK) {
		sf_raise(&err);
		return -1;
	}
	self->cc = cc;
	return 0;
}

static void cloud_shutdown(sf_cloud *self)
{
	while (self->stmts)
		stmt_detach(self->stmts, -1);
	flink_cc *cc = self->cc;
	self->cc = NULL;
	if (cc) {
		Py_BEGIN_ALLOW_THREADS
		flink_cc_free(cc);
		Py_END_ALLOW_THREADS
	}
}

static PyObject *cloud_close(sf_cloud *self, PyObject *unused)
{
	if (self->busy) {
		PyErr_SetString(sf_ProgrammingError, "the connection is in use by another thread");
		return NULL;
	}
	cloud_shutdown(self);
	Py_RETURN_NONE;
}

static void cloud_dealloc(sf_cloud *self)
{
	if (!self->busy)
		cloud_shutdown(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A list of str from None, a str or an iterable of str; the pointers live in *pkeep */
static int str_list(PyObject *src, const char ***pv, size_t *pn, PyObject **pkeep, const char *what)
{
	*pv = NULL;
	*pn = 0;
	*pkeep = NULL;
	if (!src || src == Py_None)
		return 0;
	PyObject *list = PyUnicode_Check(src) ? PyList_New(0) : PySequence_List(src);
	if (!list)
		return -1;
	if (PyUnicode_Check(src) && PyList_Append(list, src) < 0) {
		Py_DECREF(list);
		return -1;
	}
	Py_ssize_t n = PyList_GET_SIZE(list);
	const char **v = PyMem_Calloc((size_t)(n ? n : 1), sizeof(*v));
	if (!v) {
		Py_DECREF(list);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		if (sf_opt_str(PyList_GET_ITEM(list, i), &v[i], what) < 0 || !v[i]) {
			if (!PyErr_Occurred())
				PyErr_Format(PyExc_TypeError, "%s must be str", what);
			PyMem_Free(v);
			Py_DECREF(list);
			return -1;
		}
	}
	*pv = v;
	*pn = (size_t)n;
	*pkeep = list;
	return 0;
}

static PyObject *cloud_submit(sf_cloud *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("name"), KW("statement"), KW("properties"), KW("labels"), KW("snapshot"),
				 KW("compute_pool_id"), NULL};
	const char *name, *stmt;
	Py_ssize_t len;
	PyObject *props = NULL, *labels = NULL, *pool = NULL;
	int snapshot = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss#|OOpO", kwlist, &name, &stmt, &len, &props, &labels, &snapshot,
					 &pool))
		return NULL;
	if (strlen(stmt) != (size_t)len) {
		PyErr_SetString(sf_ProgrammingError, "the statement has a NUL character");
		return NULL;
	}
	const char *pool_id;
	if (sf_opt_str(pool, &pool_id, "compute_pool_id") < 0)
		return NULL;
	struct flink_kv *kv;
	size_t nkv;
	PyObject *keep;
	if (sf_kv_from(props, &kv, &nkv, &keep) < 0)
		return NULL;
	const char **lv;
	size_t nl;
	PyObject *lkeep;
	if (str_list(labels, &lv, &nl, &lkeep, "a label") < 0) {
		PyMem_Free(kv);
		Py_XDECREF(keep);
		return NULL;
	}
	sf_cloud_statement *o = PyObject_New(sf_cloud_statement, &sf_CloudStatementType);
	if (o) {
		o->owner = NULL;
		o->st = NULL;
		o->next = o->prev = NULL;
		o->ready = false;
		sf_results_init(&o->r);
		o->phase_read_ms = 0;
	}
	if (!o || cloud_enter(self) < 0) {
		PyMem_Free(kv);
		Py_XDECREF(keep);
		PyMem_Free(lv);
		Py_XDECREF(lkeep);
		Py_XDECREF(o);
		return NULL;
	}
	struct flink_cc_submit s = {
		.name = name,
		.statement = stmt,
		.properties = kv,
		.nproperties = nkv,
		.labels = lv,
		.nlabels = nl,
		.snapshot = snapshot,
		.compute_pool_id = pool_id,
	};
	struct flink_error err;
	flink_error_init(&err);
	flink_cc_statement *st = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_cc_submit(self->cc, &s, &st, &err);
	if (rc != FLINK_OK && st) {
		/* FAILED in the 201 body: the name is freed for the next try */
		struct flink_error derr;
		flink_error_init(&derr);
		flink_code dc = flink_cc_delete(self->cc, flink_cc_statement_name(st), &derr);
		(void)dc;
		flink_error_release(&derr);
		flink_cc_statement_free(st);
		st = NULL;
	}
	Py_END_ALLOW_THREADS
	cloud_leave(self);
	PyMem_Free(kv);
	Py_XDECREF(keep);
	PyMem_Free(lv);
	Py_XDECREF(lkeep);
	if (rc != FLINK_OK) {
		Py_DECREF(o);
		return sf_raise(&err);
	}
	o->st = st;
	Py_INCREF(self);
	o->owner = self;
	o->next = self->stmts;
	if (self->stmts)
		self->stmts->prev = o;
	self->stmts = o;
	return (PyObject *)o;
}

/* A statement as a dict, for list() and get() */
static PyObject *stmt_dict(const flink_cc_statement *st)
{
	return Py_BuildValue("{szszszszszszszsOsOsO}", "name", flink_cc_statement_name(st), "phase",
			     flink_cc_statement_phase_text(st), "detail", flink_cc_statement_detail(st), "statement",
			     flink_cc_statement_sql(st), "sql_kind", flink_cc_statement_kind(st), "compute_pool_id",
			     flink_cc_statement_compute_pool(st), "created_at", flink_cc_statement_created_at(st),
			     "stopped", flink_cc_statement_stopped(st) ? Py_True : Py_False, "snapshot",
			     flink_cc_statement_property(st, "sql.snapshot.mode") &&
					     !strcmp(flink_cc_statement_property(st, "sql.snapshot.mode"), "now")
				     ? Py_True
				     : Py_False,
			     "bounded", flink_cc_statement_bounded(st) ? Py_True : Py_False);
}

static PyObject *cloud_list(sf_cloud *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("label"), NULL};
	const char *label = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|z", kwlist, &label) || cloud_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_cc_statement **v = NULL;
	size_t n = 0;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_cc_list(self->cc, label, &v, &n, &err);
	Py_END_ALLOW_THREADS
	cloud_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	PyObject *out = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; out && i < n; i++) {
		PyObject *d = stmt_dict(v[i]);
		if (!d) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, (Py_ssize_t)i, d);
	}
	flink_cc_list_free(v, n);
	return out;
}

static PyObject *cloud_get(sf_cloud *self, PyObject *args)
{
	const char *name;
	if (!PyArg_ParseTuple(args, "s", &name) || cloud_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_cc_statement *st = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_cc_get(self->cc, name, &st, &err);
	Py_END_ALLOW_THREADS
	cloud_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	PyObject *d = stmt_dict(st);
	flink_cc_statement_free(st);
	return d;
}

enum by_name { STOP, RESUME, DELETE };

static PyObject *by_name(sf_cloud *self, PyObject *args, enum by_name what)
{
	const char *name;
	if (!PyArg_ParseTuple(args, "s", &name) || cloud_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = what == STOP ? flink_cc_stop(self->cc, name, &err)
	     : what == RESUME ? flink_cc_resume(self->cc, name, &err)
			      : flink_cc_delete(self->cc, name, &err);
	Py_END_ALLOW_THREADS
	cloud_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	Py_RETURN_NONE;
}

static PyObject *cloud_stop(sf_cloud *self, PyObject *args)
{
	return by_name(self, args, STOP);
}

static PyObject *cloud_resume(sf_cloud *self, PyObject *args)
{
	return by_name(self, args, RESUME);
}

static PyObject *cloud_delete(sf_cloud *self, PyObject *args)
{
	return by_name(self, args, DELETE);
}

static PyObject *cloud_get_base_url(sf_cloud *self, void *c)
{
	if (!self->cc)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_cc_base_url(self->cc));
}

static PyObject *cloud_get_closed(sf_cloud *self, void *c)
{
	return PyBool_FromLong(self->cc == NULL);
}

static PyObject *cloud_get_busy(sf_cloud *self, void *c)
{
	return PyBool_FromLong(self->busy);
}

static PyMethodDef cloud_methods[] = {
	{"close", (PyCFunction)cloud_close, METH_NOARGS,
	 "Closes the open statements (deleting them, except background ones) and the connection."},
	{"submit", (PyCFunction)(void (*)(void))cloud_submit, METH_VARARGS | METH_KEYWORDS,
	 "submit(name, statement, properties=None, labels=None, snapshot=False, compute_pool_id=None) -> "
	 "CloudStatement"},
	{"list", (PyCFunction)(void (*)(void))cloud_list, METH_VARARGS | METH_KEYWORDS,
	 "list(label=None) -> [dict]: the environment's statements (with the label)."},
	{"get", (PyCFunction)cloud_get, METH_VARARGS, "get(name) -> dict: one statement."},
	{"stop", (PyCFunction)cloud_stop, METH_VARARGS, "stop(name): PATCH spec.stopped = true."},
	{"resume", (PyCFunction)cloud_resume, METH_VARARGS, "resume(name): PATCH spec.stopped = false."},
	{"delete", (PyCFunction)cloud_delete, METH_VARARGS, "delete(name): DELETE (a missing one counts as deleted)."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef cloud_getset[] = {
	{"base_url", (getter)cloud_get_base_url, NULL, "The Statements API's base URL.", NULL},
	{"closed", (getter)cloud_get_closed, NULL, "True once closed.", NULL},
	{"busy", (getter)cloud_get_busy, NULL, "True while a call is inside the client library.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject sf_CloudType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "sluice_flink._flink.Cloud",
	.tp_doc = "Cloud(organization_id, environment_id, endpoint=None, ...): Confluent Cloud's Statements API.",
	.tp_basicsize = sizeof(sf_cloud),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)cloud_init,
	.tp_dealloc = (destructor)cloud_dealloc,
	.tp_methods = cloud_methods,
	.tp_getset = cloud_getset,
};

/* ---------------------------------------------------------------- a statement */

static void stmt_dealloc(sf_cloud_statement *o)
{
	if (o->owner && o->owner->busy) {
		/* another thread is inside the library with this connection: leave the statement on the
		 * server rather than race that thread (a misuse threadsafety 1 rules out) */
		flink_cc_statement_free(o->st);
		o->st = NULL;
	}
	stmt_detach(o, -1);
	sf_results_clear(&o->r);
	Py_XDECREF(o->owner);
	PyObject_Free(o);
}

static int stmt_enter(sf_cloud_statement *o)
{
	if (!o->st) {
		PyErr_SetString(sf_InterfaceError, "the statement is closed");
		return -1;
	}
	return cloud_enter(o->owner);
}

static PyObject *stmt_snapshot_list(sf_cloud_statement *o)
{
	size_t ncols = 0;
	const struct flink_column *cols = o->st ? flink_cc_statement_columns(o->st, &ncols) : NULL;
	return sf_snapshot_list(o->r.snap, cols, ncols, o->r.ltz);
}

/* The columns, the fold and the kind of result, once the statement may be read */
static int stmt_take_columns(sf_cloud_statement *o)
{
	size_t ncols = 0;
	const struct flink_column *cols = flink_cc_statement_columns(o->st, &ncols);
	o->r.have_cols = true;
	o->r.is_query = cols != NULL;
	if (!cols)
		return 0;
	PyObject *t = sf_columns(cols, ncols);
	if (!t)
		return -1;
	o->r.columns = t;
	if (o->r.want_snapshot) {
		/* the caller's key, else the result's upsert key, else whole rows */
		const size_t *key = o->r.snap_key;
		size_t nkey = o->r.nsnap_key;
		if (!o->r.key_given)
			key = flink_cc_statement_upsert_columns(o->st, &nkey);
		for (size_t i = 0; i < nkey; i++) {
			if (key[i] >= ncols) {
				PyErr_Format(sf_ProgrammingError, "snapshot key column %zu: the result has %zu columns", key[i],
					     ncols);
				return -1;
			}
		}
		o->r.snap = flink_snapshot_new(ncols, key, nkey);
	}
	return 0;
}

static PyObject *stmt_fetch(sf_cloud_statement *o, PyObject *args)
{
	PyObject *ltz = Py_None;
	if (!PyArg_ParseTuple(args, "|O", &ltz))
		return NULL;
	Py_XSETREF(o->r.ltz, Py_NewRef(ltz));
	if (o->r.eos)
		return Py_BuildValue("(sN)", "EOS", PyList_New(0));
	if (stmt_enter(o) < 0)
		return NULL;
	flink_cc *cc = o->owner->cc;
	flink_cc_statement *st = o->st;
	bool ready = o->ready;
	long long now = now_ms();
	/* an empty page while the statement runs: read its phase now and then, so that a failure
	 * shows (one read a second, beside the pages) */
	bool read_phase = o->ready && now - o->phase_read_ms >= PHASE_READ_EVERY_MS;
	struct flink_error err;
	flink_error_init(&err);
	struct flink_page *pg = NULL;
	flink_code rc = FLINK_OK;
	Py_BEGIN_ALLOW_THREADS
	if (!ready)
		rc = flink_cc_poll(cc, st, true, &ready, &err);
	if (rc == FLINK_OK && ready && flink_cc_statement_columns(st, NULL)) {
		rc = flink_cc_fetch(cc, st, &pg, &err);
		bool end = rc == FLINK_OK && pg->type == FLINK_RESULT_EOS &&
			   !flink_cc_phase_terminal(flink_cc_statement_phase(st));
		if (rc == FLINK_OK && (end || (read_phase && pg->type == FLINK_RESULT_PAYLOAD && pg->nrows == 0))) {
			/* the results of a statement last seen running ended: did it fail? */
			bool again;
			rc = flink_cc_poll(cc, st, true, &again, &err);
			read_phase = true;
		} else {
			read_phase = false;
		}
	}
	Py_END_ALLOW_THREADS
	cloud_leave(o->owner);
	if (rc != FLINK_OK) {
		flink_page_free(pg);
		return sf_raise(&err);
	}
	if (!o->ready || read_phase)
		o->phase_read_ms = now;
	if (!ready)
		return Py_BuildValue("(sN)", "NOT_READY", PyList_New(0));
	o->ready = true;
	if (!o->r.have_cols && stmt_take_columns(o) < 0) {
		flink_page_free(pg);
		return NULL;
	}
	if (!pg) {
		/* DDL, or a background statement: no rows */
		o->r.eos = true;
		return Py_BuildValue("(sN)", "EOS", PyList_New(0));
	}
	/* the columns as they are now: a read of the phase may have replaced the page's */
	size_t ncols = 0;
	const struct flink_column *cols = flink_cc_statement_columns(st, &ncols);
	PyObject *rows = NULL, *result = NULL;
	o->r.rows_read += (long)pg->nrows;
	if (!cols && pg->nrows) {
		PyErr_SetString(sf_InterfaceError, "the statement's rows arrived without its schema");
		goto out;
	}
	if (o->r.snap) {
		if (sf_snapshot_page(o->r.snap, pg) < 0)
			goto out;
		rows = pg->type == FLINK_RESULT_EOS ? stmt_snapshot_list(o) : PyList_New(0);
	} else {
		rows = sf_rows(pg->rows, pg->nrows, cols, ncols, o->r.ltz);
	}
	if (!rows)
		goto out;
	if (pg->type == FLINK_RESULT_EOS)
		o->r.eos = true;
	result = Py_BuildValue("(sN)", pg->type == FLINK_RESULT_EOS ? "EOS" : "PAYLOAD", rows);
out:
	flink_page_free(pg);
	return result;
}

static PyObject *stmt_snapshot(sf_cloud_statement *o, PyObject *args, PyObject *kw)
{
	return sf_results_snapshot(&o->r, args, kw);
}

static PyObject *stmt_snapshot_rows(sf_cloud_statement *o, PyObject *unused)
{
	if (!o->st) {
		PyErr_SetString(sf_InterfaceError, "the statement is closed");
		return NULL;
	}
	return stmt_snapshot_list(o);
}

/* Reads the statement again: its phase */
static PyObject *stmt_status(sf_cloud_statement *o, PyObject *unused)
{
	if (stmt_enter(o) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_cc_refresh(o->owner->cc, o->st, &err);
	Py_END_ALLOW_THREADS
	cloud_leave(o->owner);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	return PyUnicode_FromString(flink_cc_statement_phase_text(o->st));
}

/* PATCH spec.stopped = true: the statement stops (and stays, STOPPED, until deleted) */
static PyObject *stmt_cancel(sf_cloud_statement *o, PyObject *unused)
{
	if (stmt_enter(o) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code rc = FLINK_OK;
	flink_cc_statement *st = o->st;
	Py_BEGIN_ALLOW_THREADS
	/* §7.2: stopping an ended statement is skipped */
	if (!flink_cc_phase_terminal(flink_cc_statement_phase(st)))
		rc = flink_cc_stop(o->owner->cc, flink_cc_statement_name(st), &err);
	if (rc == FLINK_OK)
		rc = flink_cc_refresh(o->owner->cc, st, &err);
	Py_END_ALLOW_THREADS
	cloud_leave(o->owner);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	Py_RETURN_NONE;
}

static PyObject *stmt_close(sf_cloud_statement *o, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("delete"), NULL};
	PyObject *del = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", kwlist, &del))
		return NULL;
	if (o->st && o->owner->busy) {
		PyErr_SetString(sf_ProgrammingError, "the connection is in use by another thread");
		return NULL;
	}
	stmt_detach(o, del == Py_None ? -1 : PyObject_IsTrue(del) ? 1 : 0);
	Py_RETURN_NONE;
}

static PyObject *stmt_get_result_kind(sf_cloud_statement *o, void *c)
{
	if (!o->r.have_cols)
		Py_RETURN_NONE;
	return PyUnicode_FromString(o->r.is_query ? "SUCCESS_WITH_CONTENT" : "SUCCESS");
}

static PyObject *stmt_get_name(sf_cloud_statement *o, void *c)
{
	if (!o->st)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_cc_statement_name(o->st));
}

static PyObject *stmt_get_phase(sf_cloud_statement *o, void *c)
{
	if (!o->st)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_cc_statement_phase_text(o->st));
}

static PyObject *stmt_get_detail(sf_cloud_statement *o, void *c)
{
	if (!o->st)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_cc_statement_detail(o->st));
}

static PyObject *stmt_get_sql_kind(sf_cloud_statement *o, void *c)
{
	const char *k = o->st ? flink_cc_statement_kind(o->st) : NULL;
	if (!k)
		Py_RETURN_NONE;
	return PyUnicode_FromString(k);
}

static PyObject *stmt_get_upsert_columns(sf_cloud_statement *o, void *c)
{
	size_t n = 0;
	const size_t *k = o->st ? flink_cc_statement_upsert_columns(o->st, &n) : NULL;
	PyObject *t = PyTuple_New((Py_ssize_t)n);
	for (size_t i = 0; t && i < n; i++) {
		PyObject *v = PyLong_FromSize_t(k[i]);
		if (!v) {
			Py_CLEAR(t);
			break;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
	}
	return t;
}

static PyObject *stmt_get_append_only(sf_cloud_statement *o, void *c)
{
	return PyBool_FromLong(o->st && flink_cc_statement_append_only(o->st));
}

static PyObject *stmt_get_bounded(sf_cloud_statement *o, void *c)
{
	return PyBool_FromLong(o->st && flink_cc_statement_bounded(o->st));
}

static PyObject *stmt_get_closed(sf_cloud_statement *o, void *c)
{
	return PyBool_FromLong(o->st == NULL);
}

static PyObject *stmt_get_none(sf_cloud_statement *o, void *c)
{
	Py_RETURN_NONE;
}

static PyMethodDef stmt_methods[] = {
	{"fetch", (PyCFunction)stmt_fetch, METH_VARARGS,
	 "fetch(ltz=None) -> (type, rows): NOT_READY while the statement may not be read yet, then its pages "
	 "(PAYLOAD, the last EOS); rows a list of (kind, tuple)."},
	{"snapshot", (PyCFunction)(void (*)(void))stmt_snapshot, METH_VARARGS | METH_KEYWORDS,
	 "snapshot(key=None): fold the changelog (by key, else the upsert key); fetch returns the final rows with EOS."},
	{"snapshot_rows", (PyCFunction)stmt_snapshot_rows, METH_NOARGS, "The rows of the fold so far."},
	{"status", (PyCFunction)stmt_status, METH_NOARGS, "Reads the statement: its phase (RUNNING, COMPLETED, ...)."},
	{"cancel", (PyCFunction)stmt_cancel, METH_NOARGS, "Stops the statement (PATCH spec.stopped)."},
	{"close", (PyCFunction)(void (*)(void))stmt_close, METH_VARARGS | METH_KEYWORDS,
	 "close(delete=None): deletes the statement (None: unless it runs in the background) and frees it."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef stmt_getset[] = {
	SF_RESULTS_GETSET(sf_cloud_statement),
	{"is_query", sf_get_is_query, NULL, "True for a statement that returns rows.",
	 (void *)offsetof(sf_cloud_statement, r)},
	{"result_kind", (getter)stmt_get_result_kind, NULL, "SUCCESS or SUCCESS_WITH_CONTENT.", NULL},
	{"name", (getter)stmt_get_name, NULL, "The statement's name.", NULL},
	{"handle", (getter)stmt_get_name, NULL, "The statement's name.", NULL},
	{"job_id", (getter)stmt_get_none, NULL, "None: Confluent Cloud names statements, not jobs.", NULL},
	{"phase", (getter)stmt_get_phase, NULL, "The phase at the last read.", NULL},
	{"detail", (getter)stmt_get_detail, NULL, "status.detail at the last read.", NULL},
	{"sql_kind", (getter)stmt_get_sql_kind, NULL, "traits.sql_kind, or None.", NULL},
	{"upsert_columns", (getter)stmt_get_upsert_columns, NULL, "traits.upsert_columns.", NULL},
	{"append_only", (getter)stmt_get_append_only, NULL, "traits.is_append_only.", NULL},
	{"bounded", (getter)stmt_get_bounded, NULL, "traits.is_bounded.", NULL},
	{"closed", (getter)stmt_get_closed, NULL, "True once closed.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject sf_CloudStatementType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "sluice_flink._flink.CloudStatement",
	.tp_doc = "One statement of Confluent Cloud (made by Cloud.submit).",
	.tp_basicsize = sizeof(sf_cloud_statement),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = (destructor)stmt_dealloc,
	.tp_methods = stmt_methods,
	.tp_getset = stmt_getset,
};
