/*
 * _flink.Operation: one submitted statement. fetch() asks the gateway for the next page once and
 * hands back its rows decoded, with their changelog kind; the caller (the Cursor) decides how to
 * wait between NOT_READY answers, so that Ctrl-C and its timeouts stay in Python.
 *
 * With snapshot() the changelog is folded as it arrives (flink_snapshot): fetch() then returns no
 * rows until EOS, and the final rows, all +I, with it; snapshot_rows() shows the fold so far.
 */
#include "ext.h"

#include <string.h>

void sf_operation_detach(sf_operation *o)
{
	sf_session *s = o->owner;
	if (o->op) {
		flink_operation *op = o->op;
		o->op = NULL;
		struct flink_error err;
		flink_error_init(&err);
		Py_BEGIN_ALLOW_THREADS
		(void)flink_operation_close(op, &err);
		Py_END_ALLOW_THREADS
		flink_error_release(&err);
	}
	if (s) {
		if (o->prev)
			o->prev->next = o->next;
		else if (s->ops == o)
			s->ops = o->next;
		if (o->next)
			o->next->prev = o->prev;
		o->next = o->prev = NULL;
	}
}

static void op_dealloc(sf_operation *o)
{
	if (o->owner && o->owner->busy) {
		/* another thread is inside the library with this session (a misuse threadsafety 1
		 * rules out): leave the handle rather than race that thread on the session */
		o->op = NULL;
	}
	sf_operation_detach(o);
	sf_results_clear(&o->r);
	Py_XDECREF(o->owner);
	PyObject_Free(o);
}

static int op_enter(sf_operation *o)
{
	if (!o->op) {
		PyErr_SetString(sf_InterfaceError, "the statement is closed");
		return -1;
	}
	return sf_session_enter(o->owner);
}

static PyObject *snapshot_list(sf_operation *o)
{
	size_t ncols;
	const struct flink_column *cols = flink_operation_columns(o->op, &ncols);
	return sf_snapshot_list(o->r.snap, cols, ncols, o->r.ltz);
}

static PyObject *op_fetch(sf_operation *o, PyObject *args)
{
	PyObject *ltz = Py_None;
	if (!PyArg_ParseTuple(args, "|O", &ltz))
		return NULL;
	Py_XSETREF(o->r.ltz, Py_NewRef(ltz));
	if (op_enter(o) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	struct flink_page *pg = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_operation_fetch(o->op, &pg, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(o->owner);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	PyObject *rows = NULL, *result = NULL;
	const char *type = pg->type == FLINK_RESULT_NOT_READY ? "NOT_READY"
			   : pg->type == FLINK_RESULT_PAYLOAD ? "PAYLOAD" : "EOS";
	if (pg->type != FLINK_RESULT_NOT_READY && !o->r.have_cols) {
		o->r.have_cols = true;
		o->r.is_query = pg->is_query;
		o->kind = pg->kind;
		if (pg->job_id)
			snprintf(o->job_id, sizeof o->job_id, "%s", pg->job_id);
		PyObject *cols = sf_columns(pg->cols, pg->ncols);
		if (!cols)
			goto out;
		o->r.columns = cols;
		if (o->r.want_snapshot)
			o->r.snap = flink_snapshot_new(pg->ncols, o->r.snap_key, o->r.nsnap_key);
	}
	o->r.rows_read += (long)pg->nrows;
	if (o->r.snap) {
		if (sf_snapshot_page(o->r.snap, pg) < 0)
			goto out;
		rows = pg->type == FLINK_RESULT_EOS ? snapshot_list(o) : PyList_New(0);
	} else {
		rows = sf_rows(pg->rows, pg->nrows, pg->cols, pg->ncols, o->r.ltz);
	}
	if (!rows)
		goto out;
	if (pg->type == FLINK_RESULT_EOS)
		o->r.eos = true;
	result = Py_BuildValue("(sN)", type, rows);
out:
	flink_page_free(pg);
	return result;
}

static PyObject *op_snapshot(sf_operation *o, PyObject *args, PyObject *kw)
{
	return sf_results_snapshot(&o->r, args, kw);
}

static PyObject *op_snapshot_rows(sf_operation *o, PyObject *unused)
{
	if (!o->op) {
		PyErr_SetString(sf_InterfaceError, "the statement is closed");
		return NULL;
	}
	return snapshot_list(o);
}

static PyObject *op_status(sf_operation *o, PyObject *unused)
{
	if (op_enter(o) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	enum flink_op_status st = FLINK_OP_INITIALIZED;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_operation_status(o->op, &st, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(o->owner);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	return PyUnicode_FromString(flink_op_status_name(st));
}

static PyObject *op_cancel(sf_operation *o, PyObject *unused)
{
	if (op_enter(o) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_operation_cancel(o->op, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(o->owner);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	Py_RETURN_NONE;
}

static PyObject *op_close(sf_operation *o, PyObject *unused)
{
	if (o->op && o->owner->busy) {
		PyErr_SetString(sf_ProgrammingError, "the connection is in use by another thread");
		return NULL;
	}
	sf_operation_detach(o);
	Py_RETURN_NONE;
}

static PyObject *op_get_result_kind(sf_operation *o, void *c)
{
	if (!o->r.have_cols)
		Py_RETURN_NONE;
	return PyUnicode_FromString(o->kind == FLINK_KIND_SUCCESS ? "SUCCESS" : "SUCCESS_WITH_CONTENT");
}

static PyObject *op_get_job_id(sf_operation *o, void *c)
{
	if (!o->job_id[0])
		Py_RETURN_NONE;
	return PyUnicode_FromString(o->job_id);
}

static PyObject *op_get_handle(sf_operation *o, void *c)
{
	if (!o->op)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_operation_handle(o->op));
}

static PyObject *op_get_closed(sf_operation *o, void *c)
{
	return PyBool_FromLong(o->op == NULL);
}

static PyMethodDef op_methods[] = {
	{"fetch", (PyCFunction)op_fetch, METH_VARARGS,
	 "fetch(ltz=None) -> (type, rows): the next page; type is NOT_READY, PAYLOAD or EOS, rows a list "
	 "of (kind, tuple) with kind +I, -U, +U or -D. ltz is the tzinfo of TIMESTAMP_LTZ values."},
	{"snapshot", (PyCFunction)(void (*)(void))op_snapshot, METH_VARARGS | METH_KEYWORDS,
	 "snapshot(key=None): fold the changelog; fetch returns the final rows with EOS."},
	{"snapshot_rows", (PyCFunction)op_snapshot_rows, METH_NOARGS, "The rows of the fold so far."},
	{"status", (PyCFunction)op_status, METH_NOARGS, "The operation's status (RUNNING, FINISHED, ...)."},
	{"cancel", (PyCFunction)op_cancel, METH_NOARGS, "Cancels the statement (before it finished)."},
	{"close", (PyCFunction)op_close, METH_NOARGS, "Closes the operation; a query's job stops."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef op_getset[] = {
	SF_RESULTS_GETSET(sf_operation),
	{"is_query", sf_get_is_query, NULL, "True for a query's result.", (void *)offsetof(sf_operation, r)},
	{"result_kind", (getter)op_get_result_kind, NULL, "SUCCESS or SUCCESS_WITH_CONTENT.", NULL},
	{"job_id", (getter)op_get_job_id, NULL, "The job of the statement, or None.", NULL},
	{"handle", (getter)op_get_handle, NULL, "The operation handle.", NULL},
	{"closed", (getter)op_get_closed, NULL, "True once closed.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject sf_OperationType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "sluice_flink._flink.Operation",
	.tp_doc = "One submitted statement (made by Session.submit).",
	.tp_basicsize = sizeof(sf_operation),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = (destructor)op_dealloc,
	.tp_methods = op_methods,
	.tp_getset = op_getset,
};
