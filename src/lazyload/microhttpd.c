/* libmicrohttpd, for `sluice docs serve`. Loaded on first use: see lazylib.h. Besides its own
 * mapping it pulls in GnuTLS and nine libraries behind it (nettle, gmp, p11-kit, ...), whose
 * constructors ran at every start of every command. */
#include "lazyload/lazylib.h"

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void,
 * N(name) for the variadic one wrapped below; MHD_start_daemon is defined here through the _va
 * form, which the list resolves */
#define LIBMICROHTTPD_FUNCTIONS(F, V, N) \
	F(enum MHD_Result, MHD_add_response_header, \
		(struct MHD_Response *a0, const char *a1, const char *a2), \
		(a0, a1, a2)) \
	F(struct MHD_Response *, MHD_create_response_from_buffer, \
		(size_t a0, void *a1, enum MHD_ResponseMemoryMode a2), \
		(a0, a1, a2)) \
	F(struct MHD_Response *, MHD_create_response_from_fd, (size_t a0, int a1), (a0, a1)) \
	V(MHD_destroy_response, (struct MHD_Response *a0), (a0)) \
	N(MHD_get_daemon_info) \
	F(const char *, MHD_lookup_connection_value, \
		(struct MHD_Connection *a0, enum MHD_ValueKind a1, const char *a2), \
		(a0, a1, a2)) \
	F(enum MHD_Result, MHD_queue_response, \
		(struct MHD_Connection *a0, unsigned int a1, struct MHD_Response *a2), \
		(a0, a1, a2)) \
	F(struct MHD_Daemon *, MHD_start_daemon_va, \
		(unsigned int a0, uint16_t a1, MHD_AcceptPolicyCallback a2, void *a3, \
		 MHD_AccessHandlerCallback a4, void *a5, va_list a6), \
		(a0, a1, a2, a3, a4, a5, a6)) \
	V(MHD_stop_daemon, (struct MHD_Daemon *a0), (a0))

LAZYLIB_DEFINE(LIBMICROHTTPD_FUNCTIONS, "libmicrohttpd.so.12", "libmicrohttpd")

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	va_list ap;
	va_start(ap, dh_cls);
	struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* No MHD_DaemonInfoType of this libmicrohttpd reads an argument after the type (microhttpd.h),
 * so none is passed on */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info_type, ...)
{
	const union MHD_DaemonInfo *(*fn)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
	*(void **)&fn = lazylib_fn_(MHD_get_daemon_info);
	return fn(daemon, info_type);
}
