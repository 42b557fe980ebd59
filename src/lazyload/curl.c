/* libcurl, for the Flink and Confluent adapters and `sluice deps` (hub and git packages). Loaded
 * on first use: see lazylib.h. */
#include "lazyload/lazylib.h"

#include <stdarg.h>

/* the wrappers below are functions, not curl.h's type-checking macros */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void,
 * N(name) for the variadic ones wrapped below */
#define LIBCURL_FUNCTIONS(F, V, N) \
	V(curl_easy_cleanup, (CURL *a0), (a0)) \
	F(char *, curl_easy_escape, (CURL *a0, const char *a1, int a2), (a0, a1, a2)) \
	F(CURL *, curl_easy_init, (void), ()) \
	F(CURLcode, curl_easy_perform, (CURL *a0), (a0)) \
	F(const char *, curl_easy_strerror, (CURLcode a0), (a0)) \
	V(curl_free, (void *a0), (a0)) \
	F(CURLcode, curl_global_init, (long a0), (a0)) \
	F(CURLMcode, curl_multi_add_handle, (CURLM *a0, CURL *a1), (a0, a1)) \
	F(CURLMcode, curl_multi_cleanup, (CURLM *a0), (a0)) \
	F(CURLMsg *, curl_multi_info_read, (CURLM *a0, int *a1), (a0, a1)) \
	F(CURLM *, curl_multi_init, (void), ()) \
	F(CURLMcode, curl_multi_perform, (CURLM *a0, int *a1), (a0, a1)) \
	F(CURLMcode, curl_multi_poll, \
		(CURLM *a0, struct curl_waitfd *a1, unsigned int a2, int a3, int *a4), \
		(a0, a1, a2, a3, a4)) \
	F(CURLMcode, curl_multi_remove_handle, (CURLM *a0, CURL *a1), (a0, a1)) \
	F(CURLSHcode, curl_share_cleanup, (CURLSH *a0), (a0)) \
	F(CURLSH *, curl_share_init, (void), ()) \
	F(struct curl_slist *, curl_slist_append, \
		(struct curl_slist *a0, const char *a1), \
		(a0, a1)) \
	V(curl_slist_free_all, (struct curl_slist *a0), (a0)) \
	F(CURLU *, curl_url, (void), ()) \
	V(curl_url_cleanup, (CURLU *a0), (a0)) \
	F(CURLUcode, curl_url_get, \
		(CURLU *a0, CURLUPart a1, char **a2, unsigned int a3), \
		(a0, a1, a2, a3)) \
	F(CURLUcode, curl_url_set, \
		(CURLU *a0, CURLUPart a1, const char *a2, unsigned int a3), \
		(a0, a1, a2, a3)) \
	N(curl_easy_getinfo) \
	N(curl_easy_setopt) \
	N(curl_share_setopt)

LAZYLIB_DEFINE(LIBCURL_FUNCTIONS, "libcurl.so.4", "libcurl")

/* A variadic function cannot pass its arguments on as they came: each wrapper reads the one
 * argument with the type libcurl reads it with (curl.h: an option's number says its type) */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode (*fn)(CURL *, CURLoption, ...);
	*(void **)&fn = lazylib_fn_(curl_easy_setopt);
	va_list ap;
	va_start(ap, option);
	CURLcode rc;
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = fn(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = fn(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = fn(curl, option, va_arg(ap, curl_off_t));
	else
		rc = fn(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* every CURLINFO_* takes a pointer to where the value goes */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*fn)(CURL *, CURLINFO, ...);
	*(void **)&fn = lazylib_fn_(curl_easy_getinfo);
	va_list ap;
	va_start(ap, info);
	CURLcode rc = fn(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* SHARE and UNSHARE take a curl_lock_data (an int once passed), the two lock options a function,
 * USERDATA a pointer */
CURLSHcode curl_share_setopt(CURLSH *share, CURLSHoption option, ...)
{
	CURLSHcode (*fn)(CURLSH *, CURLSHoption, ...);
	*(void **)&fn = lazylib_fn_(curl_share_setopt);
	va_list ap;
	va_start(ap, option);
	CURLSHcode rc;
	if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE)
		rc = fn(share, option, va_arg(ap, int));
	else if (option == CURLSHOPT_LOCKFUNC || option == CURLSHOPT_UNLOCKFUNC)
		rc = fn(share, option, va_arg(ap, void (*)(void)));
	else
		rc = fn(share, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
