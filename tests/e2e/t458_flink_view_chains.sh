#!/usr/bin/env bash
# Views over views on the gateway double: a long chain of distinct views is no cycle (Flink expands
# views without a depth limit), and a view that comes to read itself through a rename is refused
# with Flink's validation error. A view over `VALUES (...) AS t(a, b)` reads back its expanded
# text, whose rows are written `ROW(...)`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
export FLINK_GATEWAY_PORT=${GW##*:}

# v1 reads a bounded table, v2 reads v1, ... v40 reads v39 (the double used to stop at 32)
{
	echo "SET 'execution.runtime-mode' = 'batch';"
	echo "CREATE VIEW v1 AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name);"
	for i in $(seq 2 40); do echo "CREATE VIEW v$i AS SELECT id + 1 AS id, name FROM v$((i - 1));"; done
	echo "SELECT id, name FROM v40 ORDER BY id;"
} >"$WORK/chain.sql"
run sql -f "$WORK/chain.sql"
expect_rc 0 "a chain of 40 views"
expect_out_re '^\| +40 \| a +\|$' "the chain's first row went through every view"
expect_out "2 rows in set"

# a cycle: b reads a; a is dropped and b renamed to a, so a reads itself
printf '%s\n' "CREATE VIEW a AS SELECT 1 AS x;" "CREATE VIEW b AS SELECT x FROM a;" "DROP VIEW a;" \
	"ALTER VIEW b RENAME TO a;" "SELECT * FROM a;" >"$WORK/cycle.sql"
run sql -f "$WORK/cycle.sql"
expect_rc 1 "a view reading itself"
expect_err "View 'a' references itself"
expect_err "$WORK/cycle.sql:5:"

done_testing
