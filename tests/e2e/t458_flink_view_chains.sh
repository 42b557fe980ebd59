#!/usr/bin/env bash
# Views over views on the gateway double: a long chain of distinct views is no cycle (Flink expands
# views without a depth limit), a view that comes to read itself through a rename is refused with
# Flink's validation error, and a chain deeper than the double's own bound says so. A view over
# `VALUES (...) AS t(a, b)` reads back its expanded text, whose rows are written `ROW(...)`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
export FLINK_GATEWAY_PORT=${GW##*:}

# v1 reads a bounded table, v2 reads v1, ... v100 reads v99
{
	echo "SET 'execution.runtime-mode' = 'batch';"
	echo "CREATE VIEW v1 AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name);"
	for i in $(seq 2 100); do echo "CREATE VIEW v$i AS SELECT id + 1 AS id, name FROM v$((i - 1));"; done
	echo "SELECT id, name FROM v100 ORDER BY id;"
} >"$WORK/chain.sql"
run sql -f "$WORK/chain.sql"
expect_rc 0 "a chain of 100 views"
expect_out_re '^\| +100 \| a +\|$' "the chain's first row went through every view"
expect_out "2 rows in set"

# a cycle: b reads a; a is dropped and b renamed to a, so a reads itself
printf '%s\n' "CREATE VIEW a AS SELECT 1 AS x;" "CREATE VIEW b AS SELECT x FROM a;" "DROP VIEW a;" \
	"ALTER VIEW b RENAME TO a;" "SELECT * FROM a;" >"$WORK/cycle.sql"
run sql -f "$WORK/cycle.sql"
expect_rc 1 "a view reading itself"
expect_err "View 'a' references itself"
expect_err "$WORK/cycle.sql:5:"

# deeper than the double's bound of 256
{
	echo "CREATE VIEW w1 AS SELECT 1 AS x;"
	for i in $(seq 2 258); do echo "CREATE VIEW w$i AS SELECT x FROM w$((i - 1));"; done
} >"$WORK/deep.sql"
run sql -f "$WORK/deep.sql"
expect_rc 1 "a chain past the double's bound"
expect_err "is nested more than 256 views deep"
done_testing
