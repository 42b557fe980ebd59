/*
 * What is particular to data tests in a run: the rendered arguments of a generic test (its
 * `_dbt_generic_test_kwargs`), and the status a test gets from the row the test materialization
 * returns (failures, should_warn, should_error) and its severity, with dbt's messages.
 */
#include <string.h>
#include <strings.h>

#include "core/sb.h"
#include "dbt/context.h"
#include "runner/internal.h"

int runner_test_kwargs(struct dbt_render *r, struct node *n, value *pout)
{
	return dbt_test_kwargs(r, n, pout);
}

void runner_test_status(struct dbt_render *r, struct node *n, struct run_result *res, struct arena *keep)
{
	value main = val_dict_gets(r->statements, "main");
	value table = val_dict_gets(main, "table");
	value rows = dbt_agate_attr(table, "rows");
	/* dbt's execute_data_test raises an internal error unless the test's query returns one row
	 * (failures, should_warn, should_error): the test errors, and its message is that error's */
	size_t nrows = rows.type == V_LIST ? rows.l->len : 0;
	if (nrows != 1) {
		res->status = RUN_ERROR;
		res->message = arena_sprintf(keep, "Internal Error\n  dbt internally failed to execute %s: Returned %zu rows, "
					     "but expected 1 row", n->unique_id, nrows);
		return;
	}
	value row = dbt_agate_row_values(rows.l->items[0]);
	value failures = row.l->len > 0 ? row.l->items[0] : val_none();
	bool should_warn = row.l->len > 1 && val_truthy(row.l->items[1]);
	bool should_error = row.l->len > 2 && val_truthy(row.l->items[2]);
	res->failures = failures.type == V_INT ? failures.i : failures.type == V_FLOAT ? (int64_t)failures.f : 0;
	value sev = val_dict_gets(n->config, "severity");
	bool sev_error = !(sev.type == V_STR && !strcasecmp(sev.s, "warn"));
	value warn_if = val_dict_gets(n->config, "warn_if"), error_if = val_dict_gets(n->config, "error_if");
	const char *wi = warn_if.type == V_STR ? warn_if.s : "!= 0", *ei = error_if.type == V_STR ? error_if.s : "!= 0";
	if (sev_error && should_error) {
		res->status = RUN_FAIL;
		res->message = arena_sprintf(keep, "Got %lld result%s, configured to fail if %s", (long long)res->failures,
					     res->failures == 1 ? "" : "s", ei);
	} else if (should_warn) {
		res->status = RUN_WARN;
		res->message = arena_sprintf(keep, "Got %lld result%s, configured to warn if %s", (long long)res->failures,
					     res->failures == 1 ? "" : "s", wi);
	} else {
		/* dbt counts the failures of a test only when it fails or warns */
		res->status = RUN_PASS;
		res->message = NULL;
		res->failures = 0;
	}
}
