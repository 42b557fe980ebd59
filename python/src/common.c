/*
 * What Session/Operation (the gateway) and Cloud/CloudStatement (Confluent Cloud) share: the
 * one-thread-at-a-time guard, the snapshot key argument, the columns tuple and the decoding of a
 * page's rows, with or without a changelog fold.
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

int sf_snapshot_key(PyObject *key, size_t **pkey, size_t *pn)
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
