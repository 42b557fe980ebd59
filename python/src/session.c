/*
 * _flink.Session: one client of the gateway and one session on it (flink_client_new +
 * flink_session_open), with the calls a connection needs: configure, the effective configuration,
 * submit, info, close.
 */
#include "ext.h"

#include <string.h>

int sf_session_enter(sf_session *s)
{
	return sf_enter(s->session != NULL, &s->busy);
}

void sf_session_leave(sf_session *s)
{
	s->busy = false;
}

/* Key/value pairs from a mapping or a sequence of pairs; the strings stay owned by *pkeep (a
 * list of the str objects), which the caller releases after the call */
int sf_kv_from(PyObject *src, struct flink_kv **pkv, size_t *pn, PyObject **pkeep)
{
	*pkv = NULL;
	*pn = 0;
	*pkeep = NULL;
	if (!src || src == Py_None)
		return 0;
	PyObject *items = PyMapping_Check(src) && !PyList_Check(src) && !PyTuple_Check(src)
				  ? PyMapping_Items(src)
				  : PySequence_List(src);
	if (!items)
		return -1;
	Py_ssize_t n = PyList_GET_SIZE(items);
	struct flink_kv *kv = PyMem_Calloc((size_t)(n ? n : 1), sizeof *kv);
	PyObject *keep = PyList_New(0);
	if (!kv || !keep) {
		Py_DECREF(items);
		PyMem_Free(kv);
		Py_XDECREF(keep);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *pair = PyList_GET_ITEM(items, i);
		if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
			PyErr_SetString(PyExc_TypeError, "properties must be a mapping or (key, value) pairs");
			goto fail;
		}
		for (int j = 0; j < 2; j++) {
			PyObject *o = PyTuple_GET_ITEM(pair, j);
			PyObject *str = PyBool_Check(o) ? PyUnicode_FromString(o == Py_True ? "true" : "false")
							: PyObject_Str(o);
			if (!str)
				goto fail;
			Py_ssize_t blen;
			const char *c = PyUnicode_AsUTF8AndSize(str, &blen);
			if (!c || PyList_Append(keep, str) < 0) {
				Py_DECREF(str);
				goto fail;
			}
			Py_DECREF(str); /* keep holds it */
			if (strlen(c) != (size_t)blen) {
				PyErr_SetString(PyExc_ValueError, "a property has a NUL character");
				goto fail;
			}
			if (j == 0)
				kv[i].key = c;
			else
				kv[i].value = c;
		}
	}
	Py_DECREF(items);
	*pkv = kv;
	*pn = (size_t)n;
	*pkeep = keep;
	return 0;
fail:
	Py_DECREF(items);
	PyMem_Free(kv);
	Py_DECREF(keep);
	return -1;
}

int sf_opt_str(PyObject *o, const char **out, const char *what)
{
	*out = NULL;
	if (!o || o == Py_None)
		return 0;
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(o)->tp_name);
		return -1;
	}
	*out = PyUnicode_AsUTF8(o);
	return *out ? 0 : -1;
}

static int session_init(sf_session *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("url"), KW("properties"), KW("name"), KW("api_version"), KW("headers"), KW("bearer_token"),
				 KW("username"), KW("password"), KW("ca_file"), KW("insecure"), KW("connect_timeout_ms"),
				 KW("request_timeout_ms"), KW("max_retries"), KW("retry_backoff_ms"), KW("poll_interval_ms"),
				 KW("heartbeat_interval_ms"), NULL};
	PyObject *url, *props = NULL, *name = NULL, *api = NULL, *headers = NULL, *token = NULL,
		 *user = NULL, *pass = NULL, *ca = NULL;
	int insecure = 0, retries = -1;
	long cto = 0, rto = 0, backoff = 0, poll = 0, hb = -1;
	if (self->session) {
		PyErr_SetString(sf_InterfaceError, "the session is already open");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|OOOOOOOOpllilll", kwlist, &url, &props, &name, &api,
					 &headers, &token, &user, &pass, &ca, &insecure, &cto, &rto,
					 &retries, &backoff, &poll, &hb))
		return -1;
	struct flink_client_options o;
	flink_client_options_init(&o);
	const char *s_name;
	if (sf_opt_str(url, &o.url, "url") || sf_opt_str(name, &s_name, "name") ||
	    sf_opt_str(api, &o.api_version, "api_version") || sf_opt_str(token, &o.bearer_token, "bearer_token") ||
	    sf_opt_str(user, &o.username, "username") || sf_opt_str(pass, &o.password, "password") ||
	    sf_opt_str(ca, &o.ca_file, "ca_file"))
		return -1;
	SF_TRANSPORT_OPTIONS(o, insecure, cto, rto, retries, backoff);
	if (poll > 0)
		o.poll_interval_ms = poll;
	if (hb >= 0)
		o.heartbeat_interval_ms = hb;
	/* headers: "Name: value" lines */
	PyObject *hlist = NULL;
	const char **hv = NULL;
	if (headers && headers != Py_None) {
		hlist = PySequence_List(headers);
		if (!hlist)
			return -1;
		Py_ssize_t n = PyList_GET_SIZE(hlist);
		hv = PyMem_Calloc((size_t)n + 1, sizeof *hv);
		if (!hv) {
			Py_DECREF(hlist);
			PyErr_NoMemory();
			return -1;
		}
		for (Py_ssize_t i = 0; i < n; i++) {
			if (sf_opt_str(PyList_GET_ITEM(hlist, i), &hv[i], "a header") || !hv[i]) {
				if (!PyErr_Occurred())
					PyErr_SetString(PyExc_TypeError, "a header must be a str");
				PyMem_Free(hv);
				Py_DECREF(hlist);
				return -1;
			}
		}
		o.headers = hv;
	}
	struct flink_kv *kv;
	size_t nkv;
	PyObject *keep;
	if (sf_kv_from(props, &kv, &nkv, &keep) < 0) {
		PyMem_Free(hv);
		Py_XDECREF(hlist);
		return -1;
	}
	struct flink_error err;
	flink_error_init(&err);
	flink_client *c = NULL;
	flink_session *s = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_client_new(&o, &c, &err);
	if (rc == FLINK_OK) {
		rc = flink_session_open(c, s_name, kv, nkv, &s, &err);
		if (rc != FLINK_OK) {
			flink_client_free(c);
			c = NULL;
		}
	}
	Py_END_ALLOW_THREADS
	PyMem_Free(kv);
	Py_XDECREF(keep);
	PyMem_Free(hv);
	Py_XDECREF(hlist);
	if (rc != FLINK_OK) {
		sf_raise(&err);
		return -1;
	}
	self->client = c;
	self->session = s;
	return 0;
}

/* Closes the open operations, then the session and the client; safe to call again */
static void session_shutdown(sf_session *self, struct flink_error *err)
{
	while (self->ops)
		sf_operation_detach(self->ops);
	flink_session *s = self->session;
	flink_client *c = self->client;
	self->session = NULL;
	self->client = NULL;
	if (!s && !c)
		return;
	Py_BEGIN_ALLOW_THREADS
	if (s)
		(void)flink_session_close(s, err);
	flink_client_free(c);
	Py_END_ALLOW_THREADS
}

static PyObject *session_close(sf_session *self, PyObject *unused)
{
	if (self->busy) {
		PyErr_SetString(sf_ProgrammingError, "the connection is in use by another thread");
		return NULL;
	}
	struct flink_error err;
	flink_error_init(&err);
	session_shutdown(self, &err);
	/* closing frees the session even when DELETE failed (an expired session): not an error */
	flink_error_release(&err);
	Py_RETURN_NONE;
}

static void session_dealloc(sf_session *self)
{
	struct flink_error err;
	flink_error_init(&err);
	if (!self->busy)
		session_shutdown(self, &err);
	flink_error_release(&err);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *session_configure(sf_session *self, PyObject *args)
{
	const char *stmt;
	if (!PyArg_ParseTuple(args, "s", &stmt) || sf_session_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_session_configure(self->session, stmt, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	Py_RETURN_NONE;
}

static PyObject *session_config(sf_session *self, PyObject *unused)
{
	if (sf_session_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	struct flink_kv *kv = NULL;
	size_t n = 0;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_session_get_config(self->session, &kv, &n, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	PyObject *d = PyDict_New();
	for (size_t i = 0; d && i < n; i++) {
		PyObject *v = PyUnicode_FromString(kv[i].value ? kv[i].value : "");
		if (!v || PyDict_SetItemString(d, kv[i].key, v) < 0)
			Py_CLEAR(d);
		Py_XDECREF(v);
	}
	flink_kv_free(kv, n);
	return d;
}

static PyObject *session_info(sf_session *self, PyObject *unused)
{
	if (sf_session_enter(self) < 0)
		return NULL;
	struct flink_error err;
	flink_error_init(&err);
	char *product = NULL, *version = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_client_info(self->client, &product, &version, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(self);
	if (rc != FLINK_OK)
		return sf_raise(&err);
	PyObject *r = Py_BuildValue("(zz)", product, version);
	free(product);
	free(version);
	return r;
}

static PyObject *session_submit(sf_session *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {KW("statement"), KW("config"), NULL};
	const char *stmt;
	Py_ssize_t len;
	PyObject *config = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s#|O", kwlist, &stmt, &len, &config))
		return NULL;
	if (strlen(stmt) != (size_t)len) {
		PyErr_SetString(sf_ProgrammingError, "the statement has a NUL character");
		return NULL;
	}
	struct flink_kv *kv;
	size_t nkv;
	PyObject *keep;
	if (sf_kv_from(config, &kv, &nkv, &keep) < 0)
		return NULL;
	sf_operation *o = PyObject_New(sf_operation, &sf_OperationType);
	if (!o) {
		PyMem_Free(kv);
		Py_XDECREF(keep);
		return NULL;
	}
	/* everything the destructor reads, before anything can fail */
	o->owner = NULL;
	o->op = NULL;
	o->next = o->prev = NULL;
	sf_results_init(&o->r);
	o->kind = FLINK_KIND_SUCCESS;
	o->job_id[0] = '\0';
	if (sf_session_enter(self) < 0) {
		PyMem_Free(kv);
		Py_XDECREF(keep);
		Py_DECREF(o);
		return NULL;
	}
	struct flink_exec_options eo = {kv, nkv};
	struct flink_error err;
	flink_error_init(&err);
	flink_operation *op = NULL;
	flink_code rc;
	Py_BEGIN_ALLOW_THREADS
	rc = flink_statement_submit(self->session, stmt, nkv ? &eo : NULL, &op, &err);
	Py_END_ALLOW_THREADS
	sf_session_leave(self);
	PyMem_Free(kv);
	Py_XDECREF(keep);
	if (rc != FLINK_OK) {
		Py_DECREF(o);
		return sf_raise(&err);
	}
	o->op = op;
	Py_INCREF(self);
	o->owner = self;
	o->next = self->ops;
	if (self->ops)
		self->ops->prev = o;
	self->ops = o;
	return (PyObject *)o;
}

static PyObject *session_get_api_version(sf_session *self, void *c)
{
	if (!self->client)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_client_api_version(self->client));
}

static PyObject *session_get_handle(sf_session *self, void *c)
{
	if (!self->session)
		Py_RETURN_NONE;
	return PyUnicode_FromString(flink_session_handle(self->session));
}

static PyObject *session_get_alive(sf_session *self, void *c)
{
	return PyBool_FromLong(self->session && flink_session_alive(self->session));
}

static PyObject *session_get_busy(sf_session *self, void *c)
{
	return PyBool_FromLong(self->busy);
}

static PyObject *session_get_closed(sf_session *self, void *c)
{
	return PyBool_FromLong(self->session == NULL);
}

static PyMethodDef session_methods[] = {
	{"close", (PyCFunction)session_close, METH_NOARGS, "Closes the open operations, the session and the client."},
	{"configure", (PyCFunction)session_configure, METH_VARARGS, "Runs SET, RESET, USE, CREATE ... in the session."},
	{"config", (PyCFunction)session_config, METH_NOARGS, "The session's effective configuration, a dict."},
	{"info", (PyCFunction)session_info, METH_NOARGS, "(product, version) of the gateway."},
	{"submit", (PyCFunction)(void (*)(void))session_submit, METH_VARARGS | METH_KEYWORDS,
	 "submit(statement, config=None) -> Operation: submits a statement with its own execution config."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef session_getset[] = {
	{"api_version", (getter)session_get_api_version, NULL, "The REST API version in use (\"v4\").", NULL},
	{"handle", (getter)session_get_handle, NULL, "The session handle.", NULL},
	{"alive", (getter)session_get_alive, NULL, "False once the gateway forgot the session.", NULL},
	{"closed", (getter)session_get_closed, NULL, "True once closed.", NULL},
	{"busy", (getter)session_get_busy, NULL, "True while a call is inside the client library.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject sf_SessionType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "sluice_flink._flink.Session",
	.tp_doc = "Session(url, properties=None, name=None, ...): a client and one session of a Flink SQL Gateway.",
	.tp_basicsize = sizeof(sf_session),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)session_init,
	.tp_dealloc = (destructor)session_dealloc,
	.tp_methods = session_methods,
	.tp_getset = session_getset,
};
