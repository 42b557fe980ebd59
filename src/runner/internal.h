/* Internal interfaces between the files of the runner. */
#ifndef SLUICE_RUNNER_INTERNAL_H
#define SLUICE_RUNNER_INTERNAL_H

#include "artifacts/artifacts.h"
#include "dbt/context.h"

/* The rendered arguments of a generic test, for `_dbt_generic_test_kwargs`; 0 or -1 */
int runner_test_kwargs(struct dbt_render *r, struct node *n, value *pout);
/* A test's status, failures and message from the result of its 'main' statement */
void runner_test_status(struct dbt_render *r, struct node *n, struct run_result *res, struct arena *keep);

#endif
