#!/usr/bin/env bash
# The jaffle_shop example, built and tested on DuckDB and on PostgreSQL: both engines pass every
# test and give the same marts, row for row.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

marts() {
	query "select customer_id, first_name, last_name, coalesce(cast(first_order as varchar), '-'), number_of_orders, customer_lifetime_value from {{ ref('customers') }} order by 1" >"$WORK/customers.$1"
	query "select order_id, customer_id, status, amount from {{ ref('orders') }} order by 1" >"$WORK/orders.$1"
}

project jaffle_shop
run build
expect_rc 0 "duckdb: build"
expect_out_re "Done\. PASS=[0-9]+ WARN=0 ERROR=0 SKIP=0" "duckdb: every node passes"
grep -o "TOTAL=[0-9]*" "$OUT" >"$WORK/total.duckdb"
marts duckdb

project jaffle_shop
# one thread, as the example's DuckDB default: its source tests read tables its raw models build
PG_THREADS=1 pg_profile jaffle_shop main
run build
expect_rc 0 "postgres: build"
expect_out_re "Done\. PASS=[0-9]+ WARN=0 ERROR=0 SKIP=0" "postgres: every node passes"
grep -o "TOTAL=[0-9]*" "$OUT" >"$WORK/total.postgres"
marts postgres
if cmp -s "$WORK/total.duckdb" "$WORK/total.postgres"; then ok "the same nodes ran on both engines"
else not_ok "the same nodes ran on both engines" "$(cat "$WORK"/total.*)"; fi
for m in customers orders; do
	if [ -s "$WORK/$m.duckdb" ] && cmp -s "$WORK/$m.duckdb" "$WORK/$m.postgres"; then
		ok "$m: the same $(wc -l <"$WORK/$m.duckdb") rows on both engines"
	else not_ok "$m: the same rows on both engines" "$(diff "$WORK/$m.duckdb" "$WORK/$m.postgres" | head -20)"; fi
done
run build
expect_rc 0 "postgres: a second build over the first"

done_testing
