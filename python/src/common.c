/*
 * What Session/Operation (the gateway) and Cloud/CloudStatement (Confluent Cloud) share: the
 * one-thread-at-a-time guard, what a statement keeps of its results (columns, the fold and its
 * key, snapshot(), the getters), the columns tuple and the decoding of a page's rows, with or
 * without a changelog fold.
 */
#include "ext.h"

int sf_enter(bool open, bool *busy)
{
	if (!open) {
		PyErr_SetString(sf_InterfaceError, "the connection is closed");
		return -1;
	}
	if (*busy) {
		PyErr_SetString(sf_ProgrammingError,
				"the connection is in use by another thread: a connection and its cursors "
				"belong to one thread at a time (threadsafety 1)");
		return -1;
	}
	*busy = true;
	return 0;
}

/* snapshot()'s key argument: None (*pkey NULL, *pn 0) or a sequence of column indexes */
static int snapshot_key(PyObject *key, size_t **pkey, size_t *pn)
{
	*pkey = NULL;
	*pn = 0;
	if (key == Py_None)
		return 0;
	PyObject *seq = PySequence_Fast(key, "key must be a sequence of column indexes");
	if (!seq)
		return -1;
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	size_t *v = PyMem_Calloc((size_t)(n ? n : 1), sizeof(size_t));
	if (!v) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		Py_ssize_t k = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_OverflowError);
		if (k < 0) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_ValueError, "a key column index is negative");
			Py_DECREF(seq);
			PyMem_Free(v);
			return -1;
		}
		v[i] = (size_t)k;
	}
	Py_DECREF(seq);
	*pkey = v;
	*pn = (size_t)n;
	return 0;
}

void sf_results_init(struct sf_results *r)
{
	r->have_cols = r->is_query = r->eos = false;
	r->columns = NULL;
	r->snap = NULL;
	r->snap_key = NULL;
	r->nsnap_key = 0;
	r->want_snapshot = r->key_given = false;
	r->ltz = NULL;
	r->rows_read = 0;
}

void sf_results_clear(struct sf_results *r)
{
	flink_snapshot_free(r->snap);
	r->snap = NULL;
	PyMem_Free(r->snap_key);
	r->snap_key = NULL;
	r->nsnap_key = 0;
	Py_CLEAR(r->columns);
	Py_CLEAR(r->ltz);
}

PyObject *sf_results_snapshot(struct sf_results *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("key"), NULL};
	PyObject *key = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", kwlist, &key))
		return NULL;
	if (r->have_cols) {
		PyErr_SetString(sf_ProgrammingError, "a snapshot must be asked for before the first rows");
		return NULL;
	}
	PyMem_Free(r->snap_key);
	r->key_given = false;
	if (snapshot_key(key, &r->snap_key, &r->nsnap_key) < 0)
		return NULL;
	r->key_given = key != Py_None;
	r->want_snapshot = true;
	Py_RETURN_NONE;
}

static struct sf_results *results_of(PyObject *self, void *off)
{
	return (struct sf_results *)((char *)self + (size_t)off);
}

PyObject *sf_get_columns(PyObject *self, void *off)
{
	struct sf_results *r = results_of(self, off);
	return Py_NewRef(r->columns ? r->columns : Py_None);
}

PyObject *sf_get_is_query(PyObject *self, void *off)
{
	return PyBool_FromLong(results_of(self, off)->is_query);
}

PyObject *sf_get_eos(PyObject *self, void *off)
{
	return PyBool_FromLong(results_of(self, off)->eos);
}

PyObject *sf_get_rows_read(PyObject *self, void *off)
{
	return PyLong_FromLong(results_of(self, off)->rows_read);
}

PyObject *sf_columns(const struct flink_column *cols, size_t ncols)
{
	PyObject *t = PyTuple_New((Py_ssize_t)ncols);
	for (size_t i = 0; t && i < ncols; i++) {
		PyObject *c = sf_column_tuple(&cols[i]);
		if (!c) {
			Py_CLEAR(t);
			break;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, c);
	}
	return t;
}

PyObject *sf_rows(const struct flink_row *rows, size_t n, const struct flink_column *cols, size_t ncols,
		  PyObject *ltz)
{
	PyObject *out = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; out && i < n; i++) {
		PyObject *r = sf_decode_row(&rows[i], cols, ncols, ltz, true);
		if (!r) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, (Py_ssize_t)i, r);
	}
	return out;
}

PyObject *sf_snapshot_list(flink_snapshot *snap, const struct flink_column *cols, size_t ncols,
			   PyObject *ltz)
{
	if (!snap || !cols)
		return PyList_New(0);
	const struct flink_row *rows;
	size_t n = flink_snapshot_rows(snap, &rows);
	return sf_rows(rows, n, cols, ncols, ltz);
}

int sf_snapshot_page(flink_snapshot *snap, const struct flink_page *pg)
{
	struct flink_error err;
	flink_error_init(&err);
	for (size_t i = 0; i < pg->nrows; i++) {
		if (flink_snapshot_apply(snap, &pg->rows[i], &err) != FLINK_OK) {
			sf_raise(&err);
			return -1;
		}
	}
	return 0;
}
