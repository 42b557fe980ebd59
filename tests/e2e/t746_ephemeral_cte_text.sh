#!/usr/bin/env bash
# The SQL of a model that refs ephemeral models is dbt's byte for byte: the CTEs joined and placed
# as dbt-core's inject_ctes_into_sql places sqlparse's tokens (projects/ephemeral_text/README.md
# says how the expected files were made).
. "$(dirname "$0")/lib.sh"
project ephemeral_text
run compile
expect_rc 0 "the project compiles"
for f in expected/*.sql; do
	m=$(basename "$f")
	if cmp -s "$f" "target/compiled/cte/models/$m"; then ok "$m as dbt writes it"
	else not_ok "$m as dbt writes it" "$(diff "$f" "target/compiled/cte/models/$m")"; fi
done
done_testing
