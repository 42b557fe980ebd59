/*
 * The gateway's error bodies (§7 of the REST reference): `{"errors":[…]}` in its two shapes, with
 * stack traces that read like Java's Throwable.printStackTrace.
 *
 * A handled error (a RestHandlerException: 400s, and the 500s of the session and operation
 * handlers) is one element, the whole trace. An unhandled one (execute, fetch, configure,
 * complete, deploy-script) is "Internal server error." plus the trace framed by
 * "<Exception on server side:" and "End of exception on server side>". The messages and the
 * exception classes are the gateway's; the stack frames are plausible ones (file names and line
 * numbers do not claim to match any Flink release), so that clients which scan traces for their
 * "Caused by:" lines see what a real gateway sends. Like printStackTrace, every line ends with
 * '\n', so an unhandled body has an empty line before "End of exception on server side>".
 */
#include "gw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_causes_add(struct gw_causes *c, const char *cls, const char *fmt, ...)
{
	if (c->n >= (int)(sizeof(c->v) / sizeof(c->v[0])))
		return;
	struct gw_cause *k = &c->v[c->n++];
	k->cls = strdup(cls);
	k->msg = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		struct sb s = SB_INIT;
		sb_vaddf(&s, fmt, ap);
		va_end(ap);
		k->msg = sb_detach(&s, NULL);
	}
}

void gw_causes_release(struct gw_causes *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->v[i].cls);
		free(c->v[i].msg);
	}
	c->n = 0;
}

/* Frames at the bottom of every request thread of the REST endpoint */
static const char *const netty_tail[] = {
	"org.apache.flink.runtime.rest.handler.AbstractHandler.respondAsLeader(AbstractHandler.java:196)",
	"org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.lambda$channelRead0$0(LeaderRetrievalHandler.java:88)",
	"java.base/java.util.Optional.ifPresent(Optional.java:183)",
	"org.apache.flink.util.OptionalConsumer.ifPresent(OptionalConsumer.java:45)",
	"org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.channelRead0(LeaderRetrievalHandler.java:85)",
	"org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.channelRead0(LeaderRetrievalHandler.java:50)",
	"org.apache.flink.shaded.netty4.io.netty.channel.SimpleChannelInboundHandler.channelRead(SimpleChannelInboundHandler.java:99)",
	"org.apache.flink.shaded.netty4.io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:379)",
	"org.apache.flink.shaded.netty4.io.netty.util.concurrent.SingleThreadEventExecutor$4.run(SingleThreadEventExecutor.java:997)",
	"java.base/java.lang.Thread.run(Thread.java:829)",
};
#define NETTY_TAIL (int)(sizeof(netty_tail) / sizeof(netty_tail[0]))

/* Frames at the bottom of the gateway's statement worker threads */
static const char *const worker_tail[] = {
	"org.apache.flink.table.gateway.service.operation.OperationManager.lambda$submitOperation$1(OperationManager.java:119)",
	"org.apache.flink.table.gateway.service.operation.OperationManager$Operation.lambda$run$0(OperationManager.java:258)",
	"java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:515)",
	"java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)",
	"java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1128)",
	"java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:628)",
	"java.base/java.lang.Thread.run(Thread.java:829)",
};
#define WORKER_TAIL (int)(sizeof(worker_tail) / sizeof(worker_tail[0]))

static const char *handler_frame(enum gw_ctx ctx)
{
	switch (ctx) {
	case CTX_EXECUTE: return "org.apache.flink.table.gateway.rest.handler.statement.ExecuteStatementHandler.handleRequest(ExecuteStatementHandler.java:94)";
	case CTX_FETCH: return "org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)";
	case CTX_CONFIGURE: return "org.apache.flink.table.gateway.rest.handler.session.ConfigureSessionHandler.handleRequest(ConfigureSessionHandler.java:64)";
	case CTX_COMPLETE: return "org.apache.flink.table.gateway.rest.handler.statement.CompleteStatementHandler.handleRequest(CompleteStatementHandler.java:68)";
	case CTX_SCRIPT: return "org.apache.flink.table.gateway.rest.handler.application.DeployScriptHandler.handleRequest(DeployScriptHandler.java:69)";
	case CTX_OPERATION: return "org.apache.flink.table.gateway.rest.handler.operation.AbstractOperationHandler.handleRequest(AbstractOperationHandler.java:75)";
	case CTX_SESSION: return "org.apache.flink.table.gateway.rest.handler.session.GetSessionConfigHandler.handleRequest(GetSessionConfigHandler.java:66)";
	case CTX_OPEN: return "org.apache.flink.table.gateway.rest.handler.session.OpenSessionHandler.handleRequest(OpenSessionHandler.java:78)";
	case CTX_REFRESH: return "org.apache.flink.table.gateway.rest.handler.materializedtable.RefreshMaterializedTableHandler.handleRequest(RefreshMaterializedTableHandler.java:103)";
	case CTX_WORKFLOW: return "org.apache.flink.table.gateway.rest.handler.materializedtable.scheduler.CreateEmbeddedSchedulerWorkflowHandler.handleRequest(CreateEmbeddedSchedulerWorkflowHandler.java:84)";
	case CTX_REQUEST: return "org.apache.flink.runtime.rest.handler.AbstractHandler.respondAsLeader(AbstractHandler.java:160)";
	}
	return "";
}

static bool starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* Where an exception of this kind is thrown; sets *pworker when it happens on a worker thread */
static const char *origin(const struct gw_cause *c, bool *pworker)
{
	const char *m = c->msg ? c->msg : "";
	*pworker = false;
	if (starts(m, "Session '"))
		return "org.apache.flink.table.gateway.service.session.SessionManagerImpl.getSession(SessionManagerImpl.java:140)";
	if (starts(m, "Can not find the submitted operation"))
		return "org.apache.flink.table.gateway.service.operation.OperationManager.lambda$getOperation$6(OperationManager.java:407)";
	if (starts(m, "Expecting token") || starts(m, "As the same token"))
		return "org.apache.flink.table.gateway.service.result.ResultFetcher.fetchResults(ResultFetcher.java:230)";
	if (starts(m, "Can not fetch results from"))
		return "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.fetchResultsInternal(OperationManager.java:353)";
	if (starts(m, "Failed to convert the Operation Status"))
		return "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.updateState(OperationManager.java:370)";
	if (starts(m, "Failed to execute the operation")) {
		*pworker = true;
		return "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:397)";
	}
	if (starts(m, "Cannot resolve"))
		return "org.apache.flink.runtime.rest.handler.HandlerRequest.resolvePathParameters(HandlerRequest.java:164)";
	if (strstr(c->cls, ".jackson."))
		return "org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:3609)";
	if (starts(m, "SqlGatewayService doesn't support timeout"))
		return "org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.executeStatement(SqlGatewayServiceImpl.java:210)";
	if (starts(m, "Error while retrieving result"))
		return "org.apache.flink.table.gateway.service.result.ResultStore.handleMissingResult(ResultStore.java:168)";
	if (starts(m, "Failed to ") && starts(c->cls, JAVA_GW_EXC)) {
		static _Thread_local char buf[256];
		char meth[64];
		size_t n = 0;
		for (const char *p = m + 10; *p && *p != '.' && *p != ' ' && n < sizeof(meth) - 1; p++)
			meth[n++] = *p;
		meth[n] = 0;
		if (!strcmp(m, "Failed to execute statement."))
			snprintf(meth, sizeof(meth), "executeStatement");
		else if (!strcmp(m, "Failed to configure session."))
			snprintf(meth, sizeof(meth), "configureSession");
		snprintf(buf, sizeof(buf),
			 "org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.%s(SqlGatewayServiceImpl.java:%d)", meth,
			 120 + (int)(strlen(meth) * 7 % 180));
		return buf;
	}
	*pworker = true;
	if (starts(c->cls, "org.apache.flink.table.api.SqlParserException"))
		return "org.apache.flink.table.planner.delegation.ParserImpl.parse(ParserImpl.java:102)";
	if (starts(c->cls, "org.apache.flink.table.api.ValidationException"))
		return "org.apache.flink.table.planner.operations.SqlNodeToOperationConversion.convert(SqlNodeToOperationConversion.java:268)";
	return "org.apache.flink.table.gateway.service.operation.OperationExecutor.executeStatement(OperationExecutor.java:214)";
}

void gw_trace(struct sb *out, enum gw_ctx ctx, const struct gw_causes *chain)
{
	for (int i = 0; i < chain->n; i++) {
		const struct gw_cause *c = &chain->v[i];
		if (i)
			sb_adds(out, "Caused by: ");
		sb_adds(out, c->cls);
		if (c->msg) {
			sb_adds(out, ": ");
			sb_adds(out, c->msg);
		}
		sb_addc(out, '\n');
		if (i == 0) {
			/* the outermost exception carries the whole stack of the request thread */
			bool worker;
			if (ctx != CTX_REQUEST && starts(c->cls, JAVA_GW_EXC) && starts(c->msg, "Failed to "))
				sb_addf(out, "\tat %s\n", origin(c, &worker));
			sb_addf(out, "\tat %s\n", handler_frame(ctx));
			if (ctx != CTX_REQUEST)
				sb_adds(out, "\tat org.apache.flink.table.gateway.rest.handler.AbstractSqlGatewayRestHandler.respondToRequest(AbstractSqlGatewayRestHandler.java:84)\n"
					     "\tat org.apache.flink.table.gateway.rest.handler.AbstractSqlGatewayRestHandler.respondToRequest(AbstractSqlGatewayRestHandler.java:52)\n");
			for (int k = ctx == CTX_REQUEST ? 1 : 0; k < NETTY_TAIL; k++)
				sb_addf(out, "\tat %s\n", netty_tail[k]);
		} else {
			bool worker;
			const char *at = origin(c, &worker);
			sb_addf(out, "\tat %s\n", at);
			if (worker && i + 1 < chain->n)
				sb_addf(out, "\tat %s\n", worker_tail[0]);
			sb_addf(out, "\t... %d more\n", worker ? WORKER_TAIL - (i + 1 < chain->n ? 1 : 0) : NETTY_TAIL + 2);
		}
	}
}

static char *errors_body(const char *a, const char *b)
{
	struct sb s = SB_INIT;
	sb_adds(&s, "{\"errors\":[");
	jw_string(&s, a);
	if (b) {
		sb_addc(&s, ',');
		jw_string(&s, b);
	}
	sb_adds(&s, "]}");
	return sb_detach(&s, NULL);
}

char *gw_err_not_found(const char *uri)
{
	struct sb m = SB_INIT;
	sb_addf(&m, "Not found: %s", uri);
	char *body = errors_body(m.buf, NULL);
	sb_release(&m);
	return body;
}

char *gw_err_handled(enum gw_ctx ctx, const char *msg, const struct gw_causes *chain)
{
	struct gw_causes all = {0};
	gw_causes_add(&all, JAVA_REST_EXC, "%s", msg);
	for (int i = 0; chain && i < chain->n; i++)
		gw_causes_add(&all, chain->v[i].cls, chain->v[i].msg ? "%s" : NULL, chain->v[i].msg);
	struct sb t = SB_INIT;
	gw_trace(&t, ctx, &all);
	char *body = errors_body(t.buf, NULL);
	sb_release(&t);
	gw_causes_release(&all);
	return body;
}

char *gw_err_unhandled(enum gw_ctx ctx, const struct gw_causes *chain)
{
	struct sb t = SB_INIT;
	sb_adds(&t, "<Exception on server side:\n");
	gw_trace(&t, ctx, chain);
	sb_adds(&t, "\nEnd of exception on server side>");
	char *body = errors_body("Internal server error.", t.buf);
	sb_release(&t);
	return body;
}
