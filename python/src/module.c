/*
 * The module sluice_flink._flink: PEP 249's exception hierarchy, the mapping of the library's
 * errors onto it, and the module's initialisation.
 *
 * Which exception: what the library's code says first (could not connect, timed out, a protocol
 * the client does not understand, a bad argument), then, for an error the gateway reported, what
 * its chain of causes says: a parse or validation error (an unknown table, a bad column, a function
 * that does not exist, a table that already exists) is ProgrammingError, a value that cannot be
 * converted or computed is DataError, a NOT NULL column written with NULL is IntegrityError, a job
 * that failed or was canceled is OperationalError, an unsupported feature is NotSupportedError,
 * anything else DatabaseError. The exception keeps the gateway's root cause and whole trace.
 *
 * Confluent Cloud's errors go the same way: a statement that FAILED (or is DEGRADED) is classed by
 * its status.detail as above; a name in use (409) or a missing statement (404) is
 * ProgrammingError, a request refused as invalid (400, 422) ProgrammingError, refused credentials
 * (401), rate limits and server errors OperationalError, an exhausted compute pool
 * OperationalError (code POOL_EXHAUSTED: try again).
 */
#include "ext.h"

#include <string.h>

PyObject *sf_Warning, *sf_Error, *sf_InterfaceError, *sf_DatabaseError, *sf_DataError,
	*sf_OperationalError, *sf_IntegrityError, *sf_InternalError, *sf_ProgrammingError,
	*sf_NotSupportedError;

static const char *code_name(flink_code c)
{
	switch (c) {
	case FLINK_OK: return "OK";
	case FLINK_E_ARG: return "ARG";
	case FLINK_E_CONNECT: return "CONNECT";
	case FLINK_E_TIMEOUT: return "TIMEOUT";
	case FLINK_E_HTTP: return "HTTP";
	case FLINK_E_GATEWAY: return "GATEWAY";
	case FLINK_E_SESSION_GONE: return "SESSION_GONE";
	case FLINK_E_PROTOCOL: return "PROTOCOL";
	case FLINK_E_VERSION: return "VERSION";
	case FLINK_E_CANCELED: return "CANCELED";
	case FLINK_E_INTERRUPTED: return "INTERRUPTED";
	case FLINK_E_NOMEM: return "NOMEM";
	case FLINK_E_NOT_FOUND: return "NOT_FOUND";
	case FLINK_E_CONFLICT: return "CONFLICT";
	case FLINK_E_POOL_EXHAUSTED: return "POOL_EXHAUSTED";
	case FLINK_E_STATEMENT: return "STATEMENT";
	}
	return "UNKNOWN";
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static bool any_of(const char *hay, const char *const *needles)
{
	for (; *needles; needles++)
		if (has(hay, *needles))
			return true;
	return false;
}

/* The class for an error the gateway reported, from its causes */
static PyObject *gateway_class(const struct flink_error *e)
{
	const char *rc = e->root_cause ? e->root_cause : e->message;
	static const char *const integrity[] = {"is NOT NULL, however, a null value is being written",
		"ConstraintViolation", NULL};
	static const char *const data[] = {"NumberFormatException", "ArithmeticException",
		"DateTimeParseException", "DateTimeException", "ClassCastException",
		"Cannot cast", "cannot be cast", "Could not cast", "Could not convert", "Conversion Error", "out of range", "Division by zero", "division by zero",
		"overflow", NULL};
	static const char *const programming[] = {"SqlParserException", "SqlParseException",
		"ParseException", "ValidationException", "SqlValidatorException", "CalciteContextException",
		"No match found for function signature", "TableNotExistException",
		"DatabaseNotExistException", "CatalogException", "TableAlreadyExistException",
		"DatabaseAlreadyExistException", "Object '", "not found", "already exists",
		"Column types of query result and sink", "does not exist", "Unknown identifier",
		"Cannot find", NULL};
	static const char *const unsupported[] = {"UnsupportedOperationException",
		"is not supported", "not supported yet", NULL};
	static const char *const operational[] = {"JobExecutionException", "JobCancellationException",
		"Job failed", "Failed to wait job finish", "job has been cancelled", NULL};
	if (any_of(rc, integrity))
		return sf_IntegrityError;
	if (any_of(rc, data))
		return sf_DataError;
	if (any_of(rc, programming))
		return sf_ProgrammingError;
	if (any_of(rc, unsupported))
		return sf_NotSupportedError;
	if (any_of(e->server_trace, operational) || any_of(rc, operational))
		return sf_OperationalError;
	return sf_DatabaseError;
}

static PyObject *class_of(const struct flink_error *e)
{
	switch (e->code) {
	case FLINK_E_ARG: return sf_InterfaceError;
	case FLINK_E_PROTOCOL: return sf_InterfaceError;
	case FLINK_E_GATEWAY: return gateway_class(e);
	case FLINK_E_NOMEM: return PyExc_MemoryError;
	case FLINK_E_HTTP:
		/* Confluent Cloud's 400 and 422: a request the server refused to accept, e.g. a bad
		 * property or name; 401, 403, 429 and 5xx are the connection's */
		if (e->http_status == 400 || e->http_status == 422)
			return sf_ProgrammingError;
		return sf_OperationalError;
	case FLINK_E_CONNECT: case FLINK_E_TIMEOUT: case FLINK_E_SESSION_GONE:
	case FLINK_E_VERSION: case FLINK_E_CANCELED: case FLINK_E_INTERRUPTED:
	case FLINK_E_POOL_EXHAUSTED:
		return sf_OperationalError;
	/* Confluent Cloud's Statements API: a failed statement carries the server's cause */
	case FLINK_E_STATEMENT: return gateway_class(e);
	case FLINK_E_NOT_FOUND: case FLINK_E_CONFLICT: return sf_ProgrammingError;
	case FLINK_OK:
		break;
	}
	return sf_DatabaseError;
}

static int set_str(PyObject *o, const char *name, const char *v)
{
	PyObject *s = v ? PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), "replace") : Py_NewRef(Py_None);
	if (!s)
		return -1;
	int rc = PyObject_SetAttrString(o, name, s);
	Py_DECREF(s);
	return rc;
}

PyObject *sf_raise(struct flink_error *e)
{
	PyObject *cls = class_of(e);
	/* The message says what failed and, when the gateway said why, its root cause */
	const char *msg = e->message ? e->message : flink_strerror(e->code);
	PyObject *text;
	if (e->root_cause && *e->root_cause && strstr(e->root_cause, msg))
		text = PyUnicode_FromString(e->root_cause);
	else if (e->root_cause && *e->root_cause && !strstr(msg, e->root_cause))
		text = PyUnicode_FromFormat("%s: %s", msg, e->root_cause);
	else
		text = PyUnicode_FromString(msg);
	if (!text) {
		PyErr_Clear();
		text = PyUnicode_FromString(flink_strerror(e->code));
	}
	PyObject *exc = text ? PyObject_CallOneArg(cls, text) : NULL;
	Py_XDECREF(text);
	if (exc && cls != PyExc_MemoryError) {
		PyObject *status = e->http_status ? PyLong_FromLong(e->http_status) : Py_NewRef(Py_None);
		if (set_str(exc, "code", code_name(e->code)) < 0 || !status ||
		    PyObject_SetAttrString(exc, "http_status", status) < 0 ||
		    set_str(exc, "root_cause", e->root_cause) < 0 ||
		    set_str(exc, "server_trace", e->server_trace) < 0 ||
		    set_str(exc, "statement", e->statement) < 0 || set_str(exc, "request", e->request) < 0)
			Py_CLEAR(exc);
		Py_XDECREF(status);
	}
	flink_error_release(e);
	if (exc) {
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/* ---------------------------------------------------------------- the module */

static PyMethodDef methods[] = {
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
	PyModuleDef_HEAD_INIT, "sluice_flink._flink",
	"The C half of sluice_flink: sessions and statements of the Flink SQL Gateway, and statements "
	"of Confluent Cloud's SQL Statements API, through libsluice-flink, and exact decoding of their "
	"results.",
	-1, methods, NULL, NULL, NULL, NULL,
};

static int add_exc(PyObject *m, PyObject **slot, const char *name, PyObject *base, const char *doc)
{
	char full[96];
	snprintf(full, sizeof full, "sluice_flink.%s", name);
	*slot = PyErr_NewExceptionWithDoc(full, doc, base, NULL);
	if (!*slot)
		return -1;
	Py_INCREF(*slot);
	return PyModule_AddObject(m, name, *slot) < 0 ? (Py_DECREF(*slot), -1) : 0;
}

PyMODINIT_FUNC PyInit__flink(void);

PyMODINIT_FUNC PyInit__flink(void)
{
	if (sf_decode_init() < 0)
		return NULL;
	PyObject *m = PyModule_Create(&moddef);
	if (!m)
		return NULL;
	if (add_exc(m, &sf_Warning, "Warning", PyExc_Exception, "Important warnings, e.g. a result cut short.") ||
	    add_exc(m, &sf_Error, "Error", PyExc_Exception, "The base class of every error of the module.") ||
	    add_exc(m, &sf_InterfaceError, "InterfaceError", sf_Error,
		    "The client itself: bad arguments, a closed connection or cursor, a protocol it does not understand.") ||
	    add_exc(m, &sf_DatabaseError, "DatabaseError", sf_Error, "Errors reported by the gateway or its cluster.") ||
	    add_exc(m, &sf_DataError, "DataError", sf_DatabaseError, "A value that cannot be converted, computed or read.") ||
	    add_exc(m, &sf_OperationalError, "OperationalError", sf_DatabaseError,
		    "The connection or the job: unreachable gateway, timeout, lost session, failed or canceled job.") ||
	    add_exc(m, &sf_IntegrityError, "IntegrityError", sf_DatabaseError, "A constraint was violated (NOT NULL).") ||
	    add_exc(m, &sf_InternalError, "InternalError", sf_DatabaseError, "The client or the gateway is in a state it should not be in.") ||
	    add_exc(m, &sf_ProgrammingError, "ProgrammingError", sf_DatabaseError,
		    "The SQL: parse and validation errors, unknown or existing objects, misuse of the API.") ||
	    add_exc(m, &sf_NotSupportedError, "NotSupportedError", sf_DatabaseError,
		    "Something the gateway, Flink or this module does not support.")) {
		Py_DECREF(m);
		return NULL;
	}
	if (PyType_Ready(&sf_SessionType) < 0 || PyType_Ready(&sf_OperationType) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(&sf_SessionType);
	if (PyModule_AddObject(m, "Session", (PyObject *)&sf_SessionType) < 0) {
		Py_DECREF(&sf_SessionType);
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(&sf_OperationType);
	if (PyModule_AddObject(m, "Operation", (PyObject *)&sf_OperationType) < 0) {
		Py_DECREF(&sf_OperationType);
		Py_DECREF(m);
		return NULL;
	}
	if (PyType_Ready(&sf_CloudType) < 0 || PyType_Ready(&sf_CloudStatementType) < 0 ||
	    PyModule_AddObjectRef(m, "Cloud", (PyObject *)&sf_CloudType) < 0 ||
	    PyModule_AddObjectRef(m, "CloudStatement", (PyObject *)&sf_CloudStatementType) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
