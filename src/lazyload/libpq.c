/* libpq, for the postgres adapter. Loaded on first use: see lazylib.h. */
#include "lazyload/lazylib.h"

#include <libpq-fe.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void */
#define LIBPQ_FUNCTIONS(F, V, N) \
	F(int, PQcancel, (PGcancel *a0, char *a1, int a2), (a0, a1, a2)) \
	V(PQclear, (PGresult *a0), (a0)) \
	F(char *, PQcmdStatus, (PGresult *a0), (a0)) \
	F(char *, PQcmdTuples, (PGresult *a0), (a0)) \
	F(PGconn *, PQconnectdbParams, \
		(const char *const *a0, const char *const *a1, int a2), \
		(a0, a1, a2)) \
	F(int, PQconsumeInput, (PGconn *a0), (a0)) \
	F(char *, PQerrorMessage, (const PGconn *a0), (a0)) \
	F(PGresult *, PQexec, (PGconn *a0, const char *a1), (a0, a1)) \
	F(PGresult *, PQexecParams, \
		(PGconn *a0, const char *a1, int a2, const Oid *a3, const char *const *a4, \
		 const int *a5, const int *a6, int a7), \
		(a0, a1, a2, a3, a4, a5, a6, a7)) \
	V(PQfinish, (PGconn *a0), (a0)) \
	F(char *, PQfname, (const PGresult *a0, int a1), (a0, a1)) \
	V(PQfreeCancel, (PGcancel *a0), (a0)) \
	F(Oid, PQftype, (const PGresult *a0, int a1), (a0, a1)) \
	F(PGcancel *, PQgetCancel, (PGconn *a0), (a0)) \
	F(PGresult *, PQgetResult, (PGconn *a0), (a0)) \
	F(int, PQgetisnull, (const PGresult *a0, int a1, int a2), (a0, a1, a2)) \
	F(int, PQgetlength, (const PGresult *a0, int a1, int a2), (a0, a1, a2)) \
	F(char *, PQgetvalue, (const PGresult *a0, int a1, int a2), (a0, a1, a2)) \
	F(int, PQisBusy, (PGconn *a0), (a0)) \
	F(int, PQlibVersion, (void), ()) \
	F(int, PQnfields, (const PGresult *a0), (a0)) \
	F(int, PQntuples, (const PGresult *a0), (a0)) \
	F(const char *, PQparameterStatus, (const PGconn *a0, const char *a1), (a0, a1)) \
	F(int, PQputCopyData, (PGconn *a0, const char *a1, int a2), (a0, a1, a2)) \
	F(int, PQputCopyEnd, (PGconn *a0, const char *a1), (a0, a1)) \
	F(char *, PQresultErrorField, (const PGresult *a0, int a1), (a0, a1)) \
	F(char *, PQresultErrorMessage, (const PGresult *a0), (a0)) \
	F(ExecStatusType, PQresultStatus, (const PGresult *a0), (a0)) \
	F(int, PQsendQuery, (PGconn *a0, const char *a1), (a0, a1)) \
	F(int, PQserverVersion, (const PGconn *a0), (a0)) \
	F(PQnoticeProcessor, PQsetNoticeProcessor, \
		(PGconn *a0, PQnoticeProcessor a1, void *a2), \
		(a0, a1, a2)) \
	F(int, PQsocket, (const PGconn *a0), (a0)) \
	F(ConnStatusType, PQstatus, (const PGconn *a0), (a0)) \
	F(PGTransactionStatusType, PQtransactionStatus, (const PGconn *a0), (a0))

LAZYLIB_DEFINE(LIBPQ_FUNCTIONS, "libpq.so.5",
               "PostgreSQL's client library libpq")
